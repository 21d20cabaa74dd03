//! Property tests: no parser panics on arbitrary text or on truncated / mutated documents.

#![allow(clippy::let_underscore_must_use)] // results are discarded on purpose: only "no panic" is tested

use proptest::prelude::*;

const G2: &str = r#"<?xml version="1.0"?><newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet><newsItem guid="g" version="1"><itemMeta><itemClass qcode="ninat:text"/><provider literal="AP"/><firstCreated>2024-01-01T00:00:00Z</firstCreated></itemMeta><contentMeta><headline>H &amp; h</headline><by>B</by><located><name>X</name></located><subject qcode="a:b"><name>S</name></subject></contentMeta><contentSet><inlineXML contenttype="application/xhtml+xml"><html><body><p>One</p><ul><li>i</li></ul><table><tr><td>a</td><td>b</td></tr></table></body></html></inlineXML></contentSet></newsItem></itemSet></newsMessage>"#;
const NITF: &str = r#"<nitf><head><docdata><doc-id id-string="x"/><date.issue norm="20240101T000000Z"/></docdata></head><body><body.head><hedline><hl1>H</hl1></hedline><byline>By <person>P</person></byline><dateline><location>L</location></dateline></body.head><body.content><p>A &#8212; b</p></body.content></body></nitf>"#;
const NEWSML1: &str = r#"<NewsML><NewsItem><Identification><NewsIdentifier><NewsItemId>1</NewsItemId><RevisionId>2</RevisionId></NewsIdentifier></Identification><NewsManagement><FirstCreated>20240101T000000Z</FirstCreated></NewsManagement><NewsComponent><NewsLines><HeadLine>H</HeadLine></NewsLines><ContentItem><MediaType FormalName="Text"/><DataContent><![CDATA[<p>x</p>]]></DataContent></ContentItem></NewsComponent></NewsItem></NewsML>"#;
const RSS: &str = r#"<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>T</title><item><title>I</title><description>&lt;p&gt;d&lt;/p&gt;</description><pubDate>Tue, 02 Jan 2024 10:15:00 +0530</pubDate></item></channel></rss>"#;
const ATOM: &str = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><title>E</title><id>i</id><content type="html">&lt;p&gt;c&lt;/p&gt;</content></entry></feed>"#;
const MAIL: &str = "From: =?UTF-8?Q?J=C3=B6?= <a@b.c>\nSubject: =?UTF-8?B?SMOp?=\nDate: Tue, 2 Jan 2024 10:15:00 +0000\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nA=C3=A9\n--b\nContent-Type: text/html\nContent-Transfer-Encoding: base64\n\nPHA+eDwvcD4=\n--b--\n";
const HTML: &str = "<html><head><script>x</script></head><body><p>a&nbsp;b<br><br>c</p><!-- c --><table><tr><td>1<td>2</table></body></html>";

fn all(input: &str) {
    let _ = wirefeed::formats::newsml_g2::sniff(input);
    let _ = wirefeed::formats::newsml_g2::parse(input);
    let _ = wirefeed::formats::nitf::sniff(input);
    let _ = wirefeed::formats::nitf::parse(input);
    let _ = wirefeed::formats::newsml1::sniff(input);
    let _ = wirefeed::formats::newsml1::parse(input);
    let _ = wirefeed::formats::feed::sniff(input);
    let _ = wirefeed::formats::feed::parse(input);
    let _ = wirefeed::formats::email::sniff(input);
    let _ = wirefeed::formats::email::parse(input);
    let _ = wirefeed::formats::email::parse_bytes(input.as_bytes());
    let _ = wirefeed::formats::markup::html_to_paragraphs(input);
    let _ = wirefeed::formats::entities::decode_entities(input);
}

fn fixture() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![G2, NITF, NEWSML1, RSS, ATOM, MAIL, HTML])
}

fn cut(s: &str, at: usize) -> &str {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    &s[..at]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text(s in "\\PC{0,300}") {
        all(&s);
    }

    #[test]
    fn markup_like_text(s in "[<>/&;#a-z0-9 =\"'!?\\-\\[\\]]{0,300}") {
        all(&s);
    }

    #[test]
    fn truncated_fixtures(f in fixture(), at in 0usize..2000) {
        all(cut(f, at));
    }

    #[test]
    fn mutated_fixtures(f in fixture(), at in 0usize..2000, insert in "[<>&;/\"]{1,3}|\\PC{1,5}", del in 0usize..8) {
        let start = cut(f, at).len();
        let end = cut(f, start + del).len();
        let mut s = String::from(&f[..start]);
        s.push_str(&insert);
        s.push_str(&f[end..]);
        all(&s);
    }
}

#[test]
fn fixtures_parse() {
    assert!(wirefeed::formats::newsml_g2::parse(G2).is_ok());
    assert!(wirefeed::formats::nitf::parse(NITF).is_ok());
    assert!(wirefeed::formats::newsml1::parse(NEWSML1).is_ok());
    assert!(wirefeed::formats::feed::parse(RSS).is_ok());
    assert!(wirefeed::formats::feed::parse(ATOM).is_ok());
    assert!(wirefeed::formats::email::parse(MAIL).is_ok());
}

#[test]
fn deep_and_large_inputs_are_bounded() {
    let deep = "<a>".repeat(100_000);
    assert!(wirefeed::formats::newsml_g2::parse(&deep).is_err());
    let feed_deep = format!("<rss><channel>{}", "<x>".repeat(100_000));
    assert!(matches!(
        wirefeed::formats::feed::parse(&feed_deep),
        Err(wirefeed::formats::FormatError::Malformed(_))
    ));
    let html_deep = "<div>".repeat(100_000) + "x";
    assert_eq!(
        wirefeed::formats::markup::html_to_paragraphs(&html_deep),
        vec!["x"]
    );
    let big = format!("<nitf>{}</nitf>", "a".repeat(17 * 1024 * 1024));
    assert!(matches!(
        wirefeed::formats::nitf::parse(&big),
        Err(wirefeed::formats::FormatError::Malformed(_))
    ));
}
