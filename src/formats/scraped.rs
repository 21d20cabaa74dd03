//! Parser for scraped agency stories: an agency story (AP, PTI, Reuters ...) republished by an
//! outlet (mostly Indian: Business Standard, NDTV, The Hindu, Mint, Moneycontrol) and scraped
//! from the page to plain text.
//!
//! # The layout
//!
//! ```text
//! date 2025-08-20 Home / World News / <headline>        item date + breadcrumb (+ headline)
//!
//! <headline>
//!
//! <dek / summary>
//!
//! Russia Ukraine conflict, Russia Ukraine               tag line (keywords)
//! <photo caption> (Photo: Shutterstock)                 caption + credit
//! AP Kyiv                                               agency + dateline, or staff byline + city
//! 2 min read Last Updated : Aug 20 2025 | 3:57 PM IST   reading time + last update
//! <body paragraph>
//!
//! <body paragraph> ...
//!
//! (Only the headline and picture of this report may have been reworked by the Business
//! Standard staff; the rest of the content is auto-generated from a syndicated feed.)
//!
//! Connect with us on WhatsApp
//!
//! Topics :NATOVladimir PutinDonald TrumpZelenskyyRussia Ukraine Conflict
//!
//! First Published: Aug 20 2025 | 3:57 PM IST
//! ```
//!
//! Every part but the headline and the body may be missing, and other outlets word the
//! boilerplate their own way.
//!
//! # Recognition strategy
//!
//! The text is split into trimmed lines (`\n`, `\r\n` or lone `\r`); no line is copied. Each
//! line is classified on its own by cheap prefix/suffix checks (one anchored Aho-Corasick search
//! per line for the boilerplate prefixes), once per line; the parse then walks the lines in
//! five zones:
//!
//! 1. **Head.** An optional first line `date YYYY-MM-DD` sets `item_date`; the rest of that line
//!    (or a first line starting `Home /`) is a breadcrumb split on ` / ` (also ` > `, ` » `,
//!    ` › `). When the trail has three or more elements, or its last element has five or more
//!    words, the last element is taken as the headline as printed in the breadcrumb and removed
//!    from the trail; `section` is the last remaining element unless it is `Home`.
//! 2. **Headline.** The first non-blank block after the head. When the breadcrumb carries a
//!    headline, the first one to four lines of the block that equal it (ignoring ASCII case and
//!    whitespace) are the headline; if they differ, the page's own headline line wins (the
//!    breadcrumb one may be truncated); if the block starts with a header line (caption, agency,
//!    reading time ...) the breadcrumb headline is used. Without a breadcrumb, a block of at most
//!    three lines of at most 100 characters each is a hard-wrapped headline and is joined; any
//!    other block gives its first line. A headline longer than 400 bytes is refused.
//! 3. **Front matter.** The lines after the headline are scanned for *header lines*: reading
//!    time (`2 min read ...`), labelled dates (`Last Updated :`, `Updated:`, `Published On:`,
//!    `First Published:` ... only when a date really parses), a photo caption (a line ending in
//!    a parenthesis that starts with `Photo`, `Image`, `Pic`, `File photo`, `Representative`,
//!    `Picture`, `Illustration`, `Graphic`, `Screengrab` or `Credit`, plural allowed; a
//!    parenthesis hard-wrapped over up to four lines is recognised on the joined lines), an
//!    agency line (see below), a `By ...` byline, `Listen to This Article`, and a staff byline
//!    (a short line of capitalised words such as `Sudheer Pal Singh New Delhi` followed, blank
//!    lines aside, by a reading-time or date line). The scan stops at the first ordinary line after
//!    a reading-time/date line, after two blank-terminated ordinary runs of 120+ bytes (real
//!    paragraphs), at an end-of-body marker, or after 40 lines. The body begins after the last
//!    header line found. Before it:
//!    * the first ordinary block before any header line is the **dek** (`summary`; wrapped lines
//!      joined) unless it is a comma-separated tag line;
//!    * a **tag line** is a line of at most 200 bytes, not ending in `.`, `!`, `?` or `:`, whose
//!      comma- (or `|`/`;`-) separated items each have at most six words / 50 bytes and start
//!      with an upper-case letter or digit; its items are the `keywords`;
//!    * ordinary lines of at most 100 characters right before a caption line are the wrapped
//!      start of that caption; the credit is the text after the first `:` (or `/`, or `by`)
//!      inside the parenthesis (`(Photo: Shutterstock)` → `Shutterstock`), none for
//!      `(Representative image)`;
//!    * other unrecognised front lines are dropped.
//!
//!    When no header line is found at all, there is no dek and the body starts right after the
//!    headline.
//! 4. **Body** runs from there to the first end-of-body marker met once at least one paragraph
//!    was collected: the syndication disclaimer, a `Topics`/`Tags` line, `More From This
//!    Section`, or `Catch all the ...` (Mint). Blank lines separate paragraphs. Within a block,
//!    when every line but the last has at most 100 characters the block is hard-wrapped text and
//!    its lines are joined with a space (a line ending in a letter followed by `-` is joined
//!    without one); otherwise each line is a paragraph of its own. Boilerplate lines are removed
//!    wherever they stand and split paragraphs: `Listen to This Article`, `Connect with us on
//!    WhatsApp/Telegram`, `... Get them on our Telegram channel`, `Also Read ...`, `Follow us
//!    on ...`, `Subscribe to ...`, `Download the ...`, `Advertisement`, `Story continues below
//!    ...`; labelled date lines inside the body are read and removed. Ordinary text that merely
//!    mentions Telegram or WhatsApp is kept.
//! 5. **Trailer** (after the body): the disclaimer, `Topics`, dates and boilerplate are read;
//!    `More From This Section` and every line after it up to the next recognised line are
//!    skipped; other lines are ignored.
//!
//! # Field rules
//!
//! * **Agencies**: PTI (Press Trust of India), ANI (Asian News International), IANS (Indo-Asian
//!   News Service), UNI (United News of India), Reuters, AFP (Agence France-Presse), AP
//!   (Associated Press), Bloomberg. An agency line is, after an optional `By ` and optional
//!   enclosing parentheses, a code or full name (case-sensitive, e.g. `AP`, `Reuters`,
//!   `REUTERS`, `Press Trust of India`) optionally followed by a separator (`,` `|` `-` `:`) and
//!   a place of at most four capitalised words: `AP Kyiv`, `Press Trust of India New Delhi`,
//!   `Reuters London`, `By PTI`, `PTI`, `(Reuters)`, `IANS | Mumbai`. The place is the
//!   `dateline`; `byline` is the agency as printed (`AP`). Without such a line, a credit like
//!   `New Delhi, Aug 20 (PTI)` or `KYIV, Ukraine (AP) —` at the start of the first body
//!   paragraph gives the agency and the dateline (all-capitals places are title-cased); the body
//!   text is left as it is.
//! * **Staff bylines**: `Sudheer Pal Singh New Delhi` → byline `Sudheer Pal Singh`, dateline
//!   `New Delhi`, using an explicit separator (`|`, `,`, ` - `) when present, else a list of
//!   known cities matched at the end of the line; with no known city the whole line is the
//!   byline.
//! * **Publisher and syndication**: a disclaimer is a line starting with `(Only the headline`
//!   or `(Except for the headline`, or a line starting with `(This story`, `(This article`,
//!   `(This report`, `(Disclaimer`, `Disclaimer`, `This story` or `This article` that mentions a
//!   syndicated/agency/wire/news feed or auto-generation; a disclaimer hard-wrapped over several
//!   lines is joined until its parenthesis closes. It sets `syndicated = true`. The publisher is the name between the last ` by ` and
//!   ` staff` (`reworked by the Business Standard staff` → `Business Standard`, `edited by NDTV
//!   staff` → `NDTV`), canonicalised against a list of known outlets (`the hindu` → `The
//!   Hindu`); failing that, a known outlet named in the disclaimer or in a boilerplate line
//!   (`Live Mint`, `Business Standard`).
//! * **Dates**: `version_created` from `Updated`-style labels, `first_created` from
//!   `Published`/`Posted`/`Created`-style labels (the first value found for each wins); an
//!   unlabelled date after `N min read` counts as `first_created`. Neither is copied into the
//!   other when missing. See [`parse_datetime`] for formats and zones; **a timestamp without a
//!   zone is read as UTC**.
//! * **Topics**: from the text after `Topics :` / `Tags:` (or, when that is empty, from the
//!   following short lines — at most 80 bytes and eight words, not ending a sentence, blank
//!   lines between them allowed — up to the first other line). Separators, in order of preference: `|`, then `,` or `;`, then runs of two or more
//!   spaces or tabs. Without any separator the run-together form is split by case transitions
//!   (see [`split_topics`]). Topics are trimmed and de-duplicated in order.
//! * **Flattened text**: when the page was flattened onto a few long lines (at most 12
//!   non-blank lines with one longer than 600 bytes, or at most 3 with one longer than 200,
//!   and at least two of the markers below inside lines), newlines are first
//!   re-inserted around the known markers (`N min read`, the labelled dates, the photo credit
//!   parenthesis, the disclaimer, `Connect with us on ...`, `Topics :`, `First Published`,
//!   `Listen to This Article`, `More From This Section`), and a breadcrumb line whose last
//!   element runs on into a repetition of itself is cut after the repeated headline. The body of
//!   a flattened page cannot be split back into its paragraphs and comes out as one paragraph;
//!   the dek, tag line and caption run together in front of the credit are separated only when
//!   the caption (and the dek) occur verbatim in the body, otherwise that whole text is the
//!   caption.
//! * `language`, `source_uri` and `source_version` are always `None` here.
//!
//! # Rejections
//!
//! Empty or whitespace-only input ([`ScrapeError::Empty`]); text that starts like HTML/XML
//! (`<`), JSON (`{`, `[`) or an e-mail header block, holds HTML tags (`<html`, `<body`, five
//! closing tags in the first 4 KiB) or control characters / NUL (binary data)
//! ([`ScrapeError::NotText`]); no usable headline
//! ([`ScrapeError::NoHeadline`]); no body paragraph ([`ScrapeError::NoBody`], e.g. a single
//! line). The parser never panics and does no I/O.

