//! Byte-to-text decoding for wire input, and control-character cleanup.
//!
//! [`decode`] strips a UTF-8/UTF-16 byte-order mark, honours a declared charset (from a record
//! header, or found by [`declared_charset`] in an XML declaration, an HTML `<meta charset>` or a
//! MIME `Content-Type`), keeps valid UTF-8 as is, and otherwise asks `chardetng` (Mozilla's
//! detector) for the legacy encoding (Windows-1252, ISO-8859-x, KOI8, Shift_JIS ...).
//!
//! Decoding deliberately keeps the control characters: the ANPA and IPTC 7901 parsers need their
//! SOH/STX/ETX/EOT framing. Every text field a parser emits goes through [`clean_controls`],
//! which leaves only `\n` and `\t`.

use std::borrow::Cow;

use encoding_rs::Encoding;

/// Why bytes could not be decoded as text.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// NUL bytes or a high share of control bytes: not text.
    #[error("binary content: {0}")]
    Binary(String),
    /// Nothing to decode.
    #[error("empty input")]
    Empty,
}

/// Decodes `bytes` to UTF-8 text and names the encoding used.
///
/// `declared` is a charset label from outside the bytes (record header, MIME part); an unknown
/// label is ignored. Control characters are kept (see the module docs).
///
/// # Errors
/// [`DecodeError::Empty`] for no bytes, [`DecodeError::Binary`] for NUL bytes (outside UTF-16)
/// or when more than 10 % of the bytes are control bytes other than tab, CR, LF and FF.
pub fn decode<'a>(
    bytes: &'a [u8],
    declared: Option<&str>,
) -> Result<(Cow<'a, str>, &'static str), DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        if enc == encoding_rs::UTF_8 {
            check_binary(body)?;
        }
        let (text, _) = enc.decode_without_bom_handling(body);
        return Ok((text, enc.name()));
    }
    check_binary(bytes)?;
    let label = declared
        .map(str::to_owned)
        .or_else(|| declared_charset(bytes).map(str::to_owned));
    if let Some(enc) = label.and_then(|l| Encoding::for_label(l.trim().as_bytes())) {
        // A document cannot really be UTF-16 without a BOM once NUL bytes were rejected.
        if enc != encoding_rs::UTF_16LE && enc != encoding_rs::UTF_16BE {
            let (text, _) = enc.decode_without_bom_handling(bytes);
            return Ok((text, enc.name()));
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((Cow::Borrowed(text), encoding_rs::UTF_8.name()));
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let enc = detector.guess(None, true);
    let (text, _) = enc.decode_without_bom_handling(bytes);
    Ok((text, enc.name()))
}

fn check_binary(bytes: &[u8]) -> Result<(), DecodeError> {
    if let Some(pos) = memchr::memchr(0, bytes) {
        return Err(DecodeError::Binary(format!("NUL byte at {pos}")));
    }
    let controls = c0_controls(bytes) + memchr::memchr_iter(0x7f, bytes).count();
    if controls * 10 > bytes.len() && bytes.len() >= 16 {
        return Err(DecodeError::Binary(format!(
            "{controls} control bytes in {}",
            bytes.len()
        )));
    }
    Ok(())
}

/// The C0 control bytes (below 0x20) other than tab, LF, CR and FF: counted without branches, so
/// the loop runs on vector registers.
pub(crate) fn c0_controls(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|chunk| {
            let n = chunk.iter().fold(0u8, |n, &b| {
                let control = (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r') & (b != 0x0c);
                n + u8::from(control)
            });
            usize::from(n)
        })
        .sum()
}

/// Finds a charset declared inside the first 1 KiB of the bytes: an XML declaration
/// (`encoding="..."`), an HTML meta tag (`charset=...`) or a MIME header (`charset=...`).
pub fn declared_charset(bytes: &[u8]) -> Option<&str> {
    let head = &bytes[..bytes.len().min(1024)];
    // The first `encoding=` and the first `charset=` (ASCII case-insensitive), found from the
    // `=` signs: no lower-cased copy, one pass.
    let mut first: [Option<usize>; 2] = [None, None];
    for eq in memchr::memchr_iter(b'=', head) {
        for (slot, key) in first.iter_mut().zip([&b"encoding"[..], &b"charset"[..]]) {
            if slot.is_none()
                && eq >= key.len()
                && head[eq - key.len()..eq].eq_ignore_ascii_case(key)
            {
                *slot = Some(eq + 1);
            }
        }
        if first.iter().all(Option::is_some) {
            break;
        }
    }
    first.into_iter().flatten().find_map(|start| {
        let rest = &head[start..];
        let rest = rest
            .strip_prefix(b"\"")
            .or_else(|| rest.strip_prefix(b"'"))
            .unwrap_or(rest);
        let len = rest
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.')))
            .unwrap_or(rest.len());
        (len > 0)
            .then(|| std::str::from_utf8(&rest[..len]).ok())
            .flatten()
    })
}

/// Removes control characters except `\n` and `\t`: CR LF and lone CR become `\n`, C1 controls
/// (U+0080–U+009F, which appear when Windows-1252 text was mislabelled as Latin-1) are mapped
/// to the Windows-1252 characters they stand for, everything else (SOH, STX, ETX, EOT, SYN,
/// DEL, BEL, byte-order marks ...) is dropped.
pub fn clean_controls(s: &str) -> Cow<'_, str> {
    let dirty = s
        .chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{feff}');
    if !dirty {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\u{80}'..='\u{9f}' => {
                if let Some(m) = cp1252_c1(u32::from(c)) {
                    out.push(m);
                }
            }
            '\u{feff}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The Windows-1252 character a C1 code point (0x80 to 0x9F) stands for when Windows-1252 text
/// was read as Latin-1, or an HTML numeric reference names it (`&#146;` is `’`); `None` for
/// the five code points Windows-1252 leaves undefined and for anything outside 0x80 to 0x9F.
pub(crate) fn cp1252_c1(code: u32) -> Option<char> {
    if !(0x80..=0x9f).contains(&code) {
        return None;
    }
    let byte = u8::try_from(code).ok()?;
    let buf = [byte];
    let (text, _, had_errors) = encoding_rs::WINDOWS_1252.decode(&buf);
    let m = text.chars().next()?;
    (!had_errors && !m.is_control()).then_some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_c0_controls_but_tab_lf_cr_ff() {
        let all: Vec<u8> = (0..=255u8).cycle().take(256 * 3 + 7).collect();
        let slow = |b: &[u8]| {
            b.iter()
                .filter(|&&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r' | 0x0c))
                .count()
        };
        for len in [0, 1, 31, 32, 254, 255, 256, 600, all.len()] {
            assert_eq!(c0_controls(&all[..len]), slow(&all[..len]), "{len}");
        }
        assert_eq!(c0_controls(&[1u8; 1000]), 1000);
    }

    #[test]
    fn utf8_and_boms() {
        assert_eq!(
            decode(b"caf\xc3\xa9", None).unwrap(),
            (Cow::Borrowed("café"), "UTF-8")
        );
        assert_eq!(decode(b"\xef\xbb\xbfabc", None).unwrap().0, "abc");
        let utf16 = [0xff, 0xfe, b'h', 0, b'i', 0];
        assert_eq!(
            decode(&utf16, None).unwrap(),
            (Cow::Borrowed("hi"), "UTF-16LE")
        );
    }

    #[test]
    fn declared_and_detected() {
        let latin = b"Thomas M\xfcller sagte, dass die Mannschaft gewinnen wird.";
        let (text, name) = decode(latin, Some("iso-8859-1")).unwrap();
        assert!(text.contains("Müller"));
        assert_eq!(name, "windows-1252");
        let (text, _) = decode(latin, None).unwrap();
        assert!(text.contains("Müller"));
        let xml = b"<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?><a>\xb1</a>";
        assert_eq!(declared_charset(xml), Some("ISO-8859-2"));
        assert_eq!(decode(xml, None).unwrap().1, "ISO-8859-2");
        assert_eq!(declared_charset(b"<meta charset=utf-8>"), Some("utf-8"));
    }

    #[test]
    fn declared_charset_rules() {
        // Keys in any case; the declaration's value as written.
        let mime = b"Content-Type: text/plain; CHARSET=\"Windows-1252\"\r\n\r\nbody";
        assert_eq!(declared_charset(mime), Some("Windows-1252"));
        // `encoding=` wins over `charset=`; an empty value falls through to the other key.
        assert_eq!(
            declared_charset(b"charset=latin1 encoding='utf-8'"),
            Some("utf-8")
        );
        assert_eq!(
            declared_charset(b"encoding= charset=latin1"),
            Some("latin1")
        );
        // Only the first 1 KiB counts; a bare key or `=` at the start is no declaration.
        let mut late = vec![b' '; 1100];
        late.extend_from_slice(b"charset=latin1");
        assert_eq!(declared_charset(&late), None);
        assert_eq!(declared_charset(b"=charset encoding"), None);
    }

    #[test]
    fn binary_is_rejected() {
        assert!(matches!(
            decode(b"ab\0cd", None),
            Err(DecodeError::Binary(_))
        ));
        let noisy = [1u8, 2, 3, 4, 5, 6, 7, 8, b'a', b'b', 1, 2, 3, 4, 5, 6, 7, 8];
        assert!(matches!(decode(&noisy, None), Err(DecodeError::Binary(_))));
        assert_eq!(decode(b"", None), Err(DecodeError::Empty));
        // Wire framing is a few bytes and passes.
        assert!(
            decode(
                b"\x01header\r\n\x02Headline =\r\n\r\nBody text here.\x03",
                None
            )
            .is_ok()
        );
    }

    #[test]
    fn cleans_controls() {
        assert_eq!(clean_controls("a\r\nb\rc\x01\x7f\td"), "a\nb\nc\td");
        assert_eq!(clean_controls("UGL\u{92}s"), "UGL’s");
        assert_eq!(clean_controls("\u{80}\u{81}\u{8a}\u{9f}"), "€ŠŸ");
        assert_eq!(cp1252_c1(0x41), None);
        assert!(matches!(clean_controls("plain\n"), Cow::Borrowed(_)));
    }
}
