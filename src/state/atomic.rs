//! Atomic file replacement: temp file in the same directory, fsync, rename, fsync the directory.
//! A reader sees the old file or the new one, never a torn one, even across a crash.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub(crate) fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    write_atomic_many(&[(path, bytes, mode)])
}

/// Beyond this many files one `syncfs` per filesystem is cheaper than an fsync per file.
const SYNCFS_FROM: usize = 8;

/// Replaces every file atomically: all temp files are written and made durable first, then
/// renamed, then each directory is fsynced once. A crash leaves every file old or new, and a
/// restore of hundreds of files pays neither a directory fsync nor a journal commit per file.
pub(crate) fn write_atomic_many(files: &[(&Path, &[u8], u32)]) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let many = files.len() >= SYNCFS_FROM;
    let mut temps = Vec::with_capacity(files.len());
    let mut unsynced = Vec::new();
    for (path, bytes, mode) in files {
        let fail = |what: &str, e| Error::io(format!("cannot {what} {}", path.display()), e);
        let mut tmp = tempfile::Builder::new()
            .prefix(".mcpctl-tmp-")
            .permissions(std::fs::Permissions::from_mode(*mode))
            .tempfile_in(parent(path))
            .map_err(|e| fail("create a temp file beside", e))?;
        tmp.write_all(bytes).map_err(|e| fail("write", e))?;
        let (file, tmp) = tmp.into_parts();
        temps.push(tmp);
        // Open only while few: a restore of thousands of files must not hold a descriptor each.
        if !many {
            unsynced.push(file);
        }
    }
    // Every file is written before the first fsync: its journal commit carries them all, so the
    // others' fsyncs find little left (one commit, not one per file).
    for ((path, _, _), file) in files.iter().zip(&unsynced) {
        file.sync_all()
            .map_err(|e| Error::io(format!("cannot fsync {}", path.display()), e))?;
    }
    let dirs: BTreeSet<PathBuf> = files.iter().map(|(p, _, _)| parent(p)).collect();
    if many {
        let mut synced = BTreeSet::new();
        for dir in &dirs {
            let d = std::fs::File::open(dir)
                .map_err(|e| Error::io(format!("cannot open {}", dir.display()), e))?;
            let device = d
                .metadata()
                .map_err(|e| Error::io(format!("cannot stat {}", dir.display()), e))?;
            if synced.insert(std::os::unix::fs::MetadataExt::dev(&device)) {
                nix::unistd::syncfs(&d).map_err(|e| {
                    Error::io(
                        format!("cannot sync the filesystem of {}", dir.display()),
                        e.into(),
                    )
                })?;
            }
        }
    }
    for ((path, _, _), tmp) in files.iter().zip(temps) {
        tmp.persist(path).map_err(|e| {
            Error::io(
                format!("cannot rename into place {}", path.display()),
                e.error,
            )
        })?;
    }
    for dir in dirs {
        std::fs::File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(format!("cannot fsync the directory {}", dir.display()), e))?;
    }
    Ok(())
}

fn parent(path: &Path) -> PathBuf {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}
