//! Protobuf: compiling with protox through the catalog's files, and checking examples in the
//! Protobuf JSON mapping with prost-reflect.
//!
//! Imports resolve, in order, against: the well-known `google/protobuf/*.proto` files, the files
//! Confluent's registries ship (`google/type/*.proto`, `confluent/meta.proto`; see
//! `formats::wellknown`), the event's own folder, every `domains/<domain>/schemas/` folder
//! (sorted), and the catalog root.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use miette::Diagnostic;
use prost_reflect::{DescriptorPool, DynamicMessage, FileDescriptor, MessageDescriptor};
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};

use super::{strip_json_location, Declared, SchemaDeclaration};
use crate::catalog::{Catalog, Event, Imports};
use crate::findings::{finding, Findings, Site};
use crate::rules;
use crate::source::{offset_of, position_at, Position};
use crate::tree::CatalogPath;

/// Field number of `package` in `FileDescriptorProto`, as used in source-info paths.
const PACKAGE_FIELD: i32 = 2;

/// Imported files already parsed in this run, by import name and the file it resolved to:
/// a shared file imported by thousands of events is parsed once.
#[derive(Default)]
pub struct ParsedImports {
    files: Mutex<HashMap<(String, CatalogPath), File>>,
}

/// Resolves import names to catalog files, remembering which file each name came from.
struct CatalogResolver {
    parsed: Arc<ParsedImports>,
    imports: Imports,
    /// The event's folder (or a shared file's), where imports are looked for first.
    dir: CatalogPath,
    /// The schema being compiled, opened by its catalog path.
    main: CatalogPath,
    opened: Arc<Mutex<HashMap<String, CatalogPath>>>,
}

impl FileResolver for CatalogResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        let is_main = name == self.main.as_str();
        let found = if is_main {
            self.imports.resolve(&CatalogPath::root(), name)
        } else {
            self.imports.resolve(&self.dir, name)
        };
        match found {
            Ok(Some((path, text))) => {
                self.opened
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(name.to_string(), path.clone());
                if is_main {
                    return File::from_source(name, &text);
                }
                let key = (name.to_string(), path);
                let mut parsed = self
                    .parsed
                    .files
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                if let Some(file) = parsed.get(&key) {
                    return Ok(file.clone());
                }
                let file = File::from_source(name, &text)?;
                parsed.insert(key, file.clone());
                Ok(file)
            }
            Ok(None) => Err(protox::Error::file_not_found(name)),
            Err((path, error)) => Err(protox::Error::new(super::describe_read_error(
                &path, &error,
            ))),
        }
    }
}

/// A compiled Protobuf schema and the message that is the event's payload.
pub struct ProtoSchema {
    path: CatalogPath,
    /// The catalog files the schema imports (directly or not).
    imports: Vec<CatalogPath>,
    text: Arc<str>,
    pool: DescriptorPool,
    file: FileDescriptor,
    message: MessageDescriptor,
}

pub fn compile(
    parsed: &Arc<ParsedImports>,
    catalog: &Catalog,
    event: &Event,
    declared: &SchemaDeclaration<'_>,
    path: &CatalogPath,
    findings: &mut Findings,
) -> Option<ProtoSchema> {
    compile_file(
        parsed,
        catalog,
        &event.dir,
        path,
        findings,
        |pool, file, findings| payload_message(pool, file, event, declared, findings),
    )
}

/// A shared file compiled on its own, its imports looked for first in its own folder (as an
/// event's are in the event's); its first message stands for the file. `None` when it does not
/// compile or defines no message (problems are lint's to report, through the events using it).
pub fn compile_shared(
    parsed: &Arc<ParsedImports>,
    catalog: &Catalog,
    path: &CatalogPath,
) -> Option<ProtoSchema> {
    let mut ignored = Findings::new();
    compile_file(
        parsed,
        catalog,
        &path.parent(),
        path,
        &mut ignored,
        |_, file, _| file.messages().next(),
    )
}

