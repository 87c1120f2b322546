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
//! `--per-domain N` puts N events in each domain (default 50; 20 gives 500 domains at 10,000 events).
//! `--fields N` adds N optional, documented fields of the kinds real events carry (identifiers,
//! timestamps, amounts, a nested address record) to every schema (default 0).
//! `--vocabulary N` writes a `vocabulary.yaml` of N terms: the realistic fields' (with their
//! types, so the catalog still lints clean) and made-up ones, each with aliases.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What to generate (public so tests can generate catalogs with it too).
pub struct Options {
    pub events: usize,
    pub out: PathBuf,
    pub revision: usize,
    pub changed: Option<usize>,
    pub base: usize,
    pub level: String,
    pub per_domain: usize,
    pub fields: usize,
    pub vocabulary: usize,
}

impl Options {
    /// `events` events into `out`, with every other setting at its default.
    pub fn new(events: usize, out: PathBuf) -> Options {
        Options {
            events,
            out,
            revision: 0,
            changed: None,
            base: 0,
            level: "BACKWARD".to_string(),
            per_domain: 50,
            fields: 0,
            vocabulary: 0,
        }
    }
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options::new(1000, PathBuf::new());
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        let number = || value.parse::<usize>().map_err(|e| format!("{arg}: {e}"));
        match arg.as_str() {
            "--events" => options.events = number()?,
            "--out" => out = Some(PathBuf::from(&value)),
            "--revision" => options.revision = number()?,
            "--changed" => options.changed = Some(number()?),
            "--level" => options.level = value,
            "--base" => options.base = number()?,
            "--per-domain" => options.per_domain = number()?.max(1),
            "--fields" => options.fields = number()?,
            "--vocabulary" => options.vocabulary = number()?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    options.out = out.ok_or("--out DIR is required")?;
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("gencat: {message}\nusage: gencat --events N --out DIR [--revision K] [--changed N] [--base K] [--level LEVEL] [--per-domain N] [--fields N] [--vocabulary N]");
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
    let domains = options.events.div_ceil(options.per_domain.max(1)).max(1);
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
    if options.vocabulary > 0 {
        write(root, "vocabulary.yaml", &vocabulary(options.vocabulary))?;
    }
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
        write_event(root, options, event, domains, revision)?;
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

fn write_event(
    root: &Path,
    options: &Options,
    index: usize,
    domains: usize,
    revision: usize,
) -> std::io::Result<()> {
    let domain_index = index / options.per_domain.max(1);
    let domain = domain_name(domain_index);
    let other = domain_name((domain_index + 1) % domains);
    let name = format!("Event{index:05}Happened");
    let dir = format!("domains/{domain}/events/{name}");
    let (format, schema_file, schema, example) = match index % 3 {
        0 => (
            "avro",
            "schema.avsc",
            avro_schema(&domain, &name, revision, options.fields),
            avro_example(),
        ),
        1 => (
            "protobuf",
            "schema.proto",
            proto_schema(&domain, &name, revision, options.fields),
            proto_example(),
        ),
        _ => (
            "json",
            "schema.json",
            json_schema(revision, options.fields),
            json_example(),
        ),
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

fn avro_schema(domain: &str, name: &str, revision: usize, realistic: usize) -> String {
    let mut fields = String::from(
        r#"{"name":"id","type":"string"},{"name":"amount","type":"gen.common.Money"},{"name":"note","type":["null","string"],"default":null}"#,
    );
    for (index, field) in realistic_fields(realistic) {
        let (name, doc) = (camel(field.name, index), field.doc);
        let avro_type = match field.kind {
            Kind::Text => r#""string""#.to_string(),
            Kind::Count => r#""int""#.to_string(),
            Kind::Decimal => r#""double""#.to_string(),
            Kind::Timestamp => r#"{"type":"long","logicalType":"timestamp-millis"}"#.to_string(),
            Kind::Address => format!(
                r#"{{"type":"record","name":"Address{index}","fields":[{{"name":"street","type":"string","doc":"Street and number."}},{{"name":"city","type":"string"}},{{"name":"postalCode","type":["null","string"],"default":null}},{{"name":"countryCode","type":"string","doc":"ISO 3166-1 alpha-2."}}]}}"#
            ),
        };
        let _ = write!(
            fields,
            r#",{{"name":"{name}","type":["null",{avro_type}],"default":null,"doc":"{doc}"}}"#
        );
    }
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

fn proto_schema(domain: &str, name: &str, revision: usize, realistic: usize) -> String {
    let mut fields =
        String::from("  string id = 1;\n  gen.common.Money amount = 2;\n  string note = 3;\n");
    for extra in 1..=revision {
        let _ = writeln!(fields, "  int64 extra{extra} = {};", extra + 3);
    }
    // Numbers after the revisions' range, so revisions and realistic fields never collide.
    for (index, field) in realistic_fields(realistic) {
        let proto_type = match field.kind {
            Kind::Text => "string".to_string(),
            Kind::Count => "int32".to_string(),
            Kind::Decimal => "double".to_string(),
            Kind::Timestamp => "int64".to_string(),
            Kind::Address => {
                let _ = writeln!(
                    fields,
                    "  message Address{index} {{\n    // Street and number.\n    string street = 1;\n    string city = 2;\n    string postal_code = 3;\n    // ISO 3166-1 alpha-2.\n    string country_code = 4;\n  }}"
                );
                format!("Address{index}")
            }
        };
        let _ = writeln!(
            fields,
            "  // {}\n  {proto_type} {} = {};",
            field.doc,
            snake(field.name, index),
            1000 + index
        );
    }
    format!(
        "syntax = \"proto3\";\npackage gen.{domain};\nimport \"gen/common/money.proto\";\n\nmessage {name} {{\n{fields}}}\n"
    )
}

fn proto_example() -> String {
    r#"{"id":"e-1","amount":{"currency":"EUR","amountMinor":"100"},"note":"hi"}"#.to_string()
}

fn json_schema(revision: usize, realistic: usize) -> String {
    let mut properties = String::from(
        r#""id":{"type":"string"},"amount":{"$ref":"../../../common/schemas/money.json"},"note":{"type":"string"}"#,
    );
    for (index, field) in realistic_fields(realistic) {
        let json_type = match field.kind {
            Kind::Text => r#""type":"string""#,
            Kind::Count => r#""type":"integer","minimum":0"#,
            Kind::Decimal => r#""type":"number""#,
            Kind::Timestamp => r#""type":"string","format":"date-time""#,
            Kind::Address => {
                r#""type":"object","required":["street","city","countryCode"],"properties":{"street":{"type":"string","description":"Street and number."},"city":{"type":"string"},"postalCode":{"type":"string"},"countryCode":{"type":"string","description":"ISO 3166-1 alpha-2."}}"#
            }
        };
        let _ = write!(
            properties,
            r#","{}":{{{json_type},"description":"{}"}}"#,
            camel(field.name, index),
            field.doc
        );
    }
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

enum Kind {
    Text,
    Count,
    Decimal,
    Timestamp,
    Address,
}

struct RealisticField {
    /// snake_case; each format spells it in its own case.
    name: &'static str,
    doc: &'static str,
    kind: Kind,
}

const REALISTIC_FIELDS: [RealisticField; 12] = [
    RealisticField {
        name: "customer_id",
        doc: "The customer's identifier, as issued by the customer domain.",
        kind: Kind::Text,
    },
    RealisticField {
        name: "order_id",
        doc: "The order this event belongs to.",
        kind: Kind::Text,
    },
    RealisticField {
        name: "occurred_at",
        doc: "When it happened, in UTC.",
        kind: Kind::Timestamp,
    },
    RealisticField {
        name: "shipping_address",
        doc: "Where the goods go.",
        kind: Kind::Address,
    },
    RealisticField {
        name: "email",
        doc: "The customer's e-mail address (personal data).",
        kind: Kind::Text,
    },
    RealisticField {
        name: "quantity",
        doc: "How many units.",
        kind: Kind::Count,
    },
    RealisticField {
        name: "unit_price",
        doc: "Price of one unit in the order's currency.",
        kind: Kind::Decimal,
    },
    RealisticField {
        name: "country_code",
        doc: "ISO 3166-1 alpha-2 country of the sale.",
        kind: Kind::Text,
    },
    RealisticField {
        name: "sales_channel",
        doc: "web, app, store or partner.",
        kind: Kind::Text,
    },
    RealisticField {
        name: "session_id",
        doc: "The browsing session, for attribution.",
        kind: Kind::Text,
    },
    RealisticField {
        name: "correlation_id",
        doc: "Ties together the events of one business transaction.",
        kind: Kind::Text,
    },
    RealisticField {
        name: "recorded_at",
        doc: "When the producer recorded it.",
        kind: Kind::Timestamp,
    },
];

/// The first `count` realistic fields, with their position (names repeat, numbered, past the list).
fn realistic_fields(count: usize) -> impl Iterator<Item = (usize, &'static RealisticField)> {
    (0..count).map(|index| (index, &REALISTIC_FIELDS[index % REALISTIC_FIELDS.len()]))
}

/// The field's name in snake_case, numbered when the list has come round.
fn snake(name: &str, index: usize) -> String {
    match index / REALISTIC_FIELDS.len() {
        0 => name.to_string(),
        round => format!("{name}_{round}"),
    }
}

fn camel(name: &str, index: usize) -> String {
    let mut out = String::new();
    for (position, word) in snake(name, index).split('_').enumerate() {
        let mut chars = word.chars();
        match chars.next() {
            Some(first) if position > 0 => {
                out.push(first.to_ascii_uppercase());
                out.extend(chars);
            }
            _ => out.push_str(word),
        }
    }
    out
}

/// A vocabulary of `terms` terms: first the realistic fields' own, then made-up attributes.
fn vocabulary(terms: usize) -> String {
    let mut text = String::from("terms:\n");
    for index in 0..terms {
        let (name, types) = match REALISTIC_FIELDS.get(index) {
            Some(field) => (field.name.to_string(), field_types(&field.kind)),
            None => (
                format!("attribute_{index}"),
                "{ avro: string, protobuf: string, json: string }".to_string(),
            ),
        };
        let _ = write!(
            text,
            "  term-{index}:\n    name: Term {index}\n    field: {name}\n    owner: platform-team\n    \
             types: {types}\n    aliases: [{name}_alias, alt_{index}_{name}]\n"
        );
    }
    text
}

fn field_types(kind: &Kind) -> String {
    match kind {
        Kind::Text => "{ avro: string, protobuf: string, json: string }",
        Kind::Count => "{ avro: int, protobuf: int32, json: integer }",
        Kind::Decimal => "{ avro: double, protobuf: double, json: number }",
        Kind::Timestamp => "{ avro: timestamp-millis, protobuf: int64, json: string (date-time) }",
        // Each event defines its own address record: no one type to name.
        Kind::Address => "{}",
    }
    .to_string()
}
