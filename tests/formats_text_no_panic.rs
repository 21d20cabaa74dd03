//! Property tests: no parser panics on arbitrary bytes or on mutations of small fixtures.

#![allow(clippy::let_underscore_must_use)] // results are discarded on purpose: only "no panic" is tested

use proptest::prelude::*;
use wirefeed::formats::{anpa, ap_json, charset, iptc7901, markup, ninjs_json as ninjs, scraped};

const FIXTURES: &[&str] = &[
    r#"{"uri":"u","type":"text","headline":"H","body_html":"<p>a &amp; b</p>","versioncreated":"2024-01-02T03:04:05+0000"}"#,
    r#"{"uri":"u","headlines":[{"role":"main","value":"H"}],"bodies":[{"role":"main","contentType":"text/html","value":"<p>x</p>"}]}"#,
    r#"{"api_version":"2","data":{"item":{"type":"text","headline":"H","versioncreated":"2019-07-03T04:05:12Z"}}}"#,
    r#"{"format":"digitalwires@1","headline":"H","dateline":"Berlin (dpa) - ","article_html":"<p>Text.</p>","version_created":"2024-09-25T10:37:24+02:00"}"#,
    "\u{16}\u{16}\u{1}a1\u{1f}x\nr i\u{13}\u{11} BC-EU--Talks 1stLd-Writethru 03-01 0420\n\u{2}BC-EU--Talks<\n^Head<\n^By JO=\n\t   KYIV, Ukraine (AP) _ Text.\n\u{3}AP-WF-03-01-24 1509GMT<\n\u{4}",
    "ZCZC AAP\n%A\n#Slug\n$Headline here\n:(BRISBANE)\nBody text.\n\nMore.\nNNNN",
    "zczc\nTI#Head\nPD#06 June 2016 14:00:00\nTX#\nBody.\nNNNN",
    "\u{1}eca062 4 i 211 ccccb   dpa 061\n\nKey/\n\u{2}1ST LEAD\nHead\nBy X =\n\nBerlin (dpa) - Text\nmore.\n\n\u{3}131137 GMT Nov 13\n\u{7f}\u{4}",
    r#"<!DOCTYPE html><html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":"H&amp;x","author":[{"name":"PTI"}],"datePublished":"2025-08-20T09:41:00+05:30"}</script><meta property="og:title" content="H"></head><body><nav>Home</nav><div class="breadcrumb">Home / World / H</div><article><h1>H</h1><figure><figcaption>Cap (Photo: PTI) AP Miami</figcaption></figure><p>Body text of the story, long enough to be kept by the extractor.</p><p>Advertisement</p><p>Topics :NATOTrump</p></article></body></html>"#,
    "# Headline\n\n## Dek\n\n* [Tag](/t)\n* [Tag2](/u)\n\n![cap](x.jpg)\n\n**AP Kyiv**\n\n> Quoted [link](/l) text.\n",
    r#"Headline\n\nDek with \"quotes\" and \u2019\ud83d\ude00\n\nAP Kyiv\n2 min read\nBody."#,
    "date 2025-08-20 Home / World / Head · Head · Dek text · AP Kyiv · 2 min read Last Updated : Aug 20 2025 | 3:57 PM IST · Body paragraph one. · Body two.",
];

fn run_all(text: &str) {
    let _ = ninjs::parse(text);
    let _ = ninjs::sniff(text);
    let _ = ap_json::parse(text);
    let _ = ap_json::sniff(text);
    let _ = anpa::parse(text);
    let _ = anpa::sniff(text);
    let _ = iptc7901::parse(text);
    let _ = iptc7901::sniff(text);
    let _ = markup::html_to_paragraphs(text);
    let _ = charset::clean_controls(text);
    let _ = scraped::parse(text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = charset::decode(&bytes, None);
        let _ = charset::decode(&bytes, Some("iso-8859-1"));
        let _ = charset::declared_charset(&bytes);
        run_all(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_strings(s in "\\PC{0,300}") {
        run_all(&s);
    }

    #[test]
    fn mutated_fixtures(
        idx in 0..FIXTURES.len(),
        cut in 0usize..400,
        pos in 0usize..400,
        insert in "[\\x00-\\x7f\u{80}-\u{ff}<>&;#:=^|\\n\\t]{0,8}",
    ) {
        let base = FIXTURES[idx];
        let mut chars: Vec<char> = base.chars().collect();
        let p = pos.min(chars.len());
        let c = cut.min(chars.len() - p).min(10);
        chars.splice(p..p + c, insert.chars());
        let s: String = chars.into_iter().collect();
        run_all(&s);
        // Truncations at every length of the same fixture.
        let t: String = base.chars().take(cut).collect();
        run_all(&t);
    }
}
