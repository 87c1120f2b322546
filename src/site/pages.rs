//! The site's pages other than an event's: home, domain, service, team, shared schema and the
//! domain map. Each is a function of the discovery model to one page's HTML.

use std::collections::HashMap;

use maud::{html, Markup};

use super::layout::{markdown, page, Crumb, Frame, PagePath};
use super::svg::{self, Node};
use super::Site;
use crate::discover::{DomainEntry, ServiceEntry, SharedSchemaEntry, TeamEntry};

/// A link to an event's page with its id as the text.
pub fn event_link(from: &PagePath, id: &str) -> Markup {
    html! { a href=(from.link(&PagePath::event(id))) { (id) } }
}

pub fn service_link(from: &PagePath, name: &str) -> Markup {
    html! { a href=(from.link(&PagePath::service(name))) { (name) } }
}

pub fn team_link(from: &PagePath, id: &str) -> Markup {
    html! { a href=(from.link(&PagePath::team(id))) { (id) } }
}

pub fn domain_link(from: &PagePath, name: &str) -> Markup {
    html! { a href=(from.link(&PagePath::domain(name))) { (name) } }
}

/// A table of events: id, status, format and summary.
pub fn events_table(from: &PagePath, site: &Site<'_>, ids: &[String]) -> Markup {
    html! {
        @if ids.is_empty() {
            p { "None." }
        } @else {
            div.table { table {
                thead { tr { th { "Event" } th { "Status" } th { "Format" } th { "Summary" } } }
                tbody {
                    @for id in ids {
                        @if let Some(event) = site.discovery.event(id) {
                            tr {
                                td { (event_link(from, id)) }
                                td { (event.status.as_str()) }
                                td { (format!("{:?}", event.format).to_lowercase()) }
                                td { (event.summary.as_deref().unwrap_or("")) }
                            }
                        } @else {
                            tr { td { (id) } td colspan="3" { "not in the catalog" } }
                        }
                    }
                }
            } }
        }
    }
}

pub fn home(site: &Site<'_>) -> String {
    let path = PagePath::home();
    let discovery = site.discovery;
    let content = html! {
        h1 { (site.title) }
        @if let Some(description) = &discovery.description { (markdown(description)) }
        p {
            (discovery.events.len()) " events, " (discovery.services.len()) " services, "
            (discovery.domains.len()) " domains, " (discovery.teams.len()) " teams."
        }
        h2 { "Domains" }
        div.table { table {
            thead { tr { th { "Domain" } th { "Owner" } th { "Events" } th { "Services" } th { "Summary" } } }
            tbody {
                @for domain in &discovery.domains {
                    tr {
                        td { (domain_link(&path, &domain.name)) }
                        td { @if let Some(owner) = &domain.owner { (team_link(&path, owner)) } }
                        td { (domain.events.len()) }
                        td { (domain.services.len()) }
                        td { (domain.summary.as_deref().unwrap_or("")) }
                    }
                }
            }
        } }
        h2 { "Recent changes" }
        @if site.recent.is_empty() {
            p { "No history: the catalog is not in a Git repository with commits." }
        } @else {
            div.table { table {
                thead { tr { th { "When" } th { "Event" } th { "Change" } th { "Commit" } } }
                tbody {
                    @for change in &site.recent {
                        tr {
                            td { (change.date.get(..10).unwrap_or(&change.date)) }
                            td { (event_link(&path, &change.event)) }
                            td {
                                @if change.breaking { span.breaking { "breaking " } }
                                (change.what)
                            }
                            td { code { (change.commit) } " " (change.message) }
                        }
                    }
                }
            } }
        }
    };
    let frame = Frame {
        site_title: &site.title,
        path: &path,
        title: "Home",
        description: &format!(
            "The {} event catalog: {} events in {} domains.",
            site.title,
            discovery.events.len(),
            discovery.domains.len()
        ),
        crumbs: Vec::new(),
    };
    page(&frame, content)
}

