//! Governance: every event is owned and described, approved events are produced, a topic carries
//! one event, no two events share a registry subject, deprecated events are being left.

use std::collections::BTreeMap;

use crate::catalog::{Catalog, Event, Status};
use crate::findings::{finding, Findings, Site};
use crate::rules;
use crate::source::Seg;
use crate::subject;

/// `record_names[i]` is the record name of `catalog.events[i]`'s schema, when it compiled.
pub fn check(catalog: &Catalog, record_names: &[Option<String>], findings: &mut Findings) {
    for event in &catalog.events {
        check_event(catalog, event, findings);
    }
    for domain in &catalog.domains {
        let spec = domain.spec.as_ref();
        if spec.and_then(|spec| spec.summary.as_deref()) == Some(crate::catalog::PLACEHOLDER) {
            findings.push(super::references::placeholder(
                Site::value(&domain.manifest, vec![Seg::key("summary")]),
                "summary",
            ));
        }
    }
    check_topics(catalog, findings);
    check_subjects(catalog, record_names, findings);
}

fn check_event(catalog: &Catalog, event: &Event, findings: &mut Findings) {
    if catalog.event_owner(event).is_none() {
        findings.add(
            rules::OWNER_REQUIRED,
            Site::key(&event.file, vec![]),
            format!(
                "event `{}` has no owner, and its domain none to inherit",
                event.spec.name
            ),
        );
    }
    if event.spec.summary.as_deref() == Some(crate::catalog::PLACEHOLDER) {
        findings.push(super::references::placeholder(
            Site::value(&event.file, vec![Seg::key("summary")]),
            "summary",
        ));
    } else if event
        .spec
        .summary
        .as_deref()
        .is_none_or(|summary| summary.trim().is_empty())
    {
        findings.push(
            finding(
                rules::SUMMARY_REQUIRED,
                Site::key(&event.file, vec![Seg::key("summary")]),
                format!("event `{}` has no summary", event.spec.name),
            )
            .with_help("add `summary:` with one line saying what happened, in business terms"),
        );
    }
    if event.spec.status == Status::Approved && event.spec.producers.is_empty() {
        findings.add(
            rules::APPROVED_NEEDS_PRODUCER,
            Site::value(&event.file, vec![Seg::key("status")]),
            format!(
                "event `{}` is approved but lists no producers",
                event.spec.name
            ),
        );
    }
    if event.spec.status == Status::Deprecated && !event.spec.consumers.is_empty() {
        findings.add(
            rules::DEPRECATED_WITH_CONSUMERS,
            Site::key(&event.file, vec![Seg::key("consumers")]),
            format!(
                "event `{}` is deprecated but still consumed by {}",
                event.spec.name,
                event.spec.consumers.join(", ")
            ),
        );
    }
}

fn check_topics(catalog: &Catalog, findings: &mut Findings) {
    let mut first_by_topic: BTreeMap<&str, &Event> = BTreeMap::new();
    for event in &catalog.events {
        for (index, topic) in event.spec.topics.iter().enumerate() {
            match first_by_topic.get(topic.as_str()) {
                Some(first) => findings.add(
                    rules::TOPIC_SINGLE_EVENT,
                    Site::value(&event.file, vec![Seg::key("topics"), Seg::Index(index)]),
                    format!(
                        "topic `{topic}` already carries event {} ({})",
                        first.id(),
                        first.file
                    ),
                ),
                None => {
                    first_by_topic.insert(topic, event);
                }
            }
        }
    }
}

fn check_subjects(catalog: &Catalog, record_names: &[Option<String>], findings: &mut Findings) {
    let strategy = catalog.settings.defaults.subject_strategy;
    let mut first_by_subject: BTreeMap<String, &Event> = BTreeMap::new();
    for (event, record_name) in catalog.events.iter().zip(record_names) {
        for subject in subject::value_subjects(strategy, &event.spec.topics, record_name.as_deref())
        {
            match first_by_subject.get(&subject) {
                Some(first) if !shares_topic(first, event) => findings.add(
                    rules::SUBJECT_COLLISION,
                    Site::value(&event.file, vec![Seg::key("topics")]),
                    format!(
                        "registry subject `{subject}` is also the subject of event {} ({})",
                        first.id(),
                        first.file
                    ),
                ),
                // Events on one topic share its subject; G004 reports that once already.
                Some(_) => {}
                None => {
                    first_by_subject.insert(subject, event);
                }
            }
        }
    }
}

fn shares_topic(a: &Event, b: &Event) -> bool {
    a.spec
        .topics
        .iter()
        .any(|topic| b.spec.topics.contains(topic))
}
