//! Schema registries. `store` is the embedded registry: Confluent's semantics over a folder;
//! `serve` puts it behind Confluent's REST API (`evcat registry serve`); `http` is the client for
//! any Confluent-compatible registry; `connect` opens the one an environment in evcat.yaml names.
//! [`Registry`] is what a push needs of either.

pub mod connect;
pub mod http;
pub mod redact;
pub mod serve;
pub mod store;

use crate::catalog::CompatibilityLevel;
use store::{RegistryError, Store, StoredSchema};

/// What a lookup found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The subject holds exactly this schema (text, type and references).
    Found { version: u32, id: u32 },
    /// The subject has no live version: registering creates it.
    NoSubject,
    /// The subject exists and lacks this schema: registering adds a version.
    NotInSubject,
}

impl Lookup {
    /// Turns the registry's "not found" answers into what they mean for a lookup: 40401 no such
    /// subject, 40403 the subject lacks the schema. Other errors stay errors.
    fn from_not_found(error: RegistryError) -> Result<Lookup, RegistryError> {
        match error.code {
            40401 => Ok(Lookup::NoSubject),
            40403 => Ok(Lookup::NotInSubject),
            _ => Err(error),
        }
    }
}

/// The registry's answer to "may this schema be registered?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckAnswer {
    pub compatible: bool,
    /// The registry's own reasons, as it words them (terse in some registries).
    pub messages: Vec<String>,
}

/// What a push asks of a registry, embedded or remote.
pub trait Registry {
    /// Whether `subject` holds exactly `schema`.
    fn lookup(&mut self, subject: &str, schema: &StoredSchema) -> Result<Lookup, RegistryError>;

    /// Many lookups; a remote registry runs them concurrently, with a bound.
    fn lookup_all(
        &mut self,
        queries: &[(String, StoredSchema)],
    ) -> Vec<Result<Lookup, RegistryError>> {
        queries
            .iter()
            .map(|(subject, schema)| self.lookup(subject, schema))
            .collect()
    }

    /// Whether `subject` has a live version.
    fn subject_exists(&mut self, subject: &str) -> Result<bool, RegistryError>;

    /// Whether `schema` may be registered under `subject`, whose level is `level`, with the
    /// registry's reasons.
    fn check(
        &mut self,
        subject: &str,
        schema: &StoredSchema,
        level: CompatibilityLevel,
    ) -> Result<CheckAnswer, RegistryError>;

    /// Registers `schema` under `subject`; returns its global id.
    fn register(&mut self, subject: &str, schema: &StoredSchema) -> Result<u32, RegistryError>;

    /// The registry-wide level, which subjects without their own inherit.
    fn global_compatibility(&mut self) -> Result<CompatibilityLevel, RegistryError>;

    /// The level set on the subject itself, if any.
    fn compatibility(&mut self, subject: &str)
        -> Result<Option<CompatibilityLevel>, RegistryError>;

    fn set_compatibility(
        &mut self,
        subject: &str,
        level: CompatibilityLevel,
    ) -> Result<(), RegistryError>;

    /// A run of writes begins: a registry may make them durable together, at
    /// [`Registry::finish_writes`], instead of one by one.
    fn begin_writes(&mut self) {}

    /// The run of writes ends (completed or stopped): everything written is durable when this
    /// returns `Ok`.
    fn finish_writes(&mut self) -> Result<(), RegistryError> {
        Ok(())
    }

    /// Every live version of every subject, by subject then version (`evcat drift`).
    fn all_versions(&mut self) -> Result<Vec<store::RegisteredVersion>, RegistryError>;

    /// The levels set on each of `subjects` themselves; a remote registry asks concurrently.
    fn compatibility_all(
        &mut self,
        subjects: &[String],
    ) -> Vec<Result<Option<CompatibilityLevel>, RegistryError>> {
        subjects
            .iter()
            .map(|subject| self.compatibility(subject))
            .collect()
    }

