//! Date and time parsing for the timestamps printed on scraped news pages.
//!
//! Accepted shapes (case-insensitive, separators `,` `|` `-` `/` and extra spaces are ignored):
//!
//! * `Aug 20 2025 | 3:57 PM IST`, `Aug 20, 2025 15:57 IST`, `20 Aug 2025 | 3:57 PM IST`,
//!   `August 20, 2025, 3:57 pm IST`, `Wednesday, 20th August 2025 03.57 pm IST`,
//!   `Aug 20 2025 3:57PM (IST)`, `Aug 20 2025 15:57 hrs IST`;
//! * the same preceded by a label: `Updated:`, `Last Updated :`, `First Published:`,
//!   `Published On:`, `Published -`, `Posted on`, `Created:`;
//! * ISO-like `2025-08-20 15:57 IST`, `2025-08-20T15:57:00+05:30`, `2025-08-20T10:27:00Z`;
//! * a date without a time (`Aug 20 2025`), read as midnight.
//!
//! Zones: an explicit abbreviation with a fixed meaning maps to a fixed offset (IST +5:30,
//! GMT/UTC/UT/Z 0, BST +1, WET 0, WEST +1, CET +1, CEST +2, EET +2, EEST +3, MSK +3, GST +4,
//! PKT +5, NPT +5:45, BDT +6, ICT +7, SGT/HKT/PHT/AWST +8, JST/KST +9, AEST +10, AEDT +11, NZST +12, NZDT +13, EST -5, EDT -4, CST -6, CDT -5, MST -7,
//! MDT -6, PST -8, PDT -7). The generic North-American and Australian names (`ET`, `CT`, `MT`,
//! `PT`, `AET`) are resolved through the IANA zone (`America/New_York`, `America/Chicago`,
//! `America/Denver`, `America/Los_Angeles`, `Australia/Sydney`) so daylight saving is applied
//! for the date. Numeric offsets (`+05:30`, `+0530`, `GMT+5:30`, `UTC-4`) are accepted.
//! **A timestamp without any zone is read as UTC.** Outlet-specific defaults (e.g. IST for an
//! Indian outlet) are deliberately not guessed here: every Indian page seen prints `IST`.
//!
//! Anything else (unknown words, impossible dates, a 12-hour clock hour above 12) gives `None`.
//!
//! Labelled date lines (`2 min read Last Updated : ...`, `Published - ...`) are scanned for
//! every label and its value ([`apply_dates`]: `Updated`-style labels set `version_created`,
//! the others `first_created`).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::formats::textutil::{ByFirstByte, by_first_byte, iso_local, parse_offset, split_by};
use crate::model::ParsedItem;

/// Labels that may precede a timestamp; longest first so `last updated` wins over `updated`.
const LABELS: &[&str] = &[
    "first published on",
    "first published",
    "last updated on",
    "last updated",
    "published on",
    "published at",
    "published",
    "updated on",
    "updated at",
    "updated",
    "posted on",
    "posted at",
    "posted",
    "created on",
    "created",
    "date",
];

/// The bytes a label starts with, in either case: a text that starts otherwise has none.
const LABEL_STARTS: [bool; 256] = {
    let mut starts = [false; 256];
    let mut i = 0;
    while i < LABELS.len() {
        let b = LABELS[i].as_bytes()[0];
        starts[b.to_ascii_lowercase() as usize] = true;
        starts[b.to_ascii_uppercase() as usize] = true;
        i += 1;
    }
    starts
};

/// Strips one leading label (`Updated:`, `First Published -` ...) and the punctuation after it.
pub(crate) fn strip_label(s: &str) -> &str {
    let t = s.trim_start();
    if !t
        .as_bytes()
        .first()
        .is_some_and(|&b| LABEL_STARTS[usize::from(b)])
    {
        return t;
    }
    for label in LABELS {
        if t.len() >= label.len()
            && t.is_char_boundary(label.len())
            && t[..label.len()].eq_ignore_ascii_case(label)
        {
            let rest = &t[label.len()..];
            // The label must end at a word boundary.
            if rest.chars().next().is_some_and(|c| c.is_alphanumeric()) {
                continue;
            }
            return rest.trim_start_matches(|c: char| c == ':' || c == '-' || c.is_whitespace());
        }
    }
    t
}

