//! The keyed record: how the parse stage hands an article to the dedup stage.
//!
//! The keyed topic carries wirefeed's own data between its own two stages, so its value is a
//! compact binary form rather than JSON: one version byte, then the [`Article`] in
//! [`postcard`]'s encoding (no field names, variable-length integers, strings as length + UTF-8
//! bytes). The dedup stage needs the whole article (its dedup fields to decide, every other field
//! to render ninjs), so the record holds exactly the article, nothing rendered ahead.
//!
//! Layouts the dedup stage reads:
//!
//! | first byte | layout |
//! |---|---|
//! | `0x01` ([`VERSION`]) | postcard [`Article`] |
//! | `{` | JSON [`Article`], as written before the compact form (read during a rolling upgrade) |
//!
//! `pipeline.keyed_layout = "json"` makes the parse stage write the JSON layout, for the first
//! step of a rolling upgrade from a build whose dedup stage reads nothing else.
//!
//! Any other first byte is a record of a layout this build does not know (written by a newer
//! wirefeed, or by another producer): [`decode`] says which version it was, and the dedup stage
//! sends the record to the dead-letter topic as `bad-keyed-record`.

use crate::config::KeyedLayout;
use crate::model::Article;

/// The version byte of the layout [`encode`] writes.
pub const VERSION: u8 = 1;

/// The first byte of a keyed record in the JSON layout written before [`VERSION`] 1.
const JSON_START: u8 = b'{';

/// Why a keyed record cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// The record has no value.
    #[error("empty keyed record")]
    Empty,
    /// The first byte names a layout this build does not know.
    #[error("unknown keyed record version {0} (this build reads version {VERSION} and JSON)")]
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

/// Encodes an article as a keyed record value in the current layout.
///
/// # Errors
/// When the article cannot be serialised (it always can; kept for the encoder's signature).
pub fn encode(article: &Article) -> postcard::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(encoded_size_hint(article));
    out.push(VERSION);
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

/// Encodes an article in the given layout (`pipeline.keyed_layout`).
///
/// # Errors
/// When the article cannot be serialised.
pub fn encode_as(article: &Article, layout: KeyedLayout) -> Result<Vec<u8>, String> {
    match layout {
        KeyedLayout::Compact => encode(article).map_err(|e| e.to_string()),
        KeyedLayout::Json => serde_json::to_vec(article).map_err(|e| e.to_string()),
    }
}

/// Decodes a keyed record value of any layout the dedup stage reads.
///
/// # Errors
/// [`DecodeError`]: no value, an unknown version byte, or bytes that are not an article.
pub fn decode(value: &[u8]) -> Result<Article, DecodeError> {
    match value.first() {
        None => Err(DecodeError::Empty),
        Some(&VERSION) => postcard::from_bytes(&value[1..]).map_err(|e| DecodeError::Invalid {
            version: VERSION.to_string(),
            cause: e.to_string(),
        }),
        Some(&JSON_START) => serde_json::from_slice(value).map_err(|e| DecodeError::Invalid {
            version: "JSON".to_owned(),
            cause: e.to_string(),
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

    #[test]
    fn round_trips_the_article() {
        for raw in seed_like() {
            for article in articles(&raw) {
                let value = encode(&article).unwrap();
                assert_eq!(value[0], VERSION);
                assert_eq!(decode(&value).unwrap(), article);
            }
        }
    }

    /// Records written before the compact layout (a rolling upgrade) are still read.
    #[test]
    fn reads_the_json_layout() {
        let raw = seed_like().remove(0);
        let article = articles(&raw).remove(0);
        let json = serde_json::to_vec(&article).unwrap();
        assert_eq!(decode(&json).unwrap(), article);
    }

    #[test]
    fn names_an_unknown_version() {
        let err = decode(&[7, 1, 2, 3]).unwrap_err();
        assert_eq!(err, DecodeError::UnknownVersion(7));
        assert!(err.to_string().contains("version 7"), "{err}");
        assert_eq!(decode(&[]).unwrap_err(), DecodeError::Empty);
        assert!(matches!(
            decode(&[VERSION, 0xff]).unwrap_err(),
            DecodeError::Invalid { .. }
        ));
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
                compact_bytes += encode(&article).unwrap().len();
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
