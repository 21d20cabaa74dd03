//! Runs every corpus file of each format through its parser and prints a table.
//!
//! Reads `../shared/corpus` (read-only shared data, never copied into the crate); a missing
//! corpus fails the tests.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use wirefeed::formats::FormatError;
use wirefeed::model::ParsedItem;

/// Where the shared corpus lives, relative to `CARGO_MANIFEST_DIR`.
const CORPUS: &str = "../shared/corpus";

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    p.is_dir().then_some(p)
}

/// Files of FORMATS.md whose format column starts with one of `prefixes`, with the item count.
fn formats_md(root: &Path, prefixes: &[&str]) -> Vec<(PathBuf, usize)> {
    let md = std::fs::read_to_string(root.join("superdesk/FORMATS.md")).unwrap();
    md.lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('|').map(str::trim).collect();
            if cols.len() < 5 || !cols[1].starts_with('`') {
                return None;
            }
            let file = cols[1].trim_matches('`');
            let format = cols[2];
            prefixes.iter().any(|p| format.starts_with(p)).then(|| {
                (
                    root.join("superdesk").join(file),
                    cols[3].parse().unwrap_or(1),
                )
            })
        })
        .collect()
}

fn glob(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Decodes a file: UTF-8, else the charset of its XML declaration, else Windows-1252.
fn read_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    if let Ok(s) = String::from_utf8(bytes.clone()) {
        return s;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_ascii_lowercase();
    let label = head
        .split("encoding=")
        .nth(1)
        .and_then(|r| r.trim_start_matches(['"', '\'']).split(['"', '\'']).next())
        .unwrap_or("windows-1252")
        .to_owned();
    let enc =
        encoding_rs::Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::WINDOWS_1252);
    enc.decode(&bytes).0.into_owned()
}

#[derive(Default)]
struct Table {
    files: usize,
    parsed: usize,
    items: usize,
    not_news: usize,
    invalid: usize,
    failed: Vec<(String, FormatError)>,
    with_headline: usize,
    with_time: usize,
    with_body: usize,
    with_language: usize,
    micros: u128,
}

enum Expect {
    /// Real news: must parse.
    News,
    /// Pictures, video, packages, planning, events, concepts, HTML pages: must be `NotNews`.
    NotNews,
    /// Test fixtures and spec skeletons without headline or text, or spec fragments whose root
    /// is not an item: must be rejected (any error but `NotNews` is fine, never `Ok`).
    Invalid,
}

fn run(
    name: &str,
    files: &[(PathBuf, Expect)],
    parse: impl Fn(&Path) -> Result<Vec<ParsedItem>, FormatError>,
    sniff: impl Fn(&str) -> bool,
) -> Table {
    let mut t = Table::default();
    let mut wrongly_accepted = Vec::new();
    let mut news_files = 0;
    println!("\n== {name}");
    for (path, expect) in files {
        let short = path
            .to_string_lossy()
            .split("corpus/")
            .last()
            .unwrap_or_default()
            .to_owned();
        t.files += 1;
        let text = read_text(path);
        let sniffed = sniff(&text);
        let start = Instant::now();
        let result = parse(path);
        let took = start.elapsed().as_micros();
        match (expect, result) {
            (Expect::News, Ok(items)) => {
                news_files += 1;
                t.parsed += 1;
                t.micros += took;
                t.items += items.len();
                for p in &items {
                    t.with_headline += usize::from(!p.headline.is_empty());
                    t.with_time +=
                        usize::from(p.first_created.is_some() || p.version_created.is_some());
                    t.with_body += usize::from(!p.body.is_empty());
                    t.with_language += usize::from(p.language.is_some());
                }
                println!(
                    "  ok   {short} ({} items, {took} µs, sniff={sniffed}): {:?}",
                    items.len(),
                    items[0].headline.chars().take(60).collect::<String>()
                );
            }
            (Expect::News, Err(e)) => {
                news_files += 1;
                println!("  FAIL {short} (sniff={sniffed}): {e}");
                t.failed.push((short, e));
            }
            (Expect::NotNews, Err(FormatError::NotNews(m))) => {
                t.not_news += 1;
                println!("  rej  {short} (sniff={sniffed}): {m}");
            }
            (Expect::Invalid, Err(e)) if !matches!(e, FormatError::NotNews(_)) => {
                t.invalid += 1;
                println!("  inv  {short} (sniff={sniffed}): {e}");
            }
            (_, other) => {
                println!(
                    "  WRONG {short}: non-news gave {:?}",
                    other.map(|v| v.len())
                );
                wrongly_accepted.push(short);
            }
        }
    }
    let pct = |n: usize, d: usize| {
        if d == 0 {
            0.0
        } else {
            100.0 * n as f64 / d as f64
        }
    };
    println!(
        "| format | files | parsed | items | rejected non-news | rejected invalid fixtures | failed | headline | time | body | language | µs/item (this build) |"
    );
    println!(
        "| {name} | {} | {} | {} | {} | {} | {} | {:.0}% | {:.0}% | {:.0}% | {:.0}% | {} |",
        t.files,
        t.parsed,
        t.items,
        t.not_news,
        t.invalid,
        t.failed.len(),
        pct(t.with_headline, t.items),
        pct(t.with_time, t.items),
        pct(t.with_body, t.items),
        pct(t.with_language, t.items),
        if t.items == 0 {
            0
        } else {
            t.micros / t.items as u128
        }
    );
    assert!(
        wrongly_accepted.is_empty(),
        "non-news accepted: {wrongly_accepted:?}"
    );
    assert!(
        news_files == 0 || t.parsed * 100 >= news_files * 98,
        "{name}: only {}/{news_files} news files parsed; unexpected failures: {:?}",
        t.parsed,
        t.failed
    );
    t
}

