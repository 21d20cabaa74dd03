//! Configuration: one TOML file, every key overridable by environment variable and `--set` flag,
//! checked up front.
//!
//! Loading goes file → `WIREFEED_*` environment → `--set key=value` flags, each layer replacing
//! keys of the one before, then a strict typed parse (`deny_unknown_fields`: a misspelt key is an
//! error, not a silently ignored default) and cross-field checks. Every error names the key.
//! `config/default.toml` documents each key; [`DEFAULT_TOML`] embeds it.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::ninjs::NinjsVersion;

/// The documented default configuration, embedded at build time.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Prefix of environment variables that override configuration keys.
pub const ENV_PREFIX: &str = "WIREFEED_";

/// Environment variables with the prefix that are not configuration keys.
const ENV_RESERVED: &[&str] = &["WIREFEED_CONFIG", "WIREFEED_LOG", crate::faults::ENV];

/// Tables whose keys are librdkafka property names, passed through as strings.
const PASSTHROUGH_TABLES: &[&str] = &["kafka.properties", "kafka.consumer", "kafka.producer"];

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

/// A configuration error: which key, and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The path given.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("config file {path} is not valid TOML: {message}")]
    Syntax {
        /// Where the text came from.
        path: String,
        /// The parser's message.
        message: String,
    },
    /// A key is unknown or its value has the wrong type or range.
    #[error("config key `{key}`: {message}")]
    Key {
        /// Dotted key path.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A `--set` flag without `=`.
    #[error("--set expects key=value, got {0:?}")]
    SetSyntax(String),
}

fn key_error(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Key {
        key: key.into(),
        message: message.into(),
    }
}

/// The whole configuration.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Brokers, topics and client properties.
    pub kafka: KafkaConfig,
    /// Parse stage tuning.
    pub pipeline: PipelineConfig,
    /// Dedup semantics.
    pub dedup: DedupConfig,
    /// Output format.
    pub output: OutputConfig,
    /// Logging.
    pub log: LogConfig,
    /// Prometheus metrics and health endpoints.
    pub metrics: MetricsConfig,
}

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
    fn consumer_property(&self, name: &str) -> Option<&str> {
        self.consumer
            .get(name)
            .or_else(|| self.properties.get(name))
            .map(String::as_str)
    }

    /// A producer property as configured (`[kafka.producer]` over `[kafka.properties]`).
    fn producer_property(&self, name: &str) -> Option<&str> {
        self.producer
            .get(name)
            .or_else(|| self.properties.get(name))
            .map(String::as_str)
    }

    /// A millisecond property, `default_ms` when unset; `Err` names the property when it is not a
    /// number.
    fn millis(value: Option<&str>, name: &str, default_ms: u64) -> Result<Duration, ConfigError> {
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

/// Shortest ownership lease accepted.
const MIN_LEASE: Duration = Duration::from_secs(1);

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

/// `[pipeline]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// Parser threads; 0 = one per core.
    pub workers: usize,
    /// Records in flight per stage before consumption pauses.
    pub max_in_flight: usize,
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

/// Where configuration comes from.
#[derive(Debug, Default, Clone)]
pub struct Sources<'a> {
    /// A TOML file whose keys replace the defaults.
    pub file: Option<&'a Path>,
    /// Environment variables (name, value); usually `std::env::vars()`.
    pub env: Vec<(String, String)>,
    /// `--set key=value` flags, in order.
    pub sets: Vec<String>,
}

impl Config {
    /// Loads defaults, then the file, the environment and the flags, and validates the result.
    ///
    /// # Errors
    /// [`ConfigError`] naming the offending key or file.
    pub fn load(sources: &Sources<'_>) -> Result<Config, ConfigError> {
        let mut table = parse_toml(DEFAULT_TOML, "built-in defaults")?;
        if let Some(path) = sources.file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.display().to_string(),
                source,
            })?;
            let file = parse_toml(&text, &path.display().to_string())?;
            merge(&mut table, file);
        }
        for (name, value) in &sources.env {
            let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            if ENV_RESERVED.contains(&name.as_str()) || rest.is_empty() {
                continue;
            }
            let path = env_path(rest);
            set_path(&mut table, &path, value)?;
        }
        for set in &sources.sets {
            let (key, value) = set
                .split_once('=')
                .ok_or_else(|| ConfigError::SetSyntax(set.clone()))?;
            set_path(&mut table, &dotted_path(key.trim()), value.trim())?;
        }
        let config: Config =
            serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
                let key = e.path().to_string();
                key_error(
                    if key == "." { "(root)".into() } else { key },
                    e.inner().to_string(),
                )
            })?;
        config.validate()?;
        Ok(config)
    }

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

    /// The configuration as TOML with secrets replaced by `"[redacted]"`, for `check-config`.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        for props in [
            &mut shown.kafka.properties,
            &mut shown.kafka.consumer,
            &mut shown.kafka.producer,
        ] {
            for (name, value) in props.iter_mut() {
                if is_secret(name) {
                    *value = "[redacted]".into();
                }
            }
        }
        toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }
}

