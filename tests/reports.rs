//! The shared report formats (SARIF, JUnit, GitHub annotations, Markdown), `--output`, the job
//! summary, colour and quiet settings, `init`, completions and the man page, on real findings:
//! lint errors in a broken copy of the example, and a breaking change caught by `check` in a Git
//! repository where the catalog sits in a subfolder.

mod common;

use std::path::Path;
use std::process::Command;

use common::{commit_all_on_main, copy_dir, example_dir, git, run_in, Fixture, Outcome};
use serde_json::Value;

/// A repository holding catalog-example under `contracts/`, with a breaking change committed on
/// top of the first commit (PaymentCaptured gains a field without a default).
fn repository_with_breaking_change() -> tempfile::TempDir {
    let repository = tempfile::tempdir().unwrap();
    copy_dir(&example_dir(), &repository.path().join("contracts"));
    commit_all_on_main(repository.path());
    let schema = repository
        .path()
        .join("contracts/domains/payments/events/PaymentCaptured/schema.avsc");
    let text = std::fs::read_to_string(&schema).unwrap();
    std::fs::write(
        &schema,
        text.replacen(
            "\"fields\": [",
            "\"fields\": [\n    {\"name\": \"merchantId\", \"type\": \"string\"},",
            1,
        ),
    )
    .unwrap();
    let example = repository
        .path()
        .join("contracts/domains/payments/events/PaymentCaptured/examples/captured.json");
    let text = std::fs::read_to_string(&example).unwrap();
    std::fs::write(
        &example,
        text.replacen('{', "{\n  \"merchantId\": \"m-1\",", 1),
    )
    .unwrap();
    git(repository.path(), &["commit", "-q", "-am", "merchantId"]);
    repository
}

fn check(repository: &Path, format: &str) -> Outcome {
    run_in(
        repository,
        &["--catalog", "contracts", "check", "--format", format],
    )
}

