//! `evcat lint` on the example catalog and on a corpus of broken catalogs. Each broken catalog is
//! the example with one thing broken; each test asserts the exit code, the rule id, and the file
//! and line the finding points at. `common::run_in` asserts that no input makes evcat panic.

mod common;

use common::{run_in, Fixture};

const CAPTURED: &str = "domains/payments/events/PaymentCaptured/event.yaml";
const CAPTURED_SCHEMA: &str = "domains/payments/events/PaymentCaptured/schema.avsc";
const CAPTURED_EXAMPLE: &str = "domains/payments/events/PaymentCaptured/examples/captured.json";
const CANCELLED_PROTO: &str = "domains/orders/events/OrderCancelled/schema.proto";
const CONFIRMED: &str = "domains/orders/events/OrderConfirmed/event.yaml";
const CONFIRMED_EXAMPLE: &str = "domains/orders/events/OrderConfirmed/examples/confirmed.json";
const DELIVERED_SCHEMA: &str = "domains/shipping/events/ShipmentDelivered/schema.json";
const DELIVERED_EXAMPLE: &str = "domains/shipping/events/ShipmentDelivered/examples/delivered.json";
const LEDGER: &str = "domains/payments/services/ledger.yaml";

/// Lints a copy of the example broken by `setup`, expecting error exit code 1.
fn broken(setup: impl FnOnce(&Fixture)) -> common::Outcome {
    let fixture = Fixture::example();
    setup(&fixture);
    let outcome = fixture.lint(&[]);
    assert_eq!(
        outcome.code, 1,
        "expected exit 1:\n{}{}",
        outcome.stdout, outcome.stderr
    );
    outcome
}

#[test]
fn example_catalog_lints_clean() {
    let outcome = run_in(&common::example_dir(), &["lint", "--format", "json"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    let json = outcome.json();
    assert_eq!(json["findings"], serde_json::json!([]));
    assert_eq!(json["summary"]["events"], 12);
    assert_eq!(json["summary"]["domains"], 5);
    assert_eq!(json["version"], 1);
}

#[test]
fn example_catalog_human_output_has_summary() {
    let outcome = run_in(&common::example_dir(), &["lint"]);
    assert_eq!(outcome.code, 0);
    assert!(
        outcome.stdout.starts_with("lint: no problems in "),
        "{}",
        outcome.stdout
    );
    assert!(outcome.stdout.contains("12 events"));
}

#[test]
fn discovers_catalog_from_a_subfolder() {
    let outcome = run_in(
        &common::example_dir().join("domains/payments/events"),
        &["lint", "--format", "json"],
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
}

// ---- structure

#[test]
fn malformed_yaml() {
    let outcome = broken(|f| {
        f.replace(
            CAPTURED,
            "status: approved\n",
            "status: approved\n  format: [avro\n",
        );
    });
    outcome.expect("Y001", CAPTURED, 5);
}

#[test]
fn wrong_type() {
    let outcome = broken(|f| {
        f.replace(
            CAPTURED,
            "producers: [payment-gateway]",
            "producers: payment-gateway",
        );
    });
    let finding = outcome.expect("Y004", CAPTURED, 9);
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .contains("must be an array"));
}

#[test]
fn unknown_key_suggests_the_right_one() {
    let outcome = broken(|f| {
        f.replace(CAPTURED, "consumers: [ledger]", "consumer: [ledger]");
    });
    let finding = outcome.expect("Y002", CAPTURED, 10);
    assert_eq!(finding["help"], "did you mean `consumers`?");
    assert_eq!(finding["column"], 1);
}

#[test]
fn missing_key() {
    let outcome = broken(|f| {
        f.replace(CAPTURED, "format: avro\n", "");
    });
    let finding = outcome.expect("Y003", CAPTURED, 2);
    assert!(finding["message"].as_str().unwrap().contains("`format`"));
}

#[test]
fn invalid_enum_value() {
    let outcome = broken(|f| {
        f.replace(CAPTURED, "status: approved", "status: aproved");
    });
    let finding = outcome.expect("Y005", CAPTURED, 4);
    assert_eq!(finding["help"], "did you mean `approved`?");
}

#[test]
fn empty_file() {
    let outcome = broken(|f| {
        f.write(CAPTURED, "");
    });
    outcome.expect("Y006", CAPTURED, 1);
}

#[test]
fn comments_only_file() {
    let outcome = broken(|f| {
        f.write("domains/payments/domain.yaml", "# nothing here yet\n");
    });
    outcome.expect("Y006", "domains/payments/domain.yaml", 1);
}

#[test]
fn non_utf8_file() {
    let outcome = broken(|f| {
        f.write(LEDGER, b"summary: Ledger\nrepository: \xff\xfe\n");
    });
    let finding = outcome.expect("Y007", LEDGER, 2);
    assert_eq!(finding["column"], 13);
    // The service still counts as declared: no cascade of unknown-service findings.
    assert_eq!(outcome.rules(), ["Y007"]);
}

#[test]
fn ten_megabyte_file() {
    let outcome = broken(|f| {
        let mut big = String::from("{\"paymentId\": \"");
        big.push_str(&"x".repeat(10 * 1024 * 1024));
        big.push_str("\"}");
        f.write(CAPTURED_EXAMPLE, big);
    });
    let finding = outcome.expect("Y008", CAPTURED_EXAMPLE, 1);
    assert!(finding["message"].as_str().unwrap().contains("bytes"));
}

#[test]
fn missing_event_manifest() {
    let outcome = broken(|f| {
        f.remove(CAPTURED);
    });
    outcome.expect("Y009", "domains/payments/events/PaymentCaptured", 1);
}

#[test]
fn malformed_settings_file() {
    let outcome = broken(|f| {
        f.replace("evcat.yaml", "catalog: acme", "catalog: [acme");
    });
    outcome.expect("Y001", "evcat.yaml", 4);
}

// ---- references

#[test]
fn missing_schema_file() {
    let outcome = broken(|f| {
        f.replace(CAPTURED, "schema: schema.avsc", "schema: schemas.avsc");
    });
    let finding = outcome.expect("R003", CAPTURED, 6);
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .contains("schemas.avsc does not exist"));
}

#[test]
fn schema_path_escaping_the_catalog() {
    let outcome = broken(|f| {
        f.replace(
            CAPTURED,
            "schema: schema.avsc",
            "schema: ../../../../../../etc/passwd",
        );
    });
    outcome.expect("R004", CAPTURED, 6);
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_catalog() {
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), "{}").unwrap();
    let outcome = broken(|f| {
        f.remove(CAPTURED_EXAMPLE);
        std::os::unix::fs::symlink(outside.path(), f.path(CAPTURED_EXAMPLE)).unwrap();
    });
    let finding = outcome.expect("R004", CAPTURED, 11);
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .contains("outside the catalog"));
}

