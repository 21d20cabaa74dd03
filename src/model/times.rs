//! Reading the articles' times back from their serde form: the RFC 3339 strings chrono writes
//! (`2025-10-01T11:42:00Z`). The common shape, whole seconds in UTC, is read field by field; any
//! other string goes to chrono's own parser, so every string reads as chrono reads it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::{self, Deserializer, Visitor};

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

    proptest::proptest! {
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
