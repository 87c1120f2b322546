//! The embedded Schema Registry: Confluent's semantics over a folder.
//!
//! State lives in `state.json`, rewritten whole on every change (write a temporary file, fsync it,
//! rename it over the old one, fsync the folder), so a crash leaves the old state or the new one,
//! never a mix. An exclusive lock on `lock` keeps two evcat processes from writing one folder.
//!
//! Semantics follow Confluent Schema Registry: a schema (text, type and references) has one
//! global id across subjects; registering a schema a subject already holds returns the existing
//! id and adds no version; versions keep counting after deletes; a permanent delete must follow a
//! soft delete; READONLY refuses writes; IMPORT skips compatibility checks; verdicts come from
//! evcat's compatibility engine.

use std::collections::{BTreeMap, HashMap};
use std::fs;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::catalog::{CompatibilityLevel, Format};
use crate::compat::json::Policy;
use crate::compat::load;

use crate::compat::Verdict;

mod deletes;
mod persist;
mod references;

use references::ReferenceFiles;

/// A registry error, with Confluent's error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (error code {code})")]
pub struct RegistryError {
    pub code: u32,
    pub message: String,
}

impl RegistryError {
    fn new(code: u32, message: impl Into<String>) -> Self {
        RegistryError {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status the error code stands for (its first three digits).
    pub fn status(&self) -> u16 {
        let code = self.code;
        let status = if code >= 1000 { code / 100 } else { code };
        u16::try_from(status).unwrap_or(500)
    }
}

fn subject_not_found(subject: &str) -> RegistryError {
    RegistryError::new(40401, format!("Subject '{subject}' not found."))
}

fn version_not_found(subject: &str, version: u32) -> RegistryError {
    RegistryError::new(
        40402,
        format!("Version {version} not found for subject '{subject}'."),
    )
}

pub(crate) fn storage(error: impl std::fmt::Display) -> RegistryError {
    RegistryError::new(50001, format!("Error in the backend data store: {error}"))
}

/// Compatibility checking is skipped in IMPORT; writes are refused in READONLY.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Mode {
    #[default]
    Readwrite,
    Readonly,
    Import,
}

/// A schema a schema refers to: the import name and the subject version that holds it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Reference {
    pub name: String,
    pub subject: String,
    pub version: u32,
}

/// A schema as stored: text, type and references, identified globally.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSchema {
    pub schema: String,
    pub schema_type: Format,
    #[serde(default)]
    pub references: Vec<Reference>,
}

impl StoredSchema {
    /// Whether two schemas are the same to the registry: same type and references, and the
    /// same text up to layout. Like Confluent, which compares canonical forms, Avro and JSON
    /// Schema documents are compared as parsed JSON (whitespace and key order do not count);
    /// Protobuf text is compared as written.
    /// What makes two schemas the same to the registry (see [`StoredSchema::same_as`]) as one
    /// string: type, references, and the text in a canonical form (Avro and JSON Schema parsed
    /// and written with sorted keys; Protobuf as written).
    pub fn identity(&self) -> String {
        let text = match self.schema_type {
            Format::Protobuf => self.schema.clone(),
            Format::Avro | Format::Json => serde_json::from_str::<serde_json::Value>(&self.schema)
                .map(|value| crate::compat::json::canonical_json(&value))
                .unwrap_or_else(|_| self.schema.clone()),
        };
        let references: Vec<String> = self
            .references
            .iter()
            .map(|reference| {
                format!(
                    "{}\u{0}{}\u{0}{}",
                    reference.name, reference.subject, reference.version
                )
            })
            .collect();
        format!(
            "{:?}\u{1}{}\u{1}{text}",
            self.schema_type,
            references.join("\u{2}")
        )
    }

