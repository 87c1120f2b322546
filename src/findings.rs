//! What every check produces: a [`Finding`] names a rule, a location, a message and help.
//!
//! Checks record findings at the rule's default severity; [`Findings::apply`] then applies the
//! user's rule settings once, at the end, so no check needs to know about configuration.

use std::collections::HashMap;

use crate::rules::{Rule, Severity};
use crate::source::{Position, Seg, Target};
use crate::tree::CatalogPath;

/// Where a finding is: a file and, when known, a position in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: CatalogPath,
    pub position: Option<Position>,
}

/// Where a finding is, as recorded by a check: the position is worked out only when the finding
/// is reported, so that a clean file is never parsed twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Site {
    /// The whole file.
    File(CatalogPath),
    /// A node of a YAML or JSON file, by path.
    Node {
        file: CatalogPath,
        path: Vec<Seg>,
        target: Target,
    },
    /// A known position.
    At(CatalogPath, Position),
}

impl Site {
    pub fn key(file: &CatalogPath, path: Vec<Seg>) -> Self {
        Site::Node {
            file: file.clone(),
            path,
            target: Target::Key,
        }
    }

    pub fn value(file: &CatalogPath, path: Vec<Seg>) -> Self {
        Site::Node {
            file: file.clone(),
            path,
            target: Target::Value,
        }
    }

    pub fn file(&self) -> &CatalogPath {
        match self {
            Site::File(file) | Site::Node { file, .. } | Site::At(file, _) => file,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub site: Site,
    /// What to do about this particular finding; the rule's doc says the general why and how.
    pub help: Option<String>,
    /// The unit the finding fails in a test report (an event, a subject in an environment);
    /// when `None`, reports derive it from the file.
    pub case: Option<String>,
}

impl Finding {
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Rule settings: a severity per rule, from `evcat.yaml`'s `rules:`.
#[derive(Clone, Debug, Default)]
pub struct SeverityOverrides {
    by_rule: HashMap<&'static str, Severity>,
}

impl SeverityOverrides {
    pub fn set(&mut self, rule: &'static Rule, severity: Severity) {
        self.by_rule.insert(rule.id, severity);
    }

    pub fn severity(&self, rule: &Rule) -> Severity {
        self.by_rule
            .get(rule.id)
            .copied()
            .unwrap_or(rule.default_severity)
    }
}

/// The findings of one run.
#[derive(Debug, Default)]
pub struct Findings {
    items: Vec<Finding>,
}

impl Findings {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, rule: &'static Rule, site: Site, message: impl Into<String>) {
        self.push(finding(rule, site, message));
    }

    pub fn push(&mut self, finding: Finding) {
        self.items.push(finding);
    }

    pub fn extend(&mut self, other: Findings) {
        self.items.extend(other.items);
    }

    /// Applies the rule settings (dropping rules turned off), drops repeats (one broken shared
    /// file seen through several events is one finding) and sorts by file and position.
    pub fn apply(mut self, overrides: &SeverityOverrides) -> Vec<Finding> {
        let mut seen = std::collections::HashSet::new();
        self.items.retain_mut(|finding| {
            finding.severity = overrides.severity(finding.rule);
            finding.severity != Severity::Off
                && seen.insert(format!(
                    "{}\u{0}{:?}\u{0}{}",
                    finding.rule.id, finding.site, finding.message
                ))
        });
        self.items.sort_by(|a, b| {
            a.site
                .file()
                .cmp(b.site.file())
                .then(a.rule.id.cmp(b.rule.id))
        });
        self.items
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Finding> {
        self.items.iter()
    }
}

/// A finding at the rule's default severity.
pub fn finding(rule: &'static Rule, site: Site, message: impl Into<String>) -> Finding {
    Finding {
        rule,
        severity: rule.default_severity,
        message: message.into(),
        site,
        help: None,
        case: None,
    }
}

/// The allowed word closest to `word`, when it is close enough to be a likely typo.
pub fn closest<S: AsRef<str>>(word: &str, candidates: &[S]) -> Option<String> {
    candidates
        .iter()
        .map(|candidate| {
            (
                strsim::damerau_levenshtein(word, candidate.as_ref()),
                candidate,
            )
        })
        .filter(|(distance, candidate)| {
            *distance <= 2.max(candidate.as_ref().len() / 4) && *distance < word.len().max(1)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate.as_ref().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["consumers", "producers", "topics"];
        assert_eq!(closest("consumer", &keys).as_deref(), Some("consumers"));
        assert_eq!(closest("topcis", &keys).as_deref(), Some("topics"));
        assert_eq!(closest("zzz", &keys), None);
    }
}
