//! Real article pages through the HTML path: body precision and recall against the text that
//! comes with each page, in the terms main-text extraction benchmarks use (word-level, averaged
//! over pages; trafilatura reports F1 0.924-0.945 on its benchmark).
//!
//! Reads `../shared/corpus/newspaper4k` (`html/NAME.html` with the expected text in
//! `txt/NAME.txt` and the title in `metadata/NAME.json`) at test time; a missing corpus fails.

#[path = "layouts/score.rs"]
#[allow(dead_code)]
mod score;

use std::path::Path;

use wirefeed::formats;

const CORPUS: &str = "../shared/corpus/newspaper4k";

#[test]
fn article_pages_body_precision_recall() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    let mut names: Vec<String> = std::fs::read_dir(root.join("txt"))
        .expect("newspaper4k corpus")
        .filter_map(|e| {
            let p = e.ok()?.path();
            Some(p.file_stem()?.to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    assert!(names.len() >= 4, "pages with expected text: {names:?}");
    let (mut sum_p, mut sum_r) = (0.0, 0.0);
    println!(
        "\n{:<20} {:>9} {:>6} {:>6}  headline",
        "page", "bytes", "P", "R"
    );
    for name in &names {
        let html = std::fs::read(root.join(format!("html/{name}.html"))).expect("page");
        let want = std::fs::read_to_string(root.join(format!("txt/{name}.txt"))).expect("text");
        let meta: serde_json::Value = serde_json::from_slice(
            &std::fs::read(root.join(format!("metadata/{name}.json"))).expect("metadata"),
        )
        .expect("JSON");
        let detected = formats::detect(&html, None).expect("detected");
        let items = formats::parse(detected.format, &detected, &html)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let item = &items[0];
        let (p, r) = score::word_precision_recall(&score::body_text(&item.body), &want);
        sum_p += p;
        sum_r += r;
        let title = meta["title"].as_str().unwrap_or_default();
        println!(
            "{name:<20} {:>9} {p:>6.3} {r:>6.3}  {}",
            html.len(),
            if item.headline == title {
                "= metadata title".to_string()
            } else {
                format!("{:?} (metadata: {title:?})", item.headline)
            }
        );
        assert!(!item.headline.is_empty(), "{name}: headline");
    }
    let n = names.len() as f64;
    let (p, r) = (sum_p / n, sum_r / n);
    let f1 = 2.0 * p * r / (p + r);
    println!("mean: precision {p:.3} recall {r:.3} F1 {f1:.3} over {n} pages");
    assert!(f1 >= 0.90, "body F1 {f1:.3}");
}
