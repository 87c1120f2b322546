//! `evcat drift`: where an environment's registry and the catalog disagree. The registry is
//! read whole in a few paged requests (`Registry::all_versions`), then each subject the catalog
//! manages costs one request for its own level, asked concurrently: at most one request per
//! subject. What the catalog wants there is what `push` would register (`push::desired`, the
//! environment's status gate and JSON reference form applied).

use std::collections::{BTreeMap, HashSet};

use crate::catalog::{Catalog, CompatibilityLevel, Environment, Status, SETTINGS_FILE};
use crate::findings::{finding, Finding, Site};
use crate::push::Registration;
use crate::registry::store::{Reference, RegisteredVersion, RegistryError, StoredSchema};
use crate::registry::Registry;
use crate::rules;
use crate::source::Seg;
use crate::tree::CatalogPath;

/// What a drift run found, with the figures its summary shows.
#[derive(Debug)]
pub struct DriftReport {
    pub environment: String,
    /// Subjects with a live version in the registry.
    pub registry_subjects: usize,
    /// Subjects the catalog manages in this environment.
    pub managed: usize,
    pub findings: Vec<Finding>,
    /// Requests sent, for a remote registry.
    pub requests: Option<u64>,
}

impl DriftReport {
    pub fn summary(&self) -> String {
        let requests = self
            .requests
            .map(|count| format!("; {count} requests"))
            .unwrap_or_default();
        format!(
            "{}: {} subjects in the registry, {} managed by the catalog{requests}",
            self.environment, self.registry_subjects, self.managed
        )
    }
}

/// Compares the registry of `catalog.settings.environments[index]` with `registrations` (the
/// form this environment registers: bundled or not).
pub fn drift(
    catalog: &Catalog,
    index: usize,
    registrations: &[Registration],
    registry: &mut dyn Registry,
) -> Result<DriftReport, RegistryError> {
    let environment = &catalog.settings.environments[index];
    let versions = registry.all_versions()?;
    let mut by_subject: BTreeMap<&str, Vec<&RegisteredVersion>> = BTreeMap::new();
    for version in &versions {
        by_subject
            .entry(version.subject.as_str())
            .or_default()
            .push(version);
    }
    let wanted = crate::push::wanted_in(environment, registrations);
    let managed: HashSet<&str> = registrations
        .iter()
        .map(|registration| registration.subject.as_str())
        .collect();
    let mut findings = Vec::new();
    let at_environment = Site::value(
        &CatalogPath::root().child(SETTINGS_FILE),
        vec![
            Seg::key("environments"),
            Seg::Index(index),
            Seg::key("name"),
        ],
    );
    for subject in by_subject.keys() {
        if !managed.contains(subject) {
            findings.push(
                finding(
                    rules::DRIFT_UNMANAGED,
                    at_environment.clone(),
                    format!(
                        "{}: subject `{subject}` is in the registry, not in the catalog",
                        environment.name
                    ),
                )
                .with_help("add its event to the catalog, or delete the subject"),
            );
        }
    }
    let present: Vec<usize> = (0..registrations.len())
        .filter(|&position| wanted[position])
        .collect();
    let comparison = Comparison {
        environment,
        registrations,
        by_subject: &by_subject,
    };
    for &position in &present {
        comparison.compare_schema(position, &mut findings);
    }
    let in_registry: Vec<usize> = present
        .iter()
        .copied()
        .filter(|&position| by_subject.contains_key(registrations[position].subject.as_str()))
        .collect();
    if !in_registry.is_empty() {
        let global = registry.global_compatibility()?;
        let subjects: Vec<String> = in_registry
            .iter()
            .map(|&position| registrations[position].subject.clone())
            .collect();
        let levels = registry.compatibility_all(&subjects);
        for (&position, level) in in_registry.iter().zip(levels) {
            comparison.compare_level(position, level?.unwrap_or(global), &mut findings);
        }
    }
    let managed_here: HashSet<&str> = present
        .iter()
        .map(|&position| registrations[position].subject.as_str())
        .collect();
    Ok(DriftReport {
        environment: environment.name.clone(),
        registry_subjects: by_subject.len(),
        managed: managed_here.len(),
        findings,
        requests: registry.requests_sent(),
    })
}

