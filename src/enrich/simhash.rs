//! Counts and fingerprint of an article body from one scan of its text: words, characters,
//! reading time, and the 64-bit SimHash of its word 3-shingles (see the parent module for the
//! definition).

use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::scan::TextScan;

/// Seed of the xxh3 hash of SimHash features; changing it changes every fingerprint.
pub const SIMHASH_SEED: u64 = 0x7769_7265_6665_6564; // "wirefeed" in ASCII
/// Reading speed used by [`reading_minutes`], in words per minute.
pub const WORDS_PER_MINUTE: u32 = 230;

/// Words and characters (chars, not bytes) in the paragraphs.
///
/// A word is a whitespace-separated token that contains at least one alphanumeric character
/// (so a lone dash or bullet is not a word). Characters are Unicode scalar values of the
/// paragraphs themselves, nothing counted between paragraphs. The same pass as
/// [`body_stats`].
pub fn count_words(paragraphs: &[String]) -> (u32, u32) {
    let stats = body_stats(paragraphs);
    (stats.words, stats.chars)
}

/// Estimated reading time in minutes at 230 words/min, at least 1.
///
/// Rounded up: 231 words read in 2 minutes.
pub fn reading_minutes(words: u32) -> u32 {
    words.div_ceil(WORDS_PER_MINUTE).max(1)
}

/// 64-bit SimHash (Charikar; Manku et al. 2007) of the text: tokens = lowercase alphanumeric
/// words, features = word 3-shingles, hashed with xxh3-64 and [`SIMHASH_SEED`].
///
/// See the module doc for the exact definition; an empty text gives 0. The same pass as
/// [`body_stats`].
pub fn simhash(paragraphs: &[String]) -> u64 {
    body_stats(paragraphs).fingerprint
}

/// What one pass over the body gives: [`count_words`]'s counts and [`simhash`]'s fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyStats {
    /// Whitespace-separated tokens holding a letter or digit.
    pub words: u32,
    /// Unicode scalar values of the paragraphs.
    pub chars: u32,
    /// The 64-bit SimHash.
    pub fingerprint: u64,
}

/// Counts words and characters and computes the SimHash fingerprint of the paragraphs from one
/// [`TextScan`] of them.
pub fn body_stats(paragraphs: &[String]) -> BodyStats {
    body_stats_scanned(&TextScan::new(paragraphs.iter().map(String::as_str)), 0)
}

/// [`body_stats`] of the texts `from..` of a scan (the body paragraphs, the scan's last texts),
/// from the scan's lower-cased runs (the SimHash tokens) and word counts.
pub fn body_stats_scanned(scan: &TextScan<'_>, from: usize) -> BodyStats {
    let from = from.min(scan.texts.len());
    let words = scan.words[from..]
        .iter()
        .fold(0u32, |acc, &w| acc.saturating_add(w));
    let chars = scan.texts[from..].iter().fold(0u32, |acc, t| {
        acc.saturating_add(u32::try_from(t.chars().count()).unwrap_or(u32::MAX))
    });
    let first = scan.first_run(from);
    BodyStats {
        words,
        chars,
        fingerprint: shingle_simhash(&scan.lower, &scan.lower_starts[first..]),
    }
}

/// The SimHash of the shingles of a token stream: `buf` ends with the tokens, each followed by
/// one space; `starts` their offsets.
fn shingle_simhash(buf: &[u8], starts: &[usize]) -> u64 {
    let n = starts.len();
    if n == 0 {
        return 0;
    }
    let k = n.min(3);
    let features = n - k + 1;
    // ones[bit] counts the features whose hash has `bit` set. Counted in byte lanes, flushed
    // before a lane can overflow: byte b of lanes[j] counts bit 8 * b + j, the hash shifted
    // right by j and masked to the low bit of each byte. A bit of the fingerprint is set when
    // more than half the features set it.
    let mut ones = [0u32; 64];
    let mut lanes = [0u64; 8];
    let mut pending = 0;
    for i in 0..features {
        // Shingle = tokens i..i+k: from the start of token i to the space ending token i+k-1.
        let end = if i + k < n {
            starts[i + k] - 1
        } else {
            buf.len() - 1
        };
        let h = xxh3_64_with_seed(&buf[starts[i]..end], SIMHASH_SEED);
        for (j, lane) in lanes.iter_mut().enumerate() {
            *lane += (h >> j) & LOW_BITS;
        }
        pending += 1;
        if pending == 255 || i + 1 == features {
            for (j, lane) in lanes.iter_mut().enumerate() {
                for (b, count) in lane.to_le_bytes().iter().enumerate() {
                    ones[8 * b + j] += u32::from(*count);
                }
                *lane = 0;
            }
            pending = 0;
        }
    }
    ones.iter().enumerate().fold(0u64, |acc, (bit, &c)| {
        if 2 * c as usize > features {
            acc | (1u64 << bit)
        } else {
            acc
        }
    })
}

/// The low bit of every byte.
const LOW_BITS: u64 = 0x0101_0101_0101_0101;

