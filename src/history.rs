//! `evcat history`: every distinct version of an event's schemas (value and key) in the
//! first-parent history of HEAD, with who committed it and the registry's verdict against the
//! versions before it under the event's level; and the manifest's status and consumer changes.
//!
//! The event is followed by identity (domain and name), as `check` matches events, so a moved
//! or renamed folder keeps its history. Each commit is read through a `CommitView` (only the
//! event's domain is visited); each `event.yaml` blob is parsed once however many commits
//! hold it. A schema's imports and references are resolved in the same commit.

use std::cell::RefCell;
use std::collections::HashMap;

use git2::Oid;
use serde::{Deserialize, Serialize};

use crate::catalog::{CompatibilityLevel, EventId, Format, SchemaRole, Status};
use crate::compat::json::Policy;
use crate::compat::load::{self, Parsed, SchemaFiles};
use crate::compat::Direction;
use crate::git::{CatalogRepository, CommitInfo, CommitView, GitError, HistoryEnd};
use crate::tree::CatalogPath;

/// How many commits a history walk visits at most.
const HISTORY_LIMIT: usize = 10_000;

#[derive(Debug, Serialize)]
pub struct EventHistory {
    pub event: String,
    /// Whether the walk reached the repository's first commit (else a shallow clone or the
    /// limit cut it, and older versions are not shown).
    pub complete: bool,
    pub commits_walked: usize,
    /// Oldest first, value and key versions interleaved in commit order.
    pub versions: Vec<SchemaVersion>,
    /// Status and consumer changes, oldest first.
    pub changes: Vec<ManifestChange>,
}

#[derive(Debug, Serialize)]
pub struct SchemaVersion {
    /// The commit's position in the walk, oldest 0: orders versions and changes together.
    #[serde(skip)]
    pub order: usize,
    pub role: SchemaRole,
    /// 1 for the oldest version of this role.
    pub number: usize,
    pub commit: CommitInfo,
    pub file: String,
    pub level: CompatibilityLevel,
    /// Against the versions before it under `level`; `None` for the first.
    pub verdict: Option<VersionVerdict>,
    /// Why there is no verdict for a version after the first (it does not parse).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct VersionVerdict {
    pub compatible: bool,
    pub differences: Vec<VersionDifference>,
}

