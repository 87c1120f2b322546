//! A push's failures as findings, for the report formats every command shares.

use super::{Outcome, PushReport, Verdict};
use crate::catalog::{Catalog, SETTINGS_FILE};
use crate::findings::{finding, Finding, Site};
use crate::rules;
use crate::source::Seg;
use crate::tree::CatalogPath;

/// The push's failures as findings (rules `P001`-`P004`), for the renderers every reporting
/// command shares (SARIF, JUnit, GitHub annotations, Markdown). Each names the environment; a
/// subject's finding sits on its schema file, an environment's on its entry in evcat.yaml.
pub fn findings(report: &PushReport, catalog: &Catalog) -> Vec<Finding> {
    let settings = CatalogPath::root().child(SETTINGS_FILE);
    let mut found = Vec::new();
    for environment in &report.environments {
        let index = catalog
            .settings
            .environments
            .iter()
            .position(|candidate| candidate.name == environment.name)
            .unwrap_or_default();
        let at_environment = |key: &str| {
            Site::value(
                &settings,
                vec![Seg::key("environments"), Seg::Index(index), Seg::key(key)],
            )
        };
        match &environment.outcome {
            Outcome::Blocked { reason } => found.push(finding(
                rules::PUSH_GATE,
                at_environment("require"),
                format!("{}: {reason}", environment.name),
            )),
            Outcome::PlanFailed { reason } if environment.items.is_empty() => found.push(finding(
                rules::PUSH_REGISTRY_ERROR,
                at_environment("registry"),
                format!("{}: {reason}", environment.name),
            )),
            _ => {}
        }
        for item in &environment.items {
            let (rule, detail) = match &item.verdict {
                Verdict::Incompatible => (
                    rules::PUSH_INCOMPATIBLE,
                    if item.messages.is_empty() {
                        "the registry gave no reason".to_string()
                    } else {
                        item.messages.join("; ")
                    },
                ),
                Verdict::OrderBlocked { detail } => (rules::PUSH_ORDER, detail.clone()),
                Verdict::Failed { detail } => (rules::PUSH_REGISTRY_ERROR, detail.clone()),
                _ => continue,
            };
            let site = CatalogPath::parse(&item.file)
                .map(Site::File)
                .unwrap_or_else(|_| Site::File(settings.clone()));
            let mut result = finding(
                rule,
                site,
                format!("{}: {}: {detail}", environment.name, item.subject),
            );
            result.case = Some(format!("{}/{}", environment.name, item.subject));
            found.push(result);
        }
    }
    found
}
