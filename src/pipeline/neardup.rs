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

    #[test]
    fn expired_fingerprint_can_be_indexed_again() {
        let mut idx = index();
        let fp = 0x0123_4567_89ab_cdef_u64;
        idx.insert(fp, "a", t(0));
        idx.insert(!fp, "b", t(100));
        assert_eq!(idx.len(), 1, "a expired");
        assert_eq!(idx.find(fp, t(100), "x"), None);
        idx.insert(fp, "a", t(100));
        assert_eq!(
            idx.len(),
            2,
            "a again, no longer a duplicate of the expired copy"
        );
        assert_eq!(idx.find(fp ^ 1, t(101), "x").as_deref(), Some("a"));
        idx.insert(fp, "a", t(100));
        assert_eq!(idx.len(), 2, "held once");
    }

    #[test]
    fn chains_reaching_expired_entries() {
        let mut idx = index();
        let fp = 0xffff_0000_ffff_0000_u64;
        idx.insert(fp, "e0", t(0));
        idx.insert(fp ^ 1, "e1", t(10));
        idx.insert(fp ^ (1 << 20), "e2", t(13));
        idx.insert(fp ^ 2, "e3", t(60));
        assert_eq!(idx.len(), 2, "e0 and e1 expired");
        assert_eq!(idx.find(fp, t(30), "x").as_deref(), Some("e2"));
        idx.insert(fp ^ 4, "e4", t(61));
        assert_eq!(idx.find(fp, t(40), "x").as_deref(), Some("e2"));
        assert_eq!(idx.find(fp, t(40), "e2").as_deref(), Some("e3"));
        idx.insert(fp ^ 8, "e5", t(70));
        assert_eq!(idx.len(), 3, "e2 expired; e3, e4, e5 held");
        assert_eq!(idx.find(fp, t(70), "x").as_deref(), Some("e3"));
        assert_eq!(idx.find(fp ^ (1 << 40), t(70), "e3").as_deref(), Some("e4"));
    }

    #[test]
    fn old_entry_behind_a_newer_one_stays_until_it_reaches_the_front() {
        let mut idx = index();
        idx.insert(1, "first", t(0));
        idx.insert(2, "late", t(50));
        idx.insert(3, "straggler", t(1));
        assert_eq!(
            idx.len(),
            2,
            "first expired, the straggler waits behind late"
        );
        assert_eq!(idx.find(3, t(2), "x").as_deref(), Some("straggler"));
        idx.insert(!3, "next", t(100));
        assert_eq!(idx.len(), 1);
        assert_eq!(idx.find(3, t(99), "x"), None);
    }

    #[test]
    fn many_entries_sharing_a_block_value() {
        let mut idx = index();
        let high = 0xabcd_0000_0000_0000_u64;
        // 2000 fingerprints sharing their top block, pairwise at least 3 bits apart.
        let fps: Vec<u64> = (0..2000u64)
            .map(|i| high | (i * 0x0001_0001_0001))
            .collect();
        for (i, &fp) in fps.iter().enumerate() {
            idx.insert(fp, &format!("a{i:04}"), t(i as i64 / 100));
        }
        assert_eq!(idx.len(), 2000);
        for i in [0usize, 1, 999, 1999] {
            assert_eq!(
                idx.find(fps[i] ^ (1 << 63), t(20), "x").as_deref(),
                Some(format!("a{i:04}").as_str())
            );
        }
        assert_eq!(idx.find(!high, t(20), "x"), None, "no block matches any");
        // Expire the first half (published before 10h): newest moves to 58h.
        idx.insert(0x1234, "late", t(58));
        assert_eq!(idx.len(), 1001);
        assert_eq!(idx.find(fps[999] ^ (1 << 63), t(20), "x"), None);
        assert_eq!(
            idx.find(fps[1000] ^ (1 << 63), t(20), "x").as_deref(),
            Some("a1000")
        );
    }

    #[test]
    fn ids_of_any_form_are_returned_as_given() {
        let mut idx = index();
        let upper = "urn:wirefeed:article:00000000000000FF";
        let short = "urn:wirefeed:article:ff";
        let urn = "urn:wirefeed:article:00000000000000ff";
        idx.insert(10, upper, t(0));
        idx.insert(10, short, t(1));
        idx.insert(10, urn, t(2));
        idx.insert(10, "", t(3));
        assert_eq!(idx.find(10, t(0), "x").as_deref(), Some(upper));
        assert_eq!(idx.find(10, t(0), upper).as_deref(), Some(short));
        assert_eq!(idx.find(11, t(4), "x").as_deref(), Some(upper));
        idx.insert(10, upper, t(0));
        idx.insert(10, urn, t(2));
        assert_eq!(idx.len(), 4, "each id held once");
        let mut only = index();
        only.insert(10, urn, t(2));
        assert_eq!(only.find(10, t(2), urn), None, "itself");
        assert_eq!(only.find(10, t(2), upper).as_deref(), Some(urn));
    }

    #[test]
    fn equal_times_break_ties_by_id_text() {
        let mut idx = index();
        let ids = [
            "urn:wirefeed:article:f000000000000000",
            "urn:wirefeed:article:0fffffffffffffff",
            "urn:wirefeed:article:0ffffffffffffffe0",
            "urn:wirefeed:article:1000000000000000",
        ];
        for (i, id) in ids.iter().enumerate() {
            idx.insert(20 ^ (1 << i), id, t(5));
        }
        assert_eq!(idx.find(20, t(5), "x").as_deref(), Some(ids[2]));
        assert_eq!(idx.find(20, t(5), ids[2]).as_deref(), Some(ids[1]));
        assert_eq!(idx.find(20, t(5), ids[1]).as_deref(), Some(ids[2]));
        idx.insert(20, "urn:wirefeed:article:", t(5));
        assert_eq!(
            idx.find(20, t(5), "x").as_deref(),
            Some("urn:wirefeed:article:")
        );
        idx.insert(20, "urn", t(5));
        assert_eq!(idx.find(20, t(5), "x").as_deref(), Some("urn"));
        idx.insert(20, "v", t(5));
        assert_eq!(idx.find(20, t(5), "x").as_deref(), Some("urn"));
    }

    #[test]
    fn sub_second_and_unusual_times_are_kept_exactly() {
        let mut idx = index();
        let ms = |h: i64, ms: i64| t(h) + Duration::milliseconds(ms);
        idx.insert(30, "z", ms(0, 200));
        idx.insert(30, "a", ms(0, 500));
        assert_eq!(idx.find(30, t(0), "x").as_deref(), Some("z"));
        assert_eq!(idx.find(30, ms(48, 201), "x").as_deref(), Some("a"));
        assert_eq!(idx.find(30, ms(48, 200), "x").as_deref(), Some("z"));
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap()
            .and_utc();
        let far = Utc.with_ymd_and_hms(3000, 1, 1, 0, 0, 0).unwrap();
        let early = Utc.with_ymd_and_hms(1500, 1, 1, 0, 0, 0).unwrap();
        let mut odd = index();
        odd.insert(40, "leap", leap);
        odd.insert(40, "early", early);
        assert_eq!(odd.find(40, leap, "x").as_deref(), Some("leap"));
        assert_eq!(odd.find(40, early, "x").as_deref(), Some("early"));
        odd.insert(41, "far", far);
        assert_eq!(odd.len(), 1, "the earlier two expired");
        assert_eq!(odd.find(40, far, "x").as_deref(), Some("far"));
    }
}

