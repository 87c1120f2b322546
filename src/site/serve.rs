//! `evcat site serve`: the built site on loopback for previewing. A small static file server:
//! GET and HEAD only, paths kept inside the site's folder, a folder answered by its
//! `index.html`, every read and write under a timeout.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest request line read.
const MAX_LINE: u64 = 8 * 1024;

/// Serves `dir` on `listener` until the process ends; one thread per connection.
pub fn serve(listener: TcpListener, dir: PathBuf) -> std::io::Result<()> {
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of descriptors or similar: wait a little rather than spin.
            std::thread::sleep(Duration::from_millis(100));
            continue;
        };
        let dir = dir.clone();
        std::thread::spawn(move || {
            let _ = answer(stream, &dir);
        });
    }
    Ok(())
}

fn answer(mut stream: TcpStream, dir: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let mut line = String::new();
    BufReader::new(std::io::Read::take(&stream, MAX_LINE)).read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            b"GET only\n",
            true,
        );
    }
    match file_for(dir, target) {
        Some(file) => {
            let body = std::fs::read(&file)?;
            respond(
                &mut stream,
                "200 OK",
                content_type(&file),
                &body,
                method == "GET",
            )
        }
        None => respond(
            &mut stream,
            "404 Not Found",
            "text/plain",
            b"not found\n",
            true,
        ),
    }
}

/// The file a request path names, inside `dir`; a folder gives its `index.html`.
pub fn file_for(dir: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let relative = Path::new(decoded.trim_start_matches('/'));
    if relative
        .components()
        .any(|part| !matches!(part, Component::Normal(_)))
    {
        return None;
    }
    let mut file = dir.join(relative);
    if file.is_dir() {
        file = file.join("index.html");
    }
    // A symlink out of the folder is not served.
    let inside = file
        .canonicalize()
        .ok()?
        .starts_with(dir.canonicalize().ok()?);
    (inside && file.is_file()).then_some(file)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|extension| extension.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("xml") => "application/xml",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    kind: &str,
    body: &[u8],
    with_body: bool,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if with_body {
        stream.write_all(body)?;
    }
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_stay_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("events/a")).unwrap();
        std::fs::write(dir.path().join("events/a/index.html"), "x").unwrap();
        assert!(file_for(dir.path(), "/events/a/").is_some());
        assert!(file_for(dir.path(), "/events/a/index.html?x=1").is_some());
        assert!(file_for(dir.path(), "/../etc/passwd").is_none());
        assert!(file_for(dir.path(), "/%2e%2e/etc/passwd").is_none());
        assert!(file_for(dir.path(), "/missing").is_none());
    }
}
