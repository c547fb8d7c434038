//! HTTP rules every client of mcpctl follows (probes, the emergency check, notifications, the
//! fix proposer): redirects stay on the origin that was asked, and errors never show a URL.

use std::error::Error as _;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// Connecting is bounded here; each request is also bounded by its caller's own timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The process's HTTP client could not be built (no TLS roots, say): every caller gets the same
/// error, shared, since a `reqwest::Error` cannot be cloned.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot build an HTTP client: {0}")]
pub(crate) struct ClientError(#[source] Arc<reqwest::Error>);

static CLIENT: LazyLock<Result<reqwest::Client, ClientError>> = LazyLock::new(|| {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(same_origin_redirects())
        .user_agent(concat!("mcpctl/", env!("CARGO_PKG_VERSION")))
        // The peer's certificate, for its expiry date (health-check's TLS warning).
        .tls_info(true)
        .build()
        .map_err(|e| ClientError(Arc::new(e)))
});

/// The one client of this process (one TLS root store, one connection pool): probes and the
/// fix proposer share it.
pub(crate) fn client() -> Result<reqwest::Client, ClientError> {
    CLIENT.as_ref().cloned().map_err(Clone::clone)
}

/// Follows at most 5 redirects, and only to the same scheme, host and port. reqwest strips only
/// `Authorization` and cookies on a cross-origin redirect; an `X-Api-Key` header would reach the
/// other origin, so no other origin is followed at all.
pub(crate) fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(reqwest::Url::origin);
        if attempt.previous().len() > 5 {
            attempt.error("too many redirects")
        } else if first.is_some_and(|o| o != attempt.url().origin()) {
            attempt.error("redirect to another origin")
        } else {
            attempt.follow()
        }
    })
}

/// An error and its causes, without the request URL (whose query may hold a key).
pub(crate) fn error_chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), &crate::redact::url(url.as_str()));
    }
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}
