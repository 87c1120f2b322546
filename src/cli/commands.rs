//! The commands' handlers: each loads what it needs through the library, runs it and hands the
//! result to [`super::output`]; they return the exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::output::{self, ReportArgs, ReportFormat, Ui};
use super::{Cli, CliError, OutputFormat, PolicyArg, EXIT_FINDINGS, EXIT_OK};
use crate::catalog::{CompatibilityLevel, Format, SETTINGS_FILE};
use crate::compat::json::Policy;
use crate::compat::load::{self, FolderFiles};
use crate::report::{self, Report};
use crate::rules;
use crate::tree::{discover_root, DiskTree};

pub(super) fn catalog_root(explicit: Option<&Path>) -> Result<PathBuf, CliError> {
    let start = std::env::current_dir()?;
    let root = discover_root(explicit, &start).ok_or_else(|| CliError::NoCatalog {
        start: start.display().to_string(),
    })?;
    if !root.is_dir() {
        return Err(CliError::CatalogFolder {
            path: root.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder"),
        });
    }
    Ok(root)
}

pub(super) fn check(
    explicit: Option<&Path>,
    against: Option<&str>,
    args: &ReportArgs,
    ui: &Ui,
    deny_warnings: bool,
) -> Result<u8, CliError> {
    let root = catalog_root(explicit)?;
    let comparison = crate::check::compare(&root, against)?;
    let Some(baseline) = &comparison.baseline else {
        let message = "check: nothing to compare: HEAD is the repository's first commit and the catalog has no changes\n";
        std::io::stdout().lock().write_all(message.as_bytes())?;
        return Ok(EXIT_OK);
    };
    let mut report = Report::new("check", &comparison.catalog, comparison.findings);
    report.context = Some(format!(
        "against {baseline}; {} changed schema{} checked",
        comparison.schemas_checked,
        if comparison.schemas_checked == 1 {
            ""
        } else {
            "s"
        }
    ));
    if args.format.uses_repository_paths() {
        report.prefix = output::repository_prefix(&root);
    }
    report.changes = Some((baseline.clone(), comparison.changes));
    emit(
        &report,
        comparison.catalog.sources(),
        args,
        ui,
        deny_warnings,
    )
}

