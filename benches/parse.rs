//! Throughput of the parse stage's pure core: [`wirefeed::pipeline::parse_record`] (detect,
//! parse, enrich) on seed-like scraped items, and of its parts.
//!
//! Inputs: the bundled sample items (`src/dev/sample/*.txt`, about 1 KB each) and the invented
//! ~3 KB stories in `tests/fixtures/scraped/long-*.txt`. Nothing is read from the corpus or seed.
//!
//! ```text
//! cargo bench --bench parse                 # everything
//! cargo bench --bench parse -- parts/       # only the parts
//! ```
//!
//! Groups:
//! - `parse_record/<item>`: the whole of parse + enrich per item, throughput in bytes (MB/s);
//! - `parse_record/all`: every item once per iteration; after it, a line with items/s;
//! - `parts/<part>`: scraped parse, entities (scan included), the body scan alone, word counts
//!   and SimHash from one scan (`body_stats`, scan included), language (with its `whatlang`
//!   fallback on its own), rendering their articles as ninjs (`ninjs`, `ninjs_extension`), and
//!   writing and reading them as keyed records (`keyed_encode`, `keyed_decode`), over the 3 KB
//!   items.
//!
//! It allocates with jemalloc, as the `wirefeed` binary does, so allocation-heavy parts (reading
//! a keyed record back) cost here what they cost in the pipeline.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use wirefeed::enrich;
use wirefeed::formats::scraped;
use wirefeed::kafka::keyed;
use wirefeed::ninjs;
use wirefeed::pipeline::{self, ParseOptions, RawInput};

/// The binary's allocator (see `src/main.rs`).
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// The benchmark inputs: (name, text).
fn inputs() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["src/dev/sample", "tests/fixtures/scraped"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("input directory")
            .map(|e| e.expect("entry").path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                p.extension().is_some_and(|x| x == "txt")
                    && (dir == "src/dev/sample" || name.starts_with("long-"))
            })
            .collect();
        paths.sort();
        for p in paths {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            out.push((name, std::fs::read_to_string(&p).expect("readable input")));
        }
    }
    out
}

/// The articles of one input.
fn parse_articles(text: &str) -> Vec<wirefeed::model::Article> {
    pipeline::parse_record(
        RawInput {
            payload: text.as_bytes(),
            format_hint: None,
            record_time: None,
        },
        &ParseOptions::default(),
    )
    .expect("bench inputs parse")
}

fn parse(text: &str) -> usize {
    parse_articles(text).len()
}

fn bench_parse_record(c: &mut Criterion, inputs: &[(String, String)]) {
    // Build the entity matcher outside the measurement.
    let _ = enrich::EntityMatcher::global();
    let mut group = c.benchmark_group("parse_record");
    for (name, text) in inputs {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name.as_str(), |b| b.iter(|| parse(black_box(text))));
    }
    let total: usize = inputs.iter().map(|(_, t)| t.len()).sum();
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("all", |b| {
        b.iter(|| {
            inputs
                .iter()
                .map(|(_, t)| parse(black_box(t)))
                .sum::<usize>()
        })
    });
    group.finish();

    // Items per second, from a plain timed loop over all inputs; skipped when the command line
    // names benchmarks and none of them is parse_record.
    let names: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if !names.is_empty()
        && !names
            .iter()
            .any(|n| "parse_record/all".contains(n.as_str()))
    {
        return;
    }
    let rounds = 2000;
    let cpu = thread_cpu_ns();
    let t = Instant::now();
    for _ in 0..rounds {
        for (_, text) in inputs {
            black_box(parse(black_box(text)));
        }
    }
    let elapsed = t.elapsed().as_secs_f64();
    let items = (rounds * inputs.len()) as f64;
    println!(
        "parse_record/all: {:.0} items/s, {:.2} µs/item, {:.1} MB/s over {} items of {:.0} bytes on average",
        items / elapsed,
        elapsed / items * 1e6,
        (rounds * total) as f64 / elapsed / 1e6,
        inputs.len(),
        total as f64 / inputs.len() as f64,
    );
    // On a shared machine wall time counts the time other processes hold the core; the thread's
    // own CPU time does not.
    if let (Some(start), Some(end)) = (cpu, thread_cpu_ns()) {
        let cpu = (end - start) as f64 / 1e9;
        println!(
            "parse_record/all (CPU time): {:.2} µs/item, {:.1} MB/s per core",
            cpu / items * 1e6,
            (rounds * total) as f64 / cpu / 1e6,
        );
    }
}

