//! People: runs of capitalised tokens judged by titles, role words, speech verbs and given
//! names, then surnames resolved to full names (see the parent module for the steps).

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use super::gazetteer::GazMatch;
use super::words::{WordHasher, WordSet, data_lines, word_set};
use crate::formats::textutil::push_unique;

const GIVEN_NAMES_TXT: &str = include_str!("../data/given_names.txt");
const TITLES_TXT: &str = include_str!("../data/titles.txt");
const PERSONAL_TITLES_TXT: &str = include_str!("../data/personal_titles.txt");
const ROLE_CUES_TXT: &str = include_str!("../data/role_cues.txt");
const ABBREVIATIONS_TXT: &str = include_str!("../data/abbreviations.txt");
const SPEECH_AFTER_TXT: &str = include_str!("../data/speech_after.txt");
const SPEECH_BEFORE_TXT: &str = include_str!("../data/speech_before.txt");
const PARTICLES_TXT: &str = include_str!("../data/particles.txt");
const STOPWORDS_TXT: &str = include_str!("../data/stopwords.txt");
const NON_NAME_WORDS_TXT: &str = include_str!("../data/non_name_words.txt");

/// The word lists of the people heuristic (each file's header says what its words do).
pub(super) struct People {
    given_names: WordSet,
    titles: WordSet,
    personal_titles: WordSet,
    role_cues: WordSet,
    abbreviations: WordSet,
    speech_after: WordSet,
    speech_before: WordSet,
    particles: WordSet,
    stopwords: WordSet,
    non_name: WordSet,
}

/// The words of an embedded list, one a line.
fn words(data: &'static str) -> WordSet {
    word_set(data_lines(data).map(str::trim))
}

impl People {
    /// Loads the embedded word lists.
    pub(super) fn new() -> People {
        People {
            given_names: words(GIVEN_NAMES_TXT),
            titles: words(TITLES_TXT),
            personal_titles: words(PERSONAL_TITLES_TXT),
            role_cues: words(ROLE_CUES_TXT),
            abbreviations: words(ABBREVIATIONS_TXT),
            speech_after: words(SPEECH_AFTER_TXT),
            speech_before: words(SPEECH_BEFORE_TXT),
            particles: words(PARTICLES_TXT),
            stopwords: words(STOPWORDS_TXT),
            non_name: words(NON_NAME_WORDS_TXT),
        }
    }

