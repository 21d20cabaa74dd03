//! The configuration's tables, one typed struct per `[table]` of the TOML file, with the values
//! derived from them (consumer groups, timeouts, the ownership lease). `config/default.toml`
//! holds every key's default and documents it.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ConfigError, key_error};
use crate::ninjs::NinjsVersion;

/// `[kafka]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaConfig {
    /// Comma-separated bootstrap brokers.
    pub bootstrap_servers: String,
    /// Base of both consumer group ids.
    pub application_id: String,
    /// Create missing topics at start.
    pub create_topics: bool,
    /// Partitions of created topics.
    pub partitions: i32,
    /// Replication factor of created topics.
    pub replication_factor: i32,
    /// `retention.ms` of created topics.
    pub retention_ms: i64,
    /// Topic names.
    pub topics: TopicsConfig,
    /// librdkafka properties for every client.
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    /// librdkafka properties for consumers.
    #[serde(default)]
    pub consumer: BTreeMap<String, String>,
    /// librdkafka properties for producers.
    #[serde(default)]
    pub producer: BTreeMap<String, String>,
}

impl KafkaConfig {
    /// Consumer group of the parse stage.
    pub fn parse_group(&self) -> String {
        format!("{}-parse", self.application_id)
    }

    /// Consumer group of the dedup stage.
    pub fn dedup_group(&self) -> String {
        format!("{}-dedup", self.application_id)
    }

    /// A consumer property as configured (`[kafka.consumer]` over `[kafka.properties]`).
    pub(super) fn consumer_property(&self, name: &str) -> Option<&str> {
        self.consumer
            .get(name)
            .or_else(|| self.properties.get(name))
            .map(String::as_str)
    }

    /// A producer property as configured (`[kafka.producer]` over `[kafka.properties]`).
    pub(super) fn producer_property(&self, name: &str) -> Option<&str> {
        self.producer
            .get(name)
            .or_else(|| self.properties.get(name))
            .map(String::as_str)
    }

    /// A millisecond property, `default_ms` when unset; `Err` names the property when it is not a
    /// number.
    pub(super) fn millis(
        value: Option<&str>,
        name: &str,
        default_ms: u64,
    ) -> Result<Duration, ConfigError> {
        match value {
            None => Ok(Duration::from_millis(default_ms)),
            Some(v) => v.trim().parse().map(Duration::from_millis).map_err(|_| {
                key_error(
                    name.to_owned(),
                    format!("{v:?} is not a number of milliseconds"),
                )
            }),
        }
    }

    /// The consumers' `session.timeout.ms` (librdkafka's default: 45 s): how long the group
    /// coordinator waits for a silent member before giving its partitions to another.
    pub fn session_timeout(&self) -> Duration {
        let v = self.consumer_property("session.timeout.ms");
        Self::millis(v, "session.timeout.ms", 45_000).unwrap_or(Duration::from_secs(45))
    }

    /// The consumers' `heartbeat.interval.ms` (librdkafka's default: 3 s).
    pub fn heartbeat_interval(&self) -> Duration {
        let v = self.consumer_property("heartbeat.interval.ms");
        Self::millis(v, "heartbeat.interval.ms", 3_000).unwrap_or(Duration::from_secs(3))
    }

    /// The consumers' `max.poll.interval.ms` (librdkafka's default: 300 s).
    pub fn max_poll_interval(&self) -> Duration {
        let v = self.consumer_property("max.poll.interval.ms");
        Self::millis(v, "max.poll.interval.ms", 300_000).unwrap_or(Duration::from_secs(300))
    }

    /// The producers' delivery timeout: `message.timeout.ms` (or its alias
    /// `delivery.timeout.ms`) when configured, else a third of the session timeout. An output
    /// the broker has not taken by then fails locally and is sent again only if its partition is
    /// still owned.
    pub fn delivery_timeout(&self) -> Duration {
        let v = self
            .producer_property("message.timeout.ms")
            .or_else(|| self.producer_property("delivery.timeout.ms"));
        match v {
            Some(_) => Self::millis(v, "message.timeout.ms", 0).unwrap_or_default(),
            None => self.session_timeout() / 3,
        }
    }

