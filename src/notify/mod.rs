//! Telling the outside world, for every subcommand: Slack for people, a healthchecks-style ping
//! for dead-man's-switch monitoring, a Prometheus textfile for dashboards. A notifier that fails
//! never changes the run's result; it becomes a warning in the report. No CLI here.

mod error;
mod healthchecks;
pub mod metrics;
mod prometheus;
pub(crate) mod run;
mod slack;
mod told;

use std::path::Path;

use error::NotifyError;

use crate::config::NotifySettings;
use crate::exit::Status;

/// A run as the textfile and healthchecks name it: the subcommand, with `backup --check` apart
/// from `backup` (it has its own schedule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    /// `health-check`, `backup`, `backup --check`, `restore`, `recover`, `emergency`,
    /// `gh-watch`, `fix` or `report`: the textfile's `command` label.
    pub name: &'static str,
    /// The run looked at everything configured (no server or target named), so what it did not
    /// report is gone from the config.
    pub complete: bool,
}

impl Job {
    /// The name in a URL: `{command}` in `healthchecks_url` (`backup-check`).
    pub fn slug(self) -> String {
        self.name.replace(" --", "-")
    }
}

/// What a finished run tells the notifiers.
pub struct Outcome<'a> {
    pub command: &'a str,
    pub job: Job,
    pub status: Status,
    pub exit_code: u8,
    pub summary: &'a str,
    /// One line per problem, already redacted.
    pub problems: &'a [String],
    /// The report as JSON: metrics are read from it.
    pub report: &'a serde_json::Value,
}

/// Where a notification was meant to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dest {
    Slack,
    Healthchecks,
    Prometheus,
}

impl Dest {
    pub fn as_str(self) -> &'static str {
        match self {
            Dest::Slack => "slack",
            Dest::Healthchecks => "healthchecks",
            Dest::Prometheus => "prometheus",
        }
    }
}

/// A notifier that failed, or cannot work as configured. Never changes a run's exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub dest: Dest,
    pub text: String,
    /// Found in the config before anything was sent, rather than a send that failed.
    pub config: bool,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.config {
            "config warning"
        } else {
            "notification failed"
        };
        write!(f, "{what}: {}", self.text)
    }
}

impl Warning {
    fn new(dest: Dest, text: impl Into<String>) -> Self {
        Self {
            dest,
            text: text.into(),
            config: false,
        }
    }
}

pub use told::tell;

/// `${VAR}` references in the notifier URLs that are not set now: said when the run starts,
/// not discovered when the first outage needs Slack.
pub fn unset_variables(settings: &NotifySettings) -> Vec<Warning> {
    let mut out = Vec::new();
    for (dest, url, what) in [
        (
            Dest::Slack,
            settings.slack_webhook.as_deref(),
            "slack_webhook",
        ),
        (
            Dest::Healthchecks,
            settings.healthchecks_url.as_deref(),
            "healthchecks_url",
        ),
    ] {
        if let Some(Err(e)) = url.map(|u| expand(u, what)) {
            out.push(Warning {
                config: true,
                ..Warning::new(dest, e.to_string())
            });
        }
    }
    out
}

/// A run id that pairs the start ping with the end ping (healthchecks wants a UUID).
pub fn run_id() -> String {
    let hex: String = (0..32)
        .map(|_| char::from_digit(fastrand::u32(..16), 16).expect("below 16"))
        .collect();
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

fn client(settings: &NotifySettings) -> Result<reqwest::Client, NotifyError> {
    reqwest::Client::builder()
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .redirect(crate::net::same_origin_redirects())
        .build()
        .map_err(NotifyError::Client)
}

/// `${VAR}` in a URL is filled from the environment: webhook URLs are secrets.
fn expand(url: &str, what: &'static str) -> Result<String, NotifyError> {
    let (out, missing) = crate::config::expand(url, &|n| std::env::var(n).ok());
    match missing.first() {
        Some(var) => Err(NotifyError::Unset {
            what,
            var: var.clone(),
        }),
        None => Ok(out),
    }
}

/// The start ping, when configured. Returns warnings.
pub async fn start(settings: &NotifySettings, job: Job, rid: &str) -> Vec<Warning> {
    let Some(url) = &settings.healthchecks_url else {
        return Vec::new();
    };
    match healthchecks::ping(settings, url, job, "start", rid, "").await {
        Ok(()) => Vec::new(),
        Err(e) => vec![Warning::new(Dest::Healthchecks, e.to_string())],
    }
}

/// The end ping alone, for a run that stopped before it had a report (lock held, interrupted).
pub async fn end_ping(
    settings: &NotifySettings,
    job: Job,
    rid: &str,
    exit_code: u8,
    message: &str,
) -> Option<Warning> {
    let url = settings.healthchecks_url.as_ref()?;
    healthchecks::ping(settings, url, job, &exit_code.to_string(), rid, message)
        .await
        .err()
        .map(|e| Warning::new(Dest::Healthchecks, e.to_string()))
}

/// Every configured notifier for a finished run. Returns warnings.
pub async fn finish(
    settings: &NotifySettings,
    state_dir: &Path,
    rid: &str,
    outcome: &Outcome<'_>,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if let Some(path) = &settings.prometheus_textfile
        && let Err(e) = prometheus::update(path, state_dir, outcome)
    {
        warnings.push(Warning::new(
            Dest::Prometheus,
            format!("prometheus textfile {}: {e}", path.display()),
        ));
    }
    let slack = async {
        match &settings.slack_webhook {
            Some(url) => slack::notify(settings, url, state_dir, outcome).await,
            None => Ok(()),
        }
    };
    let ping = async {
        match &settings.healthchecks_url {
            Some(url) => {
                let body: String = outcome.summary.chars().take(10_000).collect();
                let code = outcome.exit_code.to_string();
                healthchecks::ping(settings, url, outcome.job, &code, rid, &body).await
            }
            None => Ok(()),
        }
    };
    let (slack, ping) = futures::join!(slack, ping);
    warnings.extend(
        slack
            .err()
            .map(|e| Warning::new(Dest::Slack, e.to_string())),
    );
    warnings.extend(
        ping.err()
            .map(|e| Warning::new(Dest::Healthchecks, e.to_string())),
    );
    warnings
}

/// Sends a summary to Slack whatever its status (`report --notify`). Returns a warning on failure.
pub async fn post_summary(settings: &NotifySettings, text: &str) -> Option<Warning> {
    let url = settings.slack_webhook.as_deref()?;
    slack::post(settings, url, text)
        .await
        .err()
        .map(|e| Warning::new(Dest::Slack, e.to_string()))
}

/// Whether a run with this status is worth a Slack message at all.
fn wanted(settings: &NotifySettings, status: Status) -> bool {
    use crate::config::NotifyOn;
    match status {
        Status::Critical | Status::Unknown => settings.on.contains(&NotifyOn::Critical),
        Status::Warning => settings.on.contains(&NotifyOn::Warning),
        Status::Ok => false,
    }
}
