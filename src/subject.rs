//! Registry subject names, by Confluent's subject name strategies.

use std::collections::BTreeSet;

use crate::catalog::{SchemaRole, SubjectStrategy};

/// The value subjects an event's schema is registered under. `record_name` is the schema's fully
/// qualified record name; without it the record strategies give no subject.
pub fn value_subjects(
    strategy: SubjectStrategy,
    topics: &[String],
    record_name: Option<&str>,
) -> BTreeSet<String> {
    subjects(strategy, SchemaRole::Value, topics, record_name)
}

/// The subjects an event's value or key schema is registered under, by Confluent's subject name
/// strategies: `<topic>-value` / `<topic>-key`, `<record>`, `<topic>-<record>`.
pub fn subjects(
    strategy: SubjectStrategy,
    role: SchemaRole,
    topics: &[String],
    record_name: Option<&str>,
) -> BTreeSet<String> {
    match (strategy, record_name) {
        (SubjectStrategy::Topic, _) => topics
            .iter()
            .map(|topic| format!("{topic}-{}", role.as_str()))
            .collect(),
        (SubjectStrategy::Record, Some(record)) => BTreeSet::from([record.to_string()]),
        (SubjectStrategy::TopicRecord, Some(record)) => topics
            .iter()
            .map(|topic| format!("{topic}-{record}"))
            .collect(),
        (_, None) => BTreeSet::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategies() {
        let topics = vec!["pay.paid.v1".to_string()];
        let subjects = |strategy| {
            value_subjects(strategy, &topics, Some("acme.Paid"))
                .into_iter()
                .collect::<Vec<_>>()
        };
        assert_eq!(subjects(SubjectStrategy::Topic), ["pay.paid.v1-value"]);
        assert_eq!(subjects(SubjectStrategy::Record), ["acme.Paid"]);
        assert_eq!(
            subjects(SubjectStrategy::TopicRecord),
            ["pay.paid.v1-acme.Paid"]
        );
        assert!(value_subjects(SubjectStrategy::Record, &topics, None).is_empty());
        let keys = super::subjects(SubjectStrategy::Topic, SchemaRole::Key, &topics, None);
        assert_eq!(keys.into_iter().collect::<Vec<_>>(), ["pay.paid.v1-key"]);
    }
}
