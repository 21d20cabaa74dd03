//! Renders an [`Article`] as IPTC ninjs JSON (2.2 by default, 3.1 selectable).
//!
//! The field mapping is documented in `docs/ninjs-mapping.md`. By default the output is valid
//! against the official schema as published: what ninjs can hold goes into ninjs properties
//! (section and breadcrumb as `subjects` with URIs in [`SECTION_SCHEME`] and
//! [`BREADCRUMB_SCHEME`], an alert as a `genres` entry). What ninjs has no field for goes into one
//! opt-in extension object, `wirefeed`, declared by `docs/wirefeed-ninjs-extension.schema.json`
//! (ninjs 2.2) and `docs/wirefeed-ninjs-extension-3.1.schema.json` (ninjs 3.1) the way IPTC's
//! extension example does (all of ninjs, plus that property). `tests/ninjs_schema.rs` validates
//! both over the whole corpus.
//!
//! [`Document`] serialises the article directly with `serde` (no `serde_json::Value` tree);
//! `tests/ninjs_golden.rs` pins its bytes on every corpus item.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::model::{Article, ParsedItem, Picture, Place};

/// Which ninjs version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum NinjsVersion {
    /// ninjs 2.2 (lower-case property names).
    #[default]
    #[serde(rename = "2.2")]
    V2_2,
    /// ninjs 3.1 (camelCase property names).
    #[serde(rename = "3.1")]
    V3_1,
}

/// Rendering options.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ninjs version.
    pub version: NinjsVersion,
    /// Whether to write the `wirefeed` extension object.
    pub extension: bool,
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Property names that changed case between ninjs 2.x and 3.x.
struct Names {
    altids: &'static str,
    charcount: &'static str,
    contenttype: &'static str,
    copyrightholder: &'static str,
    firstcreated: &'static str,
    geojson: &'static str,
    infosources: &'static str,
    pubstatus: &'static str,
    representationtype: &'static str,
    versioncreated: &'static str,
    wordcount: &'static str,
}

const NAMES_2_2: Names = Names {
    altids: "altids",
    charcount: "charcount",
    contenttype: "contenttype",
    copyrightholder: "copyrightholder",
    firstcreated: "firstcreated",
    geojson: "geojson",
    infosources: "infosources",
    pubstatus: "pubstatus",
    representationtype: "representationtype",
    versioncreated: "versioncreated",
    wordcount: "wordcount",
};

const NAMES_3_1: Names = Names {
    altids: "altIds",
    charcount: "charCount",
    contenttype: "contentType",
    copyrightholder: "copyrightHolder",
    firstcreated: "firstCreated",
    geojson: "geoJSON",
    infosources: "infoSources",
    pubstatus: "pubStatus",
    representationtype: "representationType",
    versioncreated: "versionCreated",
    wordcount: "wordCount",
};

impl NinjsVersion {
    fn names(self) -> &'static Names {
        match self {
            NinjsVersion::V2_2 => &NAMES_2_2,
            NinjsVersion::V3_1 => &NAMES_3_1,
        }
    }
}

/// The ninjs document of one article: serialises straight from the [`Article`], no intermediate
/// JSON tree. Get one with [`document`]; write it with [`to_vec`] or any serde serializer.
///
/// Properties come out in byte order of their names (in both versions), and a property is
/// written only when it has a value.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    article: &'a Article,
    options: RenderOptions,
}

/// The ninjs document of `article`, ready to serialise.
pub fn document(article: &Article, options: RenderOptions) -> Document<'_> {
    Document { article, options }
}

/// Renders the article as one line of ninjs JSON.
///
/// # Errors
///
/// Only those of `serde_json` itself; rendering an [`Article`] has no failure of its own.
pub fn to_vec(article: &Article, options: RenderOptions) -> serde_json::Result<Vec<u8>> {
    let mut out =
        Vec::with_capacity(1024 + 2 * article.item.body.iter().map(String::len).sum::<usize>());
    serde_json::to_writer(&mut out, &document(article, options))?;
    Ok(out)
}

/// `{"role": ..., "value": ...}`: headlines, descriptions, altids.
#[derive(Serialize)]
struct RoleValue<'a> {
    role: &'a str,
    value: &'a str,
}

/// `{"name": ..., "rel": ...}`: subjects, people, organisations.
#[derive(Serialize)]
struct NameRel<'a> {
    name: &'a str,
    rel: &'a str,
}

/// An entry of `infosources`.
#[derive(Serialize)]
struct InfoSource<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    literal: Option<&'a str>,
    name: &'a str,
    role: &'a str,
}

/// A GeoJSON Point, longitude first.
#[derive(Serialize)]
struct Point {
    coordinates: [f64; 2],
    #[serde(rename = "type")]
    kind: &'static str,
}

/// The extension's `agency`.
#[derive(Serialize)]
struct AgencyRef<'a> {
    code: &'a str,
    name: &'a str,
}

/// `{"name", "rel"}` objects of `names`, all with relation `rel`.
fn related<'a>(
    names: &'a [String],
    rel: &'static str,
) -> impl Iterator<Item = NameRel<'a>> + Clone {
    names.iter().map(move |name| NameRel { name, rel })
}

