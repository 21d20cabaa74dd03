//! The dedup stage: keyed topic → articles topic.
//!
//! Keyed partition *p* holds every copy of the stories whose dedup key hashes to *p*; the stage
//! keeps one [`DedupState`] per assigned partition, decides new / update / duplicate for each
//! article in partition order, and writes new articles and updates to partition *p* of the
//! articles topic as ninjs, key = article id. Each article record carries the state it implies in
//! one header ([`super::state_header`]), so the articles topic is the state's log: on assignment the
//! partition's state is rebuilt from it ([`super::restore`]) before any of its records is
//! processed, and on revocation in-flight deliveries are drained first.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{BorrowedMessage, Header, Message, OwnedHeaders};
use rdkafka::{Offset, TopicPartitionList};

use crate::config::{ArticleHeaders, Config, NearDuplicates};
use crate::faults;
use crate::model::Article;
use crate::ninjs::{self, RenderOptions};
use crate::pipeline::dedup::{Candidate, Decision, DedupState};
use crate::pipeline::neardup::NearDupIndex;
use crate::pipeline::{RejectReason, Rejection};

use super::consumer::{self as stage_consumer, PartitionHooks, StageContext};
use super::dead_letter::dead_letter_headers;
use super::headers;
use super::keyed;
use super::lease::Lease;
use super::neardup_follower;
use super::record_headers;
use super::restore::Restorer;
use super::sink::{OutRecord, Shared, Sink, SinkOptions};
use super::state_header::{Annotations, ArticleState};
use crate::telemetry::{self, Readiness, Stage, Stats};

/// Per-partition dedup states, shared between the loop and the rebalance hooks.
#[derive(Default)]
struct States(Mutex<HashMap<i32, DedupState>>);

impl States {
    fn lock(&self) -> MutexGuard<'_, HashMap<i32, DedupState>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Partitions whose records are held back (paused at the consumer): restoring, or refused while
/// the ownership lease was expired. Value: (assignment epoch, the offset to read again from when
/// resumed; `None` while no record of it was refused, so the consumer still stands before it).
#[derive(Default)]
struct Held(Mutex<HashMap<i32, (u64, Option<i64>)>>);

impl Held {
    fn lock(&self) -> MutexGuard<'_, HashMap<i32, (u64, Option<i64>)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A partition list of the keyed topic.
fn partition_list(topic: &str, partitions: &[i32]) -> TopicPartitionList {
    let mut tpl = TopicPartitionList::with_capacity(partitions.len());
    for &p in partitions {
        tpl.add_partition(topic, p);
    }
    tpl
}

struct DedupHooks {
    states: Arc<States>,
    held: Arc<Held>,
    restorer: Arc<Restorer>,
    shared: Arc<Shared>,
    owned: Arc<neardup_follower::Owned>,
    readiness: Arc<Readiness>,
}

impl PartitionHooks for DedupHooks {
    /// Pauses the new partitions and starts rebuilding their states in the background; the
    /// stage resumes each once its state is complete.
    fn assigned(&self, consumer: &BaseConsumer<StageContext>, partitions: &[i32]) {
        let topic = &consumer.context().topic;
        if let Err(e) = consumer.pause(&partition_list(topic, partitions)) {
            tracing::error!(cause = %e, "Cannot pause partitions for their restore");
        }
        self.readiness.stage_restoring(Stage::Dedup);
        let tracker = self.shared.tracker();
        let mut held = self.held.lock();
        for &p in partitions {
            let Some(epoch) = tracker.epoch(p) else {
                continue;
            };
            held.insert(p, (epoch, None));
            self.restorer.start(p, epoch);
        }
        self.owned.set(partitions, true);
    }

