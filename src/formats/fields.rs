//! The fields a compiled schema carries, in one shape for all three formats: what discovery
//! shows (field tables), searches (field names and docs) and what governance can match on.
//! Nested records, messages and objects are walked, each field with its dotted path
//! (`amount.currency`; `lines[].sku` for the items of an array, `attributes{}.x` for map
//! values); a type that contains itself is walked once.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use apache_avro::schema::{RecordSchema, Schema};
use prost_reflect::{Cardinality, ExtensionDescriptor, FieldDescriptor, Kind, MessageDescriptor};
use serde::Serialize;
use serde_json::Value;

use super::avro::AvroSchema;
use super::json::JsonSchema;
use super::protobuf::ProtoSchema;
use crate::catalog::{Catalog, Classification};
use crate::tree::CatalogPath;

/// One field of a schema.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Field {
    /// Dotted from the payload's root: `amount.currency`.
    pub path: String,
    pub name: String,
    /// The type as the format writes it (`string`, `long (timestamp-millis)`, `gen.common.Money`,
    /// `array<string>`).
    #[serde(rename = "type")]
    pub type_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Whether a payload must carry it: Avro, a field without a default that is not nullable;
    /// Protobuf, `required` (proto2) only; JSON Schema, listed in `required`.
    pub required: bool,
    /// The data-contract tags the schema gives the field, as Confluent writes them: Avro field
    /// property and JSON Schema keyword `confluent:tags`, Protobuf `(confluent.field_meta).tags`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// How sensitive the field is (its vocabulary term's and its tags' classification, the
    /// strictest); filled in by whoever knows the vocabulary (`Classifier`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<Classification>,
}

impl Field {
    /// Its classification and tags as tables show them: `confidential (PII)`; empty for a
    /// field with neither.
    pub fn sensitivity_label(&self) -> String {
        let level = self.classification.map(Classification::as_str);
        match (level, self.tags.is_empty()) {
            (Some(level), true) => level.to_string(),
            (Some(level), false) => format!("{level} ({})", self.tags.join(", ")),
            (None, false) => format!("({})", self.tags.join(", ")),
            (None, true) => String::new(),
        }
    }
}

/// The property (Avro, JSON Schema) that holds a field's tags.
pub const TAGS_PROPERTY: &str = "confluent:tags";

/// The strings of a `confluent:tags` value.
fn tag_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// What a walk fills in: `Docs` adds each field's doc and default, which the vocabulary check
/// (a lookup by name and type per field, on every lint) does without; `Tags` keeps only the
/// fields that carry tags, without types (all that classifies a field when there is no
/// vocabulary, on every lint).
#[derive(Clone, Copy)]
pub enum Detail<'f> {
    Docs,
    /// Types, of the fields that carry tags or whose name `named` accepts (the vocabulary's
    /// names: the others are not built at all).
    Named(&'f dyn Fn(&str) -> bool),
    Tags,
}

impl Detail<'_> {
    /// Whether the field `name` with `tags` is kept.
    fn keeps(self, name: &str, tags: &[String]) -> bool {
        match self {
            Detail::Docs => true,
            Detail::Named(named) => !tags.is_empty() || named(name),
            Detail::Tags => !tags.is_empty(),
        }
    }

    fn docs(self) -> bool {
        matches!(self, Detail::Docs)
    }

    /// The field's type, unless the walk does without.
    fn type_name(self, name: impl FnOnce() -> String) -> String {
        match self {
            Detail::Tags => String::new(),
            Detail::Docs | Detail::Named(_) => name(),
        }
    }
}

/// How deep nested types are walked: a bound for pathological schemas, far beyond real ones.
const MAX_DEPTH: usize = 32;

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

pub fn avro(schema: &AvroSchema, detail: Detail<'_>) -> Vec<Field> {
    let mut walker = AvroWalker {
        schema,
        detail,
        fields: Vec::new(),
        open: HashSet::new(),
    };
    walker.walk(schema.schema(), "", 0);
    walker.fields
}

struct AvroWalker<'a, 'f> {
    schema: &'a AvroSchema,
    detail: Detail<'f>,
    fields: Vec<Field>,
    /// Records being walked (a recursive type is walked once).
    open: HashSet<String>,
}

