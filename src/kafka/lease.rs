//! The ownership lease: how long a stage may still trust that it owns its partitions.
//!
//! Proofs of group membership renew it (an assignment, a successful synchronous commit: see
//! [`super::consumer::renew_lease`]); lost partitions expire it. The dedup stage processes
//! records, and its sink re-sends failed outputs, only while the lease is valid.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a stage may still trust that it owns its partitions: renewed by every proof of group
/// membership (an assignment, a successful synchronous commit), for
/// [`crate::config::KafkaConfig::ownership_lease`]. A member the coordinator evicted (a paused
/// process, a network partition) finds its lease expired when it runs again, before it can write
/// what it held on to.
#[derive(Debug)]
pub struct Lease {
    length: Duration,
    until: Mutex<Option<Instant>>,
}

impl Lease {
    /// An expired lease that each renewal extends by `length`.
    pub fn new(length: Duration) -> Lease {
        Lease {
            length,
            until: Mutex::new(None),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.until.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Membership was proven by a request sent at `proof` (the coordinator saw this member at or
    /// after that instant).
    pub fn renew_from(&self, proof: Instant) {
        let mut until = self.lock();
        let new = proof + self.length;
        if until.is_none_or(|u| u < new) {
            *until = Some(new);
        }
    }

    /// Membership is in doubt (partitions lost, a commit refused).
    pub fn expire(&self) {
        *self.lock() = None;
    }

    /// Time left on the lease at `now` (zero when expired).
    pub fn remaining(&self, now: Instant) -> Duration {
        self.lock()
            .map_or(Duration::ZERO, |u| u.saturating_duration_since(now))
    }

    /// The lease's full length.
    pub fn length(&self) -> Duration {
        self.length
    }
}
