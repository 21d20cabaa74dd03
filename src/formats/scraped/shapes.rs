//! Brings the other shapes a scraped page arrives in back to one block per line before the
//! line parser runs.
//!
//! * **JSON-escaped text** (a text field lifted from JSON without unescaping: literal `\n`,
//!   `\"`, `\u2019`): recognised when literal `\n` escapes outnumber real line breaks; the JSON
//!   string escapes are decoded (an invalid escape is kept as it is).
//! * **Markdown** from an HTML-to-markdown converter: recognised by an ATX heading line
//!   (`# `, `## `), an image line (`![`) or two `](` links. It is read with `pulldown-cmark`
//!   (CommonMark): headings, paragraphs and list items become blocks, soft breaks stay line
//!   breaks, link text is kept and the target dropped, images, raw HTML and emphasis markers are
//!   dropped, block quotes are unquoted. A list of two or more short items that read like tags
//!   (no sentence punctuation, at most six words each) becomes one comma-separated tag line.
//! * **One line with separators** (` · `, ` • `, ` | ` between blocks): when the text has at
//!   most three non-blank lines, one of them over 200 bytes, and a separator occurs at least
//!   three times (not counting ` | ` before a clock time), each separator becomes a line break. For ` | `, a piece that starts with a
//!   clock time (`3:57 PM IST`) stays joined to the date before it, and a place stays joined to
//!   a bare agency name (`IANS | Mumbai`).
//!
//! * **A Python bytes literal** written out as text (`b'<!DOCTYPE html>\n...'`, as some
//!   scrapers store pages): the quotes are removed and `\n`, `\r`, `\t`, `\\`, `\'`, `\"` and
//!   `\xNN` byte escapes decoded (as UTF-8) before anything else, HTML included.
//!
//! Anything else is returned unchanged (borrowed).

use std::borrow::Cow;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// Undoes the shape the page arrived in; see the module documentation.
pub(super) fn normalise(text: &str) -> Cow<'_, str> {
    let mut text = Cow::Borrowed(text);
    if looks_json_escaped(&text) {
        text = Cow::Owned(json_unescape(&text));
    }
    if looks_like_markdown(&text) {
        text = Cow::Owned(markdown_to_lines(&text));
    }
    if let Some(split) = split_separated(&text) {
        text = Cow::Owned(split);
    }
    text
}

/// The content of a Python bytes literal (`b'...'` / `b"..."`), decoded; `None` for other text.
pub(super) fn unwrap_bytes_literal(text: &str) -> Option<String> {
    let t = text.trim();
    let quote = match t.get(..2)? {
        "b'" => b'\'',
        "b\"" => b'"',
        _ => return None,
    };
    let inner = t.as_bytes()[2..].strip_suffix(&[quote])?;
    // At least one escaped line break: a page, not a sentence that starts with "b'".
    memchr::memmem::find(inner, b"\\n")?;
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        if c != b'\\' || i + 1 >= inner.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let (byte, used) = match inner[i + 1] {
            b'n' => (Some(b'\n'), 2),
            b'r' => (Some(b'\r'), 2),
            b't' => (Some(b'\t'), 2),
            b'\\' => (Some(b'\\'), 2),
            b'\'' => (Some(b'\''), 2),
            b'"' => (Some(b'"'), 2),
            b'x' => (
                inner
                    .get(i + 2..i + 4)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok()),
                4,
            ),
            _ => (None, 1),
        };
        match byte {
            Some(b) => out.push(b),
            None => out.extend_from_slice(&inner[i..(i + used).min(inner.len())]),
        }
        i += used;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Literal `\n` escapes outnumber real line breaks (and there are at least two).
fn looks_json_escaped(text: &str) -> bool {
    let escapes = memchr::memmem::find_iter(text.as_bytes(), b"\\n").count();
    escapes >= 2 && escapes > memchr::memchr_iter(b'\n', text.as_bytes()).count()
}

