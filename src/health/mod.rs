//! One server's health: config and credential checks, the MCP probe and the container state,
//! folded into a status and a report entry. No CLI here.

mod container;
mod credentials;
pub(crate) mod drift;
pub(crate) mod locks;
pub(crate) mod perfdata;
mod prepare;
mod secrets;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

pub(crate) use container::ContainerState;

use crate::config::{Defaults, Origin, ServerConfig};
use crate::discovery::{FileProblem, ProblemKind};
use crate::exit::Status;
use crate::probe::{self, Era, Failure, FailureKind, Latency, ServerInfo, Transport};
use crate::redact::Redactor;
use credentials::Finding;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ServerStatus {
    Healthy,
    Degraded,
    Unknown,
    Unhealthy,
    /// Its client marks it disabled: listed, not probed, not counted.
    Disabled,
}

/// A stored report's word; one this version does not know (a newer mcpctl's) reads as unknown.
/// By hand, because serde's catch-all must be the last variant and the order here is the
/// severity order.
impl<'de> serde::Deserialize<'de> for ServerStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let word = String::deserialize(d)?;
        Ok(match word.as_str() {
            "healthy" => Self::Healthy,
            "degraded" => Self::Degraded,
            "unhealthy" => Self::Unhealthy,
            "disabled" => Self::Disabled,
            _ => Self::Unknown,
        })
    }
}

/// One server in a health-check report. The `report` subcommand reads these back as history.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct ServerReport {
    pub name: String,
    pub status: ServerStatus,
    pub critical: bool,
    /// Every client that defines it marks it disabled: never probed, never counted against the
    /// run's status; `sources` says where.
    pub disabled: bool,
    /// The transport actually spoken, or the configured one when no connection was made.
    pub transport: String,
    pub sources: Vec<Origin>,
    pub protocol_version: Option<String>,
    pub era: Option<Era>,
    /// Whether a separate connection answered `server/discover` (only with --check-modern).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modern_era: Option<bool>,
    pub server_info: Option<ServerInfo>,
    /// Number of tools listed; absent when the server has no tools capability or was not reached.
    pub tools: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_tools: Vec<String>,
    pub latency_ms: Latency,
    pub stray_stdout_lines: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stderr_tail: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<ContainerState>,
    /// For https: the server's certificate and how long it has left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsCert>,
    /// The tool baseline this probe was compared with (absent with `on_drift = "ignore"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<drift::Baseline>,
    /// How the tools differ from the baseline; with `baseline.state = accepted`, what was accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<drift::Drift>,
    pub warnings: Vec<String>,
    pub error: Option<Failure>,
    /// With `--doctor`: every step of reaching the server, timed, up to the first that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doctor: Option<Vec<probe::doctor::StepReport>>,
}

/// An https server's certificate end.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct TlsCert {
    pub not_after: chrono::DateTime<chrono::Utc>,
    /// Whole days left (negative once expired).
    pub days_left: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub defaults: Defaults,
    pub check_modern: bool,
    /// The backup targets, so a broken file's hint names the one that restores it.
    pub backup_targets: Vec<crate::config::BackupTarget>,
    /// Where tool baselines live; `None` compares none.
    pub state_dir: Option<std::path::PathBuf>,
    /// Servers whose current snapshot becomes the new baseline.
    pub accept_drift: Vec<String>,
    /// Also time every step of the connection (`--doctor`).
    pub doctor: bool,
    /// Compare with the baselines but store nothing (the MCP server's read-only health_check).
    pub drift_read_only: bool,
}

impl Options {
    pub(crate) fn new(settings: &crate::config::Settings, check_modern: bool) -> Self {
        Self {
            state_dir: None,
            accept_drift: Vec::new(),
            doctor: false,
            drift_read_only: false,
            defaults: settings.defaults.clone(),
            check_modern,
            backup_targets: settings
                .backup
                .as_ref()
                .map(|b| b.targets.clone())
                .unwrap_or_default(),
        }
    }
}

