//! Discovery: one model of the catalog for the exploring commands (`list`, `show`, `search`,
//! `graph`) and the site. [`Discovery::build`] walks a loaded catalog once: events, services,
//! domains, teams, shared schemas and topics, the edges between them (who produces and consumes
//! what, who owns what, which shared schemas an event uses) and the flows between domains.
//! With [`Detail::Fields`] it also compiles every schema (in parallel, as lint does) for the
//! field lists and record subjects. Renderers read this model; none walks the catalog again.

pub mod graph;
pub mod listing;
pub mod lookup;
pub mod search;
pub mod text;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::catalog::vocabulary::Classifier;
use crate::catalog::{Catalog, Event, SchemaRole, Status};
use crate::findings::Findings;
use crate::formats::fields::Field;
use crate::formats::{self, Purpose, SchemaContext};
use crate::subject;

/// How much of each schema to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Manifests only: fast, for listings and graphs.
    Summary,
    /// Every schema compiled: fields, shared schemas, record subjects.
    Fields,
}

/// The catalog as readers see it. Serialized as `evcat export json` and `--format json`.
#[derive(Debug, Serialize)]
pub struct Discovery {
    pub catalog: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub environments: Vec<String>,
    pub domains: Vec<DomainEntry>,
    pub services: Vec<ServiceEntry>,
    pub events: Vec<EventEntry>,
    pub teams: Vec<TeamEntry>,
    pub schemas: Vec<SharedSchemaEntry>,
    pub topics: Vec<TopicEntry>,
    /// Events flowing from a producer in one domain to a consumer in another.
    pub flows: Vec<DomainFlow>,
    /// Whether some schema did not compile (its fields are missing): `evcat lint` says why.
    #[serde(skip)]
    pub incomplete: bool,
    /// Per entry of `events`, where its event is in the catalog the model was built from.
    #[serde(skip)]
    sources: Vec<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EventEntry {
    /// `domain/Name`: the event's address.
    pub id: String,
    pub name: String,
    pub domain: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// The owning team: the event's `owner`, else its domain's.
    pub owner: Option<String>,
    pub status: Status,
    pub format: crate::catalog::Format,
    pub file: String,
    pub schema: String,
    pub key_schema: Option<String>,
    pub topics: Vec<String>,
    pub compatibility: crate::catalog::CompatibilityLevel,
    pub subjects: Vec<SubjectEntry>,
    pub producers: Vec<String>,
    pub consumers: Vec<String>,
    pub tags: Vec<String>,
    pub classification: Option<crate::catalog::Classification>,
    pub examples: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sla: Option<Box<crate::catalog::Sla>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terms: Option<Box<crate::catalog::UsageTerms>>,
    /// With the replacement as an event id (`domain/Name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecation: Option<Box<crate::catalog::Deprecation>>,
    /// Filled with [`Detail::Fields`].
    pub fields: Vec<Field>,
    pub key_fields: Vec<Field>,
    pub shared_schemas: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SubjectEntry {
    pub subject: String,
    pub role: SchemaRole,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServiceEntry {
    pub name: String,
    pub domain: String,
    pub owner: Option<String>,
    pub summary: Option<String>,
    pub repository: Option<String>,
    pub tags: Vec<String>,
    pub file: String,
    /// Event ids.
    pub produces: Vec<String>,
    pub consumes: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DomainEntry {
    pub name: String,
    pub owner: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub services: Vec<String>,
    pub events: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TeamEntry {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub slack: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub github: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gitlab: Option<String>,
    pub domains: Vec<String>,
    pub services: Vec<String>,
    pub events: Vec<String>,
    /// Events the team's services consume.
    pub consumes: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SharedSchemaEntry {
    pub path: String,
    pub domain: String,
    pub format: Option<crate::catalog::Format>,
    /// Events whose schemas use it (with [`Detail::Fields`]).
    pub used_by: Vec<String>,
    /// The fields it defines (with [`Detail::Fields`]; see [`formats::shared_fields`]).
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TopicEntry {
    pub name: String,
    pub events: Vec<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct DomainFlow {
    pub from: String,
    pub to: String,
    /// The events carried, by id.
    pub events: Vec<String>,
}

/// What compiling one event gave: its fields and the shared files it uses.
#[derive(Default)]
struct Compiled {
    fields: Vec<Field>,
    key_fields: Vec<Field>,
    shared: Vec<String>,
    value_record: Option<String>,
    key_record: Option<String>,
    failed: bool,
}

impl Discovery {
    pub fn build(catalog: &Catalog, detail: Detail) -> Discovery {
        let (compiled, mut shared_fields) = match detail {
            Detail::Summary => Default::default(),
            Detail::Fields => compile_all(catalog),
        };
        let incomplete = compiled.iter().any(|compiled| compiled.failed);
        let mut compiled = compiled.into_iter();
        let mut events: Vec<(EventEntry, usize)> = catalog
            .events
            .iter()
            .enumerate()
            .map(|(source, event)| (event_entry(catalog, event, compiled.next()), source))
            .collect();
        events.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let (events, sources): (Vec<EventEntry>, Vec<usize>) = events.into_iter().unzip();
        let services = service_entries(catalog, &events);
        let mut discovery = Discovery {
            catalog: catalog.settings.catalog.clone(),
            description: catalog.settings.description.clone(),
            environments: catalog
                .settings
                .environments
                .iter()
                .map(|environment| environment.name.clone())
                .collect(),
            domains: domain_entries(catalog, &services, &events),
            teams: Vec::new(),
            schemas: shared_entries(catalog, &events, &mut shared_fields),
            topics: topic_entries(&events),
            flows: flows(&services, &events),
            incomplete,
            services,
            events,
            sources,
        };
        discovery.teams = team_entries(catalog, &discovery);
        discovery
    }

    pub fn event(&self, id: &str) -> Option<&EventEntry> {
        self.events
            .binary_search_by(|event| event.id.as_str().cmp(id))
            .ok()
            .map(|index| &self.events[index])
    }

    /// By name (services are sorted by name: a binary search, as pages ask for many).
    pub fn service(&self, name: &str) -> Option<&ServiceEntry> {
        let index = self
            .services
            .partition_point(|service| service.name.as_str() < name);
        self.services
            .get(index)
            .filter(|service| service.name == name)
    }

    /// By id (teams are sorted by id).
    pub fn team(&self, id: &str) -> Option<&TeamEntry> {
        let index = self.teams.partition_point(|team| team.id.as_str() < id);
        self.teams.get(index).filter(|team| team.id == id)
    }
}

impl Discovery {
    /// Compiles one event's schemas and fills its fields, shared schemas and record subjects
    /// (for `show`, which needs them for one event only). Whether they compiled. `catalog` is
    /// the one the model was built from.
    pub fn fill_event(&mut self, catalog: &Catalog, id: &str) -> bool {
        let Ok(index) = self
            .events
            .binary_search_by(|entry| entry.id.as_str().cmp(id))
        else {
            return false;
        };
        self.fill_events(catalog, &[index]) == 0
    }

    /// Compiles the schemas of the events at `indices` (of `events`), in parallel, and fills
    /// their entries. How many did not compile.
    pub fn fill_events(&mut self, catalog: &Catalog, indices: &[usize]) -> usize {
        let mut ignored = Findings::new();
        let context = SchemaContext::with_purpose(catalog, Purpose::Read, &mut ignored);
        let classifier = Classifier::new(catalog.vocabulary.as_ref());
        let filled: Vec<(usize, EventEntry, bool)> = indices
            .par_iter()
            .filter_map(|&index| {
                let event = catalog.events.get(*self.sources.get(index)?)?;
                let compiled = compile_event(&context, &classifier, catalog, event);
                let failed = compiled.failed;
                Some((index, event_entry(catalog, event, Some(compiled)), failed))
            })
            .collect();
        let mut failures = 0;
        for (index, entry, failed) in filled {
            self.events[index] = entry;
            failures += usize::from(failed);
        }
        self.incomplete |= failures > 0;
        failures
    }
}

/// Every event's schemas compiled, and the fields of each shared file, by path.
fn compile_all(catalog: &Catalog) -> (Vec<Compiled>, HashMap<String, Vec<Field>>) {
    let mut ignored = Findings::new();
    let context = SchemaContext::with_purpose(catalog, Purpose::Read, &mut ignored);
    let classifier = Classifier::new(catalog.vocabulary.as_ref());
    let events = catalog
        .events
        .par_iter()
        .map(|event| compile_event(&context, &classifier, catalog, event))
        .collect();
    let shared = catalog
        .shared_files
        .par_iter()
        .filter_map(|path| {
            let mut fields = formats::shared_fields(&context, catalog, path)?;
            classifier.classify_all(&mut fields);
            Some((path.as_str().to_string(), fields))
        })
        .collect();
    (events, shared)
}

fn compile_event(
    context: &SchemaContext,
    classifier: &Classifier<'_>,
    catalog: &Catalog,
    event: &Event,
) -> Compiled {
    let mut findings = Findings::new();
    let value = formats::compile(context, catalog, event, SchemaRole::Value, &mut findings);
    let key = formats::compile(context, catalog, event, SchemaRole::Key, &mut findings);
    let failed = value.is_none() || (event.spec.key.is_some() && key.is_none());
    let mut shared: Vec<String> = [&value, &key]
        .into_iter()
        .flatten()
        .flat_map(|compiled| compiled.shared_files())
        .map(|path| path.as_str().to_string())
        .collect();
    shared.sort();
    shared.dedup();
    let fields_of = |compiled: &Option<formats::Compiled>| {
        let mut fields = compiled
            .as_ref()
            .map(|c| c.fields(catalog))
            .unwrap_or_default();
        classifier.classify_all(&mut fields);
        fields
    };
    Compiled {
        fields: fields_of(&value),
        key_fields: fields_of(&key),
        shared,
        value_record: value.as_ref().and_then(|c| c.record_name()),
        key_record: key.as_ref().and_then(|c| c.record_name()),
        failed,
    }
}

fn event_entry(catalog: &Catalog, event: &Event, compiled: Option<Compiled>) -> EventEntry {
    let spec = &event.spec;
    let strategy = catalog.settings.defaults.subject_strategy;
    let mut subjects: Vec<SubjectEntry> = Vec::new();
    // Without compiling (`Detail::Summary`) all of these are empty.
    let Compiled {
        fields,
        key_fields,
        shared,
        value_record,
        key_record,
        failed: _,
    } = compiled.unwrap_or_default();
    let (value_record, key_record) = (value_record.as_deref(), key_record.as_deref());
    for (role, record) in [
        (SchemaRole::Value, value_record),
        (SchemaRole::Key, key_record),
    ] {
        if role == SchemaRole::Key && spec.key.is_none() {
            continue;
        }
        for name in subject::subjects(strategy, role, &spec.topics, record) {
            subjects.push(SubjectEntry {
                subject: name,
                role,
            });
        }
    }
    let in_folder = |written: &str| {
        event
            .dir
            .join(written)
            .map_or_else(|_| written.to_string(), |path| path.as_str().to_string())
    };
    let domain_owner = catalog
        .domain(&event.domain)
        .and_then(|domain| domain.spec.as_ref())
        .map(|spec| spec.owner.clone());
    EventEntry {
        id: event.id().to_string(),
        name: spec.name.clone(),
        domain: event.domain.clone(),
        summary: spec.summary.clone(),
        description: spec.description.clone(),
        owner: spec.owner.clone().or(domain_owner),
        status: spec.status,
        format: spec.format,
        file: event.file.as_str().to_string(),
        schema: in_folder(&spec.schema),
        key_schema: spec.key.as_ref().map(|key| in_folder(&key.schema)),
        topics: spec.topics.clone(),
        compatibility: catalog.effective_compatibility(event),
        subjects,
        producers: spec.producers.clone(),
        consumers: spec.consumers.clone(),
        tags: spec.tags.clone(),
        classification: spec.classification,
        examples: spec.examples.iter().map(|e| in_folder(e)).collect(),
        sla: spec.sla.clone(),
        terms: spec.terms.clone(),
        deprecation: spec.deprecation.clone().map(|mut deprecation| {
            deprecation.replacement = deprecation.replacement.map(|written| {
                let (domain, name) = crate::catalog::event_reference(&written, &event.domain);
                format!("{domain}/{name}")
            });
            deprecation
        }),
        shared_schemas: shared,
        key_fields,
        fields,
    }
}

fn service_entries(catalog: &Catalog, events: &[EventEntry]) -> Vec<ServiceEntry> {
    let mut produces: HashMap<&str, Vec<String>> = HashMap::new();
    let mut consumes: HashMap<&str, Vec<String>> = HashMap::new();
    for event in events {
        for producer in &event.producers {
            produces.entry(producer).or_default().push(event.id.clone());
        }
        for consumer in &event.consumers {
            consumes.entry(consumer).or_default().push(event.id.clone());
        }
    }
    let mut services: Vec<ServiceEntry> = catalog
        .services
        .iter()
        .map(|service| {
            let spec = service.spec.clone().unwrap_or_default();
            let domain_owner = catalog
                .domain(&service.domain)
                .and_then(|domain| domain.spec.as_ref())
                .map(|spec| spec.owner.clone());
            ServiceEntry {
                name: service.name.clone(),
                domain: service.domain.clone(),
                owner: spec.owner.or(domain_owner),
                summary: spec.summary,
                repository: spec.repository,
                tags: spec.tags,
                file: service.file.as_str().to_string(),
                produces: produces.remove(service.name.as_str()).unwrap_or_default(),
                consumes: consumes.remove(service.name.as_str()).unwrap_or_default(),
            }
        })
        .collect();
    services.sort_by(|a, b| a.name.cmp(&b.name));
    services
}

fn domain_entries(
    catalog: &Catalog,
    services: &[ServiceEntry],
    events: &[EventEntry],
) -> Vec<DomainEntry> {
    let mut domains: Vec<DomainEntry> = catalog
        .domains
        .iter()
        .map(|domain| {
            let spec = domain.spec.as_ref();
            DomainEntry {
                name: domain.name.clone(),
                owner: spec.map(|spec| spec.owner.clone()),
                summary: spec.and_then(|spec| spec.summary.clone()),
                description: spec.and_then(|spec| spec.description.clone()),
                tags: spec.map(|spec| spec.tags.clone()).unwrap_or_default(),
                services: Vec::new(),
                events: Vec::new(),
            }
        })
        .collect();
    domains.sort_by(|a, b| a.name.cmp(&b.name));
    let position: HashMap<String, usize> = domains
        .iter()
        .enumerate()
        .map(|(index, domain)| (domain.name.clone(), index))
        .collect();
    for service in services {
        if let Some(&index) = position.get(&service.domain) {
            domains[index].services.push(service.name.clone());
        }
    }
    for event in events {
        if let Some(&index) = position.get(&event.domain) {
            domains[index].events.push(event.id.clone());
        }
    }
    domains
}

fn team_entries(catalog: &Catalog, discovery: &Discovery) -> Vec<TeamEntry> {
    let mut teams: BTreeMap<String, TeamEntry> = BTreeMap::new();
    fn team_named<'t>(
        teams: &'t mut BTreeMap<String, TeamEntry>,
        catalog: &Catalog,
        id: &str,
    ) -> &'t mut TeamEntry {
        teams.entry(id.to_string()).or_insert_with(|| {
            let declared = catalog.settings.teams.get(id);
            TeamEntry {
                id: id.to_string(),
                name: declared.and_then(|team| team.name.clone()),
                email: declared.and_then(|team| team.email.clone()),
                slack: declared.and_then(|team| team.slack.clone()),
                github: declared.and_then(|team| team.github.clone()),
                gitlab: declared.and_then(|team| team.gitlab.clone()),
                domains: Vec::new(),
                services: Vec::new(),
                events: Vec::new(),
                consumes: Vec::new(),
            }
        })
    }
    for id in catalog.settings.teams.keys() {
        team_named(&mut teams, catalog, id);
    }
    for domain in &discovery.domains {
        if let Some(owner) = &domain.owner {
            team_named(&mut teams, catalog, owner)
                .domains
                .push(domain.name.clone());
        }
    }
    for event in &discovery.events {
        if let Some(owner) = &event.owner {
            team_named(&mut teams, catalog, owner)
                .events
                .push(event.id.clone());
        }
    }
    for service in &discovery.services {
        if let Some(owner) = &service.owner {
            let entry = team_named(&mut teams, catalog, owner);
            entry.services.push(service.name.clone());
            entry.consumes.extend(service.consumes.iter().cloned());
        }
    }
    teams
        .into_values()
        .map(|mut team| {
            team.consumes.sort();
            team.consumes.dedup();
            team
        })
        .collect()
}

fn shared_entries(
    catalog: &Catalog,
    events: &[EventEntry],
    fields: &mut HashMap<String, Vec<Field>>,
) -> Vec<SharedSchemaEntry> {
    let mut used_by: HashMap<&str, Vec<String>> = HashMap::new();
    for event in events {
        for path in &event.shared_schemas {
            used_by.entry(path).or_default().push(event.id.clone());
        }
    }
    let mut schemas: Vec<SharedSchemaEntry> = catalog
        .shared_files
        .iter()
        .map(|path| {
            let format = match path.extension() {
                Some("avsc") => Some(crate::catalog::Format::Avro),
                Some("proto") => Some(crate::catalog::Format::Protobuf),
                Some("json") => Some(crate::catalog::Format::Json),
                _ => None,
            };
            let domain = path
                .as_str()
                .split('/')
                .nth(1)
                .unwrap_or_default()
                .to_string();
            SharedSchemaEntry {
                path: path.as_str().to_string(),
                domain,
                format,
                used_by: used_by.remove(path.as_str()).unwrap_or_default(),
                fields: fields.remove(path.as_str()).unwrap_or_default(),
            }
        })
        .collect();
    schemas.sort_by(|a, b| a.path.cmp(&b.path));
    schemas
}

fn topic_entries(events: &[EventEntry]) -> Vec<TopicEntry> {
    let mut topics: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for event in events {
        for topic in &event.topics {
            topics.entry(topic).or_default().push(event.id.clone());
        }
    }
    topics
        .into_iter()
        .map(|(name, events)| TopicEntry {
            name: name.to_string(),
            events,
        })
        .collect()
}

/// Domain to domain: an event produced by a service of one domain and consumed by a service of
/// another. A service named by an event but declared nowhere has no domain and no flow.
fn flows(services: &[ServiceEntry], events: &[EventEntry]) -> Vec<DomainFlow> {
    let domain_of: HashMap<&str, &str> = services
        .iter()
        .map(|service| (service.name.as_str(), service.domain.as_str()))
        .collect();
    let mut flows: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    for event in events {
        for producer in &event.producers {
            let Some(from) = domain_of.get(producer.as_str()) else {
                continue;
            };
            for consumer in &event.consumers {
                match domain_of.get(consumer.as_str()) {
                    Some(to) if to != from => {
                        flows.entry((from, to)).or_default().insert(&event.id);
                    }
                    _ => {}
                }
            }
        }
    }
    flows
        .into_iter()
        .map(|((from, to), events)| DomainFlow {
            from: from.to_string(),
            to: to.to_string(),
            events: events.into_iter().map(str::to_string).collect(),
        })
        .collect()
}
