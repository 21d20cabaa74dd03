//! Flattened pages: a scraped page collapsed onto a few long lines gets its line breaks back
//! around the known markers (`N min read`, labelled dates, the photo credit, the disclaimer,
//! `Topics :` ...) before the zones are read ([`unflatten`]).

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use memchr::memmem;

use super::dates::parse_datetime;

/// Markers that start a new line in flattened text.
const FLAT_MARKERS: &[&str] = &[
    " min read",
    " mins read",
    "Last Updated",
    "Updated:",
    "Updated On",
    "Published On",
    "First Published",
    "(Only the headline",
    "(Except for the headline",
    "(This story has",
    "Connect with us on",
    "Topics :",
    "Topics:",
    "Listen to This Article",
    "More From This Section",
    "(Photo",
    "(Image",
    "(File Photo",
];

fn flat_automaton() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| AhoCorasick::new(FLAT_MARKERS).expect("static patterns build"))
}

/// Re-inserts line breaks into a page flattened onto a few long lines; `None` when the text
/// is not flattened.
pub(super) fn unflatten(text: &str) -> Option<String> {
    let ac = flat_automaton();
    // Only worth it when at least two markers sit inside lines.
    let inside = ac
        .find_iter(text)
        .filter(|m| {
            let before = text[..m.start()].trim_end_matches([' ', '\t']);
            !(before.is_empty() || before.ends_with('\n'))
        })
        .count();
    if inside < 2 {
        return None;
    }
    let mut cuts: Vec<(usize, &'static str)> = Vec::new(); // (byte offset, inserted text)
    for m in ac.find_iter(text) {
        let pat = FLAT_MARKERS[m.pattern().as_usize()];
        let mut at = m.start();
        if pat.ends_with("read") {
            // Back up over the number: "2 min read".
            let digits = text[..at]
                .bytes()
                .rev()
                .take_while(u8::is_ascii_digit)
                .count();
            if digits == 0 {
                continue;
            }
            at -= digits;
        }
        if pat == "Last Updated" && text[..at].trim_end().ends_with("read") {
            // Same line as the reading time; cut after the date instead.
        } else if !pat.starts_with('(')
            || pat.starts_with("(Only")
            || pat.starts_with("(Ex")
            || pat.starts_with("(This")
        {
            cuts.push((at, "\n"));
        }
        // Cut after the credit parenthesis, after a disclaimer, after "Connect with us on X".
        let tail = &text[m.start()..];
        if pat.starts_with('(') {
            if let Some(close) = tail.find(')') {
                cuts.push((m.start() + close + 1, "\n"));
            }
        } else if pat == "Connect with us on" {
            let after = &tail[pat.len()..];
            let word = after.trim_start();
            let skip = after.len() - word.len();
            let wlen = word.find(char::is_whitespace).unwrap_or(word.len());
            cuts.push((m.start() + pat.len() + skip + wlen, "\n"));
        } else if pat == "Listen to This Article" || pat == "More From This Section" {
            cuts.push((m.start() + pat.len(), "\n"));
        } else if (pat.contains("Updated") || pat.contains("Published"))
            && let Some(len) = date_prefix_len(&tail[pat.len()..])
        {
            cuts.push((m.start() + pat.len() + len, "\n"));
        }
    }
    // The head: "date ... Home / Section / Headline Headline dek ..." → cut after each headline.
    let first_end = text.find('\n').unwrap_or(text.len());
    let first_cut = cuts
        .iter()
        .map(|c| c.0)
        .filter(|&c| c <= first_end)
        .min()
        .unwrap_or(first_end);
    let head = &text[..first_cut];
    if let Some(slash) = head.rfind(" / ") {
        let rest_start = slash + 3;
        let rest = &head[rest_start..];
        let mut pos = 0;
        while let Some(sp) = rest[pos..].find(' ') {
            let k = pos + sp;
            let h = &rest[..k];
            let after = &rest[k + 1..];
            if h.len() >= 10 && after.starts_with(h) && after[h.len()..].starts_with([' ', '\n']) {
                cuts.push((rest_start + k, "\n\n"));
                cuts.push((rest_start + k + 1 + h.len(), "\n\n"));
                split_front_run(text, rest_start + k + 1 + h.len(), first_cut, &mut cuts);
                break;
            }
            pos = k + 1;
        }
    }
    if cuts.is_empty() {
        return None;
    }
    cuts.sort_unstable();
    cuts.dedup_by_key(|c| c.0);
    let mut out = String::with_capacity(text.len() + cuts.len() * 2);
    let mut last = 0;
    for (at, ins) in cuts {
        if at < last || at > text.len() || !text.is_char_boundary(at) {
            continue;
        }
        out.push_str(text[last..at].trim_end_matches(' '));
        out.push_str(ins);
        last = at;
        while last < text.len() && text.as_bytes()[last] == b' ' {
            last += 1;
        }
    }
    out.push_str(&text[last..]);
    Some(out)
}

/// In flattened text, separates `dek tags caption` (from `start` to the credit at `end`) when
/// the caption and dek occur verbatim in the body.
fn split_front_run(text: &str, start: usize, end: usize, cuts: &mut Vec<(usize, &'static str)>) {
    let Some(run) = text.get(start..end) else {
        return;
    };
    let Some(credit) = run.rfind(" (") else {
        return;
    };
    let run = &run[..credit];
    let body = &text[end..];
    let finder_ok =
        |s: &str| s.len() >= 20 && memmem::find(body.as_bytes(), s.trim().as_bytes()).is_some();
    // Caption: the longest suffix (at a word start) found in the body.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(run.match_indices(' ').map(|(i, _)| i + 1))
        .collect();
    let Some(&cap) = starts.iter().find(|&&s| finder_ok(&run[s..])) else {
        return;
    };
    if cap == 0 {
        return;
    }
    cuts.push((start + cap, "\n"));
    let front = &run[..cap];
    // Dek: the longest prefix (at a word end) found in the body; the rest is the tag line.
    let ends: Vec<usize> = front.match_indices(' ').map(|(i, _)| i).collect();
    if let Some(&dek_end) = ends.iter().rev().find(|&&e| finder_ok(&front[..e])) {
        cuts.push((start + dek_end, "\n\n"));
        cuts.push((start + dek_end + 1, ""));
    }
}

/// Length of the longest prefix of `s` (after separators) that parses as a date, in bytes.
fn date_prefix_len(s: &str) -> Option<usize> {
    let lead = s.len() - s.trim_start_matches([' ', ':', '-']).len();
    let t = &s[lead..];
    let ends: Vec<usize> = t
        .match_indices(' ')
        .map(|(i, _)| i)
        .chain(std::iter::once(t.len()))
        .take(10)
        .collect();
    ends.iter()
        .rev()
        .find(|&&e| parse_datetime(&t[..e]).is_some())
        .map(|&e| lead + e)
}
