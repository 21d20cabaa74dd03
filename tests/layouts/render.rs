//! Renders one page in each shape scrapers deliver: lines, one line with separators, markdown,
//! hard-wrapped, JSON-escaped, reader mode with furniture, other outlets' wording, and HTML
//! with and without JSON-LD.
//!
//! Every renderer returns the text and the fields that text carries (the page's fields, minus
//! what the shape cannot hold, with the credit as that shape prints it).

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::America::New_York;
use wirefeed::model::ParsedItem;

use super::page::Page;

/// Every shape, in table order.
pub const SHAPES: &[&str] = &[
    "lines",
    "one-line ·",
    "one-line |",
    "one-line •",
    "one-line run-together",
    "markdown",
    "wrapped-80",
    "wrapped-140",
    "wrapped-200",
    "json-escaped",
    "furniture",
    "outlet-forms",
    "html+json-ld",
    "html+og",
    "html",
];

/// Shapes measured but held to no target: with blocks run together without any separator,
/// only the seed's layout (a breadcrumb that repeats the headline, a caption the body repeats)
/// can be cut back into blocks; the row shows how far that goes on other pages.
pub const MEASURED_ONLY: &[&str] = &["one-line run-together"];

/// What a line of the page is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Crumb,
    Headline,
    Dek,
    Tags,
    Caption,
    Credit,
    Times,
    Para,
    Disclaimer,
    Topics,
    FirstPublished,
}

/// The page's lines in reading order.
struct Doc {
    lines: Vec<(Role, String)>,
    truth: ParsedItem,
}

/// How credits and times are worded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wording {
    /// As the seed's outlet prints them.
    House,
    /// Another outlet's forms, chosen by `variant`.
    Outlet(usize),
}

fn ist(t: DateTime<Utc>) -> String {
    let off = FixedOffset::east_opt(5 * 3600 + 1800).expect("IST offset");
    t.with_timezone(&off)
        .format("%b %d %Y | %-I:%M %p IST")
        .to_string()
}

/// A time in one of several outlets' styles.
fn styled_time(t: DateTime<Utc>, variant: usize) -> String {
    let off = FixedOffset::east_opt(5 * 3600 + 1800).expect("IST offset");
    match variant % 4 {
        0 => t
            .with_timezone(&off)
            .format("%A, %B %-d, %Y %H:%M IST")
            .to_string(),
        1 => t.format("%d %b %Y, %H:%M GMT").to_string(),
        2 => t
            .with_timezone(&New_York)
            .format("%a %b %-d, %Y %-I:%M %p ET")
            .to_string(),
        _ => t
            .with_timezone(&off)
            .format("%B %-d, %Y %-I:%M %P IST")
            .to_string(),
    }
}

