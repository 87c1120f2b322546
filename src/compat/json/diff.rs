//! Confluent's JSON Schema diff over the model ([`JsonChecker`]).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use serde_json::Value;

use super::keywords::*;
use super::model::*;
use super::*;

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
pub(super) enum Entry {
    One(&'static str, Vec<String>),
    /// The result of a node pair, compared at this path; its entries' paths are relative to it.
    Shared(Vec<String>, Rc<PairResult>),
}

pub(super) struct PairResult {
    pub(super) entries: Found,
    pub(super) compatible: bool,
    /// How many differences flattening yields: empty results are skipped without a walk.
    pub(super) count: usize,
}

pub(super) fn count(entries: &[Entry]) -> usize {
    entries
        .iter()
        .map(|entry| match entry {
            Entry::One(..) => 1,
            Entry::Shared(_, result) => result.count,
        })
        .sum()
}

/// Differences found; memoized results are shared, never copied, and flattened once at the end.
pub(super) type Found = Vec<Entry>;

pub(super) fn flatten(entries: &[Entry], prefix: &[String], out: &mut Vec<(&'static str, String)>) {
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
pub(super) struct Context {
    pub(super) path: Vec<String>,
    pub(super) differences: Found,
}

impl Context {
    pub(super) fn sub(&self) -> Context {
        Context {
            path: self.path.clone(),
            differences: Vec::new(),
        }
    }

    pub(super) fn add(&mut self, kind: &'static str) {
        self.differences.push(Entry::One(kind, self.path.clone()));
    }

    pub(super) fn add_at(&mut self, segment: &str, kind: &'static str) {
        self.path.push(segment.to_string());
        self.add(kind);
        self.path.pop();
    }

    pub(super) fn enter(&mut self, segment: &str) {
        self.path.push(segment.to_string());
    }

    pub(super) fn leave(&mut self) {
        self.path.pop();
    }

    pub(super) fn share(&mut self, result: &Rc<PairResult>) {
        self.differences
            .push(Entry::Shared(self.path.clone(), result.clone()));
    }
}

pub(super) enum Memo {
    InProgress,
    Done(Rc<PairResult>),
}

/// One comparison. Results are memoized per (original, update) node pair, which keeps recursive
/// and heavily shared schemas polynomial; a pair met again while it is being compared is assumed
/// as in `assumptions` (compatible when absent), and [`JsonChecker::backward`] repeats the
/// comparison until every assumption matches the result, so none can hide an incompatibility.
pub(super) struct Differ<'d> {
    pub(super) original: &'d JsonDocument,
    pub(super) update: &'d JsonDocument,
    pub(super) policy: Policy,
    pub(super) memo: RefCell<HashMap<(usize, usize), Memo>>,
    pub(super) assumptions: &'d HashMap<(usize, usize), Rc<PairResult>>,
    pub(super) assumed: RefCell<HashSet<(usize, usize)>>,
}

/// Compares two optional numeric attributes the way Confluent does, at `keyword`.
impl<'d> Differ<'d> {
    pub(super) fn new(
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

    pub(super) fn node(&self, original: bool, index: usize) -> &Node {
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

    pub(super) fn resolved(&self, original: bool, index: usize) -> usize {
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

    pub(super) fn is_compatible(&self, context: &Context) -> bool {
        self.policy.all_pass(&context.differences)
    }

    pub(super) fn compare(
        &self,
        context: &mut Context,
        original: Option<usize>,
        update: Option<usize>,
    ) {
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

    pub(super) fn compare_pair(&self, context: &mut Context, original: usize, update: usize) {
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

    pub(super) fn compare_combined(
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

    pub(super) fn compare_objects(
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

    pub(super) fn compare_properties(
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
    pub(super) fn partial(&self, schema: &ObjectSchema, name: &str) -> Option<usize> {
        schema
            .pattern_properties
            .iter()
            .find(|(pattern, _)| regex::Regex::new(pattern).is_ok_and(|regex| regex.is_match(name)))
            .map(|(_, index)| *index)
            .or(schema.additional)
            .or(schema.unevaluated)
    }

    pub(super) fn compare_dependencies(
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

    pub(super) fn compare_arrays(
        &self,
        context: &mut Context,
        original: &ArraySchema,
        update: &ArraySchema,
    ) {
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

    pub(super) fn compare_tuples(
        &self,
        context: &mut Context,
        original: &ArraySchema,
        update: &ArraySchema,
    ) {
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
