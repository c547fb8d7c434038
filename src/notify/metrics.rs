//! Every series mcpctl writes to the Prometheus textfile, defined once: name, type, labels and
//! help. The writer (`prometheus.rs`), the README's table, the alert rules' test and the
//! dashboard's test all read this list.

/// A Prometheus metric type, as `# TYPE` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Gauge,
    Counter,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Gauge => "gauge",
            Kind::Counter => "counter",
        }
    }
}

/// One metric family. Every sample of it carries exactly `labels`, in this order.
#[derive(Debug, PartialEq, Eq)]
pub struct Metric {
    pub name: &'static str,
    pub kind: Kind,
    pub labels: &'static [&'static str],
    /// The `# HELP` line: what one sample means.
    pub help: &'static str,
    /// Which runs write or change it (for the README).
    pub written_by: &'static str,
}

impl Metric {
    /// Where `label` sits in a sample's label values.
    pub fn label_index(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| *l == label)
    }
}

const fn gauge(
    name: &'static str,
    labels: &'static [&'static str],
    help: &'static str,
    written_by: &'static str,
) -> Metric {
    Metric {
        name,
        kind: Kind::Gauge,
        labels,
        help,
        written_by,
    }
}

const fn counter(
    name: &'static str,
    labels: &'static [&'static str],
    help: &'static str,
    written_by: &'static str,
) -> Metric {
    Metric {
        name,
        kind: Kind::Counter,
        labels,
        help,
        written_by,
    }
}

pub const BUILD_INFO: Metric = gauge(
    "mcpctl_build_info",
    &["version"],
    "Always 1: the version of mcpctl that wrote this file.",
    "every run",
);
pub const LAST_RUN: Metric = gauge(
    "mcpctl_last_run_timestamp_seconds",
    &["command"],
    "When each subcommand last finished a run with a report (Unix time).",
    "every run",
);
pub const LAST_SUCCESS: Metric = gauge(
    "mcpctl_last_success_timestamp_seconds",
    &["command"],
    "When each subcommand last finished with exit code 0 or 1 (Unix time).",
    "every run",
);
pub const LAST_EXIT_CODE: Metric = gauge(
    "mcpctl_last_exit_code",
    &["command"],
    "Exit code of the last run of each subcommand: 0 ok, 1 warning, 2 critical, 3 unknown.",
    "every run",
);
pub const LAST_DURATION: Metric = gauge(
    "mcpctl_last_run_duration_seconds",
    &["command"],
    "How long the last run of each subcommand took.",
    "every run",
);
pub const SERVER_UP: Metric = gauge(
    "mcpctl_server_up",
    &["server", "transport", "critical"],
    "1 when the server's last probe was healthy or degraded, after any recovery in the same run; 0 when unhealthy or unknown.",
    "`health-check`, `recover`",
);
pub const SERVER_STATUS: Metric = gauge(
    "mcpctl_server_status",
    &["server", "transport", "status"],
    "1 for the server's state in its last probe (healthy, degraded, unhealthy or unknown), 0 for the other three.",
    "`health-check`, `recover`",
);
pub const PROBE_DURATION: Metric = gauge(
    "mcpctl_probe_duration_seconds",
    &["server", "transport"],
    "Duration of the server's last MCP probe: initialize, tools/list and ping.",
    "`health-check`",
);
pub const RECOVERIES: Metric = counter(
    "mcpctl_recoveries_total",
    &["server", "step", "outcome"],
    "Recovery actions by server, ladder step and outcome (tried, skipped, succeeded, failed).",
    "`health-check --recover`, `recover`",
);
pub const BREAKER_OPEN: Metric = gauge(
    "mcpctl_breaker_open",
    &["server"],
    "1 while recovery of the server is blocked: its circuit breaker is open, or its guard file cannot be read (recovery fails closed).",
    "every run, from `$STATE/recover/<server>.json`",
);
pub const EMERGENCY_ACTIVE: Metric = gauge(
    "mcpctl_emergency_active",
    &[],
    "1 while the pipeline runs in emergency (fallback) mode.",
    "every run, from `$STATE/emergency.json`",
);
pub const BACKUP_LAST_SUCCESS: Metric = gauge(
    "mcpctl_backup_last_success_timestamp_seconds",
    &["target"],
    "When each backup target was last written or found unchanged (Unix time).",
    "`backup`",
);
pub const BACKUP_VERIFIED: Metric = gauge(
    "mcpctl_backup_verified_timestamp_seconds",
    &["target", "location"],
    "When a run last found the newest good copy of each target at each location: written there, read back by backup --check, or still current (unchanged). Its age is time() minus this (Unix time).",
    "`backup`, `backup --check`",
);
pub const BACKUP_CHECK_BAD: Metric = gauge(
    "mcpctl_backup_check_bad_copies",
    &["target", "location"],
    "Copies the last backup --check found unsigned, forged or damaged, per target and location.",
    "`backup --check`",
);
pub const CI_FAILURES: Metric = counter(
    "mcpctl_ci_failures_total",
    &["repo", "category", "recurrence"],
    "CI failures gh-watch classified, by repository, category and recurrence (new, persistent, rerun_candidate); a run listed again by --all counts once.",
    "`gh-watch`",
);
pub const CI_LAST_FAILURE: Metric = gauge(
    "mcpctl_ci_last_failure_timestamp_seconds",
    &["repo", "category", "recurrence"],
    "When gh-watch last classified such a failure (Unix time).",
    "`gh-watch`",
);
pub const FIXES: Metric = counter(
    "mcpctl_fixes_total",
    &["repo", "category", "outcome"],
    "Fixes by repository, category and outcome (planned, applied, rolled_back, refused, skipped); planned counts dry runs.",
    "`fix`",
);