struct Comparison<'a> {
    environment: &'a Environment,
    registrations: &'a [Registration],
    by_subject: &'a BTreeMap<&'a str, Vec<&'a RegisteredVersion>>,
}

impl Comparison<'_> {
    fn site(&self, registration: &Registration) -> Site {
        Site::File(registration.file.clone())
    }

    /// The registration as the registry would hold it, its references' versions aside (the
    /// registry numbers them; drift compares what the references name).
    fn wanted_schema(&self, registration: &Registration) -> StoredSchema {
        StoredSchema {
            schema: registration.schema.clone(),
            schema_type: registration.format,
            references: registration
                .references
                .iter()
                .map(|(name, position)| Reference {
                    name: name.clone(),
                    subject: self.registrations[*position].subject.clone(),
                    version: 0,
                })
                .collect(),
        }
    }

    fn compare_schema(&self, position: usize, findings: &mut Vec<Finding>) {
        let registration = &self.registrations[position];
        let subject = registration.subject.as_str();
        let name = &self.environment.name;
        let approved = registration
            .events
            .iter()
            .any(|(_, status)| *status == Status::Approved);
        let Some(versions) = self.by_subject.get(subject) else {
            let (rule, message) = if approved {
                (
                    rules::DRIFT_MISSING,
                    format!(
                        "{name}: subject `{subject}` of an approved event is not in the registry"
                    ),
                )
            } else {
                (
                    rules::DRIFT_PENDING,
                    format!("{name}: subject `{subject}` is not in the registry yet"),
                )
            };
            findings.push(
                finding(rule, self.site(registration), message)
                    .with_help(format!("`evcat push --env {name}` registers it")),
            );
            return;
        };
        let wanted = self.wanted_schema(registration);
        let matching = versions
            .iter()
            .rev()
            .find(|version| same_content(&version.schema, &wanted));
        let Some(latest) = versions.last() else {
            return;
        };
        match matching {
            Some(found) if found.version == latest.version => {}
            Some(found) => findings.push(
                finding(
                    rules::DRIFT_OUT_OF_BAND,
                    self.site(registration),
                    format!(
                        "{name}: subject `{subject}` has version {} (id {}) after the catalog's \
                         version {}",
                        latest.version, latest.id, found.version
                    ),
                )
                .with_help("bring that schema into the catalog, or delete the version"),
            ),
            None => findings.push(
                finding(
                    rules::DRIFT_PENDING,
                    self.site(registration),
                    format!(
                        "{name}: subject `{subject}` does not hold the catalog's schema (its latest \
                         is version {})",
                        latest.version
                    ),
                )
                .with_help(format!("`evcat push --env {name}` registers it")),
            ),
        }
    }

    fn compare_level(
        &self,
        position: usize,
        actual: CompatibilityLevel,
        findings: &mut Vec<Finding>,
    ) {
        let registration = &self.registrations[position];
        if actual == registration.level {
            return;
        }
        findings.push(
            finding(
                rules::DRIFT_LEVEL,
                self.site(registration),
                format!(
                    "{}: subject `{}` is {} in the registry, {} in the catalog",
                    self.environment.name,
                    registration.subject,
                    actual.as_str(),
                    registration.level.as_str()
                ),
            )
            .with_help(format!(
                "`evcat push --env {} --verify-levels` sets it back",
                self.environment.name
            )),
        );
    }
}

/// The same schema to the registry, references compared by name and subject only.
fn same_content(stored: &StoredSchema, wanted: &StoredSchema) -> bool {
    let mut unversioned = stored.clone();
    for reference in &mut unversioned.references {
        reference.version = 0;
    }
    unversioned.same_as(wanted)
}
