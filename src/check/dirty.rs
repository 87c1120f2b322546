//! Whether the catalog on disk differs from HEAD, decided as Git decides it, and the Git entries
//! of the files on disk, kept for the comparison that follows.

use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

use git2::Oid;

use super::{schema_file, ROLES};
use crate::catalog::Catalog;
use crate::git::{content_id_by, entries_differ, GitTree};
use crate::tree::{CatalogPath, FileTree, GitEntry};

/// The Git entries of a catalog's files on disk, each hashed once per run.
pub(super) struct ContentIds<'c> {
    catalog: &'c Catalog,
    known: Mutex<HashMap<CatalogPath, Option<GitEntry>>>,
}

impl<'c> ContentIds<'c> {
    pub(super) fn new(catalog: &'c Catalog) -> Self {
        ContentIds {
            catalog,
            known: Mutex::new(HashMap::new()),
        }
    }

    fn known(&self) -> std::sync::MutexGuard<'_, HashMap<CatalogPath, Option<GitEntry>>> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn entry(&self, path: &CatalogPath) -> Option<GitEntry> {
        if let Some(entry) = self.known().get(path) {
            return entry.clone();
        }
        let entry = self.catalog.tree().entry(path);
        self.known().insert(path.clone(), entry.clone());
        entry
    }

    /// The blob id of what the file holds (see [`content_id`]).
    pub(super) fn of(&self, path: &CatalogPath) -> Option<Oid> {
        content_id_by(|path| self.entry(path), path)
    }
}

/// The files of the catalog evcat reads, in two groups: those compared again once the baseline
/// is chosen (each event's schemas and the shared schemas), and those only read (manifests and
/// examples).
struct FilesRead {
    schemas: Vec<CatalogPath>,
    others: Vec<CatalogPath>,
}

fn catalog_files(catalog: &Catalog) -> FilesRead {
    let mut others = vec![CatalogPath::root().child(crate::catalog::SETTINGS_FILE)];
    let mut schemas = Vec::new();
    others.extend(catalog.domains.iter().map(|domain| domain.manifest.clone()));
    others.extend(catalog.services.iter().map(|service| service.file.clone()));
    for event in &catalog.events {
        others.push(event.file.clone());
        schemas.extend(ROLES.iter().filter_map(|role| schema_file(event, *role)));
        others.extend(
            event
                .spec
                .examples
                .iter()
                .filter_map(|written| event.dir.join(written).ok()),
        );
    }
    schemas.extend(catalog.shared_files.iter().cloned());
    FilesRead { schemas, others }
}

/// Whether the catalog on disk differs from HEAD's: a file evcat reads changed, appeared or
/// disappeared, as Git sees it (a symlink by its target text, then what it leads to; a file
/// over the read limit by its hash). Only files on disk are hashed, nothing is diffed. Only the
/// schemas' entries are kept (in `current`): the comparison asks for them again.
pub(super) fn catalog_differs(current: &ContentIds<'_>, head: &GitTree) -> bool {
    let files = catalog_files(current.catalog);
    let tree = current.catalog.tree();
    // Spread over the cores: each entry costs an `lstat` (and a hash when Git's index cannot
    // vouch for the file).
    let changed = files
        .others
        .par_iter()
        .any(|path| entries_differ(|path| tree.entry(path), |path| head.entry(path), path))
        || files
            .schemas
            .par_iter()
            .any(|path| entries_differ(|path| current.entry(path), |path| head.entry(path), path));
    if changed {
        return true;
    }
    // A manifest or shared schema HEAD has and the disk does not: something was deleted.
    let on_disk: HashSet<&str> = files
        .others
        .iter()
        .chain(&files.schemas)
        .map(CatalogPath::as_str)
        .collect();
    head.paths()
        .any(|path| is_catalog_file(path) && !on_disk.contains(path))
}

/// Whether a path is one the loader reads by layout (manifests, shared schemas).
fn is_catalog_file(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        [crate::catalog::SETTINGS_FILE] => true,
        ["domains", _, "domain.yaml"] => true,
        ["domains", _, "services", file] => file.ends_with(".yaml") || file.ends_with(".yml"),
        ["domains", _, "events", _, "event.yaml"] => true,
        ["domains", _, "schemas", ..] => true,
        _ => false,
    }
}
