//! `evcat export asyncapi`: one AsyncAPI 3.0 document per service. A channel per topic of the
//! events it produces or consumes, a `send` or `receive` operation for each, the events as
//! messages with their schema in its format (`schemaFormat`), Kafka bindings (topic; the
//! message key and where the schema id travels), and a server per environment carrying its
//! Schema Registry URL. `x-evcat-event` on each message names the event (`domain/Name`), so
//! `evcat import asyncapi` gives the same events back.

use serde_json::{json, Map, Value};

use crate::catalog::{Catalog, Format};
use crate::discover::{Discovery, EventEntry, ServiceEntry};
use crate::tree::CatalogPath;

const KAFKA_BINDING: &str = "0.5.0";

/// The `schemaFormat` of a payload in each format, as AsyncAPI 3.0 names them.
pub fn schema_format(format: Format) -> &'static str {
    match format {
        Format::Avro => "application/vnd.apache.avro+json;version=1.9.0",
        Format::Protobuf => "application/vnd.google.protobuf;version=3",
        Format::Json => "application/schema+json;version=draft-07",
    }
}

/// The extension naming the catalog event a message is.
pub const EVENT_EXTENSION: &str = "x-evcat-event";

/// The documents, by service name; `only` keeps one service.
pub fn documents(
    catalog: &Catalog,
    discovery: &Discovery,
    only: Option<&str>,
) -> Vec<(String, Value)> {
    discovery
        .services
        .iter()
        .filter(|service| only.is_none_or(|name| service.name == name))
        .map(|service| (service.name.clone(), document(catalog, discovery, service)))
        .collect()
}

/// AsyncAPI ids: letters, digits, `.`, `-` and `_`.
fn id_of(text: &str) -> String {
    text.chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '_') {
                ch
            } else {
                '_'
            }
        })
        .collect()
}

fn document(catalog: &Catalog, discovery: &Discovery, service: &ServiceEntry) -> Value {
    let mut channels = Map::new();
    let mut operations = Map::new();
    let mut messages = Map::new();
    let roles = service
        .produces
        .iter()
        .map(|id| (id, "send"))
        .chain(service.consumes.iter().map(|id| (id, "receive")));
    for (id, action) in roles {
        let Some(event) = discovery.event(id) else {
            continue;
        };
        let message_id = id_of(&event.id.replace('/', "."));
        messages
            .entry(message_id.clone())
            .or_insert_with(|| message(catalog, event));
        for topic in &event.topics {
            let channel_id = id_of(topic);
            let channel = channels.entry(channel_id.clone()).or_insert_with(|| {
                json!({
                    "address": topic,
                    "messages": {},
                    "bindings": { "kafka": { "topic": topic, "bindingVersion": KAFKA_BINDING } },
                })
            });
            channel["messages"][&message_id] =
                json!({ "$ref": format!("#/components/messages/{message_id}") });
            operations.insert(
                format!("{action}.{channel_id}.{message_id}"),
                json!({
                    "action": action,
                    "channel": { "$ref": format!("#/channels/{channel_id}") },
                    "messages": [
                        { "$ref": format!("#/channels/{channel_id}/messages/{message_id}") }
                    ],
                }),
            );
        }
    }
    let mut info = json!({
        "title": service.name,
        "version": "1.0.0",
        "x-evcat-service": { "name": service.name, "domain": service.domain },
    });
    if let Some(summary) = &service.summary {
        info["description"] = json!(summary);
    }
    if let Some(owner) = &service.owner {
        info["x-evcat-service"]["owner"] = json!(owner);
    }
    json!({
        "asyncapi": "3.0.0",
        "info": info,
        "servers": servers(catalog),
        "channels": channels,
        "operations": operations,
        "components": { "messages": messages },
    })
}

/// A server per environment: the Kafka brokers are not in the catalog, the registry is.
fn servers(catalog: &Catalog) -> Value {
    let mut servers = Map::new();
    for environment in &catalog.settings.environments {
        let registry = crate::registry::connect::describe(environment);
        let mut kafka = json!({ "bindingVersion": KAFKA_BINDING });
        if let Some(url) = &environment.registry.url {
            kafka["schemaRegistryUrl"] = json!(crate::registry::redact::redact_urls(url));
            kafka["schemaRegistryVendor"] = json!("confluent");
        }
        servers.insert(
            id_of(&environment.name),
            json!({
                "host": format!("{}.kafka", id_of(&environment.name)),
                "protocol": "kafka",
                "description": format!(
                    "The {} environment's Kafka brokers (not in the catalog: set `host`); its \
                     Schema Registry: {registry}.",
                    environment.name
                ),
                "bindings": { "kafka": kafka },
            }),
        );
    }
    Value::Object(servers)
}

/// A schema file's content as AsyncAPI carries it: Avro and JSON Schema as JSON, Protobuf as
/// its text.
fn schema_value(catalog: &Catalog, format: Format, file: &str) -> Value {
    let text = CatalogPath::parse(file)
        .ok()
        .and_then(|path| catalog.read_text(&path).ok())
        .map(|text| text.to_string())
        .unwrap_or_default();
    match format {
        Format::Protobuf => Value::String(text),
        Format::Avro | Format::Json => serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

fn message(catalog: &Catalog, event: &EventEntry) -> Value {
    let mut message = json!({
        "name": event.name,
        "title": event.name,
        "payload": {
            "schemaFormat": schema_format(event.format),
            "schema": schema_value(catalog, event.format, &event.schema),
        },
        EVENT_EXTENSION: {
            "id": event.id,
            "status": event.status.as_str(),
        },
    });
    if let Some(summary) = &event.summary {
        message["summary"] = json!(summary);
    }
    if let Some(description) = &event.description {
        message["description"] = json!(description);
    }
    if let Some(owner) = &event.owner {
        message[EVENT_EXTENSION]["owner"] = json!(owner);
    }
    let mut kafka = json!({ "schemaIdLocation": "payload", "bindingVersion": KAFKA_BINDING });
    if let Some(key) = &event.key_schema {
        let key_schema = schema_value(catalog, event.format, key);
        match event.format {
            // The binding's key is a schema in AsyncAPI's (JSON Schema) format.
            Format::Json => kafka["key"] = key_schema,
            Format::Avro | Format::Protobuf => {
                message[EVENT_EXTENSION]["key"] = json!({
                    "schemaFormat": schema_format(event.format),
                    "schema": key_schema,
                });
            }
        }
    }
    message["bindings"] = json!({ "kafka": kafka });
    message
}
