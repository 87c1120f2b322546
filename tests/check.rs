//! `evcat check` and `evcat diff` on real Git repositories built with the git CLI: baselines
//! (clean tree, dirty tree, `--against` a diverged branch), moved files, the root commit, a
//! shallow clone, bad revisions, every `C` rule and the transitive levels.

mod common;

use common::{git, run_in, Fixture, Outcome};

const CAPTURED: &str = "domains/payments/events/PaymentCaptured";
const CAPTURED_SCHEMA: &str = "domains/payments/events/PaymentCaptured/schema.avsc";

/// The example catalog in a fresh repository, committed once on `main`.
fn repository() -> Fixture {
    let fixture = Fixture::example();
    git(fixture.root(), &["init", "-q", "-b", "main"]);
    commit(&fixture, "initial catalog");
    fixture
}

fn commit(fixture: &Fixture, message: &str) {
    git(fixture.root(), &["add", "-A"]);
    git(fixture.root(), &["commit", "-q", "-m", message]);
}

fn check(fixture: &Fixture, extra: &[&str]) -> Outcome {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    run_in(fixture.root(), &args)
}

/// Adds a field to PaymentCaptured: with a default it is compatible, without it breaks BACKWARD.
fn add_captured_field(fixture: &Fixture, name: &str, with_default: bool) {
    let default = if with_default {
        r#", "default": "none""#
    } else {
        ""
    };
    fixture.replace(
        CAPTURED_SCHEMA,
        "\n  ]\n}",
        &format!(",\n    {{\n      \"name\": \"{name}\",\n      \"type\": \"string\"{default}\n    }}\n  ]\n}}"),
    );
}

