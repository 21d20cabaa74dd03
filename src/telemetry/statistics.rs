//! librdkafka statistics of the stage consumers: the consumer-lag gauges and the broker contact
//! that readiness asks about.

use metrics::gauge;
use rdkafka::statistics::Statistics;

use super::{Stage, names};

/// librdkafka `statistics.interval.ms` for stage consumers when metrics are on: how often
/// [`ConsumerStatistics`] can refresh the lag gauges and the broker contact time.
pub const STATISTICS_INTERVAL_MS: &str = "5000";

/// Consumer lag of one partition of a stage's input topic.
#[derive(Debug, Clone, Copy)]
pub struct ConsumerLag {
    /// The consuming stage.
    pub stage: Stage,
    /// Partition of the stage's input topic.
    pub partition: i32,
    /// Records between the committed offset and the high watermark (0 when this instance does
    /// not own the partition, so sums over instances stay right).
    pub lag: i64,
}

impl ConsumerLag {
    /// Sets the lag gauge.
    pub fn emit(&self) {
        gauge!(
            names::CONSUMER_LAG,
            "stage" => self.stage.as_str(),
            "partition" => self.partition.to_string()
        )
        .set(self.lag as f64);
    }
}

/// Consumer lag per partition of `topic` from librdkafka statistics: for each real partition
/// (not librdkafka's internal `-1`), the committed lag (`consumer_lag`, high watermark minus
/// committed offset, as `kafka-consumer-groups --describe` shows it) when this client owns the
/// partition and the lag is known, else 0. Sorted by partition.
pub fn consumer_lags(stats: &Statistics, topic: &str) -> Vec<(i32, i64)> {
    let Some(t) = stats.topics.get(topic) else {
        return Vec::new();
    };
    let mut lags: Vec<(i32, i64)> = t
        .partitions
        .values()
        .filter(|p| p.partition >= 0)
        .map(|p| {
            let owned = p.desired && p.consumer_lag >= 0;
            (p.partition, if owned { p.consumer_lag } else { 0 })
        })
        .collect();
    lags.sort_unstable();
    lags
}

/// True when librdkafka statistics show at least one broker connection up: the broker answered
/// recently (feed to [`Readiness::broker_contact`](super::Readiness::broker_contact)).
pub fn broker_reachable(stats: &Statistics) -> bool {
    stats.brokers.values().any(|b| b.state == "UP")
}

/// librdkafka statistics of a stage consumer arrived (from `ClientContext::stats`).
#[derive(Debug, Clone, Copy)]
pub struct ConsumerStatistics<'a> {
    /// The consuming stage.
    pub stage: Stage,
    /// The stage's input topic.
    pub topic: &'a str,
    /// The decoded statistics.
    pub statistics: &'a Statistics,
}

impl ConsumerStatistics<'_> {
    /// Sets the lag gauge of every partition of the topic ([`consumer_lags`]).
    pub fn emit(&self) {
        for (partition, lag) in consumer_lags(self.statistics, self.topic) {
            ConsumerLag {
                stage: self.stage,
                partition,
                lag,
            }
            .emit();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use rdkafka::statistics::{Broker, Partition, Topic};

    use super::*;

    fn partition(partition: i32, desired: bool, consumer_lag: i64) -> (i32, Partition) {
        (
            partition,
            Partition {
                partition,
                desired,
                consumer_lag,
                ..Partition::default()
            },
        )
    }

    #[test]
    fn lag_per_owned_partition_and_zero_elsewhere() {
        let mut stats = Statistics::default();
        stats.topics.insert(
            "raw".into(),
            Topic {
                topic: "raw".into(),
                partitions: HashMap::from([
                    partition(2, true, 7),
                    partition(0, true, 0),
                    partition(1, false, -1),
                    partition(3, true, -1),
                    partition(-1, false, 0),
                ]),
                ..Topic::default()
            },
        );
        assert_eq!(
            consumer_lags(&stats, "raw"),
            vec![(0, 0), (1, 0), (2, 7), (3, 0)]
        );
        assert!(consumer_lags(&stats, "other").is_empty());
    }

    #[test]
    fn broker_reachable_when_a_connection_is_up() {
        let mut stats = Statistics::default();
        assert!(!broker_reachable(&stats));
        for (name, state, reachable) in [("b:9092/1", "DOWN", false), ("b:9092/2", "UP", true)] {
            let broker = Broker {
                state: state.into(),
                ..Broker::default()
            };
            stats.brokers.insert(name.into(), broker);
            assert_eq!(broker_reachable(&stats), reachable, "after {name} {state}");
        }
    }
}