/// Test fixtures without headline or body text, and spec fragments (explained in the report).
use common::INVALID_CORPUS_FILES as INVALID;

fn expect(path: &Path, news: Expect) -> Expect {
    let s = path.to_string_lossy();
    if INVALID.iter().any(|k| s.contains(k)) {
        Expect::Invalid
    } else {
        news
    }
}

fn by_text(
    f: fn(&str) -> Result<Vec<ParsedItem>, FormatError>,
) -> impl Fn(&Path) -> Result<Vec<ParsedItem>, FormatError> {
    move |p| f(&read_text(p))
}

/// NewsML-G2 items that are not text news, by name (iptc examples have no format list).
fn g2_expect(path: &Path) -> Expect {
    let s = path.to_string_lossy().to_lowercase();
    const NON_NEWS: &[&str] = &[
        "package",
        "planning",
        "concept",
        "knowledge",
        "catalog_item",
        "photo",
        "picture.xml",
        "event",
        "snep.xml",
        "kbn0fl0nm",
        "gm1ea7m13rp01",
        "lynxmpea6f0ms",
        "lynxmpea6f0mt",
        "lynxmpea6f13m",
        "ap_metadata_example",
        "video_in_newsml",
        // Reuters delete notice (edStat:D) with an empty body; its other version (a correction
        // whose text the fixture left out) is a headline-only item.
        "l1n14n0ff_version_1542761538",
    ];
    let default = if NON_NEWS.iter().any(|n| s.contains(n)) {
        Expect::NotNews
    } else {
        Expect::News
    };
    expect(path, default)
}

#[test]
fn corpus_newsml_g2() {
    let root = corpus().expect("corpus not found at ../shared/corpus");
    let mut files: Vec<(PathBuf, Expect)> = formats_md(&root, &["NewsML-G2"])
        .into_iter()
        .map(|(p, _)| {
            let e = g2_expect(&p);
            (p, e)
        })
        .collect();
    for dir in [
        "iptc/newsml-g2/examples",
        "iptc/python-newsmlg2/tests/test_files",
    ] {
        for p in glob(&root.join(dir), ".xml") {
            let e = g2_expect(&p);
            files.push((p, e));
        }
    }
    run(
        "NewsML-G2",
        &files,
        by_text(wirefeed::formats::newsml_g2::parse),
        wirefeed::formats::newsml_g2::sniff,
    );
}

#[test]
fn corpus_nitf() {
    let Some(root) = corpus() else { return };
    let files: Vec<_> = formats_md(&root, &["NITF"])
        .into_iter()
        .map(|(p, _)| {
            let e = expect(&p, Expect::News);
            (p, e)
        })
        .collect();
    run(
        "NITF",
        &files,
        by_text(wirefeed::formats::nitf::parse),
        wirefeed::formats::nitf::sniff,
    );
}

#[test]
fn corpus_newsml1() {
    let Some(root) = corpus() else { return };
    let mut files: Vec<_> = formats_md(&root, &["NewsML 1"])
        .into_iter()
        .map(|(p, _)| {
            let e = expect(&p, Expect::News);
            (p, e)
        })
        .collect();
    // Business Wire releases in NewsML 1.2 (their ninjs twins are in examples/2.1).
    for p in glob(&root.join("iptc/newsinjson/examples/NewsML"), ".xml") {
        files.push((p, Expect::News));
    }
    run(
        "NewsML 1.x",
        &files,
        by_text(wirefeed::formats::newsml1::parse),
        wirefeed::formats::newsml1::sniff,
    );
}

#[test]
fn corpus_feeds() {
    let Some(root) = corpus() else { return };
    let mut files: Vec<(PathBuf, Expect)> = glob(&root.join("rss/feed-rs-fixtures"), ".xml")
        .into_iter()
        .map(|p| {
            let e = expect(&p, Expect::News);
            (p, e)
        })
        .collect();
    for p in glob(&root.join("newslookout/test-data"), "_rss.xml") {
        // One capture is a saved HTML 404 page.
        let html = read_text(&p)
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("<!doctype html");
        files.push((p, if html { Expect::NotNews } else { Expect::News }));
    }
    for (p, _) in formats_md(&root, &["Atom", "WordPress WXR"]) {
        files.push((p, Expect::News));
    }
    run(
        "RSS/Atom",
        &files,
        by_text(wirefeed::formats::feed::parse),
        wirefeed::formats::feed::sniff,
    );
}

#[test]
fn corpus_email() {
    let Some(root) = corpus() else { return };
    let files: Vec<_> = formats_md(&root, &["RFC822"])
        .into_iter()
        .map(|(p, _)| (p, Expect::News))
        .collect();
    run(
        "e-mail",
        &files,
        |p| wirefeed::formats::email::parse_bytes(&std::fs::read(p).unwrap()),
        wirefeed::formats::email::sniff,
    );
    // The same files given as decoded text.
    run(
        "e-mail (decoded text)",
        &files,
        by_text(wirefeed::formats::email::parse),
        wirefeed::formats::email::sniff,
    );
}
