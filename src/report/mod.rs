//! Reliability figures from the stored reports: the reports the other subcommands write are the
//! history, read lean and streamed, in parallel, without a database. No CLI here.

mod audit;
mod backups;
mod ci;
mod drift;
mod emergency;
pub(crate) mod html;
mod lean;
pub(crate) mod markdown;
mod prune;
mod quantiles;
mod recommend;
mod scan;
pub(crate) mod secrets;
mod servers;
pub(crate) mod table;

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub(crate) use backups::{BackupFigures, Verified, carry};
pub(crate) use ci::CiFigures;
pub(crate) use drift::DriftEvent;
pub(crate) use emergency::EmergencyFigures;
pub(crate) use prune::{Pruned, prune};
pub(crate) use recommend::age;
pub(crate) use scan::Sources;
pub(crate) use servers::ServerFigures;

use crate::exit::Status;

/// Every report the figures come from.
const HEALTH: &str = "health-check";

pub(crate) struct Options {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Only these servers [default: all].
    pub servers: Vec<String>,
    /// Listed even with no probe in the window.
    pub configured_servers: Vec<String>,
    /// The servers a health-check would probe now; others are marked removed. `None` when
    /// that cannot be told (no config and nothing discovered): then none is.
    pub current_servers: Option<Vec<String>>,
    /// A target missing from the history is unprotected.
    pub configured_targets: Vec<String>,
    pub settings: crate::config::ReportSettings,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct Figures {
    pub window: Window,
    pub servers: Vec<ServerFigures>,
    pub backups: BackupFigures,
    pub ci: CiFigures,
    pub emergency: EmergencyFigures,
    /// Each drift of a server's tools from its baseline, and each accepted baseline, oldest first.
    pub drift_events: Vec<DriftEvent>,
    /// The most pressing first.
    pub recommendations: Vec<String>,
    pub sources: Sources,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Longer than this between probes counts as unknown time.
    pub max_gap_s: i64,
    /// Length of one timeline bin.
    pub bin_s: f64,
}

/// Fallback periods from the emergency reports, the state before the window included.
fn emergency_figures(
    state_dir: &Path,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    sources: &mut Sources,
) -> EmergencyFigures {
    let mut emergency = emergency::Emergency::default();
    let listed = scan::list(state_dir, "emergency", sources);
    let (seed, inside) = scan::window(&listed, from, to);
    let before = sources.read;
    scan::read_all(one(seed), "emergency", sources, |_, r| {
        emergency.push(r);
    });
    sources.read = before;
    scan::read_all(inside, "emergency", sources, |_, r| emergency.push(r));
    emergency.finish(from, to, &crate::emergency::load(state_dir))
}

/// What a health-check would probe now: the config's servers, and the discovered ones when it
/// would discover, plus the ones asked for by name. A server only in older reports is then
/// listed as removed. `None` when nothing is configured or found: then none is.
pub(crate) fn current_servers(
    settings: &crate::config::Settings,
    named: &[String],
) -> Option<Vec<String>> {
    let discover = settings
        .health_check
        .discover
        .unwrap_or(settings.file.is_none());
    let inventory = crate::inventory::build(settings, discover, &[]).ok()?;
    let mut current: Vec<String> = inventory.servers.into_iter().map(|s| s.name).collect();
    if current.is_empty() {
        return None;
    }
    current.extend(named.iter().cloned());
    Some(current)
}

/// Reads the history under `state_dir` and computes every figure. `secrets` names the
/// variables a server takes credentials from, for the recommendations.
pub(crate) fn compute(
    state_dir: &Path,
    opts: &Options,
    secrets: &dyn Fn(&str) -> Vec<String>,
) -> Figures {
    let mut sources = Sources::default();
    let (from, to) = (opts.from, opts.to);

    let health = scan::list(state_dir, HEALTH, &mut sources);
    let (seed, inside) = scan::window(&health, from, to);
    let max_gap = opts
        .settings
        .max_gap
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .unwrap_or_else(|| usual_gap(inside) * 2);
    let span = servers::Span {
        from: from.timestamp_millis(),
        to: to.timestamp_millis(),
        max_gap: max_gap.num_milliseconds().max(1),
    };
    let mut by_server = servers::Servers::new(span, &opts.servers);
    // Named ones show up even with no probe in the window (all unknown), a typo included.
    for name in opts.configured_servers.iter().chain(&opts.servers) {
        by_server.expect(name);
    }
    // The state before the window is not one of its reports.
    let before = sources.read;
    scan::read_all(one(seed), HEALTH, &mut sources, |_, r| {
        by_server.push(r, false);
    });
    sources.read = before;
    let mut drift = drift::Events::default();
    scan::read_all(inside, HEALTH, &mut sources, |_, r: lean::HealthCheck| {
        drift.push(&r);
        by_server.push(r, true);
    });
    let recoveries = audit::Recoveries::read(state_dir, from, to, &opts.servers, &mut sources);
    for name in recoveries.servers().cloned().collect::<Vec<_>>() {
        by_server.expect(&name);
    }
    sources.clock_jumps = by_server.clock_jumps;
    let mut server_figures = by_server.finish();
    for s in &mut server_figures {
        recoveries.fill(s);
        s.removed = opts
            .current_servers
            .as_ref()
            .is_some_and(|current| !current.contains(&s.name) && !opts.servers.contains(&s.name));
    }

    let mut backups = backups::Backups::default();
    let listed = scan::list(state_dir, "backup", &mut sources);
    let upto = listed.partition_point(|l| l.time <= to);
    scan::read_all(&listed[..upto], "backup", &mut sources, |_, r| {
        backups.push(r, from);
    });
    let backups = backups.finish(
        to,
        chrono::Duration::from_std(opts.settings.backup_max_age).unwrap_or(chrono::Duration::MAX),
        &opts.configured_targets,
    );

    let mut ci = ci::Ci::default();
    let listed = scan::list(state_dir, "gh-watch", &mut sources);
    scan::read_all(
        scan::window(&listed, from, to).1,
        "gh-watch",
        &mut sources,
        |_, r| {
            ci.push_watch(r);
        },
    );
    let listed = scan::list(state_dir, "fix", &mut sources);
    scan::read_all(
        scan::window(&listed, from, to).1,
        "fix",
        &mut sources,
        |_, r| {
            ci.push_fix(r);
        },
    );

    let emergency = emergency_figures(state_dir, from, to, &mut sources);

    let window = Window {
        from,
        to,
        max_gap_s: max_gap.num_seconds(),
        #[allow(clippy::cast_precision_loss)]
        bin_s: servers::round1(
            (to - from).num_milliseconds() as f64 / 1000.0 / servers::BINS as f64,
        ),
    };
    let mut figures = Figures {
        window,
        servers: server_figures,
        backups,
        ci: ci.finish(),
        emergency,
        drift_events: drift.finish(&opts.servers),
        recommendations: Vec::new(),
        sources,
    };
    figures.recommendations = recommend::derive(&figures, &label(from, to), secrets);
    figures
}

fn one(seed: Option<&scan::Listed>) -> &[scan::Listed] {
    seed.map(std::slice::from_ref).unwrap_or_default()
}

/// The median time between two health-check runs in the window (file names are enough), or an
/// hour when there are too few to tell. A watch's passes are left out: each carries its own
/// cadence, and thirty-second passes must not make the hourly runs' gaps look long.
fn usual_gap(files: &[scan::Listed]) -> chrono::Duration {
    let runs: Vec<&scan::Listed> = files.iter().filter(|f| !f.watch).collect();
    let mut gaps: Vec<i64> = runs
        .windows(2)
        .map(|w| (w[1].time - w[0].time).num_milliseconds())
        .filter(|g| *g > 0)
        .collect();
    if gaps.is_empty() {
        return chrono::Duration::hours(1);
    }
    let mid = gaps.len() / 2;
    let (_, median, _) = gaps.select_nth_unstable(mid);
    chrono::Duration::milliseconds((*median).max(60_000))
}

/// The one-line summary of the figures: servers, backups, CI, fallback periods, the top
/// recommendation.
pub(crate) fn summary(f: &Figures, status: Status) -> String {
    let label = label(f.window.from, f.window.to);
    if status == Status::Unknown {
        return format!("no stored reports in {label}; run health-check (and backup) first");
    }
    let mut parts = Vec::new();
    let current: Vec<&ServerFigures> = f.servers.iter().filter(|s| !s.removed).collect();
    let removed = f.servers.len() - current.len();
    if !current.is_empty() {
        let worst = current
            .iter()
            .filter_map(|s| s.uptime_pct.map(|u| (u, s.name.as_str())))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        let incidents: u64 = current.iter().map(|s| s.incidents).sum();
        let mut text = crate::output::plural(current.len(), "server", "servers");
        if let Some((u, name)) = worst {
            text.push_str(&format!(", lowest uptime {u}% ({name})"));
        }
        let plural = if incidents == 1 { "" } else { "s" };
        text.push_str(&format!(", {incidents} incident{plural}"));
        parts.push(text);
    }
    if removed > 0 {
        parts.push(format!(
            "{} not counted",
            crate::output::plural(removed, "removed server", "removed servers")
        ));
    }
    let stale = f.backups.locations.iter().filter(|l| l.stale).count();
    if !f.backups.locations.is_empty() || !f.backups.unprotected.is_empty() {
        parts.push(if stale + f.backups.unprotected.len() == 0 {
            "backups fresh".to_owned()
        } else {
            format!(
                "{}, {}",
                crate::output::plural(stale, "stale backup location", "stale backup locations"),
                crate::output::plural(
                    f.backups.unprotected.len(),
                    "unprotected target",
                    "unprotected targets"
                )
            )
        });
    }
    if f.ci.issues > 0 {
        parts.push(markdown::count(f.ci.issues, "CI failure", "CI failures"));
    }
    if !f.emergency.periods.is_empty() {
        parts.push(format!(
            "fallback mode {}",
            crate::output::plural(f.emergency.periods.len(), "time", "times")
        ));
    }
    let mut line = format!("{label}: {}", parts.join("; "));
    if let Some(top) = f.recommendations.first() {
        line.push_str(&format!(" - top: {top}"));
    }
    line
}

/// "24h", "7d", or the dates, for sentences.
pub(crate) fn label(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let d = to - from;
    if d.num_hours() <= 48 && d.num_minutes() % 60 == 0 {
        format!("the last {}h", d.num_hours())
    } else if d.num_hours() % 24 == 0 {
        format!("the last {}d", d.num_days())
    } else {
        format!(
            "{} – {}",
            from.format("%Y-%m-%d %H:%M"),
            to.format("%Y-%m-%d %H:%M")
        )
    }
}

/// The report's own status: critical while a critical server is down or fallback mode is on, or
/// a configured backup target has no verified copy; a warning for uptime under `min_uptime`,
/// stale backups, bad copies and fallback periods in the window; unknown with no history at all.
pub(crate) fn verdict(f: &Figures, min_uptime: f64) -> (Status, Vec<String>) {
    let mut critical = Vec::new();
    let mut warning = Vec::new();
    for s in f.servers.iter().filter(|s| !s.removed) {
        if s.critical && s.down_since.is_some() {
            critical.push(format!("{} (critical) is down", s.name));
        }
        if let Some(u) = s.uptime_pct.filter(|u| *u < min_uptime) {
            warning.push(format!("{} uptime {u}% is under {min_uptime}%", s.name));
        }
    }
    if f.emergency.active {
        critical.push("fallback mode is on".into());
    } else if !f.emergency.periods.is_empty() {
        warning.push(format!(
            "fallback mode was on {}",
            crate::output::plural(f.emergency.periods.len(), "time", "times")
        ));
    }
    for t in &f.backups.unprotected {
        critical.push(format!("no verified backup of {t}"));
    }
    for l in f.backups.locations.iter().filter(|l| l.stale) {
        warning.push(format!(
            "backup of {} at {} is {} old",
            l.target,
            l.location,
            age(l.age_s)
        ));
    }
    if !f.backups.check_failures.is_empty() {
        warning.push(format!(
            "{} failed --check",
            crate::output::plural(
                f.backups.check_failures.len(),
                "stored backup copy",
                "stored backup copies"
            )
        ));
    }
    let status = if !critical.is_empty() {
        Status::Critical
    } else if !warning.is_empty() {
        Status::Warning
    } else if f.sources.read == 0 && f.sources.audit_lines == 0 && f.backups.locations.is_empty() {
        Status::Unknown
    } else {
        Status::Ok
    };
    critical.extend(warning);
    (status, critical)
}

impl crate::output::Body for Figures {
    const SCHEMA: &'static str = "report";
}
