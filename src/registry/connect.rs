//! Opens the registry an environment in evcat.yaml names: the embedded store in a folder, or the
//! HTTP client with credentials read from environment variables or files. Errors name the
//! variable or file, never its content.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::http::{Credentials, HttpRegistry, HttpSettings};
use super::store::{RegistryError, Store};
use super::Registry;
use crate::catalog::{AuthSettings, Environment};

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConnectError {
    #[error("environment `{environment}`: {message}")]
    #[diagnostic(code(evcat::registry::settings))]
    Settings {
        environment: String,
        message: String,
        #[help]
        help: Option<String>,
    },
    #[error("environment `{environment}`: {source}")]
    #[diagnostic(code(evcat::registry::open))]
    Open {
        environment: String,
        source: RegistryError,
    },
}

/// Where an environment's registry is, for messages: its URL or its folder.
pub fn describe(environment: &Environment) -> String {
    let registry = &environment.registry;
    match (&registry.url, &registry.embedded) {
        (Some(url), _) => super::redact::redact_urls(url),
        (None, Some(dir)) => format!("embedded registry in {dir}"),
        (None, None) => "no registry".to_string(),
    }
}

/// Opens `environment`'s registry; relative paths in its settings are relative to `catalog_root`.
pub fn open(
    environment: &Environment,
    catalog_root: &Path,
) -> Result<Box<dyn Registry>, ConnectError> {
    let registry = &environment.registry;
    let settings_error = |message: String, help: Option<&str>| ConnectError::Settings {
        environment: environment.name.clone(),
        message,
        help: help.map(str::to_string),
    };
    let open_error = |source| ConnectError::Open {
        environment: environment.name.clone(),
        source,
    };
    if let Some(dir) = &registry.embedded {
        let folder = embedded_folder(catalog_root, dir).map_err(|message| {
            settings_error(
                message,
                Some("keep embedded registries inside the catalog, e.g. `embedded: .registries/dev` (lint rule R004)"),
            )
        })?;
        let store = Store::open(&folder).map_err(open_error)?;
        return Ok(Box::new(store));
    }
    let Some(url) = &registry.url else {
        return Err(settings_error(
            "names no registry".to_string(),
            Some("give the environment `registry: { url: ... }` or `registry: { embedded: DIR }`"),
        ));
    };
    if super::redact::has_password(url) {
        return Err(settings_error(
            "the registry URL holds a password (lint rule Y010); evcat does not use it".to_string(),
            Some("remove `user:password@` from the URL and use `auth: { basic: { username_env, password_env } }`"),
        ));
    }
    let mut settings = HttpSettings::new(url);
    if let Some(auth) = &registry.auth {
        settings.credentials =
            credentials(auth, catalog_root).map_err(|message| settings_error(message, None))?;
    }
    let tls = &registry.tls;
    settings.ca_file = tls.ca_file.as_ref().map(|file| catalog_root.join(file));
    settings.client_identity_file = tls
        .client_identity_file
        .as_ref()
        .map(|file| catalog_root.join(file));
    settings.insecure_skip_verify = tls.insecure_skip_verify;
    if let Some(seconds) = registry.timeouts.connect_seconds {
        settings.connect_timeout = Duration::from_secs(seconds);
    }
    if let Some(seconds) = registry.timeouts.request_seconds {
        settings.request_timeout = Duration::from_secs(seconds);
    }
    let client = HttpRegistry::new(&settings).map_err(open_error)?;
    Ok(Box::new(client))
}

/// The folder of an embedded registry: a catalog path (relative, not climbing out) whose
/// existing part, symlinks resolved, stays inside the catalog. A push writes there, so it must
/// never be somewhere else on the machine.
fn embedded_folder(catalog_root: &Path, dir: &str) -> Result<PathBuf, String> {
    let relative = crate::tree::CatalogPath::parse(dir)
        .map_err(|error| format!("the embedded registry folder {error}"))?;
    let root = std::fs::canonicalize(catalog_root)
        .map_err(|error| format!("cannot open the catalog folder: {error}"))?;
    let mut existing = root.clone();
    for segment in relative.segments() {
        let next = existing.join(segment);
        if next.symlink_metadata().is_err() {
            break;
        }
        existing = next;
    }
    let resolved = std::fs::canonicalize(&existing)
        .map_err(|error| format!("cannot resolve the embedded registry folder {dir}: {error}"))?;
    if !resolved.starts_with(&root) {
        return Err(format!(
            "the embedded registry folder `{dir}` leads outside the catalog (through a symlink)"
        ));
    }
    Ok(root.join(relative.as_str()))
}

