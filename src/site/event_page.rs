//! An event's page: everything a reader needs about one event, from the discovery model, its
//! schema sources and its history in Git.

use maud::{html, Markup};

use super::highlight;
use super::layout::{markdown, page, Crumb, Frame, PagePath};
use super::pages::{domain_link, service_link, team_link};
use super::svg::{self, Node};
use super::Site;
use crate::discover::EventEntry;
use crate::formats::fields::Field;
use crate::history::EventHistory;

pub fn event(site: &Site<'_>, event: &EventEntry, history: Option<&EventHistory>) -> String {
    let path = PagePath::event(&event.id);
    let deprecated = event.status.as_str() == "deprecated";
    let content = html! {
        h1 { (event.name) }
        @if deprecated {
            p.deprecated {
                "Deprecated: do not start consuming this event."
                @if let Some(deprecation) = &event.deprecation {
                    @if let Some(sunset) = &deprecation.sunset { " Sunset: " (sunset) "." }
                    @if let Some(replacement) = &deprecation.replacement {
                        " Move to "
                        @if site.discovery.event(replacement).is_some() {
                            a href=(path.link(&PagePath::event(replacement))) { (replacement) }
                        } @else { (replacement) }
                        "."
                    }
                }
            }
        }
        @if let Some(summary) = &event.summary { p { (summary) } }
        @if let Some(description) = &event.description { (markdown(description)) }
        (facts(site, &path, event))
        h2 { "Lineage" }
        div.diagram { (lineage(site, &path, event)) }
        h2 { "Producers and consumers" }
        div.table { table {
            thead { tr { th { "Service" } th { "Role" } th { "Team" } th { "Contacts" } } }
            tbody {
                @for (service, role) in event.producers.iter().map(|s| (s, "produces"))
                    .chain(event.consumers.iter().map(|s| (s, "consumes"))) {
                    @let team = site.discovery.service(service).and_then(|s| s.owner.clone());
                    @let contacts = team.as_deref().and_then(|t| site.discovery.team(t))
                        .map(|t| [t.email.clone(), t.slack.clone()].into_iter().flatten()
                            .collect::<Vec<_>>().join(", "))
                        .unwrap_or_default();
                    tr {
                        td { (service_link(&path, service)) }
                        td { (role) }
                        td { @if let Some(team) = &team { (team_link(&path, team)) } }
                        td { (contacts) }
                    }
                }
            }
        } }
        h2 { "Fields" }
        (field_table(&event.fields))
        @if !event.key_fields.is_empty() {
            h3 { "Key fields" }
            (field_table(&event.key_fields))
        }
        h2 { "Schema" }
        (source(site, event, &event.schema, "schema-source"))
        @if let Some(key) = &event.key_schema {
            h3 { "Key schema" }
            (source(site, event, key, "key-source"))
        }
        @if !event.shared_schemas.is_empty() {
            h3 { "Shared schemas used" }
            ul.plain {
                @for shared in &event.shared_schemas {
                    li { a href=(path.link(&PagePath::schema(shared))) { code { (shared) } } }
                }
            }
        }
        @if !event.examples.is_empty() {
            h2 { "Examples" }
            @for (index, example) in event.examples.iter().enumerate() {
                h3 { code { (example) } }
                (source(site, event, example, &format!("example-{index}")))
            }
        }
        h2 { "History" }
        (history_section(history))
    };
    let frame = Frame {
        site_title: &site.title,
        path: &path,
        title: &event.name,
        description: event
            .summary
            .as_deref()
            .unwrap_or("An event of the catalog."),
        crumbs: vec![
            Crumb::new("Home", PagePath::home()),
            Crumb::new(&event.domain, PagePath::domain(&event.domain)),
        ],
    };
    page(&frame, content)
}

fn facts(site: &Site<'_>, path: &PagePath, event: &EventEntry) -> Markup {
    html! {
        dl.facts {
            dt { "Domain" } dd { (domain_link(path, &event.domain)) }
            dt { "Owner" }
            dd {
                @if let Some(owner) = &event.owner {
                    (team_link(path, owner))
                    @if let Some(team) = site.discovery.team(owner) {
                        @if let Some(email) = &team.email { " · " a href=(format!("mailto:{email}")) { (email) } }
                        @if let Some(slack) = &team.slack { " · " (slack) }
                    }
                } @else { "not declared" }
            }
            dt { "Status" } dd { span.badge { (event.status.as_str()) } }
            dt { "Format" } dd { (format!("{:?}", event.format).to_lowercase()) }
            dt { "Compatibility" } dd { (event.compatibility.as_str()) }
            dt { "Topics" } dd { @for topic in &event.topics { code { (topic) } " " } }
            dt { "Subjects" }
            dd {
                @for subject in &event.subjects { code { (subject.subject) } " (" (subject.role.as_str()) ") " }
                @if !site.discovery.environments.is_empty() {
                    br; small { "in each environment: " (site.discovery.environments.join(", ")) }
                }
            }
            @if !event.tags.is_empty() { dt { "Tags" } dd { (event.tags.join(", ")) } }
            @if let Some(classification) = &event.classification {
                dt { "Classification" } dd { (classification.as_str()) }
            }
            @if let Some(sla) = &event.sla {
                dt { "SLA" }
                dd {
                    @for (label, value) in [("availability", &sla.availability), ("freshness", &sla.freshness), ("retention", &sla.retention)] {
                        @if let Some(value) = value { (label) " " strong { (value) } " " }
                    }
                }
            }
            @if let Some(terms) = &event.terms {
                @for (label, value) in [("Purpose", &terms.purpose), ("Usage", &terms.usage), ("Limitations", &terms.limitations)] {
                    @if let Some(value) = value { dt { (label) } dd { (value) } }
                }
            }
            @if let Some(deprecation) = &event.deprecation {
                dt { "Deprecation" }
                dd {
                    @if let Some(since) = &deprecation.since { "since " (since) " " }
                    @if let Some(sunset) = &deprecation.sunset { "· sunset " (sunset) " " }
                }
            }
        }
    }
}

