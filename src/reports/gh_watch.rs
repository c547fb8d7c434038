//! `gh-watch`'s report body: the runs classified, and what `--check-patterns` found.

use serde::{Deserialize, Serialize};

use crate::ci::{self, Issue};

/// `fix` reads a stored report back as this type: what a field added since lacks gets its
/// default, and fields a newer mcpctl adds are ignored.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Body {
    #[serde(default)]
    pub runs: Vec<RunReport>,
    /// Pattern files in use: the shipped set, then user directories.
    #[serde(default)]
    pub patterns: usize,
    /// Repositories whose list of runs had not changed (GitHub answered 304).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unchanged: Vec<String>,
    /// GitHub issues opened or commented on for persistent failures (`open_issue_after`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalations: Vec<ci::escalate::Escalation>,
}

#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct RunReport {
    pub repo: Option<String>,
    pub run_id: Option<u64>,
    /// 1, then one more at each re-run of the same run id.
    pub run_attempt: Option<u32>,
    /// What started the run: `push`, `pull_request`, …
    pub event: Option<String>,
    /// The repository the run's commit comes from; another one than `repo` for a fork's pull
    /// request, which `fix` refuses.
    pub head_repo: Option<String>,
    pub workflow: Option<String>,
    pub branch: Option<String>,
    pub sha: Option<String>,
    pub conclusion: Option<String>,
    pub url: Option<String>,
    /// For `--log`: the file classified.
    pub source: Option<String>,
    #[serde(default)]
    pub lines: u64,
    #[serde(default)]
    pub jobs: Vec<ci::github::Job>,
    /// Jobs whose log could not be read, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    #[serde(default)]
    pub issues: Vec<Issue>,
    /// With `--explain`: each issue's pattern, regex, line and captures, then the matches that
    /// lost, and why.
    #[serde(skip_serializing_if = "Option::is_none", skip_deserializing)]
    pub explain: Option<Vec<ci::classify::Explained>>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct CheckBody {
    pub patterns: usize,
    pub problems: Vec<String>,
}

impl crate::output::Body for Body {
    const SCHEMA: &'static str = "gh-watch";
}

impl crate::output::Body for CheckBody {
    const SCHEMA: &'static str = "gh-watch-check-patterns";
}
