//! Protobuf schemas as serialized `FileDescriptorProto`s, the form Confluent's clients send and
//! ask for (`format=serialized`): from a descriptor to `.proto` source (what a registry stores
//! and compares), and from source to a descriptor.
//!
//! The source written covers what compatibility and the clients read: syntax, package, imports,
//! messages (nested), fields with labels, types, numbers, maps, oneofs and proto2 defaults,
//! enums, reserved numbers and names, and services. Other options are left out.

use std::fmt::Write;

use prost::Message;
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
    ServiceDescriptorProto,
};

/// The `.proto` source of a serialized `FileDescriptorProto`, or why the bytes are not one.
pub fn source_of_serialized(bytes: &[u8]) -> Result<String, String> {
    let file = FileDescriptorProto::decode(bytes)
        .map_err(|error| format!("not a serialized FileDescriptorProto: {error}"))?;
    Ok(source_of(&file))
}

/// The `.proto` source of a file descriptor.
pub fn source_of(file: &FileDescriptorProto) -> String {
    let mut out = String::new();
    let syntax = file.syntax.as_deref().filter(|syntax| !syntax.is_empty());
    let proto3 = syntax == Some("proto3");
    let _ = writeln!(out, "syntax = \"{}\";", syntax.unwrap_or("proto2"));
    if let Some(package) = file
        .package
        .as_deref()
        .filter(|package| !package.is_empty())
    {
        let _ = writeln!(out, "package {package};");
    }
    for (index, dependency) in file.dependency.iter().enumerate() {
        let public = file.public_dependency.contains(&(index as i32));
        let weak = file.weak_dependency.contains(&(index as i32));
        let modifier = if public {
            "public "
        } else if weak {
            "weak "
        } else {
            ""
        };
        let _ = writeln!(out, "import {modifier}\"{dependency}\";");
    }
    for message in &file.message_type {
        out.push('\n');
        write_message(&mut out, message, proto3, 0);
    }
    for enumeration in &file.enum_type {
        out.push('\n');
        write_enum(&mut out, enumeration, 0);
    }
    for service in &file.service {
        out.push('\n');
        write_service(&mut out, service);
    }
    out
}

/// The serialized `FileDescriptorProto` of `source` (the file `name`), compiled with `imports`
/// (the texts of the files it imports, by import name; well-known Google types are built in).
pub fn serialized_of(
    name: &str,
    source: &str,
    imports: &[(String, String)],
) -> Result<Vec<u8>, String> {
    let mut files: std::collections::HashMap<String, String> = imports.iter().cloned().collect();
    files.insert(name.to_string(), source.to_string());
    let mut resolver = protox::file::ChainFileResolver::new();
    resolver.add(Files(files));
    resolver.add(protox::file::GoogleFileResolver::new());
    resolver.add(super::wellknown::WellKnownResolver);
    let mut compiler = protox::Compiler::with_file_resolver(resolver);
    compiler.include_imports(false).include_source_info(false);
    compiler
        .open_file(name)
        .map_err(|error| error.to_string())?;
    let set = compiler.file_descriptor_set();
    let file = set
        .file
        .into_iter()
        .find(|file| file.name() == name)
        .ok_or_else(|| format!("{name} did not compile"))?;
    Ok(file.encode_to_vec())
}

/// Files by name, for the compiler.
struct Files(std::collections::HashMap<String, String>);

impl protox::file::FileResolver for Files {
    fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
        match self.0.get(name) {
            Some(source) => protox::file::File::from_source(name, source),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

fn indent(depth: usize) -> String {
    "  ".repeat(depth)
}

fn write_message(out: &mut String, message: &DescriptorProto, proto3: bool, depth: usize) {
    let pad = indent(depth);
    let _ = writeln!(out, "{pad}message {} {{", message.name());
    let inner = indent(depth + 1);
    // Map fields are written as `map<K, V>`; their generated entry messages are not.
    let map_entries: Vec<&DescriptorProto> = message
        .nested_type
        .iter()
        .filter(|nested| {
            nested
                .options
                .as_ref()
                .is_some_and(|options| options.map_entry())
        })
        .collect();
    for nested in &message.nested_type {
        if !map_entries
            .iter()
            .any(|entry| entry.name() == nested.name())
        {
            write_message(out, nested, proto3, depth + 1);
        }
    }
    for enumeration in &message.enum_type {
        write_enum(out, enumeration, depth + 1);
    }
    // Oneofs that only carry a proto3 `optional` are synthetic: their field says `optional`.
    let real_oneof = |index: i32| {
        message
            .field
            .iter()
            .any(|field| field.oneof_index == Some(index) && !field.proto3_optional())
    };
    for field in &message.field {
        match field.oneof_index {
            Some(index) if !field.proto3_optional() && real_oneof(index) => {
                // Written with its oneof, at the oneof's first field.
                let first = message
                    .field
                    .iter()
                    .find(|other| other.oneof_index == Some(index));
                if first.is_some_and(|first| first.number == field.number) {
                    let name = message
                        .oneof_decl
                        .get(index as usize)
                        .map(|oneof| oneof.name())
                        .unwrap_or("choice");
                    let _ = writeln!(out, "{inner}oneof {name} {{");
                    for member in message
                        .field
                        .iter()
                        .filter(|other| other.oneof_index == Some(index))
                    {
                        write_field(out, member, &map_entries, proto3, depth + 2, true);
                    }
                    let _ = writeln!(out, "{inner}}}");
                }
            }
            _ => write_field(out, field, &map_entries, proto3, depth + 1, false),
        }
    }
    for range in &message.reserved_range {
        let (start, end) = (range.start(), range.end() - 1);
        if start == end {
            let _ = writeln!(out, "{inner}reserved {start};");
        } else {
            let _ = writeln!(out, "{inner}reserved {start} to {end};");
        }
    }
    for name in &message.reserved_name {
        let _ = writeln!(out, "{inner}reserved \"{name}\";");
    }
    let _ = writeln!(out, "{pad}}}");
}

fn write_field(
    out: &mut String,
    field: &FieldDescriptorProto,
    map_entries: &[&DescriptorProto],
    proto3: bool,
    depth: usize,
    in_oneof: bool,
) {
    let pad = indent(depth);
    let entry = field.type_name.as_deref().and_then(|name| {
        let short = name.rsplit('.').next()?;
        map_entries.iter().find(|entry| entry.name() == short)
    });
    if let (Some(entry), Label::Repeated) = (entry, field.label()) {
        let part = |number: i32| {
            entry
                .field
                .iter()
                .find(|part| part.number() == number)
                .map(type_of)
                .unwrap_or_default()
        };
        let _ = writeln!(
            out,
            "{pad}map<{}, {}> {} = {};",
            part(1),
            part(2),
            field.name(),
            field.number()
        );
        return;
    }
    let label = match field.label() {
        _ if in_oneof => "",
        Label::Repeated => "repeated ",
        Label::Required => "required ",
        Label::Optional if field.proto3_optional() || !proto3 => "optional ",
        Label::Optional => "",
    };
    let default = field
        .default_value
        .as_deref()
        .filter(|_| !proto3)
        .map(|value| match field.r#type() {
            Type::String => format!(" [default = \"{}\"]", value.escape_default()),
            _ => format!(" [default = {value}]"),
        })
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{pad}{label}{} {} = {}{default};",
        type_of(field),
        field.name(),
        field.number()
    );
}

