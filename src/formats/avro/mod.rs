//! Avro: parsing with shared named types, and checking examples in Avro's JSON encoding.
//!
//! A schema may use a named type (record, enum, fixed) defined in a shared `.avsc` file under any
//! `domains/<domain>/schemas/`, by its full name. [`SharedTypes`] indexes those files once per
//! run; compiling an event passes Apache Avro exactly the shared files it needs.

use std::collections::{BTreeSet, HashMap};

use apache_avro::schema::{Name, RecordSchema, Schema};
use serde_json::{Map, Value};

use super::{parse_json, Declared};
use crate::catalog::Catalog;
use crate::findings::{closest, finding, Findings, Site};
use crate::rules;
use crate::source::{Seg, SharedText};
use crate::tree::CatalogPath;

pub(super) const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// The named types and fields a schema's JSON declares, found without Apache Avro so that each
/// carries its path in the file (for positions) and unresolved names can be reported precisely.
#[derive(Default, Debug)]
pub(super) struct Outline {
    /// Full names of the named types defined, with the path of their definition.
    pub(super) defined: Vec<(String, Vec<Seg>)>,
    /// Type names used, each as a list of candidate full names (namespace-qualified first).
    pub(super) used: Vec<(Vec<String>, Vec<Seg>)>,
    /// Record field names, with the path of their `name`.
    pub(super) fields: Vec<(String, Vec<Seg>)>,
    /// Fields named like an earlier field of the same record (Apache Avro refuses them).
    pub(super) duplicate_fields: Vec<(String, Vec<Seg>)>,
}

/// The named types an Avro schema defines, and the names it uses (each with the full names it
/// may mean, namespace-qualified first), without resolving anything.
pub fn names_of(value: &Value) -> (Vec<String>, Vec<Vec<String>>) {
    let outline = Outline::of(value);
    (
        outline.defined.into_iter().map(|(name, _)| name).collect(),
        outline.used.into_iter().map(|(names, _)| names).collect(),
    )
}

/// The definitions of a name defined earlier in the same list, with the name: Apache Avro's
/// Java parser refuses them ("Can't redefine"), so lint and every other entry point do too.
pub(super) fn redefinitions(defined: &[(String, Vec<Seg>)]) -> Vec<&(String, Vec<Seg>)> {
    let mut seen = BTreeSet::new();
    defined
        .iter()
        .filter(|(name, _)| !seen.insert(name.as_str()))
        .collect()
}

/// The first full name a schema defines twice, if any (see [`redefinitions`]).
pub fn redefined_name(value: &Value) -> Option<String> {
    let outline = Outline::of(value);
    redefinitions(&outline.defined)
        .first()
        .map(|(name, _)| name.clone())
}

impl Outline {
    pub(super) fn of(value: &Value) -> Self {
        let mut outline = Outline::default();
        outline.walk(value, "", &mut Vec::new());
        outline
    }

    pub(super) fn walk(&mut self, value: &Value, namespace: &str, path: &mut Vec<Seg>) {
        match value {
            Value::String(name) if !PRIMITIVES.contains(&name.as_str()) => {
                self.used.push((candidates(name, namespace), path.clone()));
            }
            Value::Array(branches) => {
                for (index, branch) in branches.iter().enumerate() {
                    path.push(Seg::Index(index));
                    self.walk(branch, namespace, path);
                    path.pop();
                }
            }
            Value::Object(object) => self.walk_object(object, namespace, path),
            _ => {}
        }
    }

    pub(super) fn walk_object(
        &mut self,
        object: &Map<String, Value>,
        namespace: &str,
        path: &mut Vec<Seg>,
    ) {
        let kind = object.get("type").and_then(Value::as_str).unwrap_or("");
        match kind {
            "record" | "error" | "enum" | "fixed" => {
                let Some(full_name) = full_name_of(object, namespace) else {
                    return; // Apache Avro reports the missing name.
                };
                self.defined.push((full_name.clone(), path.clone()));
                let inner_namespace = full_name.rsplit_once('.').map_or("", |(space, _)| space);
                if let Some(Value::Array(fields)) = object.get("fields") {
                    self.walk_fields(fields, inner_namespace, path);
                }
            }
            "array" => self.walk_child(object, "items", namespace, path),
            "map" => self.walk_child(object, "values", namespace, path),
            _ => self.walk_child(object, "type", namespace, path),
        }
    }

