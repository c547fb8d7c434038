//! Each server's lock: a server another run is acting on (a watch climbing its ladder) is
//! skipped and reported `unknown`, locked by its holder, and the run does the rest. The lock is
//! held through a ladder, not through a probe (a probe changes nothing another run could
//! trip over), so a run holds as many lock files open as it climbs ladders, and 600 servers under
//! a low open-file limit still fit.

use std::path::Path;
use std::time::Duration;

use crate::config::ServerConfig;
use crate::error::{Error, Result};
use crate::probe::{Failure, FailureKind};
use crate::state::{self, Resource, RunLock};

use super::ServerReport;

/// The servers this run may probe, and a report for each another run is acting on.
pub(crate) struct Free {
    pub free: Vec<ServerConfig>,
    pub busy: Vec<ServerReport>,
}

/// Looks at each server's lock, waiting up to `wait` for each one held. Only when every server
/// is held by another run is it an error (exit 75): the run could do nothing.
pub(crate) async fn free(
    state_dir: &Path,
    servers: Vec<ServerConfig>,
    wait: Option<Duration>,
) -> Result<Free> {
    let mut out = Free {
        free: Vec::new(),
        busy: Vec::new(),
    };
    let mut first_refusal = None;
    // One at a time: one lock file open at once, whatever the number of servers.
    for server in servers {
        match state::acquire(state_dir, Resource::Server(&server.name), wait).await {
            Ok(_) => out.free.push(server),
            Err(e) if is_locked(&e) => {
                out.busy.push(locked_report(&server, &e));
                first_refusal.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    match first_refusal {
        Some(e) if out.free.is_empty() => Err(e),
        _ => Ok(out),
    }
}

/// The locks of the ladders about to be climbed. A server another run took meanwhile is left
/// out of `climb` (its probe result stands, with a warning) and climbed by that run.
pub(crate) async fn for_ladders(
    state_dir: &Path,
    servers: &[ServerConfig],
    reports: &mut [ServerReport],
    wait: Option<Duration>,
) -> Result<(Vec<bool>, Vec<RunLock>)> {
    let mut climb = Vec::with_capacity(servers.len());
    let mut held = Vec::new();
    for (server, report) in servers.iter().zip(reports.iter_mut()) {
        let failing = matches!(
            report.status,
            super::ServerStatus::Unhealthy | super::ServerStatus::Unknown
        );
        if !failing || server.recover.is_none() {
            climb.push(true);
            continue;
        }
        match state::acquire(state_dir, Resource::Server(&server.name), wait).await {
            Ok(lock) => {
                held.push(lock);
                climb.push(true);
            }
            Err(e) if is_locked(&e) => {
                report
                    .warnings
                    .push(format!("recovery left to the run that holds it: {e}"));
                climb.push(false);
            }
            Err(e) => return Err(e),
        }
    }
    Ok((climb, held))
}

fn is_locked(e: &Error) -> bool {
    matches!(e, Error::Locked { .. } | Error::LockTimeout { .. })
}

fn locked_report(server: &ServerConfig, why: &Error) -> ServerReport {
    let holder = match why {
        Error::Locked { holder, .. } | Error::LockTimeout { holder, .. } => holder.as_deref(),
        _ => None,
    };
    let mut report = super::empty_report(server);
    report.error = Some(
        Failure::new(
            FailureKind::Locked,
            format!(
                "not probed: locked by {}",
                holder.unwrap_or("another mcpctl run")
            ),
        )
        .hint("the other run is acting on it; pass --wait-lock 2m to wait for it"),
    );
    report
}
