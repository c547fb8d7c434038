//! The shapes of the clients' JSON and TOML files, read by each client's rules: how strict its
//! JSON is, which keys hold servers, which `type` values it takes. Keys a client ignores are
//! ignored here too; opencode, which refuses unknown keys, is refused the same way.

use std::time::Duration;

use serde_json::{Map, Value};

use super::clients::{Client, Shape};
use super::entry::{Ctx, Entry, Raw, finish, opt_str, settle, string_map, strings, transport_of};
use super::error::{EntryError, FileError};
use super::rules::Syntax;
use super::{DiscoveredServer, TransportHint};

/// All entries of one file. `Err` for the file as a whole.
pub(super) fn parse(ctx: &Ctx, text: &str) -> Result<Vec<Entry>, FileError> {
    match ctx.shape {
        Shape::Codex => return parse_codex(ctx, text),
        Shape::ContinueYaml => return super::yaml::continue_yaml(ctx, text),
        Shape::Goose => return super::yaml::goose(ctx, text),
        Shape::CrushScript => return Err(FileError::Script),
        _ => {}
    }
    let value = parse_json(text, ctx.rules.syntax, ctx.client)?;
    let Value::Object(root) = &value else {
        return Err(FileError::NotJsonObject);
    };
    let get = |key: &str| root.get(key).filter(|v| !v.is_null());
    let mut tables: Vec<(&str, &Value, u32)> = Vec::new();
    match ctx.shape {
        Shape::McpServers | Shape::AmazonQAgent => {
            tables.extend(get("mcpServers").map(|t| ("mcpServers", t, ctx.rank)));
        }
        Shape::AmazonQ => match get("mcpServers") {
            Some(t) => tables.push(("mcpServers", t, ctx.rank)),
            None => return Err(FileError::AmazonQWithoutServers),
        },
        Shape::ClaudeJson => {
            tables.extend(get("mcpServers").map(|t| ("mcpServers", t, ctx.rank)));
            let project = ctx.loc.project_dir.display().to_string();
            let scoped = get("projects")
                .and_then(|p| p.get(&project))
                .and_then(|p| p.get("mcpServers"));
            // Local scope beats the project's .mcp.json, which beats user scope.
            tables.extend(scoped.map(|t| ("projects.<this project>.mcpServers", t, u32::MAX)));
        }
        Shape::SharedMcpJson => match (ctx.client, get("mcpServers"), get("servers")) {
            (Client::VisualStudio, _, Some(t)) => tables.push(("servers", t, ctx.rank)),
            (Client::ClaudeCode | Client::CopilotCli, Some(t), _) => {
                tables.push(("mcpServers", t, ctx.rank));
            }
            (Client::CopilotCli, None, None) => tables.push(("(top level)", &value, ctx.rank)),
            _ => {}
        },
        Shape::Copilot => match get("mcpServers") {
            Some(t) => tables.push(("mcpServers", t, ctx.rank)),
            None => tables.push(("(top level)", &value, ctx.rank)),
        },
        Shape::Servers => tables.extend(get("servers").map(|t| ("servers", t, ctx.rank))),
        Shape::VsCodeSettings => {
            let servers = get("mcp").and_then(|m| m.get("servers"));
            tables.extend(servers.map(|t| ("mcp.servers", t, ctx.rank)));
        }
        Shape::Zed => {
            tables.extend(get("context_servers").map(|t| ("context_servers", t, ctx.rank)));
        }
        Shape::Amp => {
            tables.extend(get("amp.mcpServers").map(|t| ("amp.mcpServers", t, ctx.rank)));
        }
        Shape::Crush => tables.extend(get("mcp").map(|t| ("mcp", t, ctx.rank))),
        Shape::Opencode => {
            if let Some(t) = get("mcp") {
                // A newer layout nests them one level down, under `servers`.
                let nested = t.get("servers").filter(|s| {
                    t.as_object().is_some_and(|o| o.len() == 1)
                        && s.as_object()
                            .is_some_and(|o| o.values().all(Value::is_object))
                        && s.get("type").is_none()
                });
                match nested {
                    Some(s) => tables.push(("mcp.servers", s, ctx.rank)),
                    None => tables.push(("mcp", t, ctx.rank)),
                }
            }
        }
        Shape::ContinueJson => {
            if let Some(t) = get("mcpServers") {
                tables.push(("mcpServers", t, ctx.rank));
            } else if get("command").is_some() || get("url").is_some() {
                // One bare server, named after its file.
                let name = ctx
                    .path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                return Ok(entry_of(ctx, &name, &value, ctx.rank, None)
                    .into_iter()
                    .collect());
            } else {
                return Err(FileError::Unsupported);
            }
        }
        Shape::Codex | Shape::ContinueYaml | Shape::Goose | Shape::CrushScript => {}
    }
    let off = gemini_off(ctx, root);
    let mut out = Vec::new();
    for (key, t, rank) in tables {
        let Value::Object(t) = t else {
            return Err(FileError::TableNotObject(key));
        };
        for (name, entry) in t {
            out.extend(entry_of(ctx, name, entry, rank, off.as_ref()));
        }
    }
    Ok(out)
}

