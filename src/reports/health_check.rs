//! `health-check`'s report body.

use serde::Serialize;

use crate::discovery::FileProblem;
use crate::health::ServerReport;

/// The health-check report's own fields, after the envelope.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Body {
    /// Config file used, if any.
    pub config: Option<std::path::PathBuf>,
    /// The capabilities mcpctl declared in `initialize`; tool counts depend on them.
    pub client_capabilities: serde_json::Value,
    pub deadline_ms: u64,
    /// A watch's pass: the longest time until its next stored report. `report` judges the gap
    /// after this report by it, not by the cron runs' usual gap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cadence_s: Option<u64>,
    pub servers: Vec<ServerReport>,
    /// With --recover: each server that was failing, its first and final state and every action.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recovery: Vec<crate::heal::Recovery>,
    /// MCP client config files, or entries of them, that could not be used: `kind` invalid
    /// (the client rejects it; counts as a warning) or not_read (listed only). Never fatal.
    pub discovery_problems: Vec<FileProblem>,
    /// SIGINT or SIGTERM ended the run: only the servers probed by then have a result, the
    /// others say `interrupted`. The run exits 130.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
}

/// `health-check --list --json`: the resolved servers and where each came from; nothing probed.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct List<'a> {
    pub servers: Vec<ListRow<'a>>,
    pub discovery_problems: &'a [FileProblem],
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct ListRow<'a> {
    pub name: &'a str,
    pub transport: &'a str,
    pub critical: bool,
    pub disabled: bool,
    pub sources: &'a [crate::config::Origin],
}

impl<'a> List<'a> {
    pub(crate) fn new(
        servers: &'a [crate::config::ServerConfig],
        problems: &'a [FileProblem],
    ) -> Self {
        let servers = servers
            .iter()
            .map(|s| ListRow {
                name: &s.name,
                transport: s.transport_label(),
                critical: s.critical,
                disabled: s.disabled,
                sources: &s.origins,
            })
            .collect();
        Self {
            servers,
            discovery_problems: problems,
        }
    }
}

impl crate::output::Body for Body {
    const SCHEMA: &'static str = "health-check";
}
