//! The catalog: its model ([`model`]), and loading it from any [`FileTree`].
//!
//! [`Catalog::load`] reads `evcat.yaml` and every domain, service and event manifest, validating
//! each against its JSON Schema. It does not read schema or example files: those are read on
//! demand through [`Catalog::read_text`], so a command that needs one event's schema pays for one.

mod loader;
pub mod manifest;
pub mod model;
pub mod vocabulary;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

pub use model::*;

use crate::findings::{finding, Findings, Location, Site};
use crate::rules;
use crate::source::{locate, position_at, SharedText};
use crate::tree::{CatalogPath, FileTree, TreeError};

pub const SETTINGS_FILE: &str = "evcat.yaml";
const DOMAINS_DIR: &str = "domains";
const DOMAIN_FILE: &str = "domain.yaml";
const EVENT_FILE: &str = "event.yaml";
const SERVICES_DIR: &str = "services";
const EVENTS_DIR: &str = "events";
const SHARED_SCHEMAS_DIR: &str = "schemas";

/// A value left for a person to fill in (`evcat import` writes it where a registry does not
/// know the answer: owners, summaries, producers, consumers); lint reports each (`G012`).
pub const PLACEHOLDER: &str = "TODO";

/// Problems that stop a catalog from loading at all (as opposed to findings in it).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    #[error("{root} has no {SETTINGS_FILE}")]
    #[diagnostic(
        code(evcat::no_catalog),
        help("point --catalog at the folder that holds {SETTINGS_FILE}, or create one with `evcat init`")
    )]
    NoSettings { root: String },
    #[error("cannot read {path} in {root}: {source}")]
    #[diagnostic(code(evcat::io))]
    Io {
        root: String,
        path: CatalogPath,
        source: TreeError,
    },
}

/// Why a file could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("it does not exist")]
    NotFound,
    #[error("it is a symlink to a file outside the catalog")]
    EscapesRoot,
    #[error("it is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    /// Not UTF-8; the byte offset of the first bad byte.
    #[error("it is not UTF-8 text (bad byte at offset {valid_up_to})")]
    NotUtf8 { valid_up_to: usize },
    #[error("it is not a regular file")]
    NotAFile,
    #[error("{0}")]
    Io(String),
}

/// Texts read so far, shared with the findings renderer so it never reads a file twice.
#[derive(Default)]
pub struct Sources {
    texts: Mutex<HashMap<CatalogPath, SharedText>>,
}

impl Sources {
    pub fn get(&self, path: &CatalogPath) -> Option<SharedText> {
        self.texts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(path)
            .cloned()
    }

    /// How many files have been read.
    pub fn len(&self) -> usize {
        self.texts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn insert(&self, path: &CatalogPath, text: SharedText) {
        self.texts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path.clone(), text);
    }
}

/// The catalog's files: the tree and the texts read from it so far. Shared (behind an `Arc`) with
/// whatever must read catalog files on its own, like the JSON Schema `$ref` retriever.
pub struct Files {
    tree: Box<dyn FileTree>,
    sources: Sources,
    /// Whether texts read are kept for later (findings' snippets, a second reader). A catalog
    /// nobody reports on (check's baseline) keeps none: at 50,000 events that is 20 MiB.
    keep_texts: bool,
}

impl Files {
    pub fn tree(&self) -> &dyn FileTree {
        self.tree.as_ref()
    }

    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// Reads a file as UTF-8 text, once; later calls share the same text.
    pub fn read_text(&self, path: &CatalogPath) -> Result<SharedText, ReadError> {
        if let Some(text) = self.sources.get(path) {
            return Ok(text);
        }
        let bytes = self.tree.read(path).map_err(|error| match error {
            TreeError::NotFound => ReadError::NotFound,
            TreeError::EscapesRoot => ReadError::EscapesRoot,
            TreeError::TooLarge { size, limit } => ReadError::TooLarge { size, limit },
            TreeError::NotAFile => ReadError::NotAFile,
            TreeError::Io(error) => ReadError::Io(error.to_string()),
        })?;
        let text: SharedText = match String::from_utf8(bytes) {
            Ok(text) => Arc::from(text.strip_prefix('\u{feff}').unwrap_or(&text)),
            Err(error) => {
                return Err(ReadError::NotUtf8 {
                    valid_up_to: error.utf8_error().valid_up_to(),
                })
            }
        };
        if self.keep_texts {
            self.sources.insert(path, text.clone());
        }
        Ok(text)
    }
}

/// How a schema finds a file it imports (a Protobuf import path): in its own folder, then in
/// the `domains/<domain>/schemas/` folders in domain-name order, then at the catalog root. The
/// shared folders are looked up in one index, never probed one by one (a catalog of many domains
/// would otherwise cost a failed lookup per domain per import).
#[derive(Clone)]
pub struct Imports {
    files: Arc<Files>,
    /// Each shared file by its path below its `schemas/` folder (the first domain's, by name).
    shared: Arc<HashMap<String, CatalogPath>>,
}

