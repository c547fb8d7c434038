//! One lock per state directory, taken with `flock` through `File::try_lock`: the kernel drops
//! it when the holder dies, so a killed cron run never leaves a stale lock behind.

use std::fs::{File, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

const POLL: Duration = Duration::from_millis(100);

/// Held for the whole run; dropping it releases the lock.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// Takes the lock, or waits up to `wait` for it. Without `wait`, a held lock is exit 75.
pub async fn acquire(state_dir: &Path, wait: Option<Duration>) -> Result<RunLock> {
    super::ensure_dir(state_dir)?;
    let path = state_dir.join("mcpctl.lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(format!("cannot open the lock file {}", path.display()), e))?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(RunLock { _file: file }),
            Err(TryLockError::WouldBlock) => match wait {
                None => return Err(Error::Locked { path }),
                Some(w) if started.elapsed() >= w => {
                    return Err(Error::LockTimeout { path, waited: w });
                }
                Some(_) => tokio::time::sleep(POLL).await,
            },
            Err(TryLockError::Error(e)) => {
                return Err(Error::io(format!("cannot lock {}", path.display()), e));
            }
        }
    }
}
