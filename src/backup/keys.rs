//! age keys: public recipients (all a backup needs) and the identity (restore and --check only),
//! which is refused when anyone but its owner can read it.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::error::{BadRecipient, IdentityError};

pub(crate) fn recipients(
    keys: &[String],
) -> Result<Vec<Box<dyn age::Recipient + Send>>, BadRecipient> {
    keys.iter()
        .map(|k| {
            if let Ok(r) = k.parse::<age::x25519::Recipient>() {
                Ok(Box::new(r) as Box<dyn age::Recipient + Send>)
            } else {
                k.parse::<age::ssh::Recipient>()
                    .map(|r| Box::new(r) as Box<dyn age::Recipient + Send>)
                    .map_err(|_| BadRecipient(k.clone()))
            }
        })
        .collect()
}

/// The identity file's keys, and where they came from (for messages).
pub(crate) struct Identities {
    pub keys: Vec<Box<dyn age::Identity>>,
    pub path: std::path::PathBuf,
}

pub(crate) fn identities(path: Option<&Path>) -> Result<Identities, IdentityError> {
    let keys = read_identities(path)?;
    Ok(Identities {
        keys,
        path: path.map(Path::to_path_buf).unwrap_or_default(),
    })
}

fn read_identities(path: Option<&Path>) -> Result<Vec<Box<dyn age::Identity>>, IdentityError> {
    let path = path.ok_or(IdentityError::Unset)?;
    let read = |source| IdentityError::Read {
        path: path.to_path_buf(),
        source,
    };
    let parse = |source| IdentityError::Parse {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read)?;
    if !meta.is_file() {
        return Err(IdentityError::NotFile(path.to_path_buf()));
    }
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(IdentityError::Exposed {
            path: path.to_path_buf(),
            mode: mode & 0o777,
        });
    }
    let text = std::fs::read(path).map_err(read)?;
    if text.starts_with(b"-----BEGIN OPENSSH PRIVATE KEY-----") {
        return match age::ssh::Identity::from_buffer(
            text.as_slice(),
            Some(path.display().to_string()),
        ) {
            Ok(age::ssh::Identity::Unencrypted(key)) => {
                Ok(vec![Box::new(age::ssh::Identity::Unencrypted(key))])
            }
            Ok(_) => Err(IdentityError::SshUnusable(path.to_path_buf())),
            Err(e) => Err(parse(e)),
        };
    }
    let file = age::IdentityFile::from_buffer(text.as_slice()).map_err(parse)?;
    let ids = file
        .into_identities()
        .map_err(|source| IdentityError::Keys {
            path: path.to_path_buf(),
            source,
        })?;
    if ids.is_empty() {
        return Err(IdentityError::Empty(path.to_path_buf()));
    }
    Ok(ids
        .into_iter()
        .map(|i| i as Box<dyn age::Identity>)
        .collect())
}