/// Delivers a findings report in the chosen format and returns the exit code it calls for.
pub(super) fn emit(
    report: &Report,
    sources: &crate::catalog::Sources,
    args: &ReportArgs,
    ui: &Ui,
    deny_warnings: bool,
) -> Result<u8, CliError> {
    let render =
        |format, color| output::render_findings(report, sources, format, color, ui.verbose);
    output::deliver(args, ui, &render, &report.summary_line())?;
    Ok(if report.fails(deny_warnings) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

pub(super) fn diff(
    explicit: Option<&Path>,
    against: Option<&str>,
    args: &ReportArgs,
    ui: &Ui,
) -> Result<u8, CliError> {
    let root = catalog_root(explicit)?;
    let comparison = crate::check::compare(&root, against)?;
    let baseline = comparison
        .baseline
        .clone()
        .unwrap_or_else(|| "nothing (first commit)".to_string());
    let changes = comparison.changes;
    let mut report = Report::new("diff", &comparison.catalog, comparison.findings);
    if args.format.uses_repository_paths() {
        report.prefix = output::repository_prefix(&root);
    }
    let summary = format!(
        "diff against {baseline}: {} event(s) changed",
        changes.len()
    );
    let render = |format, color| match format {
        ReportFormat::Human => report::diff::text(&baseline, &changes),
        ReportFormat::Json => report::diff::json(&baseline, &changes),
        ReportFormat::Markdown => report::diff::markdown(&baseline, &changes),
        other => {
            output::render_findings(&report, comparison.catalog.sources(), other, color, false)
        }
    };
    output::deliver(args, ui, &render, &summary)?;
    Ok(EXIT_OK)
}

pub(super) fn load_catalog_at(root: &Path) -> Result<crate::catalog::Loaded, CliError> {
    let tree = DiskTree::new(root).map_err(|source| CliError::CatalogFolder {
        path: root.display().to_string(),
        source,
    })?;
    Ok(crate::catalog::Catalog::load(Box::new(tree))?)
}

pub(super) fn lint(
    explicit: Option<&Path>,
    args: &ReportArgs,
    ui: &Ui,
    deny_warnings: bool,
) -> Result<u8, CliError> {
    let root = catalog_root(explicit)?;
    let outcome = crate::lint::lint(load_catalog_at(&root)?);
    let mut report = Report::new("lint", &outcome.catalog, outcome.findings);
    if args.format.uses_repository_paths() {
        report.prefix = output::repository_prefix(&root);
    }
    emit(&report, outcome.catalog.sources(), args, ui, deny_warnings)
}

/// Lints the catalog at `root` for a command that needs it free of errors (push, drift): with
/// errors it prints them and `refusal`, and gives `None` (the command exits 1).
pub(super) fn lint_first(
    root: &Path,
    refusal: &str,
    ui: &Ui,
) -> Result<Option<crate::lint::LintOutcome>, CliError> {
    let mut outcome = crate::lint::lint(load_catalog_at(root)?);
    let findings = std::mem::take(&mut outcome.findings);
    let lint_report = Report::new("lint", &outcome.catalog, findings);
    if lint_report.fails(false) {
        let rendered = report::human::render(&lint_report, outcome.catalog.sources(), ui.color);
        std::io::stderr().lock().write_all(rendered.as_bytes())?;
        eprintln!("{refusal}");
        return Ok(None);
    }
    Ok(Some(outcome))
}

/// `plan` and `push`: lint first (a catalog with errors is not pushed), then plan and push.
pub(super) fn push(
    explicit: Option<&Path>,
    target: crate::push::Target,
    (dry_run, verify_levels): (bool, bool),
    args: &ReportArgs,
    ui: &Ui,
) -> Result<u8, CliError> {
    let root = catalog_root(explicit)?;
    let refusal = "push: the catalog has lint errors (above); fix them first, nothing was pushed";
    let Some(outcome) = lint_first(&root, refusal, ui)? else {
        return Ok(EXIT_FINDINGS);
    };
    let registrations = crate::push::desired(&outcome.catalog, &outcome.record_names)?;
    let options = crate::push::PushOptions {
        target,
        dry_run,
        catalog_root: &root,
        verify_levels,
    };
    let human = args.format == ReportFormat::Human || args.output.is_some();
    let bar = ProgressBar::new(human && !ui.quiet && std::io::stderr().is_terminal());
    let pushed = crate::push::run(&outcome.catalog, &registrations, &options, &bar)?;
    let quiet_line = report::push::outcome_lines(&pushed);
    // Only the shared formats need the plan as findings; built on first use, at most once.
    let findings_report = std::cell::OnceCell::new();
    let findings = || {
        findings_report.get_or_init(|| {
            let command = if dry_run { "plan" } else { "push" };
            push_findings_report(command, &pushed, &outcome.catalog, &root, &quiet_line)
        })
    };
    let render = |format, color| match format {
        ReportFormat::Human => report::push::human(&pushed),
        ReportFormat::Json => report::push::json(&pushed),
        other => {
            output::render_findings(findings(), outcome.catalog.sources(), other, color, false)
        }
    };
    output::deliver(args, ui, &render, quiet_line.trim_end())?;
    Ok(if pushed.succeeded() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

/// A push's failures as a findings report: a test case per subject and environment pushed,
/// the outcomes as context.
fn push_findings_report(
    command: &'static str,
    pushed: &crate::push::PushReport,
    catalog: &crate::catalog::Catalog,
    root: &Path,
    outcomes: &str,
) -> Report {
    let mut report = Report::new(command, catalog, crate::push::findings(pushed, catalog));
    report.cases = pushed
        .environments
        .iter()
        .flat_map(|environment| {
            environment
                .items
                .iter()
                .filter(|item| !matches!(item.action, crate::push::Action::Skipped { .. }))
                .map(move |item| report::Case {
                    name: format!("{}/{}", environment.name, item.subject),
                    dir: None,
                })
        })
        .collect();
    report.prefix = output::repository_prefix(root);
    report.context = Some(outcomes.trim_end().replace('\n', "; "));
    report
}

/// A progress bar on stderr for long plans and pushes; draws nothing when not wanted (not a
/// terminal, or machine output).
pub(super) struct ProgressBar {
    bar: Option<indicatif::ProgressBar>,
}

impl ProgressBar {
    pub(super) fn new(wanted: bool) -> Self {
        ProgressBar {
            bar: wanted.then(|| {
                let bar = indicatif::ProgressBar::hidden();
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                bar
            }),
        }
    }
}

impl crate::push::Progress for ProgressBar {
    fn begin(&self, label: &str, total: usize) {
        if let Some(bar) = &self.bar {
            bar.reset();
            bar.set_length(total as u64);
            bar.set_message(label.to_string());
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            {
                bar.set_style(style);
            }
        }
    }

    fn advance(&self, steps: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(steps as u64);
        }
    }

    fn end(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

pub(super) fn compat(
    format: Format,
    level: CompatibilityLevel,
    policy: PolicyArg,
    include: Vec<PathBuf>,
    json: bool,
    files: &[PathBuf],
) -> Result<u8, CliError> {
    let folders = FolderFiles { includes: include };
    let mut texts = Vec::with_capacity(files.len());
    for path in files {
        let read_error = |source| CliError::ReadSchema {
            path: path.display().to_string(),
            source,
        };
        let bytes =
            crate::tree::read_os_file(path, crate::tree::MAX_FILE_BYTES).map_err(read_error)?;
        let text = String::from_utf8(bytes).map_err(|error| {
            read_error(crate::tree::TreeError::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("it is not UTF-8 text: {}", error.utf8_error()),
            )))
        })?;
        texts.push((path.display().to_string(), text));
    }
    let parsed = texts
        .iter()
        .map(|(path, text)| {
            load::parse(format, path, text, &folders).map_err(|message| CliError::BadSchema {
                path: path.clone(),
                format,
                message,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (new, previous) = parsed
        .split_last()
        .expect("clap requires at least one file");
    let previous: Vec<&load::Parsed> = previous.iter().collect();
    let policy = match policy {
        PolicyArg::Strict => Policy::Strict,
        PolicyArg::Lenient => Policy::Lenient,
    };
    let verdict = load::check_parsed(level, policy, &previous, new).map_err(|message| {
        CliError::BadSchema {
            path: texts[texts.len() - 1].0.clone(),
            format,
            message,
        }
    })?;
    let versions: Vec<report::compat::Version> = texts
        .iter()
        .map(|(file, text)| report::compat::Version { file, text })
        .collect();
    let (new_version, previous_versions) = versions.split_last().expect("at least one file");
    let outcome = report::compat::CompatReport {
        format,
        level,
        previous: previous_versions,
        new: new_version,
        verdict: &verdict,
    };
    let rendered = if json {
        outcome.json()
    } else {
        outcome.human()
    };
    std::io::stdout().lock().write_all(rendered.as_bytes())?;
    Ok(if verdict.compatible {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

pub(super) fn serve_registry(
    dir: &Path,
    basic_auth_env: Option<&str>,
    mut options: crate::registry::serve::ServeOptions,
) -> Result<u8, CliError> {
    if let Some(variable) = basic_auth_env {
        options.basic_auth = Some(
            std::env::var(variable)
                .map_err(|_| CliError::MissingCredentials(variable.to_string()))?,
        );
    }
    let store = crate::registry::store::Store::open(dir)
        .map_err(crate::registry::serve::ServeError::from)?;
    crate::registry::serve::serve(store, &options)?;
    Ok(EXIT_OK)
}

pub(super) fn init(dir: &Path) -> Result<u8, CliError> {
    let created = crate::init::scaffold(dir)?;
    let mut out = std::io::stdout().lock();
    for path in &created {
        writeln!(out, "created {}", path.display())?;
    }
    writeln!(
        out,
        "next: `evcat --catalog {} lint`, then edit the files (their comments explain each key)",
        dir.display()
    )?;
    Ok(EXIT_OK)
}

pub(super) fn completions(shell: clap_complete::Shell) -> Result<u8, CliError> {
    let mut command = <Cli as clap::CommandFactory>::command();
    // Generated into memory first: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "evcat", &mut script);
    std::io::stdout().lock().write_all(&script)?;
    Ok(EXIT_OK)
}

pub(super) fn man_page() -> Result<u8, CliError> {
    let command = <Cli as clap::CommandFactory>::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command).render(&mut page)?;
    std::io::stdout().lock().write_all(&page)?;
    Ok(EXIT_OK)
}

pub(super) fn list_rules(key: Option<&str>, format: OutputFormat) -> Result<u8, CliError> {
    let selected: Vec<&rules::Rule> = match key {
        Some(key) => vec![rules::find(key).ok_or_else(|| CliError::UnknownRule(key.to_string()))?],
        None => rules::ALL.to_vec(),
    };
    let text = match (format, key) {
        (OutputFormat::Json, _) => {
            let list: Vec<serde_json::Value> = selected
                .iter()
                .map(|rule| {
                    serde_json::json!({
                        "id": rule.id,
                        "name": rule.name,
                        "severity": rule.default_severity.as_str(),
                        "summary": rule.summary,
                        "doc": rule.doc,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
        }
        (OutputFormat::Human, Some(_)) => {
            let rule = selected[0];
            format!(
                "{} {}\ndefault severity: {}\n\n{}.\n\n{}\n\nConfigure it in {SETTINGS_FILE}:\n  rules:\n    {}: warn   # or error, off\n",
                rule.id,
                rule.name,
                rule.default_severity.as_str(),
                capitalize(rule.summary),
                rule.doc,
                rule.name
            )
        }
        (OutputFormat::Human, None) => {
            let mut text = String::new();
            for rule in &selected {
                text.push_str(&format!(
                    "{}  {:<36} {:<8} {}\n",
                    rule.id,
                    rule.name,
                    rule.default_severity.as_str(),
                    rule.summary
                ));
            }
            text.push_str("\n`evcat rules ID` explains a rule; set severities under `rules:` in evcat.yaml.\n");
            text
        }
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(EXIT_OK)
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}
