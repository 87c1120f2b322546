//! Federated governance beyond names: classified fields (V004, G007) in all three formats,
//! nested and referenced fields included; data-product lifecycle (G008-G011) with dates
//! relative to today; CODEOWNERS written, parsed back and checked; and the teams a breaking
//! change needs named in `check --format markdown`.

mod common;

use common::{commit_all_on_main, git, run_in, Fixture};

const REGISTERED: &str = "domains/customers/events/CustomerRegistered";
const PLACED: &str = "domains/orders/events/OrderPlaced";
const UPDATED: &str = "domains/orders/events/OrderUpdated";
const CAPTURED: &str = "domains/payments/events/PaymentCaptured";
const DELAYED: &str = "domains/shipping/events/ShipmentDelayed";
const ADDRESS_JSON: &str = "domains/common/schemas/address.json";

fn file(event: &str, name: &str) -> String {
    format!("{event}/{name}")
}

// ---- classified fields ----------------------------------------------------------------------

#[test]
fn an_untagged_field_of_a_tagged_term_is_a_warning_in_each_format() {
    let fixture = Fixture::example();
    let avro = file(REGISTERED, "schema.avsc");
    fixture.replace(
        &avro,
        "\"type\": \"string\",\n      \"confluent:tags\": [\"PII\"]",
        "\"type\": \"string\"",
    );
    // Protobuf: a nested message's field; JSON Schema: a property of a `$ref`ed shared file.
    let proto = file(PLACED, "schema.proto");
    fixture.replace(
        &proto,
        "    int32 quantity = 2;",
        "    int32 quantity = 2;\n    string email = 4;",
    );
    fixture.replace(
        ADDRESS_JSON,
        "\"line1\": {",
        "\"email\": { \"type\": \"string\", \"format\": \"email\" },\n    \"line1\": {",
    );
    let outcome = fixture.lint(&[]);
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    let warning = outcome.expect("V004", &avro, fixture.line_of(&avro, "\"email\""));
    assert_eq!(warning["severity"], "warning");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("term E-mail address's fields are tagged PII"),
        "{warning}"
    );
    outcome.expect("V004", &proto, fixture.line_of(&proto, "string email = 4"));
    outcome.expect(
        "V004",
        ADDRESS_JSON,
        fixture.line_of(ADDRESS_JSON, "\"email\""),
    );
}

#[test]
fn tags_are_read_in_each_format_and_satisfy_the_term() {
    let fixture = Fixture::example();
    let proto = file(PLACED, "schema.proto");
    fixture.replace(
        &proto,
        "import \"google/protobuf/timestamp.proto\";",
        "import \"google/protobuf/timestamp.proto\";\nimport \"confluent/meta.proto\";",
    );
    fixture.replace(
        &proto,
        "    int32 quantity = 2;",
        "    int32 quantity = 2;\n    string email = 4 [(confluent.field_meta) = { tags: [\"PII\"] }];",
    );
    fixture.replace(
        ADDRESS_JSON,
        "\"line1\": {",
        "\"email\": { \"type\": \"string\", \"format\": \"email\", \"confluent:tags\": [\"PII\"] },\n    \"line1\": {",
    );
    // The shared address is in CustomerAddressChanged (restricted) and ShipmentDispatched.
    fixture.replace(
        &file(PLACED, "event.yaml"),
        "status: approved",
        "status: approved\nclassification: confidential",
    );
    fixture.replace(
        "domains/shipping/events/ShipmentDispatched/event.yaml",
        "status: approved",
        "status: approved\nclassification: confidential",
    );
    let outcome = fixture.lint(&[]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);

    // `list fields` and `show` carry the tags and the classification they give.
    let listed = run_in(
        fixture.root(),
        &["list", "fields", "--classified", "--format", "json"],
    );
    let items = listed.json()["items"].as_array().cloned().unwrap();
    let find = |event: &str, path: &str| {
        items
            .iter()
            .find(|item| item["event"] == event && item["path"] == path)
            .cloned()
            .unwrap_or_else(|| panic!("no {event} {path} in {items:?}"))
    };
    let proto_field = find("orders/OrderPlaced", "items[].email");
    assert_eq!(proto_field["tags"], serde_json::json!(["PII"]));
    assert_eq!(proto_field["classification"], "confidential");
    let referenced = find("customers/CustomerAddressChanged", "address.email");
    assert_eq!(referenced["tags"], serde_json::json!(["PII"]));
    let avro_field = find("customers/CustomerRegistered", "email");
    assert_eq!(avro_field["classification"], "confidential");
    assert!(items.iter().all(|item| !item["classification"].is_null()));

    let shown = run_in(fixture.root(), &["show", "CustomerRegistered"]);
    let row = shown
        .stdout
        .lines()
        .find(|line| line.starts_with("email "))
        .unwrap_or_else(|| panic!("{}", shown.stdout));
    assert!(row.contains("confidential (PII)"), "{row}");
}

