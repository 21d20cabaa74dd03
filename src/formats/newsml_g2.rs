//! IPTC NewsML-G2: a `newsMessage` (one [`ParsedItem`] per text `newsItem` in its `itemSet`)
//! or a bare `newsItem`.
//!
//! Read per item: `headline` (the first one without a `role`, else the first), `slugline`
//! (to keywords), `by`, `dateline` / `located` (the place), `subject` (`name`, else `literal`,
//! else `qcode`, to topics), `keyword`, `itemMeta/firstCreated` (else `contentMeta/contentCreated`)
//! and `versionCreated`, `newsItem@version`, `newsItem@guid`, the language (`contentMeta/language@tag`,
//! else `xml:lang`), `description` (summary), and the body from `inlineXML` (XHTML `body` or
//! NITF `body.content`) or plain-text `inlineData`. The agency comes from `provider`,
//! `creditline`, `copyrightHolder` or `infoSource` when one names a known agency.
//!
//! Pictures, video, audio, graphics, packages, planning, concept and knowledge items carry no
//! news text: a document holding only those gives [`FormatError::NotNews`].

use crate::formats::agency::agency_in;
use crate::formats::error::{FormatError, collect, require_text};
use crate::formats::markup::element_to_paragraphs;
use crate::formats::textutil::{parse_iso, push_unique, text_paragraphs};
use crate::formats::xml::{Element, parse_document, root_name};
use crate::model::ParsedItem;

/// Roots of NewsML-G2 documents that never carry a text story.
const NON_NEWS_ROOTS: &[&str] = &[
    "packageItem",
    "catalogItem",
    "planningItem",
    "conceptItem",
    "knowledgeItem",
    "catalog",
];

/// True when the document's root element is a NewsML-G2 `newsMessage`, `newsItem` or another
/// G2 item (`packageItem`, `planningItem`, `conceptItem`, `knowledgeItem`), which [`parse`]
/// rejects as not news.
pub fn sniff(input: &str) -> bool {
    match root_name(input) {
        Some((name, ns)) => {
            name == "newsMessage"
                || name == "newsItem"
                || (NON_NEWS_ROOTS.contains(&name.as_str())
                    && ns.is_some_and(|n| n.contains("iptc.org/std/nar")))
        }
        None => false,
    }
}

/// Parses a NewsML-G2 document into one item per text `newsItem`.
///
/// # Errors
/// [`FormatError::Malformed`] for broken XML, [`FormatError::WrongFormat`] for another XML
/// vocabulary, [`FormatError::NotNews`] when no text item is present, and the error of the
/// first text item when none of them parses ([`FormatError::NoHeadline`], [`FormatError::NoBody`]),
/// a broken item winning over a withdrawn one.
pub fn parse(input: &str) -> Result<Vec<ParsedItem>, FormatError> {
    let root = parse_document(input)?;
    let mut items: Vec<&Element> = Vec::new();
    if root.is("newsItem") {
        items.push(&root);
    } else if root.is("newsMessage") {
        root.find_all("newsItem", &mut items);
    } else if NON_NEWS_ROOTS.iter().any(|n| root.is(n)) {
        return Err(FormatError::NotNews(format!(
            "NewsML-G2 {} carries no news text",
            root.name
        )));
    } else {
        return Err(FormatError::WrongFormat(format!(
            "root element <{}> is not NewsML-G2",
            root.name
        )));
    }
    let mut results = Vec::new();
    let mut classes = Vec::new();
    for item in &items {
        let class = item
            .path(&["itemMeta", "itemClass"])
            .and_then(|c| c.attr("qcode"))
            .unwrap_or("")
            .to_ascii_lowercase();
        let class = class.rsplit(':').next().unwrap_or("").to_owned();
        if matches!(
            class.as_str(),
            "picture" | "video" | "audio" | "graphic" | "animated" | "interactive"
        ) {
            classes.push(class);
            continue;
        }
        if class != "text" && !has_text_content(item) {
            classes.push(if class.is_empty() {
                "untyped".into()
            } else {
                class
            });
            continue;
        }
        results.push(parse_item(item));
    }
    if !results.is_empty() {
        return collect(results.into_iter());
    }
    let other = {
        let mut others = Vec::new();
        for name in [
            "packageItem",
            "planningItem",
            "conceptItem",
            "knowledgeItem",
        ] {
            let mut v = Vec::new();
            root.find_all(name, &mut v);
            if !v.is_empty() {
                others.push(name.to_owned());
            }
        }
        others
    };
    classes.extend(other);
    classes.dedup();
    Err(FormatError::NotNews(if classes.is_empty() {
        "NewsML-G2 message holds no items".to_owned()
    } else {
        format!(
            "NewsML-G2 message holds no text item ({})",
            classes.join(", ")
        )
    }))
}

