//! A small fluent harness: a temp dir with HOME, XDG dirs and a config, the real binary, the
//! exact exit code, and the report parsed as JSON.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

pub struct Test {
    dir: TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

pub struct Run {
    _tmp: TempDir,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub dir: PathBuf,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        for sub in ["home", "home/.config", "state", "project"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        }
        Self {
            dir,
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `mcpctl.toml` after replacing `{dir}` and `{servers}` (tests/servers).
    pub fn config(self, toml: &str) -> Self {
        let text = self.expand(toml);
        self.file("mcpctl.toml", &text)
    }

    pub fn file(self, rel: &str, content: &str) -> Self {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, self.expand(content)).expect("write");
        self
    }

    /// Copies a file byte for byte, with no `{dir}` expansion: real client configs as found.
    pub fn copy(self, rel: &str, from: &Path) -> Self {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::copy(from, &path).expect("copy");
        self
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        let expanded: Vec<String> = args.iter().map(|a| self.expand(a)).collect();
        self.args.extend(expanded);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        let value = self.expand(value);
        self.env.push((key.to_owned(), value));
        self
    }

    pub fn expand(&self, text: &str) -> String {
        text.replace("{dir}", &self.dir.path().display().to_string())
            .replace("{servers}", &servers_dir().display().to_string())
    }

    pub fn run(self) -> Run {
        let mut cmd = self.command();
        let out = cmd.output().expect("run mcpctl");
        let dir = self.dir.path().to_path_buf();
        Run {
            _tmp: self.dir,
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            dir,
        }
    }

    /// Runs mcpctl once more in the same temp dir and state dir (`{dir}/state`), for tests that
    /// follow state across several runs, as cron would.
    pub fn again(&self, args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.arg("--state-dir").arg(self.dir.path().join("state"));
        cmd.args(args.iter().map(|a| self.expand(a)));
        Run::from_output(&cmd.output().expect("run mcpctl"), self.dir.path())
    }

    /// The command `run` would execute, for tests that need to signal or race it.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mcpctl"));
        let dir = self.dir.path();
        cmd.current_dir(dir.join("project"))
            .env("HOME", dir.join("home"))
            .env("XDG_CONFIG_HOME", dir.join("home/.config"))
            .env("XDG_STATE_HOME", dir.join("state"))
            .env("XDG_DATA_HOME", dir.join("home/.local/share"))
            .env_remove("MCPCTL_CONFIG")
            .env_remove("MCPCTL_STATE_DIR")
            .env_remove("MCPCTL_LOG");
        // The MCP clients' own variables would move their files out of the temp HOME.
        for var in mcpctl::env_vars::CLIENT_VARS {
            cmd.env_remove(var);
        }
        if dir.join("mcpctl.toml").exists() {
            cmd.arg("--config").arg(dir.join("mcpctl.toml"));
        }
        cmd.args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.stdin(std::process::Stdio::null());
        cmd
    }
}

impl Run {
    /// For tests that run several commands in one temp dir through `Test::command`.
    pub fn from_output(out: &std::process::Output, dir: &Path) -> Self {
        Run {
            _tmp: tempfile::tempdir().expect("tempdir"),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            dir: dir.to_path_buf(),
        }
    }

    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n--- stderr\n{}",
                self.stdout, self.stderr
            )
        })
    }

    pub fn server<'a>(report: &'a Value, name: &str) -> &'a Value {
        report["servers"]
            .as_array()
            .expect("servers")
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no server {name} in {report:#}"))
    }

    /// Every file the run left in its temp dir's state, for the canary check.
    pub fn state_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.dir.join("state"), &mut out);
        out
    }
}

pub(crate) fn servers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers")
}

/// A path to a prerequisite that `scripts/test.sh` installs. Missing means the suite was run
/// without it: fail loudly rather than skip.
pub(crate) fn prerequisite(var: &str) -> String {
    match std::env::var(var) {
        Ok(v) if Path::new(&v).exists() => v,
        _ => panic!(
            "{var} is not set or does not exist: run the suite through scripts/test.sh, which installs the MCP servers"
        ),
    }
}