    pub(super) fn walk_fields(&mut self, fields: &[Value], namespace: &str, path: &mut Vec<Seg>) {
        path.push(Seg::key("fields"));
        let mut names = BTreeSet::new();
        for (index, field) in fields.iter().enumerate() {
            path.push(Seg::Index(index));
            if let Some(name) = field.get("name").and_then(Value::as_str) {
                let mut name_path = path.clone();
                name_path.push(Seg::key("name"));
                if !names.insert(name) {
                    self.duplicate_fields
                        .push((name.to_string(), name_path.clone()));
                }
                self.fields.push((name.to_string(), name_path));
            }
            if let Value::Object(field) = field {
                self.walk_child(field, "type", namespace, path);
            }
            path.pop();
        }
        path.pop();
    }

    pub(super) fn walk_child(
        &mut self,
        object: &Map<String, Value>,
        key: &str,
        namespace: &str,
        path: &mut Vec<Seg>,
    ) {
        if let Some(child) = object.get(key) {
            path.push(Seg::key(key));
            self.walk(child, namespace, path);
            path.pop();
        }
    }
}

/// The full name of a named type's definition, following the Avro specification: a dotted name
/// is already full; otherwise the `namespace` attribute, else the enclosing namespace, applies.
pub(super) fn full_name_of(object: &Map<String, Value>, enclosing: &str) -> Option<String> {
    let name = object.get("name")?.as_str()?;
    if name.contains('.') {
        return Some(name.to_string());
    }
    let namespace = object
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or(enclosing);
    Some(if namespace.is_empty() {
        name.to_string()
    } else {
        format!("{namespace}.{name}")
    })
}

/// The full names a type reference may mean: in the enclosing namespace first, then as written
/// (Avro's Java implementation falls back to the null namespace).
pub(super) fn candidates(name: &str, namespace: &str) -> Vec<String> {
    if name.contains('.') || namespace.is_empty() {
        vec![name.to_string()]
    } else {
        vec![format!("{namespace}.{name}"), name.to_string()]
    }
}

mod shared;

pub use shared::{needed_definitions, SharedTypes};

fn collect_named(schema: &Schema, named: &mut HashMap<String, Schema>) {
    match schema {
        Schema::Record(record) => {
            named.insert(record.name.fullname(None), schema.clone());
            for field in &record.fields {
                collect_named(&field.schema, named);
            }
        }
        Schema::Enum(inner) => {
            named.insert(inner.name.fullname(None), schema.clone());
        }
        Schema::Fixed(inner) => {
            named.insert(inner.name.fullname(None), schema.clone());
        }
        Schema::Array(array) => collect_named(&array.items, named),
        Schema::Map(map) => collect_named(&map.types, named),
        Schema::Union(union) => {
            for variant in union.variants() {
                collect_named(variant, named);
            }
        }
        Schema::Decimal(decimal) => collect_named(&decimal.inner, named),
        _ => {}
    }
}

/// A parsed Avro schema with every named type it can reach.
pub struct AvroSchema {
    file: CatalogPath,
    /// The shared `.avsc` files the schema needed.
    shared: Vec<CatalogPath>,
    schema: Schema,
    named: HashMap<String, Schema>,
    outline: Outline,
}

impl AvroSchema {
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    pub fn shared_files(&self) -> &[CatalogPath] {
        &self.shared
    }

    /// A named type the schema defines or uses from a shared file, by full name.
    pub fn named_type(&self, full_name: &str) -> Option<&Schema> {
        self.named.get(full_name)
    }

    pub fn field_names(&self) -> Vec<Declared> {
        self.outline
            .fields
            .iter()
            .map(|(name, path)| Declared {
                name: name.clone(),
                site: Site::value(&self.file, path.clone()),
            })
            .collect()
    }

    pub fn namespace(&self) -> Option<Declared> {
        let name = self.named_root()?;
        let namespace = name.namespace.clone().unwrap_or_default();
        let (_, path) = self.outline.defined.first()?;
        let mut site_path = path.clone();
        site_path.push(Seg::key("namespace"));
        Some(Declared {
            name: namespace,
            site: Site::value(&self.file, site_path),
        })
    }

