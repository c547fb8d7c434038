//! Config, credential and launcher checks, deadlines, and where config and reports live.

use base64::Engine;
use serde_json::Value;

use crate::{Run, Test};

const MINIMAL: &str = "command = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n";

fn one(t: Test) -> (Run, Value) {
    let run = t.args(&["health-check", "--json"]).run();
    let report = run.json();
    let server = report["servers"][0].clone();
    (run, server)
}

fn jwt(exp: i64) -> String {
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2ln",
        e.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        e.encode(format!(r#"{{"sub":"bot","exp":{exp}}}"#))
    )
}

#[test]
fn expired_jwt_is_unhealthy_and_names_the_variable() {
    let config = format!(
        "[servers.jira]\n{MINIMAL}env = {{ JIRA_TOKEN = \"{}\" }}\n",
        jwt(1_600_000_000)
    );
    let (run, s) = one(Test::new().config(&config));
    run.code(1);
    assert_eq!(s["status"], "unhealthy");
    assert_eq!(s["error"]["kind"], "credentials");
    assert!(
        s["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("the JWT in JIRA_TOKEN expired on 2020-09-13"),
        "{s:#}"
    );
}

#[test]
fn jwt_expiring_within_a_week_warns() {
    let soon = chrono::Utc::now().timestamp() + 3 * 86_400 + 3600;
    let config = format!(
        "[servers.jira]\n{MINIMAL}headers = {{}}\nenv = {{ T = \"Bearer {}\" }}\n",
        jwt(soon)
    );
    let (run, s) = one(Test::new().config(&config));
    run.code(1);
    assert_eq!(s["status"], "degraded");
    assert!(
        s["warnings"][0]
            .as_str()
            .unwrap()
            .contains("(in 3 days); rotate it soon"),
        "{s:#}"
    );
}

#[test]
fn token_expires_date_is_checked() {
    let (run, s) = one(Test::new().config(&format!(
        "[servers.jira]\n{MINIMAL}token_expires = \"2001-01-01\"\n"
    )));
    run.code(1);
    assert_eq!(s["error"]["kind"], "credentials");
}

#[test]
fn corrupted_config_file_is_unhealthy_with_a_restore_hint() {
    let t = Test::new().file("home/.cursor/mcp.json", "{\"mcpServers\": {\"a\": ");
    let config = format!("[servers.s]\n{MINIMAL}config_files = [\"~/.cursor/mcp.json\"]\n");
    let (run, s) = one(t.config(&config));
    run.code(1);
    assert_eq!(s["error"]["kind"], "config");
    assert!(
        s["error"]["message"]
            .as_str()
            .unwrap()
            .contains("mcp.json does not parse"),
        "{s:#}"
    );
    assert!(
        s["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("no backup target covers it"),
        "{s:#}"
    );
}

#[test]
fn the_restore_hint_names_the_target_that_covers_the_file() {
    let t = Test::new()
        .file("home/.cursor/mcp.json", "{\"mcpServers\": {\"a\": ")
        .file("jira.env", "TOKEN abc\n");
    let config = format!(
        "[servers.s]\n{MINIMAL}config_files = [\"~/.cursor/mcp.json\"]\n\
         [servers.j]\n{MINIMAL}env_file = \"{{dir}}/jira.env\"\n\
         [backup]\nrecipients = [\"age1rdwdcnkztqmxf643wkz8uy4a4cefg57wfx3pl5fwh3qy5v0nua5q6rqtep\"]\nlocations = [\"{{dir}}/backups\"]\n\
         [backup.targets.cursor_mcp]\npaths = [\"~/.cursor/mcp.json\"]\n\
         [backup.targets.jira]\npaths = [\"{{dir}}/jira.env\"]\n"
    );
    let run = t.config(&config).args(&["health-check", "--json"]).run();
    run.code(1);
    let report = run.json();
    for (server, target) in [("s", "cursor_mcp"), ("j", "jira")] {
        let s = report["servers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == server)
            .unwrap();
        let hint = s["error"]["hint"].as_str().unwrap();
        assert!(
            hint.contains(&format!("`mcpctl restore {target}`")),
            "{s:#}"
        );
    }
}

#[test]
fn a_directory_where_a_file_belongs_says_so() {
    let t = Test::new().file("envdir/x", "").file("cfgdir/y", "");
    let config = format!(
        "[servers.e]\n{MINIMAL}env_file = \"{{dir}}/envdir\"\n\
         [servers.c]\n{MINIMAL}config_files = [\"{{dir}}/cfgdir\"]\n"
    );
    let run = t.config(&config).args(&["health-check", "--json"]).run();
    run.code(1);
    let report = run.json();
    for (server, what) in [
        ("e", "envdir is a directory"),
        ("c", "cfgdir is a directory"),
    ] {
        let s = report["servers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == server)
            .unwrap();
        let message = s["error"]["message"].as_str().unwrap();
        assert!(message.contains(what), "{s:#}");
        assert!(!message.contains("os error"), "{s:#}");
    }
}

#[test]
fn missing_config_file_and_readable_env_file() {
    let t = Test::new().file("creds.env", "TOKEN=abc123456\n");
    let config = format!(
        "[servers.s]\n{MINIMAL}config_files = [\"{{dir}}/nope.toml\"]\nenv_file = \"{{dir}}/creds.env\"\n"
    );
    let (run, s) = one(t.config(&config));
    run.code(1);
    assert!(
        s["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nope.toml cannot be read"),
        "{s:#}"
    );
    assert!(
        s["warnings"][0]
            .as_str()
            .unwrap()
            .contains("creds.env holds credentials and is readable by everyone"),
        "{s:#}"
    );
}

#[test]
fn required_env_must_be_set() {
    let config = format!("[servers.s]\n{MINIMAL}required_env = [\"MCPCTL_TEST_NEVER_SET\"]\n");
    let (run, s) = one(Test::new().config(&config));
    run.code(1);
    assert_eq!(s["error"]["message"], "MCPCTL_TEST_NEVER_SET is not set");
    assert!(
        s["error"]["hint"]
            .as_str()
            .unwrap()
            .starts_with("export MCPCTL_TEST_NEVER_SET")
    );
}

#[test]
fn env_file_values_feed_interpolation_and_the_child() {
    let t = Test::new().file("creds.env", "MINIMAL_TOOLS=alpha,beta,gamma\n");
    std::fs::set_permissions(
        t.path().join("creds.env"),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let config = format!(
        "[servers.s]\n{MINIMAL}env_file = \"{{dir}}/creds.env\"\nenv = {{ LABEL = \"${{MINIMAL_TOOLS}}\" }}\n"
    );
    let (run, s) = one(t.config(&config));
    run.code(0);
    assert_eq!(s["tools"], 3, "{s:#}");
}

/// A fake launcher named `npx` that hangs like npx fetching from an unreachable registry, and
/// records whether mcpctl asked it to prefer its cache.
fn fake_npx(t: Test, behaviour: &str) -> Test {
    let script = format!(
        "#!/usr/bin/env python3\nimport os, sys, time\nopen(os.environ['FAKE_NPX_LOG'], 'w').write(os.environ.get('npm_config_prefer_offline', 'unset'))\n{behaviour}\n"
    );
    let t = t.file("bin/npx", &script);
    std::fs::set_permissions(
        t.path().join("bin/npx"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    t
}

#[test]
fn launcher_that_is_still_fetching_says_so() {
    let t = fake_npx(Test::new(), "time.sleep(60)");
    let config = "[defaults]\ngrace = \"200ms\"\n[servers.s]\ncommand = \"{dir}/bin/npx\"\nargs = [\"-y\", \"some-mcp\"]\nstartup_timeout = \"1s\"\nenv = { FAKE_NPX_LOG = \"{dir}/npx.log\" }\n";
    let (run, s) = one(t.config(config));
    run.code(1);
    assert_eq!(s["error"]["kind"], "launcher_timeout", "{s:#}");
    assert!(
        s["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("prefer_offline = true")
    );
    assert_eq!(
        std::fs::read_to_string(run.dir.join("npx.log")).unwrap(),
        "unset"
    );
}

#[test]
fn prefer_offline_reaches_the_launcher() {
    let t = fake_npx(
        Test::new(),
        "sys.argv = ['x']\nsys.path.insert(0, os.environ['SERVERS'])\nimport minimal\nminimal.serve()",
    );
    let config = "[defaults]\nprefer_offline = true\n[servers.s]\ncommand = \"{dir}/bin/npx\"\nargs = [\"-y\", \"some-mcp\"]\nenv = { FAKE_NPX_LOG = \"{dir}/npx.log\", SERVERS = \"{servers}\" }\n";
    let (run, s) = one(t.config(config));
    run.code(0);
    assert_eq!(s["status"], "healthy", "{s:#}");
    assert_eq!(
        std::fs::read_to_string(run.dir.join("npx.log")).unwrap(),
        "true"
    );
}

#[test]
fn run_deadline_cuts_every_probe() {
    let config = "[defaults]\ntimeout = \"60s\"\n[servers.slow]\ncommand = \"python3\"\nargs = [\"{servers}/hang.py\"]\n[servers.fast]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n";
    let run = Test::new()
        .config(config)
        .args(&["health-check", "--json", "--deadline", "1s"])
        .run();
    run.code(1);
    let report = run.json();
    assert_eq!(Run::server(&report, "slow")["error"]["kind"], "deadline");
    assert_eq!(Run::server(&report, "slow")["status"], "unknown");
    assert_eq!(Run::server(&report, "fast")["status"], "healthy");
    assert!(report["duration_ms"].as_u64().unwrap() < 5_000);
}

#[test]
fn config_from_env_and_xdg_and_report_path() {
    let body = format!("[servers.s]\n{MINIMAL}");
    // MCPCTL_CONFIG
    let t = Test::new().file("elsewhere.toml", &body);
    let run = t
        .env("MCPCTL_CONFIG", "{dir}/elsewhere.toml")
        .args(&["health-check", "--json"])
        .run();
    run.code(0);
    assert!(
        run.json()["config"]
            .as_str()
            .unwrap()
            .ends_with("elsewhere.toml")
    );
    // $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, and --report
    let t = Test::new().file("home/.config/mcpctl/mcpctl.toml", &body);
    let run = t
        .args(&["health-check", "--report", "{dir}/out.json"])
        .run();
    run.code(0);
    let stored: Value =
        serde_json::from_slice(&std::fs::read(run.dir.join("out.json")).unwrap()).unwrap();
    assert_eq!(stored["status"], "ok");
    assert!(
        stored["config"]
            .as_str()
            .unwrap()
            .ends_with("home/.config/mcpctl/mcpctl.toml")
    );
    assert!(!run.dir.join("state/mcpctl/reports").exists());
}

#[test]
fn history_keeps_one_file_per_run_and_latest() {
    let t = Test::new().config(&format!("[servers.s]\n{MINIMAL}"));
    for _ in 0..3 {
        assert!(t.command().arg("health-check").status().unwrap().success());
    }
    let dir = t.path().join("state/mcpctl/reports/health-check");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 4, "{names:?}");
    assert_eq!(names[3], "latest.json");
    assert!(
        names[0].ends_with("Z.json") && names[0].len() == "20261124T234733.906Z.json".len(),
        "{names:?}"
    );
    let latest = std::fs::read(dir.join("latest.json")).unwrap();
    assert_eq!(latest, std::fs::read(dir.join(&names[2])).unwrap());
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.join(&names[0]))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
}

fn chmod(t: &Test, rel: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(t.path().join(rel), std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A world-readable file is a problem only when it holds a secret itself.
#[test]
fn readable_files_without_secrets_are_not_credentials() {
    // Zero config: a Cursor file whose only variable is a path.
    let t = Test::new().file(
        "home/.cursor/mcp.json",
        r#"{"mcpServers": {"memory": {"command": "python3", "args": ["{servers}/minimal.py"], "env": {"MEMORY_FILE_PATH": "/tmp/memory.json"}}}}"#,
    );
    chmod(&t, "home/.cursor/mcp.json", 0o644);
    let run = t.args(&["health-check", "--json"]).run();
    run.code(0);
    assert_eq!(run.json()["servers"][0]["warnings"], serde_json::json!([]));

    // Only a VS Code prompt: the server cannot run unattended, but the file holds no secret.
    let t = Test::new().file(
        "project/.vscode/mcp.json",
        r#"{"servers": {"jira": {"command": "python3", "args": ["{servers}/minimal.py"], "env": {"JIRA_TOKEN": "${input:jira-token}"}}}}"#,
    );
    chmod(&t, "project/.vscode/mcp.json", 0o644);
    let run = t.args(&["health-check", "--json"]).run();
    let report = run.json();
    let s = &report["servers"][0];
    assert!(!s.to_string().contains("holds credentials"), "{s:#}");

    // A config_files entry of a server with no env at all.
    let t = Test::new().file("settings.json", r#"{"theme": "dark", "logLevel": "info"}"#);
    chmod(&t, "settings.json", 0o644);
    let config = format!("[servers.s]\n{MINIMAL}config_files = [\"{{dir}}/settings.json\"]\n");
    let (run, s) = one(t.config(&config));
    run.code(0);
    assert_eq!(s["warnings"], serde_json::json!([]), "{s:#}");
}

#[test]
fn readable_files_with_a_literal_secret_are_warned_about() {
    let t = Test::new()
        .file(
            "tokens.json",
            r#"{"mcpServers": {"gh": {"command": "x", "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_0123456789abcdef"}}}}"#,
        )
        .file(
            "headers.toml",
            "[remote]\nheaders = { X-Forward = \"Bearer abcdef0123456789\" }\n",
        );
    chmod(&t, "tokens.json", 0o644);
    chmod(&t, "headers.toml", 0o644);
    let config = format!(
        "[servers.s]\n{MINIMAL}config_files = [\"{{dir}}/tokens.json\", \"{{dir}}/headers.toml\"]\n"
    );
    let (run, s) = one(t.config(&config));
    run.code(1);
    let warnings = s["warnings"].to_string();
    assert!(
        warnings.contains("tokens.json holds credentials and is readable by everyone")
            && warnings.contains("headers.toml holds credentials"),
        "{s:#}"
    );
    assert!(!warnings.contains("ghp_0123"), "{warnings}");
}

/// One of a thing is singular: `1 server`, `in 1 day`.
#[test]
fn counts_of_one_are_singular() {
    let soon = chrono::Utc::now().timestamp() + 36 * 3600;
    let config = format!(
        "[servers.jira]\n{MINIMAL}env = {{ JIRA_TOKEN = \"{}\" }}\n",
        jwt(soon)
    );
    let (run, s) = one(Test::new().config(&config));
    run.code(1);
    let report = run.json();
    assert!(
        report["summary"]
            .as_str()
            .unwrap()
            .starts_with("1 server: 0 healthy, 1 degraded"),
        "{report:#}"
    );
    assert!(
        s["warnings"][0]
            .as_str()
            .unwrap()
            .contains("(in 1 day); rotate it soon"),
        "{s:#}"
    );
}

/// A URL that answers 404 (wrong path, usually) gets a hint, like every other failure.
#[test]
fn a_404_gets_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let web = crate::stub::Stub::start(dir.path(), "web", 404, false);
    let config = format!("[servers.remote]\nurl = \"{}/wrong-path\"\n", web.url);
    let (run, s) = one(Test::new().config(&config));
    run.code(1);
    assert_eq!(s["error"]["kind"], "http_status", "{s:#}");
    let hint = s["error"]["hint"].as_str().unwrap_or_default();
    assert!(
        hint.contains("check `url`") && hint.contains("/mcp"),
        "{s:#}"
    );
}