/// Lays a page out as lines with the given wording.
fn doc(page: &Page, wording: Wording) -> Doc {
    let t = &page.truth;
    let mut truth = t.clone();
    let mut lines: Vec<(Role, String)> = Vec::new();
    let v = match wording {
        Wording::House => None,
        Wording::Outlet(v) => Some(v),
    };
    if !t.breadcrumb.is_empty() || t.item_date.is_some() {
        let mut crumb = String::new();
        if let Some(d) = t.item_date {
            crumb.push_str(&format!("date {d} "));
        }
        let mut trail = t.breadcrumb.clone();
        if trail.is_empty() {
            trail.push("Home".into());
        }
        trail.push(t.headline.clone());
        crumb.push_str(&trail.join(" / "));
        lines.push((Role::Crumb, crumb));
    }
    lines.push((Role::Headline, t.headline.clone()));
    if let Some(dek) = &t.summary {
        lines.push((Role::Dek, dek.clone()));
    }
    if !t.keywords.is_empty() {
        lines.push((Role::Tags, t.keywords.join(", ")));
    }
    if let Some(p) = &t.picture {
        let credit = p.credit.as_deref().unwrap_or("");
        let line = match (v, credit) {
            (_, "") => format!("{} (Representative image)", p.caption),
            (Some(v), c) if v % 2 == 1 => format!("{} (Image: {c})", p.caption),
            (_, c) => format!("{} (Photo: {c})", p.caption),
        };
        lines.push((Role::Caption, line));
    }
    // The credit line: agency + dateline, or a staff byline + city.
    let credit = match (&t.agency, &t.byline, &t.dateline) {
        (Some(a), Some(b), place) => {
            let printed = match v {
                Some(v) if v % 3 == 1 => {
                    truth.byline = Some(a.code.clone());
                    a.code.clone()
                }
                _ => b.clone(),
            };
            Some(match (place, v) {
                (Some(p), Some(v)) if v % 3 == 0 => format!("{printed} | {p}"),
                (Some(p), Some(v)) if v % 3 == 2 => format!("({printed}) {p}"),
                (Some(p), _) => format!("{printed} {p}"),
                (None, Some(v)) if v % 3 == 2 => format!("({printed})"),
                (None, _) => format!("By {printed}"),
            })
        }
        (None, Some(b), Some(p)) => Some(match v {
            Some(v) if v % 2 == 1 => format!("{b} | {p}"),
            _ => format!("{b} {p}"),
        }),
        (None, Some(b), None) => Some(format!("By {b}")),
        _ => None,
    };
    if let Some(c) = credit {
        match (lines.last_mut(), v) {
            // "... (Photo: PTI) AP Miami": the agency line run into the caption's credit.
            (Some((Role::Caption, caption)), Some(v)) if v % 4 == 3 => {
                caption.push(' ');
                caption.push_str(&c);
            }
            _ => lines.push((Role::Credit, c)),
        }
    }
    let time = |t: DateTime<Utc>| match v {
        Some(v) => styled_time(t, v),
        None => ist(t),
    };
    let first_label = match v {
        Some(v) if v % 3 == 1 => "Published On:",
        Some(v) if v % 3 == 2 => "Published:",
        _ => "First Published:",
    };
    let updated_label = match v {
        Some(v) if v % 2 == 1 => "Updated:",
        _ => "Last Updated :",
    };
    let mut times = String::new();
    if let Some(n) = t.read_time_minutes {
        times.push_str(&format!("{n} min read "));
    }
    if let Some(u) = t.version_created {
        times.push_str(&format!("{updated_label} {}", time(u)));
    } else if t.read_time_minutes.is_none()
        && let Some(f) = t.first_created
    {
        // A page without an update time prints its publication time up front.
        times.push_str(&format!("{first_label} {}", time(f)));
    }
    let times = times.trim_end().to_string();
    let first_up_front = t.version_created.is_none() && t.read_time_minutes.is_none();
    match (lines.last_mut(), v) {
        // "Reuters | Updated: ...": a bare agency credit and the time on one line.
        (Some((Role::Credit, c)), Some(v))
            if v % 2 == 0
                && !times.is_empty()
                && t.agency.is_some()
                && t.dateline.is_none()
                && t.read_time_minutes.is_none() =>
        {
            *c = format!(
                "{} | {times}",
                t.agency.as_ref().map_or("", |a| a.code.as_str())
            );
            truth.byline = t.agency.as_ref().map(|a| a.code.clone());
        }
        _ if !times.is_empty() => lines.push((Role::Times, times)),
        _ => {}
    }
    for p in &t.body {
        lines.push((Role::Para, p.clone()));
    }
    if t.syndicated || t.publisher.is_some() {
        let outlet = t
            .publisher
            .clone()
            .unwrap_or_else(|| "Business Standard".into());
        truth.syndicated = true;
        truth.publisher = Some(outlet.clone());
        let line = match v {
            Some(v) if v % 2 == 1 => format!(
                "(This story has not been edited by {outlet} staff and is auto-generated from a syndicated feed.)"
            ),
            _ => format!(
                "(Only the headline and picture of this report may have been reworked by the {outlet} staff; the rest of the content is auto-generated from a syndicated feed.)"
            ),
        };
        lines.push((Role::Disclaimer, line));
    }
    if !t.topics.is_empty() {
        let sep = if page.topics_run_together { "" } else { ", " };
        lines.push((Role::Topics, format!("Topics :{}", t.topics.join(sep))));
    }
    if let Some(f) = t.first_created
        && !first_up_front
    {
        lines.push((Role::FirstPublished, format!("{first_label} {}", time(f))));
    }
    Doc { lines, truth }
}

