//! The MCP clients as their users have them: one real file per client (tests/fixtures/
//! client-configs, each beside its source URL in SOURCES.tsv), at the client's Linux or macOS
//! path under a temp HOME; then each client's own rules, and files that are broken.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::discovery::{find, listed, private};
use crate::{Run, Test};

pub(crate) struct Fixture {
    pub(crate) file: String,
    pub(crate) client: String,
    /// Where it goes under the temp dir: `home/…` or `project/…`.
    pub(crate) place: String,
}

pub(crate) fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/client-configs")
}

pub(crate) fn fixtures() -> Vec<Fixture> {
    let tsv = std::fs::read_to_string(fixtures_dir().join("SOURCES.tsv")).unwrap();
    tsv.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(
                cols.len() == 5 && cols[3].starts_with("https://github.com/"),
                "{l}"
            );
            Fixture {
                file: cols[0].into(),
                client: cols[1].into(),
                place: cols[2].into(),
            }
        })
        .collect()
}

/// Every fixture at its client's place, 0600 as a careful user keeps them.
pub(crate) fn with_fixtures(mut t: Test) -> Test {
    for f in fixtures() {
        t = t.copy(&f.place, &fixtures_dir().join(&f.file));
    }
    private(t)
}

/// `{client, path relative to the temp dir}` of each source.
fn sources(server: &Value, dir: &Path) -> Vec<(String, String)> {
    let prefix = format!("{}/", dir.display());
    server["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["client"].as_str().unwrap().to_owned(),
                o["path"].as_str().unwrap().replace(&prefix, ""),
            )
        })
        .collect()
}

const DESKTOP: &str = "home/Library/Application Support/Claude/claude_desktop_config.json";
const INSIDERS: &str = "home/.config/Code - Insiders/User/mcp.json";
const CODIUM: &str = "home/Library/Application Support/VSCodium/User/mcp.json";
const VSCODE_SETTINGS: &str = "home/Library/Application Support/Code/User/settings.json";
const WINDSURF: &str = "home/.codeium/windsurf/mcp_config.json";
const OPENCODE: &str = "project/opencode.json";
const CRUSH: &str = "project/.crush.json";

/// What each real file holds, read by hand: name, disabled, and every (client, file).
type Sources = &'static [(&'static str, &'static str)];

