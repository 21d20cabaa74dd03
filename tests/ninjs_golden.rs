//! The typed ninjs serialiser against the reference `serde_json::Value` renderer, over every
//! item of the shared corpus (`../shared/corpus`, read at test time), in both ninjs versions,
//! with and without the extension object: the bytes must be identical.

mod common;

use chrono::{TimeZone, Utc};
use wirefeed::ninjs::{self, NinjsVersion, RenderOptions};
use wirefeed::pipeline::{ParseOptions, RawInput, parse_record};

#[test]
fn typed_serialiser_matches_reference_on_corpus() {
    let record_time = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let mut compared = 0;
    for path in common::corpus_files() {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(articles) = parse_record(
            RawInput {
                payload: &bytes,
                format_hint: None,
                record_time: Some(record_time),
            },
            &ParseOptions::default(),
        ) else {
            continue;
        };
        for article in &articles {
            for version in [NinjsVersion::V2_2, NinjsVersion::V3_1] {
                for extension in [false, true] {
                    let options = RenderOptions { version, extension };
                    let reference =
                        serde_json::to_vec(&ninjs::render_value(article, options)).unwrap();
                    let typed = ninjs::to_vec(article, options).unwrap();
                    assert!(
                        typed == reference,
                        "{} ({version:?}, extension {extension}):\n{}\n{}",
                        path.display(),
                        String::from_utf8_lossy(&typed),
                        String::from_utf8_lossy(&reference)
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 2000, "compared {compared} renderings");
    println!("compared {compared} renderings");
}
