//! Fuzz target: `wirefeed::pipeline::parse_record` on arbitrary bytes, with and without a
//! format hint, must never panic, and every rejection must carry a reason and a detail.
//!
//! Run from `fuzz/` (see `fuzz/README.md`): `cargo fuzz run -s none parse_record`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wirefeed::pipeline::{ParseOptions, RawInput, parse_record};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the format hint, so both parsers are reached directly too.
    let (hint, payload) = match data.split_first() {
        Some((b, rest)) if *b % 4 == 1 => (Some("scraped-text"), rest),
        Some((b, rest)) if *b % 4 == 2 => (Some("json-envelope"), rest),
        _ => (None, data),
    };
    let input = RawInput {
        payload,
        format_hint: hint,
        record_time: None,
    };
    match parse_record(input, &ParseOptions::default()) {
        Ok(articles) => {
            assert!(!articles.is_empty());
            for a in &articles {
                assert!(!a.item.headline.is_empty());
                assert!(!a.item.body.is_empty());
            }
        }
        Err(rejection) => {
            assert!(!rejection.detail.is_empty());
            assert!(!rejection.reason.as_str().is_empty());
        }
    }
});