/// The file at `path` compiled, with imports resolved from `dir` first, and the message
/// `payload` picks from it.
fn compile_file(
    parsed: &Arc<ParsedImports>,
    catalog: &Catalog,
    dir: &CatalogPath,
    path: &CatalogPath,
    findings: &mut Findings,
    payload: impl FnOnce(&DescriptorPool, &FileDescriptor, &mut Findings) -> Option<MessageDescriptor>,
) -> Option<ProtoSchema> {
    let text = catalog.read_text(path).ok()?;
    let opened = Arc::new(Mutex::new(HashMap::new()));
    let mut resolver = ChainFileResolver::new();
    resolver.add(GoogleFileResolver::new());
    resolver.add(super::wellknown::WellKnownResolver);
    resolver.add(CatalogResolver {
        parsed: parsed.clone(),
        imports: catalog.imports(),
        dir: dir.clone(),
        main: path.clone(),
        opened: opened.clone(),
    });
    let mut compiler = protox::Compiler::with_file_resolver(resolver);
    compiler.include_imports(true).include_source_info(true);
    let main_name = path.as_str();
    if let Err(error) = compiler.open_file(main_name) {
        let opened = opened.lock().unwrap_or_else(PoisonError::into_inner);
        findings.push(compile_error_finding(catalog, path, &opened, &error));
        return None;
    }
    let pool = compiler.descriptor_pool();
    let file = pool.get_file_by_name(main_name)?;
    let message = payload(&pool, &file, findings)?;
    let mut imports: Vec<CatalogPath> = opened
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .values()
        .filter(|opened| *opened != path)
        .cloned()
        .collect();
    imports.sort();
    Some(ProtoSchema {
        path: path.clone(),
        imports,
        text,
        pool,
        file,
        message,
    })
}

fn compile_error_finding(
    catalog: &Catalog,
    main: &CatalogPath,
    opened: &HashMap<String, CatalogPath>,
    error: &protox::Error,
) -> crate::findings::Finding {
    if let Some(cycle) = import_cycle_finding(catalog, opened, error) {
        return cycle;
    }
    let file = error
        .file()
        .and_then(|name| opened.get(name).cloned())
        .unwrap_or_else(|| main.clone());
    let offset = error
        .labels()
        .and_then(|mut labels| labels.next())
        .map(|label| label.offset());
    let site = match (offset, catalog.sources().get(&file)) {
        (Some(offset), Some(text)) => Site::At(file.clone(), position_at(&text, offset)),
        _ => Site::File(file.clone()),
    };
    let rule = if error.is_file_not_found() {
        rules::UNRESOLVED_REFERENCE
    } else {
        rules::PROTOBUF_INVALID
    };
    let mut result = finding(rule, site, error.to_string());
    if error.is_file_not_found() {
        result.help = Some(
            "imports resolve against the event's folder, each domains/<domain>/schemas/ folder and \
             the catalog root; put the file there or correct the import path"
                .to_string(),
        );
    } else if let Some(help) = error.help() {
        result.help = Some(help.to_string());
    }
    result
}

/// An import cycle, reported once at the import that closes it (protox names the whole chain
/// from the event's schema, at no position).
fn import_cycle_finding(
    catalog: &Catalog,
    opened: &HashMap<String, CatalogPath>,
    error: &protox::Error,
) -> Option<crate::findings::Finding> {
    let message = error.to_string();
    let chain: Vec<&str> = message
        .strip_prefix("import cycle detected: ")?
        .split(" -> ")
        .collect();
    let closing = *chain.last()?;
    let start = chain.iter().position(|name| *name == closing)?;
    let cycle = &chain[start..];
    let importer = cycle.get(cycle.len().checked_sub(2)?)?;
    let file = opened.get(*importer)?;
    let text = catalog.sources().get(file)?;
    let site = match text.find(&format!("\"{closing}\"")) {
        Some(offset) => Site::At(file.clone(), position_at(&text, offset)),
        None => Site::File(file.clone()),
    };
    Some(
        finding(
            rules::PROTOBUF_INVALID,
            site,
            format!("import cycle: {}", cycle.join(" -> ")),
        )
        .with_help("Protobuf imports must not loop: move what both files need into a third file"),
    )
}

