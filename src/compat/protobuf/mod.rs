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
        let main = without_positions(protox_parse::parse(name, text).map_err(|e| e.to_string())?);
        let dependencies = dependencies
            .iter()
            .map(|dependency| {
                protox_parse::parse(&dependency.import, &dependency.text)
                    .map(|file| (dependency.reference.clone(), without_positions(file)))
                    .map_err(|error| format!("{}: {error}", dependency.import))
            })
            .collect::<Result<_, _>>()?;
        Ok(ProtoDocument { main, dependencies })
    }
}

/// The comparison never reads source positions, and they are most of a parsed file: a history
/// holds every version of a schema parsed, so they are dropped.
fn without_positions(mut file: FileDescriptorProto) -> FileDescriptorProto {
    file.source_code_info = None;
    file
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

mod diff;
mod model;

use diff::*;
use model::*;

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
