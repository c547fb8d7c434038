//! Streamable HTTP (2025 shape): POST JSON-RPC, answer as JSON or an SSE stream, session id in a
//! header, DELETE at the end. Falls back to legacy HTTP+SSE when the URL looks like one.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::{Stream, StreamExt};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use super::jsonrpc::{self, Incoming};
use super::{CallError, Failure, FailureKind, Limits, Probe, Session, Transport};
use crate::redact::Redactor;

/// Cap on one HTTP answer; a server streaming forever must not grow mcpctl's memory.
pub(super) const MAX_BODY: usize = 16 * 1024 * 1024;
const SESSION_HEADER: &str = "mcp-session-id";
const VERSION_HEADER: &str = "mcp-protocol-version";

pub(super) async fn probe(
    url: &str,
    headers: &BTreeMap<String, String>,
    transport: Option<Transport>,
    limits: Limits,
    redactor: &Redactor,
) -> Probe {
    let mut probe = Probe::default();
    let result = run(url, headers, transport, limits, &mut probe).await;
    if let Err(f) = result {
        probe.failure = Some(Failure {
            kind: f.kind,
            message: redactor.redact(&f.message),
            hint: f.hint.map(|h| redactor.redact(&h)),
        });
    }
    probe
}

async fn run(
    url: &str,
    headers: &BTreeMap<String, String>,
    transport: Option<Transport>,
    limits: Limits,
    probe: &mut Probe,
) -> Result<(), Failure> {
    let client = client(headers, limits)?;
    let url = reqwest::Url::parse(url).map_err(|e| {
        Failure::new(FailureKind::Config, format!("invalid url: {e}"))
            .hint("fix `url` in the server's config")
    })?;
    if transport == Some(Transport::Sse) {
        probe.transport = Some(Transport::Sse);
        return super::sse::handshake(&client, url, limits, probe).await;
    }
    probe.transport = Some(Transport::Http);
    let mut session = HttpSession::new(client.clone(), url.clone());
    let result = super::handshake(&mut session, limits, probe).await;
    probe.http_status = session.last_status;
    session.close().await;
    match result {
        Err(f) if transport.is_none() && session.looks_legacy => {
            tracing::debug!(
                "{url}: not Streamable HTTP ({}), trying legacy SSE",
                f.message
            );
            let mut legacy = Probe {
                transport: Some(Transport::Sse),
                ..Probe::default()
            };
            let r = super::sse::handshake(&client, url, limits, &mut legacy).await;
            if r.is_ok() {
                *probe = legacy;
                return Ok(());
            }
            Err(f)
        }
        other => other,
    }
}

pub(super) async fn supports_modern(
    url: &str,
    headers: &BTreeMap<String, String>,
    transport: Option<Transport>,
    limits: Limits,
) -> Option<bool> {
    if transport == Some(Transport::Sse) {
        return Some(false);
    }
    let client = client(headers, limits).ok()?;
    let mut session = HttpSession::new(client, reqwest::Url::parse(url).ok()?);
    let answer = super::discover(&mut session, limits.timeout).await;
    session.close().await;
    answer
}

pub(super) fn client(
    headers: &BTreeMap<String, String>,
    limits: Limits,
) -> Result<reqwest::Client, Failure> {
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        let name = HeaderName::from_bytes(k.as_bytes()).map_err(|_| {
            Failure::new(
                FailureKind::Config,
                format!("header name `{k}` is not valid"),
            )
        })?;
        let mut value = HeaderValue::from_str(v).map_err(|_| {
            Failure::new(
                FailureKind::Config,
                format!("the value of header `{k}` is not valid (control characters?)"),
            )
        })?;
        value.set_sensitive(true);
        map.insert(name, value);
    }
    reqwest::Client::builder()
        .default_headers(map)
        .connect_timeout(limits.timeout)
        .user_agent(concat!("mcpctl/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            Failure::new(
                FailureKind::Config,
                format!("cannot build an HTTP client: {e}"),
            )
        })
}

struct HttpSession {
    client: reqwest::Client,
    url: reqwest::Url,
    session_id: Option<HeaderValue>,
    protocol_version: Option<String>,
    next_id: u64,
    last_status: Option<u16>,
    /// Set when the first POST got an answer that a legacy SSE server would give.
    looks_legacy: bool,
}

impl HttpSession {
    fn new(client: reqwest::Client, url: reqwest::Url) -> Self {
        Self {
            client,
            url,
            session_id: None,
            protocol_version: None,
            next_id: 1,
            last_status: None,
            looks_legacy: false,
        }
    }

    fn post(&self, body: &Value) -> reqwest::RequestBuilder {
        let mut req = self
            .client
            .post(self.url.clone())
            .header(ACCEPT, "application/json, text/event-stream")
            .header(CONTENT_TYPE, "application/json")
            .json(body);
        if let Some(id) = &self.session_id {
            req = req.header(SESSION_HEADER, id.clone());
        }
        if let Some(v) = &self.protocol_version {
            req = req.header(VERSION_HEADER, v.as_str());
        }
        req
    }

