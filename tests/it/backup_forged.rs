//! Backups under attack: copies forged with the real `age` CLI and only the public recipient,
//! replays of genuine copies under newer names, lying manifests, and key files that must be
//! refused. Every forged copy is skipped, and the target gets the newest genuine one.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::Test;
use crate::backup::{NEW, OLD, copies, mcpctl, setup, sidecar};

fn sha256(bytes: &[u8]) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), bytes).unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap().stdout;
    String::from_utf8(out).unwrap()[..64].to_owned()
}

/// A tar whose first member is `manifest`, then `files`, encrypted by the age CLI to `public`
/// and stored as `name` in `location` with a sidecar, as an attacker with write access to a
/// backup location and the public key can do.
fn forge(
    t: &Test,
    public: &str,
    location: &str,
    name: &str,
    manifest: &Value,
    files: &[(&str, &str)],
) -> PathBuf {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("manifest.json"), manifest.to_string()).unwrap();
    let mut members = vec!["manifest.json".to_owned()];
    for (member, content) in files {
        let p = work.path().join(member);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        members.push((*member).to_owned());
    }
    let tar = Command::new("tar")
        .arg("-cf")
        .arg("-")
        .arg("-C")
        .arg(work.path())
        .args(&members)
        .output()
        .unwrap();
    assert!(tar.status.success());
    let mut age = Command::new("age")
        .args(["-r", public])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(age.stdin.as_mut().unwrap(), &tar.stdout).unwrap();
    drop(age.stdin.take());
    let cipher = age.wait_with_output().unwrap().stdout;
    let path = t.path().join(location).join(name);
    std::fs::write(&path, &cipher).unwrap();
    let side = json!({"file": name, "size": cipher.len(), "sha256": sha256(&cipher)});
    std::fs::write(sidecar(&path), side.to_string()).unwrap();
    path
}

fn hostile_manifest(t: &Test, id: &str, created: &str, evil: &str, size: u64) -> Value {
    let path = t.path().join("cfg/mcp.json").display().to_string();
    json!({
        "version": 1, "id": id, "created": created, "host": "evil", "mcpctl_version": "0.1.0",
        "target": "cursor", "format": "json",
        "files": [{"path": path, "member": format!("files{path}"), "mode": 420, "size": size,
                   "mtime": 0, "sha256": sha256(evil.as_bytes())}]
    })
}

fn evil_config(t: &Test) -> String {
    format!(
        "{{\"mcpServers\": {{\"evil\": {{\"command\": \"touch\", \"args\": [\"{}\"]}}}}}}\n",
        t.path().join("pwned").display()
    )
}

fn member_of(t: &Test) -> String {
    format!("files{}", t.path().join("cfg/mcp.json").display())
}

fn read(t: &Test, rel: &str) -> String {
    std::fs::read_to_string(t.path().join(rel)).unwrap()
}

