//! Drift events from the health-check history: each distinct drift of a server's tools from
//! its baseline (the same drift on consecutive runs is one event), and each accepted baseline.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::lean;
use crate::health::drift::{BaselineState, Drift, Severity};

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct DriftEvent {
    pub server: String,
    /// drifted, or accepted (`--accept-drift` made the drifted tools the new baseline).
    pub state: BaselineState,
    pub severity: Severity,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// Runs that saw this same drift.
    pub runs: u64,
    /// What changed, in one line (`renamed get_time → current_time, schema of add changed`).
    pub line: String,
    /// The drifted snapshot's digest.
    pub digest: String,
}

impl DriftEvent {
    /// accepted, critical or warn.
    pub(crate) fn how(&self) -> &'static str {
        match (self.state, self.severity) {
            (BaselineState::Accepted, _) => "accepted",
            (_, Severity::Critical) => "critical",
            _ => "warn",
        }
    }

    /// `2026-12-01 08:00`, or `… to …, 3 runs` for a drift seen on several runs.
    pub(crate) fn when(&self) -> String {
        let first = self.first_seen.format("%Y-%m-%d %H:%M");
        if self.runs > 1 {
            format!(
                "{first} to {}, {} runs",
                self.last_seen.format("%Y-%m-%d %H:%M"),
                self.runs
            )
        } else {
            first.to_string()
        }
    }
}

#[derive(Default)]
pub(crate) struct Events {
    events: Vec<DriftEvent>,
}

impl Events {
    pub(crate) fn push(&mut self, report: &lean::HealthCheck) {
        let Some(at) = report.started_at else { return };
        for s in &report.servers {
            let (Some(state), Some(drift)) = (
                s.baseline.as_ref().map(|b| b.state),
                s.drift
                    .as_ref()
                    .and_then(|d| serde_json::from_value::<Drift>(d.clone()).ok()),
            ) else {
                continue;
            };
            if !matches!(state, BaselineState::Drifted | BaselineState::Accepted) {
                continue;
            }
            if state == BaselineState::Drifted
                && let Some(last) = self.events.iter_mut().rev().find(|e| e.server == s.name)
                && last.state == BaselineState::Drifted
                && last.digest == drift.digest
            {
                last.runs += 1;
                last.last_seen = at;
                continue;
            }
            self.events.push(DriftEvent {
                server: s.name.clone(),
                state,
                severity: drift.severity,
                first_seen: at,
                last_seen: at,
                runs: 1,
                line: drift.line(),
                digest: drift.digest,
            });
        }
    }

    pub(crate) fn finish(self, servers: &[String]) -> Vec<DriftEvent> {
        let mut events = self.events;
        if !servers.is_empty() {
            events.retain(|e| servers.contains(&e.server));
        }
        events
    }
}
