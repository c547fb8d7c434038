//! Which copy a restore takes, on real copies made by `backup::run`: the newest that passes
//! every check, each refused one skipped and said why.

use super::super::sign::Signer;
use super::super::testkit::{Kit, version};
use super::*;

fn opts() -> Options {
    Options {
        mode: Mode::Write,
        at: None,
        if_invalid: false,
        to: None,
        allow_unsigned: false,
    }
}

fn at(at: &str) -> Options {
    Options {
        at: Some(at.to_owned()),
        ..opts()
    }
}

/// Three backups of three versions, 30, 20 and 10 minutes ago; the file then changed.
fn three() -> (Kit, [String; 3]) {
    let kit = Kit::keeping_all();
    let names = [
        kit.version_at(1, -30),
        kit.version_at(2, -20),
        kit.version_at(3, -10),
    ];
    kit.write(&version(9));
    (kit, names)
}

/// Applies `f` to the copy of `name` in every location.
fn tamper(kit: &Kit, name: &str, f: impl Fn(&store::Copy)) {
    for copy in kit.copies(name) {
        f(&copy);
    }
}

/// Removes a copy's signature, as in copies made before backups were signed.
fn unsign(copy: &store::Copy) {
    std::fs::remove_file(copy.signature_path()).unwrap();
}

fn skipped(body: &Body) -> Vec<(&str, CopyState)> {
    body.skipped
        .iter()
        .map(|c| (c.backup.as_str(), c.state))
        .collect()
}

#[test]
fn the_newest_valid_copy_wins() {
    let (kit, [_, _, newest]) = three();
    let (status, summary, body) = kit.restore(&opts());
    assert_eq!(status, Status::Ok, "{summary}");
    assert_eq!(kit.read(), version(3));
    let used = body.used.clone().unwrap();
    assert_eq!(used.backup, newest);
    assert_eq!(used.state, CopyState::Valid);
    assert_eq!(used.location, kit.cfg.locations[0].path);
    assert!(body.skipped.is_empty());
    assert_eq!(body.files[0].action, Change::Replaced);
    assert!(body.files[0].previous.as_ref().unwrap().is_file());
}

#[test]
fn a_copy_damaged_in_one_location_is_taken_from_the_next() {
    let (kit, [_, _, newest]) = three();
    let copy = &kit.copies(&newest)[0];
    let mut bytes = std::fs::read(copy.path()).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(copy.path(), bytes).unwrap();
    let (status, summary, body) = kit.restore(&opts());
    assert_eq!(status, Status::Warning, "{summary}");
    let used = body.used.clone().unwrap();
    assert_eq!(
        (used.backup.as_str(), used.location),
        (newest.as_str(), kit.cfg.locations[1].path.clone())
    );
    assert_eq!(skipped(&body), [(newest.as_str(), CopyState::Damaged)]);
    assert!(summary.contains("1 damaged"), "{summary}");
    assert_eq!(kit.read(), version(3));
}

#[test]
fn forged_unsigned_and_corrupt_copies_are_skipped_for_an_older_valid_one() {
    let (kit, [oldest, middle, newest]) = three();
    // Signed by a key restore does not accept.
    let stranger = Signer::load_or_create(&kit.dir.path().join("stranger.key")).unwrap();
    tamper(&kit, &newest, |c| {
        let (sidecar, _) = store::sidecar(c).unwrap();
        std::fs::write(c.signature_path(), stranger.sign(&sidecar).unwrap()).unwrap();
    });
    tamper(&kit, &middle, unsign);
    let (status, summary, body) = kit.restore(&opts());
    assert_eq!(status, Status::Warning, "{summary}");
    assert_eq!(body.used.clone().unwrap().backup, oldest);
    assert_eq!(
        skipped(&body),
        [
            (newest.as_str(), CopyState::Forged),
            (newest.as_str(), CopyState::Forged),
            (middle.as_str(), CopyState::Unsigned),
            (middle.as_str(), CopyState::Unsigned),
        ]
    );
    assert!(summary.contains("2 forged, 2 unsigned"), "{summary}");
    assert_eq!(kit.read(), version(1));
}