pub fn domain(site: &Site<'_>, domain: &DomainEntry) -> String {
    let path = PagePath::domain(&domain.name);
    let flows_out: Vec<_> = site
        .discovery
        .flows
        .iter()
        .filter(|flow| flow.from == domain.name)
        .collect();
    let flows_in: Vec<_> = site
        .discovery
        .flows
        .iter()
        .filter(|flow| flow.to == domain.name)
        .collect();
    let content = html! {
        h1 { "Domain " (domain.name) }
        @if let Some(summary) = &domain.summary { p { (summary) } }
        @if let Some(description) = &domain.description { (markdown(description)) }
        dl.facts {
            dt { "Owner" }
            dd { @if let Some(owner) = &domain.owner { (team_link(&path, owner)) } @else { "not declared" } }
            @if !domain.tags.is_empty() { dt { "Tags" } dd { (domain.tags.join(", ")) } }
        }
        h2 { "Events" }
        (events_table(&path, site, &domain.events))
        h2 { "Services" }
        ul.plain { @for service in &domain.services { li { (service_link(&path, service)) } } }
        h2 { "Flows to other domains" }
        ul.plain {
            @for flow in &flows_out {
                li { "to " (domain_link(&path, &flow.to)) ": " (flow.events.len()) " events" }
            }
            @if flows_out.is_empty() { li { "none" } }
        }
        h2 { "Flows from other domains" }
        ul.plain {
            @for flow in &flows_in {
                li { "from " (domain_link(&path, &flow.from)) ": " (flow.events.len()) " events" }
            }
            @if flows_in.is_empty() { li { "none" } }
        }
    };
    let frame = Frame {
        site_title: &site.title,
        path: &path,
        title: &domain.name,
        description: &format!(
            "Domain {}: {} events, {} services.",
            domain.name,
            domain.events.len(),
            domain.services.len()
        ),
        crumbs: vec![Crumb::new("Home", PagePath::home())],
    };
    page(&frame, content)
}

pub fn service(site: &Site<'_>, service: &ServiceEntry) -> String {
    let path = PagePath::service(&service.name);
    let node = |id: &String| Node {
        label: id.clone(),
        href: Some(path.link(&PagePath::event(id))),
        note: None,
    };
    let consumed: Vec<Node> = service.consumes.iter().map(node).collect();
    let produced: Vec<Node> = service.produces.iter().map(node).collect();
    let subject = Node {
        label: service.name.clone(),
        href: None,
        note: None,
    };
    let content = html! {
        h1 { "Service " (service.name) }
        @if let Some(summary) = &service.summary { p { (summary) } }
        dl.facts {
            dt { "Domain" } dd { (domain_link(&path, &service.domain)) }
            dt { "Owner" }
            dd { @if let Some(owner) = &service.owner { (team_link(&path, owner)) } @else { "not declared" } }
            @if let Some(repository) = &service.repository {
                dt { "Repository" }
                dd {
                    @if repository.starts_with("https://") || repository.starts_with("http://") {
                        a href=(repository) { (repository) }
                    } @else { (repository) }
                }
            }
        }
        h2 { "Lineage" }
        div.diagram { (svg::lineage(&consumed, &subject, &produced, ["Consumes", "Produces"])) }
        h2 { "Produces" }
        (events_table(&path, site, &service.produces))
        h2 { "Consumes" }
        (events_table(&path, site, &service.consumes))
    };
    let frame = Frame {
        site_title: &site.title,
        path: &path,
        title: &service.name,
        description: &format!(
            "Service {}: produces {} events, consumes {}.",
            service.name,
            service.produces.len(),
            service.consumes.len()
        ),
        crumbs: vec![
            Crumb::new("Home", PagePath::home()),
            Crumb::new(&service.domain, PagePath::domain(&service.domain)),
        ],
    };
    page(&frame, content)
}

