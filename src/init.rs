//! `evcat init`: a new catalog that lints clean and explains itself in comments: evcat.yaml, one
//! domain, one service, one event with an Avro schema and an example.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InitError {
    #[error("{0} already exists")]
    #[diagnostic(
        code(evcat::init::exists),
        help("evcat init never overwrites: pick an empty folder, e.g. `evcat init my-catalog`")
    )]
    Exists(String),
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(evcat::io))]
    Write {
        path: String,
        source: std::io::Error,
    },
}

const FILES: &[(&str, &str)] = &[
    (
        "evcat.yaml",
        r#"# The catalog's settings. `evcat lint` checks the whole folder; `evcat rules` lists every rule.
catalog: my-catalog
description: The events my teams publish and consume.

# Teams own domains, services and events; each needs a way to reach it.
teams:
  example-team: { name: Example team, email: example-team@example.com }

# Schema Registry environments, in promotion order: `evcat push --through prod` pushes the first,
# then the next. `embedded:` keeps a registry in a folder (no server needed). For a real registry:
#   registry:
#     url: https://sr.example.com
#     auth: { basic: { username_env: SR_USER, password_env: SR_PASS } }   # never the secret itself
# `require: { status: approved, branch: main }` keeps drafts and other branches out.
environments:
  - name: dev
    registry: { embedded: .registries/dev }

defaults:
  compatibility: BACKWARD   # NONE, BACKWARD, FORWARD, FULL, or one of them with _TRANSITIVE
  subject_strategy: topic   # topic: <topic>-value; record: <record name>; topic_record: both

# Rules by id or name: a severity (error, warn, off) or options, e.g.
#   naming.topic: { pattern: '^{domain}\.[a-z0-9-]+\.v[0-9]+$', severity: error }
#   governance.deprecated-consumers: warn
rules: {}
"#,
    ),
    (
        ".gitignore",
        "# Embedded registries (see `environments:` in evcat.yaml).\n.registries/\n",
    ),
    (
        "domains/example/domain.yaml",
        r#"# A domain: a business area that owns its events. The folder's name is the domain's name.
owner: example-team
summary: An example domain; rename the folder and describe your own.
tags: [example]
"#,
    ),
    (
        "domains/example/services/example-service.yaml",
        r#"# A service that produces or consumes events; events name it (by this file's name) in
# `producers:` and `consumers:`. The owner defaults to the domain's.
owner: example-team
summary: Publishes ExampleHappened.
"#,
    ),
    (
        "domains/example/events/ExampleHappened/event.yaml",
        r#"# An event: its contract (the schema), where it flows (topics) and who uses it.
name: ExampleHappened            # PascalCase; with the domain, the event's identity
summary: Something happened in the example domain.
status: draft                    # draft, approved (a promise to consumers) or deprecated
format: avro                     # avro, protobuf or json
schema: schema.avsc              # relative to this file
topics: [example.example-happened.v1]   # <domain>.<name>.v<N> (rule naming.topic)
producers: [example-service]
consumers: []                    # services reading it; `evcat check` names them when a change breaks them
examples: [examples/happened.json]      # sample payloads, checked against the schema
"#,
    ),
    (
        "domains/example/events/ExampleHappened/schema.avsc",
        r#"{
  "type": "record",
  "name": "ExampleHappened",
  "namespace": "acme.example.v1",
  "doc": "Something happened. Add fields with defaults to keep the schema BACKWARD compatible.",
  "fields": [
    { "name": "exampleId", "type": "string", "doc": "What it happened to." },
    { "name": "happenedAt", "type": { "type": "long", "logicalType": "timestamp-millis" } }
  ]
}
"#,
    ),
    (
        "domains/example/events/ExampleHappened/examples/happened.json",
        r#"{
  "exampleId": "ex-1",
  "happenedAt": 1763700000000
}
"#,
    ),
];

/// Writes the new catalog into `dir` (created if needed) and returns the files written. Nothing
/// is written when any of them exists already; a failure part-way removes what was written.
pub fn scaffold(dir: &Path) -> Result<Vec<PathBuf>, InitError> {
    let targets: Vec<(PathBuf, &str)> = FILES
        .iter()
        .map(|(relative, content)| (dir.join(relative), *content))
        .collect();
    if let Some((existing, _)) = targets.iter().find(|(path, _)| path.exists()) {
        return Err(InitError::Exists(existing.display().to_string()));
    }
    let mut written = Vec::new();
    for (path, content) in &targets {
        let result = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, content));
        if let Err(source) = result {
            for done in &written {
                let _ = std::fs::remove_file(done);
            }
            return Err(InitError::Write {
                path: path.display().to_string(),
                source,
            });
        }
        written.push(path.clone());
    }
    Ok(written)
}
