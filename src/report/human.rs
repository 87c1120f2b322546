//! Human output: each finding as a miette diagnostic with its source snippet, then the summary.

use std::collections::HashMap;
use std::fmt;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan};

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
    source: Option<Excerpt>,
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

/// The longest source line a snippet shows; a finding on or beside a longer line (a minified
/// file, a 200 KB line) names its place in the message instead.
const MAX_SNIPPET_LINE: usize = 240;

/// The lines around a finding, for miette: a window of the file (the label's line and one on
/// each side), so no finding copies the whole file and no huge line is printed.
struct Excerpt {
    name: String,
    text: String,
    /// Where the window starts in the file (bytes), and on which line (0-based).
    start: usize,
    first_line: usize,
}

impl Excerpt {
    /// The window around `offset` (on the 1-based `line`), or `None` when a line in it is too
    /// long to show.
    fn around(name: &str, text: &str, offset: usize, line: usize) -> Option<Self> {
        let offset = offset.min(text.len());
        let mut start = text[..offset].rfind('\n').map_or(0, |index| index + 1);
        let mut first_line = line.saturating_sub(1);
        if start > 0 {
            start = text[..start - 1].rfind('\n').map_or(0, |index| index + 1);
            first_line = first_line.saturating_sub(1);
        }
        let mut end = offset;
        for _ in 0..2 {
            match text[end..].find('\n') {
                Some(index) => end += index + 1,
                None => end = text.len(),
            }
        }
        let window = &text[start..end];
        if window.lines().any(|line| line.len() > MAX_SNIPPET_LINE) {
            return None;
        }
        Some(Excerpt {
            name: name.to_string(),
            text: window.to_string(),
            start,
            first_line,
        })
    }
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let local =
            miette::SourceSpan::new(span.offset().saturating_sub(self.start).into(), span.len());
        let inner = self
            .text
            .read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            miette::SourceSpan::new(
                (inner.span().offset() + self.start).into(),
                inner.span().len(),
            ),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

fn diagnostic(
    item: &Resolved,
    sources: &Sources,
    secrets: &HashMap<&CatalogPath, Vec<(usize, usize)>>,
) -> FindingDiagnostic {
    let finding = &item.finding;
    let file = &item.location.file;
    let excerpt = match (item.location.position, sources.get(file)) {
        (Some(position), Some(text)) => {
            let shown = match secrets.get(file) {
                Some(spans) => std::borrow::Cow::Owned(masked(&text, spans)),
                None => std::borrow::Cow::Borrowed(&*text),
            };
            Excerpt::around(file.as_str(), &shown, position.span.offset, position.line)
        }
        _ => None,
    };
    let (source, label, message) = match (item.location.position, excerpt) {
        (Some(position), Some(excerpt)) => (
            Some(excerpt),
            Some(LabeledSpan::new(
                Some(finding.rule.summary.to_string()),
                position.span.offset,
                position.span.len,
            )),
            finding.message.clone(),
        ),
        // No text to show (a folder, a file too large or not UTF-8, a line too long to print):
        // name the place in the message.
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