#[test]
fn unknown_owner_team() {
    let outcome = broken(|f| {
        f.replace(
            "domains/payments/domain.yaml",
            "owner: payments-team",
            "owner: payment-team",
        );
    });
    let finding = outcome.expect("R001", "domains/payments/domain.yaml", 2);
    assert_eq!(finding["help"], "did you mean `payments-team`?");
}

#[test]
fn unknown_consumer_service() {
    let outcome = broken(|f| {
        f.replace(
            CAPTURED,
            "consumers: [ledger]",
            "consumers:\n  - ledger\n  - ledgr",
        );
    });
    let finding = outcome.expect("R002", CAPTURED, 12);
    assert_eq!(finding["column"], 5);
    assert_eq!(finding["help"], "did you mean `ledger`?");
}

#[test]
fn duplicate_service_name_across_domains() {
    let outcome = broken(|f| {
        f.write(
            "domains/orders/services/ledger.yaml",
            "summary: Another ledger\n",
        );
    });
    outcome.expect("R005", "domains/payments/services/ledger.yaml", 1);
}

// ---- schemas

#[test]
fn avro_type_keyword_typo() {
    let outcome = broken(|f| {
        f.replace(
            CAPTURED_SCHEMA,
            "\"type\": \"record\"",
            "\"type\": \"recrod\"",
        );
    });
    let finding = outcome.expect("S001", CAPTURED_SCHEMA, 2);
    assert_eq!(finding["help"], "did you mean `record`?");
}

#[test]
fn invalid_avro() {
    let outcome = broken(|f| {
        f.replace(CAPTURED_SCHEMA, "\"fields\": [", "\"fieldz\": [");
    });
    let finding = outcome.expect("S001", CAPTURED_SCHEMA, 1);
    assert!(
        finding["message"].as_str().unwrap().contains("fields"),
        "{finding}"
    );
}

#[test]
fn avro_that_is_not_json() {
    let outcome = broken(|f| {
        f.replace(CAPTURED_SCHEMA, "\"fields\": [", "\"fields\": [,");
    });
    outcome.expect("S001", CAPTURED_SCHEMA, 6);
}

