//! Small text helpers shared by the parsers and enrichment: whitespace and control-character
//! cleanup, ISO 8601 timestamps, paragraph splitting, table detection, title-casing,
//! case-insensitive search, lists without repeats.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};

use crate::formats::charset::clean_controls;

/// Parses an ISO 8601 / RFC 3339 timestamp as the wire formats write it:
/// `2017-08-24T04:38:34+0000`, `2020-07-02T22:04:47+02:00`, `2019-06-23T06:06:29Z`,
/// `2018-05-28T16:40:08` (no zone: UTC), fractional seconds, a space instead of `T`, the basic
/// form of NewsML (`20140829T134951+0000`) and a bare date (midnight UTC).
pub fn parse_iso(s: &str) -> Option<DateTime<Utc>> {
    let (local, zone) = iso_local(s)?;
    let offset = parse_offset(zone)?;
    Some(Utc.from_utc_datetime(&(local - chrono::Duration::seconds(i64::from(offset)))))
}

/// The date and time of an ISO 8601 timestamp (see [`parse_iso`]) and the trimmed text after
/// them: the zone (`Z`, `+02:00`), empty when there is none, or whatever else a source wrote
/// there (`IST`) for the caller to read.
pub fn iso_local(s: &str) -> Option<(NaiveDateTime, &str)> {
    let s = s.trim();
    if s.len() > 64 {
        return None;
    }
    let (date, rest) = iso_date(s)?;
    if !rest.starts_with(['T', 't', ' ']) {
        // A date alone, or with a zone (`2018-02-26Z`, an XML Schema date).
        return Some((date.and_time(NaiveTime::MIN), rest.trim()));
    }
    let rest = rest.trim_start_matches(['T', 't', ' ']);
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, ':' | '.' | ',')))
        .unwrap_or(rest.len());
    let time = iso_clock(&rest[..end])?;
    Some((date.and_time(time), rest[end..].trim()))
}

/// `2018-05-28` or `20180528`, and the text after it.
fn iso_date(s: &str) -> Option<(NaiveDate, &str)> {
    if let Some(d) = s
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    {
        return Some((d, &s[10..]));
    }
    let digits = s
        .get(..8)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?;
    if s.as_bytes().get(8).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let d = NaiveDate::parse_from_str(digits, "%Y%m%d").ok()?;
    Some((d, &s[8..]))
}

/// `16:40`, `16:40:08`, `164008`, `1640`, with a fraction of a second after `.` or `,`.
fn iso_clock(s: &str) -> Option<NaiveTime> {
    let (hms, frac) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (h, m, sec) = if hms.contains(':') {
        let mut parts = hms.split(':');
        let (h, m, sec) = (parts.next()?, parts.next()?, parts.next());
        if parts.next().is_some() {
            return None;
        }
        (h, m, sec)
    } else if matches!(hms.len(), 4 | 6) {
        (&hms[..2], &hms[2..4], (hms.len() == 6).then(|| &hms[4..]))
    } else {
        return None;
    };
    let number = |x: &str, widths: std::ops::RangeInclusive<usize>| {
        (widths.contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit()))
            .then(|| x.parse::<u32>().ok())
            .flatten()
    };
    let h = number(h, 1..=2)?;
    let m = number(m, 2..=2)?;
    let Some(sec) = sec else {
        return NaiveTime::from_hms_opt(h, m, 0);
    };
    let sec = number(sec, 2..=2)?;
    // Nanoseconds from the first nine digits of the fraction.
    let frac = frac.unwrap_or("");
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(9)
        .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
    NaiveTime::from_hms_nano_opt(h, m, sec, nanos)
}

