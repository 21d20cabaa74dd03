//! Renders an [`Article`] as IPTC ninjs JSON (2.2 by default, 3.1 selectable).
//!
//! The field mapping is documented in `docs/ninjs-mapping.md`. What ninjs has no field for goes
//! into one extension object, `wirefeed`, declared by `docs/wirefeed-ninjs-extension.schema.json`
//! (ninjs 2.2) and `docs/wirefeed-ninjs-extension-3.1.schema.json` (ninjs 3.1) the way IPTC's
//! extension example does (all of ninjs, plus that property). Turning the extension off gives
//! output valid against the official schema alone. `tests/ninjs_schema.rs` validates both.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::model::Article;

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

/// Renders the article as a ninjs JSON object.
pub fn render(article: &Article, options: RenderOptions) -> Value {
    let v3 = options.version == NinjsVersion::V3_1;
    // Property names that changed case between 2.x and 3.x.
    let name = |v2: &'static str, v3name: &'static str| if v3 { v3name } else { v2 };
    let item = &article.item;
    let mut obj = Map::new();
    obj.insert("uri".into(), json!(article.id));
    obj.insert("type".into(), json!("text"));
    obj.insert(
        name("representationtype", "representationType").into(),
        json!("full"),
    );
    obj.insert("version".into(), json!(article.version.to_string()));
    obj.insert(
        name("firstcreated", "firstCreated").into(),
        json!(time(article.published)),
    );
    obj.insert(
        name("versioncreated", "versionCreated").into(),
        json!(time(article.version_time())),
    );
    obj.insert(name("pubstatus", "pubStatus").into(), json!("usable"));
    if let Some(urgency) = article.urgency {
        obj.insert("urgency".into(), json!(urgency));
    }
    if let Some(lang) = &article.language {
        obj.insert("language".into(), json!(lang));
    }
    obj.insert(
        "headlines".into(),
        json!([{ "role": "main", "value": item.headline }]),
    );
    if let Some(summary) = &item.summary {
        obj.insert(
            "descriptions".into(),
            json!([{ "role": "summary", "value": summary }]),
        );
    }
    let body = item.body.join("\n\n");
    obj.insert(
        "bodies".into(),
        json!([{
            "role": "main",
            name("contenttype", "contentType"): "text/plain",
            name("charcount", "charCount"): article.char_count,
            name("wordcount", "wordCount"): article.word_count,
            "value": body,
        }]),
    );
    let by = item
        .byline
        .clone()
        .or_else(|| item.agency.as_ref().map(|a| a.name.clone()));
    if let Some(by) = by {
        obj.insert("by".into(), json!(by));
    }
    if let Some(located) = &item.dateline {
        obj.insert("located".into(), json!(located));
    }
    let mut sources = Vec::new();
    if let Some(agency) = &item.agency {
        sources.push(json!({ "name": agency.name, "literal": agency.code, "role": "originator" }));
    }
    if let Some(publisher) = &item.publisher {
        sources.push(json!({ "name": publisher, "role": "publisher" }));
    }
    if !sources.is_empty() {
        obj.insert(
            name("infosources", "infoSources").into(),
            Value::Array(sources),
        );
    }
    let subjects: Vec<Value> = item
        .topics
        .iter()
        .map(|t| json!({ "name": t, "rel": "topic" }))
        .chain(
            item.keywords
                .iter()
                .map(|k| json!({ "name": k, "rel": "keyword" })),
        )
        .collect();
    if !subjects.is_empty() {
        obj.insert("subjects".into(), Value::Array(subjects));
    }
    let ents = &article.entities;
    if !ents.people.is_empty() {
        obj.insert(
            "people".into(),
            ents.people
                .iter()
                .map(|p| json!({ "name": p, "rel": "mentioned" }))
                .collect(),
        );
    }
    if !ents.organisations.is_empty() {
        obj.insert(
            "organisations".into(),
            ents.organisations
                .iter()
                .map(|o| json!({ "name": o, "rel": "mentioned" }))
                .collect(),
        );
    }
    if !ents.places.is_empty() {
        let places = ents
            .places
            .iter()
            .map(|p| {
                let mut place = Map::new();
                place.insert("name".into(), json!(p.name));
                place.insert("rel".into(), json!("mentioned"));
                if let Some(cc) = &p.country_code {
                    place.insert("literal".into(), json!(cc));
                }
                if let Some((lat, lon)) = p.coordinates {
                    place.insert(
                        name("geojson", "geoJSON").into(),
                        json!({ "type": "Point", "coordinates": [lon, lat] }),
                    );
                }
                Value::Object(place)
            })
            .collect();
        obj.insert("places".into(), Value::Array(places));
    }
    if let Some(picture) = &item.picture {
        let mut assoc = Map::new();
        assoc.insert("name".into(), json!("picture"));
        assoc.insert("uri".into(), json!(format!("{}:picture", article.id)));
        assoc.insert("type".into(), json!("picture"));
        assoc.insert(
            "descriptions".into(),
            json!([{ "role": "caption", "value": picture.caption }]),
        );
        if let Some(credit) = &picture.credit {
            assoc.insert("by".into(), json!(credit));
            assoc.insert(
                name("copyrightholder", "copyrightHolder").into(),
                json!(credit),
            );
        }
        obj.insert("associations".into(), json!([Value::Object(assoc)]));
    }
    if let Some(uri) = &item.source_uri {
        obj.insert(
            name("altids", "altIds").into(),
            json!([{ "role": "source-uri", "value": uri }]),
        );
    }
    if options.extension {
        obj.insert("wirefeed".into(), extension(article));
    }
    Value::Object(obj)
}

/// The `wirefeed` extension object: everything ninjs has no field for.
fn extension(article: &Article) -> Value {
    let item = &article.item;
    let mut ext = Map::new();
    ext.insert("dedup_key".into(), json!(article.dedup_key));
    ext.insert(
        "fingerprint".into(),
        json!(format!("{:016x}", article.fingerprint)),
    );
    ext.insert("version_time".into(), json!(time(article.version_time())));
    ext.insert("source_format".into(), json!(article.format.as_str()));
    ext.insert("word_count".into(), json!(article.word_count));
    ext.insert("char_count".into(), json!(article.char_count));
    ext.insert("read_time_minutes".into(), json!(article.read_time_minutes));
    ext.insert("syndicated".into(), json!(item.syndicated));
    if let Some(v) = &item.section {
        ext.insert("section".into(), json!(v));
    }
    if !item.breadcrumb.is_empty() {
        ext.insert("breadcrumb".into(), json!(item.breadcrumb));
    }
    if let Some(d) = item.item_date {
        ext.insert("item_date".into(), json!(d.to_string()));
    }
    if !item.keywords.is_empty() {
        ext.insert("keywords".into(), json!(item.keywords));
    }
    if !item.topics.is_empty() {
        ext.insert("topics".into(), json!(item.topics));
    }
    if let Some(p) = &item.publisher {
        ext.insert("publisher".into(), json!(p));
    }
    if let Some(a) = &item.agency {
        ext.insert("agency".into(), json!({ "code": a.code, "name": a.name }));
    }
    if let Some(v) = item.source_version {
        ext.insert("source_version".into(), json!(v));
    }
    if let Some(id) = &article.near_duplicate_of {
        ext.insert("near_duplicate_of".into(), json!(id));
    }
    if article.alert {
        ext.insert("alert".into(), json!(true));
    }
    Value::Object(ext)
}