const EXPECTED: &[(&str, bool, Sources)] = &[
    ("filesystem", false, &[("claude-desktop", DESKTOP)]),
    (
        "ipykernel",
        false,
        &[
            ("claude-code", "project/.mcp.json"),
            ("codex", "project/.codex/config.toml"),
            ("copilot-cli", "project/.mcp.json"),
        ],
    ),
    (
        "context7",
        false,
        &[
            ("cursor", "home/.cursor/mcp.json"),
            ("cline", "home/.cline/data/settings/cline_mcp_settings.json"),
        ],
    ),
    ("eslint", false, &[("cursor", "home/.cursor/mcp.json")]),
    (
        "awslabs.aws-documentation-mcp-server",
        false,
        &[("vs-code", VSCODE_SETTINGS)],
    ),
    (
        "awslabs.cost-analysis-mcp-server",
        false,
        &[("vs-code", VSCODE_SETTINGS)],
    ),
    ("circleci", false, &[("vs-code-insiders", INSIDERS)]),
    (
        "context7@vs-code-insiders",
        false,
        &[("vs-code-insiders", INSIDERS)],
    ),
    ("deepwiki", false, &[("vs-code-insiders", INSIDERS)]),
    ("exa", false, &[("vs-code-insiders", INSIDERS)]),
    ("github", false, &[("vs-code-insiders", INSIDERS)]),
    ("grep", false, &[("vs-code-insiders", INSIDERS)]),
    ("linear", false, &[("vs-code-insiders", INSIDERS)]),
    ("memory", false, &[("vs-code-insiders", INSIDERS)]),
    ("playwright", false, &[("vs-code-insiders", INSIDERS)]),
    ("sentry", false, &[("vs-code-insiders", INSIDERS)]),
    (
        "sequential-thinking",
        false,
        &[("vs-code-insiders", INSIDERS)],
    ),
    ("tavily", false, &[("vs-code-insiders", INSIDERS)]),
    ("browser-tools", false, &[("vscodium", CODIUM)]),
    ("playwright@vscodium", false, &[("vscodium", CODIUM)]),
    (
        "vscode-playwright-mcp",
        false,
        &[("vs-code", "project/.vscode/mcp.json")],
    ),
    (
        "local-mcp",
        false,
        &[("visual-studio", "project/.vs/mcp.json")],
    ),
    ("filesystem@windsurf", false, &[("windsurf", WINDSURF)]),
    ("git", false, &[("windsurf", WINDSURF)]),
    ("mcp-playwright", false, &[("windsurf", WINDSURF)]),
    ("memory@windsurf", false, &[("windsurf", WINDSURF)]),
    ("mongodb-mcp-server", false, &[("windsurf", WINDSURF)]),
    (
        "sequential-thinking@windsurf",
        false,
        &[("windsurf", WINDSURF)],
    ),
    (
        "coder",
        false,
        &[("gemini", "project/.gemini/settings.json")],
    ),
    (
        "smart-tree",
        false,
        &[("roo-code", "project/.roo/mcp.json")],
    ),
    (
        "context7@continue",
        false,
        &[("continue", "project/.continue/mcpServers/mcp.json")],
    ),
    (
        "Browser search",
        false,
        &[(
            "continue",
            "project/.continue/mcpServers/playwright-mcp.yaml",
        )],
    ),
    (
        "Puppeteer",
        false,
        &[("goose", "home/.config/goose/config.yaml")],
    ),
    ("atlassian-rovo", true, &[("opencode", OPENCODE)]),
    ("beads", true, &[("opencode", OPENCODE)]),
    ("chrome-devtools", true, &[("opencode", OPENCODE)]),
    ("gitlab", true, &[("opencode", OPENCODE)]),
    ("google-cloud", true, &[("opencode", OPENCODE)]),
    ("google-workspace", true, &[("opencode", OPENCODE)]),
    ("sauron", false, &[("opencode", OPENCODE)]),
    ("slack", false, &[("opencode", OPENCODE)]),
    (
        "awslabs.ecs-mcp-server",
        false,
        &[("kiro", "project/.kiro/settings/mcp.json")],
    ),
    (
        "serena",
        false,
        &[("copilot-cli", "home/.copilot/mcp-config.json")],
    ),
    (
        "hf-mcp-server",
        false,
        &[("lm-studio", "home/.lmstudio/mcp.json")],
    ),
    (
        "cost-explorer",
        false,
        &[("amazon-q", "project/.amazonq/mcp.json")],
    ),
    (
        "laravel-boost",
        false,
        &[("junie", "project/.junie/mcp/mcp.json")],
    ),
    (
        "ghostty-mcp",
        false,
        &[("amp", "project/.amp/settings.json")],
    ),
    ("dolt", false, &[("crush", CRUSH)]),
    ("mcp-sec-10ks", false, &[("crush", CRUSH)]),
    ("mcp-yfinance-10ks", false, &[("crush", CRUSH)]),
];