#[test]
fn an_event_is_at_least_as_strict_as_its_most_sensitive_field() {
    let fixture = Fixture::example();
    // Avro, a tagged field in an array of records, in a public event.
    let avro = file(CAPTURED, "schema.avsc");
    fixture.replace(
        &avro,
        "    {\n      \"name\": \"amount\",",
        "    {\n      \"name\": \"payers\",\n      \"type\": { \"type\": \"array\", \"items\": { \"type\": \"record\", \"name\": \"Payer\", \"fields\": [\n        { \"name\": \"fullName\", \"type\": \"string\", \"confluent:tags\": [\"PII\"] }\n      ] } },\n      \"default\": []\n    },\n    {\n      \"name\": \"amount\",",
    );
    let captured = file(CAPTURED, "event.yaml");
    fixture.replace(
        &captured,
        "classification: confidential",
        "classification: public",
    );
    // JSON Schema, an event without a classification (counts as internal) and a tagged field.
    let delayed = file(DELAYED, "schema.json");
    let text = fixture.read(&delayed);
    let text = text.replacen(
        "\"properties\": {",
        "\"properties\": {\n    \"recipientPhone\": { \"type\": \"string\", \"confluent:tags\": [\"PII\"] },",
        1,
    );
    fixture.write(&delayed, text);
    // A restricted event may carry anything.
    let registered = file(REGISTERED, "event.yaml");

    let outcome = fixture.lint(&[]);
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    let public = outcome.expect(
        "G007",
        &captured,
        fixture.line_of(&captured, "classification:"),
    );
    assert_eq!(
        public["message"],
        "event `PaymentCaptured` is `public`, but its field `payers[].fullName` is confidential (tag PII)"
    );
    let delayed_event = file(DELAYED, "event.yaml");
    let unset = outcome.expect(
        "G007",
        &delayed_event,
        fixture.line_of(&delayed_event, "name:"),
    );
    assert!(
        unset["message"]
            .as_str()
            .unwrap()
            .contains("has no classification (so counts as `internal`)"),
        "{unset}"
    );
    assert!(!outcome
        .findings()
        .iter()
        .any(|finding| finding["rule"] == "G007" && finding["file"] == registered.as_str()));
}

#[test]
fn a_term_classification_and_tag_levels_come_from_the_vocabulary() {
    let fixture = Fixture::example();
    // A term classified restricted makes its fields restricted; a tag mapped to restricted too.
    fixture.replace(
        "vocabulary.yaml",
        "  PII: confidential",
        "  PII: confidential\n  PCI: restricted",
    );
    let proto = file(PLACED, "schema.proto");
    fixture.replace(
        &proto,
        "import \"google/protobuf/timestamp.proto\";",
        "import \"google/protobuf/timestamp.proto\";\nimport \"confluent/meta.proto\";",
    );
    fixture.replace(
        &proto,
        "  string customer_id = 2;",
        "  string customer_id = 2;\n  string card_number = 6 [(confluent.field_meta).tags = \"PCI\"];",
    );
    let outcome = fixture.lint(&[]);
    let event = file(PLACED, "event.yaml");
    let finding = outcome.expect("G007", &event, fixture.line_of(&event, "name:"));
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("its field `card_number` is restricted (tag PCI)"),
        "{finding}"
    );

    // Without a vocabulary, PII still means confidential.
    let fixture = Fixture::example();
    fixture.remove("vocabulary.yaml");
    fixture.replace(
        &file(REGISTERED, "event.yaml"),
        "classification: restricted",
        "classification: public",
    );
    let outcome = fixture.lint(&[]);
    let registered = file(REGISTERED, "event.yaml");
    let finding = outcome.expect(
        "G007",
        &registered,
        fixture.line_of(&registered, "classification:"),
    );
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("`email` is confidential (tag PII)"),
        "{finding}"
    );
}

// ---- data-product lifecycle ----------------------------------------------------------------

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

fn in_days(days: i64) -> String {
    (today() + time::Duration::days(days)).to_string()
}

