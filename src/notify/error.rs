//! Why a notifier could not tell anyone. It becomes a warning in the report, never an error of
//! the run.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub(super) enum NotifyError {
    #[error("[notify] {what} needs ${{{var}}}, which is not set in this run's environment")]
    Unset { what: &'static str, var: String },
    #[error("cannot build an HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    #[error("Slack got no answer within {}", humantime::format_duration(*.0))]
    SlackTimeout(Duration),
    #[error("Slack webhook failed: cannot connect")]
    SlackConnect,
    #[error("Slack webhook answered HTTP {0}")]
    SlackStatus(u16),
    #[error("healthchecks ping /{what} got no answer within {}", humantime::format_duration(*timeout))]
    PingTimeout { what: String, timeout: Duration },
    #[error("healthchecks ping /{what} failed: cannot connect")]
    PingConnect { what: String },
    #[error("healthchecks ping /{what} answered HTTP {status}")]
    PingStatus { what: String, status: u16 },
    /// Remembering what was sent (Slack's dedup, the metrics store) or writing the textfile.
    #[error(transparent)]
    State(#[from] crate::error::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
