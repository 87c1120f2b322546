//! YAML (and JSON, which is YAML) read with one parser, saphyr-parser: a document's value with
//! duplicate keys refused at their position, nesting and alias expansion bounded, in one walk of
//! the parser's events. [`crate::source::locate`] walks the same events for positions.
//!
//! Scalars resolve by the YAML 1.2 core schema (as serde_yaml 0.9 did): `null`/`~`/empty,
//! `true`/`false`, integers (decimal, `0x`, `0o`), floats; quoted scalars and `!!str` are strings.
//!
//! Most catalog manifests are a flat mapping of one-line values; [`simple`] reads those several
//! times faster and gives up on anything else, which the full parser then reads.

mod simple;

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};
use serde_json::{Map, Number, Value};

/// How deeply collections may nest. Catalog files nest a few levels and schemas a few dozen;
/// serde_json stops at the same depth. Deeper input is refused at once, not walked.
pub const MAX_DEPTH: usize = 128;

/// How many nodes aliases may add when they are expanded (a "billion laughs" document would
/// otherwise grow exponentially).
const MAX_ALIAS_NODES: usize = 100_000;

/// Why a text is not usable YAML, and where (line 1-based, column 0-based in characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl YamlError {
    fn at(marker: Marker, message: impl Into<String>) -> Self {
        YamlError {
            message: message.into(),
            line: marker.line(),
            column: marker.col(),
        }
    }
}

impl From<ScanError> for YamlError {
    fn from(error: ScanError) -> Self {
        YamlError::at(*error.marker(), error.info())
    }
}

/// A collection being built.
enum Open {
    Sequence {
        items: Vec<Value>,
        anchor: usize,
    },
    Mapping {
        entries: Map<String, Value>,
        /// The key read, waiting for its value.
        key: Option<String>,
        anchor: usize,
    },
}

/// Parses the first (and only) document of `text` into a JSON value; an empty document is
/// `Null`. Refuses duplicate keys, complex keys, a second document, nesting deeper than
/// [`MAX_DEPTH`] and alias expansions past a bound, each at its position.
pub fn parse(text: &str) -> Result<Value, YamlError> {
    match simple::parse(text) {
        Some(value) => Ok(value),
        None => parse_events(text),
    }
}

/// [`parse`] through the parser's events: any YAML.
fn parse_events(text: &str) -> Result<Value, YamlError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0;
    while let Some(next) = parser.next_event() {
        let (event, span) = next?;
        let marker = span.start;
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(YamlError::at(
                        marker,
                        "a second YAML document (`---`): a catalog file holds one",
                    ));
                }
            }
            Event::StreamEnd => break,
            other => builder.on_event(other, marker)?,
        }
    }
    Ok(builder.root.unwrap_or(Value::Null))
}

#[derive(Default)]
struct Builder {
    open: Vec<Open>,
    root: Option<Value>,
    /// Anchored values with their node counts, for aliases.
    anchors: HashMap<usize, (Value, usize)>,
    alias_nodes: usize,
}

impl Builder {
    fn on_event(&mut self, event: Event<'_>, marker: Marker) -> Result<(), YamlError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let as_string = style != ScalarStyle::Plain
                    || tag
                        .as_ref()
                        .is_some_and(|tag| tag.is_yaml_core_schema() && tag.suffix == "str")
                    || self.expecting_key();
                let value = if as_string {
                    Value::String(text.into_owned())
                } else {
                    resolve_plain(&text)
                };
                self.complete(value, anchor, marker)
            }
            Event::SequenceStart(anchor, _) => {
                self.enter(marker)?;
                self.open.push(Open::Sequence {
                    items: Vec::new(),
                    anchor,
                });
                Ok(())
            }
            Event::MappingStart(anchor, _) => {
                self.enter(marker)?;
                self.open.push(Open::Mapping {
                    entries: Map::new(),
                    key: None,
                    anchor,
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, anchor) = match self.open.pop() {
                    Some(Open::Sequence { items, anchor }) => (Value::Array(items), anchor),
                    Some(Open::Mapping {
                        entries, anchor, ..
                    }) => (Value::Object(entries), anchor),
                    None => return Ok(()),
                };
                self.complete(value, anchor, marker)
            }
            Event::Alias(anchor) => {
                let Some((value, nodes)) = self.anchors.get(&anchor) else {
                    return Err(YamlError::at(marker, "an alias to an unknown anchor"));
                };
                self.alias_nodes += nodes;
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(YamlError::at(
                        marker,
                        format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes; write the values out"
                        ),
                    ));
                }
                let value = value.clone();
                self.complete(value, 0, marker)
            }
            _ => Ok(()),
        }
    }

    fn expecting_key(&self) -> bool {
        matches!(self.open.last(), Some(Open::Mapping { key: None, .. }))
    }

    /// A collection starts: refused as a mapping key, or past the depth limit.
    fn enter(&self, marker: Marker) -> Result<(), YamlError> {
        if self.expecting_key() {
            return Err(YamlError::at(
                marker,
                "a mapping or list used as a key: keys must be plain text",
            ));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(YamlError::at(
                marker,
                format!("nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }

    /// A node is complete: it becomes a key, a value, an item or the root.
    fn complete(&mut self, value: Value, anchor: usize, marker: Marker) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors
                .insert(anchor, (value.clone(), node_count(&value)));
        }
        match self.open.last_mut() {
            None => self.root = Some(value),
            Some(Open::Sequence { items, .. }) => items.push(value),
            Some(Open::Mapping { entries, key, .. }) => match key.take() {
                None => {
                    let text = match value {
                        Value::String(text) => text,
                        Value::Null => String::new(),
                        scalar @ (Value::Bool(_) | Value::Number(_)) => scalar.to_string(),
                        _ => {
                            return Err(YamlError::at(
                                marker,
                                "a mapping or list used as a key: keys must be plain text",
                            ))
                        }
                    };
                    if entries.contains_key(&text) {
                        return Err(YamlError::at(
                            marker,
                            format!(
                                "duplicate key `{text}`: YAML keeps only one of them, so the other is silently lost"
                            ),
                        ));
                    }
                    *key = Some(text);
                }
                Some(name) => {
                    entries.insert(name, value);
                }
            },
        }
        Ok(())
    }
}

fn node_count(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Value::Object(entries) => 1 + entries.values().map(node_count).sum::<usize>(),
        _ => 1,
    }
}

/// A plain scalar by the YAML 1.2 core schema.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(number) = integer(text) {
        return Value::Number(number);
    }
    if is_float(text) {
        if let Some(number) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(number);
        }
    }
    Value::String(text.to_string())
}

