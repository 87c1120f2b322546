//! Schema registries. `store` is the embedded registry: Confluent's semantics over a folder;
//! `serve` puts it behind Confluent's REST API (`evcat registry serve`); `http` is the client for
//! any Confluent-compatible registry. [`Registry`] is what a push needs of either. (Plan and push
//! come with the rest of issue #4.)

pub mod http;
pub mod serve;
pub mod store;

use crate::catalog::CompatibilityLevel;
use store::{RegistryError, Store, StoredSchema};

/// What a push asks of a registry, embedded or remote.
pub trait Registry {
    /// The (version, id) under which `subject` holds exactly `schema`, if it does.
    fn lookup(
        &mut self,
        subject: &str,
        schema: &StoredSchema,
    ) -> Result<Option<(u32, u32)>, RegistryError>;

    /// Whether `schema` may be registered under `subject`, and the registry's reasons if not.
    fn check(
        &mut self,
        subject: &str,
        schema: &StoredSchema,
    ) -> Result<(bool, Vec<String>), RegistryError>;

    /// Registers `schema` under `subject`; returns its global id.
    fn register(&mut self, subject: &str, schema: &StoredSchema) -> Result<u32, RegistryError>;

    /// The level set on the subject itself, if any.
    fn compatibility(&mut self, subject: &str)
        -> Result<Option<CompatibilityLevel>, RegistryError>;

    fn set_compatibility(
        &mut self,
        subject: &str,
        level: CompatibilityLevel,
    ) -> Result<(), RegistryError>;
}

impl Registry for Store {
    fn lookup(
        &mut self,
        subject: &str,
        schema: &StoredSchema,
    ) -> Result<Option<(u32, u32)>, RegistryError> {
        match Store::lookup(self, subject, schema) {
            Ok(found) => Ok(Some((found.version, found.id))),
            Err(error) if matches!(error.code, 40401 | 40403) => Ok(None),
            Err(error) => Err(error),
        }
    }

    fn check(
        &mut self,
        subject: &str,
        schema: &StoredSchema,
    ) -> Result<(bool, Vec<String>), RegistryError> {
        let verdict = self.check_compatibility(subject, schema, None)?;
        let messages = verdict
            .findings
            .iter()
            .filter(|finding| finding.difference.breaking)
            .map(|finding| format!("{} at {}", finding.difference.kind, finding.difference.path))
            .collect();
        Ok((verdict.compatible, messages))
    }

    fn register(&mut self, subject: &str, schema: &StoredSchema) -> Result<u32, RegistryError> {
        Store::register(self, subject, schema.clone())
    }

    fn compatibility(
        &mut self,
        subject: &str,
    ) -> Result<Option<CompatibilityLevel>, RegistryError> {
        Ok(self.subject_compatibility(subject))
    }

    fn set_compatibility(
        &mut self,
        subject: &str,
        level: CompatibilityLevel,
    ) -> Result<(), RegistryError> {
        Store::set_compatibility(self, Some(subject), level)
    }
}

impl Registry for http::HttpRegistry {
    fn lookup(
        &mut self,
        subject: &str,
        schema: &StoredSchema,
    ) -> Result<Option<(u32, u32)>, RegistryError> {
        http::HttpRegistry::lookup(self, subject, schema)
    }

    fn check(
        &mut self,
        subject: &str,
        schema: &StoredSchema,
    ) -> Result<(bool, Vec<String>), RegistryError> {
        http::HttpRegistry::check(self, subject, schema)
    }

    fn register(&mut self, subject: &str, schema: &StoredSchema) -> Result<u32, RegistryError> {
        http::HttpRegistry::register(self, subject, schema)
    }

    fn compatibility(
        &mut self,
        subject: &str,
    ) -> Result<Option<CompatibilityLevel>, RegistryError> {
        http::HttpRegistry::compatibility(self, subject)
    }

    fn set_compatibility(
        &mut self,
        subject: &str,
        level: CompatibilityLevel,
    ) -> Result<(), RegistryError> {
        http::HttpRegistry::set_compatibility(self, subject, level)
    }
}