#[derive(Debug, Serialize)]
pub struct VersionDifference {
    pub kind: &'static str,
    pub path: String,
    pub breaking: bool,
    /// The line in this version's file, when the difference is about it.
    pub line: Option<usize>,
    pub direction: Direction,
    /// The version number it was found against.
    pub against: usize,
    pub why: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ManifestChange {
    #[serde(skip)]
    pub order: usize,
    pub commit: CommitInfo,
    /// In words: `added`, `status: draft -> approved`, `consumer added: ledger`,
    /// `moved from domains/a/events/X`.
    pub what: Vec<String>,
}

/// The parts of `event.yaml` history shows; read without validation.
#[derive(Clone, Deserialize, PartialEq)]
struct Manifest {
    name: String,
    format: Format,
    schema: String,
    #[serde(default)]
    key: Option<ManifestKey>,
    status: Status,
    #[serde(default)]
    consumers: Vec<String>,
    #[serde(default)]
    compatibility: Option<CompatibilityLevel>,
}

#[derive(Clone, Deserialize, PartialEq)]
struct ManifestKey {
    schema: String,
}

#[derive(Deserialize, Default)]
struct SettingsDefaults {
    #[serde(default)]
    defaults: Defaults,
}

#[derive(Deserialize, Default)]
struct Defaults {
    #[serde(default)]
    compatibility: CompatibilityLevel,
}

/// The event as one commit holds it.
#[derive(Clone)]
struct Snapshot {
    dir: CatalogPath,
    manifest: Manifest,
    level: CompatibilityLevel,
}

/// One schema's earlier versions while walking: parsed (when they parse), numbered.
#[derive(Default)]
struct RoleState {
    last_blob: Option<Oid>,
    parsed: Vec<(usize, Parsed)>,
    count: usize,
}

pub fn event_history(
    repository: &CatalogRepository,
    id: &EventId,
) -> Result<EventHistory, GitError> {
    let mut all = histories(repository, std::slice::from_ref(id))?;
    // One history per id asked for.
    Ok(all.swap_remove(0))
}

/// The histories of many events from one walk of the commits (the site shows every event's).
/// Each commit's object lookups, parsed manifests and imported texts are shared by all events,
/// and an event whose domain folder and settings did not change in a commit is not looked at.
pub fn histories(
    repository: &CatalogRepository,
    ids: &[EventId],
) -> Result<Vec<EventHistory>, GitError> {
    let walked = repository.first_parent_history(repository.head()?, HISTORY_LIMIT);
    let mut walks: Vec<EventWalk<'_>> = ids
        .iter()
        .map(|id| EventWalk {
            id,
            history: EventHistory {
                event: id.to_string(),
                complete: walked.end == HistoryEnd::Root,
                commits_walked: walked.commits.len(),
                versions: Vec::new(),
                changes: Vec::new(),
            },
            states: HashMap::new(),
            previous: None,
            reach: Reach::Domain,
            seen_domain: None,
            seen_folder: None,
        })
        .collect();
    let known = RefCell::default();
    let mut walker = Walker {
        manifests: HashMap::new(),
        settings: HashMap::new(),
    };
    let domains_dir = CatalogPath::root().child("domains");
    let settings_file = CatalogPath::root().child(crate::catalog::SETTINGS_FILE);
    for (order, &commit) in walked.commits.iter().rev().enumerate() {
        let Ok(view) = repository.view(commit) else {
            continue;
        };
        let Some(info) = repository.commit_info(commit) else {
            continue;
        };
        let files = CommitFiles::new(&view, &known);
        let domain_trees: HashMap<String, Oid> =
            view.folder_ids(&domains_dir).into_iter().collect();
        let settings = view.blob_id(&settings_file);
        let commit = Commit {
            view: &view,
            files: &files,
            info: &info,
            order,
        };
        let mut folders = EventFolders::default();
        for walk in &mut walks {
            let domain = walk.id.domain.as_str();
            let domain_key = (domain_trees.get(domain).copied(), settings);
            let unchanged = match &walk.reach {
                Reach::Domain => walk.seen_domain == Some(domain_key),
                Reach::Folder(folder) => {
                    walk.seen_domain == Some(domain_key)
                        || walk.seen_folder == Some((folders.id(&view, domain, folder), settings))
                }
                Reach::Anywhere => false,
            };
            walk.seen_domain = Some(domain_key);
            if unchanged {
                continue;
            }
            walk.step(&mut walker, &commit);
            if let Reach::Folder(folder) = &walk.reach {
                walk.seen_folder = Some((folders.id(&view, domain, folder), settings));
            }
        }
    }
    Ok(walks.into_iter().map(|walk| walk.history).collect())
}

/// One commit as the walk reads it.
struct Commit<'c, 'r> {
    view: &'c CommitView<'r>,
    files: &'c CommitFiles<'c, 'r>,
    info: &'c CommitInfo,
    /// Its position in the walk, oldest 0.
    order: usize,
}

/// One event's history as the commits are walked, oldest first.
struct EventWalk<'i> {
    id: &'i EventId,
    history: EventHistory,
    states: HashMap<SchemaRole, RoleState>,
    /// The event in the last commit looked at.
    previous: Option<Snapshot>,
    /// The smallest folder holding everything the last snapshot reads.
    reach: Reach,
    /// The domain folder's tree and the settings' blob in the last commit looked at, and the
    /// event folder's tree and the settings' blob when last stepped: when the ones `reach`
    /// names are unchanged, so is everything this walk reads, and the commit is skipped.
    seen_domain: Option<(Option<Oid>, Option<Oid>)>,
    seen_folder: Option<(Option<Oid>, Option<Oid>)>,
}

/// Where an event's files are, for telling cheaply that a commit did not change them.
enum Reach {
    /// All in its folder `domains/<d>/events/<folder>`.
    Folder(String),
    /// All in its domain's folder (or the event is absent: it can only appear with a change
    /// to its domain).
    Domain,
    Anywhere,
}

/// The event folders' tree ids of the domains asked about, in one commit.
#[derive(Default)]
struct EventFolders {
    by_domain: HashMap<String, HashMap<String, Oid>>,
}

