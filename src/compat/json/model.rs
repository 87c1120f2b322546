//! The everit JSON Schema model Confluent diffs: [`JsonDocument::parse`] and its loader.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::*;

// ---- The model

/// Annotations every schema has.
#[derive(Clone, Debug, Default)]
pub(super) struct Common {
    pub(super) id: Option<String>,
    pub(super) title: Option<String>,
    pub(super) description: Option<String>,
    pub(super) default: Option<Value>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct ObjectSchema {
    pub(super) properties: Vec<(String, usize)>,
    pub(super) required: BTreeSet<String>,
    pub(super) permits_additional: bool,
    pub(super) additional: Option<usize>,
    pub(super) permits_unevaluated: bool,
    pub(super) unevaluated: Option<usize>,
    pub(super) pattern_properties: Vec<(String, usize)>,
    pub(super) property_dependencies: BTreeMap<String, BTreeSet<String>>,
    pub(super) schema_dependencies: BTreeMap<String, usize>,
    pub(super) min_properties: Option<f64>,
    pub(super) max_properties: Option<f64>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct ArraySchema {
    pub(super) all_items: Option<usize>,
    pub(super) item_schemas: Vec<usize>,
    pub(super) permits_additional: bool,
    pub(super) additional: Option<usize>,
    pub(super) permits_unevaluated: bool,
    pub(super) unevaluated: Option<usize>,
    pub(super) min_items: Option<f64>,
    pub(super) max_items: Option<f64>,
    pub(super) unique_items: bool,
    pub(super) min_contains: Option<f64>,
    pub(super) max_contains: Option<f64>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct StringSchema {
    pub(super) min_length: Option<f64>,
    pub(super) max_length: Option<f64>,
    pub(super) pattern: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct NumberSchema {
    pub(super) minimum: Option<f64>,
    pub(super) maximum: Option<f64>,
    pub(super) exclusive_minimum: Option<f64>,
    pub(super) exclusive_maximum: Option<f64>,
    pub(super) multiple_of: Option<f64>,
    pub(super) requires_integer: bool,
}

/// The combining keyword, named as in everit (`allOf`, `anyOf`, `oneOf`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub(super) enum Criterion {
    AllOf,
    AnyOf,
    OneOf,
}

impl Criterion {
    pub(super) fn keyword(self) -> &'static str {
        match self {
            Criterion::AllOf => "allOf",
            Criterion::AnyOf => "anyOf",
            Criterion::OneOf => "oneOf",
        }
    }
}

#[derive(Clone, Debug)]
pub(super) enum Kind {
    Empty,
    True,
    False,
    Object(ObjectSchema),
    Array(ArraySchema),
    String(StringSchema),
    Number(NumberSchema),
    Boolean,
    Null,
    Enum(Vec<Value>),
    Const(Value),
    Not(usize),
    Combined(Criterion, Vec<usize>),
    Conditional,
    /// A `$ref`, to the node it refers to.
    Reference(usize),
}

/// Which everit class a node is: different classes are a `TYPE_CHANGED`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    Empty,
    True,
    False,
    Object,
    Array,
    String,
    Number,
    Boolean,
    Null,
    Enum,
    Const,
    Not,
    Combined,
    Conditional,
    Reference,
}

impl Kind {
    pub(super) fn class(&self) -> Class {
        match self {
            Kind::Empty => Class::Empty,
            Kind::True => Class::True,
            Kind::False => Class::False,
            Kind::Object(_) => Class::Object,
            Kind::Array(_) => Class::Array,
            Kind::String(_) => Class::String,
            Kind::Number(_) => Class::Number,
            Kind::Boolean => Class::Boolean,
            Kind::Null => Class::Null,
            Kind::Enum(_) => Class::Enum,
            Kind::Const(_) => Class::Const,
            Kind::Not(_) => Class::Not,
            Kind::Combined(..) => Class::Combined,
            Kind::Conditional => Class::Conditional,
            Kind::Reference(_) => Class::Reference,
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Node {
    pub(super) kind: Kind,
    pub(super) common: Common,
    /// The JSON the node was loaded from: identity of combined subschemas, and extensions.
    pub(super) raw: Value,
}

/// A JSON Schema loaded into the model Confluent's diff works on.
pub struct JsonDocument {
    pub(super) nodes: Vec<Node>,
    pub(super) root: usize,
}

/// Finds a schema document referred to by a `$ref` to another file (the part before `#`).
pub type Resolver<'r> = &'r dyn Fn(&str) -> Option<Value>;

impl JsonDocument {
    /// Loads a schema. `resolve` supplies documents that `$ref`s to other files name.
    pub fn parse(text: &str, resolve: Resolver<'_>) -> Result<Self, String> {
        let root: Value = serde_json::from_str(text).map_err(|error| error.to_string())?;
        Self::from_value(root, resolve)
    }

    pub fn from_value(root: Value, resolve: Resolver<'_>) -> Result<Self, String> {
        let mut loader = Loader {
            draft: Draft::of(&root),
            documents: HashMap::from([(String::new(), root.clone())]),
            resolve,
            nodes: Vec::new(),
            by_location: HashMap::new(),
        };
        let root_index = loader.load_at(String::new(), String::new())?;
        Ok(JsonDocument {
            nodes: loader.nodes,
            root: root_index,
        })
    }
}

pub(super) struct Loader<'r> {
    pub(super) draft: Draft,
    /// Documents by name; the schema being loaded is "".
    pub(super) documents: HashMap<String, Value>,
    pub(super) resolve: Resolver<'r>,
    pub(super) nodes: Vec<Node>,
    /// Nodes already loaded, by (document, JSON pointer): `$ref`s to them share the node.
    pub(super) by_location: HashMap<(String, String), usize>,
}

pub(super) const OBJECT_KEYWORDS: [&str; 8] = [
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "dependencies",
    "minProperties",
    "maxProperties",
    "propertyNames",
];
pub(super) const OBJECT_KEYWORDS_MODERN: [&str; 3] = [
    "unevaluatedProperties",
    "dependentRequired",
    "dependentSchemas",
];
pub(super) const ARRAY_KEYWORDS: [&str; 6] = [
    "items",
    "additionalItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
];
pub(super) const ARRAY_KEYWORDS_MODERN: [&str; 4] = [
    "prefixItems",
    "unevaluatedItems",
    "minContains",
    "maxContains",
];
pub(super) const NUMBER_KEYWORDS: [&str; 5] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
pub(super) const STRING_KEYWORDS: [&str; 4] = ["minLength", "maxLength", "pattern", "format"];

pub(super) fn number(object: &Map<String, Value>, key: &str) -> Option<f64> {
    object.get(key).and_then(Value::as_f64)
}

pub(super) fn text(object: &Map<String, Value>, key: &str) -> Option<String> {
    object.get(key).and_then(Value::as_str).map(str::to_string)
}

impl Loader<'_> {
    pub(super) fn push(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// Loads the schema at a JSON pointer of a document, once.
    pub(super) fn load_at(&mut self, document: String, pointer: String) -> Result<usize, String> {
        let key = (document.clone(), pointer.clone());
        if let Some(&index) = self.by_location.get(&key) {
            return Ok(index);
        }
        let value = self
            .documents
            .get(&document)
            .and_then(|root| {
                if pointer.is_empty() {
                    Some(root)
                } else {
                    root.pointer(&pointer)
                }
            })
            .cloned()
            .ok_or_else(|| format!("`$ref` target {document}#{pointer} does not exist"))?;
        // Reserve the slot first, so a `$ref` back to this schema (recursion) finds it.
        let index = self.push(Node {
            kind: Kind::Empty,
            common: Common::default(),
            raw: value.clone(),
        });
        self.by_location.insert(key, index);
        let node = self.build(&value, &document, &pointer)?;
        self.nodes[index] = node;
        Ok(index)
    }

    pub(super) fn child(
        &mut self,
        document: &str,
        pointer: &str,
        segments: &[&str],
    ) -> Result<usize, String> {
        let mut child_pointer = pointer.to_string();
        for segment in segments {
            child_pointer.push('/');
            child_pointer.push_str(&segment.replace('~', "~0").replace('/', "~1"));
        }
        self.load_at(document.to_string(), child_pointer)
    }

    pub(super) fn build(
        &mut self,
        value: &Value,
        document: &str,
        pointer: &str,
    ) -> Result<Node, String> {
        let object = match value {
            Value::Bool(true) => return Ok(self.plain(Kind::True, value)),
            Value::Bool(false) => return Ok(self.plain(Kind::False, value)),
            Value::Object(object) => object,
            _ => {
                return Err(format!(
                    "schema at #{pointer} is neither an object nor a boolean"
                ))
            }
        };
        let common = self.common(object);
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            let target = self.reference(reference, document)?;
            let others_ignored = !self.draft.modern();
            if others_ignored || !object.keys().any(|key| is_schema_keyword(key, self.draft)) {
                return Ok(Node {
                    kind: Kind::Reference(target),
                    common,
                    raw: value.clone(),
                });
            }
        }
        let mut extracted: Vec<usize> = Vec::new();
        let mut add = |loader: &mut Self, kind: Kind| {
            let node = Node {
                kind,
                common: Common::default(),
                raw: value.clone(),
            };
            extracted.push(loader.push(node));
        };
        if let Some(Value::Array(values)) = object.get("enum") {
            add(self, Kind::Enum(values.clone()));
        }
        for criterion in [Criterion::AllOf, Criterion::AnyOf, Criterion::OneOf] {
            if let Some(Value::Array(subschemas)) = object.get(criterion.keyword()) {
                let mut children = Vec::new();
                for index in 0..subschemas.len() {
                    children.push(self.child(
                        document,
                        pointer,
                        &[criterion.keyword(), &index.to_string()],
                    )?);
                }
                add(self, Kind::Combined(criterion, children));
            }
        }
        if object.contains_key("not") {
            let child = self.child(document, pointer, &["not"])?;
            add(self, Kind::Not(child));
        }
        if let Some(constant) = object.get("const") {
            add(self, Kind::Const(constant.clone()));
        }
        for kind in self.typed(object, document, pointer)? {
            add(self, kind);
        }
        if ["if", "then", "else"]
            .iter()
            .any(|key| object.contains_key(*key))
        {
            add(self, Kind::Conditional);
        }
        if let (Some(reference), true) = (
            object.get("$ref").and_then(Value::as_str),
            self.draft.modern(),
        ) {
            let target = self.reference(reference, document)?;
            add(self, Kind::Reference(target));
        }
        let kind = match extracted.len() {
            0 => Kind::Empty,
            1 => self.nodes[extracted[0]].kind.clone(),
            _ => Kind::Combined(Criterion::AllOf, extracted),
        };
        Ok(Node {
            kind,
            common,
            raw: value.clone(),
        })
    }

    pub(super) fn plain(&self, kind: Kind, raw: &Value) -> Node {
        Node {
            kind,
            common: Common::default(),
            raw: raw.clone(),
        }
    }

    pub(super) fn common(&self, object: &Map<String, Value>) -> Common {
        let id = match self.draft {
            // The reference reports no id changes for 2019-09 and 2020-12 schemas.
            Draft::Draft2019 | Draft::Draft2020 => None,
            Draft::Draft4 => text(object, "id"),
            _ => text(object, "$id").or_else(|| text(object, "id")),
        };
        Common {
            id,
            title: text(object, "title"),
            description: text(object, "description"),
            default: object.get("default").cloned(),
        }
    }

    pub(super) fn reference(&mut self, reference: &str, document: &str) -> Result<usize, String> {
        let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let target_document = if file.is_empty() {
            document.to_string()
        } else {
            if !self.documents.contains_key(file) {
                let loaded = (self.resolve)(file)
                    .ok_or_else(|| format!("`$ref` {reference} does not resolve"))?;
                self.documents.insert(file.to_string(), loaded);
            }
            file.to_string()
        };
        let pointer = percent_decode(fragment);
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(format!(
                "`$ref` {reference}: anchors are not supported; use a JSON pointer"
            ));
        }
        self.load_at(target_document, pointer)
    }

