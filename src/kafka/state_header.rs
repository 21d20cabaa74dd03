//! The dedup state an article record carries, in one header: `wirefeed.state`.
//!
//! The articles topic is the dedup state's log ([`super::restore`]), so every article record
//! says what state it implies. One short, versioned text header carries it, fields separated by
//! single spaces, the dedup key last (it may hold spaces itself):
//!
//! ```text
//! 1 <version> <first published, ms> <version time, ms> <fingerprint, 16 hex digits> <index> <dedup key>
//! 1 2 1755684000000 1755687600000 00000000000000ff 1 rbi keeps repo rate unchanged
//! ```
//!
//! `<index>` is `1` when other instances add the article to their near-duplicate index, else
//! `0`. The leading `1` is the layout's version: a reader meeting another one skips the record's
//! state (and says so) rather than guess.
//!
//! Records written before this header carried the same state in separate headers
//! (`wirefeed.dedup-key`, `wirefeed.first-published`, `wirefeed.version-time`,
//! `wirefeed.version`, `wirefeed.fingerprint`, `wirefeed.near-dup-index`); [`from_headers`]
//! reads both layouts, so a restore over an articles topic written by an earlier build works.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::headers;

/// The layout version [`ArticleState::encode`] writes.
pub const VERSION: &str = "1";

/// The dedup state one article record implies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleState {
    /// The story's dedup key.
    pub dedup_key: String,
    /// The story's first publication (that of its first copy), which its id derives from.
    pub first_published: DateTime<Utc>,
    /// This version's time.
    pub version_time: DateTime<Utc>,
    /// The article's version number.
    pub version: u32,
    /// The body's SimHash fingerprint.
    pub fingerprint: u64,
    /// Other instances add the article to their near-duplicate index.
    pub near_dup_index: bool,
}

/// Why a `wirefeed.state` header cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// The header names a layout version this build does not know.
    #[error("unknown wirefeed.state version {0:?}")]
    UnknownVersion(String),
    /// The header's layout is known but a field is missing or not valid.
    #[error("malformed wirefeed.state header: {0}")]
    Malformed(&'static str),
}

impl ArticleState {
    /// The header value.
    pub fn encode(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut numbers = itoa::Buffer::new();
        let mut out = String::with_capacity(64 + self.dedup_key.len());
        out.push_str(VERSION);
        out.push(' ');
        out.push_str(numbers.format(self.version));
        out.push(' ');
        out.push_str(numbers.format(self.first_published.timestamp_millis()));
        out.push(' ');
        out.push_str(numbers.format(self.version_time.timestamp_millis()));
        out.push(' ');
        for shift in (0..16).rev() {
            out.push(char::from(
                HEX[((self.fingerprint >> (shift * 4)) & 0xf) as usize],
            ));
        }
        out.push(' ');
        out.push(if self.near_dup_index { '1' } else { '0' });
        out.push(' ');
        out.push_str(&self.dedup_key);
        out
    }

    /// Reads a `wirefeed.state` header value.
    ///
    /// # Errors
    /// [`StateError`]: an unknown layout version or a malformed field.
    pub fn decode(value: &[u8]) -> Result<Self, StateError> {
        let text = std::str::from_utf8(value).map_err(|_| StateError::Malformed("not UTF-8"))?;
        let mut fields = text.splitn(7, ' ');
        let version = fields.next().unwrap_or_default();
        if version != VERSION {
            return Err(StateError::UnknownVersion(
                version.chars().take(16).collect(),
            ));
        }
        let mut next = |what: &'static str| fields.next().ok_or(StateError::Malformed(what));
        let time = |v: &str, what: &'static str| {
            v.parse::<i64>()
                .ok()
                .and_then(DateTime::<Utc>::from_timestamp_millis)
                .ok_or(StateError::Malformed(what))
        };
        let article_version = next("version")?
            .parse()
            .map_err(|_| StateError::Malformed("version"))?;
        let first_published = time(next("first published")?, "first published")?;
        let version_time = time(next("version time")?, "version time")?;
        let fingerprint = u64::from_str_radix(next("fingerprint")?, 16)
            .map_err(|_| StateError::Malformed("fingerprint"))?;
        let near_dup_index = match next("index")? {
            "0" => false,
            "1" => true,
            _ => return Err(StateError::Malformed("index")),
        };
        let dedup_key = next("dedup key")?.to_owned();
        Ok(ArticleState {
            dedup_key,
            first_published,
            version_time,
            version: article_version,
            fingerprint,
            near_dup_index,
        })
    }
}

