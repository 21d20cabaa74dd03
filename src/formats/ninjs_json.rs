//! IPTC ninjs (News in JSON) 1.x, 2.x and 3.x, including BBC-style feed wrappers
//! (`{"total": .., "item": [..]}`), arrays of items and the TT/NTB/dpa/AP flavours.
//!
//! Property names are matched case-insensitively, so 1.x/2.x `versioncreated` and 3.x
//! `versionCreated` read the same. What is read:
//!
//! * headline: `headline`, else the `headlines` entry with role `main` (else the first), else
//!   `headline_main`, else `title`;
//! * summary: `description_text` / `description_html`, else the `descriptions` entry with role
//!   `summary`/`main`/`abstract` (else the first);
//! * body: `body_html` / `body_html5` / `body_xhtml` (cleaned to paragraphs), else `body_text`,
//!   else the `bodies` entry with role `main` (else the first; HTML when its content type says so);
//! * `firstcreated`, `versioncreated` (else `contentcreated` as first-created), `uri` (else
//!   `guid`) → `source_uri`, `version` → `source_version`, `language`, `byline`/`by`,
//!   `located` → dateline, `subject(s)` names → topics, `keywords`, the first picture
//!   association → picture, and the agency from `infosource(s)`, `copyrightholder`, `source`
//!   or `provider` when the agency table knows it.
//!
//! Items with a headline and no body text (alerts: headline, and description where present)
//! are headline-only items. Items of type `picture`, `graphic`, `video`, `audio` are news only
//! through their text: their body, else their caption (description) becomes the body.
//! Not news ([`FormatError::NotNews`]): media items without text or headline, any `event` or
//! `planning` item, items with neither headline nor body text (schema stubs, placeholder bodies
//! without letters), and items with a body but neither headline nor timestamp (schema stubs;
//! with a timestamp it is [`FormatError::NoHeadline`]). NTB's `descriptions` entry with role
//! `text` is read as the body.

use serde_json::{Map, Value};

use crate::formats::agency::agency_from_credit;
use crate::formats::error::{FormatError, collect};
use crate::formats::json::{get, get_str, json_u32};
use crate::formats::markup::{html_text, html_to_paragraphs as html_paragraphs};
use crate::formats::textutil::{clean_line, collapse_ws, parse_iso, push_unique, text_paragraphs};
use crate::model::{ParsedItem, Picture};

/// Cheap check: a JSON object or array that mentions ninjs-typical properties (or a `uri`, the
/// one required ninjs property) and is not an AP Media API or dpa digitalwires document.
pub fn sniff(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return false;
    }
    let head: String = t
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_lowercase();
    if crate::formats::ap_json::sniff(t) {
        return false;
    }
    [
        "\"versioncreated\"",
        "\"headlines\"",
        "\"body_html\"",
        "\"body_text\"",
        "\"bodies\"",
        "\"firstcreated\"",
        "\"$standard\"",
        "ninjs",
        "\"description_text\"",
        "\"eventdetails\"",
    ]
    .iter()
    .any(|k| head.contains(k))
        || head.contains("\"uri\"")
}

/// Parses a ninjs document (one item, a feed wrapper or an array) into its news items.
///
/// # Errors
/// [`FormatError::Malformed`] for invalid JSON or a document without item objects,
/// [`FormatError::NotNews`] when no item is a text story, [`FormatError::NoHeadline`] for a
/// text item without a headline.
pub fn parse(input: &str) -> Result<Vec<ParsedItem>, FormatError> {
    let value: Value = serde_json::from_str(input.trim_start_matches('\u{feff}'))
        .map_err(|e| FormatError::Malformed(format!("invalid JSON: {e}")))?;
    let items = item_objects(&value);
    if items.is_empty() {
        return Err(FormatError::Malformed("no ninjs item object".into()));
    }
    collect(items.into_iter().map(parse_item))
}

fn item_objects(value: &Value) -> Vec<&Map<String, Value>> {
    match value {
        Value::Array(a) => a.iter().filter_map(Value::as_object).collect(),
        Value::Object(o) => {
            for key in ["item", "items"] {
                match get(o, key) {
                    Some(Value::Array(a)) => {
                        return a.iter().filter_map(Value::as_object).collect();
                    }
                    Some(Value::Object(inner)) => return vec![inner],
                    _ => {}
                }
            }
            vec![o]
        }
        _ => Vec::new(),
    }
}

