//! `evcat export`: the JSON document validated against its published JSON Schema
//! (`schemas/export.schema.json`), with the facts other tools rely on.

mod common;

use common::{run_in, Fixture};
use serde_json::Value;

fn export_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/export.schema.json"),
    )
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[test]
fn export_json_is_the_documented_model_of_the_whole_catalog() {
    let fixture = Fixture::example();
    let outcome = run_in(fixture.root(), &["export", "json"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let document: Value = outcome.json();
    let errors: Vec<String> = export_schema()
        .iter_errors(&document)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    assert_eq!(document["version"], 1);
    assert_eq!(document["complete"], true);
    assert_eq!(document["events"].as_array().unwrap().len(), 12);
    let event = |id: &str| {
        document["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|event| event["id"] == id)
            .cloned()
            .unwrap()
    };
    let registered = event("customers/CustomerRegistered");
    let email = registered["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|field| field["name"] == "email")
        .cloned()
        .unwrap();
    assert_eq!(email["classification"], "confidential");
    assert_eq!(email["tags"], serde_json::json!(["PII"]));
    assert_eq!(registered["sla"]["availability"], "99.9%");
    assert_eq!(
        event("orders/OrderUpdated")["deprecation"]["replacement"],
        "orders/OrderConfirmed"
    );
    let placed = event("orders/OrderPlaced");
    assert!(placed["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|field| field["path"] == "items[].unit_price.currency_code"));
    let payments = document["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|team| team["id"] == "payments-team")
        .cloned()
        .unwrap();
    assert_eq!(payments["github"], "@acme/payments");

    // --output writes the same document to a file.
    let written = run_in(
        fixture.root(),
        &["export", "json", "--output", "catalog.json"],
    );
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert_eq!(fixture.read("catalog.json"), outcome.stdout);
}

#[test]
fn a_schema_that_does_not_compile_makes_the_document_incomplete() {
    let fixture = Fixture::example();
    fixture.write(
        "domains/payments/events/PaymentCaptured/schema.avsc",
        "{ \"type\": \"record\", \"name\": ",
    );
    let outcome = run_in(fixture.root(), &["export", "json"]);
    assert_eq!(outcome.code, 0);
    assert_eq!(outcome.json()["complete"], false);
    assert!(outcome.stderr.contains("evcat lint"), "{}", outcome.stderr);
}
