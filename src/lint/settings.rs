//! Checks of `evcat.yaml` beyond its JSON Schema: environments have distinct names, each names
//! exactly one registry (an embedded folder serves one environment only), and no secret is
//! written in the file.

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
        let earlier = &catalog.settings.environments[..index];
        if earlier.iter().any(|other| other.name == environment.name) {
            findings.push(
                finding(
                    rules::DUPLICATE_NAME,
                    Site::value(
                        &file,
                        vec![
                            Seg::key("environments"),
                            Seg::Index(index),
                            Seg::key("name"),
                        ],
                    ),
                    format!("environment `{}` is declared twice", environment.name),
                )
                .with_help(
                    "environment names are what `--env` and `--through` refer to: rename one",
                ),
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
                        Site::value(&file, {
                            let mut path = registry_path.clone();
                            path.push(Seg::key("embedded"));
                            path
                        }),
                        format!(
                            "environments `{}` and `{}` share the embedded registry {folder}",
                            other.name, environment.name
                        ),
                    )
                    .with_help(
                        "give each environment its own folder, e.g. .registries/<environment>",
                    ),
                );
            }
        }
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