impl Imports {
    /// The file `name` means to a schema in `dir`, and its text; `Ok(None)` when it is nowhere.
    /// An unreadable candidate (a symlink out, too large) is an error, not a skip.
    pub fn resolve(
        &self,
        dir: &CatalogPath,
        name: &str,
    ) -> Result<Option<(CatalogPath, SharedText)>, (CatalogPath, ReadError)> {
        let candidates = [
            dir.join(name).ok(),
            self.shared.get(name).cloned(),
            CatalogPath::root().join(name).ok(),
        ];
        for path in candidates.into_iter().flatten() {
            match self.files.read_text(&path) {
                Ok(text) => return Ok(Some((path, text))),
                Err(ReadError::NotFound | ReadError::NotAFile) => continue,
                Err(error) => return Err((path, error)),
            }
        }
        Ok(None)
    }
}

/// A loaded catalog.
pub struct Catalog {
    files: Arc<Files>,
    pub settings: Settings,
    /// Whether `evcat.yaml` could be read (else `settings` are defaults, and checks that
    /// depend on what it declares, such as owners being declared teams, stay silent rather
    /// than report every owner as unknown).
    pub settings_loaded: bool,
    pub domains: Vec<Domain>,
    pub services: Vec<Service>,
    pub events: Vec<Event>,
    /// Files under every `domains/<domain>/schemas/`: shared types that schemas import.
    pub shared_files: Vec<CatalogPath>,
    /// `vocabulary.yaml`, when the catalog has one and it could be read.
    pub vocabulary: Option<vocabulary::Vocabulary>,
    /// The shared files by import path, built on first need (see [`Imports`]).
    shared_index: std::sync::OnceLock<Arc<HashMap<String, CatalogPath>>>,
    /// Domains and services by name, built on first need.
    name_index: std::sync::OnceLock<NameIndex>,
}

/// Positions of domains and services in the catalog's lists, by name.
#[derive(Default)]
struct NameIndex {
    domains: HashMap<String, usize>,
    services: HashMap<String, usize>,
}

/// A catalog and the findings its loading produced.
pub struct Loaded {
    pub catalog: Catalog,
    pub findings: Findings,
}

impl Catalog {
    /// Loads the catalog at the root of `tree`.
    pub fn load(tree: Box<dyn FileTree>) -> Result<Loaded, LoadError> {
        Self::load_keeping(tree, true)
    }

    /// Loads a catalog whose files nobody will show (no findings are reported on it): texts
    /// are not kept after use.
    pub fn load_for_comparison(tree: Box<dyn FileTree>) -> Result<Loaded, LoadError> {
        Self::load_keeping(tree, false)
    }

    fn load_keeping(tree: Box<dyn FileTree>, keep_texts: bool) -> Result<Loaded, LoadError> {
        let settings_path = CatalogPath::root().child(SETTINGS_FILE);
        if !tree.exists(&settings_path) {
            return Err(LoadError::NoSettings {
                root: tree.describe(),
            });
        }
        let catalog = Catalog {
            files: Arc::new(Files {
                tree,
                sources: Sources::default(),
                keep_texts,
            }),
            settings: Settings::default(),
            settings_loaded: false,
            domains: Vec::new(),
            services: Vec::new(),
            events: Vec::new(),
            shared_files: Vec::new(),
            vocabulary: None,
            shared_index: std::sync::OnceLock::new(),
            name_index: std::sync::OnceLock::new(),
        };
        loader::load(catalog, &settings_path)
    }

    pub fn files(&self) -> &Arc<Files> {
        &self.files
    }

    pub fn tree(&self) -> &dyn FileTree {
        self.files.tree()
    }

    pub fn sources(&self) -> &Sources {
        &self.files.sources
    }

    /// Reads a file as UTF-8 text, once; later calls share the same text.
    pub fn read_text(&self, path: &CatalogPath) -> Result<SharedText, ReadError> {
        self.files.read_text(path)
    }

    /// Reads a file, recording a finding when it cannot be read. `referenced_from` is where the
    /// file was named (a missing or escaping path is reported there).
    pub fn read_text_or_report(
        &self,
        path: &CatalogPath,
        referenced_from: &Site,
        findings: &mut Findings,
    ) -> Option<SharedText> {
        match self.read_text(path) {
            Ok(text) => Some(text),
            Err(error) => {
                findings.push(read_error_finding(path, referenced_from, &error, self));
                None
            }
        }
    }

    /// Works out where a site is, reading (cached) text as needed.
    pub fn locate(&self, site: &Site) -> Location {
        let position = match site {
            // A finding about a whole file points at its start.
            Site::File(_) => Some(position_at("", 0)),
            Site::At(_, position) => Some(*position),
            Site::Node { file, path, target } => self
                .sources()
                .get(file)
                .map(|text| locate(&text, path, *target)),
        };
        Location {
            file: site.file().clone(),
            position,
        }
    }

    /// The team that owns an event: its own `owner`, else its domain's.
    pub fn event_owner<'a>(&'a self, event: &'a Event) -> Option<&'a str> {
        event.spec.owner.as_deref().or_else(|| {
            self.domain(&event.domain)?
                .spec
                .as_ref()
                .map(|spec| spec.owner.as_str())
        })
    }