impl EventFolders {
    fn id(&mut self, view: &CommitView<'_>, domain: &str, folder: &str) -> Option<Oid> {
        self.by_domain
            .entry(domain.to_string())
            .or_insert_with(|| {
                let events = CatalogPath::root()
                    .child("domains")
                    .child(domain)
                    .child("events");
                view.folder_ids(&events).into_iter().collect()
            })
            .get(folder)
            .copied()
    }
}

impl EventWalk<'_> {
    fn step(&mut self, walker: &mut Walker, commit: &Commit<'_, '_>) {
        let last_dir = self.previous.as_ref().map(|snapshot| snapshot.dir.clone());
        let snapshot = walker.find(commit.view, self.id, last_dir.as_ref());
        if let Some(mut change) =
            manifest_change(self.previous.as_ref(), snapshot.as_ref(), commit.info)
        {
            change.order = commit.order;
            self.history.changes.push(change);
        }
        if let Some(snapshot) = &snapshot {
            for role in [SchemaRole::Value, SchemaRole::Key] {
                let state = self.states.entry(role).or_default();
                if let Some(mut version) = walker.version(commit, snapshot, role, state) {
                    version.order = commit.order;
                    self.history.versions.push(version);
                }
            }
        }
        self.previous = snapshot;
        self.reach = self.reach_now();
    }

    /// Where the event's last snapshot reads: its folder, its domain or anywhere (a schema
    /// written as `../../other/x.avsc` leaves the folder).
    fn reach_now(&self) -> Reach {
        let Some(snapshot) = &self.previous else {
            return Reach::Domain;
        };
        let domain = CatalogPath::root().child("domains").child(&self.id.domain);
        let events = domain.child("events");
        let within = |dir: &CatalogPath| self.reads_within(snapshot, dir);
        match snapshot.dir.file_name() {
            folder if snapshot.dir.parent() == events && within(&snapshot.dir) => {
                Reach::Folder(folder.to_string())
            }
            _ if within(&domain) => Reach::Domain,
            _ => Reach::Anywhere,
        }
    }

    /// Whether the snapshot's schema files are inside `dir`.
    fn reads_within(&self, snapshot: &Snapshot, dir: &CatalogPath) -> bool {
        let key = snapshot
            .manifest
            .key
            .as_ref()
            .map(|key| key.schema.as_str());
        std::iter::once(snapshot.manifest.schema.as_str())
            .chain(key)
            .all(|written| {
                snapshot
                    .dir
                    .join(written)
                    .is_ok_and(|path| path.starts_with(dir))
            })
    }
}

struct Walker {
    manifests: HashMap<Oid, Option<Manifest>>,
    settings: HashMap<Oid, CompatibilityLevel>,
}

impl Walker {
    fn manifest(&mut self, view: &CommitView<'_>, file: &CatalogPath) -> Option<Manifest> {
        let blob = view.blob_id(file)?;
        self.manifests
            .entry(blob)
            .or_insert_with(|| {
                let text = String::from_utf8(view.read(blob)?).ok()?;
                serde_json::from_value(crate::yaml::parse(&text).ok()?).ok()
            })
            .clone()
    }

    fn default_level(&mut self, view: &CommitView<'_>) -> CompatibilityLevel {
        let file = CatalogPath::root().child(crate::catalog::SETTINGS_FILE);
        let Some(blob) = view.blob_id(&file) else {
            return CompatibilityLevel::default();
        };
        *self.settings.entry(blob).or_insert_with(|| {
            view.read(blob)
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .and_then(|text| crate::yaml::parse(&text).ok())
                .and_then(|value| serde_json::from_value::<SettingsDefaults>(value).ok())
                .unwrap_or_default()
                .defaults
                .compatibility
        })
    }

