//! Follows the whole articles topic (every partition, no consumer group) and feeds the
//! near-duplicate index, so each instance sees the fingerprints of articles emitted by all
//! partitions and all instances, not just its own.
//!
//! It starts one dedup window back (by record timestamp, with the same verified lookup as the
//! state restore) and then tails the topic. Only articles marked indexable (long enough bodies,
//! not themselves near-duplicates) are added. Detection across instances is therefore as fresh as
//! this follower: two reworked copies processed within the same fraction of a second on
//! different instances may both pass unannotated.
//!
//! The articles of the partitions this instance's dedup stage owns are indexed by the stage as it
//! emits them, so the follower leaves those partitions alone: once the stage owns a partition,
//! the follower reads it up to the end it had at that moment (the previous owners' articles) and
//! then pauses it; on revocation it resumes from where it paused. A single instance thus reads
//! the topic's history once and then nothing, and each of N instances tails about (N−1)/N of
//! it: the follower cost about a tenth of a single instance's throughput and 12 MB of memory in
//! `bench/e2e`. Indexing is idempotent (an article already held is ignored), so reading an
//! article twice around a rebalance costs nothing but the read.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context as _;
use chrono::Utc;
use rdkafka::consumer::Consumer;
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use crate::config::KafkaConfig;
use crate::pipeline::neardup::NearDupIndex;

use super::restore;

/// The partitions this instance's dedup stage owns (state restored), which the follower
/// leaves to the stage once it has read their earlier articles.
#[derive(Debug, Default)]
pub struct Owned {
    partitions: Mutex<BTreeSet<i32>>,
    changes: AtomicU64,
}

impl Owned {
    /// Marks `partitions` owned (`true`) or released (`false`).
    pub fn set(&self, partitions: &[i32], owned: bool) {
        let mut set = self.partitions.lock().unwrap_or_else(|e| e.into_inner());
        for &p in partitions {
            if owned {
                set.insert(p);
            } else {
                set.remove(&p);
            }
        }
        self.changes.fetch_add(1, Ordering::Release);
    }

