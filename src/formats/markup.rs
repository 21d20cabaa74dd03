//! HTML / XHTML to clean text paragraphs.
//!
//! [`html_to_paragraphs`] reads HTML (whole pages, fragments from feeds and e-mail, XHTML) with
//! a small tolerant tokenizer of its own: it never fails, accepts unclosed and misnested tags,
//! and needs no DOM. Well-formed XML bodies inside the XML news formats are parsed by
//! `quick-xml` into element trees (the crate-private `xml` module) and rendered
//! with the same paragraph rules:
//!
//! * block elements (`p`, `div`, `li`, `h1`-`h6`, `blockquote`, table rows, ...) end a
//!   paragraph; two or more consecutive `<br>` end a paragraph, a single one is a space;
//! * table rows become one paragraph with cells joined by `" | "`;
//! * list items become paragraphs of their own (unmarked, as plain-text wire formats carry them);
//! * `script`, `style`, `noscript`, `iframe`, `template`, `svg`, `title`, `head` content and
//!   comments are dropped; images (tracking pixels included) contribute no text;
//! * entities are decoded ([`decode_entities`]), whitespace collapsed.
//!
//! A hand-written tokenizer was chosen over `scraper`/`html5ever` to keep the build light
//! (html5ever pulls in ~30 crates incl. proc-macro string caches) for text extraction that
//! needs no spec-exact tree building.

use crate::formats::entities::decode_entities;
use crate::formats::textutil::find_ci;
use crate::formats::xml::{Element, Node};

/// Elements whose content is never text of the article.
const SKIP: &[&str] = &[
    "script", "style", "noscript", "iframe", "template", "svg", "title", "head", "object", "embed",
    "textarea", "select", "math", "media",
];

/// Elements that start and end a paragraph.
pub(crate) const BLOCK: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "caption",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "nav",
    "main",
    "figure",
    "figcaption",
    "pre",
    "address",
    "hr",
    "form",
    "fieldset",
    "center",
    "body",
    "html",
    "hl1",
    "hl2",
    "block",
    "body.content",
    "hedline",
    "note",
    "media-caption",
    "tagline",
    "bq",
    "credit",
    "fn",
];

const BR: char = '\u{1}';

/// Collects text and block boundaries into paragraphs.
#[derive(Default)]
struct Builder {
    paras: Vec<String>,
    cur: String,
    row_depth: usize,
    row_cells: usize,
    bullet: bool,
}

impl Builder {
    fn start(&mut self, name: &str) {
        match name {
            "br" => self.cur.push(if self.row_depth > 0 { ' ' } else { BR }),
            "li" => {
                self.flush();
                self.bullet = true;
            }
            "tr" => {
                self.flush();
                self.row_depth += 1;
                self.row_cells = 0;
            }
            "td" | "th" => {
                if self.row_depth > 0 {
                    if self.row_cells > 0 {
                        self.cur.push_str(" | ");
                    }
                    self.row_cells += 1;
                } else {
                    self.cur.push(' ');
                }
            }
            n if BLOCK.contains(&n) => self.block(),
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "li" => {
                self.flush();
                self.bullet = false;
            }
            "tr" => {
                self.flush();
                self.row_depth = self.row_depth.saturating_sub(1);
            }
            "td" | "th" => self.cur.push(' '),
            "table" => {
                self.row_depth = 0;
                self.flush();
            }
            n if BLOCK.contains(&n) => self.block(),
            _ => {}
        }
    }

    fn block(&mut self) {
        if self.row_depth > 0 {
            self.cur.push(' ');
        } else {
            self.flush();
        }
    }

    fn text(&mut self, t: &str) {
        self.cur.push_str(t);
    }

    fn flush(&mut self) {
        let raw = std::mem::take(&mut self.cur);
        let mut para = String::new();
        let mut brs = 0;
        let mut space = false;
        for c in raw.chars() {
            if c == BR {
                brs += 1;
                continue;
            }
            if c.is_whitespace() || c == '\u{200b}' {
                space = true;
                continue;
            }
            if brs >= 2 {
                self.push_para(std::mem::take(&mut para));
            } else if (brs == 1 || space) && !para.is_empty() {
                para.push(' ');
            }
            brs = 0;
            space = false;
            para.push(c);
        }
        self.push_para(para);
    }

    fn push_para(&mut self, p: String) {
        if p.is_empty() {
            return;
        }
        // List items stay paragraphs of their own, unmarked, so that the same item read from a
        // plain-text wire format (which carries no list markers) gives the same body.
        self.bullet = false;
        self.paras.push(p);
    }

    fn finish(mut self) -> Vec<String> {
        self.flush();
        self.paras
    }
}

/// The whole fragment as one line of text (paragraphs joined by a space).
pub fn html_text(html: &str) -> String {
    html_to_paragraphs(html).join(" ")
}

/// Converts HTML or XHTML (a page or a fragment) into clean paragraphs. Never fails; text
/// without any markup comes back as one paragraph per blank-line-separated block.
pub fn html_to_paragraphs(html: &str) -> Vec<String> {
    let mut b = Builder::default();
    tokenize(html, &mut b);
    b.finish()
}

/// Renders the children of an XML element (an XHTML `body`, NITF `body.content`, ...) as
/// paragraphs with the rules of [`html_to_paragraphs`].
pub(crate) fn element_to_paragraphs(el: &Element) -> Vec<String> {
    let mut b = Builder::default();
    walk(el, &mut b);
    b.finish()
}

