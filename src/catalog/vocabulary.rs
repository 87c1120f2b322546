//! `vocabulary.yaml`: the catalog's shared vocabulary of common attributes (federated
//! governance: "a customer ID means the same in every domain"). Each term has a canonical field
//! name, the type its fields have per format, and the non-standard names people use for it;
//! `lint::vocabulary` checks every schema's fields against it.

use std::collections::{BTreeMap, HashMap};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::{Classification, Format};
use crate::formats::fields::Field;

/// The file, at the catalog root. Optional: without it there is no vocabulary to check.
pub const VOCABULARY_FILE: &str = "vocabulary.yaml";

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Vocabulary {
    /// Term ids and terms, in the file's order (where two terms claim a name, the later one is
    /// reported).
    #[serde(deserialize_with = "in_file_order")]
    pub terms: Vec<(String, Term)>,
    /// How sensitive a field with each data-contract tag is (`PII: confidential`). Without
    /// this section, [`DEFAULT_TAG_CLASSIFICATIONS`].
    #[serde(default)]
    pub tags: Option<BTreeMap<String, Classification>>,
}

/// What a tag means when the vocabulary does not say: personal data is confidential.
pub const DEFAULT_TAG_CLASSIFICATIONS: &[(&str, Classification)] =
    &[("PII", Classification::Confidential)];

/// A YAML map as its entries in order (the JSON Schema has already refused duplicate keys).
fn in_file_order<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(String, Term)>, D::Error> {
    struct Entries;
    impl<'de> Visitor<'de> for Entries {
        type Value = Vec<(String, Term)>;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a map of term ids to terms")
        }

        fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
            let mut entries = Vec::new();
            while let Some(entry) = map.next_entry()? {
                entries.push(entry);
            }
            Ok(entries)
        }
    }
    deserializer.deserialize_map(Entries)
}

#[derive(Clone, Debug, Deserialize)]
pub struct Term {
    pub name: String,
    /// The canonical field name, as written (each format spells it in its field case).
    pub field: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub classification: Option<Classification>,
    #[serde(default)]
    pub types: TermTypes,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The data-contract tags every field of the term carries (`[PII]`).
    #[serde(default)]
    pub tags: Vec<String>,
}

impl Term {
    /// The tags a field of the term must carry: the term's own, or, for a term classified
    /// confidential or stricter that names none, at least one (`None` in the list: any tag).
    pub fn required_tags(&self) -> Option<&[String]> {
        if !self.tags.is_empty() {
            Some(&self.tags)
        } else if self.classification >= Some(Classification::Confidential) {
            Some(&[])
        } else {
            None
        }
    }
}

/// The type a term's fields have, per format.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TermTypes {
    #[serde(default)]
    pub avro: Option<String>,
    #[serde(default)]
    pub protobuf: Option<String>,
    #[serde(default)]
    pub json: Option<String>,
}

impl TermTypes {
    pub fn of(&self, format: Format) -> Option<&str> {
        match format {
            Format::Avro => self.avro.as_deref(),
            Format::Protobuf => self.protobuf.as_deref(),
            Format::Json => self.json.as_deref(),
        }
    }
}

/// A field name as the vocabulary compares names: lower case, without separators, so
/// `CustomerID`, `customer-id` and `customer_id` are one name.
pub fn fold(name: &str) -> String {
    let mut folded = String::new();
    fold_into(name, &mut folded);
    folded
}

/// [`fold`] into `buffer` (one allocation for many names).
fn fold_into(name: &str, buffer: &mut String) {
    buffer.clear();
    buffer.extend(
        name.chars()
            .filter(|ch| !is_separator(*ch))
            .flat_map(char::to_lowercase),
    );
}

fn is_separator(ch: char) -> bool {
    matches!(ch, '_' | '-' | '.' | ' ')
}

/// What a folded field name is in the vocabulary.
#[derive(Clone, Copy, Debug)]
pub struct NameUse<'v> {
    pub term_id: &'v str,
    pub term: &'v Term,
    /// The term's canonical name (else one of its aliases).
    pub canonical: bool,
}

