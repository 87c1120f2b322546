//! The diff's comparisons of single keywords (string and number limits, enums, openness of an
//! object) and the matching of combined schemas' parts.

use std::collections::HashSet;

use serde_json::Value;

use super::diff::Context;
use super::model::*;
use super::TYPES;

pub(super) fn compare_limit(
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

pub(super) fn is_multiple(value: f64, of: f64) -> bool {
    if of == 0.0 {
        return false;
    }
    let ratio = value / of;
    (ratio - ratio.round()).abs() < 1e-9 * ratio.abs().max(1.0)
}

pub(super) fn object_is_open(schema: &ObjectSchema) -> bool {
    schema.pattern_properties.is_empty()
        && schema.additional.is_none()
        && schema.permits_additional
        && schema.unevaluated.is_none()
        && schema.permits_unevaluated
}

/// Compares `additionalProperties`-like keywords: permitted or not, and their schema.
pub(super) fn compare_openness(
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

pub(super) fn compare_strings(
    context: &mut Context,
    original: &StringSchema,
    update: &StringSchema,
) {
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

pub(super) fn compare_numbers(
    context: &mut Context,
    original: &NumberSchema,
    update: &NumberSchema,
) {
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

pub(super) fn compare_enums(context: &mut Context, original: &[Value], update: &[Value]) {
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
pub(super) fn maximum_matching<T>(edges: &[Vec<Option<T>>]) -> Vec<(usize, usize)> {
    let right_count = edges.first().map_or(0, Vec::len);
    let mut matched_right: Vec<Option<usize>> = vec![None; right_count];
    pub(super) fn augment<T>(
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
