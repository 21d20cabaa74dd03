//! The parse proper: a page's lines are classified once, then read zone by zone: the head
//! (date line and breadcrumb, [`read_head`]), the headline, the front matter ([`read_front`]),
//! the body ([`read_body`]) and the trailer ([`read_trailer`]). See the parent module for the
//! rules of each zone.

use super::classify::{Kind, classify_with_dates, read_time};
use super::credits::{
    agency_from_body, apply_agency_line, caption, caption_then_credit, disclaimer_publisher,
    is_tag_line, looks_like_byline, outlet_in, split_byline, split_keywords,
};
use super::dates::{LineDates, apply_dates};
use super::error::ScrapeError;
use super::flatten::unflatten;
use super::topics::split_topics;
use crate::formats::textutil::{eq_loose, push_unique};
use crate::model::{ParsedItem, Picture};

/// Lines with more than this many characters are not hard-wrapped text.
const WRAP_MAX: usize = 100;
/// Front-matter scan limit, in lines after the headline.
const FRONT_MAX_LINES: usize = 40;
/// An ordinary run at least this long (bytes) counts as a real paragraph while scanning.
const LONG_RUN: usize = 120;

fn char_len(s: &str) -> usize {
    if s.len() <= WRAP_MAX {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Joins hard-wrapped lines: a space between lines, none after a hyphen following a letter.
fn join_wrapped(lines: &[&str]) -> String {
    let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for l in lines {
        if !out.is_empty() {
            let hyphen = out.ends_with('-')
                && out[..out.len() - 1]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphabetic);
            if !hyphen {
                out.push(' ');
            }
        }
        out.push_str(l);
    }
    out
}

/// True when every line of the block but the last is short enough to be a wrapped line.
fn is_wrapped_block(lines: &[&str]) -> bool {
    lines.len() > 1
        && lines[..lines.len() - 1]
            .iter()
            .all(|l| char_len(l) <= WRAP_MAX)
}

// ---------------------------------------------------------------------------------------------
// The parse
// ---------------------------------------------------------------------------------------------

fn split_lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let sep = if memchr::memchr(b'\n', bytes).is_some() {
        b'\n'
    } else {
        b'\r'
    };
    let mut lines = Vec::with_capacity(memchr::memchr_iter(sep, bytes).count() + 1);
    let mut start = 0;
    for end in memchr::memchr_iter(sep, bytes).chain([bytes.len()]) {
        // The separator is ASCII, so both ends are char boundaries.
        lines.push(trim(&text[start..end]));
        start = end + 1;
    }
    lines
}

/// [`str::trim`], with ASCII whitespace stripped first (the whole work on most lines): the rest
/// is trimmed by `str::trim` only when it still starts or ends with a byte that may be
/// whitespace to it (non-ASCII, or the vertical tab `trim_ascii` keeps).
fn trim(line: &str) -> &str {
    let t = line.trim_ascii();
    let maybe_space = |b: &u8| !b.is_ascii() || *b == 0x0b;
    let b = t.as_bytes();
    if b.first().is_some_and(maybe_space) || b.last().is_some_and(maybe_space) {
        t.trim()
    } else {
        t
    }
}

/// `date 2025-08-20 <rest>` → (date, rest).
fn date_line(line: &str) -> Option<(chrono::NaiveDate, &str)> {
    let rest = line
        .strip_prefix("date ")
        .or_else(|| line.strip_prefix("Date "))?;
    let rest = rest.trim_start_matches([' ', ':']);
    let d = iso_date(rest.get(..10)?)?;
    Some((d, rest[10..].trim()))
}

/// `YYYY-MM-DD` exactly (what `NaiveDate::parse_from_str(s, "%Y-%m-%d")` reads from ten bytes
/// of digits and dashes), without the format interpreter.
fn iso_date(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    chrono::NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)
}

fn split_crumb(s: &str) -> Vec<&str> {
    for sep in [" / ", " > ", " » ", " › "] {
        if s.contains(sep) {
            return s
                .split(sep)
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
        }
    }
    if s.is_empty() { Vec::new() } else { vec![s] }
}