/// A copy of the example with lint errors whose messages and paths hold characters every format
/// must escape: `%`, `,`, `:`, `|`, `<`, `&`, quotes and a line break.
fn odd_lint_errors() -> Fixture {
    let fixture = Fixture::example();
    fixture.replace(
        "domains/payments/events/PaymentCaptured/event.yaml",
        "status: approved",
        "status: approved\n\"odd%key, with: <a|b> & 'q'\": 1",
    );
    let from = fixture.path("domains/shipping/events/ShipmentDelayed");
    let to = fixture.path("domains/shipping/events/Delay,Odd:50%");
    std::fs::rename(from, to).unwrap();
    fixture.replace(
        "domains/shipping/events/Delay,Odd:50%/event.yaml",
        "format: json",
        "format: json\nconsumer: [x]",
    );
    fixture
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(text: &str) -> Value {
    let document: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF: {errors:#?}");
    document
}

#[test]
fn sarif_of_lint_errors_is_valid_and_located() {
    let fixture = odd_lint_errors();
    let outcome = run_in(fixture.root(), &["lint", "--format", "sarif"]);
    assert_eq!(outcome.code, 1);
    let document = assert_valid_sarif(&outcome.stdout);
    let run = &document["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let y002 = rules.iter().find(|rule| rule["id"] == "Y002").unwrap();
    assert_eq!(y002["name"], "structure.unknown-key");
    assert_eq!(y002["defaultConfiguration"]["level"], "error");
    assert!(y002["help"]["text"].as_str().unwrap().contains("typos"));
    let results = run["results"].as_array().unwrap();
    let odd = results
        .iter()
        .find(|result| {
            result["message"]["text"]
                .as_str()
                .unwrap()
                .contains("odd%key")
        })
        .expect("the odd key is reported");
    let location = &odd["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "domains/payments/events/PaymentCaptured/event.yaml"
    );
    assert_eq!(location["region"]["startLine"], 5);
    let index = odd["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], odd["ruleId"]);
    let renamed = results
        .iter()
        .find(|result| {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .contains("Delay")
        })
        .unwrap();
    assert_eq!(
        renamed["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "domains/shipping/events/Delay,Odd:50%25/event.yaml"
    );
}

#[test]
fn sarif_of_a_breaking_change_names_files_from_the_repository_root() {
    let repository = repository_with_breaking_change();
    let outcome = check(repository.path(), "sarif");
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    let document = assert_valid_sarif(&outcome.stdout);
    let result = &document["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "C001");
    assert_eq!(result["level"], "error");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "contracts/domains/payments/events/PaymentCaptured/schema.avsc"
    );
    assert_eq!(location["region"]["startLine"], 7);
    assert!(result["message"]["text"]
        .as_str()
        .unwrap()
        .contains("ledger (payments-team: payments@example.com"));
}

#[test]
fn junit_has_a_case_per_event_and_failures_with_findings() {
    let fixture = odd_lint_errors();
    let outcome = run_in(fixture.root(), &["lint", "--format", "junit"]);
    assert_eq!(outcome.code, 1);
    let xml = roxmltree::Document::parse(&outcome.stdout).expect("well-formed XML");
    let suite = xml
        .descendants()
        .find(|node| node.has_tag_name("testsuite"))
        .unwrap();
    let cases: Vec<_> = suite
        .children()
        .filter(|node| node.has_tag_name("testcase"))
        .collect();
    // 12 events and the catalog-wide case.
    assert_eq!(cases.len(), 13);
    assert_eq!(suite.attribute("tests"), Some("13"));
    let captured = cases
        .iter()
        .find(|case| case.attribute("name") == Some("payments/PaymentCaptured"))
        .unwrap();
    let failure = captured
        .children()
        .find(|node| node.has_tag_name("failure"))
        .expect("a failure");
    assert_eq!(failure.attribute("type"), Some("Y002"));
    assert!(failure
        .attribute("message")
        .unwrap()
        .contains("odd%key, with: <a|b> & 'q'"));
    assert!(failure
        .text()
        .unwrap()
        .contains("domains/payments/events/PaymentCaptured/event.yaml:5:1"));
    let clean = cases
        .iter()
        .find(|case| case.attribute("name") == Some("orders/OrderPlaced"))
        .unwrap();
    assert_eq!(clean.children().filter(|node| node.is_element()).count(), 0);
    let failing = cases
        .iter()
        .filter(|case| case.children().any(|node| node.has_tag_name("failure")))
        .count();
    assert_eq!(
        suite.attribute("failures"),
        Some(failing.to_string().as_str())
    );
}

#[test]
fn github_annotations_escape_messages_and_paths() {
    let fixture = odd_lint_errors();
    let outcome = run_in(fixture.root(), &["lint", "--format", "github"]);
    assert_eq!(outcome.code, 1);
    let odd = outcome
        .stdout
        .lines()
        .find(|line| line.contains("odd%25key"))
        .unwrap_or_else(|| panic!("{}", outcome.stdout));
    assert!(
        odd.starts_with(
            "::error file=domains/payments/events/PaymentCaptured/event.yaml,line=5,col=1,title=Y002 structure.unknown-key::"
        ),
        "{odd}"
    );
    // In the message, only %, CR and LF are escaped; commas and colons stay.
    assert!(odd.contains("odd%25key, with: <a|b> & 'q'"), "{odd}");
    let renamed = outcome
        .stdout
        .lines()
        .find(|line| line.contains("Delay"))
        .unwrap();
    assert!(
        renamed.contains("file=domains/shipping/events/Delay%2COdd%3A50%25/event.yaml,"),
        "{renamed}"
    );
    assert!(
        outcome.stdout.lines().all(|line| !line.contains('\r')),
        "one annotation a line"
    );
}

#[test]
fn github_format_writes_the_job_summary() {
    let repository = repository_with_breaking_change();
    let summary = repository.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_evcat"))
        .args(["--catalog", "contracts", "check", "--format", "github"])
        .current_dir(repository.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with(
        "::error file=contracts/domains/payments/events/PaymentCaptured/schema.avsc,line=7,"
    ));
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(
        written.starts_with("earlier step\n"),
        "appended, not replaced"
    );
    assert!(
        written.contains("| `payments/PaymentCaptured` | BREAKING |"),
        "{written}"
    );
}

#[test]
fn markdown_says_what_changed_what_breaks_and_who_is_affected() {
    let repository = repository_with_breaking_change();
    let outcome = check(repository.path(), "markdown");
    assert_eq!(outcome.code, 1);
    let markdown = &outcome.stdout;
    assert!(
        markdown.contains("1 event changed; 1 breaking change"),
        "{markdown}"
    );
    assert!(markdown.contains("READER_FIELD_MISSING_DEFAULT_VALUE"));
    assert!(markdown.contains("ledger (payments-team: payments@example.com"));

    let fixture = odd_lint_errors();
    let lint = run_in(fixture.root(), &["lint", "--format", "markdown"]);
    let row = lint
        .stdout
        .lines()
        .find(|line| line.contains("odd%key"))
        .unwrap();
    // Pipes and markup cannot break the table.
    assert!(row.contains("&lt;a\\|b&gt; &amp;"), "{row}");
    assert_eq!(row.matches(" | ").count(), 3, "{row}");
}

#[test]
fn output_file_gets_the_report_and_the_terminal_the_human_output() {
    let fixture = odd_lint_errors();
    let report = fixture.path("out/lint.sarif");
    std::fs::create_dir_all(report.parent().unwrap()).unwrap();
    let outcome = run_in(
        fixture.root(),
        &["lint", "--format", "sarif", "--output", "out/lint.sarif"],
    );
    assert_eq!(outcome.code, 1);
    assert!(outcome.stdout.contains("Y002 structure.unknown-key"));
    assert!(
        outcome.stdout.contains("lint: 2 errors"),
        "{}",
        outcome.stdout
    );
    assert_valid_sarif(&std::fs::read_to_string(&report).unwrap());

    let unwritable = run_in(
        fixture.root(),
        &[
            "lint",
            "--format",
            "junit",
            "--output",
            "missing/dir/lint.xml",
        ],
    );
    assert_eq!(unwritable.code, 2);
    assert!(unwritable.stderr.contains("missing/dir/lint.xml"));
}

#[test]
fn push_reports_in_every_format() {
    let fixture = Fixture::example();
    commit_all_on_main(fixture.root());
    // staging before dev: every subject is blocked by the order gate.
    let outcome = run_in(
        fixture.root(),
        &["push", "--env", "staging", "--format", "junit"],
    );
    assert_eq!(outcome.code, 1);
    let xml = roxmltree::Document::parse(&outcome.stdout).unwrap();
    let blocked = xml
        .descendants()
        .find(|node| node.attribute("name") == Some("staging/payments.payment-authorized.v1-value"))
        .expect("a case per subject");
    let failure = blocked
        .children()
        .find(|node| node.has_tag_name("failure"))
        .unwrap();
    assert_eq!(failure.attribute("type"), Some("P002"));
    let sarif = run_in(
        fixture.root(),
        &["plan", "--env", "staging", "--format", "sarif"],
    );
    let document = assert_valid_sarif(&sarif.stdout);
    assert_eq!(document["runs"][0]["results"][0]["ruleId"], "P002");
}

#[test]
fn color_quiet_and_verbose() {
    let fixture = odd_lint_errors();
    let always = run_in(fixture.root(), &["--color", "always", "lint"]);
    assert!(always.stdout.contains('\u{1b}'), "colour when asked");
    let auto = run_in(fixture.root(), &["lint"]);
    assert!(!auto.stdout.contains('\u{1b}'), "no colour off a terminal");
    let quiet = run_in(fixture.root(), &["-q", "lint"]);
    assert_eq!(quiet.code, 1);
    assert_eq!(quiet.stdout.lines().count(), 1, "{}", quiet.stdout);
    assert!(quiet.stdout.starts_with("lint: 2 errors"));
    let verbose = run_in(fixture.root(), &["-v", "lint"]);
    assert!(verbose.stdout.contains("Unknown keys are usually typos"));
}

#[test]
fn init_scaffolds_a_catalog_that_lints_clean() {
    let dir = tempfile::tempdir().unwrap();
    let created = run_in(dir.path(), &["init", "catalog"]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let lint = run_in(&dir.path().join("catalog"), &["lint", "--format", "json"]);
    assert_eq!(lint.code, 0, "{}", lint.stdout);
    assert_eq!(lint.json()["findings"], serde_json::json!([]));
    assert!(
        std::fs::read_to_string(dir.path().join("catalog/evcat.yaml"))
            .unwrap()
            .contains("# ")
    );
    let again = run_in(dir.path(), &["init", "catalog"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"));
}

#[test]
fn completions_and_man_page() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "_evcat()"),
        ("zsh", "#compdef evcat"),
        ("fish", "complete -c evcat"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let outcome = run_in(dir.path(), &["completions", shell]);
        assert_eq!(outcome.code, 0);
        assert!(outcome.stdout.contains(marker), "{shell}");
        assert!(
            outcome.stdout.contains("push"),
            "{shell} knows the commands"
        );
    }
    let man = run_in(dir.path(), &["man"]);
    assert!(man.stdout.contains(".TH evcat 1"));
    assert!(man.stdout.contains("Exit codes"));
}
