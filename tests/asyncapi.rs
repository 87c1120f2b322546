//! `evcat export asyncapi`: every service's document validates against the official AsyncAPI
//! 3.0 JSON Schema (vendored in tests/data from @asyncapi/specs, Apache-2.0), with the right
//! operations, schema formats and bindings.

mod common;

use common::{run_in, Fixture};
use serde_json::Value;

fn asyncapi_schema() -> jsonschema::Validator {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/asyncapi-3.0.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn exported(fixture: &Fixture) -> Vec<(String, Value)> {
    let outcome = run_in(fixture.root(), &["export", "asyncapi", "--out", "out"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let mut documents: Vec<(String, Value)> = std::fs::read_dir(fixture.path("out"))
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap(),
            )
        })
        .collect();
    documents.sort_by(|a, b| a.0.cmp(&b.0));
    documents
}

#[test]
fn every_service_document_is_valid_asyncapi_3() {
    let fixture = Fixture::example();
    let documents = exported(&fixture);
    assert_eq!(documents.len(), 10);
    let validator = asyncapi_schema();
    for (name, document) in &documents {
        let errors: Vec<String> = validator
            .iter_errors(document)
            .take(5)
            .map(|error| format!("{error} at {}", error.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    let find = |name: &str| {
        documents
            .iter()
            .find(|(file, _)| file == name)
            .map(|(_, document)| document.clone())
            .unwrap()
    };
    // The ledger consumes PaymentCaptured (Avro) and RefundIssued; the gateway produces.
    let ledger = find("ledger.asyncapi.json");
    let receive =
        &ledger["operations"]["receive.payments.payment-captured.v1.payments.PaymentCaptured"];
    assert_eq!(receive["action"], "receive");
    assert_eq!(
        receive["channel"]["$ref"],
        "#/channels/payments.payment-captured.v1"
    );
    let message = &ledger["components"]["messages"]["payments.PaymentCaptured"];
    assert_eq!(
        message["payload"]["schemaFormat"],
        "application/vnd.apache.avro+json;version=1.9.0"
    );
    assert_eq!(message["payload"]["schema"]["name"], "PaymentCaptured");
    assert_eq!(message["bindings"]["kafka"]["schemaIdLocation"], "payload");
    assert_eq!(message["x-evcat-event"]["id"], "payments/PaymentCaptured");
    // The validator does refuse what AsyncAPI 3.0 does not allow (2.x's `publish`).
    let mut broken = ledger.clone();
    broken["operations"]["receive.payments.payment-captured.v1.payments.PaymentCaptured"]
        ["action"] = "publish".into();
    assert!(!validator.is_valid(&broken));
    let gateway = find("payment-gateway.asyncapi.json");
    assert_eq!(
        gateway["operations"]["send.payments.payment-captured.v1.payments.PaymentCaptured"]
            ["action"],
        "send"
    );
    assert_eq!(
        ledger["channels"]["payments.payment-captured.v1"]["address"],
        "payments.payment-captured.v1"
    );
    // A server per environment; the example's registries are embedded, so no URL.
    assert_eq!(ledger["servers"].as_object().unwrap().len(), 3);
    // Protobuf payloads are the schema's text.
    let checkout = find("checkout-api.asyncapi.json");
    let placed = &checkout["components"]["messages"]["orders.OrderPlaced"]["payload"];
    assert_eq!(
        placed["schemaFormat"],
        "application/vnd.google.protobuf;version=3"
    );
    assert!(placed["schema"]
        .as_str()
        .unwrap()
        .contains("message OrderPlaced"));
}

#[test]
fn one_service_only_and_an_unknown_one() {
    let fixture = Fixture::example();
    let outcome = run_in(
        fixture.root(),
        &["export", "asyncapi", "--service", "ledger", "--out", "one"],
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(std::fs::read_dir(fixture.path("one")).unwrap().count(), 1);
    let unknown = run_in(
        fixture.root(),
        &["export", "asyncapi", "--service", "ledgr"],
    );
    assert_eq!(unknown.code, 2);
}

/// `(id, topics, producers, consumers)` of every event, from `list events`.
fn events_of(dir: &std::path::Path) -> Vec<(String, Value, Value, Value)> {
    let listed = run_in(dir, &["list", "events", "--format", "json"]);
    let mut events: Vec<_> = listed.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| {
            let sorted = |value: &Value| {
                let mut items: Vec<String> = value
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|item| item.as_str().unwrap().to_string())
                    .collect();
                items.sort();
                serde_json::json!(items)
            };
            (
                event["id"].as_str().unwrap().to_string(),
                sorted(&event["topics"]),
                sorted(&event["producers"]),
                sorted(&event["consumers"]),
            )
        })
        .collect();
    events.sort_by(|a, b| a.0.cmp(&b.0));
    events
}

#[test]
fn export_then_import_gives_back_the_events_topics_producers_and_consumers() {
    let fixture = Fixture::example();
    let exported = exported(&fixture);
    let work = tempfile::tempdir().unwrap();
    let files: Vec<String> = exported
        .iter()
        .map(|(name, _)| fixture.path("out").join(name).display().to_string())
        .collect();
    let mut args = vec!["import", "asyncapi", "--out", "catalog"];
    args.extend(files.iter().map(String::as_str));
    let outcome = run_in(work.path(), &args);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let imported = work.path().join("catalog");
    assert_eq!(events_of(&imported), events_of(fixture.root()));
    let status =
        std::fs::read_to_string(imported.join("domains/orders/events/OrderUpdated/event.yaml"))
            .unwrap();
    assert!(status.contains("status: deprecated"), "{status}");
}

const CHECKOUT_V2: &str = r#"asyncapi: 2.6.0
info: { title: checkout, version: 1.0.0 }
channels:
  orders.placed.v1:
    subscribe:
      message:
        name: OrderPlaced
        schemaFormat: application/vnd.apache.avro;version=1.9.0
        payload:
          type: record
          name: OrderPlaced
          namespace: acme.orders.v1
          fields: [{ name: orderId, type: string }]
"#;

const BILLING_V2: &str = r#"asyncapi: 2.6.0
info: { title: billing, version: 1.0.0 }
channels:
  orders.placed.v1:
    publish:
      message: { $ref: '#/components/messages/placed' }
components:
  messages:
    placed:
      name: OrderPlaced
      schemaFormat: application/vnd.apache.avro;version=1.9.0
      payload: { type: record, name: OrderPlaced, namespace: acme.orders.v1, fields: [{ name: orderId, type: string }] }
"#;

#[test]
fn asyncapi_2_subscribe_is_what_the_application_sends() {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("checkout.yaml"), CHECKOUT_V2).unwrap();
    std::fs::write(work.path().join("billing.yaml"), BILLING_V2).unwrap();
    let outcome = run_in(
        work.path(),
        &[
            "import",
            "asyncapi",
            "checkout.yaml",
            "billing.yaml",
            "--out",
            "catalog",
        ],
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let event = std::fs::read_to_string(
        work.path()
            .join("catalog/domains/orders/events/OrderPlaced/event.yaml"),
    )
    .unwrap();
    assert!(event.contains("producers: [\"checkout\"]"), "{event}");
    assert!(event.contains("consumers: [\"billing\"]"), "{event}");
    assert!(event.contains("format: avro"), "{event}");
    assert!(work
        .path()
        .join("catalog/domains/orders/services/checkout.yaml")
        .exists());
}

#[test]
fn a_malformed_asyncapi_file_is_an_error_at_its_line() {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("bad.yaml"),
        "asyncapi: 3.0.0\ninfo:\n  title: [unclosed\n",
    )
    .unwrap();
    let outcome = run_in(
        work.path(),
        &["import", "asyncapi", "bad.yaml", "--out", "catalog"],
    );
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("bad.yaml:"), "{}", outcome.stderr);
    assert!(!work.path().join("catalog").exists());
}
