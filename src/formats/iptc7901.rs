//! IPTC 7901 wire text, as sent by dpa (English service, dpa-tns, and the German services'
//! 7901 rendering of digitalwires items).
//!
//! Layout: `SOH` + header (`eca062 4 i 211 ccccb   dpa 061`: channel and number, priority,
//! category, word count, source); the keyword line (`Germany-politics/`); `STX` + the
//! headline block, which ends at the first line ending in ` =` and may carry flag lines
//! (`1ST LEAD`, `REFILE`, `EXTRA`, `(Eil)`, `(Berichtigung: ...)`, `(Foto ...)`) and a byline
//! (`By ...`, `Von ...`); the body (paragraphs at blank lines, wrapped lines joined);
//! the notebook and contact sections (`# dpa NOTEBOOK`, `# Notizblock`, `* * * *`,
//! `## Kontakte`) and the closing initials line, which are not body; `ETX` + the date line
//! `ddHHMM [GMT] Mon YY`; `DEL` padding and `EOT`.
//!
//! The date line without `GMT` is German local time (CET/CEST). When the first paragraph has
//! no dateline and the second starts with one (`Peine (dpa/lni) - ...`), the first is a teaser
//! and becomes the summary. Mostly tabular items (results tables) and dpa's copyright test
//! pattern (`Impressum`) are [`FormatError::NotNews`].

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use crate::formats::agency::agency_from_credit;
use crate::formats::error::{FormatError, collect};
use crate::formats::textutil::{
    berlin_to_utc, clean_line, dateline_place, expand_year, is_tabular, line_paragraphs,
    month_number,
};
use crate::model::ParsedItem;

const SOH: char = '\u{1}';
const STX: char = '\u{2}';
const ETX: char = '\u{3}';

/// Cheap check: `SOH`, a header line without ANPA's DC1–DC4 bytes, and an `STX`.
pub fn sniff(text: &str) -> bool {
    let t = text.trim_start_matches(['\u{feff}', '\u{16}']);
    let Some(rest) = t.strip_prefix(SOH) else {
        return false;
    };
    let head: String = rest.chars().take(400).collect();
    head.contains(STX) && !head.contains(['\u{11}', '\u{12}', '\u{13}', '\u{14}', '\u{1f}'])
}

/// Parses IPTC 7901 text (one or more `SOH`-framed messages).
///
/// # Errors
/// [`FormatError::WrongFormat`] without `STX` framing, [`FormatError::NoHeadline`] /
/// [`FormatError::NoBody`] when those parts are missing, [`FormatError::NotNews`] for tables
/// and copyright test messages.
pub fn parse(input: &str) -> Result<Vec<ParsedItem>, FormatError> {
    if !input.contains(STX) {
        return Err(FormatError::WrongFormat("no STX framing".into()));
    }
    let messages: Vec<&str> = input.split(SOH).filter(|m| m.contains(STX)).collect();
    collect(messages.into_iter().map(message))
}

