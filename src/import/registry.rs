//! A registry's subjects as catalog files. Event subjects are recognized by subject strategy
//! (`<topic>-value`/`-key`, `<record>`, `<topic>-<record>`; the most common one becomes the
//! catalog's), one event per topic (or record) with its value and key; referenced subjects
//! become shared schema files where `push` would register them under the same subject (a
//! Protobuf import's path, an Avro type's full name, a JSON Schema file's path), so a plan
//! against the same registry has nothing to write. What a registry does not know (owners,
//! summaries, producers, consumers) is the placeholder `TODO`, which lint reports (`G012`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::catalog::{CompatibilityLevel, Format, SubjectStrategy};
use crate::registry::store::RegisteredVersion;
use crate::tree::CatalogPath;

use super::{placeholder_domain, yaml_string};

pub use crate::catalog::PLACEHOLDER;

/// The domain that holds the shared schemas an import finds.
const SHARED_DOMAIN: &str = "shared";

/// Where a registry is read from and what to take.
pub struct Source<'a> {
    pub versions: &'a [RegisteredVersion],
    pub global_level: CompatibilityLevel,
    /// Each subject's own level, where it has one.
    pub levels: &'a HashMap<String, CompatibilityLevel>,
}

/// What an import produces: files by catalog path, and the problems that stop it.
#[derive(Debug, Default)]
pub struct Imported {
    pub files: BTreeMap<String, String>,
    /// Subjects, each with why it could not be imported (with the version).
    pub problems: Vec<String>,
    pub strategy: Option<SubjectStrategy>,
    pub events: usize,
    pub shared: usize,
    /// Per subject, where its schema is written and the other files that come with it (an
    /// event's manifest and domain), for `--history`, which writes each version in turn.
    pub placed: HashMap<String, Placed>,
    /// An event manifest as it reads before its key's schema file exists (without `key:`), and
    /// that file: `--history` writes it until the key's first version is committed.
    pub before_key: HashMap<String, (String, String)>,
}

#[derive(Debug, Default)]
pub struct Placed {
    pub schema: String,
    pub with: Vec<String>,
}

/// A registered version's schema as the file the import writes.
pub fn version_text(version: &RegisteredVersion) -> String {
    file_text(version)
}

/// One subject's latest version, parsed enough to place it.
struct Parsed<'v> {
    version: &'v RegisteredVersion,
    /// The fully qualified record name (Avro name, Protobuf package and first message, JSON
    /// Schema title).
    record: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Value,
    Key,
}

/// An event: its topic (or record, under the record strategy) and its subjects.
#[derive(Default)]
struct EventPlan<'v> {
    topic: Option<String>,
    value: Option<&'v Parsed<'v>>,
    key: Option<&'v Parsed<'v>>,
}

/// Plans the files for `subjects` (already filtered) of `source`.
pub fn plan(source: &Source<'_>, subjects: &BTreeSet<String>) -> Imported {
    let mut imported = Imported::default();
    let mut latest: BTreeMap<&str, &RegisteredVersion> = BTreeMap::new();
    for version in source.versions {
        latest.insert(version.subject.as_str(), version);
    }
    let by_subject_version: HashMap<(&str, u32), &RegisteredVersion> = source
        .versions
        .iter()
        .map(|version| ((version.subject.as_str(), version.version), version))
        .collect();
    // Referenced versions, transitively: they become shared files.
    let mut shared: BTreeMap<String, (&RegisteredVersion, String)> = BTreeMap::new();
    let mut stack: Vec<&RegisteredVersion> = subjects
        .iter()
        .filter_map(|subject| latest.get(subject.as_str()).copied())
        .collect();
    let mut seen = BTreeSet::new();
    while let Some(version) = stack.pop() {
        if !seen.insert((version.subject.clone(), version.version)) {
            continue;
        }
        for reference in &version.schema.references {
            match by_subject_version.get(&(reference.subject.as_str(), reference.version)) {
                Some(target) => {
                    shared
                        .entry(target.subject.clone())
                        .or_insert((target, reference.name.clone()));
                    stack.push(target);
                }
                None => imported.problems.push(format!(
                    "{} version {}: reference `{}` names subject {} version {}, which the \
                     registry does not have",
                    version.subject,
                    version.version,
                    reference.name,
                    reference.subject,
                    reference.version
                )),
            }
        }
    }
    if let Some(cycle) = reference_cycle(source.versions, &by_subject_version) {
        imported
            .problems
            .push(format!("references form a cycle: {}", cycle.join(" → ")));
        return imported;
    }
    let parsed: Vec<Parsed<'_>> = subjects
        .iter()
        .filter(|subject| !shared.contains_key(*subject))
        .filter_map(|subject| latest.get(subject.as_str()).copied())
        .filter_map(|version| match parse(version) {
            Ok(record) => Some(Parsed { version, record }),
            Err(problem) => {
                imported.problems.push(problem);
                None
            }
        })
        .collect();
    let strategy = choose_strategy(&parsed);
    imported.strategy = Some(strategy);
    let events = group_events(&parsed, strategy, &mut imported.problems);
    let mut writer = Writer {
        source,
        imported: &mut imported,
        event_dirs: BTreeSet::new(),
        domains: BTreeSet::new(),
    };
    for event in &events {
        writer.event(event);
    }
    for (subject, (version, name)) in &shared {
        writer.shared(subject, version, name);
    }
    writer.settings_and_domains();
    imported
}

