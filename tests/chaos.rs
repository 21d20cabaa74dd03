//! Chaos: several `wirefeed run` processes on one raw topic with known duplicate groups and
//! updates spread over partitions, SIGKILLed at random while they work, and the broker restarted
//! mid-run. At the end every input must be accounted for — an article, a duplicate, an update or
//! a dead letter — no story may be missing, and no article (id, version) may appear twice. Then a
//! replay of the whole raw topic must emit nothing new.
//!
//! Sizes come from the environment so that `scripts/chaos` can run big: `CHAOS_ITEMS` (default
//! 4000), `CHAOS_INSTANCES` (3), `CHAOS_KILLS` (4), `CHAOS_PARTITIONS` (6). The broker is the mock
//! cluster (a restart is an outage of its only broker) or, with `TEST_KAFKA_BOOTSTRAP`, a real
//! broker process, restarted by running `TEST_KAFKA_RESTART` (a shell command) when it is set.
//! (Tansu 0.6 forgets idempotent producers' sequence numbers on restart and appends a batch
//! retried across it twice; with Tansu, run the restart variant knowing that.) The last line
//! printed is `chaos: items=N kills=N broker_restarts=N lost=N duplicated=N articles=N
//! duplicates=N updates=N dead_letters=N`.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use common::*;
use wirefeed::config::{Config, Sources};
use wirefeed::kafka::headers;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator (no need for cryptographic quality).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One input record and what it is.
struct Input {
    story: Option<usize>,
    value: Vec<u8>,
    partition: i32,
}

fn story_item(story: usize, version: u32) -> Vec<u8> {
    let extra = if version > 1 {
        format!("\n\nUpdate {version}: officials gave new figures for section {story}.")
    } else {
        String::new()
    };
    let published = chrono::DateTime::parse_from_rfc3339("2025-06-01T00:00:00Z").unwrap()
        + chrono::Duration::minutes(story as i64);
    let updated = published + chrono::Duration::hours(i64::from(version) - 1);
    serde_json::json!({
        "headline": format!("Chaos story {story}: council reviews transport plan"),
        "body": format!("The council met on day {story} to review the plan.\n\nWork on section {story} continues.{extra}"),
        "published": published.to_rfc3339(),
        "updated": updated.to_rfc3339(),
    })
    .to_string()
    .into_bytes()
}

fn restart_broker(broker: &Broker) -> bool {
    match broker {
        Broker::Mock(m) => {
            m.broker_down(1).is_ok() && {
                std::thread::sleep(Duration::from_secs(3));
                m.broker_up(1).is_ok()
            }
        }
        Broker::External(_) => match std::env::var("TEST_KAFKA_RESTART") {
            Ok(cmd) if !cmd.trim().is_empty() => std::process::Command::new("bash")
                .arg("-c")
                .arg(&cmd)
                .status()
                .is_ok_and(|s| s.success()),
            _ => false,
        },
    }
}