/// Gemini keeps enablement outside the entries: `mcp.excluded`, and `mcp.allowed` when set.
struct Enablement {
    allowed: Option<Vec<String>>,
    excluded: Vec<String>,
}

fn gemini_off(ctx: &Ctx, root: &Map<String, Value>) -> Option<Enablement> {
    if ctx.client != Client::Gemini {
        return None;
    }
    let names = |key: &str| {
        root.get("mcp")
            .and_then(|m| m.get(key))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
    };
    Some(Enablement {
        allowed: names("allowed"),
        excluded: names("excluded").unwrap_or_default(),
    })
}

/// `None`: an entry that names no process (a Zed extension).
fn entry_of(
    ctx: &Ctx,
    name: &str,
    entry: &Value,
    rank: u32,
    off: Option<&Enablement>,
) -> Option<Entry> {
    let result = if ctx.client == Client::Opencode {
        opencode_entry(ctx, name, entry, rank)
    } else {
        json_entry(ctx, name, entry, rank)
    };
    match result {
        Ok(Some(mut s)) => {
            if let Some(off) = off {
                s.disabled |= off.excluded.iter().any(|n| n == name)
                    || off
                        .allowed
                        .as_ref()
                        .is_some_and(|a| !a.iter().any(|n| n == name));
            }
            Some(Entry::Server(Box::new(s)))
        }
        Ok(None) => None,
        Err(e) => Some(Entry::Bad(format!("server `{name}`: {e}"))),
    }
}

