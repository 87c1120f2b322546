//! Schema formats: Avro, Protobuf and JSON Schema.
//!
//! [`compile`] turns an event's schema file, with the shared types it imports or references, into
//! a [`Compiled`] schema, recording a finding for anything that stops it. A compiled schema can
//! check example payloads and tells lint rules its field names, namespace and record name.
//! Each format lives in its own module; this one only dispatches.

pub mod avro;
pub mod avro_names;
pub mod fields;
pub mod json;
pub mod protobuf;
pub mod protobuf_descriptor;
pub mod wellknown;

use serde_json::Value;

use crate::catalog::{Catalog, Event, Format, ReadError, SchemaRole};
use crate::findings::{finding, Findings, Site};
use crate::rules;
use crate::source::{offset_of, position_at, Position, Seg};
use crate::tree::{CatalogPath, PathError};

/// A name a schema declares (a field, a package), and where.
#[derive(Clone, Debug)]
pub struct Declared {
    pub name: String,
    pub site: Site,
}

/// A compiled schema, in one of the three formats. Compiled once per event and held briefly;
/// the variants' sizes differ but boxing would only add an allocation per event.
#[allow(clippy::large_enum_variant)]
pub enum Compiled {
    Avro(avro::AvroSchema),
    Protobuf(protobuf::ProtoSchema),
    Json(json::JsonSchema),
}

impl Compiled {
    pub fn format(&self) -> Format {
        match self {
            Compiled::Avro(_) => Format::Avro,
            Compiled::Protobuf(_) => Format::Protobuf,
            Compiled::Json(_) => Format::Json,
        }
    }

    /// Checks one example payload (the text of `file`) against the schema.
    pub fn check_example(&self, file: &CatalogPath, text: &str, findings: &mut Findings) {
        match self {
            Compiled::Avro(schema) => {
                if let Some(value) = parse_json(file, text, rules::EXAMPLE_NOT_JSON, findings) {
                    schema.check_example(file, &value, findings);
                }
            }
            Compiled::Protobuf(schema) => schema.check_example(file, text, findings),
            Compiled::Json(schema) => {
                if let Some(value) = parse_json(file, text, rules::EXAMPLE_NOT_JSON, findings) {
                    schema.check_example(file, &value, findings);
                }
            }
        }
    }

    /// Every field the payload carries, nested ones included (see [`fields`]).
    pub fn fields(&self, catalog: &Catalog) -> Vec<fields::Field> {
        self.fields_with(catalog, fields::Detail::Docs)
    }

    /// [`fields`](Self::fields) with only what `detail` asks for.
    pub fn fields_with(&self, catalog: &Catalog, detail: fields::Detail<'_>) -> Vec<fields::Field> {
        match self {
            Compiled::Avro(schema) => fields::avro(schema, detail),
            Compiled::Protobuf(schema) => fields::protobuf(schema, detail),
            Compiled::Json(schema) => fields::json(schema, catalog, detail),
        }
    }

    /// The catalog files the schema uses besides its own (imports, `$ref`s, named types).
    pub fn shared_files(&self) -> Vec<CatalogPath> {
        match self {
            Compiled::Avro(schema) => schema.shared_files().to_vec(),
            Compiled::Protobuf(schema) => schema.imports().to_vec(),
            Compiled::Json(schema) => json::referenced_files(schema.value())
                .iter()
                .filter_map(|reference| schema.path().parent().join(reference).ok())
                .collect(),
        }
    }

    /// The field (property) names the event's own schema file declares.
    pub fn field_names(&self) -> Vec<Declared> {
        match self {
            Compiled::Avro(schema) => schema.field_names(),
            Compiled::Protobuf(schema) => schema.field_names(),
            Compiled::Json(schema) => schema.field_names(),
        }
    }

    /// The Avro namespace or Protobuf package of the payload type; JSON Schema has none.
    pub fn namespace(&self) -> Option<Declared> {
        match self {
            Compiled::Avro(schema) => schema.namespace(),
            Compiled::Protobuf(schema) => schema.package(),
            Compiled::Json(_) => None,
        }
    }

