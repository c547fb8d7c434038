//! The part of a stored gh-watch report that `fix` reads. Everything else in the file is
//! ignored, so newer reports with more fields still load.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// The fields of a stored gh-watch report that `fix` reads; the rest is ignored.
#[derive(Debug, Deserialize)]
pub(crate) struct Input {
    #[serde(default)]
    pub runs: Vec<InputRun>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct InputRun {
    pub repo: Option<String>,
    pub run_id: Option<u64>,
    pub workflow: Option<String>,
    pub branch: Option<String>,
    pub sha: Option<String>,
    pub url: Option<String>,
    /// The repository the failing commit belongs to (a fork's, for its pull requests).
    pub head_repo: Option<String>,
    #[serde(default)]
    pub jobs: Vec<InputJob>,
    #[serde(default)]
    pub issues: Vec<InputIssue>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct InputJob {
    pub name: String,
    /// The step that failed first, as GitHub names it ("Run pytest").
    pub failing_step: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct InputIssue {
    pub category: String,
    pub key: Option<String>,
    #[serde(default)]
    pub captures: BTreeMap<String, String>,
    #[serde(default)]
    pub line: String,
    #[serde(default)]
    pub context: Vec<String>,
    #[serde(default)]
    pub pattern_id: String,
    #[serde(default)]
    pub auto_fixable: bool,
    pub fix: Option<InputFix>,
    #[serde(default)]
    pub description: String,
    pub fingerprint: String,
    /// The job the issue was found in.
    pub job: Option<String>,
    /// From gh-watch's history; absent in reports before it existed.
    pub recurrence: Option<crate::ci::history::Recurrence>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct InputFix {
    pub recipe: String,
    #[serde(default)]
    pub args: Vec<String>,
}

pub(crate) fn read(path: &Path) -> Result<Input> {
    let bytes = std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Usage(format!(
                "no gh-watch report at {}; run `mcpctl gh-watch` first, or pass --from REPORT",
                path.display()
            ))
        } else {
            Error::io(format!("cannot read {}", path.display()), e)
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::Usage(format!(
            "{}:{}:{}: not a gh-watch report: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

/// Each fingerprint once, from the newest run that has it (gh-watch lists runs newest first).
pub(crate) fn select<'a>(
    input: &'a Input,
    fingerprint: Option<&str>,
) -> Vec<(&'a InputRun, InputIssue)> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for run in &input.runs {
        for issue in &run.issues {
            let wanted =
                fingerprint.is_none_or(|fp| fp.len() >= 6 && issue.fingerprint.starts_with(fp));
            if wanted && seen.insert(issue.fingerprint.clone()) {
                out.push((run, issue.clone()));
            }
        }
    }
    out
}
