//! Every subcommand's report body, defined once: the commands write these, and `report`, `fix`
//! and the MCP server read the same types (as nextest-metadata does for nextest).

pub(crate) mod backup;
pub(crate) mod emergency;
pub(crate) mod fix;
pub(crate) mod gh_watch;
pub(crate) mod health_check;
pub(crate) mod recover;
pub(crate) mod report;

/// What a run that could not start reports: the error, and nothing else.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub(crate) struct Failed {
    pub error: FailedError,
}

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub(crate) struct FailedError {
    /// config, usage, locked, lock_timeout, key, failed, interrupted or io.
    pub kind: &'static str,
    pub message: String,
}

impl crate::output::Body for Failed {
    const SCHEMA: &'static str = "error";
}