fn message(msg: &str) -> Result<ParsedItem, FormatError> {
    let Some((head, rest)) = msg.split_once(STX) else {
        return Err(FormatError::Malformed("no STX".into()));
    };
    let (text, trailer) = rest.split_once(ETX).unwrap_or((rest, ""));
    let mut head_lines = head.lines().map(clean_line).filter(|l| !l.is_empty());
    let header = head_lines.next().unwrap_or_default();
    let keywords: Vec<String> = head_lines
        .flat_map(|l| {
            l.split('/')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let lines: Vec<String> = text.lines().map(clean_line).collect();
    // The headline block ends at the first line ending with '='.
    let end = lines
        .iter()
        .take(16)
        .position(|l| l.ends_with('='))
        .unwrap_or(0);
    let block: Vec<String> = lines
        .iter()
        .take(end + 1)
        .map(|l| l.trim_end_matches('=').trim().to_owned())
        .collect();
    let (headline, byline) = headline_block(&block);
    let body_lines = &lines[(end + 1).min(lines.len())..];
    let raw_body: Vec<&str> = body_lines
        .iter()
        .map(String::as_str)
        .take_while(|line| !is_notebook(line))
        .collect();
    // List items ("* item") are paragraphs of their own, without the marker. ("- " is not a
    // marker: wrapped lines may start with a dash.)
    let mut paras = line_paragraphs(raw_body.iter().flat_map(|line| {
        let item = line.strip_prefix("* ");
        item.map(|_| "").into_iter().chain([item.unwrap_or(line)])
    }));
    // Closing initials line ("dpa wsz jln npr", "dpa s5").
    if paras.last().is_some_and(|p| is_closing_line(p)) {
        paras.pop();
    }
    if raw_body.iter().any(|l| l.contains("ryryryry copyright")) {
        return Err(FormatError::NotNews("dpa copyright test message".into()));
    }
    if is_tabular(raw_body.iter().copied()) {
        return Err(FormatError::NotNews(
            "tabular 7901 item (results/table)".into(),
        ));
    }
    let headline = headline.ok_or(FormatError::NoHeadline)?;
    let mut summary = None;
    if paras.len() >= 2
        && dateline_place(&paras[0]).is_none()
        && dateline_place(&paras[1]).is_some()
    {
        summary = Some(paras.remove(0));
    }
    // A headline without text is an alert (dpa "Eil"): news all the same.
    let source = header.split_whitespace().find(|w| w.starts_with("dpa"));
    Ok(ParsedItem {
        headline,
        summary,
        dateline: paras.first().and_then(|p| dateline_place(p)),
        // The header's second field is the priority, 1 = flash.
        urgency: header
            .split_whitespace()
            .nth(1)
            .and_then(crate::formats::textutil::urgency),
        body: paras,
        version_created: trailer_time(trailer),
        keywords,
        agency: source.and_then(agency_from_credit),
        byline,
        publisher: source.map(str::to_owned),
        ..ParsedItem::default()
    })
}

/// Headline and byline from the lines between `STX` and the ` =` line.
fn headline_block(block: &[String]) -> (Option<String>, Option<String>) {
    let mut parts: Vec<&str> = Vec::new();
    let mut byline = None;
    let mut in_paren = false;
    for line in block {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        if in_paren || l.starts_with('(') {
            in_paren = !l.ends_with(')');
            continue;
        }
        if l.starts_with("By ") || l.starts_with("Von ") {
            byline = Some(l.to_owned());
            continue;
        }
        let is_flag = l.len() <= 12
            && l.chars().any(char::is_alphabetic)
            && !l.chars().any(char::is_lowercase);
        if is_flag && parts.is_empty() {
            continue;
        }
        parts.push(l);
    }
    let headline = parts.join(" ");
    ((!headline.is_empty()).then_some(headline), byline)
}

/// The start of what follows the story and is not for publication: the dpa notebook, the
/// contacts block.
fn is_notebook(line: &str) -> bool {
    let lower = line.to_lowercase();
    lower.starts_with("# dpa notebook")
        || lower.starts_with("# notizblock")
        || line == "* * * *"
        || lower.starts_with("## kontakte")
        || lower.starts_with("## dpa contacts")
}

fn is_closing_line(p: &str) -> bool {
    let words: Vec<&str> = p.split_whitespace().collect();
    words.first() == Some(&"dpa")
        && words.len() <= 8
        && words
            .iter()
            .all(|w| w.len() <= 10 && !w.contains(['.', ',']))
}

/// `131137 GMT Nov 13` → 2013-11-13 11:37 UTC; `251037 Sep 24` → 2024-09-25 10:37 German time.
fn trailer_time(trailer: &str) -> Option<DateTime<Utc>> {
    let t = clean_line(trailer);
    let words: Vec<&str> = t.split_whitespace().collect();
    let stamp = words.first()?;
    if stamp.len() != 6 || !stamp.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let day: u32 = stamp[..2].parse().ok()?;
    let clock = NaiveTime::from_hms_opt(stamp[2..4].parse().ok()?, stamp[4..].parse().ok()?, 0)?;
    let gmt = words.get(1).is_some_and(|w| w.eq_ignore_ascii_case("gmt"));
    let rest = &words[if gmt { 2 } else { 1 }..];
    let month = month_number(rest.first()?)?;
    let year = expand_year(rest.get(1)?.parse().ok()?);
    let local = NaiveDateTime::new(NaiveDate::from_ymd_opt(year, month, day)?, clock);
    Some(if gmt {
        Utc.from_utc_datetime(&local)
    } else {
        berlin_to_utc(local)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &str = "\u{1}eca062 4 i 211 ccccb   dpa 061\r\n\r\nGermany-politics/\r\n\u{2}1ST LEAD\r\nTalks could fail, SPD warns\r\nBy Jo Doe, dpa =\r\n\r\n   Berlin (dpa) - Talks between the parties\r\ncould fail, a senior member warned.\r\n\r\nMore follows.\r\n\r\n# dpa NOTEBOOK\r\nnot for publication\r\n\r\ndpa wsz jln\r\n\u{3}131137 GMT Nov 13\r\n\u{7f}\u{7f}\u{4}";

    #[test]
    fn reads_message() {
        assert!(sniff(MSG));
        let it = &parse(MSG).unwrap()[0];
        assert_eq!(it.headline, "Talks could fail, SPD warns");
        assert_eq!(it.byline.as_deref(), Some("By Jo Doe, dpa"));
        assert_eq!(
            it.body,
            vec![
                "Berlin (dpa) - Talks between the parties could fail, a senior member warned.",
                "More follows."
            ]
        );
        assert_eq!(it.dateline.as_deref(), Some("Berlin"));
        assert_eq!(it.keywords, vec!["Germany-politics"]);
        assert_eq!(
            it.version_created.unwrap().to_rfc3339(),
            "2013-11-13T11:37:00+00:00"
        );
    }

    #[test]
    fn teaser_local_time_and_rejections() {
        let m = "\u{1}nsb0000 4 vm 71  lni 0000\n\nVerkehr/\n\u{2}(Eil)\nBaum auf Strecke\n(Foto\nIllustration) =\n\nEin Baum fiel.\n\nPeine (dpa/lni) - Ein Baum hat gesperrt.\n\ndpa koe yyno\n\n\u{3}251852 Sep 24\n\u{7f}\u{4}";
        let it = &parse(m).unwrap()[0];
        assert_eq!(it.headline, "Baum auf Strecke");
        assert_eq!(it.summary.as_deref(), Some("Ein Baum fiel."));
        assert_eq!(it.body, vec!["Peine (dpa/lni) - Ein Baum hat gesperrt."]);
        assert_eq!(
            it.version_created.unwrap().to_rfc3339(),
            "2024-09-25T16:52:00+00:00"
        );
        assert!(matches!(
            parse("no framing"),
            Err(FormatError::WrongFormat(_))
        ));
        let table = "\u{1}x\n\u{2}Ergebnisse =\n\n| A | - | B | 1:0 |\n| C | - | D | 2:2 |\n\u{3}";
        assert!(matches!(parse(table), Err(FormatError::NotNews(_))));
    }
}
