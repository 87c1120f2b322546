//! `evcat search`: ranked, typo-tolerant matching over the discovery model. Every query word
//! must match somewhere in an entry (names, summaries, descriptions, topics, tags, owners, field
//! names and docs); an entry's score adds, per word, its best match weighted by where it was
//! found. Names are compared without case or separators, so `customer_id`, `customerId` and
//! `CustomerID` are one word. A word of 4+ letters may be one edit away (two for 8+).
//!
//! A linear scan over the cores: at 10,000 events it takes less than reading the catalog; an
//! index would cost more to build than it saves for one query per run.

use rayon::prelude::*;
use serde::Serialize;

use super::Discovery;

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

pub fn search(discovery: &Discovery, query: &str, limit: usize) -> Vec<Hit> {
    let words: Vec<String> = query
        .split_whitespace()
        .map(normalize)
        .filter(|word| !word.is_empty())
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    let documents: Vec<Document<'_>> = documents(discovery).collect();
    let mut hits: Vec<Hit> = documents
        .par_iter()
        .filter_map(|document| score(document, &words))
        .collect();
    hits.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.name.cmp(&b.name)));
    hits.truncate(limit);
    hits
}

fn documents(discovery: &Discovery) -> impl Iterator<Item = Document<'_>> {
    let events = discovery.events.iter().map(|event| {
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
            kind: "event",
            name: &event.id,
            summary: event.summary.as_ref(),
            texts,
        }
    });
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

fn score(document: &Document<'_>, words: &[String]) -> Option<Hit> {
    let mut total = 0;
    let mut matched: Vec<String> = Vec::new();
    for word in words {
        let mut best: Option<(u32, String)> = None;
        for (place, text, detail) in &document.texts {
            let Some(quality) = best_quality(text, word) else {
                continue;
            };
            let points = place.weight * quality;
            if best.as_ref().is_none_or(|(score, _)| points > *score) {
                let label = match detail {
                    Some(detail) => format!("{} {detail}", place.label),
                    None => place.label.to_string(),
                };
                best = Some((points, label));
            }
        }
        let (points, label) = best?;
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

/// How well `word` matches a text: the whole text (4), a word of it exactly (3), a word's
/// beginning (2), or a word one or two edits away (1). Words are compared normalized, in one
/// reused buffer (this runs for every text of every entry).
fn best_quality(text: &str, word: &str) -> Option<u32> {
    if normalized_equals(text, word) {
        return Some(4);
    }
    let mut best = None;
    let mut part = String::new();
    let pieces = text.split(|c: char| !c.is_alphanumeric() && c != '_' && c != '-');
    for piece in pieces {
        for sub in camel_words(piece) {
            part.clear();
            part.extend(normalized(sub));
            if part.is_empty() {
                continue;
            }
            let quality = if part == word {
                3
            } else if part.starts_with(word) && word.chars().count() >= 2 {
                2
            } else if within_typo(&part, word) {
                1
            } else {
                continue;
            };
            best = best.max(Some(quality));
        }
    }
    best
}

/// Whether `text`, normalized, is `word` (without building the normalized text).
fn normalized_equals(text: &str, word: &str) -> bool {
    normalized(text).eq(word.chars())
}

fn normalized(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
        .flat_map(char::to_lowercase)
}

/// A word and, when it is written in camel case, each of its parts: `PaymentCaptured`,
/// `Payment`, `Captured`.
fn camel_words(word: &str) -> impl Iterator<Item = &str> {
    let starts: Vec<usize> = word
        .char_indices()
        .filter(|(at, c)| *at > 0 && c.is_uppercase())
        .map(|(at, _)| at)
        .collect();
    let parts: Vec<&str> = if starts.is_empty() {
        Vec::new()
    } else {
        std::iter::once(0)
            .chain(starts.iter().copied())
            .zip(starts.iter().copied().chain(std::iter::once(word.len())))
            .map(|(from, to)| &word[from..to])
            .collect()
    };
    std::iter::once(word).chain(parts)
}

fn within_typo(candidate: &str, word: &str) -> bool {
    let length = word.chars().count();
    let allowed = match length {
        0..=3 => return false,
        4..=7 => 1,
        _ => 2,
    };
    candidate.chars().count().abs_diff(length) <= allowed
        && strsim::damerau_levenshtein(candidate, word) <= allowed
}

/// Lower case without separators: `Customer_ID`, `customer-id` and `customerId` are one word.
pub fn normalize(text: &str) -> String {
    normalized(text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_ignore_case_and_separators_and_allow_typos() {
        assert_eq!(
            best_quality("customer_id", &normalize("customerId")),
            Some(4)
        );
        assert_eq!(best_quality("Order placed today", "placed"), Some(3));
        assert_eq!(best_quality("payments", "pay"), Some(2));
        assert_eq!(best_quality("payment", "paymnet"), Some(1));
        assert_eq!(best_quality("PaymentCaptured", "captured"), Some(3));
        let words: Vec<&str> = camel_words("PaymentCaptured").collect();
        assert_eq!(words, ["PaymentCaptured", "Payment", "Captured"]);
        assert_eq!(camel_words("customer_id").count(), 1);
        assert_eq!(best_quality("refund", "fund"), None);
        assert_eq!(best_quality("abc", "abd"), None);
    }
}
