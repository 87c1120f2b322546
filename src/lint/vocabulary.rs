//! The shared vocabulary (`vocabulary.yaml`): its terms are unambiguous and name types their
//! formats have (`V003`); every field of every event's schemas (nested ones, and those of the
//! shared types, imports and `$ref`s it uses) that carries a term's alias is renamed (`V001`),
//! and one that carries a term's name has the term's type (`V002`). One hash lookup per field.

use std::collections::{HashMap, HashSet};

use crate::catalog::vocabulary::{fold, Classifier, NameUse, Term, VOCABULARY_FILE};
use crate::catalog::{Catalog, Classification, Event, Format, SchemaRole, SETTINGS_FILE};
use crate::findings::{closest, finding, Findings, Site};
use crate::formats::fields::{Field, TAGS_PROPERTY};
use crate::formats::{self, Compiled, SchemaContext};
use crate::rules;
use crate::source::Seg;

use super::config::{Case, NamingOptions};

/// The terms' own problems: names two terms claim, aliases that are their term's name, types
/// their format does not have, owners that are not teams.
pub fn check_definitions(catalog: &Catalog, findings: &mut Findings) {
    let Some(vocabulary) = &catalog.vocabulary else {
        return;
    };
    let file = crate::tree::CatalogPath::root().child(VOCABULARY_FILE);
    let at = |id: &str, rest: &[Seg]| {
        let mut path = vec![Seg::key("terms"), Seg::key(id)];
        path.extend_from_slice(rest);
        Site::value(&file, path)
    };
    // Folded name → the term (and how it writes the name) that claimed it first.
    let mut claimed: HashMap<String, (&str, &str)> = HashMap::new();
    for (id, term) in &vocabulary.terms {
        if let Some((other, written)) = claimed.insert(fold(&term.field), (id, &term.field)) {
            findings.add(
                rules::VOCABULARY_DEFINITION,
                at(id, &[Seg::key("field")]),
                format!(
                    "term `{id}`'s name `{}` is term `{other}`'s name `{written}`, ignoring case \
                     and separators: a name may belong to one term only",
                    term.field
                ),
            );
        }
    }
    for (id, term) in &vocabulary.terms {
        check_aliases(id, term, &mut claimed, &at, findings);
        check_types(id, term, &at, findings);
        if let Some(owner) = &term.owner {
            if catalog.settings_loaded && !catalog.settings.teams.contains_key(owner) {
                let teams: Vec<&String> = catalog.settings.teams.keys().collect();
                findings.push(
                    finding(
                        rules::UNKNOWN_TEAM,
                        at(id, &[Seg::key("owner")]),
                        format!("owner `{owner}` is not a team declared in {SETTINGS_FILE}"),
                    )
                    .with_help(match closest(owner, &teams) {
                        Some(team) => format!("did you mean `{team}`?"),
                        None => format!("declare it under `teams:` in {SETTINGS_FILE}"),
                    }),
                );
            }
        }
    }
}

fn check_aliases<'v>(
    id: &'v str,
    term: &'v Term,
    claimed: &mut HashMap<String, (&'v str, &'v str)>,
    at: &impl Fn(&str, &[Seg]) -> Site,
    findings: &mut Findings,
) {
    let own = fold(&term.field);
    let mut seen = HashSet::new();
    for (index, alias) in term.aliases.iter().enumerate() {
        let folded = fold(alias);
        let site = at(id, &[Seg::key("aliases"), Seg::Index(index)]);
        if folded == own {
            findings.add(
                rules::VOCABULARY_DEFINITION,
                site,
                format!(
                    "alias `{alias}` is term `{id}`'s own name `{}`, ignoring case and separators: \
                     every field with the right name would be reported; remove the alias",
                    term.field
                ),
            );
        } else if !seen.insert(folded.clone()) {
            findings.add(
                rules::VOCABULARY_DEFINITION,
                site,
                format!("alias `{alias}` of term `{id}` repeats an earlier alias, ignoring case and separators"),
            );
        } else if let Some((other, written)) = claimed.get(&folded).copied() {
            findings.add(
                rules::VOCABULARY_DEFINITION,
                site,
                format!(
                    "alias `{alias}` of term `{id}` is also `{written}` of term `{other}`, ignoring \
                     case and separators: a name may belong to one term only"
                ),
            );
        } else {
            claimed.insert(folded, (id, alias));
        }
    }
}