/// OrderUpdated (deprecated, no consumers in the example) with `deprecation` and consumers.
fn deprecated_with(fixture: &Fixture, deprecation: &str, consumers: &str) -> String {
    let event = file(UPDATED, "event.yaml");
    let text = fixture.read(&event);
    let start = text.find("deprecation:").unwrap_or(text.len());
    let text = format!("{}{deprecation}\n", &text[..start])
        .replace("consumers: []", consumers)
        .replace("consumers: [ledger]", consumers);
    fixture.write(&event, text);
    event
}

/// Lints the example with OrderUpdated's deprecation replaced (and still no consumers).
fn lint_deprecated(fixture: &Fixture, deprecation: &str) -> common::Outcome {
    deprecated_with(fixture, deprecation, "consumers: []");
    fixture.lint(&[])
}

#[test]
fn a_sunset_passed_with_consumers_is_an_error_naming_them() {
    let fixture = Fixture::example();
    let event = deprecated_with(
        &fixture,
        &format!(
            "deprecation: {{ since: {}, sunset: {}, replacement: OrderConfirmed }}",
            in_days(-100),
            in_days(-3)
        ),
        "consumers: [fraud-detector, fulfillment-service]",
    );
    let outcome = fixture.lint(&[]);
    assert_eq!(outcome.code, 1);
    let finding = outcome.expect("G008", &event, fixture.line_of(&event, "deprecation:"));
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("(3 days ago)"), "{message}");
    assert!(
        message.contains("fraud-detector (payments-team"),
        "{message}"
    );
    assert!(
        message.contains("fulfillment-service (logistics-team"),
        "{message}"
    );
}

#[test]
fn a_near_sunset_warns_within_the_configured_days() {
    let fixture = Fixture::example();
    let event = deprecated_with(
        &fixture,
        &format!(
            "deprecation:\n  since: {}\n  sunset: {}\n  replacement: orders/OrderConfirmed",
            in_days(-10),
            in_days(45)
        ),
        "consumers: [ledger]",
    );
    // 45 days ahead: outside the default 30.
    let outcome = fixture.lint(&[]);
    assert!(
        !outcome.rules().contains(&"G009".to_string()),
        "{}",
        outcome.stdout
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    let mut settings = fixture.read("evcat.yaml");
    settings.push_str("  governance.sunset-near: { days: 60 }\n");
    fixture.write("evcat.yaml", settings);
    let outcome = fixture.lint(&[]);
    let warning = outcome.expect("G009", &event, fixture.line_of(&event, "sunset:"));
    assert_eq!(warning["severity"], "warning");
    let message = warning["message"].as_str().unwrap();
    assert!(message.contains("(in 45 days)"), "{message}");
    assert!(
        message.contains("ledger (payments-team: payments@example.com"),
        "{message}"
    );
}

#[test]
fn replacements_must_exist_be_approved_and_not_loop() {
    let fixture = Fixture::example();
    let event = file(UPDATED, "event.yaml");
    let outcome = lint_deprecated(
        &fixture,
        "deprecation: { since: 2026-01-01, sunset: 2099-01-01, replacement: OrderConfirmd }",
    );
    let missing = outcome.expect("G010", &event, fixture.line_of(&event, "deprecation:"));
    assert_eq!(missing["help"], "did you mean `OrderConfirmed`?");

    let outcome = lint_deprecated(&fixture, "deprecation: { since: 2026-01-01, sunset: 2099-01-01, replacement: shipping/ShipmentDelayed }");
    let draft = outcome.expect("G010", &event, fixture.line_of(&event, "deprecation:"));
    assert!(
        draft["message"]
            .as_str()
            .unwrap()
            .contains("is draft, not approved"),
        "{draft}"
    );

    // OrderUpdated → OrderConfirmed → OrderUpdated.
    deprecated_with(
        &fixture,
        "deprecation: { since: 2026-01-01, sunset: 2099-01-01, replacement: OrderConfirmed }",
        "consumers: []",
    );
    let confirmed = file("domains/orders/events/OrderConfirmed", "event.yaml");
    let mut text = fixture.read(&confirmed);
    text.push_str("deprecation: { replacement: OrderUpdated }\n");
    fixture.write(&confirmed, text);
    let outcome = fixture.lint(&[]);
    let cycle = outcome.expect("G010", &event, fixture.line_of(&event, "deprecation:"));
    assert_eq!(
        cycle["message"],
        "replacements lead back to `OrderUpdated`: orders/OrderUpdated → orders/OrderConfirmed → orders/OrderUpdated"
    );
}

#[test]
fn deprecation_needs_a_block_and_real_dates() {
    let fixture = Fixture::example();
    let event = file(UPDATED, "event.yaml");
    let outcome = lint_deprecated(&fixture, "");
    let warning = outcome.expect("G011", &event, fixture.line_of(&event, "status:"));
    assert_eq!(warning["severity"], "warning");

    let outcome = lint_deprecated(
        &fixture,
        "deprecation:\n  since: 2027-02-30\n  sunset: 2027-12-31",
    );
    assert_eq!(outcome.code, 1);
    let invalid = outcome.expect("Y005", &event, fixture.line_of(&event, "since:"));
    assert_eq!(
        invalid["message"],
        "`2027-02-30` is not a date of the calendar"
    );
    // A date not shaped YYYY-MM-DD is the JSON Schema's to report.
    let outcome = lint_deprecated(&fixture, "deprecation:\n  sunset: 31/12/2027");
    let shape = outcome.expect("Y005", &event, fixture.line_of(&event, "sunset:"));
    assert!(
        shape["message"]
            .as_str()
            .unwrap()
            .contains("deprecation.sunset"),
        "{shape}"
    );

    let outcome = lint_deprecated(
        &fixture,
        "deprecation: { since: 2027-05-01, sunset: 2027-04-01, replacement: OrderConfirmed }",
    );
    let order = outcome.expect("Y005", &event, fixture.line_of(&event, "deprecation:"));
    assert!(order["message"]
        .as_str()
        .unwrap()
        .contains("is before the deprecation"));
}

// ---- CODEOWNERS ----------------------------------------------------------------------------

/// The owners CODEOWNERS gives `path` (relative to the repository): the last matching line's.
fn owners_of(codeowners: &str, path: &str) -> Vec<String> {
    let mut owners = Vec::new();
    for line in codeowners.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let pattern = parts.next().unwrap().trim_start_matches('/');
        let matches = if let Some(folder) = pattern.strip_suffix('/') {
            path.starts_with(&format!("{folder}/"))
        } else {
            path == pattern
        };
        if matches {
            owners = parts.map(str::to_string).collect();
        }
    }
    owners
}

