//! A push's failures as findings, for the report formats every command shares.

use super::{Outcome, PlannedItem, PushReport, Verdict};
use crate::catalog::{Catalog, Format, SETTINGS_FILE};
use crate::compat::load::line_of;
use crate::findings::{finding, Finding, Site};
use crate::rules;
use crate::source::{offset_of, position_at, Seg};
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
                .map(|file| schema_site(catalog, item, file))
                .unwrap_or_else(|_| Site::File(settings.clone()));
            let mut result = finding(
                rule,
                site,
                format!("{}: {}: {detail}", environment.name, item.subject),
            );
            if rule == rules::PUSH_INCOMPATIBLE {
                result.help = consumers_help(catalog, item);
            }
            result.case = Some(format!("{}/{}", environment.name, item.subject));
            found.push(result);
        }
    }
    found
}

/// The first schema location a registry message names: `#/fields/1` (evcat, JSON Schema),
/// `/fields/1` (Avro), or quoted (`'/fields/1'`, Confluent's verbose messages).
fn location_in(message: &str) -> Option<String> {
    message.match_indices('/').find_map(|(index, _)| {
        let before = message[..index].chars().next_back();
        if !matches!(before, None | Some(' ' | '\'' | '"' | '#')) {
            return None;
        }
        let rest = &message[index..];
        let end = rest
            .find(|ch: char| ch.is_whitespace() || matches!(ch, ':' | ',' | '\'' | '"' | ')' | '}'))
            .unwrap_or(rest.len());
        (end > 1).then(|| format!("#{}", &rest[..end]))
    })
}

/// Where in its schema file a subject's failure is: the line of the first location (`#/...`)
/// the registry's messages name, as `check` points at it; else the file.
fn schema_site(catalog: &Catalog, item: &PlannedItem, file: CatalogPath) -> Site {
    let pointer = item
        .messages
        .iter()
        .find_map(|message| location_in(message));
    let format = match file.extension() {
        Some("avsc") => Format::Avro,
        Some("proto") => Format::Protobuf,
        _ => Format::Json,
    };
    let line = pointer.and_then(|pointer| {
        let text = catalog.read_text(&file).ok()?;
        let line = line_of(format, &text, &pointer)?;
        Some(Site::At(
            file.clone(),
            position_at(&text, offset_of(&text, line, 0)),
        ))
    });
    line.unwrap_or(Site::File(file))
}

/// The consumers a refused schema affects, with their teams, as `check` names them.
fn consumers_help(catalog: &Catalog, item: &PlannedItem) -> Option<String> {
    let consumers: Vec<String> = catalog
        .events
        .iter()
        .filter(|event| item.events.contains(&event.id().to_string()))
        .flat_map(|event| catalog.consumers_with_teams(event))
        .collect();
    Some(if consumers.is_empty() {
        "No consumers are declared; `evcat check` finds this before a push.".to_string()
    } else {
        format!(
            "Affected consumers: {}. `evcat check` finds this before a push.",
            consumers.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::location_in;

    #[test]
    fn locations_in_registry_messages() {
        assert_eq!(
            location_in("READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1: old data").as_deref(),
            Some("#/fields/1")
        );
        assert_eq!(
            location_in("{errorType:'X', description:'at path '/fields/0/type' in'}").as_deref(),
            Some("#/fields/0/type")
        );
        assert_eq!(
            location_in("PROPERTY_REMOVED at #/properties/a").as_deref(),
            Some("#/properties/a")
        );
        assert_eq!(location_in("a/b and nothing else"), None);
    }
}
