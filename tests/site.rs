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

fn html_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            html_files(&path, found);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "html")
        {
            found.push(path);
        }
    }
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
