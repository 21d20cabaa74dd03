//! AP Media API JSON (`{"api_version": .., "data": {"item": {..}}}` for one item,
//! `{"data": {"items": [{"item": {..}}, ..]}}` for a feed page) and dpa digitalwires JSON
//! (`{"format": "digitalwires@..", "headline": .., "article_html": ..}`).
//!
//! **AP text bodies are not inline**: the Media API delivers the story text as a NITF rendition
//! (`renditions.nitf.href`) the caller must download. An AP text item without an inline body is
//! still news: it is returned with `summary` from `headline_extended` (or `summary`), and the
//! body is that summary as a single paragraph when there is one, otherwise empty. Callers that
//! need the full text fetch the rendition (its address has no field in [`ParsedItem`]).
//! AP pictures, graphics, video and audio are [`FormatError::NotNews`].
//!
//! dpa digitalwires: headline, `teaser` → summary, `article_html` → paragraphs with the
//! `dateline` ("Berlin (dpa) - ") put in front of the first one (as the IPTC 7901 rendering of
//! the same item prints it), `version_created`, `urn`, `version`, `language`, `byline`,
//! keywords and subjects from the name lists; `urgency` → urgency. No article text → NotNews,
//! except at urgency 1 or 2 (an alert: headline-only); a mostly tabular body (sports results) →
//! NotNews.

use serde_json::{Map, Value};

use crate::formats::agency::agency_from_credit;
use crate::formats::error::{FormatError, collect};
use crate::formats::json::{get, get_str, json_u32};
use crate::formats::markup::{html_text, html_to_paragraphs as html_paragraphs};
use crate::formats::textutil::{clean_line, dateline_place, is_tabular, parse_iso, push_unique};
use crate::model::ParsedItem;

/// Cheap check for an AP Media API response or a dpa digitalwires item.
pub fn sniff(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if !t.starts_with('{') {
        return false;
    }
    let head: String = t.chars().take(2048).collect();
    (head.contains("\"api_version\"") && head.contains("\"data\""))
        || head.contains("\"digitalwires@")
}

/// Parses an AP Media API response or a dpa digitalwires item.
///
/// # Errors
/// [`FormatError::Malformed`] for invalid JSON or an unknown shape, [`FormatError::NotNews`]
/// when no item is a text story, [`FormatError::NoHeadline`] for text without a headline.
pub fn parse(input: &str) -> Result<Vec<ParsedItem>, FormatError> {
    let value: Value = serde_json::from_str(input.trim_start_matches('\u{feff}'))
        .map_err(|e| FormatError::Malformed(format!("invalid JSON: {e}")))?;
    let Some(root) = value.as_object() else {
        return Err(FormatError::Malformed("JSON root is not an object".into()));
    };
    if get_str(root, "format").is_some_and(|f| f.starts_with("digitalwires")) {
        return digitalwires(root).map(|i| vec![i]);
    }
    let Some(data) = get(root, "data").and_then(Value::as_object) else {
        return Err(FormatError::Malformed("no `data` object".into()));
    };
    let mut items: Vec<&Map<String, Value>> = Vec::new();
    if let Some(item) = get(data, "item").and_then(Value::as_object) {
        items.push(item);
    }
    if let Some(list) = get(data, "items").and_then(Value::as_array) {
        items.extend(list.iter().filter_map(|e| {
            let e = e.as_object()?;
            get(e, "item").and_then(Value::as_object).or(Some(e))
        }));
    }
    if items.is_empty() {
        return Err(FormatError::NotNews("AP response without items".into()));
    }
    collect(items.into_iter().map(ap_item))
}

fn ap_item(o: &Map<String, Value>) -> Result<ParsedItem, FormatError> {
    let kind = get_str(o, "type").unwrap_or("text").to_ascii_lowercase();
    if kind != "text" {
        return Err(FormatError::NotNews(format!("AP {kind} item")));
    }
    let headline = get_str(o, "headline")
        .or_else(|| get_str(o, "title"))
        .map(clean_line)
        .filter(|h| !h.is_empty())
        .ok_or(FormatError::NoHeadline)?;
    let summary = get_str(o, "headline_extended")
        .or_else(|| get_str(o, "summary"))
        .map(clean_line)
        .filter(|s| !s.is_empty());
    let mut body = ["body_html", "body_nitf", "main"]
        .iter()
        .find_map(|k| get_str(o, k))
        .map(html_paragraphs)
        .unwrap_or_default();
    if body.is_empty() {
        body.extend(summary.clone());
    }
    let byline = get(o, "bylines")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .filter_map(Value::as_object)
                .find_map(|b| get_str(b, "by"))
        })
        .or_else(|| get_str(o, "byline"))
        .map(clean_line);
    let mut topics = Vec::new();
    if let Some(Value::Array(subjects)) = get(o, "subject") {
        for s in subjects.iter().filter_map(Value::as_object) {
            if let Some(name) = get_str(s, "name").filter(|n| n.len() > 1) {
                push_unique(&mut topics, clean_line(name));
            }
        }
    }
    let keywords = get(o, "keywords")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(clean_line).collect())
        .unwrap_or_default();
    let itemid = get(o, "altids")
        .and_then(Value::as_object)
        .and_then(|a| get_str(a, "itemid"));
    let agency = get_str(o, "provider")
        .and_then(agency_from_credit)
        .or_else(|| agency_from_credit("AP"));
    Ok(ParsedItem {
        headline,
        summary,
        body,
        first_created: get_str(o, "firstcreated").and_then(parse_iso),
        version_created: get_str(o, "versioncreated").and_then(parse_iso),
        keywords,
        topics,
        agency,
        byline,
        dateline: get(o, "datelinelocation")
            .and_then(Value::as_object)
            .and_then(|d| get_str(d, "city"))
            .map(clean_line),
        language: get_str(o, "language").map(str::to_owned),
        source_uri: itemid
            .map(|id| format!("urn:publicid:ap.org:{id}"))
            .or_else(|| get_str(o, "uri").map(str::to_owned)),
        source_version: json_u32(get(o, "version")),
        ..ParsedItem::default()
    })
}

