//! Real MCP handshakes over stdio, Streamable HTTP and legacy SSE. Knows nothing of the CLI or
//! the config file: it gets a fully expanded `Target` and returns what it saw.

mod http;
pub mod jsonrpc;
pub(crate) mod process;
mod sse;
mod stdio;
mod web;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::redact::Redactor;
pub use crate::types::Transport;
use jsonrpc::{KNOWN_VERSIONS, MODERN_VERSION};

/// How to reach one server, with every `${VAR}` already expanded.
#[derive(Debug, Clone)]
pub enum Target {
    Stdio {
        program: String,
        args: Vec<String>,
        cwd: Option<PathBuf>,
        /// Added to the inherited environment.
        env: BTreeMap<String, String>,
        launcher: bool,
    },
    Url {
        url: String,
        headers: BTreeMap<String, String>,
        /// `None`: Streamable HTTP, falling back to legacy SSE.
        transport: Option<Transport>,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Per request after startup, and for `initialize` unless `startup` is set.
    pub timeout: Duration,
    /// Spawn to `initialize` answer, for launchers that may fetch a package first.
    pub startup: Option<Duration>,
    /// Between SIGTERM and SIGKILL, and for a polite exit after stdin closes.
    pub grace: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The server's config cannot work as written (unset variable, missing file, bad URL).
    Config,
    /// The command could not be started at all.
    SpawnFailed,
    /// A launcher (npx, uvx) had not started the server when its startup timeout ran out.
    LauncherTimeout,
    Timeout,
    /// The process exited before answering.
    Exited,
    /// It wrote output that is not JSON-RPC, too much of it, or lines too long.
    Garbage,
    /// Valid JSON-RPC, but not a valid MCP answer.
    Protocol,
    UnsupportedVersion,
    Connect,
    Auth,
    HttpStatus,
    Container,
    Credentials,
    /// The run's deadline ended the probe.
    Deadline,
    /// SIGINT or SIGTERM ended the run before the probe finished.
    Interrupted,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Config => "config",
            FailureKind::SpawnFailed => "spawn_failed",
            FailureKind::LauncherTimeout => "launcher_timeout",
            FailureKind::Timeout => "timeout",
            FailureKind::Exited => "exited",
            FailureKind::Garbage => "garbage",
            FailureKind::Protocol => "protocol",
            FailureKind::UnsupportedVersion => "unsupported_version",
            FailureKind::Connect => "connect",
            FailureKind::Auth => "auth",
            FailureKind::HttpStatus => "http_status",
            FailureKind::Container => "container",
            FailureKind::Credentials => "credentials",
            FailureKind::Deadline => "deadline",
            FailureKind::Interrupted => "interrupted",
        }
    }
}

/// Why a probe failed, and the next thing to try.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Era {
    /// initialize / notifications/initialized / ping (2024-11-05 … 2025-11-25).
    Handshake,
    /// server/discover with `_meta` on every request (2026-07-28).
    Modern,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ServerInfo {
    pub name: Option<String>,
    pub version: Option<String>,
}

/// Milliseconds per phase; absent when the phase did not run.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Latency {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initialize: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tools_list: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ping: Option<f64>,
    pub total: f64,
}

/// What one probe saw. Every string in it has been through the redactor.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    pub transport: Option<Transport>,
    pub protocol_version: Option<String>,
    pub era: Option<Era>,
    pub server_info: Option<ServerInfo>,
    pub tool_names: Option<Vec<String>>,
    pub latency: Latency,
    pub stray_stdout_lines: u64,
    pub stderr_tail: Vec<String>,
    pub exit_status: Option<String>,
    pub http_status: Option<u16>,
    pub failure: Option<Failure>,
    /// Whether a separate spawn answered `server/discover` for the modern era.
    pub modern: Option<bool>,
}

/// Why a request got no result: the server answered with a JSON-RPC error, or it failed.
pub(crate) enum CallError {
    Rpc(jsonrpc::RpcError),
    Failed(Failure),
}

impl From<Failure> for CallError {
    fn from(f: Failure) -> Self {
        CallError::Failed(f)
    }
}

impl CallError {
    fn into_failure(self, method: &str) -> Failure {
        match self {
            CallError::Failed(f) => f,
            CallError::Rpc(e) => Failure::new(
                FailureKind::Protocol,
                format!(
                    "{method} failed with JSON-RPC error {}: {}",
                    e.code, e.message
                ),
            ),
        }
    }
}

