//! Contiguous offset tracking: which consumed offset may be stored for commit.
//!
//! A record's offset may be stored only when every output it produced (article or dead letter) is
//! acknowledged by the broker, and never past a record that is still waiting (DESIGN.md, "Parse
//! stage"). The stage registers each record when it hands the record's outputs to the producer
//! ([`OffsetTracker::begin`], in offset order per partition), the producer's delivery reports call
//! [`OffsetTracker::ack`] in any order, and [`OffsetTracker::take_committable`] yields, per
//! partition, the next offset to consume once it moved.
//!
//! Each assignment of a partition has an *epoch*; acknowledgements that arrive for an older epoch
//! (after the partition was revoked) are ignored, so a late delivery report can never store an
//! offset on behalf of a partition this consumer no longer owns.
//!
//! Pure data structure, no I/O: the Kafka layer wraps it in a mutex.

use std::collections::{BTreeMap, VecDeque};

/// Per-partition bookkeeping.
#[derive(Debug, Default)]
struct PartitionState {
    epoch: u64,
    /// Records handed to the producer, in offset order: (offset, outputs still unacknowledged).
    pending: VecDeque<(i64, u32)>,
    /// The next offset to consume once everything before it is done, not yet taken.
    committable: Option<i64>,
    /// The same position, kept after it was taken.
    done: Option<i64>,
    /// Listed in the tracker's `moved` since `committable` was last taken.
    listed: bool,
    /// Outputs still unacknowledged over all pending records.
    in_flight: u64,
    /// Of those, the ones whose delivery failed and that wait to be sent again (outside the
    /// producer).
    failed: u64,
}

/// Tracks pending records per partition and the contiguous committable position.
#[derive(Debug, Default)]
pub struct OffsetTracker {
    partitions: BTreeMap<i32, PartitionState>,
    next_epoch: u64,
    /// The partitions' `in_flight`, summed (kept as they change: read once per record).
    total_in_flight: u64,
    /// The partitions' `pending` lengths, summed.
    total_pending: usize,
    /// Partitions whose position moved since the last [`OffsetTracker::take_committable`] (a
    /// partition assigned again meanwhile may be listed twice).
    moved: Vec<i32>,
}

/// Identifies one registered record for its acknowledgements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckToken {
    /// Partition of the consumed record.
    pub partition: i32,
    /// Offset of the consumed record.
    pub offset: i64,
    /// Assignment epoch the record was consumed under.
    pub epoch: u64,
}

impl OffsetTracker {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts tracking `partition` under a fresh epoch, dropping whatever an earlier assignment
    /// left. Returns the epoch.
    pub fn assign(&mut self, partition: i32) -> u64 {
        self.next_epoch += 1;
        let epoch = self.next_epoch;
        let old = self.partitions.insert(
            partition,
            PartitionState {
                epoch,
                ..PartitionState::default()
            },
        );
        self.forget(old);
        epoch
    }

    /// Stops tracking `partition`; later acknowledgements for it are ignored.
    pub fn revoke(&mut self, partition: i32) {
        let old = self.partitions.remove(&partition);
        self.forget(old);
    }

    /// Takes a dropped partition's records and outputs out of the totals.
    fn forget(&mut self, old: Option<PartitionState>) {
        if let Some(old) = old {
            self.total_in_flight -= old.in_flight;
            self.total_pending -= old.pending.len();
        }
    }

    /// The current epoch of `partition`, or `None` when it is not assigned.
    pub fn epoch(&self, partition: i32) -> Option<u64> {
        self.partitions.get(&partition).map(|p| p.epoch)
    }

    /// Registers a record whose `outputs` outputs were handed to the producer. Offsets must
    /// increase per partition. A record with no outputs (a counted duplicate) is done at once.
    /// Returns `None` when `partition` is not assigned under `epoch`.
    pub fn begin(
        &mut self,
        partition: i32,
        epoch: u64,
        offset: i64,
        outputs: u32,
    ) -> Option<AckToken> {
        let state = self.partitions.get_mut(&partition)?;
        if state.epoch != epoch {
            return None;
        }
        debug_assert!(state.pending.back().is_none_or(|&(o, _)| o < offset));
        state.pending.push_back((offset, outputs));
        state.in_flight += u64::from(outputs);
        let done = Self::advance(state);
        if done > 0 && !state.listed {
            state.listed = true;
            self.moved.push(partition);
        }
        self.total_in_flight += u64::from(outputs);
        self.total_pending = self.total_pending + 1 - done;
        Some(AckToken {
            partition,
            offset,
            epoch,
        })
    }

    /// Acknowledges one output of the record behind `token`.
    pub fn ack(&mut self, token: AckToken) {
        let Some(state) = self.partitions.get_mut(&token.partition) else {
            return;
        };
        if state.epoch != token.epoch {
            return;
        }
        let Ok(idx) = state
            .pending
            .binary_search_by_key(&token.offset, |&(o, _)| o)
        else {
            return;
        };
        let remaining = &mut state.pending[idx].1;
        if *remaining == 0 {
            return;
        }
        *remaining -= 1;
        state.in_flight -= 1;
        state.failed = state.failed.min(state.in_flight);
        let done = Self::advance(state);
        if done > 0 && !state.listed {
            state.listed = true;
            self.moved.push(token.partition);
        }
        self.total_in_flight -= 1;
        self.total_pending -= done;
    }

