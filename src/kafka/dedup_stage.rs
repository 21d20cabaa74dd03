//! The dedup stage: keyed topic → articles topic.
//!
//! Keyed partition *p* holds every copy of the stories whose dedup key hashes to *p*; the stage
//! keeps one [`DedupState`] per assigned partition, decides new / update / duplicate for each
//! article in partition order, and writes new articles and updates to partition *p* of the
//! articles topic as ninjs, key = article id. Each article record carries the state it implies in
//! headers ([`super::headers`]), so the articles topic is the state's log: on assignment the
//! partition's state is rebuilt from it ([`super::restore`]) before any of its records is
//! processed, and on revocation in-flight deliveries are drained first.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Context as _;
use chrono::SecondsFormat;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{BorrowedMessage, Header, Message, OwnedHeaders};

use crate::config::{Config, DedupConfig, KafkaConfig};
use crate::model::Article;
use crate::ninjs::{self, RenderOptions};
use crate::pipeline::dedup::{Candidate, Decision, DedupState};
use crate::pipeline::{RejectReason, Rejection};

use super::consumer::{self as stage_consumer, PartitionHooks, StageContext};
use super::parse_stage::{copy_headers, dead_letter_headers};
use super::restore;
use super::sink::{OutRecord, Shared, Sink};
use super::{Stats, headers};

/// Per-partition dedup states, shared between the loop and the rebalance hooks.
#[derive(Default)]
struct States(Mutex<HashMap<i32, DedupState>>);

impl States {
    fn lock(&self) -> MutexGuard<'_, HashMap<i32, DedupState>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct DedupHooks {
    states: Arc<States>,
    kafka: KafkaConfig,
    dedup: DedupConfig,
}

impl PartitionHooks for DedupHooks {
    /// Rebuilds each partition's state from the articles topic before its records flow.
    fn assigned(&self, _consumer: &BaseConsumer<StageContext>, partitions: &[i32]) {
        for &p in partitions {
            let (state, report) = restore::restore_partition(
                &self.kafka,
                p,
                self.dedup.window,
                self.dedup.restore_lookback,
                self.dedup.restore_timeout,
            );
            if report.complete {
                tracing::info!(
                    partition = p,
                    records = report.records,
                    entries = report.entries,
                    from_offset = report.from_offset,
                    to_offset = report.to_offset,
                    fell_back = report.fell_back,
                    elapsed_ms = report.elapsed.as_millis() as u64,
                    "Restored dedup state"
                );
            } else {
                tracing::error!(
                    partition = p,
                    records = report.records,
                    to_offset = report.to_offset,
                    "Dedup state restore incomplete; copies of earlier stories may be emitted again"
                );
            }
            self.states.lock().insert(p, state);
        }
    }

    fn revoked(&self, partitions: &[i32]) {
        let mut states = self.states.lock();
        for p in partitions {
            states.remove(p);
        }
    }
}

/// Runs the dedup stage until `shutdown` is set, then drains and commits.
///
/// # Errors
/// Fails on client creation errors (bad configuration); broker trouble is retried, not returned.
pub fn run(config: &Config, stats: &Stats, shutdown: &AtomicBool) -> anyhow::Result<()> {
    let kafka = &config.kafka;
    let shared = Arc::new(Shared::default());
    let mut sink = Sink::new(kafka, shared.clone())?;
    let states = Arc::new(States::default());
    let consumer = stage_consumer::subscribe(
        kafka,
        &kafka.dedup_group(),
        StageContext {
            stage: "dedup",
            topic: kafka.topics.keyed.clone(),
            shared: shared.clone(),
            drain_timeout: config.pipeline.drain_timeout,
            hooks: Box::new(DedupHooks {
                states: states.clone(),
                kafka: kafka.clone(),
                dedup: config.dedup.clone(),
            }),
        },
    )
    .context("creating the dedup stage consumer")?;
    let render = RenderOptions {
        version: config.output.ninjs_version,
        extension: config.output.extension,
    };
    let max_output = super::max_message_bytes(kafka);
    tracing::info!(topic = %kafka.topics.keyed, group = %kafka.dedup_group(), "Dedup stage started");
    while !shutdown.load(Ordering::Relaxed) {
        sink.resend_failed();
        stage_consumer::store_committable(&consumer, &shared, &kafka.topics.keyed);
        if shared.tracker().total_in_flight() as usize >= config.pipeline.max_in_flight {
            shared.wait_drained(&[], Duration::from_millis(5));
            continue;
        }
        let Some(msg) = consumer.poll(Duration::from_millis(100)) else {
            continue;
        };
        let msg = match msg {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(stage = "dedup", cause = %e, "Consumer error");
                continue;
            }
        };
        handle(
            config, stats, &shared, &states, &sink, &msg, render, max_output,
        );
    }
    tracing::info!("Dedup stage draining");
    let drained = sink.drain_until(config.pipeline.drain_timeout, || {
        shared.tracker().total_in_flight() == 0
    });
    if !drained {
        tracing::warn!(
            "Dedup stage shutdown timed out with unacknowledged outputs; they will be read again"
        );
    }
    stage_consumer::store_committable(&consumer, &shared, &kafka.topics.keyed);
    stage_consumer::commit_sync(&consumer, "dedup");
    consumer.unsubscribe();
    tracing::info!("Dedup stage stopped");
    Ok(())
}

