//! IPTC NewsML 1.x (AFP, ANA-MPA, Solita styles): one [`ParsedItem`] per `NewsItem` of a
//! `NewsML` document that carries text.
//!
//! Read per item: the first `NewsLines` (`HeadLine`, `SubHeadLine` as summary, `ByLine`,
//! `DateLine` place, `SlugLine` and `KeywordLine` to keywords, `CreditLine`/`CopyrightLine`
//! for the agency), `NewsManagement/FirstCreated` and `ThisRevisionCreated` (`20200101T120000Z`),
//! `Identification/NewsIdentifier` (`PublicIdentifier`, else `ProviderId:NewsItemId`;
//! `RevisionId` as version), `DescriptiveMetadata/Language@FormalName`,
//! `SubjectCode/*@FormalName` (topics, as `subj:` qcodes), `AdministrativeMetadata/Provider/Party`
//! and the body of the first text `ContentItem/DataContent` (NITF `body.content`, XHTML, HTML in
//! CDATA, or plain text).
//!
//! An item without a headline gives [`FormatError::NoHeadline`]; without text content
//! [`FormatError::NoBody`]; a document whose items are all photos/graphics gives
//! [`FormatError::NotNews`].

use crate::formats::agency::agency_in;
use crate::formats::error::{FormatError, collect, require_text};
use crate::formats::markup::{element_to_paragraphs, html_to_paragraphs};
use crate::formats::textutil::{parse_iso, push_unique, text_paragraphs};
use crate::formats::xml::{Element, parse_document, root_name};
use crate::model::ParsedItem;

/// True when the root element is `NewsML` (NewsML 1.x; NewsML-G2 uses other roots).
pub fn sniff(input: &str) -> bool {
    root_name(input).is_some_and(|(name, _)| name == "NewsML")
}

/// Parses a NewsML 1.x document into one item per text `NewsItem`.
///
/// # Errors
/// [`FormatError::Malformed`] for broken XML, [`FormatError::WrongFormat`] for another root,
/// [`FormatError::NotNews`] when no item carries text, else the first item's error
/// ([`FormatError::NoHeadline`], [`FormatError::NoBody`]) when none parses, a broken text item
/// winning over a photo or graphic item.
pub fn parse(input: &str) -> Result<Vec<ParsedItem>, FormatError> {
    let root = parse_document(input)?;
    if !root.is("NewsML") {
        return Err(FormatError::WrongFormat(format!(
            "root element <{}> is not NewsML",
            root.name
        )));
    }
    let mut items = Vec::new();
    root.find_all("NewsItem", &mut items);
    if items.is_empty() {
        return Err(FormatError::NotNews(
            "NewsML document holds no NewsItem".into(),
        ));
    }
    collect(items.into_iter().map(parse_item))
}

/// Component roles whose content is never the story text.
const NON_BODY_ROLES: &[&str] = &[
    "stylesheet",
    "headline",
    "subheadline",
    "contact",
    "logo",
    "photo",
    "video",
    "audio",
    "graphic",
    "caption",
    "thumbnail",
];

/// Collects `(role of the enclosing NewsComponent, ContentItem)` pairs in document order.
fn content_items<'a>(nc: &'a Element, role: &'a str, out: &mut Vec<(&'a str, &'a Element)>) {
    let role = nc
        .child("Role")
        .and_then(|r| r.attr("FormalName"))
        .unwrap_or(role);
    for e in nc.elements() {
        if e.is("ContentItem") {
            out.push((role, e));
        } else if e.is("NewsComponent") {
            content_items(e, role, out);
        }
    }
}

/// True when a `ContentItem` holds text (by media type, MIME type and format) and has data.
fn is_text_item(ci: &Element) -> bool {
    let formal = |n: &str| {
        ci.child(n)
            .and_then(|m| m.attr("FormalName"))
            .map(str::to_ascii_lowercase)
    };
    ci.child("DataContent").is_some()
        && formal("MediaType").is_none_or(|m| m == "text")
        && formal("MimeType").is_none_or(|m| m.starts_with("text/") && m != "text/css")
        && formal("Format").is_none_or(|f| f != "css")
}

/// The story's `ContentItem` and its `DataContent`: the one in a `Body` component, else the
/// first text item outside headline/contact/stylesheet/media components.
fn text_content(item: &Element) -> Option<(&Element, &Element)> {
    let mut cis = Vec::new();
    for nc in item.children_named("NewsComponent") {
        content_items(nc, "", &mut cis);
    }
    let texts: Vec<(&str, &Element)> = cis.into_iter().filter(|(_, ci)| is_text_item(ci)).collect();
    let chosen = texts
        .iter()
        .find(|(role, _)| role.eq_ignore_ascii_case("body") || role.eq_ignore_ascii_case("main"))
        .or_else(|| {
            texts
                .iter()
                .find(|(role, _)| !NON_BODY_ROLES.contains(&role.to_ascii_lowercase().as_str()))
        })?;
    let ci = chosen.1;
    ci.child("DataContent").map(|dc| (ci, dc))
}

