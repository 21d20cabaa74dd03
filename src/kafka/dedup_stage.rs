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
use chrono::{DateTime, SecondsFormat, Utc};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{BorrowedMessage, Header, Headers, Message, OwnedHeaders};

use crate::config::{Config, DedupConfig, KafkaConfig, NearDuplicates};
use crate::model::Article;
use crate::ninjs::{self, RenderOptions};
use crate::pipeline::dedup::{Candidate, Decision, DedupState};
use crate::pipeline::neardup::NearDupIndex;
use crate::pipeline::{RejectReason, Rejection};

use super::consumer::{self as stage_consumer, PartitionHooks, StageContext};
use super::parse_stage::{copy_headers, dead_letter_headers};
use super::sink::{OutRecord, Shared, Sink};
use super::{Stats, headers};
use super::{neardup_follower, restore};
use crate::telemetry::{self, Readiness, Stage};

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
    owned: Arc<neardup_follower::Owned>,
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
            telemetry::RestoreFinished { report: &report }.emit();
            self.states.lock().insert(p, state);
        }
        self.owned.set(partitions, true);
    }

    fn revoked(&self, partitions: &[i32]) {
        let mut states = self.states.lock();
        for p in partitions {
            states.remove(p);
        }
        self.owned.set(partitions, false);
    }
}

/// Runs the dedup stage until `shutdown` is set, then drains and commits.
///
/// # Errors
/// Fails on client creation errors (bad configuration); broker trouble is retried, not returned.
pub fn run(
    config: &Config,
    stats: &Stats,
    readiness: &Arc<Readiness>,
    shutdown: &AtomicBool,
) -> anyhow::Result<()> {
    let kafka = &config.kafka;
    let shared = Arc::new(Shared::default());
    let mut sink = Sink::new(kafka, shared.clone())?;
    let states = Arc::new(States::default());
    let owned = Arc::new(neardup_follower::Owned::default());
    let consumer = stage_consumer::subscribe(
        kafka,
        &kafka.dedup_group(),
        StageContext {
            stage: Stage::Dedup,
            readiness: readiness.clone(),
            topic: kafka.topics.keyed.clone(),
            shared: shared.clone(),
            drain_timeout: config.pipeline.drain_timeout,
            hooks: Box::new(DedupHooks {
                states: states.clone(),
                owned: owned.clone(),
                kafka: kafka.clone(),
                dedup: config.dedup.clone(),
            }),
        },
    )
    .context("creating the dedup stage consumer")?;
    let near = Arc::new(Mutex::new(NearDupIndex::new(
        config.dedup.near_duplicate_distance,
        config.dedup.window,
    )));
    let stop_follower = Arc::new(AtomicBool::new(false));
    let follower = (config.dedup.near_duplicates != NearDuplicates::Off)
        .then(|| {
            neardup_follower::start(
                kafka.clone(),
                config.dedup.window,
                near.clone(),
                owned.clone(),
                stop_follower.clone(),
            )
        })
        .transpose()?;
    let stage = DedupLoop {
        config,
        stats,
        shared: &shared,
        states: &states,
        near: &near,
        render: RenderOptions {
            version: config.output.ninjs_version,
            extension: config.output.extension,
        },
        max_output: super::max_message_bytes(kafka),
    };
    tracing::info!(topic = %kafka.topics.keyed, group = %kafka.dedup_group(), "Dedup stage started");
    let mut gauges_at = std::time::Instant::now();
    let mut swept_at = std::time::Instant::now();
    while !shutdown.load(Ordering::Relaxed) {
        sink.resend_failed();
        if gauges_at.elapsed() >= Duration::from_secs(1) {
            gauges_at = std::time::Instant::now();
            telemetry::InFlightOutputs {
                stage: Stage::Dedup,
                outputs: shared.tracker().total_in_flight(),
            }
            .emit();
        }
        if swept_at.elapsed() >= Duration::from_secs(60) {
            swept_at = std::time::Instant::now();
            let lookback = config
                .dedup
                .restore_lookback
                .as_millis()
                .min(i64::MAX as u128) as i64;
            let horizon = Utc::now().timestamp_millis() - lookback;
            for state in states.lock().values_mut() {
                state.sweep(horizon);
            }
        }
        stage_consumer::store_committable(&consumer, &shared, &kafka.topics.keyed);
        if shared.tracker().total_in_flight() as usize >= config.pipeline.max_in_flight {
            shared.wait_below(config.pipeline.max_in_flight, Duration::from_millis(10));
            continue;
        }
        let Some(msg) = consumer.poll(Duration::from_millis(100)) else {
            continue;
        };
        match msg {
            Ok(m) => stage.handle(&sink, &m),
            Err(e) => tracing::warn!(stage = "dedup", cause = %e, "Consumer error"),
        }
    }
    tracing::info!("Dedup stage draining");
    stage_consumer::drain_and_commit(&consumer, &mut sink, &shared, config.pipeline.drain_timeout);
    consumer.unsubscribe();
    stop_follower.store(true, Ordering::Relaxed);
    if let Some(f) = follower
        && f.join().is_err()
    {
        tracing::error!("The near-duplicate follower panicked");
    }
    tracing::info!("Dedup stage stopped");
    Ok(())
}

