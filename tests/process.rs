//! The `wirefeed run` process under stop and crash: SIGTERM drains, commits and exits 0; a restart
//! resumes from the committed offsets; a SIGKILL mid-stream loses nothing.
//! Broker: the mock cluster, or Tansu when `TEST_KAFKA_BOOTSTRAP` is set.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use wirefeed::config::{Config, Sources};
use wirefeed::kafka::headers;

fn load(overrides: &[String]) -> Config {
    Config::load(&Sources {
        file: None,
        env: Vec::new(),
        sets: overrides.to_vec(),
    })
    .unwrap()
}

/// SIGTERM commits and exits 0; a restart resumes from the committed offsets (nothing is read
/// twice, so nothing is emitted twice).
#[test]
fn sigterm_commits_and_restart_resumes() {
    let broker = Broker::start();
    let bootstrap = broker.bootstrap();
    let mut sets = overrides(&broker, 2);
    sets.push("kafka.create_topics=false".into());
    let config = load(&sets);
    broker.create_topics(&config);
    let t = config.kafka.topics.clone();

    let first: Vec<_> = (0..40)
        .map(|i| (Some(format!("k{i}")), envelope(i, 1), None))
        .collect();
    produce(&bootstrap, &t.raw, &first);
    let mut child = spawn_wirefeed(&sets);
    let got = read_until(&bootstrap, &t.articles, 2, SETTLE, Duration::ZERO, |r| {
        r.len() >= 40
    });
    assert_eq!(got.len(), 40);
    signal(&child, "TERM");
    let status = wait_exit(&mut child, Duration::from_secs(60));
    assert!(status.success(), "exit status {status}");
    let out = stdout_of(&mut child);
    assert!(
        out.contains("summary: records=40 articles=40 duplicates=0 updates=0 dead_letters=0"),
        "summary line missing: {out}"
    );
    assert_eq!(
        committed(&bootstrap, &config.kafka.parse_group(), &t.raw, 2),
        end_offsets(&bootstrap, &t.raw, 2),
        "parse stage committed everything it consumed"
    );
    assert_eq!(
        committed(&bootstrap, &config.kafka.dedup_group(), &t.keyed, 2),
        end_offsets(&bootstrap, &t.keyed, 2),
        "dedup stage committed everything it consumed"
    );

    let second: Vec<_> = (40..60)
        .map(|i| (Some(format!("k{i}")), envelope(i, 2), None))
        .collect();
    produce(&bootstrap, &t.raw, &second);
    let mut child = spawn_wirefeed(&sets);
    let got = read_until(
        &bootstrap,
        &t.articles,
        2,
        SETTLE,
        Duration::from_secs(4),
        |r| r.len() >= 60,
    );
    signal(&child, "TERM");
    let status = wait_exit(&mut child, Duration::from_secs(60));
    assert!(status.success(), "exit status {status}");
    assert_eq!(got.len(), 60, "the restart read only what was new");
    let out = stdout_of(&mut child);
    assert!(out.contains("summary: records=20 articles=20"), "{out}");
}

/// SIGKILL mid-stream, then a restart: every input record ends as an article (every story is
/// present), a duplicate, or a dead letter (every bad record is there with its source offset).
#[test]
fn sigkill_mid_stream_loses_nothing() {
    let broker = Broker::start();
    let bootstrap = broker.bootstrap();
    let mut sets = overrides(&broker, 3);
    sets.push("kafka.create_topics=false".into());
    let config = load(&sets);
    broker.create_topics(&config);
    let t = config.kafka.topics.clone();

    const STORIES: usize = 1500;
    let mut records = Vec::new();
    let mut bad = 0;
    for i in 0..STORIES {
        records.push((Some(format!("s{i}")), envelope(i, 3), Some((i % 3) as i32)));
        if i % 5 == 0 {
            // A copy on another partition.
            records.push((
                Some(format!("c{i}")),
                envelope(i, 3),
                Some(((i + 1) % 3) as i32),
            ));
        }
        if i % 50 == 0 {
            records.push((
                Some(format!("bad{i}")),
                b"\x00garbage".to_vec(),
                Some((i % 3) as i32),
            ));
            bad += 1;
        }
    }
    produce(&bootstrap, &t.raw, &records);
    let mut child = spawn_wirefeed(&sets);
    let early = read_until(&bootstrap, &t.articles, 3, SETTLE, Duration::ZERO, |r| {
        r.len() >= 200
    });
    assert!(early.len() >= 200, "processing started");
    signal(&child, "KILL");
    let _ = wait_exit(&mut child, Duration::from_secs(10));

    let mut child = spawn_wirefeed(&sets);
    let expected_keys: HashSet<String> = (0..STORIES)
        .map(|i| {
            wirefeed::pipeline::key::dedup_key(&format!(
                "Story number {i} about the harbour bridge repairs"
            ))
        })
        .collect();
    let articles = read_until(
        &bootstrap,
        &t.articles,
        3,
        Duration::from_secs(180),
        Duration::from_secs(3),
        |r| {
            r.iter()
                .map(|r| &r.headers[headers::DEDUP_KEY])
                .collect::<HashSet<_>>()
                .len()
                >= STORIES
        },
    );
    let dlq = read_until(
        &bootstrap,
        &t.dead_letter,
        3,
        SETTLE,
        Duration::from_secs(1),
        |r| {
            r.iter()
                .map(|r| {
                    (
                        &r.headers[headers::SOURCE_PARTITION],
                        &r.headers[headers::SOURCE_OFFSET],
                    )
                })
                .collect::<HashSet<_>>()
                .len()
                >= bad
        },
    );
    signal(&child, "TERM");
    assert!(wait_exit(&mut child, Duration::from_secs(60)).success());

    let seen: HashSet<String> = articles
        .iter()
        .map(|r| r.headers[headers::DEDUP_KEY].clone())
        .collect();
    let missing: Vec<_> = expected_keys.difference(&seen).take(5).collect();
    assert!(
        missing.is_empty(),
        "stories lost: {missing:?} ({} of {STORIES} seen)",
        seen.len()
    );
    let dead: HashSet<_> = dlq
        .iter()
        .map(|r| {
            (
                r.headers[headers::SOURCE_PARTITION].clone(),
                r.headers[headers::SOURCE_OFFSET].clone(),
            )
        })
        .collect();
    assert_eq!(dead.len(), bad, "every bad record is a dead letter");
    assert!(dlq.iter().all(|r| r.headers[headers::REASON] == "binary"));
}
