//! Where each page lives and the chrome every page shares: header with search, breadcrumbs,
//! footer. Links are relative (`../../events/d/E/index.html`), so the site works from any base
//! path, from a static host and from `file://`.

use maud::{html, Markup, PreEscaped, DOCTYPE};

/// A page's file in the site, `/`-separated (`events/payments/PaymentCaptured/index.html`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PagePath(String);

impl PagePath {
    pub fn home() -> PagePath {
        PagePath("index.html".into())
    }

    /// A page at `segments/.../index.html`; each segment made safe for a file name and a URL.
    pub fn of(segments: &[&str]) -> PagePath {
        let mut path: Vec<String> = segments.iter().map(|segment| segment_of(segment)).collect();
        path.push("index.html".into());
        PagePath(path.join("/"))
    }

    pub fn event(id: &str) -> PagePath {
        let (domain, name) = id.split_once('/').unwrap_or(("", id));
        PagePath::of(&["events", domain, name])
    }

    pub fn domain(name: &str) -> PagePath {
        PagePath::of(&["domains", name])
    }

    pub fn service(name: &str) -> PagePath {
        PagePath::of(&["services", name])
    }

    pub fn team(id: &str) -> PagePath {
        PagePath::of(&["teams", id])
    }

    /// A shared schema by its catalog path (`domains/common/schemas/money.avsc`).
    pub fn schema(path: &str) -> PagePath {
        let inside = path.strip_prefix("domains/").unwrap_or(path);
        let mut segments = vec!["schemas"];
        segments.extend(inside.split('/').filter(|part| *part != "schemas"));
        PagePath::of(&segments)
    }

    pub fn map() -> PagePath {
        PagePath::of(&["map"])
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How to reach the site's root from this page (`../../`).
    pub fn to_root(&self) -> String {
        "../".repeat(self.0.matches('/').count())
    }

    /// A link from this page to `target`.
    pub fn link(&self, target: &PagePath) -> String {
        format!("{}{}", self.to_root(), target.0)
    }

    /// A link from this page to a file of the site (`assets/site.css`).
    pub fn asset(&self, file: &str) -> String {
        format!("{}{file}", self.to_root())
    }
}

/// A name as a path segment: kept when it is plain (letters, digits, `.`, `_`, `-`, not only
/// dots), else its bytes in hex behind `_x`, so no name can climb out of the site or need
/// escaping in a URL.
fn segment_of(name: &str) -> String {
    let plain = !name.is_empty()
        && !name.starts_with("_x")
        && name.chars().any(|c| c != '.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if plain {
        name.to_string()
    } else {
        let hex: String = name.bytes().map(|byte| format!("{byte:02x}")).collect();
        format!("_x{hex}")
    }
}

/// A step of the breadcrumbs: a label and the page it links to.
pub struct Crumb {
    pub label: String,
    pub target: PagePath,
}

impl Crumb {
    pub fn new(label: impl Into<String>, target: PagePath) -> Crumb {
        Crumb {
            label: label.into(),
            target,
        }
    }
}

/// What every page has besides its content.
pub struct Frame<'a> {
    pub site_title: &'a str,
    pub path: &'a PagePath,
    pub title: &'a str,
    pub description: &'a str,
    pub crumbs: Vec<Crumb>,
}

pub fn page(frame: &Frame<'_>, content: Markup) -> String {
    let path = frame.path;
    let markup = html! {
        (DOCTYPE)
        html lang="en" data-root=(path.to_root()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (frame.title) " · " (frame.site_title) }
                meta name="description" content=(frame.description);
                link rel="stylesheet" href=(path.asset("assets/site.css"));
                script defer src=(path.asset("assets/search.js")) {}
            }
            body {
                (super::svg::definitions())
                header.site {
                    a.brand href=(path.link(&PagePath::home())) { (frame.site_title) }
                    nav aria-label="Site" {
                        a href=(path.link(&PagePath::map())) { "Domain map" }
                    }
                    div.search role="search" {
                        label for="search" class="hidden" { "Search the catalog" }
                        input #search type="search" placeholder="Search events, fields, teams… (/)"
                            autocomplete="off" aria-controls="search-results";
                        ol #search-results role="listbox" hidden {}
                    }
                }
                nav.crumbs aria-label="Breadcrumbs" {
                    ol {
                        @for crumb in &frame.crumbs {
                            li { a href=(path.link(&crumb.target)) { (crumb.label) } }
                        }
                        li aria-current="page" { (frame.title) }
                    }
                }
                main { (content) }
                footer { "Built by evcat from the catalog in Git. Search needs JavaScript; everything else does not." }
            }
        }
    };
    markup.into_string()
}

/// Text from the catalog as Markdown: rendered, with raw HTML shown as text and links kept only
/// when they go to the web, mail or a relative place (no `javascript:`).
pub fn markdown(text: &str) -> Markup {
    use pulldown_cmark::{CowStr, Event, Parser, Tag};
    let safe_url = |url: &CowStr<'_>| {
        let lower = url.to_ascii_lowercase();
        let scheme = lower.split_once(':').map(|(scheme, _)| scheme.to_string());
        match scheme {
            None => true,
            Some(scheme) => {
                matches!(scheme.as_str(), "http" | "https" | "mailto")
                    || scheme.contains(['/', '?', '#'])
            }
        }
    };
    let events = Parser::new(text).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            title,
            id,
            ..
        }) => Event::Start(Tag::Link {
            // Images would be fetched when the page is viewed: shown as links instead.
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        Event::End(pulldown_cmark::TagEnd::Image) => Event::End(pulldown_cmark::TagEnd::Link),
        other => other,
    });
    let mut rendered = String::new();
    pulldown_cmark::html::push_html(&mut rendered, events);
    PreEscaped(rendered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_and_names_cannot_escape() {
        let event = PagePath::event("payments/PaymentCaptured");
        assert_eq!(event.as_str(), "events/payments/PaymentCaptured/index.html");
        assert_eq!(event.link(&PagePath::home()), "../../../index.html");
        assert_eq!(
            PagePath::schema("domains/common/schemas/acme/money.proto").as_str(),
            "schemas/common/acme/money.proto/index.html"
        );
        assert_eq!(PagePath::of(&[".."]).as_str(), "_x2e2e/index.html");
        assert_eq!(PagePath::of(&["a b"]).as_str(), "_x612062/index.html");
    }

    #[test]
    fn markdown_shows_raw_html_as_text_and_drops_script_links() {
        let rendered =
            markdown("**Bold** <script>alert(1)</script> [x](javascript:alert(1))").into_string();
        assert!(rendered.contains("<strong>Bold</strong>"), "{rendered}");
        assert!(rendered.contains("&lt;script&gt;"), "{rendered}");
        assert!(!rendered.contains("javascript:"), "{rendered}");
    }
}
