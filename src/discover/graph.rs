//! Lineage: services → events → services, grouped by domain, or the domain-to-domain map; and
//! its renderings as Mermaid, Graphviz DOT and JSON. Every label is escaped for its format.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde::Serialize;

use super::Discovery;

/// Above this many nodes a Mermaid lineage is not readable (GitHub also refuses large
/// diagrams): the Mermaid output is then the domain map, with a comment saying how to scope.
pub const MERMAID_MAX_NODES: usize = 150;

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    Service,
    Event,
    Domain,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Node {
    pub kind: NodeKind,
    pub id: String,
    pub domain: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// `produces`, `consumes` (event → service) or `flow` (domain → domain).
    pub relation: &'static str,
    /// For a flow: how many events it carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// What part of the lineage to draw.
pub enum Scope<'a> {
    All,
    /// An event and what is within `depth` hops of it (a hop: event to service or back; 1
    /// is the event with its producers and consumers).
    Event {
        id: &'a str,
        depth: usize,
    },
    Service(&'a str),
    Domain(&'a str),
    Domains,
}

pub fn lineage(discovery: &Discovery, scope: Scope<'_>) -> Graph {
    if let Scope::Domains = scope {
        return domain_map(discovery);
    }
    let full = full_lineage(discovery);
    let keep: Option<BTreeSet<String>> = match scope {
        Scope::All | Scope::Domains => None,
        Scope::Event { id, depth } => Some(within(&full, id, depth)),
        Scope::Service(name) => Some(within(&full, name, 2)),
        Scope::Domain(domain) => {
            let seeds: Vec<&str> = full
                .nodes
                .iter()
                .filter(|node| node.domain == domain)
                .map(|node| node.id.as_str())
                .collect();
            let mut kept = BTreeSet::new();
            for seed in seeds {
                kept.extend(within(&full, seed, 1));
            }
            Some(kept)
        }
    };
    match keep {
        None => full,
        Some(keep) => Graph {
            nodes: full
                .nodes
                .into_iter()
                .filter(|n| keep.contains(&n.id))
                .collect(),
            edges: full
                .edges
                .into_iter()
                .filter(|e| keep.contains(&e.from) && keep.contains(&e.to))
                .collect(),
        },
    }
}

fn full_lineage(discovery: &Discovery) -> Graph {
    let mut graph = Graph::default();
    let mut seen_services: BTreeSet<&str> = BTreeSet::new();
    for service in &discovery.services {
        seen_services.insert(&service.name);
        graph.nodes.push(Node {
            kind: NodeKind::Service,
            id: service.name.clone(),
            domain: service.domain.clone(),
        });
    }
    for event in &discovery.events {
        graph.nodes.push(Node {
            kind: NodeKind::Event,
            id: event.id.clone(),
            domain: event.domain.clone(),
        });
        for producer in &event.producers {
            graph.edges.push(Edge {
                from: producer.clone(),
                to: event.id.clone(),
                relation: "produces",
                count: None,
            });
        }
        for consumer in &event.consumers {
            graph.edges.push(Edge {
                from: event.id.clone(),
                to: consumer.clone(),
                relation: "consumes",
                count: None,
            });
        }
        // A service named but declared nowhere still appears, outside any domain.
        for name in event.producers.iter().chain(&event.consumers) {
            if seen_services.insert(name) {
                graph.nodes.push(Node {
                    kind: NodeKind::Service,
                    id: name.clone(),
                    domain: String::new(),
                });
            }
        }
    }
    graph
}

/// The ids within `hops` edges of `start`, either direction.
fn within(graph: &Graph, start: &str, hops: usize) -> BTreeSet<String> {
    let mut neighbours: HashMap<&str, Vec<&str>> = HashMap::new();
    for edge in &graph.edges {
        neighbours.entry(&edge.from).or_default().push(&edge.to);
        neighbours.entry(&edge.to).or_default().push(&edge.from);
    }
    let mut kept = BTreeSet::from([start.to_string()]);
    let mut queue = VecDeque::from([(start, 0)]);
    while let Some((id, distance)) = queue.pop_front() {
        if distance == hops {
            continue;
        }
        for next in neighbours.get(id).into_iter().flatten() {
            if kept.insert(next.to_string()) {
                queue.push_back((next, distance + 1));
            }
        }
    }
    kept
}

pub fn domain_map(discovery: &Discovery) -> Graph {
    Graph {
        nodes: discovery
            .domains
            .iter()
            .map(|domain| Node {
                kind: NodeKind::Domain,
                id: domain.name.clone(),
                domain: domain.name.clone(),
            })
            .collect(),
        edges: discovery
            .flows
            .iter()
            .map(|flow| Edge {
                from: flow.from.clone(),
                to: flow.to.clone(),
                relation: "flow",
                count: Some(flow.events.len()),
            })
            .collect(),
    }
}

/// Mermaid flowchart. Node ids are generated (`n0`, `n1`, ...); labels are quoted, with every
/// character that could end or change a label written as an entity (`#35;`). A lineage of more
/// than [`MERMAID_MAX_NODES`] nodes is drawn as the domain map instead.
pub fn mermaid(graph: &Graph, discovery: &Discovery) -> String {
    let is_domain_map = graph.nodes.iter().all(|node| node.kind == NodeKind::Domain);
    // The domain map is the most compact view there is: it is drawn whatever its size.
    if graph.nodes.len() > MERMAID_MAX_NODES && !is_domain_map {
        let map = domain_map(discovery);
        let mut out = format!(
            "%% {} nodes is too many to read: this is the domain map instead. \
             Scope the lineage with --domain, --service or --event.\n",
            graph.nodes.len()
        );
        out.push_str(&mermaid(&map, discovery));
        return out;
    }
    let ids: HashMap<&str, String> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(index, node)| (node.id.as_str(), format!("n{index}")))
        .collect();
    let mut out = String::from("flowchart LR\n");
    for (group, (domain, nodes)) in by_domain(graph).into_iter().enumerate() {
        let indent = if domain.is_empty() { "  " } else { "    " };
        if !domain.is_empty() && nodes.iter().any(|node| node.kind != NodeKind::Domain) {
            out.push_str(&format!(
                "  subgraph d{group}[\"{}\"]\n",
                mermaid_text(domain)
            ));
        }
        for node in &nodes {
            let label = mermaid_text(&node.id);
            let shape = match node.kind {
                NodeKind::Service => format!("[\"{label}\"]"),
                NodeKind::Event => format!("([\"{label}\"])"),
                NodeKind::Domain => format!("[[\"{label}\"]]"),
            };
            out.push_str(&format!("{indent}{}{shape}\n", ids[node.id.as_str()]));
        }
        if !domain.is_empty() && nodes.iter().any(|node| node.kind != NodeKind::Domain) {
            out.push_str("  end\n");
        }
    }
    for edge in &graph.edges {
        let (Some(from), Some(to)) = (ids.get(edge.from.as_str()), ids.get(edge.to.as_str()))
        else {
            continue;
        };
        match edge.count {
            Some(count) => out.push_str(&format!("  {from} -->|\"{count}\"| {to}\n")),
            None => out.push_str(&format!("  {from} --> {to}\n")),
        }
    }
    out
}

fn by_domain(graph: &Graph) -> BTreeMap<&str, Vec<&Node>> {
    let mut groups: BTreeMap<&str, Vec<&Node>> = BTreeMap::new();
    for node in &graph.nodes {
        let group = if node.kind == NodeKind::Domain {
            ""
        } else {
            node.domain.as_str()
        };
        groups.entry(group).or_default().push(node);
    }
    groups
}

fn mermaid_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '/' | ':') {
                c.to_string()
            } else {
                format!("#{};", c as u32)
            }
        })
        .collect()
}

