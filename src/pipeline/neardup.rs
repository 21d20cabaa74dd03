//! Near-duplicate lookup by SimHash (Manku, Jain, Das Sarma 2007): the same agency copy under a
//! reworked headline has a different dedup key but an almost identical body fingerprint.
//!
//! Fingerprints are 64-bit; two bodies are near-duplicates when their fingerprints differ in at
//! most `max_distance` bits (3 by default). The index splits each fingerprint into
//! `max_distance + 1` bit blocks; by the pigeonhole principle two fingerprints within that distance
//! agree exactly on at least one block, so a lookup follows one chain per block (articles sharing
//! the probe's value of that block) and checks the full distance only for the few candidates
//! found there — exact, no scan.
//!
//! Entries expire by event time: those first published more than `window` before the newest one
//! seen are dropped, in insertion order (an old entry behind a newer one waits for it).
//!
//! # Layout
//!
//! The index holds every article of the dedup window, so its size per article is what counts;
//! it is built from flat arrays rather than maps of allocations:
//!
//! - Articles are held in arrival order in a queue of 24-byte records (fingerprint, id,
//!   publication time). An article's sequence number is implicit (articles expired so far plus
//!   its position), and expiry pops from the front.
//! - Ids: the pipeline's ids are `urn:wirefeed:article:` and 16 lowercase hex digits
//!   ([`key::article_id`]); such an id is held as its 64-bit value and written out again when
//!   returned. Comparing the values orders these ids as their text does. Any other id is kept in
//!   a side map by sequence number, consulted only when that map is not empty, so ids of any
//!   form are returned as given and compared as text.
//! - Times: nanoseconds since the epoch, exact from 1677 to 2262 outside leap seconds; other
//!   times go to the side map too. Whole seconds would not do: locally processed articles carry
//!   sub-second times, and they decide the window edge and the earliest copy.
//! - Block tables are intrusive chains: per block a head for each block value (the newest article
//!   with that value) and per article, for each block, a link to the previous article with the
//!   same value, as a 32-bit distance back in the queue. A walk stops where a link reaches before
//!   the front: everything further down that chain expired too. A head counts only when it
//!   names a held article whose block has the head's value, so flat heads need no clearing on
//!   expiry: a stale head names an expired article, so it points before the front or (its 32
//!   bits wrapped) at a newer article, which cannot have that value, or the head would name it.
//! - Heads are a flat table of `u32` per block when blocks are at most 16 bits wide
//!   (`max_distance` ≥ 3): with the default of 3, four tables of 65 536 heads, 1 MiB allocated
//!   zeroed when the index is created. The 21 to 32-bit blocks of `max_distance` 1 and 2 would
//!   make such tables too large; there the heads are hash maps, and the head of an expiring
//!   article is removed.
//!
//! With the default distance an article takes 24 bytes of record and 16 of links, 52 with the
//! queues' doubling growth at 100 000 articles, or 63 counting the 1 MiB of heads (measured on
//! the heap); a map of entries with shared-string ids and a list of sequence numbers per block
//! value took 295. A lookup walks arrays instead of hashing one key per block, and an insert
//! allocates nothing but queue growth.
//!
//! Links and heads are 32-bit: the index is exact while it holds fewer than 2³² articles at once.
//!
//! [`key::article_id`]: super::key::article_id

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{HashMap, VecDeque};
use std::fmt;

use chrono::{DateTime, Duration, Utc};

use super::key::ARTICLE_URN_PREFIX;

/// One indexed article (its sequence number is implicit).
#[derive(Debug, Clone, Copy)]
struct Record {
    fingerprint: u64,
    /// The value of a wirefeed URN id (unused when the id is kept aside).
    id: u64,
    /// Nanoseconds since the epoch (unused when the time is kept aside).
    published: i64,
}

/// What does not fit an article's record.
#[derive(Debug, Default)]
struct Aside {
    id: Option<Box<str>>,
    published: Option<DateTime<Utc>>,
}

/// An article id: a wirefeed URN by its value, or any other text.
#[derive(Debug, Clone, Copy)]
enum Id<'a> {
    Urn(u64),
    Text(&'a str),
}

impl<'a> Id<'a> {
    fn parse(id: &'a str) -> Self {
        match id.strip_prefix(ARTICLE_URN_PREFIX) {
            Some(hex)
                if hex.len() == 16
                    && hex
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
            {
                u64::from_str_radix(hex, 16).map_or(Id::Text(id), Id::Urn)
            }
            _ => Id::Text(id),
        }
    }

