//! Every config error names <file:line:col> and the offending key, and exits 3.

use crate::Test;

fn config_error(toml: &str) -> String {
    let run = Test::new().config(toml).args(&["health-check"]).run();
    run.code(3);
    assert!(run.stdout.is_empty());
    run.stderr
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
        run.stderr.contains("cannot read config") && run.stderr.contains("nope.toml"),
        "{}",
        run.stderr
    );
}
