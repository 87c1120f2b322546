//! JSON Schema: validating a schema against its draft's meta-schema, resolving `$ref`s to other
//! catalog files, and checking examples.
//!
//! A schema's draft comes from `$schema`; without one it is draft-07, Confluent Schema Registry's
//! default. A `$ref` to another file is resolved relative to the referencing file, inside the
//! catalog only: evcat never fetches a schema from the network.

use std::collections::HashSet;
use std::sync::Arc;

use jsonschema::{Draft, Retrieve, Uri, Validator};

use serde_json::Value;

use super::{parse_json, Declared};
use crate::catalog::{Catalog, Files, ReadError};
use crate::findings::{finding, Findings, Site};
use crate::rules;
use crate::source::Seg;
use crate::tree::{CatalogPath, PathError};

/// Base URIs of catalog files: `file:///domains/...`, so relative `$ref`s resolve like paths.
const BASE_SCHEME: &str = "file:///";

pub struct JsonSchema {
    path: CatalogPath,
    /// Shared, so walks of its fields hold it without a copy.
    schema: Arc<Value>,
    /// `None` when compiled for reading only (discovery), which never checks payloads.
    validator: Option<Validator>,
}

/// Reads `$ref`'d schemas from the catalog.
struct CatalogRetriever {
    files: Arc<Files>,
}

impl Retrieve for CatalogRetriever {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let text = uri.as_str();
        let relative = text.strip_prefix(BASE_SCHEME).ok_or_else(|| {
            format!("{text} is not a catalog file; evcat resolves `$ref`s inside the catalog only")
        })?;
        let path = CatalogPath::parse(relative)?;
        let content = self
            .files
            .read_text(&path)
            .map_err(|error| super::describe_read_error(&path, &error))?;
        Ok(serde_json::from_str(&content)?)
    }
}

/// The draft a schema declares with `$schema`; `Err` with the URI when evcat does not know it.
fn draft_of(schema: &Value) -> Result<Draft, String> {
    let Some(declared) = schema.get("$schema").and_then(Value::as_str) else {
        return Ok(Draft::Draft7);
    };
    let normalized = declared
        .trim_end_matches('#')
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    match normalized {
        "json-schema.org/draft-04/schema" => Ok(Draft::Draft4),
        "json-schema.org/draft-06/schema" => Ok(Draft::Draft6),
        "json-schema.org/draft-07/schema" => Ok(Draft::Draft7),
        "json-schema.org/draft/2019-09/schema" => Ok(Draft::Draft201909),
        "json-schema.org/draft/2020-12/schema" => Ok(Draft::Draft202012),
        _ => Err(declared.to_string()),
    }
}

fn meta_validator(draft: Draft) -> jsonschema::meta::MetaValidator<'static> {
    match draft {
        Draft::Draft4 => jsonschema::draft4::meta::validator(),
        Draft::Draft6 => jsonschema::draft6::meta::validator(),
        Draft::Draft201909 => jsonschema::draft201909::meta::validator(),
        Draft::Draft202012 => jsonschema::draft202012::meta::validator(),
        _ => jsonschema::draft7::meta::validator(),
    }
}

/// Validates every shared JSON Schema file (under `domains/<d>/schemas/`) once, against its
/// draft's meta-schema, reporting problems at their own lines. Returns the files that are not
/// valid, so that the schemas referring to them say which file is broken instead of failing
/// obscurely at their first line.
pub fn check_shared(catalog: &Catalog, findings: &mut Findings) -> HashSet<CatalogPath> {
    let mut broken = HashSet::new();
    for path in &catalog.shared_files {
        if path.extension() != Some("json") {
            continue;
        }
        let Some(text) = catalog.read_text_or_report(path, &Site::File(path.clone()), findings)
        else {
            broken.insert(path.clone());
            continue;
        };
        let Some(schema) = parse_json(path, &text, rules::JSON_SCHEMA_INVALID, findings) else {
            broken.insert(path.clone());
            continue;
        };
        let before = findings.len();
        if report_validity(path, &schema, findings).is_none() || findings.len() > before {
            broken.insert(path.clone());
        }
    }
    broken
}

