//! Precision and recall of SimHash near-duplicate detection on Reuters-21578 (reads
//! `../shared/corpus/reuters21578`: two of its SGML files and the list of body-identical and
//! similar pairs inside them, `near_duplicates.json`).
//!
//! Every article body is fingerprinted as the pipeline does; a pair is predicted when the
//! fingerprints differ in at most 3 bits and both bodies have at least 30 words (the
//! `dedup.near_duplicate_*` defaults). Truth: the listed pairs, by their similarity score.

use std::collections::{HashMap, HashSet};

use wirefeed::enrich::{count_words, hamming, simhash};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/reuters21578");

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(&text[start..end])
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace("&#3;", "")
}

/// A document: (file, NEWID).
type Doc = (String, u32);

/// (file, NEWID) → body paragraphs.
fn bodies() -> HashMap<Doc, Vec<String>> {
    let mut out = HashMap::new();
    for file in ["reut2-000.sgm", "reut2-001.sgm"] {
        let bytes = std::fs::read(format!("{CORPUS}/{file}")).expect("corpus file");
        let text = String::from_utf8_lossy(&bytes);
        for doc in text.split("<REUTERS").skip(1) {
            let Some(id) = between(doc, "NEWID=\"", "\"").and_then(|n| n.parse().ok()) else {
                continue;
            };
            let Some(body) = between(doc, "<BODY>", "</BODY>") else {
                continue;
            };
            let paras = wirefeed::formats::textutil::text_paragraphs(
                &unescape(body).replace("\n    ", "\n\n"),
                false,
            );
            out.insert((file.to_owned(), id), paras);
        }
    }
    out
}

#[test]
fn simhash_precision_and_recall_on_reuters() {
    let docs = bodies();
    assert!(docs.len() > 1500, "read {} bodies", docs.len());
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{CORPUS}/near_duplicates.json")).unwrap(),
    )
    .unwrap();
    let mut listed: HashMap<(Doc, Doc), f64> = HashMap::new();
    for p in truth["body_pairs"].as_array().unwrap() {
        let a = (
            p[1].as_str().unwrap().to_owned(),
            p[2].as_u64().unwrap() as u32,
        );
        let b = (
            p[5].as_str().unwrap().to_owned(),
            p[6].as_u64().unwrap() as u32,
        );
        listed.insert(if a < b { (a, b) } else { (b, a) }, p[0].as_f64().unwrap());
    }
    let prints: Vec<_> = docs
        .iter()
        .filter(|(_, paras)| count_words(paras).0 >= 30)
        .map(|(k, paras)| (k.clone(), simhash(paras)))
        .collect();
    let eligible: HashSet<_> = prints.iter().map(|(k, _)| k.clone()).collect();
    let mut predicted = HashSet::new();
    for (i, (a, fa)) in prints.iter().enumerate() {
        for (b, fb) in &prints[i + 1..] {
            if hamming(*fa, *fb) <= 3 {
                predicted.insert(if a < b {
                    (a.clone(), b.clone())
                } else {
                    (b.clone(), a.clone())
                });
            }
        }
    }
    let true_pos = predicted.iter().filter(|p| listed.contains_key(*p)).count();
    let precision = true_pos as f64 / predicted.len().max(1) as f64;
    println!(
        "predicted pairs: {}, of them listed: {true_pos}, precision {precision:.3}",
        predicted.len()
    );
    println!("| similarity of listed pair | pairs (both ≥ 30 words) | found | recall |");
    println!("|---|---|---|---|");
    let mut recall_identical = 0.0;
    for (lo, hi) in [(1.0, 1.01), (0.9, 1.0), (0.8, 0.9), (0.5, 0.8)] {
        let band: Vec<_> = listed
            .iter()
            .filter(|(k, s)| {
                **s >= lo && **s < hi && eligible.contains(&k.0) && eligible.contains(&k.1)
            })
            .collect();
        let found = band.iter().filter(|(k, _)| predicted.contains(*k)).count();
        let recall = found as f64 / band.len().max(1) as f64;
        if lo == 1.0 {
            recall_identical = recall;
        }
        println!(
            "| {lo:.1}–{:.1} | {} | {found} | {recall:.3} |",
            hi.min(1.0),
            band.len()
        );
    }
    assert!(
        recall_identical >= 0.99,
        "identical bodies must be found: {recall_identical}"
    );
    assert!(precision >= 0.9, "precision {precision}");
}
