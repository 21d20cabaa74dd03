//! Dedup decisions for one keyed-topic partition (DESIGN.md, "Dedup semantics").
//!
//! Two items are the same story when their dedup keys are equal and their publication times
//! (event time carried by the item, never arrival time) lie within the window. For the same story:
//! content already emitted (its fingerprint equals that of any emitted version) is a
//! **duplicate**; new content with an older version time than the newest emitted version is a
//! stale copy, also a duplicate; other new content — a later version time, or the same one, as
//! when a replay parses an item anew with a changed parser — is an **update** (same article id,
//! version + 1). Remembering every emitted fingerprint, not just the newest, keeps copies that
//! differ slightly from outlet to outlet from flip-flopping as updates. The same key outside the
//! window is a new story ("Stocks to watch today" every morning).
//!
//! Memory is bounded by the same horizon as the state's restore: [`DedupState::sweep`] drops the
//! stories last emitted (or read back) before a wall-clock horizon, `dedup.restore_lookback`
//! ago. Decisions never use arrival time; only forgetting does, so that what the stage holds in
//! memory is exactly what a restore from the articles topic would rebuild, and an out-of-order
//! backfill spanning weeks of event time is still recognised.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::key::article_id;

/// What the dedup stage remembers of one story.
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
    /// The article id shared by all versions.
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
    /// Processing time (ms since the epoch), recorded on the stories this candidate creates or
    /// updates; never used to decide.
    pub now_ms: i64,
}

/// Dedup state of one partition.
#[derive(Debug)]
pub struct DedupState {
    window: Duration,
    entries: HashMap<String, Vec<StoryState>>,
    len: usize,
}

