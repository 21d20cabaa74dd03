//! The producer side of a stage: sends outputs, turns delivery reports into offset-tracker
//! acknowledgements, and re-sends what the broker did not take.
//!
//! librdkafka retries transient errors itself until `message.timeout.ms`; a delivery that still
//! fails comes back here and is queued for another send after a pause, so an output is never
//! dropped and its record's offset never stored until the broker has it. A broker outage
//! therefore stalls the stage (nothing is lost, nothing is committed) until the broker returns.
//!
//! Errors are classified. Retriable ones (timeouts, a broker away, a full queue) are retried as
//! above. Permanent ones — a record the producer or the broker will never take, such as one over
//! `message.max.bytes` (key and headers included) — would otherwise be retried forever and wedge
//! the partition for every instance that takes it over: the output is replaced by a *bounded
//! dead letter* instead, its value cut to fit, with `wirefeed.truncated` naming the original
//! length and the reason headers naming the record it stands for. Waiting on a full queue gives
//! up once the stage is stopping, so shutdown is never blocked; an output given up that way
//! leaves its record's offset unstored, and the record is read again.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use crossbeam_channel::{Receiver, Sender};
use rdkafka::client::{ClientContext, DefaultClientContext};
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Message, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext};

use crate::config::KafkaConfig;
use crate::offsets::{AckToken, OffsetTracker};
use crate::telemetry::{self, Stage, Stats};

use super::dead_letter::{self, Unwritable};
use super::lease::Lease;
use super::polled::PolledProducer;
use super::{RECORD_OVERHEAD, Role, client_config, record_headers};

/// Pause before re-sending an output whose delivery failed.
const RESEND_PAUSE: Duration = Duration::from_millis(500);

/// State shared by a stage's consumer loop, its rebalance callbacks and its delivery reports.
#[derive(Debug, Default)]
pub struct Shared {
    tracker: Mutex<OffsetTracker>,
    acked: Condvar,
    /// Threads waiting on `acked`. A delivery report wakes them only when there are any: a
    /// condvar's notify is a system call even with nobody waiting, and a report comes for every
    /// output.
    waiters: AtomicUsize,
}

impl Shared {
    /// Locks the offset tracker (a poisoned lock is taken over: the tracker stays consistent
    /// because every method leaves it so).
    pub fn tracker(&self) -> MutexGuard<'_, OffsetTracker> {
        self.tracker.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until no output of `partitions` is inside the producer any more (each was
    /// acknowledged or failed), or `timeout` passes. Returns true when drained.
    pub fn wait_drained(&self, partitions: &[i32], timeout: Duration) -> bool {
        self.wait_until(timeout, |tracker| {
            partitions.iter().all(|&p| tracker.in_producer(p) == 0)
        })
    }

    /// Waits until fewer than `limit` records await acknowledgement and fewer than `limit`
    /// outputs are unacknowledged, or `timeout` passes: a stage's backpressure, blocking on
    /// delivery reports instead of spinning. Returns true when below the limit.
    pub fn wait_below(&self, limit: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, |tracker| {
            tracker.pending_records() < limit && (tracker.total_in_flight() as usize) < limit
        })
    }

