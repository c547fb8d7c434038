//! The live view a watch draws on a terminal: per server its state and for how long, the last
//! latency, uptime over 24 hours from the stored reports, recoveries today and the breaker; then
//! the last events and the alerts that are active now.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::tracker::{Tracker, word};
use crate::health::ServerStatus;

/// What the view shows besides the tracker.
pub(super) struct Extra<'a> {
    pub(super) every: std::time::Duration,
    pub(super) uptime: &'a HashMap<String, f64>,
    pub(super) fallback: Option<&'a str>,
    pub(super) stream: Option<&'a str>,
}

/// The whole screen, from the top left, clearing what was there.
pub(super) fn screen(t: &Tracker, extra: &Extra<'_>, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "mcpctl health-check --watch {} on {}: {} passes, {} incidents, {} recoveries\n",
        humantime::format_duration(extra.every),
        crate::output::hostname(),
        t.passes,
        t.incidents,
        t.recoveries
    ));
    let mut table = crate::output::table::new(&[
        "SERVER",
        "STATE",
        "FOR",
        "LATENCY",
        "UPTIME 24H",
        "RECOVERED TODAY",
        "BREAKER",
    ]);
    for (name, s) in &t.servers {
        let state = if s.flapping() {
            format!("{} (flapping)", word(s.status))
        } else {
            word(s.status).to_owned()
        };
        table.add_row(vec![
            name.clone(),
            state,
            span(now - s.since),
            s.latency_ms
                .map_or_else(|| "-".into(), |ms| format!("{ms:.0} ms")),
            extra
                .uptime
                .get(name)
                .map_or_else(|| "-".into(), |p| format!("{p:.2} %")),
            s.recoveries_today.to_string(),
            if s.breaker_open { "open" } else { "closed" }.to_owned(),
        ]);
    }
    out.push_str(&format!("{table}\n\nrecent events:\n"));
    if t.events.is_empty() {
        out.push_str("  none yet\n");
    }
    for e in t.events.iter().rev() {
        out.push_str(&format!(
            "  {} {}\n",
            e.at.with_timezone(&chrono::Local).format("%H:%M:%S"),
            e.text
        ));
    }
    out.push_str("\nactive alerts:\n");
    let alerts = alerts(t, extra);
    if alerts.is_empty() {
        out.push_str("  none\n");
    }
    for a in alerts {
        out.push_str(&format!("  {a}\n"));
    }
    // Names come from client files: only the view's own escape drives the terminal.
    format!("\x1b[H\x1b[2J{}", crate::output::printable_lines(&out))
}

fn alerts(t: &Tracker, extra: &Extra<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for (name, s) in &t.servers {
        if matches!(s.status, ServerStatus::Unhealthy | ServerStatus::Unknown) {
            let why = s.detail.as_deref().unwrap_or("no answer");
            out.push(format!("{name} {}: {why}", word(s.status)));
        }
        if s.flapping() {
            out.push(format!("{name} is flapping"));
        }
        if s.breaker_open {
            out.push(format!(
                "{name}: circuit breaker open; `mcpctl recover --reset {name}` once fixed"
            ));
        }
    }
    if let Some(f) = extra.fallback {
        out.push(f.to_owned());
    }
    if let Some(s) = extra.stream {
        out.push(s.to_owned());
    }
    out
}

fn span(d: chrono::TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}