fn credentials(auth: &AuthSettings, root: &Path) -> Result<Option<Credentials>, String> {
    if auth.token.is_some() || auth.basic.as_ref().is_some_and(|b| b.password.is_some()) {
        return Err(
            "evcat.yaml holds a literal secret (lint rule Y010); evcat does not use it: name an \
             environment variable or a file instead"
                .to_string(),
        );
    }
    if let Some(token) = secret(&auth.bearer_env, &auth.bearer_file, root, "bearer token")? {
        return Ok(Some(Credentials::Bearer(token)));
    }
    let Some(basic) = &auth.basic else {
        return Ok(None);
    };
    let username = match &basic.username {
        Some(literal) => literal.clone(),
        None => secret(&basic.username_env, &basic.username_file, root, "user name")?
            .ok_or("basic auth needs `username`, `username_env` or `username_file`")?,
    };
    let password = secret(&basic.password_env, &basic.password_file, root, "password")?
        .ok_or("basic auth needs `password_env` or `password_file`")?;
    Ok(Some(Credentials::Basic { username, password }))
}

/// The largest credential file read: a password or token, never more.
const SECRET_FILE_BYTES: u64 = 64 * 1024;

/// Reads a value from the named environment variable, else from the named file.
fn secret(
    variable: &Option<String>,
    file: &Option<String>,
    root: &Path,
    what: &str,
) -> Result<Option<String>, String> {
    if let Some(variable) = variable {
        return match std::env::var(variable) {
            Ok(value) if !value.is_empty() => Ok(Some(value)),
            _ => Err(format!(
                "the {what} comes from the environment variable {variable}, which is not set"
            )),
        };
    }
    if let Some(file) = file {
        let path: PathBuf = root.join(file);
        return match crate::tree::read_os_file(&path, SECRET_FILE_BYTES) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Ok(Some(text.trim_end_matches(['\r', '\n']).to_string())),
                Err(_) => Err(format!(
                    "the {what} file {} is not UTF-8 text",
                    path.display()
                )),
            },
            Err(error) => Err(format!(
                "cannot read the {what} from {}: {error}",
                path.display()
            )),
        };
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::RegistrySettings;

    fn environment(url: &str) -> Environment {
        Environment {
            name: "dev".to_string(),
            registry: RegistrySettings {
                url: Some(url.to_string()),
                ..RegistrySettings::default()
            },
            require: Default::default(),
        }
    }

    #[test]
    fn urls_are_shown_without_user_info_and_passwords_refused() {
        assert_eq!(
            describe(&environment("https://ci:hunter2@sr.example.com/x")),
            "https://sr.example.com/x"
        );
        let refused = open(
            &environment("https://ci:hunter2@sr.example.com"),
            Path::new("."),
        );
        let message = match refused {
            Err(error) => format!("{error} {error:?}"),
            Ok(_) => panic!("a URL with a password must not be used"),
        };
        assert!(!message.contains("hunter2"), "{message}");
        assert!(message.contains("Y010"), "{message}");
    }

    #[test]
    fn embedded_folders_stay_inside_the_catalog() {
        let catalog = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), catalog.path().join("link")).unwrap();
        for dir in ["../x", "/tmp/x", "link/dev"] {
            let message = embedded_folder(catalog.path(), dir).unwrap_err();
            assert!(
                message.contains("catalog") || message.contains("absolute"),
                "{dir}: {message}"
            );
        }
        let inside = embedded_folder(catalog.path(), ".registries/dev").unwrap();
        assert!(inside.ends_with(".registries/dev"));
        assert!(!outside.path().join("dev").exists());
    }
}
