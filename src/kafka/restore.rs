//! Rebuilding a keyed partition's dedup state from the articles topic (DESIGN.md, "Dedup stage").
//!
//! Articles of keyed partition *p* are written to articles partition *p*, each carrying the state
//! it implies in one header (dedup key, first publication, version time, version, fingerprint;
//! [`super::state_header`]). On
//! assignment the dedup stage reads articles partition *p* from `now - dedup.restore_lookback` to
//! the end it saw when it started reading, and replays those headers into a fresh
//! [`DedupState`] before any new record of *p* is processed. The articles topic is the state's log:
//! no separate store, nothing to keep consistent with it.
//!
//! The start offset comes from `offsets_for_times`, verified against record timestamps, because
//! some Kafka-compatible brokers answer that request wrongly (an offset too late would silently
//! drop state): when the record before the answer is not older than the lookback, the read starts
//! at the partition's beginning instead, and records older than the lookback are filtered out.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use chrono::Utc;
use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use crate::config::{DedupConfig, KafkaConfig};
use crate::faults;
use crate::pipeline::dedup::{DedupState, SameStory, StoryState};
use crate::telemetry::RestoreFinished;

use super::{Role, client_config, state_header};

/// Reads the dedup state one article record carries: (dedup key, story). Reads the
/// `wirefeed.state` header and the separate headers of the earlier layout
/// ([`super::state_header::from_headers`]).
pub fn state_from_record(
    id: &str,
    hdrs: &HashMap<&str, &[u8]>,
    seen_ms: i64,
) -> Option<(String, StoryState)> {
    let state = state_header::from_headers(hdrs)?;
    Some((
        state.dedup_key,
        StoryState {
            first_published: state.first_published,
            version_time: state.version_time,
            fingerprint: state.fingerprint,
            earlier: Vec::new(),
            seen_ms,
            version: state.version,
            id: id.to_owned(),
        },
    ))
}

/// Client context of readers: reaching the end of a partition is how they know they are done,
/// not an error worth a log line.
pub struct ReaderContext;

impl ClientContext for ReaderContext {
    fn error(&self, error: KafkaError, reason: &str) {
        let eof = matches!(error, KafkaError::PartitionEOF(_))
            || error.rdkafka_error_code() == Some(rdkafka::types::RDKafkaErrorCode::PartitionEOF);
        if !eof {
            tracing::warn!(cause = %error, reason, "Reader error");
        }
    }
}

impl ConsumerContext for ReaderContext {}

/// A consumer reading partitions by assignment (no group membership, no commits).
///
/// A reader assigns each partition at most once in its life: librdkafka (up to 2.15 at least)
/// aborts the process (`rd_kafka_assignment_partition_stopped: Assertion rktp->rktp_started`)
/// when a partition removed from an assignment is assigned and removed again before its fetcher
/// has stopped, which a reader re-assigned from probe to probe, or closed just after its last
/// assignment, hits within a few dozen rounds. Record probes therefore go through a [`Probe`].
pub type Reader = BaseConsumer<ReaderContext>;

/// A consumer for reading partitions by assignment (no group membership, no commits).
///
/// # Errors
/// When librdkafka rejects the configuration.
pub fn reader(kafka: &KafkaConfig, purpose: &str) -> anyhow::Result<Reader> {
    reader_waiting(kafka, purpose, "100")
}

/// How long (ms) a [`bounded_reader`] lets the broker wait for records when it has none.
const BOUNDED_FETCH_WAIT_MS: &str = "10";

/// A reader for reads that end at an offset known when they begin (restores, record probes). At
/// the end of a partition a fetch waits up to `fetch.wait.max.ms` for records, and whatever
/// comes next (a seek, closing the reader) waits for that fetch: at [`reader`]'s 100 ms, two
/// such waits were 200 of the 210 ms a restore of a small partition took on the mock broker.
///
/// # Errors
/// When librdkafka rejects the configuration.
pub fn bounded_reader(kafka: &KafkaConfig, purpose: &str) -> anyhow::Result<Reader> {
    reader_waiting(kafka, purpose, BOUNDED_FETCH_WAIT_MS)
}

