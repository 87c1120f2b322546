//! Planning one environment: gates, lookups in dependency waves, levels, the registry's own
//! compatibility checks and the order gate; then, unless a dry run, [`super::apply`].

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::apply::Apply;
use super::{
    Action, EnvironmentReport, LevelChange, Origin, Outcome, PlannedItem, Progress, Registration,
    Summary, Verdict,
};
use crate::catalog::{CompatibilityLevel, Environment, SchemaRole};
use crate::git::CatalogRepository;
use crate::registry::connect;
use crate::registry::store::{Reference, RegistryError, StoredSchema};
use crate::registry::{Lookup, Registry};

pub(super) struct EnvironmentRun<'a> {
    pub(super) environment: &'a Environment,
    pub(super) verify_levels: bool,
    /// The environment before this one in promotion order, if any.
    pub(super) previous: Option<&'a str>,
    /// What this environment registers (JSON references bundled when it asks for that).
    pub(super) registrations: &'a [Registration],
    /// The same as the environment before registers them, for the order gate.
    pub(super) previous_registrations: &'a [Registration],
    pub(super) catalog_root: &'a Path,
    pub(super) progress: &'a dyn Progress,
}

/// Why a schema whose references are new is checked only while writing.
const AFTER_REFERENCES: &str = "checked once its references are registered";

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
    pub(super) fn run(
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
        let requests_since = |registry: &dyn Registry| {
            registry
                .requests_sent()
                .zip(requests_before)
                .map(|(after, before)| after - before)
        };
        // One cheap request first: a registry that cannot be reached (or refuses the credentials)
        // fails the environment here, not once per subject after every retry.
        let global = match registry.global_compatibility() {
            Ok(level) => level,
            Err(error) => {
                report.outcome = Outcome::PlanFailed {
                    reason: format!(
                        "the registry's level could not be read: {error}; nothing was written"
                    ),
                };
                report.summary.requests = requests_since(registry.as_ref());
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
        let mut order_gate_requests = None;
        if index > 0 {
            if let Some(previous) = registries.get_mut(&(index - 1)) {
                let before = previous.requests_sent();
                self.order_gate(previous.as_mut(), &mut items, planned_before);
                order_gate_requests = previous
                    .requests_sent()
                    .zip(before)
                    .map(|(after, before)| after - before);
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
        let mut writes = 0;
        report.outcome = if plan_fails {
            Outcome::PlanFailed {
                reason: "part of the plan fails (the subjects marked as failing say why); \
                         nothing was written to this environment"
                    .to_string(),
            }
        } else if dry_run {
            Outcome::Planned
        } else {
            let versions = known_versions(resolutions.iter().map(Some));
            let mut apply = Apply {
                registry: registry.as_mut(),
                registrations: self.registrations,
                versions,
                writes: 0,
                progress: self.progress,
            };
            let outcome = apply.run(&mut items, &self.environment.name);
            writes = apply.writes;
            outcome
        };
        report.summary = Summary {
            writes,
            requests: requests_since(registry.as_ref()),
            order_gate_requests,
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
        wanted_in(self.environment, self.registrations)
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
        let versions = known_versions(resolutions.iter().map(Some));
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
                let schema = stored_schema(self.registrations, registration, &versions);
                item.verdict = match schema
                    .map(|schema| registry.check(&item.subject, &schema, registration.level))
                {
                    Some(Ok(answer)) if answer.compatible => Verdict::Compatible,
                    Some(Ok(answer)) => {
                        item.messages = answer.messages;
                        Verdict::Incompatible
                    }
                    Some(Err(error)) => Verdict::Failed {
                        detail: error.to_string(),
                    },
                    None => Verdict::Deferred {
                        detail: AFTER_REFERENCES.to_string(),
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
                    detail: AFTER_REFERENCES.to_string(),
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
        let held = resolve(
            previous,
            self.previous_registrations,
            &needed,
            self.progress,
        );
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
        let versions = known_versions(resolutions.iter().map(Option::as_ref));
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

/// The registered version of each registration found so far, by index (`None`: not known yet).
fn known_versions<'r>(
    resolutions: impl IntoIterator<Item = Option<&'r Resolution>>,
) -> HashMap<usize, u32> {
    resolutions
        .into_iter()
        .enumerate()
        .filter_map(|(index, resolution)| match resolution {
            Some(Resolution::Found { version, .. }) => Some((index, *version)),
            _ => None,
        })
        .collect()
}

/// The schema as the registry stores it, references resolved to versions; `None` while a
/// reference has no version in this registry.
pub(super) fn stored_schema(
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

/// Which registrations `environment` takes, by its `require.status`: those an event with that
/// status needs (any event, without the gate).
pub fn wanted_in(environment: &Environment, registrations: &[Registration]) -> Vec<bool> {
    let required = environment.require.status;
    registrations
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
