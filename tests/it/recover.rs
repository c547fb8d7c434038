//! recover and health-check --recover end to end: real probes, real commands, real backups and
//! a real podman container; guards persisted across runs.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::Test;

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |s| s.lines().count())
}

fn audit(t: &Test) -> Vec<Value> {
    std::fs::read_to_string(t.path().join("state/recover/audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn server<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {report:#}"))
}

const FAST: &str = "max_attempts = 2\nwindow = \"1h\"\nsettle = \"1s\"\nbackoff = { initial = \"100ms\", max = \"400ms\" }\n";

#[test]
fn a_flaky_server_recovers_within_its_budget() {
    let t = Test::new().config(&format!(
        "[servers.flaky]\ncommand = \"python3\"\nargs = [\"{{servers}}/flaky.py\"]\ncritical = true\n\
         env = {{ FLAKY_COUNTER = \"{{dir}}/starts\", FLAKY_FAILS = \"2\" }}\n\
         [servers.flaky.recover]\nsteps = [\"wait\"]\n{FAST}"
    ));
    let r = t.again(&["recover", "flaky", "--json"]);
    r.code(0);
    let report = r.json();
    let s = server(&report, "flaky");
    assert_eq!(s["initial"], "unhealthy", "{s:#}");
    assert_eq!(s["final"], "healthy", "{s:#}");
    assert_eq!(s["recovered"], true);
    assert!(s["time_to_recover_ms"].as_u64().unwrap() > 0);
    assert_eq!(s["actions"][0]["step"], "wait");
    assert_eq!(s["actions"][0]["outcome"], "succeeded");
    let audit = audit(&t);
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["server"], "flaky");
    assert_eq!(audit[0]["outcome"], "succeeded");
}

