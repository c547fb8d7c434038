//! Streamable HTTP: rmcp's server-side transport behind hyper, on loopback unless
//! `--allow-remote`. Every request must carry the configured bearer token; `Host` and `Origin`
//! are checked by rmcp against DNS rebinding (loopback hosts, plus `allowed_hosts`; no Origin
//! unless `allowed_origins` names it).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use subtle::ConstantTimeEq;

use super::{Handler, Options, Shared};
use crate::error::{Error, Result};

/// The one path the MCP endpoint answers on.
pub(super) const PATH: &str = "/mcp";
/// The shortest bearer token accepted.
const MIN_TOKEN: usize = 16;

pub(crate) struct HttpOptions {
    pub addr: SocketAddr,
    /// Serve on an address that is not loopback.
    pub allow_remote: bool,
}

type Body = BoxBody<Bytes, Infallible>;

pub(super) async fn serve(opts: Options, http: HttpOptions) -> Result<()> {
    if !http.addr.ip().is_loopback() && !http.allow_remote {
        return Err(Error::Usage(format!(
            "--http {} is not a loopback address; pass --allow-remote to serve on it (and list the names clients use in [mcp_server] allowed_hosts)",
            http.addr
        )));
    }
    let token = bearer_token(&opts)?;
    let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"]
        .iter()
        .map(|h| (*h).to_owned())
        .collect();
    hosts.extend(opts.settings.mcp_server.allowed_hosts.iter().cloned());
    if !http.addr.ip().is_unspecified() {
        hosts.push(http.addr.ip().to_string());
    }
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(hosts)
        .with_allowed_origins(opts.settings.mcp_server.allowed_origins.clone())
        .enforce_origin_validation();
    let shared = Arc::new(Shared::new(opts, std::slice::from_ref(&token)));
    let service = StreamableHttpService::new(
        move || Ok(Handler(shared.clone())),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let listener = tokio::net::TcpListener::bind(http.addr)
        .await
        .map_err(|e| Error::io(format!("cannot listen on {}", http.addr), e))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::io("cannot read the listening address", e))?;
    eprintln!("mcpctl mcp-server: serving Streamable HTTP on http://{local}{PATH}");
    let token: Arc<str> = token.into();
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: wait a little, keep serving.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = service.clone();
        let token = token.clone();
        tokio::spawn(async move {
            let handler = hyper::service::service_fn(move |req: Request<Incoming>| {
                let service = service.clone();
                let token = token.clone();
                async move { Ok::<_, Infallible>(handle(req, &service, &token).await) }
            });
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), handler)
                .await
            {
                tracing::debug!("connection ended: {e}");
            }
        });
    }
}

/// `[mcp_server] token`, expanded; HTTP is never served without one.
fn bearer_token(opts: &Options) -> Result<String> {
    let Some(written) = opts.settings.mcp_server.token.as_deref() else {
        return Err(Error::Usage(
            "--http needs a bearer token: set [mcp_server] token = \"${MCPCTL_MCP_TOKEN}\" in the config and export the variable".into(),
        ));
    };
    let (token, missing) = crate::config::expand(written, &|n| std::env::var(n).ok());
    if let Some(var) = missing.first() {
        return Err(Error::Usage(format!(
            "[mcp_server] token needs ${var}, which is not set"
        )));
    }
    let token = token.trim().to_owned();
    if token.len() < MIN_TOKEN {
        return Err(Error::Usage(format!(
            "[mcp_server] token is shorter than {MIN_TOKEN} characters; use a long random one (e.g. `openssl rand -hex 32`)"
        )));
    }
    Ok(token)
}

async fn handle(
    req: Request<Incoming>,
    service: &StreamableHttpService<Handler, LocalSessionManager>,
    token: &str,
) -> Response<Body> {
    if req.uri().path() != PATH {
        return plain(
            StatusCode::NOT_FOUND,
            &format!("not found; the MCP endpoint is {PATH}"),
        );
    }
    let presented = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let good = presented.is_some_and(|p| bool::from(p.as_bytes().ct_eq(token.as_bytes())));
    if !good {
        let mut response = plain(
            StatusCode::UNAUTHORIZED,
            "a bearer token is required: Authorization: Bearer <[mcp_server] token>",
        );
        response.headers_mut().insert(
            http::header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Bearer realm=\"mcpctl\""),
        );
        return response;
    }
    service.handle(req).await
}

fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(text.to_owned())).boxed());
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
