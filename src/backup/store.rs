//! Backup files in a location: names that sort by time, a plaintext sidecar with the
//! ciphertext's SHA-256 and size and the manifest's hash (checkable without the identity), its
//! detached signature, and crash-safe writes.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{CopyError, OpenError, SealError, WriteError};

const TIME_FORMAT: &str = "%Y%m%dT%H%M%SZ";
const SUFFIX: &str = ".tar.age";
const SIDECAR: &str = ".sha256";
const SIGNATURE: &str = ".sig";
const TEMP_PREFIX: &str = ".mcpctl-tmp-";
/// Another host's temp file this old belongs to a run that died; a younger one may be a write
/// in progress. This host's own are stale at once: the run lock excludes a concurrent writer.
const STALE_TEMP: Duration = Duration::from_secs(3600);

fn temp_prefix(host: &str) -> String {
    format!("{TEMP_PREFIX}{host}-")
}

/// One stored copy of a backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Copy {
    pub location: PathBuf,
    /// File name, e.g. `mcpctl-jira_env-20261124T233616Z-host-3f2a.tar.age`.
    pub name: String,
    pub time: DateTime<Utc>,
}

impl Copy {
    pub(crate) fn path(&self) -> PathBuf {
        self.location.join(&self.name)
    }

    /// The backup id shared by its copies in every location.
    pub(crate) fn id(&self) -> &str {
        self.name.strip_suffix(SUFFIX).unwrap_or(&self.name)
    }

    pub(crate) fn sidecar_path(&self) -> PathBuf {
        self.location.join(format!("{}{SIDECAR}", self.name))
    }

    pub(crate) fn signature_path(&self) -> PathBuf {
        self.location.join(format!("{}{SIGNATURE}", self.name))
    }
}

/// The plaintext beside each copy. Its exact bytes are what the signature covers, so it names
/// the file, the ciphertext and the manifest inside: renaming, re-encrypting or swapping the
/// manifest all break the signature.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Sidecar {
    pub file: String,
    pub size: u64,
    pub sha256: String,
    /// SHA-256 of the `manifest.json` member; absent in copies made before signing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_sha256: Option<String>,
}

pub(crate) fn file_name(target: &str, time: DateTime<Utc>, host: &str, nonce: u16) -> String {
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

/// The time in a copy's name (or id) when it is one of `target`'s.
pub(crate) fn time_in_name(target: &str, name: &str) -> Option<DateTime<Utc>> {
    let rest = name.strip_prefix(&format!("mcpctl-{target}-"))?;
    let time = NaiveDateTime::parse_from_str(rest.get(..16)?, TIME_FORMAT).ok()?;
    (rest.as_bytes().get(16) == Some(&b'-')).then(|| time.and_utc())
}

/// This target's copies in `location`, newest first. Foreign files are ignored.
pub(crate) fn list(location: &Path, target: &str) -> std::io::Result<Vec<Copy>> {
    let mut copies = Vec::new();
    for entry in std::fs::read_dir(location)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let Some(time) = time_in_name(target, &name).filter(|_| name.ends_with(SUFFIX)) else {
            continue;
        };
        copies.push(Copy {
            location: location.to_path_buf(),
            name,
            time,
        });
    }
    copies.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| b.name.cmp(&a.name)));
    Ok(copies)
}

/// The sidecar's exact bytes (what the signature covers) and what they say.
pub(crate) fn sidecar(copy: &Copy) -> Result<(Vec<u8>, Sidecar), CopyError> {
    let path = copy.sidecar_path();
    let bytes = crate::state::read_regular(&path, super::sign::MAX_SIGNATURE).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            CopyError::NoSidecar
        } else {
            CopyError::Sidecar {
                path: path.clone(),
                source: e,
            }
        }
    })?;
    let sidecar: Sidecar = serde_json::from_slice(&bytes).map_err(CopyError::SidecarParse)?;
    Ok((bytes, sidecar))
}

/// The detached signature, `None` for a copy made before backups were signed.
pub(crate) fn signature(copy: &Copy) -> Result<Option<Vec<u8>>, CopyError> {
    let path = copy.signature_path();
    match crate::state::read_regular(&path, super::sign::MAX_SIGNATURE) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(CopyError::Signature { path, source }),
    }
}

/// Sidecar present and the size it records: cheap enough for retention to run on every copy.
/// Full verification is `backup --check`'s job.
pub(crate) fn looks_complete(copy: &Copy) -> bool {
    sidecar(copy).is_ok_and(|(_, s)| {
        s.file == copy.name && std::fs::metadata(copy.path()).is_ok_and(|m| m.len() == s.size)
    })
}

