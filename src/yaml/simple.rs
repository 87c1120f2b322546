//! A fast reader for the YAML most manifests are: a flat mapping whose keys start at the first
//! column, each value a one-line plain scalar, a one-line flow list of plain scalars, or a block
//! list of plain scalars; with comments and blank lines. Anything else (quotes, nesting,
//! multi-line scalars, anchors, tags, tabs, non-ASCII text, duplicate keys) makes it give up
//! (`None`), and the full parser reads the text, so errors are always the full parser's. A test
//! holds its results equal to the full parser's on generated documents.

use serde_json::{Map, Value};

use super::resolve_plain;

pub(super) fn parse(text: &str) -> Option<Value> {
    if !text
        .bytes()
        .all(|byte| byte == b'\n' || (b' '..=b'~').contains(&byte))
    {
        return None;
    }
    let mut entries = Map::new();
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        if is_blank_or_comment(line) {
            continue;
        }
        let (key, rest) = key_of(line)?;
        if entries.contains_key(key) {
            return None;
        }
        let rest = rest.trim_start_matches(' ');
        let value = if rest.is_empty() || rest.starts_with('#') {
            block_list(&mut lines)?
        } else if let Some(list) = rest.strip_prefix('[') {
            flow_list(list)?
        } else {
            resolve_plain(block_scalar(rest)?)
        };
        entries.insert(key.to_string(), value);
    }
    (!entries.is_empty()).then_some(Value::Object(entries))
}

fn is_blank_or_comment(line: &str) -> bool {
    let content = line.trim_start_matches(' ');
    content.is_empty() || content.starts_with('#')
}

/// `key:` at the first column, and what follows the colon.
fn key_of(line: &str) -> Option<(&str, &str)> {
    let end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))?;
    let (key, rest) = line.split_at(end);
    let first = key.chars().next()?;
    if !first.is_ascii_alphanumeric() && first != '_' {
        return None;
    }
    let rest = rest.strip_prefix(':')?;
    (rest.is_empty() || rest.starts_with(' ')).then_some((key, rest))
}

/// The items of a block list under a key (`- item` lines, all at one indent), or null when the
/// key has none.
fn block_list<'t>(lines: &mut std::iter::Peekable<impl Iterator<Item = &'t str>>) -> Option<Value> {
    let mut items = Vec::new();
    let mut indent = None;
    while let Some(line) = lines.peek() {
        if is_blank_or_comment(line) {
            lines.next();
            continue;
        }
        let content = line.trim_start_matches(' ');
        let depth = line.len() - content.len();
        let Some(item) = content.strip_prefix("- ") else {
            // A next key ends the list; anything indented is more than this reader takes.
            return if depth == 0 && !content.starts_with('-') {
                Some(if items.is_empty() {
                    Value::Null
                } else {
                    Value::Array(items)
                })
            } else {
                None
            };
        };
        if *indent.get_or_insert(depth) != depth {
            return None;
        }
        items.push(resolve_plain(block_scalar(item.trim_start_matches(' '))?));
        lines.next();
    }
    Some(if items.is_empty() {
        Value::Null
    } else {
        Value::Array(items)
    })
}

/// A one-line flow list of plain scalars, after its `[`.
fn flow_list(text: &str) -> Option<Value> {
    let (inside, after) = text.split_once(']')?;
    let after = after.trim_start_matches(' ');
    if !(after.is_empty() || after.starts_with('#') && after.len() < text.len()) {
        return None;
    }
    if after.starts_with('#') && !text[..text.len() - after.len()].ends_with(' ') {
        return None;
    }
    if inside.trim_matches(' ').is_empty() {
        return Some(Value::Array(Vec::new()));
    }
    inside
        .split(',')
        .map(|item| {
            let item = item.trim_matches(' ');
            let safe = starts_plain(item)
                && !item.contains(['[', ']', '{', '}', ':', '#', '"', '\'', '&', '*', '!'])
                && dashes_lead_words(item);
            safe.then(|| resolve_plain(item))
        })
        .collect::<Option<Vec<Value>>>()
        .map(Value::Array)
}

/// A one-line plain scalar in block context, without a trailing comment.
fn block_scalar(text: &str) -> Option<&str> {
    let text = match text.find(" #") {
        Some(comment) => &text[..comment],
        None => text,
    };
    let text = text.trim_end_matches(' ');
    let safe = starts_plain(text)
        && !text.ends_with(':')
        && !text.contains(": ")
        && !text.contains(['[', ']', '{', '}']);
    safe.then_some(text)
}

