//! Shared harness of the integration tests: a broker, unique topics, producing and reading.
//!
//! The broker is librdkafka's mock cluster (in process, on a loopback TCP port) unless
//! `TEST_KAFKA_BOOTSTRAP` names a real broker (`.ci/run` starts Tansu and sets it). Every test uses
//! its own topics and application id, so tests run in parallel on one broker.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use wirefeed::config::{Config, Sources};

/// Environment variable naming an external broker for the tests.
pub const BOOTSTRAP_ENV: &str = "TEST_KAFKA_BOOTSTRAP";

/// Joining a consumer group takes ~3 s on both test brokers; generous bounds keep CI calm.
pub const SETTLE: Duration = Duration::from_secs(90);

/// The broker the tests run against.
pub enum Broker {
    /// In-process mock cluster.
    Mock(MockCluster<'static, rdkafka::producer::DefaultProducerContext>),
    /// A broker process at this address.
    External(String),
}

impl Broker {
    /// The configured broker: external when `TEST_KAFKA_BOOTSTRAP` is set, else a new mock.
    /// Also installs a log subscriber honouring `RUST_LOG` (off when unset).
    pub fn start() -> Broker {
        if let Ok(filter) = std::env::var("RUST_LOG") {
            tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init()
                .ok();
        }
        match std::env::var(BOOTSTRAP_ENV) {
            Ok(b) if !b.trim().is_empty() => Broker::External(b),
            _ => Broker::Mock(MockCluster::new(1).expect("mock cluster")),
        }
    }

    /// Bootstrap address.
    pub fn bootstrap(&self) -> String {
        match self {
            Broker::Mock(m) => m.bootstrap_servers(),
            Broker::External(b) => b.clone(),
        }
    }

    /// True for the in-process mock.
    pub fn is_mock(&self) -> bool {
        matches!(self, Broker::Mock(_))
    }

