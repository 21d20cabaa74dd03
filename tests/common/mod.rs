//! Shared harness of the integration tests: a broker, unique topics, producing and reading.
//!
//! The broker is librdkafka's mock cluster (in process, on a loopback TCP port) unless
//! `TEST_KAFKA_BOOTSTRAP` names a real broker (`.ci/run` starts Tansu and sets it). Every test uses
//! its own topics and application id, so tests run in parallel on one broker.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{BorrowedHeaders, Headers, Message, OwnedHeaders};
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

/// Logs of the pipelines a test runs in process go to the test's captured output, shown only
/// when it fails: by `RUST_LOG`, or else wirefeed's at info (assignments, restores, what a
/// stage waits for) and everything else's at warn.
pub fn capture_logs() {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn,wirefeed=info".into());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_test_writer()
        .try_init()
        .ok();
}

impl Broker {
    /// The configured broker: external when `TEST_KAFKA_BOOTSTRAP` is set, else a new mock.
    /// Also installs the log subscriber ([`capture_logs`]).
    pub fn start() -> Broker {
        capture_logs();
        match std::env::var(BOOTSTRAP_ENV) {
            Ok(b) if !b.trim().is_empty() => Broker::External(b),
            _ => Broker::Mock(MockCluster::new(1).expect("mock cluster")),
        }
    }

