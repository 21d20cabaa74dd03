//! NITF 2.x / 3.x (News Industry Text Format), with or without a namespace.
//!
//! Read: `body.head/hedline/hl1` (else `head/title`) as headline, `hl2` (else `abstract`) as
//! summary, `byline` (its `person`, else its text without "By "), `dateline` (`location`, else
//! the text before the first comma; `story.date@norm` as a time fallback),
//! `docdata`: `doc-id@id-string` (source id), `date.issue@norm` (first created),
//! `date.release@norm` (version created), `key-list/keyword@key` (keywords),
//! `doc.copyright@holder`, plus `distributor` for the agency; `tobject.subject` (detail, else
//! matter, else type) as topics; `body.content` as paragraphs (embedded `media` is left out of
//! the text; the first image caption becomes the picture).

use crate::formats::agency::agency_in;
use crate::formats::error::{FormatError, require_text};
use crate::formats::markup::element_to_paragraphs;
use crate::formats::textutil::{parse_iso, push_unique};
use crate::formats::xml::{Element, parse_document, root_name};
use crate::model::{ParsedItem, Picture};

/// True when the root element is `nitf`.
pub fn sniff(input: &str) -> bool {
    root_name(input).is_some_and(|(name, _)| name.eq_ignore_ascii_case("nitf"))
}

/// Parses an NITF document into one item.
///
/// # Errors
/// [`FormatError::Malformed`] for broken XML, [`FormatError::WrongFormat`] when the root is not
/// `nitf`, [`FormatError::NoHeadline`] / [`FormatError::NoBody`] for an item without either.
pub fn parse(input: &str) -> Result<Vec<ParsedItem>, FormatError> {
    let root = parse_document(input)?;
    if !root.is("nitf") {
        return Err(FormatError::WrongFormat(format!(
            "root element <{}> is not nitf",
            root.name
        )));
    }
    parse_nitf(&root).map(|p| vec![p])
}

