//! `evcat plan` and `evcat push` against three real registries (`evcat registry serve` on
//! loopback, as child processes) standing for dev, staging and prod; the catalog is a copy of
//! catalog-example in a Git repository on branch main.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{commit_all_on_main, git, run_in, start_registry_with, Fixture, Outcome, Registry};
use serde_json::Value;

/// The example catalog, committed on main, with its environments pointed at served registries.
struct Promotion {
    fixture: Fixture,
    _registry_dirs: Vec<tempfile::TempDir>,
    registries: Vec<Registry>,
}

const ENVIRONMENTS: [&str; 3] = ["dev", "staging", "prod"];

impl Promotion {
    fn new() -> Self {
        Self::with(|_| None, "")
    }

    /// `serve_args(index)` adds arguments to one registry's `serve`; `settings` is YAML added
    /// to every environment's registry settings (an `auth:` there makes the registries require
    /// basic auth).
    fn with(serve_args: impl Fn(usize) -> Option<Vec<&'static str>>, settings: &str) -> Self {
        let fixture = Fixture::example();
        let mut registry_dirs = Vec::new();
        let mut registries = Vec::new();
        for index in 0..ENVIRONMENTS.len() {
            let dir = tempfile::tempdir().unwrap();
            let extra = serve_args(index).unwrap_or_default();
            let credentials = settings.contains("auth:").then_some("ci:s3cret");
            registries.push(start_registry_with(dir.path(), credentials, &extra));
            registry_dirs.push(dir);
        }
        let promotion = Promotion {
            fixture,
            _registry_dirs: registry_dirs,
            registries,
        };
        promotion.point_environments(settings);
        commit_all_on_main(promotion.root());
        promotion
    }

    fn point_environments(&self, extra: &str) {
        let settings = self.fixture.read("evcat.yaml");
        let start = settings.find("environments:").unwrap();
        let end = settings.find("defaults:").unwrap();
        let mut environments = String::from("environments:\n");
        for (name, registry) in ENVIRONMENTS.iter().zip(&self.registries) {
            environments.push_str(&format!(
                "  - name: {name}\n    registry: {{ url: \"http://{}\"{extra} }}\n",
                registry.address
            ));
            if *name == "prod" {
                environments.push_str("    require: { status: approved, branch: main }\n");
            }
        }
        let settings = format!("{}{environments}\n{}", &settings[..start], &settings[end..]);
        self.fixture.write("evcat.yaml", settings);
    }

    fn root(&self) -> &Path {
        self.fixture.root()
    }

    fn commit(&self, message: &str) {
        git(self.root(), &["add", "-A"]);
        git(self.root(), &["commit", "-q", "-m", message]);
    }

    fn push(&self, args: &[&str]) -> Outcome {
        let mut all = vec!["push", "--format", "json"];
        all.extend_from_slice(args);
        run_in(self.root(), &all)
    }

    fn push_with_env(&self, args: &[&str], variables: &[(&str, &str)]) -> Outcome {
        let output = Command::new(env!("CARGO_BIN_EXE_evcat"))
            .args(["push", "--format", "json"])
            .args(args)
            .current_dir(self.root())
            .envs(variables.iter().copied())
            .output()
            .unwrap();
        Outcome {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// GET on one registry, as JSON; `None` on a 404.
    fn get(&self, environment: usize, path: &str) -> Option<Value> {
        let registry = &self.registries[environment];
        // reqwest is built without a default TLS provider; evcat installs ring, so does this.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut request =
            reqwest::blocking::Client::new().get(format!("http://{}{path}", registry.address));
        if self.authenticated() {
            request = request.basic_auth("ci", Some("s3cret"));
        }
        let response = request.send().unwrap();
        if response.status() == 404 {
            return None;
        }
        assert!(response.status().is_success(), "GET {path}: {response:?}");
        Some(serde_json::from_str(&response.text().unwrap()).unwrap())
    }

    fn authenticated(&self) -> bool {
        self.fixture.read("evcat.yaml").contains("auth:")
    }

    fn subjects(&self, environment: usize) -> Vec<String> {
        let listed = self.get(environment, "/subjects").unwrap();
        let mut subjects: Vec<String> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|subject| subject.as_str().unwrap().to_string())
            .collect();
        subjects.sort();
        subjects
    }

    fn versions(&self, environment: usize, subject: &str) -> Vec<u64> {
        self.get(
            environment,
            &format!("/subjects/{}/versions", encode(subject)),
        )
        .map(|versions| {
            versions
                .as_array()
                .unwrap()
                .iter()
                .map(|version| version.as_u64().unwrap())
                .collect()
        })
        .unwrap_or_default()
    }
}

/// A subject as one URL path segment (shared subjects hold slashes).
fn encode(subject: &str) -> String {
    subject.replace('/', "%2F")
}

fn report(outcome: &Outcome) -> Value {
    serde_json::from_str(&outcome.stdout).unwrap_or_else(|error| {
        panic!(
            "not JSON ({error}):\n{}\nstderr:\n{}",
            outcome.stdout, outcome.stderr
        )
    })
}

/// The element of `parent[list]` whose `key` is `value`.
fn member<'a>(parent: &'a Value, list: &str, key: &str, value: &str) -> &'a Value {
    parent[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|member| member[key] == value)
        .unwrap_or_else(|| panic!("no {key} {value} in {list} of {parent:#}"))
}

