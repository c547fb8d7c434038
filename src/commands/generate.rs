//! Hidden generators: completions, man pages and the report schema all come from the same
//! definitions the binary runs on, and their committed copies are tested for staleness.

use std::path::Path;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs, SchemaArgs};
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
    // Built: globals propagate into each subcommand and each gets its `mcpctl backup` name.
    // No `help` subcommand on the pages: there is no mcpctl-help(1).
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    match &args.out_dir {
        None => print(&render(&cmd, None)?),
        Some(dir) => {
            crate::state::ensure_dir(dir)?;
            write_page(dir, "mcpctl", &render(&cmd, None)?)?;
            for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
                let name = format!("mcpctl-{}", sub.get_name());
                write_page(dir, &name, &render(sub, Some(&name))?)?;
            }
            Ok(Code::Ok)
        }
    }
}

pub(crate) fn schema(args: &SchemaArgs) -> Result<Code> {
    let all = crate::docs::schema::all();
    let Some(dir) = &args.out_dir else {
        return print(&all[0].1);
    };
    crate::state::ensure_dir(dir)?;
    for (name, json) in all {
        crate::state::write_atomic(&dir.join(format!("{name}.json")), json.as_bytes(), 0o644)?;
    }
    Ok(Code::Ok)
}

fn render(cmd: &clap::Command, page: Option<&str>) -> Result<String> {
    crate::docs::man::man_page(cmd, page).map_err(|e| Error::io("cannot render the man page", e))
}

fn write_page(dir: &Path, name: &str, page: &str) -> Result<()> {
    let path = dir.join(format!("{name}.1"));
    crate::state::write_atomic(&path, page.as_bytes(), 0o644)
}

fn print(text: &str) -> Result<Code> {
    print_stdout(text).map_err(|e| Error::io("cannot write to stdout", e))?;
    Ok(Code::Ok)
}
