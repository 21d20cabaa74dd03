//! Dedup that survives restarts and rebalances: the state is rebuilt from the articles topic.
//! Broker: the mock cluster, or Tansu when `TEST_KAFKA_BOOTSTRAP` is set.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono::{TimeZone, Utc};

use common::*;
use wirefeed::app::Pipeline;
use wirefeed::kafka::headers;
use wirefeed::kafka::restore::restore_partition;
use wirefeed::kafka::state_header::{Annotations, ArticleState};
use wirefeed::telemetry::Stats;

fn drained(p: &Pipeline, records: u64) -> bool {
    let s = p.stats();
    Stats::get(&s.records) == records && Stats::get(&s.keyed_records) == Stats::get(&s.parsed)
}

/// A new instance, started after the first stopped, recognises copies of what the first emitted.
#[test]
fn restarted_instance_restores_state_from_articles() {
    let broker = Broker::start();
    let config = Arc::new(config(&broker, 3));
    let t = config.kafka.topics.clone();
    let bootstrap = broker.bootstrap();
    let first: Vec<_> = (0..30)
        .map(|i| (Some(format!("a{i}")), envelope(i, 5), Some((i % 3) as i32)))
        .collect();
    produce(&bootstrap, &t.raw, &first);
    let a = Pipeline::start(config.clone()).unwrap();
    assert!(
        wait_for(SETTLE, || drained(&a, 30)),
        "first run: {}",
        a.stats().summary_line()
    );
    let sa = a.stop().unwrap();
    assert_eq!(Stats::get(&sa.articles), 30);

    // Copies of all 30 (on other raw partitions) and 5 new stories.
    let mut second: Vec<_> = (0..30)
        .map(|i| {
            (
                Some(format!("b{i}")),
                envelope(i, 5),
                Some(((i + 1) % 3) as i32),
            )
        })
        .collect();
    second.extend((30..35).map(|i| (Some(format!("b{i}")), envelope(i, 5), None)));
    produce(&bootstrap, &t.raw, &second);
    let b = Pipeline::start(config.clone()).unwrap();
    assert!(
        wait_for(SETTLE, || drained(&b, 35)),
        "second run: {}",
        b.stats().summary_line()
    );
    let sb = b.stop().unwrap();
    assert_eq!(Stats::get(&sb.duplicates), 30, "{}", sb.summary_line());
    assert_eq!(Stats::get(&sb.articles), 5, "{}", sb.summary_line());

    let articles = read_until(
        &bootstrap,
        &t.articles,
        3,
        SETTLE,
        Duration::from_secs(2),
        |r| r.len() >= 35,
    );
    let mut per_key: HashMap<String, usize> = HashMap::new();
    for r in &articles {
        *per_key.entry(r.dedup_key()).or_default() += 1;
    }
    assert_eq!(articles.len(), 35);
    assert!(per_key.values().all(|&n| n == 1));
}

/// The restore still reads articles in the layouts earlier builds wrote: each field of the state
/// in a header of its own (before `wirefeed.state`), and `wirefeed.state` in layout 1 with the
/// source beside it (`output.article_headers = "separate"`). An instance whose articles topic
/// holds only such records, half in each, recognises copies of their stories.
#[test]
fn restore_reads_articles_of_the_earlier_header_layout() {
    const STORIES: usize = 12;
    let broker = Broker::start();
    let bootstrap = broker.bootstrap();
    let first = Arc::new(config(&broker, 3));
    let stories: Vec<_> = (0..STORIES)
        .map(|i| (Some(format!("a{i}")), envelope(i, 7), Some((i % 3) as i32)))
        .collect();
    produce(&bootstrap, &first.kafka.topics.raw, &stories);
    let a = Pipeline::start(first.clone()).unwrap();
    assert!(
        wait_for(SETTLE, || drained(&a, STORIES as u64)),
        "first run: {}",
        a.stats().summary_line()
    );
    a.stop().unwrap();
    let written = read_until(
        &bootstrap,
        &first.kafka.topics.articles,
        3,
        SETTLE,
        Duration::from_secs(1),
        |r| r.len() >= STORIES,
    );
    assert_eq!(written.len(), STORIES);

    // The same articles, as an earlier build wrote them, in a new instance's articles topic.
    let second = Arc::new(config(&broker, 3));
    let earlier: Vec<Outgoing> = written
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let state = r.state().expect("an article carries its state");
            let mut h: Vec<(&str, String)> =
                vec![(headers::KIND, r.headers[headers::KIND].clone())];
            if i % 2 == 0 {
                h.extend([
                    (headers::DEDUP_KEY, state.dedup_key.clone()),
                    (headers::FIRST_PUBLISHED, state.first_published.to_rfc3339()),
                    (headers::VERSION_TIME, state.version_time.to_rfc3339()),
                    (headers::VERSION, state.version.to_string()),
                    (headers::FINGERPRINT, format!("{:016x}", state.fingerprint)),
                ]);
                if state.near_dup_index {
                    h.push((headers::NEAR_DUP_INDEX, "1".into()));
                }
            } else {
                h.push((headers::STATE, state.encode_v1()));
                h.push((headers::SOURCE, r.notes().source.expect("a source")));
            }
            Outgoing {
                key: r.key.clone(),
                value: r.value.clone(),
                partition: Some(r.partition),
                headers: h
                    .into_iter()
                    .map(|(k, v)| (k.as_bytes().to_vec(), v.into_bytes()))
                    .collect(),
                timestamp: None,
            }
        })
        .collect();
    produce_records(&bootstrap, &second.kafka.topics.articles, &earlier);

    // Copies of every story, on other raw partitions.
    let copies: Vec<_> = (0..STORIES)
        .map(|i| {
            (
                Some(format!("b{i}")),
                envelope(i, 7),
                Some(((i + 1) % 3) as i32),
            )
        })
        .collect();
    produce(&bootstrap, &second.kafka.topics.raw, &copies);
    let b = Pipeline::start(second.clone()).unwrap();
    assert!(
        wait_for(SETTLE, || drained(&b, STORIES as u64)),
        "second run: {}",
        b.stats().summary_line()
    );
    let sb = b.stop().unwrap();
    assert_eq!(
        Stats::get(&sb.duplicates),
        STORIES as u64,
        "{}",
        sb.summary_line()
    );
    assert_eq!(Stats::get(&sb.articles), 0, "{}", sb.summary_line());
    assert_eq!(Stats::get(&sb.updates), 0, "{}", sb.summary_line());
}

