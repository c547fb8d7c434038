//! `mcpctl report`: reliability figures from the stored reports, as a table, JSON, markdown or
//! an HTML page; `--notify` posts the summary; `--prune` deletes old reports.

use chrono::{DateTime, NaiveDate, Utc};

use super::Ctx;
use super::emit::{self, View, print};
use crate::cli::{Cli, Command, Format, ReportArgs};
use crate::error::{Error, Result};
use crate::exit::{Code, Status};
use crate::output::{self, Envelope};
use crate::report::{self, Figures};
use crate::reports::report::PruneBody;
use crate::state;

const DEFAULT_SINCE: std::time::Duration = std::time::Duration::from_secs(7 * 86_400);

/// markdown and html are documents only `report` writes; other commands say so.
pub(crate) fn check_format(cli: &Cli) -> Result<()> {
    let doc = matches!(cli.global.format, Some(Format::Markdown | Format::Html));
    if doc && !cli.global.json && !matches!(cli.command, Command::Report(_)) {
        return Err(Error::Usage(
            "--format markdown and --format html are for `mcpctl report`; use table, json or nagios here"
                .into(),
        ));
    }
    if let Command::Report(args) = &cli.command
        && args.refresh.is_some()
        && (cli.global.json || cli.global.format != Some(Format::Html))
    {
        return Err(Error::Usage(
            "--refresh is for --format html: it makes the page reload itself".into(),
        ));
    }
    Ok(())
}

pub(crate) async fn run(args: ReportArgs, ctx: &Ctx) -> Result<Code> {
    let started = Utc::now();
    if let Some(older) = args.prune {
        return prune(older, started, ctx).await;
    }
    let to = args
        .to
        .as_deref()
        .map(parse_time)
        .transpose()?
        .unwrap_or(started);
    let from = match (&args.from, args.since) {
        (Some(f), _) => parse_time(f)?,
        (None, since) => back(to, since.unwrap_or(DEFAULT_SINCE), "--since")?,
    };
    if from >= to {
        return Err(Error::Usage(format!(
            "the window is empty: --from {} is not before --to {}",
            crate::output::when(from),
            crate::output::when(to)
        )));
    }
    let (settings, state_dir) = super::load(ctx)?;
    // A report is a monitored run only when it is sent somewhere.
    if args.notify {
        super::begin(ctx, &settings, &state_dir).await;
    }
    let secrets = report::secrets::secret_names(&settings);
    let opts = report::Options {
        from,
        to,
        servers: args.server.clone(),
        configured_servers: settings
            .servers
            .iter()
            .map(|s| s.name.clone())
            .filter(|n| args.server.is_empty() || args.server.contains(n))
            .collect(),
        current_servers: report::current_servers(&settings, &args.server),
        configured_targets: settings
            .backup
            .as_ref()
            .map(|b| b.targets.iter().map(|t| t.name.clone()).collect())
            .unwrap_or_default(),
        settings: settings.report,
    };
    let dir = state_dir.clone();
    let figures = tokio::task::spawn_blocking(move || {
        report::compute(&dir, &opts, &|name| {
            secrets.get(name).cloned().unwrap_or_default()
        })
    })
    .await
    .map_err(|e| Error::io("the report could not be computed", std::io::Error::other(e)))?;

    let (status, problems) = report::verdict(&figures, settings.report.min_uptime);
    let summary = report::summary(&figures, status);
    let title = format!(
        "mcpctl report for {} on {}",
        report::label(from, to),
        output::hostname()
    );
    if args.notify {
        slack_summary(ctx, &figures, &title, &summary).await;
    }
    let format = ctx.global.format.filter(|_| !ctx.global.json);
    let env = Envelope::new("report", started, status, summary, figures);
    let code = emit::finish(&env, started, &state_dir, ctx, || view(&env.body, problems)).await?;
    match format {
        Some(Format::Markdown) => {
            print(&report::markdown::render(&env.body, &title, &env.summary))?;
        }
        Some(Format::Html) => {
            print(&report::html::render(
                &env.body,
                &title,
                &env.summary,
                args.refresh,
            ))?;
        }
        _ => {}
    }
    Ok(code)
}