/// The `value` of the entry with one of `roles` (else the first entry) in a 2.x/3.x role list.
fn role_value<'a>(
    o: &'a Map<String, Value>,
    list: &str,
    roles: &[&str],
) -> Option<&'a Map<String, Value>> {
    let arr = get(o, list)?.as_array()?;
    let objs: Vec<&Map<String, Value>> = arr.iter().filter_map(Value::as_object).collect();
    for role in roles {
        if let Some(hit) = objs
            .iter()
            .find(|e| get_str(e, "role").is_some_and(|r| r.eq_ignore_ascii_case(role)))
        {
            return Some(hit);
        }
    }
    objs.into_iter().next()
}

fn entry_text(e: &Map<String, Value>) -> Option<String> {
    let value = get_str(e, "value")?;
    let ctype = get_str(e, "contenttype").unwrap_or("text/plain");
    let t = if ctype.contains("html") || ctype.contains("xml") {
        html_text(value)
    } else {
        clean_line(value)
    };
    (!t.is_empty()).then_some(t)
}

fn headline(o: &Map<String, Value>) -> Option<String> {
    let raw = get_str(o, "headline")
        .map(clean_line)
        .or_else(|| role_value(o, "headlines", &["main"]).and_then(entry_text))
        .or_else(|| get_str(o, "headline_main").map(clean_line))
        .or_else(|| get_str(o, "title").map(clean_line))?;
    (!raw.is_empty()).then_some(raw)
}

fn summary(o: &Map<String, Value>) -> Option<String> {
    get_str(o, "description_text")
        .map(clean_line)
        .or_else(|| get_str(o, "description_html").map(html_text))
        .or_else(|| {
            role_value(
                o,
                "descriptions",
                &["summary", "main", "abstract", "description"],
            )
            .and_then(entry_text)
        })
        .filter(|s| !s.is_empty())
}

fn body(o: &Map<String, Value>) -> Vec<String> {
    for key in ["body_html", "body_html5", "body_xhtml"] {
        if let Some(html) = get_str(o, key) {
            let p = html_paragraphs(html);
            if !p.is_empty() {
                return p;
            }
        }
    }
    if let Some(text) = get_str(o, "body_text") {
        let p = split_plain(text);
        if !p.is_empty() {
            return p;
        }
    }
    // NTB puts the story in a `descriptions` entry with role `text`.
    if let Some(entry) = get(o, "descriptions")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter().filter_map(Value::as_object).find(|e| {
                get_str(e, "role").is_some_and(|r| {
                    r.eq_ignore_ascii_case("text") || r.eq_ignore_ascii_case("body")
                })
            })
        })
        && let Some(value) = get_str(entry, "value")
    {
        let ctype = get_str(entry, "contenttype").unwrap_or("");
        let p = if ctype.contains("html") {
            html_paragraphs(value)
        } else {
            split_plain(value)
        };
        if !p.is_empty() {
            return p;
        }
    }
    if let Some(entry) = role_value(o, "bodies", &["main", "body"])
        && let Some(value) = get_str(entry, "value")
    {
        let ctype = get_str(entry, "contenttype").unwrap_or("");
        let looks_html = value.trim_start().starts_with('<');
        return if ctype.contains("html") || ctype.contains("xml") || looks_html {
            html_paragraphs(value)
        } else {
            split_plain(value)
        };
    }
    Vec::new()
}

/// Plain body text: paragraphs at blank lines, or at every line when there are no blank lines.
fn split_plain(text: &str) -> Vec<String> {
    let blank_lines = text.contains("\n\n") || text.contains("\r\n\r\n");
    text_paragraphs(text, !blank_lines)
}

fn names(v: Option<&Value>) -> Vec<String> {
    let Some(Value::Array(a)) = v else {
        return Vec::new();
    };
    a.iter()
        .filter_map(|e| match e {
            Value::String(s) => Some(clean_line(s)),
            Value::Object(o) => get_str(o, "name")
                .or_else(|| get_str(o, "literal"))
                .or_else(|| get_str(o, "code"))
                .or_else(|| get_str(o, "uri"))
                .map(clean_line),
            _ => None,
        })
        .filter(|s| !s.is_empty())
        .collect()
}

