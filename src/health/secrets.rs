//! Does a config file hold a secret itself? Only then is it a problem that others can read it.
//! A file whose values are all `${VAR}` references, VS Code `${input:…}` prompts or plain
//! settings (`MEMORY_FILE_PATH`) holds none.

use std::path::Path;

use serde_json::Value;

use crate::config::FileFormat;

/// Whether `bytes` (the file at `path`) holds a secret-looking value: a key named like a token,
/// key, secret, password or auth with a literal value, or a literal bearer credential.
pub(crate) fn holds_secret(path: &Path, bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    match parse(path, text) {
        Some(value) => in_value(None, &value),
        None => in_lines(text),
    }
}

fn parse(path: &Path, text: &str) -> Option<Value> {
    match crate::validate::guess(path) {
        FileFormat::Json | FileFormat::StrictJson => jsonc_parser::parse_to_serde_value::<
            Option<Value>,
        >(
            text, &jsonc_parser::ParseOptions::default()
        )
        .ok()
        .flatten(),
        FileFormat::Toml => toml::from_str::<toml::Table>(text)
            .ok()
            .and_then(|t| serde_json::to_value(t).ok()),
        FileFormat::Yaml => serde_saphyr::from_str::<Value>(text).ok(),
        FileFormat::Dotenv => {
            let pairs: serde_json::Map<String, Value> = dotenvy::from_read_iter(text.as_bytes())
                .filter_map(Result::ok)
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            Some(Value::Object(pairs))
        }
        FileFormat::Raw | FileFormat::Auto => None,
    }
}

fn in_value(key: Option<&str>, value: &Value) -> bool {
    match value {
        Value::String(s) => key.is_some_and(|k| secret_name(k) && literal(s)) || bearer(s),
        Value::Array(items) => {
            // argv: ["--api-key", "sk-…"] or ["--token=…"].
            let pairs = items.windows(2).any(|w| match (&w[0], &w[1]) {
                (Value::String(flag), Value::String(v)) => {
                    flag.strip_prefix("--").is_some_and(secret_name) && literal(v)
                }
                _ => false,
            });
            pairs || items.iter().any(|v| in_value(None, v) || flag_value(v))
        }
        Value::Object(map) => map.iter().any(|(k, v)| in_value(Some(k), v)),
        _ => false,
    }
}

fn flag_value(v: &Value) -> bool {
    v.as_str()
        .and_then(|s| s.strip_prefix("--"))
        .and_then(|s| s.split_once('='))
        .is_some_and(|(k, v)| secret_name(k) && literal(v))
}

/// For files of no known format: `KEY=value`, `key: value` and `"key": "value"` lines.
fn in_lines(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim().trim_start_matches("export ");
        let split = line.find(['=', ':']).map(|i| line.split_at(i));
        let pair = split.is_some_and(|(k, v)| {
            let k = k.trim().trim_matches(['"', '\'']);
            let v = v[1..]
                .trim()
                .trim_end_matches(',')
                .trim_matches(['"', '\'']);
            secret_name(k) && literal(v)
        });
        pair || bearer(line)
    })
}

/// The words of a name (`JIRA_API_TOKEN`, `apiKey`, `x-api-key`, `client_secret`); the last
/// one says what the value is, so `token_expires` or `authType` are not secrets.
fn secret_name(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "token",
        "key",
        "apikey",
        "secret",
        "password",
        "passwd",
        "pass",
        "pat",
        "auth",
        "authorization",
        "credential",
        "credentials",
        "bearer",
        "privatekey",
        "accesskey",
        "secretkey",
    ];
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            words.push(std::mem::take(&mut word));
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c.to_ascii_lowercase());
    }
    words.push(word);
    words
        .iter()
        .rev()
        .find(|w| !w.is_empty())
        .is_some_and(|w| WORDS.contains(&w.as_str()))
}

/// A value that is the secret itself, not a reference to one (`${VAR}`, `${input:jira}`,
/// `$VAR`, `Bearer ${TOKEN}`) nor a placeholder (`<your token>`).
fn literal(value: &str) -> bool {
    let v = value.trim();
    let v = v
        .strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
        .or_else(|| v.strip_prefix("Basic "))
        .unwrap_or(v)
        .trim();
    !(v.is_empty()
        || v.contains("${")
        || v.starts_with('$')
            && v[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        || v.starts_with('<') && v.ends_with('>')
        || v.starts_with("{{") && v.ends_with("}}"))
}

/// `Bearer abc…` or `Authorization: Bearer abc…` with a literal credential.
fn bearer(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.match_indices("bearer ").any(|(i, m)| {
        let rest = s[i + m.len()..].trim_start();
        let token: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
        token.len() >= 8 && literal(&token)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> bool {
        holds_secret(Path::new("mcp.json"), text.as_bytes())
    }

    #[test]
    fn names_and_values() {
        assert!(secret_name("JIRA_API_TOKEN"));
        assert!(secret_name("apiKey"));
        assert!(secret_name("x-api-key"));
        assert!(secret_name("Authorization"));
        assert!(!secret_name("MEMORY_FILE_PATH"));
        assert!(!secret_name("token_expires"));
        assert!(!secret_name("authType"));
        assert!(!secret_name("keyboard"));
        assert!(literal("ghp_abc123"));
        assert!(!literal("${GITHUB_TOKEN}"));
        assert!(!literal("${input:jira-token}"));
        assert!(!literal("Bearer ${TOKEN}"));
        assert!(!literal("$TOKEN"));
    }

    #[test]
    fn client_configs() {
        assert!(!json(
            r#"{"mcpServers":{"memory":{"command":"npx","env":{"MEMORY_FILE_PATH":"/tmp/m.json"}}}}"#
        ));
        assert!(!json(
            r#"{"servers":{"j":{"command":"x","env":{"JIRA_TOKEN":"${input:jira}"}}}}"#
        ));
        assert!(json(
            r#"{"mcpServers":{"gh":{"command":"x","env":{"GITHUB_TOKEN":"ghp_abcdef123"}}}}"#
        ));
        assert!(json(
            r#"{"s":{"url":"http://x","headers":{"X-Custom":"Bearer abcdef123456"}}}"#
        ));
        assert!(json(r#"{"s":{"args":["--api-key","sk-123456"]}}"#));
        assert!(json(r#"{"s":{"args":["--token=sk-123456"]}}"#));
        assert!(!json(r#"{"s":{"args":["--token","${T}"]}}"#));
        assert!(holds_secret(Path::new("creds"), b"API_KEY=abc\n"));
        assert!(!holds_secret(Path::new("notes"), b"path: /tmp\n"));
    }
}
