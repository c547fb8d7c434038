//! What every client format comes down to: one file's context, its entries, the raw fields of
//! one server, and the helpers that read and settle them. The JSON, TOML and YAML readers all
//! build on this.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value};

use super::clients::{Client, Locations, Shape};
use super::error::EntryError;
use super::rules::{self, BareUrl, Rules};
use super::vars::{Dialect, Field};
use super::{DiscoveredServer, Source, TransportHint};

/// One entry of a file: a server, one the client refuses, or one mcpctl cannot read (a Continue
/// Hub block) that the client itself may well load.
pub(super) enum Entry {
    Server(Box<DiscoveredServer>),
    Bad(String),
    Unread(String),
}

/// What one file is read with.
pub(super) struct Ctx<'a> {
    pub(super) client: Client,
    pub(super) shape: Shape,
    pub(super) path: &'a Path,
    pub(super) loc: &'a Locations,
    pub(super) rules: Rules,
    /// Where the file's entries rank among the client's files: the highest wins a name.
    pub(super) rank: u32,
}

impl Ctx<'_> {
    fn dialect(&self) -> Dialect<'_> {
        Dialect {
            client: self.client,
            loc: self.loc,
            continue_json: self.shape == Shape::ContinueJson,
        }
    }
}

/// The fields every shape comes down to, before the client's variables are rewritten.
#[derive(Debug, Default)]
pub(super) struct Raw {
    pub(super) command: Option<String>,
    pub(super) args: Vec<String>,
    pub(super) env: BTreeMap<String, String>,
    pub(super) cwd: Option<String>,
    pub(super) url: Option<String>,
    pub(super) headers: BTreeMap<String, String>,
    pub(super) transport: Option<TransportHint>,
    pub(super) env_file: Option<String>,
    pub(super) startup_timeout: Option<Duration>,
    pub(super) disabled: bool,
}

/// The server, with every string in mcpctl's variable syntax.
pub(super) fn finish(ctx: &Ctx, name: &str, raw: Raw, rank: u32) -> DiscoveredServer {
    let d = ctx.dialect();
    let mut needs = Vec::new();
    let mut norm = |s: &str, f: Field| d.normalise(s, f, &mut needs);
    let command = raw.command.as_deref().map(|c| norm(c, Field::Command));
    let args = raw.args.iter().map(|a| norm(a, Field::Args)).collect();
    let env = raw
        .env
        .into_iter()
        .map(|(k, v)| (k, norm(&v, Field::Env)))
        .collect();
    let cwd = raw.cwd.as_deref().map(|c| norm(c, Field::Cwd));
    let url = raw.url.as_deref().map(|u| norm(u, Field::Url));
    let headers = raw
        .headers
        .into_iter()
        .map(|(k, v)| (k, norm(&v, Field::Headers)))
        .collect();
    let env_file = raw.env_file.as_deref().map(|e| norm(e, Field::Cwd));
    DiscoveredServer {
        name: name.to_owned(),
        command,
        args,
        env,
        cwd,
        url,
        headers,
        transport: raw.transport,
        env_file,
        startup_timeout: raw.startup_timeout,
        unresolved_inputs: needs,
        disabled: raw.disabled,
        rank,
        source: Source {
            client: ctx.client,
            path: ctx.path.to_path_buf(),
            name: name.to_owned(),
        },
    }
}

/// The `type` as the client reads it.
pub(super) fn transport_of(ctx: &Ctx, value: &str) -> Result<TransportHint, EntryError> {
    let known = ctx.rules.types.unwrap_or(rules::ANY);
    known
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, t)| *t)
        .ok_or_else(|| EntryError::UnknownType {
            value: value.to_owned(),
            client: ctx.client,
            known: known.iter().map(|(n, _)| *n).collect(),
        })
}

/// Checks that the endpoint fits the type, and settles the transport.
pub(super) fn settle(
    ctx: &Ctx,
    raw: &mut Raw,
    typed: Option<TransportHint>,
    url_key: Option<&str>,
) -> Result<(), EntryError> {
    match (typed, raw.command.is_some(), raw.url.is_some()) {
        (_, false, false) => return Err(EntryError::NoEndpoint),
        (_, true, true) if ctx.client == Client::RooCode => {
            return Err(EntryError::RooCodeBoth);
        }
        (Some(TransportHint::Stdio), false, true) => {
            return Err(EntryError::StdioWithoutCommand);
        }
        (Some(TransportHint::Http | TransportHint::Sse), _, false) => {
            return Err(EntryError::RemoteWithoutUrl);
        }
        (Some(TransportHint::Stdio) | None, true, _) => {
            raw.url = None;
            raw.transport = Some(TransportHint::Stdio);
        }
        (Some(t), _, true) => {
            raw.command = None;
            raw.transport = Some(t);
        }
        (None, false, true) => {
            raw.transport = match (url_key, ctx.rules.bare_url) {
                (Some("httpUrl"), _) => Some(TransportHint::Http),
                (_, BareUrl::Sse) => Some(TransportHint::Sse),
                (_, BareUrl::Refused) => {
                    return Err(EntryError::BareUrl(ctx.client));
                }
                (_, BareUrl::Auto) => None,
            };
        }
    }
    Ok(())
}

pub(super) fn opt_str(e: &Map<String, Value>, key: &str) -> Result<Option<String>, EntryError> {
    match e.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(EntryError::NotString(key.to_owned())),
    }
}

pub(super) fn strings(e: &Map<String, Value>, key: &str) -> Result<Vec<String>, EntryError> {
    match e.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| scalar(v).ok_or_else(|| EntryError::NonStringItem(key.to_owned())))
            .collect(),
        Some(_) => Err(EntryError::NotArray(key.to_owned())),
    }
}

pub(super) fn string_map(
    e: &Map<String, Value>,
    key: &str,
) -> Result<BTreeMap<String, String>, EntryError> {
    match e.get(key) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                scalar(v)
                    .map(|s| (k.clone(), s))
                    .ok_or_else(|| EntryError::MapValue {
                        key: key.to_owned(),
                        name: k.clone(),
                    })
            })
            .collect(),
        Some(_) => Err(EntryError::NotStringMap(key.to_owned())),
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
