//! Child processes run in their own process group, so that npx/uvx grandchildren die with them.
//! The guard kills the group if the probe is dropped half-way (deadline, Ctrl-C).

use std::process::ExitStatus;
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::process::Child;

pub(crate) struct GroupGuard {
    pgid: Option<Pid>,
}

impl GroupGuard {
    pub(crate) fn new(child: &Child) -> Self {
        let pgid = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .map(Pid::from_raw);
        Self { pgid }
    }

    fn signal(&self, sig: Signal) {
        if let Some(pgid) = self.pgid {
            // ESRCH just means the whole group is already gone.
            let _ = killpg(pgid, sig);
        }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.signal(Signal::SIGKILL);
    }
}

/// Ends the child and its group: an optional polite wait (stdin is already closed), SIGTERM,
/// then SIGKILL after `grace`. Returns the child's exit status when it was seen.
pub(crate) async fn shutdown(
    child: &mut Child,
    guard: GroupGuard,
    polite: bool,
    grace: Duration,
) -> Option<ExitStatus> {
    let mut status = None;
    if polite {
        status = tokio::time::timeout(grace, child.wait())
            .await
            .ok()
            .and_then(Result::ok);
    }
    if status.is_none() {
        guard.signal(Signal::SIGTERM);
        status = tokio::time::timeout(grace, child.wait())
            .await
            .ok()
            .and_then(Result::ok);
    }
    // Always: the direct child may be gone while a grandchild still holds the group.
    guard.signal(Signal::SIGKILL);
    if status.is_none() {
        status = tokio::time::timeout(Duration::from_secs(1), child.wait())
            .await
            .ok()
            .and_then(Result::ok);
    }
    drop(guard);
    status
}

pub(crate) fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(sig)) => {
            let name =
                Signal::try_from(sig).map_or_else(|_| sig.to_string(), |s| s.as_str().to_owned());
            format!("killed by {name}")
        }
        (None, None) => "ended".to_owned(),
    }
}
