//! The shared vocabulary (`vocabulary.yaml`, rules V001-V003): per rule and per format, nested
//! fields, arrays of records, shared types, imports and `$ref`s; the fix spelled in the format's
//! field case; and a broken vocabulary reported at its lines, never a panic.

mod common;

use common::Fixture;

const REGISTERED_SCHEMA: &str = "domains/customers/events/CustomerRegistered/schema.avsc";
const ADDRESS_CHANGED_SCHEMA: &str = "domains/customers/events/CustomerAddressChanged/schema.json";
const PLACED_SCHEMA: &str = "domains/orders/events/OrderPlaced/schema.proto";
const CAPTURED_SCHEMA: &str = "domains/payments/events/PaymentCaptured/schema.avsc";
const MONEY_AVRO: &str = "domains/common/schemas/money.avsc";
const MONEY_PROTO: &str = "domains/common/schemas/acme/common/v1/money.proto";
const ADDRESS_JSON: &str = "domains/common/schemas/address.json";
const VOCABULARY: &str = "vocabulary.yaml";

fn lint_json(fixture: &Fixture) -> common::Outcome {
    fixture.lint(&[])
}

/// Adds terms to the example's vocabulary (indented two spaces, under `terms:`).
fn add_terms(fixture: &Fixture, terms: &str) {
    let mut text = fixture.read(VOCABULARY);
    text.push_str(terms);
    fixture.write(VOCABULARY, text);
}