    fn revoked(&self, consumer: &BaseConsumer<StageContext>, partitions: &[i32]) {
        let mut states = self.states.lock();
        let mut held = self.held.lock();
        let mut paused = Vec::new();
        for &p in partitions {
            states.remove(&p);
            self.restorer.cancel(p);
            if held.remove(&p).is_some() {
                paused.push(p);
            }
        }
        // A partition assigned again later must not stay paused.
        if !paused.is_empty() {
            let topic = &consumer.context().topic;
            consumer.resume(&partition_list(topic, &paused)).ok();
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
    let lease = Arc::new(Lease::new(kafka.ownership_lease()));
    let mut sink = Sink::new(
        kafka,
        shared.clone(),
        SinkOptions {
            stage: Stage::Dedup,
            input_topic: kafka.topics.keyed.clone(),
            dead_letter_topic: kafka.topics.dead_letter.clone(),
            max_bytes: super::max_message_bytes(kafka),
            max_in_flight_bytes: config.pipeline.max_in_flight_bytes,
        },
        shutdown,
        stats,
    )?
    .with_lease(lease.clone());
    let states = Arc::new(States::default());
    let held = Arc::new(Held::default());
    let restorer = Arc::new(Restorer::new(kafka.clone(), config.dedup.clone()));
    let owned = Arc::new(neardup_follower::Owned::default());
    let consumer = stage_consumer::subscribe(
        kafka,
        &kafka.dedup_group(),
        StageContext {
            stage: Stage::Dedup,
            readiness: readiness.clone(),
            topic: kafka.topics.keyed.clone(),
            shared: shared.clone(),
            revoke_limit: kafka.revoke_drain_limit(),
            hooks: Box::new(DedupHooks {
                states: states.clone(),
                held: held.clone(),
                restorer: restorer.clone(),
                shared: shared.clone(),
                owned: owned.clone(),
                readiness: readiness.clone(),
            }),
            lease: Some(lease.clone()),
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
    let mut gate = Gate {
        consumer: &consumer,
        shared: &shared,
        states: &states,
        held: &held,
        lease: &lease,
        first_seen: HashMap::new(),
        renewed_at: None,
    };
    tracing::info!(topic = %kafka.topics.keyed, group = %kafka.dedup_group(), "Dedup stage started");
    let mut gauges_at = std::time::Instant::now();
    let mut swept_at = std::time::Instant::now();
    while !shutdown.load(Ordering::Relaxed) {
        for r in restorer.finished() {
            if shared.tracker().epoch(r.partition) == Some(r.epoch) {
                states.lock().insert(r.partition, r.state);
            }
        }
        if restorer.pending() == 0 {
            readiness.stage_ready(Stage::Dedup);
        }
        gate.keep_lease();
        gate.release_ready();
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
            Ok(m) => {
                if gate.admit(&m) {
                    stage.handle(&sink, &m);
                }
            }
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

/// Least time between two lease renewals (each is a synchronous commit).
const RENEW_EVERY: Duration = Duration::from_millis(250);

/// What stands between a consumed keyed record and its processing: its partition's state must be
/// restored, and the stage's ownership lease valid. A record that may not be processed now is
/// not lost: its partition is paused and set back to it, and resumed once both hold.
struct Gate<'a> {
    consumer: &'a BaseConsumer<StageContext>,
    shared: &'a Shared,
    states: &'a States,
    held: &'a Held,
    lease: &'a Lease,
    /// Per partition: (epoch, offset of the first record consumed under it), the position to
    /// commit when renewing the lease before any record of it is done.
    first_seen: HashMap<i32, (u64, i64)>,
    /// When the lease was last renewed (or tried).
    renewed_at: Option<std::time::Instant>,
}

impl Gate<'_> {
    /// Renews the lease when less than half of it is left, at most every [`RENEW_EVERY`], while
    /// there is anything to renew it for. Returns whether the lease is valid now.
    fn keep_lease(&mut self) -> bool {
        // The client already knows its assignment is gone (a heartbeat was refused) before the
        // rebalance callback runs: nothing more may be written for it.
        if self.consumer.assignment_lost() {
            self.lease.expire();
            return false;
        }
        let now = std::time::Instant::now();
        let remaining = self.lease.remaining(now);
        if remaining > self.lease.length() / 2
            || self.renewed_at.is_some_and(|t| now - t < RENEW_EVERY)
        {
            return !remaining.is_zero();
        }
        let positions: Vec<(i32, i64)> = {
            let tracker = self.shared.tracker();
            self.first_seen
                .iter()
                .filter(|(p, (epoch, _))| tracker.epoch(**p) == Some(*epoch))
                .map(|(&p, &(_, first))| (p, tracker.done_position(p).unwrap_or(first)))
                .collect()
        };
        if positions.is_empty() {
            return !remaining.is_zero();
        }
        self.renewed_at = Some(now);
        stage_consumer::renew_lease(self.consumer, &positions, self.lease)
            || !self.lease.remaining(std::time::Instant::now()).is_zero()
    }

    /// Resumes the held partitions whose state is restored. One that refused a record for want
    /// of a lease waits for a valid lease; one paused only for its restore resumes at once (its
    /// first record renews the lease before it is processed, however long the restore took).
    fn release_ready(&mut self) {
        let lease_valid = !self.lease.remaining(std::time::Instant::now()).is_zero();
        let ready: Vec<i32> = {
            let states = self.states.lock();
            let mut held = self.held.lock();
            let ready: Vec<i32> = held
                .iter()
                .filter(|(p, (_, refused_at))| {
                    states.contains_key(p) && (lease_valid || refused_at.is_none())
                })
                .map(|(&p, _)| p)
                .collect();
            for p in &ready {
                held.remove(p);
            }
            ready
        };
        if ready.is_empty() {
            return;
        }
        let topic = &self.consumer.context().topic;
        if let Err(e) = self.consumer.resume(&partition_list(topic, &ready)) {
            tracing::error!(cause = %e, partitions = ?ready, "Cannot resume partitions");
        } else {
            tracing::info!(partitions = ?ready, "Partitions resumed");
        }
    }

    /// Whether `msg` may be processed now; if not, its partition is held at its offset.
    fn admit(&mut self, msg: &BorrowedMessage<'_>) -> bool {
        let p = msg.partition();
        let Some(epoch) = self.shared.tracker().epoch(p) else {
            return false;
        };
        let first = self.first_seen.entry(p).or_insert((epoch, msg.offset()));
        if first.0 != epoch {
            *first = (epoch, msg.offset());
        }
        let waiting = {
            let held = self.held.lock();
            held.get(&p).filter(|(e, _)| *e == epoch).map(|&(_, at)| at)
        };
        if let Some(at) = waiting {
            // Fetched before the pause took hold: drop it, and make sure the partition is set
            // back to the first record not processed.
            if at.is_none_or(|at| msg.offset() <= at) {
                self.hold(p, epoch, msg.offset());
            }
            return false;
        }
        if !self.states.lock().contains_key(&p) || !self.keep_lease() {
            self.hold(p, epoch, msg.offset());
            return false;
        }
        true
    }

    /// Pauses `p` and sets it back to `offset`, to be resumed by [`Gate::release_ready`].
    fn hold(&mut self, p: i32, epoch: u64, offset: i64) {
        tracing::debug!(partition = p, epoch, offset, "Partition held");
        self.held.lock().insert(p, (epoch, Some(offset)));
        let topic = &self.consumer.context().topic;
        if let Err(e) = self.consumer.pause(&partition_list(topic, &[p])) {
            tracing::warn!(partition = p, cause = %e, "Cannot pause partition");
        }
        if let Err(e) = self
            .consumer
            .seek(topic, p, Offset::Offset(offset), Duration::from_secs(5))
        {
            tracing::warn!(partition = p, offset, cause = %e, "Cannot set partition back");
        }
    }
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
        sink: &Sink<'_>,
        msg: &BorrowedMessage<'_>,
        epoch: u64,
        rejection: Rejection,
        origin: Option<&Provenance<'_>>,
    ) {
        let topics = &self.config.kafka.topics;
        let Some(token) = self.shared.tracker().begin(
            msg.partition(),
            epoch,
            msg.offset(),
            faults::get().tracked_outputs(1),
        ) else {
            return;
        };
        telemetry::DeadLettered {
            stage: Stage::Dedup,
            reason: rejection.reason,
            partition: msg.partition(),
            offset: msg.offset(),
            detail: &rejection.detail,
        }
        .emit(self.stats);
        sink.send(
            OutRecord {
                topic: &topics.dead_letter,
                partition: None,
                key: msg.key(),
                payload: msg.payload().unwrap_or_default(),
                headers: Some(dead_letter_headers(
                    &origin.map_or_else(|| record_headers::copy(msg.headers()), |o| o.headers(msg)),
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

    /// Completes a dropped duplicate: with `kafka.topics.duplicates` set, writes its record there
    /// (key = the article it duplicates, no value, the raw source in a header) and completes the
    /// keyed record once that is acknowledged; otherwise completes it at once.
    fn log_duplicate(
        &self,
        sink: &Sink<'_>,
        msg: &BorrowedMessage<'_>,
        epoch: u64,
        of: &str,
        origin: &Provenance<'_>,
    ) {
        let topic = &self.config.kafka.topics.duplicates;
        let outputs = u32::from(!topic.is_empty());
        let Some(token) = self.shared.tracker().begin(
            msg.partition(),
            epoch,
            msg.offset(),
            faults::get().tracked_outputs(outputs),
        ) else {
            return;
        };
        if topic.is_empty() {
            return;
        }
        let mut hdrs = OwnedHeaders::new_with_capacity(2).insert(Header {
            key: headers::DUPLICATE_OF,
            value: Some(of),
        });
        if let Some(source) = &origin.source {
            hdrs = hdrs.insert(Header {
                key: headers::SOURCE,
                value: Some(source.as_ref()),
            });
        }
        sink.send(
            OutRecord {
                topic,
                partition: None,
                key: Some(of.as_bytes()),
                payload: &[],
                headers: Some(hdrs),
            },
            Some(token),
        );
    }

    /// Decides and produces one keyed record.
    fn handle(&self, sink: &Sink<'_>, msg: &BorrowedMessage<'_>) {
        let dedup = &self.config.dedup;
        let partition = msg.partition();
        let Some(epoch) = self.shared.tracker().epoch(partition) else {
            return;
        };
        telemetry::RecordConsumed {
            stage: Stage::Dedup,
            topic: &self.config.kafka.topics.keyed,
        }
        .emit(self.stats);
        let (mut article, origin) = match read_keyed(msg.payload().unwrap_or_default()) {
            Ok(decoded) => {
                let origin = Provenance::of(decoded.origin, msg);
                (decoded.article, origin)
            }
            Err(rejection) => return self.dead_letter(sink, msg, epoch, rejection, None),
        };
        let candidate = Candidate {
            key: &article.dedup_key,
            published: article.published,
            version_time: article.version_time(),
            fingerprint: article.fingerprint,
            words: article.word_count,
            now_ms: Utc::now().timestamp_millis(),
        };
        let decision = {
            let mut states = self.states.lock();
            states
                .entry(partition)
                .or_insert_with(|| DedupState::new(dedup.same_story()))
                .decide(&candidate)
        };
        let (kind, first_published) = match &decision {
            Decision::Duplicate { of } => {
                telemetry::DuplicateDropped.emit(self.stats);
                return self.log_duplicate(sink, msg, epoch, of, &origin);
            }
            Decision::New { id } => {
                article.id.clone_from(id);
                article.version = 1;
                ("new", article.published)
            }
            Decision::Update {
                id,
                version,
                first_published,
            } => {
                article.id.clone_from(id);
                article.version = *version;
                ("update", *first_published)
            }
        };
        let eligible = dedup.near_duplicates != NearDuplicates::Off
            && article.word_count >= dedup.near_duplicate_min_words;
        if eligible {
            let first = self
                .near_index()
                .find(article.fingerprint, article.published, &article.id);
            if let Some(first) = first {
                telemetry::NearDuplicateFound {
                    dropped: dedup.near_duplicates == NearDuplicates::Drop,
                }
                .emit(self.stats);
                if dedup.near_duplicates == NearDuplicates::Drop {
                    return self.log_duplicate(sink, msg, epoch, &first, &origin);
                }
                article.near_duplicate_of = Some(first);
            }
        }
        let value = match ninjs::to_vec(&article, self.render) {
            Ok(v) if v.len() + article.id.len() + 2 * super::RECORD_OVERHEAD <= self.max_output => {
                v
            }
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
                    Some(&origin),
                );
            }
            Err(e) => {
                let detail = format!("cannot encode: {e}");
                return self.dead_letter(
                    sink,
                    msg,
                    epoch,
                    Rejection::new(RejectReason::Malformed, detail),
                    Some(&origin),
                );
            }
        };
        let Some(token) = self.shared.tracker().begin(
            partition,
            epoch,
            msg.offset(),
            faults::get().tracked_outputs(1),
        ) else {
            return;
        };
        if eligible && article.near_duplicate_of.is_none() {
            self.near_index()
                .insert(article.fingerprint, &article.id, article.published);
        }
        telemetry::ArticleProduced {
            kind: if kind == "new" {
                telemetry::ArticleKind::New
            } else {
                telemetry::ArticleKind::Update
            },
            published: article.version_time(),
            record_time: origin
                .record_time_ms
                .and_then(DateTime::<Utc>::from_timestamp_millis),
        }
        .emit(self.stats);
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
                        replay: origin.replay.as_deref(),
                        source: origin.source.as_deref(),
                    },
                    self.config.output.article_headers,
                )),
            },
            Some(token),
        );
        // Only what is written becomes state, as a restore from the articles topic would see it.
        if let Some(state) = self.states.lock().get_mut(&partition) {
            state.record(&candidate, &decision);
        }
    }
}

/// Where a keyed record's article came from: from the value in the current keyed layout, from
/// the record's headers in the older ones.
struct Provenance<'a> {
    /// The raw record, `PARTITION:OFFSET`.
    source: Option<Cow<'a, str>>,
    /// The raw record's timestamp (ms).
    record_time_ms: Option<i64>,
    /// The replay that read the raw record.
    replay: Option<Cow<'a, str>>,
}

impl<'a> Provenance<'a> {
    /// The origin a keyed record carries in its value or, failing that, in its headers.
    fn of(origin: Option<keyed::Origin>, msg: &'a BorrowedMessage<'_>) -> Provenance<'a> {
        match origin {
            Some(o) => Provenance {
                source: Some(Cow::Owned(o.source())),
                record_time_ms: o.record_time_ms,
                replay: o.replay.map(Cow::Owned),
            },
            None => Provenance {
                source: header(msg, headers::SOURCE).map(Cow::Borrowed),
                record_time_ms: header(msg, headers::RECORD_TIME).and_then(|ms| ms.parse().ok()),
                replay: header(msg, headers::REPLAY).map(Cow::Borrowed),
            },
        }
    }

