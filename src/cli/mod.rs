//! The command line: argument definitions (clap), errors that stop a command, and dispatch.
//! `commands` holds each command's handler; `output` delivers results.
//!
//! Exit codes (stable, documented in README):
//! 0: success, no error findings; 1: error findings (or warnings with `--deny-warnings`);
//! 2: usage, configuration or I/O problem (no catalog found, unreadable folder, bad arguments).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use miette::Diagnostic;

mod commands;
mod drift;
mod explore;
mod export;
mod import;
mod output;
mod review;
mod site;
pub use output::{ColorChoice, ReportArgs, ReportFormat, Ui};

use crate::catalog::{CompatibilityLevel, Format, SETTINGS_FILE};

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
        /// Fail (exit 1) on warnings too (e.g. a shallow clone that hides earlier versions).
        #[arg(long)]
        deny_warnings: bool,
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
    /// Build the catalog's static website, or preview it on loopback.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Write the CODEOWNERS file that makes each event's owner team (and its consumers' teams)
    /// required reviewers of its folder, domains their owner's, and evcat.yaml and the
    /// vocabulary the governance team's.
    #[command(
        after_help = "Exit codes: 0 written, or up to date with --check; 1 --check found the file stale or missing."
    )]
    Codeowners {
        /// Compare the file with what the catalog says instead of writing it; exit 1 and print
        /// the difference when they differ (for CI).
        #[arg(long)]
        check: bool,
        /// Where the file is (`-`: print it). Default: .github/CODEOWNERS in the catalog's
        /// folder (.gitlab/CODEOWNERS with `review.host: gitlab`).
        #[arg(long, value_name = "PATH")]
        output: Option<PathBuf>,
    },
    /// Compare an environment's registry with the catalog: subjects the catalog does not manage,
    /// versions registered out of band, levels changed by hand, approved events missing. Reads
    /// the registry with at most one request per subject.
    #[command(
        after_help = "Exit codes: 0 the registry matches the catalog; 1 they disagree (or warnings with --deny-warnings); 2 the registry could not be read."
    )]
    Drift {
        /// The environment (from evcat.yaml).
        #[arg(long, value_name = "ENV")]
        env: String,
        #[command(flatten)]
        report: ReportArgs,
        /// Fail (exit 1) on warnings too (changes not pushed yet).
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Create or extend a catalog from what exists: a live registry.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Export the catalog for other tools.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// List events, services, domains, teams, topics or shared schemas, with filters.
    List {
        #[arg(value_enum)]
        what: explore::ListKind,
        #[command(flatten)]
        filters: explore::Filters,
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
    /// Everything about an event, service, domain, team or shared schema, found by name,
    /// `domain/Name`, topic or subject.
    #[command(
        after_help = "Exit codes: 0 shown; 2 unknown or ambiguous name (the candidates are listed)."
    )]
    Show {
        name: String,
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
    /// Ranked, typo-tolerant search over names, summaries, descriptions, topics, tags, owners
    /// and field names and docs.
    Search {
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
        /// How many results at most.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
    /// The lineage (services -> events -> services, grouped by domain), or the domain map.
    Graph {
        #[arg(long, value_enum, default_value_t = explore::GraphFormat::Mermaid)]
        format: explore::GraphFormat,
        /// Only this event and what is within --depth hops of it.
        #[arg(long, value_name = "NAME", conflicts_with_all = ["service", "domain", "domains"])]
        event: Option<String>,
        /// Hops from --event: 1 is its producers and consumers, 2 adds their other events.
        #[arg(long, default_value_t = 1, requires = "event")]
        depth: usize,
        /// Only this service's events and the services at their other end.
        #[arg(long, value_name = "NAME", conflicts_with_all = ["domain", "domains"])]
        service: Option<String>,
        /// Only this domain's services and events and their direct neighbours.
        #[arg(long, value_name = "NAME", conflicts_with = "domains")]
        domain: Option<String>,
        /// The domain-to-domain map, each flow with its number of events.
        #[arg(long)]
        domains: bool,
    },
    /// Every version of an event's schemas in Git history (first parent, through folder moves),
    /// with commit, date, author and message, and the verdict against the versions before it;
    /// and its status and consumer changes.
    History {
        /// The event: name, domain/Name, topic or subject.
        name: String,
        #[arg(long, value_enum, default_value_t = explore::HistoryFormat::Human)]
        format: explore::HistoryFormat,
    },
    /// List the lint rules, or explain one (by id or name).
    Rules {
        /// A rule id (N001) or name (naming.topic).
        rule: Option<String>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
}

#[derive(Subcommand, Debug)]
pub enum SiteCommand {
    /// Write the whole site (pages, diagrams, search index) into a folder.
    Build {
        #[command(flatten)]
        options: site::BuildArgs,
    },
    /// Build the site, then serve it on loopback for previewing.
    Serve {
        #[command(flatten)]
        options: site::BuildArgs,
        /// Where to listen; loopback by default. Port 0 picks a free port (printed on start).
        #[arg(long, default_value = "127.0.0.1:8000", value_name = "ADDRESS")]
        listen: std::net::SocketAddr,
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
        /// Close a connection whose client takes longer than this to send a request's headers,
        /// or that sits idle this long between requests.
        #[arg(long, default_value_t = 30, value_name = "SECONDS")]
        header_timeout_secs: u64,
        /// Testing aid: wait this many milliseconds before each registration.
        #[arg(long, hide = true, default_value_t = 0)]
        delay_writes_ms: u64,
        /// Testing aid: take this many milliseconds over each compatibility verdict.
        #[arg(long, hide = true, default_value_t = 0)]
        delay_checks_ms: u64,
        /// Testing aid: answer like Karapace (no all-versions compatibility endpoint, no JSON
        /// Schema references).
        #[arg(long, hide = true)]
        karapace_dialect: bool,
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
    #[error(transparent)]
    #[diagnostic(code(evcat::site))]
    Site(#[from] crate::site::SiteError),
    #[error("nothing in the catalog is called `{name}`")]
    #[diagnostic(code(evcat::unknown_name), help("{help}"))]
    UnknownName { name: String, help: String },
    #[error("`{name}` names more than one thing: {candidates}")]
    #[diagnostic(
        code(evcat::ambiguous_name),
        help("name one of them exactly (an event as domain/Name)")
    )]
    AmbiguousName { name: String, candidates: String },
    #[error("unknown rule `{0}`")]
    #[diagnostic(
        code(evcat::unknown_rule),
        help("`evcat rules` lists every rule by id and name")
    )]
    UnknownRule(String),
    #[error("cannot read {path}: {source}")]
    #[diagnostic(
        code(evcat::io),
        help("name regular schema files of at most 2 MiB, as in a catalog")
    )]
    ReadSchema {
        path: String,
        source: crate::tree::TreeError,
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
    Git(#[from] crate::git::GitError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Serve(#[from] crate::registry::serve::ServeError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Push(#[from] crate::push::PushError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Desired(#[from] crate::push::DesiredError),
    #[error("{0}")]
    #[diagnostic(code(evcat::usage))]
    Usage(String),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Import(#[from] crate::import::ImportError),
    #[error("drift: cannot read the registry of `{environment}`: {message}")]
    #[diagnostic(
        code(evcat::drift::registry),
        help("check the environment's registry settings in evcat.yaml and that it is reachable")
    )]
    Drift {
        environment: String,
        message: String,
    },
    #[error("environment variable {0} is not set (it should hold user:password)")]
    #[diagnostic(code(evcat::credentials))]
    MissingCredentials(String),
    #[error("cannot write output: {0}")]
    #[diagnostic(code(evcat::io))]
    Output(#[from] std::io::Error),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Init(#[from] crate::init::InitError),
    #[error("--check compares a file: give --output PATH, not -")]
    #[diagnostic(code(evcat::usage))]
    CodeownersCheckNeedsFile,
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(evcat::io))]
    ReadCodeowners {
        path: String,
        source: crate::tree::TreeError,
    },
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(evcat::io), help("check that the folder exists and is writable"))]
    WriteReport {
        path: String,
        source: std::io::Error,
    },
}