    fn snapshot(&self) -> BTreeSet<i32> {
        self.partitions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Which partitions the follower reads: all but the owned ones it has caught up with.
struct Reading {
    /// Owned partitions read up to the end they had when the stage took them (offset).
    catching_up: BTreeMap<i32, i64>,
    /// Owned partitions caught up with and paused.
    paused: BTreeSet<i32>,
    /// Next offset to read, per partition.
    next: HashMap<i32, i64>,
}

impl Reading {
    /// Follows a change of the owned set: new owned partitions start catching up, released
    /// ones are resumed.
    fn update(&mut self, consumer: &restore::Reader, topic: &str, owned: &BTreeSet<i32>) {
        let released: Vec<i32> = self.paused.difference(owned).copied().collect();
        if !released.is_empty() {
            match consumer.resume(&partition_list(topic, &released)) {
                Ok(()) => self.paused.retain(|p| owned.contains(p)),
                Err(e) => {
                    tracing::warn!(cause = %e, "Near-duplicate follower cannot resume partitions")
                }
            }
        }
        self.catching_up.retain(|p, _| owned.contains(p));
        for &p in owned {
            if self.paused.contains(&p) || self.catching_up.contains_key(&p) {
                continue;
            }
            // Unknown end: keep reading until the partition's end is reported.
            let end = consumer
                .fetch_watermarks(topic, p, Duration::from_secs(5))
                .map_or(i64::MAX, |(_, high)| high);
            self.catching_up.insert(p, end);
        }
        self.pause_caught_up(consumer, topic, &[]);
    }

    /// The catching-up partitions read up to the end they had when the stage took them, or
    /// just reported at their end (`at_end`): those the follower may now pause.
    fn caught_up(&self, at_end: &[i32]) -> Vec<i32> {
        self.catching_up
            .iter()
            .filter(|&(p, &end)| {
                at_end.contains(p) || self.next.get(p).is_some_and(|&next| next >= end)
            })
            .map(|(&p, _)| p)
            .collect()
    }

    /// Pauses the catching-up partitions that have caught up.
    fn pause_caught_up(&mut self, consumer: &restore::Reader, topic: &str, at_end: &[i32]) {
        let done = self.caught_up(at_end);
        if done.is_empty() {
            return;
        }
        match consumer.pause(&partition_list(topic, &done)) {
            Ok(()) => {
                for p in done {
                    self.catching_up.remove(&p);
                    self.paused.insert(p);
                }
            }
            Err(e) => {
                tracing::debug!(cause = %e, "Near-duplicate follower cannot pause; it keeps reading")
            }
        }
    }
}

fn partition_list(topic: &str, partitions: &[i32]) -> TopicPartitionList {
    let mut tpl = TopicPartitionList::new();
    for &p in partitions {
        tpl.add_partition(topic, p);
    }
    tpl
}

/// Starts the follower thread; it runs until `stop` is set.
///
/// # Errors
/// When the reader cannot be created or the thread cannot start.
pub fn start(
    kafka: KafkaConfig,
    window: Duration,
    index: Arc<Mutex<NearDupIndex>>,
    owned: Arc<Owned>,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<JoinHandle<()>> {
    let consumer =
        restore::reader(&kafka, "neardup").context("creating the near-duplicate follower")?;
    std::thread::Builder::new()
        .name("wirefeed-neardup".into())
        .spawn(move || follow(&kafka, &consumer, window, &index, &owned, &stop))
        .context("starting the near-duplicate follower")
}

fn follow(
    kafka: &KafkaConfig,
    consumer: &restore::Reader,
    window: Duration,
    index: &Mutex<NearDupIndex>,
    owned: &Owned,
    stop: &AtomicBool,
) {
    let topic = &kafka.topics.articles;
    let timeout = Duration::from_secs(10);
    let partitions = loop {
        match consumer.fetch_metadata(Some(topic), timeout) {
            Ok(md) => match md.topics().first() {
                Some(t) if !t.partitions().is_empty() => break t.partitions().len() as i32,
                _ => {}
            },
            Err(e) => {
                tracing::warn!(cause = %e, "Near-duplicate follower cannot read metadata; retrying")
            }
        }
        if stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(Duration::from_secs(1));
    };
    let since_ms = Utc::now().timestamp_millis() - window.as_millis().min(i64::MAX as u128) as i64;
    let mut tpl = TopicPartitionList::new();
    let mut reading = Reading {
        catching_up: BTreeMap::new(),
        paused: BTreeSet::new(),
        next: HashMap::new(),
    };
    // One probe for every partition (each is probed once, so one reader serves them all),
    // closed before the follower starts reading.
    let mut probe = restore::Probe::new(kafka);
    for p in 0..partitions {
        let start = match consumer.fetch_watermarks(topic, p, timeout) {
            Ok(w) => restore::verified_start(&mut probe, topic, p, since_ms, w, timeout).0,
            Err(_) => 0,
        };
        reading.next.insert(p, start);
        if let Err(e) = tpl.add_partition_offset(topic, p, Offset::Offset(start)) {
            tracing::warn!(partition = p, cause = %e, "Near-duplicate follower skips a partition");
        }
    }
    drop(probe);
    if let Err(e) = consumer.assign(&tpl) {
        tracing::error!(cause = %e, "Near-duplicate follower cannot assign; near-duplicates across instances are not detected");
        return;
    }
    let mut seen_changes = u64::MAX;
    while !stop.load(Ordering::Relaxed) {
        let changes = owned.changes.load(Ordering::Acquire);
        if changes != seen_changes {
            seen_changes = changes;
            reading.update(consumer, topic, &owned.snapshot());
        }
        let m = match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => m,
            Some(Err(KafkaError::PartitionEOF(p))) => {
                reading.pause_caught_up(consumer, topic, &[p]);
                continue;
            }
            _ => continue,
        };
        reading.next.insert(m.partition(), m.offset() + 1);
        if !reading.catching_up.is_empty() {
            reading.pause_caught_up(consumer, topic, &[]);
        }
        let hdrs = super::record_headers::map(m.headers());
        let Some(state) = super::state_header::from_headers(&hdrs).filter(|s| s.near_dup_index)
        else {
            continue;
        };
        if let Some(id) = m.key().and_then(|k| std::str::from_utf8(k).ok()) {
            index.lock().unwrap_or_else(|e| e.into_inner()).insert(
                state.fingerprint,
                id,
                state.first_published,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(catching_up: &[(i32, i64)], next: &[(i32, i64)]) -> Reading {
        Reading {
            catching_up: catching_up.iter().copied().collect(),
            paused: BTreeSet::new(),
            next: next.iter().copied().collect(),
        }
    }

    #[test]
    fn an_owned_partition_is_left_only_after_its_earlier_articles_are_read() {
        // Partition 0 had 10 articles when the stage took it: the follower has read 5.
        let r = reading(&[(0, 10)], &[(0, 5)]);
        assert!(r.caught_up(&[]).is_empty());
        // An end reported for another partition changes nothing.
        assert!(r.caught_up(&[1]).is_empty());
        // Read up to the end, or reported at the end: leave it.
        assert_eq!(reading(&[(0, 10)], &[(0, 10)]).caught_up(&[]), [0]);
        assert_eq!(r.caught_up(&[0]), [0]);
        // Nothing to read (the follower started past the end).
        assert_eq!(reading(&[(2, 0)], &[(2, 0)]).caught_up(&[]), [2]);
        // End unknown (the lookup failed): only the reported end counts.
        let unknown = reading(&[(3, i64::MAX)], &[(3, 1_000)]);
        assert!(unknown.caught_up(&[]).is_empty());
        assert_eq!(unknown.caught_up(&[3]), [3]);
    }
}