/// Checks every server concurrently, as many at once as the open-file limit allows; each is cut
/// off at `deadline`, waiting for its turn included.
pub(crate) async fn check_all(
    servers: &[ServerConfig],
    opts: &Options,
    deadline: tokio::time::Instant,
) -> Vec<ServerReport> {
    check_all_until(servers, opts, deadline, &CancellationToken::new()).await
}

/// As `check_all`, but `stop` ends every probe still running (its children are killed) and
/// reports it as interrupted, so the servers already probed still make a report.
pub(crate) async fn check_all_until(
    servers: &[ServerConfig],
    opts: &Options,
    deadline: tokio::time::Instant,
    stop: &CancellationToken,
) -> Vec<ServerReport> {
    let permits = tokio::sync::Semaphore::new(crate::limits::probe_concurrency());
    let permits = &permits;
    let checks = servers.iter().map(|s| async move {
        let probe = async {
            let _turn = permits.acquire().await;
            check(s, opts).await
        };
        tokio::select! {
            report = tokio::time::timeout_at(deadline, probe) => match report {
                Ok(report) => report,
                Err(_) => deadline_report(s),
            },
            () = stop.cancelled() => interrupted_report(s),
        }
    });
    futures::future::join_all(checks).await
}

/// Every secret the server's config resolves to (env, headers, env file), for redacting output
/// that is not the probe's own, such as a recovery command's.
pub(crate) fn redactor_for(server: &ServerConfig, defaults: &Defaults) -> Redactor {
    let mut redactor = Redactor::default();
    let _ = prepare::prepare(server, defaults, &[], &mut redactor);
    redactor
}

pub(crate) async fn check(server: &ServerConfig, opts: &Options) -> ServerReport {
    let mut report = empty_report(server);
    let mut redactor = Redactor::default();
    let prepared = prepare::prepare(server, &opts.defaults, &opts.backup_targets, &mut redactor);

    let mut failures = Vec::new();
    for finding in credentials::check_files(
        &server.config_files,
        server.env_file.as_deref(),
        &opts.backup_targets,
    ) {
        push(finding, &mut report.warnings, &mut failures);
    }
    let prepared = match prepared {
        Ok(p) => p,
        Err(f) => {
            report.status = if server.unresolved_inputs.is_empty() {
                ServerStatus::Unhealthy
            } else {
                ServerStatus::Unknown
            };
            report.error = Some(f);
            return report;
        }
    };
    for finding in
        credentials::check_tokens(&prepared.secrets, server.token_expires, chrono::Utc::now())
    {
        push(finding, &mut report.warnings, &mut failures);
    }

    let container = server
        .container
        .as_deref()
        .map(|name| container::inspect(name, server.timeout));
    let wants = probe::Wants {
        inventory: opts.state_dir.is_some()
            && server.drift.on_drift != crate::config::OnDrift::Ignore,
        call: server.probe_call.clone(),
    };
    let probe_fut = probe::probe(&prepared.target, prepared.limits, &wants, &redactor);
    let (mut probe, container) = match container {
        Some(c) => {
            let (p, c) = tokio::join!(probe_fut, c);
            (p, Some(c))
        }
        None => (probe_fut.await, None),
    };
    match container {
        Some(container::Verdict::Ok(state)) => report.container = Some(state),
        Some(container::Verdict::Degraded(state, why)) => {
            report.container = Some(state);
            report.warnings.push(why);
        }
        Some(container::Verdict::Down(state, f)) => {
            report.container = state;
            failures.push(f);
        }
        Some(container::Verdict::Unreachable(why)) => report.warnings.push(why),
        None => {}
    }

    if opts.check_modern && probe.failure.is_none() {
        report.modern_era =
            probe::supports_modern(&prepared.target, prepared.limits, &redactor).await;
    }
    if opts.doctor {
        let steps = Box::pin(probe::doctor::steps(
            &prepared.target,
            prepared.limits,
            &probe,
        ));
        let mut steps = steps.await;
        // A host or a program may come from a secret variable.
        for step in &mut steps {
            step.detail = redactor.redact_cut(&step.detail, 1000);
        }
        report.doctor = Some(steps);
    }
    let inventory = probe.inventory.take().filter(|_| probe.failure.is_none());
    fill_from_probe(&mut report, probe, server, &mut failures);
    compare_tools(&mut report, server, opts, inventory, &mut failures);

    // The probe's own failure comes first: it is the one a person acts on.
    report.status = if failures.is_empty() {
        if report.warnings.is_empty() {
            ServerStatus::Healthy
        } else {
            ServerStatus::Degraded
        }
    } else {
        ServerStatus::Unhealthy
    };
    report.error = failures.into_iter().next();
    report
}

