//! One backup run over the chosen targets: collect and validate, skip what has not changed, seal
//! once, write and sign a copy into every location, then prune where the write succeeded.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{SealError, WriteError};
use super::sign::Signer;
use super::{archive, retention, store};
use crate::config::{BackupSettings, BackupTarget, Retention};

/// What the run may do beyond the usual.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Options {
    /// Back up even when nothing changed.
    pub force: bool,
    /// Back up files that fail their format validation.
    pub allow_invalid: bool,
}

/// The keys a backup is made with: public recipients to encrypt, the private key to sign.
pub(crate) struct Sealing<'a> {
    pub recipients: &'a [Box<dyn age::Recipient + Send>],
    pub signer: &'a Signer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    Written,
    Unchanged,
    Failed,
    /// A word from a newer mcpctl, or none, in a stored report.
    #[serde(other)]
    Other,
}

impl Outcome {
    fn other() -> Self {
        Outcome::Other
    }
}

/// Also what `report` reads back: a field an older report lacks gets its default.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct TargetReport {
    pub name: String,
    #[serde(default = "Outcome::other")]
    pub result: Outcome,
    #[serde(default)]
    pub backup: Option<String>,
    #[serde(default)]
    pub files: usize,
    #[serde(default)]
    pub bytes: u64,
    #[serde(default)]
    pub locations: Vec<LocationReport>,
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct LocationReport {
    pub path: std::path::PathBuf,
    #[serde(default)]
    pub ok: bool,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub pruned: Vec<String>,
}

/// What the last successful backup of a target contained, kept in the state dir so an hourly
/// cron run can skip unchanged targets without the identity (and without a plaintext hint of the
/// content beside the backups). Its `name` is also the newest copy this host wrote, which
/// restore uses to refuse replays.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct LastBackup {
    pub fingerprint: String,
    pub name: String,
}

pub(crate) fn last_backup(state_dir: &Path, target: &str) -> Option<LastBackup> {
    let path = last_path(state_dir, target);
    crate::state::read_regular(&path, 64 * 1024)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
}

fn last_path(state_dir: &Path, target: &str) -> std::path::PathBuf {
    state_dir.join("backup").join(format!("{target}.json"))
}

pub(crate) fn back_up(
    cfg: &BackupSettings,
    target: &BackupTarget,
    sealing: &Sealing<'_>,
    state_dir: &Path,
    opts: Options,
) -> TargetReport {
    back_up_at(cfg, target, sealing, state_dir, opts, &Utc::now)
}

/// `back_up` with the clock it names the copy by: the unit tests make copies of other seconds
/// (retention, `--at`, a copy from the future) without waiting for them.
pub(super) fn back_up_at(
    cfg: &BackupSettings,
    target: &BackupTarget,
    sealing: &Sealing<'_>,
    state_dir: &Path,
    opts: Options,
    clock: &dyn Fn() -> DateTime<Utc>,
) -> TargetReport {
    let mut report = TargetReport {
        name: target.name.clone(),
        result: Outcome::Failed,
        backup: None,
        files: 0,
        bytes: 0,
        locations: Vec::new(),
        error: None,
    };
    super::clean_target_temps(target);
    let files = match super::collect(target, !opts.allow_invalid) {
        Ok(f) => f,
        Err(e) => {
            report.error = Some(e.to_string());
            return report;
        }
    };
    report.files = files.len();
    report.bytes = files.iter().map(|f| f.entry.size).sum();
    // Validated as they were read (unless --allow-invalid); the first in path order is named.
    for f in &files {
        if let Some(e) = &f.invalid {
            report.error = Some(format!(
                "refusing to back up {}: it is not valid {} ({e}); fix or restore it, or pass --allow-invalid",
                f.entry.path,
                target.format.label()
            ));
            return report;
        }
    }
    let fingerprint = super::fingerprint(&files);
    if let Some(last) =
        last_backup(state_dir, &target.name).filter(|l| l.fingerprint == fingerprint && !opts.force)
        && cfg
            .locations
            .iter()
            .any(|loc| loc.path.join(&last.name).is_file())
    {
        report.result = Outcome::Unchanged;
        report.backup = Some(last.name);
        return report;
    }

    let now = clock();
    let host = crate::output::hostname();
    // Two backups in one second may draw the same nonce; under the run lock, a name no location
    // holds yet stays free.
    let name =
        std::iter::repeat_with(|| store::file_name(&target.name, now, &host, fastrand::u16(..)))
            .find(|n| !cfg.locations.iter().any(|loc| loc.path.join(n).exists()))
            .expect("an endless iterator finds a free name");
    let manifest = archive::Manifest {
        version: archive::MANIFEST_VERSION,
        id: name.trim_end_matches(".tar.age").to_owned(),
        created: now,
        host,
        mcpctl_version: env!("CARGO_PKG_VERSION").to_owned(),
        target: target.name.clone(),
        format: target.format,
        files: files.iter().map(|f| f.entry.clone()).collect(),
    };
    let manifest_json = archive::manifest_bytes(&manifest);
    let seal = |out: &mut dyn std::io::Write| {
        archive::seal(&manifest, &manifest_json, &files, sealing.recipients, out)
    };
    let written = Sealed {
        name: &name,
        host: &manifest.host,
        manifest_sha256: &crate::hash::sha256_hex(&manifest_json),
        signer: sealing.signer,
    };
    report.locations = write_everywhere(cfg, &target.name, &written, &seal);
    free_elsewhere(files);
    if report.locations.iter().any(|l| l.ok) {
        report.result = Outcome::Written;
        report.backup = Some(name.clone());
        let last = LastBackup { fingerprint, name };
        let saved = crate::state::ensure_dir(&state_dir.join("backup")).and_then(|()| {
            crate::state::write_atomic(
                &last_path(state_dir, &target.name),
                &serde_json::to_vec(&last).expect("serializes"),
                0o600,
            )
        });
        if let Err(e) = saved {
            tracing::warn!("cannot remember the backup of {}: {e}", target.name);
        }
    } else {
        report.error = Some("no location could be written".into());
    }
    report
}

