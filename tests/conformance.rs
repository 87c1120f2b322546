//! Runs every record of the conformance corpus (`tests/conformance/*.jsonl`, see its README)
//! through the compatibility engine and prints, per format, `N passed, N failed` with each
//! failure's id.
//!
//! The corpus is part of the repository, so every clone runs it; a missing folder is a failure.
//! `EVCAT_CONFORMANCE_DIR` points at another copy (a newer corpus being tried).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use evcat::catalog::CompatibilityLevel;
use evcat::compat::json::{JsonChecker, JsonDocument, Policy};
use evcat::compat::protobuf::{Dependency, ProtoDocument, ProtobufChecker};
use evcat::compat::{self, avro::AvroChecker, avro::AvroDocument, FormatChecker, Verdict};
use serde_json::Value;

fn corpus_dir() -> Result<PathBuf, String> {
    let dir = match std::env::var_os("EVCAT_CONFORMANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance"),
    };
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(format!("the corpus folder {} is missing", dir.display()))
    }
}

fn records(dir: &Path, file: &str) -> Result<Vec<Value>, String> {
    let text =
        std::fs::read_to_string(dir.join(file)).map_err(|error| format!("{file}: {error}"))?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).map_err(|error| format!("{file}: {error}")))
        .collect()
}

fn text(record: &Value, key: &str) -> Result<String, String> {
    record[key]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("record has no string `{key}`"))
}

fn level(record: &Value) -> Result<CompatibilityLevel, String> {
    let mode = text(record, "mode")?;
    CompatibilityLevel::parse(&mode).ok_or_else(|| format!("unknown mode {mode}"))
}

/// The earlier versions of a record, oldest first.
fn previous(record: &Value) -> Result<Vec<String>, String> {
    match record.get("previous_schemas").and_then(Value::as_array) {
        Some(list) => Ok(list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()),
        None => Ok(vec![text(record, "writer_or_old")?]),
    }
}

/// Runs a record through a checker and compares the verdict with `compatible`.
fn verdict_of<C: FormatChecker>(
    checker: &C,
    record: &Value,
    parse: impl Fn(&str, &str) -> Result<C::Schema, String>,
) -> Result<Verdict, String> {
    let previous: Vec<C::Schema> = previous(record)?
        .iter()
        .map(|text| parse(text, "old"))
        .collect::<Result<_, _>>()?;
    let new = parse(&text(record, "reader_or_new")?, "new")?;
    let previous: Vec<&C::Schema> = previous.iter().collect();
    let verdict = compat::check(checker, level(record)?, &previous, &new);
    let expected = record["compatible"].as_bool().unwrap_or(false);
    if verdict.compatible != expected {
        return Err(format!(
            "expected compatible={expected}, got {}: {:?}",
            verdict.compatible,
            summary(&verdict, true)
        ));
    }
    Ok(verdict)
}

/// The differences as `TYPE path` (or `TYPE path message`), the form the corpus lists.
fn summary(verdict: &Verdict, with_message: bool) -> Vec<String> {
    verdict
        .findings
        .iter()
        .map(|finding| {
            let difference = &finding.difference;
            if with_message {
                format!(
                    "{} {} {}",
                    difference.kind, difference.path, difference.message
                )
            } else {
                format!("{} {}", difference.kind, difference.path)
            }
        })
        .collect()
}

/// Compares the differences with `expected_changes_detail`, when the record has it.
fn expect_details(record: &Value, mut found: Vec<String>, ordered: bool) -> Result<(), String> {
    let Some(want) = record
        .get("expected_changes_detail")
        .and_then(Value::as_array)
    else {
        return Ok(());
    };
    let mut want: Vec<String> = want
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    if !ordered {
        want.sort();
        found.sort();
    }
    if found != want {
        return Err(format!("expected {want:?}, got {found:?}"));
    }
    Ok(())
}

/// Avro: the verdict, and the incompatibilities in Apache Avro's order with their messages.
fn check_avro(record: &Value) -> Result<(), String> {
    let verdict = verdict_of(&AvroChecker, record, |text, _| {
        AvroDocument::parse(text, &[])
    })?;
    expect_details(record, summary(&verdict, true), true)
}