/// A reader whose fetches wait at most `fetch_wait_ms` for records.
fn reader_waiting(
    kafka: &KafkaConfig,
    purpose: &str,
    fetch_wait_ms: &str,
) -> anyhow::Result<Reader> {
    Ok(client_config(kafka, Role::Admin)
        .set("group.id", format!("{}-{purpose}", kafka.application_id))
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("enable.partition.eof", "true")
        // An offset out of range (retention deleted the start meanwhile) reads from the oldest
        // record kept, never silently from the end.
        .set("auto.offset.reset", "earliest")
        .set("fetch.wait.max.ms", fetch_wait_ms)
        .create_with_context(ReaderContext)?)
}

/// Reads single records (their timestamps) through a reader of its own that assigns each
/// partition at most once (see [`Reader`]): probing a partition a second time opens a new reader.
pub struct Probe<'a> {
    kafka: &'a KafkaConfig,
    reader: Option<Reader>,
    probed: HashSet<(String, i32)>,
}

impl<'a> Probe<'a> {
    /// A probe reading with the client settings of `kafka`; its reader opens on first use.
    pub fn new(kafka: &'a KafkaConfig) -> Probe<'a> {
        Probe {
            kafka,
            reader: None,
            probed: HashSet::new(),
        }
    }

    /// The reader, opened if need be; `None` when it cannot be created.
    fn reader(&mut self) -> Option<&Reader> {
        if self.reader.is_none() {
            self.reader = bounded_reader(self.kafka, "probe").ok();
        }
        self.reader.as_ref()
    }

    /// Timestamp (ms) of the record at `offset`, or `None` when it cannot be read within
    /// `timeout`.
    pub fn timestamp_at(
        &mut self,
        topic: &str,
        partition: i32,
        offset: i64,
        timeout: Duration,
    ) -> Option<i64> {
        if !self.probed.insert((topic.to_owned(), partition)) {
            // Probed already with this reader: a new one, so no partition is assigned twice.
            self.reader = None;
            self.probed.clear();
            self.probed.insert((topic.to_owned(), partition));
        }
        let consumer = self.reader()?;
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(topic, partition, Offset::Offset(offset))
            .ok()?;
        consumer.assign(&tpl).ok()?;
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            match consumer.poll(Duration::from_millis(100)) {
                Some(Ok(m)) if m.partition() == partition && m.offset() >= offset => {
                    return m.timestamp().to_millis();
                }
                Some(Err(KafkaError::PartitionEOF(_))) => return None,
                _ => {}
            }
        }
        None
    }
}

/// The broker's answer to where the records of `partition` at or after `since_ms` begin
/// (`offsets_for_times`), when it lies in `low..=high`; "none" is the end, `high`.
fn offset_for_time(
    reader: &Reader,
    topic: &str,
    partition: i32,
    since_ms: i64,
    (low, high): (i64, i64),
    timeout: Duration,
) -> Option<i64> {
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, partition, Offset::Offset(since_ms))
        .ok()?;
    let answer = reader.offsets_for_times(tpl, timeout).ok()?;
    match answer.find_partition(topic, partition)?.offset() {
        Offset::Offset(o) if (low..=high).contains(&o) => Some(o),
        Offset::End => Some(high),
        _ => None,
    }
}

/// The first offset of `partition` whose records may be at or after `since_ms`: the broker's
/// `offsets_for_times` answer when the record before it is verifiably older, else the partition
/// start. Returns (offset, fell back).
pub fn verified_start(
    probe: &mut Probe<'_>,
    topic: &str,
    partition: i32,
    since_ms: i64,
    (low, high): (i64, i64),
    timeout: Duration,
) -> (i64, bool) {
    if high <= low {
        return (low, false);
    }
    let Some(consumer) = probe.reader() else {
        return (low, true);
    };
    let Some(candidate) =
        offset_for_time(consumer, topic, partition, since_ms, (low, high), timeout)
    else {
        return (low, true);
    };
    if candidate == low {
        return (low, false);
    }
    // Trust the answer only if the record just before it is older than `since_ms`.
    match probe.timestamp_at(topic, partition, candidate - 1, timeout) {
        Some(ts) if ts < since_ms => (candidate, false),
        _ => (low, true),
    }
}

