//! `evcat site build` on the example catalog in a Git repository: every page kind, escaping of
//! catalog text, the event page's content and history, the search index, and a link checker
//! over the whole site (every internal `href` and `src` resolves to a file).

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::run_in;

/// Every `href="…"` and `src="…"` of an HTML text.
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            rest = &rest[at + attribute.len()..];
            if let Some(end) = rest.find('"') {
                found.push(rest[..end].to_string());
            }
        }
    }
    found
}

fn files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, found);
        } else {
            found.push(path);
        }
    }
}

fn html_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    let mut all = Vec::new();
    files(dir, &mut all);
    found.extend(all.into_iter().filter(|path| {
        path.extension()
            .is_some_and(|extension| extension == "html")
    }));
}

#[test]
fn the_example_site_has_every_page_escapes_text_and_no_broken_links() {
    let fixture = common::example_site(
        "Settled <script>alert('x')</script> **money** [js](javascript:alert(1))",
    );
    let out = fixture.root().join("public");
    for page in [
        "index.html",
        "map/index.html",
        "domains/payments/index.html",
        "services/ledger/index.html",
        "teams/payments-team/index.html",
        "schemas/common/money.avsc/index.html",
        "events/payments/PaymentCaptured/index.html",
    ] {
        assert!(out.join(page).is_file(), "{page}");
    }
    let event =
        std::fs::read_to_string(out.join("events/payments/PaymentCaptured/index.html")).unwrap();
    assert!(
        event.contains("&lt;script&gt;alert"),
        "the description is shown as text"
    );
    assert!(
        !event.contains("<script>alert"),
        "no script from the catalog runs"
    );
    assert!(!event.contains("javascript:"), "no script links");
    assert!(
        event.contains("<strong>money</strong>"),
        "Markdown is rendered"
    );
    assert!(event.contains("payments-team"), "the owner");
    assert!(event.contains("ledger"), "a consumer");
    assert!(
        event.contains("<td><code>settlementId</code></td>"),
        "the field table"
    );
    assert!(
        event.contains("BREAKING (BACKWARD)"),
        "the history's verdict"
    );
    assert!(event.contains("<svg"), "the lineage diagram");
    assert!(
        event.contains("<title>PaymentCaptured · "),
        "a title per page"
    );
    let money = std::fs::read_to_string(out.join("schemas/common/money.avsc/index.html")).unwrap();
    assert!(
        money.contains("<td><code>currency</code></td>"),
        "a shared schema's fields"
    );
    assert!(
        money.contains("payments/PaymentCaptured"),
        "and the events using it"
    );
    // A shared Protobuf file has no payload message: each message's fields, under its name.
    let money_proto =
        std::fs::read_to_string(out.join("schemas/common/acme/common/v1/money.proto/index.html"))
            .unwrap();
    assert!(
        money_proto.contains("<td><code>Money.currency_code</code></td>"),
        "a shared Protobuf file's fields"
    );
    assert!(
        money_proto.contains("orders/OrderPlaced"),
        "and the events importing it"
    );
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.contains("settlementId without a default"),
        "recent changes"
    );
    let dictionary = std::fs::read_to_string(out.join("search/dict.js")).unwrap();
    assert!(
        dictionary.contains("\\nsettlementid\\n"),
        "field names are searchable"
    );

    let mut pages = Vec::new();
    html_files(&out, &mut pages);
    let mut broken = BTreeSet::new();
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        for link in links(&html) {
            let internal = !link.contains(':') && !link.starts_with('#');
            if internal {
                let target = page.parent().unwrap().join(link.split('#').next().unwrap());
                if !target.is_file() {
                    broken.insert(format!("{} -> {link}", page.display()));
                }
            }
        }
    }
    assert!(pages.len() > 30, "{} pages", pages.len());
    assert!(broken.is_empty(), "broken links: {broken:#?}");

    // A second build replaces the site; a folder evcat did not build is never replaced.
    let again = run_in(fixture.root(), &["site", "build", "--out", "public"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    fixture.write("notes/keep.txt", "mine");
    let refused = run_in(fixture.root(), &["site", "build", "--out", "notes"]);
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("not built by evcat"),
        "{}",
        refused.stderr
    );
    assert_eq!(fixture.read("notes/keep.txt"), "mine");
}

/// `evcat site serve` builds the site and serves it on loopback: pages by folder, assets with
/// their types, nothing outside the site's folder.
#[test]
fn serve_answers_pages_on_loopback_and_nothing_outside() {
    use std::io::{BufRead, BufReader, Read, Write};
    let fixture = common::Fixture::example();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_evcat"))
        .args([
            "--quiet",
            "site",
            "serve",
            "--out",
            "public",
            "--listen",
            "127.0.0.1:0",
        ])
        .current_dir(fixture.root())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start evcat site serve");
    struct Stop(std::process::Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stderr = child.stderr.take().expect("stderr");
    let child = Stop(child);
    let mut line = String::new();
    BufReader::new(stderr)
        .read_line(&mut line)
        .expect("startup line");
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    let get = |path: &str| {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    };
    let home = get("/");
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    assert!(home.contains("text/html") && home.contains("<!DOCTYPE html>"));
    let event = get("/events/payments/PaymentCaptured/");
    assert!(event.contains("PaymentCaptured"), "{event}");
    assert!(get("/assets/site.css").contains("text/css"));
    assert!(get("/../evcat.yaml").starts_with("HTTP/1.1 404"));
    assert!(get("/%2e%2e/evcat.yaml").starts_with("HTTP/1.1 404"));
    drop(child);
}

/// The site walks histories a batch of events at a time: batches of one give the same site,
/// file for file, as the command's batches (where the example's events are all in one).
#[test]
fn batches_of_histories_build_the_same_site() {
    let fixture = common::example_site("Settled.");
    let home = std::fs::read_to_string(fixture.path("public/index.html")).unwrap();
    assert!(
        home.contains("value schema v2"),
        "the second version is a recent change"
    );
    let tree = evcat::tree::DiskTree::new(fixture.root()).unwrap();
    let catalog = evcat::catalog::Catalog::load(Box::new(tree))
        .unwrap()
        .catalog;
    let repository = evcat::git::CatalogRepository::discover(fixture.root()).unwrap();
    let by_one = fixture.path("by-one");
    let options = evcat::site::SiteOptions {
        out: by_one.clone(),
        title: None,
        base_url: None,
        history_batch: 1,
    };
    evcat::site::build(&catalog, Some(&repository), &options).unwrap();
    let listing = |dir: &Path| {
        let mut found = Vec::new();
        files(dir, &mut found);
        let mut found: Vec<(std::path::PathBuf, Vec<u8>)> = found
            .into_iter()
            .map(|path| {
                let bytes = std::fs::read(&path).unwrap();
                (path.strip_prefix(dir).unwrap().to_path_buf(), bytes)
            })
            .collect();
        found.sort();
        found
    };
    let (whole, by_one) = (listing(&fixture.path("public")), listing(&by_one));
    assert_eq!(whole.len(), by_one.len());
    for ((path, bytes), (other, other_bytes)) in whole.iter().zip(&by_one) {
        assert_eq!(path, other);
        assert!(bytes == other_bytes, "{} differs", path.display());
    }
}