/// Seconds east of UTC of a zone designator: empty or `Z` (UTC), `+05:30`, `+0530`, `+5:30`,
/// `-04`, `-4`; at most 14 hours.
pub fn parse_offset(zone: &str) -> Option<i32> {
    if zone.is_empty() || zone.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let (sign, rest) = match zone.as_bytes()[0] {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some(hm) => hm,
        // `split_at` would panic inside a multi-byte character; only ASCII digits qualify.
        None if rest.len() == 4 && rest.is_char_boundary(2) => rest.split_at(2),
        None => (rest, "00"),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if !(1..=2).contains(&h.len()) || m.len() != 2 || !digits(h) || !digits(m) {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}

/// Converts a wall-clock time in Germany (CET/CEST, EU daylight-saving rules since 1996) to UTC.
pub fn berlin_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    let year = local.year();
    // Summer time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
    // Sunday of October, i.e. 02:00 CET to 03:00 CEST.
    let start = last_sunday(year, 3).and_hms_opt(2, 0, 0);
    let end = last_sunday(year, 10).and_hms_opt(3, 0, 0);
    let summer = matches!((start, end), (Some(s), Some(e)) if local >= s && local < e);
    let offset = if summer { 2 } else { 1 };
    Utc.from_utc_datetime(&(local - chrono::Duration::hours(offset)))
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    let mut d = next.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MIN);
    while d.weekday() != Weekday::Sun && d > NaiveDate::MIN {
        d = d.pred_opt().unwrap_or(NaiveDate::MIN);
    }
    d
}

/// Month number of an English or German month name or abbreviation ("Nov", "Okt", "März").
pub fn month_number(name: &str) -> Option<u32> {
    let n = name.trim_end_matches('.').to_lowercase();
    let n = n.as_str();
    let m = match n.get(..3).unwrap_or(n) {
        "jan" | "jän" => 1,
        "feb" => 2,
        "mar" | "mär" | "mrz" => 3,
        "apr" => 4,
        "may" | "mai" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" | "okt" => 10,
        "nov" => 11,
        "dec" | "dez" => 12,
        _ => return None,
    };
    Some(m)
}

/// A two-digit year as printed on wires (`13` → 2013, `98` → 1998).
pub fn expand_year(yy: i32) -> i32 {
    match yy {
        0..=69 => 2000 + yy,
        70..=99 => 1900 + yy,
        _ => yy,
    }
}

/// Collapses runs of whitespace (including no-break spaces) to one space and trims.
pub fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_whitespace()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Cleans one line or paragraph of wire text: control characters removed, whitespace collapsed.
pub fn clean_line(s: &str) -> String {
    collapse_ws(&clean_controls(s))
}

/// A source's urgency or priority number ("3") as ninjs urgency: 1 (most urgent) to 9.
pub fn urgency(s: &str) -> Option<u8> {
    s.trim().parse::<u8>().ok().filter(|u| (1..=9).contains(u))
}

/// Splits plain text into paragraphs at blank lines; lines inside a paragraph are joined with a
/// space. With `lines_are_paragraphs`, every non-empty line is a paragraph (ninjs `body_text`
/// with single newlines). Control characters are cleaned and whitespace collapsed.
pub fn text_paragraphs(text: &str, lines_are_paragraphs: bool) -> Vec<String> {
    let text = clean_controls(text);
    if lines_are_paragraphs {
        text.lines()
            .map(collapse_ws)
            .filter(|p| !p.is_empty())
            .collect()
    } else {
        line_paragraphs(text.lines())
    }
}

/// Joins lines into paragraphs: a blank line ends a paragraph, the lines of one are joined with
/// a space and its whitespace is collapsed.
pub fn line_paragraphs<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in lines {
        if line.trim().is_empty() {
            push_para(&mut cur, &mut out);
        } else {
            cur.push(' ');
            cur.push_str(line);
        }
    }
    push_para(&mut cur, &mut out);
    out
}

fn push_para(cur: &mut String, out: &mut Vec<String>) {
    let p = collapse_ws(cur);
    if !p.is_empty() {
        out.push(p);
    }
    cur.clear();
}