#[test]
fn an_unsigned_copy_is_used_only_when_allowed_and_says_so() {
    let (kit, [_, _, newest]) = three();
    tamper(&kit, &newest, unsign);
    let allowed = Options {
        allow_unsigned: true,
        ..opts()
    };
    let (status, summary, body) = kit.restore(&allowed);
    assert_eq!(status, Status::Warning, "{summary}");
    assert!(summary.contains("unsigned"), "{summary}");
    let used = body.used.clone().unwrap();
    assert_eq!(
        (used.backup, used.state),
        (newest, CopyState::ValidUnsigned)
    );
}

#[test]
fn a_copy_renamed_over_another_is_forged() {
    let (kit, [oldest, _, newest]) = three();
    // The oldest copy's files under the newest one's name: the signed sidecar names the old.
    tamper(&kit, &newest, |c| {
        let from = store::Copy {
            name: oldest.clone(),
            ..c.clone()
        };
        std::fs::copy(from.path(), c.path()).unwrap();
        std::fs::copy(from.sidecar_path(), c.sidecar_path()).unwrap();
        std::fs::copy(from.signature_path(), c.signature_path()).unwrap();
    });
    let (_, _, body) = kit.restore(&opts());
    assert_eq!(skipped(&body)[0], (newest.as_str(), CopyState::Forged));
    assert!(
        body.skipped[0].reason.contains("renamed"),
        "{:?}",
        body.skipped[0]
    );
}

#[test]
fn a_copy_named_for_the_future_is_forged() {
    let kit = Kit::keeping_all();
    let past = kit.version_at(1, -10);
    let future = kit.version_at(2, 60);
    let (_, _, body) = kit.restore(&opts());
    assert_eq!(body.used.clone().unwrap().backup, past);
    assert_eq!(skipped(&body)[0], (future.as_str(), CopyState::Forged));
    assert!(
        body.skipped[0].reason.contains("future"),
        "{:?}",
        body.skipped[0]
    );
}

#[test]
fn a_copy_newer_than_this_hosts_newest_is_a_replay() {
    let (kit, [_, middle, newest]) = three();
    // This host's record says its newest backup is the middle one, so the newest copy (signed,
    // intact, this host's name) was not written by this host as that record knows it.
    let record = last_path_json(&kit.state(), &middle);
    std::fs::write(kit.state().join("backup/cfg.json"), record).unwrap();
    let (_, _, body) = kit.restore(&opts());
    assert_eq!(body.used.clone().unwrap().backup, middle);
    assert_eq!(skipped(&body)[0], (newest.as_str(), CopyState::Forged));
    assert!(
        body.skipped[0].reason.contains("claims to be newer"),
        "{:?}",
        body.skipped[0]
    );
}

fn last_path_json(state: &Path, name: &str) -> Vec<u8> {
    let last = super::super::run::last_backup(state, "cfg").unwrap();
    serde_json::to_vec(&super::super::run::LastBackup {
        fingerprint: last.fingerprint,
        name: name.to_owned(),
    })
    .unwrap()
}

#[test]
fn no_valid_copy_is_critical_and_writes_nothing() {
    let (kit, names) = three();
    for name in &names {
        tamper(&kit, name, unsign);
    }
    let (status, summary, body) = kit.restore(&opts());
    assert_eq!(status, Status::Critical, "{summary}");
    assert!(body.used.is_none());
    assert_eq!(body.skipped.len(), 6);
    assert!(summary.contains("nothing written"), "{summary}");
    assert_eq!(kit.read(), version(9));
}

