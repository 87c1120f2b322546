//! Reading one catalog YAML file: parse, validate against its JSON Schema from `schemas/`, and
//! deserialize into the model, turning every problem into a structure finding with a position.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::findings::{closest, Findings, Site};
use crate::rules;
use crate::source::{offset_of, position_at, Seg};
use crate::tree::CatalogPath;

/// The kinds of catalog file, each with its JSON Schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManifestKind {
    Settings,
    Domain,
    Service,
    Event,
    Vocabulary,
}

impl ManifestKind {
    /// What the manifest describes, in a message.
    pub fn noun(self) -> &'static str {
        match self {
            ManifestKind::Settings => "catalog",
            ManifestKind::Domain => "domain",
            ManifestKind::Service => "service",
            ManifestKind::Event => "event",
            ManifestKind::Vocabulary => "vocabulary",
        }
    }

    const ALL: [ManifestKind; 5] = [
        ManifestKind::Settings,
        ManifestKind::Domain,
        ManifestKind::Service,
        ManifestKind::Event,
        ManifestKind::Vocabulary,
    ];

    /// The schema text, compiled into the binary from the same files editors use.
    fn schema_text(self) -> &'static str {
        match self {
            ManifestKind::Settings => include_str!("../../schemas/evcat.schema.json"),
            ManifestKind::Domain => include_str!("../../schemas/domain.schema.json"),
            ManifestKind::Service => include_str!("../../schemas/service.schema.json"),
            ManifestKind::Event => include_str!("../../schemas/event.schema.json"),
            ManifestKind::Vocabulary => include_str!("../../schemas/vocabulary.schema.json"),
        }
    }
}

/// The compiled JSON Schemas of the catalog files.
pub struct ManifestSchemas {
    compiled: Vec<(Value, jsonschema::Validator)>,
}

impl ManifestSchemas {
    pub fn new() -> Self {
        let compiled = ManifestKind::ALL
            .iter()
            .map(|kind| {
                // The schemas ship inside the binary and a unit test compiles them all, so a
                // failure here is a build defect, not an input problem.
                let schema: Value = serde_json::from_str(kind.schema_text())
                    .expect("bundled catalog schema is valid JSON");
                let validator = jsonschema::options()
                    .build(&schema)
                    .expect("bundled catalog schema compiles");
                (schema, validator)
            })
            .collect();
        ManifestSchemas { compiled }
    }

    fn get(&self, kind: ManifestKind) -> &(Value, jsonschema::Validator) {
        let index = ManifestKind::ALL
            .iter()
            .position(|candidate| *candidate == kind)
            .unwrap_or(0);
        &self.compiled[index]
    }
}

impl Default for ManifestSchemas {
    fn default() -> Self {
        Self::new()
    }
}

/// Parses `text` as a `kind` file. Returns `None` (after recording why) when the file cannot be
/// used: empty, not YAML, or not valid against its schema.
pub fn parse_manifest<T: DeserializeOwned>(
    file: &CatalogPath,
    text: &str,
    kind: ManifestKind,
    schemas: &ManifestSchemas,
    findings: &mut Findings,
) -> Option<T> {
    let value = parse_yaml(file, text, findings)?;
    let (schema, validator) = schemas.get(kind);
    let mut broken_keys: Vec<String> = Vec::new();
    // Most manifests are valid: the yes-or-no answer is cheaper than collecting errors.
    let valid = validator.is_valid(&value);
    let errors = if valid {
        Vec::new()
    } else {
        validator.iter_errors(&value).collect()
    };
    for error in errors {
        report_schema_error(file, schema, &error, findings);
        let path = crate::source::path_of_location(error.instance_path());
        if let Some(Seg::Key(key)) = path.first() {
            broken_keys.push(key.clone());
        }
    }
    let value = if valid {
        value
    } else if kind == ManifestKind::Settings {
        // One mistake in evcat.yaml should not hide its teams and rules from every other
        // check (each owner would turn into an unknown team): keep the top-level keys that are
        // valid on their own, when what remains is a valid file.
        let kept = keep_valid_keys(value, schema, &broken_keys);
        if !validator.is_valid(&kept) {
            return None;
        }
        kept
    } else {
        return None;
    };
    match serde_json::from_value(value) {
        Ok(spec) => Some(spec),
        Err(error) => {
            // The schema should make this unreachable; if it does not, the user still learns why.
            findings.add(
                rules::WRONG_TYPE,
                Site::File(file.clone()),
                format!("cannot read {file}: {error}"),
            );
            None
        }
    }
}

/// `value` without the top-level keys named in `broken` and those the schema does not define.
fn keep_valid_keys(value: Value, schema: &Value, broken: &[String]) -> Value {
    let Value::Object(object) = value else {
        return value;
    };
    let defined = |key: &str| schema["properties"].get(key).is_some();
    Value::Object(
        object
            .into_iter()
            .filter(|(key, _)| defined(key) && !broken.contains(key))
            .collect(),
    )
}

