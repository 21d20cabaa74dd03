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
//!   update's first-published header carries the story's first publication
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

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use chrono::{DateTime, Utc};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::key::article_id;
use store::{
    ByKeyHash, Full, HAS_EARLIER, HAS_ID, HAS_MORE, Side, Story, VERSION_MAX, ms_to_time, seconds,
    trim,
};

mod store;
#[cfg(test)]
mod tests;

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
        /// what the article's state headers carry, so a restore anchors the window where the
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
        duplicate_or_update(story, earlier, id, candidate)
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

/// The verdict on `c`, a copy of `story` (whose earlier fingerprints are `earlier`, emitted
/// under `id`): content already emitted (any emitted version's fingerprint) or older than the
/// newest emitted version (a stale copy) is a duplicate; anything else is the story's next
/// version.
fn duplicate_or_update(story: Story, earlier: &[u64], id: String, c: &Candidate<'_>) -> Decision {
    let emitted = story.fingerprint == c.fingerprint || earlier.contains(&c.fingerprint);
    if emitted || c.version_time.timestamp_millis() < story.version_ms {
        return Decision::Duplicate { of: id };
    }
    Decision::Update {
        id,
        version: story.next_version(),
        first_published: ms_to_time(story.first_ms),
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
