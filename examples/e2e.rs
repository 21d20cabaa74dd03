//! End-to-end benchmark against a running broker: wirefeed versus a no-op pass-through of the
//! same shape, in one invocation. Run it through `bench/e2e`, which builds everything and starts a
//! Tansu broker, or (`--broker mock`) runs librdkafka's mock cluster inside this process.
//!
//! ```text
//! e2e --bootstrap 127.0.0.1:9092 --wirefeed target/release/wirefeed [--items N] [--rate 1000] [--latency-secs 10] [--set KEY=VALUE ...]
//! e2e --broker mock --wirefeed target/release/wirefeed [...]
//! ```
//!
//! The mock cluster keeps records in memory and answers at once, so it is rarely the bottleneck:
//! on it the figures show wirefeed's own cost per item next to librdkafka's. Its broker thread
//! (`rdk:mock`) runs in this process and is left out of the pass-through's client CPU. It keeps
//! only the newest 5 MiB of each partition, so its topics get 64 partitions (`--partitions N`;
//! the run fails if any topic lost a record); a broker process gets 6.
//!
//! 1. Loads N seed-like raw items (about a fifth duplicates, a twentieth updates) into a raw topic.
//! 2. Pass-through limit: raw → mid → out with the same client settings wirefeed uses and no
//!    parsing (two hops), and raw → out (one hop), each under a new consumer group. The CPU the
//!    two-hop pass-through's clients spend per item (this process, librdkafka only) is the floor
//!    any client of this broker pays for the same records.
//! 3. wirefeed (`wirefeed run`, both stages, dedup on) drains the same raw topic; then the keyed
//!    and articles topics are read back for their size and headers per article.
//! 4. Latency at a fixed rate, for wirefeed and then for the two-hop pass-through on fresh topics:
//!    output record time minus input record time of probe items, p50/p90/p99/max.
//! 5. wirefeed's CPU time per item (whole process, start-up included), split by thread, peak RSS
//!    (from /proc), and the dedup state's bytes per key (counted by a tracking allocator).
//!
//! Client settings: both sides get a 100 ms `fetch.wait.max.ms` and any `--set KEY=VALUE` given
//! (wirefeed configuration keys; `kafka.consumer.*`/`kafka.producer.*` reach the pass-through's
//! clients too). Throughput clocks start at the first record a pipeline consumes (group joins
//! excluded) and stop when the last output is written. The last line:
//! `e2e: items=N passthrough_items_s=N wirefeed_items_s=N ratio=R cpu_us_per_item=N p99_ms=N rss_mb=N bytes_per_key=N passthrough_p99_ms=N passthrough_cpu_us_per_item=N keyed_to_raw=R headers_per_article=N`
//! (`keyed_to_raw`: the keyed topic's bytes, keys and headers included, over the raw values').

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use wirefeed::config::{Config, Sources};
use wirefeed::kafka::{self, Role};

/// Counts live heap bytes, for the dedup state's bytes per key.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

#[allow(unsafe_code)]
// SAFETY: forwards to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Partitions of every topic: 6 on a broker process; on the mock cluster, which keeps only the
/// newest 5 MiB of each partition, enough that no topic of the run loses a record (checked at the
/// end). `--partitions N` sets it.
static PARTITIONS: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(6);

/// Partitions on the mock cluster unless `--partitions` says otherwise.
const MOCK_PARTITIONS: i32 = 64;

fn partitions() -> i32 {
    PARTITIONS.load(Ordering::Relaxed)
}

const SAMPLES: &[&str] = &[
    include_str!("../src/dev/sample/01-rbi-rates.txt"),
    include_str!("../src/dev/sample/02-kerala-rain.txt"),
    include_str!("../src/dev/sample/03-asia-markets.txt"),
];

/// Client settings applied to wirefeed and to the pass-through's clients alike: a 100 ms fetch
/// wait (Tansu answers a fetch only when the wait is over), then the `--set KEY=VALUE` overrides
/// given on the command line (repeatable), to compare settings.
fn extra_sets() -> Vec<String> {
    let args: Vec<String> = std::env::args().collect();
    std::iter::once("kafka.consumer.fetch.wait.max.ms=100".to_owned())
        .chain(
            args.windows(2)
                .filter(|w| w[0] == "--set")
                .map(|w| w[1].clone()),
        )
        .collect()
}