/// An update after a restart keeps the article id and increments the version restored from the log.
#[test]
fn update_after_restart_continues_the_version() {
    let broker = Broker::start();
    let config = Arc::new(config(&broker, 2));
    let t = config.kafka.topics.clone();
    let bootstrap = broker.bootstrap();
    let item = |body: &str, published: &str, updated: &str| {
        serde_json::json!({
            "headline": "Port strike enters third day",
            "body": body,
            "published": published,
            "updated": updated,
        })
        .to_string()
        .into_bytes()
    };
    produce(
        &bootstrap,
        &t.raw,
        &[(
            None,
            item(
                "Dockworkers walked out.",
                "2025-08-20T06:00:00Z",
                "2025-08-20T06:00:00Z",
            ),
            Some(0),
        )],
    );
    let a = Pipeline::start(config.clone()).unwrap();
    assert!(wait_for(SETTLE, || drained(&a, 1)));
    a.stop().unwrap();
    produce(
        &bootstrap,
        &t.raw,
        &[(
            None,
            // Another outlet's copy, published an hour after the first.
            item(
                "Dockworkers walked out. Talks resume Monday.",
                "2025-08-20T07:00:00Z",
                "2025-08-20T09:00:00Z",
            ),
            Some(1),
        )],
    );
    let b = Pipeline::start(config.clone()).unwrap();
    assert!(wait_for(SETTLE, || drained(&b, 1)));
    let sb = b.stop().unwrap();
    assert_eq!(Stats::get(&sb.updates), 1, "{}", sb.summary_line());
    let articles = read_until(
        &bootstrap,
        &t.articles,
        2,
        SETTLE,
        Duration::from_secs(1),
        |r| r.len() >= 2,
    );
    assert_eq!(articles.len(), 2);
    let (v1, v2) = (articles[0].json(), articles[1].json());
    assert_eq!(v1["uri"], v2["uri"], "same article id");
    let mut versions = [
        v1["version"].as_str().unwrap(),
        v2["version"].as_str().unwrap(),
    ];
    versions.sort();
    assert_eq!(versions, ["1", "2"]);
    // Both versions carry the story's first publication in their state headers (a restore
    // anchors the window there), not the publication of the copy that made the update.
    for a in &articles {
        assert_eq!(
            a.state().unwrap().first_published.to_rfc3339(),
            "2025-08-20T06:00:00+00:00"
        );
    }
}

fn long_item(headline: &str, extra: &str) -> Vec<u8> {
    let body = format!(
        "The state electricity regulator on Tuesday approved a revised tariff schedule for the \
         coming financial year, raising rates for commercial users while leaving household bills \
         largely unchanged. Officials said the decision followed months of public hearings in \
         several districts and took into account the rising cost of coal imports. {extra}"
    );
    serde_json::json!({"headline": headline, "body": body, "published": "2025-08-21T05:00:00Z"})
        .to_string()
        .into_bytes()
}

