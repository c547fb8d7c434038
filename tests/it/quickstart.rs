//! The README's first command, `scripts/quickstart.sh`, on a machine without uv: it installs
//! what the quick-start servers need into a cache and shows every server healthy, with the
//! progress on stderr and only the table on stdout. (The build step is skipped with MCPCTL_BIN:
//! the suite already built the binary.)

use std::path::Path;
use std::process::Command;

#[test]
fn quickstart_shows_every_server_healthy_without_uv() {
    // A warm cache after the first run: the test deps' cache, unless one is named.
    let cache = std::env::var("MCPCTL_QUICKSTART_CACHE").unwrap_or_else(|_| {
        let deps = crate::harness::prerequisite("MCPCTL_TEST_CACHE");
        Path::new(&deps).join("quickstart").display().to_string()
    });
    let home = tempfile::tempdir().unwrap();
    // No uv or uvx anywhere on PATH: the script must bring its own.
    let path: Vec<String> = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .filter(|d| !Path::new(d).join("uvx").exists() && !Path::new(d).join("uv").exists())
        .map(str::to_owned)
        .collect();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(repo.join("scripts/quickstart.sh"))
        .env("MCPCTL_BIN", env!("CARGO_BIN_EXE_mcpctl"))
        .env("MCPCTL_QUICKSTART_CACHE", &cache)
        .env("PATH", path.join(":"))
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env_remove("MCPCTL_CONFIG")
        .env_remove("MCPCTL_STATE_DIR")
        .output()
        .expect("run scripts/quickstart.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(
        stdout.contains("OK: 3 servers: 3 healthy"),
        "{stdout}\n--- stderr\n{stderr}"
    );
    for server in ["everything", "memory", "time"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.contains(server) && l.contains("healthy")),
            "{server} in\n{stdout}"
        );
    }
    assert!(
        !stdout.contains("quickstart:"),
        "progress on stdout:\n{stdout}"
    );
    assert!(stderr.contains("quickstart: running"), "{stderr}");
}
