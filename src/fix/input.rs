//! Reading the stored gh-watch report that `fix` acts on, as gh-watch's own report type.

use std::path::Path;

use crate::ci::Issue;
use crate::error::{Error, Result};
use crate::reports::gh_watch::{Body, RunReport};

pub(crate) fn read(path: &Path) -> Result<Body> {
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
    input: &'a Body,
    fingerprint: Option<&str>,
) -> Vec<(&'a RunReport, Issue)> {
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
