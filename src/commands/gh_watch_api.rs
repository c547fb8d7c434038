//! `gh-watch` against GitHub: for each configured repository, the failed runs of the lookback
//! window that were not classified before, their failing jobs' logs, and the issues in them.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::Utc;

use super::Ctx;
use super::emit;
use super::gh_watch::{Body, RunReport};
use crate::ci::{self, Classifier, github};
use crate::cli::GhWatchArgs;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::exit::{Code, Status};
use crate::output::Envelope;
use crate::state;

/// Run ids remembered per repository: enough for weeks of hourly cron.
const REMEMBER: usize = 2000;

pub(crate) async fn watch(
    args: &GhWatchArgs,
    settings: &Settings,
    engine: &Classifier,
    started: chrono::DateTime<Utc>,
    state_dir: &Path,
    ctx: &Ctx,
) -> Result<Code> {
    let gh = &settings.github;
    if gh.repos.is_empty() {
        return Err(Error::Usage(
            "no repositories to watch: add [github] repos = [\"owner/name\"] to the config, or classify a log with --log FILE".into(),
        ));
    }
    if let Some(bad) = gh.repos.iter().find(|r| !valid_repo(r)) {
        return Err(Error::Usage(format!(
            "[github] repos: `{bad}` is not owner/name"
        )));
    }
    let token = token(gh.token.as_deref())?;
    let api_url = if gh.api_url.is_empty() {
        "https://api.github.com"
    } else {
        gh.api_url.as_str()
    };
    let client =
        github::Client::new(api_url, &token, settings.defaults.timeout).map_err(Error::Usage)?;
    let _lock = state::acquire(state_dir, ctx.global.wait_lock).await?;
    let seen_path = state_dir.join("gh-watch").join("seen.json");
    let mut seen: BTreeMap<String, Vec<u64>> = std::fs::read(&seen_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let since =
        Utc::now() - chrono::Duration::from_std(gh.lookback).unwrap_or(chrono::Duration::days(1));
    let mut runs = Vec::new();
    let mut problems = Vec::new();
    'repos: for repo in &gh.repos {
        let failed = match client.failed_runs(repo, since, &gh.branches).await {
            Ok(f) => f,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let known = seen.entry(repo.clone()).or_default();
        for run in failed {
            if !args.all && known.contains(&run.id) {
                continue;
            }
            match classify_run(&client, engine, repo, &run).await {
                Ok(report) => {
                    known.push(run.id);
                    runs.push(report);
                }
                Err(e) => {
                    // A rate limit or an outage: stop here, report what was done.
                    problems.push(e);
                    break 'repos;
                }
            }
        }
        let excess = known.len().saturating_sub(REMEMBER);
        known.drain(..excess);
    }
    state::ensure_dir(&state_dir.join("gh-watch"))?;
    state::write_atomic(
        &seen_path,
        &serde_json::to_vec(&seen).expect("serializes"),
        0o600,
    )?;
    let issues: usize = runs.iter().map(|r| r.issues.len()).sum();
    let status = if !problems.is_empty() || !runs.is_empty() {
        Status::Warning
    } else {
        Status::Ok
    };
    let mut summary = format!(
        "{} repos: {} new failed runs, {issues} issues",
        gh.repos.len(),
        runs.len()
    );
    if !problems.is_empty() {
        summary.push_str(&format!("; partial: {}", problems.join("; ")));
    }
    let body = Body {
        runs,
        patterns: engine.patterns().len(),
    };
    let env = Envelope::new("gh-watch", started, status, summary, body);
    emit::finish(&env, started, state_dir, ctx, || {
        super::gh_watch::view(&env.body)
    })
    .await
}

async fn classify_run(
    client: &github::Client,
    engine: &Classifier,
    repo: &str,
    run: &github::Run,
) -> std::result::Result<RunReport, String> {
    let jobs = client.failed_jobs(repo, run.id).await?;
    let mut issues = Vec::new();
    let mut errors = Vec::new();
    let mut lines = 0;
    for job in &jobs {
        let log = match client.job_log(repo, job.id).await {
            Ok(l) => l,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let classified = engine
            .classify(log.as_slice())
            .map_err(|e| format!("cannot read the log of job {}: {e}", job.id))?;
        lines += classified.lines;
        for mut issue in classified.issues {
            issue.fingerprint = ci::fingerprint(
                &issue.category,
                issue.key.as_deref(),
                repo,
                run.name.as_deref().unwrap_or(""),
                &job.name,
            );
            issues.push(issue);
        }
    }
    issues.sort_by_key(|i| std::cmp::Reverse(i.priority));
    Ok(RunReport {
        repo: Some(repo.to_owned()),
        run_id: Some(run.id),
        workflow: run.name.clone(),
        branch: run.head_branch.clone(),
        sha: Some(run.head_sha.clone()),
        conclusion: run.conclusion.clone(),
        url: Some(run.html_url.clone()),
        source: None,
        lines,
        jobs,
        errors,
        issues,
    })
}

fn valid_repo(r: &str) -> bool {
    let mut parts = r.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

/// `[github] token` (with `${VAR}`), else `gh auth token` when gh is installed.
pub(crate) fn token(configured: Option<&str>) -> Result<String> {
    if let Some(t) = configured {
        let (value, missing) = crate::config::expand(t, &|n| std::env::var(n).ok());
        if let Some(var) = missing.first() {
            return Err(Error::Usage(format!(
                "[github] token needs ${var}, which is not set"
            )));
        }
        if !value.trim().is_empty() {
            return Ok(value.trim().to_owned());
        }
    }
    let out = std::process::Command::new("gh")
        .args(["auth", "token"])
        .stdin(std::process::Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() && !o.stdout.trim_ascii().is_empty() => {
            Ok(String::from_utf8_lossy(o.stdout.trim_ascii()).into_owned())
        }
        _ => Err(Error::Usage(
            "no GitHub token: set [github] token = \"${GITHUB_TOKEN}\", or log in with `gh auth login`".into(),
        )),
    }
}