/// An entry of `subjects`: a topic, keyword, section or breadcrumb level.
#[derive(Serialize)]
struct Subject<'a> {
    name: &'a str,
    rel: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
}

/// The `genres` entry of a headline-only alert.
const ALERT_GENRE: Genre = Genre {
    literal: "alert",
    name: "Alert",
    uri: "urn:wirefeed:genre:alert",
};

/// An entry of `genres`.
#[derive(Serialize)]
struct Genre {
    literal: &'static str,
    name: &'static str,
    uri: &'static str,
}

/// Scheme of the `uri` of a section subject: `urn:wirefeed:section:<slug>`.
pub const SECTION_SCHEME: &str = "urn:wirefeed:section:";
/// Scheme of the `uri` of a breadcrumb subject: `urn:wirefeed:breadcrumb:<slug>/<slug>/...`, the
/// path from the outermost level down to this one.
pub const BREADCRUMB_SCHEME: &str = "urn:wirefeed:breadcrumb:";

/// What a slug percent-encodes: everything but ASCII letters, digits and `-`.
const SLUG_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-');

/// The URI form of a name: lower-cased, its runs of letters and digits joined by `-`, anything
/// outside ASCII percent-encoded as UTF-8 ("World News" → `world-news`, "Économie" →
/// `%C3%A9conomie`). Empty when the name has no letters or digits.
fn slug(name: &str) -> String {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    utf8_percent_encode(&words.join("-"), SLUG_ESCAPES).to_string()
}

/// `subjects`: the outlet's topics, then the tag-line keywords, then the section and each level
/// of the breadcrumb (outermost first), the last two with a URI in wirefeed's schemes.
fn subjects(item: &ParsedItem) -> Vec<Subject<'_>> {
    let mut out = Vec::with_capacity(item.topics.len() + item.keywords.len());
    for (names, rel) in [(&item.topics, "topic"), (&item.keywords, "keyword")] {
        out.extend(names.iter().map(|name| Subject {
            name,
            rel,
            uri: None,
        }));
    }
    if let Some(section) = &item.section {
        let slug = slug(section);
        out.push(Subject {
            name: section,
            rel: "section",
            uri: (!slug.is_empty()).then(|| format!("{SECTION_SCHEME}{slug}")),
        });
    }
    let mut path = String::new();
    for crumb in &item.breadcrumb {
        let slug = slug(crumb);
        let uri = (!slug.is_empty()).then(|| {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(&slug);
            format!("{BREADCRUMB_SCHEME}{path}")
        });
        out.push(Subject {
            name: crumb,
            rel: "breadcrumb",
            uri,
        });
    }
    out
}

/// Serialises `iter` as a JSON array.
struct Seq<I>(I);

impl<I> Serialize for Seq<I>
where
    I: Iterator + Clone,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

/// Serialises its `Display` as a JSON string, without an intermediate `String`.
struct Str<D>(D);

impl<D: std::fmt::Display> Serialize for Str<D> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// The body paragraphs joined by a blank line, as one string.
struct Paragraphs<'a>(&'a [String]);

impl std::fmt::Display for Paragraphs<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            f.write_str(p)?;
        }
        Ok(())
    }
}

/// `bodies[0]`.
struct Body<'a>(&'a Article, &'static Names);

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (article, n) = (self.0, self.1);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry(n.charcount, &article.char_count)?;
        m.serialize_entry(n.contenttype, "text/plain")?;
        m.serialize_entry("role", "main")?;
        m.serialize_entry("value", &Str(Paragraphs(&article.item.body)))?;
        m.serialize_entry(n.wordcount, &article.word_count)?;
        m.end()
    }
}

/// An entry of `places`.
struct PlaceRef<'a>(&'a Place, &'static Names);

impl Serialize for PlaceRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (place, n) = (self.0, self.1);
        let mut m = s.serialize_map(None)?;
        if let Some((lat, lon)) = place.coordinates {
            let point = Point {
                coordinates: [lon, lat],
                kind: "Point",
            };
            m.serialize_entry(n.geojson, &point)?;
        }
        if let Some(cc) = &place.country_code {
            m.serialize_entry("literal", cc)?;
        }
        m.serialize_entry("name", &place.name)?;
        m.serialize_entry("rel", "mentioned")?;
        m.end()
    }
}

/// `associations[0]`: the picture.
struct PictureRef<'a>(&'a Article, &'a Picture, &'static Names);

