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

/// A set of words, hashed with [`WordHasher`], behind a filter on each word's length and first
/// and last bytes: most words looked up are in no list, and the filter turns them away without
/// hashing them.
pub(super) struct WordSet {
    words: HashSet<&'static str, BuildHasherDefault<WordHasher>>,
    /// Bit [`WordSet::filter_bit`] of every word of the set is set; a word whose bit is clear is
    /// not in the set.
    filter: [u64; FILTER_BITS / 64],
}

/// Bits of a [`WordSet`]'s filter (a power of two, a few times the longest list).
const FILTER_BITS: usize = 1 << 13;

impl WordSet {
    /// Whether the word is in the set.
    #[inline]
    pub(super) fn contains(&self, word: &str) -> bool {
        let bit = WordSet::filter_bit(word);
        self.filter[bit / 64] & 1 << (bit % 64) != 0 && self.words.contains(word)
    }

    /// The filter bit of a word: a hash of its length and first and last bytes.
    #[inline]
    fn filter_bit(word: &str) -> usize {
        let bytes = word.as_bytes();
        let (first, last) = match bytes {
            [] => (0, 0),
            [first, .., last] => (*first, *last),
            [only] => (*only, *only),
        };
        let key = (bytes.len().min(0xff) as u32) << 16 | u32::from(first) << 8 | u32::from(last);
        (key.wrapping_mul(0x9e37_79b1) >> (32 - FILTER_BITS.trailing_zeros())) as usize
    }
}

/// Collects words into a [`WordSet`].
pub(super) fn word_set(words: impl IntoIterator<Item = &'static str>) -> WordSet {
    let mut set = WordSet {
        words: HashSet::default(),
        filter: [0; FILTER_BITS / 64],
    };
    for word in words {
        let bit = WordSet::filter_bit(word);
        set.filter[bit / 64] |= 1 << (bit % 64);
        set.words.insert(word);
    }
    set
}

/// The lines of an embedded data file that are neither blank nor `#` comments.
pub(super) fn data_lines(data: &'static str) -> impl Iterator<Item = &'static str> {
    data.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The filtered set answers as the plain set of its words, for words in it and not.
        #[test]
        fn filtered_set_agrees_with_plain_set(
            words in proptest::collection::vec("[a-zA-Zé'.-]{0,9}", 0..300),
            probes in proptest::collection::vec("[a-zA-Zé'.-]{0,9}", 0..300),
        ) {
            let words: Vec<&'static str> =
                words.into_iter().map(|w| &*Box::leak(w.into_boxed_str())).collect();
            let plain: HashSet<&str> = words.iter().copied().collect();
            let set = word_set(words.iter().copied());
            for w in words.iter().copied().chain(probes.iter().map(String::as_str)) {
                proptest::prop_assert_eq!(set.contains(w), plain.contains(w), "{:?}", w);
            }
        }
    }
}
