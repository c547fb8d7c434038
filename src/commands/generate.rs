//! Hidden generators: completions, man pages and the report schema all come from the same
//! definitions the binary runs on, and their committed copies are tested for staleness.

use std::path::Path;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::error::{Error, Result};
use crate::exit::Code;
use crate::output::print_stdout;

pub(crate) fn completions(args: &CompletionsArgs) -> Result<Code> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "mcpctl", &mut buf);
    print(&String::from_utf8_lossy(&buf))
}

pub(crate) fn man(args: &ManArgs) -> Result<Code> {
    let cmd = Cli::command();
    match &args.out_dir {
        None => print(&render(&cmd)?),
        Some(dir) => {
            crate::state::ensure_dir(dir)?;
            write_page(dir, "mcpctl", &cmd)?;
            for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
                let name = format!("mcpctl-{}", sub.get_name());
                let page = sub.clone().name(name.clone());
                write_page(dir, &name, &page)?;
            }
            Ok(Code::Ok)
        }
    }
}

pub(crate) fn schema() -> Result<Code> {
    let schema =
        schemars::schema_for!(crate::output::Envelope<crate::commands::health_check::Body>);
    let json = serde_json::to_string_pretty(&schema).expect("schemas serialize");
    print(&format!("{json}\n"))
}

fn write_page(dir: &Path, name: &str, cmd: &clap::Command) -> Result<()> {
    let path = dir.join(format!("{name}.1"));
    crate::state::write_atomic(&path, render(cmd)?.as_bytes(), 0o644)
}

fn render(cmd: &clap::Command) -> Result<String> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut buf)
        .map_err(|e| Error::io("cannot render the man page", e))?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn print(text: &str) -> Result<Code> {
    print_stdout(text).map_err(|e| Error::io("cannot write to stdout", e))?;
    Ok(Code::Ok)
}
