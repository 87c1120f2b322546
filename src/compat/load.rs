//! Loading schemas of any format for the compatibility engine, with their imports, `$ref`s and
//! Avro named types found through a [`SchemaFiles`] (plain folders for `evcat compat`, the
//! catalog at a commit for `evcat check`).

use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};

use serde_json::Value;

use super::avro::{AvroChecker, AvroDocument};
use super::json::{JsonChecker, JsonDocument, Policy};
use super::protobuf::{Dependency, ProtoDocument, ProtobufChecker};
use super::{check, Verdict};
use crate::catalog::{CompatibilityLevel, Format};

/// Where a schema's referenced files come from. Files are named by ids the implementation
/// chooses (a path); `from` is the id of the file that refers.
pub trait SchemaFiles {
    /// The file a relative reference (`import`, `$ref`) names, as (id, text).
    fn resolve(&self, from: &str, reference: &str) -> Option<(String, String)>;

    /// Every `.avsc` file that may define named types for the schema `from`, as (id, text).
    fn avro_candidates(&self, from: &str) -> Vec<(String, String)>;
}

/// A schema ready for the engine.
pub enum Parsed {
    Avro(Box<AvroDocument>),
    Protobuf(Box<ProtoDocument>),
    Json(Box<JsonDocument>),
}

/// Parses the schema `text` (file `id`) with what it references.
pub fn parse(
    format: Format,
    id: &str,
    text: &str,
    files: &dyn SchemaFiles,
) -> Result<Parsed, String> {
    match format {
        Format::Avro => {
            parse_avro(id, text, files).map(|document| Parsed::Avro(Box::new(document)))
        }
        Format::Protobuf => {
            parse_protobuf(id, text, files).map(|document| Parsed::Protobuf(Box::new(document)))
        }
        Format::Json => {
            let root: Value = serde_json::from_str(text).map_err(|error| error.to_string())?;
            if let Some(problem) = crate::formats::json::validity_problem(&root) {
                return Err(problem);
            }
            let resolve = |reference: &str| {
                let (_, referenced) = files.resolve(id, reference)?;
                serde_json::from_str(&referenced).ok()
            };
            JsonDocument::from_value(root, &resolve)
                .map(|document| Parsed::Json(Box::new(document)))
        }
    }
}

/// Checks `new` against `previous` (oldest first), all of one format.
pub fn check_parsed(
    level: CompatibilityLevel,
    policy: Policy,
    previous: &[&Parsed],
    new: &Parsed,
) -> Result<Verdict, String> {
    macro_rules! same_format {
        ($variant:ident) => {
            previous
                .iter()
                .map(|schema| match schema {
                    Parsed::$variant(inner) => Ok(std::ops::Deref::deref(inner)),
                    _ => Err("all versions must be of one format".to_string()),
                })
                .collect::<Result<Vec<_>, String>>()?
        };
    }
    Ok(match new {
        Parsed::Avro(new) => check(&AvroChecker, level, &same_format!(Avro), &**new),
        Parsed::Protobuf(new) => check(&ProtobufChecker, level, &same_format!(Protobuf), &**new),
        Parsed::Json(new) => check(&JsonChecker { policy }, level, &same_format!(Json), &**new),
    })
}

