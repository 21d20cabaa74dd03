//! `wirefeed replay`: re-run a bounded range of the raw topic through the pipeline (backfill).
//!
//! 1. The range is fixed at start: `--from` (an RFC 3339 time, `beginning`, or
//!    `PARTITION:OFFSET[,PARTITION:OFFSET...]`) to `--to` (same forms; default: the end offsets
//!    seen at start, so records produced meanwhile are left to the running pipeline). Start
//!    offsets for times come from `offsets_for_times`, verified against record timestamps (some
//!    brokers answer it wrongly), and records outside the time range are filtered out.
//! 2. The range is parsed by a parse stage of its own, under its own consumer group (`--group`,
//!    default `<application_id>-replay-<id>`; running again with the same group resumes), and its
//!    keyed records carry a `wirefeed.replay` header with the replay's id.
//! 3. They flow through the same dedup stage as live traffic: already-emitted articles are
//!    dropped as duplicates, articles whose parse changed come out as updates, missing ones are
//!    filled in. Unless `--no-dedup`, the replay process also joins the dedup group itself, so a
//!    replay completes even when no `wirefeed run` is up (partitions move to it and back; the
//!    dedup state is restored on every move).
//! 4. It waits until the dedup group has committed past every keyed record the replay wrote,
//!    counts the articles and updates carrying its id on the articles topic, and prints the
//!    summary line. Duplicates are the keyed records that produced neither.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use chrono::{DateTime, Utc};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use crate::config::Config;
use crate::kafka::parse_stage::Source;
use crate::kafka::range::RangeSpec;
use crate::kafka::{self, headers, restore};
use crate::telemetry::Stats;

/// One end of a replay range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// The start of every partition.
    Beginning,
    /// A point in time (record timestamps).
    Time(DateTime<Utc>),
    /// Explicit offsets for some partitions (the range covers only those).
    Offsets(Vec<(i32, i64)>),
}

impl std::str::FromStr for Bound {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("beginning") || s.eq_ignore_ascii_case("earliest") {
            return Ok(Bound::Beginning);
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(Bound::Time(t.with_timezone(&Utc)));
        }
        let offsets = s
            .split(',')
            .map(|part| {
                let (p, o) = part
                    .split_once(':')
                    .ok_or_else(|| format!("{part:?} is not PARTITION:OFFSET"))?;
                let p = p
                    .trim()
                    .parse::<i32>()
                    .map_err(|e| format!("partition {p:?}: {e}"))?;
                let o = o
                    .trim()
                    .parse::<i64>()
                    .map_err(|e| format!("offset {o:?}: {e}"))?;
                if p < 0 || o < 0 {
                    return Err(format!(
                        "{part:?}: partition and offset must not be negative"
                    ));
                }
                Ok((p, o))
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(|e| {
                format!("expected an RFC 3339 time, `beginning`, or PARTITION:OFFSET[,...]: {e}")
            })?;
        Ok(Bound::Offsets(offsets))
    }
}

/// Replay options.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// Range start.
    pub from: Bound,
    /// Range end (exclusive); `None` = the end offsets at start.
    pub to: Option<Bound>,
    /// Consumer group of the replay; `None` = a new one.
    pub group: Option<String>,
    /// Whether this process joins the dedup group while replaying.
    pub with_dedup: bool,
    /// How long to wait for the dedup stage to process the replayed records.
    pub wait: Duration,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
}

/// What a replay did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplaySummary {
    /// Raw records in range that were processed.
    pub records: u64,
    /// New articles emitted.
    pub articles: u64,
    /// Keyed records that produced no article (already emitted, or stale).
    pub duplicates: u64,
    /// Updates emitted.
    pub updates: u64,
    /// Dead letters written by the parse stage.
    pub dead_letters: u64,
}

impl ReplaySummary {
    /// The summary line, in the same form as `wirefeed run`'s.
    pub fn line(&self) -> String {
        format!(
            "summary: records={} articles={} duplicates={} updates={} dead_letters={}",
            self.records, self.articles, self.duplicates, self.updates, self.dead_letters
        )
    }
}