impl<'a> AvroWalker<'a, '_> {
    fn resolve(&self, schema: &'a Schema) -> &'a Schema {
        match schema {
            Schema::Ref { name } => self
                .schema
                .named_type(&name.fullname(None))
                .unwrap_or(schema),
            _ => schema,
        }
    }

    /// Walks into the records a field's type holds (directly, in a union, array or map).
    fn walk(&mut self, schema: &'a Schema, prefix: &str, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match self.resolve(schema) {
            Schema::Record(record) => self.record(record, prefix, depth),
            Schema::Union(union) => {
                for variant in union.variants() {
                    self.walk(variant, prefix, depth);
                }
            }
            Schema::Array(array) => self.walk(&array.items, &format!("{prefix}[]"), depth),
            Schema::Map(map) => self.walk(&map.types, &format!("{prefix}{{}}"), depth),
            _ => {}
        }
    }

    fn record(&mut self, record: &'a RecordSchema, prefix: &str, depth: usize) {
        let full_name = record.name.fullname(None);
        if !self.open.insert(full_name.clone()) {
            return;
        }
        for field in &record.fields {
            let path = join(prefix, &field.name);
            let nullable = matches!(&field.schema, Schema::Union(union)
                if union.variants().iter().any(|variant| matches!(variant, Schema::Null)));
            let tags = tag_list(field.custom_attributes.get(TAGS_PROPERTY));
            if !self.detail.keeps(&field.name, &tags) {
                self.walk(&field.schema, &path, depth + 1);
                continue;
            }
            self.fields.push(Field {
                path: path.clone(),
                name: field.name.clone(),
                type_name: self.detail.type_name(|| avro_type_name(&field.schema)),
                doc: self.detail.docs().then(|| field.doc.clone()).flatten(),
                default: self.detail.docs().then(|| field.default.clone()).flatten(),
                required: field.default.is_none() && !nullable,
                tags,
                classification: None,
            });
            self.walk(&field.schema, &path, depth + 1);
        }
        self.open.remove(&full_name);
    }
}

/// An Avro type as people write it.
fn avro_type_name(schema: &Schema) -> String {
    let logical = |base: &str, logical: &str| format!("{base} ({logical})");
    if let Some(name) = super::avro::primitive_name(schema) {
        return name.into();
    }
    match schema {
        Schema::Uuid => logical("string", "uuid"),
        Schema::Date => logical("int", "date"),
        Schema::TimeMillis => logical("int", "time-millis"),
        Schema::TimeMicros => logical("long", "time-micros"),
        Schema::TimestampMillis => logical("long", "timestamp-millis"),
        Schema::TimestampMicros => logical("long", "timestamp-micros"),
        Schema::TimestampNanos => logical("long", "timestamp-nanos"),
        Schema::LocalTimestampMillis => logical("long", "local-timestamp-millis"),
        Schema::LocalTimestampMicros => logical("long", "local-timestamp-micros"),
        Schema::Decimal(decimal) => format!("decimal({}, {})", decimal.precision, decimal.scale),
        Schema::BigDecimal => logical("bytes", "big-decimal"),
        Schema::Array(array) => format!("array<{}>", avro_type_name(&array.items)),
        Schema::Map(map) => format!("map<{}>", avro_type_name(&map.types)),
        Schema::Union(union) => union
            .variants()
            .iter()
            .map(avro_type_name)
            .collect::<Vec<_>>()
            .join(" | "),
        Schema::Record(record) => record.name.fullname(None),
        Schema::Enum(inner) => format!("enum {}", inner.name.fullname(None)),
        Schema::Fixed(inner) => {
            format!("fixed {} ({} bytes)", inner.name.fullname(None), inner.size)
        }
        Schema::Ref { name } => name.fullname(None),
        other => format!("{:?}", apache_avro::schema::SchemaKind::from(other)).to_lowercase(),
    }
}

pub fn protobuf(schema: &ProtoSchema, detail: Detail<'_>) -> Vec<Field> {
    proto_walk(schema, detail, |walker| {
        walker.message(schema.message(), "", 0)
    })
}

/// The fields of every top-level message of a shared Protobuf file, each path starting with
/// its message's name (`Money.currency_code`): such a file has no single payload message.
pub fn protobuf_file(schema: &ProtoSchema, detail: Detail<'_>) -> Vec<Field> {
    proto_walk(schema, detail, |walker| {
        for message in schema.file().messages() {
            walker.message(&message, message.name(), 0);
        }
    })
}

