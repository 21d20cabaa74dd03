//! Every file of the shared corpus (`../shared/corpus`, read at test time) through the same path
//! a raw record takes: format detection, parsing, enrichment. Prints a table per detected format
//! (files, parsed, rejected as non-news, failed, and for parsed items the share with headline,
//! publication time, body, the number of headline-only items (alerts) and the share with
//! language), writes it to `target/corpus-table.md`, and fails on any
//! panic or when a supported format's parse rate drops below 98%.
//!
//! Files known to hold no usable item (`common::INVALID_CORPUS_FILES`: spec skeletons, empty
//! headlines) are counted apart, as "invalid", and kept out of the rate.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{TimeZone, Utc};
use wirefeed::formats;
use wirefeed::pipeline::{ParseOptions, RawInput, RejectReason, parse_record};

#[derive(Default)]
struct Row {
    files: usize,
    parsed: usize,
    not_news: usize,
    invalid: usize,
    failed: Vec<String>,
    items: usize,
    headline: usize,
    time: usize,
    body: usize,
    alerts: usize,
    language: usize,
}

#[test]
fn corpus_table() {
    let root = Path::new(common::CORPUS);
    let files = common::corpus_files();
    let record_time = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut panics = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let rel = path.strip_prefix(root).unwrap().display().to_string();
        let invalid = common::INVALID_CORPUS_FILES.iter().any(|k| rel.contains(k));
        let outcome = std::panic::catch_unwind(|| {
            let label = match formats::detect(&bytes, None) {
                Ok(d) => d.format.as_str().to_owned(),
                Err(formats::DetectError::Binary(_)) => "(binary)".to_owned(),
                Err(formats::DetectError::NotNews(_)) => "(html page)".to_owned(),
                Err(_) => "(unrecognised)".to_owned(),
            };
            let result = parse_record(
                RawInput {
                    payload: &bytes,
                    format_hint: None,
                    record_time: Some(record_time),
                },
                &ParseOptions::default(),
            );
            (label, result)
        });
        let Ok((label, result)) = outcome else {
            panics.push(rel);
            continue;
        };
        let row = rows.entry(label).or_default();
        row.files += 1;
        match result {
            Ok(articles) => {
                row.parsed += 1;
                for a in &articles {
                    row.items += 1;
                    row.headline += usize::from(!a.item.headline.is_empty());
                    row.time += usize::from(
                        a.item.first_created.is_some() || a.item.version_created.is_some(),
                    );
                    row.body += usize::from(!a.item.body.is_empty());
                    row.alerts += usize::from(a.alert);
                    row.language += usize::from(a.language.is_some());
                }
            }
            Err(r) if invalid => {
                row.invalid += 1;
                let _ = r;
            }
            Err(r) if matches!(r.reason, RejectReason::NotNews) => row.not_news += 1,
            Err(r) => row.failed.push(format!("{rel}: {r}")),
        }
    }
    let pct = |n: usize, d: usize| {
        if d == 0 {
            "-".to_owned()
        } else {
            format!("{:.0}%", 100.0 * n as f64 / d as f64)
        }
    };
    let mut table = String::from(
        "| format | files | parsed (items) | rejected non-news | invalid | failed | parse rate | headline | time | body | headline-only (alerts) | language |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for (label, r) in &rows {
        table.push_str(&format!(
            "| {label} | {} | {} ({}) | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.files,
            r.parsed,
            r.items,
            r.not_news,
            r.invalid,
            r.failed.len(),
            pct(r.parsed, r.parsed + r.failed.len()),
            pct(r.headline, r.items),
            pct(r.time, r.items),
            pct(r.body, r.items),
            r.alerts,
            pct(r.language, r.items),
        ));
    }
    println!("{table}");
    for (label, r) in &rows {
        for f in &r.failed {
            println!("failed [{label}] {f}");
        }
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/corpus-table.md");
    std::fs::create_dir_all(out.parent().unwrap()).ok();
    std::fs::write(&out, &table).ok();
    assert!(panics.is_empty(), "panicked on: {panics:?}");
    for (label, r) in &rows {
        if label.starts_with('(') {
            continue;
        }
        let rate = r.parsed as f64 / (r.parsed + r.failed.len()).max(1) as f64;
        assert!(
            rate >= 0.98,
            "{label}: parse rate {rate:.3}; failures: {:#?}",
            r.failed
        );
    }
}
