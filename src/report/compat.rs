//! Rendering a compatibility verdict (`evcat compat`): for people, and as JSON.

use serde::Serialize;

use crate::catalog::{CompatibilityLevel, Format};
use crate::compat::load::{explain, line_of};
use crate::compat::{Direction, Verdict};

/// One schema version, as given on the command line.
pub struct Version<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

#[derive(Serialize)]
struct JsonVerdict<'a> {
    version: u32,
    format: &'a str,
    level: &'a str,
    compatible: bool,
    new: &'a str,
    previous: Vec<&'a str>,
    differences: Vec<JsonDifference<'a>>,
}

#[derive(Serialize)]
struct JsonDifference<'a> {
    kind: &'a str,
    breaking: bool,
    path: &'a str,
    /// The file the path points into: the reader's schema of the check.
    file: &'a str,
    line: Option<usize>,
    against: &'a str,
    direction: Direction,
    message: &'a str,
    why: &'a str,
}

/// The file a difference's path points into: the reader of that check (the new schema for
/// BACKWARD, the earlier one for FORWARD).
fn reader<'a>(direction: Direction, new: &Version<'a>, old: &Version<'a>) -> (&'a str, &'a str) {
    match direction {
        Direction::Backward => (new.file, new.text),
        Direction::Forward => (old.file, old.text),
    }
}

/// A verdict and what it is about.
pub struct CompatReport<'a> {
    pub format: Format,
    pub level: CompatibilityLevel,
    /// Earlier versions, oldest first.
    pub previous: &'a [Version<'a>],
    pub new: &'a Version<'a>,
    pub verdict: &'a Verdict,
}

impl CompatReport<'_> {
    pub fn json(&self) -> String {
        let CompatReport {
            format,
            level,
            previous,
            new,
            verdict,
        } = *self;
        let differences = verdict
            .findings
            .iter()
            .map(|finding| {
                let old = &previous[finding.version];
                let (file, text) = reader(finding.direction, new, old);
                let difference = &finding.difference;
                JsonDifference {
                    kind: difference.kind,
                    breaking: difference.breaking,
                    path: &difference.path,
                    file,
                    line: line_of(format, text, &difference.path),
                    against: old.file,
                    direction: finding.direction,
                    message: &difference.message,
                    why: explain(format, difference.kind),
                }
            })
            .collect();
        let document = JsonVerdict {
            version: 1,
            format: format.as_str(),
            level: level.as_str(),
            compatible: verdict.compatible,
            new: new.file,
            previous: previous.iter().map(|version| version.file).collect(),
            differences,
        };
        // Plain strings, numbers and booleans always serialize.
        serde_json::to_string_pretty(&document).expect("verdict serializes") + "\n"
    }

    pub fn human(&self) -> String {
        let CompatReport {
            format,
            level,
            previous,
            new,
            verdict,
        } = *self;
        let mut out = String::new();
        for finding in &verdict.findings {
            let old = &previous[finding.version];
            let (file, text) = reader(finding.direction, new, old);
            let difference = &finding.difference;
            let location = match line_of(format, text, &difference.path) {
                Some(line) => format!("{file}:{line}"),
                None => file.to_string(),
            };
            let direction = match finding.direction {
                Direction::Backward => "new reads old",
                Direction::Forward => "old reads new",
            };
            out.push_str(&format!(
                "{} {} at {} ({location})\n    against {} ({direction})\n",
                if difference.breaking {
                    "breaking:"
                } else {
                    "ok:      "
                },
                difference.kind,
                difference.path,
                old.file,
            ));
            if !difference.message.is_empty()
                && difference.message != explain(format, difference.kind)
            {
                out.push_str(&format!("    {}\n", difference.message));
            }
            let why = explain(format, difference.kind);
            if !why.is_empty() {
                out.push_str(&format!("    {why}\n"));
            }
        }
        let breaking = verdict
            .findings
            .iter()
            .filter(|finding| finding.difference.breaking)
            .count();
        out.push_str(&format!(
        "compat: {} is {} with {} earlier version{} under {} ({} breaking, {} other difference{})\n",
        new.file,
        if verdict.compatible { "compatible" } else { "INCOMPATIBLE" },
        previous.len(),
        if previous.len() == 1 { "" } else { "s" },
        level.as_str(),
        breaking,
        verdict.findings.len() - breaking,
        if verdict.findings.len() - breaking == 1 { "" } else { "s" },
    ));
        out
    }
}
