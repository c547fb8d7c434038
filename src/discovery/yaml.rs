//! The YAML clients, read with serde-saphyr (no include files, no property interpolation):
//! Continue's `config.yaml` and `mcpServers/*.yaml` blocks (a list under `mcpServers:`), and
//! Goose's `extensions:` map, whose built-in extensions are not processes to probe.

use serde_json::{Map, Value};

use super::TransportHint;
use super::clients::Shape;
use super::entry::{Ctx, Entry, Raw, finish, opt_str, settle, string_map, strings, transport_of};
use super::error::{EntryError, FileError};

fn parse(text: &str) -> Result<Map<String, Value>, FileError> {
    let value: Value = serde_saphyr::from_str(text).map_err(FileError::Yaml)?;
    match value {
        Value::Object(m) => Ok(m),
        Value::Null => Err(FileError::Empty),
        _ => Err(FileError::NotMapping),
    }
}

/// Continue: `mcpServers:` is a list of `{name, type?, command, args, env, cwd, url,
/// requestOptions.headers}`; a block file also needs `name`, `version` and `schema`.
pub(super) fn continue_yaml(ctx: &Ctx, text: &str) -> Result<Vec<Entry>, FileError> {
    let root = parse(text)?;
    let block = ctx.shape == Shape::ContinueYaml
        && ctx.path.file_name().is_some_and(|n| n != "config.yaml");
    if block {
        let missing: Vec<&str> = ["name", "version", "schema"]
            .into_iter()
            .filter(|k| !root.contains_key(*k))
            .collect();
        if !missing.is_empty() {
            return Err(FileError::ContinueBlock { missing });
        }
    }
    let items = match root.get("mcpServers") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(FileError::NotList("mcpServers")),
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Object(e) = item else {
            out.push(Entry::Bad(format!(
                "mcpServers item {}: not a mapping",
                i + 1
            )));
            continue;
        };
        if let Some(uses) = e.get("uses").and_then(Value::as_str) {
            out.push(Entry::Unread(format!(
                "`uses: {uses}` is a Continue Hub block, which mcpctl does not fetch"
            )));
            continue;
        }
        let Some(name) = e.get("name").and_then(Value::as_str) else {
            out.push(Entry::Bad(format!(
                "mcpServers item {}: no `name`, which Continue requires",
                i + 1
            )));
            continue;
        };
        match continue_item(ctx, name, e) {
            Ok(s) => out.push(s),
            Err(msg) => out.push(Entry::Bad(format!("server `{name}`: {msg}"))),
        }
    }
    Ok(out)
}

fn continue_item(ctx: &Ctx, name: &str, e: &Map<String, Value>) -> Result<Entry, EntryError> {
    let mut raw = Raw {
        command: opt_str(e, "command")?,
        args: strings(e, "args")?,
        env: string_map(e, "env")?,
        cwd: opt_str(e, "cwd")?,
        url: opt_str(e, "url")?,
        ..Raw::default()
    };
    if let Some(Value::Object(opts)) = e.get("requestOptions") {
        raw.headers = string_map(opts, "headers")?;
    }
    let typed = match e.get("type") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(transport_of(ctx, t)?),
        Some(_) => return Err(EntryError::TypeNotString),
    };
    let url_key = raw.url.is_some().then_some("url");
    settle(ctx, &mut raw, typed, url_key)?;
    Ok(Entry::Server(Box::new(finish(ctx, name, raw, ctx.rank))))
}

/// Goose: `extensions: {name: {type, enabled, cmd, args, envs, env_keys, uri, headers}}`.
pub(super) fn goose(ctx: &Ctx, text: &str) -> Result<Vec<Entry>, FileError> {
    let root = parse(text)?;
    let exts = match root.get("extensions") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(FileError::KeyNotMapping("extensions")),
    };
    let mut out = Vec::new();
    for (name, ext) in exts {
        match goose_extension(ctx, name, ext) {
            Ok(Some(s)) => out.push(s),
            Ok(None) => {}
            Err(msg) => out.push(Entry::Bad(format!("extension `{name}`: {msg}"))),
        }
    }
    Ok(out)
}

/// `Ok(None)` for the extensions Goose runs inside itself (builtin, platform, frontend,
/// inline_python): they are not MCP processes.
fn goose_extension(ctx: &Ctx, name: &str, ext: &Value) -> Result<Option<Entry>, EntryError> {
    let Value::Object(e) = ext else {
        return Err(EntryError::NotMapping);
    };
    let mut raw = Raw {
        disabled: e.get("enabled").and_then(Value::as_bool) == Some(false),
        ..Raw::default()
    };
    let mut env_keys = Vec::new();
    match e.get("type").and_then(Value::as_str) {
        Some("builtin" | "platform" | "frontend" | "inline_python") => return Ok(None),
        Some("stdio") => {
            raw.command = opt_str(e, "cmd")?;
            if raw.command.is_none() {
                return Err(EntryError::StdioWithoutCmd);
            }
            raw.args = strings(e, "args")?;
            raw.env = string_map(e, "envs")?;
            env_keys = strings(e, "env_keys")?;
            raw.transport = Some(TransportHint::Stdio);
        }
        Some(kind @ ("sse" | "streamable_http")) => {
            raw.url = opt_str(e, "uri")?;
            if raw.url.is_none() {
                return Err(EntryError::WithoutUri(kind.to_owned()));
            }
            raw.headers = string_map(e, "headers")?;
            raw.transport = Some(if kind == "sse" {
                TransportHint::Sse
            } else {
                TransportHint::Http
            });
        }
        Some(other) => return Err(EntryError::GooseType(other.to_owned())),
        None => return Err(EntryError::GooseWithoutType),
    }
    let mut server = finish(ctx, name, raw, ctx.rank);
    // Goose takes these from its keyring or the environment; mcpctl from the environment.
    for key in env_keys {
        server
            .env
            .entry(key.clone())
            .or_insert(format!("${{{key}}}"));
    }
    Ok(Some(Entry::Server(Box::new(server))))
}