fn check_types(id: &str, term: &Term, at: &impl Fn(&str, &[Seg]) -> Site, findings: &mut Findings) {
    for format in [Format::Avro, Format::Protobuf, Format::Json] {
        let Some(written) = term.types.of(format) else {
            continue;
        };
        if !known_type(format, written) {
            findings.push(
                finding(
                    rules::VOCABULARY_DEFINITION,
                    at(id, &[Seg::key("types"), Seg::key(format.as_str())]),
                    format!("term `{id}`: `{written}` is not a {format} type"),
                )
                .with_help(match format {
                    Format::Avro => {
                        "write a primitive (`string`), a logical type (`timestamp-millis`, or \
                         `long (timestamp-millis)`), `decimal`, or a full name (`acme.common.Money`)"
                    }
                    Format::Protobuf => {
                        "write a scalar (`string`, `int64`) or a full message or enum name \
                         (`google.protobuf.Timestamp`)"
                    }
                    Format::Json => {
                        "write a JSON Schema type (`string`, `integer`), optionally with a format: \
                         `string (date-time)`"
                    }
                }),
            );
        }
    }
}

const AVRO_PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];
const AVRO_LOGICAL: [&str; 13] = [
    "uuid",
    "date",
    "time-millis",
    "time-micros",
    "timestamp-millis",
    "timestamp-micros",
    "timestamp-nanos",
    "local-timestamp-millis",
    "local-timestamp-micros",
    "local-timestamp-nanos",
    "decimal",
    "big-decimal",
    "duration",
];
const PROTOBUF_SCALARS: [&str; 15] = [
    "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32",
    "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes",
];
const JSON_TYPES: [&str; 7] = [
    "string", "integer", "number", "boolean", "object", "array", "null",
];

/// Whether `written` is a type of `format`, in the notation `evcat show` uses.
fn known_type(format: Format, written: &str) -> bool {
    let with_detail = |bases: &[&str], detail: &dyn Fn(&str) -> bool| {
        written
            .strip_suffix(')')
            .and_then(|rest| rest.split_once(" ("))
            .is_some_and(|(base, inner)| bases.contains(&base) && detail(inner))
    };
    match format {
        Format::Avro => {
            AVRO_PRIMITIVES.contains(&written)
                || AVRO_LOGICAL.contains(&written)
                || with_detail(&AVRO_PRIMITIVES, &|logical| AVRO_LOGICAL.contains(&logical))
                || is_decimal(written)
                || is_full_name(written)
        }
        Format::Protobuf => PROTOBUF_SCALARS.contains(&written) || is_full_name(written),
        Format::Json => {
            JSON_TYPES.contains(&written)
                || with_detail(&JSON_TYPES, &|format| {
                    !format.is_empty()
                        && format
                            .chars()
                            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
                })
        }
    }
}

/// `decimal(10, 2)`, as `evcat show` writes a decimal's precision and scale.
fn is_decimal(written: &str) -> bool {
    written
        .strip_prefix("decimal(")
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|inner| inner.split_once(", "))
        .is_some_and(|(precision, scale)| {
            precision.parse::<u32>().is_ok() && scale.parse::<u32>().is_ok()
        })
}

/// A dotted name of identifiers: `acme.common.Money`.
fn is_full_name(written: &str) -> bool {
    written.contains('.')
        && written.split('.').all(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
                && chars.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        })
}

