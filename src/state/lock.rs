//! Locks per resource, taken with `flock` through `File::try_lock`: the kernel drops one when
//! its holder dies, so a killed cron run never blocks the next. Per resource rather than one per
//! state directory, so a watch that runs for hours shares the machine with the hourly cron: a run
//! waits (or skips) only for what another run is acting on. The holder writes who it is into the
//! file (command, pid, start time), so a run that finds a lock taken can say who has it; the
//! content is only a note, the lock is the flock.

use std::fs::{File, TryLockError};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const POLL: Duration = Duration::from_millis(100);

/// What this process is doing, for the note in the lock file; set once when the run starts.
static COMMAND: OnceLock<String> = OnceLock::new();

/// Locks this process took over from a holder that died without letting go, for the report.
static TAKEN_OVER: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Names this run's subcommand for the lock file.
pub(crate) fn set_command(command: &str) {
    let _ = COMMAND.set(command.to_owned());
}

/// What a lock guards. Read-only work takes none.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Resource<'a> {
    /// Probing and recovering one server: its ladder, guard file and drift baseline.
    Server(&'a str),
    /// Writing or restoring one backup target: its copies in every location, its newest-id
    /// record and its previous versions.
    Target(&'a str),
    /// The repository checkout `fix` works in.
    Checkout(&'a Path),
    /// One of the shared records in the state directory.
    Records(Records),
}

/// The state files more than one kind of run writes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Records {
    /// `emergency.json` and the env file the pipeline sources.
    Emergency,
    /// gh-watch's seen runs, ETags and failure history.
    GhWatch,
    /// The stored reports, for `report --prune`.
    Reports,
    /// fix's attempts, in-flight markers and the day's count of model calls.
    Fix,
}

impl Resource<'_> {
    /// The lock file's name under `<state>/locks/`.
    fn file_name(self) -> String {
        match self {
            Resource::Server(name) => format!("server.{}.lock", safe(name)),
            Resource::Target(name) => format!("target.{}.lock", safe(name)),
            Resource::Checkout(path) => {
                let shown = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let id = crate::hash::sha256_hex(path.as_os_str().as_encoded_bytes());
                format!("checkout.{}-{}.lock", safe(&shown), &id[..12])
            }
            Resource::Records(Records::Emergency) => "records.emergency.lock".into(),
            Resource::Records(Records::GhWatch) => "records.gh-watch.lock".into(),
            Resource::Records(Records::Reports) => "records.reports.lock".into(),
            Resource::Records(Records::Fix) => "records.fix.lock".into(),
        }
    }
}

/// A name as a file name: kept when it is plain, else made plain and told apart by its hash,
/// so `a/b` and `a_b` never share a lock.
fn safe(name: &str) -> String {
    let plain = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if plain {
        return name.to_owned();
    }
    let cleaned: String = name
        .chars()
        .take(32)
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let id = crate::hash::sha256_hex(name.as_bytes());
    format!("{cleaned}-{}", &id[..12])
}

/// Where the lock of `resource` lives.
#[cfg(test)]
pub(crate) fn lock_path(state_dir: &Path, resource: Resource<'_>) -> PathBuf {
    state_dir.join("locks").join(resource.file_name())
}