#[cfg(test)]
mod model {
    //! The index against a linear scan with the same rules.

    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    /// The reference: every held article in a Vec, in insertion order.
    struct Scan {
        max_distance: u32,
        window: Duration,
        held: Vec<(u64, String, DateTime<Utc>)>,
        newest: Option<DateTime<Utc>>,
    }

    impl Scan {
        fn find(&self, fingerprint: u64, published: DateTime<Utc>, id: &str) -> Option<String> {
            self.held
                .iter()
                .filter(|(f, i, p)| {
                    (f ^ fingerprint).count_ones() <= self.max_distance
                        && i != id
                        && (*p - published).abs() <= self.window
                })
                .min_by(|a, b| (a.2, &a.1).cmp(&(b.2, &b.1)))
                .map(|e| e.1.clone())
        }

        fn insert(&mut self, fingerprint: u64, id: &str, published: DateTime<Utc>) {
            if self
                .held
                .iter()
                .any(|(f, i, _)| *f == fingerprint && i == id)
            {
                return;
            }
            self.held.push((fingerprint, id.to_owned(), published));
            self.newest = self.newest.max(Some(published));
            let horizon = self.newest.and_then(|n| n.checked_sub_signed(self.window));
            let Some(horizon) = horizon else { return };
            let gone = self.held.iter().take_while(|e| e.2 < horizon).count();
            self.held.drain(..gone);
        }
    }

