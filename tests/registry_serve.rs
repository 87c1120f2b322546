//! `evcat registry serve` as a child process on a free loopback port, held to Confluent Schema
//! Registry's documented responses: status codes, error codes, bodies, content type.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::{start_registry as start, Registry};

use serde_json::{json, Value};

/// One HTTP/1.1 exchange: (status, content type, JSON body).
fn request(
    registry: &Registry,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, String, Value) {
    request_to(
        &registry.address,
        registry.auth.as_deref(),
        method,
        path,
        body,
    )
}

/// [`request`] to an address, with an optional `Authorization` header value.
fn request_to(
    address: &str,
    auth: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, String, Value) {
    let mut stream = TcpStream::connect(address).expect("connect");
    let body = body.map(|body| body.to_string()).unwrap_or_default();
    let auth = auth
        .map(|header| format!("Authorization: {header}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\n\
         Content-Length: {}\r\n{auth}Connection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("receive");
    let (head, body) = response.split_once("\r\n\r\n").expect("HTTP response");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("status");
    // Header names are case-insensitive (the server writes them in lower case).
    let content_type = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value.trim().to_string())
        .unwrap_or_default();
    (
        status,
        content_type,
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

const V1: &str = r#"{"type":"record","name":"Paid","fields":[{"name":"id","type":"string"}]}"#;
const V2: &str = r#"{"type":"record","name":"Paid","fields":[{"name":"id","type":"string"},{"name":"note","type":["null","string"],"default":null}]}"#;
const BREAKING: &str = r#"{"type":"record","name":"Paid","fields":[{"name":"id","type":"int"}]}"#;

#[test]
fn register_lookup_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let registry = start(dir.path(), None);
    let (status, content_type, body) = request(
        &registry,
        "POST",
        "/subjects/paid-value/versions",
        Some(json!({"schema": V1})),
    );
    assert_eq!((status, body["id"].as_u64()), (200, Some(1)));
    assert_eq!(content_type, "application/vnd.schemaregistry.v1+json");
    // Registering it again creates no version and returns the same id.
    let (_, _, again) = request(
        &registry,
        "POST",
        "/subjects/paid-value/versions",
        Some(json!({"schema": V1})),
    );
    assert_eq!(again["id"], 1);
    let (_, _, versions) = request(&registry, "GET", "/subjects/paid-value/versions", None);
    assert_eq!(versions, json!([1]));
    let (status, _, found) = request(
        &registry,
        "POST",
        "/subjects/paid-value",
        Some(json!({"schema": V1})),
    );
    assert_eq!(status, 200);
    assert_eq!(
        (
            found["subject"].as_str(),
            found["version"].as_u64(),
            found["id"].as_u64()
        ),
        (Some("paid-value"), Some(1), Some(1))
    );
    let (status, _, missing) = request(
        &registry,
        "POST",
        "/subjects/paid-value",
        Some(json!({"schema": V2})),
    );
    assert_eq!((status, missing["error_code"].as_u64()), (404, Some(40403)));
    let (status, _, unknown) = request(
        &registry,
        "POST",
        "/subjects/nope",
        Some(json!({"schema": V1})),
    );
    assert_eq!((status, unknown["error_code"].as_u64()), (404, Some(40401)));
    let (_, _, latest) = request(
        &registry,
        "GET",
        "/subjects/paid-value/versions/latest",
        None,
    );
    assert_eq!(latest["schema"], V1);
    assert!(latest.get("schemaType").is_none(), "Avro omits schemaType");
    let (_, _, by_id) = request(&registry, "GET", "/schemas/ids/1", None);
    assert_eq!(by_id["schema"], V1);
    let (_, _, raw) = request(
        &registry,
        "GET",
        "/subjects/paid-value/versions/1/schema",
        None,
    );
    assert_eq!(raw["name"], "Paid");
    let (_, _, subjects) = request(&registry, "GET", "/subjects", None);
    assert_eq!(subjects, json!(["paid-value"]));
    let (_, _, types) = request(&registry, "GET", "/schemas/types", None);
    assert_eq!(types, json!(["JSON", "PROTOBUF", "AVRO"]));
    let (status, _, bad_version) =
        request(&registry, "GET", "/subjects/paid-value/versions/zero", None);
    assert_eq!(
        (status, bad_version["error_code"].as_u64()),
        (422, Some(42202))
    );
}

#[test]
fn compatibility_is_checked_and_explained() {
    let dir = tempfile::tempdir().unwrap();
    let registry = start(dir.path(), None);
    request(
        &registry,
        "POST",
        "/subjects/paid-value/versions",
        Some(json!({"schema": V1})),
    );
    let (status, _, verdict) = request(
        &registry,
        "POST",
        "/compatibility/subjects/paid-value/versions/latest?verbose=true",
        Some(json!({"schema": BREAKING})),
    );
    assert_eq!(status, 200);
    assert_eq!(verdict["is_compatible"], false);
    assert!(
        verdict["messages"][0]
            .as_str()
            .unwrap()
            .contains("TYPE_MISMATCH"),
        "{verdict}"
    );
    let (_, _, ok) = request(
        &registry,
        "POST",
        "/compatibility/subjects/paid-value/versions",
        Some(json!({"schema": V2})),
    );
    assert_eq!(ok["is_compatible"], true);
    let (status, _, refused) = request(
        &registry,
        "POST",
        "/subjects/paid-value/versions",
        Some(json!({"schema": BREAKING})),
    );
    assert_eq!((status, refused["error_code"].as_u64()), (409, Some(409)));
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("incompatible"));
    let (status, _, invalid) = request(
        &registry,
        "POST",
        "/subjects/paid-value/versions",
        Some(json!({"schema": "{not avro"})),
    );
    assert_eq!((status, invalid["error_code"].as_u64()), (422, Some(42201)));
}

#[test]
fn config_mode_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let registry = start(dir.path(), None);
    let (_, _, global) = request(&registry, "GET", "/config", None);
    assert_eq!(global, json!({"compatibilityLevel": "BACKWARD"}));
    let (status, _, set) = request(
        &registry,
        "PUT",
        "/config/paid-value",
        Some(json!({"compatibility": "FULL"})),
    );
    assert_eq!((status, set), (200, json!({"compatibility": "FULL"})));
    let (_, _, subject) = request(&registry, "GET", "/config/paid-value", None);
    assert_eq!(subject["compatibilityLevel"], "FULL");
    let (status, _, bad) = request(
        &registry,
        "PUT",
        "/config",
        Some(json!({"compatibility": "SIDEWAYS"})),
    );
    assert_eq!((status, bad["error_code"].as_u64()), (422, Some(42203)));
    let (_, _, mode) = request(
        &registry,
        "PUT",
        "/mode/paid-value",
        Some(json!({"mode": "READONLY"})),
    );
    assert_eq!(mode, json!({"mode": "READONLY"}));
    let (status, _, read_only) = request(
        &registry,
        "POST",
        "/subjects/paid-value/versions",
        Some(json!({"schema": V1})),
    );
    assert_eq!(
        (status, read_only["error_code"].as_u64()),
        (422, Some(42205))
    );
    request(
        &registry,
        "PUT",
        "/mode/paid-value",
        Some(json!({"mode": "READWRITE"})),
    );
    request(
        &registry,
        "POST",
        "/subjects/paid-value/versions",
        Some(json!({"schema": V1})),
    );
    let (status, _, hard_first) = request(
        &registry,
        "DELETE",
        "/subjects/paid-value?permanent=true",
        None,
    );
    assert_eq!(
        (status, hard_first["error_code"].as_u64()),
        (404, Some(40405))
    );
    let (_, _, soft) = request(&registry, "DELETE", "/subjects/paid-value", None);
    assert_eq!(soft, json!([1]));
    let (_, _, listed) = request(&registry, "GET", "/subjects?deleted=true", None);
    assert_eq!(listed, json!(["paid-value"]));
    let (_, _, hard) = request(
        &registry,
        "DELETE",
        "/subjects/paid-value?permanent=true",
        None,
    );
    assert_eq!(hard, json!([1]));
    let (status, _, gone) = request(&registry, "GET", "/subjects/paid-value/versions", None);
    assert_eq!((status, gone["error_code"].as_u64()), (404, Some(40401)));
}

