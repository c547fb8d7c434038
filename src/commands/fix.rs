//! `mcpctl fix`: apply the recipe gh-watch matched, in a git checkout, behind guards. Dry-run
//! unless `--apply`; verified before it is committed; rolled back when anything fails.

use std::path::Path;

use chrono::Utc;
use serde::Serialize;

use super::Ctx;
use super::emit::{self, View};
use crate::cli::FixArgs;
use crate::config::FixMode;
use crate::error::{Error, Result};
use crate::exit::{Code, Status};
use crate::fix::fixer::Fixer;
use crate::fix::inflight;
use crate::fix::input;
use crate::fix::ledger::{self, Record};
use crate::fix::outcome::{FixReport, Outcome};
use crate::output::{self, Envelope};

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Body {
    /// False for a dry run (the default): nothing was changed.
    applied: bool,
    mode: String,
    /// The gh-watch report the issues came from.
    source: String,
    fixes: Vec<FixReport>,
}

pub(crate) async fn run(args: FixArgs, ctx: &Ctx) -> Result<Code> {
    let started = Utc::now();
    let (settings, state_dir) = super::settings(ctx).await?;
    if args.history {
        return history(&state_dir, ctx);
    }
    let fix = settings.fix.clone().ok_or_else(|| {
        Error::Usage(
            "fix needs a [fix] table in the config (mode, allowed_repos, allowed_recipes, checkout, verify); see the README".into(),
        )
    })?;
    let source = args
        .from
        .clone()
        .unwrap_or_else(|| crate::state::reports_dir(&state_dir, "gh-watch").join("latest.json"));
    let input = input::read(&source)?;
    let mut issues = input::select(&input, args.fingerprint.as_deref());
    if let Some(fp) = &args.fingerprint
        && issues.is_empty()
    {
        return Err(Error::Usage(format!(
            "no issue with fingerprint {fp} in {}",
            source.display()
        )));
    }
    let _lock = if args.apply {
        Some(crate::state::acquire(&state_dir, ctx.global.wait_lock).await?)
    } else {
        None
    };
    let mut undone = None;
    if args.apply {
        undone = inflight::undo(&state_dir, fix.git_timeout).await?;
    }
    let dirs = settings.github.patterns_dirs.clone();
    let actions = crate::fix::actions::load(&dirs).map_err(Error::Usage)?;
    let mut attempts = ledger::load_attempts(&state_dir);
    let mut fixer = Fixer::new(&settings, &fix, &state_dir, actions, args.apply);
    let mut reports = Vec::new();
    for (run, issue) in issues.drain(..) {
        let report = fixer.one(run, &issue, &mut attempts).await;
        if args.apply && !matches!(report.outcome, Outcome::Planned) {
            let record = Record {
                time: Utc::now(),
                fingerprint: report.fingerprint.clone(),
                repo: report.repo.clone(),
                category: report.category.clone(),
                recipe: report.recipe.clone(),
                outcome: serde_json::to_value(&report.outcome)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                reason: report.reason.clone(),
                verify_passed: report.verify_passed,
                pr_url: report.pr_url.clone(),
                commit: report.commit.clone(),
            };
            if let Err(e) = ledger::append(&state_dir, &record) {
                tracing::warn!("cannot append to the fix history: {e}");
            }
        }
        reports.push(report);
    }
    if args.apply {
        ledger::save_attempts(&state_dir, &attempts)?;
    }
    let (status, mut summary) = judge(&reports, args.apply);
    if let Some(note) = undone {
        summary = format!("{note}; {summary}");
    }
    let env = Envelope::new(
        "fix",
        started,
        status,
        summary,
        Body {
            applied: args.apply,
            mode: mode_name(fix.mode).into(),
            source: source.display().to_string(),
            fixes: reports,
        },
    );
    emit::finish(&env, started, &state_dir, ctx, || view(&env.body)).await
}