/// Decodes JSON string escapes; invalid ones are kept verbatim.
fn json_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let esc = &rest[at..];
        let mut chars = esc[1..].chars();
        let (decoded, used): (Option<char>, usize) = match chars.next() {
            Some('n') => (Some('\n'), 2),
            Some('r') => (Some('\r'), 2),
            Some('t') => (Some('\t'), 2),
            Some('"') => (Some('"'), 2),
            Some('\\') => (Some('\\'), 2),
            Some('/') => (Some('/'), 2),
            Some('u') => match hex4(esc, 2) {
                Some(hi @ 0xD800..=0xDBFF) => match (esc.get(6..8), hex4(esc, 8)) {
                    (Some("\\u"), Some(lo @ 0xDC00..=0xDFFF)) => (
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)),
                        12,
                    ),
                    _ => (None, 6),
                },
                Some(u) => (char::from_u32(u), 6),
                None => (None, 1),
            },
            _ => (None, 1),
        };
        match decoded {
            Some(c) => out.push(c),
            // Unknown escape or lone surrogate: keep the text as it was.
            None => out.push_str(&esc[..used.min(esc.len())]),
        }
        rest = &esc[used.min(esc.len())..];
    }
    out.push_str(rest);
    out
}

fn hex4(s: &str, at: usize) -> Option<u32> {
    let h = s.get(at..at + 4)?;
    if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(h, 16).ok()
}

/// An ATX heading line, an image line, or two inline links.
fn looks_like_markdown(text: &str) -> bool {
    let link = memchr::memmem::Finder::new(b"](");
    // Each sign needs a `#` or a `](` somewhere: most pages have neither.
    if memchr::memchr(b'#', text.as_bytes()).is_none() && link.find(text.as_bytes()).is_none() {
        return false;
    }
    let mut links = 0;
    for line in text.lines().take(400) {
        let l = line.trim_start();
        let hashes = l.bytes().take_while(|&b| b == b'#').count();
        if (1..=6).contains(&hashes) && l[hashes..].starts_with(' ') {
            return true;
        }
        if l.starts_with("![") && l.contains("](") {
            return true;
        }
        links += link.find_iter(l.as_bytes()).count();
    }
    links >= 2
}

/// Renders markdown back to one block per line (see the module documentation).
fn markdown_to_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut image_depth = 0usize;
    // Items of the list being read: (text, is a tag-like item).
    let mut items: Vec<String> = Vec::new();
    let mut list_depth = 0usize;
    let mut item = String::new();
    for event in Parser::new(text) {
        let sink = if list_depth > 0 { &mut item } else { &mut out };
        match event {
            Event::Start(Tag::Image { .. }) => image_depth += 1,
            Event::End(TagEnd::Image) => image_depth = image_depth.saturating_sub(1),
            _ if image_depth > 0 => {}
            Event::Text(t) | Event::Code(t) => sink.push_str(&t),
            Event::SoftBreak | Event::HardBreak => sink.push('\n'),
            Event::Start(Tag::List(_)) => {
                list_depth += 1;
            }
            Event::End(TagEnd::Item) => {
                items.push(std::mem::take(&mut item).trim().to_string());
            }
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                if list_depth == 0 {
                    let tags = items.len() >= 2 && items.iter().all(|i| tag_like(i));
                    let sep = if tags { ", " } else { "\n" };
                    out.push_str(&items.join(sep));
                    out.push_str("\n\n");
                    items.clear();
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock)
            | Event::Rule => {
                if list_depth > 0 {
                    sink.push('\n');
                } else if !(sink.is_empty() || sink.ends_with("\n\n")) {
                    // An image-only paragraph leaves no empty block.
                    sink.push_str(if sink.ends_with('\n') { "\n" } else { "\n\n" });
                }
            }
            _ => {}
        }
    }
    out
}

/// A short item without sentence punctuation: a tag or topic.
fn tag_like(item: &str) -> bool {
    !item.is_empty()
        && item.len() <= 50
        && item.split_whitespace().count() <= 6
        && !item.contains('\n')
        && !item.ends_with(['.', '!', '?', ':', ')'])
}

/// Separators joining blocks on a flattened page, tried in order.
const SEPARATORS: &[&str] = &[" · ", " • ", " | "];