#[test]
fn basic_auth_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut registry = start(dir.path(), Some("ci:secret"));
        let (status, _, body) = request(&registry, "GET", "/subjects", None);
        assert_eq!((status, body["error_code"].as_u64()), (401, Some(40101)));
        registry.auth = Some("Basic Y2k6c2VjcmV0".to_string()); // ci:secret
        let (status, _, _) = request(
            &registry,
            "POST",
            "/subjects/s/versions",
            Some(json!({"schema": V1})),
        );
        assert_eq!(status, 200);
    }
    // The state outlives the server.
    let registry = start(dir.path(), None);
    let (_, _, versions) = request(&registry, "GET", "/subjects/s/versions", None);
    assert_eq!(versions, json!([1]));
}

/// Issue 9, item 7: the served registry refuses what lint refuses, with 422/42201 like
/// Confluent: an Avro type name defined nowhere, a name defined twice, an invalid JSON Schema.
#[test]
fn invalid_schemas_are_refused_like_lint_refuses_them() {
    let dir = tempfile::tempdir().unwrap();
    let registry = start(dir.path(), None);
    let cases = [
        json!({"schema": r#"{"type":"record","name":"R","fields":[{"name":"k","type":"array","items":"string"}]}"#}),
        json!({"schema": r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"Dup","fields":[]}},{"name":"b","type":{"type":"record","name":"Dup","fields":[{"name":"y","type":"string"}]}}]}"#}),
        json!({"schemaType": "JSON", "schema": r#"{"type": 5}"#}),
    ];
    for body in cases {
        let (status, _, answer) = request(
            &registry,
            "POST",
            "/subjects/s-value/versions",
            Some(body.clone()),
        );
        assert_eq!(status, 422, "{body}: {answer}");
        assert_eq!(answer["error_code"], 42201, "{body}: {answer}");
    }
}

/// Starts the registry with extra arguments and returns it with every stderr line it printed
/// before it listened (the address line last).
fn start_with(dir: &std::path::Path, extra: &[&str]) -> Registry {
    common::start_registry_with(dir, None, extra)
}

/// Reads from `stream` until the server closes it; how long that took.
fn time_until_closed(stream: &mut TcpStream) -> std::time::Duration {
    let started = std::time::Instant::now();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return started.elapsed(),
            Ok(_) => {}
        }
    }
}