/// Why a restore did not complete.
#[derive(Debug)]
pub struct RestoreFailed {
    /// What was done before it stopped.
    pub report: RestoreFinished,
    /// What went wrong.
    pub cause: String,
}

/// Rebuilds the dedup state of `partition` from the articles topic, reading until the end offset
/// it captured at the start. Only a complete read counts: a partition whose state is partial
/// would emit copies of earlier stories again.
///
/// The read begins where `offsets_for_times` says the lookback begins, at the record before that
/// answer: one reader checks the answer (that record must be older than the lookback, or the
/// answer is not trusted; see [`verified_start`]) and reads on from there, or, when the answer is
/// found wrong, seeks back to the partition's start.
///
/// # Errors
/// When the reader cannot be created, the watermarks cannot be fetched, the partition cannot be
/// read, the read did not reach the captured end within `timeout`, or `cancel` was set.
pub fn restore_partition(
    kafka: &KafkaConfig,
    partition: i32,
    rule: SameStory,
    lookback: Duration,
    timeout: Duration,
    cancel: &AtomicBool,
) -> Result<(DedupState, RestoreFinished), RestoreFailed> {
    let started = Instant::now();
    let deadline = started + timeout;
    let topic = &kafka.topics.articles;
    let mut state = DedupState::new(rule);
    let mut report = RestoreFinished {
        partition,
        ..RestoreFinished::default()
    };
    let fail = |mut report: RestoreFinished, cause: String| {
        report.elapsed = started.elapsed();
        Err(RestoreFailed { report, cause })
    };
    let consumer = match bounded_reader(kafka, "restore") {
        Ok(c) => c,
        Err(e) => return fail(report, format!("cannot create the restore reader: {e:#}")),
    };
    let (low, high) = match consumer.fetch_watermarks(topic, partition, timeout) {
        Ok(w) => w,
        Err(e) => return fail(report, format!("cannot read the articles watermarks: {e}")),
    };
    let since_ms =
        Utc::now().timestamp_millis() - lookback.as_millis().min(i64::MAX as u128) as i64;
    report.to_offset = high;
    let answer = if high > low {
        offset_for_time(&consumer, topic, partition, since_ms, (low, high), timeout)
    } else {
        Some(low)
    };
    report.fell_back = answer.is_none();
    // An answer past the start is checked by the record before it, where the read begins.
    let (from, check) = match answer {
        Some(candidate) if candidate > low => (candidate - 1, true),
        _ => (low, false),
    };
    report.from_offset = from + i64::from(check);
    if from >= high {
        report.complete = true;
        report.elapsed = started.elapsed();
        return Ok((state, report));
    }
    let mut tpl = TopicPartitionList::new();
    let assigned = tpl
        .add_partition_offset(topic, partition, Offset::Offset(from))
        .and_then(|()| consumer.assign(&tpl));
    if let Err(e) = assigned {
        return fail(report, format!("cannot read the articles partition: {e}"));
    }
    let read = |check: bool| Read {
        topic,
        partition,
        check,
        high,
        since_ms,
        deadline,
    };
    let mut outcome = read(check).run(&consumer, cancel, &mut state, &mut report);
    if let Err(ReadError::AnswerUntrusted) = outcome {
        // The same reader reads again from the start: a seek within its assignment (a partition
        // is never assigned twice to one reader; see `Reader`).
        report.fell_back = true;
        report.from_offset = low;
        outcome = consumer
            .seek(topic, partition, Offset::Offset(low), timeout)
            .map_err(|e| ReadError::Failed(format!("cannot read the articles partition: {e}")))
            .and_then(|()| read(false).run(&consumer, cancel, &mut state, &mut report));
    }
    report.entries = state.len();
    report.elapsed = started.elapsed();
    match outcome {
        Ok(()) if report.complete => Ok((state, report)),
        Err(ReadError::Failed(cause)) => Err(RestoreFailed { report, cause }),
        _ => {
            let cause = if cancel.load(Ordering::Relaxed) {
                "cancelled (partition revoked)".to_owned()
            } else {
                format!(
                    "did not reach offset {high} within dedup.restore_timeout ({:?})",
                    timeout
                )
            };
            Err(RestoreFailed { report, cause })
        }
    }
}