/// The seed-style text: front lines without blank lines between them, blank lines around
/// headline, dek and paragraphs.
fn as_lines(d: &Doc) -> String {
    let mut out = String::new();
    for (k, (role, line)) in d.lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        let next = d.lines.get(k + 1).map(|l| l.0);
        let tight = matches!(
            role,
            Role::Tags | Role::Caption | Role::Credit | Role::Times
        ) && next.is_some_and(|n| n != Role::FirstPublished);
        if !tight {
            out.push('\n');
        }
    }
    out
}

/// Hard-wraps every line at `width` columns (greedy, on spaces).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut col = 0;
        for (k, word) in line.split(' ').enumerate() {
            let w = word.chars().count();
            if k > 0 && col + 1 + w > width {
                out.push('\n');
                col = 0;
            } else if k > 0 {
                out.push(' ');
                col += 1;
            }
            out.push_str(word);
            col += w;
        }
        out.push('\n');
    }
    out
}

/// A JSON string's content, not unescaped: `\n`, `\"`, and `\uXXXX` for non-ASCII.
fn json_escaped(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out
}

/// Markdown as an HTML-to-markdown converter writes it.
fn markdown(d: &Doc) -> String {
    let mut out = String::new();
    let mut para = 0;
    for (role, line) in &d.lines {
        let md = match role {
            Role::Crumb => {
                let (date, trail) = match line.strip_prefix("date ") {
                    Some(r) => r.split_once(' ').map_or(("", r), |(d, t)| (d, t)),
                    None => ("", line.as_str()),
                };
                let parts: Vec<&str> = trail.split(" / ").collect();
                let links: Vec<String> = parts[..parts.len() - 1]
                    .iter()
                    .map(|p| format!("[{p}](/{})", p.to_lowercase().replace(' ', "-")))
                    .collect();
                let date = if date.is_empty() {
                    String::new()
                } else {
                    format!("date {date} ")
                };
                format!("{date}{} / {}", links.join(" / "), parts[parts.len() - 1])
            }
            Role::Headline => format!("# {line}"),
            Role::Dek => format!("## {line}"),
            Role::Tags => line
                .split(", ")
                .map(|t| format!("* [{t}](/topic/{})", t.to_lowercase().replace(' ', "-")))
                .collect::<Vec<_>>()
                .join("\n"),
            Role::Caption => format!("![{line}](https://img.example/1.jpg)\n\n{line}"),
            Role::Credit => format!("**{line}**"),
            Role::Para => {
                para += 1;
                if para == 2 {
                    format!("> {line}")
                } else {
                    link_first_name(line)
                }
            }
            _ => line.clone(),
        };
        out.push_str(&md);
        out.push_str("\n\n");
    }
    out
}

/// Links the first capitalised word of a sentence-internal position: `[Word](/tag/word)`.
fn link_first_name(line: &str) -> String {
    let words: Vec<&str> = line.split(' ').collect();
    match words.iter().skip(1).position(|w| {
        w.len() > 3 && w.chars().all(char::is_alphabetic) && w.starts_with(char::is_uppercase)
    }) {
        Some(k) => {
            let k = k + 1;
            let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            out[k] = format!("[{}](/tag/{})", words[k], words[k].to_lowercase());
            out.join(" ")
        }
        None => line.to_string(),
    }
}