    /// Splits a text into word tokens with their shape and the gap to the next token, keeping
    /// only the words a name can start with and their neighbours (see [`Kept`]).
    pub(super) fn tokenize<'t>(
        &self,
        text: &'t str,
        runs: &[(usize, usize)],
        ms: &[GazMatch],
        toks: &mut Vec<Tok<'t>>,
    ) {
        toks.clear();
        let bytes = text.as_bytes();
        let mut kept = Kept::new(runs.first().is_some_and(|&(s, _)| upper_ish(bytes[s])));
        // Where the gap before the next word begins, when the word before it was kept.
        let mut prev_end = None;
        let mut mi = 0;
        let mut r = 0;
        while r < runs.len() {
            let (start, end) = word_at(bytes, runs, &mut r);
            let keep = kept.next(runs.get(r).is_some_and(|&(s, _)| upper_ish(bytes[s])));
            if !keep {
                prev_end = None;
                continue;
            }
            let tok = self.token(text, start, end, ms, &mut mi);
            if let Some(gap_start) = prev_end
                && let Some(prev) = toks.last_mut()
            {
                prev.joins_next = joins(prev, &text[gap_start..start]);
            }
            toks.push(tok);
            prev_end = Some(end);
        }
    }

    /// The token of the word `start..end` of the text (a possessive "'s" stripped);
    /// `ms[*mi..]` are the gazetteer matches that do not end before an earlier word.
    fn token<'t>(
        &self,
        text: &'t str,
        start: usize,
        end: usize,
        ms: &[GazMatch],
        mi: &mut usize,
    ) -> Tok<'t> {
        let (word, possessive) = strip_possessive(&text[start..end]);
        let shape = shape(word);
        let period_joins = text.as_bytes().get(end) == Some(&b'.')
            && (shape == Shape::Initial || self.abbreviations.contains(word))
            && text[end + 1..].starts_with(' ');
        while *mi < ms.len() && ms[*mi].end <= start {
            *mi += 1;
        }
        let covered = ms
            .get(*mi)
            .filter(|m| m.start <= start && start + word.len() <= m.end)
            .map(|m| (*mi, m.end));
        Tok {
            start,
            end: start + word.len(),
            text: word,
            possessive,
            shape,
            joins_next: false,
            period_joins,
            covered,
        }
    }

    fn is_stop(&self, t: &Tok) -> bool {
        self.stopwords.contains(t.text)
    }

    fn is_particle(&self, t: &Tok) -> bool {
        t.shape == Shape::Lower
            && (self.particles.contains(t.text)
                || t.text
                    .split_once('-')
                    .is_some_and(|(p, _)| self.particles.contains(p)))
    }

    /// Collects full-name candidates (2–4 name tokens, cued) and single capitalised tokens.
    pub(super) fn candidates<'t>(
        &self,
        ti: usize,
        toks: &[Tok<'t>],
        fulls: &mut Vec<Mention<'t>>,
        singles: &mut Vec<Single<'t>>,
    ) {
        let name_like =
            |t: &Tok| matches!(t.shape, Shape::Capitalised | Shape::Initial) && !self.is_stop(t);
        let mut i = 0;
        while i < toks.len() {
            if !name_like(&toks[i]) {
                i += 1;
                continue;
            }
            // Extend the run.
            let a = i;
            let mut b = i + 1;
            while b <= toks.len() {
                let prev = &toks[b - 1];
                if b == toks.len() || !prev.joins_next {
                    break;
                }
                let t = &toks[b];
                if name_like(t) {
                    b += 1;
                } else if self.is_particle(t)
                    && t.joins_next
                    && toks.get(b + 1).is_some_and(&name_like)
                {
                    b += 2;
                } else {
                    break;
                }
            }
            i = b;
            self.judge_run(ti, toks, a, b, fulls, singles);
        }
    }

    fn judge_run<'t>(
        &self,
        ti: usize,
        toks: &[Tok<'t>],
        a: usize,
        b: usize,
        fulls: &mut Vec<Mention<'t>>,
        singles: &mut Vec<Single<'t>>,
    ) {
        // 1. Title cue: the candidate starts after the last title of the run.
        let mut k = a;
        let mut titled = false;
        let mut personal = false;
        for (idx, t) in toks.iter().enumerate().take(b).skip(a) {
            if self.titles.contains(t.text) {
                k = idx + 1;
                titled = true;
                personal = self.personal_titles.contains(t.text);
            }
        }
        let prev = a.checked_sub(1).map(|p| &toks[p]);
        if !titled
            && let Some(p) = prev
            && p.joins_next
            && is_role_cue(&self.role_cues, p.text)
        {
            titled = true;
        }
        // 2. Strip leading places, organisations, demonyms and particles.
        while k < b {
            let t = &toks[k];
            if let Some((_, mend)) = t.covered {
                while k < b && toks[k].start < mend {
                    k += 1;
                }
            } else if self.is_particle(t) {
                k += 1;
            } else {
                break;
            }
        }
        let mut e = b;
        while e > k && self.is_particle(&toks[e - 1]) {
            e -= 1;
        }
        if k >= e {
            return;
        }
        let cand = &toks[k..e];
        if cand.iter().any(|t| self.non_name.contains(t.text)) {
            return;
        }
        // Wholly one gazetteer/organisation match ("New York said")?
        if let (Some((m1, _)), Some((m2, _))) = (cand[0].covered, cand[cand.len() - 1].covered)
            && m1 == m2
        {
            return;
        }
        let span = (ti, cand[0].start, cand[cand.len() - 1].end);
        let n_names = cand.iter().filter(|t| !self.is_particle(t)).count();
        if n_names == 1 {
            let t = &cand[0];
            if t.shape == Shape::Capitalised && t.covered.is_none() {
                singles.push(Single {
                    name: t.text,
                    span,
                    personal_title: titled && personal,
                });
            }
            return;
        }
        if n_names > 4 || (cand[0].shape == Shape::Initial && n_names < 3) {
            return;
        }
        let last = &toks[e - 1];
        let said_after = e == b
            && last.joins_next
            && toks
                .get(e)
                .is_some_and(|t| self.speech_after.contains(t.text));
        let said_before = k == a
            && prev
                .is_some_and(|p| self.speech_before.contains(p.text) && p.end + 1 == toks[a].start);
        // "the Rodong Sinmun said": people take no article.
        if k == a && prev.is_some_and(|p| p.joins_next && matches!(p.text, "the" | "a" | "an")) {
            return;
        }
        let given = self.given_names.contains(cand[0].text);
        if titled || said_after || said_before || given {
            fulls.push(Mention {
                tokens: cand.iter().map(|t| t.text).collect(),
                span,
            });
        }
    }
}

