//! Telemetry: Prometheus metrics written by typed events, readiness, and the HTTP endpoint that
//! serves them (`/metrics`, `/healthz`, `/readyz`).
//!
//! # Events
//!
//! Each thing worth counting is one struct with an `emit()` that updates its metric (and writes
//! the log line where one is useful), so a stage says *what happened* and this module decides how
//! it is measured:
//!
//! ```
//! use wirefeed::telemetry::{self, DeadLettered, RecordConsumed, Stage};
//! use wirefeed::pipeline::RejectReason;
//!
//! let handle = telemetry::install();
//! RecordConsumed { stage: Stage::Parse, topic: "wirefeed.raw" }.emit();
//! DeadLettered {
//!     stage: Stage::Parse,
//!     reason: RejectReason::Empty,
//!     partition: 0,
//!     offset: 41,
//!     detail: "no content",
//! }
//! .emit();
//! assert!(handle.render().contains("wirefeed_dead_letters_total"));
//! ```
//!
//! Metric names follow the Prometheus conventions: a `wirefeed_` prefix, `_total` on counters,
//! `_seconds` on durations, base units. Labels are low-cardinality only (stage, topic, partition,
//! reason, kind, format, action, outcome) — never a headline, key or id. The full list is in
//! [`names`] and `docs/operations.md`.
//!
//! # Recorder
//!
//! [`install`] installs the process-wide recorder once and returns a [`PrometheusHandle`] that
//! renders the text format; events emitted before it (or with metrics off) cost a no-op call.
//!
//! # HTTP
//!
//! [`serve`] binds `metrics.listen` (port 0 picks a free port, reported by
//! [`MetricsServer::local_addr`]) and answers until its shutdown future completes. `/readyz` asks
//! a shared [`Readiness`], which the stages update as partitions are assigned, restored and
//! revoked and as the broker answers.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use metrics::{
    Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use rdkafka::statistics::Statistics;

use crate::kafka::restore::RestoreReport;
use crate::model::SourceFormat;
use crate::pipeline::RejectReason;

/// Metric names.
pub mod names {
    /// Counter `{stage, topic}`: records consumed by a stage from its input topic.
    pub const RECORDS_CONSUMED: &str = "wirefeed_records_consumed_total";
    /// Counter `{format}`: items parsed into articles, by input format.
    pub const ITEMS_PARSED: &str = "wirefeed_items_parsed_total";
    /// Histogram: wall time to parse one raw record (detection, parsing, enrichment, encoding).
    pub const PARSE_DURATION: &str = "wirefeed_parse_duration_seconds";
    /// Counter `{kind}`: articles written to the articles topic (`kind` = `new` or `update`).
    pub const ARTICLES_PRODUCED: &str = "wirefeed_articles_produced_total";
    /// Counter: copies dropped as duplicates.
    pub const DUPLICATES: &str = "wirefeed_duplicates_total";
    /// Counter `{action}`: near-duplicates found (`action` = `annotated` or `dropped`).
    pub const NEAR_DUPLICATES: &str = "wirefeed_near_duplicates_total";
    /// Counter `{stage, reason}`: records sent to the dead-letter topic.
    pub const DEAD_LETTERS: &str = "wirefeed_dead_letters_total";
    /// Histogram: item publication (version) time → article produced.
    pub const PUBLICATION_TO_ARTICLE: &str = "wirefeed_publication_to_article_seconds";
    /// Histogram: raw record timestamp → article produced.
    pub const RECORD_TO_ARTICLE: &str = "wirefeed_record_to_article_seconds";
    /// Gauge `{stage, partition}`: committed consumer lag in records, from librdkafka statistics.
    pub const CONSUMER_LAG: &str = "wirefeed_consumer_lag_records";
    /// Gauge `{partition}`: duration of the partition's last dedup state restore.
    pub const RESTORE_DURATION: &str = "wirefeed_restore_duration_seconds";
    /// Gauge `{partition}`: stories in the partition's state after its last restore.
    pub const RESTORE_ENTRIES: &str = "wirefeed_restore_entries";
    /// Counter `{partition}`: article records read by restores.
    pub const RESTORE_RECORDS: &str = "wirefeed_restore_records_total";
    /// Counter `{outcome}`: restores finished (`outcome` = `complete` or `incomplete`).
    pub const RESTORES: &str = "wirefeed_restores_total";
    /// Gauge: raw records consumed by the parse stage and not yet produced (parsing or queued).
    pub const PARSE_PENDING: &str = "wirefeed_parse_pending_records";
    /// Gauge `{stage}`: outputs handed to the producer and not yet acknowledged by the broker.
    pub const IN_FLIGHT_OUTPUTS: &str = "wirefeed_in_flight_outputs";
    /// Gauge `{stage}`: partitions assigned to the stage in this instance.
    pub const PARTITIONS_ASSIGNED: &str = "wirefeed_partitions_assigned";
    /// Gauge `{version}`: always 1; carries the build version.
    pub const BUILD_INFO: &str = "wirefeed_build_info";
    /// Counter: items whose last-update time lay far after their record's timestamp (clamped).
    pub const FUTURE_UPDATES_CLAMPED: &str = "wirefeed_future_updates_clamped_total";