pub fn team(site: &Site<'_>, team: &TeamEntry) -> String {
    let path = PagePath::team(&team.id);
    let content = html! {
        h1 { "Team " (team.id) }
        dl.facts {
            @if let Some(name) = &team.name { dt { "Name" } dd { (name) } }
            @if let Some(email) = &team.email { dt { "Email" } dd { a href=(format!("mailto:{email}")) { (email) } } }
            @if let Some(slack) = &team.slack { dt { "Slack" } dd { (slack) } }
            dt { "Domains" }
            dd { @for (i, domain) in team.domains.iter().enumerate() { @if i > 0 { ", " } (domain_link(&path, domain)) } }
        }
        h2 { "Events owned" }
        (events_table(&path, site, &team.events))
        h2 { "Services owned" }
        ul.plain { @for service in &team.services { li { (service_link(&path, service)) } } }
        h2 { "Events its services consume" }
        (events_table(&path, site, &team.consumes))
    };
    let frame = Frame {
        site_title: &site.title,
        path: &path,
        title: &team.id,
        description: &format!("Team {}: owns {} events.", team.id, team.events.len()),
        crumbs: vec![Crumb::new("Home", PagePath::home())],
    };
    page(&frame, content)
}

pub fn shared_schema(site: &Site<'_>, schema: &SharedSchemaEntry) -> String {
    let path = PagePath::schema(&schema.path);
    let content = html! {
        h1 { "Shared schema " code { (schema.path) } }
        dl.facts {
            dt { "Domain" } dd { (domain_link(&path, &schema.domain)) }
        }
        h2 { "Fields" }
        @if schema.fields.is_empty() {
            p { "None read: the file defines no record or message, or does not compile (" code { "evcat lint" } " says why)." }
        } @else {
            (super::event_page::field_table(&schema.fields))
        }
        h2 { "Used by" }
        (events_table(&path, site, &schema.used_by))
    };
    let frame = Frame {
        site_title: &site.title,
        path: &path,
        title: &schema.path,
        description: &format!(
            "Shared schema {}, used by {} events.",
            schema.path,
            schema.used_by.len()
        ),
        crumbs: vec![
            Crumb::new("Home", PagePath::home()),
            Crumb::new(&schema.domain, PagePath::domain(&schema.domain)),
        ],
    };
    page(&frame, content)
}

pub fn domain_map(site: &Site<'_>) -> String {
    let path = PagePath::map();
    let discovery = site.discovery;
    let mut volume: HashMap<&str, usize> = HashMap::new();
    for flow in &discovery.flows {
        *volume.entry(&flow.from).or_default() += flow.events.len();
        *volume.entry(&flow.to).or_default() += flow.events.len();
    }
    let mut busiest: Vec<&str> = discovery.domains.iter().map(|d| d.name.as_str()).collect();
    busiest.sort_by_key(|name| std::cmp::Reverse(volume.get(name).copied().unwrap_or(0)));
    busiest.truncate(svg::MAP_DOMAINS);
    let position: HashMap<&str, usize> = busiest
        .iter()
        .enumerate()
        .map(|(index, name)| (*name, index))
        .collect();
    let nodes: Vec<Node> = busiest
        .iter()
        .map(|name| Node {
            label: name.to_string(),
            href: Some(path.link(&PagePath::domain(name))),
            note: None,
        })
        .collect();
    let flows: Vec<svg::Flow> = discovery
        .flows
        .iter()
        .filter_map(|flow| {
            Some(svg::Flow {
                from: *position.get(flow.from.as_str())?,
                to: *position.get(flow.to.as_str())?,
                count: flow.events.len(),
            })
        })
        .collect();
    let content = html! {
        h1 { "Domain map" }
        p {
            "Events flowing from a producer in one domain to a consumer in another. "
            @if discovery.domains.len() > svg::MAP_DOMAINS {
                "The drawing shows the " (svg::MAP_DOMAINS) " busiest of "
                (discovery.domains.len()) " domains; the table lists every flow."
            }
        }
        div.diagram { (svg::domain_map(&nodes, &flows)) }
        h2 { "Flows" }
        div.table { table {
            thead { tr { th { "From" } th { "To" } th { "Events" } } }
            tbody {
                @for flow in &discovery.flows {
                    tr {
                        td { (domain_link(&path, &flow.from)) }
                        td { (domain_link(&path, &flow.to)) }
                        td { (flow.events.len()) }
                    }
                }
            }
        } }
    };
    let frame = Frame {
        site_title: &site.title,
        path: &path,
        title: "Domain map",
        description: "Event flows between the catalog's domains.",
        crumbs: vec![Crumb::new("Home", PagePath::home())],
    };
    page(&frame, content)
}
