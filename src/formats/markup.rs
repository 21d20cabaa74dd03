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
//! * entities are decoded (numeric, XML and the common HTML named ones), whitespace collapsed.
//!
//! A hand-written tokenizer was chosen over `scraper`/`html5ever` to keep the build light
//! (html5ever pulls in ~30 crates incl. proc-macro string caches) for text extraction that
//! needs no spec-exact tree building.

use std::borrow::Cow;

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

fn find_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| p + from)
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
            i = find_ci(bytes, i + 4, b"-->").map_or(bytes.len(), |p| p + 3);
        } else if bytes[i..].starts_with(b"<![CDATA[") {
            let end = find_ci(bytes, i + 9, b"]]>").unwrap_or(bytes.len());
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
                    i = match find_ci(bytes, i, closing.as_bytes()) {
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

/// Decodes character and named entity references (`&amp;`, `&#8217;`, `&#x2014;`, `&nbsp;`);
/// unknown or unterminated references are kept literally.
pub fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let semi = after
            .char_indices()
            .take(34)
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '#'))
            .filter(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        let decoded = semi.and_then(|end| {
            let name = &after[..end];
            if let Some(num) = name.strip_prefix('#') {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse::<u32>().ok(),
                }?;
                let c = match code {
                    0 => '\u{fffd}',
                    // Windows-1252 code points that HTML maps to typographic characters.
                    0x80..=0x9f => cp1252(code),
                    _ => char::from_u32(code).unwrap_or('\u{fffd}'),
                };
                Some((c.to_string(), end))
            } else {
                lookup_entity(name).map(|v| (v.to_owned(), end))
            }
        });
        match decoded {
            Some((text, end)) => {
                out.push_str(&text);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn cp1252(code: u32) -> char {
    match code {
        0x80 => '€',
        0x85 => '…',
        0x91 => '‘',
        0x92 => '’',
        0x93 => '“',
        0x94 => '”',
        0x95 => '•',
        0x96 => '–',
        0x97 => '—',
        0x99 => '™',
        _ => '\u{fffd}',
    }
}

/// Resolves a named entity (without `&` and `;`) to its text: the XML predefined entities and
/// the common HTML ones (Latin-1, typography, currency).
pub(crate) fn lookup_entity(name: &str) -> Option<&'static str> {
    ENTITIES
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| ENTITIES[i].1)
}

/// Sorted by name (byte order) for binary search.
static ENTITIES: &[(&str, &str)] = &[
    ("AElig", "Æ"),
    ("Aacute", "Á"),
    ("Acirc", "Â"),
    ("Agrave", "À"),
    ("Aring", "Å"),
    ("Atilde", "Ã"),
    ("Auml", "Ä"),
    ("Ccedil", "Ç"),
    ("Dagger", "‡"),
    ("ETH", "Ð"),
    ("Eacute", "É"),
    ("Ecirc", "Ê"),
    ("Egrave", "È"),
    ("Euml", "Ë"),
    ("Iacute", "Í"),
    ("Icirc", "Î"),
    ("Igrave", "Ì"),
    ("Iuml", "Ï"),
    ("Ntilde", "Ñ"),
    ("OElig", "Œ"),
    ("Oacute", "Ó"),
    ("Ocirc", "Ô"),
    ("Ograve", "Ò"),
    ("Oslash", "Ø"),
    ("Otilde", "Õ"),
    ("Ouml", "Ö"),
    ("Scaron", "Š"),
    ("THORN", "Þ"),
    ("Uacute", "Ú"),
    ("Ucirc", "Û"),
    ("Ugrave", "Ù"),
    ("Uuml", "Ü"),
    ("Yacute", "Ý"),
    ("Yuml", "Ÿ"),
    ("aacute", "á"),
    ("acirc", "â"),
    ("acute", "´"),
    ("aelig", "æ"),
    ("agrave", "à"),
    ("amp", "&"),
    ("apos", "'"),
    ("aring", "å"),
    ("atilde", "ã"),
    ("auml", "ä"),
    ("bdquo", "„"),
    ("brvbar", "¦"),
    ("bull", "•"),
    ("ccedil", "ç"),
    ("cedil", "¸"),
    ("cent", "¢"),
    ("copy", "©"),
    ("curren", "¤"),
    ("dagger", "†"),
    ("deg", "°"),
    ("divide", "÷"),
    ("eacute", "é"),
    ("ecirc", "ê"),
    ("egrave", "è"),
    ("emsp", "\u{2003}"),
    ("ensp", "\u{2002}"),
    ("eth", "ð"),
    ("euml", "ë"),
    ("euro", "€"),
    ("frac12", "½"),
    ("frac14", "¼"),
    ("frac34", "¾"),
    ("gt", ">"),
    ("hellip", "…"),
    ("iacute", "í"),
    ("icirc", "î"),
    ("iexcl", "¡"),
    ("igrave", "ì"),
    ("iquest", "¿"),
    ("iuml", "ï"),
    ("laquo", "«"),
    ("ldquo", "“"),
    ("lsaquo", "‹"),
    ("lsquo", "‘"),
    ("lt", "<"),
    ("macr", "¯"),
    ("mdash", "—"),
    ("micro", "µ"),
    ("middot", "·"),
    ("minus", "−"),
    ("nbsp", "\u{a0}"),
    ("ndash", "–"),
    ("not", "¬"),
    ("ntilde", "ñ"),
    ("oacute", "ó"),
    ("ocirc", "ô"),
    ("oelig", "œ"),
    ("ograve", "ò"),
    ("ordf", "ª"),
    ("ordm", "º"),
    ("oslash", "ø"),
    ("otilde", "õ"),
    ("ouml", "ö"),
    ("para", "¶"),
    ("permil", "‰"),
    ("plusmn", "±"),
    ("pound", "£"),
    ("prime", "′"),
    ("quot", "\""),
    ("raquo", "»"),
    ("rdquo", "”"),
    ("reg", "®"),
    ("rsaquo", "›"),
    ("rsquo", "’"),
    ("sbquo", "‚"),
    ("scaron", "š"),
    ("sect", "§"),
    ("shy", ""),
    ("sup1", "¹"),
    ("sup2", "²"),
    ("sup3", "³"),
    ("szlig", "ß"),
    ("thinsp", "\u{2009}"),
    ("thorn", "þ"),
    ("times", "×"),
    ("trade", "™"),
    ("uacute", "ú"),
    ("ucirc", "û"),
    ("ugrave", "ù"),
    ("uml", "¨"),
    ("uuml", "ü"),
    ("yacute", "ý"),
    ("yen", "¥"),
    ("yuml", "ÿ"),
    ("zwj", "\u{200d}"),
    ("zwnj", "\u{200c}"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_table_is_sorted() {
        assert!(ENTITIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(lookup_entity("mdash"), Some("—"));
        assert_eq!(lookup_entity("tstr"), None);
    }

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