/// The range plan: per partition (start, end exclusive), and the time filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// (partition, first offset, end offset).
    pub partitions: Vec<(i32, i64, i64)>,
    /// Skip records before this timestamp (ms).
    pub since_ms: Option<i64>,
    /// Skip records at or after this timestamp (ms).
    pub until_ms: Option<i64>,
    /// The earliest record time (ms) the range may hold: the `--from` time, else the timestamp
    /// of the first record of the range (the earliest over partitions); `None` when empty or
    /// unreadable.
    pub earliest_ms: Option<i64>,
}

/// Refuses a range that reaches back before the restore horizon (`now - dedup.restore_lookback`).
///
/// The dedup state is rebuilt from the articles written within the lookback; the articles of
/// older records are not in it, so replaying those records would emit old stories again as new
/// version 1 articles under their old ids. A backfill of older records needs a lookback that
/// covers them (the restore then reads that much of the articles topic).
///
/// # Errors
/// The range starts before the horizon; the message names the horizon and the setting.
pub fn check_horizon(plan: &Plan, now_ms: i64, lookback: Duration) -> anyhow::Result<()> {
    let lookback_ms = lookback.as_millis().min(i64::MAX as u128) as i64;
    let horizon = now_ms.saturating_sub(lookback_ms);
    match plan.earliest_ms {
        Some(earliest) if earliest < horizon => {
            let at = |ms: i64| {
                DateTime::<Utc>::from_timestamp_millis(ms)
                    .map_or_else(|| ms.to_string(), |t| t.to_rfc3339())
            };
            bail!(
                "the range starts at {}, before the dedup restore horizon {} (now minus \
                 dedup.restore_lookback = {}): articles of records older than the horizon are not \
                 in the restored dedup state, so they would come out again as new stories. Replay \
                 from {} or later, or set dedup.restore_lookback to cover the range",
                at(earliest),
                at(horizon),
                humantime::format_duration(lookback),
                at(horizon)
            )
        }
        _ => Ok(()),
    }
}

impl Plan {
    /// Records in the range.
    pub fn total(&self) -> u64 {
        self.partitions
            .iter()
            .map(|&(_, s, e)| (e - s).max(0) as u64)
            .sum()
    }
}

/// Works out the offsets of the range on the raw topic.
///
/// # Errors
/// When the topic's metadata or watermarks cannot be read, or an explicit partition does not exist.
pub fn plan(config: &Config, from: &Bound, to: Option<&Bound>) -> anyhow::Result<Plan> {
    let kafka = &config.kafka;
    let topic = &kafka.topics.raw;
    let timeout = Duration::from_secs(10);
    let count = kafka::partition_counts(kafka, &[topic], Duration::from_secs(15))?[0];
    let reader = restore::reader(kafka, "replay-plan")?;
    let mut partitions = Vec::new();
    let explicit: Option<HashMap<i32, i64>> = match from {
        Bound::Offsets(list) => Some(list.iter().copied().collect()),
        _ => None,
    };
    if let Some(p) = explicit
        .iter()
        .flat_map(|e| e.keys())
        .find(|&&p| p >= count)
    {
        bail!("partition {p} does not exist: {topic} has {count} partitions");
    }
    let since_ms = match from {
        Bound::Time(t) => Some(t.timestamp_millis()),
        _ => None,
    };
    let until_ms = match to {
        Some(Bound::Time(t)) => Some(t.timestamp_millis()),
        _ => None,
    };
    let mut earliest_ms: Option<i64> = None;
    // Each probe reads every partition at most once (see `restore::Reader`).
    let (mut start_probe, mut end_probe, mut first_probe) = (
        restore::Probe::new(kafka),
        restore::Probe::new(kafka),
        restore::Probe::new(kafka),
    );
    for p in 0..count {
        if explicit.as_ref().is_some_and(|e| !e.contains_key(&p)) {
            continue;
        }
        let (low, high) = reader
            .fetch_watermarks(topic, p, timeout)
            .with_context(|| format!("reading the watermarks of {topic} partition {p}"))?;
        let start = match from {
            Bound::Beginning => low,
            Bound::Time(t) => {
                restore::verified_start(
                    &mut start_probe,
                    topic,
                    p,
                    t.timestamp_millis(),
                    (low, high),
                    timeout,
                )
                .0
            }
            Bound::Offsets(_) => explicit
                .as_ref()
                .and_then(|e| e.get(&p))
                .copied()
                .unwrap_or(low)
                .clamp(low, high),
        };
        let end = match to {
            None | Some(Bound::Beginning) => high,
            Some(Bound::Time(t)) => {
                let (o, fell_back) = restore::verified_start(
                    &mut end_probe,
                    topic,
                    p,
                    t.timestamp_millis(),
                    (low, high),
                    timeout,
                );
                // An unverified answer cannot bound the range: read to the end and filter.
                if fell_back { high } else { o }
            }
            Some(Bound::Offsets(list)) => list
                .iter()
                .find(|(q, _)| *q == p)
                .map_or(high, |&(_, o)| o.clamp(low, high)),
        };
        if end > start {
            partitions.push((p, start, end));
            let first = match since_ms {
                Some(ms) => Some(ms),
                None => first_probe.timestamp_at(topic, p, start, timeout),
            };
            if let Some(first) = first {
                earliest_ms = Some(earliest_ms.map_or(first, |e| e.min(first)));
            }
        }
    }
    Ok(Plan {
        partitions,
        since_ms,
        until_ms,
        earliest_ms,
    })
}

