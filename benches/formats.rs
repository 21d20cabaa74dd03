//! Parse + enrich throughput per input format, on real files of the shared corpus and the seed
//! (read at bench time from `../shared`; nothing is copied into the repository). Criterion prints MB/s
//! (bytes throughput) per format; run with `cargo bench --bench formats`.

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use wirefeed::pipeline::{ParseOptions, RawInput, parse_record};

/// One representative corpus file per format.
const FILES: &[(&str, &str)] = &[
    (
        "newsml-g2",
        "superdesk/aap/io_fixtures/reuters_with_byline.xml",
    ),
    ("newsml-1", "superdesk/core/afp.xml"),
    ("nitf", "superdesk/core/aap.xml"),
    ("feed", "rss/feed-rs-fixtures/rss_2.0_bbc.xml"),
    ("ninjs", "iptc/newsinjson/examples/2.1/dpa_text.json"),
    (
        "ap-json",
        "dpa/digitalwires-to-iptc7901/tests/data/input/dw-1.json",
    ),
    ("anpa-1312", "superdesk/core/anpa-1.tst"),
    ("iptc-7901", "superdesk/core/IPTC7901.txt"),
    ("email", "superdesk/core/simple_email.txt"),
    // Scraped pages: the seed as text, and article pages as HTML (JSON-LD, meta, main text).
    ("scraped-text", "../seed/000_4a15e63da7983562.txt"),
    ("html", "newspaper4k/html/yna_co_kr.html"),
    ("html-large", "newspaper4k/html/fox13now_001.html"),
];

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("format");
    let options = ParseOptions::default();
    for (format, path) in FILES {
        let Ok(bytes) = std::fs::read(format!("{root}/{path}")) else {
            eprintln!("skipping {format}: {path} not found in the corpus");
            continue;
        };
        let items = parse_record(
            RawInput {
                payload: &bytes,
                format_hint: None,
                record_time: None,
            },
            &options,
        )
        .map_or(0, |a| a.len());
        eprintln!("{format}: {path} ({} bytes, {items} items)", bytes.len());
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(*format, |b| {
            b.iter(|| {
                parse_record(
                    RawInput {
                        payload: black_box(&bytes),
                        format_hint: None,
                        record_time: None,
                    },
                    &options,
                )
                .map_or(0, |a| a.len())
            })
        });
    }
    group.finish();
    c.final_summary();
}
