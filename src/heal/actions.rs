//! What a ladder step does to the world: restart a container through the engine's API, or run a
//! configured argv. Never a shell: the argv goes to execve as written.

use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bollard::Docker;
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::probe::process::{GroupGuard, describe, shutdown};
use crate::redact::Redactor;

/// How a step ended before the re-probe.
#[derive(Debug)]
pub(super) enum Done {
    /// It acted; the detail says what changed.
    Acted(String),
    /// It decided not to act, and why.
    Skipped(String),
    Failed(String),
}

const TAIL_LINES: usize = 10;
const LINE_CHARS: usize = 300;
const GRACE: Duration = Duration::from_secs(2);

/// The engine at `DOCKER_HOST` (Docker or Podman), with a timeout on every call.
pub(super) fn engine(timeout: Duration) -> Result<Docker, Done> {
    Docker::connect_with_defaults()
        .map(|d| d.with_timeout(timeout))
        .map_err(|e| Done::Failed(format!("cannot use the container engine: {e}")))
}

/// Restarts `name` unless the engine says it is already restarting: restarting it again is
/// how restart loops start.
pub(super) async fn restart_container(
    name: &str,
    stop_timeout: Duration,
    timeout: Duration,
) -> Done {
    let docker = match engine(timeout + stop_timeout) {
        Ok(d) => d,
        Err(done) => return done,
    };
    let started_at = |docker: Docker| async move {
        tokio::time::timeout(timeout, docker.inspect_container(name, None)).await
    };
    let before = match started_at(docker.clone()).await {
        Err(_) => return Done::Failed(format!("the engine did not answer within {timeout:?}")),
        Ok(Err(e)) => return Done::Failed(format!("cannot inspect container {name}: {e}")),
        Ok(Ok(info)) => info.state.unwrap_or_default(),
    };
    if before.restarting == Some(true)
        || before
            .status
            .is_some_and(|s| s == bollard::models::ContainerStateStatusEnum::RESTARTING)
    {
        return Done::Skipped(format!("container {name} is already restarting"));
    }
    let options = bollard::query_parameters::RestartContainerOptions {
        signal: None,
        t: Some(i32::try_from(stop_timeout.as_secs()).unwrap_or(i32::MAX)),
    };
    match tokio::time::timeout(
        timeout + stop_timeout,
        docker.restart_container(name, Some(options)),
    )
    .await
    {
        Err(_) => return Done::Failed(format!("restarting {name} did not finish in time")),
        Ok(Err(e)) => return Done::Failed(format!("cannot restart container {name}: {e}")),
        Ok(Ok(())) => {}
    }
    let after = match started_at(docker).await {
        Ok(Ok(info)) => info.state.unwrap_or_default().started_at,
        _ => None,
    };
    Done::Acted(format!(
        "restarted container {name} (started {} → {})",
        before.started_at.as_deref().unwrap_or("?"),
        after.as_deref().unwrap_or("?")
    ))
}

/// Runs the argv in its own process group, cut at `timeout`; the last lines of its output,
/// redacted, go into the detail.
pub(super) async fn run_command(argv: &[String], timeout: Duration, redactor: &Redactor) -> Done {
    let Some((program, rest)) = argv.split_first() else {
        return Done::Failed("the command is empty".into());
    };
    let mut child = match tokio::process::Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return Done::Failed(format!("cannot run {program}: {e}")),
    };
    let guard = GroupGuard::new(&child);
    let tail: Arc<Mutex<VecDeque<String>>> = Arc::default();
    let readers = [
        tokio::spawn(keep_tail(child.stdout.take(), Arc::clone(&tail))),
        tokio::spawn(keep_tail(child.stderr.take(), Arc::clone(&tail))),
    ];
    let status = match tokio::time::timeout(timeout, child.wait()).await {
        Ok(Ok(status)) => {
            drop(guard);
            Some(status)
        }
        Ok(Err(e)) => return Done::Failed(format!("waiting for {program} failed: {e}")),
        Err(_) => {
            shutdown(&mut child, guard, false, GRACE).await;
            None
        }
    };
    for r in readers {
        let _ = tokio::time::timeout(GRACE, r).await;
    }
    let output: Vec<String> = tail
        .lock()
        .map(|t| t.iter().map(|l| redactor.redact(l)).collect())
        .unwrap_or_default();
    let output = if output.is_empty() {
        String::new()
    } else {
        format!("; output: {}", output.join(" | "))
    };
    match status {
        Some(s) if s.success() => Done::Acted(format!("{program} succeeded{output}")),
        Some(s) => Done::Failed(format!("{program} {}{output}", describe(s))),
        None => Done::Failed(format!(
            "{program} did not finish within {} and was killed{output}",
            humantime::format_duration(timeout)
        )),
    }
}

/// Keeps the last lines; a flood or one endless line costs a bounded buffer, never memory.
async fn keep_tail(stream: Option<impl AsyncRead + Unpin>, tail: Arc<Mutex<VecDeque<String>>>) {
    let Some(mut stream) = stream else { return };
    let push = |line: &[u8]| {
        let line: String = String::from_utf8_lossy(line)
            .chars()
            .take(LINE_CHARS)
            .collect();
        if !line.trim().is_empty()
            && let Ok(mut t) = tail.lock()
        {
            if t.len() == TAIL_LINES {
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
