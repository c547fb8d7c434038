//! The stored reports as `report` reads them: the envelope fields it needs, then each body's
//! parts as the writers' own types (`reports`, `backup`, `emergency`, `fix`), whose state words
//! carry a catch-all for words a newer mcpctl wrote. The health-check body alone is read as a
//! projection of a few fields: it is most of the history (a watch stores a pass every few
//! minutes), and each server's tools, drift and recovery actions would be parsed for nothing.

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
    targets: Vec<crate::backup::run::TargetReport>,
    copies: Vec<crate::backup::check::CheckedCopy>,
});
lean_report!(Emergency {
    active: bool,
    since: Option<DateTime<Utc>>,
    cleared_at: Option<DateTime<Utc>>,
    servers: Vec<crate::emergency::ServerMode>,
});
lean_report!(GhWatch {
    runs: Vec<crate::reports::gh_watch::RunReport>,
});
lean_report!(Fix {
    fixes: Vec<crate::fix::outcome::FixReport>,
});

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
    pub(crate) kind: Option<crate::probe::FailureKind>,
    #[serde(default)]
    pub(crate) hint: Option<String>,
}

fn unknown() -> ServerStatus {
    ServerStatus::Unknown
}
