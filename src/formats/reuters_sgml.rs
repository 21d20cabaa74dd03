//! Reuters-21578 SGML (Lewis 1997): files of many `<REUTERS>` documents, the classic newswire
//! collection used to test and backfill news pipelines. One [`ParsedItem`] per document.
//!
//! Per document: `<TITLE>` → headline; `<BODY>` → body paragraphs (indented lines open a
//! paragraph; the closing "Reuter" sign-off and control characters dropped); `<DATE>`
//! ("26-FEB-1987 15:01:01.79", read as UTC: the collection gives no zone) → first created;
//! `<DATELINE>` ("SALVADOR, Feb 26 -") → dateline place; `<TOPICS>` → topics; `<PLACES>` →
//! places (country codes as the collection writes them, "west-germany" → "West Germany");
//! `NEWID` → source URI `reuters21578:NEWID`; agency Reuters, language English. Documents of
//! `TYPE="BRIEF"` carry a title only: they become headline-only items (alerts). Documents with no
//! title (`TYPE="UNPROC"`) are passed on with an empty headline, so the pipeline accounts for
//! them as rejected items of the file.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::formats::entities::decode_entities;
use crate::formats::error::FormatError;
use crate::formats::textutil::{clean_line, title_case, title_case_caps};
use crate::model::{Agency, ParsedItem};

/// Documents read from one record at most: the collection's files hold 1 000 each.
const MAX_DOCUMENTS: usize = 10_000;

/// True when the text opens (after an optional `<!DOCTYPE lewis ...>`) with a `<REUTERS` element.
pub fn sniff(text: &str) -> bool {
    let mut rest = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if rest
        .get(..9)
        .is_some_and(|head| head.eq_ignore_ascii_case("<!DOCTYPE"))
    {
        let Some(end) = rest.find('>') else {
            return false;
        };
        if !rest[..end].to_ascii_lowercase().contains("lewis") {
            return false;
        }
        rest = rest[end + 1..].trim_start();
    }
    rest.starts_with("<REUTERS") && rest[8..].starts_with([' ', '>', '\t', '\r', '\n'])
}

/// Parses every `<REUTERS>` document of the text.
///
/// # Errors
/// [`FormatError::WrongFormat`] when the text holds no `<REUTERS>` document.
pub fn parse(text: &str) -> Result<Vec<ParsedItem>, FormatError> {
    let items: Vec<ParsedItem> = text
        .split("<REUTERS")
        .skip(1)
        .filter(|doc| doc.starts_with([' ', '>', '\t', '\r', '\n']))
        .take(MAX_DOCUMENTS)
        .map(document)
        .collect();
    if items.is_empty() {
        return Err(FormatError::WrongFormat(
            "no <REUTERS> document in the text".into(),
        ));
    }
    Ok(items)
}

/// One document: the text after `<REUTERS`, up to the next one.
fn document(doc: &str) -> ParsedItem {
    let doc = doc.split("</REUTERS>").next().unwrap_or(doc);
    let attrs = &doc[..doc.find('>').unwrap_or(doc.len())];
    let newid = attribute(attrs, "NEWID");
    ParsedItem {
        headline: element(doc, "TITLE").map(text).unwrap_or_default(),
        body: element(doc, "BODY").map(paragraphs).unwrap_or_default(),
        first_created: element(doc, "DATE").and_then(date),
        dateline: element(doc, "DATELINE").and_then(dateline),
        topics: list(doc, "TOPICS"),
        places: list(doc, "PLACES").iter().map(|p| place_name(p)).collect(),
        agency: Some(Agency {
            code: "Reuters".into(),
            name: "Reuters".into(),
        }),
        byline: Some("Reuters".into()),
        language: Some("en".into()),
        source_uri: newid.map(|id| format!("reuters21578:{id}")),
        ..ParsedItem::default()
    }
}

/// The value of attribute `name` in an open tag's attributes.
fn attribute<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let start = attrs.find(&format!("{name}=\""))? + name.len() + 2;
    let len = attrs[start..].find('"')?;
    Some(&attrs[start..start + len])
}

/// The content of the first `<name>...</name>` element.
fn element<'a>(doc: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = doc.find(&open)? + open.len();
    let len = doc[start..].find(&format!("</{name}>"))?;
    Some(&doc[start..start + len])
}

/// The `<D>` values of a list element.
fn list(doc: &str, name: &str) -> Vec<String> {
    element(doc, name).map_or_else(Vec::new, |inner| {
        inner
            .split("<D>")
            .skip(1)
            .filter_map(|d| d.split("</D>").next())
            .map(text)
            .filter(|d| !d.is_empty())
            .collect()
    })
}

/// Text with entities decoded and control characters and runs of whitespace collapsed.
fn text(s: &str) -> String {
    clean_line(&decode_entities(s))
}

