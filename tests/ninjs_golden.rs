//! Golden digests of the ninjs output over every item of the shared corpus (`../shared/corpus`,
//! read at test time): each corpus file's articles rendered in ninjs 2.2 and 3.1, with and
//! without the extension object, hashed (xxh3-64 over the bytes of every article of the file,
//! one line each) and compared with `tests/golden/ninjs-corpus.tsv`.
//!
//! A change to parsing, enrichment or rendering that alters any output byte fails here, naming
//! the files and profiles. When the change is deliberate, rewrite the digests with
//! `WIREFEED_BLESS=1 cargo test --test ninjs_golden` and say why in the commit.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use wirefeed::ninjs::{self, NinjsVersion, RenderOptions};
use xxhash_rust::xxh3::Xxh3;

/// The digests file, relative to the crate root.
const GOLDEN: &str = "tests/golden/ninjs-corpus.tsv";

/// The four profiles, in the column order of the digests file.
const PROFILES: [(&str, RenderOptions); 4] = [
    (
        "2.2",
        RenderOptions {
            version: NinjsVersion::V2_2,
            extension: false,
        },
    ),
    (
        "2.2+extension",
        RenderOptions {
            version: NinjsVersion::V2_2,
            extension: true,
        },
    ),
    (
        "3.1",
        RenderOptions {
            version: NinjsVersion::V3_1,
            extension: false,
        },
    ),
    (
        "3.1+extension",
        RenderOptions {
            version: NinjsVersion::V3_1,
            extension: true,
        },
    ),
];

/// Corpus path → one digest per profile, for every corpus file that gives articles.
fn digests() -> BTreeMap<String, [String; 4]> {
    let root = Path::new(common::CORPUS);
    let mut out = BTreeMap::new();
    for (path, articles) in common::corpus_articles() {
        let row = PROFILES.map(|(_, options)| {
            let mut hasher = Xxh3::new();
            for article in &articles {
                hasher.update(&ninjs::to_vec(article, options).expect("renders"));
                hasher.update(b"\n");
            }
            format!("{:016x}", hasher.digest())
        });
        let rel = path.strip_prefix(root).unwrap().display().to_string();
        out.insert(rel, row);
    }
    out
}

fn to_tsv(digests: &BTreeMap<String, [String; 4]>) -> String {
    let mut tsv = String::from("# corpus file");
    for (name, _) in PROFILES {
        write!(tsv, "\t{name}").unwrap();
    }
    tsv.push('\n');
    for (path, row) in digests {
        writeln!(tsv, "{path}\t{}", row.join("\t")).unwrap();
    }
    tsv
}

#[test]
fn corpus_output_matches_golden_digests() {
    let actual = digests();
    assert!(
        actual.len() > 150,
        "{} corpus files gave articles",
        actual.len()
    );
    let golden_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("WIREFEED_BLESS").is_some() {
        std::fs::create_dir_all(golden_path.parent().unwrap()).unwrap();
        std::fs::write(&golden_path, to_tsv(&actual)).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&golden_path)
        .unwrap_or_else(|e| panic!("{}: {e}", golden_path.display()));
    let mut differences = Vec::new();
    let mut expected: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in golden.lines().filter(|l| !l.starts_with('#')) {
        let mut fields = line.split('\t');
        let path = fields.next().unwrap_or_default();
        expected.insert(path, fields.collect());
    }
    for (path, row) in &actual {
        match expected.remove(path.as_str()) {
            None => differences.push(format!("{path}: new (no golden digest)")),
            Some(golden_row) => {
                for (i, (name, _)) in PROFILES.iter().enumerate() {
                    if golden_row.get(i) != Some(&row[i].as_str()) {
                        differences.push(format!("{path}: {name} output changed"));
                    }
                }
            }
        }
    }
    for path in expected.keys() {
        differences.push(format!("{path}: gives no articles any more"));
    }
    assert!(
        differences.is_empty(),
        "{} differences from {GOLDEN} (WIREFEED_BLESS=1 rewrites it):\n{}",
        differences.len(),
        differences.join("\n")
    );
}
