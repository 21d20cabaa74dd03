//! The work counters of one running instance: the numbers in the summary line.
//!
//! Metrics are process-wide; these are per instance (a test runs several in one process). The
//! events that have a summary number update both; the stages count the rest (records handled,
//! skipped, parsed) themselves, as no event stands beside them.

use std::sync::atomic::{AtomicU64, Ordering};

#[cfg(doc)]
use super::{ArticleProduced, DeadLettered, DuplicateDropped, NearDuplicateFound, RecordConsumed};

/// Work counters shared by both stages: the numbers in the summary line.
#[derive(Debug, Default)]
pub struct Stats {
    /// Raw records consumed by the parse stage and fully handled (outputs acknowledged).
    pub records: AtomicU64,
    /// Raw records a replay read but skipped (outside its time range).
    pub skipped: AtomicU64,
    /// Articles parsed and handed to the keyed topic.
    pub parsed: AtomicU64,
    /// Keyed records handled by the dedup stage (counted by [`RecordConsumed`]).
    pub keyed_records: AtomicU64,
    /// New articles written to the articles topic (counted by [`ArticleProduced`]).
    pub articles: AtomicU64,
    /// Copies dropped as duplicates (counted by [`DuplicateDropped`]).
    pub duplicates: AtomicU64,
    /// Updates written to the articles topic (counted by [`ArticleProduced`]).
    pub updates: AtomicU64,
    /// New articles found to be near-duplicates of an earlier one, annotated or dropped (counted
    /// by [`NearDuplicateFound`]).
    pub near_duplicates: AtomicU64,
    /// Dead letters written, both stages (counted by [`DeadLettered`]).
    pub dead_letters: AtomicU64,
}

impl Stats {
    /// Adds `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Reads a counter.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// The summary line: `summary: records=N articles=N duplicates=N updates=N dead_letters=N`.
    pub fn summary_line(&self) -> String {
        format!(
            "summary: records={} articles={} duplicates={} updates={} dead_letters={}",
            Self::get(&self.records),
            Self::get(&self.articles),
            Self::get(&self.duplicates),
            Self::get(&self.updates),
            Self::get(&self.dead_letters),
        )
    }
}
