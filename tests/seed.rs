//! Golden test of the seed item through the built binary: `wirefeed parse <seed> --ninjs V
//! --extension` for ninjs 2.2 and 3.1, every field the seed carries asserted with its exact value.
//!
//! The seed is read from `../shared/seed/000_4a15e63da7983562.txt` relative to
//! `CARGO_MANIFEST_DIR` (the project's shared folder beside the repository).

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

const SEED: &str = "../shared/seed/000_4a15e63da7983562.txt";

const HEADLINE: &str = "NATO defence chiefs discuss Ukraine security guarantees in virtual meet";
const DEK: &str = "Trump is trying to steer Putin and Zelenskyy toward a settlement more than three \
                   years after Russia invaded its neighbour, but there are major obstacles";
const CAPTION: &str = "US Gen Alexus Grynkewich, NATO's supreme allied commander Europe, will take \
                       part in the talks, Dragone said on social platform X.";
const FIRST_PARAGRAPH: &str = "NATO defence chiefs were due to hold a virtual meeting Wednesday, \
    a senior alliance official said, as countries pushing for an end to Russia's war on Ukraine \
    devise possible future security guarantees for Kyiv that could help forge a peace agreement.";
const LAST_PARAGRAPH: &str = "Zelenskyy said the strikes only confirm the need for pressure on \
    Moscow, the need to introduce new sanctions and tariffs until diplomacy works to its full \
    potential.";
const TIME: &str = "2025-08-20T10:27:00Z";
const WORDS: u64 = 340;
const CHARS: u64 = 2140;

/// Runs the binary on the seed and returns its one JSON document.
fn run(args: &[&str]) -> Value {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED);
    let out = Command::new(env!("CARGO_BIN_EXE_wirefeed"))
        .arg("parse")
        .arg(&seed)
        .args(args)
        .output()
        .expect("wirefeed runs");
    assert!(
        out.status.success(),
        "wirefeed parse failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one article, one line: {stdout}");
    serde_json::from_str(lines[0]).expect("JSON output")
}

/// Property names of one ninjs version.
struct Names {
    version: &'static str,
    first_created: &'static str,
    version_created: &'static str,
    pub_status: &'static str,
    representation_type: &'static str,
    info_sources: &'static str,
    content_type: &'static str,
    word_count: &'static str,
    char_count: &'static str,
    geojson: &'static str,
    copyright_holder: &'static str,
}

const V2_2: Names = Names {
    version: "2.2",
    first_created: "firstcreated",
    version_created: "versioncreated",
    pub_status: "pubstatus",
    representation_type: "representationtype",
    info_sources: "infosources",
    content_type: "contenttype",
    word_count: "wordcount",
    char_count: "charcount",
    geojson: "geojson",
    copyright_holder: "copyrightholder",
};

const V3_1: Names = Names {
    version: "3.1",
    first_created: "firstCreated",
    version_created: "versionCreated",
    pub_status: "pubStatus",
    representation_type: "representationType",
    info_sources: "infoSources",
    content_type: "contentType",
    word_count: "wordCount",
    char_count: "charCount",
    geojson: "geoJSON",
    copyright_holder: "copyrightHolder",
};

fn names(doc: &Value, key: &str) -> Vec<String> {
    doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is an array"))
        .iter()
        .map(|x| x["name"].as_str().expect("a name").to_string())
        .collect()
}

