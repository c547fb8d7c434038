//! `mcpctl gh-watch`: classify why CI failed, in a local log (`--log`) or in GitHub's failed
//! runs (gh_watch_api.rs), once or every `--watch` interval; `--check-patterns` checks the
//! pattern files.

use std::io::BufReader;
use std::path::PathBuf;

use chrono::Utc;
use serde::Serialize;

use super::Ctx;
use super::emit::{self, View};
use crate::ci::{self, Classifier, Issue};
use crate::cli::GhWatchArgs;
use crate::error::{Error, Result};
use crate::exit::{Code, Status};
use crate::output::{self, Envelope};

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Body {
    pub(crate) runs: Vec<RunReport>,
    /// Pattern files in use: the shipped set, then user directories.
    pub(crate) patterns: usize,
    /// Repositories whose list of runs had not changed (GitHub answered 304).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) unchanged: Vec<String>,
    /// GitHub issues opened or commented on for persistent failures (`open_issue_after`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) escalations: Vec<ci::escalate::Escalation>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct RunReport {
    pub(crate) repo: Option<String>,
    pub(crate) run_id: Option<u64>,
    /// 1, then one more at each re-run of the same run id.
    pub(crate) run_attempt: Option<u32>,
    /// What started the run: `push`, `pull_request`, …
    pub(crate) event: Option<String>,
    /// The repository the run's commit comes from; another one than `repo` for a fork's pull
    /// request, which `fix` refuses.
    pub(crate) head_repo: Option<String>,
    pub(crate) workflow: Option<String>,
    pub(crate) branch: Option<String>,
    pub(crate) sha: Option<String>,
    pub(crate) conclusion: Option<String>,
    pub(crate) url: Option<String>,
    /// For `--log`: the file classified.
    pub(crate) source: Option<String>,
    pub(crate) lines: u64,
    pub(crate) jobs: Vec<ci::github::Job>,
    /// Jobs whose log could not be read, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) errors: Vec<String>,
    pub(crate) issues: Vec<Issue>,
    /// With `--explain`: each issue's pattern, regex, line and captures, then the matches that
    /// lost, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) explain: Option<Vec<ci::classify::Explained>>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct CheckBody {
    patterns: usize,
    problems: Vec<String>,
}

pub(crate) async fn run(args: GhWatchArgs, ctx: &Ctx) -> Result<Code> {
    let Some(every) = args.watch else {
        return once(&args, ctx).await;
    };
    if every < std::time::Duration::from_secs(1) {
        return Err(Error::Usage(
            "--watch needs an interval of 1s or more".into(),
        ));
    }
    // Each pass takes the run lock and writes its report; the lock is free while sleeping, and
    // SIGINT or SIGTERM ends the loop wherever it is (exit 130).
    loop {
        match once(&args, ctx).await {
            Ok(_) => {}
            Err(e @ (Error::Locked { .. } | Error::LockTimeout { .. })) => {
                tracing::warn!("{e}; trying again in {}", humantime::format_duration(every));
            }
            Err(e) => return Err(e),
        }
        tokio::time::sleep(every).await;
    }
}

async fn once(args: &GhWatchArgs, ctx: &Ctx) -> Result<Code> {
    let started = Utc::now();
    let (settings, state_dir) = super::settings(ctx).await?;
    let dirs = pattern_dirs(args, &settings.github.patterns_dirs);
    let patterns = ci::patterns::load(&dirs).map_err(Error::Usage)?;
    if args.check_patterns {
        return check_patterns(&patterns, started, &state_dir, ctx).await;
    }
    let Some(log) = args.log.clone() else {
        let engine = Classifier::new(patterns).map_err(Error::Usage)?;
        return super::gh_watch_api::watch(args, &settings, &engine, started, &state_dir, ctx)
            .await;
    };
    let count = patterns.len();
    let engine = Classifier::new(patterns).map_err(Error::Usage)?;
    let classified = if log.as_os_str() == "-" {
        engine.classify(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&log)
            .map_err(|e| Error::io(format!("cannot read the log {}", log.display()), e))?;
        engine.classify(BufReader::with_capacity(1 << 20, file))
    }
    .map_err(|e| Error::io("cannot read the log", e))?;
    let explain = args.explain.then(|| ci::classify::explain(&classified));
    let mut issues = classified.issues;
    for issue in &mut issues {
        issue.fingerprint = ci::fingerprint(
            &issue.category,
            issue.key.as_deref(),
            args.repo.as_deref().unwrap_or(""),
            args.workflow.as_deref().unwrap_or(""),
            args.job.as_deref().unwrap_or(""),
        );
        issue.job.clone_from(&args.job);
        // No history offline: only what a first sighting says.
        issue.recurrence =
            ci::history::History::default().recurrence(&issue.fingerprint, &issue.category, "", 0);
    }
    let status = if issues.is_empty() {
        Status::Ok
    } else {
        Status::Warning
    };
    let summary = match issues.first() {
        None => format!("{} lines: no failure recognised", classified.lines),
        Some(top) => format!(
            "{} lines: {} ({}){}",
            classified.lines,
            top.category,
            top.key.as_deref().unwrap_or("-"),
            if issues.len() > 1 {
                format!(", and {} more", issues.len() - 1)
            } else {
                String::new()
            }
        ),
    };
    let run = RunReport {
        repo: args.repo.clone(),
        run_id: None,
        run_attempt: None,
        event: None,
        head_repo: None,
        workflow: args.workflow.clone(),
        branch: None,
        sha: None,
        conclusion: None,
        url: None,
        source: Some(log.display().to_string()),
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

/// `[github] patterns_dirs` then `--patterns-dir`; with neither,
/// `$XDG_CONFIG_HOME/mcpctl/patterns` when it exists.
fn pattern_dirs(args: &GhWatchArgs, configured: &[PathBuf]) -> Vec<PathBuf> {
    if !args.patterns_dir.is_empty() || !configured.is_empty() {
        return configured
            .iter()
            .chain(&args.patterns_dir)
            .cloned()
            .collect();
    }
    crate::config::config_home()
        .map(|h| h.join("mcpctl").join("patterns"))
        .filter(|d| d.is_dir())
        .into_iter()
        .collect()
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
            footnotes.extend(explain_lines(e));
        }
    }
    View {
        table: Some(table),
        problems,
        footnotes,
        perfdata: Vec::new(),
    }
}

/// `--explain` in words: a few lines per match.
fn explain_lines(e: &ci::classify::Explained) -> Vec<String> {
    let head = match e.rank {
        Some(r) => format!("#{r}"),
        None => "lost".into(),
    };
    let mut lines = vec![format!(
        "{head} {} ({}): pattern {} ({}), line {}, {} {}, priority {}{}",
        e.category,
        e.key.as_deref().unwrap_or("-"),
        e.pattern_id,
        e.pattern_source,
        e.line_number,
        e.severity,
        e.role,
        e.priority,
        if e.in_failing_step {
            ""
        } else {
            ", outside the failing step"
        }
    )];
    if !e.regex.is_empty() {
        lines.push(format!("   regex:    {}", e.regex));
    }
    lines.push(format!("   line:     {}", e.line));
    if !e.captures.is_empty() {
        let caps: Vec<String> = e.captures.iter().map(|(k, v)| format!("{k}={v}")).collect();
        lines.push(format!("   captures: {}", caps.join(", ")));
    }
    if let Some(lost) = &e.lost {
        lines.push(format!("   {lost}"));
    }
    lines
}