#[test]
fn unresolved_avro_named_type() {
    let outcome = broken(|f| {
        f.replace(
            CAPTURED_SCHEMA,
            "\"acme.common.Money\"",
            "\"acme.common.Monee\"",
        );
    });
    let finding = outcome.expect("S004", CAPTURED_SCHEMA, 16);
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .contains("acme.common.Monee"));
}

#[test]
fn invalid_protobuf() {
    let outcome = broken(|f| {
        f.replace(
            CANCELLED_PROTO,
            "string order_id = 1;",
            "string order_id = ;",
        );
    });
    outcome.expect("S002", CANCELLED_PROTO, 9);
}

#[test]
fn unresolved_protobuf_import() {
    let outcome = broken(|f| {
        f.replace(
            CANCELLED_PROTO,
            "import \"google/protobuf/timestamp.proto\";",
            "import \"google/protobuf/timestamp.proto\";\nimport \"acme/common/v1/nope.proto\";",
        );
    });
    outcome.expect("S004", CANCELLED_PROTO, 6);
}

#[test]
fn protobuf_message_not_found() {
    let outcome = broken(|f| {
        f.replace(
            CONFIRMED,
            "message: acme.orders.v1.OrderConfirmed",
            "message: acme.orders.v1.OrderConfirmd",
        );
    });
    let finding = outcome.expect("S005", CONFIRMED, 7);
    assert_eq!(
        finding["help"],
        "did you mean `acme.orders.v1.OrderConfirmed`?"
    );
}

#[test]
fn invalid_json_schema() {
    let outcome = broken(|f| {
        f.replace(
            DELIVERED_SCHEMA,
            "\"type\": \"object\"",
            "\"type\": \"objekt\"",
        );
    });
    outcome.expect("S003", DELIVERED_SCHEMA, 5);
}

#[test]
fn unresolved_json_schema_ref() {
    let outcome = broken(|f| {
        f.replace(
            DELIVERED_SCHEMA,
            "\"signedBy\": {\n      \"type\": \"string\"\n    }",
            "\"signedBy\": {\n      \"$ref\": \"../../../common/schemas/person.json\"\n    }",
        );
    });
    outcome.expect("S004", DELIVERED_SCHEMA, 19);
}

#[test]
fn schema_extension_mismatch_is_a_warning() {
    let fixture = Fixture::example();
    std::fs::rename(
        fixture.path(CAPTURED_SCHEMA),
        fixture.path("domains/payments/events/PaymentCaptured/schema.json"),
    )
    .unwrap();
    fixture.replace(CAPTURED, "schema: schema.avsc", "schema: schema.json");
    let outcome = fixture.lint(&[]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    let finding = outcome.expect("S006", CAPTURED, 6);
    assert_eq!(finding["severity"], "warning");
    assert_eq!(fixture.lint(&["--deny-warnings"]).code, 1);
}

// ---- examples

#[test]
fn example_that_is_not_json() {
    let outcome = broken(|f| {
        f.replace(CAPTURED_EXAMPLE, "\"EUR\",", "\"EUR\",,");
    });
    outcome.expect("X001", CAPTURED_EXAMPLE, 4);
}

#[test]
fn avro_example_that_does_not_match() {
    let outcome = broken(|f| {
        f.replace(
            CAPTURED_EXAMPLE,
            "\"amountMinor\": 4999",
            "\"amountMinor\": \"4999\"",
        );
    });
    let finding = outcome.expect("X002", CAPTURED_EXAMPLE, 5);
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .contains("64-bit integer"));
}

#[test]
fn protobuf_example_that_does_not_match() {
    let outcome = broken(|f| {
        f.replace(CONFIRMED_EXAMPLE, "\"units\": \"39\"", "\"unit\": \"39\"");
    });
    outcome.expect("X002", CONFIRMED_EXAMPLE, 5);
}

#[test]
fn json_schema_example_that_does_not_match() {
    let outcome = broken(|f| {
        f.replace(
            DELIVERED_EXAMPLE,
            "\"signedBy\": \"J. Jansen\"",
            "\"signedBy\": 42",
        );
    });
    outcome.expect("X002", DELIVERED_EXAMPLE, 4);
}

#[test]
fn missing_example_file() {
    let outcome = broken(|f| {
        f.remove(CAPTURED_EXAMPLE);
    });
    outcome.expect("R003", CAPTURED, 11);
}

// ---- naming

#[test]
fn topic_naming() {
    let outcome = broken(|f| {
        f.replace(
            CAPTURED,
            "topics: [payments.payment-captured.v1]",
            "topics: [PaymentCaptured]",
        );
    });
    outcome.expect("N001", CAPTURED, 8);
}

