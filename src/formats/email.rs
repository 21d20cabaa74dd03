//! RFC 822 / MIME e-mail, read with the `mail-parser` crate (Stalwart).
//!
//! Subject (RFC 2047 encoded words decoded) → headline; `Date` → first created; `From` (display
//! name, else address) → byline (and agency when it names one); `Message-ID` → source id;
//! `Content-Language` → language; body from the first `text/plain` part, else the HTML part
//! through [`crate::formats::markup::html_to_paragraphs`]. `multipart/*`, quoted-printable and base64
//! transfer encodings and the part's `charset` (all of `encoding_rs`'s charsets, via
//! mail-parser's `full_encoding` feature) are handled by mail-parser.
//!
//! [`parse_bytes`] takes the raw message and is the right entry point for mail with 8-bit
//! parts in a legacy charset. [`parse`] takes already-decoded text: for parts sent without a
//! transfer encoding it reads the part's text as it is (it is already Unicode), rather than
//! decoding it a second time with the declared charset.

use chrono::{DateTime, Utc};
use mail_parser::{Encoding, Message, MessageParser, MessagePart, PartType};

use crate::formats::agency::agency_in;
use crate::formats::error::{FormatError, require_text};
use crate::formats::markup::html_to_paragraphs;
use crate::formats::textutil::{collapse_ws, text_paragraphs};
use crate::formats::xml::MAX_INPUT;
use crate::model::ParsedItem;

/// Header names that, at the start of a document, mark it as an e-mail message.
const MAIL_HEADERS: &[&str] = &[
    "delivered-to",
    "received",
    "return-path",
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "x-received",
    "reply-to",
    "sender",
    "cc",
];

/// True when the text starts with an RFC 822 header block holding at least `From` or
/// `Subject` plus one other known mail header (leading blank lines are skipped).
pub fn sniff(input: &str) -> bool {
    let mut seen_from_or_subject = false;
    let mut known = 0;
    for (i, line) in input.trim_start().lines().take(200).enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            // "From sender date" mbox separator on the first line is fine.
            if i == 0 && line.starts_with("From ") {
                continue;
            }
            return false;
        }
        let lower = name.to_ascii_lowercase();
        if lower == "from" || lower == "subject" {
            seen_from_or_subject = true;
        }
        if MAIL_HEADERS.contains(&lower.as_str()) {
            known += 1;
        }
    }
    seen_from_or_subject && known >= 2
}

/// Parses an e-mail given as decoded text.
///
/// # Errors
/// See [`parse_bytes`].
pub fn parse(input: &str) -> Result<Vec<ParsedItem>, FormatError> {
    parse_impl(input.as_bytes(), true)
}

/// Parses a raw e-mail message (bytes as received).
///
/// # Errors
/// [`FormatError::WrongFormat`] when the text has no mail header block,
/// [`FormatError::Malformed`] when it cannot be parsed, [`FormatError::NoHeadline`] for an empty
/// subject and [`FormatError::NoBody`] when no text or HTML part has text.
pub fn parse_bytes(input: &[u8]) -> Result<Vec<ParsedItem>, FormatError> {
    parse_impl(input, false)
}

fn parse_impl(input: &[u8], decoded: bool) -> Result<Vec<ParsedItem>, FormatError> {
    if input.len() > MAX_INPUT {
        return Err(FormatError::Malformed(format!(
            "message of {} bytes exceeds the {MAX_INPUT} byte limit",
            input.len()
        )));
    }
    let start = input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(input.len());
    let input = &input[start..];
    if !sniff(&String::from_utf8_lossy(
        &input[..input.len().min(64 * 1024)],
    )) {
        return Err(FormatError::WrongFormat(
            "no RFC 822 header block with From/Subject".into(),
        ));
    }
    let msg = MessageParser::default()
        .parse(input)
        .ok_or_else(|| FormatError::Malformed("unparseable e-mail message".into()))?;
    let headline = msg.subject().map(collapse_ws).unwrap_or_default();
    let body = body_paragraphs(&msg, input, decoded);
    require_text(&headline, &body, true)?;
    let from = msg.from().and_then(|a| a.first());
    let byline = from
        .and_then(|a| a.name().map(collapse_ws).filter(|n| !n.is_empty()))
        .or_else(|| from.and_then(|a| a.address()).map(str::to_owned));
    let first_created = msg
        .date()
        .and_then(|d| DateTime::<Utc>::from_timestamp(d.to_timestamp(), 0));
    let language = msg
        .header_raw("Content-Language")
        .map(|l| l.split(',').next().unwrap_or("").trim().to_owned())
        .filter(|l| !l.is_empty());
    Ok(vec![ParsedItem {
        headline,
        body,
        first_created,
        agency: byline.as_deref().and_then(agency_in),
        byline,
        language,
        source_uri: msg.message_id().map(|id| id.trim().to_owned()),
        ..ParsedItem::default()
    }])
}

