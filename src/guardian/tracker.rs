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
pub(crate) struct Track {
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
    pub(crate) fn flapping(&self) -> bool {
        self.flap.flapping
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub at: DateTime<Utc>,
    pub text: String,
}

/// A change worth a line, a notification and a stored report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
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
    pub(crate) fn line(&self) -> String {
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
    pub(crate) fn told(&self) -> bool {
        !matches!(self, Change::Became { quiet: true, .. })
    }
}

pub(crate) fn word(s: ServerStatus) -> &'static str {
    match s {
        ServerStatus::Healthy => "healthy",
        ServerStatus::Degraded => "degraded",
        ServerStatus::Unhealthy => "unhealthy",
        ServerStatus::Unknown => "unknown",
        ServerStatus::Disabled => "disabled",
    }
}

#[derive(Debug, Default)]
pub(crate) struct Tracker {
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
    pub(crate) fn observe(
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
    pub(crate) fn event(&mut self, at: DateTime<Utc>, text: String) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::test_report;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap()
    }

    fn pass(t: &mut Tracker, status: Status, servers: &[(&str, ServerStatus)]) -> Vec<Change> {
        let reports: Vec<ServerReport> = servers.iter().map(|(n, s)| test_report(n, *s)).collect();
        t.observe(status, &reports, &[], now())
    }

    /// A ladder that brought `name` back within the pass with a `wait` step.
    fn recovered(name: &str) -> Recovery {
        Recovery {
            name: name.to_owned(),
            critical: true,
            initial: ServerStatus::Unhealthy,
            initial_error: None,
            final_status: ServerStatus::Healthy,
            final_error: None,
            recovered: true,
            time_to_recover_ms: Some(5),
            held: None,
            plan: Vec::new(),
            actions: vec![crate::heal::audit::Record {
                time: now(),
                server: name.to_owned(),
                step: Some(crate::config::RecoverStep::Wait),
                event: None,
                outcome: crate::heal::audit::Outcome::Succeeded,
                detail: String::new(),
                duration_ms: 5,
            }],
            budget_left: Some(1),
            breaker_open: false,
            report: test_report(name, ServerStatus::Healthy),
        }
    }

    #[test]
    fn the_first_pass_tells_only_what_is_not_healthy() {
        let mut t = Tracker::default();
        let changes = pass(
            &mut t,
            Status::Critical,
            &[
                ("up", ServerStatus::Healthy),
                ("slow", ServerStatus::Degraded),
                ("down", ServerStatus::Unhealthy),
            ],
        );
        let became: Vec<(&str, Option<ServerStatus>, ServerStatus)> = changes
            .iter()
            .map(|c| match c {
                Change::Became {
                    server, from, to, ..
                } => (server.as_str(), *from, *to),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            became,
            [
                ("slow", None, ServerStatus::Degraded),
                ("down", None, ServerStatus::Unhealthy)
            ]
        );
        assert_eq!(changes[1].line(), "down: new -> unhealthy");
        assert_eq!(t.incidents, 1);
        assert_eq!(
            t.servers.len(),
            3,
            "the healthy one is tracked all the same"
        );
        assert!(
            pass(
                &mut t,
                Status::Critical,
                &[("down", ServerStatus::Unhealthy)]
            )
            .is_empty()
        );
    }

    #[test]
    fn a_change_is_told_once_and_an_outage_is_one_incident() {
        let mut t = Tracker::default();
        pass(&mut t, Status::Ok, &[("s", ServerStatus::Healthy)]);
        let c = pass(&mut t, Status::Critical, &[("s", ServerStatus::Unhealthy)]);
        assert_eq!(
            c,
            [Change::Became {
                server: "s".into(),
                from: Some(ServerStatus::Healthy),
                to: ServerStatus::Unhealthy,
                detail: None,
                quiet: false,
            }]
        );
        assert!(c[0].told());
        // Unhealthy to unknown is a change, not a second incident.
        let c = pass(&mut t, Status::Critical, &[("s", ServerStatus::Unknown)]);
        assert_eq!(c.len(), 1);
        assert_eq!(t.incidents, 1);
        let c = pass(&mut t, Status::Ok, &[("s", ServerStatus::Healthy)]);
        assert_eq!(c[0].line(), "s: unknown -> healthy");
        assert_eq!(t.servers["s"].status, ServerStatus::Healthy);
        assert_eq!(t.passes, 4);
        assert_eq!(t.events.len(), 3);
    }

    #[test]
    fn down_and_back_within_a_pass_is_an_incident_and_a_warning() {
        let mut t = Tracker::default();
        pass(&mut t, Status::Ok, &[("s", ServerStatus::Healthy)]);
        let reports = [test_report("s", ServerStatus::Healthy)];
        let c = t.observe(Status::Ok, &reports, &[recovered("s")], now());
        assert_eq!(
            c,
            [Change::Recovered {
                server: "s".into(),
                steps: vec!["wait".into()],
            }]
        );
        assert_eq!(c[0].line(), "s: recovered by wait");
        assert_eq!((t.incidents, t.recoveries), (1, 1));
        assert_eq!(t.servers["s"].recoveries_today, 1);
        // The pass said OK, yet the exit code hears of the outage.
        assert_eq!(t.worst, Some(Status::Warning));
    }

    #[test]
    fn a_flapping_server_is_told_once_and_its_changes_go_quiet() {
        let mut t = Tracker::default();
        let mut all = Vec::new();
        for i in 0..21 {
            let s = if i % 2 == 0 {
                ServerStatus::Healthy
            } else {
                ServerStatus::Unhealthy
            };
            all.push(pass(&mut t, Status::Ok, &[("s", s)]));
        }
        let started = all
            .iter()
            .position(|c| c.contains(&Change::FlappingStarted("s".into())))
            .expect("flapping starts");
        assert!(t.servers["s"].flapping());
        // Before and at the start every change is told; after it none is.
        for (i, changes) in all.iter().enumerate() {
            for c in changes {
                if let Change::Became { quiet, .. } = c {
                    assert_eq!(*quiet, i > started, "pass {i}: {c:?}");
                    assert_eq!(c.told(), i <= started);
                }
            }
        }
        // Settling down stops it, and says so.
        let mut stopped = false;
        for _ in 0..21 {
            stopped |= pass(&mut t, Status::Ok, &[("s", ServerStatus::Healthy)])
                .contains(&Change::FlappingStopped("s".into()));
        }
        assert!(stopped);
        assert!(!t.servers["s"].flapping());
        assert_eq!(t.events.len(), EVENTS, "the live view keeps the latest");
    }

    #[test]
    fn the_worst_status_sticks_and_unknown_counts_as_a_warning() {
        let mut t = Tracker::default();
        pass(&mut t, Status::Ok, &[]);
        assert_eq!(t.worst, Some(Status::Ok));
        pass(&mut t, Status::Unknown, &[]);
        assert_eq!(t.worst, Some(Status::Warning));
        pass(&mut t, Status::Critical, &[]);
        pass(&mut t, Status::Ok, &[]);
        assert_eq!(t.worst, Some(Status::Critical));
    }
}
