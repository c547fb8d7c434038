//! Raw TOML → typed `Settings`. Cross-field rules live here, with the span of the server table so
//! the error still points at a line.

mod invalid;

use std::path::Path;
use std::time::Duration;

use invalid::Invalid;

use super::raw::{
    RawBackoff, RawBackup, RawConfig, RawLocation, RawRecover, RawRetention, RawServer,
    RawTransport, RecoverStep,
};
use super::{
    BackupSettings, BackupTarget, ConfigError, Defaults, Endpoint, FileFormat, HealthCheckSettings,
    Location, Origin, RecoverPolicy, Retention, ServerConfig, Settings, expand_path, line_col,
    valid_env_name,
};
use crate::types::Transport;

pub(crate) fn resolve(raw: RawConfig, path: &Path, text: &str) -> Result<Settings, ConfigError> {
    let base = path.parent();
    let base = base.filter(|b| !b.as_os_str().is_empty());
    let defaults = defaults(&raw.defaults);
    let mut servers = Vec::with_capacity(raw.servers.len());
    // (target, server, line, col): checked once the backup targets are known.
    let mut restore_targets = Vec::new();
    for (name, spanned) in raw.servers {
        let (line, col) = line_col(text, spanned.span().start);
        let at = |message: String| ConfigError::At {
            path: path.to_path_buf(),
            line,
            col,
            message,
        };
        if !valid_name(&name) {
            return Err(at(format!(
                "server name `{name}` may use only letters, digits, '-', '_' and '.'"
            )));
        }
        let server = spanned.into_inner();
        if server.enabled == Some(false) {
            continue;
        }
        let invalid = |e: Invalid| at(e.to_string());
        let endpoint = endpoint(&name, &server, base).map_err(invalid)?;
        let (drift, probe_call) = checks(&name, &server, &defaults).map_err(invalid)?;
        let recover = server
            .recover
            .map(|r| recover_policy(&name, r, server.container.is_some()))
            .transpose()
            .map_err(invalid)?;
        if let Some(target) = recover.as_ref().and_then(|r| r.restore_target.clone()) {
            restore_targets.push((target, name.clone(), line, col));
        }
        if let Some(bad) = server.required_env.iter().find(|v| !valid_env_name(v)) {
            return Err(at(format!(
                "servers.{name}.required_env: `{bad}` is not a variable name"
            )));
        }
        servers.push(ServerConfig {
            drift,
            probe_call,
            tls_warn_days: server.tls_warn_days.unwrap_or(defaults.tls_warn_days),
            origins: vec![Origin {
                client: "mcpctl".into(),
                path: path.to_path_buf(),
                name: name.clone(),
                disabled: false,
            }],
            endpoint,
            env: server.env,
            headers: server.headers,
            env_file: server.env_file.as_deref().map(|p| expand_path(p, base)),
            critical: server.critical,
            timeout: server.timeout.map_or(defaults.timeout, |v| v.0),
            startup_timeout: server.startup_timeout.map(|v| v.0),
            prefer_offline: server.prefer_offline.unwrap_or(defaults.prefer_offline),
            container: server.container,
            expect_tools: server.expect_tools,
            required_env: server.required_env,
            config_files: server
                .config_files
                .iter()
                .map(|p| expand_path(p, base))
                .collect(),
            token_expires: server.token_expires.map(|d| d.0),
            unresolved_inputs: Vec::new(),
            disabled: false,
            recover,
            fallback: server.fallback.map(|f| super::Fallback {
                check_url: f.check_url,
                headers: f.headers,
                timeout: f.timeout.map_or(defaults.timeout, |d| d.0),
            }),
            name,
        });
    }
    let backup = raw
        .backup
        .map(|b| resolve_backup(b, &servers, path, text, base))
        .transpose()?;
    check_restore_targets(backup.as_ref(), &restore_targets, path)?;
    Ok(Settings {
        report: report_settings(raw.report, path, text)?,
        backup,
        emergency_env_file: raw.emergency.env_file.map(|p| expand_path(&p, base)),
        notify: raw.notify.map(|n| notify(n, base)).unwrap_or_default(),
        github: github(raw.github, path, text, base)?,
        fix: raw.fix.map(|f| fix(f, path, text, base)).transpose()?,
        mcp_server: mcp_server(raw.mcp_server, path, text)?,
        file: Some(path.to_path_buf()),
        state_dir: raw.state_dir.as_deref().map(|p| expand_path(p, base)),
        defaults,
        health_check: HealthCheckSettings {
            deadline: raw.health_check.deadline.map(|v| v.0),
            discover: raw.health_check.discover,
            check_modern: raw.health_check.check_modern.unwrap_or(false),
        },
        servers,
    })
}