fn integer(text: &str) -> Option<Number> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(hex) = digits.strip_prefix("0x").filter(|_| !negative) {
        (16, hex)
    } else if let Some(octal) = digits.strip_prefix("0o").filter(|_| !negative) {
        (8, octal)
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.chars().all(|ch| ch.is_digit(radix)) {
        return None;
    }
    if radix != 10 {
        return u64::from_str_radix(digits, radix).ok().map(Number::from);
    }
    if negative {
        text.parse::<i64>().ok().map(Number::from)
    } else {
        digits.parse::<u64>().ok().map(Number::from)
    }
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, the core schema's float.
fn is_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(index) => (&body[..index], Some(&body[index + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let digits = |part: &str| part.chars().all(|ch| ch.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(fraction) if whole.is_empty() => !fraction.is_empty() && digits(fraction),
        Some(fraction) => !whole.is_empty() && digits(whole) && digits(fraction),
        None => !whole.is_empty() && digits(whole),
    };
    let exponent_ok = exponent.is_none_or(|exponent| {
        let exponent = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        !exponent.is_empty() && digits(exponent)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_follow_the_core_schema() {
        let value = parse(
            "a: 1\nb: -2\nc: 1.5\nd: true\ne: ~\nf: yes\ng: '1'\nh: 0x1f\ni: 1e3\nj: [x, 'y']\nk:\n",
        )
        .unwrap();
        assert_eq!(
            value,
            json!({"a": 1, "b": -2, "c": 1.5, "d": true, "e": null, "f": "yes", "g": "1",
                   "h": 31, "i": 1000.0, "j": ["x", "y"], "k": null})
        );
        assert_eq!(parse("# only a comment\n").unwrap(), Value::Null);
        assert_eq!(
            parse("{\"a\": [1, {\"b\": null}]}").unwrap(),
            json!({"a": [1, {"b": null}]})
        );
        assert_eq!(
            parse("v: 1.0.0\nw: 1_000").unwrap(),
            json!({"v": "1.0.0", "w": "1_000"})
        );
    }

    #[test]
    fn duplicate_keys_are_refused_at_the_second() {
        let error = parse("name: a\nconsumers: [x]\nconsumers: [y]\n").unwrap_err();
        assert_eq!((error.line, error.column), (3, 0));
        assert!(
            error.message.contains("duplicate key `consumers`"),
            "{error}"
        );
        let nested = parse("teams:\n  a: {}\n  b: {}\n  a: {}\n").unwrap_err();
        assert_eq!((nested.line, nested.column), (4, 2));
    }

    #[test]
    fn depth_aliases_and_documents_are_bounded() {
        let deep = "[".repeat(100_000);
        let started = std::time::Instant::now();
        let error = parse(&deep).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        // The scanner itself stops flow nesting at 256 levels.
        assert!(error.message.contains("recursion limit"), "{error}");
        let block: String = (0..200)
            .map(|level| format!("{}k{level}:\n", " ".repeat(level)))
            .collect();
        assert!(parse(&block)
            .unwrap_err()
            .message
            .contains("nested more than"));
        let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
                      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
                      e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
        assert!(parse(laughs).unwrap_err().message.contains("aliases"));
        assert_eq!(parse("a: &x 1\nb: *x\n").unwrap(), json!({"a": 1, "b": 1}));
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
        assert!(parse("? [a]\n: 1\n").is_err());
    }
}