impl Serialize for PictureRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (article, picture, n) = (self.0, self.1, self.2);
        let mut m = s.serialize_map(None)?;
        if let Some(credit) = &picture.credit {
            m.serialize_entry("by", credit)?;
            m.serialize_entry(n.copyrightholder, credit)?;
        }
        let caption = RoleValue {
            role: "caption",
            value: &picture.caption,
        };
        m.serialize_entry("descriptions", &[caption])?;
        m.serialize_entry("name", "picture")?;
        m.serialize_entry("type", "picture")?;
        m.serialize_entry("uri", &Str(format_args!("{}:picture", article.id)))?;
        m.end()
    }
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let article = self.article;
        let item = &article.item;
        let ents = &article.entities;
        let n = self.options.version.names();
        let mut m = s.serialize_map(None)?;
        if let Some(uri) = &item.source_uri {
            let altid = RoleValue {
                role: "source-uri",
                value: uri,
            };
            m.serialize_entry(n.altids, &[altid])?;
        }
        if let Some(picture) = &item.picture {
            m.serialize_entry("associations", &[PictureRef(article, picture, n)])?;
        }
        // An alert is its headline: no empty body.
        if !item.body.is_empty() {
            m.serialize_entry("bodies", &[Body(article, n)])?;
        }
        let by = item
            .byline
            .as_deref()
            .or_else(|| item.agency.as_ref().map(|a| a.name.as_str()));
        if let Some(by) = by {
            m.serialize_entry("by", by)?;
        }
        if let Some(summary) = &item.summary {
            let description = RoleValue {
                role: "summary",
                value: summary,
            };
            m.serialize_entry("descriptions", &[description])?;
        }
        m.serialize_entry(n.firstcreated, &time(article.published))?;
        if article.alert {
            m.serialize_entry("genres", &[ALERT_GENRE])?;
        }
        let headline = RoleValue {
            role: "main",
            value: &item.headline,
        };
        m.serialize_entry("headlines", &[headline])?;
        if item.agency.is_some() || item.publisher.is_some() {
            let agency = item.agency.as_ref().map(|a| InfoSource {
                literal: Some(&a.code),
                name: &a.name,
                role: "originator",
            });
            let publisher = item.publisher.as_deref().map(|p| InfoSource {
                literal: None,
                name: p,
                role: "publisher",
            });
            m.serialize_entry(n.infosources, &Seq(agency.iter().chain(publisher.iter())))?;
        }
        if let Some(lang) = &article.language {
            m.serialize_entry("language", lang)?;
        }
        if let Some(located) = &item.dateline {
            m.serialize_entry("located", located)?;
        }
        if !ents.organisations.is_empty() {
            m.serialize_entry(
                "organisations",
                &Seq(related(&ents.organisations, "mentioned")),
            )?;
        }
        if !ents.people.is_empty() {
            m.serialize_entry("people", &Seq(related(&ents.people, "mentioned")))?;
        }
        if !ents.places.is_empty() {
            m.serialize_entry("places", &Seq(ents.places.iter().map(|p| PlaceRef(p, n))))?;
        }
        m.serialize_entry(n.pubstatus, "usable")?;
        m.serialize_entry(n.representationtype, "full")?;
        let subjects = subjects(item);
        if !subjects.is_empty() {
            m.serialize_entry("subjects", &subjects)?;
        }
        m.serialize_entry("type", "text")?;
        if let Some(urgency) = article.urgency.filter(|u| (1..=9).contains(u)) {
            m.serialize_entry("urgency", &urgency)?;
        }
        m.serialize_entry("uri", &article.id)?;
        m.serialize_entry("version", &Str(article.version))?;
        m.serialize_entry(n.versioncreated, &time(article.version_time()))?;
        if self.options.extension {
            m.serialize_entry("wirefeed", &Extension(article))?;
        }
        m.end()
    }
}

/// The `wirefeed` extension object: everything ninjs has no field for.
struct Extension<'a>(&'a Article);

impl Serialize for Extension<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let article = self.0;
        let item = &article.item;
        let mut m = s.serialize_map(None)?;
        if let Some(a) = &item.agency {
            let agency = AgencyRef {
                code: &a.code,
                name: &a.name,
            };
            m.serialize_entry("agency", &agency)?;
        }
        if article.alert {
            m.serialize_entry("alert", &true)?;
        }
        if !item.breadcrumb.is_empty() {
            m.serialize_entry("breadcrumb", &item.breadcrumb)?;
        }
        m.serialize_entry("char_count", &article.char_count)?;
        m.serialize_entry("dedup_key", &article.dedup_key)?;
        m.serialize_entry(
            "fingerprint",
            &Str(format_args!("{:016x}", article.fingerprint)),
        )?;
        if let Some(d) = item.item_date {
            m.serialize_entry("item_date", &Str(d))?;
        }
        if !item.keywords.is_empty() {
            m.serialize_entry("keywords", &item.keywords)?;
        }
        if let Some(id) = &article.near_duplicate_of {
            m.serialize_entry("near_duplicate_of", id)?;
        }
        if let Some(p) = &item.publisher {
            m.serialize_entry("publisher", p)?;
        }
        m.serialize_entry("read_time_minutes", &article.read_time_minutes)?;
        if let Some(v) = &item.section {
            m.serialize_entry("section", v)?;
        }
        m.serialize_entry("source_format", article.format.as_str())?;
        if let Some(v) = item.source_version {
            m.serialize_entry("source_version", &v)?;
        }
        m.serialize_entry("syndicated", &item.syndicated)?;
        if !item.topics.is_empty() {
            m.serialize_entry("topics", &item.topics)?;
        }
        m.serialize_entry("version_time", &time(article.version_time()))?;
        m.serialize_entry("word_count", &article.word_count)?;
        m.end()
    }
}
