//! What the catalog asks every registry to hold: one [`Registration`] per subject, shared schemas
//! (the files event schemas import or `$ref`, and Avro named types defined in other files) before
//! the schemas that refer to them.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::catalog::{Catalog, CompatibilityLevel, EventId, Format, SchemaRole, Status};
use crate::compat::load::{CatalogFiles, SchemaFiles};
use crate::formats;
use crate::lint::RecordNames;
use crate::subject;
use crate::tree::CatalogPath;

/// Why a schema is registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A shared file other schemas refer to; registered under its own subject.
    Shared,
    /// An event's value or key schema.
    Event(SchemaRole),
}

/// One subject and the schema it must hold.
#[derive(Clone, Debug)]
pub struct Registration {
    pub subject: String,
    pub origin: Origin,
    pub file: CatalogPath,
    pub format: Format,
    pub schema: String,
    /// The schemas this one refers to: the name it refers by (import path, `$ref`, Avro full
    /// name) and the index of their registration, which always comes earlier.
    pub references: Vec<(String, usize)>,
    /// The compatibility level the subject must have.
    pub level: CompatibilityLevel,
    /// The events that need this subject, directly or through references, with their status:
    /// an environment's status gate looks at these.
    pub events: Vec<(EventId, Status)>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DesiredError {
    #[error("{file}: {message}")]
    #[diagnostic(
        code(evcat::push::schema),
        help("run `evcat lint`: it reports this with the line")
    )]
    Schema { file: CatalogPath, message: String },
    #[error(
        "shared schemas refer to each other in a circle ({files}); a registry cannot hold that"
    )]
    #[diagnostic(
        code(evcat::push::reference_cycle),
        help("move the types the files share into one file")
    )]
    Cycle { files: String },
    #[error("subject {subject} would hold both {first} and {second}")]
    #[diagnostic(
        code(evcat::push::subject_conflict),
        help("give the events different topics, or change `defaults.subject_strategy`")
    )]
    SubjectConflict {
        subject: String,
        first: CatalogPath,
        second: CatalogPath,
    },
}

/// Every registration the catalog asks for, in dependency order. `record_names` are lint's, per
/// event: the record subject strategies need them.
pub fn desired(
    catalog: &Catalog,
    record_names: &[RecordNames],
) -> Result<Vec<Registration>, DesiredError> {
    let mut builder = Builder {
        catalog,
        files: CatalogFiles { catalog },
        items: Vec::new(),
        shared: HashMap::new(),
        subjects: HashMap::new(),
        avro_definitions: None,
    };
    let strategy = catalog.settings.defaults.subject_strategy;
    for (event, names) in catalog.events.iter().zip(record_names) {
        for role in [SchemaRole::Value, SchemaRole::Key] {
            let Some(declared) = formats::declaration(event, role) else {
                continue;
            };
            let file = event
                .dir
                .join(declared.file)
                .map_err(|error| DesiredError::Schema {
                    file: event.file.clone(),
                    message: error.to_string(),
                })?;
            let record_name = match role {
                SchemaRole::Value => names.value.as_deref(),
                SchemaRole::Key => names.key.as_deref(),
            };
            let subjects = subject::subjects(strategy, role, &event.spec.topics, record_name);
            if subjects.is_empty() {
                continue;
            }
            let format = event.spec.format;
            let schema = builder.read(&file)?;
            let references = builder.references(&file, format, &schema, &mut Vec::new())?;
            let needer = (event.id(), event.spec.status);
            builder.mark_needed(&references, &needer);
            for subject in subjects {
                builder.add(Registration {
                    subject,
                    origin: Origin::Event(role),
                    file: file.clone(),
                    format,
                    schema: schema.clone(),
                    references: references.clone(),
                    level: catalog.effective_compatibility(event),
                    events: vec![needer.clone()],
                })?;
            }
        }
    }
    Ok(builder.items)
}

struct Builder<'c> {
    catalog: &'c Catalog,
    files: CatalogFiles<'c>,
    items: Vec<Registration>,
    /// Registration index of each shared file already added.
    shared: HashMap<CatalogPath, usize>,
    /// The file each subject was given to, to catch two schemas for one subject.
    subjects: HashMap<String, CatalogPath>,
    /// Which shared `.avsc` file defines each Avro full name; built on first need.
    avro_definitions: Option<HashMap<String, CatalogPath>>,
}