    /// A new in-process mock broker, whatever `TEST_KAFKA_BOOTSTRAP` says (for scenarios that
    /// need the mock's fault injection).
    pub fn start_mock() -> Broker {
        capture_logs();
        Broker::Mock(MockCluster::new(1).expect("mock cluster"))
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

/// For a `wirefeed run` child: `sets` (the overrides plus `kafka.create_topics=false`) and the
/// configuration they give, whose topics are created on `broker` beforehand.
pub fn child_config(broker: &Broker, mut sets: Vec<String>) -> (Vec<String>, Config) {
    sets.push("kafka.create_topics=false".into());
    let config = Config::load(&Sources {
        file: None,
        env: Vec::new(),
        sets: sets.clone(),
    })
    .expect("test config");
    broker.create_topics(&config);
    (sets, config)
}

/// Produces records (key, value, partition) and waits until the broker has them all.
pub fn produce(bootstrap: &str, topic: &str, records: &[(Option<String>, Vec<u8>, Option<i32>)]) {
    let records: Vec<Outgoing> = records
        .iter()
        .map(|(key, value, partition)| Outgoing {
            key: key.clone(),
            value: value.clone(),
            partition: *partition,
            ..Outgoing::default()
        })
        .collect();
    produce_records(bootstrap, topic, &records);
}

/// A record to produce. Header keys are bytes, so a test can send keys that are not UTF-8.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    pub key: Option<String>,
    pub value: Vec<u8>,
    pub partition: Option<i32>,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The record's timestamp (ms); the producer's clock when unset.
    pub timestamp: Option<i64>,
}

/// The largest record the test producers send (above librdkafka's 1,000,000-byte default, so
/// tests can send records the pipeline's own producers would refuse).
pub const TEST_MESSAGE_MAX_BYTES: usize = 8_000_000;

/// Produces `records` and waits until the broker has them all.
pub fn produce_records(bootstrap: &str, topic: &str, records: &[Outgoing]) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("linger.ms", "20")
        .set("message.max.bytes", TEST_MESSAGE_MAX_BYTES.to_string())
        .create()
        .expect("producer");
    for r in records {
        let mut rec = BaseRecord::<str, [u8]>::to(topic).payload(&r.value);
        if let Some(k) = &r.key {
            rec = rec.key(k);
        }
        if let Some(p) = r.partition {
            rec = rec.partition(p);
        }
        if let Some(ts) = r.timestamp {
            rec = rec.timestamp(ts);
        }
        if !r.headers.is_empty() {
            rec = rec.headers(raw_owned_headers(&r.headers));
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

/// Record headers from byte keys and values. rdkafka's `OwnedHeaders::insert` takes `&str` keys;
/// librdkafka itself takes any bytes, which is what a test of non-UTF-8 keys needs.
#[allow(unsafe_code)]
pub fn raw_owned_headers(headers: &[(Vec<u8>, Vec<u8>)]) -> OwnedHeaders {
    let owned = OwnedHeaders::new_with_capacity(headers.len());
    // `BorrowedHeaders` is a zero-sized view of the native header list (rdkafka casts it the
    // same way), so this is the list `owned` frees when dropped.
    let native =
        owned.as_borrowed() as *const BorrowedHeaders as *mut rdkafka::bindings::rd_kafka_headers_t;
    for (key, value) in headers {
        // SAFETY: `native` is alive while `owned` is; librdkafka copies name and value, whose
        // lengths are passed explicitly (so the key needs no NUL and no UTF-8).
        let err = unsafe {
            rdkafka::bindings::rd_kafka_header_add(
                native,
                key.as_ptr().cast(),
                key.len() as isize,
                value.as_ptr().cast(),
                value.len() as isize,
            )
        };
        assert_eq!(
            err,
            rdkafka::types::RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR,
            "add header"
        );
    }
    owned
}

/// Every header of a record as (key, value) bytes, in order. rdkafka's `Headers::get` and
/// `iter` panic on a key that is not UTF-8; this reads through librdkafka directly.
#[allow(unsafe_code)]
pub fn raw_headers(headers: &BorrowedHeaders) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    let native = headers as *const BorrowedHeaders as *const rdkafka::bindings::rd_kafka_headers_t;
    (0..headers.count())
        .filter_map(|idx| {
            let mut name: *const std::os::raw::c_char = std::ptr::null();
            let mut value: *const std::os::raw::c_void = std::ptr::null();
            let mut size = 0usize;
            // SAFETY: `native` is the header list of a message borrowed for this call and
            // `idx` is below its count; the returned pointers live as long as the message.
            let err = unsafe {
                rdkafka::bindings::rd_kafka_header_get_all(
                    native, idx, &mut name, &mut value, &mut size,
                )
            };
            if err != rdkafka::types::RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR || name.is_null() {
                return None;
            }
            // SAFETY: librdkafka stores header names NUL-terminated and values as `size` bytes.
            let key = unsafe { std::ffi::CStr::from_ptr(name) }
                .to_bytes()
                .to_vec();
            let value = (!value.is_null())
                .then(|| unsafe { std::slice::from_raw_parts(value.cast::<u8>(), size) }.to_vec());
            Some((key, value))
        })
        .collect()
}

/// A record read back from a topic.
#[derive(Debug, Clone)]
pub struct Rec {
    pub partition: i32,
    pub offset: i64,
    pub key: Option<String>,
    pub value: Vec<u8>,
    pub headers: HashMap<String, String>,
    /// The record's timestamp (ms), when it has one.
    pub timestamp: Option<i64>,
}

impl Rec {
    /// The value as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.value).expect("JSON value")
    }

    /// What an article record says of itself beside its state (the raw record it came from,
    /// the first copy it nearly duplicates, the replay that wrote it), in any header layout.
    pub fn notes(&self) -> wirefeed::kafka::state_header::Annotations {
        let hdrs: HashMap<&str, &[u8]> = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_bytes()))
            .collect();
        wirefeed::kafka::state_header::annotations(&hdrs)
    }

    /// The dedup state an article record carries (its `wirefeed.state` header).
    pub fn state(&self) -> Option<wirefeed::kafka::state_header::ArticleState> {
        let value = self.headers.get(wirefeed::kafka::headers::STATE)?;
        wirefeed::kafka::state_header::ArticleState::decode(value.as_bytes()).ok()
    }

    /// The dedup key of an article record.
    pub fn dedup_key(&self) -> String {
        self.state()
            .expect("an article carries its state")
            .dedup_key
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
                timestamp: m.timestamp().to_millis(),
                // Keys that are not UTF-8 (copied from raw records) are read lossily.
                headers: m
                    .headers()
                    .map(|h| {
                        raw_headers(h)
                            .into_iter()
                            .map(|(k, v)| {
                                (
                                    String::from_utf8_lossy(&k).into_owned(),
                                    String::from_utf8_lossy(&v.unwrap_or_default()).into_owned(),
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
    watermarks(bootstrap, topic, partitions, |(_, high)| high)
}

/// Per partition, the offset of the first record the broker still holds (the low watermark).
pub fn start_offsets(bootstrap: &str, topic: &str, partitions: i32) -> HashMap<i32, i64> {
    watermarks(bootstrap, topic, partitions, |(low, _)| low)
}

fn watermarks(
    bootstrap: &str,
    topic: &str,
    partitions: i32,
    pick: fn((i64, i64)) -> i64,
) -> HashMap<i32, i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("consumer");
    (0..partitions)
        .map(|p| {
            let marks = consumer
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .expect("watermarks");
            (p, pick(marks))
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
    spawn_wirefeed_env(overrides, &[])
}

/// [`spawn_wirefeed`] with extra environment variables.
pub fn spawn_wirefeed_env(overrides: &[String], env: &[(&str, &str)]) -> Wirefeed {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"));
    cmd.arg("run");
    for o in overrides {
        cmd.arg("--set").arg(o);
    }
    // `TEST_WIREFEED_LOG_DIR` keeps each process's log in its own file there (at the level of
    // `TEST_WIREFEED_LOG`, default warn), to tell instances apart when a run fails.
    let stderr = match std::env::var_os("TEST_WIREFEED_LOG_DIR") {
        Some(dir) => {
            static SPAWNED: AtomicU32 = AtomicU32::new(0);
            let n = SPAWNED.fetch_add(1, Ordering::Relaxed);
            let path = Path::new(&dir).join(format!("wirefeed-{}-{n}.log", std::process::id()));
            eprintln!("wirefeed process {n} logs to {}", path.display());
            std::process::Stdio::from(std::fs::File::create(path).expect("log file"))
        }
        None => std::process::Stdio::inherit(),
    };
    let level = std::env::var("TEST_WIREFEED_LOG").unwrap_or_else(|_| "warn".into());
    cmd.env("RUST_LOG", level)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(stderr)
        .spawn()
        .map(Wirefeed)
        .expect("spawn wirefeed")
}

/// A `wirefeed run` on a new in-process mock broker with one partition, after it wrote the
/// article of one raw story (for scenarios that inject faults into the mock).
pub struct OneStory {
    /// The mock broker.
    pub broker: Broker,
    /// The child's `--set` overrides.
    pub sets: Vec<String>,
    /// The configuration they give.
    pub config: Config,
    /// The running instance.
    pub child: Wirefeed,
}

/// Starts [`OneStory`]: the instance runs with the extra environment `env`.
pub fn one_story_on_mock(env: &[(&str, &str)]) -> OneStory {
    let broker = Broker::start_mock();
    let (sets, config) = child_config(&broker, overrides(&broker, 1));
    let t = &config.kafka.topics;
    produce(&broker.bootstrap(), &t.raw, &[(None, envelope(1, 5), None)]);
    let child = spawn_wirefeed_env(&sets, env);
    let got = read_until(
        &broker.bootstrap(),
        &t.articles,
        1,
        SETTLE,
        Duration::ZERO,
        |r| !r.is_empty(),
    );
    assert_eq!(got.len(), 1, "the first instance wrote the story");
    OneStory {
        broker,
        sets,
        config,
        child,
    }
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

/// A loopback port that was free a moment ago (for a child's `metrics.listen`).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

/// A plain HTTP/1.1 GET: (status, content type, body).
pub fn try_http_get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String, String)> {
    use std::io::{Read as _, Write as _};
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .ok_or_else(|| bad("no header/body separator"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status code"))?;
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_default();
    Ok((status, content_type, body.to_owned()))
}

/// [`try_http_get`] that panics when the request fails.
pub fn http_get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    try_http_get(addr, path).unwrap_or_else(|e| panic!("GET http://{addr}{path}: {e}"))
}

/// The value of the sample `name{labels}` in Prometheus text output (labels in any order).
pub fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines().find_map(|line| {
        if line.starts_with('#') {
            return None;
        }
        let (series, value) = line.rsplit_once(' ')?;
        let (metric, rest) = match series.split_once('{') {
            Some((m, rest)) => (m, rest.strip_suffix('}')?),
            None => (series, ""),
        };
        if metric != name {
            return None;
        }
        let found: Vec<&str> = rest.split(',').filter(|s| !s.is_empty()).collect();
        let wanted: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        (found.len() == wanted.len() && wanted.iter().all(|w| found.contains(&w.as_str())))
            .then(|| value.parse().ok())
            .flatten()
    })
}

/// Outputs a `wirefeed run` serving metrics at `addr` has handed to its producers and not yet
/// seen acknowledged (`wirefeed_in_flight_outputs`, both stages); `None` while it does not answer.
pub fn in_flight_outputs(addr: SocketAddr) -> Option<f64> {
    let (status, _, body) = try_http_get(addr, "/metrics").ok()?;
    if status != 200 {
        return None;
    }
    let name = wirefeed::telemetry::names::IN_FLIGHT_OUTPUTS;
    let stages = ["parse", "dedup"].map(|stage| sample(&body, name, &[("stage", stage)]));
    stages
        .iter()
        .any(Option::is_some)
        .then(|| stages.iter().flatten().sum())
}

/// Corpus files of supported formats that hold no usable item (spec skeletons and fragments,
/// empty headlines or bodies): each is rejected with a clear reason and checked by hand.
pub const INVALID_CORPUS_FILES: &[&str] = &[
    // (The NewsML-G2 spec skeletons "LISTING 1" and "LISTING 27" carry a headline and no text:
    // headline-only items, parsed.)
    // Spec examples of metadata only (no content set / empty inlineXML).
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