pub(super) fn parse_lines(text: &str) -> Result<ParsedItem, ScrapeError> {
    let lines = split_lines(text);
    if looks_flattened(&lines)
        && let Some(rebuilt) = unflatten(text)
    {
        let lines = split_lines(&rebuilt);
        return parse_split(&lines);
    }
    parse_split(&lines)
}

/// A page flattened onto a few long lines.
fn looks_flattened(lines: &[&str]) -> bool {
    let nonblank = lines.iter().filter(|l| !l.is_empty()).count();
    nonblank <= 3 && lines.iter().any(|l| l.len() > 200)
        || nonblank <= 12 && lines.iter().any(|l| l.len() > 600)
}

fn parse_split(lines: &[&str]) -> Result<ParsedItem, ScrapeError> {
    // Every line is classified once.
    let mut dates: Vec<LineDates> = Vec::new();
    let kinds: Vec<Kind> = lines
        .iter()
        .map(|l| classify_with_dates(l, &mut dates))
        .collect();
    let mut item = ParsedItem::default();
    let start = skip_blank(lines, 0);
    let (crumb, after_head) = read_head(lines, &kinds, start, &mut item);
    let front_start = read_headline(lines, &kinds, after_head, crumb, &mut item)?;
    let body_start = read_front_matter(lines, &kinds, &dates, front_start, &mut item);
    let (body, trailer_start) = read_body(lines, &kinds, &dates, body_start, &mut item);
    read_trailer(lines, &kinds, &dates, trailer_start, &mut item);
    if body.is_empty() {
        return Err(ScrapeError::NoBody);
    }
    if item.agency.is_none() {
        agency_from_body(&body[0], &mut item);
    }
    item.body = body;
    Ok(item)
}

/// The first non-blank line at or after `i`.
fn skip_blank(lines: &[&str], mut i: usize) -> usize {
    while i < lines.len() && lines[i].is_empty() {
        i += 1;
    }
    i
}

/// The head (zone 1): the date line and the breadcrumb at line `i` (a hard-wrapped head line
/// continues on the following ordinary lines). Sets `item_date`; returns the breadcrumb and the
/// line after the head.
fn read_head(
    lines: &[&str],
    kinds: &[Kind],
    i: usize,
    item: &mut ParsedItem,
) -> (Vec<String>, usize) {
    let n = lines.len();
    if i >= n {
        return (Vec::new(), i);
    }
    let (date, rest) = match date_line(lines[i]) {
        Some((d, rest)) => (Some(d), Some(rest)),
        None => (None, None),
    };
    let is_crumb = ["Home /", "Home >", "Home »", "Home ›"]
        .iter()
        .any(|p| lines[i].starts_with(p));
    if date.is_none() && !is_crumb {
        return (Vec::new(), i);
    }
    item.item_date = date;
    let mut end = i + 1;
    while end < n && kinds[end] == Kind::Other {
        end += 1;
    }
    let first = rest.unwrap_or(lines[i]);
    let owned = |parts: Vec<&str>| parts.into_iter().map(str::to_string).collect();
    let crumb = if end > i + 1 {
        let mut parts = vec![first];
        parts.extend_from_slice(&lines[i + 1..end]);
        owned(split_crumb(&join_wrapped(&parts)))
    } else {
        owned(split_crumb(first))
    };
    (crumb, end)
}

