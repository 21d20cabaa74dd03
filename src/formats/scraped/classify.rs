//! Line classes: what a single trimmed line of a scraped page is, judged on its own
//! ([`classify`]), from one anchored Aho-Corasick search for the boilerplate prefixes and cheap
//! prefix/suffix checks; and the reading-time line (`2 min read ...`, [`read_time`]).

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

use super::credits::{
    agency_line_parts, agency_then_date_parts, caption, caption_then_credit, is_disclaimer,
    looks_like_byline,
};
use super::dates::has_any_date;

/// What a single line is, judged on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Blank,
    /// `2 min read ...`
    ReadTime,
    /// A labelled date line that parses.
    Dated,
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

fn prefix_automaton() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(PREFIXES.iter().map(|(p, _)| p))
            .expect("static patterns build")
    })
}

/// Phrases that mark a short line as boilerplate wherever they occur in it.
const INLINE_BOILER: &[&str] = &[
    "telegram channel",
    "connect with us on",
    "whatsapp channel",
    "follow us on",
];

fn inline_automaton() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(INLINE_BOILER)
            .expect("static patterns build")
    })
}

/// Classifies one trimmed line on its own.
pub(super) fn classify(line: &str) -> Kind {
    if line.is_empty() {
        return Kind::Blank;
    }
    let first = line.as_bytes()[0];
    if first.is_ascii_digit() && read_time(line).is_some() {
        return Kind::ReadTime;
    }
    if let Some(m) = prefix_automaton().find(Input::new(line).anchored(Anchored::Yes)) {
        let rest = &line[m.end()..];
        let next = rest.chars().next();
        let word_end = next.is_none_or(|c| !c.is_alphanumeric());
        match PREFIXES[m.pattern().as_usize()].1 {
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
            Prefix::Dated if word_end && line.len() <= 160 && has_any_date(line) => {
                return Kind::Dated;
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
    if line.len() <= 120 && inline_automaton().is_match(line) {
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
