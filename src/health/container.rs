//! Container state through the Docker Engine API; works against Podman's compatible socket via
//! `DOCKER_HOST`.

use std::time::Duration;

use bollard::Docker;
use bollard::models::HealthStatusEnum;
use serde::Serialize;

use crate::env_vars;
use crate::probe::{Failure, FailureKind};

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct ContainerState {
    pub name: String,
    /// created | running | paused | restarting | removing | exited | dead
    pub state: Option<String>,
    /// starting | healthy | unhealthy, when the image defines a healthcheck
    pub health: Option<String>,
    pub restart_count: Option<i64>,
    pub started_at: Option<String>,
    pub exit_code: Option<i64>,
    pub oom_killed: Option<bool>,
}

pub(crate) enum Verdict {
    Ok(ContainerState),
    Degraded(ContainerState, String),
    Down(Option<ContainerState>, Failure),
    /// The engine could not be asked; the server's own probe still decides.
    Unreachable(String),
}

pub(crate) async fn inspect(name: &str, timeout: Duration) -> Verdict {
    let host = std::env::var(env_vars::DOCKER_HOST)
        .unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    let docker = match Docker::connect_with_defaults() {
        Ok(d) => d.with_timeout(timeout),
        Err(e) => {
            return Verdict::Unreachable(format!("cannot use the container engine at {host}: {e}"));
        }
    };
    let info = match tokio::time::timeout(timeout, docker.inspect_container(name, None)).await {
        Err(_) => {
            return Verdict::Unreachable(format!(
                "the container engine at {host} did not answer within {}",
                humantime::format_duration(timeout)
            ));
        }
        Ok(Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        })) => {
            return Verdict::Down(
                None,
                Failure::new(
                    FailureKind::Container,
                    format!("container {name} does not exist"),
                )
                .hint(format!(
                    "create it, or fix `container = \"{name}\"` in the config"
                )),
            );
        }
        Ok(Err(e)) => {
            return Verdict::Unreachable(format!(
                "cannot inspect container {name} at {host}: {e}; set DOCKER_HOST to the engine's socket"
            ));
        }
        Ok(Ok(info)) => info,
    };
    let st = info.state.unwrap_or_default();
    let state = ContainerState {
        name: name.to_owned(),
        state: st.status.map(|s| s.to_string()),
        health: st
            .health
            .as_ref()
            .and_then(|h| h.status)
            .filter(|s| !matches!(s, HealthStatusEnum::EMPTY | HealthStatusEnum::NONE))
            .map(|s| s.to_string()),
        restart_count: info.restart_count,
        started_at: st.started_at.clone(),
        exit_code: st.exit_code,
        oom_killed: st.oom_killed,
    };
    let status = state.state.as_deref().unwrap_or("unknown");
    match (status, state.health.as_deref()) {
        ("running", Some("unhealthy")) => {
            let f = Failure::new(
                FailureKind::Container,
                format!("container {name} is running but its healthcheck says unhealthy"),
            )
            .hint(format!(
                "look at `docker inspect {name}` for the failing check, or `mcpctl recover`"
            ));
            Verdict::Down(Some(state), f)
        }
        ("running", Some("starting")) => {
            Verdict::Degraded(state, format!("container {name} is still starting"))
        }
        ("running", _) => Verdict::Ok(state),
        ("restarting", _) => Verdict::Degraded(state, format!("container {name} is restarting")),
        (other, _) => {
            let code = state
                .exit_code
                .map(|c| {
                    format!(
                        " (exit code {c}{})",
                        if state.oom_killed == Some(true) {
                            ", OOM-killed"
                        } else {
                            ""
                        }
                    )
                })
                .unwrap_or_default();
            let f = Failure::new(
                FailureKind::Container,
                format!("container {name} is {other}{code}"),
            )
            .hint(format!(
                "start it with `docker start {name}`, or run `mcpctl recover`"
            ));
            Verdict::Down(Some(state), f)
        }
    }
}
