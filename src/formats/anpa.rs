//! ANPA-1312 wire text (AP, including writethrus) and the AAP "ZCZC" wire text variant.
//!
//! ANPA: `SYN SYN SOH` + message number + `US` + selector; a header line with priority and
//! category letters, `DC1`–`DC4`, the keyword (`BC-LT--Argentina-Cancer`), an optional version
//! (`1stLd-Writethru`), the date (`11-13`) and the word count; `STX`; the slug line; `^`-prefixed
//! header lines (headline, `AP Photo ...`, `Eds: ...`, summary, `By ...=` / `Associated Press=`)
//! ending in `<` or `=`; tab-indented paragraphs; `ETX` and the date line
//! (`AP-WF-11-13-13 1509GMT`). `Nth Ld-Writethru` gives `source_version` N+1 (the first
//! release is version 1); editor's notes stay out of the body. ` _ ` (ANPA's em dash) becomes
//! ` — `. The priority letter (`f` flash, `b` bulletin, `u` urgent, `r` regular, `d`
//! deferred, `a` advance) gives the urgency (1, 2, 3, 5, 6, 7). Items with a headline and no story
//! text (bulletins, flashes, AP news alerts whose one sentence is the headline) are headline-only
//! items (alerts); agate (standings, tables) keeps its preformatted lines as text; items with
//! neither headline nor text (placeholders) are [`FormatError::NotNews`].
//!
//! ZCZC (AAP): `ZCZC` then `%` category, `#` slug, `$` headline, `:` dateline, `&` author,
//! `*` subject code, `@` region, `~` service lines; or `KEY#value` fields (`TI#` headline,
//! `AB#` abstract, `PD#` date, `TX#` body); the text ends at `NNNN`. AAP's racing and data
//! services (fields, form guides, betting, weights, dividends, results, standings, share
//! tables, lotto draws) and mostly tabular texts are NotNews.

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::formats::agency::agency_from_credit;
use crate::formats::error::{FormatError, collect};
use crate::formats::textutil::{
    clean_line, collapse_ws, dateline_place, expand_year, is_tabular, month_number,
    text_paragraphs, title_case_caps,
};
use crate::model::ParsedItem;

const SOH: char = '\u{1}';
const STX: char = '\u{2}';
const ETX: char = '\u{3}';

/// Cheap check: ANPA framing (`SOH` … `STX`) or a `ZCZC` start.
pub fn sniff(text: &str) -> bool {
    let t = text.trim_start_matches(['\u{16}', '\u{feff}']);
    if t.starts_with(SOH) {
        // IPTC 7901 also starts with SOH; ANPA has the DC1..DC4 header and a `BC-`/`AP-` slug.
        let head: String = t.chars().take(200).collect();
        return head.contains(['\u{11}', '\u{12}', '\u{13}', '\u{14}']);
    }
    is_zczc(t)
}

fn is_zczc(t: &str) -> bool {
    t.trim_start()
        .get(..4)
        .is_some_and(|s| s.eq_ignore_ascii_case("zczc"))
}

/// Parses ANPA-1312 (one or more messages) or AAP ZCZC wire text.
///
/// # Errors
/// [`FormatError::WrongFormat`] when neither framing is present, [`FormatError::NotNews`] for
/// tables, racing data and empty placeholders, [`FormatError::NoHeadline`] when no headline
/// line exists.
pub fn parse(input: &str) -> Result<Vec<ParsedItem>, FormatError> {
    let t = input.trim_start_matches(['\u{16}', '\u{feff}']);
    if is_zczc(t) {
        return zczc(t).map(|i| vec![i]);
    }
    if !t.contains(SOH) && !t.contains(STX) {
        return Err(FormatError::WrongFormat("no ANPA or ZCZC framing".into()));
    }
    let messages: Vec<&str> = t.split(SOH).filter(|m| m.contains(STX)).collect();
    if messages.is_empty() {
        return Err(FormatError::Malformed("ANPA message without STX".into()));
    }
    collect(messages.into_iter().map(anpa_message))
}

