//! `evcat search`: ranked, typo-tolerant matching over the discovery model. Every query word
//! must match somewhere in an entry (names, summaries, descriptions, topics, tags, owners, field
//! names and docs); an entry's score adds, per word, its best match weighted by where it was
//! found ([`words`] says how words match). Results are ordered by score, then name, then kind.
//!
//! Compiling every schema for its fields costs more than everything else together, and only
//! the best `limit` entries are shown. So [`search`] scores what the manifests say, bounds what
//! each event's fields could add from its schema files' texts ([`bound`]), and compiles events
//! in the order of their bounds until no event left can enter the results: the same results as
//! compiling all ([`search_compiled`]; a test holds them equal), from a fraction of the work.

mod bound;
mod words;

use std::cmp::{Ordering, Reverse};

use rayon::prelude::*;
use serde::Serialize;

use super::{Discovery, EventEntry};
use crate::catalog::Catalog;
pub use words::normalize;
use words::{best_quality, loosen};

#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    pub kind: &'static str,
    pub name: String,
    pub summary: Option<String>,
    pub score: u32,
    /// Where the words matched (`name`, `field customer.id`, `topic`, ...).
    pub matched: Vec<String>,
}

/// Where a text sits in an entry, and how much a match there counts.
#[derive(Clone, Copy)]
struct Place {
    label: &'static str,
    weight: u32,
}

const NAME: Place = Place {
    label: "name",
    weight: 10,
};
const TOPIC: Place = Place {
    label: "topic",
    weight: 6,
};
const TAG: Place = Place {
    label: "tag",
    weight: 5,
};
const FIELD: Place = Place {
    label: "field",
    weight: 5,
};
const OWNER: Place = Place {
    label: "owner",
    weight: 4,
};
const SUMMARY: Place = Place {
    label: "summary",
    weight: 3,
};
const DESCRIPTION: Place = Place {
    label: "description",
    weight: 1,
};
const FIELD_DOC: Place = Place {
    label: "field doc",
    weight: 1,
};

/// An entry's searchable texts.
struct Document<'d> {
    kind: &'static str,
    name: &'d str,
    summary: Option<&'d String>,
    texts: Vec<(Place, &'d str, Option<&'d str>)>,
}

/// The best `limit` entries for `query`, compiling the schemas of the events whose fields can
/// decide it (their entries in `discovery`, built from `catalog`, get their fields).
pub fn search(catalog: &Catalog, discovery: &mut Discovery, query: &str, limit: usize) -> Vec<Hit> {
    let words = query_words(query);
    if words.is_empty() || limit == 0 {
        return Vec::new();
    }
    let mut ranking = Ranking::new(limit);
    for document in documents(discovery).filter(|document| document.kind != EVENT) {
        ranking.offer(score(&document, &words));
    }
    let candidates = candidates(catalog, discovery, &words);
    let mut next = 0;
    let mut batch = limit.max(32);
    while next < candidates.len() {
        let open: Vec<usize> = candidates[next..]
            .iter()
            .take(batch)
            .take_while(|candidate| {
                let event = &discovery.events[candidate.index];
                ranking.admits(&Rank::of(candidate.bound, &event.id, EVENT))
            })
            .map(|candidate| candidate.index)
            .collect();
        if open.is_empty() {
            break;
        }
        next += open.len();
        discovery.fill_events(catalog, &open);
        let hits: Vec<Option<Hit>> = open
            .par_iter()
            .map(|&index| score(&event_document(&discovery.events[index]), &words))
            .collect();
        hits.into_iter().for_each(|hit| ranking.offer(hit));
        batch *= 2;
    }
    ranking.hits
}

/// The best `limit` entries for `query` with the fields `discovery` already has.
pub fn search_compiled(discovery: &Discovery, query: &str, limit: usize) -> Vec<Hit> {
    let words = query_words(query);
    if words.is_empty() || limit == 0 {
        return Vec::new();
    }
    let documents: Vec<Document<'_>> = documents(discovery).collect();
    let mut ranking = Ranking::new(limit);
    let hits: Vec<Option<Hit>> = documents
        .par_iter()
        .map(|document| score(document, &words))
        .collect();
    hits.into_iter().for_each(|hit| ranking.offer(hit));
    ranking.hits
}

fn query_words(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .map(normalize)
        .filter(|word| !word.is_empty())
        .collect()
}

/// An event that may be a result, and the most it can score.
struct Candidate {
    index: usize,
    bound: u32,
}

/// The events every word can match (in the manifest or possibly in the fields), best bound
/// first, then by id (the order results take).
fn candidates(catalog: &Catalog, discovery: &Discovery, words: &[String]) -> Vec<Candidate> {
    let texts = bound::SchemaTexts::new(catalog);
    let loose: Vec<String> = words.iter().map(|word| loosen(word)).collect();
    let mut candidates: Vec<Candidate> = discovery
        .events
        .par_iter()
        .enumerate()
        .filter_map(|(index, event)| {
            let document = event_document(event);
            let fields = texts.of_event(event);
            let mut bound = 0;
            for (word, loose) in words.iter().zip(&loose) {
                let written = best_points(&document, word).map_or(0, |(points, _)| points);
                let best = written.max(FIELD.weight * fields.bound(word, loose));
                if best == 0 {
                    return None;
                }
                bound += best;
            }
            Some(Candidate { index, bound })
        })
        .collect();
    candidates.sort_by_key(|candidate| (Reverse(candidate.bound), candidate.index));
    candidates
}

/// The order of results: score, then name, then kind (events first).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Rank<'h> {
    score: Reverse<u32>,
    name: &'h str,
    kind: usize,
}

