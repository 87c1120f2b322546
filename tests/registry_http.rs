//! The HTTP registry client against a real registry (`evcat registry serve` on loopback):
//! lookups, verdicts, registration, config, auth, and retries through injected 503s.

mod common;

use std::time::Duration;

use common::{start_registry, start_registry_with};
use evcat::catalog::{CompatibilityLevel, Format};
use evcat::registry::http::{Credentials, HttpRegistry, HttpSettings, RetryPolicy};
use evcat::registry::store::{Store, StoredSchema};
use evcat::registry::{CheckAnswer, Lookup, Registry};

fn avro(text: &str) -> StoredSchema {
    StoredSchema {
        schema: text.to_string(),
        schema_type: Format::Avro,
        references: Vec::new(),
    }
}

const V1: &str = r#"{"type":"record","name":"Paid","fields":[{"name":"id","type":"string"}]}"#;
const BREAKING: &str = r#"{"type":"record","name":"Paid","fields":[{"name":"id","type":"int"}]}"#;

fn client(address: &str, credentials: Option<Credentials>, retry: RetryPolicy) -> HttpRegistry {
    let mut settings = HttpSettings::new(&format!("http://{address}"));
    settings.credentials = credentials;
    settings.retry = retry;
    HttpRegistry::new(&settings).expect("client")
}

fn quick_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts: attempts,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        max_elapsed: Duration::from_secs(5),
    }
}

#[test]
fn lookup_check_register_and_config() {
    let dir = tempfile::tempdir().unwrap();
    let registry = start_registry(dir.path(), None);
    let client = client(&registry.address, None, RetryPolicy::default());
    assert_eq!(
        client.lookup("paid-value", &avro(V1)).unwrap(),
        Lookup::NoSubject
    );
    assert!(!client.subject_exists("paid-value").unwrap());
    assert_eq!(
        client
            .check("paid-value", &avro(V1), CompatibilityLevel::Backward)
            .unwrap(),
        CheckAnswer {
            compatible: true,
            messages: vec![]
        }
    );
    assert_eq!(client.register("paid-value", &avro(V1)).unwrap(), 1);
    assert_eq!(
        client.lookup("paid-value", &avro(V1)).unwrap(),
        Lookup::Found { version: 1, id: 1 }
    );
    assert!(client.subject_exists("paid-value").unwrap());
    assert_eq!(
        client.lookup("paid-value", &avro(BREAKING)).unwrap(),
        Lookup::NotInSubject
    );
    let answer = client
        .check("paid-value", &avro(BREAKING), CompatibilityLevel::Backward)
        .unwrap();
    assert!(!answer.compatible);
    assert!(
        answer.messages[0].contains("TYPE_MISMATCH"),
        "{:?}",
        answer.messages
    );
    let refused = client.register("paid-value", &avro(BREAKING)).unwrap_err();
    assert_eq!(refused.code, 409);
    assert_eq!(client.compatibility("paid-value").unwrap(), None);
    client
        .set_compatibility("paid-value", CompatibilityLevel::FullTransitive)
        .unwrap();
    assert_eq!(
        client.compatibility("paid-value").unwrap(),
        Some(CompatibilityLevel::FullTransitive)
    );
}

#[test]
fn basic_auth_and_secrets_kept_out_of_errors() {
    let dir = tempfile::tempdir().unwrap();
    let registry = start_registry(dir.path(), Some("ci:hunter2"));
    let good = Credentials::Basic {
        username: "ci".into(),
        password: "hunter2".into(),
    };
    assert!(client(&registry.address, Some(good), quick_retries(1))
        .register("s", &avro(V1))
        .is_ok());
    let wrong = Credentials::Basic {
        username: "ci".into(),
        password: "wrong-password".into(),
    };
    let error = client(&registry.address, Some(wrong), quick_retries(3))
        .register("s", &avro(V1))
        .unwrap_err();
    assert_eq!(error.code, 40101);
    assert!(error.message.contains("credentials"), "{}", error.message);
    assert!(!error.message.contains("wrong-password"));
    assert!(
        !error.message.contains("gave up"),
        "401 is final, not retried: {}",
        error.message
    );
}