fn assert_seed(n: &Names) -> Value {
    let doc = run(&["--ninjs", n.version, "--extension"]);
    let v = n.version;
    let uri = doc["uri"].as_str().expect("uri");
    assert!(uri.starts_with("urn:wirefeed:article:"), "{v}: {uri}");
    assert_eq!(doc["type"], "text", "{v}");
    assert_eq!(doc["version"], "1", "{v}");
    assert_eq!(doc[n.representation_type], "full", "{v}");
    assert_eq!(doc[n.pub_status], "usable", "{v}");
    assert_eq!(doc[n.first_created], TIME, "{v}: first published");
    assert_eq!(doc[n.version_created], TIME, "{v}: last updated");
    assert_eq!(doc["language"], "en", "{v}");

    // Headline and dek.
    assert_eq!(
        doc["headlines"],
        json!([{ "role": "main", "value": HEADLINE }]),
        "{v}"
    );
    assert_eq!(
        doc["descriptions"],
        json!([{ "role": "summary", "value": DEK }]),
        "{v}"
    );

    // Body: exactly the 11 paragraphs, no boilerplate.
    let bodies = doc["bodies"].as_array().expect("bodies");
    assert_eq!(bodies.len(), 1, "{v}");
    let body = &bodies[0];
    assert_eq!(body["role"], "main", "{v}");
    assert_eq!(body[n.content_type], "text/plain", "{v}");
    assert_eq!(body[n.word_count], WORDS, "{v}");
    assert_eq!(body[n.char_count], CHARS, "{v}");
    let text = body["value"].as_str().expect("body text");
    let paragraphs: Vec<&str> = text.split("\n\n").collect();
    assert_eq!(paragraphs.len(), 11, "{v}: {paragraphs:#?}");
    assert_eq!(paragraphs[0], FIRST_PARAGRAPH, "{v}");
    assert_eq!(paragraphs[10], LAST_PARAGRAPH, "{v}");
    for junk in [
        "WhatsApp",
        "Topics :",
        "First Published",
        "syndicated feed",
        "min read",
    ] {
        assert!(!text.contains(junk), "{v}: body holds {junk:?}");
    }
    assert!(
        paragraphs
            .iter()
            .any(|p| p.starts_with("We need strong security guarantees")
                && p.contains("Telegram post")),
        "{v}: the Telegram post paragraph is body text"
    );

    // Agency, dateline, publisher.
    assert_eq!(doc["by"], "AP", "{v}");
    assert_eq!(doc["located"], "Kyiv", "{v}");
    assert_eq!(
        doc[n.info_sources],
        json!([
            { "name": "Associated Press", "literal": "AP", "role": "originator" },
            { "name": "Business Standard", "role": "publisher" },
        ]),
        "{v}"
    );

    // Topics (split from the run-together line), tag-line keywords, section and breadcrumb.
    assert_eq!(
        doc["subjects"],
        json!([
            { "name": "NATO", "rel": "topic" },
            { "name": "Vladimir Putin", "rel": "topic" },
            { "name": "Donald Trump", "rel": "topic" },
            { "name": "Zelenskyy", "rel": "topic" },
            { "name": "Russia Ukraine Conflict", "rel": "topic" },
            { "name": "Russia Ukraine conflict", "rel": "keyword" },
            { "name": "Russia Ukraine", "rel": "keyword" },
            { "name": "World News", "rel": "section", "uri": "urn:wirefeed:section:world-news" },
            { "name": "Home", "rel": "breadcrumb", "uri": "urn:wirefeed:breadcrumb:home" },
            {
                "name": "World News",
                "rel": "breadcrumb",
                "uri": "urn:wirefeed:breadcrumb:home/world-news"
            },
        ]),
        "{v}"
    );

    // Photo caption and credit.
    assert_eq!(
        doc["associations"],
        json!([{
            "name": "picture",
            "uri": format!("{uri}:picture"),
            "type": "picture",
            "descriptions": [{ "role": "caption", "value": CAPTION }],
            "by": "Shutterstock",
            n.copyright_holder: "Shutterstock",
        }]),
        "{v}"
    );

    // Entities, in order of first mention.
    assert_eq!(
        names(&doc, "people"),
        [
            "Donald Trump",
            "Vladimir Putin",
            "Volodymyr Zelenskyy",
            "Giuseppe Cavo Dragone",
            "Alexus Grynkewich"
        ],
        "{v}"
    );
    for p in doc["people"].as_array().unwrap() {
        assert_eq!(p["rel"], "mentioned", "{v}");
    }
    // "the White House" stands for the US presidency here.
    assert_eq!(names(&doc, "organisations"), ["NATO", "White House"], "{v}");
    let places: Vec<(String, Option<String>)> = doc["places"]
        .as_array()
        .expect("places")
        .iter()
        .map(|p| {
            assert_eq!(p["rel"], "mentioned", "{v}");
            assert_eq!(p[n.geojson]["type"], "Point", "{v}: {p}");
            (
                p["name"].as_str().expect("name").to_string(),
                p["literal"].as_str().map(str::to_string),
            )
        })
        .collect();
    let expected: Vec<(String, Option<String>)> = [
        ("Ukraine", Some("UA")),
        ("Russia", Some("RU")),
        ("Kyiv", Some("UA")),
        ("US", Some("US")),
        ("Europe", None), // a continent: no country code
        ("Alaska", Some("US")),
        ("Japan", Some("JP")),
        ("Australia", Some("AU")),
        ("Sumy", Some("UA")),
        ("Odesa", Some("UA")),
        ("Moscow", Some("RU")),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.map(str::to_string)))
    .collect();
    assert_eq!(places, expected, "{v}");
    let kyiv = doc["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Kyiv")
        .unwrap();
    assert_eq!(
        kyiv[n.geojson]["coordinates"],
        json!([30.5238, 50.4547]),
        "{v}"
    );

    // The extension: what ninjs has no field for.
    let ext = &doc["wirefeed"];
    assert_eq!(ext["section"], "World News", "{v}");
    assert_eq!(ext["breadcrumb"], json!(["Home", "World News"]), "{v}");
    assert_eq!(ext["item_date"], "2025-08-20", "{v}");
    assert_eq!(
        ext["keywords"],
        json!(["Russia Ukraine conflict", "Russia Ukraine"]),
        "{v}"
    );
    assert_eq!(
        ext["topics"],
        json!([
            "NATO",
            "Vladimir Putin",
            "Donald Trump",
            "Zelenskyy",
            "Russia Ukraine Conflict"
        ]),
        "{v}"
    );
    assert_eq!(ext["publisher"], "Business Standard", "{v}");
    assert_eq!(
        ext["agency"],
        json!({ "code": "AP", "name": "Associated Press" }),
        "{v}"
    );
    assert_eq!(ext["syndicated"], true, "{v}");
    assert_eq!(ext["read_time_minutes"], 2, "{v}");
    assert_eq!(ext["word_count"], WORDS, "{v}");
    assert_eq!(ext["char_count"], CHARS, "{v}");
    assert_eq!(ext["version_time"], TIME, "{v}");
    assert_eq!(ext["source_format"], "scraped-text", "{v}");
    assert_eq!(ext["dedup_key"], HEADLINE.to_lowercase(), "{v}");
    let fp = ext["fingerprint"].as_str().expect("fingerprint");
    assert!(
        fp.len() == 16
            && fp
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "{v}: fingerprint {fp}"
    );
    assert!(ext.get("near_duplicate_of").is_none(), "{v}");
    doc
}

#[test]
fn seed_ninjs_2_2() {
    let doc = assert_seed(&V2_2);
    assert!(doc.get("firstCreated").is_none());
}

#[test]
fn seed_ninjs_3_1() {
    let doc = assert_seed(&V3_1);
    assert!(doc.get("firstcreated").is_none());
}

#[test]
fn versions_agree_and_extension_is_opt_in() {
    let v2 = run(&["--ninjs", "2.2", "--extension"]);
    let v3 = run(&["--ninjs", "3.1", "--extension"]);
    assert_eq!(v2["uri"], v3["uri"]);
    assert_eq!(v2["wirefeed"], v3["wirefeed"]);
    let plain = run(&["--ninjs", "2.2"]);
    assert!(plain.get("wirefeed").is_none());
    let mut with = v2.as_object().unwrap().clone();
    with.remove("wirefeed");
    assert_eq!(Value::Object(with), plain);
    // The flag of the days when the extension was on by default still works.
    assert_eq!(run(&["--ninjs", "2.2", "--no-extension"]), plain);
}
