//! What a ladder step does to the world: restart a container through the engine's API, or run a
//! configured argv. Never a shell: the argv goes to execve as written.

use std::time::Duration;

use bollard::Docker;

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
    let spec = crate::argv::Spec {
        argv,
        cwd: None,
        env: &[],
        unset: &[],
        timeout,
        tail: TAIL_LINES,
    };
    let finished = match crate::argv::run(&spec).await {
        Ok(f) => f,
        Err(e) => return Done::Failed(e.to_string()),
    };
    let program = &argv[0];
    let output: Vec<String> = finished.tail.iter().map(|l| redactor.redact(l)).collect();
    let output = if output.is_empty() {
        String::new()
    } else {
        format!("; output: {}", output.join(" | "))
    };
    if finished.success() {
        Done::Acted(format!("{program} succeeded{output}"))
    } else {
        Done::Failed(format!("{program} {}{output}", finished.describe(timeout)))
    }
}