/// The first `inlineXML` or `inlineData` of the item's `contentSet`.
fn inline_content(item: &Element) -> Option<&Element> {
    let set = item.child("contentSet")?;
    set.elements()
        .find(|e| e.is("inlineXML") || e.is("inlineData"))
}

/// True when the item's inline content is prose: plain text, or markup with XHTML/NITF text
/// elements (composite items may carry event or sports data instead).
fn has_text_content(item: &Element) -> bool {
    match inline_content(item) {
        Some(i) if i.is("inlineData") => !i.text().is_empty(),
        Some(i) => ["nitf", "html", "body", "p"]
            .iter()
            .any(|n| i.find(n).is_some()),
        None => false,
    }
}

fn parse_item(item: &Element) -> Result<ParsedItem, FormatError> {
    let meta = item.child("itemMeta");
    let content = item.child("contentMeta");
    let mut p = ParsedItem {
        source_uri: item.attr_nonempty("guid"),
        source_version: item.attr("version").and_then(|v| v.trim().parse().ok()),
        ..ParsedItem::default()
    };
    let cm_time = |name: &str| {
        content
            .and_then(|c| c.child(name))
            .and_then(|e| parse_iso(&e.text()))
    };
    let im_time = |name: &str| {
        meta.and_then(|m| m.child(name))
            .and_then(|e| parse_iso(&e.text()))
    };
    p.urgency = content
        .and_then(|c| c.child("urgency"))
        .and_then(|u| crate::formats::textutil::urgency(&u.text()));
    p.version_created = im_time("versionCreated").or_else(|| cm_time("contentModified"));
    p.first_created = im_time("firstCreated")
        .or_else(|| cm_time("contentCreated"))
        .or(p.version_created);

    if let Some(c) = content {
        let headlines: Vec<&Element> = c.children_named("headline").collect();
        let main = headlines
            .iter()
            .find(|h| h.attr("role").is_none_or(|r| r.ends_with("main")))
            .or(headlines.first());
        p.headline = main.map(|h| h.text()).unwrap_or_default();
        p.summary = c
            .children_named("description")
            .find(|d| {
                d.attr("role")
                    .is_none_or(|r| r.contains("summary") || r.contains("abstract"))
            })
            .or_else(|| {
                headlines
                    .iter()
                    .copied()
                    .find(|h| h.attr("role").is_some_and(|r| r.contains("sub")))
            })
            .and_then(Element::text_nonempty);
        p.byline = c.children_named("by").find_map(Element::text_nonempty);
        p.dateline = c
            .child("located")
            .and_then(|l| {
                l.child("name")
                    .and_then(Element::text_nonempty)
                    .or_else(|| l.attr_nonempty("literal"))
            })
            .or_else(|| {
                c.child("dateline")
                    .and_then(Element::text_nonempty)
                    .map(|d| d.split(',').next().unwrap_or(&d).trim().to_owned())
                    .filter(|d| !d.is_empty() && d.chars().count() <= 60)
            });
        for s in c.children_named("subject") {
            let label = s
                .child("name")
                .and_then(Element::text_nonempty)
                .or_else(|| s.attr_nonempty("literal"))
                .or_else(|| s.attr_nonempty("qcode"));
            if let Some(l) = label {
                push_unique(&mut p.topics, l);
            }
        }
        for k in c
            .children_named("keyword")
            .chain(c.children_named("slugline"))
        {
            if let Some(t) = k.text_nonempty() {
                push_unique(&mut p.keywords, t);
            }
        }
        p.language = c
            .children_named("language")
            .find_map(|l| l.attr_nonempty("tag"));
        p.agency = [
            c.child("creditline").and_then(Element::text_nonempty),
            c.children_named("infoSource").find_map(party_name),
        ]
        .into_iter()
        .flatten()
        .find_map(|credit| agency_in(&credit));
    }
    if p.agency.is_none() {
        let provider = meta.and_then(|m| m.child("provider")).and_then(party_name);
        let holder = item
            .path(&["rightsInfo", "copyrightHolder"])
            .and_then(party_name);
        p.agency = [provider, holder]
            .into_iter()
            .flatten()
            .find_map(|credit| agency_in(&credit));
    }
    if p.language.is_none() {
        p.language = item.attr_nonempty("xml:lang");
    }

    if let Some(inline) = inline_content(item) {
        p.body = if inline.is("inlineData") {
            text_paragraphs(&inline.raw_text(), false)
        } else {
            body_paragraphs(inline)
        };
        if p.language.is_none() {
            p.language = inline.attr_nonempty("xml:lang").or_else(|| {
                inline.find("html").and_then(|h| {
                    h.attr_nonempty("lang")
                        .or_else(|| h.attr_nonempty("xml:lang"))
                })
            });
        }
        if p.headline.is_empty()
            && let Some(nitf) = nitf_root(inline)
        {
            p.headline = nitf
                .find("hl1")
                .and_then(Element::text_nonempty)
                .or_else(|| {
                    nitf.path(&["head", "title"])
                        .and_then(Element::text_nonempty)
                })
                .unwrap_or_default();
        }
    }
    require_text(&p.headline, &p.body, false)?;
    // A headline without a body is an alert (flash, bulletin): news all the same, unless the
    // item withdraws an earlier one (Reuters' `edStat:D` signal, a cancelled status).
    let withdrawn = meta.is_some_and(|m| {
        m.children_named("signal")
            .any(|s| s.attr("qcode") == Some("edStat:D"))
            || m.child("pubStatus")
                .and_then(|s| s.attr("qcode"))
                .is_some_and(|q| q.ends_with(":canceled") || q.ends_with(":cancelled"))
    });
    if p.body.is_empty() && withdrawn {
        return Err(FormatError::NotNews(
            "NewsML-G2 withdrawal notice without text".into(),
        ));
    }
    Ok(p)
}