/// One read of an articles partition by a restore, from the position its reader was assigned or
/// sought to.
struct Read<'a> {
    topic: &'a str,
    partition: i32,
    /// Whether the first record read checks the timestamp lookup's answer: it must be older
    /// than the lookback.
    check: bool,
    /// The end offset captured at the start.
    high: i64,
    /// The lookback's start (ms): older records are not state.
    since_ms: i64,
    deadline: Instant,
}

/// Why a [`Read`] stopped short.
enum ReadError {
    /// The record before the timestamp lookup's answer is not older than the lookback.
    AnswerUntrusted,
    /// The partition could not be read.
    Failed(String),
}

impl Read<'_> {
    /// Reads records into `state` until the one before `high`, the deadline or `cancel`;
    /// `report.complete` says whether it got there.
    fn run(
        mut self,
        consumer: &Reader,
        cancel: &AtomicBool,
        state: &mut DedupState,
        report: &mut RestoreFinished,
    ) -> Result<(), ReadError> {
        let Read {
            topic,
            partition,
            high,
            since_ms,
            deadline,
            ..
        } = self;
        while Instant::now() < deadline && !cancel.load(Ordering::Relaxed) {
            match consumer.poll(Duration::from_millis(100)) {
                Some(Ok(m)) => {
                    let ts = m.timestamp().to_millis();
                    let older = ts.is_some_and(|ts| ts < since_ms);
                    if std::mem::take(&mut self.check) && !older {
                        return Err(ReadError::AnswerUntrusted);
                    }
                    if m.offset() >= high - 1 {
                        report.complete = true;
                    }
                    if !older {
                        let id = m
                            .key()
                            .and_then(|k| std::str::from_utf8(k).ok())
                            .unwrap_or_default();
                        let seen_ms = ts.unwrap_or(since_ms);
                        if let Some((key, story)) =
                            state_from_record(id, &super::record_headers::map(m.headers()), seen_ms)
                        {
                            state.restore(&key, story);
                            report.records += 1;
                        }
                    }
                    if report.complete {
                        return Ok(());
                    }
                }
                Some(Err(KafkaError::PartitionEOF(_))) => {
                    if self.check {
                        return Err(ReadError::AnswerUntrusted);
                    }
                    report.complete = consumer
                        .position()
                        .ok()
                        .and_then(|p| p.find_partition(topic, partition).map(|e| e.offset()))
                        .is_some_and(|o| matches!(o, Offset::Offset(o) if o >= high));
                    if report.complete {
                        return Ok(());
                    }
                }
                Some(Err(e)) => tracing::warn!(partition, cause = %e, "Error while restoring"),
                None => {}
            }
        }
        Ok(())
    }
}

/// A partition whose state was rebuilt.
#[derive(Debug)]
pub struct Restored {
    /// The keyed (= articles) partition.
    pub partition: i32,
    /// The assignment epoch the restore was started for.
    pub epoch: u64,
    /// The rebuilt state.
    pub state: DedupState,
}

/// Rebuilds one partition's state: the partition, its cancel flag and the readers' permits in,
/// the state out (`None` when cancelled).
type RestoreFn = dyn Fn(i32, &AtomicBool, &ReaderPermits) -> Option<DedupState> + Send + Sync;

/// Restore readers open at once, at most. Each is a librdkafka client with threads and buffers of
/// its own (about a megabyte idle, up to librdkafka's 64 MiB prefetch while reading): 64
/// partitions assigned at once opened 64 of them (about 280 threads), and limiting them took peak
/// RSS in `bench/e2e --broker mock --items 20000` from 98 to 79 MB.
pub const RESTORE_READERS: usize = 4;

