//! The layers over the built-in defaults: a file merged table by table, then `WIREFEED_*`
//! environment variables, then `--set key=value` flags, each replacing keys of the one before.
//! Values stay untyped TOML here; the typed parse comes after the last layer.

use super::{ConfigError, ENV_PREFIX, key_error};

/// Environment variables with the prefix that are not configuration keys.
const ENV_RESERVED: &[&str] = &["WIREFEED_CONFIG", "WIREFEED_LOG", crate::faults::ENV];

/// Tables whose keys are librdkafka property names, passed through as strings.
const PASSTHROUGH_TABLES: &[&str] = &["kafka.properties", "kafka.consumer", "kafka.producer"];

/// Applies the `WIREFEED_*` environment variables (`WIREFEED_DEDUP__WINDOW=2h` sets
/// `dedup.window`), skipping those that are not configuration keys.
pub(super) fn apply_env(
    table: &mut toml::Table,
    env: &[(String, String)],
) -> Result<(), ConfigError> {
    for (name, value) in env {
        let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        if ENV_RESERVED.contains(&name.as_str()) || rest.is_empty() {
            continue;
        }
        let path = env_path(rest);
        set_path(table, &path, value)?;
    }
    Ok(())
}

/// Applies `--set key=value` flags, in order.
pub(super) fn apply_sets(table: &mut toml::Table, sets: &[String]) -> Result<(), ConfigError> {
    for set in sets {
        let (key, value) = set
            .split_once('=')
            .ok_or_else(|| ConfigError::SetSyntax(set.clone()))?;
        set_path(table, &dotted_path(key.trim()), value.trim())?;
    }
    Ok(())
}

/// Parses TOML text; `origin` names it in the error.
pub(super) fn parse_toml(text: &str, origin: &str) -> Result<toml::Table, ConfigError> {
    text.parse::<toml::Table>()
        .map_err(|e| ConfigError::Syntax {
            path: origin.to_owned(),
            message: e.to_string(),
        })
}

/// Merges `over` into `base`, table by table.
pub(super) fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

/// `KAFKA__PROPERTIES__SASL_PASSWORD` → `["kafka", "properties", "sasl.password"]`.
fn env_path(rest: &str) -> Vec<String> {
    let mut parts: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
    let prefix = parts[..parts.len().saturating_sub(1)].join(".");
    if PASSTHROUGH_TABLES.contains(&prefix.as_str())
        && let Some(last) = parts.last_mut()
    {
        *last = last.replace('_', ".");
    }
    parts
}

/// `kafka.properties.sasl.password` → `["kafka", "properties", "sasl.password"]`.
fn dotted_path(key: &str) -> Vec<String> {
    for table in PASSTHROUGH_TABLES {
        if let Some(prop) = key.strip_prefix(table).and_then(|r| r.strip_prefix('.')) {
            let mut parts: Vec<String> = table.split('.').map(str::to_owned).collect();
            parts.push(prop.to_owned());
            return parts;
        }
    }
    key.split('.').map(str::to_owned).collect()
}

/// Sets `path` in `table` to `raw`, typed as TOML when it parses as a scalar (number, bool) and
/// as a string otherwise; values in passthrough tables stay strings.
fn set_path(table: &mut toml::Table, path: &[String], raw: &str) -> Result<(), ConfigError> {
    let key = path.join(".");
    if path.iter().any(String::is_empty) {
        return Err(key_error(key, "empty key segment"));
    }
    let passthrough = PASSTHROUGH_TABLES.contains(&path[..path.len() - 1].join(".").as_str());
    let value = if passthrough {
        toml::Value::String(raw.to_owned())
    } else {
        typed_scalar(raw)
    };
    let mut current = table;
    for segment in &path[..path.len() - 1] {
        let entry = current
            .entry(segment.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = match entry {
            toml::Value::Table(t) => t,
            _ => return Err(key_error(key, format!("`{segment}` is not a table"))),
        };
    }
    current.insert(path[path.len() - 1].clone(), value);
    Ok(())
}

/// A value as TOML: an array or inline table in TOML syntax, an integer, a boolean, a float
/// (with a `.`), else a string.
fn typed_scalar(raw: &str) -> toml::Value {
    // Arrays and inline tables in TOML syntax: `["a", "b"]`, `{ x = 1 }`.
    if raw.trim_start().starts_with(['[', '{'])
        && let Ok(mut t) = format!("v = {raw}").parse::<toml::Table>()
        && let Some(v) = t.remove("v")
    {
        return v;
    }
    if let Ok(i) = raw.parse::<i64>() {
        return toml::Value::Integer(i);
    }
    if let Ok(b) = raw.parse::<bool>() {
        return toml::Value::Boolean(b);
    }
    if raw.contains('.')
        && let Ok(f) = raw.parse::<f64>()
    {
        return toml::Value::Float(f);
    }
    toml::Value::String(raw.to_owned())
}
