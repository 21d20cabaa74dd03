//! How [`DedupState`](super::DedupState) holds its stories: the packed 32-byte record of one
//! story, the side maps its flags point to, and the map keyed by dedup key hash (the parent
//! module's "Layout" section says why they are laid out this way).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::{DateTime, Utc};

use super::Candidate;

/// Highest version number held; further updates keep it.
pub(super) const VERSION_MAX: u32 = (1 << 29) - 1;
/// Flag of a first story: its earlier fingerprints are in [`Side::earlier`].
pub(super) const HAS_EARLIER: u32 = 1 << 29;
/// Flag of a first story: its id is in [`Side::ids`].
pub(super) const HAS_ID: u32 = 1 << 30;
/// Flag of a first story: its key has further stories in [`Side::more`].
pub(super) const HAS_MORE: u32 = 1 << 31;

/// The compact record of one story (32 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Story {
    /// First publication, ms since the epoch.
    pub(super) first_ms: i64,
    /// Version time of the newest emitted version, ms since the epoch.
    pub(super) version_ms: i64,
    /// Fingerprint of the newest emitted version.
    pub(super) fingerprint: u64,
    /// When the newest version was emitted or read back, s since the epoch (saturating).
    pub(super) seen_s: u32,
    /// Version number (low 29 bits) and the `HAS_*` flags (set on first stories only).
    pub(super) meta: u32,
}

impl Story {
    pub(super) fn new(c: &Candidate<'_>) -> Self {
        Story {
            first_ms: c.published.timestamp_millis(),
            version_ms: c.version_time.timestamp_millis(),
            fingerprint: c.fingerprint,
            seen_s: seconds(c.now_ms),
            meta: 1,
        }
    }

    pub(super) fn version(self) -> u32 {
        self.meta & VERSION_MAX
    }

    pub(super) fn has(self, flag: u32) -> bool {
        self.meta & flag != 0
    }

    /// The version number an update of this story gets.
    pub(super) fn next_version(self) -> u32 {
        (self.version() + 1).min(VERSION_MAX)
    }

    /// Makes `c` the newest version; returns the fingerprint it replaces.
    pub(super) fn advance(&mut self, c: &Candidate<'_>) -> u64 {
        self.meta = (self.meta & !VERSION_MAX) | self.next_version();
        self.seen_s = self.seen_s.max(seconds(c.now_ms));
        self.version_ms = c.version_time.timestamp_millis();
        std::mem::replace(&mut self.fingerprint, c.fingerprint)
    }
}

/// A story with everything held about it: further stories of a key are kept this way, and a
/// first story while a restore merges into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Full {
    /// The record, without flags.
    pub(super) story: Story,
    /// Fingerprints of the earlier emitted versions.
    pub(super) earlier: Vec<u64>,
    /// The article id, when it is not derived from the key and the first publication.
    pub(super) id: Option<Box<str>>,
}

impl Full {
    /// Merges `other`, another emitted version of the same story: every fingerprint is content
    /// already emitted, the newest version's fields win, and the latest seen time.
    pub(super) fn merge(&mut self, other: Full) {
        let older = if other.story.version() >= self.story.version() {
            std::mem::replace(self, other)
        } else {
            other
        };
        self.story.seen_s = self.story.seen_s.max(older.story.seen_s);
        for fp in older
            .earlier
            .iter()
            .copied()
            .chain([older.story.fingerprint])
        {
            if fp != self.story.fingerprint && !self.earlier.contains(&fp) {
                self.earlier.push(fp);
            }
        }
    }
}

/// Hasher of keys that are already hashes: passes the `u64` through.
#[derive(Debug, Default)]
pub(super) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    /// Only `u64` keys are hashed with it; other input is folded in, so that it stays a hasher.
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
}

/// A map keyed by dedup key hash.
pub(super) type ByKeyHash<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// What the flags of first stories point to, by key hash.
#[derive(Debug, Default)]
pub(super) struct Side {
    /// Earlier fingerprints of first stories flagged `HAS_EARLIER` (never empty).
    pub(super) earlier: ByKeyHash<Vec<u64>>,
    /// Ids of first stories flagged `HAS_ID`.
    pub(super) ids: ByKeyHash<Box<str>>,
    /// Further stories of keys flagged `HAS_MORE`, in order of creation (never empty).
    pub(super) more: ByKeyHash<Vec<Full>>,
}

impl Side {
    /// Takes out what is held about `story`, the first story of key hash `h`, except the further
    /// stories of its key.
    pub(super) fn detach(&mut self, h: u64, story: Story) -> Full {
        Full {
            earlier: story
                .has(HAS_EARLIER)
                .then(|| self.earlier.remove(&h))
                .flatten()
                .unwrap_or_default(),
            id: story.has(HAS_ID).then(|| self.ids.remove(&h)).flatten(),
            story: Story {
                meta: story.version(),
                ..story
            },
        }
    }

    /// Holds `full` as the first story of key hash `h` (`more`: its key has further stories);
    /// returns its record for the compact map.
    pub(super) fn attach(&mut self, h: u64, full: Full, more: bool) -> Story {
        let mut story = full.story;
        if !full.earlier.is_empty() {
            story.meta |= HAS_EARLIER;
            self.earlier.insert(h, full.earlier);
        }
        if let Some(id) = full.id {
            story.meta |= HAS_ID;
            self.ids.insert(h, id);
        }
        if more {
            story.meta |= HAS_MORE;
        }
        story
    }

    /// Releases the capacity that sweeps left unused.
    pub(super) fn trim(&mut self) {
        trim(&mut self.earlier);
        trim(&mut self.ids);
        trim(&mut self.more);
    }
}

/// Whole seconds since the epoch of `ms`, saturated to `u32`.
pub(super) fn seconds(ms: i64) -> u32 {
    u32::try_from(ms.div_euclid(1000).max(0)).unwrap_or(u32::MAX)
}

/// Releases most of a map's capacity once a sweep has left three quarters of it unused.
pub(super) fn trim<V>(map: &mut ByKeyHash<V>) {
    if map.capacity() > 4 * map.len() {
        map.shrink_to(2 * map.len());
    }
}

/// A time from milliseconds since the epoch (the epoch itself if out of range, which the
/// millisecond values stored here never are: they come from valid times).
pub(super) fn ms_to_time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