fn byline(o: &Map<String, Value>) -> Option<String> {
    get_str(o, "byline")
        .or_else(|| get_str(o, "by"))
        .map(clean_line)
        .filter(|s| !s.is_empty())
}

fn agency(o: &Map<String, Value>) -> Option<crate::model::Agency> {
    let mut credits: Vec<String> = Vec::new();
    for key in ["infosources", "infosource"] {
        match get(o, key) {
            Some(Value::Array(_)) => credits.extend(names(get(o, key))),
            Some(Value::Object(src)) => credits.extend(get_str(src, "name").map(str::to_owned)),
            Some(Value::String(s)) => credits.push(s.clone()),
            _ => {}
        }
    }
    for key in ["copyrightholder", "source", "provider"] {
        credits.extend(get_str(o, key).map(str::to_owned));
    }
    credits.iter().find_map(|c| agency_from_credit(c))
}

fn picture(o: &Map<String, Value>) -> Option<Picture> {
    let assoc = get(o, "associations")?;
    let entries: Vec<&Map<String, Value>> = match assoc {
        Value::Object(m) => m.values().filter_map(Value::as_object).collect(),
        Value::Array(a) => a.iter().filter_map(Value::as_object).collect(),
        _ => return None,
    };
    entries.into_iter().find_map(|e| {
        let t = get_str(e, "type")?;
        if !t.eq_ignore_ascii_case("picture") && !t.eq_ignore_ascii_case("image") {
            return None;
        }
        let caption = summary(e).or_else(|| headline(e))?;
        Some(Picture {
            caption,
            credit: byline(e),
        })
    })
}

const MEDIA_TYPES: &[&str] = &["picture", "graphic", "video", "audio", "image"];
const PLANNING_TYPES: &[&str] = &["event", "planning", "concept", "object"];

