//! Real MCP handshakes over stdio, Streamable HTTP and legacy SSE. Knows nothing of the CLI or
//! the config file: it gets a fully expanded `Target` and returns what it saw.

pub(crate) mod doctor;
mod http;
pub(crate) mod jsonrpc;
mod oauth;
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
pub(crate) use crate::types::Transport;
use jsonrpc::{KNOWN_VERSIONS, MODERN_VERSION};

/// How to reach one server, with every `${VAR}` already expanded.
#[derive(Debug, Clone)]
pub(crate) enum Target {
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
pub(crate) struct Limits {
    /// Per request after startup, and for `initialize` unless `startup` is set.
    pub timeout: Duration,
    /// Spawn to `initialize` answer, for launchers that may fetch a package first.
    pub startup: Option<Duration>,
    /// Between SIGTERM and SIGKILL, and for a polite exit after stdin closes.
    pub grace: Duration,
}

/// Also what `report` reads back from stored reports.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FailureKind {
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
    /// A 401/403 with OAuth metadata: the person must log in again with their client.
    AuthRequired,
    HttpStatus,
    Container,
    Credentials,
    /// The run's deadline ended the probe.
    Deadline,
    /// The tools drifted from their baseline under `on_drift = "critical"` or `pin_tools`.
    Drift,
    /// SIGINT or SIGTERM ended the run before the probe finished.
    Interrupted,
    /// Another mcpctl run (a watch healing it) held the server's lock: not probed this time.
    Locked,
    /// A word from a newer mcpctl in a stored report, or none at all in an older one.
    #[serde(other)]
    Other,
}

impl std::fmt::Display for FailureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl FailureKind {
    pub(crate) fn as_str(self) -> &'static str {
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
            FailureKind::AuthRequired => "auth_required",
            FailureKind::HttpStatus => "http_status",
            FailureKind::Container => "container",
            FailureKind::Credentials => "credentials",
            FailureKind::Deadline => "deadline",
            FailureKind::Drift => "drift",
            FailureKind::Interrupted => "interrupted",
            FailureKind::Locked => "locked",
            FailureKind::Other => "other",
        }
    }
}

/// The step of a connection that failed, in the order the doctor takes them. HTTP and SSE:
/// resolve, connect, tls, http, version, auth. Stdio: path, exec, launcher, handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Step {
    /// The host name did not resolve.
    Resolve,
    /// No TCP connection to any address (refused, or timed out).
    Connect,
    /// The TLS handshake failed (chain, name, expiry).
    Tls,
    /// The HTTP status or content type is not an MCP answer.
    Http,
    /// No protocol version both sides know.
    Version,
    /// The server wants credentials it was not given (401, 403, or its tools refuse).
    Auth,
    /// The command is not on the PATH the child gets.
    Path,
    /// The file cannot be executed (permission, interpreter).
    Exec,
    /// npx/uvx had not started the server yet (fetching the package).
    Launcher,
    /// The MCP conversation itself: initialize, tools/list, ping.
    Handshake,
}

impl Step {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Step::Resolve => "resolve",
            Step::Connect => "connect",
            Step::Tls => "tls",
            Step::Http => "http",
            Step::Version => "version",
            Step::Auth => "auth",
            Step::Path => "path",
            Step::Exec => "exec",
            Step::Launcher => "launcher",
            Step::Handshake => "handshake",
        }
    }
}

/// Why a probe failed, and the next thing to try.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct Failure {
    pub kind: FailureKind,
    pub message: String,
    pub hint: Option<String>,
    /// Which step of the connection failed (HTTP, SSE and stdio probes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<Step>,
    /// With kind auth_required: what the server's OAuth metadata says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<Box<AuthRequired>>,
}

/// A 401/403 whose `WWW-Authenticate` led to OAuth metadata (RFC 9728, RFC 8414).
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub(crate) struct AuthRequired {
    /// The authorization server's issuer.
    pub issuer: Option<String>,
    /// The scopes asked for (the challenge's `scope`, else the resource's `scopes_supported`).
    pub scopes: Vec<String>,
    /// The protected resource metadata document (RFC 9728).
    pub resource_metadata: Option<String>,
    /// The MCP clients the server's definition came from, whose login the hint names.
    pub clients: Vec<String>,
}

