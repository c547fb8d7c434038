//! Why a step of a fix failed. The text becomes the report's `reason`, with what happened to
//! the checkout after it.

use std::path::PathBuf;

use super::recipes::NotPlanned;
use crate::argv::Ended;

#[derive(Debug, thiserror::Error)]
pub(crate) enum FixError {
    #[error(transparent)]
    Run(#[from] crate::argv::ArgvError),
    /// git ran and failed: its subcommand, how it ended, and its last lines.
    #[error("`git {command}` {ended}: {}", last.join(" | "))]
    Git {
        command: String,
        ended: Ended,
        last: Vec<String>,
    },
    #[error("`git {}` printed nothing", args.join(" "))]
    Silent { args: Vec<String> },
    #[error(
        "the checkout {} has uncommitted changes ({count} paths, e.g. `{first}`); commit or stash them first",
        dir.display()
    )]
    Dirty {
        dir: PathBuf,
        count: usize,
        first: String,
    },
    /// The recipe no longer plans on the fetched branch head.
    #[error(transparent)]
    Plan(#[from] NotPlanned),
    #[error("{recipe} changed nothing")]
    Unchanged { recipe: String },
    #[error("verify `{}` {ended}", argv.join(" "))]
    Verify { argv: Vec<String>, ended: Ended },
    /// A recipe's command failed; `tail` is its output, redacted.
    #[error("`{}` {ended}: {}", argv.join(" "), tail.join(" | "))]
    Command {
        argv: Vec<String>,
        ended: Ended,
        tail: Vec<String>,
    },
    /// Writing an edited file.
    #[error(transparent)]
    Write(crate::error::Error),
    /// No token for the GitHub calls that ship a fix.
    #[error(transparent)]
    Token(crate::error::Error),
    #[error(transparent)]
    Setup(#[from] crate::ci::github::SetupError),
    #[error(transparent)]
    Github(#[from] crate::ci::github::Failure),
}