/// Every family, in the order the textfile and the README list them.
pub const ALL: &[&Metric] = &[
    &BUILD_INFO,
    &LAST_RUN,
    &LAST_SUCCESS,
    &LAST_EXIT_CODE,
    &LAST_DURATION,
    &SERVER_UP,
    &SERVER_STATUS,
    &PROBE_DURATION,
    &RECOVERIES,
    &BREAKER_OPEN,
    &EMERGENCY_ACTIVE,
    &BACKUP_LAST_SUCCESS,
    &BACKUP_VERIFIED,
    &BACKUP_CHECK_BAD,
    &CI_FAILURES,
    &CI_LAST_FAILURE,
    &FIXES,
];

/// The family called `name`.
pub fn find(name: &str) -> Option<&'static Metric> {
    ALL.iter().copied().find(|m| m.name == name)
}

/// The README's table of every series.
pub fn markdown() -> String {
    let mut out =
        String::from("| series | type | labels | meaning | written by |\n|---|---|---|---|---|\n");
    for m in ALL {
        let labels = if m.labels.is_empty() {
            "—".to_owned()
        } else {
            m.labels
                .iter()
                .map(|l| format!("`{l}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "| `{}` | {} | {labels} | {} | {} |\n",
            m.name,
            m.kind.as_str(),
            m.help,
            m.written_by
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_prometheus_conventions() {
        for m in ALL {
            assert!(m.name.starts_with("mcpctl_"), "{}", m.name);
            assert_eq!(
                m.kind == Kind::Counter,
                m.name.ends_with("_total"),
                "only counters end in _total: {}",
                m.name
            );
            assert!(
                !m.name.contains("_ms") && !m.name.contains("millis"),
                "{}",
                m.name
            );
            assert!(m.labels.iter().all(|l| !l.starts_with("__") && *l != "le"));
            assert!(
                m.help.ends_with('.') && !m.help.contains('\n'),
                "{}",
                m.name
            );
        }
        let mut names: Vec<&str> = ALL.iter().map(|m| m.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }

    #[test]
    fn the_table_has_a_row_per_series() {
        let table = markdown();
        assert_eq!(table.lines().count(), ALL.len() + 2);
        assert!(
            table.contains("| `mcpctl_server_up` | gauge | `server`, `transport`, `critical` |")
        );
    }
}
