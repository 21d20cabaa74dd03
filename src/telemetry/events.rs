//! The typed events: one struct per thing worth counting, each with an `emit()` that updates its
//! metric, the instance's [`Stats`] where the summary line counts it too, and writes the log line
//! where one is useful.

use std::cell::RefCell;
use std::time::Duration;

use chrono::{DateTime, Utc};
use metrics::{Counter, Histogram, counter, gauge, histogram};

use super::{LOG_TARGET, Stage, Stats, names};
use crate::model::SourceFormat;
use crate::pipeline::RejectReason;

/// Handles of the metrics counted once per record, looked up in the recorder once per thread
/// and label set, so counting a record is an atomic add rather than a registry lookup (which
/// copies and hashes the key each time).
#[derive(Default)]
struct Handles {
    /// Address of the recorder the handles came from: a recorder installed later (or a test's
    /// local one) gets handles of its own.
    recorder: usize,
    consumed: Vec<((Stage, Box<str>), Counter)>,
    parse_duration: Option<Histogram>,
    parsed: Vec<(SourceFormat, Counter)>,
    produced: Vec<(ArticleKind, Counter)>,
    publication_latency: Option<Histogram>,
    record_latency: Option<Histogram>,
    duplicates: Option<Counter>,
    near_duplicates: Vec<(bool, Counter)>,
}

thread_local! {
    static HANDLES: RefCell<Handles> = RefCell::default();
}

/// Runs `f` on this thread's [`Handles`] for the current recorder.
fn with_handles<T>(f: impl FnOnce(&mut Handles) -> T) -> T {
    let recorder = metrics::with_recorder(|r| std::ptr::from_ref(r).cast::<()>() as usize);
    let fresh = || Handles {
        recorder,
        ..Handles::default()
    };
    let mut f = Some(f);
    let cached = HANDLES.try_with(|cell| {
        let mut handles = cell.borrow_mut();
        if handles.recorder != recorder {
            *handles = fresh();
        }
        (f.take().expect("called once"))(&mut handles)
    });
    // During thread teardown the thread-local is gone: look the handles up for this call alone.
    cached.unwrap_or_else(|_| (f.take().expect("not called"))(&mut fresh()))
}

/// The handle kept for `key` in `list`, made by `make` the first time. Lists hold one entry per
/// label set (a handful); one grown past that is emptied rather than searched at length.
fn keyed<K, H>(
    list: &mut Vec<(K, H)>,
    is: impl Fn(&K) -> bool,
    make: impl FnOnce() -> (K, H),
) -> &H {
    let at = match list.iter().position(|(k, _)| is(k)) {
        Some(at) => at,
        None => {
            if list.len() >= 16 {
                list.clear();
            }
            list.push(make());
            list.len() - 1
        }
    };
    &list[at].1
}

/// [`keyed`] for a label set that is one value.
fn by_label<K: Copy + PartialEq>(
    list: &mut Vec<(K, Counter)>,
    key: K,
    make: impl FnOnce(K) -> Counter,
) -> &Counter {
    keyed(list, |k| *k == key, || (key, make(key)))
}

/// Whether a produced article is a new story or an update of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleKind {
    /// First emission of a story (version 1).
    New,
    /// A later version with different content.
    Update,
}

impl ArticleKind {
    /// The label value: `new` or `update` (as in the `wirefeed.kind` header).
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleKind::New => "new",
            ArticleKind::Update => "update",
        }
    }
}

/// A stage consumed one record of its input topic.
#[derive(Debug, Clone, Copy)]
pub struct RecordConsumed<'a> {
    /// The consuming stage.
    pub stage: Stage,
    /// The stage's input topic.
    pub topic: &'a str,
}

impl RecordConsumed<'_> {
    /// Counts the record by stage and topic; a record of the dedup stage also counts in
    /// [`Stats::keyed_records`]. (The parse stage's [`Stats::records`] counts a raw record once
    /// its outputs are under way, not when it is consumed.)
    pub fn emit(&self, stats: &Stats) {
        if self.stage == Stage::Dedup {
            Stats::add(&stats.keyed_records, 1);
        }
        with_handles(|h| {
            keyed(
                &mut h.consumed,
                |(stage, topic)| *stage == self.stage && **topic == *self.topic,
                || {
                    let c = counter!(
                        names::RECORDS_CONSUMED,
                        "stage" => self.stage.as_str(),
                        "topic" => self.topic.to_owned()
                    );
                    ((self.stage, self.topic.into()), c)
                },
            )
            .increment(1);
        });
    }
}

