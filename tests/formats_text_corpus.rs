//! Runs every corpus file of each format through its parser and prints a table.
//!
//! Reads `../shared/corpus` (read-only, outside the crate); a missing corpus fails the tests. Expected labels (news / not news) are decided per file from its content and listed
//! here, independent of the parsers.

use std::path::{Path, PathBuf};
use std::time::Instant;

use wirefeed::formats::error::FormatError;
use wirefeed::formats::{anpa, ap_json, charset, iptc7901, ninjs_json as ninjs};
use wirefeed::model::ParsedItem;

/// Corpus root relative to the crate (in the main repository this becomes `../shared/corpus`).
const CORPUS: &str = "../shared/corpus";

fn root() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    p.is_dir().then_some(p)
}

fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, ext, out);
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

type Parser = fn(&str) -> Result<Vec<ParsedItem>, FormatError>;

/// Runs `files` (path relative to the corpus, expected-news flag) and checks the outcome.
fn run(format: &str, parser: Parser, files: &[(String, bool)]) {
    let root =
        root().unwrap_or_else(|| panic!("corpus not found at {CORPUS} (needed for {format})"));
    let (mut news, mut parsed, mut rejected, mut wrong_reject, mut failed) = (0, 0, 0, 0, 0);
    let (mut non_news, mut non_news_ok) = (0, 0);
    let (mut items, mut hl, mut time, mut body, mut lang) = (0usize, 0, 0, 0, 0);
    let mut micros = 0u128;
    let mut problems = Vec::new();
    for (rel, expect_news) in files {
        let bytes = std::fs::read(root.join(rel)).expect("read corpus file");
        let text = match charset::decode(&bytes, None) {
            Ok((t, _)) => t,
            Err(e) => {
                problems.push(format!("{rel}: decode error {e}"));
                failed += 1;
                continue;
            }
        };
        let start = Instant::now();
        let result = parser(&text);
        micros += start.elapsed().as_micros();
        if *expect_news {
            news += 1;
        } else {
            non_news += 1;
        }
        match (&result, expect_news) {
            (Ok(list), true) => {
                parsed += 1;
                for it in list {
                    items += 1;
                    hl += usize::from(!it.headline.is_empty());
                    time += usize::from(it.version_created.or(it.first_created).is_some());
                    body += usize::from(!it.body.is_empty());
                    lang += usize::from(it.language.is_some());
                    for s in std::iter::once(&it.headline).chain(it.body.iter()) {
                        assert!(
                            !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
                            "{rel}: control characters left in {s:?}"
                        );
                    }
                }
            }
            (Ok(_), false) => {
                failed += 1;
                problems.push(format!("{rel}: expected NotNews, parsed as news"));
            }
            (Err(FormatError::NotNews(_)), false) => non_news_ok += 1,
            (Err(FormatError::NotNews(why)), true) => {
                wrong_reject += 1;
                problems.push(format!("{rel}: news rejected as NotNews ({why})"));
            }
            (Err(e), _) => {
                failed += 1;
                problems.push(format!("{rel}: {e}"));
            }
        }
        if matches!(result, Err(FormatError::NotNews(_))) {
            rejected += 1;
        }
    }
    let pct = |a: usize, b: usize| {
        if b == 0 {
            100.0
        } else {
            a as f64 * 100.0 / b as f64
        }
    };
    eprintln!(
        "\n{format}: files {} | news {news} parsed {parsed} | rejected NotNews {rejected} (expected {non_news}, correct {non_news_ok}) | news wrongly rejected {wrong_reject} | failed {failed}",
        files.len()
    );
    eprintln!(
        "{format}: items {items}: headline {:.0}% time {:.0}% body {:.0}% language {:.0}% | ~{} µs/file",
        pct(hl, items),
        pct(time, items),
        pct(body, items),
        pct(lang, items),
        micros / files.len().max(1) as u128
    );
    for p in &problems {
        eprintln!("  {format} problem: {p}");
    }
    assert!(
        pct(parsed, news) >= 98.0,
        "{format}: only {parsed}/{news} news files parsed"
    );
    assert_eq!(non_news_ok, non_news, "{format}: non-news not all rejected");
}

fn label(list: &[&str], news: &[&str]) -> Vec<(String, bool)> {
    list.iter()
        .map(|f| ((*f).to_owned(), news.contains(f)))
        .collect()
}