/// Counts the restore readers open, so at most a fixed number read at once; the others wait
/// (their partitions stay paused, as they would while restoring).
#[derive(Debug)]
pub struct ReaderPermits {
    free: Mutex<usize>,
    freed: std::sync::Condvar,
}

/// One open reader's permit, given back when dropped.
#[derive(Debug)]
pub struct ReaderPermit<'a>(&'a ReaderPermits);

impl ReaderPermits {
    /// Permits for `readers` readers at once (at least one).
    pub fn new(readers: usize) -> ReaderPermits {
        ReaderPermits {
            free: Mutex::new(readers.max(1)),
            freed: std::sync::Condvar::new(),
        }
    }

    fn free(&self) -> MutexGuard<'_, usize> {
        self.free.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a permit; `None` once `cancel` is set.
    pub fn acquire(&self, cancel: &AtomicBool) -> Option<ReaderPermit<'_>> {
        let mut free = self.free();
        loop {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            if *free > 0 {
                *free -= 1;
                return Some(ReaderPermit(self));
            }
            free = self
                .freed
                .wait_timeout(free, Duration::from_millis(50))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Drop for ReaderPermit<'_> {
    fn drop(&mut self) {
        *self.0.free() += 1;
        self.0.freed.notify_one();
    }
}

/// First pause before retrying a failed restore; it doubles up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_millis(500);
/// Longest pause between restore attempts.
const RETRY_MAX: Duration = Duration::from_secs(30);

/// Rebuilds assigned partitions' states in the background, one thread per partition, so that
/// several partitions restore at once and the rebalance callback returns at once (a long restore
/// inside it would exceed `max.poll.interval.ms`). At most [`RESTORE_READERS`] read at a time. A
/// failed restore is retried with back-off until it completes or its partition is revoked: a
/// partition is never processed on a partial state.
pub struct Restorer {
    /// Rebuilds one partition (from the articles topic, retrying until complete).
    restore: Arc<RestoreFn>,
    /// Bounds the readers open at once.
    permits: Arc<ReaderPermits>,
    /// Running restores: partition → (epoch, cancel flag).
    running: Mutex<HashMap<i32, (u64, Arc<AtomicBool>)>>,
    done_tx: Sender<Restored>,
    done_rx: Receiver<Restored>,
}

impl Restorer {
    /// A restorer for the stage's configuration.
    pub fn new(kafka: KafkaConfig, dedup: DedupConfig) -> Restorer {
        Restorer::with(
            Arc::new(move |partition, cancel, permits| {
                restore_until_complete(&kafka, &dedup, partition, cancel, permits)
            }),
            RESTORE_READERS,
        )
    }

    /// A restorer that rebuilds each partition with `restore`, `readers` at a time.
    fn with(restore: Arc<RestoreFn>, readers: usize) -> Restorer {
        let (done_tx, done_rx) = crossbeam_channel::unbounded();
        Restorer {
            restore,
            permits: Arc::new(ReaderPermits::new(readers)),
            running: Mutex::default(),
            done_tx,
            done_rx,
        }
    }

    fn running(&self) -> MutexGuard<'_, HashMap<i32, (u64, Arc<AtomicBool>)>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts rebuilding `partition` for assignment `epoch` (cancelling an earlier restore of it).
    pub fn start(&self, partition: i32, epoch: u64) {
        let cancel = Arc::new(AtomicBool::new(false));
        if let Some((_, old)) = self.running().insert(partition, (epoch, cancel.clone())) {
            old.store(true, Ordering::Relaxed);
        }
        let (restore, tx) = (self.restore.clone(), self.done_tx.clone());
        let permits = self.permits.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("wirefeed-restore-{partition}"))
            .spawn(move || {
                if let Some(state) = restore(partition, &cancel, &permits) {
                    tx.send(Restored {
                        partition,
                        epoch,
                        state,
                    })
                    .ok();
                }
            });
        if let Err(e) = spawned {
            // Without a thread the partition stays paused and unready; say so loudly.
            tracing::error!(partition, cause = %e, "Cannot start a restore thread");
        }
    }