/// Frees the files' contents on another thread: unmapping megabytes of pages took over a
/// millisecond that the state and report writes need not wait for. A thread that cannot be
/// started frees them here.
fn free_elsewhere(files: Vec<archive::Source>) {
    let _ = std::thread::Builder::new().spawn(move || drop(files));
}

/// What every location's copy shares.
struct Sealed<'a> {
    name: &'a str,
    host: &'a str,
    manifest_sha256: &'a str,
    signer: &'a Signer,
}

/// Seals once into the first location that takes it and copies that file to the others;
/// prunes only where the write succeeded, so a failing location keeps everything it has.
fn write_everywhere(
    cfg: &BackupSettings,
    target: &str,
    sealed: &Sealed<'_>,
    seal: &dyn Fn(&mut dyn std::io::Write) -> Result<(), SealError>,
) -> Vec<LocationReport> {
    let mut out = Vec::new();
    let mut first: Option<store::Written> = None;
    for location in &cfg.locations {
        let written = ensure_location(&location.path).and_then(|()| {
            store::clean_temps(&location.path, sealed.host);
            match &first {
                Some(from) => store::duplicate(from, &location.path, sealed.name, sealed.host),
                None => store::create(
                    &location.path,
                    sealed.name,
                    sealed.host,
                    sealed.manifest_sha256,
                    sealed.signer,
                    seal,
                ),
            }
        });
        out.push(LocationReport {
            path: location.path.clone(),
            ok: written.is_ok(),
            error: written.as_ref().err().map(ToString::to_string),
            pruned: Vec::new(),
        });
        if let Ok(written) = written {
            first.get_or_insert(written);
        }
    }
    // Only after every copy exists (the first is the others' source), and only where this run
    // wrote: a failing location keeps everything it has.
    for (location, report) in cfg.locations.iter().zip(&mut out) {
        if report.ok {
            match prune(&location.path, target, sealed.name, &location.retention) {
                Ok(pruned) => report.pruned = pruned,
                Err(e) => report.error = Some(format!("pruning failed: {e}")),
            }
        }
    }
    out
}

/// Creates a location directory (0700) when it is missing.
fn ensure_location(path: &Path) -> Result<(), WriteError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(WriteError::NotDir(path.to_path_buf())),
        Err(_) => {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(path)
                .map_err(|source| WriteError::CreateLocation {
                    path: path.to_path_buf(),
                    source,
                })
        }
    }
}

