//! The one pass over an item's texts: the byte ranges of their maximal runs of letters and
//! digits ([`TextScan`]), from which counts, the SimHash and the entity matcher all work.

/// The texts of one item (headline, summary, body paragraphs, ...) and, for each, the maximal
/// runs of letters and digits it holds, found in one pass over its bytes (ASCII without
/// decoding). Word counts, the SimHash ([`body_stats_scanned`](crate::enrich::body_stats_scanned)) and entity matching
/// ([`EntityMatcher::find_scanned`](crate::enrich::EntityMatcher::find_scanned)) all work from these runs instead of each scanning the text
/// again.
#[derive(Debug, Clone)]
pub struct TextScan<'t> {
    pub(crate) texts: Vec<&'t str>,
    /// Byte ranges (start, end) of the runs of every text, in order.
    pub(crate) runs: Vec<(usize, usize)>,
    /// `ranges[i]`: text i's part of `runs`.
    ranges: Vec<std::ops::Range<usize>>,
}

impl<'t> TextScan<'t> {
    /// Scans the texts.
    pub fn new(texts: impl IntoIterator<Item = &'t str>) -> TextScan<'t> {
        let texts: Vec<&'t str> = texts.into_iter().collect();
        let total: usize = texts.iter().map(|t| t.len()).sum();
        let mut runs = Vec::with_capacity(total / 5 + 8);
        let mut ranges = Vec::with_capacity(texts.len());
        for text in &texts {
            let from = runs.len();
            alnum_runs(text, &mut runs);
            ranges.push(from..runs.len());
        }
        TextScan {
            texts,
            runs,
            ranges,
        }
    }

    /// Text `i` and its runs.
    pub(crate) fn text(&self, i: usize) -> (&'t str, &[(usize, usize)]) {
        (self.texts[i], &self.runs[self.ranges[i].clone()])
    }
}

/// Appends the byte ranges of the maximal runs of alphanumeric characters of `text`.
fn alnum_runs(text: &str, out: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    // Start of the run being read, or `usize::MAX` between runs.
    let mut start = usize::MAX;
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        let (alnum, len) = if b < 0x80 {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            non_ascii_class(text, i)
        };
        if alnum {
            if start == usize::MAX {
                start = i;
            }
        } else if start != usize::MAX {
            out.push((start, i));
            start = usize::MAX;
        }
        i += len;
    }
    if start != usize::MAX {
        out.push((start, n));
    }
}

/// Whether the non-ASCII character at byte `i` is alphanumeric, and its length in bytes.
#[inline(never)]
fn non_ascii_class(text: &str, i: usize) -> (bool, usize) {
    let c = char_at(text, i);
    (c.is_alphanumeric(), c.len_utf8())
}

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
