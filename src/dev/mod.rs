//! `wirefeed dev`: the whole product on one machine with nothing installed.
//!
//! Starts librdkafka's in-process mock cluster (a Kafka-protocol broker on a loopback port),
//! creates the topics, publishes a bundled sample feed (seed-style syndicated pages including
//! duplicates and an update, a JSON envelope, and a corrupt record), runs both stages, and prints
//! every article from the articles topic as it arrives. Other Kafka clients can produce to the
//! printed bootstrap address while it runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};

use crate::app::{Pipeline, shutdown_signal};
use crate::config::Config;
use crate::kafka::{self, Role, headers};
use crate::telemetry::Stats;

/// The bundled sample feed: (name, bytes). Written for wirefeed; the stories are invented.
pub const SAMPLE: &[(&str, &[u8])] = &[
    (
        "01-rbi-rates.txt",
        include_bytes!("sample/01-rbi-rates.txt"),
    ),
    (
        "02-kerala-rain.txt",
        include_bytes!("sample/02-kerala-rain.txt"),
    ),
    (
        "03-asia-markets.txt",
        include_bytes!("sample/03-asia-markets.txt"),
    ),
    // The same Reuters story relayed as "UPDATE 1-...": a duplicate.
    (
        "04-asia-markets-relay.txt",
        include_bytes!("sample/04-asia-markets-relay.txt"),
    ),
    // The first story again, byte for byte: a duplicate.
    (
        "01-rbi-rates.txt (again)",
        include_bytes!("sample/01-rbi-rates.txt"),
    ),
    // The Kerala story updated in the afternoon with a new paragraph: an update.
    (
        "05-kerala-rain-update.txt",
        include_bytes!("sample/05-kerala-rain-update.txt"),
    ),
    (
        "06-envelope.json",
        include_bytes!("sample/06-envelope.json"),
    ),
    // Not text at all: a dead letter.
    ("07-corrupt.bin", b"\x00\x9f\x92\x96wirefeed\xff\xfe\x00"),
];

/// What the sample feed must come to: (articles, duplicates, updates, dead letters).
pub const SAMPLE_EXPECTED: (u64, u64, u64, u64) = (4, 2, 1, 1);

