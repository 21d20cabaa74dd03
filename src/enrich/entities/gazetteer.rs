//! Places, demonyms and organisations: the embedded gazetteer and organisation list in one
//! case-sensitive Aho–Corasick automaton, searched anchored at word starts that can begin a
//! name ([`Gazetteer::matches`]). Most words are settled by a hashed table of the names' first
//! words without running the automaton ([`FirstWords`]).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, Input, MatchKind, StartKind};

use super::words::{WordHasher, data_lines};

pub(super) const GAZETTEER_TSV: &str = include_str!("../data/gazetteer.tsv");
pub(super) const ORGANISATIONS_TSV: &str = include_str!("../data/organisations.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EntryKind {
    Place,
    Organisation,
    Demonym,
}

#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) kind: EntryKind,
    /// Canonical name: the organisation's or place's reported identity.
    pub(super) canonical: &'static str,
    pub(super) country: Option<&'static str>,
    pub(super) coordinates: Option<(f64, f64)>,
}

/// What the automaton's patterns begin with, to skip anchored searches that cannot match: the
/// first byte, the first two bytes of patterns of two bytes or less, and (in a 64 Kibit set,
/// by hash) the first three bytes of longer ones. A word start whose bytes fit none of them
/// begins no pattern; one that fits may still begin none (the automaton decides).
pub(super) struct Prefixes {
    /// First bytes of all patterns.
    first: [bool; 256],
    /// Patterns of one byte.
    one: [bool; 256],
    /// Patterns of two bytes, by `b0 << 8 | b1`.
    two: Vec<u64>,
    /// First three bytes of longer patterns, by [`Prefixes::hash3`].
    three: Vec<u64>,
}

impl Prefixes {
    pub(super) fn new<'p>(patterns: impl Iterator<Item = &'p [u8]>) -> Prefixes {
        let mut p = Prefixes {
            first: [false; 256],
            one: [false; 256],
            two: vec![0; 1024],
            three: vec![0; 1024],
        };
        for pattern in patterns {
            match *pattern {
                [] => {}
                [b0] => {
                    p.first[b0 as usize] = true;
                    p.one[b0 as usize] = true;
                }
                [b0, b1] => {
                    p.first[b0 as usize] = true;
                    set_bit(&mut p.two, usize::from(b0) << 8 | usize::from(b1));
                }
                [b0, b1, b2, ..] => {
                    p.first[b0 as usize] = true;
                    set_bit(&mut p.three, Prefixes::hash3(b0, b1, b2));
                }
            }
        }
        p
    }

    /// A 16-bit hash of three bytes.
    fn hash3(b0: u8, b1: u8, b2: u8) -> usize {
        let key = u32::from(b0) << 16 | u32::from(b1) << 8 | u32::from(b2);
        (key.wrapping_mul(0x9e37_79b1) >> 16) as usize
    }

    /// False when no pattern is a prefix of `text`.
    #[inline]
    pub(super) fn may_begin(&self, text: &[u8]) -> bool {
        match *text {
            [] => false,
            [b0, ..] if !self.first[b0 as usize] => false,
            [b0, ..] if self.one[b0 as usize] => true,
            [_] => false,
            [b0, b1, ..] if get_bit(&self.two, usize::from(b0) << 8 | usize::from(b1)) => true,
            [b0, b1, b2, ..] => get_bit(&self.three, Prefixes::hash3(b0, b1, b2)),
            [_, _] => false,
        }
    }
}

fn set_bit(bits: &mut [u64], i: usize) {
    bits[i / 64] |= 1 << (i % 64);
}

fn get_bit(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & 1 << (i % 64) != 0
}

/// What the names that begin with a given word are: the word's own entry if it is a name, and
/// whether longer names begin with it.
#[derive(Debug, Clone, Copy, Default)]
struct FirstWord {
    /// The entry of the name that is exactly this word.
    entry: Option<u32>,
    /// Some name goes on past this word ("New" of "New York", "Washington" of "Washington,
    /// D.C.").
    longer: bool,
}

/// The first word of every name (its leading run of letters and digits), by word.
///
/// An anchored search at a word start can only end on a word boundary (the only matches
/// [`Gazetteer::matches`] keeps) with a name whose first word is the text's whole word: a name
/// that is all letters and digits and shorter than the word ends inside it ("Kyiv" in
/// "Kyivan"), and a name whose first word differs from the word is not a prefix of the text.
/// So a word that is no name's first word has no match; a word that is one name and begins no
/// longer one matches that name (the automaton's leftmost-longest answer); only a word that
/// begins longer names needs the automaton.
type FirstWords = HashMap<&'static str, FirstWord, BuildHasherDefault<WordHasher>>;

/// The leading run of letters and digits of a name (empty when it starts otherwise).
fn first_word(name: &str) -> &str {
    let end = name
        .char_indices()
        .find(|&(_, c)| !c.is_alphanumeric())
        .map_or(name.len(), |(i, _)| i);
    &name[..end]
}

