//! A client for any Confluent-compatible Schema Registry (Confluent Platform and Cloud, Karapace,
//! Redpanda, Apicurio's ccompat API, `evcat registry serve`).
//!
//! Requests that fail in passing (408, 429, 500, 502, 503, 504, or no connection) are retried with
//! exponential backoff and jitter, honouring `Retry-After`, within a bound on attempts and on total
//! time; other 4xx answers are final. TLS certificates are verified unless an environment turns
//! that off explicitly. Credentials never appear in errors or debug output.

use std::fmt;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

mod compatibility;
mod listing;

use super::store::{RegistryError, StoredSchema};
use super::Lookup;
use crate::catalog::{CompatibilityLevel, Format};

/// How to authenticate.
#[derive(Clone)]
pub enum Credentials {
    Basic { username: String, password: String },
    Bearer(String),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Credentials::Bearer(_) => f.write_str("Bearer(<redacted>)"),
        }
    }
}

/// How often and how long to retry requests that failed in passing.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// No retry starts after this much time since the first attempt.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(30),
        }
    }
}

/// Where the registry is and how to talk to it.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Base URL, path prefix included (`https://host/prefix`).
    pub url: String,
    pub credentials: Option<Credentials>,
    /// A PEM file of CA certificates to trust besides the system's.
    pub ca_file: Option<PathBuf>,
    /// A PEM file with a client certificate and its key, for mutual TLS.
    pub client_identity_file: Option<PathBuf>,
    /// Turns certificate verification off; only ever set explicitly, per environment.
    pub insecure_skip_verify: bool,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
}

impl HttpSettings {
    /// Settings for the registry at `url`. User info in the URL is dropped: credentials travel
    /// in `credentials` only, so they never reach a message that shows the URL.
    pub fn new(url: &str) -> Self {
        HttpSettings {
            url: super::redact::redact_urls(url.trim_end_matches('/')),
            credentials: None,
            ca_file: None,
            client_identity_file: None,
            insecure_skip_verify: false,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }
}

/// A client for one registry.
pub struct HttpRegistry {
    base: String,
    /// Whether this registry lacks the all-versions compatibility endpoint (learnt from its
    /// plain 404 on the first transitive check), so versions are asked one by one.
    compatibility_per_version: std::sync::atomic::AtomicBool,
    client: Client,
    /// The `Authorization` header, built (and checked) once; marked sensitive.
    authorization: Option<reqwest::header::HeaderValue>,
    retry: RetryPolicy,
    /// Requests sent, retries included: what a push costs the registry.
    requests: AtomicU64,
}

/// The most evcat reads of one answer. Registry answers are small (a schema, a list of
/// versions, a verdict); a bigger one is a broken or hostile server, and reading it whole could
/// exhaust memory.
pub const MAX_ANSWER_BYTES: u64 = 8 * 1024 * 1024;

/// How much of a malformed answer an error shows.
const EXCERPT_CHARS: usize = 200;

fn client_error(message: impl Into<String>) -> RegistryError {
    RegistryError {
        code: 50004,
        message: message.into(),
    }
}

impl HttpRegistry {
    pub fn new(settings: &HttpSettings) -> Result<Self, RegistryError> {
        // rustls needs a process-wide crypto provider; ring builds with only a C compiler.
        // Installing it twice is harmless: the second attempt reports the first.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .user_agent(concat!("evcat/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &settings.ca_file {
            let pem = read_pem(path).map_err(|error| {
                client_error(format!("cannot read CA file {}: {error}", path.display()))
            })?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem)
                .ok()
                .filter(|certificates| !certificates.is_empty())
                .ok_or_else(|| {
                    client_error(format!(
                        "{} holds no PEM certificate (`-----BEGIN CERTIFICATE-----`): give the \
                         certificate of the CA that signed the registry's certificate",
                        path.display()
                    ))
                })?;
            builder = builder.tls_certs_merge(certificates);
        }
        if let Some(path) = &settings.client_identity_file {
            let pem = read_pem(path).map_err(|error| {
                client_error(format!(
                    "cannot read client certificate {}: {error}",
                    path.display()
                ))
            })?;
            let identity = reqwest::Identity::from_pem(&pem).map_err(|error| {
                client_error(format!(
                    "{} is not a PEM certificate with its key: {error}",
                    path.display()
                ))
            })?;
            builder = builder.identity(identity);
        }
        if settings.insecure_skip_verify {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let client = builder
            .build()
            .map_err(|error| client_error(format!("cannot set up the HTTP client: {error}")))?;
        Ok(HttpRegistry {
            base: settings.url.clone(),
            compatibility_per_version: Default::default(),
            client,
            authorization: settings
                .credentials
                .as_ref()
                .map(authorization_header)
                .transpose()?,
            retry: settings.retry.clone(),
            requests: AtomicU64::new(0),
        })
    }

