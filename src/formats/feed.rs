//! RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom feeds, read with the `feed-rs` crate: one
//! [`ParsedItem`] per entry.
//!
//! Per entry: title → headline; summary/description → summary; content (else the summary) →
//! body paragraphs, HTML cleaned by [`crate::formats::markup::html_to_paragraphs`]; published → first
//! created, updated → version created; authors → byline (and agency when an author is one);
//! categories → topics; the entry id (guid) or else its first link → source URI; the feed's
//! title → publisher; the feed's language → language. Entries without a title are skipped;
//! a feed with no usable entry gives [`FormatError::NotNews`]. An HTML page (e.g. a saved 404
//! page named `.rss`) is rejected with [`FormatError::NotNews`] before any feed parsing.
//!
//! The input is already decoded text, so the XML declaration's `encoding` is rewritten to
//! UTF-8 before it is handed to `feed-rs` (which would otherwise decode the UTF-8 bytes again
//! as, say, ISO-8859-1).

use std::borrow::Cow;

use feed_rs::model::{Entry, Feed, Text};

use crate::formats::agency::agency_in;
use crate::formats::error::FormatError;
use crate::formats::markup::html_to_paragraphs;
use crate::formats::textutil::{collapse_ws, push_unique, text_paragraphs};
use crate::formats::xml::{MAX_INPUT, root_name};
use crate::model::ParsedItem;

/// True when the root element is `rss`, `rdf:RDF` or Atom `feed`.
pub fn sniff(input: &str) -> bool {
    root_name(input).is_some_and(|(name, _)| is_feed_root(&name))
}

/// Parses a feed into one item per entry with a title.
///
/// # Errors
/// [`FormatError::NotNews`] for HTML pages and feeds without usable entries,
/// [`FormatError::WrongFormat`] for other XML, [`FormatError::Malformed`] when `feed-rs` cannot
/// read the document.
pub fn parse(input: &str) -> Result<Vec<ParsedItem>, FormatError> {
    if input.len() > MAX_INPUT {
        return Err(FormatError::Malformed(format!(
            "feed of {} bytes exceeds the {MAX_INPUT} byte limit",
            input.len()
        )));
    }
    let trimmed = input.trim_start_matches('\u{feff}').trim_start();
    let head: String = trimmed
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return Err(FormatError::NotNews("an HTML page, not a feed".into()));
    }
    match root_name(trimmed) {
        Some((name, _)) if is_feed_root(&name) => {}
        Some((name, _)) if name.eq_ignore_ascii_case("html") => {
            return Err(FormatError::NotNews("an HTML page, not a feed".into()));
        }
        Some((name, _)) => {
            return Err(FormatError::WrongFormat(format!(
                "root element <{name}> is not a feed"
            )));
        }
        None => {
            return Err(FormatError::WrongFormat(
                "not an XML document with a root element".into(),
            ));
        }
    }
    crate::formats::xml::check_structure(trimmed)?;
    let source = utf8_declaration(trimmed);
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|_, _, _| String::new())
        .build();
    let feed = parser
        .parse(source.as_bytes())
        .map_err(|e| FormatError::Malformed(format!("feed: {e}")))?;
    let items: Vec<ParsedItem> = feed
        .entries
        .iter()
        .filter_map(|e| entry_item(&feed, e))
        .collect();
    if items.is_empty() {
        return Err(FormatError::NotNews(format!(
            "feed has no usable entries ({} entries without title or text)",
            feed.entries.len()
        )));
    }
    Ok(items)
}

fn is_feed_root(name: &str) -> bool {
    matches!(name, "rss" | "RDF" | "feed")
}

/// Replaces the `encoding="..."` of a leading XML declaration by UTF-8.
fn utf8_declaration(s: &str) -> Cow<'_, str> {
    if !s.starts_with("<?xml") {
        return Cow::Borrowed(s);
    }
    let Some(end) = s.find("?>") else {
        return Cow::Borrowed(s);
    };
    let decl = &s[..end];
    let Some(pos) = decl.find("encoding") else {
        return Cow::Borrowed(s);
    };
    let after = &decl[pos + "encoding".len()..];
    let Some(q_off) = after.find(['"', '\'']) else {
        return Cow::Borrowed(s);
    };
    let quote = after.as_bytes()[q_off] as char;
    let value_start = pos + "encoding".len() + q_off + 1;
    let Some(len) = decl[value_start..].find(quote) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..value_start]);
    out.push_str("UTF-8");
    out.push_str(&s[value_start + len..]);
    Cow::Owned(out)
}

fn is_html(t: &Text) -> bool {
    let sub = t.content_type.subty().as_str().to_ascii_lowercase();
    sub.contains("html") || t.content.contains("</") || t.content.contains("/>")
}

fn paragraphs(t: &Text) -> Vec<String> {
    if is_html(t) {
        html_to_paragraphs(&t.content)
    } else {
        text_paragraphs(&t.content, false)
    }
}