#[test]
fn event_naming() {
    let outcome = broken(|f| {
        f.replace(CAPTURED, "name: PaymentCaptured", "name: payment_captured");
    });
    outcome.expect("N002", CAPTURED, 2);
}

#[test]
fn service_naming() {
    let outcome = broken(|f| {
        f.write(
            "domains/payments/services/Audit_Log.yaml",
            "summary: Keeps an audit trail.\n",
        );
    });
    outcome.expect("N003", "domains/payments/services/Audit_Log.yaml", 1);
}

#[test]
fn field_naming_is_a_warning_by_default() {
    let fixture = Fixture::example();
    fixture.replace(CAPTURED_SCHEMA, "\"capturedAt\"", "\"captured_at\"");
    fixture.replace(CAPTURED_EXAMPLE, "\"capturedAt\"", "\"captured_at\"");
    let outcome = fixture.lint(&[]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    let finding = outcome.expect("N004", CAPTURED_SCHEMA, 19);
    assert_eq!(finding["severity"], "warning");
    assert_eq!(fixture.lint(&["--deny-warnings"]).code, 1);
}

#[test]
fn namespace_tied_to_domain() {
    let fixture = Fixture::example();
    fixture.replace(
        CANCELLED_PROTO,
        "package acme.orders.v1;",
        "package acme.sales.v1;",
    );
    let outcome = fixture.lint(&["--deny-warnings"]);
    assert_eq!(outcome.code, 1);
    outcome.expect("N005", CANCELLED_PROTO, 3);
}

#[test]
fn naming_rule_configured_by_name_and_id() {
    let fixture = Fixture::example();
    fixture.replace(CAPTURED, "name: PaymentCaptured", "name: payment_captured");
    fixture.replace(
        "evcat.yaml",
        "governance.deprecated-consumers: warn",
        "governance.deprecated-consumers: warn\n  N002: { pattern: '^[A-Za-z_]+$' }",
    );
    let outcome = fixture.lint(&[]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    fixture.replace(
        "evcat.yaml",
        "N002: { pattern: '^[A-Za-z_]+$' }",
        "naming.event: off",
    );
    assert_eq!(fixture.lint(&[]).code, 0);
}

#[test]
fn unknown_rule_in_settings() {
    let outcome = broken(|f| {
        f.replace(
            "evcat.yaml",
            "governance.deprecated-consumers: warn",
            "governance.deprecated-consumer: warn",
        );
    });
    let finding = outcome.expect("Y002", "evcat.yaml", 41);
    assert!(finding["help"]
        .as_str()
        .unwrap()
        .contains("governance.deprecated-consumers"));
}

#[test]
fn invalid_rule_severity() {
    let outcome = broken(|f| {
        f.replace(
            "evcat.yaml",
            "governance.deprecated-consumers: warn",
            "governance.deprecated-consumers: wran\n  N001: { severity: eror }",
        );
    });
    let bare = outcome.expect("Y005", "evcat.yaml", 41);
    assert_eq!(bare["help"], "did you mean `warn`?");
    assert_eq!(bare["column"], 36);
    let nested = outcome.expect("Y005", "evcat.yaml", 42);
    assert_eq!(nested["help"], "did you mean `error`?");
}

#[test]
fn invalid_rule_pattern() {
    let outcome = broken(|f| {
        f.replace("evcat.yaml", "pattern: '^{domain}", "pattern: '^({domain}");
    });
    outcome.expect("Y005", "evcat.yaml", 40);
}

#[test]
fn literal_secrets_in_settings() {
    let outcome = broken(|f| {
        f.replace(
            "evcat.yaml",
            "registry: { embedded: .registries/staging }",
            "registry:\n      url: https://sr.example.com\n      auth: { basic: { username: ci, password: hunter2 } }",
        );
        f.replace(
            "evcat.yaml",
            "registry: { embedded: .registries/prod }",
            "registry: { url: https://sr.example.com, auth: { token: abc } }",
        );
    });
    let password = outcome.expect("Y010", "evcat.yaml", 26);
    assert!(password["help"].as_str().unwrap().contains("password_env"));
    assert!(!password["message"].as_str().unwrap().contains("hunter2"));
    outcome.expect("Y010", "evcat.yaml", 28);
}

#[test]
fn registry_needs_url_or_embedded() {
    let outcome = broken(|f| {
        f.replace(
            "evcat.yaml",
            "registry: { embedded: .registries/dev }",
            "registry: { tls: { insecure_skip_verify: true } }",
        );
    });
    let finding = outcome.expect("Y003", "evcat.yaml", 22);
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .contains("`dev` names no registry"));
    assert_eq!(outcome.findings().len(), 1, "{:#?}", outcome.findings());
}

#[test]
fn key_schema_is_compiled_like_the_value() {
    let outcome = broken(|f| {
        f.replace(
            "domains/payments/events/PaymentAuthorized/event.yaml",
            "topics:",
            "key: { schema: key.avsc }\ntopics:",
        );
        f.write(
            "domains/payments/events/PaymentAuthorized/key.avsc",
            r#"{"type": "record", "name": "Key", "fields": [{"name": "id", "type": "strin"}]}"#,
        );
    });
    let typo = outcome.expect(
        "S001",
        "domains/payments/events/PaymentAuthorized/key.avsc",
        1,
    );
    assert_eq!(typo["help"], "did you mean `string`?");
    let missing = broken(|f| {
        f.replace(
            "domains/payments/events/PaymentAuthorized/event.yaml",
            "topics:",
            "key: { schema: nokey.avsc }\ntopics:",
        );
    });
    missing.expect(
        "R003",
        "domains/payments/events/PaymentAuthorized/event.yaml",
        9,
    );
}

// ---- governance

#[test]
fn missing_summary() {
    let outcome = broken(|f| {
        f.replace(
            CAPTURED,
            "summary: Authorized money was captured and will be settled.\n",
            "",
        );
    });
    outcome.expect("G002", CAPTURED, 2);
}

#[test]
fn approved_event_without_producer() {
    let outcome = broken(|f| {
        f.replace(CAPTURED, "producers: [payment-gateway]", "producers: []");
    });
    outcome.expect("G003", CAPTURED, 4);
}

#[test]
fn duplicate_topic() {
    let outcome = broken(|f| {
        f.replace(
            CAPTURED,
            "topics: [payments.payment-captured.v1]",
            "topics: [payments.payment-captured.v1, payments.payment-authorized.v1]",
        );
    });
    let finding = outcome.expect("G004", CAPTURED, 8);
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .contains("payments/PaymentAuthorized"));
}

