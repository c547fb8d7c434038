//! Per server, from the health-check history: time-weighted uptime with unknown gaps, failures,
//! incidents and MTTR, error kinds, handshake latency, and a binned timeline for the charts.

use std::collections::{BTreeMap, BinaryHeap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::lean;
use super::quantiles::Quantiles;
use crate::health::ServerStatus;
use crate::probe::FailureKind;

/// Bins of the timeline and the latency sparkline, whatever the window.
pub(crate) const BINS: usize = 96;
/// Reports held back to put reports written slightly out of order back in time order.
const REORDER: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Up,
    Degraded,
    Down,
    Unknown,
}

impl State {
    fn of(status: ServerStatus) -> Self {
        match status {
            ServerStatus::Healthy => State::Up,
            ServerStatus::Degraded => State::Degraded,
            ServerStatus::Unhealthy => State::Down,
            ServerStatus::Unknown | ServerStatus::Disabled => State::Unknown,
        }
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct ServerFigures {
    pub name: String,
    /// No longer in the config (nor found in MCP client configs): listed with its history, never
    /// counted in the status, the summary or the recommendations.
    pub removed: bool,
    /// Marked `critical` in its latest probe.
    pub critical: bool,
    /// Probes in the window.
    pub probes: u64,
    /// Time known up (healthy or degraded), known down, and not known (no probe ran), in seconds.
    pub up_s: f64,
    pub down_s: f64,
    pub unknown_s: f64,
    /// Up as a share of the time whose state is known; null when nothing is known.
    pub uptime_pct: Option<f64>,
    /// The share of the window with no probe to tell.
    pub unknown_pct: f64,
    /// Probes that found it unhealthy.
    pub failures: u64,
    /// Runs of failing probes that started in the window.
    pub incidents: u64,
    /// Mean time from the first failing probe to the first healthy one, in seconds.
    pub mttr_s: Option<f64>,
    pub recovered: u64,
    /// Still failing at the end of the window, since this probe.
    pub down_since: Option<DateTime<Utc>>,
    /// Most frequent first.
    pub error_kinds: Vec<KindCount>,
    pub latency_ms: LatencyFigures,
    /// Recovery ladder steps from the audit, and circuit-breaker openings.
    pub recoveries: Vec<StepCount>,
    pub breaker_openings: u64,
    /// One character per bin: U up, W degraded, D down (any down time), . unknown.
    pub timeline: String,
    /// Mean handshake latency per bin; null where there was none.
    pub latency_bins_ms: Vec<Option<f64>>,
    /// The newest hint given with its most frequent error kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl ServerFigures {
    /// Recoveries by step as `restart-container 2/3`, joined by `sep`; empty when none ran.
    pub(crate) fn recoveries_text(&self, sep: &str) -> String {
        self.recoveries
            .iter()
            .map(|r| format!("{} {}/{}", r.step.as_str(), r.succeeded, r.tried))
            .collect::<Vec<_>>()
            .join(sep)
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct KindCount {
    pub kind: FailureKind,
    pub count: u64,
}

#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub(crate) struct LatencyFigures {
    /// Handshake (`initialize`) latency; within 2% once a server has over 4096 samples.
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub samples: u64,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct StepCount {
    pub step: crate::config::RecoverStep,
    /// Ran (succeeded, tried without effect, or failed itself); skipped ones are not counted.
    pub tried: u64,
    pub succeeded: u64,
}

/// The window in milliseconds, cut into bins.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub(crate) from: i64,
    pub(crate) to: i64,
    /// Longer than this after a probe is unknown time.
    pub(crate) max_gap: i64,
}

impl Span {
    fn bin_len(self) -> i64 {
        ((self.to - self.from) / i64::try_from(BINS).expect("small")).max(1)
    }

    fn bin(self, t: i64) -> usize {
        usize::try_from((t - self.from) / self.bin_len())
            .unwrap_or(0)
            .min(BINS - 1)
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Bin {
    up: i64,
    degraded: i64,
    down: i64,
    latency_sum: f64,
    latency_n: u32,
}

struct Acc {
    critical: bool,
    /// The latest probe: its time, state and how long that state may last.
    last: Option<(i64, State, i64)>,
    up: i64,
    down: i64,
    probes: u64,
    failures: u64,
    incidents: u64,
    incident_start: Option<i64>,
    mttr_sum: i64,
    recovered: u64,
    kinds: BTreeMap<FailureKind, (u64, Option<String>)>,
    latency: Quantiles,
    bins: Vec<Bin>,
}

impl Acc {
    fn new() -> Self {
        Self {
            critical: false,
            last: None,
            up: 0,
            down: 0,
            probes: 0,
            failures: 0,
            incidents: 0,
            incident_start: None,
            mttr_sum: 0,
            recovered: 0,
            kinds: BTreeMap::new(),
            latency: Quantiles::default(),
            bins: vec![Bin::default(); BINS],
        }
    }

    /// Gives `[a, b)` to `state`, clipped to the window and spread over the bins it covers.
    fn attribute(&mut self, span: Span, a: i64, b: i64, state: State) {
        let (a, b) = (a.max(span.from), b.min(span.to));
        if a >= b || state == State::Unknown {
            return;
        }
        match state {
            State::Down => self.down += b - a,
            _ => self.up += b - a,
        }
        let mut t = a;
        while t < b {
            let i = span.bin(t);
            let end = if i == BINS - 1 {
                b
            } else {
                (span.from + span.bin_len() * (i64::try_from(i).expect("small") + 1)).min(b)
            };
            let bin = &mut self.bins[i];
            match state {
                State::Up => bin.up += end - t,
                State::Degraded => bin.degraded += end - t,
                State::Down => bin.down += end - t,
                State::Unknown => {}
            }
            t = end.max(t + 1);
        }
    }

    /// The state from the previous probe lasts until this one, or for that probe's gap at most.
    fn advance(&mut self, span: Span, t: i64, state: State, gap: i64) {
        if let Some((t0, s0, g0)) = self.last {
            self.attribute(span, t0, t.min(t0.saturating_add(g0)), s0);
        }
        self.last = Some((t, state, gap));
    }
}

/// A health-check report waiting in the reorder buffer.
struct Pending {
    time: i64,
    seq: u64,
    counted: bool,
    /// How long this report's states last without a newer one: twice a watch's cadence, else
    /// the window's `max_gap`.
    gap: i64,
    servers: Vec<lean::Server>,
    /// Servers the run's ladder brought back, and how long after the run started.
    healed: HashMap<String, i64>,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    /// Reversed: the heap pops the oldest first.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

pub(crate) struct Servers {
    span: Span,
    only: Vec<String>,
    accs: HashMap<String, Acc>,
    pending: BinaryHeap<Pending>,
    seq: u64,
    newest_done: i64,
    pub(crate) clock_jumps: u64,
}

impl Servers {
    pub(crate) fn new(span: Span, only: &[String]) -> Self {
        Self {
            span,
            only: only.to_vec(),
            accs: HashMap::new(),
            pending: BinaryHeap::new(),
            seq: 0,
            newest_done: i64::MIN,
            clock_jumps: 0,
        }
    }

    /// A configured server shows up even with no probe in the window (all unknown).
    pub(crate) fn expect(&mut self, name: &str) {
        if self.wanted(name) {
            self.accs.entry(name.to_owned()).or_insert_with(Acc::new);
        }
    }

    fn wanted(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|n| n == name)
    }

    /// `counted` is false for the report just before the window: it only sets the first state.
    pub(crate) fn push(&mut self, report: lean::HealthCheck, counted: bool) {
        let Some(time) = report.started_at else {
            return;
        };
        self.seq += 1;
        self.pending.push(Pending {
            time: time.timestamp_millis(),
            seq: self.seq,
            counted,
            gap: report.cadence_s.map_or(self.span.max_gap, |c| {
                i64::try_from(c.saturating_mul(2_000)).unwrap_or(i64::MAX)
            }),
            servers: report.servers,
            healed: report
                .recovery
                .into_iter()
                .filter(|r| r.recovered)
                .filter_map(|r| Some((r.name, i64::try_from(r.time_to_recover_ms?).ok()?)))
                .collect(),
        });
        if self.pending.len() > REORDER {
            let next = self.pending.pop().expect("not empty");
            self.apply(next);
        }
    }

    fn apply(&mut self, p: Pending) {
        let in_order = p.time >= self.newest_done;
        if in_order {
            self.newest_done = p.time;
        } else {
            self.clock_jumps += 1;
        }
        let span = self.span;
        for s in p.servers {
            // A disabled server was not probed: no state to tell.
            if !self.wanted(&s.name) || s.status == ServerStatus::Disabled {
                continue;
            }
            let inside = p.counted && p.time >= span.from && p.time <= span.to;
            // Healed within the run: down from its start until the ladder brought it back.
            let healed = p.healed.get(&s.name).copied();
            let acc = self.accs.entry(s.name).or_insert_with(Acc::new);
            let state = State::of(s.status);
            let mut at = p.time;
            if in_order && let Some(after) = healed {
                acc.advance(span, p.time, State::Down, p.gap);
                if acc.incident_start.is_none() {
                    acc.incident_start = Some(p.time);
                    acc.incidents += u64::from(inside);
                }
                at = p.time.saturating_add(after);
            }
            if in_order {
                acc.advance(span, at, state, p.gap);
                acc.critical = s.critical;
            }
            if inside {
                acc.probes += 1;
                if let Some(ms) = s.latency_ms.and_then(|l| l.initialize) {
                    acc.latency.push(ms);
                    let bin = &mut acc.bins[span.bin(p.time)];
                    bin.latency_sum += ms;
                    bin.latency_n += 1;
                }
            }
            if state == State::Down {
                if inside {
                    acc.failures += 1;
                    let kind = s.error.as_ref().and_then(|e| e.kind);
                    let entry = acc
                        .kinds
                        .entry(kind.unwrap_or(FailureKind::Other))
                        .or_default();
                    entry.0 += 1;
                    if let Some(hint) = s.error.and_then(|e| e.hint) {
                        entry.1 = Some(hint);
                    }
                }
                if in_order && acc.incident_start.is_none() {
                    acc.incident_start = Some(p.time);
                    acc.incidents += u64::from(inside);
                }
            } else if matches!(state, State::Up | State::Degraded)
                && in_order
                && let Some(start) = acc.incident_start.take()
                && p.time >= span.from
            {
                acc.mttr_sum += at - start;
                acc.recovered += 1;
            }
        }
    }

    /// Drains the reorder buffer, closes every timeline at the end of the window, and returns
    /// the figures by name.
    pub(crate) fn finish(mut self) -> Vec<ServerFigures> {
        while let Some(p) = self.pending.pop() {
            self.apply(p);
        }
        let span = self.span;
        let window = (span.to - span.from).max(1);
        let mut out: Vec<ServerFigures> = self
            .accs
            .into_iter()
            .map(|(name, mut acc)| {
                if let Some((t0, s0, g0)) = acc.last {
                    acc.attribute(span, t0, t0.saturating_add(g0).min(span.to), s0);
                }
                figures(name, acc, window)
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }
}

#[allow(clippy::cast_precision_loss)]
fn figures(name: String, mut acc: Acc, window: i64) -> ServerFigures {
    let known = acc.up + acc.down;
    let unknown = (window - known).max(0);
    let mut kinds: Vec<(FailureKind, (u64, Option<String>))> = acc.kinds.into_iter().collect();
    kinds.sort_by(|a, b| {
        b.1.0
            .cmp(&a.1.0)
            .then_with(|| a.0.as_str().cmp(b.0.as_str()))
    });
    let hint = kinds.first().and_then(|k| k.1.1.clone());
    let timeline = acc
        .bins
        .iter()
        .map(|b| {
            if b.down > 0 {
                'D'
            } else if b.degraded > 0 {
                'W'
            } else if b.up > 0 {
                'U'
            } else {
                '.'
            }
        })
        .collect();
    let latency_bins_ms = acc
        .bins
        .iter()
        .map(|b| (b.latency_n > 0).then(|| round1(b.latency_sum / f64::from(b.latency_n))))
        .collect();
    ServerFigures {
        name,
        removed: false,
        critical: acc.critical,
        probes: acc.probes,
        up_s: round1(acc.up as f64 / 1000.0),
        down_s: round1(acc.down as f64 / 1000.0),
        unknown_s: round1(unknown as f64 / 1000.0),
        uptime_pct: (known > 0).then(|| round2(100.0 * acc.up as f64 / known as f64)),
        unknown_pct: round2(100.0 * unknown as f64 / window as f64),
        failures: acc.failures,
        incidents: acc.incidents,
        mttr_s: (acc.recovered > 0)
            .then(|| round1(acc.mttr_sum as f64 / 1000.0 / acc.recovered as f64)),
        recovered: acc.recovered,
        down_since: acc
            .incident_start
            .and_then(DateTime::<Utc>::from_timestamp_millis),
        error_kinds: kinds
            .into_iter()
            .map(|(kind, (count, _))| KindCount { kind, count })
            .collect(),
        latency_ms: LatencyFigures {
            p50: acc.latency.quantile(0.5).map(round1),
            p95: acc.latency.quantile(0.95).map(round1),
            samples: acc.latency.count(),
        },
        recoveries: Vec::new(),
        breaker_openings: 0,
        timeline,
        latency_bins_ms,
        hint,
    }
}

pub(crate) fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

pub(crate) fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
