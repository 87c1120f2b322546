//! Checks of `evcat.yaml` beyond its JSON Schema: each environment names exactly one registry,
//! and no secret is written in the file.

use crate::catalog::{Catalog, SETTINGS_FILE};
use crate::findings::{finding, Findings, Site};
use crate::rules;
use crate::source::Seg;
use crate::tree::CatalogPath;

pub fn check(catalog: &Catalog, findings: &mut Findings) {
    let file = CatalogPath::root().child(SETTINGS_FILE);
    for (index, environment) in catalog.settings.environments.iter().enumerate() {
        let registry_path = vec![
            Seg::key("environments"),
            Seg::Index(index),
            Seg::key("registry"),
        ];
        let registry = &environment.registry;
        match (&registry.url, &registry.embedded) {
            (None, None) => findings.push(
                finding(
                    rules::MISSING_KEY,
                    Site::key(&file, registry_path.clone()),
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
                    Site::key(&file, registry_path.clone()),
                    format!(
                        "environment `{}` names two registries (`url` and `embedded`)",
                        environment.name
                    ),
                )
                .with_help("keep one of `url` and `embedded`"),
            ),
            _ => {}
        }
        let Some(auth) = &environment.registry.auth else {
            continue;
        };
        let auth_path = vec![
            Seg::key("environments"),
            Seg::Index(index),
            Seg::key("registry"),
            Seg::key("auth"),
        ];
        let mut literal = |mut path: Vec<Seg>, key: &str, instead: &str| {
            path.push(Seg::key(key));
            findings.push(
                finding(
                    rules::LITERAL_SECRET,
                    Site::key(&file, path),
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
        };
        if auth.token.is_some() {
            literal(auth_path.clone(), "token", "bearer");
        }
        if auth
            .basic
            .as_ref()
            .is_some_and(|basic| basic.password.is_some())
        {
            let mut basic_path = auth_path.clone();
            basic_path.push(Seg::key("basic"));
            literal(basic_path, "password", "password");
        }
    }
}