fn parse_avro(id: &str, text: &str, files: &dyn SchemaFiles) -> Result<AvroDocument, String> {
    let value: Value = serde_json::from_str(text).map_err(|error| error.to_string())?;
    if let Some(name) = crate::formats::avro::redefined_name(&value) {
        return Err(format!("Can't redefine: {name}"));
    }
    let (defined, used) = crate::formats::avro::names_of(&value);
    let local: BTreeSet<String> = defined.into_iter().collect();
    // Index candidate files by the names they define, leaving out any that redefine one of this
    // schema's own names (another version of the same schema, for instance).
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut candidates = Vec::new();
    for (candidate_id, candidate_text) in files.avro_candidates(id) {
        if candidate_id == id {
            continue;
        }
        let Ok(candidate) = serde_json::from_str::<Value>(&candidate_text) else {
            continue;
        };
        let (names, uses) = crate::formats::avro::names_of(&candidate);
        if names.iter().any(|name| local.contains(name)) {
            continue;
        }
        for name in names {
            by_name.entry(name).or_insert(candidates.len());
        }
        candidates.push((candidate_text, uses));
    }
    let not_local = |uses: &[Vec<String>]| -> Vec<(Vec<String>, ())> {
        uses.iter()
            .filter(|names| !names.iter().any(|name| local.contains(name)))
            .map(|names| (names.clone(), ()))
            .collect()
    };
    // A name found nowhere is refused here: Apache Avro's Rust parser lets some through (a
    // field typed `"array"` by name) that its Java parser, and so the registry, refuses.
    let mut undefined = None;
    let needed = crate::formats::avro::needed_definitions(
        not_local(&used),
        &by_name,
        |index| not_local(&candidates[index].1),
        |names, ()| {
            undefined.get_or_insert(names.last().cloned().unwrap_or_default());
        },
    );
    if let Some(name) = undefined {
        return Err(format!("Undefined name: \"{name}\""));
    }
    let references: Vec<&str> = needed
        .iter()
        .map(|&index| candidates[index].0.as_str())
        .collect();
    AvroDocument::parse(text, &references)
}

fn parse_protobuf(id: &str, text: &str, files: &dyn SchemaFiles) -> Result<ProtoDocument, String> {
    let mut dependencies = Vec::new();
    let mut seen = BTreeSet::new();
    let mut pending: Vec<(String, String)> = vec![(id.to_string(), text.to_string())];
    while let Some((file_id, file_text)) = pending.pop() {
        let parsed =
            protox_parse::parse(&file_id, &file_text).map_err(|error| error.to_string())?;
        for import in parsed.dependency {
            if !seen.insert(import.clone()) {
                continue;
            }
            match files.resolve(&file_id, &import) {
                Some((import_id, import_text)) => {
                    dependencies.push(Dependency {
                        import: import.clone(),
                        reference: Some((import.clone(), digest(&import_text))),
                        text: import_text.clone(),
                    });
                    pending.push((import_id, import_text));
                }
                // Well-known types are the same everywhere: compared by name, like Confluent.
                None if import.starts_with("google/protobuf/") => {}
                // The files Confluent's provider ships (google/type, confluent/meta): the same
                // text everywhere, so one identity.
                None => match crate::formats::wellknown::source(&import) {
                    Some(builtin) => {
                        dependencies.push(Dependency {
                            import: import.clone(),
                            reference: Some(("builtin".to_string(), import.clone())),
                            text: builtin.to_string(),
                        });
                        pending.push((import.clone(), builtin.to_string()));
                    }
                    None => return Err(format!("import \"{import}\" not found")),
                },
            }
        }
    }
    ProtoDocument::parse(id, text, &dependencies)
}

/// A content digest: two imports with equal text are the same registered version.
fn digest(text: &str) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Why a difference type matters to readers, in one sentence.
pub fn explain(format: Format, kind: &str) -> &'static str {
    match format {
        Format::Protobuf => super::protobuf::explain(kind),
        Format::Avro => match kind {
            "NAME_MISMATCH" => "the named type's name changed, so Avro does not resolve the old one to it",
            "FIXED_SIZE_MISMATCH" => "a fixed type changed size, so its bytes cannot be read",
            "MISSING_ENUM_SYMBOLS" => "old data may hold symbols the new enum lacks (and it has no default)",
            "READER_FIELD_MISSING_DEFAULT_VALUE" => "old data lacks the field and the new schema gives no default to fill in",
            "TYPE_MISMATCH" => "the type changed in a way Avro cannot promote (only int→long→float→double, string↔bytes)",
            "MISSING_UNION_BRANCH" => "old data may hold a union branch the new union does not have",
            _ => "",
        },
        Format::Json => explain_json(kind),
    }
}

