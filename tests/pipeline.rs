//! End-to-end pipeline tests against a broker over TCP: the mock cluster by default, Tansu when
//! `TEST_KAFKA_BOOTSTRAP` is set (see `.ci/run`). The seed test reads `../shared/seed`.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use common::*;
use wirefeed::app::Pipeline;
use wirefeed::config::{ArticleHeaders, KeyedLayout};
use wirefeed::kafka::headers;
use wirefeed::telemetry::Stats;

/// Seed + two copies + one undecodable record → exactly one article, two counted duplicates, one
/// dead letter carrying the reason and the source offset.
#[test]
fn seed_copies_and_a_bad_record() {
    let broker = Broker::start();
    let config = config(&broker, 3);
    let topics = config.kafka.topics.clone();
    let bootstrap = broker.bootstrap();
    let seed = seed();
    let bad = b"\x00\x01\x02\xff not a news item".to_vec();
    produce(
        &bootstrap,
        &topics.raw,
        &[
            (Some("a".into()), seed.clone(), Some(0)),
            (Some("b".into()), seed.clone(), Some(1)),
            (Some("c".into()), seed.clone(), Some(2)),
            (Some("bad".into()), bad.clone(), Some(1)),
        ],
    );
    let pipeline = Pipeline::start(Arc::new(config)).unwrap();
    let stats = pipeline.stats();
    assert!(
        wait_for(SETTLE, || Stats::get(&stats.records) == 4
            && Stats::get(&stats.keyed_records) == 3),
        "pipeline did not finish: {}",
        stats.summary_line()
    );
    let articles = read_until(
        &bootstrap,
        &topics.articles,
        3,
        SETTLE,
        std::time::Duration::from_secs(2),
        |r| !r.is_empty(),
    );
    let dlq = read_until(
        &bootstrap,
        &topics.dead_letter,
        3,
        SETTLE,
        std::time::Duration::from_secs(1),
        |r| !r.is_empty(),
    );
    let stats = pipeline.stop().unwrap();
    assert_eq!(articles.len(), 1, "exactly one article");
    assert_eq!(Stats::get(&stats.articles), 1);
    assert_eq!(Stats::get(&stats.duplicates), 2);
    assert_eq!(Stats::get(&stats.dead_letters), 1);
    let doc = articles[0].json();
    assert_eq!(
        doc["headlines"][0]["value"],
        "NATO defence chiefs discuss Ukraine security guarantees in virtual meet"
    );
    assert_eq!(doc["firstcreated"], "2025-08-20T10:27:00Z");
    assert_eq!(articles[0].key.as_deref(), doc["uri"].as_str());
    assert_eq!(articles[0].headers[headers::KIND], "new");
    assert_eq!(dlq.len(), 1, "exactly one dead letter");
    let dead = &dlq[0];
    assert_eq!(dead.value, bad, "raw bytes untouched");
    assert_eq!(dead.key.as_deref(), Some("bad"));
    assert_eq!(dead.headers[headers::REASON], "binary");
    assert_eq!(dead.headers[headers::STAGE], "parse");
    assert_eq!(dead.headers[headers::SOURCE_TOPIC], topics.raw);
    assert_eq!(dead.headers[headers::SOURCE_PARTITION], "1");
    assert_eq!(dead.headers[headers::SOURCE_OFFSET], "1");
    assert!(!dead.headers[headers::DETAIL].is_empty());
}

