//! `--format json`: a stable, documented shape (see README, "JSON output"). Fields are only ever
//! added; `version` changes if one is removed or changes meaning.

use serde::Serialize;

use super::{Report, Summary};

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    command: &'a str,
    catalog: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a str>,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    help: Option<&'a str>,
}

pub fn render(report: &Report) -> String {
    let findings = report
        .items
        .iter()
        .map(|item| JsonFinding {
            rule: item.finding.rule.id,
            name: item.finding.rule.name,
            severity: item.finding.severity.as_str(),
            message: &item.finding.message,
            file: item.location.file.as_str(),
            line: item.location.position.map(|position| position.line),
            column: item.location.position.map(|position| position.column),
            help: item.finding.help.as_deref(),
        })
        .collect();
    let document = JsonReport {
        version: VERSION,
        command: report.command,
        catalog: &report.catalog,
        context: report.context.as_deref(),
        findings,
        summary: report.summary,
    };
    // Serializing plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(&document).expect("report serializes")
}
