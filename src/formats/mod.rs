//! Input formats: detection and one parser per format.
//!
//! [`detect`] looks at a record's bytes (and an optional explicit format from a record header) and
//! names the format; each submodule turns that format into [`ParsedItem`]s. Parsers are pure and
//! never panic: every failure is an error with a reason, which the stage turns into a dead letter.

pub mod envelope;
pub mod scraped;

use crate::model::{Agency, SourceFormat};

/// Why a record's format could not be determined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    /// No bytes, or only whitespace.
    #[error("empty record")]
    Empty,
    /// NUL bytes or other binary content.
    #[error("binary content ({0})")]
    Binary(String),
    /// Not valid UTF-8 and not text in a known legacy charset.
    #[error("undecodable text: {0}")]
    Encoding(String),
    /// Text in a shape no parser reads.
    #[error("unknown format: {0}")]
    Unknown(String),
    /// The format header names a format this build does not know.
    #[error("unknown format named in header: {0:?}")]
    UnknownHint(String),
}

/// Decodes the record as text and names its format.
///
/// `hint` is the value of the record's format header, when present; it overrides detection.
///
/// # Errors
/// [`DetectError`] for empty, binary, undecodable or unrecognised records.
pub fn detect<'a>(
    bytes: &'a [u8],
    hint: Option<&str>,
) -> Result<(SourceFormat, &'a str), DetectError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DetectError::Empty);
    }
    if let Some(pos) = memchr_nul(bytes) {
        return Err(DetectError::Binary(format!("NUL byte at {pos}")));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| DetectError::Encoding(e.to_string()))?;
    if let Some(hint) = hint {
        return SourceFormat::from_name(hint)
            .map(|f| (f, text))
            .ok_or_else(|| DetectError::UnknownHint(hint.to_owned()));
    }
    let trimmed = text.trim_start();
    match trimmed.as_bytes().first() {
        Some(b'{') if envelope::looks_like(trimmed) => Ok((SourceFormat::JsonEnvelope, text)),
        Some(b'{' | b'[') => Err(DetectError::Unknown(
            "JSON document of unknown shape".into(),
        )),
        Some(b'<') => Err(DetectError::Unknown("XML or HTML document".into())),
        _ => Ok((SourceFormat::ScrapedText, text)),
    }
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}

/// (as printed, code, full name), full names first so they win over codes.
pub(crate) const AGENCIES: &[(&str, &str, &str)] = &[
    ("Press Trust of India", "PTI", "Press Trust of India"),
    (
        "Asian News International",
        "ANI",
        "Asian News International",
    ),
    ("Indo-Asian News Service", "IANS", "Indo-Asian News Service"),
    ("Indo Asian News Service", "IANS", "Indo-Asian News Service"),
    ("United News of India", "UNI", "United News of India"),
    ("Agence France-Presse", "AFP", "Agence France-Presse"),
    ("Agence France Presse", "AFP", "Agence France-Presse"),
    ("The Associated Press", "AP", "Associated Press"),
    ("Associated Press", "AP", "Associated Press"),
    ("Reuters", "Reuters", "Reuters"),
    ("REUTERS", "Reuters", "Reuters"),
    ("Bloomberg", "Bloomberg", "Bloomberg"),
    ("PTI", "PTI", "Press Trust of India"),
    ("ANI", "ANI", "Asian News International"),
    ("IANS", "IANS", "Indo-Asian News Service"),
    ("UNI", "UNI", "United News of India"),
    ("AFP", "AFP", "Agence France-Presse"),
    ("AP", "AP", "Associated Press"),
];

/// Resolves an agency credit ("AP", "Press Trust of India", "By PTI", "(Reuters)") to a known
/// agency.
pub fn agency_from_credit(credit: &str) -> Option<Agency> {
    let credit = credit.trim();
    let credit = credit.strip_prefix("By ").unwrap_or(credit);
    let credit = credit.trim_matches(|c: char| c == '(' || c == ')').trim();
    AGENCIES
        .iter()
        .find(|(printed, _, _)| printed.eq_ignore_ascii_case(credit))
        .map(|(_, code, name)| Agency {
            code: (*code).to_owned(),
            name: (*name).to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content_and_hint() {
        assert_eq!(
            detect(b"Headline\n\nBody", None).unwrap().0,
            SourceFormat::ScrapedText
        );
        assert_eq!(
            detect(br#" {"headline":"x"}"#, None).unwrap().0,
            SourceFormat::JsonEnvelope
        );
        assert_eq!(detect(b"\xEF\xBB\xBFHeadline", None).unwrap().1, "Headline");
        assert_eq!(
            detect(br#"{"headline":"x"}"#, Some("scraped-text"))
                .unwrap()
                .0,
            SourceFormat::ScrapedText
        );
    }

    #[test]
    fn rejects_what_no_parser_reads() {
        assert_eq!(detect(b"  \n ", None), Err(DetectError::Empty));
        assert!(matches!(
            detect(b"ab\0cd", None),
            Err(DetectError::Binary(_))
        ));
        assert!(matches!(
            detect(b"caf\xe9 \xff\xfe", None),
            Err(DetectError::Encoding(_))
        ));
        assert!(matches!(
            detect(b"<rss/>", None),
            Err(DetectError::Unknown(_))
        ));
        assert!(matches!(
            detect(b"[1,2]", None),
            Err(DetectError::Unknown(_))
        ));
        assert!(matches!(
            detect(b"x", Some("klingon")),
            Err(DetectError::UnknownHint(_))
        ));
    }

    #[test]
    fn resolves_agency_credits() {
        assert_eq!(agency_from_credit("AP").unwrap().name, "Associated Press");
        assert_eq!(
            agency_from_credit("Press Trust of India").unwrap().code,
            "PTI"
        );
        assert_eq!(agency_from_credit("By PTI").unwrap().code, "PTI");
        assert_eq!(agency_from_credit("(Reuters)").unwrap().code, "Reuters");
        assert!(agency_from_credit("Sudheer Pal Singh").is_none());
    }
}