    /// Waits on delivery reports until `done` holds for the tracker, or `timeout` passes; checks
    /// again at least every 100 ms (a revocation changes the tracker without a report).
    fn wait_until(&self, timeout: Duration, done: impl Fn(&OffsetTracker) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        let mut tracker = self.tracker();
        // Counted while the tracker is locked: a report acknowledged after this sees the count
        // (it locks the tracker too), one acknowledged before it is seen by `done`.
        let _waiting = Waiting::new(&self.waiters);
        loop {
            if done(&tracker) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            let wait = (deadline - now).min(Duration::from_millis(100));
            tracker = self
                .acked
                .wait_timeout(tracker, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Wakes the threads waiting for delivery reports, if any; call after the tracker changed,
    /// with its lock released.
    fn notify_acked(&self) {
        if self.waiters.load(Ordering::SeqCst) > 0 {
            self.acked.notify_all();
        }
    }
}

/// One thread counted in [`Shared::waiters`] while it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(waiters: &'a AtomicUsize) -> Waiting<'a> {
        waiters.fetch_add(1, Ordering::SeqCst);
        Waiting(waiters)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An output whose delivery failed, kept for another send.
#[derive(Debug)]
struct Failed {
    topic: String,
    partition: Option<i32>,
    key: Option<Vec<u8>>,
    payload: Vec<u8>,
    headers: Option<OwnedHeaders>,
    token: Option<AckToken>,
    not_before: Instant,
    /// Why it failed, when no further send can succeed (the record is replaced by a bounded dead
    /// letter).
    permanent: Option<String>,
}

/// The producer context: acknowledges deliveries, collects failures.
pub struct SinkContext {
    shared: Arc<Shared>,
    failures: Sender<Failed>,
    stage: Stage,
    /// Set when the sink is dropped: the producer may outlive it by up to a poll window
    /// ([`PolledProducer`]), and what it says about its brokers then (gone, at the end of
    /// `wirefeed dev`) concerns nobody.
    closed: AtomicBool,
}

impl ClientContext for SinkContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        if !self.closed.load(Ordering::Relaxed) {
            DefaultClientContext.log(level, fac, log_message);
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        if !self.closed.load(Ordering::Relaxed) {
            DefaultClientContext.error(error, reason);
        }
    }
}

impl ProducerContext for SinkContext {
    type DeliveryOpaque = Box<Option<AckToken>>;

    fn delivery(&self, result: &DeliveryResult<'_>, token: Self::DeliveryOpaque) {
        match result {
            Ok(m) => {
                if m.offset() < 0 {
                    telemetry::AckedWithoutOffset { stage: self.stage }.emit();
                    tracing::debug!(topic = m.topic(), partition = m.partition(), source = ?token.map(|t| (t.partition, t.offset)), "Output acknowledged without an offset");
                }
                if let Some(token) = *token {
                    self.shared.tracker().ack(token);
                    self.shared.notify_acked();
                }
            }
            Err((err, msg)) => {
                let permanent = is_permanent(err).then(|| err.to_string());
                let source = token.map(|t| (t.partition, t.offset));
                tracing::warn!(topic = msg.topic(), source = ?source, cause = %err, permanent = permanent.is_some(), "Delivery failed");
                let failed = Failed {
                    topic: msg.topic().to_owned(),
                    partition: (msg.partition() >= 0).then_some(msg.partition()),
                    key: msg.key().map(<[u8]>::to_vec),
                    payload: msg.payload().map(<[u8]>::to_vec).unwrap_or_default(),
                    headers: msg
                        .headers()
                        .map(|h| record_headers::owned(&record_headers::copy(Some(h)))),
                    token: *token,
                    not_before: Instant::now() + RESEND_PAUSE,
                    permanent,
                };
                if let Some(token) = *token {
                    self.shared.tracker().fail(token);
                    self.shared.notify_acked();
                }
                // The receiver lives as long as the sink; a send error only happens at teardown.
                self.failures.send(failed).ok();
            }
        }
    }
}

/// One output record to send.
#[derive(Debug)]
pub struct OutRecord<'a> {
    /// Destination topic.
    pub topic: &'a str,
    /// Explicit partition, or `None` to partition by key.
    pub partition: Option<i32>,
    /// Record key.
    pub key: Option<&'a [u8]>,
    /// Record value.
    pub payload: &'a [u8],
    /// Record headers.
    pub headers: Option<OwnedHeaders>,
}

/// What became of an output handed to [`Sink::send`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// In the producer's queue; its delivery report acknowledges the token.
    Queued,
    /// The record could never be written as it is; a bounded dead letter standing for it is in
    /// the queue instead.
    Replaced,
    /// Given up because the stage is stopping while the queue was full: the token stays
    /// unacknowledged, so the record is read again.
    Abandoned,
}

/// Where a stage's outputs come from and where the bounded dead letters go.
#[derive(Debug, Clone)]
pub struct SinkOptions {
    /// The stage, for the dead letters' headers and metrics.
    pub stage: Stage,
    /// The topic the stage consumes (named by the dead letters).
    pub input_topic: String,
    /// The dead-letter topic.
    pub dead_letter_topic: String,
    /// The producer's `message.max.bytes`.
    pub max_bytes: usize,
    /// `pipeline.max_in_flight_bytes`: bounds the producer's queue of unacknowledged outputs
    /// ([`super::producer_queue_kbytes`]).
    pub max_in_flight_bytes: usize,
}

