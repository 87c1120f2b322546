//! `--format junit`: JUnit XML, for CI test reports. One test case per unit checked (an event;
//! a subject in an environment for a push), plus `catalog` for findings outside events; a case
//! fails with one `<failure>` per error finding. Warnings are listed in `<system-out>`.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{Report, Resolved, CATALOG_CASE};
use crate::rules::Severity;

pub fn render(report: &Report) -> String {
    // Each finding's case is worked out once; cases keep the report's order, then the order
    // in which findings name new ones, then `catalog`.
    let mut names: Vec<String> = report.cases.iter().map(|case| case.name.clone()).collect();
    let mut findings_of: HashMap<String, Vec<&Resolved>> = HashMap::new();
    for item in &report.items {
        let name = report.case_of(item);
        if !findings_of.contains_key(&name) && !names.contains(&name) {
            names.push(name.clone());
        }
        findings_of.entry(name).or_default().push(item);
    }
    if !names.iter().any(|name| name == CATALOG_CASE) {
        names.push(CATALOG_CASE.to_string());
    }
    let failures = findings_of
        .values()
        .filter(|items| {
            items
                .iter()
                .any(|item| item.finding.severity == Severity::Error)
        })
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"evcat\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">",
        names.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"evcat {}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
        escape(report.command),
        names.len()
    );
    for name in &names {
        let items = findings_of.get(name).map(Vec::as_slice).unwrap_or_default();
        test_case(&mut out, report, name, items);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn test_case(out: &mut String, report: &Report, name: &str, items: &[&Resolved]) {
    let _ = write!(
        out,
        "    <testcase classname=\"evcat.{}\" name=\"{}\"",
        escape(report.command),
        escape(name)
    );
    if items.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    let mut warnings = String::new();
    for item in items {
        let text = describe(report, item);
        if item.finding.severity == Severity::Error {
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&item.finding.message),
                escape(item.finding.rule.id),
                escape(&text)
            );
        } else {
            let _ = writeln!(warnings, "warning {text}");
        }
    }
    if !warnings.is_empty() {
        let _ = writeln!(out, "      <system-out>{}</system-out>", escape(&warnings));
    }
    out.push_str("    </testcase>\n");
}

/// `file:line:column: RULE name: message`, then the help.
fn describe(report: &Report, item: &Resolved) -> String {
    let mut text = report.repository_path(item);
    if let Some(position) = item.location.position {
        let _ = write!(text, ":{}:{}", position.line, position.column);
    }
    let _ = write!(
        text,
        ": {} {}: {}",
        item.finding.rule.id, item.finding.rule.name, item.finding.message
    );
    if let Some(help) = &item.finding.help {
        let _ = write!(text, "\nhelp: {help}");
    }
    text
}

/// Escapes text for XML content and attributes, dropping characters XML 1.0 cannot hold.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\n' => escaped.push_str("&#10;"),
            '\t' | '\r' => escaped.push(character),
            character if (character as u32) < 0x20 => escaped.push('\u{FFFD}'),
            '\u{FFFE}' | '\u{FFFF}' => escaped.push('\u{FFFD}'),
            character => escaped.push(character),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("a<b & \"c\" 'd'\u{1}>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;\u{FFFD}&gt;"
        );
    }
}
