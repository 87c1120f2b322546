//! `evcat list`, `show`, `search` and `graph`: load the catalog, build the discovery model,
//! render it. A catalog with findings is still explored (one warning line says so).

use std::io::IsTerminal;
use std::path::Path;

use clap::{Args, ValueEnum};

use super::commands::{catalog_root, load_catalog_at};
use super::{CliError, OutputFormat, SchemaFormat, Ui, EXIT_OK};
use crate::catalog::{Catalog, Format, Status};
use crate::discover::graph::{self, Scope};
use crate::discover::lookup::{self, Entity, Found};
use crate::discover::text::{self, Table};
use crate::discover::{listing, search as searching, Detail, Discovery};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ListKind {
    Events,
    Services,
    Domains,
    Teams,
    Topics,
    Schemas,
    /// Every field of every event's schemas (with `--classified`, the sensitive ones).
    Fields,
}

/// Filters for `evcat list`; each narrows what applies to the kind listed.
#[derive(Args, Debug, Default)]
pub struct Filters {
    /// Only what belongs to this domain.
    #[arg(long)]
    pub domain: Option<String>,
    /// The owning team.
    #[arg(long)]
    pub owner: Option<String>,
    /// Events with this status.
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    /// The schema format (`--format` chooses the output).
    #[arg(long, value_enum)]
    pub schema_format: Option<SchemaFormat>,
    /// Events carrying this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Events this service consumes.
    #[arg(long, value_name = "SERVICE")]
    pub consumer: Option<String>,
    /// Events this service produces.
    #[arg(long, value_name = "SERVICE")]
    pub producer: Option<String>,
    /// Fields only: those with a classification (from the vocabulary or their tags).
    #[arg(long)]
    pub classified: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StatusArg {
    Draft,
    Approved,
    Deprecated,
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
pub(super) fn load(catalog: Option<&Path>, ui: &Ui) -> Result<Catalog, CliError> {
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

pub(super) fn warn_incomplete(discovery: &Discovery, ui: &Ui) {
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

pub fn list(
    catalog: Option<&Path>,
    what: ListKind,
    filters: &Filters,
    format: OutputFormat,
    ui: &Ui,
) -> Result<u8, CliError> {
    let catalog = load(catalog, ui)?;
    let detail = match what {
        ListKind::Fields => Detail::Fields,
        _ => Detail::Summary,
    };
    let discovery = Discovery::build(&catalog, detail);
    let kind = match what {
        ListKind::Fields => listing::Kind::Fields,
        ListKind::Events => listing::Kind::Events,
        ListKind::Services => listing::Kind::Services,
        ListKind::Domains => listing::Kind::Domains,
        ListKind::Teams => listing::Kind::Teams,
        ListKind::Topics => listing::Kind::Topics,
        ListKind::Schemas => listing::Kind::Schemas,
    };
    let filters = listing::Filters {
        domain: filters.domain.clone(),
        owner: filters.owner.clone(),
        status: filters.status.map(|status| match status {
            StatusArg::Draft => Status::Draft,
            StatusArg::Approved => Status::Approved,
            StatusArg::Deprecated => Status::Deprecated,
        }),
        format: filters.schema_format.map(Format::from),
        tag: filters.tag.clone(),
        consumer: filters.consumer.clone(),
        producer: filters.producer.clone(),
        classified: filters.classified,
    };
    let listed = listing::list(&discovery, kind, &filters);
    match format {
        OutputFormat::Json => json(&serde_json::json!({
            "kind": format!("{what:?}").to_lowercase(),
            "items": listed.items(),
        })),
        OutputFormat::Human => print(&listed.table.render(terminal_width(), ui.color)),
    }
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
        // Which events use a shared schema is known only from compiling them all.
        Entity::Schema(_) => {
            discovery = Discovery::build(&catalog, Detail::Fields);
            warn_incomplete(&discovery, ui);
            None
        }
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
    let mut discovery = Discovery::build(&catalog, Detail::Summary);
    let hits = searching::search(&catalog, &mut discovery, query, limit);
    warn_incomplete(&discovery, ui);
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