/// CPU seconds per thread of `pid`, summed by thread name with digits removed
/// (`rdk:broker1` and `rdk:broker2` count together), largest first.
fn thread_cpu(pid: u32) -> Vec<(String, f64)> {
    let mut by_name: HashMap<String, f64> = HashMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    for task in tasks.flatten() {
        let path = task.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        let name: String = name
            .trim()
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect();
        *by_name.entry(name).or_default() += cpu_seconds(&path.join("stat"));
    }
    let mut v: Vec<_> = by_name.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Story `i`, version `v`: a sample page with a unique headline (and, for v > 1, a later update
/// time and an extra paragraph).
fn item(i: usize, v: u32) -> Vec<u8> {
    let base = SAMPLES[i % SAMPLES.len()];
    let headline = base.lines().nth(2).unwrap_or_default();
    let mut text = base.replace(headline, &format!("{headline} (report {i})"));
    if v > 1 {
        text = text.replace(
            "Last Updated : ",
            "Last Updated : Oct 03 2025 | 1:00 PM IST ",
        );
        text = text.replace(
            "(Only the headline",
            &format!("Update {v}: figures revised.\n\n(Only the headline"),
        );
    }
    text.into_bytes()
}

fn config(bootstrap: &str, app: &str, topics: [&str; 4], metrics_port: u16) -> Config {
    let sets = vec![
        format!("kafka.bootstrap_servers={bootstrap}"),
        format!("kafka.application_id={app}"),
        format!("kafka.topics.raw={}", topics[0]),
        format!("kafka.topics.keyed={}", topics[1]),
        format!("kafka.topics.articles={}", topics[2]),
        format!("kafka.topics.dead_letter={}", topics[3]),
        format!("kafka.partitions={}", partitions()),
        "kafka.retention_ms=3600000".into(),
        format!("metrics.listen=127.0.0.1:{metrics_port}"),
    ]
    .into_iter()
    .chain(extra_sets())
    .collect();
    Config::load(&Sources {
        file: None,
        env: Vec::new(),
        sets,
    })
    .expect("config")
}

fn produce(config: &Config, topic: &str, items: &[Vec<u8>], progress: bool) {
    let producer: BaseProducer = kafka::client_config(&config.kafka, Role::Producer)
        .create()
        .unwrap();
    let bar = progress.then(|| indicatif::ProgressBar::new(items.len() as u64));
    for (n, value) in items.iter().enumerate() {
        let mut rec = BaseRecord::<[u8], [u8]>::to(topic)
            .payload(value)
            .partition(n as i32 % partitions());
        loop {
            match producer.send(rec) {
                Ok(()) => break,
                Err((_, back)) => {
                    rec = back;
                    producer.poll(Duration::from_millis(5));
                }
            }
        }
        if let Some(bar) = &bar
            && n % 1000 == 0
        {
            bar.set_position(n as u64);
        }
    }
    producer.flush(Duration::from_secs(120)).unwrap();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}

/// Records the broker dropped from the start of `topic` (the sum of its low watermarks): the mock
/// cluster drops the oldest records of a partition past 5 MiB.
fn dropped(config: &Config, topic: &str) -> i64 {
    let c: BaseConsumer = kafka::client_config(&config.kafka, Role::Admin)
        .create()
        .unwrap();
    (0..partitions())
        .map(|p| {
            c.fetch_watermarks(topic, p, Duration::from_secs(10))
                .map_or(0, |(l, _)| l)
        })
        .sum()
}

/// What a topic holds: records, and the bytes and count of their keys, values and headers.
#[derive(Debug, Default)]
struct TopicSize {
    records: u64,
    bytes: u64,
    headers: u64,
}

impl TopicSize {
    /// Reads `topic` from its start to its current end.
    fn read(config: &Config, topic: &str) -> Self {
        let c: BaseConsumer = kafka::client_config(&config.kafka, Role::Admin)
            .set("group.id", format!("{topic}-size"))
            .set("enable.auto.commit", "false")
            .create()
            .unwrap();
        let mut tpl = TopicPartitionList::new();
        let mut left = 0;
        for p in 0..partitions() {
            let (low, high) = c
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .unwrap();
            left += high - low;
            tpl.add_partition_offset(topic, p, Offset::Offset(low))
                .unwrap();
        }
        c.assign(&tpl).unwrap();
        let mut size = TopicSize::default();
        let deadline = Instant::now() + Duration::from_secs(600);
        while left > 0 && Instant::now() < deadline {
            let Some(Ok(m)) = c.poll(Duration::from_millis(100)) else {
                continue;
            };
            left -= 1;
            size.records += 1;
            size.bytes += (m.payload_len() + m.key().map_or(0, <[u8]>::len)) as u64;
            if let Some(h) = m.headers() {
                use rdkafka::message::Headers;
                for header in h.iter() {
                    size.headers += 1;
                    size.bytes += (header.key.len() + header.value.map_or(0, <[u8]>::len)) as u64;
                }
            }
        }
        size
    }
}

fn end_total(config: &Config, topic: &str) -> i64 {
    let c: BaseConsumer = kafka::client_config(&config.kafka, Role::Admin)
        .create()
        .unwrap();
    (0..partitions())
        .map(|p| {
            c.fetch_watermarks(topic, p, Duration::from_secs(10))
                .map_or(0, |(_, h)| h)
        })
        .sum()
}

/// One pass-through hop on its own thread: `from` → `to`, offsets stored after delivery. A copy
/// keeps its record's partition (raw records have no key, and the sticky partitioner's runs
/// would crowd some partitions).
fn hop(
    config: &Config,
    group: &str,
    from: &str,
    to: &str,
    first: Arc<AtomicI64>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    let consumer: BaseConsumer = kafka::client_config(&config.kafka, Role::Consumer)
        .set("group.id", group)
        .create()
        .unwrap();
    consumer.subscribe(&[from]).unwrap();
    let producer: rdkafka::producer::ThreadedProducer<rdkafka::producer::DefaultProducerContext> =
        kafka::client_config(&config.kafka, Role::Producer)
            .create()
            .unwrap();
    let to = to.to_owned();
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) else {
                continue;
            };
            first
                .compare_exchange(0, now_ms(), Ordering::Relaxed, Ordering::Relaxed)
                .ok();
            let mut rec = BaseRecord::<[u8], [u8]>::to(&to)
                .payload(m.payload().unwrap_or_default())
                .partition(m.partition());
            if let Some(k) = m.key() {
                rec = rec.key(k);
            }
            loop {
                match producer.send(rec) {
                    Ok(()) => break,
                    Err((_, back)) => {
                        rec = back;
                        std::thread::sleep(Duration::from_millis(1));
                    }
                }
            }
            consumer
                .store_offset(m.topic(), m.partition(), m.offset())
                .ok();
        }
        producer.flush(Duration::from_secs(30)).ok();
    })
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Waits until `topic` holds `target` records; returns the time (ms) it got there.
fn wait_total(config: &Config, topic: &str, target: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(1800);
    while Instant::now() < deadline {
        if end_total(config, topic) >= target {
            return now_ms();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{topic} did not reach {target} records");
}

fn passthrough(config: &Config, hops: &[(&str, &str)], items: usize, tag: &str) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let first = Arc::new(AtomicI64::new(0));
    let handles: Vec<_> = hops
        .iter()
        .enumerate()
        .map(|(i, (from, to))| {
            hop(
                config,
                &format!("{tag}-{i}"),
                from,
                to,
                first.clone(),
                stop.clone(),
            )
        })
        .collect();
    let done = wait_total(config, hops[hops.len() - 1].1, items as i64);
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().ok();
    }
    let secs = (done - first.load(Ordering::Relaxed)) as f64 / 1000.0;
    items as f64 / secs
}

