//! Runs an argv — never a shell — in its own process group, cut at a timeout, keeping only the
//! last lines of its output. Shared by the recovery ladder's commands and `fix`'s recipes, git
//! and verify steps.

use std::collections::VecDeque;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

use crate::probe::process::{GroupGuard, describe, shutdown};

const LINE_CHARS: usize = 300;
const GRACE: Duration = Duration::from_secs(2);

/// How a command ended.
#[derive(Debug)]
pub(crate) struct Finished {
    /// None when it was killed at the timeout.
    pub status: Option<ExitStatus>,
    /// The last lines of stdout and stderr, interleaved as they came.
    pub tail: Vec<String>,
}

impl Finished {
    pub(crate) fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// How it ended, for a message.
    pub(crate) fn describe(&self, timeout: Duration) -> Ended {
        Ended {
            status: self.status,
            timeout,
        }
    }
}

/// "exited with code 1", "killed by SIGKILL", or "did not finish within 10m and was killed".
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ended {
    status: Option<ExitStatus>,
    timeout: Duration,
}

impl std::fmt::Display for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Some(s) => f.write_str(&describe(s)),
            None => write!(
                f,
                "did not finish within {} and was killed",
                humantime::format_duration(self.timeout)
            ),
        }
    }
}

/// What to run and how.
pub(crate) struct Spec<'a> {
    pub argv: &'a [String],
    pub cwd: Option<&'a Path>,
    pub env: &'a [(&'a str, &'a str)],
    /// Variables the command must not inherit (secrets it has no business reading).
    pub unset: &'a [String],
    pub timeout: Duration,
    /// How many output lines to keep.
    pub tail: usize,
}

/// A command that could not be run or waited for; one that ran and failed is a `Finished`.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ArgvError {
    #[error("the command is empty")]
    Empty,
    #[error("cannot run {program}: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("waiting for {program} failed: {source}")]
    Wait {
        program: String,
        source: std::io::Error,
    },
}

pub(crate) async fn run(spec: &Spec<'_>) -> Result<Finished, ArgvError> {
    let Some((program, rest)) = spec.argv.split_first() else {
        return Err(ArgvError::Empty);
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    if let Some(dir) = spec.cwd {
        cmd.current_dir(dir);
    }
    for k in spec.unset {
        cmd.env_remove(k);
    }
    for (k, v) in spec.env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().map_err(|source| ArgvError::Spawn {
        program: program.clone(),
        source,
    })?;
    let guard = GroupGuard::new(&child);
    let tail: Arc<Mutex<VecDeque<String>>> = Arc::default();
    let readers = [
        tokio::spawn(keep_tail(child.stdout.take(), Arc::clone(&tail), spec.tail)),
        tokio::spawn(keep_tail(child.stderr.take(), Arc::clone(&tail), spec.tail)),
    ];
    let status = match tokio::time::timeout(spec.timeout, child.wait()).await {
        Ok(Ok(status)) => {
            drop(guard);
            Some(status)
        }
        Ok(Err(source)) => {
            return Err(ArgvError::Wait {
                program: program.clone(),
                source,
            });
        }
        Err(_) => {
            shutdown(&mut child, guard, false, GRACE).await;
            None
        }
    };
    for r in readers {
        let _ = tokio::time::timeout(GRACE, r).await;
    }
    let tail = tail
        .lock()
        .map(|t| t.iter().cloned().collect())
        .unwrap_or_default();
    Ok(Finished { status, tail })
}

/// Keeps the last lines; a flood or one endless line costs a bounded buffer, never memory.
async fn keep_tail(
    stream: Option<impl AsyncRead + Unpin>,
    tail: Arc<Mutex<VecDeque<String>>>,
    keep: usize,
) {
    let Some(mut stream) = stream else { return };
    let push = |line: &[u8]| {
        let line: String = String::from_utf8_lossy(line)
            .chars()
            .take(LINE_CHARS)
            .collect();
        if !line.trim().is_empty()
            && let Ok(mut t) = tail.lock()
        {
            if t.len() >= keep {
                t.pop_front();
            }
            t.push_back(line);
        }
    };
    let mut buf = vec![0u8; 8192];
    let mut current = Vec::new();
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            if b == b'\n' {
                push(&current);
                current.clear();
            } else if current.len() < LINE_CHARS * 4 {
                current.push(b);
            }
        }
    }
    push(&current);
}