/// The headline (zone 2): the first block at or after line `i`, checked against the headline the
/// breadcrumb may carry. Sets `headline`, `breadcrumb` and `section`; returns the line after the
/// headline.
fn read_headline(
    lines: &[&str],
    kinds: &[Kind],
    i: usize,
    mut crumb: Vec<String>,
    item: &mut ParsedItem,
) -> Result<usize, ScrapeError> {
    let n = lines.len();
    let crumb_head: Option<String> = match crumb.len() {
        0 | 1 => None,
        2 if crumb[1].split_whitespace().count() < 5 => None,
        _ => crumb.last().cloned(),
    };
    let mut i = skip_blank(lines, i);
    let block_end = (i..n).find(|&k| lines[k].is_empty()).unwrap_or(n);
    let block = &lines[i..block_end];
    let block_kinds = &kinds[i..block_end];
    let mut headline: Option<String> = None;
    if let Some(ch) = crumb_head.as_deref() {
        for k in 1..=block.len().min(4) {
            let joined = join_wrapped(&block[..k]);
            if eq_loose(&joined, ch) {
                headline = Some(joined);
                i += k;
                break;
            }
        }
        if headline.is_none() && block_kinds.first().is_none_or(|k| *k != Kind::Other) {
            headline = Some(ch.to_string());
        }
    }
    if headline.is_none() && !block.is_empty() {
        let all_short = block.iter().all(|l| char_len(l) <= WRAP_MAX);
        if block.len() <= 3
            && all_short
            && block_kinds.iter().all(|k| *k == Kind::Other)
            && (crumb_head.is_none() || block.len() == 1)
        {
            headline = Some(join_wrapped(block));
            i = block_end;
        } else if block_kinds[0] == Kind::Other {
            headline = Some(block[0].to_string());
            i += 1;
        }
    }
    let headline = match headline {
        Some(h) if !h.is_empty() && h.len() <= 400 => h,
        _ => return Err(ScrapeError::NoHeadline),
    };
    if let Some(ch) = crumb_head.as_deref() {
        // The last element is the headline when it matches it (maybe truncated) or reads like
        // one; a short last element is a section ("Home > News > World").
        let stem = ch.trim_end_matches(['.', '…', ' ']);
        let matches = eq_loose(ch, &headline)
            || (stem.len() >= 10
                && headline.len() >= stem.len()
                && headline.is_char_boundary(stem.len())
                && eq_loose(&headline[..stem.len()], stem));
        if matches || ch.split_whitespace().count() >= 5 {
            crumb.pop();
        }
    }
    item.section = crumb
        .last()
        .filter(|s| !s.eq_ignore_ascii_case("home"))
        .cloned();
    item.breadcrumb = crumb;
    item.headline = headline;
    Ok(i)
}

/// The front matter (zone 3): scans the lines from `front_start` for header lines (see the parent
/// module) and reads them and the ordinary lines before them. Returns the first body line.
fn read_front_matter(
    lines: &[&str],
    kinds: &[Kind],
    dates: &[LineDates],
    front_start: usize,
    item: &mut ParsedItem,
) -> usize {
    let n = lines.len();
    let mut front_kinds: Vec<Kind> = Vec::with_capacity(FRONT_MAX_LINES);
    let mut seen_time = false;
    let mut run_len = 0usize;
    let mut long_runs = 0usize;
    let mut k = front_start;
    while k < n && k - front_start < FRONT_MAX_LINES {
        let mut kind = kinds[k];
        if kind == Kind::Other && lines[k].ends_with(')') && !lines[k].contains('(') {
            // A caption whose credit parenthesis was hard-wrapped: "... (Photo:" / "Credit)".
            let from = k.saturating_sub(3).max(front_start);
            if let Some(b) = (from..k).rev().find(|&b| lines[b].contains('('))
                && lines[b..k].iter().all(|l| !l.is_empty())
                && caption(&join_wrapped(&lines[b..=k])).is_some()
            {
                kind = Kind::Caption;
            }
        }
        if matches!(
            kind,
            Kind::Disclaimer | Kind::Topics | Kind::MoreSection | Kind::EndBoiler
        ) {
            break;
        }
        if kind == Kind::Other {
            if seen_time {
                break;
            }
            run_len += lines[k].len();
        } else if run_len > 0 {
            // Only a blank-terminated run is a paragraph; a run ended by a header line may be
            // a wrapped caption.
            if kind == Kind::Blank && run_len >= LONG_RUN {
                long_runs += 1;
            }
            run_len = 0;
            if long_runs >= 2 {
                break;
            }
        }
        if matches!(kind, Kind::ReadTime | Kind::Dated(_)) {
            seen_time = true;
        }
        front_kinds.push(kind);
        k += 1;
    }
    // Contextual staff bylines: a name line right before the reading-time / date line.
    for j in 0..front_kinds.len() {
        if front_kinds[j] == Kind::Other
            && front_kinds[j + 1..]
                .iter()
                .find(|k| **k != Kind::Blank)
                .is_some_and(|k| matches!(k, Kind::ReadTime | Kind::Dated(_)))
            && looks_like_byline(lines[front_start + j])
        {
            front_kinds[j] = Kind::Byline;
        }
    }
    let last_anchor = front_kinds.iter().rposition(|k| {
        matches!(
            k,
            Kind::ReadTime
                | Kind::Dated(_)
                | Kind::Caption
                | Kind::Agency
                | Kind::Byline
                | Kind::Listen
        )
    });
    match last_anchor {
        Some(a) => {
            read_front(
                &lines[front_start..=front_start + a],
                &front_kinds,
                dates,
                item,
            );
            front_start + a + 1
        }
        None => front_start,
    }
}

