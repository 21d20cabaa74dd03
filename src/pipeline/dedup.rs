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
//! Memory is bounded by event time: entries whose first publication lies more than two windows
//! behind the newest event time seen are dropped (they can no longer match anything but items that
//! are themselves that far out of order).

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
}

/// Dedup state of one partition.
#[derive(Debug)]
pub struct DedupState {
    window: Duration,
    entries: HashMap<String, Vec<StoryState>>,
    len: usize,
    newest: Option<DateTime<Utc>>,
    inserts_since_sweep: usize,
}

impl DedupState {
    /// An empty state with the given window (must be positive).
    pub fn new(window: std::time::Duration) -> Self {
        let window = Duration::from_std(window).unwrap_or(Duration::MAX);
        DedupState {
            window,
            entries: HashMap::new(),
            len: 0,
            newest: None,
            inserts_since_sweep: 0,
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
        self.observe(candidate.published);
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
                version: 1,
                id: id.clone(),
            },
        );
        Decision::New { id }
    }

    /// Records an article that was already emitted (read back from the articles topic), so that
    /// later copies are recognised. A newer version of a known story replaces the older state.
    pub fn restore(&mut self, key: &str, story: StoryState) {
        self.observe(story.first_published);
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
            for fp in older.earlier.iter().copied().chain([older.fingerprint]) {
                if fp != existing.fingerprint && !existing.earlier.contains(&fp) {
                    existing.earlier.push(fp);
                }
            }
            return;
        }
        self.insert(key, story);
    }

    fn observe(&mut self, published: DateTime<Utc>) {
        if self.newest.is_none_or(|n| published > n) {
            self.newest = Some(published);
        }
    }

    fn insert(&mut self, key: &str, story: StoryState) {
        self.entries.entry(key.to_owned()).or_default().push(story);
        self.len += 1;
        self.inserts_since_sweep += 1;
        if self.inserts_since_sweep > 1024 && self.inserts_since_sweep * 2 > self.len {
            self.sweep();
        }
    }

    /// Drops stories that can no longer match (see the module docs).
    pub fn sweep(&mut self) {
        self.inserts_since_sweep = 0;
        let Some(newest) = self.newest else { return };
        let Some(horizon) = newest.checked_sub_signed(self.window + self.window) else {
            return;
        };
        let mut len = 0;
        self.entries.retain(|_, stories| {
            stories.retain(|s| s.first_published >= horizon);
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
    fn sweep_drops_only_old_stories() {
        let mut s = state();
        s.decide(cand("old", 0, 0, 1));
        s.decide(cand("new", 200, 200, 1));
        s.sweep();
        assert_eq!(s.len(), 1);
        assert!(matches!(
            s.decide(cand("new", 201, 201, 1)),
            Decision::Duplicate { .. }
        ));
    }
}
