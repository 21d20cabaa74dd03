//! wirefeed's ninjs output validated against the official IPTC schemas.
//!
//! The official schemas are read at test time from `../shared/ninjs/ninjs-schema_2.2.json` and
//! `../shared/ninjs/ninjs-schema_3.1.json`, relative to `CARGO_MANIFEST_DIR` (the project's shared
//! folder beside the repository); they are not copied into the repository. The seed item is read
//! the same way from `../shared/seed/`.
//!
//! The tests run without network, so every `$ref` is resolved from a local registry:
//! - `https://geojson.org/schema/GeoJSON.json` (places' `geojson` / `geoJSON`) is served by
//!   `tests/fixtures/geojson-geometry.schema.json`, a small stand-in written for these tests that
//!   accepts any RFC 7946 geometry;
//! - the official schema is registered under its own `$id`, so the extension schemas in `docs/`
//!   (`wirefeed-ninjs-extension.schema.json` for 2.2, `wirefeed-ninjs-extension-3.1.schema.json`
//!   for 3.1), which `$ref` its `ninjsType`, resolve locally.
//!
//! The default output (no extension object) must be valid against the official schema as
//! published; output with the opt-in `wirefeed` extension must be valid against the extension
//! schema. Formats (`date-time`, `uri`, `date`) are checked too. `every_corpus_article_is_valid`
//! also reads every item of the shared corpus (`../shared/corpus`) at test time.

mod common;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use jsonschema::{Registry, Validator};
use serde_json::{Value, json};
use wirefeed::model::Article;
use wirefeed::ninjs::{self, NinjsVersion, RenderOptions};
use wirefeed::pipeline::{self, ParseOptions, RawInput};

/// The seed item, relative to the crate root.
const SEED: &str = "../shared/seed/000_4a15e63da7983562.txt";
/// Where the official ninjs schemas live, relative to the crate root.
const NINJS_DIR: &str = "../shared/ninjs";
/// The `$id` the ninjs schemas' places reference for GeoJSON.
const GEOJSON_ID: &str = "https://geojson.org/schema/GeoJSON.json";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The validators of one ninjs version.
struct Schemas {
    /// The official schema alone.
    official: Validator,
    /// The wirefeed extension schema (official `ninjsType` + the `wirefeed` object).
    extension: Validator,
}

fn build(version: &str, extension_file: &str) -> Schemas {
    let official_path = root()
        .join(NINJS_DIR)
        .join(format!("ninjs-schema_{version}.json"));
    let official = read_json(&official_path);
    let id = official["$id"]
        .as_str()
        .expect("the official schema has an $id")
        .trim_end_matches('#')
        .to_string();
    assert_eq!(
        id,
        format!("http://www.iptc.org/std/ninjs/ninjs-schema_{version}.json")
    );
    let geojson = read_json(&root().join("tests/fixtures/geojson-geometry.schema.json"));
    let registry = Registry::new()
        .add(GEOJSON_ID, geojson)
        .expect("GeoJSON stand-in registers")
        .add(id.as_str(), official.clone())
        .expect("official schema registers")
        .prepare()
        .expect("registry prepares");
    let options = || {
        jsonschema::options()
            .with_registry(&registry)
            .should_validate_formats(true)
            .offline()
    };
    let extension = read_json(&root().join("docs").join(extension_file));
    Schemas {
        official: options()
            .build(&official)
            .unwrap_or_else(|e| panic!("official {version} schema compiles: {e}")),
        extension: options()
            .build(&extension)
            .unwrap_or_else(|e| panic!("{extension_file} compiles: {e}")),
    }
}

static V2_2: LazyLock<Schemas> =
    LazyLock::new(|| build("2.2", "wirefeed-ninjs-extension.schema.json"));
static V3_1: LazyLock<Schemas> =
    LazyLock::new(|| build("3.1", "wirefeed-ninjs-extension-3.1.schema.json"));

fn schemas(version: NinjsVersion) -> &'static Schemas {
    match version {
        NinjsVersion::V2_2 => &V2_2,
        NinjsVersion::V3_1 => &V3_1,
    }
}