/// The message named by `message:` in event.yaml, else the file's first message.
fn payload_message(
    pool: &DescriptorPool,
    file: &FileDescriptor,
    event: &Event,
    declared: &SchemaDeclaration<'_>,
    findings: &mut Findings,
) -> Option<MessageDescriptor> {
    let defined: Vec<String> = all_messages(file)
        .iter()
        .map(|message| message.full_name().to_string())
        .collect();
    match declared.message {
        Some(name) => {
            let found = pool
                .get_message_by_name(name)
                .filter(|message| message.parent_file().name() == file.name());
            if found.is_none() {
                let mut result = finding(
                    rules::MESSAGE_NOT_FOUND,
                    Site::value(&event.file, declared.key_path("message")),
                    format!("message `{name}` is not defined in {}", file.name()),
                );
                result.help = Some(match crate::findings::closest(name, &defined) {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None => format!("messages defined there: {}", defined.join(", ")),
                });
                findings.push(result);
            }
            found
        }
        None => {
            let first = file.messages().next();
            if first.is_none() {
                findings.add(
                    rules::PROTOBUF_INVALID,
                    Site::File(CatalogPath::parse(file.name()).unwrap_or_default()),
                    "the schema defines no message, so it has no payload type",
                );
            }
            first
        }
    }
}

/// Every message of a file, nested ones included, without the map-entry messages protoc makes.
fn all_messages(file: &FileDescriptor) -> Vec<MessageDescriptor> {
    let mut result = Vec::new();
    let mut pending: Vec<MessageDescriptor> = file.messages().collect();
    while let Some(message) = pending.pop() {
        if message.is_map_entry() {
            continue;
        }
        pending.extend(message.child_messages());
        result.push(message);
    }
    result.sort_by(|a, b| a.full_name().cmp(b.full_name()));
    result
}

impl ProtoSchema {
    pub fn imports(&self) -> &[CatalogPath] {
        &self.imports
    }

    /// The comment written above a field of the schema's own file (its documentation).
    pub fn comment_of(&self, field: &prost_reflect::FieldDescriptor) -> Option<String> {
        if field.parent_file() != self.file {
            return None;
        }
        let info = self
            .file
            .file_descriptor_proto()
            .source_code_info
            .as_ref()?;
        let location = info
            .location
            .iter()
            .find(|location| location.path == field.path())?;
        let comment = location
            .leading_comments
            .as_deref()
            .or(location.trailing_comments.as_deref())?;
        let comment = comment.trim();
        (!comment.is_empty()).then(|| comment.to_string())
    }

    pub fn message_name(&self) -> String {
        self.message.full_name().to_string()
    }

    pub fn message(&self) -> &MessageDescriptor {
        &self.message
    }

    pub fn file(&self) -> &FileDescriptor {
        &self.file
    }

    pub fn pool(&self) -> &DescriptorPool {
        &self.pool
    }

    pub fn package(&self) -> Option<Declared> {
        let package = self.file.package_name();
        let site = self.site_of(&[PACKAGE_FIELD]);
        Some(Declared {
            name: package.to_string(),
            site,
        })
    }

    pub fn field_names(&self) -> Vec<Declared> {
        all_messages(&self.file)
            .iter()
            .flat_map(|message| message.fields().collect::<Vec<_>>())
            .map(|field| Declared {
                name: field.name().to_string(),
                site: self.site_of(field.path()),
            })
            .collect()
    }

    /// Where the element with this source-info path is declared.
    fn site_of(&self, element: &[i32]) -> Site {
        let span = self
            .file
            .file_descriptor_proto()
            .source_code_info
            .as_ref()
            .and_then(|info| {
                info.location
                    .iter()
                    .find(|location| location.path == element)
            })
            .map(|location| location.span.clone());
        match span {
            Some(span) if span.len() >= 2 => Site::At(
                self.path.clone(),
                self.position(span[0] as usize + 1, span[1] as usize),
            ),
            _ => Site::File(self.path.clone()),
        }
    }

    fn position(&self, line: usize, column: usize) -> Position {
        position_at(&self.text, offset_of(&self.text, line, column))
    }

    pub fn check_example(&self, file: &CatalogPath, text: &str, findings: &mut Findings) {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let result = DynamicMessage::deserialize(self.message.clone(), &mut deserializer)
            .and_then(|_| deserializer.end());
        if let Err(error) = result {
            let rule = if error.is_syntax() || error.is_eof() {
                rules::EXAMPLE_NOT_JSON
            } else {
                rules::EXAMPLE_MISMATCH
            };
            findings.add(
                rule,
                Site::At(file.clone(), super::json_error_position(text, &error)),
                format!(
                    "example is not a valid {} in the Protobuf JSON mapping: {}",
                    self.message.full_name(),
                    strip_json_location(&error)
                ),
            );
        }
    }
}
