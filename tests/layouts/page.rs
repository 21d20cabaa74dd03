//! Page fixtures for the layout generator: what a page says, as structured data.
//!
//! Three sources: the seed (read from `../shared/seed`), the scraped-page fixtures in
//! `tests/fixtures/scraped` (each parsed from its own one-block-per-line layout, which the
//! parser's unit tests pin), and articles rendered from structured items of the shared corpus
//! (`../shared/corpus/newsapi`: headline, description, time, agency or staff byline).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Timelike, Utc};
use wirefeed::formats::{agency_from_credit, scraped};
use wirefeed::model::ParsedItem;

/// The seed item, relative to the crate.
pub const SEED: &str = "../shared/seed/000_4a15e63da7983562.txt";
/// Structured corpus items, relative to the crate.
const NEWSAPI: &str = "../shared/corpus/newsapi";
/// Fixtures that are themselves a non-canonical shape of another page, not pages of their own.
const SHAPED_FIXTURES: &[&str] = &["flattened.txt", "hard-wrapped.txt"];

/// One page: its name and the fields it carries.
#[derive(Clone)]
pub struct Page {
    /// Where it comes from (`seed`, `fixture:ndtv`, `newsapi:...`).
    pub name: String,
    /// The fields as the page states them.
    pub truth: ParsedItem,
    /// Topics printed run together (`NATOVladimir Putin...`), as on the seed's page.
    pub topics_run_together: bool,
}

fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Every page fixture: the seed first, then the scraped fixtures, then corpus items.
pub fn all_pages() -> Vec<Page> {
    let mut pages = Vec::new();
    let seed = std::fs::read_to_string(crate_path(SEED)).expect("seed readable");
    pages.push(Page {
        name: "seed".into(),
        truth: scraped::parse(&seed).expect("seed parses"),
        topics_run_together: true,
    });
    let dir = crate_path("tests/fixtures/scraped");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| !SHAPED_FIXTURES.contains(&n.to_string_lossy().as_ref()))
        })
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("fixture readable");
        let mut truth = scraped::parse(&text).expect("fixture parses");
        // The generator renders bodies paragraph by paragraph; times to the minute.
        truth.first_created = truth.first_created.map(to_minute);
        truth.version_created = truth.version_created.map(to_minute);
        pages.push(Page {
            name: format!(
                "fixture:{}",
                f.file_stem().unwrap_or_default().to_string_lossy()
            ),
            truth,
            topics_run_together: false,
        });
    }
    pages.extend(newsapi_pages());
    pages
}

fn collapse(s: &str) -> String {
    s.replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn to_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

/// Articles from NewsAPI captures whose author is an agency or a person (two or three
/// capitalised words), with a description and some content.
fn newsapi_pages() -> Vec<Page> {
    let dir = crate_path(NEWSAPI);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("newsapi corpus (../shared/corpus/newsapi)")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let mut pages = Vec::new();
    for f in files {
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&f).expect("read")).expect("JSON");
        let Some(articles) = doc["articles"].as_array() else {
            continue;
        };
        for (k, a) in articles.iter().enumerate() {
            if let Some(truth) = newsapi_truth(a) {
                pages.push(Page {
                    name: format!(
                        "newsapi:{}#{k}",
                        f.file_stem().unwrap_or_default().to_string_lossy()
                    ),
                    truth,
                    topics_run_together: false,
                });
            }
        }
    }
    pages
}

fn newsapi_truth(a: &serde_json::Value) -> Option<ParsedItem> {
    let author = a["author"].as_str()?.trim();
    let title = a["title"].as_str()?;
    let description = collapse(a["description"].as_str()?);
    let description = description.as_str();
    let content = a["content"].as_str()?;
    let published: DateTime<Utc> = a["publishedAt"].as_str()?.parse().ok()?;
    let agency = agency_from_credit(author);
    let person = author.split_whitespace().count() >= 2
        && author.split_whitespace().count() <= 3
        && author
            .split_whitespace()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase) && w.len() > 1)
        && !author.contains(['.', '/', ':'])
        && !["Desk", "Bureau", "Team", "News", "Online", "Times", "Today"]
            .iter()
            .any(|w| author.contains(w));
    if agency.is_none() && !person {
        return None;
    }
    // "Headline - Outlet" → "Headline".
    let headline = collapse(title.rsplit_once(" - ").map_or(title, |(h, _)| h));
    let headline = headline.as_str();
    if content.contains("(Photo") || description.contains(" \u{2026}") {
        return None;
    }
    // "text… [+727 chars]" → "text…"; one paragraph per line.
    let content = content
        .rsplit_once(" [+")
        .map_or(content, |(c, _)| c)
        .trim_end();
    let body: Vec<String> = content
        .split(['\r', '\n'])
        .map(collapse)
        .filter(|l| l.len() >= 40)
        .collect();
    if headline.len() < 20 || description.len() < 40 || body.is_empty() || description == headline {
        return None;
    }
    // Descriptions that merely repeat the body start are not a separate dek on the page.
    if body[0].starts_with(description.trim_end_matches(['.', '…'])) {
        return None;
    }
    let byline = Some(author.to_string());
    Some(ParsedItem {
        headline: headline.to_string(),
        summary: Some(description.to_string()),
        body,
        first_created: Some(to_minute(published)),
        agency,
        byline,
        ..ParsedItem::default()
    })
}
