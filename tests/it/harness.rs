//! A small fluent harness: a temp dir with HOME, XDG dirs and a config, the real binary, the
//! exact exit code, and the report parsed as JSON.
//!
//! Stderr is checked by default: a `Run` whose stderr is not empty panics when it is dropped
//! unless the test said what it expects there (`stderr_contains`, `stderr_lines`,
//! `stderr_is_empty`, `stderr()` read for an assertion, or `any_stderr` with a comment saying why
//! it is free-form). `peek_stderr` reads it without accounting for it: for failure messages and
//! checks that something is absent.

use std::cell::Cell;
use std::panic::Location;
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
    stderr: String,
    /// Set once the test has said what it expects on stderr; checked on drop.
    stderr_accounted: Cell<bool>,
    /// Where the test made this run, for the drop check's message.
    made_at: &'static Location<'static>,
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

    #[track_caller]
    pub fn run(self) -> Run {
        let mut cmd = self.command();
        let out = cmd.output().expect("run mcpctl");
        let dir = self.dir.path().to_path_buf();
        Run::new(self.dir, &out, dir)
    }

    /// Runs mcpctl once more in the same temp dir and state dir (`{dir}/state`), for tests that
    /// follow state across several runs, as cron would.
    #[track_caller]
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
    #[track_caller]
    pub fn from_output(out: &std::process::Output, dir: &Path) -> Self {
        Run::new(
            tempfile::tempdir().expect("tempdir"),
            out,
            dir.to_path_buf(),
        )
    }

    #[track_caller]
    fn new(tmp: TempDir, out: &std::process::Output, dir: PathBuf) -> Self {
        Run {
            _tmp: tmp,
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            stderr_accounted: Cell::new(false),
            made_at: Location::caller(),
            dir,
        }
    }

    /// Stderr, for a test that asserts on it: reading it this way accounts for it.
    pub fn stderr(&self) -> &str {
        self.stderr_accounted.set(true);
        &self.stderr
    }

    /// Stderr without accounting for it: for failure messages and checks that something is
    /// absent, which say nothing about what stderr should hold.
    pub fn peek_stderr(&self) -> &str {
        &self.stderr
    }

    /// Stderr contains `needle`.
    #[track_caller]
    pub fn stderr_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "{needle:?} not in stderr\n--- stderr\n{}",
            self.stderr
        );
        self.stderr_accounted.set(true);
        self
    }

    /// Stderr does not contain `needle`. Does not account for stderr: saying what is absent is
    /// not saying what is there.
    #[track_caller]
    pub fn stderr_lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.stderr.contains(needle),
            "{needle:?} in stderr\n--- stderr\n{}",
            self.stderr
        );
        self
    }

    /// Every stderr line satisfies `ok`.
    #[track_caller]
    pub fn stderr_lines(&self, ok: impl Fn(&str) -> bool) -> &Self {
        if let Some(bad) = self.stderr.lines().find(|l| !ok(l)) {
            panic!(
                "unexpected stderr line {bad:?}\n--- stderr\n{}",
                self.stderr
            );
        }
        self.stderr_accounted.set(true);
        self
    }

    #[track_caller]
    pub fn stderr_is_empty(&self) -> &Self {
        assert!(
            self.stderr.is_empty(),
            "stderr is not empty\n--- stderr\n{}",
            self.stderr
        );
        self.stderr_accounted.set(true);
        self
    }

    /// Stderr is free-form here: say why in a comment at the call.
    pub fn any_stderr(&self) -> &Self {
        self.stderr_accounted.set(true);
        self
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

impl Drop for Run {
    fn drop(&mut self) {
        assert!(
            std::thread::panicking() || self.stderr_accounted.get() || self.stderr.is_empty(),
            "unexpected stderr from the run made at {} (exit {}): state what the test expects \
             with stderr_contains, stderr_lines, stderr_is_empty or any_stderr\n--- stderr\n{}",
            self.made_at,
            self.code,
            self.stderr
        );
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
