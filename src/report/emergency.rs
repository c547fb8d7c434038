//! Periods in fallback mode, from the emergency reports; `emergency.json` tells whether the last
//! one is still on, or when a health-check ended it (that writes no emergency report).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::lean;

#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub(crate) struct EmergencyFigures {
    /// Fallback mode is on at the end of the window.
    pub active: bool,
    pub periods: Vec<Period>,
    /// Time in fallback mode inside the window.
    pub seconds: i64,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct Period {
    pub start: DateTime<Utc>,
    /// Null while it lasts.
    pub end: Option<DateTime<Utc>>,
    /// Servers that were on their direct API or down during it.
    pub servers: Vec<String>,
}

#[derive(Default)]
pub(crate) struct Emergency {
    open: Option<(DateTime<Utc>, BTreeSet<String>)>,
    done: Vec<Period>,
}

impl Emergency {
    pub(crate) fn push(&mut self, r: lean::Emergency) {
        let Some(at) = r.started_at else { return };
        // The run that cleared a period says when (a health-check or --clear writes no report
        // of its own that ends it); a later report only shows that it is over.
        let ended = |start: DateTime<Utc>, by: DateTime<Utc>| {
            r.cleared_at
                .filter(|c| *c >= start && *c <= by)
                .unwrap_or(by)
                .max(start)
        };
        if !r.active {
            if let Some((start, servers)) = self.open.take() {
                self.close(start, ended(start, at), servers);
            }
            return;
        }
        let start = r.since.unwrap_or(at);
        // A report that names another start: the previous period ended in between.
        if let Some((open, _)) = &self.open
            && *open != start
        {
            let (open, servers) = self.open.take().expect("checked");
            self.close(open, ended(open, start), servers);
        }
        let (_, servers) = self.open.get_or_insert_with(|| (start, BTreeSet::new()));
        servers.extend(
            r.servers
                .into_iter()
                .filter(|s| s.mode != crate::emergency::Mode::Mcp)
                .map(|s| s.name),
        );
    }

    fn close(&mut self, start: DateTime<Utc>, end: DateTime<Utc>, servers: BTreeSet<String>) {
        self.done.push(Period {
            start,
            end: Some(end),
            servers: servers.into_iter().collect(),
        });
    }

    /// `current` is the state file: an open period it shows as over ends when it was updated.
    pub(crate) fn finish(
        mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        current: &crate::emergency::State,
    ) -> EmergencyFigures {
        let mut active = false;
        if let Some((start, servers)) = self.open.take() {
            let end = current
                .cleared_at
                .filter(|c| *c >= start)
                .or(current.updated.filter(|_| !current.active));
            match end {
                Some(end) if end >= start && end <= to => {
                    self.close(start, end, servers);
                }
                _ => {
                    active = true;
                    self.done.push(Period {
                        start,
                        end: None,
                        servers: servers.into_iter().collect(),
                    });
                }
            }
        }
        let periods: Vec<Period> = self
            .done
            .into_iter()
            .filter(|p| p.start <= to && p.end.is_none_or(|e| e >= from))
            .collect();
        let seconds = periods
            .iter()
            .map(|p| {
                (p.end.unwrap_or(to).min(to) - p.start.max(from))
                    .num_seconds()
                    .max(0)
            })
            .sum();
        EmergencyFigures {
            active,
            periods,
            seconds,
        }
    }
}
