//! `emergency`'s report body.

use serde::Serialize;

use crate::emergency::{ClearedBy, ServerMode};

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Body {
    pub action: Action,
    pub env_file: std::path::PathBuf,
    pub active: bool,
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// When the latest period in fallback mode ended, and what ended it (hand | health-check |
    /// emergency); `report` takes the period's end from here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleared_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleared_by: Option<ClearedBy>,
    pub servers: Vec<ServerMode>,
}

/// What the run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Action {
    /// Probed the critical servers and wrote the mode they call for.
    Check,
    /// A check that ended emergency mode: every critical server answers again.
    Cleared,
    /// `--status`: read the mode, probed nothing.
    Status,
    /// `--clear`: set every server back to MCP by hand.
    Clear,
}

impl crate::output::Body for Body {
    const SCHEMA: &'static str = "emergency";
}
