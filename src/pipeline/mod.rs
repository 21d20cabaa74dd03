//! The pure core of both stages: bytes in, decisions out. No tokio, no rdkafka.
//!
//! - [`parse_record`]: one raw record → the articles it holds, or a [`Rejection`] with a reason
//!   (the parse stage's whole job, minus I/O).
//! - [`key`]: dedup keys and article ids.
//! - [`dedup`]: the dedup stage's per-partition decisions.

pub mod dedup;
pub mod key;
pub mod neardup;

use chrono::{DateTime, Utc};

use crate::enrich;
use crate::formats::{self, DetectError, FormatError};
use crate::model::{Article, ParsedItem, SourceFormat};

/// A raw record as the parse stage sees it.
#[derive(Debug, Clone, Copy)]
pub struct RawInput<'a> {
    /// The record value, untouched.
    pub payload: &'a [u8],
    /// The format named by the record's format header, if any.
    pub format_hint: Option<&'a str>,
    /// The record's own timestamp; used as the publication time of items that carry none, since
    /// it stays the same on every replay.
    pub record_time: Option<DateTime<Utc>>,
}

/// Limits and house rules applied while parsing.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Records larger than this are rejected unread.
    pub max_item_bytes: usize,
    /// Body paragraphs starting with one of these phrases (compared case-insensitively) are
    /// dropped: an outlet's own boilerplate that the built-in rules do not know yet. Lower-cased.
    pub drop_paragraphs: std::sync::Arc<[String]>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_item_bytes: 4 * 1024 * 1024,
            drop_paragraphs: std::sync::Arc::from(Vec::new()),
        }
    }
}

impl ParseOptions {
    /// Options with the given size limit and boilerplate phrases.
    pub fn new(max_item_bytes: usize, drop_paragraphs: &[String]) -> Self {
        ParseOptions {
            max_item_bytes,
            drop_paragraphs: drop_paragraphs
                .iter()
                .map(|p| p.trim().to_lowercase())
                .filter(|p| !p.is_empty())
                .collect(),
        }
    }

    /// Drops the paragraphs that start with a configured boilerplate phrase.
    fn strip_boilerplate(&self, item: &mut ParsedItem) {
        if self.drop_paragraphs.is_empty() {
            return;
        }
        item.body.retain(|p| {
            let head: String = p.chars().take(200).collect::<String>().to_lowercase();
            !self
                .drop_paragraphs
                .iter()
                .any(|d| head.starts_with(d.as_str()))
        });
    }
}

/// Why a record became a dead letter: a stable, low-cardinality code (used in the dead letter's
/// `wirefeed.reason` header and as a metrics label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectReason {
    /// No content.
    Empty,
    /// Binary content.
    Binary,
    /// A record larger than `max_item_bytes`.
    TooLarge,
    /// A shape no parser reads.
    UnknownFormat,
    /// A known format, but broken (invalid JSON, truncated XML, ...).
    Malformed,
    /// An item without a usable headline.
    NoHeadline,
    /// An item without body text.
    NoBody,
    /// An item without any publication time, and a record without a timestamp.
    NoTimestamp,
    /// A record that is not a news item (planning, calendar, error page).
    NotNews,
    /// An article whose output record would exceed the producer's size limit.
    OutputTooLarge,
    /// A keyed-topic record the dedup stage cannot read.
    BadKeyedRecord,
    /// A record on which a parser panicked (a bug in wirefeed, kept from stopping the stage).
    ParserPanic,
    /// An output the broker refused for good for another reason than its size.
    RejectedByBroker,
}

impl RejectReason {
    /// The code as written in headers and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::Empty => "empty",
            RejectReason::Binary => "binary",
            RejectReason::TooLarge => "too-large",
            RejectReason::UnknownFormat => "unknown-format",
            RejectReason::Malformed => "malformed",
            RejectReason::NoHeadline => "no-headline",
            RejectReason::NoBody => "no-body",
            RejectReason::NoTimestamp => "no-timestamp",
            RejectReason::NotNews => "not-news",
            RejectReason::OutputTooLarge => "output-too-large",
            RejectReason::BadKeyedRecord => "bad-keyed-record",
            RejectReason::ParserPanic => "parser-panic",
            RejectReason::RejectedByBroker => "rejected-by-broker",
        }
    }
}

/// A record that cannot become an article, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {detail}", reason.as_str())]
pub struct Rejection {
    /// Machine-readable reason.
    pub reason: RejectReason,
    /// Human-readable detail.
    pub detail: String,
}

impl Rejection {
    /// A rejection with a reason and detail.
    pub fn new(reason: RejectReason, detail: impl Into<String>) -> Self {
        Rejection {
            reason,
            detail: detail.into(),
        }
    }
}

