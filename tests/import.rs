//! `evcat import registry` against `evcat registry serve` seeded through its HTTP API with Avro,
//! Protobuf and JSON Schema subjects, references, a key subject and a subject level: right after
//! the import, lint reports only the placeholders (G012) and a plan against the same registry
//! writes nothing. A second import changes nothing and never overwrites; bad registries (an
//! unparsable schema, a reference cycle) stop it before anything is written.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{run_in, start_registry, Registry};
use serde_json::{json, Value};

fn call(registry: &Registry, method: reqwest::Method, path: &str, body: Value) -> Value {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::blocking::Client::new()
        .request(method, format!("http://{}{path}", registry.address))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .body(body.to_string())
        .send()
        .unwrap();
    let status = response.status();
    let answer: Value = response.json().unwrap();
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

fn register(registry: &Registry, subject: &str, schema: Value) {
    call(
        registry,
        reqwest::Method::POST,
        &format!("/subjects/{}/versions", subject.replace('/', "%2F")),
        schema,
    );
}

const MONEY: &str = "syntax = \"proto3\";\npackage acme.common.v1;\n\nmessage Money {\n  string currency_code = 1;\n  int64 units = 2;\n}\n";
const PLACED: &str = "syntax = \"proto3\";\npackage acme.orders.v1;\n\nimport \"acme/common/v1/money.proto\";\n\nmessage OrderPlaced {\n  string order_id = 1;\n  acme.common.v1.Money total = 2;\n}\n";
const PLACED_KEY: &str = "syntax = \"proto3\";\npackage acme.orders.v1;\n\nmessage OrderKey {\n  string order_id = 1;\n}\n";

fn seed(registry: &Registry) {
    register(
        registry,
        "acme/common/v1/money.proto",
        json!({ "schemaType": "PROTOBUF", "schema": MONEY }),
    );
    register(
        registry,
        "orders.order-placed.v1-value",
        json!({ "schemaType": "PROTOBUF", "schema": PLACED, "references": [
            { "name": "acme/common/v1/money.proto", "subject": "acme/common/v1/money.proto", "version": 1 } ] }),
    );
    register(
        registry,
        "orders.order-placed.v1-key",
        json!({ "schemaType": "PROTOBUF", "schema": PLACED_KEY }),
    );
    let address = json!({ "type": "record", "name": "Address", "namespace": "acme.common",
        "fields": [{ "name": "city", "type": "string" }] });
    register(
        registry,
        "acme.common.Address",
        json!({ "schema": address.to_string() }),
    );
    let registered = |extra: Vec<Value>| {
        let mut fields = vec![
            json!({ "name": "customerId", "type": "string" }),
            json!({ "name": "address", "type": "acme.common.Address" }),
        ];
        fields.extend(extra);
        json!({ "schema": json!({ "type": "record", "name": "CustomerRegistered",
            "namespace": "acme.customers.v1", "fields": fields }).to_string(),
            "references": [{ "name": "acme.common.Address", "subject": "acme.common.Address", "version": 1 }] })
    };
    register(
        registry,
        "customers.customer-registered.v1-value",
        registered(vec![]),
    );
    register(
        registry,
        "customers.customer-registered.v1-value",
        registered(vec![
            json!({ "name": "email", "type": ["null", "string"], "default": null }),
        ]),
    );
    call(
        registry,
        reqwest::Method::PUT,
        "/config/customers.customer-registered.v1-value",
        json!({ "compatibility": "FULL" }),
    );
    let reason = json!({ "$schema": "http://json-schema.org/draft-07/schema#", "title": "Reason",
        "type": "object", "properties": { "code": { "type": "string" } } });
    register(
        registry,
        "reason.json",
        json!({ "schemaType": "JSON", "schema": reason.to_string() }),
    );
    let delayed = json!({ "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "acme.shipping.v1.ShipmentDelayed", "type": "object",
        "properties": { "shipmentId": { "type": "string" },
            "reason": { "$ref": "../../../shared/schemas/reason.json" } } });
    register(
        registry,
        "shipping.shipment-delayed.v1-value",
        json!({ "schemaType": "JSON", "schema": delayed.to_string(), "references": [
            { "name": "../../../shared/schemas/reason.json", "subject": "reason.json", "version": 1 } ] }),
    );
}

fn import(dir: &Path, url: &str, out: &str, extra: &[&str]) -> common::Outcome {
    let mut args = vec!["import", "registry", "--url", url, "--out", out];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

#[test]
fn an_imported_catalog_lints_to_its_placeholders_and_plans_no_writes() {
    let registry_dir = tempfile::tempdir().unwrap();
    let registry = start_registry(registry_dir.path(), None);
    seed(&registry);
    let work = tempfile::tempdir().unwrap();
    let url = format!("http://{}", registry.address);
    let outcome = import(work.path(), &url, "catalog", &["--name", "acme"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("3 events and 3 shared schemas"),
        "{}",
        outcome.stderr
    );
    let catalog = work.path().join("catalog");
    let read = |path: &str| fs::read_to_string(catalog.join(path)).unwrap();
    assert_eq!(
        read("domains/orders/events/OrderPlaced/schema.proto"),
        PLACED,
        "Protobuf is kept exactly as registered"
    );
    assert_eq!(
        read("domains/shared/schemas/acme/common/v1/money.proto"),
        MONEY
    );
    let customer = read("domains/customers/events/CustomerRegistered/event.yaml");
    assert!(customer.contains("compatibility: FULL"), "{customer}");
    assert!(customer.contains("producers: [TODO]"), "{customer}");
    assert!(
        read("domains/orders/events/OrderPlaced/event.yaml").contains("key: { schema: key.proto }")
    );
    assert!(read("evcat.yaml").contains(&url));
    assert!(read("domains/customers/events/CustomerRegistered/schema.avsc").contains("\"email\""));

    let lint = run_in(&catalog, &["lint", "--format", "json"]);
    assert_eq!(lint.code, 0, "{}", lint.stdout);
    let rules = lint.rules();
    assert!(!rules.is_empty());
    assert!(rules.iter().all(|rule| rule == "G012"), "{}", lint.stdout);

    let plan = run_in(&catalog, &["plan", "--env", "prod", "--format", "json"]);
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
    let summary = &plan.json()["environments"][0]["summary"];
    assert_eq!(summary["writes"], 0, "{}", plan.stdout);
    assert_eq!(summary["subjects"], 7, "{}", plan.stdout);

    // Again: nothing new; a file changed by hand is listed, not overwritten.
    let again = import(work.path(), &url, "catalog", &["--name", "acme"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stderr.contains("0 files written"), "{}", again.stderr);
    let summary_file = catalog.join("domains/orders/domain.yaml");
    fs::write(&summary_file, "owner: TODO\nsummary: Orders, by hand.\n").unwrap();
    let third = import(work.path(), &url, "catalog", &["--name", "acme"]);
    assert!(
        third.stderr.contains("differs (left as it is)"),
        "{}",
        third.stderr
    );
    assert_eq!(
        fs::read_to_string(&summary_file).unwrap(),
        "owner: TODO\nsummary: Orders, by hand.\n"
    );

    // --subjects takes the matching subjects and what they reference.
    let some = import(
        work.path(),
        &url,
        "orders-only",
        &["--subjects", "^orders\\."],
    );
    assert_eq!(some.code, 0, "{}", some.stderr);
    assert!(
        some.stderr.contains("1 events and 1 shared schemas"),
        "{}",
        some.stderr
    );
}

/// A static registry (Python's file server): `GET /schemas` answers `versions`.
struct StaticRegistry {
    _server: common::StaticServer,
    url: String,
    _dir: tempfile::TempDir,
}

fn static_registry(versions: Value) -> StaticRegistry {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("schemas"), versions.to_string()).unwrap();
    fs::create_dir_all(dir.path().join("config")).unwrap();
    fs::write(
        dir.path().join("config/index.html"),
        json!({ "compatibilityLevel": "BACKWARD" }).to_string(),
    )
    .unwrap();
    for version in versions.as_array().unwrap() {
        let subject = version["subject"].as_str().unwrap();
        fs::write(
            dir.path().join("config").join(subject),
            json!({ "compatibilityLevel": "BACKWARD" }).to_string(),
        )
        .unwrap();
    }
    let server = common::serve_static(dir.path());
    StaticRegistry {
        url: format!("http://127.0.0.1:{}", server.port),
        _server: server,
        _dir: dir,
    }
}

#[test]
fn a_bad_registry_stops_the_import_before_anything_is_written() {
    let broken = static_registry(json!([
        { "subject": "orders.broken.v1-value", "version": 3, "id": 7, "schemaType": "PROTOBUF",
          "schema": "syntax = \"proto3\";\nmessage Broken {" },
        { "subject": "a-value", "version": 1, "id": 1, "schema": "{\"type\":\"string\"}",
          "references": [{ "name": "b", "subject": "b", "version": 1 }] },
        { "subject": "b", "version": 1, "id": 2, "schema": "{\"type\":\"string\"}",
          "references": [{ "name": "a", "subject": "a-value", "version": 1 }] }
    ]));
    let work = tempfile::tempdir().unwrap();
    let outcome = import(work.path(), &broken.url, "catalog", &[]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("references form a cycle"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("nothing was written"));
    assert!(!work.path().join("catalog").exists());
    assert_eq!(
        fs::read_dir(work.path()).unwrap().count(),
        0,
        "no temporary folder left"
    );

    let unparsable = static_registry(json!([
        { "subject": "orders.broken.v1-value", "version": 3, "id": 7, "schemaType": "PROTOBUF",
          "schema": "syntax = \"proto3\";\nmessage Broken {" }
    ]));
    let outcome = import(work.path(), &unparsable.url, "catalog", &[]);
    assert_eq!(outcome.code, 1);
    assert!(
        outcome
            .stderr
            .contains("orders.broken.v1-value version 3: the Protobuf schema does not parse"),
        "{}",
        outcome.stderr
    );
    assert!(!work.path().join("catalog").exists());

    let malformed =
        static_registry(json!([{ "subject": "x-value", "version": 0, "id": 1, "schema": "{}" }]));
    let outcome = import(work.path(), &malformed.url, "catalog", &[]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("GET /schemas"),
        "{}",
        outcome.stderr
    );
    assert!(!work.path().join("catalog").exists());
}

#[test]
fn with_history_each_registered_version_is_a_commit() {
    let registry_dir = tempfile::tempdir().unwrap();
    let registry = start_registry(registry_dir.path(), None);
    seed(&registry);
    let work = tempfile::tempdir().unwrap();
    let url = format!("http://{}", registry.address);
    let outcome = import(work.path(), &url, "catalog", &["--history"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let catalog = work.path().join("catalog");
    let log = common::git(&catalog, &["log", "--format=%s", "--reverse"]);
    let subjects: Vec<&str> = log.lines().collect();
    assert_eq!(
        subjects[0],
        "Import the catalog's settings from the registry"
    );
    assert_eq!(
        subjects[1],
        "Register acme/common/v1/money.proto version 1 (id 1)"
    );
    assert!(subjects.contains(&"Register customers.customer-registered.v1-value version 2 (id 6)"));
    assert_eq!(subjects.len(), 9, "{log}");
    // No commit names a key file it does not hold (the key subject came after the value).
    let manifest = "domains/orders/events/OrderPlaced/event.yaml";
    for commit in common::git(&catalog, &["rev-list", "HEAD"]).lines() {
        let shown = Command::new("git")
            .args(["show", &format!("{commit}:{manifest}")])
            .current_dir(&catalog)
            .output()
            .unwrap();
        if String::from_utf8_lossy(&shown.stdout).contains("key:") {
            let key = Command::new("git")
                .args([
                    "cat-file",
                    "-e",
                    &format!("{commit}:domains/orders/events/OrderPlaced/key.proto"),
                ])
                .current_dir(&catalog)
                .status()
                .unwrap();
            assert!(
                key.success(),
                "commit {commit} names key.proto without holding it"
            );
        }
    }
    // The working tree is the last commit, and the history is what check and history read.
    assert!(common::git(&catalog, &["status", "--porcelain"]).is_empty());
    let history = run_in(
        &catalog,
        &[
            "history",
            "customers/CustomerRegistered",
            "--format",
            "json",
        ],
    );
    assert_eq!(history.code, 0, "{}", history.stderr);
    assert_eq!(
        history.json()["versions"].as_array().unwrap().len(),
        2,
        "{}",
        history.stdout
    );
    let check = run_in(&catalog, &["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let plan = run_in(&catalog, &["plan", "--env", "prod", "--format", "json"]);
    assert_eq!(
        plan.json()["environments"][0]["summary"]["writes"],
        0,
        "{}",
        plan.stdout
    );

    let again = import(work.path(), &url, "catalog", &["--history"]);
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("--history makes a new repository"),
        "{}",
        again.stderr
    );
}

#[test]
fn a_registry_failing_with_5xx_is_retried_and_then_stops_the_import() {
    let registry_dir = tempfile::tempdir().unwrap();
    let seeded = start_registry(registry_dir.path(), None);
    seed(&seeded);
    drop(seeded);
    let work = tempfile::tempdir().unwrap();
    // Two 503s: retried, and the import goes through.
    let flaky = common::start_registry_with(registry_dir.path(), None, &["--fail-first", "2"]);
    let url = format!("http://{}", flaky.address);
    let outcome = import(work.path(), &url, "catalog", &[]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    drop(flaky);
    // Unavailable throughout: an error naming the answer, and nothing written.
    let down = common::start_registry_with(registry_dir.path(), None, &["--fail-first", "1000"]);
    let url = format!("http://{}", down.address);
    let outcome = import(work.path(), &url, "other", &[]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("cannot read the registry"),
        "{}",
        outcome.stderr
    );
    assert!(!work.path().join("other").exists());
}
