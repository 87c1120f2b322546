//! `evcat list`: the discovery model's entries of one kind, filtered, as a table and as JSON.

use super::text::Table;
use super::{Discovery, EventEntry};
use crate::catalog::{Format, SchemaRole, Status};
use crate::formats::fields::Field;

/// What `evcat list` shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Events,
    Services,
    Domains,
    Teams,
    Topics,
    Schemas,
    Fields,
}

/// Narrowing filters; each applies to the kinds that have what it names.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub domain: Option<String>,
    /// The owning team.
    pub owner: Option<String>,
    pub status: Option<Status>,
    pub format: Option<Format>,
    pub tag: Option<String>,
    /// Events this service consumes.
    pub consumer: Option<String>,
    /// Events this service produces.
    pub producer: Option<String>,
    /// Fields only: those with a classification.
    pub classified: bool,
}

/// A listing: the table for a terminal, and the items for JSON (serialized only when asked).
pub struct Listing<'d> {
    pub table: Table,
    items: Box<dyn FnOnce() -> Vec<serde_json::Value> + 'd>,
}

impl Listing<'_> {
    pub fn items(self) -> Vec<serde_json::Value> {
        (self.items)()
    }
}

fn has(list: &[String], wanted: &Option<String>) -> bool {
    wanted.as_ref().is_none_or(|wanted| list.contains(wanted))
}

fn named(value: &str, wanted: &Option<String>) -> bool {
    wanted.as_deref().is_none_or(|wanted| wanted == value)
}

fn is(value: &Option<String>, wanted: &Option<String>) -> bool {
    wanted.is_none() || value == wanted
}

fn to_values<T: serde::Serialize>(items: &[T]) -> Vec<serde_json::Value> {
    items
        .iter()
        .filter_map(|item| serde_json::to_value(item).ok())
        .collect()
}

/// `items` are entries of the model (`&EventEntry`) or views of them (`FieldItem`).
fn listing<'d, T: serde::Serialize + 'd>(items: Vec<T>, table: Table) -> Listing<'d> {
    Listing {
        table,
        items: Box::new(move || to_values(&items)),
    }
}

pub fn list<'d>(discovery: &'d Discovery, kind: Kind, filters: &Filters) -> Listing<'d> {
    match kind {
        Kind::Events => events(discovery, filters),
        Kind::Services => services(discovery, filters),
        Kind::Domains => domains(discovery, filters),
        Kind::Teams => teams(discovery, filters),
        Kind::Topics => topics(discovery, filters),
        Kind::Schemas => schemas(discovery, filters),
        Kind::Fields => fields(discovery, filters),
    }
}

/// The events the filters keep (`--tag` aside: events and fields each have tags).
fn filtered_events<'d>(
    discovery: &'d Discovery,
    filters: &Filters,
) -> impl Iterator<Item = &'d EventEntry> {
    let filters = filters.clone();
    discovery
        .events
        .iter()
        .filter(move |e| named(&e.domain, &filters.domain) && is(&e.owner, &filters.owner))
        .filter(move |e| {
            filters.status.is_none_or(|s| e.status == s)
                && filters.format.is_none_or(|f| e.format == f)
                && has(&e.consumers, &filters.consumer)
                && has(&e.producers, &filters.producer)
        })
}

fn events<'d>(discovery: &'d Discovery, filters: &Filters) -> Listing<'d> {
    let events: Vec<_> = filtered_events(discovery, filters)
        .filter(|e| has(&e.tags, &filters.tag))
        .collect();
    let table = Table {
        headers: vec!["EVENT", "STATUS", "FORMAT", "OWNER", "TOPICS", "SUMMARY"],
        rows: events
            .iter()
            .map(|e| {
                vec![
                    e.id.clone(),
                    e.status.as_str().into(),
                    e.format.as_str().into(),
                    e.owner.clone().unwrap_or_default(),
                    e.topics.join(", "),
                    e.summary.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    };
    listing(events, table)
}

/// One field of one event's schema, as `list fields` shows it.
#[derive(serde::Serialize)]
struct FieldItem<'d> {
    event: &'d str,
    role: SchemaRole,
    #[serde(flatten)]
    field: &'d Field,
}

fn fields<'d>(discovery: &'d Discovery, filters: &Filters) -> Listing<'d> {
    let items: Vec<FieldItem<'d>> = filtered_events(discovery, filters)
        .flat_map(|e| {
            let value = e.fields.iter().map(|field| (SchemaRole::Value, field));
            let key = e.key_fields.iter().map(|field| (SchemaRole::Key, field));
            value.chain(key).map(|(role, field)| FieldItem {
                event: &e.id,
                role,
                field,
            })
        })
        .filter(|item| has(&item.field.tags, &filters.tag))
        .filter(|item| !filters.classified || item.field.classification.is_some())
        .collect();
    let table = Table {
        headers: vec!["EVENT", "FIELD", "TYPE", "CLASSIFICATION", "TAGS"],
        rows: items
            .iter()
            .map(|item| {
                let path = match item.role {
                    SchemaRole::Value => item.field.path.clone(),
                    SchemaRole::Key => format!("(key) {}", item.field.path),
                };
                vec![
                    item.event.to_string(),
                    path,
                    item.field.type_name.clone(),
                    item.field
                        .classification
                        .map(|level| level.as_str().to_string())
                        .unwrap_or_default(),
                    item.field.tags.join(", "),
                ]
            })
            .collect(),
    };
    listing(items, table)
}

