//! A Slack incoming webhook: a short message when a run is critical (or a warning, if asked),
//! when it recovers, and when emergency mode starts. The same problem is not sent again until
//! `repeat_after` has passed: cron runs every few minutes, people read Slack once.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{NotifyError, Outcome};
use crate::config::{NotifyOn, NotifySettings};
use crate::exit::Status;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Sent {
    /// Per command: what was last said, and when.
    last: BTreeMap<String, Last>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Last {
    fingerprint: String,
    problem: bool,
    at: DateTime<Utc>,
}

const MAX_LINES: usize = 10;

pub(super) async fn notify(
    settings: &NotifySettings,
    url: &str,
    state_dir: &Path,
    outcome: &Outcome<'_>,
) -> Result<(), NotifyError> {
    let path = state_dir.join("notify").join("slack.json");
    let mut history: Sent = crate::state::read_state(&path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let previous = history.last.get(outcome.command).cloned();
    let problem = outcome.status != Status::Ok;
    let fingerprint = crate::hash::sha256_hex(
        format!(
            "{}\0{:?}\0{}",
            outcome.command, outcome.status, outcome.summary
        )
        .as_bytes(),
    );
    let now = Utc::now();
    let emergency = outcome.command == "emergency"
        && outcome.report["active"] == true
        && settings.on.contains(&NotifyOn::Emergency);
    let recovered = !problem
        && previous.as_ref().is_some_and(|p| p.problem)
        && settings.on.contains(&NotifyOn::Recovered);
    let repeat = previous.as_ref().is_some_and(|p| {
        p.fingerprint == fingerprint
            && chrono::Duration::from_std(settings.repeat_after).is_ok_and(|d| now - p.at < d)
    });
    let send = (emergency || recovered || super::wanted(settings, outcome.status)) && !repeat;
    if send {
        post(settings, url, &message(outcome, recovered)).await?;
    }
    // Remember only what people were told, and an all-clear, so the next problem is news.
    if send || (!problem && previous.as_ref().is_some_and(|p| p.problem)) {
        history.last.insert(
            outcome.command.to_owned(),
            Last {
                fingerprint,
                problem,
                at: now,
            },
        );
        crate::state::ensure_dir(&state_dir.join("notify"))?;
        let json = serde_json::to_vec_pretty(&history).expect("serializes");
        crate::state::write_atomic(&path, &json, 0o600)?;
    }
    Ok(())
}

fn message(outcome: &Outcome<'_>, recovered: bool) -> String {
    let host = crate::output::hostname();
    let head = if recovered {
        format!(
            ":white_check_mark: *mcpctl {}* on {host}: recovered: {}",
            outcome.command, outcome.summary
        )
    } else {
        let icon = match outcome.status {
            Status::Critical | Status::Unknown => ":red_circle:",
            Status::Warning => ":warning:",
            Status::Ok => ":white_check_mark:",
        };
        format!(
            "{icon} *mcpctl {}* on {host}: {}: {}",
            outcome.command,
            outcome.status.label(),
            outcome.summary
        )
    };
    let mut text = head;
    for line in outcome.problems.iter().take(MAX_LINES) {
        text.push_str(&format!("\n• {line}"));
    }
    if outcome.problems.len() > MAX_LINES {
        text.push_str(&format!(
            "\n… and {} more",
            outcome.problems.len() - MAX_LINES
        ));
    }
    text
}

/// Posts `text` whatever the status and without dedup: a summary someone asked for.
pub(super) async fn post(
    settings: &NotifySettings,
    url: &str,
    text: &str,
) -> Result<(), NotifyError> {
    let url = super::expand(url, "slack_webhook")?;
    let response = super::client(settings)?
        .post(&url)
        .json(&serde_json::json!({ "text": text }))
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                NotifyError::SlackTimeout(settings.timeout)
            } else {
                NotifyError::SlackConnect
            }
        })?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(NotifyError::SlackStatus(response.status().as_u16()))
    }
}