    /// The schemas the `type` keyword (or, without it, the keywords present) make.
    pub(super) fn typed(
        &mut self,
        object: &Map<String, Value>,
        document: &str,
        pointer: &str,
    ) -> Result<Vec<Kind>, String> {
        match object.get("type") {
            Some(Value::String(name)) => Ok(vec![self.of_type(name, object, document, pointer)?]),
            Some(Value::Array(names)) => {
                let mut children = Vec::new();
                for name in names.iter().filter_map(Value::as_str) {
                    let kind = self.of_type(name, object, document, pointer)?;
                    // Each member is the schema with that one type: distinct, as in the reference.
                    let mut raw = object.clone();
                    raw.insert("type".to_string(), Value::String(name.to_string()));
                    children.push(self.push(Node {
                        kind,
                        common: Common::default(),
                        raw: Value::Object(raw),
                    }));
                }
                Ok(vec![Kind::Combined(Criterion::AnyOf, children)])
            }
            _ => {
                let modern = self.draft.modern();
                let has = |keywords: &[&str]| {
                    keywords.iter().any(|keyword| match object.get(*keyword) {
                        // The reference ignores an empty `properties` in 2019-09 and 2020-12.
                        Some(Value::Object(map)) if *keyword == "properties" && modern => {
                            !map.is_empty()
                        }
                        Some(_) => true,
                        None => false,
                    })
                };
                let (array, object_keywords, numeric, string) = (
                    has(&ARRAY_KEYWORDS) || (modern && has(&ARRAY_KEYWORDS_MODERN)),
                    has(&OBJECT_KEYWORDS) || (modern && has(&OBJECT_KEYWORDS_MODERN)),
                    has(&NUMBER_KEYWORDS),
                    has(&STRING_KEYWORDS),
                );
                let mut kinds = Vec::new();
                if array {
                    kinds.push(self.of_type("array", object, document, pointer)?);
                }
                if object_keywords {
                    kinds.push(self.of_type("object", object, document, pointer)?);
                }
                if numeric {
                    kinds.push(self.of_type("number", object, document, pointer)?);
                }
                if string {
                    kinds.push(self.of_type("string", object, document, pointer)?);
                }
                Ok(kinds)
            }
        }
    }

