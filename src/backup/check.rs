//! `backup --check`: every stored copy of every chosen target, in every location, verified as
//! restore would verify it, without writing anything.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::verify::{self, CopyState, Trust};
use super::{sign::Verifier, store};
use crate::config::{BackupSettings, BackupTarget};

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct CheckBody {
    pub copies: Vec<CheckedCopy>,
    /// Targets with no copy that verifies, anywhere.
    pub unprotected: Vec<String>,
    /// Locations that could not be listed; they hold no copy to count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable_locations: Vec<UnreadableLocation>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct CheckedCopy {
    pub target: String,
    pub file: PathBuf,
    #[serde(default)]
    pub ok: bool,
    /// `other` when read from a report older than copy states.
    #[serde(default = "CopyState::other")]
    pub state: CopyState,
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct UnreadableLocation {
    pub path: PathBuf,
    pub error: String,
}

/// What every copy is checked with.
pub(crate) struct Keys<'a> {
    pub identities: &'a super::keys::Identities,
    pub verifier: &'a Verifier,
    pub allow_unsigned: bool,
}

pub(crate) fn check(
    cfg: &BackupSettings,
    targets: &[BackupTarget],
    keys: &Keys<'_>,
    state_dir: &Path,
    mut progress: impl FnMut(&str),
) -> CheckBody {
    let host = crate::output::hostname();
    let now = chrono::Utc::now();
    let mut body = CheckBody {
        copies: Vec::new(),
        unprotected: Vec::new(),
        unreadable_locations: Vec::new(),
    };
    // Listed once, not once per target, and never counted as a copy.
    for location in &cfg.locations {
        if let Err(e) = std::fs::read_dir(&location.path) {
            body.unreadable_locations.push(UnreadableLocation {
                path: location.path.clone(),
                error: e.to_string(),
            });
        }
    }
    for target in targets {
        progress(&target.name);
        let last = super::run::last_backup(state_dir, &target.name);
        let trust = Trust {
            verifier: keys.verifier,
            allow_unsigned: keys.allow_unsigned,
            host: &host,
            newest_written: last.as_ref().map(|l| l.name.as_str()),
            now,
        };
        let mut valid = 0;
        for location in &cfg.locations {
            let Ok(listed) = store::list(&location.path, &target.name) else {
                continue;
            };
            for copy in listed {
                let verdict = verify::open(&copy, &trust, keys.identities, false);
                let (state, error) = match verdict {
                    Ok(t) => (t.state, None),
                    Err(r) => (r.state, Some(r.reason)),
                };
                valid += usize::from(state.usable());
                body.copies.push(CheckedCopy {
                    target: target.name.clone(),
                    file: copy.path(),
                    ok: state.usable(),
                    state,
                    error,
                });
            }
        }
        if valid == 0 {
            body.unprotected.push(target.name.clone());
        }
    }
    body
}

impl crate::output::Body for CheckBody {
    const SCHEMA: &'static str = "backup-check";
}