/// The body (zone 4): the paragraphs from `body_start` to the first end-of-body marker met once a
/// paragraph was collected. Returns the paragraphs and the first trailer line.
fn read_body(
    lines: &[&str],
    kinds: &[Kind],
    dates: &[LineDates],
    body_start: usize,
    item: &mut ParsedItem,
) -> (Vec<String>, usize) {
    let n = lines.len();
    let mut body: Vec<String> = Vec::new();
    let mut block: Vec<&str> = Vec::new();
    let mut j = body_start;
    let flush = |block: &mut Vec<&str>, body: &mut Vec<String>| {
        if block.is_empty() {
            return;
        }
        if is_wrapped_block(block) {
            body.push(join_wrapped(block));
        } else {
            body.extend(block.iter().map(|l| l.to_string()));
        }
        block.clear();
    };
    let mut trailer_start = n;
    while j < n {
        let line = lines[j];
        match kinds[j] {
            Kind::Blank | Kind::Drop | Kind::Listen => flush(&mut block, &mut body),
            Kind::Dated(_) | Kind::ReadTime => {
                flush(&mut block, &mut body);
                apply_line_dates(line, kinds[j], dates, item);
            }
            Kind::Disclaimer | Kind::Topics | Kind::MoreSection | Kind::EndBoiler => {
                flush(&mut block, &mut body);
                if !body.is_empty() {
                    trailer_start = j;
                    break;
                }
                read_trailer_line(lines, kinds, dates, &mut j, item);
            }
            _ => block.push(line),
        }
        j += 1;
    }
    flush(&mut block, &mut body);
    (body, trailer_start)
}

/// The trailer (zone 5): every line from `trailer_start` on.
fn read_trailer(
    lines: &[&str],
    kinds: &[Kind],
    dates: &[LineDates],
    trailer_start: usize,
    item: &mut ParsedItem,
) {
    let mut j = trailer_start;
    while j < lines.len() {
        read_trailer_line(lines, kinds, dates, &mut j, item);
        j += 1;
    }
}

