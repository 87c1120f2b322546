//! Schema registries. `store` is the embedded registry: Confluent's semantics over a folder;
//! `serve` puts it behind Confluent's REST API (`evcat registry serve`); `http` is the client for
//! any Confluent-compatible registry. (The `Registry` interface over store and client, and
//! plan/push, come with the rest of issue #4.)

pub mod http;
pub mod serve;
pub mod store;
