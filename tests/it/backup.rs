//! backup and restore end to end, with the real `age` CLI in both directions, a corruption
//! matrix, failing locations and bad identities.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::{Run, Test};

pub(crate) const OLD: &str = "{\"mcpServers\": {\"jira\": {\"command\": \"old\"}}}\n";
pub(crate) const NEW: &str = "{\"mcpServers\": {\"jira\": {\"command\": \"new\"}}}\n";

/// A temp dir with an age key pair, two locations and a target holding a config file and a
/// 200 KiB file (so the ciphertext spans several 64 KiB chunks).
pub(crate) fn setup(extra: &str) -> (Test, String) {
    let t = Test::new();
    let key = t.path().join("key.txt");
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(&key)
        .output()
        .expect("age-keygen is installed by scripts/test.sh");
    assert!(out.status.success());
    let public = String::from_utf8_lossy(&out.stderr)
        .split_whitespace()
        .last()
        .unwrap()
        .to_owned();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = format!(
        "[backup]\nrecipients = [\"{public}\"]\nidentity = \"{{dir}}/key.txt\"\nlocations = [\"{{dir}}/loc1\", \"{{dir}}/loc2\"]\n\
         [backup.retention]\nkeep_last = 10\n\
         [backup.targets.cursor]\npaths = [\"{{dir}}/cfg/mcp.json\"]\nformat = \"json\"\n\
         [backup.targets.blob]\npaths = [\"{{dir}}/data\"]\n{extra}"
    );
    let t = t
        .file("cfg/mcp.json", OLD)
        .file("data/big.bin", &"x".repeat(200 * 1024))
        .config(&config);
    (t, public)
}

pub(crate) fn mcpctl(t: &Test, args: &[&str]) -> Run {
    let mut cmd = t.command();
    cmd.args(args.iter().map(|a| t.expand(a)));
    let out = cmd.output().unwrap();
    Run::from_output(&out, t.path())
}