/// Reads the front-matter lines (headline end ..= last header line).
fn read_front(lines: &[&str], kinds: &[Kind], dates: &[LineDates], item: &mut ParsedItem) {
    let mut run_start: Option<usize> = None;
    let mut anchor_seen = false;
    for (k, (&line, &kind)) in lines.iter().zip(kinds).enumerate() {
        if kind == Kind::Other {
            run_start.get_or_insert(k);
            continue;
        }
        let run = run_start.map_or(&lines[k..k], |s| &lines[s..k]);
        run_start = None;
        match kind {
            Kind::Caption => {
                // Wrapped caption start: short non-tag lines right before the credit line.
                let mut s = run.len();
                if !line.contains('(')
                    && let Some(open) = run.iter().rposition(|l| l.contains('('))
                {
                    // The credit parenthesis opened on an earlier line, however long.
                    s = open;
                }
                let reserved = usize::from(item.summary.is_none() && !anchor_seen);
                while s > reserved
                    && char_len(run[s - 1]) <= WRAP_MAX
                    && !is_tag_line(run[s - 1], false)
                {
                    s -= 1;
                }
                flush_front(&run[..s], false, anchor_seen, item);
                let mut parts: Vec<&str> = run[s..].to_vec();
                parts.push(caption_then_credit(line).map_or(line, |(cap, _)| cap));
                let joined = join_wrapped(&parts);
                if let Some((cap, credit)) = caption(&joined)
                    && item.picture.is_none()
                {
                    item.picture = Some(Picture {
                        caption: cap.to_string(),
                        credit: credit.map(str::to_string),
                    });
                }
            }
            _ => flush_front(run, kind == Kind::Blank, anchor_seen, item),
        }
        match kind {
            Kind::ReadTime => {
                if let Some((mins, _)) = read_time(line) {
                    item.read_time_minutes.get_or_insert(mins);
                }
                apply_dates(line, item);
            }
            Kind::Dated(_) => apply_line_dates(line, kind, dates, item),
            Kind::Agency => apply_agency_line(line, item),
            Kind::Caption => {
                if let Some((_, tail)) = caption_then_credit(line) {
                    apply_agency_line(tail, item);
                }
            }
            Kind::Byline => {
                let s = line
                    .strip_prefix("By ")
                    .or_else(|| line.strip_prefix("BY "))
                    .unwrap_or(line);
                let (names, place) = split_byline(s);
                item.byline.get_or_insert_with(|| names.to_string());
                if let Some(p) = place {
                    item.dateline.get_or_insert_with(|| p.to_string());
                }
            }
            Kind::Disclaimer => note_disclaimer(line, item),
            _ => {}
        }
        if !matches!(kind, Kind::Blank | Kind::Drop | Kind::Listen) {
            anchor_seen = true;
        }
    }
    if let Some(s) = run_start {
        flush_front(&lines[s..], false, anchor_seen, item);
    }
}

/// Assigns a run of ordinary front lines: dek first, then a tag line; the rest is dropped.
fn flush_front(run: &[&str], by_blank: bool, anchor_seen: bool, item: &mut ParsedItem) {
    let mut rest = run;
    if rest.is_empty() {
        return;
    }
    if item.summary.is_none() && !anchor_seen {
        // A blank-delimited block of several wrapped lines is a dek, even when its first line
        // reads like a tag line.
        let wrapped_dek = by_blank && rest.len() > 1 && is_wrapped_block(rest);
        if is_tag_line(rest[0], true) && item.keywords.is_empty() && !wrapped_dek {
            item.keywords = split_keywords(rest[0]);
            rest = &rest[1..];
        } else {
            // The dek: the whole blank-delimited block, else up to the first tag-like line.
            let m = if by_blank {
                rest.len()
            } else {
                (1..rest.len())
                    .find(|&m| is_tag_line(rest[m], false))
                    .unwrap_or(rest.len())
            };
            item.summary = Some(join_wrapped(&rest[..m]));
            rest = &rest[m..];
        }
    }
    for line in rest {
        if item.keywords.is_empty() && is_tag_line(line, false) {
            item.keywords = split_keywords(line);
        }
    }
}

/// Applies the dates of a date line (read when it was classified, entry `n` of `dates`) or a
/// reading-time line.
fn apply_line_dates(line: &str, kind: Kind, dates: &[LineDates], item: &mut ParsedItem) {
    let kept = match kind {
        Kind::Dated(n) => dates.get(usize::from(n)),
        _ => None,
    };
    match kept {
        Some(found) => found.apply(item),
        None => apply_dates(line, item),
    }
}

fn note_disclaimer(line: &str, item: &mut ParsedItem) {
    item.syndicated = true;
    if item.publisher.is_none() {
        item.publisher = disclaimer_publisher(line);
    }
}