impl DedupState {
    /// An empty state with the given window (must be positive).
    pub fn new(window: std::time::Duration) -> Self {
        let window = Duration::from_std(window).unwrap_or(Duration::MAX);
        DedupState {
            window,
            entries: HashMap::new(),
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

    /// Decides what to do with `candidate` and records the outcome.
    pub fn decide(&mut self, candidate: Candidate<'_>) -> Decision {
        let window = self.window;
        if let Some(stories) = self.entries.get_mut(candidate.key)
            && let Some(story) = stories
                .iter_mut()
                .find(|s| within(s.first_published, candidate.published, window))
        {
            if story.fingerprint == candidate.fingerprint
                || story.earlier.contains(&candidate.fingerprint)
                || candidate.version_time < story.version_time
            {
                return Decision::Duplicate {
                    of: story.id.clone(),
                };
            }
            story.version += 1;
            story.seen_ms = candidate.now_ms;
            story.version_time = candidate.version_time;
            story.earlier.push(story.fingerprint);
            story.fingerprint = candidate.fingerprint;
            return Decision::Update {
                id: story.id.clone(),
                version: story.version,
            };
        }
        let id = article_id(candidate.key, candidate.published);
        self.insert(
            candidate.key,
            StoryState {
                first_published: candidate.published,
                version_time: candidate.version_time,
                fingerprint: candidate.fingerprint,
                earlier: Vec::new(),
                seen_ms: candidate.now_ms,
                version: 1,
                id: id.clone(),
            },
        );
        Decision::New { id }
    }

    /// Records an article that was already emitted (read back from the articles topic), so that
    /// later copies are recognised. A newer version of a known story replaces the older state.
    pub fn restore(&mut self, key: &str, story: StoryState) {
        if let Some(stories) = self.entries.get_mut(key)
            && let Some(existing) = stories.iter_mut().find(|s| s.id == story.id)
        {
            // Every version read back is content already emitted: keep all fingerprints, and
            // the newest version's fields.
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
        self.insert(key, story);
    }

    fn insert(&mut self, key: &str, story: StoryState) {
        self.entries.entry(key.to_owned()).or_default().push(story);
        self.len += 1;
    }

    /// Forgets the stories last emitted (or read back) before `horizon_ms` (wall clock, ms since
    /// the epoch); the stage calls it with `now - dedup.restore_lookback`.
    pub fn sweep(&mut self, horizon_ms: i64) {
        let mut len = 0;
        self.entries.retain(|_, stories| {
            stories.retain(|s| s.seen_ms >= horizon_ms);
            len += stories.len();
            !stories.is_empty()
        });
        self.len = len;
    }
}

fn within(a: DateTime<Utc>, b: DateTime<Utc>, window: Duration) -> bool {
    let delta = if a > b { a - b } else { b - a };
    delta <= window
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(hour: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 8, 20, 0, 0, 0).unwrap() + Duration::hours(hour)
    }

    fn cand(key: &str, published: i64, version: i64, fp: u64) -> Candidate<'_> {
        Candidate {
            key,
            published: t(published),
            version_time: t(version),
            fingerprint: fp,
            now_ms: published * 1000,
        }
    }

    fn state() -> DedupState {
        DedupState::new(std::time::Duration::from_secs(48 * 3600))
    }

    #[test]
    fn first_copy_is_new_and_identical_copy_is_duplicate() {
        let mut s = state();
        let Decision::New { id } = s.decide(cand("k", 0, 0, 7)) else {
            panic!("expected new")
        };
        assert_eq!(s.decide(cand("k", 1, 1, 7)), Decision::Duplicate { of: id });
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn later_version_with_new_content_is_update_with_same_id() {
        let mut s = state();
        let Decision::New { id } = s.decide(cand("k", 0, 0, 7)) else {
            panic!()
        };
        assert_eq!(
            s.decide(cand("k", 0, 2, 8)),
            Decision::Update {
                id: id.clone(),
                version: 2
            }
        );
        // The same update again is a duplicate; a stale older version is too.
        assert_eq!(
            s.decide(cand("k", 0, 2, 8)),
            Decision::Duplicate { of: id.clone() }
        );
        assert_eq!(
            s.decide(cand("k", 0, 1, 9)),
            Decision::Duplicate { of: id.clone() }
        );
        // The first version's content again (another outlet's copy) is no update either.
        assert_eq!(
            s.decide(cand("k", 0, 2, 7)),
            Decision::Duplicate { of: id.clone() }
        );
        // New content at the same version time (a replay through a changed parser) is.
        assert_eq!(
            s.decide(cand("k", 0, 2, 10)),
            Decision::Update { id, version: 3 }
        );
    }

    #[test]
    fn same_headline_outside_window_is_new_story() {
        let mut s = state();
        let Decision::New { id: first } = s.decide(cand("stocks to watch", 0, 0, 1)) else {
            panic!()
        };
        let Decision::New { id: second } = s.decide(cand("stocks to watch", 49, 49, 1)) else {
            panic!("outside the window must be new")
        };
        assert_ne!(first, second);
        assert_eq!(
            s.decide(cand("stocks to watch", 48, 48, 1)),
            Decision::Duplicate { of: first }
        );
    }

    #[test]
    fn decisions_do_not_depend_on_arrival_order_of_ids() {
        // The id is derived from the first copy's own time, so two instances that see the same
        // first copy give the same id.
        let mut a = state();
        let mut b = state();
        assert_eq!(a.decide(cand("k", 3, 3, 1)), b.decide(cand("k", 3, 3, 1)));
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
            s.decide(cand("k", 0, 0, 4)),
            Decision::Duplicate { of: id.clone() }
        );
        assert_eq!(
            s.decide(cand("k", 0, 3, 6)),
            Decision::Update { id, version: 3 }
        );
    }

    #[test]
    fn sweep_forgets_by_processing_time_not_event_time() {
        let mut s = state();
        // Processed at 0 s and 200 s (now_ms), whatever their event times.
        s.decide(cand("old", 0, 0, 1));
        s.decide(cand("new", 200, 200, 1));
        s.sweep(100 * 1000);
        assert_eq!(s.len(), 1);
        assert!(matches!(
            s.decide(cand("new", 201, 201, 1)),
            Decision::Duplicate { .. }
        ));
        // A copy of an old story arriving long after newer ones is still a duplicate as long as
        // the story was processed within the horizon.
        let mut s = state();
        s.decide(Candidate {
            now_ms: 5_000,
            ..cand("early", 0, 0, 1)
        });
        s.decide(Candidate {
            now_ms: 6_000,
            ..cand("late", 2000, 2000, 1)
        });
        s.sweep(1_000);
        assert!(matches!(
            s.decide(Candidate {
                now_ms: 7_000,
                ..cand("early", 0, 0, 1)
            }),
            Decision::Duplicate { .. }
        ));
    }
}
