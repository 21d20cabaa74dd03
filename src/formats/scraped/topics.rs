//! The `Topics :` / `Tags:` line of a scraped page: [`split_topics`] splits its text on
//! separators, or, for the run-together form (`NATOVladimir PutinDonald Trump`), by case
//! transitions, never inside a known camel-case name.

use crate::formats::textutil::push_unique;

/// Brand and place names written in camel case that are never split inside.
const CAMEL_NAMES: &[&str] = &[
    "JPMorgan",
    "YouTube",
    "WhatsApp",
    "LinkedIn",
    "PayPal",
    "OpenAI",
    "ChatGPT",
    "FedEx",
    "BlackRock",
    "BlackBerry",
    "SpiceJet",
    "IndiGo",
    "PhonePe",
    "BharatPe",
    "MakeMyTrip",
    "PolicyBazaar",
    "InterGlobe",
    "JetBlue",
    "GlaxoSmithKline",
    "ArcelorMittal",
    "SoftBank",
    "PlayStation",
    "MasterCard",
    "DoorDash",
    "AstraZeneca",
    "BioNTech",
    "TikTok",
    "WeChat",
    "AirAsia",
    "PepsiCo",
    "GoAir",
    "SpaceX",
    "FirstCry",
    "NaMo",
    "AstraZeneca",
    "HarperCollins",
    "McKinsey",
];

/// Splits a topics text into topics.
///
/// Separators, in order of preference: `|`; then `,` or `;`; then runs of two or more spaces or
/// a tab. Only when none is present is the text treated as run-together topics
/// (`NATOVladimir PutinDonald Trump`) and split by case transitions:
///
/// * a capital letter preceded by a lower-case letter starts a new topic when the part of the
///   current word before it has at least three characters and is not `Mac` (`PutinDonald`
///   splits; `McDonald`, `DeSantis`, `iPhone`, `MacBook` do not);
/// * a capital letter preceded by a digit starts a new topic when the part of the current word
///   before it has at least two characters (`Budget 2025Nirmala`, `iPhone 16Samsung`,
///   `G20Summit` split; `3M` does not);
/// * a capital letter preceded by a run of two or more capitals that begins its word and
///   followed by a lower-case letter starts a new topic (`NATOVladimir` → `NATO`, `Vladimir`);
/// * never inside a known camel-case name (`YouTube`, `JPMorgan`, `WhatsApp`, `IndiGo` ...).
///
/// Topics are trimmed; empty ones and repeats are dropped.
pub fn split_topics(text: &str) -> Vec<String> {
    let text = text.trim();
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: &str| {
        let t = t
            .trim()
            .trim_matches(|c: char| c == '#' || c == '•' || c == '·');
        let t = t.trim();
        if !t.is_empty() {
            push_unique(&mut out, t.to_string());
        }
    };
    if text.contains('|') {
        text.split('|').for_each(&mut push);
    } else if text.contains([',', ';']) {
        text.split([',', ';']).for_each(&mut push);
    } else if text.contains('\t') || text.contains("  ") {
        text.split("  ")
            .flat_map(|p| p.split('\t'))
            .for_each(&mut push);
    } else {
        split_run_together(text, &mut push);
    }
    out
}

fn split_run_together(text: &str, push: &mut impl FnMut(&str)) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut seg_start = 0usize; // byte offset
    let mut word_start = 0usize; // index into chars
    let mut protected_until = 0usize; // index into chars
    for i in 0..chars.len() {
        let (byte, c) = chars[i];
        if c.is_whitespace() {
            word_start = i + 1;
            continue;
        }
        if i == word_start {
            // Protect a known camel-case name starting here.
            if let Some(len) = camel_name_at(&text[byte..]) {
                protected_until = i + len;
            }
        }
        if i == 0 || i < protected_until || !c.is_uppercase() {
            continue;
        }
        let prev = chars[i - 1].1;
        let left = i - word_start;
        let split = if prev.is_ascii_digit() {
            left >= 2
        } else if prev.is_lowercase() {
            let left_text = &text[chars[word_start].0..byte];
            left >= 3 && left_text != "Mac"
        } else if prev.is_uppercase() {
            let next_lower = chars.get(i + 1).is_some_and(|(_, n)| n.is_lowercase());
            let caps_word = chars[word_start..i].iter().all(|(_, c)| c.is_uppercase());
            next_lower && left >= 2 && caps_word
        } else {
            false
        };
        if split {
            push(&text[seg_start..byte]);
            seg_start = byte;
            word_start = i;
            // A protected name may start right at the split point.
            if let Some(len) = camel_name_at(&text[byte..]) {
                protected_until = i + len;
            }
        }
    }
    push(&text[seg_start..]);
}

