//! One module per subcommand, each `run(args, ctx) -> Result<Code>`.

mod backup;
mod emergency;
mod emit;
mod generate;
mod health_check;
mod recover;
mod restore;

use crate::cli::{Cli, Command, Format, GlobalArgs};
use crate::error::{Error, Result};
use crate::exit::Code;
use crate::output::{Mode, Output};

/// What every subcommand gets besides its own arguments.
pub(crate) struct Ctx {
    pub(crate) global: GlobalArgs,
    pub(crate) output: Output,
}

pub(crate) async fn dispatch(cli: Cli) -> Result<Code> {
    let asked = match (cli.global.json, cli.global.format) {
        (true, _) | (false, Some(Format::Json)) => Some(Mode::Json),
        (false, Some(Format::Table)) => Some(Mode::Table),
        (false, Some(Format::Nagios)) => Some(Mode::Nagios),
        (false, None) => None,
    };
    let output = Output::new(asked, cli.global.quiet);
    let ctx = Ctx {
        global: cli.global,
        output,
    };
    let work = async {
        match cli.command {
            Command::HealthCheck(args) => health_check::run(args, &ctx).await,
            Command::Backup(args) => backup::run(args, &ctx).await,
            Command::Restore(args) => restore::run(args, &ctx).await,
            Command::Recover(args) => recover::run(args, &ctx).await,
            Command::Emergency(args) => emergency::run(args, &ctx).await,
            Command::GhWatch(_) => Err(Error::NotImplemented("gh-watch")),
            Command::Fix(_) => Err(Error::NotImplemented("fix")),
            Command::Report(_) => Err(Error::NotImplemented("report")),
            Command::Completions(args) => generate::completions(&args),
            Command::Man(args) => generate::man(&args),
            Command::Schema => generate::schema(),
        }
    };
    tokio::select! {
        result = work => result,
        () = interrupted() => Err(Error::Interrupted),
    }
}

/// The config (or defaults when there is none) and the state directory it implies.
pub(crate) fn settings(ctx: &Ctx) -> Result<(crate::config::Settings, std::path::PathBuf)> {
    let settings = match crate::config::locate(ctx.global.config.as_deref())? {
        Some(path) => crate::config::load(&path)?,
        None => crate::config::Settings::default(),
    };
    let state_dir = crate::state::resolve_dir(
        ctx.global.state_dir.as_deref(),
        settings.state_dir.as_deref(),
    )?;
    Ok((settings, state_dir))
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