/// Run status: a critical server down is CRITICAL; anything else not healthy, or a client file
/// its client rejects, is a WARNING. Disabled servers and files mcpctl does not read never count.
pub(crate) fn verdict(all: &[ServerReport], problems: &[FileProblem]) -> (Status, String) {
    let invalid = problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Invalid)
        .count();
    let (off, reports): (Vec<&ServerReport>, Vec<&ServerReport>) =
        all.iter().partition(|r| r.status == ServerStatus::Disabled);
    let mut tail = String::new();
    if !off.is_empty() {
        tail.push_str(&format!("; {} disabled, not probed", off.len()));
    }
    if invalid > 0 {
        tail.push_str(&format!(
            "; {} unreadable",
            crate::output::plural(invalid, "client config file", "client config files")
        ));
    }
    if reports.is_empty() {
        if off.is_empty() {
            let why = if invalid == 0 {
                ""
            } else {
                " (some client configs did not parse)"
            };
            return (
                Status::Unknown,
                format!(
                    "no MCP servers configured or discovered{why}; write ~/.config/mcpctl/mcpctl.toml or pass --from FILE"
                ),
            );
        }
        let status = if invalid == 0 {
            Status::Ok
        } else {
            Status::Warning
        };
        return (status, format!("no enabled servers{tail}"));
    }
    let count = |st: ServerStatus| reports.iter().filter(|r| r.status == st).count();
    let (healthy, degraded, unknown, unhealthy) = (
        count(ServerStatus::Healthy),
        count(ServerStatus::Degraded),
        count(ServerStatus::Unknown),
        count(ServerStatus::Unhealthy),
    );
    // Critical drift (a rug pull) is a security event: critical whether or not the server is.
    let critical_down: Vec<&str> = reports
        .iter()
        .filter(|r| {
            (r.critical
                && matches!(r.status, ServerStatus::Unhealthy | ServerStatus::Unknown)
                && r.error
                    .as_ref()
                    .is_none_or(|e| e.kind != FailureKind::Locked))
                || r.error
                    .as_ref()
                    .is_some_and(|e| e.kind == FailureKind::Drift)
        })
        .map(|r| r.name.as_str())
        .collect();
    let status = if !critical_down.is_empty() {
        Status::Critical
    } else if healthy == reports.len() && invalid == 0 {
        Status::Ok
    } else {
        Status::Warning
    };
    let mut parts = vec![format!("{healthy} healthy")];
    for (n, label) in [
        (degraded, "degraded"),
        (unhealthy, "unhealthy"),
        (unknown, "unknown"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {label}"));
        }
    }
    let mut summary = format!(
        "{}: {}",
        crate::output::plural(reports.len(), "server", "servers"),
        parts.join(", ")
    );
    let failing: Vec<String> = reports
        .iter()
        .filter(|r| r.status != ServerStatus::Healthy)
        .map(|r| {
            format!(
                "{} ({})",
                r.name,
                r.error.as_ref().map_or("degraded", |e| e.kind.as_str())
            )
        })
        .collect();
    if !failing.is_empty() {
        summary.push_str(&format!(" - {}", failing.join(", ")));
    }
    summary.push_str(&tail);
    (status, summary)
}

