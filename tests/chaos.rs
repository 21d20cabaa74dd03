//! Chaos: several `wirefeed run` processes on one raw topic holding stories, exact copies on other
//! partitions, updates, bad records and poison records (a 1,010,000-byte binary record, records
//! with a header key that is not UTF-8). While they work the run SIGKILLs instances while their
//! outputs are in flight (it watches each victim's `wirefeed_in_flight_outputs` gauge; on the mock
//! broker it first stalls the producers with retriable produce errors, so the victim surely holds
//! unacknowledged outputs across an offset commit), SIGSTOPs one for longer than the session
//! timeout and then lets it continue (a zombie that lost its partitions), and on the mock broker
//! takes the broker down for longer than the session timeout.
//!
//! Then every raw record the broker holds is accounted for by itself, through the source it is
//! named by: an article or update whose `wirefeed.source` names it, else a record of the
//! duplicates topic naming it, else a dead letter naming it; else it is **lost**. Every article
//! `(id, version)` must be written once; an extra copy, a raw record with an article and a dead
//! letter (a feed's `wirefeed.rejected-items` dead letter excepted), and every article written by
//! the replay at the end (a fresh group re-reads the whole raw and keyed topics; only the state
//! restored from the articles topic stops it re-emitting) count as **duplicated**. Stories must
//! keep one id with versions 1, 2, ... and their updated content must come out; bad and poison
//! records must end as they should.
//!
//! The check proves it can fail: the `sabotage_*` tests run the same scenario with wirefeed's
//! test-only faults (`WIREFEED_FAULTS=no-restore`, `store-before-ack`) and expect it to report
//! losses or duplicates. A `store-before-ack` build does not count its outputs in the gauge, so
//! there each kill first waits until both consumer groups are settled (every partition owned by a
//! ready instance) and the instances are stopped while the slice is produced and the stall begins:
//! the victim reads its part of the slice while the broker acknowledges nothing, so the kill
//! meets outputs in flight whatever the timing.
//!
//! Sizes come from the environment so that `scripts/chaos` can run big: `CHAOS_ITEMS` (default
//! 3000), `CHAOS_INSTANCES` (3), `CHAOS_KILLS` (3), `CHAOS_ZOMBIES` (1), `CHAOS_OUTAGE_SECS`
//! (mock broker: 8, more than the tests' 6 s session timeout; 0 = none), `CHAOS_PARTITIONS` (6;
//! on the mock broker one per 800 items at least, as it keeps only 5 MiB per partition).
//! The broker is the mock cluster or, with `TEST_KAFKA_BOOTSTRAP`, a real broker process (no
//! outage there: Tansu 0.6 forgets idempotent producers' sequence numbers on restart and appends a
//! batch retried across it twice). The last line printed is `chaos: items=N kills=N zombies=N
//! broker_restarts=N poison=N lost=N duplicated=N articles=N duplicates=N updates=N
//! dead_letters=N`.

mod common;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::*;
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use wirefeed::kafka::headers;
use wirefeed::kafka::state_header::ArticleState;

/// The session timeout `tests/common` gives every consumer.
const SESSION_TIMEOUT: Duration = Duration::from_secs(6);

/// The size of the oversized poison record: under a broker's default 1 MiB limit, over the
/// producers' default `message.max.bytes` of 1,000,000.
const OVERSIZED: usize = 1_010_000;

/// Header added to every raw record: the index of its input, to tell what it should become.
const INPUT_HEADER: &str = "chaos.input";

/// A header key that is not UTF-8.
const BAD_HEADER_KEY: &[u8] = b"chaos-\xff\xfe-key";

/// One chaos run at a time: each starts several processes, and the machine is small.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

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

/// What a chaos run does.
#[derive(Debug, Clone)]
struct Scenario {
    items: usize,
    instances: usize,
    kills: usize,
    zombies: usize,
    /// A broker outage this long (mock broker only).
    outage: Option<Duration>,
    partitions: i32,
    /// `WIREFEED_FAULTS` for every wirefeed process.
    faults: Option<&'static str>,
    /// How long a kill or stop waits for an instance with outputs in flight.
    in_flight_wait: Duration,
    /// Each kill on the mock broker waits for settled groups and has the instances read the
    /// slice only once the produce stall began (see [`settle_and_freeze`]): for a build whose
    /// in-flight gauge does not count its outputs, where the kills cannot wait for the gauge.
    settled_kills: bool,
}

/// Items per partition the mock broker keeps whole: it holds at most 5 MiB per partition and drops
/// the oldest records beyond that (librdkafka's mock cluster), so a larger run spreads over more
/// partitions. The accounting refuses a run whose topics lost their first records either way.
const MOCK_ITEMS_PER_PARTITION: usize = 800;

