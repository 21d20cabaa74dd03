//! All broker I/O: client configuration, topic setup, the two stages and their shared plumbing.
//!
//! - [`parse_stage`]: raw topic → keyed topic (+ dead letters), with a worker pool.
//! - [`dedup_stage`]: keyed topic → articles topic (+ dead letters).
//! - [`sink`]: the producer wrapper that acknowledges deliveries into the offset tracker and
//!   retries failed ones; [`polled`]: the producer under it, whose delivery reports a thread of
//!   its own serves.
//! - [`dead_letter`]: what a dead letter looks like (reason and source headers, bounded
//!   replacements of outputs the broker will never take).
//! - [`consumer`]: the consumer context (rebalance: drain, store, commit) and offset storing.
//! - [`lease`]: how long a stage may still trust that it owns its partitions.
//! - [`range`]: a bounded range of the raw topic and the progress of a replay through it.
//! - [`keyed`]: the keyed record's layout; [`state_header`]: the dedup state an article carries.
//! - [`restore`]: rebuilds a keyed partition's dedup state from the articles topic;
//!   [`neardup_follower`] feeds the near-duplicate index from it.
//! - [`record_headers`]: reads record headers without trusting them.
//!
//! Each stage runs its own consumer and producer on one OS thread (librdkafka polls block), in its
//! own consumer group derived from `kafka.application_id`.

pub mod consumer;
pub mod dead_letter;
pub mod dedup_stage;
pub mod keyed;
pub mod lease;
pub mod neardup_follower;
pub mod parse_stage;
pub mod polled;
pub mod range;
pub mod record_headers;
pub mod restore;
pub mod sink;
pub mod state_header;

use std::time::Duration;

use anyhow::{Context as _, bail};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::types::RDKafkaErrorCode;

use crate::config::KafkaConfig;

/// Header names wirefeed writes.
pub mod headers {
    /// Dead letters: machine-readable reason code (`empty`, `malformed`, ...).
    pub const REASON: &str = "wirefeed.reason";
    /// Dead letters: human-readable detail.
    pub const DETAIL: &str = "wirefeed.detail";
    /// Dead letters: the stage that rejected the record (`parse` or `dedup`).
    pub const STAGE: &str = "wirefeed.stage";
    /// Dead letters: topic of the rejected record.
    pub const SOURCE_TOPIC: &str = "wirefeed.source.topic";
    /// Dead letters: partition of the rejected record.
    pub const SOURCE_PARTITION: &str = "wirefeed.source.partition";
    /// Dead letters: offset of the rejected record.
    pub const SOURCE_OFFSET: &str = "wirefeed.source.offset";
    /// Dead letters of documents that also produced articles (a feed with some unusable entries):
    /// how many of its items were rejected.
    pub const REJECTED_ITEMS: &str = "wirefeed.rejected-items";
    /// Articles: the dedup state the article implies and its annotations, in one versioned text
    /// header ([`super::state_header`]): `2 <version> <first published ms> <version time ms>
    /// <fingerprint hex> <index 0|1> <source> <near-duplicate of> <replay> <dedup key>`.
    pub const STATE: &str = "wirefeed.state";
    /// Articles written before [`STATE`]: dedup key. Read by restores, no longer written.
    pub const DEDUP_KEY: &str = "wirefeed.dedup-key";
    /// Articles written before [`STATE`]: first publication time (RFC 3339). Read by restores,
    /// no longer written.
    pub const FIRST_PUBLISHED: &str = "wirefeed.first-published";
    /// Articles written before [`STATE`]: version time (RFC 3339). Read by restores, no longer
    /// written.
    pub const VERSION_TIME: &str = "wirefeed.version-time";
    /// Articles written before [`STATE`]: version number. Read by restores, no longer written
    /// (the ninjs `version` field carries it).
    pub const VERSION: &str = "wirefeed.version";
    /// Articles written before [`STATE`]: content fingerprint (16 hex digits). Read by restores,
    /// no longer written.
    pub const FINGERPRINT: &str = "wirefeed.fingerprint";
    /// Keyed records: the raw record's timestamp (ms), for the end-to-end latency metric.
    pub const RECORD_TIME: &str = "wirefeed.record-time";
    /// The raw record an article came from, `PARTITION:OFFSET` of the raw topic: on duplicate
    /// records and dead letters of the dedup stage, on keyed records of the older layouts, and on
    /// articles with `output.article_headers = "separate"` (otherwise in [`STATE`]).
    pub const SOURCE: &str = "wirefeed.source";
    /// Duplicate records (`kafka.topics.duplicates`): the id of the article the dropped copy
    /// duplicates.
    pub const DUPLICATE_OF: &str = "wirefeed.duplicate-of";
    /// Dead letters whose value was cut to fit the producer's `message.max.bytes`: the length of
    /// the original value in bytes.
    pub const TRUNCATED: &str = "wirefeed.truncated";
    /// A replay's id: on keyed records of the older layouts and articles with
    /// `output.article_headers = "separate"` (otherwise in [`STATE`]).
    pub const REPLAY: &str = "wirefeed.replay";
    /// Articles: `new` or `update` (kept beside [`STATE`] as plain text: consumers route
    /// updates by it without parsing anything, and replays count their outputs by it).
    pub const KIND: &str = "wirefeed.kind";
    /// Articles with `output.article_headers = "separate"`: id of the first copy, when this
    /// article is a near-duplicate of it (otherwise in [`STATE`]).
    pub const NEAR_DUPLICATE_OF: &str = "wirefeed.near-duplicate-of";
    /// Articles written before [`STATE`]: present when other instances should add this article
    /// to their near-duplicate index. Read by the near-duplicate follower, no longer written.
    pub const NEAR_DUP_INDEX: &str = "wirefeed.near-dup-index";
}

