//! `evcat compat` on schema files: each format with imports or references from `-I` folders,
//! transitive levels over several files, the JSON verdict, and exit codes.

mod common;

use common::run_in;

fn files(entries: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in entries {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    dir
}

#[test]
fn avro_with_shared_type_from_include_folder() {
    let dir = files(&[
        ("shared/money.avsc", r#"{"type":"record","name":"Money","namespace":"acme","fields":[{"name":"cents","type":"long"}]}"#),
        ("v1.avsc", r#"{"type":"record","name":"Paid","namespace":"acme","fields":[{"name":"amount","type":"Money"}]}"#),
        ("v2.avsc", "{\"type\":\"record\",\"name\":\"Paid\",\"namespace\":\"acme\",\"fields\":[\n{\"name\":\"amount\",\"type\":\"Money\"},\n{\"name\":\"note\",\"type\":\"string\"}]}"),
    ]);
    let outcome = run_in(
        dir.path(),
        &[
            "compat", "--format", "avro", "-I", "shared", "v1.avsc", "v2.avsc",
        ],
    );
    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.stderr);
    assert!(
        outcome
            .stdout
            .contains("READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1 (v2.avsc:3)"),
        "{}",
        outcome.stdout
    );
    let forward = run_in(
        dir.path(),
        &[
            "compat", "--format", "avro", "--level", "FORWARD", "-I", "shared", "v1.avsc",
            "v2.avsc",
        ],
    );
    assert_eq!(forward.code, 0, "{}", forward.stdout);
    let missing = run_in(
        dir.path(),
        &["compat", "--format", "avro", "v1.avsc", "v2.avsc"],
    );
    assert_eq!(
        missing.code, 2,
        "without -I the shared type is unknown: {}",
        missing.stderr
    );
}

#[test]
fn protobuf_import_from_include_folder() {
    let dir = files(&[
        ("proto/acme/money.proto", "syntax = \"proto3\";\npackage acme;\nmessage Money { int64 cents = 1; }\n"),
        ("old.proto", "syntax = \"proto3\";\npackage shop;\nimport \"acme/money.proto\";\nmessage Order {\n  acme.Money total = 1;\n  int32 count = 2;\n}\n"),
        ("new.proto", "syntax = \"proto3\";\npackage shop;\nimport \"acme/money.proto\";\nmessage Order {\n  acme.Money total = 1;\n  string count = 2;\n}\n"),
    ]);
    let outcome = run_in(
        dir.path(),
        &[
            "compat",
            "--format",
            "protobuf",
            "-I",
            "proto",
            "--json",
            "old.proto",
            "new.proto",
        ],
    );
    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.stderr);
    let verdict = outcome.json();
    assert_eq!(verdict["compatible"], false);
    let difference = &verdict["differences"][0];
    assert_eq!(difference["kind"], "FIELD_SCALAR_KIND_CHANGED");
    assert_eq!(difference["path"], "#/Order/2");
    assert_eq!(difference["line"], 6);
    assert_eq!(difference["breaking"], true);
}

#[test]
fn json_schema_ref_and_policy() {
    let dir = files(&[
        ("defs/name.json", r#"{"type":"string"}"#),
        (
            "v1.json",
            r#"{"type":"object","properties":{"name":{"$ref":"defs/name.json"}}}"#,
        ),
        (
            "v2.json",
            r#"{"type":"object","properties":{"name":{"$ref":"defs/name.json"},"age":{"type":"integer"}}}"#,
        ),
    ]);
    let strict = run_in(
        dir.path(),
        &["compat", "--format", "json", "v1.json", "v2.json"],
    );
    assert_eq!(strict.code, 1, "{}{}", strict.stdout, strict.stderr);
    assert!(
        strict
            .stdout
            .contains("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"),
        "{}",
        strict.stdout
    );
    let lenient = run_in(
        dir.path(),
        &[
            "compat", "--format", "json", "--policy", "lenient", "v1.json", "v2.json",
        ],
    );
    assert_eq!(lenient.code, 0, "{}", lenient.stdout);
}

#[test]
fn transitive_levels_use_every_earlier_file() {
    let v1 = r#"{"type":"record","name":"r","fields":[{"name":"a","type":"int"}]}"#;
    let v2 = r#"{"type":"record","name":"r","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}]}"#;
    let v3 = r#"{"type":"record","name":"r","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}"#;
    let dir = files(&[("v1.avsc", v1), ("v2.avsc", v2), ("v3.avsc", v3)]);
    let latest = run_in(
        dir.path(),
        &[
            "compat", "--format", "avro", "--level", "BACKWARD", "v1.avsc", "v2.avsc", "v3.avsc",
        ],
    );
    assert_eq!(latest.code, 0, "{}", latest.stdout);
    let all = run_in(
        dir.path(),
        &[
            "compat",
            "--format",
            "avro",
            "--level",
            "BACKWARD_TRANSITIVE",
            "--json",
            "v1.avsc",
            "v2.avsc",
            "v3.avsc",
        ],
    );
    assert_eq!(all.code, 1, "{}", all.stdout);
    assert_eq!(all.json()["differences"][0]["against"], "v1.avsc");
}

#[test]
fn bad_input_exits_two() {
    let dir = files(&[("bad.avsc", "{not json"), ("ok.avsc", r#""string""#)]);
    let outcome = run_in(
        dir.path(),
        &["compat", "--format", "avro", "ok.avsc", "bad.avsc"],
    );
    assert_eq!(outcome.code, 2);
    assert!(
        outcome
            .stderr
            .contains("bad.avsc is not a valid avro schema"),
        "{}",
        outcome.stderr
    );
    let outcome = run_in(
        dir.path(),
        &["compat", "--format", "avro", "ok.avsc", "missing.avsc"],
    );
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains("cannot read missing.avsc"),
        "{}",
        outcome.stderr
    );
    let outcome = run_in(
        dir.path(),
        &[
            "compat", "--format", "avro", "--level", "SIDEWAYS", "ok.avsc",
        ],
    );
    assert_eq!(outcome.code, 2);
}

/// Issue 9, item 12: files named on the command line are read like catalog files: a device
/// or FIFO is refused at once, a file over the limit too.
#[test]
fn special_and_oversized_files_are_refused() {
    let dir = files(&[("old.avsc", r#"{"type":"string"}"#)]);
    let limit = std::time::Duration::from_secs(20);
    let outcome = common::run_within(
        dir.path(),
        &["compat", "--format", "avro", "old.avsc", "/dev/zero"],
        limit,
    );
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("not a regular file"),
        "{}",
        outcome.stderr
    );

    let fifo = dir.path().join("pipe.avsc");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let outcome = common::run_within(
        dir.path(),
        &["compat", "--format", "avro", "old.avsc", "pipe.avsc"],
        limit,
    );
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);

    std::fs::write(dir.path().join("big.avsc"), vec![b' '; 3 * 1024 * 1024]).unwrap();
    let outcome = common::run_within(
        dir.path(),
        &["compat", "--format", "avro", "old.avsc", "big.avsc"],
        limit,
    );
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("over the limit"),
        "{}",
        outcome.stderr
    );
}

/// Issue 9, item 7: `evcat compat` refuses what lint refuses (exit 2, naming the file).
#[test]
fn compat_refuses_schemas_lint_rejects() {
    let dir = files(&[
        ("old.avsc", r#"{"type":"record","name":"R","fields":[]}"#),
        (
            "new.avsc",
            r#"{"type":"record","name":"R","fields":[{"name":"k","type":"array","items":"string"}]}"#,
        ),
        ("old.json", r#"{"type": "object"}"#),
        ("new.json", r#"{"type": 5}"#),
    ]);
    for (format, old, new) in [
        ("avro", "old.avsc", "new.avsc"),
        ("json", "old.json", "new.json"),
    ] {
        let outcome = run_in(dir.path(), &["compat", "--format", format, old, new]);
        assert_eq!(
            outcome.code, 2,
            "{format}: {}{}",
            outcome.stdout, outcome.stderr
        );
        assert!(outcome.stderr.contains(new), "{}", outcome.stderr);
    }
}

/// Issue 9, item 13: enums are compared as sets. With 60,000 values a list scan per value
/// took minutes; the bound here is generous for a debug build.
#[test]
fn large_enums_compare_in_linear_time() {
    let symbols: Vec<String> = (0..60_000).map(|index| format!("S{index}")).collect();
    let json = |values: &[String]| serde_json::json!({ "enum": values }).to_string();
    let avro = |values: &[String]| {
        serde_json::json!({"type": "enum", "name": "E", "symbols": values}).to_string()
    };
    let (old_json, new_json) = (json(&symbols), json(&symbols[1..]));
    let (old_avro, new_avro) = (avro(&symbols), avro(&symbols[1..]));
    let dir = files(&[
        ("old.json", &old_json),
        ("new.json", &new_json),
        ("old.avsc", &old_avro),
        ("new.avsc", &new_avro),
    ]);
    for (format, old, new, kind) in [
        ("json", "old.json", "new.json", "ENUM_ARRAY_NARROWED"),
        ("avro", "old.avsc", "new.avsc", "MISSING_ENUM_SYMBOLS"),
    ] {
        let outcome = common::run_within(
            dir.path(),
            &["compat", "--format", format, old, new],
            std::time::Duration::from_secs(60),
        );
        assert_eq!(outcome.code, 1, "{format}: {}", outcome.stderr);
        assert!(
            outcome.stdout.contains(kind),
            "{format}: {}",
            outcome.stdout
        );
    }
}

/// Issue 10: the files Confluent's Protobuf provider ships (google/type, confluent/meta) resolve
/// with no include folder, like google/protobuf.
#[test]
fn confluent_well_known_protobuf_imports_resolve() {
    let old = "syntax = \"proto3\";\npackage acme;\nimport \"google/type/money.proto\";\nimport \"confluent/meta.proto\";\nmessage Paid {\n  google.type.Money amount = 1;\n  string email = 2 [(confluent.field_meta).tags = \"PII\"];\n}\n";
    let new = old
        .replace(
            "  string email = 2",
            "  google.type.Date day = 3;\n  string email = 2",
        )
        .replace(
            "import \"confluent/meta.proto\";",
            "import \"confluent/meta.proto\";\nimport \"google/type/date.proto\";",
        );
    let dir = files(&[("old.proto", old), ("new.proto", &new)]);
    let outcome = run_in(
        dir.path(),
        &["compat", "--format", "protobuf", "old.proto", "new.proto"],
    );
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.stderr);
}
