//! `evcat import asyncapi FILE...`: AsyncAPI 2.x and 3.0 documents as catalog files. Each
//! document is a service (its `info.title`, or `x-evcat-service`); its channels' addresses are
//! topics; its messages are events with their payload schemas (Avro, Protobuf or JSON Schema by
//! `schemaFormat`) and Kafka binding keys; its operations make the service a producer or a
//! consumer. In 3.0 `send` produces and `receive` consumes. In 2.x the verbs are the other
//! way round from the application's side: `subscribe` is what the application sends (others
//! subscribe to it), `publish` what it receives. Events named in several documents are merged.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::catalog::{Format, PLACEHOLDER};

use super::registry::{domain_name, pascal_case};
use super::{placeholder_domain, yaml_string};

/// One document, read: its path (for messages) and its content.
pub struct Document<'a> {
    pub file: &'a str,
    pub value: &'a Value,
}

#[derive(Default)]
struct Event {
    domain: String,
    name: String,
    summary: Option<String>,
    format: Option<Format>,
    schema: Option<String>,
    key: Option<String>,
    topics: BTreeSet<String>,
    producers: BTreeSet<String>,
    consumers: BTreeSet<String>,
    /// As `x-evcat-event.status` says (an evcat export), else from whether it has producers.
    status: Option<String>,
}

struct Service {
    domain: Option<String>,
    summary: Option<String>,
}

/// The planned files and what stopped the import (each naming the file).
#[derive(Default)]
pub struct Planned {
    pub files: BTreeMap<String, String>,
    pub problems: Vec<String>,
    pub events: usize,
    pub services: usize,
}

pub fn plan(documents: &[Document<'_>]) -> Planned {
    let mut planned = Planned::default();
    let mut events: BTreeMap<(String, String), Event> = BTreeMap::new();
    let mut services: BTreeMap<String, Service> = BTreeMap::new();
    for document in documents {
        let version = document.value["asyncapi"].as_str().unwrap_or_default();
        let service_name = service_name(document.value);
        let Some(service_name) = service_name else {
            planned.problems.push(format!(
                "{}: no `info.title` to name the service by",
                document.file
            ));
            continue;
        };
        let uses = if version.starts_with("3.") {
            uses_v3(document.value)
        } else if version.starts_with("2.") {
            uses_v2(document.value)
        } else {
            planned.problems.push(format!(
                "{}: `asyncapi: {version}` is not AsyncAPI 2.x or 3.0",
                document.file
            ));
            continue;
        };
        let mut domains = BTreeMap::<String, usize>::new();
        for (message, topic, produces) in uses {
            let event = event_of(&mut events, document.value, &message, &topic);
            *domains.entry(event.domain.clone()).or_default() += 1;
            event.topics.insert(topic);
            if produces {
                event.producers.insert(service_name.clone());
            } else {
                event.consumers.insert(service_name.clone());
            }
        }
        let declared = document.value["info"]["x-evcat-service"]["domain"]
            .as_str()
            .map(domain_name);
        let domain = declared.or_else(|| {
            domains
                .into_iter()
                .max_by_key(|(_, count)| *count)
                .map(|(domain, _)| domain)
        });
        services.insert(
            service_name,
            Service {
                domain,
                summary: document.value["info"]["description"]
                    .as_str()
                    .map(str::to_string),
            },
        );
    }
    write(&mut planned, &events, &services);
    planned
}

fn service_name(document: &Value) -> Option<String> {
    let info = &document["info"];
    let name = info["x-evcat-service"]["name"]
        .as_str()
        .or_else(|| info["title"].as_str())?;
    let name = domain_name(name);
    (!name.is_empty()).then_some(name)
}

/// Follows a local `$ref` (`#/components/messages/X`) to what it names.
fn resolve<'v>(document: &'v Value, value: &'v Value) -> &'v Value {
    let mut current = value;
    for _ in 0..8 {
        let Some(pointer) = current["$ref"].as_str().and_then(|r| r.strip_prefix('#')) else {
            return current;
        };
        match document.pointer(pointer) {
            Some(target) => current = target,
            None => return current,
        }
    }
    current
}

/// 3.0: each operation's messages on its channel's address; `send` produces.
fn uses_v3(document: &Value) -> Vec<(Value, String, bool)> {
    let mut uses = Vec::new();
    let Some(operations) = document["operations"].as_object() else {
        return uses;
    };
    for operation in operations.values() {
        let operation = resolve(document, operation);
        let produces = operation["action"].as_str() == Some("send");
        let channel = resolve(document, &operation["channel"]);
        let Some(address) = channel["address"].as_str() else {
            continue;
        };
        let messages: Vec<&Value> = match operation["messages"].as_array() {
            Some(listed) if !listed.is_empty() => listed.iter().collect(),
            _ => channel["messages"]
                .as_object()
                .map(|messages| messages.values().collect())
                .unwrap_or_default(),
        };
        for message in messages {
            uses.push((
                resolve(document, message).clone(),
                address.to_string(),
                produces,
            ));
        }
    }
    uses
}

/// 2.x: a channel's `subscribe` is what the application sends; `publish` what it receives.
fn uses_v2(document: &Value) -> Vec<(Value, String, bool)> {
    let mut uses = Vec::new();
    let Some(channels) = document["channels"].as_object() else {
        return uses;
    };
    for (topic, channel) in channels {
        let channel = resolve(document, channel);
        for (verb, produces) in [("subscribe", true), ("publish", false)] {
            let operation = resolve(document, &channel[verb]);
            if operation.is_null() {
                continue;
            }
            let message = resolve(document, &operation["message"]);
            let messages: Vec<Value> = match message["oneOf"].as_array() {
                Some(options) => options
                    .iter()
                    .map(|option| resolve(document, option).clone())
                    .collect(),
                None => vec![message.clone()],
            };
            for message in messages {
                uses.push((message, topic.clone(), produces));
            }
        }
    }
    uses
}

fn event_of<'e>(
    events: &'e mut BTreeMap<(String, String), Event>,
    document: &Value,
    message: &Value,
    topic: &str,
) -> &'e mut Event {
    let declared = message["x-evcat-event"]["id"]
        .as_str()
        .and_then(|id| id.split_once('/'));
    let (domain, name) = match declared {
        Some((domain, name)) => (domain.to_string(), name.to_string()),
        None => {
            let domain = topic
                .split_once('.')
                .map(|(domain, _)| domain_name(domain))
                .filter(|domain| !domain.is_empty())
                .unwrap_or_else(|| "imported".to_string());
            let name = message["name"]
                .as_str()
                .or_else(|| message["title"].as_str())
                .map(pascal_case)
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| pascal_case(topic));
            (domain, name)
        }
    };
    let event = events
        .entry((domain.clone(), name.clone()))
        .or_insert_with(|| Event {
            domain,
            name,
            ..Event::default()
        });
    if event.schema.is_none() {
        let (format, schema) = payload(document, message);
        event.format = Some(format);
        event.schema = schema;
        event.key = key(document, message, format);
        event.summary = message["summary"].as_str().map(str::to_string);
        event.status = message["x-evcat-event"]["status"]
            .as_str()
            .filter(|status| matches!(*status, "draft" | "approved" | "deprecated"))
            .map(str::to_string);
    }
    event
}

