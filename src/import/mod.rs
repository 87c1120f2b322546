//! `evcat import`: a catalog from what a team already has. `registry` reads a live
//! Confluent-compatible registry (`import::registry` plans the files). Nothing is written when
//! anything stops the import, a file that exists is never overwritten (the import adds what is
//! new and lists what differs), and new files are written into a temporary folder first and
//! then moved into place.

pub mod asyncapi;
mod history;
pub mod registry;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value;

use crate::catalog::{SubjectStrategy, PLACEHOLDER, SETTINGS_FILE};
use crate::push::Progress;
use crate::registry::store::RegistryError;
use crate::registry::Registry;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ImportError {
    #[error("cannot read the registry: {0}")]
    #[diagnostic(
        code(evcat::import::registry),
        help("check --url and the credentials; nothing was written")
    )]
    Registry(String),
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(evcat::io), help("nothing was moved into place"))]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("--history makes a new repository, and {0} exists")]
    #[diagnostic(
        code(evcat::import::history_folder),
        help("give --out a folder that does not exist yet")
    )]
    HistoryNeedsNewFolder(String),
    #[error("cannot commit the history: {0}")]
    #[diagnostic(code(evcat::import::git), help("nothing was moved into place"))]
    Git(String),
}

impl From<RegistryError> for ImportError {
    fn from(error: RegistryError) -> Self {
        ImportError::Registry(error.to_string())
    }
}

/// How to import from a registry.
pub struct RegistryImport<'a> {
    /// The registry settings evcat.yaml gets for the environment (URL, auth and TLS as given).
    pub settings: Value,
    pub environment: &'a str,
    pub catalog_name: &'a str,
    /// Only subjects matching this (and what they reference).
    pub subjects: Option<&'a Regex>,
    /// Every registered version becomes a Git commit, oldest first.
    pub history: bool,
}

/// What an import did, or would have done.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub subjects: usize,
    pub events: usize,
    pub shared: usize,
    pub written: Vec<String>,
    pub unchanged: Vec<String>,
    /// Files that exist with other content: left as they are.
    pub differs: Vec<String>,
    /// What stopped the import (nothing was written).
    pub problems: Vec<String>,
}

/// `progress` hears of the steps that grow with the registry: reading subjects' levels and,
/// with `--history`, committing versions.
pub fn import_registry(
    registry: &mut dyn Registry,
    options: &RegistryImport<'_>,
    out: &Path,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    let versions = registry.all_versions()?;
    let subjects: BTreeSet<String> = versions
        .iter()
        .map(|version| version.subject.clone())
        .filter(|subject| {
            options
                .subjects
                .is_none_or(|pattern| pattern.is_match(subject))
        })
        .collect();
    let global_level = registry.global_compatibility()?;
    let subject_list: Vec<String> = subjects.iter().cloned().collect();
    let mut levels = HashMap::new();
    progress.begin("reading subject levels", subject_list.len());
    let read = registry.compatibility_all(&subject_list);
    progress.advance(subject_list.len());
    progress.end();
    for (subject, level) in subject_list.iter().zip(read) {
        if let Some(level) = level? {
            levels.insert(subject.clone(), level);
        }
    }
    let source = registry::Source {
        versions: &versions,
        global_level,
        levels: &levels,
    };
    let mut imported = registry::plan(&source, &subjects);
    let mut report = ImportReport {
        subjects: subjects.len(),
        events: imported.events,
        shared: imported.shared,
        problems: std::mem::take(&mut imported.problems),
        ..ImportReport::default()
    };
    if !report.problems.is_empty() {
        return Ok(report);
    }
    let strategy = imported
        .strategy
        .map(SubjectStrategy::as_str)
        .unwrap_or("topic");
    imported.files.insert(
        SETTINGS_FILE.to_string(),
        format!(
            "# Imported from a Schema Registry by `evcat import registry`: fill in each {} \
             (`evcat lint` lists them).\ncatalog: {}\nteams: {{}}\nenvironments:\n  - name: {}\n    \
             registry: {}\ndefaults:\n  compatibility: {}\n  subject_strategy: {strategy}\n",
            PLACEHOLDER,
            yaml_string(options.catalog_name),
            yaml_string(options.environment),
            options.settings,
            global_level.as_str(),
        ),
    );
    if options.history {
        history::write(out, &versions, &imported, progress)?;
        report.written = imported.files.keys().cloned().collect();
    } else {
        write_new(out, &imported.files, &mut report)?;
    }
    Ok(report)
}

