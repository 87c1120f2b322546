//! Type information, name resolution and the diff itself.

use super::model::*;
use super::*;

// ---- Type information and name resolution

pub(super) enum Element<'a> {
    Message(&'a Message),
    Enum,
}

pub(super) struct TypeInfo<'a> {
    pub(super) package: String,
    pub(super) reference: ReferenceId,
    pub(super) element: Element<'a>,
}

pub(super) fn collect_types<'a>(
    file: &'a File,
    reference: &ReferenceId,
    scope: &mut Vec<String>,
    types: &mut HashMap<String, TypeInfo<'a>>,
) {
    collect_list(&file.types, &file.package, reference, scope, types);
}

pub(super) fn collect_list<'a>(
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

pub(super) struct Types<'a> {
    pub(super) original: HashMap<String, TypeInfo<'a>>,
    pub(super) update: HashMap<String, TypeInfo<'a>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Original,
    Update,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Scalar,
    Map,
    Message,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ScalarKind {
    GeneralNumber,
    SignedNumber,
    StringOrBytes,
    Fixed32,
    Fixed64,
    Float,
    Double,
}

/// Confluent's `Context`: the current path and scope, and the differences found.
pub(super) struct Context<'t, 'a> {
    pub(super) types: &'t Types<'a>,
    pub(super) original_package: String,
    pub(super) update_package: String,
    pub(super) path: Vec<String>,
    /// The names of the enclosing messages: the scope for resolving type names.
    pub(super) full_name: Vec<String>,
    /// Messages being compared (by identity), so recursive types terminate.
    pub(super) in_progress: HashSet<*const Message>,
    pub(super) differences: Vec<(&'static str, String)>,
}

impl<'t, 'a> Context<'t, 'a> {
    pub(super) fn new(types: &'t Types<'a>, original_package: &str, update_package: &str) -> Self {
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

    pub(super) fn add(&mut self, kind: &'static str) {
        self.differences
            .push((kind, format!("#/{}", self.path.join("/"))));
    }

    pub(super) fn add_at(&mut self, segment: &str, kind: &'static str) {
        self.path.push(segment.to_string());
        self.add(kind);
        self.path.pop();
    }

    pub(super) fn is_compatible(&self) -> bool {
        self.differences
            .iter()
            .all(|(kind, _)| COMPATIBLE.contains(kind))
    }

    pub(super) fn types(&self, side: Side) -> &'t HashMap<String, TypeInfo<'a>> {
        match side {
            Side::Original => &self.types.original,
            Side::Update => &self.types.update,
        }
    }

    /// Resolves a type name by Protobuf scoping rules: innermost scope first.
    pub(super) fn resolve(&self, name: &str, side: Side) -> Option<String> {
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

    pub(super) fn type_info(&self, name: &str, side: Side) -> Option<&'t TypeInfo<'a>> {
        let full = self.resolve(name, side)?;
        self.types(side).get(&full)
    }

    pub(super) fn compare_types(&mut self, original: &'a TypeList, update: &'a TypeList) {
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

    pub(super) fn enter_name(&mut self, name: &str) {
        self.path.push(name.to_string());
        self.full_name.push(name.to_string());
    }

    pub(super) fn leave_name(&mut self) {
        self.full_name.pop();
        self.path.pop();
    }

    pub(super) fn compare_enum(&mut self, original: &Enum, update: &Enum) {
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

    pub(super) fn compare_message(&mut self, original: &'a Message, update: &'a Message) {
        let key = original as *const Message;
        if self.in_progress.insert(key) {
            self.compare_oneofs_and_fields(original, update);
            self.in_progress.remove(&key);
        }
        self.compare_types(&original.nested, &update.nested);
    }

    pub(super) fn compare_oneofs_and_fields(&mut self, original: &'a Message, update: &'a Message) {
        let (before, after) = (Layout::of(original), Layout::of(update));
        self.compare_moves_into_oneofs(&before, update);
        self.compare_oneof_names(original, update);
        self.compare_oneof_members(&before, &after);
        self.compare_top_level_fields(&before, &after);
    }

    /// Fields moving into a oneof: from the top level, or from other oneofs.
    fn compare_moves_into_oneofs(&mut self, before: &Layout<'a>, update: &'a Message) {
        for oneof in &update.oneofs {
            let moved = oneof
                .fields
                .iter()
                .filter(|field| before.top.contains_key(&field.tag))
                .count();
            let existing = oneof
                .fields
                .iter()
                .filter(|field| before.in_oneofs.contains_key(&field.tag))
                .count();
            let sources: BTreeSet<&str> = oneof
                .fields
                .iter()
                .filter_map(|field| before.in_oneofs.get(&field.tag).map(|(name, _)| *name))
                .collect();
            if moved > 1 {
                self.add_at(&oneof.name, "MULTIPLE_FIELDS_MOVED_TO_ONEOF");
            } else if (moved == 1 && existing > 0) || sources.len() > 1 {
                self.add_at(&oneof.name, "FIELD_MOVED_TO_EXISTING_ONEOF");
            }
        }
    }

    fn compare_oneof_names(&mut self, original: &'a Message, update: &'a Message) {
        let names = |message: &'a Message| -> BTreeSet<&'a str> {
            message
                .oneofs
                .iter()
                .map(|oneof| oneof.name.as_str())
                .collect()
        };
        let (original_names, update_names) = (names(original), names(update));
        for name in original_names.union(&update_names) {
            match (original_names.contains(name), update_names.contains(name)) {
                (true, false) => self.add_at(name, "ONEOF_REMOVED"),
                (false, true) => self.add_at(name, "ONEOF_ADDED"),
                _ => {}
            }
        }
    }

    /// Oneof members: compared where they are now.
    fn compare_oneof_members(&mut self, before: &Layout<'a>, after: &Layout<'a>) {
        let mut original_tags: Vec<&i32> = before.in_oneofs.keys().collect();
        original_tags.sort();
        for tag in original_tags {
            let (oneof_name, field) = before.in_oneofs[tag];
            if let Some((new_oneof, new_field)) = after.in_oneofs.get(tag) {
                self.compare_field_at(&[new_oneof, &tag.to_string()], field, new_field);
            } else if let Some(new_field) = after.top.get(tag) {
                self.add_at(&tag.to_string(), "ONEOF_FIELD_MOVED_TO_TOP_LEVEL");
                self.compare_field_at(&[&tag.to_string()], field, new_field);
            } else {
                self.path.push(oneof_name.to_string());
                self.add_at(&tag.to_string(), "ONEOF_FIELD_REMOVED");
                self.path.pop();
            }
        }
        let mut update_tags: Vec<&i32> = after.in_oneofs.keys().collect();
        update_tags.sort();
        for tag in update_tags {
            if before.in_oneofs.contains_key(tag) {
                continue;
            }
            let (oneof_name, field) = after.in_oneofs[tag];
            match before.top.get(tag) {
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
    }

    fn compare_top_level_fields(&mut self, before: &Layout<'a>, after: &Layout<'a>) {
        let tags: BTreeSet<i32> = before.top.keys().chain(after.top.keys()).copied().collect();
        for tag in tags {
            match (before.top.get(&tag), after.top.get(&tag)) {
                (Some(old_field), Some(new_field)) => {
                    self.compare_field_at(&[&tag.to_string()], old_field, new_field)
                }
                (Some(old_field), None) if !after.in_oneofs.contains_key(&tag) => {
                    let kind = if old_field.label == Some(Label::Required) {
                        "REQUIRED_FIELD_REMOVED"
                    } else {
                        "FIELD_REMOVED"
                    };
                    self.add_at(&tag.to_string(), kind);
                }
                (None, Some(new_field)) if !before.in_oneofs.contains_key(&tag) => {
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

    pub(super) fn compare_field_at(&mut self, segments: &[&str], original: &Field, update: &Field) {
        let depth = self.path.len();
        self.path
            .extend(segments.iter().map(|segment| segment.to_string()));
        if original.name != update.name {
            self.add("FIELD_NAME_CHANGED");
        }
        self.compare_labels_and_types(original.label, update.label, &original.ty, &update.ty);
        self.path.truncate(depth);
    }

    pub(super) fn kind(&self, ty: &ProtoType, side: Side) -> Kind {
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

    pub(super) fn scalar_kind(&self, ty: &ProtoType, side: Side) -> Option<ScalarKind> {
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

    pub(super) fn compare_labels_and_types(
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

    pub(super) fn compare_message_types(&mut self, original: &ProtoType, update: &ProtoType) {
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

/// A message's fields by tag: those at the top level, and those inside a oneof (with its name).
struct Layout<'a> {
    top: HashMap<i32, &'a Field>,
    in_oneofs: HashMap<i32, (&'a str, &'a Field)>,
}

impl<'a> Layout<'a> {
    fn of(message: &'a Message) -> Self {
        Layout {
            top: message
                .fields
                .iter()
                .map(|field| (field.tag, field))
                .collect(),
            in_oneofs: message
                .oneofs
                .iter()
                .flat_map(|oneof| {
                    oneof
                        .fields
                        .iter()
                        .map(move |field| (field.tag, (oneof.name.as_str(), field)))
                })
                .collect(),
        }
    }
}
