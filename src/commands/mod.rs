//! One module per subcommand, each `run(args, ctx) -> Result<Code>`.

mod backup;
mod emergency;
mod emit;
mod fix;
mod generate;
mod gh_watch;
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
    pub(crate) notify: std::sync::Mutex<Option<crate::notify::run::Run>>,
    /// Set while the command stores what it has on SIGINT or SIGTERM itself (health-check's
    /// partial report): it gets a moment to do so before it is dropped.
    keeps_partial: std::sync::atomic::AtomicBool,
}

impl Ctx {
    pub(crate) fn keeps_partial(&self, on: bool) {
        self.keeps_partial
            .store(on, std::sync::atomic::Ordering::SeqCst);
    }
}

/// How long a command that keeps a partial result gets after SIGINT or SIGTERM.
const PARTIAL_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

pub(crate) async fn dispatch(cli: Cli) -> Result<Code> {
    let started = chrono::Utc::now();
    let command = command_name(&cli.command);
    crate::state::set_command(command);
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
        keeps_partial: std::sync::atomic::AtomicBool::new(false),
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
            Command::Schema(args) => generate::schema(&args),
        }
    };
    tokio::pin!(work);
    let result = tokio::select! {
        result = &mut work => result,
        // Dropping the work future kills every child group.
        () = crate::signal::interrupted() => {
            if ctx.keeps_partial.load(std::sync::atomic::Ordering::SeqCst) {
                tokio::time::timeout(PARTIAL_GRACE, &mut work)
                    .await
                    .unwrap_or(Err(Error::Interrupted))
            } else {
                Err(Error::Interrupted)
            }
        }
    };
    // A run that ended without a report (lock held, bad usage, --list) still closes its ping.
    let pending = ctx.notify.lock().ok().and_then(|mut n| n.take());
    if let Some(run) = pending {
        let (code, message) = match &result {
            Ok(code) => (code.as_u8(), String::new()),
            Err(e) => (e.exit_code().as_u8(), e.to_string()),
        };
        run.abandon(ctx.job, code, &message, ctx.output.mode == Mode::Json)
            .await;
    }
    match result {
        Err(e) if matches!(ctx.output.mode, Mode::Nagios | Mode::Json) => {
            cannot_start(&e, command, started, ctx.output.mode, true)
        }
        other => other,
    }
}

/// clap refused the arguments: a caller that asked for Nagios or JSON still gets its answer.
/// The arguments are only looked at, never trusted: they did not parse.
pub(crate) fn bad_usage(args: &[std::ffi::OsString], why: &str) {
    let args: Vec<&str> = args.iter().skip(1).filter_map(|a| a.to_str()).collect();
    let format = args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--format=").or_else(|| {
            (*a == "--format")
                .then(|| args.get(i + 1).copied())
                .flatten()
        })
    });
    let mode = match (args.contains(&"--json"), format) {
        (true, None) | (false, Some("json")) => Mode::Json,
        (false, Some("nagios")) => Mode::Nagios,
        _ => return,
    };
    let cli = <Cli as clap::CommandFactory>::command();
    let command = args
        .iter()
        .find_map(|a| cli.find_subcommand(a).map(|c| c.get_name().to_owned()))
        .unwrap_or_else(|| "mcpctl".to_owned());
    let e = Error::Usage(format!("{why}; see mcpctl --help"));
    let _ = cannot_start(&e, &command, chrono::Utc::now(), mode, false);
}

/// The subcommand's name as its reports name it.
fn command_name(command: &Command) -> &'static str {
    match command {
        Command::HealthCheck(_) => "health-check",
        Command::Backup(_) => "backup",
        Command::Restore(_) => "restore",
        Command::Recover(_) => "recover",
        Command::Emergency(_) => "emergency",
        Command::GhWatch(_) => "gh-watch",
        Command::Fix(_) => "fix",
        Command::Report(_) => "report",
        Command::McpServer(_) => "mcp-server",
        Command::Completions(_) => "completions",
        Command::Man(_) => "man",
        Command::Schema(_) => "schema",
    }
}

/// A run that could not produce its verdict (bad config, the lock, an interruption) still
/// answers the way the caller asked: Nagios gets one UNKNOWN line and exit 3 (its plugins exit
/// 0–3 only), `--json` gets the envelope with the error. The message also goes to stderr.
fn cannot_start(
    e: &Error,
    command: &str,
    started: chrono::DateTime<chrono::Utc>,
    mode: Mode,
    tell_stderr: bool,
) -> Result<Code> {
    if tell_stderr {
        eprintln!("mcpctl: {e}");
    }
    let code = e.exit_code();
    let status = if code == Code::Critical {
        crate::exit::Status::Critical
    } else {
        crate::exit::Status::Unknown
    };
    let message = e.to_string();
    let text = if mode == Mode::Nagios {
        crate::output::nagios_line(status, &message.replace('\n', " "), &[])
    } else {
        let body = crate::reports::Failed {
            error: crate::reports::FailedError {
                kind: e.kind(),
                message: message.clone(),
            },
        };
        let mut env = crate::output::Envelope::new(command, started, status, message, body);
        env.exit_code = code.as_u8();
        format!(
            "{}\n",
            serde_json::to_string_pretty(&env).expect("envelopes serialize")
        )
    };
    crate::output::print_stdout(&text).map_err(|e| Error::io("cannot write to stdout", e))?;
    Ok(if mode == Mode::Nagios {
        if status == crate::exit::Status::Critical {
            Code::Critical
        } else {
            Code::Unknown
        }
    } else {
        code
    })
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
        Command::Completions(_) | Command::Man(_) | Command::Schema(_) => ("generate", false),
    };
    crate::notify::Job { name, complete }
}

/// The config (or defaults when there is none) and the state directory it implies. Loading
/// has no side effects: the start ping of a monitored run is `begin`'s.
pub(crate) fn load(ctx: &Ctx) -> Result<(crate::config::Settings, std::path::PathBuf)> {
    let mut settings = match crate::config::locate(ctx.global.config.as_deref())? {
        Some(path) => crate::config::load(&path)?,
        None => crate::config::Settings::default(),
    };
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

/// A monitored run starts: notifiers that cannot work as configured are said now (not during
/// the next outage), and the healthchecks start ping is sent. `emit::finish`, or the runner for
/// a run that ends without a report, closes it.
pub(crate) async fn begin(
    ctx: &Ctx,
    settings: &crate::config::Settings,
    state_dir: &std::path::Path,
) {
    let quiet = ctx.output.mode == Mode::Json;
    let run = crate::notify::run::Run::begin(&settings.notify, ctx.job, state_dir, quiet).await;
    if let Ok(mut n) = ctx.notify.lock() {
        *n = Some(run);
    }
}

/// `load`, then `begin`: what every monitored subcommand starts with.
pub(crate) async fn load_and_begin(
    ctx: &Ctx,
) -> Result<(crate::config::Settings, std::path::PathBuf)> {
    let (settings, state_dir) = load(ctx)?;
    begin(ctx, &settings, &state_dir).await;
    Ok((settings, state_dir))
}

/// How the probes of a run are made, and when the run's deadline falls: `--deadline`, else the
/// config's, else the default.
pub(crate) fn probe_plan(
    settings: &crate::config::Settings,
    deadline: Option<std::time::Duration>,
    check_modern: bool,
) -> (crate::health::Options, std::time::Duration) {
    let opts = crate::health::Options::new(settings, check_modern);
    let deadline = deadline
        .or(settings.health_check.deadline)
        .unwrap_or(crate::config::DEFAULT_DEADLINE);
    (opts, deadline)
}
