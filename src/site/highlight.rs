//! Syntax highlighting for schema sources, done when the site is built: a small tokenizer per
//! format that wraps strings, numbers, keywords and comments in `<span class="tok-…">`. Every
//! piece of text goes through maud's escaping.

use maud::{html, Markup};

use crate::catalog::Format;

pub fn source(format: Format, text: &str) -> Markup {
    let tokens = match format {
        Format::Protobuf => proto_tokens(text),
        Format::Avro | Format::Json => json_tokens(text),
    };
    html! {
        @for (class, piece) in tokens {
            @match class {
                Some(class) => span class=(class) { (piece) },
                None => (piece),
            }
        }
    }
}

type Token<'t> = (Option<&'static str>, &'t str);

fn json_tokens(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let (mut at, mut plain) = (0, 0);
    while at < bytes.len() {
        let start = at;
        let class = match bytes[at] {
            b'"' => {
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
                at = boundary(text, at + 1);
                let rest = text[at..].trim_start();
                Some(if rest.starts_with(':') {
                    "tok-key"
                } else {
                    "tok-str"
                })
            }
            b'-' | b'0'..=b'9' => {
                while at < bytes.len()
                    && matches!(bytes[at], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    at += 1;
                }
                Some("tok-num")
            }
            b't' | b'f' | b'n' => {
                let word = ["true", "false", "null"]
                    .into_iter()
                    .find(|word| text[at..].starts_with(word));
                match word {
                    Some(word) => {
                        at += word.len();
                        Some("tok-lit")
                    }
                    None => None,
                }
            }
            _ => None,
        };
        match class {
            Some(class) => {
                if plain < start {
                    tokens.push((None, &text[plain..start]));
                }
                tokens.push((Some(class), &text[start..at]));
                plain = at;
            }
            None => at += utf8_width(bytes[at]),
        }
    }
    if plain < text.len() {
        tokens.push((None, &text[plain..]));
    }
    tokens
}

const PROTO_KEYWORDS: &[&str] = &[
    "syntax", "package", "import", "option", "message", "enum", "oneof", "map", "repeated",
    "optional", "required", "reserved", "service", "rpc", "returns", "extend", "public", "weak",
];

fn proto_tokens(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let (mut at, mut plain) = (0, 0);
    while at < bytes.len() {
        let start = at;
        let class = if text[at..].starts_with("//") {
            at = text[at..].find('\n').map_or(bytes.len(), |end| at + end);
            Some("tok-com")
        } else if text[at..].starts_with("/*") {
            at = text[at + 2..]
                .find("*/")
                .map_or(bytes.len(), |end| at + 2 + end + 2);
            Some("tok-com")
        } else if matches!(bytes[at], b'"' | b'\'') {
            let quote = bytes[at];
            at += 1;
            while at < bytes.len() && bytes[at] != quote && bytes[at] != b'\n' {
                at += if bytes[at] == b'\\' { 2 } else { 1 };
            }
            at = boundary(text, at + 1);
            Some("tok-str")
        } else if bytes[at].is_ascii_alphabetic() {
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
            let word = &text[start..at];
            PROTO_KEYWORDS.contains(&word).then_some("tok-kw")
        } else if bytes[at].is_ascii_digit() {
            while at < bytes.len() && bytes[at].is_ascii_alphanumeric() {
                at += 1;
            }
            Some("tok-num")
        } else {
            at += utf8_width(bytes[at]);
            None
        };
        if let Some(class) = class {
            if plain < start {
                tokens.push((None, &text[plain..start]));
            }
            tokens.push((Some(class), &text[start..at]));
            plain = at;
        }
    }
    if plain < text.len() {
        tokens.push((None, &text[plain..]));
    }
    tokens
}

/// `at`, or the next character boundary after it, within the text (an escape's backslash may
/// have stepped into a character or past the end).
fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// The length of the UTF-8 character starting with `first` (so slices stay on boundaries).
fn utf8_width(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_tokens_and_escapes_text() {
        let json = source(
            Format::Avro,
            r#"{"name": "<b>é", "default": null, "n": -1.5}"#,
        )
        .into_string();
        assert!(
            json.contains(r#"<span class="tok-key">&quot;name&quot;</span>"#),
            "{json}"
        );
        assert!(json.contains("&lt;b&gt;é"), "{json}");
        assert!(
            json.contains(r#"<span class="tok-lit">null</span>"#),
            "{json}"
        );
        let proto = source(Format::Protobuf, "// a <c>\nmessage M { string s = 1; }").into_string();
        assert!(
            proto.contains(r#"<span class="tok-com">// a &lt;c&gt;</span>"#),
            "{proto}"
        );
        assert!(
            proto.contains(r#"<span class="tok-kw">message</span>"#),
            "{proto}"
        );
        // An escape before a multi-byte character or at the end cannot split a character.
        for odd in ["\"\\é\"", "\"\\", "'\\é"] {
            source(Format::Json, odd);
            source(Format::Protobuf, odd);
        }
    }
}
