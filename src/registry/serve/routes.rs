//! Routing one request of Confluent's REST API to the store: reads under the shared lock,
//! writes under the exclusive one, a registration's verdict computed before its write.

use std::sync::{PoisonError, RwLock};

use http::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{error_body, Behaviour, Shared};
use crate::catalog::{CompatibilityLevel, Format};
use crate::compat::load::explain;
use crate::registry::store::{
    CheckedVerdict, Deleted, Mode, Reference, RegisteredVersion, RegistryError, Store,
    StoredSchema, VersionSelector,
};

fn failure(error: RegistryError) -> (u16, Value) {
    (error.status(), error_body(error.code, &error.message))
}

#[derive(Deserialize)]
struct SchemaRequest {
    schema: String,
    #[serde(default, rename = "schemaType")]
    schema_type: Option<String>,
    #[serde(default)]
    references: Vec<RequestReference>,
}

/// A reference as a client sends it: version `-1` means the latest.
#[derive(Deserialize)]
struct RequestReference {
    name: String,
    subject: String,
    version: i64,
}

fn format_of(schema_type: Option<&str>) -> Result<Format, RegistryError> {
    match schema_type.unwrap_or("AVRO") {
        "AVRO" => Ok(Format::Avro),
        "PROTOBUF" => Ok(Format::Protobuf),
        "JSON" => Ok(Format::Json),
        other => Err(RegistryError {
            code: 42201,
            message: format!("Invalid schema type {other}"),
        }),
    }
}

fn type_name(format: Format) -> &'static str {
    match format {
        Format::Avro => "AVRO",
        Format::Protobuf => "PROTOBUF",
        Format::Json => "JSON",
    }
}

/// The schema a request sends. A reference to version `-1` (the latest) is kept as version 0
/// until [`parse_schema_in`] pins it.
fn parse_schema(body: &str) -> Result<StoredSchema, RegistryError> {
    let invalid = |message: String| RegistryError {
        code: 42201,
        message,
    };
    let request: SchemaRequest = serde_json::from_str(body)
        .map_err(|error| invalid(format!("Invalid request body: {error}")))?;
    let references = request
        .references
        .into_iter()
        .map(|reference| {
            let version = match reference.version {
                -1 => 0,
                version => u32::try_from(version)
                    .ok()
                    .filter(|version| *version > 0)
                    .ok_or_else(|| {
                        invalid(format!(
                            "Invalid schema: reference {} has version {}",
                            reference.name, reference.version
                        ))
                    })?,
            };
            Ok(Reference {
                name: reference.name,
                subject: reference.subject,
                version,
            })
        })
        .collect::<Result<Vec<_>, RegistryError>>()?;
    let schema_type = format_of(request.schema_type.as_deref())?;
    Ok(StoredSchema {
        schema: match schema_type {
            Format::Protobuf => protobuf_source(request.schema)?,
            _ => request.schema,
        },
        schema_type,
        references,
    })
}

/// A Protobuf schema as the registry keeps it: `.proto` source. Confluent's clients may send
/// the base64 of a serialized `FileDescriptorProto` instead (source never is valid base64: it
/// has spaces and semicolons); it is turned into source, as Confluent does.
fn protobuf_source(schema: String) -> Result<String, RegistryError> {
    use base64::Engine as _;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(schema.trim()) else {
        return Ok(schema);
    };
    crate::formats::protobuf_descriptor::source_of_serialized(&bytes).map_err(|message| {
        RegistryError {
            code: 42201,
            message: format!("Invalid schema: {message}"),
        }
    })
}

/// A schema in the form the request asks for: a Protobuf schema serialized when it asks for
/// `format=serialized` (other formats have one form).
fn in_requested_form(
    store: &Store,
    request: &Request<'_>,
    schema: &mut StoredSchema,
) -> Result<(), RegistryError> {
    if schema.schema_type == Format::Protobuf
        && request.parameter("format").as_deref() == Some("serialized")
    {
        schema.schema = store.serialized_protobuf(schema)?;
    }
    Ok(())
}

/// A registered version as the API shows it, its schema in the form the request asks for.
fn shown_version(
    store: &Store,
    request: &Request<'_>,
    mut registered: RegisteredVersion,
) -> Result<Value, RegistryError> {
    in_requested_form(store, request, &mut registered.schema)?;
    Ok(version_body(&registered))
}

/// The schema a request sends, with `-1` references pinned to the referenced subject's latest
/// version in `store`.
fn parse_schema_in(store: &Store, body: &str) -> Result<StoredSchema, RegistryError> {
    let mut schema = parse_schema(body)?;
    store.pin_latest_references(&mut schema)?;
    Ok(schema)
}

