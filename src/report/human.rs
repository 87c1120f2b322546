//! Human output: each finding as a miette diagnostic with its source snippet, then the summary.

use std::collections::HashMap;
use std::fmt;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

use super::{Report, Resolved};
use crate::catalog::Sources;
use crate::rules::{self, Severity};
use crate::tree::CatalogPath;

/// One finding, shaped for miette.
struct FindingDiagnostic {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    label: Option<LabeledSpan>,
}

impl fmt::Debug for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source
            .as_ref()
            .map(|source| source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|label| Box::new(std::iter::once(label)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

/// The byte ranges of secrets that findings point at (rule Y010), per file: a snippet never
/// shows them, whichever finding it belongs to.
fn secret_spans(report: &Report) -> HashMap<&CatalogPath, Vec<(usize, usize)>> {
    let mut spans: HashMap<&CatalogPath, Vec<(usize, usize)>> = HashMap::new();
    for item in &report.items {
        if item.finding.rule != rules::LITERAL_SECRET {
            continue;
        }
        if let Some(position) = item.location.position {
            spans
                .entry(&item.location.file)
                .or_default()
                .push((position.span.offset, position.span.len));
        }
    }
    spans
}

/// `text` with each secret span masked, byte for byte (so every other span keeps its offset).
/// In a URL only the user info is masked, so the snippet still shows where it points.
fn masked(text: &str, secrets: &[(usize, usize)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &(offset, len) in secrets {
        let Some(value) = text.get(offset..offset + len) else {
            continue;
        };
        let hidden = match value.find("://") {
            Some(scheme) => {
                let start = offset + scheme + 3;
                start
                    ..offset
                        + value
                            .rfind('@')
                            .filter(|at| *at > scheme)
                            .unwrap_or(scheme + 3)
            }
            None => offset..offset + len,
        };
        // Every byte of a multi-byte character becomes a `*` too, so the text stays UTF-8.
        bytes[hidden].fill(b'*');
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn diagnostic(
    item: &Resolved,
    sources: &Sources,
    secrets: &HashMap<&CatalogPath, Vec<(usize, usize)>>,
) -> FindingDiagnostic {
    let finding = &item.finding;
    let file = &item.location.file;
    let text = sources.get(file);
    let (source, label, message) = match (item.location.position, text) {
        (Some(position), Some(text)) => (
            Some(NamedSource::new(
                file.as_str(),
                match secrets.get(file) {
                    Some(spans) => masked(&text, spans),
                    None => text.to_string(),
                },
            )),
            Some(LabeledSpan::new(
                Some(finding.rule.summary.to_string()),
                position.span.offset,
                position.span.len,
            )),
            finding.message.clone(),
        ),
        // No text to show (a folder, a file too large or not UTF-8): name the place in the message.
        (Some(position), None) => (
            None,
            None,
            format!(
                "{file}:{}:{}: {}",
                position.line, position.column, finding.message
            ),
        ),
        (None, _) => (None, None, format!("{file}: {}", finding.message)),
    };
    FindingDiagnostic {
        message,
        code: format!("{} {}", finding.rule.id, finding.rule.name),
        severity: match finding.severity {
            Severity::Error => miette::Severity::Error,
            _ => miette::Severity::Warning,
        },
        help: finding
            .help
            .clone()
            .or_else(|| Some(finding.rule.doc.to_string())),
        source,
        label,
    }
}

/// Renders every finding and the summary line.
pub fn render(report: &Report, sources: &Sources, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .with_width(100);
    let mut out = String::new();
    let secrets = secret_spans(report);
    for item in &report.items {
        let diagnostic = diagnostic(item, sources, &secrets);
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, &diagnostic);
        out.push('\n');
    }
    out.push_str(&report.summary_line());
    out.push('\n');
    out
}

/// `-v`: why each rule that found something matters and how to fix it, once per rule.
pub fn rule_notes(report: &Report) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = String::new();
    for item in &report.items {
        let rule = item.finding.rule;
        if seen.contains(&rule.id) {
            continue;
        }
        seen.push(rule.id);
        out.push_str(&format!(
            "\n{} {}: {}\n  {}\n",
            rule.id, rule.name, rule.summary, rule.doc
        ));
    }
    out
}