fn messages(outcome: &common::Outcome, rule: &str) -> Vec<String> {
    outcome
        .findings()
        .iter()
        .filter(|finding| finding["rule"] == rule)
        .map(|finding| finding["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn the_example_has_a_vocabulary_and_lints_clean() {
    let fixture = Fixture::example();
    assert!(fixture.read(VOCABULARY).contains("customer_id"));
    let outcome = lint_json(&fixture);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
}

#[test]
fn an_alias_is_reported_at_the_field_with_the_name_in_the_formats_case() {
    let fixture = Fixture::example();
    // Avro, top level; JSON Schema, top level; Protobuf, a nested message in a repeated field.
    fixture.replace(REGISTERED_SCHEMA, "\"customerId\"", "\"cust_id\"");
    fixture.replace(
        ADDRESS_CHANGED_SCHEMA,
        "\"customerId\": {",
        "\"CLIENT-ID\": {",
    );
    fixture.replace(
        PLACED_SCHEMA,
        "    int32 quantity = 2;",
        "    int32 quantity = 2;\n    string customer_number = 4;",
    );
    let outcome = lint_json(&fixture);
    assert_eq!(outcome.code, 1);
    let avro = outcome.expect(
        "V001",
        REGISTERED_SCHEMA,
        fixture.line_of(REGISTERED_SCHEMA, "cust_id"),
    );
    assert_eq!(
        avro["message"],
        "avro field `cust_id`: use `customerId` (term: Customer ID), not `cust_id`"
    );
    let json = outcome.expect(
        "V001",
        ADDRESS_CHANGED_SCHEMA,
        fixture.line_of(ADDRESS_CHANGED_SCHEMA, "\"CLIENT-ID\": {"),
    );
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("use `customerId`"),
        "{json}"
    );
    let proto = outcome.expect(
        "V001",
        PLACED_SCHEMA,
        fixture.line_of(PLACED_SCHEMA, "customer_number"),
    );
    assert_eq!(
        proto["message"],
        "protobuf field `items[].customer_number`: use `customer_id` (term: Customer ID), not `customer_number`"
    );
}

#[test]
fn the_fix_follows_the_configured_field_case() {
    let fixture = Fixture::example();
    fixture.replace(REGISTERED_SCHEMA, "\"customerId\"", "\"cust_id\"");
    let mut settings = fixture.read("evcat.yaml");
    settings.push_str("  naming.field: { avro: snake_case }\n");
    fixture.write("evcat.yaml", settings);
    let outcome = lint_json(&fixture);
    let found = outcome.expect(
        "V001",
        REGISTERED_SCHEMA,
        fixture.line_of(REGISTERED_SCHEMA, "cust_id"),
    );
    assert!(
        found["message"]
            .as_str()
            .unwrap()
            .contains("use `customer_id`"),
        "{found}"
    );
}

#[test]
fn nested_records_in_arrays_and_shared_types_are_looked_into_once() {
    let fixture = Fixture::example();
    // An Avro array of records.
    fixture.replace(
        CAPTURED_SCHEMA,
        "    {\n      \"name\": \"capturedAt\",",
        "    {\n      \"name\": \"lines\",\n      \"type\": {\"type\": \"array\", \"items\": {\"type\": \"record\", \"name\": \"Line\", \"fields\": [\n        {\"name\": \"orderNo\", \"type\": \"string\"}\n      ]}},\n      \"default\": []\n    },\n    {\n      \"name\": \"capturedAt\",",
    );
    // The shared Avro Money (used by three events) and the shared JSON Address (by two).
    fixture.replace(MONEY_AVRO, "\"amountMinor\"", "\"amt\"");
    fixture.replace(ADDRESS_JSON, "\"postalCode\": {", "\"zip\": {");
    add_terms(
        &fixture,
        "  postal-code:\n    name: Postal code\n    field: postal_code\n    aliases: [zip, zip_code]\n",
    );
    let outcome = lint_json(&fixture);
    let lines = outcome.expect(
        "V001",
        CAPTURED_SCHEMA,
        fixture.line_of(CAPTURED_SCHEMA, "orderNo"),
    );
    assert!(
        lines["message"]
            .as_str()
            .unwrap()
            .starts_with("avro field `lines[].orderNo`: use `orderId`"),
        "{lines}"
    );
    outcome.expect("V001", MONEY_AVRO, fixture.line_of(MONEY_AVRO, "\"amt\""));
    outcome.expect(
        "V001",
        ADDRESS_JSON,
        fixture.line_of(ADDRESS_JSON, "\"zip\": {"),
    );
    let names = messages(&outcome, "V001");
    assert_eq!(
        names.iter().filter(|m| m.contains("`amt`")).count(),
        1,
        "a shared type is reported once, at its file: {names:?}"
    );
    assert_eq!(names.iter().filter(|m| m.contains("`zip`")).count(), 1);
}

#[test]
fn a_protobuf_import_is_reported_at_each_event_that_uses_it() {
    let fixture = Fixture::example();
    fixture.replace(MONEY_PROTO, "currency_code", "currency_iso");
    add_terms(
        &fixture,
        "  currency:\n    name: Currency\n    field: currency_code\n    aliases: [currency_iso]\n",
    );
    let outcome = lint_json(&fixture);
    let found = outcome.expect(
        "V001",
        "domains/orders/events/OrderConfirmed/event.yaml",
        fixture.line_of("domains/orders/events/OrderConfirmed/event.yaml", "schema:"),
    );
    assert_eq!(
        found["message"],
        "protobuf field `total.currency_iso` (in an imported type): use `currency_code` (term: Currency), not `currency_iso`"
    );
}

#[test]
fn a_term_name_with_another_type_is_reported_with_both_types() {
    let fixture = Fixture::example();
    fixture.replace(PLACED_SCHEMA, "string order_id = 1;", "int64 order_id = 1;");
    fixture.replace(
        REGISTERED_SCHEMA,
        "\"name\": \"customerId\",\n      \"type\": \"string\"",
        "\"name\": \"customerId\",\n      \"type\": \"long\"",
    );
    fixture.replace(
        ADDRESS_CHANGED_SCHEMA,
        "\"customerId\": {\n      \"type\": \"string\"",
        "\"customerId\": {\n      \"type\": \"integer\"",
    );
    let outcome = lint_json(&fixture);
    let proto = outcome.expect(
        "V002",
        PLACED_SCHEMA,
        fixture.line_of(PLACED_SCHEMA, "order_id"),
    );
    assert_eq!(
        proto["message"],
        "protobuf field `order_id`: it is `int64`, but term Order ID (`order-id`) is `string` in protobuf"
    );
    let avro = outcome.expect(
        "V002",
        REGISTERED_SCHEMA,
        fixture.line_of(REGISTERED_SCHEMA, "customerId"),
    );
    assert!(avro["message"].as_str().unwrap().contains("it is `long`"));
    let json = outcome.expect(
        "V002",
        ADDRESS_CHANGED_SCHEMA,
        fixture.line_of(ADDRESS_CHANGED_SCHEMA, "\"customerId\": {"),
    );
    assert!(json["message"]
        .as_str()
        .unwrap()
        .contains("it is `integer`"));
    // Nullability is not a different type: an optional customer ID is still a customer ID.
    let fixture = Fixture::example();
    fixture.replace(
        REGISTERED_SCHEMA,
        "\"name\": \"customerId\",\n      \"type\": \"string\"",
        "\"name\": \"customerId\",\n      \"type\": [\"null\", \"string\"], \"default\": null",
    );
    assert!(!lint_json(&fixture).rules().contains(&"V002".to_string()));
}

#[test]
fn a_broken_vocabulary_is_reported_at_its_lines() {
    let fixture = Fixture::example();
    add_terms(
        &fixture,
        concat!(
            "  customer-key:\n    name: Customer key\n    field: CustomerID\n",
            "  client:\n    name: Client\n    field: client_ref\n    aliases: [order_no, client-ref]\n",
            "  odd-types:\n    name: Odd\n    field: odd\n    owner: nobody-team\n",
            "    types: { avro: strin, protobuf: long, json: date-time }\n",
        ),
    );
    let outcome = lint_json(&fixture);
    assert_eq!(outcome.code, 1);
    let line = |needle: &str| fixture.line_of(VOCABULARY, needle);
    let twice = outcome.expect("V003", VOCABULARY, line("field: CustomerID"));
    assert!(
        twice["message"].as_str().unwrap().contains("`customer_id`"),
        "{twice}"
    );
    let aliases = messages(&outcome, "V003");
    assert!(
        aliases
            .iter()
            .any(|m| m.contains("alias `order_no` of term `client` is also")),
        "{aliases:?}"
    );
    assert!(
        aliases
            .iter()
            .any(|m| m.contains("alias `client-ref` is term `client`'s own name")),
        "{aliases:?}"
    );
    for bad in [
        "`strin` is not a avro type",
        "`long` is not a protobuf type",
        "`date-time` is not a json type",
    ] {
        assert!(
            aliases.iter().any(|m| m.contains(bad)),
            "{bad}: {aliases:?}"
        );
    }
    outcome.expect("V003", VOCABULARY, line("avro: strin,"));
    outcome.expect("R001", VOCABULARY, line("owner: nobody-team"));
}

#[test]
fn a_malformed_vocabulary_file_is_a_structure_finding() {
    let fixture = Fixture::example();
    fixture.write(
        VOCABULARY,
        "terms:\n  customer-id:\n    name: Customer ID\n    feld: customer_id\n",
    );
    let outcome = lint_json(&fixture);
    assert_eq!(outcome.code, 1);
    outcome.expect("Y002", VOCABULARY, 4);
    fixture.write(VOCABULARY, "terms: [\n");
    let outcome = lint_json(&fixture);
    assert!(
        outcome.rules().contains(&"Y001".to_string()),
        "{}",
        outcome.stdout
    );
    // Without the file there is simply no vocabulary.
    fixture.remove(VOCABULARY);
    fixture.replace(REGISTERED_SCHEMA, "\"customerId\"", "\"cust_id\"");
    assert!(!lint_json(&fixture)
        .rules()
        .iter()
        .any(|rule| rule.starts_with('V')));
}
