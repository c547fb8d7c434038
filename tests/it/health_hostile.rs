//! Servers that hang, print garbage, flood stdout, exit at once or ignore SIGTERM: each ends
//! within timeout + grace with the right error kind, and leaves no process behind.

use serde_json::Value;

use crate::{Run, Test};

const LIMITS: &str = "[defaults]\ntimeout = \"1s\"\ngrace = \"500ms\"\n";

fn probe_one(script: &str, extra: &str) -> (Run, Value) {
    let config = format!(
        "{LIMITS}\n[servers.x]\ncommand = \"python3\"\nargs = [\"{{servers}}/{script}\"]\n{extra}"
    );
    let run = Test::new()
        .config(&config)
        .args(&["health-check", "--json"])
        .run();
    let report = run.json();
    let server = Run::server(&report, "x").clone();
    (run, server)
}

fn assert_bounded(server: &Value) {
    // timeout 1 s + grace 0.5 s, with room for a loaded CI machine.
    let total = server["latency_ms"]["total"].as_f64().unwrap();
    assert!(total < 4_000.0, "probe took {total} ms: {server:#}");
}

#[test]
fn hanging_server_times_out() {
    let (run, s) = probe_one("hang.py", "");
    run.code(1);
    assert_eq!(s["status"], "unhealthy");
    assert_eq!(s["error"]["kind"], "timeout", "{s:#}");
    assert!(
        s["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no answer to initialize within 1s")
    );
    assert_bounded(&s);
}

#[test]
fn critical_hanging_server_makes_the_run_critical() {
    let (run, s) = probe_one("hang.py", "critical = true\n");
    run.code(2);
    assert_eq!(s["critical"], true);
}

#[test]
fn garbage_printer_is_garbage_not_timeout() {
    let (run, s) = probe_one("garbage.py", "");
    run.code(1);
    assert_eq!(s["error"]["kind"], "garbage", "{s:#}");
    assert!(s["stray_stdout_lines"].as_u64().unwrap() > 0);
    assert_bounded(&s);
}

#[test]
fn flood_of_stdout_is_cut_off() {
    let (run, s) = probe_one("flood.py", "");
    run.code(1);
    assert_eq!(s["error"]["kind"], "garbage", "{s:#}");
    assert_bounded(&s);
}

#[test]
fn immediate_exit_reports_code_and_stderr() {
    let (run, s) = probe_one("exit_now.py", "");
    run.code(1);
    assert_eq!(s["error"]["kind"], "exited", "{s:#}");
    assert_eq!(s["exit_status"], "exited with code 1");
    let hint = s["error"]["hint"].as_str().unwrap();
    assert!(
        hint.contains("exited with code 1: fatal: JIRA_URL is not configured"),
        "{hint}"
    );
}

#[test]
fn sigterm_ignoring_server_and_grandchild_are_killed() {
    let t = Test::new();
    let pidfile = t.path().join("pids");
    let config = format!(
        "{LIMITS}\n[servers.x]\ncommand = \"python3\"\nargs = [\"{{servers}}/stubborn.py\"]\nenv = {{ MCPCTL_TEST_PIDFILE = \"{}\" }}\n",
        pidfile.display()
    );
    let run = t.config(&config).args(&["health-check", "--json"]).run();
    run.code(1);
    let report = run.json();
    let s = Run::server(&report, "x");
    assert_eq!(s["error"]["kind"], "timeout", "{s:#}");
    assert_bounded(s);
    let pids = std::fs::read_to_string(run.dir.join("pids")).expect("stubborn.py wrote its pids");
    let pids: Vec<&str> = pids.lines().collect();
    assert_eq!(pids.len(), 2, "parent and grandchild: {pids:?}");
    for pid in pids {
        assert!(!alive(pid), "process {pid} outlived the probe");
    }
}

/// Alive means present and not a zombie waiting for its reaper.
pub(crate) fn gone(pid: &str) -> bool {
    !alive(pid)
}