/// Six partitions, or on the mock broker enough to keep every record of `items` (see
/// [`MOCK_ITEMS_PER_PARTITION`]).
fn default_partitions(broker: &Broker, items: usize) -> usize {
    if broker.is_mock() {
        items.div_ceil(MOCK_ITEMS_PER_PARTITION).max(6)
    } else {
        6
    }
}

impl Scenario {
    /// The scenario the environment describes (see the module docs).
    fn from_env(broker: &Broker) -> Scenario {
        // The outage is the mock broker's (see the module docs).
        let outage = if broker.is_mock() {
            env_usize("CHAOS_OUTAGE_SECS", 8) as u64
        } else {
            0
        };
        let items = env_usize("CHAOS_ITEMS", 3000);
        Scenario {
            items,
            instances: env_usize("CHAOS_INSTANCES", 3),
            kills: env_usize("CHAOS_KILLS", 3),
            zombies: env_usize("CHAOS_ZOMBIES", 1),
            outage: (outage > 0).then(|| Duration::from_secs(outage)),
            partitions: env_usize("CHAOS_PARTITIONS", default_partitions(broker, items)) as i32,
            faults: None,
            in_flight_wait: Duration::from_secs(60),
            settled_kills: false,
        }
    }

    /// A small run for the sabotage checks: two instances, two kills, no zombie, no outage.
    fn small(faults: &'static str) -> Scenario {
        Scenario {
            items: 1500,
            instances: 2,
            kills: 2,
            zombies: 0,
            outage: None,
            partitions: 4,
            faults: Some(faults),
            in_flight_wait: Duration::from_secs(60),
            settled_kills: false,
        }
    }
}

/// What a chaos run found.
#[derive(Debug, Default)]
struct Report {
    items: usize,
    kills: usize,
    /// Kills that landed while the victim's in-flight gauge was above zero.
    kills_in_flight: usize,
    zombies: usize,
    broker_restarts: usize,
    poison: usize,
    /// Raw records the broker holds (more than `items` if it appended a retried batch twice).
    raw_records: usize,
    lost: usize,
    /// Extra article records: repeated `(id, version)`s + conflicts + replay articles.
    duplicated: usize,
    /// Raw records accounted as a new article, an update, a duplicate, a dead letter.
    articles: usize,
    updates: usize,
    duplicates: usize,
    dead_letters: usize,
    /// Extra copies of an `(id, version)` in the articles topic.
    repeated_versions: usize,
    /// Raw records with an article and a dead letter (not a feed's partial rejection).
    conflicts: usize,
    /// Articles written after the replay check started.
    replay_articles: usize,
    /// Raw records that ended as something they should not (a story as a dead letter, a bad
    /// record as an article, the oversized record without a bounded, marked dead letter).
    misplaced: usize,
    /// Stories with more than one id, or versions that are not 1, 2, ...
    broken_stories: usize,
    /// Stories whose updated content never came out.
    missing_updates: usize,
    /// Article records that name no raw record, or dead letters that name none.
    unattributed: usize,
    /// wirefeed processes that exited by themselves, and ones that did not exit 0 on SIGTERM.
    crashes: usize,
    bad_exits: usize,
}

impl Report {
    /// The result line.
    fn line(&self) -> String {
        format!(
            "chaos: items={} kills={} zombies={} broker_restarts={} poison={} lost={} \
             duplicated={} articles={} duplicates={} updates={} dead_letters={}",
            self.items,
            self.kills,
            self.zombies,
            self.broker_restarts,
            self.poison,
            self.lost,
            self.duplicated,
            self.articles,
            self.duplicates,
            self.updates,
            self.dead_letters
        )
    }
}

/// What an input is, and so what it must become.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A copy of story `story` at content version `version` (1 or 2); `bad_header` when it
    /// carries a header key that is not UTF-8.
    Story {
        story: usize,
        version: u32,
        bad_header: bool,
    },
    /// Not an item: a dead letter.
    Bad,
    /// The oversized binary record: a bounded dead letter marked `wirefeed.truncated`.
    Oversized,
}

struct Input {
    kind: Kind,
    value: Vec<u8>,
    partition: i32,
}

fn published(story: usize) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-06-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + chrono::Duration::minutes(story as i64)
}

/// The version time of a story's content `version`.
fn version_time(story: usize, version: u32) -> DateTime<Utc> {
    published(story) + chrono::Duration::hours(i64::from(version) - 1)
}

fn headline(story: usize) -> String {
    format!("Chaos story {story}: council reviews transport plan")
}

fn story_item(story: usize, version: u32) -> Vec<u8> {
    let extra = if version > 1 {
        format!("\n\nUpdate {version}: officials gave new figures for section {story}.")
    } else {
        String::new()
    };
    serde_json::json!({
        "headline": headline(story),
        "body": format!("The council met on day {story} to review the plan.\n\nWork on section {story} continues.{extra}"),
        "published": published(story).to_rfc3339(),
        "updated": version_time(story, version).to_rfc3339(),
    })
    .to_string()
    .into_bytes()
}

