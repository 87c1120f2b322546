//! `evcat list`, `show`, `search` and `graph` on copies of the example catalog: filters, JSON
//! shapes, names that are ambiguous or unknown, fields of all three formats (nested ones
//! included), a catalog with a broken file, and graphs whose syntax is checked (Mermaid by its
//! grammar, DOT by Graphviz itself when `dot` is installed; CI installs it).

mod common;

use std::collections::HashSet;

use common::{run_in, Fixture};
use serde_json::Value;

fn run(fixture: &Fixture, args: &[&str]) -> common::Outcome {
    run_in(fixture.root(), args)
}

fn names(outcome: &common::Outcome, key: &str) -> Vec<String> {
    outcome.json()["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{}{}", outcome.stdout, outcome.stderr))
        .iter()
        .map(|item| item[key].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn list_filters_events_and_lists_every_kind() {
    let fixture = Fixture::example();
    let all = run(&fixture, &["list", "events", "--format", "json"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    assert_eq!(all.json()["kind"], "events");
    assert_eq!(names(&all, "id").len(), 12);
    let payments = run(
        &fixture,
        &["list", "events", "--domain", "payments", "--format", "json"],
    );
    assert_eq!(
        names(&payments, "id"),
        [
            "payments/PaymentAuthorized",
            "payments/PaymentCaptured",
            "payments/RefundIssued"
        ]
    );
    let deprecated = run(
        &fixture,
        &[
            "list",
            "events",
            "--status",
            "deprecated",
            "--format",
            "json",
        ],
    );
    assert_eq!(names(&deprecated, "id"), ["orders/OrderUpdated"]);
    let protobuf = run(
        &fixture,
        &[
            "list",
            "events",
            "--schema-format",
            "protobuf",
            "--format",
            "json",
        ],
    );
    assert_eq!(names(&protobuf, "id").len(), 4);
    let ledger = run(
        &fixture,
        &["list", "events", "--consumer", "ledger", "--format", "json"],
    );
    assert!(names(&ledger, "id").contains(&"payments/PaymentCaptured".to_string()));
    let produced = run(
        &fixture,
        &[
            "list",
            "events",
            "--producer",
            "payment-gateway",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        names(&produced, "id"),
        ["payments/PaymentAuthorized", "payments/PaymentCaptured"]
    );
    for (kind, key) in [
        ("services", "name"),
        ("domains", "name"),
        ("teams", "id"),
        ("topics", "name"),
        ("schemas", "path"),
    ] {
        let listed = run(&fixture, &["list", kind, "--format", "json"]);
        assert_eq!(listed.code, 0, "{kind}: {}", listed.stderr);
        assert!(!names(&listed, key).is_empty(), "{kind}: {}", listed.stdout);
    }
    // The table: a header and one aligned line per event.
    let table = run(&fixture, &["list", "events", "--owner", "orders-team"]);
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(lines[0].starts_with("EVENT"), "{}", table.stdout);
    assert_eq!(lines.len(), 5, "{}", table.stdout);
    let column = lines[0].find("STATUS").unwrap();
    assert!(lines[1..]
        .iter()
        .all(|line| line[column..].starts_with(['a', 'd'])));
}

#[test]
fn show_finds_an_event_by_name_topic_or_subject_with_fields_and_consumers() {
    let fixture = Fixture::example();
    for name in [
        "PaymentCaptured",
        "payments/PaymentCaptured",
        "payments.payment-captured.v1",
        "payments.payment-captured.v1-value",
    ] {
        let shown = run(&fixture, &["show", name, "--format", "json"]);
        assert_eq!(shown.code, 0, "{name}: {}", shown.stderr);
        assert_eq!(
            shown.json()["item"]["id"],
            "payments/PaymentCaptured",
            "{name}"
        );
    }
    let event = run(&fixture, &["show", "PaymentCaptured", "--format", "json"]).json();
    let fields: Vec<&str> = event["item"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|field| field["path"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"amount.currency"), "{fields:?}");
    assert_eq!(event["item"]["consumers"], serde_json::json!(["ledger"]));
    assert_eq!(
        event["item"]["shared_schemas"],
        serde_json::json!(["domains/common/schemas/money.avsc"])
    );
    let human = run(&fixture, &["show", "PaymentCaptured"]);
    assert!(
        human
            .stdout
            .contains("ledger (payments-team: payments@example.com"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("amount.currency"), "{}", human.stdout);
    // Protobuf nested messages and JSON Schema $refs have their fields too.
    let order = run(&fixture, &["show", "OrderPlaced", "--format", "json"]).json();
    let order_fields = order["item"]["fields"].to_string();
    assert!(
        order_fields.contains("items[].unit_price.currency_code"),
        "{order_fields}"
    );
    let address = run(
        &fixture,
        &["show", "CustomerAddressChanged", "--format", "json"],
    )
    .json();
    let address_fields = address["item"]["fields"].to_string();
    assert!(
        address_fields.contains("address.postalCode"),
        "{address_fields}"
    );
    // Services, domains, teams and shared schemas are shown too.
    for (name, kind) in [
        ("ledger", "service"),
        ("payments", "domain"),
        ("payments-team", "team"),
        ("domains/common/schemas/money.avsc", "schema"),
    ] {
        let shown = run(&fixture, &["show", name, "--format", "json"]);
        assert_eq!(shown.json()["kind"], kind, "{name}: {}", shown.stderr);
    }
}

#[test]
fn show_of_a_shared_schema_lists_its_fields_and_the_events_using_it() {
    let fixture = Fixture::example();
    for (path, field, user) in [
        (
            "domains/common/schemas/money.avsc",
            "currency",
            "payments/PaymentCaptured",
        ),
        (
            "domains/common/schemas/acme/common/v1/money.proto",
            "Money.currency_code",
            "orders/OrderPlaced",
        ),
        (
            "domains/common/schemas/address.json",
            "postalCode",
            "customers/CustomerAddressChanged",
        ),
    ] {
        let shown = run(&fixture, &["show", path, "--format", "json"]);
        assert_eq!(shown.code, 0, "{path}: {}", shown.stderr);
        let item = &shown.json()["item"];
        let fields: Vec<&str> = item["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|field| field["path"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{path}: {fields:?}");
        let users = item["used_by"].as_array().unwrap();
        assert!(
            users.contains(&serde_json::json!(user)),
            "{path}: {users:?}"
        );
        let human = run(&fixture, &["show", path]);
        assert!(human.stdout.contains(field), "{}", human.stdout);
        assert!(human.stdout.contains(user), "{}", human.stdout);
    }
}

#[test]
fn unknown_and_ambiguous_names_exit_2_with_candidates() {
    let fixture = Fixture::example();
    let unknown = run(&fixture, &["show", "PaymentCaptureed"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean"),
        "{}",
        unknown.stderr
    );
    assert!(
        unknown.stderr.contains("payments/PaymentCaptured"),
        "{}",
        unknown.stderr
    );
    // The same event name in two domains.
    common::copy_dir(
        &fixture.path("domains/payments/events/PaymentCaptured"),
        &fixture.path("domains/orders/events/PaymentCaptured"),
    );
    fixture.replace(
        "domains/orders/events/PaymentCaptured/event.yaml",
        "payments.payment-captured.v1",
        "orders.payment-captured.v1",
    );
    let ambiguous = run(&fixture, &["show", "PaymentCaptured"]);
    assert_eq!(ambiguous.code, 2, "{}", ambiguous.stdout);
    assert!(
        ambiguous.stderr.contains("orders/PaymentCaptured"),
        "{}",
        ambiguous.stderr
    );
    assert!(
        ambiguous.stderr.contains("payments/PaymentCaptured"),
        "{}",
        ambiguous.stderr
    );
    let exact = run(
        &fixture,
        &["show", "orders/PaymentCaptured", "--format", "json"],
    );
    assert_eq!(exact.code, 0, "{}", exact.stderr);
}

#[test]
fn search_ranks_field_names_across_formats_and_tolerates_typos() {
    let fixture = Fixture::example();
    let hits = run(&fixture, &["search", "customer_id", "--format", "json"]).json();
    let events: Vec<&str> = hits["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|hit| hit["kind"] == "event")
        .map(|hit| hit["name"].as_str().unwrap())
        .take(3)
        .collect();
    // customerId (Avro, JSON Schema) and customer_id (Protobuf) are one name.
    for expected in [
        "customers/CustomerAddressChanged",
        "customers/CustomerRegistered",
        "orders/OrderPlaced",
    ] {
        assert!(events.contains(&expected), "{expected} not in {events:?}");
    }
    let typo = run(&fixture, &["search", "captred", "--format", "json"]).json();
    assert_eq!(
        typo["hits"][0]["name"], "payments/PaymentCaptured",
        "{typo}"
    );
    let none = run(&fixture, &["search", "zzzzqqq", "--format", "json"]).json();
    assert_eq!(none["hits"], serde_json::json!([]));
}

#[test]
fn a_catalog_with_a_broken_file_is_still_explored() {
    let fixture = Fixture::example();
    fixture.write(
        "domains/shipping/events/ShipmentDelayed/event.yaml",
        "name: [unclosed\n",
    );
    let listed = run(&fixture, &["list", "events", "--format", "json"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert_eq!(names(&listed, "id").len(), 11);
    assert!(
        listed.stderr.contains("run `evcat lint`"),
        "{}",
        listed.stderr
    );
}

/// Odd characters in what the graph shows: a service whose name has Markdown and a quote.
fn odd_fixture() -> Fixture {
    let fixture = Fixture::example();
    let odd = "odd\"svc|[x]";
    fixture.write(
        &format!("domains/payments/services/{odd}.yaml"),
        "owner: payments-team\nsummary: \"pipes | and *markdown*\"\n",
    );
    fixture.replace(
        "domains/payments/events/PaymentCaptured/event.yaml",
        "consumers: [",
        "consumers: [\"odd\\\"svc|[x]\", ",
    );
    fixture
}

/// A structural check of the Mermaid flowchart grammar evcat emits: a header, balanced
/// subgraphs, node declarations with quoted labels free of characters that end a label, and
/// edges between declared nodes.
fn assert_valid_mermaid(text: &str) {
    let mut lines = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("%%"));
    assert_eq!(lines.next(), Some("flowchart LR"), "{text}");
    let mut declared = HashSet::new();
    let mut depth = 0;
    for line in lines {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("subgraph ") {
            depth += 1;
            assert!(rest.contains("[\"") && rest.ends_with("\"]"), "{line}");
            continue;
        }
        if line == "end" {
            depth -= 1;
            assert!(depth >= 0, "{text}");
            continue;
        }
        if let Some((from, to)) = line.split_once(" -->") {
            // `a --> b`, or with a count: `a -->|"3"| b`.
            let to = match to.strip_prefix("|\"") {
                Some(labelled) => {
                    let (count, rest) = labelled.split_once("\"| ").unwrap();
                    assert!(count.chars().all(|c| c.is_ascii_digit()), "{line}");
                    rest
                }
                None => to.strip_prefix(' ').unwrap(),
            };
            assert!(declared.contains(from) && declared.contains(to), "{line}");
            continue;
        }
        let id: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(id.starts_with('n') && id.len() > 1, "not a node: {line}");
        let label = &line[id.len()..];
        let inner = label
            .trim_start_matches(['[', '(', ']', ')'])
            .trim_end_matches(['[', '(', ']', ')']);
        assert!(inner.starts_with('"') && inner.ends_with('"'), "{line}");
        let text = &inner[1..inner.len() - 1];
        assert!(
            !text.contains(['"', '[', ']', '|', '<', '>']),
            "unescaped label: {line}"
        );
        declared.insert(id);
    }
    assert_eq!(depth, 0, "{text}");
}

#[test]
fn graphs_render_as_valid_mermaid_dot_and_json() {
    let fixture = odd_fixture();
    for scope in [
        vec![],
        vec!["--event", "PaymentCaptured"],
        vec!["--service", "ledger"],
        vec!["--domain", "payments"],
        vec!["--domains"],
    ] {
        let mut args = vec!["graph"];
        args.extend(&scope);
        let mermaid = run(&fixture, &args);
        assert_eq!(mermaid.code, 0, "{scope:?}: {}", mermaid.stderr);
        assert_valid_mermaid(&mermaid.stdout);
    }
    let one_hop = run(
        &fixture,
        &["graph", "--event", "PaymentCaptured", "--format", "json"],
    )
    .json();
    let ids: Vec<&str> = one_hop["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"payment-gateway") && ids.contains(&"odd\"svc|[x]"),
        "{ids:?}"
    );
    assert!(
        !ids.contains(&"payments/RefundIssued"),
        "depth 1 is producers and consumers only"
    );
    let map = run(&fixture, &["graph", "--domains", "--format", "json"]).json();
    let flow = map["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|edge| edge["from"] == "orders" && edge["to"] == "payments")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(flow["count"], 2, "{map}");
    let dot = run(&fixture, &["graph", "--format", "dot"]);
    assert!(
        dot.stdout.starts_with("digraph lineage {"),
        "{}",
        dot.stdout
    );
    assert!(dot.stdout.contains(r#""odd\"svc|[x]""#), "{}", dot.stdout);
    match std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(mut child) => {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(dot.stdout.as_bytes())
                .unwrap();
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(String::from_utf8_lossy(&output.stdout).contains("<svg"));
        }
        Err(_) if std::env::var_os("EVCAT_REQUIRE_GRAPHVIZ").is_none() => {
            eprintln!("Graphviz `dot` is not installed: DOT checked structurally only");
        }
        Err(error) => panic!("EVCAT_REQUIRE_GRAPHVIZ is set but `dot` cannot run: {error}"),
    }
}

fn commit(fixture: &Fixture, message: &str) {
    common::git(fixture.root(), &["add", "-A"]);
    common::git(fixture.root(), &["commit", "-q", "-m", message]);
}

/// The site reads every event's history in one walk, which skips an event in a commit that
/// changed neither its domain's folder nor the settings: the histories must be those of one
/// walk per event, and a settings change must still reach events of untouched domains.
#[test]
fn one_walk_for_all_events_gives_each_event_its_history() {
    use evcat::catalog::EventId;
    let fixture = Fixture::example();
    common::git(fixture.root(), &["init", "-q", "-b", "main"]);
    commit(&fixture, "initial catalog");
    fixture.replace(
        "domains/payments/events/PaymentCaptured/schema.avsc",
        "\n  ]\n}",
        ",\n    {\"name\": \"batchId\", \"type\": \"string\"}\n  ]\n}",
    );
    commit(&fixture, "payments only");
    fixture.replace(
        "evcat.yaml",
        "compatibility: BACKWARD",
        "compatibility: FULL",
    );
    commit(&fixture, "default level");
    let repository = evcat::git::CatalogRepository::discover(fixture.root()).unwrap();
    let ids: Vec<EventId> = [
        ("payments", "PaymentCaptured"),
        ("orders", "OrderConfirmed"),
        ("orders", "OrderPlaced"),
        ("shipping", "Missing"),
    ]
    .iter()
    .map(|(domain, name)| EventId {
        domain: domain.to_string(),
        name: name.to_string(),
    })
    .collect();
    let all = evcat::history::histories(&repository, &ids).unwrap();
    for (id, history) in ids.iter().zip(&all) {
        let alone = evcat::history::event_history(&repository, id).unwrap();
        assert_eq!(
            serde_json::to_value(history).unwrap(),
            serde_json::to_value(&alone).unwrap(),
            "{id}"
        );
    }
    let captured = serde_json::to_value(&all[0]).unwrap();
    assert_eq!(
        captured["versions"].as_array().unwrap().len(),
        2,
        "{captured}"
    );
    // OrderConfirmed takes the default level; OrderPlaced names its own.
    let confirmed = serde_json::to_value(&all[1]).unwrap()["changes"].to_string();
    assert!(confirmed.contains("level: BACKWARD -> FULL"), "{confirmed}");
    let placed = serde_json::to_value(&all[2]).unwrap()["changes"].to_string();
    assert!(!placed.contains("level:"), "{placed}");
    assert_eq!(
        serde_json::to_value(&all[3]).unwrap()["versions"],
        serde_json::json!([])
    );
}

/// Issue 11, item 6: every version through a folder move, with the verdict between versions
/// (a compatible addition, then a breaking one), and the manifest's consumer changes.
/// Under a transitive level a version is compared with every earlier one; a field added before
/// is not listed again against each older version, only against the version just before.
#[test]
fn transitive_history_lists_other_differences_against_the_previous_version_only() {
    let fixture = Fixture::example();
    common::git(fixture.root(), &["init", "-q", "-b", "main"]);
    commit(&fixture, "initial catalog");
    let schema = "domains/orders/events/OrderPlaced/schema.proto";
    for (field, number) in [("note_a", 90), ("note_b", 91)] {
        fixture.replace(
            schema,
            "message OrderPlaced {",
            &format!("message OrderPlaced {{\n  string {field} = {number};"),
        );
        commit(&fixture, &format!("add {field}"));
    }
    let history = run(&fixture, &["history", "OrderPlaced", "--format", "json"]).json();
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 3, "{history}");
    assert_eq!(versions[2]["level"], "BACKWARD_TRANSITIVE");
    assert_eq!(versions[2]["verdict"]["compatible"], true);
    let differences = versions[2]["verdict"]["differences"].as_array().unwrap();
    assert!(!differences.is_empty(), "{history}");
    for difference in differences {
        assert_eq!(difference["against"], 2, "{difference}");
        assert_eq!(difference["breaking"], false, "{difference}");
    }
}

#[test]
fn history_follows_a_moved_event_and_marks_the_breaking_version() {
    let fixture = Fixture::example();
    common::git(fixture.root(), &["init", "-q", "-b", "main"]);
    commit(&fixture, "initial catalog");
    let schema = "domains/payments/events/PaymentCaptured/schema.avsc";
    let with_field = |name: &str, default: &str| {
        format!(",\n    {{\"name\": \"{name}\", \"type\": \"string\"{default}}}\n  ]\n}}")
    };
    fixture.replace(
        schema,
        "\n  ]\n}",
        &with_field("batchId", ", \"default\": \"none\""),
    );
    commit(&fixture, "add batchId | with a default");
    common::git(
        fixture.root(),
        &[
            "mv",
            "domains/payments/events/PaymentCaptured",
            "domains/payments/events/Captured",
        ],
    );
    let moved = "domains/payments/events/Captured";
    fixture.replace(
        &format!("{moved}/event.yaml"),
        "consumers: [ledger]",
        "consumers: [ledger, fraud-detector]",
    );
    fixture.replace(
        &format!("{moved}/schema.avsc"),
        "\n  ]\n}",
        &with_field("settlementId", ""),
    );
    commit(&fixture, "move the event; settlementId without a default");
    let outcome = run(
        &fixture,
        &["history", "PaymentCaptured", "--format", "json"],
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let history = outcome.json();
    assert_eq!(history["complete"], true);
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 3, "{history}");
    assert_eq!(versions[0]["verdict"], Value::Null);
    assert_eq!(versions[1]["verdict"]["compatible"], true);
    assert_eq!(
        versions[1]["commit"]["message"],
        "add batchId | with a default"
    );
    assert_eq!(versions[2]["verdict"]["compatible"], false, "{history}");
    assert_eq!(versions[2]["file"], format!("{moved}/schema.avsc"));
    let difference = &versions[2]["verdict"]["differences"][0];
    assert_eq!(difference["kind"], "READER_FIELD_MISSING_DEFAULT_VALUE");
    assert!(difference["line"].as_u64().is_some(), "{difference}");
    let changes = history["changes"].to_string();
    assert!(
        changes.contains("consumer added: fraud-detector"),
        "{changes}"
    );
    assert!(changes.contains("moved from"), "{changes}");
    let markdown = run(
        &fixture,
        &[
            "history",
            "payments/PaymentCaptured",
            "--format",
            "markdown",
        ],
    );
    assert!(
        markdown.stdout.contains("| value | v3 |"),
        "{}",
        markdown.stdout
    );
    assert!(
        markdown.stdout.contains("add batchId \\| with a default"),
        "{}",
        markdown.stdout
    );
    assert!(
        markdown.stdout.contains("BREAKING (BACKWARD)"),
        "{}",
        markdown.stdout
    );
    // `show` lists the last changes, newest first.
    let shown = run(&fixture, &["show", "PaymentCaptured", "--format", "json"]).json();
    let last = shown["item"]["last_changes"][0]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(last.contains("value v3: BREAKING (BACKWARD)"), "{shown}");
    // A shallow clone cannot see the first version: it says so.
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", fixture.root().display());
    common::git(clone.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let shallow = run_in(
        &clone.path().join("c"),
        &["history", "PaymentCaptured", "--format", "json"],
    );
    assert_eq!(shallow.json()["complete"], false, "{}", shallow.stdout);
    assert!(
        shallow.stderr.contains("history stops"),
        "{}",
        shallow.stderr
    );
}

#[path = "../examples/gencat.rs"]
#[allow(dead_code)]
mod gencat;

/// Every exploring command and format on a generated catalog of 500 events in 10 domains
/// (a third each Avro, Protobuf and JSON Schema, every event using a shared type).
#[test]
fn every_command_works_on_a_generated_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog");
    gencat::generate(&gencat::Options::new(500, root.clone())).unwrap();
    let events = run_in(&root, &["list", "events", "--format", "json"]).json();
    assert_eq!(events["items"].as_array().unwrap().len(), 500);
    let protobuf = run_in(
        &root,
        &[
            "list",
            "events",
            "--schema-format",
            "protobuf",
            "--domain",
            "domain003",
            "--format",
            "json",
        ],
    )
    .json();
    assert!(
        !protobuf["items"].as_array().unwrap().is_empty(),
        "{protobuf}"
    );
    // Fields of the shared type are found through every format's reference mechanism.
    let hits = run_in(
        &root,
        &["search", "amount", "--limit", "1000", "--format", "json"],
    )
    .json();
    let events_hit = hits["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|hit| hit["kind"] == "event")
        .count();
    assert_eq!(events_hit, 500, "every generated event carries `amount`");
    for id in [
        "domain000/Event00000Happened",
        "domain000/Event00001Happened",
        "domain000/Event00002Happened",
    ] {
        let shown = run_in(&root, &["show", id, "--format", "json"]).json();
        let fields = shown["item"]["fields"].to_string();
        assert!(fields.contains("amount."), "{id}: {fields}");
    }
    let graph = run_in(&root, &["graph"]);
    assert_valid_mermaid(&graph.stdout);
    assert!(
        graph.stdout.contains("too many to read"),
        "500 events are bounded"
    );
    let map = run_in(&root, &["graph", "--domains", "--format", "json"]).json();
    assert_eq!(
        map["nodes"].as_array().unwrap().len(),
        11,
        "10 domains and `common`"
    );
    let dot = run_in(
        &root,
        &["graph", "--domain", "domain001", "--format", "dot"],
    );
    assert!(dot.stdout.contains("cluster_"), "{}", dot.stdout);
}
