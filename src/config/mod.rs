//! The shared TOML config: where it is found, how it is parsed, and the typed settings that the
//! rest of mcpctl trusts. Parsing and resolving are separate steps; only `resolve` builds types.

mod interpolate;
mod raw;
mod resolve;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) use interpolate::expand;
pub(crate) use raw::{FileFormat, FixMode, NotifyOn, RecoverStep};
use resolve::resolve;

use crate::env_vars;
use crate::types::Transport;
pub(crate) use crate::types::{OnDrift, ProbeCall};

pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub(crate) const DEFAULT_LAUNCHER_STARTUP: Duration = Duration::from_secs(60);
pub(crate) const DEFAULT_GRACE: Duration = Duration::from_secs(2);
pub(crate) const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);
/// Like Nagios check_http `-C 14`.
pub(crate) const DEFAULT_TLS_WARN_DAYS: u32 = 14;

/// A config problem, located in its file so the person can jump straight to it.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    #[error("{}:{line}:{col}: {message}", path.display())]
    At {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("cannot read config {}: {source}; check the path given by --config or MCPCTL_CONFIG", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Everything the config file says, resolved and validated.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    pub file: Option<PathBuf>,
    pub state_dir: Option<PathBuf>,
    pub defaults: Defaults,
    pub health_check: HealthCheckSettings,
    pub servers: Vec<ServerConfig>,
    pub backup: Option<BackupSettings>,
    /// Where `emergency` writes the env file the pipeline sources [default: state dir].
    pub emergency_env_file: Option<PathBuf>,
    pub notify: NotifySettings,
    pub github: GithubSettings,
    pub report: ReportSettings,
    /// `[fix]`, when the file has one: `fix` refuses to act without it.
    pub fix: Option<FixSettings>,
    pub mcp_server: McpServerSettings,
}

/// The actions `mcpctl mcp-server` can offer; `[mcp_server] allow` names those it may take.
pub(crate) const MCP_ACTIONS: &[&str] = &[
    "recover",
    "restore",
    "emergency_on",
    "emergency_off",
    "rerun",
    "fix_apply",
];

/// `[mcp_server]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct McpServerSettings {
    /// Actions a client may take (each still two-step and guarded); none by default.
    pub allow: Vec<String>,
    /// The bearer token HTTP clients must send, as written (`${VAR}` expanded when serving).
    pub token: Option<String>,
    /// `Origin` values accepted over HTTP; a request with any other Origin is refused.
    pub allowed_origins: Vec<String>,
    /// `Host` values accepted besides loopback (for `--allow-remote`).
    pub allowed_hosts: Vec<String>,
}

/// `[fix]`: the guards and the checkout of `mcpctl fix`.
#[derive(Debug, Clone)]
pub(crate) struct FixSettings {
    pub mode: FixMode,
    pub allowed_repos: Vec<String>,
    pub allowed_recipes: Vec<String>,
    pub window: Option<crate::types::window::Window>,
    pub timezone: Option<chrono_tz::Tz>,
    pub max_attempts_per_fingerprint: u32,
    pub max_fixes_per_run: u32,
    pub checkout: Option<PathBuf>,
    pub verify: Vec<String>,
    pub verify_timeout: Duration,
    pub git_timeout: Duration,
    pub max_timeout_minutes: u32,
    pub repos: std::collections::BTreeMap<String, FixRepo>,
    pub recipes: std::collections::BTreeMap<String, crate::types::recipe::UserRecipe>,
    /// `[fix.proposer]`: `fix --propose` refuses to run without it.
    pub proposer: Option<ProposerSettings>,
}

/// Who writes the patch `fix --propose` asks for.
#[derive(Debug, Clone)]
pub(crate) enum ProposerKind {
    /// A command that reads the prompt on stdin and answers on stdout.
    Command(Vec<String>),
    /// An OpenAI-compatible chat-completions endpoint.
    Http {
        url: String,
        model: String,
        /// As written: `${VAR}` is expanded when calling, so the key lives in the environment.
        api_key: Option<String>,
    },
}

/// `[fix.proposer]`.
#[derive(Debug, Clone)]
pub(crate) struct ProposerSettings {
    pub kind: ProposerKind,
    pub timeout: Duration,
    pub max_output_bytes: usize,
    pub max_calls_per_day: u32,
    pub categories: Vec<String>,
    pub max_files: usize,
    pub max_changed_lines: usize,
    pub allow_workflows: bool,
}

/// A per-repo override of the checkout and the verify argv.
#[derive(Debug, Clone)]
pub(crate) struct FixRepo {
    pub checkout: Option<PathBuf>,
    pub verify: Option<Vec<String>>,
}

/// `[report]`: when the figures turn the report's status to a warning.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReportSettings {
    /// A server whose uptime (of the time its state is known) is below this percentage.
    pub min_uptime: f64,
    /// A backup location whose newest verified copy is older than this.
    pub backup_max_age: Duration,
    /// Longer than this between two probes is unknown time [default: twice the usual interval].
    pub max_gap: Option<Duration>,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            min_uptime: 99.0,
            backup_max_age: Duration::from_secs(2 * 86_400),
            max_gap: None,
        }
    }
}

