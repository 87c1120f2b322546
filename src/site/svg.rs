//! Diagrams as inline SVG, laid out by evcat when the site is built (no script, no `dot`).
//!
//! Lineage (one hop): three columns, what feeds in on the left, the subject in the middle, what
//! it feeds on the right. Every box has the same size and a row of its own, so a column of 20
//! consumers grows the drawing downwards (38 px a row) instead of shrinking its text; labels
//! longer than a box are cut with `…` and shown whole on hover (`<title>`).
//!
//! Domain map: the busiest domains (by events flowing in and out, at most [`MAP_DOMAINS`]) on a
//! circle, an arrow per flow with its event count; the page lists every flow in a table too.

use maud::{html, Markup};

/// A box: its label, where it links, and a second line (a team, a count).
pub struct Node {
    pub label: String,
    pub href: Option<String>,
    pub note: Option<String>,
}

const BOX_WIDTH: f64 = 230.0;
const BOX_HEIGHT: f64 = 30.0;
const ROW: f64 = 38.0;
const TOP: f64 = 34.0;
const COLUMNS: [f64; 3] = [8.0, 300.0, 592.0];
const WIDTH: f64 = 830.0;
/// Characters of a label that fit a box in the site's font.
const LABEL_CHARS: usize = 30;

/// Feeds in, subject, feeds out, with the two columns' headings.
pub fn lineage(inputs: &[Node], subject: &Node, outputs: &[Node], headings: [&str; 2]) -> Markup {
    let rows = inputs.len().max(outputs.len()).max(1);
    let height = TOP + rows as f64 * ROW + 8.0;
    let middle = TOP + (rows as f64 * ROW - ROW) / 2.0;
    let top_of = |index: usize, count: usize| {
        // A shorter column is centred against the longer one.
        let offset = (rows - count) as f64 * ROW / 2.0;
        TOP + offset + index as f64 * ROW
    };
    html! {
        svg.lineage viewBox=(format!("0 0 {WIDTH} {height}")) width=(WIDTH) height=(height)
            role="img" aria-label=(format!("{} and {}", headings[0], headings[1])) {
            text.heading x=(COLUMNS[0]) y="18" { (headings[0]) }
            text.heading x=(COLUMNS[2]) y="18" { (headings[1]) }
            @for index in 0..inputs.len() {
                (edge(COLUMNS[0] + BOX_WIDTH, top_of(index, inputs.len()), COLUMNS[1], middle))
            }
            @for index in 0..outputs.len() {
                (edge(COLUMNS[1] + BOX_WIDTH, middle, COLUMNS[2], top_of(index, outputs.len())))
            }
            @for (index, node) in inputs.iter().enumerate() {
                (node_box(node, COLUMNS[0], top_of(index, inputs.len()), false))
            }
            (node_box(subject, COLUMNS[1], middle, true))
            @for (index, node) in outputs.iter().enumerate() {
                (node_box(node, COLUMNS[2], top_of(index, outputs.len()), false))
            }
            @if inputs.is_empty() {
                text.none x=(COLUMNS[0]) y=(middle + 20.0) { "none" }
            }
            @if outputs.is_empty() {
                text.none x=(COLUMNS[2]) y=(middle + 20.0) { "none" }
            }
        }
    }
}

fn edge(from_x: f64, from_top: f64, to_x: f64, to_top: f64) -> Markup {
    let (y1, y2) = (from_top + BOX_HEIGHT / 2.0, to_top + BOX_HEIGHT / 2.0);
    let bend = (to_x - from_x) / 2.0;
    let path = format!(
        "M{from_x} {y1} C{} {y1} {} {y2} {to_x} {y2}",
        from_x + bend,
        to_x - bend
    );
    html! { path.edge d=(path) marker-end="url(#arrow)" {} }
}

fn shorten(label: &str, chars: usize) -> String {
    if label.chars().count() <= chars {
        label.to_string()
    } else {
        let kept: String = label.chars().take(chars - 1).collect();
        format!("{kept}…")
    }
}

fn node_box(node: &Node, x: f64, y: f64, subject: bool) -> Markup {
    let class = if subject { "node subject" } else { "node" };
    let label = match &node.note {
        Some(note) => format!("{} · {note}", node.label),
        None => node.label.clone(),
    };
    let inner = html! {
        g class=(class) {
            title { (label) }
            rect x=(x) y=(y) width=(BOX_WIDTH) height=(BOX_HEIGHT) rx="5" {}
            text x=(x + 8.0) y=(y + 19.0) { (shorten(&label, LABEL_CHARS)) }
        }
    };
    match &node.href {
        Some(href) => html! { a href=(href) { (inner) } },
        None => inner,
    }
}

/// How many domains the map draws; the rest are in the table under it.
pub const MAP_DOMAINS: usize = 24;

/// A flow between two domains and how many events it carries.
pub struct Flow {
    pub from: usize,
    pub to: usize,
    pub count: usize,
}

/// Domains on a circle with arrows for the flows between them.
pub fn domain_map(domains: &[Node], flows: &[Flow]) -> Markup {
    let size = 720.0;
    let center = size / 2.0;
    let radius = center - 110.0;
    let count = domains.len().max(1) as f64;
    let place = |index: usize| {
        let angle = std::f64::consts::TAU * index as f64 / count - std::f64::consts::FRAC_PI_2;
        (center + radius * angle.cos(), center + radius * angle.sin())
    };
    html! {
        svg.map viewBox=(format!("0 0 {size} {size}")) width=(size) height=(size)
            role="img" aria-label="Event flows between domains" {
            @for flow in flows {
                @let ((x1, y1), (x2, y2)) = (place(flow.from), place(flow.to));
                line.edge x1=(x1) y1=(y1) x2=(x2) y2=(y2) marker-end="url(#arrow)" {}
                text.count x=((x1 + x2) / 2.0) y=((y1 + y2) / 2.0) { (flow.count) }
            }
            @for (index, node) in domains.iter().enumerate() {
                @let (x, y) = place(index);
                @let inner = html! {
                    g.node {
                        title { (node.label) }
                        rect x=(x - 70.0) y=(y - 14.0) width="140" height="28" rx="5" {}
                        text x=(x) y=(y + 5.0) text-anchor="middle" { (shorten(&node.label, 18)) }
                    }
                };
                @match &node.href {
                    Some(href) => a href=(href) { (inner) },
                    None => (inner),
                }
            }
        }
    }
}

/// The arrow head every diagram's edges use, defined once per page.
pub fn definitions() -> Markup {
    html! {
        svg.defs width="0" height="0" aria-hidden="true" {
            defs {
                marker #arrow viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8"
                    markerHeight="8" orient="auto-start-reverse" {
                    path d="M0 0 L10 5 L0 10 z" {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(label: &str) -> Node {
        Node {
            label: label.to_string(),
            href: Some("x/index.html".into()),
            note: None,
        }
    }

    #[test]
    fn twenty_consumers_get_a_row_each_and_labels_are_escaped() {
        let consumers: Vec<Node> = (0..20).map(|i| node(&format!("consumer-{i}"))).collect();
        let svg =
            lineage(&[node("<producer>")], &node("E"), &consumers, ["in", "out"]).into_string();
        assert!(svg.contains("height=\"802\""), "{svg}");
        assert!(svg.contains("&lt;producer&gt;") && !svg.contains("<producer>"));
        assert_eq!(svg.matches("<rect").count(), 22);
        let long = "a".repeat(40);
        assert!(lineage(&[], &node(&long), &[], ["in", "out"])
            .into_string()
            .contains('…'));
    }
}
