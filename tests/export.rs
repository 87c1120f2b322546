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

/// A validator for one Backstage kind, with the shared schemas (`Entity`, `EntityMeta`,
/// `common`) it refers to, as Backstage publishes them (vendored in tests/data/backstage).
fn backstage_validator(kind_file: &str) -> jsonschema::Validator {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/backstage");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let registry = jsonschema::Registry::new()
        .add("json-schema:///Entity", read("Entity.schema.json"))
        .unwrap()
        .add("json-schema:///EntityMeta", read("EntityMeta.schema.json"))
        .unwrap()
        .add("json-schema:///common", read("common.schema.json"))
        .unwrap()
        .prepare()
        .unwrap();
    // The registry lives as long as the test; leaking it keeps the validator simple.
    let registry: &'static jsonschema::Registry<'static> = Box::leak(Box::new(registry));
    jsonschema::options()
        .with_registry(registry)
        .build(&read(kind_file))
        .unwrap()
}

#[test]
fn export_backstage_entities_validate_against_backstages_schemas() {
    let fixture = Fixture::example();
    let outcome = run_in(fixture.root(), &["export", "backstage", "--out", "bs"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let text = fixture.read("bs/catalog-info.yaml");
    let entities: Vec<Value> = text
        .split("\n---\n")
        .skip(1)
        .map(|document| serde_json::from_str(document).unwrap())
        .collect();
    let validators: std::collections::HashMap<&str, jsonschema::Validator> = [
        ("Group", "Group.v1alpha1.schema.json"),
        ("Domain", "Domain.v1alpha1.schema.json"),
        ("Component", "Component.v1alpha1.schema.json"),
        ("API", "API.v1alpha1.schema.json"),
    ]
    .into_iter()
    .map(|(kind, file)| (kind, backstage_validator(file)))
    .collect();
    for entity in &entities {
        let kind = entity["kind"].as_str().unwrap();
        let errors: Vec<String> = validators[kind]
            .iter_errors(entity)
            .map(|error| format!("{error} at {}", error.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{kind} {}: {errors:?}",
            entity["metadata"]["name"]
        );
    }
    // The validators do refuse a broken entity.
    let mut broken = entities
        .iter()
        .find(|e| e["kind"] == "API")
        .unwrap()
        .clone();
    broken["spec"].as_object_mut().unwrap().remove("definition");
    assert!(!validators["API"].is_valid(&broken));
    // ... and what the shared Entity and EntityMeta schemas require (a name).
    let mut nameless = entities
        .iter()
        .find(|e| e["kind"] == "Group")
        .unwrap()
        .clone();
    nameless["metadata"] = serde_json::json!({ "title": "no name" });
    assert!(!validators["Group"].is_valid(&nameless));

    let count = |kind: &str| entities.iter().filter(|e| e["kind"] == kind).count();
    assert_eq!(
        (count("Group"), count("Domain"), count("Component")),
        (5, 5, 10)
    );
    let find = |kind: &str, name: &str| {
        entities
            .iter()
            .find(|e| e["kind"] == kind && e["metadata"]["name"] == name)
            .cloned()
            .unwrap()
    };
    let ledger = find("Component", "ledger");
    assert_eq!(ledger["spec"]["owner"], "group:payments-team");
    assert!(ledger["spec"]["consumesApis"]
        .as_array()
        .unwrap()
        .contains(&"payment-gateway-events".into()));
    let gateway_api = find("API", "payment-gateway-events");
    assert_eq!(gateway_api["spec"]["type"], "asyncapi");
    let definition: Value =
        serde_json::from_str(gateway_api["spec"]["definition"].as_str().unwrap()).unwrap();
    assert_eq!(definition["asyncapi"], "3.0.0");
    assert_eq!(
        find("Component", "payment-gateway")["spec"]["providesApis"],
        serde_json::json!(["payment-gateway-events"])
    );
}
