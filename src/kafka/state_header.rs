//! The dedup state an article record carries, in one header: `wirefeed.state`.
//!
//! The articles topic is the dedup state's log ([`super::restore`]), so every article record
//! says what state it implies. One short, versioned text header carries it, fields separated by
//! single spaces, the dedup key last (it may hold spaces itself). Layout 2, the one written by
//! default, also carries the record's annotations, so an article needs no other header of
//! wirefeed's but `wirefeed.kind`:
//!
//! ```text
//! 2 <version> <first published, ms> <version time, ms> <fingerprint, 16 hex digits> <index> <source> <near-duplicate of> <replay> <dedup key>
//! 2 2 1755684000000 1755687600000 00000000000000ff 1 3:1041 - - rbi keeps repo rate unchanged
//! ```
//!
//! `<index>` is `1` when other instances add the article to their near-duplicate index, else
//! `0`. `<source>` is the raw record (`PARTITION:OFFSET`), `<near-duplicate of>` the first copy's
//! id, `<replay>` the replay that produced the article; each is `-` when absent and
//! percent-encoded otherwise (space, `%`, control characters, and a value that is `-` itself), so
//! no field but the key holds a space. The leading number is the layout's version: a reader
//! meeting one it does not know skips the record's state (and says so) rather than guess.
//!
//! Layout 1, written by earlier builds and still by `output.article_headers = "separate"`, ends
//! after `<index>` with the dedup key; its annotations travel in headers of their own
//! (`wirefeed.source`, `wirefeed.near-duplicate-of`, `wirefeed.replay`). Records written before
//! either carried the state in separate headers (`wirefeed.dedup-key`,
//! `wirefeed.first-published`, `wirefeed.version-time`, `wirefeed.version`,
//! `wirefeed.fingerprint`, `wirefeed.near-dup-index`). [`from_headers`] and [`annotations`] read
//! all three, so a restore over an articles topic written by an earlier build works.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use super::headers;

/// The layout version [`ArticleState::encode`] writes.
pub const VERSION: &str = "2";

/// The layout whose annotations travel in headers of their own ([`ArticleState::encode_v1`]).
pub const VERSION_1: &str = "1";

/// What an annotation field percent-encodes: control characters, space and `%`.
const FIELD_ESCAPES: &AsciiSet = &CONTROLS.add(b' ').add(b'%');

/// An absent annotation.
const ABSENT: &str = "-";

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

