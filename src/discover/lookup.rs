//! Finding what a name means: an event (by `domain/Name`, name, topic or subject), a service, a
//! domain, a team or a shared schema. An ambiguous name gives every candidate; an unknown one
//! the nearest names ("did you mean").

use serde::Serialize;

use super::{Discovery, DomainEntry, EventEntry, ServiceEntry, SharedSchemaEntry, TeamEntry};

#[derive(Clone, Copy, Debug)]
pub enum Entity<'d> {
    Event(&'d EventEntry),
    Service(&'d ServiceEntry),
    Domain(&'d DomainEntry),
    Team(&'d TeamEntry),
    Schema(&'d SharedSchemaEntry),
}

/// A candidate as shown to the reader: its kind and its address.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Candidate {
    pub kind: &'static str,
    pub name: String,
}

impl Entity<'_> {
    pub fn candidate(&self) -> Candidate {
        let (kind, name) = match self {
            Entity::Event(event) => ("event", event.id.clone()),
            Entity::Service(service) => ("service", service.name.clone()),
            Entity::Domain(domain) => ("domain", domain.name.clone()),
            Entity::Team(team) => ("team", team.id.clone()),
            Entity::Schema(schema) => ("schema", schema.path.clone()),
        };
        Candidate { kind, name }
    }
}

pub enum Found<'d> {
    One(Entity<'d>),
    Ambiguous(Vec<Entity<'d>>),
    Unknown { suggestions: Vec<Candidate> },
}

/// What `name` means in the catalog. Exact matches first (case-sensitive, then ignoring case);
/// several exact matches are ambiguous.
pub fn find<'d>(discovery: &'d Discovery, name: &str) -> Found<'d> {
    for exact in [true, false] {
        let matches = matching(discovery, name, exact);
        match matches.len() {
            0 => continue,
            1 => return Found::One(matches[0]),
            _ => return Found::Ambiguous(matches),
        }
    }
    Found::Unknown {
        suggestions: suggestions(discovery, name),
    }
}

fn matching<'d>(discovery: &'d Discovery, name: &str, exact: bool) -> Vec<Entity<'d>> {
    let same = |candidate: &str| {
        if exact {
            candidate == name
        } else {
            candidate.eq_ignore_ascii_case(name)
        }
    };
    let mut found = Vec::new();
    for event in &discovery.events {
        let by_subject = event.subjects.iter().any(|subject| same(&subject.subject));
        if same(&event.id)
            || same(&event.name)
            || event.topics.iter().any(|t| same(t))
            || by_subject
        {
            found.push(Entity::Event(event));
        }
    }
    found.extend(
        discovery
            .services
            .iter()
            .filter(|service| same(&service.name))
            .map(Entity::Service),
    );
    found.extend(
        discovery
            .domains
            .iter()
            .filter(|domain| same(&domain.name))
            .map(Entity::Domain),
    );
    found.extend(
        discovery
            .teams
            .iter()
            .filter(|team| same(&team.id))
            .map(Entity::Team),
    );
    found.extend(
        discovery
            .schemas
            .iter()
            .filter(|schema| same(&schema.path) || same(shared_name(&schema.path)))
            .map(Entity::Schema),
    );
    found
}

/// A shared schema's path below its `schemas/` folder: how imports name it.
pub fn shared_name(path: &str) -> &str {
    path.splitn(4, '/').nth(3).unwrap_or(path)
}

/// Up to five names close to `name` (by normalized edit similarity), best first.
fn suggestions(discovery: &Discovery, name: &str) -> Vec<Candidate> {
    let wanted = name.to_lowercase();
    let mut scored: Vec<(f64, Candidate)> = Vec::new();
    let mut consider = |kind: &'static str, candidate: &str, shown: &str| {
        let score = strsim::jaro_winkler(&wanted, &candidate.to_lowercase());
        if score >= 0.8 {
            scored.push((
                score,
                Candidate {
                    kind,
                    name: shown.to_string(),
                },
            ));
        }
    };
    for event in &discovery.events {
        consider("event", &event.name, &event.id);
        consider("event", &event.id, &event.id);
    }
    for service in &discovery.services {
        consider("service", &service.name, &service.name);
    }
    for domain in &discovery.domains {
        consider("domain", &domain.name, &domain.name);
    }
    for team in &discovery.teams {
        consider("team", &team.id, &team.id);
    }
    for schema in &discovery.schemas {
        consider("schema", shared_name(&schema.path), &schema.path);
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    let mut result: Vec<Candidate> = Vec::new();
    for (_, candidate) in scored {
        if !result.contains(&candidate) {
            result.push(candidate);
        }
        if result.len() == 5 {
            break;
        }
    }
    result
}
