//! Resolving a schema's references (imports, `$ref`s, Avro named types) to registered versions,
//! transitively: a referenced schema's own references are resolved the same way, as Confluent
//! resolves them (C imports B, B imports A: C lists only B, and A is found through B).

use std::collections::HashSet;

use super::{Reference, RegistryError, Store, VersionSelector};
use crate::compat::load::SchemaFiles;

/// How many references, counted transitively, one schema may bring (a bound on the walk).
const MAX_REFERENCES: usize = 10_000;

/// The texts a schema's references bring, by the name each is referred by.
pub(super) struct ReferenceFiles {
    texts: Vec<(String, String)>,
}

impl ReferenceFiles {
    /// Resolves `references` and theirs. A reference to a version the registry does not hold is
    /// 42201, as Confluent answers it (the schema is invalid, not the request's path).
    pub(super) fn new(store: &Store, references: &[Reference]) -> Result<Self, RegistryError> {
        let mut texts = Vec::new();
        let mut seen = HashSet::new();
        let mut pending: Vec<Reference> = references.iter().rev().cloned().collect();
        while let Some(reference) = pending.pop() {
            if !seen.insert((reference.subject.clone(), reference.version)) {
                continue;
            }
            if seen.len() > MAX_REFERENCES {
                return Err(RegistryError::new(
                    42201,
                    format!("Invalid schema: more than {MAX_REFERENCES} references"),
                ));
            }
            let version = store
                .version(
                    &reference.subject,
                    VersionSelector::Number(reference.version),
                )
                .map_err(|_| {
                    RegistryError::new(
                        42201,
                        format!(
                            "Invalid schema: reference {} (subject {}, version {}) is not registered",
                            reference.name, reference.subject, reference.version
                        ),
                    )
                })?;
            pending.extend(version.schema.references.iter().rev().cloned());
            if !texts.iter().any(|(name, _)| *name == reference.name) {
                texts.push((reference.name, version.schema.schema));
            }
        }
        Ok(ReferenceFiles { texts })
    }
}

impl ReferenceFiles {
    /// Every referenced text, by the name it is referred by.
    pub(super) fn texts(&self) -> &[(String, String)] {
        &self.texts
    }
}

impl SchemaFiles for ReferenceFiles {
    fn resolve(&self, _from: &str, reference: &str) -> Option<(String, String)> {
        self.texts
            .iter()
            .find(|(name, _)| name == reference)
            .cloned()
    }

    fn avro_candidates(&self, _from: &str) -> Vec<(String, String)> {
        self.texts.clone()
    }
}
