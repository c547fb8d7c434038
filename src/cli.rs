//! Raw command-line input. Nothing here is trusted yet: `commands::*` resolve it with the config.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::env_vars;

#[derive(Debug, Parser)]
#[command(
    name = "mcpctl",
    version,
    about = "Keep MCP servers, their configs and CI healthy",
    long_about = "Keep MCP servers, their configs and CI healthy.\n\n\
        Every subcommand reads one TOML config, writes a JSON report and exits with a stable code: \
        0 ok, 1 warning, 2 critical, 3 unknown (bad config or usage), 75 locked, 130 interrupted.",
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct GlobalArgs {
    /// Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]
    #[arg(long, short = 'c', global = true, env = env_vars::MCPCTL_CONFIG, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]
    #[arg(long, global = true, env = env_vars::MCPCTL_STATE_DIR, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,

    /// Write the JSON report here instead of the state directory
    #[arg(long, global = true, value_name = "PATH")]
    pub report: Option<PathBuf>,

    /// Print the JSON report on stdout (same as --format json)
    #[arg(long, global = true, conflicts_with = "format")]
    pub json: bool,

    /// Output format [default: table on a terminal, otherwise quiet unless something is wrong]
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,

    /// Print nothing when all is ok
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,

    /// More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Wait this long for another run's lock instead of exiting 75 (e.g. 30s, 5m)
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub wait_lock: Option<std::time::Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Table,
    Json,
    Nagios,
    /// `report` only: a markdown summary for Slack or a pull request
    Markdown,
    /// `report` only: one self-contained HTML page with charts
    Html,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Probe every configured and discovered MCP server with a real handshake
    HealthCheck(HealthCheckArgs),
    /// Make age-encrypted, verified backups of configs and credentials
    Backup(BackupArgs),
    /// Restore a backup target from the newest valid copy
    Restore(RestoreArgs),
    /// Run the guarded recovery ladder for failed servers
    Recover(RecoverArgs),
    /// Switch the pipeline to fallback mode while critical servers stay down
    Emergency(EmergencyArgs),
    /// Find failed GitHub Actions runs and classify why they failed
    GhWatch(GhWatchArgs),
    /// Apply the matched fix recipe in a git checkout (dry-run by default)
    Fix(FixArgs),
    /// Reliability figures from the stored reports
    Report(ReportArgs),
    /// Serve mcpctl's checks, and the actions the config allows, to MCP clients (stdio or HTTP)
    McpServer(McpServerArgs),
    /// Print a shell completion script
    #[command(hide = true)]
    Completions(CompletionsArgs),
    /// Print the man page, or write every page into a directory
    #[command(hide = true)]
    Man(ManArgs),
    /// Print the JSON Schema of health-check's report, or write every report's into a directory
    #[command(hide = true)]
    Schema(SchemaArgs),
}

#[derive(Debug, Args)]
pub(crate) struct HealthCheckArgs {
    /// Only list the resolved servers (name, transport, sources); probe nothing
    #[arg(long)]
    pub list: bool,

    /// Import servers from this MCP client config file (any supported client format); repeatable
    #[arg(long, value_name = "PATH")]
    pub from: Vec<PathBuf>,

    /// Probe only these servers; repeatable
    #[arg(long, short = 's', value_name = "NAME")]
    pub server: Vec<String>,

    /// Also probe servers found in MCP client configs (the default when no config file exists)
    #[arg(long, overrides_with = "no_discover")]
    pub discover: bool,

    /// Do not read MCP client configs
    #[arg(long)]
    pub no_discover: bool,

    /// Deadline for the whole run (e.g. 90s) [default: from config, else 2m]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub deadline: Option<std::time::Duration>,

    /// Also ask each stdio server, in a separate spawn, whether it speaks the 2026-07-28 era
    #[arg(long)]
    pub check_modern: bool,

    /// Run the recovery ladder for failed servers, re-probe, and exit by the final state
    #[arg(long)]
    pub recover: bool,

    /// Probe these servers now and take their tools as the new baseline (the old one is kept in
    /// the baseline file's history)
    #[arg(long, value_name = "NAME", num_args = 1.., conflicts_with = "list")]
    pub accept_drift: Vec<String>,