/// What an article record says of itself beside its dedup state: where it came from and what it
/// relates to. In layout 2 of `wirefeed.state`; in headers of their own otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotations {
    /// The raw record it came from, `PARTITION:OFFSET` (`wirefeed.source`).
    pub source: Option<String>,
    /// The first copy's id when it is a near-duplicate (`wirefeed.near-duplicate-of`).
    pub near_duplicate_of: Option<String>,
    /// The replay that produced it (`wirefeed.replay`).
    pub replay: Option<String>,
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
    /// The header value in the current layout (2), annotations included.
    pub fn encode(&self, notes: &Annotations) -> String {
        let mut out = self.fields(VERSION, 96);
        for note in [&notes.source, &notes.near_duplicate_of, &notes.replay] {
            match note.as_deref() {
                None => out.push_str(ABSENT),
                Some(ABSENT) => out.push_str("%2D"),
                Some(v) => out.extend(utf8_percent_encode(v, FIELD_ESCAPES)),
            }
            out.push(' ');
        }
        out.push_str(&self.dedup_key);
        out
    }

    /// The header value in layout 1, which earlier builds read; its annotations go into headers
    /// of their own.
    pub fn encode_v1(&self) -> String {
        let mut out = self.fields(VERSION_1, 64);
        out.push_str(&self.dedup_key);
        out
    }

    /// The fields both layouts start with, each followed by a space.
    fn fields(&self, layout: &str, room: usize) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut numbers = itoa::Buffer::new();
        let mut out = String::with_capacity(room + self.dedup_key.len());
        out.push_str(layout);
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
        out
    }

    /// Reads a `wirefeed.state` header value (either layout).
    ///
    /// # Errors
    /// [`StateError`]: an unknown layout version or a malformed field.
    pub fn decode(value: &[u8]) -> Result<Self, StateError> {
        Self::decode_with(value, |_| Ok(()))
    }

    /// Reads a `wirefeed.state` header value and, in layout 2, its annotations (layout 1 has
    /// none: they are in headers of their own).
    ///
    /// # Errors
    /// [`StateError`]: an unknown layout version or a malformed field.
    pub fn decode_annotated(value: &[u8]) -> Result<(Self, Annotations), StateError> {
        let mut notes = Annotations::default();
        let state = Self::decode_with(value, |fields: [&str; 3]| {
            let [source, near, replay] = fields.map(|f| match f {
                ABSENT => Ok(None),
                f => percent_decode_str(f)
                    .decode_utf8()
                    .map(|v| Some(v.into_owned()))
                    .map_err(|_| StateError::Malformed("annotation")),
            });
            notes = Annotations {
                source: source?,
                near_duplicate_of: near?,
                replay: replay?,
            };
            Ok(())
        })?;
        Ok((state, notes))
    }

    /// Reads the value, handing layout 2's three annotation fields to `notes`.
    fn decode_with(
        value: &[u8],
        notes: impl FnOnce([&str; 3]) -> Result<(), StateError>,
    ) -> Result<Self, StateError> {
        let text = std::str::from_utf8(value).map_err(|_| StateError::Malformed("not UTF-8"))?;
        let (layout, text) = text.split_once(' ').unwrap_or((text, ""));
        let annotated = match layout {
            VERSION => true,
            VERSION_1 => false,
            other => {
                return Err(StateError::UnknownVersion(other.chars().take(16).collect()));
            }
        };
        let mut fields = text.splitn(if annotated { 9 } else { 6 }, ' ');
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
        if annotated {
            notes([next("source")?, next("near-duplicate of")?, next("replay")?])?;
        }
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

/// The annotations an article record's headers carry, in any layout: those of a layout 2
/// `wirefeed.state`, else the headers of their own (a header of its own wins when both are
/// there, which no build writes).
pub fn annotations(hdrs: &HashMap<&str, &[u8]>) -> Annotations {
    let mut notes = hdrs
        .get(headers::STATE)
        .and_then(|v| ArticleState::decode_annotated(v).ok())
        .map(|(_, notes)| notes)
        .unwrap_or_default();
    let own = |name: &str| {
        hdrs.get(name)
            .map(|v| String::from_utf8_lossy(v))
            .map(Cow::into_owned)
    };
    for (note, name) in [
        (&mut notes.source, headers::SOURCE),
        (&mut notes.near_duplicate_of, headers::NEAR_DUPLICATE_OF),
        (&mut notes.replay, headers::REPLAY),
    ] {
        if let Some(v) = own(name) {
            *note = Some(v);
        }
    }
    notes
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

    fn notes() -> Annotations {
        Annotations {
            source: Some("3:1041".into()),
            near_duplicate_of: Some("urn:wirefeed:article:00000000000000aa".into()),
            replay: None,
        }
    }

    #[test]
    fn round_trips() {
        let s = state();
        let value = s.encode(&notes());
        assert_eq!(
            value,
            "2 2 1755684000000 1755687600250 00000000000000ff 1 3:1041 \
             urn:wirefeed:article:00000000000000aa - rbi keeps repo rate unchanged"
        );
        assert_eq!(ArticleState::decode(value.as_bytes()).unwrap(), s);
        assert_eq!(
            ArticleState::decode_annotated(value.as_bytes()).unwrap(),
            (s.clone(), notes())
        );
        let hdrs: HashMap<&str, &[u8]> = [(headers::STATE, value.as_bytes())].into();
        assert_eq!(from_headers(&hdrs).unwrap(), s);
        assert_eq!(annotations(&hdrs), notes());
    }

    /// Layout 1 ends with the key after the index; its annotations are headers of their own.
    #[test]
    fn reads_layout_1_and_its_separate_annotations() {
        let s = state();
        let value = s.encode_v1();
        assert_eq!(
            value,
            "1 2 1755684000000 1755687600250 00000000000000ff 1 rbi keeps repo rate unchanged"
        );
        assert_eq!(ArticleState::decode(value.as_bytes()).unwrap(), s);
        let hdrs: HashMap<&str, &[u8]> = [
            (headers::STATE, value.as_bytes()),
            (headers::SOURCE, b"3:1041".as_slice()),
            (
                headers::NEAR_DUPLICATE_OF,
                b"urn:wirefeed:article:00000000000000aa".as_slice(),
            ),
        ]
        .into();
        assert_eq!(from_headers(&hdrs).unwrap(), s);
        assert_eq!(annotations(&hdrs), notes());
    }

    proptest::proptest! {
        /// The header is the fields in their text forms, as a `format!` of them would write it,
        /// and any annotations (spaces, `%`, `-` and non-ASCII included) come back as written.
        #[test]
        fn encodes_as_the_fields_formatted(
            first in -62_000_000_000_000i64..250_000_000_000_000,
            later in 0i64..1_000_000_000,
            version: u32,
            fingerprint: u64,
            near_dup_index: bool,
            dedup_key in "[a-z0-9 ]{0,40}",
            source in proptest::option::of("[0-9:]{1,12}"),
            near in proptest::option::of("[-a-z0-9: %é\t]{0,20}"),
            replay in proptest::option::of("-|[0-9a-f]{16}"),
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
                "{VERSION_1} {version} {first} {} {fingerprint:016x} {} {}",
                first + later,
                u8::from(near_dup_index),
                s.dedup_key
            );
            proptest::prop_assert_eq!(s.encode_v1(), reference);
            let notes = Annotations { source, near_duplicate_of: near, replay };
            let value = s.encode(&notes);
            proptest::prop_assert_eq!(
                ArticleState::decode_annotated(value.as_bytes()).unwrap(),
                (s, notes)
            );
        }
    }

    #[test]
    fn refuses_unknown_versions_and_bad_fields() {
        assert_eq!(
            ArticleState::decode(b"3 1 0 0 00 0 k"),
            Err(StateError::UnknownVersion("3".into()))
        );
        assert_eq!(
            ArticleState::decode(b"1 1 0 0 zz 0 k"),
            Err(StateError::Malformed("fingerprint"))
        );
        assert_eq!(
            ArticleState::decode(b"1 1 0 0 00 0"),
            Err(StateError::Malformed("dedup key"))
        );
        assert_eq!(
            ArticleState::decode(b"2 1 0 0 00 0 1:2 - k"),
            Err(StateError::Malformed("dedup key"))
        );
        assert_eq!(
            ArticleState::decode_annotated(b"2 1 0 0 00 0 %FF - - k"),
            Err(StateError::Malformed("annotation"))
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