/// Parses a page timestamp such as `Aug 20 2025 | 3:57 PM IST` to UTC.
///
/// See the module documentation for the accepted shapes and the zone table. A timestamp
/// without a zone is taken as UTC. Returns `None` for anything that is not a complete date.
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = strip_label(s).trim();
    if s.is_empty() || s.len() > 120 {
        return None;
    }
    if s.as_bytes()[0].is_ascii_digit() && s.len() >= 10 && s.as_bytes().get(4) == Some(&b'-') {
        return parse_iso(s);
    }
    parse_words(s)
}

/// A resolved zone: a fixed offset or an IANA zone with daylight saving.
#[derive(Clone, Copy)]
enum Zone {
    Fixed(i32),
    Iana(chrono_tz::Tz),
}

/// Offset in seconds for a fixed-meaning abbreviation, or the IANA zone for a generic one.
fn zone_for(word: &str) -> Option<Zone> {
    const H: i32 = 3600;
    let (buf, len) = lower::<4>(word)?;
    let z = match std::str::from_utf8(&buf[..len]).unwrap_or("") {
        "ist" => Zone::Fixed(5 * H + 1800),
        "gmt" | "utc" | "ut" | "z" | "wet" => Zone::Fixed(0),
        "bst" | "west" => Zone::Fixed(H),
        "cet" => Zone::Fixed(H),
        "cest" | "eet" => Zone::Fixed(2 * H),
        "eest" | "msk" => Zone::Fixed(3 * H),
        "gst" => Zone::Fixed(4 * H),
        "pkt" => Zone::Fixed(5 * H),
        "npt" => Zone::Fixed(5 * H + 2700),
        "bdt" => Zone::Fixed(6 * H),
        "ict" => Zone::Fixed(7 * H),
        "sgt" | "hkt" | "pht" | "awst" => Zone::Fixed(8 * H),
        "jst" | "kst" => Zone::Fixed(9 * H),
        "aest" => Zone::Fixed(10 * H),
        "aedt" => Zone::Fixed(11 * H),
        "nzst" => Zone::Fixed(12 * H),
        "nzdt" => Zone::Fixed(13 * H),
        "est" => Zone::Fixed(-5 * H),
        "edt" => Zone::Fixed(-4 * H),
        "cst" => Zone::Fixed(-6 * H),
        "cdt" => Zone::Fixed(-5 * H),
        "mst" => Zone::Fixed(-7 * H),
        "mdt" => Zone::Fixed(-6 * H),
        "pst" => Zone::Fixed(-8 * H),
        "pdt" => Zone::Fixed(-7 * H),
        "et" => Zone::Iana(chrono_tz::America::New_York),
        "ct" => Zone::Iana(chrono_tz::America::Chicago),
        "mt" => Zone::Iana(chrono_tz::America::Denver),
        "pt" => Zone::Iana(chrono_tz::America::Los_Angeles),
        "aet" => Zone::Iana(chrono_tz::Australia::Sydney),
        _ => return None,
    };
    Some(z)
}

/// `word` in ASCII lower case, when it is at most `N` bytes long.
fn lower<const N: usize>(word: &str) -> Option<([u8; N], usize)> {
    let mut buf = [0u8; N];
    buf.get_mut(..word.len())?.copy_from_slice(word.as_bytes());
    buf.make_ascii_lowercase();
    Some((buf, word.len()))
}

/// Month number for an English month name or its 3/4-letter abbreviation (`sept`).
fn month_for(word: &str) -> Option<u32> {
    if word.len() < 3 {
        return None;
    }
    let (buf, len) = lower::<9>(word)?;
    let m = match &buf[..len] {
        b"jan" | b"january" => 1,
        b"feb" | b"february" => 2,
        b"mar" | b"march" => 3,
        b"apr" | b"april" => 4,
        b"may" => 5,
        b"jun" | b"june" => 6,
        b"jul" | b"july" => 7,
        b"aug" | b"august" => 8,
        b"sep" | b"sept" | b"september" => 9,
        b"oct" | b"october" => 10,
        b"nov" | b"november" => 11,
        b"dec" | b"december" => 12,
        _ => return None,
    };
    Some(m)
}