    fn text(self) -> Cow<'a, str> {
        match self {
            Id::Urn(v) => Cow::Owned(format!("{ARTICLE_URN_PREFIX}{v:016x}")),
            Id::Text(s) => Cow::Borrowed(s),
        }
    }
}

/// Equal as text: a URN-form id is always parsed to [`Id::Urn`], so the two kinds never are.
impl PartialEq for Id<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Id::Urn(a), Id::Urn(b)) => a == b,
            (Id::Text(a), Id::Text(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Id<'_> {}

impl PartialOrd for Id<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Ordered as text; the 16 fixed-width hex digits of two URNs compare as their values.
impl Ord for Id<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Id::Urn(a), Id::Urn(b)) => a.cmp(b),
            _ => self.text().cmp(&other.text()),
        }
    }
}

/// A time as nanoseconds since the epoch, when that is exact.
fn nanos(t: DateTime<Utc>) -> Option<i64> {
    if t.timestamp_subsec_nanos() >= 1_000_000_000 {
        return None; // a leap second would read as the next second
    }
    t.timestamp_nanos_opt()
}

/// The heads of one block's chains: block value → sequence number (32 bits) of the newest
/// article with it.
#[derive(Debug)]
enum Heads {
    /// Indexed by block value (blocks of at most 16 bits).
    Flat(Vec<u32>),
    /// Wider blocks.
    Map(HashMap<u32, u32>),
}

/// One fingerprint block and its chains.
#[derive(Debug)]
struct Block {
    shift: u32,
    mask: u64,
    heads: Heads,
    /// Per held article (parallel to the records): distance back to the previous article with
    /// the same value of this block, 0 for none.
    links: VecDeque<u32>,
}

impl Block {
    fn value(&self, fingerprint: u64) -> u32 {
        ((fingerprint >> self.shift) & self.mask) as u32
    }
}

/// An index of recent article fingerprints.
pub struct NearDupIndex {
    max_distance: u32,
    window: Duration,
    blocks: Vec<Block>,
    /// Held articles in insertion order.
    records: VecDeque<Record>,
    /// Sequence number of the front record.
    base: u64,
    /// Ids and times that do not fit a record, by sequence number.
    aside: HashMap<u64, Aside>,
    newest: Option<DateTime<Utc>>,
}

