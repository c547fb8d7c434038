//! mcpctl keeps MCP servers, their configs and credentials, and CI healthy. `main.rs` only calls
//! [`run`]; everything else lives here so tests can reach it.

mod argv;
mod backup;
mod children;
mod ci;
mod cli;
mod commands;
mod config;
mod discovery;
mod docs;
mod emergency;
pub mod env_vars;
mod error;
pub mod exit;
mod fix;
mod guardian;
pub mod hash;
mod heal;
mod health;
mod inventory;
mod limits;
mod mcp_server;
mod net;
pub mod notify;
mod output;
mod probe;
mod redact;
mod report;
mod reports;
mod signal;
mod state;
mod types;
mod validate;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use crate::exit::Code;

/// Parses `args`, runs the subcommand and returns the documented exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    if args.get(1).is_some_and(|a| a == children::EXEC) {
        return ExitCode::from(children::exec(&args[2..]));
    }
    let cli = match cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Code::Ok,
                // clap's own 2 would read as CRITICAL to a monitoring system.
                _ => Code::Unknown,
            };
            let _ = e.print();
            if code == Code::Unknown {
                let rendered = e.render().to_string();
                let first = rendered.lines().next().unwrap_or_default();
                commands::bad_usage(&args, first.strip_prefix("error: ").unwrap_or(first));
            }
            return code.into();
        }
    };
    init_logging(cli.global.verbose);
    signal::install();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mcpctl: cannot start the async runtime: {e}");
            return Code::Unknown.into();
        }
    };
    children::become_subreaper();
    limits::raise_fd_limit();
    let result = runtime.block_on(commands::dispatch(cli));
    // Whatever a server left behind (a setsid() daemon) was reparented to mcpctl: end it.
    children::kill_orphans();
    // Reader tasks of killed children may still be parked; they must not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(code) => code.into(),
        Err(e) => {
            eprintln!("mcpctl: {e}");
            e.exit_code().into()
        }
    }
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    // The levels are mcpctl's own. Other crates stay silent until -vv: a TLS verifier logging
    // its own ERROR line for a certificate the report already names is noise in cron mail.
    let default = match verbose {
        0 => "off,mcpctl=warn",
        1 => "off,mcpctl=info",
        2 => "info,mcpctl=debug",
        _ => "trace",
    };
    let filter =
        EnvFilter::try_from_env(env_vars::MCPCTL_LOG).unwrap_or_else(|_| EnvFilter::new(default));
    // Colour only for a person at a terminal: cron mails the bytes as they are.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os(env_vars::NO_COLOR).is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}
