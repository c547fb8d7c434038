//! age keys: public recipients (all a backup needs) and the identity (restore and --check only),
//! which is refused when anyone but its owner can read it.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

pub fn recipients(keys: &[String]) -> Result<Vec<Box<dyn age::Recipient + Send>>, String> {
    keys.iter()
        .map(|k| {
            if let Ok(r) = k.parse::<age::x25519::Recipient>() {
                Ok(Box::new(r) as Box<dyn age::Recipient + Send>)
            } else {
                k.parse::<age::ssh::Recipient>()
                    .map(|r| Box::new(r) as Box<dyn age::Recipient + Send>)
                    .map_err(|_| format!("`{k}` is not an age or SSH public key"))
            }
        })
        .collect()
}

/// The identity file's keys, and where they came from (for messages).
pub struct Identities {
    pub keys: Vec<Box<dyn age::Identity>>,
    pub path: std::path::PathBuf,
}

pub fn identities(path: Option<&Path>) -> Result<Identities, String> {
    let keys = read_identities(path)?;
    Ok(Identities {
        keys,
        path: path.map(Path::to_path_buf).unwrap_or_default(),
    })
}

fn read_identities(path: Option<&Path>) -> Result<Vec<Box<dyn age::Identity>>, String> {
    let path =
        path.ok_or("no identity configured: set [backup] identity = \"~/.config/mcpctl/age.key\"")?;
    let meta =
        std::fs::metadata(path).map_err(|e| format!("identity file {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!(
            "identity file {} is not a file; point [backup] identity at the key made by `age-keygen -o`",
            path.display()
        ));
    }
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(format!(
            "identity file {} is readable by others (mode {:o}); refusing to use it. Run: chmod 600 {}",
            path.display(),
            mode & 0o777,
            path.display()
        ));
    }
    let text = std::fs::read(path).map_err(|e| format!("identity file {}: {e}", path.display()))?;
    if text.starts_with(b"-----BEGIN OPENSSH PRIVATE KEY-----") {
        return match age::ssh::Identity::from_buffer(
            text.as_slice(),
            Some(path.display().to_string()),
        ) {
            Ok(age::ssh::Identity::Unencrypted(key)) => {
                Ok(vec![Box::new(age::ssh::Identity::Unencrypted(key))])
            }
            Ok(_) => Err(format!(
                "identity file {} is a passphrase-protected or unsupported SSH key; cron cannot type a passphrase",
                path.display()
            )),
            Err(e) => Err(format!(
                "identity file {} does not parse: {e}",
                path.display()
            )),
        };
    }
    let file = age::IdentityFile::from_buffer(text.as_slice())
        .map_err(|e| format!("identity file {} does not parse: {e}", path.display()))?;
    let ids = file
        .into_identities()
        .map_err(|e| format!("identity file {}: {e}", path.display()))?;
    if ids.is_empty() {
        return Err(format!("identity file {} holds no keys", path.display()));
    }
    Ok(ids
        .into_iter()
        .map(|i| i as Box<dyn age::Identity>)
        .collect())
}