/// Slack gets the summary whatever the status; the run's own Slack rule (problems only, with
/// dedup) is switched off so it is not told twice. healthchecks and Prometheus go as usual.
async fn slack_summary(ctx: &Ctx, f: &Figures, title: &str, summary: &str) {
    let Some(settings) = ctx
        .notify
        .lock()
        .ok()
        .and_then(|n| n.as_ref().map(|n| n.settings().clone()))
    else {
        return;
    };
    let mut text = format!("*{title}*\n{summary}");
    for r in f.recommendations.iter().take(5) {
        text.push_str(&format!("\n• {r}"));
    }
    let warning = crate::notify::post_summary(&settings, &text).await;
    if let Ok(mut n) = ctx.notify.lock()
        && let Some(n) = n.as_mut()
    {
        n.slack_told(warning);
    }
}

fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
        .map_err(|_| {
            Error::Usage(format!(
                "cannot read the time `{s}`; write 2026-11-24T08:00:00Z or 2026-11-24"
            ))
        })
}

fn view(f: &Figures, problems: Vec<String>) -> View {
    let t = report::table::servers(f);
    let mut footnotes: Vec<String> = f
        .backups
        .locations
        .iter()
        .map(|l| {
            format!(
                "backup {} at {}: verified {} ago{}",
                l.target,
                l.location,
                report::age(l.age_s),
                if l.stale { " (stale)" } else { "" }
            )
        })
        .collect();
    footnotes.extend(
        f.drift_events
            .iter()
            .map(|e| format!("drift {}: {} ({}, {})", e.server, e.line, e.how(), e.when())),
    );
    footnotes.extend(
        f.recommendations
            .iter()
            .map(|r| format!("recommended: {r}")),
    );
    #[allow(clippy::cast_precision_loss)]
    let perfdata = f
        .servers
        .iter()
        .filter(|s| !s.removed)
        .filter_map(|s| s.uptime_pct.map(|u| (format!("{}_uptime", s.name), u, "%")))
        .collect();
    View {
        table_has_problems: false,
        answer: false,
        table: Some(t),
        problems,
        footnotes,
        perfdata,
    }
}

async fn prune(older: std::time::Duration, started: DateTime<Utc>, ctx: &Ctx) -> Result<Code> {
    let (_, state_dir) = super::load(ctx)?;
    let before = back(started, older, "--prune")?;
    let _lock = state::acquire(
        &state_dir,
        state::Resource::Records(state::Records::Reports),
        ctx.global.wait_lock,
    )
    .await?;
    let dir = state_dir.clone();
    let pruned = tokio::task::spawn_blocking(move || report::prune(&dir, before))
        .await
        .map_err(|e| Error::io("pruning failed", std::io::Error::other(e)))?;
    let deleted: u64 = pruned.deleted.values().sum();
    let status = if pruned.errors.is_empty() {
        Status::Ok
    } else {
        Status::Warning
    };
    let summary = format!(
        "deleted {deleted} reports older than {} ({} KiB); kept {} older ones the figures need",
        before.format("%Y-%m-%d %H:%M UTC"),
        pruned.bytes / 1024,
        pruned.kept
    );
    let problems = pruned.errors.clone();
    let env = Envelope::new(
        "report",
        started,
        status,
        summary,
        PruneBody { prune: pruned },
    );
    emit::finish(&env, started, &state_dir, ctx, || View {
        problems,
        ..View::default()
    })
    .await
}

/// `at` minus `span`, or a usage error when that falls off chrono's calendar.
fn back(at: DateTime<Utc>, span: std::time::Duration, flag: &str) -> Result<DateTime<Utc>> {
    chrono::Duration::from_std(span)
        .ok()
        .and_then(|d| at.checked_sub_signed(d))
        .ok_or_else(|| Error::Usage(format!("{flag} is too long (write e.g. 30d or 365d)")))
}