/// Issue 9, item 14: a client that never finishes its headers, or keeps a connection idle, is
/// disconnected after the header timeout.
#[test]
fn slow_and_idle_connections_are_closed() {
    let dir = tempfile::tempdir().unwrap();
    let registry = start_with(dir.path(), &["--header-timeout-secs", "1"]);
    let mut slow = TcpStream::connect(&registry.address).unwrap();
    slow.write_all(b"GET /subjects HTTP/1.1\r\nHost: local")
        .unwrap();
    let waited = time_until_closed(&mut slow);
    assert!(waited < std::time::Duration::from_secs(5), "{waited:?}");

    let mut idle = TcpStream::connect(&registry.address).unwrap();
    idle.write_all(b"GET /subjects HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let waited = time_until_closed(&mut idle);
    assert!(waited < std::time::Duration::from_secs(5), "{waited:?}");
}

/// Issue 9, item 14: a known resource asked with another method is 405; a body that is not
/// UTF-8 is 422, not altered; the basic scheme name is case-insensitive.
#[test]
fn methods_bodies_and_auth_schemes() {
    let dir = tempfile::tempdir().unwrap();
    let registry = start(dir.path(), None);
    let (status, _, body) = request(&registry, "PATCH", "/subjects", None);
    assert_eq!(status, 405, "{body}");
    assert_eq!(body["error_code"], 405);
    let (status, _, _) = request(&registry, "GET", "/no/such/thing", None);
    assert_eq!(status, 404);

    let mut stream = TcpStream::connect(&registry.address).unwrap();
    let bad = b"{\"schema\": \"\xff\xfe\"}";
    write!(
        stream,
        "POST /subjects/s/versions HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        bad.len()
    )
    .unwrap();
    stream.write_all(bad).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 422"), "{response}");
    assert_eq!(request(&registry, "GET", "/subjects", None).2, json!([]));

    let dir = tempfile::tempdir().unwrap();
    let mut registry = common::start_registry(dir.path(), Some("ci:pw"));
    registry.auth = Some("basic Y2k6cHc=".to_string());
    assert_eq!(request(&registry, "GET", "/subjects", None).0, 200);
    registry.auth = Some("BASIC Y2k6cHc=".to_string());
    assert_eq!(request(&registry, "GET", "/subjects", None).0, 200);
    registry.auth = Some("Basic d3Jvbmc6cHc=".to_string());
    assert_eq!(request(&registry, "GET", "/subjects", None).0, 401);
}

/// Issue 9, item 13: a slow compatibility verdict does not hold up other requests.
#[test]
fn a_slow_verdict_does_not_stall_other_requests() {
    let dir = tempfile::tempdir().unwrap();
    let registry = start_with(dir.path(), &["--delay-checks-ms", "3000"]);
    let address = registry.address.clone();
    let slow = std::thread::spawn(move || {
        request_to(
            &address,
            None,
            "POST",
            "/compatibility/subjects/s/versions",
            Some(json!({ "schema": V1 })),
        )
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    let started = std::time::Instant::now();
    let (status, _, _) = request(&registry, "GET", "/subjects", None);
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < std::time::Duration::from_millis(1500),
        "a read waited {:?} behind a slow verdict",
        started.elapsed()
    );
    assert_eq!(slow.join().unwrap().0, 200);
}

/// Issue 9, item 14: out of file descriptors, the accept loop waits instead of spinning.
#[test]
fn exhausted_file_descriptors_do_not_spin() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 40 && exec '{}' registry serve --listen 127.0.0.1:0 --dir '{}'",
            env!("CARGO_BIN_EXE_evcat"),
            dir.path().display()
        ))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stderr.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let address = line.trim().rsplit("http://").next().unwrap().to_string();
    let held: Vec<TcpStream> = (0..80)
        .filter_map(|_| TcpStream::connect(&address).ok())
        .collect();
    assert!(
        held.len() > 40,
        "the backlog took {} connections",
        held.len()
    );
    let cpu_ticks = || -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id())).unwrap();
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap()
            .split_whitespace()
            .collect();
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    let before = cpu_ticks();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let used = cpu_ticks() - before;
    let _ = child.kill();
    let _ = child.wait();
    // Clock ticks are 1/100 s: a spinning loop uses close to 200 in two seconds.
    assert!(
        used < 40,
        "the server used {used} ticks of CPU in 2 s with no work"
    );
}