/// Whether the word, lower-cased, is a role cue; ASCII words are lower-cased without allocating.
fn is_role_cue(cues: &WordSet, word: &str) -> bool {
    let mut buf = [0u8; 16];
    if word.is_ascii() && word.len() <= buf.len() {
        let lower = &mut buf[..word.len()];
        lower.copy_from_slice(word.as_bytes());
        lower.make_ascii_lowercase();
        // ASCII stays valid UTF-8 when lower-cased.
        std::str::from_utf8(lower).is_ok_and(|w| cues.contains(w))
    } else {
        cues.contains(word.to_lowercase().as_str())
    }
}

fn strip_possessive(raw: &str) -> (&str, bool) {
    // Every suffix ends in an s.
    if !matches!(raw.as_bytes().last(), Some(b's' | b'S')) {
        return (raw, false);
    }
    for suffix in ["'s", "’s", "'S"] {
        if let Some(base) = raw.strip_suffix(suffix)
            && !base.is_empty()
        {
            return (base, true);
        }
    }
    (raw, false)
}

/// Whether a token joins the next one across `gap`, the text between them: only spaces (or an
/// initial's or title's period and spaces) separate them, and the token is no possessive.
fn joins(prev: &Tok, gap: &str) -> bool {
    let only_spaces = !gap.is_empty() && gap.bytes().all(|b| b == b' ' || b == b'\t');
    let period = prev.period_joins && gap.starts_with(". ") && gap[1..].bytes().all(|b| b == b' ');
    !prev.possessive && (only_spaces || period)
}

/// The word (runs of alphanumerics joined by one ' ’ - or . between two of them) that begins
/// at run `*r`, as a byte range; moves `*r` past its runs.
#[inline]
fn word_at(bytes: &[u8], runs: &[(usize, usize)], r: &mut usize) -> (usize, usize) {
    let (start, mut end) = runs[*r];
    *r += 1;
    while let Some(&(next, next_end)) = runs.get(*r) {
        // `’` is E2 80 99 in UTF-8; `end` is a char boundary before a later run.
        let joined = match next - end {
            1 => matches!(bytes[end], b'\'' | b'-' | b'.'),
            3 => bytes[end..next] == *"’".as_bytes(),
            _ => false,
        };
        if !joined {
            break;
        }
        end = next_end;
        *r += 1;
    }
    (start, end)
}

/// Whether a word starting with this byte may be capitalised: an ASCII capital or the first
/// byte of a character outside ASCII. Only such words can be name tokens ([`Shape::Capitalised`]
/// or [`Shape::Initial`]).
#[inline]
fn upper_ish(first: u8) -> bool {
    first.is_ascii_uppercase() || first >= 0x80
}

/// Which words of a text the tokenizer keeps: those that may be capitalised ([`upper_ish`]) and
/// the word right before and right after each of them. The people heuristic only ever looks at
/// a name token, its run, and the words right next to the run; the run grows over a lower-case
/// particle only when the word after the particle is a name token, so that word and the
/// particle are kept too. A kept token whose next word was dropped never joins the next kept one,
/// which is what the dropped word (not a name token) would have meant.
struct Kept {
    /// Whether the word before the current one may be capitalised.
    prev: bool,
    /// Whether the current word may be capitalised.
    this: bool,
}

impl Kept {
    /// Before the first word; `first` is whether that word may be capitalised.
    fn new(first: bool) -> Kept {
        Kept {
            prev: false,
            this: first,
        }
    }

    /// Moves to the next word, given whether the one after it may be capitalised; whether the
    /// word is kept.
    #[inline]
    fn next(&mut self, after: bool) -> bool {
        let keep = self.prev || self.this || after;
        self.prev = self.this;
        self.this = after;
        keep
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Upper-case first letter, not all capitals: "Trump", "McDonald", "Jean-Pierre".
    Capitalised,
    /// A single capital letter ("F" in "John F. Kennedy").
    Initial,
    /// All capitals, two letters or more: "NATO", "US".
    Acronym,
    /// Starts lower-case.
    Lower,
    /// Digits, camel-case run-ons ("PutinDonald"), anything else.
    Other,
}

fn shape(word: &str) -> Shape {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return Shape::Other;
    };
    if first.is_lowercase() {
        return Shape::Lower;
    }
    if !first.is_uppercase() {
        return Shape::Other;
    }
    let mut any_lower = false;
    let mut lower_run = 0;
    for c in chars {
        if c.is_lowercase() {
            any_lower = true;
            lower_run += 1;
        } else if c.is_uppercase() {
            if lower_run >= 4 {
                return Shape::Other; // "PutinDonald": two words glued together
            }
            lower_run = 0;
        } else if c.is_numeric() {
            return Shape::Other;
        } else {
            lower_run = 0;
        }
    }
    if any_lower {
        Shape::Capitalised
    } else if word.chars().filter(|c| c.is_alphabetic()).count() == 1 {
        Shape::Initial
    } else {
        Shape::Acronym
    }
}