/// The state an article record's headers carry: the `wirefeed.state` header, else the separate
/// headers of the earlier layout. `None` when there is none; an unreadable `wirefeed.state` is
/// logged and yields `None` too.
pub fn from_headers(hdrs: &HashMap<&str, &[u8]>) -> Option<ArticleState> {
    if let Some(value) = hdrs.get(headers::STATE) {
        return ArticleState::decode(value)
            .inspect_err(|e| tracing::warn!(cause = %e, "Article state not read"))
            .ok();
    }
    legacy(hdrs)
}

/// The separate state headers written before `wirefeed.state`.
fn legacy(hdrs: &HashMap<&str, &[u8]>) -> Option<ArticleState> {
    let text = |name: &str| hdrs.get(name).and_then(|v| std::str::from_utf8(v).ok());
    let time = |name: &str| {
        text(name)
            .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    Some(ArticleState {
        dedup_key: text(headers::DEDUP_KEY)?.to_owned(),
        first_published: time(headers::FIRST_PUBLISHED)?,
        version_time: time(headers::VERSION_TIME)?,
        version: text(headers::VERSION)?.parse().ok()?,
        fingerprint: u64::from_str_radix(text(headers::FINGERPRINT)?, 16).ok()?,
        near_dup_index: hdrs.contains_key(headers::NEAR_DUP_INDEX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> ArticleState {
        ArticleState {
            dedup_key: "rbi keeps repo rate unchanged".into(),
            first_published: "2025-08-20T10:00:00Z".parse().unwrap(),
            version_time: "2025-08-20T11:00:00.250Z".parse().unwrap(),
            version: 2,
            fingerprint: 255,
            near_dup_index: true,
        }
    }

    #[test]
    fn round_trips() {
        let s = state();
        let value = s.encode();
        assert_eq!(
            value,
            "1 2 1755684000000 1755687600250 00000000000000ff 1 rbi keeps repo rate unchanged"
        );
        assert_eq!(ArticleState::decode(value.as_bytes()).unwrap(), s);
        let hdrs: HashMap<&str, &[u8]> = [(headers::STATE, value.as_bytes())].into();
        assert_eq!(from_headers(&hdrs).unwrap(), s);
    }

    proptest::proptest! {
        /// The header is the fields in their text forms, as a `format!` of them would write it.
        #[test]
        fn encodes_as_the_fields_formatted(
            first in -62_000_000_000_000i64..250_000_000_000_000,
            later in 0i64..1_000_000_000,
            version: u32,
            fingerprint: u64,
            near_dup_index: bool,
            dedup_key in "[a-z0-9 ]{0,40}",
        ) {
            let s = ArticleState {
                dedup_key,
                first_published: DateTime::from_timestamp_millis(first).unwrap(),
                version_time: DateTime::from_timestamp_millis(first + later).unwrap(),
                version,
                fingerprint,
                near_dup_index,
            };
            let reference = format!(
                "{VERSION} {version} {first} {} {fingerprint:016x} {} {}",
                first + later,
                u8::from(near_dup_index),
                s.dedup_key
            );
            proptest::prop_assert_eq!(s.encode(), reference);
        }
    }

    #[test]
    fn refuses_unknown_versions_and_bad_fields() {
        assert_eq!(
            ArticleState::decode(b"2 1 0 0 00 0 k"),
            Err(StateError::UnknownVersion("2".into()))
        );
        assert_eq!(
            ArticleState::decode(b"1 1 0 0 zz 0 k"),
            Err(StateError::Malformed("fingerprint"))
        );
        assert_eq!(
            ArticleState::decode(b"1 1 0 0 00 0"),
            Err(StateError::Malformed("dedup key"))
        );
        let hdrs: HashMap<&str, &[u8]> = [(headers::STATE, b"9 x".as_slice())].into();
        assert_eq!(from_headers(&hdrs), None);
    }

    /// Records of the earlier layout, one header per field, are still read.
    #[test]
    fn reads_the_separate_headers_of_the_earlier_layout() {
        let mut hdrs: HashMap<&str, &[u8]> = [
            (
                headers::DEDUP_KEY,
                b"rbi keeps repo rate unchanged".as_slice(),
            ),
            (headers::FIRST_PUBLISHED, b"2025-08-20T10:00:00Z".as_slice()),
            (
                headers::VERSION_TIME,
                b"2025-08-20T11:00:00.250Z".as_slice(),
            ),
            (headers::FINGERPRINT, b"00000000000000ff".as_slice()),
            (headers::VERSION, b"2".as_slice()),
            (headers::NEAR_DUP_INDEX, b"1".as_slice()),
        ]
        .into();
        assert_eq!(from_headers(&hdrs).unwrap(), state());
        hdrs.remove(headers::NEAR_DUP_INDEX);
        assert!(!from_headers(&hdrs).unwrap().near_dup_index);
        hdrs.remove(headers::VERSION);
        assert_eq!(from_headers(&hdrs), None);
    }
}
