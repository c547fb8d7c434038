//! Backups of config and credential files: collect, validate, seal with age, write to every
//! location, prune by retention, and find the newest copy that fully verifies. No CLI here.

pub mod archive;
pub mod keys;
mod pipe;
pub mod retention;
pub mod store;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use archive::{FileEntry, Source, member_name, sha256_hex};

use crate::config::BackupTarget;

/// Reads every file of a target: plain paths, directories (recursively) and globs.
pub fn collect(target: &BackupTarget) -> Result<Vec<Source>, String> {
    let mut paths = Vec::new();
    for pattern in &target.paths {
        if pattern.contains(['*', '?', '[']) {
            let matches: Vec<PathBuf> = glob::glob(pattern)
                .map_err(|e| format!("bad glob `{pattern}`: {e}"))?
                .filter_map(Result::ok)
                .collect();
            if matches.is_empty() {
                return Err(format!("`{pattern}` matches no file"));
            }
            for m in matches {
                walk(&m, &mut paths)?;
            }
        } else {
            let p = PathBuf::from(pattern);
            if !p.exists() {
                return Err(format!("{pattern} does not exist"));
            }
            walk(&p, &mut paths)?;
        }
    }
    paths.sort();
    paths.dedup();
    let mut sources = paths
        .iter()
        .map(|p| read_source(p))
        .collect::<Result<Vec<_>, _>>()?;
    // Hashing is most of the CPU work: split it across two cores.
    let half = sources.len() / 2;
    let (first, second) = sources.split_at_mut(half);
    std::thread::scope(|scope| {
        scope.spawn(|| hash_all(first));
        hash_all(second);
    });
    Ok(sources)
}

fn read_source(p: &Path) -> Result<Source, String> {
    use std::io::Read;
    let mut file =
        std::fs::File::open(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot stat {}: {e}", p.display()))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
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
    })
}

fn hash_all(sources: &mut [Source]) {
    for s in sources {
        s.entry.sha256 = sha256_hex(&s.bytes);
    }
}

fn walk(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let entries =
        std::fs::read_dir(path).map_err(|e| format!("cannot list {}: {e}", path.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        // The entry's own type: no extra stat per file, and symlinked dirs are not followed.
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&entry.path(), out)?,
            Ok(t) if t.is_file() => out.push(entry.path()),
            _ => {}
        }
    }
    Ok(())
}

/// Identifies a target's content: same fingerprint, nothing to back up.
pub fn fingerprint(files: &[Source]) -> String {
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
pub fn covers(target: &BackupTarget, path: &str) -> bool {
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