impl From<DetectError> for Rejection {
    fn from(e: DetectError) -> Self {
        let reason = match e {
            DetectError::Empty => RejectReason::Empty,
            DetectError::Binary(_) => RejectReason::Binary,
            DetectError::NotNews(_) => RejectReason::NotNews,
            DetectError::Unknown(_) | DetectError::UnknownHint(_) => RejectReason::UnknownFormat,
        };
        Rejection::new(reason, e.to_string())
    }
}

/// What one raw record became: its articles, and the items of it that could not become one.
#[derive(Debug)]
pub struct ParsedRecord {
    /// Articles, at least one.
    pub articles: Vec<Article>,
    /// Items of a multi-item document (a feed) that were rejected, with their reasons.
    pub rejected_items: Vec<Rejection>,
    /// Items whose last-update time lay more than [`FUTURE_UPDATE_SKEW`] after the record's
    /// timestamp and was clamped to it.
    pub clamped_updates: usize,
}

/// How far an item's last-update time may lie after its record's timestamp. Later than that it
/// is wrong (a zone mistake, a bad clock): it would make every real correction look stale, so
/// it is clamped to the record's timestamp.
pub const FUTURE_UPDATE_SKEW: chrono::Duration = chrono::Duration::hours(1);

/// Clamps an item's last-update time that lies more than [`FUTURE_UPDATE_SKEW`] after
/// `record_time` to `record_time`; returns whether it did.
pub fn clamp_future_update(item: &mut ParsedItem, record_time: Option<DateTime<Utc>>) -> bool {
    match (item.version_created, record_time) {
        (Some(updated), Some(record)) if updated > record + FUTURE_UPDATE_SKEW => {
            item.version_created = Some(record);
            true
        }
        _ => false,
    }
}

/// Parses and enriches one raw record into the articles it holds (at least one). In a document
/// with several items (a feed) the items that fail are left out; [`parse_record_detailed`] reports
/// them.
///
/// # Errors
/// A [`Rejection`] naming why the record cannot become an article.
pub fn parse_record(
    input: RawInput<'_>,
    options: &ParseOptions,
) -> Result<Vec<Article>, Rejection> {
    parse_record_detailed(input, options).map(|p| p.articles)
}

/// Parses and enriches one raw record, reporting items that were rejected inside a document that
/// also produced articles.
///
/// # Errors
/// A [`Rejection`] when the record produces no article at all (the first item's reason when every
/// item failed).
pub fn parse_record_detailed(
    input: RawInput<'_>,
    options: &ParseOptions,
) -> Result<ParsedRecord, Rejection> {
    if input.payload.len() > options.max_item_bytes {
        return Err(Rejection::new(
            RejectReason::TooLarge,
            format!(
                "{} bytes exceeds the limit of {}",
                input.payload.len(),
                options.max_item_bytes
            ),
        ));
    }
    let detected = formats::detect(input.payload, input.format_hint)?;
    let format = detected.format;
    let items = formats::parse(format, &detected, input.payload)
        .map_err(|e| format_rejection(format, &e))?;
    let mut articles = Vec::with_capacity(items.len());
    let mut rejected_items = Vec::new();
    let mut clamped_updates = 0;
    for mut item in items {
        options.strip_boilerplate(&mut item);
        clamped_updates += usize::from(clamp_future_update(&mut item, input.record_time));
        match enrich_item(item, format, input.record_time) {
            Ok(a) => articles.push(a),
            Err(r) => rejected_items.push(r),
        }
    }
    if articles.is_empty() {
        return Err(rejected_items.into_iter().next().unwrap_or_else(|| {
            Rejection::new(RejectReason::NotNews, "the document holds no news items")
        }));
    }
    Ok(ParsedRecord {
        articles,
        rejected_items,
        clamped_updates,
    })
}

fn format_rejection(format: SourceFormat, e: &FormatError) -> Rejection {
    let reason = match e {
        FormatError::Malformed(_) => RejectReason::Malformed,
        FormatError::NotNews(_) => RejectReason::NotNews,
        FormatError::NoHeadline => RejectReason::NoHeadline,
        FormatError::NoBody => RejectReason::NoBody,
        FormatError::WrongFormat(_) => RejectReason::UnknownFormat,
    };
    Rejection::new(reason, format!("{}: {e}", format.as_str()))
}

