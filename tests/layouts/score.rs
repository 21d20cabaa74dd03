//! Field-by-field scoring of a parsed page against the fields its rendering carries.

use wirefeed::model::ParsedItem;

/// The fields scored, in table order.
pub const FIELDS: &[&str] = &[
    "headline",
    "dek",
    "first_published",
    "updated",
    "agency",
    "byline",
    "dateline",
    "section",
    "breadcrumb",
    "keywords",
    "topics",
    "caption",
    "credit",
    "publisher",
    "syndicated",
    "read_time",
    "item_date",
    "body",
];

/// One field's value as comparable text; `None` when the item does not carry it.
pub fn field(item: &ParsedItem, name: &str) -> Option<String> {
    let list = |v: &[String]| (!v.is_empty()).then(|| v.join(" | "));
    match name {
        "headline" => Some(item.headline.clone()),
        "dek" => item.summary.clone(),
        "first_published" => item.first_created.map(|t| t.to_rfc3339()),
        "updated" => item.version_created.map(|t| t.to_rfc3339()),
        "agency" => item.agency.as_ref().map(|a| a.code.clone()),
        "byline" => item.byline.clone(),
        "dateline" => item.dateline.clone(),
        "section" => item.section.clone(),
        "breadcrumb" => list(&item.breadcrumb),
        "keywords" => list(&item.keywords),
        "topics" => list(&item.topics),
        "caption" => item.picture.as_ref().map(|p| p.caption.clone()),
        "credit" => item.picture.as_ref().and_then(|p| p.credit.clone()),
        "publisher" => item.publisher.clone(),
        "syndicated" => item.syndicated.then(|| "yes".to_string()),
        "read_time" => item.read_time_minutes.map(|m| m.to_string()),
        "item_date" => item.item_date.map(|d| d.to_string()),
        "body" => Some(body_text(&item.body)),
        other => panic!("unknown field {other}"),
    }
}

/// Body paragraphs as one whitespace-collapsed text: a flattened page cannot keep paragraph
/// breaks, so what is scored is that no line is lost and no furniture is kept.
pub fn body_text(body: &[String]) -> String {
    body.iter()
        .flat_map(|p| p.split_whitespace())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The scored fields of one parse: (field, expected, got) for every field either side carries.
pub fn compare(
    truth: &ParsedItem,
    got: &ParsedItem,
) -> Vec<(&'static str, Option<String>, Option<String>)> {
    FIELDS
        .iter()
        .filter_map(|&f| {
            let (want, have) = (field(truth, f), field(got, f));
            (want.is_some() || have.is_some()).then_some((f, want, have))
        })
        .collect()
}

/// Word-multiset precision and recall of `got` against `want` (the usual main-text measure).
pub fn word_precision_recall(got: &str, want: &str) -> (f64, f64) {
    use std::collections::HashMap;
    let count = |s: &str| {
        let mut m: HashMap<String, usize> = HashMap::new();
        for w in s
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            *m.entry(w.to_lowercase()).or_default() += 1;
        }
        m
    };
    let (g, w) = (count(got), count(want));
    let common: usize = g
        .iter()
        .map(|(k, n)| (*n).min(w.get(k).copied().unwrap_or(0)))
        .sum();
    let gn: usize = g.values().sum();
    let wn: usize = w.values().sum();
    (
        common as f64 / gn.max(1) as f64,
        common as f64 / wn.max(1) as f64,
    )
}