    pub fn record_name(&self) -> Option<String> {
        self.named_root().map(|name| name.fullname(None))
    }

    fn named_root(&self) -> Option<&Name> {
        match &self.schema {
            Schema::Record(RecordSchema { name, .. }) => Some(name),
            Schema::Enum(inner) => Some(&inner.name),
            Schema::Fixed(inner) => Some(&inner.name),
            _ => None,
        }
    }

    pub fn check_example(&self, file: &CatalogPath, value: &Value, findings: &mut Findings) {
        let mut problems = Vec::new();
        self.check(&self.schema, value, &mut Vec::new(), &mut problems);
        for (path, message) in problems {
            findings.add(
                rules::EXAMPLE_MISMATCH,
                Site::value(file, path),
                format!("example does not match {}: {message}", self.file),
            );
        }
    }

    /// Checks a value in Avro's JSON encoding against a schema, collecting problems with paths.
    fn check(
        &self,
        schema: &Schema,
        value: &Value,
        path: &mut Vec<Seg>,
        problems: &mut Vec<(Vec<Seg>, String)>,
    ) {
        let mismatch =
            |expected: &str| format!("{} must be {expected}, found {}", at(path), describe(value));
        match encoded_as(schema) {
            primitive @ (Schema::Null
            | Schema::Boolean
            | Schema::Int
            | Schema::Long
            | Schema::Float
            | Schema::Double
            | Schema::String) => {
                if let Some(expected) = primitive_mismatch(primitive, value) {
                    problems.push((path.clone(), mismatch(expected)));
                }
            }
            Schema::Bytes => self.check_bytes(value, None, path, problems),
            Schema::Fixed(fixed) => self.check_bytes(value, Some(fixed.size), path, problems),
            Schema::Duration => self.check_bytes(value, Some(12), path, problems),
            Schema::Decimal(decimal) => self.check(&decimal.inner, value, path, problems),
            Schema::Enum(inner) => match value.as_str() {
                Some(symbol) if inner.symbols.iter().any(|known| known == symbol) => {}
                _ => problems.push((
                    path.clone(),
                    mismatch(&format!("one of the symbols {}", inner.symbols.join(", "))),
                )),
            },
            Schema::Array(array) => match value.as_array() {
                Some(items) => {
                    for (index, item) in items.iter().enumerate() {
                        path.push(Seg::Index(index));
                        self.check(&array.items, item, path, problems);
                        path.pop();
                    }
                }
                None => problems.push((path.clone(), mismatch("an array"))),
            },
            Schema::Map(map) => match value.as_object() {
                Some(entries) => {
                    for (key, entry) in entries {
                        path.push(Seg::Key(key.clone()));
                        self.check(&map.types, entry, path, problems);
                        path.pop();
                    }
                }
                None => problems.push((path.clone(), mismatch("an object (map)"))),
            },
            Schema::Record(record) => self.check_record(record, value, path, problems),
            Schema::Union(union) => self.check_union(union.variants(), value, path, problems),
            Schema::Ref { name } => match self.named.get(&name.fullname(None)) {
                Some(resolved) => self.check(resolved, value, path, problems),
                None => problems.push((
                    path.clone(),
                    format!("type `{}` cannot be resolved", name.fullname(None)),
                )),
            },
            // `encoded_as` mapped every other logical type to the primitive that carries it.
            _ => {}
        }
    }

    fn check_bytes(
        &self,
        value: &Value,
        size: Option<usize>,
        path: &[Seg],
        problems: &mut Vec<(Vec<Seg>, String)>,
    ) {
        let Some(text) = value.as_str() else {
            problems.push((
                path.to_vec(),
                format!(
                    "{} must be a string of bytes (one character per byte, \\u0000-\\u00ff), found {}",
                    at(path),
                    describe(value)
                ),
            ));
            return;
        };
        if text.chars().any(|ch| u32::from(ch) > 0xff) {
            problems.push((
                path.to_vec(),
                format!(
                    "{} holds characters above \\u00ff, which are not bytes",
                    at(path)
                ),
            ));
        } else if let Some(size) = size.filter(|&size| text.chars().count() != size) {
            problems.push((
                path.to_vec(),
                format!(
                    "{} must be exactly {size} bytes, found {}",
                    at(path),
                    text.chars().count()
                ),
            ));
        }
    }