/// Whether a field's type (as `evcat show` writes it) is the term's: nullability aside, a bare
/// Avro logical type or `decimal` matches its full spelling, a Protobuf enum its name.
fn type_matches(format: Format, expected: &str, actual: &str) -> bool {
    if actual == expected {
        return true;
    }
    let actual = actual
        .split(" | ")
        .filter(|alternative| *alternative != "null")
        .collect::<Vec<_>>()
        .join(" | ");
    if actual == expected {
        return true;
    }
    match format {
        Format::Avro => {
            let logical = actual
                .strip_suffix(')')
                .and_then(|rest| rest.split_once(" ("))
                .map(|(_, logical)| logical);
            logical == Some(expected) || (expected == "decimal" && is_decimal(&actual))
        }
        Format::Protobuf => actual.strip_prefix("enum ") == Some(expected),
        Format::Json => false,
    }
}

/// One compiled schema of `event` against the vocabulary. Fields its own file declares are
/// reported there; Avro and JSON Schema shared files are checked on their own
/// ([`check_shared`]), so their fields are skipped here; a Protobuf import's fields (imports
/// are compiled only with the events that use them) are reported at the event's `schema:`.
/// Returns the schema's most sensitive field, shared ones included.
pub fn check_schema(
    classifier: &Classifier<'_>,
    catalog: &Catalog,
    event: &Event,
    role: SchemaRole,
    compiled: &Compiled,
    naming: &NamingOptions,
    findings: &mut Findings,
) -> Option<Sensitive> {
    let elsewhere = (compiled.format() == Format::Protobuf)
        .then(|| formats::declaration(event, role))
        .flatten()
        .map(|declaration| Site::value(&event.file, declaration.key_path("schema")));
    check_fields(classifier, catalog, compiled, naming, elsewhere, findings)
}

/// The shared Avro and JSON Schema files, each once, at their own lines.
pub fn check_shared(
    classifier: &Classifier<'_>,
    context: &SchemaContext,
    catalog: &Catalog,
    naming: &NamingOptions,
    findings: &mut Findings,
) {
    // A shared Protobuf file's fields are checked through the events that import it.
    let checked_here = catalog
        .shared_files
        .iter()
        .filter(|path| path.extension() != Some("proto"));
    for path in checked_here {
        if let Some(compiled) = formats::compile_shared(context, catalog, path) {
            check_fields(classifier, catalog, &compiled, naming, None, findings);
        }
    }
}

/// A schema's most sensitive field: its path, classification and what classified it.
#[derive(Debug)]
pub struct Sensitive {
    pub path: String,
    pub level: Classification,
    pub because: String,
}

