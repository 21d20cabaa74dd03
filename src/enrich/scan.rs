//! The one pass over an item's texts: the byte ranges of their maximal runs of letters and
//! digits, the runs lower-cased and the word counts ([`TextScan`]), from which counts, the
//! SimHash and the entity matcher all work.

/// The texts of one item (headline, summary, body paragraphs, ...) and, for each, the maximal
/// runs of letters and digits it holds, found in one pass over its bytes (ASCII without
/// decoding). The same pass copies every run lower-cased into one buffer (the SimHash tokens)
/// and counts the words of each text. Word counts, the SimHash
/// ([`body_stats_scanned`](crate::enrich::body_stats_scanned)) and entity matching
/// ([`EntityMatcher::find_scanned`](crate::enrich::EntityMatcher::find_scanned)) all work from
/// these instead of each scanning the text again.
#[derive(Debug, Clone)]
pub struct TextScan<'t> {
    pub(crate) texts: Vec<&'t str>,
    /// Byte ranges (start, end) of the runs of every text, in order.
    pub(crate) runs: Vec<(usize, usize)>,
    /// `ranges[i]`: text i's part of `runs`.
    ranges: Vec<std::ops::Range<usize>>,
    /// Every run lower-cased (`char::to_lowercase`), each followed by one space.
    pub(crate) lower: Vec<u8>,
    /// `lower_starts[r]`: where run r begins in `lower`.
    pub(crate) lower_starts: Vec<usize>,
    /// `words[i]`: the words of text i, runs that whitespace separates from the run before them
    /// (or the first of the text).
    pub(crate) words: Vec<u32>,
}

impl<'t> TextScan<'t> {
    /// Scans the texts.
    pub fn new(texts: impl IntoIterator<Item = &'t str>) -> TextScan<'t> {
        let texts: Vec<&'t str> = texts.into_iter().collect();
        let total: usize = texts.iter().map(|t| t.len()).sum();
        let mut scan = TextScan {
            runs: Vec::with_capacity(total / 5 + 8),
            ranges: Vec::with_capacity(texts.len()),
            lower: Vec::with_capacity(total + 16),
            lower_starts: Vec::with_capacity(total / 5 + 8),
            words: Vec::with_capacity(texts.len()),
            texts,
        };
        for ti in 0..scan.texts.len() {
            let from = scan.runs.len();
            let words = scan.scan_text(scan.texts[ti]);
            scan.words.push(words);
            scan.ranges.push(from..scan.runs.len());
        }
        scan
    }

    /// Text `i` and its runs.
    pub(crate) fn text(&self, i: usize) -> (&'t str, &[(usize, usize)]) {
        (self.texts[i], &self.runs[self.ranges[i].clone()])
    }

    /// The index in `runs` of text `i`'s first run (`runs.len()` past the last text).
    pub(crate) fn first_run(&self, i: usize) -> usize {
        self.ranges.get(i).map_or(self.runs.len(), |r| r.start)
    }

    /// Appends the runs of `text` and their lower-cased copies; returns its word count.
    fn scan_text(&mut self, text: &str) -> u32 {
        let bytes = text.as_bytes();
        let n = bytes.len();
        let mut words = 0u32;
        // Whether whitespace came since the last run (the first run is a word).
        let mut spaced = true;
        let mut i = 0;
        'text: while i < n {
            // The gap before a run.
            loop {
                match CLASS[usize::from(bytes[i])] {
                    ALNUM => break,
                    SPACE => {
                        spaced = true;
                        i += 1;
                    }
                    HIGH => {
                        let c = char_at(text, i);
                        if c.is_alphanumeric() {
                            break;
                        }
                        spaced |= c.is_whitespace();
                        i += c.len_utf8();
                    }
                    _ => i += 1,
                }
                if i >= n {
                    break 'text;
                }
            }
            let start = i;
            words += u32::from(spaced);
            spaced = false;
            self.lower_starts.push(self.lower.len());
            // The run: ASCII letters and digits eight bytes at a time, other characters one by
            // one.
            loop {
                loop {
                    let (len, lowered) = ascii_alnum_prefix(bytes, i);
                    // All eight bytes in, those past the run out again: a fixed-size copy.
                    self.lower.extend_from_slice(&lowered.to_le_bytes());
                    self.lower.truncate(self.lower.len() - (8 - len));
                    i += len;
                    if len < 8 {
                        break;
                    }
                }
                if i >= n || bytes[i] < 0x80 {
                    break;
                }
                let c = char_at(text, i);
                if !c.is_alphanumeric() {
                    break;
                }
                push_lowercase(&mut self.lower, c);
                i += c.len_utf8();
            }
            self.runs.push((start, i));
            self.lower.push(b' ');
        }
        words
    }
}