/// One request/response channel to a server, whatever the transport.
pub(crate) trait Session {
    async fn request(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, CallError>;
    /// Sends a notification; a server that never takes it is a timeout, like a request.
    async fn notify(&mut self, method: &str, timeout: Duration) -> Result<(), Failure>;
}

/// Runs a full handshake against `target`. Never panics on server misbehaviour; the returned
/// probe carries a `failure` instead. Stdio children are gone when this returns.
pub async fn probe(target: &Target, limits: Limits, redactor: &Redactor) -> Probe {
    let started = Instant::now();
    let mut probe = match target {
        Target::Stdio { .. } => stdio::probe(target, limits, redactor).await,
        Target::Url {
            url,
            headers,
            transport,
        } => http::probe(url, headers, *transport, limits, redactor).await,
    };
    probe.latency.total = ms(started.elapsed());
    probe
}

/// Asks a fresh connection whether the server speaks the modern era. A separate connection
/// because Python SDK servers lock into whichever era the first message picks.
pub async fn supports_modern(target: &Target, limits: Limits, redactor: &Redactor) -> Option<bool> {
    match target {
        Target::Stdio { .. } => stdio::supports_modern(target, limits, redactor).await,
        Target::Url {
            url,
            headers,
            transport,
        } => http::supports_modern(url, headers, *transport, limits).await,
    }
}

/// The handshake-era conversation, shared by every transport.
pub(crate) async fn handshake<S: Session>(
    s: &mut S,
    limits: Limits,
    probe: &mut Probe,
) -> Result<(), Failure> {
    let t = Instant::now();
    let init_timeout = limits.startup.unwrap_or(limits.timeout);
    let init = s
        .request("initialize", jsonrpc::initialize_params(), init_timeout)
        .await
        .map_err(|e| e.into_failure("initialize"))?;
    probe.latency.initialize = Some(ms(t.elapsed()));
    let version = init
        .get("protocolVersion")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Failure::new(
                FailureKind::Protocol,
                "initialize answer has no protocolVersion",
            )
        })?;
    probe.protocol_version = Some(version.to_owned());
    probe.era = Some(Era::Handshake);
    probe.server_info = init.get("serverInfo").map(|i| ServerInfo {
        name: i.get("name").and_then(Value::as_str).map(str::to_owned),
        version: i.get("version").and_then(Value::as_str).map(str::to_owned),
    });
    if !KNOWN_VERSIONS.contains(&version) || version == MODERN_VERSION {
        return Err(Failure::new(
            FailureKind::UnsupportedVersion,
            format!("server answered protocol version {version}, which mcpctl does not know"),
        )
        .hint("upgrade mcpctl, or pin the server to an older release"));
    }
    s.notify("notifications/initialized", limits.timeout)
        .await?;

    if init.pointer("/capabilities/tools").is_some() {
        let t = Instant::now();
        probe.tool_names = Some(list_tools(s, limits.timeout).await?);
        probe.latency.tools_list = Some(ms(t.elapsed()));
    }

    let t = Instant::now();
    match s
        .request("ping", serde_json::json!({}), limits.timeout)
        .await
    {
        Ok(_) => probe.latency.ping = Some(ms(t.elapsed())),
        // A server without ping is still healthy: the modern era removed it.
        Err(CallError::Rpc(e)) if e.code == jsonrpc::METHOD_NOT_FOUND => {}
        Err(e) => return Err(e.into_failure("ping")),
    }
    Ok(())
}

/// Upper bounds on tools/list across all its pages: a server that keeps returning cursors, or
/// huge pages, must neither loop forever nor grow mcpctl's memory without end.
const MAX_TOOL_PAGES: usize = 1000;
const MAX_TOOLS: usize = 100_000;
const MAX_TOOL_BYTES: usize = 64 * 1024 * 1024;

async fn list_tools<S: Session>(s: &mut S, timeout: Duration) -> Result<Vec<String>, Failure> {
    let mut names = Vec::new();
    let mut bytes = 0usize;
    let mut cursor: Option<String> = None;
    let too_much = |what: String| {
        Failure::new(FailureKind::Protocol, format!("tools/list {what}"))
            .hint("the server lists far more than any client can use; it is misbehaving")
    };
    for _ in 0..MAX_TOOL_PAGES {
        let params = match &cursor {
            Some(c) => serde_json::json!({"cursor": c}),
            None => serde_json::json!({}),
        };
        let page = s
            .request("tools/list", params, timeout)
            .await
            .map_err(|e| e.into_failure("tools/list"))?;
        let tools = page.get("tools").and_then(Value::as_array).ok_or_else(|| {
            Failure::new(
                FailureKind::Protocol,
                "tools/list answer has no tools array",
            )
        })?;
        bytes += serde_json::to_vec(&page).map_or(0, |v| v.len());
        if bytes > MAX_TOOL_BYTES {
            return Err(too_much(format!(
                "answered more than {} MiB across its pages",
                MAX_TOOL_BYTES >> 20
            )));
        }
        names.extend(
            tools
                .iter()
                .filter_map(|t| t.get("name")?.as_str().map(str::to_owned)),
        );
        if names.len() > MAX_TOOLS {
            return Err(too_much(format!("listed more than {MAX_TOOLS} tools")));
        }
        match page.get("nextCursor").and_then(Value::as_str) {
            Some(next) if !next.is_empty() => cursor = Some(next.to_owned()),
            _ => return Ok(names),
        }
    }
    Err(too_much(format!(
        "kept paginating past {MAX_TOOL_PAGES} pages"
    )))
}

/// Sends `server/discover` on a fresh session and reads the answer.
pub(crate) async fn discover<S: Session>(s: &mut S, timeout: Duration) -> Option<bool> {
    match s
        .request("server/discover", jsonrpc::discover_params(), timeout)
        .await
    {
        Ok(v) => Some(
            v.get("supportedVersions")
                .and_then(Value::as_array)
                .is_some_and(|vs| vs.iter().any(|x| x.as_str() == Some(MODERN_VERSION))),
        ),
        Err(CallError::Rpc(_)) => Some(false),
        Err(CallError::Failed(_)) => None,
    }
}

pub(crate) fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}
