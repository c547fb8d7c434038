//! One backup is an age-encrypted tar whose first member is `manifest.json`. A person can undo it
//! with `age -d -i key.txt FILE | tar -x`; mcpctl trusts only the manifest, never tar paths.

use std::io::{Read, Write};

use crate::hash::sha256_hex;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{OpenError, SealError};
use crate::config::FileFormat;

pub(crate) const MANIFEST: &str = "manifest.json";
pub(crate) const MANIFEST_VERSION: u32 = 1;
/// A manifest lists paths and hashes: even thousands of files stay far below this.
const MAX_MANIFEST: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub version: u32,
    pub id: String,
    pub created: DateTime<Utc>,
    pub host: String,
    pub mcpctl_version: String,
    pub target: String,
    pub format: FileFormat,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct FileEntry {
    /// Where the file lived when it was backed up.
    pub path: String,
    /// Its name inside the tar: `files/` plus the path without its leading `/`.
    pub member: String,
    pub mode: u32,
    pub size: u64,
    pub mtime: i64,
    pub sha256: String,
}

/// A file read for backup.
pub(crate) struct Source {
    pub entry: FileEntry,
    pub bytes: Vec<u8>,
    /// Why the file does not parse as its target's format, when it was checked and does not.
    pub invalid: Option<crate::validate::Invalid>,
}

/// The member name for `path`: readable when unpacked by hand, never absolute.
pub(crate) fn member_name(path: &str) -> String {
    format!("files/{}", path.trim_start_matches('/'))
}

/// The manifest's bytes as sealed: their hash goes into the signed sidecar.
pub(crate) fn manifest_bytes(manifest: &Manifest) -> Vec<u8> {
    serde_json::to_vec_pretty(manifest).expect("manifests serialize")
}

/// Tar + age, streamed into `out`: no copy of the archive is held in memory.
pub(crate) fn seal(
    manifest: &Manifest,
    manifest_json: &[u8],
    files: &[Source],
    recipients: &[Box<dyn age::Recipient + Send>],
    out: &mut dyn Write,
) -> Result<(), SealError> {
    let encryptor = age::Encryptor::with_recipients(
        recipients.iter().map(|r| r.as_ref() as &dyn age::Recipient),
    )
    .map_err(SealError::Recipients)?;
    let writer = encryptor.wrap_output(out).map_err(SealError::Encrypt)?;
    let mut tar = tar::Builder::new(writer);
    append(
        &mut tar,
        MANIFEST,
        0o600,
        manifest.created.timestamp(),
        manifest_json,
    )?;
    for f in files {
        append(
            &mut tar,
            &f.entry.member,
            f.entry.mode,
            f.entry.mtime,
            &f.bytes,
        )?;
    }
    let writer = tar.into_inner().map_err(SealError::Tar)?;
    // Without finish() the last chunk is never written and the file will not decrypt.
    writer.finish().map_err(SealError::Write)?;
    Ok(())
}

fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    mode: u32,
    mtime: i64,
    bytes: &[u8],
) -> Result<(), SealError> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(mode & 0o7777);
    header.set_mtime(u64::try_from(mtime).unwrap_or(0));
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, bytes)
        .map_err(|source| SealError::Append {
            name: name.to_owned(),
            source,
        })
}

/// A decrypted, fully verified backup.
pub(crate) struct Opened {
    pub manifest: Manifest,
    /// Of the manifest member's bytes, for the signed sidecar to vouch for.
    pub manifest_sha256: String,
    /// In manifest order; empty when the content was only checked.
    pub files: Vec<Vec<u8>>,
}

/// Decrypts to the end (the last chunk's tag is what proves nothing was cut off), checking every
/// member against the manifest as it streams past. `keep` holds the content for a restore;
/// `--check` needs only the verdict. Nothing is trusted until this returns `Ok`.
pub(crate) fn open(
    ciphertext: impl Read,
    identities: &super::keys::Identities,
    keep: bool,
) -> Result<Opened, OpenError> {
    let decryptor =
        age::Decryptor::new_buffered(std::io::BufReader::with_capacity(1 << 16, ciphertext))
            .map_err(OpenError::NotAge)?;
    let mut reader = decryptor
        .decrypt(identities.keys.iter().map(std::convert::AsRef::as_ref))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => OpenError::NotRecipient(identities.path.clone()),
            source => OpenError::Decrypt {
                identity: identities.path.clone(),
                source,
            },
        })?;
    let damaged = OpenError::damaged;
    let mut archive = tar::Archive::new(&mut reader);
    let mut entries = archive.entries().map_err(damaged)?;
    let mut first = entries.next().ok_or(OpenError::Empty)?.map_err(damaged)?;
    if first.path_bytes().as_ref() != MANIFEST.as_bytes() {
        return Err(OpenError::ManifestNotFirst);
    }
    let mut manifest_json = Vec::new();
    (&mut first)
        .take(MAX_MANIFEST + 1)
        .read_to_end(&mut manifest_json)
        .map_err(damaged)?;
    if manifest_json.len() as u64 > MAX_MANIFEST {
        return Err(OpenError::ManifestTooLarge);
    }
    let manifest: Manifest =
        serde_json::from_slice(&manifest_json).map_err(OpenError::ManifestParse)?;
    if manifest.version != MANIFEST_VERSION {
        return Err(OpenError::ManifestVersion(manifest.version));
    }
    // Nothing is reserved from what the manifest claims: a lying size or count makes the copy
    // bad when the real stream disagrees, never an allocation failure.
    let mut files = Vec::new();
    for expected in &manifest.files {
        let mut entry = entries
            .next()
            .ok_or_else(|| OpenError::MemberMissing(expected.member.clone()))?
            .map_err(damaged)?;
        if entry.path_bytes().as_ref() != expected.member.as_bytes() {
            return Err(OpenError::MemberName {
                found: String::from_utf8_lossy(&entry.path_bytes()).into_owned(),
                expected: expected.member.clone(),
            });
        }
        if entry.size() != expected.size {
            return Err(OpenError::Size {
                path: expected.path.clone(),
                found: entry.size(),
                expected: expected.size,
            });
        }
        let mut sink = HashingWriter::new(Vec::new());
        sink.keep = keep;
        std::io::copy(&mut entry, &mut sink).map_err(damaged)?;
        let (bytes, size, sha256) = sink.finish();
        if size != expected.size || sha256 != expected.sha256 {
            return Err(OpenError::Hash(expected.path.clone()));
        }
        if keep {
            files.push(bytes);
        }
    }
    // The tar's end blocks and the final chunk: reading to EOF is what checks the last tag.
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(damaged)?;
    Ok(Opened {
        manifest,
        manifest_sha256: sha256_hex(&manifest_json),
        files,
    })
}

/// Hashes what passes through; keeps it only when asked.
pub(crate) struct HashingWriter<W> {
    inner: W,
    hasher: crate::hash::Hasher,
    size: u64,
    keep: bool,
}

impl<W: Write> HashingWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: crate::hash::Hasher::default(),
            size: 0,
            keep: true,
        }
    }

    /// The inner writer, the byte count and the hex SHA-256.
    pub(crate) fn finish(self) -> (W, u64, String) {
        (self.inner, self.size, self.hasher.finish_hex())
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = if self.keep {
            self.inner.write(buf)?
        } else {
            buf.len()
        };
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
