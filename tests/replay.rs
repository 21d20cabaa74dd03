//! `wirefeed replay`: a replay of what was already processed emits nothing new; a replay from a
//! time fills in what was never processed. Broker: the mock cluster, or Tansu when
//! `TEST_KAFKA_BOOTSTRAP` is set.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use wirefeed::app::Pipeline;
use wirefeed::kafka::headers;
use wirefeed::telemetry::Stats;

fn replay(sets: &[String], from: &str) -> String {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"));
    cmd.args(["replay", "--from", from, "--wait", "90s"]);
    for s in sets {
        cmd.arg("--set").arg(s);
    }
    // Its log is shown only when the replay fails: at info, it says what its stages did.
    let out = cmd.env("RUST_LOG", "info").output().expect("run replay");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "replay failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Loads the configuration of `sets` and creates its topics.
fn setup(broker: &Broker, sets: &[String]) -> Arc<wirefeed::config::Config> {
    let config = wirefeed::config::Config::load(&wirefeed::config::Sources {
        file: None,
        env: Vec::new(),
        sets: sets.to_vec(),
    })
    .unwrap();
    broker.create_topics(&config);
    Arc::new(config)
}

#[test]
fn replay_emits_nothing_twice_and_fills_gaps() {
    let broker = Broker::start();
    let bootstrap = broker.bootstrap();
    let sets = overrides(&broker, 3);
    let config = setup(&broker, &sets);
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
            .filter(|r| r.notes().replay.is_some())
            .count(),
        5,
        "the filled-in articles carry the replay id"
    );
}

/// A replay through a changed parser (here: a new boilerplate phrase to drop) re-issues exactly
/// the articles whose content changed, as updates with the same id; the rest are duplicates.
#[test]
fn replay_with_changed_parsing_emits_exactly_the_changed_as_updates() {
    let broker = Broker::start();
    let bootstrap = broker.bootstrap();
    let sets = overrides(&broker, 2);
    let config = setup(&broker, &sets);
    let t = config.kafka.topics.clone();
    let items: Vec<_> = (0..10)
        .map(|i| {
            let mut body = format!("Paragraph one of story {i}.\n\nParagraph two of story {i}.");
            if i % 3 == 0 {
                body.push_str("\n\nFollow our live coverage on the app.");
            }
            let value = serde_json::json!({
                "headline": format!("Story {i} of the boilerplate test"),
                "body": body,
                "published": "2025-08-20T10:00:00Z",
            });
            (Some(format!("s{i}")), value.to_string().into_bytes(), None)
        })
        .collect();
    produce(&bootstrap, &t.raw, &items);
    let p = Pipeline::start(config.clone()).unwrap();
    assert!(wait_for(SETTLE, || {
        let s = p.stats();
        Stats::get(&s.records) == 10 && Stats::get(&s.keyed_records) == 10
    }));
    p.stop().unwrap();

    let mut changed = sets.clone();
    changed.push(r#"pipeline.drop_paragraphs=["Follow our live coverage"]"#.into());
    let out = replay(&changed, "beginning");
    assert!(
        out.contains("summary: records=10 articles=0 duplicates=6 updates=4 dead_letters=0"),
        "{out}"
    );
    let articles = read_until(
        &bootstrap,
        &t.articles,
        2,
        SETTLE,
        Duration::from_secs(1),
        |r| r.len() >= 14,
    );
    assert_eq!(articles.len(), 14);
    for r in articles
        .iter()
        .filter(|r| r.headers[headers::KIND] == "update")
    {
        let doc = r.json();
        assert_eq!(doc["version"], "2");
        assert!(
            !doc["bodies"][0]["value"]
                .as_str()
                .unwrap()
                .contains("Follow our")
        );
        assert!(
            articles
                .iter()
                .any(|o| o.key == r.key && o.headers[headers::KIND] == "new"),
            "an update carries the id of the article it updates"
        );
    }
}
