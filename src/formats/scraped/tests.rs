//! Tests of the whole parse: the real seed item, the invented layout variants in
//! `tests/fixtures/scraped/` (embedded with `include_str!`), errors, and robustness
//! properties. The pieces are tested beside their code.

use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;

use super::*;
use crate::model::{Agency, ParsedItem, Picture};

/// The real seed item, read at test time, relative to this crate's manifest directory.
pub(super) const SEED_PATH: &str = "../shared/seed/000_4a15e63da7983562.txt";

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn seed_item() {
    let item = parse(&read_seed()).unwrap();
    assert_seed_metadata(&item);
    assert!(
        item.summary
            .as_deref()
            .unwrap()
            .starts_with("Trump is trying to steer Putin and Zelenskyy toward a settlement")
    );
    assert_eq!(item.section.as_deref(), Some("World News"));
    assert_eq!(item.item_date, NaiveDate::from_ymd_opt(2025, 8, 20));
    assert_eq!(
        item.picture,
        Some(Picture {
            caption: "US Gen Alexus Grynkewich, NATO's supreme allied commander Europe, \
                      will take part in the talks, Dragone said on social platform X."
                .into(),
            credit: Some("Shutterstock".into()),
        })
    );
    assert_eq!(
        item.agency,
        Some(Agency {
            code: "AP".into(),
            name: "Associated Press".into()
        })
    );
    assert_eq!(item.byline.as_deref(), Some("AP"));
    assert_eq!(item.body.len(), 11);
    assert!(item.body[0].starts_with("NATO defence chiefs were due to hold"));
    assert!(item.body.iter().any(|p| p.contains("Telegram post")));
    for p in &item.body {
        for boilerplate in ["Connect with us", "Topics", "First Published"] {
            assert!(!p.starts_with(boilerplate), "{p}");
        }
        assert!(!p.contains("syndicated feed"), "{p}");
    }
    assert_eq!(
        item.topics,
        strings(&[
            "NATO",
            "Vladimir Putin",
            "Donald Trump",
            "Zelenskyy",
            "Russia Ukraine Conflict"
        ])
    );
    assert_eq!(item.language, None);
    assert_eq!(item.source_uri, None);
}

fn read_seed() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED_PATH);
    std::fs::read_to_string(&path).expect("seed readable")
}

/// Greedy word wrap of every line at `width` columns (blank lines kept).
fn hard_wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut cur = String::new();
        for w in line.split_whitespace() {
            if !cur.is_empty() && cur.len() + 1 + w.len() > width {
                out.push_str(&cur);
                out.push('\n');
                cur.clear();
            }
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(w);
        }
        out.push_str(&cur);
        out.push('\n');
    }
    out
}

/// The metadata every rendering of the seed must keep.
fn assert_seed_metadata(item: &ParsedItem) {
    assert_eq!(
        item.headline,
        "NATO defence chiefs discuss Ukraine security guarantees in virtual meet"
    );
    assert!(
        item.summary
            .as_deref()
            .unwrap()
            .starts_with("Trump is trying to steer")
    );
    assert!(
        item.summary
            .as_deref()
            .unwrap()
            .ends_with("there are major obstacles")
    );
    assert_eq!(item.breadcrumb, strings(&["Home", "World News"]));
    assert_eq!(
        item.keywords,
        strings(&["Russia Ukraine conflict", "Russia Ukraine"])
    );
    let pic = item.picture.as_ref().unwrap();
    assert!(pic.caption.starts_with("US Gen Alexus Grynkewich"));
    assert!(pic.caption.ends_with("said on social platform X."));
    assert_eq!(pic.credit.as_deref(), Some("Shutterstock"));
    assert_eq!(item.agency.as_ref().unwrap().code, "AP");
    assert_eq!(item.dateline.as_deref(), Some("Kyiv"));
    assert_eq!(item.read_time_minutes, Some(2));
    assert_eq!(item.version_created, Some(utc("2025-08-20T10:27:00Z")));
    assert_eq!(item.first_created, Some(utc("2025-08-20T10:27:00Z")));
    assert_eq!(item.publisher.as_deref(), Some("Business Standard"));
    assert!(item.syndicated);
    assert_eq!(item.topics.len(), 5);
    let last = item.body.last().unwrap();
    assert!(last.ends_with("until diplomacy works to its full potential."));
}