#[test]
fn subject_collision_under_record_strategy() {
    let outcome = broken(|f| {
        f.replace(
            "evcat.yaml",
            "subject_strategy: topic",
            "subject_strategy: record",
        );
        f.replace(
            "domains/payments/events/RefundIssued/schema.avsc",
            "\"name\": \"RefundIssued\"",
            "\"name\": \"PaymentCaptured\"",
        );
    });
    assert!(
        outcome.rules().contains(&"G005".to_string()),
        "{:?}",
        outcome.rules()
    );
}

#[test]
fn deprecated_event_with_consumers_warns() {
    let fixture = Fixture::example();
    fixture.replace(CAPTURED, "status: approved", "status: deprecated");
    let outcome = fixture.lint(&[]);
    assert_eq!(outcome.code, 0);
    outcome.expect("G006", CAPTURED, 10);
}

#[test]
fn event_without_owner() {
    let outcome = broken(|f| {
        f.remove("domains/payments/domain.yaml");
    });
    let rules = outcome.rules();
    assert!(rules.contains(&"Y009".to_string()), "{rules:?}");
    outcome.expect("G001", CAPTURED, 2);
}

// ---- output and exit codes

#[test]
fn human_output_shows_file_line_rule_and_help() {
    let fixture = Fixture::example();
    fixture.replace(CAPTURED, "consumers: [ledger]", "consumer: [ledger]");
    let outcome = run_in(fixture.root(), &["lint"]);
    assert_eq!(outcome.code, 1);
    assert!(
        outcome.stdout.contains(&format!("[{CAPTURED}:10:1]")),
        "{}",
        outcome.stdout
    );
    assert!(outcome.stdout.contains("Y002 structure.unknown-key"));
    assert!(outcome.stdout.contains("did you mean `consumers`?"));
    assert!(outcome.stdout.contains("lint: 1 error, 0 warnings"));
}

#[test]
fn no_catalog_is_a_usage_error() {
    let empty = tempfile::tempdir().unwrap();
    let outcome = run_in(empty.path(), &["lint"]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains("no evcat.yaml found"),
        "{}",
        outcome.stderr
    );
    let outcome = run_in(empty.path(), &["--catalog", "nowhere", "lint"]);
    assert_eq!(outcome.code, 2);
}

#[test]
fn bad_arguments_are_usage_errors() {
    let outcome = run_in(&common::example_dir(), &["lint", "--format", "yaml"]);
    assert_eq!(outcome.code, 2);
    let outcome = run_in(&common::example_dir(), &["rules", "Z999"]);
    assert_eq!(outcome.code, 2);
}

