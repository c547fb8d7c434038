//! Each server's lock for its probe and ladder: a server another run is acting on (a watch
//! healing it) is skipped and reported `unknown`, locked by its holder, and the run does the rest.

use std::path::Path;
use std::time::Duration;

use crate::config::ServerConfig;
use crate::error::{Error, Result};
use crate::probe::{Failure, FailureKind};
use crate::state::{self, Resource, RunLock};

use super::ServerReport;

/// The servers this run may act on, with their locks, and a report for each it may not.
pub struct Taken {
    pub free: Vec<ServerConfig>,
    pub busy: Vec<ServerReport>,
    pub held: Vec<RunLock>,
}

/// Takes each server's lock, waiting up to `wait` for each. Only when every server is held by
/// another run is it an error (exit 75): the run could do nothing.
pub async fn take(
    state_dir: &Path,
    servers: Vec<ServerConfig>,
    wait: Option<Duration>,
) -> Result<Taken> {
    let tries = futures::future::join_all(
        servers
            .iter()
            .map(|s| state::acquire(state_dir, Resource::Server(&s.name), wait)),
    )
    .await;
    let mut taken = Taken {
        free: Vec::new(),
        busy: Vec::new(),
        held: Vec::new(),
    };
    let mut first_refusal = None;
    for (server, tried) in servers.into_iter().zip(tries) {
        match tried {
            Ok(lock) => {
                taken.held.push(lock);
                taken.free.push(server);
            }
            Err(e @ (Error::Locked { .. } | Error::LockTimeout { .. })) => {
                taken.busy.push(locked_report(&server, &e));
                first_refusal.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    match first_refusal {
        Some(e) if taken.free.is_empty() => Err(e),
        _ => Ok(taken),
    }
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