fn services<'d>(discovery: &'d Discovery, filters: &Filters) -> Listing<'d> {
    let services: Vec<_> = discovery
        .services
        .iter()
        .filter(|s| named(&s.domain, &filters.domain) && is(&s.owner, &filters.owner))
        .filter(|s| has(&s.tags, &filters.tag))
        .collect();
    let table = Table {
        headers: vec![
            "SERVICE", "DOMAIN", "OWNER", "PRODUCES", "CONSUMES", "SUMMARY",
        ],
        rows: services
            .iter()
            .map(|s| {
                vec![
                    s.name.clone(),
                    s.domain.clone(),
                    s.owner.clone().unwrap_or_default(),
                    s.produces.len().to_string(),
                    s.consumes.len().to_string(),
                    s.summary.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    };
    listing(services, table)
}

fn domains<'d>(discovery: &'d Discovery, filters: &Filters) -> Listing<'d> {
    let domains: Vec<_> = discovery
        .domains
        .iter()
        .filter(|d| named(&d.name, &filters.domain) && is(&d.owner, &filters.owner))
        .filter(|d| has(&d.tags, &filters.tag))
        .collect();
    let table = Table {
        headers: vec!["DOMAIN", "OWNER", "SERVICES", "EVENTS", "SUMMARY"],
        rows: domains
            .iter()
            .map(|d| {
                vec![
                    d.name.clone(),
                    d.owner.clone().unwrap_or_default(),
                    d.services.len().to_string(),
                    d.events.len().to_string(),
                    d.summary.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    };
    listing(domains, table)
}

fn teams<'d>(discovery: &'d Discovery, filters: &Filters) -> Listing<'d> {
    let teams: Vec<_> = discovery
        .teams
        .iter()
        .filter(|t| named(&t.id, &filters.owner))
        .collect();
    let table = Table {
        headers: vec!["TEAM", "NAME", "CONTACT", "DOMAINS", "SERVICES", "EVENTS"],
        rows: teams
            .iter()
            .map(|t| {
                vec![
                    t.id.clone(),
                    t.name.clone().unwrap_or_default(),
                    t.email.clone().or(t.slack.clone()).unwrap_or_default(),
                    t.domains.len().to_string(),
                    t.services.len().to_string(),
                    t.events.len().to_string(),
                ]
            })
            .collect(),
    };
    listing(teams, table)
}

fn topics<'d>(discovery: &'d Discovery, filters: &Filters) -> Listing<'d> {
    let topics: Vec<_> = discovery
        .topics
        .iter()
        .filter(|t| {
            filters.domain.as_ref().is_none_or(|domain| {
                t.events
                    .iter()
                    .any(|id| id.starts_with(&format!("{domain}/")))
            })
        })
        .collect();
    let table = Table {
        headers: vec!["TOPIC", "EVENTS"],
        rows: topics
            .iter()
            .map(|t| vec![t.name.clone(), t.events.join(", ")])
            .collect(),
    };
    listing(topics, table)
}

fn schemas<'d>(discovery: &'d Discovery, filters: &Filters) -> Listing<'d> {
    let schemas: Vec<_> = discovery
        .schemas
        .iter()
        .filter(|s| named(&s.domain, &filters.domain))
        .filter(|s| filters.format.is_none_or(|f| s.format == Some(f)))
        .collect();
    let table = Table {
        headers: vec!["SCHEMA", "DOMAIN", "FORMAT"],
        rows: schemas
            .iter()
            .map(|s| {
                vec![
                    s.path.clone(),
                    s.domain.clone(),
                    s.format.map(|f| f.as_str().to_string()).unwrap_or_default(),
                ]
            })
            .collect(),
    };
    listing(schemas, table)
}
