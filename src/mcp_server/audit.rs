//! The MCP server's audit: one JSON line per action step in `<state>/mcp-server/audit.jsonl`,
//! with the client that asked, the plan's digest and the outcome. The actions' own records
//! (the recovery audit, the fix history) are written as the subcommands write them.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Client {
    pub(crate) name: String,
    pub(crate) version: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Entry<'a> {
    pub(crate) time: DateTime<Utc>,
    pub(crate) client: &'a Client,
    pub(crate) tool: &'a str,
    pub(crate) target: &'a str,
    /// planned | refused | done
    pub(crate) stage: &'a str,
    pub(crate) plan_digest: Option<&'a str>,
    /// The run's status when done, the refusal's reason when refused.
    pub(crate) outcome: &'a str,
    /// Redacted before it is written.
    pub(crate) summary: String,
}

/// One `write` per entry on an O_APPEND file, synced: a crash loses at most this entry.
pub(crate) fn append(state_dir: &Path, entry: &Entry<'_>) -> std::io::Result<()> {
    let dir = state_dir.join("mcp-server");
    crate::state::ensure_dir(&dir).map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut line = serde_json::to_vec(entry).expect("entries serialize");
    line.push(b'\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("audit.jsonl"))?;
    file.write_all(&line)?;
    file.sync_data()
}
