//! The append-only audit of every recovery action: one JSON line per record in
//! `<state>/recover/audit.jsonl`. `report` reads it for MTTR and recovery rates.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::RecoverStep;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The action ran; the server was still failing after it settled.
    Tried,
    /// Not run, with the reason in `detail`.
    Skipped,
    /// The action ran and the server came back.
    Succeeded,
    /// The action itself failed (the restart errored, the command exited non-zero).
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Record {
    pub time: DateTime<Utc>,
    pub server: String,
    /// The ladder step, absent for guard events (breaker, reset, pause).
    pub step: Option<RecoverStep>,
    /// For guard events: breaker_open | breaker_closed | reset | paused | resumed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    pub outcome: Outcome,
    pub detail: String,
    pub duration_ms: u64,
}

/// One `write` per record on an O_APPEND file: concurrent writers never interleave inside a
/// line, and a crash loses at most the record being written.
pub fn append(state_dir: &Path, record: &Record) -> std::io::Result<()> {
    let dir = state_dir.join("recover");
    crate::state::ensure_dir(&dir).map_err(std::io::Error::other)?;
    let mut line = serde_json::to_vec(record).expect("records serialize");
    line.push(b'\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("audit.jsonl"))?;
    file.write_all(&line)?;
    file.sync_data()
}
