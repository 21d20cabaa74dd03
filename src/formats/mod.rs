//! Input formats: detection and one parser per format.
//!
//! [`detect`] looks at a record's bytes (and an optional explicit format from a record header) and
//! names the format; each submodule turns that format into [`ParsedItem`]s. Parsers are pure and
//! never panic: every failure is an error with a reason, which the stage turns into a dead letter.

pub mod agency;
pub mod anpa;
pub mod ap_json;
pub mod charset;
pub mod email;
pub mod entities;
pub mod envelope;
pub mod error;
pub mod feed;
pub mod iptc7901;
mod json;
pub mod markup;
pub mod newsml1;
pub mod newsml_g2;
pub mod ninjs_json;
pub mod nitf;
pub mod reuters_sgml;
pub mod scraped;
pub mod textutil;
pub(crate) mod xml;

use std::borrow::Cow;

pub use agency::agency_from_credit;
pub use error::FormatError;

use crate::model::{ParsedItem, SourceFormat};

/// Why a record's format could not be determined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    /// No bytes, or only whitespace.
    #[error("empty record")]
    Empty,
    /// NUL bytes or other binary content.
    #[error("binary content ({0})")]
    Binary(String),
    /// Text in a shape no parser reads.
    #[error("unknown format: {0}")]
    Unknown(String),
    /// A document that is recognisably not a news item (an HTML page).
    #[error("not a news item: {0}")]
    NotNews(String),
    /// The format header names a format this build does not know.
    #[error("unknown format named in header: {0:?}")]
    UnknownHint(String),
}

/// A record decoded to text, with its format.
#[derive(Debug)]
pub struct Detected<'a> {
    /// The format the record is in.
    pub format: SourceFormat,
    /// The record as UTF-8 text (control characters kept: some formats frame with them).
    pub text: Cow<'a, str>,
    /// The character set the bytes were decoded from.
    pub charset: &'static str,
}

/// Decodes the record as text (declared charset, else UTF-8, else detected) and names its
/// format from its content: XML root and namespace, JSON shape, ANPA / IPTC 7901 framing, e-mail
/// headers; anything else that is text is read as a scraped page.
///
/// `hint` is the value of the record's format header, when present; it overrides detection.
///
/// # Errors
/// [`DetectError`] for empty, binary or unrecognised records.
pub fn detect<'a>(bytes: &'a [u8], hint: Option<&str>) -> Result<Detected<'a>, DetectError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DetectError::Empty);
    }
    let (text, charset) = match charset::decode(bytes, charset::declared_charset(bytes)) {
        Ok(decoded) => decoded,
        Err(charset::DecodeError::Empty) => return Err(DetectError::Empty),
        Err(charset::DecodeError::Binary(why)) => return Err(DetectError::Binary(why)),
    };
    let format = match hint {
        Some(hint) => SourceFormat::from_name(hint)
            .ok_or_else(|| DetectError::UnknownHint(hint.to_owned()))?,
        None => sniff(&text)?,
    };
    Ok(Detected {
        format,
        text,
        charset,
    })
}

/// Names the format of decoded text.
fn sniff(text: &str) -> Result<SourceFormat, DetectError> {
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    match trimmed.as_bytes().first() {
        Some(b'{' | b'[') => {
            if ap_json::sniff(trimmed) {
                Ok(SourceFormat::ApJson)
            } else if ninjs_json::sniff(trimmed) {
                Ok(SourceFormat::Ninjs)
            } else if envelope::looks_like(trimmed) {
                Ok(SourceFormat::JsonEnvelope)
            } else if scraped::starts_with_markdown_link(trimmed) {
                Ok(SourceFormat::ScrapedText)
            } else {
                Err(DetectError::Unknown(
                    "JSON document of unknown shape".into(),
                ))
            }
        }
        Some(b'<') => {
            if reuters_sgml::sniff(trimmed) {
                Ok(SourceFormat::ReutersSgml)
            } else if newsml_g2::sniff(trimmed) {
                Ok(SourceFormat::NewsmlG2)
            } else if newsml1::sniff(trimmed) {
                Ok(SourceFormat::Newsml1)
            } else if nitf::sniff(trimmed) {
                Ok(SourceFormat::Nitf)
            } else if feed::sniff(trimmed) {
                Ok(SourceFormat::Feed)
            } else if scraped::html::looks_like_html(trimmed) {
                // A page: news when an article is found in it (see `scraped::html`).
                Ok(SourceFormat::ScrapedText)
            } else {
                let root = xml::root_name(trimmed).map(|(name, _)| name);
                Err(DetectError::Unknown(match root {
                    Some(root) => format!("XML vocabulary <{root}> is not a supported news format"),
                    None => "markup that is neither a supported XML format nor a page".into(),
                }))
            }
        }
        _ if anpa::sniff(text) => Ok(SourceFormat::Anpa),
        _ if iptc7901::sniff(text) => Ok(SourceFormat::Iptc7901),
        Some(0x01 | 0x16) => Err(DetectError::Unknown(
            "control-framed wire text that is neither ANPA-1312 nor IPTC 7901".into(),
        )),
        _ if email::sniff(text) => Ok(SourceFormat::Email),
        _ => Ok(SourceFormat::ScrapedText),
    }
}

