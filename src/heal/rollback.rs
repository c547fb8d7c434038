//! `rollback-image`: recreate a container from its previous image when a new image is what
//! broke it. The container's own config, host config (binds, volumes, ports) and name are kept;
//! what the bad image itself contributed (its default command, env, labels) is left to the
//! previous image. If the new container does not start, the old one is put back.

use std::time::Duration;

use bollard::Docker;
use bollard::models::{ContainerCreateBody, ImageConfig};
use bollard::query_parameters::{
    CreateContainerOptions, RemoveContainerOptions, RenameContainerOptions, StopContainerOptions,
};

use super::actions::Done;
use super::error::SwapError;

/// The image id the container runs now.
pub(super) async fn current_image(name: &str, timeout: Duration) -> Option<String> {
    let docker = super::actions::engine(timeout).ok()?;
    let info = tokio::time::timeout(timeout, docker.inspect_container(name, None))
        .await
        .ok()?
        .ok()?;
    info.image
}

pub(super) async fn rollback(
    name: &str,
    previous: &str,
    stop_timeout: Duration,
    timeout: Duration,
) -> Done {
    let docker = match super::actions::engine(timeout + stop_timeout) {
        Ok(d) => d,
        Err(done) => return done,
    };
    match tokio::time::timeout(
        timeout + stop_timeout * 2,
        recreate(&docker, name, previous, stop_timeout),
    )
    .await
    {
        Ok(done) => done,
        Err(_) => Done::Failed(format!("rolling back {name} did not finish in time")),
    }
}

async fn recreate(docker: &Docker, name: &str, previous: &str, stop_timeout: Duration) -> Done {
    let info = match docker.inspect_container(name, None).await {
        Ok(i) => i,
        Err(e) => return Done::Failed(format!("cannot inspect container {name}: {e}")),
    };
    let Some(current) = info.image.clone() else {
        return Done::Failed(format!("the engine does not say which image {name} runs"));
    };
    let target = match docker.inspect_image(previous).await {
        Ok(i) => i,
        Err(e) => return Done::Failed(format!("cannot find the previous image {previous}: {e}")),
    };
    if target.id.as_deref() == Some(current.as_str()) {
        return Done::Skipped(format!("container {name} already runs {previous}"));
    }
    let bad = docker
        .inspect_image(&current)
        .await
        .ok()
        .and_then(|i| i.config);
    let shown = info
        .config
        .as_ref()
        .and_then(|c| c.image.clone())
        .unwrap_or_else(|| current.clone());
    let body = create_body(
        info.config.unwrap_or_default(),
        bad,
        info.host_config,
        previous,
    );
    if let Err(e) = swap(docker, name, previous, body, stop_timeout).await {
        return Done::Failed(e.to_string());
    }
    // The audit names the tag as well as the id, so a person knows which release is running.
    let tag = target
        .repo_tags
        .as_ref()
        .and_then(|t| t.first())
        .filter(|t| t.as_str() != previous)
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    Done::Acted(format!(
        "rolled back container {name} from {shown} to {previous}{tag}"
    ))
}

/// Moves the old container aside, starts the new one under its name, and removes the old one
/// only once the new one runs; otherwise puts the old one back.
async fn swap(
    docker: &Docker,
    name: &str,
    previous: &str,
    body: ContainerCreateBody,
    stop_timeout: Duration,
) -> Result<(), SwapError> {
    let aside = format!("{name}-mcpctl-replaced");
    let stop = StopContainerOptions {
        signal: None,
        t: Some(i32::try_from(stop_timeout.as_secs()).unwrap_or(i32::MAX)),
    };
    // Stopping an already stopped container is not an error worth stopping for.
    let _ = docker.stop_container(name, Some(stop)).await;
    docker
        .rename_container(
            name,
            RenameContainerOptions {
                name: aside.clone(),
            },
        )
        .await
        .map_err(|source| SwapError::MoveAside {
            name: name.to_owned(),
            source,
        })?;
    let options = CreateContainerOptions {
        name: Some(name.to_owned()),
        platform: String::new(),
    };
    let started = match docker.create_container(Some(options), body).await {
        Ok(_) => docker.start_container(name, None).await,
        Err(e) => Err(e),
    };
    let remove = RemoveContainerOptions {
        v: false,
        force: true,
        link: false,
    };
    if let Err(e) = started {
        let _ = docker.remove_container(name, Some(remove.clone())).await;
        let back = docker
            .rename_container(
                &aside,
                RenameContainerOptions {
                    name: name.to_owned(),
                },
            )
            .await;
        let _ = docker.start_container(name, None).await;
        return Err(SwapError::NotStarted {
            previous: previous.to_owned(),
            source: e,
            kept_as: back.is_err().then_some(aside),
        });
    }
    // Volumes stay (`v: false`): they are the container's data, not the image's.
    if let Err(e) = docker.remove_container(&aside, Some(remove)).await {
        tracing::warn!("cannot remove the replaced container {aside}: {e}");
    }
    Ok(())
}

/// The container's own settings with the image swapped; defaults that came from the bad image
/// are dropped so the previous image's own apply.
fn create_body(
    c: bollard::models::ContainerConfig,
    bad: Option<ImageConfig>,
    host_config: Option<bollard::models::HostConfig>,
    previous: &str,
) -> ContainerCreateBody {
    let bad = bad.unwrap_or_default();
    // Podman reports ulimits as `RLIMIT_NOFILE` but accepts only Docker's `nofile` back.
    let host_config = host_config.map(|mut h| {
        for u in h.ulimits.iter_mut().flatten() {
            if let Some(name) = &u.name {
                u.name = Some(name.trim_start_matches("RLIMIT_").to_ascii_lowercase());
            }
        }
        h
    });
    let own = |mine: Option<Vec<String>>, image: Option<Vec<String>>| {
        mine.filter(|m| Some(m) != image.as_ref())
    };
    let env = c.env.map(|env| {
        let from_image = bad.env.clone().unwrap_or_default();
        env.into_iter()
            .filter(|e| !from_image.contains(e))
            .collect::<Vec<_>>()
    });
    let labels = c.labels.map(|labels| {
        let from_image = bad.labels.clone().unwrap_or_default();
        labels
            .into_iter()
            .filter(|(k, v)| from_image.get(k) != Some(v))
            .collect()
    });
    ContainerCreateBody {
        hostname: None,
        domainname: c.domainname,
        user: c.user.filter(|u| Some(u) != bad.user.as_ref()),
        attach_stdin: c.attach_stdin,
        attach_stdout: c.attach_stdout,
        attach_stderr: c.attach_stderr,
        exposed_ports: c.exposed_ports,
        tty: c.tty,
        open_stdin: c.open_stdin,
        stdin_once: c.stdin_once,
        env,
        cmd: own(c.cmd, bad.cmd),
        healthcheck: c
            .healthcheck
            .filter(|h| Some(h) != bad.healthcheck.as_ref()),
        args_escaped: None,
        image: Some(previous.to_owned()),
        volumes: c.volumes,
        working_dir: c
            .working_dir
            .filter(|w| Some(w) != bad.working_dir.as_ref()),
        entrypoint: own(c.entrypoint, bad.entrypoint),
        network_disabled: c.network_disabled,
        on_build: None,
        labels,
        stop_signal: c.stop_signal,
        stop_timeout: c.stop_timeout,
        shell: None,
        host_config,
        networking_config: None,
    }
}
