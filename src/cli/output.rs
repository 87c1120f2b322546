//! Where a command's result goes: the chosen format on stdout, or written to `--output FILE`
//! (atomically) while the human rendering still goes to the terminal; a GitHub job summary when
//! `--format github` runs under GitHub Actions; colour, quiet and verbose settings.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::CliError;
use crate::catalog::Sources;
use crate::report::{self, Report};

/// How a report is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people: findings with their source lines.
    Human,
    /// evcat's own JSON (documented in README, "JSON output").
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML: one test case per event (or subject), failures carrying the findings.
    Junit,
    /// GitHub Actions annotations; with `$GITHUB_STEP_SUMMARY` set, also a Markdown job summary.
    Github,
    /// A compact Markdown summary for a pull-request comment.
    Markdown,
}

impl ReportFormat {
    /// Whether the format names files from the repository root (SARIF, JUnit, GitHub,
    /// Markdown) rather than from the catalog's.
    pub fn uses_repository_paths(self) -> bool {
        !matches!(self, ReportFormat::Human | ReportFormat::Json)
    }
}

#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    /// Write the report (in --format) to FILE; the human output still goes to the terminal.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The global presentation settings.
#[derive(Clone, Copy, Debug)]
pub struct Ui {
    pub color: bool,
    pub quiet: bool,
    pub verbose: bool,
}

impl Ui {
    /// `auto` colours a terminal unless `NO_COLOR` is set (to anything but empty).
    pub fn new(choice: ColorChoice, quiet: bool, verbose: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        Ui {
            color,
            quiet,
            verbose,
        }
    }
}

/// Delivers a command's result. `render(format, color)` renders it in any format; `quiet_line`
/// is all that `-q` leaves of the human output.
pub fn deliver(
    args: &ReportArgs,
    ui: &Ui,
    render: &dyn Fn(ReportFormat, bool) -> String,
    quiet_line: &str,
) -> Result<(), CliError> {
    let human = || {
        if ui.quiet {
            format!("{quiet_line}\n")
        } else {
            render(ReportFormat::Human, ui.color)
        }
    };
    let terminal = match &args.output {
        Some(path) => {
            write_file(path, &render(args.format, false))?;
            human()
        }
        None if args.format == ReportFormat::Human => human(),
        None => render(args.format, false),
    };
    std::io::stdout().lock().write_all(terminal.as_bytes())?;
    if args.format == ReportFormat::Github {
        if let Some(summary) =
            std::env::var_os("GITHUB_STEP_SUMMARY").filter(|path| !path.is_empty())
        {
            append_file(Path::new(&summary), &render(ReportFormat::Markdown, false))?;
        }
    }
    Ok(())
}

/// Renders a findings report (lint, check, and the shared formats of diff and push).
pub fn render_findings(
    report: &Report,
    sources: &Sources,
    format: ReportFormat,
    color: bool,
    verbose: bool,
) -> String {
    match format {
        ReportFormat::Human => {
            let mut out = report::human::render(report, sources, color);
            if verbose {
                out.push_str(&report::human::rule_notes(report));
            }
            out
        }
        ReportFormat::Json => report::json::render(report) + "\n",
        ReportFormat::Sarif => report::sarif::render(report),
        ReportFormat::Junit => report::junit::render(report),
        ReportFormat::Github => report::github::render(report),
        ReportFormat::Markdown => report::markdown::render(report),
    }
}

/// Makes the folder output goes into (and those above it) when missing.
pub(super) fn create_folder(folder: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(folder).map_err(|source| CliError::WriteReport {
        path: folder.display().to_string(),
        source,
    })
}

/// Writes a report file whole or not at all: a temporary file beside it, then a rename.
pub(super) fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_string());
    let temporary = path.with_file_name(format!(".{file_name}.evcat-tmp"));
    let written = std::fs::write(&temporary, text).and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written.map_err(|source| CliError::WriteReport {
        path: path.display().to_string(),
        source,
    })
}

fn append_file(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|source| CliError::WriteReport {
            path: path.display().to_string(),
            source,
        })
}

/// The catalog's folder relative to its repository's root, ending in `/` (empty at the root or
/// outside a repository): SARIF and annotations name files from the repository root.
pub fn repository_prefix(catalog_root: &Path) -> String {
    match crate::git::CatalogRepository::discover(catalog_root) {
        Ok(repository) if !repository.prefix().is_empty() => {
            format!("{}/", repository.prefix().trim_end_matches('/'))
        }
        _ => String::new(),
    }
}
