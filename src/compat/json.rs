//! JSON Schema compatibility: Confluent Schema Registry's structural diff.
//!
//! Confluent diffs schemas after loading them into the everit JSON Schema model, where a JSON
//! object becomes one schema class (object, array, string, number, combined, ...), several at once
//! becoming a synthetic `allOf`. [`JsonDocument::parse`] builds the same model; [`JsonChecker`]
//! ports the diff and reports Confluent's 132 difference types at their `#/...` paths. Whether a
//! type breaks depends on the policy ([`Policy::Strict`], the default, or [`Policy::Lenient`]).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::json_types::TYPES;
use super::{Difference, FormatChecker};

/// Every difference type the JSON Schema diff knows (Confluent's 132).
pub fn difference_types() -> impl Iterator<Item = &'static str> {
    TYPES.iter().map(|(name, _, _)| *name)
}

/// How strictly content-model changes are judged (Confluent's `json.schema.compatibility.policy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    #[default]
    Strict,
    Lenient,
}

impl Policy {
    fn all_pass(self, found: &Found) -> bool {
        found.iter().all(|entry| match entry {
            Entry::One(kind, _) => self.passes(kind),
            Entry::Shared(_, result) => result.compatible,
        })
    }

    /// Whether a difference type passes a BACKWARD check under this policy.
    pub fn passes(self, kind: &str) -> bool {
        static BY_NAME: OnceLock<HashMap<&'static str, (bool, bool)>> = OnceLock::new();
        let table = BY_NAME.get_or_init(|| {
            TYPES
                .iter()
                .map(|(name, strict, lenient)| (*name, (*strict, *lenient)))
                .collect()
        });
        table.get(kind).is_some_and(|(strict, lenient)| match self {
            Policy::Strict => *strict,
            Policy::Lenient => *lenient,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Draft {
    Draft4,
    Draft6,
    Draft7,
    Draft2019,
    Draft2020,
}

impl Draft {
    fn of(schema: &Value) -> Draft {
        let declared = schema.get("$schema").and_then(Value::as_str).unwrap_or("");
        if declared.contains("draft-04") {
            Draft::Draft4
        } else if declared.contains("draft-06") {
            Draft::Draft6
        } else if declared.contains("2019-09") {
            Draft::Draft2019
        } else if declared.contains("2020-12") {
            Draft::Draft2020
        } else {
            Draft::Draft7
        }
    }

    fn modern(self) -> bool {
        self >= Draft::Draft2019
    }
}

// ---- The model

/// Annotations every schema has.
#[derive(Clone, Debug, Default)]
struct Common {
    id: Option<String>,
    title: Option<String>,
    description: Option<String>,
    default: Option<Value>,
}

#[derive(Clone, Debug, Default)]
struct ObjectSchema {
    properties: Vec<(String, usize)>,
    required: BTreeSet<String>,
    permits_additional: bool,
    additional: Option<usize>,
    permits_unevaluated: bool,
    unevaluated: Option<usize>,
    pattern_properties: Vec<(String, usize)>,
    property_dependencies: BTreeMap<String, BTreeSet<String>>,
    schema_dependencies: BTreeMap<String, usize>,
    min_properties: Option<f64>,
    max_properties: Option<f64>,
}

#[derive(Clone, Debug, Default)]
struct ArraySchema {
    all_items: Option<usize>,
    item_schemas: Vec<usize>,
    permits_additional: bool,
    additional: Option<usize>,
    permits_unevaluated: bool,
    unevaluated: Option<usize>,
    min_items: Option<f64>,
    max_items: Option<f64>,
    unique_items: bool,
    min_contains: Option<f64>,
    max_contains: Option<f64>,
}

#[derive(Clone, Debug, Default)]
struct StringSchema {
    min_length: Option<f64>,
    max_length: Option<f64>,
    pattern: Option<String>,
}

#[derive(Clone, Debug, Default)]
struct NumberSchema {
    minimum: Option<f64>,
    maximum: Option<f64>,
    exclusive_minimum: Option<f64>,
    exclusive_maximum: Option<f64>,
    multiple_of: Option<f64>,
    requires_integer: bool,
}

/// The combining keyword, named as in everit (`allOf`, `anyOf`, `oneOf`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
enum Criterion {
    AllOf,
    AnyOf,
    OneOf,
}

impl Criterion {
    fn keyword(self) -> &'static str {
        match self {
            Criterion::AllOf => "allOf",
            Criterion::AnyOf => "anyOf",
            Criterion::OneOf => "oneOf",
        }
    }
}

#[derive(Clone, Debug)]
enum Kind {
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
enum Class {
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
    fn class(&self) -> Class {
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
struct Node {
    kind: Kind,
    common: Common,
    /// The JSON the node was loaded from: identity of combined subschemas, and extensions.
    raw: Value,
}

/// A JSON Schema loaded into the model Confluent's diff works on.
pub struct JsonDocument {
    nodes: Vec<Node>,
    root: usize,
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

struct Loader<'r> {
    draft: Draft,
    /// Documents by name; the schema being loaded is "".
    documents: HashMap<String, Value>,
    resolve: Resolver<'r>,
    nodes: Vec<Node>,
    /// Nodes already loaded, by (document, JSON pointer): `$ref`s to them share the node.
    by_location: HashMap<(String, String), usize>,
}

const OBJECT_KEYWORDS: [&str; 8] = [
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "dependencies",
    "minProperties",
    "maxProperties",
    "propertyNames",
];
const OBJECT_KEYWORDS_MODERN: [&str; 3] = [
    "unevaluatedProperties",
    "dependentRequired",
    "dependentSchemas",
];
const ARRAY_KEYWORDS: [&str; 6] = [
    "items",
    "additionalItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
];
const ARRAY_KEYWORDS_MODERN: [&str; 4] = [
    "prefixItems",
    "unevaluatedItems",
    "minContains",
    "maxContains",
];
const NUMBER_KEYWORDS: [&str; 5] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
const STRING_KEYWORDS: [&str; 4] = ["minLength", "maxLength", "pattern", "format"];

fn number(object: &Map<String, Value>, key: &str) -> Option<f64> {
    object.get(key).and_then(Value::as_f64)
}

fn text(object: &Map<String, Value>, key: &str) -> Option<String> {
    object.get(key).and_then(Value::as_str).map(str::to_string)
}

impl Loader<'_> {
    fn push(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// Loads the schema at a JSON pointer of a document, once.
    fn load_at(&mut self, document: String, pointer: String) -> Result<usize, String> {
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

    fn child(&mut self, document: &str, pointer: &str, segments: &[&str]) -> Result<usize, String> {
        let mut child_pointer = pointer.to_string();
        for segment in segments {
            child_pointer.push('/');
            child_pointer.push_str(&segment.replace('~', "~0").replace('/', "~1"));
        }
        self.load_at(document.to_string(), child_pointer)
    }

    fn build(&mut self, value: &Value, document: &str, pointer: &str) -> Result<Node, String> {
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

    fn plain(&self, kind: Kind, raw: &Value) -> Node {
        Node {
            kind,
            common: Common::default(),
            raw: raw.clone(),
        }
    }

    fn common(&self, object: &Map<String, Value>) -> Common {
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

    fn reference(&mut self, reference: &str, document: &str) -> Result<usize, String> {
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
    fn typed(
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

    fn of_type(
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

    fn object(
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

    fn array(
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

fn is_schema_keyword(key: &str, draft: Draft) -> bool {
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
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

// ---- The diff

/// Confluent's JSON Schema diff under a policy.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonChecker {
    pub policy: Policy,
}

impl FormatChecker for JsonChecker {
    type Schema = JsonDocument;

    fn backward(&self, old: &JsonDocument, new: &JsonDocument) -> Vec<Difference> {
        const MAX_ROUNDS: usize = 64;
        let mut assumptions: HashMap<(usize, usize), Rc<PairResult>> = HashMap::new();
        let mut found = Found::new();
        for _ in 0..MAX_ROUNDS {
            let differ = Differ::new(old, new, self.policy, &assumptions);
            let mut context = Context::default();
            differ.compare(&mut context, Some(old.root), Some(new.root));
            found = context.differences;
            let memo = differ.memo.into_inner();
            let mut revised = Vec::new();
            for key in differ.assumed.into_inner() {
                if let Some(Memo::Done(result)) = memo.get(&key) {
                    let assumed = assumptions
                        .get(&key)
                        .is_none_or(|assumed| assumed.compatible);
                    if assumed != result.compatible {
                        revised.push((key, result.clone()));
                    }
                }
            }
            if revised.is_empty() {
                break;
            }
            assumptions.extend(revised);
        }
        let mut flat = Vec::new();
        flatten(&found, &[], &mut flat);
        flat.into_iter()
            .map(|(kind, path)| Difference {
                kind,
                path,
                message: String::new(),
                breaking: !self.policy.passes(kind),
            })
            .collect()
    }
}

/// A difference found, or a shared reference to the differences of a pair compared once.
#[derive(Clone)]
enum Entry {
    One(&'static str, Vec<String>),
    /// The result of a node pair, compared at this path; its entries' paths are relative to it.
    Shared(Vec<String>, Rc<PairResult>),
}

struct PairResult {
    entries: Found,
    compatible: bool,
    /// How many differences flattening yields: empty results are skipped without a walk.
    count: usize,
}

fn count(entries: &[Entry]) -> usize {
    entries
        .iter()
        .map(|entry| match entry {
            Entry::One(..) => 1,
            Entry::Shared(_, result) => result.count,
        })
        .sum()
}

/// Differences found; memoized results are shared, never copied, and flattened once at the end.
type Found = Vec<Entry>;

fn flatten(entries: &[Entry], prefix: &[String], out: &mut Vec<(&'static str, String)>) {
    for entry in entries {
        match entry {
            Entry::One(kind, path) => {
                let full: Vec<&str> = prefix.iter().chain(path).map(String::as_str).collect();
                out.push((kind, format!("#/{}", full.join("/"))));
            }
            Entry::Shared(_, result) if result.count == 0 => {}
            Entry::Shared(path, result) => {
                let mut nested = prefix.to_vec();
                nested.extend(path.iter().cloned());
                flatten(&result.entries, &nested, out);
            }
        }
    }
}

#[derive(Clone, Default)]
struct Context {
    path: Vec<String>,
    differences: Found,
}

impl Context {
    fn sub(&self) -> Context {
        Context {
            path: self.path.clone(),
            differences: Vec::new(),
        }
    }

    fn add(&mut self, kind: &'static str) {
        self.differences.push(Entry::One(kind, self.path.clone()));
    }

    fn add_at(&mut self, segment: &str, kind: &'static str) {
        self.path.push(segment.to_string());
        self.add(kind);
        self.path.pop();
    }

    fn enter(&mut self, segment: &str) {
        self.path.push(segment.to_string());
    }

    fn leave(&mut self) {
        self.path.pop();
    }

    fn share(&mut self, result: &Rc<PairResult>) {
        self.differences
            .push(Entry::Shared(self.path.clone(), result.clone()));
    }
}

enum Memo {
    InProgress,
    Done(Rc<PairResult>),
}

/// One comparison. Results are memoized per (original, update) node pair, which keeps recursive
/// and heavily shared schemas polynomial; a pair met again while it is being compared is assumed
/// as in `assumptions` (compatible when absent), and [`JsonChecker::backward`] repeats the
/// comparison until every assumption matches the result, so none can hide an incompatibility.
struct Differ<'d> {
    original: &'d JsonDocument,
    update: &'d JsonDocument,
    policy: Policy,
    memo: RefCell<HashMap<(usize, usize), Memo>>,
    assumptions: &'d HashMap<(usize, usize), Rc<PairResult>>,
    assumed: RefCell<HashSet<(usize, usize)>>,
}

/// Compares two optional numeric attributes the way Confluent does, at `keyword`.
fn compare_limit(
    context: &mut Context,
    keyword: &str,
    original: Option<f64>,
    update: Option<f64>,
    kinds: [&'static str; 4], // added, removed, increased, decreased
) {
    match (original, update) {
        (None, Some(_)) => context.add_at(keyword, kinds[0]),
        (Some(_), None) => context.add_at(keyword, kinds[1]),
        (Some(a), Some(b)) if a < b => context.add_at(keyword, kinds[2]),
        (Some(a), Some(b)) if a > b => context.add_at(keyword, kinds[3]),
        _ => {}
    }
}

fn is_multiple(value: f64, of: f64) -> bool {
    if of == 0.0 {
        return false;
    }
    let ratio = value / of;
    (ratio - ratio.round()).abs() < 1e-9 * ratio.abs().max(1.0)
}

impl<'d> Differ<'d> {
    fn new(
        original: &'d JsonDocument,
        update: &'d JsonDocument,
        policy: Policy,
        assumptions: &'d HashMap<(usize, usize), Rc<PairResult>>,
    ) -> Self {
        Differ {
            original,
            update,
            policy,
            memo: RefCell::new(HashMap::new()),
            assumptions,
            assumed: RefCell::new(HashSet::new()),
        }
    }

    fn node(&self, original: bool, index: usize) -> &Node {
        let document = if original { self.original } else { self.update };
        let mut node = &document.nodes[index];
        // References are compared as what they refer to.
        let mut hops = 0;
        while let Kind::Reference(target) = node.kind {
            node = &document.nodes[target];
            hops += 1;
            if hops > document.nodes.len() {
                break;
            }
        }
        node
    }

    fn resolved(&self, original: bool, index: usize) -> usize {
        let document = if original { self.original } else { self.update };
        let mut current = index;
        for _ in 0..=document.nodes.len() {
            match document.nodes[current].kind {
                Kind::Reference(target) => current = target,
                _ => break,
            }
        }
        current
    }

    fn is_compatible(&self, context: &Context) -> bool {
        self.policy.all_pass(&context.differences)
    }

    fn compare(&self, context: &mut Context, original: Option<usize>, update: Option<usize>) {
        let (original, update) = match (original, update) {
            (None, None) => return,
            (None, Some(_)) => return context.add("SCHEMA_ADDED"),
            (Some(_), None) => return context.add("SCHEMA_REMOVED"),
            (Some(original), Some(update)) => {
                (self.resolved(true, original), self.resolved(false, update))
            }
        };
        let key = (original, update);
        let known = match self.memo.borrow().get(&key) {
            Some(Memo::InProgress) => Some(None),
            Some(Memo::Done(result)) => Some(Some(result.clone())),
            None => None,
        };
        match known {
            Some(Some(result)) => return context.share(&result),
            Some(None) => {
                self.assumed.borrow_mut().insert(key);
                if let Some(assumed) = self.assumptions.get(&key) {
                    context.share(assumed);
                }
                return;
            }
            None => {}
        }
        self.memo.borrow_mut().insert(key, Memo::InProgress);
        // Compared from an empty path: the result is relative, and no deep path is ever copied.
        let mut inner = Context::default();
        self.compare_pair(&mut inner, original, update);
        let entries = inner.differences;
        let result = Rc::new(PairResult {
            compatible: self.policy.all_pass(&entries),
            count: count(&entries),
            entries,
        });
        context.share(&result);
        self.memo.borrow_mut().insert(key, Memo::Done(result));
    }

    fn compare_pair(&self, context: &mut Context, original: usize, update: usize) {
        let (o, u) = (self.node(true, original), self.node(false, update));
        let (o_class, u_class) = (o.kind.class(), u.kind.class());

        if o_class != Class::Combined && u_class == Class::Combined {
            if let Kind::Combined(criterion, subschemas) = &u.kind {
                if subschemas.len() == 1 {
                    let mut sub = context.sub();
                    self.compare(&mut sub, Some(original), Some(subschemas[0]));
                    if self.is_compatible(&sub) {
                        context.differences.extend(sub.differences);
                        return;
                    }
                } else if matches!(criterion, Criterion::AnyOf | Criterion::OneOf) {
                    for &subschema in subschemas {
                        let mut sub = context.sub();
                        self.compare(&mut sub, Some(original), Some(subschema));
                        if self.is_compatible(&sub) {
                            context.differences.extend(sub.differences);
                            context.add("SUM_TYPE_EXTENDED");
                            return;
                        }
                    }
                }
            }
        } else if o_class == Class::Combined && u_class != Class::Combined {
            if let Kind::Combined(criterion, subschemas) = &o.kind {
                if subschemas.len() == 1 {
                    let mut sub = context.sub();
                    self.compare(&mut sub, Some(subschemas[0]), Some(update));
                    if self.is_compatible(&sub) {
                        context.differences.extend(sub.differences);
                        return;
                    }
                } else if *criterion == Criterion::AllOf {
                    for &subschema in subschemas {
                        let mut sub = context.sub();
                        self.compare(&mut sub, Some(subschema), Some(update));
                        if self.is_compatible(&sub) {
                            context.differences.extend(sub.differences);
                            context.add("PRODUCT_TYPE_NARROWED");
                            return;
                        }
                    }
                }
            }
        }

        if o_class != u_class {
            let connect_bytes =
                |node: &Node| node.raw.get("connect.type").and_then(Value::as_str) == Some("bytes");
            // Kafka Connect writes decimals as bytes whether the JSON type says string or number.
            let decimal_encoding_only = connect_bytes(o) && connect_bytes(u);
            let update_is_empty = matches!(u_class, Class::Empty | Class::True);
            if o_class != Class::False && !update_is_empty && !decimal_encoding_only {
                context.add("TYPE_CHANGED");
            }
            return;
        }

        if o.common.id != u.common.id {
            context.add("ID_CHANGED");
        }
        if o.common.title != u.common.title {
            context.add("TITLE_CHANGED");
        }
        if o.common.description != u.common.description {
            context.add("DESCRIPTION_CHANGED");
        }
        if o.common.default != u.common.default {
            context.add("DEFAULT_CHANGED");
        }
        match (&o.kind, &u.kind) {
            (Kind::String(a), Kind::String(b)) => compare_strings(context, a, b),
            (Kind::Number(a), Kind::Number(b)) => compare_numbers(context, a, b),
            (Kind::Enum(a), Kind::Enum(b)) => compare_enums(context, a, b),
            (Kind::Const(a), Kind::Const(b)) if a != b => {
                context.add_at("const", "ENUM_ARRAY_CHANGED")
            }
            (Kind::Combined(a_criterion, a), Kind::Combined(b_criterion, b)) => {
                self.compare_combined(context, (*a_criterion, a), (*b_criterion, b))
            }
            (Kind::Not(a), Kind::Not(b)) => {
                context.enter("not");
                let mut sub = context.sub();
                // `not` reverses the direction of the comparison.
                let no_assumptions = HashMap::new();
                let reversed =
                    Differ::new(self.update, self.original, self.policy, &no_assumptions);
                reversed.compare(&mut sub, Some(*b), Some(*a));
                let kind = if self.is_compatible(&sub) {
                    "NOT_TYPE_NARROWED"
                } else {
                    "NOT_TYPE_EXTENDED"
                };
                context.add(kind);
                context.leave();
            }
            (Kind::Object(a), Kind::Object(b)) => self.compare_objects(context, a, b),
            (Kind::Array(a), Kind::Array(b)) => self.compare_arrays(context, a, b),
            _ => {}
        }
    }

    fn compare_combined(
        &self,
        context: &mut Context,
        original: (Criterion, &[usize]),
        update: (Criterion, &[usize]),
    ) {
        let (original_criterion, original_all) = original;
        let (update_criterion, update_all) = update;
        let singleton = |list: &[usize]| list.len() == 1;
        if original_criterion != update_criterion {
            let extended = update_criterion == Criterion::AnyOf
                || (singleton(original_all) && singleton(update_all))
                || (singleton(original_all) && update_criterion == Criterion::OneOf)
                || (singleton(update_all) && original_criterion == Criterion::AllOf);
            if extended {
                context.add("COMBINED_TYPE_EXTENDED");
            } else {
                context.add("COMBINED_TYPE_CHANGED");
                return;
            }
        }
        // Duplicate subschemas count once.
        let dedup = |document: &JsonDocument, list: &[usize]| -> Vec<usize> {
            let mut seen: Vec<&Value> = Vec::new();
            let mut unique = Vec::new();
            for &index in list {
                let raw = &document.nodes[index].raw;
                if !seen.contains(&raw) {
                    seen.push(raw);
                    unique.push(index);
                }
            }
            unique
        };
        let originals = dedup(self.original, original_all);
        let updates = dedup(self.update, update_all);
        if originals.len() < updates.len() {
            context.add(if update_criterion == Criterion::AllOf {
                "PRODUCT_TYPE_EXTENDED"
            } else {
                "SUM_TYPE_EXTENDED"
            });
        } else if originals.len() > updates.len() {
            context.add(if original_criterion == Criterion::AllOf {
                "PRODUCT_TYPE_NARROWED"
            } else {
                "SUM_TYPE_NARROWED"
            });
        }
        let mut edges: Vec<Vec<Option<Found>>> = Vec::new();
        for (index, &original_sub) in originals.iter().enumerate() {
            context.enter(&format!("{}/{index}", original_criterion.keyword()));
            let mut row = Vec::new();
            for &update_sub in &updates {
                let mut sub = context.sub();
                self.compare(&mut sub, Some(original_sub), Some(update_sub));
                row.push(self.is_compatible(&sub).then_some(sub.differences));
            }
            context.leave();
            edges.push(row);
        }
        let matching = maximum_matching(&edges);
        for (left, right) in &matching {
            if let Some(differences) = &edges[*left][*right] {
                context.differences.extend(differences.iter().cloned());
            }
        }
        if matching.len() < originals.len().min(updates.len()) {
            context.add("COMBINED_TYPE_SUBSCHEMAS_CHANGED");
        }
    }

    fn compare_objects(
        &self,
        context: &mut Context,
        original: &ObjectSchema,
        update: &ObjectSchema,
    ) {
        // Required attributes of properties both have.
        context.enter("required");
        for (name, _) in &original.properties {
            let Some((_, update_property)) =
                update.properties.iter().find(|(other, _)| other == name)
            else {
                continue;
            };
            let (was, is) = (
                original.required.contains(name),
                update.required.contains(name),
            );
            if was && !is {
                context.add_at(name, "REQUIRED_ATTRIBUTE_REMOVED");
            } else if !was && is {
                let kind = if self.update.nodes[*update_property].common.default.is_some() {
                    "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED"
                } else {
                    "REQUIRED_ATTRIBUTE_ADDED"
                };
                context.add_at(name, kind);
            }
        }
        context.leave();
        self.compare_properties(context, original, update);
        self.compare_dependencies(context, original, update);
        compare_openness(
            context,
            "additionalProperties",
            (original.permits_additional, original.additional),
            (update.permits_additional, update.additional),
            "ADDITIONAL_PROPERTIES",
            |context, a, b| self.compare(context, a, b),
        );
        compare_openness(
            context,
            "unevaluatedProperties",
            (original.permits_unevaluated, original.unevaluated),
            (update.permits_unevaluated, update.unevaluated),
            "UNEVALUATED_PROPERTIES",
            |context, a, b| self.compare(context, a, b),
        );
        compare_limit(
            context,
            "maxProperties",
            original.max_properties,
            update.max_properties,
            [
                "MAX_PROPERTIES_ADDED",
                "MAX_PROPERTIES_REMOVED",
                "MAX_PROPERTIES_INCREASED",
                "MAX_PROPERTIES_DECREASED",
            ],
        );
        compare_limit(
            context,
            "minProperties",
            original.min_properties,
            update.min_properties,
            [
                "MIN_PROPERTIES_ADDED",
                "MIN_PROPERTIES_REMOVED",
                "MIN_PROPERTIES_INCREASED",
                "MIN_PROPERTIES_DECREASED",
            ],
        );
    }

    fn compare_properties(
        &self,
        context: &mut Context,
        original: &ObjectSchema,
        update: &ObjectSchema,
    ) {
        context.enter("properties");
        let mut names: Vec<&String> = original.properties.iter().map(|(name, _)| name).collect();
        for (name, _) in &update.properties {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        for name in names {
            let find = |schema: &ObjectSchema| {
                schema
                    .properties
                    .iter()
                    .find(|(other, _)| other == name)
                    .map(|(_, i)| *i)
            };
            context.enter(name);
            match (find(original), find(update)) {
                (Some(original_property), None) => {
                    if object_is_open(update) {
                        context.add("PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL");
                    } else if let Some(partial) = self.partial(update, name) {
                        let mut sub = context.sub();
                        self.compare(&mut sub, Some(original_property), Some(partial));
                        let compatible = self.is_compatible(&sub);
                        context.differences.extend(sub.differences);
                        context.add(if compatible {
                            "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                        } else {
                            "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                        });
                    } else if self.node(true, original_property).kind.class() == Class::False {
                        context.add("PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL");
                    } else {
                        context.add("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL");
                    }
                }
                (None, Some(update_property)) => {
                    let required = update.required.contains(name);
                    let has_default = self.update.nodes[update_property].common.default.is_some();
                    if object_is_open(original) {
                        let empty = matches!(
                            self.node(false, update_property).kind.class(),
                            Class::Empty | Class::True
                        );
                        context.add(if empty {
                            "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
                        } else if required && has_default {
                            "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL"
                        } else if required {
                            "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
                        } else {
                            "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
                        });
                    } else {
                        if let Some(partial) = self.partial(original, name) {
                            let mut sub = context.sub();
                            self.compare(&mut sub, Some(partial), Some(update_property));
                            let compatible = self.is_compatible(&sub);
                            context.differences.extend(sub.differences);
                            context.add(if compatible {
                                "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                            } else {
                                "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                            });
                        }
                        context.add(if required && has_default {
                            "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL"
                        } else if required {
                            "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
                        } else {
                            "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
                        });
                    }
                }
                (Some(a), Some(b)) => self.compare(context, Some(a), Some(b)),
                (None, None) => {}
            }
            context.leave();
        }
        context.leave();
    }

    /// The schema a partially open object model gives a property: a matching pattern property,
    /// else the additional (or unevaluated) properties schema.
    fn partial(&self, schema: &ObjectSchema, name: &str) -> Option<usize> {
        schema
            .pattern_properties
            .iter()
            .find(|(pattern, _)| regex::Regex::new(pattern).is_ok_and(|regex| regex.is_match(name)))
            .map(|(_, index)| *index)
            .or(schema.additional)
            .or(schema.unevaluated)
    }

    fn compare_dependencies(
        &self,
        context: &mut Context,
        original: &ObjectSchema,
        update: &ObjectSchema,
    ) {
        context.enter("dependencies");
        let names: BTreeSet<&String> = original
            .property_dependencies
            .keys()
            .chain(update.property_dependencies.keys())
            .collect();
        for name in names {
            match (
                original.property_dependencies.get(name),
                update.property_dependencies.get(name),
            ) {
                (Some(_), None) => context.add_at(name, "DEPENDENCY_ARRAY_REMOVED"),
                (None, Some(_)) => context.add_at(name, "DEPENDENCY_ARRAY_ADDED"),
                (Some(a), Some(b)) if a != b => {
                    let kind = if b.is_superset(a) {
                        "DEPENDENCY_ARRAY_EXTENDED"
                    } else if a.is_superset(b) {
                        "DEPENDENCY_ARRAY_NARROWED"
                    } else {
                        "DEPENDENCY_ARRAY_CHANGED"
                    };
                    context.add_at(name, kind);
                }
                _ => {}
            }
        }
        let names: BTreeSet<&String> = original
            .schema_dependencies
            .keys()
            .chain(update.schema_dependencies.keys())
            .collect();
        for name in names {
            match (
                original.schema_dependencies.get(name),
                update.schema_dependencies.get(name),
            ) {
                (Some(_), None) => context.add_at(name, "DEPENDENCY_SCHEMA_REMOVED"),
                (None, Some(_)) => context.add_at(name, "DEPENDENCY_SCHEMA_ADDED"),
                (Some(a), Some(b)) => {
                    context.enter(name);
                    self.compare(context, Some(*a), Some(*b));
                    context.leave();
                }
                (None, None) => {}
            }
        }
        context.leave();
    }

    fn compare_arrays(&self, context: &mut Context, original: &ArraySchema, update: &ArraySchema) {
        context.enter("items");
        self.compare(context, original.all_items, update.all_items);
        context.leave();
        self.compare_tuples(context, original, update);
        compare_openness(
            context,
            "additionalItems",
            (original.permits_additional, original.additional),
            (update.permits_additional, update.additional),
            "ADDITIONAL_ITEMS",
            |context, a, b| self.compare(context, a, b),
        );
        compare_openness(
            context,
            "unevaluatedItems",
            (original.permits_unevaluated, original.unevaluated),
            (update.permits_unevaluated, update.unevaluated),
            "UNEVALUATED_ITEMS",
            |context, a, b| self.compare(context, a, b),
        );
        compare_limit(
            context,
            "maxItems",
            original.max_items,
            update.max_items,
            [
                "MAX_ITEMS_ADDED",
                "MAX_ITEMS_REMOVED",
                "MAX_ITEMS_INCREASED",
                "MAX_ITEMS_DECREASED",
            ],
        );
        compare_limit(
            context,
            "minItems",
            original.min_items,
            update.min_items,
            [
                "MIN_ITEMS_ADDED",
                "MIN_ITEMS_REMOVED",
                "MIN_ITEMS_INCREASED",
                "MIN_ITEMS_DECREASED",
            ],
        );
        if original.unique_items != update.unique_items {
            context.add_at(
                "uniqueItems",
                if original.unique_items {
                    "UNIQUE_ITEMS_REMOVED"
                } else {
                    "UNIQUE_ITEMS_ADDED"
                },
            );
        }
        compare_limit(
            context,
            "maxContains",
            original.max_contains,
            update.max_contains,
            [
                "MAX_CONTAINS_ADDED",
                "MAX_CONTAINS_REMOVED",
                "MAX_CONTAINS_INCREASED",
                "MAX_CONTAINS_DECREASED",
            ],
        );
        compare_limit(
            context,
            "minContains",
            original.min_contains,
            update.min_contains,
            [
                "MIN_CONTAINS_ADDED",
                "MIN_CONTAINS_REMOVED",
                "MIN_CONTAINS_INCREASED",
                "MIN_CONTAINS_DECREASED",
            ],
        );
    }

    fn compare_tuples(&self, context: &mut Context, original: &ArraySchema, update: &ArraySchema) {
        let (originals, updates) = (&original.item_schemas, &update.item_schemas);
        let common = originals.len().min(updates.len());
        for index in 0..common {
            context.enter(&format!("items/{index}"));
            self.compare(context, Some(originals[index]), Some(updates[index]));
            context.leave();
        }
        let array_open = |schema: &ArraySchema| {
            schema.additional.is_none()
                && schema.permits_additional
                && schema.unevaluated.is_none()
                && schema.permits_unevaluated
        };
        let array_partial = |schema: &ArraySchema| schema.additional.or(schema.unevaluated);
        for (index, &removed) in originals.iter().enumerate().skip(common) {
            context.enter(&format!("items/{index}"));
            if array_open(update) {
                context.add("ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL");
            } else if let Some(partial) = array_partial(update) {
                let mut sub = context.sub();
                self.compare(&mut sub, Some(removed), Some(partial));
                let compatible = self.is_compatible(&sub);
                context.differences.extend(sub.differences);
                context.add(if compatible {
                    "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                } else {
                    "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                });
            } else if self.node(true, removed).kind.class() == Class::False {
                context.add("ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL");
            } else {
                context.add("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL");
            }
            context.leave();
        }
        for (index, &added) in updates.iter().enumerate().skip(common) {
            context.enter(&format!("items/{index}"));
            if array_open(original) {
                let empty = matches!(
                    self.node(false, added).kind.class(),
                    Class::Empty | Class::True
                );
                context.add(if empty {
                    "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
                } else {
                    "ITEM_ADDED_TO_OPEN_CONTENT_MODEL"
                });
            } else if let Some(partial) = array_partial(original) {
                let mut sub = context.sub();
                self.compare(&mut sub, Some(partial), Some(added));
                let compatible = self.is_compatible(&sub);
                context.differences.extend(sub.differences);
                context.add(if compatible {
                    "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                } else {
                    "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                });
            } else {
                context.add("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL");
            }
            context.leave();
        }
    }
}

fn object_is_open(schema: &ObjectSchema) -> bool {
    schema.pattern_properties.is_empty()
        && schema.additional.is_none()
        && schema.permits_additional
        && schema.unevaluated.is_none()
        && schema.permits_unevaluated
}

/// Compares `additionalProperties`-like keywords: permitted or not, and their schema.
fn compare_openness(
    context: &mut Context,
    keyword: &str,
    original: (bool, Option<usize>),
    update: (bool, Option<usize>),
    prefix: &str,
    compare: impl Fn(&mut Context, Option<usize>, Option<usize>),
) {
    let kind = |suffix: &str| -> &'static str {
        let name = format!("{prefix}_{suffix}");
        TYPES
            .iter()
            .find(|(candidate, _, _)| *candidate == name)
            .map_or("TYPE_CHANGED", |(candidate, _, _)| candidate)
    };
    context.enter(keyword);
    match (original, update) {
        ((a, _), (b, _)) if a != b => context.add(kind(if b { "ADDED" } else { "REMOVED" })),
        ((_, None), (_, Some(_))) => context.add(kind("NARROWED")),
        ((_, Some(_)), (_, None)) => context.add(kind("EXTENDED")),
        ((_, a), (_, b)) => compare(context, a, b),
    }
    context.leave();
}

fn compare_strings(context: &mut Context, original: &StringSchema, update: &StringSchema) {
    compare_limit(
        context,
        "maxLength",
        original.max_length,
        update.max_length,
        [
            "MAX_LENGTH_ADDED",
            "MAX_LENGTH_REMOVED",
            "MAX_LENGTH_INCREASED",
            "MAX_LENGTH_DECREASED",
        ],
    );
    compare_limit(
        context,
        "minLength",
        original.min_length,
        update.min_length,
        [
            "MIN_LENGTH_ADDED",
            "MIN_LENGTH_REMOVED",
            "MIN_LENGTH_INCREASED",
            "MIN_LENGTH_DECREASED",
        ],
    );
    match (&original.pattern, &update.pattern) {
        (None, Some(_)) => context.add_at("pattern", "PATTERN_ADDED"),
        (Some(_), None) => context.add_at("pattern", "PATTERN_REMOVED"),
        (Some(a), Some(b)) if a != b => context.add_at("pattern", "PATTERN_CHANGED"),
        _ => {}
    }
}

fn compare_numbers(context: &mut Context, original: &NumberSchema, update: &NumberSchema) {
    compare_limit(
        context,
        "maximum",
        original.maximum,
        update.maximum,
        [
            "MAXIMUM_ADDED",
            "MAXIMUM_REMOVED",
            "MAXIMUM_INCREASED",
            "MAXIMUM_DECREASED",
        ],
    );
    compare_limit(
        context,
        "minimum",
        original.minimum,
        update.minimum,
        [
            "MINIMUM_ADDED",
            "MINIMUM_REMOVED",
            "MINIMUM_INCREASED",
            "MINIMUM_DECREASED",
        ],
    );
    compare_limit(
        context,
        "exclusiveMaximum",
        original.exclusive_maximum,
        update.exclusive_maximum,
        [
            "EXCLUSIVE_MAXIMUM_ADDED",
            "EXCLUSIVE_MAXIMUM_REMOVED",
            "EXCLUSIVE_MAXIMUM_INCREASED",
            "EXCLUSIVE_MAXIMUM_DECREASED",
        ],
    );
    compare_limit(
        context,
        "exclusiveMinimum",
        original.exclusive_minimum,
        update.exclusive_minimum,
        [
            "EXCLUSIVE_MINIMUM_ADDED",
            "EXCLUSIVE_MINIMUM_REMOVED",
            "EXCLUSIVE_MINIMUM_INCREASED",
            "EXCLUSIVE_MINIMUM_DECREASED",
        ],
    );
    match (original.multiple_of, update.multiple_of) {
        (None, Some(_)) => context.add_at("multipleOf", "MULTIPLE_OF_ADDED"),
        (Some(_), None) => context.add_at("multipleOf", "MULTIPLE_OF_REMOVED"),
        (Some(a), Some(b)) if a != b => {
            let kind = if is_multiple(b, a) {
                "MULTIPLE_OF_EXPANDED"
            } else if is_multiple(a, b) {
                "MULTIPLE_OF_REDUCED"
            } else {
                "MULTIPLE_OF_CHANGED"
            };
            context.add_at("multipleOf", kind);
        }
        _ => {}
    }
    if original.requires_integer != update.requires_integer {
        context.add(if original.requires_integer {
            "TYPE_EXTENDED"
        } else {
            "TYPE_NARROWED"
        });
    }
}

fn compare_enums(context: &mut Context, original: &[Value], update: &[Value]) {
    // Sets of canonical texts: linear in the enums' sizes (a list scan per value was
    // quadratic, minutes for an enum of 150,000 values).
    let set = |values: &[Value]| -> HashSet<String> { values.iter().map(canonical_json).collect() };
    let (original_set, update_set) = (set(original), set(update));
    let contains_all = |haystack: &HashSet<String>, needles: &HashSet<String>| {
        needles.iter().all(|value| haystack.contains(value))
    };
    let (extended, narrowed) = (
        contains_all(&update_set, &original_set),
        contains_all(&original_set, &update_set),
    );
    if extended && narrowed {
        return;
    }
    let kind = if extended {
        "ENUM_ARRAY_EXTENDED"
    } else if narrowed {
        "ENUM_ARRAY_NARROWED"
    } else {
        "ENUM_ARRAY_CHANGED"
    };
    context.add_at("enum", kind);
}

/// A JSON value as text with object keys sorted, so values equal as JSON have equal texts.
pub fn canonical_json(value: &Value) -> String {
    match value {
        Value::Object(object) => {
            let mut entries: Vec<(&String, String)> = object
                .iter()
                .map(|(key, value)| (key, canonical_json(value)))
                .collect();
            entries.sort();
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(key, value)| format!("{}:{value}", Value::String(key.clone())))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical_json).collect();
            format!("[{}]", inner.join(","))
        }
        scalar => scalar.to_string(),
    }
}

/// A maximum bipartite matching (Kuhn's augmenting paths) over the compatible pairs.
fn maximum_matching<T>(edges: &[Vec<Option<T>>]) -> Vec<(usize, usize)> {
    let right_count = edges.first().map_or(0, Vec::len);
    let mut matched_right: Vec<Option<usize>> = vec![None; right_count];
    fn augment<T>(
        left: usize,
        edges: &[Vec<Option<T>>],
        seen: &mut [bool],
        matched: &mut [Option<usize>],
    ) -> bool {
        for right in 0..matched.len() {
            if edges[left][right].is_none() || seen[right] {
                continue;
            }
            seen[right] = true;
            if matched[right].is_none_or(|other| augment(other, edges, seen, matched)) {
                matched[right] = Some(left);
                return true;
            }
        }
        false
    }
    for left in 0..edges.len() {
        let mut seen = vec![false; right_count];
        augment(left, edges, &mut seen, &mut matched_right);
    }
    let mut pairs: Vec<(usize, usize)> = matched_right
        .iter()
        .enumerate()
        .filter_map(|(right, left)| left.map(|left| (left, right)))
        .collect();
    pairs.sort_unstable();
    pairs
}