    const BASES: [u64; 4] = [
        0,
        0x0123_4567_89ab_cdef,
        0x0123_4567_89ab_0000,
        0xffff_0000_ffff_0000,
    ];
    const IDS: [&str; 8] = [
        "a",
        "b",
        "",
        "urn:wirefeed:article:0000000000000001",
        "urn:wirefeed:article:00000000000000ff",
        "urn:wirefeed:article:00000000000000FF",
        "urn:wirefeed:article:ff00000000000000",
        "urn:wirefeed:article:1",
    ];

    fn time(hours: i64, ms: i64, odd: u8) -> DateTime<Utc> {
        let base = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        match odd {
            0 => chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
                .unwrap()
                .and_hms_nano_opt(23, 59, 59, 1_000_000_000 + ms as u32 * 1_000_000)
                .unwrap()
                .and_utc(),
            1 => Utc.with_ymd_and_hms(2300, 1, 1, 0, 0, 0).unwrap() + Duration::hours(hours),
            _ => base + Duration::hours(hours) + Duration::milliseconds(ms),
        }
    }

    #[derive(Debug, Clone)]
    struct Op {
        insert: bool,
        fingerprint: u64,
        id: usize,
        hours: i64,
        ms: i64,
        odd: u8,
    }

    fn op() -> impl Strategy<Value = Op> {
        (
            prop::bool::weighted(0.6),
            0..BASES.len(),
            prop::collection::vec(
                prop::sample::select(vec![0u32, 1, 2, 15, 16, 31, 32, 47, 63]),
                0..5,
            ),
            0..IDS.len(),
            0i64..30,
            prop::sample::select(vec![0i64, 0, 0, 1, 999]),
            0u8..40,
        )
            .prop_map(|(insert, base, bits, id, hours, ms, odd)| Op {
                insert,
                fingerprint: bits.iter().fold(BASES[base], |f, b| f ^ (1u64 << b)),
                id,
                hours,
                ms,
                odd,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn same_answers_as_a_linear_scan(
            max_distance in 1u32..=5,
            window_hours in prop::sample::select(vec![0u64, 1, 6, 24]),
            ops in prop::collection::vec(op(), 1..120),
        ) {
            let window = std::time::Duration::from_secs(window_hours * 3600);
            let mut idx = NearDupIndex::new(max_distance, window);
            let mut scan = Scan {
                max_distance,
                window: Duration::from_std(window).unwrap(),
                held: Vec::new(),
                newest: None,
            };
            for op in &ops {
                let published = time(op.hours, op.ms, op.odd);
                let id = IDS[op.id];
                if op.insert {
                    idx.insert(op.fingerprint, id, published);
                    scan.insert(op.fingerprint, id, published);
                    prop_assert_eq!(idx.len(), scan.held.len());
                } else {
                    let found = idx.find(op.fingerprint, published, id);
                    let expected = scan.find(op.fingerprint, published, id);
                    prop_assert_eq!(found.as_deref(), expected.as_deref(), "{:?}", op);
                }
            }
        }
    }
}
