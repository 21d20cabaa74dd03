//! A small, bounded XML tree built with `quick-xml`, shared by the XML news formats.
//!
//! Safety properties:
//! * no DTD processing: `<!DOCTYPE ...>` (and any `<!ENTITY>` in it) is skipped, never read;
//! * entity references are resolved only against the XML predefined entities, numeric
//!   character references and a fixed table of HTML named entities; any other entity
//!   (`&tstr;`, `&lol9;`) is dropped, so entity bombs cannot expand;
//! * input size, nesting depth and element count are capped; going past a cap, bad syntax and
//!   truncated documents give [`FormatError::Malformed`] with a byte position.
//!
//! Element and attribute names are compared by local name (namespace prefixes ignored) and
//! ASCII case-insensitively.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::formats::entities::{decode_entities, lookup_entity};
use crate::formats::error::FormatError;
use crate::formats::textutil::collapse_ws;

/// Largest document accepted, in bytes.
pub(crate) const MAX_INPUT: usize = 16 * 1024 * 1024;
/// Deepest element nesting accepted.
pub(crate) const MAX_DEPTH: usize = 256;
/// Most elements accepted in one document.
const MAX_ELEMENTS: usize = 500_000;

/// One XML element with its attributes and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    /// Local name (prefix removed).
    pub name: String,
    /// Attributes as (qualified name, value), e.g. `("xml:lang", "en")`.
    pub attrs: Vec<(String, String)>,
    /// Child nodes in document order.
    pub children: Vec<Node>,
}

/// A child of an [`Element`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// A nested element.
    Element(Element),
    /// Character data (entities already resolved).
    Text(String),
}

fn local(qname: &str) -> &str {
    qname.rsplit(':').next().unwrap_or(qname)
}

impl Element {
    fn from_start(start: &BytesStart<'_>) -> Self {
        let name = local(start.name().as_ref()).to_owned();
        let mut attrs = Vec::new();
        for attr in start.attributes().with_checks(false).flatten() {
            let key = attr.key.as_ref().to_owned();
            let value = match attr.normalized_value_with(
                quick_xml::XmlVersion::Implicit1_0,
                1,
                lookup_entity,
            ) {
                Ok(v) => v.into_owned(),
                Err(_) => decode_entities(&attr.value).into_owned(),
            };
            attrs.push((key, value));
        }
        Element {
            name,
            attrs,
            children: Vec::new(),
        }
    }

    /// True when the element's local name is `name` (ASCII case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The value of the attribute whose qualified or local name is `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .or_else(|| {
                self.attrs
                    .iter()
                    .find(|(k, _)| !k.starts_with("xmlns") && local(k).eq_ignore_ascii_case(name))
            })
            .map(|(_, v)| v.as_str())
    }

    /// A non-empty, trimmed attribute value.
    pub fn attr_nonempty(&self, name: &str) -> Option<String> {
        self.attr(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    /// Child elements in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Child elements named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.elements().filter(move |e| e.is(name))
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(name))
    }

    /// Follows a chain of child names.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        let mut cur = self;
        for n in names {
            cur = cur.child(n)?;
        }
        Some(cur)
    }

    /// The first descendant (depth-first, document order) named `name`, not `self`.
    pub fn find(&self, name: &str) -> Option<&Element> {
        for e in self.elements() {
            if e.is(name) {
                return Some(e);
            }
            if let Some(found) = e.find(name) {
                return Some(found);
            }
        }
        None
    }

    /// All descendants named `name` in document order (not descending into matches).
    pub fn find_all<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for e in self.elements() {
            if e.is(name) {
                out.push(e);
            } else {
                e.find_all(name, out);
            }
        }
    }

    /// All descendant text, whitespace collapsed and trimmed.
    pub fn text(&self) -> String {
        let mut raw = String::new();
        self.collect_text(&mut raw);
        collapse_ws(&raw)
    }

    /// All descendant text if non-empty.
    pub fn text_nonempty(&self) -> Option<String> {
        Some(self.text()).filter(|t| !t.is_empty())
    }

    fn collect_text(&self, out: &mut String) {
        for n in &self.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => {
                    // Keep words of adjacent block elements apart.
                    out.push(' ');
                    e.collect_text(out);
                    out.push(' ');
                }
            }
        }
    }

    /// Raw descendant text (no collapsing), for preformatted plain-text content.
    pub fn raw_text(&self) -> String {
        let mut raw = String::new();
        self.collect_raw(&mut raw);
        raw
    }

    fn collect_raw(&self, out: &mut String) {
        for n in &self.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => e.collect_raw(out),
            }
        }
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(top) = stack.last_mut() {
        if let Some(Node::Text(last)) = top.children.last_mut() {
            last.push_str(text);
        } else {
            top.children.push(Node::Text(text.to_owned()));
        }
    }
}

