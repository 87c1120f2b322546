//! Generates a synthetic catalog of any size, for benchmarks and load tests.
//!
//! ```text
//! cargo run --release --example gencat -- --events 1000 --out /tmp/cat1000 [--revision K] [--changed N]
//! ```
//!
//! Events spread over domains of 50, round-robin over Avro, Protobuf and JSON Schema; each has a
//! schema using a shared type of its format, an example, a producer and two consumers (one from
//! another domain). The output lints clean.
//!
//! `--revision K` writes the K-th backward-compatible evolution of the schemas (K extra optional
//! fields; JSON Schemas are closed content models, where that is compatible under STRICT), so
//! committing revisions 0..=K gives every event K+1 versions in Git history.
//! `--changed N` applies the revision to the first N events only; the rest get revision `--base K`
//! (default 0).
//! `--level LEVEL` sets the catalog's default compatibility level (default BACKWARD).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const EVENTS_PER_DOMAIN: usize = 50;

/// What to generate (public so tests can generate catalogs with it too).
pub struct Options {
    pub events: usize,
    pub out: PathBuf,
    pub revision: usize,
    pub changed: Option<usize>,
    pub base: usize,
    pub level: String,
}

fn parse_args() -> Result<Options, String> {
    let mut events = 1000;
    let mut out = None;
    let mut revision = 0;
    let mut changed = None;
    let mut level = "BACKWARD".to_string();
    let mut base = 0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--events" => events = value()?.parse().map_err(|e| format!("--events: {e}"))?,
            "--out" => out = Some(PathBuf::from(value()?)),
            "--revision" => revision = value()?.parse().map_err(|e| format!("--revision: {e}"))?,
            "--changed" => changed = Some(value()?.parse().map_err(|e| format!("--changed: {e}"))?),
            "--level" => level = value()?,
            "--base" => base = value()?.parse().map_err(|e| format!("--base: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Options {
        events,
        out: out.ok_or("--out DIR is required")?,
        revision,
        changed,
        base,
        level,
    })
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("gencat: {message}\nusage: gencat --events N --out DIR [--revision K] [--changed N] [--base K] [--level LEVEL]");
            return ExitCode::from(2);
        }
    };
    match generate(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gencat: {error}");
            ExitCode::FAILURE
        }
    }
}

fn write(root: &Path, relative: &str, content: &str) -> std::io::Result<()> {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, content)
}

fn domain_name(index: usize) -> String {
    format!("domain{index:03}")
}

pub fn generate(options: &Options) -> std::io::Result<()> {
    let root = &options.out;
    let domains = options.events.div_ceil(EVENTS_PER_DOMAIN).max(1);
    let mut settings = String::from(
        "catalog: generated\nteams:\n  platform-team: { email: platform@example.com }\n",
    );
    for domain in 0..domains {
        let _ = writeln!(
            settings,
            "  team-{domain:03}: {{ email: team{domain:03}@example.com }}"
        );
    }
    settings.push_str(&format!(
        "defaults:\n  compatibility: {}\n  subject_strategy: topic\n",
        options.level
    ));
    write(root, "evcat.yaml", &settings)?;
    write_shared(root)?;
    for domain in 0..domains {
        let name = domain_name(domain);
        write(
            root,
            &format!("domains/{name}/domain.yaml"),
            &format!("owner: team-{domain:03}\nsummary: Generated domain {domain}.\n"),
        )?;
        for service in ["producer", "consumer"] {
            write(
                root,
                &format!("domains/{name}/services/{name}-{service}.yaml"),
                &format!("summary: The {service} of {name}.\n"),
            )?;
        }
    }
    for event in 0..options.events {
        let revision = match options.changed {
            Some(changed) if event >= changed => options.base,
            _ => options.revision,
        };
        write_event(root, event, domains, revision)?;
    }
    Ok(())
}