/// Runs a replay and returns its summary.
///
/// # Errors
/// Topic and client errors, and a dedup stage that does not catch up within `wait`.
pub async fn run(config: Config, options: ReplayOptions) -> anyhow::Result<ReplaySummary> {
    let config = Arc::new(config);
    let replay_id = format!(
        "{:016x}",
        xxhash_rust::xxh3::xxh3_64(
            format!("{}-{:?}", std::process::id(), Instant::now()).as_bytes()
        ) ^ Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64
    );
    let plan = {
        let (config, from, to) = (config.clone(), options.from.clone(), options.to.clone());
        tokio::task::spawn_blocking(move || plan(&config, &from, to.as_ref())).await??
    };
    check_horizon(
        &plan,
        Utc::now().timestamp_millis(),
        config.dedup.restore_lookback,
    )?;
    let group = options
        .group
        .clone()
        .unwrap_or_else(|| format!("{}-replay-{replay_id}", config.kafka.application_id));
    let total = plan.total();
    eprintln!(
        "wirefeed replay {replay_id}: {total} records in {} partitions of {} (group {group})",
        plan.partitions.len(),
        config.kafka.topics.raw
    );
    let articles_start = high_watermarks(&config, &config.kafka.topics.articles)?;

    let stop_dedup = Arc::new(AtomicBool::new(false));
    let dedup = options
        .with_dedup
        .then(|| {
            let (config, stop) = (config.clone(), stop_dedup.clone());
            std::thread::Builder::new()
                .name("wirefeed-replay-dedup".into())
                .spawn(move || {
                    kafka::dedup_stage::run(&config, &Stats::default(), &Arc::default(), &stop)
                })
        })
        .transpose()?;

    let stats = Arc::new(Stats::default());
    let bar = options.progress.then(|| progress_bar(total));
    let parse = {
        let (config, stats) = (config.clone(), stats.clone());
        let spec = RangeSpec {
            group,
            partitions: plan.partitions.clone(),
            since_ms: plan.since_ms,
            until_ms: plan.until_ms,
            replay_id: replay_id.clone(),
        };
        std::thread::Builder::new()
            .name("wirefeed-replay-parse".into())
            .spawn(move || {
                kafka::parse_stage::run_with(
                    &config,
                    &stats,
                    &Arc::default(),
                    &AtomicBool::new(false),
                    Source::Range(spec),
                )
            })?
    };
    while !parse.is_finished() {
        if let Some(bar) = &bar {
            bar.set_position(Stats::get(&stats.records) + Stats::get(&stats.skipped));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    parse
        .join()
        .map_err(|_| anyhow::anyhow!("the replay's parse stage panicked"))??;
    if let Some(bar) = &bar {
        bar.set_position(total);
        bar.finish_with_message("parsed; waiting for the dedup stage");
    }

    // Every keyed record of the replay lies below these offsets.
    let keyed_end = high_watermarks(&config, &config.kafka.topics.keyed)?;
    let caught_up = {
        let config = config.clone();
        let wait = options.wait;
        tokio::task::spawn_blocking(move || wait_for_dedup(&config, &keyed_end, wait)).await?
    };
    stop_dedup.store(true, Ordering::Relaxed);
    if let Some(d) = dedup {
        let deadline = std::time::Instant::now() + crate::app::stop_limit(&config);
        let stopped =
            tokio::task::spawn_blocking(move || crate::app::join_by(d, deadline, "replay dedup"))
                .await?;
        match stopped {
            Some(Ok(result)) => result?,
            Some(Err(_)) => bail!("the replay's dedup stage panicked"),
            None => {}
        }
    }
    if let Err(behind) = caught_up {
        bail!(
            "the dedup stage did not process the replayed records within {:?} (is a `wirefeed run` \
             instance or the replay's own dedup member running?); {behind}",
            options.wait
        );
    }
    let (articles, updates) = {
        let (config, id) = (config.clone(), replay_id.clone());
        tokio::task::spawn_blocking(move || count_outputs(&config, &articles_start, &id)).await??
    };
    let parsed = Stats::get(&stats.parsed);
    Ok(ReplaySummary {
        records: Stats::get(&stats.records),
        articles,
        updates,
        duplicates: parsed.saturating_sub(articles + updates),
        dead_letters: Stats::get(&stats.dead_letters),
    })
}

fn progress_bar(total: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} records {per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

fn high_watermarks(config: &Config, topic: &str) -> anyhow::Result<HashMap<i32, i64>> {
    let kafka = &config.kafka;
    let count = kafka::partition_counts(kafka, &[topic], Duration::from_secs(15))?[0];
    let reader = restore::reader(kafka, "replay-watermarks")?;
    (0..count)
        .map(|p| {
            reader
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .map(|(_, high)| (p, high))
                .with_context(|| format!("reading the watermarks of {topic} partition {p}"))
        })
        .collect()
}

/// Waits until the dedup group committed at least `ends` on every keyed partition. On time out,
/// the error names what was still missing: the partitions below their end, with the offset the
/// group had committed there, or why the committed offsets could not be read.
fn wait_for_dedup(config: &Config, ends: &HashMap<i32, i64>, wait: Duration) -> Result<(), String> {
    let kafka = &config.kafka;
    let topic = &kafka.topics.keyed;
    let consumer = kafka::client_config(kafka, kafka::Role::Admin)
        .set("group.id", kafka.dedup_group())
        .set("enable.auto.commit", "false")
        .create::<BaseConsumer>()
        .map_err(|e| format!("cannot read the dedup group's offsets: {e}"))?;
    let deadline = Instant::now() + wait;
    loop {
        let mut tpl = TopicPartitionList::new();
        for &p in ends.keys() {
            tpl.add_partition(topic, p);
        }
        let behind = match consumer.committed_offsets(tpl, Duration::from_secs(10)) {
            Ok(committed) => match lagging(topic, ends, &committed) {
                None => return Ok(()),
                Some(lag) => lag,
            },
            Err(e) => format!("reading its committed offsets failed: {e}"),
        };
        if Instant::now() >= deadline {
            return Err(behind);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The keyed partitions on which `committed` is below `ends` (an empty partition never is), as
/// `behind on keyed partitions: P committed C of E, ...`; `None` when there are none.
fn lagging(
    topic: &str,
    ends: &HashMap<i32, i64>,
    committed: &TopicPartitionList,
) -> Option<String> {
    let mut behind: Vec<(i32, String)> = ends
        .iter()
        .filter_map(|(&p, &end)| {
            let at = committed
                .find_partition(topic, p)
                .and_then(|e| match e.offset() {
                    Offset::Offset(o) => Some(o),
                    _ => None,
                });
            (end > 0 && at.is_none_or(|o| o < end)).then(|| {
                let at = at.map_or_else(|| "nothing".to_string(), |o| o.to_string());
                (p, format!("{p} committed {at} of {end}"))
            })
        })
        .collect();
    behind.sort_unstable_by_key(|b| b.0);
    let parts: Vec<&str> = behind.iter().map(|b| b.1.as_str()).collect();
    (!parts.is_empty()).then(|| format!("behind on keyed partitions: {}", parts.join(", ")))
}

/// Counts (new, update) articles carrying `replay_id` written after `start`.
fn count_outputs(
    config: &Config,
    start: &HashMap<i32, i64>,
    replay_id: &str,
) -> anyhow::Result<(u64, u64)> {
    let kafka = &config.kafka;
    let topic = &kafka.topics.articles;
    let end = high_watermarks(config, topic)?;
    let reader = restore::reader(kafka, "replay-count")?;
    let mut tpl = TopicPartitionList::new();
    let mut remaining = 0;
    for (&p, &e) in &end {
        let s = start.get(&p).copied().unwrap_or(0);
        if e > s {
            tpl.add_partition_offset(topic, p, Offset::Offset(s))?;
            remaining += 1;
        }
    }
    if remaining == 0 {
        return Ok((0, 0));
    }
    reader.assign(&tpl)?;
    let (mut new, mut updates) = (0, 0);
    let mut finished = std::collections::HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while finished.len() < remaining && Instant::now() < deadline {
        match reader.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => {
                let p = m.partition();
                if m.offset() >= end[&p] - 1 {
                    finished.insert(p);
                }
                if m.offset() >= end[&p] {
                    continue;
                }
                let hdrs = kafka::record_headers::map(m.headers());
                let notes = kafka::state_header::annotations(&hdrs);
                if notes.replay.as_deref() == Some(replay_id) {
                    match hdrs.get(headers::KIND).copied() {
                        Some(b"update") => updates += 1,
                        _ => new += 1,
                    }
                }
            }
            Some(Err(KafkaError::PartitionEOF(p))) => {
                finished.insert(p);
            }
            _ => {}
        }
    }
    Ok((new, updates))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bounds() {
        assert_eq!("beginning".parse::<Bound>(), Ok(Bound::Beginning));
        assert_eq!(
            "2025-08-20T10:27:00Z".parse::<Bound>(),
            Ok(Bound::Time(
                DateTime::parse_from_rfc3339("2025-08-20T10:27:00Z")
                    .unwrap()
                    .with_timezone(&Utc)
            ))
        );
        assert_eq!(
            "0:10, 2:30".parse::<Bound>(),
            Ok(Bound::Offsets(vec![(0, 10), (2, 30)]))
        );
        assert!("yesterday".parse::<Bound>().is_err());
        assert!("0:-1".parse::<Bound>().is_err());
    }

    #[test]
    fn plan_total_counts_records() {
        let plan = Plan {
            partitions: vec![(0, 5, 10), (1, 0, 3)],
            since_ms: None,
            until_ms: None,
            earliest_ms: None,
        };
        assert_eq!(plan.total(), 8);
    }

    #[test]
    fn a_range_before_the_restore_horizon_is_refused() {
        let day = 86_400_000;
        let now = 100 * day;
        let week = Duration::from_secs(7 * 86_400);
        let plan = |earliest_ms| Plan {
            partitions: vec![(0, 0, 10)],
            since_ms: None,
            until_ms: None,
            earliest_ms,
        };
        assert!(check_horizon(&plan(Some(now - 6 * day)), now, week).is_ok());
        assert!(check_horizon(&plan(None), now, week).is_ok());
        let err = check_horizon(&plan(Some(now - 8 * day)), now, week)
            .unwrap_err()
            .to_string();
        assert!(err.contains("dedup.restore_lookback"), "{err}");
        assert!(err.contains("7days"), "{err}");
        // A longer lookback covers it.
        let month = Duration::from_secs(30 * 86_400);
        assert!(check_horizon(&plan(Some(now - 8 * day)), now, month).is_ok());
    }

    #[test]
    fn lagging_names_the_partitions_behind_their_end() {
        let ends: HashMap<i32, i64> = [(0, 5), (1, 0), (2, 9), (3, 4)].into_iter().collect();
        let mut committed = TopicPartitionList::new();
        committed
            .add_partition_offset("k", 0, Offset::Offset(5))
            .unwrap();
        committed.add_partition("k", 1);
        committed
            .add_partition_offset("k", 2, Offset::Offset(7))
            .unwrap();
        committed.add_partition("k", 3);
        assert_eq!(
            lagging("k", &ends, &committed).as_deref(),
            Some("behind on keyed partitions: 2 committed 7 of 9, 3 committed nothing of 4")
        );
        committed
            .set_partition_offset("k", 2, Offset::Offset(9))
            .unwrap();
        committed
            .set_partition_offset("k", 3, Offset::Offset(4))
            .unwrap();
        assert_eq!(lagging("k", &ends, &committed), None);
    }
}
