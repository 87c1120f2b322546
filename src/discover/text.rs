//! Terminal renderings of the discovery model: aligned tables cut to the terminal's width, and
//! the one-screen view of an entity for `evcat show`. Control characters in catalog text are
//! replaced, so a description cannot move the cursor or recolour the terminal.

use std::fmt::Write as _;

use super::lookup::Entity;
use super::{Discovery, EventEntry};
use crate::formats::fields::Field;

pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Columns padded to their widest cell; each line cut to `width` characters (with `…`)
    /// when a width is given; the header bold when `color`.
    pub fn render(&self, width: Option<usize>, color: bool) -> String {
        let cells: Vec<Vec<String>> = std::iter::once(
            self.headers
                .iter()
                .map(|header| header.to_string())
                .collect(),
        )
        .chain(
            self.rows
                .iter()
                .map(|row| row.iter().map(|cell| clean(cell)).collect()),
        )
        .collect();
        let mut widths = vec![0; self.headers.len()];
        for row in &cells {
            for (index, cell) in row.iter().enumerate() {
                widths[index] = widths[index].max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for (line_number, row) in cells.iter().enumerate() {
            let mut line = String::new();
            for (index, cell) in row.iter().enumerate() {
                if index + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    let _ = write!(line, "{cell:<width$}  ", width = widths[index]);
                }
            }
            let line = line.trim_end();
            let line = match width {
                Some(width) if line.chars().count() > width => {
                    let mut cut: String = line.chars().take(width.saturating_sub(1)).collect();
                    cut.push('…');
                    cut
                }
                _ => line.to_string(),
            };
            if line_number == 0 && color {
                let _ = writeln!(out, "\u{1b}[1m{line}\u{1b}[0m");
            } else {
                let _ = writeln!(out, "{line}");
            }
        }
        out
    }
}

/// One line, without control characters.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn optional(text: &Option<String>) -> String {
    text.as_deref().map(clean).unwrap_or_else(|| "-".into())
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        clean(&items.join(", "))
    }
}

/// A service with its owning team and the team's contacts.
fn service_with_team(discovery: &Discovery, name: &str) -> String {
    let Some(service) = discovery.service(name) else {
        return format!("{} (not declared)", clean(name));
    };
    let Some(owner) = &service.owner else {
        return clean(name);
    };
    format!("{} ({})", clean(name), team_with_contacts(discovery, owner))
}

pub fn team_with_contacts(discovery: &Discovery, id: &str) -> String {
    let team = discovery.team(id);
    clean(&crate::catalog::describe_team(
        id,
        team.and_then(|team| team.email.as_deref()),
        team.and_then(|team| team.slack.as_deref()),
    ))
}