#[test]
fn codeowners_makes_owners_and_consumer_teams_reviewers_and_checks_a_stale_file() {
    let fixture = Fixture::example();
    commit_all_on_main(fixture.root());
    let written = run_in(fixture.root(), &["codeowners"]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    let text = fixture.read(".github/CODEOWNERS");
    // OrderPlaced: orders (owner), payments (fraud-detector), logistics (fulfillment-service).
    assert_eq!(
        owners_of(&text, &file(PLACED, "schema.proto")),
        ["@acme/orders", "@acme/payments", "@acme/logistics"]
    );
    // A domain's own files go to its owner; the governance team has the settings and vocabulary.
    assert_eq!(
        owners_of(&text, "domains/orders/domain.yaml"),
        ["@acme/orders"]
    );
    assert_eq!(
        owners_of(&text, "domains/orders/services/order-service.yaml"),
        ["@acme/orders"]
    );
    assert_eq!(owners_of(&text, "evcat.yaml"), ["@acme/platform"]);
    assert_eq!(owners_of(&text, "vocabulary.yaml"), ["@acme/platform"]);
    // Narrower lines come after the broader ones they override.
    let position = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle}"));
    assert!(position("/domains/orders/ ") < position("/domains/orders/events/OrderPlaced/ "));

    let up_to_date = run_in(fixture.root(), &["codeowners", "--check"]);
    assert_eq!(up_to_date.code, 0, "{}", up_to_date.stdout);

    // A new consumer from the shipping domain's other team makes the file stale.
    let registered = file(REGISTERED, "event.yaml");
    fixture.replace(
        &registered,
        "consumers: [notification-service, fraud-detector]",
        "consumers: [notification-service, fraud-detector, fulfillment-service]",
    );
    let stale = run_in(fixture.root(), &["codeowners", "--check"]);
    assert_eq!(stale.code, 1);
    assert!(
        stale.stdout.contains(
            "- /domains/customers/events/CustomerRegistered/ @acme/customer-care @acme/payments\n"
        ),
        "{}",
        stale.stdout
    );
    assert!(stale.stdout.contains(
        "+ /domains/customers/events/CustomerRegistered/ @acme/customer-care @acme/payments @acme/logistics"
    ));
    fixture.remove(".github/CODEOWNERS");
    let missing = run_in(fixture.root(), &["codeowners", "--check"]);
    assert_eq!(missing.code, 1);
    assert!(missing.stdout.contains("is missing"));
}

