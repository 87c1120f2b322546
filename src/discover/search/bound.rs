//! The most an event's fields can add to its score, read from the text of its schema files
//! without compiling them. A field's name and doc are written in the schema file or in a file it
//! imports (Avro shared types, JSON Schema `$ref`s, Protobuf imports), so a word that matches a
//! field matches, loosened ([`words::loosen`]), somewhere in those files' texts, or is a typo of
//! one of their words. Where that cannot be told (an import that cannot be followed, escapes in
//! JSON), the bound is the highest there is: search then compiles the event and finds out.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use protox::file::{FileResolver, GoogleFileResolver};

use super::super::EventEntry;
use super::words::{self, WHOLE};
use crate::catalog::{Catalog, Format, Imports};
use crate::formats::wellknown;
use crate::tree::CatalogPath;

/// A text that fields can come from, with its loosened form.
pub(super) struct Text {
    raw: Arc<str>,
    loose: String,
    /// JSON escapes (`\u00e9`, `\n`) write a doc differently from how it reads: nothing can be
    /// ruled out from the text.
    escaped: bool,
    /// A `.proto`'s imports; `None` when they could not be read from the text.
    imports: Option<Vec<String>>,
}

impl Text {
    fn json(raw: Arc<str>) -> Text {
        Text {
            escaped: raw.contains('\\'),
            loose: words::loosen(&raw),
            imports: Some(Vec::new()),
            raw,
        }
    }

    fn proto(raw: Arc<str>, imports: Option<Vec<String>>) -> Text {
        Text {
            escaped: false,
            loose: words::loosen(&raw),
            imports: imports.or_else(|| proto_imports(&raw)),
            raw,
        }
    }
}

/// What an event's fields can be read from: its schema files and what they import, or nothing
/// known (the bound is then the highest).
pub(super) enum FieldTexts {
    Known(Vec<Arc<Text>>),
    Unknown,
}

impl FieldTexts {
    /// The best match quality a field can have for `word` (normalized; `loose`, loosened).
    pub(super) fn bound(&self, word: &str, loose: &str) -> u32 {
        let FieldTexts::Known(texts) = self else {
            return WHOLE;
        };
        let mut best = 0;
        for text in texts {
            if text.escaped || text.loose.contains(loose) {
                return WHOLE;
            }
            if best == 0 && words::has_typo_of(&text.raw, word) {
                best = 1;
            }
        }
        best
    }
}

/// Follows schema files to what they import, with the shared and built-in files' texts made
/// once per search.
pub(super) struct SchemaTexts<'c> {
    catalog: &'c Catalog,
    imports: Imports,
    /// Every shared `.avsc`: an Avro schema may name any of their types.
    shared_avro: Vec<Arc<Text>>,
    /// Imported files, each loosened once.
    imported: Mutex<HashMap<String, Option<Arc<Text>>>>,
}

/// How many files one schema may lead to before search stops following and compiles it.
const MAX_FILES: usize = 64;

impl<'c> SchemaTexts<'c> {
    pub(super) fn new(catalog: &'c Catalog) -> SchemaTexts<'c> {
        let shared_avro = catalog
            .shared_files
            .iter()
            .filter(|path| path.extension() == Some("avsc"))
            .filter_map(|path| catalog.read_text(path).ok())
            .map(|text| Arc::new(Text::json(text)))
            .collect();
        SchemaTexts {
            catalog,
            imports: catalog.imports(),
            shared_avro,
            imported: Mutex::new(HashMap::new()),
        }
    }

    /// The texts an event's value and key schemas can take fields from.
    pub(super) fn of_event(&self, event: &EventEntry) -> FieldTexts {
        let mut texts = Vec::new();
        for schema in std::iter::once(&event.schema).chain(&event.key_schema) {
            let (Ok(path), Ok(file)) =
                (CatalogPath::parse(schema), CatalogPath::parse(&event.file))
            else {
                return FieldTexts::Unknown;
            };
            // A schema that cannot be read does not compile: compiling says so.
            let Ok(raw) = self.catalog.read_text(&path) else {
                return FieldTexts::Unknown;
            };
            let text = match event.format {
                Format::Protobuf => Text::proto(raw, None),
                Format::Avro | Format::Json => Text::json(raw),
            };
            let followed = match event.format {
                Format::Avro => {
                    texts.extend(self.shared_avro.iter().cloned());
                    Some(())
                }
                Format::Json => self.follow_json(&path, &text.raw, &mut texts),
                // The compiler looks for imports from the event's folder.
                Format::Protobuf => self.follow_proto(&file.parent(), &text, &mut texts),
            };
            if followed.is_none() {
                return FieldTexts::Unknown;
            }
            texts.push(Arc::new(text));
        }
        FieldTexts::Known(texts)
    }

    /// Adds the files `$ref`s lead to, as the field walker follows them: relative to the
    /// referring file. A file that cannot be read gives no fields.
    fn follow_json(&self, path: &CatalogPath, raw: &str, texts: &mut Vec<Arc<Text>>) -> Option<()> {
        let mut seen: HashSet<CatalogPath> = HashSet::from([path.clone()]);
        let mut pending: Vec<CatalogPath> = json_references(path, raw);
        while let Some(next) = pending.pop() {
            if !seen.insert(next.clone()) {
                continue;
            }
            if seen.len() > MAX_FILES {
                return None;
            }
            let Some(text) = self.imported(&format!("json:{next}"), || {
                let raw = self.catalog.read_text(&next).ok()?;
                Some(Text::json(raw))
            }) else {
                continue;
            };
            pending.extend(json_references(&next, &text.raw));
            texts.push(text);
        }
        Some(())
    }

    /// Adds the files a `.proto` imports, directly or not, found as the compiler finds them:
    /// Google's, the shipped well-known ones, then the catalog's from the event's folder.
    fn follow_proto(
        &self,
        dir: &CatalogPath,
        main: &Text,
        texts: &mut Vec<Arc<Text>>,
    ) -> Option<()> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut pending: Vec<String> = main.imports.clone()?;
        while let Some(name) = pending.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if seen.len() > MAX_FILES {
                return None;
            }
            let text = if name.starts_with("google/protobuf/") {
                self.imported(&format!("proto:{name}"), || {
                    let (names, imports) = google_file(&name)?;
                    Some(Text::proto(names.into(), Some(imports)))
                })?
            } else if let Some(source) = wellknown::source(&name) {
                self.imported(&format!("proto:{name}"), || {
                    Some(Text::proto(source.into(), None))
                })?
            } else {
                let Ok(Some((path, raw))) = self.imports.resolve(dir, &name) else {
                    return None;
                };
                self.imported(&format!("proto:{path}"), || Some(Text::proto(raw, None)))?
            };
            pending.extend(text.imports.clone()?);
            texts.push(text);
        }
        Some(())
    }

    fn imported(&self, key: &str, make: impl FnOnce() -> Option<Text>) -> Option<Arc<Text>> {
        let known = self
            .imported
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned();
        if let Some(known) = known {
            return known;
        }
        let made = make().map(Arc::new);
        self.imported
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_string(), made.clone());
        made
    }
}