    /// The event in this commit: in the folder it was last seen in, else any folder of its
    /// domain whose `event.yaml` names it.
    fn find(
        &mut self,
        view: &CommitView<'_>,
        id: &EventId,
        last_dir: Option<&CatalogPath>,
    ) -> Option<Snapshot> {
        let events_dir = CatalogPath::root()
            .child("domains")
            .child(&id.domain)
            .child("events");
        // The folder listing is read only when the event is neither where it was last seen nor
        // in the folder named after it (as catalogs usually keep it).
        let named_folder = events_dir.child(&id.name);
        let found = last_dir
            .and_then(|dir| self.named_in(view, id, dir.clone()))
            .or_else(|| self.named_in(view, id, named_folder.clone()))
            .or_else(|| {
                view.folders(&events_dir)
                    .into_iter()
                    .find_map(|folder| self.named_in(view, id, events_dir.child(&folder)))
            });
        let (dir, manifest) = found?;
        let level = match manifest.compatibility {
            Some(level) => level,
            None => self.default_level(view),
        };
        Some(Snapshot {
            dir,
            manifest,
            level,
        })
    }

    /// The folder and its manifest, when the folder holds this event.
    fn named_in(
        &mut self,
        view: &CommitView<'_>,
        id: &EventId,
        dir: CatalogPath,
    ) -> Option<(CatalogPath, Manifest)> {
        let manifest = self.manifest(view, &dir.child("event.yaml"))?;
        (manifest.name == id.name).then_some((dir, manifest))
    }

    /// The version of one schema in this commit, when its file changed since the last one.
    fn version(
        &mut self,
        commit: &Commit<'_, '_>,
        snapshot: &Snapshot,
        role: SchemaRole,
        state: &mut RoleState,
    ) -> Option<SchemaVersion> {
        let view = commit.view;
        let written = match role {
            SchemaRole::Value => &snapshot.manifest.schema,
            SchemaRole::Key => &snapshot.manifest.key.as_ref()?.schema,
        };
        let path = snapshot.dir.join(written).ok()?;
        let blob = view.blob_id(&path)?;
        if state.last_blob == Some(blob) {
            return None;
        }
        let text = String::from_utf8(view.read(blob)?).ok()?;
        state.last_blob = Some(blob);
        state.count += 1;
        let number = state.count;
        let format = snapshot.manifest.format;
        let parsed = load::parse(format, path.as_str(), &text, commit.files);
        let (verdict, problem) = match &parsed {
            _ if number == 1 => (None, None),
            Err(why) => (None, Some(format!("this version does not parse: {why}"))),
            Ok(_) if state.parsed.is_empty() => (
                None,
                Some("no earlier version parses, so there is nothing to compare with".into()),
            ),
            Ok(new) => {
                let previous: Vec<&Parsed> = state.parsed.iter().map(|(_, p)| p).collect();
                match load::check_parsed(snapshot.level, Policy::Strict, &previous, new) {
                    Ok(verdict) => (Some(describe(format, &text, &verdict, &state.parsed)), None),
                    Err(why) => (None, Some(why)),
                }
            }
        };
        if let Ok(parsed) = parsed {
            state.parsed.push((number, parsed));
        }
        Some(SchemaVersion {
            order: 0,
            role,
            number,
            commit: commit.info.clone(),
            file: path.as_str().to_string(),
            level: snapshot.level,
            verdict,
            problem,
        })
    }
}

fn describe(
    format: Format,
    text: &str,
    verdict: &crate::compat::Verdict,
    earlier: &[(usize, Parsed)],
) -> VersionVerdict {
    // Under a transitive level a version is compared with every earlier one, and a field added
    // long ago would be listed again against each of them: only breaking differences are kept
    // against the older versions, all of them against the version just before.
    let previous = earlier.len().saturating_sub(1);
    VersionVerdict {
        compatible: verdict.compatible,
        differences: verdict
            .findings
            .iter()
            .filter(|found| found.difference.breaking || found.version == previous)
            .map(|found| VersionDifference {
                kind: found.difference.kind,
                path: found.difference.path.clone(),
                breaking: found.difference.breaking,
                line: match found.direction {
                    Direction::Backward => load::line_of(format, text, &found.difference.path),
                    Direction::Forward => None,
                },
                direction: found.direction,
                against: earlier.get(found.version).map_or(0, |(number, _)| *number),
                why: load::explain(format, found.difference.kind),
            })
            .collect(),
    }
}