/// The first-word table of the automaton's patterns, in pattern order.
fn first_words<'p>(patterns: impl Iterator<Item = &'p &'static str>) -> FirstWords {
    let mut table = FirstWords::default();
    for (i, &name) in patterns.enumerate() {
        let word = first_word(name);
        if word.is_empty() {
            continue;
        }
        let slot = table.entry(word).or_default();
        if word.len() == name.len() {
            slot.entry = Some(u32::try_from(i).expect("fewer than 2^32 names"));
        } else {
            slot.longer = true;
        }
    }
    table
}

/// A gazetteer or organisation name found in a text: its byte range and entry.
#[derive(Debug, Clone, Copy)]
pub(super) struct GazMatch {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) entry: usize,
}

/// Every place name, demonym and organisation alias with its entry, sorted by name: the
/// automaton's patterns in pattern order.
fn patterns() -> Vec<(&'static str, Entry)> {
    // Surface name -> entry; organisations override gazetteer names they collide with.
    let mut by_name: HashMap<&'static str, Entry> = HashMap::new();
    for line in data_lines(GAZETTEER_TSV) {
        let f: Vec<&'static str> = line.split('\t').collect();
        if f.len() < 7 {
            continue;
        }
        let kind = if f[2] == "demonym" {
            EntryKind::Demonym
        } else {
            EntryKind::Place
        };
        let coordinates = match (f[4].parse::<f64>(), f[5].parse::<f64>()) {
            (Ok(lat), Ok(lon)) => Some((lat, lon)),
            _ => None,
        };
        let entry = Entry {
            kind,
            canonical: if f[1] == "=" { f[0] } else { f[1] },
            country: (!f[3].is_empty()).then_some(f[3]),
            coordinates,
        };
        by_name.insert(f[0], entry);
    }
    for line in data_lines(ORGANISATIONS_TSV) {
        let (canonical, aliases) = line.split_once('\t').unwrap_or((line, ""));
        let canonical = canonical.trim();
        let entry = Entry {
            kind: EntryKind::Organisation,
            canonical,
            country: None,
            coordinates: None,
        };
        for name in std::iter::once(canonical).chain(aliases.split('|')) {
            let name = name.trim();
            if !name.is_empty() {
                by_name.insert(name, entry.clone());
            }
        }
    }
    let mut pairs: Vec<(&'static str, Entry)> = by_name.into_iter().collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    pairs
}

/// The automaton over every place name, demonym and organisation alias, and what each names.
pub(super) struct Gazetteer {
    automaton: AhoCorasick,
    /// The first bytes of every pattern: the only word starts worth a look.
    prefixes: Prefixes,
    /// The first word of every pattern: settles most words without the automaton.
    first_words: FirstWords,
    entries: Vec<Entry>,
}

impl Gazetteer {
    /// Builds the automaton from the embedded data.
    pub(super) fn new() -> Gazetteer {
        let pairs = patterns();
        let prefixes = Prefixes::new(pairs.iter().map(|(name, _)| name.as_bytes()));
        let first_words = first_words(pairs.iter().map(|(name, _)| name));
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(pairs.iter().map(|(name, _)| *name))
            .expect("gazetteer automaton builds");
        let entries = pairs.into_iter().map(|(_, e)| e).collect();
        Gazetteer {
            automaton,
            prefixes,
            first_words,
            entries,
        }
    }

    /// What a match names.
    pub(super) fn entry(&self, m: &GazMatch) -> &Entry {
        &self.entries[m.entry]
    }

    /// Automaton matches on word boundaries, in text order.
    ///
    /// The automaton is run anchored at each word start (the start of a run of letters and
    /// digits) whose first bytes can begin a name and whose word begins a longer name, so a
    /// match always starts on a boundary and text between names costs nothing; a match must
    /// also end on one. A word that is a name and begins no longer one is that name's match
    /// without a search, a word that begins no name has none (see [`FirstWords`]). Word starts
    /// inside a match are skipped.
    pub(super) fn matches(&self, text: &str, runs: &[(usize, usize)], out: &mut Vec<GazMatch>) {
        let bytes = text.as_bytes();
        let mut resume = 0;
        for &(start, end) in runs {
            if start < resume || !self.prefixes.may_begin(&bytes[start..]) {
                continue;
            }
            let Some(first) = self.first_words.get(&text[start..end]) else {
                continue;
            };
            if !first.longer {
                if let Some(entry) = first.entry {
                    out.push(GazMatch {
                        start,
                        end,
                        entry: entry as usize,
                    });
                    resume = end;
                }
                continue;
            }
            if let Some(m) = self.automaton_match(text, start) {
                resume = m.end;
                out.push(m);
            }
        }
    }

    /// The automaton's leftmost-longest match anchored at `start`, when it ends on a word
    /// boundary.
    fn automaton_match(&self, text: &str, start: usize) -> Option<GazMatch> {
        let input = Input::new(text).range(start..).anchored(Anchored::Yes);
        let m = self.automaton.find(input)?;
        let after_ok = text[m.end()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        after_ok.then(|| GazMatch {
            start: m.start(),
            end: m.end(),
            entry: m.pattern().as_usize(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_never_rule_out_a_pattern() {
        let p = Prefixes::new(["U", "UK", "Kyiv", "New York"].iter().map(|s| s.as_bytes()));
        for text in [
            "U",
            "US",
            "UK's",
            "Kyiv",
            "Kyivan",
            "New York",
            "New Yorker",
        ] {
            assert!(p.may_begin(text.as_bytes()), "{text}");
        }
        for text in ["", "Ky", "K", "Zebra", "ukraine"] {
            assert!(!p.may_begin(text.as_bytes()), "{text}");
        }
        // Every name of the embedded data, with and without text after it.
        let gazetteer = Gazetteer::new();
        let names = data_lines(GAZETTEER_TSV)
            .filter_map(|l| l.split('\t').next())
            .chain(
                data_lines(ORGANISATIONS_TSV)
                    .flat_map(|l| l.split(['\t', '|']))
                    .map(str::trim),
            )
            .filter(|n| !n.is_empty());
        let mut checked = 0;
        for name in names {
            assert!(gazetteer.prefixes.may_begin(name.as_bytes()), "{name}");
            let followed = format!("{name} said");
            assert!(gazetteer.prefixes.may_begin(followed.as_bytes()), "{name}");
            checked += 1;
        }
        assert!(checked > 10_000, "{checked} names");
    }

    /// [`Gazetteer::matches`] as it was before the first-word table: the automaton at every
    /// word start whose first bytes can begin a name.
    fn matches_reference(g: &Gazetteer, text: &str, runs: &[(usize, usize)]) -> Vec<GazMatch> {
        let mut out = Vec::new();
        let mut resume = 0;
        for &(start, _) in runs {
            if start < resume || !g.prefixes.may_begin(&text.as_bytes()[start..]) {
                continue;
            }
            if let Some(m) = g.automaton_match(text, start) {
                resume = m.end;
                out.push(m);
            }
        }
        out
    }

    /// (start, end, entry) of each match.
    type Found = Vec<(usize, usize, usize)>;

    /// The matches of [`Gazetteer::matches`] and of [`matches_reference`] in the text.
    fn both(g: &Gazetteer, text: &str) -> (Found, Found) {
        let scan = crate::enrich::TextScan::new([text]);
        let (text, runs) = scan.text(0);
        let mut new = Vec::new();
        g.matches(text, runs, &mut new);
        let key = |m: &GazMatch| (m.start, m.end, m.entry);
        (
            new.iter().map(key).collect(),
            matches_reference(g, text, runs).iter().map(key).collect(),
        )
    }

    fn pattern_names() -> &'static [&'static str] {
        static N: std::sync::LazyLock<Vec<&str>> =
            std::sync::LazyLock::new(|| patterns().into_iter().map(|(n, _)| n).collect());
        &N
    }

    fn gazetteer() -> &'static Gazetteer {
        static G: std::sync::LazyLock<Gazetteer> = std::sync::LazyLock::new(Gazetteer::new);
        &G
    }

    /// Every name, cut short, run on, followed and preceded by other text, is matched as the
    /// automaton alone matches it.
    #[test]
    fn first_words_agree_with_the_automaton() {
        let g = gazetteer();
        let names = pattern_names();
        let mut found = 0;
        for (i, name) in names.iter().enumerate() {
            let next = names[(i * 7919 + 13) % names.len()];
            let cut = &name[..crate::formats::textutil::floor_boundary(name, name.len() / 2 + 1)];
            for text in [
                name.to_string(),
                format!("{name}an"),
                format!("{name}'s {next} said"),
                format!("In {name}, {next}"),
                format!("{name}-based {cut} {next}{cut}"),
                format!("{cut} {name}. {next} ({name})"),
            ] {
                let (new, reference) = both(g, &text);
                assert_eq!(new, reference, "{text:?}");
                found += new.len();
            }
        }
        assert!(found > names.len(), "{found} matches");
    }

    proptest::proptest! {
        /// Text made of names, parts of names and separators is matched as the automaton alone
        /// matches it.
        #[test]
        fn first_words_agree_on_random_text(
            parts in proptest::collection::vec((0usize..100_000, 0usize..4, 0usize..8), 0..12)
        ) {
            let g = gazetteer();
            let names = pattern_names();
            let seps = [" ", ", ", "", "-", "'s ", ". ", "x", "\n"];
            let mut text = String::new();
            for (n, shorter, sep) in parts {
                // The name, or the name less its last 2, 4 or 6 bytes.
                let name = names[n % names.len()];
                let end = name.len().saturating_sub(2 * shorter);
                text.push_str(&name[..crate::formats::textutil::floor_boundary(name, end)]);
                text.push_str(seps[sep]);
            }
            let (new, reference) = both(g, &text);
            proptest::prop_assert_eq!(new, reference, "{:?}", text);
        }
    }
}
