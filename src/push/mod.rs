//! `evcat plan` and `evcat push`: bring each environment's registry to what the catalog says,
//! in promotion order.
//!
//! Per environment: [`desired`] lists every subject and its schema, shared schemas first. Gates
//! decide what goes there (`require.branch` for the whole environment, `require.status` per
//! event). Each wanted schema is looked up (an unchanged subject costs that one request); for
//! each subject to change, the registry's own compatibility endpoint is asked, and the
//! environment before this one must already hold the schema. Only when the whole plan is known
//! to succeed is anything written, in dependency order.
//!
//! Two checks cannot be made before writing, because the registry cannot answer them yet: a
//! schema whose references are themselves new (their versions do not exist), and a new version
//! of a subject whose level changes in the same push. They are asked right before their
//! registration; if one fails, the push stops there, and what was written is complete (every
//! schema with its references) and resumable: the next push continues from it.

mod apply;
pub mod bundle;
pub mod desired;
mod findings;
mod plan;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

use crate::catalog::{Catalog, CompatibilityLevel, Environment, JsonReferences};
use crate::registry::connect::{self, ConnectError};
use crate::registry::Registry;
pub use desired::{desired, DesiredError, Origin, Registration};
pub use findings::findings;
pub use plan::wanted_in;
use plan::EnvironmentRun;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PushError {
    #[error("evcat.yaml has no environment `{name}`")]
    #[diagnostic(code(evcat::push::unknown_environment))]
    UnknownEnvironment {
        name: String,
        #[help]
        help: String,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Desired(#[from] DesiredError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Connect(#[from] ConnectError),
}

/// Which environments a run covers.
#[derive(Clone, Debug)]
pub enum Target {
    /// Only this one (it still needs the one before it to hold what it receives).
    One(String),
    /// Every environment from the first up to this one, in order.
    Through(String),
}

pub struct PushOptions<'a> {
    pub target: Target,
    /// Plan only: look up and check, write nothing.
    pub dry_run: bool,
    /// The catalog's folder: embedded registries and credential files are relative to it.
    pub catalog_root: &'a Path,
    /// Read every subject's own level, to find levels changed in the registry by hand (one
    /// more request per subject).
    pub verify_levels: bool,
}

/// Hears how a long run advances (a progress bar in a terminal).
pub trait Progress {
    fn begin(&self, label: &str, total: usize);
    fn advance(&self, steps: usize);
    fn end(&self);
}

/// Progress nobody watches.
pub struct Silent;

impl Progress for Silent {
    fn begin(&self, _: &str, _: usize) {}
    fn advance(&self, _: usize) {}
    fn end(&self) {}
}

/// What a run did, per environment.
#[derive(Debug, Serialize)]
pub struct PushReport {
    pub dry_run: bool,
    pub environments: Vec<EnvironmentReport>,
}

impl PushReport {
    pub fn succeeded(&self) -> bool {
        self.environments
            .iter()
            .all(|environment| environment.outcome.succeeded())
    }
}

#[derive(Debug, Serialize)]
pub struct EnvironmentReport {
    pub name: String,
    pub registry: String,
    pub outcome: Outcome,
    pub items: Vec<PlannedItem>,
    pub summary: Summary,
}

impl Outcome {
    /// Planned or pushed: the run may go on to the next environment.
    pub fn succeeded(&self) -> bool {
        matches!(self, Outcome::Planned | Outcome::Pushed)
    }
}

/// How an environment ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Dry run: the plan would succeed.
    Planned,
    /// Everything planned was written (or nothing needed to be).
    Pushed,
    /// The plan failed; nothing was written to this environment.
    PlanFailed { reason: String },
    /// Writing stopped partway. What was written is complete and the next push resumes.
    PushFailed { reason: String, writes: usize },
    /// A gate kept the whole environment out; nothing was written.
    Blocked { reason: String },
    /// An earlier environment failed, so this one was not touched.
    NotReached,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub subjects: usize,
    pub unchanged: usize,
    pub new_subjects: usize,
    pub new_versions: usize,
    pub level_changes: usize,
    pub skipped: usize,
    pub failed: usize,
    /// Writes made (registrations and level changes).
    pub writes: usize,
    /// HTTP requests this environment's registry received during the run, retries included:
    /// its own plan and writes, and the next environment's order gate; absent for an embedded
    /// registry.
    pub requests: Option<u64>,
    /// HTTP requests this environment's order gate sent to the previous environment's registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_gate_requests: Option<u64>,
}

/// One subject in an environment's plan.
#[derive(Clone, Debug, Serialize)]
pub struct PlannedItem {
    pub subject: String,
    /// `shared`, `value` or `key`.
    pub kind: &'static str,
    pub file: String,
    pub events: Vec<String>,
    #[serde(flatten)]
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level_change: Option<LevelChange>,
    #[serde(flatten)]
    pub verdict: Verdict,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
    /// The global id the schema got when this run registered it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered_id: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// The subject holds the schema already.
    Unchanged {
        version: u32,
        id: u32,
    },
    NewSubject,
    NewVersion,
    /// Its references are new too; whether the subject exists is asked while planning.
    RegisterAfterReferences,
    /// A gate keeps it out of this environment.
    Skipped {
        reason: String,
    },
}

