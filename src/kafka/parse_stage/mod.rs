//! The parse stage: raw topic → keyed topic, dead letters for what cannot be parsed.
//!
//! One thread owns the consumer and the producer. It hands each record to a pool of parser threads
//! (bounded queue, `workers.rs`) and keeps the records in consumption order; when the oldest
//! record's result is ready its outputs are produced, so outputs and stored offsets keep each
//! partition's order while the parsing itself runs in parallel. A record's offset is stored only
//! after all its outputs are acknowledged, and only contiguously ([`crate::offsets`]). What the
//! stage holds is bounded in records (`pipeline.max_in_flight`) and in bytes
//! (`pipeline.max_in_flight_bytes`, `ByteBudget`).
//!
//! Keyed records: key = dedup key (so every copy of a story lands on one partition), value = the
//! article in the keyed record's compact layout ([`super::keyed`]), partitioned with the Java
//! client's murmur2.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use rdkafka::consumer::Consumer;
use rdkafka::message::{BorrowedMessage, Header, Message, OwnedHeaders};

use crate::config::Config;
use crate::pipeline::{ParseOptions, RejectReason, Rejection};

use super::consumer::{self as stage_consumer, NoHooks, StageContext};
use super::dead_letter::dead_letter_headers;
use super::headers;
use super::range::{RangeSpec, RangeState, Verdict};
use super::sink::{OutRecord, Shared, Sink, SinkOptions};
use crate::telemetry::{self, Readiness, Stage, Stats};

mod workers;

use workers::{Job, Parsed, WorkerOptions, start_workers};

/// A record waiting for its parse result, in consumption order.
struct Pending {
    /// A record outside a replay's time range: completes with no output and is not counted.
    skip: bool,
    /// The raw record's timestamp, passed on for the end-to-end latency metric.
    record_time: Option<DateTime<Utc>>,
    partition: i32,
    offset: i64,
    epoch: u64,
    key: Option<Vec<u8>>,
    headers: Vec<(String, Vec<u8>)>,
    result: Receiver<Parsed>,
    /// What the record counts against the stage's [`ByteBudget`].
    bytes: usize,
}

/// The bytes the parse stage may hold: the raw records consumed and not yet produced (being
/// parsed, or parsed and waiting for their turn), with their keys and headers. Consumption pauses
/// once the budget is used up, so a burst of large records cannot hold `max_in_flight` of them;
/// one record is always admitted when none is held, so a record larger than the budget still
/// goes through (alone). The most held is the budget plus one record.
#[derive(Debug)]
struct ByteBudget {
    limit: usize,
    held: usize,
}

impl ByteBudget {
    fn new(limit: usize) -> Self {
        ByteBudget { limit, held: 0 }
    }

    /// Whether another record may be consumed now.
    fn admits(&self) -> bool {
        self.held == 0 || self.held < self.limit
    }

    /// Counts a consumed record.
    fn take(&mut self, bytes: usize) {
        self.held += bytes;
    }

    /// Releases a record that was produced (or dropped).
    fn give(&mut self, bytes: usize) {
        self.held = self.held.saturating_sub(bytes);
    }
}

/// What a consumed record costs the [`ByteBudget`]: its value, key and headers.
fn record_bytes(payload: usize, key: Option<&[u8]>, headers: &[(String, Vec<u8>)]) -> usize {
    payload
        + key.map_or(0, <[u8]>::len)
        + headers
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>()
}

/// The record's timestamp as UTC, when it has one.
pub fn record_time(msg: &BorrowedMessage<'_>) -> Option<DateTime<Utc>> {
    msg.timestamp()
        .to_millis()
        .filter(|&ms| ms >= 0)
        .and_then(DateTime::<Utc>::from_timestamp_millis)
}

/// Runs the parse stage until `shutdown` is set, then drains and commits.
///
/// # Errors
/// Fails on client creation errors (bad configuration); broker trouble is retried, not returned.
pub fn run(
    config: &Config,
    stats: &Stats,
    readiness: &Arc<Readiness>,
    shutdown: &AtomicBool,
) -> anyhow::Result<()> {
    run_with(config, stats, readiness, shutdown, Source::Group)
}

/// Where the parse stage takes its records from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The raw topic, through the stage's consumer group (normal operation).
    Group,
    /// A bounded range of the raw topic under its own group, for replays: the stage stops once
    /// every partition reached its end and every output is acknowledged.
    Range(RangeSpec),
}

