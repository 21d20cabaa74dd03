//! Plain data that flows through the pipeline: what a parser extracts from one raw item
//! ([`ParsedItem`]) and the enriched article the stages pass on ([`Article`]).
//!
//! Nothing here knows about Kafka or JSON layouts; [`crate::ninjs`] renders an [`Article`] as
//! IPTC ninjs, and the keyed topic carries the [`Article`] in its own serde form.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub(crate) mod times;

/// Which input format an item was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// An agency story republished by an outlet and scraped to plain text (the seed's format).
    ScrapedText,
    /// The JSON envelope `{"headline": ..., "body": ..., "published": ...}`.
    JsonEnvelope,
    /// IPTC NewsML-G2 (`newsMessage` or `newsItem`).
    NewsmlG2,
    /// IPTC NewsML 1.x.
    Newsml1,
    /// NITF 2.x / 3.x.
    Nitf,
    /// RSS 0.9x / 1.0 / 2.0 or Atom.
    Feed,
    /// IPTC ninjs 1.x-3.x JSON.
    Ninjs,
    /// AP Media API or dpa digitalwires JSON.
    ApJson,
    /// ANPA-1312 (and AAP "ZCZC") wire text.
    Anpa,
    /// IPTC 7901 wire text.
    Iptc7901,
    /// RFC 822 / MIME e-mail.
    Email,
    /// Reuters-21578 SGML: many `<REUTERS>` documents per file.
    ReutersSgml,
}

/// Every format, in the order they are listed to users.
pub const ALL_FORMATS: &[SourceFormat] = &[
    SourceFormat::ScrapedText,
    SourceFormat::JsonEnvelope,
    SourceFormat::NewsmlG2,
    SourceFormat::Newsml1,
    SourceFormat::Nitf,
    SourceFormat::Feed,
    SourceFormat::Ninjs,
    SourceFormat::ApJson,
    SourceFormat::Anpa,
    SourceFormat::Iptc7901,
    SourceFormat::Email,
    SourceFormat::ReutersSgml,
];

impl SourceFormat {
    /// The short name used in headers, metrics labels and the `--format` override.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::ScrapedText => "scraped-text",
            SourceFormat::JsonEnvelope => "json-envelope",
            SourceFormat::NewsmlG2 => "newsml-g2",
            SourceFormat::Newsml1 => "newsml-1",
            SourceFormat::Nitf => "nitf",
            SourceFormat::Feed => "feed",
            SourceFormat::Ninjs => "ninjs",
            SourceFormat::ApJson => "ap-json",
            SourceFormat::Anpa => "anpa-1312",
            SourceFormat::Iptc7901 => "iptc-7901",
            SourceFormat::Email => "email",
            SourceFormat::ReutersSgml => "reuters-sgml",
        }
    }

    /// Parses a format name as written by [`SourceFormat::as_str`].
    /// Also accepts a few common aliases and MIME types (`text/plain`, `application/nitf+xml`).
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim().to_ascii_lowercase();
        if let Some(f) = ALL_FORMATS.iter().find(|f| f.as_str() == name) {
            return Some(*f);
        }
        Some(match name.as_str() {
            "text" | "text/plain" => SourceFormat::ScrapedText,
            "json" | "application/json" => SourceFormat::JsonEnvelope,
            "newsml" | "newsmlg2" | "application/vnd.iptc.g2.newsitem+xml" => {
                SourceFormat::NewsmlG2
            }
            "newsml1" | "newsml-1.2" => SourceFormat::Newsml1,
            "application/nitf+xml" => SourceFormat::Nitf,
            "rss" | "atom" | "application/rss+xml" | "application/atom+xml" => SourceFormat::Feed,
            "application/ninjs+json" => SourceFormat::Ninjs,
            "anpa" | "anpa1312" => SourceFormat::Anpa,
            "iptc7901" | "7901" => SourceFormat::Iptc7901,
            "rfc822" | "message/rfc822" => SourceFormat::Email,
            "reuters21578" | "reuters-21578" | "sgml" => SourceFormat::ReutersSgml,
            _ => return None,
        })
    }
}

/// A news agency credited for a story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    /// The agency's short code as printed in credits ("AP", "PTI", "Reuters").
    pub code: String,
    /// The agency's full name ("Associated Press").
    pub name: String,
}

/// A picture that accompanies the story.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picture {
    /// The caption text, without the credit.
    pub caption: String,
    /// Who the picture is credited to ("Shutterstock", "AP/PTI").
    pub credit: Option<String>,
}

