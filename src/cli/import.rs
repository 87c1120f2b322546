//! `evcat import registry`: a catalog (or more of one) from a live registry.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::{CliError, Ui, EXIT_FINDINGS, EXIT_OK};
use crate::catalog::Environment;
use crate::import::{import_registry, RegistryImport};

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Create or extend a catalog from a Confluent-compatible registry: events from subjects,
    /// shared schemas from references, levels kept, TODO where the registry does not know.
    /// Never overwrites a file; writes nothing when anything stops it.
    #[command(
        after_help = "Exit codes: 0 imported (files that exist are listed, not overwritten); 1 a subject could not be imported (nothing written); 2 the registry could not be read."
    )]
    Registry(RegistryArgs),
    /// Create or extend a catalog from AsyncAPI 2.x or 3.0 documents (JSON or YAML), one per
    /// service: topics, events with their payload schemas and keys, producers and consumers.
    #[command(
        after_help = "Exit codes: 0 imported; 1 a document could not be imported (nothing written); 2 a file could not be read."
    )]
    Asyncapi {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The catalog folder to create or extend.
        #[arg(long, default_value = ".", value_name = "DIR")]
        out: PathBuf,
        /// The catalog's name in the evcat.yaml written; the folder's name by default.
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Args, Debug)]
pub struct RegistryArgs {
    /// The registry's base URL.
    #[arg(long)]
    url: String,
    /// Basic auth: the environment variables holding the user name and password (as
    /// `auth.basic.username_env`/`password_env` in evcat.yaml, which the import writes).
    #[arg(long, value_name = "VAR", requires = "password_env")]
    username_env: Option<String>,
    #[arg(long, value_name = "VAR", requires = "username_env")]
    password_env: Option<String>,
    /// Bearer auth: the environment variable holding the token.
    #[arg(long, value_name = "VAR", conflicts_with = "username_env")]
    bearer_env: Option<String>,
    /// PEM CAs to trust besides the system's.
    #[arg(long, value_name = "FILE")]
    ca_file: Option<String>,
    /// Skip TLS certificate verification (not recommended).
    #[arg(long)]
    insecure_skip_verify: bool,
    /// Only subjects matching this regular expression (and the subjects they reference).
    #[arg(long, value_name = "REGEX")]
    subjects: Option<String>,
    /// The catalog folder to create or extend.
    #[arg(long, default_value = ".", value_name = "DIR")]
    out: PathBuf,
    /// The environment's name in the evcat.yaml written.
    #[arg(long, default_value = "prod", value_name = "ENV")]
    env: String,
    /// The catalog's name in the evcat.yaml written; the folder's name by default.
    #[arg(long)]
    name: Option<String>,
    /// Make --out a new Git repository whose commits are the registered versions, oldest first
    /// (so `check` and transitive levels have the real history).
    #[arg(long)]
    history: bool,
}

impl RegistryArgs {
    /// The registry settings as evcat.yaml writes them.
    fn settings(&self) -> Value {
        let mut settings = json!({ "url": self.url });
        if let (Some(username_env), Some(password_env)) = (&self.username_env, &self.password_env) {
            settings["auth"] = json!({ "basic": {
                "username_env": username_env, "password_env": password_env } });
        }
        if let Some(bearer_env) = &self.bearer_env {
            settings["auth"] = json!({ "bearer_env": bearer_env });
        }
        if self.ca_file.is_some() || self.insecure_skip_verify {
            let mut tls = json!({});
            if let Some(ca_file) = &self.ca_file {
                tls["ca_file"] = json!(ca_file);
            }
            if self.insecure_skip_verify {
                tls["insecure_skip_verify"] = json!(true);
            }
            settings["tls"] = tls;
        }
        settings
    }
}

pub fn import(command: &ImportCommand, ui: &Ui) -> Result<u8, CliError> {
    let args = match command {
        ImportCommand::Registry(args) => args,
        ImportCommand::Asyncapi { files, out, name } => {
            return import_asyncapi(files, out, name.as_deref(), ui)
        }
    };
    let pattern = args
        .subjects
        .as_deref()
        .map(regex::Regex::new)
        .transpose()
        .map_err(|error| CliError::Usage(format!("--subjects: {error}")))?;
    let settings = args.settings();
    let environment: Environment =
        serde_json::from_value(json!({ "name": args.env, "registry": settings }))
            .map_err(|error| CliError::Usage(format!("registry settings: {error}")))?;
    let mut registry = crate::registry::connect::open(&environment, std::path::Path::new("."))
        .map_err(crate::push::PushError::from)?;
    let folder_name = std::fs::canonicalize(&args.out)
        .ok()
        .or_else(|| Some(args.out.clone()))
        .and_then(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "imported".to_string());
    let options = RegistryImport {
        settings,
        environment: &args.env,
        catalog_name: args.name.as_deref().unwrap_or(&folder_name),
        subjects: pattern.as_ref(),
        history: args.history,
    };
    let bar = super::commands::ProgressBar::new(!ui.quiet && std::io::stderr().is_terminal());
    let report = import_registry(registry.as_mut(), &options, &args.out, &bar)?;
    finish(&report, &args.out, "subjects", "shared schemas", ui)
}

fn folder_name(out: &std::path::Path) -> String {
    std::fs::canonicalize(out)
        .ok()
        .or_else(|| Some(out.to_path_buf()))
        .and_then(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "imported".to_string())
}

fn import_asyncapi(
    files: &[PathBuf],
    out: &std::path::Path,
    name: Option<&str>,
    ui: &Ui,
) -> Result<u8, CliError> {
    let mut texts = Vec::new();
    for file in files {
        let bytes =
            crate::tree::read_os_file(file, crate::tree::MAX_FILE_BYTES).map_err(|source| {
                CliError::ReadSchema {
                    path: file.display().to_string(),
                    source,
                }
            })?;
        texts.push((
            file.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    let catalog_name = name.map(str::to_string).unwrap_or_else(|| folder_name(out));
    let report = crate::import::import_asyncapi(&texts, &catalog_name, out)?;
    finish(&report, out, "documents", "services", ui)
}

/// Prints what an import did; problems mean nothing was written (exit 1).
fn finish(
    report: &crate::import::ImportReport,
    out: &std::path::Path,
    read: &str,
    second: &str,
    ui: &Ui,
) -> Result<u8, CliError> {
    if !report.problems.is_empty() {
        for problem in &report.problems {
            eprintln!("error: {problem}");
        }
        eprintln!(
            "import: {} problem(s); nothing was written",
            report.problems.len()
        );
        return Ok(EXIT_FINDINGS);
    }
    for path in &report.differs {
        eprintln!("differs (left as it is): {}", out.join(path).display());
    }
    if !ui.quiet {
        eprintln!(
            "import: {} {read} → {} events and {} {second} in {}: {} files written, \
             {} unchanged, {} differ; run `evcat lint` to see the TODOs to fill in",
            report.subjects,
            report.events,
            report.shared,
            out.display(),
            report.written.len(),
            report.unchanged.len(),
            report.differs.len()
        );
    }
    Ok(EXIT_OK)
}