/// Parses a whole document into its root element.
///
/// # Errors
/// [`FormatError::Malformed`] for syntax errors, truncation, no root element, or a cap exceeded.
pub(crate) fn parse_document(input: &str) -> Result<Element, FormatError> {
    if input.len() > MAX_INPUT {
        return Err(FormatError::Malformed(format!(
            "document of {} bytes exceeds the {} byte limit",
            input.len(),
            MAX_INPUT
        )));
    }
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut reader = Reader::from_str(input);
    {
        let cfg = reader.config_mut();
        cfg.allow_dangling_amp = true;
        cfg.check_end_names = true;
    }
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| {
            FormatError::Malformed(format!(
                "XML error at byte {}: {e}",
                reader.error_position()
            ))
        })?;
        match event {
            Event::Start(s) | Event::Empty(s) if root.is_some() && stack.is_empty() => {
                return Err(FormatError::Malformed(format!(
                    "second root element <{}> at byte {}",
                    local(s.name().as_ref()),
                    reader.buffer_position()
                )));
            }
            Event::Start(s) => {
                count += 1;
                if stack.len() >= MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err(FormatError::Malformed(format!(
                        "nesting deeper than {MAX_DEPTH} or more than {MAX_ELEMENTS} elements at byte {}",
                        reader.buffer_position()
                    )));
                }
                stack.push(Element::from_start(&s));
            }
            Event::Empty(s) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(FormatError::Malformed(format!(
                        "more than {MAX_ELEMENTS} elements"
                    )));
                }
                let el = Element::from_start(&s);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(FormatError::Malformed(format!(
                        "unexpected end tag at byte {}",
                        reader.buffer_position()
                    )));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) if !stack.is_empty() => push_text(&mut stack, &t.xml10_content()),
            Event::CData(c) if !stack.is_empty() => push_text(&mut stack, &c.into_inner()),
            Event::GeneralRef(r) => {
                if stack.is_empty() {
                    continue;
                }
                let mut buf = [0u8; 4];
                let resolved: Option<&str> = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.encode_utf8(&mut buf)),
                    Ok(None) => lookup_entity(&r.into_inner()),
                    Err(_) => None,
                };
                // Unknown entities (declared in a DTD or not at all) are dropped, never expanded.
                if let Some(s) = resolved {
                    push_text(&mut stack, s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(FormatError::Malformed(format!(
            "truncated XML: <{}> not closed at end of input (byte {})",
            open.name,
            input.len()
        )));
    }
    root.ok_or_else(|| FormatError::Malformed("no root element".into()))
}

