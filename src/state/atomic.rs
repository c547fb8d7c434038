//! Atomic file replacement: temp file in the same directory, fsync, rename, fsync the directory.
//! A reader sees the old file or the new one, never a torn one, even across a crash.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    write_atomic_many(&[(path, bytes, mode)])
}

/// Replaces every file atomically, and fsyncs each directory once at the end: a restore of
/// hundreds of files must not pay a directory fsync per file.
pub fn write_atomic_many(files: &[(&Path, &[u8], u32)]) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut dirs = BTreeSet::new();
    for (path, bytes, mode) in files {
        let dir = parent(path);
        let fail = |what: &str, e| Error::io(format!("cannot {what} {}", path.display()), e);
        let mut tmp = tempfile::Builder::new()
            .prefix(".mcpctl-tmp-")
            .permissions(std::fs::Permissions::from_mode(*mode))
            .tempfile_in(&dir)
            .map_err(|e| fail("create a temp file beside", e))?;
        tmp.write_all(bytes).map_err(|e| fail("write", e))?;
        tmp.as_file().sync_all().map_err(|e| fail("fsync", e))?;
        tmp.persist(path)
            .map_err(|e| fail("rename into place", e.error))?;
        dirs.insert(dir);
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
