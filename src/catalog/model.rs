//! The catalog's data model: what `evcat.yaml`, `domain.yaml`, service files and `event.yaml`
//! declare, deserialized after the files passed their JSON Schemas (`schemas/`).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::tree::CatalogPath;

/// `evcat.yaml`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Settings {
    pub catalog: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub teams: BTreeMap<String, Team>,
    #[serde(default)]
    pub environments: Vec<Environment>,
    #[serde(default)]
    pub defaults: Defaults,
    /// Rule settings by id or name; interpreted by [`crate::lint::config`].
    #[serde(default)]
    pub rules: BTreeMap<String, serde_json::Value>,
    /// Who reviews changes to the catalog (`evcat codeowners`).
    #[serde(default)]
    pub review: ReviewSettings,
}

/// `review:` in evcat.yaml.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ReviewSettings {
    /// The team that owns evcat.yaml and the vocabulary.
    #[serde(default)]
    pub governance: Option<String>,
    /// Whether the teams of an event's consuming services review its changes too.
    #[serde(default = "yes")]
    pub consumers: bool,
    /// Whose handles CODEOWNERS uses.
    #[serde(default)]
    pub host: CodeHost,
}

fn yes() -> bool {
    true
}

impl Default for ReviewSettings {
    fn default() -> Self {
        ReviewSettings {
            governance: None,
            consumers: true,
            host: CodeHost::default(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeHost {
    #[default]
    Github,
    Gitlab,
}

impl CodeHost {
    /// As evcat.yaml writes it, and the key of a team's handle there.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeHost::Github => "github",
            CodeHost::Gitlab => "gitlab",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Team {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub slack: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// The team's GitHub handle, `@org/team` (CODEOWNERS names it).
    #[serde(default)]
    pub github: Option<String>,
    /// The team's GitLab handle, `@group/subgroup`.
    #[serde(default)]
    pub gitlab: Option<String>,
}

impl Team {
    pub fn handle(&self, host: CodeHost) -> Option<&str> {
        match host {
            CodeHost::Github => self.github.as_deref(),
            CodeHost::Gitlab => self.gitlab.as_deref(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Environment {
    pub name: String,
    pub registry: RegistrySettings,
    #[serde(default)]
    pub require: Requirements,
}

/// Where an environment's Schema Registry is and how to reach it: `url` for any
/// Confluent-compatible registry, or `embedded` for a registry kept in a folder (relative to the
/// catalog root). Credentials are named here (environment variables, files), never written here.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct RegistrySettings {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub embedded: Option<String>,
    /// How JSON Schemas that `$ref` other files are registered.
    #[serde(default)]
    pub json_references: JsonReferences,
    #[serde(default)]
    pub auth: Option<AuthSettings>,
    #[serde(default)]
    pub tls: TlsSettings,
    #[serde(default)]
    pub timeouts: TimeoutSettings,
}

/// How an environment registers JSON Schemas that `$ref` other files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonReferences {
    /// As schema references to the referenced files' own subjects (Confluent's way).
    #[default]
    References,
    /// Each referenced file copied into the schema under `$defs`, for registries that do not
    /// support references for JSON Schema (Karapace).
    Bundle,
}

/// Where credentials come from. The literal `password` and `token` keys exist only so that lint
/// can say clearly that secrets do not belong in the catalog (rule Y010).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct AuthSettings {
    #[serde(default)]
    pub basic: Option<BasicAuthSettings>,
    #[serde(default)]
    pub bearer_env: Option<String>,
    #[serde(default)]
    pub bearer_file: Option<String>,
    #[serde(default)]
    pub token: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct BasicAuthSettings {
    /// A user name is not a secret and may be written here.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub username_env: Option<String>,
    #[serde(default)]
    pub username_file: Option<String>,
    #[serde(default)]
    pub password_env: Option<String>,
    #[serde(default)]
    pub password_file: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct TlsSettings {
    /// PEM file of CA certificates to trust besides the system's.
    #[serde(default)]
    pub ca_file: Option<String>,
    /// PEM file holding a client certificate and its private key (mutual TLS).
    #[serde(default)]
    pub client_identity_file: Option<String>,
    /// Turns certificate verification off for this environment; never the default.
    #[serde(default)]
    pub insecure_skip_verify: bool,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct TimeoutSettings {
    #[serde(default)]
    pub connect_seconds: Option<u64>,
    #[serde(default)]
    pub request_seconds: Option<u64>,
}

/// Gates an environment puts on what it receives.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Requirements {
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub branch: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Defaults {
    #[serde(default)]
    pub compatibility: CompatibilityLevel,
    #[serde(default)]
    pub subject_strategy: SubjectStrategy,
}

/// Confluent Schema Registry's compatibility levels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CompatibilityLevel {
    None,
    #[default]
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

/// How a topic and a record name become a registry subject.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectStrategy {
    /// `<topic>-value`
    #[default]
    Topic,
    /// `<fully.qualified.RecordName>`
    Record,
    /// `<topic>-<fully.qualified.RecordName>`
    TopicRecord,
}

impl SubjectStrategy {
    /// As evcat.yaml writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectStrategy::Topic => "topic",
            SubjectStrategy::Record => "record",
            SubjectStrategy::TopicRecord => "topic_record",
        }
    }
}

/// `domains/<domain>/domain.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct DomainSpec {
    pub owner: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `domains/<domain>/services/<service>.yaml`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ServiceSpec {
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub repository: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `domains/<domain>/events/<Event>/event.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct EventSpec {
    pub name: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    pub status: Status,
    pub format: Format,
    pub schema: String,
    #[serde(default)]
    pub message: Option<String>,
    /// The message key's schema, in the event's format; registered under the `-key` subjects.
    #[serde(default)]
    pub key: Option<KeySpec>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub compatibility: Option<CompatibilityLevel>,
    #[serde(default)]
    pub producers: Vec<String>,
    #[serde(default)]
    pub consumers: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub classification: Option<Classification>,
    #[serde(default)]
    pub examples: Vec<String>,
    // The three blocks below are boxed: few events have them, and unboxed they would add
    // over 200 bytes to every event of a large catalog (held twice by `check`).
    /// What consumers may count on (data as a product).
    #[serde(default)]
    pub sla: Option<Box<Sla>>,
    /// What the data may be used for.
    #[serde(default)]
    pub terms: Option<Box<UsageTerms>>,
    #[serde(default)]
    pub deprecation: Option<Box<Deprecation>>,
}

/// `sla:` in event.yaml: availability (`99.9%`), freshness (how late an event may arrive
/// after it happened: `5m`) and retention (`7d`, `forever`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Sla {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freshness: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
}

/// `terms:` in event.yaml: the data's terms of use.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct UsageTerms {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limitations: Option<String>,
}

/// `deprecation:` in event.yaml: when the event was deprecated, when it stops (`sunset`),
/// and what consumers move to. Dates are `YYYY-MM-DD`, checked by lint (`Y005`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Deprecation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sunset: Option<String>,
    /// `Name` (in the same domain) or `domain/Name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
}

/// The domain and name an event written in another event's manifest refers to: `Name` in
/// `from_domain`, or `domain/Name`.
pub fn event_reference<'a>(written: &'a str, from_domain: &'a str) -> (&'a str, &'a str) {
    written.split_once('/').unwrap_or((from_domain, written))
}

/// Which of an event's schemas: the payload (value) or the message key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SchemaRole {
    Value,
    Key,
}

impl SchemaRole {
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaRole::Value => "value",
            SchemaRole::Key => "key",
        }
    }
}

/// `key:` in event.yaml.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct KeySpec {
    pub schema: String,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Approved,
    Deprecated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Approved => "approved",
            Status::Deprecated => "deprecated",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Avro,
    Protobuf,
    Json,
}

impl Format {
    /// The schema file extension this format expects.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Avro => "avsc",
            Format::Protobuf => "proto",
            Format::Json => "json",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Avro => "avro",
            Format::Protobuf => "protobuf",
            Format::Json => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// From least to most strict: the order compares a field's sensitivity with its event's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Classification {
    Public,
    Internal,
    Confidential,
    Restricted,
}

impl Classification {
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Public => "public",
            Classification::Internal => "internal",
            Classification::Confidential => "confidential",
            Classification::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A loaded domain.
#[derive(Clone, Debug)]
pub struct Domain {
    /// The folder's name: the domain's identity.
    pub name: String,
    pub dir: CatalogPath,
    pub manifest: CatalogPath,
    /// `None` when `domain.yaml` is missing or invalid (a finding says why).
    pub spec: Option<DomainSpec>,
}

/// A loaded service.
#[derive(Clone, Debug)]
pub struct Service {
    /// The file's name without `.yaml`: services are referenced by it from any domain.
    pub name: String,
    pub domain: String,
    pub file: CatalogPath,
    /// `None` when the file is invalid (a finding says why); the service still counts as
    /// declared, so events naming it are not reported a second time.
    pub spec: Option<ServiceSpec>,
}

/// A loaded event.
#[derive(Clone, Debug)]
pub struct Event {
    pub domain: String,
    /// The folder holding `event.yaml`; the event's paths are relative to it.
    pub dir: CatalogPath,
    pub file: CatalogPath,
    pub spec: EventSpec,
}

impl Event {
    /// The event's identity: domain and name. Moving files does not change it.
    pub fn id(&self) -> EventId {
        EventId {
            domain: self.domain.clone(),
            name: self.spec.name.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EventId {
    pub domain: String,
    pub name: String,
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.domain, self.name)
    }
}