    /// Requests sent so far, retries included.
    pub fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn request(&self, method: &Method, path: &str) -> RequestBuilder {
        let request = self
            .client
            .request(method.clone(), format!("{}{path}", self.base))
            .header(
                "Accept",
                "application/vnd.schemaregistry.v1+json, application/json",
            )
            .header("Content-Type", "application/vnd.schemaregistry.v1+json");
        match &self.authorization {
            Some(value) => request.header(reqwest::header::AUTHORIZATION, value.clone()),
            None => request,
        }
    }

    /// Sends a request, retrying what failed in passing; returns the JSON body of a success.
    fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, RegistryError> {
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let mut request = self.request(&method, path);
            if let Some(body) = body {
                request = request.body(body.to_string());
            }
            let outcome = request.send();
            let shown_path = path.split('?').next().unwrap_or(path);
            let endpoint = format!(
                "{method} {}",
                percent_encoding::percent_decode_str(shown_path).decode_utf8_lossy()
            );
            let (retryable, wait_hint, error) = match outcome {
                Ok(response) if response.status().is_success() => {
                    let bytes = read_limited(response, &endpoint)?;
                    return serde_json::from_slice(&bytes).map_err(|error| {
                        client_error(format!(
                            "the registry's answer to {endpoint} is not JSON ({error}): {}",
                            excerpt(&String::from_utf8_lossy(&bytes))
                        ))
                    });
                }
                Ok(response) => {
                    let status = response.status();
                    let retry_after = retry_after(&response);
                    let error = error_from(status, response, &endpoint);
                    (is_retryable(status), retry_after, error)
                }
                // TLS refused the registry: retrying cannot change a certificate.
                Err(error) if tls_problem(&error).is_some() => {
                    let problem = tls_problem(&error).unwrap_or_default();
                    return Err(client_error(format!(
                        "TLS with the registry at {} failed: {problem}",
                        self.base
                    )));
                }
                Err(error) => {
                    // Connection refused, reset or timed out: worth another try. The URL is in the
                    // message; credentials never are (they travel in headers).
                    let message = format!(
                        "cannot reach the registry at {}: {}",
                        self.base,
                        without_url_secrets(&error)
                    );
                    (true, None, client_error(message))
                }
            };
            let elapsed = started.elapsed();
            if !retryable || attempt >= self.retry.max_attempts || elapsed >= self.retry.max_elapsed
            {
                return Err(if retryable && attempt > 1 {
                    RegistryError {
                        code: error.code,
                        message: format!("{} (gave up after {attempt} attempts)", error.message),
                    }
                } else {
                    error
                });
            }
            let delay = wait_hint
                .unwrap_or_else(|| backoff(&self.retry, attempt))
                .min(self.retry.max_elapsed.saturating_sub(elapsed));
            std::thread::sleep(delay);
        }
    }

    /// Whether `subject` holds `schema`, and under which version.
    pub fn lookup(&self, subject: &str, schema: &StoredSchema) -> Result<Lookup, RegistryError> {
        match self.send(
            Method::POST,
            &format!("/subjects/{}", segment(subject)),
            Some(&schema_body(schema)),
        ) {
            Ok(found) => {
                let endpoint = &format!("POST /subjects/{subject}");
                Ok(Lookup::Found {
                    version: positive(&found, "version", endpoint)?,
                    id: positive(&found, "id", endpoint)?,
                })
            }
            Err(error) => Lookup::from_not_found(error),
        }
    }

    /// Whether `subject` has a live version.
    pub fn subject_exists(&self, subject: &str) -> Result<bool, RegistryError> {
        self.versions(subject).map(|versions| versions.is_some())
    }

    /// The subject's live versions; `None` when the registry has no such subject.
    fn versions(&self, subject: &str) -> Result<Option<Vec<u64>>, RegistryError> {
        let answer = match self.send(
            Method::GET,
            &format!("/subjects/{}/versions", segment(subject)),
            None,
        ) {
            Ok(answer) => answer,
            Err(error) if error.code == 40401 => return Ok(None),
            Err(error) => return Err(error),
        };
        answer
            .as_array()
            .and_then(|versions| {
                versions
                    .iter()
                    .map(Value::as_u64)
                    .collect::<Option<Vec<_>>>()
            })
            .map(Some)
            .ok_or_else(|| {
                malformed(
                    &format!("GET /subjects/{subject}/versions"),
                    "a list of version numbers",
                    &answer,
                )
            })
    }

    /// The registry-wide compatibility level.
    pub fn global_compatibility(&self) -> Result<CompatibilityLevel, RegistryError> {
        let answer = self.send(Method::GET, "/config", None)?;
        level_in(&answer).ok_or_else(|| malformed("GET /config", "a compatibility level", &answer))
    }

    pub fn register(&self, subject: &str, schema: &StoredSchema) -> Result<u32, RegistryError> {
        let path = format!("/subjects/{}/versions", segment(subject));
        let answer = self.send(Method::POST, &path, Some(&schema_body(schema)))?;
        positive(&answer, "id", &format!("POST /subjects/{subject}/versions"))
    }

    /// The level set on the subject itself, if any.
    pub fn compatibility(
        &self,
        subject: &str,
    ) -> Result<Option<CompatibilityLevel>, RegistryError> {
        match self.send(Method::GET, &format!("/config/{}", segment(subject)), None) {
            Ok(answer) => level_in(&answer).map(Some).ok_or_else(|| {
                malformed(
                    &format!("GET /config/{subject}"),
                    "a compatibility level",
                    &answer,
                )
            }),
            Err(error) if matches!(error.code, 40401 | 40408) => Ok(None),
            Err(error) => Err(error),
        }
    }

    pub fn set_compatibility(
        &self,
        subject: &str,
        level: CompatibilityLevel,
    ) -> Result<(), RegistryError> {
        let body = json!({ "compatibility": level.as_str() });
        self.send(
            Method::PUT,
            &format!("/config/{}", segment(subject)),
            Some(&body),
        )
        .map(|_| ())
    }
}