/// The inputs, shuffled: stories, exact copies and updates of some (on any partition), bad
/// records, one oversized binary record per 10,000 items and a few copies with a bad header key.
fn inputs(items: usize, partitions: i32, rng: &mut Lcg) -> Vec<Input> {
    let stories = (items * 10 / 14).max(1);
    let oversized = (items / 10_000).max(1);
    let bad_headers = (items / 1000).max(2);
    let mut inputs: Vec<Input> = Vec::with_capacity(items);
    let partition = |rng: &mut Lcg| rng.below(partitions as usize) as i32;
    for s in 0..stories.min(items) {
        let p = partition(rng);
        inputs.push(Input {
            kind: Kind::Story {
                story: s,
                version: 1,
                bad_header: false,
            },
            value: story_item(s, 1),
            partition: p,
        });
    }
    for _ in 0..oversized {
        // Binary junk: NULs and control bytes throughout.
        let value = (0..OVERSIZED).map(|_| rng.next() as u8 & 0x1f).collect();
        let p = partition(rng);
        inputs.push(Input {
            kind: Kind::Oversized,
            value,
            partition: p,
        });
    }
    for _ in 0..bad_headers {
        let s = rng.below(stories);
        let p = partition(rng);
        inputs.push(Input {
            kind: Kind::Story {
                story: s,
                version: 1,
                bad_header: true,
            },
            value: story_item(s, 1),
            partition: p,
        });
    }
    while inputs.len() < items {
        let s = rng.below(stories);
        let roll = rng.below(10);
        let p = partition(rng);
        let (kind, value) = match roll {
            0..6 => (
                Kind::Story {
                    story: s,
                    version: 1,
                    bad_header: false,
                },
                story_item(s, 1),
            ),
            6..9 => (
                Kind::Story {
                    story: s,
                    version: 2,
                    bad_header: false,
                },
                story_item(s, 2),
            ),
            _ => (Kind::Bad, format!("\u{0}bad {}", inputs.len()).into_bytes()),
        };
        inputs.push(Input {
            kind,
            value,
            partition: p,
        });
    }
    for i in (1..inputs.len()).rev() {
        let j = rng.below(i + 1);
        inputs.swap(i, j);
    }
    inputs
}

/// One running `wirefeed run` and where it serves its metrics.
struct Instance {
    child: Wirefeed,
    metrics: SocketAddr,
}

fn spawn_instance(sets: &[String], faults: Option<&str>) -> Instance {
    let metrics = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let mut sets = sets.to_vec();
    sets.push(format!("metrics.listen={metrics}"));
    let env: Vec<(&str, &str)> = faults.map(|f| ("WIREFEED_FAULTS", f)).into_iter().collect();
    Instance {
        child: spawn_wirefeed_env(&sets, &env),
        metrics,
    }
}

/// A chaos event between two slices of input.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Event {
    Kill,
    Zombie,
    Outage(Duration),
}

/// Kills first and last, the zombie second, the outage in the middle.
fn schedule(s: &Scenario) -> Vec<Event> {
    let mut events = vec![Event::Kill; s.kills];
    for _ in 0..s.zombies {
        events.insert(events.len().min(1), Event::Zombie);
    }
    if let Some(d) = s.outage {
        events.insert(events.len() / 2, Event::Outage(d));
    }
    events
}

/// On the mock broker, makes the next produce requests fail with a retriable error, so outputs
/// stay unacknowledged for a few seconds (librdkafka retries them). No-op on a real broker.
fn stall_produce(broker: &Broker) {
    if let Broker::Mock(m) = broker {
        let errors = [RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS; 200];
        m.request_errors(RDKafkaApiKey::Produce, &errors);
    }
}

fn end_stall(broker: &Broker) {
    if let Broker::Mock(m) = broker {
        m.clear_request_errors(RDKafkaApiKey::Produce);
    }
}

/// Picks the victim of a kill or a stop: the first instance seen with outputs in flight (polled
/// for up to `wait`, starting at a random one), else the first (from there) that owns partitions
/// of the raw topic, else a random one. On the mock broker (stalled) it lets an auto-commit
/// interval pass before it answers, so offsets a broken build stored early are committed while
/// their outputs are still unacknowledged.
/// Returns the victim and whether its outputs were in flight.
fn pick_victim(
    broker: &Broker,
    instances: &[Instance],
    wait: Duration,
    rng: &mut Lcg,
) -> (usize, bool) {
    let first = rng.below(instances.len());
    let order: Vec<usize> = (0..instances.len())
        .map(|n| (first + n) % instances.len())
        .collect();
    let mut busy = None;
    wait_for(wait, || {
        busy = order
            .iter()
            .copied()
            .find(|&n| in_flight_outputs(instances[n].metrics).is_some_and(|v| v > 0.0));
        busy.is_some()
    });
    if broker.is_mock() {
        std::thread::sleep(Duration::from_millis(1500));
    }
    let owner = || {
        order
            .iter()
            .copied()
            .find(|&n| assigned(&instances[n])[0].is_some_and(|parse| parse > 0.0))
    };
    (busy.or_else(owner).unwrap_or(first), busy.is_some())
}

