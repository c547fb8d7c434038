//! The shapes of each client's config file. JSON files are read as JSONC: VS Code and Zed allow
//! comments and trailing commas, and people copy them into the others.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value};

use super::{Client, DiscoveredServer, Locations, Source, TransportHint, vars};

type Entries = Vec<Result<DiscoveredServer, String>>;

/// Guesses the client of a file given with `--from`, by its name, then its root keys.
pub(super) fn detect(path: &Path, text: &str) -> Client {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if path.extension().is_some_and(|e| e == "toml") {
        return Client::Codex;
    }
    if name == ".claude.json" || name == ".mcp.json" {
        return Client::ClaudeCode;
    }
    let root = parse_jsonc(text).ok();
    let has = |key: &str| root.as_ref().is_some_and(|r| r.get(key).is_some());
    if has("servers") {
        Client::VsCode
    } else if has("context_servers") {
        Client::Zed
    } else if has("projects") {
        Client::ClaudeCode
    } else if name == "settings.json" {
        Client::Gemini
    } else if name == "mcp_config.json" {
        Client::Windsurf
    } else if path.components().any(|c| c.as_os_str() == ".cursor") {
        Client::Cursor
    } else {
        Client::ClaudeDesktop
    }
}

/// All server entries of one file. `Err` for the file as a whole; an `Err` entry for one bad
/// server that does not spoil the rest.
pub(super) fn parse(
    client: Client,
    path: &Path,
    text: &str,
    loc: &Locations,
) -> Result<Entries, String> {
    if client == Client::Codex {
        return parse_codex(path, text, loc);
    }
    let root = parse_jsonc(text)?;
    let Value::Object(root) = root else {
        return Err("the top level is not a JSON object".into());
    };
    let mut tables: Vec<(&str, &Value)> = Vec::new();
    match client {
        Client::VsCode => tables.extend(root.get("servers").map(|v| ("servers", v))),
        Client::Zed => tables.extend(root.get("context_servers").map(|v| ("context_servers", v))),
        Client::ClaudeCode => {
            tables.extend(root.get("mcpServers").map(|v| ("mcpServers", v)));
            let project = loc.project_dir.display().to_string();
            let scoped = root
                .get("projects")
                .and_then(|p| p.get(&project))
                .and_then(|p| p.get("mcpServers"));
            tables.extend(scoped.map(|v| ("projects.<this project>.mcpServers", v)));
        }
        _ => tables.extend(root.get("mcpServers").map(|v| ("mcpServers", v))),
    }
    let mut out = Vec::new();
    for (key, table) in tables {
        let Value::Object(table) = table else {
            return Err(format!("`{key}` is not an object"));
        };
        for (name, entry) in table {
            if let Some(server) = json_entry(client, path, name, entry, loc).transpose() {
                out.push(server.map_err(|e| format!("server `{name}`: {e}")));
            }
        }
    }
    Ok(out)
}

fn parse_jsonc(text: &str) -> Result<Value, String> {
    let opts = jsonc_parser::ParseOptions::default();
    jsonc_parser::parse_to_serde_value::<Option<Value>>(text, &opts)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "the file is empty".to_owned())
}