/// The bytes a record takes against `message.max.bytes`: key, value and headers, plus overhead.
pub fn record_size(key: Option<&[u8]>, payload: &[u8], headers: Option<&OwnedHeaders>) -> usize {
    let headers = headers.map_or(0, |h| {
        record_headers::raw(h.as_borrowed())
            .iter()
            .map(|(k, v)| k.len() + v.map_or(0, <[u8]>::len) + 10)
            .sum()
    });
    key.map_or(0, <[u8]>::len) + payload.len() + headers + RECORD_OVERHEAD
}

/// Errors after which the same record can never be written: sending it again would stall its
/// partition for good.
fn is_permanent(err: &KafkaError) -> bool {
    matches!(
        err.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::MessageSizeTooLarge
                | RDKafkaErrorCode::InvalidMessageSize
                | RDKafkaErrorCode::InvalidMessage
                | RDKafkaErrorCode::InvalidRecord
                | RDKafkaErrorCode::MessageBatchTooLarge
                | RDKafkaErrorCode::InvalidTimestamp
                | RDKafkaErrorCode::BadMessage
        )
    )
}

/// A stage's producer.
pub struct Sink<'a> {
    producer: PolledProducer<SinkContext>,
    shared: Arc<Shared>,
    failures: Receiver<Failed>,
    retry: VecDeque<Failed>,
    options: SinkOptions,
    /// Set when the stage is stopping: waiting on a full queue gives up.
    stop: &'a AtomicBool,
    /// The instance's counters: the dead letters written in place of outputs count there.
    stats: &'a Stats,
    /// The stage's ownership lease, when it keeps one: failed outputs are sent again only while
    /// it is valid.
    lease: Option<Arc<Lease>>,
}

impl<'a> Sink<'a> {
    /// Creates the producer for a stage.
    ///
    /// # Errors
    /// Fails when librdkafka rejects the configuration.
    pub fn new(
        kafka: &KafkaConfig,
        shared: Arc<Shared>,
        options: SinkOptions,
        stop: &'a AtomicBool,
        stats: &'a Stats,
    ) -> anyhow::Result<Self> {
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut cc = client_config(kafka, Role::Producer);
        if let Some(kbytes) = super::producer_queue_kbytes(kafka, options.max_in_flight_bytes) {
            cc.set(super::PRODUCER_QUEUE_KBYTES_KEY, kbytes.to_string());
        }
        let context = SinkContext {
            shared: shared.clone(),
            failures: tx,
            stage: options.stage,
            closed: AtomicBool::new(false),
        };
        let producer = PolledProducer::new(&cc, context).context(
            "creating the producer (check the kafka.properties and kafka.producer tables)",
        )?;
        Ok(Sink {
            producer,
            shared,
            failures: rx,
            retry: VecDeque::new(),
            options,
            stop,
            stats,
            lease: None,
        })
    }

    /// Sends failed outputs again only while `lease` is valid (a member that may have lost its
    /// partitions must not write for them).
    pub fn with_lease(mut self, lease: Arc<Lease>) -> Self {
        self.lease = Some(lease);
        self
    }

    /// Hands one output to the producer, waiting while its queue is full (unless the stage is
    /// stopping). The delivery report acknowledges `token` in the tracker. A record that can
    /// never be written (too large, rejected) is replaced by a bounded dead letter.
    pub fn send(&self, record: OutRecord<'_>, token: Option<AckToken>) -> Sent {
        self.send_at(record, token, 0)
    }

