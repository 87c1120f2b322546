//! `evcat list`, `show`, `search` and `graph`: load the catalog, build the discovery model,
//! render it. A catalog with findings is still explored (one warning line says so).

use std::io::IsTerminal;
use std::path::Path;

use clap::{Args, ValueEnum};

use super::commands::{catalog_root, load_catalog_at};
use super::{CliError, OutputFormat, Ui, EXIT_OK};
use crate::catalog::{Catalog, Format, Status};
use crate::discover::graph::{self, Scope};
use crate::discover::lookup::{self, Entity, Found};
use crate::discover::text::{self, Table};
use crate::discover::{search as searching, Detail, Discovery};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ListKind {
    Events,
    Services,
    Domains,
    Teams,
    Topics,
    Schemas,
}

/// Filters for `evcat list`; each narrows what applies to the kind listed.
#[derive(Args, Debug, Default)]
pub struct Filters {
    #[arg(long)]
    pub domain: Option<String>,
    /// The owning team.
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    /// The schema format (`--format` chooses the output).
    #[arg(long, value_enum)]
    pub schema_format: Option<FormatArg>,
    #[arg(long)]
    pub tag: Option<String>,
    /// Events this service consumes.
    #[arg(long, value_name = "SERVICE")]
    pub consumer: Option<String>,
    /// Events this service produces.
    #[arg(long, value_name = "SERVICE")]
    pub producer: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StatusArg {
    Draft,
    Approved,
    Deprecated,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    Avro,
    Protobuf,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum HistoryFormat {
    Human,
    Json,
    Markdown,
}

pub struct GraphScope {
    pub event: Option<String>,
    pub depth: usize,
    pub service: Option<String>,
    pub domain: Option<String>,
    pub domains: bool,
}

/// Loads the catalog; findings do not stop discovery, they are mentioned once.
fn load(catalog: Option<&Path>, ui: &Ui) -> Result<Catalog, CliError> {
    let root = catalog_root(catalog)?;
    let loaded = load_catalog_at(&root)?;
    if !loaded.findings.is_empty() && !ui.quiet {
        eprintln!(
            "warning: {} file(s) of the catalog have problems and may be missing here; \
             run `evcat lint` for details",
            loaded.findings.len()
        );
    }
    Ok(loaded.catalog)
}

fn warn_incomplete(discovery: &Discovery, ui: &Ui) {
    if discovery.incomplete && !ui.quiet {
        eprintln!(
            "warning: some schemas do not compile, their fields are missing; run `evcat lint`"
        );
    }
}

fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    console::Term::stdout()
        .size_checked()
        .map(|(_, columns)| usize::from(columns))
}

fn print(text: &str) -> Result<u8, CliError> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .map_err(CliError::Output)?;
    Ok(EXIT_OK)
}

fn json(value: &serde_json::Value) -> Result<u8, CliError> {
    // Serializing a `Value` cannot fail.
    print(&format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    ))
}

fn has(list: &[String], wanted: &Option<String>) -> bool {
    wanted.as_ref().is_none_or(|wanted| list.contains(wanted))
}

fn is(value: &Option<String>, wanted: &Option<String>) -> bool {
    wanted.is_none() || value == wanted
}