/// Splits a page flattened onto one line with block separators; `None` when it is not one.
fn split_separated(text: &str) -> Option<String> {
    // At most three non-blank lines, one of them long; stops reading at the fourth.
    let mut nonblank = 0;
    let mut long = false;
    for l in text.lines().filter(|l| !l.trim().is_empty()) {
        nonblank += 1;
        if nonblank > 3 {
            return None;
        }
        long |= l.len() > 200;
    }
    if !long {
        return None;
    }
    let sep = SEPARATORS.iter().find(|s| {
        text.split(*s)
            .skip(1)
            .filter(|piece| !starts_with_clock(piece))
            .count()
            >= 3
    })?;
    let mut out = String::with_capacity(text.len());
    for (k, piece) in text.split(sep).enumerate() {
        if k > 0 {
            let keep = *sep == " | " && (starts_with_clock(piece) || ends_with_bare_agency(&out));
            out.push_str(if keep { sep } else { "\n\n" });
        }
        out.push_str(piece);
    }
    Some(out)
}

/// `3:57 PM IST`, `15:57 IST`, `09.41 AM`.
fn starts_with_clock(s: &str) -> bool {
    let b = s.trim_start().as_bytes();
    let h = b.iter().take_while(|c| c.is_ascii_digit()).count();
    (1..=2).contains(&h)
        && matches!(b.get(h), Some(b':' | b'.'))
        && b.get(h + 1).is_some_and(u8::is_ascii_digit)
        && b.get(h + 2).is_some_and(u8::is_ascii_digit)
}

/// The text so far ends with a line that is only an agency name (`IANS`).
fn ends_with_bare_agency(out: &str) -> bool {
    let last = out.rsplit('\n').next().unwrap_or("").trim();
    crate::formats::agency::AGENCIES
        .iter()
        .any(|(printed, _, _)| *printed == last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_json_string_escapes() {
        let t = r#"Rupee\u2019s fall\n\nHe said \"no\" \/ \ud83d\ude00 \x bad \ud800"#;
        assert!(looks_json_escaped(t));
        assert_eq!(
            json_unescape(t),
            "Rupee\u{2019}s fall\n\nHe said \"no\" / \u{1f600} \\x bad \\ud800"
        );
        assert!(!looks_json_escaped("a\nb\nc \\n"));
    }

    #[test]
    fn decodes_python_bytes_literals() {
        let t = r"b'<html>\n<p>It\'s \xe2\x82\xb9 5 \\ done</p>\r\n'";
        assert_eq!(
            unwrap_bytes_literal(t).as_deref(),
            Some("<html>\n<p>It's \u{20b9} 5 \\ done</p>\r\n")
        );
        assert!(unwrap_bytes_literal("b'Plain' said the sign'").is_none());
        assert!(unwrap_bytes_literal("Headline").is_none());
    }

    #[test]
    fn markdown_becomes_blocks() {
        let md = "[Home](/) / [World](/world) / Talks\n\n# Talks resume\n\n## The dek line\n\n\
                  * [Trade](/t)\n* [Tariffs](/t2)\n\n![cap](x.jpg)\n\n**AP Kyiv**\n\
                  2 min read\n\n> A quoted paragraph with a [link](/l).\n\n- First point.\n- Second point.\n";
        assert!(looks_like_markdown(md));
        let got = markdown_to_lines(md);
        assert_eq!(
            got,
            "Home / World / Talks\n\nTalks resume\n\nThe dek line\n\nTrade, Tariffs\n\n\
             AP Kyiv\n2 min read\n\nA quoted paragraph with a link.\n\n\
             First point.\nSecond point.\n\n"
        );
        assert!(!looks_like_markdown(
            "Plain text with #hashtag and a [bracket]."
        ));
    }

    #[test]
    fn splits_one_line_pages_on_separators() {
        let body = "word ".repeat(130);
        let t = format!(
            "Headline here | The dek | IANS | Mumbai | 2 min read Updated: Aug 20 2025 | 3:57 PM IST | {body}| Second para"
        );
        let got = split_separated(&t).unwrap();
        let lines: Vec<&str> = got.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines[2], "IANS | Mumbai");
        assert_eq!(lines[3], "2 min read Updated: Aug 20 2025 | 3:57 PM IST");
        assert_eq!(lines.len(), 6);
        assert!(split_separated("short | text | with | many | pipes | here").is_none());
        let dates = format!("{body} Aug 20 2025 | 3:57 PM IST, Aug 21 2025 | 4:00 PM IST");
        assert!(split_separated(&dates).is_none());
    }
}