    /// The fully qualified record name, as the registry's record subject strategies use it.
    pub fn record_name(&self) -> Option<String> {
        match self {
            Compiled::Avro(schema) => schema.record_name(),
            Compiled::Protobuf(schema) => Some(schema.message_name()),
            Compiled::Json(schema) => schema.title(),
        }
    }
}

/// Why schemas are compiled: to check them (lint: every check, example validators built), or
/// to read them (discovery: fields and references only; invalid schemas are lint's to report).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Check,
    Read,
}

/// What compiling needs beyond the event itself, built once per run and shared by all events.
pub struct SchemaContext {
    purpose: Purpose,
    avro_types: avro::SharedTypes,
    /// Shared JSON Schema files that are not valid schemas (reported at their own lines).
    broken_json: std::collections::HashSet<CatalogPath>,
    proto_imports: std::sync::Arc<protobuf::ParsedImports>,
}

impl SchemaContext {
    /// Indexes the catalog's shared schemas (Avro needs an index: a named type is found by
    /// name, not by path) and validates the shared JSON Schemas. Problems in shared files are
    /// recorded once, here.
    pub fn new(catalog: &Catalog, findings: &mut Findings) -> Self {
        Self::with_purpose(catalog, Purpose::Check, findings)
    }

    pub fn with_purpose(catalog: &Catalog, purpose: Purpose, findings: &mut Findings) -> Self {
        SchemaContext {
            purpose,
            avro_types: avro::SharedTypes::index(catalog, findings),
            broken_json: json::check_shared(catalog, findings),
            proto_imports: Default::default(),
        }
    }
}

/// Where event.yaml declares one of its schemas.
pub struct SchemaDeclaration<'e> {
    /// The file, as written (relative to the event's folder).
    pub file: &'e str,
    /// Protobuf: the message named, if any.
    pub message: Option<&'e str>,
    /// The path of the declaring mapping in event.yaml (empty for the value, `key` for the key).
    pub at: Vec<Seg>,
}

/// How `event` declares its schema in `role`; `None` for a key the event does not have.
pub fn declaration(event: &Event, role: SchemaRole) -> Option<SchemaDeclaration<'_>> {
    match role {
        SchemaRole::Value => Some(SchemaDeclaration {
            file: &event.spec.schema,
            message: event.spec.message.as_deref(),
            at: Vec::new(),
        }),
        SchemaRole::Key => event.spec.key.as_ref().map(|key| SchemaDeclaration {
            file: &key.schema,
            message: key.message.as_deref(),
            at: vec![Seg::key("key")],
        }),
    }
}

impl SchemaDeclaration<'_> {
    /// The event.yaml path of one of the declaration's keys (`schema`, `message`).
    pub fn key_path(&self, key: &str) -> Vec<Seg> {
        let mut path = self.at.clone();
        path.push(Seg::key(key));
        path
    }
}

/// Resolves a declared schema's path, reporting bad paths at its `schema:` key in event.yaml.
pub fn schema_path(
    event: &Event,
    declared: &SchemaDeclaration<'_>,
    findings: &mut Findings,
) -> Option<CatalogPath> {
    resolve_reference(event, declared.file, declared.key_path("schema"), findings)
}

/// Resolves a path written in event.yaml (at `yaml_path`) relative to the event's folder.
pub fn resolve_reference(
    event: &Event,
    written: &str,
    yaml_path: Vec<Seg>,
    findings: &mut Findings,
) -> Option<CatalogPath> {
    match event.dir.join(written) {
        Ok(path) => Some(path),
        Err(error) => {
            let rule = match error {
                PathError::Empty => rules::MISSING_FILE,
                PathError::Absolute(_) | PathError::EscapesRoot(_) => rules::PATH_ESCAPE,
            };
            findings.add(rule, Site::value(&event.file, yaml_path), error.to_string());
            None
        }
    }
}

