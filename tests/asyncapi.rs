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