#[test]
fn seed_flattened_to_one_line() {
    let seed = read_seed();
    let flat = seed.split_whitespace().collect::<Vec<_>>().join(" ");
    let item = parse(&flat).unwrap();
    assert_seed_metadata(&item);
    // Paragraph breaks cannot be recovered from a flattened page.
    assert_eq!(item.body.len(), 1);
    assert!(item.body[0].starts_with("NATO defence chiefs were due to hold"));
}

#[test]
fn seed_hard_wrapped_at_70() {
    let seed = read_seed();
    let wrapped = hard_wrap(&seed, 70);
    let item = parse(&wrapped).unwrap();
    assert_seed_metadata(&item);
    let original = parse(&seed).unwrap();
    assert_eq!(item.body, original.body);
    assert_eq!(item.picture, original.picture);
    assert_eq!(item.summary, original.summary);
}

// ---- invented fixtures in the seed's layout and its variants ----

/// Full layout, Reuters credit, hard-coded invented story.
const FULL: &str = include_str!("../../../tests/fixtures/scraped/full-layout.txt");

#[test]
fn full_layout() {
    let item = parse(FULL).unwrap();
    assert_eq!(
        item.headline,
        "Copper hits record as smelters cut output in Chile"
    );
    assert_eq!(
        item.summary.as_deref(),
        Some("Prices rose for a fifth day as supply worries outweighed weak demand from builders")
    );
    assert_eq!(item.section.as_deref(), Some("Markets"));
    assert_eq!(item.keywords, strings(&["Copper prices", "Metals market"]));
    let pic = item.picture.unwrap();
    assert_eq!(
        pic.caption,
        "A worker checks copper cathodes at a plant near Santiago."
    );
    assert_eq!(pic.credit.as_deref(), Some("Reuters"));
    assert_eq!(item.agency.unwrap().code, "Reuters");
    assert_eq!(item.dateline.as_deref(), Some("London"));
    assert_eq!(item.read_time_minutes, Some(3));
    assert_eq!(item.version_created, Some(utc("2025-03-04T15:42:00Z")));
    assert_eq!(item.first_created, Some(utc("2025-03-04T15:10:00Z")));
    assert_eq!(item.body.len(), 3);
    assert_eq!(
        item.body[2],
        "The rally may stall if demand from builders stays weak, one analyst said."
    );
    assert_eq!(item.topics, strings(&["Copper Prices", "LME", "Chile"]));
    assert_eq!(item.publisher.as_deref(), Some("Business Standard"));
    assert!(item.syndicated);
}

/// No photo, no tag line, staff byline, Telegram boilerplate, comma topics, Listen line.
const STAFF: &str = include_str!("../../../tests/fixtures/scraped/staff-byline.txt");

#[test]
fn staff_byline_no_photo_no_tags() {
    let item = parse(STAFF).unwrap();
    assert_eq!(item.headline, "Centre eases rules for small exporters");
    assert_eq!(
        item.summary.as_deref(),
        Some("The move is expected to help nearly 20,000 firms")
    );
    assert_eq!(item.breadcrumb, strings(&["Home", "Economy", "Policy"]));
    assert_eq!(item.section.as_deref(), Some("Policy"));
    assert!(item.keywords.is_empty());
    assert_eq!(item.picture, None);
    assert_eq!(item.agency, None);
    assert_eq!(item.byline.as_deref(), Some("Sudheer Pal Singh"));
    assert_eq!(item.dateline.as_deref(), Some("New Delhi"));
    assert_eq!(item.read_time_minutes, Some(4));
    assert_eq!(item.version_created, Some(utc("2025-02-11T06:00:00Z")));
    assert_eq!(item.first_created, Some(utc("2025-02-11T05:32:00Z")));
    assert_eq!(
        item.body,
        strings(&[
            "The Centre on Tuesday eased paperwork rules for small exporters, officials said.",
            "The changes take effect next month.",
            "An official said the ministry had sought comments on Telegram and by email.",
        ])
    );
    assert_eq!(
        item.topics,
        strings(&["Exports", "Commerce ministry", "MSMEs"])
    );
    assert!(!item.syndicated);
    assert_eq!(item.publisher, None);
}

