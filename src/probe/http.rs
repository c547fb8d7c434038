//! Streamable HTTP (2025 shape): POST JSON-RPC, answer as JSON or an SSE stream, session id in a
//! header, DELETE at the end. Falls back to legacy HTTP+SSE when the URL looks like one.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::{Stream, StreamExt};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::Value;

use super::jsonrpc::{self, Incoming};
use super::web::{capped_stream, read_capped, send_failure, status_failure};
use super::{CallError, Failure, FailureKind, Limits, Probe, Session, Transport};
use crate::redact::Redactor;

/// Longest error text kept in a report, after redaction.
const MAX_MESSAGE: usize = 1000;
const SESSION_HEADER: &str = "mcp-session-id";
const VERSION_HEADER: &str = "mcp-protocol-version";

pub(super) async fn probe(
    url: &str,
    headers: &BTreeMap<String, String>,
    transport: Option<Transport>,
    limits: Limits,
    wants: &super::Wants,
    redactor: &Redactor,
) -> Probe {
    let mut probe = Probe::default();
    let result = run(url, headers, transport, limits, wants, &mut probe).await;
    if let Err(mut f) = result {
        // Not reached at all: the doctor finds which network step failed, and why.
        if f.kind == FailureKind::Connect
            && let Ok(parsed) = reqwest::Url::parse(url)
            && let (_, Some(found)) =
                Box::pin(super::doctor::network(&parsed, limits.timeout)).await
        {
            f = found;
        }
        if f.step.is_none()
            && matches!(
                f.kind,
                FailureKind::Timeout
                    | FailureKind::Protocol
                    | FailureKind::Garbage
                    | FailureKind::Exited
            )
        {
            f.step = Some(super::Step::Handshake);
        }
        let auth = f.auth.clone().map(|mut a| {
            a.issuer = a.issuer.map(|i| redactor.redact_cut(&i, MAX_MESSAGE));
            a.resource_metadata = a
                .resource_metadata
                .map(|u| redactor.redact_cut(&u, MAX_MESSAGE));
            a.scopes = a
                .scopes
                .iter()
                .map(|s| redactor.redact_cut(s, MAX_MESSAGE))
                .collect();
            a
        });
        probe.failure = Some(Failure {
            message: redactor.redact_cut(&f.message, MAX_MESSAGE),
            hint: f.hint.as_ref().map(|h| redactor.redact_cut(h, MAX_MESSAGE)),
            auth,
            ..f
        });
    }
    probe
}

async fn run(
    url: &str,
    headers: &BTreeMap<String, String>,
    transport: Option<Transport>,
    limits: Limits,
    wants: &super::Wants,
    probe: &mut Probe,
) -> Result<(), Failure> {
    let client = super::web::client()?;
    let headers = super::web::headers(headers)?;
    let url = reqwest::Url::parse(url).map_err(|e| {
        Failure::new(FailureKind::Config, format!("invalid url: {e}"))
            .hint("fix `url` in the server's config")
    })?;
    if transport == Some(Transport::Sse) {
        probe.transport = Some(Transport::Sse);
        return super::sse::handshake(&client, &headers, url, limits, wants, probe).await;
    }
    probe.transport = Some(Transport::Http);
    let mut session = HttpSession::new(client.clone(), headers.clone(), url.clone());
    let mut result = super::handshake(&mut session, limits, wants, probe).await;
    probe.http_status = session.last_status;
    probe.tls_not_after = session.tls_not_after;
    session.close(limits.timeout).await;
    if let (Err(f), Some(challenge)) = (&mut result, &session.challenge)
        && f.kind == FailureKind::Auth
        && let Some(auth) = super::oauth::discover(&client, &url, challenge, limits.timeout).await
    {
        f.kind = FailureKind::AuthRequired;
        f.message = format!(
            "{}; the server is protected by OAuth{}{}",
            f.message,
            auth.issuer
                .as_deref()
                .map(|i| format!(" (issuer {i})"))
                .unwrap_or_default(),
            if auth.scopes.is_empty() {
                String::new()
            } else {
                format!(", scopes {}", auth.scopes.join(" "))
            }
        );
        f.hint = Some(
            "log in again with the MCP client this server comes from; mcpctl never follows an authorization URL".into(),
        );
        f.auth = Some(Box::new(auth));
    }
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
            let r = super::sse::handshake(&client, &headers, url, limits, wants, &mut legacy).await;
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
    let client = super::web::client().ok()?;
    let headers = super::web::headers(headers).ok()?;
    let mut session = HttpSession::new(client, headers, reqwest::Url::parse(url).ok()?);
    let answer = super::discover(&mut session, limits.timeout).await;
    session.close(limits.timeout).await;
    answer
}

