//! The shared `.avsc` files: named types indexed once per run ([`SharedTypes`]), and what a
//! schema needs of them.

use super::*;

pub(super) struct SharedFile {
    pub(super) path: CatalogPath,
    pub(super) text: SharedText,
    pub(super) outline: Outline,
}

/// Every named type defined in the catalog's shared `.avsc` files, by full name.
#[derive(Default)]
pub struct SharedTypes {
    pub(super) files: Vec<SharedFile>,
    pub(super) by_name: HashMap<String, usize>,
}

impl SharedTypes {
    pub fn index(catalog: &Catalog, findings: &mut Findings) -> Self {
        let mut shared = SharedTypes::default();
        for path in &catalog.shared_files {
            if path.extension() != Some("avsc") {
                continue;
            }
            let Some(text) = catalog.read_text_or_report(path, &Site::File(path.clone()), findings)
            else {
                continue;
            };
            let Some(value) = parse_json(path, &text, rules::AVRO_INVALID, findings) else {
                continue;
            };
            let outline = Outline::of(&value);
            report_redefinitions(path, &outline, findings);
            let index = shared.files.len();
            for (name, definition) in &outline.defined {
                if let Some(previous) = shared.by_name.insert(name.clone(), index) {
                    findings.add(
                        rules::DUPLICATE_NAME,
                        Site::value(path, definition.clone()),
                        format!(
                            "Avro type `{name}` is also defined in {}",
                            shared.files[previous].path
                        ),
                    );
                }
            }
            shared.files.push(SharedFile {
                path: path.clone(),
                text,
                outline,
            });
        }
        shared
    }

    /// Compiles an event's Avro schema with the shared files it needs.
    pub fn compile(
        &self,
        path: &CatalogPath,
        text: &SharedText,
        findings: &mut Findings,
    ) -> Option<AvroSchema> {
        self.compile_file(path, text, true, findings)
    }

    /// Compiles one of the shared files itself, with the others it needs (the site shows
    /// its fields).
    pub fn compile_shared(
        &self,
        path: &CatalogPath,
        text: &SharedText,
        findings: &mut Findings,
    ) -> Option<AvroSchema> {
        self.compile_file(path, text, false, findings)
    }

    pub(super) fn compile_file(
        &self,
        path: &CatalogPath,
        text: &SharedText,
        is_event_schema: bool,
        findings: &mut Findings,
    ) -> Option<AvroSchema> {
        let value = parse_json(path, text, rules::AVRO_INVALID, findings)?;
        let outline = Outline::of(&value);
        let before = findings.len();
        report_redefinitions(path, &outline, findings);
        if is_event_schema {
            self.report_shadowing(path, &outline, findings);
        }
        let needed = self.needed_files(path, &outline, findings)?;
        if findings.len() > before {
            return None;
        }
        let texts: Vec<&str> = needed
            .iter()
            .map(|&index| &*self.files[index].text)
            .collect();
        let parsed = if texts.is_empty() {
            Schema::parse_str(text).map(|schema| (schema, Vec::new()))
        } else {
            Schema::parse_str_with_list(text, texts)
        };
        match parsed {
            Ok((schema, shared)) => {
                let mut named = HashMap::new();
                for schema in std::iter::once(&schema).chain(&shared) {
                    collect_named(schema, &mut named);
                }
                Some(AvroSchema {
                    file: path.clone(),
                    shared: needed
                        .iter()
                        .map(|&index| self.files[index].path.clone())
                        .collect(),
                    schema,
                    named,
                    outline,
                })
            }
            Err(error) => {
                let message = error.to_string();
                findings.add(
                    rules::AVRO_INVALID,
                    site_of_message(path, text, &message),
                    format!("invalid Avro schema: {message}"),
                );
                None
            }
        }
    }

    /// Reports each named type an event schema defines that a shared file defines too: with
    /// the shared file among its references, the registry's parser refuses the redefinition,
    /// and without it readers would see two different types under one name.
    pub(super) fn report_shadowing(
        &self,
        path: &CatalogPath,
        outline: &Outline,
        findings: &mut Findings,
    ) {
        for (name, at) in &outline.defined {
            if let Some(&index) = self.by_name.get(name) {
                findings.push(
                    finding(
                        rules::DUPLICATE_NAME,
                        Site::value(path, at.clone()),
                        format!(
                            "Avro type `{name}` is already defined in the shared file {}",
                            self.files[index].path
                        ),
                    )
                    .with_help(format!(
                        "use the shared type by its name (`\"{name}\"`) instead of defining it \
                         again, or give this type another name"
                    )),
                );
            }
        }
    }