/// A schema's text as `GET .../schema` returns it: JSON for Avro and JSON Schema, a string for
/// Protobuf.
fn raw_schema(schema: &StoredSchema) -> Value {
    serde_json::from_str(&schema.schema).unwrap_or_else(|_| Value::String(schema.schema.clone()))
}

/// `GET /schemas`: registered versions, filtered by `subjectPrefix`, `latestOnly` and the
/// `deleted` flags, paged by `offset` and `limit` (-1: no limit).
fn list_schemas(store: &Store, request: &Request<'_>) -> Value {
    let prefix = request.parameter("subjectPrefix").unwrap_or_default();
    let number = |name: &str| {
        request
            .parameter(name)
            .and_then(|value| value.parse::<i64>().ok())
    };
    let offset = usize::try_from(number("offset").unwrap_or(0)).unwrap_or(0);
    let limit = number("limit")
        .and_then(|limit| usize::try_from(limit).ok())
        .unwrap_or(usize::MAX);
    let mut versions: Vec<RegisteredVersion> = store
        .all_versions(request.deleted())
        .into_iter()
        .filter(|version| version.subject.starts_with(&prefix))
        .collect();
    if request.flag("latestOnly") {
        // Versions come by subject, then version: keep the last of each subject.
        let mut latest: Vec<RegisteredVersion> = Vec::new();
        for version in versions {
            match latest.last_mut() {
                Some(last) if last.subject == version.subject => *last = version,
                _ => latest.push(version),
            }
        }
        versions = latest;
    }
    Value::Array(
        versions
            .iter()
            .skip(offset)
            .take(limit)
            .map(version_body)
            .collect(),
    )
}

/// A stored schema as Confluent shows it: `schemaType` only when not Avro, `references` only
/// when there are some.
fn schema_fields(schema: &StoredSchema, into: &mut serde_json::Map<String, Value>) {
    into.insert("schema".into(), Value::String(schema.schema.clone()));
    if schema.schema_type != Format::Avro {
        into.insert(
            "schemaType".into(),
            Value::String(type_name(schema.schema_type).into()),
        );
    }
    if !schema.references.is_empty() {
        into.insert("references".into(), json!(schema.references));
    }
}

/// A subject version as Confluent shows it.
fn version_body(registered: &RegisteredVersion) -> Value {
    let mut fields = serde_json::Map::new();
    fields.insert("subject".into(), json!(registered.subject));
    fields.insert("version".into(), json!(registered.version));
    fields.insert("id".into(), json!(registered.id));
    schema_fields(&registered.schema, &mut fields);
    Value::Object(fields)
}

fn version_selector(text: &str) -> Result<VersionSelector, RegistryError> {
    match text {
        "latest" | "-1" => Ok(VersionSelector::Latest),
        number => number
            .parse::<u32>()
            .ok()
            .filter(|number| *number > 0)
            .map(VersionSelector::Number)
            .ok_or(RegistryError {
                code: 42202,
                message: format!("The specified version '{number}' is not a valid version id."),
            }),
    }
}

fn level_of(body: &str) -> Result<CompatibilityLevel, RegistryError> {
    let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    value
        .get("compatibility")
        .and_then(Value::as_str)
        .and_then(CompatibilityLevel::parse)
        .ok_or(RegistryError {
            code: 42203,
            message: "Invalid compatibility level".into(),
        })
}

fn mode_of(body: &str) -> Result<Mode, RegistryError> {
    let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    serde_json::from_value(value.get("mode").cloned().unwrap_or(Value::Null)).map_err(|_| {
        RegistryError {
            code: 42204,
            message: "Invalid mode".into(),
        }
    })
}

/// Splits `/a/b?x=1&y` into path segments and query flags that are `true` (or present).
fn split_url(url: &str) -> (Vec<String>, Vec<String>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let segments = path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(percent_decode)
        .collect();
    let flags = query
        .split('&')
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, "true"));
            // Clients spell booleans as they like (Python's `True`).
            value.eq_ignore_ascii_case("true").then(|| key.to_string())
        })
        .collect();
    (segments, flags)
}

/// Decodes `%xx` escapes (in a URL path segment or a JSON pointer fragment).
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// One request, parsed: its path segments (decoded) and the query flags that are true.
struct Request<'u> {
    method: &'u Method,
    url: &'u str,
    segments: Vec<String>,
    flags: Vec<String>,
}