fn has_media(item: &Element) -> bool {
    let mut cis = Vec::new();
    item.find_all("MediaType", &mut cis);
    !cis.is_empty()
}

fn data_paragraphs(ci: &Element, dc: &Element) -> Vec<String> {
    if let Some(bc) = dc.find("body.content") {
        return element_to_paragraphs(bc);
    }
    if dc.elements().next().is_some() {
        if let Some(body) = dc.find("body") {
            return element_to_paragraphs(body);
        }
        return element_to_paragraphs(dc);
    }
    let raw = dc.raw_text();
    let format = ci
        .child("Format")
        .and_then(|f| f.attr("FormalName"))
        .unwrap_or("");
    let lower = raw.to_ascii_lowercase();
    if format.to_ascii_lowercase().contains("html")
        || lower.contains("<p")
        || lower.contains("<br")
        || lower.contains("<div")
    {
        html_to_paragraphs(&raw)
    } else {
        text_paragraphs(&raw, false)
    }
}

fn parse_item(item: &Element) -> Result<ParsedItem, FormatError> {
    let mut p = ParsedItem::default();
    let content = text_content(item);
    if content.is_none() && has_media(item) {
        return Err(FormatError::NotNews(
            "NewsML NewsItem holds no text content (photo/graphic only)".into(),
        ));
    }
    if let Some(id) = item.path(&["Identification", "NewsIdentifier"]) {
        p.source_uri = id
            .child("PublicIdentifier")
            .and_then(Element::text_nonempty)
            .or_else(|| {
                let item_id = id.child("NewsItemId").and_then(Element::text_nonempty)?;
                Some(
                    match id.child("ProviderId").and_then(Element::text_nonempty) {
                        Some(prov) => format!("{prov}:{item_id}"),
                        None => item_id,
                    },
                )
            });
        p.source_version = id.child("RevisionId").and_then(|r| r.text().parse().ok());
    }
    if let Some(nm) = item.child("NewsManagement") {
        p.urgency = nm
            .child("Urgency")
            .and_then(|u| u.attr("FormalName"))
            .and_then(crate::formats::textutil::urgency);
        let time = |n: &str| nm.child(n).and_then(|e| parse_iso(&e.text()));
        p.first_created = time("FirstCreated");
        p.version_created = time("ThisRevisionCreated");
    }
    let mut all_lines = Vec::new();
    item.find_all("NewsLines", &mut all_lines);
    let lines = all_lines
        .iter()
        .copied()
        .find(|l| l.children_named("HeadLine").any(|h| !h.text().is_empty()))
        .or(all_lines.first().copied());
    if let Some(lines) = lines {
        p.headline = lines
            .children_named("HeadLine")
            .find_map(Element::text_nonempty)
            .unwrap_or_default();
        p.summary = lines
            .children_named("SubHeadLine")
            .find_map(Element::text_nonempty);
        p.byline = lines.children_named("ByLine").find_map(|b| {
            let t = b.text();
            let t = t.strip_prefix("By ").unwrap_or(&t).trim().to_owned();
            Some(t).filter(|s| !s.is_empty())
        });
        p.dateline = lines
            .child("DateLine")
            .and_then(Element::text_nonempty)
            .and_then(|d| {
                let place = d.split(',').next().unwrap_or("").trim().to_owned();
                Some(place).filter(|s| !s.is_empty() && s.chars().count() <= 60)
            });
        for k in lines
            .children_named("SlugLine")
            .chain(lines.children_named("KeywordLine"))
        {
            if let Some(t) = k.text_nonempty() {
                push_unique(&mut p.keywords, t);
            }
        }
        p.agency = all_lines
            .iter()
            .flat_map(|l| {
                l.children_named("CreditLine")
                    .chain(l.children_named("CopyrightLine"))
            })
            .filter_map(Element::text_nonempty)
            .find_map(|c| agency_in(&c));
    }
    if let Some(dm) = item.find("DescriptiveMetadata") {
        p.language = dm
            .child("Language")
            .and_then(|l| l.attr_nonempty("FormalName"))
            .map(|l| l.to_ascii_lowercase());
        for sc in dm.children_named("SubjectCode") {
            for s in sc.elements() {
                if let Some(code) = s.attr_nonempty("FormalName") {
                    push_unique(&mut p.topics, format!("subj:{code}"));
                }
            }
        }
    }
    if p.language.is_none() {
        p.language = item.attr_nonempty("xml:lang");
    }
    if p.agency.is_none() {
        p.agency = item
            .find("Provider")
            .and_then(|pr| pr.find("Party"))
            .and_then(|party| party.attr_nonempty("FormalName"))
            .and_then(|n| agency_in(&n))
            .or_else(|| {
                item.path(&["Identification", "NewsIdentifier", "ProviderId"])
                    .and_then(Element::text_nonempty)
                    .and_then(|n| agency_in(&n))
            });
    }
    if let Some((ci, dc)) = content {
        p.body = data_paragraphs(ci, dc);
        if p.headline.is_empty()
            && let Some(hl) = dc.find("hl1")
        {
            p.headline = hl.text();
        }
    }
    require_text(&p.headline, &p.body, false)?;
    // A headline without a body is an alert (flash, bulletin): news all the same.
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<NewsML Version="1.2"><NewsEnvelope><DateAndTime>20240101T120000Z</DateAndTime></NewsEnvelope>
<NewsItem xml:lang="en">
 <Identification><NewsIdentifier><ProviderId>afp.com</ProviderId><DateId>20240101</DateId>
  <NewsItemId>TX-1</NewsItemId><RevisionId PreviousRevision="0" Update="N">2</RevisionId>
  <PublicIdentifier>urn:newsml:afp.com:20240101:TX-1:2</PublicIdentifier></NewsIdentifier></Identification>
 <NewsManagement><NewsItemType FormalName="News"/><FirstCreated>20240101T115900Z</FirstCreated>
  <ThisRevisionCreated>20240101T120000+0100</ThisRevisionCreated></NewsManagement>
 <NewsComponent>
  <NewsLines><DateLine>PARIS, Jan 1, 2024 (AFP) -</DateLine><HeadLine>New year begins</HeadLine>
   <SubHeadLine>Fireworks</SubHeadLine><ByLine>By Jean Dupont</ByLine><SlugLine>France-NewYear</SlugLine></NewsLines>
  <AdministrativeMetadata><Provider><Party FormalName="AFP"/></Provider></AdministrativeMetadata>
  <DescriptiveMetadata><Language FormalName="EN"/><SubjectCode><Subject FormalName="01000000"/></SubjectCode></DescriptiveMetadata>
  <NewsComponent><ContentItem Href="x.jpg"><MediaType FormalName="Photo"/></ContentItem></NewsComponent>
  <ContentItem><MediaType FormalName="Text"/><Format FormalName="NITF3.1"/>
   <DataContent><nitf><body><body.content><p>Para one.</p><p>Para two.</p></body.content></body></nitf></DataContent>
  </ContentItem>
 </NewsComponent>
</NewsItem></NewsML>"#;

    #[test]
    fn reads_afp_item() {
        assert!(sniff(DOC));
        let p = &parse(DOC).unwrap()[0];
        assert_eq!(p.headline, "New year begins");
        assert_eq!(p.summary.as_deref(), Some("Fireworks"));
        assert_eq!(p.byline.as_deref(), Some("Jean Dupont"));
        assert_eq!(p.dateline.as_deref(), Some("PARIS"));
        assert_eq!(p.body, vec!["Para one.", "Para two."]);
        assert_eq!(p.language.as_deref(), Some("en"));
        assert_eq!(p.source_version, Some(2));
        assert_eq!(
            p.source_uri.as_deref(),
            Some("urn:newsml:afp.com:20240101:TX-1:2")
        );
        assert_eq!(p.topics, vec!["subj:01000000"]);
        assert_eq!(p.agency.as_ref().unwrap().code, "AFP");
        assert_eq!(
            p.version_created.unwrap().to_rfc3339(),
            "2024-01-01T11:00:00+00:00"
        );
    }

    #[test]
    fn html_in_cdata_and_errors() {
        let cdata = DOC.replace(
            "<nitf><body><body.content><p>Para one.</p><p>Para two.</p></body.content></body></nitf>",
            "<![CDATA[<P>One &amp; only.</P><P> </P>]]>",
        );
        assert_eq!(parse(&cdata).unwrap()[0].body, vec!["One & only."]);
        let no_hl = DOC.replace("<HeadLine>New year begins</HeadLine>", "<HeadLine/>");
        assert_eq!(parse(&no_hl), Err(FormatError::NoHeadline));
        let photo = DOC.replace("FormalName=\"Text\"", "FormalName=\"Graphic\"");
        assert!(matches!(parse(&photo), Err(FormatError::NotNews(_))));
        assert!(matches!(
            parse("<NewsML><NewsItem>"),
            Err(FormatError::Malformed(_))
        ));
    }
}