/// Runs the parse stage on `source`. With [`Source::Range`] it returns once the range is done.
///
/// # Errors
/// Fails on client creation errors (bad configuration); broker trouble is retried, not returned.
pub fn run_with(
    config: &Config,
    stats: &Stats,
    readiness: &Arc<Readiness>,
    shutdown: &AtomicBool,
    source: Source,
) -> anyhow::Result<()> {
    let kafka = &config.kafka;
    let shared = Arc::new(Shared::default());
    let mut sink = Sink::new(
        kafka,
        shared.clone(),
        SinkOptions {
            stage: Stage::Parse,
            input_topic: kafka.topics.raw.clone(),
            dead_letter_topic: kafka.topics.dead_letter.clone(),
            max_bytes: super::max_message_bytes(kafka),
            max_in_flight_bytes: config.pipeline.max_in_flight_bytes,
        },
        shutdown,
        stats,
    )?;
    let context = StageContext {
        stage: Stage::Parse,
        readiness: readiness.clone(),
        topic: kafka.topics.raw.clone(),
        shared: shared.clone(),
        revoke_limit: kafka.revoke_drain_limit(),
        hooks: Box::new(NoHooks),
        lease: None,
    };
    let (consumer, range) = match &source {
        Source::Group => (
            stage_consumer::subscribe(kafka, &kafka.parse_group(), context)
                .context("creating the parse stage consumer")?,
            None,
        ),
        Source::Range(spec) => (
            stage_consumer::assign_range(kafka, spec, context)
                .context("creating the replay consumer")?,
            Some(RangeState::new(spec, &mut shared.tracker())),
        ),
    };
    let options = WorkerOptions {
        parse: ParseOptions::new(
            config.pipeline.max_item_bytes,
            &config.pipeline.drop_paragraphs,
        ),
        max_output: super::max_message_bytes(kafka),
        layout: config.pipeline.keyed_layout,
        replay: range.as_ref().map(|r| r.replay_id().to_owned()),
    };
    let (jobs, workers) = start_workers(config.pipeline.worker_count(), options)?;
    let mut stage = ParseLoop {
        config,
        stats,
        shared: &shared,
        jobs,
        pending: VecDeque::new(),
        budget: ByteBudget::new(config.pipeline.max_in_flight_bytes),
        range,
    };
    tracing::info!(
        topic = %kafka.topics.raw,
        workers = config.pipeline.worker_count(),
        replay = matches!(source, Source::Range(_)),
        "Parse stage started"
    );
    let mut gauges_at = std::time::Instant::now();
    while !shutdown.load(Ordering::Relaxed) {
        sink.resend_failed();
        stage.emit_ready(&sink, Duration::ZERO);
        if gauges_at.elapsed() >= Duration::from_secs(1) {
            gauges_at = std::time::Instant::now();
            stage.pending_gauge();
            telemetry::InFlightOutputs {
                stage: Stage::Parse,
                outputs: shared.tracker().total_in_flight(),
            }
            .emit();
        }
        stage_consumer::store_committable(&consumer, &shared, &kafka.topics.raw);
        if stage.range_done() {
            break;
        }
        let limit = config.pipeline.max_in_flight;
        if stage.pending.len() >= limit || !stage.budget.admits() {
            // Backpressure (records or bytes): wait for the oldest result.
            stage.emit_ready(&sink, Duration::from_millis(5));
            continue;
        }
        if shared.tracker().pending_records() >= limit {
            // Backpressure: wait for acknowledgements (blocking, not spinning).
            shared.wait_below(limit, Duration::from_millis(10));
            continue;
        }
        let timeout = if stage.pending.is_empty() {
            Duration::from_millis(100)
        } else {
            Duration::ZERO
        };
        match consumer.poll(timeout) {
            Some(m) => stage.accept(m),
            None => {
                stage.emit_ready(&sink, Duration::from_millis(1));
                if let Some(range) = &mut stage.range {
                    range.observe_positions(&consumer, &kafka.topics.raw);
                }
            }
        }
    }
    // Shutdown: finish what was consumed, wait for acknowledgements, commit.
    tracing::info!(pending = stage.pending.len(), "Parse stage draining");
    while !stage.pending.is_empty() {
        stage.emit_ready(&sink, Duration::from_millis(50));
    }
    stage_consumer::drain_and_commit(&consumer, &mut sink, &shared, config.pipeline.drain_timeout);
    drop(stage);
    for w in workers {
        if w.join().is_err() {
            tracing::error!("A parser thread panicked");
        }
    }
    if matches!(source, Source::Group) {
        consumer.unsubscribe();
    }
    tracing::info!("Parse stage stopped");
    Ok(())
}

/// The parse stage's loop state.
struct ParseLoop<'a> {
    config: &'a Config,
    stats: &'a Stats,
    shared: &'a Shared,
    jobs: Sender<Job>,
    pending: VecDeque<Pending>,
    /// Bytes of the records in `pending`.
    budget: ByteBudget,
    range: Option<RangeState>,
}