/// Reads one `nitf` element (also used for NITF carried inside NewsML).
pub(crate) fn parse_nitf(root: &Element) -> Result<ParsedItem, FormatError> {
    let head = root.child("head");
    let body = root.child("body");
    let body_head = body.and_then(|b| b.child("body.head"));
    let docdata = head.and_then(|h| h.child("docdata"));
    let mut p = ParsedItem {
        headline: body_head
            .and_then(|bh| bh.path(&["hedline", "hl1"]))
            .and_then(Element::text_nonempty)
            .or_else(|| {
                head.and_then(|h| h.child("title"))
                    .and_then(Element::text_nonempty)
            })
            .unwrap_or_default(),
        ..ParsedItem::default()
    };
    p.summary = body_head
        .and_then(|bh| bh.path(&["hedline", "hl2"]))
        .and_then(Element::text_nonempty)
        .or_else(|| {
            body_head
                .and_then(|bh| bh.child("abstract"))
                .map(|a| element_to_paragraphs(a).join(" "))
                .filter(|s| !s.is_empty())
        });
    if let Some(bh) = body_head {
        p.byline = bh.children_named("byline").find_map(|b| {
            b.child("person")
                .and_then(Element::text_nonempty)
                .or_else(|| {
                    let t = b.text();
                    let t = t
                        .strip_prefix("By ")
                        .or_else(|| t.strip_prefix("by "))
                        .unwrap_or(&t);
                    Some(t.trim().to_owned()).filter(|s| !s.is_empty())
                })
        });
        if let Some(d) = bh.child("dateline") {
            p.dateline = d
                .child("location")
                .and_then(Element::text_nonempty)
                .or_else(|| {
                    let t = d.text();
                    let place = t.split(',').next().unwrap_or("").trim().to_owned();
                    Some(place).filter(|s| !s.is_empty() && s.chars().count() <= 60)
                });
            if let Some(sd) = d.child("story.date") {
                p.first_created = sd
                    .attr("norm")
                    .and_then(parse_iso)
                    .or_else(|| parse_iso(&sd.text()));
            }
        }
        p.agency = bh
            .child("distributor")
            .and_then(Element::text_nonempty)
            .and_then(|d| agency_in(&d));
    }
    if let Some(dd) = docdata {
        p.source_uri = dd
            .child("doc-id")
            .and_then(|d| d.attr_nonempty("id-string"));
        if let Some(t) = dd
            .child("date.issue")
            .and_then(|d| d.attr("norm"))
            .and_then(parse_iso)
        {
            p.first_created = Some(t);
        }
        p.version_created = dd
            .child("date.release")
            .and_then(|d| d.attr("norm"))
            .and_then(parse_iso);
        if let Some(kl) = dd.child("key-list") {
            for k in kl.children_named("keyword") {
                if let Some(key) = k.attr_nonempty("key") {
                    push_unique(&mut p.keywords, key);
                }
            }
        }
        if p.agency.is_none() {
            p.agency = dd
                .child("doc.copyright")
                .and_then(|c| c.attr_nonempty("holder"))
                .and_then(|h| agency_in(&h));
        }
        p.source_version = dd
            .child("du-key")
            .and_then(|d| d.attr("version"))
            .and_then(|v| v.trim().parse().ok());
        p.urgency = dd
            .child("urgency")
            .and_then(|u| u.attr("ed-urg"))
            .and_then(crate::formats::textutil::urgency);
    }
    if let Some(h) = head {
        for t in h.children_named("tobject") {
            for s in t.children_named("tobject.subject") {
                let label = s
                    .attr_nonempty("tobject.subject.detail")
                    .or_else(|| s.attr_nonempty("tobject.subject.matter"))
                    .or_else(|| s.attr_nonempty("tobject.subject.type"))
                    .or_else(|| s.attr_nonempty("tobject.subject.refnum"));
                if let Some(l) = label {
                    push_unique(&mut p.topics, l);
                }
            }
        }
        if p.language.is_none() {
            p.language = h
                .children_named("meta")
                .find(|m| {
                    m.attr("name")
                        .is_some_and(|n| n.eq_ignore_ascii_case("language"))
                })
                .and_then(|m| m.attr_nonempty("content"));
        }
    }
    p.language = p.language.or_else(|| {
        [
            Some(root),
            head,
            body,
            body.and_then(|b| b.child("body.content")),
        ]
        .into_iter()
        .flatten()
        .find_map(|e| {
            e.attr_nonempty("xml:lang")
                .or_else(|| e.attr_nonempty("lang"))
        })
    });

    if let Some(content) = body.and_then(|b| b.child("body.content")) {
        p.body = element_to_paragraphs(content);
        let mut media = Vec::new();
        content.find_all("media", &mut media);
        p.picture = media
            .iter()
            .filter(|m| {
                m.attr("media-type")
                    .is_none_or(|t| t.eq_ignore_ascii_case("image"))
            })
            .find_map(|m| {
                let caption = m.child("media-caption").and_then(Element::text_nonempty)?;
                Some(Picture {
                    caption,
                    credit: m.child("media-producer").and_then(Element::text_nonempty),
                })
            });
    }
    require_text(&p.headline, &p.body, false)?;
    // A headline without a body is an alert (flash, bulletin): news all the same.
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<?xml version="1.0"?>
<nitf xmlns="http://iptc.org/std/NITF/2006-10-18/" xml:lang="en-GB">
 <head><title>Title fallback</title>
  <tobject tobject.type="News"><tobject.subject tobject.subject.refnum="15000000" tobject.subject.type="Sport" tobject.subject.matter="Cricket"/></tobject>
  <docdata><doc-id id-string="PA.123"/><urgency ed-urg="3"/>
   <date.issue norm="20240102T101500Z"/><date.release norm="2024-01-02T11:00:00+01:00"/>
   <doc.copyright holder="Press Association"/>
   <key-list><keyword key="cricket"/><keyword key="ashes"/></key-list></docdata>
 </head>
 <body><body.head>
  <hedline><hl1>England win &amp; celebrate</hl1><hl2>Second deck</hl2></hedline>
  <byline>By <person>John Smith</person>, <byttl>PA</byttl></byline>
  <distributor>Reuters</distributor>
  <dateline><location>LONDON</location>, <story.date norm="20240102T090000Z">Jan 2</story.date></dateline>
 </body.head>
 <body.content><p>Lead paragraph.</p>
  <media media-type="image"><media-reference source="x.jpg"/><media-caption>A caption</media-caption><media-producer>PA</media-producer></media>
  <hl2>Subhead</hl2><p>Second paragraph.</p></body.content></body></nitf>"#;

    #[test]
    fn reads_nitf() {
        assert!(sniff(DOC));
        let p = &parse(DOC).unwrap()[0];
        assert_eq!(p.headline, "England win & celebrate");
        assert_eq!(p.summary.as_deref(), Some("Second deck"));
        assert_eq!(p.byline.as_deref(), Some("John Smith"));
        assert_eq!(p.dateline.as_deref(), Some("LONDON"));
        assert_eq!(
            p.body,
            vec!["Lead paragraph.", "Subhead", "Second paragraph."]
        );
        assert_eq!(p.keywords, vec!["cricket", "ashes"]);
        assert_eq!(p.topics, vec!["Cricket"]);
        assert_eq!(p.source_uri.as_deref(), Some("PA.123"));
        assert_eq!(p.language.as_deref(), Some("en-GB"));
        assert_eq!(p.agency.as_ref().unwrap().code, "Reuters");
        assert_eq!(p.picture.as_ref().unwrap().caption, "A caption");
        assert_eq!(
            p.first_created.unwrap().to_rfc3339(),
            "2024-01-02T10:15:00+00:00"
        );
        assert_eq!(
            p.version_created.unwrap().to_rfc3339(),
            "2024-01-02T10:00:00+00:00"
        );
    }

    #[test]
    fn errors() {
        let no_body = DOC
            .replace("<p>Lead paragraph.</p>", "")
            .replace("<hl2>Subhead</hl2><p>Second paragraph.</p>", "");
        let no_body = no_body.replace("<media-caption>A caption</media-caption>", "");
        // Headline-only: an alert with the document's urgency.
        let alert = &parse(&no_body).unwrap()[0];
        assert!(alert.body.is_empty());
        assert_eq!(alert.urgency, Some(3));
        assert!(matches!(
            parse("<nitf><head>"),
            Err(FormatError::Malformed(_))
        ));
        assert!(matches!(
            parse("<NewsML/>"),
            Err(FormatError::WrongFormat(_))
        ));
    }
}
