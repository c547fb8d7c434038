//! OAuth-protected servers (a 401 whose challenge leads to RFC 9728 and RFC 8414 metadata) and
//! `probe_call`, which catches servers that list tools but refuse to run them.

use crate::harness::prerequisite;
use crate::stub::Stub;
use crate::{Run, Test};

const CANARY: &str = "canaryOAUTHtoken0123456789";

fn oauth_server(t: &Test) -> Stub {
    let log = t.path().join("oauth.requests.jsonl");
    Stub::spawn(
        "tls_mcp.py",
        &["oauth".into(), log.display().to_string()],
        log,
    )
}

fn assert_no_canary(run: &Run) {
    assert!(!run.stdout.contains(CANARY), "{}", run.stdout);
    assert!(!run.peek_stderr().contains(CANARY), "{}", run.stderr());
    for f in run.state_files() {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        assert!(!text.contains(CANARY), "{}", f.display());
    }
}

#[test]
fn a_401_with_resource_metadata_is_auth_required_with_issuer_and_scopes() {
    let t = Test::new();
    let server = oauth_server(&t);
    let config = format!(
        "[servers.files]\nurl = \"{}/mcp\"\nheaders = {{ Authorization = \"Bearer ${{FILES_TOKEN}}\" }}\n",
        server.url
    );
    let run = t
        .config(&config)
        .env("FILES_TOKEN", CANARY)
        .args(&["health-check", "--json", "-vv"])
        .run();
    // -vv asked for the debug log; nothing louder than INFO is said.
    run.code(1)
        .stderr_lines(|l| l.contains(" DEBUG ") || l.contains(" INFO "));
    let report = run.json();
    let e = &Run::server(&report, "files")["error"];
    assert_eq!(e["kind"], "auth_required", "{e:#}");
    assert_eq!(e["step"], "auth");
    assert_eq!(
        e["auth"]["issuer"],
        format!("{}/tenant1", server.url),
        "{e:#}"
    );
    assert_eq!(e["auth"]["scopes"], serde_json::json!(["files:read"]));
    assert_eq!(
        e["auth"]["resource_metadata"],
        format!("{}/.well-known/oauth-protected-resource/mcp", server.url)
    );
    assert_eq!(e["auth"]["clients"], serde_json::json!(["mcpctl"]));
    assert!(
        e["hint"]
            .as_str()
            .unwrap()
            .contains("never follows an authorization URL"),
        "{e:#}"
    );
    assert_no_canary(&run);
    // Only the metadata was fetched, never with the server's token, never the authorize URL.
    let requests = server.requests();
    let gets: Vec<&str> = requests
        .iter()
        .filter(|r| r["method"] == "GET")
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert!(
        gets.contains(&"/.well-known/oauth-protected-resource/mcp"),
        "{gets:?}"
    );
    assert!(
        gets.contains(&"/.well-known/oauth-authorization-server/tenant1"),
        "{gets:?}"
    );
    for r in &requests {
        assert!(!r["path"].as_str().unwrap().contains("authorize"), "{r}");
        if r["method"] == "GET" {
            assert!(r["headers"].get("Authorization").is_none(), "{r}");
        }
    }
}

#[test]
fn the_login_hint_names_the_client_the_server_came_from() {
    let t = Test::new();
    let server = oauth_server(&t);
    let t = t.file(
        "home/.codex/config.toml",
        &format!(
            "[mcp_servers.files]\nurl = \"{}/mcp\"\nbearer_token_env_var = \"FILES_TOKEN\"\n",
            server.url
        ),
    );
    let run = t
        .env("FILES_TOKEN", CANARY)
        .args(&["health-check", "--json"])
        .run();
    run.code(1);
    let report = run.json();
    let e = &Run::server(&report, "files")["error"];
    assert_eq!(e["kind"], "auth_required", "{e:#}");
    assert_eq!(e["auth"]["clients"], serde_json::json!(["codex"]));
    assert!(
        e["hint"]
            .as_str()
            .unwrap()
            .contains("`codex mcp login files`"),
        "{e:#}"
    );
    assert_no_canary(&run);
}

#[test]
fn probe_call_catches_a_server_whose_tools_refuse_every_call() {
    let config = format!(
        "[servers.sdk]\ncommand = \"{}\"\nargs = [\"{{servers}}/sdk_tools.py\"]\n\
         expect_tools = [\"add\"]\nprobe_call = {{ tool = \"add\", arguments = {{ a = 1, b = 2 }} }}\n",
        prerequisite("MCPCTL_TEST_PYTHON")
    );
    let ok = Test::new()
        .config(&config)
        .args(&["health-check", "--json"])
        .run();
    ok.code(0);
    let t = Test::new()
        .config(&config)
        .env("SDK_TOOLS_CALL_FAILS", "1")
        .args(&["health-check", "--json"]);
    let run = t.run();
    run.code(1);
    let report = run.json();
    let s = Run::server(&report, "sdk");
    assert_eq!(s["status"], "degraded", "{s:#}");
    let w = s["warnings"][0].as_str().unwrap();
    assert!(w.starts_with("probe_call `add` failed"), "{w}");
    assert!(w.contains("401 Unauthorized"), "{w}");
}
