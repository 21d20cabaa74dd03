//! The keyed record: how the parse stage hands an article to the dedup stage.
//!
//! The keyed topic carries wirefeed's own data between its own two stages, so its value is a
//! compact binary form rather than JSON: one version byte, then the record's [`Origin`] (the raw
//! record it came from) and the [`Article`] in [`postcard`]'s encoding (no field names,
//! variable-length integers, strings as length + UTF-8 bytes). The dedup stage needs the whole
//! article (its dedup fields to decide, every other field to render ninjs), so the record holds
//! exactly the article, nothing rendered ahead. The origin travels in the value, not in record
//! headers: a header costs a broker more than its bytes (a broker may store each header apart
//! from its record; on Tansu two headers per keyed record cut wirefeed's throughput by a third),
//! and nobody but the dedup stage reads this topic.
//!
//! Layouts the dedup stage reads:
//!
//! | first byte | layout |
//! |---|---|
//! | `0x02` ([`VERSION`]) | postcard [`Origin`], then postcard [`Article`]; no headers |
//! | `0x01` | postcard [`Article`]; the origin in the `wirefeed.source`, `wirefeed.record-time` and `wirefeed.replay` headers |
//! | `{` | JSON [`Article`], origin in headers as for `0x01` (written before the compact form) |
//!
//! `pipeline.keyed_layout` makes the parse stage write an older layout (`compact-v1`, `json`), for
//! the first step of a rolling upgrade from a build whose dedup stage reads nothing newer.
//!
//! Any other first byte is a record of a layout this build does not know (written by a newer
//! wirefeed, or by another producer): [`decode`] says which version it was, and the dedup stage
//! sends the record to the dead-letter topic as `bad-keyed-record`.

use serde::{Deserialize, Serialize};

use crate::config::KeyedLayout;
use crate::model::Article;

/// The version byte of the layout [`encode`] writes.
pub const VERSION: u8 = 2;

/// The version byte of the compact layout whose origin travels in record headers.
pub const VERSION_1: u8 = 1;

/// The first byte of a keyed record in the JSON layout written before [`VERSION_1`].
const JSON_START: u8 = b'{';

/// Where a keyed record's article came from: what the dedup stage writes on its outputs besides
/// the article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Partition of the raw record.
    pub partition: i32,
    /// Offset of the raw record.
    pub offset: i64,
    /// The raw record's timestamp (ms since the epoch), for the end-to-end latency metric.
    pub record_time_ms: Option<i64>,
    /// The replay that read the raw record, if one did.
    pub replay: Option<String>,
}

impl Origin {
    /// The raw record as `PARTITION:OFFSET`, the form of the `wirefeed.source` header.
    pub fn source(&self) -> String {
        format!("{}:{}", self.partition, self.offset)
    }
}

/// Why a keyed record cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// The record has no value.
    #[error("empty keyed record")]
    Empty,
    /// The first byte names a layout this build does not know.
    #[error(
        "unknown keyed record version {0} (this build reads versions {VERSION_1} and {VERSION}, and JSON)"
    )]
    UnknownVersion(u8),
    /// The layout is known but the bytes do not hold an article in it.
    #[error("not a wirefeed article (keyed record version {version}): {cause}")]
    Invalid {
        /// The layout: the version byte, or `{` for JSON.
        version: String,
        /// What the decoder said.
        cause: String,
    },
}

/// A keyed record's contents.
#[derive(Debug, PartialEq)]
pub struct Decoded {
    /// The article.
    pub article: Article,
    /// Its origin, when the layout carries it in the value ([`VERSION`]); older layouts carry it
    /// in the record's headers.
    pub origin: Option<Origin>,
}

/// Encodes an article and its origin as a keyed record value in the current layout.
///
/// # Errors
/// When the article cannot be serialised (it always can; kept for the encoder's signature).
pub fn encode(origin: &Origin, article: &Article) -> postcard::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(encoded_size_hint(article));
    out.push(VERSION);
    let out = postcard::to_io(origin, out)?;
    postcard::to_io(article, out)
}

/// Room for an encoded article, so the buffer is not grown field by field: its texts and a
/// margin for the other fields.
fn encoded_size_hint(article: &Article) -> usize {
    let item = &article.item;
    let body: usize = item.body.iter().map(|p| p.len() + 2).sum();
    let summary = item.summary.as_ref().map_or(0, String::len);
    1024 + body + summary + item.headline.len() + article.dedup_key.len()
}

/// Encodes an article in the given layout (`pipeline.keyed_layout`); for the older layouts the
/// origin goes into record headers, which is the caller's part ([`KeyedLayout::origin_in_headers`]).
///
/// # Errors
/// When the article cannot be serialised.
pub fn encode_as(
    origin: &Origin,
    article: &Article,
    layout: KeyedLayout,
) -> Result<Vec<u8>, String> {
    match layout {
        KeyedLayout::Compact => encode(origin, article).map_err(|e| e.to_string()),
        KeyedLayout::CompactV1 => {
            let mut out = Vec::with_capacity(encoded_size_hint(article));
            out.push(VERSION_1);
            postcard::to_io(article, out).map_err(|e| e.to_string())
        }
        KeyedLayout::Json => serde_json::to_vec(article).map_err(|e| e.to_string()),
    }
}

