//! Line classes: what a single trimmed line of a scraped page is, judged on its own
//! ([`classify`]), from the boilerplate prefixes that share the line's first byte and cheap
//! prefix/suffix checks; and the reading-time line (`2 min read ...`, [`read_time`]).

use super::credits::{
    agency_line_parts, agency_then_date_parts, caption, caption_then_credit, is_disclaimer,
    looks_like_byline,
};
use super::dates::LineDates;
use crate::formats::textutil::{ByFirstByte, by_first_byte};

/// What a single line is, judged on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Blank,
    /// `2 min read ...`
    ReadTime,
    /// A labelled date line that parses; its dates are entry `n` of the page's date table (see
    /// [`classify_with_dates`]), or, past the table's end, read again where they are used.
    Dated(u8),
    /// A photo caption with its credit parenthesis.
    Caption,
    /// An agency credit line.
    Agency,
    /// `By Name ...` (or a contextual staff byline).
    Byline,
    /// `Listen to This Article`: header boilerplate.
    Listen,
    /// Boilerplate removed wherever it stands.
    Drop,
    /// Syndication disclaimer.
    Disclaimer,
    /// `Topics :` / `Tags:`.
    Topics,
    /// `More From This Section`.
    MoreSection,
    /// Boilerplate that ends the body (`Catch all the ...`).
    EndBoiler,
    Other,
}

/// What an anchored prefix pattern means.
#[derive(Clone, Copy)]
enum Prefix {
    Drop,
    /// Dropped only when the line is short (a sentence may start the same way).
    DropShort,
    /// Dropped only when the line is a label of a few words (`Read in Hindi`, `Subscribe`).
    DropTiny,
    Listen,
    Disclaimer,
    /// A disclaimer opening that needs no keyword check (the line may be hard-wrapped).
    StrongDisclaimer,
    Topics,
    More,
    EndBoiler,
    Dated,
    By,
}

const PREFIXES: &[(&str, Prefix)] = &[
    ("listen to this article", Prefix::Listen),
    ("connect with us on", Prefix::Drop),
    ("get them on our telegram", Prefix::Drop),
    ("for more news, get them on", Prefix::Drop),
    ("also read", Prefix::DropShort),
    ("also watch", Prefix::DropShort),
    ("read more", Prefix::DropShort),
    ("read also", Prefix::DropShort),
    ("advertisement", Prefix::DropShort),
    ("story continues below", Prefix::Drop),
    ("subscribe to", Prefix::DropShort),
    ("subscribe", Prefix::DropTiny),
    ("read in", Prefix::DropTiny),
    ("sign up", Prefix::DropTiny),
    ("share", Prefix::DropTiny),
    ("newsletter", Prefix::DropTiny),
    ("follow us on", Prefix::DropShort),
    ("download the", Prefix::DropShort),
    ("join our whatsapp", Prefix::DropShort),
    ("join us on", Prefix::DropShort),
    ("click here", Prefix::DropShort),
    ("share this article", Prefix::DropShort),
    ("catch all the", Prefix::EndBoiler),
    ("more from this section", Prefix::More),
    ("topics", Prefix::Topics),
    ("tags", Prefix::Topics),
    ("(only the headline", Prefix::StrongDisclaimer),
    ("(except for the headline", Prefix::StrongDisclaimer),
    ("(this story", Prefix::Disclaimer),
    ("(this article", Prefix::Disclaimer),
    ("(this report", Prefix::Disclaimer),
    ("(disclaimer", Prefix::Disclaimer),
    ("(with the exception of the headline", Prefix::Disclaimer),
    ("disclaimer", Prefix::Disclaimer),
    ("this story", Prefix::Disclaimer),
    ("this article", Prefix::Disclaimer),
    ("first published", Prefix::Dated),
    ("last updated", Prefix::Dated),
    ("updated", Prefix::Dated),
    ("published", Prefix::Dated),
    ("posted on", Prefix::Dated),
    ("posted at", Prefix::Dated),
    ("created on", Prefix::Dated),
    ("by ", Prefix::By),
];

