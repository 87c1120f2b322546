//! Protobuf compatibility: Confluent Schema Registry's structural diff.
//!
//! Like Confluent's `protobuf/diff` package, this compares the schemas as written (types named as
//! in the source, resolved by Protobuf scoping rules against the file and its references), not as
//! compiled: that is what makes "name qualification" changes compatible. Differences are
//! Confluent's 26 types at Confluent's paths (`#/Message/oneof/3`); a difference breaks BACKWARD
//! when its type is not in [`COMPATIBLE`].

use std::collections::{BTreeSet, HashMap, HashSet};

use prost_types::field_descriptor_proto::{Label as DescriptorLabel, Type as DescriptorType};
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
};

use super::{Difference, FormatChecker};

/// The difference types that do not break BACKWARD compatibility.
pub const COMPATIBLE: [&str; 15] = [
    "MESSAGE_ADDED",
    "MESSAGE_MOVED",
    "ENUM_ADDED",
    "ENUM_REMOVED",
    "ENUM_CONST_ADDED",
    "ENUM_CONST_CHANGED",
    "ENUM_CONST_REMOVED",
    "FIELD_ADDED",
    "FIELD_REMOVED",
    "FIELD_NAME_CHANGED",
    "FIELD_STRING_OR_BYTES_LABEL_CHANGED",
    "ONEOF_ADDED",
    "ONEOF_REMOVED",
    "ONEOF_FIELD_ADDED",
    "ONEOF_FIELD_MOVED_TO_TOP_LEVEL",
];

/// Why each difference type matters to readers.
pub fn explain(kind: &str) -> &'static str {
    match kind {
        "PACKAGE_CHANGED" => "the package is part of every type's full name, so readers no longer find the types they know",
        "MESSAGE_REMOVED" => "readers of the old schema use a message the new schema no longer has",
        "MESSAGE_ADDED" => "a new message does not affect existing data",
        "MESSAGE_MOVED" => "message indexes are read against the schema of the writer's id, so moving a message is safe",
        "ENUM_ADDED" | "ENUM_REMOVED" => "enums are encoded as numbers; the type's presence does not change the wire format",
        "ENUM_CONST_ADDED" | "ENUM_CONST_REMOVED" | "ENUM_CONST_CHANGED" => "enum constants are encoded by number; unknown numbers are kept as such",
        "FIELD_ADDED" => "an added field is absent from old data and reads as its default",
        "FIELD_REMOVED" => "the removed field's data in old messages is skipped as an unknown field",
        "FIELD_NAME_CHANGED" => "fields are encoded by number, not name (JSON readers do see the new name)",
        "FIELD_KIND_CHANGED" => "the field changed between scalar, message and map, so old bytes decode as the wrong kind",
        "FIELD_SCALAR_KIND_CHANGED" => "the new scalar type is not wire-compatible with the old one (e.g. int32 to string, or to sint32)",
        "FIELD_NAMED_TYPE_CHANGED" => "the field now refers to a different message type",
        "FIELD_NUMERIC_LABEL_CHANGED" => "a numeric field changed between singular and repeated, which packed encoding does not survive",
        "FIELD_STRING_OR_BYTES_LABEL_CHANGED" => "string and bytes fields read singular and repeated data alike",
        "REQUIRED_FIELD_ADDED" => "old data lacks the new required field, so readers reject it",
        "REQUIRED_FIELD_REMOVED" => "readers of the old schema still require the removed field",
        "ONEOF_ADDED" | "ONEOF_REMOVED" => "a oneof groups fields on the wire only by their numbers",
        "ONEOF_FIELD_ADDED" => "a new member of a oneof is absent from old data",
        "ONEOF_FIELD_REMOVED" => "old data may hold the removed member, which readers then lose from the oneof",
        "ONEOF_FIELD_MOVED_TO_TOP_LEVEL" => "a former oneof member reads the same as a top-level field",
        "MULTIPLE_FIELDS_MOVED_TO_ONEOF" => "old data may set several of these fields at once, which a oneof cannot hold",
        "FIELD_MOVED_TO_EXISTING_ONEOF" => "old data may set the moved field together with a member of the oneof",
        _ => "",
    }
}

