//! Asking a registry whether a schema may be registered, in a form every Confluent-compatible
//! registry answers. A non-transitive level asks against `versions/latest`. A transitive level
//! asks against all versions at once (`POST /compatibility/subjects/{s}/versions`) where the
//! registry has that endpoint; Karapace answers it with a plain 404 (no Confluent error code),
//! and then each registered version is asked in turn. Which form works is learnt once per run.

use std::sync::atomic::Ordering;

use reqwest::Method;

use super::{malformed, schema_body, segment, HttpRegistry};
use crate::catalog::CompatibilityLevel;
use crate::registry::store::{RegistryError, StoredSchema};
use crate::registry::CheckAnswer;

/// A plain 404, without a Confluent error code: the endpoint does not exist (a missing subject
/// or version has a code of its own, 40401 or 40402).
fn endpoint_missing(error: &RegistryError) -> bool {
    error.code == 404
}

/// The answer when there is nothing registered to be compatible with.
fn nothing_to_check() -> CheckAnswer {
    CheckAnswer {
        compatible: true,
        messages: Vec::new(),
    }
}

impl HttpRegistry {
    /// Asks the registry whether `schema` may be registered under `subject`, whose level is
    /// `level`; the registry's messages explain a refusal.
    pub fn check(
        &self,
        subject: &str,
        schema: &StoredSchema,
        level: CompatibilityLevel,
    ) -> Result<CheckAnswer, RegistryError> {
        if !level.is_transitive() {
            return self.check_against(subject, schema, Some("latest"));
        }
        if !self.compatibility_per_version.load(Ordering::Relaxed) {
            match self.check_against(subject, schema, None) {
                Err(error) if endpoint_missing(&error) => self
                    .compatibility_per_version
                    .store(true, Ordering::Relaxed),
                answer => return answer,
            }
        }
        self.check_each_version(subject, schema)
    }

    /// The registry's verdict against each registered version, one request each: what a
    /// transitive level asks, where the registry cannot answer for all at once.
    fn check_each_version(
        &self,
        subject: &str,
        schema: &StoredSchema,
    ) -> Result<CheckAnswer, RegistryError> {
        let Some(versions) = self.versions(subject)? else {
            return Ok(nothing_to_check());
        };
        let mut combined = nothing_to_check();
        for version in versions {
            let answer = self.check_against(subject, schema, Some(&version.to_string()))?;
            if !answer.compatible {
                combined.compatible = false;
                combined.messages.extend(
                    answer
                        .messages
                        .into_iter()
                        .map(|message| format!("version {version}: {message}")),
                );
            }
        }
        Ok(combined)
    }

    /// One compatibility request: against one version (`latest` or a number), or all (`None`).
    fn check_against(
        &self,
        subject: &str,
        schema: &StoredSchema,
        version: Option<&str>,
    ) -> Result<CheckAnswer, RegistryError> {
        let target = version
            .map(|version| format!("/{version}"))
            .unwrap_or_default();
        let path = format!(
            "/compatibility/subjects/{}/versions{target}?verbose=true",
            segment(subject)
        );
        let answer = match self.send(Method::POST, &path, Some(&schema_body(schema))) {
            Ok(answer) => answer,
            // No such subject (or version) yet: any schema may be registered.
            Err(error) if matches!(error.code, 40401 | 40402) => return Ok(nothing_to_check()),
            Err(error) => return Err(error),
        };
        let Some(compatible) = answer["is_compatible"].as_bool() else {
            return Err(malformed(
                &format!("POST /compatibility/subjects/{subject}/versions{target}"),
                "`is_compatible` (true or false)",
                &answer,
            ));
        };
        // Messages are explanations only; whatever their shape, they are shown.
        let messages = answer["messages"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|message| {
                        message
                            .as_str()
                            .map_or_else(|| message.to_string(), str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(CheckAnswer {
            compatible,
            messages,
        })
    }
}
