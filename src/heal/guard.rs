//! The guards that keep recovery from making things worse, persisted per server so they hold
//! across cron runs: an attempt budget within a window, a circuit breaker that opens when the
//! budget is spent, and a maintenance pause.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::RecoverPolicy;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Guard {
    /// When each action of the current window was taken.
    #[serde(default)]
    pub attempts: Vec<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaker_opened: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaker_reason: Option<String>,
    /// Since when the server has been seen healthy with the breaker open (for `close_after`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthy_since: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<DateTime<Utc>>,
    /// Image ids the server's container was healthy on, newest last (for `rollback-image`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub good_images: Vec<String>,
}

/// Why no action may be taken now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Blocked {
    Paused(DateTime<Utc>),
    BreakerOpen(DateTime<Utc>),
}

impl Blocked {
    pub(crate) fn event(&self) -> super::audit::Event {
        match self {
            Blocked::Paused(_) => super::audit::Event::Paused,
            Blocked::BreakerOpen(_) => super::audit::Event::BreakerOpen,
        }
    }

    pub(crate) fn held(&self) -> super::held::Held {
        match self {
            Blocked::Paused(_) => super::held::Held::Paused,
            Blocked::BreakerOpen(_) => super::held::Held::BreakerOpen,
        }
    }

    pub(crate) fn explain(&self, server: &str) -> String {
        match self {
            Blocked::Paused(until) => format!(
                "paused until {}; `mcpctl recover --resume {server}` ends the pause",
                crate::output::when(*until)
            ),
            Blocked::BreakerOpen(since) => format!(
                "circuit breaker open since {}: the attempt budget was spent without recovery; fix the cause, then `mcpctl recover --reset {server}`",
                crate::output::when(*since)
            ),
        }
    }
}

pub(crate) fn path(state_dir: &Path, server: &str) -> PathBuf {
    state_dir.join("recover").join(format!("{server}.json"))
}

/// A guard that cannot be read or written. Recovery fails closed on it: with the budget and the
/// breaker unknown, no action is taken until a person looks.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the recovery guard {} {why}; no action is taken until it is fixed: `mcpctl recover --reset {server}` rewrites it", path.display())]
pub(crate) struct GuardError {
    pub path: PathBuf,
    pub server: String,
    pub why: String,
}

/// A guard file is small; anything larger is not one.
const MAX_GUARD: u64 = 1024 * 1024;

/// A missing file is a fresh guard. One that cannot be read (corrupt, a FIFO, a symlink, too
/// large) is an error, never a fresh start: that would reopen a breaker a person must close.
pub(crate) fn load(state_dir: &Path, server: &str) -> Result<Guard, GuardError> {
    let path = path(state_dir, server);
    let fail = |why: String| GuardError {
        path: path.clone(),
        server: server.to_owned(),
        why,
    };
    match crate::state::read_regular(&path, MAX_GUARD) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map_err(|e| fail(format!("does not parse ({e})")))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Guard::default()),
        Err(e) => Err(fail(format!("cannot be read: {e}"))),
    }
}

pub(crate) fn save(state_dir: &Path, server: &str, guard: &Guard) -> Result<(), GuardError> {
    let path = path(state_dir, server);
    let json = serde_json::to_vec_pretty(guard).expect("guards serialize");
    crate::state::ensure_dir(&state_dir.join("recover"))
        .and_then(|()| crate::state::write_atomic(&path, &json, 0o600))
        .map_err(|e| GuardError {
            path: path.clone(),
            server: server.to_owned(),
            why: format!("cannot be saved: {e}"),
        })
}

impl Guard {
    /// Forgets attempts older than the window and an expired pause.
    pub(crate) fn refresh(&mut self, now: DateTime<Utc>, policy: &RecoverPolicy) {
        let window = chrono::Duration::from_std(policy.window).unwrap_or(chrono::Duration::MAX);
        self.attempts.retain(|t| now - *t < window);
        if self.paused_until.is_some_and(|u| u <= now) {
            self.paused_until = None;
        }
    }

    pub(crate) fn blocked(&self) -> Option<Blocked> {
        if let Some(until) = self.paused_until {
            return Some(Blocked::Paused(until));
        }
        self.breaker_opened.map(Blocked::BreakerOpen)
    }

    pub(crate) fn budget_left(&self, policy: &RecoverPolicy) -> u32 {
        policy
            .max_attempts
            .saturating_sub(u32::try_from(self.attempts.len()).unwrap_or(u32::MAX))
    }

    pub(crate) fn open(&mut self, now: DateTime<Utc>, reason: String) {
        self.breaker_opened.get_or_insert(now);
        self.breaker_reason = Some(reason);
        self.healthy_since = None;
    }

    pub(crate) fn reset(&mut self) {
        *self = Guard {
            paused_until: self.paused_until,
            good_images: std::mem::take(&mut self.good_images),
            ..Guard::default()
        };
    }

