//! Small value types that config and the domain modules share. A leaf: it imports none of the
//! modules config configures, so config can hold these without depending on them.

pub(crate) mod category;
pub(crate) mod grammar;
pub(crate) mod recipe;
pub(crate) mod window;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Transport {
    Stdio,
    Http,
    Sse,
}

/// `on_drift`: what a change in a server's tools, against its baseline, does to its status.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub(crate) enum OnDrift {
    /// The server is degraded (the run a warning).
    #[default]
    Warn,
    /// The server is unhealthy and the whole run critical, critical server or not.
    Critical,
    /// No snapshot is compared.
    Ignore,
}

/// `probe_call = { tool, arguments }`: a read-only tool call each probe makes; its failure makes
/// the server degraded (it catches servers that list tools but refuse every call).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProbeCall {
    pub tool: String,
    /// A JSON object.
    pub arguments: serde_json::Value,
}
