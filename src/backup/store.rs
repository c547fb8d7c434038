//! Backup files in a location: names that sort by time, a plaintext sidecar with the
//! ciphertext's SHA-256 and size (checkable without the identity), and crash-safe writes.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

const TIME_FORMAT: &str = "%Y%m%dT%H%M%SZ";
const SUFFIX: &str = ".tar.age";
const SIDECAR: &str = ".sha256";
const TEMP_PREFIX: &str = ".mcpctl-tmp-";
/// Another host's temp file this old belongs to a run that died; a younger one may be a write
/// in progress. This host's own are stale at once: the run lock excludes a concurrent writer.
const STALE_TEMP: Duration = Duration::from_secs(3600);

fn temp_prefix(host: &str) -> String {
    format!("{TEMP_PREFIX}{host}-")
}

/// One stored copy of a backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub location: PathBuf,
    /// File name, e.g. `mcpctl-jira_env-20261124T233616Z-host-3f2a.tar.age`.
    pub name: String,
    pub time: DateTime<Utc>,
}

impl Copy {
    pub fn path(&self) -> PathBuf {
        self.location.join(&self.name)
    }

    /// The backup id shared by its copies in every location.
    pub fn id(&self) -> &str {
        self.name.strip_suffix(SUFFIX).unwrap_or(&self.name)
    }

    fn sidecar_path(&self) -> PathBuf {
        self.location.join(format!("{}{SIDECAR}", self.name))
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Sidecar {
    file: String,
    size: u64,
    sha256: String,
}

pub fn file_name(target: &str, time: DateTime<Utc>, host: &str, nonce: u16) -> String {
    let host: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "mcpctl-{target}-{}-{host}-{nonce:04x}{SUFFIX}",
        time.format(TIME_FORMAT)
    )
}

/// This target's copies in `location`, newest first. Foreign files are ignored.
pub fn list(location: &Path, target: &str) -> std::io::Result<Vec<Copy>> {
    let prefix = format!("mcpctl-{target}-");
    let mut copies = Vec::new();
    for entry in std::fs::read_dir(location)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let Some(rest) = name
            .strip_prefix(&prefix)
            .filter(|_| name.ends_with(SUFFIX))
        else {
            continue;
        };
        let Some(time) = rest
            .get(..16)
            .and_then(|t| NaiveDateTime::parse_from_str(t, TIME_FORMAT).ok())
        else {
            continue;
        };
        if rest.as_bytes().get(16) != Some(&b'-') {
            continue;
        }
        copies.push(Copy {
            location: location.to_path_buf(),
            name,
            time: time.and_utc(),
        });
    }
    copies.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| b.name.cmp(&a.name)));
    Ok(copies)
}

fn sidecar(copy: &Copy) -> Result<Sidecar, String> {
    let path = copy.sidecar_path();
    let bytes = std::fs::read(&path).map_err(|e| format!("sidecar {}: {e}", path.display()))?;
    let sidecar: Sidecar =
        serde_json::from_slice(&bytes).map_err(|_| "the sidecar does not parse".to_owned())?;
    if sidecar.file != copy.name {
        return Err(format!("the sidecar belongs to {}", sidecar.file));
    }
    Ok(sidecar)
}

/// Sidecar present and the size it records: cheap enough for retention to run on every copy.
/// Full verification is `backup --check`'s job.
pub fn looks_complete(copy: &Copy) -> bool {
    sidecar(copy).is_ok_and(|s| std::fs::metadata(copy.path()).is_ok_and(|m| m.len() == s.size))
}

