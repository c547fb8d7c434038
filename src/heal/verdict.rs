//! A recovery run's status and summary.

use super::Recovery;
use crate::exit::Status;
use crate::health::ServerStatus;
use crate::output;

/// By the final state, like health-check: a critical server still down is CRITICAL.
pub(crate) fn verdict(recoveries: &[Recovery]) -> (Status, String) {
    let down = |r: &&Recovery| {
        matches!(
            r.final_status,
            ServerStatus::Unhealthy | ServerStatus::Unknown
        )
    };
    let still_down: Vec<&Recovery> = recoveries.iter().filter(down).collect();
    // A guard that cannot be read or saved fails closed, and loudly.
    let guard_broken = recoveries
        .iter()
        .any(|r| r.held == Some(super::Held::GuardUnreadable));
    let status = if guard_broken || still_down.iter().any(|r| r.critical) {
        Status::Critical
    } else if !still_down.is_empty()
        || recoveries
            .iter()
            .any(|r| r.final_status == ServerStatus::Degraded)
    {
        Status::Warning
    } else {
        Status::Ok
    };
    let recovered: Vec<&str> = recoveries
        .iter()
        .filter(|r| r.recovered)
        .map(|r| r.name.as_str())
        .collect();
    let mut summary = format!(
        "{}: {} failing at first, {} recovered, {} still down",
        output::plural(recoveries.len(), "server", "servers"),
        recoveries
            .iter()
            .filter(|r| matches!(r.initial, ServerStatus::Unhealthy | ServerStatus::Unknown))
            .count(),
        recovered.len(),
        still_down.len()
    );
    if !recovered.is_empty() {
        summary.push_str(&format!(" - recovered: {}", recovered.join(", ")));
    }
    if !still_down.is_empty() {
        let names: Vec<String> = still_down
            .iter()
            .map(|r| {
                format!(
                    "{} ({})",
                    r.name,
                    r.held.map_or_else(
                        || "ladder exhausted".to_owned(),
                        |h| output::recovery::held_label(h, &r.name)
                    )
                )
            })
            .collect();
        summary.push_str(&format!(" - down: {}", names.join(", ")));
    }
    (status, summary)
}
