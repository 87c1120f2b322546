//! `--format markdown`: a compact summary for a pull-request comment or a CI job summary: what
//! changed (for `check` and `diff`), what breaks and who is affected, then the other findings.

use std::fmt::Write as _;

use super::Report;
use crate::rules::Severity;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    if let Some((baseline, changes)) = &report.changes {
        out.push_str(&super::diff::markdown(baseline, changes));
        out.push('\n');
    } else {
        let _ = writeln!(out, "### evcat {}\n", report.command);
    }
    let _ = writeln!(out, "{}\n", cell(&report.summary_line()));
    if report.items.is_empty() {
        return out;
    }
    out.push_str("| | Rule | Where | Finding |\n|---|---|---|---|\n");
    for item in &report.items {
        let mark = match item.finding.severity {
            Severity::Error => "❌",
            Severity::Warn => "⚠️",
            Severity::Off => "ℹ️",
        };
        let mut place = report.repository_path(item);
        if let Some(position) = item.location.position {
            let _ = write!(place, ":{}", position.line);
        }
        let mut finding = item.finding.message.clone();
        if let Some(help) = &item.finding.help {
            let _ = write!(finding, " — {help}");
        }
        let _ = writeln!(
            out,
            "| {mark} | `{}` {} | `{}` | {} |",
            item.finding.rule.id,
            cell(item.finding.rule.name),
            cell(&place).replace('`', "'"),
            cell(&finding)
        );
    }
    out
}

/// Text safe inside a Markdown table cell: no pipes, no line breaks, no HTML.
fn cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}