/// Every canonical name and alias, folded, for one hash lookup per field. Where two terms
/// claim a name the first in the file keeps it; lint reports the conflict (`V003`).
#[derive(Debug, Default)]
pub struct VocabularyIndex<'v> {
    names: HashMap<String, NameUse<'v>>,
}

impl<'v> VocabularyIndex<'v> {
    pub fn new(vocabulary: &'v Vocabulary) -> Self {
        let mut names = HashMap::new();
        for (term_id, term) in &vocabulary.terms {
            let canonical = NameUse {
                term_id,
                term,
                canonical: true,
            };
            names.entry(fold(&term.field)).or_insert(canonical);
        }
        // Aliases after every canonical name: an alias never hides another term's name.
        for (term_id, term) in &vocabulary.terms {
            for alias in &term.aliases {
                let alias_use = NameUse {
                    term_id,
                    term,
                    canonical: false,
                };
                names.entry(fold(alias)).or_insert(alias_use);
            }
        }
        VocabularyIndex { names }
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// What the field name is in the vocabulary, folding it into `buffer` (one allocation for
    /// many names).
    pub fn lookup_with(&self, field_name: &str, buffer: &mut String) -> Option<NameUse<'v>> {
        fold_into(field_name, buffer);
        self.names.get(buffer.as_str()).copied()
    }
}

/// What classified a field: its vocabulary term (by name) or one of its tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Because<'a> {
    Term(&'a str),
    Tag(&'a str),
}

impl std::fmt::Display for Because<'_> {
    /// `term Customer ID`, `tag PII`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Because::Term(name) => write!(f, "term {name}"),
            Because::Tag(tag) => write!(f, "tag {tag}"),
        }
    }
}

/// A field's sensitivity: the strictest of its term's classification and its tags'.
#[derive(Debug)]
pub struct Classifier<'v> {
    pub index: VocabularyIndex<'v>,
    tag_levels: HashMap<String, Classification>,
}

impl<'v> Classifier<'v> {
    pub fn new(vocabulary: Option<&'v Vocabulary>) -> Self {
        let tag_levels = match vocabulary.and_then(|vocabulary| vocabulary.tags.as_ref()) {
            Some(tags) => tags
                .iter()
                .map(|(tag, level)| (tag.clone(), *level))
                .collect(),
            None => DEFAULT_TAG_CLASSIFICATIONS
                .iter()
                .map(|(tag, level)| (tag.to_string(), *level))
                .collect(),
        };
        Classifier {
            index: vocabulary.map(VocabularyIndex::new).unwrap_or_default(),
            tag_levels,
        }
    }

    pub fn tag_level(&self, tag: &str) -> Option<Classification> {
        self.tag_levels.get(tag).copied()
    }

    /// The field's classification and what gave it, or `None` for a field neither a
    /// classified term nor a known tag marks.
    pub fn classify<'a>(
        &'a self,
        field: &'a Field,
        term: Option<&NameUse<'a>>,
    ) -> Option<(Classification, Because<'a>)> {
        let by_term = term.and_then(|found| {
            let term = found.term;
            term.classification
                .map(|level| (level, Because::Term(term.name.as_str())))
        });
        let by_tags = field.tags.iter().filter_map(|tag| {
            self.tag_level(tag)
                .map(|level| (level, Because::Tag(tag.as_str())))
        });
        by_term
            .into_iter()
            .chain(by_tags)
            .fold(None, |strictest, (level, why)| match strictest {
                Some((held, _)) if held >= level => strictest,
                _ => Some((level, why)),
            })
    }

    /// Fills in `classification` on each field.
    pub fn classify_all(&self, fields: &mut [Field]) {
        let mut buffer = String::new();
        for field in fields {
            let term = self.index.lookup_with(&field.name, &mut buffer);
            field.classification = self.classify(field, term.as_ref()).map(|(level, _)| level);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_without_case_and_separators() {
        for name in [
            "CustomerID",
            "customer-id",
            "customer_id",
            "customerId",
            "CUSTOMER.ID",
        ] {
            assert_eq!(fold(name), "customerid", "{name}");
        }
        assert_ne!(fold("customer_ids"), "customerid");
    }
}