#[test]
fn ninjs_corpus() {
    let Some(root) = root() else {
        return;
    };
    let mut paths = Vec::new();
    files_under(&root.join("iptc/newsinjson/examples"), "json", &mut paths);
    let mut suite = Vec::new();
    files_under(
        &root.join("iptc/newsinjson/validation/test_suite"),
        "json",
        &mut suite,
    );
    paths.extend(
        suite
            .into_iter()
            .filter(|p| p.to_string_lossy().contains("/should_pass/")),
    );
    let mut rel: Vec<String> = paths
        .iter()
        .filter_map(|p| p.strip_prefix(&root).ok())
        .map(|p| p.to_string_lossy().into_owned())
        // A JSON schema, not a ninjs document.
        .filter(|p| !p.ends_with("extension-schema.json"))
        .collect();
    for f in [
        "ninjs1.json",
        "ninjs2.json",
        "ninjs3.json",
        "ninjs4.json",
        "ninjs5.json",
        "ninjs6.json",
        "ninjsExMediumText1.json",
        "ninjsExSimpleText1.json",
        "ninjs_embargoed.json",
        "bbc-ninjs-comp-test.json",
        "bbc-ninjs-text-test.json",
    ] {
        rel.push(format!("superdesk/core/{f}"));
    }
    rel.push("superdesk/ntb/fixtures/contentapi_item.json".into());
    rel.push("superdesk/ntb/fixtures/published_item.json".into());
    rel.push("superdesk/ntb/io_fixtures/ntbttninjs.json".into());
    let files: Vec<(String, bool)> = rel
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(root.join(f)).unwrap_or_default();
            let news = NINJS_NEWS.iter().any(|n| f.ends_with(n)) || ninjs_headline_text(&text);
            (f.clone(), news)
        })
        .collect();
    for (f, _) in &files {
        let text = std::fs::read_to_string(root.join(f)).unwrap_or_default();
        assert!(ninjs::sniff(&text), "ninjs sniff failed for {f}");
    }
    run("ninjs", ninjs::parse, &files);
}

/// True when a ninjs document's (first) item is news without a body text story: a headline
/// alone or with a description (an alert), or a picture, video or audio with a headline and a
/// caption or text.
fn ninjs_headline_text(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let text_has_events =
        lower.contains("\"eventdetails\"") || lower.contains("\"type\": \"event\"");
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let item = match &v {
        serde_json::Value::Array(a) => a.first().cloned().unwrap_or_default(),
        other => other
            .get("item")
            .and_then(|i| i.as_array().and_then(|a| a.first()).cloned())
            .unwrap_or_else(|| other.clone()),
    };
    let has = |k: &str| {
        item.get(k).is_some_and(|v| match v {
            serde_json::Value::String(s) => s.chars().any(char::is_alphabetic),
            serde_json::Value::Array(a) => !a.is_empty(),
            serde_json::Value::Object(o) => !o.is_empty(),
            _ => false,
        })
    };
    let kind = item.get("type").and_then(|t| t.as_str()).unwrap_or("text");
    let headline = has("headline") || has("headlines") || has("headline_main") || has("title");
    let text = has("body_text") || has("body_html") || has("bodies") || has("body");
    let caption = text || has("description_text") || has("descriptions");
    match kind {
        "event" | "planning" | "concept" | "object" => false,
        "picture" | "graphic" | "video" | "audio" | "image" => headline && caption,
        _ => headline && !text_has_events,
    }
}

