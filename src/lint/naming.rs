//! Naming conventions: topics, events, services, fields, and namespaces tied to their domain.

use crate::catalog::{Catalog, Event};
use crate::findings::{finding, Findings, Site};
use crate::formats::Compiled;
use crate::rules;
use crate::source::{position_at, Seg};

use super::config::NamingOptions;

pub fn check_catalog(catalog: &Catalog, naming: &NamingOptions, findings: &mut Findings) {
    for event in &catalog.events {
        check_event(event, naming, findings);
    }
    for service in &catalog.services {
        if !naming.service.is_match(&service.name) {
            let site = match catalog.sources().get(&service.file) {
                Some(text) => Site::At(service.file.clone(), position_at(&text, 0)),
                None => Site::File(service.file.clone()),
            };
            findings.push(
                finding(
                    rules::NAMING_SERVICE,
                    site,
                    format!(
                        "service name `{}` (its file name) does not match `{}`",
                        service.name,
                        naming.service.as_str()
                    ),
                )
                .with_help("rename the file, e.g. payment-gateway.yaml, and the references to it"),
            );
        }
    }
}

fn check_event(event: &Event, naming: &NamingOptions, findings: &mut Findings) {
    if !naming.event.is_match(&event.spec.name) {
        findings.add(
            rules::NAMING_EVENT,
            Site::value(&event.file, vec![Seg::key("name")]),
            format!(
                "event name `{}` does not match `{}`",
                event.spec.name,
                naming.event.as_str()
            ),
        );
    }
    for (index, topic) in event.spec.topics.iter().enumerate() {
        if !naming.topic.is_match(&event.domain, topic) {
            findings.push(
                finding(
                    rules::NAMING_TOPIC,
                    Site::value(&event.file, vec![Seg::key("topics"), Seg::Index(index)]),
                    format!(
                        "topic `{topic}` does not match `{}` (with {{domain}} = {})",
                        naming.topic.template(),
                        event.domain
                    ),
                )
                .with_help(format!("e.g. {}.<event-in-kebab-case>.v1", event.domain)),
            );
        }
    }
}

/// Field names and the namespace of a compiled schema.
pub fn check_schema(
    event: &Event,
    compiled: &Compiled,
    naming: &NamingOptions,
    findings: &mut Findings,
) {
    let format = compiled.format();
    let case = naming
        .field_case
        .get(&format)
        .copied()
        .unwrap_or(super::config::Case::Any);
    for field in compiled.field_names() {
        if !case.matches(&field.name) {
            findings.add(
                rules::NAMING_FIELD,
                field.site,
                format!("{format} field `{}` is not {}", field.name, case.name()),
            );
        }
    }
    if let Some(namespace) = compiled.namespace() {
        if !naming.namespace.is_match(&event.domain, &namespace.name) {
            let what = if format == crate::catalog::Format::Protobuf {
                "package"
            } else {
                "namespace"
            };
            findings.push(
                finding(
                    rules::NAMING_NAMESPACE,
                    namespace.site,
                    format!(
                        "{what} `{}` does not name the domain `{}`",
                        namespace.name, event.domain
                    ),
                )
                .with_help(format!(
                    "e.g. acme.{}.v1 (pattern `{}`)",
                    event.domain.replace('-', "_"),
                    naming.namespace.template()
                )),
            );
        }
    }
}
