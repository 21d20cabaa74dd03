//! Telemetry: Prometheus metrics written by typed events, readiness, and the HTTP endpoint that
//! serves them (`/metrics`, `/healthz`, `/readyz`).
//!
//! # Events
//!
//! Each thing worth counting is one struct with an `emit()` that updates its metric (and writes
//! the log line where one is useful), so a stage says *what happened* and this module decides how
//! it is measured. An event the summary line counts too takes the instance's [`Stats`] and
//! updates it as well, so a stage never keeps a second count beside the metric:
//!
//! ```
//! use wirefeed::telemetry::{self, DeadLettered, RecordConsumed, Stage, Stats};
//! use wirefeed::pipeline::RejectReason;
//!
//! let handle = telemetry::install();
//! let stats = Stats::default();
//! RecordConsumed { stage: Stage::Parse, topic: "wirefeed.raw" }.emit(&stats);
//! DeadLettered {
//!     stage: Stage::Parse,
//!     reason: RejectReason::Empty,
//!     partition: 0,
//!     offset: 41,
//!     detail: "no content",
//! }
//! .emit(&stats);
//! assert!(handle.render().contains("wirefeed_dead_letters_total"));
//! assert_eq!(Stats::get(&stats.dead_letters), 1);
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
//! # Layout
//!
//! - [`names`]: metric names and their HELP text.
//! - `events`: the typed events; `statistics`: lag gauges from librdkafka statistics.
//! - `stats`: [`Stats`], the per-instance counters of the summary line.
//! - `readiness`: [`Readiness`], what `/readyz` reports.
//! - `http`: [`serve`], the endpoint.
//!
//! # HTTP
//!
//! [`serve`] binds `metrics.listen` (port 0 picks a free port, reported by
//! [`MetricsServer::local_addr`]) and answers until its shutdown future completes. `/readyz` asks
//! a shared [`Readiness`], which the stages update as partitions are assigned, restored and
//! revoked and as the broker answers.

mod events;
mod http;
pub mod names;
mod readiness;
mod statistics;
mod stats;

use std::sync::OnceLock;

use metrics::gauge;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub use events::{
    AckedWithoutOffset, ArticleKind, ArticleProduced, DeadLettered, DuplicateDropped,
    FutureUpdatesClamped, InFlightOutputs, NearDuplicateFound, ParsePending, RecordConsumed,
    RecordParsed, RestoreFinished, seconds_since,
};
pub use http::{MetricsServer, serve};
pub use readiness::{DEFAULT_BROKER_TIMEOUT, Readiness, ReadinessReport};
pub use statistics::{
    ConsumerLag, ConsumerStatistics, STATISTICS_INTERVAL_MS, broker_reachable, consumer_lags,
};
pub use stats::Stats;

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

/// Target of every log line of this module and its files, as before they were split (log filters
/// and queries name `wirefeed::telemetry`).
const LOG_TARGET: &str = "wirefeed::telemetry";

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
            names::describe();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::from_name(s.as_str()), Some(s));
        }
        assert_eq!(Stage::from_name("replay"), None);
    }
}