fn parse_item(o: &Map<String, Value>) -> Result<ParsedItem, FormatError> {
    let kind = get_str(o, "type").unwrap_or("").to_ascii_lowercase();
    if PLANNING_TYPES.contains(&kind.as_str()) || get(o, "eventdetails").is_some() {
        return Err(FormatError::NotNews(format!(
            "ninjs {} item",
            if kind.is_empty() { "event" } else { &kind }
        )));
    }
    // Placeholder bodies ("[ ... ]") have no letters.
    let mut body: Vec<String> = body(o)
        .into_iter()
        .filter(|p| p.chars().any(char::is_alphabetic))
        .collect();
    let headline = headline(o);
    if MEDIA_TYPES.contains(&kind.as_str()) {
        // A picture, video or audio item is news only through its text: a body, else a
        // caption.
        if body.is_empty() {
            body.extend(summary(o).filter(|c| c.chars().any(char::is_alphabetic)));
        }
        if body.is_empty() || headline.is_none() {
            return Err(FormatError::NotNews(format!(
                "ninjs {kind} item without text"
            )));
        }
    }
    // A headline without body text is an alert (with its description, if any).
    if body.is_empty() && headline.is_none() {
        return Err(FormatError::NotNews(
            "ninjs item without headline or body (schema stub)".into(),
        ));
    }
    let first = get_str(o, "firstcreated").and_then(parse_iso);
    let version_created = get_str(o, "versioncreated").and_then(parse_iso);
    let first_created = first.or_else(|| get_str(o, "contentcreated").and_then(parse_iso));
    let Some(headline) = headline else {
        // A body with neither headline nor timestamp cannot be published: a schema stub.
        if first_created.is_none() && version_created.is_none() {
            return Err(FormatError::NotNews(
                "ninjs item with body but no headline or timestamps (schema stub)".into(),
            ));
        }
        return Err(FormatError::NoHeadline);
    };
    let mut topics = names(get(o, "subject"));
    topics.extend(names(get(o, "subjects")));
    let mut keywords = names(get(o, "keywords"));
    if let Some(slug) = get_str(o, "slugline") {
        let slug = clean_line(slug);
        if !slug.is_empty() {
            push_unique(&mut keywords, slug);
        }
    }
    Ok(ParsedItem {
        headline,
        summary: summary(o),
        body,
        first_created,
        version_created,
        keywords,
        topics,
        picture: picture(o),
        agency: agency(o),
        byline: byline(o),
        dateline: get_str(o, "located").map(collapse_ws),
        language: get_str(o, "language").map(str::to_owned),
        source_uri: get_str(o, "uri")
            .or_else(|| get_str(o, "guid"))
            .map(str::to_owned),
        source_version: json_u32(get(o, "version")),
        urgency: json_u32(get(o, "urgency"))
            .and_then(|u| u8::try_from(u).ok())
            .filter(|u| (1..=9).contains(u)),
        ..ParsedItem::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = r#"{"uri":"urn:x:1","type":"text","version":"3","headline":"Floods hit the north",
        "description_text":"Rivers burst.","body_html":"<p>First &amp; foremost.</p><p>Second.</p>",
        "versioncreated":"2024-01-02T03:04:05+0000","firstcreated":"2024-01-02T01:00:00Z",
        "language":"en","byline":"Jane Roe","located":"Leeds",
        "subject":[{"code":"06000000","name":"environment"}],"copyrightholder":"Reuters"}"#;

    const V3: &str = r#"{"uri":"urn:x:3","type":"text","version":2,
        "headlines":[{"role":"sub","value":"Sub"},{"role":"main","value":"Main head"}],
        "descriptions":[{"role":"summary","value":"<p>Sum</p>","contentType":"text/html"}],
        "bodies":[{"role":"main","contentType":"text/html","value":"<p>A</p><p>B</p>"}],
        "versionCreated":"2024-05-06T07:08:09+02:00","by":"By Someone",
        "subjects":[{"name":"politics","uri":"x"}],"infoSources":[{"name":"AP"}]}"#;

    #[test]
    fn reads_v1() {
        let items = parse(V1).unwrap();
        let it = &items[0];
        assert_eq!(it.headline, "Floods hit the north");
        assert_eq!(it.body, vec!["First & foremost.", "Second."]);
        assert_eq!(it.summary.as_deref(), Some("Rivers burst."));
        assert_eq!(it.source_version, Some(3));
        assert_eq!(it.dateline.as_deref(), Some("Leeds"));
        assert_eq!(it.topics, vec!["environment"]);
        assert_eq!(it.agency.as_ref().unwrap().code, "Reuters");
        assert_eq!(
            it.version_created.unwrap().to_rfc3339(),
            "2024-01-02T03:04:05+00:00"
        );
        assert!(sniff(V1));
    }

    #[test]
    fn reads_v3_and_wrappers() {
        let it = &parse(V3).unwrap()[0];
        assert_eq!(it.headline, "Main head");
        assert_eq!(it.summary.as_deref(), Some("Sum"));
        assert_eq!(it.body, vec!["A", "B"]);
        assert_eq!(it.agency.as_ref().unwrap().code, "AP");
        assert_eq!(it.source_version, Some(2));
        let wrapped = format!(r#"{{"total":2,"item":[{V1},{V3}]}}"#);
        assert_eq!(parse(&wrapped).unwrap().len(), 2);
        assert_eq!(parse(&format!("[{V3}]")).unwrap().len(), 1);
    }

    #[test]
    fn rejects_non_news() {
        let pic = r#"{"uri":"x","type":"picture","headline":"A cat"}"#;
        assert!(matches!(parse(pic), Err(FormatError::NotNews(_))));
        // With a caption the picture's text is news.
        let captioned =
            r#"{"uri":"x","type":"picture","headline":"A cat","description_text":"A cat naps."}"#;
        assert_eq!(parse(captioned).unwrap()[0].body, vec!["A cat naps."]);
        // A headline and description alone: an alert.
        let alert = r#"{"uri":"x","type":"text","headline":"Quake hits Tokyo","description_text":"Strong quake.","urgency":1}"#;
        let it = &parse(alert).unwrap()[0];
        assert!(it.body.is_empty());
        assert_eq!(it.summary.as_deref(), Some("Strong quake."));
        assert_eq!(it.urgency, Some(1));
        assert!(matches!(
            parse(r#"{"uri":"x"}"#),
            Err(FormatError::NotNews(_))
        ));
        let ev = r#"{"uri":"x","type":"event","title":"Summit"}"#;
        assert!(matches!(parse(ev), Err(FormatError::NotNews(_))));
        assert!(matches!(parse("{"), Err(FormatError::Malformed(_))));
        assert!(matches!(parse("42"), Err(FormatError::Malformed(_))));
        let nohl = r#"{"type":"text","body_text":"Text only.","versioncreated":"2024-01-01"}"#;
        assert_eq!(parse(nohl), Err(FormatError::NoHeadline));
    }
}