fn explain_json(kind: &str) -> &'static str {
    let ends = |suffix: &str| kind.ends_with(suffix);
    if kind.contains("CLOSED_CONTENT_MODEL") || kind.contains("UNOPEN_CONTENT_MODEL") {
        "the object or array does not admit members it does not name, so what it names decides what old data is valid"
    } else if kind.contains("OPEN_CONTENT_MODEL") {
        "the object or array admits any other member, so old data may hold anything under this name"
    } else if kind.contains("PARTIALLY_OPEN") {
        "members not named are checked against the pattern or additional schema"
    } else if kind.starts_with("REQUIRED_") {
        "old data may lack a property the new schema requires"
    } else if ends("_ADDED")
        || ends("_NARROWED")
        || ends("_DECREASED") && kind.starts_with("MAX")
        || ends("_INCREASED") && kind.starts_with("MIN")
    {
        "a new or tighter constraint: old data may not satisfy it"
    } else if ends("_REMOVED")
        || ends("_EXTENDED")
        || ends("_INCREASED")
        || ends("_DECREASED")
        || ends("_REDUCED")
    {
        "a looser constraint: everything valid before is still valid"
    } else if ends("_CHANGED") {
        "the constraint changed, so old data may not satisfy it"
    } else {
        ""
    }
}

