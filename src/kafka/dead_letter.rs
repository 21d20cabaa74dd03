//! What a dead letter looks like: the rejected record's key, value and headers, plus wirefeed's
//! reason and source headers ([`super::headers`]).
//!
//! The parse stage writes one for a raw record no parser could use, or for a document some of
//! whose items were rejected (marked `wirefeed.rejected-items`); the dedup stage for a keyed
//! record it cannot decode or render within `message.max.bytes`. A stage's sink writes a
//! [`bounded`] one in place of an output the producer or the broker will never take: its value
//! cut to fit, marked `wirefeed.truncated`.

use rdkafka::message::OwnedHeaders;

use crate::pipeline::{RejectReason, Rejection};

use super::{RECORD_OVERHEAD, headers, record_headers};

/// The reason and source headers of a dead letter, as (key, value) pairs.
pub fn dead_letter_pairs(
    rejection: &Rejection,
    stage: &str,
    topic: &str,
    partition: i32,
    offset: i64,
) -> Vec<(String, Vec<u8>)> {
    [
        (headers::REASON, rejection.reason.as_str().to_owned()),
        (headers::DETAIL, rejection.detail.clone()),
        (headers::STAGE, stage.to_owned()),
        (headers::SOURCE_TOPIC, topic.to_owned()),
        (headers::SOURCE_PARTITION, partition.to_string()),
        (headers::SOURCE_OFFSET, offset.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_bytes()))
    .collect()
}

/// Builds the dead-letter headers: the record's own headers, then the reason and source.
pub fn dead_letter_headers(
    original: &[(String, Vec<u8>)],
    rejection: &Rejection,
    stage: &str,
    topic: &str,
    partition: i32,
    offset: i64,
) -> OwnedHeaders {
    let mut pairs = original.to_vec();
    pairs.extend(dead_letter_pairs(
        rejection, stage, topic, partition, offset,
    ));
    record_headers::owned(&pairs)
}

/// An output that can never be written as it is, for [`bounded`].
#[derive(Debug)]
pub struct Unwritable<'a> {
    /// Its destination topic.
    pub topic: &'a str,
    /// Whether it is a dead letter already (its reason headers are kept).
    pub is_dead_letter: bool,
    /// Its key.
    pub key: Option<&'a [u8]>,
    /// The length of its value in bytes.
    pub len: usize,
    /// Its headers.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Why it cannot be written.
    pub cause: &'a str,
    /// The record of the stage's input topic it stands for, (partition, offset), or (-1, -1).
    pub source: (i32, i64),
    /// How many replacements deep it is: a replacement that cannot be written either is replaced
    /// by one with no value and only wirefeed's headers.
    pub depth: u8,
}

/// The bounded dead letter standing for an [`Unwritable`] output.
#[derive(Debug)]
pub struct Bounded<'a> {
    /// Why the output was replaced.
    pub reason: RejectReason,
    /// Its key (the output's, unless longer than 1 KiB).
    pub key: Option<&'a [u8]>,
    /// How many bytes of the output's value it keeps.
    pub keep: usize,
    /// Its headers.
    pub headers: Vec<(String, Vec<u8>)>,
}