/// Whether every `-` in a flow item is followed by a letter or digit (the parser reads ` -,`
/// and the like as the start of something else).
fn dashes_lead_words(item: &str) -> bool {
    item.match_indices('-')
        .all(|(at, _)| item[at + 1..].starts_with(|c: char| c.is_ascii_alphanumeric()))
}

/// Whether a plain scalar may start so: a letter, digit or one of a few marks that never
/// begin anything else in YAML.
fn starts_plain(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_ascii_alphanumeric() || matches!(first, '_' | '.' | '/' | '(') => {
            true
        }
        Some('-' | '+') => chars
            .next()
            .is_some_and(|next| next.is_ascii_alphanumeric()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Random(u64);

    impl Random {
        fn below(&mut self, bound: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % bound as u64) as usize
        }

        fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
            choices[self.below(choices.len())]
        }
    }

    const PIECES: &[&str] = &[
        "a", "Name", "x1", "1", "-2", "1.5", "0x1f", "true", "null", "~", "yes", " ", " ", ":",
        ": ", "#", " #", ",", ", ", "[", "]", "{", "}", "-", "- ", "'", "\"", "&a", "*a", "!",
        "!!str", "?", "|", ">", "%", "@", "`", ".", "/", "(", ")", "_", "é", "\t", "...", "---",
    ];

    /// Pieces nothing in YAML gives a meaning to, mostly, and the rest now and then.
    const SAFE: &[&str] = &[
        "a", "Name", "x1", "1", "-2", "1.5", "true", "null", " ", ".", "it's", ",", "C#", "(x)",
    ];

    fn scalar(random: &mut Random) -> String {
        (0..1 + random.below(4))
            .map(|_| {
                if random.below(3) == 0 {
                    random.pick(PIECES)
                } else {
                    random.pick(SAFE)
                }
            })
            .collect()
    }

    fn document(random: &mut Random) -> String {
        let mut text = String::new();
        for _ in 0..1 + random.below(5) {
            let key = random.pick(&["name", "topics", "a", "b", "x-y", "_k", "-k", "1", "n a"]);
            let line = match random.below(7) {
                0 => format!("{key}: {}\n", scalar(random)),
                1 => format!("{key}: [{}, {}]\n", scalar(random), scalar(random)),
                2 => format!(
                    "{key}:\n{}- {}\n{}- {}\n",
                    random.pick(&["", "  ", " "]),
                    scalar(random),
                    random.pick(&["", "  ", "    "]),
                    scalar(random)
                ),
                3 => format!("# {}\n", scalar(random)),
                4 => format!(
                    "{key}:{}\n",
                    random.pick(&["", " ", "  # c", "\n  nested: 1"])
                ),
                5 => format!("{}{key}: {}\n", random.pick(&[" ", "  "]), scalar(random)),
                _ => format!("{key}: {} # {}\n", scalar(random), scalar(random)),
            };
            text.push_str(&line);
        }
        text
    }

    #[test]
    fn reads_what_the_full_parser_reads_or_gives_up() {
        let mut random = Random(0x5eed);
        let mut taken = 0;
        for _ in 0..60_000 {
            let text = document(&mut random);
            if let Some(fast) = parse(&text) {
                taken += 1;
                assert_eq!(super::super::parse_events(&text), Ok(fast), "{text:?}");
            }
        }
        // The generator must exercise the reader, not only its refusals.
        assert!(taken > 5_000, "only {taken} documents read");
    }

    #[test]
    fn reads_a_manifest_and_refuses_the_rest() {
        let manifest = "# yaml-language-server: $schema=../event.schema.json\nname: OrderPlaced\n\
                        summary: An order was placed, with its lines.\nversion: 3\n\
                        topics: [orders.placed.v1, orders.all]\nconsumers:\n  - billing\n  - \
                        shipping # the main one\nkey:\n";
        let value = parse(manifest).unwrap();
        assert_eq!(value, super::super::parse_events(manifest).unwrap());
        for refused in [
            "a: 'quoted'\n",
            "a:\n  b: 1\n",
            "a: b\n  c\n",
            "a: [x, [y]]\n",
            "a: &x 1\n",
            "a: 1\na: 2\n",
            "a: caf\u{e9}\n",
            "a:\t1\n",
            "",
        ] {
            assert_eq!(parse(refused), None, "{refused:?}");
        }
    }
}