/// Parses JSON as strictly as the client does. Messages carry positions, never content.
pub(super) fn parse_json(text: &str, syntax: Syntax, client: Client) -> Result<Value, FileError> {
    let opts = |comments: bool, commas: bool| jsonc_parser::ParseOptions {
        allow_comments: comments,
        allow_trailing_commas: commas,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parse = |o: &jsonc_parser::ParseOptions| {
        jsonc_parser::parse_to_serde_value::<Option<Value>>(text, o)
    };
    let (comments, commas) = match syntax {
        Syntax::Strict => (false, false),
        Syntax::Comments => (true, false),
        _ => (true, true),
    };
    let value = parse(&opts(comments, commas)).map_err(|source| {
        // Say why when a lenient reader would have taken it.
        if (!comments || !commas) && parse(&opts(true, true)).is_ok() {
            let what = if comments {
                "trailing commas"
            } else {
                "comments or trailing commas"
            };
            FileError::StrictJson {
                source,
                client,
                what,
            }
        } else {
            FileError::Json(source)
        }
    })?;
    value.ok_or(FileError::Empty)
}

/// The client's own marker: `disabled: true` (Cline, Roo Code, Kiro, Amazon Q, Crush, Windsurf)
/// or `enabled: false` (Codex, Zed, opencode). VS Code's builds, Visual Studio, the Copilot CLI,
/// Continue and Gemini have none in the entry, so they run such a server anyway; for the
/// clients no source speaks for, either marker counts.
fn marked_off(client: Client, e: &Map<String, Value>) -> bool {
    let disabled = e.get("disabled").and_then(Value::as_bool) == Some(true);
    let enabled_false = e.get("enabled").and_then(Value::as_bool) == Some(false);
    match client {
        Client::Cline
        | Client::RooCode
        | Client::Kiro
        | Client::AmazonQ
        | Client::Crush
        | Client::Windsurf => disabled,
        Client::Codex | Client::Zed | Client::Opencode | Client::Goose => enabled_false,
        Client::VsCode
        | Client::VsCodeInsiders
        | Client::VsCodium
        | Client::VisualStudio
        | Client::CopilotCli
        | Client::Continue
        | Client::Gemini => false,
        Client::ClaudeDesktop
        | Client::ClaudeCode
        | Client::Cursor
        | Client::LmStudio
        | Client::Junie
        | Client::Amp => disabled || enabled_false,
    }
}

/// `Ok(None)`: an entry that names no process (a Zed extension).
fn json_entry(
    ctx: &Ctx,
    name: &str,
    entry: &Value,
    rank: u32,
) -> Result<Option<DiscoveredServer>, EntryError> {
    let Value::Object(e) = entry else {
        return Err(EntryError::NotObject);
    };
    let mut e = e.clone();
    if ctx.client == Client::Cline {
        // The Cline CLI nests the transport; the older spelling was `transportType`.
        if let Some(Value::Object(t)) = e.remove("transport") {
            for (k, v) in t {
                e.entry(k).or_insert(v);
            }
        }
        if let Some(Value::String(t)) = e.remove("transportType") {
            let t = if t == "http" {
                "streamableHttp".into()
            } else {
                t
            };
            e.entry("type").or_insert(Value::String(t));
        }
    }
    if ctx.client == Client::Zed && e.get("source").and_then(Value::as_str) == Some("extension") {
        return Ok(None);
    }
    let mut raw = Raw {
        disabled: marked_off(ctx.client, &e),
        ..Raw::default()
    };
    // Zed's older shape nests the command: {"command": {"path", "args", "env"}}.
    match e.get("command") {
        Some(Value::Object(nested)) if ctx.client == Client::Zed => {
            raw.command = opt_str(nested, "path")?;
            raw.args = strings(nested, "args")?;
            raw.env = string_map(nested, "env")?;
        }
        _ => {
            raw.command = opt_str(&e, "command")?;
            raw.args = strings(&e, "args")?;
            raw.env = string_map(&e, "env")?;
        }
    }
    let url_key = ctx
        .rules
        .url_keys
        .iter()
        .copied()
        .find(|k| e.get(*k).is_some());
    raw.url = url_key.map(|k| opt_str(&e, k)).transpose()?.flatten();
    if raw.command.is_none() && raw.url.is_none() && ctx.client == Client::Zed {
        return Ok(None);
    }
    let typed = match e.get("type") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(transport_of(ctx, t)?),
        Some(_) => return Err(EntryError::TypeNotString),
    };
    if ctx.client == Client::Cline
        && let Some(url) = &raw.url
        && reqwest::Url::parse(url).is_err()
        && !url.contains("${")
    {
        return Err(EntryError::BadUrl);
    }
    settle(ctx, &mut raw, typed, url_key)?;
    raw.cwd = opt_str(&e, "cwd")?;
    raw.headers = string_map(&e, "headers")?;
    if matches!(
        ctx.client,
        Client::Cursor | Client::VsCode | Client::VsCodeInsiders | Client::VsCodium
    ) {
        raw.env_file = opt_str(&e, "envFile")?;
    }
    if ctx.client == Client::Gemini {
        raw.startup_timeout = e
            .get("timeout")
            .and_then(Value::as_u64)
            .map(Duration::from_millis);
    }
    Ok(Some(finish(ctx, name, raw, rank)))
}

