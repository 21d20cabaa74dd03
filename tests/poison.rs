//! Poison records against one `wirefeed run` process: records the broker takes but wirefeed can
//! never write back as they are (a 1,010,000-byte binary record; a 4.5 MiB one, over
//! `pipeline.max_item_bytes`, as big as the mock broker keeps in a partition), a raw header key
//! that is not UTF-8, and a record that makes the parser panic (the test-only fault
//! `WIREFEED_FAULTS=panic-on=TEXT`). Each ends as its dead letter or article, the records after
//! them still flow, and SIGTERM exits 0 with everything committed.
//! Broker: the mock cluster, or Tansu when `TEST_KAFKA_BOOTSTRAP` is set.

mod common;

use std::time::Duration;

use common::*;

use wirefeed::kafka::headers;

/// The marker that makes the parser panic in this test's process.
const PANIC_MARKER: &str = "PANIC-ON-THIS-STORY";

#[test]
fn poison_records_are_dead_lettered_and_the_partition_flows() {
    let broker = Broker::start();
    let bootstrap = broker.bootstrap();
    // Every poison record stands in front of good ones in its partition.
    let (sets, config) = child_config(&broker, overrides(&broker, 2));
    let t = config.kafka.topics.clone();

    let binary: Vec<u8> = (0..1_010_000u32).map(|i| (i % 251) as u8).collect();
    let huge = "lorem ipsum ".repeat(9 * 1024 * 1024 / 24).into_bytes();
    let panicking = String::from_utf8(envelope(3, 1))
        .unwrap()
        .replace(
            "\"headline\":\"",
            &format!("\"headline\":\"{PANIC_MARKER} "),
        )
        .into_bytes();
    let record = |partition: i32, value: Vec<u8>| Outgoing {
        value,
        partition: Some(partition),
        ..Outgoing::default()
    };
    let records = vec![
        record(0, envelope(0, 1)),
        record(0, binary),
        Outgoing {
            headers: vec![(b"bad-\xff\xfe-key".to_vec(), b"v".to_vec())],
            ..record(0, envelope(1, 1))
        },
        record(0, panicking),
        record(0, envelope(2, 1)),
        record(1, huge.clone()),
        record(1, envelope(4, 1)),
    ];
    produce_records(&bootstrap, &t.raw, &records);

    let mut child = spawn_wirefeed_env(
        &sets,
        &[("WIREFEED_FAULTS", &format!("panic-on={PANIC_MARKER}"))],
    );
    let articles = read_until(&bootstrap, &t.articles, 2, SETTLE, Duration::ZERO, |r| {
        r.len() >= 4
    });
    let dead = read_until(&bootstrap, &t.dead_letter, 2, SETTLE, Duration::ZERO, |r| {
        r.len() >= 3
    });
    signal(&child, "TERM");
    let status = wait_exit(&mut child, Duration::from_secs(60));
    assert!(status.success(), "SIGTERM exits 0, got {status}");

    // The good records around the poison, the one with the bad header key included.
    let mut sources: Vec<String> = articles.iter().filter_map(|r| r.notes().source).collect();
    sources.sort_unstable();
    assert_eq!(sources, ["0:0", "0:2", "0:4", "1:1"], "articles by source");

    let source = |r: &Rec| {
        let get = |k| r.headers.get(k).cloned().unwrap_or_default();
        format!(
            "{}:{}",
            get(headers::SOURCE_PARTITION),
            get(headers::SOURCE_OFFSET)
        )
    };
    let by_source = |wanted: &str| {
        dead.iter()
            .find(|r| source(r) == wanted)
            .unwrap_or_else(|| panic!("no dead letter for {wanted}: {dead:#?}"))
    };
    assert_eq!(dead.len(), 3, "one dead letter per poison record");
    let reason = |r: &Rec| r.headers.get(headers::REASON).cloned().unwrap_or_default();
    // Records over the producer's message.max.bytes come back bounded, with their length.
    let bin = by_source("0:1");
    assert_eq!(
        bin.headers.get(headers::TRUNCATED).map(String::as_str),
        Some("1010000")
    );
    assert!(bin.value.len() < 1_000_000);
    let big = by_source("1:0");
    assert_eq!(reason(big), "too-large");
    assert_eq!(
        big.headers.get(headers::TRUNCATED),
        Some(&huge.len().to_string())
    );
    assert!(big.value.len() < 1_000_000);
    assert!(!reason(bin).is_empty() && !reason(big).is_empty());
    // The parser's panic is caught for that record: its raw bytes go out as `parser-panic`.
    let panicked = by_source("0:3");
    assert_eq!(reason(panicked), "parser-panic");
    assert!(String::from_utf8_lossy(&panicked.value).contains(PANIC_MARKER));

    assert_eq!(
        committed(&bootstrap, &config.kafka.parse_group(), &t.raw, 2),
        end_offsets(&bootstrap, &t.raw, 2),
        "the parse stage committed past every poison record"
    );
}
