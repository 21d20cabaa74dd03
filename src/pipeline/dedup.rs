//! Dedup decisions for one keyed-topic partition (DESIGN.md, "Dedup semantics").
//!
//! # Same story
//!
//! Two items are the same story when their dedup keys are equal and either
//!
//! - their first publication times (event time carried by the item, never arrival time) lie
//!   within [`SameStory::tolerance`] of each other: copies of one agency story reach outlets
//!   minutes to hours apart, and an update keeps the first publication time; or
//! - their bodies are near-identical (SimHash within [`SameStory::distance`] bits, bodies of
//!   [`SameStory::min_words`] or more) and they lie within [`SameStory::window`]: a re-send or a
//!   late copy of the same text.
//!
//! The same headline further apart than the tolerance with a clearly different body is a **new
//! story** with its own id: recurring headlines ("Stocks to watch today", "Weather forecast")
//! publish a new story every day. When several stories of a key qualify, the one with a
//! near-identical body wins, then the one whose first publication is closest, then the earlier:
//! a choice that does not depend on which story was created first.
//!
//! For the same story: content already emitted (its fingerprint equals that of any emitted
//! version) is a **duplicate**; new content with an older version time than the newest emitted
//! version is a stale copy, also a duplicate; other new content — a later version time, or the
//! same one, as when a replay parses an item anew with a changed parser — is an **update** (same
//! article id, version + 1). Remembering every emitted fingerprint, not just the newest, keeps
//! copies that differ slightly from outlet to outlet from flip-flopping as updates. A headline-only
//! alert (no body) followed within the tolerance by the full story under the same headline is one
//! story: the full story is the alert's update, and an alert that arrives after its full story
//! (a backfill) is a stale copy.
//!
//! Deciding does not change the state: [`DedupState::decide`] is pure, and
//! [`DedupState::record`] applies a decision once its article is written, so an article that
//! never reaches the articles topic (an encoding failure, an output too large) leaves no trace
//! and the next copy is decided as if it had never been seen.
//!
//! # Ids and arrival order
//!
//! Which items form one story does not depend on the order they arrive in, as long as the items
//! of a story do not link two stories apart (an item within the tolerance of two stories that are
//! not within it of each other joins one of them; stories already emitted are never merged). The
//! id does: it is derived from the dedup key and the first publication of the copy that created
//! the story, and an id once emitted never changes. A later-published copy that arrives first
//! (a backfill, partition lag) gives the story its id; the earlier copies that follow are
//! duplicates or updates under that id. A replay of the same log gives the same ids.
//!
//! Memory is bounded by the same horizon as the state's restore: [`DedupState::sweep`] drops the
//! stories last emitted (or read back) before a wall-clock horizon, `dedup.restore_lookback`
//! ago. Decisions never use arrival time; only forgetting does, so that what the stage holds in
//! memory is exactly what a restore from the articles topic would rebuild, and an out-of-order
//! backfill spanning weeks of event time is still recognised.
//!
//! # Layout
//!
//! A partition holds every story of the last `restore_lookback` (a week by default), so the
//! state is laid out for the common story — one story per key, one version — at about 54 bytes
//! of heap per story:
//!
//! - **Key hash, not key.** Stories are found by a 64-bit xxh3 hash of the dedup key, seeded
//!   per state, in a map whose hasher passes that hash through. Distinct keys collide with
//!   probability about n²/2⁶⁵ for n keys held (3·10⁻⁸ for a million); a collision makes two
//!   different headlines share their stories, so a copy of the second within the tolerance of
//!   the first is decided against the first (an update, under an id of neither, or a duplicate
//!   instead of a new story). The seed, drawn per state, keeps crafted headlines from piling up
//!   in one bucket and keeps a collision from recurring after a restart or rebalance.
//! - **Derived ids.** The article id is `article_id(key, first_published)` by construction, so
//!   it is computed when a [`Decision`] needs it rather than stored. The one exception comes
//!   from [`DedupState::restore`], which knows stories by the id they were emitted under: an
//!   update's state header carries the story's first publication
//!   ([`Decision::Update`] says which), but articles written by earlier releases carried the
//!   publication of the copy that made the update, and a restore takes the newest version's
//!   fields, so a story restored from such an update has an id its first publication no longer
//!   derives. Those ids (of some updated stories only) are kept in a side map.
//! - **A 32-byte record** per story: first publication and newest version time (ms since the
//!   epoch), newest fingerprint, seen time (s since the epoch, `u32`, saturating in 2106), and
//!   the version (29 bits, saturating at 536 870 911) sharing a word with three flags. With
//!   the 8-byte key hash a map bucket is 40 bytes, plus a control byte. The map's load factor
//!   moves between 7/16 and 7/8 as it doubles, so the heap per story moves between 47 and 94
//!   bytes with the number of stories (about 54 at 100 000 or 200 000 stories, 86 at a
//!   million).
//! - **Side maps for the rare cases**, looked up only when a flag of the record says so: the
//!   fingerprints of earlier versions of an updated story, a stored id (above), and the further
//!   stories of a key that has several (the same headline over another story). The first story
//!   of a key stays in the compact map; further ones, in order of creation, carry their own earlier
//!   fingerprints and id. When [`DedupState::sweep`] drops the first story, the next one takes
//!   its place. Which story a candidate matches does not depend on that order (the best rank
//!   wins; among equal ranks, the story created first).
//!
//! Times are compared at millisecond precision (publication and version times of wire items
//! carry seconds at most), ids use seconds as always, and [`DedupState::sweep`] forgets at
//! second precision: a story may be kept up to a second longer than its horizon.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use chrono::{DateTime, Utc};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::key::article_id;

/// What the dedup stage remembers of one story, as read back from the articles topic
/// ([`DedupState::restore`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryState {
    /// First publication time of the story (its first copy).
    pub first_published: DateTime<Utc>,
    /// Version time of the newest emitted version.
    pub version_time: DateTime<Utc>,
    /// Content fingerprint of the newest emitted version.
    pub fingerprint: u64,
    /// Fingerprints of the earlier emitted versions (the newest is `fingerprint`).
    pub earlier: Vec<u64>,
    /// When the newest version was emitted or read back (ms since the epoch, wall clock): what
    /// [`DedupState::sweep`] forgets by.
    pub seen_ms: i64,
    /// Version number of the newest emitted version (1 = first).
    pub version: u32,
    /// The article id shared by all versions: how a restore recognises further versions of the
    /// same story. Held only when it is not `article_id(key, first_published)`.
    pub id: String,
}