/// Words that may appear in a timestamp and carry no information.
fn is_filler(word: &str) -> bool {
    lower::<9>(word).is_some_and(|(buf, len)| {
        matches!(
            &buf[..len],
            b"monday"
                | b"tuesday"
                | b"wednesday"
                | b"thursday"
                | b"friday"
                | b"saturday"
                | b"sunday"
                | b"mon"
                | b"tue"
                | b"tues"
                | b"wed"
                | b"thu"
                | b"thur"
                | b"thurs"
                | b"fri"
                | b"sat"
                | b"sun"
                | b"hrs"
                | b"hr"
                | b"hours"
                | b"at"
                | b"on"
                | b"of"
                | b"time"
        )
    })
}

/// Parses `h:mm`, `hh:mm:ss`, `h.mm` into (hour, minute, second).
fn parse_clock(s: &str) -> Option<(u32, u32, u32)> {
    let sep = if s.contains(':') { ':' } else { '.' };
    let mut parts = s.split(sep);
    let h = parts.next()?;
    let m = parts.next()?;
    let sec = parts.next();
    if parts.next().is_some() || h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    let sec: u32 = match sec {
        Some(x) if x.len() == 2 => x.parse().ok()?,
        Some(_) => return None,
        None => 0,
    };
    (h <= 23 && m <= 59 && sec <= 59).then_some((h, m, sec))
}

/// Converts a local date-time in `zone` (UTC when `None`) to UTC.
fn to_utc(local: NaiveDateTime, zone: Option<Zone>) -> Option<DateTime<Utc>> {
    match zone {
        None => Some(Utc.from_utc_datetime(&local)),
        Some(Zone::Fixed(secs)) => {
            let off = FixedOffset::east_opt(secs)?;
            off.from_local_datetime(&local)
                .single()
                .map(|d| d.with_timezone(&Utc))
        }
        Some(Zone::Iana(tz)) => {
            let d = tz.from_local_datetime(&local);
            d.earliest()
                // A wall time inside a spring-forward gap: read it one hour later.
                .or_else(|| {
                    tz.from_local_datetime(&(local + chrono::Duration::hours(1)))
                        .earliest()
                })
                .map(|d| d.with_timezone(&Utc))
        }
    }
}

/// `2025-08-20`, `2025-08-20 15:57 IST`, `2025-08-20T15:57:00+05:30`, `...Z`: the shared ISO
/// 8601 reading, with a zone abbreviation allowed after the time.
fn parse_iso(s: &str) -> Option<DateTime<Utc>> {
    let (local, tail) = iso_local(s)?;
    let zone = match parse_offset(tail) {
        Some(off) => Zone::Fixed(off),
        None => zone_for(tail.trim_matches(|c| c == '(' || c == ')'))?,
    };
    to_utc(local, Some(zone))
}

/// The word-based forms: month names, day, year, clock, am/pm, zone in any sensible order.
fn parse_words(s: &str) -> Option<DateTime<Utc>> {
    let mut month = None;
    let mut day: Option<u32> = None;
    let mut year: Option<i32> = None;
    let mut clock: Option<(u32, u32, u32)> = None;
    let mut meridiem: Option<bool> = None; // Some(true) = pm
    let mut zone: Option<Zone> = None;

    for raw in split_by(s, |c| {
        c.is_whitespace() || matches!(c, ',' | '|' | '/' | '(' | ')')
    }) {
        let tok = raw.trim_matches(|c: char| c == '-' || c == '–' || c == '.' || c == ';');
        let tok = if raw.starts_with('+') || (raw.starts_with('-') && raw.len() > 1) {
            raw.trim_end_matches(['.', ';'])
        } else {
            tok
        };
        if tok.is_empty() {
            continue;
        }
        let first = tok.as_bytes()[0];
        if first == b'+' || (first == b'-' && tok.len() > 1) {
            // A numeric offset, possibly after GMT/UTC which already set zone 0.
            let off = parse_offset(tok)?;
            zone = Some(Zone::Fixed(off));
            continue;
        }
        if first.is_ascii_digit() {
            // Split trailing letters: "3:57PM", "20th", "15:57IST".
            let digits_end = tok
                .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
                .unwrap_or(tok.len());
            let (num, suffix) = tok.split_at(digits_end);
            let num = num.trim_end_matches('.');
            if num.contains(':') || (num.contains('.') && clock.is_none() && day.is_some()) {
                if clock.is_some() {
                    return None;
                }
                clock = Some(parse_clock(num)?);
            } else if num.contains('.') {
                return None;
            } else if num.len() == 4 {
                if year.is_some() {
                    return None;
                }
                year = Some(num.parse().ok()?);
            } else if num.len() <= 2 {
                if day.is_some() {
                    return None;
                }
                day = Some(num.parse().ok()?);
            } else {
                return None;
            }
            if !suffix.is_empty() {
                let is = |w: &str| suffix.eq_ignore_ascii_case(w);
                if is("st") || is("nd") || is("rd") || is("th") {
                } else if is("am") || is("a.m") {
                    meridiem = Some(false);
                } else if is("pm") || is("p.m") {
                    meridiem = Some(true);
                } else {
                    zone = Some(zone_for(suffix)?);
                }
            }
            continue;
        }
        let lower_is = |w: &str| tok.eq_ignore_ascii_case(w);
        if lower_is("am") || lower_is("a.m") {
            meridiem = Some(false);
        } else if lower_is("pm") || lower_is("p.m") {
            meridiem = Some(true);
        } else if let Some(m) = month_for(tok) {
            if month.is_some() {
                return None;
            }
            month = Some(m);
        } else if let Some(z) = zone_for(tok) {
            zone = Some(z);
        } else if let Some((name, off)) = split_zone_offset(tok) {
            // "GMT+5:30", "UTC-4"
            zone_for(name)?;
            zone = Some(Zone::Fixed(parse_offset(off)?));
        } else if is_filler(tok) {
        } else {
            return None;
        }
    }

    let date = NaiveDate::from_ymd_opt(year?, month?, day?)?;
    let (mut h, m, sec) = clock.unwrap_or((0, 0, 0));
    if let Some(pm) = meridiem {
        if clock.is_none() || h == 0 || h > 12 {
            return None;
        }
        if h == 12 {
            h = 0;
        }
        if pm {
            h += 12;
        }
    }
    to_utc(date.and_hms_opt(h, m, sec)?, zone)
}

