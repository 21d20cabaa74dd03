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
//! line is classified on its own by cheap prefix/suffix checks (only the boilerplate prefixes
//! sharing the line's first byte are compared), once per line; the parse then walks the lines
//! in five zones:
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
//!
//! # Files
//!
//! - `mod.rs`: [`parse`], the checks that refuse what is not plain text.
//! - `error.rs`: [`ScrapeError`].
//! - `shapes.rs`: other shapes of the same page (a bytes literal, JSON-escaped or markdown
//!   text) brought back to plain lines.
//! - `html.rs`: whole HTML pages (JSON-LD, meta tags, the main text).
//! - `classify.rs`: the class of each line.
//! - `dates.rs`: printed timestamps ([`parse_datetime`]) and labelled date lines.
//! - `credits.rs`: captions, agencies, bylines, tag lines, disclaimers; the city and outlet
//!   tables.
//! - `topics.rs`: the `Topics :` line ([`split_topics`]).
//! - `zones.rs`: the walk over head, headline, front matter, body and trailer.
//! - `flatten.rs`: line breaks put back into a flattened page.

mod classify;
mod credits;
mod dates;
mod error;
mod flatten;
pub mod html;
mod shapes;
mod topics;
mod zones;

pub use dates::parse_datetime;
pub use error::ScrapeError;
pub use topics::split_topics;

use crate::formats::textutil::floor_boundary;
use crate::model::ParsedItem;

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
    zones::parse_lines(&shapes::normalise(text))
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
    let controls = crate::formats::charset::c0_controls(head);
    if memchr::memchr(0, head).is_some() || controls * 100 > head.len() {
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

#[cfg(test)]
mod tests;