    /// The event's consumers with their owning teams and the teams' contacts, as reviewers read
    /// them: `ledger (payments-team: payments@example.com, #payments)`; a consumer without a
    /// known owner by name alone.
    pub fn consumers_with_teams(&self, event: &Event) -> Vec<String> {
        event
            .spec
            .consumers
            .iter()
            .map(|name| match self.service_owner(name) {
                Some(team) => format!("{name} ({})", self.team_with_contacts(team)),
                None => name.clone(),
            })
            .collect()
    }

    /// The team that owns a service: its own `owner`, else its domain's.
    pub fn service_owner(&self, name: &str) -> Option<&str> {
        let service = self.service(name)?;
        service
            .spec
            .as_ref()
            .and_then(|spec| spec.owner.as_deref())
            .or_else(|| {
                self.domain(&service.domain)?
                    .spec
                    .as_ref()
                    .map(|spec| spec.owner.as_str())
            })
    }

    /// A team with its contacts from evcat.yaml: `payments-team: payments@example.com, #payments`.
    pub fn team_with_contacts(&self, team: &str) -> String {
        let declared = self.settings.teams.get(team);
        describe_team(
            team,
            declared.and_then(|declared| declared.email.as_deref()),
            declared.and_then(|declared| declared.slack.as_deref()),
        )
    }

    pub fn domain(&self, name: &str) -> Option<&Domain> {
        let index = self.names().domains.get(name)?;
        self.domains.get(*index)
    }

    /// A service by name (the first declared, when two share it: lint reports that).
    pub fn service(&self, name: &str) -> Option<&Service> {
        let index = self.names().services.get(name)?;
        self.services.get(*index)
    }

    /// Domains and services by name, indexed once: look-ups per event stay constant-time.
    fn names(&self) -> &NameIndex {
        self.name_index.get_or_init(|| {
            let mut index = NameIndex::default();
            for (position, domain) in self.domains.iter().enumerate() {
                index.domains.entry(domain.name.clone()).or_insert(position);
            }
            for (position, service) in self.services.iter().enumerate() {
                index
                    .services
                    .entry(service.name.clone())
                    .or_insert(position);
            }
            index
        })
    }

    /// Finds the files schemas import, with an index of the shared folders built once.
    pub fn imports(&self) -> Imports {
        let shared = self
            .shared_index
            .get_or_init(|| {
                let mut index = HashMap::new();
                // `shared_files` come domain by domain in name order: the first domain wins.
                for path in &self.shared_files {
                    let segments: Vec<&str> = path.segments().collect();
                    if let [DOMAINS_DIR, _, SHARED_SCHEMAS_DIR, rest @ ..] = segments.as_slice() {
                        index.entry(rest.join("/")).or_insert_with(|| path.clone());
                    }
                }
                Arc::new(index)
            })
            .clone();
        Imports {
            files: self.files.clone(),
            shared,
        }
    }

    /// The compatibility level the registry enforces for an event.
    pub fn effective_compatibility(&self, event: &Event) -> CompatibilityLevel {
        event
            .spec
            .compatibility
            .unwrap_or(self.settings.defaults.compatibility)
    }
}

/// A team as reviewers read it: its id, then its contacts when it has any.
pub fn describe_team(id: &str, email: Option<&str>, slack: Option<&str>) -> String {
    let contacts: Vec<&str> = [email, slack].into_iter().flatten().collect();
    if contacts.is_empty() {
        id.to_string()
    } else {
        format!("{id}: {}", contacts.join(", "))
    }
}

fn read_error_finding(
    path: &CatalogPath,
    referenced_from: &Site,
    error: &ReadError,
    catalog: &Catalog,
) -> crate::findings::Finding {
    match error {
        ReadError::NotFound => finding(
            rules::MISSING_FILE,
            referenced_from.clone(),
            format!("{path} does not exist"),
        ),
        ReadError::NotAFile => finding(
            rules::MISSING_FILE,
            referenced_from.clone(),
            format!("{path} is not a file"),
        ),
        ReadError::EscapesRoot => finding(
            rules::PATH_ESCAPE,
            referenced_from.clone(),
            format!("{path} is a symlink to a file outside the catalog"),
        ),
        ReadError::TooLarge { size, limit } => finding(
            rules::FILE_TOO_LARGE,
            Site::File(path.clone()),
            format!("the file is {size} bytes; evcat reads files of at most {limit} bytes"),
        ),
        ReadError::NotUtf8 { valid_up_to } => {
            // Show the line of the first bad byte, from the valid text before it.
            let prefix = catalog
                .tree()
                .read(path)
                .ok()
                .map(|bytes| {
                    String::from_utf8_lossy(&bytes[..(*valid_up_to).min(bytes.len())]).into_owned()
                })
                .unwrap_or_default();
            let position = position_at(&prefix, prefix.len());
            finding(
                rules::ENCODING,
                Site::At(path.clone(), position),
                format!("not valid UTF-8: the first bad byte is byte {valid_up_to}"),
            )
        }
        ReadError::Io(message) => finding(
            rules::MISSING_FILE,
            referenced_from.clone(),
            format!("{path} cannot be read: {message}"),
        ),
    }
}