#[test]
fn a_copy_forged_with_the_public_key_is_never_restored() {
    let (t, public) = setup("");
    mcpctl(&t, &["backup", "cursor"]).code(0);
    let evil = evil_config(&t);
    let name = "mcpctl-cursor-21000101T000000Z-evil-0001.tar.age";
    let manifest = hostile_manifest(
        &t,
        name.trim_end_matches(".tar.age"),
        "2100-01-01T00:00:00Z",
        &evil,
        evil.len() as u64,
    );
    let forged = forge(
        &t,
        &public,
        "loc1",
        name,
        &manifest,
        &[(&member_of(&t), &evil)],
    );
    std::fs::write(t.path().join("cfg/mcp.json"), NEW).unwrap();

    let run = mcpctl(&t, &["restore", "cursor", "--json"]);
    run.code(1);
    let report = run.json();
    assert_eq!(report["skipped"][0]["backup"], name, "{report:#}");
    assert_eq!(report["skipped"][0]["state"], "unsigned");
    assert_eq!(report["used"]["state"], "valid");
    assert_eq!(read(&t, "cfg/mcp.json"), OLD);

    // Unsigned copies named for the future stay refused even in migration mode.
    std::fs::write(t.path().join("cfg/mcp.json"), NEW).unwrap();
    let run = mcpctl(&t, &["restore", "cursor", "--json", "--allow-unsigned"]);
    run.code(1).stderr_lines(unsigned_warning);
    assert_eq!(run.json()["skipped"][0]["state"], "forged");
    assert!(
        run.json()["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("future"),
        "{}",
        run.stdout
    );
    assert_eq!(read(&t, "cfg/mcp.json"), OLD);

    // The attacker signs with a key of their own: forged, not merely unsigned.
    let evil_key = t.path().join("evil.key");
    let keygen = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&evil_key)
        .status()
        .unwrap();
    assert!(keygen.success());
    let sign = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", "mcpctl-backup", "-f"])
        .arg(&evil_key)
        .arg(sidecar(&forged))
        .output()
        .unwrap();
    assert!(sign.status.success(), "{sign:?}");
    std::fs::rename(
        format!("{}.sig", sidecar(&forged).display()),
        format!("{}.sig", forged.display()),
    )
    .unwrap();
    let run = mcpctl(&t, &["backup", "--check", "--json", "cursor"]);
    run.code(1);
    let states: Vec<(String, String)> = run.json()["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["file"].as_str().unwrap().to_owned(),
                c["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        states.contains(&(forged.display().to_string(), "forged".to_owned())),
        "{states:?}"
    );
    assert_eq!(
        states.iter().filter(|(_, s)| s == "valid").count(),
        2,
        "{states:?}"
    );
    assert!(!t.path().join("pwned").exists());
}

#[test]
fn a_genuine_copy_renamed_newer_is_a_replay() {
    let (t, _) = setup("");
    mcpctl(&t, &["backup", "cursor"]).code(0);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::write(t.path().join("cfg/mcp.json"), NEW).unwrap();
    mcpctl(&t, &["backup", "cursor"]).code(0);
    let loc = t.path().join("loc1");
    let old = copies(&loc, "cursor").remove(0);
    // Two minutes ahead: newer than the genuine newest, inside the clock-skew slack.
    let when = chrono::Utc::now() + chrono::Duration::minutes(2);
    let name = old.file_name().unwrap().to_string_lossy().replace(
        &old.file_name().unwrap().to_string_lossy()[14..30],
        &when.format("%Y%m%dT%H%M%SZ").to_string(),
    );
    let renamed = loc.join(&name);
    std::fs::copy(&old, &renamed).unwrap();
    std::fs::copy(
        format!("{}.sig", old.display()),
        format!("{}.sig", renamed.display()),
    )
    .unwrap();
    // First with its own sidecar, then with one re-written for the new name.
    std::fs::copy(sidecar(&old), sidecar(&renamed)).unwrap();
    std::fs::write(t.path().join("cfg/mcp.json"), "{ corrupted").unwrap();
    let run = mcpctl(&t, &["restore", "cursor", "--json"]);
    run.code(1);
    assert_eq!(run.json()["skipped"][0]["backup"], name.as_str());
    assert_eq!(run.json()["skipped"][0]["state"], "forged");
    assert_eq!(read(&t, "cfg/mcp.json"), NEW);

    let mut side: Value =
        serde_json::from_slice(&std::fs::read(sidecar(&renamed)).unwrap()).unwrap();
    side["file"] = json!(name);
    std::fs::write(sidecar(&renamed), side.to_string()).unwrap();
    std::fs::write(t.path().join("cfg/mcp.json"), "{ corrupted").unwrap();
    let run = mcpctl(&t, &["restore", "cursor", "--json"]);
    run.code(1);
    assert_eq!(run.json()["skipped"][0]["state"], "forged");
    assert_eq!(read(&t, "cfg/mcp.json"), NEW);
    let run = mcpctl(&t, &["backup", "--check", "--json", "cursor"]);
    run.code(1);
    let checked = run.json();
    let bad: Vec<&Value> = checked["copies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .collect();
    assert_eq!(bad.len(), 1, "{}", run.stdout);
    assert_eq!(bad[0]["state"], "forged");

    // Even unsigned, a copy whose manifest is another backup's is refused: the id must match.
    std::fs::remove_file(format!("{}.sig", renamed.display())).unwrap();
    let run = mcpctl(&t, &["restore", "cursor", "--json", "--allow-unsigned"]);
    run.code(1).stderr_lines(unsigned_warning);
    assert!(
        run.json()["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("id"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_lying_manifest_size_makes_the_copy_bad_not_a_crash() {
    let (t, public) = setup("");
    mcpctl(&t, &["backup", "cursor"]).code(0);
    let now = chrono::Utc::now() + chrono::Duration::seconds(30);
    let name = format!(
        "mcpctl-cursor-{}-evil-0002.tar.age",
        now.format("%Y%m%dT%H%M%SZ")
    );
    let evil = evil_config(&t);
    let manifest = hostile_manifest(
        &t,
        name.trim_end_matches(".tar.age"),
        &now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        &evil,
        1 << 62,
    );
    forge(
        &t,
        &public,
        "loc1",
        &name,
        &manifest,
        &[(&member_of(&t), &evil)],
    );
    std::fs::write(t.path().join("cfg/mcp.json"), NEW).unwrap();
    let run = mcpctl(&t, &["restore", "cursor", "--json", "--allow-unsigned"]);
    run.code(1).stderr_lines(unsigned_warning);
    assert_eq!(
        run.json()["skipped"][0]["state"],
        "damaged",
        "{}",
        run.stdout
    );
    assert_eq!(read(&t, "cfg/mcp.json"), OLD);
    let run = mcpctl(&t, &["backup", "--check", "--allow-unsigned", "cursor"]);
    run.code(1)
        .stderr_contains("mcpctl backup: WARNING: 3 copies checked, 1 bad");
}

#[test]
fn signing_keys_others_can_read_are_refused_before_anything_is_written() {
    let (t, _) = setup("");
    let cfg = read(&t, "mcpctl.toml").replace(
        "[backup]\n",
        &format!(
            "[backup]\nsigning_key = \"{}/sign.key\"\n",
            t.path().display()
        ),
    );
    std::fs::write(t.path().join("mcpctl.toml"), cfg).unwrap();
    mcpctl(&t, &["backup", "cursor"]).code(0);
    let key = t.path().join("sign.key");
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::fs::write(t.path().join("cfg/mcp.json"), NEW).unwrap();
    let before = copies(&t.path().join("loc1"), "cursor").len();
    let run = mcpctl(&t, &["backup", "cursor"]);
    run.code(3);
    assert!(run.stderr().contains("chmod 600"), "{}", run.stderr());
    assert_eq!(copies(&t.path().join("loc1"), "cursor").len(), before);
}

/// The README's manual check: `ssh-keygen -Y verify` over the sidecar, then `sha256sum`.
#[test]
fn a_person_can_verify_a_copy_by_hand_and_another_host_can_restore() {
    let (t, _) = setup("");
    mcpctl(&t, &["backup", "cursor"]).code(0);
    let key = t.path().join("home/.config/mcpctl/signing.key");
    let public = Command::new("ssh-keygen")
        .arg("-y")
        .arg("-f")
        .arg(&key)
        .output()
        .unwrap();
    assert!(public.status.success());
    let public = String::from_utf8(public.stdout).unwrap();
    let allowed = t.path().join("allowed_signers");
    std::fs::write(&allowed, format!("mcpctl {public}")).unwrap();
    let copy = copies(&t.path().join("loc2"), "cursor").remove(0);
    let verify = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", "mcpctl-backup", "-I", "mcpctl", "-f"])
        .arg(&allowed)
        .arg("-s")
        .arg(format!("{}.sig", copy.display()))
        .stdin(std::fs::File::open(sidecar(&copy)).unwrap())
        .output()
        .unwrap();
    assert!(verify.status.success(), "{verify:?}");
    let side: Value = serde_json::from_slice(&std::fs::read(sidecar(&copy)).unwrap()).unwrap();
    assert_eq!(side["sha256"], sha256(&std::fs::read(&copy).unwrap()));

    // A host without the signing key restores with the public half in verify_keys.
    std::fs::remove_file(&key).unwrap();
    std::fs::write(t.path().join("cfg/mcp.json"), NEW).unwrap();
    let run = mcpctl(&t, &["restore", "cursor"]);
    run.code(3);
    assert!(run.stderr().contains("verify_keys"), "{}", run.stderr());
    let cfg = read(&t, "mcpctl.toml").replace(
        "[backup]\n",
        &format!("[backup]\nverify_keys = [\"{}\"]\n", public.trim()),
    );
    std::fs::write(t.path().join("mcpctl.toml"), cfg).unwrap();
    mcpctl(&t, &["restore", "cursor"]).code(0);
    assert_eq!(read(&t, "cfg/mcp.json"), OLD);
    assert!(
        !Path::new(&key).exists(),
        "restore never creates a signing key"
    );
}

/// `--allow-unsigned` says once what it lets in, and nothing else is said.
fn unsigned_warning(line: &str) -> bool {
    line.contains(" WARN --allow-unsigned: copies without a signature are accepted")
}