impl Action {
    fn registers(&self) -> bool {
        matches!(
            self,
            Action::NewSubject | Action::NewVersion | Action::RegisterAfterReferences
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LevelChange {
    pub from: CompatibilityLevel,
    pub to: CompatibilityLevel,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Nothing to check (unchanged, skipped, or a new subject).
    NotNeeded,
    Compatible,
    Incompatible,
    /// Asked right before registering (see the module documentation).
    Deferred {
        detail: String,
    },
    /// The environment before this one does not hold the schema yet.
    OrderBlocked {
        detail: String,
    },
    /// The registry answered with an error.
    Failed {
        detail: String,
    },
}

impl Verdict {
    fn fails(&self) -> bool {
        matches!(
            self,
            Verdict::Incompatible | Verdict::OrderBlocked { .. } | Verdict::Failed { .. }
        )
    }
}

/// Plans, and unless it is a dry run pushes, the environments `options.target` names, stopping
/// at the first that fails.
pub fn run(
    catalog: &Catalog,
    registrations: &[Registration],
    options: &PushOptions<'_>,
    progress: &dyn Progress,
) -> Result<PushReport, PushError> {
    let environments = &catalog.settings.environments;
    let (first, last) = range(environments, &options.target)?;
    let mut registries: HashMap<usize, Box<dyn Registry>> = HashMap::new();
    let mut report = PushReport {
        dry_run: options.dry_run,
        environments: Vec::new(),
    };
    // What the previous environment of this run would register, in a dry run: the order gate
    // counts it as held, since a real run would have written it first.
    let mut planned_before: HashSet<usize> = HashSet::new();
    let mut failed = false;
    // Environments registering JSON references bundled get their own variant of the list (the
    // same indices), made once.
    let bundles =
        |environment: &Environment| environment.registry.json_references == JsonReferences::Bundle;
    let bundled = environments[first.saturating_sub(1)..=last]
        .iter()
        .any(bundles)
        .then(|| bundle::bundled(registrations));
    let form = |environment: &Environment| match &bundled {
        Some(bundled) if bundles(environment) => bundled.as_slice(),
        _ => registrations,
    };
    for index in first..=last {
        let environment = &environments[index];
        if failed {
            report.environments.push(not_reached(environment));
            continue;
        }
        // This environment's registry, and the previous one's for the order gate.
        let first_needed = index.saturating_sub(1);
        for (needed, settings) in environments
            .iter()
            .enumerate()
            .take(index + 1)
            .skip(first_needed)
        {
            if let std::collections::hash_map::Entry::Vacant(slot) = registries.entry(needed) {
                slot.insert(connect::open(settings, options.catalog_root)?);
            }
        }
        let mut context = EnvironmentRun {
            environment,
            verify_levels: options.verify_levels,
            previous: index
                .checked_sub(1)
                .map(|previous| environments[previous].name.as_str()),
            registrations: form(environment),
            previous_registrations: form(&environments[index.saturating_sub(1)]),
            catalog_root: options.catalog_root,
            progress,
        };
        let (environment_report, registered) =
            context.run(index, &mut registries, options.dry_run, &planned_before);
        failed = !environment_report.outcome.succeeded();
        planned_before = if options.dry_run {
            registered
        } else {
            HashSet::new()
        };
        report.environments.push(environment_report);
    }
    // What each registry received in all: the next environment's order gate asked it too.
    for (offset, environment) in report.environments.iter_mut().enumerate() {
        if let (Some(requests), Some(registry)) = (
            environment.summary.requests.as_mut(),
            registries.get(&(first + offset)),
        ) {
            *requests = registry.requests_sent().unwrap_or(*requests);
        }
    }
    Ok(report)
}

fn range(environments: &[Environment], target: &Target) -> Result<(usize, usize), PushError> {
    let name = match target {
        Target::One(name) | Target::Through(name) => name,
    };
    let index = environment_index(environments, name)?;
    Ok(match target {
        Target::One(_) => (index, index),
        Target::Through(_) => (0, index),
    })
}

/// Where the environment `name` is in the promotion order, or an error listing the others.
pub fn environment_index(environments: &[Environment], name: &str) -> Result<usize, PushError> {
    environments
        .iter()
        .position(|environment| environment.name == name)
        .ok_or_else(|| PushError::UnknownEnvironment {
            name: name.to_string(),
            help: if environments.is_empty() {
                "declare environments under `environments:` in evcat.yaml".to_string()
            } else {
                format!(
                    "environments, in promotion order: {}",
                    environments
                        .iter()
                        .map(|environment| environment.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        })
}

fn not_reached(environment: &Environment) -> EnvironmentReport {
    EnvironmentReport {
        name: environment.name.clone(),
        registry: connect::describe(environment),
        outcome: Outcome::NotReached,
        items: Vec::new(),
        summary: Summary::default(),
    }
}
