//! Why a text could not be read as a scraped story.

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
