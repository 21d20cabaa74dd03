//! `wirefeed replay`: a replay of what was already processed emits nothing new; a replay from a
//! time fills in what was never processed. Broker: the mock cluster, or Tansu when
//! `TEST_KAFKA_BOOTSTRAP` is set.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use wirefeed::app::Pipeline;
use wirefeed::kafka::{Stats, headers};

fn replay(sets: &[String], from: &str) -> String {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"));
    cmd.args(["replay", "--from", from, "--wait", "90s"]);
    for s in sets {
        cmd.arg("--set").arg(s);
    }
    let out = cmd.env("RUST_LOG", "warn").output().expect("run replay");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "replay failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn replay_emits_nothing_twice_and_fills_gaps() {
    let broker = Broker::start();
    let bootstrap = broker.bootstrap();
    let sets = overrides(&broker, 3);
    let config = Arc::new(
        wirefeed::config::Config::load(&wirefeed::config::Sources {
            file: None,
            env: Vec::new(),
            sets: sets.clone(),
        })
        .unwrap(),
    );
    broker.create_topics(&config);
    let t = config.kafka.topics.clone();
    let mut first: Vec<_> = (0..20)
        .map(|i| (Some(format!("a{i}")), envelope(i, 7), None))
        .collect();
    first.extend((0..5).map(|i| (Some(format!("d{i}")), envelope(i, 7), None)));
    first.push((Some("bad".into()), b"\x00\x01".to_vec(), None));
    produce(&bootstrap, &t.raw, &first);
    let p = Pipeline::start(config.clone()).unwrap();
    assert!(wait_for(SETTLE, || {
        let s = p.stats();
        Stats::get(&s.records) == 26 && Stats::get(&s.keyed_records) == 25
    }));
    p.stop().unwrap();

    // Everything was emitted already: a full replay brings duplicates only.
    let out = replay(&sets, "beginning");
    assert!(
        out.contains("summary: records=26 articles=0 duplicates=25 updates=0 dead_letters=1"),
        "{out}"
    );

    // New items nobody processed: a replay from a time before them fills them in; the earlier
    // records fall outside the time range.
    std::thread::sleep(Duration::from_millis(1500));
    let since = chrono::Utc::now();
    std::thread::sleep(Duration::from_millis(500));
    let later: Vec<_> = (20..25)
        .map(|i| (Some(format!("b{i}")), envelope(i, 8), None))
        .collect();
    produce(&bootstrap, &t.raw, &later);
    let out = replay(&sets, &since.to_rfc3339());
    assert!(
        out.contains("summary: records=5 articles=5 duplicates=0 updates=0 dead_letters=0"),
        "{out}"
    );
    let articles = read_until(
        &bootstrap,
        &t.articles,
        3,
        SETTLE,
        Duration::from_secs(1),
        |r| r.len() >= 25,
    );
    assert_eq!(articles.len(), 25, "each story once");
    assert_eq!(
        articles
            .iter()
            .filter(|r| r.headers.contains_key(headers::REPLAY))
            .count(),
        5,
        "the filled-in articles carry the replay id"
    );
}
