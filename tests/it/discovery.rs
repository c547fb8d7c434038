//! Every MCP client config format, discovered under a temp $HOME and project directory.

use serde_json::Value;

use crate::{Run, Test};

const PY: &str = r#""command": "python3", "args": ["{servers}/minimal.py"]"#;

/// Client configs hold tokens, so a careful user keeps them 0600; mcpctl warns otherwise.
pub(crate) fn private(t: Test) -> Test {
    fn walk(dir: &std::path::Path) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                walk(&p);
            } else {
                std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o600))
                    .unwrap();
            }
        }
    }
    walk(t.path());
    t
}

fn every_client() -> Test {
    private(every_client_files())
}

fn every_client_files() -> Test {
    Test::new()
        .file(
            "home/.config/Claude/claude_desktop_config.json",
            &format!(r#"{{"mcpServers": {{"shared": {{{PY}, "env": {{"MINIMAL_TOOLS": "a,b"}}}}}}}}"#),
        )
        .file(
            "home/.cursor/mcp.json",
            &format!(
                r#"{{"mcpServers": {{
                    "shared": {{{PY}, "env": {{"MINIMAL_TOOLS": "a,b"}}}},
                    "tokened": {{{PY}, "env": {{"API_KEY": "${{env:CURSOR_KEY}}", "HOME_DIR": "${{userHome}}"}}}},
                    "off": {{{PY}, "env": {{"OFF": "1"}}, "disabled": true}}
                }}}}"#
            ),
        )
        .file("project/.cursor/mcp.json", &format!(r#"{{"mcpServers": {{"shared": {{{PY}, "args": ["other"]}}}}}}"#).replace(r#", "args": ["{servers}/minimal.py"], "args""#, r#", "args""#))
        .file(
            "project/.vscode/mcp.json",
            &format!(
                r#"{{
                  // VS Code allows comments
                  "inputs": [{{"type": "promptString", "id": "api-key", "password": true}}],
                  "servers": {{
                    "vscode-stdio": {{"type": "stdio", {PY}, "env": {{"WS": "${{workspaceFolder}}"}},}},
                    "needs-input": {{"type": "stdio", {PY}, "env": {{"KEY": "${{input:api-key}}"}}}},
                  }},
                }}"#
            ),
        )
        .file(
            "home/.claude.json",
            &format!(
                r#"{{"mcpServers": {{"cc-user": {{"type": "stdio", {PY}}}}},
                    "projects": {{
                      "{{dir}}/project": {{"mcpServers": {{"cc-local": {{{PY}, "env": {{"X": "${{CC_VAR:-fallback}}"}}}}}}}},
                      "/somewhere/else": {{"mcpServers": {{"cc-other-project": {{{PY}}}}}}}
                    }}}}"#
            ),
        )
        .file("project/.mcp.json", r#"{"mcpServers": {"cc-http": {"type": "http", "url": "http://127.0.0.1:9/mcp", "headers": {"Authorization": "Bearer ${CC_TOKEN}"}}}}"#)
        .file(
            "home/.codeium/windsurf/mcp_config.json",
            &format!(r#"{{"mcpServers": {{"windsurf-remote": {{"serverUrl": "http://127.0.0.1:9/sse"}}, "shared": {{{PY}, "env": {{"MINIMAL_TOOLS": "a,b"}}}}}}}}"#),
        )
        .file(
            "home/.codex/config.toml",
            "model = \"o4\"\n\n[mcp_servers.codex-stdio]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\nstartup_timeout_sec = 20\nenv = { MINIMAL_TOOLS = \"x\" }\n\n[mcp_servers.codex-off]\ncommand = \"nope\"\nenabled = false\n\n[mcp_servers.codex-remote]\nurl = \"http://127.0.0.1:9/mcp\"\nbearer_token_env_var = \"CODEX_TOKEN\"\n",
        )
        .file(
            "home/.gemini/settings.json",
            &format!(r#"{{"theme": "dark", "mcpServers": {{"gemini-http": {{"httpUrl": "http://127.0.0.1:9/mcp", "timeout": 5000}}, "gemini-url": {{"url": "http://127.0.0.1:9/gemini"}}, "gemini-stdio": {{{PY}, "env": {{"T": "$GEMINI_TOKEN"}}}}}}}}"#),
        )
        .file("project/.gemini/settings.json", "{ this is not json")
        .file(
            "home/.config/zed/settings.json",
            r#"{
                  "theme": "One Dark", // comment
                  "context_servers": {
                    "zed-stdio": {"command": "python3", "args": ["{servers}/minimal.py"], "env": {"ZED": "1"}},
                    "zed-old": {"command": {"path": "python3", "args": ["{servers}/minimal.py"], "env": {"MINIMAL_TOOLS": "z"}}},
                    "zed-extension": {"source": "extension", "settings": {}},
                  },
                }"#,
        )
}

pub(crate) fn listed(run: &Run) -> Vec<Value> {
    run.code(0);
    run.json()["servers"].as_array().unwrap().clone()
}

pub(crate) fn find<'a>(servers: &'a [Value], name: &str) -> &'a Value {
    servers
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} not listed: {servers:#?}"))
}