    /// Probe one server step by step (resolve, connect, TLS, HTTP, version, auth; for stdio the
    /// PATH, exec, launcher, handshake) and print each step with its time, failing or not
    #[arg(long, value_name = "NAME", conflicts_with_all = ["list", "accept_drift", "recover"])]
    pub doctor: Option<String>,

    /// Keep watching: a pass every INTERVAL (e.g. 30s), and at once when a configured container
    /// dies, is killed or stopped, runs out of memory or turns unhealthy; until SIGINT or SIGTERM
    /// (exit 130) or the end of --while-pid's process
    #[arg(long, value_name = "INTERVAL", value_parser = parse_duration, conflicts_with_all = ["list", "accept_drift", "doctor"])]
    pub watch: Option<std::time::Duration>,

    /// With --watch: end when this process exits, and exit by the worst state seen (0, 1 or 2)
    #[arg(long, value_name = "PID", requires = "watch")]
    pub while_pid: Option<u32>,
}

#[derive(Debug, Args)]
pub(crate) struct RecoverArgs {
    /// Servers to recover, reset, pause or resume (each needs a [servers.NAME.recover] ladder to
    /// be acted on); or --all-failed
    #[arg(value_name = "NAME")]
    pub servers: Vec<String>,

    /// Every configured server that is failing
    #[arg(long, conflicts_with_all = ["reset", "pause", "resume"])]
    pub all_failed: bool,

    /// Print the plan and touch nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Close the circuit breaker of the named servers and forget their attempts
    #[arg(long, conflicts_with_all = ["pause", "resume"])]
    pub reset: bool,

    /// Pause recovery of the named servers for maintenance (with --for)
    #[arg(long, requires = "pause_for", conflicts_with = "resume")]
    pub pause: bool,

    /// How long --pause lasts (e.g. 2h)
    #[arg(long = "for", id = "pause_for", value_name = "DURATION", value_parser = parse_duration, requires = "pause")]
    pub pause_for: Option<std::time::Duration>,

    /// End a pause early
    #[arg(long)]
    pub resume: bool,

    /// Deadline for the first probe of all servers (e.g. 90s) [default: from config, else 2m]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub deadline: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub(crate) struct BackupArgs {
    /// Back up only these targets [default: all]
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,

    /// Verify every stored backup at every location (sidecar, decryption, manifest hashes)
    #[arg(long)]
    pub check: bool,

    /// Back up even when nothing changed since the newest backup
    #[arg(long)]
    pub force: bool,

    /// Back up files that fail their format validation (normally refused: that is the corruption backups guard against)
    #[arg(long)]
    pub allow_invalid: bool,

    /// With --check: accept copies made before backups were signed (with a warning)
    #[arg(long, requires = "check")]
    pub allow_unsigned: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RestoreArgs {
    /// The backup target to restore
    #[arg(value_name = "TARGET")]
    pub target: String,

    /// Restore this backup (its id, or the newest one at or before a time like 2026-11-24T08:00:00Z)
    #[arg(long, value_name = "ID|TIME")]
    pub at: Option<String>,

    /// List the candidate backups with their verification state; restore nothing
    #[arg(long)]
    pub list: bool,

    /// Show which files would change, with a diff of changed keys (values redacted)
    #[arg(long)]
    pub dry_run: bool,

    /// Restore only if the current files fail validation (for cron and recover)
    #[arg(long)]
    pub if_invalid: bool,

    /// Restore into this directory instead of the original paths
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,

    /// Accept copies made before backups were signed (with a warning); for migration only
    #[arg(long)]
    pub allow_unsigned: bool,
}

#[derive(Debug, Args)]
pub(crate) struct EmergencyArgs {
    /// Show the current mode from the last run; probe nothing
    #[arg(long, conflicts_with = "clear")]
    pub status: bool,

    /// Return to normal mode now (every server back to `mcp`)
    #[arg(long)]
    pub clear: bool,

    /// Deadline for probing the critical servers (e.g. 90s) [default: from config, else 2m]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub deadline: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub(crate) struct GhWatchArgs {
    /// Classify this log offline, with no network (`-` reads stdin, e.g. from `gh run view --log-failed`)
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,

    /// Lint every pattern file and run its fixtures
    #[arg(long, conflicts_with = "log")]
    pub check_patterns: bool,

    /// With --log: show, for each issue, the pattern and its file, the regex, the line and the
    /// captures, and the matches that ranked lower and why
    #[arg(long, requires = "log")]
    pub explain: bool,

