//! Readiness: whether this instance is ready for traffic, as `/readyz` reports it. The stages set
//! it as partitions are assigned, restored and revoked and as the broker answers.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use metrics::gauge;

use super::{Stage, names};

/// How long after the last broker contact `/readyz` still reports the broker reachable.
pub const DEFAULT_BROKER_TIMEOUT: Duration = Duration::from_secs(30);

/// One stage's readiness.
#[derive(Debug, Clone, Copy, Default)]
struct StageState {
    /// Partitions owned, once the first assignment arrived.
    assigned: Option<usize>,
    /// A restore is running.
    restoring: bool,
    /// The stage stopped (shutdown or failure).
    stopped: bool,
}

impl StageState {
    fn ready(&self) -> bool {
        self.assigned.is_some() && !self.restoring && !self.stopped
    }

    fn describe(&self) -> String {
        if self.stopped {
            return "stopped".into();
        }
        let count = |n: usize| format!("{n} partition{}", if n == 1 { "" } else { "s" });
        match (self.restoring, self.assigned) {
            (true, Some(n)) => format!("restoring ({} assigned)", count(n)),
            (true, None) => "restoring".into(),
            (false, Some(n)) => format!("assigned {}", count(n)),
            (false, None) => "waiting for partition assignment".into(),
        }
    }
}

#[derive(Debug, Default)]
struct ReadinessState {
    stages: [StageState; 2],
    broker_contact: Option<Instant>,
}

/// Whether this instance is ready for traffic, as `/readyz` reports it: both stages have their
/// partitions assigned (a stage with zero partitions in a group larger than its topic counts) and
/// restored, and the broker answered within the broker timeout.
///
/// Shared as `Arc<Readiness>`; every setter is cheap and thread-safe, so rebalance callbacks and
/// statistics callbacks can call it directly.
#[derive(Debug)]
pub struct Readiness {
    state: Mutex<ReadinessState>,
    broker_timeout: Duration,
}

impl Default for Readiness {
    fn default() -> Self {
        Readiness::new(DEFAULT_BROKER_TIMEOUT)
    }
}

/// A readiness verdict with its explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadinessReport {
    /// True when every condition holds.
    pub ready: bool,
    /// One line per condition: `parse: assigned 3 partitions`, `dedup: restoring`,
    /// `broker: reachable (last contact 1s ago)`.
    pub text: String,
}

impl Readiness {
    /// Nothing assigned, broker not contacted yet; the broker counts as reachable for
    /// `broker_timeout` after each [`Readiness::broker_contact`].
    pub fn new(broker_timeout: Duration) -> Readiness {
        Readiness {
            state: Mutex::new(ReadinessState::default()),
            broker_timeout,
        }
    }

    fn lock(&self) -> MutexGuard<'_, ReadinessState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The stage now owns `partitions` partitions (after an assignment or a revocation; 0 is a
    /// valid, ready assignment). Also sets the `wirefeed_partitions_assigned` gauge.
    pub fn stage_assigned(&self, stage: Stage, partitions: usize) {
        self.lock().stages[stage.index()].assigned = Some(partitions);
        gauge!(names::PARTITIONS_ASSIGNED, "stage" => stage.as_str()).set(partitions as f64);
    }

    /// The stage is rebuilding state for newly assigned partitions: not ready until
    /// [`Readiness::stage_ready`].
    pub fn stage_restoring(&self, stage: Stage) {
        self.lock().stages[stage.index()].restoring = true;
    }

    /// The stage's restore finished; it is ready once it has an assignment.
    pub fn stage_ready(&self, stage: Stage) {
        self.lock().stages[stage.index()].restoring = false;
    }

    /// The stage stopped (draining for shutdown, or failed): not ready any more.
    pub fn stage_stopped(&self, stage: Stage) {
        self.lock().stages[stage.index()].stopped = true;
    }

    /// The broker answered (a statistics report with a connection up, a fetched record, a
    /// successful commit).
    pub fn broker_contact(&self) {
        self.lock().broker_contact = Some(Instant::now());
    }

    /// The verdict now.
    pub fn report(&self) -> ReadinessReport {
        self.report_at(Instant::now())
    }

    /// The verdict at `now`.
    pub fn report_at(&self, now: Instant) -> ReadinessReport {
        let state = self.lock();
        let mut ready = true;
        let mut text = String::new();
        for stage in Stage::ALL {
            let s = state.stages[stage.index()];
            ready &= s.ready();
            text.push_str(&format!("{}: {}\n", stage.as_str(), s.describe()));
        }
        match state.broker_contact {
            Some(at) => {
                let ago = now.saturating_duration_since(at);
                let reachable = ago <= self.broker_timeout;
                ready &= reachable;
                text.push_str(&format!(
                    "broker: {} (last contact {}s ago{})\n",
                    if reachable {
                        "reachable"
                    } else {
                        "unreachable"
                    },
                    ago.as_secs(),
                    if reachable {
                        String::new()
                    } else {
                        format!(", limit {}s", self.broker_timeout.as_secs())
                    }
                ));
            }
            None => {
                ready = false;
                text.push_str("broker: not contacted yet\n");
            }
        }
        ReadinessReport { ready, text }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_lines_and_verdict() {
        let r = Readiness::new(Duration::from_secs(10));
        let report = r.report();
        assert!(!report.ready);
        assert_eq!(
            report.text,
            "parse: waiting for partition assignment\ndedup: waiting for partition assignment\n\
             broker: not contacted yet\n"
        );
        r.stage_assigned(Stage::Parse, 3);
        r.stage_restoring(Stage::Dedup);
        r.broker_contact();
        let report = r.report();
        assert!(!report.ready);
        assert_eq!(
            report.text,
            "parse: assigned 3 partitions\ndedup: restoring\nbroker: reachable (last contact 0s ago)\n"
        );
        r.stage_assigned(Stage::Dedup, 1);
        assert!(!r.report().ready, "still restoring");
        r.stage_ready(Stage::Dedup);
        let report = r.report();
        assert!(report.ready, "{}", report.text);
        assert!(report.text.contains("dedup: assigned 1 partition\n"));
        let later = Instant::now() + Duration::from_secs(11);
        let report = r.report_at(later);
        assert!(!report.ready);
        assert!(
            report.text.contains("broker: unreachable (last contact 1"),
            "{}",
            report.text
        );
        r.stage_stopped(Stage::Parse);
        assert!(r.report().text.starts_with("parse: stopped\n"));
    }
}
