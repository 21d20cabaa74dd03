//! Fault injection for the test suite: switches that break a guarantee on purpose, so that the
//! checks of that guarantee (the chaos run above all) are seen to fail when it is broken.
//!
//! Read once per process from the `WIREFEED_FAULTS` environment variable, a comma-separated list:
//!
//! - `no-restore`: the dedup stage starts every assigned partition with an empty state instead of
//!   rebuilding it from the articles topic (copies after a restart or rebalance come out again).
//! - `store-before-ack`: a record's offset is stored as soon as its outputs are handed to the
//!   producer, before the broker acknowledged them (a crash loses what was in flight).
//! - `panic-on=TEXT`: the parser panics on raw records that contain `TEXT`.
//!
//! Unset in production; a process that has any switch on says so in a warning at start.

use std::sync::OnceLock;

/// The environment variable holding the switches.
pub const ENV: &str = "WIREFEED_FAULTS";

/// The switches of this process.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Faults {
    /// Skip the dedup state restore.
    pub no_restore: bool,
    /// Store offsets before the outputs are acknowledged.
    pub store_before_ack: bool,
    /// Panic in the parser on records containing this text.
    pub panic_on: Option<String>,
}

impl Faults {
    /// Parses a switch list; unknown switches are reported in the error.
    ///
    /// # Errors
    /// The first unknown switch.
    pub fn parse(list: &str) -> Result<Faults, String> {
        let mut faults = Faults::default();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item.split_once('=') {
                None if item == "no-restore" => faults.no_restore = true,
                None if item == "store-before-ack" => faults.store_before_ack = true,
                Some(("panic-on", text)) if !text.is_empty() => {
                    faults.panic_on = Some(text.to_owned());
                }
                _ => return Err(format!("unknown fault switch {item:?}")),
            }
        }
        Ok(faults)
    }

    /// True when any switch is on.
    pub fn any(&self) -> bool {
        *self != Faults::default()
    }

    /// Panics when the `panic-on` switch matches `payload`.
    pub fn maybe_panic(&self, payload: &[u8]) {
        if let Some(text) = &self.panic_on
            && memchr::memmem::find(payload, text.as_bytes()).is_some()
        {
            panic!("injected parser panic (WIREFEED_FAULTS panic-on)");
        }
    }

    /// How many outputs a record registers in the offset tracker: none under `store-before-ack`,
    /// so its offset is stored before the broker has them.
    pub fn tracked_outputs(&self, outputs: u32) -> u32 {
        if self.store_before_ack { 0 } else { outputs }
    }
}

/// The switches of this process, from `WIREFEED_FAULTS` (an unparsable list turns none on and is
/// reported once).
pub fn get() -> &'static Faults {
    static FAULTS: OnceLock<Faults> = OnceLock::new();
    FAULTS.get_or_init(|| {
        let Ok(list) = std::env::var(ENV) else {
            return Faults::default();
        };
        match Faults::parse(&list) {
            Ok(faults) => {
                if faults.any() {
                    tracing::warn!(
                        ?faults,
                        "Fault injection is on: guarantees are broken on purpose"
                    );
                }
                faults
            }
            Err(e) => {
                tracing::error!(cause = %e, "Ignoring {ENV}");
                Faults::default()
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_switches() {
        let f = Faults::parse("no-restore, panic-on=BOOM").unwrap();
        assert!(f.no_restore && !f.store_before_ack);
        assert_eq!(f.panic_on.as_deref(), Some("BOOM"));
        assert!(Faults::parse("").unwrap() == Faults::default());
        assert!(Faults::parse("store-before-ack").unwrap().store_before_ack);
        assert!(Faults::parse("restore-off").is_err());
        assert!(Faults::parse("panic-on=").is_err());
    }

    #[test]
    fn store_before_ack_tracks_no_outputs() {
        let f = Faults::parse("store-before-ack").unwrap();
        assert_eq!(f.tracked_outputs(3), 0);
        assert_eq!(Faults::default().tracked_outputs(3), 3);
    }

    #[test]
    #[should_panic(expected = "injected parser panic")]
    fn panics_on_marker() {
        Faults::parse("panic-on=BOOM")
            .unwrap()
            .maybe_panic(b"xx BOOM xx");
    }
}
