//! A compact JSON writer for one ninjs document, byte for byte what `serde_json::to_writer`
//! writes for the same values: strings escaped by serde_json's rules, eight bytes at a time.
//!
//! A document is mostly its body text, and serde_json's string escaping looks up every byte
//! on its own; here a run of eight bytes that needs no escape (no `"`, `\` or control
//! character) is passed over with a few word operations. Numbers, and the opt-in extension
//! object, go through serde_json itself, so their form cannot drift from it.

use serde::Serialize;

/// Writes one JSON value into a byte buffer; objects and arrays put their own commas.
pub(super) struct JsonOut<'a> {
    out: &'a mut Vec<u8>,
    /// No comma is due before the next key or element: right after `{`, `[` or a key.
    fresh: bool,
}

impl<'a> JsonOut<'a> {
    /// A writer appending to `out`.
    pub(super) fn new(out: &'a mut Vec<u8>) -> JsonOut<'a> {
        JsonOut { out, fresh: true }
    }

    fn comma(&mut self) {
        if !self.fresh {
            self.out.push(b',');
        }
        self.fresh = false;
    }

    /// `{`: an object begins (as a value, or as an array element after [`element`](Self::element)).
    pub(super) fn open(&mut self) {
        self.out.push(b'{');
        self.fresh = true;
    }

    /// `}`.
    pub(super) fn close(&mut self) {
        self.out.push(b'}');
        self.fresh = false;
    }

    /// `[`.
    pub(super) fn open_array(&mut self) {
        self.out.push(b'[');
        self.fresh = true;
    }

    /// `]`.
    pub(super) fn close_array(&mut self) {
        self.out.push(b']');
        self.fresh = false;
    }

    /// The comma before an array element, if one is due.
    pub(super) fn element(&mut self) {
        self.comma();
    }

    /// `"key":`, with the comma before it if one is due; the value follows. Keys are ninjs
    /// property names, which need no escape.
    pub(super) fn key(&mut self, key: &str) {
        debug_assert!(!key.bytes().any(is_special), "{key:?}");
        self.comma();
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.fresh = true;
    }

    /// A string value, escaped.
    pub(super) fn str(&mut self, value: &str) {
        escape_into(self.out, value.as_bytes());
        self.fresh = false;
    }

    /// A string value given in parts, escaped as one string.
    pub(super) fn str_parts<'p>(&mut self, parts: impl IntoIterator<Item = &'p str>) {
        self.out.push(b'"');
        for part in parts {
            escape_contents(self.out, part.as_bytes());
        }
        self.out.push(b'"');
        self.fresh = false;
    }

    /// Any value, written by serde_json (numbers, booleans, small objects).
    pub(super) fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        serde_json::to_writer(&mut *self.out, value)?;
        self.fresh = false;
        Ok(())
    }

    /// `"key":"value"`.
    pub(super) fn str_entry(&mut self, key: &str, value: &str) {
        self.key(key);
        self.str(value);
    }

    /// `"key":value`, the value written by serde_json.
    pub(super) fn entry<T: Serialize + ?Sized>(
        &mut self,
        key: &str,
        value: &T,
    ) -> serde_json::Result<()> {
        self.key(key);
        self.value(value)
    }
}

/// Eight copies of `b`.
const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// The high bit of each of the eight bytes of `w` (little-endian) that needs an escape: a
/// control character (below 0x20), `"` or `\`. The lowest bit set marks the first such byte
/// exactly (the classic has-zero / has-less tests: a borrow only moves towards higher bytes).
fn escape_mask(w: u64) -> u64 {
    const HIGH: u64 = splat(0x80);
    let control = w.wrapping_sub(splat(0x20)) & !w;
    let q = w ^ splat(b'"');
    let quote = q.wrapping_sub(splat(1)) & !q;
    let b = w ^ splat(b'\\');
    let backslash = b.wrapping_sub(splat(1)) & !b;
    (control | quote | backslash) & HIGH
}

/// `"` + the escaped bytes + `"`.
fn escape_into(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    escape_contents(out, bytes);
    out.push(b'"');
}

/// Whether `b` needs an escape inside a JSON string.
fn is_special(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Appends `bytes` (UTF-8) escaped as the inside of a JSON string, as serde_json does: `"`, `\`
/// and the short forms `\b \f \n \r \t`; other control characters as `\u00XX`; everything
/// else, non-ASCII included, as it is. Eight bytes at a time, a byte to escape found by the
/// lowest bit of its word's mask; the last few bytes one by one.
fn escape_contents(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0;
    let mut i = 0;
    while let Some(word) = bytes.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let mask = escape_mask(u64::from_le_bytes(w));
        if mask == 0 {
            i += 8;
            continue;
        }
        let at = i + (mask.trailing_zeros() / 8) as usize;
        out.extend_from_slice(&bytes[start..at]);
        push_escape(out, bytes[at]);
        i = at + 1;
        start = i;
    }
    for (at, &b) in bytes.iter().enumerate().skip(i) {
        if is_special(b) {
            out.extend_from_slice(&bytes[start..at]);
            push_escape(out, b);
            start = at + 1;
        }
    }
    out.extend_from_slice(&bytes[start..]);
}

/// The escape of one byte that needs one.
fn push_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        0x08 => b'b',
        0x0c => b'f',
        _ => 0,
    };
    if short == 0 {
        out.extend_from_slice(b"\\u00");
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 0xf)]);
    } else {
        out.push(b'\\');
        out.push(short);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str) -> String {
        let mut out = Vec::new();
        escape_into(&mut out, s.as_bytes());
        String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
    }

    #[test]
    fn every_byte_class_escapes_as_serde_json_does() {
        let all: String = (0u32..0x300).filter_map(char::from_u32).collect();
        assert_eq!(escaped(&all), serde_json::to_string(&all).unwrap());
        for s in [
            "",
            "a",
            "\"",
            "\\",
            "ab\"cdefgh\\ijklmnop\nq",
            "\u{7f}\u{80}é😀\u{1f}",
        ] {
            assert_eq!(escaped(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn a_word_mask_marks_the_first_special_byte_exactly() {
        for special in (0u8..0x20).chain([b'"', b'\\']) {
            for place in 0..8 {
                // Alone, and followed by every kind of byte (a borrow must not move the mark).
                for after in [b'a', 0x00, 0x1f, 0x20, b'"', b'\\', 0x7f, 0x80, 0xff] {
                    let mut w = *b"abcdefgh";
                    w[place] = special;
                    w[place + 1..].fill(after);
                    let mask = escape_mask(u64::from_le_bytes(w));
                    assert_eq!(
                        mask.trailing_zeros() / 8,
                        place as u32,
                        "{special:#x} at {place}, then {after:#x}"
                    );
                }
            }
        }
        for clean in [
            *b"abcdefgh",
            *b" !#[]~\x7f\xff",
            [0xc3, 0xa9, b' ', 0x20, 0x21, 0x5b, 0x5d, 0x7e],
        ] {
            assert_eq!(escape_mask(u64::from_le_bytes(clean)), 0, "{clean:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn escapes_any_text_as_serde_json_does(s in "(?s).{0,64}", t in "[\"\\\\\u{0}-\u{1f} a-z\u{e9}]{0,40}") {
            proptest::prop_assert_eq!(escaped(&s), serde_json::to_string(&s).unwrap());
            proptest::prop_assert_eq!(escaped(&t), serde_json::to_string(&t).unwrap());
        }
    }
}