#[test]
fn rules_lists_and_explains() {
    let outcome = run_in(&common::example_dir(), &["rules", "--format", "json"]);
    assert_eq!(outcome.code, 0);
    let rules = outcome.json();
    assert!(rules.as_array().unwrap().len() >= 30);
    let outcome = run_in(&common::example_dir(), &["rules", "naming.topic"]);
    assert!(outcome.stdout.starts_with("N001 naming.topic"));
    assert!(outcome.stdout.contains("{domain}"));
}

#[test]
fn one_mistake_in_settings_keeps_the_rest_of_them() {
    let outcome = broken(|f| {
        f.replace(
            "evcat.yaml",
            "description: Events",
            "description: [not, a, string]\nsummary: Events",
        );
    });
    outcome.expect("Y004", "evcat.yaml", 4);
    outcome.expect("Y002", "evcat.yaml", 5);
    // The teams are still known: no owner becomes an unknown team.
    assert_eq!(outcome.findings().len(), 2, "{:#?}", outcome.findings());
}

#[test]
fn environments_need_their_own_names_and_folders() {
    let outcome = broken(|f| {
        f.replace("evcat.yaml", "name: staging", "name: dev");
        f.replace("evcat.yaml", ".registries/prod", ".registries/dev");
    });
    outcome.expect("R005", "evcat.yaml", 23);
    let shared = outcome.expect("Y005", "evcat.yaml", 26);
    assert!(shared["message"]
        .as_str()
        .unwrap()
        .contains("share the embedded registry .registries/dev"));
}

/// Issue 9, item 12: a FIFO in the catalog is reported, never opened for a blocking read
/// (lint, check and push all read through the same tree).
#[test]
fn a_fifo_in_the_catalog_does_not_hang() {
    let fixture = Fixture::example();
    let schema = fixture.path("domains/payments/events/PaymentCaptured/schema.avsc");
    std::fs::remove_file(&schema).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&schema)
        .status()
        .unwrap();
    assert!(status.success());
    let fifo_service = fixture.path("domains/payments/services/pipe.yaml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo_service)
        .status()
        .unwrap();
    assert!(status.success());
    let outcome = common::run_within(
        fixture.root(),
        &["lint", "--format", "json"],
        std::time::Duration::from_secs(20),
    );
    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.stderr);
    outcome.expect(
        "R003",
        "domains/payments/events/PaymentCaptured/event.yaml",
        6,
    );
}

/// Issue 9, items 8 and 9: a password in a registry URL is a Y010 finding, and no output shows
/// a secret: not the human snippet (masked), not the JSON, not plan's environment header.
#[test]
fn secrets_never_shown_in_any_output() {
    let fixture = Fixture::example();
    fixture.replace(
        "evcat.yaml",
        "registry: { embedded: .registries/dev }",
        "registry: { url: \"http://ci:url-secret-42@127.0.0.1:9/\" }",
    );
    fixture.replace(
        "evcat.yaml",
        "registry: { embedded: .registries/prod }",
        "registry: { url: https://sr.example.com, auth: { token: token-secret-42 } }",
    );
    let json = fixture.lint(&[]);
    json.expect("Y010", "evcat.yaml", 22);
    json.expect("Y010", "evcat.yaml", 26);
    let human = run_in(fixture.root(), &["lint"]);
    let plan = run_in(
        fixture.root(),
        &["plan", "--env", "dev", "--format", "json"],
    );
    for (what, text) in [
        ("lint json", json.stdout.clone()),
        ("lint human", human.stdout.clone() + &human.stderr),
        ("plan", plan.stdout.clone() + &plan.stderr),
    ] {
        assert!(!text.contains("url-secret-42"), "{what}:\n{text}");
        assert!(!text.contains("token-secret-42"), "{what}:\n{text}");
    }
    assert!(human.stdout.contains("http://**"), "{}", human.stdout);
    assert!(human.stdout.contains("@127.0.0.1:9"), "{}", human.stdout);
}

/// Issue 9, item 10: an embedded registry folder outside the catalog is R004, and push refuses
/// to open it (nothing is created there).
#[test]
fn embedded_registry_outside_the_catalog() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("stolen");
    let fixture = Fixture::example();
    fixture.replace(
        "evcat.yaml",
        "registry: { embedded: .registries/dev }",
        "registry: { embedded: ../escaped }",
    );
    fixture.replace(
        "evcat.yaml",
        "registry: { embedded: .registries/staging }",
        &format!("registry: {{ embedded: \"{}\" }}", target.display()),
    );
    let outcome = fixture.lint(&[]);
    outcome.expect("R004", "evcat.yaml", 22);
    outcome.expect("R004", "evcat.yaml", 24);
    let push = run_in(fixture.root(), &["push", "--env", "staging"]);
    assert_ne!(push.code, 0);
    assert!(!target.exists());
    assert!(!fixture.root().parent().unwrap().join("escaped").exists());
}