/// `[github]`: where gh-watch looks. The token may hold `${VAR}`; it is expanded at use.
#[derive(Debug, Clone, Default)]
pub(crate) struct GithubSettings {
    pub token: Option<String>,
    pub api_url: String,
    pub repos: Vec<String>,
    pub lookback: Duration,
    pub branches: Vec<String>,
    pub patterns_dirs: Vec<PathBuf>,
    /// Open (or comment on) a GitHub issue once a persistent fingerprint is seen this often.
    pub open_issue_after: Option<u32>,
}

/// Values may hold secrets (the webhook URL is one); they are never printed.
#[derive(Debug, Clone, Default)]
pub struct NotifySettings {
    pub slack_webhook: Option<String>,
    pub on: Vec<NotifyOn>,
    pub healthchecks_url: Option<String>,
    pub prometheus_textfile: Option<PathBuf>,
    pub timeout: Duration,
    pub repeat_after: Duration,
}

/// A direct-API check that tells whether the pipeline can bypass a dead MCP server.
#[derive(Debug, Clone)]
pub(crate) struct Fallback {
    pub check_url: String,
    pub headers: BTreeMap<String, String>,
    pub timeout: Duration,
}

#[derive(Debug, Clone)]
pub(crate) struct BackupSettings {
    /// age (`age1…`) or SSH (`ssh-ed25519 …`) public keys: all that a backup needs.
    pub recipients: Vec<String>,
    /// Only restore and `--check` read it.
    pub identity: Option<PathBuf>,
    /// The SSH ed25519 key that signs every copy; created by the first backup when absent.
    pub signing_key: PathBuf,
    /// Public keys whose signatures restore accepts; empty means the signing key's own.
    pub verify_keys: Vec<String>,
    pub locations: Vec<Location>,
    pub targets: Vec<BackupTarget>,
    /// `server_configs = true`: also every MCP client file discovery finds (added at run time).
    pub server_configs: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Location {
    pub path: PathBuf,
    pub retention: Retention,
}

/// restic's `forget` semantics: rules are ORed, each keeps the newest backup of its buckets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Retention {
    pub keep_last: u32,
    pub keep_hourly: u32,
    pub keep_daily: u32,
    pub keep_weekly: u32,
    pub keep_monthly: u32,
    pub keep_yearly: u32,
    /// A floor under every other rule.
    pub min_keep: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct BackupTarget {
    pub name: String,
    /// Files, directories and globs, `~` expanded.
    pub paths: Vec<String>,
    pub format: FileFormat,
    /// Restore each file with its recorded mode instead of 0600 (0700 for created directories).
    pub keep_mode: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Defaults {
    pub timeout: Duration,
    pub startup_timeout: Duration,
    pub grace: Duration,
    pub prefer_offline: bool,
    pub on_drift: OnDrift,
    pub pin_tools: bool,
    /// Warn this many days before an https server's certificate expires.
    pub tls_warn_days: u32,
}

impl Default for Defaults {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            startup_timeout: DEFAULT_LAUNCHER_STARTUP,
            grace: DEFAULT_GRACE,
            prefer_offline: false,
            on_drift: OnDrift::Warn,
            pin_tools: false,
            tls_warn_days: DEFAULT_TLS_WARN_DAYS,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct HealthCheckSettings {
    pub deadline: Option<Duration>,
    pub discover: Option<bool>,
    pub check_modern: bool,
}

/// How to reach a server. Strings may still hold `${VAR}` references, expanded at probe time so
/// that one unset variable fails one server, not the whole run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Stdio {
        command: String,
        args: Vec<String>,
        cwd: Option<PathBuf>,
    },
    /// Streamable HTTP, falling back to legacy SSE when `transport` is not pinned.
    Url {
        url: String,
        transport: Option<Transport>,
    },
}

/// Where a server definition came from, for `--list` and the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub(crate) struct Origin {
    /// `mcpctl` for the config file, else the MCP client's label (cursor, vs-code, …).
    pub client: String,
    pub path: PathBuf,
    /// The name the server has in that file.
    pub name: String,
    /// The client marks it disabled there (absent when not).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct ServerConfig {
    pub name: String,
    pub endpoint: Endpoint,
    pub env: BTreeMap<String, String>,
    pub headers: BTreeMap<String, String>,
    pub env_file: Option<PathBuf>,
    pub critical: bool,
    pub timeout: Duration,
    /// The time allowed up to `initialize` when set; launchers get `Defaults::startup_timeout`.
    pub startup_timeout: Option<Duration>,
    pub prefer_offline: bool,
    pub container: Option<String>,
    pub expect_tools: Vec<String>,
    pub required_env: Vec<String>,
    pub config_files: Vec<PathBuf>,
    pub token_expires: Option<chrono::NaiveDate>,
    /// How tool drift against the baseline counts.
    pub drift: DriftPolicy,
    pub probe_call: Option<ProbeCall>,
    pub tls_warn_days: u32,
    /// What only an MCP client can fill in (a VS Code `${input:…}` prompt, a file opencode
    /// reads, a command Crush runs), said in full: a non-interactive run cannot.
    pub unresolved_inputs: Vec<String>,
    /// Every client that defines it marks it disabled: listed, never probed.
    pub disabled: bool,
    pub origins: Vec<Origin>,
    pub recover: Option<RecoverPolicy>,
    pub fallback: Option<Fallback>,
}