#[test]
fn every_client_on_linux_and_macos_is_discovered_in_full() {
    let run = with_fixtures(Test::new())
        .args(&["health-check", "--list", "--json"])
        .run();
    let servers = listed(&run);
    let got: BTreeMap<String, (bool, Vec<(String, String)>)> = servers
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                (s["disabled"].as_bool().unwrap(), sources(s, &run.dir)),
            )
        })
        .collect();
    let want: BTreeMap<String, (bool, Vec<(String, String)>)> = EXPECTED
        .iter()
        .map(|(name, off, src)| {
            let src = src
                .iter()
                .map(|(c, p)| ((*c).to_owned(), (*p).to_owned()))
                .collect();
            ((*name).to_owned(), (*off, src))
        })
        .collect();
    for (name, w) in &want {
        assert_eq!(got.get(name), Some(w), "{name}");
    }
    assert_eq!(got.len(), want.len(), "{:#?}", got.keys());
    assert_eq!(run.json()["discovery_problems"], serde_json::json!([]));
    // Every client has its file read; Zed's real file has no server of its own (its
    // `agent.profiles.*.context_servers` is a tool filter, not servers).
    for f in fixtures() {
        let seen = servers
            .iter()
            .any(|s| sources(s, &run.dir).iter().any(|(c, _)| *c == f.client));
        assert_eq!(seen, f.client != "zed", "{}", f.client);
    }
    let all = fixtures();
    let clients: std::collections::BTreeSet<&str> = all.iter().map(|f| f.client.as_str()).collect();
    assert!(clients.len() >= 20, "{clients:?}");
    // Shapes: opencode's command array, Goose's cmd, a remote Crush server.
    assert_eq!(find(&servers, "slack")["transport"], "stdio");
    assert_eq!(find(&servers, "Puppeteer")["transport"], "stdio");
    assert_eq!(find(&servers, "dolt")["transport"], "sse");
    assert_eq!(find(&servers, "hf-mcp-server")["transport"], "http|sse");
    assert_eq!(find(&servers, "deepwiki")["transport"], "http");
}

#[test]
fn from_recognises_every_fixture_by_name_and_content() {
    for f in fixtures() {
        let run = with_fixtures(Test::new())
            .args(&[
                "health-check",
                "--list",
                "--json",
                "--no-discover",
                "--from",
                &format!("{{dir}}/{}", f.place),
            ])
            .run();
        let servers = listed(&run);
        assert_eq!(servers.is_empty(), f.client == "zed", "{}", f.file);
        for s in &servers {
            let clients: Vec<String> = sources(s, &run.dir).into_iter().map(|(c, _)| c).collect();
            assert_eq!(
                clients,
                std::slice::from_ref(&f.client),
                "{}: {s:#}",
                f.file
            );
        }
        assert_eq!(
            run.json()["discovery_problems"],
            serde_json::json!([]),
            "{}",
            f.file
        );
    }
    // With a name that says nothing, the content decides.
    for (file, as_name, client) in [
        ("opencode/opencode.json", "a.json", "opencode"),
        ("crush/.crush.json", "b.json", "crush"),
        ("amp/settings.json", "c.json", "amp"),
        ("goose/config.yaml", "d.yaml", "goose"),
        ("continue/playwright-mcp.yaml", "e.yaml", "continue"),
        ("vs-code/settings.json", "f.json", "vs-code"),
        ("copilot-cli/mcp-config.json", "g.json", "copilot-cli"),
    ] {
        let run = Test::new()
            .copy(&format!("project/in/{as_name}"), &fixtures_dir().join(file))
            .args(&[
                "health-check",
                "--list",
                "--json",
                "--from",
                &format!("{{dir}}/project/in/{as_name}"),
            ])
            .run();
        let servers = listed(&run);
        assert!(!servers.is_empty(), "{file}");
        assert_eq!(servers[0]["sources"][0]["client"], client, "{file}");
    }
    // .mcp.json is three clients' name: `servers` is Visual Studio's, `local` only Copilot's.
    for (content, client) in [
        (
            r#"{"servers": {"a": {"type": "sse", "url": "http://127.0.0.1:9/sse"}}}"#,
            "visual-studio",
        ),
        (
            r#"{"mcpServers": {"a": {"type": "local", "command": "x"}}}"#,
            "copilot-cli",
        ),
        (
            r#"{"mcpServers": {"a": {"type": "stdio", "command": "x"}}}"#,
            "claude-code",
        ),
    ] {
        let run = Test::new()
            .file("elsewhere/.mcp.json", content)
            .args(&[
                "health-check",
                "--list",
                "--json",
                "--from",
                "{dir}/elsewhere/.mcp.json",
            ])
            .run();
        assert_eq!(listed(&run)[0]["sources"][0]["client"], client, "{content}");
    }
    // A crushrc is a script: named, never run.
    let run = Test::new()
        .file("project/crushrc", "touch {dir}/ran\n")
        .args(&["health-check", "--list", "--from", "{dir}/project/crushrc"])
        .run();
    run.code(3);
    assert!(run.stderr().contains("never runs"), "{}", run.stderr());
    assert!(!run.dir.join("ran").exists());
}