/// The ANPA header line: keyword, version text, word count.
struct Header {
    keyword: String,
    version: Option<u32>,
    category: Option<char>,
    priority: Option<char>,
}

fn header(line: &str) -> Header {
    let mut category = None;
    let mut priority = None;
    let mut rest = line;
    if let Some(pos) = line.find(['\u{11}', '\u{12}', '\u{13}', '\u{14}']) {
        let letters: Vec<char> = line[..pos]
            .chars()
            .filter(char::is_ascii_alphabetic)
            .collect();
        priority = letters.first().copied();
        category = letters.get(1).copied();
        rest = &line[pos..];
    }
    let rest = clean_line(rest);
    let mut words: Vec<&str> = rest.split_whitespace().collect();
    // From the right: word count, then date (mm-dd).
    if words
        .last()
        .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
    {
        words.pop();
    }
    if words
        .last()
        .is_some_and(|w| w.len() == 5 && w.as_bytes()[2] == b'-')
    {
        words.pop();
    }
    let version = words.iter().find_map(|w| writethru_version(w));
    let keyword = words.first().map(|w| (*w).to_owned()).unwrap_or_default();
    Header {
        keyword,
        version,
        category,
        priority,
    }
}

/// ANPA priority letter → ninjs urgency (1 = most urgent): flash, bulletin, urgent, regular,
/// deferred, advance.
fn urgency(priority: char) -> Option<u8> {
    Some(match priority.to_ascii_lowercase() {
        'f' => 1,
        'b' => 2,
        'u' => 3,
        'r' => 5,
        'd' => 6,
        'a' => 7,
        _ => return None,
    })
}

/// `1stLd-Writethru` / `2nd Ld-Writethru` → 2 / 3; `Writethru` alone → 2.
fn writethru_version(s: &str) -> Option<u32> {
    let lower = s.to_ascii_lowercase();
    let at = lower.find("writethru")?;
    let n: String = lower[..at]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some(n.parse::<u32>().map_or(2, |n| n.saturating_add(1)))
}