fn register(registry: &Registry, subject: &str, body: Value) -> (u16, Value) {
    let (status, _, answer) = request(
        registry,
        "POST",
        &format!("/subjects/{subject}/versions"),
        Some(body),
    );
    (status, answer)
}

/// Issue 10: references resolve transitively (C -> B -> A with only B listed), in Avro,
/// Protobuf and JSON Schema; `-1` means the latest version; a missing reference is 42201; a
/// referenced version cannot be deleted (42206).
#[test]
fn references_are_resolved_transitively_and_protected() {
    let dir = tempfile::tempdir().unwrap();
    let registry = start(dir.path(), None);
    // Avro.
    let a = json!({"schema": r#"{"type":"record","name":"A","namespace":"t","fields":[{"name":"x","type":"int"}]}"#});
    assert_eq!(register(&registry, "a", a).0, 200);
    let b = json!({
        "schema": r#"{"type":"record","name":"B","namespace":"t","fields":[{"name":"a","type":"t.A"}]}"#,
        "references": [{"name": "t.A", "subject": "a", "version": 1}]
    });
    assert_eq!(register(&registry, "b", b).0, 200);
    let c = json!({
        "schema": r#"{"type":"record","name":"C","namespace":"t","fields":[{"name":"b","type":"t.B"}]}"#,
        "references": [{"name": "t.B", "subject": "b", "version": -1}]
    });
    let (status, answer) = register(&registry, "c", c);
    assert_eq!(status, 200, "{answer}");
    let stored = request(&registry, "GET", "/subjects/c/versions/1", None).2;
    assert_eq!(
        stored["references"][0]["version"], 1,
        "-1 was pinned: {stored}"
    );
    // Protobuf.
    let proto = |schema: &str, references: Value| json!({"schemaType": "PROTOBUF", "schema": schema, "references": references});
    let pa = proto(
        "syntax = \"proto3\";\npackage t;\nmessage PA { int32 x = 1; }\n",
        json!([]),
    );
    assert_eq!(register(&registry, "pa", pa).0, 200);
    let pb = proto(
        "syntax = \"proto3\";\npackage t;\nimport \"pa.proto\";\nmessage PB { PA a = 1; }\n",
        json!([{"name": "pa.proto", "subject": "pa", "version": 1}]),
    );
    assert_eq!(register(&registry, "pb", pb).0, 200);
    let pc = proto(
        "syntax = \"proto3\";\npackage t;\nimport \"pb.proto\";\nmessage PC { PB b = 1; }\n",
        json!([{"name": "pb.proto", "subject": "pb", "version": 1}]),
    );
    let (status, answer) = register(&registry, "pc", pc);
    assert_eq!(status, 200, "{answer}");
    // JSON Schema.
    let js = |schema: Value, references: Value| json!({"schemaType": "JSON", "schema": schema.to_string(), "references": references});
    let ja = js(json!({"type": "integer"}), json!([]));
    assert_eq!(register(&registry, "ja", ja).0, 200);
    let jb = js(
        json!({"type": "object", "properties": {"a": {"$ref": "ja.json"}}}),
        json!([{"name": "ja.json", "subject": "ja", "version": 1}]),
    );
    assert_eq!(register(&registry, "jb", jb).0, 200);
    let jc = js(
        json!({"type": "object", "properties": {"b": {"$ref": "jb.json"}}}),
        json!([{"name": "jb.json", "subject": "jb", "version": 1}]),
    );
    let (status, answer) = register(&registry, "jc", jc);
    assert_eq!(status, 200, "{answer}");

    let missing = json!({
        "schema": r#"{"type":"record","name":"D","fields":[{"name":"a","type":"t.A"}]}"#,
        "references": [{"name": "t.A", "subject": "nowhere", "version": 1}]
    });
    let (status, answer) = register(&registry, "d", missing);
    assert_eq!(
        (status, answer["error_code"].clone()),
        (422, json!(42201)),
        "{answer}"
    );

    let (status, _, answer) = request(&registry, "DELETE", "/subjects/a/versions/1", None);
    assert_eq!(
        (status, answer["error_code"].clone()),
        (422, json!(42206)),
        "{answer}"
    );
    let (status, _, answer) = request(&registry, "DELETE", "/subjects/pa", None);
    assert_eq!(
        (status, answer["error_code"].clone()),
        (422, json!(42206)),
        "{answer}"
    );
}

/// Issue 10: `deleted=true` shows soft-deleted versions to reads and lookups, `deletedOnly`
/// lists only them, and a soft subject delete answers with the versions it deleted.
#[test]
fn soft_deleted_versions_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let registry = start(dir.path(), None);
    assert_eq!(register(&registry, "s", json!({"schema": V1})).0, 200);
    assert_eq!(register(&registry, "s", json!({"schema": V2})).0, 200);
    assert_eq!(
        request(&registry, "DELETE", "/subjects/s/versions/1", None).0,
        200
    );
    assert_eq!(
        request(&registry, "GET", "/subjects/s/versions/1", None).0,
        404
    );
    let (status, _, shown) = request(
        &registry,
        "GET",
        "/subjects/s/versions/1?deleted=True",
        None,
    );
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["version"], 1);
    let (status, _, _) = request(
        &registry,
        "POST",
        "/subjects/s",
        Some(json!({"schema": V1})),
    );
    assert_eq!(status, 404);
    let (status, _, found) = request(
        &registry,
        "POST",
        "/subjects/s?deleted=true",
        Some(json!({"schema": V1})),
    );
    assert_eq!(
        (status, found["version"].clone()),
        (200, json!(1)),
        "{found}"
    );
    let only = request(
        &registry,
        "GET",
        "/subjects/s/versions?deletedOnly=true",
        None,
    )
    .2;
    assert_eq!(only, json!([1]));
    let (_, _, deleted) = request(&registry, "DELETE", "/subjects/s", None);
    assert_eq!(deleted, json!([2]), "only what this delete deleted");
    assert_eq!(
        request(&registry, "GET", "/subjects?deletedOnly=true", None).2,
        json!(["s"])
    );
}