fn environment<'a>(report: &'a Value, name: &str) -> &'a Value {
    member(report, "environments", "name", name)
}

fn item<'a>(environment: &'a Value, subject: &str) -> &'a Value {
    member(environment, "items", "subject", subject)
}

const PAYMENT: &str = "domains/payments/events/PaymentAuthorized/schema.avsc";
const PAYMENT_SUBJECT: &str = "payments.payment-authorized.v1-value";

#[test]
fn first_push_then_a_repush_that_writes_nothing() {
    let promotion = Promotion::new();
    let first = promotion.push(&["--through", "prod"]);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    let first = report(&first);
    for name in ENVIRONMENTS {
        assert_eq!(environment(&first, name)["outcome"]["status"], "pushed");
    }
    let dev = environment(&first, "dev");
    assert_eq!(dev["summary"]["new_subjects"], 15);
    assert_eq!(item(dev, PAYMENT_SUBJECT)["action"], "new_subject");
    assert_eq!(
        item(dev, PAYMENT_SUBJECT)["level_change"]["to"],
        "FULL_TRANSITIVE"
    );
    // Every subject holds exactly one version, in every environment.
    for (index, _) in ENVIRONMENTS.iter().enumerate() {
        for subject in promotion.subjects(index) {
            assert_eq!(promotion.versions(index, &subject), vec![1], "{subject}");
        }
    }
    assert_eq!(
        promotion
            .get(0, &format!("/config/{PAYMENT_SUBJECT}"))
            .unwrap()["compatibilityLevel"],
        "FULL_TRANSITIVE"
    );

    let again = promotion.push(&["--through", "prod"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let again = report(&again);
    for name in ENVIRONMENTS {
        let summary = &environment(&again, name)["summary"];
        assert_eq!(summary["writes"], 0, "{name}: {summary}");
        let wanted = summary["subjects"].as_u64().unwrap() - summary["skipped"].as_u64().unwrap();
        assert_eq!(summary["unchanged"].as_u64().unwrap(), wanted);
        // One lookup per subject, one read of the registry-wide level, and a read of the own
        // level of the two subjects whose catalog level differs from it (PaymentAuthorized's
        // FULL_TRANSITIVE, OrderPlaced's BACKWARD_TRANSITIVE).
        assert_eq!(
            summary["requests"].as_u64().unwrap(),
            wanted + 1 + 2,
            "{name}"
        );
    }
}

#[test]
fn status_gate_keeps_drafts_and_deprecated_events_out_of_prod() {
    let promotion = Promotion::new();
    let outcome = report(&promotion.push(&["--through", "prod"]));
    let prod = environment(&outcome, "prod");
    let delayed = item(prod, "shipping.shipment-delayed.v1-value");
    assert_eq!(delayed["action"], "skipped");
    assert!(delayed["reason"].as_str().unwrap().contains("draft"));
    let prod_subjects = promotion.subjects(2);
    assert!(!prod_subjects.contains(&"shipping.shipment-delayed.v1-value".to_string()));
    assert!(!prod_subjects.contains(&"orders.order-updated.v1-value".to_string()));
    assert!(promotion
        .subjects(1)
        .contains(&"shipping.shipment-delayed.v1-value".to_string()));
}

/// Adds a field (JSON) to PaymentAuthorized's schema, before `orderId`.
fn add_payment_field(promotion: &Promotion, field: &str) {
    let before = "    {\n      \"name\": \"orderId\",";
    promotion
        .fixture
        .replace(PAYMENT, before, &format!("    {field},\n{before}"));
}

#[test]
fn compatible_change_adds_one_version_in_every_environment() {
    let promotion = Promotion::new();
    assert_eq!(promotion.push(&["--through", "prod"]).code, 0);
    add_payment_field(
        &promotion,
        r#"{"name": "channel", "type": ["null", "string"], "default": null}"#,
    );
    promotion.commit("add channel");
    let outcome = promotion.push(&["--through", "prod"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    let outcome = report(&outcome);
    for (index, name) in ENVIRONMENTS.iter().enumerate() {
        let payment = item(environment(&outcome, name), PAYMENT_SUBJECT);
        assert_eq!(payment["action"], "new_version", "{name}");
        assert_eq!(payment["verdict"], "compatible", "{name}");
        assert_eq!(promotion.versions(index, PAYMENT_SUBJECT), vec![1, 2]);
    }
    // Issue 10: the order gate's lookups are counted: sent by staging and prod to the
    // environment before, and received there (in dev's and staging's totals).
    let summary = |name: &str| environment(&outcome, name)["summary"].clone();
    assert!(summary("dev").get("order_gate_requests").is_none());
    for name in ["staging", "prod"] {
        // Two lookups: the changed schema and the shared Money type it references.
        assert_eq!(summary(name)["order_gate_requests"], 2, "{name}");
    }
    // The same kind of change pushed to dev alone costs dev its own requests only; pushed
    // through prod, dev also received staging's two lookups.
    let through_prod = summary("dev")["requests"].as_u64().unwrap();
    add_payment_field(
        &promotion,
        r#"{"name": "device", "type": ["null", "string"], "default": null}"#,
    );
    promotion.commit("add device");
    let alone = report(&promotion.push(&["--env", "dev"]));
    let own = environment(&alone, "dev")["summary"]["requests"]
        .as_u64()
        .unwrap();
    assert_eq!(through_prod, own + 2);
}

#[test]
fn incompatible_change_writes_nothing_to_any_environment() {
    let promotion = Promotion::new();
    assert_eq!(promotion.push(&["--through", "prod"]).code, 0);
    // A new field without a default: the new schema cannot read data written with the old one.
    add_payment_field(&promotion, r#"{"name": "merchantId", "type": "string"}"#);
    promotion.fixture.replace(
        "domains/payments/events/PaymentAuthorized/examples/authorized.json",
        r#""orderId""#,
        r#""merchantId": "m-7", "orderId""#,
    );
    promotion.commit("require merchantId");
    let outcome = promotion.push(&["--through", "prod"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    let outcome = report(&outcome);
    let dev = environment(&outcome, "dev");
    assert_eq!(dev["outcome"]["status"], "plan_failed");
    let payment = item(dev, PAYMENT_SUBJECT);
    assert_eq!(payment["verdict"], "incompatible");
    let messages = payment["messages"].as_array().unwrap();
    assert!(
        messages.iter().any(|message| message
            .as_str()
            .unwrap()
            .contains("READER_FIELD_MISSING_DEFAULT_VALUE")),
        "{messages:?}"
    );
    assert_eq!(dev["summary"]["writes"], 0);
    for name in ["staging", "prod"] {
        assert_eq!(
            environment(&outcome, name)["outcome"]["status"],
            "not_reached"
        );
    }
    for index in 0..3 {
        assert_eq!(promotion.versions(index, PAYMENT_SUBJECT), vec![1]);
    }
    // Issue 9: P001 points at the schema line the registry names, like C001, and names the
    // consumers in its help.
    let sarif = run_in(
        promotion.root(),
        &["push", "--through", "prod", "--format", "sarif"],
    );
    let document: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let results = document["runs"][0]["results"].as_array().unwrap();
    let refused = results
        .iter()
        .find(|result| result["ruleId"] == "P001")
        .unwrap_or_else(|| panic!("no P001: {}", sarif.stdout));
    let line = refused["locations"][0]["physicalLocation"]["region"]["startLine"]
        .as_u64()
        .unwrap() as usize;
    let schema = promotion.fixture.read(PAYMENT);
    assert!(
        schema.lines().nth(line - 1).unwrap().contains("merchantId"),
        "line {line} of {PAYMENT}"
    );
    let text = refused["message"]["text"].as_str().unwrap();
    assert!(
        text.contains("fraud-detector (payments-team: payments@example.com"),
        "{text}"
    );
}

#[test]
fn shared_schemas_are_registered_first_and_referenced_by_version() {
    let promotion = Promotion::new();
    assert_eq!(promotion.push(&["--env", "dev"]).code, 0);
    let placed = promotion
        .get(0, "/subjects/orders.order-placed.v1-value/versions/1")
        .unwrap();
    let references = placed["references"].as_array().unwrap();
    assert_eq!(references.len(), 1, "{placed:#}");
    assert_eq!(references[0]["name"], "acme/common/v1/money.proto");
    assert_eq!(references[0]["subject"], "acme/common/v1/money.proto");
    assert_eq!(references[0]["version"], 1);
    let money = promotion
        .get(0, "/subjects/acme.common.Money/versions/1")
        .unwrap();
    let payment = promotion
        .get(0, &format!("/subjects/{PAYMENT_SUBJECT}/versions/1"))
        .unwrap();
    assert!(money["id"].as_u64() < payment["id"].as_u64());
    assert_eq!(payment["references"][0]["subject"], "acme.common.Money");

    // A compatible change to the shared type: a new version of it, then new versions of every
    // schema that refers to it, pointing at the new version.
    promotion.fixture.replace(
        "domains/common/schemas/acme/common/v1/money.proto",
        "}",
        "  string note = 15;\n}",
    );
    promotion.commit("money note");
    let outcome = promotion.push(&["--env", "dev"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    assert_eq!(
        promotion.versions(0, "acme/common/v1/money.proto"),
        vec![1, 2]
    );
    let placed = promotion
        .get(0, "/subjects/orders.order-placed.v1-value/versions/latest")
        .unwrap();
    assert_eq!(placed["version"], 2);
    assert_eq!(placed["references"][0]["version"], 2);
    let outcome = report(&outcome);
    let dev = environment(&outcome, "dev");
    assert_eq!(
        item(dev, "orders.order-placed.v1-value")["verdict"],
        "compatible",
        "checked right before registering, once its reference was: {dev:#}"
    );
}

#[test]
fn order_gate_needs_the_previous_environment_to_hold_the_schema() {
    let promotion = Promotion::new();
    let outcome = promotion.push(&["--env", "staging"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    let outcome = report(&outcome);
    let staging = environment(&outcome, "staging");
    assert_eq!(staging["outcome"]["status"], "plan_failed");
    assert_eq!(item(staging, PAYMENT_SUBJECT)["verdict"], "order_blocked");
    assert!(promotion.subjects(1).is_empty(), "nothing written");

    assert_eq!(promotion.push(&["--env", "dev"]).code, 0);
    assert_eq!(promotion.push(&["--env", "staging"]).code, 0);
    assert_eq!(promotion.subjects(1).len(), 15);
}

#[test]
fn branch_gate_keeps_other_branches_out_of_prod() {
    let promotion = Promotion::new();
    git(promotion.root(), &["checkout", "-q", "-b", "feature"]);
    promotion.fixture.replace(
        "domains/payments/events/PaymentAuthorized/event.yaml",
        "status: approved",
        "status: approved\ndescription: Changed on a branch.",
    );
    promotion.commit("feature work");
    let outcome = promotion.push(&["--through", "prod"]);
    assert_eq!(outcome.code, 1);
    let outcome = report(&outcome);
    let prod = environment(&outcome, "prod");
    assert_eq!(prod["outcome"]["status"], "blocked");
    assert!(prod["outcome"]["reason"]
        .as_str()
        .unwrap()
        .contains("branch main"));
    assert!(promotion.subjects(2).is_empty());
    assert_eq!(
        environment(&outcome, "staging")["outcome"]["status"],
        "pushed"
    );

    // Merged into main, the same commit may go.
    git(promotion.root(), &["checkout", "-q", "main"]);
    git(promotion.root(), &["merge", "-q", "--ff-only", "feature"]);
    assert_eq!(promotion.push(&["--through", "prod"]).code, 0);
}

#[test]
fn dry_run_and_plan_write_nothing() {
    let promotion = Promotion::new();
    let outcome = promotion.push(&["--through", "prod", "--dry-run"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    let outcome = report(&outcome);
    assert_eq!(outcome["dry_run"], true);
    // A dry run of several environments counts what the earlier ones would register.
    assert_eq!(
        environment(&outcome, "prod")["outcome"]["status"],
        "planned"
    );
    let plan = run_in(promotion.root(), &["plan", "--env", "dev"]);
    assert_eq!(plan.code, 0);
    assert!(plan.stdout.contains("new subject"), "{}", plan.stdout);
    assert!(
        plan.stdout.contains("dev: plan OK (dry run"),
        "{}",
        plan.stdout
    );
    for index in 0..3 {
        assert!(promotion.subjects(index).is_empty());
    }
}

#[test]
fn key_schemas_go_to_key_subjects() {
    let promotion = Promotion::new();
    promotion.fixture.write(
        "domains/payments/events/PaymentAuthorized/key.avsc",
        r#"{"type": "record", "name": "PaymentKey", "namespace": "acme.payments.v1",
            "fields": [{"name": "paymentId", "type": "string"}]}"#,
    );
    promotion.fixture.replace(
        "domains/payments/events/PaymentAuthorized/event.yaml",
        "topics:",
        "key: { schema: key.avsc }\ntopics:",
    );
    promotion.commit("key");
    let outcome = promotion.push(&["--env", "dev"]);
    assert_eq!(outcome.code, 0, "{}\n{}", outcome.stdout, outcome.stderr);
    let key = promotion
        .get(0, "/subjects/payments.payment-authorized.v1-key/versions/1")
        .unwrap();
    assert!(key["schema"].as_str().unwrap().contains("PaymentKey"));
}

#[test]
fn basic_auth_from_environment_variables() {
    let promotion = Promotion::with(
        |_| None,
        ", auth: { basic: { username_env: SR_USER, password_env: SR_PASS } }",
    );
    let pushed = promotion.push_with_env(
        &["--env", "dev"],
        &[("SR_USER", "ci"), ("SR_PASS", "s3cret")],
    );
    assert_eq!(pushed.code, 0, "{}\n{}", pushed.stdout, pushed.stderr);
    assert_eq!(promotion.subjects(0).len(), 15);

    let wrong = promotion.push_with_env(
        &["--env", "dev"],
        &[("SR_USER", "ci"), ("SR_PASS", "not-the-password")],
    );
    assert_eq!(wrong.code, 1);
    assert!(wrong.stdout.contains("40101"), "{}", wrong.stdout);
    assert!(!wrong.stdout.contains("not-the-password"));
    assert!(!wrong.stderr.contains("not-the-password"));

    let unset = promotion.push_with_env(&["--env", "dev"], &[("SR_USER", "ci")]);
    assert_eq!(unset.code, 2);
    assert!(unset.stderr.contains("SR_PASS"), "{}", unset.stderr);
}

#[test]
fn retries_through_unavailability_and_slow_writes() {
    let promotion = Promotion::with(
        |index| (index == 0).then(|| vec!["--fail-first", "3", "--delay-writes-ms", "20"]),
        "",
    );
    let outcome = promotion.push(&["--env", "dev"]);
    assert_eq!(outcome.code, 0, "{}\n{}", outcome.stdout, outcome.stderr);
    assert_eq!(promotion.subjects(0).len(), 15);
}

#[test]
fn a_killed_push_resumes_without_duplicate_versions() {
    let promotion = Promotion::with(
        |index| (index == 0).then(|| vec!["--delay-writes-ms", "150"]),
        "",
    );
    let mut push = Command::new(env!("CARGO_BIN_EXE_evcat"))
        .args(["push", "--env", "dev", "--format", "json"])
        .current_dir(promotion.root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while promotion.subjects(0).len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the push never wrote"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    push.kill().unwrap();
    push.wait().unwrap();
    let partial = promotion.subjects(0).len();
    assert!(
        partial < 15,
        "killed midway, yet {partial} subjects written"
    );

    let resumed = promotion.push(&["--env", "dev"]);
    assert_eq!(resumed.code, 0, "{}", resumed.stdout);
    let resumed = report(&resumed);
    assert!(environment(&resumed, "dev")["summary"]["unchanged"].as_u64() >= Some(3));
    let subjects = promotion.subjects(0);
    assert_eq!(subjects.len(), 15);
    for subject in subjects {
        assert_eq!(promotion.versions(0, &subject), vec![1], "{subject}");
    }
}

#[test]
fn unknown_environment_and_lint_errors_stop_before_any_registry() {
    let promotion = Promotion::new();
    let unknown = promotion.push(&["--env", "qa"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("dev, staging, prod"),
        "{}",
        unknown.stderr
    );
    promotion.fixture.replace(
        "domains/payments/events/PaymentAuthorized/event.yaml",
        "status: approved",
        "status: aproved",
    );
    let broken = promotion.push(&["--env", "dev"]);
    assert_eq!(broken.code, 1);
    assert!(broken.stderr.contains("lint errors"), "{}", broken.stderr);
    assert!(promotion.subjects(0).is_empty());
}

#[test]
fn embedded_environments_work_without_any_server() {
    let fixture = Fixture::example();
    commit_all_on_main(fixture.root());
    let outcome = run_in(
        fixture.root(),
        &["push", "--through", "prod", "--format", "json"],
    );
    assert_eq!(outcome.code, 0, "{}\n{}", outcome.stdout, outcome.stderr);
    assert!(fixture.path(".registries/prod/state.json").is_file());
    let again = report(&run_in(
        fixture.root(),
        &["push", "--through", "prod", "--format", "json"],
    ));
    assert_eq!(environment(&again, "prod")["summary"]["writes"], 0);
}

#[test]
fn an_unreachable_registry_fails_its_environment_at_once() {
    let fixture = Fixture::example();
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    fixture.replace(
        "evcat.yaml",
        "registry: { embedded: .registries/dev }",
        &format!("registry: {{ url: \"http://{free}\" }}"),
    );
    let started = Instant::now();
    let outcome = run_in(
        fixture.root(),
        &["push", "--env", "dev", "--format", "json"],
    );
    assert_eq!(outcome.code, 1);
    let outcome = report(&outcome);
    let dev = environment(&outcome, "dev");
    assert_eq!(dev["outcome"]["status"], "plan_failed");
    let reason = dev["outcome"]["reason"].as_str().unwrap();
    assert!(reason.contains("cannot reach the registry"), "{reason}");
    assert!(reason.contains("gave up after 5 attempts"), "{reason}");
    // One request, retried: not one per subject.
    assert_eq!(dev["summary"]["requests"], 5);
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn verify_levels_finds_a_level_changed_by_hand() {
    let promotion = Promotion::new();
    assert_eq!(promotion.push(&["--env", "dev"]).code, 0);
    // Someone loosens a subject in the registry; the catalog still wants the global BACKWARD.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let subject = "payments.payment-captured.v1-value";
    let answer = reqwest::blocking::Client::new()
        .put(format!(
            "http://{}/config/{subject}",
            promotion.registries[0].address
        ))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .body(r#"{"compatibility": "NONE"}"#)
        .send()
        .unwrap();
    assert!(answer.status().is_success());
    let plain = report(&promotion.push(&["--env", "dev"]));
    assert_eq!(environment(&plain, "dev")["summary"]["level_changes"], 0);
    let verified = report(&promotion.push(&["--env", "dev", "--verify-levels"]));
    let dev = environment(&verified, "dev");
    assert_eq!(dev["summary"]["level_changes"], 1);
    assert_eq!(item(dev, subject)["level_change"]["from"], "NONE");
    assert_eq!(
        promotion.get(0, &format!("/config/{subject}")).unwrap()["compatibilityLevel"],
        "BACKWARD"
    );
}

const ADDRESS_SUBJECT: &str = "customers.customer-address-changed.v1-value";

/// Issue 10: a registry like Karapace (no all-versions compatibility endpoint, no JSON Schema
/// references). Without `json_references: bundle` the JSON subjects that `$ref` a shared file
/// fail, saying why; with it, the whole sequence works: first push, no-op, compatible change
/// under a transitive level (asked version by version), incompatible change.
#[test]
fn push_through_a_registry_like_karapace() {
    let karapace = |_| Some(vec!["--karapace-dialect"]);
    let refused = Promotion::with(karapace, "");
    // The refusal can only come while writing (the shared file it refers to is new too): the
    // push stops there, with complete schemas behind it, and says why in words.
    let outcome = refused.push(&["--env", "dev"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    let outcome = report(&outcome);
    let dev = &environment(&outcome, "dev")["outcome"];
    assert_eq!(dev["status"], "push_failed", "{dev}");
    let reason = dev["reason"].as_str().unwrap();
    assert!(reason.contains(ADDRESS_SUBJECT), "{reason}");
    assert!(
        reason.contains("does not support references for JSON Schemas")
            && reason.contains("json_references: bundle"),
        "{reason}"
    );
    assert!(!refused.subjects(0).contains(&ADDRESS_SUBJECT.to_string()));

    let promotion = Promotion::with(karapace, ", json_references: bundle");
    let first = promotion.push(&["--through", "prod"]);
    assert_eq!(first.code, 0, "{}", first.stdout);
    let stored = promotion
        .get(0, &format!("/subjects/{ADDRESS_SUBJECT}/versions/1"))
        .unwrap();
    assert!(stored.get("references").is_none(), "{stored}");
    assert!(
        stored["schema"].as_str().unwrap().contains("$defs"),
        "{stored}"
    );

    let again = report(&promotion.push(&["--through", "prod"]));
    for name in ENVIRONMENTS {
        let summary = &environment(&again, name)["summary"];
        assert_eq!(summary["writes"], 0, "{name}: {summary}");
    }

    // PaymentAuthorized is FULL_TRANSITIVE: each of its versions is asked in turn.
    for (version, field) in ["channel", "device", "region"].iter().enumerate() {
        add_payment_field(
            &promotion,
            &format!(r#"{{"name": "{field}", "type": ["null", "string"], "default": null}}"#),
        );
        promotion.commit(field);
        let pushed = report(&promotion.push(&["--env", "dev"]));
        let dev = environment(&pushed, "dev");
        assert_eq!(item(dev, PAYMENT_SUBJECT)["verdict"], "compatible");
        // The lookups (one per subject), the registry-wide level, the own levels of the two
        // subjects whose level differs from it, the all-versions check that answers 404 (asked
        // once per run), the list of versions, one check per registered version, the
        // registration.
        let subjects = dev["summary"]["subjects"].as_u64().unwrap();
        let per_version = version as u64 + 1;
        assert_eq!(
            dev["summary"]["requests"].as_u64().unwrap(),
            subjects + 1 + 2 + 1 + 1 + per_version + 1,
            "{}",
            dev["summary"]
        );
    }
    add_payment_field(&promotion, r#"{"name": "merchantId", "type": "string"}"#);
    promotion.fixture.replace(
        "domains/payments/events/PaymentAuthorized/examples/authorized.json",
        r#""orderId""#,
        r#""merchantId": "m-7", "orderId""#,
    );
    promotion.commit("require merchantId");
    let refused = promotion.push(&["--env", "dev"]);
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    let dev = report(&refused);
    let payment = item(environment(&dev, "dev"), PAYMENT_SUBJECT);
    assert_eq!(payment["verdict"], "incompatible", "{payment}");
    assert_eq!(promotion.versions(0, PAYMENT_SUBJECT), vec![1, 2, 3, 4]);
}