/// CPU seconds this process's Kafka clients spent so far: the whole process (threads that ended
/// included) but the mock cluster's broker thread (`rdk:mock`), which stands in for the broker.
fn client_cpu_seconds() -> f64 {
    let mock: f64 = thread_cpu(std::process::id())
        .iter()
        .filter(|(name, _)| name == "rdk:mock")
        .map(|(_, s)| s)
        .sum();
    cpu_seconds(std::path::Path::new("/proc/self/stat")) - mock
}

/// Creates the topics of `kafka`: on the mock cluster directly, else through the admin API.
fn create_topics(
    mock: Option<&MockCluster<'_, rdkafka::producer::DefaultProducerContext>>,
    rt: &tokio::runtime::Runtime,
    kafka: &wirefeed::config::KafkaConfig,
) {
    match mock {
        Some(m) => {
            for topic in kafka.topics.all() {
                m.create_topic(topic, partitions(), 1).expect("topic");
            }
        }
        None => rt.block_on(kafka::ensure_topics(kafka)).expect("topics"),
    }
}

/// User plus system CPU seconds from a `/proc/.../stat` file.
fn cpu_seconds(stat: &std::path::Path) -> f64 {
    let stat = std::fs::read_to_string(stat).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, r)| r.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn proc_stat(pid: u32) -> (f64, f64) {
    let cpu = cpu_seconds(std::path::Path::new(&format!("/proc/{pid}/stat")));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let hwm_kb = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    (cpu, hwm_kb / 1024.0)
}