/// A copy with a reworked headline is emitted but annotated with the first copy's id, also when the
/// first copy was emitted by an earlier instance (the index follows the articles topic).
#[test]
fn reworked_headline_is_annotated_as_near_duplicate() {
    let broker = Broker::start();
    let mut config = config(&broker, 3);
    config.output.extension = true;
    let config = Arc::new(config);
    let t = config.kafka.topics.clone();
    let bootstrap = broker.bootstrap();
    produce(
        &bootstrap,
        &t.raw,
        &[(
            None,
            long_item("Regulator approves new power tariffs", ""),
            Some(0),
        )],
    );
    let a = Pipeline::start(config.clone()).unwrap();
    assert!(wait_for(SETTLE, || drained(&a, 1)));
    a.stop().unwrap();
    produce(
        &bootstrap,
        &t.raw,
        &[
            (
                None,
                long_item("Power bills to rise for shops, homes spared", ""),
                Some(1),
            ),
            (
                None,
                long_item(
                    "Unrelated story on the same subject",
                    "Opposition parties criticised the move and called for a review by the \
                     assembly committee, arguing that small traders would bear the cost while \
                     large industrial consumers kept their concessions for another year.",
                ),
                Some(2),
            ),
        ],
    );
    let b = Pipeline::start(config.clone()).unwrap();
    assert!(wait_for(SETTLE, || drained(&b, 2)));
    let sb = b.stop().unwrap();
    assert_eq!(Stats::get(&sb.articles), 2);
    assert_eq!(Stats::get(&sb.near_duplicates), 1);
    let articles = read_until(
        &bootstrap,
        &t.articles,
        3,
        SETTLE,
        Duration::from_secs(1),
        |r| r.len() >= 3,
    );
    assert_eq!(articles.len(), 3);
    let first = articles
        .iter()
        .find(|r| r.json()["headlines"][0]["value"] == "Regulator approves new power tariffs")
        .unwrap();
    let reworked = articles
        .iter()
        .find(|r| {
            r.json()["headlines"][0]["value"] == "Power bills to rise for shops, homes spared"
        })
        .unwrap();
    let other = articles
        .iter()
        .find(|r| r.json()["headlines"][0]["value"] == "Unrelated story on the same subject")
        .unwrap();
    assert_eq!(reworked.notes().near_duplicate_of, first.key.clone());
    assert_eq!(
        reworked.json()["wirefeed"]["near_duplicate_of"],
        first.json()["uri"]
    );
    assert_eq!(other.notes().near_duplicate_of, None);
    assert_eq!(first.notes().near_duplicate_of, None);
}

/// A restore reads from the start of `dedup.restore_lookback`: articles older than it are not
/// state. A broker that answers the timestamp lookup (Tansu, Apache Kafka) has the read begin at
/// the first recent article, once the article before it is seen to be older; one that does not
/// (the mock cluster answers "end") has it begin at the partition's start and skip the old ones.
#[test]
fn restore_reads_from_the_lookback_start() {
    const OLD: i64 = 4;
    const RECENT: i64 = 3;
    let broker = Broker::start();
    let config = config(&broker, 1);
    let now = Utc::now().timestamp_millis();
    let article = |i: i64, at_ms: i64| {
        let at = Utc.timestamp_millis_opt(at_ms).unwrap();
        let state = ArticleState {
            dedup_key: format!("story {i}"),
            first_published: at,
            version_time: at,
            version: 1,
            fingerprint: i as u64,
            near_dup_index: false,
        };
        Outgoing {
            key: Some(format!("urn:wirefeed:article:{i:016x}")),
            value: b"{}".to_vec(),
            partition: Some(0),
            headers: vec![(
                headers::STATE.as_bytes().to_vec(),
                state.encode(&Annotations::default()).into_bytes(),
            )],
            timestamp: Some(at_ms),
        }
    };
    // Half an hour old, then a minute old; the lookback is ten minutes.
    let records: Vec<Outgoing> = (0..OLD)
        .map(|i| article(i, now - 30 * 60_000 + i))
        .chain((OLD..OLD + RECENT).map(|i| article(i, now - 60_000 + i)))
        .collect();
    produce_records(&broker.bootstrap(), &config.kafka.topics.articles, &records);

    let (state, report) = restore_partition(
        &config.kafka,
        0,
        config.dedup.same_story(),
        Duration::from_secs(600),
        Duration::from_secs(60),
        &AtomicBool::new(false),
    )
    .unwrap_or_else(|f| panic!("restore failed: {}", f.cause));
    assert!(report.complete, "{report:?}");
    assert_eq!(report.to_offset, OLD + RECENT, "{report:?}");
    assert_eq!(report.records, RECENT as u64, "{report:?}");
    assert_eq!(state.len(), RECENT as usize, "{report:?}");
    if broker.is_mock() {
        assert!(report.fell_back, "{report:?}");
        assert_eq!(report.from_offset, 0, "{report:?}");
    } else {
        assert!(!report.fell_back, "{report:?}");
        assert_eq!(report.from_offset, OLD, "{report:?}");
    }
}