/// The verdict on one incoming article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A story not seen within the window: emit as version 1.
    New {
        /// Id to emit under.
        id: String,
    },
    /// A newer version with different content: emit under the same id.
    Update {
        /// Id of the story.
        id: String,
        /// The new version number.
        version: u32,
        /// The story's first publication (that of its first copy, which the id derives from):
        /// what the article's state header carries, so a restore anchors the window where the
        /// story began rather than at this copy.
        first_published: DateTime<Utc>,
    },
    /// Nothing new: drop and count.
    Duplicate {
        /// Id of the story this copy duplicates.
        of: String,
    },
}

/// One incoming article as dedup sees it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Dedup key (normalised headline).
    pub key: &'a str,
    /// Event time: first publication.
    pub published: DateTime<Utc>,
    /// Version time: last update, or `published` when the item has none.
    pub version_time: DateTime<Utc>,
    /// Content fingerprint.
    pub fingerprint: u64,
    /// Words in the body: shorter bodies than [`SameStory::min_words`] are not compared by
    /// fingerprint (a headline-only alert has none).
    pub words: u32,
    /// Processing time (ms since the epoch), recorded on the stories this candidate creates or
    /// updates; never used to decide.
    pub now_ms: i64,
}

/// When two items under one dedup key are the same story (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SameStory {
    /// Copies whose first publication times lie this close are one story, whatever their bodies
    /// (`dedup.same_story_tolerance`).
    pub tolerance: std::time::Duration,
    /// Copies with near-identical bodies are one story within this span (`dedup.window`).
    pub window: std::time::Duration,
    /// Largest SimHash distance, in bits, of near-identical bodies
    /// (`dedup.near_duplicate_distance`).
    pub distance: u32,
    /// Bodies shorter than this (words) are not compared (`dedup.near_duplicate_min_words`).
    pub min_words: u32,
}

impl Default for SameStory {
    /// The configuration defaults: 6 h tolerance, 48 h window, 3 bits, 30 words.
    fn default() -> Self {
        SameStory {
            tolerance: std::time::Duration::from_secs(6 * 3600),
            window: std::time::Duration::from_secs(48 * 3600),
            distance: 3,
            min_words: 30,
        }
    }
}

/// Highest version number held; further updates keep it.
const VERSION_MAX: u32 = (1 << 29) - 1;
/// Flag of a first story: its earlier fingerprints are in [`Side::earlier`].
const HAS_EARLIER: u32 = 1 << 29;
/// Flag of a first story: its id is in [`Side::ids`].
const HAS_ID: u32 = 1 << 30;
/// Flag of a first story: its key has further stories in [`Side::more`].
const HAS_MORE: u32 = 1 << 31;

/// The compact record of one story (32 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Story {
    /// First publication, ms since the epoch.
    first_ms: i64,
    /// Version time of the newest emitted version, ms since the epoch.
    version_ms: i64,
    /// Fingerprint of the newest emitted version.
    fingerprint: u64,
    /// When the newest version was emitted or read back, s since the epoch (saturating).
    seen_s: u32,
    /// Version number (low 29 bits) and the `HAS_*` flags (set on first stories only).
    meta: u32,
}

impl Story {
    fn new(c: &Candidate<'_>) -> Self {
        Story {
            first_ms: c.published.timestamp_millis(),
            version_ms: c.version_time.timestamp_millis(),
            fingerprint: c.fingerprint,
            seen_s: seconds(c.now_ms),
            meta: 1,
        }
    }

    fn version(self) -> u32 {
        self.meta & VERSION_MAX
    }

    fn has(self, flag: u32) -> bool {
        self.meta & flag != 0
    }

    /// True when `c` brings nothing new to this story, whose earlier fingerprints are `earlier`.
    fn is_duplicate(self, earlier: &[u64], c: &Candidate<'_>) -> bool {
        self.fingerprint == c.fingerprint
            || earlier.contains(&c.fingerprint)
            || c.version_time.timestamp_millis() < self.version_ms
    }

    /// Makes `c` the newest version; returns the fingerprint it replaces.
    fn advance(&mut self, c: &Candidate<'_>) -> u64 {
        let version = (self.version() + 1).min(VERSION_MAX);
        self.meta = (self.meta & !VERSION_MAX) | version;
        self.seen_s = self.seen_s.max(seconds(c.now_ms));
        self.version_ms = c.version_time.timestamp_millis();
        std::mem::replace(&mut self.fingerprint, c.fingerprint)
    }
}

/// A story with everything held about it: further stories of a key are kept this way, and a
/// first story while a restore merges into it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Full {
    /// The record, without flags.
    story: Story,
    /// Fingerprints of the earlier emitted versions.
    earlier: Vec<u64>,
    /// The article id, when it is not derived from the key and the first publication.
    id: Option<Box<str>>,
}

impl Full {
    /// Merges `other`, another emitted version of the same story: every fingerprint is content
    /// already emitted, the newest version's fields win, and the latest seen time.
    fn merge(&mut self, other: Full) {
        let older = if other.story.version() >= self.story.version() {
            std::mem::replace(self, other)
        } else {
            other
        };
        self.story.seen_s = self.story.seen_s.max(older.story.seen_s);
        for fp in older
            .earlier
            .iter()
            .copied()
            .chain([older.story.fingerprint])
        {
            if fp != self.story.fingerprint && !self.earlier.contains(&fp) {
                self.earlier.push(fp);
            }
        }
    }
}

/// Hasher of keys that are already hashes: passes the `u64` through.
#[derive(Debug, Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    /// Only `u64` keys are hashed with it; other input is folded in, so that it stays a hasher.
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
}

/// A map keyed by dedup key hash.
type ByKeyHash<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// What the flags of first stories point to, by key hash.
#[derive(Debug, Default)]
struct Side {
    /// Earlier fingerprints of first stories flagged `HAS_EARLIER` (never empty).
    earlier: ByKeyHash<Vec<u64>>,
    /// Ids of first stories flagged `HAS_ID`.
    ids: ByKeyHash<Box<str>>,
    /// Further stories of keys flagged `HAS_MORE`, in order of creation (never empty).
    more: ByKeyHash<Vec<Full>>,
}

impl Side {
    /// Takes out what is held about `story`, the first story of key hash `h`, except the further
    /// stories of its key.
    fn detach(&mut self, h: u64, story: Story) -> Full {
        Full {
            earlier: story
                .has(HAS_EARLIER)
                .then(|| self.earlier.remove(&h))
                .flatten()
                .unwrap_or_default(),
            id: story.has(HAS_ID).then(|| self.ids.remove(&h)).flatten(),
            story: Story {
                meta: story.version(),
                ..story
            },
        }
    }