    pub fn same_as(&self, other: &StoredSchema) -> bool {
        if self.schema_type != other.schema_type || self.references != other.references {
            return false;
        }
        if self.schema == other.schema {
            return true;
        }
        match self.schema_type {
            Format::Protobuf => false,
            Format::Avro | Format::Json => {
                let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text).ok();
                matches!((parse(&self.schema), parse(&other.schema)), (Some(a), Some(b)) if a == b)
            }
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct VersionEntry {
    version: u32,
    id: u32,
    /// Soft-deleted: hidden from lookups and checks, still counted.
    #[serde(default)]
    deleted: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct SubjectState {
    versions: Vec<VersionEntry>,
    #[serde(default)]
    compatibility: Option<CompatibilityLevel>,
    #[serde(default)]
    mode: Option<Mode>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct State {
    next_id: u32,
    schemas: BTreeMap<u32, StoredSchema>,
    subjects: BTreeMap<String, SubjectState>,
    compatibility: CompatibilityLevel,
    mode: Mode,
}

/// A registered version, as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegisteredVersion {
    pub subject: String,
    pub version: u32,
    pub id: u32,
    pub schema: StoredSchema,
}

/// Which versions a listing shows: live ones (the default), soft-deleted ones too
/// (`?deleted=true`), or only those (`?deletedOnly=true`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deleted {
    Hide,
    Include,
    Only,
}

impl Deleted {
    fn shows(self, entry: &VersionEntry) -> bool {
        match self {
            Deleted::Hide => !entry.deleted,
            Deleted::Include => true,
            Deleted::Only => entry.deleted,
        }
    }
}

/// Which version of a subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionSelector {
    Latest,
    Number(u32),
}

/// The embedded registry in `dir`, locked for this process while it lives.
pub struct Store {
    dir: PathBuf,
    state: State,
    /// Counts the changes saved since opening: a verdict computed at one generation is still
    /// valid at the same generation.
    generation: u64,
    /// While set, changes are kept in memory and written by [`Store::flush`] (one push, one
    /// durable write); `dirty` says whether there is anything to write.
    deferred: bool,
    dirty: bool,
    /// The id of every stored schema, by its identity (type, canonical text, references): a
    /// registration finds an equal schema in one look-up, not by comparing every schema.
    ids_by_identity: HashMap<String, u32>,
    /// The journal, open for appending once it exists (not reopened for every change).
    journal: Option<fs::File>,
    /// Set by a server: changes are appended without waiting for the disk, and the caller
    /// syncs ([`Store::take_unsynced`]) after releasing its lock, before it answers, so that
    /// concurrent registrations share the wait instead of queueing behind each other's.
    sync_by_caller: bool,
    unsynced: bool,
    _lock: fs::File,
}

/// A registration's compatibility verdict, computed earlier (under a shared lock, so that a
/// slow comparison does not hold up other requests), and the generation it was computed at.
pub struct CheckedVerdict {
    pub generation: u64,
    pub verdict: Result<Verdict, RegistryError>,
}

const LOCK_FILE: &str = "lock";

impl Store {
    /// Opens (or creates) the registry in `dir`, taking its lock.
    pub fn open(dir: &Path) -> Result<Self, RegistryError> {
        fs::create_dir_all(dir).map_err(storage)?;
        let lock = lock_folder(dir)?;
        let (state, journal) = persist::load(dir)?;
        let dangling = state
            .subjects
            .iter()
            .flat_map(|(subject, subject_state)| {
                subject_state
                    .versions
                    .iter()
                    .map(move |entry| (subject, entry))
            })
            .find(|(_, entry)| !state.schemas.contains_key(&entry.id));
        if let Some((subject, entry)) = dangling {
            return Err(storage(format!(
                "{} is damaged: {subject} version {} names schema {}, which it does not hold",
                dir.join(persist::STATE_FILE).display(),
                entry.version,
                entry.id
            )));
        }
        let ids_by_identity = state
            .schemas
            .iter()
            .rev() // The lowest id wins for equal schemas, as a scan from the first would find.
            .map(|(id, schema)| (schema.identity(), *id))
            .collect();
        let mut store = Store {
            dir: dir.to_path_buf(),
            state,
            generation: 0,
            deferred: false,
            dirty: false,
            ids_by_identity,
            journal: None,
            sync_by_caller: false,
            unsynced: false,
            _lock: lock,
        };
        if journal {
            store.compact()?;
        }
        Ok(store)
    }

    /// How many changes were saved since the store was opened.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// From now on, changes are written by [`Store::flush`], not one by one.
    pub fn defer_saves(&mut self) {
        self.deferred = true;
    }

    /// From now on the caller makes each change durable: after every change it calls
    /// [`Store::take_unsynced`] and syncs what it returns before acknowledging the change.
    pub fn sync_by_caller(&mut self) {
        self.sync_by_caller = true;
    }

    /// The journal to sync when changes were appended without waiting for the disk.
    pub fn take_unsynced(&mut self) -> Result<Option<fs::File>, RegistryError> {
        if !std::mem::take(&mut self.unsynced) {
            return Ok(None);
        }
        match &self.journal {
            Some(journal) => journal.try_clone().map(Some).map_err(storage),
            None => Ok(None),
        }
    }