fn defaults(d: &super::raw::RawDefaults) -> Defaults {
    Defaults {
        timeout: d.timeout.map_or(super::DEFAULT_TIMEOUT, |v| v.0),
        startup_timeout: d
            .startup_timeout
            .map_or(super::DEFAULT_LAUNCHER_STARTUP, |v| v.0),
        grace: d.grace.map_or(super::DEFAULT_GRACE, |v| v.0),
        prefer_offline: d.prefer_offline.unwrap_or(false),
        on_drift: d.on_drift.unwrap_or_default(),
        pin_tools: d.pin_tools.unwrap_or(false),
        tls_warn_days: d.tls_warn_days.unwrap_or(super::DEFAULT_TLS_WARN_DAYS),
    }
}

fn github(
    g: Option<super::raw::RawGithub>,
    path: &Path,
    text: &str,
    base: Option<&Path>,
) -> Result<super::GithubSettings, ConfigError> {
    let g = g.unwrap_or(super::raw::RawGithub {
        token: None,
        api_url: None,
        repos: Vec::new(),
        lookback: None,
        branches: Vec::new(),
        patterns_dirs: Vec::new(),
        open_issue_after: None,
    });
    let max = crate::limits::MAX_SIGHTINGS;
    if let Some(n) = &g.open_issue_after
        && usize::try_from(*n.get_ref()).map_or(true, |n| n > max)
    {
        let (line, col) = line_col(text, n.span().start);
        return Err(ConfigError::At {
            path: path.to_path_buf(),
            line,
            col,
            message: format!(
                "github.open_issue_after is at most {max}: the history keeps {max} sightings per fingerprint, so a larger count is never reached"
            ),
        });
    }
    Ok(super::GithubSettings {
        token: g.token,
        api_url: g.api_url.unwrap_or_else(|| "https://api.github.com".into()),
        repos: g.repos,
        lookback: g.lookback.map_or(Duration::from_secs(24 * 3600), |d| d.0),
        branches: g.branches,
        patterns_dirs: g
            .patterns_dirs
            .iter()
            .map(|p| expand_path(p, base))
            .collect(),
        open_issue_after: g.open_issue_after.map(toml::Spanned::into_inner),
    })
}

fn notify(n: super::raw::RawNotify, base: Option<&Path>) -> super::NotifySettings {
    super::NotifySettings {
        slack_webhook: n.slack_webhook,
        on: n.on.unwrap_or_else(|| {
            vec![
                super::NotifyOn::Critical,
                super::NotifyOn::Recovered,
                super::NotifyOn::Emergency,
            ]
        }),
        healthchecks_url: n.healthchecks_url,
        prometheus_textfile: n
            .prometheus_textfile
            .as_deref()
            .map(|p| expand_path(p, base)),
        timeout: n.timeout.map_or(Duration::from_secs(10), |d| d.0),
        repeat_after: n
            .repeat_after
            .map_or(Duration::from_secs(24 * 3600), |d| d.0),
    }
}