impl fmt::Debug for NearDupIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NearDupIndex")
            .field("max_distance", &self.max_distance)
            .field("window", &self.window)
            .field("len", &self.records.len())
            .field("base", &self.base)
            .field("aside", &self.aside.len())
            .field("newest", &self.newest)
            .finish_non_exhaustive()
    }
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
                let width = 64 * (i + 1) / n - start;
                Block {
                    shift: start,
                    mask: (1u64 << width) - 1,
                    heads: if width <= 16 {
                        Heads::Flat(vec![0; 1 << width])
                    } else {
                        Heads::Map(HashMap::new())
                    },
                    links: VecDeque::new(),
                }
            })
            .collect();
        NearDupIndex {
            max_distance,
            window: Duration::from_std(window).unwrap_or(Duration::MAX),
            blocks,
            records: VecDeque::new(),
            base: 0,
            aside: HashMap::new(),
            newest: None,
        }
    }

    /// Articles held.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The earliest-published indexed article other than `id` whose fingerprint is within the
    /// distance and whose publication lies within the window of `published`; ties go to the
    /// smallest id.
    pub fn find(&self, fingerprint: u64, published: DateTime<Utc>, id: &str) -> Option<String> {
        let own = Id::parse(id);
        let mut best: Option<(DateTime<Utc>, Id<'_>)> = None;
        for block in &self.blocks {
            for pos in self.chain(block, fingerprint) {
                if (self.records[pos].fingerprint ^ fingerprint).count_ones() > self.max_distance {
                    continue;
                }
                let other = self.id_at(pos);
                if other == own {
                    continue;
                }
                let at = self.published_at(pos);
                if (at - published).abs() > self.window {
                    continue;
                }
                if best.is_none_or(|b| (at, other) < b) {
                    best = Some((at, other));
                }
            }
        }
        best.map(|(_, id)| id.text().into_owned())
    }

    /// Adds an article (ignored when the same id with the same fingerprint is already held).
    pub fn insert(&mut self, fingerprint: u64, id: &str, published: DateTime<Utc>) {
        let key = Id::parse(id);
        if self
            .chain(&self.blocks[0], fingerprint)
            .any(|pos| self.records[pos].fingerprint == fingerprint && self.id_at(pos) == key)
        {
            return;
        }
        let pos = self.records.len();
        let seq = self.base + pos as u64;
        for b in 0..self.blocks.len() {
            let link = self
                .head(&self.blocks[b], fingerprint)
                .map_or(0, |prev| u32::try_from(pos - prev).unwrap_or(0));
            let block = &mut self.blocks[b];
            block.links.push_back(link);
            let value = block.value(fingerprint);
            match &mut block.heads {
                Heads::Flat(heads) => heads[value as usize] = seq as u32,
                Heads::Map(heads) => {
                    heads.insert(value, seq as u32);
                }
            }
        }
        let mut aside = Aside::default();
        let id = match key {
            Id::Urn(v) => v,
            Id::Text(text) => {
                aside.id = Some(text.into());
                0
            }
        };
        let time = nanos(published).unwrap_or_else(|| {
            aside.published = Some(published);
            0
        });
        if aside.id.is_some() || aside.published.is_some() {
            self.aside.insert(seq, aside);
        }
        self.records.push_back(Record {
            fingerprint,
            id,
            published: time,
        });
        if self.newest.is_none_or(|n| published > n) {
            self.newest = Some(published);
        }
        self.expire();
    }

    /// Position of the newest held article whose `block` equals that of `fingerprint`.
    fn head(&self, block: &Block, fingerprint: u64) -> Option<usize> {
        let value = block.value(fingerprint);
        let seq = match &block.heads {
            Heads::Flat(heads) => heads[value as usize],
            Heads::Map(heads) => *heads.get(&value)?,
        };
        let pos = seq.wrapping_sub(self.base as u32) as usize;
        (pos < self.records.len() && block.value(self.records[pos].fingerprint) == value)
            .then_some(pos)
    }

    /// Positions of the held articles whose `block` equals that of `fingerprint`, newest first.
    fn chain<'s>(&'s self, block: &'s Block, fingerprint: u64) -> impl Iterator<Item = usize> + 's {
        let mut next = self.head(block, fingerprint);
        std::iter::from_fn(move || {
            let pos = next?;
            let back = block.links[pos] as usize;
            next = (back != 0 && back <= pos).then(|| pos - back);
            Some(pos)
        })
    }

    fn id_at(&self, pos: usize) -> Id<'_> {
        if !self.aside.is_empty()
            && let Some(text) = self
                .aside
                .get(&(self.base + pos as u64))
                .and_then(|a| a.id.as_deref())
        {
            return Id::Text(text);
        }
        Id::Urn(self.records[pos].id)
    }

    fn published_at(&self, pos: usize) -> DateTime<Utc> {
        if !self.aside.is_empty()
            && let Some(t) = self
                .aside
                .get(&(self.base + pos as u64))
                .and_then(|a| a.published)
        {
            return t;
        }
        DateTime::from_timestamp_nanos(self.records[pos].published)
    }

    /// Drops entries published more than a window before the newest (in insertion order, so an
    /// old entry behind a newer one waits for it).
    fn expire(&mut self) {
        let Some(horizon) = self.newest.and_then(|n| n.checked_sub_signed(self.window)) else {
            return;
        };
        while let Some(&front) = self.records.front() {
            if self.published_at(0) >= horizon {
                break;
            }
            let seq = self.base;
            for block in &mut self.blocks {
                block.links.pop_front();
                let value = block.value(front.fingerprint);
                if let Heads::Map(heads) = &mut block.heads
                    && heads.get(&value) == Some(&(seq as u32))
                {
                    heads.remove(&value);
                }
            }
            if !self.aside.is_empty() {
                self.aside.remove(&seq);
            }
            self.records.pop_front();
            self.base += 1;
        }
    }
}

#[cfg(test)]
impl NearDupIndex {
    /// The same empty index, numbering its articles from `seq` (to cross the 32-bit wrap).
    fn numbered_from(mut self, seq: u64) -> Self {
        self.base = seq;
        self
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
            first_seq in prop::sample::select(vec![0u64, (1 << 32) - 20]),
            ops in prop::collection::vec(op(), 1..120),
        ) {
            let window = std::time::Duration::from_secs(window_hours * 3600);
            let mut idx = NearDupIndex::new(max_distance, window).numbered_from(first_seq);
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