fn nitf_root(inline: &Element) -> Option<&Element> {
    if inline.elements().any(|e| e.is("nitf")) {
        inline.child("nitf")
    } else {
        None
    }
}

/// Body paragraphs of an `inlineXML`: NITF `body.content`, XHTML `body`, or whatever markup
/// it holds.
pub(crate) fn body_paragraphs(inline: &Element) -> Vec<String> {
    if let Some(bc) = inline.find("body.content") {
        return element_to_paragraphs(bc);
    }
    if let Some(body) = inline.find("body") {
        return element_to_paragraphs(body);
    }
    element_to_paragraphs(inline)
}

/// A party's name: `name` child, else `literal`, else the qcode's code.
fn party_name(e: &Element) -> Option<String> {
    e.child("name")
        .and_then(Element::text_nonempty)
        .or_else(|| e.attr_nonempty("literal"))
        .or_else(|| {
            e.attr("qcode")
                .and_then(|q| q.rsplit(':').next())
                .map(str::to_owned)
        })
        .or_else(|| e.text_nonempty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">
 <header><sent>2024-05-01T10:00:00Z</sent></header>
 <itemSet>
  <newsItem guid="urn:x:1" version="3" xml:lang="en">
   <rightsInfo><copyrightHolder literal="Reuters"/></rightsInfo>
   <itemMeta><itemClass qcode="ninat:text"/><provider literal="reuters.com"/>
    <versionCreated>2024-05-01T09:30:00Z</versionCreated>
    <firstCreated>2024-05-01T09:00:00+01:00</firstCreated></itemMeta>
   <contentMeta>
    <located><name>Kyiv</name></located>
    <subject qcode="medtop:11000000"><name xml:lang="en">politics</name></subject>
    <subject qcode="N2:UKR"/>
    <headline>Main &amp; headline</headline>
    <headline role="hld:subtitle">Sub</headline>
    <slugline>UKRAINE-SLUG</slugline>
    <by>Jane Doe</by>
    <description role="drol:summary">The summary.</description>
   </contentMeta>
   <contentSet><inlineXML contenttype="application/xhtml+xml">
    <html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head>
    <body><p>First para.</p><p>Second &#8212; para.</p></body></html>
   </inlineXML></contentSet>
  </newsItem>
  <newsItem guid="urn:x:2"><itemMeta><itemClass qcode="ninat:picture"/></itemMeta>
   <contentMeta><headline>Photo</headline></contentMeta></newsItem>
 </itemSet>
</newsMessage>"#;

    #[test]
    fn reads_text_item_and_skips_picture() {
        assert!(sniff(MSG));
        let items = parse(MSG).unwrap();
        assert_eq!(items.len(), 1);
        let p = &items[0];
        assert_eq!(p.headline, "Main & headline");
        assert_eq!(p.summary.as_deref(), Some("The summary."));
        assert_eq!(p.body, vec!["First para.", "Second — para."]);
        assert_eq!(p.byline.as_deref(), Some("Jane Doe"));
        assert_eq!(p.dateline.as_deref(), Some("Kyiv"));
        assert_eq!(p.topics, vec!["politics", "N2:UKR"]);
        assert_eq!(p.keywords, vec!["UKRAINE-SLUG"]);
        assert_eq!(p.source_uri.as_deref(), Some("urn:x:1"));
        assert_eq!(p.source_version, Some(3));
        assert_eq!(p.language.as_deref(), Some("en"));
        assert_eq!(p.agency.as_ref().unwrap().code, "Reuters");
        assert_eq!(
            p.first_created.unwrap().to_rfc3339(),
            "2024-05-01T08:00:00+00:00"
        );
    }

    #[test]
    fn nitf_inline_and_non_news() {
        let item = r#"<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g">
<itemMeta><itemClass qcode="ninat:text"/><provider literal="AFP"/></itemMeta>
<contentMeta><language tag="fr"/></contentMeta>
<contentSet><inlineXML contenttype="application/nitf+xml"><nitf><body><body.head>
<hedline><hl1>From NITF</hl1></hedline></body.head><body.content><p>Texte.</p></body.content>
</body></nitf></inlineXML></contentSet></newsItem>"#;
        let p = &parse(item).unwrap()[0];
        assert_eq!(p.headline, "From NITF");
        assert_eq!(p.body, vec!["Texte."]);
        assert_eq!(p.language.as_deref(), Some("fr"));
        assert_eq!(p.agency.as_ref().unwrap().code, "AFP");

        let pic = MSG.replace("ninat:text", "ninat:video");
        assert!(matches!(parse(&pic), Err(FormatError::NotNews(_))));
        let plan = r#"<planningItem xmlns="http://iptc.org/std/nar/2006-10-01/"/>"#;
        assert!(sniff(plan));
        assert!(matches!(parse(plan), Err(FormatError::NotNews(_))));
        assert!(matches!(parse("<rss/>"), Err(FormatError::WrongFormat(_))));
        assert!(matches!(
            parse(&MSG[..MSG.len() / 2]),
            Err(FormatError::Malformed(_))
        ));
    }

    #[test]
    fn missing_headline_or_body() {
        let no_hl = MSG.replace("<headline>Main &amp; headline</headline>", "");
        let no_hl = no_hl.replace("<headline role=\"hld:subtitle\">Sub</headline>", "");
        assert_eq!(parse(&no_hl), Err(FormatError::NoHeadline));
        let no_body = MSG.replace("<p>First para.</p><p>Second &#8212; para.</p>", "");
        // Headline-only: an alert, with its summary and urgency.
        let alert = no_body.replace("<contentMeta>", "<contentMeta><urgency>1</urgency>");
        let items = parse(&alert).unwrap();
        assert!(items[0].body.is_empty());
        assert_eq!(items[0].headline, "Main & headline");
        assert_eq!(items[0].summary.as_deref(), Some("The summary."));
        assert_eq!(items[0].urgency, Some(1));
    }
}