/// Which client a configuration is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A consumer in the given group.
    Consumer,
    /// A producer.
    Producer,
    /// An admin or metadata client.
    Admin,
}

/// Bound on each consumer's prefetched records, in KiB (`queued.max.messages.kbytes`;
/// librdkafka's default is 64 MiB): about 850 seed-like items, enough to keep a stage busy, and
/// memory stays flat while draining a backlog. With [`FETCH_MAX_BYTES`] it took peak RSS in
/// `bench/e2e --items 100000` from 63 to 47 MB (4096 KiB and 8 MiB before) at the same throughput
/// against the pass-through. Stage consumers can override it under `[kafka.consumer]`.
pub const PREFETCH_KBYTES: &str = "1024";

/// Bound on each stage consumer's fetch response, in bytes (`fetch.max.bytes`; librdkafka's
/// default is 50 MiB): the prefetch bound is checked before a fetch, so one response can overshoot
/// it by this much. librdkafka raises it to `message.max.bytes` when that is larger, and a
/// single record larger than it is still fetched whole. 2 MiB per fetch is some 1 700 seed-like
/// items, several times what one stage handles between two fetches.
pub const FETCH_MAX_BYTES: &str = "2097152";

/// The producer property that bounds its queue of unacknowledged outputs, in KiB.
pub(crate) const PRODUCER_QUEUE_KBYTES_KEY: &str = "queue.buffering.max.kbytes";

/// Bound on a stage producer's queue of unacknowledged outputs, in KiB, for a budget of
/// `max_in_flight_bytes` (`pipeline.max_in_flight_bytes`): the budget, but at least the largest
/// record the producer accepts, so any record fits once the queue has drained. `None` when the
/// `[kafka.producer]` or `[kafka.properties]` table sets the property itself.
pub fn producer_queue_kbytes(kafka: &KafkaConfig, max_in_flight_bytes: usize) -> Option<usize> {
    if kafka.producer.contains_key(PRODUCER_QUEUE_KBYTES_KEY)
        || kafka.properties.contains_key(PRODUCER_QUEUE_KBYTES_KEY)
    {
        return None;
    }
    Some(
        max_in_flight_bytes
            .max(max_message_bytes(kafka))
            .div_ceil(1024),
    )
}

/// How long a stage consumer waits before fetching a partition again once its prefetch bound is
/// reached (`fetch.queue.backoff.ms`). librdkafka's default of 1 s, with a prefetch bound the
/// consumer fills faster than that, made draining a backlog stop and go. The restore and
/// near-duplicate readers keep librdkafka's defaults: with the bound on them too, chaos runs on
/// Tansu re-emitted blocks of articles in one run of three (none in four without it); the cause
/// is not yet understood.
pub const FETCH_QUEUE_BACKOFF_MS: &str = "20";

/// Builds the librdkafka configuration for one client: wirefeed's settings, then the
/// passthrough tables (`kafka.properties`, then the role's own table).
pub fn client_config(kafka: &KafkaConfig, role: Role) -> ClientConfig {
    let mut cc = ClientConfig::new();
    cc.set("bootstrap.servers", &kafka.bootstrap_servers);
    cc.set("client.id", format!("wirefeed-{}", kafka.application_id));
    match role {
        Role::Consumer => {
            cc.set("enable.auto.commit", "true")
                .set("auto.commit.interval.ms", "1000")
                .set("enable.auto.offset.store", "false")
                .set("auto.offset.reset", "earliest")
                .set("partition.assignment.strategy", "cooperative-sticky")
                .set("isolation.level", "read_committed")
                .set("queued.max.messages.kbytes", PREFETCH_KBYTES)
                .set("fetch.max.bytes", FETCH_MAX_BYTES)
                .set("fetch.queue.backoff.ms", FETCH_QUEUE_BACKOFF_MS);
        }
        Role::Producer => {
            // An output not delivered by then fails locally (and is sent again only while its
            // partition is still owned): see `KafkaConfig::ownership_lease`.
            cc.set(
                "message.timeout.ms",
                kafka.delivery_timeout().as_millis().to_string(),
            );
            cc.set("enable.idempotence", "true")
                .set("acks", "all")
                // Suits a broker that acknowledges quickly; on a slow one the idempotent
                // producer's broker thread spins while its five requests are out, and a longer
                // linger trades latency and memory for CPU (docs/operations.md).
                .set("linger.ms", "5")
                // Same partitioner as the Java client, so any Kafka client agrees on which
                // keyed partition a dedup key belongs to.
                .set("partitioner", "murmur2_random");
        }
        Role::Admin => {}
    }
    for (k, v) in &kafka.properties {
        cc.set(k, v);
    }
    let own = match role {
        Role::Consumer => &kafka.consumer,
        Role::Producer => &kafka.producer,
        Role::Admin => return cc,
    };
    for (k, v) in own {
        cc.set(k, v);
    }
    cc
}