/// The level in a `/config` answer: Confluent says `compatibilityLevel`, some registries
/// `compatibility`.
fn level_in(answer: &Value) -> Option<CompatibilityLevel> {
    answer["compatibilityLevel"]
        .as_str()
        .or_else(|| answer["compatibility"].as_str())
        .and_then(CompatibilityLevel::parse)
}

/// A PEM file from the settings: certificates are small, so a bounded read.
fn read_pem(path: &std::path::Path) -> Result<Vec<u8>, crate::tree::TreeError> {
    crate::tree::read_os_file(path, crate::tree::MAX_FILE_BYTES)
}

/// A field of an answer that must be a whole number from 1 up (ids and versions).
fn positive(answer: &Value, key: &str, endpoint: &str) -> Result<u32, RegistryError> {
    answer[key]
        .as_u64()
        .and_then(|number| u32::try_from(number).ok())
        .filter(|number| *number >= 1)
        .ok_or_else(|| {
            malformed(
                endpoint,
                &format!("`{key}` as a whole number from 1 up"),
                answer,
            )
        })
}

/// An answer that lacks what evcat relies on: an error naming the endpoint, with a bounded
/// excerpt of what came back. Never taken as success.
fn malformed(endpoint: &str, expected: &str, answer: &Value) -> RegistryError {
    client_error(format!(
        "the registry's answer to {endpoint} lacks {expected}; it said: {}",
        excerpt(&answer.to_string())
    ))
}

/// The start of a text, for an error message.
fn excerpt(text: &str) -> String {
    let mut shown: String = text.chars().take(EXCERPT_CHARS).collect();
    if shown.len() < text.len() {
        shown.push_str("...");
    }
    shown
}

