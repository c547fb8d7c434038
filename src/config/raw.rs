//! The TOML file exactly as written. Unknown keys are errors; values are checked for shape here
//! (durations, transports) so serde can point at the offending line and column.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    pub(crate) state_dir: Option<String>,
    #[serde(default)]
    pub(crate) defaults: RawDefaults,
    #[serde(default)]
    pub(crate) health_check: RawHealthCheck,
    #[serde(default)]
    pub(crate) servers: BTreeMap<String, Spanned<RawServer>>,
    pub(crate) backup: Option<Spanned<RawBackup>>,
    #[serde(default)]
    pub(crate) emergency: RawEmergency,
    pub(crate) notify: Option<RawNotify>,
    pub(crate) github: Option<RawGithub>,
    pub(crate) report: Option<RawReport>,
    pub(crate) fix: Option<Spanned<RawFix>>,
    pub(crate) mcp_server: Option<RawMcpServer>,
}

/// `[mcp_server]`: what `mcpctl mcp-server` lets a client do, and how HTTP clients get in.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMcpServer {
    #[serde(default)]
    pub(crate) allow: Vec<Spanned<String>>,
    pub(crate) token: Option<String>,
    #[serde(default)]
    pub(crate) allowed_origins: Vec<String>,
    #[serde(default)]
    pub(crate) allowed_hosts: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFix {
    pub(crate) mode: Option<FixMode>,
    #[serde(default)]
    pub(crate) allowed_repos: Vec<String>,
    #[serde(default)]
    pub(crate) allowed_recipes: Vec<String>,
    pub(crate) window: Option<String>,
    pub(crate) timezone: Option<String>,
    pub(crate) max_attempts_per_fingerprint: Option<u32>,
    pub(crate) max_fixes_per_run: Option<u32>,
    pub(crate) checkout: Option<String>,
    #[serde(default)]
    pub(crate) verify: Vec<String>,
    pub(crate) verify_timeout: Option<DurationStr>,
    pub(crate) git_timeout: Option<DurationStr>,
    pub(crate) max_timeout_minutes: Option<u32>,
    #[serde(default)]
    pub(crate) repos: BTreeMap<String, RawFixRepo>,
    #[serde(default)]
    pub(crate) recipes: BTreeMap<String, RawRecipe>,
    pub(crate) proposer: Option<Spanned<RawProposer>>,
}

/// `[fix.proposer]`: the model `fix --propose` asks for a patch, a command or a chat endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProposer {
    pub(crate) argv: Option<Vec<String>>,
    pub(crate) url: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) api_key: Option<String>,
    pub(crate) timeout: Option<DurationStr>,
    pub(crate) max_output_bytes: Option<usize>,
    pub(crate) max_calls_per_day: Option<u32>,
    pub(crate) categories: Option<Vec<String>>,
    pub(crate) max_files: Option<usize>,
    pub(crate) max_changed_lines: Option<usize>,
    #[serde(default)]
    pub(crate) allow_workflows: bool,
}

/// What `fix` does once a recipe passes its verify step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum FixMode {
    #[default]
    PullRequest,
    Push,
    RerunOnly,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFixRepo {
    pub(crate) checkout: Option<String>,
    pub(crate) verify: Option<Vec<String>>,
}

