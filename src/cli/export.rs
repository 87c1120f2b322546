//! `evcat export`: the catalog for other tools, to stdout or (atomically) to a file.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::explore::{load, warn_incomplete};
use super::output::{create_folder, write_file};
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
    /// Backstage catalog entities (`<out>/catalog-info.yaml`): a Group per team, a Domain per
    /// domain, a Component per service, an `asyncapi` API per producing service, with
    /// providesApis/consumesApis.
    Backstage {
        #[arg(long, default_value = "backstage", value_name = "DIR")]
        out: PathBuf,
    },
    /// One AsyncAPI 3.0 document per service (`<out>/<service>.asyncapi.json`): channels per
    /// topic, send/receive operations, messages with their schemas, Kafka bindings, a server per
    /// environment with its registry.
    Asyncapi {
        /// Only this service.
        #[arg(long)]
        service: Option<String>,
        /// The folder to write the documents into (created when missing).
        #[arg(long, default_value = "asyncapi", value_name = "DIR")]
        out: PathBuf,
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
        ExportCommand::Backstage { out } => {
            let catalog = load(catalog, ui)?;
            let discovery = Discovery::build(&catalog, Detail::Summary);
            let entities = crate::export::backstage::entities(&catalog, &discovery);
            create_folder(out)?;
            let path = out.join("catalog-info.yaml");
            write_file(&path, &crate::export::backstage::render(&entities))?;
            if !ui.quiet {
                eprintln!("wrote {} entities to {}", entities.len(), path.display());
            }
            Ok(EXIT_OK)
        }
        ExportCommand::Asyncapi { service, out } => {
            let catalog = load(catalog, ui)?;
            let discovery = Discovery::build(&catalog, Detail::Summary);
            let documents =
                crate::export::asyncapi::documents(&catalog, &discovery, service.as_deref());
            if let (Some(name), true) = (service, documents.is_empty()) {
                return Err(CliError::UnknownName {
                    name: name.clone(),
                    help: "`evcat list services` lists the services".to_string(),
                });
            }
            create_folder(out)?;
            for (name, document) in &documents {
                // Serializing a `Value` cannot fail.
                let text = serde_json::to_string_pretty(document).unwrap_or_default() + "\n";
                write_file(&out.join(format!("{name}.asyncapi.json")), &text)?;
            }
            if !ui.quiet {
                eprintln!(
                    "wrote {} AsyncAPI document(s) to {}",
                    documents.len(),
                    out.display()
                );
            }
            Ok(EXIT_OK)
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
