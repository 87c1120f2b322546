//! Source text and positions.
//!
//! Parsing ([`crate::yaml::parse`]) keeps no positions; when a finding needs a line, [`locate`]
//! walks the same parser's events over just that one file, up to the node at a path, and stops
//! there. JSON is YAML, so the same locator serves `.yaml`, `.json` and `.avsc` files. Clean
//! files therefore cost one parse, and only files with findings pay for a second.

use std::sync::Arc;

use saphyr_parser::{Event, Marker, Parser};

/// One segment of a path into a YAML/JSON document: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl Seg {
    pub fn key(key: &str) -> Self {
        Seg::Key(key.to_string())
    }

    fn matches(&self, other: &Seg) -> bool {
        match (self, other) {
            (Seg::Key(a), Seg::Key(b)) => a == b,
            (Seg::Index(a), Seg::Index(b)) => a == b,
            // A JSON pointer cannot tell `"0"` the key from `0` the index.
            (Seg::Key(a), Seg::Index(b)) | (Seg::Index(b), Seg::Key(a)) => *a == b.to_string(),
        }
    }
}

/// Builds a path from JSON-pointer-like segments, as jsonschema reports them.
pub fn path_of<'a>(segments: impl IntoIterator<Item = &'a str>) -> Vec<Seg> {
    segments
        .into_iter()
        .map(|segment| Seg::Key(segment.to_string()))
        .collect()
}

/// Converts a jsonschema location (an instance path) into a path.
pub fn path_of_location(location: &jsonschema::paths::Location) -> Vec<Seg> {
    location
        .segments()
        .map(|segment| match segment {
            jsonschema::paths::LocationSegment::Property(name) => Seg::Key(name.to_string()),
            jsonschema::paths::LocationSegment::Index(index) => Seg::Index(index),
        })
        .collect()
}

/// A path as a JSON pointer fragment (`#/properties/a~1b/0`), for messages.
pub fn pointer_of(path: &[Seg]) -> String {
    let mut pointer = String::from("#");
    for segment in path {
        pointer.push('/');
        match segment {
            Seg::Key(key) => pointer.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Seg::Index(index) => pointer.push_str(&index.to_string()),
        }
    }
    pointer
}

/// A byte range in a source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub offset: usize,
    pub len: usize,
}

/// A position shown to people: 1-based line and column (column in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub span: Span,
}

/// Whether to point at a mapping key or at its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Key,
    Value,
}

/// Text shared between the catalog, the findings and the renderer.
pub type SharedText = Arc<str>;

/// The position of the byte `offset` in `text`.
pub fn position_at(text: &str, offset: usize) -> Position {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let column = text[line_start..offset].chars().count() + 1;
    let len = text[offset..]
        .find(['\n', '\r'])
        .unwrap_or(text.len() - offset);
    Position {
        line,
        column,
        span: Span { offset, len },
    }
}

/// The byte offset of 1-based `line` and 0-based character `column`.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut line_start = 0;
    for _ in 1..line {
        match text[line_start..].find('\n') {
            Some(index) => line_start += index + 1,
            None => return text.len(),
        }
    }
    let rest = &text[line_start..];
    let within = rest
        .char_indices()
        .nth(column)
        .map_or(rest.len(), |(index, _)| index);
    line_start + within
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The position of the node at `path` in a YAML or JSON text, or of the deepest existing
/// ancestor when the path does not exist (a missing key points at the mapping that lacks it).
pub fn locate(text: &str, path: &[Seg], target: Target) -> Position {
    let mut locator = Locator {
        target: path,
        want_key: target == Target::Key,
        frames: Vec::new(),
        path: Vec::new(),
        best: None,
        done: false,
        refine_to_next_key: false,
        exact_pending: false,
    };
    let mut parser = Parser::new_from_str(text);
    // A syntax error, or nesting past what the parser accepts, stops the walk; whatever was
    // found before it still helps.
    while let Some(Ok((event, span))) = parser.next_event() {
        if matches!(event, Event::StreamEnd | Event::DocumentEnd)
            || locator.done
            || locator.frames.len() > crate::yaml::MAX_DEPTH
        {
            break;
        }
        locator.on_event(event, span.start);
    }
    match locator.best {
        Some((_, marker)) => {
            let offset = offset_of(text, marker.line(), marker.col());
            let mut position = position_at(text, offset);
            position.span.len = token_len(&text[offset..]);
            position
        }
        None => position_at(text, 0),
    }
}

/// The length of the scalar or punctuation starting a text, for a tight label.
fn token_len(rest: &str) -> usize {
    let mut chars = rest.char_indices();
    match chars.next() {
        Some((_, quote @ ('"' | '\''))) => {
            let mut escaped = false;
            for (index, ch) in chars {
                if escaped {
                    escaped = false;
                } else if ch == '\\' && quote == '"' {
                    escaped = true;
                } else if ch == quote {
                    return index + 1;
                } else if ch == '\n' {
                    return index;
                }
            }
            rest.len()
        }
        Some((_, '{' | '[' | '-')) => 1,
        Some(_) => rest
            .find(['\n', '\r', ',', ']', '}', '#'])
            .map(|end| {
                let trimmed = rest[..end].trim_end();
                // A mapping key: stop before the colon.
                trimmed
                    .find(": ")
                    .or_else(|| trimmed.strip_suffix(':').map(str::len))
                    .unwrap_or(trimmed.len())
            })
            .unwrap_or(rest.len())
            .max(1),
        None => 0,
    }
}

enum Frame {
    Map { expecting_key: bool },
    Seq { next_index: usize },
}