/// A parser thread finished one raw record.
#[derive(Debug, Clone, Copy)]
pub struct RecordParsed {
    /// Wall time of the parse (detection, parsing, enrichment, encoding).
    pub elapsed: Duration,
    /// The record's input format, when it was recognised.
    pub format: Option<SourceFormat>,
    /// Articles it yielded (0 for a rejected record).
    pub items: u64,
}

impl RecordParsed {
    /// Observes the parse time and counts the items by format.
    pub fn emit(&self) {
        with_handles(|h| {
            h.parse_duration
                .get_or_insert_with(|| histogram!(names::PARSE_DURATION))
                .record(self.elapsed.as_secs_f64());
            if let Some(format) = self.format
                && self.items > 0
            {
                by_label(
                    &mut h.parsed,
                    format,
                    |f| counter!(names::ITEMS_PARSED, "format" => f.as_str()),
                )
                .increment(self.items);
            }
        });
    }
}

/// The dedup stage handed a new article or an update to the producer for the articles topic.
#[derive(Debug, Clone, Copy)]
pub struct ArticleProduced {
    /// New story or update.
    pub kind: ArticleKind,
    /// When this version was published by its source (the article's version time: first
    /// publication for a new story, the update's own time for an update).
    pub published: DateTime<Utc>,
    /// Timestamp of the raw record the article came from, when known.
    pub record_time: Option<DateTime<Utc>>,
}

impl ArticleProduced {
    /// Counts the article (in [`Stats::articles`] or [`Stats::updates`] too) and observes both
    /// end-to-end latencies (now minus each time; a time in the future, from clock skew or a
    /// future-dated item, is not observed).
    pub fn emit(&self, stats: &Stats) {
        self.emit_at(stats, Utc::now());
    }

    /// [`ArticleProduced::emit`] with an explicit "now".
    pub fn emit_at(&self, stats: &Stats, now: DateTime<Utc>) {
        Stats::add(
            match self.kind {
                ArticleKind::New => &stats.articles,
                ArticleKind::Update => &stats.updates,
            },
            1,
        );
        with_handles(|h| {
            by_label(
                &mut h.produced,
                self.kind,
                |k| counter!(names::ARTICLES_PRODUCED, "kind" => k.as_str()),
            )
            .increment(1);
            if let Some(s) = seconds_since(self.published, now) {
                h.publication_latency
                    .get_or_insert_with(|| histogram!(names::PUBLICATION_TO_ARTICLE))
                    .record(s);
            }
            if let Some(s) = self.record_time.and_then(|t| seconds_since(t, now)) {
                h.record_latency
                    .get_or_insert_with(|| histogram!(names::RECORD_TO_ARTICLE))
                    .record(s);
            }
        });
    }
}

/// Seconds from `from` to `now`, or `None` when `from` is later than `now`.
pub fn seconds_since(from: DateTime<Utc>, now: DateTime<Utc>) -> Option<f64> {
    let d = (now - from).to_std().ok()?;
    Some(d.as_secs_f64())
}

/// The dedup stage dropped a copy of a story it had already emitted.
#[derive(Debug, Clone, Copy, Default)]
pub struct DuplicateDropped;

impl DuplicateDropped {
    /// Counts the duplicate (in [`Stats::duplicates`] too).
    pub fn emit(&self, stats: &Stats) {
        Stats::add(&stats.duplicates, 1);
        with_handles(|h| {
            h.duplicates
                .get_or_insert_with(|| counter!(names::DUPLICATES))
                .increment(1);
        });
    }
}

/// The parse stage clamped items' last-update times that lay far after their record's timestamp.
#[derive(Debug, Clone, Copy)]
pub struct FutureUpdatesClamped {
    /// Items clamped in one record.
    pub items: usize,
}