    pub(super) fn of_type(
        &mut self,
        name: &str,
        object: &Map<String, Value>,
        document: &str,
        pointer: &str,
    ) -> Result<Kind, String> {
        Ok(match name {
            "object" => Kind::Object(self.object(object, document, pointer)?),
            "array" => Kind::Array(self.array(object, document, pointer)?),
            "string" => Kind::String(StringSchema {
                min_length: number(object, "minLength"),
                max_length: number(object, "maxLength"),
                pattern: text(object, "pattern"),
            }),
            "number" | "integer" => Kind::Number(NumberSchema {
                minimum: number(object, "minimum"),
                maximum: number(object, "maximum"),
                exclusive_minimum: number(object, "exclusiveMinimum"),
                exclusive_maximum: number(object, "exclusiveMaximum"),
                multiple_of: number(object, "multipleOf"),
                requires_integer: name == "integer",
            }),
            "boolean" => Kind::Boolean,
            "null" => Kind::Null,
            other => return Err(format!("unknown type `{other}`")),
        })
    }

    pub(super) fn object(
        &mut self,
        object: &Map<String, Value>,
        document: &str,
        pointer: &str,
    ) -> Result<ObjectSchema, String> {
        let mut schema = ObjectSchema {
            permits_additional: true,
            permits_unevaluated: true,
            min_properties: number(object, "minProperties"),
            max_properties: number(object, "maxProperties"),
            ..ObjectSchema::default()
        };
        if let Some(Value::Object(properties)) = object.get("properties") {
            for name in properties.keys() {
                let child = self.child(document, pointer, &["properties", name])?;
                schema.properties.push((name.clone(), child));
            }
        }
        if let Some(Value::Array(required)) = object.get("required") {
            schema.required = required
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
        }
        match object.get("additionalProperties") {
            Some(Value::Bool(permits)) => schema.permits_additional = *permits,
            Some(Value::Object(_)) => {
                schema.additional =
                    Some(self.child(document, pointer, &["additionalProperties"])?)
            }
            _ => {}
        }
        match object.get("unevaluatedProperties") {
            Some(Value::Bool(permits)) => schema.permits_unevaluated = *permits,
            Some(Value::Object(_)) => {
                schema.unevaluated =
                    Some(self.child(document, pointer, &["unevaluatedProperties"])?)
            }
            _ => {}
        }
        if let Some(Value::Object(patterns)) = object.get("patternProperties") {
            for pattern in patterns.keys() {
                let child = self.child(document, pointer, &["patternProperties", pattern])?;
                schema.pattern_properties.push((pattern.clone(), child));
            }
        }
        for keyword in ["dependencies", "dependentRequired", "dependentSchemas"] {
            if let Some(Value::Object(dependencies)) = object.get(keyword) {
                for (name, dependency) in dependencies {
                    match dependency {
                        Value::Array(names) => {
                            schema.property_dependencies.insert(
                                name.clone(),
                                names
                                    .iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_string)
                                    .collect(),
                            );
                        }
                        _ => {
                            let child = self.child(document, pointer, &[keyword, name])?;
                            schema.schema_dependencies.insert(name.clone(), child);
                        }
                    }
                }
            }
        }
        Ok(schema)
    }