pub fn fields_table(fields: &[Field]) -> Table {
    Table {
        headers: vec![
            "FIELD",
            "TYPE",
            "REQUIRED",
            "DEFAULT",
            "CLASSIFICATION",
            "DOC",
        ],
        rows: fields
            .iter()
            .map(|field| {
                vec![
                    field.path.clone(),
                    field.type_name.clone(),
                    if field.required { "yes" } else { "no" }.into(),
                    field
                        .default
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    field.sensitivity_label(),
                    field.doc.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

/// `recent`: the event's last changes from Git, a line each (empty outside a repository).
pub fn show(
    discovery: &Discovery,
    entity: &Entity<'_>,
    recent: &[String],
    width: Option<usize>,
) -> String {
    match entity {
        Entity::Event(event) => show_event(discovery, event, recent, width),
        Entity::Service(service) => {
            let mut out = format!("service {}\n", clean(&service.name));
            let _ = writeln!(out, "  domain:      {}", clean(&service.domain));
            let owner = service
                .owner
                .as_deref()
                .map(|o| team_with_contacts(discovery, o));
            let _ = writeln!(out, "  owner:       {}", optional(&owner));
            let _ = writeln!(out, "  summary:     {}", optional(&service.summary));
            let _ = writeln!(out, "  repository:  {}", optional(&service.repository));
            let _ = writeln!(out, "  tags:        {}", list(&service.tags));
            let _ = writeln!(out, "  produces:    {}", list(&service.produces));
            let _ = writeln!(out, "  consumes:    {}", list(&service.consumes));
            out
        }
        Entity::Domain(domain) => {
            let mut out = format!("domain {}\n", clean(&domain.name));
            let owner = domain
                .owner
                .as_deref()
                .map(|o| team_with_contacts(discovery, o));
            let _ = writeln!(out, "  owner:       {}", optional(&owner));
            let _ = writeln!(out, "  summary:     {}", optional(&domain.summary));
            let _ = writeln!(out, "  services:    {}", list(&domain.services));
            let _ = writeln!(out, "  events:      {}", list(&domain.events));
            for flow in &discovery.flows {
                if flow.from == domain.name || flow.to == domain.name {
                    let _ = writeln!(
                        out,
                        "  flow:        {} -> {} ({} events)",
                        clean(&flow.from),
                        clean(&flow.to),
                        flow.events.len()
                    );
                }
            }
            out
        }
        Entity::Team(team) => {
            let mut out = format!("team {}\n", clean(&team.id));
            let _ = writeln!(out, "  name:        {}", optional(&team.name));
            let _ = writeln!(out, "  email:       {}", optional(&team.email));
            let _ = writeln!(out, "  slack:       {}", optional(&team.slack));
            let _ = writeln!(out, "  domains:     {}", list(&team.domains));
            let _ = writeln!(out, "  services:    {}", list(&team.services));
            let _ = writeln!(out, "  events:      {}", list(&team.events));
            let _ = writeln!(out, "  consumes:    {}", list(&team.consumes));
            out
        }
        Entity::Schema(schema) => {
            let mut out = format!("shared schema {}\n", clean(&schema.path));
            let _ = writeln!(out, "  domain:      {}", clean(&schema.domain));
            let _ = writeln!(out, "  used by:     {}", list(&schema.used_by));
            if !schema.fields.is_empty() {
                out.push('\n');
                out.push_str(&fields_table(&schema.fields).render(width, false));
            }
            out
        }
    }
}

/// The event's data-product terms (SLA, terms of use, deprecation), the ones it declares.
fn product_terms(event: &EventEntry) -> Vec<(&'static str, String)> {
    let join = |parts: &[(&str, &Option<String>)]| {
        parts
            .iter()
            .filter_map(|(label, value)| value.as_deref().map(|v| format!("{label} {}", clean(v))))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut rows = Vec::new();
    if let Some(deprecation) = &event.deprecation {
        rows.push((
            "deprecation",
            join(&[
                ("since", &deprecation.since),
                ("sunset", &deprecation.sunset),
                ("replaced by", &deprecation.replacement),
            ]),
        ));
    }
    if let Some(sla) = &event.sla {
        rows.push((
            "sla",
            join(&[
                ("availability", &sla.availability),
                ("freshness", &sla.freshness),
                ("retention", &sla.retention),
            ]),
        ));
    }
    if let Some(terms) = &event.terms {
        for (label, value) in [
            ("purpose", &terms.purpose),
            ("usage", &terms.usage),
            ("limitations", &terms.limitations),
        ] {
            if let Some(value) = value {
                rows.push((label, clean(value)));
            }
        }
    }
    rows
}

fn show_event(
    discovery: &Discovery,
    event: &EventEntry,
    recent: &[String],
    width: Option<usize>,
) -> String {
    let mut out = format!("event {}\n", clean(&event.id));
    if event.status == crate::catalog::Status::Deprecated {
        out.push_str("  DEPRECATED\n");
    }
    let owner = event
        .owner
        .as_deref()
        .map(|o| team_with_contacts(discovery, o));
    let rows: [(&str, String); 12] = [
        ("summary", optional(&event.summary)),
        ("owner", optional(&owner)),
        ("status", event.status.as_str().into()),
        ("format", event.format.as_str().into()),
        ("schema", clean(&event.schema)),
        ("key schema", optional(&event.key_schema)),
        ("topics", list(&event.topics)),
        (
            "compatibility",
            serde_json::to_value(event.compatibility)
                .ok()
                .and_then(|level| level.as_str().map(str::to_string))
                .unwrap_or_default(),
        ),
        ("tags", list(&event.tags)),
        (
            "classification",
            event
                .classification
                .map(|c| format!("{c:?}").to_lowercase())
                .unwrap_or_else(|| "-".into()),
        ),
        ("shared schemas", list(&event.shared_schemas)),
        ("examples", list(&event.examples)),
    ];
    for (label, value) in rows.into_iter().chain(product_terms(event)) {
        let _ = writeln!(out, "  {:<15} {value}", format!("{label}:"));
    }
    let environments = if discovery.environments.is_empty() {
        "no environments declared".to_string()
    } else {
        discovery.environments.join(", ")
    };
    let _ = writeln!(out, "  subjects (in {}):", clean(&environments));
    for subject in &event.subjects {
        let _ = writeln!(
            out,
            "    {} ({})",
            clean(&subject.subject),
            subject.role.as_str()
        );
    }
    let _ = writeln!(out, "  producers:");
    for producer in &event.producers {
        let _ = writeln!(out, "    {}", service_with_team(discovery, producer));
    }
    let _ = writeln!(out, "  consumers (affected by a breaking change):");
    for consumer in &event.consumers {
        let _ = writeln!(out, "    {}", service_with_team(discovery, consumer));
    }
    if !recent.is_empty() {
        let _ = writeln!(out, "  last changes:");
        for line in recent {
            let _ = writeln!(out, "    {}", clean(line));
        }
    }
    if let Some(description) = &event.description {
        let lines: Vec<String> = description.trim().lines().map(clean).collect();
        let _ = writeln!(out, "\n{}", lines.join("\n"));
    }
    if !event.fields.is_empty() {
        out.push('\n');
        out.push_str(&fields_table(&event.fields).render(width, false));
    }
    if !event.key_fields.is_empty() {
        out.push_str("\nkey:\n");
        out.push_str(&fields_table(&event.key_fields).render(width, false));
    }
    out
}