fn anpa_message(msg: &str) -> Result<ParsedItem, FormatError> {
    let Some((head, text)) = msg.split_once(STX) else {
        return Err(FormatError::Malformed("no STX".into()));
    };
    let hdr = head.lines().nth(1).map(header).unwrap_or(Header {
        keyword: String::new(),
        version: None,
        category: None,
        priority: None,
    });
    let (text, trailer) = text.split_once(ETX).unwrap_or((text, ""));
    let mut lines = text.lines();
    let slug_line = lines.next().unwrap_or("");
    let mut version = hdr.version.or_else(|| writethru_version(slug_line));
    let mut caret_lines: Vec<String> = Vec::new();
    let mut paras: Vec<String> = Vec::new();
    let mut raw_lines: Vec<String> = Vec::new();
    let mut in_body = false;
    for raw in lines {
        let l = raw.trim_end_matches(['\r', ' ']);
        if l.trim().is_empty() {
            continue;
        }
        raw_lines.push(l.to_owned());
        let stripped = l.trim_start_matches(' ');
        if !in_body && stripped.starts_with('^') {
            caret_lines.push(strip_markers(&stripped[1..]));
            continue;
        }
        if stripped.starts_with('\t') || stripped.starts_with("   ") {
            in_body = true;
            paras.push(strip_markers(stripped));
        } else if in_body || stripped.contains('\u{8}') {
            in_body = true;
            match paras.last_mut() {
                Some(p) if !stripped.starts_with('^') => {
                    p.push(' ');
                    p.push_str(&strip_markers(stripped));
                }
                _ => paras.push(strip_markers(stripped.trim_start_matches('^'))),
            }
        } else {
            caret_lines.push(strip_markers(stripped));
        }
    }
    // Agate (standings, results, tables) is preformatted: its lines are kept as text.
    let agate = raw_lines.iter().any(|l| l.contains('\u{8}'))
        || is_tabular(raw_lines.iter().map(String::as_str));
    if agate {
        paras = raw_lines
            .iter()
            .filter(|l| !l.trim_start().starts_with('^'))
            .map(|l| l.replace(['\u{8}', '\t'], " "))
            .collect();
    }
    let mut headline = None;
    let mut summary = None;
    let mut byline: Option<String> = None;
    for line in caret_lines.iter().filter(|l| !l.is_empty()) {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("eds:")
            || lower.starts_with("(eds")
            || lower.starts_with("editor's note")
        {
            if let Some(v) = writethru_version(line) {
                version.get_or_insert(v);
            }
            continue;
        }
        if lower.starts_with("ap photo") || lower.starts_with("*") || lower == "end" {
            continue;
        }
        // Priority labels above the headline of bulletins and flashes.
        if matches!(
            lower.trim_end_matches(['<', '=', ' ']),
            "bulletin" | "flash" | "urgent" | "apnewsalert" | "ap news alert"
        ) {
            continue;
        }
        if let Some(by) = line
            .strip_prefix("By ")
            .or_else(|| line.strip_prefix("BY "))
        {
            byline = Some(by.trim().to_owned());
            continue;
        }
        if byline.is_some() && (lower.contains("associated press") || lower.contains("writer")) {
            continue;
        }
        if headline.is_none() {
            headline = Some(line.clone());
        } else if summary.is_none() && byline.is_none() {
            summary = Some(line.clone());
        }
    }
    let body: Vec<String> = paras
        .into_iter()
        .map(|p| clean_line(&p).replace(" _ ", " — "))
        .filter(|p| !p.is_empty() && p != "END" && !p.chars().all(|c| c == '_' || c == '='))
        .collect();
    // AP news alerts carry no headline line: the alert sentence is the headline, and the item
    // is headline-only. A headline line without text is a bulletin or flash: headline-only too.
    let alert_line = (headline.is_none() && body.len() == 1).then(|| body[0].clone());
    let (headline, body) = match headline {
        Some(h) => (h, body),
        // Agate without a headline line is titled by its slug ("BC-WEA--Global Weather,").
        None if agate && !body.is_empty() => {
            let slug = slug_line.rsplit("--").next().unwrap_or_default();
            let title = clean_line(slug.trim_end_matches(['<', '=', ',', ' ', '\r']));
            if title.is_empty() {
                return Err(FormatError::NoHeadline);
            }
            (title, body)
        }
        None if body.len() == 1 => (strip_dateline(&body[0]), Vec::new()),
        None if body.is_empty() => {
            return Err(FormatError::NotNews(
                "ANPA item without headline or story text (placeholder)".into(),
            ));
        }
        None => return Err(FormatError::NoHeadline),
    };
    let time = anpa_time(trailer);
    let first = body.first().map_or(headline.as_str(), String::as_str);
    let ap = trailer.contains("AP-") || first.contains("(AP)");
    let slug = hdr
        .keyword
        .split_once("--")
        .map_or(hdr.keyword.as_str(), |(_, s)| s)
        .to_owned();
    Ok(ParsedItem {
        headline,
        summary: summary.map(|s| s.replace(" _ ", " — ")),
        dateline: body
            .first()
            .or(alert_line.as_ref())
            .and_then(|p| dateline_place(p)),
        body,
        urgency: hdr.priority.and_then(urgency),
        version_created: time,
        keywords: if slug.is_empty() {
            Vec::new()
        } else {
            vec![slug]
        },
        section: hdr.category.and_then(category_name).map(str::to_owned),
        agency: if ap { agency_from_credit("AP") } else { None },
        byline: byline.map(|b| title_case_caps(&b)),
        source_version: version,
        ..ParsedItem::default()
    })
}

