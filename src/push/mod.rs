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

pub mod desired;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

use crate::catalog::{Catalog, CompatibilityLevel, Environment, SchemaRole};
use crate::git::CatalogRepository;
use crate::registry::connect::{self, ConnectError};
use crate::registry::store::{Reference, RegistryError, StoredSchema};
use crate::registry::{Lookup, Registry};
use crate::tree::CatalogPath;
pub use desired::{desired, DesiredError, Origin, Registration};

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
            .all(|environment| matches!(environment.outcome, Outcome::Planned | Outcome::Pushed))
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
    /// HTTP requests sent to the registry, retries included; absent for an embedded registry.
    pub requests: Option<u64>,
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
            registrations,
            catalog_root: options.catalog_root,
            progress,
        };
        let (environment_report, registered) =
            context.run(index, &mut registries, options.dry_run, &planned_before);
        failed = !matches!(
            environment_report.outcome,
            Outcome::Planned | Outcome::Pushed
        );
        planned_before = if options.dry_run {
            registered
        } else {
            HashSet::new()
        };
        report.environments.push(environment_report);
    }
    Ok(report)
}

fn range(environments: &[Environment], target: &Target) -> Result<(usize, usize), PushError> {
    let name = match target {
        Target::One(name) | Target::Through(name) => name,
    };
    let index = environments
        .iter()
        .position(|environment| &environment.name == name)
        .ok_or_else(|| PushError::UnknownEnvironment {
            name: name.clone(),
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
        })?;
    Ok(match target {
        Target::One(_) => (index, index),
        Target::Through(_) => (0, index),
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

struct EnvironmentRun<'a> {
    environment: &'a Environment,
    verify_levels: bool,
    /// The environment before this one in promotion order, if any.
    previous: Option<&'a str>,
    registrations: &'a [Registration],
    catalog_root: &'a Path,
    progress: &'a dyn Progress,
}

/// What a lookup pass learned about one registration.
#[derive(Clone, Debug)]
enum Resolution {
    NotWanted,
    Found { version: u32, id: u32 },
    Missing(Lookup),
    PendingReferences,
    Error(RegistryError),
}

impl EnvironmentRun<'_> {
    /// Plans this environment and, unless `dry_run`, pushes it. Also returns the registrations
    /// the plan registers (for the next environment's order gate in a dry run).
    fn run(
        &mut self,
        index: usize,
        registries: &mut HashMap<usize, Box<dyn Registry>>,
        dry_run: bool,
        planned_before: &HashSet<usize>,
    ) -> (EnvironmentReport, HashSet<usize>) {
        let mut report = EnvironmentReport {
            name: self.environment.name.clone(),
            registry: connect::describe(self.environment),
            outcome: Outcome::Planned,
            items: Vec::new(),
            summary: Summary::default(),
        };
        if let Some(reason) = self.branch_gate() {
            report.outcome = Outcome::Blocked { reason };
            return (report, HashSet::new());
        }
        let wanted = self.wanted();
        let Some(registry) = registries.get_mut(&index) else {
            return (report, HashSet::new());
        };
        let requests_before = registry.requests_sent();
        // One cheap request first: a registry that cannot be reached (or refuses the credentials)
        // fails the environment here, not once per subject after every retry.
        let global = match registry.global_compatibility() {
            Ok(level) => level,
            Err(error) => {
                report.outcome = Outcome::PlanFailed {
                    reason: format!("the registry did not answer: {error}; nothing was written"),
                };
                report.summary.requests = registry
                    .requests_sent()
                    .zip(requests_before)
                    .map(|(after, before)| after - before);
                return (report, HashSet::new());
            }
        };
        let resolutions = resolve(
            registry.as_mut(),
            self.registrations,
            &wanted,
            self.progress,
        );
        let mut items = self.plan(registry.as_mut(), &resolutions, global);
        if index > 0 {
            if let Some(previous) = registries.get_mut(&(index - 1)) {
                self.order_gate(previous.as_mut(), &mut items, planned_before);
            }
        }
        let registered: HashSet<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.action.registers())
            .map(|(position, _)| position)
            .collect();
        let plan_fails = items.iter().any(|item| item.verdict.fails());
        let Some(registry) = registries.get_mut(&index) else {
            return (report, registered);
        };
        report.outcome = if plan_fails {
            Outcome::PlanFailed {
                reason: "the plan has failures (below); nothing was written to this environment"
                    .to_string(),
            }
        } else if dry_run {
            Outcome::Planned
        } else {
            let versions = known_versions(&resolutions);
            let mut apply = Apply {
                registry: registry.as_mut(),
                registrations: self.registrations,
                versions,
                writes: 0,
                progress: self.progress,
            };
            let outcome = apply.run(&mut items, &self.environment.name);
            report.summary.writes = apply.writes;
            outcome
        };
        report.summary = Summary {
            writes: report.summary.writes,
            requests: registry
                .requests_sent()
                .zip(requests_before)
                .map(|(after, before)| after - before),
            ..summarize(&items)
        };
        report.items = items;
        (report, registered)
    }

    /// Why HEAD may not go to this environment, if `require.branch` says so.
    fn branch_gate(&self) -> Option<String> {
        let branch = self.environment.require.branch.as_deref()?;
        let repository = match CatalogRepository::discover(self.catalog_root) {
            Ok(repository) => repository,
            Err(error) => {
                return Some(format!(
                    "`{}` requires branch {branch}, and the catalog is not in a Git repository ({error})",
                    self.environment.name
                ))
            }
        };
        match repository.head_on_branch(branch) {
            Ok(Some(true)) => None,
            Ok(Some(false)) => Some(format!(
                "`{}` only takes what is on branch {branch}, and HEAD is not (merge it first)",
                self.environment.name
            )),
            Ok(None) => Some(format!(
                "`{}` only takes what is on branch {branch}, and this clone has no branch {branch} \
                 (nor origin/{branch}); fetch it",
                self.environment.name
            )),
            Err(error) => Some(format!(
                "`{}` requires branch {branch}: {error}",
                self.environment.name
            )),
        }
    }

    /// Which registrations this environment takes, by `require.status`: those an event with
    /// that status needs.
    fn wanted(&self) -> Vec<bool> {
        let required = self.environment.require.status;
        self.registrations
            .iter()
            .map(|registration| match required {
                None => !registration.events.is_empty(),
                Some(status) => registration
                    .events
                    .iter()
                    .any(|(_, event_status)| *event_status == status),
            })
            .collect()
    }

    fn plan(
        &self,
        registry: &mut dyn Registry,
        resolutions: &[Resolution],
        global: CompatibilityLevel,
    ) -> Vec<PlannedItem> {
        let mut items: Vec<PlannedItem> = self
            .registrations
            .iter()
            .zip(resolutions)
            .map(|(registration, resolution)| self.item(registration, resolution))
            .collect();
        for (index, item) in items.iter_mut().enumerate() {
            if matches!(item.action, Action::Skipped { .. }) || item.verdict.fails() {
                continue;
            }
            let registration = &self.registrations[index];
            if item.action == Action::RegisterAfterReferences {
                match registry.subject_exists(&registration.subject) {
                    // A new subject accepts any schema: nothing to check, now or later.
                    Ok(false) => {
                        item.action = Action::NewSubject;
                        item.verdict = Verdict::NotNeeded;
                    }
                    Ok(true) => item.action = Action::NewVersion,
                    Err(error) => {
                        item.verdict = Verdict::Failed {
                            detail: error.to_string(),
                        };
                        continue;
                    }
                }
            }
            self.plan_level(registry, registration, item, global);
            if item.action == Action::NewVersion && item.verdict == Verdict::NotNeeded {
                let schema = stored_schema(
                    self.registrations,
                    registration,
                    &known_versions(resolutions),
                );
                item.verdict = match schema.map(|schema| registry.check(&item.subject, &schema)) {
                    Some(Ok(answer)) if answer.compatible => Verdict::Compatible,
                    Some(Ok(answer)) => {
                        item.messages = answer.messages;
                        Verdict::Incompatible
                    }
                    Some(Err(error)) => Verdict::Failed {
                        detail: error.to_string(),
                    },
                    None => Verdict::Deferred {
                        detail: "checked once its references are registered".to_string(),
                    },
                };
            }
        }
        items
    }

    /// Reads the subject's level when it may differ from the catalog's: when the subject
    /// changes, when the catalog wants other than the registry-wide level, or always with
    /// `verify_levels`. (Otherwise a subject whose schema is unchanged and whose catalog level
    /// equals the global one costs no request here; see the note on drift in ARCHITECTURE.md.)
    fn plan_level(
        &self,
        registry: &mut dyn Registry,
        registration: &Registration,
        item: &mut PlannedItem,
        global: CompatibilityLevel,
    ) {
        if !self.verify_levels && !item.action.registers() && registration.level == global {
            return;
        }
        match registry.compatibility(&registration.subject) {
            Ok(own) => {
                let current = own.unwrap_or(global);
                if current != registration.level {
                    item.level_change = Some(LevelChange {
                        from: current,
                        to: registration.level,
                    });
                    if item.action == Action::NewVersion && item.verdict == Verdict::NotNeeded {
                        item.verdict = Verdict::Deferred {
                            detail: format!(
                                "checked after the level is set to {}",
                                registration.level.as_str()
                            ),
                        };
                    }
                }
            }
            Err(error) => {
                item.verdict = Verdict::Failed {
                    detail: error.to_string(),
                }
            }
        }
    }

    fn item(&self, registration: &Registration, resolution: &Resolution) -> PlannedItem {
        let (action, verdict) = match resolution {
            Resolution::NotWanted => (
                Action::Skipped {
                    reason: self.skip_reason(registration),
                },
                Verdict::NotNeeded,
            ),
            Resolution::Found { version, id } => (
                Action::Unchanged {
                    version: *version,
                    id: *id,
                },
                Verdict::NotNeeded,
            ),
            Resolution::Missing(Lookup::NoSubject) => (Action::NewSubject, Verdict::NotNeeded),
            Resolution::Missing(_) => (Action::NewVersion, Verdict::NotNeeded),
            Resolution::PendingReferences => (
                Action::RegisterAfterReferences,
                Verdict::Deferred {
                    detail: "checked once its references are registered".to_string(),
                },
            ),
            Resolution::Error(error) => (
                Action::NewVersion,
                Verdict::Failed {
                    detail: error.to_string(),
                },
            ),
        };
        PlannedItem {
            subject: registration.subject.clone(),
            kind: match registration.origin {
                Origin::Shared => "shared",
                Origin::Event(SchemaRole::Value) => "value",
                Origin::Event(SchemaRole::Key) => "key",
            },
            file: registration.file.to_string(),
            events: registration
                .events
                .iter()
                .map(|(id, _)| id.to_string())
                .collect(),
            action,
            level_change: None,
            verdict,
            messages: Vec::new(),
            registered_id: None,
        }
    }

    fn skip_reason(&self, registration: &Registration) -> String {
        let name = &self.environment.name;
        match (self.environment.require.status, registration.events.first()) {
            (Some(required), Some((_, status))) => format!(
                "{name} takes only {} events; this is {}",
                required.as_str(),
                status.as_str()
            ),
            _ => format!("no event going to {name} uses it"),
        }
    }

    /// Marks each registration the plan would write that the previous environment does not
    /// hold yet (nor plans to, in a dry run of several environments).
    fn order_gate(
        &self,
        previous: &mut dyn Registry,
        items: &mut [PlannedItem],
        planned_before: &HashSet<usize>,
    ) {
        let mut needed = vec![false; self.registrations.len()];
        let mut pending: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.action.registers())
            .map(|(index, _)| index)
            .collect();
        if pending.is_empty() {
            return;
        }
        while let Some(index) = pending.pop() {
            if !needed[index] {
                needed[index] = true;
                pending.extend(self.registrations[index].references.iter().map(|(_, r)| *r));
            }
        }
        let held = resolve(previous, self.registrations, &needed, self.progress);
        let previous_name = self.previous.unwrap_or("the environment before");
        for (index, item) in items.iter_mut().enumerate() {
            if !item.action.registers() || planned_before.contains(&index) {
                continue;
            }
            match &held[index] {
                Resolution::Found { .. } => {}
                Resolution::Error(error) => {
                    item.verdict = Verdict::Failed {
                        detail: format!("asking {previous_name}: {error}"),
                    }
                }
                _ => {
                    item.verdict = Verdict::OrderBlocked {
                        detail: format!(
                        "{previous_name} does not hold this schema yet; push {previous_name} first"
                    ),
                    }
                }
            }
        }
    }
}