/// opencode: `{type: "local", command: [argv…], environment}` or `{type: "remote", url,
/// headers}`; any other key is an error in its schema.
fn opencode_entry(
    ctx: &Ctx,
    name: &str,
    entry: &Value,
    rank: u32,
) -> Result<Option<DiscoveredServer>, EntryError> {
    let Value::Object(e) = entry else {
        return Err(EntryError::NotObject);
    };
    let kind = e.get("type").and_then(Value::as_str);
    let allowed: &[&str] = match kind {
        Some("local") => &["type", "command", "environment", "enabled", "timeout"],
        Some("remote") => &["type", "url", "headers", "oauth", "enabled", "timeout"],
        Some(other) => return Err(EntryError::OpencodeType(other.to_owned())),
        None => return Err(EntryError::OpencodeWithoutType),
    };
    if let Some(extra) = e.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(EntryError::OpencodeKey(extra.clone()));
    }
    if let Some(v) = e.get("enabled")
        && !v.is_boolean()
    {
        return Err(EntryError::EnabledNotBool);
    }
    let mut raw = Raw {
        disabled: marked_off(ctx.client, e),
        ..Raw::default()
    };
    if kind == Some("local") {
        let words = match e.get("command") {
            Some(Value::Array(_)) => strings(e, "command")?,
            Some(_) => return Err(EntryError::CommandNotArray),
            None => return Err(EntryError::LocalWithoutCommand),
        };
        let Some((program, args)) = words.split_first() else {
            return Err(EntryError::EmptyCommand);
        };
        raw.command = Some(program.clone());
        raw.args = args.to_vec();
        raw.env = string_map(e, "environment")?;
        raw.transport = Some(TransportHint::Stdio);
    } else {
        raw.url = opt_str(e, "url")?;
        if raw.url.is_none() {
            return Err(EntryError::RemoteWithoutUrlKey);
        }
        raw.headers = string_map(e, "headers")?;
    }
    Ok(Some(finish(ctx, name, raw, rank)))
}

fn parse_codex(ctx: &Ctx, text: &str) -> Result<Vec<Entry>, FileError> {
    let root: toml::Table = toml::from_str(text).map_err(|e| {
        let message = e.message().to_owned();
        match e.span().map(|s| crate::config::line_col(text, s.start)) {
            Some((line, col)) => FileError::TomlAt { line, col, message },
            None => FileError::Toml(message),
        }
    })?;
    let Some(servers) = root.get("mcp_servers") else {
        return Ok(Vec::new());
    };
    let toml::Value::Table(servers) = servers else {
        return Err(FileError::ServersNotTable);
    };
    let mut out = Vec::new();
    for (name, entry) in servers {
        // TOML and JSON share the shape; converting keeps one set of field readers.
        let json = serde_json::to_value(entry).map_err(FileError::Convert)?;
        let Value::Object(mut e) = json else {
            out.push(Entry::Bad(format!("server `{name}`: not a table")));
            continue;
        };
        if e.contains_key("bearer_token") {
            out.push(Entry::Bad(format!(
                "server `{name}`: an inline `bearer_token`, which Codex refuses; use bearer_token_env_var"
            )));
            continue;
        }
        let bearer = e
            .remove("bearer_token_env_var")
            .and_then(|v| v.as_str().map(str::to_owned));
        if let Some(Value::Object(h)) = e.remove("http_headers") {
            e.insert("headers".into(), Value::Object(h));
        }
        let timeout = e.get("startup_timeout_sec").and_then(Value::as_f64);
        match json_entry(ctx, name, &Value::Object(e), ctx.rank) {
            Ok(Some(mut s)) => {
                // Codex names the variable; mcpctl reads it at probe time.
                if let Some(var) = bearer {
                    s.headers
                        .insert("Authorization".into(), format!("Bearer ${{{var}}}"));
                }
                s.startup_timeout = timeout.filter(|t| *t > 0.0).map(Duration::from_secs_f64);
                out.push(Entry::Server(Box::new(s)));
            }
            Ok(None) => {}
            Err(msg) => out.push(Entry::Bad(format!("server `{name}`: {msg}"))),
        }
    }
    Ok(out)
}