/// The largest record the producers accept (`message.max.bytes`, librdkafka's default 1000000
/// unless a passthrough table sets it). Outputs above it become dead letters instead of failing
/// forever.
pub fn max_message_bytes(kafka: &KafkaConfig) -> usize {
    kafka
        .producer
        .get("message.max.bytes")
        .or_else(|| kafka.properties.get("message.max.bytes"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// Per-record overhead of the record format beyond key, value and headers, with room to spare
/// (the batch header is shared, each record adds at most a few dozen bytes of varints).
pub const RECORD_OVERHEAD: usize = 512;

/// Creates the four topics when missing (if `create_topics` is on) and checks the topology: all
/// exist, and the keyed and articles topics have the same partition count.
///
/// # Errors
/// Fails when a topic is missing and cannot be created, or the partition counts differ.
pub async fn ensure_topics(kafka: &KafkaConfig) -> anyhow::Result<()> {
    if kafka.create_topics {
        let admin: AdminClient<DefaultClientContext> = client_config(kafka, Role::Admin)
            .create()
            .context("creating the admin client")?;
        let retention = kafka.retention_ms.to_string();
        let topics: Vec<NewTopic<'_>> = kafka
            .topics
            .all()
            .iter()
            .map(|name| {
                NewTopic::new(
                    name,
                    kafka.partitions,
                    TopicReplication::Fixed(kafka.replication_factor),
                )
                .set("retention.ms", &retention)
            })
            .collect();
        let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
        let results = admin
            .create_topics(&topics, &opts)
            .await
            .context("creating topics")?;
        for result in results {
            match result {
                Ok(name) => {
                    tracing::info!(topic = %name, partitions = kafka.partitions, "Created topic")
                }
                Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((name, code)) => bail!("cannot create topic {name}: {code}"),
            }
        }
    }
    let kafka = kafka.clone();
    tokio::task::spawn_blocking(move || check_topology(&kafka)).await?
}

/// Partition count of each topic, waiting up to `timeout` for all to be known to the cluster.
///
/// # Errors
/// Fails when a topic does not exist after `timeout`.
pub fn partition_counts(
    kafka: &KafkaConfig,
    topics: &[&str],
    timeout: Duration,
) -> anyhow::Result<Vec<i32>> {
    let consumer: BaseConsumer = client_config(kafka, Role::Admin)
        .create()
        .context("creating a metadata client")?;
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let mut counts = Vec::with_capacity(topics.len());
        let mut missing = None;
        for topic in topics {
            let md = consumer
                .fetch_metadata(Some(topic), Duration::from_secs(10))
                .with_context(|| {
                    format!(
                        "fetching metadata of {topic} from {}",
                        kafka.bootstrap_servers
                    )
                })?;
            match md.topics().first() {
                Some(t) if t.error().is_none() && !t.partitions().is_empty() => {
                    counts.push(t.partitions().len() as i32)
                }
                _ => {
                    missing = Some(*topic);
                    break;
                }
            }
        }
        match missing {
            None => return Ok(counts),
            Some(topic) if std::time::Instant::now() >= deadline => {
                bail!("topic {topic} does not exist (create it, or set kafka.create_topics = true)")
            }
            Some(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

fn check_topology(kafka: &KafkaConfig) -> anyhow::Result<()> {
    let t = &kafka.topics;
    let counts = partition_counts(kafka, &t.all(), Duration::from_secs(15))?;
    if counts[1] != counts[2] {
        bail!(
            "the keyed topic {} has {} partitions but the articles topic {} has {}: they must be equal \
             (articles of keyed partition p go to articles partition p)",
            t.keyed,
            counts[1],
            t.articles,
            counts[2]
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Sources};

    fn kafka(sets: &[&str]) -> KafkaConfig {
        Config::load(&Sources {
            file: None,
            env: Vec::new(),
            sets: sets.iter().map(|s| s.to_string()).collect(),
        })
        .unwrap()
        .kafka
    }

    /// The producer's queue follows the byte budget, fits the largest record, and yields to a
    /// passthrough setting.
    #[test]
    fn producer_queue_follows_the_byte_budget() {
        assert_eq!(producer_queue_kbytes(&kafka(&[]), 64 << 20), Some(65536));
        assert_eq!(producer_queue_kbytes(&kafka(&[]), 1 << 20), Some(1024));
        let big = kafka(&["kafka.producer.message.max.bytes=10000000"]);
        assert_eq!(producer_queue_kbytes(&big, 1 << 20), Some(9766));
        let own = kafka(&["kafka.producer.queue.buffering.max.kbytes=2048"]);
        assert_eq!(producer_queue_kbytes(&own, 64 << 20), None);
    }
}