/// Splits `GMT+5:30` into (`GMT`, `+5:30`).
fn split_zone_offset(tok: &str) -> Option<(&str, &str)> {
    let i = tok.find(['+', '-'])?;
    let (name, off) = tok.split_at(i);
    (name.eq_ignore_ascii_case("gmt") || name.eq_ignore_ascii_case("utc")).then_some((name, off))
}

// ---------------------------------------------------------------------------------------------
// Labelled date lines
// ---------------------------------------------------------------------------------------------

/// Date labels looked for inside reading-time and date lines.
const DATE_LABELS: &[(&str, bool)] = &[
    // (label, is_update)
    ("first published", false),
    ("last updated", true),
    ("updated on", true),
    ("updated at", true),
    ("updated", true),
    ("published on", false),
    ("published at", false),
    ("published", false),
    ("posted on", false),
    ("posted at", false),
    ("posted", false),
    ("created on", false),
    ("created", false),
];

/// [`DATE_LABELS`] by first byte (the labels are lower case).
const DATE_LABEL_INDEX: ByFirstByte<{ DATE_LABELS.len() }> = by_first_byte!(DATE_LABELS);

/// The date labels in `line`, ignoring ASCII case, leftmost first and the longest at a
/// position, not overlapping: (start, end, is_update).
fn find_labels(line: &str) -> impl Iterator<Item = (usize, usize, bool)> + '_ {
    let b = line.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < b.len() {
            let start = at;
            at += 1;
            if let Some((i, len)) =
                DATE_LABEL_INDEX.longest_prefix_ci(&b[start..], |i| DATE_LABELS[i].0)
            {
                at = start + len;
                return Some((start, at, DATE_LABELS[i].1));
            }
        }
        None
    })
}

/// Every labelled date in a line: (is_update, value). An unlabelled leading date counts as a
/// publication date.
fn scan_dates(line: &str, mut f: impl FnMut(bool, chrono::DateTime<chrono::Utc>)) -> usize {
    let mut found = 0;
    let mut labels = find_labels(line).peekable();
    let first_start = labels.peek().map_or(line.len(), |l| l.0);
    let lead = clean_date_value(&line[..first_start]);
    if let Some(d) = (!lead.is_empty()).then(|| parse_datetime(lead)).flatten() {
        f(false, d);
        found += 1;
    }
    while let Some((start, end, is_update)) = labels.next() {
        // Labels must start at a word boundary.
        if start > 0 && line.as_bytes()[start - 1].is_ascii_alphanumeric() {
            continue;
        }
        // The labels are ASCII: both ends are char boundaries.
        let next = labels.peek().map_or(line.len(), |n| n.0);
        let value = clean_date_value(&line[end..next]);
        if let Some(d) = parse_datetime(value) {
            f(is_update, d);
            found += 1;
        }
    }
    found
}