/// How long a kill of a [`Scenario::settled_kills`] run waits for the group to settle.
const SETTLE_WAIT: Duration = Duration::from_secs(60);

/// Whether every partition of both stages is owned by a live instance and every instance is
/// ready (`/readyz`: assigned, restores done): the groups are not rebalancing.
fn settled(instances: &[Instance], partitions: i32) -> bool {
    let mut owned = [0.0; 2];
    for i in instances {
        let [Some(parse), Some(dedup)] = assigned(i) else {
            return false;
        };
        owned[0] += parse;
        owned[1] += dedup;
        if !matches!(try_http_get(i.metrics, "/readyz"), Ok((200, _, _))) {
            return false;
        }
    }
    owned.iter().all(|&n| n == f64::from(partitions))
}

/// The partitions an instance's parse and dedup stages own (`wirefeed_partitions_assigned`);
/// `None` for a stage while the instance does not answer or does not report it.
fn assigned(instance: &Instance) -> [Option<f64>; 2] {
    let body = match try_http_get(instance.metrics, "/metrics") {
        Ok((200, _, body)) => body,
        _ => return [None, None],
    };
    let name = wirefeed::telemetry::names::PARTITIONS_ASSIGNED;
    ["parse", "dedup"].map(|stage| sample(&body, name, &[("stage", stage)]))
}

/// Before a kill of a [`Scenario::settled_kills`] run: waits until the groups are settled (a group
/// that still waits for a killed member's session to time out refuses offset commits, and the
/// instance started in its place owns nothing yet, so a kill then can break nothing), then stops
/// every instance (SIGSTOP) so that none reads the next slice before the produce stall begins;
/// the kill event continues them once it has. A build whose in-flight gauge does not count its
/// outputs gives nothing to wait for, and unstopped, the instances may have read the slice and
/// had their outputs acknowledged before the stall, leaving the kill nothing in flight.
fn settle_and_freeze(instances: &[Instance], partitions: i32) {
    if !wait_for(SETTLE_WAIT, || settled(instances, partitions)) {
        println!("chaos: the groups did not settle within {SETTLE_WAIT:?} before a kill");
    }
    for i in instances {
        signal(&i.child, "STOP");
    }
}

/// Replaces instances that exited by themselves; returns how many did.
fn respawn_crashed(instances: &mut [Instance], sets: &[String], faults: Option<&str>) -> usize {
    let mut crashed = 0;
    for i in instances.iter_mut() {
        if let Ok(Some(status)) = i.child.try_wait() {
            eprintln!("chaos: a wirefeed instance exited by itself: {status}");
            *i = spawn_instance(sets, faults);
            crashed += 1;
        }
    }
    crashed
}

/// A raw record's place: (partition, offset).
type Source = (i32, i64);

/// Where a record came from: the raw record (partition, offset) its `wirefeed.state` (or, in the
/// separate layout and on dead letters, its `wirefeed.source` header) names.
fn source_of(r: &Rec) -> Option<Source> {
    let source = r.notes().source?;
    let (p, o) = source.split_once(':')?;
    Some((p.parse().ok()?, o.parse().ok()?))
}

/// The raw record a keyed record came from: in its value (the current layout) or its
/// `wirefeed.source` header (the older ones).
fn keyed_source(r: &Rec) -> Option<Source> {
    match wirefeed::kafka::keyed::decode(&r.value).ok()?.origin {
        Some(origin) => Some((origin.partition, origin.offset)),
        None => source_of(r),
    }
}

/// The raw record a dead letter names: a parse-stage dead letter names it in its source
/// headers; a dedup-stage one carries the keyed record's `wirefeed.source`.
fn dead_letter_source(r: &Rec, raw_topic: &str) -> Option<Source> {
    if let Some(src) = source_of(r) {
        return Some(src);
    }
    if r.headers.get(headers::SOURCE_TOPIC).map(String::as_str) != Some(raw_topic) {
        return None;
    }
    Some((
        r.headers.get(headers::SOURCE_PARTITION)?.parse().ok()?,
        r.headers.get(headers::SOURCE_OFFSET)?.parse().ok()?,
    ))
}

/// The dedup state an article record carries in its `wirefeed.state` header.
fn state(r: &Rec) -> Option<ArticleState> {
    ArticleState::decode(r.headers.get(headers::STATE)?.as_bytes()).ok()
}