fn write_shared(root: &Path) -> std::io::Result<()> {
    write(
        root,
        "domains/common/domain.yaml",
        "owner: platform-team\nsummary: Shared types.\n",
    )?;
    write(
        root,
        "domains/common/schemas/money.avsc",
        r#"{"type":"record","name":"Money","namespace":"gen.common","fields":[{"name":"currency","type":"string"},{"name":"amountMinor","type":"long"}]}"#,
    )?;
    write(
        root,
        "domains/common/schemas/gen/common/money.proto",
        "syntax = \"proto3\";\npackage gen.common;\nmessage Money {\n  string currency = 1;\n  int64 amount_minor = 2;\n}\n",
    )?;
    write(
        root,
        "domains/common/schemas/money.json",
        r#"{"type":"object","required":["currency"],"properties":{"currency":{"type":"string"},"amountMinor":{"type":"integer"}}}"#,
    )
}

fn write_event(root: &Path, index: usize, domains: usize, revision: usize) -> std::io::Result<()> {
    let domain_index = index / EVENTS_PER_DOMAIN;
    let domain = domain_name(domain_index);
    let other = domain_name((domain_index + 1) % domains);
    let name = format!("Event{index:05}Happened");
    let dir = format!("domains/{domain}/events/{name}");
    let (format, schema_file, schema, example) = match index % 3 {
        0 => (
            "avro",
            "schema.avsc",
            avro_schema(&domain, &name, revision),
            avro_example(),
        ),
        1 => (
            "protobuf",
            "schema.proto",
            proto_schema(&domain, &name, revision),
            proto_example(),
        ),
        _ => ("json", "schema.json", json_schema(revision), json_example()),
    };
    write(root, &format!("{dir}/{schema_file}"), &schema)?;
    write(root, &format!("{dir}/examples/sample.json"), &example)?;
    let topic = format!("{domain}.event-{index:05}-happened.v1");
    write(
        root,
        &format!("{dir}/event.yaml"),
        &format!(
            "name: {name}\nsummary: Generated event {index}.\nstatus: approved\nformat: {format}\n\
             schema: {schema_file}\ntopics: [{topic}]\nproducers: [{domain}-producer]\n\
             consumers: [{domain}-consumer, {other}-consumer]\nexamples: [examples/sample.json]\n"
        ),
    )
}

fn avro_schema(domain: &str, name: &str, revision: usize) -> String {
    let mut fields = String::from(
        r#"{"name":"id","type":"string"},{"name":"amount","type":"gen.common.Money"},{"name":"note","type":["null","string"],"default":null}"#,
    );
    for extra in 1..=revision {
        let _ = write!(
            fields,
            r#",{{"name":"extra{extra}","type":["null","long"],"default":null}}"#
        );
    }
    format!(r#"{{"type":"record","name":"{name}","namespace":"gen.{domain}","fields":[{fields}]}}"#)
}

fn avro_example() -> String {
    r#"{"id":"e-1","amount":{"currency":"EUR","amountMinor":100},"note":{"string":"hi"}}"#
        .to_string()
}

fn proto_schema(domain: &str, name: &str, revision: usize) -> String {
    let mut fields =
        String::from("  string id = 1;\n  gen.common.Money amount = 2;\n  string note = 3;\n");
    for extra in 1..=revision {
        let _ = writeln!(fields, "  int64 extra{extra} = {};", extra + 3);
    }
    format!(
        "syntax = \"proto3\";\npackage gen.{domain};\nimport \"gen/common/money.proto\";\n\nmessage {name} {{\n{fields}}}\n"
    )
}

fn proto_example() -> String {
    r#"{"id":"e-1","amount":{"currency":"EUR","amountMinor":"100"},"note":"hi"}"#.to_string()
}

fn json_schema(revision: usize) -> String {
    let mut properties = String::from(
        r#""id":{"type":"string"},"amount":{"$ref":"../../../common/schemas/money.json"},"note":{"type":"string"}"#,
    );
    for extra in 1..=revision {
        let _ = write!(properties, r#","extra{extra}":{{"type":"integer"}}"#);
    }
    format!(
        r#"{{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","required":["id"],"additionalProperties":false,"properties":{{{properties}}}}}"#
    )
}

fn json_example() -> String {
    r#"{"id":"e-1","amount":{"currency":"EUR","amountMinor":100},"note":"hi"}"#.to_string()
}
