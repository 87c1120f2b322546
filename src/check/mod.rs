//! `evcat check` and `evcat diff`: the catalog now against its baseline in Git history.
//!
//! Both catalogs are loaded (the baseline from Git objects), events are matched by identity
//! (domain and name, so moved files keep their history), catalog-level changes are judged by the
//! `C` rules, and every schema that changed is checked under the event's level by the
//! compatibility engine. Transitive levels check every distinct earlier version; the history is
//! walked once for all such events, with each `event.yaml` blob parsed at most once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use git2::Oid;

use crate::catalog::{
    Catalog, CompatibilityLevel, Event, EventId, Format, Loaded, SchemaRole, Status,
};
mod dirty;
mod history;

use dirty::{catalog_differs, ContentIds};
use history::{walk_history, SchemaOf, WalkedHistory};

use crate::compat::json::Policy;
use crate::compat::load::{self, line_of, CatalogFiles};
use crate::compat::{Direction, Verdict};
use crate::findings::{finding, Finding, Findings, Site};
use crate::git::{content_id, short, Baseline, CatalogRepository, GitError, HistoryEnd};
use crate::rules;
use crate::source::{position_at, Seg};
use crate::tree::{CatalogPath, DiskTree};

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CheckError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Load(#[from] crate::catalog::LoadError),
    #[error("cannot open catalog folder {0}: {1}")]
    #[diagnostic(code(evcat::io))]
    Folder(String, std::io::Error),
}

/// How an event changed between the baseline and now.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// One event's change, for `evcat diff`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct EventChange {
    pub event: EventId,
    pub kind: ChangeKind,
    /// What changed in the manifest (status, topics, level, ...), in words.
    pub notes: Vec<String>,
    /// Schema differences, when the schema changed and both versions parsed.
    pub differences: Vec<SchemaDifference>,
    /// Consumers, as `service (team)`.
    pub consumers: Vec<String>,
    /// The teams whose approval the change needs (the owner, and its consumers' teams).
    pub approvers: Vec<crate::review::Approver>,
    pub level: Option<&'static str>,
    /// Whether the change breaks consumers: a breaking schema difference or a catalog-level break.
    pub breaking: bool,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct SchemaDifference {
    pub kind: &'static str,
    pub path: String,
    pub breaking: bool,
    pub file: String,
    pub line: Option<usize>,
    pub against: String,
    pub direction: Direction,
    pub why: &'static str,
}

/// The outcome of comparing the catalog with its baseline.
pub struct Comparison {
    pub catalog: Catalog,
    pub findings: Vec<Finding>,
    /// `None` when there was nothing to compare (HEAD is the root commit).
    pub baseline: Option<String>,
    pub changes: Vec<EventChange>,
    pub schemas_checked: usize,
}

