//! The read-only tools: the same domain calls as `health-check`, `report`, `emergency --status`,
//! `gh-watch --log` and `fix` (dry run). None of them stores a report or takes the run lock.

use std::time::Duration;

use chrono::Utc;

use super::tools::{
    BackupStatusOut, CiFailuresArgs, CiFailuresOut, CiFix, CiIssue, ClassifyLogArgs,
    ClassifyLogOut, EmergencyOut, FixOut, FixPlanArgs, HealthCheckArgs, HealthCheckOut,
    HistoryArgs, HistoryOut, ListServersOut, NoArgs, ServerRow,
};
use super::{Answer, Refusal, Shared, answer};
use crate::config::ServerConfig;
use crate::inventory::{self, Inventory};

/// The largest log `classify_log` takes.
const MAX_LOG: usize = 16 * 1024 * 1024;
const DEFAULT_WINDOW: Duration = Duration::from_secs(7 * 86_400);

fn inventory(s: &Shared) -> Result<Inventory, Refusal> {
    Ok(inventory::build(
        &s.settings,
        inventory::discovers(&s.settings),
        &[],
    )?)
}

/// The named servers, in the inventory's order; an unknown name is refused with the known ones.
pub(super) fn pick(
    servers: Vec<ServerConfig>,
    names: Option<&[String]>,
) -> Result<Vec<ServerConfig>, Refusal> {
    let Some(names) = names.filter(|n| !n.is_empty()) else {
        return Ok(servers);
    };
    if let Some(unknown) = names
        .iter()
        .find(|n| !servers.iter().any(|s| &s.name == *n))
    {
        let known: Vec<&str> = servers.iter().map(|s| s.name.as_str()).collect();
        return Err(Refusal(format!(
            "no server named `{unknown}`; known: {}",
            known.join(", ")
        )));
    }
    Ok(servers
        .into_iter()
        .filter(|s| names.contains(&s.name))
        .collect())
}