/// A user recipe: an argv whose `{name}` placeholders are captures, each with a declared grammar.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRecipe {
    pub(crate) argv: Vec<String>,
    #[serde(default)]
    pub(crate) placeholders: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReport {
    pub(crate) min_uptime: Option<Spanned<f64>>,
    pub(crate) backup_max_age: Option<DurationStr>,
    pub(crate) max_gap: Option<DurationStr>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGithub {
    pub(crate) token: Option<String>,
    pub(crate) api_url: Option<String>,
    #[serde(default)]
    pub(crate) repos: Vec<String>,
    pub(crate) lookback: Option<DurationStr>,
    #[serde(default)]
    pub(crate) branches: Vec<String>,
    #[serde(default)]
    pub(crate) patterns_dirs: Vec<String>,
    pub(crate) open_issue_after: Option<Spanned<u32>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEmergency {
    pub(crate) env_file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNotify {
    pub(crate) slack_webhook: Option<String>,
    pub(crate) on: Option<Vec<NotifyOn>>,
    pub(crate) healthchecks_url: Option<String>,
    pub(crate) prometheus_textfile: Option<String>,
    pub(crate) timeout: Option<DurationStr>,
    /// Slack does not repeat an unchanged problem more often than this.
    pub(crate) repeat_after: Option<DurationStr>,
}

/// Which runs reach Slack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyOn {
    Critical,
    Warning,
    Recovered,
    Emergency,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFallback {
    pub(crate) check_url: String,
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) timeout: Option<DurationStr>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBackup {
    /// Also back up each server's `config_files` as a target named `server-<name>`.
    #[serde(default)]
    pub(crate) server_configs: bool,
    #[serde(default)]
    pub(crate) recipients: Vec<Spanned<String>>,
    pub(crate) recipients_file: Option<String>,
    pub(crate) identity: Option<String>,
    pub(crate) signing_key: Option<String>,
    #[serde(default)]
    pub(crate) verify_keys: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) locations: Vec<RawLocation>,
    #[serde(default)]
    pub(crate) retention: RawRetention,
    #[serde(default)]
    pub(crate) targets: BTreeMap<String, Spanned<RawTarget>>,
}

/// A location is a path, or a table with its own retention.
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "a path, or a table like { path = \"…\", retention = { keep_last = 3 } }"
)]
pub(crate) enum RawLocation {
    Path(String),
    Table(RawLocationTable),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLocationTable {
    pub(crate) path: String,
    pub(crate) retention: Option<RawRetention>,
}

#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRetention {
    pub(crate) keep_last: Option<u32>,
    pub(crate) keep_hourly: Option<u32>,
    pub(crate) keep_daily: Option<u32>,
    pub(crate) keep_weekly: Option<u32>,
    pub(crate) keep_monthly: Option<u32>,
    pub(crate) keep_yearly: Option<u32>,
    pub(crate) min_keep: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTarget {
    pub(crate) paths: Vec<String>,
    #[serde(default)]
    pub(crate) format: FileFormat,
    #[serde(default)]
    pub(crate) keep_mode: bool,
}

/// How a backed-up file is validated, on backup and again on restore.
#[derive(
    Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FileFormat {
    /// JSON as the editors write it: comments and trailing commas allowed.
    Json,
    /// JSON as `JSON.parse` and serde_json read it (Claude's apps, Cline, Roo Code, Amazon Q,
    /// Crush): no comments, no trailing commas.
    #[serde(rename = "strict-json")]
    StrictJson,
    Toml,
    Dotenv,
    Yaml,
    /// No validation.
    Raw,
    /// By each file's extension: .json, .toml, .yaml/.yml, .env/.env*; others unchecked.
    #[default]
    Auto,
}

impl FileFormat {
    /// The word the config uses, for messages.
    pub(crate) fn label(self) -> &'static str {
        match self {
            FileFormat::Json => "JSON",
            FileFormat::StrictJson => "strict JSON",
            FileFormat::Toml => "TOML",
            FileFormat::Dotenv => "dotenv",
            FileFormat::Yaml => "YAML",
            FileFormat::Raw => "raw",
            FileFormat::Auto => "auto",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDefaults {
    pub(crate) timeout: Option<DurationStr>,
    pub(crate) startup_timeout: Option<DurationStr>,
    pub(crate) grace: Option<DurationStr>,
    pub(crate) prefer_offline: Option<bool>,
    pub(crate) on_drift: Option<crate::types::OnDrift>,
    pub(crate) pin_tools: Option<bool>,
    pub(crate) tls_warn_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHealthCheck {
    pub(crate) deadline: Option<DurationStr>,
    pub(crate) discover: Option<bool>,
    pub(crate) check_modern: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawServer {
    pub(crate) command: Option<String>,
    #[serde(default)]
    pub(crate) args: Vec<String>,
    #[serde(default)]
    pub(crate) env: BTreeMap<String, String>,
    pub(crate) env_file: Option<String>,
    pub(crate) cwd: Option<String>,
    pub(crate) url: Option<String>,
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) transport: Option<RawTransport>,
    #[serde(default)]
    pub(crate) critical: bool,
    pub(crate) enabled: Option<bool>,
    pub(crate) timeout: Option<DurationStr>,
    pub(crate) startup_timeout: Option<DurationStr>,
    pub(crate) prefer_offline: Option<bool>,
    pub(crate) container: Option<String>,
    #[serde(default)]
    pub(crate) expect_tools: Vec<String>,
    #[serde(default)]
    pub(crate) required_env: Vec<String>,
    #[serde(default)]
    pub(crate) config_files: Vec<String>,
    pub(crate) token_expires: Option<DateStr>,
    pub(crate) on_drift: Option<crate::types::OnDrift>,
    pub(crate) pin_tools: Option<bool>,
    #[serde(default)]
    pub(crate) drift_ignore: Vec<String>,
    pub(crate) probe_call: Option<RawProbeCall>,
    pub(crate) tls_warn_days: Option<u32>,
    pub(crate) recover: Option<RawRecover>,
    pub(crate) fallback: Option<RawFallback>,
}

/// `probe_call = { tool = "…", arguments = { … } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProbeCall {
    pub(crate) tool: String,
    pub(crate) arguments: Option<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRecover {
    pub(crate) steps: Vec<RecoverStep>,
    pub(crate) restore_target: Option<String>,
    #[serde(default)]
    pub(crate) command: Vec<String>,
    pub(crate) command_timeout: Option<DurationStr>,
    pub(crate) max_attempts: Option<u32>,
    pub(crate) window: Option<DurationStr>,
    pub(crate) backoff: Option<RawBackoff>,
    pub(crate) settle: Option<DurationStr>,
    pub(crate) stop_timeout: Option<DurationStr>,
    pub(crate) close_after: Option<DurationStr>,
    pub(crate) rollback_image: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBackoff {
    pub(crate) initial: Option<DurationStr>,
    pub(crate) max: Option<DurationStr>,
}

/// One rung of a server's recovery ladder.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RecoverStep {
    /// Restore the server's backup target when its files fail validation or the probe blames them.
    RestoreConfig,
    /// Restart the server's container through the Docker Engine API.
    RestartContainer,
    /// Run the configured argv.
    Command,
    /// Only re-probe: for servers that come back by themselves.
    Wait,
    /// Recreate the container, keeping its config and volumes, from the previous image: the
    /// configured `rollback_image`, else the last one mcpctl saw it healthy on.
    RollbackImage,
}

impl RecoverStep {
    /// The config's (and the audit's) word for the step.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RecoverStep::RestoreConfig => "restore-config",
            RecoverStep::RestartContainer => "restart-container",
            RecoverStep::Command => "command",
            RecoverStep::Wait => "wait",
            RecoverStep::RollbackImage => "rollback-image",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RawTransport {
    Stdio,
    Http,
    Sse,
}

/// A duration written as a string like `"10s"` or `"2m"`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DurationStr(pub(crate) Duration);

impl<'de> Deserialize<'de> for DurationStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DurationStr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a duration string like "10s" or "2m""#)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DurationStr, E> {
                match humantime::parse_duration(v) {
                    Ok(d) if d.is_zero() => Err(E::custom(format!(
                        r#"the duration "{v}" is zero, which leaves no time at all; write durations like "10s" or "2m""#
                    ))),
                    Ok(d) => Ok(DurationStr(d)),
                    Err(e) => Err(E::custom(format!(
                        r#"invalid duration "{v}": {e}; write durations like "10s" or "2m""#
                    ))),
                }
            }
        }
        d.deserialize_str(Visitor)
    }
}

/// A calendar date written as `"2027-01-31"`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DateStr(pub(crate) chrono::NaiveDate);

impl<'de> Deserialize<'de> for DateStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map(DateStr)
            .map_err(|e| {
                serde::de::Error::custom(format!(
                    r#"invalid date "{s}": {e}; write dates like "2027-01-31""#
                ))
            })
    }
}
