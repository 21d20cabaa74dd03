//! Credits and notices in the front matter and trailer of a scraped page: photo captions and
//! their credits, agency lines (`AP Kyiv`, `By PTI`, `(Reuters)`) and agency credits at the
//! start of the body, staff bylines and the table of known cities that ends them, tag lines,
//! syndication disclaimers and the table of known outlets that names the publisher.

use super::dates::{apply_dates, has_any_date};
use crate::formats::agency::AGENCIES;
use crate::formats::textutil::{
    ByFirstByte, by_first_byte, contains_ci, find_ci, floor_boundary, push_unique, rfind_ci,
    title_case_caps, word_count,
};
use crate::model::{Agency, ParsedItem};

/// `caption text (Photo: Credit)` → (caption, credit).
pub(super) fn caption(line: &str) -> Option<(&str, Option<&str>)> {
    let body = line.strip_suffix(')')?;
    let open = body.rfind('(')?;
    let inner = body[open + 1..].trim();
    const STARTS: &[&str] = &[
        "photo",
        "image",
        "pic",
        "file photo",
        "file image",
        "file pic",
        "representative",
        "picture",
        "illustration",
        "graphic",
        "screengrab",
        "credit",
    ];
    let ok = STARTS.iter().any(|s| {
        inner.len() >= s.len()
            && inner.is_char_boundary(s.len())
            && inner[..s.len()].eq_ignore_ascii_case(s)
            && {
                // Whole word, plural allowed ("Photos:"); "Representative ..." is free-form.
                let after = &inner[s.len()..];
                let after = after.strip_prefix(['s', 'S']).unwrap_or(after);
                *s == "representative" || after.chars().next().is_none_or(|c| !c.is_alphabetic())
            }
    });
    if !ok {
        return None;
    }
    let credit = if let Some(i) = inner.find(':') {
        Some(inner[i + 1..].trim())
    } else if let Some(i) = find_ci(inner.as_bytes(), b" by ") {
        Some(inner[i + 4..].trim())
    } else {
        inner.find('/').map(|i| inner[i + 1..].trim())
    };
    let credit = credit.map(|c| {
        // "(Photo credit: X)" → "X"
        let c = c.strip_prefix("Credit:").unwrap_or(c);
        c.trim()
    });
    Some((body[..open].trim(), credit.filter(|c| !c.is_empty())))
}

/// `caption (Photo: PTI) AP Miami`: a caption whose credit parenthesis runs on into an agency
/// line → (caption with its parenthesis, agency line).
pub(super) fn caption_then_credit(line: &str) -> Option<(&str, &str)> {
    let close = line.rfind(')')?;
    let (cap, tail) = (&line[..=close], line[close + 1..].trim());
    (!tail.is_empty()
        && tail.len() <= 80
        && agency_line_parts(tail).is_some()
        && caption(cap).is_some())
    .then_some((cap, tail))
}

/// `Reuters | Updated: Aug 20 2025 ...`: an agency credit and a labelled date on one line →
/// (agency, as printed, the date part).
pub(super) fn agency_then_date(line: &str) -> Option<(Agency, &'static str, &str)> {
    agency_then_date_parts(line).map(|(entry, rest)| (agency_of(entry), entry.0, rest))
}

/// [`agency_then_date`] with the agency's table entry, nothing allocated: (entry, date part).
pub(super) fn agency_then_date_parts(line: &str) -> Option<(&'static AgencyEntry, &str)> {
    let s = line.strip_prefix("By ").unwrap_or(line);
    let (entry, rest) = agency_prefix(s)?;
    let rest = rest.trim_start();
    let rest = rest
        .strip_prefix(['|', '-', '–', '—', ',', '/'])?
        .trim_start();
    has_any_date(rest).then_some((entry, rest))
}