/// (place, content, client, what the problem says), one per client.
const BROKEN: &[(&str, &str, &str, &str)] = &[
    (
        "home/.cline/data/settings/cline_mcp_settings.json",
        r#"{"mcpServers": {"ok": {"command": "x"}, "bad": {"command": 5}}}"#,
        "cline",
        "server `bad`: `command` is not a string; Cline loads no server from this file",
    ),
    (
        "project/.roo/mcp.json",
        r#"{"mcpServers": {"ok": {"command": "x"}, "remote": {"url": "http://127.0.0.1:9/mcp"}}}"#,
        "roo-code",
        "a URL without `type`, which Roo Code refuses; Roo Code loads no server",
    ),
    (
        "project/.continue/mcpServers/block.yaml",
        "name: b\nversion: 1\nschema: v1\nmcpServers:\n  - name: x\n    command: [unclosed\n",
        "continue",
        "",
    ),
    (
        "project/.continue/mcpServers/other.json",
        r#"{"foo": 1}"#,
        "continue",
        "doesn't match a supported MCP JSON configuration format",
    ),
    (
        "home/.config/goose/config.yaml",
        "extensions:\n  dev:\n    type: builtin\n  x:\n    type: stdio\n    enabled: true\n",
        "goose",
        "extension `x`: no `cmd`",
    ),
    (
        "project/opencode.json",
        r#"{"mcp": {"a": {"type": "local", "command": ["x"], "args": ["y"]}}}"#,
        "opencode",
        "unknown key `args`, which opencode refuses",
    ),
    (
        "project/.kiro/settings/mcp.json",
        r#"{"mcpServers": "#,
        "kiro",
        "line 1",
    ),
    (
        "home/.copilot/mcp-config.json",
        r#"{"mcpServers": {"a": {"type": "ws", "url": "ws://x"}}}"#,
        "copilot-cli",
        "unknown type `ws`; Copilot CLI takes local, stdio, http, sse",
    ),
    (
        "home/.lmstudio/mcp.json",
        "[1, 2]",
        "lm-studio",
        "not a JSON object",
    ),
    (
        "project/.amazonq/mcp.json",
        r#"{"mcpServers": {"ok": {"command": "x"}, "s": {"type": "sse", "url": "http://127.0.0.1:9/sse"}}}"#,
        "amazon-q",
        "unknown type `sse`; Amazon Q takes stdio, http; Amazon Q loads no server",
    ),
    (
        "project/.junie/mcp/mcp.json",
        r#"{"mcpServers": {"a": {}}}"#,
        "junie",
        "server `a`: neither `command` nor a URL",
    ),
    (
        "project/.vs/mcp.json",
        r#"{"servers": {"a": {"type": "stdio", "url": "http://127.0.0.1:9"}}}"#,
        "visual-studio",
        "`type` is stdio but there is no `command`",
    ),
    (
        "project/.amp/settings.json",
        r#"{"amp.mcpServers": 3}"#,
        "amp",
        "`amp.mcpServers` is not an object",
    ),
    (
        "project/.crush.json",
        r#"{"mcp": {"a": {"type": "stdio", "command": "x",}}}"#,
        "crush",
        "Crush reads JSON without comments or trailing commas",
    ),
    (
        "home/.config/Code - Insiders/User/mcp.json",
        r#"{"servers": {"a": {"command": ["x"]},}}"#,
        "vs-code-insiders",
        "`command` is not a string",
    ),
    (
        "home/Library/Application Support/VSCodium/User/settings.json",
        r#"{"mcp": {"servers": {"a": {"type": "carrier-pigeon", "command": "x"}}}}"#,
        "vscodium",
        "unknown type `carrier-pigeon`",
    ),
    (
        DESKTOP,
        "{\n  // a comment\n  \"mcpServers\": {}\n}",
        "claude-desktop",
        "Claude Desktop reads JSON without comments or trailing commas",
    ),
];