/// Parses a subject's latest schema enough to know its record name; a schema that does not
/// parse is a problem naming the subject and version.
fn parse(version: &RegisteredVersion) -> Result<Option<String>, String> {
    let at = format!("{} version {}", version.subject, version.version);
    let text = &version.schema.schema;
    match version.schema.schema_type {
        Format::Avro => {
            let value: Value = serde_json::from_str(text)
                .map_err(|error| format!("{at}: the Avro schema is not JSON: {error}"))?;
            Ok(crate::formats::avro::names_of(&value).0.into_iter().next())
        }
        Format::Json => {
            let value: Value = serde_json::from_str(text)
                .map_err(|error| format!("{at}: the JSON Schema is not JSON: {error}"))?;
            Ok(value
                .get("title")
                .and_then(Value::as_str)
                .map(str::to_string))
        }
        Format::Protobuf => {
            let file = protox_parse::parse("schema.proto", text)
                .map_err(|error| format!("{at}: the Protobuf schema does not parse: {error}"))?;
            let message = file
                .message_type
                .first()
                .and_then(|message| message.name.clone());
            Ok(message.map(|message| match file.package.as_deref() {
                Some(package) if !package.is_empty() => format!("{package}.{message}"),
                _ => message,
            }))
        }
    }
}

/// A subject's strategy, when its name says it: the topic strategy's suffixes, else the record
/// name alone or after a topic.
fn strategy_of(parsed: &Parsed<'_>) -> Option<SubjectStrategy> {
    let subject = &parsed.version.subject;
    if let Some(record) = &parsed.record {
        if subject == record {
            return Some(SubjectStrategy::Record);
        }
        if subject.ends_with(&format!("-{record}")) {
            return Some(SubjectStrategy::TopicRecord);
        }
    }
    (subject.ends_with("-value") || subject.ends_with("-key")).then_some(SubjectStrategy::Topic)
}

fn choose_strategy(parsed: &[Parsed<'_>]) -> SubjectStrategy {
    let mut counts: BTreeMap<&str, (usize, SubjectStrategy)> = BTreeMap::new();
    for strategy in parsed.iter().filter_map(strategy_of) {
        counts.entry(strategy.as_str()).or_insert((0, strategy)).0 += 1;
    }
    counts
        .values()
        .max_by_key(|(count, _)| *count)
        .map(|(_, strategy)| *strategy)
        .unwrap_or(SubjectStrategy::Topic)
}

fn group_events<'v>(
    parsed: &'v [Parsed<'v>],
    strategy: SubjectStrategy,
    problems: &mut Vec<String>,
) -> Vec<EventPlan<'v>> {
    let mut events: BTreeMap<String, EventPlan<'v>> = BTreeMap::new();
    for subject in parsed {
        let name = &subject.version.subject;
        let placed = match (strategy_of(subject), strategy) {
            (Some(SubjectStrategy::Topic), SubjectStrategy::Topic) => {
                let (topic, role) = match name.strip_suffix("-value") {
                    Some(topic) => (topic, Role::Value),
                    None => (name.strip_suffix("-key").unwrap_or(name), Role::Key),
                };
                Some((topic.to_string(), Some(topic.to_string()), role))
            }
            (Some(SubjectStrategy::Record), SubjectStrategy::Record) => {
                Some((name.clone(), None, Role::Value))
            }
            (Some(SubjectStrategy::TopicRecord), SubjectStrategy::TopicRecord) => {
                let record = subject.record.as_deref().unwrap_or_default();
                let topic = name.strip_suffix(&format!("-{record}")).unwrap_or(name);
                Some((name.clone(), Some(topic.to_string()), Role::Value))
            }
            _ => None,
        };
        let Some((key, topic, role)) = placed else {
            problems.push(format!(
                "{name} version {}: the subject's name does not follow the catalog's subject \
                 strategy ({}); import it into a catalog of its own",
                subject.version.version,
                strategy.as_str()
            ));
            continue;
        };
        let event = events.entry(key).or_default();
        event.topic = topic;
        match role {
            Role::Value => event.value = Some(subject),
            Role::Key => event.key = Some(subject),
        }
    }
    events
        .into_values()
        .filter(|event| {
            if event.value.is_none() {
                if let Some(key) = event.key {
                    problems.push(format!(
                        "{} version {}: a key subject without its value subject",
                        key.version.subject, key.version.version
                    ));
                }
            }
            event.value.is_some()
        })
        .collect()
}