fn proto_walk(
    schema: &ProtoSchema,
    detail: Detail<'_>,
    walk: impl FnOnce(&mut ProtoWalker<'_, '_>),
) -> Vec<Field> {
    let field_meta = schema.pool().get_extension_by_name(FIELD_META);
    if matches!(detail, Detail::Tags) && field_meta.is_none() {
        // Without confluent/meta.proto no field can carry tags.
        return Vec::new();
    }
    let mut walker = ProtoWalker {
        schema,
        detail,
        field_meta,
        open: HashSet::new(),
        fields: Vec::new(),
    };
    walk(&mut walker);
    walker.fields
}

/// The field option that holds Confluent's field tags (`confluent/meta.proto`).
const FIELD_META: &str = "confluent.field_meta";

struct ProtoWalker<'a, 'f> {
    schema: &'a ProtoSchema,
    detail: Detail<'f>,
    /// `confluent.field_meta`, when the schema imports `confluent/meta.proto` (without the
    /// import no field can carry it, and no field's options are decoded).
    field_meta: Option<ExtensionDescriptor>,
    /// Messages being walked (a recursive type is walked once).
    open: HashSet<String>,
    fields: Vec<Field>,
}

impl ProtoWalker<'_, '_> {
    fn tags_of(&self, field: &FieldDescriptor) -> Vec<String> {
        let Some(field_meta) = &self.field_meta else {
            return Vec::new();
        };
        if field.field_descriptor_proto().options.is_none() {
            return Vec::new();
        }
        let options = field.options();
        if !options.has_extension(field_meta) {
            return Vec::new();
        }
        match options.get_extension(field_meta).as_message() {
            Some(meta) => meta
                .get_field_by_name("tags")
                .and_then(|tags| {
                    tags.as_list().map(|tags| {
                        tags.iter()
                            .filter_map(|tag| tag.as_str().map(str::to_string))
                            .collect()
                    })
                })
                .unwrap_or_default(),
            None => Vec::new(),
        }
    }

    fn message(&mut self, message: &MessageDescriptor, prefix: &str, depth: usize) {
        if depth > MAX_DEPTH || !self.open.insert(message.full_name().to_string()) {
            return;
        }
        for field in message.fields() {
            let path = join(prefix, field.name());
            let tags = self.tags_of(&field);
            if self.detail.keeps(field.name(), &tags) {
                self.fields.push(Field {
                    path: path.clone(),
                    name: field.name().to_string(),
                    type_name: self.detail.type_name(|| proto_type_name(&field)),
                    doc: self
                        .detail
                        .docs()
                        .then(|| self.schema.comment_of(&field))
                        .flatten(),
                    default: None,
                    required: field.cardinality() == Cardinality::Required,
                    tags,
                    classification: None,
                });
            }
            let (inner, suffix) = if field.is_map() {
                match field.kind() {
                    Kind::Message(entry) => (entry.map_entry_value_field().kind(), "{}"),
                    _ => continue,
                }
            } else if field.is_list() {
                (field.kind(), "[]")
            } else {
                (field.kind(), "")
            };
            if let Kind::Message(nested) = inner {
                self.message(&nested, &format!("{path}{suffix}"), depth + 1);
            }
        }
        self.open.remove(message.full_name());
    }
}

fn proto_kind_name(kind: &Kind) -> String {
    match kind {
        Kind::Message(message) => message.full_name().to_string(),
        Kind::Enum(inner) => format!("enum {}", inner.full_name()),
        scalar => format!("{scalar:?}").to_lowercase(),
    }
}

fn proto_type_name(field: &FieldDescriptor) -> String {
    match field.kind() {
        Kind::Message(entry) if field.is_map() => format!(
            "map<{}, {}>",
            proto_kind_name(&entry.map_entry_key_field().kind()),
            proto_kind_name(&entry.map_entry_value_field().kind())
        ),
        kind if field.is_list() => format!("repeated {}", proto_kind_name(&kind)),
        kind => proto_kind_name(&kind),
    }
}

pub fn json(schema: &JsonSchema, catalog: &Catalog, detail: Detail<'_>) -> Vec<Field> {
    let mut walker = JsonWalker {
        catalog,
        detail,
        fields: Vec::new(),
        open: HashSet::new(),
        documents: HashMap::new(),
    };
    let root = schema.shared_value();
    walker.object(schema.path(), &root, &root, "", 0);
    walker.fields
}