/// True when a line looks like a row of a table (results, prices, standings, form guides).
pub fn is_table_line(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() {
        return false;
    }
    if t.matches('|').count() >= 2 || t.matches(';').count() >= 3 || t.contains('\u{8}') {
        return true;
    }
    // Columns separated by runs of spaces.
    let gaps = t.split("  ").filter(|s| !s.trim().is_empty()).count();
    if gaps >= 3 {
        return true;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    // Sports scores ("2:1", "6:4,"): one in a short line, or several anywhere.
    let scores = words.iter().filter(|w| is_score(w)).count();
    if scores >= 2 || (scores == 1 && words.len() <= 12) {
        return true;
    }
    let numeric = words
        .iter()
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .count();
    // Short lines dominated by numbers ("3.00 Dream Kisses", "1. Bayern 18").
    (words.len() <= 8 && numeric * 2 >= words.len() && !t.ends_with('.'))
        || (words.len() >= 3 && numeric * 10 >= words.len() * 6)
}

fn is_score(w: &str) -> bool {
    let w = w.trim_matches(|c: char| !c.is_ascii_digit());
    let Some((a, b)) = w.split_once(':') else {
        return false;
    };
    !a.is_empty()
        && a.len() <= 2
        && !b.is_empty()
        && b.len() <= 2
        && a.chars().all(|c| c.is_ascii_digit())
        && b.chars().all(|c| c.is_ascii_digit())
}

/// True when the text is mostly tabular: at least half of its non-empty lines are table rows
/// and there is little running prose (fewer than three sentences of twelve words or more).
pub fn is_tabular<'a>(lines: impl IntoIterator<Item = &'a str>) -> bool {
    let mut total = 0usize;
    let mut table = 0usize;
    let mut prose = 0usize;
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        total += 1;
        if is_table_line(line) {
            table += 1;
        } else if line.split_whitespace().count() >= 12 {
            prose += 1;
        }
    }
    total > 0 && table * 2 >= total && prose < 3
}