/// The calling thread's CPU time in nanoseconds, from Linux's `/proc/thread-self/schedstat`
/// (None elsewhere).
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn bench_parts(c: &mut Criterion, inputs: &[(String, String)]) {
    let long: Vec<&str> = inputs
        .iter()
        .filter(|(n, _)| n.starts_with("long-"))
        .map(|(_, t)| t.as_str())
        .collect();
    let bytes: usize = long.iter().map(|t| t.len()).sum();
    let items: Vec<_> = long
        .iter()
        .map(|t| scraped::parse(t).expect("bench input parses"))
        .collect();
    let bodies: Vec<String> = items.iter().map(|i| i.body.join("\n")).collect();
    let matcher = enrich::EntityMatcher::global();

    let mut group = c.benchmark_group("parts");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("scraped_parse", |b| {
        b.iter(|| {
            long.iter()
                .map(|t| scraped::parse(black_box(t)).map_or(0, |i| i.body.len()))
                .sum::<usize>()
        })
    });
    group.bench_function("entities", |b| {
        b.iter(|| {
            items
                .iter()
                .map(|i| {
                    let mut texts: Vec<&str> = vec![&i.headline];
                    texts.extend(i.summary.as_deref());
                    texts.extend(i.body.iter().map(String::as_str));
                    matcher.find(black_box(&texts)).places.len()
                })
                .sum::<usize>()
        })
    });
    group.bench_function("scan", |b| {
        b.iter(|| {
            for i in &items {
                black_box(enrich::TextScan::new(
                    black_box(&i.body).iter().map(String::as_str),
                ));
            }
        })
    });
    group.bench_function("body_stats", |b| {
        b.iter(|| {
            items.iter().fold(0u64, |acc, i| {
                acc ^ enrich::body_stats(black_box(&i.body)).fingerprint
            })
        })
    });
    let articles: Vec<_> = long.iter().flat_map(|t| parse_articles(t)).collect();
    for (name, extension) in [("ninjs", false), ("ninjs_extension", true)] {
        let options = ninjs::RenderOptions {
            version: ninjs::NinjsVersion::V2_2,
            extension,
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                articles
                    .iter()
                    .map(|a| ninjs::to_vec(black_box(a), options).map_or(0, |v| v.len()))
                    .sum::<usize>()
            })
        });
    }
    // The keyed record: what the parse stage writes per article and the dedup stage reads back.
    let origin = keyed::Origin {
        partition: 3,
        offset: 1041,
        record_time_ms: Some(1_755_684_000_000),
        replay: None,
    };
    group.bench_function("keyed_encode", |b| {
        b.iter(|| {
            articles
                .iter()
                .map(|a| keyed::encode(&origin, black_box(a)).map_or(0, |v| v.len()))
                .sum::<usize>()
        })
    });
    let records: Vec<Vec<u8>> = articles
        .iter()
        .map(|a| keyed::encode(&origin, a).expect("encodes"))
        .collect();
    group.bench_function("keyed_decode", |b| {
        b.iter(|| {
            records
                .iter()
                .map(|r| keyed::decode(black_box(r)).map_or(0, |d| d.article.word_count))
                .sum::<u32>()
        })
    });
    group.bench_function("language", |b| {
        b.iter(|| {
            bodies
                .iter()
                .filter_map(|t| enrich::detect_language(black_box(t)))
                .count()
        })
    });
    group.bench_function("language_whatlang", |b| {
        b.iter(|| {
            bodies
                .iter()
                .filter_map(|t| enrich::detect_language_whatlang(black_box(t)))
                .count()
        })
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let inputs = inputs();
    assert!(inputs.len() >= 7, "bench inputs: {}", inputs.len());
    bench_parse_record(&mut c, &inputs);
    bench_parts(&mut c, &inputs);
    c.final_summary();
}