/// ninjs files that are text stories (headline and body text); the others are pictures,
/// videos, audio, events, planning items, headline-only items and schema stubs.
const NINJS_NEWS: &[&str] = &[
    "examples/1.4/businesswire-newsml-20130515006361.json",
    "examples/1.4/businesswire-newsml-20130605006126.json",
    "examples/1.4/businesswire-newsml-20130612006110.json",
    "examples/1.4/businesswire-newsml-20130731006140.json",
    "examples/1.4/ninjsExComplex1.json",
    "examples/1.4/ninjsExComplex2.json",
    "examples/1.4/ninjsExMediumText1.json",
    "examples/1.4/ninjsExSimpleText1.json",
    "examples/2.1/businesswire-newsml-20130605006126.json",
    "examples/2.1/businesswire-newsml-20130731006140.json",
    "examples/2.1/dpa_text.json",
    "examples/2.1/ninjsExSimpleText_2.json",
    "examples/2.1/ntb_text.json",
    "examples/2.1/tt_text_image_2.json",
    "examples/2.1/schema-extension/extension-example.json",
    "examples/3.0/20231008-anti-doping-measures-at-the-tour-down-under-will-be-the-toughest-ever-addb-ninjs-nitf.json",
    "examples/3.0/businesswire-newsml-20130605006126.json",
    "examples/3.0/businesswire-newsml-20130731006140.json",
    "examples/3.0/dpa_text.json",
    "examples/3.0/ninjsExSimpleText_3.json",
    "examples/3.0/ntb_text.json",
    "examples/3.0/tt_text_image_3.json",
    "core/ninjs1.json",
    "core/ninjs2.json",
    "core/ninjs4.json",
    "core/ninjs5.json",
    "core/ninjsExMediumText1.json",
    "core/ninjsExSimpleText1.json",
    "core/ninjs_embargoed.json",
    "core/bbc-ninjs-comp-test.json",
    "core/bbc-ninjs-text-test.json",
    "ntb/fixtures/contentapi_item.json",
    "ntb/io_fixtures/ntbttninjs.json",
];

#[test]
fn ap_json_corpus() {
    let files = label(
        &[
            "superdesk/core/ap_media_feed.json",
            "superdesk/core/ap_media_item.json",
            "superdesk/core/ap_media_picture.json",
            "superdesk/core/ap_media_text_feed.json",
            "superdesk/core/ap_media_text_item.json",
        ],
        &[
            "superdesk/core/ap_media_text_feed.json",
            "superdesk/core/ap_media_text_item.json",
        ],
    );
    if let Some(root) = root() {
        let mut dw = Vec::new();
        files_under(
            &root.join("dpa/digitalwires-to-iptc7901/tests/data/input"),
            "json",
            &mut dw,
        );
        let mut all = files;
        for p in dw {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            // noContent: a photo item without text; spe-tab / spe2: results tables.
            let news = !["noContent.json", "spe-tab.json", "spe2.json"]
                .iter()
                .any(|n| rel.ends_with(n));
            all.push((rel, news));
        }
        for (f, _) in &all {
            let text = std::fs::read_to_string(root.join(f)).unwrap_or_default();
            assert!(ap_json::sniff(&text), "ap_json sniff failed for {f}");
            assert!(!ninjs::sniff(&text), "ninjs sniff claims {f}");
        }
        run("ap_json", ap_json::parse, &all);
    }
}

#[test]
fn anpa_corpus() {
    let anpa_files: Vec<String> = ["anpa-1", "anpa-2", "anpa-3", "anpa-4"]
        .iter()
        .chain(
            [
                "ap_anpa-1",
                "ap_anpa-2",
                "ap_anpa-3",
                "ap_anpa-4",
                "ap_anpa-5",
                "ap_anpa-6",
                "ap_anpa-7",
            ]
            .iter(),
        )
        .map(|f| format!("superdesk/core/{f}.tst"))
        .collect();
    // Every file is news: anpa-3 (a weather table), ap_anpa-2 and ap_anpa-6 (standings) are
    // agate kept as text; anpa-4 (a headline digest) and ap_anpa-5 (a one-sentence news alert)
    // are headline-only items.
    let non_news: [&str; 0] = [];
    let mut files: Vec<(String, bool)> = anpa_files
        .iter()
        .map(|f| {
            let stem = f
                .trim_start_matches("superdesk/core/")
                .trim_end_matches(".tst");
            (f.clone(), !non_news.contains(&stem))
        })
        .collect();
    let zczc_news = [
        "1487e8f1-f7f5-40f5-8c0f-0eba3c2e162d.tst",
        "612fa1dc-c476-425d-8c80-d40bdc9cc1d5.tst",
        "AAP201606060716291.tst",
        "ED_841066_2_1.tst",
        "ED_867485_4_2.tst",
        "bob_am_headlines.tst",
    ];
    let zczc_other = [
        "AFL_FormGuide__636241349261119029.tst",
        "Caulfield RA - Betting - Sat 11 Feb, 2017.tst",
        "Darwin GR - Greys - Sun 11 Oct, 2015.tst",
        "ED_900942_2_1.tst",
        "National Top Ten By Volume at Close - March 13.tst",
        "Standings__2014_14_635535729050675896.tst",
        "Wagga Trot VIC TAB DIVS 1-4 Friday.tst",
        "Warragul Greyhound NSW TAB DIVS 1-11 Thursday.tst",
        "premierships.txt",
        "vicomb004_8511.tst",
        "viflda004_7257.tst",
        "vifrc7_5254.tst",
        "vinzce004_14.tst",
        "vinzhj007_7831.tst",
        "viwhtn01_8594.tst",
    ];
    for f in zczc_news {
        files.push((format!("superdesk/aap/io_fixtures/{f}"), true));
    }
    for f in zczc_other {
        files.push((format!("superdesk/aap/io_fixtures/{f}"), false));
    }
    if let Some(root) = root() {
        for (f, _) in &files {
            let bytes = std::fs::read(root.join(f)).unwrap();
            let text = charset::decode(&bytes, None).unwrap().0;
            assert!(anpa::sniff(&text), "anpa sniff failed for {f}");
            assert!(!iptc7901::sniff(&text), "7901 sniff claims {f}");
        }
    }
    run("anpa+zczc", anpa::parse, &files);
}

