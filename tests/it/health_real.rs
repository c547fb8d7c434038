//! Real MCP servers from npm and `PyPI`, installed by scripts/test.sh.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::prerequisite;
use crate::{Run, Test};

fn node() -> String {
    prerequisite("MCPCTL_TEST_NODE")
}

#[test]
fn real_stdio_servers_from_npm_and_pypi() {
    let config = format!(
        "[servers.everything]\ncommand = \"{}\"\nargs = [\"{}\", \"stdio\"]\ncritical = true\n\
         [servers.memory]\ncommand = \"{}\"\nargs = [\"{}\"]\nexpect_tools = [\"create_entities\", \"read_graph\"]\n\
         [servers.time]\ncommand = \"{}\"\n",
        node(),
        prerequisite("MCPCTL_TEST_EVERYTHING_JS"),
        node(),
        prerequisite("MCPCTL_TEST_MEMORY_JS"),
        prerequisite("MCPCTL_TEST_TIME_BIN"),
    );
    let run = Test::new()
        .config(&config)
        .args(&["health-check", "--json", "--check-modern"])
        .run();
    run.code(0);
    let report = run.json();
    assert_eq!(report["status"], "ok");
    assert_eq!(report["command"], "health-check");
    assert_eq!(report["exit_code"], 0);
    for (name, tools, modern) in [
        ("everything", 13, false),
        ("memory", 9, false),
        ("time", 2, true),
    ] {
        let s = Run::server(&report, name);
        assert_eq!(s["status"], "healthy", "{s:#}");
        assert_eq!(s["transport"], "stdio");
        assert_eq!(s["era"], "handshake");
        assert_eq!(s["tools"], tools, "{name}");
        assert_eq!(s["modern_era"], modern, "{name}: {s:#}");
        assert!(s["protocol_version"].as_str().unwrap().starts_with("202"));
        assert!(s["server_info"]["name"].is_string());
        assert!(s["latency_ms"]["initialize"].as_f64().unwrap() > 0.0);
        assert!(s["latency_ms"]["tools_list"].is_number());
    }
    // The same report is stored in the history, and as latest.json.
    let latest = run
        .dir
        .join("state/mcpctl/reports/health-check/latest.json");
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(latest).unwrap()).unwrap();
    assert_eq!(stored, report);
}

#[test]
fn quiet_success_prints_nothing() {
    let config = format!(
        "[servers.memory]\ncommand = \"{}\"\nargs = [\"{}\"]\n",
        node(),
        prerequisite("MCPCTL_TEST_MEMORY_JS")
    );
    let run = Test::new().config(&config).args(&["health-check"]).run();
    run.code(0);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr(), "");
    let run = Test::new()
        .config(&config)
        .args(&["health-check", "-q", "--format", "table"])
        .run();
    run.code(0);
    assert_eq!(run.stdout, "");
    let run = Test::new()
        .config(&config)
        .args(&["health-check", "--format", "nagios"])
        .run();
    run.code(0);
    assert!(
        run.stdout.starts_with("MCPCTL OK - 1 server: 1 healthy |"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("'memory_latency'="), "{}", run.stdout);
}

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// server-everything in an HTTP mode on a loopback port, waited for until it listens.
fn serve_everything(mode: &str) -> (Served, u16) {
    let port = free_port();
    let child = Command::new(node())
        .args([prerequisite("MCPCTL_TEST_EVERYTHING_JS"), mode.to_owned()])
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let served = Served(child);
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server-everything {mode} did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (served, port)
}

#[test]
fn streamable_http_server() {
    let (_server, port) = serve_everything("streamableHttp");
    let config = format!(
        "[servers.web]\nurl = \"http://127.0.0.1:{port}/mcp\"\nheaders = {{ Authorization = \"Bearer not-checked\" }}\n"
    );
    let run = Test::new()
        .config(&config)
        .args(&["health-check", "--json"])
        .run();
    run.code(0);
    let report = run.json();
    let s = Run::server(&report, "web");
    assert_eq!(s["status"], "healthy", "{s:#}");
    assert_eq!(s["transport"], "http");
    assert_eq!(s["tools"], 13);
    assert_eq!(s["http_status"], 200);
}

#[test]
fn legacy_sse_server() {
    let (_server, port) = serve_everything("sse");
    let config =
        format!("[servers.old]\nurl = \"http://127.0.0.1:{port}/sse\"\ntransport = \"sse\"\n");
    let run = Test::new()
        .config(&config)
        .args(&["health-check", "--json"])
        .run();
    run.code(0);
    let report = run.json();
    let s = Run::server(&report, "old");
    assert_eq!(s["status"], "healthy", "{s:#}");
    assert_eq!(s["transport"], "sse");
}

#[test]
fn http_falls_back_to_legacy_sse() {
    let (_server, port) = serve_everything("sse");
    let config = format!("[servers.old]\nurl = \"http://127.0.0.1:{port}/sse\"\n");
    let run = Test::new()
        .config(&config)
        .args(&["health-check", "--json"])
        .run();
    run.code(0);
    let report = run.json();
    assert_eq!(Run::server(&report, "old")["transport"], "sse");
}

#[test]
fn refused_connection_is_connect() {
    let port = free_port();
    let config =
        format!("[servers.down]\nurl = \"http://127.0.0.1:{port}/mcp\"\ncritical = true\n");
    let run = Test::new()
        .config(&config)
        .args(&["health-check", "--json"])
        .run();
    run.code(2);
    let report = run.json();
    assert_eq!(Run::server(&report, "down")["error"]["kind"], "connect");
}