/// How many of the (up to) eight bytes at `i` are ASCII letters or digits before the first that
/// is not, and the eight bytes with ASCII capitals lower-cased (see [`Eight`]).
#[inline]
fn ascii_alnum_prefix(bytes: &[u8], i: usize) -> (usize, u64) {
    let eight = Eight::at(bytes, i);
    (Eight::prefix(eight.alnum), eight.lowered)
}

/// The ASCII letters and digits among the (up to) eight bytes at a position of a text, found by
/// bit arithmetic on the eight bytes as one `u64` instead of byte-by-byte branches: every byte
/// below 0x80 is tested against the ranges `0-9` and `a-z` (capitals folded onto `a-z` by
/// setting bit 5; no other byte lands there), each sum staying within its byte. Bytes past the
/// text read as 0.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Eight {
    /// The high bit of each byte that is an ASCII letter.
    pub(crate) alpha: u64,
    /// The high bit of each byte that is an ASCII letter or digit.
    pub(crate) alnum: u64,
    /// The eight bytes (little-endian) with ASCII capitals lower-cased.
    pub(crate) lowered: u64,
}

impl Eight {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;

    /// The eight bytes of `bytes` at `i`.
    #[inline]
    pub(crate) fn at(bytes: &[u8], i: usize) -> Eight {
        const ONES: u64 = Eight::ONES;
        const HIGH: u64 = Eight::HIGH;
        let mut chunk = [0u8; 8];
        match bytes.get(i..i + 8) {
            Some(eight) => chunk.copy_from_slice(eight),
            None => {
                let rest = &bytes[i.min(bytes.len())..];
                chunk[..rest.len()].copy_from_slice(rest);
            }
        }
        let x = u64::from_le_bytes(chunk);
        let h = x & !HIGH;
        let folded = h | (0x20 * ONES);
        // High bit of each byte below 0x80: folded >= b'a' and folded <= b'z'; h >= b'0' and
        // h <= b'9'.
        let alpha = (folded + (0x80 - 0x61) * ONES) & !(folded + (0x80 - 0x7b) * ONES) & !x & HIGH;
        let digit = (h + (0x80 - 0x30) * ONES) & !(h + (0x80 - 0x3a) * ONES) & !x & HIGH;
        // Capitals: letters below b'a'; their high bit moved to bit 5 lower-cases them.
        let upper = alpha & !(h + (0x80 - 0x61) * ONES);
        Eight {
            alpha,
            alnum: alpha | digit,
            lowered: x | (upper >> 2),
        }
    }

    /// How many bytes from the first have their high bit in `mask` (one of the masks above).
    #[inline]
    pub(crate) fn prefix(mask: u64) -> usize {
        ((!mask & Eight::HIGH).trailing_zeros() / 8) as usize
    }
}

/// Appends the UTF-8 of `c` lower-cased.
#[inline(never)]
fn push_lowercase(out: &mut Vec<u8>, c: char) {
    let mut utf8 = [0u8; 4];
    for l in c.to_lowercase() {
        out.extend_from_slice(l.encode_utf8(&mut utf8).as_bytes());
    }
}

/// Byte classes of the scan: ASCII letters and digits, ASCII whitespace (as
/// [`char::is_whitespace`]), bytes of non-ASCII characters, anything else.
const OTHER: u8 = 0;
const ALNUM: u8 = 1;
const SPACE: u8 = 2;
const HIGH: u8 = 3;

/// The class of every byte.
static CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c >= 0x80 {
            HIGH
        } else if c.is_ascii_alphanumeric() {
            ALNUM
        } else if matches!(c, b' ' | b'\t'..=b'\r') {
            SPACE
        } else {
            OTHER
        };
        b += 1;
    }
    t
};