#[test]
fn retries_through_injected_unavailability() {
    let dir = tempfile::tempdir().unwrap();
    let registry = start_registry_with(dir.path(), None, &["--fail-first", "2"]);
    let id = client(&registry.address, None, quick_retries(5))
        .register("s", &avro(V1))
        .unwrap();
    assert_eq!(id, 1, "succeeded on the third attempt");
    drop(registry);

    let dir = tempfile::tempdir().unwrap();
    let registry = start_registry_with(dir.path(), None, &["--fail-first", "100"]);
    let error = client(&registry.address, None, quick_retries(3))
        .register("s", &avro(V1))
        .unwrap_err();
    assert_eq!(error.code, 50003);
    assert!(
        error.message.contains("gave up after 3 attempts"),
        "{}",
        error.message
    );
}

#[test]
fn unreachable_registry_is_retried_then_reported() {
    // A port nothing listens on: bind one, then free it.
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let error = client(&address, None, quick_retries(2))
        .lookup("s", &avro(V1))
        .unwrap_err();
    assert!(
        error.message.contains("cannot reach the registry"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("gave up after 2 attempts"),
        "{}",
        error.message
    );
}

/// One scenario, and what each step answered, for comparing implementations.
fn scenario(registry: &mut dyn Registry) -> Vec<String> {
    let mut answers = Vec::new();
    let v2 = r#"{"type":"record","name":"Paid","fields":[{"name":"id","type":"string"},{"name":"n","type":"int","default":0}]}"#;
    answers.push(format!("{:?}", registry.lookup("s", &avro(V1))));
    answers.push(format!(
        "{:?}",
        registry
            .check("s", &avro(V1), CompatibilityLevel::Backward)
            .map(|answer| answer.compatible)
    ));
    answers.push(format!("{:?}", registry.register("s", &avro(V1))));
    answers.push(format!("{:?}", registry.register("s", &avro(V1))));
    answers.push(format!("{:?}", registry.lookup("s", &avro(V1))));
    answers.push(format!(
        "{:?}",
        registry
            .check("s", &avro(BREAKING), CompatibilityLevel::Backward)
            .map(|answer| (answer.compatible, answer.messages.len()))
    ));
    answers.push(format!(
        "{:?}",
        registry
            .register("s", &avro(BREAKING))
            .map_err(|error| error.code)
    ));
    answers.push(format!("{:?}", registry.register("s", &avro(v2))));
    answers.push(format!("{:?}", registry.subject_exists("s")));
    answers.push(format!("{:?}", registry.global_compatibility()));
    answers.push(format!("{:?}", registry.compatibility("s")));
    answers.push(format!(
        "{:?}",
        registry.set_compatibility("s", CompatibilityLevel::Full)
    ));
    answers.push(format!("{:?}", registry.compatibility("s")));
    answers
}

#[test]
fn embedded_and_http_registries_answer_alike() {
    let embedded_dir = tempfile::tempdir().unwrap();
    let mut embedded = Store::open(embedded_dir.path()).unwrap();
    let served_dir = tempfile::tempdir().unwrap();
    let served = start_registry(served_dir.path(), None);
    let mut remote = client(&served.address, None, RetryPolicy::default());
    let local_answers = scenario(&mut embedded);
    assert_eq!(local_answers, scenario(&mut remote));
    assert_eq!(local_answers[2], "Ok(1)");
    assert_eq!(local_answers[6], "Err(409)");
    assert_eq!(local_answers[12], "Ok(Some(Full))");
}

/// A server on loopback that answers every request with what `answer` says for its request
/// line: (status line, body). It serves `connections` connections, then stops.
fn scripted_server(
    connections: usize,
    answer: impl Fn(&str) -> (&'static str, Vec<u8>) + Send + 'static,
) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut length = 0usize;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
                if let Some(value) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = std::io::Read::read_exact(&mut reader, &mut body);
            let (status, content) = answer(&request_line);
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                content.len()
            );
            let _ = stream.write_all(&content);
        }
    });
    address
}

