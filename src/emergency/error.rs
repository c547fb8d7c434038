//! Why a server's direct API did not answer the emergency check. The text follows "the direct
//! API failed too: " in the server's reason, which the env file and the report show.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub(crate) enum FallbackError {
    #[error("header {header} needs ${var}, which is not set")]
    HeaderUnset { header: String, var: String },
    #[error("`{header}` is not a valid header name")]
    HeaderName {
        header: String,
        source: reqwest::header::InvalidHeaderName,
    },
    #[error("the value of header {header} is not valid in HTTP")]
    HeaderValue {
        header: String,
        source: reqwest::header::InvalidHeaderValue,
    },
    #[error("check_url needs ${0}, which is not set")]
    UrlUnset(String),
    #[error("cannot build an HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    #[error("no answer within {}", humantime::format_duration(*.0))]
    Timeout(Duration),
    /// The error chain, redacted when it was made: it may quote the URL and its credentials.
    #[error("cannot reach the API: {0}")]
    Unreachable(String),
    #[error("the API answered HTTP {0}")]
    Status(u16),
}