/// Streams through a document checking well-formedness, nesting depth and element count
/// without building a tree (used before handing a feed to `feed-rs`, which recurses).
///
/// # Errors
/// [`FormatError::Malformed`] as for [`parse_document`].
pub(crate) fn check_structure(input: &str) -> Result<(), FormatError> {
    let mut reader = Reader::from_str(input);
    {
        let cfg = reader.config_mut();
        cfg.allow_dangling_amp = true;
        cfg.check_end_names = true;
    }
    let mut depth = 0usize;
    let mut count = 0usize;
    loop {
        match reader.read_event() {
            Err(e) => {
                return Err(FormatError::Malformed(format!(
                    "XML error at byte {}: {e}",
                    reader.error_position()
                )));
            }
            Ok(Event::Start(_)) => {
                depth += 1;
                count += 1;
                if depth > MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err(FormatError::Malformed(format!(
                        "nesting deeper than {MAX_DEPTH} or more than {MAX_ELEMENTS} elements at byte {}",
                        reader.buffer_position()
                    )));
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) => break,
            Ok(_) => {}
        }
    }
    if depth > 0 {
        return Err(FormatError::Malformed(format!(
            "truncated XML: {depth} element(s) not closed at end of input (byte {})",
            input.len()
        )));
    }
    Ok(())
}

/// Cheaply reads the local name of the root element and its default namespace, looking at most
/// at the first 64 KiB (prologue, comments and DOCTYPE are skipped).
pub(crate) fn root_name(input: &str) -> Option<(String, Option<String>)> {
    let input = input.trim_start_matches('\u{feff}').trim_start();
    if !input.starts_with('<') {
        return None;
    }
    let mut end = input.len().min(64 * 1024);
    while !input.is_char_boundary(end) {
        end -= 1;
    }
    let mut reader = Reader::from_str(&input[..end]);
    reader.config_mut().allow_dangling_amp = true;
    for _ in 0..64 {
        match reader.read_event() {
            Ok(Event::Start(s)) | Ok(Event::Empty(s)) => {
                let name = local(s.name().as_ref()).to_owned();
                let ns = s
                    .attributes()
                    .with_checks(false)
                    .flatten()
                    .find(|a| a.key.as_ref() == "xmlns")
                    .map(|a| a.value.into_owned());
                return Some((name, ns));
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(Event::Text(t)) if !t.xml10_content().trim().is_empty() => return None,
            Ok(_) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_tree_and_resolves_entities() {
        let doc = parse_document(
            r#"<?xml version="1.0"?><a xmlns:x="u" x:k="v&amp;w"><x:b>1 &amp; 2 &eacute; &#x41; &tstr;</x:b><c/></a>"#,
        )
        .unwrap();
        assert_eq!(doc.name, "a");
        assert_eq!(doc.attr("k"), Some("v&w"));
        assert_eq!(doc.child("b").unwrap().text(), "1 & 2 é A");
        assert!(doc.child("c").is_some());
    }

    #[test]
    fn rejects_truncated_and_deep() {
        let err = parse_document("<a><b>text").unwrap_err();
        assert!(matches!(err, FormatError::Malformed(ref m) if m.contains("truncated")));
        let deep = "<a>".repeat(300) + &"</a>".repeat(300);
        assert!(matches!(
            parse_document(&deep),
            Err(FormatError::Malformed(_))
        ));
        assert!(matches!(
            parse_document("<a></b>"),
            Err(FormatError::Malformed(_))
        ));
        assert!(matches!(parse_document(""), Err(FormatError::Malformed(_))));
    }

    #[test]
    fn billion_laughs_does_not_expand() {
        let mut doc =
            String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
        for i in 1..10 {
            let prev = if i == 1 {
                "lol".to_string()
            } else {
                format!("lol{}", i - 1)
            };
            doc.push_str(&format!(
                "<!ENTITY lol{i} \"{}\">\n",
                format!("&{prev};").repeat(10)
            ));
        }
        doc.push_str("]>\n<lolz>&lol9;</lolz>");
        let start = std::time::Instant::now();
        let root = parse_document(&doc).unwrap();
        assert!(start.elapsed().as_millis() < 500);
        assert!(root.text().len() < 100);
    }

    #[test]
    fn root_names() {
        assert_eq!(
            root_name("<?xml version='1.0'?><!-- c --><rss version='2.0'>")
                .unwrap()
                .0,
            "rss"
        );
        assert_eq!(root_name("hello"), None);
    }
}