/// Issue 9, item 5: a full name defined twice in one Avro schema (Apache Avro: "Can't
/// redefine") is S001 at the second definition; a local definition of a shared type's name is
/// R005 at the local definition.
#[test]
fn avro_redefinitions_and_shadowed_shared_types() {
    let outcome = broken(|f| {
        f.replace(
            "domains/payments/events/PaymentCaptured/schema.avsc",
            "\"type\": \"acme.common.Money\"",
            "\"type\": {\"type\": \"record\", \"name\": \"Dup\", \"fields\": []}\n    },\n    {\n      \"name\": \"again\",\n      \"type\": {\"type\": \"record\", \"name\": \"Dup\", \"fields\": [{\"name\": \"x\", \"type\": \"int\"}]}",
        );
        f.replace(
            "domains/payments/events/RefundIssued/schema.avsc",
            "\"fields\": [",
            "\"fields\": [\n    { \"name\": \"shadow\", \"type\": { \"type\": \"record\", \"name\": \"Money\", \"namespace\": \"acme.common\", \"fields\": [] } },",
        );
    });
    let redefined = outcome.expect(
        "S001",
        "domains/payments/events/PaymentCaptured/schema.avsc",
        20,
    );
    assert!(
        redefined["message"].as_str().unwrap().contains("Dup"),
        "{redefined}"
    );
    let shadow = outcome.expect(
        "R005",
        "domains/payments/events/RefundIssued/schema.avsc",
        7,
    );
    assert!(
        shadow["message"].as_str().unwrap().contains("money.avsc"),
        "{shadow}"
    );
}

/// Issue 9, item 6: a duplicate key is Y001 at the second key, not "the last one wins".
#[test]
fn duplicate_yaml_keys_are_errors() {
    let outcome = broken(|f| {
        f.replace(
            "domains/payments/events/PaymentCaptured/event.yaml",
            "consumers: [ledger]",
            "consumers: [ledger]\nconsumers: [fraud-detector]",
        );
    });
    let duplicate = outcome.expect(
        "Y001",
        "domains/payments/events/PaymentCaptured/event.yaml",
        11,
    );
    assert!(
        duplicate["message"]
            .as_str()
            .unwrap()
            .contains("duplicate key `consumers`"),
        "{duplicate}"
    );
}

/// Issue 9: a broken evcat.yaml (here a team declared twice) is reported once, at its line,
/// without one false R001 per owner that depends on the teams it declares.
#[test]
fn broken_settings_do_not_cascade_into_unknown_teams() {
    for (from, to, line) in [
        (
            "  platform-team:",
            "  orders-team: { name: Again }\n  platform-team:",
            11,
        ),
        ("catalog: acme", "catalog: acme\n  bad: [", 4),
    ] {
        let outcome = broken(|f| {
            f.replace("evcat.yaml", from, to);
        });
        outcome.expect("Y001", "evcat.yaml", line);
        assert_eq!(outcome.rules(), ["Y001"], "{:#?}", outcome.findings());
    }
}

/// Issue 9, item 13: deeply nested YAML is refused at once, and the human output never prints
/// a huge line.
#[test]
fn deep_nesting_is_refused_quickly_and_shown_briefly() {
    let fixture = Fixture::example();
    let event = "domains/payments/events/PaymentCaptured/event.yaml";
    fixture.write(event, "[".repeat(100_000));
    let service = "domains/payments/services/ledger.yaml";
    let long_line = format!("name: ledger\nsummary: \"{}\n", "x".repeat(200_000));
    fixture.write(service, long_line);
    let limit = std::time::Duration::from_secs(20);
    let json = common::run_within(fixture.root(), &["lint", "--format", "json"], limit);
    assert_eq!(json.code, 1, "{}", json.stderr);
    json.expect("Y001", event, 1);
    let human = common::run_within(fixture.root(), &["lint"], limit);
    let longest = human.stdout.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 1_000, "a line of {longest} bytes was printed");
    assert!(
        human.stdout.contains(&format!("{event}:1:")),
        "{}",
        &human.stdout[..2000.min(human.stdout.len())]
    );
}