/// Every `restore_target` names a backup target, derived ones included.
fn check_restore_targets(
    backup: Option<&BackupSettings>,
    wanted: &[(String, String, usize, usize)],
    path: &Path,
) -> Result<(), ConfigError> {
    for (target, server, line, col) in wanted {
        if !backup.is_some_and(|b| b.targets.iter().any(|t| &t.name == target)) {
            return Err(ConfigError::At {
                path: path.to_path_buf(),
                line: *line,
                col: *col,
                message: format!(
                    "servers.{server}.recover.restore_target: no backup target named `{target}`; add [backup.targets.{target}] (or `server_configs = true` for server-{server})"
                ),
            });
        }
    }
    Ok(())
}

fn recover_policy(
    name: &str,
    r: RawRecover,
    has_container: bool,
) -> Result<RecoverPolicy, Invalid> {
    let server = || name.to_owned();
    if r.steps.is_empty() {
        return Err(Invalid::NoSteps { server: server() });
    }
    let mut restore_target = r.restore_target;
    for step in &r.steps {
        match step {
            RecoverStep::RestoreConfig if restore_target.is_none() => {
                // The target `server_configs = true` derives for this server.
                restore_target = Some(format!("server-{name}"));
            }
            RecoverStep::RestartContainer | RecoverStep::RollbackImage if !has_container => {
                return Err(Invalid::NeedsContainer {
                    server: server(),
                    step: if *step == RecoverStep::RestartContainer {
                        "restart-container"
                    } else {
                        "rollback-image"
                    },
                });
            }
            RecoverStep::Command if r.command.first().is_none_or(String::is_empty) => {
                return Err(Invalid::NoCommandStep { server: server() });
            }
            _ => {}
        }
    }
    if !r.steps.contains(&RecoverStep::RestoreConfig) {
        restore_target = None;
    }
    let max_attempts = r.max_attempts.unwrap_or(3);
    if max_attempts == 0 {
        return Err(Invalid::NoAttempts { server: server() });
    }
    let backoff = r.backoff.unwrap_or(RawBackoff {
        initial: None,
        max: None,
    });
    let backoff_initial = backoff.initial.map_or(Duration::from_secs(2), |d| d.0);
    let backoff_max = backoff.max.map_or(Duration::from_secs(60), |d| d.0);
    if backoff_initial.is_zero() || backoff_max < backoff_initial {
        return Err(Invalid::Backoff { server: server() });
    }
    Ok(RecoverPolicy {
        steps: r.steps,
        restore_target,
        command: r.command,
        command_timeout: r.command_timeout.map_or(Duration::from_secs(60), |d| d.0),
        max_attempts,
        window: r.window.map_or(Duration::from_secs(3600), |d| d.0),
        backoff_initial,
        backoff_max,
        settle: r.settle.map_or(Duration::from_secs(30), |d| d.0),
        stop_timeout: r.stop_timeout.map_or(Duration::from_secs(10), |d| d.0),
        close_after: r.close_after.map(|d| d.0),
        rollback_image: r.rollback_image,
    })
}

fn endpoint(name: &str, s: &RawServer, base: Option<&Path>) -> Result<Endpoint, Invalid> {
    let server = || name.to_owned();
    let transport = s.transport.map(|t| match t {
        RawTransport::Stdio => Transport::Stdio,
        RawTransport::Http => Transport::Http,
        RawTransport::Sse => Transport::Sse,
    });
    match (&s.command, &s.url, transport) {
        (Some(_), Some(_), _) => Err(Invalid::BothEndpoints { server: server() }),
        (None, None, _) => Err(Invalid::NoEndpoint { server: server() }),
        (Some(_), None, Some(t @ (Transport::Http | Transport::Sse))) => {
            Err(Invalid::RemoteCommand {
                server: server(),
                transport: if t == Transport::Http { "http" } else { "sse" },
            })
        }
        (None, Some(_), Some(Transport::Stdio)) => Err(Invalid::StdioUrl { server: server() }),
        (Some(command), None, _) => {
            if command.trim().is_empty() {
                return Err(Invalid::EmptyCommand { server: server() });
            }
            Ok(Endpoint::Stdio {
                command: command_path(command, base),
                args: s.args.clone(),
                cwd: s.cwd.as_deref().map(|c| expand_path(c, base)),
            })
        }
        (None, Some(url), t) => {
            if !s.args.is_empty() {
                return Err(Invalid::RemoteArgs { server: server() });
            }
            Ok(Endpoint::Url {
                url: url.clone(),
                transport: t,
            })
        }
    }
}