/// Imports AsyncAPI documents (`files`: each path and its text) into `out`.
pub fn import_asyncapi(
    files: &[(String, String)],
    catalog_name: &str,
    out: &Path,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    let mut values = Vec::new();
    for (path, text) in files {
        match crate::yaml::parse(text) {
            Ok(value) => values.push((path.as_str(), value)),
            Err(error) => report.problems.push(format!(
                "{path}:{}:{}: {}",
                error.line, error.column, error.message
            )),
        }
    }
    let documents: Vec<asyncapi::Document<'_>> = values
        .iter()
        .map(|(file, value)| asyncapi::Document { file, value })
        .collect();
    let mut planned = asyncapi::plan(&documents);
    report.problems.append(&mut planned.problems);
    report.events = planned.events;
    report.subjects = files.len();
    report.shared = planned.services;
    if !report.problems.is_empty() {
        return Ok(report);
    }
    planned.files.insert(
        SETTINGS_FILE.to_string(),
        format!(
            "# Imported from AsyncAPI by `evcat import asyncapi`: fill in each {} (`evcat lint` \
             lists them), and the environments' registries.\ncatalog: {}\nteams: {{}}\n",
            PLACEHOLDER,
            yaml_string(catalog_name)
        ),
    );
    write_new(out, &planned.files, &mut report)?;
    Ok(report)
}

/// A YAML scalar that reads back as exactly `text` (JSON strings are YAML).
fn yaml_string(text: &str) -> String {
    // Serializing a string cannot fail.
    serde_json::to_string(text).unwrap_or_default()
}

/// A domain's manifest as an import writes it: an owner and a summary to fill in. `origin`
/// says where the import read from.
fn placeholder_domain(origin: &str) -> String {
    format!(
        "# Imported from {origin}: fill in each {PLACEHOLDER}.\nowner: {PLACEHOLDER}\n\
         summary: {PLACEHOLDER}\n"
    )
}

/// The most bytes of an existing file compared with what the import would write.
const MAX_COMPARED_BYTES: u64 = 4 * 1024 * 1024;

/// A temporary folder beside `out` (so that moving it into place is a rename), removed when
/// dropped unless kept.
fn staging_folder(out: &Path) -> Result<tempfile::TempDir, ImportError> {
    let parent = out
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let write_error = |source| ImportError::Write {
        path: parent.display().to_string(),
        source,
    };
    std::fs::create_dir_all(parent).map_err(write_error)?;
    tempfile::Builder::new()
        .prefix(".evcat-import-")
        .tempdir_in(parent)
        .map_err(write_error)
}

/// Sorts the files into unchanged, differing and new, then writes the new ones: into a
/// temporary folder, then moved into place (the whole folder when `out` does not exist yet).
fn write_new(
    out: &Path,
    files: &std::collections::BTreeMap<String, String>,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let mut new: Vec<(&String, &String)> = Vec::new();
    for (path, text) in files {
        match crate::tree::read_os_file(&out.join(path), MAX_COMPARED_BYTES) {
            Ok(existing) if existing == text.as_bytes() => report.unchanged.push(path.clone()),
            Ok(_) => report.differs.push(path.clone()),
            Err(_) if out.join(path).exists() => report.differs.push(path.clone()),
            Err(_) => new.push((path, text)),
        }
    }
    if new.is_empty() {
        return Ok(());
    }
    let write_error = |path: &Path, source| ImportError::Write {
        path: path.display().to_string(),
        source,
    };
    let staging = staging_folder(out)?;
    for (path, text) in &new {
        let target = staging.path().join(path);
        if let Some(folder) = target.parent() {
            std::fs::create_dir_all(folder).map_err(|source| write_error(folder, source))?;
        }
        std::fs::write(&target, text).map_err(|source| write_error(&target, source))?;
    }
    if !out.exists() {
        let staged = staging.keep();
        std::fs::rename(&staged, out).map_err(|source| {
            let _ = std::fs::remove_dir_all(&staged);
            write_error(out, source)
        })?;
    } else {
        for (path, _) in &new {
            let from: PathBuf = staging.path().join(path);
            let to = out.join(path);
            if let Some(folder) = to.parent() {
                std::fs::create_dir_all(folder).map_err(|source| write_error(folder, source))?;
            }
            std::fs::rename(&from, &to).map_err(|source| write_error(&to, source))?;
        }
    }
    report.written = new.into_iter().map(|(path, _)| path.clone()).collect();
    Ok(())
}
