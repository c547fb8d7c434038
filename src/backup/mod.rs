//! Backups of config and credential files: collect, validate, seal with age, write to every
//! location, prune by retention, and find the newest copy that fully verifies. No CLI here.

pub(crate) mod archive;
pub(crate) mod check;
pub(crate) mod error;
pub(crate) mod keys;
mod pipe;
pub(crate) mod restore;
pub(crate) mod retention;
pub(crate) mod run;
pub(crate) mod sign;
pub(crate) mod store;
#[cfg(test)]
mod testkit;
pub(crate) mod verify;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::hash::sha256_hex;
use archive::{FileEntry, Source, member_name};
use error::CollectError;

use crate::config::{BackupTarget, FileFormat};

/// Reads every file of a target: plain paths, directories (recursively) and globs. With
/// `validate`, each file is also checked against the target's format on the thread that read it:
/// parsing hundreds of small configs one after another on one core was a tenth of a backup.
pub(crate) fn collect(target: &BackupTarget, validate: bool) -> Result<Vec<Source>, CollectError> {
    let mut paths = Vec::new();
    for pattern in &target.paths {
        if pattern.contains(['*', '?', '[']) {
            let matches: Vec<PathBuf> = glob::glob(pattern)
                .map_err(|source| CollectError::Glob {
                    pattern: pattern.clone(),
                    source,
                })?
                .filter_map(Result::ok)
                .collect();
            if matches.is_empty() {
                return Err(CollectError::NoMatch(pattern.clone()));
            }
            for m in matches {
                walk(&m, &mut paths)?;
            }
        } else {
            let p = PathBuf::from(pattern);
            if !p.exists() {
                return Err(CollectError::Missing(pattern.clone()));
            }
            walk(&p, &mut paths)?;
        }
    }
    paths.sort();
    paths.dedup();
    read_all(&paths, validate.then_some(target.format))
}

/// Reads and hashes every file on two cores: reading (the kernel's copy and fresh pages) and
/// hashing are most of a backup's work. Each thread takes the next file, so a few large files
/// beside many small ones still split evenly. The first error in path order wins, as it would
/// one file at a time. With a `format`, each file read is validated against it.
fn read_all(paths: &[PathBuf], format: Option<FileFormat>) -> Result<Vec<Source>, CollectError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(path) = paths.get(i) else {
                return done;
            };
            let read = read_source(path).map(|mut s| {
                s.entry.sha256 = sha256_hex(&s.bytes);
                if let Some(format) = format {
                    s.invalid = crate::validate::check(format, path, &s.bytes).err();
                }
                s
            });
            done.push((i, read));
        }
    };
    let mut read: Vec<(usize, Result<Source, CollectError>)> = std::thread::scope(|scope| {
        let other = scope.spawn(work);
        let mut mine = work();
        mine.extend(other.join().expect("a reading thread panicked"));
        mine
    });
    read.sort_by_key(|(i, _)| *i);
    read.into_iter().map(|(_, r)| r).collect()
}

fn read_source(p: &Path) -> Result<Source, CollectError> {
    use std::io::Read;
    let read = |source| CollectError::Read {
        path: p.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(p).map_err(read)?;
    let meta = file.metadata().map_err(|source| CollectError::Stat {
        path: p.to_path_buf(),
        source,
    })?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes).map_err(read)?;
    let path = std::path::absolute(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string();
    Ok(Source {
        entry: FileEntry {
            member: member_name(&path),
            path,
            mode: meta.permissions().mode() & 0o7777,
            size: bytes.len() as u64,
            mtime: meta.mtime(),
            sha256: String::new(),
        },
        bytes,
        invalid: None,
    })
}

fn walk(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), CollectError> {
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let entries = std::fs::read_dir(path).map_err(|source| CollectError::List {
        path: path.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(CollectError::Entry)?;
        // A temp file of a write that was killed half-way is never content.
        if is_temp(&entry.file_name()) {
            continue;
        }
        // The entry's own type: no extra stat per file, and symlinked dirs are not followed.
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&entry.path(), out)?,
            Ok(t) if t.is_file() => out.push(entry.path()),
            _ => {}
        }
    }
    Ok(())
}