/// Hamming distance between two fingerprints.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::testing::{paras, seed_text};

    #[test]
    fn counts_and_reading_time() {
        let p = vec![
            "Hello, wörld — again.".to_string(),
            "Two  words".to_string(),
        ];
        assert_eq!(count_words(&p), (5, 31));
        assert_eq!(count_words(&[]), (0, 0));
        assert_eq!(reading_minutes(0), 1);
        assert_eq!(reading_minutes(230), 1);
        assert_eq!(reading_minutes(231), 2);
        assert_eq!(reading_minutes(1000), 5);
    }

    #[test]
    fn simhash_properties() {
        let a = paras(&seed_text());
        assert_eq!(simhash(&a), simhash(&a.clone()));
        // Formatting does not matter: case, punctuation, paragraph breaks.
        let joined = vec![a.join(" ").to_uppercase().replace(',', " ; ")];
        assert_eq!(simhash(&a), simhash(&joined));

        let mut b = a.clone();
        b[5] = b[5].replacen("talks", "meeting", 1);
        assert_ne!(b, a);
        let near = hamming(simhash(&a), simhash(&b));
        assert!(near <= 6, "one word changed: distance {near}");

        let other = vec![
            "The central bank raised interest rates by a quarter point on Thursday, citing \
             persistent inflation in services and a tight labour market, and signalled that \
             further increases were possible if wage growth did not slow."
                .to_string(),
        ];
        let far = hamming(simhash(&a), simhash(&other));
        assert!(far >= 20, "unrelated texts: distance {far}");
    }

    #[test]
    fn simhash_known_values() {
        assert_eq!(simhash(&[]), 0);
        assert_eq!(simhash(&["".to_string(), " -- ".to_string()]), 0);
        // A single feature: the fingerprint is that feature's hash.
        assert_eq!(
            simhash(&["Hello, World!".to_string()]),
            xxh3_64_with_seed(b"hello world", SIMHASH_SEED)
        );
        assert_eq!(
            simhash(&["the quick brown fox jumps over the lazy dog".to_string()]),
            KNOWN_FOX
        );
    }

    const KNOWN_FOX: u64 = 0x4ea1_b725_354f_4fff;

    /// SimHash as the module doc defines it, written plainly (no byte tricks, no bit lanes).
    fn simhash_reference(paragraphs: &[String]) -> u64 {
        let mut tokens: Vec<String> = Vec::new();
        for p in paragraphs {
            let mut cur = String::new();
            for c in p.chars() {
                if c.is_alphanumeric() {
                    cur.extend(c.to_lowercase());
                } else if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
            }
            if !cur.is_empty() {
                tokens.push(cur);
            }
        }
        if tokens.is_empty() {
            return 0;
        }
        let k = tokens.len().min(3);
        let features: Vec<u64> = tokens
            .windows(k)
            .map(|w| xxh3_64_with_seed(w.join(" ").as_bytes(), SIMHASH_SEED))
            .collect();
        (0..64).fold(0u64, |acc, bit| {
            let ones = features.iter().filter(|h| *h >> bit & 1 == 1).count();
            if 2 * ones > features.len() {
                acc | 1 << bit
            } else {
                acc
            }
        })
    }

    #[test]
    fn simhash_matches_its_definition() {
        let mut cases: Vec<Vec<String>> = vec![
            paras(&seed_text()),
            vec!["Zürich, İstanbul and ΣΟΦΊΑ: Straße — naïve café's 3½ ＡＢＣ".to_string()],
            vec!["Ǆemal Bijedić".to_string(), "ΌΣΟΣ ΟΔΟΣ".to_string()],
            vec!["a".to_string()],
            vec!["a b".to_string(), String::new(), "c".to_string()],
        ];
        // Many features, so the lanes are flushed more than once.
        cases.push(vec![
            (0..2000)
                .map(|i| format!("w{} ", i % 97))
                .collect::<String>(),
        ]);
        for case in &cases {
            assert_eq!(simhash(case), simhash_reference(case), "{case:?}");
        }
    }

    /// Word and character counts as [`count_words`] defines them, written plainly.
    fn counts_reference(paragraphs: &[String]) -> (u32, u32) {
        let words = paragraphs
            .iter()
            .flat_map(|p| p.split_whitespace())
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count();
        let chars = paragraphs.iter().map(|p| p.chars().count()).sum::<usize>();
        (words as u32, chars as u32)
    }

    proptest::proptest! {
        /// The one-pass body statistics equal the plain definitions, for any text (whitespace
        /// of every kind, punctuation, letters outside ASCII).
        #[test]
        fn body_stats_match_their_definitions(
            paragraphs in proptest::collection::vec(
                "[a-zA-Z0-9 \\t\\n\\x0b\\x0c\\r.,'’—\u{a0}\u{2009}\u{3000}\u{85}éÉßİΣσ½３]{0,40}",
                0..4,
            )
        ) {
            let stats = body_stats(&paragraphs);
            proptest::prop_assert_eq!((stats.words, stats.chars), counts_reference(&paragraphs));
            proptest::prop_assert_eq!(stats.fingerprint, simhash_reference(&paragraphs));
        }
    }

    #[test]
    fn hamming_distance() {
        assert_eq!(hamming(0, 0), 0);
        assert_eq!(hamming(0, u64::MAX), 64);
        assert_eq!(hamming(0b1011, 0b0001), 2);
    }
}
