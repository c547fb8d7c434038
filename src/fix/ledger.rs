//! What `fix` remembers across runs, in `<state>/fix/`: attempts per fingerprint (with the pull
//! request a fix opened) and the append-only history `fix --history` shows, with what a
//! proposer was asked and answered.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Attempts {
    pub count: u32,
    pub last: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pr_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pr_branch: Option<String>,
}

/// One line of the history.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Record {
    pub time: DateTime<Utc>,
    pub fingerprint: String,
    pub repo: Option<String>,
    pub category: String,
    pub recipe: Option<String>,
    pub outcome: String,
    pub reason: Option<String>,
    #[serde(default)]
    pub verify_passed: Option<bool>,
    #[serde(default)]
    pub pr_url: Option<String>,
    #[serde(default)]
    pub commit: Option<String>,
    /// `fix --propose`: the prompt sent, redacted, for audit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// `fix --propose`: the proposer's whole answer, redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

fn dir(state: &Path) -> PathBuf {
    state.join("fix")
}

pub(crate) fn load_attempts(state: &Path) -> BTreeMap<String, Attempts> {
    crate::state::read_state(&dir(state).join("attempts.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

pub(crate) fn save_attempts(
    state: &Path,
    all: &BTreeMap<String, Attempts>,
) -> crate::error::Result<()> {
    crate::state::ensure_dir(&dir(state))?;
    let json = serde_json::to_vec_pretty(all).expect("attempts serialize");
    crate::state::write_atomic(&dir(state).join("attempts.json"), &json, 0o600)
}

/// One `write` per line on an O_APPEND file, like the recovery audit.
pub(crate) fn append(state: &Path, record: &Record) -> std::io::Result<()> {
    crate::state::ensure_dir(&dir(state)).map_err(std::io::Error::other)?;
    let mut line = serde_json::to_vec(record).expect("records serialize");
    line.push(b'\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir(state).join("history.jsonl"))?;
    file.write_all(&line)?;
    file.sync_data()
}

/// The history, oldest first; a torn last line (a crash mid-write) is skipped.
pub(crate) fn history(state: &Path) -> Vec<Record> {
    std::fs::read_to_string(dir(state).join("history.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}