#[derive(Debug)]
pub(super) struct Tok<'t> {
    start: usize,
    /// End of the word without a possessive "'s".
    end: usize,
    text: &'t str,
    possessive: bool,
    shape: Shape,
    /// Only spaces (or an initial's or title's period) separate this token from the next.
    joins_next: bool,
    period_joins: bool,
    /// Index and end of the gazetteer/organisation match covering this token.
    covered: Option<(usize, usize)>,
}

/// A cued full-name mention: its name tokens and (text index, start, end).
#[derive(Debug)]
pub(super) struct Mention<'t> {
    tokens: Vec<&'t str>,
    span: (usize, usize, usize),
}

/// A single capitalised token that may be a surname mention.
#[derive(Debug)]
pub(super) struct Single<'t> {
    name: &'t str,
    span: (usize, usize, usize),
    personal_title: bool,
}

type Span = (usize, usize, usize);

/// The hasher of the per-item maps and sets of names (keys are short words and names).
type Words = BuildHasherDefault<WordHasher>;

/// Merges full names, resolves surnames, and orders people by first mention.
/// Returns the names, the spans of all person mentions, and every token of every name.
pub(super) fn resolve_people<'t>(
    fulls: &[Mention<'t>],
    singles: &[Single<'t>],
) -> (Vec<String>, Vec<Span>, HashSet<&'t str, Words>) {
    // Distinct full names, longest first, so shorter ones can merge into longer ones.
    let mut names: Vec<&[&'t str]> = Vec::new();
    for m in fulls {
        push_unique(&mut names, &m.tokens);
    }
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let merges_into = |short: &[&str], long: &[&str]| {
        long.len() > short.len()
            && (long.ends_with(short) || (long[0] == short[0] && long.last() == short.last()))
    };
    let canonical_of = |n: &[&'t str]| -> usize {
        let i = names.iter().position(|x| *x == n).unwrap_or(0);
        // The longest name this one merges into (names are sorted longest first).
        names
            .iter()
            .position(|long| merges_into(names[i], long))
            .unwrap_or(i)
    };
    let mut by_surname: HashMap<&str, Option<usize>, Words> = HashMap::default();
    for (i, n) in names.iter().enumerate() {
        let c = canonical_of(n);
        if c != i {
            continue;
        }
        let last = n[n.len() - 1];
        by_surname
            .entry(last)
            .and_modify(|v| {
                if *v != Some(c) {
                    *v = None
                }
            })
            .or_insert(Some(c));
    }

    // (first mention, display name)
    let mut first: HashMap<String, Span, Words> = HashMap::default();
    let mut spans: Vec<Span> = Vec::new();
    for m in fulls {
        let c = canonical_of(&m.tokens);
        let name = names[c].join(" ");
        spans.push(m.span);
        let e = first.entry(name).or_insert(m.span);
        if m.span < *e {
            *e = m.span;
        }
    }
    for s in singles {
        let name = match by_surname.get(s.name) {
            Some(Some(c)) => names[*c].join(" "),
            Some(None) => {
                spans.push(s.span); // ambiguous surname: a person, but which one is unknown
                continue;
            }
            None if s.personal_title => s.name.to_string(),
            None => continue,
        };
        spans.push(s.span);
        let e = first.entry(name).or_insert(s.span);
        if s.span < *e {
            *e = s.span;
        }
    }
    let mut people: Vec<(Span, String)> = first.into_iter().map(|(n, s)| (s, n)).collect();
    people.sort();
    let mut tokens: HashSet<&'t str, Words> = HashSet::default();
    for n in &names {
        tokens.extend(n.iter().copied());
    }
    for s in singles {
        if s.personal_title && !by_surname.contains_key(s.name) {
            tokens.insert(s.name);
        }
    }
    (people.into_iter().map(|(_, n)| n).collect(), spans, tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::TextScan;
    use crate::enrich::entities::EntityMatcher;
    use crate::enrich::scan::char_at;

    /// The tokenizer before it kept only the words around capitalised ones: every word a token.
    fn tokenize_every_word<'t>(
        people: &People,
        text: &'t str,
        runs: &[(usize, usize)],
        ms: &[GazMatch],
        toks: &mut Vec<Tok<'t>>,
    ) {
        toks.clear();
        let mut gap_start = 0;
        let mut mi = 0;
        let mut r = 0;
        while r < runs.len() {
            let (start, mut end) = runs[r];
            r += 1;
            while let Some(&(next, next_end)) = runs.get(r) {
                let ch = char_at(text, end);
                if matches!(ch, '\'' | '’' | '-' | '.') && end + ch.len_utf8() == next {
                    end = next_end;
                    r += 1;
                } else {
                    break;
                }
            }
            let tok = people.token(text, start, end, ms, &mut mi);
            if let Some(prev) = toks.last_mut() {
                prev.joins_next = joins(prev, &text[gap_start..start]);
            }
            toks.push(tok);
            gap_start = end;
        }
    }

    /// The candidates (full names and singles, as debug text) found in `text` with a tokenizer.
    fn candidates_with(
        text: &str,
        tokenize: impl for<'t> Fn(&People, &'t str, &[(usize, usize)], &[GazMatch], &mut Vec<Tok<'t>>),
    ) -> String {
        let m = EntityMatcher::global();
        let scan = TextScan::new([text]);
        let (text, runs) = scan.text(0);
        let mut ms = Vec::new();
        m.gazetteer.matches(text, runs, &mut ms);
        let mut toks = Vec::new();
        tokenize(&m.people, text, runs, &ms, &mut toks);
        let (mut fulls, mut singles) = (Vec::new(), Vec::new());
        m.people.candidates(0, &toks, &mut fulls, &mut singles);
        format!("{fulls:?} {singles:?}")
    }

    fn both(text: &str) -> (String, String) {
        (
            candidates_with(text, |p, t, r, m, o| p.tokenize(t, r, m, o)),
            candidates_with(text, tokenize_every_word),
        )
    }

    #[test]
    fn kept_words_find_what_every_word_finds() {
        for text in [
            "Russian President Vladimir Putin met US Gen. Alexus Grynkewich in Kyiv's centre.",
            "said Michael Stern, and the Rodong Sinmun said. Lopez Obrador said nothing.",
            "Giuseppe Cavo Dragone, Ludwig van Beethoven and Jean-Pierre de la Fontaine said",
            "chief executive John F. Kennedy told O’Brien's aides; spokesman Ali bin Talal added",
            "3 Élise Müller, PutinDonald met ÉMILE ZOLA. The New York Times said Mr. Merz",
        ] {
            let (new, reference) = both(text);
            assert_eq!(new, reference, "{text:?}");
            assert!(new.len() > 10, "{text:?}: {new}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Keeping only the words around capitalised ones finds the same candidates as keeping
        /// every word, for text made of names, cues, particles, other words and separators.
        #[test]
        fn kept_words_agree_with_every_word(
            parts in proptest::collection::vec((0usize..1000, 0usize..SEPS.len()), 0..40)
        ) {
            let words: Vec<&str> = WORDS.split_whitespace().collect();
            let mut text = String::new();
            for (w, s) in parts {
                text.push_str(words[w % words.len()]);
                text.push_str(SEPS[s]);
            }
            let (new, reference) = both(&text);
            proptest::prop_assert_eq!(new, reference, "{:?}", text);
        }
    }

    /// Names, cues, particles and other words of the random texts, separated by spaces.
    const WORDS: &str = "Vladimir Putin Michael Stern Lopez Obrador Zürich Élise ÉLISE O'Brien \
        O’Brien Jean-Pierre McDonald PutinDonald President president Gen Gen. Mr Dr J F CEO \
        chief spokesman said told says by the a an The However de van bin al la von-der Kyiv \
        New York Washington Russian NATO US U.S White House University Wednesday Putin's \
        Kyiv’s and of in met 3 2024 x ß ΣΟΦΊΑ Σοφία";

    /// Separators of the random texts (some join words, some part them).
    const SEPS: &[&str] = &[
        " ", " ", " ", " ", " ", " ", " ", " ", " ", "  ", ", ", ". ", ".", "\t", "\n", "-", "'",
        "’", "—", "(", ") ", "'s ", "", ": ", " \u{a0}",
    ];
}