/// Applies retention to the copies whose sidecar verifies; others are left for a person to see.
/// The copy just written counts as the newest, which retention always keeps, whatever a
/// same-second tie or a clock step did to the order of names.
fn prune(
    location: &Path,
    target: &str,
    written: &str,
    policy: &Retention,
) -> std::io::Result<Vec<String>> {
    let mut copies: Vec<store::Copy> = store::list(location, target)?
        .into_iter()
        .filter(store::looks_complete)
        .collect();
    copies.sort_by_key(|c| c.name != written);
    let times: Vec<_> = copies.iter().map(|c| c.time).collect();
    let keep = retention::keep(&times, policy);
    let mut pruned = Vec::new();
    for (copy, keep) in copies.iter().zip(keep) {
        if !keep {
            store::remove(copy)?;
            pruned.push(copy.name.clone());
        }
    }
    Ok(pruned)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, version};
    use super::*;

    fn force() -> Options {
        Options {
            force: true,
            ..Options::default()
        }
    }

    #[test]
    fn unchanged_content_is_skipped_unless_forced() {
        let kit = Kit::keeping_all();
        let first = kit.back_up_at(0, Options::default());
        assert_eq!(first.result, Outcome::Written);
        let again = kit.back_up_at(0, Options::default());
        assert_eq!(again.result, Outcome::Unchanged);
        assert_eq!(again.backup, first.backup, "names the copy that holds it");
        assert!(again.locations.is_empty(), "nothing written");
        assert_eq!(kit.names(0).len(), 1);

        let forced = kit.back_up_at(0, force());
        assert_eq!(forced.result, Outcome::Written);
        assert_ne!(forced.backup, first.backup);
        assert_eq!(kit.names(0).len(), 2);
    }

    #[test]
    fn changed_content_or_mode_is_backed_up() {
        let kit = Kit::keeping_all();
        kit.back_up_at(0, Options::default());
        kit.write(&version(1));
        assert_eq!(
            kit.back_up_at(0, Options::default()).result,
            Outcome::Written
        );
        std::fs::set_permissions(
            kit.file(),
            std::os::unix::fs::PermissionsExt::from_mode(0o640),
        )
        .unwrap();
        assert_eq!(
            kit.back_up_at(0, Options::default()).result,
            Outcome::Written
        );
    }

    #[test]
    fn unchanged_content_whose_copies_are_gone_is_backed_up_again() {
        let kit = Kit::keeping_all();
        let first = kit.back_up_at(0, Options::default()).backup.unwrap();
        for copy in kit.copies(&first) {
            store::remove(&copy).unwrap();
        }
        let again = kit.back_up_at(0, Options::default());
        assert_eq!(again.result, Outcome::Written);
        // One location holding the recorded copy is enough to skip.
        store::remove(&kit.copies(again.backup.as_deref().unwrap())[0]).unwrap();
        assert_eq!(
            kit.back_up_at(0, Options::default()).result,
            Outcome::Unchanged
        );
    }

    #[test]
    fn invalid_files_are_refused_unless_allowed() {
        let kit = Kit::keeping_all();
        kit.write("{\"mcpServers\": ");
        let refused = kit.back_up_at(0, Options::default());
        assert_eq!(refused.result, Outcome::Failed);
        let err = refused.error.unwrap();
        assert!(err.contains("--allow-invalid"), "{err}");
        assert!(!kit.cfg.locations[0].path.exists(), "nothing written");
        let allowed = Options {
            allow_invalid: true,
            ..Options::default()
        };
        assert_eq!(kit.back_up_at(0, allowed).result, Outcome::Written);
    }

    #[test]
    fn a_copy_is_named_for_its_target_time_and_host_and_signed_in_every_location() {
        let kit = Kit::keeping_all();
        let report = kit.back_up_at(-90, Options::default());
        let name = report.backup.unwrap();
        let at = store::time_in_name("cfg", &name).unwrap();
        let expected = Utc::now() - chrono::TimeDelta::minutes(90);
        assert!((expected - at).num_seconds().abs() <= 2, "{name}");
        let host = crate::output::hostname();
        let stem = store::file_name("cfg", at, &host, 0);
        let stem = stem.trim_end_matches("0000.tar.age");
        assert!(
            name.starts_with(stem) && name.ends_with(".tar.age"),
            "{name}"
        );
        assert_eq!(report.locations.len(), 2);
        for (copy, loc) in kit.copies(&name).iter().zip(&report.locations) {
            assert!(loc.ok, "{loc:?}");
            assert!(store::looks_complete(copy));
            assert!(copy.signature_path().is_file());
        }
        let last = last_backup(&kit.state(), "cfg").unwrap();
        assert_eq!(last.name, name);
        assert_eq!(report.files, 1);
    }

    #[test]
    fn retention_prunes_the_oldest_and_keeps_the_copy_just_written() {
        let kit = Kit::new(Retention {
            keep_last: 2,
            ..Retention::default()
        });
        let a = kit.version_at(1, -40);
        let b = kit.version_at(2, -30);
        let report = kit.back_up_at(-20, force());
        let c = report.backup.clone().unwrap();
        assert_eq!(report.locations[0].pruned, std::slice::from_ref(&a));
        assert_eq!(report.locations[1].pruned, [a]);
        assert_eq!(kit.names(0), [c.clone(), b.clone()]);

        // A clock stepped back: the new copy is named older than the others, and is kept.
        let report = kit.back_up_at(-60, force());
        let d = report.backup.unwrap();
        assert_eq!(report.locations[0].pruned, [b]);
        assert_eq!(kit.names(0), [c, d]);
        assert_eq!(kit.names(1), kit.names(0));
    }

    #[test]
    fn a_copy_that_does_not_look_complete_is_left_for_a_person() {
        let kit = Kit::new(Retention {
            keep_last: 1,
            ..Retention::default()
        });
        let a = kit.version_at(1, -40);
        std::fs::remove_file(kit.copies(&a)[0].sidecar_path()).unwrap();
        let report = kit.back_up_at(-20, force());
        assert!(report.locations[0].pruned.is_empty());
        assert_eq!(report.locations[1].pruned, std::slice::from_ref(&a));
        assert!(kit.names(0).contains(&a));
    }
}