    /// How long the dedup stage may hand articles to its producer after its last proof of group
    /// membership (a successful commit): the session timeout, less the delivery timeout, one
    /// heartbeat interval and [`LEASE_MARGIN`]. An article handed over within the lease reaches
    /// the broker or fails before the coordinator can have given the partition to another
    /// instance, so a paused or partitioned instance cannot write an article after the
    /// partition's next owner rebuilt its state.
    pub fn ownership_lease(&self) -> Duration {
        self.session_timeout()
            .saturating_sub(self.delivery_timeout())
            .saturating_sub(self.heartbeat_interval())
            .saturating_sub(LEASE_MARGIN)
    }

    /// Longest a revocation waits for the partition's outputs still inside the producer: they
    /// are delivered or failed within the delivery timeout.
    pub fn revoke_drain_limit(&self) -> Duration {
        self.delivery_timeout() + LEASE_MARGIN
    }
}

/// Slack in the ownership lease for clock rates, the commit round trip and scheduling.
pub const LEASE_MARGIN: Duration = Duration::from_secs(2);

/// `[kafka.topics]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TopicsConfig {
    /// Raw input.
    pub raw: String,
    /// Parsed articles keyed by dedup key.
    pub keyed: String,
    /// Output articles.
    pub articles: String,
    /// Dead letters.
    pub dead_letter: String,
    /// Audit log of dropped duplicates (one small record per copy dropped, naming the raw record
    /// and the article it duplicates); empty turns it off.
    #[serde(default)]
    pub duplicates: String,
}

impl TopicsConfig {
    /// Every topic wirefeed uses: raw, keyed, articles, dead letter, then the duplicates log when
    /// it is on.
    pub fn all(&self) -> Vec<&str> {
        let mut all = vec![
            self.raw.as_str(),
            &self.keyed,
            &self.articles,
            &self.dead_letter,
        ];
        if !self.duplicates.is_empty() {
            all.push(&self.duplicates);
        }
        all
    }
}

/// The least `pipeline.max_in_flight_bytes` accepted: 1 MiB.
pub const MIN_IN_FLIGHT_BYTES: usize = 1 << 20;

/// `[pipeline]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// Parser threads; 0 = one per core.
    pub workers: usize,
    /// Records in flight per stage before consumption pauses.
    pub max_in_flight: usize,
    /// Bytes in flight per stage before consumption pauses: raw bytes the parse stage holds
    /// (consumed, not yet produced), and each producer's queue of unacknowledged outputs.
    pub max_in_flight_bytes: usize,
    /// Largest raw record parsed.
    pub max_item_bytes: usize,
    /// Header that forces the input format.
    pub format_header: String,
    /// Body paragraphs starting with these phrases are dropped (an outlet's own boilerplate).
    #[serde(default)]
    pub drop_paragraphs: Vec<String>,
    /// How long shutdown and revocation wait for outstanding deliveries.
    #[serde(with = "humantime_serde")]
    pub drain_timeout: Duration,
    /// The layout the parse stage writes keyed records in (the dedup stage reads both).
    #[serde(default)]
    pub keyed_layout: KeyedLayout,
}

/// The layout of keyed records the parse stage writes ([`crate::kafka::keyed`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyedLayout {
    /// A version byte, the raw record's origin and the article in a compact binary form; no
    /// record headers.
    #[default]
    Compact,
    /// The compact layout with the origin in record headers (version byte 1), which dedup
    /// stages of earlier builds read: for the first step of a rolling upgrade from them.
    #[serde(rename = "compact-v1")]
    CompactV1,
    /// The article as JSON, origin in headers, which the dedup stages of the earliest builds
    /// read: for the first step of a rolling upgrade from them.
    Json,
}

