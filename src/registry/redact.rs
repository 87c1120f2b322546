//! Keeping credentials written into URLs (`https://user:secret@host`) out of everything evcat
//! shows: messages, reports, errors.

/// The user-info part of the URL starting at `text[start..]` (after `scheme://`), as a byte
/// range, if it has one.
fn user_info(text: &str, start: usize) -> Option<std::ops::Range<usize>> {
    let rest = &text[start..];
    let authority_end = rest
        .find(|ch: char| {
            matches!(ch, '/' | '?' | '#' | '"' | '\'' | '<' | '>') || ch.is_whitespace()
        })
        .unwrap_or(rest.len());
    let at = rest[..authority_end].rfind('@')?;
    Some(start..start + at + 1)
}

/// `text` with the user info of every URL in it removed: `https://u:p@host/x` becomes
/// `https://host/x`.
pub fn redact_urls(text: &str) -> String {
    let mut result = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find("://") {
        let authority = search + found + 3;
        if let Some(range) = user_info(text, authority) {
            result.push_str(&text[copied..range.start]);
            copied = range.end;
        }
        search = authority;
    }
    result.push_str(&text[copied..]);
    result
}

/// Whether a URL carries a password in its user info (`user:password@`).
pub fn has_password(url: &str) -> bool {
    url.find("://")
        .and_then(|found| user_info(url, found + 3))
        .is_some_and(|range| url[range].contains(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_is_removed_from_every_url() {
        assert_eq!(
            redact_urls("see http://u:secret@h:8081/x and https://t@h2?a=b@c"),
            "see http://h:8081/x and https://h2?a=b@c"
        );
        assert_eq!(redact_urls("http://host/p@th"), "http://host/p@th");
        assert_eq!(redact_urls("no url @ all"), "no url @ all");
        assert_eq!(redact_urls("http://a:b@"), "http://");
    }

    #[test]
    fn passwords_are_told_apart_from_user_names() {
        assert!(has_password("https://ci:hunter2@sr.example.com"));
        assert!(!has_password("https://ci@sr.example.com"));
        assert!(!has_password("https://sr.example.com/a:b@c"));
    }
}