/// An entry of [`AGENCIES`]: (as printed, code, name).
type AgencyEntry = (&'static str, &'static str, &'static str);

fn agency_of(entry: &AgencyEntry) -> Agency {
    Agency {
        code: entry.1.to_string(),
        name: entry.2.to_string(),
    }
}

/// Applies an agency line (`AP Kyiv`, `Reuters | Updated: ...`) to the item.
pub(super) fn apply_agency_line(line: &str, item: &mut ParsedItem) {
    if let Some((agency, printed, place)) = agency_line(line) {
        if item.agency.is_none() {
            item.agency = Some(agency);
            item.byline.get_or_insert_with(|| printed.to_string());
        }
        if let Some(p) = place {
            item.dateline.get_or_insert_with(|| p.to_string());
        }
    } else if let Some((agency, printed, dates)) = agency_then_date(line) {
        if item.agency.is_none() {
            item.agency = Some(agency);
            item.byline.get_or_insert_with(|| printed.to_string());
        }
        apply_dates(dates, item);
    }
}

/// [`AGENCIES`] by the first byte of the name as printed.
const AGENCY_INDEX: ByFirstByte<{ AGENCIES.len() }> = by_first_byte!(AGENCIES);

/// Looks up an agency printed at the start of `s`; returns the entry and the rest.
fn agency_prefix(s: &str) -> Option<(&'static AgencyEntry, &str)> {
    // Only the entries sharing the line's first byte are compared, in table order.
    let first = *s.as_bytes().first()?;
    AGENCY_INDEX.get(first).find_map(|i| {
        let entry = &AGENCIES[i];
        let rest = s.strip_prefix(entry.0)?;
        rest.chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
            .then_some((entry, rest))
    })
}

/// An agency line: `AP Kyiv`, `By PTI`, `(Reuters)`, `Press Trust of India New Delhi`.
/// Returns (agency, as printed, dateline).
pub(super) fn agency_line(line: &str) -> Option<(Agency, &str, Option<&str>)> {
    agency_line_parts(line).map(|(entry, place)| (agency_of(entry), entry.0, place))
}

/// [`agency_line`] with the agency's table entry, nothing allocated: (entry, dateline).
pub(super) fn agency_line_parts(line: &str) -> Option<(&'static AgencyEntry, Option<&str>)> {
    let mut s = line.trim();
    for by in ["By ", "BY ", "by "] {
        if let Some(r) = s.strip_prefix(by) {
            s = r.trim_start();
            break;
        }
    }
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        s = inner.trim();
    }
    let (entry, rest) = agency_prefix(s)?;
    let rest = rest.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | '|' | '-' | '–' | '—' | ':' | '/')
    });
    if rest.is_empty() {
        return Some((entry, None));
    }
    is_place(rest).then_some((entry, Some(rest)))
}

/// A place name: at most four capitalised words, no digits, no sentence punctuation.
fn is_place(s: &str) -> bool {
    if s.is_empty() || s.len() > 40 || s.ends_with('.') {
        return false;
    }
    let mut words = 0;
    for w in s.split_whitespace() {
        words += 1;
        let c = w.chars().next().unwrap_or(' ');
        let connector = matches!(w, "of" | "de" | "da" | "al" | "el" | "la" | "upon" | "on");
        if !(c.is_uppercase() || connector) {
            return false;
        }
        if !w
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '.' | '’'))
        {
            return false;
        }
    }
    (1..=4).contains(&words)
}