#[test]
fn at_picks_an_older_backup_by_id_prefix_or_time() {
    let (kit, [oldest, middle, _]) = three();
    let (status, _, body) = kit.restore(&at(oldest.trim_end_matches(".tar.age")));
    assert_eq!(status, Status::Ok);
    assert_eq!(body.used.clone().unwrap().backup, oldest);
    assert_eq!(kit.read(), version(1));

    // A time: the newest at or before it.
    let time = store::time_in_name("cfg", &middle).unwrap() + chrono::TimeDelta::minutes(5);
    let (_, _, body) = kit.restore(&at(&time.to_rfc3339()));
    assert_eq!(body.used.clone().unwrap().backup, middle);
    assert_eq!(kit.read(), version(2));

    // Before every backup: nothing to restore.
    let before = store::time_in_name("cfg", &oldest).unwrap() - chrono::TimeDelta::minutes(1);
    let (status, summary, body) = kit.restore(&at(&before.to_rfc3339()));
    assert_eq!(status, Status::Critical, "{summary}");
    assert!(body.used.is_none());
}

#[test]
fn at_an_invalid_backup_does_not_fall_back_to_another() {
    let (kit, [_, middle, _]) = three();
    tamper(&kit, &middle, unsign);
    let (status, _, body) = kit.restore(&at(&middle));
    assert_eq!(status, Status::Critical);
    assert!(body.used.is_none());
    assert_eq!(kit.read(), version(9));
}

#[test]
fn only_if_invalid_leaves_valid_files_alone() {
    let (kit, _) = three();
    let if_invalid = Options {
        if_invalid: true,
        ..opts()
    };
    let (status, summary, body) = kit.restore(&if_invalid);
    assert_eq!(status, Status::Ok);
    assert!(summary.contains("nothing restored"), "{summary}");
    assert!(body.used.is_none());
    assert_eq!(kit.read(), version(9));

    kit.write("{\"mcpServers\": ");
    let (status, _, body) = kit.restore(&if_invalid);
    assert_eq!(status, Status::Ok);
    assert!(body.used.is_some());
    assert_eq!(kit.read(), version(3));

    // A missing file cannot be valid either.
    std::fs::remove_file(kit.file()).unwrap();
    let (_, _, body) = kit.restore(&if_invalid);
    assert_eq!(body.files[0].action, Change::Created);
}

#[test]
fn list_and_dry_run_write_nothing() {
    let (kit, [oldest, _, newest]) = three();
    tamper(&kit, &oldest, unsign);
    let list = Options {
        mode: Mode::List,
        ..opts()
    };
    let (status, summary, body) = kit.restore(&list);
    assert_eq!(status, Status::Warning, "{summary}");
    let seen: Vec<CopyState> = body.candidates.iter().map(|c| c.state).collect();
    assert_eq!(
        seen,
        [
            CopyState::Valid,
            CopyState::Valid,
            CopyState::Valid,
            CopyState::Valid,
            CopyState::Unsigned,
            CopyState::Unsigned
        ]
    );
    assert!(summary.contains("6 copies of cfg, 4 valid"), "{summary}");

    let dry = Options {
        mode: Mode::DryRun,
        ..opts()
    };
    let (_, summary, body) = kit.restore(&dry);
    assert!(summary.contains("would restore"), "{summary}");
    assert_eq!(body.used.clone().unwrap().backup, newest);
    assert_eq!(body.files[0].action, Change::WouldBeReplaced);
    assert_eq!(body.files[0].changed_keys, ["~mcpServers.a.command"]);
    assert_eq!(kit.read(), version(9));
    assert!(!kit.state().join("restore").exists());
}

#[test]
fn recovery_restores_only_what_needs_it() {
    let (kit, _) = three();
    let state = kit.state();
    assert_eq!(
        for_recovery(Some(&kit.cfg), "cfg", true, &state).unwrap(),
        None
    );
    assert_eq!(kit.read(), version(9));
    let done = for_recovery(Some(&kit.cfg), "cfg", false, &state).unwrap();
    assert!(done.is_some_and(|s| s.contains("restored 1 of 1")));
    assert_eq!(kit.read(), version(3));
    // Already the backup's content: nothing written, nothing to report.
    assert_eq!(
        for_recovery(Some(&kit.cfg), "cfg", false, &state).unwrap(),
        None
    );
    assert!(matches!(
        for_recovery(Some(&kit.cfg), "nope", false, &state),
        Err(RecoveryError::NoTarget(_))
    ));
    assert!(matches!(
        for_recovery(None, "cfg", false, &state),
        Err(RecoveryError::NoBackup)
    ));
}
