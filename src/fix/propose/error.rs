//! Why there is no proposal: the call budget, the proposer itself, or an answer that failed a
//! check. The text becomes the report's `reason`.

use std::process::ExitStatus;
use std::time::Duration;

use super::paths::PathRefusal;
use crate::fix::error::FixError;
use crate::probe::process::describe;

#[derive(Debug, thiserror::Error)]
pub(super) enum ProposeError {
    #[error(transparent)]
    Fix(#[from] FixError),
    #[error(
        "max_calls_per_day ({max}) reached: {count} proposer calls today (UTC); the next day continues"
    )]
    Budget { max: u32, count: u32 },
    /// Counting the call in the state directory.
    #[error(transparent)]
    State(#[from] crate::error::Error),

    #[error("cannot run the proposer {program}: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("cannot make a scratch directory: {0}")]
    Scratch(#[source] std::io::Error),
    #[error("the proposer {program} did not answer within {} and was killed", humantime::format_duration(*timeout))]
    Timeout { program: String, timeout: Duration },
    #[error(
        "the proposer {program} wrote more than max_output_bytes ({cap} bytes); nothing of it was used"
    )]
    CommandTooLong { program: String, cap: usize },
    #[error("the proposer {program} closed its output but did not exit")]
    NoExit { program: String },
    /// `stderr` is the end of what it wrote there, redacted.
    #[error("the proposer {program} {}: {stderr}", describe(*status))]
    Failed {
        program: String,
        status: ExitStatus,
        stderr: String,
    },
    #[error("the proposer {program} answered with bytes that are not UTF-8")]
    NotUtf8 { program: String },

    #[error(transparent)]
    Client(#[from] crate::net::ClientError),
    #[error("[fix.proposer] url needs ${{{0}}}, which is not set")]
    UrlVariable(String),
    #[error("[fix.proposer] api_key needs ${{{0}}}, which is not set in this run's environment")]
    KeyVariable(String),
    #[error("[fix.proposer] api_key holds characters a header cannot carry")]
    KeyHeader,
    /// `error` is reqwest's chain without the URL, redacted.
    #[error("asking {host}: {error}")]
    Ask { host: String, error: String },
    #[error("reading {host}'s answer: {error}")]
    Read { host: String, error: String },
    #[error("{host} answered more than max_output_bytes ({cap} bytes); nothing of it was used")]
    HttpTooLong { host: String, cap: usize },
    /// `body` is the start of the answer, redacted.
    #[error("{host} answered HTTP {status}: {body}")]
    Status {
        host: String,
        status: u16,
        body: String,
    },
    #[error("{host}'s answer is not JSON ({source}); is url a chat-completions endpoint?")]
    NotJson {
        host: String,
        source: serde_json::Error,
    },
    #[error("{host}'s answer has no choices[0].message.content")]
    NoContent { host: String },

    #[error("the answer holds no unified diff (prose alone, or an empty answer)")]
    NoDiff,
    #[error("the answer is not a unified diff: {0}")]
    NotDiff(#[source] diffy::patch_set::PatchSetParseError),
    #[error("the answer holds no file header (`--- a/PATH`, `+++ b/PATH`)")]
    NoHeader,
    #[error("the diff touches {count} files, more than max_files ({max})")]
    Files { count: usize, max: usize },
    #[error("the diff changes {count} lines, more than max_changed_lines ({max})")]
    Lines { count: usize, max: usize },
    #[error(transparent)]
    Path(#[from] PathRefusal),
    #[error("the diff deletes {0}; a proposal may only edit tracked files and add new ones")]
    Deletes(String),
    #[error(
        "the diff moves or copies {from} to {to}; a proposal may only edit tracked files and add new ones"
    )]
    Moves { from: String, to: String },
    #[error("the diff makes {0} a symlink or a submodule")]
    MakesLink(String),
    #[error("the diff changes the mode of {0}")]
    Mode(String),
    #[error("the diff changes {0} as a binary file")]
    Binary(String),
    #[error("the diff creates {0}, which exists already")]
    Exists(String),
    #[error("the diff creates {path} in {dir}/, which is not a tracked directory")]
    UntrackedDir { path: String, dir: String },
    #[error("{0} is a symlink or a submodule")]
    Link(String),
    #[error("{0} is not a tracked file")]
    NotTracked(String),
    #[error("cannot write the diff to a temporary file: {0}")]
    TempFile(#[source] std::io::Error),
    #[error("the diff did not apply: {0}")]
    DidNotApply(#[source] FixError),
    #[error("the diff does not apply (`git apply --check`): {0}")]
    DoesNotApply(#[source] FixError),

    #[error("the checkout changed while the proposer ran (`{first}`)")]
    Changed { first: String },
}
