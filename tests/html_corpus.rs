//! Real article pages through the HTML path: body precision and recall against the text that
//! comes with each page, in the terms main-text extraction benchmarks use (word-level, averaged
//! over pages; trafilatura reports F1 0.924-0.945 on its benchmark).
//!
//! Reads at test time (a missing corpus fails): `../shared/corpus/newspaper4k` (`html/NAME.html`
//! with the hand-checked text in `txt/NAME.txt` and the title in `metadata/NAME.json`), and
//! `../shared/corpus/newslookout` (bz2-compressed pages of Indian outlets; in `data_history`
//! each comes with the text and title that scraper extracted, not hand-checked).

#[path = "layouts/score.rs"]
#[allow(dead_code)]
mod score;

use std::io::Read;
use std::path::{Path, PathBuf};

use wirefeed::formats;

const CORPUS: &str = "../shared/corpus/newspaper4k";
const NEWSLOOKOUT: &str = "../shared/corpus/newslookout";

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

fn bz2_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("newslookout corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            bz2_files(&p, out);
        } else if p.to_string_lossy().ends_with(".html.bz2") {
            out.push(p);
        }
    }
}

/// Indian outlets' pages: each is an article (headline and body) or refused as not news; where
/// the scraper's own text comes with the page, body precision and recall against it.
#[test]
fn indian_outlet_pages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(NEWSLOOKOUT);
    let mut files = Vec::new();
    bz2_files(&root, &mut files);
    assert!(files.len() >= 15, "pages: {}", files.len());
    let (mut articles, mut timed, mut refused) = (0, 0, 0);
    let (mut sum_p, mut sum_r, mut compared) = (0.0, 0.0, 0);
    println!("\n{:<45} {:>6} {:>6}  headline / time", "page", "P", "R");
    for f in &files {
        let mut bytes = Vec::new();
        bzip2::read::BzDecoder::new(std::fs::File::open(f).expect("open"))
            .read_to_end(&mut bytes)
            .expect("bz2");
        let name = f
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let detected = formats::detect(&bytes, None).expect("detected");
        let item = match formats::parse(detected.format, &detected, &bytes) {
            Ok(mut items) => items.remove(0),
            Err(e) => {
                refused += 1;
                println!("{name:<45} refused: {e}");
                continue;
            }
        };
        articles += 1;
        timed += usize::from(item.first_created.is_some());
        assert!(!item.headline.is_empty() && !item.body.is_empty(), "{name}");
        let expected = f.with_file_name(name.replace(".html.bz2", ".json"));
        let (mut p, mut r) = (f64::NAN, f64::NAN);
        if let Ok(json) = std::fs::read(&expected) {
            let v: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
            (p, r) = score::word_precision_recall(
                &score::body_text(&item.body),
                v["text"].as_str().unwrap_or_default(),
            );
            sum_p += p;
            sum_r += r;
            compared += 1;
        }
        println!(
            "{name:<45} {p:>6.3} {r:>6.3}  {:.60} / {:?}",
            item.headline, item.first_created
        );
    }
    let (p, r) = (sum_p / compared as f64, sum_r / compared as f64);
    println!(
        "{articles} articles ({timed} with a publication time), {refused} refused; against the \
         scraper's text on {compared} pages: precision {p:.3} recall {r:.3} F1 {:.3}",
        2.0 * p * r / (p + r)
    );
    assert!(
        articles >= files.len() - 3,
        "{articles} of {} pages",
        files.len()
    );
    assert!(
        timed * 10 >= articles * 8,
        "{timed} of {articles} with a time"
    );
    assert!(
        compared >= 5 && r >= 0.9,
        "recall {r:.3} on {compared} pages"
    );
}
