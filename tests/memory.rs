//! Memory is bounded by bytes: a burst of large raw records pauses the parse stage's consumption
//! at `pipeline.max_in_flight_bytes`, whatever `pipeline.max_in_flight` allows, and every record
//! still becomes its article. Broker: the mock cluster unless `TEST_KAFKA_BOOTSTRAP` is set.
//!
//! The test installs its own metrics recorder, which keeps the highest value ever set on
//! `wirefeed_parse_pending_bytes` (the stage sets it as it pauses, when it holds the most).

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use common::*;
use metrics::{
    Counter, Gauge, GaugeFn, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit,
};
use wirefeed::app::Pipeline;
use wirefeed::telemetry::{Stats, names};

/// The highest value a gauge was set to, and how often it was set.
#[derive(Debug, Default)]
struct Peak {
    bits: AtomicU64,
    sets: AtomicU64,
}

impl Peak {
    fn get(&self) -> f64 {
        f64::from_bits(self.bits.load(Ordering::Relaxed))
    }
}

impl GaugeFn for Peak {
    fn increment(&self, _: f64) {}
    fn decrement(&self, _: f64) {}
    fn set(&self, value: f64) {
        self.sets.fetch_add(1, Ordering::Relaxed);
        self.bits
            .fetch_max(value.max(0.0).to_bits(), Ordering::Relaxed);
    }
}

/// Records only the peak of the pending-bytes gauge; every other metric is a no-op.
#[derive(Debug, Default)]
struct PeakRecorder {
    pending_bytes: Arc<Peak>,
}

impl Recorder for PeakRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, _: &Key, _: &Metadata<'_>) -> Counter {
        Counter::noop()
    }
    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        if key.name() == names::PARSE_PENDING_BYTES {
            Gauge::from_arc(self.pending_bytes.clone())
        } else {
            Gauge::noop()
        }
    }
    fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::noop()
    }
}

/// The process-wide recorder's peak gauge (installed once).
fn pending_bytes_peak() -> Arc<Peak> {
    static PEAK: OnceLock<Arc<Peak>> = OnceLock::new();
    PEAK.get_or_init(|| {
        let recorder = PeakRecorder::default();
        let peak = recorder.pending_bytes.clone();
        metrics::set_global_recorder(recorder).expect("the first recorder of this process");
        peak
    })
    .clone()
}

const MIB: usize = 1 << 20;

/// A JSON envelope item of about `size` bytes: story `i`, a long body of distinct paragraphs.
fn large_item(i: usize, size: usize) -> Vec<u8> {
    let mut body = String::with_capacity(size);
    let mut n = 0;
    // In JSON each paragraph break takes four bytes (`\n\n` escaped).
    while body.len() + 2 * n + 400 < size {
        body.push_str(&format!(
            "Paragraph {n} of report {i}: the harbour authority said section {n} of the sea wall \
             was inspected overnight and repairs would continue through the week.\n\n"
        ));
        n += 1;
    }
    serde_json::json!({
        "headline": format!("Harbour wall inspection report number {i}"),
        "body": body,
        "published": format!("2025-08-20T10:{:02}:00Z", i % 60),
    })
    .to_string()
    .into_bytes()
}

/// 100 raw records of 512 KiB (50 MiB) against a 2 MiB budget and the default 2048-record bound:
/// the stage never holds more than the budget plus one record, it did fill the budget (so it
/// paused on bytes), and every record became one article.
///
/// The mock cluster keeps only the newest 5 MiB of a partition, hence many partitions: every
/// topic's share of the burst must stay below that.
#[test]
fn a_burst_of_large_records_pauses_consumption_by_bytes() {
    const RECORDS: usize = 100;
    const SIZE: usize = MIB / 2;
    const PARTITIONS: i32 = 32;
    const BUDGET: usize = 2 * MIB;
    let peak = pending_bytes_peak();
    let broker = Broker::start();
    let bootstrap = broker.bootstrap();
    let mut sets = overrides(&broker, PARTITIONS);
    sets.extend([
        format!("pipeline.max_in_flight_bytes={BUDGET}"),
        // One parser: the stage consumes faster than it parses, so the budget fills.
        "pipeline.workers=1".into(),
        // The articles are about as large as the items.
        "kafka.producer.message.max.bytes=2000000".into(),
    ]);
    let config = wirefeed::config::Config::load(&wirefeed::config::Sources {
        file: None,
        env: Vec::new(),
        sets,
    })
    .expect("test config");
    assert_eq!(
        config.pipeline.max_in_flight, 2048,
        "the record bound stays the default"
    );
    broker.create_topics(&config);
    let topics = config.kafka.topics.clone();
    let items: Vec<Outgoing> = (0..RECORDS)
        .map(|i| Outgoing {
            key: Some(format!("item-{i}")),
            value: large_item(i, SIZE),
            partition: Some(i as i32 % PARTITIONS),
            ..Outgoing::default()
        })
        .collect();
    let largest = items
        .iter()
        .map(|r| r.value.len() + r.key.as_ref().map_or(0, String::len))
        .max()
        .unwrap();
    assert!(largest > SIZE - 1024 && largest <= SIZE, "{largest}");
    produce_records(&bootstrap, &topics.raw, &items);

    let pipeline = Pipeline::start(Arc::new(config)).unwrap();
    let stats = pipeline.stats();
    assert!(
        wait_for(SETTLE * 2, || Stats::get(&stats.records) == RECORDS as u64
            && Stats::get(&stats.keyed_records) == RECORDS as u64),
        "pipeline did not finish: {}",
        stats.summary_line()
    );
    let articles = read_until(
        &bootstrap,
        &topics.articles,
        PARTITIONS,
        SETTLE,
        std::time::Duration::from_secs(1),
        |r| r.len() >= RECORDS,
    );
    let stats = pipeline.stop().unwrap();

    let held = peak.get() as usize;
    println!("held at most {held} bytes against a budget of {BUDGET} (records of {largest})");
    assert!(
        peak.sets.load(Ordering::Relaxed) > 0,
        "the pending-bytes gauge was never set"
    );
    assert!(
        held <= BUDGET + largest,
        "held {held} bytes, more than the budget {BUDGET} plus one record {largest}"
    );
    assert!(
        held >= BUDGET,
        "held at most {held} bytes: the stage never filled its {BUDGET}-byte budget"
    );
    assert_eq!(
        Stats::get(&stats.articles),
        RECORDS as u64,
        "{}",
        stats.summary_line()
    );
    assert_eq!(
        Stats::get(&stats.dead_letters),
        0,
        "{}",
        stats.summary_line()
    );
    let ids: HashSet<String> = articles.iter().filter_map(|a| a.key.clone()).collect();
    assert_eq!(ids.len(), RECORDS, "one article per record");
}