/// `~/bin/srv.sh` and `./bin/srv.sh` are paths like any other path field (`~` is `$HOME`, relative
/// is from the config file's directory); a bare name like `npx` is looked up on PATH, and a
/// `${VAR}` prefix is left for the probe to expand.
fn command_path(command: &str, base: Option<&Path>) -> String {
    let is_path = command.starts_with("~/") || command.contains('/');
    if !is_path || command.starts_with("${") {
        return command.to_owned();
    }
    expand_path(command, base).display().to_string()
}

/// A server's drift policy and `probe_call`, checked.
fn checks(
    name: &str,
    server: &RawServer,
    defaults: &Defaults,
) -> Result<(super::DriftPolicy, Option<super::ProbeCall>), Invalid> {
    if let Some(bad) = server.drift_ignore.iter().find(|e| !valid_drift_ignore(e)) {
        return Err(Invalid::DriftIgnore {
            server: name.to_owned(),
            entry: bad.clone(),
        });
    }
    let probe_call = server
        .probe_call
        .as_ref()
        .map(|c| {
            if c.tool.trim().is_empty() {
                return Err(Invalid::NoProbeTool {
                    server: name.to_owned(),
                });
            }
            let arguments = serde_json::to_value(c.arguments.clone().unwrap_or_default()).map_err(
                |source| Invalid::ProbeArguments {
                    server: name.to_owned(),
                    source,
                },
            )?;
            Ok(super::ProbeCall {
                tool: c.tool.clone(),
                arguments,
            })
        })
        .transpose()?;
    let drift = super::DriftPolicy {
        on_drift: server.on_drift.unwrap_or(defaults.on_drift),
        pin_tools: server.pin_tools.unwrap_or(defaults.pin_tools),
        ignore: server.drift_ignore.clone(),
    };
    Ok((drift, probe_call))
}

