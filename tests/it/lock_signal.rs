//! A second run never overlaps the first: exit 75 or wait. Ctrl-C kills children and exits 130.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Test;

const HANG: &str = "[defaults]\ntimeout = \"30s\"\n[servers.x]\ncommand = \"python3\"\nargs = [\"{servers}/hang.py\"]\n";

/// Holds server x's lock with flock(1), as another run acting on it would; mcpctl's lock is the
/// same.
fn hold_lock(t: &Test) -> std::process::Child {
    let dir = t.path().join("state/mcpctl/locks");
    std::fs::create_dir_all(&dir).unwrap();
    let lock = dir.join("server.x.lock");
    // -o: the lock stays with flock itself, so killing flock frees it.
    let child = Command::new("flock")
        .arg("-o")
        .arg(&lock)
        .args(["sleep", "30"])
        .spawn()
        .expect("flock(1) is installed");
    let started = Instant::now();
    // flock has the lock once `flock -n` on the same file fails.
    while Command::new("flock")
        .arg("-n")
        .arg(&lock)
        .arg("true")
        .status()
        .unwrap()
        .success()
    {
        assert!(started.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

#[test]
fn held_lock_exits_75_and_names_the_way_out() {
    let t = Test::new().config(HANG);
    let mut holder = hold_lock(&t);
    let run = t.args(&["health-check"]).run();
    holder.kill().unwrap();
    holder.wait().unwrap();
    run.code(75);
    assert!(
        run.stderr().contains("another mcpctl run holds the lock"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("--wait-lock"), "{}", run.stderr());
}

#[test]
fn wait_lock_gives_up_with_75_after_waiting() {
    let t = Test::new().config(HANG);
    let mut holder = hold_lock(&t);
    let run = t.args(&["health-check", "--wait-lock", "300ms"]).run();
    holder.kill().unwrap();
    holder.wait().unwrap();
    run.code(75);
    assert!(
        run.stderr().contains("after waiting 300ms"),
        "{}",
        run.stderr()
    );
}

#[test]
fn wait_lock_proceeds_once_the_lock_is_free() {
    let t = Test::new()
        .config("[servers.m]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n");
    let mut holder = hold_lock(&t);
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        holder.kill().unwrap();
        holder.wait().unwrap();
    });
    let run = t.args(&["health-check", "--wait-lock", "20s"]).run();
    killer.join().unwrap();
    run.code(0);
}

#[test]
fn sigint_kills_children_and_exits_130() {
    let t = Test::new();
    let pidfile = t.path().join("pids");
    let t = t.config(&format!(
        "[defaults]\ntimeout = \"30s\"\n[servers.x]\ncommand = \"python3\"\nargs = [\"{{servers}}/stubborn.py\"]\nenv = {{ MCPCTL_TEST_PIDFILE = \"{}\" }}\n",
        pidfile.display()
    ));
    let mut child = t
        .command()
        .args(["health-check"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::fs::read_to_string(&pidfile).map_or(true, |s| s.lines().count() < 2) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "stubborn.py never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    nix_kill(child.id(), "INT");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    for pid in std::fs::read_to_string(&pidfile).unwrap().lines() {
        assert!(crate::health_hostile::gone(pid), "{pid} survived Ctrl-C");
    }
}

pub(crate) fn nix_kill(pid: u32, sig: &str) {
    assert!(
        Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(pid.to_string())
            .status()
            .unwrap()
            .success()
    );
}

/// Kills its child when dropped: a failed assertion must not leave a run going.
pub(crate) struct Reap(pub(crate) std::process::Child);

impl Drop for Reap {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// SIGTERM while backup writes: the handler is in place during synchronous work too, so the run
/// exits 130 (not 143) and leaves no temp file and no partial copy behind.
#[test]
fn sigterm_during_a_backup_exits_130_and_leaves_no_temp_file() {
    let (t, _) = crate::backup::setup("");
    // A large sparse file: sealing it takes long enough to be caught half-way.
    let big = std::fs::File::create(t.path().join("data/sparse.bin")).unwrap();
    big.set_len(400 << 20).unwrap();
    let child = t
        .command()
        .args(["backup", "blob"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Reap(child);
    let loc = t.path().join("loc1");
    let started = Instant::now();
    let temp = || {
        std::fs::read_dir(&loc).is_ok_and(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with(".mcpctl-tmp-"))
        })
    };
    while !temp() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the backup never started writing"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    nix_kill(child.0.id(), "TERM");
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(!temp(), "a temp file was left in {}", loc.display());
    assert!(crate::backup::copies(&loc, "blob").is_empty());
}

/// The lock file names its holder, and the 75 message says who it is: a ladder being climbed
/// holds its server's lock.
#[test]
fn the_lock_names_its_holder() {
    let t = Test::new().config(
        "[servers.x]\ncommand = \"sh\"\nargs = [\"-c\", \"exit 1\"]\n\
         [servers.x.recover]\nsteps = [\"command\"]\ncommand = [\"sleep\", \"30\"]\ncommand_timeout = \"60s\"\n",
    );
    let first = t
        .command()
        .args(["health-check", "--recover"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let first = Reap(first);
    let lock = t.path().join("state/mcpctl/locks/server.x.lock");
    let started = Instant::now();
    while std::fs::read_to_string(&lock).map_or(true, |s| s.is_empty()) {
        assert!(started.elapsed() < Duration::from_secs(20), "no lock note");
        std::thread::sleep(Duration::from_millis(20));
    }
    let run = t.args(&["health-check"]).run();
    run.code(75);
    let who = format!(
        "another mcpctl run (health-check, pid {}, since ",
        first.0.id()
    );
    assert!(run.stderr().contains(&who), "{}", run.stderr());
}

const DOWN_WITH_LADDER: &str = "[servers.x]\ncommand = \"sh\"\nargs = [\"-c\", \"exit 1\"]\ncritical = true\n\
    [servers.x.recover]\nsteps = [\"wait\"]\nsettle = \"1s\"\n";

/// Answers that change nothing wait for no other run, and print their table to a pipe.
#[test]
fn read_only_answers_take_no_lock_and_print_to_a_pipe() {
    let t = Test::new().config(DOWN_WITH_LADDER);
    let mut holder = hold_lock(&t);
    let run = |args: &[&str]| {
        let out = t.command().args(args).output().unwrap();
        crate::Run::from_output(&out, t.path())
    };
    let plan = run(&["recover", "--dry-run", "x"]);
    let status = run(&["emergency", "--status"]);
    let applied = run(&["recover", "x"]);
    holder.kill().unwrap();
    holder.wait().unwrap();
    plan.code(2);
    assert!(plan.stdout.contains("would wait"), "{}", plan.stdout);
    status.code(0);
    assert!(
        status
            .stdout
            .contains("normal mode: no emergency run is recorded here"),
        "{}",
        status.stdout
    );
    assert!(
        !status.stdout.contains('┌'),
        "no empty table:\n{}",
        status.stdout
    );
    applied
        .code(75)
        .stderr_contains("mcpctl: another mcpctl run holds the lock");
}

#[test]
fn recover_without_a_name_suggests_all_failed() {
    let run = Test::new()
        .config(DOWN_WITH_LADDER)
        .args(&["recover", "--dry-run"])
        .run();
    run.code(3);
    assert!(
        run.stderr()
            .contains("name the servers to recover (known: x), or pass --all-failed"),
        "{}",
        run.stderr()
    );
}

/// SIGINT in the middle of a recovery step: the attempt was counted, and the audit says so.
#[test]
fn an_interrupted_recover_writes_its_audit_line() {
    let t = Test::new().config(
        "[servers.x]\ncommand = \"sh\"\nargs = [\"-c\", \"exit 1\"]\n\
         [servers.x.recover]\nsteps = [\"command\"]\ncommand = [\"sleep\", \"30\"]\ncommand_timeout = \"60s\"\n",
    );
    let child = t
        .command()
        .args(["recover", "x"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Reap(child);
    let guard = t.path().join("state/mcpctl/recover/x.json");
    let started = Instant::now();
    while !guard.exists() {
        assert!(started.elapsed() < Duration::from_secs(20), "no step began");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    nix_kill(child.0.id(), "INT");
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let audit = std::fs::read_to_string(t.path().join("state/mcpctl/recover/audit.jsonl"))
        .expect("the audit was written");
    let line: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(line["step"], "command", "{line:#}");
    assert_eq!(line["outcome"], "interrupted", "{line:#}");
    assert!(line["duration_ms"].as_u64().unwrap() >= 300, "{line:#}");
}

/// SIGINT while some servers are still being probed: the report keeps the others' results,
/// is marked interrupted, and the run exits 130.
#[test]
fn an_interrupted_health_check_writes_a_partial_report() {
    let t = Test::new().config(
        "[defaults]\ntimeout = \"30s\"\n\
         [servers.slow]\ncommand = \"python3\"\nargs = [\"{servers}/hang.py\"]\n\
         [servers.fast]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n",
    );
    let child = t
        .command()
        .args(["health-check", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Reap(child);
    std::thread::sleep(Duration::from_secs(2));
    nix_kill(child.0.id(), "INT");
    let mut out = String::new();
    std::io::Read::read_to_string(child.0.stdout.as_mut().unwrap(), &mut out).unwrap();
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("the report on stdout");
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["status"], "unknown");
    assert_eq!(report["exit_code"], 130);
    let by_name = |n: &str| {
        report["servers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("fast")["status"], "healthy");
    assert_eq!(by_name("slow")["error"]["kind"], "interrupted");
    let stored = std::fs::read_to_string(
        t.path()
            .join("state/mcpctl/reports/health-check/latest.json"),
    )
    .expect("stored");
    assert!(stored.contains("\"interrupted\": true"));
}

/// A server another run is acting on is skipped, reported unknown with its holder, and the run
/// probes the rest: exit 1, not 75.
#[test]
fn a_held_server_is_skipped_and_the_rest_are_probed() {
    let t = Test::new().config(
        "[servers.x]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\ncritical = true\n\
         [servers.y]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n",
    );
    let mut holder = hold_lock(&t);
    let run = t.args(&["health-check", "--json"]).run();
    holder.kill().unwrap();
    holder.wait().unwrap();
    run.code(1);
    let report = run.json();
    let servers = report["servers"].as_array().unwrap();
    let x = servers.iter().find(|s| s["name"] == "x").unwrap();
    let y = servers.iter().find(|s| s["name"] == "y").unwrap();
    assert_eq!(y["status"], "healthy");
    assert_eq!(x["status"], "unknown");
    assert_eq!(x["error"]["kind"], "locked");
    assert!(
        x["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("not probed: locked by"),
        "{x}"
    );
}
