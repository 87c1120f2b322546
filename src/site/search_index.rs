//! The site's search index, built with the site and read by `assets/search.js` in the browser.
//!
//! Our own small index rather than a crate's: the site must search from `file://`, where a
//! browser refuses `fetch` and WebAssembly loads (what pagefind needs), so every index file is a
//! script that hands its part to the page. Nothing is loaded until the search box is used, and
//! then only the parts a query needs:
//! - `search/dict.js`: every distinct word, sorted, in one newline-separated string (the browser
//!   splits it, and matches query words against it:
//!   exactly, as a prefix, or within one or two typos, as `evcat search` does);
//! - `search/p<N>.js`: for [`WORDS_PER_PART`] words each, the entries holding the word and how
//!   much it weighs there (a name counts more than a field, a field more than a summary);
//! - `search/e<N>.js`: [`ENTRIES_PER_PART`] entries each: kind, name, page and summary.

use std::collections::HashMap;

use serde_json::json;

use super::layout::PagePath;
use crate::discover::search::normalize;
use crate::discover::Discovery;

pub const WORDS_PER_PART: usize = 2_000;
pub const ENTRIES_PER_PART: usize = 1_000;

const NAME: u8 = 10;
const TOPIC: u8 = 6;
const TAG: u8 = 5;
const FIELD: u8 = 5;
const OWNER: u8 = 4;
const SUMMARY: u8 = 3;

struct Entry {
    kind: &'static str,
    name: String,
    page: PagePath,
    summary: String,
}

#[derive(Default)]
struct Index {
    entries: Vec<Entry>,
    /// Word → (entry, weight), the best weight per entry.
    words: HashMap<String, Vec<(u32, u8)>>,
}

impl Index {
    fn add(&mut self, entry: Entry) -> u32 {
        self.entries.push(entry);
        (self.entries.len() - 1) as u32
    }

    /// A text's words at `weight`: the whole text normalized (but for summaries: a sentence
    /// is not a word) and each of its words.
    fn text(&mut self, entry: u32, text: &str, weight: u8) {
        let whole = if weight == SUMMARY {
            String::new()
        } else {
            normalize(text)
        };
        let words = text
            .split(|c: char| !c.is_alphanumeric())
            .flat_map(camel_parts)
            .map(normalize);
        for word in std::iter::once(whole).chain(words) {
            // The dictionary is one newline-separated string (parsed far faster than an array).
            if word.is_empty() || word.contains('\n') {
                continue;
            }
            let postings = self.words.entry(word).or_default();
            match postings.last_mut() {
                Some((last, best)) if *last == entry => *best = (*best).max(weight),
                _ => postings.push((entry, weight)),
            }
        }
    }
}

/// `PaymentCaptured` → `Payment`, `Captured` (and the word itself).
fn camel_parts(word: &str) -> Vec<&str> {
    let mut parts = vec![word];
    let starts: Vec<usize> = word
        .char_indices()
        .filter(|(at, c)| *at > 0 && c.is_uppercase())
        .map(|(at, _)| at)
        .collect();
    let mut from = 0;
    for &start in &starts {
        parts.push(&word[from..start]);
        from = start;
    }
    if !starts.is_empty() {
        parts.push(&word[from..]);
    }
    parts
}

fn index_of(discovery: &Discovery) -> Index {
    let mut index = Index::default();
    for event in &discovery.events {
        let entry = index.add(Entry {
            kind: "event",
            name: event.id.clone(),
            page: PagePath::event(&event.id),
            summary: event.summary.clone().unwrap_or_default(),
        });
        index.text(entry, &event.name, NAME);
        for topic in &event.topics {
            index.text(entry, topic, TOPIC);
        }
        for tag in &event.tags {
            index.text(entry, tag, TAG);
        }
        for field in event.fields.iter().chain(&event.key_fields) {
            index.text(entry, &field.name, FIELD);
        }
        if let Some(owner) = &event.owner {
            index.text(entry, owner, OWNER);
        }
        if let Some(summary) = &event.summary {
            index.text(entry, summary, SUMMARY);
        }
    }
    for service in &discovery.services {
        let entry = index.add(Entry {
            kind: "service",
            name: service.name.clone(),
            page: PagePath::service(&service.name),
            summary: service.summary.clone().unwrap_or_default(),
        });
        index.text(entry, &service.name, NAME);
        for tag in &service.tags {
            index.text(entry, tag, TAG);
        }
        if let Some(summary) = &service.summary {
            index.text(entry, summary, SUMMARY);
        }
    }
    for domain in &discovery.domains {
        let entry = index.add(Entry {
            kind: "domain",
            name: domain.name.clone(),
            page: PagePath::domain(&domain.name),
            summary: domain.summary.clone().unwrap_or_default(),
        });
        index.text(entry, &domain.name, NAME);
        if let Some(summary) = &domain.summary {
            index.text(entry, summary, SUMMARY);
        }
    }
    for team in &discovery.teams {
        let entry = index.add(Entry {
            kind: "team",
            name: team.id.clone(),
            page: PagePath::team(&team.id),
            summary: team.name.clone().unwrap_or_default(),
        });
        index.text(entry, &team.id, NAME);
        if let Some(name) = &team.name {
            index.text(entry, name, NAME);
        }
    }
    index
}

/// The index's files: site path and content.
pub fn files(discovery: &Discovery) -> Vec<(String, String)> {
    let index = index_of(discovery);
    let mut words: Vec<(String, Vec<(u32, u8)>)> = index.words.into_iter().collect();
    words.sort_by(|a, b| a.0.cmp(&b.0));
    let mut files = Vec::new();
    let dictionary: Vec<&str> = words.iter().map(|(word, _)| word.as_str()).collect();
    files.push((
        "search/dict.js".to_string(),
        format!(
            "EVCAT_SEARCH.dict({},{WORDS_PER_PART},{ENTRIES_PER_PART});\n",
            json!(dictionary.join("\n"))
        ),
    ));
    for (part, chunk) in words.chunks(WORDS_PER_PART).enumerate() {
        let postings: Vec<Vec<u32>> = chunk
            .iter()
            .map(|(_, postings)| {
                postings
                    .iter()
                    .flat_map(|&(entry, weight)| [entry, u32::from(weight)])
                    .collect()
            })
            .collect();
        files.push((
            format!("search/p{part}.js"),
            format!("EVCAT_SEARCH.postings({part},{});\n", json!(postings)),
        ));
    }
    for (part, chunk) in index.entries.chunks(ENTRIES_PER_PART).enumerate() {
        let entries: Vec<serde_json::Value> = chunk
            .iter()
            .map(|entry| json!([entry.kind, entry.name, entry.page.as_str(), entry.summary]))
            .collect();
        files.push((
            format!("search/e{part}.js"),
            format!("EVCAT_SEARCH.entries({part},{});\n", json!(entries)),
        ));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_normalized_whole_and_in_parts() {
        let mut index = Index::default();
        let entry = index.add(Entry {
            kind: "event",
            name: "d/PaymentCaptured".into(),
            page: PagePath::event("d/PaymentCaptured"),
            summary: String::new(),
        });
        index.text(entry, "PaymentCaptured", NAME);
        index.text(entry, "customer_id", FIELD);
        index.text(entry, "payment", SUMMARY);
        for word in [
            "paymentcaptured",
            "payment",
            "captured",
            "customerid",
            "customer",
        ] {
            assert!(index.words.contains_key(word), "{word}");
        }
        assert_eq!(index.words["payment"], vec![(0, NAME)]);
    }
}
