//! Container state through the Docker Engine API, against a real podman serving it.

use std::process::Command;

use crate::{Run, Test};

pub(crate) fn docker_host() -> String {
    std::env::var("MCPCTL_TEST_DOCKER_HOST")
        .unwrap_or_else(|_| panic!("MCPCTL_TEST_DOCKER_HOST is not set: run the suite through scripts/test.sh, which starts podman's Docker API service"))
}

pub(crate) fn podman(args: &[&str]) -> String {
    let out = Command::new("podman")
        .args(args)
        .output()
        .expect("podman is installed by scripts/test.sh");
    assert!(
        out.status.success(),
        "podman {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Removes the test container even when an assertion fails.
pub(crate) struct Container(pub(crate) String);

impl Container {
    /// Starts `name` from the test image, running for ten minutes, and removes it when dropped.
    pub(crate) fn busy(name: &str) -> Self {
        let image =
            std::env::var("MCPCTL_TEST_IMAGE").expect("MCPCTL_TEST_IMAGE from scripts/test.sh");
        let guard = Container(name.to_owned());
        podman(&[
            "run",
            "-d",
            "--name",
            name,
            &image,
            "/bin/busybox",
            "sleep",
            "600",
        ]);
        guard
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new("podman")
            .args(["rm", "-f", "-t", "0", &self.0])
            .output();
    }
}

fn check(container: &str) -> (Run, serde_json::Value) {
    let config = format!(
        "[servers.s]\ncommand = \"python3\"\nargs = [\"{{servers}}/minimal.py\"]\ncontainer = \"{container}\"\n"
    );
    let run = Test::new()
        .config(&config)
        .env("DOCKER_HOST", &docker_host())
        .args(&["health-check", "--json"])
        .run();
    let report = run.json();
    let server = Run::server(&report, "s").clone();
    (run, server)
}

#[test]
fn running_then_stopped_then_missing_container() {
    let name = format!("mcpctl-test-{}", std::process::id());
    let _guard = Container::busy(&name);

    let (run, s) = check(&name);
    run.code(0);
    assert_eq!(s["status"], "healthy", "{s:#}");
    assert_eq!(s["container"]["state"], "running");
    assert!(s["container"]["started_at"].is_string());
    assert_eq!(s["container"]["restart_count"], 0);

    podman(&["stop", "-t", "0", &name]);
    let (run, s) = check(&name);
    run.code(1);
    assert_eq!(s["status"], "unhealthy");
    assert_eq!(s["error"]["kind"], "container");
    assert!(
        s["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("container {name} is exited")),
        "{s:#}"
    );
    assert!(
        s["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("mcpctl recover")
    );

    let (run, s) = check("mcpctl-test-no-such-container");
    run.code(1);
    assert!(
        s["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not exist"),
        "{s:#}"
    );
}

#[test]
fn unreachable_engine_is_a_warning_not_a_failure() {
    let config = "[servers.s]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\ncontainer = \"c\"\n";
    let run = Test::new()
        .config(config)
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(&["health-check", "--json"])
        .run();
    run.code(1);
    let report = run.json();
    let s = Run::server(&report, "s");
    assert_eq!(s["status"], "degraded", "{s:#}");
    assert!(
        s["warnings"][0]
            .as_str()
            .unwrap()
            .contains("unix:///nonexistent/docker.sock"),
        "{s:#}"
    );
}
