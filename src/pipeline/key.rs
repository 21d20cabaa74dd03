//! Dedup keys and article ids.
//!
//! The dedup key is the normalised headline (DESIGN.md, "Dedup semantics"):
//! Unicode NFKC, lower-cased, agency prefixes such as `UPDATE 2-`, `CORRECTED-`, `URGENT:` and
//! trailing source tags such as ` - Reuters` removed, every run of punctuation and whitespace
//! collapsed to one space. Two copies of a story whose headlines differ only in those respects get
//! the same key, so the keyed topic puts them on the same partition.
//!
//! The article id is `urn:wirefeed:article:<16 hex digits>`, an xxh3 hash of the dedup key and the
//! first publication time (RFC 3339, UTC, seconds). It depends on nothing but the story, so replays
//! and restarts give the same id.

use chrono::{DateTime, SecondsFormat, Utc};
use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// Prefix of every article id.
pub const ARTICLE_URN_PREFIX: &str = "urn:wirefeed:article:";

/// Leading agency markers removed before keying, matched case-insensitively on the NFKC text.
/// Each may be followed by a number (`UPDATE 2`) and a separator (`-`, `:`).
const LEADING_MARKERS: &[&str] = &[
    "update",
    "corrected",
    "correction",
    "refile",
    "urgent",
    "breaking",
    "exclusive",
    "rpt",
    "repeat",
    "wrapup",
    "analysis",
    "factbox",
    "live",
    "flash",
];

/// Trailing source tags removed before keying (` - Reuters`, ` | AP`).
const TRAILING_SOURCES: &[&str] = &[
    "reuters",
    "ap",
    "associated press",
    "afp",
    "pti",
    "ani",
    "ians",
    "bloomberg",
    "dpa",
    "business standard",
    "ndtv",
    "the hindu",
    "mint",
    "livemint",
];

/// Computes the dedup key of a headline.
///
/// Returns an empty string when the headline has no letters or digits at all; callers treat that
/// as "no headline".
pub fn dedup_key(headline: &str) -> String {
    let folded = fold(headline);
    let mut text = folded.trim();
    text = strip_trailing_source(text);
    // Markers can stack ("UPDATE 2-EXCLUSIVE-..."), so strip repeatedly.
    loop {
        let stripped = strip_leading_marker(text);
        if stripped.len() == text.len() {
            break;
        }
        text = stripped;
    }
    collapse(text)
}

/// NFKC, lower-cased. Text already in NFKC (all ASCII text is) is only lower-cased.
fn fold(headline: &str) -> String {
    if headline.is_ascii() {
        return headline.to_ascii_lowercase();
    }
    if unicode_normalization::is_nfkc_quick(headline.chars()) == IsNormalized::Yes {
        return headline.chars().flat_map(char::to_lowercase).collect();
    }
    headline.nfkc().flat_map(char::to_lowercase).collect()
}

/// Removes one leading marker such as `update 2-` or `corrected:`; returns the input unchanged when
/// none is present or when nothing would remain.
fn strip_leading_marker(text: &str) -> &str {
    for marker in LEADING_MARKERS {
        let Some(rest) = text.strip_prefix(marker) else {
            continue;
        };
        let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ');
        let Some(sep) = rest.chars().next() else {
            continue;
        };
        if matches!(sep, '-' | ':' | '—' | '–' | '|') {
            let rest = rest[sep.len_utf8()..].trim_start();
            if rest.chars().any(char::is_alphanumeric) {
                return rest;
            }
        }
    }
    text
}

/// Removes a trailing ` - reuters` / ` | ap` style tag.
fn strip_trailing_source(text: &str) -> &str {
    for sep in [" - ", " | ", " — ", " – "] {
        if let Some(idx) = text.rfind(sep) {
            let tail = text[idx + sep.len()..].trim();
            if TRAILING_SOURCES.contains(&tail) && text[..idx].chars().any(char::is_alphanumeric) {
                return text[..idx].trim_end();
            }
        }
    }
    text
}

/// Keeps letters and digits, turns every other run of characters into one space.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        // Apostrophes inside words ("russia's") vanish instead of splitting the word.
        if matches!(c, '\'' | '’' | '‘') {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else {
            pending_space = true;
        }
    }
    out
}

/// The stable article id of a story: see the module docs.
pub fn article_id(dedup_key: &str, first_published: DateTime<Utc>) -> String {
    let stamp = first_published.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut input = String::with_capacity(dedup_key.len() + 1 + stamp.len());
    input.push_str(dedup_key);
    input.push('|');
    input.push_str(&stamp);
    let hash = xxhash_rust::xxh3::xxh3_64(input.as_bytes());
    format!("{ARTICLE_URN_PREFIX}{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const SAME_KEY: &[(&str, &str)] = &[
        (
            "NATO defence chiefs discuss Ukraine security guarantees in virtual meet",
            "nato defence chiefs discuss ukraine security guarantees in virtual meet",
        ),
        (
            "UPDATE 2-Oil prices rise on supply fears",
            "oil prices rise on supply fears",
        ),
        (
            "CORRECTED-Oil prices rise on supply fears",
            "oil prices rise on supply fears",
        ),
        ("UPDATE 1-EXCLUSIVE-Oil prices rise", "oil prices rise"),
        (
            "Oil prices rise on supply fears - Reuters",
            "oil prices rise on supply fears",
        ),
        (
            "Oil  prices   rise, on supply fears!",
            "oil prices rise on supply fears",
        ),
        ("Russia’s war: what next?", "russias war what next"),
        ("ＦＵＬＬＷＩＤＴＨ headline", "fullwidth headline"),
        ("Update: the markets", "the markets"),
    ];

    #[test]
    fn normalises_headlines() {
        for (headline, expected) in SAME_KEY {
            assert_eq!(dedup_key(headline), *expected, "headline {headline:?}");
        }
    }

    #[test]
    fn keeps_words_that_only_look_like_markers() {
        assert_eq!(
            dedup_key("Updates to the tax code"),
            "updates to the tax code"
        );
        assert_eq!(dedup_key("Live music returns"), "live music returns");
        assert_eq!(dedup_key("UPDATE 2-"), "update 2");
        assert_eq!(dedup_key("Bombay - AP"), "bombay");
        assert_eq!(dedup_key(" - AP"), "ap");
    }

    proptest::proptest! {
        /// The shortcuts of `fold` (ASCII, text already in NFKC) give what normalising gives.
        #[test]
        fn fold_is_nfkc_lower_cased(s in "(\\PC|[a-zA-Z ’é\u{301}ﬁＡ])*") {
            let full: String = s.nfkc().flat_map(char::to_lowercase).collect();
            proptest::prop_assert_eq!(fold(&s), full);
        }
    }

    #[test]
    fn empty_for_no_letters() {
        assert_eq!(dedup_key("  --- !!! "), "");
    }

    #[test]
    fn article_id_is_stable_and_depends_on_time() {
        let t = Utc.with_ymd_and_hms(2025, 8, 20, 10, 27, 0).unwrap();
        let id = article_id("a story", t);
        assert!(id.starts_with(ARTICLE_URN_PREFIX));
        assert_eq!(id.len(), ARTICLE_URN_PREFIX.len() + 16);
        assert_eq!(id, article_id("a story", t));
        assert_ne!(id, article_id("a story", t + chrono::Duration::seconds(1)));
        assert_ne!(id, article_id("another story", t));
    }
}