    /// Every metric name above.
    pub const ALL: &[&str] = &[
        RECORDS_CONSUMED,
        ITEMS_PARSED,
        PARSE_DURATION,
        ARTICLES_PRODUCED,
        DUPLICATES,
        NEAR_DUPLICATES,
        DEAD_LETTERS,
        PUBLICATION_TO_ARTICLE,
        RECORD_TO_ARTICLE,
        CONSUMER_LAG,
        RESTORE_DURATION,
        RESTORE_ENTRIES,
        RESTORE_RECORDS,
        RESTORES,
        PARSE_PENDING,
        IN_FLIGHT_OUTPUTS,
        PARTITIONS_ASSIGNED,
        BUILD_INFO,
        FUTURE_UPDATES_CLAMPED,
    ];
}

/// Upper bounds of the parse-time buckets (seconds): 100 µs to 5 s.
const PARSE_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Upper bounds of the record → article buckets (seconds): 5 ms to an hour (a stalled broker).
const RECORD_LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0,
];

/// Upper bounds of the publication → article buckets (seconds): 1 s to a week (replays).
const PUBLICATION_LATENCY_BUCKETS: &[f64] = &[
    1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 21600.0, 86400.0,
    172800.0, 604800.0,
];

/// librdkafka `statistics.interval.ms` for stage consumers when metrics are on: how often
/// [`ConsumerStatistics`] can refresh the lag gauges and the broker contact time.
pub const STATISTICS_INTERVAL_MS: &str = "5000";

/// How long after the last broker contact `/readyz` still reports the broker reachable.
pub const DEFAULT_BROKER_TIMEOUT: Duration = Duration::from_secs(30);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the Prometheus recorder as the process-wide `metrics` recorder (once; later calls
/// return the same handle) and returns the handle that renders `/metrics`.
///
/// When another recorder was installed first (a test harness), the handle still renders, but only
/// this module's own registration (`wirefeed_build_info`) reaches it; a warning says so.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = builder().build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!(
                    "Another metrics recorder is already installed; /metrics will not show wirefeed's metrics"
                );
            }
            describe();
            gauge!(names::BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            handle
        })
        .clone()
}

/// The recorder configuration: histogram buckets per metric.
fn builder() -> PrometheusBuilder {
    let with_buckets = || -> Result<PrometheusBuilder, metrics_exporter_prometheus::BuildError> {
        PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(names::PARSE_DURATION.into()), PARSE_BUCKETS)?
            .set_buckets_for_metric(
                Matcher::Full(names::RECORD_TO_ARTICLE.into()),
                RECORD_LATENCY_BUCKETS,
            )?
            .set_buckets_for_metric(
                Matcher::Full(names::PUBLICATION_TO_ARTICLE.into()),
                PUBLICATION_LATENCY_BUCKETS,
            )
    };
    // Fails only on empty bucket lists, which the constants are not; summaries are the fallback.
    with_buckets().unwrap_or_else(|_| PrometheusBuilder::new())
}

