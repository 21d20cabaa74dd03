//! Tests of the dedup rules and of the packed state against a reference implementation.
//!
//! Most tests are scripts: const tables of [`Step`]s, each a candidate and the decision it must
//! get, played against one state.

use std::collections::HashMap;

use chrono::{Duration, TimeZone};

use super::*;
use Expect::{Duplicate, New, Update, UpdateFrom};

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

/// The decision a [`Step`] must get. A story is named by the hour of its first publication,
/// which its id derives from (with the step's key).
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// A new story, under the id of the step's own first publication.
    New,
    /// A duplicate of the story first published at this hour.
    Duplicate(i64),
    /// Version `.1` of the story first published at hour `.0`.
    Update(i64, u32),
    /// Version `.2` of the story whose id derives from hour `.0`, its first publication read
    /// back as hour `.1` (restored from an update that an earlier release wrote).
    UpdateFrom(i64, i64, u32),
}

/// One candidate of a script, times in hours, and the decision it must get.
#[derive(Debug, Clone, Copy)]
struct Step {
    key: &'static str,
    published: i64,
    version: i64,
    fp: u64,
    /// Words in the body (none: a headline-only item).
    words: u32,
    /// Processing time, s.
    now_s: i64,
    expect: Expect,
}

/// A step without a body, processed at `published` seconds (as [`cand`]).
const fn step(key: &'static str, published: i64, version: i64, fp: u64, expect: Expect) -> Step {
    Step {
        key,
        published,
        version,
        fp,
        words: 0,
        now_s: published,
        expect,
    }
}

impl Step {
    /// The same step with a body of `words` words.
    const fn words(self, words: u32) -> Step {
        Step { words, ..self }
    }

    /// The same step processed at `now_s` seconds.
    const fn at(self, now_s: i64) -> Step {
        Step { now_s, ..self }
    }

    fn candidate(&self) -> Candidate<'static> {
        Candidate {
            words: self.words,
            now_ms: self.now_s * 1000,
            ..cand(self.key, self.published, self.version, self.fp)
        }
    }

    fn decision(&self) -> Decision {
        let id = |hour| article_id(self.key, t(hour));
        match self.expect {
            New => Decision::New {
                id: id(self.published),
            },
            Duplicate(of) => Decision::Duplicate { of: id(of) },
            Update(of, version) => Decision::Update {
                id: id(of),
                version,
                first_published: t(of),
            },
            UpdateFrom(of, first, version) => Decision::Update {
                id: id(of),
                version,
                first_published: t(first),
            },
        }
    }
}

/// Decides and records each step in turn, checking its decision and the state's invariants.
fn play(s: &mut DedupState, steps: &[Step]) {
    for (i, step) in steps.iter().enumerate() {
        let got = s.decide_and_record(&step.candidate());
        assert_eq!(got, step.decision(), "step {i}: {step:?}");
        s.check();
    }
}

#[test]
fn first_copy_is_new_and_identical_copy_is_duplicate() {
    const STEPS: &[Step] = &[step("k", 0, 0, 7, New), step("k", 1, 1, 7, Duplicate(0))];
    let mut s = state();
    play(&mut s, STEPS);
    assert_eq!(s.len(), 1);
}

#[test]
fn later_version_with_new_content_is_update_with_same_id() {
    const STEPS: &[Step] = &[
        step("k", 0, 0, 7, New),
        step("k", 0, 2, 8, Update(0, 2)),
        // The same update again is a duplicate; a stale older version is too.
        step("k", 0, 2, 8, Duplicate(0)),
        step("k", 0, 1, 9, Duplicate(0)),
        // The first version's content again (another outlet's copy) is no update either.
        step("k", 0, 2, 7, Duplicate(0)),
        // New content at the same version time (a replay through a changed parser) is.
        step("k", 0, 2, 10, Update(0, 3)),
    ];
    play(&mut state(), STEPS);
}

#[test]
fn same_headline_outside_window_is_new_story() {
    const K: &str = "stocks to watch";
    const STEPS: &[Step] = &[
        step(K, 0, 0, 1, New),
        // Outside the window: a new story with its own id.
        step(K, 49, 49, 1, New),
        // Within the tolerance of both: the closer story.
        step(K, 20, 20, 1, Duplicate(0)),
        step(K, 30, 30, 1, Duplicate(49)),
    ];
    play(&mut state(), STEPS);
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
    const K: &str = "stocks to watch today";
    const STEPS: &[Step] = &[
        step(K, 3, 3, 0xFFFF_0000, New).words(200),
        // The next morning, another body: a new story with its own id.
        step(K, 27, 27, 0x0000_FFFF, New).words(200),
        // Day 1 arriving again after day 2 (a backfill) is still day 1's duplicate.
        step(K, 3, 3, 0xFFFF_0000, Duplicate(3)).words(200),
        // Another outlet's copy of day 2, two hours later, slightly edited: day 2's story.
        step(K, 29, 29, 0x0001_FFFF, Update(27, 2)).words(200),
        // A re-send of day 1's body 20 hours later: day 1's story, by its body.
        step(K, 23, 23, 0xFFFF_0001, Update(3, 2)).words(200),
        // Within the tolerance a rewritten body is the same story (an update).
        step(K, 31, 31, 0x1234_5678, Update(27, 3)).words(200),
    ];
    play(&mut DedupState::new(SameStory::default()), STEPS);
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
    const STEPS: &[Step] = &[
        step("k", 0, 0, 4, Duplicate(0)),
        step("k", 0, 3, 6, Update(0, 3)),
    ];
    let mut s = state();
    s.restore("k", restored(0, 1, 5, 2, &article_id("k", t(0))));
    play(&mut s, STEPS);
}

