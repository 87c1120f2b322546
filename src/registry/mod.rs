//! Schema registries. `store` is the embedded registry: Confluent's semantics over a folder,
//! the backend of `evcat registry serve` and of environments that need no outside service.
//! (The HTTP client and the `Registry` interface over both come with the rest of issue #4.)

pub mod store;