    /// The shared files an outline needs, transitively; reports names defined nowhere.
    pub(super) fn needed_files(
        &self,
        path: &CatalogPath,
        outline: &Outline,
        findings: &mut Findings,
    ) -> Option<BTreeSet<usize>> {
        let local: BTreeSet<&str> = outline
            .defined
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        // Each use, with where it is written: its file and its path in that file. Names the
        // event's own schema defines need nothing shared.
        let uses_in = |file: &SharedFile| -> Vec<(Vec<String>, UseSite)> {
            file.outline
                .uses_not_defined_here()
                .filter(|(names, _)| !names.iter().any(|name| local.contains(name.as_str())))
                .map(|(names, at)| (names, (file.path.clone(), at)))
                .collect()
        };
        let used = outline
            .uses_not_defined_here()
            .map(|(names, at)| (names, (path.clone(), at)))
            .collect();
        let mut all_resolved = true;
        let needed = needed_definitions(
            used,
            &self.by_name,
            |index| uses_in(&self.files[index]),
            |names, (file, at)| {
                all_resolved = false;
                findings.push(unresolved_name(&file, &at, &names[0]));
            },
        );
        all_resolved.then_some(needed)
    }
}

impl Outline {
    /// The names used and not defined in the same file, with where each use is.
    pub(super) fn uses_not_defined_here(
        &self,
    ) -> impl Iterator<Item = (Vec<String>, Vec<Seg>)> + '_ {
        let defined: BTreeSet<&str> = self.defined.iter().map(|(name, _)| name.as_str()).collect();
        self.used
            .iter()
            .filter(move |(names, _)| !names.iter().any(|name| defined.contains(name.as_str())))
            .cloned()
    }
}

/// Reports each second definition of a full name in one file, at that definition, and each
/// field named like an earlier field of its record, at that field.
pub(super) fn report_redefinitions(path: &CatalogPath, outline: &Outline, findings: &mut Findings) {
    for (name, at) in &outline.duplicate_fields {
        findings.push(
            finding(
                rules::AVRO_INVALID,
                Site::value(path, at.clone()),
                format!("invalid Avro schema: the record has two fields named `{name}`"),
            )
            .with_help("rename or remove one of them"),
        );
    }
    for (name, at) in redefinitions(&outline.defined) {
        findings.push(
            finding(
                rules::AVRO_INVALID,
                Site::value(path, at.clone()),
                format!("invalid Avro schema: `{name}` is defined twice (Avro: \"Can't redefine: {name}\")"),
            )
            .with_help("a full name names one type: use the earlier definition by its name, or rename this one"),
        );
    }
}

/// Where a name is used: the file, and the path in it.
pub(super) type UseSite = (CatalogPath, Vec<Seg>);

/// The definitions (by index) a schema needs, transitively: `used` are its name uses not defined
/// in it (each a list of candidate full names, with a payload saying where); `by_name` finds a
/// definition's index; `uses_of` gives that definition's own uses. `unresolved` hears of every
/// use found nowhere.
pub fn needed_definitions<U>(
    used: Vec<(Vec<String>, U)>,
    by_name: &HashMap<String, usize>,
    uses_of: impl Fn(usize) -> Vec<(Vec<String>, U)>,
    mut unresolved: impl FnMut(Vec<String>, U),
) -> BTreeSet<usize> {
    let mut needed = BTreeSet::new();
    let mut pending = used;
    while let Some((names, payload)) = pending.pop() {
        match names.iter().find_map(|name| by_name.get(name)) {
            Some(&index) => {
                if needed.insert(index) {
                    pending.extend(uses_of(index));
                }
            }
            None => unresolved(names, payload),
        }
    }
    needed
}

/// A type name that resolves nowhere: a typo of a type keyword, or a missing named type.
pub(super) fn unresolved_name(
    path: &CatalogPath,
    use_path: &[Seg],
    name: &str,
) -> crate::findings::Finding {
    let site = Site::value(path, use_path.to_vec());
    match closest(name, &TYPE_KEYWORDS) {
        Some(keyword) => finding(
            rules::AVRO_INVALID,
            site,
            format!("`{name}` is not an Avro type"),
        )
        .with_help(format!("did you mean `{keyword}`?")),
        None => finding(
            rules::UNRESOLVED_REFERENCE,
            site,
            format!("Avro type `{name}` is not defined"),
        )
        .with_help(
            "define it in this file, or in a shared .avsc file under domains/<domain>/schemas/ \
             (use the full name, namespace included)",
        ),
    }
}

/// Every type name the Avro specification defines, for "did you mean" on typos.
pub(super) const TYPE_KEYWORDS: [&str; 13] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string", "record", "enum",
    "array", "map", "fixed",
];

/// Points at the first quoted name in an Apache Avro message, when the file has it.
pub(super) fn site_of_message(path: &CatalogPath, text: &str, message: &str) -> Site {
    let quoted = message
        .split(['"', '`', '\''])
        .skip(1)
        .step_by(2)
        .find(|token| !token.is_empty() && text.contains(&format!("\"{token}\"")));
    match quoted {
        Some(token) => {
            let offset = text.find(&format!("\"{token}\"")).unwrap_or(0);
            Site::At(path.clone(), crate::source::position_at(text, offset))
        }
        None => Site::File(path.clone()),
    }
}
