//! One monitored run as the notifiers see it: `begin` says what cannot work and sends the start
//! ping, `finish` sends the report everywhere, and `abandon` closes the ping of a run that
//! ended without a report (the lock held, bad usage, `--list`).

use std::path::{Path, PathBuf};

use crate::config::NotifySettings;

use super::{Job, Outcome, Warning};

pub(crate) struct Run {
    settings: NotifySettings,
    rid: String,
    /// Warnings from the config and the start ping, for the report.
    warnings: Vec<Warning>,
    /// The warnings already told on stderr at the start.
    told: usize,
    state_dir: PathBuf,
}

impl Run {
    /// Notifiers that cannot work as configured are said now (on stderr unless `quiet_stderr`),
    /// not during the next outage; then the start ping.
    pub(crate) async fn begin(
        settings: &NotifySettings,
        job: Job,
        state_dir: &Path,
        quiet_stderr: bool,
    ) -> Self {
        let rid = super::run_id();
        let mut warnings = super::unset_variables(settings);
        if !quiet_stderr {
            super::tell(Some(state_dir), &warnings);
        }
        let told = warnings.len();
        warnings.extend(super::start(settings, job, &rid).await);
        Self {
            settings: settings.clone(),
            rid,
            warnings,
            told,
            state_dir: state_dir.to_path_buf(),
        }
    }

    pub(crate) fn settings(&self) -> &NotifySettings {
        &self.settings
    }

    /// Slack was told already (`report --notify`'s summary): the run's own Slack rule is off,
    /// and the post's warning goes with the others.
    pub(crate) fn slack_told(&mut self, warning: Option<Warning>) {
        self.settings.slack_webhook = None;
        self.warnings.extend(warning);
    }

    /// Every configured notifier for the finished run. Returns every warning of the run (for
    /// the report's `notifications`) and the ones not told on stderr yet.
    pub(crate) async fn finish(self, outcome: &Outcome<'_>) -> (Vec<String>, Vec<Warning>) {
        let mut warnings = self.warnings;
        for w in super::finish(&self.settings, &self.state_dir, &self.rid, outcome).await {
            if !warnings.iter().any(|seen| seen.text == w.text) {
                warnings.push(w);
            }
        }
        let texts = warnings.iter().map(|w| w.text.clone()).collect();
        let untold = warnings.split_off(self.told.min(warnings.len()));
        (texts, untold)
    }

    /// The end ping of a run that wrote no report, with its exit code and error.
    pub(crate) async fn abandon(self, job: Job, code: u8, message: &str, quiet_stderr: bool) {
        let mut warnings = self.warnings;
        warnings.extend(super::end_ping(&self.settings, job, &self.rid, code, message).await);
        if !quiet_stderr {
            super::tell(Some(&self.state_dir), &warnings[self.told..]);
        }
    }
}