    /// Notes that one output of the record behind `token` failed delivery and is out of the
    /// producer until [`OffsetTracker::retry`] (or forgotten with its partition).
    pub fn fail(&mut self, token: AckToken) {
        if let Some(state) = self.current(token)
            && state.failed < state.in_flight
        {
            state.failed += 1;
        }
    }

    /// Notes that a failed output of the record behind `token` was handed to the producer again.
    pub fn retry(&mut self, token: AckToken) {
        if let Some(state) = self.current(token) {
            state.failed = state.failed.saturating_sub(1);
        }
    }

    /// The partition state `token` belongs to, when it is still assigned under the token's epoch.
    fn current(&mut self, token: AckToken) -> Option<&mut PartitionState> {
        self.partitions
            .get_mut(&token.partition)
            .filter(|s| s.epoch == token.epoch)
    }

    /// Drops the done records at the front of `pending`; returns how many.
    fn advance(state: &mut PartitionState) -> usize {
        let mut done = 0;
        while let Some(&(offset, 0)) = state.pending.front() {
            state.pending.pop_front();
            state.committable = Some(offset + 1);
            state.done = Some(offset + 1);
            done += 1;
        }
        done
    }

    /// Outputs still unacknowledged for `partition` (0 when unassigned).
    pub fn in_flight(&self, partition: i32) -> u64 {
        self.partitions.get(&partition).map_or(0, |p| p.in_flight)
    }

    /// The next offset to consume of `partition` once everything before it is done, when any
    /// record of the current assignment is done (whether or not it was taken for commit).
    pub fn done_position(&self, partition: i32) -> Option<i64> {
        self.partitions.get(&partition).and_then(|p| p.done)
    }

    /// Outputs of `partition` still inside the producer (unacknowledged and not failed): what a
    /// revocation waits for. The producer delivers or fails each within its delivery timeout.
    pub fn in_producer(&self, partition: i32) -> u64 {
        self.partitions
            .get(&partition)
            .map_or(0, |p| p.in_flight - p.failed)
    }

    /// Outputs still unacknowledged over all partitions.
    pub fn total_in_flight(&self) -> u64 {
        debug_assert_eq!(
            self.total_in_flight,
            self.partitions.values().map(|p| p.in_flight).sum::<u64>()
        );
        self.total_in_flight
    }

    /// Records registered and not yet fully acknowledged, over all partitions.
    pub fn pending_records(&self) -> usize {
        debug_assert_eq!(
            self.total_pending,
            self.partitions
                .values()
                .map(|p| p.pending.len())
                .sum::<usize>()
        );
        self.total_pending
    }

