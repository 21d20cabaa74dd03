//! The word lists of the people heuristic, embedded from `data/*.txt` (one word a line, `#`
//! comments), and the small hashed set they are looked up in.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// A small, fast, non-cryptographic hasher for the matcher's word sets (FxHash-style): eight
/// bytes at a time, so a short word costs one or two multiplications instead of one a byte.
#[derive(Default)]
pub(super) struct WordHasher(u64);

impl WordHasher {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    #[inline]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(WordHasher::K);
    }
}

impl Hasher for WordHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            // The length keeps "a" and "a\0" apart.
            self.mix(u64::from_le_bytes(word) ^ (rest.len() as u64) << 59);
        }
    }

    #[inline]
    fn write_u8(&mut self, byte: u8) {
        self.mix(u64::from(byte));
    }

    #[inline]
    fn finish(&self) -> u64 {
        // The multiplication mixes upwards; the rotation brings well-mixed bits to the low end,
        // which picks the table slot.
        self.0.rotate_left(26)
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