/// The imports of one side of a Protobuf record, with their subjects and versions.
fn proto_dependencies(record: &Value, side: &str) -> Vec<Dependency> {
    let references: Vec<&Value> = record[format!("{side}_references")]
        .as_array()
        .map(|list| list.iter().collect())
        .unwrap_or_default();
    let Some(files) = record[format!("{side}_dependencies")].as_object() else {
        return Vec::new();
    };
    files
        .iter()
        .filter_map(|(import, text)| {
            let text = text.as_str()?;
            let reference = references
                .iter()
                .find(|reference| reference["name"] == import.as_str())
                .map(|reference| {
                    (
                        reference["subject"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                        reference["version"].to_string(),
                    )
                });
            Some(Dependency {
                import: import.clone(),
                reference,
                text: text.to_string(),
            })
        })
        .collect()
}

/// Protobuf: the verdict, and the difference types at their paths (Confluent lists them in hash
/// order, so order is not compared).
fn check_protobuf(record: &Value) -> Result<(), String> {
    let old = proto_dependencies(record, "old");
    let new = proto_dependencies(record, "new");
    let verdict = verdict_of(&ProtobufChecker, record, |text, side| {
        let dependencies = if side == "old" { &old } else { &new };
        ProtoDocument::parse(&format!("{side}.proto"), text, dependencies)
    })?;
    expect_details(record, summary(&verdict, false), false)
}

/// JSON Schema: the verdict under STRICT (and under LENIENT where the record states it), and
/// the difference types at their paths.
fn check_json(record: &Value) -> Result<(), String> {
    let parse = |text: &str, _: &str| JsonDocument::parse(text, &|_| None);
    let strict = verdict_of(
        &JsonChecker {
            policy: Policy::Strict,
        },
        record,
        parse,
    )?;
    if let Some(lenient_expected) = record.get("compatible_lenient").and_then(Value::as_bool) {
        let mut lenient_record = record.clone();
        lenient_record["compatible"] = Value::Bool(lenient_expected);
        verdict_of(
            &JsonChecker {
                policy: Policy::Lenient,
            },
            &lenient_record,
            parse,
        )
        .map_err(|why| format!("LENIENT: {why}"))?;
    }
    if record
        .get("expected_changes_detail")
        .is_some_and(Value::is_array)
    {
        return expect_details(record, summary(&strict, false), false);
    }
    if let Some(kinds) = record.get("expected_changes").and_then(Value::as_array) {
        let mut want: Vec<&str> = kinds.iter().filter_map(Value::as_str).collect();
        let mut found: Vec<&str> = strict
            .findings
            .iter()
            .map(|finding| finding.difference.kind)
            .collect();
        want.sort_unstable();
        found.sort_unstable();
        if want != found {
            return Err(format!("expected {want:?}, got {found:?}"));
        }
    }
    Ok(())
}

struct Tally {
    format: &'static str,
    passed: usize,
    failed: Vec<String>,
}

/// Checks one record; `Err` says why it failed.
type RecordCheck = fn(&Value) -> Result<(), String>;

fn run(
    dir: &Path,
    format: &'static str,
    files: &[&str],
    check: RecordCheck,
) -> Result<Tally, String> {
    let mut tally = Tally {
        format,
        passed: 0,
        failed: Vec::new(),
    };
    for file in files {
        for record in records(dir, file)? {
            let id = record["id"].as_str().unwrap_or("(no id)").to_string();
            match check(&record) {
                Ok(()) => tally.passed += 1,
                Err(why) => tally.failed.push(format!("{id}: {why}")),
            }
        }
    }
    Ok(tally)
}

fn main() -> ExitCode {
    let dir = match corpus_dir() {
        Ok(dir) => dir,
        Err(message) => {
            println!("conformance: {message}");
            return ExitCode::FAILURE;
        }
    };
    let suites: [(&str, &[&str], RecordCheck); 3] = [
        ("avro", &["avro.jsonl", "avro.transitive.jsonl"], check_avro),
        ("protobuf", &["protobuf.jsonl"], check_protobuf),
        ("jsonschema", &["jsonschema.jsonl"], check_json),
    ];
    let mut all_passed = true;
    for (format, files, check) in suites {
        match run(&dir, format, files, check) {
            Ok(tally) => {
                for failure in &tally.failed {
                    println!("FAILED {failure}");
                }
                println!(
                    "{}: {} passed, {} failed",
                    tally.format,
                    tally.passed,
                    tally.failed.len()
                );
                all_passed &= tally.failed.is_empty();
            }
            Err(message) => {
                println!("{format}: cannot read the corpus: {message}");
                all_passed = false;
            }
        }
    }
    if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