/// "BS Reporter Mumbai", no dek, a More From This Section block before the topics.
const REPORTER: &str = include_str!("../../../tests/fixtures/scraped/reporter-byline.txt");

#[test]
fn reporter_byline_and_more_from_section() {
    let item = parse(REPORTER).unwrap();
    assert_eq!(item.summary, None);
    assert_eq!(item.keywords, strings(&["Q4 results", "Shipping"]));
    assert_eq!(item.byline.as_deref(), Some("BS Reporter"));
    assert_eq!(item.dateline.as_deref(), Some("Mumbai"));
    assert_eq!(
        item.body,
        strings(&[
            "A Mumbai-based shipping company reported its highest quarterly profit on Friday.",
            "Revenue rose 18 per cent from a year earlier.",
        ])
    );
    assert_eq!(item.topics, strings(&["Q4 Results", "Shipping", "Mumbai"]));
    assert_eq!(item.first_created, Some(utc("2025-05-02T12:35:00Z")));
}

/// Hard-wrapped at about 70 columns, including the caption and the disclaimer.
const WRAPPED: &str = include_str!("../../../tests/fixtures/scraped/hard-wrapped.txt");

#[test]
fn hard_wrapped() {
    let item = parse(WRAPPED).unwrap();
    assert_eq!(
        item.headline,
        "Floods force thousands from homes in southern Brazil"
    );
    assert_eq!(
        item.summary.as_deref(),
        Some("Rivers burst their banks after a week of heavy rain across Rio Grande do Sul state")
    );
    assert_eq!(item.keywords, strings(&["Brazil floods", "Climate"]));
    assert_eq!(
        item.picture,
        Some(Picture {
            caption: "Rescue workers use boats to reach residents in Porto Alegre on Monday."
                .into(),
            credit: Some("AP/PTI".into()),
        })
    );
    assert_eq!(item.agency.as_ref().unwrap().code, "PTI");
    assert_eq!(item.byline.as_deref(), Some("Press Trust of India"));
    assert_eq!(item.dateline.as_deref(), Some("Porto Alegre"));
    assert_eq!(
        item.body,
        strings(&[
            "Floods have forced more than 30,000 people from their homes in southern \
             Brazil, officials said on Monday, as rivers kept rising after a week of \
             heavy rain.",
            "The state governor said the army would send helicopters and boats to \
             reach towns cut off by the water. Well-known bridges were closed.",
        ])
    );
    assert_eq!(item.publisher.as_deref(), Some("Business Standard"));
    assert_eq!(
        item.topics,
        strings(&["Brazil", "Floods", "Climate change"])
    );
}

/// The seed layout flattened onto one line (invented story).
const FLAT: &str = include_str!("../../../tests/fixtures/scraped/flattened.txt");

#[test]
fn flattened() {
    let item = parse(FLAT).unwrap();
    assert_eq!(item.headline, "Japan and India sign chip supply pact");
    assert_eq!(item.breadcrumb, strings(&["Home", "World News"]));
    assert_eq!(
        item.summary.as_deref(),
        Some("The deal covers design, testing and training over five years")
    );
    assert_eq!(
        item.keywords,
        strings(&["Japan India ties", "Semiconductors"])
    );
    let pic = item.picture.as_ref().unwrap();
    assert_eq!(
        pic.caption,
        "Officials exchange documents after the signing in Tokyo on Tuesday."
    );
    assert_eq!(pic.credit.as_deref(), Some("Shutterstock"));
    assert_eq!(item.agency.as_ref().unwrap().code, "AFP");
    assert_eq!(item.dateline.as_deref(), Some("Tokyo"));
    assert_eq!(item.read_time_minutes, Some(2));
    assert_eq!(item.version_created, Some(utc("2025-07-01T10:50:00Z")));
    assert_eq!(item.first_created, Some(utc("2025-07-01T10:50:00Z")));
    assert_eq!(item.body.len(), 1);
    assert!(item.body[0].starts_with("Japan and India signed a pact on Tuesday"));
    assert!(item.body[0].ends_with("hosted by the Japanese side."));
    assert_eq!(item.topics, strings(&["Japan", "India", "Semiconductors"]));
    assert_eq!(item.publisher.as_deref(), Some("Business Standard"));
}