#[test]
fn root_commit_has_nothing_to_compare() {
    let fixture = repository();
    let outcome = run_in(fixture.root(), &["check"]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.stderr);
    assert!(
        outcome.stdout.contains("nothing to compare"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn dirty_tree_is_checked_against_head() {
    let fixture = repository();
    add_captured_field(&fixture, "settlementId", false);
    let outcome = check(&fixture, &[]);
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    let finding = outcome.expect("C001", CAPTURED_SCHEMA, 26);
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{message}"
    );
    assert!(message.contains("payments/PaymentCaptured"), "{message}");
    assert!(finding["help"]
        .as_str()
        .unwrap()
        .contains("ledger (payments-team: payments@example.com, #payments)"));
    assert!(outcome.json()["context"]
        .as_str()
        .unwrap()
        .contains("uncommitted"));
}

#[test]
fn clean_tree_is_checked_against_the_parent_commit() {
    let fixture = repository();
    add_captured_field(&fixture, "settlementId", true);
    commit(&fixture, "compatible change");
    let outcome = check(&fixture, &[]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    let context = outcome.json()["context"].as_str().unwrap().to_string();
    assert!(
        context.contains("HEAD's parent") && context.contains("1 changed schema checked"),
        "{context}"
    );

    add_captured_field(&fixture, "batchId", false);
    commit(&fixture, "incompatible change");
    let outcome = check(&fixture, &[]);
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    assert_eq!(outcome.rules(), ["C001"]);
}

#[test]
fn against_a_diverged_branch_uses_the_merge_base() {
    let fixture = repository();
    git(fixture.root(), &["checkout", "-q", "-b", "feature"]);
    add_captured_field(&fixture, "settlementId", true);
    commit(&fixture, "feature: compatible change");
    // Meanwhile on main: an unrelated change that is not the feature's to answer for.
    git(fixture.root(), &["checkout", "-q", "main"]);
    fixture.replace(
        "domains/payments/events/RefundIssued/event.yaml",
        "status: approved",
        "status: draft",
    );
    commit(&fixture, "main: refund back to draft");
    git(fixture.root(), &["checkout", "-q", "feature"]);

    let outcome = check(&fixture, &["--against", "main"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    assert!(outcome.json()["context"]
        .as_str()
        .unwrap()
        .contains("merge base of HEAD and main"));

    // From main's side, the same comparison blames main's own change.
    git(fixture.root(), &["checkout", "-q", "main"]);
    let outcome = check(&fixture, &["--against", "feature"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    assert_eq!(outcome.rules(), ["C006"]);
}

#[test]
fn moved_event_keeps_its_history() {
    let fixture = repository();
    std::fs::rename(
        fixture.path(CAPTURED),
        fixture.path("domains/payments/events/Captured"),
    )
    .unwrap();
    let outcome = check(&fixture, &[]);
    assert_eq!(
        outcome.code, 0,
        "moving must not read as a removal: {}",
        outcome.stdout
    );
    fixture.replace(
        "domains/payments/events/Captured/schema.avsc",
        "\"name\": \"capturedAt\"",
        "\"name\": \"capturedOn\"",
    );
    let outcome = check(&fixture, &[]);
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    assert_eq!(outcome.rules(), ["C001"]);
}

#[test]
fn catalog_level_breaks() {
    let fixture = repository();
    // C002: an event with consumers removed.
    fixture.remove("domains/orders/events/OrderConfirmed");
    // C003: a topic dropped while the event has consumers.
    fixture.replace(
        "domains/orders/events/OrderCancelled/event.yaml",
        "orders.order-cancelled.v1",
        "orders.order-cancelled.v2",
    );
    // C005: FULL_TRANSITIVE loosened to BACKWARD.
    fixture.replace(
        "domains/payments/events/PaymentAuthorized/event.yaml",
        "compatibility: FULL_TRANSITIVE",
        "compatibility: BACKWARD",
    );
    // C006: approved back to draft.
    fixture.replace(
        "domains/payments/events/RefundIssued/event.yaml",
        "status: approved",
        "status: draft",
    );
    // C004: format changed (the schema moves to JSON Schema).
    let dir = "domains/customers/events/CustomerRegistered";
    fixture.remove(&format!("{dir}/schema.avsc"));
    fixture.write(
        &format!("{dir}/schema.json"),
        r#"{"type": "object", "properties": {"customerId": {"type": "string"}}}"#,
    );
    fixture.replace(&format!("{dir}/event.yaml"), "format: avro", "format: json");
    fixture.replace(
        &format!("{dir}/event.yaml"),
        "schema: schema.avsc",
        "schema: schema.json",
    );

    let outcome = check(&fixture, &[]);
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    let mut rules = outcome.rules();
    rules.sort();
    assert_eq!(
        rules,
        ["C002", "C003", "C004", "C005", "C006"],
        "{}",
        outcome.stdout
    );
    outcome.expect("C004", &format!("{dir}/event.yaml"), 5);
    outcome.expect("C006", "domains/payments/events/RefundIssued/event.yaml", 4);
    let removed = outcome.expect("C002", "domains/orders/events/OrderConfirmed/event.yaml", 1);
    assert!(removed["message"]
        .as_str()
        .unwrap()
        .contains("notification-service (customer-team: "));
}

#[test]
fn transitive_levels_check_every_earlier_version() {
    let fixture = repository();
    let event = format!("{CAPTURED}/event.yaml");
    fixture.replace(
        &event,
        "status: approved",
        "status: approved\ncompatibility: BACKWARD",
    );
    commit(&fixture, "explicit level");
    // v2 adds a field with a default; v3 (uncommitted) drops the default. v3 reads v2 data (which
    // has the field) but not v1 data (which lacks it).
    add_captured_field(&fixture, "settlementId", true);
    commit(&fixture, "v2");
    fixture.replace(CAPTURED_SCHEMA, r#", "default": "none""#, "");
    let outcome = check(&fixture, &[]);
    assert_eq!(
        outcome.code, 0,
        "BACKWARD only looks at v2: {}",
        outcome.stdout
    );

    fixture.replace(
        &event,
        "compatibility: BACKWARD",
        "compatibility: BACKWARD_TRANSITIVE",
    );
    let outcome = check(&fixture, &[]);
    assert_eq!(
        outcome.code, 1,
        "BACKWARD_TRANSITIVE reaches v1: {}",
        outcome.stdout
    );
    let finding = outcome.expect("C001", CAPTURED_SCHEMA, 26);
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{message}"
    );
    assert!(message.contains("BACKWARD_TRANSITIVE"), "{message}");
}

#[test]
fn shallow_clone_says_how_to_fetch() {
    let fixture = repository();
    add_captured_field(&fixture, "settlementId", true);
    commit(&fixture, "second");
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", fixture.root().display());
    git(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let outcome = run_in(&clone.path().join("shallow"), &["check"]);
    assert_eq!(outcome.code, 2, "{}{}", outcome.stdout, outcome.stderr);
    assert!(outcome.stderr.contains("shallow"), "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("fetch-depth: 0"),
        "{}",
        outcome.stderr
    );
    // Issue 9: a name that does not exist is unknown, shallow clone or not; an ancestor past
    // the cut is the shallow history.
    let typo = run_in(
        &clone.path().join("shallow"),
        &["check", "--against", "origin/mian"],
    );
    assert_eq!(typo.code, 2);
    assert!(typo.stderr.contains("unknown revision"), "{}", typo.stderr);
    assert!(!typo.stderr.contains("shallow"), "{}", typo.stderr);
    let cut = run_in(
        &clone.path().join("shallow"),
        &["check", "--against", "HEAD~1"],
    );
    assert_eq!(cut.code, 2);
    assert!(cut.stderr.contains("shallow"), "{}", cut.stderr);
}

#[test]
fn not_a_repository_and_unknown_revision() {
    let fixture = Fixture::example();
    let outcome = run_in(fixture.root(), &["check"]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains("not inside a Git repository"),
        "{}",
        outcome.stderr
    );

    let fixture = repository();
    let outcome = run_in(fixture.root(), &["check", "--against", "no-such-branch"]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains("unknown revision `no-such-branch`"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn catalog_in_a_subfolder_of_the_repository() {
    let fixture = Fixture::example();
    let outer = tempfile::tempdir().unwrap();
    common::copy_dir(fixture.root(), &outer.path().join("contracts"));
    git(outer.path(), &["init", "-q", "-b", "main"]);
    git(outer.path(), &["add", "-A"]);
    git(
        outer.path(),
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "commit",
            "-q",
            "-m",
            "init",
        ],
    );
    std::fs::write(outer.path().join("README"), "unrelated").unwrap();
    git(outer.path(), &["add", "-A"]);
    git(
        outer.path(),
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "commit",
            "-q",
            "-m",
            "readme",
        ],
    );
    let schema = outer.path().join("contracts").join(CAPTURED_SCHEMA);
    let text = std::fs::read_to_string(&schema).unwrap();
    std::fs::write(
        &schema,
        text.replace("\"name\": \"capturedAt\"", "\"name\": \"capturedOn\""),
    )
    .unwrap();
    let outcome = run_in(
        &outer.path().join("contracts"),
        &["check", "--format", "json"],
    );
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    assert_eq!(outcome.rules(), ["C001"]);
}

#[test]
fn diff_reports_changes_for_reviewers() {
    let fixture = repository();
    add_captured_field(&fixture, "settlementId", false);
    fixture.replace(
        "domains/payments/events/RefundIssued/event.yaml",
        "status: approved",
        "status: deprecated",
    );
    let markdown = run_in(fixture.root(), &["diff", "--format", "markdown"]);
    assert_eq!(markdown.code, 0);
    assert!(
        markdown
            .stdout
            .contains("| `payments/PaymentCaptured` | BREAKING |"),
        "{}",
        markdown.stdout
    );
    assert!(markdown
        .stdout
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE"));
    assert!(
        markdown
            .stdout
            .contains("| `payments/RefundIssued` | compatible |"),
        "{}",
        markdown.stdout
    );

    let json = run_in(fixture.root(), &["diff", "--format", "json"]);
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let changes = document["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    let captured = changes
        .iter()
        .find(|change| change["event"]["name"] == "PaymentCaptured")
        .unwrap();
    assert_eq!(captured["breaking"], true);
    assert_eq!(
        captured["consumers"][0],
        "ledger (payments-team: payments@example.com, #payments)"
    );
    assert_eq!(captured["differences"][0]["line"], 26);

    let text = run_in(fixture.root(), &["diff"]);
    assert!(
        text.stdout.contains("BREAKING payments/PaymentCaptured"),
        "{}",
        text.stdout
    );
}

#[test]
fn uncommitted_means_a_catalog_file_changed() {
    let fixture = repository();
    add_captured_field(&fixture, "settlementId", true);
    commit(&fixture, "second");
    // A file evcat does not read leaves the tree clean: the baseline is HEAD's parent.
    fixture.write("NOTES.md", "scratch");
    let outcome = check(&fixture, &[]);
    assert!(
        outcome.json()["context"]
            .as_str()
            .unwrap()
            .contains("HEAD's parent"),
        "{}",
        outcome.stdout
    );
    // A new, untracked event is a change to the catalog: the baseline is HEAD.
    common::copy_dir(
        &fixture.path(CAPTURED),
        &fixture.path("domains/payments/events/PaymentSettled"),
    );
    fixture.replace(
        "domains/payments/events/PaymentSettled/event.yaml",
        "name: PaymentCaptured",
        "name: PaymentSettled",
    );
    let outcome = check(&fixture, &[]);
    assert!(
        outcome.json()["context"]
            .as_str()
            .unwrap()
            .contains("uncommitted"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn key_schemas_are_checked_too_transitively() {
    let fixture = Fixture::example();
    let key_file = format!("{CAPTURED}/key.avsc");
    let key = |fields: &str| {
        format!(
            "{{\n  \"type\": \"record\",\n  \"name\": \"CaptureKey\",\n  \"namespace\": \"acme.payments.v1\",\n  \"fields\": [{fields}]\n}}\n"
        )
    };
    fixture.write(&key_file, key(r#"{"name": "paymentId", "type": "string"}"#));
    fixture.replace(
        &format!("{CAPTURED}/event.yaml"),
        "topics:",
        "key: { schema: key.avsc }\ncompatibility: BACKWARD_TRANSITIVE\ntopics:",
    );
    git(fixture.root(), &["init", "-q", "-b", "main"]);
    commit(&fixture, "key v1");
    // v2 adds a field with a default: compatible with v1.
    fixture.write(
        &key_file,
        key(r#"{"name": "paymentId", "type": "string"}, {"name": "region", "type": "string", "default": "eu"}"#),
    );
    commit(&fixture, "key v2");
    let outcome = check(&fixture, &[]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    // v3 adds a field without a default: it breaks BACKWARD against every earlier version.
    fixture.write(
        &key_file,
        key(r#"{"name": "paymentId", "type": "string"}, {"name": "region", "type": "string", "default": "eu"}, {"name": "shard", "type": "int"}"#),
    );
    commit(&fixture, "key v3");
    let outcome = check(&fixture, &[]);
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    let finding = outcome.expect("C001", &key_file, 5);
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("payments/PaymentCaptured (key)"),
        "{message}"
    );
    assert!(
        message.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{message}"
    );
    // The transitive level checks every earlier key version from history: v1 and v2.
    let against: Vec<String> = outcome
        .findings()
        .iter()
        .filter(|finding| finding["rule"] == "C001")
        .map(|finding| finding["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(against.len(), 2, "{against:#?}");
    let diff = run_in(fixture.root(), &["diff"]);
    assert!(
        diff.stdout.contains("key schema changed"),
        "{}",
        diff.stdout
    );
}

/// Adds a field without a default to RefundIssued: breaks BACKWARD.
fn break_refund(fixture: &Fixture) {
    fixture.replace(
        "domains/payments/events/RefundIssued/schema.avsc",
        "\"fields\": [",
        "\"fields\": [\n    { \"name\": \"reason2\", \"type\": \"string\" },",
    );
}

/// Issue 9, item 1: a committed breaking change is found in a clean tree whatever the catalog
/// holds: a schema that is a symlink inside the catalog, or a file over the read limit.
#[test]
fn clean_tree_with_symlinks_and_large_files_is_clean() {
    let fixture = repository();
    let captured = fixture.path(CAPTURED);
    std::fs::rename(captured.join("schema.avsc"), captured.join("real.avsc")).unwrap();
    std::os::unix::fs::symlink("real.avsc", captured.join("schema.avsc")).unwrap();
    // An example over the 2 MiB read limit (lint reports it; check must still see a clean tree).
    fixture.write(
        &format!("{CAPTURED}/examples/captured.json"),
        format!("{{\"pad\": \"{}\"}}", "x".repeat(3 * 1024 * 1024)),
    );
    commit(&fixture, "schema behind a symlink, a large example");
    break_refund(&fixture);
    commit(&fixture, "breaking change");
    assert!(git(fixture.root(), &["status", "--porcelain"]).is_empty());
    let outcome = check(&fixture, &[]);
    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.stderr);
    assert!(
        outcome.rules().contains(&"C001".to_string()),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.json()["context"]
            .as_str()
            .unwrap()
            .contains("HEAD's parent"),
        "{}",
        outcome.stdout
    );
    // Editing the file the symlink leads to is an uncommitted change of the schema.
    add_captured_field(&fixture, "batchId", false);
    let outcome = check(&fixture, &[]);
    assert!(
        outcome.json()["context"]
            .as_str()
            .unwrap()
            .contains("uncommitted"),
        "{}",
        outcome.stdout
    );
}

/// Issue 9, item 4: a changed schema that cannot be read or parsed is a C007 error, not a skip.
#[test]
fn a_changed_schema_that_cannot_be_checked_fails() {
    let fixture = repository();
    // Changed into a symlink out of the catalog.
    let outside = tempfile::tempdir().unwrap();
    std::fs::copy(fixture.path(CAPTURED_SCHEMA), outside.path().join("s.avsc")).unwrap();
    std::fs::remove_file(fixture.path(CAPTURED_SCHEMA)).unwrap();
    std::os::unix::fs::symlink(outside.path().join("s.avsc"), fixture.path(CAPTURED_SCHEMA))
        .unwrap();
    // A JSON Schema that gains a `$ref` to a file that does not exist.
    let delayed = "domains/shipping/events/ShipmentDelayed/schema.json";
    fixture.replace(
        delayed,
        "\"properties\": {",
        "\"properties\": {\n    \"extra\": { \"$ref\": \"missing.json\" },",
    );
    let outcome = check(&fixture, &[]);
    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.stderr);
    let findings = outcome.findings();
    let unchecked: Vec<&serde_json::Value> =
        findings.iter().filter(|f| f["rule"] == "C007").collect();
    assert_eq!(unchecked.len(), 2, "{}", outcome.stdout);
    assert!(
        unchecked.iter().any(
            |f| f["file"] == "domains/payments/events/PaymentCaptured/event.yaml"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains("outside the catalog")
        ),
        "{}",
        outcome.stdout
    );
    assert!(
        unchecked.iter().any(|f| f["file"] == delayed),
        "{}",
        outcome.stdout
    );
}

/// Issue 9, item 3: a shallow clone cuts the history a transitive level needs: a warning with
/// the number of commits walked and the fix, an error under `--deny-warnings`.
#[test]
fn shallow_history_under_a_transitive_level_is_a_warning() {
    let fixture = repository();
    let event = format!("{CAPTURED}/event.yaml");
    fixture.replace(
        &event,
        "status: approved",
        "status: approved\ncompatibility: BACKWARD_TRANSITIVE",
    );
    commit(&fixture, "v1, transitive");
    add_captured_field(&fixture, "settlementId", true);
    commit(&fixture, "v2");
    // v3 breaks v1 only.
    fixture.replace(CAPTURED_SCHEMA, r#", "default": "none""#, "");
    commit(&fixture, "v3");
    let full = check(&fixture, &[]);
    assert_eq!(full.code, 1, "{}", full.stdout);

    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", fixture.root().display());
    git(
        clone.path(),
        &["clone", "-q", "--depth", "2", &url, "shallow"],
    );
    let shallow = clone.path().join("shallow");
    let outcome = run_in(&shallow, &["check", "--format", "json"]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.stderr);
    let warning = outcome.expect("C008", CAPTURED_SCHEMA, 1);
    assert_eq!(warning["severity"], "warning");
    let message = warning["message"].as_str().unwrap();
    assert!(
        message.contains("after 1 commits") && message.contains("shallow"),
        "{message}"
    );
    assert!(
        warning["help"].as_str().unwrap().contains("--unshallow"),
        "{warning}"
    );
    let denied = run_in(&shallow, &["check", "--format", "json", "--deny-warnings"]);
    assert_eq!(denied.code, 1, "{}", denied.stdout);
}

/// Issue 15: a clean tree's files are not hashed when Git's index vouches for them, but an edit
/// that keeps a file's size and modification time (a rewrite that restores the time, as some
/// tools do) must still count as uncommitted: the index is trusted only when every stat field
/// it records (change time included) is unchanged.
#[test]
fn an_edit_that_keeps_size_and_mtime_is_still_uncommitted() {
    let fixture = repository();
    add_captured_field(&fixture, "settlementId", true);
    commit(&fixture, "second");
    let clean = check(&fixture, &[]);
    assert!(
        clean.json()["context"]
            .as_str()
            .unwrap()
            .contains("HEAD's parent"),
        "{}",
        clean.stdout
    );
    let schema = fixture.path(CAPTURED_SCHEMA);
    let modified = std::fs::metadata(&schema).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&schema).unwrap();
    // Same length: the new field's name changes one letter.
    std::fs::write(&schema, text.replace("settlementId", "settlementIx")).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&schema)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    assert_eq!(
        std::fs::metadata(&schema).unwrap().len() as usize,
        text.len()
    );
    let outcome = check(&fixture, &[]);
    assert!(
        outcome.json()["context"]
            .as_str()
            .unwrap()
            .contains("uncommitted"),
        "{}",
        outcome.stdout
    );
}
