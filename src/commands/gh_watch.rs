//! `mcpctl gh-watch`: classify why CI failed, in a local log (`--log`) or in GitHub's failed
//! runs (gh_watch_api.rs), once or every `--watch` interval; `--check-patterns` checks the
//! pattern files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;

use super::Ctx;
use super::emit::{self, View};
use crate::ci::{self, Classifier};
use crate::cli::GhWatchArgs;
use crate::error::{Error, Result};
use crate::exit::{Code, Status};
use crate::output::{self, Envelope};
use crate::reports::gh_watch::{Body, CheckBody, RunReport};

/// What one invocation does. clap keeps the flags of different modes apart; this is the one
/// place that reads them, and the rest matches on the mode.
enum Mode<'a> {
    CheckPatterns,
    Log {
        path: &'a Path,
        explain: bool,
        origin: ci::LogOrigin<'a>,
    },
    Runs {
        all: bool,
        every: Option<Duration>,
    },
}

fn mode(args: &GhWatchArgs) -> Result<Mode<'_>> {
    if args.check_patterns {
        return Ok(Mode::CheckPatterns);
    }
    if let Some(path) = &args.log {
        return Ok(Mode::Log {
            path,
            explain: args.explain,
            origin: ci::LogOrigin {
                repo: args.repo.as_deref(),
                workflow: args.workflow.as_deref(),
                job: args.job.as_deref(),
                failed: args.failed,
            },
        });
    }
    if args
        .watch
        .is_some_and(|every| every < Duration::from_secs(1))
    {
        return Err(Error::Usage(
            "--watch needs an interval of 1s or more".into(),
        ));
    }
    Ok(Mode::Runs {
        all: args.all,
        every: args.watch,
    })
}

pub(crate) async fn run(args: GhWatchArgs, ctx: &Ctx) -> Result<Code> {
    let mode = mode(&args)?;
    let Mode::Runs {
        every: Some(every), ..
    } = mode
    else {
        return once(&mode, &args.patterns_dir, ctx).await;
    };
    // Each pass takes the run lock and writes its report; the lock is free while sleeping, and
    // SIGINT or SIGTERM ends the loop wherever it is (exit 130).
    loop {
        match once(&mode, &args.patterns_dir, ctx).await {
            Ok(_) => {}
            Err(e @ (Error::Locked { .. } | Error::LockTimeout { .. })) => {
                tracing::warn!("{e}; trying again in {}", humantime::format_duration(every));
            }
            Err(e) => return Err(e),
        }
        tokio::time::sleep(every).await;
    }
}

async fn once(mode: &Mode<'_>, patterns_dirs: &[PathBuf], ctx: &Ctx) -> Result<Code> {
    let started = Utc::now();
    let (settings, state_dir) = super::load_and_begin(ctx).await?;
    let dirs = ci::patterns::dirs(&settings.github.patterns_dirs, patterns_dirs);
    let patterns = ci::patterns::load(&dirs)?;
    let (path, explain, origin) = match mode {
        Mode::CheckPatterns => return check_patterns(&patterns, started, &state_dir, ctx).await,
        Mode::Runs { all, .. } => {
            let engine = Classifier::new(patterns)?;
            let opts = ci::watch::Options {
                all: *all,
                wait_lock: ctx.global.wait_lock,
            };
            let out = ci::watch::pass(&settings, &engine, &state_dir, &opts).await?;
            let env = Envelope::new("gh-watch", started, out.status, out.summary, out.body);
            return emit::finish(&env, started, &state_dir, ctx, || view(&env.body)).await;
        }
        Mode::Log {
            path,
            explain,
            origin,
        } => (*path, *explain, origin),
    };
    let count = patterns.len();
    let engine = Classifier::new(patterns)?;
    let classified = ci::classify_log_path(engine, path, origin).await?;
    let explain = explain.then(|| ci::classify::explain(&classified));
    let issues = classified.issues;
    let status = if issues.is_empty() {
        Status::Ok
    } else {
        Status::Warning
    };
    let summary = ci::log_summary(classified.lines, &issues);
    let run = RunReport {
        repo: origin.repo.map(str::to_owned),
        run_id: None,
        run_attempt: None,
        event: None,
        head_repo: None,
        workflow: origin.workflow.map(str::to_owned),
        branch: None,
        sha: None,
        conclusion: None,
        url: None,
        source: Some(path.display().to_string()),
        lines: classified.lines,
        jobs: Vec::new(),
        errors: Vec::new(),
        issues,
        explain,
    };
    let env = Envelope::new(
        "gh-watch",
        started,
        status,
        summary,
        Body {
            runs: vec![run],
            patterns: count,
            unchanged: Vec::new(),
            escalations: Vec::new(),
        },
    );
    emit::finish(&env, started, &state_dir, ctx, || view(&env.body)).await
}

async fn check_patterns(
    patterns: &[ci::Pattern],
    started: chrono::DateTime<Utc>,
    state_dir: &std::path::Path,
    ctx: &Ctx,
) -> Result<Code> {
    let problems = ci::check_fixtures(patterns);
    let status = if problems.is_empty() {
        Status::Ok
    } else {
        Status::Critical
    };
    let fixtures: usize = patterns
        .iter()
        .map(|p| p.fixtures.len() + p.negatives.len())
        .sum();
    let summary = format!(
        "{} patterns, {fixtures} fixtures: {} problems",
        patterns.len(),
        problems.len()
    );
    let body = CheckBody {
        patterns: patterns.len(),
        problems,
    };
    let env = Envelope::new("gh-watch", started, status, summary, body);
    emit::finish(&env, started, state_dir, ctx, || View {
        problems: env.body.problems.clone(),
        ..View::default()
    })
    .await
}

pub(crate) fn view(body: &Body) -> View {
    let mut table = output::table::new(&["CATEGORY", "KEY", "LINE", "PATTERN", "CONFIDENCE"]);
    let mut problems = Vec::new();
    for run in &body.runs {
        for i in &run.issues {
            table.add_row(vec![
                i.category.clone(),
                i.key.clone().unwrap_or_default(),
                i.line_number.to_string(),
                i.pattern_id.clone(),
                format!("{:.2}", i.confidence),
            ]);
            problems.push(format!(
                "{} ({}): line {}: {}{}",
                i.category,
                i.key.as_deref().unwrap_or("-"),
                i.line_number,
                i.description,
                i.hint
                    .as_deref()
                    .map(|h| format!(" — next: {h}"))
                    .unwrap_or_default()
            ));
        }
    }
    let mut footnotes = Vec::new();
    for run in &body.runs {
        for e in run.explain.iter().flatten() {
            footnotes.extend(output::explain::lines(e));
        }
    }
    View {
        table_has_problems: false,
        answer: false,
        table: Some(table),
        problems,
        footnotes,
        perfdata: Vec::new(),
    }
}