/// `on_drift`, `pin_tools` and `drift_ignore` of one server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DriftPolicy {
    pub on_drift: OnDrift,
    /// A changed tool description makes the server unhealthy and the run critical.
    pub pin_tools: bool,
    /// `tool` (a glob) leaves a tool out of the comparison; `tool#description`, `tool#schema`
    /// or `tool#annotations` leaves out one part of it; `@prompts` and `@resources` the lists.
    pub ignore: Vec<String>,
}

impl DriftPolicy {
    pub(crate) fn from_defaults(d: &Defaults) -> Self {
        Self {
            on_drift: d.on_drift,
            pin_tools: d.pin_tools,
            ignore: Vec::new(),
        }
    }
}

/// A server's recovery ladder and the guards around it.
#[derive(Debug, Clone)]
pub(crate) struct RecoverPolicy {
    pub steps: Vec<RecoverStep>,
    pub restore_target: Option<String>,
    pub command: Vec<String>,
    pub command_timeout: Duration,
    /// Actions allowed within `window`; spending them opens the breaker.
    pub max_attempts: u32,
    pub window: Duration,
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
    /// How long to keep re-probing after a step before trying the next one.
    pub settle: Duration,
    pub stop_timeout: Duration,
    /// A server healthy this long closes its own breaker; without it only `--reset` does.
    pub close_after: Option<Duration>,
    /// The image `rollback-image` goes back to; without it, the last one seen healthy.
    pub rollback_image: Option<String>,
}

impl ServerConfig {
    pub(crate) fn transport_label(&self) -> &'static str {
        match &self.endpoint {
            Endpoint::Stdio { .. } => "stdio",
            Endpoint::Url {
                transport: Some(Transport::Sse),
                ..
            } => "sse",
            Endpoint::Url {
                transport: Some(Transport::Http),
                ..
            } => "http",
            Endpoint::Url {
                transport: Some(Transport::Stdio) | None,
                ..
            } => "http|sse",
        }
    }
}

/// Finds the config file: `--config`/`MCPCTL_CONFIG` (must exist), else the XDG and /etc paths
/// (optional). `None` means no config at all.
pub(crate) fn locate(explicit: Option<&Path>) -> Result<Option<PathBuf>, ConfigError> {
    if let Some(path) = explicit {
        return match std::fs::metadata(path) {
            Ok(_) => Ok(Some(path.to_path_buf())),
            Err(source) => Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            }),
        };
    }
    let candidates = config_home()
        .map(|d| d.join("mcpctl/mcpctl.toml"))
        .into_iter()
        .chain([PathBuf::from("/etc/mcpctl/mcpctl.toml")]);
    Ok(candidates.into_iter().find(|p| p.is_file()))
}

/// `$XDG_CONFIG_HOME`, else `~/.config`.
pub(crate) fn config_home() -> Option<PathBuf> {
    std::env::var_os(env_vars::XDG_CONFIG_HOME)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| home_dir().map(|h| h.join(".config")))
}

/// Reads, parses and resolves the config file.
pub(crate) fn load(path: &Path) -> Result<Settings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(ConfigError::At {
            path: path.to_path_buf(),
            line: 1,
            col: 1,
            message: "the config file is empty; add a [servers.NAME] table (examples/quickstart.toml is a start)".into(),
        });
    }
    let raw: raw::RawConfig = toml::from_str(&text).map_err(|e| {
        let (line, col) = e.span().map_or((1, 1), |s| line_col(&text, s.start));
        ConfigError::At {
            path: path.to_path_buf(),
            line,
            col,
            message: e.message().trim().to_owned(),
        }
    })?;
    resolve(raw, path, &text)
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

pub(crate) fn home_dir() -> Option<PathBuf> {
    std::env::var_os(env_vars::HOME)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// `~/x` → `$HOME/x`; a relative path is taken from `base` (the config file's directory).
pub(crate) fn expand_path(raw: &str, base: Option<&Path>) -> PathBuf {
    let path = match raw.strip_prefix("~/") {
        Some(rest) => home_dir().map_or_else(|| PathBuf::from(raw), |h| h.join(rest)),
        None if raw == "~" => home_dir().unwrap_or_else(|| PathBuf::from(raw)),
        None => PathBuf::from(raw),
    };
    match base {
        Some(base) if path.is_relative() => base.join(path),
        _ => path,
    }
}

/// npx, uvx and friends fetch a package before the server starts: give them a longer startup.
pub(crate) fn is_launcher(command: &str) -> bool {
    let base = Path::new(command)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(command);
    matches!(base, "npx" | "uvx" | "pipx" | "bunx" | "pnpx" | "dnx")
}

/// A POSIX-style environment variable name.
pub(crate) fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