/// Copies of the same stories spread over different raw partitions, two wirefeed instances in one
/// group → each story emitted once (the keyed topic routes all copies to one dedup partition).
#[test]
fn two_instances_emit_each_story_once() {
    let broker = Broker::start();
    let config = Arc::new(config(&broker, 4));
    let topics = config.kafka.topics.clone();
    let bootstrap = broker.bootstrap();
    let a = Pipeline::start(config.clone()).unwrap();
    let b = Pipeline::start(config.clone()).unwrap();
    // Let both instances join before producing, so the test checks routing, not rebalancing.
    std::thread::sleep(std::time::Duration::from_secs(6));
    const STORIES: usize = 60;
    let mut records = Vec::new();
    for copy in 0..3 {
        for i in 0..STORIES {
            let partition = ((i + copy) % 4) as i32;
            records.push((
                Some(format!("{i}-{copy}")),
                envelope(i, i as u32),
                Some(partition),
            ));
        }
    }
    produce(&bootstrap, &topics.raw, &records);
    let total = || {
        let (sa, sb) = (a.stats(), b.stats());
        (
            Stats::get(&sa.records) + Stats::get(&sb.records),
            Stats::get(&sa.keyed_records) + Stats::get(&sb.keyed_records),
        )
    };
    assert!(
        wait_for(SETTLE, || total()
            == (3 * STORIES as u64, 3 * STORIES as u64)),
        "not all processed: {:?}",
        total()
    );
    let articles = read_until(
        &bootstrap,
        &topics.articles,
        4,
        SETTLE,
        std::time::Duration::from_secs(3),
        |r| r.len() >= STORIES,
    );
    let (sa, sb) = (a.stop().unwrap(), b.stop().unwrap());
    assert!(
        Stats::get(&sa.records) > 0 && Stats::get(&sb.records) > 0,
        "both instances took part: {} / {}",
        sa.summary_line(),
        sb.summary_line()
    );
    let mut per_key: HashMap<String, usize> = HashMap::new();
    for r in &articles {
        *per_key.entry(r.dedup_key()).or_default() += 1;
        // The dedup stage writes keyed partition p to articles partition p.
        let keyed_partition = r.partition;
        assert!((0..4).contains(&keyed_partition));
    }
    assert_eq!(per_key.len(), STORIES, "every story present");
    assert!(
        per_key.values().all(|&n| n == 1),
        "a story was emitted twice: {per_key:?}"
    );
    assert_eq!(
        Stats::get(&sa.duplicates) + Stats::get(&sb.duplicates),
        2 * STORIES as u64
    );
    let ids: HashSet<_> = articles.iter().map(|r| r.key.clone()).collect();
    assert_eq!(ids.len(), STORIES);
}

/// Every keyed layout a build writes (the current one and, for rolling upgrades, the older ones)
/// brings its raw record's origin to the article: the current layout in the keyed value with no
/// record headers, the older ones in headers. The article names it in either header layout: in
/// `wirefeed.state` (layout 2) beside `wirefeed.kind` and nothing else, or, `separate`, in
/// `wirefeed.source` beside a layout 1 `wirefeed.state`.
#[test]
fn every_layout_carries_the_origin_to_the_article() {
    let broker = Broker::start();
    for (layout, origin_headers, article_headers) in [
        (KeyedLayout::Compact, false, ArticleHeaders::Compact),
        (KeyedLayout::CompactV1, true, ArticleHeaders::Separate),
        (KeyedLayout::Json, true, ArticleHeaders::Compact),
    ] {
        let mut config = config(&broker, 2);
        config.pipeline.keyed_layout = layout;
        config.output.article_headers = article_headers;
        let topics = config.kafka.topics.clone();
        let bootstrap = broker.bootstrap();
        produce(
            &bootstrap,
            &topics.raw,
            &[
                (
                    Some("filler".into()),
                    b"\x00\x01 not news".to_vec(),
                    Some(1),
                ),
                (Some("seed".into()), seed(), Some(1)),
            ],
        );
        let pipeline = Pipeline::start(Arc::new(config)).unwrap();
        let articles = read_until(
            &bootstrap,
            &topics.articles,
            2,
            SETTLE,
            std::time::Duration::from_secs(1),
            |r| !r.is_empty(),
        );
        pipeline.stop().unwrap();
        assert_eq!(articles.len(), 1, "{layout:?}: one article");
        assert_eq!(
            articles[0].notes().source.as_deref(),
            Some("1:1"),
            "{layout:?}: the article names its raw record"
        );
        let mut names: Vec<&str> = articles[0].headers.keys().map(String::as_str).collect();
        names.sort_unstable();
        let (expected, state_layout) = match article_headers {
            ArticleHeaders::Compact => (vec![headers::KIND, headers::STATE], "2 "),
            ArticleHeaders::Separate => {
                (vec![headers::KIND, headers::SOURCE, headers::STATE], "1 ")
            }
        };
        assert_eq!(names, expected, "{article_headers:?}");
        assert!(
            articles[0].headers[headers::STATE].starts_with(state_layout),
            "{:?}",
            articles[0].headers
        );
        assert_eq!(articles[0].state().expect("a state").version, 1);
        let keyed = read_all(&bootstrap, &topics.keyed, 2);
        assert_eq!(keyed.len(), 1, "{layout:?}: one keyed record");
        assert_eq!(
            keyed[0].headers.contains_key(headers::SOURCE),
            origin_headers,
            "{layout:?}: origin in headers: {:?}",
            keyed[0].headers
        );
        if !origin_headers {
            assert!(keyed[0].headers.is_empty(), "{:?}", keyed[0].headers);
        }
    }
}
