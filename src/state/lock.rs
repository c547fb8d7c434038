//! One lock per state directory, taken with `flock` through `File::try_lock`: the kernel drops
//! it when the holder dies, so a killed cron run never leaves a stale lock behind. The holder
//! writes who it is into the file (command, pid, start time), so a run that finds the lock
//! taken can say who has it; the content is only a note, the lock is the flock.

use std::fs::{File, TryLockError};
use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const POLL: Duration = Duration::from_millis(100);

/// What this process is doing, for the note in the lock file; set once when the run starts.
static COMMAND: OnceLock<String> = OnceLock::new();

/// Names this run's subcommand for the lock file.
pub fn set_command(command: &str) {
    let _ = COMMAND.set(command.to_owned());
}

/// Held for the whole run; dropping it releases the lock.
#[derive(Debug)]
pub struct RunLock {
    file: File,
}

impl Drop for RunLock {
    /// The note goes with the lock, so it never names a run that has ended.
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Holder {
    command: String,
    pid: u32,
    started: DateTime<Utc>,
}

impl Holder {
    fn describe(&self) -> String {
        format!(
            "{}, pid {}, since {}",
            self.command,
            self.pid,
            crate::output::when(self.started)
        )
    }
}

/// Takes the lock, or waits up to `wait` for it. Without `wait`, a held lock is exit 75.
pub async fn acquire(state_dir: &Path, wait: Option<Duration>) -> Result<RunLock> {
    super::ensure_dir(state_dir)?;
    let path = state_dir.join("mcpctl.lock");
    let mut file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(format!("cannot open the lock file {}", path.display()), e))?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => {
                note(&mut file);
                return Ok(RunLock { file });
            }
            Err(TryLockError::WouldBlock) => match wait {
                None => {
                    let holder = holder(&path);
                    return Err(Error::Locked { path, holder });
                }
                Some(w) if started.elapsed() >= w => {
                    let holder = holder(&path);
                    return Err(Error::LockTimeout {
                        path,
                        waited: w,
                        holder,
                    });
                }
                Some(_) => tokio::time::sleep(POLL).await,
            },
            Err(TryLockError::Error(e)) => {
                return Err(Error::io(format!("cannot lock {}", path.display()), e));
            }
        }
    }
}

/// Replaces the note with this run's. A note that cannot be written costs only the message.
fn note(file: &mut File) {
    let me = Holder {
        command: COMMAND.get().cloned().unwrap_or_else(|| "mcpctl".into()),
        pid: std::process::id(),
        started: Utc::now(),
    };
    let mut line = serde_json::to_vec(&me).expect("the note serializes");
    line.push(b'\n');
    let written = file
        .set_len(0)
        .and_then(|()| std::io::Seek::rewind(file))
        .and_then(|()| file.write_all(&line));
    if let Err(e) = written {
        tracing::debug!("cannot write who holds the lock: {e}");
    }
}

/// The holder's note, when it left one (flock(1) and older versions leave none).
fn holder(path: &Path) -> Option<String> {
    let bytes = super::read_regular(path, 4096).ok()?;
    serde_json::from_slice::<Holder>(&bytes)
        .ok()
        .map(|h| h.describe())
}
