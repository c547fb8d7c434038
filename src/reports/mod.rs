//! Every subcommand's report body, defined once: the commands write these, and `report`, `fix`
//! and the MCP server read the same types (as nextest-metadata does for nextest).

pub mod backup;
pub mod emergency;
pub mod fix;
pub mod gh_watch;
pub mod health_check;
pub mod recover;
pub mod report;

/// What a run that could not start reports: the error, and nothing else.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct Failed {
    pub error: FailedError,
}

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct FailedError {
    /// config, usage, locked, lock_timeout, key, failed, interrupted or io.
    pub kind: &'static str,
    pub message: String,
}

impl crate::output::Body for Failed {
    const SCHEMA: &'static str = "error";
}
