//! Stored reports: `<state>/reports/<command>/<UTC time>.json` plus `latest.json`. The file name
//! sorts by time, so `report` can stream the history in order without opening every file.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::error::Result;

/// Writes the report atomically where `explicit` says, or into the state directory's history.
/// Returns the path written.
pub fn save(
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
    super::write_atomic(&path, json, 0o600)?;
    super::write_atomic(&dir.join("latest.json"), json, 0o600)?;
    Ok(path)
}