/// Every field of `compiled` the vocabulary knows by name, and the most sensitive one. A
/// field its file does not declare is reported at `elsewhere`, or skipped without it.
fn check_fields(
    classifier: &Classifier<'_>,
    catalog: &Catalog,
    compiled: &Compiled,
    naming: &NamingOptions,
    elsewhere: Option<Site>,
    findings: &mut Findings,
) -> Option<Sensitive> {
    let format = compiled.format();
    let case = naming.field_case.get(&format).copied().unwrap_or(Case::Any);
    // Where the file declares each name, in order (same-named fields come in the same order
    // from both walks); looked up only once a field has a problem, as most schemas have none.
    let mut declared: Option<HashMap<String, Vec<Site>>> = None;
    let mut folded = String::new();
    let mut strictest: Option<Sensitive> = None;
    // Only fields the vocabulary names or that carry tags can have a finding or a
    // classification: the walk builds no others (without a vocabulary, only tagged ones).
    let scratch = std::cell::RefCell::new(String::new());
    let named = |name: &str| {
        classifier
            .index
            .lookup_with(name, &mut scratch.borrow_mut())
            .is_some()
    };
    let detail = if classifier.index.is_empty() {
        formats::fields::Detail::Tags
    } else {
        formats::fields::Detail::Named(&named)
    };
    let fields = compiled.fields_with(catalog, detail);
    for (position, field) in fields.iter().enumerate() {
        let found = classifier.index.lookup_with(&field.name, &mut folded);
        if let Some((level, because)) = classifier.classify(field, found.as_ref()) {
            if strictest.as_ref().is_none_or(|held| held.level < level) {
                strictest = Some(Sensitive {
                    path: field.path.clone(),
                    level,
                    because: because.to_string(),
                });
            }
        }
        let Some(found) = found else {
            continue;
        };
        let problems = describe(format, case, &found, field)
            .into_iter()
            .chain(untagged(&found, field));
        for (rule, message, help) in problems {
            let same_name_before = fields[..position]
                .iter()
                .filter(|earlier| earlier.name == field.name)
                .count();
            let own_site = declared
                .get_or_insert_with(|| declared_names(compiled))
                .get(&field.name)
                .and_then(|sites| sites.get(same_name_before))
                .cloned();
            let (site, whose) = match (own_site, &elsewhere) {
                (Some(site), _) => (site, ""),
                (None, Some(elsewhere)) => (elsewhere.clone(), " (in an imported type)"),
                (None, None) => continue,
            };
            findings.push(
                finding(
                    rule,
                    site,
                    format!("{format} field `{}`{whose}: {message}", field.path),
                )
                .with_help(help),
            );
        }
    }
    strictest
}

/// The stricter of two schemas' most sensitive fields (the first on a tie).
pub fn stricter(held: Option<Sensitive>, other: Option<Sensitive>) -> Option<Sensitive> {
    match (held, other) {
        (Some(held), Some(other)) if other.level > held.level => Some(other),
        (None, other) => other,
        (held, _) => held,
    }
}

/// `G007`: the event is classified at least as strictly as its most sensitive field (an event
/// without a classification counts as internal).
pub fn check_classification(event: &Event, sensitive: &Sensitive, findings: &mut Findings) {
    let declared = event.spec.classification;
    let level = declared.unwrap_or(Classification::Internal);
    if level >= sensitive.level {
        return;
    }
    let (site, said) = match declared {
        Some(declared) => (
            Site::value(&event.file, vec![Seg::key("classification")]),
            format!("is `{declared}`"),
        ),
        None => (
            Site::key(&event.file, vec![]),
            "has no classification (so counts as `internal`)".to_string(),
        ),
    };
    findings.push(
        finding(
            rules::CLASSIFICATION_TOO_WEAK,
            site,
            format!(
                "event `{}` {said}, but its field `{}` is {} ({})",
                event.spec.name, sensitive.path, sensitive.level, sensitive.because
            ),
        )
        .with_help(format!(
            "set `classification: {}` (or stricter) on the event",
            sensitive.level
        )),
    );
}

/// `V004`: a field of a term whose fields carry tags (the term's `tags`, or any tag for a
/// confidential or restricted term) that does not.
fn untagged(found: &NameUse<'_>, field: &Field) -> Option<(&'static rules::Rule, String, String)> {
    let required = found.term.required_tags()?;
    let term = found.term;
    let missing: Vec<&str> = required
        .iter()
        .filter(|tag| !field.tags.contains(tag))
        .map(String::as_str)
        .collect();
    let wanted = if required.is_empty() {
        if !field.tags.is_empty() {
            return None;
        }
        format!(
            "term {} is {}, so its fields carry a tag",
            term.name,
            term.classification
                .map_or("classified", Classification::as_str)
        )
    } else if missing.is_empty() {
        return None;
    } else {
        format!(
            "term {}'s fields are tagged {}",
            term.name,
            missing.join(", ")
        )
    };
    let tags = if required.is_empty() {
        vec!["PII"]
    } else {
        missing
    };
    Some((
        rules::VOCABULARY_UNTAGGED,
        format!("{wanted}, and this one is not"),
        format!(
            "tag the field: `\"{TAGS_PROPERTY}\": {tags:?}` in Avro and JSON Schema, \
             `[(confluent.field_meta).tags = {tags:?}]` in Protobuf (import \"confluent/meta.proto\")"
        ),
    ))
}