/// Issue 9, item 2: an answer without what evcat relies on is an error naming the endpoint,
/// never "already registered" or "compatible".
#[test]
fn malformed_answers_are_errors_not_successes() {
    let cases: [(&str, &[u8]); 5] = [
        ("{}", b"{}"),
        ("zeros", br#"{"id": 0, "version": 0}"#),
        ("strings", br#"{"id": "1", "version": "1"}"#),
        ("garbage", b"<html>hello</html>"),
        ("null", b"null"),
    ];
    for (label, body) in cases {
        let body = body.to_vec();
        let address = scripted_server(6, move |_| ("200 OK", body.clone()));
        let client = client(&address, None, quick_retries(1));
        let lookup = client.lookup("paid-value", &avro(V1));
        let error = lookup.expect_err(label);
        assert!(
            error.message.contains("POST /subjects/paid-value"),
            "{label}: {}",
            error.message
        );
        assert!(client.register("paid-value", &avro(V1)).is_err(), "{label}");
        assert!(
            client
                .check("paid-value", &avro(V1), CompatibilityLevel::Backward)
                .is_err(),
            "{label}"
        );
        assert!(client.global_compatibility().is_err(), "{label}");
        assert!(client.compatibility("paid-value").is_err(), "{label}");
        assert!(client.subject_exists("paid-value").is_err(), "{label}");
    }
}

/// Issue 9, item 11: an answer over the limit is refused, by its declared length or by what
/// arrives, and reading stops there.
#[test]
fn oversized_answers_are_refused() {
    let huge = vec![b' '; (evcat::registry::http::MAX_ANSWER_BYTES + 10) as usize];
    let address = scripted_server(1, move |_| ("200 OK", huge.clone()));
    let error = client(&address, None, quick_retries(1))
        .global_compatibility()
        .unwrap_err();
    assert!(error.message.contains("over 8 MiB"), "{}", error.message);
    assert!(error.message.contains("GET /config"), "{}", error.message);
}

/// A TLS server on loopback with a fresh self-signed certificate for `localhost`; answers
/// `{}` to every request it can read. Returns its port and the certificate (PEM).
fn tls_server() -> (u16, String) {
    use std::io::{Read, Write};
    use std::sync::Arc;
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let pem = certified.cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key)
    .unwrap();
    let config = Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let Ok(stream) = stream else { return };
            let connection = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(connection, stream);
            let mut buffer = [0u8; 4096];
            if tls.read(&mut buffer).is_ok() {
                let _ = tls.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
                );
            }
        }
    });
    (port, pem)
}

/// Issue 9: a TLS failure is said in words and not retried as if the registry did not answer;
/// a `ca_file` with no certificate is refused when the client is set up.
#[test]
fn tls_failures_are_explained_and_final() {
    let (port, pem) = tls_server();
    let mut settings = HttpSettings::new(&format!("https://localhost:{port}"));
    settings.retry = quick_retries(5);
    let client = HttpRegistry::new(&settings).unwrap();
    let error = client.global_compatibility().unwrap_err();
    assert!(
        error.message.contains("issuer evcat does not trust"),
        "{}",
        error.message
    );
    assert!(!error.message.contains("cannot reach"), "{}", error.message);
    assert_eq!(client.requests_sent(), 1, "a TLS failure is not retried");

    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    settings.ca_file = Some(empty);
    let error = HttpRegistry::new(&settings).err().expect("refused");
    assert!(
        error.message.contains("holds no PEM certificate"),
        "{}",
        error.message
    );

    // The certificate itself as the trusted CA: the handshake then succeeds.
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, pem).unwrap();
    settings.ca_file = Some(ca);
    let answer = HttpRegistry::new(&settings).unwrap().global_compatibility();
    assert!(
        answer
            .as_ref()
            .is_err_and(|error| error.message.contains("lacks a compatibility level")),
        "{answer:?}"
    );
}

/// Issue 9: a token HTTP cannot carry is a configuration error at once, without the token.
#[test]
fn unsendable_credentials_are_a_configuration_error() {
    let mut settings = HttpSettings::new("http://127.0.0.1:9");
    settings.credentials = Some(Credentials::Bearer("secret-token\n".to_string()));
    let error = HttpRegistry::new(&settings).err().expect("refused");
    assert!(error.message.contains("bearer token"), "{}", error.message);
    assert!(!error.message.contains("secret-token"), "{}", error.message);
}