/// Streams a copy through `then` (decryption) while hashing it against its sidecar. Damage
/// reported by the sidecar wins over `then`'s error: it names the real cause.
pub fn read_and<T>(
    copy: &Copy,
    then: impl FnOnce(&mut dyn Read) -> Result<T, String>,
) -> Result<T, String> {
    let sidecar = sidecar(copy)?;
    let path = copy.path();
    let file = File::open(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let size = file
        .metadata()
        .map_err(|e| format!("cannot stat {}: {e}", path.display()))?
        .len();
    if size != sidecar.size {
        return Err(format!(
            "size {size} does not match the sidecar's {} (truncated?)",
            sidecar.size
        ));
    }
    let (result, digest) = super::pipe::read_hashed(file, then);
    let digest = digest.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if digest.size != sidecar.size || digest.sha256 != sidecar.sha256 {
        return Err("SHA-256 does not match the sidecar (damaged)".into());
    }
    result
}

/// What was written: the sidecar's content.
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    size: u64,
    sha256: String,
}

/// Writes a new copy whose ciphertext `fill` streams out, then its sidecar: a copy without a
/// sidecar is never taken as valid, so a crash at any point leaves either nothing usable or a
/// complete copy.
pub fn create(
    location: &Path,
    name: &str,
    host: &str,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), String>,
) -> Result<Written, String> {
    let mut tmp = temp_file(location, host)?;
    let digest = super::pipe::write_hashed(tmp.as_file_mut(), fill)
        .map_err(|e| format!("{e} in {}", location.display()))?;
    persist(tmp, location, name, digest.size, digest.sha256)
}

/// Copies a copy already written elsewhere in this run: the same bytes, so the same sidecar.
pub fn duplicate(
    from: &Written,
    location: &Path,
    name: &str,
    host: &str,
) -> Result<Written, String> {
    let mut tmp = temp_file(location, host)?;
    let mut src =
        File::open(&from.path).map_err(|e| format!("cannot read {}: {e}", from.path.display()))?;
    let copied = std::io::copy(&mut src, tmp.as_file_mut())
        .map_err(|e| format!("cannot write in {}: {e}", location.display()))?;
    if copied != from.size {
        return Err(format!(
            "copied {copied} bytes of {} into {}",
            from.size,
            location.display()
        ));
    }
    persist(tmp, location, name, from.size, from.sha256.clone())
}

fn temp_file(location: &Path, host: &str) -> Result<tempfile::NamedTempFile, String> {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .prefix(&temp_prefix(host))
        .permissions(std::fs::Permissions::from_mode(0o600))
        .tempfile_in(location)
        .map_err(|e| format!("cannot create a temp file in {}: {e}", location.display()))
}

fn persist(
    tmp: tempfile::NamedTempFile,
    location: &Path,
    name: &str,
    size: u64,
    sha256: String,
) -> Result<Written, String> {
    let fail =
        |what: &str, e: &dyn std::fmt::Display| format!("{what} in {}: {e}", location.display());
    tmp.as_file()
        .sync_all()
        .map_err(|e| fail("cannot fsync", &e))?;
    let path = location.join(name);
    tmp.persist_noclobber(&path)
        .map_err(|e| fail("cannot rename into place", &e.error))?;
    let sidecar = Sidecar {
        file: name.to_owned(),
        size,
        sha256,
    };
    let json = serde_json::to_vec_pretty(&sidecar).expect("sidecars serialize");
    crate::state::write_atomic(&location.join(format!("{name}{SIDECAR}")), &json, 0o600)
        .map_err(|e| e.to_string())?;
    Ok(Written {
        path,
        size,
        sha256: sidecar.sha256,
    })
}

/// Deletes a copy and its sidecar (retention).
pub fn remove(copy: &Copy) -> std::io::Result<()> {
    std::fs::remove_file(copy.path())?;
    match std::fs::remove_file(copy.sidecar_path()) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Removes temp files that a killed run left behind.
pub fn clean_temps(location: &Path, host: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(location) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let old = || {
            entry
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .is_some_and(|t| now.duration_since(t).unwrap_or_default() > STALE_TEMP)
        };
        let stale =
            name.starts_with(&temp_prefix(host)) || (name.starts_with(TEMP_PREFIX) && old());
        if stale && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}