/// NDTV style: no breadcrumb, PTI credit in the first paragraph, own disclaimer wording.
const NDTV: &str = include_str!("../../../tests/fixtures/scraped/ndtv.txt");

#[test]
fn ndtv_style() {
    let item = parse(NDTV).unwrap();
    assert_eq!(
        item.headline,
        "Monsoon covers entire country ahead of schedule, says weather office"
    );
    assert_eq!(item.summary, None);
    assert_eq!(item.first_created, Some(utc("2025-07-02T08:35:00Z")));
    assert_eq!(item.version_created, None);
    assert_eq!(
        item.agency,
        Some(Agency {
            code: "PTI".into(),
            name: "Press Trust of India".into()
        })
    );
    assert_eq!(item.dateline.as_deref(), Some("New Delhi"));
    assert_eq!(item.body.len(), 2);
    assert!(item.body[0].starts_with("New Delhi, Jul 2 (PTI) The monsoon"));
    assert_eq!(item.publisher.as_deref(), Some("NDTV"));
    assert!(item.syndicated);
}

/// The Hindu style dates, an all-caps AP dateline in the body, topics on separate lines.
const HINDU: &str = include_str!("../../../tests/fixtures/scraped/hindu.txt");

#[test]
fn hindu_style() {
    let item = parse(HINDU).unwrap();
    assert_eq!(item.breadcrumb, strings(&["Home", "News", "World"]));
    assert_eq!(item.section.as_deref(), Some("World"));
    assert_eq!(
        item.headline,
        "Storm knocks out power to a million homes in Texas"
    );
    assert_eq!(
        item.summary.as_deref(),
        Some("Utilities warned that repairs could take days")
    );
    assert_eq!(item.first_created, Some(utc("2025-08-20T10:27:00Z")));
    assert_eq!(item.version_created, Some(utc("2025-08-20T12:40:00Z")));
    assert_eq!(item.agency.as_ref().unwrap().code, "AP");
    assert_eq!(item.dateline.as_deref(), Some("Houston"));
    assert_eq!(item.body.len(), 2);
    assert_eq!(item.publisher.as_deref(), Some("The Hindu"));
    assert_eq!(item.topics, strings(&["weather", "United States"]));
}

/// Mint style: "By PTI", "Updated" line, "Catch all the ..." ends the body.
const MINT: &str = include_str!("../../../tests/fixtures/scraped/mint.txt");

#[test]
fn mint_style() {
    let item = parse(MINT).unwrap();
    assert_eq!(
        item.summary.as_deref(),
        Some("The currency opened at 86.40 amid foreign fund outflows")
    );
    assert_eq!(item.agency.as_ref().unwrap().code, "PTI");
    assert_eq!(item.byline.as_deref(), Some("PTI"));
    assert_eq!(item.dateline, None);
    assert_eq!(item.version_created, Some(utc("2025-08-20T04:11:00Z")));
    assert_eq!(item.body.len(), 2);
    assert_eq!(item.publisher.as_deref(), Some("Mint"));
    assert!(!item.syndicated);
}

/// Moneycontrol style: bracketed agency line, New York time, no zone on first-published.
const MONEYCONTROL: &str = include_str!("../../../tests/fixtures/scraped/moneycontrol.txt");

#[test]
fn moneycontrol_style() {
    let item = parse(MONEYCONTROL).unwrap();
    assert_eq!(item.agency.as_ref().unwrap().code, "Reuters");
    assert_eq!(item.dateline, None);
    assert_eq!(item.first_created, Some(utc("2025-08-20T11:30:00Z")));
    assert_eq!(item.body.len(), 2);
    assert_eq!(item.publisher.as_deref(), Some("Moneycontrol"));
    assert!(item.syndicated);
}

