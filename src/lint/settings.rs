//! Checks of `evcat.yaml` beyond its JSON Schema: environments have distinct names, each names
//! exactly one registry (an embedded folder serves one environment only), and no secret is
//! written in the file; the governance team that reviews it is a declared team.

use crate::catalog::{Catalog, SETTINGS_FILE};
use crate::findings::{closest, finding, Findings, Site};
use crate::rules;
use crate::source::Seg;
use crate::tree::CatalogPath;

pub fn check(catalog: &Catalog, findings: &mut Findings) {
    let file = CatalogPath::root().child(SETTINGS_FILE);
    check_governance_team(catalog, &file, findings);
    let environments = &catalog.settings.environments;
    for index in 0..environments.len() {
        let at = |keys: &[&str]| -> Vec<Seg> {
            [Seg::key("environments"), Seg::Index(index)]
                .into_iter()
                .chain(keys.iter().map(|key| Seg::key(key)))
                .collect()
        };
        check_environment(&file, environments, index, &at, findings);
        check_secrets(&file, &environments[index], &at, findings);
    }
}

/// `review.governance` is a declared team.
fn check_governance_team(catalog: &Catalog, file: &CatalogPath, findings: &mut Findings) {
    if let Some(team) = &catalog.settings.review.governance {
        if !catalog.settings.teams.contains_key(team) {
            let teams: Vec<&String> = catalog.settings.teams.keys().collect();
            findings.push(
                finding(
                    rules::UNKNOWN_TEAM,
                    Site::value(file, vec![Seg::key("review"), Seg::key("governance")]),
                    format!("governance team `{team}` is not a team declared under `teams:`"),
                )
                .with_help(match closest(team, &teams) {
                    Some(known) => format!("did you mean `{known}`?"),
                    None => "declare it under `teams:`".to_string(),
                }),
            );
        }
    }
}

/// An environment's name is unique, and it names exactly one registry, in a folder of its own
/// inside the catalog when embedded.
fn check_environment(
    file: &CatalogPath,
    environments: &[crate::catalog::Environment],
    index: usize,
    at: &dyn Fn(&[&str]) -> Vec<Seg>,
    findings: &mut Findings,
) {
    let environment = &environments[index];
    let earlier = &environments[..index];
    if earlier.iter().any(|other| other.name == environment.name) {
        findings.push(
            finding(
                rules::DUPLICATE_NAME,
                Site::value(file, at(&["name"])),
                format!("environment `{}` is declared twice", environment.name),
            )
            .with_help("environment names are what `--env` and `--through` refer to: rename one"),
        );
    }
    let registry = &environment.registry;
    if let Some(Err(error)) = registry.embedded.as_deref().map(CatalogPath::parse) {
        findings.push(
            finding(
                rules::PATH_ESCAPE,
                Site::value(file, at(&["registry", "embedded"])),
                format!(
                    "environment `{}`: the embedded registry folder {error}",
                    environment.name
                ),
            )
            .with_help("a push writes there: keep it inside the catalog, e.g. `.registries/dev`"),
        );
    }
    if let Some(folder) = &registry.embedded {
        let shared = earlier
            .iter()
            .find(|other| other.registry.embedded.as_deref() == Some(folder.as_str()));
        if let Some(other) = shared {
            findings.push(
                finding(
                    rules::INVALID_VALUE,
                    Site::value(file, at(&["registry", "embedded"])),
                    format!(
                        "environments `{}` and `{}` share the embedded registry {folder}",
                        other.name, environment.name
                    ),
                )
                .with_help("give each environment its own folder, e.g. .registries/<environment>"),
            );
        }
    }
    match (&registry.url, &registry.embedded) {
        (None, None) => findings.push(
            finding(
                rules::MISSING_KEY,
                Site::key(file, at(&["registry"])),
                format!("environment `{}` names no registry", environment.name),
            )
            .with_help(
                "add `url: https://...` for a Schema Registry, or `embedded: DIR` for a \
                 registry kept in a folder",
            ),
        ),
        (Some(_), Some(_)) => findings.push(
            finding(
                rules::INVALID_VALUE,
                Site::key(file, at(&["registry"])),
                format!(
                    "environment `{}` names two registries (`url` and `embedded`)",
                    environment.name
                ),
            )
            .with_help("keep one of `url` and `embedded`"),
        ),
        _ => {}
    }
}

/// No password or token is written in evcat.yaml (in a registry URL or `auth:`).
fn check_secrets(
    file: &CatalogPath,
    environment: &crate::catalog::Environment,
    at: &dyn Fn(&[&str]) -> Vec<Seg>,
    findings: &mut Findings,
) {
    let registry = &environment.registry;
    if registry
        .url
        .as_deref()
        .is_some_and(crate::registry::redact::has_password)
    {
        findings.push(
            finding(
                rules::LITERAL_SECRET,
                Site::value(file, at(&["registry", "url"])),
                format!(
                    "environment `{}` writes a password in its registry URL",
                    environment.name
                ),
            )
            .with_help(
                "remove `user:password@` from the URL, use `auth: { basic: { username_env: \
                 VARIABLE, password_env: VARIABLE } }`, and rotate the committed password",
            ),
        );
    }
    let Some(auth) = &registry.auth else {
        return;
    };
    let password = auth
        .basic
        .as_ref()
        .and_then(|basic| basic.password.as_ref());
    let literals = [
        (
            auth.token.is_some(),
            at(&["registry", "auth", "token"]),
            "token",
            "bearer",
        ),
        (
            password.is_some(),
            at(&["registry", "auth", "basic", "password"]),
            "password",
            "password",
        ),
    ];
    for (written, path, key, instead) in literals {
        if !written {
            continue;
        }
        findings.push(
            finding(
                rules::LITERAL_SECRET,
                // At the value: the renderer masks what a secret finding points at.
                Site::value(file, path),
                format!(
                    "environment `{}` writes its registry {key} in evcat.yaml",
                    environment.name
                ),
            )
            .with_help(format!(
                "replace `{key}:` with `{instead}_env: VARIABLE` or `{instead}_file: PATH`, \
                 and rotate the committed secret"
            )),
        );
    }
}
