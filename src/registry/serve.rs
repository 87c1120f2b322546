//! `evcat registry serve`: the embedded registry over Confluent Schema Registry's REST API.
//!
//! Connections are served concurrently, requests reach the store one at a time (it is one
//! folder behind one lock); on loopback by default.
//! Bodies use the vendor content type and Confluent's error shape `{"error_code", "message"}`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http::Method;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde_json::{json, Value};

use super::store::{
    Mode, Reference, RegisteredVersion, RegistryError, Store, StoredSchema, VersionSelector,
};
use crate::catalog::{CompatibilityLevel, Format};
use crate::compat::load::explain;

const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ServeError {
    #[error("cannot open the registry: {0}")]
    #[diagnostic(code(evcat::registry))]
    Store(#[from] RegistryError),
    #[error("cannot listen on {address}: {message}")]
    #[diagnostic(
        code(evcat::listen),
        help("pick another address, e.g. --listen 127.0.0.1:0 for any free port")
    )]
    Listen {
        address: SocketAddr,
        message: String,
    },
}

/// A running server's settings.
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// `user:password` that requests must present with HTTP basic auth.
    pub basic_auth: Option<String>,
    /// Testing aid: answer this many first requests with 503 (`Retry-After: 0`), as an overloaded
    /// registry would, so clients' retries can be exercised against a real server.
    pub fail_first: u32,
    /// Testing aid: wait this long before each registration, as a slow registry would, so a
    /// push can be interrupted midway.
    pub delay_writes: Duration,
}

/// Serves until the process ends. Prints the address it listens on (a port of 0 is resolved).
///
/// Connections are served concurrently (HTTP/1.1 keep-alive, as registry clients pool them);
/// requests reach the store one at a time.
pub fn serve(store: Store, options: &ServeOptions) -> Result<(), ServeError> {
    let listen_error = |error: std::io::Error| ServeError::Listen {
        address: options.listen,
        message: error.to_string(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(listen_error)?;
    let shared = Arc::new(Shared {
        store: Mutex::new(store),
        expected_auth: options.basic_auth.as_ref().map(|credentials| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(credentials)
            )
        }),
        failures_left: AtomicU32::new(options.fail_first),
        delay_writes: options.delay_writes,
    });
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(listen_error)?;
        let address = listener.local_addr().map_err(listen_error)?;
        eprintln!("evcat registry listening on http://{address}");
        loop {
            // A failed accept (a client gone before we took it) concerns that client only.
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let shared = shared.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let shared = shared.clone();
                    async move { Ok::<_, std::convert::Infallible>(answer(&shared, request).await) }
                });
                // A connection that breaks mid-request concerns that client only.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

/// What every connection shares.
struct Shared {
    store: Mutex<Store>,
    expected_auth: Option<String>,
    failures_left: AtomicU32,
    delay_writes: Duration,
}

async fn answer(
    shared: &Shared,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let injected_failure = shared
        .failures_left
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
            left.checked_sub(1)
        })
        .is_ok();
    if injected_failure {
        let body = error_body(50003, "Service unavailable (injected)");
        return response(503, &body, Some(("Retry-After", "0")));
    }
    let method = request.method().clone();
    let url = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_string(),
        |path| path.as_str().to_string(),
    );
    let authorized = shared.expected_auth.as_ref().is_none_or(|expected| {
        request
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .is_some_and(|value| value.as_bytes() == expected.as_bytes())
    });
    // A schema is small; a body past the catalog's file limit is refused, not read on.
    let limit = usize::try_from(crate::tree::MAX_FILE_BYTES).unwrap_or(usize::MAX);
    let body = match Limited::new(request.into_body(), limit).collect().await {
        Ok(collected) => String::from_utf8_lossy(&collected.to_bytes()).into_owned(),
        Err(_) => return response(413, &error_body(413, "Request body too large"), None),
    };
    if !authorized {
        return response(401, &error_body(40101, "Unauthorized"), None);
    }
    let is_write = method == Method::POST
        && url.starts_with("/subjects/")
        && url
            .split('?')
            .next()
            .is_some_and(|path| path.ends_with("/versions"));
    if is_write && !shared.delay_writes.is_zero() {
        tokio::time::sleep(shared.delay_writes).await;
    }
    let (status, body) = {
        let mut store = shared.store.lock().unwrap_or_else(PoisonError::into_inner);
        handle(&mut store, method, url, body)
    };
    response(status, &body, None)
}

fn response(
    status: u16,
    body: &Value,
    extra_header: Option<(&'static str, &'static str)>,
) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder()
        .status(status)
        .header(hyper::header::CONTENT_TYPE, CONTENT_TYPE);
    if let Some((name, value)) = extra_header {
        builder = builder.header(name, value);
    }
    let body = Full::new(Bytes::from(body.to_string()));
    // Every status here is a valid code and every header a valid static name and value.
    builder
        .body(body.clone())
        .unwrap_or_else(|_| hyper::Response::new(body))
}