/// The JSON pointer a difference path stands for in a JSON-based schema text (Avro, JSON Schema).
pub fn pointer_segments(path: &str) -> Vec<String> {
    path.trim_start_matches('#')
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The 1-based line of a difference in a schema text, where it can be told.
pub fn line_of(format: Format, text: &str, path: &str) -> Option<usize> {
    match format {
        Format::Avro | Format::Json => {
            let segments: Vec<crate::source::Seg> = pointer_segments(path)
                .into_iter()
                .map(crate::source::Seg::Key)
                .collect();
            Some(crate::source::locate(text, &segments, crate::source::Target::Value).line)
        }
        Format::Protobuf => protobuf_line(text, path),
    }
}

/// Finds `#/Outer/Inner/3` in Protobuf source: the message, then the field numbered 3 after it.
/// Scanned by hand: it runs for every difference of every version in a history, where building
/// a regex per segment took most of a site build's time.
fn protobuf_line(text: &str, path: &str) -> Option<usize> {
    let mut offset = 0;
    let mut line = None;
    for segment in pointer_segments(path) {
        let rest = &text[offset..];
        let found = if segment.chars().all(|ch| ch.is_ascii_digit()) {
            field_number_at(rest, &segment)
        } else {
            declaration_at(rest, &segment)
        };
        if let Some(start) = found {
            offset += start;
            line = Some(text[..offset].matches('\n').count() + 1);
        }
    }
    line
}

fn is_word(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// Where `= NUMBER ;` (or `= NUMBER [`) first appears: the `=`.
fn field_number_at(text: &str, number: &str) -> Option<usize> {
    text.match_indices('=').map(|(at, _)| at).find(|&at| {
        let after = text[at + 1..].trim_start();
        after
            .strip_prefix(number)
            .map(str::trim_start)
            .is_some_and(|tail| tail.starts_with(';') || tail.starts_with('['))
    })
}

/// Where `message NAME`, `enum NAME` or `oneof NAME` first appears as whole words: the keyword.
fn declaration_at(text: &str, name: &str) -> Option<usize> {
    let mut found: Option<usize> = None;
    for keyword in ["message", "enum", "oneof"] {
        let at = text.match_indices(keyword).map(|(at, _)| at).find(|&at| {
            let before = text[..at].chars().next_back();
            let after = &text[at + keyword.len()..];
            let named = after.trim_start();
            before.is_none_or(|ch| !is_word(ch))
                && named.len() < after.len()
                && named
                    .strip_prefix(name)
                    .is_some_and(|tail| tail.chars().next().is_none_or(|ch| !is_word(ch)))
        });
        found = match (found, at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    found
}

/// Schema files in folders: references resolve in the referring file's own folder first, then in
/// each include root (`-I`), in order.
pub struct FolderFiles {
    pub includes: Vec<std::path::PathBuf>,
}

impl FolderFiles {
    fn read(path: &std::path::Path) -> Option<String> {
        let metadata = std::fs::metadata(path).ok()?;
        if !metadata.is_file() || metadata.len() > crate::tree::MAX_FILE_BYTES {
            return None;
        }
        std::fs::read_to_string(path).ok()
    }

    fn roots(&self, from: &str) -> Vec<std::path::PathBuf> {
        let own = std::path::Path::new(from)
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        std::iter::once(own)
            .chain(self.includes.iter().cloned())
            .collect()
    }
}

impl SchemaFiles for FolderFiles {
    fn resolve(&self, from: &str, reference: &str) -> Option<(String, String)> {
        self.roots(from).into_iter().find_map(|root| {
            let path = root.join(reference);
            Self::read(&path).map(|text| (path.display().to_string(), text))
        })
    }

    fn avro_candidates(&self, from: &str) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for root in self.roots(from) {
            let Ok(entries) = std::fs::read_dir(&root) else {
                continue;
            };
            let mut paths: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| {
                    path.extension()
                        .is_some_and(|extension| extension == "avsc")
                })
                .collect();
            paths.sort();
            for path in paths {
                if let Some(text) = Self::read(&path) {
                    found.push((path.display().to_string(), text));
                }
            }
        }
        found
    }
}

/// Resolves schema references inside one catalog (now, or at a commit).
pub struct CatalogFiles<'a> {
    pub catalog: &'a crate::catalog::Catalog,
}

impl SchemaFiles for CatalogFiles<'_> {
    fn resolve(&self, from: &str, reference: &str) -> Option<(String, String)> {
        let from = crate::tree::CatalogPath::parse(from).ok()?;
        let (path, text) = self
            .catalog
            .imports()
            .resolve(&from.parent(), reference)
            .ok()??;
        Some((path.to_string(), text.to_string()))
    }

    fn avro_candidates(&self, _from: &str) -> Vec<(String, String)> {
        self.catalog
            .shared_files
            .iter()
            .filter(|path| path.extension() == Some("avsc"))
            .filter_map(|path| {
                Some((
                    path.to_string(),
                    self.catalog.read_text(path).ok()?.to_string(),
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::protobuf_line;

    const PROTO: &str = "syntax = \"proto3\";\n\
        message Outer {\n\
        \x20 string name = 1;\n\
        \x20 message Inner {\n\
        \x20   int32 id = 13;\n\
        \x20   int32 count = 3 [deprecated = true];\n\
        \x20 }\n\
        \x20 oneof choice { string a = 4; }\n\
        }\n\
        message OuterMost { int32 x = 1; }\n";

    #[test]
    fn finds_messages_then_field_numbers_as_whole_words() {
        assert_eq!(protobuf_line(PROTO, "#/Outer"), Some(2));
        assert_eq!(protobuf_line(PROTO, "#/Outer/1"), Some(3));
        // `= 13;` is not field 3, and options count as the end of the number.
        assert_eq!(protobuf_line(PROTO, "#/Outer/Inner/3"), Some(6));
        assert_eq!(protobuf_line(PROTO, "#/Outer/Inner/13"), Some(5));
        assert_eq!(protobuf_line(PROTO, "#/Outer/choice/4"), Some(8));
        // `OuterMost` is not `Outer`, and a name inside another word is no declaration.
        assert_eq!(protobuf_line(PROTO, "#/OuterMost/1"), Some(10));
        assert_eq!(protobuf_line("submessage Outer {}", "#/Outer"), None);
    }
}