    fn check_record(
        &self,
        record: &RecordSchema,
        value: &Value,
        path: &mut Vec<Seg>,
        problems: &mut Vec<(Vec<Seg>, String)>,
    ) {
        let Some(object) = value.as_object() else {
            problems.push((
                path.clone(),
                format!(
                    "{} must be an object (record {}), found {}",
                    at(path),
                    record.name.fullname(None),
                    describe(value)
                ),
            ));
            return;
        };
        for field in &record.fields {
            match object.get(&field.name) {
                Some(field_value) => {
                    path.push(Seg::Key(field.name.clone()));
                    self.check(&field.schema, field_value, path, problems);
                    path.pop();
                }
                None if field.default.is_none() => problems.push((
                    path.clone(),
                    format!(
                        "{} lacks field `{}`, which has no default",
                        at(path),
                        field.name
                    ),
                )),
                None => {}
            }
        }
        for key in object.keys() {
            if !record.fields.iter().any(|field| &field.name == key) {
                let mut key_path = path.clone();
                key_path.push(Seg::Key(key.clone()));
                problems.push((
                    key_path,
                    format!(
                        "field `{key}` is not in record {}",
                        record.name.fullname(None)
                    ),
                ));
            }
        }
    }

    fn check_union(
        &self,
        branches: &[Schema],
        value: &Value,
        path: &mut Vec<Seg>,
        problems: &mut Vec<(Vec<Seg>, String)>,
    ) {
        let names: Vec<String> = branches.iter().map(branch_name).collect();
        if value.is_null() {
            if !branches.iter().any(|branch| matches!(branch, Schema::Null)) {
                problems.push((
                    path.clone(),
                    format!("{} is null, but the union has no null branch", at(path)),
                ));
            }
            return;
        }
        let single = value
            .as_object()
            .filter(|object| object.len() == 1)
            .and_then(|object| object.iter().next());
        let Some((branch_key, inner)) = single else {
            problems.push((
                path.clone(),
                format!(
                    "{} is a union value: write it as {{\"<type>\": value}} with <type> one of {}",
                    at(path),
                    names.join(", ")
                ),
            ));
            return;
        };
        match names.iter().position(|name| name == branch_key) {
            Some(index) => {
                path.push(Seg::Key(branch_key.clone()));
                self.check(&branches[index], inner, path, problems);
                path.pop();
            }
            None => problems.push((
                path.clone(),
                format!(
                    "`{branch_key}` is not a branch of the union; branches: {}",
                    names.join(", ")
                ),
            )),
        }
    }
}

/// What a primitive's JSON value should have been, when `value` is not one.
fn primitive_mismatch(primitive: &Schema, value: &Value) -> Option<&'static str> {
    let (fits, expected) = match primitive {
        Schema::Null => (value.is_null(), "null"),
        Schema::Boolean => (value.is_boolean(), "a boolean"),
        Schema::Int => (
            value
                .as_i64()
                .is_some_and(|number| i32::try_from(number).is_ok()),
            "a 32-bit integer (int)",
        ),
        Schema::Long => (value.as_i64().is_some(), "a 64-bit integer (long)"),
        Schema::Float | Schema::Double => (value.is_number(), "a number"),
        Schema::String => (value.is_string(), "a string"),
        _ => (true, ""),
    };
    (!fits).then_some(expected)
}

/// The primitive a logical type is written as in JSON; any other schema as it is.
fn encoded_as(schema: &Schema) -> &Schema {
    static INT: Schema = Schema::Int;
    static LONG: Schema = Schema::Long;
    static STRING: Schema = Schema::String;
    static BYTES: Schema = Schema::Bytes;
    match schema {
        Schema::Date | Schema::TimeMillis => &INT,
        Schema::TimeMicros
        | Schema::TimestampMillis
        | Schema::TimestampMicros
        | Schema::TimestampNanos
        | Schema::LocalTimestampMillis
        | Schema::LocalTimestampMicros
        | Schema::LocalTimestampNanos => &LONG,
        Schema::Uuid => &STRING,
        Schema::BigDecimal => &BYTES,
        other => other,
    }
}

