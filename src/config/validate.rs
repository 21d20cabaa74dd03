//! Range and cross-field checks of a parsed configuration: each failure names its key.

use std::time::Duration;

use super::{Config, ConfigError, KafkaConfig, LEASE_MARGIN, MIN_IN_FLIGHT_BYTES, key_error};

/// librdkafka properties wirefeed sets itself; setting them by passthrough would break delivery
/// guarantees or the topology.
const OWNED_PROPERTIES: &[(&str, &str)] = &[
    ("bootstrap.servers", "use kafka.bootstrap_servers"),
    ("group.id", "derived from kafka.application_id"),
    (
        "enable.auto.offset.store",
        "offsets are stored only after delivery",
    ),
    (
        "enable.auto.commit",
        "offsets are committed by wirefeed's own schedule",
    ),
    ("enable.idempotence", "always on for wirefeed's producers"),
    ("transactional.id", "transactions are not used"),
];

/// Shortest ownership lease accepted.
const MIN_LEASE: Duration = Duration::from_secs(1);

impl Config {
    /// Cross-field and range checks.
    ///
    /// # Errors
    /// [`ConfigError::Key`] for the first key that fails.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let k = &self.kafka;
        if k.bootstrap_servers.trim().is_empty() {
            return Err(key_error(
                "kafka.bootstrap_servers",
                "must name at least one broker",
            ));
        }
        if k.application_id.trim().is_empty() {
            return Err(key_error("kafka.application_id", "must not be empty"));
        }
        if k.partitions < 1 {
            return Err(key_error("kafka.partitions", "must be at least 1"));
        }
        if k.replication_factor < 1 {
            return Err(key_error("kafka.replication_factor", "must be at least 1"));
        }
        if k.retention_ms < -1 || k.retention_ms == 0 {
            return Err(key_error(
                "kafka.retention_ms",
                "must be positive, or -1 for unlimited",
            ));
        }
        let mut names = vec![
            ("kafka.topics.raw", &k.topics.raw),
            ("kafka.topics.keyed", &k.topics.keyed),
            ("kafka.topics.articles", &k.topics.articles),
            ("kafka.topics.dead_letter", &k.topics.dead_letter),
        ];
        if !k.topics.duplicates.is_empty() {
            names.push(("kafka.topics.duplicates", &k.topics.duplicates));
        }
        for (i, (key, name)) in names.iter().enumerate() {
            if name.is_empty()
                || name.len() > 249
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            {
                return Err(key_error(
                    *key,
                    format!("{name:?} is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -)"),
                ));
            }
            if let Some((other, _)) = names[..i].iter().find(|(_, n)| n == name) {
                return Err(key_error(*key, format!("same topic as {other}")));
            }
        }
        for (table, props) in [
            ("kafka.properties", &k.properties),
            ("kafka.consumer", &k.consumer),
            ("kafka.producer", &k.producer),
        ] {
            for name in props.keys() {
                if let Some((_, why)) = OWNED_PROPERTIES.iter().find(|(p, _)| p == name) {
                    return Err(key_error(
                        format!("{table}.{name}"),
                        format!("set by wirefeed itself ({why})"),
                    ));
                }
            }
        }
        let p = &self.pipeline;
        if p.workers > 1024 {
            return Err(key_error("pipeline.workers", "at most 1024"));
        }
        if p.max_in_flight == 0 {
            return Err(key_error("pipeline.max_in_flight", "must be at least 1"));
        }
        if p.max_in_flight_bytes < MIN_IN_FLIGHT_BYTES {
            return Err(key_error(
                "pipeline.max_in_flight_bytes",
                format!("must be at least {MIN_IN_FLIGHT_BYTES} (1 MiB)"),
            ));
        }
        if p.max_item_bytes == 0 {
            return Err(key_error("pipeline.max_item_bytes", "must be at least 1"));
        }
        if p.format_header.trim().is_empty() {
            return Err(key_error("pipeline.format_header", "must not be empty"));
        }
        if p.drain_timeout.is_zero() {
            return Err(key_error("pipeline.drain_timeout", "must be positive"));
        }
        if self.dedup.window.is_zero() {
            return Err(key_error("dedup.window", "must be positive"));
        }
        if self.dedup.same_story_tolerance < Duration::from_secs(1) {
            return Err(key_error(
                "dedup.same_story_tolerance",
                "must be at least 1s",
            ));
        }
        if self.dedup.restore_lookback < self.dedup.window {
            return Err(key_error(
                "dedup.restore_lookback",
                "must be at least dedup.window (a shorter lookback forgets stories still in the window)",
            ));
        }
        if !(1..=15).contains(&self.dedup.near_duplicate_distance) {
            return Err(key_error(
                "dedup.near_duplicate_distance",
                "must be between 1 and 15 bits",
            ));
        }
        if self.dedup.restore_timeout.is_zero() {
            return Err(key_error("dedup.restore_timeout", "must be positive"));
        }
        self.timeouts()?;
        self.metrics.listen_addr()?;
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return Err(key_error(
                "log.level",
                format!("{:?} is not a level filter", self.log.level),
            ));
        }
        Ok(())
    }

    /// The timeouts that keep a paused or partitioned instance from writing an article twice:
    /// see [`KafkaConfig::ownership_lease`].
    fn timeouts(&self) -> Result<(), ConfigError> {
        let k = &self.kafka;
        for (name, value) in [
            (
                "session.timeout.ms",
                k.consumer_property("session.timeout.ms"),
            ),
            (
                "heartbeat.interval.ms",
                k.consumer_property("heartbeat.interval.ms"),
            ),
            (
                "max.poll.interval.ms",
                k.consumer_property("max.poll.interval.ms"),
            ),
            (
                "message.timeout.ms",
                k.producer_property("message.timeout.ms"),
            ),
            (
                "delivery.timeout.ms",
                k.producer_property("delivery.timeout.ms"),
            ),
        ] {
            KafkaConfig::millis(value, &format!("kafka.*.{name}"), 0)?;
        }
        let ms = |d: Duration| d.as_millis();
        let delivery = k.delivery_timeout();
        if delivery.is_zero() {
            return Err(key_error(
                "kafka.producer.message.timeout.ms",
                "must be positive: with 0 an output is never given up and may reach the broker \
                 long after its partition moved to another instance",
            ));
        }
        if k.ownership_lease() < MIN_LEASE {
            return Err(key_error(
                "kafka.producer.message.timeout.ms",
                format!(
                    "the delivery timeout ({} ms) must be at most session.timeout.ms ({} ms) \
                     minus heartbeat.interval.ms ({} ms) minus {} ms, so that an output still \
                     queued when the group gives its partition to another instance cannot be \
                     written after that instance rebuilt its state; lower message.timeout.ms \
                     (or leave it unset: a third of the session timeout) or raise \
                     kafka.consumer.session.timeout.ms",
                    ms(delivery),
                    ms(k.session_timeout()),
                    ms(k.heartbeat_interval()),
                    ms(LEASE_MARGIN + MIN_LEASE),
                ),
            ));
        }
        if k.revoke_drain_limit() >= k.max_poll_interval() {
            return Err(key_error(
                "kafka.consumer.max.poll.interval.ms",
                format!(
                    "must exceed the delivery timeout ({} ms) plus {} ms: a revocation waits \
                     that long for the partition's outputs",
                    ms(delivery),
                    ms(LEASE_MARGIN),
                ),
            ));
        }
        Ok(())
    }
}
