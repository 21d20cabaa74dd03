//! Configuration: one TOML file, every key overridable by environment variable and `--set` flag,
//! checked up front.
//!
//! Loading goes file → `WIREFEED_*` environment → `--set key=value` flags, each layer replacing
//! keys of the one before, then a strict typed parse (`deny_unknown_fields`: a misspelt key is an
//! error, not a silently ignored default) and cross-field checks. Every error names the key.
//! `config/default.toml` documents each key; [`DEFAULT_TOML`] embeds it.
//!
//! - `sections`: the typed tables ([`KafkaConfig`], [`DedupConfig`], ...).
//! - `overrides`: the file, environment and flag layers.
//! - `validate`: range and cross-field checks ([`Config::validate`]).

mod overrides;
mod sections;
mod validate;

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use sections::{
    ArticleHeaders, DedupConfig, KafkaConfig, KeyedLayout, LEASE_MARGIN, LogConfig, LogFormat,
    MIN_IN_FLIGHT_BYTES, MetricsConfig, NearDuplicates, OutputConfig, PipelineConfig, TopicsConfig,
};

/// The documented default configuration, embedded at build time.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

/// Prefix of environment variables that override configuration keys.
pub const ENV_PREFIX: &str = "WIREFEED_";

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
        let mut table = overrides::parse_toml(DEFAULT_TOML, "built-in defaults")?;
        if let Some(path) = sources.file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.display().to_string(),
                source,
            })?;
            let file = overrides::parse_toml(&text, &path.display().to_string())?;
            overrides::merge(&mut table, file);
        }
        overrides::apply_env(&mut table, &sources.env)?;
        overrides::apply_sets(&mut table, &sources.sets)?;
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::ninjs::NinjsVersion;

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
            (
                &[],
                &["pipeline.max_in_flight_bytes=1000"],
                "pipeline.max_in_flight_bytes",
            ),
            (&[], &["pipeline.keyed_layout=xml"], "pipeline.keyed_layout"),
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