/// The text after a dateline (`HONOLULU (AP) — Hawaii files ...` → `Hawaii files ...`).
fn strip_dateline(p: &str) -> String {
    match p.find(" — ") {
        Some(pos) if dateline_place(p).is_some() => p[pos + " — ".len()..].trim().to_owned(),
        _ => p.to_owned(),
    }
}

/// Drops ANPA line-end markers (`<`, `=`) and control characters.
fn strip_markers(s: &str) -> String {
    let c = clean_line(s);
    c.trim_end_matches(['<', '=', ' ']).to_owned()
}

/// `AP-WF-11-13-13 1509GMT` → 2013-11-13 15:09 UTC.
fn anpa_time(trailer: &str) -> Option<chrono::DateTime<Utc>> {
    let t = clean_line(trailer);
    for word in t.split_whitespace().collect::<Vec<_>>().windows(2) {
        let date = word[0].rsplit('-').take(3).collect::<Vec<_>>();
        let clock = word[1].trim_end_matches('<').trim_end_matches("GMT");
        if date.len() != 3 || clock.len() != 4 {
            continue;
        }
        let (yy, dd, mm) = (
            date[0].parse().ok()?,
            date[1].parse().ok()?,
            date[2].parse().ok()?,
        );
        let day = NaiveDate::from_ymd_opt(expand_year(yy), mm, dd)?;
        let time = chrono::NaiveTime::parse_from_str(clock, "%H%M").ok()?;
        return Some(Utc.from_utc_datetime(&NaiveDateTime::new(day, time)));
    }
    None
}

fn category_name(c: char) -> Option<&'static str> {
    Some(match c {
        'a' => "Domestic",
        'i' => "International",
        'f' => "Financial",
        's' | 'z' => "Sports",
        'e' => "Entertainment",
        'l' => "Lifestyle",
        'w' => "Washington",
        'p' => "Politics",
        'n' => "State",
        'd' => "Food",
        'h' => "Travel",
        'k' => "Commentary",
        'r' => "Regional",
        't' => "Travel",
        'u' => "Weather",
        'v' => "Advisory",
        'b' => "Special",
        _ => return None,
    })
}

/// Words in a ZCZC item's first lines that mark AAP's racing and data services.
const ZCZC_DATA_MARKERS: &[&str] = &[
    "betting",
    "fields",
    "form",
    "weights",
    "divs",
    "dividends",
    "results",
    "standings",
    "potted",
    "premierships",
    "top ten by volume",
    "lotto",
    "preview panel",
    "comment saturday",
    "acceptances",
    "scratchings",
];