/// Shapes the bounded dead letter of `output` for a stage (`stage`, consuming `input_topic`)
/// whose producer takes records up to `max_bytes`: the output's headers (with wirefeed's reason
/// headers added, unless it is a dead letter already) and its value cut to what fits, marked with
/// `wirefeed.truncated`.
pub fn bounded<'a>(
    output: Unwritable<'a>,
    stage: &str,
    input_topic: &str,
    max_bytes: usize,
) -> Bounded<'a> {
    let Unwritable {
        topic,
        is_dead_letter,
        key,
        len,
        headers: mut pairs,
        cause,
        source: (partition, offset),
        depth,
    } = output;
    let reason = if cause.contains("message.max.bytes") || cause.contains("too large") {
        RejectReason::OutputTooLarge
    } else {
        RejectReason::RejectedByBroker
    };
    if !is_dead_letter {
        let rejection = Rejection::new(reason, format!("{topic} output: {cause}"));
        pairs.retain(|(k, _)| k != headers::REASON && k != headers::DETAIL);
        pairs.extend(dead_letter_pairs(
            &rejection,
            stage,
            input_topic,
            partition,
            offset,
        ));
    }
    // Headers that alone take half the limit (a raw record's own) are dropped; wirefeed's
    // own are small.
    let header_bytes: usize = pairs.iter().map(|(k, v)| k.len() + v.len() + 10).sum();
    if header_bytes > max_bytes / 2 || depth > 0 {
        pairs.retain(|(k, _)| k.starts_with("wirefeed."));
    }
    let header_bytes: usize = pairs.iter().map(|(k, v)| k.len() + v.len() + 10).sum();
    let key = key.filter(|k| k.len() <= 1024);
    let budget =
        max_bytes.saturating_sub(header_bytes + key.map_or(0, <[u8]>::len) + 2 * RECORD_OVERHEAD);
    let keep = if depth > 0 { 0 } else { len.min(budget) };
    if keep < len {
        pairs.push((headers::TRUNCATED.to_owned(), len.to_string().into_bytes()));
    }
    Bounded {
        reason,
        key,
        keep,
        headers: pairs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(letter: &'a Bounded<'_>, key: &str) -> Option<&'a str> {
        letter
            .headers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| std::str::from_utf8(v).unwrap())
    }

    fn output(len: usize, headers: Vec<(String, Vec<u8>)>, depth: u8) -> Unwritable<'static> {
        Unwritable {
            topic: "articles",
            is_dead_letter: false,
            key: Some(b"id"),
            len,
            headers,
            cause: "record of 9000 bytes exceeds message.max.bytes 4096",
            source: (3, 17),
            depth,
        }
    }

    #[test]
    fn an_output_too_large_becomes_a_cut_dead_letter_naming_its_source() {
        let letter = bounded(
            output(9_000, vec![("x-own".into(), b"kept".to_vec())], 0),
            "dedup",
            "keyed",
            4_096,
        );
        assert_eq!(letter.reason, RejectReason::OutputTooLarge);
        assert_eq!(letter.key, Some(&b"id"[..]));
        assert!(letter.keep > 0 && letter.keep < 9_000, "{}", letter.keep);
        assert_eq!(header(&letter, headers::TRUNCATED), Some("9000"));
        assert_eq!(header(&letter, headers::STAGE), Some("dedup"));
        assert_eq!(header(&letter, headers::SOURCE_TOPIC), Some("keyed"));
        assert_eq!(header(&letter, headers::SOURCE_PARTITION), Some("3"));
        assert_eq!(header(&letter, headers::SOURCE_OFFSET), Some("17"));
        assert_eq!(header(&letter, "x-own"), Some("kept"));
    }

    #[test]
    fn a_dead_letter_keeps_its_reason_and_a_second_replacement_keeps_nothing_else() {
        let original = dead_letter_pairs(
            &Rejection::new(RejectReason::Malformed, "bad"),
            "parse",
            "raw",
            0,
            1,
        );
        let mut first = output(100, original.clone(), 0);
        first.is_dead_letter = true;
        first.cause = "Broker: Invalid record";
        let letter = bounded(first, "parse", "raw", 4_096);
        assert_eq!(letter.reason, RejectReason::RejectedByBroker);
        assert_eq!(letter.keep, 100);
        assert_eq!(letter.headers, original);
        let mut with_own = original;
        with_own.push(("x-own".into(), b"dropped".to_vec()));
        let mut second = output(100, with_own, 1);
        second.is_dead_letter = true;
        let again = bounded(second, "parse", "raw", 4_096);
        assert_eq!(again.keep, 0);
        assert_eq!(header(&again, "x-own"), None);
        assert_eq!(header(&again, headers::TRUNCATED), Some("100"));
        assert_eq!(header(&again, headers::REASON), Some("malformed"));
    }

    #[test]
    fn headers_that_take_half_the_limit_are_dropped() {
        let big = vec![("x-big".into(), vec![b'a'; 3_000])];
        let letter = bounded(output(10, big, 0), "parse", "raw", 4_096);
        assert_eq!(header(&letter, "x-big"), None);
        assert_eq!(header(&letter, headers::STAGE), Some("parse"));
    }
}