/// Graphviz DOT: domains as clusters, ids quoted and escaped.
pub fn dot(graph: &Graph) -> String {
    let mut out =
        String::from("digraph lineage {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for (group, (domain, nodes)) in by_domain(graph).into_iter().enumerate() {
        let clustered = !domain.is_empty();
        if clustered {
            out.push_str(&format!(
                "  subgraph cluster_{group} {{\n    label={};\n",
                dot_text(domain)
            ));
        }
        for node in nodes {
            let shape = match node.kind {
                NodeKind::Service => "box",
                NodeKind::Event => "ellipse",
                NodeKind::Domain => "folder",
            };
            out.push_str(&format!("    {} [shape={shape}];\n", dot_text(&node.id)));
        }
        if clustered {
            out.push_str("  }\n");
        }
    }
    for edge in &graph.edges {
        let label = edge
            .count
            .map(|count| format!(" [label=\"{count}\"]"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {} -> {}{label};\n",
            dot_text(&edge.from),
            dot_text(&edge.to)
        ));
    }
    out.push_str("}\n");
    out
}

fn dot_text(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => {}
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::{DomainEntry, DomainFlow};

    fn many_domains(count: usize) -> Discovery {
        let domain = |index: usize| DomainEntry {
            name: format!("d{index}"),
            owner: None,
            summary: None,
            description: None,
            tags: Vec::new(),
            services: Vec::new(),
            events: Vec::new(),
        };
        Discovery {
            catalog: "c".into(),
            description: None,
            environments: Vec::new(),
            domains: (0..count).map(domain).collect(),
            services: Vec::new(),
            events: Vec::new(),
            teams: Vec::new(),
            schemas: Vec::new(),
            topics: Vec::new(),
            flows: vec![DomainFlow {
                from: "d0".into(),
                to: "d1".into(),
                events: vec!["d0/E".into()],
            }],
            incomplete: false,
            sources: Vec::new(),
        }
    }

    /// A large lineage becomes the domain map, and a large domain map is still drawn (it once
    /// fell back to itself without end).
    #[test]
    fn large_graphs_are_bounded_and_terminate() {
        let discovery = many_domains(MERMAID_MAX_NODES + 50);
        let map = lineage(&discovery, Scope::Domains);
        let drawn = mermaid(&map, &discovery);
        assert!(drawn.starts_with("flowchart LR"), "{drawn}");
        assert!(drawn.contains("-->|\"1\"|"));
        let mut big = Graph::default();
        for index in 0..MERMAID_MAX_NODES + 1 {
            big.nodes.push(Node {
                kind: NodeKind::Event,
                id: format!("d0/E{index}"),
                domain: "d0".into(),
            });
        }
        let bounded = mermaid(&big, &discovery);
        assert!(bounded.starts_with("%% 151 nodes is too many"), "{bounded}");
        assert!(!bounded.contains("E150"));
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(
            mermaid_text("a\"b|c[d]<e>"),
            "a#34;b#124;c#91;d#93;#60;e#62;"
        );
        assert_eq!(dot_text("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }
}
