//! Why a backup step failed. The text lands in reports (a target's or a location's `error`, a
//! copy's `reason`, a restore's summary), so each variant keeps the words those have always had
//! and carries the path or source error rather than a sentence made up front.

use std::io;
use std::path::PathBuf;

/// Reading a target's files for a backup.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CollectError {
    #[error("bad glob `{pattern}`: {source}")]
    Glob {
        pattern: String,
        source: glob::PatternError,
    },
    #[error("`{0}` matches no file")]
    NoMatch(String),
    #[error("{0} does not exist")]
    Missing(String),
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot stat {}: {source}", path.display())]
    Stat { path: PathBuf, source: io::Error },
    #[error("cannot list {}: {source}", path.display())]
    List { path: PathBuf, source: io::Error },
    /// An entry of a directory being listed.
    #[error(transparent)]
    Entry(io::Error),
}

/// Sealing an archive into its ciphertext.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SealError {
    #[error("cannot encrypt: {0}")]
    Recipients(#[source] age::EncryptError),
    #[error("cannot encrypt: {0}")]
    Encrypt(#[source] io::Error),
    #[error("cannot add {name} to the tar: {source}")]
    Append { name: String, source: io::Error },
    #[error("cannot write the tar: {0}")]
    Tar(#[source] io::Error),
    /// The last chunk, or the ciphertext on its way to the file.
    #[error("cannot write: {0}")]
    Write(#[source] io::Error),
}

/// Decrypting a copy and checking it against its manifest.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OpenError {
    #[error("not a valid age file: {0}")]
    NotAge(#[source] age::DecryptError),
    #[error(
        "cannot decrypt with the identity {}: it is not one of the copy's recipients (is its public half in [backup] recipients?)",
        .0.display()
    )]
    NotRecipient(PathBuf),
    #[error("cannot decrypt with the identity {}: {source}", identity.display())]
    Decrypt {
        identity: PathBuf,
        source: age::DecryptError,
    },
    /// age's tag check failed: bytes changed or the end is cut off.
    #[error("decryption failed (damaged or truncated): {0}")]
    Truncated(#[source] io::Error),
    #[error("the tar is damaged: {0}")]
    Tar(#[source] io::Error),
    #[error("the tar is empty")]
    Empty,
    #[error("the first member is not manifest.json")]
    ManifestNotFirst,
    #[error("the manifest is implausibly large")]
    ManifestTooLarge,
    #[error("the manifest does not parse: {0}")]
    ManifestParse(#[source] serde_json::Error),
    #[error("manifest version {0} is not supported by this mcpctl")]
    ManifestVersion(u32),
    #[error("{0} is missing from the tar")]
    MemberMissing(String),
    #[error("tar member {found} is not the manifest's {expected}")]
    MemberName { found: String, expected: String },
    #[error("{path} is {found} bytes in the tar, not the manifest's {expected}")]
    Size {
        path: String,
        found: u64,
        expected: u64,
    },
    #[error("{0} does not match its manifest hash")]
    Hash(String),
}

impl OpenError {
    /// A read error inside the stream: age's `InvalidData` is its tag check failing.
    pub(super) fn damaged(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::InvalidData {
            Self::Truncated(e)
        } else {
            Self::Tar(e)
        }
    }
}

/// A configured recipient that is no public key.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not an age or SSH public key")]
pub(crate) struct BadRecipient(pub String);

/// The age identity a restore or `--check` decrypts with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum IdentityError {
    #[error("no identity configured: set [backup] identity = \"~/.config/mcpctl/age.key\"")]
    Unset,
    #[error("identity file {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error(
        "identity file {} is not a file; point [backup] identity at the key made by `age-keygen -o`",
        .0.display()
    )]
    NotFile(PathBuf),
    #[error(
        "identity file {} is readable by others (mode {mode:o}); refusing to use it. Run: chmod 600 {}",
        path.display(),
        path.display()
    )]
    Exposed { path: PathBuf, mode: u32 },
    #[error(
        "identity file {} is a passphrase-protected or unsupported SSH key; cron cannot type a passphrase",
        .0.display()
    )]
    SshUnusable(PathBuf),
    #[error("identity file {} does not parse: {source}", path.display())]
    Parse { path: PathBuf, source: io::Error },
    #[error("identity file {}: {source}", path.display())]
    Keys {
        path: PathBuf,
        source: age::DecryptError,
    },
    #[error("identity file {} holds no keys", .0.display())]
    Empty(PathBuf),
}