fn digitalwires(o: &Map<String, Value>) -> Result<ParsedItem, FormatError> {
    let headline = get_str(o, "headline")
        .map(clean_line)
        .filter(|h| !h.is_empty())
        .ok_or(FormatError::NoHeadline)?;
    let html = get_str(o, "article_html").unwrap_or_default();
    let mut body = html_paragraphs(html);
    // "urgency" comes as a number or a string; 1 and 2 are dpa's flashes and alerts ("Eil").
    let urgency = get(o, "urgency").and_then(|u| match u {
        Value::String(s) => crate::formats::textutil::urgency(s),
        other => crate::formats::textutil::urgency(&other.to_string()),
    });
    if body.is_empty() && urgency.is_none_or(|u| u > 2) {
        return Err(FormatError::NotNews(
            "digitalwires item without article text".into(),
        ));
    }
    // Results and listings break lines with single <br>s, which the paragraph reader joins:
    // judge the layout line by line.
    let lines = html_paragraphs(&html.replace("<br", "<br><br"));
    if is_tabular(lines.iter().map(String::as_str)) {
        return Err(FormatError::NotNews(
            "tabular content (results/listing)".into(),
        ));
    }
    let dateline_text = get_str(o, "dateline").map(clean_line);
    if let Some(d) = dateline_text.as_deref().filter(|d| !d.is_empty())
        && let Some(first) = body.first_mut()
    {
        *first = format!("{d} {first}");
    }
    let names = |key: &str| -> Vec<String> {
        get(o, key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(clean_line).collect())
            .unwrap_or_default()
    };
    let mut topics = names("dpasubject_names");
    topics.extend(names("geosubject_names"));
    Ok(ParsedItem {
        headline,
        summary: get_str(o, "teaser")
            .map(html_text)
            .filter(|s| !s.is_empty()),
        dateline: body.first().and_then(|p| dateline_place(p)),
        body,
        version_created: get_str(o, "version_created").and_then(parse_iso),
        keywords: names("keyword_names"),
        topics,
        section: get_str(o, "kicker").map(clean_line),
        agency: get_str(o, "creditline").and_then(agency_from_credit),
        byline: get_str(o, "byline").map(clean_line),
        language: get_str(o, "language").map(str::to_owned),
        source_uri: get_str(o, "urn").map(str::to_owned),
        source_version: json_u32(get(o, "version")),
        urgency,
        ..ParsedItem::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const AP: &str = r#"{"api_version":"2","data":{"items":[
        {"item":{"type":"text","headline":"Storm nears coast","headline_extended":"A storm nears.",
          "versioncreated":"2019-07-03T04:05:12Z","firstcreated":"2019-07-03T04:00:00Z",
          "altids":{"itemid":"abc"},"version":"1","bylines":[{"by":"Jo Doe"}],
          "subject":[{"name":"Weather"}],"provider":"AP"}},
        {"item":{"type":"picture","headline":"Photo"}}]}}"#;

    const DW: &str = r#"{"format":"digitalwires@0.9.1","headline":"Bahn gesperrt",
        "dateline":"Peine (dpa/lni) - ","article_html":"<section><p>Ein Baum fiel.</p><p>Zwei.</p></section>",
        "version_created":"2024-09-25T18:52:17+02:00","teaser":"Kurz.","urn":"urn:x","version":2}"#;

    #[test]
    fn ap_feed() {
        assert!(sniff(AP));
        let items = parse(AP).unwrap();
        assert_eq!(items.len(), 1);
        let it = &items[0];
        assert_eq!(it.body, vec!["A storm nears."]);
        assert_eq!(it.byline.as_deref(), Some("Jo Doe"));
        assert_eq!(it.source_uri.as_deref(), Some("urn:publicid:ap.org:abc"));
        assert_eq!(it.agency.as_ref().unwrap().code, "AP");
        let pic = r#"{"api_version":"2","data":{"item":{"type":"picture","headline":"P"}}}"#;
        assert!(matches!(parse(pic), Err(FormatError::NotNews(_))));
    }

    #[test]
    fn digitalwires_item() {
        assert!(sniff(DW));
        let it = &parse(DW).unwrap()[0];
        assert_eq!(it.body[0], "Peine (dpa/lni) - Ein Baum fiel.");
        assert_eq!(it.dateline.as_deref(), Some("Peine"));
        assert_eq!(
            it.version_created.unwrap().to_rfc3339(),
            "2024-09-25T16:52:17+00:00"
        );
        let empty = r#"{"format":"digitalwires@1","headline":"Foto","urgency":"4"}"#;
        assert!(matches!(parse(empty), Err(FormatError::NotNews(_))));
        // A headline alone at urgency 1 or 2: a dpa alert ("Eil").
        let alert =
            r#"{"format":"digitalwires@1","headline":"Regierung tritt zurück","urgency":"2"}"#;
        let it = &parse(alert).unwrap()[0];
        assert!(it.body.is_empty());
        assert_eq!(it.urgency, Some(2));
        assert!(matches!(parse("[]"), Err(FormatError::Malformed(_))));
    }
}
