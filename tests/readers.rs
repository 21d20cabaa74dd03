//! Readers of the articles topic (the near-duplicate follower, restore probes) assign partitions
//! and close quickly, which librdkafka up to 2.15 turns into a process abort
//! (`rd_kafka_assignment_partition_stopped: Assertion rktp->rktp_started`) when one reader
//! removes a partition twice before its fetcher stopped. A follower that probes the start of
//! every partition and is stopped as soon as it has assigned them hit that within a few dozen
//! starts; the test starts and stops one many times and must live to the end.
//! Broker: `TEST_KAFKA_BOOTSTRAP` when set, else the in-process mock cluster.

mod common;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use wirefeed::kafka::neardup_follower::{self, Owned};
use wirefeed::pipeline::neardup::NearDupIndex;

#[test]
fn a_follower_stopped_right_after_it_assigned_its_partitions_never_aborts() {
    const PARTITIONS: i32 = 2;
    let broker = Broker::start();
    let config = config(&broker, PARTITIONS);
    let topic = &config.kafka.topics.articles;
    let records: Vec<_> = (0..4 * PARTITIONS)
        .map(|i| {
            (
                Some(format!("id-{i}")),
                b"{}".to_vec(),
                Some(i % PARTITIONS),
            )
        })
        .collect();
    produce(&broker.bootstrap(), topic, &records);
    let window = Duration::from_secs(3600);
    let index = Arc::new(Mutex::new(NearDupIndex::new(3, window)));
    for _ in 0..40 {
        // Stopped before it starts: it probes every partition, assigns them all, sees the stop
        // and closes at once.
        let stop = Arc::new(AtomicBool::new(true));
        let follower = neardup_follower::start(
            config.kafka.clone(),
            window,
            index.clone(),
            Arc::new(Owned::default()),
            stop,
        )
        .expect("follower starts");
        follower.join().expect("follower thread");
    }
}
