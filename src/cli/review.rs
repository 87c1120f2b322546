//! `evcat codeowners`: generate the catalog's CODEOWNERS, write it, or (`--check`) compare it
//! with the file on disk for CI.

use std::path::{Path, PathBuf};

use super::commands::{catalog_root, load_catalog_at};
use super::output::{create_folder, write_file};
use super::{CliError, Ui, EXIT_FINDINGS, EXIT_OK};
use crate::catalog::CodeHost;
use crate::review::codeowners;

/// Where CODEOWNERS goes by default: where the catalog's code host looks for it.
fn default_output(root: &Path, host: CodeHost) -> PathBuf {
    match host {
        CodeHost::Github => root.join(".github").join("CODEOWNERS"),
        CodeHost::Gitlab => root.join(".gitlab").join("CODEOWNERS"),
    }
}

/// The largest CODEOWNERS file `--check` reads (a 50,000-event catalog's is ~4 MiB); a larger one
/// is an error, not a comparison of its first part.
const MAX_CODEOWNERS_BYTES: u64 = 64 * 1024 * 1024;

pub fn codeowners(
    catalog: Option<&Path>,
    check: bool,
    output: Option<&Path>,
    ui: &Ui,
) -> Result<u8, CliError> {
    let root = catalog_root(catalog)?;
    let loaded = load_catalog_at(&root)?;
    let catalog = &loaded.catalog;
    // Paths in CODEOWNERS are relative to the repository, which may hold the catalog in a folder.
    let prefix = crate::git::CatalogRepository::discover(&root)
        .map(|repository| repository.prefix().to_string())
        .unwrap_or_default();
    let prefix = if prefix.is_empty() {
        prefix
    } else {
        format!("{prefix}/")
    };
    let generated = codeowners::generate(catalog, &prefix);
    if !ui.quiet {
        let host = catalog.settings.review.host;
        for team in &generated.without_handle {
            eprintln!(
                "warning: team `{team}` has no {} handle in evcat.yaml: what it owns has no \
                 reviewer from it (add `{}: \"@org/team\"` to the team)",
                host.as_str(),
                host.as_str()
            );
        }
    }
    let path = match output {
        Some(path) if path == Path::new("-") => return print(&generated.text, check),
        Some(path) => path.to_path_buf(),
        None => default_output(&root, catalog.settings.review.host),
    };
    if check {
        return compare(&path, &generated.text);
    }
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        create_folder(parent)?;
    }
    write_file(&path, &generated.text)?;
    if !ui.quiet {
        eprintln!("wrote {}", path.display());
    }
    Ok(EXIT_OK)
}

fn print(text: &str, check: bool) -> Result<u8, CliError> {
    if check {
        return Err(CliError::CodeownersCheckNeedsFile);
    }
    use std::io::Write;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(EXIT_OK)
}

/// `--check`: exit 1, printing the difference, when the file is not what the catalog says.
fn compare(path: &Path, generated: &str) -> Result<u8, CliError> {
    let on_disk = match crate::tree::read_os_file(path, MAX_CODEOWNERS_BYTES) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(crate::tree::TreeError::NotFound) => {
            println!(
                "{} is missing; `evcat codeowners` writes it",
                path.display()
            );
            return Ok(EXIT_FINDINGS);
        }
        Err(source) => {
            return Err(CliError::ReadCodeowners {
                path: path.display().to_string(),
                source,
            })
        }
    };
    let difference = codeowners::difference(&on_disk, generated);
    if difference.is_empty() {
        println!("{} is up to date", path.display());
        return Ok(EXIT_OK);
    }
    println!(
        "{} differs from what the catalog says (- on disk, + expected):",
        path.display()
    );
    for line in difference {
        println!("  {line}");
    }
    println!("run `evcat codeowners` to regenerate it");
    Ok(EXIT_FINDINGS)
}
