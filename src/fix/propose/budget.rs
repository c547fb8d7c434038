//! `max_calls_per_day`: every call to the proposer counts, dry runs with `--call` too, in
//! `<state>/fix/proposer-calls.json` (a UTC day and its count), written atomically before the
//! call is made, so a crash mid-call still counts it.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::error::ProposeError;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Calls {
    day: Option<NaiveDate>,
    count: u32,
}

fn path(state: &Path) -> PathBuf {
    state.join("fix").join("proposer-calls.json")
}

fn load(state: &Path) -> Calls {
    crate::state::read_state(&path(state))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Calls made today (UTC).
pub(super) fn used(state: &Path) -> u32 {
    let calls = load(state);
    if calls.day == Some(Utc::now().date_naive()) {
        calls.count
    } else {
        0
    }
}

/// Counts one call, or says why it may not be made.
pub(super) fn take(state: &Path, max: u32) -> Result<(), ProposeError> {
    let today = Utc::now().date_naive();
    let count = used(state);
    if count >= max {
        return Err(ProposeError::Budget { max, count });
    }
    let calls = Calls {
        day: Some(today),
        count: count + 1,
    };
    crate::state::ensure_dir(&state.join("fix"))?;
    let json = serde_json::to_vec_pretty(&calls).expect("calls serialize");
    Ok(crate::state::write_atomic(&path(state), &json, 0o600)?)
}