/// A `drift_ignore` entry: a tool glob, optionally `#` and one part of it, or `@prompts` /
/// `@resources`.
fn valid_drift_ignore(entry: &str) -> bool {
    if matches!(entry, "@prompts" | "@resources") {
        return true;
    }
    let (tool, part) = entry.split_once('#').unwrap_or((entry, "schema"));
    !tool.is_empty()
        && glob::Pattern::new(tool).is_ok()
        && matches!(part, "description" | "schema" | "annotations")
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// `[report]`, with `min_uptime` checked to be a percentage.
fn mcp_server(
    raw: Option<super::raw::RawMcpServer>,
    path: &Path,
    text: &str,
) -> Result<super::McpServerSettings, ConfigError> {
    let Some(raw) = raw else {
        return Ok(super::McpServerSettings::default());
    };
    let mut allow = Vec::new();
    for name in raw.allow {
        if !super::MCP_ACTIONS.contains(&name.get_ref().as_str()) {
            let (line, col) = line_col(text, name.span().start);
            return Err(ConfigError::At {
                path: path.to_path_buf(),
                line,
                col,
                message: format!(
                    "mcp_server.allow: `{}` is not an action; the actions are {}",
                    name.get_ref(),
                    super::MCP_ACTIONS.join(", ")
                ),
            });
        }
        if !allow.contains(name.get_ref()) {
            allow.push(name.into_inner());
        }
    }
    Ok(super::McpServerSettings {
        allow,
        token: raw.token.filter(|t| !t.trim().is_empty()),
        allowed_origins: raw.allowed_origins,
        allowed_hosts: raw.allowed_hosts,
    })
}

fn report_settings(
    raw: Option<super::raw::RawReport>,
    path: &Path,
    text: &str,
) -> Result<super::ReportSettings, ConfigError> {
    let defaults = super::ReportSettings::default();
    let Some(raw) = raw else {
        return Ok(defaults);
    };
    let min_uptime = match raw.min_uptime {
        Some(v) if !(0.0..=100.0).contains(v.get_ref()) => {
            let (line, col) = line_col(text, v.span().start);
            return Err(ConfigError::At {
                path: path.to_path_buf(),
                line,
                col,
                message: "report.min_uptime is a percentage between 0 and 100".into(),
            });
        }
        Some(v) => v.into_inner(),
        None => defaults.min_uptime,
    };
    Ok(super::ReportSettings {
        min_uptime,
        backup_max_age: raw.backup_max_age.map_or(defaults.backup_max_age, |d| d.0),
        max_gap: raw.max_gap.map(|d| d.0),
    })
}

fn resolve_backup(
    raw: toml::Spanned<RawBackup>,
    servers: &[ServerConfig],
    path: &Path,
    text: &str,
    base: Option<&Path>,
) -> Result<BackupSettings, ConfigError> {
    let at = |offset: usize, message: String| {
        let (line, col) = line_col(text, offset);
        ConfigError::At {
            path: path.to_path_buf(),
            line,
            col,
            message,
        }
    };
    let table_at = raw.span().start;
    let raw = raw.into_inner();
    let mut recipients = Vec::new();
    for r in &raw.recipients {
        let key = r.get_ref().trim();
        if !is_recipient(key) {
            return Err(at(
                r.span().start,
                format!(
                    "backup.recipients: `{key}` is not an age (age1…) or SSH ed25519/RSA public key"
                ),
            ));
        }
        recipients.push(key.to_owned());
    }
    if let Some(file) = &raw.recipients_file {
        recipients.extend(
            recipients_file(&expand_path(file, base)).map_err(|e| at(table_at, e.to_string()))?,
        );
    }
    if recipients.is_empty() {
        return Err(at(
            table_at,
            "backup: no recipients; add `recipients = [\"age1…\"]` (see `age-keygen -y KEY`)"
                .into(),
        ));
    }
    if raw.locations.is_empty() {
        return Err(at(
            table_at,
            "backup: no locations; add `locations = [\"~/.local/share/mcpctl/backups\"]`".into(),
        ));
    }
    let (signing_key, verify_keys) =
        signing(&raw, base).map_err(|(o, m)| at(o.unwrap_or(table_at), m))?;
    let mut targets = Vec::new();
    for (name, t) in raw.targets {
        let offset = t.span().start;
        let t = t.into_inner();
        if !valid_name(&name) {
            return Err(at(
                offset,
                format!(
                    "backup target name `{name}` may use only letters, digits, '-', '_' and '.'"
                ),
            ));
        }
        if t.paths.is_empty() {
            return Err(at(offset, format!("backup.targets.{name}.paths is empty")));
        }
        let paths = t
            .paths
            .iter()
            .map(|p| expand_path(p, base).display().to_string())
            .collect();
        targets.push(BackupTarget {
            name,
            paths,
            format: t.format,
            keep_mode: t.keep_mode,
        });
    }
    if raw.server_configs {
        derive_targets(servers, &mut targets);
    }
    let shared = raw.retention;
    Ok(BackupSettings {
        recipients,
        identity: raw.identity.as_deref().map(|p| expand_path(p, base)),
        signing_key,
        verify_keys,
        locations: raw
            .locations
            .iter()
            .map(|l| location(l, shared, base))
            .collect(),
        targets,
        server_configs: raw.server_configs,
    })
}

/// The signing key's path (default `$XDG_CONFIG_HOME/mcpctl/signing.key`) and the verify keys,
/// each checked to be an SSH public key. Errors carry the offset of the bad key, if any.
fn signing(
    raw: &RawBackup,
    base: Option<&Path>,
) -> Result<(std::path::PathBuf, Vec<String>), (Option<usize>, String)> {
    let mut verify_keys = Vec::new();
    for k in &raw.verify_keys {
        let key = k.get_ref().trim();
        if ssh_key::PublicKey::from_openssh(key).is_err() {
            return Err((
                Some(k.span().start),
                format!("backup.verify_keys: `{key}` is not an SSH public key (ssh-ed25519 AAAA…)"),
            ));
        }
        verify_keys.push(key.to_owned());
    }
    let signing_key = match &raw.signing_key {
        Some(p) => expand_path(p, base),
        None => super::config_home()
            .map(|d| d.join("mcpctl").join("signing.key"))
            .ok_or((
                None,
                "backup: neither HOME nor XDG_CONFIG_HOME is set; set `signing_key`".to_owned(),
            ))?,
    };
    Ok((signing_key, verify_keys))
}

/// One key per line; blank lines and `#` comments are skipped, as the age CLI does.
fn recipients_file(file: &Path) -> Result<Vec<String>, Invalid> {
    let body = std::fs::read_to_string(file).map_err(|source| Invalid::RecipientsRead {
        file: file.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for line in body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        if !is_recipient(line) {
            return Err(Invalid::NotRecipient {
                file: file.to_path_buf(),
                line: line.to_owned(),
            });
        }
        out.push(line.to_owned());
    }
    Ok(out)
}

/// A target `server-<name>` per server with `config_files`: the files health-check already
/// watches, so nothing is configured twice. An explicit target of that name wins.
fn derive_targets(servers: &[ServerConfig], targets: &mut Vec<BackupTarget>) {
    for server in servers.iter().filter(|s| !s.config_files.is_empty()) {
        let name = format!("server-{}", server.name);
        if targets.iter().all(|t| t.name != name) {
            targets.push(BackupTarget {
                name,
                paths: server
                    .config_files
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect(),
                format: FileFormat::Auto,
                keep_mode: false,
            });
        }
    }
}

fn location(raw: &RawLocation, shared: RawRetention, base: Option<&Path>) -> Location {
    match raw {
        RawLocation::Path(p) => Location {
            path: expand_path(p, base),
            retention: retention(shared),
        },
        RawLocation::Table(t) => Location {
            path: expand_path(&t.path, base),
            retention: retention(t.retention.map_or(shared, |r| overlay(shared, r))),
        },
    }
}

/// A location's own rules replace the shared ones they name.
fn overlay(base: RawRetention, over: RawRetention) -> RawRetention {
    RawRetention {
        keep_last: over.keep_last.or(base.keep_last),
        keep_hourly: over.keep_hourly.or(base.keep_hourly),
        keep_daily: over.keep_daily.or(base.keep_daily),
        keep_weekly: over.keep_weekly.or(base.keep_weekly),
        keep_monthly: over.keep_monthly.or(base.keep_monthly),
        keep_yearly: over.keep_yearly.or(base.keep_yearly),
        min_keep: over.min_keep.or(base.min_keep),
    }
}

/// An absent policy keeps the last 10; restic refuses an empty one, mcpctl picks a safe default.
fn retention(r: RawRetention) -> Retention {
    let rules = [
        r.keep_last,
        r.keep_hourly,
        r.keep_daily,
        r.keep_weekly,
        r.keep_monthly,
        r.keep_yearly,
    ];
    let keep_last = if rules.iter().all(Option::is_none) {
        Some(10)
    } else {
        r.keep_last
    };
    Retention {
        keep_last: keep_last.unwrap_or(0),
        keep_hourly: r.keep_hourly.unwrap_or(0),
        keep_daily: r.keep_daily.unwrap_or(0),
        keep_weekly: r.keep_weekly.unwrap_or(0),
        keep_monthly: r.keep_monthly.unwrap_or(0),
        keep_yearly: r.keep_yearly.unwrap_or(0),
        min_keep: r.min_keep.unwrap_or(3),
    }
}

fn is_recipient(key: &str) -> bool {
    key.parse::<age::x25519::Recipient>().is_ok() || key.parse::<age::ssh::Recipient>().is_ok()
}

fn fix(
    spanned: toml::Spanned<super::raw::RawFix>,
    path: &Path,
    text: &str,
    base: Option<&Path>,
) -> Result<super::FixSettings, ConfigError> {
    let (line, col) = line_col(text, spanned.span().start);
    let at = |message: String| ConfigError::At {
        path: path.to_path_buf(),
        line,
        col,
        message: format!("[fix] {message}"),
    };
    let f = spanned.into_inner();
    let window = f
        .window
        .as_deref()
        .map(crate::types::window::Window::parse)
        .transpose()
        .map_err(|e| at(e.to_string()))?;
    let timezone = f
        .timezone
        .as_deref()
        .map(|tz| {
            tz.parse::<chrono_tz::Tz>()
                .map_err(|_| Invalid::Timezone(tz.to_owned()))
        })
        .transpose()
        .map_err(|e| at(e.to_string()))?;
    for recipe in &f.allowed_recipes {
        if !crate::types::recipe::BUILT_IN.contains(&recipe.as_str())
            && !f.recipes.contains_key(recipe)
        {
            return Err(at(format!(
                "allowed_recipes: `{recipe}` is neither built in ({}) nor in [fix.recipes]",
                crate::types::recipe::BUILT_IN.join(", ")
            )));
        }
    }
    let recipes = user_recipes(f.recipes).map_err(|e| at(e.to_string()))?;
    let proposer = f.proposer.map(|p| proposer(p, path, text)).transpose()?;
    for repo in f.allowed_repos.iter().chain(f.repos.keys()) {
        if crate::types::grammar::Grammar::Action.check(repo).is_err()
            || repo.matches('/').count() != 1
        {
            return Err(at(format!("`{repo}` is not a repository like owner/name")));
        }
    }
    Ok(super::FixSettings {
        mode: f.mode.unwrap_or_default(),
        allowed_repos: f.allowed_repos,
        allowed_recipes: f.allowed_recipes,
        window,
        timezone,
        max_attempts_per_fingerprint: f.max_attempts_per_fingerprint.unwrap_or(2),
        max_fixes_per_run: f.max_fixes_per_run.unwrap_or(3),
        checkout: f.checkout.as_deref().map(|p| expand_path(p, base)),
        verify: f.verify,
        verify_timeout: f
            .verify_timeout
            .map_or(Duration::from_secs(15 * 60), |d| d.0),
        git_timeout: f.git_timeout.map_or(Duration::from_secs(120), |d| d.0),
        max_timeout_minutes: f.max_timeout_minutes.unwrap_or(120),
        repos: f
            .repos
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    super::FixRepo {
                        checkout: v.checkout.as_deref().map(|p| expand_path(p, base)),
                        verify: v.verify,
                    },
                )
            })
            .collect(),
        recipes,
        proposer,
    })
}

