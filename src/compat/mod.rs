//! The compatibility engine: is a new schema compatible with earlier versions, under a level?
//!
//! Semantics are Confluent Schema Registry's (see `tests/conformance/README.md`):
//! BACKWARD(old, new) asks whether the new schema reads data written with the old one; FORWARD
//! swaps the two; FULL is both; `*_TRANSITIVE` checks every earlier version instead of the latest.
//! Each format answers one question, [`FormatChecker::backward`], as a list of [`Difference`]s;
//! this module turns levels into calls of it.
//!
//! - Avro ([`avro`]): Apache Avro's reader/writer resolution, reader = new, writer = old.
//! - Protobuf ([`protobuf`]) and JSON Schema ([`json`]): a structural diff from old to new whose
//!   difference types (Confluent's names) fail the check when they are in the format's
//!   incompatible list.

pub mod avro;
pub mod json;
mod json_types;
pub mod load;
pub mod protobuf;

use serde::Serialize;

use crate::catalog::CompatibilityLevel;

/// One difference between two schema versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The difference type, in the reference implementation's words (`TYPE_MISMATCH`,
    /// `FIELD_SCALAR_KIND_CHANGED`, `PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL`, ...).
    pub kind: &'static str,
    /// Where, as a JSON-pointer-like path into the schema (`/fields/0/type`, `#/TestMessage/3`).
    pub path: String,
    /// What changed, in words.
    pub message: String,
    /// Whether this difference breaks the check.
    pub breaking: bool,
}

/// Which way a difference was found: against which earlier version, and in which direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The new schema reading old data.
    Backward,
    /// Old readers reading new data.
    Forward,
}

/// A difference found while checking against one earlier version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Index of the earlier version, oldest first.
    pub version: usize,
    pub direction: Direction,
    #[serde(flatten)]
    pub difference: Difference,
}

/// The verdict of a compatibility check.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub compatible: bool,
    /// Every difference found, breaking or not.
    pub findings: Vec<Finding>,
}

/// A format's answer to "can `new` read what `old` wrote?" (BACKWARD from old to new).
pub trait FormatChecker {
    type Schema;

    fn backward(&self, old: &Self::Schema, new: &Self::Schema) -> Vec<Difference>;
}

/// Which earlier versions a level checks, and in which directions.
pub fn plan(level: CompatibilityLevel, versions: usize) -> Vec<(usize, Direction)> {
    use CompatibilityLevel as L;
    let latest = versions.checked_sub(1);
    let (all_versions, directions): (bool, &[Direction]) = match level {
        L::None => return Vec::new(),
        L::Backward => (false, &[Direction::Backward]),
        L::Forward => (false, &[Direction::Forward]),
        L::Full => (false, &[Direction::Backward, Direction::Forward]),
        L::BackwardTransitive => (true, &[Direction::Backward]),
        L::ForwardTransitive => (true, &[Direction::Forward]),
        L::FullTransitive => (true, &[Direction::Backward, Direction::Forward]),
    };
    let checked: Vec<usize> = match (all_versions, latest) {
        (true, _) => (0..versions).collect(),
        (false, Some(latest)) => vec![latest],
        (false, None) => Vec::new(),
    };
    checked
        .into_iter()
        .flat_map(|version| {
            directions
                .iter()
                .map(move |&direction| (version, direction))
        })
        .collect()
}

/// Checks `new` against `previous` (oldest first) under `level`.
pub fn check<C: FormatChecker>(
    checker: &C,
    level: CompatibilityLevel,
    previous: &[&C::Schema],
    new: &C::Schema,
) -> Verdict {
    let mut findings = Vec::new();
    for (version, direction) in plan(level, previous.len()) {
        let old = previous[version];
        let differences = match direction {
            Direction::Backward => checker.backward(old, new),
            Direction::Forward => checker.backward(new, old),
        };
        findings.extend(differences.into_iter().map(|difference| Finding {
            version,
            direction,
            difference,
        }));
    }
    Verdict {
        compatible: !findings.iter().any(|finding| finding.difference.breaking),
        findings,
    }
}

impl CompatibilityLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            CompatibilityLevel::None => "NONE",
            CompatibilityLevel::Backward => "BACKWARD",
            CompatibilityLevel::BackwardTransitive => "BACKWARD_TRANSITIVE",
            CompatibilityLevel::Forward => "FORWARD",
            CompatibilityLevel::ForwardTransitive => "FORWARD_TRANSITIVE",
            CompatibilityLevel::Full => "FULL",
            CompatibilityLevel::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    /// Whether the level checks every earlier version, not only the latest.
    pub fn is_transitive(self) -> bool {
        matches!(
            self,
            CompatibilityLevel::BackwardTransitive
                | CompatibilityLevel::ForwardTransitive
                | CompatibilityLevel::FullTransitive
        )
    }

    /// The same directions against the latest version only.
    pub fn non_transitive(self) -> Self {
        match self {
            CompatibilityLevel::BackwardTransitive => CompatibilityLevel::Backward,
            CompatibilityLevel::ForwardTransitive => CompatibilityLevel::Forward,
            CompatibilityLevel::FullTransitive => CompatibilityLevel::Full,
            other => other,
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        use CompatibilityLevel as L;
        [
            L::None,
            L::Backward,
            L::BackwardTransitive,
            L::Forward,
            L::ForwardTransitive,
            L::Full,
            L::FullTransitive,
        ]
        .into_iter()
        .find(|level| level.as_str().eq_ignore_ascii_case(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CompatibilityLevel as L;

    #[test]
    fn levels_plan_versions_and_directions() {
        use Direction::{Backward as B, Forward as F};
        assert_eq!(plan(L::None, 3), vec![]);
        assert_eq!(plan(L::Backward, 3), vec![(2, B)]);
        assert_eq!(plan(L::Forward, 3), vec![(2, F)]);
        assert_eq!(plan(L::Full, 1), vec![(0, B), (0, F)]);
        assert_eq!(plan(L::BackwardTransitive, 3), vec![(0, B), (1, B), (2, B)]);
        assert_eq!(
            plan(L::FullTransitive, 2),
            vec![(0, B), (0, F), (1, B), (1, F)]
        );
        assert_eq!(plan(L::Backward, 0), vec![]);
    }

    #[test]
    fn level_names_round_trip() {
        assert_eq!(
            CompatibilityLevel::parse("full_transitive"),
            Some(L::FullTransitive)
        );
        assert_eq!(L::BackwardTransitive.as_str(), "BACKWARD_TRANSITIVE");
        assert_eq!(CompatibilityLevel::parse("sideways"), None);
    }
}