/// `Ok(None)`: an entry to skip (disabled, or a Zed extension that mcpctl cannot start).
fn json_entry(
    client: Client,
    path: &Path,
    name: &str,
    entry: &Value,
    loc: &Locations,
) -> Result<Option<DiscoveredServer>, String> {
    let Value::Object(e) = entry else {
        return Err("not an object".into());
    };
    if e.get("disabled").and_then(Value::as_bool) == Some(true)
        || e.get("enabled").and_then(Value::as_bool) == Some(false)
    {
        return Ok(None);
    }
    let mut inputs = Vec::new();
    let mut norm = |s: &str| vars::normalise(s, client, loc, &mut inputs);

    // Zed's older shape nests the command: {"command": {"path", "args", "env"}}.
    let (command, args, env) = match e.get("command") {
        Some(Value::Object(nested)) => (
            opt_str(nested, "path")?,
            strings(nested, "args")?,
            string_map(nested, "env")?,
        ),
        _ => (
            opt_str(e, "command")?,
            strings(e, "args")?,
            string_map(e, "env")?,
        ),
    };
    let url_keys: &[&str] = match client {
        Client::Windsurf => &["serverUrl", "url"],
        Client::Gemini => &["httpUrl", "url"],
        _ => &["url"],
    };
    let url_key = url_keys.iter().copied().find(|k| e.get(*k).is_some());
    let url = url_key.map(|k| opt_str(e, k)).transpose()?.flatten();
    if command.is_none() && url.is_none() {
        if client == Client::Zed {
            return Ok(None);
        }
        return Err("neither `command` nor a URL".into());
    }
    let transport = match e
        .get("type")
        .or_else(|| e.get("transport"))
        .and_then(Value::as_str)
    {
        Some("stdio") => Some(TransportHint::Stdio),
        Some("http" | "streamable-http" | "streamableHttp" | "streamable_http") => {
            Some(TransportHint::Http)
        }
        Some("sse") => Some(TransportHint::Sse),
        Some(other) => return Err(format!("unknown type `{other}`")),
        None if command.is_some() => Some(TransportHint::Stdio),
        None if url_key == Some("httpUrl") => Some(TransportHint::Http),
        None if client == Client::Gemini => Some(TransportHint::Sse),
        None => None,
    };
    let startup_timeout = match client {
        Client::Gemini => e
            .get("timeout")
            .and_then(Value::as_u64)
            .map(Duration::from_millis),
        _ => None,
    };
    let env_file = if client == Client::Cursor {
        opt_str(e, "envFile")?
    } else {
        None
    };
    let headers = string_map(e, "headers")?;
    Ok(Some(DiscoveredServer {
        name: name.to_owned(),
        command: command.as_deref().map(&mut norm),
        args: args.iter().map(|a| norm(a)).collect(),
        env: env.into_iter().map(|(k, v)| (k, norm(&v))).collect(),
        cwd: opt_str(e, "cwd")?.as_deref().map(&mut norm),
        url: url.as_deref().map(&mut norm),
        headers: headers.into_iter().map(|(k, v)| (k, norm(&v))).collect(),
        transport,
        env_file: env_file.as_deref().map(&mut norm),
        startup_timeout,
        unresolved_inputs: inputs,
        source: Source {
            client,
            path: path.to_path_buf(),
            name: name.to_owned(),
        },
    }))
}

fn parse_codex(path: &Path, text: &str, loc: &Locations) -> Result<Entries, String> {
    let root: toml::Table = toml::from_str(text).map_err(|e| {
        let at = e.span().map(|s| crate::config::line_col(text, s.start));
        at.map_or_else(
            || e.message().to_owned(),
            |(l, c)| format!("line {l} column {c}: {}", e.message()),
        )
    })?;
    let Some(servers) = root.get("mcp_servers") else {
        return Ok(Vec::new());
    };
    let toml::Value::Table(servers) = servers else {
        return Err("`mcp_servers` is not a table".into());
    };
    let mut out = Vec::new();
    for (name, entry) in servers {
        // TOML and JSON share the shape; converting keeps one set of field readers.
        let json = serde_json::to_value(entry).map_err(|e| e.to_string())?;
        let Value::Object(mut e) = json else {
            out.push(Err(format!("server `{name}`: not a table")));
            continue;
        };
        if let Some(var) = e
            .remove("bearer_token_env_var")
            .and_then(|v| v.as_str().map(str::to_owned))
        {
            let headers = e
                .entry("headers")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(h) = headers {
                h.insert(
                    "Authorization".into(),
                    Value::String(format!("Bearer ${{{var}}}")),
                );
            }
        }
        if let Some(Value::Object(h)) = e.remove("http_headers") {
            e.insert("headers".into(), Value::Object(h));
        }
        let timeout = e.get("startup_timeout_sec").and_then(Value::as_f64);
        match json_entry(Client::Codex, path, name, &Value::Object(e), loc) {
            Ok(Some(mut s)) => {
                s.startup_timeout = timeout.filter(|t| *t > 0.0).map(Duration::from_secs_f64);
                out.push(Ok(s));
            }
            Ok(None) => {}
            Err(msg) => out.push(Err(format!("server `{name}`: {msg}"))),
        }
    }
    Ok(out)
}

fn opt_str(e: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match e.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{key}` is not a string")),
    }
}

fn strings(e: &Map<String, Value>, key: &str) -> Result<Vec<String>, String> {
    match e.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| scalar(v).ok_or_else(|| format!("`{key}` holds a non-string item")))
            .collect(),
        Some(_) => Err(format!("`{key}` is not an array")),
    }
}

fn string_map(e: &Map<String, Value>, key: &str) -> Result<BTreeMap<String, String>, String> {
    match e.get(key) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                scalar(v)
                    .map(|s| (k.clone(), s))
                    .ok_or_else(|| format!("`{key}.{k}` is not a string"))
            })
            .collect(),
        Some(_) => Err(format!("`{key}` is not an object")),
    }
}

/// Strings as they are; numbers and booleans as clients pass them to the child's environment.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