/// The dedup stage's per-record work.
struct DedupLoop<'a> {
    config: &'a Config,
    stats: &'a Stats,
    shared: &'a Shared,
    states: &'a States,
    near: &'a Mutex<NearDupIndex>,
    render: RenderOptions,
    max_output: usize,
}

impl DedupLoop<'_> {
    fn near_index(&self) -> MutexGuard<'_, NearDupIndex> {
        self.near.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends the keyed record to the dead-letter topic.
    fn dead_letter(
        &self,
        sink: &Sink,
        msg: &BorrowedMessage<'_>,
        epoch: u64,
        rejection: Rejection,
    ) {
        let topics = &self.config.kafka.topics;
        let Some(token) = self
            .shared
            .tracker()
            .begin(msg.partition(), epoch, msg.offset(), 1)
        else {
            return;
        };
        Stats::add(&self.stats.dead_letters, 1);
        telemetry::DeadLettered {
            stage: Stage::Dedup,
            reason: rejection.reason,
            partition: msg.partition(),
            offset: msg.offset(),
            detail: &rejection.detail,
        }
        .emit();
        sink.send(
            OutRecord {
                topic: &topics.dead_letter,
                partition: None,
                key: msg.key(),
                payload: msg.payload().unwrap_or_default(),
                headers: Some(dead_letter_headers(
                    &copy_headers(msg),
                    &rejection,
                    "dedup",
                    &topics.keyed,
                    msg.partition(),
                    msg.offset(),
                )),
            },
            Some(token),
        );
    }

    /// Decides and produces one keyed record.
    fn handle(&self, sink: &Sink, msg: &BorrowedMessage<'_>) {
        let dedup = &self.config.dedup;
        let partition = msg.partition();
        let Some(epoch) = self.shared.tracker().epoch(partition) else {
            return;
        };
        Stats::add(&self.stats.keyed_records, 1);
        telemetry::RecordConsumed {
            stage: Stage::Dedup,
            topic: &self.config.kafka.topics.keyed,
        }
        .emit();
        let mut article = match serde_json::from_slice::<Article>(msg.payload().unwrap_or_default())
        {
            Ok(a) => a,
            Err(e) => {
                let detail = format!("not a wirefeed article: {e}");
                return self.dead_letter(
                    sink,
                    msg,
                    epoch,
                    Rejection::new(RejectReason::BadKeyedRecord, detail),
                );
            }
        };
        let decision = {
            let mut states = self.states.lock();
            let state = states
                .entry(partition)
                .or_insert_with(|| DedupState::new(dedup.window));
            state.decide(Candidate {
                key: &article.dedup_key,
                published: article.published,
                version_time: article.version_time(),
                fingerprint: article.fingerprint,
                now_ms: Utc::now().timestamp_millis(),
            })
        };
        let (kind, first_published) = match decision {
            Decision::Duplicate { .. } => {
                Stats::add(&self.stats.duplicates, 1);
                telemetry::DuplicateDropped.emit();
                self.shared
                    .tracker()
                    .begin(partition, epoch, msg.offset(), 0);
                return;
            }
            Decision::New { id } => {
                article.id = id;
                article.version = 1;
                ("new", article.published)
            }
            Decision::Update {
                id,
                version,
                first_published,
            } => {
                article.id = id;
                article.version = version;
                ("update", first_published)
            }
        };
        let eligible = dedup.near_duplicates != NearDuplicates::Off
            && article.word_count >= dedup.near_duplicate_min_words;
        if eligible {
            let first = self
                .near_index()
                .find(article.fingerprint, article.published, &article.id);
            if let Some(first) = first {
                Stats::add(&self.stats.near_duplicates, 1);
                telemetry::NearDuplicateFound {
                    dropped: dedup.near_duplicates == NearDuplicates::Drop,
                }
                .emit();
                if dedup.near_duplicates == NearDuplicates::Drop {
                    self.shared
                        .tracker()
                        .begin(partition, epoch, msg.offset(), 0);
                    return;
                }
                article.near_duplicate_of = Some(first);
            }
        }
        let value = match ninjs::to_vec(&article, self.render) {
            Ok(v) if v.len() <= self.max_output => v,
            Ok(v) => {
                let detail = format!(
                    "ninjs article of {} bytes exceeds message.max.bytes {}",
                    v.len(),
                    self.max_output
                );
                return self.dead_letter(
                    sink,
                    msg,
                    epoch,
                    Rejection::new(RejectReason::OutputTooLarge, detail),
                );
            }
            Err(e) => {
                let detail = format!("cannot encode: {e}");
                return self.dead_letter(
                    sink,
                    msg,
                    epoch,
                    Rejection::new(RejectReason::Malformed, detail),
                );
            }
        };
        let Some(token) = self
            .shared
            .tracker()
            .begin(partition, epoch, msg.offset(), 1)
        else {
            return;
        };
        if eligible && article.near_duplicate_of.is_none() {
            self.near_index()
                .insert(article.fingerprint, &article.id, article.published);
        }
        Stats::add(
            if kind == "new" {
                &self.stats.articles
            } else {
                &self.stats.updates
            },
            1,
        );
        telemetry::ArticleProduced {
            kind: if kind == "new" {
                telemetry::ArticleKind::New
            } else {
                telemetry::ArticleKind::Update
            },
            published: article.version_time(),
            record_time: header(msg, headers::RECORD_TIME)
                .and_then(|ms| ms.parse().ok())
                .and_then(DateTime::<Utc>::from_timestamp_millis),
        }
        .emit();
        sink.send(
            OutRecord {
                topic: &self.config.kafka.topics.articles,
                partition: Some(partition),
                key: Some(article.id.as_bytes()),
                payload: &value,
                headers: Some(state_headers(
                    &article,
                    StoryHeaders {
                        kind,
                        first_published,
                        indexable: eligible,
                        replay: replay_of(msg),
                    },
                )),
            },
            Some(token),
        );
    }
}

