//! `evcat drift --env E`: lint (a catalog with errors says nothing reliable about drift), work
//! out what the environment should hold as `push` would, read its registry, report.

use std::path::Path;

use super::commands::{catalog_root, emit, lint_first};
use super::output::{self, ReportArgs, Ui};
use super::{CliError, EXIT_FINDINGS};
use crate::catalog::JsonReferences;
use crate::report::Report;

pub fn drift(
    explicit: Option<&Path>,
    environment: &str,
    args: &ReportArgs,
    ui: &Ui,
    deny_warnings: bool,
) -> Result<u8, CliError> {
    let root = catalog_root(explicit)?;
    let refusal = "drift: the catalog has lint errors (above); fix them first";
    let Some(outcome) = lint_first(&root, refusal, ui)? else {
        return Ok(EXIT_FINDINGS);
    };
    let catalog = &outcome.catalog;
    let environments = &catalog.settings.environments;
    let index = crate::push::environment_index(environments, environment)?;
    let settings = &environments[index];
    let registrations = crate::push::desired(catalog, &outcome.record_names)?;
    let registrations = match settings.registry.json_references {
        JsonReferences::Bundle => crate::push::bundle::bundled(&registrations),
        JsonReferences::References => registrations,
    };
    let mut registry =
        crate::registry::connect::open(settings, &root).map_err(crate::push::PushError::from)?;
    let found = crate::drift::drift(catalog, index, &registrations, registry.as_mut()).map_err(
        |error| CliError::Drift {
            environment: environment.to_string(),
            message: error.to_string(),
        },
    )?;
    let mut report = Report::new("drift", catalog, found.findings.clone());
    report.context = Some(found.summary());
    if args.format.uses_repository_paths() {
        report.prefix = output::repository_prefix(&root);
    }
    emit(&report, catalog.sources(), args, ui, deny_warnings)
}