impl Failure {
    pub(crate) fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: None,
            step: None,
            auth: None,
        }
    }

    #[must_use]
    pub(crate) fn step(mut self, step: Step) -> Self {
        self.step = Some(step);
        self
    }

    #[must_use]
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Era {
    /// initialize / notifications/initialized / ping (2024-11-05 … 2025-11-25).
    Handshake,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct ServerInfo {
    pub name: Option<String>,
    pub version: Option<String>,
}

/// Milliseconds per phase; absent when the phase did not run.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub(crate) struct Latency {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initialize: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tools_list: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ping: Option<f64>,
    pub total: f64,
}

/// What a probe does beyond the handshake.
#[derive(Debug, Clone, Default)]
pub(crate) struct Wants {
    /// Keep every tool's definition and list prompts and resources (for the drift baseline).
    pub inventory: bool,
    /// A read-only tool call after `tools/list`.
    pub call: Option<crate::types::ProbeCall>,
}

/// What the server offers, in full, for the drift baseline.
#[derive(Debug, Clone, Default)]
pub(crate) struct Inventory {
    /// The tool definitions as listed (all pages).
    pub tools: Vec<Value>,
    /// Prompt names, when the server has the prompts capability.
    pub prompts: Option<Vec<String>>,
    /// Resource names (else URIs), when the server has the resources capability.
    pub resources: Option<Vec<String>>,
}