/// The character starting at byte `i` (a char boundary, `i < text.len()`); ASCII without
/// decoding.
#[inline]
pub(crate) fn char_at(text: &str, i: usize) -> char {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        b as char
    } else {
        text[i..].chars().next().unwrap_or(' ')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runs, lower-cased tokens and word counts as the module defines them, written plainly.
    fn reference(text: &str) -> (Vec<(usize, usize)>, Vec<u8>, u32) {
        let mut runs = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    runs.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            runs.push((s, text.len()));
        }
        let mut lower = String::new();
        for &(s, e) in &runs {
            // Character by character: no final sigma, unlike `str::to_lowercase`.
            lower.extend(text[s..e].chars().flat_map(char::to_lowercase));
            lower.push(' ');
        }
        let words = text
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count();
        (runs, lower.into_bytes(), words as u32)
    }

    #[test]
    fn runs_of_a_text() {
        let scan = TextScan::new(["Kyiv's  Zürich—ΣΟΦΊΑ 3½", "", " x"]);
        let (text, runs) = scan.text(0);
        let words: Vec<&str> = runs.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(words, ["Kyiv", "s", "Zürich", "ΣΟΦΊΑ", "3½"]);
        assert_eq!(scan.lower, "kyiv s zürich σοφία 3½ x ".as_bytes());
        assert_eq!(scan.words, [3, 0, 1]);
        assert_eq!(scan.first_run(2), 5);
        assert_eq!(scan.first_run(3), 6);
    }

    /// The eight-byte test agrees with the byte-by-byte one for every byte at every position,
    /// and near the end of the text.
    #[test]
    fn ascii_alnum_prefix_every_byte() {
        for b in 0..=255u8 {
            for k in 0..8 {
                let mut bytes = [b'M'; 8];
                bytes[..k].copy_from_slice(&b"aZ09zA9q"[..k]);
                bytes[k] = b;
                for cut in [8, k + 1] {
                    let text = &bytes[..cut];
                    let (len, lowered) = ascii_alnum_prefix(text, 0);
                    let expected = text
                        .iter()
                        .position(|c| !c.is_ascii_alphanumeric())
                        .unwrap_or(text.len());
                    assert_eq!(len, expected, "{text:?}");
                    let letters = text
                        .iter()
                        .position(|c| !c.is_ascii_alphabetic())
                        .unwrap_or(text.len());
                    assert_eq!(Eight::prefix(Eight::at(text, 0).alpha), letters, "{text:?}");
                    assert_eq!(
                        &lowered.to_le_bytes()[..len],
                        &text[..len].to_ascii_lowercase()[..],
                        "{text:?}"
                    );
                }
            }
        }
        assert_eq!(ascii_alnum_prefix(b"abc", 3).0, 0);
    }

    proptest::proptest! {
        /// The one pass finds what the plain definitions find, for any text.
        #[test]
        fn scan_matches_its_definition(
            texts in proptest::collection::vec(
                "[a-zA-Z0-9 \\t\\n\\x0b\\x0c\\r\\x1c.,'’—\u{a0}\u{2009}\u{3000}\u{85}éÉßİΣσ½３Ǆ/:@\\[`{\\x7f\\x00]{0,60}",
                0..4,
            )
        ) {
            let scan = TextScan::new(texts.iter().map(String::as_str));
            let mut lower = Vec::new();
            for (i, text) in texts.iter().enumerate() {
                let (runs, text_lower, words) = reference(text);
                proptest::prop_assert_eq!(scan.text(i).1, &runs[..]);
                proptest::prop_assert_eq!(scan.words[i], words);
                let first = scan.first_run(i);
                for (k, _) in runs.iter().enumerate() {
                    proptest::prop_assert_eq!(
                        scan.lower_starts[first + k],
                        lower.len() + text_lower[..].split(|&b| b == b' ').take(k).map(|w| w.len() + 1).sum::<usize>()
                    );
                }
                lower.extend_from_slice(&text_lower);
            }
            proptest::prop_assert_eq!(&scan.lower, &lower);
        }
    }
}