mod dates;
pub mod html;
mod shapes;

pub use dates::parse_datetime;

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};
use memchr::memmem;

use super::AGENCIES;
use crate::model::{Agency, ParsedItem, Picture};

/// Why a text could not be read as a scraped story.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ScrapeError {
    /// The text is empty or only whitespace.
    #[error("empty item: no text at all")]
    Empty,
    /// The text is not a plain-text article (markup, JSON, binary ...); the reason says which.
    #[error("not a plain-text article: {0}")]
    NotText(&'static str),
    /// No line could be taken as the headline.
    #[error("no headline found")]
    NoHeadline,
    /// A headline was found but no body paragraph after it.
    #[error("no body paragraphs found after the headline")]
    NoBody,
    /// An HTML page without an article in it (a 404 page, an index, a login page ...).
    #[error("an HTML page without an article")]
    NotArticle,
}

/// Lines with more than this many characters are not hard-wrapped text.
const WRAP_MAX: usize = 100;
/// Front-matter scan limit, in lines after the headline.
const FRONT_MAX_LINES: usize = 40;
/// An ordinary run at least this long (bytes) counts as a real paragraph while scanning.
const LONG_RUN: usize = 120;

/// Parses one scraped story. See the module documentation for the rules.
pub fn parse(text: &str) -> Result<ParsedItem, ScrapeError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ScrapeError::Empty);
    }
    let unwrapped = shapes::unwrap_bytes_literal(text);
    let text = unwrapped.as_deref().unwrap_or(text);
    if html::looks_like_html(text) {
        return html::parse(text).map_err(|e| match e {
            ScrapeError::NoHeadline | ScrapeError::NoBody => ScrapeError::NotArticle,
            other => other,
        });
    }
    check_plain_text(text)?;
    parse_lines(&shapes::normalise(text))
}

/// Text that opens with a markdown link (`[Home](/) / ...`): a page converted to markdown,
/// not a JSON array.
pub fn starts_with_markdown_link(text: &str) -> bool {
    let Some(rest) = text.trim_start().strip_prefix('[') else {
        return false;
    };
    let head = &rest[..floor_boundary(rest, 200)];
    head.find(']').is_some_and(|close| {
        !head[..close].contains(['\n', '"']) && head[close..].starts_with("](")
    })
}

