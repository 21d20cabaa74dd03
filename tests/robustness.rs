//! `wirefeed::pipeline::parse_record` never panics, on arbitrary bytes and on mutated sample
//! items (byte flips, truncations, line shuffles, duplicated and dropped lines, spliced bytes),
//! with and without a format hint; every rejection carries a reason and a non-empty detail, and
//! every article has a headline and a body.
//!
//! The mutated items are the bundled samples (`wirefeed::dev::SAMPLE`) and the scraped-layout
//! fixtures in `tests/fixtures/scraped/`. The `fuzz/` crate runs the same check under libFuzzer.

use std::path::Path;
use std::sync::LazyLock;

use proptest::prelude::*;
use wirefeed::pipeline::{self, ParseOptions, RawInput};

/// Seed inputs for the mutations.
static ITEMS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let mut items: Vec<Vec<u8>> = wirefeed::dev::SAMPLE
        .iter()
        .map(|(_, b)| b.to_vec())
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scraped");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures directory")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    for p in paths {
        items.push(std::fs::read(&p).expect("readable fixture"));
    }
    items
});

const HINTS: [Option<&str>; 4] = [
    None,
    Some("scraped-text"),
    Some("json-envelope"),
    Some("no-such-format"),
];

/// Parses and checks the outcome's invariants.
fn check(payload: &[u8], hint: Option<&str>) -> Result<(), TestCaseError> {
    let out = pipeline::parse_record(
        RawInput {
            payload,
            format_hint: hint,
            record_time: None,
        },
        &ParseOptions::default(),
    );
    match out {
        Ok(articles) => {
            prop_assert!(!articles.is_empty());
            for a in &articles {
                prop_assert!(!a.item.headline.trim().is_empty());
                prop_assert!(!a.item.body.is_empty());
                prop_assert!(!a.dedup_key.is_empty());
            }
        }
        Err(rejection) => {
            prop_assert!(!rejection.reason.as_str().is_empty());
            prop_assert!(
                !rejection.detail.trim().is_empty(),
                "empty detail for {:?}",
                rejection.reason
            );
            prop_assert!(!rejection.to_string().is_empty());
        }
    }
    Ok(())
}

/// One edit of an item.
#[derive(Debug, Clone)]
enum Mutation {
    /// Flip one bit of the byte at (position mod length).
    FlipBit(usize, u8),
    /// Overwrite the byte at (position mod length).
    SetByte(usize, u8),
    /// Keep only the first (n mod (length + 1)) bytes.
    Truncate(usize),
    /// Cut (n mod length) bytes off the front.
    DropFront(usize),
    /// Reorder the lines by sorting them on these keys (one per line, cycled).
    ShuffleLines(Vec<u32>),
    /// Drop the line at (position mod line count).
    DropLine(usize),
    /// Repeat the line at (position mod line count).
    DuplicateLine(usize),
    /// Insert these bytes at (position mod (length + 1)).
    Insert(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(p, b)| Mutation::FlipBit(p, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::SetByte(p, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        any::<usize>().prop_map(Mutation::DropFront),
        prop::collection::vec(any::<u32>(), 1..40).prop_map(Mutation::ShuffleLines),
        any::<usize>().prop_map(Mutation::DropLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (
            any::<usize>(),
            prop_oneof![
                prop::collection::vec(any::<u8>(), 1..16),
                Just(b"\n\n".to_vec()),
                Just(b"Topics :".to_vec()),
                Just("\u{feff}".as_bytes().to_vec()),
                Just(b"(Photo: ".to_vec()),
                Just(b"2 min read Last Updated : ".to_vec()),
            ]
        )
            .prop_map(|(p, b)| Mutation::Insert(p, b)),
    ]
}

fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn apply(mut bytes: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let len = bytes.len();
    match m {
        Mutation::FlipBit(p, bit) if len > 0 => bytes[p % len] ^= 1 << bit,
        Mutation::SetByte(p, b) if len > 0 => bytes[p % len] = *b,
        Mutation::Truncate(n) => bytes.truncate(n % (len + 1)),
        Mutation::DropFront(n) if len > 0 => {
            bytes.drain(..n % len);
        }
        Mutation::ShuffleLines(keys) => {
            let mut lines: Vec<(u32, Vec<u8>)> = split_lines(&bytes)
                .into_iter()
                .enumerate()
                .map(|(i, l)| (keys[i % keys.len()], l))
                .collect();
            lines.sort_by_key(|(k, _)| *k);
            bytes = lines
                .into_iter()
                .map(|(_, l)| l)
                .collect::<Vec<_>>()
                .join(&b'\n');
        }
        Mutation::DropLine(p) => {
            let mut lines = split_lines(&bytes);
            let n = lines.len();
            lines.remove(p % n);
            bytes = lines.join(&b'\n');
        }
        Mutation::DuplicateLine(p) => {
            let mut lines = split_lines(&bytes);
            let i = p % lines.len();
            let line = lines[i].clone();
            lines.insert(i, line);
            bytes = lines.join(&b'\n');
        }
        Mutation::Insert(p, ins) => {
            let at = p % (len + 1);
            bytes.splice(at..at, ins.iter().copied());
        }
        _ => {}
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        hint in 0usize..HINTS.len(),
    ) {
        check(&bytes, HINTS[hint])?;
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,600}", hint in 0usize..HINTS.len()) {
        check(text.as_bytes(), HINTS[hint])?;
    }

    #[test]
    fn mutated_items_never_panic(
        item in 0usize..64,
        mutations in prop::collection::vec(mutation(), 1..6),
        hint in 0usize..HINTS.len(),
    ) {
        let items = &*ITEMS;
        let mut bytes = items[item % items.len()].clone();
        for m in &mutations {
            bytes = apply(bytes, m);
        }
        check(&bytes, HINTS[hint])?;
    }
}

#[test]
fn unmutated_items_parse() {
    // The mutations start from items that parse (all but the sample's deliberate dead letter).
    let ok = ITEMS
        .iter()
        .filter(|b| {
            pipeline::parse_record(
                RawInput {
                    payload: b,
                    format_hint: None,
                    record_time: None,
                },
                &ParseOptions::default(),
            )
            .is_ok()
        })
        .count();
    assert_eq!(ok, ITEMS.len() - 1);
}
