//! The state directory: reports (the history `report` reads), the locks, and atomic writes.

mod atomic;
mod lock;
mod read;
pub(crate) mod reports;

use std::path::{Path, PathBuf};

pub(crate) use atomic::{write_atomic, write_atomic_many};
pub(crate) use lock::{
    Records, Resource, RunLock, acquire, acquire_all, set_command, taken_over, try_acquire,
};
pub(crate) use read::{MAX_STATE_FILE, open_regular, read_regular, read_regular_into, read_state};

use crate::env_vars;
use crate::error::{Error, Result};

/// `--state-dir`/`MCPCTL_STATE_DIR`, else the config's `state_dir`, else
/// `$XDG_STATE_HOME/mcpctl`, else `~/.local/state/mcpctl`.
pub(crate) fn resolve_dir(cli: Option<&Path>, config: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = cli.or(config) {
        return Ok(dir.to_path_buf());
    }
    if let Some(xdg) = std::env::var_os(env_vars::XDG_STATE_HOME).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(xdg).join("mcpctl"));
    }
    crate::config::home_dir()
        .map(|h| h.join(".local/state/mcpctl"))
        .ok_or_else(|| {
            Error::Usage("neither HOME nor XDG_STATE_HOME is set; pass --state-dir".into())
        })
}

/// Creates `dir` (mode 0700: reports name hosts and paths) if it is missing.
pub(crate) fn ensure_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| {
            Error::io(
                format!("cannot create the state directory {}", dir.display()),
                e,
            )
        })
}

/// Where a command's reports go: `<state>/reports/<command>/`.
pub(crate) fn reports_dir(state: &Path, command: &str) -> PathBuf {
    state.join("reports").join(command)
}
