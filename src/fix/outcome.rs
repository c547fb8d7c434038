//! What `fix` reports per issue.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    /// Dry run: what --apply would do.
    Planned,
    /// Verified, committed and shipped (pull request, push or re-run).
    Applied,
    /// Something failed; the checkout was put back as it was.
    RolledBack,
    /// A captured value failed its grammar, the checkout was not fit to work in, or the
    /// proposer's answer failed validation.
    Refused,
    /// A guard or the pattern said no.
    Skipped,
    /// A word from a newer mcpctl, or none, in a stored report.
    #[default]
    #[serde(other)]
    Other,
}

impl Outcome {
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            Outcome::Planned => "planned",
            Outcome::Applied => "applied",
            Outcome::RolledBack => "rolled_back",
            Outcome::Refused => "refused",
            Outcome::Skipped => "skipped",
            Outcome::Other => "other",
        }
    }
}

/// Also what `report` reads back: a field an older report lacks gets its default.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub(crate) struct FixReport {
    pub fingerprint: String,
    pub repo: Option<String>,
    pub run_id: Option<u64>,
    pub category: String,
    pub key: Option<String>,
    pub recipe: Option<String>,
    pub args: Vec<String>,
    pub outcome: Outcome,
    pub reason: Option<String>,
    /// The commands the recipe runs (argv), or `rerun`.
    pub commands: Vec<Vec<String>>,
    /// The unified diff of the edits mcpctl makes itself (dry run), or `git diff --stat` (applied).
    pub diff: Option<String>,
    pub branch: Option<String>,
    pub commit: Option<String>,
    pub verify_passed: Option<bool>,
    pub verify_tail: Vec<String>,
    pub pr_url: Option<String>,
    pub attempts: u32,
    /// Dry run: the guards `--apply` would stop at now (dirty checkout, window, budget, the
    /// per-run cap), each as the reason it would give.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub would_refuse: Vec<String>,
    /// `fix --propose`: the prompt, redacted, as it was (or would be) sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// `fix --propose`: the proposer's diff, once validated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposal: Option<String>,
    /// `fix --propose`: who wrote it, `argv[0]` or the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposer: Option<String>,
}