/// The name of a primitive type, as Avro writes it.
pub fn primitive_name(schema: &Schema) -> Option<&'static str> {
    Some(match schema {
        Schema::Null => "null",
        Schema::Boolean => "boolean",
        Schema::Int => "int",
        Schema::Long => "long",
        Schema::Float => "float",
        Schema::Double => "double",
        Schema::Bytes => "bytes",
        Schema::String => "string",
        _ => return None,
    })
}

/// How a union branch is named in Avro's JSON encoding.
fn branch_name(schema: &Schema) -> String {
    let encoded = encoded_as(schema);
    if let Some(name) = primitive_name(encoded) {
        return name.into();
    }
    match encoded {
        Schema::Array(_) => "array".into(),
        Schema::Map(_) => "map".into(),
        Schema::Union(_) => "union".into(),
        Schema::Record(inner) => inner.name.fullname(None),
        Schema::Enum(inner) => inner.name.fullname(None),
        Schema::Fixed(inner) => inner.name.fullname(None),
        Schema::Decimal(decimal) => branch_name(&decimal.inner),
        Schema::Duration => "fixed".into(),
        Schema::Ref { name } => name.fullname(None),
        // Logical types were mapped to their primitive by `encoded_as`.
        other => format!("{other:?}"),
    }
}

fn at(path: &[Seg]) -> String {
    if path.is_empty() {
        return "the payload".to_string();
    }
    let text: Vec<String> = path
        .iter()
        .map(|segment| match segment {
            Seg::Key(key) => key.clone(),
            Seg::Index(index) => index.to_string(),
        })
        .collect();
    format!("`{}`", text.join("."))
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) if text.chars().count() > 40 => "a long string".into(),
        Value::String(text) => format!("\"{text}\""),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_resolves_names_by_namespace() {
        let value: Value = serde_json::from_str(
            r#"{"type":"record","name":"Paid","namespace":"acme.pay","fields":[
                {"name":"amount","type":"acme.common.Money"},
                {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A"]}},
                {"name":"again","type":["null","Kind"]}]}"#,
        )
        .unwrap();
        let outline = Outline::of(&value);
        let defined: Vec<&str> = outline
            .defined
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(defined, ["acme.pay.Paid", "acme.pay.Kind"]);
        assert_eq!(outline.used[0].0, ["acme.common.Money"]);
        assert_eq!(outline.used[1].0, ["acme.pay.Kind", "Kind"]);
        assert_eq!(outline.fields.len(), 3);
    }

    fn problems(schema: &str, example: &str) -> Vec<String> {
        let schema = Schema::parse_str(schema).unwrap();
        let mut named = HashMap::new();
        collect_named(&schema, &mut named);
        let avro = AvroSchema {
            file: CatalogPath::parse("s.avsc").unwrap(),
            shared: Vec::new(),
            schema,
            named,
            outline: Outline::default(),
        };
        let mut found = Vec::new();
        let value: Value = serde_json::from_str(example).unwrap();
        avro.check(avro.schema(), &value, &mut Vec::new(), &mut found);
        found.into_iter().map(|(_, message)| message).collect()
    }

    const RECORD: &str = r#"{"type":"record","name":"R","namespace":"n","fields":[
        {"name":"id","type":"string"},
        {"name":"count","type":"int","default":0},
        {"name":"note","type":["null","string"],"default":null},
        {"name":"kind","type":{"type":"enum","name":"K","symbols":["A","B"]}},
        {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}}]}"#;

    #[test]
    fn accepts_avro_json_encoding() {
        assert!(problems(
            RECORD,
            r#"{"id":"x","note":{"string":"hi"},"kind":"A","at":1}"#
        )
        .is_empty());
        assert!(problems(
            RECORD,
            r#"{"id":"x","note":null,"kind":"B","at":1,"count":3}"#
        )
        .is_empty());
    }

    #[test]
    fn rejects_what_avro_would_not_decode() {
        let found = problems(
            RECORD,
            r#"{"note":"hi","kind":"C","at":1.5,"extra":1,"count":3000000000}"#,
        );
        let text = found.join("\n");
        assert!(text.contains("lacks field `id`"), "{text}");
        assert!(text.contains("union value"), "{text}");
        assert!(text.contains("symbols A, B"), "{text}");
        assert!(text.contains("64-bit integer"), "{text}");
        assert!(text.contains("32-bit integer"), "{text}");
        assert!(text.contains("`extra` is not in record n.R"), "{text}");
    }
}