    /// Requests sent over the network so far; `None` for a registry that is not remote.
    fn requests_sent(&self) -> Option<u64> {
        None
    }

    /// The writes a push makes, when this registry takes them from several threads at once
    /// (a remote one: round trips overlap); `None` writes one at a time.
    fn concurrent_writes(&self) -> Option<&(dyn Writes + Sync)> {
        None
    }
}

/// What a push writes and asks while writing, through a shared reference (so that a registry
/// that is [`Registry::concurrent_writes`] can be written from several threads at once).
pub trait Writes {
    fn set_compatibility(
        &self,
        subject: &str,
        level: CompatibilityLevel,
    ) -> Result<(), RegistryError>;
    fn check(
        &self,
        subject: &str,
        schema: &StoredSchema,
        level: CompatibilityLevel,
    ) -> Result<CheckAnswer, RegistryError>;
    fn register(&self, subject: &str, schema: &StoredSchema) -> Result<u32, RegistryError>;
    fn lookup(&self, subject: &str, schema: &StoredSchema) -> Result<Lookup, RegistryError>;
}

/// Any registry's writes, one at a time, on one thread.
pub struct OneAtATime<'r>(pub std::cell::RefCell<&'r mut dyn Registry>);

impl Writes for OneAtATime<'_> {
    fn set_compatibility(
        &self,
        subject: &str,
        level: CompatibilityLevel,
    ) -> Result<(), RegistryError> {
        self.0.borrow_mut().set_compatibility(subject, level)
    }

    fn check(
        &self,
        subject: &str,
        schema: &StoredSchema,
        level: CompatibilityLevel,
    ) -> Result<CheckAnswer, RegistryError> {
        self.0.borrow_mut().check(subject, schema, level)
    }

    fn register(&self, subject: &str, schema: &StoredSchema) -> Result<u32, RegistryError> {
        self.0.borrow_mut().register(subject, schema)
    }

    fn lookup(&self, subject: &str, schema: &StoredSchema) -> Result<Lookup, RegistryError> {
        self.0.borrow_mut().lookup(subject, schema)
    }
}

impl Writes for http::HttpRegistry {
    fn set_compatibility(
        &self,
        subject: &str,
        level: CompatibilityLevel,
    ) -> Result<(), RegistryError> {
        http::HttpRegistry::set_compatibility(self, subject, level)
    }

    fn check(
        &self,
        subject: &str,
        schema: &StoredSchema,
        level: CompatibilityLevel,
    ) -> Result<CheckAnswer, RegistryError> {
        http::HttpRegistry::check(self, subject, schema, level)
    }

    fn register(&self, subject: &str, schema: &StoredSchema) -> Result<u32, RegistryError> {
        http::HttpRegistry::register(self, subject, schema)
    }

    fn lookup(&self, subject: &str, schema: &StoredSchema) -> Result<Lookup, RegistryError> {
        http::HttpRegistry::lookup(self, subject, schema)
    }
}

impl Registry for Store {
    fn all_versions(&mut self) -> Result<Vec<store::RegisteredVersion>, RegistryError> {
        Ok(Store::all_versions(self, store::Deleted::Hide))
    }

    fn subject_exists(&mut self, subject: &str) -> Result<bool, RegistryError> {
        match self.versions(subject, store::Deleted::Hide) {
            Ok(_) => Ok(true),
            Err(error) if error.code == 40401 => Ok(false),
            Err(error) => Err(error),
        }
    }

    fn lookup(&mut self, subject: &str, schema: &StoredSchema) -> Result<Lookup, RegistryError> {
        match Store::lookup(self, subject, schema) {
            Ok(found) => Ok(Lookup::Found {
                version: found.version,
                id: found.id,
            }),
            Err(error) => Lookup::from_not_found(error),
        }
    }

