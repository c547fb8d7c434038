//! Whether a stored copy may be trusted, in the order that costs least: the sidecar and its
//! signature, the name's time, then the ciphertext's hash and full decryption, then the
//! manifest against the name, the sidecar and this host's own record. Restore, `backup
//! --check` and `recover` all go through here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::archive::{self, Opened};
use super::sign::Verifier;
use super::store::{self, Copy};

/// How far ahead of this host's clock a copy's name may be (clock skew between hosts).
const FUTURE_SLACK: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// What a check found about one copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CopyState {
    /// Signed by an accepted key, and every byte checks.
    Valid,
    /// Accepted with `--allow-unsigned`: made before backups were signed, and every byte checks.
    ValidUnsigned,
    /// No signature: made before signing, or by someone without the key.
    Unsigned,
    /// A signature that does not verify, or content that contradicts what was signed or named.
    Forged,
    /// Missing pieces, truncated, or bytes that do not match their hashes.
    Damaged,
    /// A state written by a newer mcpctl.
    #[serde(other)]
    Other,
}

impl CopyState {
    pub(crate) fn other() -> Self {
        CopyState::Other
    }

    /// The word `restore --list` shows: a copy accepted unsigned is as good to restore.
    pub(crate) fn word(self) -> &'static str {
        match self {
            CopyState::Valid | CopyState::ValidUnsigned => "valid",
            CopyState::Unsigned => "unsigned",
            CopyState::Forged => "forged",
            CopyState::Damaged => "damaged",
            CopyState::Other => "unknown",
        }
    }

    pub(crate) fn usable(self) -> bool {
        matches!(self, CopyState::Valid | CopyState::ValidUnsigned)
    }
}

/// Why a copy was not used.
#[derive(Debug, Clone)]
pub(crate) struct Refused {
    pub state: CopyState,
    pub reason: String,
}

impl Refused {
    fn new(state: CopyState, reason: impl Into<String>) -> Self {
        Self {
            state,
            reason: reason.into(),
        }
    }
}

/// What a copy is checked against.
pub(crate) struct Trust<'a> {
    pub verifier: &'a Verifier,
    pub allow_unsigned: bool,
    /// This host's name, and the id of the newest backup of the target it wrote (from the state
    /// dir): a copy claiming to be this host's and newer than that was never written by it.
    pub host: &'a str,
    pub newest_written: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// A copy that passed every check.
pub(crate) struct Trusted {
    pub opened: Opened,
    pub state: CopyState,
}

/// Checks `copy` completely; with `keep`, the files' content comes back for a restore.
pub(crate) fn open(
    copy: &Copy,
    trust: &Trust<'_>,
    identities: &super::keys::Identities,
    keep: bool,
) -> Result<Trusted, Refused> {
    let damaged = |r: String| Refused::new(CopyState::Damaged, r);
    let forged = |r: String| Refused::new(CopyState::Forged, r);
    let (sidecar_bytes, sidecar) = store::sidecar(copy).map_err(|e| damaged(e.to_string()))?;
    if sidecar.file != copy.name {
        return Err(forged(format!(
            "the sidecar belongs to {}: the copy was renamed",
            sidecar.file
        )));
    }
    let signed = match store::signature(copy).map_err(|e| damaged(e.to_string()))? {
        Some(sig) => {
            trust
                .verifier
                .verify(&sidecar_bytes, &sig)
                .map_err(|e| forged(e.to_string()))?;
            true
        }
        None if trust.allow_unsigned => false,
        None => {
            return Err(Refused::new(
                CopyState::Unsigned,
                "no signature; copies made before signing are used only with --allow-unsigned",
            ));
        }
    };
    if copy.time > trust.now + FUTURE_SLACK {
        return Err(forged(format!(
            "named for {}, which is in the future",
            copy.time.format("%Y-%m-%d %H:%M:%S UTC")
        )));
    }
    let opened = store::read_and(copy, &sidecar, |bytes| {
        archive::open(bytes, identities, keep)
    })
    .map_err(|e| damaged(e.to_string()))?;
    let manifest = &opened.manifest;
    match &sidecar.manifest_sha256 {
        Some(h) if *h != opened.manifest_sha256 => {
            return Err(forged(
                "the manifest is not the one the sidecar vouches for".into(),
            ));
        }
        None if signed => {
            return Err(forged("the signed sidecar names no manifest".into()));
        }
        _ => {}
    }
    if manifest.id != copy.id() {
        return Err(forged(format!(
            "the manifest's id is {}, not the file's name",
            manifest.id
        )));
    }
    if manifest.created.timestamp() != copy.time.timestamp() {
        return Err(forged(format!(
            "the manifest was made at {}, not at the time in the file's name",
            manifest.created.format("%Y-%m-%d %H:%M:%S UTC")
        )));
    }
    if manifest.host == trust.host
        && let Some(newest) = trust.newest_written
        && let Some(newest_time) = store::time_in_name(&manifest.target, newest)
        && copy.time > newest_time
    {
        return Err(forged(format!(
            "this host's newest backup is {newest}, yet this copy claims to be newer"
        )));
    }
    Ok(Trusted {
        opened,
        state: if signed {
            CopyState::Valid
        } else {
            CopyState::ValidUnsigned
        },
    })
}