/// For each first byte, the names of [`CAMEL_NAMES`] that start with it (bit `i`: name `i`).
const CAMEL_BY_FIRST: [u64; 256] = {
    assert!(CAMEL_NAMES.len() <= 64);
    let mut by_first = [0u64; 256];
    let mut i = 0;
    while i < CAMEL_NAMES.len() {
        by_first[CAMEL_NAMES[i].as_bytes()[0] as usize] |= 1 << i;
        i += 1;
    }
    by_first
};

/// The length in characters of the known camel-case name `rest` starts with, when the name
/// ends there (not followed by a lower-case letter); of several, the first in the list.
fn camel_name_at(rest: &str) -> Option<usize> {
    let mut names = CAMEL_BY_FIRST[usize::from(*rest.as_bytes().first()?)];
    while names != 0 {
        let name = CAMEL_NAMES[names.trailing_zeros() as usize];
        names &= names - 1;
        if rest.starts_with(name)
            && !rest[name.len()..]
                .chars()
                .next()
                .is_some_and(char::is_lowercase)
        {
            return Some(name.chars().count());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lookup as first written: a scan of the whole list.
    fn camel_name_scan(rest: &str) -> Option<usize> {
        let first = *rest.as_bytes().first()?;
        CAMEL_NAMES
            .iter()
            .find(|name| {
                name.as_bytes()[0] == first
                    && rest.starts_with(*name)
                    && !rest[name.len()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_lowercase)
            })
            .map(|name| name.chars().count())
    }

    #[test]
    fn camel_lookup_agrees_on_every_name() {
        for name in CAMEL_NAMES {
            for rest in [name.to_string(), format!("{name}X"), format!("{name}x")] {
                assert_eq!(camel_name_at(&rest), camel_name_scan(&rest), "{rest}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn camel_lookup_agrees(rest in "(YouTube|PayPal|Pay|Mc|[A-Za-z]){0,4}") {
            proptest::prop_assert_eq!(camel_name_at(&rest), camel_name_scan(&rest));
        }
    }

    #[test]
    fn split_topics_table() {
        const CASES: &[(&str, &[&str])] = &[
            // Run together, split by case transitions.
            (
                "NATOVladimir PutinDonald TrumpZelenskyyRussia Ukraine Conflict",
                &[
                    "NATO",
                    "Vladimir Putin",
                    "Donald Trump",
                    "Zelenskyy",
                    "Russia Ukraine Conflict",
                ],
            ),
            // Names with inner capitals stay whole.
            (
                "McDonald's IndiaRon DeSantisMacBook AirApple iPhone 16Samsung",
                &[
                    "McDonald's India",
                    "Ron DeSantis",
                    "MacBook Air",
                    "Apple iPhone 16",
                    "Samsung",
                ],
            ),
            (
                "YouTubeJPMorgan ChaseWhatsAppIndiGo",
                &["YouTube", "JPMorgan Chase", "WhatsApp", "IndiGo"],
            ),
            (
                "Budget 2025Nirmala Sitharaman",
                &["Budget 2025", "Nirmala Sitharaman"],
            ),
            ("RBIMonetary policy", &["RBI", "Monetary policy"]),
            ("NATO", &["NATO"]),
            // A digit run of two or more characters before a capital splits; "3M" does not.
            ("3M CompanyG20Summit", &["3M Company", "G20", "Summit"]),
            // Separators.
            (
                "NATO, Vladimir Putin,Donald Trump",
                &["NATO", "Vladimir Putin", "Donald Trump"],
            ),
            ("NATO | Vladimir Putin | NATO", &["NATO", "Vladimir Putin"]),
            (
                "NATO  Vladimir Putin\tDonald Trump",
                &["NATO", "Vladimir Putin", "Donald Trump"],
            ),
            ("", &[]),
        ];
        for &(text, want) in CASES {
            assert_eq!(split_topics(text), want, "{text}");
        }
    }
}
