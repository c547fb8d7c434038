//! One module per subcommand, each `run(args, ctx) -> Result<Code>`.

mod backup;
mod emergency;
mod emit;
mod fix;
mod generate;
mod gh_watch;
mod gh_watch_api;
mod health_check;
mod mcp_server;
mod recover;
mod report;
mod restore;

use crate::cli::{Cli, Command, Format, GlobalArgs};
use crate::error::{Error, Result};
use crate::exit::Code;
use crate::output::{Mode, Output};

/// What every subcommand gets besides its own arguments.
pub(crate) struct Ctx {
    pub(crate) global: GlobalArgs,
    pub(crate) output: Output,
    /// How the notifiers name this run.
    pub(crate) job: crate::notify::Job,
    /// Filled once the config is read: the notifiers and this run's ping id.
    pub(crate) notify: std::sync::Mutex<Option<Notify>>,
}

pub(crate) struct Notify {
    pub(crate) settings: crate::config::NotifySettings,
    pub(crate) rid: String,
    /// Warnings from the start ping, for the report.
    pub(crate) warnings: Vec<String>,
    /// The report went out with the end ping.
    pub(crate) finished: bool,
}

pub(crate) async fn dispatch(cli: Cli) -> Result<Code> {
    let asked = match (cli.global.json, cli.global.format) {
        (true, _) | (false, Some(Format::Json)) => Some(Mode::Json),
        (false, Some(Format::Table)) => Some(Mode::Table),
        (false, Some(Format::Nagios)) => Some(Mode::Nagios),
        // A document goes to stdout from the command itself; the run's line stays for stderr.
        (false, Some(Format::Markdown | Format::Html)) => Some(Mode::Auto),
        (false, None) => None,
    };
    report::check_format(&cli)?;
    let output = Output::new(asked, cli.global.quiet);
    let ctx = Ctx {
        global: cli.global,
        output,
        job: job(&cli.command),
        notify: std::sync::Mutex::new(None),
    };
    let work = async {
        match cli.command {
            Command::HealthCheck(args) => health_check::run(args, &ctx).await,
            Command::Backup(args) => backup::run(args, &ctx).await,
            Command::Restore(args) => restore::run(args, &ctx).await,
            Command::Recover(args) => recover::run(args, &ctx).await,
            Command::Emergency(args) => emergency::run(args, &ctx).await,
            Command::GhWatch(args) => gh_watch::run(args, &ctx).await,
            Command::Fix(args) => fix::run(args, &ctx).await,
            Command::Report(args) => report::run(args, &ctx).await,
            Command::McpServer(args) => Box::pin(mcp_server::run(args, &ctx)).await,
            Command::Completions(args) => generate::completions(&args),
            Command::Man(args) => generate::man(&args),
            Command::Schema => generate::schema(),
        }
    };
    let result = tokio::select! {
        result = work => result,
        () = interrupted() => Err(Error::Interrupted),
    };
    // A run that ended without a report (lock held, bad usage, --list) still closes its ping.
    let pending = ctx
        .notify
        .lock()
        .ok()
        .and_then(|mut n| n.take())
        .filter(|n| !n.finished);
    if let Some(n) = pending {
        let (code, message) = match &result {
            Ok(code) => (code.as_u8(), String::new()),
            Err(e) => (e.exit_code().as_u8(), e.to_string()),
        };
        crate::notify::end_ping(&n.settings, ctx.job, &n.rid, code, &message).await;
    }
    result
}

/// The run as the textfile's `command` label and healthchecks' `{command}` name it.
fn job(command: &Command) -> crate::notify::Job {
    let (name, complete) = match command {
        Command::HealthCheck(a) => ("health-check", a.server.is_empty()),
        Command::Backup(a) if a.check => ("backup --check", a.targets.is_empty()),
        Command::Backup(a) => ("backup", a.targets.is_empty()),
        Command::Restore(_) => ("restore", false),
        Command::Recover(_) => ("recover", false),
        Command::Emergency(_) => ("emergency", false),
        Command::GhWatch(_) => ("gh-watch", false),
        Command::Fix(_) => ("fix", false),
        Command::Report(_) => ("report", false),
        Command::McpServer(_) => ("mcp-server", false),
        Command::Completions(_) | Command::Man(_) | Command::Schema => ("generate", false),
    };
    crate::notify::Job { name, complete }
}

/// The config (or defaults when there is none) and the state directory it implies, without
/// the start ping: for queries and the MCP server, which are not monitored runs.
pub(crate) fn quiet_settings(ctx: &Ctx) -> Result<(crate::config::Settings, std::path::PathBuf)> {
    let mut settings = match crate::config::locate(ctx.global.config.as_deref())? {
        Some(path) => crate::config::load(&path)?,
        None => crate::config::Settings::default(),
    };
    if let Some(backup) = settings.backup.as_mut()
        && backup.server_configs
    {
        crate::inventory::add_client_targets(&mut backup.targets);
    }
    if let Some(backup) = settings.backup.as_mut()
        && backup.server_configs
    {
        crate::inventory::add_client_targets(&mut backup.targets);
    }
    let state_dir = crate::state::resolve_dir(
        ctx.global.state_dir.as_deref(),
        settings.state_dir.as_deref(),
    )?;
    Ok((settings, state_dir))
}

/// The config (or defaults when there is none) and the state directory it implies. Sends the
/// healthchecks start ping when one is configured.
pub(crate) async fn settings(ctx: &Ctx) -> Result<(crate::config::Settings, std::path::PathBuf)> {
    let (settings, state_dir) = quiet_settings(ctx)?;
    let rid = crate::notify::run_id();
    let warnings = crate::notify::start(&settings.notify, ctx.job, &rid).await;
    if let Ok(mut n) = ctx.notify.lock() {
        *n = Some(Notify {
            settings: settings.notify.clone(),
            rid,
            warnings,
            finished: false,
        });
    }
    Ok((settings, state_dir))
}

/// How the probes of a run are made, and when the run's deadline falls: `--deadline`, else the
/// config's, else the default.
pub(crate) fn probe_plan(
    settings: &crate::config::Settings,
    deadline: Option<std::time::Duration>,
    check_modern: bool,
) -> (crate::health::Options, std::time::Duration) {
    let opts = crate::health::Options {
        defaults: settings.defaults.clone(),
        check_modern,
    };
    let deadline = deadline
        .or(settings.health_check.deadline)
        .unwrap_or(crate::config::DEFAULT_DEADLINE);
    (opts, deadline)
}

/// Resolves on SIGINT or SIGTERM. Dropping the work future then kills every child group.
async fn interrupted() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
}
