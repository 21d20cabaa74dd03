//! The word lists of the people heuristic, embedded from `data/*.txt` (one word a line, `#`
//! comments), and the small hashed set they are looked up in.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// A small, fast, non-cryptographic hasher for the matcher's word sets (FxHash-style).
#[derive(Default)]
pub(super) struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A set of words, hashed with [`WordHasher`].
pub(super) type WordSet = HashSet<&'static str, BuildHasherDefault<WordHasher>>;

/// Collects words into a [`WordSet`].
pub(super) fn word_set(words: impl IntoIterator<Item = &'static str>) -> WordSet {
    words.into_iter().collect()
}

/// The lines of an embedded data file that are neither blank nor `#` comments.
pub(super) fn data_lines(data: &'static str) -> impl Iterator<Item = &'static str> {
    data.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}
