//! `evcat registry serve`: the embedded registry over Confluent Schema Registry's REST API.
//!
//! One request at a time (the store is one folder behind one lock), on loopback by default.
//! Bodies use the vendor content type and Confluent's error shape `{"error_code", "message"}`.

use std::io::Read;
use std::net::SocketAddr;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};
use tiny_http::{Header, Method, Request, Response, Server};

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
}

/// Serves until the process ends. Prints the address it listens on (a port of 0 is resolved).
pub fn serve(mut store: Store, options: &ServeOptions) -> Result<(), ServeError> {
    let server = Server::http(options.listen).map_err(|error| ServeError::Listen {
        address: options.listen,
        message: error.to_string(),
    })?;
    let address = server
        .server_addr()
        .to_ip()
        .map_or_else(|| options.listen.to_string(), |address| address.to_string());
    eprintln!("evcat registry listening on http://{address}");
    let expected_auth = options.basic_auth.as_ref().map(|credentials| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(credentials)
        )
    });
    let mut failures_left = options.fail_first;
    for mut request in server.incoming_requests() {
        if failures_left > 0 {
            failures_left -= 1;
            let unavailable = Response::from_string(
                error_body(50003, "Service unavailable (injected)").to_string(),
            )
            .with_status_code(503)
            .with_header(Header::from_bytes("Retry-After", "0").expect("static header is valid"));
            let _ = request.respond(unavailable);
            continue;
        }
        let mut body = String::new();
        // A schema is small; a body past the catalog's file limit is not read further.
        let _ = request
            .as_reader()
            .take(crate::tree::MAX_FILE_BYTES)
            .read_to_string(&mut body);
        let authorized = expected_auth.as_ref().is_none_or(|expected| {
            request.headers().iter().any(|header| {
                header.field.equiv("Authorization") && header.value.as_str() == expected
            })
        });
        let (status, body) = if authorized {
            handle(
                &mut store,
                request.method().clone(),
                request.url().to_string(),
                body,
            )
        } else {
            (401, error_body(40101, "Unauthorized"))
        };
        respond(request, status, &body);
    }
    Ok(())
}

fn respond(request: Request, status: u16, body: &Value) {
    let header = Header::from_bytes("Content-Type", CONTENT_TYPE).ok();
    let mut response = Response::from_string(body.to_string()).with_status_code(status);
    if let Some(header) = header {
        response = response.with_header(header);
    }
    let _ = request.respond(response);
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
    match (method, parts.as_slice()) {
        (Method::Get, ["subjects"]) => Ok(json!(store.subjects(flag("deleted")))),
        (Method::Get, ["schemas", "types"]) => Ok(json!(["JSON", "PROTOBUF", "AVRO"])),
        (Method::Get, ["schemas", "ids", id]) => {
            let schema = store.schema_by_id(parse_id(id)?)?;
            let mut fields = serde_json::Map::new();
            schema_fields(schema, &mut fields);
            Ok(Value::Object(fields))
        }
        (Method::Get, ["schemas", "ids", id, "versions"]) => {
            let id = parse_id(id)?;
            store.schema_by_id(id)?;
            let versions: Vec<Value> = store
                .subject_versions_of(id)
                .into_iter()
                .map(|(subject, version)| json!({ "subject": subject, "version": version }))
                .collect();
            Ok(Value::Array(versions))
        }
        (Method::Get, ["subjects", subject, "versions"]) => {
            Ok(json!(store.versions(subject, flag("deleted"))?))
        }
        (Method::Get, ["subjects", subject, "versions", version]) => Ok(version_body(
            &store.version(subject, version_selector(version)?)?,
        )),
        (Method::Get, ["subjects", subject, "versions", version, "schema"]) => {
            let registered = store.version(subject, version_selector(version)?)?;
            // The raw schema, itself JSON for Avro and JSON Schema; Protobuf text as a string.
            Ok(serde_json::from_str(&registered.schema.schema)
                .unwrap_or(Value::String(registered.schema.schema)))
        }
        (Method::Get, ["subjects", subject, "versions", version, "referencedby"]) => {
            let registered = store.version(subject, version_selector(version)?)?;
            Ok(json!(store.referenced_by(subject, registered.version)))
        }
        (Method::Post, ["subjects", subject]) => {
            Ok(version_body(&store.lookup(subject, &parse_schema(body)?)?))
        }
        (Method::Post, ["subjects", subject, "versions"]) => {
            let id = store.register(subject, parse_schema(body)?)?;
            Ok(json!({ "id": id }))
        }
        (Method::Post, ["compatibility", "subjects", subject, "versions", rest @ ..]) => {
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
        (Method::Get, ["config"]) => {
            Ok(json!({ "compatibilityLevel": store.compatibility(None).as_str() }))
        }
        (Method::Get, ["config", subject]) => {
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
        (Method::Put, ["config"]) => {
            let level = level_of(body)?;
            store.set_compatibility(None, level)?;
            Ok(json!({ "compatibility": level.as_str() }))
        }
        (Method::Put, ["config", subject]) => {
            let level = level_of(body)?;
            store.set_compatibility(Some(subject), level)?;
            Ok(json!({ "compatibility": level.as_str() }))
        }
        (Method::Delete, ["config", subject]) => {
            let previous = store.delete_compatibility(subject)?;
            Ok(json!({ "compatibilityLevel": previous.as_str() }))
        }
        (Method::Get, ["mode"]) => Ok(json!({ "mode": store.mode(None) })),
        (Method::Get, ["mode", subject]) => Ok(json!({ "mode": store.mode(Some(subject)) })),
        (Method::Put, ["mode"]) => {
            let mode = mode_of(body)?;
            store.set_mode(None, mode)?;
            Ok(json!({ "mode": mode }))
        }
        (Method::Put, ["mode", subject]) => {
            let mode = mode_of(body)?;
            store.set_mode(Some(subject), mode)?;
            Ok(json!({ "mode": mode }))
        }
        (Method::Delete, ["subjects", subject]) => {
            Ok(json!(store.delete_subject(subject, flag("permanent"))?))
        }
        (Method::Delete, ["subjects", subject, "versions", version]) => Ok(json!(
            store.delete_version(subject, version_selector(version)?, flag("permanent"))?
        )),
        _ => Err(not_found()),
    }
}

fn parse_id(text: &str) -> Result<u32, RegistryError> {
    text.parse().map_err(|_| RegistryError {
        code: 40403,
        message: format!("Schema {text} not found"),
    })
}
