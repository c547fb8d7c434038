//! The one exit-code table shared by every subcommand. The README copies it; keep both in step.

use serde::{Deserialize, Serialize};

/// Overall state of a run, in the Monitoring Plugins vocabulary that cron wrappers already know.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Unknown,
    Critical,
}

impl Status {
    pub fn code(self) -> Code {
        match self {
            Status::Ok => Code::Ok,
            Status::Warning => Code::Warning,
            Status::Critical => Code::Critical,
            Status::Unknown => Code::Unknown,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Critical => "CRITICAL",
            Status::Unknown => "UNKNOWN",
        }
    }
}

/// Process exit codes. Stable: scripts depend on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Code {
    /// Everything checked is healthy.
    Ok = 0,
    /// Something is degraded, or a run was only partly done.
    Warning = 1,
    /// A critical server is down, or the operation failed.
    Critical = 2,
    /// The state could not be determined: bad config, bad usage, internal error.
    Unknown = 3,
    /// Another mcpctl run holds every lock this one needs, so it could do nothing (sysexits
    /// `EX_TEMPFAIL`).
    Locked = 75,
    /// Interrupted by SIGINT or SIGTERM.
    Interrupted = 130,
}

impl Code {
    /// Every code, in the order the README and the man pages list them.
    pub const ALL: [Code; 6] = [
        Code::Ok,
        Code::Warning,
        Code::Critical,
        Code::Unknown,
        Code::Locked,
        Code::Interrupted,
    ];

    pub fn as_u8(self) -> u8 {
        self as u8
    }

    /// The meaning, word for word as the README's exit-code table says it (a test holds them
    /// together).
    pub fn meaning(self) -> &'static str {
        match self {
            Code::Ok => "ok: everything checked is healthy",
            Code::Warning => {
                "warning: something degraded, a non-critical server down, or a partial run"
            }
            Code::Critical => {
                "critical: a server marked `critical = true` is down, any server's tools drifted under `on_drift = \"critical\"` or a pinned description changed, or the operation failed"
            }
            Code::Unknown => {
                "unknown: bad config, bad usage (clap's own 2 is remapped), a key or identity file refused, internal error"
            }
            Code::Locked => {
                "another mcpctl run holds every lock the run needs, so it could do nothing (`--wait-lock 5m` queues instead)"
            }
            Code::Interrupted => {
                "interrupted (SIGINT or SIGTERM); child processes are killed first"
            }
        }
    }
}

impl From<Code> for std::process::ExitCode {
    fn from(code: Code) -> Self {
        std::process::ExitCode::from(code.as_u8())
    }
}