impl<'u> Request<'u> {
    fn new(method: &'u Method, url: &'u str) -> Self {
        let (segments, flags) = split_url(url);
        Request {
            method,
            url,
            segments,
            flags,
        }
    }

    fn parts(&self) -> Vec<&str> {
        self.segments.iter().map(String::as_str).collect()
    }

    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|flag| flag == name)
    }

    /// Which versions a read shows, by `deletedOnly` and `deleted`.
    fn deleted(&self) -> Deleted {
        if self.flag("deletedOnly") {
            Deleted::Only
        } else if self.flag("deleted") {
            Deleted::Include
        } else {
            Deleted::Hide
        }
    }

    /// A query parameter's value (percent-decoded).
    fn parameter(&self, name: &str) -> Option<String> {
        let (_, query) = self.url.split_once('?')?;
        query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| percent_decode(value))
        })
    }

    fn not_found(&self) -> RegistryError {
        RegistryError {
            code: 404,
            message: format!("HTTP 404 Not Found: {}", self.url),
        }
    }
}

/// The methods each resource answers: a known resource asked with another method is 405, an
/// unknown one 404.
fn allowed_methods(parts: &[&str]) -> &'static [&'static str] {
    match parts {
        [] | ["contexts"] | ["subjects"] | ["schemas"] | ["schemas", "types"] => &["GET"],
        ["schemas", "ids", _] | ["schemas", "ids", _, "versions" | "subjects" | "schema"] => {
            &["GET"]
        }
        ["subjects", _] => &["POST", "DELETE"],
        ["subjects", _, "versions"] => &["GET", "POST"],
        ["subjects", _, "versions", _] => &["GET", "DELETE"],
        ["subjects", _, "versions", _, "schema" | "referencedby"] => &["GET"],
        ["compatibility", "subjects", _, "versions"] => &["POST"],
        ["compatibility", "subjects", _, "versions", _] => &["POST"],
        ["config"] | ["mode"] | ["mode", _] => &["GET", "PUT"],
        ["config", _] => &["GET", "PUT", "DELETE"],
        _ => &[],
    }
}

/// Whether a request registers a schema (`POST /subjects/{s}/versions`).
pub(super) fn is_registration(method: &Method, url: &str) -> bool {
    let request = Request::new(method, url);
    method == Method::POST && matches!(request.parts().as_slice(), ["subjects", _, "versions"])
}

/// Routes one request of the server.
pub(super) fn handle_shared(
    shared: &Shared,
    method: Method,
    url: String,
    body: String,
) -> (u16, Value) {
    dispatch(&shared.store, &shared.behaviour, &method, &url, &body)
}

fn dispatch(
    store: &RwLock<Store>,
    behaviour: &Behaviour,
    method: &Method,
    url: &str,
    body: &str,
) -> (u16, Value) {
    let request = Request::new(method, url);
    if behaviour.karapace_dialect {
        if let Some(answer) = karapace_refusal(&request, body) {
            return answer;
        }
    }
    let delay_checks = behaviour.delay_checks;
    let allowed = allowed_methods(&request.parts());
    if allowed.is_empty() {
        return failure(request.not_found());
    }
    if !allowed.contains(&method.as_str()) {
        return (
            405,
            error_body(405, &format!("HTTP 405 Method Not Allowed: {method} {url}")),
        );
    }
    let read = || store.read().unwrap_or_else(PoisonError::into_inner);
    let result = match (method.as_str(), request.parts().as_slice()) {
        ("GET", _) | ("POST", ["subjects", _] | ["compatibility", ..]) => {
            route_read(&read(), &request, body, delay_checks)
        }
        ("POST", ["subjects", subject, "versions"]) => register(store, subject, body, delay_checks),
        _ => {
            let mut store = store.write().unwrap_or_else(PoisonError::into_inner);
            let written = route_write(&mut store, &request, body);
            written.and_then(|value| durable(store).map(|()| value))
        }
    };
    match result {
        Ok(value) => (200, value),
        Err(error) => failure(error),
    }
}

/// What Karapace (6.2) refuses that Confluent answers: the all-versions compatibility endpoint
/// (a plain 404, without a Confluent error code) and references in JSON Schemas (44302).
fn karapace_refusal(request: &Request<'_>, body: &str) -> Option<(u16, Value)> {
    let parts = request.parts();
    if request.method == Method::POST
        && matches!(
            parts.as_slice(),
            ["compatibility", "subjects", _, "versions"]
        )
    {
        return Some((404, Value::String("404: Not Found".to_string())));
    }
    let sends_schema = request.method == Method::POST
        && matches!(
            parts.as_slice(),
            ["subjects", _] | ["subjects", _, "versions"] | ["compatibility", ..]
        );
    let json_with_references = parse_schema(body)
        .is_ok_and(|schema| schema.schema_type == Format::Json && !schema.references.is_empty());
    (sends_schema && json_with_references).then(|| {
        (
            422,
            error_body(
                44302,
                "Schema references are not supported for 'JSON' schema type",
            ),
        )
    })
}