/// Looks up every wanted registration, in waves: a registration is looked up once the versions
/// of everything it refers to are known; if one of them is not registered, neither can it be.
fn resolve(
    registry: &mut dyn Registry,
    registrations: &[Registration],
    wanted: &[bool],
    progress: &dyn Progress,
) -> Vec<Resolution> {
    let mut resolutions: Vec<Option<Resolution>> = wanted
        .iter()
        .map(|&wanted| (!wanted).then_some(Resolution::NotWanted))
        .collect();
    progress.begin(
        "looking up",
        wanted.iter().filter(|&&wanted| wanted).count(),
    );
    loop {
        let versions = known_versions_partial(&resolutions);
        let mut wave: Vec<usize> = Vec::new();
        let mut queries: Vec<(String, StoredSchema)> = Vec::new();
        for (index, registration) in registrations.iter().enumerate() {
            if resolutions[index].is_some() {
                continue;
            }
            let references_done = registration
                .references
                .iter()
                .all(|(_, reference)| resolutions[*reference].is_some());
            if !references_done {
                continue;
            }
            match stored_schema(registrations, registration, &versions) {
                Some(schema) => {
                    wave.push(index);
                    queries.push((registration.subject.clone(), schema));
                }
                None => resolutions[index] = Some(Resolution::PendingReferences),
            }
        }
        if wave.is_empty() {
            if resolutions.iter().all(Option::is_some) {
                break;
            }
            // Unreachable for registrations from `desired` (references always come first);
            // anything left is reported rather than looped on.
            for resolution in resolutions.iter_mut().filter(|r| r.is_none()) {
                *resolution = Some(Resolution::PendingReferences);
            }
            break;
        }
        let answers = registry.lookup_all(&queries);
        progress.advance(answers.len());
        for (index, answer) in wave.into_iter().zip(answers) {
            resolutions[index] = Some(match answer {
                Ok(Lookup::Found { version, id }) => Resolution::Found { version, id },
                Ok(missing) => Resolution::Missing(missing),
                Err(error) => Resolution::Error(error),
            });
        }
    }
    progress.end();
    resolutions
        .into_iter()
        .map(|resolution| resolution.unwrap_or(Resolution::PendingReferences))
        .collect()
}