/// Reads one trailer line (`j` may advance past continuation lines).
fn read_trailer_line(
    lines: &[&str],
    kinds: &[Kind],
    dates: &[LineDates],
    j: &mut usize,
    item: &mut ParsedItem,
) {
    let line = lines[*j];
    match kinds[*j] {
        Kind::Disclaimer => {
            // A hard-wrapped disclaimer runs on until its parenthesis closes.
            let mut k = *j;
            if line.starts_with('(') && !line.contains(')') {
                while k + 1 < lines.len() && k < *j + 6 && !lines[k + 1].is_empty() {
                    k += 1;
                    if lines[k].contains(')') {
                        break;
                    }
                }
            }
            if k > *j {
                note_disclaimer(&join_wrapped(&lines[*j..=k]), item);
                *j = k;
            } else {
                note_disclaimer(line, item);
            }
        }
        Kind::Dated(_) | Kind::ReadTime => apply_line_dates(line, kinds[*j], dates, item),
        Kind::Topics => {
            let rest = line.split_once(':').map_or("", |(_, r)| r).trim();
            let mut topics = if rest.is_empty() {
                Vec::new()
            } else {
                split_topics(rest)
            };
            if rest.is_empty() {
                // Topics on the following short lines (blank lines between them allowed).
                let mut k = *j + 1;
                let mut last = *j;
                while k < lines.len() {
                    let l = lines[k];
                    if l.is_empty() {
                        k += 1;
                        continue;
                    }
                    let short = l.len() <= 80
                        && l.split_whitespace().count() <= 8
                        && !l.ends_with(['.', '?', '!']);
                    if !short || kinds[k] != Kind::Other {
                        break;
                    }
                    for t in split_topics(l) {
                        push_unique(&mut topics, t);
                    }
                    last = k;
                    k += 1;
                }
                *j = last;
            }
            if item.topics.is_empty() {
                item.topics = topics;
            }
        }
        Kind::MoreSection => {
            let mut k = *j + 1;
            while k < lines.len() && matches!(kinds[k], Kind::Other | Kind::Blank) {
                k += 1;
            }
            *j = k - 1;
        }
        Kind::Drop | Kind::EndBoiler if item.publisher.is_none() => {
            item.publisher = outlet_in(line).map(str::to_string);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line split as first written: `str::split` and `str::trim`.
    fn split_lines_plain(text: &str) -> Vec<&str> {
        let sep = if text.contains('\n') { '\n' } else { '\r' };
        text.split(sep).map(str::trim).collect()
    }

    #[test]
    fn split_lines_table() {
        for text in [
            "",
            "\n",
            "a\r\nb\r\n",
            "a\rb\r",
            " \u{a0}x\u{2003} \n\u{b}y\u{b}\n\u{85}",
            "  lone line  ",
        ] {
            assert_eq!(split_lines(text), split_lines_plain(text), "{text:?}");
        }
    }

    #[test]
    fn iso_date_table() {
        let d = chrono::NaiveDate::from_ymd_opt;
        assert_eq!(iso_date("2025-08-20"), d(2025, 8, 20));
        for s in [
            "2025-02-30",
            "2025-8-20x",
            "2025/08/20",
            "20250820xx",
            "2025-08-2",
            " -00-1-  1",
            "+025-08-20",
        ] {
            assert_eq!(iso_date(s), None, "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn split_lines_agrees(text in "[a \t\r\n\u{b}\u{c}\u{a0}\u{85}\u{2003}é]{0,40}") {
            proptest::prop_assert_eq!(split_lines(&text), split_lines_plain(&text));
        }

        #[test]
        fn iso_date_agrees(s in "[0-9 +-]{10}|[0-9]{4}-[0-9]{2}-[0-9]{2}") {
            // chrono's `%Y-%m-%d` also takes signs, spaces and short fields (" -00-1-  1" is
            // 0000-01-01 to it); `iso_date` takes only `YYYY-MM-DD` in digits, and there it
            // agrees with chrono.
            let strict = s.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() }
            });
            let chrono = chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok();
            let expected = if strict { chrono } else { None };
            proptest::prop_assert_eq!(iso_date(&s), expected, "{:?}", s);
        }
    }
}
