//! Why a ladder step failed. The text becomes the step's audit detail and the report's action
//! `detail`, so it keeps the words those have always had.

/// The restore-config step could not restore its target.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RestoreError {
    /// A backup or restore of the target in another run holds its lock.
    #[error(transparent)]
    Locked(Box<crate::error::Error>),
    #[error(transparent)]
    Restore(#[from] crate::backup::error::RecoveryError),
}

/// Putting the previous image's container in place of the current one failed.
#[derive(Debug, thiserror::Error)]
pub(super) enum SwapError {
    #[error("cannot move {name} aside: {source}")]
    MoveAside {
        name: String,
        source: bollard::errors::Error,
    },
    /// `kept_as` names the old container when it could not get its name back.
    #[error(
        "the container from {previous} did not start ({source}); {}",
        kept_as.as_deref().map_or_else(
            || "the old one is back in place".to_owned(),
            |aside| format!("the old one is kept as {aside}")
        )
    )]
    NotStarted {
        previous: String,
        source: bollard::errors::Error,
        kept_as: Option<String>,
    },
}