fn zczc(t: &str) -> Result<ParsedItem, FormatError> {
    let text = t.trim_start();
    let text = text.split("NNNN").next().unwrap_or(text);
    let head_region: String = text.chars().take(240).collect::<String>().to_lowercase();
    let head_words: String = head_region
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let head_words = format!(" {} ", collapse_ws(&head_words));
    if let Some(m) = ZCZC_DATA_MARKERS
        .iter()
        .find(|m| head_words.contains(&format!(" {m} ")))
    {
        return Err(FormatError::NotNews(format!(
            "AAP data/racing service item ({m})"
        )));
    }
    let mut lines = text.lines();
    lines.next(); // ZCZC routing line
    let mut headline = None;
    let mut slug = None;
    let mut dateline = None;
    let mut summary = None;
    let mut date = None;
    let mut body_lines: Vec<&str> = Vec::new();
    let mut in_body = false;
    for line in lines {
        let l = line.trim_end_matches('\r');
        if !in_body {
            let trimmed = l.trim();
            if let Some((key, value)) = keyed_field(trimmed) {
                match key {
                    "TI" => headline = Some(clean_line(value)),
                    "AB" => summary = Some(clean_line(value)),
                    "PD" => date = zczc_date(value),
                    "KY" => slug = Some(clean_line(value)),
                    "TX" => {
                        in_body = true;
                        if !value.trim().is_empty() {
                            body_lines.push(value);
                        }
                    }
                    _ => {}
                }
                continue;
            }
            let mut chars = trimmed.chars();
            match chars.next() {
                Some('$') if chars.as_str().trim().chars().count() > 3 => {
                    headline = Some(clean_line(chars.as_str()));
                    continue;
                }
                Some('#') => {
                    slug = Some(clean_line(chars.as_str()));
                    continue;
                }
                Some(':') => {
                    let v = clean_line(chars.as_str());
                    let v = v.trim_matches(['(', ')']);
                    if !v.is_empty() && dateline.is_none() && v.chars().all(|c| !c.is_lowercase()) {
                        dateline = Some(title_case_caps(v));
                    }
                    continue;
                }
                Some('%' | '$' | '&' | '*' | '@' | '~') => continue,
                Some(_) if trimmed.len() <= 3 && body_lines.is_empty() => continue,
                _ => in_body = true,
            }
        }
        body_lines.push(l);
    }
    // Sign-off lines.
    while body_lines.last().is_some_and(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with("AAP ") || t == "AAP"
    }) {
        body_lines.pop();
    }
    if is_tabular(body_lines.iter().copied()) {
        return Err(FormatError::NotNews("tabular AAP item".into()));
    }
    let joined = body_lines.join("\n");
    let blank_separated = body_lines.iter().any(|l| l.trim().is_empty());
    let mut body = text_paragraphs(&joined, !blank_separated);
    if headline.is_none() && !body.is_empty() {
        headline = Some(body.remove(0));
    }
    if body.is_empty() {
        return Err(FormatError::NotNews("ZCZC item without text".into()));
    }
    let headline = headline
        .filter(|h| !h.is_empty())
        .ok_or(FormatError::NoHeadline)?;
    let aap = text.contains("AAP");
    Ok(ParsedItem {
        headline,
        summary,
        dateline: dateline.or_else(|| dateline_place(&body[0])),
        body,
        version_created: date,
        keywords: slug.into_iter().collect(),
        publisher: aap.then(|| "Australian Associated Press".to_owned()),
        ..ParsedItem::default()
    })
}

/// `TI#text` style fields: two capital letters and `#`.
fn keyed_field(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once('#')?;
    (key.len() == 2 && key.chars().all(|c| c.is_ascii_uppercase())).then_some((key, value))
}