/// A signature over a sidecar that is not good.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SignatureError {
    #[error("the signature file is not an SSH signature")]
    NotSsh(#[source] ssh_key::Error),
    #[error("the signature does not verify with any key in [backup] verify_keys")]
    NoKey,
}

/// Reading a stored copy: its sidecar, its signature, its bytes against the sidecar.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CopyError {
    #[error("no sidecar: an interrupted write, or not a copy mcpctl made")]
    NoSidecar,
    #[error("sidecar {}: {source}", path.display())]
    Sidecar { path: PathBuf, source: io::Error },
    #[error("the sidecar does not parse")]
    SidecarParse(#[source] serde_json::Error),
    #[error("signature {}: {source}", path.display())]
    Signature { path: PathBuf, source: io::Error },
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot stat {}: {source}", path.display())]
    Stat { path: PathBuf, source: io::Error },
    #[error("size {size} does not match the sidecar's {expected} (truncated?)")]
    Size { size: u64, expected: u64 },
    #[error("SHA-256 does not match the sidecar (damaged)")]
    Hash,
    #[error(transparent)]
    Open(#[from] OpenError),
}

/// Writing a copy into one location.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    #[error("the location {} is not a directory; fix [backup] locations", .0.display())]
    NotDir(PathBuf),
    #[error("cannot create the location {}: {source}", path.display())]
    CreateLocation { path: PathBuf, source: io::Error },
    #[error("cannot create a temp file in {}: {source}", location.display())]
    Temp {
        location: PathBuf,
        source: io::Error,
    },
    /// Boxed: a `SealError` is large, and every write result would carry its size.
    #[error("{source} in {}", location.display())]
    Seal {
        location: PathBuf,
        source: Box<SealError>,
    },
    #[error(transparent)]
    Sign(#[from] KeyError),
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write in {}: {source}", location.display())]
    Copy {
        location: PathBuf,
        source: io::Error,
    },
    #[error("copied {copied} bytes of {size} into {}", location.display())]
    Short {
        copied: u64,
        size: u64,
        location: PathBuf,
    },
    #[error("interrupted")]
    Interrupted,
    #[error("cannot fsync in {}: {source}", location.display())]
    Fsync {
        location: PathBuf,
        source: io::Error,
    },
    #[error("cannot rename into place in {}: {source}", location.display())]
    Rename {
        location: PathBuf,
        source: io::Error,
    },
    /// The signature and the sidecar, written last.
    #[error(transparent)]
    Sidecar(Box<crate::error::Error>),
}

/// `recover`'s restore-config step could not restore the target.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RecoveryError {
    #[error("the config has no [backup] section")]
    NoBackup,
    #[error("no backup target named `{0}`")]
    NoTarget(String),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// The restore ran and failed; its summary says why, as the restore's own report would.
    #[error("{0}")]
    Failed(String),
}

/// No copy to restore from: the restore runs and ends critical.
#[derive(Debug, thiserror::Error)]
#[error(
    "no backup of {target}{} in any location; nothing written. `mcpctl restore {target} --list` shows what there is",
    at.as_deref().map(|a| format!(" matching --at {a}")).unwrap_or_default()
)]
pub(crate) struct NothingStored {
    pub target: String,
    pub at: Option<String>,
}

/// Writing a verified copy's files into place.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApplyError {
    #[error(
        "{} is a symlink; restore never writes through a symlinked directory (replace it with a real directory, or restore with --to DIR)",
        .0.display()
    )]
    Symlink(PathBuf),
    #[error("{} is not a directory", .0.display())]
    NotDir(PathBuf),
    /// A current file restore will not replace: a symlink, a special file, unreadable.
    #[error(
        "{} {source}; restore does not replace it (move it away, or restore with --to DIR)",
        path.display()
    )]
    Current { path: PathBuf, source: io::Error },
    #[error("cannot create the directory {}: {source}", path.display())]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("interrupted before anything was written")]
    InterruptedBeforeAny,
    #[error("interrupted before the new files were written")]
    InterruptedBeforeNew,
    #[error("cannot keep the current files aside: {0}")]
    KeepAside(#[source] Box<crate::error::Error>),
    #[error(transparent)]
    Write(Box<crate::error::Error>),
}

/// A restore that cannot start as asked: the exit is 3, not a failed restore.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub String);

/// Why a key file cannot be used: the run stops before anything is written or checked.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct KeyError(pub(super) String);