#[test]
fn crlf_and_bom_are_accepted() {
    let text = format!("\u{feff}{}", FULL.replace('\n', "\r\n"));
    assert_eq!(parse(&text).unwrap(), parse(FULL).unwrap());
}

// ---- pieces through the whole parse ----

#[test]
fn credit_run_into_a_caption_or_a_date() {
    let page = "Storm lashes Florida coast\n\nThousands without power\n\n\
                Residents wade through a flooded street. (Photo: PTI) AP Miami\n\
                2 min read Updated: Aug 20 2025 | 3:57 PM IST\n\
                A storm lashed the coast on Wednesday, officials said.\n";
    let item = parse(page).unwrap();
    let picture = item.picture.unwrap();
    assert_eq!(picture.caption, "Residents wade through a flooded street.");
    assert_eq!(picture.credit.as_deref(), Some("PTI"));
    assert_eq!(item.agency.unwrap().code, "AP");
    assert_eq!(item.byline.as_deref(), Some("AP"));
    assert_eq!(item.dateline.as_deref(), Some("Miami"));
    assert_eq!(item.body.len(), 1);

    let page = "Oil steadies after slide\n\nReuters | Updated: 20 Aug 2025, 04:11 GMT\n\
                Oil prices steadied on Wednesday.\n";
    let item = parse(page).unwrap();
    assert_eq!(item.agency.unwrap().code, "Reuters");
    assert_eq!(
        item.version_created.unwrap().to_rfc3339(),
        "2025-08-20T04:11:00+00:00"
    );
    assert_eq!(item.body, ["Oil prices steadied on Wednesday."]);
}