fn mode_name(mode: FixMode) -> &'static str {
    match mode {
        FixMode::PullRequest => "pull-request",
        FixMode::Push => "push",
        FixMode::RerunOnly => "rerun-only",
    }
}

fn judge(reports: &[FixReport], applied: bool) -> (Status, String) {
    let count = |f: fn(&Outcome) -> bool| reports.iter().filter(|r| f(&r.outcome)).count();
    let planned = count(|o| matches!(o, Outcome::Planned));
    let done = count(|o| matches!(o, Outcome::Applied));
    let rolled = count(|o| matches!(o, Outcome::RolledBack));
    let refused = count(|o| matches!(o, Outcome::Refused));
    let skipped = count(|o| matches!(o, Outcome::Skipped));
    let budget = reports.iter().any(|r| {
        r.reason
            .as_deref()
            .is_some_and(|w| w.starts_with("attempt budget exhausted"))
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

fn view(body: &Body) -> View {
    let mut table = output::table::new(&[
        "FINGERPRINT",
        "REPO",
        "CATEGORY",
        "RECIPE",
        "OUTCOME",
        "REASON",
    ]);
    let mut problems = Vec::new();
    let mut footnotes = Vec::new();
    for f in &body.fixes {
        let outcome = serde_json::to_value(&f.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        table.add_row(vec![
            f.fingerprint.chars().take(12).collect(),
            f.repo.clone().unwrap_or_default(),
            f.category.clone(),
            f.recipe.clone().unwrap_or_default(),
            outcome.clone(),
            if f.would_refuse.is_empty() {
                f.reason
                    .clone()
                    .or_else(|| f.pr_url.clone())
                    .unwrap_or_default()
            } else {
                format!("would refuse: {}", f.would_refuse.join("; "))
            },
        ]);
        for why in &f.would_refuse {
            footnotes.push(format!("{}: would refuse: {why}", f.fingerprint));
        }
        if matches!(f.outcome, Outcome::RolledBack | Outcome::Refused) {
            problems.push(format!(
                "{} {} ({}): {outcome}: {}",
                f.repo.as_deref().unwrap_or("-"),
                f.category,
                f.fingerprint,
                f.reason.as_deref().unwrap_or("")
            ));
        }
        if matches!(f.outcome, Outcome::Planned) {
            for argv in &f.commands {
                footnotes.push(format!("{}: would run: {}", f.fingerprint, argv.join(" ")));
            }
            if let Some(diff) = &f.diff {
                footnotes.extend(diff.lines().map(str::to_owned));
            }
        }
    }
    View {
        table: Some(table),
        problems,
        footnotes,
        // The plan and the diff are what a dry run is for.
        answer: !body.applied,
        ..View::default()
    }
}

fn history(state_dir: &Path, ctx: &Ctx) -> Result<Code> {
    let records = ledger::history(state_dir);
    if ctx.output.mode == crate::output::Mode::Json {
        let json = serde_json::to_string_pretty(&records).expect("records serialize");
        emit::print(&format!("{json}\n"))?;
        return Ok(Code::Ok);
    }
    if records.is_empty() {
        emit::print("no fix has been attempted yet: `mcpctl fix --apply` records each one\n")?;
        return Ok(Code::Ok);
    }
    let mut table =
        output::table::new(&["TIME", "FINGERPRINT", "REPO", "RECIPE", "OUTCOME", "DETAIL"]);
    for r in &records {
        table.add_row(vec![
            r.time.format("%Y-%m-%d %H:%M").to_string(),
            r.fingerprint.chars().take(12).collect(),
            r.repo.clone().unwrap_or_default(),
            r.recipe.clone().unwrap_or_default(),
            r.outcome.clone(),
            r.pr_url
                .clone()
                .or_else(|| r.reason.clone())
                .unwrap_or_default(),
        ]);
    }
    emit::print(&format!(
        "{table}\n{} recorded\n",
        output::plural(records.len(), "fix", "fixes")
    ))?;
    Ok(Code::Ok)
}
