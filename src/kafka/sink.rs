//! The producer side of a stage: sends outputs, turns delivery reports into offset-tracker
//! acknowledgements, and re-sends what the broker did not take.
//!
//! librdkafka retries transient errors itself until `message.timeout.ms`; a delivery that still
//! fails comes back here and is queued for another send after a pause, so an output is never
//! dropped and its record's offset never stored until the broker has it. A broker outage
//! therefore stalls the stage (nothing is lost, nothing is committed) until the broker returns.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use crossbeam_channel::{Receiver, Sender};
use rdkafka::client::ClientContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};

use crate::config::KafkaConfig;
use crate::offsets::{AckToken, OffsetTracker};

use super::{Role, client_config};

/// Pause before re-sending an output whose delivery failed.
const RESEND_PAUSE: Duration = Duration::from_millis(500);

/// State shared by a stage's consumer loop, its rebalance callbacks and its delivery reports.
#[derive(Debug, Default)]
pub struct Shared {
    tracker: Mutex<OffsetTracker>,
    acked: Condvar,
}

impl Shared {
    /// Locks the offset tracker (a poisoned lock is taken over: the tracker stays consistent
    /// because every method leaves it so).
    pub fn tracker(&self) -> MutexGuard<'_, OffsetTracker> {
        self.tracker.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until no output of `partitions` (all partitions when empty) is unacknowledged, or
    /// `timeout` passes. Returns true when drained.
    pub fn wait_drained(&self, partitions: &[i32], timeout: Duration) -> bool {
        self.wait_until(timeout, |tracker| {
            if partitions.is_empty() {
                tracker.total_in_flight() == 0
            } else {
                partitions.iter().all(|&p| tracker.in_flight(p) == 0)
            }
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
}

/// The producer context: acknowledges deliveries, collects failures.
pub struct SinkContext {
    shared: Arc<Shared>,
    failures: Sender<Failed>,
}

impl ClientContext for SinkContext {}

impl ProducerContext for SinkContext {
    type DeliveryOpaque = Box<Option<AckToken>>;

    fn delivery(&self, result: &DeliveryResult<'_>, token: Self::DeliveryOpaque) {
        match result {
            Ok(_) => {
                if let Some(token) = *token {
                    self.shared.tracker().ack(token);
                    self.shared.acked.notify_all();
                }
            }
            Err((err, msg)) => {
                tracing::warn!(topic = msg.topic(), cause = %err, "Delivery failed; will send again");
                let failed = Failed {
                    topic: msg.topic().to_owned(),
                    partition: (msg.partition() >= 0).then_some(msg.partition()),
                    key: msg.key().map(<[u8]>::to_vec),
                    payload: msg.payload().map(<[u8]>::to_vec).unwrap_or_default(),
                    headers: msg.headers().map(|h| {
                        h.iter().fold(OwnedHeaders::new(), |acc, hd| {
                            acc.insert(Header {
                                key: hd.key,
                                value: hd.value,
                            })
                        })
                    }),
                    token: *token,
                    not_before: Instant::now() + RESEND_PAUSE,
                };
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

/// A stage's producer.
pub struct Sink {
    producer: ThreadedProducer<SinkContext>,
    shared: Arc<Shared>,
    failures: Receiver<Failed>,
    retry: VecDeque<Failed>,
}

impl Sink {
    /// Creates the producer for a stage.
    ///
    /// # Errors
    /// Fails when librdkafka rejects the configuration.
    pub fn new(kafka: &KafkaConfig, shared: Arc<Shared>) -> anyhow::Result<Self> {
        let (tx, rx) = crossbeam_channel::unbounded();
        let producer = client_config(kafka, Role::Producer)
            .create_with_context(SinkContext {
                shared: shared.clone(),
                failures: tx,
            })
            .context(
                "creating the producer (check the kafka.properties and kafka.producer tables)",
            )?;
        Ok(Sink {
            producer,
            shared,
            failures: rx,
            retry: VecDeque::new(),
        })
    }

    /// Hands one output to the producer, waiting while its queue is full. The delivery report
    /// acknowledges `token` in the tracker.
    pub fn send(&self, record: OutRecord<'_>, token: Option<AckToken>) {
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
                Ok(()) => return,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    base = back;
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
                Err((err, back)) => {
                    // Not expected for a valid record (size limits are checked before sending);
                    // keep trying rather than lose it.
                    tracing::error!(topic = record.topic, cause = %err, "Cannot enqueue output; retrying");
                    base = back;
                    std::thread::sleep(RESEND_PAUSE);
                }
            }
        }
    }

    /// Sends again the outputs whose delivery failed and whose pause is over.
    pub fn resend_failed(&mut self) {
        self.retry.extend(self.failures.try_iter());
        let now = Instant::now();
        while self.retry.front().is_some_and(|f| f.not_before <= now) {
            let Some(f) = self.retry.pop_front() else {
                break;
            };
            // An output of a partition revoked since (or reassigned under a new epoch) is not
            // sent again: the partition's new owner reads the record again and produces it.
            if let Some(token) = f.token
                && self.shared.tracker().epoch(token.partition) != Some(token.epoch)
            {
                tracing::debug!(
                    partition = token.partition,
                    "Dropping a failed output of a revoked partition"
                );
                continue;
            }
            self.send(
                OutRecord {
                    topic: &f.topic,
                    partition: f.partition,
                    key: f.key.as_deref(),
                    payload: &f.payload,
                    headers: f.headers,
                },
                f.token,
            );
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