/// Reports why `schema` (the file `path`) is not valid for its draft, each problem at its
/// line: an unsupported `$schema`, or what its draft's meta-schema refuses. Returns the draft
/// unless `$schema` names one evcat does not know.
fn report_validity(path: &CatalogPath, schema: &Value, findings: &mut Findings) -> Option<Draft> {
    let draft = match draft_of(schema) {
        Ok(draft) => draft,
        Err(declared) => {
            findings.push(
                finding(
                    rules::JSON_SCHEMA_INVALID,
                    Site::value(path, vec![Seg::key("$schema")]),
                    format!("unsupported `$schema` {declared}"),
                )
                .with_help(
                    "use http://json-schema.org/draft-07/schema# or https://json-schema.org/draft/2020-12/schema \
                     (draft-04, -06 and 2019-09 work too)",
                ),
            );
            return None;
        }
    };
    for (at, message) in meta_problems(schema, draft) {
        findings.add(rules::JSON_SCHEMA_INVALID, Site::value(path, at), message);
    }
    Some(draft)
}

/// Compiles an event's JSON Schema; `broken_shared` are the shared files [`check_shared`]
/// found invalid.
pub fn compile(
    catalog: &Catalog,
    broken_shared: &HashSet<CatalogPath>,
    path: &CatalogPath,
    text: &str,
    purpose: super::Purpose,
    findings: &mut Findings,
) -> Option<JsonSchema> {
    let schema = parse_json(path, text, rules::JSON_SCHEMA_INVALID, findings)?;
    if purpose == super::Purpose::Read {
        return Some(JsonSchema {
            path: path.clone(),
            schema: Arc::new(schema),
            validator: None,
        });
    }
    let before = findings.len();
    let draft = report_validity(path, &schema, findings)?;
    check_refs(catalog, broken_shared, path, &schema, findings);
    if findings.len() > before {
        return None;
    }
    let built = jsonschema::options()
        .with_draft(draft)
        .with_base_uri(format!("{BASE_SCHEME}{path}"))
        .with_retriever(CatalogRetriever {
            files: catalog.files().clone(),
        })
        .build(&schema);
    match built {
        Ok(validator) => Some(JsonSchema {
            path: path.clone(),
            schema: Arc::new(schema),
            validator: Some(validator),
        }),
        Err(error) => {
            let rule = match error.kind() {
                jsonschema::error::ValidationErrorKind::Referencing(_) => {
                    rules::UNRESOLVED_REFERENCE
                }
                _ => rules::JSON_SCHEMA_INVALID,
            };
            findings.add(rule, Site::File(path.clone()), error.masked().to_string());
            None
        }
    }
}

/// A schema's problems against its draft's meta-schema, each at its path. Lint, `compat`,
/// `check` and the embedded registry all refuse a schema through this one check.
fn meta_problems(schema: &Value, draft: Draft) -> Vec<(Vec<Seg>, String)> {
    meta_validator(draft)
        .iter_errors(schema)
        .map(|error| {
            (
                instance_path(&error),
                format!(
                    "not a valid {} schema: {}",
                    draft_name(draft),
                    error.masked()
                ),
            )
        })
        .collect()
}

/// Why a JSON Schema is not valid for its draft (or names a draft evcat does not know), as one
/// message with its location: `None` when it is valid.
pub fn validity_problem(schema: &Value) -> Option<String> {
    let draft = match draft_of(schema) {
        Ok(draft) => draft,
        Err(declared) => return Some(format!("unsupported `$schema` {declared}")),
    };
    let (at, message) = meta_problems(schema, draft).into_iter().next()?;
    Some(format!("{message} (at {})", crate::source::pointer_of(&at)))
}

fn draft_name(draft: Draft) -> &'static str {
    match draft {
        Draft::Draft4 => "draft-04",
        Draft::Draft6 => "draft-06",
        Draft::Draft201909 => "2019-09",
        Draft::Draft202012 => "2020-12",
        _ => "draft-07",
    }
}

fn instance_path(error: &jsonschema::ValidationError<'_>) -> Vec<Seg> {
    crate::source::path_of_location(error.instance_path())
}

