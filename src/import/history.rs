//! `evcat import registry --history`: a new Git repository whose commits are the registry's
//! versions, oldest (lowest id) first, each writing that version's schema where the import
//! placed its subject (with the event's manifest and domain on its first version), so `check`
//! and the transitive levels see the real history from the first day. Built in a temporary
//! folder and moved into place whole.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{Repository, RepositoryInitOptions, Signature};

use super::registry::{version_text, Imported};
use super::ImportError;
use crate::catalog::SETTINGS_FILE;
use crate::push::Progress;
use crate::registry::store::RegisteredVersion;

pub fn write(
    out: &Path,
    versions: &[RegisteredVersion],
    imported: &Imported,
    progress: &dyn Progress,
) -> Result<(), ImportError> {
    if out.exists() {
        return Err(ImportError::HistoryNeedsNewFolder(
            out.display().to_string(),
        ));
    }
    let io = |path: &Path, source| ImportError::Write {
        path: path.display().to_string(),
        source,
    };
    let staging = super::staging_folder(out)?;
    let mut repository = History::init(staging.path())?;
    if let Some(settings) = imported.files.get(SETTINGS_FILE) {
        repository.write(SETTINGS_FILE, settings)?;
        repository.commit("Import the catalog's settings from the registry")?;
    }
    let mut ordered: Vec<&RegisteredVersion> = versions
        .iter()
        .filter(|version| imported.placed.contains_key(&version.subject))
        .collect();
    ordered.sort_by_key(|version| version.id);
    progress.begin("committing registered versions", ordered.len());
    for version in ordered {
        let Some(placed) = imported.placed.get(&version.subject) else {
            continue;
        };
        repository.write(&placed.schema, &version_text(version))?;
        for path in &placed.with {
            // A manifest names its key's file only once that file is in the history.
            let text = match imported.before_key.get(path) {
                Some((without_key, key_file)) if !repository.has(key_file) => Some(without_key),
                _ => imported.files.get(path),
            };
            if let Some(text) = text {
                repository.write_if_changed(path, text)?;
            }
        }
        repository.commit(&format!(
            "Register {} version {} (id {})",
            version.subject, version.version, version.id
        ))?;
        progress.advance(1);
    }
    progress.end();
    for (path, text) in &imported.files {
        repository.write_if_changed(path, text)?;
    }
    repository.commit("Import the catalog's remaining files")?;
    repository.index.write().map_err(git)?;
    let staged = staging.keep();
    std::fs::rename(&staged, out).map_err(|source| {
        let _ = std::fs::remove_dir_all(&staged);
        io(out, source)
    })
}

/// A repository being written: files changed since the last commit are staged one by one (not
/// by scanning the folder, which would make the import quadratic).
struct History {
    repository: Repository,
    /// Kept in memory between commits, written to disk once at the end.
    index: git2::Index,
    /// Who commits (read from Git's configuration once), and the last commit.
    signature: Signature<'static>,
    parent: Option<git2::Oid>,
    /// What each file holds now.
    written: BTreeMap<String, String>,
    changed: Vec<String>,
}

fn git(error: git2::Error) -> ImportError {
    ImportError::Git(error.message().to_string())
}

impl History {
    fn init(dir: &Path) -> Result<Self, ImportError> {
        let repository =
            Repository::init_opts(dir, RepositoryInitOptions::new().initial_head("main"))
                .map_err(git)?;
        // Every object a commit names was just written by this import: libgit2 need not look
        // each up again (on a growing repository, that lookup is most of the time).
        git2::opts::strict_object_creation(false);
        let index = repository.index().map_err(git)?;
        let signature = repository
            .signature()
            .map(|signature| signature.to_owned())
            .or_else(|_| Signature::now("evcat import", "evcat-import@localhost"))
            .map_err(git)?;
        Ok(History {
            index,
            signature,
            parent: None,
            repository,
            written: BTreeMap::new(),
            changed: Vec::new(),
        })
    }

    fn root(&self) -> &Path {
        // A repository made by `init_opts` on a folder has a work tree there.
        self.repository.workdir().unwrap_or(Path::new("."))
    }

    fn write(&mut self, path: &str, text: &str) -> Result<(), ImportError> {
        let target = self.root().join(path);
        if let Some(folder) = target.parent() {
            std::fs::create_dir_all(folder).map_err(|source| ImportError::Write {
                path: folder.display().to_string(),
                source,
            })?;
        }
        std::fs::write(&target, text).map_err(|source| ImportError::Write {
            path: target.display().to_string(),
            source,
        })?;
        self.written.insert(path.to_string(), text.to_string());
        self.changed.push(path.to_string());
        Ok(())
    }

    fn has(&self, path: &str) -> bool {
        self.written.contains_key(path)
    }

    /// Writes `path` unless it already holds `text`.
    fn write_if_changed(&mut self, path: &str, text: &str) -> Result<(), ImportError> {
        if self.written.get(path).is_some_and(|held| held == text) {
            return Ok(());
        }
        self.write(path, text)
    }

    fn commit(&mut self, message: &str) -> Result<(), ImportError> {
        if self.changed.is_empty() {
            return Ok(());
        }
        for path in self.changed.drain(..) {
            self.index.add_path(Path::new(&path)).map_err(git)?;
        }
        let tree = self
            .repository
            .find_tree(self.index.write_tree().map_err(git)?)
            .map_err(git)?;
        let parent = match self.parent {
            Some(id) => Some(self.repository.find_commit(id).map_err(git)?),
            None => None,
        };
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let id = self
            .repository
            .commit(
                Some("HEAD"),
                &self.signature,
                &self.signature,
                message,
                &tree,
                &parents,
            )
            .map_err(git)?;
        self.parent = Some(id);
        Ok(())
    }
}