    pub(super) fn array(
        &mut self,
        object: &Map<String, Value>,
        document: &str,
        pointer: &str,
    ) -> Result<ArraySchema, String> {
        let mut schema = ArraySchema {
            permits_additional: true,
            permits_unevaluated: true,
            min_items: number(object, "minItems"),
            max_items: number(object, "maxItems"),
            unique_items: object
                .get("uniqueItems")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            // `minContains` defaults to 1 where `contains` applies.
            min_contains: number(object, "minContains")
                .or_else(|| object.contains_key("contains").then_some(1.0)),
            max_contains: number(object, "maxContains"),
            ..ArraySchema::default()
        };
        // Before 2019-09, `items` is a schema for all items or an array of them (a tuple), and
        // `additionalItems` covers the rest of a tuple. From 2020-12, `prefixItems` is the tuple
        // and `items` covers the rest (or all items, without `prefixItems`).
        let (tuple_keyword, rest_keyword) = if self.draft == Draft::Draft2020 {
            ("prefixItems", "items")
        } else {
            ("items", "additionalItems")
        };
        if let Some(Value::Array(items)) = object.get(tuple_keyword) {
            for index in 0..items.len() {
                schema.item_schemas.push(self.child(
                    document,
                    pointer,
                    &[tuple_keyword, &index.to_string()],
                )?);
            }
        }
        let tuple = object.get(tuple_keyword).is_some_and(Value::is_array);
        if self.draft != Draft::Draft2020 {
            if let Some(Value::Object(_) | Value::Bool(_)) = object.get("items") {
                schema.all_items = Some(self.child(document, pointer, &["items"])?);
            }
        }
        match object.get(rest_keyword) {
            Some(Value::Bool(permits)) => schema.permits_additional = *permits,
            Some(Value::Object(_)) if self.draft == Draft::Draft2020 && !tuple => {
                schema.all_items = Some(self.child(document, pointer, &[rest_keyword])?)
            }
            Some(Value::Object(_)) => {
                schema.additional = Some(self.child(document, pointer, &[rest_keyword])?)
            }
            _ => {}
        }
        match object.get("unevaluatedItems") {
            Some(Value::Bool(permits)) => schema.permits_unevaluated = *permits,
            Some(Value::Object(_)) => {
                schema.unevaluated = Some(self.child(document, pointer, &["unevaluatedItems"])?)
            }
            _ => {}
        }
        Ok(schema)
    }
}

pub(super) fn is_schema_keyword(key: &str, draft: Draft) -> bool {
    let structural = [
        "type", "enum", "const", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    ];
    structural.contains(&key)
        || OBJECT_KEYWORDS.contains(&key)
        || ARRAY_KEYWORDS.contains(&key)
        || NUMBER_KEYWORDS.contains(&key)
        || STRING_KEYWORDS.contains(&key)
        || (draft.modern()
            && (OBJECT_KEYWORDS_MODERN.contains(&key) || ARRAY_KEYWORDS_MODERN.contains(&key)))
}

/// Decodes `%xx` escapes (in a URL path segment or a JSON pointer fragment).
pub(super) fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}
