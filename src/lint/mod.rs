//! `evcat lint`: every rule family over a loaded catalog.
//!
//! Order: structure findings come from loading; then rule settings are read, references checked,
//! each event's schema compiled once (that one compile serves the schema, example and naming
//! checks, and the vocabulary's, when the catalog has one), and finally the catalog-wide
//! governance rules.

pub mod config;
mod governance;
mod lifecycle;
mod naming;
pub(crate) mod references;
mod settings;
mod vocabulary;

use rayon::prelude::*;

use crate::catalog::vocabulary::Classifier;
use crate::catalog::{Catalog, Event, Loaded, SchemaRole};
use crate::findings::{Finding, Findings};
use crate::formats::{self, Compiled, SchemaContext};
use crate::source::Seg;
use config::NamingOptions;

pub use config::LintConfig;

/// What a lint found, with the figures the summary shows.
pub struct LintOutcome {
    pub catalog: Catalog,
    pub findings: Vec<Finding>,
    /// Per event (in `catalog.events` order), the fully qualified record names of its value and
    /// key schemas, when they compiled: the record subject strategies need them.
    pub record_names: Vec<RecordNames>,
}

#[derive(Clone, Debug, Default)]
pub struct RecordNames {
    pub value: Option<String>,
    pub key: Option<String>,
}

pub fn lint(loaded: Loaded) -> LintOutcome {
    let Loaded {
        catalog,
        mut findings,
    } = loaded;
    let config = LintConfig::from_catalog(&catalog, &mut findings);
    references::check(&catalog, &mut findings);
    naming::check_catalog(&catalog, &config.naming, &mut findings);
    vocabulary::check_definitions(&catalog, &mut findings);
    let classifier = Classifier::new(catalog.vocabulary.as_ref());

    let context = SchemaContext::new(&catalog, &mut findings);
    settings::check(&catalog, &mut findings);
    if !classifier.index.is_empty() {
        vocabulary::check_shared(
            &classifier,
            &context,
            &catalog,
            &config.naming,
            &mut findings,
        );
    }
    let mut record_names = Vec::with_capacity(catalog.events.len());
    for chunk in catalog.events.chunks(EVENTS_PER_CHUNK) {
        let checks = SchemaChecks {
            naming: &config.naming,
            classifier: &classifier,
        };
        for checked in check_events(&context, &catalog, &checks, chunk) {
            findings.extend(checked.findings);
            record_names.push(checked.record_names);
        }
    }

    let value_names: Vec<Option<String>> = record_names
        .iter()
        .map(|names| names.value.clone())
        .collect();
    governance::check(&catalog, &value_names, &mut findings);
    let today = time::OffsetDateTime::now_utc().date();
    lifecycle::check(&catalog, config.sunset_warning_days, today, &mut findings);
    LintOutcome {
        findings: findings.apply(&config.severities),
        catalog,
        record_names,
    }
}

/// How many events are compiled at once: enough to keep the cores busy, few enough that the
/// compiled schemas held for the naming checks stay small.
const EVENTS_PER_CHUNK: usize = 1024;

/// What checking one event's schemas found: its findings, and its schemas' record names.
struct CheckedEvent {
    findings: Findings,
    record_names: RecordNames,
}

/// What each compiled schema is checked against besides its examples.
struct SchemaChecks<'c> {
    naming: &'c NamingOptions,
    /// The vocabulary's names (empty without one) and what tags mean.
    classifier: &'c Classifier<'c>,
}

/// Compiles each event's value and key schemas, checks its examples and its schema's names,
/// spread over the cores; the results come back in the events' order.
fn check_events(
    context: &SchemaContext,
    catalog: &Catalog,
    checks: &SchemaChecks<'_>,
    events: &[Event],
) -> Vec<CheckedEvent> {
    events
        .par_iter()
        .map(|event| {
            let mut findings = Findings::new();
            let value = formats::compile(context, catalog, event, SchemaRole::Value, &mut findings);
            if let Some(compiled) = &value {
                check_examples(catalog, event, compiled, &mut findings);
                naming::check_schema(event, compiled, checks.naming, &mut findings);
            }
            let key = formats::compile(context, catalog, event, SchemaRole::Key, &mut findings);
            let mut strictest = None;
            for (role, compiled) in [(SchemaRole::Value, &value), (SchemaRole::Key, &key)] {
                if let Some(compiled) = compiled {
                    let naming = checks.naming;
                    let sensitive = vocabulary::check_schema(
                        checks.classifier,
                        catalog,
                        event,
                        role,
                        compiled,
                        naming,
                        &mut findings,
                    );
                    strictest = vocabulary::stricter(strictest, sensitive);
                }
            }
            if let Some(sensitive) = strictest {
                vocabulary::check_classification(event, &sensitive, &mut findings);
            }
            CheckedEvent {
                findings,
                record_names: RecordNames {
                    value: value.and_then(|compiled| compiled.record_name()),
                    key: key.and_then(|compiled| compiled.record_name()),
                },
            }
        })
        .collect()
}

fn check_examples(catalog: &Catalog, event: &Event, compiled: &Compiled, findings: &mut Findings) {
    for (index, written) in event.spec.examples.iter().enumerate() {
        let yaml_path = vec![Seg::key("examples"), Seg::Index(index)];
        let Some(path) = formats::resolve_reference(event, written, yaml_path.clone(), findings)
        else {
            continue;
        };
        let reference = crate::findings::Site::value(&event.file, yaml_path);
        if let Some(text) = catalog.read_text_or_report(&path, &reference, findings) {
            compiled.check_example(&path, &text, findings);
        }
    }
}