/// Issue 10: the endpoints Confluent's clients call beyond the basics.
#[test]
fn listing_endpoints() {
    let dir = tempfile::tempdir().unwrap();
    let registry = start(dir.path(), None);
    for subject in ["orders-value", "orders-key", "payments-value"] {
        assert_eq!(register(&registry, subject, json!({"schema": V1})).0, 200);
    }
    assert_eq!(
        register(&registry, "orders-value", json!({"schema": V2})).0,
        200
    );
    assert_eq!(request(&registry, "GET", "/", None).0, 200);
    assert_eq!(request(&registry, "GET", "/contexts", None).2, json!(["."]));
    let all = request(&registry, "GET", "/schemas", None).2;
    assert_eq!(all.as_array().unwrap().len(), 4, "{all}");
    let orders = request(
        &registry,
        "GET",
        "/schemas?subjectPrefix=orders&latestOnly=true",
        None,
    )
    .2;
    let listed: Vec<(String, u64)> = orders
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["subject"].as_str().unwrap().to_string(),
                entry["version"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("orders-key".to_string(), 1),
            ("orders-value".to_string(), 2)
        ]
    );
    let page = request(&registry, "GET", "/schemas?offset=1&limit=2", None).2;
    assert_eq!(page.as_array().unwrap().len(), 2, "{page}");
    let subjects = request(&registry, "GET", "/schemas/ids/1/subjects", None).2;
    assert_eq!(
        subjects,
        json!(["orders-key", "orders-value", "payments-value"])
    );
    let schema = request(&registry, "GET", "/schemas/ids/1/schema", None).2;
    assert_eq!(schema["name"], "Paid", "{schema}");
    let prefixed = request(&registry, "GET", "/subjects?subjectPrefix=pay", None).2;
    assert_eq!(prefixed, json!(["payments-value"]));
}

/// Issue 10: the served registry resolves google/type and confluent/meta imports without
/// references, as Confluent's Protobuf provider does.
#[test]
fn well_known_protobuf_imports_need_no_reference() {
    let dir = tempfile::tempdir().unwrap();
    let registry = start(dir.path(), None);
    let schema = "syntax = \"proto3\";\npackage acme;\nimport \"google/type/money.proto\";\nimport \"confluent/meta.proto\";\nmessage Paid {\n  google.type.Money amount = 1 [(confluent.field_meta).tags = \"PII\"];\n}\n";
    let (status, answer) = register(
        &registry,
        "paid-value",
        json!({"schemaType": "PROTOBUF", "schema": schema}),
    );
    assert_eq!(status, 200, "{answer}");
}