impl Builder<'_> {
    fn read(&self, file: &CatalogPath) -> Result<String, DesiredError> {
        self.catalog
            .read_text(file)
            .map(|text| text.to_string())
            .map_err(|error| DesiredError::Schema {
                file: file.clone(),
                message: formats::describe_read_error(file, &error),
            })
    }

    fn add(&mut self, registration: Registration) -> Result<usize, DesiredError> {
        if let Some(first) = self.subjects.get(&registration.subject) {
            if first != &registration.file {
                return Err(DesiredError::SubjectConflict {
                    subject: registration.subject,
                    first: first.clone(),
                    second: registration.file,
                });
            }
        }
        self.subjects
            .insert(registration.subject.clone(), registration.file.clone());
        self.items.push(registration);
        Ok(self.items.len() - 1)
    }

    /// The registrations `file` refers to, adding shared files (and theirs) first. `path` holds
    /// the shared files being added around this call, to detect circles.
    fn references(
        &mut self,
        file: &CatalogPath,
        format: Format,
        schema: &str,
        path: &mut Vec<CatalogPath>,
    ) -> Result<Vec<(String, usize)>, DesiredError> {
        let mut references = Vec::new();
        for (written, target) in self.dependencies(file, format, schema)? {
            let index = self.shared_file(&target, format, path)?;
            if !references.iter().any(|(_, known)| *known == index) {
                // An Avro reference is named by the type it brings, which is its subject.
                let name = written.unwrap_or_else(|| self.items[index].subject.clone());
                references.push((name, index));
            }
        }
        Ok(references)
    }

    fn shared_file(
        &mut self,
        file: &CatalogPath,
        format: Format,
        path: &mut Vec<CatalogPath>,
    ) -> Result<usize, DesiredError> {
        if let Some(&index) = self.shared.get(file) {
            return Ok(index);
        }
        if let Some(start) = path.iter().position(|seen| seen == file) {
            let mut circle: Vec<String> = path[start..].iter().map(ToString::to_string).collect();
            circle.push(file.to_string());
            return Err(DesiredError::Cycle {
                files: circle.join(" -> "),
            });
        }
        path.push(file.clone());
        let schema = self.read(file)?;
        let references = self.references(file, format, &schema, path)?;
        path.pop();
        let index = self.add(Registration {
            subject: shared_subject(file, format, &schema),
            origin: Origin::Shared,
            file: file.clone(),
            format,
            schema,
            references,
            level: self.catalog.settings.defaults.compatibility,
            events: Vec::new(),
        })?;
        self.shared.insert(file.clone(), index);
        Ok(index)
    }

    /// Records that the event `needer` needs each referenced registration, transitively.
    fn mark_needed(&mut self, references: &[(String, usize)], needer: &(EventId, Status)) {
        let mut pending: Vec<usize> = references.iter().map(|(_, index)| *index).collect();
        let mut seen = HashSet::new();
        while let Some(index) = pending.pop() {
            if !seen.insert(index) {
                continue;
            }
            let item = &mut self.items[index];
            if !item.events.contains(needer) {
                item.events.push(needer.clone());
            }
            pending.extend(item.references.iter().map(|(_, index)| *index));
        }
    }

    /// The files `file` refers to directly: (the name it writes, the file). Avro names no file,
    /// so its references have no written name.
    fn dependencies(
        &mut self,
        file: &CatalogPath,
        format: Format,
        schema: &str,
    ) -> Result<Vec<(Option<String>, CatalogPath)>, DesiredError> {
        let invalid = |message: String| DesiredError::Schema {
            file: file.clone(),
            message,
        };
        match format {
            Format::Protobuf => {
                let parsed = protox_parse::parse(file.as_str(), schema)
                    .map_err(|error| invalid(error.to_string()))?;
                let mut found = Vec::new();
                for import in parsed.dependency {
                    // Well-known types are built into every registry: no reference.
                    if crate::formats::wellknown::is_builtin(&import) {
                        continue;
                    }
                    let target = self
                        .files
                        .resolve(file.as_str(), &import)
                        .and_then(|(id, _)| CatalogPath::parse(&id).ok())
                        .ok_or_else(|| invalid(format!("import \"{import}\" not found")))?;
                    found.push((Some(import), target));
                }
                Ok(found)
            }
            Format::Json => {
                let value: Value =
                    serde_json::from_str(schema).map_err(|error| invalid(error.to_string()))?;
                formats::json::referenced_files(&value)
                    .into_iter()
                    .map(|reference| {
                        let target = file
                            .parent()
                            .join(&reference)
                            .map_err(|error| invalid(format!("`$ref` {reference}: {error}")))?;
                        Ok((Some(reference), target))
                    })
                    .collect()
            }
            Format::Avro => {
                let value: Value =
                    serde_json::from_str(schema).map_err(|error| invalid(error.to_string()))?;
                let (defined, used) = formats::avro::names_of(&value);
                let definitions = self.avro_definitions();
                let mut found: Vec<CatalogPath> = Vec::new();
                for candidates in used {
                    if candidates.iter().any(|name| defined.contains(name)) {
                        continue;
                    }
                    // Names defined nowhere are primitives or lint errors; lint ran first.
                    let Some(target) = candidates.iter().find_map(|name| definitions.get(name))
                    else {
                        continue;
                    };
                    if target != file && !found.contains(target) {
                        found.push(target.clone());
                    }
                }
                Ok(found.into_iter().map(|target| (None, target)).collect())
            }
        }
    }

    fn avro_definitions(&mut self) -> &HashMap<String, CatalogPath> {
        let catalog = self.catalog;
        self.avro_definitions.get_or_insert_with(|| {
            let mut definitions = HashMap::new();
            for path in &catalog.shared_files {
                if path.extension() != Some("avsc") {
                    continue;
                }
                let Some(value) = catalog
                    .read_text(path)
                    .ok()
                    .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                else {
                    continue;
                };
                for name in formats::avro::names_of(&value).0 {
                    definitions.entry(name).or_insert_with(|| path.clone());
                }
            }
            definitions
        })
    }
}

/// The subject a shared file is registered under: for Avro, the full name of the type it
/// defines (what Avro references name); otherwise its path below `domains/<domain>/schemas/`,
/// which is how imports and `$ref`s usually name it.
fn shared_subject(file: &CatalogPath, format: Format, schema: &str) -> String {
    if format == Format::Avro {
        let top_name = serde_json::from_str::<Value>(schema)
            .ok()
            .and_then(|value| formats::avro::names_of(&value).0.into_iter().next());
        if let Some(name) = top_name {
            return name;
        }
    }
    let segments: Vec<&str> = file.segments().collect();
    match segments.as_slice() {
        ["domains", _, "schemas", rest @ ..] if !rest.is_empty() => rest.join("/"),
        _ => file.to_string(),
    }
}
