//! Recoveries by step and circuit-breaker openings, from `recover/audit.jsonl`, line by line.

use crate::config::RecoverStep;
use crate::heal::audit::{Event, Outcome, Record};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::scan::Sources;
use super::servers::{ServerFigures, StepCount};

#[derive(Default)]
pub(crate) struct Recoveries {
    /// server → step → (tried, succeeded)
    steps: BTreeMap<String, BTreeMap<RecoverStep, (u64, u64)>>,
    breakers: BTreeMap<String, u64>,
}

impl Recoveries {
    pub(crate) fn read(
        state_dir: &Path,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        only: &[String],
        sources: &mut Sources,
    ) -> Self {
        let mut out = Self::default();
        let Ok(file) = crate::state::open_regular(&state_dir.join("recover").join("audit.jsonl"))
        else {
            return out;
        };
        let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let Ok(r) = serde_json::from_slice::<Record>(&line) else {
                sources.audit_skipped += 1;
                continue;
            };
            sources.audit_lines += 1;
            if r.time < from || r.time > to || !(only.is_empty() || only.contains(&r.server)) {
                continue;
            }
            if r.event == Some(Event::BreakerOpen) {
                *out.breakers.entry(r.server.clone()).or_default() += 1;
            }
            if let Some(step) = r.step
                && r.outcome != Outcome::Skipped
            {
                let e = out
                    .steps
                    .entry(r.server)
                    .or_default()
                    .entry(step)
                    .or_default();
                e.0 += 1;
                e.1 += u64::from(r.outcome == Outcome::Succeeded);
            }
        }
        out
    }

    /// Names from the audit that no health-check mentions, so the caller can list them too.
    pub(crate) fn servers(&self) -> impl Iterator<Item = &String> {
        self.steps.keys().chain(self.breakers.keys())
    }

    pub(crate) fn fill(&self, s: &mut ServerFigures) {
        if let Some(steps) = self.steps.get(&s.name) {
            s.recoveries = steps
                .iter()
                .map(|(step, (tried, succeeded))| StepCount {
                    step: *step,
                    tried: *tried,
                    succeeded: *succeeded,
                })
                .collect();
            // By the step's word, as the report has always listed them.
            s.recoveries.sort_by_key(|c| c.step.as_str());
        }
        s.breaker_openings = self.breakers.get(&s.name).copied().unwrap_or(0);
    }
}