    /// With --log: the job is known to have failed (the log came from a failed run), so a failure
    /// the log does not mark still gets its cause
    #[arg(long, requires = "log")]
    pub failed: bool,

    /// Another directory of pattern files (repeatable); its ids replace shipped ones
    #[arg(long, value_name = "DIR")]
    pub patterns_dir: Vec<PathBuf>,

    /// The repository the log belongs to, for fingerprints (owner/name)
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// The workflow the log belongs to, for fingerprints
    #[arg(long, value_name = "NAME")]
    pub workflow: Option<String>,

    /// The job the log belongs to, for fingerprints
    #[arg(long, value_name = "NAME")]
    pub job: Option<String>,

    /// Classify runs seen before too (normally each run is classified once)
    #[arg(long, conflicts_with_all = ["log", "check_patterns"])]
    pub all: bool,

    /// Run again every INTERVAL (e.g. 10m) in the foreground, with a report each time, until
    /// SIGINT or SIGTERM
    #[arg(long, value_name = "INTERVAL", value_parser = parse_duration, conflicts_with_all = ["log", "check_patterns"])]
    pub watch: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub(crate) struct FixArgs {
    /// Act: branch, apply, verify, commit, then open a pull request, push or re-run, as [fix] mode
    /// says [default: a dry run that prints the plan and the diff]
    #[arg(long)]
    pub apply: bool,

    /// Read the issues from this gh-watch report [default: the newest stored one]
    #[arg(long, value_name = "REPORT")]
    pub from: Option<PathBuf>,

    /// Only the issue with this fingerprint (or its first 6+ characters)
    #[arg(long, value_name = "FP")]
    pub fingerprint: Option<String>,

    /// Show every fix attempted so far (with --json as JSON); change nothing
    #[arg(long, conflicts_with_all = ["apply", "from", "fingerprint", "propose"])]
    pub history: bool,

    /// For failures no recipe covers: ask [fix.proposer] for a patch. Alone, shows the prompt
    /// that would be sent; with --call also calls and shows the validated diff; with --apply
    /// applies, verifies and opens a pull request
    #[arg(long)]
    pub propose: bool,

    /// With --propose: call the proposer and show its validated diff, applying nothing (the call
    /// counts toward max_calls_per_day)
    #[arg(long, requires = "propose", conflicts_with = "apply")]
    pub call: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The window: this long before --to or now (e.g. 24h, 7d, 30d) [default: 7d]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "from")]
    pub since: Option<std::time::Duration>,

    /// Start of the window (RFC 3339 like 2026-11-01T00:00:00Z, or a date like 2026-11-01)
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,

    /// End of the window [default: now]
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,

    /// Only these servers; repeatable
    #[arg(long, short = 's', value_name = "NAME")]
    pub server: Vec<String>,

    /// Post the summary through the [notify] channels (Slack always, whatever the status)
    #[arg(long)]
    pub notify: bool,

    /// Delete stored reports older than this (e.g. 90d), keeping those the figures still need
    #[arg(long, value_name = "OLDER_THAN", value_parser = parse_duration, conflicts_with_all = ["since", "from", "to", "server", "notify"])]
    pub prune: Option<std::time::Duration>,

    /// With --format html: the page reloads itself every SECONDS, so a browser tab on the stored
    /// page stays live while a watch runs
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..=86_400), conflicts_with = "prune")]
    pub refresh: Option<u32>,
}

#[derive(Debug, Args)]
pub(crate) struct McpServerArgs {
    /// Serve Streamable HTTP on this address (e.g. 127.0.0.1:8765; port 0 picks one) instead of
    /// stdio; needs [mcp_server] token
    #[arg(long, value_name = "ADDR:PORT")]
    pub http: Option<std::net::SocketAddr>,

    /// Allow --http on an address that is not loopback
    #[arg(long, requires = "http")]
    pub allow_remote: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Write `<command>.json` for every report into DIR
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write mcpctl.1 and one page per subcommand into this directory
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(s) {
        Ok(d) if d.is_zero() => {
            Err("a zero duration leaves no time at all (write durations like 30s, 2m, 1h)".into())
        }
        Ok(d) => Ok(d),
        Err(e) => Err(format!("{e} (write durations like 30s, 2m, 1h)")),
    }
}