const EVENT: &str = "event";
const KINDS: [&str; 4] = [EVENT, "service", "domain", "team"];

impl<'h> Rank<'h> {
    fn of(score: u32, name: &'h str, kind: &str) -> Rank<'h> {
        Rank {
            score: Reverse(score),
            name,
            kind: KINDS
                .iter()
                .position(|known| *known == kind)
                .unwrap_or(KINDS.len()),
        }
    }

    fn of_hit(hit: &'h Hit) -> Rank<'h> {
        Rank::of(hit.score, &hit.name, hit.kind)
    }
}

/// The best hits so far, in order, at most `limit`.
struct Ranking {
    limit: usize,
    hits: Vec<Hit>,
}

impl Ranking {
    fn new(limit: usize) -> Ranking {
        Ranking {
            limit,
            hits: Vec::new(),
        }
    }

    /// Whether an entry ranked `rank` would be among the best.
    fn admits(&self, rank: &Rank<'_>) -> bool {
        self.hits.len() < self.limit
            || self
                .hits
                .last()
                .is_none_or(|last| *rank < Rank::of_hit(last))
    }

    fn offer(&mut self, hit: Option<Hit>) {
        let Some(hit) = hit else {
            return;
        };
        if !self.admits(&Rank::of_hit(&hit)) {
            return;
        }
        let at = self
            .hits
            .partition_point(|kept| Rank::of_hit(kept).cmp(&Rank::of_hit(&hit)) == Ordering::Less);
        self.hits.insert(at, hit);
        self.hits.truncate(self.limit);
    }
}

fn documents(discovery: &Discovery) -> impl Iterator<Item = Document<'_>> {
    let events = discovery.events.iter().map(event_document);
    let services = discovery.services.iter().map(|service| {
        let mut texts = vec![(NAME, service.name.as_str(), None)];
        texts.extend(service.tags.iter().map(|tag| (TAG, tag.as_str(), None)));
        texts.extend(service.owner.as_deref().map(|owner| (OWNER, owner, None)));
        texts.extend(service.summary.as_deref().map(|text| (SUMMARY, text, None)));
        Document {
            kind: "service",
            name: &service.name,
            summary: service.summary.as_ref(),
            texts,
        }
    });
    let domains = discovery.domains.iter().map(|domain| {
        let mut texts = vec![(NAME, domain.name.as_str(), None)];
        texts.extend(domain.tags.iter().map(|tag| (TAG, tag.as_str(), None)));
        texts.extend(domain.owner.as_deref().map(|owner| (OWNER, owner, None)));
        texts.extend(domain.summary.as_deref().map(|text| (SUMMARY, text, None)));
        texts.extend(
            domain
                .description
                .as_deref()
                .map(|text| (DESCRIPTION, text, None)),
        );
        Document {
            kind: "domain",
            name: &domain.name,
            summary: domain.summary.as_ref(),
            texts,
        }
    });
    let teams = discovery.teams.iter().map(|team| {
        let mut texts = vec![(NAME, team.id.as_str(), None)];
        texts.extend(team.name.as_deref().map(|name| (NAME, name, None)));
        Document {
            kind: "team",
            name: &team.id,
            summary: team.name.as_ref(),
            texts,
        }
    });
    events.chain(services).chain(domains).chain(teams)
}

fn event_document(event: &EventEntry) -> Document<'_> {
    let mut texts = vec![(NAME, event.name.as_str(), None)];
    texts.extend(
        event
            .topics
            .iter()
            .map(|topic| (TOPIC, topic.as_str(), None)),
    );
    texts.extend(event.tags.iter().map(|tag| (TAG, tag.as_str(), None)));
    texts.extend(event.owner.as_deref().map(|owner| (OWNER, owner, None)));
    texts.extend(event.summary.as_deref().map(|text| (SUMMARY, text, None)));
    texts.extend(
        event
            .description
            .as_deref()
            .map(|text| (DESCRIPTION, text, None)),
    );
    for field in event.fields.iter().chain(&event.key_fields) {
        texts.push((FIELD, field.name.as_str(), Some(field.path.as_str())));
        if let Some(doc) = &field.doc {
            texts.push((FIELD_DOC, doc.as_str(), Some(field.path.as_str())));
        }
    }
    Document {
        kind: EVENT,
        name: &event.id,
        summary: event.summary.as_ref(),
        texts,
    }
}

/// The points of `word`'s best match in a document, and which text it is (the first of the
/// best).
fn best_points(document: &Document<'_>, word: &str) -> Option<(u32, usize)> {
    let mut best: Option<(u32, usize)> = None;
    for (at, (place, text, _)) in document.texts.iter().enumerate() {
        let Some(quality) = best_quality(text, word) else {
            continue;
        };
        let points = place.weight * quality;
        if best.is_none_or(|(score, _)| points > score) {
            best = Some((points, at));
        }
    }
    best
}

fn score(document: &Document<'_>, words: &[String]) -> Option<Hit> {
    let mut total = 0;
    let mut matched: Vec<String> = Vec::new();
    for word in words {
        let (points, at) = best_points(document, word)?;
        let (place, _, detail) = &document.texts[at];
        let label = match detail {
            Some(detail) => format!("{} {detail}", place.label),
            None => place.label.to_string(),
        };
        total += points;
        if !matched.contains(&label) {
            matched.push(label);
        }
    }
    Some(Hit {
        kind: document.kind,
        name: document.name.to_string(),
        summary: document.summary.cloned(),
        score: total,
        matched,
    })
}