/// Registers a schema: the verdict (the slow part) is computed under the shared lock, then the
/// write takes the exclusive lock and uses that verdict if nothing changed in between.
fn register(
    store: &RwLock<Store>,
    subject: &str,
    body: &str,
    delay_checks: std::time::Duration,
) -> Result<Value, RegistryError> {
    let checked = {
        let store = store.read().unwrap_or_else(PoisonError::into_inner);
        let schema = parse_schema_in(&store, body)?;
        if let Ok(existing) = store.lookup(subject, &schema) {
            return Ok(json!({ "id": existing.id }));
        }
        std::thread::sleep(delay_checks);
        CheckedVerdict {
            generation: store.generation(),
            verdict: store.check_compatibility(subject, &schema, None),
        }
    };
    let mut store = store.write().unwrap_or_else(PoisonError::into_inner);
    // Parsed again under the write lock: a `-1` reference means the latest version now.
    let schema = parse_schema_in(&store, body)?;
    let id = store.register_with(subject, schema, Some(checked))?;
    durable(store)?;
    Ok(json!({ "id": id }))
}

/// Makes the change just written durable before it is acknowledged: the journal is synced
/// after the write lock is released, so concurrent writers wait for the disk together.
fn durable(mut store: std::sync::RwLockWriteGuard<'_, Store>) -> Result<(), RegistryError> {
    let unsynced = store.take_unsynced()?;
    drop(store);
    match unsynced {
        Some(journal) => journal.sync_data().map_err(crate::registry::store::storage),
        None => Ok(()),
    }
}

fn route_read(
    store: &Store,
    request: &Request<'_>,
    body: &str,
    delay_checks: std::time::Duration,
) -> Result<Value, RegistryError> {
    match (request.method.as_str(), request.parts().as_slice()) {
        ("GET", []) => Ok(json!({})),
        ("GET", ["contexts"]) => Ok(json!(["."])),
        ("GET", ["subjects"]) => {
            let prefix = request.parameter("subjectPrefix").unwrap_or_default();
            let subjects: Vec<String> = store
                .subjects(request.deleted())
                .into_iter()
                .filter(|subject| subject.starts_with(&prefix))
                .collect();
            Ok(json!(subjects))
        }
        ("GET", ["schemas"]) => Ok(list_schemas(store, request)),
        ("GET", ["schemas", "types"]) => Ok(json!(["JSON", "PROTOBUF", "AVRO"])),
        ("GET", ["schemas", "ids", id, "subjects"]) => {
            let id = parse_id(id)?;
            store.schema_by_id(id)?;
            let mut subjects: Vec<String> = store
                .subject_versions_of(id)
                .into_iter()
                .map(|(subject, _)| subject)
                .collect();
            subjects.dedup();
            Ok(json!(subjects))
        }
        ("GET", ["schemas", "ids", id, "schema"]) => {
            Ok(raw_schema(store.schema_by_id(parse_id(id)?)?))
        }
        ("GET", ["schemas", "ids", id]) => {
            let mut schema = store.schema_by_id(parse_id(id)?)?.clone();
            in_requested_form(store, request, &mut schema)?;
            let mut fields = serde_json::Map::new();
            schema_fields(&schema, &mut fields);
            Ok(Value::Object(fields))
        }
        ("GET", ["schemas", "ids", id, "versions"]) => {
            let id = parse_id(id)?;
            store.schema_by_id(id)?;
            let versions: Vec<Value> = store
                .subject_versions_of(id)
                .into_iter()
                .map(|(subject, version)| json!({ "subject": subject, "version": version }))
                .collect();
            Ok(Value::Array(versions))
        }
        ("GET", ["subjects", subject, "versions"]) => {
            Ok(json!(store.versions(subject, request.deleted())?))
        }
        ("GET", ["subjects", subject, "versions", version]) => shown_version(
            store,
            request,
            store.version_shown(subject, version_selector(version)?, request.deleted())?,
        ),
        ("GET", ["subjects", subject, "versions", version, "schema"]) => {
            let registered =
                store.version_shown(subject, version_selector(version)?, request.deleted())?;
            Ok(raw_schema(&registered.schema))
        }
        ("GET", ["subjects", subject, "versions", version, "referencedby"]) => {
            let registered = store.version(subject, version_selector(version)?)?;
            Ok(json!(store.referenced_by(subject, registered.version)))
        }
        ("POST", ["subjects", subject]) => {
            let schema = parse_schema_in(store, body)?;
            Ok(version_body(&store.lookup_shown(
                subject,
                &schema,
                request.deleted(),
            )?))
        }
        ("POST", ["compatibility", "subjects", subject, "versions", rest @ ..]) => {
            let against = match rest {
                [] => None,
                [version] => Some(version_selector(version)?),
                _ => return Err(request.not_found()),
            };
            std::thread::sleep(delay_checks);
            compatibility_answer(store, request, body, subject, against)
        }
        ("GET", ["config"]) => {
            Ok(json!({ "compatibilityLevel": store.compatibility(None).as_str() }))
        }
        ("GET", ["config", subject]) => subject_config(store, request, subject),
        ("GET", ["mode"]) => Ok(json!({ "mode": store.mode(None) })),
        ("GET", ["mode", subject]) => Ok(json!({ "mode": store.mode(Some(subject)) })),
        _ => Err(request.not_found()),
    }
}