fn clean_date_value(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '|' | ',' | '-' | '–' | '—'))
}

/// True when a labelled or leading date of `line` parses.
pub(super) fn has_any_date(line: &str) -> bool {
    LineDates::of_dated(line).is_some()
}

/// The dates of a reading-time or date line, read once: the first publication and the first
/// update value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct LineDates {
    published: Option<DateTime<Utc>>,
    updated: Option<DateTime<Utc>>,
}

impl LineDates {
    /// Every labelled date of `line` (see [`scan_dates`]), the first of each kind kept.
    pub(super) fn of(line: &str) -> Self {
        let mut dates = Self::default();
        scan_dates(line, |is_update, d| {
            let slot = if is_update {
                &mut dates.updated
            } else {
                &mut dates.published
            };
            slot.get_or_insert(d);
        });
        dates
    }

    /// The dates of a line that holds some, else `None` (a line without digits holds none).
    pub(super) fn of_dated(line: &str) -> Option<Self> {
        if !line.bytes().any(|b| b.is_ascii_digit()) {
            return None;
        }
        let dates = Self::of(line);
        (dates != Self::default()).then_some(dates)
    }

    /// Sets the item's dates that are still unset (first value wins).
    pub(super) fn apply(self, item: &mut ParsedItem) {
        if item.first_created.is_none() {
            item.first_created = self.published;
        }
        if item.version_created.is_none() {
            item.version_created = self.updated;
        }
    }
}

/// Applies the dates of a reading-time or date line to the item (first value wins).
pub(super) fn apply_dates(line: &str, item: &mut ParsedItem) {
    LineDates::of(line).apply(item);
}

#[cfg(test)]
mod tests {
    use aho_corasick::{AhoCorasick, MatchKind};

    use super::*;

    /// The label search as first written: a case-insensitive, leftmost-longest automaton.
    fn find_labels_automaton(line: &str) -> Vec<(usize, usize, bool)> {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(DATE_LABELS.iter().map(|(p, _)| p))
            .expect("static patterns build")
            .find_iter(line)
            .map(|m| (m.start(), m.end(), DATE_LABELS[m.pattern().as_usize()].1))
            .collect()
    }