/// A short line of capitalised words (names and a place), nothing sentence-like.
pub(super) fn looks_like_byline(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty() || s.len() > 80 || s.ends_with(['.', '?', '!', ':', ')']) {
        return false;
    }
    let mut words = 0;
    for w in s.split(|c: char| c.is_whitespace() || c == ',' || c == '|') {
        if w.is_empty() {
            continue;
        }
        words += 1;
        if matches!(w, "and" | "&" | "of" | "-" | "–") {
            continue;
        }
        let c = w.chars().next().unwrap_or(' ');
        if !c.is_uppercase() || w.chars().any(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    (2..=10).contains(&words)
}

/// Cities recognised at the end of a staff byline, longest first where one ends another.
const CITIES: &[&str] = &[
    "New Delhi",
    "Delhi",
    "Mumbai",
    "Kolkata",
    "Chennai",
    "Bengaluru",
    "Bangalore",
    "Hyderabad",
    "Pune",
    "Ahmedabad",
    "Chandigarh",
    "Lucknow",
    "Jaipur",
    "Bhopal",
    "Patna",
    "Guwahati",
    "Srinagar",
    "Jammu",
    "Thiruvananthapuram",
    "Kochi",
    "Gurugram",
    "Gurgaon",
    "Noida",
    "Bhubaneswar",
    "Raipur",
    "Ranchi",
    "Dehradun",
    "Shimla",
    "Indore",
    "Nagpur",
    "Surat",
    "Visakhapatnam",
    "Coimbatore",
    "Panaji",
    "Washington",
    "New York",
    "San Francisco",
    "London",
    "Paris",
    "Berlin",
    "Brussels",
    "Geneva",
    "Moscow",
    "Kyiv",
    "Beijing",
    "Shanghai",
    "Hong Kong",
    "Tokyo",
    "Seoul",
    "Singapore",
    "Dubai",
    "Abu Dhabi",
    "Riyadh",
    "Tel Aviv",
    "Jerusalem",
    "Islamabad",
    "Karachi",
    "Lahore",
    "Dhaka",
    "Colombo",
    "Kathmandu",
    "Kabul",
    "Sydney",
    "Melbourne",
    "Toronto",
    "Ottawa",
    "Frankfurt",
];

/// Splits a staff byline into (names, dateline).
pub(super) fn split_byline(s: &str) -> (&str, Option<&str>) {
    let s = s.trim();
    for sep in [" | ", "|", ", ", " - ", " – "] {
        if let Some(i) = s.rfind(sep) {
            let (a, b) = (s[..i].trim(), s[i + sep.len()..].trim());
            if !a.is_empty() && is_place(b) {
                return (a, Some(b));
            }
        }
    }
    for city in CITIES {
        if let Some(names) = s.strip_suffix(city)
            && names.ends_with(' ')
            && !names.trim().is_empty()
        {
            return (names.trim(), Some(&s[s.len() - city.len()..]));
        }
    }
    (s, None)
}

/// A comma-separated keyword line (see the module docs). `need_sep` demands two items.
pub(super) fn is_tag_line(line: &str, need_sep: bool) -> bool {
    if line.is_empty() || line.len() > 200 || line.ends_with(['.', '!', '?', ':', ')']) {
        return false;
    }
    let mut items = 0;
    for item in tag_items(line) {
        let item = item.trim();
        if item.is_empty() || item.len() > 50 || word_count(item) > 6 {
            return false;
        }
        let c = item.chars().next().unwrap_or(' ');
        if !(c.is_uppercase() || c.is_ascii_digit()) {
            return false;
        }
        items += 1;
    }
    items >= if need_sep { 2 } else { 1 }
}

/// The items of a tag line: `line.split([',', '|', ';'])`, the separators found with memchr.
fn tag_items(line: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr3_iter(b',', b'|', b';', line.as_bytes())
        .chain([line.len()])
        .map(move |end| {
            // The separators are ASCII: both ends are char boundaries.
            let item = &line[start..end];
            start = end + 1;
            item
        })
}

pub(super) fn split_keywords(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in tag_items(line) {
        let k = k.trim();
        if !k.is_empty() {
            push_unique(&mut out, k.to_string());
        }
    }
    out
}

pub(super) fn is_disclaimer(line: &str) -> bool {
    let b = line.as_bytes();
    contains_ci(b, b"syndicated")
        || contains_ci(b, b"auto-generated")
        || contains_ci(b, b"agency feed")
        || contains_ci(b, b"wire feed")
        || contains_ci(b, b"news feed")
}

/// Known outlets: (lower-case form, canonical name).
const OUTLETS: &[(&str, &str)] = &[
    ("business standard", "Business Standard"),
    ("ndtv", "NDTV"),
    ("the hindu", "The Hindu"),
    ("hindu", "The Hindu"),
    ("the hindu businessline", "The Hindu BusinessLine"),
    ("live mint", "Mint"),
    ("livemint", "Mint"),
    ("mint", "Mint"),
    ("moneycontrol", "Moneycontrol"),
    ("money control", "Moneycontrol"),
    ("hindustan times", "Hindustan Times"),
    ("ht", "Hindustan Times"),
    ("the economic times", "The Economic Times"),
    ("economic times", "The Economic Times"),
    ("the times of india", "The Times of India"),
    ("times of india", "The Times of India"),
    ("the indian express", "The Indian Express"),
    ("indian express", "The Indian Express"),
    ("financial express", "Financial Express"),
    ("deccan herald", "Deccan Herald"),
    ("firstpost", "Firstpost"),
    ("india today", "India Today"),
    ("news18", "News18"),
    ("theprint", "ThePrint"),
    ("devdiscourse", "Devdiscourse"),
    ("outlook", "Outlook"),
];

fn canonical_outlet(name: &str) -> Option<&'static str> {
    OUTLETS
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

/// A known outlet named anywhere in `text`, as a whole word (longest name wins).
pub(super) fn outlet_in(text: &str) -> Option<&'static str> {
    let b = text.as_bytes();
    let mut best: Option<(usize, &'static str)> = None;
    for (k, v) in OUTLETS {
        if k.len() < 4 {
            continue;
        }
        let mut from = 0;
        while let Some(i) = find_ci(&b[from..], k.as_bytes()) {
            let s = from + i;
            let e = s + k.len();
            let left_ok = s == 0 || !b[s - 1].is_ascii_alphanumeric();
            let right_ok = e == b.len() || !b[e].is_ascii_alphanumeric();
            if left_ok && right_ok {
                if best.is_none_or(|(l, _)| k.len() > l) {
                    best = Some((k.len(), v));
                }
                break;
            }
            from = s + 1;
        }
    }
    best.map(|(_, v)| v)
}

/// The publisher named by a disclaimer: `... by the Business Standard staff ...`.
pub(super) fn disclaimer_publisher(line: &str) -> Option<String> {
    let b = line.as_bytes();
    if let Some(staff) = find_ci(b, b" staff") {
        let before = &line[..staff];
        if let Some(by) = rfind_ci(before.as_bytes(), b" by ") {
            let mut name = before[by + 4..].trim();
            if name.len() > 4
                && name
                    .get(..4)
                    .is_some_and(|p| p.eq_ignore_ascii_case("the "))
            {
                let rest = &name[4..];
                if let Some(c) = canonical_outlet(name).or_else(|| canonical_outlet(rest)) {
                    return Some(c.to_string());
                }
                name = rest;
            }
            if let Some(c) = canonical_outlet(name) {
                return Some(c.to_string());
            }
            if !name.is_empty() && name.len() <= 40 && name.split_whitespace().count() <= 5 {
                return Some(name.to_string());
            }
        }
    }
    outlet_in(line).map(str::to_string)
}

/// `New Delhi, Aug 20 (PTI) ...` / `KYIV, Ukraine (AP) — ...` at the start of the body.
pub(super) fn agency_from_body(first: &str, item: &mut ParsedItem) {
    let head = &first[..floor_boundary(first, 100)];
    let Some(open) = head.find('(') else { return };
    let Some(close) = head[open..].find(')') else {
        return;
    };
    let inner = head[open + 1..open + close].trim();
    let Some((entry, rest)) = agency_prefix(inner) else {
        return;
    };
    if !rest.trim().is_empty() {
        return;
    }
    let before = head[..open].trim();
    let place = before.split(',').next().unwrap_or("").trim();
    if !before.is_empty() && !is_place(place) {
        return;
    }
    item.agency = Some(Agency {
        code: entry.1.to_string(),
        name: entry.2.to_string(),
    });
    if !place.is_empty() && item.dateline.is_none() {
        // An all-capitals place ("KYIV") is title-cased; anything else is kept as printed.
        let printed = place.len() <= 3 || place.chars().any(char::is_lowercase);
        item.dateline = Some(if printed {
            place.to_string()
        } else {
            title_case_caps(place)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The agency lookup as first written: the whole table, first byte compared first.
    fn agency_prefix_scan(s: &str) -> Option<(&'static AgencyEntry, &str)> {
        let first = *s.as_bytes().first()?;
        AGENCIES.iter().find_map(|entry| {
            if entry.0.as_bytes()[0] != first {
                return None;
            }
            let rest = s.strip_prefix(entry.0)?;
            rest.chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
                .then_some((entry, rest))
        })
    }

    #[test]
    fn agency_lookups_agree_on_every_name() {
        for (printed, _, _) in AGENCIES {
            for s in [
                printed.to_string(),
                format!("{printed} Kyiv"),
                format!("{printed}x"),
                format!("{printed}-MPA"),
                printed[..floor_boundary(printed, printed.len() - 1)].to_string(),
                printed.to_lowercase(),
            ] {
                assert_eq!(agency_prefix(&s), agency_prefix_scan(&s), "{s:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn agency_lookup_agrees(s in "[A-Za-z -]{0,12}") {
            proptest::prop_assert_eq!(agency_prefix(&s), agency_prefix_scan(&s));
        }

        #[test]
        fn tag_items_agree(line in "[a ,|;é]{0,16}") {
            let ours: Vec<&str> = tag_items(&line).collect();
            let plain: Vec<&str> = line.split([',', '|', ';']).collect();
            proptest::prop_assert_eq!(ours, plain);
        }
    }

    #[test]
    fn agency_lines() {
        // (line, agency code, dateline); no code: not an agency line.
        const CASES: &[(&str, Option<&str>, Option<&str>)] = &[
            ("AP Kyiv", Some("AP"), Some("Kyiv")),
            (
                "Press Trust of India New Delhi",
                Some("PTI"),
                Some("New Delhi"),
            ),
            ("Reuters London", Some("Reuters"), Some("London")),
            ("By PTI", Some("PTI"), None),
            ("PTI", Some("PTI"), None),
            ("(Reuters)", Some("Reuters"), None),
            ("IANS | Mumbai", Some("IANS"), Some("Mumbai")),
            ("Asian News International", Some("ANI"), None),
            ("Agence France-Presse Paris", Some("AFP"), Some("Paris")),
            ("Bloomberg", Some("Bloomberg"), None),
            ("AP Dhillon performs in Mumbai tonight", None, None),
            ("APAC markets", None, None),
            ("Reuters reported the deal on Monday.", None, None),
        ];
        for &(line, code, dateline) in CASES {
            let got = agency_line(line).map(|(a, _, d)| (a.code, d));
            let want = code.map(|c| (c.to_string(), dateline));
            assert_eq!(got, want, "{line}");
        }
    }

    #[test]
    fn staff_bylines() {
        const SPLITS: &[(&str, &str, Option<&str>)] = &[
            (
                "Sudheer Pal Singh New Delhi",
                "Sudheer Pal Singh",
                Some("New Delhi"),
            ),
            ("BS Reporter Mumbai", "BS Reporter", Some("Mumbai")),
            (
                "Asit Ranjan Mishra | Pune",
                "Asit Ranjan Mishra",
                Some("Pune"),
            ),
            ("Ruchika Chitravanshi", "Ruchika Chitravanshi", None),
        ];
        for &(line, names, place) in SPLITS {
            assert_eq!(split_byline(line), (names, place), "{line}");
        }
        const LOOKS: &[(&str, bool)] = &[
            ("Nikesh Singh & Ruchika Chitravanshi New Delhi", true),
            ("Shares rose 4 per cent", false),
            ("Russia", false),
        ];
        for &(line, want) in LOOKS {
            assert_eq!(looks_like_byline(line), want, "{line}");
        }
    }

    #[test]
    fn captions() {
        // (line, Some((caption, credit))) or None when the line is no caption.
        type Case = (&'static str, Option<(&'static str, Option<&'static str>)>);
        const CASES: &[Case] = &[
            (
                "Ships at the port. (Photo: Shutterstock)",
                Some(("Ships at the port.", Some("Shutterstock"))),
            ),
            (
                "Ships at the port (Photo credit: Getty Images)",
                Some(("Ships at the port", Some("Getty Images"))),
            ),
            ("Ships (Representative image)", Some(("Ships", None))),
            (
                "Ships (File Photo: Reuters)",
                Some(("Ships", Some("Reuters"))),
            ),
            ("Ships (Photo/PTI)", Some(("Ships", Some("PTI")))),
            ("The firm (listed in 2019)", None),
            ("The picnic (picnic area)", None),
            ("Ships (Photos: PTI)", Some(("Ships", Some("PTI")))),
        ];
        for &(line, want) in CASES {
            assert_eq!(caption(line), want, "{line}");
        }
    }

    #[test]
    fn tag_lines() {
        // (line, need_sep, is a tag line)
        const CASES: &[(&str, bool, bool)] = &[
            ("Russia Ukraine conflict, Russia Ukraine", true, true),
            ("Semiconductors", false, true),
            ("Semiconductors", true, false),
            (
                "Trump is trying to steer Putin and Zelenskyy toward a settlement, but there are \
                 obstacles",
                true,
                false,
            ),
            (
                "US Gen Alexus Grynkewich, NATO's supreme allied commander Europe, will",
                true,
                false,
            ),
        ];
        for &(line, need_sep, want) in CASES {
            assert_eq!(is_tag_line(line, need_sep), want, "{line}");
        }
    }

    #[test]
    fn publishers() {
        const CASES: &[(&str, Option<&str>)] = &[
            (
                "(Only the headline and picture of this report may have been reworked by the \
                 Business Standard staff; the rest of the content is auto-generated from a \
                 syndicated feed.)",
                Some("Business Standard"),
            ),
            (
                "(This story has not been edited by HT staff and is auto-generated from a \
                 syndicated feed.)",
                Some("Hindustan Times"),
            ),
            (
                "(This story has not been edited by Daily Planet staff and is published from a \
                 syndicated feed.)",
                Some("Daily Planet"),
            ),
            (
                "Disclaimer: This story is auto-generated from a syndicated feed.",
                None,
            ),
        ];
        for &(line, want) in CASES {
            assert_eq!(disclaimer_publisher(line).as_deref(), want, "{line}");
        }
    }
}