fn format_of(schema_format: Option<&str>) -> Format {
    match schema_format {
        Some(format) if format.contains("avro") => Format::Avro,
        Some(format) if format.contains("protobuf") => Format::Protobuf,
        _ => Format::Json,
    }
}

/// A schema as file text: strings as they are (Protobuf), JSON pretty-printed.
fn schema_text(schema: &Value) -> Option<String> {
    match schema {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => serde_json::to_string_pretty(other)
            .ok()
            .map(|text| text + "\n"),
    }
}

/// The payload's format and schema: 3.0's multi-format `{schemaFormat, schema}`, or 2.x's
/// message `schemaFormat` beside `payload`.
fn payload(document: &Value, message: &Value) -> (Format, Option<String>) {
    let payload = resolve(document, &message["payload"]);
    if payload.get("schemaFormat").is_some() && payload.get("schema").is_some() {
        let format = format_of(payload["schemaFormat"].as_str());
        return (format, schema_text(resolve(document, &payload["schema"])));
    }
    (
        format_of(message["schemaFormat"].as_str()),
        schema_text(payload),
    )
}

fn key(document: &Value, message: &Value, format: Format) -> Option<String> {
    let own = &message["x-evcat-event"]["key"];
    if own.is_object() {
        return schema_text(&own["schema"]);
    }
    let binding = resolve(document, &message["bindings"]["kafka"]["key"]);
    match format {
        Format::Json => schema_text(binding),
        // A binding key is a JSON Schema; an Avro or Protobuf event's key is in its format.
        Format::Avro | Format::Protobuf => None,
    }
}

fn list(items: &BTreeSet<String>) -> String {
    let quoted: Vec<String> = items.iter().map(|item| yaml_string(item)).collect();
    format!("[{}]", quoted.join(", "))
}

fn write(
    planned: &mut Planned,
    events: &BTreeMap<(String, String), Event>,
    services: &BTreeMap<String, Service>,
) {
    let mut domains = BTreeSet::new();
    for event in events.values() {
        let Some(schema) = &event.schema else {
            planned
                .problems
                .push(format!("message {} has no payload schema", event.name));
            continue;
        };
        let format = event.format.unwrap_or(Format::Json);
        let ext = format.extension();
        let dir = format!("domains/{}/events/{}", event.domain, event.name);
        let status = event
            .status
            .as_deref()
            .unwrap_or(if event.producers.is_empty() {
                "draft"
            } else {
                "approved"
            });
        let summary = event
            .summary
            .as_deref()
            .map(yaml_string)
            .unwrap_or_else(|| PLACEHOLDER.to_string());
        let mut yaml = format!(
            "# Imported from AsyncAPI: fill in each {PLACEHOLDER} (`evcat lint` lists them).\n\
             name: {}\nsummary: {summary}\nstatus: {status}\nformat: {format}\nschema: schema.{ext}\n",
            event.name
        );
        if let Some(key) = &event.key {
            yaml.push_str(&format!("key: {{ schema: key.{ext} }}\n"));
            planned
                .files
                .insert(format!("{dir}/key.{ext}"), key.clone());
        }
        yaml.push_str(&format!(
            "topics: {}\nproducers: {}\nconsumers: {}\n",
            list(&event.topics),
            list(&event.producers),
            list(&event.consumers)
        ));
        planned
            .files
            .insert(format!("{dir}/schema.{ext}"), schema.clone());
        planned.files.insert(format!("{dir}/event.yaml"), yaml);
        planned.events += 1;
        domains.insert(event.domain.clone());
    }
    for (name, service) in services {
        let domain = service
            .domain
            .clone()
            .unwrap_or_else(|| "imported".to_string());
        let summary = service
            .summary
            .as_deref()
            .map(yaml_string)
            .unwrap_or_else(|| PLACEHOLDER.to_string());
        planned.files.insert(
            format!("domains/{domain}/services/{name}.yaml"),
            format!("summary: {summary}\n"),
        );
        planned.services += 1;
        domains.insert(domain);
    }
    for domain in domains {
        planned.files.insert(
            format!("domains/{domain}/domain.yaml"),
            placeholder_domain("AsyncAPI"),
        );
    }
}