pub(crate) fn copies(dir: &Path, target: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    let n = p.file_name().unwrap().to_string_lossy();
                    n.starts_with(&format!("mcpctl-{target}-")) && n.ends_with(".tar.age")
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

pub(crate) fn sidecar(p: &Path) -> PathBuf {
    PathBuf::from(format!("{}.sha256", p.display()))
}

#[test]
fn backup_restore_round_trip_with_the_age_cli() {
    let (t, _) = setup("");
    mcpctl(&t, &["backup", "--json"]).code(0);
    let c = copies(&t.path().join("loc1"), "cursor");
    assert_eq!(c.len(), 1);
    assert_eq!(copies(&t.path().join("loc2"), "cursor").len(), 1);
    assert_eq!(
        std::fs::metadata(&c[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // By hand: age -d -i key.txt FILE | tar -x
    let unpack = t.path().join("unpacked");
    std::fs::create_dir_all(&unpack).unwrap();
    let mut age = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(t.path().join("key.txt"))
        .arg(&c[0])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(&unpack)
        .stdin(age.stdout.take().unwrap())
        .status()
        .unwrap();
    assert!(tar.success());
    assert!(age.wait().unwrap().success());
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(unpack.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["target"], "cursor");
    let member = manifest["files"][0]["member"].as_str().unwrap();
    assert_eq!(std::fs::read_to_string(unpack.join(member)).unwrap(), OLD);

    // An unchanged target is skipped; --force writes anyway.
    let run = mcpctl(&t, &["backup", "--json"]);
    run.code(0);
    assert_eq!(run.json()["targets"][0]["result"], "unchanged");
    std::fs::write(t.path().join("cfg/mcp.json"), "{ corrupted").unwrap();
    let run = mcpctl(&t, &["restore", "cursor", "--json"]);
    run.code(0);
    assert_eq!(
        std::fs::read_to_string(t.path().join("cfg/mcp.json")).unwrap(),
        OLD
    );
    // The replaced file is kept in the state dir, never beside the original.
    let previous = run.json()["files"][0]["previous"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        previous.starts_with(
            &t.path()
                .join("state/mcpctl/restore/cursor")
                .display()
                .to_string()
        )
    );
    assert_eq!(std::fs::read_to_string(&previous).unwrap(), "{ corrupted");
    assert!(!t.path().join("cfg/mcp.json.mcpctl-prev").exists());
}

#[test]
fn a_copy_made_before_signing_restores_only_with_allow_unsigned() {
    let (t, _) = setup("");
    mcpctl(&t, &["backup", "cursor"]).code(0);
    // As an mcpctl from before signing left it: no signature, a sidecar without the manifest.
    for loc in ["loc1", "loc2"] {
        let copy = copies(&t.path().join(loc), "cursor").remove(0);
        std::fs::remove_file(format!("{}.sig", copy.display())).unwrap();
        let mut side: Value =
            serde_json::from_slice(&std::fs::read(sidecar(&copy)).unwrap()).unwrap();
        side.as_object_mut().unwrap().remove("manifest_sha256");
        std::fs::write(sidecar(&copy), side.to_string()).unwrap();
    }
    std::fs::write(t.path().join("cfg/mcp.json"), NEW).unwrap();
    let run = mcpctl(&t, &["restore", "cursor", "--json"]);
    run.code(2);
    assert_eq!(
        run.json()["skipped"][0]["state"],
        "unsigned",
        "{}",
        run.stdout
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("cfg/mcp.json")).unwrap(),
        NEW
    );
    let run = mcpctl(&t, &["restore", "cursor", "--json", "--allow-unsigned"]);
    run.code(1);
    assert_eq!(run.json()["used"]["state"], "valid_unsigned");
    assert!(
        run.stderr().contains("--allow-unsigned"),
        "{}",
        run.stderr()
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("cfg/mcp.json")).unwrap(),
        OLD
    );
}

/// Two backups (OLD then NEW); the newest is damaged in every copy by `damage`; restore must
/// fall back to OLD, and the target must never receive a damaged byte.
fn falls_back(damage: impl Fn(&Path)) {
    falls_back_skipping(2, |p, _| damage(p));
}

/// As `falls_back`, with the number of copies restore must skip; `damage` also gets the older
/// copy in the same location.
fn falls_back_skipping(skipped: usize, damage: impl Fn(&Path, &Path)) {
    let (t, _) = setup("");
    mcpctl(&t, &["backup", "blob", "cursor"]).code(0);
    std::fs::write(t.path().join("cfg/mcp.json"), NEW).unwrap();
    std::fs::write(t.path().join("data/big.bin"), "y".repeat(200 * 1024)).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    mcpctl(&t, &["backup", "blob", "cursor"]).code(0);
    for target in ["cursor", "blob"] {
        for loc in ["loc1", "loc2"] {
            let mut all = copies(&t.path().join(loc), target);
            let newest = all.pop().unwrap();
            damage(&newest, &all[0]);
        }
    }
    std::fs::write(t.path().join("cfg/mcp.json"), "{ broken").unwrap();
    std::fs::write(t.path().join("data/big.bin"), "broken").unwrap();
    for target in ["cursor", "blob"] {
        let run = mcpctl(&t, &["restore", target, "--json"]);
        run.code(1);
        let report = run.json();
        assert_eq!(
            report["skipped"].as_array().unwrap().len(),
            skipped,
            "{report:#}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(t.path().join("cfg/mcp.json")).unwrap(),
        OLD
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("data/big.bin")).unwrap(),
        "x".repeat(200 * 1024)
    );
}

fn flip(path: &Path, offset: impl Fn(usize) -> usize) {
    let mut b = std::fs::read(path).unwrap();
    let i = offset(b.len());
    b[i] ^= 0x01;
    std::fs::write(path, b).unwrap();
}

#[test]
fn bit_flip_in_header_is_detected() {
    falls_back(|p| flip(p, |_| 40));
}

#[test]
fn bit_flip_in_payload_is_detected() {
    falls_back(|p| flip(p, |len| len - 100));
}

#[test]
fn bit_flip_in_sidecar_is_detected() {
    falls_back(|p| flip(&sidecar(p), |len| len / 2));
}

#[test]
fn truncation_on_and_off_a_chunk_boundary_is_detected() {
    falls_back(|p| {
        let b = std::fs::read(p).unwrap();
        let cut = if b.len() > 64 * 1024 + 200 {
            64 * 1024 + 200
        } else {
            b.len() / 2
        };
        std::fs::write(p, &b[..cut]).unwrap();
    });
    falls_back(|p| {
        let b = std::fs::read(p).unwrap();
        std::fs::write(p, &b[..b.len() - 17]).unwrap();
    });
}

#[test]
fn deleted_or_swapped_sidecars_are_detected() {
    falls_back(|p| std::fs::remove_file(sidecar(p)).unwrap());
    // Swapped in loc1, so the older copy there fails too; loc2's newest lost its sidecar.
    falls_back_skipping(3, |newest, older| {
        if newest.parent().unwrap().ends_with("loc1") {
            let (a, b) = (
                std::fs::read(sidecar(newest)).unwrap(),
                std::fs::read(sidecar(older)).unwrap(),
            );
            std::fs::write(sidecar(newest), b).unwrap();
            std::fs::write(sidecar(older), a).unwrap();
        } else {
            std::fs::remove_file(sidecar(newest)).unwrap();
        }
    });
}

#[test]
fn check_reports_each_bad_copy() {
    let (t, _) = setup("");
    mcpctl(&t, &["backup"]).code(0);
    let bad = copies(&t.path().join("loc2"), "cursor").remove(0);
    flip(&bad, |len| len - 10);
    let run = mcpctl(&t, &["backup", "--check", "--json"]);
    run.code(1);
    let report = run.json();
    let bad_copies: Vec<&Value> = report["copies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .collect();
    assert_eq!(bad_copies.len(), 1, "{report:#}");
    assert!(
        bad_copies[0]["file"]
            .as_str()
            .unwrap()
            .ends_with(&*bad.file_name().unwrap().to_string_lossy())
    );
}

#[test]
fn a_failing_location_is_a_warning_and_the_others_are_written() {
    let (t, _) = setup("");
    std::fs::write(t.path().join("loc2"), "a file, not a directory").unwrap();
    let run = mcpctl(&t, &["backup", "cursor", "--json"]);
    run.code(1);
    let report = run.json();
    let locs = report["targets"][0]["locations"].as_array().unwrap();
    assert_eq!(locs[0]["ok"], true);
    assert_eq!(locs[1]["ok"], false);
    assert_eq!(copies(&t.path().join("loc1"), "cursor").len(), 1);
}

#[test]
fn an_invalid_file_is_refused_unless_allowed() {
    let (t, _) = setup("");
    std::fs::write(t.path().join("cfg/mcp.json"), "{ half-written").unwrap();
    let run = mcpctl(&t, &["backup", "cursor"]);
    run.code(2);
    assert!(
        run.stderr().contains("refusing to back up") && run.stderr().contains("--allow-invalid"),
        "{}",
        run.stderr()
    );
    assert!(copies(&t.path().join("loc1"), "cursor").is_empty());
    mcpctl(&t, &["backup", "cursor", "--allow-invalid"]).code(0);
}

#[test]
fn bad_identities_are_refused_and_nothing_is_written() {
    let (t, _) = setup("");
    mcpctl(&t, &["backup", "cursor"]).code(0);
    std::fs::write(t.path().join("cfg/mcp.json"), NEW).unwrap();
    std::fs::set_permissions(
        t.path().join("key.txt"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let run = mcpctl(&t, &["restore", "cursor"]);
    run.code(3);
    assert!(
        run.stderr().contains("readable by others") && run.stderr().contains("chmod 600"),
        "{}",
        run.stderr()
    );
    // A key that is not the backup's.
    let other = Command::new("age-keygen").output().unwrap().stdout;
    std::fs::write(t.path().join("key.txt"), other).unwrap();
    std::fs::set_permissions(
        t.path().join("key.txt"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let run = mcpctl(&t, &["restore", "cursor", "--json"]);
    run.code(2);
    assert!(
        run.json()["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("cannot decrypt with the identity"),
        "{}",
        run.stdout
    );
    std::fs::remove_file(t.path().join("key.txt")).unwrap();
    let run = mcpctl(&t, &["restore", "cursor"]);
    run.code(3);
    assert!(run.stderr().contains("key.txt"), "{}", run.stderr());
    assert_eq!(
        std::fs::read_to_string(t.path().join("cfg/mcp.json")).unwrap(),
        NEW
    );
}

#[test]
fn dry_run_if_invalid_to_and_list() {
    let (t, _) = setup("");
    mcpctl(&t, &["backup", "cursor"]).code(0);
    std::fs::write(
        t.path().join("cfg/mcp.json"),
        "{\"mcpServers\": {\"jira\": {\"command\": \"new\", \"args\": []}}}",
    )
    .unwrap();
    let run = mcpctl(&t, &["restore", "cursor", "--dry-run", "--json"]);
    run.code(0);
    let report = run.json();
    assert_eq!(report["files"][0]["action"], "would be replaced");
    assert_eq!(
        report["files"][0]["changed_keys"],
        serde_json::json!(["~mcpServers.jira.command", "-mcpServers.jira.args"])
    );
    assert!(
        !run.stdout.contains("\"new\"") && !run.stdout.contains("old"),
        "values are never shown"
    );
    // The current file is valid: --if-invalid leaves it alone.
    mcpctl(&t, &["restore", "cursor", "--if-invalid"]).code(0);
    assert!(
        std::fs::read_to_string(t.path().join("cfg/mcp.json"))
            .unwrap()
            .contains("new")
    );
    // --to restores elsewhere.
    mcpctl(&t, &["restore", "cursor", "--to", "{dir}/elsewhere"]).code(0);
    let restored = t
        .path()
        .join("elsewhere")
        .join(t.path().join("cfg/mcp.json").strip_prefix("/").unwrap());
    assert_eq!(std::fs::read_to_string(restored).unwrap(), OLD);
    let run = mcpctl(&t, &["restore", "cursor", "--list", "--json"]);
    run.code(0);
    assert_eq!(run.json()["candidates"].as_array().unwrap().len(), 2);
}

#[test]
fn retention_prunes_only_beyond_the_policy() {
    let (t, _) = setup("");
    let config = std::fs::read_to_string(t.path().join("mcpctl.toml"))
        .unwrap()
        .replace("keep_last = 10", "keep_last = 2\nmin_keep = 1");
    std::fs::write(t.path().join("mcpctl.toml"), config).unwrap();
    for _ in 0..4 {
        // Several backups a second: the one just written must survive its own pruning.
        let run = mcpctl(&t, &["backup", "cursor", "--force", "--json"]);
        run.code(0);
        let name = run.json()["targets"][0]["backup"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(t.path().join("loc1").join(&name).is_file());
        assert!(t.path().join("loc2").join(&name).is_file());
    }
    assert_eq!(copies(&t.path().join("loc1"), "cursor").len(), 2);
    assert_eq!(copies(&t.path().join("loc2"), "cursor").len(), 2);
}

#[test]
fn a_location_can_keep_fewer_copies_than_the_others() {
    let (t, _) = setup("");
    let config = std::fs::read_to_string(t.path().join("mcpctl.toml"))
        .unwrap()
        .replace(
            &t.expand("\"{dir}/loc2\""),
            &t.expand("{ path = \"{dir}/loc2\", retention = { keep_last = 1, min_keep = 1 } }"),
        )
        .replace("keep_last = 10", "keep_last = 3");
    std::fs::write(t.path().join("mcpctl.toml"), t.expand(&config)).unwrap();
    for _ in 0..4 {
        mcpctl(&t, &["backup", "cursor", "--force"]).code(0);
    }
    assert_eq!(copies(&t.path().join("loc1"), "cursor").len(), 3);
    assert_eq!(copies(&t.path().join("loc2"), "cursor").len(), 1);
}

#[test]
fn server_config_files_become_targets() {
    let (t, _) =
        setup("[servers.jira]\ncommand = \"true\"\nconfig_files = [\"{dir}/jira/.env\"]\n");
    let config = std::fs::read_to_string(t.path().join("mcpctl.toml"))
        .unwrap()
        .replace("[backup]\n", "[backup]\nserver_configs = true\n");
    std::fs::write(t.path().join("mcpctl.toml"), t.expand(&config)).unwrap();
    let env = t.path().join("jira/.env");
    std::fs::create_dir_all(env.parent().unwrap()).unwrap();
    std::fs::write(&env, "JIRA_API_TOKEN=canary-in-env\n").unwrap();
    mcpctl(&t, &["backup", "server-jira"]).code(0);
    assert_eq!(copies(&t.path().join("loc1"), "server-jira").len(), 1);

    // The derived target is validated by file name: a broken .env is refused.
    std::fs::write(&env, "JIRA_API_TOKEN='unterminated\n").unwrap();
    let run = mcpctl(&t, &["backup", "server-jira", "--force"]);
    run.code(2).stderr_contains("refusing to back up");
    assert!(!run.stdout.contains("canary") && !run.peek_stderr().contains("canary"));

    let run = mcpctl(&t, &["restore", "server-jira", "--json"]);
    run.code(0);
    assert_eq!(
        std::fs::read_to_string(&env).unwrap(),
        "JIRA_API_TOKEN=canary-in-env\n"
    );
    assert_eq!(
        std::fs::metadata(&env).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn a_progress_bar_on_a_terminal_and_silence_under_cron() {
    let (t, _) = setup("");
    let run = mcpctl(&t, &["backup"]);
    run.code(0);
    assert_eq!((run.stdout.as_str(), run.stderr()), ("", ""));

    // script(1) gives mcpctl a pty, as a person at a shell has.
    let line = format!(
        "stty cols 100; '{}' --config '{}' --state-dir '{}' backup --force",
        env!("CARGO_BIN_EXE_mcpctl"),
        t.path().join("mcpctl.toml").display(),
        t.path().join("state").display()
    );
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("script(1) from util-linux is installed by scripts/test.sh");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("backup [") && shown.contains("2/2"),
        "{shown}"
    );
    assert!(shown.contains("TARGET"), "{shown}");
}

#[test]
fn leftover_temp_files_are_cleaned() {
    let (t, _) = setup("");
    std::fs::create_dir_all(t.path().join("loc1")).unwrap();
    let host = String::from_utf8(Command::new("hostname").output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_owned();
    let leftover = t
        .path()
        .join("loc1")
        .join(format!(".mcpctl-tmp-{host}-abc123"));
    std::fs::write(&leftover, "half a backup").unwrap();
    mcpctl(&t, &["backup", "cursor"]).code(0);
    assert!(!leftover.exists());
}

#[test]
fn restore_at_a_time_or_id() {
    let (t, _) = setup("");
    mcpctl(&t, &["backup", "cursor"]).code(0);
    let first = copies(&t.path().join("loc1"), "cursor").remove(0);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::write(t.path().join("cfg/mcp.json"), NEW).unwrap();
    mcpctl(&t, &["backup", "cursor"]).code(0);
    let id = first
        .file_name()
        .unwrap()
        .to_string_lossy()
        .trim_end_matches(".tar.age")
        .to_owned();
    mcpctl(&t, &["restore", "cursor", "--at", &id]).code(0);
    assert_eq!(
        std::fs::read_to_string(t.path().join("cfg/mcp.json")).unwrap(),
        OLD
    );
    mcpctl(&t, &["restore", "cursor", "--at", "2099-01-01T00:00:00Z"]).code(0);
    assert_eq!(
        std::fs::read_to_string(t.path().join("cfg/mcp.json")).unwrap(),
        NEW
    );
    let run = mcpctl(&t, &["restore", "cursor", "--at", "2001-01-01T00:00:00Z"]);
    run.code(2);
    assert!(
        run.stderr().contains("no backup of cursor matching --at"),
        "{}",
        run.stderr()
    );
}

#[test]
fn ssh_recipients_and_recipients_file() {
    let t = Test::new();
    let key = t.path().join("id_ed25519");
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen (openssh-client) is installed");
    assert!(ok.success());
    let public = std::fs::read_to_string(t.path().join("id_ed25519.pub")).unwrap();
    let t = t
        .file("recipients.txt", &format!("# team keys\n{public}\n"))
        .file("cfg/a.env", "TOKEN=abc\n")
        .config("[backup]\nrecipients_file = \"{dir}/recipients.txt\"\nidentity = \"{dir}/id_ed25519\"\nlocations = [\"{dir}/loc\"]\n[backup.targets.env]\npaths = [\"{dir}/cfg/a.env\"]\nformat = \"dotenv\"\n");
    mcpctl(&t, &["backup"]).code(0);
    std::fs::write(t.path().join("cfg/a.env"), "TOKEN=changed\n").unwrap();
    mcpctl(&t, &["restore", "env"]).code(0);
    assert_eq!(
        std::fs::read_to_string(t.path().join("cfg/a.env")).unwrap(),
        "TOKEN=abc\n"
    );
    let mode = std::fs::metadata(t.path().join("cfg/a.env"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "credential files come back 0600");
}

#[test]
fn concurrent_backups_never_tear_a_file() {
    let (t, _) = setup("");
    let children: Vec<_> = (0..4)
        .map(|_| {
            t.command()
                .args(["backup", "--force", "--wait-lock", "30s"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert_eq!(c.wait().unwrap().code(), Some(0));
    }
    let run = mcpctl(&t, &["backup", "--check", "--json"]);
    run.code(0);
    assert_eq!(run.json()["copies"].as_array().unwrap().len(), 16);
}

/// SIGKILL at several moments of a backup and of a restore: every target file is the old or
/// the new version, earlier backups stay valid, and the next run cleans up.
#[test]
fn kill_9_during_backup_and_restore_loses_nothing() {
    let (t, _) = setup("");
    let big: String = (0..6 * 1024 * 1024)
        .map(|i| char::from(b'a' + u8::try_from(i % 26).unwrap()))
        .collect();
    std::fs::write(t.path().join("data/big.bin"), &big).unwrap();
    mcpctl(&t, &["backup"]).code(0);
    for delay_ms in [1, 5, 20, 60, 150] {
        let mut child = t
            .command()
            .args(["backup", "--force"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let mut child = t
            .command()
            .args(["restore", "blob"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = std::fs::read_to_string(t.path().join("data/big.bin")).unwrap();
        assert!(
            now == big,
            "after a kill at {delay_ms} ms the file is torn ({} bytes)",
            now.len()
        );
    }
    // Every stored copy still verifies, and no temp file survives the next run.
    // The killed runs may have left their locks: taking them over is said, nothing else.
    mcpctl(&t, &["backup", "--force"])
        .code(0)
        .stderr_lines(|l| l.contains(" WARN took over the lock "));
    let run = mcpctl(&t, &["backup", "--check", "--json"]);
    run.code(0);
    for loc in ["loc1", "loc2"] {
        let temps: Vec<_> = std::fs::read_dir(t.path().join(loc))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".mcpctl-tmp-"))
            .collect();
        assert!(temps.is_empty(), "{temps:?}");
    }
}

#[test]
fn temp_files_a_killed_run_left_are_never_backed_up_and_are_cleaned() {
    let (t, _) = setup("");
    for i in 0..50 {
        std::fs::write(t.path().join(format!("data/.mcpctl-tmp-{i:04}")), "half").unwrap();
    }
    std::fs::write(t.path().join("cfg/.mcpctl-tmp-left"), "{ half").unwrap();
    let run = mcpctl(&t, &["backup", "--json"]);
    run.code(0);
    let blob = run.json()["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "blob")
        .unwrap()
        .clone();
    assert_eq!(blob["files"], 1, "{blob:#}");
    let left = |dir: &str| {
        std::fs::read_dir(t.path().join(dir))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".mcpctl-tmp-"))
            .count()
    };
    assert_eq!(left("data"), 0);
    std::fs::write(t.path().join("cfg/.mcpctl-tmp-again"), "{ half").unwrap();
    std::fs::write(t.path().join("cfg/mcp.json"), NEW).unwrap();
    mcpctl(&t, &["restore", "cursor"]).code(0);
    assert_eq!(left("cfg"), 0);
}

/// `server_configs = true` backs up every MCP client file discovery finds, each checked the way
/// its own client reads it.
#[test]
fn server_configs_back_up_every_client_file_by_its_clients_rules() {
    let (t, _) = setup("");
    let config = std::fs::read_to_string(t.path().join("mcpctl.toml"))
        .unwrap()
        .replace("[backup]\n", "[backup]\nserver_configs = true\n");
    std::fs::write(t.path().join("mcpctl.toml"), config).unwrap();
    // A directory whose name looks like a glob is taken literally.
    let t = crate::clients::with_fixtures(t)
        .file(
            "odd [dir]/config.yaml",
            "name: c\nversion: 1\nmcpServers:\n  - name: odd\n    command: odd\n",
        )
        .env("CONTINUE_GLOBAL_DIR", "{dir}/odd [dir]");
    let run = mcpctl(&t, &["backup", "--json"]);
    run.code(0);
    let report = run.json();
    let targets: Vec<&Value> = report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["name"].as_str().unwrap().starts_with("client-"))
        .collect();
    let places: std::collections::BTreeSet<String> = crate::clients::fixtures()
        .into_iter()
        .map(|f| f.place)
        .collect();
    assert_eq!(targets.len(), places.len() + 1, "{report:#}");
    let odd = targets
        .iter()
        .find(|t| {
            t["name"]
                .as_str()
                .unwrap()
                .ends_with("-odd__dir_-config.yaml")
        })
        .expect("the odd directory's file");
    assert_eq!(odd["files"], 1);
    assert!(
        targets
            .iter()
            .all(|t| t["result"] == "written" && t["files"] == 1)
    );
    let names: Vec<&str> = targets
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let cline = "client-cline-cline-data-settings-cline_mcp_settings.json";
    let desktop =
        "client-claude-desktop-Library-Application_Support-Claude-claude_desktop_config.json";
    let vscode = "client-vs-code-Library-Application_Support-Code-User-settings.json";
    for name in [
        cline,
        desktop,
        vscode,
        "client-goose-config-goose-config.yaml",
    ] {
        assert!(names.contains(&name), "{name} not in {names:#?}");
    }
    assert_eq!(copies(&t.path().join("loc2"), cline).len(), 1);

    // A new client's file, restored from its copy.
    let file = t
        .path()
        .join("home/.cline/data/settings/cline_mcp_settings.json");
    let original = std::fs::read(&file).unwrap();
    std::fs::write(&file, "{ broken").unwrap();
    mcpctl(&t, &["restore", cline, "--json"]).code(0);
    assert_eq!(std::fs::read(&file).unwrap(), original);

    // The client's own syntax decides: a comment is fine in VS Code's settings, and a
    // corruption in Claude Desktop's strict JSON.
    for (rel, name) in [
        (
            "home/Library/Application Support/Code/User/settings.json",
            vscode,
        ),
        (
            "home/Library/Application Support/Claude/claude_desktop_config.json",
            desktop,
        ),
    ] {
        let path = t.path().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen('{', "{\n  // edited by hand\n", 1)).unwrap();
        let run = mcpctl(&t, &["backup", name, "--json"]);
        let result = &run.json()["targets"][0];
        if name == vscode {
            run.code(0);
            assert_eq!(result["result"], "written", "{result:#}");
        } else {
            run.code(2);
            assert_eq!(result["result"], "failed", "{result:#}");
            assert!(
                result["error"].as_str().unwrap().contains("strict JSON"),
                "{result:#}"
            );
        }
    }
}
