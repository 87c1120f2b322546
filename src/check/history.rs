//! One first-parent walk of the history for the earlier versions transitive levels check.

use std::collections::{BTreeSet, HashMap, HashSet};

use git2::Oid;
use serde::Deserialize;

use super::ROLES;
use crate::catalog::{EventId, Format, SchemaRole};
use crate::git::{short, CatalogRepository, HistoryEnd};
use crate::tree::CatalogPath;

/// How far back transitive checks look for earlier versions.
const HISTORY_LIMIT: usize = 10_000;

/// The parts of `event.yaml` history needs; read without validation (it was valid when committed,
/// or the event is simply not found there).
#[derive(Deserialize)]
struct HistoricEvent {
    name: String,
    format: Format,
    schema: String,
    #[serde(default)]
    key: Option<HistoricKey>,
}

#[derive(Deserialize)]
struct HistoricKey {
    schema: String,
}

impl HistoricEvent {
    fn schema(&self, role: SchemaRole) -> Option<&str> {
        match role {
            SchemaRole::Value => Some(&self.schema),
            SchemaRole::Key => self.key.as_ref().map(|key| key.schema.as_str()),
        }
    }
}

/// One of an event's schemas: its value or its key.
pub(super) type SchemaOf = (EventId, SchemaRole);

/// Distinct earlier schema versions per event schema, oldest first, gathered in one walk of the
/// history: (label, text, format).
type History = HashMap<SchemaOf, Vec<(String, String, Format)>>;

/// What one walk of the history found, and how far it got.
pub(super) struct WalkedHistory {
    pub(super) versions: History,
    pub(super) end: HistoryEnd,
    /// How many commits were visited.
    pub(super) commits: usize,
}

/// Walks first-parent history from the baseline once, collecting the distinct schema versions of
/// the `wanted` events. Each `event.yaml` and schema blob is read once, however many commits
/// hold it.
pub(super) fn walk_history(
    repository: &CatalogRepository,
    baseline_id: Oid,
    wanted: &HashSet<SchemaOf>,
) -> WalkedHistory {
    let walked = repository.first_parent_history(baseline_id, HISTORY_LIMIT);
    let (commits, end) = (walked.commits, walked.end);
    let walked_count = commits.len();
    // An event's identity includes its domain folder, so only those domains are visited.
    let domains: BTreeSet<&str> = wanted.iter().map(|(id, _)| id.domain.as_str()).collect();
    let mut parsed_manifests: HashMap<Oid, Option<HistoricEvent>> = HashMap::new();
    let mut schema_texts: HashMap<Oid, String> = HashMap::new();
    let mut newest_first: History = HashMap::new();
    let mut seen: HashMap<SchemaOf, HashSet<Oid>> = HashMap::new();
    for commit in commits {
        let Ok(view) = repository.view(commit) else {
            // A commit whose tree is missing ends what this clone can tell, as a shallow cut does.
            return WalkedHistory {
                versions: oldest_first(newest_first),
                end: HistoryEnd::Shallow,
                commits: walked_count,
            };
        };
        for domain in &domains {
            let events_dir = CatalogPath::root()
                .child("domains")
                .child(domain)
                .child("events");
            for folder in view.folders(&events_dir) {
                let event_dir = events_dir.child(&folder);
                let Some(manifest_id) = view.blob_id(&event_dir.child("event.yaml")) else {
                    continue;
                };
                let manifest = parsed_manifests.entry(manifest_id).or_insert_with(|| {
                    let text = String::from_utf8(view.read(manifest_id)?).ok()?;
                    serde_json::from_value::<HistoricEvent>(crate::yaml::parse(&text).ok()?).ok()
                });
                let Some(manifest) = manifest else {
                    continue;
                };
                let id = EventId {
                    domain: (*domain).to_string(),
                    name: manifest.name.clone(),
                };
                for role in ROLES {
                    let schema_of = (id.clone(), role);
                    if !wanted.contains(&schema_of) {
                        continue;
                    }
                    let Some(schema_path) = manifest
                        .schema(role)
                        .and_then(|written| event_dir.join(written).ok())
                    else {
                        continue;
                    };
                    let Some(schema_id) = view.blob_id(&schema_path) else {
                        continue;
                    };
                    if !seen.entry(schema_of.clone()).or_default().insert(schema_id) {
                        continue;
                    }
                    let text = schema_texts
                        .entry(schema_id)
                        .or_insert_with(|| {
                            view.read(schema_id)
                                .and_then(|bytes| String::from_utf8(bytes).ok())
                                .unwrap_or_default()
                        })
                        .clone();
                    let label = format!("{} at {}", schema_path, short(commit));
                    let versions = newest_first.entry(schema_of).or_default();
                    if !versions.iter().any(|(_, existing, _)| *existing == text) {
                        versions.push((label, text, manifest.format));
                    }
                }
            }
        }
    }
    WalkedHistory {
        versions: oldest_first(newest_first),
        end,
        commits: walked_count,
    }
}

fn oldest_first(newest_first: History) -> History {
    newest_first
        .into_iter()
        .map(|(id, mut versions)| {
            versions.reverse();
            (id, versions)
        })
        .collect()
}
