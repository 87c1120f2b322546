//! `--format sarif`: SARIF 2.1.0, for code scanning. The driver lists every rule with its
//! metadata; results point at files relative to the repository root (`%SRCROOT%`).

use serde_json::{json, Value};

use super::{Report, Resolved};
use crate::rules::{self, Rule, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = rules::ALL
        .iter()
        .map(|rule| rule_descriptor(rule))
        .collect();
    let results: Vec<Value> = report
        .items
        .iter()
        .map(|item| result(report, item))
        .collect();
    let document = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "evcat",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "automationDetails": { "id": format!("evcat/{}/", report.command) },
            "originalUriBaseIds": {
                "%SRCROOT%": { "description": { "text": "The repository root." } }
            },
            "results": results,
        }]
    });
    // A document built from strings and numbers always serializes.
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warn => "warning",
        Severity::Off => "none",
    }
}

fn rule_descriptor(rule: &Rule) -> Value {
    json!({
        "id": rule.id,
        "name": rule.name,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": rule.doc },
        "help": { "text": rule.doc },
        "defaultConfiguration": { "level": level(rule.default_severity) },
    })
}

fn result(report: &Report, item: &Resolved) -> Value {
    let rule_index = rules::ALL
        .iter()
        .position(|rule| rule.id == item.finding.rule.id);
    let mut message = item.finding.message.clone();
    if let Some(help) = &item.finding.help {
        message.push_str("\nHelp: ");
        message.push_str(help);
    }
    let mut physical = json!({
        "artifactLocation": {
            "uri": uri(&report.repository_path(item)),
            "uriBaseId": "%SRCROOT%",
        }
    });
    if let Some(position) = item.location.position {
        physical["region"] = json!({
            "startLine": position.line.max(1),
            "startColumn": position.column.max(1),
        });
    }
    let mut result = json!({
        "ruleId": item.finding.rule.id,
        "level": level(item.finding.severity),
        "message": { "text": message },
        "locations": [{ "physicalLocation": physical }],
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    result
}

/// A relative path as a URI reference: segments percent-encoded, slashes kept.
fn uri(path: &str) -> String {
    path.split('/')
        .map(|segment| percent_encoding::utf8_percent_encode(segment, URI_SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// Characters a URI path segment may not hold as they are (RFC 3986: everything but
/// unreserved characters and sub-delimiters, `:` and `@`).
const URI_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_encode_what_a_path_segment_cannot_hold() {
        assert_eq!(uri("domains/a b/x#1.json"), "domains/a%20b/x%231.json");
        assert_eq!(uri("dir/ü.avsc"), "dir/%C3%BC.avsc");
    }
}