/// Turns a parsed item into an article: dedup key, event time, fingerprint, language, counts and
/// entities. The id is provisional (the dedup stage confirms it against its state).
///
/// # Errors
/// [`RejectReason::NoHeadline`], [`RejectReason::NoBody`] or [`RejectReason::NoTimestamp`] when the
/// item lacks what dedup needs.
pub fn enrich_item(
    item: ParsedItem,
    format: SourceFormat,
    record_time: Option<DateTime<Utc>>,
) -> Result<Article, Rejection> {
    let dedup_key = key::dedup_key(&item.headline);
    if dedup_key.is_empty() {
        return Err(Rejection::new(
            RejectReason::NoHeadline,
            "the headline has no letters or digits",
        ));
    }
    // Wire formats send alerts, flashes and bulletins as a headline alone: news, not a broken
    // item. A scraped page or a hand-made envelope without a body is broken.
    let alert = item.body.is_empty();
    if alert && !carries_alerts(format) {
        return Err(Rejection::new(
            RejectReason::NoBody,
            "the item has no body text",
        ));
    }
    let published = item
        .first_created
        .or(item.version_created)
        .or(record_time)
        .ok_or_else(|| {
            Rejection::new(
                RejectReason::NoTimestamp,
                "no publication time and no record timestamp",
            )
        })?;
    // One scan of headline, summary and body serves the counts, the SimHash and the entities.
    let mut texts: Vec<&str> = Vec::with_capacity(item.body.len() + 2);
    texts.push(&item.headline);
    if let Some(summary) = &item.summary {
        texts.push(summary);
    }
    let body_from = texts.len();
    texts.extend(item.body.iter().map(String::as_str));
    let scan = enrich::TextScan::new(texts);
    let stats = enrich::body_stats_scanned(&scan, body_from);
    let (word_count, char_count) = (stats.words, stats.chars);
    // An alert's only text is its headline.
    let sample = if alert {
        item.headline.clone()
    } else {
        language_sample(&item.body)
    };
    let language = item
        .language
        .clone()
        .or_else(|| enrich::detect_language(&sample).map(str::to_owned));
    let mut entities = enrich::EntityMatcher::global().find_scanned(&scan);
    add_listed_places(&mut entities, &item.places);
    Ok(Article {
        id: key::article_id(&dedup_key, published),
        dedup_key,
        published,
        version: 1,
        fingerprint: stats.fingerprint,
        near_duplicate_of: None,
        language,
        word_count,
        char_count,
        read_time_minutes: item
            .read_time_minutes
            .unwrap_or_else(|| enrich::reading_minutes(word_count)),
        entities,
        format,
        urgency: item.urgency,
        alert,
        item,
    })
}

/// True for the wire formats whose headline-only items are alerts.
fn carries_alerts(format: SourceFormat) -> bool {
    !matches!(
        format,
        SourceFormat::ScrapedText
            | SourceFormat::JsonEnvelope
            | SourceFormat::Feed
            | SourceFormat::Email
    )
}

/// Adds the places a source lists that the text did not name, resolved against the gazetteer
/// where it knows them.
fn add_listed_places(entities: &mut crate::model::Entities, listed: &[String]) {
    for name in listed {
        if entities
            .places
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(name))
        {
            continue;
        }
        let place = enrich::EntityMatcher::global()
            .find(&[name.as_str()])
            .places
            .into_iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .unwrap_or_else(|| crate::model::Place {
                name: name.clone(),
                country_code: None,
                coordinates: None,
            });
        entities.places.push(place);
    }
}

/// The opening paragraphs, up to the bytes the language detector reads.
fn language_sample(body: &[String]) -> String {
    let mut sample = String::with_capacity(enrich::LANG_SAMPLE_BYTES + 64);
    for p in body {
        if sample.len() >= enrich::LANG_SAMPLE_BYTES {
            break;
        }
        if !sample.is_empty() {
            sample.push('\n');
        }
        sample.push_str(p);
    }
    sample
}

impl Article {
    /// The version time used by dedup: the item's last update, never earlier than publication.
    pub fn version_time(&self) -> DateTime<Utc> {
        self.item
            .version_created
            .map_or(self.published, |v| v.max(self.published))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(payload: &[u8]) -> RawInput<'_> {
        RawInput {
            payload,
            format_hint: None,
            record_time: None,
        }
    }