pub(super) fn list_servers(s: &Shared, _: NoArgs) -> Answer {
    let inv = inventory(s)?;
    let out = ListServersOut {
        servers: inv
            .servers
            .iter()
            .map(|c| ServerRow {
                name: c.name.clone(),
                transport: c.transport_label().to_owned(),
                critical: c.critical,
                sources: c.origins.clone(),
                recoverable: c.recover.is_some(),
            })
            .collect(),
        discovery_problems: inv.problems,
    };
    let summary = format!(
        "{} servers: {}",
        out.servers.len(),
        out.servers
            .iter()
            .map(|r| format!("{} ({})", r.name, r.transport))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(answer(summary, &out))
}

/// The probe options and the run's deadline, as `health-check` makes them.
pub(super) fn probe_plan(s: &Shared, check_modern: bool) -> (crate::health::Options, Duration) {
    let opts = crate::health::Options::new(
        &s.settings,
        check_modern || s.settings.health_check.check_modern,
    );
    let deadline = s
        .settings
        .health_check
        .deadline
        .unwrap_or(crate::config::DEFAULT_DEADLINE);
    (opts, deadline)
}

pub(super) async fn health_check(s: &Shared, args: HealthCheckArgs) -> Answer {
    let inv = inventory(s)?;
    let servers = pick(inv.servers, args.servers.as_deref())?;
    let (mut opts, budget) = probe_plan(s, args.check_modern.unwrap_or(false));
    // Drift against the baselines health-check keeps; a read takes none and changes none.
    opts.state_dir = Some(s.state_dir.clone());
    opts.drift_read_only = true;
    let deadline = tokio::time::Instant::now() + budget;
    let reports = crate::health::check_all(&servers, &opts, deadline).await;
    let (status, summary) = crate::health::verdict(&reports, &inv.problems);
    let out = HealthCheckOut {
        status,
        summary: summary.clone(),
        client_capabilities: crate::probe::jsonrpc::client_capabilities(),
        servers: reports,
        discovery_problems: inv.problems,
    };
    Ok(answer(format!("{}: {summary}", status.label()), &out))
}

fn window(since: Option<&str>) -> Result<(chrono::DateTime<Utc>, chrono::DateTime<Utc>), Refusal> {
    let length = match since {
        Some(text) => humantime::parse_duration(text)
            .map_err(|e| Refusal(format!("since: {e} (write durations like 24h, 7d, 30d)")))?,
        None => DEFAULT_WINDOW,
    };
    let to = Utc::now();
    let from = chrono::Duration::from_std(length)
        .ok()
        .and_then(|d| to.checked_sub_signed(d))
        .filter(|from| *from < to)
        .ok_or_else(|| {
            Refusal("since: the window must be longer than zero and end after year 0".into())
        })?;
    Ok((from, to))
}

async fn figures(
    s: &Shared,
    from: chrono::DateTime<Utc>,
    to: chrono::DateTime<Utc>,
    servers: Vec<String>,
) -> Result<crate::report::Figures, Refusal> {
    let opts = crate::report::Options {
        from,
        to,
        configured_servers: s
            .settings
            .servers
            .iter()
            .map(|c| c.name.clone())
            .filter(|n| servers.is_empty() || servers.contains(n))
            .collect(),
        current_servers: crate::report::current_servers(&s.settings, &servers),
        servers,
        configured_targets: s
            .settings
            .backup
            .as_ref()
            .map(|b| b.targets.iter().map(|t| t.name.clone()).collect())
            .unwrap_or_default(),
        settings: s.settings.report,
    };
    let dir = s.state_dir.clone();
    tokio::task::spawn_blocking(move || crate::report::compute(&dir, &opts, &|_| Vec::new()))
        .await
        .map_err(|e| Refusal(format!("the figures could not be computed: {e}")))
}

pub(super) async fn server_history(s: &Shared, args: HistoryArgs) -> Answer {
    let (from, to) = window(args.since.as_deref())?;
    let f = figures(s, from, to, args.servers.unwrap_or_default()).await?;
    let lines: Vec<String> = f
        .servers
        .iter()
        .map(|sv| {
            format!(
                "{}: uptime {}, {} incidents, MTTR {}",
                sv.name,
                sv.uptime_pct
                    .map_or_else(|| "unknown".to_owned(), |u| format!("{u}%")),
                sv.incidents,
                sv.mttr_s.map_or_else(
                    || "-".to_owned(),
                    #[allow(clippy::cast_possible_truncation)]
                    |m| crate::report::age(m.round() as i64),
                )
            )
        })
        .collect();
    let summary = format!(
        "{} servers over {}: {}",
        f.servers.len(),
        crate::report::label(from, to),
        if lines.is_empty() {
            "no history".to_owned()
        } else {
            lines.join("; ")
        }
    );
    let out = HistoryOut {
        window: f.window,
        servers: f.servers,
        sources: f.sources,
    };
    Ok(answer(summary, &out))
}

pub(super) async fn backup_status(s: &Shared, _: NoArgs) -> Answer {
    let (from, to) = window(None)?;
    let f = figures(s, from, to, Vec::new()).await?;
    let b = f.backups;
    let stale = b.locations.iter().filter(|l| l.stale).count();
    let summary = if s.settings.backup.is_none() && b.locations.is_empty() {
        "no [backup] section in the config, and no backup history".to_owned()
    } else {
        format!(
            "{} target locations with a verified copy ({stale} stale); {} targets unprotected{}",
            b.locations.len(),
            b.unprotected.len(),
            if b.unprotected.is_empty() {
                String::new()
            } else {
                format!(": {}", b.unprotected.join(", "))
            }
        )
    };
    let out = BackupStatusOut {
        configured: s.settings.backup.is_some(),
        backups: b,
    };
    Ok(answer(summary, &out))
}

pub(super) fn emergency_view(s: &Shared, state: &crate::emergency::State) -> EmergencyOut {
    EmergencyOut {
        active: state.active,
        since: state.since,
        updated: state.updated,
        env_file: crate::emergency::env_file(&s.settings, &s.state_dir),
        servers: state
            .modes
            .iter()
            .map(|(name, mode)| crate::emergency::ServerMode {
                name: name.clone(),
                mode: *mode,
                reason: None,
            })
            .collect(),
    }
}

pub(super) fn emergency_summary(out: &EmergencyOut) -> String {
    let off: Vec<String> = out
        .servers
        .iter()
        .filter(|m| m.mode != crate::emergency::Mode::Mcp)
        .map(|m| format!("{} {}", m.name, m.mode.as_str()))
        .collect();
    match (out.active, out.since) {
        (true, Some(since)) => format!(
            "emergency mode since {}: {}",
            since.to_rfc3339(),
            off.join(", ")
        ),
        (true, None) => format!("emergency mode: {}", off.join(", ")),
        (false, _) => "normal mode: every server uses MCP".to_owned(),
    }
}

#[allow(clippy::unnecessary_wraps)]
pub(super) fn emergency_status(s: &Shared, _: NoArgs) -> Answer {
    let state = crate::emergency::load(&s.state_dir);
    let out = emergency_view(s, &state);
    Ok(answer(emergency_summary(&out), &out))
}

fn gh_watch_latest(s: &Shared) -> std::path::PathBuf {
    crate::state::reports_dir(&s.state_dir, "gh-watch").join("latest.json")
}

pub(super) fn ci_failures(s: &Shared, args: &CiFailuresArgs) -> Answer {
    let source = gh_watch_latest(s);
    let input = crate::fix::input::read(&source)?;
    let mut issues = Vec::new();
    for run in &input.runs {
        if args.repo.as_deref().is_some_and(|r| {
            !run.repo
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(r))
        }) {
            continue;
        }
        for i in &run.issues {
            issues.push(CiIssue {
                fingerprint: i.fingerprint.clone(),
                repo: run.repo.clone(),
                run_id: run.run_id,
                workflow: run.workflow.clone(),
                branch: run.branch.clone(),
                job: i.job.clone(),
                category: i.category.clone(),
                key: i.key.clone(),
                recurrence: i.recurrence,
                auto_fixable: i.auto_fixable,
                fix: i.fix.as_ref().map(|f| CiFix {
                    recipe: f.recipe.clone(),
                    args: f.args.clone(),
                }),
                description: i.description.clone(),
                line: i.line.clone(),
            });
        }
    }
    let summary = format!(
        "{} issues in the newest gh-watch report: {}",
        issues.len(),
        issues
            .iter()
            .take(10)
            .map(|i| format!(
                "{} {} ({}, {})",
                i.fingerprint,
                i.category,
                i.key.as_deref().unwrap_or("-"),
                i.recurrence.as_str()
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let out = CiFailuresOut {
        source: source.display().to_string(),
        issues,
    };
    Ok(answer(summary, &out))
}

pub(super) fn classify_log(s: &Shared, args: &ClassifyLogArgs) -> Answer {
    if args.log.len() > MAX_LOG {
        return Err(Refusal(format!(
            "log: {} bytes is over the {MAX_LOG} this tool takes; use `mcpctl gh-watch --log FILE`",
            args.log.len()
        )));
    }
    let dirs = crate::ci::patterns::dirs(&s.settings.github.patterns_dirs, &[]);
    let patterns = crate::ci::patterns::load(&dirs).map_err(|e| Refusal(e.to_string()))?;
    let engine = crate::ci::Classifier::new(patterns).map_err(|e| Refusal(e.to_string()))?;
    let origin = crate::ci::LogOrigin {
        repo: args.repo.as_deref(),
        workflow: args.workflow.as_deref(),
        job: args.job.as_deref(),
        failed: args.failed,
    };
    let classified = crate::ci::classify_log(&engine, args.log.as_bytes(), &origin)
        .map_err(|e| Refusal(format!("cannot read the log: {e}")))?;
    let summary = crate::ci::log_summary(classified.lines, &classified.issues);
    let out = ClassifyLogOut {
        lines: classified.lines,
        summary: summary.clone(),
        issues: classified.issues,
    };
    Ok(answer(summary, &out))
}

pub(super) fn fix_settings(s: &Shared) -> Result<&crate::config::FixSettings, Refusal> {
    s.settings.fix.as_ref().ok_or_else(|| {
        Refusal("fix needs a [fix] table in the config (mode, allowed_repos, allowed_recipes, checkout, verify); see the README".into())
    })
}

pub(super) async fn fix_plan(s: &Shared, args: FixPlanArgs) -> Answer {
    let fix = fix_settings(s)?;
    let source = gh_watch_latest(s);
    let opts = crate::fix::run::Options {
        fix,
        source: &source,
        fingerprint: Some(&args.fingerprint),
        apply: false,
    };
    let pass = crate::fix::run::run(&s.settings, &s.state_dir, &opts).await?;
    let out = FixOut {
        mode: crate::fix::run::mode_name(fix.mode).into(),
        source: source.display().to_string(),
        fixes: pass.reports,
    };
    Ok(answer(pass.summary, &out))
}