    #[test]
    fn label_searches_agree_on_every_label() {
        for (label, _) in DATE_LABELS {
            for line in [
                label.to_string(),
                label.to_uppercase(),
                format!("2 min read {label}: Aug 20 2025 | {label} on 3:57 PM"),
                format!("re{label}d{label}"),
                label[..label.len() - 1].to_string(),
            ] {
                let ours: Vec<_> = find_labels(&line).collect();
                assert_eq!(ours, find_labels_automaton(&line), "{line:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn label_search_agrees(
            words in proptest::collection::vec(
                "first|published|Published|last|updated|UPDATED|on|at|posted|created|date|é|:|x",
                0..10,
            ),
            seps in proptest::collection::vec(" |  |", 10),
        ) {
            let mut line = String::new();
            for (w, s) in words.iter().zip(&seps) {
                line.push_str(w);
                line.push_str(s);
            }
            let ours: Vec<_> = find_labels(&line).collect();
            proptest::prop_assert_eq!(ours, find_labels_automaton(&line));
        }
    }

    /// The month and filler lookups as first written: a scan of the name lists.
    fn month_for_scan(word: &str) -> Option<u32> {
        const MONTHS: [&str; 12] = [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ];
        if word.len() < 3 || word.len() > 9 {
            return None;
        }
        for (i, name) in MONTHS.iter().enumerate() {
            if name.eq_ignore_ascii_case(word)
                || (word.len() == 3 && name[..3].eq_ignore_ascii_case(word))
            {
                return Some(i as u32 + 1);
            }
        }
        word.eq_ignore_ascii_case("sept").then_some(9)
    }

    const FILLER: &[&str] = &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "hrs",
        "hr",
        "hours",
        "at",
        "on",
        "of",
        "time",
    ];

    #[test]
    fn lookups_agree_on_every_name() {
        let names = (1..=12u32).flat_map(|m| {
            let d = NaiveDate::from_ymd_opt(2025, m, 1).unwrap();
            [d.format("%B").to_string(), d.format("%b").to_string()]
        });
        for w in names.chain(["Sept".into(), "SEPTEMBER".into(), "Mayo".into()]) {
            assert_eq!(month_for(&w), month_for_scan(&w), "{w}");
        }
        for w in FILLER {
            assert!(is_filler(w) && is_filler(&w.to_uppercase()), "{w}");
        }
    }

    proptest::proptest! {
        #[test]
        fn lookups_agree(word in "[a-zA-Zé]{0,10}") {
            proptest::prop_assert_eq!(month_for(&word), month_for_scan(&word));
            let scan = FILLER.iter().any(|f| f.eq_ignore_ascii_case(&word));
            proptest::prop_assert_eq!(is_filler(&word), scan);
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn seed_style_and_variants() {
        let want = utc("2025-08-20T10:27:00Z");
        for s in [
            "Aug 20 2025 | 3:57 PM IST",
            "Aug 20, 2025 15:57 IST",
            "20 Aug 2025 | 3:57 PM IST",
            "August 20, 2025, 3:57 pm IST",
            "Updated: Aug 20 2025, 3:57 PM IST",
            "Published On: Aug 20 2025 | 3:57 PM IST",
            "First Published: Aug 20 2025 | 3:57 PM IST",
            "Last Updated : Aug 20 2025 | 3:57 PM IST",
            "Published - August 20, 2025 03:57 pm IST",
            "Wednesday, 20th August 2025 03.57 pm IST",
            "Aug 20 2025 3:57PM (IST)",
            "Aug 20 2025 15:57 hrs IST",
            "Aug 20 2025 15:57 GMT+5:30",
            "Aug 20 2025 15:57 +05:30",
            "2025-08-20 15:57 IST",
            "2025-08-20T15:57:00+05:30",
            "2025-08-20T10:27:00Z",
            "Aug 20 2025 10:27 GMT",
            "Aug 20 2025 10:27 UTC",
        ] {
            assert_eq!(parse_datetime(s), Some(want), "{s}");
        }
    }

    #[test]
    fn zones() {
        let want = utc("2025-08-20T10:27:00Z");
        assert_eq!(parse_datetime("Aug 20 2025 11:27 BST"), Some(want));
        assert_eq!(parse_datetime("Aug 20 2025 12:27 CEST"), Some(want));
        assert_eq!(parse_datetime("Aug 20 2025 11:27 CET"), Some(want));
        assert_eq!(parse_datetime("Aug 20 2025 7:27 PM JST"), Some(want));
        assert_eq!(parse_datetime("Aug 20 2025 8:27 PM AEST"), Some(want));
        assert_eq!(parse_datetime("Aug 20 2025 6:27 AM EDT"), Some(want));
        assert_eq!(parse_datetime("Aug 20 2025 5:27 AM EST"), Some(want));
        // ET follows daylight saving: EDT in August, EST in January.
        assert_eq!(parse_datetime("Aug 20 2025 6:27 AM ET"), Some(want));
        assert_eq!(
            parse_datetime("Jan 20 2025 6:27 AM ET"),
            Some(utc("2025-01-20T11:27:00Z"))
        );
        assert_eq!(
            parse_datetime("Jan 20 2025 6:27 AM PT"),
            Some(utc("2025-01-20T14:27:00Z"))
        );
    }

    #[test]
    fn no_zone_is_utc_and_date_only_is_midnight() {
        assert_eq!(
            parse_datetime("Aug 20 2025 | 3:57 PM"),
            Some(utc("2025-08-20T15:57:00Z"))
        );
        assert_eq!(
            parse_datetime("Aug 20 2025"),
            Some(utc("2025-08-20T00:00:00Z"))
        );
        assert_eq!(
            parse_datetime("12:05 AM Aug 20 2025"),
            Some(utc("2025-08-20T00:05:00Z"))
        );
        assert_eq!(
            parse_datetime("Aug 20 2025 12:05 PM"),
            Some(utc("2025-08-20T12:05:00Z"))
        );
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "yesterday",
            "Aug 2025",
            "Feb 30 2025 1:00 PM IST",
            "Aug 20 2025 13:57 PM IST",
            "Aug 20 2025 3:57 PM XYZ",
            "Aug 20 2025 25:00",
            "The minister spoke on Aug 20 2025",
            "20 20 2025",
            "Aug 20 2025 +99:00",
        ] {
            assert_eq!(parse_datetime(s), None, "{s:?}");
        }
    }
}