impl FutureUpdatesClamped {
    /// Counts the clamped items.
    pub fn emit(&self) {
        counter!(names::FUTURE_UPDATES_CLAMPED).increment(self.items as u64);
    }
}

/// The dedup stage found a new article to be a near-duplicate of an earlier one.
#[derive(Debug, Clone, Copy)]
pub struct NearDuplicateFound {
    /// True when it was dropped (`dedup.near_duplicates = "drop"`), false when annotated.
    pub dropped: bool,
}

impl NearDuplicateFound {
    /// Counts the near-duplicate by action (in [`Stats::near_duplicates`] too).
    pub fn emit(&self, stats: &Stats) {
        Stats::add(&stats.near_duplicates, 1);
        with_handles(|h| {
            by_label(&mut h.near_duplicates, self.dropped, |dropped| {
                let action = if dropped { "dropped" } else { "annotated" };
                counter!(names::NEAR_DUPLICATES, "action" => action)
            })
            .increment(1);
        });
    }
}

/// A stage sent a record to the dead-letter topic.
#[derive(Debug, Clone, Copy)]
pub struct DeadLettered<'a> {
    /// The rejecting stage.
    pub stage: Stage,
    /// Why (the `wirefeed.reason` header).
    pub reason: RejectReason,
    /// Partition of the rejected record (logged, not a label).
    pub partition: i32,
    /// Offset of the rejected record (logged, not a label).
    pub offset: i64,
    /// Human-readable detail (logged, not a label).
    pub detail: &'a str,
}

impl DeadLettered<'_> {
    /// Counts the dead letter by stage and reason (in [`Stats::dead_letters`] too) and logs it
    /// at debug level.
    pub fn emit(&self, stats: &Stats) {
        Stats::add(&stats.dead_letters, 1);
        tracing::debug!(target: LOG_TARGET,
            stage = self.stage.as_str(),
            partition = self.partition,
            offset = self.offset,
            reason = self.reason.as_str(),
            detail = %self.detail,
            "Dead letter"
        );
        counter!(
            names::DEAD_LETTERS,
            "stage" => self.stage.as_str(),
            "reason" => self.reason.as_str()
        )
        .increment(1);
    }
}

/// The dedup stage finished rebuilding a partition's state from the articles topic: what the
/// restore did. The restore fills it in as it reads, and emits it once it stops.
#[derive(Debug, Clone, Default)]
pub struct RestoreFinished {
    /// Articles partition read.
    pub partition: i32,
    /// First offset read.
    pub from_offset: i64,
    /// End offset captured before reading.
    pub to_offset: i64,
    /// Article records read.
    pub records: u64,
    /// Stories in the rebuilt state.
    pub entries: usize,
    /// Wall time taken.
    pub elapsed: Duration,
    /// False when the read stopped at the timeout before the captured end.
    pub complete: bool,
    /// True when the timestamp lookup was not trusted and the read began at the partition start.
    pub fell_back: bool,
}

impl RestoreFinished {
    /// Sets the partition's restore gauges, counts the restore and logs it (info when complete,
    /// error when it stopped at the timeout).
    pub fn emit(&self) {
        let r = self;
        let partition = r.partition.to_string();
        gauge!(names::RESTORE_DURATION, "partition" => partition.clone())
            .set(r.elapsed.as_secs_f64());
        gauge!(names::RESTORE_ENTRIES, "partition" => partition.clone()).set(r.entries as f64);
        counter!(names::RESTORE_RECORDS, "partition" => partition).increment(r.records);
        let outcome = if r.complete { "complete" } else { "incomplete" };
        counter!(names::RESTORES, "outcome" => outcome).increment(1);
        if r.complete {
            tracing::info!(target: LOG_TARGET,
                partition = r.partition,
                records = r.records,
                entries = r.entries,
                from_offset = r.from_offset,
                to_offset = r.to_offset,
                fell_back = r.fell_back,
                elapsed_ms = r.elapsed.as_millis() as u64,
                "Restored dedup state"
            );
        } else {
            tracing::error!(target: LOG_TARGET,
                partition = r.partition,
                records = r.records,
                to_offset = r.to_offset,
                elapsed_ms = r.elapsed.as_millis() as u64,
                "Dedup state restore incomplete; copies of earlier stories may be emitted again"
            );
        }
    }
}

