//! Reading record headers without trusting them.
//!
//! Any producer can write a raw record, and Kafka lets a header key be any bytes. rdkafka's
//! `Headers::get`/`iter` turn the key into `&str` and panic when it is not UTF-8, which would
//! crash every instance that takes the partition over, one after another. Everything wirefeed
//! reads from a record's headers goes through this module, which reads keys as bytes.
//! [`owned`] turns (key, value) pairs back into headers to write.

use std::collections::HashMap;
use std::ffi::CStr;

use rdkafka::bindings as rdsys;
use rdkafka::message::{BorrowedHeaders, Header, Headers, OwnedHeaders};

/// The headers of a record as (key, value) byte slices, in order; a header without a value has
/// `None`.
pub fn raw(headers: &BorrowedHeaders) -> Vec<(&[u8], Option<&[u8]>)> {
    let mut out = Vec::with_capacity(headers.count());
    out.extend(iter(headers));
    out
}

/// [`raw`] as an iterator, nothing allocated.
#[allow(unsafe_code)]
fn iter(headers: &BorrowedHeaders) -> impl Iterator<Item = (&[u8], Option<&[u8]>)> {
    // A `&BorrowedHeaders` is how rdkafka hands out the native `rd_kafka_headers_t` of a message
    // (its own `as_native_ptr` is this same cast); the pointers librdkafka returns point into
    // that header list, which lives as long as the borrow.
    let native = std::ptr::from_ref(headers).cast::<rdsys::rd_kafka_headers_t>();
    (0..headers.count()).filter_map(move |idx| {
        let mut name = std::ptr::null();
        let mut value = std::ptr::null();
        let mut size = 0usize;
        // SAFETY: `native` is a valid header list (see above), `idx` is below its count, and the
        // out-pointers are valid for writes.
        let err = unsafe {
            rdsys::rd_kafka_header_get_all(native, idx, &mut name, &mut value, &mut size)
        };
        if err != rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR || name.is_null() {
            return None;
        }
        // SAFETY: librdkafka stores header names NUL-terminated; `name` and `value` (of `size`
        // bytes) stay valid while the message, hence `headers`, is borrowed.
        Some(unsafe {
            (
                CStr::from_ptr(name).to_bytes(),
                (!value.is_null()).then(|| std::slice::from_raw_parts(value.cast::<u8>(), size)),
            )
        })
    })
}

/// Copies a record's headers; a key that is not UTF-8 is kept with its invalid bytes replaced
/// (U+FFFD), so the copy can be written again.
pub fn copy(headers: Option<&BorrowedHeaders>) -> Vec<(String, Vec<u8>)> {
    headers.map_or_else(Vec::new, |h| {
        iter(h)
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(k).into_owned(),
                    v.map(<[u8]>::to_vec).unwrap_or_default(),
                )
            })
            .collect()
    })
}

/// The value of the first header named `key`.
pub fn find<'a>(headers: Option<&'a BorrowedHeaders>, key: &str) -> Option<&'a [u8]> {
    iter(headers?)
        .find(|(k, _)| *k == key.as_bytes())
        .and_then(|(_, v)| v)
}

/// The value of the first header named `key`, when it is UTF-8 text.
pub fn text<'a>(headers: Option<&'a BorrowedHeaders>, key: &str) -> Option<&'a str> {
    find(headers, key).and_then(|v| std::str::from_utf8(v).ok())
}

/// The headers with UTF-8 keys and a value, by key (of repeated keys the last one wins;
/// wirefeed writes each of its headers once).
pub fn map(headers: Option<&BorrowedHeaders>) -> HashMap<&str, &[u8]> {
    headers.map_or_else(HashMap::new, |h| {
        iter(h)
            .filter_map(|(k, v)| Some((std::str::from_utf8(k).ok()?, v?)))
            .collect()
    })
}

/// Headers from (key, value) pairs.
pub fn owned(pairs: &[(String, Vec<u8>)]) -> OwnedHeaders {
    pairs
        .iter()
        .fold(OwnedHeaders::new_with_capacity(pairs.len()), |h, (k, v)| {
            h.insert(Header {
                key: k,
                value: Some(v.as_slice()),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::message::{Header, OwnedHeaders};

    #[test]
    fn reads_keys_and_values_as_bytes() {
        let owned = OwnedHeaders::new()
            .insert(Header {
                key: "a",
                value: Some("1"),
            })
            .insert(Header::<&[u8]> {
                key: "empty",
                value: None,
            });
        let h = owned.as_borrowed();
        assert_eq!(
            raw(h),
            vec![
                (b"a".as_slice(), Some(b"1".as_slice())),
                (b"empty".as_slice(), None)
            ]
        );
        assert_eq!(text(Some(h), "a"), Some("1"));
        assert_eq!(find(Some(h), "empty"), None);
        assert_eq!(
            copy(Some(h)),
            vec![("a".into(), b"1".to_vec()), ("empty".into(), vec![])]
        );
        assert_eq!(map(Some(h)).len(), 1);
    }

    /// A header list with a key that is not UTF-8, as any producer can write one.
    #[allow(unsafe_code)]
    fn with_invalid_key(f: impl FnOnce(&BorrowedHeaders)) {
        let key = [0xff_u8, 0xfe, b'k'];
        // SAFETY: a fresh native header list, filled and read through librdkafka's own API,
        // destroyed after use; the borrow does not outlive it.
        unsafe {
            let native = rdsys::rd_kafka_headers_new(2);
            rdsys::rd_kafka_header_add(native, key.as_ptr().cast(), 3, b"v".as_ptr().cast(), 1);
            rdsys::rd_kafka_header_add(native, c"ok".as_ptr(), 2, b"w".as_ptr().cast(), 1);
            f(&*(native as *const BorrowedHeaders));
            rdsys::rd_kafka_headers_destroy(native);
        }
    }

    #[test]
    fn survives_keys_that_are_not_utf8() {
        with_invalid_key(|h| {
            assert_eq!(raw(h)[0], (b"\xff\xfek".as_slice(), Some(b"v".as_slice())));
            let copied = copy(Some(h));
            assert_eq!(copied[0], ("\u{fffd}\u{fffd}k".to_owned(), b"v".to_vec()));
            assert_eq!(text(Some(h), "ok"), Some("w"));
            assert_eq!(map(Some(h)).len(), 1);
        });
    }

    /// What the module exists for: rdkafka's own accessor panics on such a key.
    #[test]
    fn rdkafka_iteration_panics_on_such_keys() {
        with_invalid_key(|h| {
            let caught =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| h.iter().count()));
            assert!(caught.is_err());
        });
    }
}