/// Runs the dev mode; with `once`, returns when the sample is fully processed.
///
/// # Errors
/// Fails when the embedded broker or a client cannot start, or (with `once`) when the sample is
/// not processed within two minutes.
pub async fn run(mut config: Config, once: bool, json: bool) -> anyhow::Result<()> {
    let mock = MockCluster::new(1).context("starting the embedded broker")?;
    let bootstrap = mock.bootstrap_servers();
    config.kafka.bootstrap_servers = bootstrap.clone();
    config.kafka.create_topics = false;
    let partitions = config.kafka.partitions;
    for topic in config.kafka.topics.all() {
        mock.create_topic(topic, partitions, 1)
            .with_context(|| format!("creating topic {topic}"))?;
    }
    publish_sample(&config)?;
    eprintln!(
        "wirefeed dev: embedded Kafka broker at {bootstrap}; published {} sample records to {}",
        SAMPLE.len(),
        config.kafka.topics.raw
    );
    eprintln!(
        "wirefeed dev: produce more raw items to topic {} with any Kafka client{}",
        config.kafka.topics.raw,
        if once { "" } else { "; Ctrl-C stops" }
    );
    let readiness = Arc::new(crate::telemetry::Readiness::default());
    let (server, stop_server) = match crate::app::start_metrics(&config, &readiness).await {
        Ok(started) => started,
        Err(e) => {
            // A busy default port should not stop a demo: serve on a free port instead.
            tracing::warn!(cause = %format!("{e:#}"), "Metrics port unavailable; using a free port");
            config.metrics.listen = "127.0.0.1:0".into();
            crate::app::start_metrics(&config, &readiness).await?
        }
    };
    if let Some(s) = &server {
        eprintln!(
            "wirefeed dev: metrics on http://{0}/metrics, health on http://{0}/healthz and /readyz",
            s.local_addr()
        );
    }
    let config = Arc::new(config);
    let pipeline = Pipeline::start_with(config.clone(), readiness)?;
    let stats = pipeline.stats();
    let printed = Arc::new(AtomicU64::new(0));
    let stop_printer = Arc::new(AtomicBool::new(false));
    let printer = {
        let (config, printed, stop) = (config.clone(), printed.clone(), stop_printer.clone());
        std::thread::Builder::new()
            .name("wirefeed-dev-printer".into())
            .spawn(move || print_articles(&config, json, &printed, &stop))?
    };
    let started = Instant::now();
    let outcome = if once {
        loop {
            if sample_done(&stats, &printed) {
                break Ok(());
            }
            if pipeline.failed() {
                break Err(anyhow::anyhow!("a stage stopped unexpectedly"));
            }
            if started.elapsed() > Duration::from_secs(120) {
                break Err(anyhow::anyhow!(
                    "the sample feed was not processed within 120 s"
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    } else {
        shutdown_signal().await;
        Ok(())
    };
    let stats = tokio::task::spawn_blocking(move || pipeline.stop()).await??;
    stop_printer.store(true, Ordering::Relaxed);
    if printer.join().is_err() {
        tracing::warn!("The article printer panicked");
    }
    println!("{}", stats.summary_line());
    stop_server.send(()).ok();
    if let Some(server) = server {
        server.stopped().await;
    }
    drop(mock);
    outcome
}

fn sample_done(stats: &Stats, printed: &AtomicU64) -> bool {
    let records = Stats::get(&stats.records);
    let parsed = Stats::get(&stats.parsed);
    let keyed = Stats::get(&stats.keyed_records);
    let emitted = Stats::get(&stats.articles) + Stats::get(&stats.updates);
    records >= SAMPLE.len() as u64 && keyed >= parsed && printed.load(Ordering::Relaxed) >= emitted
}

fn publish_sample(config: &Config) -> anyhow::Result<()> {
    let producer: BaseProducer = kafka::client_config(&config.kafka, Role::Producer)
        .create()
        .context("creating the sample producer")?;
    for (i, (name, bytes)) in SAMPLE.iter().enumerate() {
        let key = format!("sample-{i}");
        // One partition keeps the feed's order, so the update arrives after the story it updates.
        let record = BaseRecord::<str, [u8]>::to(&config.kafka.topics.raw)
            .key(&key)
            .partition(0)
            .payload(bytes);
        producer
            .send(record)
            .map_err(|(e, _)| anyhow::anyhow!("publishing {name}: {e}"))?;
    }
    producer
        .flush(Duration::from_secs(10))
        .context("publishing the sample feed")?;
    Ok(())
}

/// Follows the articles topic from the beginning and prints each article.
fn print_articles(config: &Config, json: bool, printed: &AtomicU64, stop: &AtomicBool) {
    let consumer: BaseConsumer = match kafka::client_config(&config.kafka, Role::Admin)
        .set(
            "group.id",
            format!("{}-dev-printer", config.kafka.application_id),
        )
        .set("enable.auto.commit", "false")
        .create()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("wirefeed dev: cannot follow the articles topic: {e}");
            return;
        }
    };
    let mut tpl = TopicPartitionList::new();
    for p in 0..config.kafka.partitions {
        if let Err(e) =
            tpl.add_partition_offset(&config.kafka.topics.articles, p, Offset::Beginning)
        {
            eprintln!("wirefeed dev: cannot follow partition {p}: {e}");
        }
    }
    if let Err(e) = consumer.assign(&tpl) {
        eprintln!("wirefeed dev: cannot follow the articles topic: {e}");
        return;
    }
    while !stop.load(Ordering::Relaxed) {
        let Some(Ok(msg)) = consumer.poll(Duration::from_millis(100)) else {
            continue;
        };
        let payload = msg.payload().unwrap_or_default();
        if json {
            println!("{}", String::from_utf8_lossy(payload));
        } else {
            let kind = msg
                .headers()
                .and_then(|h| h.iter().find(|h| h.key == headers::KIND))
                .and_then(|h| h.value)
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .unwrap_or_default();
            println!("{}", summarise(payload, &kind));
        }
        printed.fetch_add(1, Ordering::Relaxed);
    }
}

/// One line for a person: kind, version, headline, source, time, id.
fn summarise(payload: &[u8], kind: &str) -> String {
    let doc: serde_json::Value = serde_json::from_slice(payload).unwrap_or_default();
    let get = |k: &str| doc.get(k).and_then(|v| v.as_str()).unwrap_or("");
    let headline = doc
        .pointer("/headlines/0/value")
        .and_then(|v| v.as_str())
        .unwrap_or("(no headline)");
    let time = doc
        .get("firstcreated")
        .or_else(|| doc.get("firstCreated"))
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let source = [get("by"), get("located")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "article {kind:<6} v{:<2} {headline} | {source} | {time} | {}",
        get("version"),
        get("uri")
    )
}