/// Reports each `$ref` that does not resolve at the `$ref` itself (the validator's own error
/// would only name the URI, at the file's first line): a file outside the catalog, missing or
/// broken (a shared file [`check_shared`] refused), or a `#/pointer` that leads nowhere in its
/// document.
fn check_refs(
    catalog: &Catalog,
    broken_shared: &HashSet<CatalogPath>,
    path: &CatalogPath,
    schema: &Value,
    findings: &mut Findings,
) {
    let mut refs = Vec::new();
    collect_refs(schema, &mut Vec::new(), &mut refs);
    for (reference, ref_path) in refs {
        let site = Site::value(path, ref_path);
        let (target, fragment) = match reference.split_once('#') {
            Some((target, fragment)) => (target, Some(fragment)),
            None => (reference.as_str(), None),
        };
        if target.contains(':') {
            continue; // An absolute URI: the validator resolves or reports it.
        }
        let document = if target.is_empty() {
            std::borrow::Cow::Borrowed(schema)
        } else {
            let Some(document) = referenced_document(
                catalog,
                broken_shared,
                path,
                &reference,
                target,
                &site,
                findings,
            ) else {
                continue;
            };
            std::borrow::Cow::Owned(document)
        };
        let Some(pointer) = fragment.filter(|fragment| fragment.starts_with('/')) else {
            continue; // The whole document, or an anchor name the validator resolves.
        };
        let decoded = percent_encoding::percent_decode_str(pointer).decode_utf8_lossy();
        if document.pointer(&decoded).is_none() {
            findings.push(
                finding(
                    rules::UNRESOLVED_REFERENCE,
                    site,
                    format!("`$ref` {reference}: nothing at #{pointer}"),
                )
                .with_help(
                    "the part after `#` is a JSON pointer into the schema: check each step of it",
                ),
            );
        }
    }
}

/// The document a `$ref` to another file names, reporting it at the `$ref` when it is outside
/// the catalog, missing, unreadable or broken.
fn referenced_document(
    catalog: &Catalog,
    broken_shared: &HashSet<CatalogPath>,
    path: &CatalogPath,
    reference: &str,
    target: &str,
    site: &Site,
    findings: &mut Findings,
) -> Option<Value> {
    let target_path = match path.parent().join(target) {
        Ok(target_path) => target_path,
        Err(PathError::Empty) => return None,
        Err(_) => {
            findings.add(
                rules::PATH_ESCAPE,
                site.clone(),
                format!("`$ref` {reference} points outside the catalog"),
            );
            return None;
        }
    };
    if broken_shared.contains(&target_path) {
        findings.add(
            rules::UNRESOLVED_REFERENCE,
            site.clone(),
            format!(
                "`$ref` {reference}: {target_path} is not a valid schema (see the findings in it)"
            ),
        );
        return None;
    }
    match catalog.read_text(&target_path) {
        Ok(text) => serde_json::from_str(&text).ok(),
        Err(ReadError::NotFound | ReadError::NotAFile) => {
            findings.push(
                finding(
                    rules::UNRESOLVED_REFERENCE,
                    site.clone(),
                    format!("`$ref` {reference}: {target_path} does not exist"),
                )
                .with_help("paths in `$ref` are relative to the schema file that holds them"),
            );
            None
        }
        Err(error) => {
            findings.add(
                rules::UNRESOLVED_REFERENCE,
                site.clone(),
                format!(
                    "`$ref` {reference}: {}",
                    super::describe_read_error(&target_path, &error)
                ),
            );
            None
        }
    }
}

/// The file a `$ref` names, relative to the referring file; `None` for a local reference
/// (`#/...`) or an absolute URI.
fn file_target(reference: &str) -> Option<&str> {
    let target = reference.split('#').next().unwrap_or_default();
    (!target.is_empty() && !target.contains(':')).then_some(target)
}

/// The other files a schema's `$ref`s name, as written (without fragment), each once, in order.
pub fn referenced_files(schema: &Value) -> Vec<String> {
    let mut refs = Vec::new();
    collect_refs(schema, &mut Vec::new(), &mut refs);
    let mut files: Vec<String> = Vec::new();
    for (reference, _) in &refs {
        if let Some(target) = file_target(reference) {
            if !files.iter().any(|known| known == target) {
                files.push(target.to_string());
            }
        }
    }
    files
}