/// A cycle among the registry's references, as subjects, if any.
fn reference_cycle(
    versions: &[RegisteredVersion],
    by_subject_version: &HashMap<(&str, u32), &RegisteredVersion>,
) -> Option<Vec<String>> {
    // Depth-first with colours: 1 on the path, 2 done.
    let mut colour: HashMap<(&str, u32), u8> = HashMap::new();
    fn visit<'v>(
        version: &'v RegisteredVersion,
        by: &HashMap<(&str, u32), &'v RegisteredVersion>,
        colour: &mut HashMap<(&'v str, u32), u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        let key = (version.subject.as_str(), version.version);
        match colour.get(&key) {
            Some(2) => return None,
            Some(_) => {
                path.push(version.subject.clone());
                return Some(path.clone());
            }
            None => {}
        }
        colour.insert(key, 1);
        path.push(version.subject.clone());
        for reference in &version.schema.references {
            if let Some(target) = by.get(&(reference.subject.as_str(), reference.version)) {
                if let Some(cycle) = visit(target, by, colour, path) {
                    return Some(cycle);
                }
            }
        }
        path.pop();
        colour.insert(key, 2);
        None
    }
    versions
        .iter()
        .find_map(|version| visit(version, by_subject_version, &mut colour, &mut Vec::new()))
}

/// Writes the planned events and shared files into `imported.files`.
struct Writer<'s, 'i> {
    source: &'s Source<'s>,
    imported: &'i mut Imported,
    /// Event folders taken, by domain and name.
    event_dirs: BTreeSet<(String, String)>,
    domains: BTreeSet<String>,
}

/// A schema's text as a file: Avro and JSON Schema pretty-printed (the registry compares them
/// as parsed JSON), Protobuf exactly as registered (compared as written).
fn file_text(version: &RegisteredVersion) -> String {
    match version.schema.schema_type {
        Format::Protobuf => version.schema.schema.clone(),
        Format::Avro | Format::Json => serde_json::from_str::<Value>(&version.schema.schema)
            .ok()
            .and_then(|value| serde_json::to_string_pretty(&value).ok())
            .map(|text| text + "\n")
            .unwrap_or_else(|| version.schema.schema.clone()),
    }
}

impl Writer<'_, '_> {
    fn event(&mut self, event: &EventPlan<'_>) {
        let Some(value) = event.value else {
            return;
        };
        let format = value.version.schema.schema_type;
        let topic = event.topic.clone();
        let domain = topic
            .as_deref()
            .and_then(|topic| topic.split_once('.'))
            .map(|(domain, _)| domain_name(domain))
            .filter(|domain| !domain.is_empty())
            .unwrap_or_else(|| "imported".to_string());
        let base = value
            .record
            .as_deref()
            .and_then(|record| record.rsplit('.').next())
            .map(pascal_case)
            .filter(|name| !name.is_empty())
            .or_else(|| topic.as_deref().map(pascal_case))
            .unwrap_or_else(|| "Imported".to_string());
        let mut name = base.clone();
        let mut counter = 2;
        while !self.event_dirs.insert((domain.clone(), name.clone())) {
            name = format!("{base}{counter}");
            counter += 1;
        }
        self.domains.insert(domain.clone());
        let dir = format!("domains/{domain}/events/{name}");
        let ext = format.extension();
        let mut yaml = format!(
            "# Imported from the registry: fill in each {PLACEHOLDER} (`evcat lint` lists them).\n\
             name: {name}\nsummary: {PLACEHOLDER}\nstatus: approved\nformat: {format}\n\
             schema: schema.{ext}\n"
        );
        let manifest = format!("{dir}/event.yaml");
        let domain_file = format!("domains/{domain}/domain.yaml");
        // The manifest without `key:`, grown alongside for `--history` (see `before_key`).
        let mut without_key = yaml.clone();
        let mut key_file = None;
        if let Some(key) = event.key {
            yaml.push_str(&format!("key: {{ schema: key.{ext} }}\n"));
            let path = format!("{dir}/key.{ext}");
            key_file = Some(path.clone());
            self.imported
                .files
                .insert(path.clone(), file_text(key.version));
            self.place(key, path, vec![manifest.clone(), domain_file.clone()]);
        }
        let mut rest = String::new();
        if let Some(topic) = &topic {
            rest.push_str(&format!("topics: [{}]\n", yaml_string(topic)));
        }
        if let Some(level) = self.level_of(event) {
            rest.push_str(&format!("compatibility: {}\n", level.as_str()));
        }
        rest.push_str(&format!(
            "producers: [{PLACEHOLDER}]\nconsumers: [{PLACEHOLDER}]\n"
        ));
        yaml.push_str(&rest);
        without_key.push_str(&rest);
        if let Some(key_file) = key_file {
            self.imported
                .before_key
                .insert(manifest.clone(), (without_key, key_file));
        }
        let path = format!("{dir}/schema.{ext}");
        self.imported
            .files
            .insert(path.clone(), file_text(value.version));
        self.place(value, path, vec![manifest.clone(), domain_file]);
        self.imported.files.insert(manifest, yaml);
        self.imported.events += 1;
    }