/// `POST /compatibility/subjects/{subject}/versions[/{version}]`, with the reasons when
/// `verbose` is asked for.
fn compatibility_answer(
    store: &Store,
    request: &Request<'_>,
    body: &str,
    subject: &str,
    against: Option<VersionSelector>,
) -> Result<Value, RegistryError> {
    let schema = parse_schema_in(store, body)?;
    let verdict = store.check_compatibility(subject, &schema, against)?;
    let mut answer = json!({ "is_compatible": verdict.compatible });
    if request.flag("verbose") {
        let messages: Vec<String> = verdict
            .findings
            .iter()
            .filter(|finding| finding.difference.breaking)
            .map(|finding| {
                format!(
                    "{} at {}: {}",
                    finding.difference.kind,
                    finding.difference.path,
                    explain(schema.schema_type, finding.difference.kind)
                )
            })
            .collect();
        answer["messages"] = json!(messages);
    }
    Ok(answer)
}

/// `GET /config/{subject}`: the subject's own level; the global one only when
/// `defaultToGlobal` asks for it, else 40408 as Confluent answers.
fn subject_config(
    store: &Store,
    request: &Request<'_>,
    subject: &str,
) -> Result<Value, RegistryError> {
    let level = match store.subject_compatibility(subject) {
        Some(level) => level,
        None if request.flag("defaultToGlobal") => store.compatibility(None),
        None => {
            return Err(RegistryError {
                code: 40408,
                message: format!(
                    "Subject '{subject}' does not have subject-level compatibility configured"
                ),
            })
        }
    };
    Ok(json!({ "compatibilityLevel": level.as_str() }))
}

fn route_write(
    store: &mut Store,
    request: &Request<'_>,
    body: &str,
) -> Result<Value, RegistryError> {
    match (request.method.as_str(), request.parts().as_slice()) {
        ("PUT", ["config"]) => {
            let level = level_of(body)?;
            store.set_compatibility(None, level)?;
            Ok(json!({ "compatibility": level.as_str() }))
        }
        ("PUT", ["config", subject]) => {
            let level = level_of(body)?;
            store.set_compatibility(Some(subject), level)?;
            Ok(json!({ "compatibility": level.as_str() }))
        }
        ("DELETE", ["config", subject]) => {
            let previous = store.delete_compatibility(subject)?;
            Ok(json!({ "compatibilityLevel": previous.as_str() }))
        }
        ("PUT", ["mode"]) => {
            let mode = mode_of(body)?;
            store.set_mode(None, mode)?;
            Ok(json!({ "mode": mode }))
        }
        ("PUT", ["mode", subject]) => {
            let mode = mode_of(body)?;
            store.set_mode(Some(subject), mode)?;
            Ok(json!({ "mode": mode }))
        }
        ("DELETE", ["subjects", subject]) => Ok(json!(
            store.delete_subject(subject, request.flag("permanent"))?
        )),
        ("DELETE", ["subjects", subject, "versions", version]) => Ok(json!(store.delete_version(
            subject,
            version_selector(version)?,
            request.flag("permanent")
        )?)),
        _ => Err(request.not_found()),
    }
}

fn parse_id(text: &str) -> Result<u32, RegistryError> {
    text.parse().map_err(|_| RegistryError {
        code: 40403,
        message: format!("Schema {text} not found"),
    })
}