#[test]
fn iptc7901_corpus() {
    let mut files: Vec<(String, bool)> = [
        "IPTC7901.txt",
        "IPTC7901_odd_charset.txt",
        "dpa_four_line.txt",
        "dpa_two_by_line.txt",
        "dpa_two_line.txt",
    ]
    .iter()
    .map(|f| (format!("superdesk/core/{f}"), true))
    .collect();
    // The "Impressum" copyright test pattern.
    files.push(("superdesk/core/dpa_copyright.txt".into(), false));
    if let Some(root) = root() {
        let mut out = Vec::new();
        files_under(
            &root.join("dpa/digitalwires-to-iptc7901/tests/data/output"),
            "iptc",
            &mut out,
        );
        for p in out {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let news = !rel.ends_with("spe-tab.iptc");
            files.push((rel, news));
        }
        for (f, _) in &files {
            let bytes = std::fs::read(root.join(f)).unwrap();
            let text = charset::decode(&bytes, None).unwrap().0;
            assert!(iptc7901::sniff(&text), "7901 sniff failed for {f}");
            assert!(!anpa::sniff(&text), "anpa sniff claims {f}");
        }
    }
    run("iptc7901", iptc7901::parse, &files);
}

/// The same dpa item as digitalwires JSON and as IPTC 7901 must give the same headline,
/// publication time (to the minute: 7901 prints no seconds) and body text.
#[test]
fn digitalwires_and_7901_pairs_agree() {
    let Some(root) = root() else {
        return;
    };
    let base = root.join("dpa/digitalwires-to-iptc7901/tests/data");
    let mut outputs = Vec::new();
    files_under(&base.join("output"), "iptc", &mut outputs);
    assert!(!outputs.is_empty());
    let norm =
        |v: &[String]| -> String { v.join(" ").split_whitespace().collect::<Vec<_>>().join(" ") };
    let mut report = Vec::new();
    for out in outputs {
        let stem = out.file_stem().unwrap().to_string_lossy().into_owned();
        let json = std::fs::read_to_string(base.join(format!("input/{stem}.json"))).unwrap();
        let bytes = std::fs::read(&out).unwrap();
        let wire = charset::decode(&bytes, None).unwrap().0;
        let a = ap_json::parse(&json);
        let b = iptc7901::parse(&wire);
        match (a, b) {
            (Ok(a), Ok(b)) => {
                let (a, b) = (&a[0], &b[0]);
                assert_eq!(a.headline, b.headline, "{stem}: headline");
                let minute = |t: Option<chrono::DateTime<chrono::Utc>>| {
                    t.map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
                };
                assert_eq!(
                    minute(a.version_created),
                    minute(b.version_created),
                    "{stem}: time"
                );
                assert!(a.version_created.is_some(), "{stem}: no time");
                assert_eq!(a.summary, b.summary, "{stem}: summary");
                assert_eq!(norm(&a.body), norm(&b.body), "{stem}: body");
                report.push(format!(
                    "{stem}: same headline, time, summary, body ({} paragraphs)",
                    a.body.len()
                ));
            }
            (Err(FormatError::NotNews(x)), Err(FormatError::NotNews(y))) => {
                report.push(format!("{stem}: both NotNews ({x} / {y})"));
            }
            (a, b) => panic!(
                "{stem}: outcomes differ: {:?} vs {:?}",
                a.map(|v| v.len()),
                b.map(|v| v.len())
            ),
        }
    }
    for r in report {
        eprintln!("pair {r}");
    }
}
