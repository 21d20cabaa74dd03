//! The consumer side of a stage: rebalance handling and offset storing.
//!
//! On assignment each partition gets a fresh epoch in the offset tracker (and the stage's hook runs,
//! e.g. the dedup stage pauses the partition and starts rebuilding its state) before any of its
//! records is handed out. On revocation the stage drains: it waits until none of the partition's
//! outputs is inside the producer any more (each is delivered or failed within the delivery
//! timeout, [`crate::config::KafkaConfig::revoke_drain_limit`]), stores the contiguous position and
//! commits synchronously, then forgets the partition. Records of a revoked partition that were
//! parsed but not yet produced are dropped by the stage; the new owner reads them again from the
//! committed position. A partition *lost* (the group gave it away while this member was silent)
//! is forgotten at once, without a commit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, KafkaResult};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};

use super::lease::Lease;
use super::sink::Shared;
use crate::telemetry::{self, ConsumerStatistics, Readiness, Stage};
use rdkafka::statistics::Statistics;

/// What a stage does when partitions come and go, besides offset bookkeeping.
pub trait PartitionHooks: Send + Sync {
    /// Partitions were assigned; runs before any of their records is consumed.
    fn assigned(&self, _consumer: &BaseConsumer<StageContext>, _partitions: &[i32]) {}
    /// Partitions were revoked (after their deliveries were drained and offsets committed) or
    /// lost; they are still in the consumer's assignment while this runs.
    fn revoked(&self, _consumer: &BaseConsumer<StageContext>, _partitions: &[i32]) {}
}

/// Hooks that do nothing (the parse stage keeps no per-partition state).
pub struct NoHooks;

impl PartitionHooks for NoHooks {}

/// Consumer context of a stage.
pub struct StageContext {
    /// Which stage, for logs, metrics and readiness.
    pub stage: Stage,
    /// Readiness of the instance, updated on assignment, restore and broker contact.
    pub readiness: Arc<Readiness>,
    /// The topic the stage consumes.
    pub topic: String,
    /// Tracker and delivery signalling shared with the sink.
    pub shared: Arc<Shared>,
    /// How long revocation waits for the partition's outputs inside the producer.
    pub revoke_limit: Duration,
    /// Stage-specific partition hooks.
    pub hooks: Box<dyn PartitionHooks>,
    /// The stage's ownership lease, when it keeps one (the dedup stage).
    pub lease: Option<Arc<Lease>>,
}

impl ClientContext for StageContext {
    /// librdkafka statistics (every `statistics.interval.ms`): consumer lag per partition, and
    /// proof that the broker answers.
    fn stats(&self, statistics: Statistics) {
        ConsumerStatistics {
            stage: self.stage,
            topic: &self.topic,
            statistics: &statistics,
        }
        .emit();
        if telemetry::broker_reachable(&statistics) {
            self.readiness.broker_contact();
        }
    }
}

impl StageContext {
    /// Partitions of the stage's topic this consumer owns now.
    fn owned(&self, consumer: &BaseConsumer<Self>) -> usize {
        consumer
            .assignment()
            .map_or(0, |a| a.elements_for_topic(&self.topic).len())
    }

    fn partitions(&self, tpl: &TopicPartitionList) -> Vec<i32> {
        tpl.elements()
            .iter()
            .filter(|e| e.topic() == self.topic)
            .map(|e| e.partition())
            .collect()
    }
}