#[test]
fn chaos_kills_and_broker_restart_lose_and_duplicate_nothing() {
    let items = env_usize("CHAOS_ITEMS", 4000);
    let instances = env_usize("CHAOS_INSTANCES", 3);
    let kills = env_usize("CHAOS_KILLS", 4);
    let partitions = env_usize("CHAOS_PARTITIONS", 6) as i32;
    let broker = Broker::start();
    let bootstrap = broker.bootstrap();
    let mut sets = overrides(&broker, partitions);
    sets.push("kafka.create_topics=false".into());
    let config = Config::load(&Sources {
        file: None,
        env: Vec::new(),
        sets: sets.clone(),
    })
    .unwrap();
    broker.create_topics(&config);
    let t = config.kafka.topics.clone();

    // Inputs: stories, exact copies of some (on other partitions), updates of some, bad records.
    let mut rng = Lcg(42);
    let stories = items * 10 / 14;
    let mut inputs: Vec<Input> = Vec::with_capacity(items);
    let mut updated = HashSet::new();
    for s in 0..stories {
        inputs.push(Input {
            story: Some(s),
            value: story_item(s, 1),
            partition: rng.below(partitions as usize) as i32,
        });
    }
    while inputs.len() < items {
        let s = rng.below(stories);
        let roll = rng.below(10);
        let partition = rng.below(partitions as usize) as i32;
        if roll < 6 {
            inputs.push(Input {
                story: Some(s),
                value: story_item(s, 1),
                partition,
            });
        } else if roll < 9 {
            updated.insert(s);
            inputs.push(Input {
                story: Some(s),
                value: story_item(s, 2),
                partition,
            });
        } else {
            inputs.push(Input {
                story: None,
                value: format!("\u{0}bad {}", inputs.len()).into_bytes(),
                partition,
            });
        }
    }
    let bad = inputs.iter().filter(|i| i.story.is_none()).count();

    let started = Instant::now();
    let mut children: Vec<Wirefeed> = (0..instances).map(|_| spawn_wirefeed(&sets)).collect();
    // Produce in slices while the instances work.
    let records: Vec<_> = inputs
        .iter()
        .map(|i| (None, i.value.clone(), Some(i.partition)))
        .collect();
    let slices = (kills + 2).max(2);
    let per_slice = records.len().div_ceil(slices);
    let mut killed = 0;
    let mut restarts = 0;
    for (n, slice) in records.chunks(per_slice).enumerate() {
        produce(&bootstrap, &t.raw, slice);
        std::thread::sleep(Duration::from_millis(1500));
        if killed < kills {
            let victim = rng.below(children.len());
            signal(&children[victim], "KILL");
            wait_exit(&mut children[victim], Duration::from_secs(10));
            children[victim] = spawn_wirefeed(&sets);
            killed += 1;
        }
        if restarts == 0 && n == slices / 2 && restart_broker(&broker) {
            restarts += 1;
        }
    }
    while killed < kills {
        std::thread::sleep(Duration::from_millis(1500));
        let victim = rng.below(children.len());
        signal(&children[victim], "KILL");
        wait_exit(&mut children[victim], Duration::from_secs(10));
        children[victim] = spawn_wirefeed(&sets);
        killed += 1;
    }

    // Done when both groups committed everything that exists.
    let done = wait_for(Duration::from_secs(600), || {
        let raw_end = end_offsets(&bootstrap, &t.raw, partitions);
        let keyed_end = end_offsets(&bootstrap, &t.keyed, partitions);
        committed(&bootstrap, &config.kafka.parse_group(), &t.raw, partitions) == raw_end
            && committed(
                &bootstrap,
                &config.kafka.dedup_group(),
                &t.keyed,
                partitions,
            ) == keyed_end
    });
    for c in &children {
        signal(c, "TERM");
    }
    for c in &mut children {
        assert!(wait_exit(c, Duration::from_secs(60)).success());
    }
    assert!(done, "the pipeline did not finish within 10 minutes");
    let elapsed = started.elapsed();

    // The broker must still hold every raw record it acknowledged; otherwise a loss below is the
    // broker's, not the pipeline's.
    let raw_held: i64 = end_offsets(&bootstrap, &t.raw, partitions).values().sum();
    println!("chaos: raw records held by the broker: {raw_held} of {items}");
    let articles = read_all(&bootstrap, &t.articles, partitions);
    let dlq = read_all(&bootstrap, &t.dead_letter, partitions);

    // Account for everything.
    let key_of = |s: usize| {
        wirefeed::pipeline::key::dedup_key(&format!(
            "Chaos story {s}: council reviews transport plan"
        ))
    };
    let story_of: HashMap<String, usize> = (0..stories).map(|s| (key_of(s), s)).collect();
    let mut ids_of_story: HashMap<usize, HashSet<String>> = HashMap::new();
    let mut seen_versions: HashMap<(String, String), usize> = HashMap::new();
    let mut updates = 0;
    for r in &articles {
        let s = story_of[&r.headers[headers::DEDUP_KEY]];
        let id = r.key.clone().unwrap();
        ids_of_story.entry(s).or_default().insert(id.clone());
        *seen_versions
            .entry((id, r.headers[headers::VERSION].clone()))
            .or_default() += 1;
        if r.headers[headers::KIND] == "update" {
            updates += 1;
        }
    }
    let lost = (0..stories)
        .filter(|s| !ids_of_story.contains_key(s))
        .count();
    // Show a few repeated versions, with where they were written, to make a failure readable.
    for ((id, version), n) in seen_versions.iter().filter(|(_, n)| **n > 1).take(3) {
        let places: Vec<_> = articles
            .iter()
            .filter(|r| r.key.as_deref() == Some(id) && &r.headers[headers::VERSION] == version)
            .map(|r| {
                (
                    r.partition,
                    r.offset,
                    r.headers[headers::KIND].clone(),
                    r.headers[headers::FINGERPRINT].clone(),
                )
            })
            .collect();
        println!("chaos: {id} v{version} written {n} times: {places:?}");
    }
    let duplicated = seen_versions.values().map(|n| n - 1).sum::<usize>()
        + ids_of_story
            .values()
            .map(|ids| ids.len() - 1)
            .sum::<usize>();
    let dead: HashSet<_> = dlq
        .iter()
        .map(|r| {
            (
                r.headers[headers::SOURCE_PARTITION].clone(),
                r.headers[headers::SOURCE_OFFSET].clone(),
            )
        })
        .collect();
    let new_articles = ids_of_story.len();
    let duplicates = items - new_articles - updates - dead.len();
    println!(
        "chaos: items={items} kills={killed} broker_restarts={restarts} lost={lost} duplicated={duplicated} \
         articles={new_articles} duplicates={duplicates} updates={updates} dead_letters={}",
        dead.len()
    );
    println!(
        "chaos: took {elapsed:?} for {items} items on {instances} instances, {partitions} partitions"
    );
    let reasons: HashMap<&str, usize> = dlq.iter().fold(HashMap::new(), |mut m, r| {
        *m.entry(r.headers[headers::REASON].as_str()).or_default() += 1;
        m
    });
    println!("chaos: dead letters by reason {reasons:?}");
    assert_eq!(lost, 0, "stories lost");
    assert_eq!(duplicated, 0, "articles emitted twice");
    assert_eq!(dead.len(), bad, "every bad record is a dead letter");
    assert!(
        updates <= updated.len(),
        "at most one update per updated story"
    );

    // Replaying everything emits nothing new. The replay runs under a fresh application id, so
    // its dedup member belongs to a new group with no committed position: it re-reads the whole
    // keyed topic, and only the state restored from the articles topic stands between that and
    // thousands of repeats. (It also keeps the check independent of the old group, which Tansu
    // 0.6 can leave stuck in "Forming" when its leader left during a rebalance.)
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"));
    cmd.args(["replay", "--from", "beginning", "--wait", "300s"]);
    for s in &sets {
        cmd.arg("--set").arg(s);
    }
    cmd.arg("--set").arg(format!(
        "kafka.application_id={}-check",
        config.kafka.application_id
    ));
    let out = cmd.env("RUST_LOG", "warn").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "replay: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("chaos replay: {}", stdout.trim());
    assert!(
        stdout.contains(" articles=0 ") && stdout.contains(" updates=0 "),
        "{stdout}"
    );
}