/// Issue 9: a domain folder symlinked out of the catalog is one R004 finding, not an aborted
/// run; the other domains are still checked.
#[test]
fn a_domain_folder_linked_outside_is_a_finding() {
    let outside = tempfile::tempdir().unwrap();
    let fixture = Fixture::example();
    common::copy_dir(&fixture.path("domains/shipping"), outside.path());
    fixture.remove("domains/shipping");
    std::os::unix::fs::symlink(outside.path(), fixture.path("domains/shipping")).unwrap();
    let outcome = fixture.lint(&[]);
    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.stderr);
    let escapes: Vec<_> = outcome
        .findings()
        .into_iter()
        .filter(|finding| finding["rule"] == "R004")
        .collect();
    assert_eq!(escapes.len(), 1, "{:#?}", outcome.findings());
    assert_eq!(escapes[0]["file"], "domains/shipping");
    assert!(
        outcome.json()["summary"]["events"].as_u64().unwrap() > 0,
        "{}",
        outcome.stdout
    );
}

/// Issue 9: an invalid shared JSON Schema is reported once at its own line, and the schemas
/// that refer to it name it at their `$ref`; a `$ref` pointer that leads nowhere is reported
/// at the `$ref`.
#[test]
fn broken_shared_json_schema_is_reported_where_it_is() {
    let outcome = broken(|f| {
        f.replace(
            "domains/common/schemas/address.json",
            "\"type\": \"object\"",
            "\"type\": \"objekt\"",
        );
        f.replace(
            "domains/shipping/events/ShipmentDelayed/schema.json",
            "\"cause\": {",
            "\"detail\": { \"$ref\": \"#/definitions/nope\" },\n    \"cause\": {",
        );
    });
    outcome.expect("S003", "domains/common/schemas/address.json", 4);
    let referrer = outcome.expect(
        "S004",
        "domains/customers/events/CustomerAddressChanged/schema.json",
        14,
    );
    assert!(
        referrer["message"]
            .as_str()
            .unwrap()
            .contains("address.json is not a valid schema"),
        "{referrer}"
    );
    outcome.expect(
        "S004",
        "domains/shipping/events/ShipmentDispatched/schema.json",
        31,
    );
    outcome.expect(
        "S004",
        "domains/shipping/events/ShipmentDelayed/schema.json",
        18,
    );
    assert!(
        !outcome.findings().iter().any(|f| f["line"] == 1),
        "nothing at 1:1: {:#?}",
        outcome.findings()
    );
}

/// Issue 9: an Avro field named twice, and a Protobuf import cycle, are reported at their lines
/// (the cycle once, at the import that closes it).
#[test]
fn duplicate_avro_fields_and_import_cycles_have_lines() {
    let outcome = broken(|f| {
        f.replace(
            "domains/payments/events/PaymentCaptured/schema.avsc",
            "\"name\": \"capturedAt\"",
            "\"name\": \"amount\"",
        );
        f.replace(
            "domains/common/schemas/acme/common/v1/money.proto",
            "package acme.common.v1;",
            "package acme.common.v1;\n\nimport \"acme/common/v1/other.proto\";",
        );
        f.write(
            "domains/common/schemas/acme/common/v1/other.proto",
            "syntax = \"proto3\";\npackage acme.common.v1;\n\nimport \"acme/common/v1/money.proto\";\n\nmessage Other { string x = 1; }\n",
        );
    });
    outcome.expect(
        "S001",
        "domains/payments/events/PaymentCaptured/schema.avsc",
        19,
    );
    outcome.expect(
        "S002",
        "domains/common/schemas/acme/common/v1/other.proto",
        4,
    );
    let cycles = outcome
        .rules()
        .iter()
        .filter(|rule| *rule == "S002")
        .count();
    assert_eq!(cycles, 1, "{:#?}", outcome.findings());
}

/// Issue 10: `google/type/*.proto` and `confluent/meta.proto` resolve in the catalog as they do
/// in a Confluent registry (field tags included).
#[test]
fn confluent_well_known_imports_lint_clean() {
    let fixture = Fixture::example();
    let schema = "domains/orders/events/OrderCancelled/schema.proto";
    fixture.replace(
        schema,
        "import \"google/protobuf/timestamp.proto\";",
        "import \"google/protobuf/timestamp.proto\";\nimport \"google/type/date.proto\";\nimport \"confluent/meta.proto\";",
    );
    fixture.replace(
        schema,
        "  google.protobuf.Timestamp cancelled_at = 3;",
        "  google.protobuf.Timestamp cancelled_at = 3;\n  google.type.Date business_day = 4 [(confluent.field_meta).tags = \"BUSINESS\"];",
    );
    let outcome = fixture.lint(&[]);
    assert_eq!(outcome.code, 0, "{:#?}", outcome.findings());
}
