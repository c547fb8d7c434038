//! Guardian mode, `health-check --watch`: real stdio servers that die mid-run, podman's event
//! stream, signals, the locks it shares with cron runs, and the live view under a pty.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Test;

/// Kills its child when dropped: a failed assertion must not leave a watch going.
struct Reap(Option<Child>);

impl Reap {
    fn pid(&self) -> u32 {
        self.0.as_ref().expect("running").id()
    }

    /// Sends `sig` (TERM, INT), then waits for the end.
    fn stop(self, sig: &str) -> (i32, String, String) {
        let sent = Command::new("kill")
            .args([format!("-{sig}"), self.pid().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        self.finish()
    }

    /// Waits for the end: the exit code, stdout and stderr.
    fn finish(mut self) -> (i32, String, String) {
        let out = self.0.take().expect("running").wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

impl Drop for Reap {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn wait_for(what: &str, within: Duration, ok: impl Fn() -> bool) {
    let started = Instant::now();
    while !ok() {
        assert!(started.elapsed() < within, "{what} within {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn latest(t: &Test) -> serde_json::Value {
    let path = t
        .path()
        .join("state/mcpctl/reports/health-check/latest.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn passes(t: &Test) -> usize {
    std::fs::read_dir(t.path().join("state/mcpctl/reports/health-check")).map_or(0, |d| {
        d.flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".watch.json"))
            .count()
    })
}

fn watch(t: &Test, args: &[&str]) -> Reap {
    let child = t
        .command()
        .args(["health-check", "--watch"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    Reap(Some(child))
}

const FLAKY: &str = "[servers.jira]\ncommand = \"python3\"\nargs = [\"{servers}/flaky.py\"]\ncritical = true\n\
    env = { FLAKY_UP_FILE = \"{dir}/up\" }\n\
    [servers.jira.recover]\nsteps = [\"command\"]\ncommand = [\"touch\", \"{dir}/up\"]\nsettle = \"1s\"\n\
    max_attempts = 5\nwindow = \"1h\"\nbackoff = { initial = \"100ms\", max = \"400ms\" }\n\
    [servers.m]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n";

/// A server that dies mid-run is healed by the next pass; the watch ends with the process it
/// guards and exits by the worst it saw; off a terminal it says exactly one line per change;
/// and `report` counts the incident with its duration.
#[test]
fn a_server_that_dies_mid_run_is_healed_by_the_next_pass() {
    let t = Test::new().config(FLAKY).file("up", "");
    let mut guarded = Command::new("sleep").arg("600").spawn().unwrap();
    let pid = guarded.id().to_string();
    let w = watch(&t, &["1s", "--recover", "--while-pid", &pid]);
    wait_for("the first pass", Duration::from_secs(30), || {
        passes(&t) >= 1
    });
    std::fs::remove_file(t.path().join("up")).unwrap();
    wait_for("the ladder", Duration::from_secs(30), || {
        t.path().join("up").exists()
    });
    wait_for("a healthy pass", Duration::from_secs(30), || {
        latest(&t)["servers"][0]["status"] == "healthy"
    });
    guarded.kill().unwrap();
    guarded.wait().unwrap();
    let (code, _, stderr) = w.finish();
    assert_eq!(
        code, 1,
        "healed within a pass, still an outage seen: {stderr}"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "one line per change, then the summary: {stderr}"
    );
    assert!(
        lines[0].ends_with("mcpctl health-check --watch: jira: recovered by command"),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with("mcpctl health-check --watch ended: ")
            && lines[1].contains(" 1 incident, 1 recovery, 0s in fallback mode"),
        "{stderr}"
    );
    let out = t
        .command()
        .args(["report", "--since", "1h", "--json"])
        .output()
        .unwrap();
    let report = crate::Run::from_output(&out, t.path());
    let report = report.json();
    let jira = crate::Run::server(&report, "jira");
    assert_eq!(jira["incidents"], 1, "{jira:#}");
    assert!(jira["mttr_s"].as_f64().unwrap() > 0.0, "{jira:#}");
}

/// SIGTERM in the middle of a pass ends the probes, kills their children, stores the pass as
/// interrupted and exits 130.
#[test]
fn sigterm_during_a_pass_leaves_no_child_and_exits_130() {
    let t = Test::new();
    let pidfile = t.path().join("pids");
    let t = t.config(&format!(
        "[defaults]\ntimeout = \"30s\"\n[servers.x]\ncommand = \"python3\"\nargs = [\"{{servers}}/stubborn.py\"]\nenv = {{ MCPCTL_TEST_PIDFILE = \"{}\" }}\n",
        pidfile.display()
    ));
    let w = watch(&t, &["600s"]);
    wait_for("stubborn.py", Duration::from_secs(20), || {
        std::fs::read_to_string(&pidfile).is_ok_and(|s| s.lines().count() == 2)
    });
    let (code, _, stderr) = w.stop("TERM");
    assert_eq!(code, 130, "{stderr}");
    for pid in std::fs::read_to_string(&pidfile).unwrap().lines() {
        assert!(crate::health_hostile::gone(pid), "{pid} survived SIGTERM");
    }
    assert_eq!(latest(&t)["interrupted"], true);
}

/// A ladder the watch is climbing holds the server's lock: an hourly health-check meanwhile
/// skips that server (unknown, locked by the watch), probes the rest and exits 1; a backup
/// meanwhile completes.
#[test]
fn cron_runs_during_a_watch_skip_what_it_heals_and_do_the_rest() {
    let t = Test::new().config(
        "[servers.jira]\ncommand = \"python3\"\nargs = [\"{servers}/flaky.py\"]\n\
         env = { FLAKY_UP_FILE = \"{dir}/up\" }\n\
         [servers.jira.recover]\nsteps = [\"command\"]\ncommand = [\"sh\", \"-c\", \"touch {dir}/climbing; sleep 20\"]\n\
         command_timeout = \"60s\"\nsettle = \"1s\"\nmax_attempts = 1\nwindow = \"1h\"\n\
         [servers.m]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n",
    );
    let w = watch(&t, &["600s", "--recover"]);
    wait_for("the ladder", Duration::from_secs(30), || {
        t.path().join("climbing").exists()
    });
    let out = t
        .command()
        .args(["health-check", "--json"])
        .output()
        .unwrap();
    let run = crate::Run::from_output(&out, t.path());
    drop(w);
    run.code(1);
    let report = run.json();
    let jira = crate::Run::server(&report, "jira");
    assert_eq!(jira["status"], "unknown", "{jira:#}");
    assert_eq!(jira["error"]["kind"], "locked");
    assert!(
        jira["error"]["message"]
            .as_str()
            .unwrap()
            .contains("health-check, pid"),
        "{jira:#}"
    );
    assert_eq!(crate::Run::server(&report, "m")["status"], "healthy");
}

#[test]
fn a_backup_during_a_watch_completes() {
    let (t, _) = crate::backup::setup(
        "[servers.m]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n",
    );
    let w = watch(&t, &["600s", "--recover"]);
    wait_for("the first pass", Duration::from_secs(30), || {
        passes(&t) >= 1
    });
    crate::backup::mcpctl(&t, &["backup"]).code(0);
    drop(w);
}

/// On a terminal the watch draws one screen and redraws it: the table, the events, the alerts.
#[test]
fn the_live_view_draws_a_change_under_a_pty() {
    let t = Test::new().config(FLAKY);
    // The watch ends with this process; a zombie counts as ended.
    let guarded = Command::new("sleep").arg("4").spawn().unwrap();
    let line = format!(
        "stty cols 160; '{}' --config '{}' --state-dir '{}' health-check --watch 1s --while-pid {}",
        env!("CARGO_BIN_EXE_mcpctl"),
        t.path().join("mcpctl.toml").display(),
        t.path().join("state").display(),
        guarded.id()
    );
    let child = Command::new("script")
        .args(["-qfec", &line, "/dev/null"])
        .env("HOME", t.path().join("home"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script(1) from util-linux is installed by scripts/test.sh");
    let (_, shown, _) = Reap(Some(child)).finish();
    drop(guarded);
    assert!(shown.contains("\u{1b}[H\u{1b}[2J"), "{shown}");
    assert!(
        shown.contains("SERVER") && shown.contains("UPTIME 24H"),
        "{shown}"
    );
    assert!(shown.contains("jira: new -> unhealthy"), "{shown}");
    assert!(
        shown.contains("active alerts:") && shown.contains("jira unhealthy"),
        "{shown}"
    );
}

/// A killed container is restarted on its event, long before the 600 s interval comes round.
#[test]
fn a_killed_container_is_restarted_on_its_event() {
    use crate::container::{Container, docker_host, podman};
    let name = format!("mcpctl-guard-{}", std::process::id());
    let _guard = Container::busy(&name);
    let t = Test::new()
        .config(&format!(
            "[servers.s]\ncommand = \"python3\"\nargs = [\"{{servers}}/minimal.py\"]\ncritical = true\ncontainer = \"{name}\"\n\
             [servers.s.recover]\nsteps = [\"restart-container\"]\nstop_timeout = \"1s\"\nsettle = \"1s\"\nmax_attempts = 3\nwindow = \"1h\"\n"
        ))
        .env("DOCKER_HOST", &docker_host());
    let w = watch(&t, &["600s", "--recover"]);
    wait_for("the first pass", Duration::from_secs(30), || {
        passes(&t) >= 1
    });
    let before = podman(&["inspect", "-f", "{{.State.StartedAt}}", &name]);
    podman(&["kill", &name]);
    wait_for("the restart", Duration::from_secs(30), || {
        podman(&[
            "inspect",
            "-f",
            "{{.State.Status}} {{.State.StartedAt}}",
            &name,
        ])
        .starts_with("running")
            && podman(&["inspect", "-f", "{{.State.StartedAt}}", &name]) != before
    });
    drop(w);
}

/// The pipeline wrapper: the analysis's own exit code comes through, and no guardian is left.
#[test]
fn peds_run_passes_the_analysis_exit_code_through() {
    let t = Test::new()
        .config("[servers.m]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/peds-run.sh");
    let state = t.path().join("state").display().to_string();
    let config = t.path().join("mcpctl.toml").display().to_string();
    for code in [0, 1, 42] {
        let out = Command::new(&script)
            .args(["--config", &config, "--state-dir", &state, "--"])
            .args(["sh", "-c", &format!("sleep 1; exit {code}")])
            .env("MCPCTL", env!("CARGO_BIN_EXE_mcpctl"))
            .env("HOME", t.path().join("home"))
            .env("PEDS_WATCH_INTERVAL", "1s")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{stderr}");
        assert!(
            stderr.contains("mcpctl health-check --watch ended: "),
            "{stderr}"
        );
        let left = Command::new("pgrep")
            .args([
                "-f",
                "--",
                &format!("--state-dir {state} health-check --watch"),
            ])
            .output()
            .unwrap();
        assert!(
            left.stdout.is_empty(),
            "a guardian is left: {}",
            String::from_utf8_lossy(&left.stdout)
        );
    }
}

/// Two watches on one state dir: their ladders on the one server never overlap.
#[test]
fn two_watches_never_climb_one_ladder_at_once() {
    let t = Test::new().config(
        "[servers.jira]\ncommand = \"python3\"\nargs = [\"{servers}/flaky.py\"]\n\
         env = { FLAKY_UP_FILE = \"{dir}/up\" }\n\
         [servers.jira.recover]\nsteps = [\"command\"]\n\
         command = [\"sh\", \"-c\", \"echo start >> {dir}/ladder; sleep 1; echo end >> {dir}/ladder\"]\n\
         command_timeout = \"30s\"\nsettle = \"200ms\"\nmax_attempts = 50\nwindow = \"1h\"\n\
         backoff = { initial = \"100ms\", max = \"100ms\" }\n",
    );
    let a = watch(&t, &["1s", "--recover"]);
    let b = watch(&t, &["1s", "--recover"]);
    let log = t.path().join("ladder");
    wait_for("six climbs", Duration::from_secs(60), || {
        std::fs::read_to_string(&log).is_ok_and(|s| s.matches("end").count() >= 6)
    });
    drop((a, b));
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for pair in lines.chunks(2) {
        assert!(
            pair == ["start", "end"] || pair == ["start"],
            "two ladders overlapped:\n{text}"
        );
    }
}

/// A change is told once, not once per pass: down over many passes is one Slack message, back is
/// one more.
#[test]
fn a_change_is_told_once_not_once_per_pass() {
    let dir = tempfile::tempdir().unwrap();
    let slack = crate::stub::Stub::start(dir.path(), "slack", 200, false);
    let t = Test::new()
        .config(
            "[servers.jira]\ncommand = \"python3\"\nargs = [\"{servers}/flaky.py\"]\ncritical = true\n\
             env = { FLAKY_UP_FILE = \"{dir}/up\" }\n\
             [notify]\nslack_webhook = \"${SLACK_URL}\"\ntimeout = \"2s\"\n",
        )
        .env("SLACK_URL", &format!("{}/services/T0/B0/canary-slack-77", slack.url));
    let w = watch(&t, &["1s"]);
    wait_for("the first pass", Duration::from_secs(30), || {
        passes(&t) >= 1
    });
    // Five more passes, all down.
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(slack.requests().len(), 1, "{:#?}", slack.requests());
    std::fs::write(t.path().join("up"), "").unwrap();
    wait_for("a healthy pass", Duration::from_secs(30), || {
        latest(&t)["servers"][0]["status"] == "healthy"
    });
    std::thread::sleep(Duration::from_secs(3));
    let (_, _, stderr) = w.stop("INT");
    let said = slack.requests();
    assert_eq!(said.len(), 2, "{said:#?}");
    assert!(
        said[1]["body"].as_str().unwrap().contains("recovered"),
        "{said:#?}"
    );
    assert!(!stderr.contains("canary-slack"), "{stderr}");
}

/// A critical server's container that keeps dying: its ladder spends its budget, the breaker
/// opens, and the same pass puts fallback mode on; once a person has it running again, a pass
/// finds it healthy and the mode clears.
#[test]
fn a_container_that_keeps_dying_trips_the_breaker_and_fallback_mode_goes_on() {
    use crate::container::{Container, docker_host, podman};
    let image = std::env::var("MCPCTL_TEST_IMAGE").expect("MCPCTL_TEST_IMAGE from scripts/test.sh");
    let name = format!("mcpctl-dying-{}", std::process::id());
    let _guard = Container(name.clone());
    let t = Test::new();
    let flag = t.path().join("flag");
    std::fs::create_dir_all(&flag).unwrap();
    // It dies at once unless the flag file exists.
    podman(&[
        "run",
        "-d",
        "--name",
        &name,
        "-v",
        &format!("{}:/flag", flag.display()),
        &image,
        "/bin/busybox",
        "sh",
        "-c",
        "[ -f /flag/ok ] || exit 1; sleep 600",
    ]);
    let t = t
        .config(&format!(
            "[servers.s]\ncommand = \"python3\"\nargs = [\"{{servers}}/minimal.py\"]\ncritical = true\ncontainer = \"{name}\"\n\
             [servers.s.recover]\nsteps = [\"restart-container\"]\nstop_timeout = \"1s\"\nsettle = \"1s\"\nmax_attempts = 2\nwindow = \"1h\"\n\
             backoff = {{ initial = \"100ms\", max = \"200ms\" }}\n"
        ))
        .env("DOCKER_HOST", &docker_host());
    let state = t.path().join("state/mcpctl");
    let w = watch(&t, &["1s", "--recover"]);
    // The ladder fails: fallback mode goes on in that pass; the budget spent opens the breaker.
    wait_for("fallback mode on", Duration::from_secs(60), || {
        std::fs::read_to_string(state.join("emergency.env"))
            .is_ok_and(|e| e.contains("MCPCTL_EMERGENCY=1") && e.contains("MCPCTL_MODE_S=down"))
    });
    wait_for("the breaker", Duration::from_secs(60), || {
        std::fs::read(state.join("recover/s.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|g| g["breaker_opened"].is_string())
    });
    assert!(
        std::fs::read_to_string(state.join("emergency.env"))
            .unwrap()
            .contains("MCPCTL_EMERGENCY=1")
    );
    // A person fixes it; the watch sees it healthy and clears the mode.
    std::fs::write(flag.join("ok"), "").unwrap();
    podman(&["start", &name]);
    wait_for("fallback mode off", Duration::from_secs(60), || {
        std::fs::read_to_string(state.join("emergency.env"))
            .is_ok_and(|e| e.contains("MCPCTL_EMERGENCY=0"))
    });
    let (code, _, stderr) = w.stop("TERM");
    assert_eq!(code, 130, "{stderr}");
    assert!(stderr.contains("fallback mode on"), "{stderr}");
    assert!(stderr.contains("fallback mode off"), "{stderr}");
}
