//! The append-only audit of every recovery action: one JSON line per record in
//! `<state>/recover/audit.jsonl`. `report` reads it for MTTR and recovery rates.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::RecoverStep;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    /// The action ran; the server was still failing after it settled.
    Tried,
    /// Not run, with the reason in `detail`.
    Skipped,
    /// The action ran and the server came back.
    Succeeded,
    /// The action itself failed (the restart errored, the command exited non-zero).
    Failed,
    /// The run was stopped (SIGINT, SIGTERM) while the action ran or settled; whether it took
    /// effect is not known.
    Interrupted,
    /// A word from a newer mcpctl, in the audit.
    #[serde(other)]
    Other,
}

/// A guard's event, in a record with no ladder step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Event {
    BreakerOpen,
    BreakerClosed,
    /// `recover --reset`.
    Reset,
    /// `recover --pause`, or a ladder held by a pause.
    Paused,
    /// `recover --resume`.
    Resumed,
    /// The guard file could not be read or saved: no step was taken.
    GuardUnreadable,
    /// The run's deadline came before the next step.
    Deadline,
    /// A word from a newer mcpctl, in the audit.
    #[serde(other)]
    Other,
}

impl Event {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Event::BreakerOpen => "breaker_open",
            Event::BreakerClosed => "breaker_closed",
            Event::Reset => "reset",
            Event::Paused => "paused",
            Event::Resumed => "resumed",
            Event::GuardUnreadable => "guard_unreadable",
            Event::Deadline => "deadline",
            Event::Other => "other",
        }
    }
}

/// Also what `report` reads back, line by line: a field added since has a default.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Record {
    pub time: DateTime<Utc>,
    pub server: String,
    /// The ladder step, absent for guard events (breaker, reset, pause).
    #[serde(default)]
    pub step: Option<RecoverStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Event>,
    pub outcome: Outcome,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub duration_ms: u64,
}

/// One `write` per record on an O_APPEND file: concurrent writers never interleave inside a
/// line, and a crash loses at most the record being written.
pub(crate) fn append(state_dir: &Path, record: &Record) -> std::io::Result<()> {
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

/// An action under way. Dropped without `finish` (the run was interrupted and its future
/// dropped), it still appends its line, marked interrupted: the audit never loses an action
/// that the attempt budget has already counted.
pub(crate) struct InFlight<'a> {
    state_dir: &'a Path,
    record: Option<Record>,
    started: std::time::Instant,
}

impl<'a> InFlight<'a> {
    pub(crate) fn start(state_dir: &'a Path, server: &str, step: RecoverStep) -> Self {
        Self {
            state_dir,
            record: Some(Record {
                time: Utc::now(),
                server: server.to_owned(),
                step: Some(step),
                event: None,
                outcome: Outcome::Interrupted,
                detail:
                    "the run was interrupted during this step; whether it took effect is unknown"
                        .into(),
                duration_ms: 0,
            }),
            started: std::time::Instant::now(),
        }
    }

    /// The action ended normally; its caller writes the real record.
    pub(crate) fn finish(mut self) {
        self.record = None;
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(mut record) = self.record.take() {
            record.duration_ms =
                u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
            if let Err(e) = append(self.state_dir, &record) {
                tracing::warn!("cannot append to the recovery audit: {e}");
            }
        }
    }
}