    /// Remembers a healthy image; a handful is enough to step back over a bad release or two.
    pub(crate) fn seen_good_image(&mut self, id: &str) {
        if self.good_images.last().is_some_and(|last| last == id) {
            return;
        }
        self.good_images.retain(|i| i != id);
        self.good_images.push(id.to_owned());
        if self.good_images.len() > 5 {
            self.good_images.remove(0);
        }
    }

    /// A healthy probe with the breaker open: closes it once `close_after` has passed.
    /// Returns whether it closed.
    pub(crate) fn seen_healthy(
        &mut self,
        now: DateTime<Utc>,
        close_after: Option<Duration>,
    ) -> bool {
        if self.breaker_opened.is_none() {
            return false;
        }
        let since = *self.healthy_since.get_or_insert(now);
        let Some(after) = close_after.and_then(|d| chrono::Duration::from_std(d).ok()) else {
            return false;
        };
        if now - since >= after {
            self.reset();
            return true;
        }
        false
    }

    pub(crate) fn seen_failing(&mut self) {
        self.healthy_since = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RecoverPolicy {
        RecoverPolicy {
            steps: vec![crate::config::RecoverStep::Wait],
            restore_target: None,
            command: Vec::new(),
            command_timeout: Duration::from_secs(1),
            max_attempts: 2,
            window: Duration::from_secs(3600),
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(1),
            settle: Duration::from_secs(1),
            stop_timeout: Duration::from_secs(1),
            close_after: Some(Duration::from_secs(600)),
            rollback_image: None,
        }
    }

    #[test]
    fn attempts_expire_with_the_window() {
        let now = Utc::now();
        let mut g = Guard {
            attempts: vec![now - chrono::Duration::hours(2), now],
            ..Guard::default()
        };
        g.refresh(now, &policy());
        assert_eq!(g.budget_left(&policy()), 1);
    }

    #[test]
    fn the_breaker_closes_only_after_a_healthy_period() {
        let now = Utc::now();
        let mut g = Guard::default();
        g.open(now, "spent".into());
        assert!(!g.seen_healthy(now, policy().close_after));
        g.seen_failing();
        assert!(!g.seen_healthy(now + chrono::Duration::minutes(5), policy().close_after));
        assert!(g.seen_healthy(now + chrono::Duration::minutes(16), policy().close_after));
        assert_eq!(g.blocked(), None);
    }

    #[test]
    fn a_pause_wins_over_an_open_breaker_and_expires() {
        let now = Utc::now();
        let mut g = Guard::default();
        assert_eq!(g.blocked(), None);
        g.open(now, "spent".into());
        assert_eq!(g.blocked(), Some(Blocked::BreakerOpen(now)));
        let until = now + chrono::Duration::minutes(30);
        g.paused_until = Some(until);
        assert_eq!(
            g.blocked().map(|b| b.held()),
            Some(super::super::Held::Paused)
        );
        g.refresh(until, &policy());
        assert_eq!(g.paused_until, None);
        assert_eq!(
            g.blocked().map(|b| b.event()),
            Some(super::super::audit::Event::BreakerOpen)
        );
    }

    #[test]
    fn the_budget_never_goes_below_zero_and_reopening_keeps_the_first_time() {
        let now = Utc::now();
        let mut g = Guard {
            attempts: vec![now; 5],
            ..Guard::default()
        };
        assert_eq!(g.budget_left(&policy()), 0);
        g.open(now, "first".into());
        g.open(now + chrono::Duration::minutes(1), "second".into());
        assert_eq!(g.breaker_opened, Some(now));
        assert_eq!(g.breaker_reason.as_deref(), Some("second"));
    }

    #[test]
    fn without_close_after_only_a_reset_closes_the_breaker() {
        let now = Utc::now();
        let mut g = Guard::default();
        assert!(!g.seen_healthy(now, None), "no breaker, nothing to close");
        g.open(now, "spent".into());
        g.paused_until = Some(now + chrono::Duration::hours(1));
        g.seen_good_image("sha256:a");
        assert!(!g.seen_healthy(now + chrono::Duration::days(30), None));
        assert!(g.breaker_opened.is_some());
        g.reset();
        // A reset forgets the breaker and the budget, not the pause or the healthy images.
        assert_eq!(g.breaker_opened, None);
        assert!(g.paused_until.is_some());
        assert_eq!(g.good_images, ["sha256:a"]);
    }

    #[test]
    fn a_missing_guard_is_fresh_and_an_unreadable_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path(), "s").unwrap(), Guard::default());
        let g = Guard {
            attempts: vec![Utc::now()],
            ..Guard::default()
        };
        save(dir.path(), "s", &g).unwrap();
        assert_eq!(load(dir.path(), "s").unwrap(), g);

        std::fs::write(path(dir.path(), "s"), b"[1, 2").unwrap();
        let err = load(dir.path(), "s").unwrap_err();
        assert!(err.why.starts_with("does not parse"), "{err}");

        std::fs::remove_file(path(dir.path(), "s")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", path(dir.path(), "s")).unwrap();
        let err = load(dir.path(), "s").unwrap_err();
        assert!(err.why.starts_with("cannot be read"), "{err}");
        assert!(err.to_string().contains("recover --reset s"), "{err}");
    }
}