fn one_line(t: &Text) -> String {
    if is_html(t) {
        html_to_paragraphs(&t.content).join(" ")
    } else {
        collapse_ws(&t.content)
    }
}

fn entry_item(feed: &Feed, e: &Entry) -> Option<ParsedItem> {
    let headline = e.title.as_ref().map(one_line).unwrap_or_default();
    if headline.is_empty() {
        return None;
    }
    let summary_paras = e.summary.as_ref().map(paragraphs).unwrap_or_default();
    let content_paras = e
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .map(html_to_paragraphs)
        .unwrap_or_default();
    let summary = Some(summary_paras.join(" ")).filter(|s| !s.is_empty());
    let body = if content_paras.is_empty() {
        summary_paras
    } else {
        content_paras
    };
    let names: Vec<String> = e
        .authors
        .iter()
        .filter_map(|a| a.name.as_deref().map(collapse_ws))
        .filter(|n| !n.is_empty())
        .collect();
    let mut topics = Vec::new();
    for c in &e.categories {
        let label = c.label.as_deref().unwrap_or(&c.term).trim();
        if !label.is_empty() {
            push_unique(&mut topics, label.to_owned());
        }
    }
    let source_uri = Some(e.id.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| e.links.first().map(|l| l.href.trim().to_owned()))
        .filter(|s| !s.is_empty());
    Some(ParsedItem {
        headline,
        summary,
        body,
        first_created: e.published.or(e.updated),
        version_created: e.updated,
        topics,
        agency: names.iter().find_map(|n| agency_in(n)),
        byline: Some(names.join(", ")).filter(|s| !s.is_empty()),
        publisher: feed.title.as_ref().map(one_line).filter(|s| !s.is_empty()),
        language: feed
            .language
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
        source_uri,
        ..ParsedItem::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Example News</title><link>https://example.com/</link><language>en-in</language>
<item><title>Markets rally &amp; close higher</title><link>https://example.com/a</link>
<guid>https://example.com/a?id=1</guid><dc:creator>PTI</dc:creator>
<category>Markets</category><category>Economy</category>
<description><![CDATA[<p>Sensex rose 1%.</p><img src="t.gif" width="1" height="1"/><p>Nifty – too.</p>]]></description>
<pubDate>Tue, 02 Jan 2024 10:15:00 +0530</pubDate></item>
<item><description>no title</description></item>
</channel></rss>"#;

    #[test]
    fn reads_rss_items() {
        assert!(sniff(RSS));
        let items = parse(RSS).unwrap();
        assert_eq!(items.len(), 1);
        let p = &items[0];
        assert_eq!(p.headline, "Markets rally & close higher");
        assert_eq!(p.body, vec!["Sensex rose 1%.", "Nifty – too."]);
        assert_eq!(p.summary.as_deref(), Some("Sensex rose 1%. Nifty – too."));
        assert_eq!(p.topics, vec!["Markets", "Economy"]);
        assert_eq!(p.byline.as_deref(), Some("PTI"));
        assert_eq!(p.agency.as_ref().unwrap().code, "PTI");
        assert_eq!(p.publisher.as_deref(), Some("Example News"));
        assert_eq!(p.language.as_deref(), Some("en-in"));
        assert_eq!(p.source_uri.as_deref(), Some("https://example.com/a?id=1"));
        assert_eq!(
            p.first_created.unwrap().to_rfc3339(),
            "2024-01-02T04:45:00+00:00"
        );
    }

    #[test]
    fn reads_atom() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:f</id>
<entry><title type="html">X &lt;b&gt;bold&lt;/b&gt;</title><id>urn:e1</id>
<updated>2024-01-02T10:00:00Z</updated><author><name>Jo</name></author>
<content type="html">&lt;p&gt;Body one&lt;/p&gt;</content><summary>Short</summary></entry></feed>"#;
        let p = &parse(atom).unwrap()[0];
        assert_eq!(p.headline, "X bold");
        assert_eq!(p.body, vec!["Body one"]);
        assert_eq!(p.summary.as_deref(), Some("Short"));
        assert_eq!(p.source_uri.as_deref(), Some("urn:e1"));
        assert_eq!(p.byline.as_deref(), Some("Jo"));
    }

    #[test]
    fn rejects_html_and_empty_feeds() {
        let page = "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>";
        assert!(!sniff(page));
        assert!(matches!(parse(page), Err(FormatError::NotNews(_))));
        let empty = r#"<rss version="2.0"><channel><title>x</title></channel></rss>"#;
        assert!(matches!(parse(empty), Err(FormatError::NotNews(_))));
        assert!(matches!(parse("<nitf/>"), Err(FormatError::WrongFormat(_))));
        assert!(parse(&RSS[..RSS.len() / 2]).is_err());
    }
}
