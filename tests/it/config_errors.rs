//! Every config error names <file:line:col> and the offending key, and exits 3.

use crate::Test;

fn config_error(toml: &str) -> String {
    let run = Test::new().config(toml).args(&["health-check"]).run();
    run.code(3);
    assert!(run.stdout.is_empty());
    run.stderr().to_owned()
}

#[test]
fn unknown_key_points_at_its_line_and_column() {
    let err = config_error("[servers.jira]\ncommand = \"npx\"\ncommnd = \"x\"\n");
    assert!(
        err.contains("mcpctl.toml:3:1: unknown field `commnd`"),
        "{err}"
    );
}

#[test]
fn unknown_top_level_section() {
    let err = config_error("[serverz.jira]\ncommand = \"npx\"\n");
    assert!(
        err.contains("mcpctl.toml:1:2: unknown field `serverz`"),
        "{err}"
    );
}

#[test]
fn bad_duration_names_the_value() {
    let err = config_error("[servers.a]\ncommand = \"x\"\ntimeout = \"10 parsecs\"\n");
    assert!(
        err.contains("mcpctl.toml:3:11: invalid duration \"10 parsecs\""),
        "{err}"
    );
}

#[test]
fn syntax_error() {
    let err = config_error("[servers.a]\ncommand = \"x\n");
    assert!(err.contains("mcpctl.toml:2:"), "{err}");
}

#[test]
fn cross_field_errors_point_at_the_server_table() {
    let err = config_error(
        "[defaults]\ntimeout = \"5s\"\n\n[servers.both]\ncommand = \"x\"\nurl = \"http://127.0.0.1:1/mcp\"\n",
    );
    assert!(err.contains("mcpctl.toml:4:1: servers.both: set either `command` (stdio) or `url` (http/sse), not both"), "{err}");
    let err = config_error("[servers.none]\ncritical = true\n");
    assert!(
        err.contains("servers.none: missing `command` (stdio) or `url` (http/sse)"),
        "{err}"
    );
}

#[test]
fn bad_transport_value() {
    let err = config_error("[servers.a]\nurl = \"http://x\"\ntransport = \"carrier-pigeon\"\n");
    assert!(
        err.contains("mcpctl.toml:3:13: unknown variant `carrier-pigeon`"),
        "{err}"
    );
}

#[test]
fn missing_explicit_config_file() {
    let run = Test::new()
        .args(&["--config", "{dir}/nope.toml", "health-check"])
        .run();
    run.code(3);
    assert!(
        run.stderr().contains("cannot read config") && run.stderr().contains("nope.toml"),
        "{}",
        run.stderr()
    );
}

#[test]
fn zero_durations_are_errors() {
    let err = config_error("[servers.a]\ncommand = \"x\"\ntimeout = \"0s\"\n");
    assert!(
        err.contains("mcpctl.toml:3:11: the duration \"0s\" is zero"),
        "{err}"
    );
    let err = config_error("[defaults]\ngrace = \"0ms\"\n[servers.a]\ncommand = \"x\"\n");
    assert!(
        err.contains("mcpctl.toml:2:9: the duration \"0ms\" is zero"),
        "{err}"
    );
    let run = Test::new()
        .config("[servers.a]\ncommand = \"x\"\n")
        .args(&["health-check", "--deadline", "0s"])
        .run();
    run.code(3);
    assert!(
        run.stderr()
            .contains("a zero duration leaves no time at all"),
        "{}",
        run.stderr()
    );
}

#[test]
fn an_empty_config_file_says_it_is_empty() {
    for text in ["", "\n\n", "# nothing yet\n"] {
        let err = config_error(text);
        assert!(
            err.contains("mcpctl.toml:1:1: the config file is empty"),
            "{err}"
        );
    }
}

/// `~/bin/srv.sh` and `./bin/srv.sh` are paths like every other path field.
#[test]
fn home_and_relative_commands_are_expanded() {
    let script = "#!/bin/sh\nexec python3 \"$MCPCTL_SERVERS/minimal.py\"\n";
    let t = Test::new()
        .file("home/bin/srv.sh", script)
        .file("conf/bin/srv.sh", script);
    for rel in ["home/bin/srv.sh", "conf/bin/srv.sh"] {
        use std::os::unix::fs::PermissionsExt;
        let p = t.path().join(rel);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let t = t
        .file(
            "conf/mcpctl.toml",
            "[servers.home]\ncommand = \"~/bin/srv.sh\"\n[servers.here]\ncommand = \"./bin/srv.sh\"\n[servers.bare]\ncommand = \"bin/srv.sh\"\n",
        )
        .env("MCPCTL_SERVERS", "{servers}")
        .args(&["--config", "{dir}/conf/mcpctl.toml", "health-check", "--json"]);
    let run = t.run();
    run.code(0);
    let report = run.json();
    for name in ["home", "here", "bare"] {
        assert_eq!(
            crate::Run::server(&report, name)["status"],
            "healthy",
            "{report:#}"
        );
    }
}
