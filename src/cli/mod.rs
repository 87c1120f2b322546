//! The command line: argument parsing (clap) and wiring commands to the library.
//!
//! Exit codes (stable, documented in README):
//! 0: success, no error findings; 1: error findings (or warnings with `--deny-warnings`);
//! 2: usage, configuration or I/O problem (no catalog found, unreadable folder, bad arguments).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use miette::Diagnostic;

mod output;
pub use output::{ColorChoice, ReportArgs, ReportFormat, Ui};

use crate::catalog::{CompatibilityLevel, Format, SETTINGS_FILE};
use crate::compat::json::Policy;
use crate::compat::load::{self, FolderFiles};
use crate::report::{self, Report};
use crate::rules;
use crate::tree::{discover_root, DiskTree};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

const EXIT_CODES_HELP: &str =
    "Exit codes: 0 no error findings; 1 error findings (or warnings with \
--deny-warnings); 2 usage, configuration or I/O problem.";

const PUSH_EXIT_CODES: &str = "Exit codes: 0 every environment planned or pushed; 1 a change is \
incompatible, a gate blocked, the catalog has lint errors or a registry failed; 2 usage or \
configuration problem.";

#[derive(Parser, Debug)]
#[command(
    name = "evcat",
    version,
    about = "Git-native event catalog and schema governance",
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    /// The catalog folder (holding evcat.yaml). Default: the nearest evcat.yaml from the current
    /// folder upward.
    #[arg(long, global = true, value_name = "DIR")]
    pub catalog: Option<PathBuf>,

    /// Colour in the human output: auto (a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print only the summary line of the human output.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Say more: each rule that found something, with why it matters and how to fix it.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check the catalog's structure, references, schemas, examples, naming and governance.
    #[command(after_help = EXIT_CODES_HELP)]
    Lint {
        #[command(flatten)]
        report: ReportArgs,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Check every changed schema against its earlier versions in Git history, and catalog-level
    /// breaking changes (removed events and topics, format or level changes).
    #[command(after_help = EXIT_CODES_HELP)]
    Check {
        /// Compare with the merge base of HEAD and this revision (e.g. origin/main), as in a
        /// pull request. Default: the last commit when the catalog has uncommitted changes,
        /// else the parent of the last commit.
        #[arg(long, value_name = "REV")]
        against: Option<String>,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Show what changed between the baseline and now: events added, removed and changed, with
    /// schema differences marked compatible or breaking, and the consumers affected.
    Diff {
        /// As for `check`.
        #[arg(long, value_name = "REV")]
        against: Option<String>,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Check schema files for compatibility directly, without a catalog.
    #[command(
        after_help = "Exit codes: 0 compatible; 1 incompatible; 2 bad input (unreadable or invalid schema, bad arguments)."
    )]
    Compat {
        /// The schemas' format.
        #[arg(long, value_enum)]
        format: SchemaFormat,
        /// NONE, BACKWARD, FORWARD, FULL, or one of them with _TRANSITIVE.
        #[arg(long, default_value = "BACKWARD", value_parser = parse_level)]
        level: CompatibilityLevel,
        /// JSON Schema policy for content-model changes.
        #[arg(long, value_enum, default_value_t = PolicyArg::Strict)]
        policy: PolicyArg,
        /// A folder where imports, `$ref`s and Avro named types are looked for, after the
        /// schema's own folder. Repeatable.
        #[arg(short = 'I', long = "include", value_name = "DIR")]
        include: Vec<PathBuf>,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
        /// Earlier versions, oldest first, then the new schema.
        #[arg(required = true, num_args = 1.., value_name = "OLD... NEW")]
        files: Vec<PathBuf>,
    },
    /// Show what `push` would do to one environment's registry: per subject the action and the
    /// registry's own compatibility verdict. Writes nothing.
    #[command(after_help = PUSH_EXIT_CODES)]
    Plan {
        /// The environment (from evcat.yaml).
        #[arg(long, value_name = "ENV")]
        env: String,
        /// As for `push`.
        #[arg(long)]
        verify_levels: bool,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Register the catalog's schemas in an environment's registry (or in every environment up
    /// to one, in promotion order), after checking each change with that registry.
    #[command(after_help = PUSH_EXIT_CODES)]
    #[command(group(clap::ArgGroup::new("target").required(true).args(["env", "through"])))]
    Push {
        /// Push this environment only; the one before it must already hold what it receives.
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
        /// Push every environment from the first up to ENV, in order, stopping at a failure.
        #[arg(long, value_name = "ENV")]
        through: Option<String>,
        /// Plan only: look up and check, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also read every subject's own compatibility level (one more request per subject), to
        /// find and reset levels changed in the registry by hand.
        #[arg(long)]
        verify_levels: bool,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Create a new catalog in DIR (default: the current folder): evcat.yaml, one domain, one
    /// service and one event with its schema and an example, each explained in comments.
    Init {
        #[arg(default_value = ".", value_name = "DIR")]
        dir: PathBuf,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print evcat's man page (roff), e.g. `evcat man > evcat.1`.
    Man,
    /// Run or manage an embedded Schema Registry.
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// List the lint rules, or explain one (by id or name).
    Rules {
        /// A rule id (N001) or name (naming.topic).
        rule: Option<String>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
}

#[derive(Subcommand, Debug)]
pub enum RegistryCommand {
    /// Serve an embedded registry kept in a folder over Confluent Schema Registry's REST API.
    Serve {
        /// The folder holding the registry's state (created if missing).
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        /// Where to listen; loopback by default. Port 0 picks a free port (printed on start).
        #[arg(long, default_value = "127.0.0.1:8081", value_name = "ADDRESS")]
        listen: std::net::SocketAddr,
        /// An environment variable holding `user:password`: requests must then use HTTP basic auth.
        #[arg(long, value_name = "VAR")]
        basic_auth_env: Option<String>,
        /// Testing aid: answer the first N requests with 503, to exercise clients' retries.
        #[arg(long, hide = true, default_value_t = 0)]
        fail_first: u32,
        /// Testing aid: wait this many milliseconds before each registration.
        #[arg(long, hide = true, default_value_t = 0)]
        delay_writes_ms: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemaFormat {
    Avro,
    Protobuf,
    Json,
}

impl From<SchemaFormat> for Format {
    fn from(format: SchemaFormat) -> Self {
        match format {
            SchemaFormat::Avro => Format::Avro,
            SchemaFormat::Protobuf => Format::Protobuf,
            SchemaFormat::Json => Format::Json,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PolicyArg {
    Strict,
    Lenient,
}

fn parse_level(text: &str) -> Result<CompatibilityLevel, String> {
    CompatibilityLevel::parse(text).ok_or_else(|| {
        format!("`{text}` is not a level; use NONE, BACKWARD, FORWARD, FULL, or one of them with _TRANSITIVE")
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
}

/// Errors that stop a command before it can report findings; all exit with code 2.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum CliError {
    #[error("no {SETTINGS_FILE} found in {start} or any folder above it")]
    #[diagnostic(
        code(evcat::no_catalog),
        help("run evcat inside a catalog, or pass --catalog DIR")
    )]
    NoCatalog { start: String },
    #[error("cannot open catalog folder {path}: {source}")]
    #[diagnostic(code(evcat::io))]
    CatalogFolder {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Load(#[from] crate::catalog::LoadError),
    #[error("unknown rule `{0}`")]
    #[diagnostic(
        code(evcat::unknown_rule),
        help("`evcat rules` lists every rule by id and name")
    )]
    UnknownRule(String),
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(evcat::io))]
    ReadSchema {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a valid {format} schema: {message}")]
    #[diagnostic(
        code(evcat::bad_schema),
        help("fix the schema; `evcat lint` shows where, for schemas in a catalog")
    )]
    BadSchema {
        path: String,
        format: Format,
        message: String,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Check(#[from] crate::check::CheckError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Serve(#[from] crate::registry::serve::ServeError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Push(#[from] crate::push::PushError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Desired(#[from] crate::push::DesiredError),
    #[error("environment variable {0} is not set (it should hold user:password)")]
    #[diagnostic(code(evcat::credentials))]
    MissingCredentials(String),
    #[error("cannot write output: {0}")]
    #[diagnostic(code(evcat::io))]
    Output(#[from] std::io::Error),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Init(#[from] crate::init::InitError),
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(evcat::io), help("check that the folder exists and is writable"))]
    WriteReport {
        path: String,
        source: std::io::Error,
    },
}

/// Runs evcat with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout with success, usage errors to stderr.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                EXIT_USAGE
            } else {
                EXIT_OK
            });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        // The reader went away (`evcat ... | head`): nothing left to say to it.
        Err(CliError::Output(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(EXIT_OK)
        }
        Err(error) => {
            eprintln!("{:?}", miette::Report::new(error));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

pub fn run(cli: Cli) -> Result<u8, CliError> {
    let ui = Ui::new(cli.color, cli.quiet, cli.verbose);
    let catalog = cli.catalog.as_deref();
    match cli.command {
        Command::Lint {
            report,
            deny_warnings,
        } => lint(catalog, &report, &ui, deny_warnings),
        Command::Rules { rule, format } => list_rules(rule.as_deref(), format),
        Command::Registry(RegistryCommand::Serve {
            dir,
            listen,
            basic_auth_env,
            fail_first,
            delay_writes_ms,
        }) => serve_registry(
            &dir,
            listen,
            basic_auth_env.as_deref(),
            fail_first,
            std::time::Duration::from_millis(delay_writes_ms),
        ),
        Command::Check { against, report } => check(catalog, against.as_deref(), &report, &ui),
        Command::Diff { against, report } => diff(catalog, against.as_deref(), &report, &ui),
        Command::Plan {
            env,
            verify_levels,
            report,
        } => push(
            catalog,
            crate::push::Target::One(env),
            (true, verify_levels),
            &report,
            &ui,
        ),
        Command::Push {
            env,
            through,
            dry_run,
            verify_levels,
            report,
        } => {
            let target = match (env, through) {
                (_, Some(through)) => crate::push::Target::Through(through),
                (Some(env), None) => crate::push::Target::One(env),
                // clap's argument group requires one of the two.
                (None, None) => return Ok(EXIT_USAGE),
            };
            push(catalog, target, (dry_run, verify_levels), &report, &ui)
        }
        Command::Compat {
            format,
            level,
            policy,
            include,
            json,
            files,
        } => compat(format.into(), level, policy, include, json, &files),
        Command::Init { dir } => init(&dir),
        Command::Completions { shell } => completions(shell),
        Command::Man => man_page(),
    }
}

fn catalog_root(explicit: Option<&Path>) -> Result<PathBuf, CliError> {
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

fn check(
    explicit: Option<&Path>,
    against: Option<&str>,
    args: &ReportArgs,
    ui: &Ui,
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
    report.prefix = output::repository_prefix(&root);
    report.changes = Some((baseline.clone(), comparison.changes));
    emit(&report, comparison.catalog.sources(), args, ui, false)
}

/// Delivers a findings report in the chosen format and returns the exit code it calls for.
fn emit(
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

fn diff(
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
    report.prefix = output::repository_prefix(&root);
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

fn load_catalog_at(root: &Path) -> Result<crate::catalog::Loaded, CliError> {
    let tree = DiskTree::new(root).map_err(|source| CliError::CatalogFolder {
        path: root.display().to_string(),
        source,
    })?;
    Ok(crate::catalog::Catalog::load(Box::new(tree))?)
}

fn lint(
    explicit: Option<&Path>,
    args: &ReportArgs,
    ui: &Ui,
    deny_warnings: bool,
) -> Result<u8, CliError> {
    let root = catalog_root(explicit)?;
    let outcome = crate::lint::lint(load_catalog_at(&root)?);
    let mut report = Report::new("lint", &outcome.catalog, outcome.findings);
    if args.format != ReportFormat::Human && args.format != ReportFormat::Json {
        report.prefix = output::repository_prefix(&root);
    }
    emit(&report, outcome.catalog.sources(), args, ui, deny_warnings)
}

/// `plan` and `push`: lint first (a catalog with errors is not pushed), then plan and push.
fn push(
    explicit: Option<&Path>,
    target: crate::push::Target,
    (dry_run, verify_levels): (bool, bool),
    args: &ReportArgs,
    ui: &Ui,
) -> Result<u8, CliError> {
    let root = catalog_root(explicit)?;
    let outcome = crate::lint::lint(load_catalog_at(&root)?);
    let lint_report = Report::new("lint", &outcome.catalog, outcome.findings);
    if lint_report.fails(false) {
        let rendered = report::human::render(&lint_report, outcome.catalog.sources(), ui.color);
        std::io::stderr().lock().write_all(rendered.as_bytes())?;
        eprintln!("push: the catalog has lint errors (above); fix them first, nothing was pushed");
        return Ok(EXIT_FINDINGS);
    }
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
    let command = if dry_run { "plan" } else { "push" };
    let mut findings_report = Report::new(
        command,
        &outcome.catalog,
        crate::push::findings(&pushed, &outcome.catalog),
    );
    findings_report.cases = pushed
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
    findings_report.prefix = output::repository_prefix(&root);
    let quiet_line = report::push::outcome_lines(&pushed);
    findings_report.context = Some(quiet_line.trim_end().replace('\n', "; "));
    let render = |format, color| match format {
        ReportFormat::Human => report::push::human(&pushed),
        ReportFormat::Json => report::push::json(&pushed),
        other => output::render_findings(
            &findings_report,
            outcome.catalog.sources(),
            other,
            color,
            false,
        ),
    };
    output::deliver(args, ui, &render, quiet_line.trim_end())?;
    Ok(if pushed.succeeded() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

/// A progress bar on stderr for long plans and pushes; draws nothing when not wanted (not a
/// terminal, or machine output).
struct ProgressBar {
    bar: Option<indicatif::ProgressBar>,
}

impl ProgressBar {
    fn new(wanted: bool) -> Self {
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

fn compat(
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
        let text = std::fs::read_to_string(path).map_err(|source| CliError::ReadSchema {
            path: path.display().to_string(),
            source,
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

fn serve_registry(
    dir: &Path,
    listen: std::net::SocketAddr,
    basic_auth_env: Option<&str>,
    fail_first: u32,
    delay_writes: std::time::Duration,
) -> Result<u8, CliError> {
    let basic_auth = match basic_auth_env {
        Some(variable) => Some(
            std::env::var(variable)
                .map_err(|_| CliError::MissingCredentials(variable.to_string()))?,
        ),
        None => None,
    };
    let store = crate::registry::store::Store::open(dir)
        .map_err(crate::registry::serve::ServeError::from)?;
    crate::registry::serve::serve(
        store,
        &crate::registry::serve::ServeOptions {
            listen,
            basic_auth,
            fail_first,
            delay_writes,
        },
    )?;
    Ok(EXIT_OK)
}

fn init(dir: &Path) -> Result<u8, CliError> {
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

fn completions(shell: clap_complete::Shell) -> Result<u8, CliError> {
    let mut command = <Cli as clap::CommandFactory>::command();
    // Generated into memory first: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "evcat", &mut script);
    std::io::stdout().lock().write_all(&script)?;
    Ok(EXIT_OK)
}

fn man_page() -> Result<u8, CliError> {
    let command = <Cli as clap::CommandFactory>::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command).render(&mut page)?;
    std::io::stdout().lock().write_all(&page)?;
    Ok(EXIT_OK)
}

fn list_rules(key: Option<&str>, format: OutputFormat) -> Result<u8, CliError> {
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