fn walk(el: &Element, b: &mut Builder) {
    for n in &el.children {
        match n {
            Node::Text(t) => b.text(t),
            Node::Element(e) => {
                let name = e.name.to_ascii_lowercase();
                if SKIP.contains(&name.as_str()) {
                    continue;
                }
                b.start(&name);
                walk(e, b);
                b.end(&name);
            }
        }
    }
}

fn find_byte(hay: &[u8], from: usize, b: u8) -> Option<usize> {
    hay.get(from..)?
        .iter()
        .position(|&c| c == b)
        .map(|p| p + from)
}

/// Finds the `>` ending a tag that starts at `from`, skipping quoted attribute values.
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    let mut i = from;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'>' => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

fn tag_name(bytes: &[u8], from: usize) -> (String, usize) {
    let mut i = from;
    while i < bytes.len()
        && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'-' | b'_' | b':' | b'.'))
    {
        i += 1;
    }
    let raw = String::from_utf8_lossy(&bytes[from..i]).to_ascii_lowercase();
    let local = raw.rsplit(':').next().unwrap_or(&raw).to_owned();
    (local, i)
}

fn tokenize(html: &str, b: &mut Builder) {
    let bytes = html.as_bytes();
    // `needle` at or after byte `from`, ignoring ASCII case.
    let find = |from: usize, needle: &[u8]| find_ci(bytes.get(from..)?, needle).map(|p| p + from);
    let mut i = 0;
    let mut text_start = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        let is_markup = next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?');
        if !is_markup {
            i += 1;
            continue;
        }
        if text_start < i {
            b.text(&decode_entities(&html[text_start..i]));
        }
        if bytes[i..].starts_with(b"<!--") {
            i = find(i + 4, b"-->").map_or(bytes.len(), |p| p + 3);
        } else if bytes[i..].starts_with(b"<![CDATA[") {
            let end = find(i + 9, b"]]>").unwrap_or(bytes.len());
            b.text(&html[i + 9..end]);
            i = (end + 3).min(bytes.len());
        } else if next == b'!' || next == b'?' {
            i = find_byte(bytes, i, b'>').map_or(bytes.len(), |p| p + 1);
        } else if next == b'/' {
            let (name, _) = tag_name(bytes, i + 2);
            b.end(&name);
            i = find_byte(bytes, i, b'>').map_or(bytes.len(), |p| p + 1);
        } else {
            let (name, after) = tag_name(bytes, i + 1);
            let end = tag_end(bytes, after).unwrap_or(bytes.len());
            let self_closing = end > 0 && bytes.get(end - 1) == Some(&b'/');
            i = (end + 1).min(bytes.len());
            if SKIP.contains(&name.as_str()) {
                if !self_closing {
                    let closing = format!("</{name}");
                    i = match find(i, closing.as_bytes()) {
                        Some(p) => find_byte(bytes, p, b'>').map_or(bytes.len(), |q| q + 1),
                        None => bytes.len(),
                    };
                }
            } else {
                b.start(&name);
                if self_closing {
                    b.end(&name);
                }
            }
        }
        text_start = i;
    }
    if text_start < bytes.len() {
        b.text(&decode_entities(&html[text_start..]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_blocks_and_entities() {
        let html = "<html><head><title>T</title><style>p{}</style></head><body>\
            <h1>Head&nbsp;line</h1><p>One &amp; two &mdash; it&rsquo;s &#8220;x&#x201D;</p>\
            <div>Line a<br>line b<br/><br />Para c</div><!-- hidden -->\
            <script>var x = '<p>no</p>';</script><noscript>no</noscript>\
            <img src=x width=1 height=1><p>AT&T &bogus; 5 < 6</p></body></html>";
        assert_eq!(
            html_to_paragraphs(html),
            vec![
                "Head line",
                "One & two — it’s “x”",
                "Line a line b",
                "Para c",
                "AT&T &bogus; 5 < 6"
            ]
        );
    }

    #[test]
    fn lists_and_tables() {
        let html = "<ul><li>First</li><li><p>Second</p></li></ul>\
            <table><tr><th>Team</th><th>Pts</th></tr><tr><td><p>A</p></td><td>3</td></tr></table>";
        assert_eq!(
            html_to_paragraphs(html),
            vec!["First", "Second", "Team | Pts", "A | 3"]
        );
    }

    #[test]
    fn tolerant_of_broken_html() {
        assert_eq!(
            html_to_paragraphs("<p>a<p>b<div class=\"x>y\">c"),
            vec!["a", "b", "c"]
        );
        assert_eq!(html_to_paragraphs("plain text"), vec!["plain text"]);
        assert_eq!(
            html_to_paragraphs("<p>unterminated <b"),
            vec!["unterminated"]
        );
        assert!(html_to_paragraphs("<script>never closed").is_empty());
        assert!(html_to_paragraphs("").is_empty());
    }

    #[test]
    fn xml_element_rendering() {
        let doc = crate::formats::xml::parse_document(
            "<body><p>One <b>bold</b></p><ul><li>i</li></ul><script>x</script><p>Two</p></body>",
        )
        .unwrap();
        assert_eq!(element_to_paragraphs(&doc), vec!["One bold", "i", "Two"]);
    }
}