/// The categories `fix --propose` takes by default: failures of the code, not of the runner.
const PROPOSE_CATEGORIES: &[&str] = &["test_failure", "type_check", "compile_error", "lint_format"];

fn proposer(
    spanned: toml::Spanned<super::raw::RawProposer>,
    path: &Path,
    text: &str,
) -> Result<super::ProposerSettings, ConfigError> {
    let (line, col) = line_col(text, spanned.span().start);
    let at = |message: &str| ConfigError::At {
        path: path.to_path_buf(),
        line,
        col,
        message: format!("[fix.proposer] {message}"),
    };
    let p = spanned.into_inner();
    let kind = match (p.argv, p.url) {
        (Some(_), Some(_)) => {
            return Err(at(
                "has both argv and url: set exactly one (a command, or a chat-completions endpoint)",
            ));
        }
        (None, None) => {
            return Err(at(
                "needs argv (a command reading the prompt on stdin) or url (a chat-completions endpoint) with model",
            ));
        }
        (Some(argv), None) => {
            if argv.is_empty() || argv[0].is_empty() {
                return Err(at("argv is empty"));
            }
            if p.model.is_some() || p.api_key.is_some() {
                return Err(at("model and api_key go with url, not argv"));
            }
            super::ProposerKind::Command(argv)
        }
        (None, Some(url)) => {
            let parsed = reqwest::Url::parse(&url)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"));
            if parsed.is_none() {
                return Err(at(&format!(
                    "url `{}` is not an http(s) URL like http://127.0.0.1:11434/v1/chat/completions",
                    crate::redact::url(&url)
                )));
            }
            let Some(model) = p.model.filter(|m| !m.is_empty()) else {
                return Err(at(
                    "url needs model, the name the endpoint knows the model by",
                ));
            };
            super::ProposerKind::Http {
                url,
                model,
                api_key: p.api_key,
            }
        }
    };
    let categories = p
        .categories
        .unwrap_or_else(|| PROPOSE_CATEGORIES.iter().map(|c| (*c).to_owned()).collect());
    if let Some(bad) = categories
        .iter()
        .find(|c| !crate::types::category::CATEGORIES.contains(&c.as_str()))
    {
        return Err(at(&format!(
            "categories: `{bad}` is not a category id (e.g. {})",
            PROPOSE_CATEGORIES.join(", ")
        )));
    }
    let positive = |name: &str, value: Option<usize>, default: usize| match value {
        Some(0) => Err(at(&format!("{name} must be at least 1"))),
        v => Ok(v.unwrap_or(default)),
    };
    Ok(super::ProposerSettings {
        kind,
        timeout: p.timeout.map_or(Duration::from_secs(300), |d| d.0),
        max_output_bytes: positive("max_output_bytes", p.max_output_bytes, 256 * 1024)?,
        max_calls_per_day: p.max_calls_per_day.unwrap_or(20),
        categories,
        max_files: positive("max_files", p.max_files, 5)?,
        max_changed_lines: positive("max_changed_lines", p.max_changed_lines, 200)?,
        allow_workflows: p.allow_workflows,
    })
}