#[test]
fn codeowners_paths_start_at_the_repository_root_and_follow_the_settings() {
    let repository = tempfile::tempdir().unwrap();
    common::copy_dir(&common::example_dir(), &repository.path().join("contracts"));
    git(repository.path(), &["init", "-q", "-b", "main"]);
    let catalog = repository.path().join("contracts");
    let settings = catalog.join("evcat.yaml");
    let text = std::fs::read_to_string(&settings).unwrap();
    // Consumers do not review; one team has no handle.
    let text = text
        .replace("  consumers: true", "  consumers: false")
        .replace(", github: \"@acme/logistics\"", "");
    std::fs::write(&settings, text).unwrap();
    let outcome = run_in(&catalog, &["codeowners", "--output", "-"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let text = &outcome.stdout;
    assert_eq!(
        owners_of(
            text,
            "contracts/domains/orders/events/OrderPlaced/schema.proto"
        ),
        ["@acme/orders"]
    );
    assert!(
        text.contains("# /contracts/domains/shipping/: no handle for logistics-team"),
        "{text}"
    );
    assert!(
        outcome
            .stderr
            .contains("team `logistics-team` has no github handle"),
        "{}",
        outcome.stderr
    );
    // Without a handle the shipping domain's events fall to nobody rather than to a wrong team.
    assert!(owners_of(
        text,
        "contracts/domains/shipping/events/ShipmentDelayed/schema.json"
    )
    .is_empty());
}

#[test]
fn a_breaking_change_names_the_teams_that_must_approve_it() {
    let fixture = Fixture::example();
    commit_all_on_main(fixture.root());
    fixture.replace(
        &file(PLACED, "schema.proto"),
        "  string customer_id = 2;",
        "  int64 customer_id = 2;",
    );
    let outcome = run_in(fixture.root(), &["check", "--format", "markdown"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    let markdown = &outcome.stdout;
    assert!(
        markdown.contains("**Approvals needed for breaking changes**"),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "- `orders/OrderPlaced`: orders-team (`@acme/orders`), owner; payments-team \
             (`@acme/payments`), consumer: fraud-detector; logistics-team (`@acme/logistics`), \
             consumer: fulfillment-service"
        ),
        "{markdown}"
    );
    let json = run_in(fixture.root(), &["diff", "--format", "json"]);
    let approvers = &json.json()["changes"][0]["approvers"];
    assert_eq!(approvers[0]["team"], "orders-team");
    assert_eq!(approvers[0]["role"]["kind"], "owner");
    assert_eq!(
        approvers[2]["role"]["services"],
        serde_json::json!(["fulfillment-service"])
    );
}

#[test]
fn the_example_lints_clean_with_its_governance_and_its_codeowners_is_current() {
    let fixture = Fixture::example();
    let outcome = fixture.lint(&["--deny-warnings"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    // The example's CODEOWNERS is generated for the catalog where this repository holds it.
    let repository = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::example_dir(),
        &repository.path().join("catalog-example"),
    );
    git(repository.path(), &["init", "-q", "-b", "main"]);
    let check = run_in(
        &repository.path().join("catalog-example"),
        &["codeowners", "--check"],
    );
    assert_eq!(check.code, 0, "{}", check.stdout);
    let text = fixture.read(".github/CODEOWNERS");
    assert!(text.contains("/catalog-example/vocabulary.yaml @acme/platform"));
}

#[test]
fn the_governance_team_must_be_declared() {
    let fixture = Fixture::example();
    fixture.replace(
        "evcat.yaml",
        "governance: platform-team",
        "governance: platfrom-team",
    );
    let outcome = fixture.lint(&[]);
    assert_eq!(outcome.code, 1);
    let finding = outcome.expect(
        "R001",
        "evcat.yaml",
        fixture.line_of("evcat.yaml", "governance:"),
    );
    assert_eq!(finding["help"], "did you mean `platform-team`?");
}

#[test]
fn codeowners_check_refuses_a_fifo_instead_of_waiting_on_it() {
    let fixture = Fixture::example();
    std::fs::create_dir_all(fixture.path(".github")).unwrap();
    std::fs::remove_file(fixture.path(".github/CODEOWNERS")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(fixture.path(".github/CODEOWNERS"))
        .status()
        .unwrap();
    assert!(made.success());
    let outcome = common::run_within(
        fixture.root(),
        &["codeowners", "--check"],
        std::time::Duration::from_secs(20),
    );
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("CODEOWNERS"), "{}", outcome.stderr);
}