fn lineage(site: &Site<'_>, path: &PagePath, event: &EventEntry) -> Markup {
    let node = |service: &String| Node {
        label: service.clone(),
        href: Some(path.link(&PagePath::service(service))),
        note: site
            .discovery
            .service(service)
            .and_then(|s| s.owner.clone()),
    };
    let producers: Vec<Node> = event.producers.iter().map(node).collect();
    let consumers: Vec<Node> = event.consumers.iter().map(node).collect();
    let subject = Node {
        label: event.id.clone(),
        href: None,
        note: None,
    };
    svg::lineage(&producers, &subject, &consumers, ["Producers", "Consumers"])
}

pub fn field_table(fields: &[Field]) -> Markup {
    html! {
        @if fields.is_empty() {
            p { "No fields (the schema did not compile, or has none): run " code { "evcat lint" } "." }
        } @else {
            div.table { table {
                thead { tr { th { "Field" } th { "Type" } th { "Required" } th { "Default" } th { "Classification" } th { "Doc" } } }
                tbody {
                    @for field in fields {
                        tr {
                            td { code { (field.path) } }
                            td { code { (field.type_name) } }
                            td { (if field.required { "yes" } else { "no" }) }
                            td { @if let Some(default) = &field.default { code { (default.to_string()) } } }
                            td { @if field.classification.is_some() || !field.tags.is_empty() {
                                span.classified { (field.sensitivity_label()) }
                            } }
                            td { (field.doc.as_deref().unwrap_or("")) }
                        }
                    }
                }
            } }
        }
    }
}

fn source(site: &Site<'_>, event: &EventEntry, file: &str, id: &str) -> Markup {
    let text = crate::tree::CatalogPath::parse(file)
        .ok()
        .and_then(|path| site.catalog.read_text(&path).ok());
    let format = if file.ends_with(".proto") {
        event.format
    } else {
        crate::catalog::Format::Json
    };
    html! {
        @match text {
            Some(text) => {
                button.copy type="button" data-target=(id) hidden { "Copy" }
                pre { code #(id) { (highlight::source(format, &text)) } }
            }
            None => p { "Could not read " code { (file) } ": run " code { "evcat lint" } "." },
        }
    }
}

fn history_section(history: Option<&EventHistory>) -> Markup {
    let Some(history) = history else {
        return html! { p { "No history: the catalog is not in a Git repository with commits." } };
    };
    html! {
        @if !history.complete {
            p { "History stops at a shallow clone or the walk's limit: older versions are not shown." }
        }
        div.table { table {
            thead { tr { th { "Version" } th { "Commit" } th { "Verdict" } th { "Differences" } } }
            tbody {
                @for version in history.versions.iter().rev() {
                    tr {
                        td { (version.role.as_str()) " v" (version.number) }
                        td {
                            code { (version.commit.short) } " "
                            (version.commit.date.get(..10).unwrap_or(&version.commit.date)) " "
                            (version.commit.author) br; (version.commit.message)
                        }
                        td {
                            @match (&version.verdict, &version.problem) {
                                (Some(verdict), _) if verdict.compatible => span.compatible { "compatible (" (version.level.as_str()) ")" },
                                (Some(_), _) => span.breaking { "BREAKING (" (version.level.as_str()) ")" },
                                (None, Some(problem)) => (problem),
                                (None, None) => "first version",
                            }
                        }
                        td {
                            @if let Some(verdict) = &version.verdict {
                                ul.plain {
                                    @for difference in &verdict.differences {
                                        li {
                                            code { (difference.kind) } " at " code { (difference.path) }
                                            @if let Some(line) = difference.line { " (line " (line) ")" }
                                            ": " (difference.why)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } }
        @if !history.changes.is_empty() {
            h3 { "Manifest changes" }
            ul.plain {
                @for change in history.changes.iter().rev() {
                    li {
                        (change.commit.date.get(..10).unwrap_or(&change.commit.date)) " "
                        code { (change.commit.short) } ": " (change.what.join("; "))
                    }
                }
            }
        }
    }
}