/// Decodes a keyed record value of any layout the dedup stage reads.
///
/// # Errors
/// [`DecodeError`]: no value, an unknown version byte, or bytes that are not an article.
pub fn decode(value: &[u8]) -> Result<Decoded, DecodeError> {
    let invalid = |version: &str| {
        let version = version.to_owned();
        move |e: postcard::Error| DecodeError::Invalid {
            version,
            cause: e.to_string(),
        }
    };
    match value.first() {
        None => Err(DecodeError::Empty),
        Some(&VERSION) => {
            let (origin, rest) = postcard::take_from_bytes::<Origin>(&value[1..])
                .map_err(invalid(&VERSION.to_string()))?;
            let article = postcard::from_bytes(rest).map_err(invalid(&VERSION.to_string()))?;
            Ok(Decoded {
                article,
                origin: Some(origin),
            })
        }
        Some(&VERSION_1) => Ok(Decoded {
            article: postcard::from_bytes(&value[1..]).map_err(invalid(&VERSION_1.to_string()))?,
            origin: None,
        }),
        Some(&JSON_START) => Ok(Decoded {
            article: serde_json::from_slice(value).map_err(|e| DecodeError::Invalid {
                version: "JSON".to_owned(),
                cause: e.to_string(),
            })?,
            origin: None,
        }),
        Some(&other) => Err(DecodeError::UnknownVersion(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{ParseOptions, RawInput, parse_record};

    fn articles(raw: &[u8]) -> Vec<Article> {
        parse_record(
            RawInput {
                payload: raw,
                format_hint: None,
                record_time: None,
            },
            &ParseOptions::new(4 << 20, &[]),
        )
        .unwrap_or_default()
    }

    /// Raw items like the seed's: the bundled samples and the shared seed, when present.
    fn seed_like() -> Vec<Vec<u8>> {
        let mut raws: Vec<Vec<u8>> = [
            include_str!("../dev/sample/01-rbi-rates.txt"),
            include_str!("../dev/sample/02-kerala-rain.txt"),
            include_str!("../dev/sample/03-asia-markets.txt"),
            include_str!("../dev/sample/04-asia-markets-relay.txt"),
            include_str!("../dev/sample/05-kerala-rain-update.txt"),
            include_str!("../dev/sample/06-envelope.json"),
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed");
        if let Ok(dir) = std::fs::read_dir(seed) {
            raws.extend(dir.flatten().filter_map(|e| std::fs::read(e.path()).ok()));
        }
        raws
    }

    fn origin() -> Origin {
        Origin {
            partition: 7,
            offset: 123_456_789,
            record_time_ms: Some(1_755_685_620_000),
            replay: Some("replay-20250820".to_owned()),
        }
    }

    #[test]
    fn round_trips_the_article_and_its_origin() {
        for raw in seed_like() {
            for article in articles(&raw) {
                for origin in [origin(), Origin::default()] {
                    let value = encode(&origin, &article).unwrap();
                    assert_eq!(value[0], VERSION);
                    let decoded = decode(&value).unwrap();
                    assert_eq!(decoded.article, article);
                    assert_eq!(decoded.origin, Some(origin));
                }
            }
        }
        assert_eq!(origin().source(), "7:123456789");
    }

    /// Records of the layouts written before (a rolling upgrade) are still read; their origin
    /// is in headers, so the value has none.
    #[test]
    fn reads_the_older_layouts() {
        let raw = seed_like().remove(0);
        let article = articles(&raw).remove(0);
        for (layout, first) in [
            (KeyedLayout::CompactV1, VERSION_1),
            (KeyedLayout::Json, JSON_START),
        ] {
            let value = encode_as(&origin(), &article, layout).unwrap();
            assert_eq!(value[0], first);
            let decoded = decode(&value).unwrap();
            assert_eq!(decoded.article, article);
            assert_eq!(decoded.origin, None);
        }
        let json = serde_json::to_vec(&article).unwrap();
        assert_eq!(decode(&json).unwrap().article, article);
    }

    #[test]
    fn names_an_unknown_version() {
        let err = decode(&[7, 1, 2, 3]).unwrap_err();
        assert_eq!(err, DecodeError::UnknownVersion(7));
        assert!(err.to_string().contains("version 7"), "{err}");
        assert_eq!(decode(&[]).unwrap_err(), DecodeError::Empty);
        for version in [VERSION, VERSION_1] {
            assert!(matches!(
                decode(&[version, 0xff]).unwrap_err(),
                DecodeError::Invalid { .. }
            ));
        }
    }

    /// The size target of the compact layout: at most 1.2 times the raw bytes, over seed-like
    /// items (the JSON layout was about 2.5 times). Prints both ratios for the record.
    #[test]
    fn keyed_bytes_stay_close_to_raw_bytes() {
        let (mut raw_bytes, mut json_bytes, mut compact_bytes) = (0usize, 0usize, 0usize);
        for raw in seed_like() {
            let parsed = articles(&raw);
            if parsed.is_empty() {
                continue;
            }
            raw_bytes += raw.len();
            for article in parsed {
                json_bytes += serde_json::to_vec(&article).unwrap().len();
                compact_bytes += encode(&origin(), &article).unwrap().len();
            }
        }
        let json = json_bytes as f64 / raw_bytes as f64;
        let compact = compact_bytes as f64 / raw_bytes as f64;
        println!(
            "keyed bytes / raw bytes: json={json:.2} compact={compact:.2} raw_bytes={raw_bytes}"
        );
        assert!(
            compact <= 1.2,
            "compact keyed records are {compact:.2}× raw"
        );
    }
}