/// [`PREFIXES`] by first byte (the patterns are lower case).
const PREFIX_INDEX: ByFirstByte<{ PREFIXES.len() }> = by_first_byte!(PREFIXES);

/// The longest of [`PREFIXES`] that `line` starts with, ignoring ASCII case: (index, length).
fn prefix_at_start(line: &str) -> Option<(usize, usize)> {
    PREFIX_INDEX.longest_prefix_ci(line.as_bytes(), |i| PREFIXES[i].0)
}

/// Phrases that mark a short line as boilerplate wherever they occur in it, split at one of
/// their spaces: (before the space, after it).
const INLINE_BOILER: &[(&str, &str)] = &[
    ("telegram", "channel"),
    ("connect with", "us on"),
    ("whatsapp", "channel"),
    ("follow", "us on"),
];

/// True when `line` contains one of [`INLINE_BOILER`], ignoring ASCII case. Every occurrence
/// has a space at the split, so only the words around each space are compared.
fn has_inline_boiler(line: &str) -> bool {
    let b = line.as_bytes();
    memchr::memchr_iter(b' ', b).any(|sp| {
        let (before, after) = (&b[..sp], &b[sp + 1..]);
        let Some(next) = after.first().map(u8::to_ascii_lowercase) else {
            return false;
        };
        // The byte after the space rules out most phrases before any word is compared.
        INLINE_BOILER.iter().any(|(x, y)| {
            let (x, y) = (x.as_bytes(), y.as_bytes());
            y[0] == next
                && after.len() >= y.len()
                && before.len() >= x.len()
                && after[..y.len()].eq_ignore_ascii_case(y)
                && before[before.len() - x.len()..].eq_ignore_ascii_case(x)
        })
    })
}

/// Classifies one trimmed line on its own.
pub(super) fn classify(line: &str) -> Kind {
    classify_with_dates(line, &mut Vec::new())
}

/// [`classify`], keeping the dates a date line was found to hold: they are pushed onto `dates`
/// and the class names their entry, so that they are read only once (the class stays a byte
/// or two: a page's classes are a short array).
pub(super) fn classify_with_dates(line: &str, dates: &mut Vec<LineDates>) -> Kind {
    if line.is_empty() {
        return Kind::Blank;
    }
    let first = line.as_bytes()[0];
    if first.is_ascii_digit() && read_time(line).is_some() {
        return Kind::ReadTime;
    }
    if let Some((pattern, end)) = prefix_at_start(line) {
        // The patterns are ASCII: `end` is a char boundary.
        let rest = &line[end..];
        let next = rest.chars().next();
        let word_end = next.is_none_or(|c| !c.is_alphanumeric());
        match PREFIXES[pattern].1 {
            Prefix::Listen => return Kind::Listen,
            Prefix::Drop => return Kind::Drop,
            Prefix::DropShort if word_end && line.len() <= 160 => return Kind::Drop,
            Prefix::DropTiny if word_end && line.len() <= 40 => return Kind::Drop,
            Prefix::EndBoiler => return Kind::EndBoiler,
            Prefix::More if line.len() <= 40 => return Kind::MoreSection,
            Prefix::Topics if word_end => {
                let r = rest.trim_start();
                if r.is_empty() || r.starts_with(':') {
                    return Kind::Topics;
                }
            }
            Prefix::StrongDisclaimer => return Kind::Disclaimer,
            Prefix::Disclaimer if is_disclaimer(line) => return Kind::Disclaimer,
            Prefix::Dated if word_end && line.len() <= 160 => {
                if let Some(found) = LineDates::of_dated(line) {
                    // Entry u8::MAX is never stored: past 255 date lines, nothing is kept.
                    let n = u8::try_from(dates.len()).unwrap_or(u8::MAX);
                    if n < u8::MAX {
                        dates.push(found);
                    }
                    return Kind::Dated(n);
                }
            }
            Prefix::By if line.len() <= 80 => {
                if agency_line_parts(line).is_some() {
                    return Kind::Agency;
                }
                if looks_like_byline(&line[3..]) {
                    return Kind::Byline;
                }
            }
            _ => {}
        }
    }
    if line.len() <= 120 && has_inline_boiler(line) {
        return Kind::Drop;
    }
    if line.ends_with(')') && caption(line).is_some() {
        return Kind::Caption;
    }
    if line.len() <= 80 && agency_line_parts(line).is_some() {
        return Kind::Agency;
    }
    if caption_then_credit(line).is_some() {
        return Kind::Caption;
    }
    if line.len() <= 160 && agency_then_date_parts(line).is_some() {
        return Kind::Agency;
    }
    Kind::Other
}