/// Where a compiled schema's own file declares each field name, in declaration order.
fn declared_names(compiled: &Compiled) -> HashMap<String, Vec<Site>> {
    let mut declared: HashMap<String, Vec<Site>> = HashMap::new();
    for name in compiled.field_names() {
        declared.entry(name.name).or_default().push(name.site);
    }
    declared
}

/// What is wrong with a field that the vocabulary knows by name: rule, message, help.
fn describe(
    format: Format,
    case: Case,
    found: &NameUse<'_>,
    field: &Field,
) -> Option<(&'static rules::Rule, String, String)> {
    let (name, type_name) = (field.name.as_str(), field.type_name.as_str());
    let term = found.term;
    // Built only for a field with a problem: most fields that carry a term's name have none.
    let about = || {
        format!(
            "{}{}",
            term.description.as_deref().unwrap_or(&term.name),
            term.owner
                .as_deref()
                .map(|owner| format!(" (owned by {owner})"))
                .unwrap_or_default()
        )
    };
    if !found.canonical {
        let suggestion = case.spell(&term.field);
        return Some((
            rules::VOCABULARY_NAME,
            format!("use `{suggestion}` (term: {}), not `{name}`", term.name),
            format!(
                "`{name}` is a non-standard name of term `{}`: {}",
                found.term_id,
                about()
            ),
        ));
    }
    let expected = term.types.of(format)?;
    if type_matches(format, expected, type_name) {
        return None;
    }
    Some((
        rules::VOCABULARY_TYPE,
        format!(
            "it is `{type_name}`, but term {} (`{}`) is `{expected}` in {format}",
            term.name, found.term_id
        ),
        format!(
            "give the field type `{expected}`, or another name if it means something else: {}",
            about()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_types_per_format() {
        for avro in [
            "string",
            "timestamp-millis",
            "long (timestamp-millis)",
            "decimal",
            "decimal(10, 2)",
            "acme.common.Money",
        ] {
            assert!(known_type(Format::Avro, avro), "{avro}");
        }
        for bad in [
            "strin",
            "Money",
            "long (timestamp)",
            "decimal(a, 2)",
            "acme..Money",
        ] {
            assert!(!known_type(Format::Avro, bad), "{bad}");
        }
        assert!(known_type(Format::Protobuf, "int64"));
        assert!(known_type(Format::Protobuf, "google.protobuf.Timestamp"));
        assert!(!known_type(Format::Protobuf, "long"));
        assert!(known_type(Format::Json, "string (date-time)"));
        assert!(!known_type(Format::Json, "date-time"));
        assert!(!known_type(Format::Json, "text"));
    }

    #[test]
    fn types_match_nullability_and_logical_spellings_aside() {
        assert!(type_matches(Format::Avro, "string", "null | string"));
        assert!(type_matches(
            Format::Avro,
            "timestamp-millis",
            "long (timestamp-millis)"
        ));
        assert!(type_matches(
            Format::Avro,
            "decimal",
            "null | decimal(10, 2)"
        ));
        assert!(!type_matches(Format::Avro, "string", "long"));
        assert!(!type_matches(
            Format::Avro,
            "string",
            "null | string | long"
        ));
        assert!(type_matches(
            Format::Protobuf,
            "acme.Status",
            "enum acme.Status"
        ));
        assert!(!type_matches(Format::Protobuf, "string", "repeated string"));
        assert!(type_matches(
            Format::Json,
            "string (date-time)",
            "string (date-time)"
        ));
        assert!(!type_matches(Format::Json, "string (date-time)", "string"));
    }
}