/// What one probe saw. Every string in it has been through the redactor.
#[derive(Debug, Clone, Default)]
pub(crate) struct Probe {
    pub transport: Option<Transport>,
    pub protocol_version: Option<String>,
    pub era: Option<Era>,
    pub server_info: Option<ServerInfo>,
    pub tool_names: Option<Vec<String>>,
    /// With `Wants::inventory`, once `tools/list` answered.
    pub inventory: Option<Inventory>,
    /// With `Wants::call`: `Err` says why the call failed, as text because it is redacted and
    /// cut to length like every string here; the report shows nothing more.
    pub call: Option<Result<(), String>>,
    pub latency: Latency,
    pub stray_stdout_lines: u64,
    pub stderr_tail: Vec<String>,
    pub exit_status: Option<String>,
    pub http_status: Option<u16>,
    /// The `notAfter` of an https server's certificate.
    pub tls_not_after: Option<chrono::DateTime<chrono::Utc>>,
    pub failure: Option<Failure>,
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
pub(crate) async fn probe(
    target: &Target,
    limits: Limits,
    wants: &Wants,
    redactor: &Redactor,
) -> Probe {
    let started = Instant::now();
    let mut probe = match target {
        Target::Stdio { .. } => stdio::probe(target, limits, wants, redactor).await,
        Target::Url {
            url,
            headers,
            transport,
        } => http::probe(url, headers, *transport, limits, wants, redactor).await,
    };
    if let Some(Err(why)) = &mut probe.call {
        *why = redactor.redact_cut(why, 400);
    }
    probe.latency.total = ms(started.elapsed());
    probe
}

/// Asks a fresh connection whether the server speaks the modern era. A separate connection
/// because Python SDK servers lock into whichever era the first message picks.
pub(crate) async fn supports_modern(
    target: &Target,
    limits: Limits,
    redactor: &Redactor,
) -> Option<bool> {
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
    wants: &Wants,
    probe: &mut Probe,
) -> Result<(), Failure> {
    let t = Instant::now();
    let init_timeout = limits.startup.unwrap_or(limits.timeout);
    let init = match s
        .request("initialize", jsonrpc::initialize_params(), init_timeout)
        .await
    {
        Ok(v) => v,
        Err(CallError::Rpc(e)) if e.code == jsonrpc::UNSUPPORTED_VERSION => {
            let named = if e.supported.is_empty() {
                "versions it did not name".to_owned()
            } else {
                e.supported.join(", ")
            };
            return Err(version_failure(format!(
                "mcpctl offered {}; the server supports only {named}",
                jsonrpc::OFFERED_VERSION
            )));
        }
        Err(e) => return Err(e.into_failure("initialize")),
    };
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
        return Err(version_failure(format!(
            "mcpctl offered {} (and knows {}); the server named {version}",
            jsonrpc::OFFERED_VERSION,
            KNOWN_VERSIONS
                .iter()
                .filter(|v| **v != MODERN_VERSION)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    s.notify("notifications/initialized", limits.timeout)
        .await?;

    if init.pointer("/capabilities/tools").is_some() {
        let t = Instant::now();
        let tools = list_tools(s, limits.timeout).await?;
        probe.latency.tools_list = Some(ms(t.elapsed()));
        probe.tool_names = Some(
            tools
                .iter()
                .filter_map(|t| t.get("name")?.as_str().map(str::to_owned))
                .collect(),
        );
        if wants.inventory {
            probe.inventory = Some(Inventory {
                tools,
                prompts: None,
                resources: None,
            });
        }
        if let Some(call) = &wants.call {
            // Kept as text: the redactor rewrites it before anything else sees it.
            probe.call = Some(
                call_tool(s, call, limits.timeout)
                    .await
                    .map_err(|e| e.to_string()),
            );
        }
    }
    if wants.inventory {
        let inventory = probe.inventory.get_or_insert_with(Inventory::default);
        if init.pointer("/capabilities/prompts").is_some() {
            inventory.prompts =
                Some(list_names(s, "prompts/list", "prompts", limits.timeout).await?);
        }
        if init.pointer("/capabilities/resources").is_some() {
            inventory.resources =
                Some(list_names(s, "resources/list", "resources", limits.timeout).await?);
        }
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

fn version_failure(message: String) -> Failure {
    Failure::new(FailureKind::UnsupportedVersion, message)
        .step(Step::Version)
        .hint("the server speaks no version mcpctl knows: upgrade mcpctl, or pin the server to an older release")
}

/// Upper bounds on tools/list across all its pages: a server that keeps returning cursors, or
/// huge pages, must neither loop forever nor grow mcpctl's memory without end.
const MAX_TOOL_PAGES: usize = 1000;
const MAX_TOOLS: usize = 100_000;
const MAX_TOOL_BYTES: usize = 64 * 1024 * 1024;

/// Why `probe_call`'s call failed.
#[derive(Debug, thiserror::Error)]
enum ToolCallError {
    /// A result with `isError: true`, and the first text of its content.
    #[error("the tool answered with an error: {0}")]
    Tool(String),
    #[error("JSON-RPC error {}: {}", .0.code, .0.message)]
    Rpc(jsonrpc::RpcError),
    #[error("{}", .0.message)]
    Failed(Box<Failure>),
}

/// `probe_call`: the call fails on a JSON-RPC error, or a result with `isError: true`.
async fn call_tool<S: Session>(
    s: &mut S,
    call: &crate::types::ProbeCall,
    timeout: Duration,
) -> Result<(), ToolCallError> {
    let params = serde_json::json!({"name": call.tool, "arguments": call.arguments});
    match s.request("tools/call", params, timeout).await {
        Ok(v) if v.get("isError").and_then(Value::as_bool) == Some(true) => {
            let text = v
                .pointer("/content/0/text")
                .and_then(Value::as_str)
                .unwrap_or("no text");
            Err(ToolCallError::Tool(text.to_owned()))
        }
        Ok(_) => Ok(()),
        Err(CallError::Rpc(e)) => Err(ToolCallError::Rpc(e)),
        Err(CallError::Failed(f)) => Err(ToolCallError::Failed(Box::new(f))),
    }
}

/// Names from `prompts/list` or `resources/list` (a resource without a name by its URI), all
/// pages, with the same caps as `tools/list`.
async fn list_names<S: Session>(
    s: &mut S,
    method: &str,
    key: &str,
    timeout: Duration,
) -> Result<Vec<String>, Failure> {
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_TOOL_PAGES {
        let params = match &cursor {
            Some(c) => serde_json::json!({"cursor": c}),
            None => serde_json::json!({}),
        };
        let page = match s.request(method, params, timeout).await {
            Ok(page) => page,
            // Advertised but not served: nothing to compare, not a failure of the server.
            Err(CallError::Rpc(_)) => return Ok(names),
            Err(CallError::Failed(f)) => return Err(f),
        };
        let items = page.get(key).and_then(Value::as_array).ok_or_else(|| {
            Failure::new(
                FailureKind::Protocol,
                format!("{method} answer has no {key} array"),
            )
        })?;
        names.extend(items.iter().filter_map(|i| {
            i.get("name")
                .or_else(|| i.get("uri"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        }));
        if names.len() > MAX_TOOLS {
            return Err(Failure::new(
                FailureKind::Protocol,
                format!("{method} listed more than {MAX_TOOLS} entries"),
            ));
        }
        match page.get("nextCursor").and_then(Value::as_str) {
            Some(next) if !next.is_empty() => cursor = Some(next.to_owned()),
            _ => return Ok(names),
        }
    }
    Ok(names)
}

async fn list_tools<S: Session>(s: &mut S, timeout: Duration) -> Result<Vec<Value>, Failure> {
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
                .filter(|t| t.get("name").is_some_and(Value::is_string))
                .cloned(),
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