/// Runs the scenario on `broker` and accounts for every raw record.
fn run(s: &Scenario, broker: Broker) -> Report {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let bootstrap = broker.bootstrap();
    let partitions = s.partitions;
    let mut sets = overrides(&broker, partitions);
    let app_id = sets
        .iter()
        .find_map(|o| o.strip_prefix("kafka.application_id="))
        .expect("application id")
        .to_owned();
    sets.push(format!("kafka.topics.duplicates={app_id}.duplicates"));
    if broker.is_mock() {
        // The mock cluster checks the sequence numbers of transactional producers only. When a
        // stall fails one produce request of an idempotent producer and lets the next one in
        // flight through, librdkafka takes that later success as proof that the failed batch was
        // written too ("implicitly acked": right on a real broker, which refuses the later batch
        // as out of sequence) and reports as delivered outputs the mock never stored; they show
        // as delivered at offset -1001. One produce request in flight at a time keeps a failed
        // batch from being overtaken.
        sets.push("kafka.producer.max.in.flight.requests.per.connection=1".into());
    }
    let (sets, config) = child_config(&broker, sets);
    let t = config.kafka.topics.clone();
    let max_message = wirefeed::kafka::max_message_bytes(&config.kafka);

    let mut rng = Lcg(42);
    let inputs = inputs(s.items, partitions, &mut rng);
    let mut report = Report {
        items: inputs.len(),
        poison: inputs
            .iter()
            .filter(|i| {
                matches!(
                    i.kind,
                    Kind::Oversized
                        | Kind::Story {
                            bad_header: true,
                            ..
                        }
                )
            })
            .count(),
        ..Report::default()
    };
    let records: Vec<Outgoing> = inputs
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let mut headers = vec![(INPUT_HEADER.as_bytes().to_vec(), n.to_string().into_bytes())];
            if matches!(
                i.kind,
                Kind::Story {
                    bad_header: true,
                    ..
                }
            ) {
                headers.push((BAD_HEADER_KEY.to_vec(), b"poison".to_vec()));
            }
            Outgoing {
                key: None,
                value: i.value.clone(),
                partition: Some(i.partition),
                headers,
                timestamp: None,
            }
        })
        .collect();

    let started = Instant::now();
    let mut instances: Vec<Instance> = (0..s.instances)
        .map(|_| spawn_instance(&sets, s.faults))
        .collect();
    // Produce in slices: the first, then one per chaos event (on a real broker produced while the
    // event picks its victim, so outputs are flowing), then the last.
    let events = schedule(s);
    let per_slice = records.len().div_ceil(events.len() + 2);
    let mut slices = records.chunks(per_slice);
    if let Some(slice) = slices.next() {
        produce_records(&bootstrap, &t.raw, slice);
    }
    // The pipeline is up (groups joined, first articles out) before the first event.
    wait_for(Duration::from_secs(120), || {
        end_offsets(&bootstrap, &t.articles, partitions)
            .values()
            .sum::<i64>()
            > 0
    });
    for event in &events {
        report.crashes += respawn_crashed(&mut instances, &sets, s.faults);
        println!("chaos: {event:?} at {:?}", started.elapsed());
        // On the mock broker the stall would hold the slice back too: produce it first.
        let slice = slices.next().unwrap_or_default();
        let alongside = !broker.is_mock() && !matches!(event, Event::Outage(_));
        let frozen = s.settled_kills && broker.is_mock() && *event == Event::Kill;
        if frozen {
            settle_and_freeze(&instances, partitions);
        }
        if !alongside {
            produce_records(&bootstrap, &t.raw, slice);
        }
        std::thread::scope(|scope| {
            if alongside {
                scope.spawn(|| produce_records(&bootstrap, &t.raw, slice));
            }
            match *event {
                Event::Kill => {
                    stall_produce(&broker);
                    if frozen {
                        for i in &instances {
                            signal(&i.child, "CONT");
                        }
                    }
                    let (victim, busy) =
                        pick_victim(&broker, &instances, s.in_flight_wait, &mut rng);
                    signal(&instances[victim].child, "KILL");
                    end_stall(&broker);
                    wait_exit(&mut instances[victim].child, Duration::from_secs(10));
                    instances[victim] = spawn_instance(&sets, s.faults);
                    report.kills += 1;
                    report.kills_in_flight += usize::from(busy);
                }
                Event::Zombie => {
                    stall_produce(&broker);
                    let (victim, _) = pick_victim(&broker, &instances, s.in_flight_wait, &mut rng);
                    signal(&instances[victim].child, "STOP");
                    end_stall(&broker);
                    // The others take its partitions over and restore them meanwhile.
                    std::thread::sleep(SESSION_TIMEOUT * 2 + Duration::from_secs(2));
                    signal(&instances[victim].child, "CONT");
                    report.zombies += 1;
                }
                Event::Outage(d) => {
                    if let Broker::Mock(m) = &broker {
                        m.broker_down(1).expect("broker down");
                        std::thread::sleep(d);
                        m.broker_up(1).expect("broker up");
                        report.broker_restarts += 1;
                    }
                }
            }
        });
    }
    for slice in slices {
        produce_records(&bootstrap, &t.raw, slice);
    }

    // Done when both groups committed everything that exists.
    let done = wait_for(Duration::from_secs(900), || {
        report.crashes += respawn_crashed(&mut instances, &sets, s.faults);
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
    for i in &instances {
        signal(&i.child, "TERM");
    }
    for i in &mut instances {
        let status = wait_exit(&mut i.child, Duration::from_secs(60));
        if !status.success() {
            println!("chaos: a wirefeed instance ended with {status} after SIGTERM");
            report.bad_exits += 1;
        }
    }
    assert!(
        done,
        "the pipeline did not finish within 15 minutes ({} crashes)",
        report.crashes
    );
    let elapsed = started.elapsed();

    account(
        &mut report,
        &bootstrap,
        &t,
        partitions,
        &inputs,
        max_message,
    );
    report.replay_articles = replay_check(&bootstrap, &t.articles, partitions, &sets, &app_id, s);
    report.duplicated += report.replay_articles;

    println!(
        "chaos: took {elapsed:?} for {} items on {} instances, {partitions} partitions; \
         raw_records={} kills_in_flight={} repeated_versions={} conflicts={} replay_articles={} \
         misplaced={} broken_stories={} missing_updates={} unattributed={} crashes={} bad_exits={}",
        report.items,
        s.instances,
        report.raw_records,
        report.kills_in_flight,
        report.repeated_versions,
        report.conflicts,
        report.replay_articles,
        report.misplaced,
        report.broken_stories,
        report.missing_updates,
        report.unattributed,
        report.crashes,
        report.bad_exits,
    );
    println!("{}", report.line());
    report
}

/// Where an output record was written and which raw record it names: (partition, offset,
/// timestamp, `wirefeed.source`).
fn place(r: &Rec) -> (i32, i64, Option<i64>, Option<String>) {
    (r.partition, r.offset, r.timestamp, r.notes().source)
}

/// Reads the output topics and accounts for every raw record the broker holds.
fn account(
    report: &mut Report,
    bootstrap: &str,
    t: &wirefeed::config::TopicsConfig,
    partitions: i32,
    inputs: &[Input],
    max_message: usize,
) {
    let raw = read_all(bootstrap, &t.raw, partitions);
    let articles = read_all(bootstrap, &t.articles, partitions);
    let duplicates = read_all(bootstrap, &t.duplicates, partitions);
    let dlq = read_all(bootstrap, &t.dead_letter, partitions);
    let keyed = read_all(bootstrap, &t.keyed, partitions);
    // A broker that dropped the oldest records (retention, the mock cluster's size bound) would
    // make wirefeed look lossy: such a run proves nothing either way.
    for topic in [&t.raw, &t.keyed, &t.articles, &t.duplicates, &t.dead_letter] {
        let dropped: Vec<_> = start_offsets(bootstrap, topic, partitions)
            .into_iter()
            .filter(|&(_, start)| start > 0)
            .collect();
        assert!(
            dropped.is_empty(),
            "the broker dropped the oldest records of {topic} (partition, first offset kept): \
             {dropped:?}; run with more partitions (CHAOS_PARTITIONS) or fewer items"
        );
    }
    report.raw_records = raw.len();
    // How close the run came to a broker's per-partition size bound (the mock keeps 5 MiB).
    let largest = |records: &[Rec]| {
        let mut bytes: HashMap<i32, usize> = HashMap::new();
        for r in records {
            let headers: usize = r.headers.iter().map(|(k, v)| k.len() + v.len()).sum();
            *bytes.entry(r.partition).or_default() +=
                r.value.len() + r.key.as_ref().map_or(0, String::len) + headers;
        }
        bytes.into_values().max().unwrap_or(0)
    };
    println!(
        "chaos: largest partition (bytes): raw={} keyed={} articles={} duplicates={} dead_letters={}",
        largest(&raw),
        largest(&keyed),
        largest(&articles),
        largest(&duplicates),
        largest(&dlq)
    );
    // Where each raw record's keyed records went, to tell at which stage a lost one stopped.
    let mut keyed_of: HashMap<Source, Vec<(i32, i64)>> = HashMap::new();
    for r in &keyed {
        if let Some(src) = keyed_source(r) {
            keyed_of
                .entry(src)
                .or_default()
                .push((r.partition, r.offset));
        }
    }

    let mut articles_of: HashMap<Source, Vec<&Rec>> = HashMap::new();
    for r in &articles {
        match source_of(r) {
            Some(src) => articles_of.entry(src).or_default().push(r),
            None => report.unattributed += 1,
        }
    }
    let duplicated_sources: HashSet<Source> = duplicates.iter().filter_map(source_of).collect();
    let mut dead_of: HashMap<Source, Vec<&Rec>> = HashMap::new();
    for r in &dlq {
        match dead_letter_source(r, &t.raw) {
            Some(src) => dead_of.entry(src).or_default().push(r),
            None => report.unattributed += 1,
        }
    }

    // Each raw record by itself: article, else duplicate, else dead letter, else lost.
    let mut lost_shown = 0;
    // Per story: its raw records, their content versions and outcomes (to show a broken story).
    let mut story_outcomes: HashMap<usize, Vec<(Source, u32, &str)>> = HashMap::new();
    for r in &raw {
        let src = (r.partition, r.offset);
        let input = r
            .headers
            .get(INPUT_HEADER)
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| inputs.get(n));
        let kind = input.map(|i| i.kind);
        let is_story = matches!(kind, Some(Kind::Story { .. }));
        let dead = dead_of.get(&src);
        if let Some(Kind::Story { story, version, .. }) = kind {
            let outcome = if articles_of.contains_key(&src) {
                "written"
            } else if duplicated_sources.contains(&src) {
                "duplicate"
            } else if dead.is_some() {
                "dead-letter"
            } else {
                "lost"
            };
            story_outcomes
                .entry(story)
                .or_default()
                .push((src, version, outcome));
        }
        if let Some(written) = articles_of.get(&src) {
            if written.iter().any(|a| a.headers[headers::KIND] == "update") {
                report.updates += 1;
            } else {
                report.articles += 1;
            }
            let partial = dead.is_some_and(|d| {
                d.iter()
                    .all(|d| d.headers.contains_key(headers::REJECTED_ITEMS))
            });
            if dead.is_some() && !partial {
                report.conflicts += 1;
            }
            report.misplaced += usize::from(!is_story);
        } else if duplicated_sources.contains(&src) {
            report.duplicates += 1;
            report.misplaced += usize::from(!is_story);
        } else if let Some(dead) = dead {
            report.dead_letters += 1;
            let as_expected = match kind {
                Some(Kind::Bad) => true,
                Some(Kind::Oversized) => dead.iter().all(|d| {
                    d.value.len() <= max_message
                        && d.headers.get(headers::TRUNCATED).map(String::as_str)
                            == Some(OVERSIZED.to_string().as_str())
                }),
                _ => false,
            };
            if !as_expected {
                report.misplaced += 1;
                println!(
                    "chaos: raw {src:?} ({kind:?}) became dead letters {:?}",
                    dead.iter()
                        .map(|d| (d.headers.get(headers::REASON), d.value.len()))
                        .collect::<Vec<_>>()
                );
            }
        } else {
            report.lost += 1;
            if lost_shown < 5 {
                lost_shown += 1;
                println!(
                    "chaos: raw record {src:?} ({kind:?}) has no outcome; its keyed records {:?}",
                    keyed_of.get(&src)
                );
            }
        }
    }

    // Every (id, version) once; per story one id, versions 1..k, the latest content out.
    let mut seen_versions: HashMap<(String, String), Vec<&Rec>> = HashMap::new();
    let mut by_story: HashMap<String, Vec<&Rec>> = HashMap::new();
    for r in &articles {
        let id = r.key.clone().unwrap_or_default();
        let state = state(r).expect("an article carries its state");
        seen_versions
            .entry((id, state.version.to_string()))
            .or_default()
            .push(r);
        by_story.entry(state.dedup_key).or_default().push(r);
    }
    for ((id, version), copies) in seen_versions.iter().filter(|(_, c)| c.len() > 1) {
        report.repeated_versions += copies.len() - 1;
        if report.repeated_versions <= 5 {
            let places: Vec<_> = copies.iter().map(|r| place(r)).collect();
            println!(
                "chaos: {id} v{version} written {} times: {places:?}",
                copies.len()
            );
        }
    }
    let mut latest: HashMap<usize, u32> = HashMap::new();
    for i in inputs {
        if let Kind::Story { story, version, .. } = i.kind {
            let v = latest.entry(story).or_default();
            *v = (*v).max(version);
        }
    }
    for (&story, &version) in &latest {
        let key = wirefeed::pipeline::key::dedup_key(&headline(story));
        let written = by_story.get(&key).map(Vec::as_slice).unwrap_or_default();
        let ids: HashSet<_> = written.iter().map(|r| r.key.clone()).collect();
        let mut versions: Vec<u32> = written
            .iter()
            .filter_map(|r| Some(state(r)?.version))
            .collect();
        versions.sort_unstable();
        versions.dedup();
        let contiguous = versions.iter().copied().eq(1..=versions.len() as u32);
        if ids.len() > 1 || !contiguous {
            report.broken_stories += 1;
            if report.broken_stories <= 5 {
                let places: Vec<_> = written
                    .iter()
                    .map(|r| {
                        (
                            r.key.as_deref().unwrap_or_default(),
                            r.headers[headers::VERSION].as_str(),
                            place(r),
                        )
                    })
                    .collect();
                println!(
                    "chaos: story {story} (latest v{version}) written as {places:?}; its raw records {:?}",
                    story_outcomes.get(&story)
                );
            }
        }
        let wanted = version_time(story, version);
        if !written.is_empty()
            && !written
                .iter()
                .any(|r| state(r).map(|s| s.version_time) == Some(wanted))
        {
            report.missing_updates += 1;
        }
    }
    report.duplicated += report.repeated_versions + report.conflicts;
}