fn known_versions_partial(resolutions: &[Option<Resolution>]) -> HashMap<usize, u32> {
    resolutions
        .iter()
        .enumerate()
        .filter_map(|(index, resolution)| match resolution {
            Some(Resolution::Found { version, .. }) => Some((index, *version)),
            _ => None,
        })
        .collect()
}

fn known_versions(resolutions: &[Resolution]) -> HashMap<usize, u32> {
    resolutions
        .iter()
        .enumerate()
        .filter_map(|(index, resolution)| match resolution {
            Resolution::Found { version, .. } => Some((index, *version)),
            _ => None,
        })
        .collect()
}

/// The schema as the registry stores it, references resolved to versions; `None` while a
/// reference has no version in this registry.
fn stored_schema(
    registrations: &[Registration],
    registration: &Registration,
    versions: &HashMap<usize, u32>,
) -> Option<StoredSchema> {
    let references = registration
        .references
        .iter()
        .map(|(name, index)| {
            Some(Reference {
                name: name.clone(),
                subject: registrations[*index].subject.clone(),
                version: *versions.get(index)?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(StoredSchema {
        schema: registration.schema.clone(),
        schema_type: registration.format,
        references,
    })
}

fn summarize(items: &[PlannedItem]) -> Summary {
    let mut summary = Summary {
        subjects: items.len(),
        ..Summary::default()
    };
    for item in items {
        match item.action {
            Action::Unchanged { .. } => summary.unchanged += 1,
            Action::NewSubject => summary.new_subjects += 1,
            Action::NewVersion | Action::RegisterAfterReferences => summary.new_versions += 1,
            Action::Skipped { .. } => summary.skipped += 1,
        }
        if item.level_change.is_some() {
            summary.level_changes += 1;
        }
        if item.verdict.fails() {
            summary.failed += 1;
        }
    }
    summary
}

/// Writes a plan that is known to succeed, in dependency order.
struct Apply<'a> {
    registry: &'a mut dyn Registry,
    registrations: &'a [Registration],
    /// Registered versions, by registration index: references need them.
    versions: HashMap<usize, u32>,
    writes: usize,
    progress: &'a dyn Progress,
}

impl Apply<'_> {
    fn run(&mut self, items: &mut [PlannedItem], environment: &str) -> Outcome {
        let work: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.action.registers() || item.level_change.is_some())
            .map(|(index, _)| index)
            .collect();
        if work.is_empty() {
            return Outcome::Pushed;
        }
        self.progress
            .begin(&format!("{environment}: writing"), work.len());
        let referenced: HashSet<usize> = self
            .registrations
            .iter()
            .flat_map(|registration| registration.references.iter().map(|(_, index)| *index))
            .collect();
        for index in work {
            if let Err(reason) = self.apply_one(index, &mut items[index], &referenced) {
                self.progress.end();
                return Outcome::PushFailed {
                    reason: format!(
                        "{}: {reason}. Stopped after {} write(s); each schema written is complete \
                         with its references, and running the push again continues from here",
                        items[index].subject, self.writes
                    ),
                    writes: self.writes,
                };
            }
            self.progress.advance(1);
        }
        self.progress.end();
        Outcome::Pushed
    }

    fn apply_one(
        &mut self,
        index: usize,
        item: &mut PlannedItem,
        referenced: &HashSet<usize>,
    ) -> Result<(), String> {
        let registration = &self.registrations[index];
        if let Some(change) = item.level_change {
            self.registry
                .set_compatibility(&registration.subject, change.to)
                .map_err(|error| format!("setting the level failed: {error}"))?;
            self.writes += 1;
        }
        if !item.action.registers() {
            return Ok(());
        }
        let schema = stored_schema(self.registrations, registration, &self.versions)
            .ok_or("a reference was not registered")?;
        if matches!(item.verdict, Verdict::Deferred { .. }) {
            let answer = self
                .registry
                .check(&registration.subject, &schema)
                .map_err(|error| format!("the compatibility check failed: {error}"))?;
            if !answer.compatible {
                item.verdict = Verdict::Incompatible;
                item.messages = answer.messages;
                return Err("the registry found it incompatible".to_string());
            }
            item.verdict = Verdict::Compatible;
        }
        let id = self
            .registry
            .register(&registration.subject, &schema)
            .map_err(|error| {
                if matches!(error.code, 409 | 40901) {
                    item.verdict = Verdict::Incompatible;
                    item.messages = vec![error.message.clone()];
                }
                format!("registration failed: {error}")
            })?;
        self.writes += 1;
        item.registered_id = Some(id);
        if referenced.contains(&index) {
            match self.registry.lookup(&registration.subject, &schema) {
                Ok(Lookup::Found { version, .. }) => {
                    self.versions.insert(index, version);
                }
                Ok(_) => return Err("registered, yet the registry does not find it".to_string()),
                Err(error) => return Err(format!("looking up its new version failed: {error}")),
            }
        }
        Ok(())
    }
}

/// The push's failures as findings (rules `P001`-`P004`), for the renderers every reporting
/// command shares (SARIF, JUnit, GitHub annotations, Markdown). Each names the environment; a
/// subject's finding sits on its schema file, an environment's on its entry in evcat.yaml.
pub fn findings(report: &PushReport, catalog: &Catalog) -> Vec<crate::findings::Finding> {
    use crate::findings::{finding, Site};
    use crate::source::Seg;
    let settings = CatalogPath::root().child(crate::catalog::SETTINGS_FILE);
    let mut found = Vec::new();
    for environment in &report.environments {
        let index = catalog
            .settings
            .environments
            .iter()
            .position(|candidate| candidate.name == environment.name)
            .unwrap_or_default();
        let at_environment = |key: &str| {
            Site::value(
                &settings,
                vec![Seg::key("environments"), Seg::Index(index), Seg::key(key)],
            )
        };
        match &environment.outcome {
            Outcome::Blocked { reason } => found.push(finding(
                crate::rules::PUSH_GATE,
                at_environment("require"),
                format!("{}: {reason}", environment.name),
            )),
            Outcome::PlanFailed { reason } if environment.items.is_empty() => found.push(finding(
                crate::rules::PUSH_REGISTRY_ERROR,
                at_environment("registry"),
                format!("{}: {reason}", environment.name),
            )),
            _ => {}
        }
        for item in &environment.items {
            let (rule, detail) = match &item.verdict {
                Verdict::Incompatible => (
                    crate::rules::PUSH_INCOMPATIBLE,
                    if item.messages.is_empty() {
                        "the registry gave no reason".to_string()
                    } else {
                        item.messages.join("; ")
                    },
                ),
                Verdict::OrderBlocked { detail } => (crate::rules::PUSH_ORDER, detail.clone()),
                Verdict::Failed { detail } => (crate::rules::PUSH_REGISTRY_ERROR, detail.clone()),
                _ => continue,
            };
            let site = CatalogPath::parse(&item.file)
                .map(Site::File)
                .unwrap_or_else(|_| Site::File(settings.clone()));
            let mut result = finding(
                rule,
                site,
                format!("{}: {}: {detail}", environment.name, item.subject),
            );
            result.case = Some(format!("{}/{}", environment.name, item.subject));
            found.push(result);
        }
    }
    found
}
