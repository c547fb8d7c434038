//! Self-healing that never makes things worse: a per-server ladder of recovery steps, each
//! followed by re-probes with capped exponential backoff, inside persisted guards (attempt
//! budget, circuit breaker, pause) and with an append-only audit. No CLI here.

mod actions;
pub(crate) mod audit;
mod error;
pub(crate) mod guard;
mod held;
mod ladder;
mod rollback;
pub(crate) mod verdict;

pub(crate) use error::RestoreError;
pub(crate) use ladder::{Context, Held, Recovery, recover};

use std::path::Path;

use crate::config::{BackupSettings, ServerConfig};
use crate::health::ServerReport;

/// Climbs the ladder of every failing server at once; healthy ones pass straight through.
pub(crate) async fn recover_all(
    servers: &[ServerConfig],
    first: Vec<ServerReport>,
    ctx: &Context<'_>,
) -> Vec<Recovery> {
    let climbs = servers
        .iter()
        .zip(first)
        .map(|(server, report)| recover(server, report, ctx));
    futures::future::join_all(climbs).await
}

/// The restore-config step, backed by the configured backups.
pub(crate) fn restorer<'a>(
    backup: Option<&'a BackupSettings>,
    state_dir: &'a Path,
) -> impl Fn(&str, bool) -> Result<Option<String>, RestoreError> + Sync + 'a {
    move |target, only_if_invalid| {
        // A backup or restore of the target in another run goes first; the ladder moves on.
        let _lock = crate::state::try_acquire(state_dir, crate::state::Resource::Target(target))
            .map_err(|e| RestoreError::Locked(Box::new(e)))?;
        Ok(crate::backup::restore::for_recovery(
            backup,
            target,
            only_if_invalid,
            state_dir,
        )?)
    }
}