impl ParseLoop<'_> {
    /// Hands a consumed record to the parser threads.
    fn accept(&mut self, msg: rdkafka::error::KafkaResult<BorrowedMessage<'_>>) {
        let msg = match msg {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(stage = "parse", cause = %e, "Consumer error");
                return;
            }
        };
        let partition = msg.partition();
        let Some(epoch) = self.shared.tracker().epoch(partition) else {
            tracing::warn!(partition, "Record of an unassigned partition ignored");
            return;
        };
        if let Some(range) = &mut self.range {
            let verdict = range.consumed(partition, msg.offset(), msg.timestamp().to_millis());
            if verdict == Verdict::PastEnd {
                return;
            }
            if verdict == Verdict::Skip {
                // Outside the requested time range: done in its turn, with no output.
                let (reply, result) = crossbeam_channel::bounded(1);
                reply
                    .send(Parsed {
                        payload: Vec::new(),
                        outcome: Err(Rejection::new(
                            RejectReason::NotNews,
                            "outside the replay range",
                        )),
                    })
                    .ok();
                self.pending.push_back(Pending {
                    partition,
                    offset: msg.offset(),
                    epoch,
                    key: None,
                    headers: Vec::new(),
                    result,
                    skip: true,
                    record_time: None,
                    bytes: 0,
                });
                return;
            }
        }
        telemetry::RecordConsumed {
            stage: Stage::Parse,
            topic: &self.config.kafka.topics.raw,
        }
        .emit(self.stats);
        let headers = super::record_headers::copy(msg.headers());
        let hint = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&self.config.pipeline.format_header))
            .and_then(|(_, v)| std::str::from_utf8(v).ok())
            .map(str::to_owned);
        let (reply, result) = crossbeam_channel::bounded(1);
        let record_time = record_time(&msg);
        let job = Job {
            payload: msg.payload().map(<[u8]>::to_vec).unwrap_or_default(),
            hint,
            record_time,
            partition,
            offset: msg.offset(),
            reply,
        };
        let bytes = record_bytes(job.payload.len(), msg.key(), &headers);
        self.budget.take(bytes);
        self.pending.push_back(Pending {
            partition,
            offset: msg.offset(),
            epoch,
            key: msg.key().map(<[u8]>::to_vec),
            headers,
            result,
            skip: false,
            record_time,
            bytes,
        });
        if !self.budget.admits() {
            // Consumption pauses now, with the most this stage holds: the gauge shows that
            // high-water mark, not only the once-a-second sample.
            self.pending_gauge();
        }
        // Workers live as long as the loop; a closed queue means they panicked.
        if self.jobs.send(job).is_err() {
            tracing::error!("Parser threads are gone");
        }
    }

    /// Sets the pending records and bytes gauges.
    fn pending_gauge(&self) {
        telemetry::ParsePending {
            records: self.pending.len(),
            bytes: self.budget.held,
        }
        .emit();
    }

    /// True once a range run consumed its whole range and every output is acknowledged.
    fn range_done(&self) -> bool {
        let Some(range) = &self.range else {
            return false;
        };
        self.pending.is_empty()
            && self.shared.tracker().pending_records() == 0
            && range.reached_ends()
    }

    /// Produces the outputs of the oldest records whose results are ready, waiting up to `wait`
    /// for the oldest one.
    fn emit_ready(&mut self, sink: &Sink<'_>, wait: Duration) {
        let mut wait = wait;
        while let Some(front) = self.pending.front() {
            let parsed = match front.result.try_recv() {
                Ok(p) => p,
                Err(TryRecvError::Empty) if !wait.is_zero() => {
                    match front.result.recv_timeout(wait) {
                        Ok(p) => p,
                        Err(RecvTimeoutError::Timeout) => return,
                        Err(RecvTimeoutError::Disconnected) => Parsed {
                            payload: Vec::new(),
                            outcome: Err(Rejection::new(
                                RejectReason::Malformed,
                                "parser thread failed",
                            )),
                        },
                    }
                }
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => Parsed {
                    payload: Vec::new(),
                    outcome: Err(Rejection::new(
                        RejectReason::Malformed,
                        "parser thread failed",
                    )),
                },
            };
            wait = Duration::ZERO;
            let Some(rec) = self.pending.pop_front() else {
                return;
            };
            self.budget.give(rec.bytes);
            self.emit(sink, rec, parsed);
        }
    }

    /// The origin headers keyed records of the older layouts carry (`pipeline.keyed_layout`
    /// `compact-v1` or `json`): the raw record, its timestamp and the replay.
    fn origin_headers(&self, rec: &Pending) -> OwnedHeaders {
        let source = format!("{}:{}", rec.partition, rec.offset);
        let mut hdrs = OwnedHeaders::new_with_capacity(3).insert(Header {
            key: headers::SOURCE,
            value: Some(source.as_str()),
        });
        if let Some(ms) = rec.record_time.map(|t| t.timestamp_millis().to_string()) {
            hdrs = hdrs.insert(Header {
                key: headers::RECORD_TIME,
                value: Some(ms.as_str()),
            });
        }
        if let Some(r) = &self.range {
            hdrs = hdrs.insert(Header {
                key: headers::REPLAY,
                value: Some(r.replay_id()),
            });
        }
        hdrs
    }

    fn emit(&mut self, sink: &Sink<'_>, rec: Pending, parsed: Parsed) {
        if rec.skip {
            if self
                .shared
                .tracker()
                .begin(rec.partition, rec.epoch, rec.offset, 0)
                .is_some()
            {
                Stats::add(&self.stats.skipped, 1);
            }
            return;
        }
        let topics = &self.config.kafka.topics;
        let outputs = match &parsed.outcome {
            Ok(out) => out.keyed.len() as u32 + u32::from(out.partial.is_some()),
            Err(_) => 1,
        };
        let Some(token) = self.shared.tracker().begin(
            rec.partition,
            rec.epoch,
            rec.offset,
            crate::faults::get().tracked_outputs(outputs),
        ) else {
            // Revoked since it was consumed: the new owner reads it again.
            return;
        };
        Stats::add(&self.stats.records, 1);
        let dead_letter = match parsed.outcome {
            Ok(out) => {
                Stats::add(&self.stats.parsed, out.keyed.len() as u64);
                let origin_headers = self
                    .config
                    .pipeline
                    .keyed_layout
                    .origin_in_headers()
                    .then(|| self.origin_headers(&rec));
                for k in &out.keyed {
                    let headers = origin_headers.clone();
                    sink.send(
                        OutRecord {
                            topic: &topics.keyed,
                            partition: None,
                            key: Some(k.key.as_bytes()),
                            payload: &k.value,
                            headers,
                        },
                        Some(token),
                    );
                }
                out.partial
            }
            Err(rejection) => Some((rejection, 0)),
        };
        let Some((rejection, rejected_items)) = dead_letter else {
            return;
        };
        telemetry::DeadLettered {
            stage: Stage::Parse,
            reason: rejection.reason,
            partition: rec.partition,
            offset: rec.offset,
            detail: &rejection.detail,
        }
        .emit(self.stats);
        let mut headers = dead_letter_headers(
            &rec.headers,
            &rejection,
            "parse",
            &topics.raw,
            rec.partition,
            rec.offset,
        );
        if rejected_items > 0 {
            // The record's other items became articles; this dead letter accounts for the rest.
            let count = rejected_items.to_string();
            headers = headers.insert(Header {
                key: headers::REJECTED_ITEMS,
                value: Some(count.as_str()),
            });
        }
        sink.send(
            OutRecord {
                topic: &topics.dead_letter,
                partition: None,
                key: rec.key.as_deref(),
                payload: &parsed.payload,
                headers: Some(headers),
            },
            Some(token),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A burst of 4 MiB records against a 64 MiB budget: consumption stops after 16, and the
    /// most ever held is the budget plus one record, not `max_in_flight` records.
    #[test]
    fn a_burst_of_large_records_stays_within_the_byte_budget() {
        const MIB: usize = 1 << 20;
        let mut budget = ByteBudget::new(64 * MIB);
        let mut held = VecDeque::new();
        let mut peak = 0;
        for round in 0..10_000 {
            // Consume while admitted (at most 2048 records, the record bound)...
            while budget.admits() && held.len() < 2048 {
                let bytes = record_bytes(4 * MIB, Some(b"key"), &[("h".into(), vec![0; 10])]);
                budget.take(bytes);
                held.push_back(bytes);
                peak = peak.max(budget.held);
            }
            // ...then produce the oldest one or two.
            for _ in 0..=(round % 2) {
                if let Some(bytes) = held.pop_front() {
                    budget.give(bytes);
                }
            }
        }
        assert!(peak <= 64 * MIB + 4 * MIB + 64, "peak {peak}");
        assert!(held.len() <= 17, "{} records held", held.len());
    }

    /// A record larger than the whole budget still goes through, alone.
    #[test]
    fn a_record_larger_than_the_budget_goes_through_alone() {
        let mut budget = ByteBudget::new(1 << 20);
        assert!(budget.admits());
        budget.take(8 << 20);
        assert!(!budget.admits());
        budget.give(8 << 20);
        assert!(budget.admits());
        assert_eq!(budget.held, 0);
    }
}
