//! Per backup target and location: the newest verified copy and how old it is; and the copies
//! `backup --check` found bad in the window. Reads the whole backup history up to the end of
//! the window: an old verified copy still counts, however short the window.

use crate::backup::run::Outcome;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::lean;

#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub(crate) struct BackupFigures {
    pub locations: Vec<LocationAge>,
    /// Configured targets with no verified copy anywhere.
    pub unprotected: Vec<String>,
    /// Backup runs in the window, and those that wrote nothing for some target.
    pub runs: u64,
    pub failed_targets: u64,
    /// Copies that `backup --check` found bad in the window.
    pub check_failures: Vec<CheckFailure>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct LocationAge {
    pub target: String,
    pub location: String,
    /// The newest copy known good here.
    pub backup: Option<String>,
    /// When a run last found it good: written and verified, checked, or still current
    /// (`unchanged`).
    pub verified_at: DateTime<Utc>,
    pub age_s: i64,
    /// Older than `[report] backup_max_age`.
    pub stale: bool,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct CheckFailure {
    pub at: DateTime<Utc>,
    pub target: String,
    pub file: String,
    pub error: Option<String>,
}

#[derive(Default)]
pub(crate) struct Backups {
    /// (target, location) → (backup name, verified at)
    good: BTreeMap<(String, String), (Option<String>, DateTime<Utc>)>,
    runs: u64,
    failed_targets: u64,
    /// The newest verdict on each bad copy, by file: a copy checked bad every hour is one
    /// failure, and a copy later found good is none.
    check_failures: BTreeMap<String, CheckFailure>,
}

/// The newest good copy of one target at one location, and when a run last found it good: what
/// the Prometheus textfile keeps between runs, so that it follows the same rules as `report`.
// The field names are the state file's.
#[allow(clippy::struct_field_names)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Verified {
    pub target: String,
    pub location: String,
    pub backup: Option<String>,
    pub verified_at: DateTime<Utc>,
}

/// `known` after one more `backup` or `backup --check` report (its JSON), by the rules `report`
/// applies to the whole history.
pub(crate) fn carry(known: Vec<Verified>, report: &serde_json::Value) -> Vec<Verified> {
    let mut b = Backups::default();
    for v in known {
        b.good
            .insert((v.target, v.location), (v.backup, v.verified_at));
    }
    if let Ok(r) = lean::Backup::deserialize(report) {
        b.push(r, DateTime::<Utc>::MIN_UTC);
    }
    b.good
        .into_iter()
        .map(|((target, location), (backup, verified_at))| Verified {
            target,
            location,
            backup,
            verified_at,
        })
        .collect()
}

/// Enough to act on; the rest are counted in the summary.
const MAX_CHECK_FAILURES: usize = 50;

impl Backups {
    pub(crate) fn push(&mut self, r: lean::Backup, from: DateTime<Utc>) {
        let Some(at) = r.started_at else { return };
        let inside = at >= from;
        if inside && !r.targets.is_empty() {
            self.runs += 1;
        }
        for t in r.targets {
            match t.result {
                Outcome::Written => {
                    for l in t.locations.into_iter().filter(|l| l.ok) {
                        self.verified(&t.name, l.path.display().to_string(), t.backup.clone(), at);
                    }
                }
                // The named copy still holds the current content wherever it was good.
                Outcome::Unchanged => {
                    for ((target, _), (backup, when)) in &mut self.good {
                        if *target == t.name && backup.is_some() && *backup == t.backup {
                            *when = (*when).max(at);
                        }
                    }
                }
                _ => self.failed_targets += u64::from(inside),
            }
        }
        for c in r.copies {
            let file = c.file.display().to_string();
            let path = c.file.as_path();
            let location = path
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            if c.ok {
                self.check_failures.remove(&file);
                self.verified(&c.target, location, name, at);
                continue;
            }
            // The copy that was good there is not any more.
            let key = (c.target.clone(), location);
            if self.good.get(&key).is_some_and(|g| g.0 == name) {
                self.good.remove(&key);
            }
            if inside
                && (self.check_failures.contains_key(&file)
                    || self.check_failures.len() < MAX_CHECK_FAILURES)
            {
                self.check_failures.insert(
                    file.clone(),
                    CheckFailure {
                        at,
                        target: c.target,
                        file,
                        error: c.error,
                    },
                );
            }
        }
    }

    fn verified(
        &mut self,
        target: &str,
        location: String,
        backup: Option<String>,
        at: DateTime<Utc>,
    ) {
        let entry = self
            .good
            .entry((target.to_owned(), location))
            .or_insert((backup.clone(), at));
        // A check of an older copy proves that copy, not a newer name.
        if at >= entry.1 && backup >= entry.0 {
            *entry = (backup, at);
        } else if at >= entry.1 {
            entry.1 = at;
        }
    }

    pub(crate) fn finish(
        self,
        to: DateTime<Utc>,
        max_age: chrono::Duration,
        configured: &[String],
    ) -> BackupFigures {
        let locations: Vec<LocationAge> = self
            .good
            .into_iter()
            .map(|((target, location), (backup, verified_at))| {
                let age = to - verified_at;
                LocationAge {
                    target,
                    location,
                    backup,
                    verified_at,
                    age_s: age.num_seconds(),
                    stale: age > max_age,
                }
            })
            .collect();
        let unprotected = configured
            .iter()
            .filter(|t| !locations.iter().any(|l| &l.target == *t))
            .cloned()
            .collect();
        BackupFigures {
            locations,
            unprotected,
            runs: self.runs,
            failed_targets: self.failed_targets,
            check_failures: self.check_failures.into_values().collect(),
        }
    }
}