struct HttpSession {
    client: reqwest::Client,
    /// The server's own headers, sent with every request (the client is shared).
    headers: HeaderMap,
    url: reqwest::Url,
    session_id: Option<HeaderValue>,
    protocol_version: Option<String>,
    next_id: u64,
    last_status: Option<u16>,
    /// The `WWW-Authenticate` of a 401 or 403, for the OAuth metadata.
    challenge: Option<String>,
    tls_not_after: Option<chrono::DateTime<chrono::Utc>>,
    /// Set when the first POST got an answer that a legacy SSE server would give.
    looks_legacy: bool,
}

impl HttpSession {
    fn new(client: reqwest::Client, headers: HeaderMap, url: reqwest::Url) -> Self {
        Self {
            client,
            headers,
            url,
            session_id: None,
            protocol_version: None,
            next_id: 1,
            last_status: None,
            challenge: None,
            tls_not_after: None,
            looks_legacy: false,
        }
    }

    fn post(&self, body: &Value) -> reqwest::RequestBuilder {
        let mut req = self
            .client
            .post(self.url.clone())
            .headers(self.headers.clone())
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
        if self.tls_not_after.is_none() {
            self.tls_not_after = super::web::not_after(&resp);
        }
        if let Some(sid) = resp.headers().get(SESSION_HEADER) {
            self.session_id = Some(sid.clone());
        }
        if !status.is_success() {
            if matches!(status.as_u16(), 401 | 403) {
                self.challenge = resp
                    .headers()
                    .get(reqwest::header::WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
            }
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
        let content_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let is_sse = content_type
            .as_deref()
            .is_some_and(|ct| ct.starts_with("text/event-stream"));
        if is_sse {
            return answer_from_events(capped_stream(resp), id, method).await;
        }
        let bytes = read_capped(resp).await?;
        let msg: Value = serde_json::from_slice(&bytes).map_err(|_| {
            Failure::new(
                FailureKind::Garbage,
                format!(
                    "the answer to {method} is not JSON (HTTP {status}, content type {})",
                    content_type.as_deref().unwrap_or("none")
                ),
            )
            .step(super::Step::Http)
            .hint("is `url` the MCP endpoint? a web page or a proxy's error page answers here")
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

    async fn close(&self, timeout: Duration) {
        if let Some(id) = &self.session_id {
            let req = self
                .client
                .delete(self.url.clone())
                .headers(self.headers.clone())
                .header(SESSION_HEADER, id.clone());
            // Servers may refuse DELETE with 405; the session then simply expires.
            let _ = tokio::time::timeout(timeout, req.send()).await;
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

    async fn notify(&mut self, method: &str, timeout: Duration) -> Result<(), Failure> {
        let resp = tokio::time::timeout(timeout, self.post(&jsonrpc::notification(method)).send())
            .await
            .map_err(|_| {
                Failure::new(
                    FailureKind::Timeout,
                    format!(
                        "no answer to the {method} POST within {}",
                        humantime::format_duration(timeout)
                    ),
                )
                .hint("the server is hung or overloaded, or a proxy holds the connection")
            })?
            .map_err(|e| send_failure(&self.url, &e))?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(status_failure(resp.status(), resp.headers(), method))
        }
    }
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