/// One broken file per client, beside a good one: each is reported with its client and path,
/// and none stops the others.
#[test]
fn malformed_files_of_each_format_are_reported_never_fatal() {
    let py = r#""command": "python3", "args": ["{servers}/minimal.py"]"#;
    let mut t = Test::new().file(
        "home/.cursor/mcp.json",
        &format!(r#"{{"mcpServers": {{"good": {{{py}}}, "half": {{"args": 1}}}}}}"#),
    );
    for (place, content, _, _) in BROKEN {
        t = t.file(place, content);
    }
    t = private(t.file("project/crushrc", "mcp add x -- y\n"));
    let run = t.args(&["health-check", "--list", "--json"]).run();
    let servers = listed(&run);
    let names: Vec<&str> = servers
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    // Cursor keeps its good entry; Roo's and Amazon Q's good ones go with their file.
    assert!(names.contains(&"good"), "{names:?}");
    assert!(!names.contains(&"ok"), "{names:?}");
    let problems = run.json()["discovery_problems"].as_array().unwrap().clone();
    let prefix = format!("{}/", run.dir.display());
    for (place, _, client, fragment) in BROKEN {
        let p = problems
            .iter()
            .find(|p| p["path"].as_str().unwrap().replace(&prefix, "") == *place)
            .unwrap_or_else(|| panic!("{place} not reported: {problems:#?}"));
        assert_eq!(p["client"], *client, "{p:#}");
        assert_eq!(p["kind"], "invalid", "{p:#}");
        let message = p["message"].as_str().unwrap();
        assert!(message.contains(fragment), "{place}: {message}");
    }
    let half = problems
        .iter()
        .find(|p| p["client"] == "cursor")
        .expect("cursor's bad entry");
    assert!(
        half["message"].as_str().unwrap().contains("server `half`"),
        "{half:#}"
    );
    let script = problems
        .iter()
        .find(|p| p["kind"] == "not_read")
        .expect("crushrc");
    assert_eq!(script["client"], "crush");
    assert!(
        script["message"].as_str().unwrap().contains("never runs"),
        "{script:#}"
    );
}

#[test]
fn only_files_the_client_rejects_count_against_the_status() {
    let py = r#""command": "python3", "args": ["{servers}/minimal.py"]"#;
    // A script mcpctl does not read is listed, never counted.
    let run = private(
        Test::new()
            .file(
                "home/.cursor/mcp.json",
                &format!(r#"{{"mcpServers": {{"good": {{{py}}}}}}}"#),
            )
            .file("project/crushrc", "mcp add x -- y\n"),
    )
    .args(&["health-check", "--json"])
    .run();
    run.code(0);
    let run = private(
        Test::new()
            .file(
                "home/.cursor/mcp.json",
                &format!(r#"{{"mcpServers": {{"good": {{{py}}}}}}}"#),
            )
            .file("home/.lmstudio/mcp.json", "[]"),
    )
    .args(&["health-check", "--json"])
    .run();
    run.code(1);
    assert!(
        run.json()["summary"]
            .as_str()
            .unwrap()
            .ends_with("; 1 client config file unreadable"),
        "{}",
        run.stdout
    );
}

#[test]
fn each_client_reads_its_files_by_its_own_rules() {
    let t = Test::new()
        // Strict JSON against JSONC: the same comment, refused by Cline, taken by VS Code.
        .file(
            "home/.cline/data/settings/cline_mcp_settings.json",
            "{\"mcpServers\": {\n // note\n \"cline-a\": {\"command\": \"x\"}}}",
        )
        .file(
            "home/.config/Code/User/mcp.json",
            "{\"servers\": {\n // note\n \"code-a\": {\"command\": \"x\"},\n \"code-b\": {\"command\": \"code-b\", \"disabled\": true},},}",
        )
        // Cline: a URL without a type is SSE. Gemini: without a type it is either.
        .file(
            "home/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
            r#"{"mcpServers": {"legacy-only": {"command": "y"}}}"#,
        )
        .file(
            "home/.gemini/settings.json",
            r#"{"mcp": {"excluded": ["gem-off"]},
                "mcpServers": {"gem-url": {"url": "http://127.0.0.1:9/x"}, "gem-http": {"httpUrl": "http://127.0.0.1:9/y"},
                               "gem-off": {"command": "gem-cmd"}}}"#,
        )
        // The project's file wins a name over the user's.
        .file("home/.kiro/settings/mcp.json", r#"{"mcpServers": {"dup": {"command": "user"}, "kiro-user": {"command": "u"}}}"#)
        .file("project/.kiro/settings/mcp.json", r#"{"mcpServers": {"dup": {"command": "project"}}}"#)
        // Disabled, each by its own marker.
        .file(
            "home/.config/goose/config.yaml",
            "extensions:\n  goose-off:\n    type: stdio\n    cmd: g\n    enabled: false\n  dev:\n    type: builtin\n    enabled: true\n  goose-remote:\n    type: streamable_http\n    uri: http://127.0.0.1:9/mcp\n    enabled: true\n",
        )
        .file(
            "home/.config/zed/settings.json",
            r#"{"context_servers": {"zed-off": {"command": "zed-cmd", "enabled": false}}}"#,
        )
        .file("project/.roo/mcp.json", r#"{"mcpServers": {"roo-off": {"command": "r", "disabled": true}}}"#)
        // Continue's YAML: a Hub block mcpctl cannot fetch, and a local one.
        .file(
            "home/.continue/config.yaml",
            "name: c\nversion: 1.0.0\nmcpServers:\n  - uses: someone/some-mcp\n  - name: cont-local\n    command: c\n",
        )
        // Crush loads nothing while one of its files is invalid.
        .file("home/.config/crush/crush.json", r#"{"mcp": {"crush-user": {"type": "stdio", "command": "c"}}}"#)
        .file("project/crush.json", "{ nope");
    let run = private(t).args(&["health-check", "--list", "--json"]).run();
    let servers = listed(&run);
    let names: Vec<&str> = servers
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"cline-a"), "{names:?}");
    assert!(names.contains(&"code-a"), "{names:?}");
    // The older Cline file is read only while the shared one is missing.
    assert!(!names.contains(&"legacy-only"), "{names:?}");
    assert_eq!(find(&servers, "gem-url")["transport"], "http|sse");
    assert_eq!(find(&servers, "gem-http")["transport"], "http");
    assert_eq!(find(&servers, "goose-remote")["transport"], "http");
    assert_eq!(
        find(&servers, "dup")["sources"][0]["path"],
        run.dir
            .join("project/.kiro/settings/mcp.json")
            .display()
            .to_string()
    );
    assert!(!names.contains(&"dup@kiro"), "{names:?}");
    assert!(names.contains(&"kiro-user"), "{names:?}");
    for off in ["gem-off", "goose-off", "zed-off", "roo-off"] {
        let s = find(&servers, off);
        assert_eq!(s["disabled"], true, "{s:#}");
        assert_eq!(s["sources"][0]["disabled"], true, "{s:#}");
    }
    assert_eq!(find(&servers, "gem-url")["disabled"], false);
    // VS Code has no such key: it runs the server, and so it is probed.
    assert_eq!(find(&servers, "code-b")["disabled"], false);
    assert!(
        !names.contains(&"dev"),
        "a built-in is no process: {names:?}"
    );
    assert!(names.contains(&"cont-local"), "{names:?}");
    assert!(!names.contains(&"crush-user"), "{names:?}");
    let problems = run.json()["discovery_problems"].clone();
    let has = |client: &str, kind: &str, text: &str| {
        problems.as_array().unwrap().iter().any(|p| {
            p["client"] == client
                && p["kind"] == kind
                && p["message"].as_str().unwrap().contains(text)
        })
    };
    assert!(
        has("cline", "invalid", "Cline reads JSON without comments"),
        "{problems:#}"
    );
    assert!(
        has(
            "continue",
            "not_read",
            "`uses: someone/some-mcp` is a Continue Hub block"
        ),
        "{problems:#}"
    );
    assert!(
        has("crush", "invalid", "Crush loads none of its config while"),
        "{problems:#}"
    );

    // The legacy Cline file, once the shared one is gone.
    let t = Test::new().file(
        "home/Library/Application Support/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
        r#"{"mcpServers": {"legacy-only": {"url": "http://127.0.0.1:9/events"}}}"#,
    );
    let servers = listed(&private(t).args(&["health-check", "--list", "--json"]).run());
    assert_eq!(find(&servers, "legacy-only")["transport"], "sse");
}

#[test]
fn each_client_is_found_where_its_variables_point() {
    let one = |name: &str| format!(r#"{{"mcpServers": {{"{name}": {{"command": "{name}"}}}}}}"#);
    let t = Test::new()
        .file("alt/claude/.claude.json", &one("by-claude-config-dir"))
        .file(
            "alt/codex/config.toml",
            "[mcp_servers.by-codex-home]\ncommand = \"by-codex-home\"\n",
        )
        .file("alt/copilot/mcp-config.json", &one("by-copilot-home"))
        .file("alt/cline.json", &one("by-cline-path"))
        .file(
            "alt/continue/config.yaml",
            "name: c\nversion: 1\nmcpServers:\n  - name: by-continue-dir\n    command: by-continue-dir\n",
        )
        .file(
            "alt/oc.json",
            r#"{"mcp": {"by-opencode-config": {"type": "local", "command": ["by-opencode-config"]}}}"#,
        )
        .file(
            "alt/crush/crush.json",
            r#"{"mcp": {"by-crush-config": {"type": "stdio", "command": "by-crush-config"}}}"#,
        )
        .file("alt/gemini/.gemini/settings.json", &one("by-gemini-home"))
        .env("CLAUDE_CONFIG_DIR", "{dir}/alt/claude")
        .env("CODEX_HOME", "{dir}/alt/codex")
        .env("COPILOT_HOME", "{dir}/alt/copilot")
        .env("CLINE_MCP_SETTINGS_PATH", "{dir}/alt/cline.json")
        .env("CONTINUE_GLOBAL_DIR", "{dir}/alt/continue")
        .env("OPENCODE_CONFIG", "{dir}/alt/oc.json")
        .env("CRUSH_GLOBAL_CONFIG", "{dir}/alt/crush")
        .env("GEMINI_CLI_HOME", "{dir}/alt/gemini");
    let run = private(t).args(&["health-check", "--list", "--json"]).run();
    let servers = listed(&run);
    for (name, client) in [
        ("by-claude-config-dir", "claude-code"),
        ("by-codex-home", "codex"),
        ("by-copilot-home", "copilot-cli"),
        ("by-cline-path", "cline"),
        ("by-continue-dir", "continue"),
        ("by-opencode-config", "opencode"),
        ("by-crush-config", "crush"),
        ("by-gemini-home", "gemini"),
    ] {
        assert_eq!(find(&servers, name)["sources"][0]["client"], client);
    }
    assert_eq!(run.json()["discovery_problems"], serde_json::json!([]));
}

/// What a client expands reaches the server expanded; what it passes as written reaches it as
/// written. MINIMAL_TOOLS lists the tools: "a,b,c" is three, a literal "${TOOLS}" one.
#[test]
fn each_client_expands_only_its_own_variables() {
    let py = r#""command": "python3", "args": ["{servers}/minimal.py"]"#;
    let json = |name: &str, value: &str| {
        format!(
            r#"{{"mcpServers": {{"{name}": {{{py}, "env": {{"MINIMAL_TOOLS": "{value}", "WHO": "{name}"}}}}}}}}"#
        )
    };
    let t = Test::new()
        .file(DESKTOP, &json("desktop", "${TOOLS}"))
        .file("project/.mcp.json", &json("claude-code", "${TOOLS}"))
        .file("home/.cline/data/settings/cline_mcp_settings.json", &json("cline", "${env:TOOLS}"))
        .file("project/.amazonq/mcp.json", &json("amazon-q", "${env:TOOLS}"))
        .file(
            "project/.continue/mcpServers/b.yaml",
            "name: b\nversion: 1\nschema: v1\nmcpServers:\n  - name: continue\n    command: python3\n    args: [\"{servers}/minimal.py\"]\n    env:\n      MINIMAL_TOOLS: \"${{ secrets.TOOLS }}\"\n      WHO: continue\n",
        )
        .file(
            "project/opencode.json",
            r#"{"mcp": {"opencode": {"type": "local", "command": ["python3", "{servers}/minimal.py"], "environment": {"MINIMAL_TOOLS": "{env:TOOLS}", "WHO": "opencode"}}}}"#,
        )
        .file(
            "project/.crush.json",
            &format!(r#"{{"mcp": {{"crush": {{"type": "stdio", {py}, "env": {{"MINIMAL_TOOLS": "$TOOLS", "WHO": "crush"}}}}}}}}"#),
        )
        .file(
            "home/.config/goose/config.yaml",
            "extensions:\n  goose:\n    type: stdio\n    cmd: python3\n    args: [\"{servers}/minimal.py\"]\n    envs:\n      MINIMAL_TOOLS: \"${TOOLS}\"\n      WHO: goose\n",
        )
        .env("TOOLS", "a,b,c");
    let run = private(t).args(&["health-check", "--json"]).run();
    run.code(0);
    let report = run.json();
    for (name, tools) in [
        ("desktop", 1),
        ("claude-code", 3),
        ("cline", 3),
        ("amazon-q", 3),
        ("continue", 3),
        ("opencode", 3),
        ("crush", 3),
        ("goose", 1),
    ] {
        let s = Run::server(&report, name);
        assert_eq!(s["tools"], tools, "{name}: {s:#}");
    }
}

#[test]
fn disabled_servers_are_listed_never_probed_nor_counted() {
    let py = r#""command": "python3", "args": ["{servers}/minimal.py"]"#;
    let t = || {
        private(
            Test::new()
                .file(
                    "home/.cursor/mcp.json",
                    &format!(
                        r#"{{"mcpServers": {{"on": {{{py}}}, "off": {{"command": "{{dir}}/would-run", "disabled": true}}}}}}"#
                    ),
                )
                .file("would-run", "#!/bin/sh\ntouch \"$0.ran\"\n"),
        )
    };
    let run = t().args(&["health-check", "--json"]).run();
    run.code(0);
    assert!(!run.dir.join("would-run.ran").exists());
    let report = run.json();
    let off = Run::server(&report, "off");
    assert_eq!(off["status"], "disabled");
    assert_eq!(off["disabled"], true);
    assert_eq!(off["sources"][0]["client"], "cursor");
    assert_eq!(off["sources"][0]["disabled"], true);
    assert_eq!(off["latency_ms"]["initialize"], Value::Null);
    assert_eq!(Run::server(&report, "on")["disabled"], false);
    assert_eq!(
        report["summary"],
        "1 server: 1 healthy; 1 disabled, not probed"
    );

    let run = t().args(&["health-check", "--format", "table"]).run();
    run.code(0);
    assert!(run.stdout.contains("disabled in cursor"), "{}", run.stdout);
    let run = t().args(&["health-check", "--format", "nagios"]).run();
    assert!(run.stdout.contains("'disabled'=1"), "{}", run.stdout);

    // Only disabled servers: nothing to probe is not a failure.
    let only = private(Test::new().file(
        "home/.cursor/mcp.json",
        r#"{"mcpServers": {"off": {"command": "x", "disabled": true}}}"#,
    ));
    let run = only.args(&["health-check", "--json"]).run();
    run.code(0);
    assert_eq!(
        run.json()["summary"],
        "no enabled servers; 1 disabled, not probed"
    );
}