#[test]
fn errors() {
    let long = "x".repeat(500);
    let cases: &[(&str, Result<(), ScrapeError>)] = &[
        ("", Err(ScrapeError::Empty)),
        (" \n\t\n", Err(ScrapeError::Empty)),
        (
            "<!DOCTYPE html><html><body><p>Hi</p></body></html>",
            Err(ScrapeError::NotArticle),
        ),
        (
            "{\"headline\": \"x\", \"body\": \"y\"}",
            Err(ScrapeError::NotText("looks like JSON")),
        ),
        ("[1, 2, 3]", Err(ScrapeError::NotText("looks like JSON"))),
        (
            "Head\u{0}line\n\nbody\u{1}\u{2}\u{3}",
            Err(ScrapeError::NotText("looks like binary data")),
        ),
        (
            "Delivered-To: someone@example.com\nReceived: by 10.0.0.1\n\nHello\n\nBody",
            Err(ScrapeError::NotText("looks like an e-mail message")),
        ),
        ("Just one line of text", Err(ScrapeError::NoBody)),
        (&long, Err(ScrapeError::NoHeadline)),
        (
            "date 2025-08-20 Home / World News\n\nConnect with us on WhatsApp\n",
            Err(ScrapeError::NoHeadline),
        ),
        (
            "A headline\n\n(Only the headline may have been reworked by the Business Standard \
             staff; the rest is from a syndicated feed.)\n",
            Err(ScrapeError::NoBody),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(&parse(text).map(|_| ()), want, "{text:?}");
    }
    // Every error has a message.
    for e in [
        ScrapeError::Empty,
        ScrapeError::NotText("x"),
        ScrapeError::NoHeadline,
        ScrapeError::NoBody,
        ScrapeError::NotArticle,
    ] {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn breadcrumb_variants() {
    // Truncated breadcrumb headline: the page's headline line wins, the element is dropped.
    let item = parse(
        "date 2025-08-20 Home / India News / Rains lash Mumbai, local trains...\n\n\
         Rains lash Mumbai, local trains delayed by up to 30 minutes\n\n\
         PTI Mumbai\n\
         1 min read Last Updated : Aug 20 2025 | 9:05 AM IST\n\
         Heavy rain lashed Mumbai on Wednesday morning.\n",
    )
    .unwrap();
    assert_eq!(
        item.headline,
        "Rains lash Mumbai, local trains delayed by up to 30 minutes"
    );
    assert_eq!(item.breadcrumb, strings(&["Home", "India News"]));
    assert_eq!(item.section.as_deref(), Some("India News"));
    assert_eq!(item.dateline.as_deref(), Some("Mumbai"));
    assert_eq!(item.read_time_minutes, Some(1));
    assert_eq!(item.version_created, Some(utc("2025-08-20T03:35:00Z")));
    assert_eq!(
        item.body,
        strings(&["Heavy rain lashed Mumbai on Wednesday morning."])
    );

    // Breadcrumb without a headline element: the last element is the section.
    let item =
        parse("date 2025-08-20 Home / World News\n\nA headline here\n\nBody text here.\n").unwrap();
    assert_eq!(item.headline, "A headline here");
    assert_eq!(item.breadcrumb, strings(&["Home", "World News"]));
    assert_eq!(item.section.as_deref(), Some("World News"));

    // Only the breadcrumb carries the headline.
    let item = parse(
        "date 2025-08-20 Home / Markets / Sensex ends 300 points higher on bank gains\n\n\
         ANI\n\
         2 min read Last Updated : Aug 20 2025 | 4:05 PM IST\n\
         The Sensex rose 300 points on Wednesday.\n",
    )
    .unwrap();
    assert_eq!(item.headline, "Sensex ends 300 points higher on bank gains");
    assert_eq!(item.agency.unwrap().code, "ANI");
    assert_eq!(
        item.body,
        strings(&["The Sensex rose 300 points on Wednesday."])
    );
}

#[test]
fn plain_headline_and_body() {
    let item = parse("A short headline\n\nFirst paragraph.\n\nSecond paragraph.").unwrap();
    assert_eq!(item.headline, "A short headline");
    assert_eq!(
        item.body,
        strings(&["First paragraph.", "Second paragraph."])
    );
    assert_eq!(item.summary, None);
}

// ---- robustness ----

const FIXTURES: &[&str] = &[
    FULL,
    STAFF,
    REPORTER,
    WRAPPED,
    FLAT,
    NDTV,
    HINDU,
    MINT,
    MONEYCONTROL,
];

fn check(text: &str) {
    match parse(text) {
        Ok(item) => {
            assert!(!item.headline.is_empty());
            assert!(!item.body.is_empty());
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC*") {
        check(&s);
    }

    #[test]
    fn arbitrary_line_soup_never_panics(
        lines in proptest::collection::vec(
            prop_oneof![
                Just(String::new()),
                Just("(Photo: X)".to_string()),
                Just("AP".to_string()),
                Just("2 min read Last Updated : ".to_string()),
                Just("Topics :".to_string()),
                Just("date 2025-08-20 Home / ".to_string()),
                "[ -~]{0,40}",
                "\\PC{0,20}",
            ],
            0..30,
        )
    ) {
        check(&lines.join("\n"));
        check(&lines.join(" "));
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0..FIXTURES.len(),
        ops in proptest::collection::vec((0u8..5, any::<usize>(), "\\PC{0,30}"), 0..8),
    ) {
        let mut lines: Vec<String> = FIXTURES[which].split('\n').map(str::to_string).collect();
        for (op, at, text) in ops {
            if lines.is_empty() {
                lines.push(text);
                continue;
            }
            let i = at % lines.len();
            match op {
                0 => { lines.remove(i); }
                1 => lines.insert(i, text),
                2 => { let l = lines[i].clone(); lines.insert(i, l); }
                3 => lines[i] = text,
                _ => {
                    // Cut a line at a character boundary.
                    let l = &lines[i];
                    let cut = l.char_indices().map(|(b, _)| b).nth(at % (l.chars().count() + 1)).unwrap_or(l.len());
                    lines[i] = l[..cut].to_string();
                }
            }
        }
        check(&lines.join("\n"));
    }

    #[test]
    fn parse_datetime_never_panics(s in "\\PC{0,60}") {
        let _ = parse_datetime(&s);
    }
}