fn user_recipes(
    raw: std::collections::BTreeMap<String, super::raw::RawRecipe>,
) -> Result<std::collections::BTreeMap<String, crate::types::recipe::UserRecipe>, Invalid> {
    let mut recipes = std::collections::BTreeMap::new();
    for (name, r) in raw {
        if crate::types::recipe::BUILT_IN.contains(&name.as_str()) {
            return Err(Invalid::RecipeTaken { recipe: name });
        }
        if r.argv.is_empty() {
            return Err(Invalid::RecipeArgv { recipe: name });
        }
        let mut placeholders = std::collections::BTreeMap::new();
        for (hole, grammar) in r.placeholders {
            let g = grammar
                .parse::<crate::types::grammar::Grammar>()
                .map_err(|source| Invalid::RecipeGrammar {
                    recipe: name.clone(),
                    hole: hole.clone(),
                    source,
                })?;
            placeholders.insert(hole, g);
        }
        for part in &r.argv {
            for hole in part
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}'))
                .map(|(h, _)| h)
            {
                if !placeholders.contains_key(hole) {
                    return Err(Invalid::RecipeHole {
                        recipe: name,
                        hole: hole.to_owned(),
                    });
                }
            }
        }
        recipes.insert(
            name,
            crate::types::recipe::UserRecipe {
                argv: r.argv,
                placeholders,
            },
        );
    }
    Ok(recipes)
}