/// The other files a JSON document's `$ref`s name (`"$ref": "common.json#/$defs/Money"`).
fn json_references(path: &CatalogPath, raw: &str) -> Vec<CatalogPath> {
    let mut found = Vec::new();
    let mut rest = raw;
    while let Some(at) = rest.find("\"$ref\"") {
        rest = &rest[at + "\"$ref\"".len()..];
        let value = rest.trim_start();
        let Some(value) = value.strip_prefix(':') else {
            continue;
        };
        let Some(value) = value.trim_start().strip_prefix('"') else {
            continue;
        };
        let Some(end) = value.find('"') else {
            break;
        };
        let target = value[..end].split('#').next().unwrap_or("");
        if !target.is_empty() {
            if let Ok(file) = path.parent().join(target) {
                found.push(file);
            }
        }
    }
    found
}

/// The files a `.proto` imports, or `None` when an import is written in a way this scan does not
/// follow (escapes, concatenated strings): the caller then cannot rule anything out.
fn proto_imports(raw: &str) -> Option<Vec<String>> {
    let mut found = Vec::new();
    let mut rest = raw;
    while let Some(at) = rest.find("import") {
        let before = raw[..raw.len() - rest.len() + at].chars().next_back();
        rest = &rest[at + "import".len()..];
        let follows_word = before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        if follows_word || !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let mut statement = rest.trim_start();
        for modifier in ["public", "weak"] {
            if let Some(after) = statement.strip_prefix(modifier) {
                if after.starts_with(char::is_whitespace) {
                    statement = after.trim_start();
                }
            }
        }
        let quote = statement.chars().next()?;
        if quote != '"' && quote != '\'' {
            // `import` as a word in a comment or a name: not a statement.
            continue;
        }
        let body = &statement[1..];
        let end = body.find(quote)?;
        let name = &body[..end];
        if name.contains('\\') || !body[end + 1..].trim_start().starts_with(';') {
            return None;
        }
        found.push(name.to_string());
    }
    Some(found)
}

/// A `google/protobuf/*` file protox ships as a descriptor: its message and field names (the
/// fields walker shows no docs from imported files) and what it imports.
fn google_file(name: &str) -> Option<(String, Vec<String>)> {
    if !name.starts_with("google/protobuf/") {
        return None;
    }
    let file = GoogleFileResolver::new().open_file(name).ok()?;
    let descriptor = file.file_descriptor_proto();
    let mut names = Vec::new();
    let mut messages: Vec<&prost_types::DescriptorProto> = descriptor.message_type.iter().collect();
    while let Some(message) = messages.pop() {
        names.push(message.name().to_string());
        names.extend(message.field.iter().map(|field| field.name().to_string()));
        messages.extend(&message.nested_type);
    }
    Some((names.join("\n"), descriptor.dependency.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_imports_and_references_as_written() {
        let proto = "syntax = \"proto3\";\n// we import things\nimport \"a/b.proto\";\n\
                     import public 'c.proto' ;\nmessage Important { string imports = 1; }";
        assert_eq!(
            proto_imports(proto),
            Some(vec!["a/b.proto".to_string(), "c.proto".to_string()])
        );
        assert_eq!(proto_imports("import \"a\" \"b.proto\";"), None);
        let path = CatalogPath::parse("domains/d/events/E/schema.json").unwrap();
        let json = r##"{"$ref": "../../schemas/common.json#/$defs/Money", "x": {"$ref": "#/a"}}"##;
        assert_eq!(
            json_references(&path, json),
            vec![CatalogPath::parse("domains/d/schemas/common.json").unwrap()]
        );
        let (names, imports) = google_file("google/protobuf/timestamp.proto").unwrap();
        assert!(names.contains("seconds") && imports.is_empty());
    }
}
