//! Probes under attack: servers that never take a notification, stop reading their stdin, list
//! tools forever, redirect credentials to another origin, or echo secrets where a cut would
//! fall. Each ends within its timeout with the right kind, and no secret reaches any output.

use serde_json::Value;

use crate::stub::Stub;
use crate::{Run, Test};

const LIMITS: &str = "[defaults]\ntimeout = \"1s\"\ngrace = \"500ms\"\n";

fn hostile_http(mode: &str, arg: &str) -> Stub {
    let args = vec![mode.to_owned(), arg.to_owned()];
    Stub::spawn(
        "hostile_http.py",
        &args,
        std::env::temp_dir().join("unused.jsonl"),
    )
}

fn check(t: Test) -> (Run, Value) {
    let run = t.args(&["health-check", "--json"]).run();
    let report = run.json();
    let server = Run::server(&report, "x").clone();
    (run, server)
}

fn total_ms(server: &Value) -> f64 {
    server["latency_ms"]["total"].as_f64().unwrap()
}

/// Every byte a run left: stdout, stderr and its state files.
fn everything(run: &Run) -> String {
    let mut all = format!("{}\n{}", run.stdout, run.peek_stderr());
    for f in run.state_files() {
        all.push_str(&String::from_utf8_lossy(
            &std::fs::read(f).unwrap_or_default(),
        ));
    }
    all
}

#[test]
fn an_http_server_that_never_takes_the_initialized_notification_times_out() {
    let server = hostile_http("mute-notify", "");
    let t = Test::new().config(&format!(
        "{LIMITS}[servers.x]\nurl = \"{}/mcp\"\n",
        server.url
    ));
    let (run, s) = check(t);
    run.code(1);
    assert_eq!(s["error"]["kind"], "timeout", "{s:#}");
    assert!(
        s["error"]["message"]
            .as_str()
            .unwrap()
            .contains("notifications/initialized"),
        "{s:#}"
    );
    assert!(total_ms(&s) < 5_000.0, "{s:#}");
}

#[test]
fn a_stdio_server_that_stops_reading_its_stdin_times_out() {
    let t = Test::new().config(&format!(
        "{LIMITS}[servers.x]\ncommand = \"python3\"\nargs = [\"{{servers}}/hostile.py\", \"server-requests\"]\n"
    ));
    let (run, s) = check(t);
    run.code(1);
    assert_eq!(s["error"]["kind"], "timeout", "{s:#}");
    assert!(total_ms(&s) < 5_000.0, "{s:#}");
}

#[test]
fn tools_list_without_end_is_capped_and_unhealthy() {
    let t = Test::new().config(
        "[defaults]\ntimeout = \"10s\"\ngrace = \"500ms\"\n[servers.x]\ncommand = \"python3\"\nargs = [\"{servers}/hostile.py\", \"pages\"]\n",
    );
    let (run, s) = check(t);
    run.code(1);
    assert_eq!(s["status"], "unhealthy");
    assert_eq!(s["error"]["kind"], "protocol", "{s:#}");
    assert!(
        s["error"]["message"].as_str().unwrap().contains("MiB"),
        "{s:#}"
    );
}

#[test]
fn credentials_never_follow_a_redirect_to_another_origin() {
    let dir = tempfile::tempdir().unwrap();
    let other = Stub::start(dir.path(), "other", 200, false);
    for (mode, transport) in [("redirect", "http"), ("sse-redirect", "sse")] {
        let server = hostile_http(mode, &format!("{}/steal", other.url));
        let t = Test::new().config(&format!(
            "{LIMITS}[servers.x]\nurl = \"{}/mcp\"\ntransport = \"{transport}\"\nheaders = {{ X-Api-Key = \"canary-redirect-5f2e9a\" }}\n",
            server.url
        ));
        let (run, s) = check(t);
        run.code(1);
        assert_eq!(s["status"], "unhealthy", "{s:#}");
        assert!(
            s["error"]["message"]
                .as_str()
                .unwrap()
                .contains("another origin"),
            "{s:#}"
        );
    }
    assert!(
        other.requests().is_empty(),
        "the other origin was reached: {:?}",
        other.requests()
    );
}

