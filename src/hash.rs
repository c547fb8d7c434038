//! SHA-256 as lowercase hex: the one digest backups, fingerprints, Slack deduplication and
//! confirmation tokens use, so they all agree on it.

use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A running hash, for streams that are never held whole.
#[derive(Default)]
pub struct Hasher(Sha256);

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish_hex(self) -> String {
        hex::encode(self.0.finalize())
    }
}
