//! Runs every record of the shared conformance corpus (`../shared/conformance/*.jsonl`) through
//! the compatibility engine and prints, per format, `N passed, N failed` with each failure's id.
//!
//! The corpus stays outside the project: its folder comes from `EVCAT_CONFORMANCE_DIR` (set by
//! `.ci/run`), else `../shared/conformance` beside the checkout. When the variable is set, a
//! missing folder is a failure; without it, a missing folder skips the corpus with a notice.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use evcat::catalog::CompatibilityLevel;
use evcat::compat::{self, avro::AvroChecker, avro::AvroDocument};
use serde_json::Value;

fn corpus_dir() -> Result<Option<PathBuf>, String> {
    match std::env::var_os("EVCAT_CONFORMANCE_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_dir() {
                Ok(Some(dir))
            } else {
                Err(format!(
                    "EVCAT_CONFORMANCE_DIR={} is not a folder",
                    dir.display()
                ))
            }
        }
        None => {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance");
            Ok(dir.is_dir().then_some(dir))
        }
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

/// Checks one Avro record: the verdict, and the differences when the record lists them.
fn check_avro(record: &Value) -> Result<(), String> {
    let parse = |text: &str| AvroDocument::parse(text, &[]);
    let previous: Vec<AvroDocument> = previous(record)?
        .iter()
        .map(|text| parse(text))
        .collect::<Result<_, _>>()?;
    let new = parse(&text(record, "reader_or_new")?)?;
    let verdict = compat::check(&AvroChecker, level(record)?, &previous, &new);
    let expected = record["compatible"].as_bool().unwrap_or(false);
    let details: Vec<String> = verdict
        .findings
        .iter()
        .map(|finding| {
            let difference = &finding.difference;
            format!(
                "{} {} {}",
                difference.kind, difference.path, difference.message
            )
        })
        .collect();
    if verdict.compatible != expected {
        return Err(format!(
            "expected compatible={expected}, got {} {details:?}",
            verdict.compatible
        ));
    }
    if let Some(want) = record
        .get("expected_changes_detail")
        .and_then(Value::as_array)
    {
        let want: Vec<&str> = want.iter().filter_map(Value::as_str).collect();
        if details != want {
            return Err(format!("expected {want:?}, got {details:?}"));
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
        Ok(Some(dir)) => dir,
        Ok(None) => {
            println!("conformance corpus not found (set EVCAT_CONFORMANCE_DIR); skipped");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            println!("conformance: {message}");
            return ExitCode::FAILURE;
        }
    };
    let suites: [(&str, &[&str], RecordCheck); 1] =
        [("avro", &["avro.jsonl", "avro.transitive.jsonl"], check_avro)];
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