    /// Takes, for each partition whose position moved since the last call, the next offset to
    /// consume (the offset to store for commit).
    pub fn take_committable(&mut self) -> Vec<(i32, i64)> {
        if self.moved.is_empty() {
            return Vec::new();
        }
        let mut moved = std::mem::take(&mut self.moved);
        moved.sort_unstable();
        moved.dedup();
        let taken = moved
            .iter()
            .filter_map(|&p| {
                let s = self.partitions.get_mut(&p)?;
                s.listed = false;
                s.committable.take().map(|o| (p, o))
            })
            .collect();
        // Keep the allocation for the next round.
        moved.clear();
        self.moved = moved;
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_only_contiguously() {
        let mut t = OffsetTracker::new();
        let e = t.assign(0);
        let a = t.begin(0, e, 10, 1).unwrap();
        let b = t.begin(0, e, 11, 2).unwrap();
        let c = t.begin(0, e, 12, 1).unwrap();
        t.ack(c);
        assert!(t.take_committable().is_empty(), "12 done but 10 is not");
        t.ack(b);
        assert!(t.take_committable().is_empty(), "11 has one more output");
        t.ack(a);
        assert_eq!(t.take_committable(), vec![(0, 11)]);
        assert_eq!(t.done_position(0), Some(11), "kept after it was taken");
        t.ack(b);
        assert_eq!(t.take_committable(), vec![(0, 13)]);
        assert_eq!(t.in_flight(0), 0);
        assert!(t.take_committable().is_empty(), "nothing moved since");
    }

    #[test]
    fn record_without_outputs_is_done_at_once_but_waits_for_earlier_ones() {
        let mut t = OffsetTracker::new();
        let e = t.assign(3);
        let a = t.begin(3, e, 0, 1).unwrap();
        t.begin(3, e, 1, 0).unwrap();
        assert!(t.take_committable().is_empty());
        t.ack(a);
        assert_eq!(t.take_committable(), vec![(3, 2)]);
    }

    #[test]
    fn partitions_are_independent() {
        let mut t = OffsetTracker::new();
        let e0 = t.assign(0);
        let e1 = t.assign(1);
        t.begin(0, e0, 5, 1).unwrap();
        let b = t.begin(1, e1, 7, 1).unwrap();
        t.ack(b);
        assert_eq!(t.take_committable(), vec![(1, 8)]);
        assert_eq!(t.total_in_flight(), 1);
    }

    #[test]
    fn acks_from_an_earlier_assignment_are_ignored() {
        let mut t = OffsetTracker::new();
        let old = t.assign(0);
        let token = t.begin(0, old, 5, 1).unwrap();
        t.revoke(0);
        assert_eq!(t.in_flight(0), 0);
        let new = t.assign(0);
        assert!(t.begin(0, old, 6, 1).is_none(), "stale epoch rejected");
        t.begin(0, new, 5, 1).unwrap();
        t.ack(token);
        assert!(t.take_committable().is_empty(), "stale ack must not count");
        assert_eq!(t.in_flight(0), 1);
    }

    #[test]
    fn failed_outputs_leave_the_producer_until_retried() {
        let mut t = OffsetTracker::new();
        let e = t.assign(0);
        let a = t.begin(0, e, 1, 2).unwrap();
        t.fail(a);
        assert_eq!((t.in_flight(0), t.in_producer(0)), (2, 1));
        t.fail(a);
        t.fail(a);
        assert_eq!(t.in_producer(0), 0, "never more failed than in flight");
        t.retry(a);
        t.ack(a);
        assert_eq!((t.in_flight(0), t.in_producer(0)), (1, 0));
        t.retry(a);
        t.ack(a);
        assert_eq!(t.take_committable(), vec![(0, 2)]);
        let stale = a;
        t.revoke(0);
        t.assign(0);
        t.fail(stale);
        assert_eq!(t.in_producer(0), 0);
    }

    #[test]
    fn duplicate_acks_do_not_underflow() {
        let mut t = OffsetTracker::new();
        let e = t.assign(0);
        let a = t.begin(0, e, 1, 1).unwrap();
        t.ack(a);
        t.ack(a);
        assert_eq!(t.take_committable(), vec![(0, 2)]);
        assert_eq!(t.in_flight(0), 0);
    }

    #[test]
    fn moved_partitions_are_taken_once_in_partition_order() {
        let mut t = OffsetTracker::new();
        let epochs: Vec<u64> = (0..5).map(|p| t.assign(p)).collect();
        for p in [3, 0, 4, 3] {
            let e = epochs[p as usize];
            let next = t.done_position(p).unwrap_or(0);
            t.begin(p, e, next, 0).unwrap();
        }
        assert_eq!(t.take_committable(), vec![(0, 1), (3, 2), (4, 1)]);
        assert!(t.take_committable().is_empty());
        // Moved, then assigned again (listed twice), then moved again; moved, then revoked.
        t.begin(1, epochs[1], 0, 0).unwrap();
        let e1 = t.assign(1);
        t.begin(1, e1, 7, 0).unwrap();
        t.begin(2, epochs[2], 0, 0).unwrap();
        t.revoke(2);
        assert_eq!(t.take_committable(), vec![(1, 8)]);
        assert!(t.take_committable().is_empty());
    }

    #[test]
    fn totals_follow_begins_acks_reassignments_and_revocations() {
        let mut t = OffsetTracker::new();
        let sums = |t: &OffsetTracker| {
            let in_flight: u64 = t.partitions.values().map(|p| p.in_flight).sum();
            let pending: usize = t.partitions.values().map(|p| p.pending.len()).sum();
            (t.total_in_flight(), t.pending_records(), in_flight, pending)
        };
        let check = |t: &OffsetTracker| {
            let (a, b, c, d) = sums(t);
            assert_eq!((a, b), (c, d));
        };
        let e0 = t.assign(0);
        let e1 = t.assign(1);
        let a = t.begin(0, e0, 10, 2).unwrap();
        let b = t.begin(0, e0, 11, 0).unwrap();
        let c = t.begin(1, e1, 5, 1).unwrap();
        assert_eq!((t.total_in_flight(), t.pending_records()), (3, 3));
        check(&t);
        t.ack(a);
        t.ack(b); // no outputs: ignored
        check(&t);
        t.ack(a);
        assert_eq!((t.total_in_flight(), t.pending_records()), (1, 1));
        let e1 = t.assign(1); // reassigned: its pending record is dropped
        assert_eq!((t.total_in_flight(), t.pending_records()), (0, 0));
        t.ack(c); // older epoch: ignored
        t.begin(1, e1, 6, 3).unwrap();
        t.begin(0, e0, 12, 1).unwrap();
        check(&t);
        t.revoke(1);
        assert_eq!((t.total_in_flight(), t.pending_records()), (1, 1));
        t.revoke(0);
        t.revoke(7);
        assert_eq!((t.total_in_flight(), t.pending_records()), (0, 0));
    }
}
