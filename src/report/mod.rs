//! Reports: findings with their positions worked out, a summary, and renderers.
//!
//! [`Report::new`] resolves each finding's [`crate::findings::Site`] to a line and column (the only
//! place positions are computed) and sorts them; `human` and `json` render the same report.

pub mod compat;
pub mod diff;
pub mod github;
pub mod history;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod push;
pub mod sarif;

use crate::catalog::Catalog;
use crate::findings::{Finding, Location};
use crate::rules::Severity;

/// A finding and where it is.
#[derive(Debug)]
pub struct Resolved {
    pub finding: Finding,
    pub location: Location,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub files: usize,
    pub domains: usize,
    pub services: usize,
    pub events: usize,
}

/// The result of a command that reports findings.
#[derive(Debug)]
pub struct Report {
    pub command: &'static str,
    pub catalog: String,
    pub items: Vec<Resolved>,
    pub summary: Summary,
    /// What the run compared against, for the summary line (`check`).
    pub context: Option<String>,
    /// The units a test report lists (events; subjects per environment for a push), each with
    /// the folder whose findings fail it, if any.
    pub cases: Vec<Case>,
    /// The catalog's folder relative to the repository root (`""` at the root, else ending in
    /// `/`): SARIF and GitHub annotations name files from the repository root.
    pub prefix: String,
    /// The events changed since the baseline, for the Markdown summary (`check`, `diff`).
    pub changes: Option<(String, Vec<crate::check::EventChange>)>,
}

/// One unit of a test report.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub dir: Option<crate::tree::CatalogPath>,
}

impl Report {
    pub fn new(command: &'static str, catalog: &Catalog, findings: Vec<Finding>) -> Self {
        let mut items: Vec<Resolved> = findings
            .into_iter()
            .map(|finding| Resolved {
                location: catalog.locate(&finding.site),
                finding,
            })
            .collect();
        items.sort_by(|a, b| {
            let position = |item: &Resolved| item.location.position.map(|p| (p.line, p.column));
            a.location
                .file
                .cmp(&b.location.file)
                .then(position(a).cmp(&position(b)))
                .then(a.finding.rule.id.cmp(b.finding.rule.id))
        });
        let count = |severity| {
            items
                .iter()
                .filter(|item| item.finding.severity == severity)
                .count()
        };
        let summary = Summary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warn),
            files: catalog.sources().len(),
            domains: catalog.domains.len(),
            services: catalog.services.len(),
            events: catalog.events.len(),
        };
        let cases = catalog
            .events
            .iter()
            .map(|event| Case {
                name: event.id().to_string(),
                dir: Some(event.dir.clone()),
            })
            .collect();
        Report {
            command,
            catalog: catalog.tree().describe(),
            items,
            summary,
            context: None,
            cases,
            prefix: String::new(),
            changes: None,
        }
    }

    /// The test case a finding fails: its own, else the event whose folder holds its file (by
    /// the folder's name when the event did not load), else `catalog` (settings, domains,
    /// services, shared schemas).
    pub fn case_of(&self, item: &Resolved) -> String {
        if let Some(case) = &item.finding.case {
            return case.clone();
        }
        let file = &item.location.file;
        if let Some(case) = self
            .cases
            .iter()
            .find(|case| case.dir.as_ref().is_some_and(|dir| file.starts_with(dir)))
        {
            return case.name.clone();
        }
        match file.segments().collect::<Vec<_>>().as_slice() {
            ["domains", domain, "events", event, _, ..] => format!("{domain}/{event}"),
            _ => CATALOG_CASE.to_string(),
        }
    }

    /// A finding's file as the repository names it.
    pub fn repository_path(&self, item: &Resolved) -> String {
        format!("{}{}", self.prefix, item.location.file)
    }

    /// Whether the run fails: any error, or any warning when warnings are denied.
    pub fn fails(&self, deny_warnings: bool) -> bool {
        self.summary.errors > 0 || (deny_warnings && self.summary.warnings > 0)
    }

    /// The one-line summary.
    pub fn summary_line(&self) -> String {
        let summary = &self.summary;
        let problems = match (summary.errors, summary.warnings) {
            (0, 0) => "no problems".to_string(),
            (errors, warnings) => format!(
                "{} {}, {} {}",
                errors,
                plural(errors, "error", "errors"),
                warnings,
                plural(warnings, "warning", "warnings")
            ),
        };
        let context = self
            .context
            .as_ref()
            .map(|context| format!(", {context}"))
            .unwrap_or_default();
        format!(
            "{}: {problems} in {} {} ({} {}, {} {}, {} {}){context}",
            self.command,
            summary.files,
            plural(summary.files, "file", "files"),
            summary.domains,
            plural(summary.domains, "domain", "domains"),
            summary.services,
            plural(summary.services, "service", "services"),
            summary.events,
            plural(summary.events, "event", "events"),
        )
    }
}

/// The test case of findings that belong to no event.
pub const CATALOG_CASE: &str = "catalog";

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 {
        one
    } else {
        many
    }
}
