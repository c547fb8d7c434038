//! Stored reports: `<state>/reports/<command>/<UTC time>.json` plus `latest.json`. The file name
//! sorts by time, so `report` can stream the history in order without opening every file.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::error::Result;

/// Writes the report atomically where `explicit` says, or into the state directory's history.
/// Returns the path written.
pub(crate) fn save(
    state_dir: &Path,
    explicit: Option<&Path>,
    command: &str,
    started: DateTime<Utc>,
    json: &[u8],
) -> Result<PathBuf> {
    if let Some(path) = explicit {
        super::write_atomic(path, json, 0o644)?;
        return Ok(path.to_path_buf());
    }
    let dir = super::reports_dir(state_dir, command);
    super::ensure_dir(&dir)?;
    let path = dir.join(format!("{}.json", started.format("%Y%m%dT%H%M%S%.3fZ")));
    // Together: the directory is fsynced once for both.
    super::write_atomic_many(&[
        (&path, json, 0o600),
        (&dir.join("latest.json"), json, 0o600),
    ])?;
    Ok(path)
}

/// A watch's pass: `latest.json` always, the history only when `keep` (a change, or the thinning
/// period is over). Its name, `<time>.watch.json`, tells `report` it is a watch's, so the cron
/// runs' usual gap is measured without it.
pub(crate) fn save_pass(
    state_dir: &Path,
    command: &str,
    started: DateTime<Utc>,
    json: &[u8],
    keep: bool,
) -> Result<PathBuf> {
    let dir = super::reports_dir(state_dir, command);
    super::ensure_dir(&dir)?;
    let latest = dir.join("latest.json");
    super::write_atomic(&latest, json, 0o600)?;
    if !keep {
        return Ok(latest);
    }
    let path = dir.join(format!(
        "{}.watch.json",
        started.format("%Y%m%dT%H%M%S%.3fZ")
    ));
    super::write_atomic(&path, json, 0o600)?;
    Ok(path)
}