    /// Holds `full` as the first story of key hash `h` (`more`: its key has further stories);
    /// returns its record for the compact map.
    fn attach(&mut self, h: u64, full: Full, more: bool) -> Story {
        let mut story = full.story;
        if !full.earlier.is_empty() {
            story.meta |= HAS_EARLIER;
            self.earlier.insert(h, full.earlier);
        }
        if let Some(id) = full.id {
            story.meta |= HAS_ID;
            self.ids.insert(h, id);
        }
        if more {
            story.meta |= HAS_MORE;
        }
        story
    }

    /// Releases the capacity that sweeps left unused.
    fn trim(&mut self) {
        trim(&mut self.earlier);
        trim(&mut self.ids);
        trim(&mut self.more);
    }
}

/// Dedup state of one partition.
#[derive(Debug)]
pub struct DedupState {
    /// When items are the same story.
    rule: Rule,
    /// Seed of the key hash.
    seed: u64,
    /// The first story of each key.
    stories: ByKeyHash<Story>,
    /// What the flags of `stories` point to.
    side: Side,
    /// Number of stories held, first and further.
    len: usize,
}

/// [`SameStory`] in the units the state compares.
#[derive(Debug, Clone, Copy)]
struct Rule {
    tolerance_ms: u64,
    window_ms: u64,
    distance: u32,
    min_words: u32,
}

/// Where a story of a key is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// The first story, in the compact map.
    First,
    /// A further story, at this index of [`Side::more`].
    More(usize),
}

impl Rule {
    /// How well `story` (with its earlier fingerprints) matches `c`, published at `published`
    /// (ms): `None` when it is another story; lower is better (near-identical body first, then
    /// the closest first publication, then the earlier one).
    fn rank(self, story: &Story, earlier: &[u64], c: &Candidate<'_>) -> Option<(bool, u64, i64)> {
        let apart = story.first_ms.abs_diff(c.published.timestamp_millis());
        let near = |fp: u64| crate::enrich::hamming(fp, c.fingerprint) <= self.distance;
        let same_body = c.words >= self.min_words
            && apart <= self.window_ms
            && (near(story.fingerprint) || earlier.iter().copied().any(near));
        (same_body || apart <= self.tolerance_ms).then_some((!same_body, apart, story.first_ms))
    }
}

impl DedupState {
    /// An empty state deciding by `rule`.
    pub fn new(rule: SameStory) -> Self {
        let ms = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        DedupState {
            rule: Rule {
                tolerance_ms: ms(rule.tolerance),
                window_ms: ms(rule.window),
                distance: rule.distance,
                min_words: rule.min_words,
            },
            seed: RandomState::new().hash_one(0x7769_7265_6665_6564_u64),
            stories: ByKeyHash::default(),
            side: Side::default(),
            len: 0,
        }
    }