    /// Writes the changes kept since [`Store::defer_saves`], durably (one snapshot), and makes
    /// each change durable as it happens again from then on.
    pub fn flush(&mut self) -> Result<(), RegistryError> {
        self.deferred = false;
        if std::mem::take(&mut self.dirty) {
            self.compact()?;
        }
        Ok(())
    }

    fn writable(&self, subject: &str) -> Result<Mode, RegistryError> {
        let mode = self.mode(Some(subject));
        if mode == Mode::Readonly {
            return Err(RegistryError::new(
                42205,
                format!("Subject {subject} is in read-only mode"),
            ));
        }
        Ok(mode)
    }

    /// The subjects with a version `deleted` shows.
    pub fn subjects(&self, deleted: Deleted) -> Vec<String> {
        self.state
            .subjects
            .iter()
            .filter(|(_, state)| state.versions.iter().any(|entry| deleted.shows(entry)))
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// The subject's versions in registration order, as `deleted` asks. A subject with none to
    /// show is "not found", as in the registry.
    fn entries<'s>(
        &'s self,
        subject: &str,
        deleted: Deleted,
    ) -> Result<Vec<&'s VersionEntry>, RegistryError> {
        let state = self
            .state
            .subjects
            .get(subject)
            .ok_or_else(|| subject_not_found(subject))?;
        let entries: Vec<&VersionEntry> = state
            .versions
            .iter()
            .filter(|entry| deleted.shows(entry))
            .collect();
        if entries.is_empty() {
            return Err(subject_not_found(subject));
        }
        Ok(entries)
    }

