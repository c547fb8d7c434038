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
        .code(3);
    Test::new().args(&["no-such-command"]).run().code(3);
    Test::new()
        .args(&["health-check", "--deadline", "soon"])
        .run()
        .code(3);
}

#[test]
fn fix_without_a_fix_table_says_what_to_add() {
    let run = Test::new().args(&["fix"]).run();
    run.code(3);
    assert!(run.stderr.contains("needs a [fix] table"), "{}", run.stderr);
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
        run.stderr.contains("no server named `zzz`; known: a"),
        "{}",
        run.stderr
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