fn fill_from_probe(
    report: &mut ServerReport,
    probe: probe::Probe,
    server: &ServerConfig,
    failures: &mut Vec<Failure>,
) {
    if let Some(t) = probe.transport {
        transport_name(t).clone_into(&mut report.transport);
    }
    report.protocol_version = probe.protocol_version;
    report.era = probe.era;
    report.server_info = probe.server_info;
    report.latency_ms = probe.latency;
    report.stray_stdout_lines = probe.stray_stdout_lines;
    report.stderr_tail = probe.stderr_tail;
    report.exit_status = probe.exit_status;
    report.http_status = probe.http_status;
    if let Some(end) = probe.tls_not_after {
        let days_left = (end - chrono::Utc::now()).num_days();
        if days_left < i64::from(server.tls_warn_days) {
            report.warnings.push(format!(
                "the TLS certificate expires on {} (in {}); renew it before clients refuse the server",
                end.format("%Y-%m-%d %H:%M UTC"),
                crate::output::plural(usize::try_from(days_left.max(0)).unwrap_or(0), "day", "days")
            ));
        }
        report.tls = Some(TlsCert {
            not_after: end,
            days_left,
        });
    }
    if let Some(mut f) = probe.failure {
        if let Some(auth) = f.auth.as_mut() {
            f.hint = Some(login_hint(server, &mut auth.clients));
        }
        failures.insert(0, f);
    }
    if let Some(Err(why)) = probe.call {
        let tool = server.probe_call.as_ref().map_or("", |c| c.tool.as_str());
        report.warnings.push(format!(
            "probe_call `{tool}` failed: {why}; the server lists its tools but will not run them (signed out, or a token without the scope?)"
        ));
    }
    if let Some(names) = &probe.tool_names {
        report.tools = Some(names.len());
        report.missing_tools = server
            .expect_tools
            .iter()
            .filter(|t| !names.contains(t))
            .cloned()
            .collect();
    } else if report.error.is_none() && failures.is_empty() && !server.expect_tools.is_empty() {
        report.missing_tools.clone_from(&server.expect_tools);
    }
    if !report.missing_tools.is_empty() {
        report.warnings.push(format!(
            "expected tools are missing: {}",
            report.missing_tools.join(", ")
        ));
    }
    if report.stray_stdout_lines > 0 && failures.iter().all(|f| f.kind != FailureKind::Garbage) {
        report.warnings.push(format!(
            "the server printed {} on stdout; MCP clients may choke on them",
            crate::output::plural(
                usize::try_from(report.stray_stdout_lines).unwrap_or(usize::MAX),
                "non-JSON line",
                "non-JSON lines"
            )
        ));
    }
}

/// Compares the tools with the baseline (and accepts them with `--accept-drift`).
fn compare_tools(
    report: &mut ServerReport,
    server: &ServerConfig,
    opts: &Options,
    inventory: Option<probe::Inventory>,
    failures: &mut Vec<Failure>,
) {
    let accept = opts.accept_drift.contains(&server.name);
    let (Some(dir), Some(inventory)) = (&opts.state_dir, inventory) else {
        if accept {
            report.warnings.push(if server.drift.on_drift == crate::config::OnDrift::Ignore {
                "--accept-drift: this server has on_drift = \"ignore\", which keeps no baseline".into()
            } else {
                "--accept-drift: the baseline is unchanged, because the probe did not list the tools; fix the server, then accept again".into()
            });
        }
        return;
    };
    let outcome = drift::check(
        dir,
        &server.name,
        &server.drift,
        &inventory,
        (accept, !opts.drift_read_only),
        chrono::Utc::now(),
    );
    apply_drift(report, server, outcome, failures);
}

/// What the tool baseline's comparison makes of the server: a warning, or under
/// `on_drift = "critical"` or a pinned description a `drift` failure.
fn apply_drift(
    report: &mut ServerReport,
    server: &ServerConfig,
    outcome: drift::Outcome,
    failures: &mut Vec<Failure>,
) {
    if let Some(problem) = outcome.problem {
        report.warnings.push(problem);
    }
    if let (Some(d), Some(b)) = (&outcome.drift, &outcome.baseline)
        && b.state == drift::BaselineState::Drifted
    {
        let since = b.since.format("%Y-%m-%d %H:%M UTC");
        let accept = format!(
            "if the change is expected, run `mcpctl health-check --accept-drift {}`",
            server.name
        );
        match d.severity {
            drift::Severity::Warn => report.warnings.push(format!(
                "tools drifted from the baseline of {since}: {}; {accept}",
                d.line()
            )),
            drift::Severity::Critical => {
                let pinned = server.drift.pin_tools
                    && d.changed.iter().any(|c| c.what == drift::What::Description);
                let why = if pinned {
                    "a pinned description changed; it may tell the model to do something else"
                } else {
                    "on_drift = critical"
                };
                failures.push(
                    Failure::new(
                        FailureKind::Drift,
                        format!(
                            "tools drifted from the baseline of {since} ({why}): {}",
                            d.line()
                        ),
                    )
                    .hint(format!(
                        "read the new tool definitions before any model does; {accept}"
                    )),
                );
            }
        }
    }
    report.baseline = outcome.baseline;
    report.drift = outcome.drift;
}

