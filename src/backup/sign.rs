//! Backups are signed, not only encrypted: anyone holding the age recipient (it sits in the
//! config) can make a valid age file, so age proves integrity, never origin. Each copy's sidecar
//! is signed with an SSH ed25519 key that lives only on the hosts that make backups, in the
//! standard `sshsig` format that `ssh-keygen -Y verify` checks by hand.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use super::error::SignatureError;
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

/// The sshsig namespace: a signature made for backups can never pass for one made for git or
/// for a login, and the reverse.
pub(crate) const NAMESPACE: &str = "mcpctl-backup";
/// A signature file or sidecar larger than this is not one of ours.
pub(crate) const MAX_SIGNATURE: u64 = 16 * 1024;

pub(crate) use super::error::KeyError;

/// The private signing key of a host that makes backups.
pub(crate) struct Signer {
    key: PrivateKey,
}

impl Signer {
    /// Loads the key, or creates it (0600, in a 0700 directory) when the file does not exist,
    /// so configs written before signing existed keep working.
    pub(crate) fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        match std::fs::symlink_metadata(path) {
            Ok(_) => Ok(Self {
                key: read_private(path)?,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::create(path),
            Err(e) => Err(KeyError(format!("signing key {}: {e}", path.display()))),
        }
    }

    fn create(path: &Path) -> Result<Self, KeyError> {
        let fail = |e: &dyn std::fmt::Display| {
            KeyError(format!(
                "cannot create the signing key {}: {e}",
                path.display()
            ))
        };
        let key = PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519)
            .map_err(|e| fail(&e))?;
        let mut key = key;
        key.set_comment("mcpctl backup signing key");
        let pem = key.to_openssh(LineEnding::LF).map_err(|e| fail(&e))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| fail(&e))?;
        }
        // create_new: two hosts sharing a home never overwrite each other's key.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| fail(&e))?;
        file.write_all(pem.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| fail(&e))?;
        tracing::info!(
            "created the backup signing key {}; restore hosts need its public half in [backup] verify_keys: {}",
            path.display(),
            key.public_key().to_openssh().unwrap_or_default()
        );
        Ok(Self { key })
    }

    #[cfg(test)]
    pub(crate) fn public(&self) -> &PublicKey {
        self.key.public_key()
    }

    /// A PEM `SSH SIGNATURE` over `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<String, KeyError> {
        self.key
            .sign(NAMESPACE, HashAlg::Sha512, message)
            .and_then(|sig| sig.to_pem(LineEnding::LF))
            .map_err(|e| KeyError(format!("cannot sign: {e}")))
    }
}

/// Reads an unencrypted OpenSSH private key that only its owner can read.
fn read_private(path: &Path) -> Result<PrivateKey, KeyError> {
    let bytes = read_owner_only(path, "signing key")?;
    let key = PrivateKey::from_openssh(&bytes).map_err(|e| {
        KeyError(format!(
            "signing key {} is not an OpenSSH private key: {e}",
            path.display()
        ))
    })?;
    if key.is_encrypted() {
        return Err(KeyError(format!(
            "signing key {} is passphrase-protected; cron cannot type a passphrase",
            path.display()
        )));
    }
    Ok(key)
}

/// The content of a key file, refused when anyone but its owner can read it or when it is not
/// a regular file.
pub(crate) fn read_owner_only(path: &Path, what: &str) -> Result<Vec<u8>, KeyError> {
    let meta =
        std::fs::metadata(path).map_err(|e| KeyError(format!("{what} {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(KeyError(format!(
            "{what} {} is not a regular file",
            path.display()
        )));
    }
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(KeyError(format!(
            "{what} {} is readable by others (mode {:o}); refusing to use it. Run: chmod 600 {}",
            path.display(),
            mode & 0o777,
            path.display()
        )));
    }
    if meta.len() > 64 * 1024 {
        return Err(KeyError(format!(
            "{what} {} is too large to be a key",
            path.display()
        )));
    }
    std::fs::read(path).map_err(|e| KeyError(format!("{what} {}: {e}", path.display())))
}

/// The public keys whose signatures restore accepts.
#[derive(Debug, Clone)]
pub(crate) struct Verifier {
    keys: Vec<PublicKey>,
}

/// Where the verify keys come from, as configured.
#[derive(Debug, Clone)]
pub(crate) struct VerifySource<'a> {
    pub verify_keys: &'a [String],
    pub signing_key: &'a Path,
}

impl Verifier {
    /// `verify_keys` when set, else the public half of the signing key.
    pub(crate) fn new(source: &VerifySource<'_>) -> Result<Self, KeyError> {
        if !source.verify_keys.is_empty() {
            let keys = source
                .verify_keys
                .iter()
                .map(|k| parse_public(k))
                .collect::<Result<_, _>>()?;
            return Ok(Self { keys });
        }
        if !source.signing_key.exists() {
            return Err(KeyError(format!(
                "no key to verify backup signatures with: {} does not exist. On a host that \
                 does not make backups, set [backup] verify_keys = [\"ssh-ed25519 …\"] to the \
                 public half of the backup host's key (`ssh-keygen -y -f {}` there)",
                source.signing_key.display(),
                source.signing_key.display()
            )));
        }
        let key = read_private(source.signing_key)?;
        Ok(Self {
            keys: vec![key.public_key().clone()],
        })
    }

    /// Checks a PEM signature over `message` against every accepted key.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
        let sig = SshSig::from_pem(signature).map_err(SignatureError::NotSsh)?;
        if self
            .keys
            .iter()
            .any(|k| k.verify(NAMESPACE, message, &sig).is_ok())
        {
            Ok(())
        } else {
            Err(SignatureError::NoKey)
        }
    }
}

/// Parses one `ssh-ed25519 AAAA… comment` line.
pub(crate) fn parse_public(line: &str) -> Result<PublicKey, KeyError> {
    PublicKey::from_openssh(line.trim())
        .map_err(|e| KeyError(format!("`{line}` is not an SSH public key: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_with_its_key_and_message() {
        let dir = tempfile::tempdir().unwrap();
        let a = Signer::load_or_create(&dir.path().join("a.key")).unwrap();
        let b = Signer::load_or_create(&dir.path().join("b.key")).unwrap();
        let sig = a.sign(b"sidecar").unwrap();
        let keys = [a.public().to_openssh().unwrap()];
        let source = VerifySource {
            verify_keys: &keys,
            signing_key: &dir.path().join("b.key"),
        };
        let v = Verifier::new(&source).unwrap();
        assert!(v.verify(b"sidecar", sig.as_bytes()).is_ok());
        assert!(v.verify(b"sidecar!", sig.as_bytes()).is_err());
        assert!(
            v.verify(b"sidecar", b.sign(b"sidecar").unwrap().as_bytes())
                .is_err()
        );
    }

    #[test]
    fn a_key_others_can_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        Signer::load_or_create(&path).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Signer::load_or_create(&path).err().unwrap().to_string();
        assert!(err.contains("readable by others"), "{err}");
    }
}