/// Reader-mode text with page furniture left in.
fn furniture(d: &Doc) -> String {
    let mut with = Vec::new();
    let mut para = 0;
    for (role, line) in &d.lines {
        if *role == Role::Disclaimer {
            with.push((Role::Para, "Sign up for our daily newsletter".to_string()));
            with.push((Role::Para, "Subscribe".to_string()));
        }
        with.push((*role, line.clone()));
        match role {
            Role::Headline => {
                with.push((Role::Dek, "Read in Hindi".into()));
                with.push((Role::Dek, "Listen to This Article".into()));
            }
            Role::Para => {
                para += 1;
                match para {
                    1 => with.push((Role::Para, "Advertisement".into())),
                    2 => with.push((Role::Para, "Share this article".into())),
                    3 => with.push((Role::Para, "Follow us on Google News".into())),
                    _ => {}
                }
            }
            Role::Disclaimer => {
                with.push((Role::Para, "Connect with us on WhatsApp".into()));
                with.push((Role::Para, "More From This Section".into()));
                with.push((Role::Para, "Markets open higher as banks gain".into()));
                with.push((Role::Para, "Monsoon reaches Kerala two days early".into()));
            }
            _ => {}
        }
    }
    as_lines(&Doc {
        lines: with,
        truth: d.truth.clone(),
    })
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page's HTML, as a news site serves it.
/// The metadata a page's `<head>` carries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HeadMeta {
    /// JSON-LD `NewsArticle` and `og:` tags.
    JsonLd,
    /// `og:` and `article:` meta tags only.
    OpenGraph,
    /// A `<title>` only.
    Bare,
}

/// `og:`/`article:` meta tags for the page.
fn open_graph(t: &ParsedItem) -> String {
    let ist = FixedOffset::east_opt(19800).expect("IST");
    let mut tags = vec![
        ("og:title", t.headline.clone()),
        ("og:type", "article".to_string()),
    ];
    tags.extend(t.summary.clone().map(|d| ("og:description", d)));
    tags.extend(
        t.first_created
            .map(|f| ("article:published_time", f.with_timezone(&ist).to_rfc3339())),
    );
    tags.extend(
        t.version_created
            .map(|u| ("article:modified_time", u.with_timezone(&ist).to_rfc3339())),
    );
    tags.extend(t.section.clone().map(|s| ("article:section", s)));
    tags.extend(t.keywords.iter().map(|k| ("article:tag", k.clone())));
    let mut out: String = tags
        .iter()
        .map(|(p, v)| format!("<meta property=\"{p}\" content=\"{}\">\n", esc(v)))
        .collect();
    if let Some(b) = &t.byline {
        out.push_str(&format!("<meta name=\"author\" content=\"{}\">\n", esc(b)));
    }
    out
}