/// The prefix of every temp file mcpctl writes beside a file it replaces.
const TEMP_PREFIX: &str = ".mcpctl-tmp-";

fn is_temp(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with(TEMP_PREFIX)
}

/// Removes the temp files a killed restore left in `dir`. The run lock excludes a concurrent
/// writer, so any found now is stale.
pub(crate) fn clean_temps_in(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if is_temp(&entry.file_name()) && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Cleans every directory a target's paths cover (recursively for directories).
pub(crate) fn clean_target_temps(target: &BackupTarget) {
    fn dirs(path: &Path, depth: usize) {
        clean_temps_in(path);
        if depth == 0 {
            return;
        }
        if let Ok(entries) = std::fs::read_dir(path) {
            for e in entries.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    dirs(&e.path(), depth - 1);
                }
            }
        }
    }
    for p in &target.paths {
        let base = glob_base(p);
        if base.is_dir() {
            dirs(&base, 16);
        } else if let Some(parent) = base.parent() {
            clean_temps_in(parent);
        }
    }
}

/// The part of a configured path before its first glob component.
fn glob_base(pattern: &str) -> PathBuf {
    Path::new(pattern)
        .components()
        .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[']))
        .collect()
}

/// The directory under which restore may create what `path` needs: the configured directory
/// that covers it, or the file's own directory. Below it no symlinked component is followed.
pub(crate) fn base_of(target: &BackupTarget, path: &str) -> PathBuf {
    let file = Path::new(path);
    for p in &target.paths {
        let base = std::path::absolute(glob_base(p)).unwrap_or_else(|_| glob_base(p));
        if file.starts_with(&base) && file != base {
            return base;
        }
    }
    file.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Identifies a target's content: same fingerprint, nothing to back up.
pub(crate) fn fingerprint(files: &[Source]) -> String {
    let mut listing = String::new();
    for f in files {
        listing.push_str(&format!(
            "{}\0{}\0{:o}\n",
            f.entry.path, f.entry.sha256, f.entry.mode
        ));
    }
    sha256_hex(listing.as_bytes())
}

/// Is `path` one the target covers? Restore maps manifest paths onto the configured ones and
/// refuses anything else, whatever the archive says.
pub(crate) fn covers(target: &BackupTarget, path: &str) -> bool {
    target.paths.iter().any(|p| {
        if p.contains(['*', '?', '[']) {
            glob::Pattern::new(p).is_ok_and(|g| {
                g.matches(path) || Path::new(path).ancestors().any(|a| g.matches_path(a))
            })
        } else {
            let base = std::path::absolute(p).unwrap_or_else(|_| PathBuf::from(p));
            Path::new(path).starts_with(&base)
        }
    }) && !path.split('/').any(|c| c == "..")
}

/// The targets named (all of them when none is), or a usage error naming the known ones.
pub(crate) fn select(
    cfg: &crate::config::BackupSettings,
    names: &[String],
) -> crate::error::Result<Vec<BackupTarget>> {
    if cfg.targets.is_empty() {
        return Err(crate::error::Error::Usage(
            "[backup] has no targets; add [backup.targets.NAME] with paths".into(),
        ));
    }
    for n in names {
        if !cfg.targets.iter().any(|t| &t.name == n) {
            let known: Vec<&str> = cfg.targets.iter().map(|t| t.name.as_str()).collect();
            return Err(crate::error::Error::Usage(format!(
                "no backup target named `{n}`; known: {}",
                known.join(", ")
            )));
        }
    }
    Ok(cfg
        .targets
        .iter()
        .filter(|t| names.is_empty() || names.contains(&t.name))
        .cloned()
        .collect())
}
