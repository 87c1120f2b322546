//! How a query word matches a text: names are compared without case or separators, so
//! `customer_id`, `customerId` and `CustomerID` are one word; camel-case names also match by
//! their parts; a word of 4+ letters may be one edit away (two for 8+; swapping two adjacent
//! letters is one edit).

/// Lower case without separators: `Customer_ID`, `customer-id` and `customerId` are one word.
pub fn normalize(text: &str) -> String {
    normalized(text).collect()
}

fn normalized(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
        .flat_map(char::to_lowercase)
}

/// Quality of a match on the whole text, the best there is.
pub(super) const WHOLE: u32 = 4;

/// How well `word` (normalized) matches a text: the whole text ([`WHOLE`]), a word of it
/// exactly (3), a word's beginning (2), or a word one or two edits away (1). Words are compared
/// normalized, in one reused buffer (this runs for every text of every entry).
pub(super) fn best_quality(text: &str, word: &str) -> Option<u32> {
    if normalized(text).eq(word.chars()) {
        return Some(WHOLE);
    }
    let mut best = None;
    let mut part = String::new();
    for sub in sub_words(text) {
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
    best
}

/// Whether some word of `text` is one or two edits from `word` (normalized): the only kind of
/// match that [`contains_loosely`] cannot rule out.
pub(super) fn has_typo_of(text: &str, word: &str) -> bool {
    let length = word.chars().count();
    let Some(allowed) = typos_allowed(length) else {
        return false;
    };
    let mut part = String::new();
    for sub in sub_words(text) {
        // Most words are far longer or shorter: tell without normalizing them. An ASCII word
        // normalizes to its letters less `_` and `-`; any other has at most its bytes' count.
        let most = sub.len();
        let exact = sub
            .is_ascii()
            .then(|| most - sub.bytes().filter(|b| matches!(b, b'_' | b'-')).count());
        let too_far = match exact {
            Some(exact) => exact.abs_diff(length) > allowed,
            None => most + allowed < length,
        };
        if too_far {
            continue;
        }
        part.clear();
        part.extend(normalized(sub));
        if within_typo(&part, word) {
            return true;
        }
    }
    false
}

/// Lower case and letters and digits only. Whatever text matches a word with a quality above
/// typo has, loosened, the loosened word inside it, and so has any text containing that text:
/// the test that lets search skip schemas that cannot match.
pub(super) fn loosen(text: &str) -> String {
    if text.is_ascii() {
        return text
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|byte| char::from(byte.to_ascii_lowercase()))
            .collect();
    }
    text.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The words of a text (split at anything but letters, digits, `_` and `-`) and, for those
/// written in camel case, their parts too: `PaymentCaptured`, `Payment`, `Captured`.
fn sub_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric() && c != '_' && c != '-')
        .flat_map(camel_words)
}

fn camel_words(word: &str) -> impl Iterator<Item = &str> {
    let starts = || {
        word.char_indices()
            .filter(|(at, c)| *at > 0 && c.is_uppercase())
            .map(|(at, _)| at)
    };
    let is_camel = starts().next().is_some();
    let parts = is_camel.then(|| {
        std::iter::once(0)
            .chain(starts())
            .zip(starts().chain(std::iter::once(word.len())))
            .map(|(from, to)| &word[from..to])
    });
    std::iter::once(word).chain(parts.into_iter().flatten())
}

/// How many edits a word of `length` letters may be away from what it matches.
fn typos_allowed(length: usize) -> Option<usize> {
    match length {
        0..=3 => None,
        4..=7 => Some(1),
        _ => Some(2),
    }
}

fn within_typo(candidate: &str, word: &str) -> bool {
    let length = word.chars().count();
    let Some(allowed) = typos_allowed(length) else {
        return false;
    };
    candidate.chars().count().abs_diff(length) <= allowed
        && strsim::osa_distance(candidate, word) <= allowed
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

    #[test]
    fn a_text_inside_another_keeps_every_match_but_typos_in_the_loosened_test() {
        let inside = "Customer id";
        let around = "message M {\n  // Customer\n  // id\n  string x = 1;\n}";
        let word = normalize("customer_id");
        assert_eq!(best_quality(inside, &word), Some(WHOLE));
        assert!(loosen(around).contains(&loosen(&word)));
        assert!(has_typo_of("the custmer record", "customer"));
        assert!(!has_typo_of("the client record", "customer"));
    }
}