/// Replays the whole raw topic under a fresh application id (a new dedup group that re-reads
/// the whole keyed topic) and returns how many articles were written after it started.
fn replay_check(
    bootstrap: &str,
    articles_topic: &str,
    partitions: i32,
    sets: &[String],
    app_id: &str,
    s: &Scenario,
) -> usize {
    let before: i64 = end_offsets(bootstrap, articles_topic, partitions)
        .values()
        .sum();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"));
    cmd.args(["replay", "--from", "beginning", "--wait", "300s"]);
    for set in sets {
        cmd.arg("--set").arg(set);
    }
    cmd.arg("--set")
        .arg(format!("kafka.application_id={app_id}-check"));
    cmd.arg("--set").arg("metrics.listen=");
    if let Some(f) = s.faults {
        cmd.env("WIREFEED_FAULTS", f);
    }
    let out = cmd.env("RUST_LOG", "warn").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "replay: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("chaos replay: {}", stdout.trim());
    let after: i64 = end_offsets(bootstrap, articles_topic, partitions)
        .values()
        .sum();
    (after - before) as usize
}

/// The promise under kills, a zombie, a broker outage (mock) and poison records: nothing lost,
/// nothing written twice, every record where it belongs.
#[test]
fn chaos_loses_and_duplicates_nothing() {
    let broker = Broker::start();
    let scenario = Scenario::from_env(&broker);
    let r = run(&scenario, broker);
    assert_eq!(r.lost, 0, "raw records without an outcome");
    assert_eq!(r.duplicated, 0, "articles written twice");
    assert_eq!(r.unattributed, 0, "outputs that name no raw record");
    assert_eq!(r.misplaced, 0, "records that ended as they should not");
    assert_eq!(
        r.broken_stories, 0,
        "stories with two ids or missing versions"
    );
    assert_eq!(r.missing_updates, 0, "updated content that never came out");
    // An instance that dies by itself is replaced and counted (`crashes=` on the `chaos: took` line);
    // its work must still end exactly once, which the assertions above check. A rare SIGSEGV of
    // an instance around the mock broker's outage comes from librdkafka's cooperative-sticky
    // assignor, which dereferences an empty member list when the group leader's JoinGroup
    // response lists no member whose metadata it can read (`balance`, rdkafka_sticky_assignor.c;
    // seen in a core: `member_cnt = 0`). Kafka always lists the leader itself, so crashes are
    // reported rather than failed; an instance that does not exit cleanly on SIGTERM fails the run.
    if r.crashes > 0 {
        eprintln!(
            "chaos: {} instance(s) died by themselves and were replaced",
            r.crashes
        );
    }
    assert_eq!(r.bad_exits, 0, "unclean exits on SIGTERM");
    assert_eq!(r.kills, scenario.kills);
    assert_eq!(r.zombies, scenario.zombies);
    assert!(r.poison >= 1);
    assert_eq!(
        r.kills_in_flight, r.kills,
        "every kill landed while outputs were in flight"
    );
    assert_eq!(r.broker_restarts, usize::from(scenario.outage.is_some()));
}

/// Without the restore, the dedup stage forgets what it wrote when a partition moves: the
/// check must report it.
#[test]
fn sabotage_no_restore_is_reported() {
    let r = run(&Scenario::small("no-restore"), Broker::start_mock());
    assert!(r.lost + r.duplicated > 0, "{}", r.line());
}

/// Storing offsets before the broker acknowledges the outputs loses what a kill interrupts:
/// the check must report it. Such a build does not count those outputs as in flight, so the
/// kills cannot wait for the gauge; each waits for settled groups instead (a kill during the
/// rebalance that follows the previous one meets an instance that owns nothing, or commits the
/// group refuses), and the instances are stopped while the slice is produced and the stall
/// begins. Left running, they could read the slice and have its outputs acknowledged before the
/// stall, and the kill met nothing in flight: one run in three reported no damage that way.
#[test]
fn sabotage_store_before_ack_is_reported() {
    let scenario = Scenario {
        in_flight_wait: Duration::ZERO,
        settled_kills: true,
        ..Scenario::small("store-before-ack")
    };
    let r = run(&scenario, Broker::start_mock());
    assert!(r.lost + r.duplicated > 0, "{}", r.line());
}
