//! The error every format parser in this crate returns.

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