/// Streams a copy through `then` (decryption) while hashing it against its sidecar. Damage
/// reported by the sidecar wins over `then`'s error: it names the real cause.
pub(crate) fn read_and<T>(
    copy: &Copy,
    sidecar: &Sidecar,
    then: impl FnOnce(&mut dyn Read) -> Result<T, OpenError>,
) -> Result<T, CopyError> {
    let path = copy.path();
    let read = |source| CopyError::Read {
        path: path.clone(),
        source,
    };
    let file = File::open(&path).map_err(read)?;
    let size = file
        .metadata()
        .map_err(|source| CopyError::Stat {
            path: path.clone(),
            source,
        })?
        .len();
    if size != sidecar.size {
        return Err(CopyError::Size {
            size,
            expected: sidecar.size,
        });
    }
    let (result, digest) = super::pipe::read_hashed(file, then);
    let digest = digest.map_err(read)?;
    if digest.size != sidecar.size || digest.sha256 != sidecar.sha256 {
        return Err(CopyError::Hash);
    }
    result.map_err(CopyError::Open)
}

/// What was written: the sidecar and signature, which every location gets byte for byte.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    pub path: PathBuf,
    size: u64,
    sidecar: Vec<u8>,
    signature: String,
}

/// Writes a new copy whose ciphertext `fill` streams out, then its signature, then its sidecar:
/// a copy without a sidecar is never taken as valid, so a crash at any point leaves either
/// nothing usable or a complete, signed copy.
pub(crate) fn create(
    location: &Path,
    name: &str,
    host: &str,
    manifest_sha256: &str,
    signer: &super::sign::Signer,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), SealError>,
) -> Result<Written, WriteError> {
    let mut tmp = temp_file(location, host)?;
    let digest =
        super::pipe::write_hashed(tmp.as_file_mut(), fill).map_err(|source| WriteError::Seal {
            location: location.to_path_buf(),
            source: Box::new(source),
        })?;
    let sidecar = Sidecar {
        file: name.to_owned(),
        size: digest.size,
        sha256: digest.sha256,
        manifest_sha256: Some(manifest_sha256.to_owned()),
    };
    let sidecar = serde_json::to_vec_pretty(&sidecar).expect("sidecars serialize");
    let signature = signer.sign(&sidecar)?;
    let written = Written {
        path: location.join(name),
        size: digest.size,
        sidecar,
        signature,
    };
    persist(tmp, location, name, &written)?;
    Ok(written)
}

/// Copies a copy already written elsewhere in this run: the same bytes, so the same sidecar.
pub(crate) fn duplicate(
    from: &Written,
    location: &Path,
    name: &str,
    host: &str,
) -> Result<Written, WriteError> {
    let mut tmp = temp_file(location, host)?;
    let mut src = File::open(&from.path).map_err(|source| WriteError::Read {
        path: from.path.clone(),
        source,
    })?;
    let copied = std::io::copy(&mut src, tmp.as_file_mut()).map_err(|source| WriteError::Copy {
        location: location.to_path_buf(),
        source,
    })?;
    if copied != from.size {
        return Err(WriteError::Short {
            copied,
            size: from.size,
            location: location.to_path_buf(),
        });
    }
    let written = Written {
        path: location.join(name),
        ..from.clone()
    };
    persist(tmp, location, name, &written)?;
    Ok(written)
}

fn temp_file(location: &Path, host: &str) -> Result<tempfile::NamedTempFile, WriteError> {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .prefix(&temp_prefix(host))
        .permissions(std::fs::Permissions::from_mode(0o600))
        .tempfile_in(location)
        .map_err(|source| WriteError::Temp {
            location: location.to_path_buf(),
            source,
        })
}

fn persist(
    tmp: tempfile::NamedTempFile,
    location: &Path,
    name: &str,
    written: &Written,
) -> Result<(), WriteError> {
    if crate::signal::requested() {
        return Err(WriteError::Interrupted);
    }
    tmp.as_file()
        .sync_all()
        .map_err(|source| WriteError::Fsync {
            location: location.to_path_buf(),
            source,
        })?;
    tmp.persist_noclobber(&written.path)
        .map_err(|e| WriteError::Rename {
            location: location.to_path_buf(),
            source: e.error,
        })?;
    crate::state::write_atomic_many(&[
        (
            &location.join(format!("{name}{SIGNATURE}")),
            written.signature.as_bytes(),
            0o600,
        ),
        (
            &location.join(format!("{name}{SIDECAR}")),
            &written.sidecar,
            0o600,
        ),
    ])
    .map_err(|e| WriteError::Sidecar(Box::new(e)))
}

/// Deletes a copy, its sidecar and its signature (retention).
pub(crate) fn remove(copy: &Copy) -> std::io::Result<()> {
    std::fs::remove_file(copy.path())?;
    for extra in [copy.sidecar_path(), copy.signature_path()] {
        match std::fs::remove_file(extra) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// Removes temp files that a killed run left behind.
pub(crate) fn clean_temps(location: &Path, host: &str) -> usize {
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
