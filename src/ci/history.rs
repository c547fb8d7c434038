//! Where each fingerprint was seen before (commits, runs, times), to tell a persistent failure
//! from a flaky one. Kept in the state dir, bounded, and pruned to a window.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::limits::MAX_SIGHTINGS;

/// How long a sighting counts.
pub(crate) const WINDOW: chrono::TimeDelta = chrono::TimeDelta::days(14);
const MAX_FINGERPRINTS: usize = 5000;

/// Read by `report` and `fix`: keep the values as they are.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Recurrence {
    /// The same fingerprint failed on another commit within the window: not flaky, fix it.
    Persistent,
    /// A first sighting of an infrastructure failure: worth a re-run before anything else.
    RerunCandidate,
    #[default]
    New,
    /// A word from a newer mcpctl, in a stored report, or none in one older than recurrence.
    #[serde(other)]
    Other,
}

impl Recurrence {
    pub(crate) fn unclassified() -> Self {
        Recurrence::Other
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Recurrence::Persistent => "persistent",
            Recurrence::RerunCandidate => "rerun_candidate",
            Recurrence::New => "new",
            Recurrence::Other => "other",
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct History {
    #[serde(default)]
    pub fingerprints: BTreeMap<String, Entry>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub category: String,
    pub sightings: Vec<Sighting>,
    /// The GitHub issue opened (or found) for this fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Sighting {
    pub sha: String,
    pub run_id: u64,
    pub at: DateTime<Utc>,
}

impl History {
    /// Judged against what was seen before this run (a reprocessed run does not count twice).
    pub(crate) fn recurrence(
        &self,
        fingerprint: &str,
        category: &str,
        sha: &str,
        run_id: u64,
    ) -> Recurrence {
        let before: Vec<&Sighting> = self
            .fingerprints
            .get(fingerprint)
            .map(|e| e.sightings.iter().filter(|s| s.run_id != run_id).collect())
            .unwrap_or_default();
        if before.iter().any(|s| s.sha != sha) {
            Recurrence::Persistent
        } else if before.is_empty() && super::patterns::INFRA.contains(&category) {
            Recurrence::RerunCandidate
        } else {
            Recurrence::New
        }
    }

    pub(crate) fn record(&mut self, fingerprint: &str, category: &str, sighting: Sighting) {
        let entry = self.fingerprints.entry(fingerprint.to_owned()).or_default();
        category.clone_into(&mut entry.category);
        if !entry.sightings.iter().any(|s| s.run_id == sighting.run_id) {
            entry.sightings.push(sighting);
        }
        entry.sightings.sort_by_key(|s| s.at);
        let excess = entry.sightings.len().saturating_sub(MAX_SIGHTINGS);
        entry.sightings.drain(..excess);
    }

    /// Sightings within the window, this run's included.
    pub(crate) fn count(&self, fingerprint: &str) -> usize {
        self.fingerprints
            .get(fingerprint)
            .map_or(0, |e| e.sightings.len())
    }

    /// Drops sightings older than the window, fingerprints with none left, and the oldest
    /// fingerprints beyond the bound.
    pub(crate) fn prune(&mut self, now: DateTime<Utc>) {
        for entry in self.fingerprints.values_mut() {
            entry.sightings.retain(|s| now - s.at <= WINDOW);
        }
        self.fingerprints.retain(|_, e| !e.sightings.is_empty());
        if self.fingerprints.len() > MAX_FINGERPRINTS {
            let mut last: Vec<(DateTime<Utc>, String)> = self
                .fingerprints
                .iter()
                .map(|(fp, e)| (e.sightings.last().map_or(now, |s| s.at), fp.clone()))
                .collect();
            last.sort();
            for (_, fp) in last.iter().take(self.fingerprints.len() - MAX_FINGERPRINTS) {
                self.fingerprints.remove(fp);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(h: &mut History, fp: &str, category: &str, sha: &str, run: u64, days_ago: i64) {
        let at = Utc::now() - chrono::TimeDelta::days(days_ago);
        h.record(
            fp,
            category,
            Sighting {
                sha: sha.into(),
                run_id: run,
                at,
            },
        );
    }

    #[test]
    fn persistent_flaky_and_new() {
        let mut h = History::default();
        assert_eq!(
            h.recurrence("a", "network", "s1", 1),
            Recurrence::RerunCandidate
        );
        assert_eq!(h.recurrence("b", "test_failure", "s1", 1), Recurrence::New);
        seen(&mut h, "a", "network", "s1", 1, 0);
        seen(&mut h, "b", "test_failure", "s1", 1, 0);
        // The same run again is not a second sighting; the same commit is not persistent.
        assert_eq!(
            h.recurrence("a", "network", "s1", 1),
            Recurrence::RerunCandidate
        );
        assert_eq!(h.recurrence("a", "network", "s1", 2), Recurrence::New);
        assert_eq!(
            h.recurrence("b", "test_failure", "s2", 3),
            Recurrence::Persistent
        );
        assert_eq!(
            h.recurrence("a", "network", "s2", 3),
            Recurrence::Persistent
        );
    }

    #[test]
    fn old_sightings_leave_the_window() {
        let mut h = History::default();
        seen(&mut h, "b", "test_failure", "s1", 1, 20);
        seen(&mut h, "c", "test_failure", "s1", 1, 1);
        h.prune(Utc::now());
        assert_eq!(h.count("b"), 0);
        assert_eq!(h.count("c"), 1);
        assert_eq!(h.recurrence("b", "test_failure", "s2", 2), Recurrence::New);
    }
}