#[test]
fn a_server_that_never_heals_spends_exactly_its_budget_then_the_breaker_holds() {
    let t = Test::new().config(&format!(
        "[servers.dead]\ncommand = \"python3\"\nargs = [\"{{servers}}/exit_now.py\"]\ncritical = true\n\
         [servers.dead.recover]\nsteps = [\"command\"]\ncommand = [\"python3\", \"-c\", \"open('{{dir}}/actions.log', 'a').write('x\\\\n')\"]\n{FAST}"
    ));
    let log = t.path().join("actions.log");
    t.again(&["recover", "dead"])
        .code(2)
        .stderr_contains("mcpctl recover: CRITICAL: 1 server");
    assert_eq!(lines(&log), 1);
    let r = t.again(&["recover", "dead", "--json"]);
    r.code(2);
    assert_eq!(lines(&log), 2);
    assert_eq!(server(&r.json(), "dead")["breaker_open"], true);

    // The next cron run acts on nothing.
    let r = t.again(&["recover", "--all-failed", "--json"]);
    r.code(2);
    assert_eq!(lines(&log), 2);
    let report = r.json();
    let s = server(&report, "dead");
    assert_eq!(s["held"], "breaker_open", "{s:#}");
    assert!(
        s["actions"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("recover --reset dead")
    );

    t.again(&["recover", "--reset", "dead"]).code(0);
    t.again(&["recover", "dead"])
        .code(2)
        .stderr_contains("mcpctl recover: CRITICAL: 1 server");
    assert_eq!(lines(&log), 3);
    let events: Vec<String> = audit(&t)
        .iter()
        .map(|r| {
            r["step"]
                .as_str()
                .or(r["event"].as_str())
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        events,
        [
            "command",
            "command",
            "breaker_open",
            "breaker_open",
            "reset",
            "command"
        ]
    );
}

#[test]
fn dry_run_and_pause_touch_nothing() {
    let t = Test::new().config(&format!(
        "[servers.dead]\ncommand = \"python3\"\nargs = [\"{{servers}}/exit_now.py\"]\n\
         [servers.dead.recover]\nsteps = [\"command\"]\ncommand = [\"python3\", \"-c\", \"open('{{dir}}/actions.log', 'a').write('x\\\\n')\"]\n{FAST}"
    ));
    let r = t.again(&["recover", "dead", "--dry-run", "--json"]);
    r.code(1);
    let report = r.json();
    let s = server(&report, "dead");
    assert_eq!(s["held"], "dry_run");
    assert!(s["plan"][0].as_str().unwrap().starts_with("command: run"));
    assert!(!t.path().join("actions.log").exists());
    assert!(!t.path().join("state/recover").exists());

    t.again(&["recover", "--pause", "dead", "--for", "2h"])
        .code(0);
    let r = t.again(&["recover", "dead", "--json"]);
    r.code(1);
    assert_eq!(server(&r.json(), "dead")["held"], "paused");
    assert!(!t.path().join("actions.log").exists());
    t.again(&["recover", "--resume", "dead"]).code(0);
    t.again(&["recover", "dead"])
        .code(1)
        .stderr_contains("mcpctl recover: WARNING: 1 server");
    assert_eq!(lines(&t.path().join("actions.log")), 1);
}

#[test]
fn health_check_recover_shows_first_and_final_state() {
    let t = Test::new().config(&format!(
        "[servers.flaky]\ncommand = \"python3\"\nargs = [\"{{servers}}/flaky.py\"]\n\
         env = {{ FLAKY_UP_FILE = \"{{dir}}/up\" }}\n\
         [servers.flaky.recover]\nsteps = [\"command\"]\ncommand = [\"touch\", \"{{dir}}/up\"]\n{FAST}\
         [servers.fine]\ncommand = \"python3\"\nargs = [\"{{servers}}/minimal.py\"]\n"
    ));
    let r = t.again(&["health-check", "--recover", "--json"]);
    r.code(0);
    let report = r.json();
    assert_eq!(server(&report, "flaky")["status"], "healthy");
    let rec = &report["recovery"];
    assert_eq!(rec.as_array().unwrap().len(), 1, "{report:#}");
    assert_eq!(rec[0]["name"], "flaky");
    assert_eq!(rec[0]["initial"], "unhealthy");
    assert_eq!(rec[0]["final"], "healthy");
    assert_eq!(rec[0]["actions"][0]["outcome"], "succeeded");
}

#[test]
fn a_corrupt_config_is_restored_from_a_real_backup() {
    let t = Test::new();
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(t.path().join("key.txt"))
        .output()
        .expect("age-keygen is installed by scripts/test.sh");
    let public = String::from_utf8_lossy(&out.stderr)
        .split_whitespace()
        .last()
        .unwrap()
        .to_owned();
    let t = t
        .file("cfg/server.json", "{\"token_file\": \"/run/secret\"}\n")
        .config(&format!(
            "[servers.jira]\ncommand = \"python3\"\nargs = [\"{{servers}}/minimal.py\"]\ncritical = true\n\
             config_files = [\"{{dir}}/cfg/server.json\"]\n\
             [servers.jira.recover]\nsteps = [\"restore-config\"]\n{FAST}\
             [backup]\nserver_configs = true\nrecipients = [\"{public}\"]\nidentity = \"{{dir}}/key.txt\"\nlocations = [\"{{dir}}/backups\"]\n"
        ));
    let file = t.path().join("cfg/server.json");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(
        t.path().join("key.txt"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    t.again(&["health-check"]).code(0);
    t.again(&["backup"]).code(0);
    std::fs::write(&file, "{\"token_file\": \"/run/sec").unwrap();
    t.again(&["health-check"])
        .code(2)
        .stderr_contains("does not parse");

    let r = t.again(&["recover", "jira", "--json"]);
    r.code(0);
    let report = r.json();
    let s = server(&report, "jira");
    assert_eq!(s["recovered"], true, "{s:#}");
    assert_eq!(s["actions"][0]["step"], "restore-config");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{\"token_file\": \"/run/secret\"}\n"
    );
    assert!(!t.path().join("cfg/server.json.mcpctl-prev").exists());
    assert!(t.path().join("state/restore/server-jira").is_dir());

    // A healthy server's valid config is never restored over.
    let r = t.again(&["recover", "jira", "--json"]);
    r.code(0);
    assert_eq!(server(&r.json(), "jira")["held"], "not_failing");
}

#[test]
fn concurrent_recover_runs_act_once() {
    let t = Test::new().config(&format!(
        "[servers.flaky]\ncommand = \"python3\"\nargs = [\"{{servers}}/flaky.py\"]\n\
         env = {{ FLAKY_UP_FILE = \"{{dir}}/up\" }}\n\
         [servers.flaky.recover]\nsteps = [\"command\"]\n\
         command = [\"python3\", \"-c\", \"import time; time.sleep(1); open('{{dir}}/actions.log', 'a').write('x\\\\n'); open('{{dir}}/up', 'w')\"]\n{FAST}"
    ));
    let spawn = || {
        let mut cmd = t.command();
        cmd.arg("--state-dir").arg(t.path().join("state")).args([
            "recover",
            "flaky",
            "--wait-lock",
            "30s",
        ]);
        cmd.spawn().unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for mut child in [a, b] {
        assert_eq!(child.wait().unwrap().code(), Some(0));
    }
    assert_eq!(lines(&t.path().join("actions.log")), 1);
}

#[test]
fn config_errors_name_the_step_and_its_line() {
    let t = Test::new().config(
        "[servers.s]\ncommand = \"x\"\n[servers.s.recover]\nsteps = [\"restart-container\"]\n",
    );
    let r = t.again(&["recover", "s"]);
    r.code(3);
    assert!(
        r.stderr().contains("mcpctl.toml:1:1") || r.stderr().contains("mcpctl.toml:"),
        "{}",
        r.stderr()
    );
    assert!(
        r.stderr().contains("restart-container needs `container"),
        "{}",
        r.stderr()
    );
}

#[test]
fn restart_container_brings_a_stopped_container_back() {
    use crate::container::{Container, docker_host, podman};
    let name = format!("mcpctl-recover-{}", std::process::id());
    let _guard = Container::busy(&name);
    let started = || podman(&["inspect", "-f", "{{.State.StartedAt}}", &name]);
    podman(&["stop", "-t", "0", &name]);
    let before = started();

    let t = Test::new()
        .config(&format!(
            "[servers.s]\ncommand = \"python3\"\nargs = [\"{{servers}}/minimal.py\"]\ncritical = true\ncontainer = \"{name}\"\n\
             [servers.s.recover]\nsteps = [\"restart-container\"]\nstop_timeout = \"1s\"\n{FAST}"
        ))
        .env("DOCKER_HOST", &docker_host());
    let r = t.again(&["recover", "s", "--json"]);
    r.code(0);
    let report = r.json();
    let s = server(&report, "s");
    assert_eq!(s["initial"], "unhealthy", "{s:#}");
    assert_eq!(s["recovered"], true, "{s:#}");
    assert_eq!(s["actions"][0]["step"], "restart-container");
    assert!(
        s["actions"][0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("restarted container")
    );
    assert_eq!(
        podman(&["inspect", "-f", "{{.State.Status}}", &name]),
        "running"
    );
    assert_ne!(started(), before);
}

#[test]
fn command_output_is_redacted_in_reports_and_audit() {
    let t = Test::new()
        .config(&format!(
            "[servers.dead]\ncommand = \"python3\"\nargs = [\"{{servers}}/exit_now.py\"]\n\
             env = {{ TOKEN = \"${{CANARY_TOKEN}}\" }}\n\
             [servers.dead.recover]\nsteps = [\"command\"]\ncommand = [\"sh\", \"-c\", \"echo using $CANARY_TOKEN; exit 3\"]\n{FAST}"
        ))
        .env("CANARY_TOKEN", "canary-7f3a9c2e5b");
    let r = t.again(&["recover", "dead", "--json"]);
    r.code(1);
    let report = r.json();
    let detail = server(&report, "dead")["actions"][0]["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        detail.contains("exited with code 3") && detail.contains("using ***"),
        "{detail}"
    );
    let files = r.state_files();
    assert!(
        files.iter().any(|f| f.ends_with("recover/audit.jsonl")),
        "{files:?}"
    );
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        assert!(!text.contains("canary-7f3a9c2e5b"), "{}", f.display());
    }
    assert!(
        !r.stdout.contains("canary-7f3a9c2e5b") && !r.peek_stderr().contains("canary-7f3a9c2e5b")
    );
}

/// Removes test images and volumes even when an assertion fails.
struct Cleanup(Vec<Vec<String>>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for args in &self.0 {
            let _ = Command::new("podman").args(args).output();
        }
    }
}

#[test]
fn rollback_image_goes_back_to_the_last_healthy_image_keeping_volumes() {
    use crate::container::{Container, docker_host, podman};
    let image = std::env::var("MCPCTL_TEST_IMAGE").expect("MCPCTL_TEST_IMAGE from scripts/test.sh");
    let pid = std::process::id();
    let (name, base) = (
        format!("mcpctl-rollback-{pid}"),
        format!("mcpctl-base-{pid}"),
    );
    let (good, bad) = (
        format!("localhost/mcpctl-test-good:{pid}"),
        format!("localhost/mcpctl-test-bad:{pid}"),
    );
    let volume = format!("mcpctl-vol-{pid}");
    let _cleanup = Cleanup(vec![
        vec!["rmi".into(), "-f".into(), good.clone(), bad.clone()],
        vec!["volume".into(), "rm".into(), "-f".into(), volume.clone()],
    ]);
    let _container = Container(name.clone());
    podman(&["create", "--name", &base, &image, "/bin/busybox", "true"]);
    podman(&[
        "commit",
        "-q",
        "--change",
        r#"CMD ["/bin/busybox", "sleep", "600"]"#,
        &base,
        &good,
    ]);
    podman(&[
        "commit",
        "-q",
        "--change",
        r#"CMD ["/bin/busybox", "false"]"#,
        &base,
        &bad,
    ]);
    podman(&["rm", "-f", &base]);
    let mount = format!("{volume}:/data");
    podman(&[
        "run",
        "-d",
        "--name",
        &name,
        "-v",
        &mount,
        "-e",
        "MINE=kept",
        &good,
    ]);
    let good_id = podman(&["inspect", "-f", "{{.Id}}", &good]);

    let t = Test::new()
        .config(&format!(
            "[servers.s]\ncommand = \"python3\"\nargs = [\"{{servers}}/minimal.py\"]\ncritical = true\ncontainer = \"{name}\"\n\
             [servers.s.recover]\nsteps = [\"rollback-image\"]\nstop_timeout = \"1s\"\n{FAST}"
        ))
        .env("DOCKER_HOST", &docker_host());
    // Seen healthy on the good image: that is what a rollback goes back to.
    let first = t.again(&["health-check", "--recover", "--json"]);
    first.code(0);

    // A release of a bad image, same name, same volume.
    podman(&["rm", "-f", "-t", "0", &name]);
    podman(&[
        "run",
        "-d",
        "--name",
        &name,
        "-v",
        &mount,
        "-e",
        "MINE=kept",
        &bad,
    ]);
    // Until it has exited, the engine may still report it starting.
    podman(&["wait", &name]);
    let r = t.again(&["recover", "s", "--json"]);
    r.code(0);
    let report = r.json();
    let s = server(&report, "s");
    assert_eq!(s["initial"], "unhealthy", "{s:#}");
    assert_eq!(s["recovered"], true, "{s:#}");
    let detail = s["actions"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains(&bad) && detail.contains(&good_id),
        "{detail}"
    );
    assert_eq!(podman(&["inspect", "-f", "{{.Image}}", &name]), good_id);
    assert_eq!(
        podman(&["inspect", "-f", "{{.State.Status}}", &name]),
        "running"
    );
    let mounts = podman(&["inspect", "-f", "{{range .Mounts}}{{.Name}} {{end}}", &name]);
    assert!(mounts.contains(&volume), "{mounts}");
    let env = podman(&["inspect", "-f", "{{.Config.Env}}", &name]);
    assert!(env.contains("MINE=kept"), "{env}");
    assert!(
        Command::new("podman")
            .args(["container", "exists", &format!("{name}-mcpctl-replaced")])
            .status()
            .is_ok_and(|s| !s.success())
    );
}

#[test]
fn the_deadline_bounds_health_check_recover_too() {
    // A ladder of waits that could settle for a minute each, under an 8 s deadline.
    let t = Test::new().config(
        "[defaults]\ntimeout = \"1s\"\n[servers.x]\ncommand = \"python3\"\nargs = [\"{servers}/hang.py\"]\n\
         [servers.x.recover]\nsteps = [\"wait\", \"wait\", \"wait\"]\nmax_attempts = 5\nwindow = \"1h\"\n\
         settle = \"60s\"\nbackoff = { initial = \"500ms\", max = \"2s\" }\n",
    );
    let started = std::time::Instant::now();
    let r = t.again(&["health-check", "--recover", "--deadline", "8s", "--json"]);
    let took = started.elapsed();
    r.code(1);
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
    let report = r.json();
    assert_eq!(report["recovery"][0]["final"], "unhealthy", "{report:#}");
}

#[test]
fn a_guard_that_cannot_be_read_fails_closed_until_reset() {
    let t = Test::new().config(&format!(
        "[servers.flaky]\ncommand = \"python3\"\nargs = [\"{{servers}}/flaky.py\"]\n\
         env = {{ FLAKY_COUNTER = \"{{dir}}/starts\", FLAKY_FAILS = \"3\" }}\n\
         [servers.flaky.recover]\nsteps = [\"wait\"]\n{FAST}"
    ));
    let guard = t.path().join("state/recover/flaky.json");
    let starts = || std::fs::read_to_string(t.path().join("starts")).unwrap();
    std::fs::create_dir_all(guard.parent().unwrap()).unwrap();
    for (i, bad) in ["corrupt", "fifo"].into_iter().enumerate() {
        let _ = std::fs::remove_file(&guard);
        if bad == "fifo" {
            assert!(
                Command::new("mkfifo")
                    .arg(&guard)
                    .status()
                    .unwrap()
                    .success()
            );
        } else {
            std::fs::write(&guard, "{ not json").unwrap();
        }
        let r = t.again(&["recover", "flaky", "--json"]);
        r.code(2);
        let report = r.json();
        let s = server(&report, "flaky");
        assert_eq!(s["held"], "guard_unreadable", "{s:#}");
        assert_eq!(s["recovered"], false);
        let detail = s["actions"][0]["detail"].as_str().unwrap();
        assert!(
            detail.contains("flaky.json") && detail.contains("--reset"),
            "{detail}"
        );
        assert_eq!(starts(), (i + 1).to_string(), "only the first probe ran");
    }
    t.again(&["recover", "--reset", "flaky"]).code(0);
    let r = t.again(&["recover", "flaky", "--json"]);
    r.code(0);
    assert_eq!(server(&r.json(), "flaky")["recovered"], true);
}

/// A terminal gets at least what cron mails: which step ran, when, and how it ended.
#[test]
fn health_check_recover_says_what_it_did_on_a_terminal_too() {
    let t = Test::new().config(
        "[servers.flaky]\ncommand = \"python3\"\nargs = [\"{servers}/flaky.py\"]\ncritical = true\n\
         env = { FLAKY_UP_FILE = \"{dir}/up\" }\n\
         [servers.flaky.recover]\nsteps = [\"command\"]\ncommand = [\"touch\", \"{dir}/up\"]\nsettle = \"2s\"\nbackoff = { initial = \"100ms\", max = \"400ms\" }\n\
         [servers.bare]\ncommand = \"sh\"\nargs = [\"-c\", \"exit 1\"]\n",
    );
    let r = t.again(&["health-check", "--recover", "--format", "table"]);
    r.code(1);
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("flaky:") && l.contains("command succeeded"))
        .unwrap_or_else(|| panic!("no step line in\n{}", r.stdout));
    assert!(
        line.contains('T') && line.contains("Z command succeeded after"),
        "{line}"
    );
    assert!(r.stdout.contains("flaky: recovered in"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("bare: no recovery step ran: no [servers.bare.recover] ladder"),
        "{}",
        r.stdout
    );
    // `recover` names the missing ladder the same way.
    let r = t.again(&["recover", "bare", "--json"]);
    r.code(1);
    let summary = r.json()["summary"].as_str().unwrap().to_owned();
    assert!(
        summary.contains("down: bare (no [servers.bare.recover] ladder)"),
        "{summary}"
    );
}
