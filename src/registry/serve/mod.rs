//! `evcat registry serve`: the embedded registry over Confluent Schema Registry's REST API.
//!
//! Connections are served concurrently on one async thread; each request then runs on a small
//! pool of blocking threads (`routes`), so a slow compatibility verdict never stalls the
//! server. Reads share the store's lock; writes take it alone, and a registration computes its
//! verdict under the shared lock first, writing only if nothing changed meanwhile.
//! On loopback by default. Bodies use the vendor content type and Confluent's error shape
//! `{"error_code", "message"}`.

mod routes;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{json, Value};

use super::store::{RegistryError, Store};

const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// How many requests run at once (each on a blocking thread of its own).
const REQUEST_THREADS: usize = 8;

/// How long to wait after `accept` fails (out of file descriptors, say) before trying again:
/// retrying at once would spin the processor.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ServeError {
    #[error("cannot open the registry: {0}")]
    #[diagnostic(code(evcat::registry))]
    Store(#[from] RegistryError),
    #[error("cannot listen on {address}: {message}")]
    #[diagnostic(
        code(evcat::listen),
        help("pick another address, e.g. --listen 127.0.0.1:0 for any free port")
    )]
    Listen {
        address: SocketAddr,
        message: String,
    },
}

/// A running server's settings.
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// `user:password` that requests must present with HTTP basic auth.
    pub basic_auth: Option<String>,
    /// How long a client may take to send a request's headers, and how long a kept-alive
    /// connection may sit idle before its next request: past it, the connection is closed.
    pub header_timeout: Duration,
    /// Testing aid: answer this many first requests with 503 (`Retry-After: 0`), as an overloaded
    /// registry would, so clients' retries can be exercised against a real server.
    pub fail_first: u32,
    /// Testing aid: wait this long before each registration, as a slow registry would, so a
    /// push can be interrupted midway.
    pub delay_writes: Duration,
    /// How requests are answered (testing aids that imitate other registries).
    pub behaviour: Behaviour,
}

/// Testing aids that make the server behave like a slower or a different registry.
#[derive(Clone, Debug, Default)]
pub struct Behaviour {
    /// Take this long over each compatibility verdict, as a slow comparison would.
    pub delay_checks: Duration,
    /// Answer like Karapace: no all-versions compatibility endpoint (a plain 404), and no
    /// references for JSON Schemas (422 with error code 44302).
    pub karapace_dialect: bool,
}

/// What every request shares.
pub(crate) struct Shared {
    store: RwLock<Store>,
    /// The `user:password` basic auth must present.
    expected_credentials: Option<Vec<u8>>,
    failures_left: AtomicU32,
    delay_writes: Duration,
    behaviour: Behaviour,
}

/// Serves until the process ends. Prints the address it listens on (a port of 0 is resolved),
/// and a warning when it listens beyond loopback without authentication.
pub fn serve(mut store: Store, options: &ServeOptions) -> Result<(), ServeError> {
    // Each write is synced after its lock is released, before it is answered (see routes).
    store.sync_by_caller();
    let listen_error = |error: std::io::Error| ServeError::Listen {
        address: options.listen,
        message: error.to_string(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(REQUEST_THREADS)
        .build()
        .map_err(listen_error)?;
    let shared = Arc::new(Shared {
        store: RwLock::new(store),
        expected_credentials: options
            .basic_auth
            .as_ref()
            .map(|credentials| credentials.as_bytes().to_vec()),
        failures_left: AtomicU32::new(options.fail_first),
        delay_writes: options.delay_writes,
        behaviour: options.behaviour.clone(),
    });
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(listen_error)?;
        let address = listener.local_addr().map_err(listen_error)?;
        eprintln!("evcat registry listening on http://{address}");
        if !address.ip().is_loopback() && shared.expected_credentials.is_none() {
            eprintln!(
                "warning: listening on {address}, beyond this machine, without authentication: \
                 anyone who reaches it can change the registry (use --basic-auth-env)"
            );
        }
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                // A failed accept may concern one client (gone before we took it) or the
                // process (no file descriptors left): either way, wait a little, not spin.
                Err(_) => {
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            };
            let shared = shared.clone();
            let header_timeout = options.header_timeout;
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let shared = shared.clone();
                    async move { Ok::<_, std::convert::Infallible>(answer(shared, request).await) }
                });
                // A connection that breaks mid-request, or times out, concerns that client only.
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(header_timeout)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

/// Whether a request's `Authorization` header presents the expected basic credentials. The
/// scheme name is case-insensitive (RFC 9110); the credentials are compared decoded.
fn authorized(shared: &Shared, request: &hyper::Request<Incoming>) -> bool {
    let Some(expected) = &shared.expected_credentials else {
        return true;
    };
    let Some(header) = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, encoded)) = header.trim().split_once(' ') else {
        return false;
    };
    scheme.eq_ignore_ascii_case("basic")
        && base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .is_ok_and(|decoded| decoded == *expected)
}

async fn answer(
    shared: Arc<Shared>,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let injected_failure = shared
        .failures_left
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
            left.checked_sub(1)
        })
        .is_ok();
    if injected_failure {
        let body = error_body(50003, "Service unavailable (injected)");
        return response(503, &body, Some(("Retry-After", "0")));
    }
    let method = request.method().clone();
    let url = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_string(),
        |path| path.as_str().to_string(),
    );
    let authorized = authorized(&shared, &request);
    // A schema is small; a body past the catalog's file limit is refused, not read on.
    let limit = usize::try_from(crate::tree::MAX_FILE_BYTES).unwrap_or(usize::MAX);
    let bytes = match Limited::new(request.into_body(), limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return response(413, &error_body(413, "Request body too large"), None),
    };
    if !authorized {
        return response(401, &error_body(40101, "Unauthorized"), None);
    }
    // Altering the bytes (a lossy decoding) would register a schema nobody sent.
    let Ok(body) = String::from_utf8(bytes.to_vec()) else {
        return response(
            422,
            &error_body(42201, "Invalid request body: it is not UTF-8 text"),
            None,
        );
    };
    if routes::is_registration(&method, &url) && !shared.delay_writes.is_zero() {
        tokio::time::sleep(shared.delay_writes).await;
    }
    let blocking = shared.clone();
    let answered =
        tokio::task::spawn_blocking(move || routes::handle_shared(&blocking, method, url, body))
            .await;
    match answered {
        Ok((status, body)) => response(status, &body, None),
        Err(_) => response(500, &error_body(50001, "Internal error"), None),
    }
}

fn response(
    status: u16,
    body: &Value,
    extra_header: Option<(&'static str, &'static str)>,
) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder()
        .status(status)
        .header(hyper::header::CONTENT_TYPE, CONTENT_TYPE);
    if let Some((name, value)) = extra_header {
        builder = builder.header(name, value);
    }
    let body = Full::new(Bytes::from(body.to_string()));
    // Every status here is a valid code and every header a valid static name and value.
    builder
        .body(body.clone())
        .unwrap_or_else(|_| hyper::Response::new(body))
}

fn error_body(code: u32, message: &str) -> Value {
    json!({ "error_code": code, "message": message })
}
