//! Fuzz target: the `email` parser, reached through `parse_record` with the format forced, on
//! arbitrary bytes. It must never panic, and every rejection must carry a reason.
//!
//! Run from `fuzz/`: `RUSTC_BOOTSTRAP=1 cargo fuzz run -s none format_email`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wirefeed::pipeline::{ParseOptions, RawInput, parse_record};

fuzz_target!(|data: &[u8]| {
    let input = RawInput {
        payload: data,
        format_hint: Some("email"),
        record_time: None,
    };
    if let Err(r) = parse_record(input, &ParseOptions::default()) {
        assert!(!r.detail.is_empty(), "rejection without detail");
    }
});
