//! A producer whose delivery reports are served by a thread of its own that waits for them in
//! long windows.
//!
//! rdkafka's `ThreadedProducer` serves them by calling `BaseProducer::poll` with a 100 ms
//! window, in a loop. That poll waits in whole milliseconds until its window's deadline: once
//! less than a millisecond is left, every wait rounds down to zero and returns at once, so the
//! last millisecond of every window is a busy loop (clock reads, queue locks). That is 1% of a
//! core per producer, idle or busy: at the throughput a broker such as Tansu allows on a small
//! machine, the two stages' producers spent more CPU per item spinning there than on any part
//! of wirefeed's own work but parsing.
//!
//! [`PolledProducer`] polls in [`POLL_WINDOW`]s of a second instead, so the same busy millisecond
//! comes ten times less often; a delivery report is served as soon as it arrives whatever the
//! window. Dropping it purges what the producer still holds (nothing more is sent, as when a
//! `ThreadedProducer` is dropped) but does not wait for the window to end: the thread serves the
//! purged outputs' delivery reports, ends with its window and drops the producer then.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rdkafka::config::{ClientConfig, FromClientConfigAndContext};
use rdkafka::error::KafkaResult;
use rdkafka::producer::{BaseProducer, Producer, ProducerContext, PurgeConfig};

/// How long one poll of the delivery-report thread waits.
pub const POLL_WINDOW: Duration = Duration::from_secs(1);

/// A [`BaseProducer`] with a thread of its own serving its delivery reports.
pub struct PolledProducer<C: ProducerContext + 'static> {
    producer: Arc<BaseProducer<C>>,
    stop: Arc<AtomicBool>,
}

impl<C: ProducerContext + 'static> PolledProducer<C> {
    /// Creates the producer and starts its delivery-report thread.
    ///
    /// # Errors
    /// When librdkafka rejects the configuration, or the thread cannot be started.
    pub fn new(config: &ClientConfig, context: C) -> KafkaResult<Self> {
        let producer = Arc::new(BaseProducer::from_config_and_context(config, context)?);
        let stop = Arc::new(AtomicBool::new(false));
        let (polled, stopped) = (Arc::clone(&producer), Arc::clone(&stop));
        std::thread::Builder::new()
            .name("producer polling".to_owned())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    polled.poll(POLL_WINDOW);
                }
            })
            .map_err(|e| {
                rdkafka::error::KafkaError::ClientCreation(format!(
                    "cannot start the producer's polling thread: {e}"
                ))
            })?;
        Ok(PolledProducer { producer, stop })
    }
}

impl<C: ProducerContext + 'static> std::ops::Deref for PolledProducer<C> {
    type Target = BaseProducer<C>;

    fn deref(&self) -> &BaseProducer<C> {
        &self.producer
    }
}

impl<C: ProducerContext + 'static> Drop for PolledProducer<C> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Nothing is sent once dropped, as with a producer destroyed here; the thread serves the
        // purged outputs' delivery reports (failed) before it ends.
        self.producer
            .purge(PurgeConfig::default().queue().inflight());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::ClientContext;
    use rdkafka::message::Message;
    use rdkafka::mocking::MockCluster;
    use rdkafka::producer::DefaultProducerContext;
    use rdkafka::producer::{BaseRecord, DeliveryResult};
    use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
    use std::sync::mpsc;

    /// Sends each delivery's offset, or its error.
    struct Reports(mpsc::Sender<Result<i64, String>>);

    impl ClientContext for Reports {}

    impl ProducerContext for Reports {
        type DeliveryOpaque = ();

        fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
            let report = match result {
                Ok(m) => Ok(m.offset()),
                Err((e, _)) => Err(e.to_string()),
            };
            self.0.send(report).ok();
        }
    }

    /// Delivery reports arrive on the polling thread well within a window, and dropping the
    /// producer returns at once.
    #[test]
    fn serves_delivery_reports_and_drops_without_waiting() {
        let cluster = MockCluster::new(1).unwrap();
        cluster.create_topic("t", 1, 1).unwrap();
        let (producer, rx) = producer(&cluster);
        for n in 0..3 {
            let payload = format!("{n}");
            producer
                .send(BaseRecord::<(), _>::to("t").payload(&payload))
                .unwrap();
        }
        let offsets: Vec<Result<i64, String>> = (0..3)
            .map(|_| rx.recv_timeout(Duration::from_secs(10)).unwrap())
            .collect();
        assert_eq!(offsets, [Ok(0), Ok(1), Ok(2)]);
        let t = std::time::Instant::now();
        drop(producer);
        assert!(t.elapsed() < POLL_WINDOW / 2, "{:?}", t.elapsed());
    }

    /// An output the broker has not taken when the producer is dropped is purged, not sent
    /// later: its delivery report says so.
    #[test]
    fn dropping_purges_what_is_unsent() {
        let cluster = MockCluster::new(1).unwrap();
        cluster.create_topic("t", 1, 1).unwrap();
        let (producer, rx) = producer(&cluster);
        // One delivery first: the polling thread is inside a window.
        producer
            .send(BaseRecord::<(), _>::to("t").payload("x"))
            .unwrap();
        let first = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(first, Ok(0));
        // A few retriable errors: left alone, librdkafka's retries would deliver the output
        // within the polling thread's window.
        let errors = [RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS; 3];
        cluster.request_errors(RDKafkaApiKey::Produce, &errors);
        producer
            .send(BaseRecord::<(), _>::to("t").payload("x"))
            .unwrap();
        drop(producer);
        let report = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(
            report.as_ref().is_err_and(|e| e.contains("Purged")),
            "{report:?}"
        );
    }

    fn producer(
        cluster: &MockCluster<'_, DefaultProducerContext>,
    ) -> (PolledProducer<Reports>, mpsc::Receiver<Result<i64, String>>) {
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", cluster.bootstrap_servers());
        let (tx, rx) = mpsc::channel();
        (PolledProducer::new(&config, Reports(tx)).unwrap(), rx)
    }
}
