//! `emergency`'s report body.

use serde::Serialize;

use crate::emergency::{ClearedBy, ServerMode};

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Body {
    /// check | status | clear
    pub action: String,
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