fn manifest_change(
    before: Option<&Snapshot>,
    after: Option<&Snapshot>,
    commit: &CommitInfo,
) -> Option<ManifestChange> {
    let mut what = Vec::new();
    match (before, after) {
        (None, Some(_)) => what.push("added".to_string()),
        (Some(_), None) => what.push("removed".to_string()),
        (Some(old), Some(new)) => {
            if old.dir != new.dir {
                what.push(format!("moved from {} to {}", old.dir, new.dir));
            }
            if old.manifest.status != new.manifest.status {
                what.push(format!(
                    "status: {} -> {}",
                    old.manifest.status.as_str(),
                    new.manifest.status.as_str()
                ));
            }
            if old.level != new.level {
                what.push(format!(
                    "level: {} -> {}",
                    old.level.as_str(),
                    new.level.as_str()
                ));
            }
            for consumer in &new.manifest.consumers {
                if !old.manifest.consumers.contains(consumer) {
                    what.push(format!("consumer added: {consumer}"));
                }
            }
            for consumer in &old.manifest.consumers {
                if !new.manifest.consumers.contains(consumer) {
                    what.push(format!("consumer removed: {consumer}"));
                }
            }
        }
        (None, None) => {}
    }
    (!what.is_empty()).then(|| ManifestChange {
        order: 0,
        commit: commit.clone(),
        what,
    })
}

/// A schema's imports and references, resolved in the same commit: the schema's folder, then
/// the shared `schemas/` folders of every domain, then the catalog root.
struct CommitFiles<'v, 'r> {
    view: &'v CommitView<'r>,
    /// What earlier commits already showed, by object id.
    known: &'v RefCell<Known>,
    /// The `domains/<d>/schemas` folders that exist, listed once per commit.
    shared: std::cell::OnceCell<Vec<CatalogPath>>,
}

/// Reads shared between commits: most objects are the same from one commit to the next.
#[derive(Default)]
struct Known {
    /// Whether a domain folder (by tree id) has a `schemas` folder.
    has_schemas: HashMap<Oid, bool>,
    texts: HashMap<Oid, Option<String>>,
}

impl<'v, 'r> CommitFiles<'v, 'r> {
    fn new(view: &'v CommitView<'r>, known: &'v RefCell<Known>) -> Self {
        CommitFiles {
            view,
            known,
            shared: std::cell::OnceCell::new(),
        }
    }

    fn text(&self, path: &CatalogPath) -> Option<String> {
        let blob = self.view.blob_id(path)?;
        self.known
            .borrow_mut()
            .texts
            .entry(blob)
            .or_insert_with(|| String::from_utf8(self.view.read(blob)?).ok())
            .clone()
    }

    fn shared_folders(&self) -> &[CatalogPath] {
        self.shared.get_or_init(|| {
            let domains = CatalogPath::root().child("domains");
            let mut known = self.known.borrow_mut();
            self.view
                .folder_ids(&domains)
                .into_iter()
                .filter(|(domain, tree)| {
                    *known.has_schemas.entry(*tree).or_insert_with(|| {
                        let dir = domains.child(domain);
                        self.view
                            .folders(&dir)
                            .iter()
                            .any(|folder| folder == "schemas")
                    })
                })
                .map(|(domain, _)| domains.child(&domain).child("schemas"))
                .collect()
        })
    }

    fn avsc_files(&self, dir: &CatalogPath, depth: usize, found: &mut Vec<(String, String)>) {
        for file in self.view.files(dir) {
            let path = dir.child(&file);
            if file.ends_with(".avsc") {
                if let Some(text) = self.text(&path) {
                    found.push((path.as_str().to_string(), text));
                }
            }
        }
        if depth < 16 {
            for folder in self.view.folders(dir) {
                self.avsc_files(&dir.child(&folder), depth + 1, found);
            }
        }
    }
}

impl SchemaFiles for CommitFiles<'_, '_> {
    fn resolve(&self, from: &str, reference: &str) -> Option<(String, String)> {
        let from = CatalogPath::parse(from).ok()?;
        let mut candidates = vec![from.parent().join(reference).ok()];
        candidates.extend(
            self.shared_folders()
                .iter()
                .map(|dir| dir.join(reference).ok()),
        );
        candidates.push(CatalogPath::root().join(reference).ok());
        candidates.into_iter().flatten().find_map(|path| {
            let text = self.text(&path)?;
            Some((path.as_str().to_string(), text))
        })
    }

    fn avro_candidates(&self, _from: &str) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for dir in self.shared_folders() {
            self.avsc_files(dir, 0, &mut found);
        }
        found
    }
}