/// Queue depth of the parse stage: records consumed and not yet produced.
#[derive(Debug, Clone, Copy)]
pub struct ParsePending {
    /// Records waiting for their parse result or their turn to be produced.
    pub records: usize,
    /// Their raw bytes.
    pub bytes: usize,
}

impl ParsePending {
    /// Sets the gauges.
    pub fn emit(&self) {
        gauge!(names::PARSE_PENDING).set(self.records as f64);
        gauge!(names::PARSE_PENDING_BYTES).set(self.bytes as f64);
    }
}

/// Outputs of a stage handed to the producer and not yet acknowledged.
#[derive(Debug, Clone, Copy)]
pub struct InFlightOutputs {
    /// The producing stage.
    pub stage: Stage,
    /// Unacknowledged outputs (the offset tracker's `total_in_flight`).
    pub outputs: u64,
}

impl InFlightOutputs {
    /// Sets the gauge.
    pub fn emit(&self) {
        gauge!(names::IN_FLIGHT_OUTPUTS, "stage" => self.stage.as_str()).set(self.outputs as f64);
    }
}

/// The producer reported an output delivered without an offset
/// ([`names::ACKED_WITHOUT_OFFSET`]).
#[derive(Debug, Clone, Copy)]
pub struct AckedWithoutOffset {
    /// The producing stage.
    pub stage: Stage,
}

impl AckedWithoutOffset {
    /// Counts the output.
    pub fn emit(&self) {
        counter!(names::ACKED_WITHOUT_OFFSET, "stage" => self.stage.as_str()).increment(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders what `emit` counts into a fresh recorder.
    fn rendered(emit: impl Fn()) -> String {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, emit);
        handle.render()
    }

    #[test]
    fn cached_handles_count_into_their_own_recorder() {
        let stats = Stats::default();
        let consumed = |stage, topic| RecordConsumed { stage, topic }.emit(&stats);
        let first = rendered(|| {
            for _ in 0..3 {
                consumed(Stage::Parse, "raw");
            }
            consumed(Stage::Dedup, "keyed");
            consumed(Stage::Parse, "other");
            DuplicateDropped.emit(&stats);
            NearDuplicateFound { dropped: true }.emit(&stats);
        });
        for line in [
            r#"wirefeed_records_consumed_total{stage="parse",topic="raw"} 3"#,
            r#"wirefeed_records_consumed_total{stage="dedup",topic="keyed"} 1"#,
            r#"wirefeed_records_consumed_total{stage="parse",topic="other"} 1"#,
            "wirefeed_duplicates_total 1",
            r#"wirefeed_near_duplicates_total{action="dropped"} 1"#,
        ] {
            assert!(first.contains(line), "{line} in\n{first}");
        }
        // The same thread, a new recorder: the handles of the first are not reused.
        let second = rendered(|| consumed(Stage::Parse, "raw"));
        assert!(
            second.contains(r#"wirefeed_records_consumed_total{stage="parse",topic="raw"} 1"#),
            "{second}"
        );
        assert!(!second.contains("wirefeed_duplicates_total"), "{second}");
    }

    #[test]
    fn a_grown_label_list_still_counts() {
        let stats = Stats::default();
        let topics: Vec<String> = (0..40).map(|i| format!("t{i}")).collect();
        let text = rendered(|| {
            for _ in 0..2 {
                for topic in &topics {
                    RecordConsumed {
                        stage: Stage::Parse,
                        topic,
                    }
                    .emit(&stats);
                }
            }
        });
        for topic in &topics {
            let line =
                format!(r#"wirefeed_records_consumed_total{{stage="parse",topic="{topic}"}} 2"#);
            assert!(text.contains(&line), "{line}");
        }
    }

    #[test]
    fn latency_is_not_negative() {
        let now = Utc::now();
        assert_eq!(seconds_since(now, now), Some(0.0));
        assert_eq!(
            seconds_since(now - chrono::Duration::milliseconds(1500), now),
            Some(1.5)
        );
        assert_eq!(seconds_since(now + chrono::Duration::seconds(1), now), None);
    }
}