/// True for librdkafka property names whose values are secrets.
pub fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "password",
        "secret",
        "ssl.key.pem",
        "ssl.key.location",
        "ssl_key",
        "token",
        "credential",
        // Passphrases of private keys (sasl.oauthbearer.assertion.private.key.passphrase).
        "passphrase",
        // sasl.oauthbearer.assertion.private.key.{pem,file}.
        "private.key",
        // Holds client secrets or unsecured-JWT claims.
        "sasl.oauthbearer.config",
    ]
    .iter()
    .any(|s| name.contains(s))
}

fn parse_toml(text: &str, origin: &str) -> Result<toml::Table, ConfigError> {
    text.parse::<toml::Table>()
        .map_err(|e| ConfigError::Syntax {
            path: origin.to_owned(),
            message: e.to_string(),
        })
}

/// Merges `over` into `base`, table by table.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

/// `KAFKA__PROPERTIES__SASL_PASSWORD` → `["kafka", "properties", "sasl.password"]`.
fn env_path(rest: &str) -> Vec<String> {
    let mut parts: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
    let prefix = parts[..parts.len().saturating_sub(1)].join(".");
    if PASSTHROUGH_TABLES.contains(&prefix.as_str())
        && let Some(last) = parts.last_mut()
    {
        *last = last.replace('_', ".");
    }
    parts
}

/// `kafka.properties.sasl.password` → `["kafka", "properties", "sasl.password"]`.
fn dotted_path(key: &str) -> Vec<String> {
    for table in PASSTHROUGH_TABLES {
        if let Some(prop) = key.strip_prefix(table).and_then(|r| r.strip_prefix('.')) {
            let mut parts: Vec<String> = table.split('.').map(str::to_owned).collect();
            parts.push(prop.to_owned());
            return parts;
        }
    }
    key.split('.').map(str::to_owned).collect()
}

