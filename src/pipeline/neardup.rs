//! Near-duplicate lookup by SimHash (Manku, Jain, Das Sarma 2007): the same agency copy under a
//! reworked headline has a different dedup key but an almost identical body fingerprint.
//!
//! Fingerprints are 64-bit; two bodies are near-duplicates when their fingerprints differ in at
//! most `max_distance` bits (3 by default). The index splits each fingerprint into
//! `max_distance + 1` bit blocks; by the pigeonhole principle two fingerprints within that distance
//! agree exactly on at least one block, so a lookup probes one table per block and checks the full
//! distance only for the few candidates found there — exact, no scan.
//!
//! Entries expire by event time: those first published more than `window` before the newest one
//! seen are dropped.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

/// One indexed article.
#[derive(Debug, Clone)]
struct Entry {
    seq: u64,
    fingerprint: u64,
    id: Arc<str>,
    published: DateTime<Utc>,
}

/// An index of recent article fingerprints.
#[derive(Debug)]
pub struct NearDupIndex {
    max_distance: u32,
    window: Duration,
    /// Block boundaries: (shift, mask) for each block.
    blocks: Vec<(u32, u64)>,
    /// One table per block: block value → entry sequence numbers.
    tables: Vec<HashMap<u64, Vec<u64>>>,
    entries: HashMap<u64, Entry>,
    order: VecDeque<u64>,
    next_seq: u64,
    newest: Option<DateTime<Utc>>,
}

impl NearDupIndex {
    /// An empty index finding fingerprints within `max_distance` bits (1..=15), keeping articles
    /// for `window` of event time.
    pub fn new(max_distance: u32, window: std::time::Duration) -> Self {
        let max_distance = max_distance.clamp(1, 15);
        let n = max_distance + 1;
        let blocks = (0..n)
            .map(|i| {
                let start = 64 * i / n;
                let end = 64 * (i + 1) / n;
                let width = end - start;
                let mask = if width == 64 {
                    u64::MAX
                } else {
                    (1u64 << width) - 1
                };
                (start, mask)
            })
            .collect::<Vec<_>>();
        NearDupIndex {
            max_distance,
            window: Duration::from_std(window).unwrap_or(Duration::MAX),
            tables: vec![HashMap::new(); blocks.len()],
            blocks,
            entries: HashMap::new(),
            order: VecDeque::new(),
            next_seq: 0,
            newest: None,
        }
    }

    /// Articles held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The earliest-published indexed article other than `id` whose fingerprint is within the
    /// distance and whose publication lies within the window of `published`.
    pub fn find(&self, fingerprint: u64, published: DateTime<Utc>, id: &str) -> Option<Arc<str>> {
        let mut best: Option<&Entry> = None;
        for (table, &(shift, mask)) in self.tables.iter().zip(&self.blocks) {
            let Some(seqs) = table.get(&((fingerprint >> shift) & mask)) else {
                continue;
            };
            for seq in seqs {
                let Some(e) = self.entries.get(seq) else {
                    continue;
                };
                if (e.fingerprint ^ fingerprint).count_ones() > self.max_distance
                    || &*e.id == id
                    || (e.published - published).abs() > self.window
                {
                    continue;
                }
                if best.is_none_or(|b| (e.published, &e.id) < (b.published, &b.id)) {
                    best = Some(e);
                }
            }
        }
        best.map(|e| e.id.clone())
    }

    /// Adds an article (ignored when the same id with the same fingerprint is already held).
    pub fn insert(&mut self, fingerprint: u64, id: &str, published: DateTime<Utc>) {
        let (shift0, mask0) = self.blocks[0];
        if let Some(seqs) = self.tables[0].get(&((fingerprint >> shift0) & mask0))
            && seqs.iter().any(|s| {
                self.entries
                    .get(s)
                    .is_some_and(|e| e.fingerprint == fingerprint && &*e.id == id)
            })
        {
            return;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        for (table, &(shift, mask)) in self.tables.iter_mut().zip(&self.blocks) {
            table
                .entry((fingerprint >> shift) & mask)
                .or_default()
                .push(seq);
        }
        self.entries.insert(
            seq,
            Entry {
                seq,
                fingerprint,
                id: Arc::from(id),
                published,
            },
        );
        self.order.push_back(seq);
        if self.newest.is_none_or(|n| published > n) {
            self.newest = Some(published);
        }
        self.expire();
    }

    /// Drops entries published more than a window before the newest (in insertion order, so an
    /// old entry behind a newer one waits for it).
    fn expire(&mut self) {
        let Some(horizon) = self.newest.and_then(|n| n.checked_sub_signed(self.window)) else {
            return;
        };
        while let Some(&seq) = self.order.front() {
            let Some(e) = self.entries.get(&seq) else {
                self.order.pop_front();
                continue;
            };
            if e.published >= horizon {
                break;
            }
            let (fingerprint, seq) = (e.fingerprint, e.seq);
            self.entries.remove(&seq);
            self.order.pop_front();
            for (table, &(shift, mask)) in self.tables.iter_mut().zip(&self.blocks) {
                let block = (fingerprint >> shift) & mask;
                if let Some(seqs) = table.get_mut(&block) {
                    seqs.retain(|&s| s != seq);
                    if seqs.is_empty() {
                        table.remove(&block);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap() + Duration::hours(h)
    }

    fn index() -> NearDupIndex {
        NearDupIndex::new(3, std::time::Duration::from_secs(48 * 3600))
    }

    #[test]
    fn finds_within_three_bits_in_any_position() {
        let mut idx = index();
        let fp = 0x0123_4567_89ab_cdef_u64;
        idx.insert(fp, "first", t(0));
        for bits in [[0, 1, 2], [15, 16, 17], [31, 47, 63], [60, 61, 62]] {
            let probe = bits.iter().fold(fp, |acc, b| acc ^ (1u64 << b));
            assert_eq!(
                idx.find(probe, t(1), "other").as_deref(),
                Some("first"),
                "bits {bits:?}"
            );
        }
        let four = fp ^ 0b1111;
        assert_eq!(idx.find(four, t(1), "other"), None, "four bits apart");
    }

    #[test]
    fn ignores_itself_and_prefers_the_earliest() {
        let mut idx = index();
        idx.insert(7, "b", t(2));
        idx.insert(7 ^ 1, "a", t(1));
        assert_eq!(idx.find(7, t(3), "b").as_deref(), Some("a"));
        assert_eq!(idx.find(7, t(3), "c").as_deref(), Some("a"));
        let mut only = index();
        only.insert(7, "b", t(2));
        assert_eq!(only.find(7, t(3), "b"), None);
    }

    #[test]
    fn window_and_expiry() {
        let mut idx = index();
        idx.insert(1, "old", t(0));
        assert_eq!(idx.find(1, t(49), "x"), None, "outside the window");
        idx.insert(u64::MAX, "new", t(100));
        assert_eq!(idx.len(), 1, "old entry expired");
        idx.insert(u64::MAX, "new", t(100));
        assert_eq!(idx.len(), 1, "same article twice is held once");
    }
}
