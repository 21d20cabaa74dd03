//! The JSON envelope: the simplest way to hand wirefeed a story.
//!
//! ```json
//! {"headline": "...", "body": "first paragraph\n\nsecond", "published": "2025-08-20T10:27:00Z"}
//! ```
//!
//! `body` is a string (paragraphs separated by blank lines) or an array of paragraphs. Optional:
//! `summary`, `updated`, `byline`, `agency`, `dateline`, `publisher`, `language`, `topics`, `id`
//! (kept as the source uri) and `version`. Times are RFC 3339. Unknown fields are ignored so that
//! producers can add their own.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::formats::textutil::text_paragraphs;
use crate::model::{Agency, ParsedItem};

/// Why an envelope could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EnvelopeError {
    /// Not JSON, or fields of the wrong type.
    #[error("invalid JSON envelope: {0}")]
    Json(String),
    /// A time field that is not RFC 3339.
    #[error("field `{field}` is not an RFC 3339 time: {value:?}")]
    BadTime {
        /// The field name.
        field: &'static str,
        /// The value found.
        value: String,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Body {
    Text(String),
    Paragraphs(Vec<String>),
}

#[derive(Deserialize)]
struct Envelope {
    headline: String,
    #[serde(default)]
    body: Option<Body>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    updated: Option<String>,
    #[serde(default)]
    byline: Option<String>,
    #[serde(default)]
    agency: Option<String>,
    #[serde(default)]
    dateline: Option<String>,
    #[serde(default)]
    publisher: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    version: Option<u32>,
}

/// True when `json` looks like an envelope (an object with a `headline` string at top level).
/// Cheap: it only scans for the key.
pub fn looks_like(json: &str) -> bool {
    json.trim_start().starts_with('{') && json.contains("\"headline\"")
}

/// Parses one envelope.
///
/// # Errors
/// [`EnvelopeError`] when the text is not an envelope object or a time is malformed.
pub fn parse(json: &str) -> Result<ParsedItem, EnvelopeError> {
    let env: Envelope =
        serde_json::from_str(json).map_err(|e| EnvelopeError::Json(e.to_string()))?;
    let body = match env.body {
        None => Vec::new(),
        Some(Body::Text(text)) => text_paragraphs(&text, false),
        Some(Body::Paragraphs(paras)) => paras
            .into_iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect(),
    };
    let first_created = parse_time("published", env.published.as_deref())?;
    let version_created = parse_time("updated", env.updated.as_deref())?;
    Ok(ParsedItem {
        headline: env.headline.trim().to_owned(),
        summary: env.summary.filter(|s| !s.trim().is_empty()),
        body,
        first_created,
        version_created,
        agency: env.agency.map(|a| {
            crate::formats::agency::agency_from_credit(&a).unwrap_or(Agency {
                name: a.clone(),
                code: a,
            })
        }),
        byline: env.byline,
        dateline: env.dateline,
        publisher: env.publisher,
        language: env.language,
        topics: env.topics,
        source_uri: env.id,
        source_version: env.version,
        ..ParsedItem::default()
    })
}

fn parse_time(
    field: &'static str,
    value: Option<&str>,
) -> Result<Option<DateTime<Utc>>, EnvelopeError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    DateTime::parse_from_rfc3339(value)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| EnvelopeError::BadTime {
            field,
            value: value.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn reads_the_documented_fields() {
        let item = parse(
            r#"{"headline":" Rates held ","body":"One\nwrapped.\n\nTwo.","published":"2025-08-20T15:57:00+05:30",
                "updated":"2025-08-20T11:00:00Z","agency":"PTI","topics":["RBI"],"extra":1}"#,
        )
        .unwrap();
        assert_eq!(item.headline, "Rates held");
        assert_eq!(item.body, vec!["One wrapped.", "Two."]);
        assert_eq!(
            item.first_created,
            Some(Utc.with_ymd_and_hms(2025, 8, 20, 10, 27, 0).unwrap())
        );
        assert_eq!(
            item.version_created,
            Some(Utc.with_ymd_and_hms(2025, 8, 20, 11, 0, 0).unwrap())
        );
        assert_eq!(item.agency.unwrap().name, "Press Trust of India");
        assert_eq!(item.topics, vec!["RBI"]);
    }

    #[test]
    fn body_may_be_an_array() {
        let item = parse(r#"{"headline":"h","body":["a"," ","b"]}"#).unwrap();
        assert_eq!(item.body, vec!["a", "b"]);
    }

    #[test]
    fn rejects_bad_time_and_non_envelopes() {
        assert!(matches!(
            parse(r#"{"headline":"h","published":"yesterday"}"#),
            Err(EnvelopeError::BadTime {
                field: "published",
                ..
            })
        ));
        assert!(matches!(
            parse(r#"{"title":"h"}"#),
            Err(EnvelopeError::Json(_))
        ));
        assert!(matches!(
            parse("{\"headline\": "),
            Err(EnvelopeError::Json(_))
        ));
    }
}