/// Runs evcat with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    crate::formats::avro_names::install();
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

/// `evcat registry serve`: its flags as the served registry's options.
fn serve_registry(command: RegistryCommand) -> Result<u8, CliError> {
    let RegistryCommand::Serve {
        dir,
        listen,
        basic_auth_env,
        header_timeout_secs,
        fail_first,
        delay_writes_ms,
        delay_checks_ms,
        karapace_dialect,
    } = command;
    commands::serve_registry(
        &dir,
        basic_auth_env.as_deref(),
        crate::registry::serve::ServeOptions {
            listen,
            basic_auth: None,
            header_timeout: std::time::Duration::from_secs(header_timeout_secs),
            fail_first,
            delay_writes: std::time::Duration::from_millis(delay_writes_ms),
            behaviour: crate::registry::serve::Behaviour {
                delay_checks: std::time::Duration::from_millis(delay_checks_ms),
                karapace_dialect,
            },
        },
    )
}

pub fn run(cli: Cli) -> Result<u8, CliError> {
    let ui = Ui::new(cli.color, cli.quiet, cli.verbose);
    let catalog = cli.catalog.as_deref();
    match cli.command {
        Command::Lint {
            report,
            deny_warnings,
        } => commands::lint(catalog, &report, &ui, deny_warnings),
        Command::Rules { rule, format } => commands::list_rules(rule.as_deref(), format),
        Command::Export(command) => export::export(catalog, &command, &ui),
        Command::Import(command) => import::import(&command, &ui),
        Command::Drift {
            env,
            report,
            deny_warnings,
        } => drift::drift(catalog, &env, &report, &ui, deny_warnings),
        Command::Codeowners { check, output } => {
            review::codeowners(catalog, check, output.as_deref(), &ui)
        }
        Command::List {
            what,
            filters,
            format,
        } => explore::list(catalog, what, &filters, format, &ui),
        Command::Show { name, format } => explore::show(catalog, &name, format, &ui),
        Command::History { name, format } => explore::history(catalog, &name, format, &ui),
        Command::Search {
            text,
            limit,
            format,
        } => explore::search(catalog, &text.join(" "), limit, format, &ui),
        Command::Graph {
            format,
            event,
            depth,
            service,
            domain,
            domains,
        } => {
            let scope = explore::GraphScope {
                event,
                depth,
                service,
                domain,
                domains,
            };
            explore::graph(catalog, &scope, format, &ui)
        }
        Command::Site(SiteCommand::Build { options }) => site::build(catalog, &options, &ui),
        Command::Site(SiteCommand::Serve { options, listen }) => {
            site::serve(catalog, &options, listen, &ui)
        }
        Command::Registry(command) => serve_registry(command),
        Command::Check {
            against,
            report,
            deny_warnings,
        } => commands::check(catalog, against.as_deref(), &report, &ui, deny_warnings),
        Command::Diff { against, report } => {
            commands::diff(catalog, against.as_deref(), &report, &ui)
        }
        Command::Plan {
            env,
            verify_levels,
            report,
        } => commands::push(
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
            commands::push(catalog, target, (dry_run, verify_levels), &report, &ui)
        }
        Command::Compat {
            format,
            level,
            policy,
            include,
            json,
            files,
        } => commands::compat(format.into(), level, policy, include, json, &files),
        Command::Init { dir } => commands::init(&dir),
        Command::Completions { shell } => commands::completions(shell),
        Command::Man => commands::man_page(),
    }
}