fn body_paragraphs(msg: &Message<'_>, raw: &[u8], decoded: bool) -> Vec<String> {
    // Plain text first, then HTML; mail-parser lists an HTML-only body under text_body too.
    let ids = msg.text_body.iter().chain(msg.html_body.iter());
    for &id in ids {
        let Some(part) = msg.parts.get(id as usize) else {
            continue;
        };
        let paras = match &part.body {
            PartType::Text(t) => text_paragraphs(part_text(part, t, raw, decoded), false),
            PartType::Html(h) => html_to_paragraphs(part_text(part, h, raw, decoded)),
            _ => Vec::new(),
        };
        if !paras.is_empty() {
            return paras;
        }
    }
    Vec::new()
}

/// The part's text: for decoded input and a part without transfer encoding, the raw (already
/// Unicode) body; otherwise mail-parser's charset-decoded text.
fn part_text<'a>(part: &MessagePart<'_>, parsed: &'a str, raw: &'a [u8], decoded: bool) -> &'a str {
    if decoded && part.encoding == Encoding::None {
        let (s, e) = (part.offset_body as usize, part.offset_end as usize);
        if let Some(bytes) = raw.get(s..e)
            && let Ok(text) = std::str::from_utf8(bytes)
            && !text.is_ascii()
        {
            return text;
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIMPLE: &str = "\r\nReturn-Path: <x@y.com>\r\nFrom: =?ISO-8859-1?Q?Jos=E9_P=E9rez?= <jose@example.com>\r\n\
Subject: =?UTF-8?B?TWFya2V0cyDigJMgdXBkYXRl?=\r\nDate: Tue, 2 Jan 2024 10:15:00 +0530\r\n\
Message-ID: <abc@example.com>\r\nContent-Language: en-GB\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\n\
Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
First para caf=E9 line=\r\n continues.\r\n\r\nSecond para.\r\n--b1\r\n\
Content-Type: text/html; charset=UTF-8\r\n\r\n<p>HTML</p>\r\n--b1--\r\n";

    #[test]
    fn reads_multipart_qp() {
        assert!(sniff(SIMPLE));
        let p = &parse(SIMPLE).unwrap()[0];
        assert_eq!(p.headline, "Markets – update");
        assert_eq!(p.byline.as_deref(), Some("José Pérez"));
        assert_eq!(
            p.body,
            vec!["First para café line continues.", "Second para."]
        );
        assert_eq!(
            p.first_created.unwrap().to_rfc3339(),
            "2024-01-02T04:45:00+00:00"
        );
        assert_eq!(p.source_uri.as_deref(), Some("abc@example.com"));
        assert_eq!(p.language.as_deref(), Some("en-GB"));
    }

    #[test]
    fn html_only_and_base64() {
        let html = "From: Reuters <news@reuters.com>\nSubject: Hi\nDate: Tue, 2 Jan 2024 10:15:00 +0000\n\
Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n\
PHA+T25lICZhbXA7IHR3bzwvcD48c2NyaXB0Png8L3NjcmlwdD48cD5UaHJlZTwvcD4=\n";
        let p = &parse(html).unwrap()[0];
        assert_eq!(p.body, vec!["One & two", "Three"]);
        assert_eq!(p.agency.as_ref().unwrap().code, "Reuters");
    }

    #[test]
    fn decoded_eight_bit_and_errors() {
        let latin =
            "From: a@b.c\nSubject: S\nContent-Type: text/plain; charset=iso-8859-1\n\nCafé crème\n";
        assert_eq!(parse(latin).unwrap()[0].body, vec!["Café crème"]);
        let raw =
            b"From: a@b.c\nSubject: S\nContent-Type: text/plain; charset=iso-8859-1\n\nCaf\xe9\n";
        assert_eq!(parse_bytes(raw).unwrap()[0].body, vec!["Café"]);
        assert_eq!(
            parse("From: a@b.c\nDate: x\n\nbody"),
            Err(FormatError::NoHeadline)
        );
        assert_eq!(
            parse("From: a@b.c\nSubject: S\n\n  \n"),
            Err(FormatError::NoBody)
        );
        assert!(matches!(parse("<rss/>"), Err(FormatError::WrongFormat(_))));
        assert!(!sniff("Headline\n\nBody text: with colon"));
    }
}