/// Registers HELP text and units.
fn describe() {
    use names::*;
    describe_counter!(
        RECORDS_CONSUMED,
        Unit::Count,
        "Records consumed by a stage from its input topic."
    );
    describe_counter!(
        ITEMS_PARSED,
        Unit::Count,
        "Items parsed into articles, by input format."
    );
    describe_histogram!(
        PARSE_DURATION,
        Unit::Seconds,
        "Time to parse one raw record (detection, parsing, enrichment, encoding)."
    );
    describe_counter!(
        ARTICLES_PRODUCED,
        Unit::Count,
        "Articles written to the articles topic: kind=new or update."
    );
    describe_counter!(DUPLICATES, Unit::Count, "Copies dropped as duplicates.");
    describe_counter!(
        FUTURE_UPDATES_CLAMPED,
        Unit::Count,
        "Items whose last-update time lay over an hour after their record's timestamp, clamped to it."
    );
    describe_counter!(
        NEAR_DUPLICATES,
        Unit::Count,
        "Near-duplicates found (same body, reworked headline): action=annotated or dropped."
    );
    describe_counter!(
        DEAD_LETTERS,
        Unit::Count,
        "Records sent to the dead-letter topic, by stage and reason."
    );
    describe_histogram!(
        PUBLICATION_TO_ARTICLE,
        Unit::Seconds,
        "Item publication (version) time to article produced."
    );
    describe_histogram!(
        RECORD_TO_ARTICLE,
        Unit::Seconds,
        "Raw record timestamp to article produced."
    );
    describe_gauge!(
        CONSUMER_LAG,
        Unit::Count,
        "Committed consumer lag in records, per stage and partition (librdkafka statistics)."
    );
    describe_gauge!(
        RESTORE_DURATION,
        Unit::Seconds,
        "Duration of the partition's last dedup state restore."
    );
    describe_gauge!(
        RESTORE_ENTRIES,
        Unit::Count,
        "Stories in the partition's dedup state after its last restore."
    );
    describe_counter!(
        RESTORE_RECORDS,
        Unit::Count,
        "Article records read by dedup state restores."
    );
    describe_counter!(
        RESTORES,
        Unit::Count,
        "Dedup state restores: outcome=complete or incomplete (timed out)."
    );
    describe_gauge!(
        PARSE_PENDING,
        Unit::Count,
        "Raw records consumed by the parse stage and not yet produced."
    );
    describe_gauge!(
        IN_FLIGHT_OUTPUTS,
        Unit::Count,
        "Outputs handed to the producer and not yet acknowledged, per stage."
    );
    describe_gauge!(
        PARTITIONS_ASSIGNED,
        Unit::Count,
        "Partitions assigned to the stage in this instance."
    );
    describe_gauge!(BUILD_INFO, "Always 1; the version label names the build.");
}

/// The two stages, as metric labels and readiness entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// Raw topic → keyed topic.
    Parse,
    /// Keyed topic → articles topic.
    Dedup,
}

impl Stage {
    /// Both stages, in pipeline order.
    pub const ALL: [Stage; 2] = [Stage::Parse, Stage::Dedup];

