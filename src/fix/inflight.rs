//! A fix in progress leaves a marker in `<state>/fix/inflight.json`. If mcpctl is killed half-way
//! (SIGKILL, a reboot), the next `fix --apply` finds it and puts the checkout back first.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::git::{Git, Snapshot};

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Inflight {
    pub checkout: PathBuf,
    pub branch: Option<String>,
    pub head: String,
    pub fix_branch: String,
}

fn path(state: &Path) -> PathBuf {
    state.join("fix").join("inflight.json")
}

pub(crate) fn save(state: &Path, marker: &Inflight) -> crate::error::Result<()> {
    crate::state::ensure_dir(&state.join("fix"))?;
    let json = serde_json::to_vec_pretty(marker).expect("markers serialize");
    crate::state::write_atomic(&path(state), &json, 0o600)
}

pub(crate) fn clear(state: &Path) {
    let _ = std::fs::remove_file(path(state));
}

/// Restores the checkout an interrupted fix left behind. Returns what it did, for the summary.
pub(crate) async fn undo(state: &Path, timeout: Duration) -> crate::error::Result<Option<String>> {
    let Ok(bytes) = crate::state::read_state(&path(state)) else {
        return Ok(None);
    };
    let Ok(marker) = serde_json::from_slice::<Inflight>(&bytes) else {
        clear(state);
        return Ok(None);
    };
    let git = Git::new(&marker.checkout, timeout);
    // Only a checkout still on the fix branch is ours to reset; if someone moved on, their work
    // wins and the marker is dropped.
    let on = git
        .one(&["symbolic-ref", "--quiet", "--short", "HEAD"])
        .await
        .ok();
    if on.as_deref() != Some(marker.fix_branch.as_str()) {
        clear(state);
        return Ok(Some(format!(
            "an interrupted fix's marker was dropped: {} is no longer on {}, so it was left alone",
            marker.checkout.display(),
            marker.fix_branch
        )));
    }
    let snap = Snapshot {
        branch: marker.branch.clone(),
        head: marker.head.clone(),
    };
    git.restore(&snap, &marker.fix_branch).await.map_err(|e| {
        crate::error::Error::Usage(format!(
            "an interrupted fix left {} on {}, and putting it back failed: {e}; restore it by hand, then delete {}",
            marker.checkout.display(),
            marker.fix_branch,
            path(state).display()
        ))
    })?;
    clear(state);
    Ok(Some(format!(
        "an interrupted fix was undone in {}",
        marker.checkout.display()
    )))
}
