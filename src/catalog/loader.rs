//! Reading a catalog's manifests: `evcat.yaml` first, then the domains, each on its own
//! (they share nothing but the read-only settings and file cache), spread over the cores and
//! merged back in domain-name order so the result and its findings do not depend on timing.

use rayon::prelude::*;

use super::manifest::{parse_manifest, ManifestKind, ManifestSchemas};
use super::vocabulary::VOCABULARY_FILE;
use super::{
    Catalog, Domain, Event, EventSpec, LoadError, Loaded, ReadError, Service, ServiceSpec,
    DOMAINS_DIR, DOMAIN_FILE, EVENTS_DIR, EVENT_FILE, SERVICES_DIR, SHARED_SCHEMAS_DIR,
};
use crate::findings::{finding, Findings, Site};
use crate::rules;
use crate::tree::{CatalogPath, DirEntry, EntryKind, TreeError};

pub(super) fn load(mut catalog: Catalog, settings_path: &CatalogPath) -> Result<Loaded, LoadError> {
    let schemas = ManifestSchemas::new();
    let mut findings = Findings::new();
    let mut reader = Reader {
        catalog: &catalog,
        schemas: &schemas,
        findings: Findings::new(),
    };
    let settings = reader.manifest(settings_path, ManifestKind::Settings);
    let vocabulary_path = settings_path.parent().child(VOCABULARY_FILE);
    let vocabulary = reader.optional_manifest(&vocabulary_path, ManifestKind::Vocabulary);
    let domain_folders = reader.domain_folders()?;
    findings.extend(reader.findings);
    catalog.vocabulary = vocabulary;
    if let Some(settings) = settings {
        catalog.settings = settings;
        catalog.settings_loaded = true;
    }

    // A few domains at a time: the parts read in parallel are merged before the next batch,
    // so the catalog is never held twice.
    for batch in domain_folders.chunks(DOMAINS_PER_BATCH) {
        let parts: Vec<Result<DomainParts, LoadError>> = batch
            .par_iter()
            .map(|(name, dir)| {
                let reader = Reader {
                    catalog: &catalog,
                    schemas: &schemas,
                    findings: Findings::new(),
                };
                reader.domain(name, dir)
            })
            .collect();
        for parts in parts {
            let parts = parts?;
            catalog.domains.push(parts.domain);
            catalog.services.extend(parts.services);
            catalog.events.extend(parts.events);
            catalog.shared_files.extend(parts.shared_files);
            findings.extend(parts.findings);
        }
    }
    Ok(Loaded { catalog, findings })
}

/// How many domains are read in parallel before their parts join the catalog.
const DOMAINS_PER_BATCH: usize = 32;

/// What one domain folder holds.
struct DomainParts {
    domain: Domain,
    services: Vec<Service>,
    events: Vec<Event>,
    shared_files: Vec<CatalogPath>,
    findings: Findings,
}

/// Reads manifests through the catalog's file cache, keeping what it finds.
struct Reader<'a> {
    catalog: &'a Catalog,
    schemas: &'a ManifestSchemas,
    findings: Findings,
}

