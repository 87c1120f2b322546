//! `--format github`: GitHub Actions workflow commands, one annotation per finding on its file
//! and line, escaped by GitHub's rules. The Markdown summary for `$GITHUB_STEP_SUMMARY` is
//! [`super::markdown`]'s; the CLI appends it there.

use std::fmt::Write as _;

use super::Report;
use crate::rules::Severity;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for item in &report.items {
        let command = match item.finding.severity {
            Severity::Error => "error",
            Severity::Warn => "warning",
            Severity::Off => "notice",
        };
        let mut properties = format!("file={}", property(&report.repository_path(item)));
        if let Some(position) = item.location.position {
            let _ = write!(
                properties,
                ",line={},col={}",
                position.line, position.column
            );
        }
        let title = format!("{} {}", item.finding.rule.id, item.finding.rule.name);
        let _ = write!(properties, ",title={}", property(&title));
        let mut message = item.finding.message.clone();
        if let Some(help) = &item.finding.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(out, "::{command} {properties}::{}", data(&message));
    }
    let _ = writeln!(out, "{}", data(&report.summary_line()));
    out
}

/// Escapes a command's message, as GitHub's toolkit does (`escapeData`).
pub fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value (`escapeProperty`): also `:` and `,`.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_by_githubs_rules() {
        assert_eq!(data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
