//! Reading a registry whole: every live version of every subject, through `GET /schemas` in
//! pages (so no answer grows past the client's limit, whatever the registry's size). What
//! `evcat drift` and `evcat import registry` start from.

use reqwest::Method;
use serde_json::Value;

use super::{malformed, positive, HttpRegistry};
use crate::catalog::Format;
use crate::registry::store::{Reference, RegisteredVersion, RegistryError, StoredSchema};

/// Versions asked for per request.
const PAGE: usize = 500;

/// A listing longer than this is refused rather than read without end (a registry that ignores
/// `offset` would otherwise answer the same page forever).
const MAX_VERSIONS: usize = 1_000_000;

impl HttpRegistry {
    /// Every live version of every subject, by subject then version.
    pub fn all_versions(&self) -> Result<Vec<RegisteredVersion>, RegistryError> {
        let mut versions: Vec<RegisteredVersion> = Vec::new();
        loop {
            let endpoint = format!("/schemas?offset={}&limit={PAGE}", versions.len());
            let answer = self.send(Method::GET, &endpoint, None)?;
            let shown = "GET /schemas";
            let Value::Array(page) = &answer else {
                return Err(malformed(shown, "a list of schema versions", &answer));
            };
            for item in page {
                versions.push(version_of(item, shown)?);
            }
            if page.len() < PAGE {
                break;
            }
            if versions.len() > MAX_VERSIONS {
                return Err(super::client_error(format!(
                    "{shown} kept answering past {MAX_VERSIONS} versions; evcat stopped"
                )));
            }
        }
        versions.sort_by(|a, b| (&a.subject, a.version).cmp(&(&b.subject, b.version)));
        // A registry that ignored `offset` repeated a page: the same version twice.
        let before = versions.len();
        versions.dedup_by(|a, b| a.subject == b.subject && a.version == b.version);
        if versions.len() != before {
            return Err(super::client_error(
                "GET /schemas answered the same versions on different pages: it does not page \
                 with `offset` and `limit`",
            ));
        }
        Ok(versions)
    }
}

/// One item of `GET /schemas`, validated: nothing is guessed.
fn version_of(item: &Value, endpoint: &str) -> Result<RegisteredVersion, RegistryError> {
    let subject = item["subject"]
        .as_str()
        .ok_or_else(|| malformed(endpoint, "`subject` as a string", item))?;
    let schema = item["schema"]
        .as_str()
        .ok_or_else(|| malformed(endpoint, "`schema` as a string", item))?;
    let schema_type = match item.get("schemaType").and_then(Value::as_str) {
        None | Some("AVRO") => Format::Avro,
        Some("PROTOBUF") => Format::Protobuf,
        Some("JSON") => Format::Json,
        Some(_) => {
            return Err(malformed(
                endpoint,
                "`schemaType` as AVRO, PROTOBUF or JSON",
                item,
            ))
        }
    };
    let references = match item.get("references") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(references)) => references
            .iter()
            .map(|reference| {
                Ok(Reference {
                    name: reference["name"]
                        .as_str()
                        .ok_or_else(|| malformed(endpoint, "a reference's `name`", item))?
                        .to_string(),
                    subject: reference["subject"]
                        .as_str()
                        .ok_or_else(|| malformed(endpoint, "a reference's `subject`", item))?
                        .to_string(),
                    version: positive(reference, "version", endpoint)?,
                })
            })
            .collect::<Result<_, RegistryError>>()?,
        Some(_) => return Err(malformed(endpoint, "`references` as a list", item)),
    };
    Ok(RegisteredVersion {
        subject: subject.to_string(),
        version: positive(item, "version", endpoint)?,
        id: positive(item, "id", endpoint)?,
        schema: StoredSchema {
            schema: schema.to_string(),
            schema_type,
            references,
        },
    })
}