/// How to log in again, with each MCP client the server's definition came from; `clients`
/// gets their labels.
fn login_hint(server: &ServerConfig, clients: &mut Vec<String>) -> String {
    let mut ways = Vec::new();
    for o in &server.origins {
        clients.push(o.client.clone());
        let name = &o.name;
        ways.push(match o.client.as_str() {
            "claude-code" => format!("Claude Code: `claude mcp`, or /mcp in a session, and authenticate {name}"),
            "codex" => format!("Codex: `codex mcp login {name}`"),
            "gemini" => format!("Gemini CLI: `/mcp auth {name}` in a session"),
            "mcpctl" => "mcpctl: get a new token from the issuer and put it in the variable of the server's Authorization header".to_owned(),
            other => format!("{other}: sign in to {name} again in its MCP settings"),
        });
    }
    format!(
        "log in again with {}; mcpctl never follows an authorization URL",
        ways.join("; or ")
    )
}

fn push(finding: Finding, warnings: &mut Vec<String>, failures: &mut Vec<Failure>) {
    match finding {
        Finding::Warning(w) => warnings.push(w),
        Finding::Failure(f) => failures.push(f),
    }
}

fn transport_name(t: Transport) -> &'static str {
    match t {
        Transport::Stdio => "stdio",
        Transport::Http => "http",
        Transport::Sse => "sse",
    }
}

fn empty_report(server: &ServerConfig) -> ServerReport {
    blank(
        server.name.clone(),
        server.critical,
        server.disabled,
        server.transport_label().to_owned(),
        server.origins.clone(),
    )
}

/// A report of a server with nothing probed yet: unknown, every finding empty.
fn blank(
    name: String,
    critical: bool,
    disabled: bool,
    transport: String,
    sources: Vec<Origin>,
) -> ServerReport {
    ServerReport {
        name,
        status: ServerStatus::Unknown,
        critical,
        disabled,
        transport,
        sources,
        protocol_version: None,
        era: None,
        modern_era: None,
        server_info: None,
        tools: None,
        missing_tools: Vec::new(),
        latency_ms: Latency::default(),
        stray_stdout_lines: 0,
        stderr_tail: Vec::new(),
        exit_status: None,
        http_status: None,
        container: None,
        tls: None,
        baseline: None,
        drift: None,
        warnings: Vec::new(),
        error: None,
        doctor: None,
    }
}

/// A report of `name` with nothing probed, for the unit tests of what reads reports (the
/// watch's tracker, emergency mode) without a server to probe.
#[cfg(test)]
pub(crate) fn test_report(name: &str, status: ServerStatus) -> ServerReport {
    let mut report = blank(name.to_owned(), true, false, "stdio".to_owned(), Vec::new());
    report.status = status;
    report
}

fn interrupted_report(server: &ServerConfig) -> ServerReport {
    let mut report = empty_report(server);
    report.error = Some(Failure::new(
        FailureKind::Interrupted,
        "the run was interrupted (SIGINT or SIGTERM) before this probe finished",
    ));
    report
}

/// A server its clients mark disabled: listed with its sources, never probed.
pub(crate) fn disabled_report(server: &ServerConfig) -> ServerReport {
    let mut report = empty_report(server);
    report.status = ServerStatus::Disabled;
    report
}

fn deadline_report(server: &ServerConfig) -> ServerReport {
    let mut report = empty_report(server);
    report.error = Some(
        Failure::new(
            FailureKind::Deadline,
            "the run's deadline ended the probe before it finished",
        )
        .hint("raise --deadline or [health_check] deadline, or lower this server's timeout"),
    );
    report
}