#[test]
fn list_shows_every_client_and_merges_shared_servers() {
    let run = every_client()
        .args(&["health-check", "--list", "--json"])
        .run();
    let servers = listed(&run);
    let names: Vec<&str> = servers
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for expected in [
        "shared",
        "shared@cursor",
        "tokened",
        "vscode-stdio",
        "needs-input",
        "cc-user",
        "cc-local",
        "cc-http",
        "windsurf-remote",
        "codex-stdio",
        "codex-remote",
        "gemini-http",
        "gemini-url",
        "gemini-stdio",
        "zed-stdio",
        "zed-old",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    for absent in ["cc-other-project", "zed-extension"] {
        assert!(
            !names.contains(&absent),
            "{absent} should be skipped: {names:?}"
        );
    }
    // Disabled servers are listed, with where they are disabled.
    for off in ["off", "codex-off"] {
        assert_eq!(find(&servers, off)["disabled"], true, "{off}");
    }
    assert_eq!(find(&servers, "shared")["disabled"], false);
    // Cursor's project file redefines `shared`: Cursor loads that one, not its user file's.
    assert_eq!(
        find(&servers, "shared@cursor")["sources"][0]["path"],
        run.dir
            .join("project/.cursor/mcp.json")
            .display()
            .to_string()
    );
    let shared = find(&servers, "shared");
    let clients: Vec<&str> = shared["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["client"].as_str().unwrap())
        .collect();
    assert_eq!(
        clients,
        ["claude-desktop", "windsurf"],
        "one server, both sources"
    );
    assert_eq!(find(&servers, "gemini-http")["transport"], "http");
    // Gemini tries both when a `url` has no `type`.
    assert_eq!(find(&servers, "gemini-url")["transport"], "http|sse");
    assert_eq!(find(&servers, "windsurf-remote")["transport"], "http|sse");
    assert_eq!(find(&servers, "cc-http")["transport"], "http");
    let problems = run.json()["discovery_problems"].clone();
    assert_eq!(problems.as_array().unwrap().len(), 1, "{problems:#}");
    assert_eq!(problems[0]["client"], "gemini");
    assert!(
        problems[0]["message"].as_str().unwrap().contains("line 1"),
        "{problems:#}"
    );
}

#[test]
fn discovered_servers_are_probed_with_their_variables() {
    let run = every_client()
        .env("CURSOR_KEY", "k-123456")
        .env("GEMINI_TOKEN", "g-123456")
        .args(&[
            "health-check",
            "--json",
            "-s",
            "shared",
            "-s",
            "tokened",
            "-s",
            "vscode-stdio",
            "-s",
            "needs-input",
            "-s",
            "cc-local",
            "-s",
            "codex-stdio",
            "-s",
            "zed-old",
            "-s",
            "gemini-stdio",
        ])
        .run();
    run.code(1);
    let report = run.json();
    for name in [
        "shared",
        "tokened",
        "vscode-stdio",
        "cc-local",
        "codex-stdio",
        "zed-old",
        "gemini-stdio",
    ] {
        assert_eq!(
            Run::server(&report, name)["status"],
            "healthy",
            "{name}: {:#}",
            Run::server(&report, name)
        );
    }
    assert_eq!(Run::server(&report, "shared")["tools"], 2);
    assert_eq!(Run::server(&report, "codex-stdio")["tools"], 1);
    assert_eq!(Run::server(&report, "zed-old")["tools"], 1);
    let input = Run::server(&report, "needs-input");
    assert_eq!(input["status"], "unknown");
    assert!(
        input["error"]["message"]
            .as_str()
            .unwrap()
            .contains("VS Code input `api-key`"),
        "{input:#}"
    );
    // Without the variable the Cursor server names it, in our syntax.
    let run = every_client()
        .args(&[
            "health-check",
            "--json",
            "-s",
            "tokened",
            "-s",
            "gemini-stdio",
        ])
        .run();
    let report = run.json();
    assert_eq!(
        Run::server(&report, "tokened")["error"]["message"],
        "CURSOR_KEY is not set"
    );
    assert_eq!(
        Run::server(&report, "gemini-stdio")["error"]["message"],
        "GEMINI_TOKEN is not set"
    );
}

#[test]
fn a_config_file_turns_discovery_off_unless_asked() {
    let t = every_client()
        .config("[servers.own]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n");
    let servers = listed(&t.args(&["health-check", "--list", "--json"]).run());
    assert_eq!(servers.len(), 1);
    let t = every_client()
        .config("[servers.own]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n");
    let servers = listed(
        &t.args(&["health-check", "--list", "--json", "--discover"])
            .run(),
    );
    assert!(servers.len() > 10);
    let servers = listed(
        &every_client()
            .args(&["health-check", "--list", "--json", "--no-discover"])
            .run(),
    );
    assert!(servers.is_empty());
}

#[test]
fn from_imports_one_file_of_any_format() {
    for (file, expected) in [
        ("home/.codex/config.toml", "codex-stdio"),
        ("project/.vscode/mcp.json", "vscode-stdio"),
        ("home/.config/zed/settings.json", "zed-stdio"),
        ("home/.gemini/settings.json", "gemini-http"),
        ("home/.claude.json", "cc-user"),
        ("home/.codeium/windsurf/mcp_config.json", "windsurf-remote"),
    ] {
        let run = every_client()
            .args(&[
                "health-check",
                "--list",
                "--json",
                "--no-discover",
                "--from",
                &format!("{{dir}}/{file}"),
            ])
            .run();
        let servers = listed(&run);
        assert!(
            servers.iter().any(|s| s["name"] == expected),
            "{file}: {servers:#?}"
        );
    }
    let run = every_client()
        .args(&[
            "health-check",
            "--from",
            "{dir}/project/.gemini/settings.json",
        ])
        .run();
    run.code(3);
    assert!(run.stderr().contains("settings.json"), "{}", run.stderr());
    let run = every_client()
        .args(&["health-check", "--from", "{dir}/missing.json"])
        .run();
    run.code(3);
    assert!(run.stderr().contains("cannot read"), "{}", run.stderr());
}

#[test]
fn table_list_names_sources() {
    let run = every_client()
        .args(&["health-check", "--list", "--format", "table"])
        .run();
    run.code(0);
    assert!(
        run.stdout.contains("claude-desktop") && run.stdout.contains("zed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("unreadable gemini config"),
        "{}",
        run.stdout
    );
}

#[test]
fn odd_names_get_a_real_name_and_never_break_a_line() {
    let t = private(
        Test::new()
            .file(
                "home/.cursor/mcp.json",
                &format!(r#"{{"mcpServers": {{"": {{{PY}}}, "evil\nname\u001b[31m": {{{PY}, "env": {{"X": "1"}}}}}}}}"#),
            )
            .file(
                "home/.config/Claude/claude_desktop_config.json",
                &format!(r#"{{"mcpServers": {{"": {{{PY}}}}}}}"#),
            ),
    );
    let run = t
        .args(&["health-check", "--discover", "--format", "nagios"])
        .run();
    run.code(0);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(!run.stdout.contains('\u{1b}'), "{}", run.stdout);
    let t = private(Test::new().file(
        "home/.cursor/mcp.json",
        &format!(
            r#"{{"mcpServers": {{"": {{{PY}}}, "evil\nname": {{{PY}, "env": {{"X": "1"}}}}}}}}"#
        ),
    ));
    let run = t.args(&["health-check", "--discover", "--json"]).run();
    let report = run.json();
    let names: Vec<&str> = report["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    // JSON keeps the client's name; an empty one gets the program's.
    assert!(names.contains(&"evil\nname"), "{names:?}");
    assert!(names.contains(&"python3"), "{names:?}");
}
