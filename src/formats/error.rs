//! The error every format parser in this crate returns, the error a document of several items
//! reports, and the headline and body check every parser makes.

use crate::model::ParsedItem;

/// Why a document could not be turned into news items.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum FormatError {
    /// The document is not well-formed (bad or truncated XML, broken MIME, too deep, too large).
    #[error("malformed document: {0}")]
    Malformed(String),
    /// The document is well-formed but carries no news text (pictures, video, packages,
    /// planning, events, concept items, an HTML page, an empty feed).
    #[error("not a news item: {0}")]
    NotNews(String),
    /// A news item without any headline.
    #[error("news item has no headline")]
    NoHeadline,
    /// A news item without any body text.
    #[error("news item has no body text")]
    NoBody,
    /// The document is of another format than the parser reads.
    #[error("wrong format: {0}")]
    WrongFormat(String),
}

/// Keeps the successful items; with none, returns the most telling error (a real failure wins
/// over "not news").
pub(crate) fn collect(
    results: impl Iterator<Item = Result<ParsedItem, FormatError>>,
) -> Result<Vec<ParsedItem>, FormatError> {
    let mut ok = Vec::new();
    let mut first_err: Option<FormatError> = None;
    for r in results {
        match r {
            Ok(item) => ok.push(item),
            Err(e) => {
                let replace = match (&first_err, &e) {
                    (None, _) => true,
                    (Some(FormatError::NotNews(_)), FormatError::NotNews(_)) => false,
                    (Some(FormatError::NotNews(_)), _) => true,
                    _ => false,
                };
                if replace {
                    first_err = Some(e);
                }
            }
        }
    }
    if ok.is_empty() {
        Err(first_err.unwrap_or_else(|| FormatError::Malformed("no items".into())))
    } else {
        Ok(ok)
    }
}

/// The check every parser makes before handing an item on: [`FormatError::NoHeadline`] for an
/// empty headline, then, where a format has no headline-only alerts (`needs_body`),
/// [`FormatError::NoBody`] for an empty body.
pub(crate) fn require_text(
    headline: &str,
    body: &[String],
    needs_body: bool,
) -> Result<(), FormatError> {
    if headline.is_empty() {
        return Err(FormatError::NoHeadline);
    }
    if needs_body && body.is_empty() {
        return Err(FormatError::NoBody);
    }
    Ok(())
}
