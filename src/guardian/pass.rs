//! One health-check pass: take each server's lock, probe, climb the failing servers' ladders,
//! fold the results into one status, and move fallback mode. The one-shot health-check makes
//! one; a watch makes one every interval and on every container event.

use std::path::PathBuf;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::config::{ServerConfig, Settings};
use crate::discovery::FileProblem;
use crate::error::{Error, Result};
use crate::exit::Status;
use crate::heal::{self, Held};
use crate::health::{self, ServerReport, ServerStatus};
use crate::probe::FailureKind;
use crate::reports::health_check::Body;

/// What every pass of a run shares.
pub(crate) struct Plan {
    pub settings: Settings,
    pub state_dir: PathBuf,
    /// Enabled servers; disabled ones are only listed.
    pub servers: Vec<ServerConfig>,
    pub disabled: Vec<ServerConfig>,
    pub problems: Vec<FileProblem>,
    pub opts: health::Options,
    /// One deadline for the whole pass, recovery included.
    pub budget: Duration,
    pub recover: bool,
    pub wait_lock: Option<Duration>,
    /// A watch puts fallback mode on for a critical server whose ladder failed.
    pub fallback: bool,
    /// How long until the next stored report at most, for a watch's reports.
    pub cadence: Option<Duration>,
}

/// A finished pass: its report body, status and summary.
pub(crate) struct Pass {
    pub body: Body,
    pub status: Status,
    pub summary: String,
}

/// Runs one pass. `stop` ends the probes still running (their children killed): the pass then
/// reports what it has, status unknown, `interrupted`. Only when every server is held by another
/// run is it an error (`Error::Locked`, exit 75): it could do nothing.
pub(crate) async fn run(plan: &Plan, stop: &CancellationToken) -> Result<Pass> {
    let taken = health::locks::free(&plan.state_dir, plan.servers.clone(), plan.wait_lock).await?;
    let deadline = tokio::time::Instant::now() + plan.budget;
    let mut reports = health::check_all_until(&taken.free, &plan.opts, deadline, stop).await;
    if stop.is_cancelled() {
        return Ok(interrupted(plan, reports, taken.busy));
    }
    let mut recovery = Vec::new();
    let mut held = Vec::new();
    if plan.recover {
        let (climb, locks) =
            health::locks::for_ladders(&plan.state_dir, &taken.free, &mut reports, plan.wait_lock)
                .await?;
        held = locks;
        // A ladder another run took meanwhile is its to climb: this run keeps its probe.
        let (mut skipped, mut servers, mut first) = (Vec::new(), Vec::new(), Vec::new());
        for ((server, report), climb) in taken.free.iter().zip(reports).zip(climb) {
            if climb {
                servers.push(server.clone());
                first.push(report);
            } else {
                skipped.push(report);
            }
        }
        let restore = heal::restorer(plan.settings.backup.as_ref(), &plan.state_dir);
        let hctx = heal::Context {
            opts: &plan.opts,
            state_dir: &plan.state_dir,
            restore: &restore,
            dry_run: false,
            deadline,
        };
        let done = heal::recover_all(&servers, first, &hctx).await;
        reports = done.iter().map(|r| r.report.clone()).collect();
        reports.extend(skipped);
        recovery = done
            .into_iter()
            .filter(|r| r.held != Some(Held::NotFailing))
            .collect();
    }
    drop(held);
    reports.extend(taken.busy);
    reports.extend(plan.disabled.iter().map(health::disabled_report));

    let (mut status, mut summary) = health::verdict(&reports, &plan.problems);
    if recovery
        .iter()
        .any(|r| r.held == Some(Held::GuardUnreadable))
    {
        status = Status::Critical;
        summary.push_str("; a recovery guard cannot be read or saved (see the report)");
    }
    if plan.fallback
        && let Some(on) =
            crate::emergency::enter_if_down(&plan.settings, &plan.state_dir, &reports).await
    {
        summary.push_str(&format!("; {on}"));
    }
    if let Some(cleared) =
        crate::emergency::clear_if_recovered(&plan.settings, &plan.state_dir, &reports)
    {
        summary.push_str(&format!("; {cleared}"));
    }
    Ok(Pass {
        body: body(plan, reports, recovery, false),
        status,
        summary,
    })
}

/// One pass that SIGINT or SIGTERM cuts short: the probes still running end (their children
/// killed), and what the others found stands.
pub(crate) async fn run_or_stop(plan: &Plan) -> Result<Pass> {
    let stop = CancellationToken::new();
    let pass = run(plan, &stop);
    tokio::pin!(pass);
    tokio::select! {
        pass = &mut pass => pass,
        () = crate::signal::interrupted() => {
            stop.cancel();
            pass.await
        }
    }
}

/// The report of an interrupted pass: what was probed, status unknown.
fn interrupted(plan: &Plan, mut reports: Vec<ServerReport>, busy: Vec<ServerReport>) -> Pass {
    reports.extend(busy);
    let done: Vec<&ServerReport> = reports
        .iter()
        .filter(|r| {
            r.error
                .as_ref()
                .is_none_or(|e| !matches!(e.kind, FailureKind::Interrupted | FailureKind::Locked))
        })
        .collect();
    let healthy = done
        .iter()
        .filter(|r| r.status == ServerStatus::Healthy)
        .count();
    let summary = format!(
        "interrupted: {} of {} probed before SIGINT or SIGTERM ({healthy} healthy); the others are unknown",
        done.len(),
        crate::output::plural(reports.len(), "server", "servers"),
    );
    Pass {
        body: body(plan, reports, Vec::new(), true),
        status: Status::Unknown,
        summary,
    }
}

fn body(
    plan: &Plan,
    servers: Vec<ServerReport>,
    recovery: Vec<heal::Recovery>,
    interrupted: bool,
) -> Body {
    Body {
        config: plan.settings.file.clone(),
        client_capabilities: crate::probe::jsonrpc::client_capabilities(),
        deadline_ms: u64::try_from(plan.budget.as_millis()).unwrap_or(u64::MAX),
        cadence_s: plan.cadence.map(|c| c.as_secs()),
        servers,
        recovery,
        discovery_problems: plan.problems.clone(),
        interrupted,
    }
}

/// Whether an error means another run held what this one needed.
pub(crate) fn is_locked(e: &Error) -> bool {
    matches!(e, Error::Locked { .. } | Error::LockTimeout { .. })
}