/// Body paragraphs: a line indented by spaces opens a paragraph; the sign-off goes.
fn paragraphs(body: &str) -> Vec<String> {
    let body = decode_entities(body);
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in body.lines() {
        if line.starts_with([' ', '\t']) && !current.is_empty() {
            out.push(clean_line(&current));
            current.clear();
        }
        current.push(' ');
        current.push_str(line);
    }
    out.push(clean_line(&current));
    out.retain(|p| !p.is_empty());
    if out
        .last()
        .is_some_and(|p| p.trim_end_matches('.').eq_ignore_ascii_case("reuter"))
    {
        out.pop();
    }
    out
}

/// "26-FEB-1987 15:01:01.79" as UTC.
fn date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let s = s.split('.').next().unwrap_or(s);
    NaiveDateTime::parse_from_str(s, "%d-%b-%Y %H:%M:%S")
        .ok()
        .map(|t| t.and_utc())
}

/// "    SALVADOR, Feb 26 - " → "Salvador".
fn dateline(s: &str) -> Option<String> {
    let place = text(s);
    let place = place.split(',').next()?.trim().trim_end_matches('-').trim();
    (!place.is_empty()).then(|| title_case_caps(place))
}

/// A place code of the collection as a name: "west-germany" → "West Germany", "usa" → "USA".
fn place_name(code: &str) -> String {
    match code {
        "usa" => "United States".into(),
        "uk" => "United Kingdom".into(),
        "ussr" => "Soviet Union".into(),
        _ => title_case(&code.replace('-', " ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n\
<REUTERS TOPICS=\"YES\" NEWID=\"7\">\n<DATE>26-FEB-1987 15:01:01.79</DATE>\n\
<TOPICS><D>cocoa</D><D>grain</D></TOPICS>\n<PLACES><D>el-salvador</D><D>usa</D></PLACES>\n\
<TEXT>&#2;\n<TITLE>BAHIA COCOA &lt;BC&gt; REVIEW</TITLE>\n\
<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued throughout\n\
the week in the Bahia zone.\n    Arrivals were 155,221 bags.\n Reuter\n&#3;</BODY></TEXT>\n</REUTERS>\n\
<REUTERS TOPICS=\"NO\" NEWID=\"8\">\n<DATE> 2-MAR-1987 09:00:00.00</DATE>\n<TOPICS></TOPICS>\n\
<TEXT TYPE=\"BRIEF\">&#2;\n******<TITLE>U.S. FIRM CUTS PRIME RATE</TITLE>\n</TEXT>\n</REUTERS>\n\
<REUTERS NEWID=\"9\">\n<DATE>2-MAR-1987 10:00:00.00</DATE>\n<TEXT TYPE=\"UNPROC\">&#2;\ntext only\n</TEXT>\n</REUTERS>\n";

    #[test]
    fn one_item_per_document_with_topics_and_places() {
        assert!(sniff(SAMPLE));
        let items = parse(SAMPLE).unwrap();
        assert_eq!(items.len(), 3);
        let a = &items[0];
        assert_eq!(a.headline, "BAHIA COCOA <BC> REVIEW");
        assert_eq!(
            a.body,
            vec![
                "Showers continued throughout the week in the Bahia zone.",
                "Arrivals were 155,221 bags."
            ]
        );
        assert_eq!(
            a.first_created.unwrap().to_rfc3339(),
            "1987-02-26T15:01:01+00:00"
        );
        assert_eq!(a.topics, vec!["cocoa", "grain"]);
        assert_eq!(a.places, vec!["El Salvador", "United States"]);
        assert_eq!(a.dateline.as_deref(), Some("Salvador"));
        assert_eq!(a.source_uri.as_deref(), Some("reuters21578:7"));
        assert_eq!(a.agency.as_ref().unwrap().code, "Reuters");
        // A brief: the headline alone.
        assert_eq!(items[1].headline, "U.S. FIRM CUTS PRIME RATE");
        assert!(items[1].body.is_empty());
        assert!(items[1].first_created.is_some());
        // No title: passed on for the pipeline to reject.
        assert!(items[2].headline.is_empty());
    }

    #[test]
    fn other_text_is_not_reuters_sgml() {
        assert!(!sniff("<REUTERSX>"));
        assert!(!sniff("<!DOCTYPE html><REUTERS>"));
        assert!(!sniff("Headline\n\nBody"));
        assert!(parse("<nothing/>").is_err());
        // Truncated or broken documents never panic.
        for cut in [10, 50, 120, 300, SAMPLE.len() - 5] {
            assert!(parse(&SAMPLE[..cut]).map_or(true, |items| items.len() <= 3));
        }
        let open = parse("<REUTERS NEWID=\"").unwrap();
        assert!(open[0].headline.is_empty() && open[0].source_uri.is_none());
    }
}