/// Every validation error of `doc`, one line each (instance path: message).
fn errors(validator: &Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The article's ninjs document as a JSON tree.
fn render(article: &Article, options: RenderOptions) -> Value {
    serde_json::to_value(ninjs::document(article, options)).expect("renders")
}

fn parse(payload: &[u8]) -> Vec<Article> {
    pipeline::parse_record(
        RawInput {
            payload,
            format_hint: None,
            record_time: None,
        },
        &ParseOptions::default(),
    )
    .unwrap_or_else(|e| panic!("parses: {e}"))
}

/// The seed article: every part of the mapping has a value.
fn seed() -> Article {
    let mut articles = parse(read(&root().join(SEED)).as_bytes());
    assert_eq!(articles.len(), 1);
    articles.remove(0)
}

const VERSIONS: [NinjsVersion; 2] = [NinjsVersion::V2_2, NinjsVersion::V3_1];

/// Asserts that the article is valid in both versions, with the extension against the extension
/// schema and without it against the official schema alone.
fn assert_valid(what: &str, article: &Article) {
    for version in VERSIONS {
        let s = schemas(version);
        let with = render(
            article,
            RenderOptions {
                version,
                extension: true,
            },
        );
        let without = render(
            article,
            RenderOptions {
                version,
                extension: false,
            },
        );
        assert!(with.get("wirefeed").is_some());
        assert!(without.get("wirefeed").is_none());
        let e = errors(&s.extension, &with);
        assert!(e.is_empty(), "{what}, {version:?} + extension: {e:#?}");
        let e = errors(&s.official, &without);
        assert!(e.is_empty(), "{what}, {version:?} official: {e:#?}");
        // The extension object is exactly what the official schema alone does not allow.
        assert!(
            !s.official.is_valid(&with),
            "{what}, {version:?}: the official schema must refuse the extension object"
        );
    }
}

#[test]
fn seed_is_valid_in_both_versions() {
    let article = seed();
    // The seed exercises every part of the mapping: check that it is all there.
    let doc = render(&article, RenderOptions::default());
    for key in [
        "descriptions",
        "infosources",
        "subjects",
        "people",
        "organisations",
        "places",
        "associations",
        "located",
        "by",
        "language",
    ] {
        assert!(doc.get(key).is_some(), "seed output lacks {key}");
    }
    assert_valid("seed", &article);
}

#[test]
fn bundled_samples_are_valid() {
    let mut valid = 0;
    for (name, bytes) in wirefeed::dev::SAMPLE {
        let result = pipeline::parse_record(
            RawInput {
                payload: bytes,
                format_hint: None,
                record_time: None,
            },
            &ParseOptions::default(),
        );
        match result {
            Ok(articles) => {
                for article in &articles {
                    assert_valid(name, article);
                    valid += 1;
                }
            }
            // The sample feed holds one deliberate dead letter.
            Err(e) => assert!(name.contains("corrupt"), "{name}: {e}"),
        }
    }
    assert_eq!(valid, wirefeed::dev::SAMPLE.len() - 1);
}

/// The scraped-parser layout variants in `tests/fixtures/scraped/`.
fn variant_fixtures() -> Vec<PathBuf> {
    let dir = root().join("tests/fixtures/scraped");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths
}

#[test]
fn scraped_variants_are_valid() {
    let paths = variant_fixtures();
    assert!(paths.len() >= 8, "{paths:?}");
    for path in paths {
        for article in parse(read(&path).as_bytes()) {
            assert_valid(&path.display().to_string(), &article);
        }
    }
}

/// Renders the seed, applies `edit`, and returns the errors against both schemas of `version`.
fn seed_errors_after(
    version: NinjsVersion,
    edit: impl Fn(&mut serde_json::Map<String, Value>),
) -> (Vec<String>, Vec<String>) {
    let article = seed();
    let s = schemas(version);
    let mut with = render(
        &article,
        RenderOptions {
            version,
            extension: true,
        },
    );
    let mut without = render(
        &article,
        RenderOptions {
            version,
            extension: false,
        },
    );
    edit(with.as_object_mut().expect("an object"));
    edit(without.as_object_mut().expect("an object"));
    (errors(&s.official, &without), errors(&s.extension, &with))
}

fn rename(obj: &mut serde_json::Map<String, Value>, from: &str, to: &str) {
    let v = obj
        .remove(from)
        .unwrap_or_else(|| panic!("output has {from}"));
    obj.insert(to.to_string(), v);
}

#[test]
fn wrongly_named_fields_are_caught() {
    // Top-level names that changed case between 2.x and 3.x.
    let cases: &[(NinjsVersion, &str, &str)] = &[
        (NinjsVersion::V2_2, "firstcreated", "firstCreated"),
        (NinjsVersion::V2_2, "versioncreated", "versionCreated"),
        (NinjsVersion::V2_2, "infosources", "infoSources"),
        (NinjsVersion::V3_1, "firstCreated", "firstcreated"),
        (NinjsVersion::V3_1, "pubStatus", "pubstatus"),
        (
            NinjsVersion::V3_1,
            "representationType",
            "representationtype",
        ),
    ];
    for &(version, from, to) in cases {
        let (official, extension) = seed_errors_after(version, |o| rename(o, from, to));
        assert!(!official.is_empty(), "{version:?}: {to} accepted");
        assert!(
            !extension.is_empty(),
            "{version:?} + extension: {to} accepted"
        );
    }
    // Nested names: the body's counts and a place's GeoJSON.
    let (official, _) = seed_errors_after(NinjsVersion::V2_2, |o| {
        let body = o["bodies"][0].as_object_mut().expect("a body");
        rename(body, "wordcount", "wordCount");
    });
    assert!(!official.is_empty(), "2.2 bodies[].wordCount accepted");
    let (official, _) = seed_errors_after(NinjsVersion::V3_1, |o| {
        let place = o["places"]
            .as_array_mut()
            .expect("places")
            .iter_mut()
            .find(|p| p.get("geoJSON").is_some())
            .expect("a place with coordinates");
        rename(
            place.as_object_mut().expect("a place"),
            "geoJSON",
            "geojson",
        );
    });
    assert!(!official.is_empty(), "3.1 places[].geojson accepted");
}

#[test]
fn wrong_values_are_caught() {
    let (official, _) = seed_errors_after(NinjsVersion::V2_2, |o| {
        o.insert("firstcreated".into(), json!("20 Aug 2025"));
    });
    assert!(!official.is_empty(), "a non-RFC 3339 date accepted");
    let (official, _) = seed_errors_after(NinjsVersion::V3_1, |o| {
        o.insert("pubStatus".into(), json!("published"));
    });
    assert!(!official.is_empty(), "pubStatus outside its enum accepted");
    // The GeoJSON stand-in really is consulted.
    let (official, _) = seed_errors_after(NinjsVersion::V2_2, |o| {
        o["places"][0]["geojson"] = json!({ "type": "Point", "coordinates": "Kyiv" });
    });
    assert!(!official.is_empty(), "a broken GeoJSON Point accepted");
}

#[test]
fn extension_object_is_checked() {
    for version in VERSIONS {
        let (_, extension) = seed_errors_after(version, |o| {
            if let Some(w) = o.get_mut("wirefeed") {
                w["fingerprint"] = json!("not hex");
            }
        });
        assert!(
            !extension.is_empty(),
            "{version:?}: a bad fingerprint accepted"
        );
        let (_, extension) = seed_errors_after(version, |o| {
            if let Some(w) = o.get_mut("wirefeed") {
                w["dedupKey"] = json!("x");
            }
        });
        assert!(
            !extension.is_empty(),
            "{version:?}: an unknown key accepted"
        );
        let (_, extension) = seed_errors_after(version, |o| {
            o.insert("foo".into(), json!("bar"));
        });
        assert!(
            !extension.is_empty(),
            "{version:?}: an undeclared top-level property accepted"
        );
    }
}

#[test]
fn places_are_longitude_first() {
    let doc = render(&seed(), RenderOptions::default());
    let kyiv = doc["places"]
        .as_array()
        .expect("places")
        .iter()
        .find(|p| p["name"] == "Kyiv")
        .expect("Kyiv");
    let c = &kyiv["geojson"]["coordinates"];
    let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
    assert!(
        (lon - 30.52).abs() < 0.1 && (lat - 50.45).abs() < 0.1,
        "{c}"
    );
}

#[test]
fn default_output_is_official_ninjs() {
    let article = seed();
    let config = wirefeed::config::Config::load(&wirefeed::config::Sources::default())
        .expect("the defaults load");
    assert!(!config.output.extension, "the extension is opt-in");
    for version in VERSIONS {
        let doc = render(
            &article,
            RenderOptions {
                version,
                extension: config.output.extension,
            },
        );
        assert!(doc.get("wirefeed").is_none());
        let e = errors(&schemas(version).official, &doc);
        assert!(e.is_empty(), "{version:?}: {e:#?}");
    }
}

/// The `subjects` entries of `rel`, as (name, uri).
fn subjects_of(doc: &Value, rel: &str) -> Vec<(String, Option<String>)> {
    doc["subjects"]
        .as_array()
        .expect("subjects")
        .iter()
        .filter(|s| s["rel"] == rel)
        .map(|s| {
            (
                s["name"].as_str().expect("a name").to_string(),
                s["uri"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn section_and_breadcrumb_are_subjects_with_scheme_uris() {
    let mut article = seed();
    let doc = render(&article, RenderOptions::default());
    let uri = |u: &str| Some(u.to_string());
    assert_eq!(
        subjects_of(&doc, "section"),
        [(
            "World News".to_string(),
            uri("urn:wirefeed:section:world-news")
        )]
    );
    assert_eq!(
        subjects_of(&doc, "breadcrumb"),
        [
            ("Home".to_string(), uri("urn:wirefeed:breadcrumb:home")),
            (
                "World News".to_string(),
                uri("urn:wirefeed:breadcrumb:home/world-news")
            ),
        ]
    );
    // Keywords stay subjects (ninjs 2.2 and 3.1 have no `keywords` property).
    assert_eq!(subjects_of(&doc, "keyword").len(), 2);
    assert!(doc.get("keywords").is_none());
    // Names outside ASCII are percent-encoded; a level without letters has no URI.
    article.item.section = Some("Économie & Finances".into());
    article.item.breadcrumb = vec!["Accueil".into(), "—".into(), "Économie".into()];
    let doc = render(&article, RenderOptions::default());
    assert_eq!(
        subjects_of(&doc, "section"),
        [(
            "Économie & Finances".to_string(),
            uri("urn:wirefeed:section:%C3%A9conomie-finances")
        )]
    );
    assert_eq!(
        subjects_of(&doc, "breadcrumb"),
        [
            (
                "Accueil".to_string(),
                uri("urn:wirefeed:breadcrumb:accueil")
            ),
            ("—".to_string(), None),
            (
                "Économie".to_string(),
                uri("urn:wirefeed:breadcrumb:accueil/%C3%A9conomie")
            ),
        ]
    );
    assert_valid("seed with a French section", &article);
}

#[test]
fn urgency_and_alert_are_rendered_and_valid() {
    let mut article = seed();
    let doc = render(&article, RenderOptions::default());
    assert!(doc.get("urgency").is_none() && doc.get("genres").is_none());
    article.urgency = Some(1);
    article.alert = true;
    for version in VERSIONS {
        let plain = render(
            &article,
            RenderOptions {
                version,
                extension: false,
            },
        );
        assert_eq!(plain["urgency"], 1, "{version:?}");
        assert_eq!(
            plain["genres"],
            json!([{ "name": "Alert", "literal": "alert", "uri": "urn:wirefeed:genre:alert" }]),
            "{version:?}"
        );
        let with = render(
            &article,
            RenderOptions {
                version,
                extension: true,
            },
        );
        assert_eq!(with["wirefeed"]["alert"], true, "{version:?}");
    }
    assert_valid("seed as an urgent alert", &article);
    // ninjs urgency is 1 to 9: anything else is left out rather than made invalid.
    for urgency in [0, 10] {
        article.urgency = Some(urgency);
        let doc = render(&article, RenderOptions::default());
        assert!(doc.get("urgency").is_none(), "urgency {urgency} written");
    }
}

/// Every article of the shared corpus, in both versions: the default output against the official
/// schema, the extension output against the extension schema.
#[test]
fn every_corpus_article_is_valid() {
    let mut checked = 0;
    for (path, articles) in common::corpus_articles() {
        for article in &articles {
            assert_valid(&path.display().to_string(), article);
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked} corpus articles checked");
}
