//! A Protobuf schema as written (types named as in the source), from its descriptors.

use super::*;

// ---- The schema as written

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Label {
    Optional,
    Required,
    Repeated,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ProtoType {
    Scalar(&'static str),
    /// A message or enum, named as written (`Status`, `.foo.Bar`).
    Named(String),
    Map(Box<ProtoType>, Box<ProtoType>),
}

impl ProtoType {
    pub(super) fn text(&self) -> String {
        match self {
            ProtoType::Scalar(name) => (*name).to_string(),
            ProtoType::Named(name) => name.clone(),
            ProtoType::Map(key, value) => format!("map<{}, {}>", key.text(), value.text()),
        }
    }
}

pub(super) struct Field {
    pub(super) name: String,
    pub(super) tag: i32,
    /// The label as written; `None` when the source has none (proto3 singular, oneof members).
    pub(super) label: Option<Label>,
    pub(super) ty: ProtoType,
}

pub(super) struct OneOf {
    pub(super) name: String,
    pub(super) fields: Vec<Field>,
}

pub(super) struct Message {
    pub(super) name: String,
    pub(super) fields: Vec<Field>,
    pub(super) oneofs: Vec<OneOf>,
    pub(super) nested: TypeList,
}

pub(super) struct Enum {
    pub(super) name: String,
    pub(super) constants: Vec<(String, i32)>,
}

#[derive(Default)]
pub(super) struct TypeList {
    pub(super) messages: Vec<Message>,
    pub(super) enums: Vec<Enum>,
}

pub(super) struct File {
    pub(super) package: String,
    pub(super) types: TypeList,
}

pub(super) struct Model {
    pub(super) main: File,
    pub(super) dependencies: Vec<(ReferenceId, File)>,
}

impl Model {
    pub(super) fn of(document: &ProtoDocument) -> Model {
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
    pub(super) fn types(&self) -> HashMap<String, TypeInfo<'_>> {
        let mut types = HashMap::new();
        for (reference, file) in &self.dependencies {
            collect_types(file, reference, &mut Vec::new(), &mut types);
        }
        let local: ReferenceId = Some((String::new(), "-1".to_string()));
        collect_types(&self.main, &local, &mut Vec::new(), &mut types);
        types
    }
}

pub(super) fn convert_file(file: &FileDescriptorProto) -> File {
    let proto3 = file.syntax.as_deref() == Some("proto3");
    File {
        package: file.package.clone().unwrap_or_default(),
        types: convert_types(&file.message_type, &file.enum_type, proto3),
    }
}

pub(super) fn convert_types(
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

pub(super) fn is_map_entry(message: &DescriptorProto) -> bool {
    message
        .options
        .as_ref()
        .and_then(|options| options.map_entry)
        .unwrap_or(false)
}

pub(super) fn convert_message(message: &DescriptorProto, proto3: bool) -> Message {
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

pub(super) fn convert_field(
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

pub(super) fn field_type(field: &FieldDescriptorProto) -> ProtoType {
    if field.r#type.is_some() {
        if let Some(name) = scalar_name(field.r#type()) {
            return ProtoType::Scalar(name);
        }
    }
    ProtoType::Named(field.type_name.clone().unwrap_or_default())
}

pub(super) fn scalar_name(ty: DescriptorType) -> Option<&'static str> {
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
