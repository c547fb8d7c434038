//! What a watch knows between passes: each server's state and since when, the recent events,
//! flapping, and the worst status seen (the exit code when the watched process ends).

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Local, Utc};

use super::flap::{Flap, Turn};
use crate::exit::Status;
use crate::heal::Recovery;
use crate::health::{ServerReport, ServerStatus};

/// Events kept for the live view.
const EVENTS: usize = 10;

#[derive(Debug)]
pub struct Track {
    pub status: ServerStatus,
    pub since: DateTime<Utc>,
    pub latency_ms: Option<f64>,
    pub detail: Option<String>,
    /// Recoveries that brought it back today (local time).
    pub recoveries_today: u32,
    pub breaker_open: bool,
    flap: Flap,
}

impl Track {
    pub fn flapping(&self) -> bool {
        self.flap.flapping
    }
}

#[derive(Debug, Clone)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub text: String,
}

/// A change worth a line, a notification and a stored report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The server's state changed; `quiet` while it flaps (its flapping was told instead).
    Became {
        server: String,
        from: Option<ServerStatus>,
        to: ServerStatus,
        detail: Option<String>,
        quiet: bool,
    },
    /// Its ladder brought it back within the pass.
    Recovered {
        server: String,
        steps: Vec<String>,
    },
    FlappingStarted(String),
    FlappingStopped(String),
}

impl Change {
    pub fn line(&self) -> String {
        match self {
            Change::Became {
                server,
                from,
                to,
                detail,
                ..
            } => {
                let from = from.map_or_else(|| "new".to_owned(), |f| word(f).to_owned());
                let detail = detail
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                format!("{server}: {from} -> {}{detail}", word(*to))
            }
            Change::Recovered { server, steps } => {
                format!("{server}: recovered by {}", steps.join(", "))
            }
            Change::FlappingStarted(s) => {
                format!(
                    "{s}: flapping (changing state too often); further changes are not told until it settles"
                )
            }
            Change::FlappingStopped(s) => format!("{s}: stopped flapping"),
        }
    }

    /// Whether it is told to the notifiers; a flapping server's own changes are not.
    pub fn told(&self) -> bool {
        !matches!(self, Change::Became { quiet: true, .. })
    }
}

pub fn word(s: ServerStatus) -> &'static str {
    match s {
        ServerStatus::Healthy => "healthy",
        ServerStatus::Degraded => "degraded",
        ServerStatus::Unhealthy => "unhealthy",
        ServerStatus::Unknown => "unknown",
        ServerStatus::Disabled => "disabled",
    }
}

#[derive(Debug, Default)]
pub struct Tracker {
    pub servers: BTreeMap<String, Track>,
    pub events: VecDeque<Event>,
    /// The worst pass status so far: Ok, Warning or Critical.
    pub worst: Option<Status>,
    pub passes: u64,
    pub recoveries: u64,
    pub incidents: u64,
    today: Option<chrono::NaiveDate>,
}

impl Tracker {
    /// Folds one pass in; returns what changed. The first pass makes a change of every server
    /// that is not healthy, so a watch that starts on an outage says so.
    pub fn observe(
        &mut self,
        status: Status,
        reports: &[ServerReport],
        recovery: &[Recovery],
        now: DateTime<Utc>,
    ) -> Vec<Change> {
        self.passes += 1;
        let seen = match status {
            Status::Unknown => Status::Warning,
            s => s,
        };
        self.worst = Some(self.worst.map_or(seen, |w| worse(w, seen)));
        let day = now.with_timezone(&Local).date_naive();
        if self.today != Some(day) {
            self.today = Some(day);
            for t in self.servers.values_mut() {
                t.recoveries_today = 0;
            }
        }
        let mut changes = Vec::new();
        for r in reports {
            let detail = r.error.as_ref().map(|e| e.message.clone());
            let failing = matches!(r.status, ServerStatus::Unhealthy | ServerStatus::Unknown);
            let rec = recovery.iter().find(|x| x.name == r.name);
            let first = !self.servers.contains_key(&r.name);
            let track = self.servers.entry(r.name.clone()).or_insert_with(|| Track {
                status: r.status,
                since: now,
                latency_ms: None,
                detail: None,
                recoveries_today: 0,
                breaker_open: false,
                flap: Flap::default(),
            });
            track.latency_ms = r.latency_ms.initialize.map(|_| r.latency_ms.total);
            track.detail.clone_from(&detail);
            let mut recovered = None;
            if let Some(rec) = rec {
                track.breaker_open = rec.breaker_open;
                if rec.recovered {
                    track.recoveries_today += 1;
                    self.recoveries += 1;
                    recovered = Some(Change::Recovered {
                        server: r.name.clone(),
                        steps: rec
                            .actions
                            .iter()
                            .filter_map(|a| {
                                serde_json::to_value(a.step?)
                                    .ok()?
                                    .as_str()
                                    .map(str::to_owned)
                            })
                            .collect(),
                    });
                }
            }
            let turn = track.flap.observe(failing);
            let was = track.status;
            let was_failing = matches!(was, ServerStatus::Unhealthy | ServerStatus::Unknown);
            if let Some(c) = recovered {
                // Down and back within one pass: an incident all the same.
                if !was_failing {
                    self.incidents += 1;
                }
                changes.push(c);
            }
            if first && !failing && r.status != ServerStatus::Degraded {
                continue;
            }
            if first || was != r.status {
                if !first {
                    track.since = now;
                }
                if failing && (first || !was_failing) {
                    self.incidents += 1;
                }
                track.status = r.status;
                changes.push(Change::Became {
                    server: r.name.clone(),
                    from: (!first).then_some(was),
                    to: r.status,
                    detail: detail.clone(),
                    quiet: track.flap.flapping && turn == Turn::Same,
                });
            }
            match turn {
                Turn::Started => changes.push(Change::FlappingStarted(r.name.clone())),
                Turn::Stopped => changes.push(Change::FlappingStopped(r.name.clone())),
                Turn::Same => {}
            }
        }
        // A server down and healed within the pass was an outage all the same: the hook that
        // reads the watch's exit code hears of it.
        if changes
            .iter()
            .any(|c| matches!(c, Change::Recovered { .. }))
        {
            self.worst = self.worst.map(|w| worse(w, Status::Warning));
        }
        for c in &changes {
            self.event(now, c.line());
        }
        changes
    }

    /// Something that happened outside a pass (a container event, the event stream).
    pub fn event(&mut self, at: DateTime<Utc>, text: String) {
        if self.events.len() == EVENTS {
            self.events.pop_front();
        }
        self.events.push_back(Event { at, text });
    }
}

fn worse(a: Status, b: Status) -> Status {
    if b.code().as_u8() > a.code().as_u8() {
        b
    } else {
        a
    }
}