    /// The label value: `parse` or `dedup`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Parse => "parse",
            Stage::Dedup => "dedup",
        }
    }

    /// The stage named `parse` or `dedup` (as in `StageContext::stage`).
    pub fn from_name(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.as_str() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
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
    /// Counts the record.
    pub fn emit(&self) {
        counter!(
            names::RECORDS_CONSUMED,
            "stage" => self.stage.as_str(),
            "topic" => self.topic.to_owned()
        )
        .increment(1);
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
        histogram!(names::PARSE_DURATION).record(self.elapsed.as_secs_f64());
        if let Some(format) = self.format
            && self.items > 0
        {
            counter!(names::ITEMS_PARSED, "format" => format.as_str()).increment(self.items);
        }
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
    /// Counts the article and observes both end-to-end latencies (now minus each time; a time in
    /// the future, from clock skew or a future-dated item, is not observed).
    pub fn emit(&self) {
        self.emit_at(Utc::now());
    }

    /// [`ArticleProduced::emit`] with an explicit "now".
    pub fn emit_at(&self, now: DateTime<Utc>) {
        counter!(names::ARTICLES_PRODUCED, "kind" => self.kind.as_str()).increment(1);
        if let Some(s) = seconds_since(self.published, now) {
            histogram!(names::PUBLICATION_TO_ARTICLE).record(s);
        }
        if let Some(s) = self.record_time.and_then(|t| seconds_since(t, now)) {
            histogram!(names::RECORD_TO_ARTICLE).record(s);
        }
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
    /// Counts the duplicate.
    pub fn emit(&self) {
        counter!(names::DUPLICATES).increment(1);
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
    /// Counts the near-duplicate by action.
    pub fn emit(&self) {
        let action = if self.dropped { "dropped" } else { "annotated" };
        counter!(names::NEAR_DUPLICATES, "action" => action).increment(1);
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
    /// Counts the dead letter by stage and reason and logs it at debug level.
    pub fn emit(&self) {
        tracing::debug!(
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

/// Consumer lag of one partition of a stage's input topic.
#[derive(Debug, Clone, Copy)]
pub struct ConsumerLag {
    /// The consuming stage.
    pub stage: Stage,
    /// Partition of the stage's input topic.
    pub partition: i32,
    /// Records between the committed offset and the high watermark (0 when this instance does
    /// not own the partition, so sums over instances stay right).
    pub lag: i64,
}

impl ConsumerLag {
    /// Sets the lag gauge.
    pub fn emit(&self) {
        gauge!(
            names::CONSUMER_LAG,
            "stage" => self.stage.as_str(),
            "partition" => self.partition.to_string()
        )
        .set(self.lag as f64);
    }
}

/// Consumer lag per partition of `topic` from librdkafka statistics: for each real partition
/// (not librdkafka's internal `-1`), the committed lag (`consumer_lag`, high watermark minus
/// committed offset, as `kafka-consumer-groups --describe` shows it) when this client owns the
/// partition and the lag is known, else 0. Sorted by partition.
pub fn consumer_lags(stats: &Statistics, topic: &str) -> Vec<(i32, i64)> {
    let Some(t) = stats.topics.get(topic) else {
        return Vec::new();
    };
    let mut lags: Vec<(i32, i64)> = t
        .partitions
        .values()
        .filter(|p| p.partition >= 0)
        .map(|p| {
            let owned = p.desired && p.consumer_lag >= 0;
            (p.partition, if owned { p.consumer_lag } else { 0 })
        })
        .collect();
    lags.sort_unstable();
    lags
}

/// True when librdkafka statistics show at least one broker connection up: the broker answered
/// recently (feed to [`Readiness::broker_contact`]).
pub fn broker_reachable(stats: &Statistics) -> bool {
    stats.brokers.values().any(|b| b.state == "UP")
}

/// librdkafka statistics of a stage consumer arrived (from `ClientContext::stats`).
#[derive(Debug, Clone, Copy)]
pub struct ConsumerStatistics<'a> {
    /// The consuming stage.
    pub stage: Stage,
    /// The stage's input topic.
    pub topic: &'a str,
    /// The decoded statistics.
    pub statistics: &'a Statistics,
}

impl ConsumerStatistics<'_> {
    /// Sets the lag gauge of every partition of the topic ([`consumer_lags`]).
    pub fn emit(&self) {
        for (partition, lag) in consumer_lags(self.statistics, self.topic) {
            ConsumerLag {
                stage: self.stage,
                partition,
                lag,
            }
            .emit();
        }
    }
}

/// The dedup stage finished rebuilding a partition's state from the articles topic.
#[derive(Debug, Clone, Copy)]
pub struct RestoreFinished<'a> {
    /// What the restore did.
    pub report: &'a RestoreReport,
}

impl RestoreFinished<'_> {
    /// Sets the partition's restore gauges, counts the restore and logs it (info when complete,
    /// error when it stopped at the timeout).
    pub fn emit(&self) {
        let r = self.report;
        let partition = r.partition.to_string();
        gauge!(names::RESTORE_DURATION, "partition" => partition.clone())
            .set(r.elapsed.as_secs_f64());
        gauge!(names::RESTORE_ENTRIES, "partition" => partition.clone()).set(r.entries as f64);
        counter!(names::RESTORE_RECORDS, "partition" => partition).increment(r.records);
        let outcome = if r.complete { "complete" } else { "incomplete" };
        counter!(names::RESTORES, "outcome" => outcome).increment(1);
        if r.complete {
            tracing::info!(
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
            tracing::error!(
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
}

impl ParsePending {
    /// Sets the gauge.
    pub fn emit(&self) {
        gauge!(names::PARSE_PENDING).set(self.records as f64);
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

/// One stage's readiness.
#[derive(Debug, Clone, Copy, Default)]
struct StageState {
    /// Partitions owned, once the first assignment arrived.
    assigned: Option<usize>,
    /// A restore is running.
    restoring: bool,
    /// The stage stopped (shutdown or failure).
    stopped: bool,
}

impl StageState {
    fn ready(&self) -> bool {
        self.assigned.is_some() && !self.restoring && !self.stopped
    }

    fn describe(&self) -> String {
        if self.stopped {
            return "stopped".into();
        }
        let count = |n: usize| format!("{n} partition{}", if n == 1 { "" } else { "s" });
        match (self.restoring, self.assigned) {
            (true, Some(n)) => format!("restoring ({} assigned)", count(n)),
            (true, None) => "restoring".into(),
            (false, Some(n)) => format!("assigned {}", count(n)),
            (false, None) => "waiting for partition assignment".into(),
        }
    }
}

#[derive(Debug, Default)]
struct ReadinessState {
    stages: [StageState; 2],
    broker_contact: Option<Instant>,
}

/// Whether this instance is ready for traffic, as `/readyz` reports it: both stages have their
/// partitions assigned (a stage with zero partitions in a group larger than its topic counts) and
/// restored, and the broker answered within the broker timeout.
///
/// Shared as `Arc<Readiness>`; every setter is cheap and thread-safe, so rebalance callbacks and
/// statistics callbacks can call it directly.
#[derive(Debug)]
pub struct Readiness {
    state: Mutex<ReadinessState>,
    broker_timeout: Duration,
}

impl Default for Readiness {
    fn default() -> Self {
        Readiness::new(DEFAULT_BROKER_TIMEOUT)
    }
}

/// A readiness verdict with its explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadinessReport {
    /// True when every condition holds.
    pub ready: bool,
    /// One line per condition: `parse: assigned 3 partitions`, `dedup: restoring`,
    /// `broker: reachable (last contact 1s ago)`.
    pub text: String,
}

impl Readiness {
    /// Nothing assigned, broker not contacted yet; the broker counts as reachable for
    /// `broker_timeout` after each [`Readiness::broker_contact`].
    pub fn new(broker_timeout: Duration) -> Readiness {
        Readiness {
            state: Mutex::new(ReadinessState::default()),
            broker_timeout,
        }
    }

    fn lock(&self) -> MutexGuard<'_, ReadinessState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The stage now owns `partitions` partitions (after an assignment or a revocation; 0 is a
    /// valid, ready assignment). Also sets the `wirefeed_partitions_assigned` gauge.
    pub fn stage_assigned(&self, stage: Stage, partitions: usize) {
        self.lock().stages[stage.index()].assigned = Some(partitions);
        gauge!(names::PARTITIONS_ASSIGNED, "stage" => stage.as_str()).set(partitions as f64);
    }

    /// The stage is rebuilding state for newly assigned partitions: not ready until
    /// [`Readiness::stage_ready`].
    pub fn stage_restoring(&self, stage: Stage) {
        self.lock().stages[stage.index()].restoring = true;
    }

    /// The stage's restore finished; it is ready once it has an assignment.
    pub fn stage_ready(&self, stage: Stage) {
        self.lock().stages[stage.index()].restoring = false;
    }

    /// The stage stopped (draining for shutdown, or failed): not ready any more.
    pub fn stage_stopped(&self, stage: Stage) {
        self.lock().stages[stage.index()].stopped = true;
    }

    /// The broker answered (a statistics report with a connection up, a fetched record, a
    /// successful commit).
    pub fn broker_contact(&self) {
        self.lock().broker_contact = Some(Instant::now());
    }

    /// The verdict now.
    pub fn report(&self) -> ReadinessReport {
        self.report_at(Instant::now())
    }

    /// The verdict at `now`.
    pub fn report_at(&self, now: Instant) -> ReadinessReport {
        let state = self.lock();
        let mut ready = true;
        let mut text = String::new();
        for stage in Stage::ALL {
            let s = state.stages[stage.index()];
            ready &= s.ready();
            text.push_str(&format!("{}: {}\n", stage.as_str(), s.describe()));
        }
        match state.broker_contact {
            Some(at) => {
                let ago = now.saturating_duration_since(at);
                let reachable = ago <= self.broker_timeout;
                ready &= reachable;
                text.push_str(&format!(
                    "broker: {} (last contact {}s ago{})\n",
                    if reachable {
                        "reachable"
                    } else {
                        "unreachable"
                    },
                    ago.as_secs(),
                    if reachable {
                        String::new()
                    } else {
                        format!(", limit {}s", self.broker_timeout.as_secs())
                    }
                ));
            }
            None => {
                ready = false;
                text.push_str("broker: not contacted yet\n");
            }
        }
        ReadinessReport { ready, text }
    }
}

/// The running HTTP endpoint.
#[derive(Debug)]
pub struct MetricsServer {
    local_addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl MetricsServer {
    /// The address actually bound (the real port when `metrics.listen` asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Waits until the server has stopped accepting (after its shutdown future completed).
    pub async fn stopped(self) {
        if let Err(e) = self.task.await {
            tracing::warn!(cause = %e, "The metrics endpoint task ended abnormally");
        }
    }
}

/// What the request handler needs.
struct Endpoint {
    readiness: Arc<Readiness>,
    handle: PrometheusHandle,
}

/// Binds `listen` and serves `/metrics`, `/healthz` and `/readyz` on the current tokio runtime
/// until `shutdown` completes. Also runs the recorder's upkeep every 5 s, so histogram samples do
/// not pile up when nobody scrapes.
///
/// # Errors
/// Fails when the address cannot be bound (in use, not local, no permission).
pub async fn serve<F>(
    listen: SocketAddr,
    readiness: Arc<Readiness>,
    handle: PrometheusHandle,
    shutdown: F,
) -> anyhow::Result<MetricsServer>
where
    F: Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding the metrics endpoint to {listen} (metrics.listen)"))?;
    let local_addr = listener
        .local_addr()
        .context("reading the metrics endpoint's address")?;
    tracing::info!(address = %local_addr, "Metrics endpoint listening");
    let endpoint = Arc::new(Endpoint { readiness, handle });
    let task = tokio::spawn(accept_loop(listener, endpoint, shutdown));
    Ok(MetricsServer { local_addr, task })
}

async fn accept_loop<F>(listener: tokio::net::TcpListener, endpoint: Arc<Endpoint>, shutdown: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let mut upkeep = tokio::time::interval(Duration::from_secs(5));
    upkeep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = upkeep.tick() => endpoint.handle.run_upkeep(),
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let endpoint = endpoint.clone();
                    tokio::spawn(async move {
                        let service = service_fn(move |req| {
                            let endpoint = endpoint.clone();
                            async move { Ok::<_, Infallible>(respond(&req, &endpoint)) }
                        });
                        let conn = http1::Builder::new()
                            .keep_alive(false)
                            .serve_connection(TokioIo::new(stream), service);
                        // A client that stalls mid-request is cut off.
                        match tokio::time::timeout(Duration::from_secs(30), conn).await {
                            Ok(Ok(())) | Err(_) => {}
                            Ok(Err(e)) => tracing::debug!(cause = %e, "Metrics endpoint connection error"),
                        }
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(cause = %e, "Metrics endpoint cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
    tracing::info!("Metrics endpoint stopped");
}

/// Answers one request.
fn respond(req: &Request<Incoming>, endpoint: &Endpoint) -> Response<Full<Bytes>> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n".into());
    }
    let mut response = match req.uri().path() {
        "/metrics" => {
            let mut r = text(StatusCode::OK, endpoint.handle.render());
            r.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            r
        }
        "/healthz" => text(StatusCode::OK, "ok\n".into()),
        "/readyz" => {
            let report = endpoint.readiness.report();
            let status = if report.ready {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            text(status, report.text)
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "not found; try /metrics, /healthz or /readyz\n".into(),
        ),
    };
    if req.method() == Method::HEAD {
        *response.body_mut() = Full::new(Bytes::new());
    }
    response
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use rdkafka::statistics::{Broker, Partition, Topic};

    use super::*;

    fn partition(partition: i32, desired: bool, consumer_lag: i64) -> (i32, Partition) {
        (
            partition,
            Partition {
                partition,
                desired,
                consumer_lag,
                ..Partition::default()
            },
        )
    }

    #[test]
    fn lag_per_owned_partition_and_zero_elsewhere() {
        let mut stats = Statistics::default();
        stats.topics.insert(
            "raw".into(),
            Topic {
                topic: "raw".into(),
                partitions: HashMap::from([
                    partition(2, true, 7),
                    partition(0, true, 0),
                    partition(1, false, -1),
                    partition(3, true, -1),
                    partition(-1, false, 0),
                ]),
                ..Topic::default()
            },
        );
        assert_eq!(
            consumer_lags(&stats, "raw"),
            vec![(0, 0), (1, 0), (2, 7), (3, 0)]
        );
        assert!(consumer_lags(&stats, "other").is_empty());
    }

    #[test]
    fn broker_reachable_when_a_connection_is_up() {
        let mut stats = Statistics::default();
        assert!(!broker_reachable(&stats));
        stats.brokers.insert(
            "b:9092/1".into(),
            Broker {
                state: "DOWN".into(),
                ..Broker::default()
            },
        );
        assert!(!broker_reachable(&stats));
        stats.brokers.insert(
            "b:9092/2".into(),
            Broker {
                state: "UP".into(),
                ..Broker::default()
            },
        );
        assert!(broker_reachable(&stats));
    }

    #[test]
    fn readiness_lines_and_verdict() {
        let r = Readiness::new(Duration::from_secs(10));
        let report = r.report();
        assert!(!report.ready);
        assert_eq!(
            report.text,
            "parse: waiting for partition assignment\ndedup: waiting for partition assignment\n\
             broker: not contacted yet\n"
        );
        r.stage_assigned(Stage::Parse, 3);
        r.stage_restoring(Stage::Dedup);
        r.broker_contact();
        let report = r.report();
        assert!(!report.ready);
        assert_eq!(
            report.text,
            "parse: assigned 3 partitions\ndedup: restoring\nbroker: reachable (last contact 0s ago)\n"
        );
        r.stage_assigned(Stage::Dedup, 1);
        assert!(!r.report().ready, "still restoring");
        r.stage_ready(Stage::Dedup);
        let report = r.report();
        assert!(report.ready, "{}", report.text);
        assert!(report.text.contains("dedup: assigned 1 partition\n"));
        let later = Instant::now() + Duration::from_secs(11);
        let report = r.report_at(later);
        assert!(!report.ready);
        assert!(
            report.text.contains("broker: unreachable (last contact 1"),
            "{}",
            report.text
        );
        r.stage_stopped(Stage::Parse);
        assert!(r.report().text.starts_with("parse: stopped\n"));
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

    #[test]
    fn stage_names_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::from_name(s.as_str()), Some(s));
        }
        assert_eq!(Stage::from_name("replay"), None);
    }
}