    fn check(
        &mut self,
        subject: &str,
        schema: &StoredSchema,
        _level: CompatibilityLevel,
    ) -> Result<CheckAnswer, RegistryError> {
        // The store applies the subject's own level, which is the one given.
        let verdict = match self.check_compatibility(subject, schema, None) {
            Ok(verdict) => verdict,
            // A subject that does not exist yet accepts any schema.
            Err(error) if error.code == 40401 => {
                return Ok(CheckAnswer {
                    compatible: true,
                    messages: Vec::new(),
                })
            }
            Err(error) => return Err(error),
        };
        let messages = verdict
            .findings
            .iter()
            .filter(|finding| finding.difference.breaking)
            .map(|finding| format!("{} at {}", finding.difference.kind, finding.difference.path))
            .collect();
        Ok(CheckAnswer {
            compatible: verdict.compatible,
            messages,
        })
    }

    fn register(&mut self, subject: &str, schema: &StoredSchema) -> Result<u32, RegistryError> {
        Store::register(self, subject, schema.clone())
    }

    fn begin_writes(&mut self) {
        Store::defer_saves(self);
    }

    fn finish_writes(&mut self) -> Result<(), RegistryError> {
        Store::flush(self)
    }

    fn global_compatibility(&mut self) -> Result<CompatibilityLevel, RegistryError> {
        Ok(Store::compatibility(self, None))
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

/// Concurrent lookups at most this many at a time: enough to hide round trips, few enough not
/// to look like a flood to a shared registry.
const LOOKUP_CONCURRENCY: usize = 8;

/// `work` applied to every item by at most `workers` threads at once (for requests, which wait
/// on the network rather than the cores); the results come back in the items' order.
pub fn concurrently<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..workers.min(items.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(index) else {
                            break mine;
                        };
                        mine.push((index, work(item)));
                    }
                })
            })
            .collect();
        threads
            .into_iter()
            // A worker only panics on a bug; carry the panic on rather than lose results.
            .flat_map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}

impl Registry for http::HttpRegistry {
    fn all_versions(&mut self) -> Result<Vec<store::RegisteredVersion>, RegistryError> {
        http::HttpRegistry::all_versions(self)
    }

    fn compatibility_all(
        &mut self,
        subjects: &[String],
    ) -> Vec<Result<Option<CompatibilityLevel>, RegistryError>> {
        let client: &http::HttpRegistry = self;
        concurrently(subjects, LOOKUP_CONCURRENCY, |subject| {
            client.compatibility(subject)
        })
    }

    fn lookup(&mut self, subject: &str, schema: &StoredSchema) -> Result<Lookup, RegistryError> {
        http::HttpRegistry::lookup(self, subject, schema)
    }

    fn lookup_all(
        &mut self,
        queries: &[(String, StoredSchema)],
    ) -> Vec<Result<Lookup, RegistryError>> {
        let client: &http::HttpRegistry = self;
        concurrently(queries, LOOKUP_CONCURRENCY, |(subject, schema)| {
            client.lookup(subject, schema)
        })
    }

    fn subject_exists(&mut self, subject: &str) -> Result<bool, RegistryError> {
        http::HttpRegistry::subject_exists(self, subject)
    }

    fn check(
        &mut self,
        subject: &str,
        schema: &StoredSchema,
        level: CompatibilityLevel,
    ) -> Result<CheckAnswer, RegistryError> {
        http::HttpRegistry::check(self, subject, schema, level)
    }

    fn register(&mut self, subject: &str, schema: &StoredSchema) -> Result<u32, RegistryError> {
        http::HttpRegistry::register(self, subject, schema)
    }

    fn global_compatibility(&mut self) -> Result<CompatibilityLevel, RegistryError> {
        http::HttpRegistry::global_compatibility(self)
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

    fn requests_sent(&self) -> Option<u64> {
        Some(http::HttpRegistry::requests_sent(self))
    }

    fn concurrent_writes(&self) -> Option<&(dyn Writes + Sync)> {
        Some(self)
    }
}
