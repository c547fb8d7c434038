//! One `fix` pass over a gh-watch report's issues: the guards and the plan for each, and with
//! `apply` the in-flight undo, the attempts, the history. Shared by `mcpctl fix` and the MCP
//! server's `fix_plan`, `fix_apply` and `rerun`.

use std::path::Path;

use chrono::Utc;

use super::fixer::Fixer;
use super::ledger::{self, Record};
use super::outcome::{FixReport, Outcome};
use crate::config::{FixMode, FixSettings, Settings};
use crate::error::{Error, Result};
use crate::exit::Status;

/// What the pass works on and whether it acts.
pub(crate) struct Options<'a> {
    pub fix: &'a FixSettings,
    /// A gh-watch report.
    pub source: &'a Path,
    /// Only the issue with this fingerprint (or its first 6+ characters).
    pub fingerprint: Option<&'a str>,
    pub apply: bool,
}

pub(crate) struct Pass {
    pub reports: Vec<FixReport>,
    pub status: Status,
    pub summary: String,
}

/// The issues of `opts.source` through the guards, the plan and, with `apply`, the fix. The
/// caller holds the run lock when it applies.
pub(crate) async fn run(settings: &Settings, state_dir: &Path, opts: &Options<'_>) -> Result<Pass> {
    let input = super::input::read(opts.source)?;
    let mut issues = super::input::select(&input, opts.fingerprint);
    if let Some(fp) = opts.fingerprint
        && issues.is_empty()
    {
        return Err(Error::Usage(format!(
            "no issue with fingerprint {fp} in {}",
            opts.source.display()
        )));
    }
    let mut undone = None;
    if opts.apply {
        undone = super::inflight::undo(state_dir, opts.fix.git_timeout).await?;
    }
    let actions = super::actions::load(&settings.github.patterns_dirs)
        .map_err(|e| Error::Usage(e.to_string()))?;
    let mut attempts = ledger::load_attempts(state_dir);
    let mut fixer = Fixer::new(settings, opts.fix, state_dir, actions, opts.apply);
    let mut reports = Vec::new();
    for (run, issue) in issues.drain(..) {
        let report = fixer.one(run, &issue, &mut attempts).await;
        if opts.apply && !matches!(report.outcome, Outcome::Planned) {
            let record = Record {
                time: Utc::now(),
                fingerprint: report.fingerprint.clone(),
                repo: report.repo.clone(),
                category: report.category.clone(),
                recipe: report.recipe.clone(),
                outcome: report.outcome.as_str().to_owned(),
                reason: report.reason.clone(),
                verify_passed: report.verify_passed,
                pr_url: report.pr_url.clone(),
                commit: report.commit.clone(),
                prompt: None,
                answer: None,
            };
            if let Err(e) = ledger::append(state_dir, &record) {
                tracing::warn!("cannot append to the fix history: {e}");
            }
        }
        reports.push(report);
    }
    if opts.apply {
        ledger::save_attempts(state_dir, &attempts)?;
    }
    let (status, mut summary) = judge(&reports, opts.apply);
    if let Some(note) = undone {
        summary = format!("{note}; {summary}");
    }
    Ok(Pass {
        reports,
        status,
        summary,
    })
}

pub(crate) fn mode_name(mode: FixMode) -> &'static str {
    match mode {
        FixMode::PullRequest => "pull-request",
        FixMode::Push => "push",
        FixMode::RerunOnly => "rerun-only",
    }
}

pub(crate) fn judge(reports: &[FixReport], applied: bool) -> (Status, String) {
    let count = |f: fn(&Outcome) -> bool| reports.iter().filter(|r| f(&r.outcome)).count();
    let planned = count(|o| matches!(o, Outcome::Planned));
    let done = count(|o| matches!(o, Outcome::Applied));
    let rolled = count(|o| matches!(o, Outcome::RolledBack));
    let refused = count(|o| matches!(o, Outcome::Refused));
    let skipped = count(|o| matches!(o, Outcome::Skipped));
    let budget = reports.iter().any(|r| {
        r.reason.as_deref().is_some_and(|w| {
            w.starts_with("attempt budget exhausted") || w.starts_with("max_calls_per_day")
        })
    });
    // What --apply would refuse counts as it would then: a spent budget or work in progress is
    // a warning, the window and the per-run cap are policy.
    let policy =
        |w: &str| w.starts_with("outside the [fix] window") || w.starts_with("max_fixes_per_run");
    let would = reports
        .iter()
        .filter(|r| !r.would_refuse.is_empty())
        .count();
    let would_warn = reports
        .iter()
        .any(|r| r.would_refuse.iter().any(|w| !policy(w)));
    let status = if rolled > 0 {
        Status::Critical
    } else if refused > 0 || budget || would_warn {
        Status::Warning
    } else {
        Status::Ok
    };
    let summary = if reports.is_empty() {
        "no issues in the gh-watch report".to_owned()
    } else if applied {
        format!("{done} applied, {rolled} rolled back, {refused} refused, {skipped} skipped")
    } else {
        let held = if would > 0 {
            format!(" ({would} of them would be refused now)")
        } else {
            String::new()
        };
        format!(
            "dry run: {planned} planned{held}, {refused} refused, {skipped} skipped; --apply acts"
        )
    };
    (status, summary)
}
