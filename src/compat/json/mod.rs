//! JSON Schema compatibility: Confluent Schema Registry's structural diff.
//!
//! Confluent diffs schemas after loading them into the everit JSON Schema model, where a JSON
//! object becomes one schema class (object, array, string, number, combined, ...), several at once
//! becoming a synthetic `allOf`. [`JsonDocument::parse`] builds the same model; [`JsonChecker`]
//! ports the diff and reports Confluent's 132 difference types at their `#/...` paths. Whether a
//! type breaks depends on the policy ([`Policy::Strict`], the default, or [`Policy::Lenient`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use super::json_types::TYPES;
use super::{Difference, FormatChecker};

/// Every difference type the JSON Schema diff knows (Confluent's 132).
pub fn difference_types() -> impl Iterator<Item = &'static str> {
    TYPES.iter().map(|(name, _, _)| *name)
}

/// How strictly content-model changes are judged (Confluent's `json.schema.compatibility.policy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    #[default]
    Strict,
    Lenient,
}

impl Policy {
    fn all_pass(self, found: &Found) -> bool {
        found.iter().all(|entry| match entry {
            Entry::One(kind, _) => self.passes(kind),
            Entry::Shared(_, result) => result.compatible,
        })
    }

    /// Whether a difference type passes a BACKWARD check under this policy.
    pub fn passes(self, kind: &str) -> bool {
        static BY_NAME: OnceLock<HashMap<&'static str, (bool, bool)>> = OnceLock::new();
        let table = BY_NAME.get_or_init(|| {
            TYPES
                .iter()
                .map(|(name, strict, lenient)| (*name, (*strict, *lenient)))
                .collect()
        });
        table.get(kind).is_some_and(|(strict, lenient)| match self {
            Policy::Strict => *strict,
            Policy::Lenient => *lenient,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Draft {
    Draft4,
    Draft6,
    Draft7,
    Draft2019,
    Draft2020,
}

impl Draft {
    fn of(schema: &Value) -> Draft {
        let declared = schema.get("$schema").and_then(Value::as_str).unwrap_or("");
        if declared.contains("draft-04") {
            Draft::Draft4
        } else if declared.contains("draft-06") {
            Draft::Draft6
        } else if declared.contains("2019-09") {
            Draft::Draft2019
        } else if declared.contains("2020-12") {
            Draft::Draft2020
        } else {
            Draft::Draft7
        }
    }

    fn modern(self) -> bool {
        self >= Draft::Draft2019
    }
}

mod diff;
mod keywords;
mod model;

pub use diff::JsonChecker;
use diff::{Entry, Found};
pub use keywords::canonical_json;
pub use model::JsonDocument;
