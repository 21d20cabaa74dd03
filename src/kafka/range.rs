//! A bounded range of the raw topic, as `wirefeed replay` runs it through the parse stage.
//!
//! [`RangeSpec`] is the range the replay planned (offsets per partition, an optional time filter,
//! the replay's id); [`RangeState`] is the parse stage's progress through it: which records fall
//! inside, and when every partition has reached its end.

use std::collections::HashMap;

use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};

use crate::offsets::OffsetTracker;

/// A bounded range of the raw topic.
#[derive(Debug, Clone)]
pub struct RangeSpec {
    /// Consumer group that stores the replay's progress.
    pub group: String,
    /// Per partition: (first offset, end offset exclusive).
    pub partitions: Vec<(i32, i64, i64)>,
    /// Records with a timestamp before this (ms) are skipped (the start lookup is verified, but
    /// a broker may still hand out earlier records).
    pub since_ms: Option<i64>,
    /// Records with a timestamp at or after this (ms) are skipped.
    pub until_ms: Option<i64>,
    /// Carried by every output (in `wirefeed.state`, or the `wirefeed.replay` header), so the
    /// replay's articles can be counted downstream.
    pub replay_id: String,
}

/// What a range run does with a consumed record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// At or past its partition's end: ignored.
    PastEnd,
    /// Outside the requested time range: done in its turn, with no output.
    Skip,
    /// Inside the range: parsed and produced.
    Process,
}

/// Progress through a bounded range.
#[derive(Debug)]
pub struct RangeState {
    /// Partition → (epoch, end offset exclusive).
    ends: HashMap<i32, (u64, i64)>,
    /// Partition → next offset to read.
    next: HashMap<i32, i64>,
    since_ms: Option<i64>,
    until_ms: Option<i64>,
    replay_id: String,
}

impl RangeState {
    /// Starts a range run: assigns the range's partitions in `tracker` (a range consumer is
    /// assigned its partitions, no rebalance does it).
    pub fn new(spec: &RangeSpec, tracker: &mut OffsetTracker) -> Self {
        let mut ends = HashMap::new();
        let mut next = HashMap::new();
        for &(p, start, end) in &spec.partitions {
            ends.insert(p, (tracker.assign(p), end));
            next.insert(p, start);
        }
        RangeState {
            ends,
            next,
            since_ms: spec.since_ms,
            until_ms: spec.until_ms,
            replay_id: spec.replay_id.clone(),
        }
    }

    /// The replay's id, written on every output.
    pub fn replay_id(&self) -> &str {
        &self.replay_id
    }

    /// Notes a consumed record (its timestamp in ms, when it has one) and tells what to do with
    /// it.
    pub fn consumed(&mut self, partition: i32, offset: i64, timestamp_ms: Option<i64>) -> Verdict {
        let end = self.ends.get(&partition).map_or(0, |&(_, end)| end);
        if offset >= end {
            return Verdict::PastEnd;
        }
        self.next.insert(partition, offset + 1);
        let before = self
            .since_ms
            .zip(timestamp_ms)
            .is_some_and(|(since, ts)| ts < since);
        let after = self
            .until_ms
            .zip(timestamp_ms)
            .is_some_and(|(until, ts)| ts >= until);
        if before || after {
            Verdict::Skip
        } else {
            Verdict::Process
        }
    }

    /// Moves each partition's next offset up to the consumer's position. Offsets need not be
    /// contiguous (compaction, transaction markers): the position tells when a partition is past
    /// its end.
    pub fn observe_positions<C: ConsumerContext>(
        &mut self,
        consumer: &BaseConsumer<C>,
        topic: &str,
    ) {
        let Ok(positions) = consumer.position() else {
            return;
        };
        for e in positions.elements_for_topic(topic) {
            if let rdkafka::Offset::Offset(o) = e.offset() {
                let next = self.next.entry(e.partition()).or_insert(o);
                *next = (*next).max(o);
            }
        }
    }

    /// Whether every partition of the range was consumed up to its end.
    pub fn reached_ends(&self) -> bool {
        self.ends
            .iter()
            .all(|(p, &(_, end))| self.next.get(p).is_some_and(|&n| n >= end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(since_ms: Option<i64>, until_ms: Option<i64>) -> RangeSpec {
        RangeSpec {
            group: "replay".into(),
            partitions: vec![(0, 10, 12), (1, 5, 5)],
            since_ms,
            until_ms,
            replay_id: "r1".into(),
        }
    }

    #[test]
    fn records_past_a_partitions_end_are_ignored() {
        let mut range = RangeState::new(&spec(None, None), &mut OffsetTracker::new());
        assert_eq!(range.consumed(0, 10, None), Verdict::Process);
        assert_eq!(range.consumed(0, 12, None), Verdict::PastEnd);
        assert_eq!(range.consumed(2, 0, None), Verdict::PastEnd);
        assert_eq!(range.replay_id(), "r1");
    }

    #[test]
    fn records_outside_the_time_range_are_skipped() {
        let mut range = RangeState::new(&spec(Some(1_000), Some(2_000)), &mut OffsetTracker::new());
        assert_eq!(range.consumed(0, 10, Some(999)), Verdict::Skip);
        assert_eq!(range.consumed(0, 11, Some(2_000)), Verdict::Skip);
        let mut range = RangeState::new(&spec(Some(1_000), Some(2_000)), &mut OffsetTracker::new());
        assert_eq!(range.consumed(0, 10, Some(1_000)), Verdict::Process);
        assert_eq!(range.consumed(0, 11, None), Verdict::Process);
    }

    #[test]
    fn the_range_is_done_once_every_partition_reached_its_end() {
        let mut range = RangeState::new(&spec(None, None), &mut OffsetTracker::new());
        assert!(!range.reached_ends());
        range.consumed(0, 10, None);
        assert!(!range.reached_ends());
        range.consumed(0, 11, Some(0));
        assert!(range.reached_ends());
    }
}