/// Sets `path` in `table` to `raw`, typed as TOML when it parses as a scalar (number, bool) and
/// as a string otherwise; values in passthrough tables stay strings.
fn set_path(table: &mut toml::Table, path: &[String], raw: &str) -> Result<(), ConfigError> {
    let key = path.join(".");
    if path.iter().any(String::is_empty) {
        return Err(key_error(key, "empty key segment"));
    }
    let passthrough = PASSTHROUGH_TABLES.contains(&path[..path.len() - 1].join(".").as_str());
    let value = if passthrough {
        toml::Value::String(raw.to_owned())
    } else {
        typed_scalar(raw)
    };
    let mut current = table;
    for segment in &path[..path.len() - 1] {
        let entry = current
            .entry(segment.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = match entry {
            toml::Value::Table(t) => t,
            _ => return Err(key_error(key, format!("`{segment}` is not a table"))),
        };
    }
    current.insert(path[path.len() - 1].clone(), value);
    Ok(())
}

fn typed_scalar(raw: &str) -> toml::Value {
    // Arrays and inline tables in TOML syntax: `["a", "b"]`, `{ x = 1 }`.
    if raw.trim_start().starts_with(['[', '{'])
        && let Ok(mut t) = format!("v = {raw}").parse::<toml::Table>()
        && let Some(v) = t.remove("v")
    {
        return v;
    }
    if let Ok(i) = raw.parse::<i64>() {
        return toml::Value::Integer(i);
    }
    if let Ok(b) = raw.parse::<bool>() {
        return toml::Value::Boolean(b);
    }
    if raw.contains('.')
        && let Ok(f) = raw.parse::<f64>()
    {
        return toml::Value::Float(f);
    }
    toml::Value::String(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(env: &[(&str, &str)], sets: &[&str]) -> Result<Config, ConfigError> {
        Config::load(&Sources {
            file: None,
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            sets: sets.iter().map(|s| s.to_string()).collect(),
        })
    }

    #[test]
    fn defaults_load_and_validate() {
        let c = load(&[], &[]).unwrap();
        assert_eq!(c.kafka.topics.raw, "wirefeed.raw");
        assert_eq!(c.dedup.window, Duration::from_secs(48 * 3600));
        assert_eq!(c.dedup.same_story_tolerance, Duration::from_secs(6 * 3600));
        assert_eq!(c.output.ninjs_version, NinjsVersion::V2_2);
        assert_eq!(c.kafka.parse_group(), "wirefeed-parse");
    }

    #[test]
    fn environment_and_flags_override_in_order() {
        let c = load(
            &[
                ("WIREFEED_KAFKA__BOOTSTRAP_SERVERS", "a:1"),
                ("WIREFEED_PIPELINE__WORKERS", "3"),
                ("WIREFEED_KAFKA__PROPERTIES__SASL_PASSWORD", "hunter2"),
                ("WIREFEED_CONFIG", "ignored.toml"),
                ("OTHER", "x"),
            ],
            &[
                "kafka.bootstrap_servers=b:2",
                "dedup.window=2h",
                "kafka.consumer.fetch.wait.max.ms=100",
            ],
        )
        .unwrap();
        assert_eq!(c.kafka.bootstrap_servers, "b:2");
        assert_eq!(c.pipeline.workers, 3);
        assert_eq!(c.kafka.properties["sasl.password"], "hunter2");
        assert_eq!(c.kafka.consumer["fetch.wait.max.ms"], "100");
        assert_eq!(c.dedup.window, Duration::from_secs(7200));
        // A window shorter than the tolerance caps it.
        assert_eq!(c.dedup.same_story().tolerance, Duration::from_secs(7200));
        let arrays = load(
            &[],
            &[r#"pipeline.drop_paragraphs=["Follow us", "Read more"]"#],
        )
        .unwrap();
        assert_eq!(arrays.pipeline.drop_paragraphs, ["Follow us", "Read more"]);
        let shown = c.to_redacted_toml();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn errors_name_the_key() {
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);
        let cases: &[Case<'_>] = &[
            (&[("WIREFEED_KAFKA__BOOTSTRAP_SERVER", "x")], &[], "kafka"),
            (&[], &["pipeline.workers=many"], "pipeline.workers"),
            (&[], &["dedup.window=soon"], "dedup.window"),
            (&[], &["dedup.window=0s"], "dedup.window"),
            (
                &[],
                &["dedup.same_story_tolerance=0s"],
                "dedup.same_story_tolerance",
            ),
            (&[], &["output.ninjs_version=9"], "output.ninjs_version"),
            (
                &[],
                &["kafka.topics.keyed=wirefeed.raw"],
                "kafka.topics.keyed",
            ),
            (&[], &["kafka.topics.raw=bad name"], "kafka.topics.raw"),
            (
                &[],
                &["kafka.properties.group.id=x"],
                "kafka.properties.group.id",
            ),
            (&[], &["kafka.partitions=0"], "kafka.partitions"),
            (&[], &["log.format=xml"], "log.format"),
            (&[], &["metrics.listen=localhost:9898"], "metrics.listen"),
            (&[], &["metrics.listen=0.0.0.0"], "metrics.listen"),
        ];
        for (env, sets, key) in cases {
            let err = load(env, sets).unwrap_err().to_string();
            assert!(err.contains(key), "{err} should name {key}");
        }
        let err = load(&[("WIREFEED_KAFKA__BOOTSTRAP_SERVER", "x")], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("bootstrap_server"), "{err}");
    }

    #[test]
    fn metrics_listen_parses_or_turns_off() {
        let c = load(&[], &[]).unwrap();
        assert_eq!(
            c.metrics.listen_addr().unwrap(),
            Some("0.0.0.0:9898".parse().unwrap())
        );
        let c = load(&[("WIREFEED_METRICS__LISTEN", "")], &[]).unwrap();
        assert_eq!(c.metrics.listen_addr().unwrap(), None);
        let c = load(&[], &["metrics.listen=[::1]:0"]).unwrap();
        assert_eq!(
            c.metrics.listen_addr().unwrap(),
            Some("[::1]:0".parse().unwrap())
        );
    }

    /// Every librdkafka property that carries a credential for SASL (PLAIN, SCRAM, OAUTHBEARER)
    /// or SSL is redacted; the names and paths around them stay visible.
    #[test]
    fn secrets_are_redacted() {
        let secrets = [
            "sasl.password",
            "ssl.key.password",
            "ssl.key.pem",
            "ssl.key.location",
            "ssl.keystore.password",
            "sasl.oauthbearer.client.secret",
            "sasl.oauthbearer.config",
            "sasl.oauthbearer.assertion.private.key.passphrase",
            "sasl.oauthbearer.assertion.private.key.pem",
            "sasl.oauthbearer.assertion.private.key.file",
        ];
        for name in secrets {
            assert!(is_secret(name), "{name} is a secret");
        }
        for name in [
            "sasl.username",
            "sasl.mechanism",
            "security.protocol",
            "ssl.ca.location",
            "ssl.certificate.location",
            "ssl.endpoint.identification.algorithm",
        ] {
            assert!(!is_secret(name), "{name} is not a secret");
        }
        let sets: Vec<String> = secrets
            .iter()
            .enumerate()
            .map(|(i, name)| format!("kafka.properties.{name}=s3cret-{i}"))
            .chain(["kafka.consumer.sasl.password=s3cret-consumer".to_owned()])
            .chain(["kafka.producer.ssl.key.password=s3cret-producer".to_owned()])
            .chain(["kafka.properties.sasl.username=alice".to_owned()])
            .collect();
        let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
        let shown = load(&[], &sets).unwrap().to_redacted_toml();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("alice"), "{shown}");
    }

    #[test]
    fn file_replaces_defaults_key_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[kafka.topics]\nraw = \"in\"\n").unwrap();
        let c = Config::load(&Sources {
            file: Some(&path),
            ..Sources::default()
        })
        .unwrap();
        assert_eq!(c.kafka.topics.raw, "in");
        assert_eq!(c.kafka.topics.keyed, "wirefeed.keyed");
        std::fs::write(&path, "[kafka\n").unwrap();
        let err = Config::load(&Sources {
            file: Some(&path),
            ..Sources::default()
        })
        .unwrap_err();
        assert!(matches!(err, ConfigError::Syntax { .. }));
    }
}