    async fn exchange(&mut self, method: &str, id: u64, body: &Value) -> Result<Value, CallError> {
        let resp = self
            .post(body)
            .send()
            .await
            .map_err(|e| send_failure(&self.url, &e))?;
        let status = resp.status();
        self.last_status = Some(status.as_u16());
        if let Some(sid) = resp.headers().get(SESSION_HEADER) {
            self.session_id = Some(sid.clone());
        }
        if !status.is_success() {
            let first = id == 1;
            let failure = status_failure(status, resp.headers(), method);
            let text = read_capped(resp).await.unwrap_or_default();
            let is_jsonrpc =
                serde_json::from_slice::<Value>(&text).is_ok_and(|v| v.get("jsonrpc").is_some());
            if first && !is_jsonrpc && matches!(status.as_u16(), 400 | 404 | 405) {
                self.looks_legacy = true;
            }
            return Err(failure.into());
        }
        let is_sse = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/event-stream"));
        if is_sse {
            return answer_from_events(capped_stream(resp), id, method).await;
        }
        let bytes = read_capped(resp).await?;
        let msg: Value = serde_json::from_slice(&bytes).map_err(|_| {
            Failure::new(
                FailureKind::Garbage,
                format!("the answer to {method} is not JSON"),
            )
        })?;
        match jsonrpc::classify(msg) {
            Incoming::Response { id: got, result } if got == id => result.map_err(CallError::Rpc),
            _ => Err(Failure::new(
                FailureKind::Protocol,
                format!("the answer to {method} is not its JSON-RPC response"),
            )
            .into()),
        }
    }

    async fn close(&self) {
        if let Some(id) = &self.session_id {
            let req = self
                .client
                .delete(self.url.clone())
                .header(SESSION_HEADER, id.clone());
            // Servers may refuse DELETE with 405; the session then simply expires.
            let _ = tokio::time::timeout(Duration::from_secs(2), req.send()).await;
        }
    }
}

impl Session for HttpSession {
    async fn request(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, CallError> {
        let id = self.next_id;
        self.next_id += 1;
        let body = jsonrpc::request(id, method, &params);
        let result = tokio::time::timeout(timeout, self.exchange(method, id, &body))
            .await
            .map_err(|_| {
                Failure::new(
                    FailureKind::Timeout,
                    format!(
                        "no answer to {method} within {}",
                        humantime::format_duration(timeout)
                    ),
                )
                .hint("the server is hung or overloaded, or a proxy holds the connection")
            })?;
        if method == "initialize"
            && let Ok(v) = &result
        {
            self.protocol_version = v
                .get("protocolVersion")
                .and_then(Value::as_str)
                .map(str::to_owned);
        }
        result
    }

    async fn notify(&mut self, method: &str) -> Result<(), Failure> {
        let resp = self
            .post(&jsonrpc::notification(method))
            .send()
            .await
            .map_err(|e| send_failure(&self.url, &e))?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(status_failure(resp.status(), resp.headers(), method))
        }
    }
}

pub(super) fn send_failure(url: &reqwest::Url, e: &reqwest::Error) -> Failure {
    let host = url.host_str().unwrap_or("?");
    if e.is_connect() {
        Failure::new(
            FailureKind::Connect,
            format!(
                "cannot connect to {host}:{}",
                url.port_or_known_default().unwrap_or(0)
            ),
        )
        .hint("is the server running and listening on that address?")
    } else if e.is_timeout() {
        Failure::new(
            FailureKind::Timeout,
            format!("connection to {host} timed out"),
        )
    } else {
        Failure::new(
            FailureKind::Connect,
            format!("request to {host} failed: {e}"),
        )
    }
}

pub(super) fn status_failure(
    status: reqwest::StatusCode,
    headers: &HeaderMap,
    method: &str,
) -> Failure {
    match status.as_u16() {
        401 | 403 => {
            let challenge = headers
                .get(reqwest::header::WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .map(|c| format!(" ({})", c.chars().take(200).collect::<String>()))
                .unwrap_or_default();
            Failure::new(
                FailureKind::Auth,
                format!("{method}: HTTP {status}{challenge}"),
            )
            .hint(
                "the token is missing, wrong or expired; check the Authorization header's variable",
            )
        }
        _ => Failure::new(FailureKind::HttpStatus, format!("{method}: HTTP {status}")),
    }
}

async fn read_capped(resp: reqwest::Response) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            Failure::new(
                FailureKind::Connect,
                format!("reading the answer failed: {e}"),
            )
        })?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn too_big() -> Failure {
    Failure::new(
        FailureKind::Garbage,
        format!("the answer is larger than {} MiB", MAX_BODY >> 20),
    )
}

/// The body as a byte stream that fails once more than `MAX_BODY` bytes have arrived.
pub(super) fn capped_stream(
    resp: reqwest::Response,
) -> impl Stream<Item = Result<bytes::Bytes, Failure>> {
    let mut seen = 0usize;
    resp.bytes_stream().map(move |chunk| {
        let chunk = chunk
            .map_err(|e| Failure::new(FailureKind::Connect, format!("the stream broke: {e}")))?;
        seen += chunk.len();
        if seen > MAX_BODY {
            Err(too_big())
        } else {
            Ok(chunk)
        }
    })
}

/// Reads SSE events until the JSON-RPC response with `id` arrives. Empty "priming" events and
/// server notifications are skipped.
async fn answer_from_events(
    body: impl Stream<Item = Result<bytes::Bytes, Failure>>,
    id: u64,
    method: &str,
) -> Result<Value, CallError> {
    use eventsource_stream::Eventsource;
    let mut events = std::pin::pin!(body.eventsource());
    while let Some(event) = events.next().await {
        let event = event.map_err(|e| match e {
            eventsource_stream::EventStreamError::Transport(f) => f,
            other => Failure::new(FailureKind::Garbage, format!("bad SSE stream: {other}")),
        })?;
        if event.data.trim().is_empty() {
            continue;
        }
        let Ok(msg) = serde_json::from_str::<Value>(&event.data) else {
            return Err(Failure::new(
                FailureKind::Garbage,
                format!("an SSE event in the answer to {method} is not JSON"),
            )
            .into());
        };
        if let Incoming::Response { id: got, result } = jsonrpc::classify(msg)
            && got == id
        {
            return result.map_err(CallError::Rpc);
        }
    }
    Err(Failure::new(
        FailureKind::Protocol,
        format!("the SSE answer to {method} ended without a response"),
    )
    .into())
}
