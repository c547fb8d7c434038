//! The report envelope every subcommand writes: the same header fields, then the command's own.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::exit::Status;

/// Bumped when a field changes meaning or disappears; adding fields keeps the version.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// A report body, and the schema its reports name: `docs/schema/<SCHEMA>.json`, generated from
/// the body's type.
pub(crate) trait Body {
    const SCHEMA: &'static str;
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Envelope<T> {
    pub schema_version: u32,
    /// The schema this report follows, `docs/schema/<name>.json` in mcpctl's repository.
    pub schema: String,
    pub command: String,
    pub mcpctl_version: String,
    pub host: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub duration_ms: u64,
    pub status: Status,
    pub exit_code: u8,
    /// One line, also used for notifications and Nagios output.
    pub summary: String,
    #[serde(flatten)]
    pub body: T,
}

impl<T: Body> Envelope<T> {
    pub(crate) fn new(
        command: &str,
        started_at: DateTime<Utc>,
        status: Status,
        summary: String,
        body: T,
    ) -> Self {
        let finished_at = Utc::now();
        Self {
            schema_version: SCHEMA_VERSION,
            schema: format!("docs/schema/{}.json", T::SCHEMA),
            command: command.to_owned(),
            mcpctl_version: env!("CARGO_PKG_VERSION").to_owned(),
            host: hostname(),
            started_at,
            finished_at,
            duration_ms: u64::try_from((finished_at - started_at).num_milliseconds()).unwrap_or(0),
            status,
            exit_code: status.code().as_u8(),
            summary,
            body,
        }
    }
}

pub(crate) fn hostname() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_else(|| "unknown".into())
}
