//! Cron mails whatever a run prints, every hour. A notifier that keeps failing on healthy runs
//! is told as one plain line at most once a day per destination; a person at a terminal is
//! always told. Every failure is still in the report's `notifications`.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::Warning;

const EVERY: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// Prints each warning whose destination is due, and remembers when it was told.
pub fn tell(state_dir: Option<&Path>, warnings: &[Warning]) {
    if warnings.is_empty() {
        return;
    }
    let terminal = std::io::stderr().is_terminal();
    let path = state_dir.map(|d| d.join("notify").join("told.json"));
    let mut told: BTreeMap<String, DateTime<Utc>> = path
        .as_deref()
        .and_then(|p| crate::state::read_state(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let now = Utc::now();
    let mut changed = false;
    for w in warnings {
        let due = told
            .get(w.dest.as_str())
            .is_none_or(|at| now - *at >= EVERY || *at > now);
        if terminal || due {
            eprintln!(
                "mcpctl: {}",
                crate::output::printable_lines(&w.to_string()).trim_end()
            );
        }
        if due {
            told.insert(w.dest.as_str().to_owned(), now);
            changed = true;
        }
    }
    if let (true, Some(path), Some(dir)) = (changed, path.as_deref(), state_dir) {
        let json = serde_json::to_vec_pretty(&told).expect("times serialize");
        let saved = crate::state::ensure_dir(&dir.join("notify"))
            .and_then(|()| crate::state::write_atomic(path, &json, 0o600));
        if let Err(e) = saved {
            tracing::debug!("cannot remember when notification failures were told: {e}");
        }
    }
}
