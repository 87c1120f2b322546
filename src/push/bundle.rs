//! JSON Schemas with their referenced files bundled in, for registries that do not support
//! references for JSON Schema (Karapace answers 44302). An environment opts in with
//! `json_references: bundle`.
//!
//! Each file a schema `$ref`s (transitively) is copied under `$defs`, keyed by its catalog path,
//! and every `$ref` to it is rewritten to point there (`a.json#/definitions/x` becomes
//! `#/$defs/<path of a.json>/definitions/x`); local `$ref`s inside a copied file are rewritten
//! to its place. A copied file loses its own `$id` and `$schema`, which would otherwise change
//! how its references resolve. The verdicts are the same (the engine follows `$ref`s either way);
//! the trade-off is that every referring subject holds its own copy, so a change to a shared file
//! makes a new version of each subject that uses it.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::desired::Registration;
use crate::catalog::Format;
use crate::formats::json::DATA_KEYWORDS;

/// The registrations as an environment with `json_references: bundle` registers them: the same
/// list (indices unchanged), JSON Schemas with references made self-contained.
pub fn bundled(registrations: &[Registration]) -> Vec<Registration> {
    registrations
        .iter()
        .map(|registration| {
            if registration.format != Format::Json || registration.references.is_empty() {
                return registration.clone();
            }
            let mut bundled = registration.clone();
            if let Some(schema) = bundle(registrations, registration) {
                bundled.schema = schema;
                bundled.references = Vec::new();
            }
            bundled
        })
        .collect()
}

/// The self-contained text of one JSON registration; `None` when a text does not parse (lint
/// reports it; the registry then refuses the schema as it is).
fn bundle(registrations: &[Registration], root: &Registration) -> Option<String> {
    let mut document: Value = serde_json::from_str(&root.schema).ok()?;
    let mut definitions: BTreeMap<String, Value> = BTreeMap::new();
    let mut pending: Vec<usize> = Vec::new();
    rewrite(
        &mut document,
        None,
        &targets(registrations, root),
        &mut pending,
    );
    while let Some(index) = pending.pop() {
        let shared = &registrations[index];
        let key = shared.file.to_string();
        if definitions.contains_key(&key) {
            continue;
        }
        let mut copy: Value = serde_json::from_str(&shared.schema).ok()?;
        if let Value::Object(object) = &mut copy {
            object.remove("$id");
            object.remove("$schema");
        }
        rewrite(
            &mut copy,
            Some(&key),
            &targets(registrations, shared),
            &mut pending,
        );
        definitions.insert(key, copy);
    }
    let Value::Object(object) = &mut document else {
        return None;
    };
    let defs = object
        .entry("$defs")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(defs) = defs else {
        return None; // A `$defs` that is not an object: leave the schema as it is.
    };
    defs.extend(definitions);
    serde_json::to_string_pretty(&document).ok()
}

/// What each `$ref` target a registration writes stands for: the registration's index and its
/// `$defs` key (the file's catalog path).
type Targets = HashMap<String, (usize, String)>;

fn targets(registrations: &[Registration], registration: &Registration) -> Targets {
    registration
        .references
        .iter()
        .filter(|(_, index)| registrations[*index].format == Format::Json)
        .map(|(written, index)| {
            (
                written.clone(),
                (*index, registrations[*index].file.to_string()),
            )
        })
        .collect()
}

/// The pointer to a `$defs` entry (its key escaped as a JSON pointer segment).
fn definition_pointer(key: &str) -> String {
    format!("#/$defs/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// Rewrites the `$ref`s of one document: to other files (by `targets`, noting each file met in
/// `pending`), and, for a copied file (`own` is its key), local ones to its place.
fn rewrite(value: &mut Value, own: Option<&str>, targets: &Targets, pending: &mut Vec<usize>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                match (key.as_str(), child) {
                    ("$ref", Value::String(reference)) => {
                        if let Some(rewritten) = rewritten_ref(reference, own, targets, pending) {
                            *reference = rewritten;
                        }
                    }
                    (keyword, _) if DATA_KEYWORDS.contains(&keyword) => {}
                    (_, child) => rewrite(child, own, targets, pending),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                rewrite(item, own, targets, pending);
            }
        }
        _ => {}
    }
}