/// A referenced file's identity: Confluent's subject and version; for catalog imports, the
/// import path and a digest of its text. `None` compares as unknown (always re-checked).
pub type ReferenceId = Option<(String, String)>;

/// A file a schema imports, with its identity.
pub struct Dependency {
    pub import: String,
    pub reference: ReferenceId,
    pub text: String,
}

/// A parsed Protobuf schema and the files it imports.
pub struct ProtoDocument {
    main: FileDescriptorProto,
    dependencies: Vec<(ReferenceId, FileDescriptorProto)>,
}

impl ProtoDocument {
    pub fn parse(name: &str, text: &str, dependencies: &[Dependency]) -> Result<Self, String> {
        let main = protox_parse::parse(name, text).map_err(|error| error.to_string())?;
        let dependencies = dependencies
            .iter()
            .map(|dependency| {
                protox_parse::parse(&dependency.import, &dependency.text)
                    .map(|file| (dependency.reference.clone(), file))
                    .map_err(|error| format!("{}: {error}", dependency.import))
            })
            .collect::<Result<_, _>>()?;
        Ok(ProtoDocument { main, dependencies })
    }
}

/// Confluent's Protobuf diff.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProtobufChecker;

impl FormatChecker for ProtobufChecker {
    type Schema = ProtoDocument;

    fn backward(&self, old: &ProtoDocument, new: &ProtoDocument) -> Vec<Difference> {
        let original = Model::of(old);
        let update = Model::of(new);
        let types = Types {
            original: original.types(),
            update: update.types(),
        };
        let mut context = Context::new(&types, &original.main.package, &update.main.package);
        if original.main.package != update.main.package {
            context.add("PACKAGE_CHANGED");
        }
        context.compare_types(&original.main.types, &update.main.types);
        context
            .differences
            .into_iter()
            .map(|(kind, path)| Difference {
                kind,
                path,
                message: explain(kind).to_string(),
                breaking: !COMPATIBLE.contains(&kind),
            })
            .collect()
    }
}