/// Compares the catalog at `root` (as it is on disk) with its baseline.
pub fn compare(root: &Path, against: Option<&str>) -> Result<Comparison, CheckError> {
    let repository = CatalogRepository::discover(root)?;
    let mut tree = DiskTree::new(root)
        .map_err(|error| CheckError::Folder(root.display().to_string(), error))?;
    if let Some(indexed) = crate::git::IndexedBlobs::read(&repository) {
        tree = tree.with_known_blobs(Box::new(indexed));
    }
    // Without --against, whether the disk differs from HEAD decides the baseline: HEAD's tree
    // is indexed on a second thread while the catalog loads.
    let head_opener = match against {
        None => repository
            .head()
            .ok()
            .map(|head| repository.tree_opener(head)),
        Some(_) => None,
    };
    let (loaded, head_tree) = std::thread::scope(|scope| {
        let head_tree = head_opener.map(|opener| scope.spawn(move || opener.open()));
        let loaded = Catalog::load(Box::new(tree));
        // Indexing a tree only panics on a bug; carry it on.
        let head_tree = head_tree.map(|indexing| {
            indexing
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (loaded, head_tree)
    });
    let Loaded {
        catalog,
        findings: load_findings,
    } = loaded?;
    let current_ids = ContentIds::new(&catalog);
    let mut clean = false;
    let baseline = repository.baseline(against, || {
        let head = match head_tree {
            Some(tree) => tree?,
            None => repository.tree_at(repository.head()?)?,
        };
        let dirty = catalog_differs(&current_ids, &head);
        clean = !dirty;
        Ok(dirty)
    })?;
    if clean {
        // A clean tree had every schema's entry asked (and kept in `current_ids`): the copy
        // of Git's index is no longer needed.
        catalog.tree().forget_known_blobs();
    }
    let (baseline_id, description) = match baseline {
        Baseline::RootCommit => {
            return Ok(Comparison {
                catalog,
                findings: Vec::new(),
                baseline: None,
                changes: Vec::new(),
                schemas_checked: 0,
            })
        }
        Baseline::Commit { id, description } => (id, description),
    };
    // A baseline without evcat.yaml had no catalog yet: every event is new. Any other failure
    // to read it is an error, never an empty comparison that passes.
    let baseline_catalog =
        match Catalog::load_for_comparison(Box::new(repository.tree_at(baseline_id)?)) {
            Ok(loaded) => Some(loaded.catalog),
            Err(crate::catalog::LoadError::NoSettings { .. }) => None,
            Err(error) => return Err(error.into()),
        };
    let mut findings = load_findings;
    let mut changes = Vec::new();
    let mut schemas_checked = 0;
    if let Some(baseline) = &baseline_catalog {
        let mut comparer = Comparer {
            repository: &repository,
            baseline_id,
            current: &catalog,
            current_ids: &current_ids,
            baseline,
            findings: &mut findings,
            history: None,
        };
        changes = comparer.run(&mut schemas_checked);
    }
    Ok(Comparison {
        findings: findings.apply(&Default::default()),
        catalog,
        baseline: Some(format!("{} ({description})", short(baseline_id))),
        changes,
        schemas_checked,
    })
}

/// The file an event declares for one of its schemas, if it declares one.
fn schema_file(event: &Event, role: SchemaRole) -> Option<CatalogPath> {
    let declared = crate::formats::declaration(event, role)?;
    event.dir.join(declared.file).ok()
}

const ROLES: [SchemaRole; 2] = [SchemaRole::Value, SchemaRole::Key];

struct Comparer<'a> {
    repository: &'a CatalogRepository,
    baseline_id: Oid,
    current: &'a Catalog,
    current_ids: &'a ContentIds<'a>,
    baseline: &'a Catalog,
    findings: &'a mut Findings,
    history: Option<WalkedHistory>,
}

/// Whether `new` drops a guarantee `old` gave.
fn loosened(old: CompatibilityLevel, new: CompatibilityLevel) -> bool {
    use CompatibilityLevel as L;
    let directions = |level: L| match level {
        L::None => (false, false),
        L::Backward | L::BackwardTransitive => (true, false),
        L::Forward | L::ForwardTransitive => (false, true),
        L::Full | L::FullTransitive => (true, true),
    };
    let ((old_back, old_forward), (new_back, new_forward)) = (directions(old), directions(new));
    (old_back && !new_back)
        || (old_forward && !new_forward)
        || (old.is_transitive() && !new.is_transitive())
}

impl Comparer<'_> {
    fn run(&mut self, schemas_checked: &mut usize) -> Vec<EventChange> {
        let current: BTreeMap<EventId, &Event> = self
            .current
            .events
            .iter()
            .map(|event| (event.id(), event))
            .collect();
        let baseline: BTreeMap<EventId, &Event> = self
            .baseline
            .events
            .iter()
            .map(|event| (event.id(), event))
            .collect();
        let shared_changed = self.shared_files_changed();
        let mut changes = Vec::new();
        for (id, event) in &current {
            match baseline.get(id) {
                None => changes.push(self.change(event, ChangeKind::Added, Vec::new(), Vec::new())),
                Some(old) => {
                    if let Some(change) =
                        self.compare_event(old, event, shared_changed, schemas_checked)
                    {
                        changes.push(change);
                    }
                }
            }
        }
        for (id, old) in &baseline {
            if current.contains_key(id) {
                continue;
            }
            if !old.spec.consumers.is_empty() {
                self.findings.add(
                    rules::EVENT_REMOVED,
                    Site::File(old.file.clone()),
                    format!(
                        "event {id} was removed, but it still has consumers: {}",
                        self.baseline.consumers_with_teams(old).join(", ")
                    ),
                );
            }
            changes.push(EventChange {
                event: id.clone(),
                kind: ChangeKind::Removed,
                notes: Vec::new(),
                differences: Vec::new(),
                consumers: self.baseline.consumers_with_teams(old),
                approvers: crate::review::event_approvers(self.baseline, old),
                level: None,
                breaking: !old.spec.consumers.is_empty(),
            });
        }
        changes
    }

    fn change(
        &self,
        event: &Event,
        kind: ChangeKind,
        notes: Vec<String>,
        differences: Vec<SchemaDifference>,
    ) -> EventChange {
        EventChange {
            breaking: differences.iter().any(|difference| difference.breaking),
            event: event.id(),
            kind,
            notes,
            differences,
            consumers: self.current.consumers_with_teams(event),
            approvers: crate::review::event_approvers(self.current, event),
            level: Some(self.current.effective_compatibility(event).as_str()),
        }
    }

    fn shared_files_changed(&self) -> bool {
        let current: BTreeMap<String, Option<Oid>> = self
            .current
            .shared_files
            .iter()
            .map(|path| (path.to_string(), self.current_ids.of(path)))
            .collect();
        let baseline: BTreeMap<String, Option<Oid>> = self
            .baseline
            .shared_files
            .iter()
            .map(|path| (path.to_string(), content_id(self.baseline.tree(), path)))
            .collect();
        current != baseline
    }

    /// Whether one of an event's schema files differs between the baseline and now, by blob id.
    fn schema_changed(&self, old: &Event, new: &Event, role: SchemaRole) -> bool {
        let old_id =
            schema_file(old, role).and_then(|path| content_id(self.baseline.tree(), &path));
        let new_id = schema_file(new, role).and_then(|path| self.current_ids.of(&path));
        old_id != new_id
    }

    fn compare_event(
        &mut self,
        old: &Event,
        new: &Event,
        shared_changed: bool,
        schemas_checked: &mut usize,
    ) -> Option<EventChange> {
        let mut notes = Vec::new();
        let findings_before = self.findings.len();
        let old_level = self.baseline.effective_compatibility(old);
        let new_level = self.current.effective_compatibility(new);
        if old.spec.format != new.spec.format {
            self.findings.add(
                rules::FORMAT_CHANGED,
                Site::value(&new.file, vec![Seg::key("format")]),
                format!(
                    "{}: format changed from {} to {}",
                    new.id(),
                    old.spec.format,
                    new.spec.format
                ),
            );
            notes.push(format!("format {} → {}", old.spec.format, new.spec.format));
        }
        if old_level != new_level {
            notes.push(format!(
                "compatibility {} → {}",
                old_level.as_str(),
                new_level.as_str()
            ));
            if loosened(old_level, new_level) {
                self.findings.add(
                    rules::LEVEL_LOOSENED,
                    Site::key(&new.file, vec![Seg::key("compatibility")]),
                    format!(
                        "{}: compatibility loosened from {} to {}",
                        new.id(),
                        old_level.as_str(),
                        new_level.as_str()
                    ),
                );
            }
        }
        if old.spec.status != new.spec.status {
            notes.push(
                format!("status {:?} → {:?}", old.spec.status, new.spec.status).to_lowercase(),
            );
            if old.spec.status == Status::Approved && new.spec.status == Status::Draft {
                self.findings.add(
                    rules::STATUS_REGRESSED,
                    Site::value(&new.file, vec![Seg::key("status")]),
                    format!("{}: approved event set back to draft", new.id()),
                );
            }
        }
        let consumers = !old.spec.consumers.is_empty() || !new.spec.consumers.is_empty();
        for topic in old
            .spec
            .topics
            .iter()
            .filter(|topic| !new.spec.topics.contains(topic))
        {
            notes.push(format!("topic {topic} dropped"));
            if consumers {
                self.findings.add(
                    rules::TOPIC_REMOVED,
                    Site::key(&new.file, vec![Seg::key("topics")]),
                    format!(
                        "{}: topic `{topic}` was dropped, but the event has consumers: {}",
                        new.id(),
                        self.current.consumers_with_teams(new).join(", ")
                    ),
                );
            }
        }
        for topic in new
            .spec
            .topics
            .iter()
            .filter(|topic| !old.spec.topics.contains(topic))
        {
            notes.push(format!("topic {topic} added"));
        }
        let mut differences = Vec::new();
        if old.spec.format == new.spec.format {
            for role in ROLES {
                differences.extend(self.compare_schemas(
                    (old, new, role),
                    new_level,
                    shared_changed,
                    &mut notes,
                    schemas_checked,
                ));
            }
        }
        let catalog_level_break = self.findings.len() > findings_before;
        (!notes.is_empty() || !differences.is_empty()).then(|| {
            let mut change = self.change(new, ChangeKind::Changed, notes, differences);
            change.breaking |= catalog_level_break;
            change
        })
    }

    /// The text of one of an event's schemas: `Ok(None)` when the event declares none for
    /// `role`, an error saying why when it declares one that cannot be read.
    fn schema_text(
        catalog: &Catalog,
        event: &Event,
        role: SchemaRole,
    ) -> Result<Option<(CatalogPath, String)>, String> {
        let Some(declared) = crate::formats::declaration(event, role) else {
            return Ok(None);
        };
        let path = event
            .dir
            .join(declared.file)
            .map_err(|error| format!("{}: {error}", declared.file))?;
        match catalog.read_text(&path) {
            Ok(text) => Ok(Some((path, text.to_string()))),
            Err(error) => Err(format!("cannot read {path}: {error}")),
        }
    }

    /// Records that one of an event's changed schemas could not be checked (rule C007), at the
    /// schema file when it is known, else at the `schema:` key of `event.yaml`.
    fn unchecked(
        &mut self,
        event: &Event,
        role: SchemaRole,
        path: Option<&CatalogPath>,
        why: &str,
    ) {
        let declared_at = crate::formats::declaration(event, role)
            .map(|declared| declared.key_path("schema"))
            .unwrap_or_default();
        let site = match path {
            Some(path) => Site::File(path.clone()),
            None => Site::value(&event.file, declared_at),
        };
        let what = match role {
            SchemaRole::Value => "schema",
            SchemaRole::Key => "key schema",
        };
        self.findings.push(
            finding(
                rules::UNCHECKED_CHANGE,
                site,
                format!(
                    "{}: the changed {what} could not be checked: {why}",
                    event.id()
                ),
            )
            .with_help("fix the problem (`evcat lint` shows it in detail) and run the check again"),
        );
    }

    /// Checks one of an event's schemas (`role`) against its earlier versions; `old` and `new`
    /// are the event at the baseline and now. What cannot be checked is a C007 finding, never a
    /// silent pass.
    fn compare_schemas(
        &mut self,
        (old, new, role): (&Event, &Event, SchemaRole),
        level: CompatibilityLevel,
        shared_changed: bool,
        notes: &mut Vec<String>,
        schemas_checked: &mut usize,
    ) -> Vec<SchemaDifference> {
        if !shared_changed && !self.schema_changed(old, new, role) {
            return Vec::new(); // Unchanged: not even read.
        }
        let (new_path, new_text) = match Self::schema_text(self.current, new, role) {
            Ok(Some(found)) => found,
            // Not declared (a key dropped): lint and the catalog-level rules speak of it.
            Ok(None) => return Vec::new(),
            Err(why) => {
                self.unchecked(new, role, None, &why);
                return Vec::new();
            }
        };
        let (old_path, old_text) = match Self::schema_text(self.baseline, old, role) {
            Ok(Some(found)) => found,
            // A key that is new has nothing earlier to be compatible with.
            Ok(None) => return Vec::new(),
            Err(why) => {
                self.unchecked(
                    new,
                    role,
                    Some(&new_path),
                    &format!("the earlier version: {why}"),
                );
                return Vec::new();
            }
        };
        let format = new.spec.format;
        let current_files = CatalogFiles {
            catalog: self.current,
        };
        let parsed_new = match load::parse(format, new_path.as_str(), &new_text, &current_files) {
            Ok(parsed) => parsed,
            Err(why) => {
                self.unchecked(new, role, Some(&new_path), &why);
                return Vec::new();
            }
        };
        // The earlier versions: the baseline's, and for transitive levels every distinct one before.
        let baseline_files = CatalogFiles {
            catalog: self.baseline,
        };
        let mut earlier: Vec<(String, String)> = if level.is_transitive() {
            self.history_of((new, role), &new_path, format)
        } else {
            Vec::new()
        };
        let baseline_label = format!("{} at {}", old_path, short(self.baseline_id));
        if !earlier.iter().any(|(_, text)| *text == old_text) {
            earlier.push((baseline_label.clone(), old_text.clone()));
        }
        let mut parsed_earlier = Vec::new();
        let mut labels = Vec::new();
        for (label, text) in &earlier {
            match load::parse(format, old_path.as_str(), text, &baseline_files) {
                Ok(parsed) => {
                    parsed_earlier.push(parsed);
                    labels.push(label.clone());
                }
                Err(why) if *text == old_text => {
                    let why = format!("the earlier version ({label}) does not parse: {why}");
                    self.unchecked(new, role, Some(&new_path), &why);
                    return Vec::new();
                }
                Err(why) => self.findings.push(
                    finding(
                        rules::INCOMPLETE_HISTORY,
                        Site::File(new_path.clone()),
                        format!(
                            "{}: the earlier version {label} does not parse and was not checked: {why}",
                            new.id()
                        ),
                    )
                    .with_help("the registry may still hold that version; compare with `evcat plan`"),
                ),
            }
        }
        *schemas_checked += 1;
        let previous: Vec<&load::Parsed> = parsed_earlier.iter().collect();
        let verdict = match load::check_parsed(level, Policy::Strict, &previous, &parsed_new) {
            Ok(verdict) => verdict,
            Err(why) => {
                self.unchecked(new, role, Some(&new_path), &why);
                return Vec::new();
            }
        };
        if new_text != old_text {
            notes.push(match role {
                SchemaRole::Value => "schema changed".to_string(),
                SchemaRole::Key => "key schema changed".to_string(),
            });
        }
        self.report_verdict((new, role), &new_path, &new_text, level, &verdict, &labels)
    }

    fn report_verdict(
        &mut self,
        (event, role): (&Event, SchemaRole),
        path: &CatalogPath,
        text: &str,
        level: CompatibilityLevel,
        verdict: &Verdict,
        labels: &[String],
    ) -> Vec<SchemaDifference> {
        let format = event.spec.format;
        let consumers = self.current.consumers_with_teams(event);
        let mut differences = Vec::new();
        for found in &verdict.findings {
            let difference = &found.difference;
            let line = match found.direction {
                Direction::Backward => line_of(format, text, &difference.path),
                Direction::Forward => None,
            };
            let why = load::explain(format, difference.kind);
            differences.push(SchemaDifference {
                kind: difference.kind,
                path: difference.path.clone(),
                breaking: difference.breaking,
                file: path.to_string(),
                line,
                against: labels[found.version].clone(),
                direction: found.direction,
                why,
            });
            if !difference.breaking {
                continue;
            }
            let site = match line {
                Some(line) => Site::At(
                    path.clone(),
                    position_at(text, crate::source::offset_of(text, line, 0)),
                ),
                None => Site::File(path.clone()),
            };
            let direction = match found.direction {
                Direction::Backward => "the new schema cannot read data written with",
                Direction::Forward => {
                    "readers of the earlier schema cannot read data written with this one; earlier"
                }
            };
            let detail = if difference.message.is_empty() || difference.message == why {
                String::new()
            } else {
                format!(" ({})", difference.message)
            };
            let mut result = finding(
                rules::BREAKING_CHANGE,
                site,
                format!(
                    "{}{}: {} at {}{detail} breaks {}: {direction} {}",
                    event.id(),
                    if role == SchemaRole::Key {
                        " (key)"
                    } else {
                        ""
                    },
                    difference.kind,
                    difference.path,
                    level.as_str(),
                    labels[found.version],
                ),
            );
            result.help = Some(if consumers.is_empty() {
                format!("{why}. No consumers are declared, but the registry will still reject it.")
            } else {
                format!("{why}. Affected consumers: {}.", consumers.join(", "))
            });
            self.findings.push(result);
        }
        differences
    }

    /// The event schemas that changed under a transitive level: the only ones history is read
    /// for.
    fn needing_history(&self) -> HashSet<SchemaOf> {
        let baseline: HashMap<EventId, &Event> = self
            .baseline
            .events
            .iter()
            .map(|event| (event.id(), event))
            .collect();
        self.current
            .events
            .iter()
            .filter(|event| self.current.effective_compatibility(event).is_transitive())
            .flat_map(|event| ROLES.map(|role| (event, role)))
            .filter(|(event, role)| {
                baseline.get(&event.id()).is_some_and(|old| {
                    old.spec.format == event.spec.format && self.schema_changed(old, event, *role)
                })
            })
            .map(|(event, role)| (event.id(), role))
            .collect()
    }

    /// The distinct earlier schema texts of an event in `format`, oldest first. When the walk
    /// could not reach the first commit, says so (C008): older versions were not checked.
    fn history_of(
        &mut self,
        (event, role): (&Event, SchemaRole),
        path: &CatalogPath,
        format: Format,
    ) -> Vec<(String, String)> {
        if self.history.is_none() {
            let wanted = self.needing_history();
            self.history = Some(walk_history(self.repository, self.baseline_id, &wanted));
        }
        let Some(history) = &self.history else {
            return Vec::new();
        };
        let incomplete = match history.end {
            HistoryEnd::Root => None,
            HistoryEnd::Shallow => Some(format!(
                "the history of this clone ends after {} commits (it is shallow)",
                history.commits
            )),
            HistoryEnd::Limit => Some(format!(
                "the history walk stops at {} commits",
                history.commits
            )),
        };
        let versions = history
            .versions
            .get(&(event.id(), role))
            .map(|versions| {
                versions
                    .iter()
                    .filter(|(_, _, version_format)| *version_format == format)
                    .map(|(label, text, _)| (label.clone(), text.clone()))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(why) = incomplete {
            self.findings.push(
                finding(
                    rules::INCOMPLETE_HISTORY,
                    Site::File(path.clone()),
                    format!(
                        "{}: {} needs every earlier version, but {why}: older versions were not checked",
                        event.id(),
                        self.current.effective_compatibility(event).as_str()
                    ),
                )
                .with_help(
                    "fetch the whole history: `git fetch --unshallow` (in GitHub Actions, `fetch-depth: 0` on actions/checkout)",
                ),
            );
        }
        versions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CompatibilityLevel as L;

    #[test]
    fn loosening() {
        assert!(loosened(L::Full, L::Backward));
        assert!(loosened(L::BackwardTransitive, L::Backward));
        assert!(loosened(L::Backward, L::Forward));
        assert!(loosened(L::Backward, L::None));
        assert!(!loosened(L::Backward, L::Full));
        assert!(!loosened(L::Backward, L::BackwardTransitive));
        assert!(!loosened(L::None, L::Backward));
    }
}