/// Title-cases an all-capitals place name ("BUENOS AIRES" → "Buenos Aires"); other text is
/// returned as is.
pub fn title_case_caps(s: &str) -> String {
    if s.chars().any(|c| c.is_lowercase()) {
        // Mixed text ("PAUL BYRNE and JO ROE"): title-case the all-capital words only.
        return s
            .split(' ')
            .map(|w| {
                if w.chars().filter(|c| c.is_alphabetic()).count() > 1
                    && !w.chars().any(char::is_lowercase)
                {
                    title_case_caps(w)
                } else {
                    w.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    title_case(s)
}

/// Upper-cases the first letter of every word and lower-cases the rest ("west germany" →
/// "West Germany", "O'NEILL" → "O'neill"); a word starts after any character that is neither
/// a letter, a digit nor an apostrophe.
pub fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphanumeric() && c != '\'';
    }
    out
}

/// The place of a dateline at the start of a paragraph: `KYIV, Ukraine (AP) — ...` → `Kyiv`,
/// `Berlin (dpa) - ...` → `Berlin`, `BRISBANE, Oct 12 AAP - ...` → `Brisbane`.
pub fn dateline_place(para: &str) -> Option<String> {
    let head: String = para.chars().take(80).collect();
    let cut = head.find(" (").or_else(|| head.find(" AAP -"))?;
    let before = &head[..cut];
    if before.is_empty() || before.split_whitespace().count() > 6 {
        return None;
    }
    // "(AP)", "(dpa)", "(dpa/lni)", "(tca/dpa)", "(Reuters)" are agency credits.
    if head[cut..].starts_with(" (") {
        let close = head[cut..].find(')')?;
        let inner = &head[cut + 2..cut + close];
        if inner.is_empty() || inner.len() > 20 || inner.contains(' ') {
            return None;
        }
        let after = head[cut + close + 1..].trim_start();
        if !after.starts_with(['-', '—', '–', '_', ':']) {
            return None;
        }
    }
    let place = before.split(',').next()?.trim();
    if place.is_empty() || !place.chars().next()?.is_uppercase() {
        return None;
    }
    Some(title_case_caps(place))
}

/// Byte offset of the first match of `needle` in `hay`, ignoring ASCII case.
pub fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    // The first byte is compared before the window: most windows fail there.
    let first = needle[0].to_ascii_lowercase();
    hay.windows(needle.len())
        .position(|w| w[0].to_ascii_lowercase() == first && w.eq_ignore_ascii_case(needle))
}

/// The entries of a short table of words grouped by their first byte, built at compile time:
/// the indices of the words starting with a given byte, in table order, without walking the
/// whole table. `N` is the number of words (at most 255).
pub struct ByFirstByte<const N: usize> {
    /// Word indices sorted by first byte (stable: table order within a byte).
    order: [u8; N],
    /// `order[start[b]..start[b + 1]]` are the words starting with byte `b`.
    start: [u8; 257],
}

impl<const N: usize> ByFirstByte<N> {
    /// Groups the words whose first bytes are `firsts` (one per word, in table order).
    pub const fn new(firsts: [u8; N]) -> Self {
        assert!(N < 256, "too many words for u8 indices");
        let mut start = [0u8; 257];
        let mut i = 0;
        while i < N {
            start[firsts[i] as usize + 1] += 1;
            i += 1;
        }
        let mut b = 0;
        while b < 256 {
            start[b + 1] += start[b];
            b += 1;
        }
        let mut next = start;
        let mut order = [0u8; N];
        i = 0;
        while i < N {
            let f = firsts[i] as usize;
            order[next[f] as usize] = i as u8;
            next[f] += 1;
            i += 1;
        }
        Self { order, start }
    }

    /// The indices of the words starting with `first`, in table order.
    pub fn get(&self, first: u8) -> impl Iterator<Item = usize> + '_ {
        let b = usize::from(first);
        self.order[usize::from(self.start[b])..usize::from(self.start[b + 1])]
            .iter()
            .map(|&i| usize::from(i))
    }

    /// The longest of the words (`word(i)` is word `i`, all in lower case) that `hay` starts
    /// with, ignoring ASCII case: (index, length).
    pub fn longest_prefix_ci<'w>(
        &self,
        hay: &[u8],
        word: impl Fn(usize) -> &'w str,
    ) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        let first = hay.first()?.to_ascii_lowercase();
        let second = hay.get(1).map(u8::to_ascii_lowercase);
        for i in self.get(first) {
            let w = word(i).as_bytes();
            // Most words that share the first byte differ at the second: one byte compared
            // before the whole word.
            if hay.len() >= w.len()
                && w.get(1).is_none_or(|&c| second == Some(c))
                && hay[..w.len()].eq_ignore_ascii_case(w)
                && best.is_none_or(|(_, len)| w.len() > len)
            {
                best = Some((i, w.len()));
            }
        }
        best
    }
}

/// A [`ByFirstByte`] over a constant table of tuples whose first field is the word.
macro_rules! by_first_byte {
    ($table:expr) => {{
        let mut firsts = [0u8; $table.len()];
        let mut i = 0;
        while i < $table.len() {
            firsts[i] = $table[i].0.as_bytes()[0];
            i += 1;
        }
        $crate::formats::textutil::ByFirstByte::new(firsts)
    }};
}
pub(crate) use by_first_byte;

/// Byte offset of the last match of `needle` in `hay`, ignoring ASCII case.
pub fn rfind_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle[0].to_ascii_lowercase();
    hay.windows(needle.len())
        .rposition(|w| w[0].to_ascii_lowercase() == first && w.eq_ignore_ascii_case(needle))
}

/// True when `hay` contains `needle`, ignoring ASCII case.
pub fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    find_ci(hay, needle).is_some()
}

