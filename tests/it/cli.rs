use crate::Test;

#[test]
fn help_and_version_exit_zero() {
    let run = Test::new().args(&["--help"]).run();
    run.code(0);
    for sub in [
        "health-check",
        "backup",
        "restore",
        "recover",
        "emergency",
        "gh-watch",
        "fix",
        "report",
    ] {
        assert!(
            run.stdout.contains(sub),
            "--help lacks {sub}:\n{}",
            run.stdout
        );
    }
    let run = Test::new().args(&["--version"]).run();
    run.code(0);
    assert!(run.stdout.starts_with("mcpctl "));
}

#[test]
fn usage_errors_exit_3_not_clap_2() {
    Test::new()
        .args(&["health-check", "--no-such-flag"])
        .run()
        .code(3)
        .stderr_contains("error: unexpected argument '--no-such-flag' found");
    Test::new()
        .args(&["no-such-command"])
        .run()
        .code(3)
        .stderr_contains("error: unrecognized subcommand 'no-such-command'");
    Test::new()
        .args(&["health-check", "--deadline", "soon"])
        .run()
        .code(3)
        .stderr_contains("error: invalid value 'soon' for '--deadline <DURATION>'");
}

#[test]
fn fix_without_a_fix_table_says_what_to_add() {
    let run = Test::new().args(&["fix"]).run();
    run.code(3);
    assert!(
        run.stderr().contains("needs a [fix] table"),
        "{}",
        run.stderr()
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn no_servers_anywhere_is_unknown() {
    let run = Test::new().args(&["health-check", "--json"]).run();
    run.code(3);
    let report = run.json();
    assert_eq!(report["status"], "unknown");
    assert!(
        report["summary"]
            .as_str()
            .unwrap()
            .contains("no MCP servers")
    );
}

#[test]
fn unknown_server_name_is_a_usage_error() {
    let run = Test::new()
        .config("[servers.a]\ncommand = \"true\"\n")
        .args(&["health-check", "--server", "zzz"])
        .run();
    run.code(3);
    assert!(
        run.stderr().contains("no server named `zzz`; known: a"),
        "{}",
        run.stderr()
    );
}

#[test]
fn broken_pipe_is_success() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcpctl"))
        .args(["completions", "bash"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = [0u8; 8];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("read");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0));
}

/// A run that cannot start still answers a monitoring system: one UNKNOWN line and exit 3 for
/// Nagios, the envelope with the error for `--json`.
#[test]
fn nagios_and_json_answer_when_a_run_cannot_start() {
    let broken = || Test::new().config("[servers.x\n");
    let run = broken().args(&["health-check", "--format", "nagios"]).run();
    run.code(3)
        .stderr_contains("mcpctl.toml:1:11: unclosed table, expected `]`");
    assert!(
        run.stdout.starts_with("MCPCTL UNKNOWN - ") && run.stdout.contains("mcpctl.toml:1:"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    let run = broken().args(&["health-check", "--json"]).run();
    run.code(3)
        .stderr_contains("mcpctl.toml:1:11: unclosed table, expected `]`");
    let report = run.json();
    assert_eq!(report["status"], "unknown");
    assert_eq!(report["command"], "health-check");
    assert_eq!(report["error"]["kind"], "config");

    let run = Test::new()
        .args(&["health-check", "--format", "nagios", "--no-such-flag"])
        .run();
    run.code(3)
        .stderr_contains("error: unexpected argument '--no-such-flag' found");
    assert!(
        run.stdout
            .starts_with("MCPCTL UNKNOWN - unexpected argument '--no-such-flag'"),
        "{}",
        run.stdout
    );

    // The lock: Nagios plugins exit 0 to 3, JSON keeps the documented 75.
    let t = Test::new().config("[servers.x]\ncommand = \"true\"\n");
    std::fs::create_dir_all(t.path().join("state/locks")).unwrap();
    let lock = std::fs::File::create(t.path().join("state/locks/server.x.lock")).unwrap();
    lock.lock().unwrap();
    let run = t.again(&["health-check", "--format", "nagios"]);
    run.code(3)
        .stderr_contains("mcpctl: another mcpctl run holds the lock");
    assert!(
        run.stdout
            .starts_with("MCPCTL UNKNOWN - another mcpctl run holds the lock"),
        "{}",
        run.stdout
    );
    let run = t.again(&["health-check", "--json"]);
    run.code(75)
        .stderr_contains("mcpctl: another mcpctl run holds the lock");
    let report = run.json();
    assert_eq!(report["status"], "unknown");
    assert_eq!(report["exit_code"], 75);
    assert_eq!(report["error"]["kind"], "locked");
}

#[test]
fn json_and_format_together_are_a_usage_error() {
    let run = Test::new()
        .config("[servers.x]\ncommand = \"true\"\n")
        .args(&["--json", "--format", "table", "health-check"])
        .run();
    run.code(3);
    assert!(
        run.stderr()
            .contains("'--json' cannot be used with '--format"),
        "{}",
        run.stderr()
    );
}

/// Cron mails stderr as it is: no colour codes unless it is a terminal.
#[test]
fn no_colour_codes_on_a_pipe() {
    let run = Test::new()
        .config("[servers.x]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n")
        .args(&["-vv", "health-check"])
        .run();
    run.code(0);
    assert!(run.stderr().contains("INFO"), "{}", run.stderr());
    assert!(!run.peek_stderr().contains('\u{1b}'), "{:?}", run.stderr());
}