impl ConsumerContext for StageContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Revoke(tpl) => {
                let parts = self.partitions(tpl);
                if parts.is_empty() {
                    return;
                }
                let lost = consumer.assignment_lost();
                if lost {
                    // The group already gave them to another member: nothing may be committed or
                    // written for them any more.
                    if let Some(lease) = &self.lease {
                        lease.expire();
                    }
                } else {
                    // The partition's next owner rebuilds its state from what was written: release
                    // it only once no output is left inside the producer (each is delivered or
                    // failed within the delivery timeout; failed ones are not sent again).
                    let drained = self.shared.wait_drained(&parts, self.revoke_limit);
                    if !drained {
                        tracing::warn!(
                            stage = self.stage.as_str(),
                            partitions = ?parts,
                            "Revoked partitions still had outputs in the producer; their records will be read again"
                        );
                    }
                    store_committable(consumer, &self.shared, &self.topic);
                    commit_sync(consumer, self.stage.as_str());
                }
                let mut tracker = self.shared.tracker();
                for &p in &parts {
                    tracker.revoke(p);
                }
                drop(tracker);
                self.hooks.revoked(consumer, &parts);
                let owned = self.owned(consumer).saturating_sub(parts.len());
                self.readiness.stage_assigned(self.stage, owned);
                if lost {
                    tracing::warn!(stage = self.stage.as_str(), partitions = ?parts, "Partitions lost (the group moved them while this instance was unreachable)");
                } else {
                    tracing::info!(stage = self.stage.as_str(), partitions = ?parts, "Partitions revoked");
                }
            }
            Rebalance::Assign(_) => {}
            Rebalance::Error(err) => {
                tracing::error!(stage = self.stage.as_str(), cause = %err, "Rebalance error");
            }
        }
    }

    /// Logs each offset commit: refused ones (a member the group no longer knows, a stale
    /// generation) at warn, the others (and those deferred by a rebalance) at debug.
    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        let positions: Vec<(i32, Option<i64>)> = offsets
            .elements()
            .iter()
            .map(|e| (e.partition(), e.offset().to_raw()))
            .collect();
        match result {
            Ok(()) => tracing::debug!(stage = self.stage.as_str(), ?positions, "Offsets committed"),
            Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
            // Routine while the group rebalances; the next commit carries the same offsets.
            Err(e @ KafkaError::ConsumerCommit(RDKafkaErrorCode::RebalanceInProgress)) => {
                tracing::debug!(stage = self.stage.as_str(), ?positions, cause = %e, "Offset commit deferred")
            }
            Err(e) => {
                tracing::warn!(stage = self.stage.as_str(), ?positions, cause = %e, "Offset commit refused")
            }
        }
    }

    fn post_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(tpl) = rebalance {
            let parts = self.partitions(tpl);
            if parts.is_empty() {
                self.readiness
                    .stage_assigned(self.stage, self.owned(consumer));
                return;
            }
            {
                let mut tracker = self.shared.tracker();
                for &p in &parts {
                    tracker.assign(p);
                }
            }
            // An assignment comes from the group coordinator: the broker answers, and this member
            // belongs to the group's current generation.
            self.readiness.broker_contact();
            if let Some(lease) = &self.lease {
                lease.renew_from(Instant::now());
            }
            self.readiness
                .stage_assigned(self.stage, self.owned(consumer));
            self.hooks.assigned(consumer, &parts);
            tracing::info!(stage = self.stage.as_str(), partitions = ?parts, "Partitions assigned");
        }
    }
}

/// Stores, for commit, every partition position the tracker says moved.
pub fn store_committable(consumer: &BaseConsumer<StageContext>, shared: &Shared, topic: &str) {
    let moved = shared.tracker().take_committable();
    if moved.is_empty() {
        return;
    }
    let mut tpl = TopicPartitionList::with_capacity(moved.len());
    tracing::debug!(stage = consumer.context().stage.as_str(), positions = ?moved, "Storing offsets");
    for (partition, next) in moved {
        if let Err(e) = tpl.add_partition_offset(topic, partition, Offset::Offset(next)) {
            tracing::warn!(partition, cause = %e, "Cannot store offset");
        }
    }
    if let Err(e) = consumer.store_offsets(&tpl) {
        // Happens when a partition was revoked meanwhile; its new owner re-reads from the last
        // commit, so nothing is lost.
        tracing::debug!(cause = %e, "Storing offsets failed");
    }
}

/// The last step of a stage: waits (up to `timeout`) for every output to be acknowledged while
/// re-sending failed ones, then stores the contiguous positions and commits synchronously.
/// Outputs still unacknowledged at the timeout are not committed: their records are read again.
pub fn drain_and_commit(
    consumer: &BaseConsumer<StageContext>,
    sink: &mut super::sink::Sink<'_>,
    shared: &Shared,
    timeout: Duration,
) {
    let stage = consumer.context().stage.as_str();
    let drained = sink.drain_until(timeout, || shared.tracker().total_in_flight() == 0);
    if !drained {
        tracing::warn!(
            stage,
            "Shutdown timed out with unacknowledged outputs; their records will be read again"
        );
    }
    store_committable(consumer, shared, &consumer.context().topic);
    commit_sync(consumer, stage);
}

/// Proves group membership with a synchronous commit of `positions` (partition → next offset to
/// consume, positions already done) and renews `lease` from the moment the commit was sent. The
/// coordinator refuses a commit from a member it evicted. Returns whether the commit succeeded.
pub fn renew_lease(
    consumer: &BaseConsumer<StageContext>,
    positions: &[(i32, i64)],
    lease: &Lease,
) -> bool {
    let topic = &consumer.context().topic;
    let mut tpl = TopicPartitionList::with_capacity(positions.len());
    for &(partition, next) in positions {
        if tpl
            .add_partition_offset(topic, partition, Offset::Offset(next))
            .is_err()
        {
            return false;
        }
    }
    if tpl.count() == 0 {
        return false;
    }
    let sent = Instant::now();
    match commit_within(consumer, Some(&tpl), lease.length().min(COMMIT_WAIT)) {
        Ok(()) => {
            lease.renew_from(sent);
            consumer.context().readiness.broker_contact();
            true
        }
        Err(e) => {
            tracing::warn!(stage = consumer.context().stage.as_str(), cause = %e, "Membership not confirmed; holding outputs");
            false
        }
    }
}