/// Equality ignoring ASCII case and runs of whitespace.
pub fn eq_loose(a: &str, b: &str) -> bool {
    // Text equal but for case has the same words (a headline and its breadcrumb copy, mostly):
    // one compare.
    if a.len() == b.len() && a.as_bytes().eq_ignore_ascii_case(b.as_bytes()) {
        return true;
    }
    if a.is_ascii() && b.is_ascii() {
        return same_words(ascii_words(a), ascii_words(b));
    }
    same_words(a.split_whitespace(), b.split_whitespace())
}

/// `char::is_whitespace` for an ASCII byte (`u8::is_ascii_whitespace` leaves out the vertical
/// tab).
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The words of ASCII text, as `split_whitespace` finds them, split on bytes instead of
/// decoded chars.
fn ascii_words(s: &str) -> impl Iterator<Item = &[u8]> {
    s.as_bytes()
        .split(|c| is_space(*c))
        .filter(|w| !w.is_empty())
}

/// The number of whitespace-separated words (`split_whitespace().count()`).
pub fn word_count(s: &str) -> usize {
    if s.is_ascii() {
        ascii_words(s).count()
    } else {
        s.split_whitespace().count()
    }
}

/// `s.split(sep)`, stepping over bytes rather than decoded chars when `s` is ASCII.
pub fn split_by<'a>(
    s: &'a str,
    sep: impl Fn(char) -> bool + 'a,
) -> impl Iterator<Item = &'a str> + 'a {
    let ascii = s.is_ascii();
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        let at = if ascii {
            r.bytes().position(|b| sep(char::from(b))).map(|i| (i, 1))
        } else {
            r.char_indices()
                .find(|&(_, c)| sep(c))
                .map(|(i, c)| (i, c.len_utf8()))
        };
        match at {
            Some((i, len)) => {
                rest = Some(&r[i + len..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// True when both word sequences are equal, ignoring ASCII case.
fn same_words<W: AsRef<[u8]>>(
    mut x: impl Iterator<Item = W>,
    mut y: impl Iterator<Item = W>,
) -> bool {
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p.as_ref().eq_ignore_ascii_case(q.as_ref()) => {}
            _ => return false,
        }
    }
}

/// Appends `x` unless `v` holds it already (lists of topics, keywords, names keep their first
/// occurrence in order); true when it was appended.
pub fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) -> bool {
    let new = !v.contains(&x);
    if new {
        v.push(x);
    }
    new
}

/// The largest char boundary of `s` at or below `max` bytes.
pub fn floor_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn by_first_byte_groups_in_order(firsts in proptest::array::uniform8(250u8..=255), b in 249u8..=255) {
            let index = ByFirstByte::new(firsts);
            let plain: Vec<usize> = (0..8).filter(|&i| firsts[i] == b).collect();
            proptest::prop_assert_eq!(index.get(b).collect::<Vec<_>>(), plain);
        }

        /// The byte split of ASCII text gives the answer of `split_whitespace`.
        #[test]
        fn eq_loose_agrees(a in "[aAb \t\n\u{b}\u{c}\r\u{a0}\u{1c}]{0,12}", b in "[aAb \t\n\u{b}\u{c}\r\u{1c}]{0,12}") {
            let plain = same_words(a.split_whitespace(), b.split_whitespace());
            proptest::prop_assert_eq!(eq_loose(&a, &b), plain);
            // The same text on both sides but for case and spacing: equal.
            let spaced = b.replace(' ', " \t ").to_uppercase();
            let plain = same_words(b.split_whitespace(), spaced.split_whitespace());
            proptest::prop_assert_eq!(eq_loose(&b, &spaced), plain);
            proptest::prop_assert!(eq_loose(&a, &a.to_ascii_uppercase()));
        }

        #[test]
        fn word_count_and_split_by_agree(s in "[ab ,\t\u{b}\u{a0}\u{2009}é]{0,16}") {
            proptest::prop_assert_eq!(word_count(&s), s.split_whitespace().count());
            let sep = |c: char| c.is_whitespace() || c == ',';
            let ours: Vec<&str> = split_by(&s, sep).collect();
            let plain: Vec<&str> = s.split(sep).collect();
            proptest::prop_assert_eq!(ours, plain);
        }

        /// The first-byte check changes no answer of the plain window search.
        #[test]
        fn find_ci_agrees(hay in "[aAbB -]{0,24}", needle in "[aAbB -]{1,4}") {
            let (h, n) = (hay.as_bytes(), needle.as_bytes());
            let plain = |w: &[u8]| w.eq_ignore_ascii_case(n);
            proptest::prop_assert_eq!(find_ci(h, n), h.windows(n.len()).position(plain));
            proptest::prop_assert_eq!(rfind_ci(h, n), h.windows(n.len()).rposition(plain));
        }
    }

    #[test]
    fn iso_shapes() {
        const CASES: &[(&str, Option<&str>)] = &[
            (
                "2017-08-24T04:38:34+0000",
                Some("2017-08-24T04:38:34+00:00"),
            ),
            (
                "2020-07-02T22:04:47+02:00",
                Some("2020-07-02T20:04:47+00:00"),
            ),
            ("2018-02-26T21:20:34Z", Some("2018-02-26T21:20:34+00:00")),
            ("2018-05-28T16:40:08", Some("2018-05-28T16:40:08+00:00")),
            ("2018-05-28 16:40", Some("2018-05-28T16:40:00+00:00")),
            ("2018-05-28t16:40:08 +02", Some("2018-05-28T14:40:08+00:00")),
            (
                "2018-05-28T16:40:08.123Z",
                Some("2018-05-28T16:40:08.123+00:00"),
            ),
            (
                "2020-01-01T12:00:00.5+02:00",
                Some("2020-01-01T10:00:00.500+00:00"),
            ),
            (
                "2020-01-01T12:00:00,25",
                Some("2020-01-01T12:00:00.250+00:00"),
            ),
            ("20140829T134951+0000", Some("2014-08-29T13:49:51+00:00")),
            ("20140829T134951-0500", Some("2014-08-29T18:49:51+00:00")),
            ("20200101T1200Z", Some("2020-01-01T12:00:00+00:00")),
            ("2018-05-28", Some("2018-05-28T00:00:00+00:00")),
            ("20180528", Some("2018-05-28T00:00:00+00:00")),
            ("2018-02-26Z", Some("2018-02-26T00:00:00+00:00")),
            ("2018-05-28T16:40:08+99", None),
            ("2018-05-28T16:40:08+15:00", None),
            ("2018-05-28T24:00:00", None),
            ("2018-05-28T16:40:08 IST", None),
            ("2018-05-28T", None),
            ("201805281", None),
            ("2018-05-ü8", None),
            ("not a date at all", None),
            ("yesterday", None),
            ("", None),
        ];
        for (input, want) in CASES {
            let got = parse_iso(input).map(|t| t.to_rfc3339());
            assert_eq!(got.as_deref(), *want, "{input:?}");
        }
        assert_eq!(
            iso_local("2025-08-20 15:57 (IST)").map(|(t, z)| (t.to_string(), z)),
            Some(("2025-08-20 15:57:00".into(), "(IST)"))
        );
    }

    #[test]
    fn offsets() {
        const CASES: &[(&str, Option<i32>)] = &[
            ("", Some(0)),
            ("z", Some(0)),
            ("+05:30", Some(19_800)),
            ("+0530", Some(19_800)),
            ("+5:30", Some(19_800)),
            ("-04", Some(-14_400)),
            ("-4", Some(-14_400)),
            ("+14:00", Some(50_400)),
            ("+15", None),
            ("+05:60", None),
            ("+530", None),
            ("+05:3", None),
            ("05:00", None),
            ("+", None),
            // Four bytes whose third is inside a multi-byte character (found by the property
            // test of the scraped parser's dates).
            ("+\u{fce}0", None),
            ("+\u{a7d5}0(", None),
        ];
        for (input, want) in CASES {
            assert_eq!(parse_offset(input), *want, "{input:?}");
        }
    }

    #[test]
    fn paragraphs() {
        const CASES: &[(&str, bool, &[&str])] = &[
            // (text, lines_are_paragraphs, paragraphs)
            (
                "One\nline  two\n\n  Two \n",
                false,
                &["One line two", "Two"],
            ),
            ("a\r\n\r\nb\rc", false, &["a", "b c"]),
            ("a\r\rb", false, &["a", "b"]),
            ("x\u{1}y\u{92}s", false, &["xy’s"]),
            ("One\nTwo\n\nThree", true, &["One", "Two", "Three"]),
            (" \n\t\n", false, &[]),
        ];
        for (text, lines, want) in CASES {
            assert_eq!(text_paragraphs(text, *lines), *want, "{text:?}");
        }
    }

    #[test]
    fn title_cases() {
        const CASES: &[(&str, &str, &str)] = &[
            // (input, title_case, title_case_caps)
            ("BUENOS AIRES", "Buenos Aires", "Buenos Aires"),
            ("west germany", "West Germany", "west germany"),
            ("O'NEILL", "O'neill", "O'neill"),
            (
                "PAUL BYRNE and JO ROE",
                "Paul Byrne And Jo Roe",
                "Paul Byrne and Jo Roe",
            ),
            ("ST.-KITTS", "St.-Kitts", "St.-Kitts"),
            ("", "", ""),
        ];
        for (input, title, caps) in CASES {
            assert_eq!(title_case(input), *title, "{input:?}");
            assert_eq!(title_case_caps(input), *caps, "{input:?}");
        }
    }

    #[test]
    fn case_insensitive_search() {
        const CASES: &[(&str, &str, Option<usize>, Option<usize>)] = &[
            // (hay, needle, find_ci, rfind_ci)
            ("By Jo BY Al", " by ", Some(5), Some(5)),
            ("<P>a</p>", "</P>", Some(4), Some(4)),
            ("abcABC", "abc", Some(0), Some(3)),
            ("ab", "abc", None, None),
            ("abc", "", None, None),
        ];
        for (hay, needle, first, last) in CASES {
            let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
            assert_eq!(find_ci(hay, needle), *first, "{hay:?}");
            assert_eq!(rfind_ci(hay, needle), *last, "{hay:?}");
            assert_eq!(contains_ci(hay, needle), first.is_some());
        }
    }

    #[test]
    fn berlin_dst() {
        let summer = NaiveDate::from_ymd_opt(2024, 9, 25)
            .unwrap()
            .and_hms_opt(10, 37, 0)
            .unwrap();
        assert_eq!(
            berlin_to_utc(summer).to_rfc3339(),
            "2024-09-25T08:37:00+00:00"
        );
        let winter = NaiveDate::from_ymd_opt(2024, 11, 21)
            .unwrap()
            .and_hms_opt(13, 10, 0)
            .unwrap();
        assert_eq!(
            berlin_to_utc(winter).to_rfc3339(),
            "2024-11-21T12:10:00+00:00"
        );
    }

    #[test]
    fn datelines_and_tables() {
        assert_eq!(
            dateline_place("KYIV, Ukraine (AP) — Russia said").as_deref(),
            Some("Kyiv")
        );
        assert_eq!(
            dateline_place("Berlin (dpa) - Die").as_deref(),
            Some("Berlin")
        );
        assert_eq!(dateline_place("He said (quietly) that"), None);
        assert!(is_tabular(["| a | b |", "| c | d |", "Intro"]));
        assert!(!is_tabular([
            "The minister said on Tuesday that the talks would continue next week in Geneva."
        ]));
    }
}