/// Rejects markup, JSON and binary data.
fn check_plain_text(text: &str) -> Result<(), ScrapeError> {
    let t = text.trim_start();
    let b = t.as_bytes();
    match b.first() {
        Some(b'[') if starts_with_markdown_link(t) => {}
        Some(b'{') | Some(b'[') => return Err(ScrapeError::NotText("looks like JSON")),
        Some(b'<') => return Err(ScrapeError::NotText("looks like HTML/XML markup")),
        _ => {}
    }
    let head = &b[..b.len().min(4096)];
    let controls = head
        .iter()
        .filter(|&&c| c < 0x20 && c != b'\n' && c != b'\r' && c != b'\t' && c != 0x0c)
        .count();
    if head.contains(&0) || controls * 100 > head.len() {
        return Err(ScrapeError::NotText("looks like binary data"));
    }
    // An e-mail message: a header block first.
    const MAIL_HEADERS: &[&[u8]] = &[
        b"delivered-to:",
        b"received:",
        b"return-path:",
        b"mime-version:",
        b"message-id:",
    ];
    if MAIL_HEADERS
        .iter()
        .any(|h| b.len() >= h.len() && b[..h.len()].eq_ignore_ascii_case(h))
    {
        return Err(ScrapeError::NotText("looks like an e-mail message"));
    }
    let mut closing_tags = 0;
    for at in memchr::memchr_iter(b'<', head) {
        let tag = &head[at + 1..head.len().min(at + 5)];
        if tag.first() == Some(&b'/') {
            closing_tags += 1;
        }
        if closing_tags >= 5
            || tag.eq_ignore_ascii_case(b"html")
            || tag.eq_ignore_ascii_case(b"body")
        {
            return Err(ScrapeError::NotText("contains HTML markup"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Line classification
// ---------------------------------------------------------------------------------------------

/// What a single line is, judged on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
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

fn label_automaton() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(DATE_LABELS.iter().map(|(p, _)| p))
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
fn classify(line: &str) -> Kind {
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
                if agency_line(line).is_some() {
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
    if line.len() <= 80 && agency_line(line).is_some() {
        return Kind::Agency;
    }
    if caption_then_credit(line).is_some() {
        return Kind::Caption;
    }
    if line.len() <= 160 && agency_then_date(line).is_some() {
        return Kind::Agency;
    }
    Kind::Other
}

/// `N min read <rest>` → (N, rest).
fn read_time(line: &str) -> Option<(u32, &str)> {
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

/// Every labelled date in a line: (is_update, value). An unlabelled leading date counts as a
/// publication date.
fn scan_dates(line: &str, mut f: impl FnMut(bool, chrono::DateTime<chrono::Utc>)) -> usize {
    let mut found = 0;
    let matches: Vec<_> = label_automaton().find_iter(line).collect();
    let first_start = matches.first().map_or(line.len(), |m| m.start());
    let lead = clean_date_value(&line[..first_start]);
    if let Some(d) = (!lead.is_empty()).then(|| parse_datetime(lead)).flatten() {
        f(false, d);
        found += 1;
    }
    for (k, m) in matches.iter().enumerate() {
        // Labels must start at a word boundary.
        if m.start() > 0 && line.as_bytes()[m.start() - 1].is_ascii_alphanumeric() {
            continue;
        }
        let end = matches.get(k + 1).map_or(line.len(), |n| n.start());
        let value = clean_date_value(&line[m.end()..end]);
        if let Some(d) = parse_datetime(value) {
            f(DATE_LABELS[m.pattern().as_usize()].1, d);
            found += 1;
        }
    }
    found
}

fn clean_date_value(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '|' | ',' | '-' | '–' | '—'))
}

fn has_any_date(line: &str) -> bool {
    line.bytes().any(|b| b.is_ascii_digit()) && scan_dates(line, |_, _| {}) > 0
}

/// Applies the dates of a reading-time or date line to the item (first value wins).
fn apply_dates(line: &str, item: &mut ParsedItem) {
    scan_dates(line, |is_update, d| {
        let slot = if is_update {
            &mut item.version_created
        } else {
            &mut item.first_created
        };
        if slot.is_none() {
            *slot = Some(d);
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Captions, agencies, bylines, tag lines, disclaimers
// ---------------------------------------------------------------------------------------------

/// `caption text (Photo: Credit)` → (caption, credit).
fn caption(line: &str) -> Option<(&str, Option<&str>)> {
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
fn caption_then_credit(line: &str) -> Option<(&str, &str)> {
    let close = line.rfind(')')?;
    let (cap, tail) = (&line[..=close], line[close + 1..].trim());
    (!tail.is_empty() && tail.len() <= 80 && agency_line(tail).is_some() && caption(cap).is_some())
        .then_some((cap, tail))
}

/// `Reuters | Updated: Aug 20 2025 ...`: an agency credit and a labelled date on one line →
/// (agency, as printed, the date part).
fn agency_then_date(line: &str) -> Option<(Agency, &'static str, &str)> {
    let s = line.strip_prefix("By ").unwrap_or(line);
    let (entry, rest) = agency_prefix(s)?;
    let rest = rest.trim_start();
    let rest = rest
        .strip_prefix(['|', '-', '–', '—', ',', '/'])?
        .trim_start();
    has_any_date(rest).then(|| {
        (
            Agency {
                code: entry.1.to_string(),
                name: entry.2.to_string(),
            },
            entry.0,
            rest,
        )
    })
}

/// Applies an agency line (`AP Kyiv`, `Reuters | Updated: ...`) to the item.
fn apply_agency_line(line: &str, item: &mut ParsedItem) {
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

/// Looks up an agency printed at the start of `s`; returns the entry and the rest.
fn agency_prefix(s: &str) -> Option<(&'static (&'static str, &'static str, &'static str), &str)> {
    AGENCIES.iter().find_map(|entry| {
        let rest = s.strip_prefix(entry.0)?;
        rest.chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
            .then_some((entry, rest))
    })
}

/// An agency line: `AP Kyiv`, `By PTI`, `(Reuters)`, `Press Trust of India New Delhi`.
/// Returns (agency, as printed, dateline).
fn agency_line(line: &str) -> Option<(Agency, &str, Option<&str>)> {
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
    let agency = Agency {
        code: entry.1.to_string(),
        name: entry.2.to_string(),
    };
    if rest.is_empty() {
        return Some((agency, entry.0, None));
    }
    is_place(rest).then_some((agency, entry.0, Some(rest)))
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
fn looks_like_byline(s: &str) -> bool {
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
fn split_byline(s: &str) -> (&str, Option<&str>) {
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
fn is_tag_line(line: &str, need_sep: bool) -> bool {
    if line.is_empty() || line.len() > 200 || line.ends_with(['.', '!', '?', ':', ')']) {
        return false;
    }
    let mut items = 0;
    for item in line.split([',', '|', ';']) {
        let item = item.trim();
        if item.is_empty() || item.len() > 50 || item.split_whitespace().count() > 6 {
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

fn split_keywords(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in line.split([',', '|', ';']) {
        let k = k.trim();
        if !k.is_empty() && !out.iter().any(|o| o == k) {
            out.push(k.to_string());
        }
    }
    out
}

fn is_disclaimer(line: &str) -> bool {
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
fn outlet_in(text: &str) -> Option<&'static str> {
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
fn disclaimer_publisher(line: &str) -> Option<String> {
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

// ---------------------------------------------------------------------------------------------
// Topics
// ---------------------------------------------------------------------------------------------

/// Brand and place names written in camel case that are never split inside.
const CAMEL_NAMES: &[&str] = &[
    "JPMorgan",
    "YouTube",
    "WhatsApp",
    "LinkedIn",
    "PayPal",
    "OpenAI",
    "ChatGPT",
    "FedEx",
    "BlackRock",
    "BlackBerry",
    "SpiceJet",
    "IndiGo",
    "PhonePe",
    "BharatPe",
    "MakeMyTrip",
    "PolicyBazaar",
    "InterGlobe",
    "JetBlue",
    "GlaxoSmithKline",
    "ArcelorMittal",
    "SoftBank",
    "PlayStation",
    "MasterCard",
    "DoorDash",
    "AstraZeneca",
    "BioNTech",
    "TikTok",
    "WeChat",
    "AirAsia",
    "PepsiCo",
    "GoAir",
    "SpaceX",
    "FirstCry",
    "NaMo",
    "AstraZeneca",
    "HarperCollins",
    "McKinsey",
];

/// Splits a topics text into topics.
///
/// Separators, in order of preference: `|`; then `,` or `;`; then runs of two or more spaces or
/// a tab. Only when none is present is the text treated as run-together topics
/// (`NATOVladimir PutinDonald Trump`) and split by case transitions:
///
/// * a capital letter preceded by a lower-case letter starts a new topic when the part of the
///   current word before it has at least three characters and is not `Mac` (`PutinDonald`
///   splits; `McDonald`, `DeSantis`, `iPhone`, `MacBook` do not);
/// * a capital letter preceded by a digit starts a new topic when the part of the current word
///   before it has at least two characters (`Budget 2025Nirmala`, `iPhone 16Samsung`,
///   `G20Summit` split; `3M` does not);
/// * a capital letter preceded by a run of two or more capitals that begins its word and
///   followed by a lower-case letter starts a new topic (`NATOVladimir` → `NATO`, `Vladimir`);
/// * never inside a known camel-case name (`YouTube`, `JPMorgan`, `WhatsApp`, `IndiGo` ...).
///
/// Topics are trimmed; empty ones and repeats are dropped.
pub fn split_topics(text: &str) -> Vec<String> {
    let text = text.trim();
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: &str| {
        let t = t
            .trim()
            .trim_matches(|c: char| c == '#' || c == '•' || c == '·');
        let t = t.trim();
        if !t.is_empty() && !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    };
    if text.contains('|') {
        text.split('|').for_each(&mut push);
    } else if text.contains([',', ';']) {
        text.split([',', ';']).for_each(&mut push);
    } else if text.contains('\t') || text.contains("  ") {
        text.split("  ")
            .flat_map(|p| p.split('\t'))
            .for_each(&mut push);
    } else {
        split_run_together(text, &mut push);
    }
    out
}

fn split_run_together(text: &str, push: &mut impl FnMut(&str)) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut seg_start = 0usize; // byte offset
    let mut word_start = 0usize; // index into chars
    let mut protected_until = 0usize; // index into chars
    for i in 0..chars.len() {
        let (byte, c) = chars[i];
        if c.is_whitespace() {
            word_start = i + 1;
            continue;
        }
        if i == word_start {
            // Protect a known camel-case name starting here.
            let rest = &text[byte..];
            for name in CAMEL_NAMES {
                if rest.starts_with(name)
                    && !rest[name.len()..]
                        .chars()
                        .next()
                        .is_some_and(|n| n.is_lowercase())
                {
                    protected_until = i + name.chars().count();
                    break;
                }
            }
        }
        if i == 0 || i < protected_until || !c.is_uppercase() {
            continue;
        }
        let prev = chars[i - 1].1;
        let left = i - word_start;
        let split = if prev.is_ascii_digit() {
            left >= 2
        } else if prev.is_lowercase() {
            let left_text = &text[chars[word_start].0..byte];
            left >= 3 && left_text != "Mac"
        } else if prev.is_uppercase() {
            let next_lower = chars.get(i + 1).is_some_and(|(_, n)| n.is_lowercase());
            let caps_word = chars[word_start..i].iter().all(|(_, c)| c.is_uppercase());
            next_lower && left >= 2 && caps_word
        } else {
            false
        };
        if split {
            push(&text[seg_start..byte]);
            seg_start = byte;
            word_start = i;
            // A protected name may start right at the split point.
            let rest = &text[byte..];
            for name in CAMEL_NAMES {
                if rest.starts_with(name)
                    && !rest[name.len()..]
                        .chars()
                        .next()
                        .is_some_and(|n| n.is_lowercase())
                {
                    protected_until = i + name.chars().count();
                    break;
                }
            }
        }
    }
    push(&text[seg_start..]);
}

// ---------------------------------------------------------------------------------------------
// Small string helpers
// ---------------------------------------------------------------------------------------------

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn rfind_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    find_ci(hay, needle).is_some()
}

/// Equality ignoring ASCII case and runs of whitespace.
fn eq_loose(a: &str, b: &str) -> bool {
    let mut x = a.split_whitespace();
    let mut y = b.split_whitespace();
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p.eq_ignore_ascii_case(q) => {}
            _ => return false,
        }
    }
}

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

fn title_case_if_caps(s: &str) -> String {
    if s.chars().any(char::is_lowercase) || s.len() <= 3 {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
        start = c.is_whitespace() || c == '-';
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The parse
// ---------------------------------------------------------------------------------------------

fn split_lines(text: &str) -> Vec<&str> {
    let sep = if text.contains('\n') { '\n' } else { '\r' };
    text.split(sep).map(str::trim).collect()
}

/// `date 2025-08-20 <rest>` → (date, rest).
fn date_line(line: &str) -> Option<(chrono::NaiveDate, &str)> {
    let rest = line
        .strip_prefix("date ")
        .or_else(|| line.strip_prefix("Date "))?;
    let rest = rest.trim_start_matches([' ', ':']);
    let d = chrono::NaiveDate::parse_from_str(rest.get(..10)?, "%Y-%m-%d").ok()?;
    Some((d, rest[10..].trim()))
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

fn parse_lines(text: &str) -> Result<ParsedItem, ScrapeError> {
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
    let n = lines.len();
    // Every line is classified once.
    let kinds: Vec<Kind> = lines.iter().map(|l| classify(l)).collect();
    let mut item = ParsedItem::default();
    let mut i = 0;
    while i < n && lines[i].is_empty() {
        i += 1;
    }

    // 1. Head: date line and breadcrumb.
    let mut crumb: Vec<&str> = Vec::new();
    // A hard-wrapped head line continues on the following non-blank lines.
    let mut head_joined = String::new();
    if i < n {
        let (date, rest) = match date_line(lines[i]) {
            Some((d, rest)) => (Some(d), Some(rest)),
            None => (None, None),
        };
        let is_crumb = ["Home /", "Home >", "Home »", "Home ›"]
            .iter()
            .any(|p| lines[i].starts_with(p));
        if date.is_some() || is_crumb {
            item.item_date = date;
            let mut end = i + 1;
            while end < n && kinds[end] == Kind::Other {
                end += 1;
            }
            let first = rest.unwrap_or(lines[i]);
            if end > i + 1 {
                let mut parts = vec![first];
                parts.extend_from_slice(&lines[i + 1..end]);
                head_joined = join_wrapped(&parts);
            } else {
                crumb = split_crumb(first);
            }
            i = end;
        }
    }
    if !head_joined.is_empty() {
        crumb = split_crumb(&head_joined);
    }
    let crumb_head: Option<&str> = match crumb.len() {
        0 | 1 => None,
        2 if crumb[1].split_whitespace().count() < 5 => None,
        _ => crumb.last().copied(),
    };

    // 2. Headline.
    while i < n && lines[i].is_empty() {
        i += 1;
    }
    let block_end = (i..n).find(|&k| lines[k].is_empty()).unwrap_or(n);
    let block = &lines[i..block_end];
    let block_kinds = &kinds[i..block_end];
    let mut headline: Option<String> = None;
    if let Some(ch) = crumb_head {
        for k in 1..=block.len().min(4) {
            if eq_loose(&join_wrapped(&block[..k]), ch) {
                headline = Some(join_wrapped(&block[..k]));
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
    if let Some(ch) = crumb_head {
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
        .map(|s| s.to_string());
    item.breadcrumb = crumb.iter().map(|s| s.to_string()).collect();
    item.headline = headline;

    // 3. Front matter.
    let front_start = i;
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
        if matches!(kind, Kind::ReadTime | Kind::Dated) {
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
                .is_some_and(|k| matches!(k, Kind::ReadTime | Kind::Dated))
            && looks_like_byline(lines[front_start + j])
        {
            front_kinds[j] = Kind::Byline;
        }
    }
    let last_anchor = front_kinds.iter().rposition(|k| {
        matches!(
            k,
            Kind::ReadTime
                | Kind::Dated
                | Kind::Caption
                | Kind::Agency
                | Kind::Byline
                | Kind::Listen
        )
    });
    let body_start = match last_anchor {
        Some(a) => {
            read_front(
                &lines[front_start..=front_start + a],
                &front_kinds,
                &mut item,
            );
            front_start + a + 1
        }
        None => front_start,
    };

    // 4. Body.
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
            Kind::Dated | Kind::ReadTime => {
                flush(&mut block, &mut body);
                apply_dates(line, &mut item);
            }
            Kind::Disclaimer | Kind::Topics | Kind::MoreSection | Kind::EndBoiler => {
                flush(&mut block, &mut body);
                if !body.is_empty() {
                    trailer_start = j;
                    break;
                }
                read_trailer_line(lines, &kinds, &mut j, &mut item);
            }
            _ => block.push(line),
        }
        j += 1;
    }
    flush(&mut block, &mut body);

    // 5. Trailer.
    let mut j = trailer_start;
    while j < n {
        read_trailer_line(lines, &kinds, &mut j, &mut item);
        j += 1;
    }

    if body.is_empty() {
        return Err(ScrapeError::NoBody);
    }
    if item.agency.is_none() {
        agency_from_body(&body[0], &mut item);
    }
    item.body = body;
    Ok(item)
}

/// Reads the front-matter lines (headline end ..= last header line).
fn read_front(lines: &[&str], kinds: &[Kind], item: &mut ParsedItem) {
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
            Kind::Dated => apply_dates(line, item),
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

fn note_disclaimer(line: &str, item: &mut ParsedItem) {
    item.syndicated = true;
    if item.publisher.is_none() {
        item.publisher = disclaimer_publisher(line);
    }
}

/// Reads one trailer line (`j` may advance past continuation lines).
fn read_trailer_line(lines: &[&str], kinds: &[Kind], j: &mut usize, item: &mut ParsedItem) {
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
        Kind::Dated | Kind::ReadTime => apply_dates(line, item),
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
                        if !topics.contains(&t) {
                            topics.push(t);
                        }
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

/// `New Delhi, Aug 20 (PTI) ...` / `KYIV, Ukraine (AP) — ...` at the start of the body.
fn agency_from_body(first: &str, item: &mut ParsedItem) {
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
        item.dateline = Some(title_case_if_caps(place));
    }
}

fn floor_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

// ---------------------------------------------------------------------------------------------
// Flattened text
// ---------------------------------------------------------------------------------------------

/// Markers that start a new line in flattened text.
const FLAT_MARKERS: &[&str] = &[
    " min read",
    " mins read",
    "Last Updated",
    "Updated:",
    "Updated On",
    "Published On",
    "First Published",
    "(Only the headline",
    "(Except for the headline",
    "(This story has",
    "Connect with us on",
    "Topics :",
    "Topics:",
    "Listen to This Article",
    "More From This Section",
    "(Photo",
    "(Image",
    "(File Photo",
];

fn flat_automaton() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| AhoCorasick::new(FLAT_MARKERS).expect("static patterns build"))
}

/// Re-inserts line breaks into a page flattened onto a few long lines; `None` when the text
/// is not flattened.
fn unflatten(text: &str) -> Option<String> {
    let ac = flat_automaton();
    // Only worth it when at least two markers sit inside lines.
    let inside = ac
        .find_iter(text)
        .filter(|m| {
            let before = text[..m.start()].trim_end_matches([' ', '\t']);
            !(before.is_empty() || before.ends_with('\n'))
        })
        .count();
    if inside < 2 {
        return None;
    }
    let mut cuts: Vec<(usize, &'static str)> = Vec::new(); // (byte offset, inserted text)
    for m in ac.find_iter(text) {
        let pat = FLAT_MARKERS[m.pattern().as_usize()];
        let mut at = m.start();
        if pat.ends_with("read") {
            // Back up over the number: "2 min read".
            let digits = text[..at]
                .bytes()
                .rev()
                .take_while(u8::is_ascii_digit)
                .count();
            if digits == 0 {
                continue;
            }
            at -= digits;
        }
        if pat == "Last Updated" && text[..at].trim_end().ends_with("read") {
            // Same line as the reading time; cut after the date instead.
        } else if !pat.starts_with('(')
            || pat.starts_with("(Only")
            || pat.starts_with("(Ex")
            || pat.starts_with("(This")
        {
            cuts.push((at, "\n"));
        }
        // Cut after the credit parenthesis, after a disclaimer, after "Connect with us on X".
        let tail = &text[m.start()..];
        if pat.starts_with('(') {
            if let Some(close) = tail.find(')') {
                cuts.push((m.start() + close + 1, "\n"));
            }
        } else if pat == "Connect with us on" {
            let after = &tail[pat.len()..];
            let word = after.trim_start();
            let skip = after.len() - word.len();
            let wlen = word.find(char::is_whitespace).unwrap_or(word.len());
            cuts.push((m.start() + pat.len() + skip + wlen, "\n"));
        } else if pat == "Listen to This Article" || pat == "More From This Section" {
            cuts.push((m.start() + pat.len(), "\n"));
        } else if (pat.contains("Updated") || pat.contains("Published"))
            && let Some(len) = date_prefix_len(&tail[pat.len()..])
        {
            cuts.push((m.start() + pat.len() + len, "\n"));
        }
    }
    // The head: "date ... Home / Section / Headline Headline dek ..." → cut after each headline.
    let first_end = text.find('\n').unwrap_or(text.len());
    let first_cut = cuts
        .iter()
        .map(|c| c.0)
        .filter(|&c| c <= first_end)
        .min()
        .unwrap_or(first_end);
    let head = &text[..first_cut];
    if let Some(slash) = head.rfind(" / ") {
        let rest_start = slash + 3;
        let rest = &head[rest_start..];
        let mut pos = 0;
        while let Some(sp) = rest[pos..].find(' ') {
            let k = pos + sp;
            let h = &rest[..k];
            let after = &rest[k + 1..];
            if h.len() >= 10 && after.starts_with(h) && after[h.len()..].starts_with([' ', '\n']) {
                cuts.push((rest_start + k, "\n\n"));
                cuts.push((rest_start + k + 1 + h.len(), "\n\n"));
                split_front_run(text, rest_start + k + 1 + h.len(), first_cut, &mut cuts);
                break;
            }
            pos = k + 1;
        }
    }
    if cuts.is_empty() {
        return None;
    }
    cuts.sort_unstable();
    cuts.dedup_by_key(|c| c.0);
    let mut out = String::with_capacity(text.len() + cuts.len() * 2);
    let mut last = 0;
    for (at, ins) in cuts {
        if at < last || at > text.len() || !text.is_char_boundary(at) {
            continue;
        }
        out.push_str(text[last..at].trim_end_matches(' '));
        out.push_str(ins);
        last = at;
        while last < text.len() && text.as_bytes()[last] == b' ' {
            last += 1;
        }
    }
    out.push_str(&text[last..]);
    Some(out)
}

/// In flattened text, separates `dek tags caption` (from `start` to the credit at `end`) when
/// the caption and dek occur verbatim in the body.
fn split_front_run(text: &str, start: usize, end: usize, cuts: &mut Vec<(usize, &'static str)>) {
    let Some(run) = text.get(start..end) else {
        return;
    };
    let Some(credit) = run.rfind(" (") else {
        return;
    };
    let run = &run[..credit];
    let body = &text[end..];
    let finder_ok =
        |s: &str| s.len() >= 20 && memmem::find(body.as_bytes(), s.trim().as_bytes()).is_some();
    // Caption: the longest suffix (at a word start) found in the body.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(run.match_indices(' ').map(|(i, _)| i + 1))
        .collect();
    let Some(&cap) = starts.iter().find(|&&s| finder_ok(&run[s..])) else {
        return;
    };
    if cap == 0 {
        return;
    }
    cuts.push((start + cap, "\n"));
    let front = &run[..cap];
    // Dek: the longest prefix (at a word end) found in the body; the rest is the tag line.
    let ends: Vec<usize> = front.match_indices(' ').map(|(i, _)| i).collect();
    if let Some(&dek_end) = ends.iter().rev().find(|&&e| finder_ok(&front[..e])) {
        cuts.push((start + dek_end, "\n\n"));
        cuts.push((start + dek_end + 1, ""));
    }
}

/// Length of the longest prefix of `s` (after separators) that parses as a date, in bytes.
fn date_prefix_len(s: &str) -> Option<usize> {
    let lead = s.len() - s.trim_start_matches([' ', ':', '-']).len();
    let t = &s[lead..];
    let ends: Vec<usize> = t
        .match_indices(' ')
        .map(|(i, _)| i)
        .chain(std::iter::once(t.len()))
        .take(10)
        .collect();
    ends.iter()
        .rev()
        .find(|&&e| parse_datetime(&t[..e]).is_some())
        .map(|&e| lead + e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, NaiveDate, Utc};
    use proptest::prelude::*;

    /// The real seed item, read at test time, relative to this crate's manifest directory.
    pub(super) const SEED_PATH: &str = "../shared/seed/000_4a15e63da7983562.txt";

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn seed_item() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED_PATH);
        let text = std::fs::read_to_string(&path).expect("seed readable");
        let item = parse(&text).unwrap();
        assert_eq!(
            item.headline,
            "NATO defence chiefs discuss Ukraine security guarantees in virtual meet"
        );
        assert!(
            item.summary
                .as_deref()
                .unwrap()
                .starts_with("Trump is trying to steer Putin and Zelenskyy toward a settlement")
        );
        assert!(
            item.summary
                .as_deref()
                .unwrap()
                .ends_with("there are major obstacles")
        );
        assert_eq!(item.section.as_deref(), Some("World News"));
        assert_eq!(item.breadcrumb, strings(&["Home", "World News"]));
        assert_eq!(item.item_date, NaiveDate::from_ymd_opt(2025, 8, 20));
        assert_eq!(
            item.keywords,
            strings(&["Russia Ukraine conflict", "Russia Ukraine"])
        );
        assert_eq!(
            item.picture,
            Some(Picture {
                caption: "US Gen Alexus Grynkewich, NATO's supreme allied commander Europe, \
                          will take part in the talks, Dragone said on social platform X."
                    .into(),
                credit: Some("Shutterstock".into()),
            })
        );
        assert_eq!(
            item.agency,
            Some(Agency {
                code: "AP".into(),
                name: "Associated Press".into()
            })
        );
        assert_eq!(item.dateline.as_deref(), Some("Kyiv"));
        assert_eq!(item.byline.as_deref(), Some("AP"));
        assert_eq!(item.read_time_minutes, Some(2));
        assert_eq!(item.version_created, Some(utc("2025-08-20T10:27:00Z")));
        assert_eq!(item.first_created, Some(utc("2025-08-20T10:27:00Z")));
        assert_eq!(item.body.len(), 11);
        assert!(item.body[0].starts_with("NATO defence chiefs were due to hold"));
        assert!(item.body[10].ends_with("until diplomacy works to its full potential."));
        assert!(item.body.iter().any(|p| p.contains("Telegram post")));
        for p in &item.body {
            assert!(!p.contains("syndicated feed"), "{p}");
            assert!(!p.starts_with("Connect with us"), "{p}");
            assert!(!p.starts_with("Topics"), "{p}");
            assert!(!p.starts_with("First Published"), "{p}");
        }
        assert_eq!(item.publisher.as_deref(), Some("Business Standard"));
        assert!(item.syndicated);
        assert_eq!(
            item.topics,
            strings(&[
                "NATO",
                "Vladimir Putin",
                "Donald Trump",
                "Zelenskyy",
                "Russia Ukraine Conflict"
            ])
        );
        assert_eq!(item.language, None);
        assert_eq!(item.source_uri, None);
    }

    fn read_seed() -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED_PATH);
        std::fs::read_to_string(&path).expect("seed readable")
    }

    /// Greedy word wrap of every line at `width` columns (blank lines kept).
    fn hard_wrap(text: &str, width: usize) -> String {
        let mut out = String::new();
        for line in text.lines() {
            let mut cur = String::new();
            for w in line.split_whitespace() {
                if !cur.is_empty() && cur.len() + 1 + w.len() > width {
                    out.push_str(&cur);
                    out.push('\n');
                    cur.clear();
                }
                if !cur.is_empty() {
                    cur.push(' ');
                }
                cur.push_str(w);
            }
            out.push_str(&cur);
            out.push('\n');
        }
        out
    }

    /// The metadata every rendering of the seed must keep.
    fn assert_seed_metadata(item: &ParsedItem) {
        assert_eq!(
            item.headline,
            "NATO defence chiefs discuss Ukraine security guarantees in virtual meet"
        );
        assert!(
            item.summary
                .as_deref()
                .unwrap()
                .starts_with("Trump is trying to steer")
        );
        assert!(
            item.summary
                .as_deref()
                .unwrap()
                .ends_with("there are major obstacles")
        );
        assert_eq!(item.breadcrumb, strings(&["Home", "World News"]));
        assert_eq!(
            item.keywords,
            strings(&["Russia Ukraine conflict", "Russia Ukraine"])
        );
        let pic = item.picture.as_ref().unwrap();
        assert!(pic.caption.starts_with("US Gen Alexus Grynkewich"));
        assert!(pic.caption.ends_with("said on social platform X."));
        assert_eq!(pic.credit.as_deref(), Some("Shutterstock"));
        assert_eq!(item.agency.as_ref().unwrap().code, "AP");
        assert_eq!(item.dateline.as_deref(), Some("Kyiv"));
        assert_eq!(item.read_time_minutes, Some(2));
        assert_eq!(item.version_created, Some(utc("2025-08-20T10:27:00Z")));
        assert_eq!(item.first_created, Some(utc("2025-08-20T10:27:00Z")));
        assert_eq!(item.publisher.as_deref(), Some("Business Standard"));
        assert!(item.syndicated);
        assert_eq!(item.topics.len(), 5);
        let last = item.body.last().unwrap();
        assert!(last.ends_with("until diplomacy works to its full potential."));
    }

    #[test]
    fn seed_flattened_to_one_line() {
        let seed = read_seed();
        let flat = seed.split_whitespace().collect::<Vec<_>>().join(" ");
        let item = parse(&flat).unwrap();
        assert_seed_metadata(&item);
        // Paragraph breaks cannot be recovered from a flattened page.
        assert_eq!(item.body.len(), 1);
        assert!(item.body[0].starts_with("NATO defence chiefs were due to hold"));
    }

    #[test]
    fn seed_hard_wrapped_at_70() {
        let seed = read_seed();
        let wrapped = hard_wrap(&seed, 70);
        let item = parse(&wrapped).unwrap();
        assert_seed_metadata(&item);
        let original = parse(&seed).unwrap();
        assert_eq!(item.body, original.body);
        assert_eq!(item.picture, original.picture);
        assert_eq!(item.summary, original.summary);
    }

    // ---- invented fixtures in the seed's layout and its variants ----

    /// Full layout, Reuters credit, hard-coded invented story.
    const FULL: &str = " date 2025-03-04 Home / Markets / Copper hits record as smelters cut output in Chile

Copper hits record as smelters cut output in Chile

Prices rose for a fifth day as supply worries outweighed weak demand from builders

Copper prices, Metals market
A worker checks copper cathodes at a plant near Santiago. (Photo: Reuters)
Reuters London
3 min read Last Updated : Mar 04 2025 | 9:12 PM IST
Copper climbed to a record on Tuesday after two smelters in Chile said they would cut output for the rest of the quarter.

Traders said stocks in exchange warehouses were the lowest in two years.

The rally may stall if demand from builders stays weak, one analyst said.

(Only the headline and picture of this report may have been reworked by the Business Standard staff; the rest of the content is auto-generated from a syndicated feed.)

Connect with us on WhatsApp

Topics :Copper PricesLMEChile

First Published: Mar 04 2025 | 8:40 PM IST
";

    #[test]
    fn full_layout() {
        let item = parse(FULL).unwrap();
        assert_eq!(
            item.headline,
            "Copper hits record as smelters cut output in Chile"
        );
        assert_eq!(
            item.summary.as_deref(),
            Some(
                "Prices rose for a fifth day as supply worries outweighed weak demand from builders"
            )
        );
        assert_eq!(item.section.as_deref(), Some("Markets"));
        assert_eq!(item.keywords, strings(&["Copper prices", "Metals market"]));
        let pic = item.picture.unwrap();
        assert_eq!(
            pic.caption,
            "A worker checks copper cathodes at a plant near Santiago."
        );
        assert_eq!(pic.credit.as_deref(), Some("Reuters"));
        assert_eq!(item.agency.unwrap().code, "Reuters");
        assert_eq!(item.dateline.as_deref(), Some("London"));
        assert_eq!(item.read_time_minutes, Some(3));
        assert_eq!(item.version_created, Some(utc("2025-03-04T15:42:00Z")));
        assert_eq!(item.first_created, Some(utc("2025-03-04T15:10:00Z")));
        assert_eq!(item.body.len(), 3);
        assert_eq!(
            item.body[2],
            "The rally may stall if demand from builders stays weak, one analyst said."
        );
        assert_eq!(item.topics, strings(&["Copper Prices", "LME", "Chile"]));
        assert_eq!(item.publisher.as_deref(), Some("Business Standard"));
        assert!(item.syndicated);
    }

    /// No photo, no tag line, staff byline, Telegram boilerplate, comma topics, Listen line.
    const STAFF: &str =
        "date 2025-02-11 Home / Economy / Policy / Centre eases rules for small exporters

Centre eases rules for small exporters

The move is expected to help nearly 20,000 firms

Listen to This Article
Sudheer Pal Singh New Delhi
4 min read Last Updated : Feb 11 2025 | 11:30 AM IST
The Centre on Tuesday eased paperwork rules for small exporters, officials said.

The changes take effect next month.

Get them on our Telegram channel

An official said the ministry had sought comments on Telegram and by email.

Connect with us on Telegram

Topics : Exports, Commerce ministry, MSMEs

First Published: Feb 11 2025 | 11:02 AM IST
";

    #[test]
    fn staff_byline_no_photo_no_tags() {
        let item = parse(STAFF).unwrap();
        assert_eq!(item.headline, "Centre eases rules for small exporters");
        assert_eq!(
            item.summary.as_deref(),
            Some("The move is expected to help nearly 20,000 firms")
        );
        assert_eq!(item.breadcrumb, strings(&["Home", "Economy", "Policy"]));
        assert_eq!(item.section.as_deref(), Some("Policy"));
        assert!(item.keywords.is_empty());
        assert_eq!(item.picture, None);
        assert_eq!(item.agency, None);
        assert_eq!(item.byline.as_deref(), Some("Sudheer Pal Singh"));
        assert_eq!(item.dateline.as_deref(), Some("New Delhi"));
        assert_eq!(item.read_time_minutes, Some(4));
        assert_eq!(item.version_created, Some(utc("2025-02-11T06:00:00Z")));
        assert_eq!(item.first_created, Some(utc("2025-02-11T05:32:00Z")));
        assert_eq!(
            item.body,
            strings(&[
                "The Centre on Tuesday eased paperwork rules for small exporters, officials said.",
                "The changes take effect next month.",
                "An official said the ministry had sought comments on Telegram and by email.",
            ])
        );
        assert_eq!(
            item.topics,
            strings(&["Exports", "Commerce ministry", "MSMEs"])
        );
        assert!(!item.syndicated);
        assert_eq!(item.publisher, None);
    }

    /// "BS Reporter Mumbai", no dek, a More From This Section block before the topics.
    const REPORTER: &str = "date 2025-05-02 Home / Companies / Shipping firm posts record profit

Shipping firm posts record profit

Q4 results, Shipping
BS Reporter Mumbai
2 min read Last Updated : May 02 2025 | 6:05 PM IST
A Mumbai-based shipping company reported its highest quarterly profit on Friday.

Revenue rose 18 per cent from a year earlier.

More From This Section
Ports see record cargo traffic in April
Airline adds flights to Gulf

Topics :Q4 Results  Shipping  Mumbai

First Published: May 02 2025 | 6:05 PM IST
";

    #[test]
    fn reporter_byline_and_more_from_section() {
        let item = parse(REPORTER).unwrap();
        assert_eq!(item.summary, None);
        assert_eq!(item.keywords, strings(&["Q4 results", "Shipping"]));
        assert_eq!(item.byline.as_deref(), Some("BS Reporter"));
        assert_eq!(item.dateline.as_deref(), Some("Mumbai"));
        assert_eq!(
            item.body,
            strings(&[
                "A Mumbai-based shipping company reported its highest quarterly profit on Friday.",
                "Revenue rose 18 per cent from a year earlier.",
            ])
        );
        assert_eq!(item.topics, strings(&["Q4 Results", "Shipping", "Mumbai"]));
        assert_eq!(item.first_created, Some(utc("2025-05-02T12:35:00Z")));
    }

    /// Hard-wrapped at about 70 columns, including the caption and the disclaimer.
    const WRAPPED: &str = "date 2025-06-09 Home / World News / Floods force thousands from homes in
southern Brazil

Floods force thousands from homes in southern Brazil

Rivers burst their banks after a week of heavy rain across Rio Grande do
Sul state

Brazil floods, Climate
Rescue workers use boats to reach residents in Porto Alegre on Monday.
(Photo: AP/PTI)
Press Trust of India Porto Alegre
3 min read Last Updated : Jun 09 2025 | 10:15 PM IST
Floods have forced more than 30,000 people from their homes in southern
Brazil, officials said on Monday, as rivers kept rising after a week of
heavy rain.

The state governor said the army would send helicopters and boats to
reach towns cut off by the water. Well-
known bridges were closed.

(Only the headline and picture of this report may have been reworked by
the Business Standard staff; the rest of the content is auto-generated
from a syndicated feed.)

Topics :Brazil | Floods | Climate change

First Published: Jun 09 2025 | 10:15 PM IST
";

    #[test]
    fn hard_wrapped() {
        let item = parse(WRAPPED).unwrap();
        assert_eq!(
            item.headline,
            "Floods force thousands from homes in southern Brazil"
        );
        assert_eq!(
            item.summary.as_deref(),
            Some(
                "Rivers burst their banks after a week of heavy rain across Rio Grande do Sul state"
            )
        );
        assert_eq!(item.keywords, strings(&["Brazil floods", "Climate"]));
        assert_eq!(
            item.picture,
            Some(Picture {
                caption: "Rescue workers use boats to reach residents in Porto Alegre on Monday."
                    .into(),
                credit: Some("AP/PTI".into()),
            })
        );
        assert_eq!(item.agency.as_ref().unwrap().code, "PTI");
        assert_eq!(item.byline.as_deref(), Some("Press Trust of India"));
        assert_eq!(item.dateline.as_deref(), Some("Porto Alegre"));
        assert_eq!(
            item.body,
            strings(&[
                "Floods have forced more than 30,000 people from their homes in southern \
                 Brazil, officials said on Monday, as rivers kept rising after a week of \
                 heavy rain.",
                "The state governor said the army would send helicopters and boats to \
                 reach towns cut off by the water. Well-known bridges were closed.",
            ])
        );
        assert_eq!(item.publisher.as_deref(), Some("Business Standard"));
        assert_eq!(
            item.topics,
            strings(&["Brazil", "Floods", "Climate change"])
        );
    }

    /// The seed layout flattened onto one line (invented story).
    const FLAT: &str = "date 2025-07-01 Home / World News / Japan and India sign chip supply pact Japan and India sign chip supply pact The deal covers design, testing and training over five years Japan India ties, Semiconductors Officials exchange documents after the signing in Tokyo on Tuesday. (Photo: Shutterstock) AFP Tokyo 2 min read Last Updated : Jul 01 2025 | 4:20 PM IST Japan and India signed a pact on Tuesday to cooperate on semiconductor supply chains. Officials exchange documents after the signing in Tokyo on Tuesday. The deal covers design, testing and training over five years, the two governments said in a joint statement released after talks that ran for most of the day and ended with a dinner hosted by the Japanese side. (Only the headline and picture of this report may have been reworked by the Business Standard staff; the rest of the content is auto-generated from a syndicated feed.) Connect with us on WhatsApp Topics :JapanIndiaSemiconductors First Published: Jul 01 2025 | 4:20 PM IST";

    #[test]
    fn flattened() {
        let item = parse(FLAT).unwrap();
        assert_eq!(item.headline, "Japan and India sign chip supply pact");
        assert_eq!(item.breadcrumb, strings(&["Home", "World News"]));
        assert_eq!(
            item.summary.as_deref(),
            Some("The deal covers design, testing and training over five years")
        );
        assert_eq!(
            item.keywords,
            strings(&["Japan India ties", "Semiconductors"])
        );
        let pic = item.picture.as_ref().unwrap();
        assert_eq!(
            pic.caption,
            "Officials exchange documents after the signing in Tokyo on Tuesday."
        );
        assert_eq!(pic.credit.as_deref(), Some("Shutterstock"));
        assert_eq!(item.agency.as_ref().unwrap().code, "AFP");
        assert_eq!(item.dateline.as_deref(), Some("Tokyo"));
        assert_eq!(item.read_time_minutes, Some(2));
        assert_eq!(item.version_created, Some(utc("2025-07-01T10:50:00Z")));
        assert_eq!(item.first_created, Some(utc("2025-07-01T10:50:00Z")));
        assert_eq!(item.body.len(), 1);
        assert!(item.body[0].starts_with("Japan and India signed a pact on Tuesday"));
        assert!(item.body[0].ends_with("hosted by the Japanese side."));
        assert_eq!(item.topics, strings(&["Japan", "India", "Semiconductors"]));
        assert_eq!(item.publisher.as_deref(), Some("Business Standard"));
    }

    /// NDTV style: no breadcrumb, PTI credit in the first paragraph, own disclaimer wording.
    const NDTV: &str = "Monsoon covers entire country ahead of schedule, says weather office

Published On: Jul 02, 2025 14:05 IST
New Delhi, Jul 2 (PTI) The monsoon has covered the entire country six days ahead of its normal date, the weather office said on Wednesday.

Rainfall so far is 9 per cent above normal, it said.

(Except for the headline, this story has not been edited by NDTV staff and is published from a syndicated feed.)
";

    #[test]
    fn ndtv_style() {
        let item = parse(NDTV).unwrap();
        assert_eq!(
            item.headline,
            "Monsoon covers entire country ahead of schedule, says weather office"
        );
        assert_eq!(item.summary, None);
        assert_eq!(item.first_created, Some(utc("2025-07-02T08:35:00Z")));
        assert_eq!(item.version_created, None);
        assert_eq!(
            item.agency,
            Some(Agency {
                code: "PTI".into(),
                name: "Press Trust of India".into()
            })
        );
        assert_eq!(item.dateline.as_deref(), Some("New Delhi"));
        assert_eq!(item.body.len(), 2);
        assert!(item.body[0].starts_with("New Delhi, Jul 2 (PTI) The monsoon"));
        assert_eq!(item.publisher.as_deref(), Some("NDTV"));
        assert!(item.syndicated);
    }

    /// The Hindu style dates, an all-caps AP dateline in the body, topics on separate lines.
    const HINDU: &str = "Home > News > World

Storm knocks out power to a million homes in Texas

Utilities warned that repairs could take days

Published - August 20, 2025 03:57 pm IST
Updated - August 20, 2025 06:10 pm IST
HOUSTON (AP) — A powerful storm knocked out power to about a million homes and businesses across Texas on Wednesday.

Crews from neighbouring states were on their way, the governor said.

(This story has not been edited by The Hindu staff and is auto-generated from a syndicated feed.)

Topics

weather

United States
";

    #[test]
    fn hindu_style() {
        let item = parse(HINDU).unwrap();
        assert_eq!(item.breadcrumb, strings(&["Home", "News", "World"]));
        assert_eq!(item.section.as_deref(), Some("World"));
        assert_eq!(
            item.headline,
            "Storm knocks out power to a million homes in Texas"
        );
        assert_eq!(
            item.summary.as_deref(),
            Some("Utilities warned that repairs could take days")
        );
        assert_eq!(item.first_created, Some(utc("2025-08-20T10:27:00Z")));
        assert_eq!(item.version_created, Some(utc("2025-08-20T12:40:00Z")));
        assert_eq!(item.agency.as_ref().unwrap().code, "AP");
        assert_eq!(item.dateline.as_deref(), Some("Houston"));
        assert_eq!(item.body.len(), 2);
        assert_eq!(item.publisher.as_deref(), Some("The Hindu"));
        assert_eq!(item.topics, strings(&["weather", "United States"]));
    }

    /// Mint style: "By PTI", "Updated" line, "Catch all the ..." ends the body.
    const MINT: &str = "Rupee slips 12 paise against dollar in early trade

The currency opened at 86.40 amid foreign fund outflows

By PTI
Updated: 20 Aug 2025, 09:41 AM IST
The rupee fell 12 paise to 86.52 against the US dollar in early trade on Wednesday.

Forex traders said firm crude prices weighed on the currency.

Catch all the Business News, Market News, Breaking News Events and Latest News Updates on Live Mint. Download The Mint News App to get Daily Market Updates.
";

    #[test]
    fn mint_style() {
        let item = parse(MINT).unwrap();
        assert_eq!(
            item.summary.as_deref(),
            Some("The currency opened at 86.40 amid foreign fund outflows")
        );
        assert_eq!(item.agency.as_ref().unwrap().code, "PTI");
        assert_eq!(item.byline.as_deref(), Some("PTI"));
        assert_eq!(item.dateline, None);
        assert_eq!(item.version_created, Some(utc("2025-08-20T04:11:00Z")));
        assert_eq!(item.body.len(), 2);
        assert_eq!(item.publisher.as_deref(), Some("Mint"));
        assert!(!item.syndicated);
    }

    /// Moneycontrol style: bracketed agency line, New York time, no zone on first-published.
    const MONEYCONTROL: &str = "Oil steadies after two-day slide as traders weigh Fed outlook

(Reuters)
first published: Aug 20, 2025 07:30 AM ET
Oil prices steadied on Wednesday after falling for two sessions.

Brent crude futures were flat at $66.10 a barrel by 0130 GMT.

(This story has not been edited by Moneycontrol staff and is auto-generated from a syndicated feed.)
";

    #[test]
    fn moneycontrol_style() {
        let item = parse(MONEYCONTROL).unwrap();
        assert_eq!(item.agency.as_ref().unwrap().code, "Reuters");
        assert_eq!(item.dateline, None);
        assert_eq!(item.first_created, Some(utc("2025-08-20T11:30:00Z")));
        assert_eq!(item.body.len(), 2);
        assert_eq!(item.publisher.as_deref(), Some("Moneycontrol"));
        assert!(item.syndicated);
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let text = format!("\u{feff}{}", FULL.replace('\n', "\r\n"));
        assert_eq!(parse(&text).unwrap(), parse(FULL).unwrap());
    }

    // ---- pieces ----

    #[test]
    fn agency_lines() {
        let code = |l: &str| agency_line(l).map(|(a, _, d)| (a.code, d.map(str::to_string)));
        assert_eq!(code("AP Kyiv"), Some(("AP".into(), Some("Kyiv".into()))));
        assert_eq!(
            code("Press Trust of India New Delhi"),
            Some(("PTI".into(), Some("New Delhi".into())))
        );
        assert_eq!(
            code("Reuters London"),
            Some(("Reuters".into(), Some("London".into())))
        );
        assert_eq!(code("By PTI"), Some(("PTI".into(), None)));
        assert_eq!(code("PTI"), Some(("PTI".into(), None)));
        assert_eq!(code("(Reuters)"), Some(("Reuters".into(), None)));
        assert_eq!(
            code("IANS | Mumbai"),
            Some(("IANS".into(), Some("Mumbai".into())))
        );
        assert_eq!(code("Asian News International"), Some(("ANI".into(), None)));
        assert_eq!(
            code("Agence France-Presse Paris"),
            Some(("AFP".into(), Some("Paris".into())))
        );
        assert_eq!(code("Bloomberg"), Some(("Bloomberg".into(), None)));
        assert_eq!(code("AP Dhillon performs in Mumbai tonight"), None);
        assert_eq!(code("APAC markets"), None);
        assert_eq!(code("Reuters reported the deal on Monday."), None);
    }

    #[test]
    fn staff_bylines() {
        assert_eq!(
            split_byline("Sudheer Pal Singh New Delhi"),
            ("Sudheer Pal Singh", Some("New Delhi"))
        );
        assert_eq!(
            split_byline("BS Reporter Mumbai"),
            ("BS Reporter", Some("Mumbai"))
        );
        assert_eq!(
            split_byline("Asit Ranjan Mishra | Pune"),
            ("Asit Ranjan Mishra", Some("Pune"))
        );
        assert_eq!(
            split_byline("Ruchika Chitravanshi"),
            ("Ruchika Chitravanshi", None)
        );
        assert!(looks_like_byline(
            "Nikesh Singh & Ruchika Chitravanshi New Delhi"
        ));
        assert!(!looks_like_byline("Shares rose 4 per cent"));
        assert!(!looks_like_byline("Russia"));
    }

    #[test]
    fn captions() {
        assert_eq!(
            caption("Ships at the port. (Photo: Shutterstock)"),
            Some(("Ships at the port.", Some("Shutterstock")))
        );
        assert_eq!(
            caption("Ships at the port (Photo credit: Getty Images)"),
            Some(("Ships at the port", Some("Getty Images")))
        );
        assert_eq!(
            caption("Ships (Representative image)"),
            Some(("Ships", None))
        );
        assert_eq!(
            caption("Ships (File Photo: Reuters)"),
            Some(("Ships", Some("Reuters")))
        );
        assert_eq!(caption("Ships (Photo/PTI)"), Some(("Ships", Some("PTI"))));
        assert_eq!(caption("The firm (listed in 2019)"), None);
        assert_eq!(caption("The picnic (picnic area)"), None);
        assert_eq!(caption("Ships (Photos: PTI)"), Some(("Ships", Some("PTI"))));
    }

    #[test]
    fn topics_run_together() {
        assert_eq!(
            split_topics("NATOVladimir PutinDonald TrumpZelenskyyRussia Ukraine Conflict"),
            strings(&[
                "NATO",
                "Vladimir Putin",
                "Donald Trump",
                "Zelenskyy",
                "Russia Ukraine Conflict"
            ])
        );
        // Names with inner capitals stay whole.
        assert_eq!(
            split_topics("McDonald's IndiaRon DeSantisMacBook AirApple iPhone 16Samsung"),
            strings(&[
                "McDonald's India",
                "Ron DeSantis",
                "MacBook Air",
                "Apple iPhone 16",
                "Samsung"
            ])
        );
        assert_eq!(
            split_topics("YouTubeJPMorgan ChaseWhatsAppIndiGo"),
            strings(&["YouTube", "JPMorgan Chase", "WhatsApp", "IndiGo"])
        );
        assert_eq!(
            split_topics("Budget 2025Nirmala Sitharaman"),
            strings(&["Budget 2025", "Nirmala Sitharaman"])
        );
        assert_eq!(
            split_topics("RBIMonetary policy"),
            strings(&["RBI", "Monetary policy"])
        );
        assert_eq!(split_topics("NATO"), strings(&["NATO"]));
        // A digit run of two or more characters before a capital splits; "3M" does not.
        assert_eq!(
            split_topics("3M CompanyG20Summit"),
            strings(&["3M Company", "G20", "Summit"])
        );
    }

    #[test]
    fn topics_with_separators() {
        assert_eq!(
            split_topics("NATO, Vladimir Putin,Donald Trump"),
            strings(&["NATO", "Vladimir Putin", "Donald Trump"])
        );
        assert_eq!(
            split_topics("NATO | Vladimir Putin | NATO"),
            strings(&["NATO", "Vladimir Putin"])
        );
        assert_eq!(
            split_topics("NATO  Vladimir Putin\tDonald Trump"),
            strings(&["NATO", "Vladimir Putin", "Donald Trump"])
        );
        assert_eq!(split_topics(""), Vec::<String>::new());
    }

    #[test]
    fn tag_lines() {
        assert!(is_tag_line("Russia Ukraine conflict, Russia Ukraine", true));
        assert!(is_tag_line("Semiconductors", false));
        assert!(!is_tag_line("Semiconductors", true));
        assert!(!is_tag_line(
            "Trump is trying to steer Putin and Zelenskyy toward a settlement, but there are obstacles",
            true
        ));
        assert!(!is_tag_line(
            "US Gen Alexus Grynkewich, NATO's supreme allied commander Europe, will",
            true
        ));
    }

    #[test]
    fn publishers() {
        assert_eq!(
            disclaimer_publisher("(Only the headline and picture of this report may have been reworked by the Business Standard staff; the rest of the content is auto-generated from a syndicated feed.)").as_deref(),
            Some("Business Standard")
        );
        assert_eq!(
            disclaimer_publisher("(This story has not been edited by HT staff and is auto-generated from a syndicated feed.)").as_deref(),
            Some("Hindustan Times")
        );
        assert_eq!(
            disclaimer_publisher("(This story has not been edited by Daily Planet staff and is published from a syndicated feed.)").as_deref(),
            Some("Daily Planet")
        );
        assert_eq!(
            disclaimer_publisher(
                "Disclaimer: This story is auto-generated from a syndicated feed."
            )
            .as_deref(),
            None
        );
    }

    #[test]
    fn credit_run_into_a_caption_or_a_date() {
        let page = "Storm lashes Florida coast\n\nThousands without power\n\n\
                    Residents wade through a flooded street. (Photo: PTI) AP Miami\n\
                    2 min read Updated: Aug 20 2025 | 3:57 PM IST\n\
                    A storm lashed the coast on Wednesday, officials said.\n";
        let item = parse(page).unwrap();
        let picture = item.picture.unwrap();
        assert_eq!(picture.caption, "Residents wade through a flooded street.");
        assert_eq!(picture.credit.as_deref(), Some("PTI"));
        assert_eq!(item.agency.unwrap().code, "AP");
        assert_eq!(item.byline.as_deref(), Some("AP"));
        assert_eq!(item.dateline.as_deref(), Some("Miami"));
        assert_eq!(item.body.len(), 1);

        let page = "Oil steadies after slide\n\nReuters | Updated: 20 Aug 2025, 04:11 GMT\n\
                    Oil prices steadied on Wednesday.\n";
        let item = parse(page).unwrap();
        assert_eq!(item.agency.unwrap().code, "Reuters");
        assert_eq!(
            item.version_created.unwrap().to_rfc3339(),
            "2025-08-20T04:11:00+00:00"
        );
        assert_eq!(item.body, ["Oil prices steadied on Wednesday."]);
    }

    #[test]
    fn errors() {
        assert_eq!(parse(""), Err(ScrapeError::Empty));
        assert_eq!(parse(" \n\t\n"), Err(ScrapeError::Empty));
        assert_eq!(
            parse("<!DOCTYPE html><html><body><p>Hi</p></body></html>"),
            Err(ScrapeError::NotArticle)
        );
        assert!(matches!(
            parse("{\"headline\": \"x\", \"body\": \"y\"}"),
            Err(ScrapeError::NotText(_))
        ));
        assert!(matches!(parse("[1, 2, 3]"), Err(ScrapeError::NotText(_))));
        assert!(matches!(
            parse("Head\u{0}line\n\nbody\u{1}\u{2}\u{3}"),
            Err(ScrapeError::NotText(_))
        ));
        assert_eq!(
            parse("Delivered-To: someone@example.com\nReceived: by 10.0.0.1\n\nHello\n\nBody"),
            Err(ScrapeError::NotText("looks like an e-mail message"))
        );
        assert_eq!(parse("Just one line of text"), Err(ScrapeError::NoBody));
        assert_eq!(parse(&"x".repeat(500)), Err(ScrapeError::NoHeadline));
        assert_eq!(
            parse("date 2025-08-20 Home / World News\n\nConnect with us on WhatsApp\n"),
            Err(ScrapeError::NoHeadline)
        );
        assert_eq!(
            parse(
                "A headline\n\n(Only the headline may have been reworked by the Business Standard staff; the rest is from a syndicated feed.)\n"
            ),
            Err(ScrapeError::NoBody)
        );
        // Every error has a message.
        for e in [
            ScrapeError::Empty,
            ScrapeError::NotText("x"),
            ScrapeError::NoHeadline,
            ScrapeError::NoBody,
        ] {
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn breadcrumb_variants() {
        // Truncated breadcrumb headline: the page's headline line wins, the element is dropped.
        let item = parse(
            "date 2025-08-20 Home / India News / Rains lash Mumbai, local trains...\n\n\
             Rains lash Mumbai, local trains delayed by up to 30 minutes\n\n\
             PTI Mumbai\n\
             1 min read Last Updated : Aug 20 2025 | 9:05 AM IST\n\
             Heavy rain lashed Mumbai on Wednesday morning.\n",
        )
        .unwrap();
        assert_eq!(
            item.headline,
            "Rains lash Mumbai, local trains delayed by up to 30 minutes"
        );
        assert_eq!(item.breadcrumb, strings(&["Home", "India News"]));
        assert_eq!(item.section.as_deref(), Some("India News"));
        assert_eq!(item.dateline.as_deref(), Some("Mumbai"));
        assert_eq!(item.read_time_minutes, Some(1));
        assert_eq!(item.version_created, Some(utc("2025-08-20T03:35:00Z")));
        assert_eq!(
            item.body,
            strings(&["Heavy rain lashed Mumbai on Wednesday morning."])
        );

        // Breadcrumb without a headline element: the last element is the section.
        let item =
            parse("date 2025-08-20 Home / World News\n\nA headline here\n\nBody text here.\n")
                .unwrap();
        assert_eq!(item.headline, "A headline here");
        assert_eq!(item.breadcrumb, strings(&["Home", "World News"]));
        assert_eq!(item.section.as_deref(), Some("World News"));

        // Only the breadcrumb carries the headline.
        let item = parse(
            "date 2025-08-20 Home / Markets / Sensex ends 300 points higher on bank gains\n\n\
             ANI\n\
             2 min read Last Updated : Aug 20 2025 | 4:05 PM IST\n\
             The Sensex rose 300 points on Wednesday.\n",
        )
        .unwrap();
        assert_eq!(item.headline, "Sensex ends 300 points higher on bank gains");
        assert_eq!(item.agency.unwrap().code, "ANI");
        assert_eq!(
            item.body,
            strings(&["The Sensex rose 300 points on Wednesday."])
        );
    }

    #[test]
    fn plain_headline_and_body() {
        let item = parse("A short headline\n\nFirst paragraph.\n\nSecond paragraph.").unwrap();
        assert_eq!(item.headline, "A short headline");
        assert_eq!(
            item.body,
            strings(&["First paragraph.", "Second paragraph."])
        );
        assert_eq!(item.summary, None);
    }

    // ---- robustness ----

    const FIXTURES: &[&str] = &[
        FULL,
        STAFF,
        REPORTER,
        WRAPPED,
        FLAT,
        NDTV,
        HINDU,
        MINT,
        MONEYCONTROL,
    ];

    fn check(text: &str) {
        match parse(text) {
            Ok(item) => {
                assert!(!item.headline.is_empty());
                assert!(!item.body.is_empty());
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC*") {
            check(&s);
        }

        #[test]
        fn arbitrary_line_soup_never_panics(
            lines in proptest::collection::vec(
                prop_oneof![
                    Just(String::new()),
                    Just("(Photo: X)".to_string()),
                    Just("AP".to_string()),
                    Just("2 min read Last Updated : ".to_string()),
                    Just("Topics :".to_string()),
                    Just("date 2025-08-20 Home / ".to_string()),
                    "[ -~]{0,40}",
                    "\\PC{0,20}",
                ],
                0..30,
            )
        ) {
            check(&lines.join("\n"));
            check(&lines.join(" "));
        }

        #[test]
        fn mutated_fixtures_never_panic(
            which in 0..FIXTURES.len(),
            ops in proptest::collection::vec((0u8..5, any::<usize>(), "\\PC{0,30}"), 0..8),
        ) {
            let mut lines: Vec<String> = FIXTURES[which].split('\n').map(str::to_string).collect();
            for (op, at, text) in ops {
                if lines.is_empty() {
                    lines.push(text);
                    continue;
                }
                let i = at % lines.len();
                match op {
                    0 => { lines.remove(i); }
                    1 => lines.insert(i, text),
                    2 => { let l = lines[i].clone(); lines.insert(i, l); }
                    3 => lines[i] = text,
                    _ => {
                        // Cut a line at a character boundary.
                        let l = &lines[i];
                        let cut = l.char_indices().map(|(b, _)| b).nth(at % (l.chars().count() + 1)).unwrap_or(l.len());
                        lines[i] = l[..cut].to_string();
                    }
                }
            }
            check(&lines.join("\n"));
        }

        #[test]
        fn parse_datetime_never_panics(s in "\\PC{0,60}") {
            let _ = parse_datetime(&s);
        }
    }
}