    /// Creates the topics of `config`.
    pub fn create_topics(&self, config: &Config) {
        match self {
            Broker::Mock(m) => {
                for t in config.kafka.topics.all() {
                    m.create_topic(t, config.kafka.partitions, 1)
                        .expect("create topic");
                }
            }
            Broker::External(_) => {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let mut kafka = config.kafka.clone();
                kafka.create_topics = true;
                rt.block_on(wirefeed::kafka::ensure_topics(&kafka))
                    .expect("create topics");
            }
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A name no other test (or earlier run against the same broker) uses.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{prefix}-{}-{}-{}",
        std::process::id(),
        nanos % 1_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The `--set` overrides that point wirefeed at `broker` with unique topics and group ids.
pub fn overrides(broker: &Broker, partitions: i32) -> Vec<String> {
    let id = unique("wf");
    vec![
        format!("kafka.bootstrap_servers={}", broker.bootstrap()),
        format!("kafka.application_id={id}"),
        format!("kafka.topics.raw={id}.raw"),
        format!("kafka.topics.keyed={id}.keyed"),
        format!("kafka.topics.articles={id}.articles"),
        format!("kafka.topics.dead_letter={id}.dlq"),
        format!("kafka.partitions={partitions}"),
        "kafka.retention_ms=3600000".into(),
        "kafka.consumer.fetch.wait.max.ms=100".into(),
        // Members of stopped or killed instances linger until their session times out.
        "kafka.consumer.session.timeout.ms=6000".into(),
        "kafka.consumer.heartbeat.interval.ms=1000".into(),
        "pipeline.drain_timeout=10s".into(),
        // Many instances run side by side in the tests: no fixed metrics port.
        "metrics.listen=".into(),
    ]
}

/// A configuration for `broker` with unique names; topics are created.
pub fn config(broker: &Broker, partitions: i32) -> Config {
    let config = Config::load(&Sources {
        file: None,
        env: Vec::new(),
        sets: overrides(broker, partitions),
    })
    .expect("test config");
    broker.create_topics(&config);
    config
}

/// Produces records (key, value, partition) and waits until the broker has them all.
pub fn produce(bootstrap: &str, topic: &str, records: &[(Option<String>, Vec<u8>, Option<i32>)]) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("linger.ms", "20")
        .create()
        .expect("producer");
    for (key, value, partition) in records {
        let mut rec = BaseRecord::<str, [u8]>::to(topic).payload(value);
        if let Some(k) = key {
            rec = rec.key(k);
        }
        if let Some(p) = partition {
            rec = rec.partition(*p);
        }
        let mut rec = rec;
        loop {
            match producer.send(rec) {
                Ok(()) => break,
                Err((_, back)) => {
                    rec = back;
                    producer.poll(Duration::from_millis(10));
                }
            }
        }
    }
    producer.flush(Duration::from_secs(60)).expect("flush");
}

/// A record read back from a topic.
#[derive(Debug, Clone)]
pub struct Rec {
    pub partition: i32,
    pub offset: i64,
    pub key: Option<String>,
    pub value: Vec<u8>,
    pub headers: HashMap<String, String>,
}

impl Rec {
    /// The value as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.value).expect("JSON value")
    }
}

/// Reads `topic` from the beginning until `done` holds for what was read (then for `grace`
/// longer, to catch anything extra) or `timeout` passes.
pub fn read_until(
    bootstrap: &str,
    topic: &str,
    partitions: i32,
    timeout: Duration,
    grace: Duration,
    done: impl Fn(&[Rec]) -> bool,
) -> Vec<Rec> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", unique("reader"))
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "100")
        .create()
        .expect("reader");
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .unwrap();
    }
    consumer.assign(&tpl).expect("assign");
    let deadline = Instant::now() + timeout;
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut done_at: Option<Instant> = None;
    while Instant::now() < deadline {
        if done_at.is_some_and(|at| at.elapsed() >= grace) {
            break;
        }
        match consumer.poll(Duration::from_millis(100)) {
            // A record is identified by its partition and offset: a repeat is a re-delivery.
            Some(Ok(m)) if !seen.insert((m.partition(), m.offset())) => {}
            Some(Ok(m)) => out.push(Rec {
                partition: m.partition(),
                offset: m.offset(),
                key: m.key().map(|k| String::from_utf8_lossy(k).into_owned()),
                value: m.payload().unwrap_or_default().to_vec(),
                headers: m
                    .headers()
                    .map(|h| {
                        h.iter()
                            .map(|h| {
                                (
                                    h.key.to_owned(),
                                    String::from_utf8_lossy(h.value.unwrap_or_default())
                                        .into_owned(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }),
            Some(Err(e)) => eprintln!("reader: {e}"),
            None => {}
        }
        if done_at.is_none() && done(&out) {
            done_at = Some(Instant::now());
        }
    }
    out
}

/// Reads every record `topic` holds now (up to its current end offsets).
pub fn read_all(bootstrap: &str, topic: &str, partitions: i32) -> Vec<Rec> {
    let total: i64 = end_offsets(bootstrap, topic, partitions).values().sum();
    let out = read_until(
        bootstrap,
        topic,
        partitions,
        Duration::from_secs(300),
        Duration::ZERO,
        |r| r.len() as i64 >= total,
    );
    assert_eq!(out.len() as i64, total, "read all of {topic}");
    out
}

/// Polls `cond` every 100 ms until it holds or `timeout` passes; returns whether it held.
pub fn wait_for(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    cond()
}

/// Committed offsets of `group` on `topic`, partition → next offset (missing = none committed).
pub fn committed(bootstrap: &str, group: &str, topic: &str, partitions: i32) -> HashMap<i32, i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(topic, p);
    }
    let got = consumer
        .committed_offsets(tpl, Duration::from_secs(10))
        .expect("committed offsets");
    got.elements()
        .iter()
        .filter_map(|e| match e.offset() {
            Offset::Offset(o) => Some((e.partition(), o)),
            _ => None,
        })
        .collect()
}

/// High watermarks of `topic`, partition → end offset.
pub fn end_offsets(bootstrap: &str, topic: &str, partitions: i32) -> HashMap<i32, i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("consumer");
    (0..partitions)
        .map(|p| {
            let (_, high) = consumer
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .expect("watermarks");
            (p, high)
        })
        .collect()
}

/// The seed item (an AP story republished by Business Standard), read from `../shared/seed`.
pub fn seed() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seed/000_4a15e63da7983562.txt"
    );
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A JSON envelope item: story `i`, copy-independent content.
pub fn envelope(i: usize, minute: u32) -> Vec<u8> {
    serde_json::json!({
        "headline": format!("Story number {i} about the harbour bridge repairs"),
        "body": format!("Paragraph one of story {i}.\n\nParagraph two says the work on section {i} is on schedule."),
        "published": format!("2025-08-20T10:{:02}:00Z", minute % 60),
    })
    .to_string()
    .into_bytes()
}

/// A `wirefeed run` child process, killed when dropped (so a failing test leaves none behind).
pub struct Wirefeed(pub std::process::Child);

impl std::ops::Deref for Wirefeed {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Wirefeed {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for Wirefeed {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            self.0.kill().ok();
            self.0.wait().ok();
        }
    }
}

/// Starts `wirefeed run` with `overrides` as `--set` flags; stdout is captured, stderr inherited.
pub fn spawn_wirefeed(overrides: &[String]) -> Wirefeed {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"));
    cmd.arg("run");
    for o in overrides {
        cmd.arg("--set").arg(o);
    }
    cmd.env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .map(Wirefeed)
        .expect("spawn wirefeed")
}

/// Sends `signal` (e.g. "TERM", "KILL") to the child.
pub fn signal(child: &std::process::Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{signal} failed");
}

/// Waits up to `timeout` for the child to exit; kills it and panics when it does not.
pub fn wait_exit(child: &mut std::process::Child, timeout: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() >= deadline {
            child.kill().ok();
            panic!("wirefeed did not exit within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The child's stdout (after it exited).
pub fn stdout_of(child: &mut std::process::Child) -> String {
    use std::io::Read;
    let mut out = String::new();
    if let Some(mut s) = child.stdout.take() {
        s.read_to_string(&mut out).ok();
    }
    out
}

/// Corpus files of supported formats that hold no usable item (spec skeletons and fragments,
/// empty headlines or bodies): each is rejected with a clear reason and checked by hand.
pub const INVALID_CORPUS_FILES: &[&str] = &[
    // NewsML-G2 spec skeleton "LISTING 1": inlineXML holds only a comment (3 copies).
    "LISTING 1 A NewsML-G2 News Item.xml",
    "LISTING_1_A_NewsML-G2_News_Item.xml",
    // Spec examples of metadata only (no content set / empty inlineXML).
    "LISTING_27_Company_Financial_Information.xml",
    "LISTING_29_Hop_History.xml",
    "facet-example.xml",
    "facet-example-2.xml",
    "facet-example-3.xml",
    "001_simplest_file.xml",
    "007_emptynewsmessage.xml",
    // Spec fragments: root is groupSet / contentSet / contentMeta, not an item.
    "Group_Set_example",
    "LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml",
    "LISTING_28_Illustrating_Located_Subject_and_Dateline.xml",
    // Reuters delete/correction notice with an empty XHTML body.
    "L1N14N0FF_version_1542761538",
    // STT fixtures built for location/subject/abstract/pre tests: empty <headline/>.
    "stt_newsml_abstract_test.xml",
    "stt_newsml_location_test.xml",
    "stt_newsml_subject_test.xml",
    "stt_newsml_test_no_hl.xml",
    "stt_newsml_pre_test.xml",
    // AAP NITF "lite" record: empty hedline and body.content.
    "aap-finance-lite.xml",
    // AFP NewsML 1.2 with an empty <HeadLine/> (the corpus says so).
    "afp_no_headline.xml",
    "afp_no_headline_2.xml",
    // feed-rs encoding fixture: a bare <rdf><item> document, not RSS 1.0 (no RDF namespace,
    // no channel); feed-rs itself rejects it.
    "xml_iso8859.xml",
    // AP Media API text items: the story text is a separate rendition to download (NITF); the
    // JSON itself carries only the headline, so no article can be built from it.
    "ap_media_text_feed.json",
    "ap_media_text_item.json",
];

/// The shared corpus, read at test time (never copied into the repository).
pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

/// Every input file of the shared corpus, in path order; panics when the corpus is missing.
pub fn corpus_files() -> Vec<PathBuf> {
    let root = Path::new(CORPUS);
    assert!(root.is_dir(), "corpus not found at {CORPUS}");
    let mut files = Vec::new();
    walk(root, &mut files);
    assert!(files.len() > 500, "found {} corpus files", files.len());
    files
}

/// The articles of every corpus file that gives any (parsed with a record time of 2025-01-01
/// for items without a time of their own), in path order.
pub fn corpus_articles() -> Vec<(PathBuf, Vec<wirefeed::model::Article>)> {
    use chrono::TimeZone;
    let record_time = chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    corpus_files()
        .into_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(&path).expect("readable corpus file");
            let articles = wirefeed::pipeline::parse_record(
                wirefeed::pipeline::RawInput {
                    payload: &bytes,
                    format_hint: None,
                    record_time: Some(record_time),
                },
                &wirefeed::pipeline::ParseOptions::default(),
            )
            .ok()?;
            Some((path, articles))
        })
        .collect()
}

/// Files that are documentation, licences, or expected outputs of other tools, not inputs.
fn is_input(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let text = path.to_string_lossy();
    !(name.ends_with(".md")
        || name.starts_with("LICENSE")
        || name.starts_with("README")
        || name.ends_with(".dtd")
        || name.ends_with(".proptest-regressions")
        || name == "near_duplicates.json"
        || name == "cross_outlet_title_candidates.json"
        || text.contains("/newspaper4k/metadata/")
        || text.contains("/newspaper4k/txt/")
        || text.contains("/validation/test_suite/") && text.contains("/should_fail/"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if is_input(&p) {
            out.push(p);
        }
    }
}