    /// [`Sink::send`], `depth` replacements deep (a replacement that fails too is replaced by a
    /// smaller one, then retried as it is).
    fn send_at(&self, record: OutRecord<'_>, token: Option<AckToken>, depth: u8) -> Sent {
        let size = record_size(record.key, record.payload, record.headers.as_ref());
        if size > self.options.max_bytes && depth < 2 {
            let cause = format!(
                "record of {size} bytes (key, value and headers) exceeds message.max.bytes {}",
                self.options.max_bytes
            );
            return self.replace(record, token, &cause, depth);
        }
        let mut base: BaseRecord<'_, [u8], [u8], Box<Option<AckToken>>> =
            BaseRecord::with_opaque_to(record.topic, Box::new(token)).payload(record.payload);
        if let Some(key) = record.key {
            base = base.key(key);
        }
        if let Some(p) = record.partition {
            base = base.partition(p);
        }
        if let Some(h) = record.headers {
            base = base.headers(h);
        }
        let mut pause = Duration::from_millis(1);
        loop {
            match self.producer.send(base) {
                Ok(()) => return Sent::Queued,
                Err((err, back)) if is_permanent(&err) && depth < 2 => {
                    let record = OutRecord {
                        topic: back.topic,
                        partition: back.partition,
                        key: back.key,
                        payload: back.payload.unwrap_or_default(),
                        headers: back.headers,
                    };
                    return self.replace(record, token, &err.to_string(), depth);
                }
                Err((err, back)) => {
                    if self.stop.load(Ordering::Relaxed) {
                        tracing::warn!(topic = record.topic, cause = %err, "Stopping: output given up; its record will be read again");
                        return Sent::Abandoned;
                    }
                    base = back;
                    if matches!(
                        err,
                        KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull)
                    ) {
                        std::thread::sleep(pause);
                        pause = (pause * 2).min(Duration::from_millis(100));
                    } else {
                        tracing::error!(topic = record.topic, cause = %err, "Cannot enqueue output; retrying");
                        std::thread::sleep(RESEND_PAUSE);
                    }
                }
            }
        }
    }

    /// Sends a bounded dead letter in place of `record`, which can never be written
    /// ([`dead_letter::bounded`]).
    fn replace(
        &self,
        record: OutRecord<'_>,
        token: Option<AckToken>,
        cause: &str,
        depth: u8,
    ) -> Sent {
        let o = &self.options;
        let (partition, offset) = token.map_or((-1, -1), |t| (t.partition, t.offset));
        let letter = dead_letter::bounded(
            Unwritable {
                topic: record.topic,
                is_dead_letter: record.topic == o.dead_letter_topic,
                key: record.key,
                len: record.payload.len(),
                headers: record
                    .headers
                    .as_ref()
                    .map(|h| record_headers::copy(Some(h.as_borrowed())))
                    .unwrap_or_default(),
                cause,
                source: (partition, offset),
                depth,
            },
            o.stage.as_str(),
            &o.input_topic,
            o.max_bytes,
        );
        telemetry::DeadLettered {
            stage: o.stage,
            reason: letter.reason,
            partition,
            offset,
            detail: cause,
        }
        .emit(self.stats);
        let sent = self.send_at(
            OutRecord {
                topic: &o.dead_letter_topic,
                partition: None,
                key: letter.key,
                payload: &record.payload[..letter.keep],
                headers: Some(record_headers::owned(&letter.headers)),
            },
            token,
            depth + 1,
        );
        if sent == Sent::Abandoned {
            sent
        } else {
            Sent::Replaced
        }
    }

    /// Sends again the outputs whose delivery failed and whose pause is over (a permanent failure
    /// is replaced by a bounded dead letter).
    pub fn resend_failed(&mut self) {
        self.retry.extend(self.failures.try_iter());
        let now = Instant::now();
        if self
            .lease
            .as_ref()
            .is_some_and(|l| l.remaining(now).is_zero())
        {
            return;
        }
        while self.retry.front().is_some_and(|f| f.not_before <= now) {
            let Some(f) = self.retry.pop_front() else {
                break;
            };
            // An output of a partition revoked since (or reassigned under a new epoch) is not
            // sent again: the partition's new owner reads the record again and produces it.
            if let Some(token) = f.token {
                let mut tracker = self.shared.tracker();
                if tracker.epoch(token.partition) != Some(token.epoch) {
                    tracing::debug!(
                        partition = token.partition,
                        "Dropping a failed output of a revoked partition"
                    );
                    continue;
                }
                tracker.retry(token);
            }
            let record = OutRecord {
                topic: &f.topic,
                partition: f.partition,
                key: f.key.as_deref(),
                payload: &f.payload,
                headers: f.headers,
            };
            let sent = match &f.permanent {
                Some(cause) => self.replace(record, f.token, cause, 0),
                None => self.send(record, f.token),
            };
            if sent == Sent::Abandoned
                && let Some(token) = f.token
            {
                self.shared.tracker().fail(token);
            }
        }
    }

    /// Outputs waiting for another send.
    pub fn failed_pending(&self) -> usize {
        self.retry.len() + self.failures.len()
    }

    /// Serves delivery reports and re-sends until `done` says stop or `timeout` passes.
    pub fn drain_until(&mut self, timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            self.resend_failed();
            if done() {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            // Delivery reports are served by the producer's own thread; flush nudges the queue.
            self.producer.flush(Duration::from_millis(50)).ok();
        }
    }
}

impl Drop for Sink<'_> {
    fn drop(&mut self) {
        self.producer
            .context()
            .closed
            .store(true, Ordering::Relaxed);
    }
}
