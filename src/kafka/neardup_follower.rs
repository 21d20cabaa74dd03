//! Follows the whole articles topic (every partition, no consumer group) and feeds the
//! near-duplicate index, so each instance sees the fingerprints of articles emitted by all
//! partitions and all instances, not just its own.
//!
//! It starts one dedup window back (by record timestamp, with the same verified lookup as the
//! state restore) and then tails the topic. Only articles marked indexable (long enough bodies,
//! not themselves near-duplicates) are added. Detection across instances is therefore as fresh as
//! this follower: two reworked copies processed within the same fraction of a second on
//! different instances may both pass unannotated.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use rdkafka::consumer::Consumer;
use rdkafka::message::{Headers, Message};
use rdkafka::{Offset, TopicPartitionList};

use crate::config::KafkaConfig;
use crate::pipeline::neardup::NearDupIndex;

use super::{headers, restore};

/// Starts the follower thread; it runs until `stop` is set.
///
/// # Errors
/// When the reader cannot be created or the thread cannot start.
pub fn start(
    kafka: KafkaConfig,
    window: Duration,
    index: Arc<Mutex<NearDupIndex>>,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<JoinHandle<()>> {
    let consumer =
        restore::reader(&kafka, "neardup").context("creating the near-duplicate follower")?;
    std::thread::Builder::new()
        .name("wirefeed-neardup".into())
        .spawn(move || follow(&kafka, &consumer, window, &index, &stop))
        .context("starting the near-duplicate follower")
}

fn follow(
    kafka: &KafkaConfig,
    consumer: &restore::Reader,
    window: Duration,
    index: &Mutex<NearDupIndex>,
    stop: &AtomicBool,
) {
    let topic = &kafka.topics.articles;
    let timeout = Duration::from_secs(10);
    let partitions = loop {
        match consumer.fetch_metadata(Some(topic), timeout) {
            Ok(md) => match md.topics().first() {
                Some(t) if !t.partitions().is_empty() => break t.partitions().len() as i32,
                _ => {}
            },
            Err(e) => {
                tracing::warn!(cause = %e, "Near-duplicate follower cannot read metadata; retrying")
            }
        }
        if stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(Duration::from_secs(1));
    };
    let since_ms = Utc::now().timestamp_millis() - window.as_millis().min(i64::MAX as u128) as i64;
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        let start = match consumer.fetch_watermarks(topic, p, timeout) {
            Ok(w) => restore::verified_start(consumer, topic, p, since_ms, w, timeout).0,
            Err(_) => 0,
        };
        if let Err(e) = tpl.add_partition_offset(topic, p, Offset::Offset(start)) {
            tracing::warn!(partition = p, cause = %e, "Near-duplicate follower skips a partition");
        }
    }
    if let Err(e) = consumer.assign(&tpl) {
        tracing::error!(cause = %e, "Near-duplicate follower cannot assign; near-duplicates across instances are not detected");
        return;
    }
    while !stop.load(Ordering::Relaxed) {
        let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        let hdrs: HashMap<&str, &[u8]> = m
            .headers()
            .map(|h| h.iter().filter_map(|h| Some((h.key, h.value?))).collect())
            .unwrap_or_default();
        if !hdrs.contains_key(headers::NEAR_DUP_INDEX) {
            continue;
        }
        let text = |k: &str| hdrs.get(k).and_then(|v| std::str::from_utf8(v).ok());
        let fingerprint = text(headers::FINGERPRINT).and_then(|f| u64::from_str_radix(f, 16).ok());
        let published = text(headers::FIRST_PUBLISHED)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        let id = m.key().and_then(|k| std::str::from_utf8(k).ok());
        if let (Some(fp), Some(published), Some(id)) = (fingerprint, published, id) {
            index
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(fp, id, published);
        }
    }
}
