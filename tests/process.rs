//! The `wirefeed run` process under stop and crash: SIGTERM drains, commits and exits 0; a restart
//! resumes from the committed offsets; a SIGKILL mid-stream loses nothing.
//! Broker: the mock cluster, or Tansu when `TEST_KAFKA_BOOTSTRAP` is set.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
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
        |r| r.iter().map(Rec::dedup_key).collect::<HashSet<_>>().len() >= STORIES,
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

    let seen: HashSet<String> = articles.iter().map(Rec::dedup_key).collect();
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

fn http_get(port: u16, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The value of one Prometheus sample line `name{labels} value`, or 0 when absent.
fn sample(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

/// `/metrics` after a run counts exactly the work done; `/healthz` and `/readyz` answer.
#[test]
fn metrics_count_the_work_done() {
    let broker = Broker::start();
    let bootstrap = broker.bootstrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut sets = overrides(&broker, 2);
    sets.push("kafka.create_topics=false".into());
    sets.push(format!("metrics.listen=127.0.0.1:{port}"));
    let config = load(&sets);
    broker.create_topics(&config);
    let t = config.kafka.topics.clone();
    let mut records: Vec<_> = (0..12)
        .map(|i| (Some(format!("k{i}")), envelope(i, 9), None))
        .collect();
    records.extend((0..3).map(|i| (Some(format!("c{i}")), envelope(i, 9), None)));
    records.push((Some("bad".into()), b"\x00\x00".to_vec(), None));
    produce(&bootstrap, &t.raw, &records);
    let mut child = spawn_wirefeed(&sets);
    assert!(wait_for(SETTLE, || std::net::TcpStream::connect((
        "127.0.0.1",
        port
    ))
    .is_ok()));
    assert_eq!(http_get(port, "/healthz").0, 200);
    let articles = read_until(&bootstrap, &t.articles, 2, SETTLE, Duration::ZERO, |r| {
        r.len() >= 12
    });
    assert_eq!(articles.len(), 12);
    // Counters settle once the dedup stage has seen all 15 keyed records.
    let mut metrics = String::new();
    let settled = wait_for(Duration::from_secs(30), || {
        metrics = http_get(port, "/metrics").1;
        sample(&metrics, "wirefeed_duplicates_total") == 3.0
            && sample(
                &metrics,
                "wirefeed_dead_letters_total{stage=\"parse\",reason=\"binary\"}",
            ) == 1.0
    });
    assert!(settled, "{metrics}");
    let raw = format!(
        "wirefeed_records_consumed_total{{stage=\"parse\",topic=\"{}\"}}",
        t.raw
    );
    let keyed = format!(
        "wirefeed_records_consumed_total{{stage=\"dedup\",topic=\"{}\"}}",
        t.keyed
    );
    assert_eq!(sample(&metrics, &raw), 16.0, "{metrics}");
    assert_eq!(sample(&metrics, &keyed), 15.0, "{metrics}");
    assert_eq!(
        sample(&metrics, "wirefeed_articles_produced_total{kind=\"new\"}"),
        12.0,
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            "wirefeed_items_parsed_total{format=\"json-envelope\"}"
        ),
        15.0,
        "{metrics}"
    );
    let mut readyz = (0, String::new());
    let ready = wait_for(Duration::from_secs(20), || {
        readyz = http_get(port, "/readyz");
        readyz.0 == 200
    });
    let body = readyz.1;
    assert!(ready, "{body}");
    assert!(body.contains("parse:") && body.contains("dedup:"), "{body}");
    signal(&child, "TERM");
    assert!(wait_exit(&mut child, Duration::from_secs(60)).success());
}

/// A group coordinator that cannot be found must not hold the process: SIGTERM still ends it,
/// because offset commits (the ownership lease's renewals, the final commit) give up after a bound
/// instead of waiting for a coordinator forever. Broker: always the in-process mock (the faults
/// are injected there).
#[test]
fn sigterm_exits_while_no_group_coordinator_can_be_found() {
    let OneStory {
        broker, mut child, ..
    } = one_story_on_mock(&[]);
    let Broker::Mock(mock) = &broker else {
        unreachable!()
    };
    // The coordinator moved away, and no broker will say where it went.
    mock.request_errors(
        RDKafkaApiKey::FindCoordinator,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE; 5000],
    );
    mock.request_errors(
        RDKafkaApiKey::OffsetCommit,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_COORDINATOR; 50],
    );
    mock.request_errors(
        RDKafkaApiKey::Heartbeat,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_COORDINATOR; 50],
    );
    // Long enough for the dedup stage's ownership lease to ask for renewal meanwhile.
    std::thread::sleep(Duration::from_secs(10));
    signal(&child, "TERM");
    let exited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wait_exit(&mut child, Duration::from_secs(90))
    }));
    mock.clear_request_errors(RDKafkaApiKey::FindCoordinator);
    mock.clear_request_errors(RDKafkaApiKey::OffsetCommit);
    mock.clear_request_errors(RDKafkaApiKey::Heartbeat);
    let status = exited.expect("wirefeed exits on SIGTERM without a group coordinator");
    assert!(status.success(), "exit status {status}");
}