fn html(page: &Page, head_meta: HeadMeta) -> (String, ParsedItem) {
    let d = doc(page, Wording::House);
    let mut truth = d.truth.clone();
    // The scraper's "date YYYY-MM-DD" prefix is not part of the page.
    truth.item_date = None;
    let t = &page.truth;
    let mut head =
        String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    head.push_str(&format!("<title>{} | News</title>\n", esc(&t.headline)));
    head.push_str("<link rel=\"stylesheet\" href=\"/s.css\"><script>window.ads=[];</script>\n");
    if head_meta == HeadMeta::OpenGraph {
        head.push_str(&open_graph(t));
    }
    if head_meta == HeadMeta::JsonLd {
        head.push_str(&format!(
            "<meta property=\"og:title\" content=\"{}\">\n<meta property=\"og:type\" content=\"article\">\n",
            esc(&t.headline)
        ));
        if let Some(dek) = &t.summary {
            head.push_str(&format!(
                "<meta property=\"og:description\" content=\"{}\">\n",
                esc(dek)
            ));
        }
        let mut ld = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": t.headline,
        });
        if let Some(dek) = &t.summary {
            ld["description"] = dek.clone().into();
        }
        if let Some(f) = t.first_created {
            ld["datePublished"] = f
                .with_timezone(&FixedOffset::east_opt(19800).expect("IST"))
                .to_rfc3339()
                .into();
        }
        if let Some(u) = t.version_created {
            ld["dateModified"] = u
                .with_timezone(&FixedOffset::east_opt(19800).expect("IST"))
                .to_rfc3339()
                .into();
        }
        if let Some(b) = &t.byline {
            ld["author"] = serde_json::json!([{"@type": if t.agency.is_some() {"Organization"} else {"Person"}, "name": b}]);
        }
        if let Some(p) = &truth.publisher {
            ld["publisher"] = serde_json::json!({"@type": "Organization", "name": p});
        }
        if let Some(s) = &t.section {
            ld["articleSection"] = s.clone().into();
        }
        if !t.keywords.is_empty() {
            ld["keywords"] = t.keywords.join(",").into();
        }
        head.push_str(&format!(
            "<script type=\"application/ld+json\">{}</script>\n",
            serde_json::to_string(&serde_json::json!([
                {"@context": "https://schema.org", "@type": "BreadcrumbList"},
                ld
            ]))
            .expect("JSON")
        ));
    }
    head.push_str("</head>\n");
    let mut body = String::from(
        "<body><header><nav><a href=\"/\">Home</a> <a href=\"/markets\">Markets</a> <a href=\"/world\">World</a> <a href=\"/opinion\">Opinion</a></nav><div class=\"login\">Sign in</div></header>\n<main>\n",
    );
    let mut in_content = false;
    for (role, line) in &d.lines {
        let l = esc(line);
        if *role == Role::Para && !in_content {
            body.push_str("<div class=\"story-content\">\n");
            in_content = true;
        }
        if *role != Role::Para && *role != Role::Disclaimer && in_content {
            body.push_str("</div>\n");
            in_content = false;
        }
        match role {
            Role::Crumb => {
                // The "date ..." prefix is the scraper's; the page has the trail.
                let trail = line.split_once(" Home").map_or(line.as_str(), |(_, r)| r);
                let trail = if line.starts_with("date ") {
                    format!("Home{trail}")
                } else {
                    line.clone()
                };
                let parts: Vec<String> = trail.split(" / ").map(esc).collect();
                let links: Vec<String> = parts[..parts.len() - 1]
                    .iter()
                    .map(|p| format!("<a href=\"/{}\">{p}</a>", p.to_lowercase()))
                    .collect();
                body.push_str(&format!(
                    "<div class=\"breadcrumb\">{} / <span>{}</span></div>\n<article>\n",
                    links.join(" / "),
                    parts[parts.len() - 1]
                ));
            }
            Role::Headline => {
                if !body.contains("<article>") {
                    body.push_str("<article>\n");
                }
                body.push_str(&format!("<h1>{l}</h1>\n"));
            }
            Role::Dek => body.push_str(&format!("<h2 class=\"dek\">{l}</h2>\n")),
            Role::Tags => {
                let tags: Vec<String> = line
                    .split(", ")
                    .map(|t| format!("<a href=\"/topic\">{}</a>", esc(t)))
                    .collect();
                body.push_str(&format!("<div class=\"tags\">{}</div>\n", tags.join(", ")));
            }
            Role::Caption => body.push_str(&format!(
                "<figure><img src=\"/img/1.jpg\" alt=\"\"><figcaption>{l}</figcaption></figure>\n"
            )),
            Role::Credit => body.push_str(&format!("<div class=\"byline\">{l}</div>\n")),
            // With metadata in the head, the times are only there: the visible line keeps
            // the reading time alone.
            Role::Times if head_meta != HeadMeta::Bare => {
                if let Some(n) = t.read_time_minutes {
                    body.push_str(&format!("<div class=\"meta\">{n} min read</div>\n"));
                }
            }
            Role::Times => body.push_str(&format!("<div class=\"meta\">{l}</div>\n")),
            Role::Para => {
                body.push_str(&format!("<p>{l}</p>\n"));
            }
            Role::Disclaimer => body.push_str(&format!("<p><i>{l}</i></p>\n")),
            Role::Topics => {
                let sep = if page.topics_run_together { "" } else { ", " };
                let items: Vec<String> = t
                    .topics
                    .iter()
                    .map(|x| format!("<a href=\"/topic\">{}</a>", esc(x)))
                    .collect();
                body.push_str(&format!(
                    "<div class=\"topics\">Topics :{}</div>\n",
                    items.join(sep)
                ));
            }
            Role::FirstPublished if head_meta != HeadMeta::Bare => {}
            Role::FirstPublished => body.push_str(&format!("<div class=\"pub\">{l}</div>\n")),
        }
    }
    if in_content {
        body.push_str("</div>\n");
    }
    body.push_str("</article>\n<aside><h3>More From This Section</h3><ul><li><a href=\"/a\">Markets open higher as banks gain</a></li><li><a href=\"/b\">Monsoon reaches Kerala two days early</a></li></ul></aside>\n</main>\n<footer><p>Copyright &copy; 2025 News Ltd. All rights reserved.</p><a href=\"/privacy\">Privacy</a></footer>\n<script>trackPage();</script></body></html>\n");
    (head + &body, truth)
}