/// A field's type as written: a scalar's name, or a message or enum by its full name (the
/// leading dot makes it absolute, so no scope rule can change what it means).
fn type_of(field: &FieldDescriptorProto) -> String {
    match field.r#type() {
        Type::Message | Type::Enum | Type::Group => field.type_name().to_string(),
        scalar => scalar
            .as_str_name()
            .trim_start_matches("TYPE_")
            .to_ascii_lowercase(),
    }
}

fn write_enum(out: &mut String, enumeration: &EnumDescriptorProto, depth: usize) {
    let pad = indent(depth);
    let inner = indent(depth + 1);
    let _ = writeln!(out, "{pad}enum {} {{", enumeration.name());
    if enumeration
        .options
        .as_ref()
        .is_some_and(|options| options.allow_alias())
    {
        let _ = writeln!(out, "{inner}option allow_alias = true;");
    }
    for value in &enumeration.value {
        let _ = writeln!(out, "{inner}{} = {};", value.name(), value.number());
    }
    for range in &enumeration.reserved_range {
        let _ = writeln!(out, "{inner}reserved {} to {};", range.start(), range.end());
    }
    for name in &enumeration.reserved_name {
        let _ = writeln!(out, "{inner}reserved \"{name}\";");
    }
    let _ = writeln!(out, "{pad}}}");
}

fn write_service(out: &mut String, service: &ServiceDescriptorProto) {
    let _ = writeln!(out, "service {} {{", service.name());
    for method in &service.method {
        let stream = |streaming: bool| if streaming { "stream " } else { "" };
        let _ = writeln!(
            out,
            "  rpc {}({}{}) returns ({}{});",
            method.name(),
            stream(method.client_streaming()),
            method.input_type(),
            stream(method.server_streaming()),
            method.output_type()
        );
    }
    let _ = writeln!(out, "}}");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiles `.proto` source (no imports) into its descriptor.
    fn descriptor(source: &str) -> FileDescriptorProto {
        let bytes = serialized_of("test.proto", source, &[]).unwrap();
        FileDescriptorProto::decode(bytes.as_slice()).unwrap()
    }

    #[test]
    fn source_round_trips_through_the_descriptor() {
        let source = r#"syntax = "proto3";
package acme.v1;
message Order {
  message Line { string sku = 1; int64 quantity = 2; }
  enum State { STATE_UNSPECIFIED = 0; PLACED = 1; }
  string id = 1;
  repeated Line lines = 2;
  map<string, int32> counts = 3;
  optional string note = 4;
  oneof payment { string card = 5; string invoice = 6; }
  State state = 7;
  reserved 9 to 11;
  reserved "old";
}
"#;
        let original = descriptor(source);
        let written = source_of(&original);
        let again = descriptor(&written);
        assert_eq!(original, again, "{written}");
        assert!(
            written.contains("map<string, int32> counts = 3;"),
            "{written}"
        );
        assert!(written.contains("optional string note = 4;"), "{written}");
        assert!(written.contains("oneof payment {"), "{written}");
    }

    #[test]
    fn serialized_descriptors_name_their_imports() {
        let imported = (
            "acme/money.proto".to_string(),
            "syntax = \"proto3\";\npackage acme;\nmessage Money { int64 units = 1; }\n".to_string(),
        );
        let source = "syntax = \"proto3\";\npackage acme;\nimport \"acme/money.proto\";\nimport \"google/protobuf/timestamp.proto\";\nmessage Paid { Money amount = 1; google.protobuf.Timestamp at = 2; }\n";
        let bytes = serialized_of("paid.proto", source, &[imported]).unwrap();
        let file = FileDescriptorProto::decode(bytes.as_slice()).unwrap();
        assert_eq!(
            file.dependency,
            ["acme/money.proto", "google/protobuf/timestamp.proto"]
        );
        let written = source_of(&file);
        assert!(written.contains(".acme.Money amount = 1;"), "{written}");
    }

    #[test]
    fn bytes_that_are_not_a_descriptor_are_refused() {
        assert!(source_of_serialized(b"\xff\xff\xff").is_err());
    }
}
