//! What the HTTP transports share: the process's one client (`net::client`), headers sent per
//! request, capped bodies, and failures that never show a URL's secrets.

use std::collections::BTreeMap;

use futures::{Stream, StreamExt};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::{Failure, FailureKind, Step};

/// Cap on one HTTP answer; a server streaming forever must not grow mcpctl's memory.
pub(super) const MAX_BODY: usize = 16 * 1024 * 1024;

/// The client every HTTP and SSE probe of this process uses.
pub(super) fn client() -> Result<reqwest::Client, Failure> {
    crate::net::client().map_err(|e| Failure::new(FailureKind::Config, e.to_string()))
}

/// The server's configured headers, checked once and marked sensitive (never in debug output).
pub(super) fn headers(headers: &BTreeMap<String, String>) -> Result<HeaderMap, Failure> {
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
    Ok(map)
}

/// The `notAfter` of the certificate the answer came over, for https.
pub(super) fn not_after(resp: &reqwest::Response) -> Option<chrono::DateTime<chrono::Utc>> {
    let info = resp.extensions().get::<reqwest::tls::TlsInfo>()?;
    super::doctor::not_after(info.peer_certificate()?)
}

pub(super) fn send_failure(url: &reqwest::Url, e: &reqwest::Error) -> Failure {
    let host = url.host_str().unwrap_or("?");
    if e.is_redirect() {
        Failure::new(
            FailureKind::HttpStatus,
            format!("{host} redirected to another origin, which is never followed"),
        )
        .hint("point `url` at the final address; credentials are never sent to another origin")
        .step(Step::Http)
    } else if e.is_connect() {
        Failure::new(
            FailureKind::Connect,
            format!(
                "cannot connect to {host}:{}",
                url.port_or_known_default().unwrap_or(0)
            ),
        )
        .hint("is the server running and listening on that address?")
        .step(Step::Connect)
    } else if e.is_timeout() {
        Failure::new(
            FailureKind::Timeout,
            format!("connection to {host} timed out"),
        )
    } else {
        // Without the URL: its query may carry a key.
        let e = crate::net::error_chain(e);
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
            // Whole: the redactor sees it before anything is cut.
            let challenge = headers
                .get(reqwest::header::WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            Failure::new(
                FailureKind::Auth,
                format!("{method}: HTTP {status}{challenge}"),
            )
            .hint(
                "the token is missing, wrong or expired; check the Authorization header's variable",
            )
            .step(Step::Auth)
        }
        code => {
            let failure = Failure::new(FailureKind::HttpStatus, format!("{method}: HTTP {status}"))
                .step(Step::Http);
            match status_hint(code) {
                Some(hint) => failure.hint(hint),
                None => failure,
            }
        }
    }
}

/// The next thing to try for a status that is not about credentials.
fn status_hint(code: u16) -> Option<&'static str> {
    Some(match code {
        404 | 410 => {
            "nothing serves MCP at that path: check `url` (Streamable HTTP endpoints usually end in /mcp, legacy SSE ones in /sse)"
        }
        405 | 501 => {
            "that address does not take MCP requests: is `url` the MCP endpoint and not the server's home page?"
        }
        407 => "a proxy wants credentials: set them in HTTPS_PROXY, or exempt the host in NO_PROXY",
        408 | 504 => {
            "the server or a proxy timed out: is the server overloaded, or the proxy's timeout short?"
        }
        429 => "the server is rate limiting mcpctl: probe less often, or raise the server's limit",
        500..=599 => "the server failed on its side: look at its logs",
        _ => return None,
    })
}

pub(super) async fn read_capped(resp: reqwest::Response) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            Failure::new(
                FailureKind::Connect,
                format!("reading the answer failed: {}", crate::net::error_chain(&e)),
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
        let chunk = chunk.map_err(|e| {
            Failure::new(
                FailureKind::Connect,
                format!("the stream broke: {}", crate::net::error_chain(&e)),
            )
        })?;
        seen += chunk.len();
        if seen > MAX_BODY {
            Err(too_big())
        } else {
            Ok(chunk)
        }
    })
}