#[test]
fn sweep_forgets_by_processing_time_not_event_time() {
    // Processed at 0 s and 200 s (now_ms), whatever their event times.
    const OLD_AND_NEW: &[Step] = &[step("old", 0, 0, 1, New), step("new", 200, 200, 1, New)];
    // Processed at 5 s and 6 s, the late story published long after the early one.
    const EARLY_AND_LATE: &[Step] = &[
        step("early", 0, 0, 1, New).at(5),
        step("late", 2000, 2000, 1, New).at(6),
    ];
    let mut s = state();
    play(&mut s, OLD_AND_NEW);
    s.sweep(100 * 1000);
    assert_eq!(s.len(), 1);
    play(&mut s, &[step("new", 201, 201, 1, Duplicate(200))]);
    // A copy of an old story arriving long after newer ones is still a duplicate as long as
    // the story was processed within the horizon.
    let mut s = state();
    play(&mut s, EARLY_AND_LATE);
    s.sweep(1_000);
    play(&mut s, &[step("early", 0, 0, 1, Duplicate(0)).at(7)]);
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
    let expected = [
        (1, Decision::New { id: id.clone() }),
        (1, Decision::Duplicate { of: id.clone() }),
        (
            2,
            Decision::Update {
                id,
                version: 2,
                first_published: published,
            },
        ),
    ];
    for (fingerprint, decision) in expected {
        let got = s.decide_and_record(&Candidate { fingerprint, ..c });
        assert_eq!(got, decision);
    }
    // A further story under the same key.
    const MORE: &[Step] = &[
        step("k", 100, 100, 1, New),
        step("k", 101, 101, 1, Duplicate(100)),
    ];
    play(&mut s, MORE);
    assert!(s.side.ids.is_empty());
}

#[test]
fn several_stories_under_one_key_survive_sweeps_in_order() {
    const K: &str = "stocks to watch";
    // Three mornings, processed at 10 s, 20 s and 30 s; the second one updated.
    const MORNINGS: &[Step] = &[
        step(K, 0, 0, 1, New).at(10),
        step(K, 49, 49, 1, New).at(20),
        step(K, 98, 98, 1, New).at(30),
        step(K, 49, 49, 2, Update(49, 2)).at(25),
    ];
    // After the first story went, the second has taken its place with its earlier fingerprint.
    const AFTER_SWEEP: &[Step] = &[
        step(K, 49, 49, 1, Duplicate(49)).at(40),
        step(K, 98, 98, 2, Update(98, 2)).at(40),
        // Within the window of the second and third mornings: the second, the older, decides.
        step(K, 73, 73, 1, Duplicate(49)).at(40),
        // The forgotten first morning is a new story again.
        step(K, 0, 0, 1, New).at(40),
    ];
    let mut s = state();
    play(&mut s, MORNINGS);
    assert_eq!(s.len(), 3);
    s.sweep(15_000);
    assert_eq!(s.len(), 2);
    s.check();
    play(&mut s, AFTER_SWEEP);
    assert_eq!(s.len(), 3);
    // A sweep that drops the further stories keeps the first.
    play(&mut s, &[step(K, 49, 49, 3, Update(49, 3)).at(45)]);
    s.sweep(42_000);
    s.check();
    assert_eq!(s.len(), 1);
    play(&mut s, &[step(K, 98, 98, 2, New).at(50)]);
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
    const STEPS: &[Step] = &[
        step("k", 0, 5, 10, Duplicate(0)),
        step("k", 0, 5, 11, Duplicate(0)),
        step("k", 0, 5, 12, Duplicate(0)),
        // Older than the newest version time: stale.
        step("k", 0, 1, 13, Duplicate(0)),
        step("k", 0, 2, 13, Update(0, 4)),
    ];
    let id = article_id("k", t(0));
    // The versions of one story read back in any order.
    for order in [[0_u32, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]] {
        let mut s = state();
        for v in order {
            s.restore("k", restored(0, v.into(), 10 + u64::from(v), v + 1, &id));
            s.check();
        }
        assert_eq!(s.len(), 1);
        play(&mut s, STEPS);
    }
}

#[test]
fn restore_keeps_ids_it_cannot_derive() {
    // Version 2 came from a copy published an hour after the first: its first-published
    // header is that copy's, its id the story's.
    const STEPS: &[Step] = &[
        step("k", 0, 3, 2, Duplicate(0)),
        step("k", 0, 3, 3, UpdateFrom(0, 1, 3)),
    ];
    let id = article_id("k", t(0));
    let mut s = state();
    s.restore("k", restored(0, 0, 1, 1, &id));
    s.restore("k", restored(1, 2, 2, 2, &id));
    s.check();
    assert_eq!(s.len(), 1);
    play(&mut s, STEPS);
    // Only version 2 read back (version 1 was before the lookback): same id all the same.
    let mut s = state();
    s.restore("k", restored(1, 2, 2, 2, &id));
    play(&mut s, &[step("k", 1, 3, 3, UpdateFrom(0, 1, 3))]);
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