    /// Number of stories held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no story is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn key_hash(&self, key: &str) -> u64 {
        xxh3_64_with_seed(key.as_bytes(), self.seed)
    }

    /// The earlier fingerprints of the first story of key hash `h`.
    fn first_earlier(&self, h: u64, first: Story) -> &[u64] {
        first
            .has(HAS_EARLIER)
            .then(|| self.side.earlier.get(&h))
            .flatten()
            .map_or(&[], Vec::as_slice)
    }

    /// The story of key hash `h` that `c` belongs to, if any.
    fn find(&self, h: u64, c: &Candidate<'_>) -> Option<Slot> {
        let first = *self.stories.get(&h)?;
        let mut best = self
            .rule
            .rank(&first, self.first_earlier(h, first), c)
            .map(|rank| (rank, Slot::First));
        let more = first
            .has(HAS_MORE)
            .then(|| self.side.more.get(&h))
            .flatten()
            .map_or(&[][..], Vec::as_slice);
        for (i, s) in more.iter().enumerate() {
            if let Some(rank) = self.rule.rank(&s.story, &s.earlier, c)
                && best.as_ref().is_none_or(|(b, _)| rank < *b)
            {
                best = Some((rank, Slot::More(i)));
            }
        }
        best.map(|(_, slot)| slot)
    }

    /// Decides what to do with `candidate`, without changing the state: deciding twice gives
    /// the same decision. [`DedupState::record`] applies it once the article is written.
    pub fn decide(&self, candidate: &Candidate<'_>) -> Decision {
        let h = self.key_hash(candidate.key);
        let Some(slot) = self.find(h, candidate) else {
            return Decision::New {
                id: article_id(candidate.key, candidate.published),
            };
        };
        let (story, earlier, stored) = match slot {
            Slot::First => {
                let first = self.stories[&h];
                let stored = first.has(HAS_ID).then(|| self.side.ids.get(&h)).flatten();
                (first, self.first_earlier(h, first), stored.map(|id| &**id))
            }
            Slot::More(i) => {
                let s = &self.side.more[&h][i];
                (s.story, s.earlier.as_slice(), s.id.as_deref())
            }
        };
        let id = story_id(candidate.key, story.first_ms, stored);
        if story.is_duplicate(earlier, candidate) {
            return Decision::Duplicate { of: id };
        }
        Decision::Update {
            id,
            version: (story.version() + 1).min(VERSION_MAX),
            first_published: ms_to_time(story.first_ms),
        }
    }

    /// Applies `decision`, which [`DedupState::decide`] gave for `candidate`, once its article
    /// is written: a new story is held, an update becomes the story's newest version, a
    /// duplicate changes nothing.
    pub fn record(&mut self, candidate: &Candidate<'_>, decision: &Decision) {
        let h = self.key_hash(candidate.key);
        match decision {
            Decision::Duplicate { .. } => {}
            Decision::New { .. } => self.hold(
                h,
                Full {
                    story: Story::new(candidate),
                    earlier: Vec::new(),
                    id: None,
                },
            ),
            // The state has not changed since the decision: the same story is found again.
            Decision::Update { .. } => match self.find(h, candidate) {
                Some(Slot::First) => {
                    if let Some(first) = self.stories.get_mut(&h) {
                        let old = first.advance(candidate);
                        first.meta |= HAS_EARLIER;
                        self.side.earlier.entry(h).or_default().push(old);
                    }
                }
                Some(Slot::More(i)) => {
                    if let Some(s) = self.side.more.get_mut(&h).and_then(|m| m.get_mut(i)) {
                        let old = s.story.advance(candidate);
                        s.earlier.push(old);
                    }
                }
                None => {}
            },
        }
    }

    /// Holds `full` as a further story of key hash `h` (the first when the key has none).
    fn hold(&mut self, h: u64, full: Full) {
        if let Some(first) = self.stories.get_mut(&h) {
            first.meta |= HAS_MORE;
            self.side.more.entry(h).or_default().push(full);
        } else {
            let record = self.side.attach(h, full, false);
            self.stories.insert(h, record);
        }
        self.len += 1;
    }

    /// [`DedupState::decide`], then [`DedupState::record`]: for callers whose every decision
    /// is written (measurements, benchmarks).
    pub fn decide_and_record(&mut self, candidate: &Candidate<'_>) -> Decision {
        let decision = self.decide(candidate);
        self.record(candidate, &decision);
        decision
    }

    /// Records an article that was already emitted (read back from the articles topic), so that
    /// later copies are recognised. A story is known by its article id; a newer version of a
    /// known story replaces the older state.
    pub fn restore(&mut self, key: &str, story: StoryState) {
        let h = self.key_hash(key);
        // Whether the id is the one derived from the key and the first publication, as it is
        // for every first version and for the updates from copies published at the same second.
        let derived = article_id(key, story.first_published) == story.id;
        let first_s = story.first_published.timestamp();
        let same = |first_ms: i64, stored: Option<&str>| match stored {
            Some(id) => id == story.id,
            None if derived => first_ms.div_euclid(1000) == first_s,
            None => story_id(key, first_ms, None) == story.id,
        };
        let restored = Full {
            story: Story {
                first_ms: story.first_published.timestamp_millis(),
                version_ms: story.version_time.timestamp_millis(),
                fingerprint: story.fingerprint,
                seen_s: seconds(story.seen_ms),
                meta: story.version.min(VERSION_MAX),
            },
            id: (!derived).then(|| story.id.clone().into_boxed_str()),
            earlier: story.earlier,
        };
        let Some(&first) = self.stories.get(&h) else {
            return self.hold(h, restored);
        };
        let stored = first.has(HAS_ID).then(|| self.side.ids.get(&h)).flatten();
        if same(first.first_ms, stored.map(|id| &**id)) {
            let mut full = self.side.detach(h, first);
            full.merge(restored);
            let record = self.side.attach(h, full, first.has(HAS_MORE));
            self.stories.insert(h, record);
            return;
        }
        if let Some(existing) = self.side.more.get_mut(&h).and_then(|more| {
            more.iter_mut()
                .find(|s| same(s.story.first_ms, s.id.as_deref()))
        }) {
            existing.merge(restored);
            return;
        }
        self.hold(h, restored);
    }

    /// Forgets the stories last emitted (or read back) before `horizon_ms` (wall clock, ms since
    /// the epoch, at second precision); the stage calls it with `now - dedup.restore_lookback`.
    pub fn sweep(&mut self, horizon_ms: i64) {
        let horizon = seconds(horizon_ms);
        let DedupState { stories, side, .. } = self;
        stories.retain(|&h, first| {
            let mut more = if first.has(HAS_MORE) {
                side.more.remove(&h).unwrap_or_default()
            } else {
                Vec::new()
            };
            more.retain(|s| s.story.seen_s >= horizon);
            if first.seen_s >= horizon {
                first.meta &= !HAS_MORE;
            } else {
                // The first story goes: the next one, if any, takes its place.
                side.detach(h, *first);
                if more.is_empty() {
                    return false;
                }
                let next = more.remove(0);
                *first = side.attach(h, next, false);
            }
            if !more.is_empty() {
                first.meta |= HAS_MORE;
                side.more.insert(h, more);
            }
            true
        });
        self.len = stories.len() + side.more.values().map(Vec::len).sum::<usize>();
        trim(stories);
        side.trim();
    }
}

/// The id of a story of `key` first published at `first_ms`: `stored`, or the derived one.
fn story_id(key: &str, first_ms: i64, stored: Option<&str>) -> String {
    match stored {
        Some(id) => id.to_owned(),
        // Every `first_ms` held was read from a `DateTime<Utc>`, so it converts back.
        None => article_id(key, ms_to_time(first_ms)),
    }
}

/// Whole seconds since the epoch of `ms`, saturated to `u32`.
fn seconds(ms: i64) -> u32 {
    u32::try_from(ms.div_euclid(1000).max(0)).unwrap_or(u32::MAX)
}

/// Releases most of a map's capacity once a sweep has left three quarters of it unused.
fn trim<V>(map: &mut ByKeyHash<V>) {
    if map.capacity() > 4 * map.len() {
        map.shrink_to(2 * map.len());
    }
}