/// Parses YAML into a JSON value, recording syntax errors and empty files.
pub fn parse_yaml(file: &CatalogPath, text: &str, findings: &mut Findings) -> Option<Value> {
    if text.trim().is_empty() {
        findings.add(
            rules::EMPTY_FILE,
            Site::File(file.clone()),
            format!("{file} is empty"),
        );
        return None;
    }
    match crate::yaml::parse(text) {
        Ok(Value::Null) => {
            findings.add(
                rules::EMPTY_FILE,
                Site::File(file.clone()),
                format!("{file} has no content, only comments"),
            );
            None
        }
        Ok(value) => Some(value),
        Err(error) => {
            let position = position_at(text, offset_of(text, error.line, error.column));
            findings.add(
                rules::YAML_SYNTAX,
                Site::At(file.clone(), position),
                format!("invalid YAML: {}", error.message),
            );
            None
        }
    }
}

fn report_schema_error(
    file: &CatalogPath,
    schema: &Value,
    error: &jsonschema::ValidationError<'_>,
    findings: &mut Findings,
) {
    use jsonschema::error::ValidationErrorKind as Kind;
    let path: Vec<Seg> = crate::source::path_of_location(error.instance_path());
    let field = describe_path(&path);
    match error.kind() {
        Kind::AdditionalProperties { unexpected } => {
            let allowed = allowed_keys(schema, error.schema_path().as_str());
            for key in unexpected {
                let mut key_path = path.clone();
                key_path.push(Seg::Key(key.clone()));
                let mut finding = crate::findings::finding(
                    rules::UNKNOWN_KEY,
                    Site::key(file, key_path),
                    format!("unknown key `{key}` in {}", describe_parent(&path)),
                );
                finding.help = Some(match closest(key, &allowed) {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None if allowed.is_empty() => "remove this key".to_string(),
                    None => format!("allowed keys here: {}", allowed.join(", ")),
                });
                findings.push(finding);
            }
        }
        Kind::Required { property } => {
            let key = property.as_str().unwrap_or_default();
            findings.push(
                crate::findings::finding(
                    rules::MISSING_KEY,
                    Site::key(file, path.clone()),
                    format!("missing required key `{key}` in {}", describe_parent(&path)),
                )
                .with_help(format!("add `{key}:` here")),
            );
        }
        Kind::Type { kind } => {
            let expected = match kind {
                jsonschema::error::TypeKind::Single(single) => single.to_string(),
                jsonschema::error::TypeKind::Multiple(set) => set
                    .iter()
                    .map(|json_type| json_type.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            findings.push(
                crate::findings::finding(
                    rules::WRONG_TYPE,
                    Site::value(file, path),
                    format!(
                        "{field} must be {} {expected}, not {}",
                        article(&expected),
                        describe_json_type(error.instance())
                    ),
                )
                .with_help(type_help(&expected)),
            );
        }
        Kind::Enum { options } => {
            let choices = options
                .as_array()
                .map(|values| {
                    values
                        .iter()
                        .map(|value| {
                            value
                                .as_str()
                                .map_or_else(|| value.to_string(), str::to_string)
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            let found = error.instance();
            let found_text = found
                .as_str()
                .map_or_else(|| found.to_string(), str::to_string);
            let mut finding = crate::findings::finding(
                rules::INVALID_VALUE,
                Site::value(file, path),
                format!("{field} is `{found_text}`; allowed: {}", choices.join(", ")),
            );
            if let Some(suggestion) = closest(&found_text, &choices) {
                finding.help = Some(format!("did you mean `{suggestion}`?"));
            }
            findings.push(finding);
        }
        _ => findings.add(
            rules::INVALID_VALUE,
            Site::value(file, path),
            format!("{field}: {}", error.masked()),
        ),
    }
}

/// The keys a schema object allows, for "did you mean" suggestions.
fn allowed_keys(schema: &Value, schema_path: &str) -> Vec<String> {
    let parent = schema_path
        .strip_suffix("/additionalProperties")
        .unwrap_or(schema_path);
    schema
        .pointer(parent)
        .and_then(|node| node.get("properties"))
        .and_then(Value::as_object)
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default()
}

fn describe_path(path: &[Seg]) -> String {
    if path.is_empty() {
        return "the file".to_string();
    }
    let text = path
        .iter()
        .map(|segment| match segment {
            Seg::Key(key) => key.clone(),
            Seg::Index(index) => format!("[{index}]"),
        })
        .collect::<Vec<_>>()
        .join(".")
        .replace(".[", "[");
    format!("`{text}`")
}

fn describe_parent(path: &[Seg]) -> String {
    if path.is_empty() {
        "the top level".to_string()
    } else {
        describe_path(path)
    }
}

fn article(noun: &str) -> &'static str {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn describe_json_type(value: &Value) -> String {
    match value {
        Value::Null => "empty (null)".to_string(),
        Value::Bool(flag) => format!("a boolean ({flag})"),
        Value::Number(number) => format!("a number ({number})"),
        Value::String(_) => "a string".to_string(),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "a mapping".to_string(),
    }
}

fn type_help(expected: &str) -> String {
    match expected {
        "array" => "write a list: `[a, b]`, or one `- item` per line".to_string(),
        "string" => "quote the value: `\"...\"`".to_string(),
        "object" => "write a mapping: one `key: value` per line, indented".to_string(),
        other => format!("give {} {other}", article(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_schemas_compile() {
        let schemas = ManifestSchemas::new();
        assert_eq!(schemas.compiled.len(), ManifestKind::ALL.len());
    }
}
