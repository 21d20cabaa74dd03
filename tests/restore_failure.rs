//! A dedup state restore that fails must not let a partition be processed from a partial state.
//! The mock cluster refuses the restore's watermark lookups (ListOffsets) while a second
//! `wirefeed run` takes the partition over: the instance is not ready, writes nothing, and once
//! the lookups work again its retried restore sees the first article, so the copy that waited is
//! dropped as a duplicate instead of coming out as a second v1.
//! Broker: always the in-process mock cluster (the fault is injected there).

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};

fn run_restore_failure(faults: &[(&str, &str)]) -> (Vec<Rec>, bool) {
    // The first instance writes the story.
    let OneStory {
        broker,
        sets,
        config,
        child: mut first,
    } = one_story_on_mock(faults);
    let Broker::Mock(mock) = &broker else {
        unreachable!()
    };
    let bootstrap = broker.bootstrap();
    let t = config.kafka.topics.clone();
    signal(&first, "TERM");
    assert!(wait_exit(&mut first, Duration::from_secs(60)).success());

    // A copy arrives; the next instance cannot read the articles topic's watermarks.
    mock.request_errors(
        RDKafkaApiKey::ListOffsets,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_UNKNOWN; 400],
    );
    produce(&bootstrap, &t.raw, &[(None, envelope(1, 5), None)]);
    let metrics = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let mut with_metrics = sets.clone();
    with_metrics.push(format!("metrics.listen={metrics}"));
    let mut second = spawn_wirefeed_env(&with_metrics, faults);
    // While the restore fails the instance says it is not ready, and writes nothing.
    let mut was_unready = false;
    wait_for(Duration::from_secs(20), || {
        was_unready |= try_http_get(metrics, "/readyz").is_ok_and(|(status, _, _)| status == 503);
        false
    });
    mock.clear_request_errors(RDKafkaApiKey::ListOffsets);
    // Then the retried restore completes and the copy is dropped.
    let done = wait_for(SETTLE, || {
        committed(&bootstrap, &config.kafka.dedup_group(), &t.keyed, 1)
            == end_offsets(&bootstrap, &t.keyed, 1)
    });
    assert!(done, "the dedup stage processed the copy");
    signal(&second, "TERM");
    assert!(wait_exit(&mut second, Duration::from_secs(60)).success());
    (read_all(&bootstrap, &t.articles, 1), was_unready)
}

#[test]
fn a_failed_restore_is_retried_before_the_partition_is_processed() {
    let (articles, was_unready) = run_restore_failure(&[]);
    assert!(was_unready, "/readyz was 503 while the restore failed");
    assert_eq!(articles.len(), 1, "the copy was not written again");
}

/// The same run with the restore switched off writes the copy again: the check above can fail.
#[test]
fn without_the_restore_the_copy_is_written_again() {
    let (articles, _) = run_restore_failure(&[("WIREFEED_FAULTS", "no-restore")]);
    assert_eq!(articles.len(), 2);
}