/// Compiles one of an event's schemas. `None` when it cannot be (the findings say why), or when
/// the event has no schema in that role.
pub fn compile(
    context: &SchemaContext,
    catalog: &Catalog,
    event: &Event,
    role: SchemaRole,
    findings: &mut Findings,
) -> Option<Compiled> {
    let declared = declaration(event, role)?;
    let path = schema_path(event, &declared, findings)?;
    let reference = Site::value(&event.file, declared.key_path("schema"));
    let text = catalog.read_text_or_report(&path, &reference, findings)?;
    if path.extension() != Some(event.spec.format.extension()) {
        findings.push(
            finding(
                rules::SCHEMA_EXTENSION,
                reference.clone(),
                format!(
                    "{} schema {path} should end in .{}",
                    event.spec.format,
                    event.spec.format.extension()
                ),
            )
            .with_help(format!(
                "rename the file to end in .{}, or correct `format:`",
                event.spec.format.extension()
            )),
        );
    }
    match event.spec.format {
        Format::Avro => context
            .avro_types
            .compile(&path, &text, findings)
            .map(Compiled::Avro),
        Format::Protobuf => protobuf::compile(
            &context.proto_imports,
            catalog,
            event,
            &declared,
            &path,
            findings,
        )
        .map(Compiled::Protobuf),
        Format::Json => json::compile(
            catalog,
            &context.broken_json,
            &path,
            &text,
            context.purpose,
            findings,
        )
        .map(Compiled::Json),
    }
}

/// The position of a serde_json error in `text`.
/// A shared schema file compiled on its own (Avro: its type, with the other shared types; JSON
/// Schema: the document; Protobuf: the file, its first message standing for it). `None` for
/// files that do not compile.
pub fn compile_shared(
    context: &SchemaContext,
    catalog: &Catalog,
    path: &CatalogPath,
) -> Option<Compiled> {
    let mut ignored = Findings::new();
    match path.extension()? {
        "avsc" => {
            let text = catalog.read_text(path).ok()?;
            context
                .avro_types
                .compile_shared(path, &text, &mut ignored)
                .map(Compiled::Avro)
        }
        "json" => {
            let text = catalog.read_text(path).ok()?;
            let value = serde_json::from_str(&text).ok()?;
            Some(Compiled::Json(json::JsonSchema::for_reading(
                path.clone(),
                value,
            )))
        }
        "proto" => {
            protobuf::compile_shared(&context.proto_imports, catalog, path).map(Compiled::Protobuf)
        }
        _ => None,
    }
}

/// The fields a shared schema file defines (see [`compile_shared`]); for Protobuf, those of
/// every top-level message, under the message's name.
pub fn shared_fields(
    context: &SchemaContext,
    catalog: &Catalog,
    path: &CatalogPath,
) -> Option<Vec<fields::Field>> {
    match compile_shared(context, catalog, path)? {
        Compiled::Protobuf(schema) => Some(fields::protobuf_file(&schema, fields::Detail::Docs)),
        compiled => Some(compiled.fields(catalog)),
    }
}

pub fn json_error_position(text: &str, error: &serde_json::Error) -> Position {
    position_at(
        text,
        offset_of(text, error.line().max(1), error.column().saturating_sub(1)),
    )
}

/// Parses a file as JSON, recording a `rule` finding at the error's position when it is not.
pub fn parse_json(
    file: &CatalogPath,
    text: &str,
    rule: &'static crate::rules::Rule,
    findings: &mut Findings,
) -> Option<Value> {
    match serde_json::from_str(text) {
        Ok(value) => Some(value),
        Err(error) => {
            findings.add(
                rule,
                Site::At(file.clone(), json_error_position(text, &error)),
                format!("not valid JSON: {}", strip_json_location(&error)),
            );
            None
        }
    }
}

/// serde_json appends "at line L column C"; the position is shown separately.
pub fn strip_json_location(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.find(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message,
    }
}

/// A message for a read failure of a file found through an import or reference.
pub fn describe_read_error(path: &CatalogPath, error: &ReadError) -> String {
    match error {
        ReadError::NotFound => format!("{path} does not exist"),
        ReadError::EscapesRoot => format!("{path} is a symlink out of the catalog"),
        ReadError::TooLarge { size, .. } => format!("{path} is too large ({size} bytes)"),
        ReadError::NotUtf8 { .. } => format!("{path} is not UTF-8"),
        ReadError::NotAFile => format!("{path} is not a file"),
        ReadError::Io(message) => format!("{path} cannot be read: {message}"),
    }
}
