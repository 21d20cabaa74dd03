//! The articles' times in their serde form: the RFC 3339 strings chrono writes
//! (`2025-10-01T11:42:00Z`). The common shape, whole seconds in UTC with a four-digit year, is
//! written and read field by field; any other time is written by chrono and any other string goes
//! to chrono's own parser, so the bytes are chrono's and every string reads as chrono reads it.
//! (chrono formats through `fmt`, character by character: that was about a third of encoding a
//! keyed record.)

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::de::{self, Deserializer, Visitor};
use serde::{Serialize, Serializer};

/// Writes a time as chrono's `Serialize` for `DateTime<Utc>` does.
pub(super) fn write_time<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    match utc_seconds_text(t) {
        Some(text) => s.serialize_str(std::str::from_utf8(&text).unwrap_or_default()),
        None => t.serialize(s),
    }
}

/// [`write_time`] of an optional time (as `Option<DateTime<Utc>>` writes it).
pub(super) fn write_opt_time<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    t.as_ref().map(Rfc3339).serialize(s)
}

/// A time that serialises through [`write_time`].
struct Rfc3339<'a>(&'a DateTime<Utc>);

impl Serialize for Rfc3339<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        write_time(self.0, s)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a time in whole seconds with a year in 0..=9999 (what chrono writes
/// for it); `None` for any other time.
fn utc_seconds_text(t: &DateTime<Utc>) -> Option<[u8; 20]> {
    if t.nanosecond() != 0 {
        return None;
    }
    seconds_text(t)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a time with a year in 0..=9999, its fraction of a second left out
/// (what chrono's `to_rfc3339_opts(SecondsFormat::Secs, true)` writes for it); `None` for
/// other years and leap seconds.
pub(crate) fn seconds_text(t: &DateTime<Utc>) -> Option<[u8; 20]> {
    let year = u32::try_from(t.year()).ok().filter(|&y| y <= 9999)?;
    if t.nanosecond() >= 1_000_000_000 {
        return None;
    }
    let mut out = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, width: usize, mut n: u32| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, t.month());
    put(8, 2, t.day());
    put(11, 2, t.hour());
    put(14, 2, t.minute());
    put(17, 2, t.second());
    Some(out)
}

/// Reads a time written by chrono's `Serialize` for `DateTime<Utc>`.
pub(super) fn time<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    d.deserialize_str(TimeVisitor)
}

/// [`time`] of an optional time.
pub(super) fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    d.deserialize_option(OptTimeVisitor)
}

struct TimeVisitor;

impl Visitor<'_> for TimeVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<DateTime<Utc>, E> {
        match utc_seconds(s) {
            Some(t) => Ok(t),
            None => s.parse().map_err(E::custom),
        }
    }
}

struct OptTimeVisitor;

impl<'de> Visitor<'de> for OptTimeVisitor {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an RFC 3339 formatted date and time string or none")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        time(d).map(Some)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` with a valid date and time (no leap second); None for anything else.
fn utc_seconds(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, num(5, 7)?, num(8, 10)?)?;
    let time = date.and_hms_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?)?;
    Some(time.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both readers agree on every string: the shortcut's shape, near misses and other forms.
    #[test]
    fn reads_as_chrono_reads() {
        for s in [
            "2025-10-01T11:42:00Z",
            "1970-01-01T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2024-02-29T12:00:00Z",
            "2025-02-29T12:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-10-01T24:00:00Z",
            "2025-10-01T23:59:60Z",
            "2025-10-01T11:42:00.123Z",
            "2025-10-01T11:42:00+05:30",
            "2025-10-01 11:42:00Z",
            "2025-10-01t11:42:00z",
            "2025-1a-01T11:42:00Z",
            "+2025-10-01T11:42:00Z",
            "",
        ] {
            let ours: Result<DateTime<Utc>, serde::de::value::Error> = TimeVisitor.visit_str(s);
            let chrono: Result<DateTime<Utc>, _> = s.parse();
            assert_eq!(ours.ok(), chrono.ok(), "{s:?}");
        }
    }

    /// The bytes of `t` in serde_json.
    fn json(t: impl Serialize) -> String {
        serde_json::to_string(&t).unwrap()
    }

    /// A time written through [`write_time`].
    #[derive(Serialize)]
    struct Ours(#[serde(serialize_with = "write_time")] DateTime<Utc>);

    /// An optional time written through [`write_opt_time`].
    #[derive(Serialize)]
    struct OursOpt(#[serde(serialize_with = "write_opt_time")] Option<DateTime<Utc>>);

    #[test]
    fn writes_what_chrono_writes_at_the_edges() {
        for s in [
            "2025-10-01T11:42:00Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2025-10-01T11:42:00.000000001Z",
            "2016-12-31T23:59:60Z",
            "-0001-12-31T23:59:59Z",
            "+10000-01-01T00:00:00Z",
        ] {
            let t: DateTime<Utc> = s.parse().unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(json(Ours(t)), json(t), "{s}");
        }
        assert_eq!(json(OursOpt(None)), json(None::<DateTime<Utc>>));
    }

    proptest::proptest! {
        /// The hand-written shape is byte for byte what chrono writes, for any time.
        #[test]
        fn writes_what_chrono_writes(secs in -62_000_000_000i64..253_000_000_000, nanos in 0u32..1_000_000_000, whole: bool) {
            if let Some(t) = DateTime::from_timestamp(secs, if whole { 0 } else { nanos }) {
                proptest::prop_assert_eq!(json(Ours(t)), json(t));
                proptest::prop_assert_eq!(json(OursOpt(Some(t))), json(Some(t)));
            }
        }

        /// The seconds-only shape is what chrono writes with `SecondsFormat::Secs`.
        #[test]
        fn seconds_as_chrono_writes_them(secs in -62_000_000_000i64..253_000_000_000, nanos in 0u32..2_000_000_000) {
            if let Some(t) = DateTime::from_timestamp(secs, nanos) {
                let chrono = t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                if let Some(ours) = seconds_text(&t) {
                    proptest::prop_assert_eq!(std::str::from_utf8(&ours).unwrap(), chrono);
                } else {
                    proptest::prop_assert!(nanos >= 1_000_000_000 || !(0..=9999).contains(&t.year()));
                }
            }
        }

        /// Every time chrono writes reads back as the same time.
        #[test]
        fn round_trips(secs in -62_000_000_000i64..253_000_000_000, nanos in 0u32..1_000_000_000, whole: bool) {
            if let Some(t) = DateTime::from_timestamp(secs, if whole { 0 } else { nanos }) {
                let s: String = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
                let ours: Result<DateTime<Utc>, serde::de::value::Error> = TimeVisitor.visit_str(&s);
                proptest::prop_assert_eq!(ours.ok(), Some(t));
            }
        }
    }
}