/// A response body, refusing one over [`MAX_ANSWER_BYTES`] (by its declared length, or by
/// what arrives).
fn read_limited(response: Response, endpoint: &str) -> Result<Vec<u8>, RegistryError> {
    let too_large = || {
        client_error(format!(
            "the registry's answer to {endpoint} is over {} MiB; evcat stops reading there",
            MAX_ANSWER_BYTES / (1024 * 1024)
        ))
    };
    if response
        .content_length()
        .is_some_and(|length| length > MAX_ANSWER_BYTES)
    {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    std::io::Read::take(response, MAX_ANSWER_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| {
            client_error(format!(
                "reading the registry's answer to {endpoint} failed: {error}"
            ))
        })?;
    if bytes.len() as u64 > MAX_ANSWER_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

fn schema_body(schema: &StoredSchema) -> Value {
    let mut body = json!({ "schema": schema.schema });
    if schema.schema_type != Format::Avro {
        body["schemaType"] = json!(match schema.schema_type {
            Format::Protobuf => "PROTOBUF",
            _ => "JSON",
        });
    }
    if !schema.references.is_empty() {
        body["references"] = json!(schema.references);
    }
    body
}

/// A subject as one URL path segment.
fn segment(subject: &str) -> String {
    percent_encoding::utf8_percent_encode(subject, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn is_retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// `Retry-After` in seconds (the HTTP-date form is rare from registries and is ignored).
fn retry_after(response: &Response) -> Option<Duration> {
    response
        .headers()
        .get("Retry-After")?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Exponential backoff with "equal jitter": half the delay fixed, half random.
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let exponential = policy
        .initial_backoff
        .saturating_mul(1u32 << (attempt - 1).min(16))
        .min(policy.max_backoff);
    let half = exponential / 2;
    half + half.mul_f64(jitter())
}

/// A number in [0, 1) from the standard library's randomly keyed hasher (no RNG crate needed
/// for spreading retries).
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(Instant::now().elapsed().as_nanos() as u64);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// A registry's error answer as a `RegistryError`: Confluent's `{error_code, message}` when the
/// body has it. Confluent answers an incompatible schema with 409 (40901 since late 2025); both
/// become 409.
fn error_from(status: StatusCode, response: Response, endpoint: &str) -> RegistryError {
    let text = match read_limited(response, endpoint) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(error) => {
            return RegistryError {
                code: u32::from(status.as_u16()),
                ..error
            }
        }
    };
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let code = body["error_code"]
        .as_u64()
        .and_then(|code| u32::try_from(code).ok())
        .unwrap_or(u32::from(status.as_u16()));
    let code = if code == 40901 { 409 } else { code };
    let message = body["message"].as_str().map(excerpt).unwrap_or_else(|| {
        if text.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {}", excerpt(&text))
        }
    });
    let message = match status.as_u16() {
        401 => format!("{message}: the registry did not accept the credentials; check the environment's auth settings"),
        403 => format!("{message}: the credentials are not allowed to do this"),
        _ if code == 44302 => format!(
            "{message}: this registry does not support references for JSON Schemas; give the \
             environment's registry `json_references: bundle` to register them with their \
             referenced files bundled in"
        ),
        _ => message,
    };
    RegistryError { code, message }
}

/// The `Authorization` header for some credentials. A value HTTP cannot carry (a control
/// character or line break in a token, often a stray newline from a file) is a configuration
/// error, said without the value.
fn authorization_header(
    credentials: &Credentials,
) -> Result<reqwest::header::HeaderValue, RegistryError> {
    use base64::Engine as _;
    let (text, what) = match credentials {
        Credentials::Basic { username, password } => (
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
            ),
            "the basic auth user name or password",
        ),
        Credentials::Bearer(token) => (format!("Bearer {token}"), "the bearer token"),
    };
    let mut value = reqwest::header::HeaderValue::from_str(&text).map_err(|_| {
        client_error(format!(
            "{what} holds a character an HTTP header cannot carry (a control character or a \
             line break): check the variable or file it comes from"
        ))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// What went wrong in TLS, in words, when that is why a request failed.
fn tls_problem(error: &reqwest::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(cause) = source {
        // The rustls error sits inside `io::Error`s, whose `source` skips what they wrap.
        let mut inner = cause;
        while let Some(wrapped) = inner
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            inner = wrapped;
        }
        if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
            return Some(describe_tls(tls));
        }
        source = cause.source();
    }
    None
}

fn describe_tls(error: &rustls::Error) -> String {
    use rustls::CertificateError as Certificate;
    let trust = "add the CA that signed it with `tls: { ca_file: PATH }` (a self-signed \
                 certificate cannot serve as its own CA unless it is marked as a CA)";
    match error {
        rustls::Error::InvalidCertificate(certificate) => match certificate {
            Certificate::UnknownIssuer => {
                format!("the registry's certificate is signed by an issuer evcat does not trust: {trust}")
            }
            Certificate::Expired | Certificate::ExpiredContext { .. } => {
                "the registry's certificate has expired".to_string()
            }
            Certificate::NotValidYet | Certificate::NotValidYetContext { .. } => {
                "the registry's certificate is not valid yet (check this machine's clock)"
                    .to_string()
            }
            Certificate::NotValidForName | Certificate::NotValidForNameContext { .. } => {
                "the registry's certificate is not valid for the host name in the URL".to_string()
            }
            Certificate::BadEncoding => "the registry sent a malformed certificate".to_string(),
            other => format!("the registry's certificate was refused ({other:?}): {trust}"),
        },
        other => format!("{other}"),
    }
}

/// A transport error's text, with any `user:password@` in a URL removed.
fn without_url_secrets(error: &reqwest::Error) -> String {
    // reqwest's own message is generic ("error sending request"); the cause says what happened.
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    super::redact::redact_urls(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let policy = RetryPolicy::default();
        for attempt in 1..20 {
            let delay = backoff(&policy, attempt);
            let ceiling = policy
                .initial_backoff
                .saturating_mul(1 << (attempt - 1).min(16))
                .min(policy.max_backoff);
            assert!(
                delay >= ceiling / 2 && delay <= ceiling,
                "attempt {attempt}: {delay:?}"
            );
        }
    }

    #[test]
    fn credentials_are_redacted() {
        let basic = Credentials::Basic {
            username: "ci".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{basic:?}").contains("hunter2"));
        assert!(!format!("{:?}", Credentials::Bearer("token-123".into())).contains("token-123"));
    }

    #[test]
    fn subjects_are_escaped_as_one_segment() {
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
    }
}