#[test]
fn secrets_are_redacted_before_any_cut_wherever_it_falls() {
    let canary = "canary-straddle-0123456789abcdef";
    let prefix = &canary[..12];
    // The old cut was at 400 characters; the secret straddles it at every offset.
    for offset in (360..=400).step_by(4) {
        let t = Test::new()
            .config(&format!(
                "{LIMITS}[servers.x]\ncommand = \"python3\"\nargs = [\"{{servers}}/hostile.py\", \"stderr-secret\"]\n\
                 env = {{ HOSTILE_SECRET = \"${{CANARY}}\", HOSTILE_OFFSET = \"{offset}\", HOSTILE_ECHO = \"pre-${{ECHOED}}\" }}\n"
            ))
            .env("CANARY", canary)
            .env("ECHOED", "echoed-secret-77aa");
        let (run, s) = check(t);
        run.code(1);
        let all = everything(&run);
        assert!(!all.contains(prefix), "offset {offset}: {s:#}");
        // A value interpolated into env is a secret on its own, not only inside the whole value.
        assert!(!all.contains("echoed-secret-77aa"), "{s:#}");
    }
    // A WWW-Authenticate that echoes the token around the old 200-character cut.
    let token = "canary-bearer-9988776655";
    for pad in [140, 150, 152, 160] {
        let server = hostile_http("challenge", &pad.to_string());
        let t = Test::new()
            .config(&format!(
                "{LIMITS}[servers.x]\nurl = \"{}/mcp\"\nheaders = {{ Authorization = \"Bearer ${{TOK}}\" }}\n",
                server.url
            ))
            .env("TOK", token);
        let (run, s) = check(t);
        run.code(1);
        assert_eq!(s["error"]["kind"], "auth", "{s:#}");
        assert!(!everything(&run).contains(&token[..12]), "pad {pad}: {s:#}");
    }
}

#[test]
fn a_key_in_a_url_query_never_reaches_any_output() {
    // TLS to a plain-HTTP port fails after connecting: the error that used to carry the URL.
    let dir = tempfile::tempdir().unwrap();
    let plain = Stub::start(dir.path(), "plain", 200, false);
    let url = plain.url.replace("http://", "https://");
    let t = Test::new()
        .config(&format!(
            "{LIMITS}[servers.x]\nurl = \"{url}/mcp?api_key=${{KEY}}\"\ncritical = true\n"
        ))
        .env("KEY", "canary-query-31415926");
    let run = t.args(&["health-check"]).run();
    run.code(2);
    assert!(
        !everything(&run).contains("canary-query"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("x ("), "{}", run.stderr());
}

fn wait_for_pid(file: &std::path::Path) -> String {
    let started = std::time::Instant::now();
    loop {
        if let Ok(pid) = std::fs::read_to_string(file) {
            return pid.trim().to_owned();
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "no pid in {}",
            file.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_setsid_daemon_left_by_a_healthy_server_is_killed() {
    let t = Test::new();
    let pidfile = t.path().join("daemon.pid");
    let t = t.config(&format!(
        "{LIMITS}[servers.x]\ncommand = \"python3\"\nargs = [\"{{servers}}/hostile.py\", \"daemon\"]\nenv = {{ HOSTILE_PIDFILE = \"{}\" }}\n",
        pidfile.display()
    ));
    let (run, s) = check(t);
    run.code(0);
    assert_eq!(s["status"], "healthy", "{s:#}");
    let pid = std::fs::read_to_string(&pidfile).unwrap();
    assert!(
        crate::health_hostile::gone(pid.trim()),
        "daemon {pid} survived"
    );
}

#[test]
fn sigkill_of_mcpctl_takes_its_probe_children_with_it() {
    let t = Test::new();
    let pidfile = t.path().join("sleeper.pid");
    let t = t.config(&format!(
        "[defaults]\ntimeout = \"60s\"\n[servers.x]\ncommand = \"python3\"\nargs = [\"{{servers}}/hostile.py\", \"sleeper\"]\nenv = {{ HOSTILE_PIDFILE = \"{}\" }}\n",
        pidfile.display()
    ));
    let mut child = t.command().args(["health-check"]).spawn().unwrap();
    let pid = wait_for_pid(&pidfile);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        crate::health_hostile::gone(&pid),
        "probe child {pid} survived SIGKILL"
    );
}

#[test]
fn six_hundred_servers_under_a_low_fd_limit_all_answer() {
    let mut config =
        String::from("[defaults]\ntimeout = \"20s\"\n[health_check]\ndeadline = \"2m\"\n");
    for i in 0..600 {
        config.push_str(&format!(
            "[servers.s{i}]\ncommand = \"{{servers}}/light.sh\"\n"
        ));
    }
    let t = Test::new().config(&config);
    let inner = t.command();
    // A hard limit of 256 open files: mcpctl cannot raise it, so it must wait its turn.
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -n 256 && exec \"$0\" \"$@\"")
        .arg(inner.get_program())
        .args(inner.get_args())
        .args(["health-check", "--json"]);
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    if let Some(dir) = inner.get_current_dir() {
        cmd.current_dir(dir);
    }
    let run = Run::from_output(&cmd.output().unwrap(), t.path());
    let report = run.json();
    let unhealthy: Vec<&Value> = report["servers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] != "healthy")
        .collect();
    assert!(
        unhealthy.is_empty(),
        "{} unhealthy, first: {:#}",
        unhealthy.len(),
        unhealthy[0]
    );
    run.code(0);
}