fn rewritten_ref(
    reference: &str,
    own: Option<&str>,
    targets: &Targets,
    pending: &mut Vec<usize>,
) -> Option<String> {
    let (target, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    if target.is_empty() {
        // A local reference: inside a copied file, it now lives under that file's entry.
        return own.map(|key| format!("{}{fragment}", definition_pointer(key)));
    }
    let (index, key) = targets.get(target)?;
    pending.push(*index);
    Some(format!("{}{fragment}", definition_pointer(key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CompatibilityLevel, SchemaRole};
    use crate::compat::json::{JsonChecker, JsonDocument, Policy};
    use crate::compat::FormatChecker;
    use crate::push::desired::Origin;
    use crate::tree::CatalogPath;

    fn registration(file: &str, schema: Value, references: Vec<(&str, usize)>) -> Registration {
        Registration {
            subject: file.to_string(),
            origin: Origin::Event(SchemaRole::Value),
            file: CatalogPath::parse(file).unwrap(),
            format: Format::Json,
            schema: schema.to_string(),
            references: references
                .into_iter()
                .map(|(name, index)| (name.to_string(), index))
                .collect(),
            level: CompatibilityLevel::Backward,
            events: Vec::new(),
        }
    }

    #[test]
    fn referenced_files_are_copied_and_refs_rewritten() {
        let money = serde_json::json!({
            "$id": "https://example.com/money.json",
            "type": "object",
            "properties": { "currency": { "$ref": "#/definitions/code" } },
            "definitions": { "code": { "type": "string", "minLength": 3 } }
        });
        let address = serde_json::json!({
            "type": "object",
            "properties": { "fee": { "$ref": "money.json" } }
        });
        let event = serde_json::json!({
            "type": "object",
            "properties": {
                "to": { "$ref": "../s/address.json" },
                "code": { "$ref": "../s/money.json#/definitions/code" },
                "sample": { "const": { "$ref": "not a reference" } }
            }
        });
        let registrations = vec![
            registration("s/money.json", money, vec![]),
            registration("s/address.json", address, vec![("money.json", 0)]),
            registration(
                "e/schema.json",
                event.clone(),
                vec![("../s/address.json", 1), ("../s/money.json", 0)],
            ),
        ];
        let bundled = bundled(&registrations);
        assert_eq!(
            bundled[0].schema, registrations[0].schema,
            "no references: unchanged"
        );
        let document: Value = serde_json::from_str(&bundled[2].schema).unwrap();
        assert!(bundled[2].references.is_empty());
        let properties = &document["properties"];
        assert_eq!(properties["to"]["$ref"], "#/$defs/s~1address.json");
        assert_eq!(
            properties["code"]["$ref"],
            "#/$defs/s~1money.json/definitions/code"
        );
        assert_eq!(properties["sample"]["const"]["$ref"], "not a reference");
        let defs = &document["$defs"];
        assert_eq!(
            defs["s/address.json"]["properties"]["fee"]["$ref"],
            "#/$defs/s~1money.json"
        );
        assert_eq!(
            defs["s/money.json"]["properties"]["currency"]["$ref"],
            "#/$defs/s~1money.json/definitions/code"
        );
        assert!(defs["s/money.json"].get("$id").is_none());

        // The engine sees the same schema either way.
        let files: HashMap<&str, &str> = [
            ("../s/address.json", registrations[1].schema.as_str()),
            ("money.json", registrations[0].schema.as_str()),
            ("../s/money.json", registrations[0].schema.as_str()),
        ]
        .into_iter()
        .collect();
        let resolve = |reference: &str| serde_json::from_str(files.get(reference).copied()?).ok();
        let referenced = JsonDocument::parse(&registrations[2].schema, &resolve).unwrap();
        let self_contained = JsonDocument::parse(&bundled[2].schema, &|_: &str| None).unwrap();
        let checker = JsonChecker {
            policy: Policy::Strict,
        };
        for (old, new) in [
            (&referenced, &self_contained),
            (&self_contained, &referenced),
        ] {
            let differences = checker.backward(old, new);
            assert!(
                differences.iter().all(|difference| !difference.breaking),
                "{differences:?}"
            );
        }
    }
}
