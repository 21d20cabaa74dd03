//! Reading JSON objects the way the JSON wire formats (ninjs, AP Media API, dpa digitalwires)
//! need: property names matched case-insensitively, blank strings treated as absent, numbers
//! that arrive as strings.

use serde_json::{Map, Value};

/// Looks a property up case-insensitively (`versionCreated` == `versioncreated`).
pub(crate) fn get<'a>(o: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    o.get(name).or_else(|| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A string property ([`get`]), trimmed; `None` when absent, not a string or blank.
pub(crate) fn get_str<'a>(o: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    get(o, name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Reads a version number from a JSON string or number.
pub(crate) fn json_u32(v: Option<&Value>) -> Option<u32> {
    match v? {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_ignore_case_and_blanks() {
        let v: Value = serde_json::json!({
            "versionCreated": "2025-01-01", "blank": "  ", "n": 3, "s": " 4 ", "neg": -1
        });
        let o = v.as_object().unwrap();
        assert_eq!(get_str(o, "versioncreated"), Some("2025-01-01"));
        assert_eq!(get_str(o, "blank"), None);
        assert_eq!(get_str(o, "n"), None);
        assert_eq!(json_u32(get(o, "n")), Some(3));
        assert_eq!(json_u32(get(o, "S")), Some(4));
        assert_eq!(json_u32(get(o, "neg")), None);
        assert_eq!(json_u32(get(o, "missing")), None);
    }
}
