//! Schema registries. `store` is the embedded registry: Confluent's semantics over a folder;
//! `serve` puts it behind Confluent's REST API (`evcat registry serve`). (The HTTP client, the
//! `Registry` interface over both, and push come with the rest of issue #4.)

pub mod serve;
pub mod store;