/// A field of the page holds `s` (dates aside, which print their own ` | `).
fn carries(t: &ParsedItem, s: &str) -> bool {
    std::iter::once(&t.headline)
        .chain(t.summary.as_ref())
        .chain(t.body.iter())
        .chain(t.picture.as_ref().map(|p| &p.caption))
        .any(|f| f.contains(s))
}

/// Renders `page` in `shape`: the text and the fields it carries; an empty text when the
/// page cannot be put in that shape unambiguously.
pub fn render(page: &Page, shape: &str, index: usize) -> (String, ParsedItem) {
    let house = doc(page, Wording::House);
    let truth = house.truth.clone();
    match shape {
        "lines" => (as_lines(&house), truth),
        "one-line ·" | "one-line |" | "one-line •" => {
            let sep = format!(" {} ", shape.rsplit(' ').next().unwrap_or("|"));
            if carries(&truth, &sep) {
                // The separator inside a field cannot be told from the one between blocks.
                return (String::new(), truth);
            }
            let text: Vec<&str> = house.lines.iter().map(|(_, l)| l.as_str()).collect();
            (text.join(&sep), truth)
        }
        "one-line run-together" => {
            if house
                .lines
                .first()
                .is_none_or(|(role, _)| *role != Role::Crumb)
            {
                // Without separators only a breadcrumb that repeats the headline tells where
                // the headline ends.
                return (String::new(), truth);
            }
            let text: Vec<&str> = house.lines.iter().map(|(_, l)| l.as_str()).collect();
            (text.join(" "), truth)
        }
        "markdown" => (markdown(&house), truth),
        "wrapped-80" => (wrap(&as_lines(&house), 80), truth),
        "wrapped-140" => (wrap(&as_lines(&house), 140), truth),
        "wrapped-200" => (wrap(&as_lines(&house), 200), truth),
        "json-escaped" => (json_escaped(&as_lines(&house)), truth),
        "furniture" => (furniture(&house), truth),
        "outlet-forms" => {
            let d = doc(page, Wording::Outlet(index));
            (as_lines(&d), d.truth)
        }
        "html+json-ld" => html(page, HeadMeta::JsonLd),
        "html+og" => html(page, HeadMeta::OpenGraph),
        "html" => html(page, HeadMeta::Bare),
        other => panic!("unknown shape {other}"),
    }
}