/// Keywords whose values are data, not subschemas: a `$ref` inside them is not a reference.
pub const DATA_KEYWORDS: [&str; 5] = ["enum", "const", "default", "examples", "example"];

fn collect_refs(value: &Value, path: &mut Vec<Seg>, refs: &mut Vec<(String, Vec<Seg>)>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                path.push(Seg::Key(key.clone()));
                match (key.as_str(), child) {
                    ("$ref", Value::String(reference)) => {
                        refs.push((reference.clone(), path.clone()))
                    }
                    (keyword, _) if DATA_KEYWORDS.contains(&keyword) => {}
                    _ => collect_refs(child, path, refs),
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Seg::Index(index));
                collect_refs(item, path, refs);
                path.pop();
            }
        }
        _ => {}
    }
}

impl JsonSchema {
    /// A document read for its fields only (no validator).
    pub fn for_reading(path: CatalogPath, schema: Value) -> JsonSchema {
        JsonSchema {
            path,
            schema: Arc::new(schema),
            validator: None,
        }
    }

    /// The document, shared.
    pub fn shared_value(&self) -> Arc<Value> {
        Arc::clone(&self.schema)
    }

    pub fn schema(&self) -> &Value {
        &self.schema
    }

    pub fn title(&self) -> Option<String> {
        self.schema
            .get("title")
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    pub fn check_example(&self, file: &CatalogPath, value: &Value, findings: &mut Findings) {
        let Some(validator) = &self.validator else {
            return;
        };
        for error in validator.iter_errors(value) {
            let path = instance_path(&error);
            let place = match error.instance_path().as_str() {
                "" => String::new(),
                pointer => format!(" at `{pointer}`"),
            };
            findings.add(
                rules::EXAMPLE_MISMATCH,
                Site::value(file, path),
                format!(
                    "example does not match {}{place}: {}",
                    self.path,
                    error.masked()
                ),
            );
        }
    }

    /// Property names declared anywhere in the schema file.
    pub fn path(&self) -> &CatalogPath {
        &self.path
    }

    pub fn value(&self) -> &Value {
        &self.schema
    }

    pub fn field_names(&self) -> Vec<Declared> {
        let mut names = Vec::new();
        self.collect_properties(&self.schema, &mut Vec::new(), &mut names);
        names
    }

    fn collect_properties(&self, value: &Value, path: &mut Vec<Seg>, names: &mut Vec<Declared>) {
        match value {
            Value::Object(object) => {
                for (key, child) in object {
                    if DATA_KEYWORDS.contains(&key.as_str()) {
                        continue;
                    }
                    path.push(Seg::Key(key.clone()));
                    if let ("properties", Value::Object(properties)) = (key.as_str(), child) {
                        for (name, subschema) in properties {
                            path.push(Seg::Key(name.clone()));
                            names.push(Declared {
                                name: name.clone(),
                                site: Site::key(&self.path, path.clone()),
                            });
                            self.collect_properties(subschema, path, names);
                            path.pop();
                        }
                    } else {
                        self.collect_properties(child, path, names);
                    }
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    path.push(Seg::Index(index));
                    self.collect_properties(item, path, names);
                    path.pop();
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drafts_from_schema_uri() {
        assert_eq!(draft_of(&json!({})), Ok(Draft::Draft7));
        assert_eq!(
            draft_of(&json!({"$schema": "https://json-schema.org/draft/2020-12/schema"})),
            Ok(Draft::Draft202012)
        );
        assert_eq!(
            draft_of(&json!({"$schema": "http://json-schema.org/draft-07/schema#"})),
            Ok(Draft::Draft7)
        );
        assert!(draft_of(&json!({"$schema": "http://example.com/x"})).is_err());
    }

    #[test]
    fn refs_skip_data_keywords() {
        let schema = json!({"properties": {"a": {"$ref": "x.json"}}, "examples": [{"$ref": "no"}]});
        let mut refs = Vec::new();
        collect_refs(&schema, &mut Vec::new(), &mut refs);
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].0, "x.json");
    }
}