/// A time from milliseconds since the epoch (the epoch itself if out of range, which the
/// millisecond values stored here never are: they come from valid times).
fn ms_to_time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(hour: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 8, 20, 0, 0, 0).unwrap() + Duration::hours(hour)
    }

    fn cand(key: &str, published: i64, version: i64, fp: u64) -> Candidate<'_> {
        Candidate {
            key,
            published: t(published),
            version_time: t(version),
            fingerprint: fp,
            words: 0,
            now_ms: published * 1000,
        }
    }

    /// A state whose tolerance is the whole 48 h window: the layout tests below keep the stories
    /// of a key apart by time alone.
    fn state() -> DedupState {
        DedupState::new(SameStory {
            tolerance: std::time::Duration::from_secs(48 * 3600),
            ..SameStory::default()
        })
    }

    #[test]
    fn first_copy_is_new_and_identical_copy_is_duplicate() {
        let mut s = state();
        let Decision::New { id } = s.decide_and_record(&cand("k", 0, 0, 7)) else {
            panic!("expected new")
        };
        assert_eq!(
            s.decide_and_record(&cand("k", 1, 1, 7)),
            Decision::Duplicate { of: id }
        );
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn later_version_with_new_content_is_update_with_same_id() {
        let mut s = state();
        let Decision::New { id } = s.decide_and_record(&cand("k", 0, 0, 7)) else {
            panic!()
        };
        assert_eq!(
            s.decide_and_record(&cand("k", 0, 2, 8)),
            Decision::Update {
                id: id.clone(),
                version: 2,
                first_published: t(0),
            }
        );
        // The same update again is a duplicate; a stale older version is too.
        assert_eq!(
            s.decide_and_record(&cand("k", 0, 2, 8)),
            Decision::Duplicate { of: id.clone() }
        );
        assert_eq!(
            s.decide_and_record(&cand("k", 0, 1, 9)),
            Decision::Duplicate { of: id.clone() }
        );
        // The first version's content again (another outlet's copy) is no update either.
        assert_eq!(
            s.decide_and_record(&cand("k", 0, 2, 7)),
            Decision::Duplicate { of: id.clone() }
        );
        // New content at the same version time (a replay through a changed parser) is.
        assert_eq!(
            s.decide_and_record(&cand("k", 0, 2, 10)),
            Decision::Update {
                id,
                version: 3,
                first_published: t(0)
            }
        );
    }

    #[test]
    fn same_headline_outside_window_is_new_story() {
        let mut s = state();
        let Decision::New { id: first } = s.decide_and_record(&cand("stocks to watch", 0, 0, 1))
        else {
            panic!()
        };
        let Decision::New { id: second } = s.decide_and_record(&cand("stocks to watch", 49, 49, 1))
        else {
            panic!("outside the window must be new")
        };
        assert_ne!(first, second);
        // Within the tolerance of both: the closer story.
        assert_eq!(
            s.decide_and_record(&cand("stocks to watch", 20, 20, 1)),
            Decision::Duplicate { of: first }
        );
        assert_eq!(
            s.decide_and_record(&cand("stocks to watch", 30, 30, 1)),
            Decision::Duplicate { of: second }
        );
    }

    #[test]
    fn deciding_does_not_change_the_state() {
        let mut s = state();
        let v1 = cand("k", 0, 0, 7);
        let first = s.decide(&v1);
        assert_eq!(s.decide(&v1), first);
        assert!(s.is_empty());
        // v1 was never written (an encoding failure): the next copy is v1 again, not v2.
        let copy = cand("k", 1, 1, 8);
        assert_eq!(
            s.decide(&copy),
            Decision::New {
                id: article_id("k", t(1))
            }
        );
        s.record(&copy, &s.decide(&copy));
        let update = cand("k", 1, 2, 9);
        let decision = s.decide(&update);
        assert_eq!(s.decide(&update), decision);
        assert!(matches!(decision, Decision::Update { version: 2, .. }));
        assert_eq!(s.len(), 1);
        // Not written either: the update is decided the same way once more.
        assert_eq!(s.decide(&update), decision);
        s.record(&update, &decision);
        assert_eq!(
            s.decide(&update),
            Decision::Duplicate {
                of: article_id("k", t(1))
            }
        );
    }

    /// A candidate under the default rule, with a body of `words` words.
    fn body(key: &str, published: i64, version: i64, fp: u64, words: u32) -> Candidate<'_> {
        Candidate {
            words,
            ..cand(key, published, version, fp)
        }
    }

    #[test]
    fn recurring_headline_with_a_new_body_is_a_new_story() {
        let mut s = DedupState::new(SameStory::default());
        let day1 = body("stocks to watch today", 3, 3, 0xFFFF_0000, 200);
        let Decision::New { id: first } = s.decide_and_record(&day1) else {
            panic!("first day is new")
        };
        // The next morning, another body: a new story with its own id.
        let day2 = body("stocks to watch today", 27, 27, 0x0000_FFFF, 200);
        let Decision::New { id: second } = s.decide_and_record(&day2) else {
            panic!("the next day is a new story")
        };
        assert_ne!(first, second);
        // Day 1 arriving again after day 2 (a backfill) is still day 1's duplicate.
        assert_eq!(
            s.decide_and_record(&day1),
            Decision::Duplicate { of: first.clone() }
        );
        // Another outlet's copy of day 2, two hours later, slightly edited: day 2's story.
        assert_eq!(
            s.decide_and_record(&body("stocks to watch today", 29, 29, 0x0001_FFFF, 200)),
            Decision::Update {
                id: second.clone(),
                version: 2,
                first_published: t(27),
            }
        );
        // A re-send of day 1's body 20 hours later: day 1's story, by its body.
        assert_eq!(
            s.decide_and_record(&body("stocks to watch today", 23, 23, 0xFFFF_0001, 200)),
            Decision::Update {
                id: first,
                version: 2,
                first_published: t(3),
            }
        );
        // Within the tolerance a rewritten body is the same story (an update).
        assert!(matches!(
            s.decide_and_record(&body("stocks to watch today", 31, 31, 0x1234_5678, 200)),
            Decision::Update { id, .. } if id == second
        ));
    }

    #[test]
    fn an_alert_and_its_full_story_are_one_story_in_either_order() {
        let alert = body("quake hits tokyo", 0, 0, 0, 0);
        let full = Candidate {
            version_time: t(0) + Duration::minutes(20),
            published: t(0) + Duration::minutes(20),
            ..body("quake hits tokyo", 0, 0, 0xABCD, 300)
        };
        let mut s = DedupState::new(SameStory::default());
        let Decision::New { id } = s.decide_and_record(&alert) else {
            panic!()
        };
        assert_eq!(
            s.decide_and_record(&full),
            Decision::Update {
                id: id.clone(),
                version: 2,
                first_published: t(0),
            }
        );
        // Backfilled the other way round: the alert is a stale copy of the full story.
        let mut s = DedupState::new(SameStory::default());
        let Decision::New { id } = s.decide_and_record(&full) else {
            panic!()
        };
        assert_eq!(s.decide_and_record(&alert), Decision::Duplicate { of: id });
        // Alerts a day apart under one headline have no body to compare: two stories.
        let mut s = DedupState::new(SameStory::default());
        s.decide_and_record(&alert);
        assert!(matches!(
            s.decide_and_record(&body("quake hits tokyo", 24, 24, 0, 0)),
            Decision::New { .. }
        ));
    }

    #[test]
    fn decisions_do_not_depend_on_arrival_order_of_ids() {
        // The id is derived from the first copy's own time, so two instances that see the same
        // first copy give the same id.
        let mut a = state();
        let mut b = state();
        assert_eq!(
            a.decide_and_record(&cand("k", 3, 3, 1)),
            b.decide_and_record(&cand("k", 3, 3, 1))
        );
    }

    #[test]
    fn restore_makes_later_copies_duplicates_or_updates() {
        let mut s = state();
        let id = article_id("k", t(0));
        s.restore(
            "k",
            StoryState {
                first_published: t(0),
                version_time: t(1),
                fingerprint: 5,
                earlier: Vec::new(),
                seen_ms: 0,
                version: 2,
                id: id.clone(),
            },
        );
        assert_eq!(
            s.decide_and_record(&cand("k", 0, 0, 4)),
            Decision::Duplicate { of: id.clone() }
        );
        assert_eq!(
            s.decide_and_record(&cand("k", 0, 3, 6)),
            Decision::Update {
                id,
                version: 3,
                first_published: t(0)
            }
        );
    }

    #[test]
    fn sweep_forgets_by_processing_time_not_event_time() {
        let mut s = state();
        // Processed at 0 s and 200 s (now_ms), whatever their event times.
        s.decide_and_record(&cand("old", 0, 0, 1));
        s.decide_and_record(&cand("new", 200, 200, 1));
        s.sweep(100 * 1000);
        assert_eq!(s.len(), 1);
        assert!(matches!(
            s.decide_and_record(&cand("new", 201, 201, 1)),
            Decision::Duplicate { .. }
        ));
        // A copy of an old story arriving long after newer ones is still a duplicate as long as
        // the story was processed within the horizon.
        let mut s = state();
        s.decide_and_record(&Candidate {
            now_ms: 5_000,
            ..cand("early", 0, 0, 1)
        });
        s.decide_and_record(&Candidate {
            now_ms: 6_000,
            ..cand("late", 2000, 2000, 1)
        });
        s.sweep(1_000);
        assert!(matches!(
            s.decide_and_record(&Candidate {
                now_ms: 7_000,
                ..cand("early", 0, 0, 1)
            }),
            Decision::Duplicate { .. }
        ));
    }

    impl DedupState {
        /// Checks that flags, side maps and `len` agree.
        fn check(&self) {
            for (h, s) in &self.stories {
                assert_eq!(s.has(HAS_EARLIER), self.side.earlier.contains_key(h));
                assert_eq!(s.has(HAS_ID), self.side.ids.contains_key(h));
                assert_eq!(s.has(HAS_MORE), self.side.more.contains_key(h));
            }
            assert!(
                self.side
                    .earlier
                    .iter()
                    .all(|(h, e)| { !e.is_empty() && self.stories.contains_key(h) })
            );
            assert!(self.side.ids.keys().all(|h| self.stories.contains_key(h)));
            for (h, more) in &self.side.more {
                assert!(!more.is_empty() && self.stories.contains_key(h));
                assert!(more.iter().all(|s| s.story.meta == s.story.version()));
            }
            let further: usize = self.side.more.values().map(Vec::len).sum();
            assert_eq!(self.len(), self.stories.len() + further);
        }
    }

    fn restored(first: i64, version_time: i64, fp: u64, version: u32, id: &str) -> StoryState {
        StoryState {
            first_published: t(first),
            version_time: t(version_time),
            fingerprint: fp,
            earlier: Vec::new(),
            seen_ms: 0,
            version,
            id: id.to_owned(),
        }
    }

    #[test]
    fn a_story_record_and_its_map_bucket_stay_small() {
        assert_eq!(std::mem::size_of::<Story>(), 32);
        assert_eq!(std::mem::size_of::<(u64, Story)>(), 40);
    }

    #[test]
    fn ids_are_derived_from_key_and_first_publication() {
        let mut s = state();
        let published = t(0) + Duration::milliseconds(1_500);
        let c = Candidate {
            published,
            version_time: published,
            ..cand("k", 0, 0, 1)
        };
        let id = article_id("k", published);
        assert_eq!(s.decide_and_record(&c), Decision::New { id: id.clone() });
        assert_eq!(
            s.decide_and_record(&c),
            Decision::Duplicate { of: id.clone() }
        );
        assert_eq!(
            s.decide_and_record(&Candidate {
                fingerprint: 2,
                ..c
            }),
            Decision::Update {
                id,
                version: 2,
                first_published: published
            }
        );
        // A further story under the same key.
        assert_eq!(
            s.decide_and_record(&cand("k", 100, 100, 1)),
            Decision::New {
                id: article_id("k", t(100))
            }
        );
        assert_eq!(
            s.decide_and_record(&cand("k", 101, 101, 1)),
            Decision::Duplicate {
                of: article_id("k", t(100))
            }
        );
        assert!(s.side.ids.is_empty());
        s.check();
    }

    #[test]
    fn several_stories_under_one_key_survive_sweeps_in_order() {
        let mut s = state();
        let at = |hour: i64, fp: u64, now_s: i64| Candidate {
            now_ms: now_s * 1000,
            ..cand("stocks to watch", hour, hour, fp)
        };
        // Three mornings, processed at 10 s, 20 s and 30 s; the second one updated.
        for (day, now) in [(0, 10), (1, 20), (2, 30)] {
            assert!(matches!(
                s.decide_and_record(&at(day * 49, 1, now)),
                Decision::New { .. }
            ));
        }
        assert!(matches!(
            s.decide_and_record(&at(49, 2, 25)),
            Decision::Update { version: 2, .. }
        ));
        assert_eq!(s.len(), 3);
        s.check();
        // The first story goes; the second takes its place with its earlier fingerprint.
        s.sweep(15_000);
        assert_eq!(s.len(), 2);
        s.check();
        assert_eq!(
            s.decide_and_record(&at(49, 1, 40)),
            Decision::Duplicate {
                of: article_id("stocks to watch", t(49))
            }
        );
        assert_eq!(
            s.decide_and_record(&at(98, 2, 40)),
            Decision::Update {
                id: article_id("stocks to watch", t(98)),
                version: 2,
                first_published: t(98),
            }
        );
        // Within the window of the second and third mornings: the second, the older, decides.
        assert_eq!(
            s.decide_and_record(&at(73, 1, 40)),
            Decision::Duplicate {
                of: article_id("stocks to watch", t(49))
            }
        );
        // The forgotten first morning is a new story again.
        assert!(matches!(
            s.decide_and_record(&at(0, 1, 40)),
            Decision::New { .. }
        ));
        assert_eq!(s.len(), 3);
        s.check();
        // A sweep that drops the further stories keeps the first.
        assert!(matches!(
            s.decide_and_record(&at(49, 3, 45)),
            Decision::Update { version: 3, .. }
        ));
        s.sweep(42_000);
        s.check();
        assert_eq!(s.len(), 1);
        assert!(matches!(
            s.decide_and_record(&at(98, 2, 50)),
            Decision::New { .. }
        ));
        s.sweep(60_000);
        s.check();
        assert!(s.is_empty());
        assert!(s.side.earlier.is_empty() && s.side.more.is_empty());
    }

    #[test]
    fn len_is_exact_after_sweeps() {
        let mut s = state();
        for i in 0..300_i64 {
            let key = format!("k{}", i % 100);
            s.decide_and_record(&Candidate {
                now_ms: i * 1000,
                ..cand(&key, (i / 100) * 49, (i / 100) * 49, 1)
            });
            if i % 7 == 0 {
                s.decide_and_record(&Candidate {
                    now_ms: i * 1000,
                    ..cand(&key, (i / 100) * 49, (i / 100) * 49 + 1, 2)
                });
            }
        }
        assert_eq!(s.len(), 300);
        s.check();
        for horizon in [0, 50, 150, 199, 250, 299, 300] {
            s.sweep(horizon * 1000);
            s.check();
            assert_eq!(s.len(), (300 - horizon) as usize);
        }
        assert!(s.stories.capacity() < 16);
    }

    #[test]
    fn earlier_fingerprints_survive_restore_merges() {
        let id = article_id("k", t(0));
        // The versions of one story read back in any order.
        for order in [[0_u32, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]] {
            let mut s = state();
            for v in order {
                s.restore("k", restored(0, v.into(), 10 + u64::from(v), v + 1, &id));
                s.check();
            }
            assert_eq!(s.len(), 1);
            for fp in [10, 11, 12] {
                assert_eq!(
                    s.decide_and_record(&cand("k", 0, 5, fp)),
                    Decision::Duplicate { of: id.clone() }
                );
            }
            // Older than the newest version time: stale.
            assert_eq!(
                s.decide_and_record(&cand("k", 0, 1, 13)),
                Decision::Duplicate { of: id.clone() }
            );
            assert_eq!(
                s.decide_and_record(&cand("k", 0, 2, 13)),
                Decision::Update {
                    id: id.clone(),
                    version: 4,
                    first_published: t(0),
                }
            );
            s.check();
        }
    }

    #[test]
    fn restore_keeps_ids_it_cannot_derive() {
        // Version 2 came from a copy published an hour after the first: its first-published
        // header is that copy's, its id the story's.
        let id = article_id("k", t(0));
        let mut s = state();
        s.restore("k", restored(0, 0, 1, 1, &id));
        s.restore("k", restored(1, 2, 2, 2, &id));
        s.check();
        assert_eq!(s.len(), 1);
        assert_eq!(
            s.decide_and_record(&cand("k", 0, 3, 2)),
            Decision::Duplicate { of: id.clone() }
        );
        assert_eq!(
            s.decide_and_record(&cand("k", 0, 3, 3)),
            Decision::Update {
                id: id.clone(),
                version: 3,
                first_published: t(1),
            }
        );
        // Only version 2 read back (version 1 was before the lookback): same id all the same.
        let mut s = state();
        s.restore("k", restored(1, 2, 2, 2, &id));
        assert_eq!(
            s.decide_and_record(&cand("k", 1, 3, 3)),
            Decision::Update {
                id: id.clone(),
                version: 3,
                first_published: t(1),
            }
        );
        // ... also for a further story of the key.
        s.restore("k", restored(60, 60, 5, 2, "urn:other"));
        s.check();
        assert_eq!(
            s.decide_and_record(&cand("k", 60, 61, 5)),
            Decision::Duplicate {
                of: "urn:other".into()
            }
        );
        s.sweep(2_000);
        s.check();
        assert!(s.is_empty() && s.side.ids.is_empty());
    }

    /// The previous implementation, kept as the reference the compact state must agree with.
    mod reference {
        use super::*;

        #[derive(Debug, Default)]
        pub struct State {
            pub window: Duration,
            pub tolerance: Duration,
            pub distance: u32,
            pub min_words: u32,
            pub entries: HashMap<String, Vec<StoryState>>,
        }

        impl State {
            pub fn len(&self) -> usize {
                self.entries.values().map(Vec::len).sum()
            }

            pub fn decide(&mut self, c: Candidate<'_>) -> Decision {
                let rank = |s: &StoryState| {
                    let apart = (s.first_published - c.published).abs();
                    let near = |fp: &u64| (fp ^ c.fingerprint).count_ones() <= self.distance;
                    let body = c.words >= self.min_words
                        && apart <= self.window
                        && (near(&s.fingerprint) || s.earlier.iter().any(near));
                    (body || apart <= self.tolerance).then_some((!body, apart, s.first_published))
                };
                if let Some(stories) = self.entries.get_mut(c.key)
                    && let Some(story) = stories
                        .iter_mut()
                        .filter_map(|s| rank(s).map(|r| (r, s)))
                        .min_by_key(|(r, _)| *r)
                        .map(|(_, s)| s)
                {
                    if story.fingerprint == c.fingerprint
                        || story.earlier.contains(&c.fingerprint)
                        || c.version_time < story.version_time
                    {
                        return Decision::Duplicate {
                            of: story.id.clone(),
                        };
                    }
                    story.version += 1;
                    story.seen_ms = story.seen_ms.max(c.now_ms);
                    story.version_time = c.version_time;
                    story.earlier.push(story.fingerprint);
                    story.fingerprint = c.fingerprint;
                    return Decision::Update {
                        id: story.id.clone(),
                        version: story.version,
                        first_published: story.first_published,
                    };
                }
                let id = article_id(c.key, c.published);
                self.entries
                    .entry(c.key.to_owned())
                    .or_default()
                    .push(StoryState {
                        first_published: c.published,
                        version_time: c.version_time,
                        fingerprint: c.fingerprint,
                        earlier: Vec::new(),
                        seen_ms: c.now_ms,
                        version: 1,
                        id: id.clone(),
                    });
                Decision::New { id }
            }

            pub fn restore(&mut self, key: &str, story: StoryState) {
                if let Some(stories) = self.entries.get_mut(key)
                    && let Some(existing) = stories.iter_mut().find(|s| s.id == story.id)
                {
                    let older = if story.version >= existing.version {
                        std::mem::replace(existing, story)
                    } else {
                        story
                    };
                    existing.seen_ms = existing.seen_ms.max(older.seen_ms);
                    for fp in older.earlier.iter().copied().chain([older.fingerprint]) {
                        if fp != existing.fingerprint && !existing.earlier.contains(&fp) {
                            existing.earlier.push(fp);
                        }
                    }
                    return;
                }
                self.entries.entry(key.to_owned()).or_default().push(story);
            }

            pub fn sweep(&mut self, horizon_ms: i64) {
                self.entries.retain(|_, stories| {
                    stories.retain(|s| s.seen_ms >= horizon_ms);
                    !stories.is_empty()
                });
            }
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Decide {
            key: u8,
            published_ms: i64,
            later_ms: i64,
            fp: u64,
            words: u32,
            now_s: i64,
        },
        Restore {
            key: u8,
            /// First publication of the story the id is derived from.
            id_first_ms: i64,
            /// The first-published header: the id's, or a later copy's.
            first_ms: i64,
            version_ms: i64,
            fp: u64,
            earlier: Vec<u64>,
            version: u32,
            seen_s: i64,
        },
        Sweep {
            horizon_s: i64,
        },
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        // Times within a few windows of 100 s, at ms precision, often on the same second.
        let time = prop_oneof![(0..6_i64).prop_map(|s| s * 50_000), 0..300_000_i64];
        prop_oneof![
            6 => (0..3_u8, time.clone(), 0..3_i64, 0..5_u64, prop_oneof![Just(0_u32), Just(50)], 0..40_i64)
                .prop_map(|(key, published_ms, later, fp, words, now_s)| Op::Decide {
                    key,
                    published_ms,
                    later_ms: later * 20_000,
                    fp,
                    words,
                    now_s,
                }),
            2 => (
                0..3_u8,
                time,
                prop_oneof![Just(0_i64), 1..60_000_i64],
                0..3_i64,
                0..5_u64,
                proptest::collection::vec(0..5_u64, 0..3),
                0..4_u32,
                0..40_i64,
            )
                .prop_map(
                    |(key, id_first_ms, delay, later, fp, earlier, version, seen_s)| Op::Restore {
                        key,
                        id_first_ms,
                        first_ms: id_first_ms + delay,
                        version_ms: id_first_ms + later * 20_000,
                        fp,
                        earlier,
                        version,
                        seen_s,
                    }
                ),
            1 => (0..40_i64).prop_map(|horizon_s| Op::Sweep { horizon_s }),
        ]
    }

    /// Items of a small wire day: an alert and its full story with copies and an update, the
    /// same headline's stories of the next two days, another headline, in minutes.
    fn wire_day() -> Vec<(&'static str, i64, i64, u64, u32)> {
        const A: u64 = 0x0F0F_0F0F_0F0F_0F0F;
        const C: u64 = 0xF0F0_F0F0_F0F0_F0F0;
        const D: u64 = 0x3333_3333_3333_3333;
        const E: u64 = 0xCCCC_CCCC_CCCC_CCCC;
        let day = 24 * 60;
        vec![
            // (key, published, version time, fingerprint, words)
            ("markets", 0, 0, 0, 0),
            ("markets", 10, 10, A, 300),
            ("markets", 70, 70, A ^ 1, 300),
            ("markets", 130, 130, A ^ 2, 300),
            ("markets", 10, 190, D, 320),
            ("markets", day, day, C, 280),
            ("markets", day + 90, day + 90, C ^ 4, 280),
            ("markets", 2 * day, 2 * day, E, 250),
            ("markets", 2 * day + 300, 2 * day + 300, E, 250),
            ("weather", 5, 5, A, 300),
            ("weather", day + 5, day + 5, C, 40),
        ]
    }

    /// Which items share a story: the sets of item indexes, sorted.
    fn stories_of(order: &[usize]) -> Vec<Vec<usize>> {
        let items = wire_day();
        let mut s = DedupState::new(SameStory::default());
        let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
        for &i in order {
            let (key, published, version, fingerprint, words) = items[i];
            let c = Candidate {
                key,
                published: t(0) + Duration::minutes(published),
                version_time: t(0) + Duration::minutes(version),
                fingerprint,
                words,
                now_ms: 0,
            };
            let id = match s.decide_and_record(&c) {
                Decision::New { id } | Decision::Update { id, .. } => id,
                Decision::Duplicate { of } => of,
            };
            by_id.entry(id).or_default().push(i);
        }
        let mut stories: Vec<Vec<usize>> = by_id
            .into_values()
            .map(|mut v| {
                v.sort_unstable();
                v
            })
            .collect();
        stories.sort();
        stories
    }

    proptest::proptest! {
        /// The same items in any arrival order form the same stories.
        #[test]
        fn stories_do_not_depend_on_arrival_order(
            order in proptest::strategy::Strategy::prop_shuffle(proptest::strategy::Just(
                (0..wire_day().len()).collect::<Vec<usize>>()
            ))
        ) {
            let in_order: Vec<usize> = (0..wire_day().len()).collect();
            let expected = stories_of(&in_order);
            proptest::prop_assert_eq!(
                &expected,
                &vec![vec![0, 1, 2, 3, 4], vec![5, 6], vec![7, 8], vec![9], vec![10]]
            );
            proptest::prop_assert_eq!(stories_of(&order), expected);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        #[test]
        fn agrees_with_the_reference(ops in proptest::collection::vec(op(), 1..60)) {
            let ms = |ms: i64| t(0) + Duration::milliseconds(ms);
            let keys = ["a", "b", "c"];
            // Fingerprints 0..5 lie within 1 bit of each other often enough to exercise bodies.
            let mut s = DedupState::new(SameStory {
                tolerance: std::time::Duration::from_secs(40),
                window: std::time::Duration::from_secs(100),
                distance: 1,
                min_words: 30,
            });
            let mut r = reference::State {
                window: Duration::seconds(100),
                tolerance: Duration::seconds(40),
                distance: 1,
                min_words: 30,
                ..Default::default()
            };
            for op in ops {
                match op {
                    Op::Decide { key, published_ms, later_ms, fp, words, now_s } => {
                        let c = Candidate {
                            key: keys[usize::from(key)],
                            published: ms(published_ms),
                            version_time: ms(published_ms + later_ms),
                            fingerprint: fp,
                            words,
                            now_ms: now_s * 1000,
                        };
                        proptest::prop_assert_eq!(s.decide_and_record(&c), r.decide(c));
                    }
                    Op::Restore { key, id_first_ms, first_ms, version_ms, fp, earlier, version, seen_s } => {
                        let key = keys[usize::from(key)];
                        let story = StoryState {
                            first_published: ms(first_ms),
                            version_time: ms(version_ms),
                            fingerprint: fp,
                            earlier,
                            seen_ms: seen_s * 1000,
                            version,
                            id: article_id(key, ms(id_first_ms)),
                        };
                        s.restore(key, story.clone());
                        r.restore(key, story);
                    }
                    Op::Sweep { horizon_s } => {
                        s.sweep(horizon_s * 1000);
                        r.sweep(horizon_s * 1000);
                    }
                }
                s.check();
                proptest::prop_assert_eq!(s.len(), r.len());
            }
        }
    }
}