fn alive(pid: &str) -> bool {
    for _ in 0..20 {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return false,
            Ok(stat)
                if stat
                    .split(") ")
                    .nth(1)
                    .is_some_and(|rest| rest.starts_with('Z')) =>
            {
                return false;
            }
            Ok(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
    true
}

#[test]
fn stray_stdout_lines_degrade_but_do_not_fail() {
    let (run, s) = probe_one("noisy_ok.py", "");
    run.code(1);
    assert_eq!(s["status"], "degraded", "{s:#}");
    assert_eq!(s["stray_stdout_lines"], 3);
    assert!(s["error"].is_null());
    assert_eq!(s["tools"], 2);
}

#[test]
fn paginated_tools_are_all_counted() {
    let (run, s) = probe_one(
        "minimal.py",
        "env = { MINIMAL_TOOLS = \"a,b,c,d,e\", MINIMAL_PAGE_SIZE = \"2\" }\n",
    );
    run.code(0);
    assert_eq!(s["status"], "healthy", "{s:#}");
    assert_eq!(s["tools"], 5);
}

#[test]
fn missing_expected_tools_degrade() {
    let (run, s) = probe_one("minimal.py", "expect_tools = [\"echo\", \"jira_search\"]\n");
    run.code(1);
    assert_eq!(s["status"], "degraded");
    assert_eq!(s["missing_tools"], serde_json::json!(["jira_search"]));
}

#[test]
fn missing_command_is_spawn_failed_with_a_hint() {
    let run = Test::new()
        .config("[servers.x]\ncommand = \"mcpctl-no-such-server\"\ncritical = true\n")
        .args(&["health-check", "--json"])
        .run();
    run.code(2);
    let report = run.json();
    let s = Run::server(&report, "x");
    assert_eq!(s["error"]["kind"], "spawn_failed");
    assert!(
        s["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("install `mcpctl-no-such-server`")
    );
}

#[test]
fn unset_variable_names_itself() {
    let run = Test::new()
        .config("[servers.jira]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\nenv = { JIRA_API_TOKEN = \"${MCPCTL_TEST_UNSET_TOKEN}\" }\n")
        .args(&["health-check", "--json"])
        .run();
    run.code(1);
    let report = run.json();
    let s = Run::server(&report, "jira");
    assert_eq!(s["error"]["kind"], "config");
    assert_eq!(s["error"]["message"], "MCPCTL_TEST_UNSET_TOKEN is not set");
}

const CANARY: &str = "canary-7f3a9c1e55";

fn canary_run(args: &[&str]) -> Run {
    let config = format!(
        "[defaults]\ntimeout = \"2s\"\n\
         [servers.stdio]\ncommand = \"python3\"\nargs = [\"{{servers}}/minimal.py\"]\nenv_file = \"{{dir}}/creds.env\"\n\
         env = {{ API_TOKEN = \"{CANARY}\", MINIMAL_STDERR_SECRET = \"{CANARY} and {CANARY}-file\" }}\n\
         [servers.dies]\ncommand = \"python3\"\nargs = [\"-c\", \"import sys; sys.stderr.write('token={CANARY}\\\\n'); sys.exit(3)\"]\nenv = {{ T = \"{CANARY}\" }}\n\
         [servers.remote]\nurl = \"http://127.0.0.1:9/mcp\"\nheaders = {{ Authorization = \"Bearer {CANARY}-hdr\", X-Api-Key = \"${{CANARY_ENV}}\" }}\n"
    );
    Test::new()
        .file("creds.env", &format!("FROM_FILE_TOKEN={CANARY}-file\n"))
        .config(&config)
        .env("CANARY_ENV", &format!("{CANARY}-env"))
        .args(args)
        .run()
}

#[test]
fn canary_secrets_appear_in_no_output() {
    for args in [
        &["health-check", "--json", "-vvv"][..],
        &["health-check", "--format", "table"],
        &["health-check", "--format", "nagios"],
        &["health-check"],
        &["health-check", "--list"],
    ] {
        let run = canary_run(args);
        assert!(
            !run.stdout.contains(CANARY),
            "{args:?} stdout leaks the canary:\n{}",
            run.stdout
        );
        assert!(
            !run.peek_stderr().contains(CANARY),
            "{args:?} stderr leaks the canary:\n{}",
            run.stderr()
        );
        for file in run.state_files() {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            assert!(
                !text.contains(CANARY),
                "{} leaks the canary",
                file.display()
            );
        }
        if args.contains(&"-vvv") {
            // The -vvv trace log is free-form: it is checked above for the canary only.
            run.any_stderr();
        } else if args == ["health-check"] {
            run.stderr_contains("mcpctl health-check: WARNING: 3 servers");
        }
        if args.contains(&"--json") {
            run.code(1);
            let report = run.json();
            let tail = Run::server(&report, "stdio")["stderr_tail"].to_string();
            assert!(
                tail.contains("***"),
                "the secret line was captured, redacted: {tail}"
            );
            let tail = Run::server(&report, "dies")["error"]["hint"].to_string();
            assert!(tail.contains("token=***"), "{tail}");
        }
    }
}

/// A shell server dies before Python would even have started: its stderr and stray stdout
/// used to be read after the tail was taken, so they were often lost.
#[test]
fn a_server_that_exits_at_once_keeps_its_stderr_and_stray_stdout() {
    let mut config = String::from(LIMITS);
    for i in 0..8 {
        config.push_str(&format!(
            "[servers.s{i}]\ncommand = \"sh\"\nargs = [\"-c\", \"echo 'fatal: cannot open /etc/jira/token' >&2; echo 'starting up'; exit 1\"]\n"
        ));
    }
    let t = Test::new().config(&config);
    for _ in 0..3 {
        let run = t.again(&["health-check", "--json"]);
        run.code(1);
        let report = run.json();
        for s in report["servers"].as_array().unwrap() {
            assert_eq!(s["error"]["kind"], "exited", "{s:#}");
            assert_eq!(
                s["stderr_tail"],
                serde_json::json!(["fatal: cannot open /etc/jira/token"]),
                "{s:#}"
            );
            assert_eq!(s["stray_stdout_lines"], 1, "{s:#}");
            assert_eq!(
                s["error"]["hint"],
                "the server exited with code 1: fatal: cannot open /etc/jira/token",
                "{s:#}"
            );
        }
    }
}

/// Node ends a crash with its version banner; the hint is the `Error:` line, and the JSON still
/// keeps the whole tail.
#[test]
fn the_hint_is_the_most_telling_stderr_line() {
    let node = crate::harness::prerequisite("MCPCTL_TEST_NODE");
    let run = Test::new()
        .config(&format!(
            "{LIMITS}[servers.x]\ncommand = \"{node}\"\nargs = [\"{{dir}}/no/such/server.js\"]\n"
        ))
        .args(&["health-check", "--json"])
        .run();
    run.code(1);
    let report = run.json();
    let s = Run::server(&report, "x");
    let hint = s["error"]["hint"].as_str().unwrap();
    assert!(
        hint.starts_with("the server exited with code 1: Error: Cannot find module"),
        "{hint}"
    );
    let tail: Vec<&str> = s["stderr_tail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(tail.len() > 3, "{tail:?}");
    assert!(tail.last().unwrap().starts_with("Node.js v"), "{tail:?}");

    // A Python traceback: its last line names the exception, not "Traceback …".
    let run = Test::new()
        .config(&format!(
            "{LIMITS}[servers.py]\ncommand = \"python3\"\nargs = [\"-c\", \"import mcpctl_no_such_module\"]\n"
        ))
        .args(&["health-check", "--json"])
        .run();
    let report = run.json();
    let hint = Run::server(&report, "py")["error"]["hint"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        hint.ends_with("ModuleNotFoundError: No module named 'mcpctl_no_such_module'"),
        "{hint}"
    );
}

#[test]
fn a_variable_named_twice_is_named_once() {
    let run = Test::new()
        .config("[servers.gh]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\nenv = { A = \"${MCPCTL_TEST_UNSET_PAT}\", B = \"x${MCPCTL_TEST_UNSET_PAT}\" }\nrequired_env = [\"MCPCTL_TEST_UNSET_PAT\", \"MCPCTL_TEST_UNSET_OTHER\"]\n")
        .args(&["health-check", "--json"])
        .run();
    run.code(1);
    let report = run.json();
    let s = Run::server(&report, "gh");
    assert_eq!(
        s["error"]["message"],
        "MCPCTL_TEST_UNSET_OTHER and MCPCTL_TEST_UNSET_PAT are not set"
    );
}