    fn place(&mut self, parsed: &Parsed<'_>, schema: String, with: Vec<String>) {
        self.imported
            .placed
            .insert(parsed.version.subject.clone(), Placed { schema, with });
    }

    /// The event's own level, when the registry gives its value subject one other than the
    /// registry-wide level (a key subject with yet another level is a problem).
    fn level_of(&mut self, event: &EventPlan<'_>) -> Option<CompatibilityLevel> {
        let own = |parsed: Option<&Parsed<'_>>| {
            parsed.and_then(|parsed| self.source.levels.get(&parsed.version.subject).copied())
        };
        let value = own(event.value).unwrap_or(self.source.global_level);
        if let Some(key) = event.key {
            let key_level = own(Some(key)).unwrap_or(self.source.global_level);
            if key_level != value {
                self.imported.problems.push(format!(
                    "{}: its level {} differs from its value subject's {}; an event has one level",
                    key.version.subject,
                    key_level.as_str(),
                    value.as_str()
                ));
            }
        }
        (value != self.source.global_level).then_some(value)
    }

    /// A referenced subject as a shared file, where `push` registers it under the same subject.
    fn shared(&mut self, subject: &str, version: &RegisteredVersion, reference: &str) {
        let at = format!("{subject} version {}", version.version);
        let path = match version.schema.schema_type {
            Format::Protobuf if subject == reference => {
                Some(format!("domains/{SHARED_DOMAIN}/schemas/{reference}"))
            }
            Format::Avro => {
                let top = parse(version).ok().flatten();
                (top.as_deref() == Some(subject))
                    .then(|| format!("domains/{SHARED_DOMAIN}/schemas/{subject}.avsc"))
            }
            // A `$ref` is written relative to the event's folder, into a domain's shared
            // folder: `../../../<domain>/schemas/<subject>`.
            Format::Json => reference
                .strip_prefix("../../../")
                .and_then(|rest| rest.split_once('/'))
                .filter(|(domain, rest)| {
                    !domain.is_empty() && *rest == format!("schemas/{subject}")
                })
                .map(|(domain, rest)| format!("domains/{domain}/{rest}")),
            Format::Protobuf => None,
        };
        let Some(path) = path.filter(|path| CatalogPath::parse(path).is_ok()) else {
            self.imported.problems.push(format!(
                "{at}: referenced as `{reference}`, which a catalog cannot register under subject \
                 {subject} (a Protobuf import's subject is its path, an Avro type's its full name, \
                 a JSON Schema file's its path under domains/<domain>/schemas/)"
            ));
            return;
        };
        // domains/<domain>/schemas/...: the domain the file is in.
        let domain = path.split('/').nth(1).unwrap_or(SHARED_DOMAIN).to_string();
        self.domains.insert(domain.clone());
        self.imported.placed.insert(
            subject.to_string(),
            Placed {
                schema: path.clone(),
                with: vec![format!("domains/{domain}/domain.yaml")],
            },
        );
        self.imported.files.insert(path, file_text(version));
        self.imported.shared += 1;
    }

    fn settings_and_domains(&mut self) {
        for domain in &self.domains {
            self.imported.files.insert(
                format!("domains/{domain}/domain.yaml"),
                placeholder_domain("the registry"),
            );
        }
    }
}

/// A domain folder name from a topic's first segment: lower case letters, digits and dashes.
pub(super) fn domain_name(segment: &str) -> String {
    let name: String = segment
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() {
                ch.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    name.trim_matches('-').to_string()
}

/// `order-placed.v1` → `OrderPlacedV1`; a name that does not start with a letter gets `E`.
pub(super) fn pascal_case(text: &str) -> String {
    let mut name = String::new();
    for word in text.split(|ch: char| !ch.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.extend(chars);
        }
    }
    if name
        .chars()
        .next()
        .is_some_and(|first| !first.is_ascii_alphabetic())
    {
        name.insert(0, 'E');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_topics_and_records() {
        assert_eq!(pascal_case("order-placed.v1"), "OrderPlacedV1");
        assert_eq!(pascal_case("OrderPlaced"), "OrderPlaced");
        assert_eq!(pascal_case("1st"), "E1st");
        assert_eq!(domain_name("Orders_EU"), "orders-eu");
    }
}
