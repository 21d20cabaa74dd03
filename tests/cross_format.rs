//! The same item in two formats gives the same article: Business Wire releases as NewsML 1.2 and
//! as IPTC's ninjs 2.1 / 3.0 renderings of them (read from `../shared/corpus/iptc/newsinjson`).
//! The ninjs examples carry only the lead paragraph, so their body must be the NewsML body's first
//! paragraph; headline and publication time must be equal. (The dpa digitalwires / IPTC 7901
//! pairs are checked in `formats_text_corpus.rs`.)

use wirefeed::model::Article;
use wirefeed::pipeline::{ParseOptions, RawInput, parse_record};

const EXAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/iptc/newsinjson/examples"
);

fn article(path: &str) -> Article {
    let bytes =
        std::fs::read(format!("{EXAMPLES}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut articles = parse_record(
        RawInput {
            payload: &bytes,
            format_hint: None,
            record_time: None,
        },
        &ParseOptions::default(),
    )
    .unwrap_or_else(|r| panic!("{path}: {r}"));
    assert_eq!(articles.len(), 1, "{path}");
    articles.remove(0)
}

#[test]
fn business_wire_newsml_and_ninjs_agree() {
    for id in ["20130731006140", "20130605006126"] {
        let newsml = article(&format!("NewsML/businesswire-newsml-{id}.xml"));
        for version in ["2.1", "3.0"] {
            let ninjs = article(&format!("{version}/businesswire-newsml-{id}.json"));
            let what = format!("{id} ninjs {version}");
            assert_eq!(
                ninjs.item.headline, newsml.item.headline,
                "{what}: headline"
            );
            assert_eq!(
                ninjs.published, newsml.published,
                "{what}: publication time"
            );
            assert_eq!(ninjs.dedup_key, newsml.dedup_key, "{what}: dedup key");
            assert_eq!(
                ninjs.item.body[0], newsml.item.body[0],
                "{what}: lead paragraph"
            );
            assert!(
                newsml.item.body.len() > 1,
                "{what}: the NewsML body is the full release"
            );
        }
    }
}