/// Decides and produces one keyed record.
#[allow(clippy::too_many_arguments)]
fn handle(
    config: &Config,
    stats: &Stats,
    shared: &Shared,
    states: &States,
    sink: &Sink,
    msg: &BorrowedMessage<'_>,
    render: RenderOptions,
    max_output: usize,
) {
    let topics = &config.kafka.topics;
    let partition = msg.partition();
    let Some(epoch) = shared.tracker().epoch(partition) else {
        return;
    };
    let payload = msg.payload().unwrap_or_default();
    let decided = serde_json::from_slice::<Article>(payload)
        .map_err(|e| {
            Rejection::new(
                RejectReason::BadKeyedRecord,
                format!("not a wirefeed article: {e}"),
            )
        })
        .map(|article| {
            let mut states = states.lock();
            let state = states
                .entry(partition)
                .or_insert_with(|| DedupState::new(config.dedup.window));
            let decision = state.decide(Candidate {
                key: &article.dedup_key,
                published: article.published,
                version_time: article.version_time(),
                fingerprint: article.fingerprint,
            });
            (article, decision)
        });
    Stats::add(&stats.keyed_records, 1);
    let dead_letter = |rejection: Rejection| {
        let Some(token) = shared.tracker().begin(partition, epoch, msg.offset(), 1) else {
            return;
        };
        Stats::add(&stats.dead_letters, 1);
        sink.send(
            OutRecord {
                topic: &topics.dead_letter,
                partition: None,
                key: msg.key(),
                payload,
                headers: Some(dead_letter_headers(
                    &copy_headers(msg),
                    &rejection,
                    "dedup",
                    &topics.keyed,
                    partition,
                    msg.offset(),
                )),
            },
            Some(token),
        );
    };
    let (mut article, decision) = match decided {
        Ok(d) => d,
        Err(rejection) => return dead_letter(rejection),
    };
    let kind = match decision {
        Decision::Duplicate { .. } => {
            Stats::add(&stats.duplicates, 1);
            shared.tracker().begin(partition, epoch, msg.offset(), 0);
            return;
        }
        Decision::New { id } => {
            article.id = id;
            article.version = 1;
            "new"
        }
        Decision::Update { id, version } => {
            article.id = id;
            article.version = version;
            "update"
        }
    };
    let value = match serde_json::to_vec(&ninjs::render(&article, render)) {
        Ok(v) if v.len() <= max_output => v,
        Ok(v) => {
            return dead_letter(Rejection::new(
                RejectReason::OutputTooLarge,
                format!(
                    "ninjs article of {} bytes exceeds message.max.bytes {max_output}",
                    v.len()
                ),
            ));
        }
        Err(e) => {
            return dead_letter(Rejection::new(
                RejectReason::Malformed,
                format!("cannot encode: {e}"),
            ));
        }
    };
    let Some(token) = shared.tracker().begin(partition, epoch, msg.offset(), 1) else {
        return;
    };
    Stats::add(
        if kind == "new" {
            &stats.articles
        } else {
            &stats.updates
        },
        1,
    );
    sink.send(
        OutRecord {
            topic: &topics.articles,
            partition: Some(partition),
            key: Some(article.id.as_bytes()),
            payload: &value,
            headers: Some(state_headers(&article, kind)),
        },
        Some(token),
    );
}

/// The dedup state an article implies, as record headers.
fn state_headers(article: &Article, kind: &str) -> OwnedHeaders {
    let first = article.published.to_rfc3339_opts(SecondsFormat::Secs, true);
    let version_time = article
        .version_time()
        .to_rfc3339_opts(SecondsFormat::Secs, true);
    let version = article.version.to_string();
    let fingerprint = format!("{:016x}", article.fingerprint);
    let mut h = OwnedHeaders::new_with_capacity(6);
    for (key, value) in [
        (headers::DEDUP_KEY, article.dedup_key.as_str()),
        (headers::FIRST_PUBLISHED, first.as_str()),
        (headers::VERSION_TIME, version_time.as_str()),
        (headers::VERSION, version.as_str()),
        (headers::FINGERPRINT, fingerprint.as_str()),
        (headers::KIND, kind),
    ] {
        h = h.insert(Header {
            key,
            value: Some(value),
        });
    }
    h
}