// ---- The schema as written

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Label {
    Optional,
    Required,
    Repeated,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum ProtoType {
    Scalar(&'static str),
    /// A message or enum, named as written (`Status`, `.foo.Bar`).
    Named(String),
    Map(Box<ProtoType>, Box<ProtoType>),
}

impl ProtoType {
    fn text(&self) -> String {
        match self {
            ProtoType::Scalar(name) => (*name).to_string(),
            ProtoType::Named(name) => name.clone(),
            ProtoType::Map(key, value) => format!("map<{}, {}>", key.text(), value.text()),
        }
    }
}

struct Field {
    name: String,
    tag: i32,
    /// The label as written; `None` when the source has none (proto3 singular, oneof members).
    label: Option<Label>,
    ty: ProtoType,
}

struct OneOf {
    name: String,
    fields: Vec<Field>,
}

struct Message {
    name: String,
    fields: Vec<Field>,
    oneofs: Vec<OneOf>,
    nested: TypeList,
}

struct Enum {
    name: String,
    constants: Vec<(String, i32)>,
}

#[derive(Default)]
struct TypeList {
    messages: Vec<Message>,
    enums: Vec<Enum>,
}

struct File {
    package: String,
    types: TypeList,
}

struct Model {
    main: File,
    dependencies: Vec<(ReferenceId, File)>,
}

impl Model {
    fn of(document: &ProtoDocument) -> Model {
        Model {
            main: convert_file(&document.main),
            dependencies: document
                .dependencies
                .iter()
                .map(|(reference, file)| (reference.clone(), convert_file(file)))
                .collect(),
        }
    }

    /// Every type by full name. The main file's own types carry the "local" reference.
    fn types(&self) -> HashMap<String, TypeInfo<'_>> {
        let mut types = HashMap::new();
        for (reference, file) in &self.dependencies {
            collect_types(file, reference, &mut Vec::new(), &mut types);
        }
        let local: ReferenceId = Some((String::new(), "-1".to_string()));
        collect_types(&self.main, &local, &mut Vec::new(), &mut types);
        types
    }
}

fn convert_file(file: &FileDescriptorProto) -> File {
    let proto3 = file.syntax.as_deref() == Some("proto3");
    File {
        package: file.package.clone().unwrap_or_default(),
        types: convert_types(&file.message_type, &file.enum_type, proto3),
    }
}

fn convert_types(
    messages: &[DescriptorProto],
    enums: &[EnumDescriptorProto],
    proto3: bool,
) -> TypeList {
    TypeList {
        messages: messages
            .iter()
            .filter(|message| !is_map_entry(message))
            .map(|message| convert_message(message, proto3))
            .collect(),
        enums: enums
            .iter()
            .map(|enumeration| Enum {
                name: enumeration.name.clone().unwrap_or_default(),
                constants: enumeration
                    .value
                    .iter()
                    .map(|value| {
                        (
                            value.name.clone().unwrap_or_default(),
                            value.number.unwrap_or(0),
                        )
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn is_map_entry(message: &DescriptorProto) -> bool {
    message
        .options
        .as_ref()
        .and_then(|options| options.map_entry)
        .unwrap_or(false)
}

fn convert_message(message: &DescriptorProto, proto3: bool) -> Message {
    // The parser writes `map<K, V>` fields as a synthetic nested entry message; the source
    // (and so Confluent's diff) knows them as map types.
    let map_entries: HashMap<&str, &DescriptorProto> = message
        .nested_type
        .iter()
        .filter(|nested| is_map_entry(nested))
        .filter_map(|nested| Some((nested.name.as_deref()?, nested)))
        .collect();
    let real_oneof = |index: i32| {
        message
            .field
            .iter()
            .any(|field| field.oneof_index == Some(index) && field.proto3_optional != Some(true))
    };
    let mut fields = Vec::new();
    let mut oneofs: Vec<OneOf> = message
        .oneof_decl
        .iter()
        .map(|oneof| OneOf {
            name: oneof.name.clone().unwrap_or_default(),
            fields: Vec::new(),
        })
        .collect();
    for field in &message.field {
        let in_oneof = field
            .oneof_index
            .filter(|&index| field.proto3_optional != Some(true) && real_oneof(index));
        let converted = convert_field(field, proto3, in_oneof.is_some(), &map_entries);
        match in_oneof.and_then(|index| oneofs.get_mut(index as usize)) {
            Some(oneof) => oneof.fields.push(converted),
            None => fields.push(converted),
        }
    }
    // Synthetic oneofs of proto3 `optional` fields do not exist in the source.
    oneofs.retain(|oneof| !oneof.fields.is_empty());
    Message {
        name: message.name.clone().unwrap_or_default(),
        fields,
        oneofs,
        nested: convert_types(&message.nested_type, &message.enum_type, proto3),
    }
}

fn convert_field(
    field: &FieldDescriptorProto,
    proto3: bool,
    in_oneof: bool,
    map_entries: &HashMap<&str, &DescriptorProto>,
) -> Field {
    let ty = field_type(field);
    let map = match &ty {
        ProtoType::Named(name) => map_entries.get(name.as_str()).map(|entry| {
            let key = entry
                .field
                .iter()
                .find(|f| f.number == Some(1))
                .map(field_type);
            let value = entry
                .field
                .iter()
                .find(|f| f.number == Some(2))
                .map(field_type);
            ProtoType::Map(
                Box::new(key.unwrap_or(ProtoType::Scalar("string"))),
                Box::new(value.unwrap_or(ProtoType::Scalar("string"))),
            )
        }),
        _ => None,
    };
    let label = if in_oneof || map.is_some() {
        None
    } else {
        match field.label() {
            DescriptorLabel::Repeated => Some(Label::Repeated),
            DescriptorLabel::Required => Some(Label::Required),
            DescriptorLabel::Optional if proto3 && field.proto3_optional != Some(true) => None,
            DescriptorLabel::Optional => Some(Label::Optional),
        }
    };
    Field {
        name: field.name.clone().unwrap_or_default(),
        tag: field.number.unwrap_or(0),
        label,
        ty: map.unwrap_or(ty),
    }
}

fn field_type(field: &FieldDescriptorProto) -> ProtoType {
    if field.r#type.is_some() {
        if let Some(name) = scalar_name(field.r#type()) {
            return ProtoType::Scalar(name);
        }
    }
    ProtoType::Named(field.type_name.clone().unwrap_or_default())
}

fn scalar_name(ty: DescriptorType) -> Option<&'static str> {
    Some(match ty {
        DescriptorType::Double => "double",
        DescriptorType::Float => "float",
        DescriptorType::Int64 => "int64",
        DescriptorType::Uint64 => "uint64",
        DescriptorType::Int32 => "int32",
        DescriptorType::Fixed64 => "fixed64",
        DescriptorType::Fixed32 => "fixed32",
        DescriptorType::Bool => "bool",
        DescriptorType::String => "string",
        DescriptorType::Bytes => "bytes",
        DescriptorType::Uint32 => "uint32",
        DescriptorType::Sfixed32 => "sfixed32",
        DescriptorType::Sfixed64 => "sfixed64",
        DescriptorType::Sint32 => "sint32",
        DescriptorType::Sint64 => "sint64",
        DescriptorType::Group | DescriptorType::Message | DescriptorType::Enum => return None,
    })
}

// ---- Type information and name resolution

enum Element<'a> {
    Message(&'a Message),
    Enum,
}

struct TypeInfo<'a> {
    package: String,
    reference: ReferenceId,
    element: Element<'a>,
}

fn collect_types<'a>(
    file: &'a File,
    reference: &ReferenceId,
    scope: &mut Vec<String>,
    types: &mut HashMap<String, TypeInfo<'a>>,
) {
    collect_list(&file.types, &file.package, reference, scope, types);
}

fn collect_list<'a>(
    list: &'a TypeList,
    package: &str,
    reference: &ReferenceId,
    scope: &mut Vec<String>,
    types: &mut HashMap<String, TypeInfo<'a>>,
) {
    let full = |scope: &[String]| {
        let name = scope.join(".");
        if package.is_empty() {
            name
        } else {
            format!("{package}.{name}")
        }
    };
    for message in &list.messages {
        scope.push(message.name.clone());
        types.insert(
            full(scope),
            TypeInfo {
                package: package.to_string(),
                reference: reference.clone(),
                element: Element::Message(message),
            },
        );
        collect_list(&message.nested, package, reference, scope, types);
        scope.pop();
    }
    for enumeration in &list.enums {
        scope.push(enumeration.name.clone());
        types.insert(
            full(scope),
            TypeInfo {
                package: package.to_string(),
                reference: reference.clone(),
                element: Element::Enum,
            },
        );
        scope.pop();
    }
}

struct Types<'a> {
    original: HashMap<String, TypeInfo<'a>>,
    update: HashMap<String, TypeInfo<'a>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Original,
    Update,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Scalar,
    Map,
    Message,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ScalarKind {
    GeneralNumber,
    SignedNumber,
    StringOrBytes,
    Fixed32,
    Fixed64,
    Float,
    Double,
}

/// Confluent's `Context`: the current path and scope, and the differences found.
struct Context<'t, 'a> {
    types: &'t Types<'a>,
    original_package: String,
    update_package: String,
    path: Vec<String>,
    /// The names of the enclosing messages: the scope for resolving type names.
    full_name: Vec<String>,
    /// Messages being compared (by identity), so recursive types terminate.
    in_progress: HashSet<*const Message>,
    differences: Vec<(&'static str, String)>,
}

impl<'t, 'a> Context<'t, 'a> {
    fn new(types: &'t Types<'a>, original_package: &str, update_package: &str) -> Self {
        Context {
            types,
            original_package: original_package.to_string(),
            update_package: update_package.to_string(),
            path: Vec::new(),
            full_name: Vec::new(),
            in_progress: HashSet::new(),
            differences: Vec::new(),
        }
    }

    fn add(&mut self, kind: &'static str) {
        self.differences
            .push((kind, format!("#/{}", self.path.join("/"))));
    }

    fn add_at(&mut self, segment: &str, kind: &'static str) {
        self.path.push(segment.to_string());
        self.add(kind);
        self.path.pop();
    }

    fn is_compatible(&self) -> bool {
        self.differences
            .iter()
            .all(|(kind, _)| COMPATIBLE.contains(kind))
    }

    fn types(&self, side: Side) -> &'t HashMap<String, TypeInfo<'a>> {
        match side {
            Side::Original => &self.types.original,
            Side::Update => &self.types.update,
        }
    }

    /// Resolves a type name by Protobuf scoping rules: innermost scope first.
    fn resolve(&self, name: &str, side: Side) -> Option<String> {
        let types = self.types(side);
        if let Some(absolute) = name.strip_prefix('.') {
            return types.contains_key(absolute).then(|| absolute.to_string());
        }
        let package = match side {
            Side::Original => &self.original_package,
            Side::Update => &self.update_package,
        };
        let mut prefix: Vec<&str> = package.split('.').filter(|part| !part.is_empty()).collect();
        prefix.extend(self.full_name.iter().map(String::as_str));
        while !prefix.is_empty() {
            let candidate = format!("{}.{name}", prefix.join("."));
            if types.contains_key(&candidate) {
                return Some(candidate);
            }
            prefix.pop();
        }
        types.contains_key(name).then(|| name.to_string())
    }

    fn type_info(&self, name: &str, side: Side) -> Option<&'t TypeInfo<'a>> {
        let full = self.resolve(name, side)?;
        self.types(side).get(&full)
    }

    fn compare_types(&mut self, original: &'a TypeList, update: &'a TypeList) {
        let index = |list: &'a TypeList| -> HashMap<&'a str, (usize, &'a Message)> {
            list.messages
                .iter()
                .enumerate()
                .map(|(index, message)| (message.name.as_str(), (index, message)))
                .collect()
        };
        let (original_messages, update_messages) = (index(original), index(update));
        let names: BTreeSet<&str> = original_messages
            .keys()
            .chain(update_messages.keys())
            .copied()
            .collect();
        for name in names {
            self.enter_name(name);
            match (original_messages.get(name), update_messages.get(name)) {
                (Some(_), None) => self.add("MESSAGE_REMOVED"),
                (None, Some(_)) => self.add("MESSAGE_ADDED"),
                (Some((original_index, original)), Some((update_index, update))) => {
                    self.compare_message(original, update);
                    if original_index != update_index {
                        self.add("MESSAGE_MOVED");
                    }
                }
                (None, None) => {}
            }
            self.leave_name();
        }
        let enums = |list: &'a TypeList| -> HashMap<&'a str, &'a Enum> {
            list.enums
                .iter()
                .map(|enumeration| (enumeration.name.as_str(), enumeration))
                .collect()
        };
        let (original_enums, update_enums) = (enums(original), enums(update));
        let names: BTreeSet<&str> = original_enums
            .keys()
            .chain(update_enums.keys())
            .copied()
            .collect();
        for name in names {
            self.enter_name(name);
            match (original_enums.get(name), update_enums.get(name)) {
                (Some(_), None) => self.add("ENUM_REMOVED"),
                (None, Some(_)) => self.add("ENUM_ADDED"),
                (Some(original), Some(update)) => self.compare_enum(original, update),
                (None, None) => {}
            }
            self.leave_name();
        }
    }

    fn enter_name(&mut self, name: &str) {
        self.path.push(name.to_string());
        self.full_name.push(name.to_string());
    }

    fn leave_name(&mut self) {
        self.full_name.pop();
        self.path.pop();
    }

    fn compare_enum(&mut self, original: &Enum, update: &Enum) {
        let by_tag = |enumeration: &Enum| -> HashMap<i32, String> {
            enumeration
                .constants
                .iter()
                .map(|(name, tag)| (*tag, name.clone()))
                .collect()
        };
        let (original, update) = (by_tag(original), by_tag(update));
        let tags: BTreeSet<i32> = original.keys().chain(update.keys()).copied().collect();
        for tag in tags {
            match (original.get(&tag), update.get(&tag)) {
                (Some(_), None) => self.add_at(&tag.to_string(), "ENUM_CONST_REMOVED"),
                (None, Some(_)) => self.add_at(&tag.to_string(), "ENUM_CONST_ADDED"),
                (Some(a), Some(b)) if a != b => self.add_at(&tag.to_string(), "ENUM_CONST_CHANGED"),
                _ => {}
            }
        }
    }

    fn compare_message(&mut self, original: &'a Message, update: &'a Message) {
        let key = original as *const Message;
        if self.in_progress.insert(key) {
            self.compare_oneofs_and_fields(original, update);
            self.in_progress.remove(&key);
        }
        self.compare_types(&original.nested, &update.nested);
    }

    fn compare_oneofs_and_fields(&mut self, original: &'a Message, update: &'a Message) {
        let top = |message: &'a Message| -> HashMap<i32, &'a Field> {
            message
                .fields
                .iter()
                .map(|field| (field.tag, field))
                .collect()
        };
        let in_oneofs = |message: &'a Message| -> HashMap<i32, (&'a str, &'a Field)> {
            message
                .oneofs
                .iter()
                .flat_map(|oneof| {
                    oneof
                        .fields
                        .iter()
                        .map(move |field| (field.tag, (oneof.name.as_str(), field)))
                })
                .collect()
        };
        let (original_top, update_top) = (top(original), top(update));
        let (original_oneof, update_oneof) = (in_oneofs(original), in_oneofs(update));

        // Fields moving into a oneof: from the top level, or from other oneofs.
        for oneof in &update.oneofs {
            let moved = oneof
                .fields
                .iter()
                .filter(|field| original_top.contains_key(&field.tag))
                .count();
            let existing = oneof
                .fields
                .iter()
                .filter(|field| original_oneof.contains_key(&field.tag))
                .count();
            let sources: BTreeSet<&str> = oneof
                .fields
                .iter()
                .filter_map(|field| original_oneof.get(&field.tag).map(|(name, _)| *name))
                .collect();
            if moved > 1 {
                self.add_at(&oneof.name, "MULTIPLE_FIELDS_MOVED_TO_ONEOF");
            } else if (moved == 1 && existing > 0) || sources.len() > 1 {
                self.add_at(&oneof.name, "FIELD_MOVED_TO_EXISTING_ONEOF");
            }
        }
        let original_names: BTreeSet<&str> = original
            .oneofs
            .iter()
            .map(|oneof| oneof.name.as_str())
            .collect();
        let update_names: BTreeSet<&str> = update
            .oneofs
            .iter()
            .map(|oneof| oneof.name.as_str())
            .collect();
        for name in original_names.union(&update_names) {
            match (original_names.contains(name), update_names.contains(name)) {
                (true, false) => self.add_at(name, "ONEOF_REMOVED"),
                (false, true) => self.add_at(name, "ONEOF_ADDED"),
                _ => {}
            }
        }

        // Oneof members: compared where they are now.
        let mut original_tags: Vec<&i32> = original_oneof.keys().collect();
        original_tags.sort();
        for tag in original_tags {
            let (oneof_name, field) = original_oneof[tag];
            if let Some((new_oneof, new_field)) = update_oneof.get(tag) {
                self.compare_field_at(&[new_oneof, &tag.to_string()], field, new_field);
            } else if let Some(new_field) = update_top.get(tag) {
                self.add_at(&tag.to_string(), "ONEOF_FIELD_MOVED_TO_TOP_LEVEL");
                self.compare_field_at(&[&tag.to_string()], field, new_field);
            } else {
                self.path.push(oneof_name.to_string());
                self.add_at(&tag.to_string(), "ONEOF_FIELD_REMOVED");
                self.path.pop();
            }
        }
        let mut update_tags: Vec<&i32> = update_oneof.keys().collect();
        update_tags.sort();
        for tag in update_tags {
            if original_oneof.contains_key(tag) {
                continue;
            }
            let (oneof_name, field) = update_oneof[tag];
            match original_top.get(tag) {
                Some(old_field) => {
                    self.compare_field_at(&[oneof_name, &tag.to_string()], old_field, field)
                }
                None => {
                    self.path.push(oneof_name.to_string());
                    self.add_at(&tag.to_string(), "ONEOF_FIELD_ADDED");
                    self.path.pop();
                }
            }
        }

        // Top-level fields.
        let tags: BTreeSet<i32> = original_top
            .keys()
            .chain(update_top.keys())
            .copied()
            .collect();
        for tag in tags {
            match (original_top.get(&tag), update_top.get(&tag)) {
                (Some(old_field), Some(new_field)) => {
                    self.compare_field_at(&[&tag.to_string()], old_field, new_field)
                }
                (Some(old_field), None) if !update_oneof.contains_key(&tag) => {
                    let kind = if old_field.label == Some(Label::Required) {
                        "REQUIRED_FIELD_REMOVED"
                    } else {
                        "FIELD_REMOVED"
                    };
                    self.add_at(&tag.to_string(), kind);
                }
                (None, Some(new_field)) if !original_oneof.contains_key(&tag) => {
                    let kind = if new_field.label == Some(Label::Required) {
                        "REQUIRED_FIELD_ADDED"
                    } else {
                        "FIELD_ADDED"
                    };
                    self.add_at(&tag.to_string(), kind);
                }
                _ => {}
            }
        }
    }

    fn compare_field_at(&mut self, segments: &[&str], original: &Field, update: &Field) {
        let depth = self.path.len();
        self.path
            .extend(segments.iter().map(|segment| segment.to_string()));
        if original.name != update.name {
            self.add("FIELD_NAME_CHANGED");
        }
        self.compare_labels_and_types(original.label, update.label, &original.ty, &update.ty);
        self.path.truncate(depth);
    }

    fn kind(&self, ty: &ProtoType, side: Side) -> Kind {
        match ty {
            ProtoType::Scalar(_) => Kind::Scalar,
            ProtoType::Map(..) => Kind::Map,
            ProtoType::Named(name) => match self.type_info(name, side) {
                Some(TypeInfo {
                    element: Element::Enum,
                    ..
                }) => Kind::Scalar,
                _ => Kind::Message,
            },
        }
    }

    fn scalar_kind(&self, ty: &ProtoType, side: Side) -> Option<ScalarKind> {
        let name = match ty {
            ProtoType::Scalar(name) => *name,
            ProtoType::Named(name) => {
                return matches!(
                    self.type_info(name, side),
                    Some(TypeInfo {
                        element: Element::Enum,
                        ..
                    })
                )
                .then_some(ScalarKind::GeneralNumber)
            }
            ProtoType::Map(..) => return None,
        };
        Some(match name {
            "int32" | "int64" | "uint32" | "uint64" | "bool" => ScalarKind::GeneralNumber,
            "sint32" | "sint64" => ScalarKind::SignedNumber,
            "string" | "bytes" => ScalarKind::StringOrBytes,
            "fixed32" | "sfixed32" => ScalarKind::Fixed32,
            "fixed64" | "sfixed64" => ScalarKind::Fixed64,
            "float" => ScalarKind::Float,
            _ => ScalarKind::Double,
        })
    }

    fn compare_labels_and_types(
        &mut self,
        original_label: Option<Label>,
        update_label: Option<Label>,
        original: &ProtoType,
        update: &ProtoType,
    ) {
        let (original_kind, update_kind) = (
            self.kind(original, Side::Original),
            self.kind(update, Side::Update),
        );
        if original_kind != update_kind {
            self.add("FIELD_KIND_CHANGED");
            return;
        }
        match original_kind {
            Kind::Scalar => {
                let (a, b) = (
                    self.scalar_kind(original, Side::Original),
                    self.scalar_kind(update, Side::Update),
                );
                if a != b {
                    self.add("FIELD_SCALAR_KIND_CHANGED");
                } else if let (Some(x), Some(y)) = (original_label, update_label) {
                    if x != y {
                        match a {
                            Some(ScalarKind::StringOrBytes) => {
                                self.add("FIELD_STRING_OR_BYTES_LABEL_CHANGED")
                            }
                            Some(_) => self.add("FIELD_NUMERIC_LABEL_CHANGED"),
                            None => {}
                        }
                    }
                }
            }
            Kind::Message => self.compare_message_types(original, update),
            Kind::Map => {
                if let (
                    ProtoType::Map(original_key, original_value),
                    ProtoType::Map(update_key, update_value),
                ) = (original, update)
                {
                    self.compare_labels_and_types(None, None, original_key, update_key);
                    self.compare_labels_and_types(None, None, original_value, update_value);
                }
            }
        }
    }

    fn compare_message_types(&mut self, original: &ProtoType, update: &ProtoType) {
        let (original_text, update_text) = (original.text(), update.text());
        let (Some(original_full), Some(update_full)) = (
            self.resolve(&original_text, Side::Original),
            self.resolve(&update_text, Side::Update),
        ) else {
            if original_text != update_text {
                self.add("FIELD_NAMED_TYPE_CHANGED");
            }
            return;
        };
        let original_info = &self.types.original[&original_full];
        let update_info = &self.types.update[&update_full];
        let local = |full: &str, info: &TypeInfo| -> String {
            full.strip_prefix(&format!("{}.", info.package))
                .unwrap_or(full)
                .to_string()
        };
        let (original_local, update_local) = (
            local(&original_full, original_info),
            local(&update_full, update_info),
        );
        if original_local != update_local {
            self.add("FIELD_NAMED_TYPE_CHANGED");
            return;
        }
        let same_reference =
            original_info.reference.is_some() && original_info.reference == update_info.reference;
        if same_reference {
            return;
        }
        let (Element::Message(original_message), Element::Message(update_message)) =
            (&original_info.element, &update_info.element)
        else {
            return;
        };
        let mut sub = Context::new(self.types, &original_info.package, &update_info.package);
        sub.in_progress = self.in_progress.clone();
        let parts: Vec<String> = original_local.split('.').map(str::to_string).collect();
        sub.path = parts.clone();
        sub.full_name = parts;
        sub.compare_message(original_message, update_message);
        let compatible = sub.is_compatible();
        self.differences.extend(sub.differences);
        if !compatible {
            self.add("FIELD_NAMED_TYPE_CHANGED");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(old: &str, new: &str) -> Vec<String> {
        let old = ProtoDocument::parse("old.proto", old, &[]).unwrap();
        let new = ProtoDocument::parse("new.proto", new, &[]).unwrap();
        let mut found: Vec<String> = ProtobufChecker
            .backward(&old, &new)
            .into_iter()
            .map(|difference| format!("{} {}", difference.kind, difference.path))
            .collect();
        found.sort();
        found
    }

    const BASE: &str =
        "syntax = \"proto3\";\npackage p;\nmessage M {\n  int32 a = 1;\n  string b = 2;\n}\n";

    #[test]
    fn fields_added_removed_and_retyped() {
        assert!(diff(BASE, BASE).is_empty());
        let added = BASE.replace("string b = 2;", "string b = 2;\n  bool c = 3;");
        assert_eq!(diff(BASE, &added), ["FIELD_ADDED #/M/3"]);
        let retyped = BASE.replace("int32 a = 1;", "string a = 1;");
        assert_eq!(diff(BASE, &retyped), ["FIELD_SCALAR_KIND_CHANGED #/M/1"]);
        let compatible_number = BASE.replace("int32 a = 1;", "uint64 a = 1;");
        assert!(diff(BASE, &compatible_number).is_empty());
    }

    #[test]
    fn maps_compare_by_key_and_value() {
        let old = "syntax = \"proto3\";\nmessage M { map<string, int32> m = 1; }";
        let new = "syntax = \"proto3\";\nmessage M { map<string, string> m = 1; }";
        assert_eq!(diff(old, new), ["FIELD_SCALAR_KIND_CHANGED #/M/1"]);
    }

    #[test]
    fn recursive_messages_terminate() {
        let schema = "syntax = \"proto3\";\nmessage Node { Node next = 1; }";
        assert!(diff(schema, schema).is_empty());
    }
}
