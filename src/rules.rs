//! Every rule evcat knows, as data: a stable id, a name, a default severity, a one-line message and
//! the documentation of why it matters and how to fix it. Checks refer to rules through the
//! constants below; users configure them by id or by name in `evcat.yaml`.
//!
//! Ids are forever: a rule may be retired, never renumbered. Families:
//! `Y` structure, `R` references, `S` schemas, `X` examples, `N` naming, `G` governance,
//! `V` the shared vocabulary, `C` compatibility with earlier versions (`evcat check`), `P` push
//! failures, `D` drift between an environment's registry and the catalog (`evcat drift`).

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Off,
    #[serde(rename = "warning")]
    Warn,
    Error,
}

impl Severity {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "error" => Some(Severity::Error),
            "warn" | "warning" => Some(Severity::Warn),
            "off" => Some(Severity::Off),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warn => "warning",
            Severity::Off => "off",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub default_severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// Why it matters and how to fix it; mentions the rule's options, if any.
    pub doc: &'static str,
}

macro_rules! rules {
    ($($konst:ident = $id:literal $name:literal $severity:ident, $summary:literal, $doc:literal;)*) => {
        $(pub const $konst: &Rule = &Rule {
            id: $id,
            name: $name,
            default_severity: Severity::$severity,
            summary: $summary,
            doc: $doc,
        };)*
        /// All rules, by family, in id order within each.
        pub const ALL: &[&Rule] = &[$($konst),*];
    };
}

