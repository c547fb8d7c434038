//! SIGINT and SIGTERM as a flag that synchronous work can poll. The async commands stop by
//! being dropped; backup and restore write files on the runtime's thread, where no future is
//! polled, so they check this flag between steps and clean their temp files before exiting 130.

use std::sync::Arc;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, Ordering};

static STOP: LazyLock<Arc<AtomicBool>> = LazyLock::new(|| Arc::new(AtomicBool::new(false)));

/// Replaces the default (fatal) action of SIGINT and SIGTERM with setting the flag. Called once,
/// before any work starts, so no signal can end the process half-way through a write.
pub(crate) fn install() {
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(sig, Arc::clone(&STOP)) {
            tracing::warn!("cannot watch for signal {sig}: {e}");
        }
    }
}

/// Whether SIGINT or SIGTERM has arrived since the run started.
pub(crate) fn requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// Resolves on SIGINT or SIGTERM, for async work that stops by itself (a watch's pass).
pub(crate) async fn interrupted() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
}