/// `N min read <rest>` → (N, rest).
pub(super) fn read_time(line: &str) -> Option<(u32, &str)> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let n: u32 = line[..digits].parse().ok()?;
    let rest = line[digits..].trim_start();
    for unit in [
        "minutes read",
        "minute read",
        "mins read",
        "min. read",
        "min read",
    ] {
        if rest.len() >= unit.len()
            && rest.is_char_boundary(unit.len())
            && rest[..unit.len()].eq_ignore_ascii_case(unit)
        {
            return Some((n, rest[unit.len()..].trim_start()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

    use super::*;

    /// The prefix search as first written: one anchored, case-insensitive automaton.
    fn prefix_automaton(line: &str) -> Option<(usize, usize)> {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(PREFIXES.iter().map(|(p, _)| p))
            .expect("static patterns build")
            .find(Input::new(line).anchored(Anchored::Yes))
            .map(|m| (m.pattern().as_usize(), m.end()))
    }

    /// The inline phrases as first written: one case-insensitive automaton over the line.
    fn inline_automaton(line: &str) -> bool {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(INLINE_BOILER.iter().map(|(x, y)| format!("{x} {y}")))
            .expect("static patterns build")
            .is_match(line)
    }

    #[test]
    fn date_table_stops_before_entry_255() {
        let mut dates = Vec::new();
        let line = "Updated: Aug 20 2025 | 3:57 PM IST";
        for n in 0..300usize {
            let expected = u8::try_from(n.min(255)).expect("fits");
            assert_eq!(classify_with_dates(line, &mut dates), Kind::Dated(expected));
        }
        assert_eq!(dates.len(), 255);
        assert!(dates.iter().all(|d| *d == dates[0]));
    }

    #[test]
    fn prefixes_are_lower_case() {
        for (p, _) in PREFIXES {
            assert_eq!(*p, p.to_ascii_lowercase());
        }
    }

    #[test]
    fn searches_agree_on_every_pattern() {
        let phrases = INLINE_BOILER.iter().map(|(x, y)| format!("{x} {y}"));
        for p in PREFIXES.iter().map(|(p, _)| p.to_string()).chain(phrases) {
            for line in [
                p.clone(),
                p.to_uppercase(),
                format!("{p}: x"),
                format!("{p}x"),
                format!("Ask {p} now"),
                p[..p.len() - 1].to_string(),
            ] {
                assert_eq!(prefix_at_start(&line), prefix_automaton(&line), "{line:?}");
                assert_eq!(
                    has_inline_boiler(&line),
                    inline_automaton(&line),
                    "{line:?}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn prefix_search_agrees(
            head in proptest::sample::select(PREFIXES.iter().map(|(p, _)| *p).collect::<Vec<_>>()),
            cut in 0usize..40,
            tail in "[a-zA-Z :()é]{0,12}",
        ) {
            let mut line = head[..cut.min(head.len())].to_uppercase();
            line.push_str(&tail);
            proptest::prop_assert_eq!(prefix_at_start(&line), prefix_automaton(&line));
        }

        #[test]
        fn inline_search_agrees(
            words in proptest::collection::vec(
                "telegram|Telegram|CHANNEL|channel|whatsapp|connect|with|us|on|follow|Us|x|é",
                0..10,
            ),
            seps in proptest::collection::vec(" |  |\\t|", 10),
        ) {
            let mut line = String::new();
            for (w, s) in words.iter().zip(&seps) {
                line.push_str(w);
                line.push_str(s);
            }
            proptest::prop_assert_eq!(has_inline_boiler(&line), inline_automaton(&line));
        }
    }
}