/// Everything a format parser could read from one item, before enrichment.
///
/// Parsers fill what their format carries and leave the rest empty; enrichment never invents
/// values a parser could not find.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ParsedItem {
    /// Main headline.
    pub headline: String,
    /// Dek / standfirst / summary line.
    pub summary: Option<String>,
    /// Body paragraphs, boilerplate removed, in order.
    pub body: Vec<String>,
    /// When the story was first published (UTC).
    #[serde(
        default,
        serialize_with = "times::write_opt_time",
        deserialize_with = "times::opt_time"
    )]
    pub first_created: Option<DateTime<Utc>>,
    /// When this version of the story was last updated (UTC).
    #[serde(
        default,
        serialize_with = "times::write_opt_time",
        deserialize_with = "times::opt_time"
    )]
    pub version_created: Option<DateTime<Utc>>,
    /// The page's date line (e.g. `date 2025-08-20`), when the item carries one.
    pub item_date: Option<NaiveDate>,
    /// The section the outlet filed the story under ("World News").
    pub section: Option<String>,
    /// The breadcrumb trail, outermost first (["Home", "World News"]).
    pub breadcrumb: Vec<String>,
    /// Tag-line keywords ("Russia Ukraine conflict").
    pub keywords: Vec<String>,
    /// Topics / tags the outlet attached.
    pub topics: Vec<String>,
    /// Accompanying picture.
    pub picture: Option<Picture>,
    /// Credited agency.
    pub agency: Option<Agency>,
    /// A staff or agency byline ("Reuters", "Sudheer Pal Singh").
    pub byline: Option<String>,
    /// The dateline place ("Kyiv").
    pub dateline: Option<String>,
    /// The outlet that published the page ("Business Standard").
    pub publisher: Option<String>,
    /// True when the page says it carries syndicated agency copy.
    pub syndicated: bool,
    /// Reading time the page states, in minutes.
    pub read_time_minutes: Option<u32>,
    /// Language code the source declares (BCP 47), if any.
    pub language: Option<String>,
    /// The source's own identifier (ninjs `uri`, NewsML guid, ...), if any.
    pub source_uri: Option<String>,
    /// The source's own version number, if any.
    pub source_version: Option<u32>,
    /// Places the source lists for the item (names), resolved with the places found in the text.
    #[serde(default)]
    pub places: Vec<String>,
    /// The source's priority, 1 = most urgent (ninjs `urgency`; ANPA/IPTC 7901 priority).
    #[serde(default)]
    pub urgency: Option<u8>,
}

/// A place mentioned in an article, resolved against the gazetteer where possible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// The name as it appears in the text.
    pub name: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country_code: Option<String>,
    /// Latitude, longitude in degrees.
    pub coordinates: Option<(f64, f64)>,
}

/// Named entities found in an article's text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entities {
    /// People, by the most complete name found.
    pub people: Vec<String>,
    /// Organisations.
    pub organisations: Vec<String>,
    /// Places.
    pub places: Vec<Place>,
}

/// A parsed and enriched article: what the parse stage writes to the keyed topic and the dedup
/// stage turns into ninjs for the articles topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id: a URN derived from the dedup key and first publication time.
    pub id: String,
    /// Normalised headline used to group copies of one story.
    pub dedup_key: String,
    /// Event time used by dedup: first-created, else version-created.
    #[serde(serialize_with = "times::write_time", deserialize_with = "times::time")]
    pub published: DateTime<Utc>,
    /// Version number (1 for the first emission, +1 per update).
    pub version: u32,
    /// 64-bit SimHash of the body text.
    pub fingerprint: u64,
    /// Near-duplicate annotation: the id of the first copy, when this one is a reworked copy.
    pub near_duplicate_of: Option<String>,
    /// Detected or declared language (BCP 47 / ISO 639-1).
    pub language: Option<String>,
    /// Words in the body.
    pub word_count: u32,
    /// Characters in the body.
    pub char_count: u32,
    /// Reading time in minutes (stated by the page, else estimated).
    pub read_time_minutes: u32,
    /// Entities found in the text.
    pub entities: Entities,
    /// The format the item came in.
    pub format: SourceFormat,
    /// What the parser extracted.
    pub item: ParsedItem,
    /// The source's priority, 1 = most urgent (ninjs `urgency`).
    #[serde(default)]
    pub urgency: Option<u8>,
    /// A headline-only alert, flash or bulletin: news without a body (yet).
    #[serde(default)]
    pub alert: bool,
}