pub fn list(
    catalog: Option<&Path>,
    what: ListKind,
    filters: &Filters,
    format: OutputFormat,
    ui: &Ui,
) -> Result<u8, CliError> {
    let catalog = load(catalog, ui)?;
    let discovery = Discovery::build(&catalog, Detail::Summary);
    let domain = &filters.domain;
    let status = filters.status.map(|status| match status {
        StatusArg::Draft => Status::Draft,
        StatusArg::Approved => Status::Approved,
        StatusArg::Deprecated => Status::Deprecated,
    });
    let schema_format = filters.schema_format.map(|format| match format {
        FormatArg::Avro => Format::Avro,
        FormatArg::Protobuf => Format::Protobuf,
        FormatArg::Json => Format::Json,
    });
    let (items, table): (Items<'_>, Table) = match what {
        ListKind::Events => {
            let events: Vec<_> = discovery
                .events
                .iter()
                .filter(|e| is(&Some(e.domain.clone()), domain) && is(&e.owner, &filters.owner))
                .filter(|e| status.is_none_or(|s| e.status == s))
                .filter(|e| schema_format.is_none_or(|f| e.format == f))
                .filter(|e| has(&e.tags, &filters.tag))
                .filter(|e| has(&e.consumers, &filters.consumer))
                .filter(|e| has(&e.producers, &filters.producer))
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
            (Box::new(move || to_values(&events)), table)
        }
        ListKind::Services => {
            let services: Vec<_> = discovery
                .services
                .iter()
                .filter(|s| is(&Some(s.domain.clone()), domain) && is(&s.owner, &filters.owner))
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
            (Box::new(move || to_values(&services)), table)
        }
        ListKind::Domains => {
            let domains: Vec<_> = discovery
                .domains
                .iter()
                .filter(|d| is(&Some(d.name.clone()), domain) && is(&d.owner, &filters.owner))
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
            (Box::new(move || to_values(&domains)), table)
        }
        ListKind::Teams => {
            let teams: Vec<_> = discovery
                .teams
                .iter()
                .filter(|t| is(&Some(t.id.clone()), &filters.owner))
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
            (Box::new(move || to_values(&teams)), table)
        }
        ListKind::Topics => {
            let topics: Vec<_> = discovery
                .topics
                .iter()
                .filter(|t| {
                    domain.as_ref().is_none_or(|domain| {
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
            (Box::new(move || to_values(&topics)), table)
        }
        ListKind::Schemas => {
            let schemas: Vec<_> = discovery
                .schemas
                .iter()
                .filter(|s| is(&Some(s.domain.clone()), domain))
                .filter(|s| schema_format.is_none_or(|f| s.format == Some(f)))
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
            (Box::new(move || to_values(&schemas)), table)
        }
    };
    match format {
        OutputFormat::Json => json(&serde_json::json!({
            "kind": format!("{what:?}").to_lowercase(),
            "items": items(),
        })),
        OutputFormat::Human => print(&table.render(terminal_width(), ui.color)),
    }
}

/// The listed items as JSON, computed only for `--format json`.
type Items<'a> = Box<dyn FnOnce() -> Vec<serde_json::Value> + 'a>;

fn to_values<T: serde::Serialize>(items: &[&T]) -> Vec<serde_json::Value> {
    items
        .iter()
        .filter_map(|item| serde_json::to_value(item).ok())
        .collect()
}

/// The entity `name` means, or the error that lists candidates.
fn resolve<'d>(discovery: &'d Discovery, name: &str) -> Result<Entity<'d>, CliError> {
    match lookup::find(discovery, name) {
        Found::One(entity) => Ok(entity),
        Found::Ambiguous(entities) => Err(CliError::AmbiguousName {
            name: name.to_string(),
            candidates: entities
                .iter()
                .map(|entity| {
                    let candidate = entity.candidate();
                    format!("{} {}", candidate.kind, candidate.name)
                })
                .collect::<Vec<_>>()
                .join(", "),
        }),
        Found::Unknown { suggestions } => Err(CliError::UnknownName {
            name: name.to_string(),
            help: if suggestions.is_empty() {
                "`evcat list events` (or services, domains, teams, schemas) lists what there is"
                    .to_string()
            } else {
                let names: Vec<String> = suggestions
                    .iter()
                    .map(|candidate| format!("{} {}", candidate.kind, candidate.name))
                    .collect();
                format!("did you mean: {}?", names.join(", "))
            },
        }),
    }
}

pub fn show(
    catalog: Option<&Path>,
    name: &str,
    format: OutputFormat,
    ui: &Ui,
) -> Result<u8, CliError> {
    let root = catalog_root(catalog)?;
    let catalog = load(Some(&root), ui)?;
    let mut discovery = Discovery::build(&catalog, Detail::Summary);
    let event_id = match resolve(&discovery, name)? {
        Entity::Event(event) => Some(event.id.clone()),
        _ => None,
    };
    let mut history = None;
    if let Some(id) = &event_id {
        discovery.fill_event(&catalog, id);
        warn_incomplete(&discovery, ui);
        history = recent_history(&root, &discovery, id);
    }
    let entity = resolve(&discovery, event_id.as_deref().unwrap_or(name))?;
    let recent = history
        .as_ref()
        .map(|history| crate::report::history::recent(history, RECENT_CHANGES))
        .unwrap_or_default();
    match format {
        OutputFormat::Json => {
            let candidate = entity.candidate();
            let item = match entity {
                Entity::Event(event) => serde_json::to_value(event).map(|mut value| {
                    value["last_changes"] = serde_json::json!(recent);
                    value
                }),
                Entity::Service(service) => serde_json::to_value(service),
                Entity::Domain(domain) => serde_json::to_value(domain),
                Entity::Team(team) => serde_json::to_value(team),
                Entity::Schema(schema) => serde_json::to_value(schema),
            }
            .unwrap_or_default();
            json(&serde_json::json!({ "kind": candidate.kind, "item": item }))
        }
        OutputFormat::Human => print(&text::show(&discovery, &entity, &recent, terminal_width())),
    }
}

/// How many of an event's last changes `show` lists.
const RECENT_CHANGES: usize = 5;

/// An event's history when the catalog is in a Git repository with commits; `None` otherwise
/// (`show` works on any folder).
fn recent_history(
    root: &Path,
    discovery: &Discovery,
    id: &str,
) -> Option<crate::history::EventHistory> {
    let event = discovery.event(id)?;
    let repository = crate::git::CatalogRepository::discover(root).ok()?;
    let id = crate::catalog::EventId {
        domain: event.domain.clone(),
        name: event.name.clone(),
    };
    crate::history::event_history(&repository, &id).ok()
}

pub fn search(
    catalog: Option<&Path>,
    query: &str,
    limit: usize,
    format: OutputFormat,
    ui: &Ui,
) -> Result<u8, CliError> {
    let catalog = load(catalog, ui)?;
    let discovery = Discovery::build(&catalog, Detail::Fields);
    warn_incomplete(&discovery, ui);
    let hits = searching::search(&discovery, query, limit);
    match format {
        OutputFormat::Json => json(&serde_json::json!({ "query": query, "hits": hits })),
        OutputFormat::Human => {
            let table = Table {
                headers: vec!["KIND", "NAME", "MATCHED", "SUMMARY"],
                rows: hits
                    .iter()
                    .map(|hit| {
                        vec![
                            hit.kind.to_string(),
                            hit.name.clone(),
                            hit.matched.join(", "),
                            hit.summary.clone().unwrap_or_default(),
                        ]
                    })
                    .collect(),
            };
            print(&table.render(terminal_width(), ui.color))
        }
    }
}

pub fn graph(
    catalog: Option<&Path>,
    scope: &GraphScope,
    format: GraphFormat,
    ui: &Ui,
) -> Result<u8, CliError> {
    let catalog = load(catalog, ui)?;
    let discovery = Discovery::build(&catalog, Detail::Summary);
    let event_id;
    let chosen = if scope.domains {
        Scope::Domains
    } else if let Some(name) = &scope.event {
        event_id = match resolve(&discovery, name)? {
            Entity::Event(event) => event.id.clone(),
            other => {
                let candidate = other.candidate();
                return Err(CliError::UnknownName {
                    name: name.clone(),
                    help: format!("`{name}` is a {}, not an event", candidate.kind),
                });
            }
        };
        Scope::Event {
            id: &event_id,
            depth: scope.depth,
        }
    } else if let Some(service) = &scope.service {
        if discovery.service(service).is_none() {
            resolve(&discovery, service)?;
        }
        Scope::Service(service)
    } else if let Some(domain) = &scope.domain {
        if !discovery.domains.iter().any(|d| &d.name == domain) {
            resolve(&discovery, domain)?;
        }
        Scope::Domain(domain)
    } else {
        Scope::All
    };
    let lineage = graph::lineage(&discovery, chosen);
    match format {
        GraphFormat::Mermaid => print(&graph::mermaid(&lineage, &discovery)),
        GraphFormat::Dot => print(&graph::dot(&lineage)),
        GraphFormat::Json => json(&serde_json::to_value(&lineage).unwrap_or_default()),
    }
}

pub fn history(
    catalog: Option<&Path>,
    name: &str,
    format: HistoryFormat,
    ui: &Ui,
) -> Result<u8, CliError> {
    let root = catalog_root(catalog)?;
    let catalog = load(Some(&root), ui)?;
    let discovery = Discovery::build(&catalog, Detail::Summary);
    let id = match resolve(&discovery, name)? {
        Entity::Event(event) => crate::catalog::EventId {
            domain: event.domain.clone(),
            name: event.name.clone(),
        },
        other => {
            return Err(CliError::UnknownName {
                name: name.to_string(),
                help: format!(
                    "`{name}` is a {}; history is kept for events",
                    other.candidate().kind
                ),
            })
        }
    };
    let repository = crate::git::CatalogRepository::discover(&root)?;
    let history = crate::history::event_history(&repository, &id)?;
    if !history.complete && !ui.quiet {
        eprintln!(
            "warning: the history stops after {} commits; older versions are not shown",
            history.commits_walked
        );
    }
    match format {
        HistoryFormat::Json => json(&serde_json::to_value(&history).unwrap_or_default()),
        HistoryFormat::Markdown => print(&crate::report::history::markdown(&history)),
        HistoryFormat::Human => print(&crate::report::history::human(&history)),
    }
}
