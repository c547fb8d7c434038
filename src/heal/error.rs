//! Why a ladder step failed. The text becomes the step's audit detail and the report's action
//! `detail`, so it keeps the words those have always had.

/// The restore-config step could not restore its target.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// A backup or restore of the target in another run holds its lock.
    #[error(transparent)]
    Locked(Box<crate::error::Error>),
    #[error(transparent)]
    Restore(#[from] crate::backup::error::RecoveryError),
}