/// Parses decoded text of a known format. `bytes` is the raw record, for formats that decode
/// parts themselves (e-mail parts in their own charsets).
///
/// # Errors
/// [`FormatError`] when the document cannot become news items.
pub fn parse(
    format: SourceFormat,
    detected: &Detected<'_>,
    bytes: &[u8],
) -> Result<Vec<ParsedItem>, FormatError> {
    let text = detected.text.as_ref();
    match format {
        SourceFormat::ScrapedText if !text.chars().any(char::is_lowercase) => {
            Err(FormatError::NotNews(
                "text without a lower-case letter: a ticker or listing, not prose".into(),
            ))
        }
        SourceFormat::ScrapedText => scraped::parse(text).map(|i| vec![i]).map_err(|e| match e {
            scraped::ScrapeError::Empty => FormatError::Malformed("empty page".into()),
            scraped::ScrapeError::NotText(why) => FormatError::WrongFormat(why.into()),
            scraped::ScrapeError::NoHeadline => FormatError::NoHeadline,
            scraped::ScrapeError::NoBody => FormatError::NoBody,
            scraped::ScrapeError::NotArticle => FormatError::NotNews(e.to_string()),
        }),
        SourceFormat::JsonEnvelope => envelope::parse(text)
            .map(|i| vec![i])
            .map_err(|e| FormatError::Malformed(e.to_string())),
        SourceFormat::NewsmlG2 => newsml_g2::parse(text),
        SourceFormat::Newsml1 => newsml1::parse(text),
        SourceFormat::Nitf => nitf::parse(text),
        SourceFormat::Feed => feed::parse(text),
        SourceFormat::Ninjs => ninjs_json::parse(text),
        SourceFormat::ApJson => ap_json::parse(text),
        SourceFormat::Anpa => anpa::parse(text),
        SourceFormat::Iptc7901 => iptc7901::parse(text),
        SourceFormat::ReutersSgml => reuters_sgml::parse(text),
        SourceFormat::Email if detected.charset == "UTF-8" => email::parse(text),
        SourceFormat::Email => email::parse_bytes(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(bytes: &[u8]) -> Result<SourceFormat, DetectError> {
        detect(bytes, None).map(|d| d.format)
    }

    #[test]
    fn detects_by_content_and_hint() {
        let cases: &[(&[u8], SourceFormat)] = &[
            (b"Headline\n\nBody", SourceFormat::ScrapedText),
            (br#" {"headline":"x"}"#, SourceFormat::JsonEnvelope),
            (br#"{"uri":"urn:x","headlines":[{"value":"h"}]}"#, SourceFormat::Ninjs),
            (br#"<?xml version="1.0"?><newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"/>"#, SourceFormat::NewsmlG2),
            (br#"<nitf><head/></nitf>"#, SourceFormat::Nitf),
            (br#"<NewsML Version="1.2"/>"#, SourceFormat::Newsml1),
            (br#"<rss version="2.0"><channel/></rss>"#, SourceFormat::Feed),
            (b"From: desk@example.org\nSubject: Budget passed\nDate: Tue, 1 Jul 2025 10:00:00 +0000\n\nText", SourceFormat::Email),
            (b"\x01\x02text\x03", SourceFormat::Iptc7901),
            (b"<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n<REUTERS NEWID=\"1\">", SourceFormat::ReutersSgml),
        ];
        for (bytes, expected) in cases {
            assert_eq!(
                format(bytes),
                Ok(*expected),
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
        assert_eq!(
            &*detect(b"\xEF\xBB\xBFHeadline", None).unwrap().text,
            "Headline"
        );
        assert_eq!(
            detect(br#"{"headline":"x"}"#, Some("scraped-text"))
                .unwrap()
                .format,
            SourceFormat::ScrapedText
        );
    }

    #[test]
    fn decodes_legacy_charsets() {
        let d = detect(b"Caf\xe9 au lait \x96 a headline\n\nand a body", None).unwrap();
        assert!(d.text.contains("Café"), "{}", d.text);
        assert_ne!(d.charset, "UTF-8");
    }

    #[test]
    fn rejects_what_no_parser_reads() {
        assert_eq!(format(b"  \n "), Err(DetectError::Empty));
        assert!(matches!(format(b"ab\0cd"), Err(DetectError::Binary(_))));
        assert!(matches!(
            format(b"<planning/>"),
            Err(DetectError::Unknown(_))
        ));
        let page = b"<!DOCTYPE html><html><body>404</body></html>";
        assert_eq!(format(page), Ok(SourceFormat::ScrapedText));
        let detected = detect(page, None).unwrap();
        assert!(matches!(
            parse(detected.format, &detected, page),
            Err(FormatError::NotNews(_))
        ));
        assert!(matches!(format(b"[1,2]"), Err(DetectError::Unknown(_))));
        assert!(matches!(
            detect(b"x", Some("klingon")),
            Err(DetectError::UnknownHint(_))
        ));
    }
}