/// Held while acting on its resource; dropping it releases the lock.
#[derive(Debug)]
pub(crate) struct RunLock {
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

/// Takes the lock of `resource`, or waits up to `wait` for it. Without `wait`, a held lock is
/// `Error::Locked` (exit 75); after waiting in vain, `Error::LockTimeout`. Both name the holder.
pub(crate) async fn acquire(
    state_dir: &Path,
    resource: Resource<'_>,
    wait: Option<Duration>,
) -> Result<RunLock> {
    let (path, mut file) = open(state_dir, resource)?;
    let started = Instant::now();
    loop {
        if let Some(lock) = try_once(&path, &mut file)? {
            return Ok(lock);
        }
        match wait {
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
        }
    }
}

/// `acquire` without waiting, for synchronous work (a ladder's restore step).
pub(crate) fn try_acquire(state_dir: &Path, resource: Resource<'_>) -> Result<RunLock> {
    let (path, mut file) = open(state_dir, resource)?;
    if let Some(lock) = try_once(&path, &mut file)? {
        return Ok(lock);
    }
    let holder = holder(&path);
    Err(Error::Locked { path, holder })
}

fn open(state_dir: &Path, resource: Resource<'_>) -> Result<(PathBuf, File)> {
    let dir = state_dir.join("locks");
    super::ensure_dir(&dir)?;
    let path = dir.join(resource.file_name());
    // Never through a symlink or into a special file someone put there.
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
        .open(&path)
        .map_err(|e| Error::io(format!("cannot open the lock file {}", path.display()), e))?;
    Ok((path, file))
}

/// The lock, or `None` while another run holds it.
fn try_once(path: &Path, file: &mut File) -> Result<Option<RunLock>> {
    match file.try_lock() {
        Ok(()) => {
            if let Some(dead) = holder(path) {
                // The kernel let go of it: the run the note names ended without a word.
                let line = format!("took over the lock {} of {dead}", path.display());
                tracing::warn!("{line}");
                if let Ok(mut list) = TAKEN_OVER.lock() {
                    list.push(line);
                }
            }
            note(file);
            let file = file
                .try_clone()
                .map_err(|e| Error::io(format!("cannot keep the lock {}", path.display()), e))?;
            Ok(Some(RunLock { file }))
        }
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(Error::io(format!("cannot lock {}", path.display()), e)),
    }
}

/// Takes every lock of `resources`, in order; the first that cannot be had is the error.
pub(crate) async fn acquire_all(
    state_dir: &Path,
    resources: impl IntoIterator<Item = Resource<'_>>,
    wait: Option<Duration>,
) -> Result<Vec<RunLock>> {
    let mut held = Vec::new();
    for r in resources {
        held.push(acquire(state_dir, r, wait).await?);
    }
    Ok(held)
}

/// The locks taken over from dead holders so far, for the report.
pub(crate) fn taken_over() -> Vec<String> {
    TAKEN_OVER.lock().map(|l| l.clone()).unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_differ_never_share_a_lock() {
        let dir = Path::new("/s");
        let a = lock_path(dir, Resource::Server("a/b"));
        let b = lock_path(dir, Resource::Server("a_b"));
        assert_ne!(a, b);
        assert_eq!(a.parent(), Some(Path::new("/s/locks")));
        assert!(!a.file_name().unwrap().to_string_lossy().contains('/'));
        assert_eq!(
            lock_path(dir, Resource::Target("claude")),
            Path::new("/s/locks/target.claude.lock")
        );
        assert_ne!(
            lock_path(dir, Resource::Server("..")),
            Path::new("/s/locks/server...lock")
        );
    }

    #[tokio::test]
    async fn a_dead_holders_note_is_taken_over_and_told() {
        let dir = tempfile::tempdir().unwrap();
        let path = lock_path(dir.path(), Resource::Server("x"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let dead = Holder {
            command: "health-check --watch".into(),
            pid: 4_000_000,
            started: Utc::now(),
        };
        std::fs::write(&path, serde_json::to_vec(&dead).unwrap()).unwrap();
        let lock = acquire(dir.path(), Resource::Server("x"), None)
            .await
            .unwrap();
        assert!(
            taken_over()
                .iter()
                .any(|l| l.contains("health-check --watch, pid 4000000")),
            "{:?}",
            taken_over()
        );
        let second = acquire(dir.path(), Resource::Server("x"), None).await;
        assert!(matches!(
            second,
            Err(Error::Locked {
                holder: Some(_),
                ..
            })
        ));
        drop(lock);
        assert!(
            acquire(dir.path(), Resource::Server("x"), None)
                .await
                .is_ok()
        );
    }
}