/// `06 June 2016 14:00:00` (read as UTC).
fn zczc_date(s: &str) -> Option<chrono::DateTime<Utc>> {
    let w: Vec<&str> = s.split_whitespace().collect();
    if w.len() < 3 {
        return None;
    }
    let day = NaiveDate::from_ymd_opt(w[2].parse().ok()?, month_number(w[1])?, w[0].parse().ok()?)?;
    let time = w
        .get(3)
        .and_then(|c| chrono::NaiveTime::parse_from_str(c, "%H:%M:%S").ok())
        .unwrap_or(chrono::NaiveTime::MIN);
    Some(Utc.from_utc_datetime(&NaiveDateTime::new(day, time)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANPA: &str = "\u{16}\u{16}\u{1}a1234\u{1f}asian\r\nr i\u{13}\u{11} BC-EU--Ukraine-Talks 2ndLd-Writethru   03-01 0420\r\n\u{2}BC-EU--Ukraine-Talks, 2nd Ld-Writethru,400<\r\n^Talks resume in Geneva<\r\n^AP Photo XYZ101<\r\n^Eds: UPDATES with quotes.<\r\n^By JANE ROE=\r\n^Associated Press=\r\n\t   KYIV, Ukraine (AP) _ Talks resumed on Friday.\r\n\t   Both sides said progress was made.\r\n\r\n\t   \u{3}AP-WF-03-01-24 1509GMT<\r\n\u{c}\r\n\u{4}";

    #[test]
    fn anpa_story() {
        assert!(sniff(ANPA));
        let it = &parse(ANPA).unwrap()[0];
        assert_eq!(it.headline, "Talks resume in Geneva");
        assert_eq!(it.body[0], "KYIV, Ukraine (AP) — Talks resumed on Friday.");
        assert_eq!(it.body.len(), 2);
        assert_eq!(it.byline.as_deref(), Some("Jane Roe"));
        assert_eq!(it.dateline.as_deref(), Some("Kyiv"));
        assert_eq!(it.source_version, Some(3));
        assert_eq!(it.keywords, vec!["Ukraine-Talks"]);
        assert_eq!(
            it.version_created.unwrap().to_rfc3339(),
            "2024-03-01T15:09:00+00:00"
        );
        assert_eq!(it.agency.as_ref().unwrap().code, "AP");
    }

    #[test]
    fn anpa_non_news() {
        let alert = "\u{1}a1\u{1f}x\nb a\u{13}\u{11} BC-US--APNewsAlert 06-29 0358\n\u{2}BC-US--APNewsAlert,17<\n\n\u{3}\n\u{4}";
        assert!(matches!(parse(alert), Err(FormatError::NotNews(_))));
        assert!(matches!(
            parse("plain text"),
            Err(FormatError::WrongFormat(_))
        ));
    }

    #[test]
    fn anpa_bulletins_and_agate_are_news() {
        // A bulletin: priority `b`, a headline line and no story text yet.
        let bulletin = "\u{1}a1\u{1f}x\nb a\u{13}\u{11} BC-US--Quake 06-29 0012\n\u{2}BC-US--Quake,12<\n^BULLETIN<\n^Strong quake hits Tokyo<\n\u{3}AP-WF-06-29-24 1509GMT\n";
        let it = &parse(bulletin).unwrap()[0];
        assert_eq!(it.headline, "Strong quake hits Tokyo");
        assert!(it.body.is_empty());
        assert_eq!(it.urgency, Some(2));
        // Agate keeps its preformatted lines as text.
        let table = "\u{1}a1\u{1f}x\nr z\u{14}\u{12} BC-BBO--Glance 05-17 0820\n\u{2}BC-BBO--Glance<\n^Standings=\n\u{8}Boston;24;14;.632;_\n\u{8}Toronto;19;21;.475;6\n\u{3}";
        let it = &parse(table).unwrap()[0];
        assert_eq!(it.headline, "Standings");
        assert_eq!(it.body, vec!["Boston;24;14;.632;_", "Toronto;19;21;.475;6"]);
        assert_eq!(it.urgency, Some(5));
        assert!(matches!(
            parse("plain text"),
            Err(FormatError::WrongFormat(_))
        ));
    }

    #[test]
    fn zczc_story_and_racing() {
        let z = "ZCZC AAP\r\n%A\r\n#Floods_BC1\r\n$Floods cut Queensland roads\r\n:(BRISBANE)\r\n*07000000\r\nHeavy rain has cut roads across Queensland.\n\n   Residents were told to stay home.\r\n\r\nAAP RTV\r\nNNNN";
        assert!(sniff(z));
        let it = &parse(z).unwrap()[0];
        assert_eq!(it.headline, "Floods cut Queensland roads");
        assert_eq!(it.dateline.as_deref(), Some("Brisbane"));
        assert_eq!(it.body.len(), 2);
        let keyed = "zczc\nTI#Firm delays project\nAB#It is late.\nPD#06 June 2016 14:00:00\nTX#\nThe firm said the project is late.\nNNNN";
        let it = &parse(keyed).unwrap()[0];
        assert_eq!(it.headline, "Firm delays project");
        assert!(it.version_created.is_some());
        let racing = "ZCZC FMG000\nYY TDR\nRACING : Caulfield FIELDS Saturday\n 1  Humma  59\n";
        assert!(matches!(parse(racing), Err(FormatError::NotNews(_))));
    }
}