rules! {
    YAML_SYNTAX = "Y001" "structure.syntax" Error,
        "file is not valid YAML or JSON",
        "evcat cannot read a file it cannot parse, so nothing in it is checked. Fix the syntax at the \
         reported line: indentation, an unclosed quote or bracket, a tab used for indentation, a duplicate key.";
    UNKNOWN_KEY = "Y002" "structure.unknown-key" Error,
        "key is not part of the catalog format",
        "Unknown keys are usually typos (`consumer:` for `consumers:`) that silently drop information. \
         Rename the key to one the format defines (see `schemas/` or the catalog format reference), or \
         remove it. Free-form data belongs under `tags`.";
    MISSING_KEY = "Y003" "structure.missing-key" Error,
        "a required key is missing",
        "Every catalog file has keys without which evcat cannot reason about it (an event's `name`, \
         `format` and `schema`, for instance). Add the key named in the message.";
    WRONG_TYPE = "Y004" "structure.wrong-type" Error,
        "value has the wrong type",
        "The value is, say, a string where a list is expected. YAML guesses types: quote strings that \
         look like numbers or booleans, and write lists as `[a, b]` or one `- item` a line.";
    INVALID_VALUE = "Y005" "structure.invalid-value" Error,
        "value is not one of the allowed values or forms",
        "The key takes only certain values (a status of draft, approved or deprecated, a known \
         compatibility level, a well-formed URL). Use one of the values the message lists.";
    EMPTY_FILE = "Y006" "structure.empty-file" Error,
        "file is empty",
        "An empty catalog file declares nothing and hides the fact that something is missing. Fill it \
         in (`evcat init` shows a complete example) or delete it.";
    ENCODING = "Y007" "structure.encoding" Error,
        "file is not valid UTF-8",
        "Catalog files, schemas and examples must be UTF-8 text. Re-save the file as UTF-8 (without a \
         byte-order mark in JSON).";
    FILE_TOO_LARGE = "Y008" "structure.file-too-large" Error,
        "file is larger than evcat reads",
        "Catalog files are small: evcat refuses files over 2 MiB rather than spend time and memory on \
         what is almost always an accident (a data dump, a generated file). Keep large samples out of \
         the catalog.";
    MISSING_MANIFEST = "Y009" "structure.missing-manifest" Error,
        "a catalog folder lacks its manifest file",
        "Each `domains/<domain>/` folder needs a `domain.yaml`, and each \
         `domains/<domain>/events/<Event>/` folder an `event.yaml`; without it the folder's contents \
         are invisible to evcat. Add the manifest or remove the folder.";
    LITERAL_SECRET = "Y010" "structure.literal-secret" Error,
        "a secret is written in the catalog",
        "The catalog lives in Git, where every clone and every past commit keeps what is written in \
         it; a password or token there is leaked for good. Name where the secret comes from instead: \
         `password_env` / `bearer_env` (an environment variable) or `password_file` / `bearer_file` \
         (a file outside the repository). Then rotate the secret that was committed.";
    UNKNOWN_TEAM = "R001" "references.unknown-team" Error,
        "owner is not a team declared in evcat.yaml",
        "Ownership is only useful when it leads to people. Declare the team under `teams:` in \
         evcat.yaml (with a contact), or correct the owner's spelling.";
    UNKNOWN_SERVICE = "R002" "references.unknown-service" Error,
        "producer or consumer is not a declared service",
        "Lineage (who produces and who consumes an event) is only trustworthy when every service is \
         declared. Add `domains/<domain>/services/<name>.yaml` or correct the name.";
    MISSING_FILE = "R003" "references.missing-file" Error,
        "referenced file does not exist",
        "The schema or example file named here is not in the catalog. Paths are relative to the file \
         that names them; fix the path or add the file.";
    PATH_ESCAPE = "R004" "references.path-escape" Error,
        "path points outside the catalog",
        "A catalog must be self-contained so that every commit of it can be checked on its own. Paths \
         may not be absolute, climb above the catalog root with `..`, or pass through a symlink that \
         leads out of it. Copy the file into the catalog (shared types go in `domains/<domain>/schemas/`).";
    DUPLICATE_NAME = "R005" "references.duplicate-name" Error,
        "two catalog entries share a name",
        "Services are referenced by name across domains, and events by domain and name, so names must \
         be unique. Rename one of them.";
    AVRO_INVALID = "S001" "schemas.avro-invalid" Error,
        "Avro schema does not parse",
        "Producers and consumers cannot agree on a schema that Avro itself rejects. The message is \
         Apache Avro's; see the Avro specification for the type named.";
    PROTOBUF_INVALID = "S002" "schemas.protobuf-invalid" Error,
        "Protobuf schema does not compile",
        "The file must compile as protoc would compile it. Imports resolve against the event's folder, \
         every `domains/<domain>/schemas/` folder and the catalog root, plus the well-known \
         `google/protobuf/*.proto` files.";
    JSON_SCHEMA_INVALID = "S003" "schemas.json-schema-invalid" Error,
        "JSON Schema is not valid for its draft",
        "The schema must be valid against the meta-schema of its `$schema` draft (draft-07 when none is \
         given, as in Confluent Schema Registry). Supported: draft-04, -06, -07, 2019-09 and 2020-12.";
    UNRESOLVED_REFERENCE = "S004" "schemas.unresolved-reference" Error,
        "schema reference does not resolve",
        "A Protobuf import, a JSON Schema `$ref` or an Avro named type points at something the catalog \
         does not have. Shared types live in `domains/<domain>/schemas/`; check the path or the full \
         name (namespace included).";
    MESSAGE_NOT_FOUND = "S005" "schemas.message-not-found" Error,
        "named Protobuf message is not in the schema",
        "`message:` in event.yaml names the message that is the event's payload; it must be a fully \
         qualified message defined in the schema file (e.g. `acme.payments.v1.PaymentAuthorized`).";
    SCHEMA_EXTENSION = "S006" "schemas.file-extension" Warn,
        "schema file extension does not match the event's format",
        "Editors and registries choose a parser by extension: Avro is `.avsc`, Protobuf `.proto`, JSON \
         Schema `.json`. Rename the file or correct `format:`.";
    EXAMPLE_NOT_JSON = "X001" "examples.syntax" Error,
        "example payload is not valid JSON",
        "Example payloads document the event and are checked against its schema, so they must be JSON \
         (Avro's JSON encoding, Protobuf's JSON mapping, or plain JSON for JSON Schema).";
    EXAMPLE_MISMATCH = "X002" "examples.schema-mismatch" Error,
        "example payload does not match the event's schema",
        "An example that its own schema rejects misleads every reader. Fix the example, or the schema \
         if the example shows what producers really send. Avro examples use Avro's JSON encoding \
         (a union value is written as `{\"type\": value}`).";
    NAMING_TOPIC = "N001" "naming.topic" Error,
        "topic name does not follow the catalog's pattern",
        "Consistent topic names make ownership and purpose visible in every tool. Option `pattern`: a \
         regular expression where `{domain}` stands for the event's domain; default \
         `^{domain}\\.[a-z0-9-]+\\.v[0-9]+$` (e.g. `payments.payment-authorized.v1`).";
    NAMING_EVENT = "N002" "naming.event" Error,
        "event name is not PascalCase",
        "Event names read as facts in the past tense, in PascalCase: `PaymentAuthorized`. Option \
         `pattern` overrides the default `^[A-Z][A-Za-z0-9]*$`.";
    NAMING_SERVICE = "N003" "naming.service" Error,
        "service name is not kebab-case",
        "Service names match how services are deployed and discovered: `payment-gateway`. Option \
         `pattern` overrides the default `^[a-z][a-z0-9]*(-[a-z0-9]+)*$`.";
    NAMING_FIELD = "N004" "naming.field" Warn,
        "field name does not follow the format's case convention",
        "One case per format keeps generated code idiomatic. Options `avro`, `protobuf`, `json`: one of \
         camelCase, snake_case, PascalCase, kebab-case or any; defaults camelCase, snake_case, camelCase.";
    NAMING_NAMESPACE = "N005" "naming.namespace" Warn,
        "Avro namespace or Protobuf package is not tied to the domain",
        "The namespace (Avro) or package (Protobuf) tells generated code and registries which domain owns \
         a type. Option `pattern`: a regular expression where `{domain}` is the domain with `-` written \
         as `_`; default `(^|\\.){domain}(\\.|$)`, i.e. the domain is one segment of the namespace.";
    OWNER_REQUIRED = "G001" "governance.owner-required" Error,
        "event has no owner",
        "Every data product has an owner. Set `owner:` on the event, or on its domain in domain.yaml \
         (events inherit it).";
    SUMMARY_REQUIRED = "G002" "governance.summary-required" Error,
        "event has no summary",
        "A one-line `summary:` is what people see when they search the catalog. Say what happened, in \
         business terms.";
    APPROVED_NEEDS_PRODUCER = "G003" "governance.approved-needs-producer" Error,
        "approved event has no producer",
        "An approved contract with nobody producing it is either wrong or dead. List its `producers:`, \
         or keep the event in draft.";
    TOPIC_SINGLE_EVENT = "G004" "governance.topic-single-event" Error,
        "a topic carries more than one event",
        "With one event per topic, consumers know what they read and the registry subject (`<topic>-value`) \
         has one schema history. Give each event its own topic.";
    SUBJECT_COLLISION = "G005" "governance.subject-collision" Error,
        "two events map to the same registry subject",
        "Under the catalog's subject strategy these events would share one subject, so the registry would \
         check one against the other. Change a topic or a record name, or the subject strategy.";
    DEPRECATED_WITH_CONSUMERS = "G006" "governance.deprecated-consumers" Warn,
        "deprecated event still has consumers",
        "A deprecated event is on its way out; the consumers listed still read it. Move them to the \
         replacement, then remove them from `consumers:`.";
    CLASSIFICATION_TOO_WEAK = "G007" "governance.classification" Error,
        "event is classified less strictly than one of its fields",
        "An event's `classification` governs who may read the stream, so it must be at least as strict \
         as its most sensitive field: an event with a PII field cannot be `public`. A field is as \
         sensitive as its vocabulary term's `classification` and its tags' (`vocabulary.yaml`'s `tags:`; \
         by default `PII` is confidential). An event without `classification` counts as `internal`. Raise \
         the event's classification, or drop the field.";
    SUNSET_PASSED = "G008" "governance.sunset-passed" Error,
        "deprecated event is past its sunset date and still has consumers",
        "After `deprecation.sunset` the producer may stop publishing the event; every consumer still \
         listed will break. Move the consumers to `deprecation.replacement` and remove them from \
         `consumers:`, or agree a later sunset.";
    SUNSET_NEAR = "G009" "governance.sunset-near" Warn,
        "deprecated event's sunset date is near and it still has consumers",
        "The consumers (and their teams) listed have until `deprecation.sunset` to move to the \
         replacement. Option `days` (default 30) sets how far ahead to warn.";
    REPLACEMENT_INVALID = "G010" "governance.replacement" Error,
        "deprecation replacement is missing, not approved, or a cycle",
        "`deprecation.replacement` names the event consumers move to (`Name` or `domain/Name`). It must \
         exist, be approved (consumers cannot move to a draft), and not lead back to the deprecated event.";
    DEPRECATION_REQUIRED = "G011" "governance.deprecation-required" Warn,
        "deprecated event has no deprecation block",
        "A deprecated event tells its consumers when it goes and what replaces it: add `deprecation:` with \
         `since`, `sunset` (dates, YYYY-MM-DD) and `replacement`.";
    PLACEHOLDER = "G012" "governance.placeholder" Warn,
        "a value is still the placeholder TODO",
        "`evcat import` writes `TODO` where a registry or an AsyncAPI file does not know the answer: an \
         owner, a summary, producers, consumers. Fill each in (declare the teams and services it \
         names), so that the catalog says who owns and uses the event.";
    VOCABULARY_NAME = "V001" "vocabulary.non-standard-name" Error,
        "field uses a non-standard name of a vocabulary term",
        "The catalog's `vocabulary.yaml` names the common attributes every domain shares (a customer ID \
         means the same everywhere). This field uses one of a term's aliases (`cust_id` for `customer_id`); \
         names are compared ignoring case and separators. Rename the field to the name in the message, \
         which is the term's canonical name in this format's field case (`naming.field`). Renaming a field \
         is itself a schema change: for a published event add the new field and deprecate the old one.";
    VOCABULARY_TYPE = "V002" "vocabulary.type-mismatch" Error,
        "field has a vocabulary term's name but another type",
        "A field named as a vocabulary term must have the term's type in its format (`types:` in \
         `vocabulary.yaml`; nullability aside), so that consumers joining streams of different domains \
         read the same thing. Change the field's type, or give a different attribute a different name.";
    VOCABULARY_DEFINITION = "V003" "vocabulary.definition" Error,
        "vocabulary term is ambiguous or names an unknown type",
        "Each name in `vocabulary.yaml` (a canonical name or an alias, ignoring case and separators) may \
         belong to one term only, an alias may not be its own term's name, and each type must be one the \
         format has: Avro a primitive, a logical type or a full name; Protobuf a scalar or a full name; \
         JSON Schema a type, optionally with a format as `string (date-time)`.";
    VOCABULARY_UNTAGGED = "V004" "vocabulary.untagged-field" Warn,
        "field of a classified vocabulary term carries no tag",
        "Data contracts mark sensitive fields with tags (Confluent's `confluent:tags`), so that tools \
         downstream (masking, encryption rules, access policies) find them. A term's `tags` (or, for a \
         term classified confidential or restricted that names none, any tag) must be on every field \
         that carries the term: Avro field property and JSON Schema keyword `\"confluent:tags\": [\"PII\"]`, \
         Protobuf field option `[(confluent.field_meta).tags = \"PII\"]` with `import \"confluent/meta.proto\"`.";
    BREAKING_CHANGE = "C001" "compat.breaking-change" Error,
        "schema change breaks compatibility with an earlier version",
        "The registry will reject this schema under the event's compatibility level, and consumers reading \
         with the old schema (or producers still writing it) would break. Make the change compatible (add \
         fields with defaults, keep types), or publish a new event version on a new topic.";
    EVENT_REMOVED = "C002" "compat.event-removed" Error,
        "event removed while it still has consumers",
        "Consumers of the removed event lose their contract. Deprecate the event first, move its consumers \
         off it, and remove it once `consumers:` is empty.";
    TOPIC_REMOVED = "C003" "compat.topic-removed" Error,
        "topic dropped while the event has consumers",
        "Consumers subscribed to the dropped topic stop receiving the event. Keep the topic until its \
         consumers have moved.";
    FORMAT_CHANGED = "C004" "compat.format-changed" Error,
        "schema format changed",
        "A registry subject holds one format; consumers decode with the old format's deserializer. Publish \
         the new format as a new event on a new topic instead.";
    LEVEL_LOOSENED = "C005" "compat.level-loosened" Error,
        "compatibility level loosened",
        "A weaker level lets through changes that consumers relied on being rejected (dropping FULL, \
         FORWARD or a _TRANSITIVE guarantee). Keep the level, or agree on it with the consumers first.";
    STATUS_REGRESSED = "C006" "compat.status-regressed" Error,
        "approved event set back to draft",
        "Approval is a promise to consumers; a draft can change without notice. Deprecate the event and \
         approve a successor instead.";
    UNCHECKED_CHANGE = "C007" "compat.unchecked" Error,
        "a changed schema could not be checked",
        "evcat could not read or parse this schema (or its earlier version, or a file it refers to), so \
         it cannot say whether the change is compatible, and a gate that cannot check does not pass. \
         The message says what failed; `evcat lint` shows the same problem in detail. Fix the schema, \
         or the reference it cannot resolve.";
    INCOMPLETE_HISTORY = "C008" "compat.incomplete-history" Warn,
        "earlier versions could not all be read from Git history",
        "A `_TRANSITIVE` level checks every earlier version, but the history walk stopped early (a \
         shallow clone) or found an earlier version it cannot parse, so some versions were not checked. \
         Fetch the whole history (`git fetch --unshallow`, or `fetch-depth: 0` on actions/checkout). \
         With `--deny-warnings` this fails the check.";
    PUSH_INCOMPATIBLE = "P001" "push.incompatible" Error,
        "the registry rejects the schema as incompatible",
        "The target registry's own compatibility check refused this version under the subject's level; \
         nothing was written to that environment. Its messages say what breaks. Make the change \
         compatible, or publish it as a new event on a new topic. `evcat check` finds this before a push.";
    PUSH_ORDER = "P002" "push.order" Error,
        "the environment before does not hold this schema yet",
        "Schemas are promoted in order (the `environments:` list in evcat.yaml): an environment only \
         receives what the one before it already holds. Push the earlier environment first, or use \
         `evcat push --through ENV`.";
    PUSH_GATE = "P003" "push.gate" Error,
        "an environment's gate keeps this push out",
        "The environment's `require.branch` accepts only commits on that branch (its tip or an ancestor). \
         Merge the change, or push from that branch.";
    PUSH_REGISTRY_ERROR = "P004" "push.registry-error" Error,
        "the registry answered with an error",
        "The registry could not be reached, refused the credentials, or failed a request (the message has \
         its error code: 401/403 credentials, 42205 read-only, 5xxxx the registry itself). Nothing past \
         this point was written; fix the cause and push again: a push resumes where it stopped.";
    DRIFT_UNMANAGED = "D001" "drift.unmanaged-subject" Error,
        "the registry has a subject the catalog does not manage",
        "Every subject of an environment should come from the catalog, so that its schema is reviewed \
         and checked in a pull request. Add the event to the catalog (`evcat import registry` writes it \
         from the registry), or delete the subject from the registry.";
    DRIFT_OUT_OF_BAND = "D002" "drift.out-of-band-version" Error,
        "a version was registered after the catalog's, outside the catalog",
        "The subject's latest version is not the catalog's schema, which is an earlier version: someone \
         registered a schema by hand or from another tool. Bring that change into the catalog (and \
         through review), or delete the version from the registry.";
    DRIFT_LEVEL = "D003" "drift.level-changed" Error,
        "the subject's compatibility level is not the catalog's",
        "The level decides what the registry lets through; it was changed by hand in the registry. \
         `evcat push --verify-levels` sets it back to the catalog's, or change the catalog's level.";
    DRIFT_MISSING = "D004" "drift.missing-subject" Error,
        "an approved event's subject is missing from the registry",
        "The catalog says the event is approved for this environment, but its subject is not there \
         (never pushed, or deleted by hand): producers cannot serialize it. Run `evcat push`.";
    DRIFT_PENDING = "D005" "drift.pending-change" Warn,
        "the catalog has a schema the registry does not have yet",
        "The catalog's schema for the subject is not registered yet: a change merged but not pushed \
         (or a draft event). `evcat push` registers it.";
}

/// Looks a rule up by its id (`N001`) or its name (`naming.topic`).
pub fn find(key: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|rule| rule.id.eq_ignore_ascii_case(key) || rule.name == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for rule in ALL {
            assert!(ids.insert(rule.id), "duplicate id {}", rule.id);
            assert!(names.insert(rule.name), "duplicate name {}", rule.name);
            assert_eq!(rule.id.len(), 4);
            assert!(rule.name.contains('.'));
            assert!(!rule.summary.ends_with('.'));
            assert!(rule.doc.ends_with('.') || rule.doc.ends_with(')'));
        }
    }

    #[test]
    fn finds_by_id_or_name() {
        assert_eq!(find("N001"), Some(NAMING_TOPIC));
        assert_eq!(find("n001"), Some(NAMING_TOPIC));
        assert_eq!(find("naming.topic"), Some(NAMING_TOPIC));
        assert_eq!(find("naming.nope"), None);
    }
}
