//! `evcat drift`: a served registry changed behind the catalog's back (a subject it does not
//! manage, a version registered out of band, a level changed by hand, an approved subject
//! deleted) is reported per rule with the subject, in at most one request per subject.

mod common;

use common::{commit_all_on_main, run_in, start_registry, Fixture, Registry};
use serde_json::{json, Value};

/// The example with its dev environment on a served registry, committed, and pushed to dev.
fn pushed_to_dev() -> (Fixture, Registry, tempfile::TempDir) {
    let fixture = Fixture::example();
    let dir = tempfile::tempdir().unwrap();
    let registry = start_registry(dir.path(), None);
    fixture.replace(
        "evcat.yaml",
        "registry: { embedded: .registries/dev }",
        &format!("registry: {{ url: \"http://{}\" }}", registry.address),
    );
    commit_all_on_main(fixture.root());
    let pushed = run_in(fixture.root(), &["push", "--env", "dev"]);
    assert_eq!(pushed.code, 0, "{}{}", pushed.stdout, pushed.stderr);
    (fixture, registry, dir)
}

fn call(registry: &Registry, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::new();
    let mut request = client
        .request(method, format!("http://{}{path}", registry.address))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json");
    if let Some(body) = body {
        request = request.body(body.to_string());
    }
    let response = request.send().unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().unwrap()
}

fn drift(fixture: &Fixture, format: &str) -> common::Outcome {
    run_in(
        fixture.root(),
        &["drift", "--env", "dev", "--format", format],
    )
}

fn subjects_of(findings: &[Value], rule: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|finding| finding["rule"] == rule)
        .map(|finding| {
            let message = finding["message"].as_str().unwrap();
            message.split('`').nth(1).unwrap_or_default().to_string()
        })
        .collect()
}

#[test]
fn a_registry_that_matches_the_catalog_has_no_drift() {
    let (fixture, _registry, _dir) = pushed_to_dev();
    let outcome = drift(&fixture, "human");
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.stderr);
    let json = drift(&fixture, "json");
    assert_eq!(json.json()["findings"], json!([]));
}

#[test]
fn each_kind_of_drift_is_reported_with_its_subject() {
    let (fixture, registry, _dir) = pushed_to_dev();
    let avro = |fields: Value| json!({ "schema": json!({ "type": "record", "name": "Thing", "fields": fields }).to_string() });
    call(
        &registry,
        reqwest::Method::POST,
        "/subjects/legacy.things-value/versions",
        Some(avro(json!([{ "name": "id", "type": "string" }]))),
    );
    // A compatible version registered by hand after the catalog's.
    let captured = "payments.payment-captured.v1-value";
    let latest = call(
        &registry,
        reqwest::Method::GET,
        &format!("/subjects/{captured}/versions/latest"),
        None,
    );
    let mut schema: Value = serde_json::from_str(latest["schema"].as_str().unwrap()).unwrap();
    schema["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "name": "note", "type": ["null", "string"], "default": null }));
    call(
        &registry,
        reqwest::Method::POST,
        &format!("/subjects/{captured}/versions"),
        Some(json!({ "schema": schema.to_string(), "references": latest["references"] })),
    );
    call(
        &registry,
        reqwest::Method::PUT,
        "/config/orders.order-placed.v1-value",
        Some(json!({ "compatibility": "NONE" })),
    );
    call(
        &registry,
        reqwest::Method::DELETE,
        "/subjects/shipping.shipment-delivered.v1-value",
        None,
    );
    // A change merged but not pushed is a warning.
    fixture.replace(
        "domains/payments/events/RefundIssued/schema.avsc",
        "\"fields\": [",
        "\"fields\": [\n    { \"name\": \"memo\", \"type\": [\"null\", \"string\"], \"default\": null },",
    );

    let outcome = drift(&fixture, "json");
    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.stderr);
    let findings = outcome.findings();
    assert_eq!(subjects_of(&findings, "D001"), ["legacy.things-value"]);
    assert_eq!(subjects_of(&findings, "D002"), [captured]);
    assert_eq!(
        subjects_of(&findings, "D003"),
        ["orders.order-placed.v1-value"]
    );
    assert_eq!(
        subjects_of(&findings, "D004"),
        ["shipping.shipment-delivered.v1-value"]
    );
    assert_eq!(
        subjects_of(&findings, "D005"),
        ["payments.refund-issued.v1-value"]
    );
    let level = findings.iter().find(|f| f["rule"] == "D003").unwrap();
    assert_eq!(
        level["message"],
        "dev: subject `orders.order-placed.v1-value` is NONE in the registry, BACKWARD_TRANSITIVE in the catalog"
    );
    let out_of_band = findings.iter().find(|f| f["rule"] == "D002").unwrap();
    assert!(
        out_of_band["message"]
            .as_str()
            .unwrap()
            .contains("has version 2 (id"),
        "{out_of_band}"
    );

    // The human report names the figures; the shared formats carry the same findings.
    let human = drift(&fixture, "human");
    assert_eq!(human.code, 1);
    // The example's 14 subjects in dev (events' and shared schemas'), plus the unmanaged one:
    // one page of versions, the registry-wide level, one level per managed subject.
    let subjects = 15;
    let text = format!("{}{}", human.stdout, human.stderr);
    let requests: u64 = text
        .split("; ")
        .find_map(|part| {
            part.trim()
                .strip_suffix(" requests")
                .and_then(|n| n.trim().parse().ok())
        })
        .unwrap_or_else(|| panic!("no request count in {text}"));
    assert!(
        requests <= subjects + 2,
        "{requests} requests for {subjects} subjects"
    );
    assert!(text.contains("dev: 15 subjects in the registry"), "{text}");
    let markdown = drift(&fixture, "markdown");
    assert!(markdown.stdout.contains("D002"), "{}", markdown.stdout);
}

#[test]
fn an_unknown_environment_or_an_unreachable_registry_is_an_error() {
    let fixture = Fixture::example();
    let unknown = run_in(fixture.root(), &["drift", "--env", "qa"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("dev, staging, prod"),
        "{}",
        unknown.stderr
    );
    fixture.replace(
        "evcat.yaml",
        "registry: { embedded: .registries/dev }",
        "registry: { url: \"http://127.0.0.1:9\", timeouts: { connect_seconds: 1, request_seconds: 2 } }",
    );
    let unreachable = run_in(fixture.root(), &["drift", "--env", "dev"]);
    assert_eq!(unreachable.code, 2, "{}", unreachable.stdout);
    assert!(
        unreachable
            .stderr
            .contains("cannot read the registry of `dev`"),
        "{}",
        unreachable.stderr
    );
}