    #[test]
    fn envelope_becomes_article() {
        let out = parse_record(
            input(br#"{"headline":"Rates held","body":"Text here.","published":"2025-08-20T10:27:00Z"}"#),
            &ParseOptions::default(),
        )
        .unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].dedup_key, "rates held");
        assert_eq!(out[0].format, SourceFormat::JsonEnvelope);
        assert_eq!(out[0].word_count, 2);
    }

    #[test]
    fn drops_configured_boilerplate_paragraphs() {
        let raw = input(
            br#"{"headline":"h","body":"Real text.\n\nFOLLOW US on X for more.\n\nMore text.","published":"2025-01-01T00:00:00Z"}"#,
        );
        let plain = parse_record(raw, &ParseOptions::default()).unwrap();
        assert_eq!(plain[0].item.body.len(), 3);
        let opts = ParseOptions::new(1 << 20, &["Follow us ".into()]);
        let stripped = parse_record(raw, &opts).unwrap();
        assert_eq!(stripped[0].item.body, vec!["Real text.", "More text."]);
        assert_ne!(plain[0].fingerprint, stripped[0].fingerprint);
    }

    #[test]
    fn headline_only_wire_items_are_alerts() {
        let ninjs = br#"{"uri":"urn:x","type":"text","headline":"Quake hits Tokyo","description_text":"A strong quake shook Tokyo.","urgency":1,"versioncreated":"2025-01-01T00:00:00Z"}"#;
        let a = &parse_record(input(ninjs), &ParseOptions::default()).unwrap()[0];
        assert!(a.alert);
        assert_eq!(a.urgency, Some(1));
        assert_eq!(a.word_count, 0);
        let rendered = serde_json::to_value(crate::ninjs::document(
            a,
            crate::ninjs::RenderOptions {
                extension: true,
                ..Default::default()
            },
        ))
        .unwrap();
        assert_eq!(rendered["urgency"], 1);
        assert_eq!(rendered["wirefeed"]["alert"], true);
        assert_eq!(rendered["genres"][0]["literal"], "alert");
        assert_eq!(
            rendered["descriptions"][0]["value"],
            "A strong quake shook Tokyo."
        );
        // A full story is no alert, and carries no alert flag.
        let story = br#"{"uri":"urn:x","type":"text","headline":"Quake hits Tokyo","body_text":"A strong quake shook Tokyo.","versioncreated":"2025-01-01T00:10:00Z"}"#;
        let a = &parse_record(input(story), &ParseOptions::default()).unwrap()[0];
        assert!(!a.alert);
        let rendered = serde_json::to_value(crate::ninjs::document(
            a,
            crate::ninjs::RenderOptions {
                extension: true,
                ..Default::default()
            },
        ))
        .unwrap();
        assert!(rendered["wirefeed"].get("alert").is_none());
        assert!(rendered.get("urgency").is_none());
    }

    #[test]
    fn an_update_time_far_after_the_record_time_is_clamped() {
        let record = DateTime::parse_from_rfc3339("2025-01-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let raw = |updated: &str| {
            format!(
                r#"{{"headline":"h","body":"b","published":"2025-01-01T10:00:00Z","updated":"{updated}"}}"#
            )
        };
        let parse = |payload: &str| {
            parse_record_detailed(
                RawInput {
                    payload: payload.as_bytes(),
                    format_hint: None,
                    record_time: Some(record),
                },
                &ParseOptions::default(),
            )
            .unwrap()
        };
        // A day ahead of the record (a wrong zone or clock): clamped to the record's time.
        let p = parse(&raw("2025-01-02T12:00:00Z"));
        assert_eq!(p.clamped_updates, 1);
        assert_eq!(p.articles[0].version_time(), record);
        // Within the skew, and in the past: kept.
        let p = parse(&raw("2025-01-01T12:30:00Z"));
        assert_eq!(p.clamped_updates, 0);
        assert_eq!(
            p.articles[0].version_time().to_rfc3339(),
            "2025-01-01T12:30:00+00:00"
        );
        assert_eq!(parse(&raw("2025-01-01T11:00:00Z")).clamped_updates, 0);
    }

    #[test]
    fn falls_back_to_record_time() {
        let t = DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut raw = input(br#"{"headline":"h","body":"b"}"#);
        assert_eq!(
            parse_record(raw, &ParseOptions::default())
                .unwrap_err()
                .reason,
            RejectReason::NoTimestamp
        );
        raw.record_time = Some(t);
        assert_eq!(
            parse_record(raw, &ParseOptions::default()).unwrap()[0].published,
            t
        );
    }

    #[test]
    fn rejections_carry_reasons() {
        let opts = ParseOptions::new(64, &[]);
        let cases: &[(&[u8], RejectReason)] = &[
            (b"", RejectReason::Empty),
            (b"\x00\x01\x02", RejectReason::Binary),
            (b"<html></html>", RejectReason::NotNews),
            (b"<planning/>", RejectReason::UnknownFormat),
            (br#"{"headline": 3}"#, RejectReason::Malformed),
            (
                br#"{"headline":"!!!","body":"b","published":"2025-01-01T00:00:00Z"}"#,
                RejectReason::NoHeadline,
            ),
            (
                br#"{"headline":"h","published":"2025-01-01T00:00:00Z"}"#,
                RejectReason::NoBody,
            ),
            (&[b'a'; 65], RejectReason::TooLarge),
        ];
        for (payload, reason) in cases {
            let err = parse_record(input(payload), &opts).unwrap_err();
            assert_eq!(
                err.reason,
                *reason,
                "payload {:?}",
                String::from_utf8_lossy(payload)
            );
            assert!(!err.detail.is_empty());
        }
    }
}
