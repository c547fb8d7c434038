//! A real backup setup in a temp dir for the unit tests of backup and restore: an age identity,
//! a signing key, two locations and one JSON target. Nothing is mocked: copies are sealed,
//! signed and verified by the code a run uses.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use age::secrecy::ExposeSecret;
use chrono::{DateTime, TimeDelta, Utc};

use super::keys::{self, Identities};
use super::restore::{self, Body, Keys};
use super::run::{self, Options, Sealing, TargetReport};
use super::sign::{Signer, Verifier, VerifySource};
use super::store;
use crate::config::{BackupSettings, BackupTarget, FileFormat, Location, Retention};
use crate::exit::Status;

/// Valid content of the target's one file, version `n`.
pub(super) fn version(n: u32) -> String {
    format!("{{\"mcpServers\": {{\"a\": {{\"command\": \"v{n}\"}}}}}}\n")
}

pub(super) struct Kit {
    pub(super) dir: tempfile::TempDir,
    pub(super) cfg: BackupSettings,
    identities: Identities,
    signer: Signer,
    verifier: Verifier,
    recipients: Vec<Box<dyn age::Recipient + Send>>,
}

impl Kit {
    /// Two locations with `retention`; the file holds `version(0)`.
    pub(super) fn new(retention: Retention) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let id = age::x25519::Identity::generate();
        let id_path = dir.path().join("key.txt");
        std::fs::write(&id_path, id.to_string().expose_secret()).unwrap();
        std::fs::set_permissions(&id_path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let signing_key = dir.path().join("sign/key");
        let signer = Signer::load_or_create(&signing_key).unwrap();
        let verifier = Verifier::new(&VerifySource {
            verify_keys: &[],
            signing_key: &signing_key,
        })
        .unwrap();
        let file = dir.path().join("cfg/mcp.json");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, version(0)).unwrap();
        let cfg = BackupSettings {
            recipients: vec![id.to_public().to_string()],
            identity: Some(id_path.clone()),
            signing_key,
            verify_keys: Vec::new(),
            locations: ["loc1", "loc2"]
                .iter()
                .map(|l| Location {
                    path: dir.path().join(l),
                    retention,
                })
                .collect(),
            targets: vec![BackupTarget {
                name: "cfg".into(),
                paths: vec![file.display().to_string()],
                format: FileFormat::Json,
                keep_mode: false,
            }],
            server_configs: false,
        };
        Self {
            recipients: keys::recipients(&cfg.recipients).unwrap(),
            identities: keys::identities(Some(&id_path)).unwrap(),
            dir,
            cfg,
            signer,
            verifier,
        }
    }

    /// Keeps every copy the tests make.
    pub(super) fn keeping_all() -> Self {
        Self::new(Retention {
            keep_last: 100,
            ..Retention::default()
        })
    }

    pub(super) fn target(&self) -> &BackupTarget {
        &self.cfg.targets[0]
    }

    pub(super) fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub(super) fn file(&self) -> PathBuf {
        self.dir.path().join("cfg/mcp.json")
    }

    pub(super) fn write(&self, content: &str) {
        std::fs::write(self.file(), content).unwrap();
    }

    pub(super) fn read(&self) -> String {
        std::fs::read_to_string(self.file()).unwrap()
    }

    /// A backup named for `minutes` from now (negative: in the past).
    pub(super) fn back_up_at(&self, minutes: i64, opts: Options) -> TargetReport {
        let at: DateTime<Utc> = Utc::now() + TimeDelta::minutes(minutes);
        let sealing = Sealing {
            recipients: &self.recipients,
            signer: &self.signer,
        };
        run::back_up_at(
            &self.cfg,
            self.target(),
            &sealing,
            &self.state(),
            opts,
            &|| at,
        )
    }

    /// Writes `version(n)` and backs it up `minutes` from now; returns the copy's name.
    pub(super) fn version_at(&self, n: u32, minutes: i64) -> String {
        self.write(&version(n));
        let report = self.back_up_at(minutes, Options::default());
        assert_eq!(report.result, run::Outcome::Written, "{report:?}");
        report.backup.unwrap()
    }

    /// The copies of `name` in every location.
    pub(super) fn copies(&self, name: &str) -> Vec<store::Copy> {
        self.cfg
            .locations
            .iter()
            .map(|l| store::Copy {
                location: l.path.clone(),
                name: name.to_owned(),
                time: store::time_in_name("cfg", name).unwrap(),
            })
            .collect()
    }

    /// The names in one location, newest first.
    pub(super) fn names(&self, location: usize) -> Vec<String> {
        store::list(&self.cfg.locations[location].path, "cfg")
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect()
    }

    pub(super) fn restore(&self, opts: &restore::Options) -> (Status, String, Body) {
        let keys = Keys {
            identities: &self.identities,
            verifier: &self.verifier,
        };
        restore::restore(&self.cfg, self.target(), opts, &keys, &self.state()).unwrap()
    }
}