impl Reader<'_> {
    /// The folders under `domains/` that stay inside the catalog, by name.
    fn domain_folders(&mut self) -> Result<Vec<(String, CatalogPath)>, LoadError> {
        let domains_dir = CatalogPath::root().child(DOMAINS_DIR);
        let mut folders = Vec::new();
        for entry in self.list(&domains_dir)? {
            let dir = domains_dir.child(&entry.name);
            if entry.kind == EntryKind::Dir && !self.escapes(&dir)? {
                folders.push((entry.name, dir));
            }
        }
        Ok(folders)
    }

    fn domain(mut self, name: &str, dir: &CatalogPath) -> Result<DomainParts, LoadError> {
        let manifest_path = dir.child(DOMAIN_FILE);
        let spec = self.manifest_in_folder(&manifest_path, ManifestKind::Domain, dir, DOMAIN_FILE);
        let services = self.services(name, &dir.child(SERVICES_DIR))?;
        let events = self.events(name, &dir.child(EVENTS_DIR))?;
        let mut shared_files = Vec::new();
        self.collect_shared(&dir.child(SHARED_SCHEMAS_DIR), &mut shared_files)?;
        Ok(DomainParts {
            domain: Domain {
                name: name.to_string(),
                dir: dir.clone(),
                manifest: manifest_path,
                spec,
            },
            services,
            events,
            shared_files,
            findings: self.findings,
        })
    }

    /// A folder's entries. A folder that is a symlink out of the catalog is an R004 finding
    /// (once, at the folder) and lists as empty: one bad link does not stop the whole run.
    fn list(&mut self, dir: &CatalogPath) -> Result<Vec<DirEntry>, LoadError> {
        match self.catalog.tree().list(dir) {
            Ok(entries) => Ok(entries),
            Err(TreeError::EscapesRoot) => {
                self.findings.push(
                    finding(
                        rules::PATH_ESCAPE,
                        Site::File(dir.clone()),
                        format!(
                            "{dir} is a symlink to a folder outside the catalog; it was skipped"
                        ),
                    )
                    .with_help("move the folder into the catalog, or link to a folder inside it"),
                );
                Ok(Vec::new())
            }
            Err(source) => Err(LoadError::Io {
                root: self.catalog.tree().describe(),
                path: dir.clone(),
                source,
            }),
        }
    }

    /// Whether a folder leads out of the catalog (reported by [`Reader::list`]). Asked of domain
    /// folders, which are few; an event folder that leads out is reported by its manifest's read.
    fn escapes(&mut self, dir: &CatalogPath) -> Result<bool, LoadError> {
        let before = self.findings.len();
        self.list(dir)?;
        Ok(self.findings.len() > before)
    }

    fn manifest<T: serde::de::DeserializeOwned>(
        &mut self,
        path: &CatalogPath,
        kind: ManifestKind,
    ) -> Option<T> {
        let text = self.catalog.read_text_or_report(
            path,
            &Site::File(path.clone()),
            &mut self.findings,
        )?;
        parse_manifest(path, &text, kind, self.schemas, &mut self.findings)
    }

    /// A manifest the catalog may do without: `None`, silently, when there is no such file.
    fn optional_manifest<T: serde::de::DeserializeOwned>(
        &mut self,
        path: &CatalogPath,
        kind: ManifestKind,
    ) -> Option<T> {
        match self.catalog.read_text(path) {
            Err(ReadError::NotFound) => None,
            _ => self.manifest(path, kind),
        }
    }

    /// A folder's manifest; a missing one is reported as the folder lacking it (one read, no
    /// separate existence test).
    fn manifest_in_folder<T: serde::de::DeserializeOwned>(
        &mut self,
        path: &CatalogPath,
        kind: ManifestKind,
        folder: &CatalogPath,
        manifest_name: &str,
    ) -> Option<T> {
        match self.catalog.read_text(path) {
            Err(ReadError::NotFound) => {
                self.findings.add(
                    rules::MISSING_MANIFEST,
                    Site::File(folder.clone()),
                    format!("{} folder {folder} has no {manifest_name}", kind.noun()),
                );
                None
            }
            _ => self.manifest(path, kind),
        }
    }

    fn services(&mut self, domain: &str, dir: &CatalogPath) -> Result<Vec<Service>, LoadError> {
        let mut services = Vec::new();
        for entry in self.list(dir)? {
            let Some(service_name) = entry
                .name
                .strip_suffix(".yaml")
                .or_else(|| entry.name.strip_suffix(".yml"))
            else {
                continue;
            };
            if entry.kind != EntryKind::File {
                continue;
            }
            let file = dir.child(&entry.name);
            let spec = self.manifest::<ServiceSpec>(&file, ManifestKind::Service);
            services.push(Service {
                name: service_name.to_string(),
                domain: domain.to_string(),
                file,
                spec,
            });
        }
        Ok(services)
    }

    fn events(&mut self, domain: &str, dir: &CatalogPath) -> Result<Vec<Event>, LoadError> {
        let mut events = Vec::new();
        for entry in self.list(dir)? {
            if entry.kind != EntryKind::Dir {
                continue;
            }
            let event_dir = dir.child(&entry.name);
            let file = event_dir.child(EVENT_FILE);
            if let Some(spec) = self.manifest_in_folder::<EventSpec>(
                &file,
                ManifestKind::Event,
                &event_dir,
                EVENT_FILE,
            ) {
                events.push(Event {
                    domain: domain.to_string(),
                    dir: event_dir,
                    file,
                    spec,
                });
            }
        }
        Ok(events)
    }

    fn collect_shared(
        &mut self,
        dir: &CatalogPath,
        into: &mut Vec<CatalogPath>,
    ) -> Result<(), LoadError> {
        for entry in self.list(dir)? {
            let path = dir.child(&entry.name);
            match entry.kind {
                EntryKind::Dir => self.collect_shared(&path, into)?,
                EntryKind::File => into.push(path),
            }
        }
        Ok(())
    }
}