impl KeyedLayout {
    /// Whether records of this layout carry their origin in record headers rather than in the
    /// value.
    pub fn origin_in_headers(self) -> bool {
        self != KeyedLayout::Compact
    }
}

impl PipelineConfig {
    /// The worker count with 0 resolved to the number of cores.
    pub fn worker_count(&self) -> usize {
        if self.workers == 0 {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            self.workers
        }
    }
}

/// `[dedup]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DedupConfig {
    /// Same-story window: copies with near-identical bodies are one story within it.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// Copies whose first publication times lie this close are one story whatever their bodies;
    /// further apart, the same headline over a different body is a new story.
    #[serde(with = "humantime_serde")]
    pub same_story_tolerance: Duration,
    /// How far back the state restore reads the articles topic.
    #[serde(with = "humantime_serde")]
    pub restore_lookback: Duration,
    /// Upper bound on one partition's restore.
    #[serde(with = "humantime_serde")]
    pub restore_timeout: Duration,
    /// What to do with near-duplicates (reworked headlines over the same body).
    pub near_duplicates: NearDuplicates,
    /// Largest SimHash distance (bits) that counts as a near-duplicate.
    pub near_duplicate_distance: u32,
    /// Bodies shorter than this (words) are not compared: their fingerprints say too little.
    pub near_duplicate_min_words: u32,
}

impl DedupConfig {
    /// The same-story rule these settings describe (a window shorter than the tolerance caps
    /// it).
    pub fn same_story(&self) -> crate::pipeline::dedup::SameStory {
        crate::pipeline::dedup::SameStory {
            tolerance: self.same_story_tolerance.min(self.window),
            window: self.window,
            distance: self.near_duplicate_distance,
            min_words: self.near_duplicate_min_words,
        }
    }
}

/// Handling of near-duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NearDuplicates {
    /// Emit them, with the first copy's id in the extension and a header.
    Annotate,
    /// Drop them (counted).
    Drop,
    /// Do not look for them.
    Off,
}

/// `[output]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// ninjs version.
    pub ninjs_version: NinjsVersion,
    /// Also write the `wirefeed` extension object; off by default, so articles validate against
    /// the official ninjs schema.
    pub extension: bool,
    /// The headers of article records.
    #[serde(default)]
    pub article_headers: ArticleHeaders,
}

/// The headers an article record carries ([`crate::kafka::state_header`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArticleHeaders {
    /// `wirefeed.state` in layout 2 (the dedup state with the source, near-duplicate and replay
    /// annotations) and `wirefeed.kind`.
    #[default]
    Compact,
    /// `wirefeed.state` in layout 1, `wirefeed.kind`, and `wirefeed.source`,
    /// `wirefeed.near-duplicate-of`, `wirefeed.replay` as headers of their own: what earlier
    /// builds wrote and read, for consumers that read those headers and for the first step of
    /// a rolling upgrade from a build that reads layout 1 only.
    Separate,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// `[log]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// Text or JSON.
    pub format: LogFormat,
    /// Default level filter.
    pub level: String,
}

/// `[metrics]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Address of the HTTP endpoint (`/metrics`, `/healthz`, `/readyz`), as `IP:port`; empty
    /// turns the endpoint off.
    pub listen: String,
}

impl MetricsConfig {
    /// The address to listen on, or `None` when the endpoint is off.
    ///
    /// # Errors
    /// [`ConfigError::Key`] when `listen` is neither empty nor an `IP:port` address.
    pub fn listen_addr(&self) -> Result<Option<std::net::SocketAddr>, ConfigError> {
        let listen = self.listen.trim();
        if listen.is_empty() {
            return Ok(None);
        }
        listen.parse().map(Some).map_err(|_| {
            key_error(
                "metrics.listen",
                format!(
                    "{listen:?} is not an IP:port address (e.g. 0.0.0.0:9898 or [::]:9898; \
                     port 0 picks a free port; empty turns the endpoint off)"
                ),
            )
        })
    }
}