fn metric(port: u16, name: &str) -> f64 {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return 0.0;
    };
    write!(
        s,
        "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .ok();
    let mut body = String::new();
    s.read_to_string(&mut body).ok();
    body.lines()
        .filter(|l| l.starts_with(name))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

fn bytes_per_key() -> f64 {
    let n = 200_000;
    let keys: Vec<String> = (0..n)
        .map(|i| format!("monsoon rains lash kerala orange alert in six districts report {i}"))
        .collect();
    let t0 = chrono::DateTime::parse_from_rfc3339("2025-10-02T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let before = LIVE.load(Ordering::Relaxed);
    let mut state =
        wirefeed::pipeline::dedup::DedupState::new(wirefeed::pipeline::dedup::SameStory::default());
    for (i, k) in keys.iter().enumerate() {
        let t = t0 + chrono::Duration::seconds(i as i64 % 3600);
        state.decide_and_record(&wirefeed::pipeline::dedup::Candidate {
            key: k,
            published: t,
            version_time: t,
            fingerprint: i as u64,
            words: 0,
            now_ms: 0,
        });
    }
    let after = LIVE.load(Ordering::Relaxed);
    assert_eq!(state.len(), n);
    (after - before) as f64 / n as f64
}

fn main() {
    let mock = match arg("--broker").as_deref() {
        Some("mock") => Some(MockCluster::new(1).expect("mock cluster")),
        Some("tansu") | None => None,
        Some(other) => panic!("--broker {other}: expected tansu or mock"),
    };
    let parts = arg("--partitions")
        .and_then(|v| v.parse().ok())
        .unwrap_or(if mock.is_some() { MOCK_PARTITIONS } else { 6 });
    PARTITIONS.store(parts, Ordering::Relaxed);
    let bootstrap = match &mock {
        Some(m) => m.bootstrap_servers(),
        None => arg("--bootstrap").expect("--bootstrap HOST:PORT"),
    };
    let wirefeed_bin = arg("--wirefeed").expect("--wirefeed PATH");
    let items: usize = arg("--items")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rate: usize = arg("--rate").and_then(|v| v.parse().ok()).unwrap_or(1000);
    let latency_secs: usize = arg("--latency-secs")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let run = format!("e2e{}", now_ms() % 1_000_000_000);
    let t = |s: &str| format!("{run}.{s}");
    let (raw, mid, out, out1) = (t("raw"), t("mid"), t("out"), t("out1"));
    let (keyed, articles, dlq) = (t("keyed"), t("articles"), t("dlq"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = config(&bootstrap, &run, [&raw, &keyed, &articles, &dlq], port);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut extra = cfg.kafka.clone();
    extra.topics.raw = mid.clone();
    extra.topics.keyed = out.clone();
    extra.topics.articles = out1.clone();
    extra.topics.dead_letter = t("unused");
    create_topics(mock.as_ref(), &rt, &cfg.kafka);
    create_topics(mock.as_ref(), &rt, &extra);

    // 1. Load.
    let mut rng = 7u64;
    let mut next = || {
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1);
        (rng >> 33) as usize
    };
    let stories = items * 3 / 4;
    let mut values = Vec::with_capacity(items);
    for i in 0..items {
        let roll = next() % 100;
        values.push(if i < stories || roll >= 25 {
            item(i % stories.max(1), 1)
        } else if roll < 5 {
            item(next() % stories, 2)
        } else {
            item(next() % stories, 1)
        });
    }
    let bytes: usize = values.iter().map(Vec::len).sum();
    let started = Instant::now();
    produce(&cfg, &raw, &values, true);
    println!(
        "load: {items} items, {:.1} MB, {:.0} items/s",
        bytes as f64 / 1e6,
        items as f64 / started.elapsed().as_secs_f64()
    );
    let mb = bytes as f64 / 1e6;
    assert_eq!(
        dropped(&cfg, &raw),
        0,
        "the broker dropped raw records: raise --partitions"
    );

    // 2. Pass-through limits.
    let one = passthrough(&cfg, &[(&raw, &out1)], items, &format!("{run}-pt1"));
    println!(
        "passthrough 1 hop: {one:.0} items/s {:.1} MB/s",
        one * mb / items as f64
    );
    let cpu_before = client_cpu_seconds();
    let two = passthrough(
        &cfg,
        &[(&raw, &mid), (&mid, &out)],
        items,
        &format!("{run}-pt2"),
    );
    let pt_cpu_us = (client_cpu_seconds() - cpu_before) * 1e6 / items as f64;
    println!(
        "passthrough 2 hops: {two:.0} items/s {:.1} MB/s, client CPU {pt_cpu_us:.1} µs/item",
        two * mb / items as f64
    );

    // 3. wirefeed.
    let child = std::process::Command::new(&wirefeed_bin)
        .arg("run")
        .args([
            "--set",
            &format!("kafka.bootstrap_servers={bootstrap}"),
            "--set",
            &format!("kafka.application_id={run}"),
        ])
        .args([
            "--set",
            &format!("kafka.topics.raw={raw}"),
            "--set",
            &format!("kafka.topics.keyed={keyed}"),
        ])
        .args([
            "--set",
            &format!("kafka.topics.articles={articles}"),
            "--set",
            &format!("kafka.topics.dead_letter={dlq}"),
        ])
        .args([
            "--set",
            &format!("kafka.partitions={}", partitions()),
            "--set",
            "kafka.create_topics=false",
        ])
        .args(["--set", &format!("metrics.listen=127.0.0.1:{port}")])
        .args(extra_sets().iter().flat_map(|s| ["--set", s.as_str()]))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("wirefeed");
    let pid = child.id();
    let child = Wirefeed(child);
    let mut first = 0;
    while first == 0 {
        if metric(port, "wirefeed_records_consumed_total{stage=\"parse\"") > 0.0 {
            first = now_ms();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let deadline = Instant::now() + Duration::from_secs(1800);
    let mut done = 0;
    while Instant::now() < deadline {
        let keyed_total = end_total(&cfg, &keyed) as f64;
        let consumed = metric(port, "wirefeed_records_consumed_total{stage=\"dedup\"");
        let parsed_in = metric(port, "wirefeed_records_consumed_total{stage=\"parse\"");
        if parsed_in >= items as f64 && consumed >= keyed_total && keyed_total > 0.0 {
            done = now_ms();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(done > 0, "wirefeed did not drain the raw topic");
    let wf = items as f64 / ((done - first) as f64 / 1000.0);
    let (cpu_drain, _) = proc_stat(pid);
    let threads = thread_cpu(pid);
    println!(
        "wirefeed: {wf:.0} items/s {:.1} MB/s",
        wf * mb / items as f64
    );
    let keyed_size = TopicSize::read(&cfg, &keyed);
    let articles_size = TopicSize::read(&cfg, &articles);
    let keyed_ratio = keyed_size.bytes as f64 / bytes as f64;
    println!(
        "keyed: {} records, {:.1} MB with keys and headers ({keyed_ratio:.2}x the raw values); articles: {} records, {:.1} MB, {:.2} headers per article",
        keyed_size.records,
        keyed_size.bytes as f64 / 1e6,
        articles_size.records,
        articles_size.bytes as f64 / 1e6,
        articles_size.headers as f64 / articles_size.records.max(1) as f64
    );

    // 4. Latency at a fixed rate: wirefeed, then the two-hop pass-through on fresh topics.
    let lat_items = rate * latency_secs;
    let wf_lat = Latencies::measure(&cfg, &raw, &articles, rate, lat_items, &run);
    println!("latency at {rate} items/s, wirefeed: {wf_lat}");
    let mut lat_topics = cfg.kafka.clone();
    lat_topics.topics.raw = t("lat-raw");
    lat_topics.topics.keyed = t("lat-mid");
    lat_topics.topics.articles = t("lat-out");
    lat_topics.topics.dead_letter = t("lat-unused");
    create_topics(mock.as_ref(), &rt, &lat_topics);
    let (lraw, lmid, lout) = (t("lat-raw"), t("lat-mid"), t("lat-out"));
    let stop = Arc::new(AtomicBool::new(false));
    let first = Arc::new(AtomicI64::new(0));
    let hops = [
        hop(
            &cfg,
            &format!("{run}-lat0"),
            &lraw,
            &lmid,
            first.clone(),
            stop.clone(),
        ),
        hop(
            &cfg,
            &format!("{run}-lat1"),
            &lmid,
            &lout,
            first,
            stop.clone(),
        ),
    ];
    // Let both hops join their groups before the clock starts.
    std::thread::sleep(Duration::from_secs(5));
    let pt_lat = Latencies::measure(&cfg, &lraw, &lout, rate, lat_items, &run);
    stop.store(true, Ordering::Relaxed);
    for h in hops {
        h.join().ok();
    }
    println!("latency at {rate} items/s, pass-through 2 hops: {pt_lat}");

    // 5. Resources, and how fast the dedup state is rebuilt from the articles topic.
    let (_, rss_mb) = proc_stat(pid);
    let restore_started = Instant::now();
    let mut restored = 0;
    for p in 0..partitions() {
        let (state, report) = kafka::restore::restore_partition(
            &cfg.kafka,
            p,
            cfg.dedup.same_story(),
            cfg.dedup.restore_lookback,
            cfg.dedup.restore_timeout,
            &std::sync::atomic::AtomicBool::new(false),
        )
        .unwrap_or_else(|f| panic!("restore of partition {p}: {}", f.cause));
        assert!(report.complete, "restore of partition {p} incomplete");
        restored += state.len();
    }
    let restore_s = restore_started.elapsed().as_secs_f64();
    for topic in [&raw, &keyed, &articles, &mid, &out, &out1] {
        assert_eq!(
            dropped(&cfg, topic),
            0,
            "the broker dropped records of {topic}: raise --partitions"
        );
    }
    println!(
        "restore: {restored} keys in {restore_s:.2} s ({:.1} s per 1M keys)",
        restore_s * 1e6 / restored.max(1) as f64
    );
    child.stop();
    let cpu_us = cpu_drain * 1e6 / items as f64;
    let bpk = bytes_per_key();
    println!(
        "wirefeed CPU {cpu_drain:.2} s for {items} items ({cpu_us:.1} µs/item, broker excluded), peak RSS {rss_mb:.1} MB"
    );
    let top: Vec<String> = threads
        .iter()
        .take(8)
        .map(|(name, s)| format!("{name} {s:.2}"))
        .collect();
    println!("wirefeed CPU seconds by thread: {}", top.join(", "));
    println!("dedup state: {bpk:.0} bytes per key");
    println!(
        "e2e: items={items} passthrough_items_s={two:.0} wirefeed_items_s={wf:.0} ratio={:.2} cpu_us_per_item={cpu_us:.1} p99_ms={:.0} rss_mb={rss_mb:.1} bytes_per_key={bpk:.0} passthrough_p99_ms={:.0} passthrough_cpu_us_per_item={pt_cpu_us:.1} keyed_to_raw={keyed_ratio:.2} headers_per_article={:.2}",
        wf / two,
        wf_lat.pct(0.99),
        pt_lat.pct(0.99),
        articles_size.headers as f64 / articles_size.records.max(1) as f64
    );
}

/// End-to-end latencies of probe items: output record time minus input record time (ms).
struct Latencies(Vec<f64>);

impl Latencies {
    /// Produces `n` probe items to `into` at `rate` per second and reads their outputs (wirefeed
    /// articles or passed-through copies) from `from`, which is read from its end.
    fn measure(cfg: &Config, into: &str, from: &str, rate: usize, n: usize, run: &str) -> Self {
        let producer: BaseProducer = kafka::client_config(&cfg.kafka, Role::Producer)
            .create()
            .unwrap();
        // Warm up: the first send waits for the connection and the idempotent producer id, which
        // is the probe producer's cost, not the pipeline's.
        producer
            .send(BaseRecord::<str, str>::to(into).payload("warm-up"))
            .ok();
        producer.flush(Duration::from_secs(30)).ok();
        let reader: BaseConsumer = kafka::client_config(&cfg.kafka, Role::Admin)
            .set("group.id", format!("{run}-lat"))
            .set("fetch.wait.max.ms", "10")
            .create()
            .unwrap();
        let mut tpl = TopicPartitionList::new();
        for p in 0..partitions() {
            let (_, h) = reader
                .fetch_watermarks(from, p, Duration::from_secs(10))
                .unwrap();
            tpl.add_partition_offset(from, p, Offset::Offset(h))
                .unwrap();
        }
        reader.assign(&tpl).unwrap();
        let mut sent: HashMap<String, i64> = HashMap::with_capacity(n);
        let mut latencies = Vec::with_capacity(n);
        let observe = |m: &rdkafka::message::BorrowedMessage<'_>,
                       sent: &HashMap<String, i64>,
                       latencies: &mut Vec<f64>| {
            let Ok(doc) =
                serde_json::from_slice::<serde_json::Value>(m.payload().unwrap_or_default())
            else {
                return;
            };
            // A ninjs article carries the item's id as its first altid; a copy carries it as is.
            let id = doc
                .pointer("/altids/0/value")
                .or_else(|| doc.pointer("/id"))
                .and_then(|v| v.as_str());
            if let (Some(t0), Some(t1)) = (
                id.and_then(|id| sent.get(id)).copied(),
                m.timestamp().to_millis(),
            ) {
                latencies.push((t1 - t0) as f64);
            }
        };
        let start = Instant::now();
        for i in 0..n {
            let due = start + Duration::from_secs_f64(i as f64 / rate as f64);
            while Instant::now() < due {
                match reader.poll(Duration::ZERO) {
                    Some(Ok(m)) => observe(&m, &sent, &mut latencies),
                    _ => std::thread::sleep(Duration::from_micros(200)),
                }
            }
            let id = format!("lat-{run}-{into}-{i}");
            let value = serde_json::json!({
                "headline": format!("Latency probe {i} of {into}"),
                "body": "A short probe item for the latency measurement.",
                "published": chrono::Utc::now().to_rfc3339(),
                "id": id,
            })
            .to_string();
            let ts = now_ms();
            sent.insert(id, ts);
            producer
                .send(
                    BaseRecord::<str, str>::to(into)
                        .payload(&value)
                        .timestamp(ts),
                )
                .ok();
            producer.poll(Duration::ZERO);
        }
        producer.flush(Duration::from_secs(30)).ok();
        let deadline = Instant::now() + Duration::from_secs(60);
        while latencies.len() < n && Instant::now() < deadline {
            if let Some(Ok(m)) = reader.poll(Duration::from_millis(100)) {
                observe(&m, &sent, &mut latencies);
            }
        }
        latencies.sort_by(f64::total_cmp);
        Latencies(latencies)
    }

    /// The `q` quantile (0..=1), NaN when nothing was measured.
    fn pct(&self, q: f64) -> f64 {
        self.0
            .get(((self.0.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(f64::NAN)
    }
}

impl std::fmt::Display for Latencies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} samples, p50 {:.0} ms, p90 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
            self.0.len(),
            self.pct(0.5),
            self.pct(0.9),
            self.pct(0.99),
            self.pct(1.0)
        )
    }
}

/// The wirefeed process under test, killed when dropped: a failed run leaves none behind (on the
/// mock cluster it would retry a broker that is gone).
struct Wirefeed(std::process::Child);

impl Wirefeed {
    /// Stops wirefeed (SIGTERM, then waits).
    fn stop(mut self) {
        std::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status()
            .ok();
        self.0.wait().ok();
    }
}

impl Drop for Wirefeed {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            self.0.kill().ok();
            self.0.wait().ok();
        }
    }
}