struct Locator<'p> {
    target: &'p [Seg],
    want_key: bool,
    frames: Vec<Frame>,
    path: Vec<Seg>,
    /// The deepest match so far: (depth, where).
    best: Option<(usize, Marker)>,
    done: bool,
    /// A block mapping's start may be marked away from its first key (yaml-rust2 marked the
    /// colon), so the position of a mapping that was just chosen is taken from its first key.
    refine_to_next_key: bool,
    /// The exact target is that mapping: stop once its first key refined the position.
    exact_pending: bool,
}

impl Locator<'_> {
    /// Records `marker` if the current path leads to the target; true when it did.
    fn consider(&mut self, marker: Marker, is_key: bool) -> bool {
        let depth = self.path.len();
        let prefix_matches = depth <= self.target.len()
            && self
                .path
                .iter()
                .zip(self.target)
                .all(|(seen, wanted)| seen.matches(wanted));
        if !prefix_matches {
            return false;
        }
        let exact = depth == self.target.len();
        if exact && is_key == self.want_key {
            self.best = Some((usize::MAX, marker));
            self.done = true;
            true
        } else if self.best.is_none_or(|(best, _)| depth > best) {
            self.best = Some((depth, marker));
            true
        } else {
            false
        }
    }

    /// A node (scalar, alias or collection) was entered in value position.
    fn enter_value(&mut self, marker: Marker, is_mapping: bool) {
        if let Some(Frame::Seq { next_index }) = self.frames.last_mut() {
            self.path.push(Seg::Index(*next_index));
            *next_index += 1;
        }
        if self.consider(marker, false) && is_mapping {
            self.refine_to_next_key = true;
            self.exact_pending = std::mem::take(&mut self.done);
        }
    }

    /// The node entered last is complete.
    fn leave_value(&mut self) {
        match self.frames.last_mut() {
            Some(Frame::Map { expecting_key }) => {
                *expecting_key = true;
                self.path.pop();
            }
            Some(Frame::Seq { .. }) => {
                self.path.pop();
            }
            None => {}
        }
    }
}

impl Locator<'_> {
    fn on_event(&mut self, event: Event<'_>, marker: Marker) {
        if self.done {
            return;
        }
        if std::mem::take(&mut self.refine_to_next_key) {
            if let (Event::Scalar(..), Some(best)) = (&event, &mut self.best) {
                best.1 = marker;
            }
            if self.exact_pending {
                self.done = true;
                return;
            }
        }
        let is_node_start = matches!(
            event,
            Event::Scalar(..)
                | Event::Alias(..)
                | Event::MappingStart(..)
                | Event::SequenceStart(..)
        );
        if is_node_start {
            if let Some(Frame::Map { expecting_key }) = self.frames.last_mut() {
                if *expecting_key {
                    *expecting_key = false;
                    let key = match &event {
                        Event::Scalar(text, ..) => text.to_string(),
                        // Complex keys cannot be addressed by a path; give them a name no path uses.
                        _ => "\u{0}complex-key".to_string(),
                    };
                    self.path.push(Seg::Key(key));
                    self.consider(marker, true);
                    if let Event::MappingStart(..) | Event::SequenceStart(..) = event {
                        // Skipping a complex key's contents is not worth the code: stop here.
                        self.done = true;
                    }
                    return;
                }
            }
            self.enter_value(marker, matches!(event, Event::MappingStart(..)));
        }
        match event {
            Event::MappingStart(..) => self.frames.push(Frame::Map {
                expecting_key: true,
            }),
            Event::SequenceStart(..) => self.frames.push(Frame::Seq { next_index: 0 }),
            Event::MappingEnd | Event::SequenceEnd => {
                self.frames.pop();
                self.leave_value();
            }
            Event::Scalar(..) | Event::Alias(..) => self.leave_value(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "name: Paid\nproducers: [a, b]\nconsumers:\n  - ledger\n  - fraud\nnested:\n  deep: {x: 1}\n";

    fn at(path: &[Seg], target: Target) -> (usize, usize) {
        let position = locate(YAML, path, target);
        (position.line, position.column)
    }

    #[test]
    fn finds_keys_values_and_items() {
        assert_eq!(at(&[Seg::key("name")], Target::Key), (1, 1));
        assert_eq!(at(&[Seg::key("name")], Target::Value), (1, 7));
        assert_eq!(
            at(&[Seg::key("producers"), Seg::Index(1)], Target::Value),
            (2, 16)
        );
        assert_eq!(
            at(&[Seg::key("consumers"), Seg::Index(1)], Target::Value),
            (5, 5)
        );
        assert_eq!(
            at(
                &[Seg::key("nested"), Seg::key("deep"), Seg::key("x")],
                Target::Key
            ),
            (7, 10)
        );
    }

    #[test]
    fn missing_path_points_at_deepest_ancestor() {
        assert_eq!(
            at(&[Seg::key("nested"), Seg::key("absent")], Target::Key),
            (6, 1)
        );
        assert_eq!(at(&[Seg::key("nested")], Target::Value), (7, 3));
        assert_eq!(at(&[Seg::key("absent")], Target::Key), (1, 1));
    }

    #[test]
    fn works_on_json_and_pointer_indices() {
        let json = "{\n  \"fields\": [\n    {\"name\": \"a\"},\n    {\"name\": \"b\"}\n  ]\n}";
        let position = locate(json, &path_of(["fields", "1", "name"]), Target::Value);
        assert_eq!((position.line, position.column), (4, 14));
        assert_eq!(position.span.len, 3);
    }

    #[test]
    fn positions_and_offsets_round_trip() {
        let text = "ab\ncdé\nf";
        let position = position_at(text, offset_of(text, 2, 2));
        assert_eq!((position.line, position.column), (2, 3));
        assert_eq!(offset_of(text, 9, 0), text.len());
    }
}