    /// Stops the restore of `partition`, if one runs.
    pub fn cancel(&self, partition: i32) {
        if let Some((_, cancel)) = self.running().remove(&partition) {
            cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Restores started and not yet taken by [`Restorer::finished`].
    pub fn pending(&self) -> usize {
        self.running().len()
    }

    /// The restores that completed since the last call, for partitions still restoring under
    /// the same epoch.
    pub fn finished(&self) -> Vec<Restored> {
        let mut done = Vec::new();
        for r in self.done_rx.try_iter() {
            let mut running = self.running();
            if running
                .get(&r.partition)
                .is_some_and(|(e, _)| *e == r.epoch)
            {
                running.remove(&r.partition);
                done.push(r);
            }
        }
        done
    }
}

impl Drop for Restorer {
    fn drop(&mut self) {
        for (_, cancel) in self.running().values() {
            cancel.store(true, Ordering::Relaxed);
        }
    }
}

/// Restores `partition` until a read completes (`None` when cancelled), retrying with back-off;
/// each attempt holds a reader permit while it reads (not while it waits to retry) and is
/// reported ([`RestoreFinished`]).
fn restore_until_complete(
    kafka: &KafkaConfig,
    dedup: &DedupConfig,
    partition: i32,
    cancel: &AtomicBool,
    permits: &ReaderPermits,
) -> Option<DedupState> {
    if faults::get().no_restore {
        return Some(DedupState::new(dedup.same_story()));
    }
    let mut pause = RETRY_FIRST;
    loop {
        let permit = permits.acquire(cancel)?;
        let attempt = restore_partition(
            kafka,
            partition,
            dedup.same_story(),
            dedup.restore_lookback,
            dedup.restore_timeout,
            cancel,
        );
        drop(permit);
        match attempt {
            Ok((state, report)) => {
                report.emit();
                return Some(state);
            }
            Err(failed) => {
                if cancel.load(Ordering::Relaxed) {
                    return None;
                }
                failed.report.emit();
                tracing::error!(
                    partition,
                    cause = %failed.cause,
                    retry_in_ms = pause.as_millis() as u64,
                    "Dedup state restore failed; the partition stays paused until a restore completes"
                );
            }
        }
        let until = Instant::now() + pause;
        while Instant::now() < until {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        pause = (pause * 2).min(RETRY_MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::super::headers;
    use super::*;

    /// Waits up to 30 s for `n` restores to finish; their (partition, epoch), sorted.
    fn finished(restorer: &Restorer, n: usize) -> Vec<(i32, u64)> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut done = Vec::new();
        while done.len() < n && Instant::now() < deadline {
            done.extend(
                restorer
                    .finished()
                    .into_iter()
                    .map(|r| (r.partition, r.epoch)),
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        done.sort_unstable();
        done
    }

    /// Every assigned partition restores at the same time, outside the caller (the rebalance
    /// callback): each restore here waits until all four are running, so restores run one after
    /// another, or inside `start`, would time out and none would finish.
    #[test]
    fn assigned_partitions_restore_at_once_outside_the_caller() {
        const PARTITIONS: usize = 4;
        let running = Arc::new((Mutex::new(0usize), std::sync::Condvar::new()));
        let seen = running.clone();
        let restorer = Restorer::with(
            Arc::new(move |_, cancel, permits| {
                let _permit = permits.acquire(cancel)?;
                let (count, all_running) = &*seen;
                let mut count = count.lock().unwrap();
                *count += 1;
                all_running.notify_all();
                let (_count, wait) = all_running
                    .wait_timeout_while(count, Duration::from_secs(10), |n| *n < PARTITIONS)
                    .unwrap();
                (!wait.timed_out()).then(|| DedupState::new(SameStory::default()))
            }),
            RESTORE_READERS,
        );
        for p in 0..PARTITIONS {
            restorer.start(p as i32, 7);
        }
        assert_eq!(
            finished(&restorer, PARTITIONS),
            [(0, 7), (1, 7), (2, 7), (3, 7)]
        );
        assert_eq!(restorer.pending(), 0);
    }

    /// Sixteen partitions assigned at once: never more than the permitted readers read at a
    /// time, and every partition is restored.
    #[test]
    fn restores_open_at_most_the_permitted_readers() {
        const PARTITIONS: i32 = 16;
        let reading = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (now, peak) = (reading.clone(), most.clone());
        let restorer = Restorer::with(
            Arc::new(move |_, cancel, permits| {
                let _permit = permits.acquire(cancel)?;
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
                now.fetch_sub(1, Ordering::SeqCst);
                Some(DedupState::new(SameStory::default()))
            }),
            RESTORE_READERS,
        );
        for p in 0..PARTITIONS {
            restorer.start(p, 3);
        }
        let expected: Vec<(i32, u64)> = (0..PARTITIONS).map(|p| (p, 3)).collect();
        assert_eq!(finished(&restorer, PARTITIONS as usize), expected);
        let most = most.load(Ordering::SeqCst);
        assert!(
            most <= RESTORE_READERS,
            "{most} readers at once, more than {RESTORE_READERS}"
        );
    }

    /// A restore waiting for a reader gives up when its partition is revoked.
    #[test]
    fn a_waiting_restore_is_cancelled() {
        let permits = ReaderPermits::new(1);
        let never = AtomicBool::new(false);
        let held = permits.acquire(&never).unwrap();
        let cancelled = AtomicBool::new(true);
        assert!(permits.acquire(&cancelled).is_none());
        drop(held);
        assert!(permits.acquire(&never).is_some());
    }

    #[test]
    fn reads_state_from_the_state_header() {
        let value = b"1 2 1755685620000 1755687600000 00000000000000ff 0 a story";
        let hdrs: HashMap<&str, &[u8]> = [(headers::STATE, value.as_slice())].into();
        let (key, story) = state_from_record("urn:x", &hdrs, 7).unwrap();
        assert_eq!(key, "a story");
        assert_eq!(story.fingerprint, 255);
        assert_eq!(story.version, 2);
        assert_eq!(story.id, "urn:x");
        assert_eq!(story.seen_ms, 7);
        assert_eq!(
            story.first_published.to_rfc3339(),
            "2025-08-20T10:27:00+00:00"
        );
        assert_eq!(story.version_time.to_rfc3339(), "2025-08-20T11:00:00+00:00");
    }

    /// Articles written before the `wirefeed.state` header, one header per field.
    #[test]
    fn reads_state_from_the_earlier_headers() {
        let hdrs: HashMap<&str, &[u8]> = [
            (headers::DEDUP_KEY, b"a story".as_slice()),
            (headers::FIRST_PUBLISHED, b"2025-08-20T10:27:00Z".as_slice()),
            (headers::VERSION_TIME, b"2025-08-20T11:00:00Z".as_slice()),
            (headers::FINGERPRINT, b"00000000000000ff".as_slice()),
            (headers::VERSION, b"2".as_slice()),
        ]
        .into_iter()
        .collect();
        let (key, story) = state_from_record("urn:x", &hdrs, 0).unwrap();
        assert_eq!(key, "a story");
        assert_eq!(story.fingerprint, 255);
        assert_eq!(story.version, 2);
        assert_eq!(story.id, "urn:x");
        assert_eq!(story.version_time.to_rfc3339(), "2025-08-20T11:00:00+00:00");
    }

    #[test]
    fn ignores_records_without_state() {
        let mut hdrs: HashMap<&str, &[u8]> = HashMap::new();
        assert!(state_from_record("x", &hdrs, 0).is_none());
        hdrs.insert(headers::DEDUP_KEY, b"k");
        hdrs.insert(headers::FIRST_PUBLISHED, b"not a time");
        assert!(state_from_record("x", &hdrs, 0).is_none());
    }
}