fn error_body(code: u32, message: &str) -> Value {
    json!({ "error_code": code, "message": message })
}

fn failure(error: RegistryError) -> (u16, Value) {
    (error.status(), error_body(error.code, &error.message))
}

#[derive(Deserialize)]
struct SchemaRequest {
    schema: String,
    #[serde(default, rename = "schemaType")]
    schema_type: Option<String>,
    #[serde(default)]
    references: Vec<Reference>,
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

fn parse_schema(body: &str) -> Result<StoredSchema, RegistryError> {
    let request: SchemaRequest = serde_json::from_str(body).map_err(|error| RegistryError {
        code: 42201,
        message: format!("Invalid request body: {error}"),
    })?;
    Ok(StoredSchema {
        schema_type: format_of(request.schema_type.as_deref())?,
        schema: request.schema,
        references: request.references,
    })
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
            (value == "true").then(|| key.to_string())
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

/// Routes one request. Returns the status and the JSON body.
pub fn handle(store: &mut Store, method: Method, url: String, body: String) -> (u16, Value) {
    match route(store, &method, &url, &body) {
        Ok(value) => (200, value),
        Err(error) => failure(error),
    }
}

fn route(
    store: &mut Store,
    method: &Method,
    url: &str,
    body: &str,
) -> Result<Value, RegistryError> {
    let (segments, flags) = split_url(url);
    let flag = |name: &str| flags.iter().any(|flag| flag == name);
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    let not_found = || RegistryError {
        code: 404,
        message: format!("HTTP 404 Not Found: {url}"),
    };
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["subjects"]) => Ok(json!(store.subjects(flag("deleted")))),
        ("GET", ["schemas", "types"]) => Ok(json!(["JSON", "PROTOBUF", "AVRO"])),
        ("GET", ["schemas", "ids", id]) => {
            let schema = store.schema_by_id(parse_id(id)?)?;
            let mut fields = serde_json::Map::new();
            schema_fields(schema, &mut fields);
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
            Ok(json!(store.versions(subject, flag("deleted"))?))
        }
        ("GET", ["subjects", subject, "versions", version]) => Ok(version_body(
            &store.version(subject, version_selector(version)?)?,
        )),
        ("GET", ["subjects", subject, "versions", version, "schema"]) => {
            let registered = store.version(subject, version_selector(version)?)?;
            // The raw schema, itself JSON for Avro and JSON Schema; Protobuf text as a string.
            Ok(serde_json::from_str(&registered.schema.schema)
                .unwrap_or(Value::String(registered.schema.schema)))
        }
        ("GET", ["subjects", subject, "versions", version, "referencedby"]) => {
            let registered = store.version(subject, version_selector(version)?)?;
            Ok(json!(store.referenced_by(subject, registered.version)))
        }
        ("POST", ["subjects", subject]) => {
            Ok(version_body(&store.lookup(subject, &parse_schema(body)?)?))
        }
        ("POST", ["subjects", subject, "versions"]) => {
            let id = store.register(subject, parse_schema(body)?)?;
            Ok(json!({ "id": id }))
        }
        ("POST", ["compatibility", "subjects", subject, "versions", rest @ ..]) => {
            let schema = parse_schema(body)?;
            let against = match rest {
                [] => None,
                [version] => Some(version_selector(version)?),
                _ => return Err(not_found()),
            };
            let verdict = store.check_compatibility(subject, &schema, against)?;
            let mut answer = json!({ "is_compatible": verdict.compatible });
            if flag("verbose") {
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
        ("GET", ["config"]) => {
            Ok(json!({ "compatibilityLevel": store.compatibility(None).as_str() }))
        }
        ("GET", ["config", subject]) => {
            let level = match store.subject_compatibility(subject) {
                Some(level) => level,
                None if flag("defaultToGlobal") => store.compatibility(None),
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
        ("GET", ["mode"]) => Ok(json!({ "mode": store.mode(None) })),
        ("GET", ["mode", subject]) => Ok(json!({ "mode": store.mode(Some(subject)) })),
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
        ("DELETE", ["subjects", subject]) => {
            Ok(json!(store.delete_subject(subject, flag("permanent"))?))
        }
        ("DELETE", ["subjects", subject, "versions", version]) => Ok(json!(store.delete_version(
            subject,
            version_selector(version)?,
            flag("permanent")
        )?)),
        _ => Err(not_found()),
    }
}

fn parse_id(text: &str) -> Result<u32, RegistryError> {
    text.parse().map_err(|_| RegistryError {
        code: 40403,
        message: format!("Schema {text} not found"),
    })
}
