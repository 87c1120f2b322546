//! `evcat export`: the catalog for other tools, to stdout or (atomically) to a file.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::explore::{load, warn_incomplete};
use super::output::write_file;
use super::{CliError, Ui, EXIT_OK};
use crate::discover::{Detail, Discovery};

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The discovery model (events, services, domains, teams, shared schemas, topics, flows,
    /// every schema's fields) as one JSON document; its shape is in docs/export.md.
    Json {
        /// Write to this file instead of stdout (whole or not at all).
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

pub fn export(catalog: Option<&Path>, command: &ExportCommand, ui: &Ui) -> Result<u8, CliError> {
    match command {
        ExportCommand::Json { output } => {
            let catalog = load(catalog, ui)?;
            let discovery = Discovery::build(&catalog, Detail::Fields);
            warn_incomplete(&discovery, ui);
            deliver(&crate::export::json::render(&discovery), output.as_deref())
        }
    }
}

fn deliver(text: &str, output: Option<&Path>) -> Result<u8, CliError> {
    match output {
        Some(path) => write_file(path, text)?,
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(text.as_bytes())?;
        }
    }
    Ok(EXIT_OK)
}
