//! Errors that end a run before it can produce its own verdict. Each knows its exit code and
//! says what to do next; problems *found* by a run (an unhealthy server) are not errors.

use std::path::PathBuf;
use std::time::Duration;

use crate::exit::Code;

#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),

    #[error("{0}")]
    Usage(String),

    /// A pattern file (shipped or in a patterns dir) that cannot be used, with its location.
    #[error("{0}")]
    Patterns(#[from] crate::ci::patterns::PatternError),

    #[error(
        "another mcpctl run{} holds the lock {}; wait for it, or pass --wait-lock 5m to queue behind it",
        holder.as_deref().map(|h| format!(" ({h})")).unwrap_or_default(),
        path.display()
    )]
    Locked {
        path: PathBuf,
        /// Who holds it, as the holder wrote into the lock file: command, pid, start time.
        holder: Option<String>,
    },

    #[error(
        "another mcpctl run{} still held the lock {} after waiting {}",
        holder.as_deref().map(|h| format!(" ({h})")).unwrap_or_default(),
        path.display(),
        humantime::format_duration(*waited)
    )]
    LockTimeout {
        path: PathBuf,
        waited: Duration,
        holder: Option<String>,
    },

    /// A key or identity file that cannot be used (readable by others, unparsable, missing).
    #[error("{0}")]
    Key(String),

    /// The operation could not be done: exit 2, like a critical finding.
    #[error("{0}")]
    Failed(String),

    #[error("interrupted")]
    Interrupted,

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn exit_code(&self) -> Code {
        match self {
            Error::Locked { .. } | Error::LockTimeout { .. } => Code::Locked,
            Error::Interrupted => Code::Interrupted,
            Error::Failed(_) => Code::Critical,
            Error::Config(_)
            | Error::Patterns(_)
            | Error::Usage(_)
            | Error::Key(_)
            | Error::Io { .. } => Code::Unknown,
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The `error.kind` word of a report whose run could not start.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Error::Config(_) | Error::Patterns(_) => "config",
            Error::Usage(_) => "usage",
            Error::Locked { .. } => "locked",
            Error::LockTimeout { .. } => "lock_timeout",
            Error::Key(_) => "key",
            Error::Failed(_) => "failed",
            Error::Interrupted => "interrupted",
            Error::Io { .. } => "io",
        }
    }
}