    fn live_versions<'s>(&'s self, subject: &str) -> Result<Vec<&'s VersionEntry>, RegistryError> {
        self.entries(subject, Deleted::Hide)
    }

    pub fn versions(&self, subject: &str, deleted: Deleted) -> Result<Vec<u32>, RegistryError> {
        let entries = self.entries(subject, deleted)?;
        Ok(entries.iter().map(|entry| entry.version).collect())
    }

    /// Every version entry of every subject, by subject name, then version.
    fn every_version(&self) -> impl Iterator<Item = (&String, &VersionEntry)> {
        self.state
            .subjects
            .iter()
            .flat_map(|(subject, state)| state.versions.iter().map(move |entry| (subject, entry)))
    }

    /// Every version of every subject (by subject name, then version) that `deleted` shows.
    pub fn all_versions(&self, deleted: Deleted) -> Vec<RegisteredVersion> {
        self.every_version()
            .filter(|(_, entry)| deleted.shows(entry))
            .map(|(subject, entry)| self.registered(subject, entry))
            .collect()
    }

    /// A reference to version `0` means the latest (the API's `-1`): replaced by the referenced
    /// subject's latest version, 42201 when it has none.
    pub fn pin_latest_references(&self, schema: &mut StoredSchema) -> Result<(), RegistryError> {
        for reference in schema.references.iter_mut().filter(|r| r.version == 0) {
            reference.version = self
                .version(&reference.subject, VersionSelector::Latest)
                .map_err(|_| {
                    RegistryError::new(
                        42201,
                        format!(
                            "Invalid schema: reference {} names subject {}, which has no version",
                            reference.name, reference.subject
                        ),
                    )
                })?
                .version;
        }
        Ok(())
    }

    pub fn version(
        &self,
        subject: &str,
        selector: VersionSelector,
    ) -> Result<RegisteredVersion, RegistryError> {
        self.version_shown(subject, selector, Deleted::Hide)
    }

    /// A version, soft-deleted ones included when `deleted` says so (`?deleted=true`).
    pub fn version_shown(
        &self,
        subject: &str,
        selector: VersionSelector,
        deleted: Deleted,
    ) -> Result<RegisteredVersion, RegistryError> {
        let live = self.entries(subject, deleted)?;
        let entry = match selector {
            VersionSelector::Latest => live.last().copied(),
            VersionSelector::Number(number) => {
                live.iter().copied().find(|entry| entry.version == number)
            }
        };
        let entry = entry.ok_or_else(|| match selector {
            VersionSelector::Number(number) => version_not_found(subject, number),
            VersionSelector::Latest => subject_not_found(subject),
        })?;
        Ok(self.registered(subject, entry))
    }

    fn registered(&self, subject: &str, entry: &VersionEntry) -> RegisteredVersion {
        RegisteredVersion {
            subject: subject.to_string(),
            version: entry.version,
            id: entry.id,
            // `open` checks that every version names a schema the store holds, and schemas are
            // never removed, so the fallback cannot be reached.
            schema: self
                .state
                .schemas
                .get(&entry.id)
                .cloned()
                .unwrap_or_else(|| StoredSchema {
                    schema: String::new(),
                    schema_type: Format::Avro,
                    references: Vec::new(),
                }),
        }
    }

    pub fn schema_by_id(&self, id: u32) -> Result<&StoredSchema, RegistryError> {
        self.state
            .schemas
            .get(&id)
            .ok_or_else(|| RegistryError::new(40403, format!("Schema {id} not found")))
    }

    /// The subject versions that use schema `id`.
    pub fn subject_versions_of(&self, id: u32) -> Vec<(String, u32)> {
        self.every_version()
            .filter(|(_, entry)| entry.id == id && !entry.deleted)
            .map(|(subject, entry)| (subject.clone(), entry.version))
            .collect()
    }

    /// The schema ids whose references point at `subject` `version`.
    pub fn referenced_by(&self, subject: &str, version: u32) -> Vec<u32> {
        self.state
            .schemas
            .iter()
            .filter(|(_, schema)| {
                schema
                    .references
                    .iter()
                    .any(|reference| reference.subject == subject && reference.version == version)
            })
            .map(|(id, _)| *id)
            .collect()
    }

    /// The version of `subject` that holds exactly this schema, if any.
    pub fn lookup(
        &self,
        subject: &str,
        schema: &StoredSchema,
    ) -> Result<RegisteredVersion, RegistryError> {
        self.lookup_shown(subject, schema, Deleted::Hide)
    }

    /// [`Store::lookup`], soft-deleted versions included when `deleted` says so.
    pub fn lookup_shown(
        &self,
        subject: &str,
        schema: &StoredSchema,
        deleted: Deleted,
    ) -> Result<RegisteredVersion, RegistryError> {
        let live = self.entries(subject, deleted)?;
        live.iter()
            .find(|entry| {
                self.state
                    .schemas
                    .get(&entry.id)
                    .is_some_and(|stored| stored.same_as(schema))
            })
            .map(|entry| self.registered(subject, entry))
            .ok_or_else(|| RegistryError::new(40403, "Schema not found"))
    }

    pub fn compatibility(&self, subject: Option<&str>) -> CompatibilityLevel {
        subject
            .and_then(|subject| self.state.subjects.get(subject)?.compatibility)
            .unwrap_or(self.state.compatibility)
    }

    /// The level set on the subject itself (not inherited), as `GET /config/{subject}` without
    /// `defaultToGlobal` shows it.
    pub fn subject_compatibility(&self, subject: &str) -> Option<CompatibilityLevel> {
        self.state.subjects.get(subject)?.compatibility
    }

    /// A subject's settings, created on demand (config and mode may precede any version).
    fn subject_state(&mut self, subject: &str) -> &mut SubjectState {
        self.state.subjects.entry(subject.to_string()).or_default()
    }

    /// A subject's state, or 40401 when the registry has never had it.
    fn existing_subject(&mut self, subject: &str) -> Result<&mut SubjectState, RegistryError> {
        self.state
            .subjects
            .get_mut(subject)
            .ok_or_else(|| subject_not_found(subject))
    }

    pub fn set_compatibility(
        &mut self,
        subject: Option<&str>,
        level: CompatibilityLevel,
    ) -> Result<(), RegistryError> {
        match subject {
            Some(subject) => self.subject_state(subject).compatibility = Some(level),
            None => self.state.compatibility = level,
        }
        self.save_change(subject, None)
    }

    pub fn delete_compatibility(
        &mut self,
        subject: &str,
    ) -> Result<CompatibilityLevel, RegistryError> {
        let state = self.existing_subject(subject)?;
        let previous = state
            .compatibility
            .take()
            .unwrap_or(self.state.compatibility);
        self.save_change(Some(subject), None)?;
        Ok(previous)
    }

    pub fn mode(&self, subject: Option<&str>) -> Mode {
        subject
            .and_then(|subject| self.state.subjects.get(subject)?.mode)
            .unwrap_or(self.state.mode)
    }

    pub fn set_mode(&mut self, subject: Option<&str>, mode: Mode) -> Result<(), RegistryError> {
        match subject {
            Some(subject) => self.subject_state(subject).mode = Some(mode),
            None => self.state.mode = mode,
        }
        self.save_change(subject, None)
    }

    /// Checks `schema` against the subject's versions under its level (or against one version).
    pub fn check_compatibility(
        &self,
        subject: &str,
        schema: &StoredSchema,
        against: Option<VersionSelector>,
    ) -> Result<Verdict, RegistryError> {
        let level = self.compatibility(Some(subject));
        let previous: Vec<RegisteredVersion> = match (self.live_versions(subject), against) {
            (Err(_), _) => Vec::new(),
            (Ok(_), Some(selector)) => vec![self.version(subject, selector)?],
            (Ok(live), None) => live
                .iter()
                .map(|entry| self.registered(subject, entry))
                .collect(),
        };
        let parse = |stored: &StoredSchema| {
            let files = ReferenceFiles::new(self, &stored.references)?;
            load::parse(stored.schema_type, "schema", &stored.schema, &files)
                .map_err(|message| RegistryError::new(42201, format!("Invalid schema: {message}")))
        };
        let new = parse(schema)?;
        let mut parsed = Vec::new();
        for version in &previous {
            if version.schema.schema_type != schema.schema_type {
                return Err(RegistryError::new(
                    409,
                    format!(
                        "Schema type {} does not match the subject's type {}",
                        schema.schema_type, version.schema.schema_type
                    ),
                ));
            }
            parsed.push(parse(&version.schema)?);
        }
        let refs: Vec<&load::Parsed> = parsed.iter().collect();
        // One version against itself is what a non-transitive level sees as "the latest".
        let level = match against {
            Some(_) => level.non_transitive(),
            None => level,
        };
        load::check_parsed(level, Policy::Strict, &refs, &new)
            .map_err(|message| RegistryError::new(42201, message))
    }

    /// A Protobuf schema as Confluent's clients ask for it with `format=serialized`: the base64
    /// of its `FileDescriptorProto`, compiled with its references.
    pub fn serialized_protobuf(&self, schema: &StoredSchema) -> Result<String, RegistryError> {
        use base64::Engine as _;
        let files = ReferenceFiles::new(self, &schema.references)?;
        let bytes = crate::formats::protobuf_descriptor::serialized_of(
            "schema.proto",
            &schema.schema,
            files.texts(),
        )
        .map_err(|message| RegistryError::new(42201, format!("Invalid schema: {message}")))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// Registers `schema` under `subject`; returns its global id. Idempotent for a schema the
    /// subject already holds.
    pub fn register(&mut self, subject: &str, schema: StoredSchema) -> Result<u32, RegistryError> {
        self.register_with(subject, schema, None)
    }

    /// [`Store::register`], using `checked` as the compatibility verdict when nothing changed
    /// since it was computed (else the verdict is computed again).
    pub fn register_with(
        &mut self,
        subject: &str,
        schema: StoredSchema,
        checked: Option<CheckedVerdict>,
    ) -> Result<u32, RegistryError> {
        let mode = self.writable(subject)?;
        if let Ok(existing) = self.lookup(subject, &schema) {
            return Ok(existing.id);
        }
        // Every reference must be registered (42201 otherwise, before any verdict).
        ReferenceFiles::new(self, &schema.references)?;
        if mode != Mode::Import {
            let verdict = match checked {
                Some(checked) if checked.generation == self.generation => checked.verdict?,
                _ => self.check_compatibility(subject, &schema, None)?,
            };
            if !verdict.compatible {
                let messages: Vec<String> = verdict
                    .findings
                    .iter()
                    .filter(|finding| finding.difference.breaking)
                    .map(|finding| {
                        format!("{} at {}", finding.difference.kind, finding.difference.path)
                    })
                    .collect();
                return Err(RegistryError::new(
                    409,
                    format!(
                        "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]",
                        messages.join(", ")
                    ),
                ));
            }
        }
        let identity = schema.identity();
        let id = match self.ids_by_identity.get(&identity) {
            Some(id) => *id,
            None => {
                let id = self.state.next_id;
                self.state.next_id += 1;
                self.state.schemas.insert(id, schema);
                self.ids_by_identity.insert(identity, id);
                id
            }
        };
        let state = self.state.subjects.entry(subject.to_string()).or_default();
        let version = state
            .versions
            .iter()
            .map(|entry| entry.version)
            .max()
            .unwrap_or(0)
            + 1;
        state.versions.push(VersionEntry {
            version,
            id,
            deleted: false,
        });
        self.save_change(Some(subject), Some(id))?;
        Ok(id)
    }
}

/// Takes an exclusive lock on the folder's lock file for this process's lifetime.
fn lock_folder(dir: &Path) -> Result<fs::File, RegistryError> {
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))
        .map_err(storage)?;
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a file descriptor this function owns; it does not touch memory.
        let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        if !locked {
            return Err(RegistryError::new(
                50003,
                format!(
                    "the registry folder {} is in use by another evcat process; stop it, or use another folder",
                    dir.display()
                ),
            ));
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests;
