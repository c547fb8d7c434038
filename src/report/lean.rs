//! Just the fields `report` reads from each stored report. Everything else is skipped unparsed,
//! and every field may be missing: the files come from older (or foreign) mcpctl versions. State
//! words are the writers' own enums, each with a catch-all for words a newer mcpctl wrote.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::scan::Header;
use crate::health::ServerStatus;

macro_rules! lean_report {
    ($name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        #[derive(Debug, Deserialize)]
        pub(crate) struct $name {
            schema_version: Option<u32>,
            command: Option<String>,
            pub(crate) started_at: Option<DateTime<Utc>>,
            $(#[serde(default)] pub(crate) $field: $ty,)*
        }

        impl Header for $name {
            fn schema_version(&self) -> Option<u32> {
                self.schema_version
            }
            fn command(&self) -> Option<&str> {
                self.command.as_deref()
            }
            fn started_at(&self) -> Option<DateTime<Utc>> {
                self.started_at
            }
        }
    };
}

lean_report!(HealthCheck {
    servers: Vec<Server>,
    cadence_s: Option<u64>,
    recovery: Vec<Healed>,
});
lean_report!(Backup {
    targets: Vec<Target>,
    copies: Vec<Copy>,
});
lean_report!(Emergency {
    active: bool,
    since: Option<DateTime<Utc>>,
    cleared_at: Option<DateTime<Utc>>,
    servers: Vec<Mode>,
});
lean_report!(GhWatch { runs: Vec<Run> });
lean_report!(Fix { fixes: Vec<FixRecord> });

/// A ladder's result in a health-check --recover run.
#[derive(Debug, Deserialize)]
pub(crate) struct Healed {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) recovered: bool,
    pub(crate) time_to_recover_ms: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Server {
    pub(crate) name: String,
    #[serde(default = "unknown")]
    pub(crate) status: ServerStatus,
    #[serde(default)]
    pub(crate) critical: bool,
    #[serde(default)]
    pub(crate) latency_ms: Option<Latency>,
    #[serde(default)]
    pub(crate) error: Option<Failure>,
    #[serde(default)]
    pub(crate) baseline: Option<Baseline>,
    /// Parsed only when `baseline` says it drifted or was accepted.
    #[serde(default)]
    pub(crate) drift: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Baseline {
    pub(crate) state: crate::health::drift::BaselineState,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Latency {
    /// The handshake; absent when the server did not answer it.
    pub(crate) initialize: Option<f64>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Failure {
    #[serde(default)]
    pub(crate) kind: Option<String>,
    #[serde(default)]
    pub(crate) hint: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Target {
    pub(crate) name: String,
    #[serde(default = "other_result")]
    pub(crate) result: crate::backup::run::Outcome,
    #[serde(default)]
    pub(crate) backup: Option<String>,
    #[serde(default)]
    pub(crate) locations: Vec<Location>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Location {
    pub(crate) path: String,
    #[serde(default)]
    pub(crate) ok: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Copy {
    pub(crate) target: String,
    pub(crate) file: String,
    #[serde(default)]
    pub(crate) ok: bool,
    #[serde(default)]
    pub(crate) error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Mode {
    pub(crate) name: String,
    #[serde(default = "down")]
    pub(crate) mode: crate::emergency::Mode,
}

#[derive(Debug, Deserialize)]
#[allow(clippy::struct_field_names)]
pub(crate) struct Run {
    #[serde(default)]
    pub(crate) repo: Option<String>,
    #[serde(default)]
    pub(crate) run_id: Option<u64>,
    #[serde(default)]
    pub(crate) issues: Vec<Issue>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Issue {
    #[serde(default)]
    pub(crate) category: Option<String>,
    #[serde(default)]
    pub(crate) key: Option<String>,
    #[serde(default)]
    pub(crate) fingerprint: Option<String>,
    /// Absent in reports before it existed.
    #[serde(default)]
    pub(crate) recurrence: Option<crate::ci::history::Recurrence>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct FixRecord {
    #[serde(default)]
    pub(crate) recipe: Option<String>,
    #[serde(default)]
    pub(crate) outcome: Option<crate::fix::outcome::Outcome>,
    #[serde(default)]
    pub(crate) verify_passed: Option<bool>,
}

/// One line of `recover/audit.jsonl`.
#[derive(Debug, Deserialize)]
pub(crate) struct AuditRecord {
    pub(crate) time: DateTime<Utc>,
    pub(crate) server: String,
    #[serde(default)]
    pub(crate) step: Option<String>,
    #[serde(default)]
    pub(crate) event: Option<String>,
    #[serde(default = "other_outcome")]
    pub(crate) outcome: crate::heal::audit::Outcome,
}

fn down() -> crate::emergency::Mode {
    crate::emergency::Mode::Down
}

fn unknown() -> ServerStatus {
    ServerStatus::Unknown
}

fn other_result() -> crate::backup::run::Outcome {
    crate::backup::run::Outcome::Other
}

fn other_outcome() -> crate::heal::audit::Outcome {
    crate::heal::audit::Outcome::Other
}