/// Longest a synchronous offset commit waits for its result. librdkafka's own synchronous commit
/// waits without end while no group coordinator can be found, which held a stage, its
/// revocations and its shutdown for as long.
const COMMIT_WAIT: Duration = Duration::from_secs(10);

/// Commits `offsets` (the stored offsets when `None`) and waits at most `wait` for the result;
/// a commit still unanswered then fails as timed out (it may still land later, which is harmless:
/// the offsets were due).
fn commit_within(
    consumer: &BaseConsumer<StageContext>,
    offsets: Option<&TopicPartitionList>,
    wait: Duration,
) -> KafkaResult<()> {
    use rdkafka::bindings as rdsys;
    let rk = consumer.client().native_ptr();
    let wait_ms = i32::try_from(wait.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: `rk` is the live client of `consumer`, borrowed for the whole call; the offset list
    // (if any) outlives the call and librdkafka copies it; the queue is created and destroyed here,
    // and a reply arriving after the destroy is dropped by librdkafka (the queue is refcounted).
    #[allow(unsafe_code)]
    let err = unsafe {
        let queue = rdsys::rd_kafka_queue_new(rk);
        let list = offsets.map_or(std::ptr::null(), |t| t.ptr().cast_const());
        let mut err = rdsys::rd_kafka_commit_queue(rk, list, queue, None, std::ptr::null_mut());
        if err == rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            let event = rdsys::rd_kafka_queue_poll(queue, wait_ms);
            if event.is_null() {
                err = rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR__TIMED_OUT;
            } else {
                err = rdsys::rd_kafka_event_error(event);
                rdsys::rd_kafka_event_destroy(event);
            }
        }
        rdsys::rd_kafka_queue_destroy(queue);
        err
    };
    match RDKafkaErrorCode::from(err) {
        RDKafkaErrorCode::NoError => Ok(()),
        code => Err(KafkaError::ConsumerCommit(code)),
    }
}

/// Commits stored offsets synchronously, waiting at most `COMMIT_WAIT`; "nothing to commit" is
/// not an error.
pub fn commit_sync(consumer: &BaseConsumer<StageContext>, stage: &str) {
    match commit_within(consumer, None, COMMIT_WAIT) {
        Ok(()) | Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
        Err(e) => tracing::warn!(stage, cause = %e, "Commit failed; the next commit retries"),
    }
}

/// Turns on librdkafka statistics (consumer lag, broker state) unless the configuration sets the
/// interval itself.
fn with_statistics(
    kafka: &crate::config::KafkaConfig,
    mut cc: rdkafka::ClientConfig,
) -> rdkafka::ClientConfig {
    let key = "statistics.interval.ms";
    if !kafka.consumer.contains_key(key) && !kafka.properties.contains_key(key) {
        cc.set(key, telemetry::STATISTICS_INTERVAL_MS);
    }
    cc
}

/// Creates a stage consumer subscribed to `topic`.
///
/// # Errors
/// Fails when librdkafka rejects the configuration or the subscription.
pub fn subscribe(
    kafka: &crate::config::KafkaConfig,
    group: &str,
    context: StageContext,
) -> KafkaResult<BaseConsumer<StageContext>> {
    let topic = context.topic.clone();
    let consumer: BaseConsumer<StageContext> =
        with_statistics(kafka, super::client_config(kafka, super::Role::Consumer))
            .set("group.id", group)
            .create_with_context(context)?;
    consumer.subscribe(&[&topic])?;
    Ok(consumer)
}

/// Creates a consumer for a replay: assigned to the given raw partitions at their start offsets,
/// storing progress in the replay's own group.
///
/// # Errors
/// Fails when librdkafka rejects the configuration or the assignment.
pub fn assign_range(
    kafka: &crate::config::KafkaConfig,
    spec: &super::range::RangeSpec,
    context: StageContext,
) -> KafkaResult<BaseConsumer<StageContext>> {
    let topic = context.topic.clone();
    let consumer: BaseConsumer<StageContext> = super::client_config(kafka, super::Role::Consumer)
        .set("group.id", &spec.group)
        .create_with_context(context)?;
    let mut tpl = TopicPartitionList::new();
    for &(p, start, _) in &spec.partitions {
        tpl.add_partition_offset(&topic, p, Offset::Offset(start))?;
    }
    consumer.assign(&tpl)?;
    Ok(consumer)
}