struct JsonWalker<'c, 'f> {
    catalog: &'c Catalog,
    detail: Detail<'f>,
    fields: Vec<Field>,
    /// `$ref`s being walked (file and pointer), so a recursive schema is walked once.
    open: HashSet<String>,
    /// Other catalog files `$ref`s lead to, each read and parsed once.
    documents: HashMap<CatalogPath, Arc<Value>>,
}

/// Where a `$ref` leads: the file and document it is in, and the JSON pointer into it.
struct Target {
    file: CatalogPath,
    root: Arc<Value>,
    pointer: String,
}

impl Target {
    fn schema(&self) -> Option<&Value> {
        self.root.pointer(&self.pointer)
    }
}

impl JsonWalker<'_, '_> {
    fn document(&mut self, path: &CatalogPath) -> Option<Arc<Value>> {
        if let Some(document) = self.documents.get(path) {
            return Some(document.clone());
        }
        let text = self.catalog.read_text(path).ok()?;
        let document = Arc::new(serde_json::from_str(&text).ok()?);
        self.documents.insert(path.clone(), Arc::clone(&document));
        Some(document)
    }

    /// Follows `$ref` (in the same document or another catalog file) to where it leads.
    fn follow(&mut self, file: &CatalogPath, root: &Arc<Value>, schema: &Value) -> Option<Target> {
        let reference = schema.get("$ref")?.as_str()?;
        let (target, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let (file, root) = if target.is_empty() {
            (file.clone(), Arc::clone(root))
        } else {
            let path = file.parent().join(target).ok()?;
            let document = self.document(&path)?;
            (path, document)
        };
        Some(Target {
            file,
            root,
            pointer: pointer.to_string(),
        })
    }

    fn object(
        &mut self,
        file: &CatalogPath,
        root: &Arc<Value>,
        schema: &Value,
        prefix: &str,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        if schema.get("$ref").is_some() {
            let key = format!("{file}#{}", schema["$ref"]);
            if let Some(target) = self.follow(file, root, schema) {
                if let Some(found) = target.schema() {
                    if self.open.insert(key.clone()) {
                        self.object(&target.file, &target.root, found, prefix, depth + 1);
                        self.open.remove(&key);
                    }
                }
            }
            return;
        }
        for combinator in ["allOf", "anyOf", "oneOf"] {
            for part in schema
                .get(combinator)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.object(file, root, part, prefix, depth + 1);
            }
        }
        if let Some(items) = schema.get("items") {
            self.object(file, root, items, &format!("{prefix}[]"), depth + 1);
        }
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        let required: HashSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (name, property) in properties {
            let path = join(prefix, name);
            let target = self.follow(file, root, property);
            let shown = target.as_ref().and_then(Target::schema).unwrap_or(property);
            let tags = tag_list(
                property
                    .get(TAGS_PROPERTY)
                    .or_else(|| shown.get(TAGS_PROPERTY)),
            );
            if !self.detail.keeps(name, &tags) {
                self.object(file, root, property, &path, depth + 1);
                continue;
            }
            self.fields.push(Field {
                path: path.clone(),
                name: name.clone(),
                type_name: self.detail.type_name(|| json_type_name(property, shown)),
                doc: self
                    .detail
                    .docs()
                    .then(|| {
                        text_of(property, "description").or_else(|| text_of(shown, "description"))
                    })
                    .flatten(),
                default: self
                    .detail
                    .docs()
                    .then(|| {
                        property
                            .get("default")
                            .or_else(|| shown.get("default"))
                            .cloned()
                    })
                    .flatten(),
                required: required.contains(name.as_str()),
                tags,
                classification: None,
            });
            self.object(file, root, property, &path, depth + 1);
        }
    }
}

fn text_of(schema: &Value, key: &str) -> Option<String> {
    schema.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A JSON Schema property's type: its `type` (with `format`), else the title or file of what
/// its `$ref` names.
fn json_type_name(written: &Value, resolved: &Value) -> String {
    let base = match resolved.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => String::new(),
    };
    let base = match (
        base.as_str(),
        resolved.get("items").and_then(|items| items.get("type")),
    ) {
        ("array", Some(Value::String(item))) => format!("array<{item}>"),
        _ => base,
    };
    let named = text_of(resolved, "title").or_else(|| {
        written
            .get("$ref")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    match (base.is_empty(), named, text_of(resolved, "format")) {
        (false, _, Some(format)) => format!("{base} ({format})"),
        (false, Some(name), None) if base == "object" => name,
        (false, _, None) => base,
        (true, Some(name), _) => name,
        (true, None, _) => "any".into(),
    }
}