/// What an article's state headers say beyond the article itself.
struct StoryHeaders<'a> {
    /// `new` or `update`.
    kind: &'a str,
    /// The story's first publication (for an update, that of the story's first copy, not of
    /// this one), which its id derives from.
    first_published: DateTime<Utc>,
    /// Other instances add the article to their near-duplicate index.
    indexable: bool,
    /// The replay that produced it.
    replay: Option<&'a str>,
}

/// The dedup state an article implies, as record headers.
fn state_headers(article: &Article, story: StoryHeaders<'_>) -> OwnedHeaders {
    let StoryHeaders {
        kind,
        first_published,
        indexable,
        replay,
    } = story;
    let first = first_published.to_rfc3339_opts(SecondsFormat::Secs, true);
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
    if indexable && article.near_duplicate_of.is_none() {
        h = h.insert(Header {
            key: headers::NEAR_DUP_INDEX,
            value: Some("1"),
        });
    }
    if let Some(first) = &article.near_duplicate_of {
        h = h.insert(Header {
            key: headers::NEAR_DUPLICATE_OF,
            value: Some(first.as_str()),
        });
    }
    if let Some(replay) = replay {
        h = h.insert(Header {
            key: headers::REPLAY,
            value: Some(replay),
        });
    }
    h
}

/// The replay id a keyed record carries, if it came from `wirefeed replay`.
fn replay_of<'a>(msg: &'a BorrowedMessage<'_>) -> Option<&'a str> {
    header(msg, headers::REPLAY)
}

/// A text header of a record.
fn header<'a>(msg: &'a BorrowedMessage<'_>, key: &str) -> Option<&'a str> {
    msg.headers()?
        .iter()
        .find(|h| h.key == key)
        .and_then(|h| std::str::from_utf8(h.value?).ok())
}