    /// The headers a dead letter of the keyed record starts from: the record's own plus the
    /// origin as headers (what a keyed record of an older layout carried itself), so a dead
    /// letter names its raw record whatever the layout.
    fn headers(&self, msg: &BorrowedMessage<'_>) -> Vec<(String, Vec<u8>)> {
        let mut pairs = record_headers::copy(msg.headers());
        let record_time = self.record_time_ms.map(|ms| ms.to_string());
        for (key, value) in [
            (headers::SOURCE, self.source.as_deref()),
            (headers::RECORD_TIME, record_time.as_deref()),
            (headers::REPLAY, self.replay.as_deref()),
        ] {
            if let Some(value) = value
                && !pairs.iter().any(|(k, _)| k == key)
            {
                pairs.push((key.to_owned(), value.as_bytes().to_vec()));
            }
        }
        pairs
    }
}

/// Reads a keyed record's article; a record that is not one becomes a `bad-keyed-record`
/// rejection whose detail names the layout version it carried.
fn read_keyed(value: &[u8]) -> Result<keyed::Decoded, Rejection> {
    keyed::decode(value).map_err(|e| Rejection::new(RejectReason::BadKeyedRecord, e.to_string()))
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
    /// The raw record it came from (`PARTITION:OFFSET`).
    source: Option<&'a str>,
}

/// The dedup state an article implies, as record headers: [`headers::STATE`] (with the
/// annotations that apply in layout 2, `output.article_headers = "compact"`) and
/// [`headers::KIND`]; in the `separate` layout, layout 1 and the annotations as headers of their
/// own.
fn state_headers(
    article: &Article,
    story: StoryHeaders<'_>,
    layout: ArticleHeaders,
) -> OwnedHeaders {
    let StoryHeaders {
        kind,
        first_published,
        indexable,
        replay,
        source,
    } = story;
    let state = ArticleState {
        dedup_key: article.dedup_key.clone(),
        first_published,
        version_time: article.version_time(),
        version: article.version,
        fingerprint: article.fingerprint,
        near_dup_index: indexable && article.near_duplicate_of.is_none(),
    };
    let near_duplicate_of = article.near_duplicate_of.as_deref();
    match layout {
        ArticleHeaders::Compact => {
            let notes = Annotations {
                source: source.map(str::to_owned),
                near_duplicate_of: near_duplicate_of.map(str::to_owned),
                replay: replay.map(str::to_owned),
            };
            OwnedHeaders::new_with_capacity(2)
                .insert(Header {
                    key: headers::STATE,
                    value: Some(&state.encode(&notes)),
                })
                .insert(Header {
                    key: headers::KIND,
                    value: Some(kind),
                })
        }
        ArticleHeaders::Separate => {
            let mut h = OwnedHeaders::new_with_capacity(5);
            for (key, value) in [
                (headers::STATE, Some(state.encode_v1().as_str())),
                (headers::KIND, Some(kind)),
                (headers::NEAR_DUPLICATE_OF, near_duplicate_of),
                (headers::REPLAY, replay),
                (headers::SOURCE, source),
            ] {
                if let Some(value) = value {
                    h = h.insert(Header {
                        key,
                        value: Some(value),
                    });
                }
            }
            h
        }
    }
}

/// A text header of a record.
fn header<'a>(msg: &'a BorrowedMessage<'_>, key: &str) -> Option<&'a str> {
    record_headers::text(msg.headers(), key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A keyed record of a layout this build does not know is a dead letter that says which.
    #[test]
    fn unknown_keyed_layout_is_a_bad_keyed_record() {
        let rejection = read_keyed(&[9, 0, 0]).unwrap_err();
        assert_eq!(rejection.reason, RejectReason::BadKeyedRecord);
        assert!(
            rejection.detail.contains("version 9"),
            "{}",
            rejection.detail
        );
        let rejection = read_keyed(b"{\"headline\": 1}").unwrap_err();
        assert_eq!(rejection.reason, RejectReason::BadKeyedRecord);
        assert!(rejection.detail.contains("JSON"), "{}", rejection.detail);
    }
}
