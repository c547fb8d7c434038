//! What a recovery did, in lines for people: the same text for `recover` and for
//! `health-check --recover`, on a terminal and in cron mail.

use crate::config::RecoverStep;
use crate::heal::audit::{Event, Record};
use crate::heal::{Held, Recovery};

/// A step or event by its config name (`restart-container`), an outcome by its report word.
pub(crate) fn action_label(a: &Record) -> String {
    let what = a
        .step
        .map(RecoverStep::as_str)
        .or_else(|| a.event.map(Event::as_str))
        .unwrap_or("action");
    let outcome = serde_json::to_value(a.outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    format!("{what} {outcome}")
}

/// Why no step ran, with the server's own name where the config is meant.
pub(crate) fn held_label(held: Held, server: &str) -> String {
    held.label().replace("NAME", server)
}

/// One line per action (time, step, outcome, how long, what it said), then how it ended.
pub(crate) fn lines(r: &Recovery) -> Vec<String> {
    let mut out: Vec<String> = r
        .actions
        .iter()
        .map(|a| {
            let took = std::time::Duration::from_millis(a.duration_ms);
            let took = if a.duration_ms == 0 {
                String::new()
            } else {
                format!(" after {}", humantime::format_duration(round(took)))
            };
            format!(
                "{}: {} {}{took}: {}",
                r.name,
                super::when(a.time),
                action_label(a),
                a.detail
            )
        })
        .collect();
    if r.recovered {
        let back = r
            .time_to_recover_ms
            .map(|ms| {
                format!(
                    " in {}",
                    humantime::format_duration(round(std::time::Duration::from_millis(ms)))
                )
            })
            .unwrap_or_default();
        out.push(format!("{}: recovered{back}", r.name));
    } else if let Some(held) = r.held.filter(|h| *h != Held::NotFailing) {
        out.push(format!(
            "{}: no recovery step ran: {}",
            r.name,
            held_label(held, &r.name)
        ));
    } else if !r.actions.is_empty() {
        out.push(format!("{}: still down after the ladder", r.name));
    }
    out
}

/// To the tenth of a second: `12.3s`, not `12s 345ms 678us`.
fn round(d: std::time::Duration) -> std::time::Duration {
    std::time::Duration::from_millis(u64::try_from(d.as_millis() / 100 * 100).unwrap_or(u64::MAX))
}
