//! The container engine's event stream (Docker Engine API, or Podman's compatible socket via
//! `DOCKER_HOST`), filtered to the configured containers: a death, an OOM kill, a stop or an
//! unhealthy health check triggers that server's probe at once. A dropped stream is said and
//! reconnected with backoff; the interval's passes go on meanwhile.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use bollard::Docker;
use bollard::query_parameters::EventsOptionsBuilder;
use futures::StreamExt;
use tokio::sync::mpsc;

/// What the stream tells the watch.
#[derive(Debug)]
pub(crate) enum Notice {
    /// A configured container died, was killed or stopped, ran out of memory or turned
    /// unhealthy: probe its server now.
    Container {
        server: String,
        container: String,
        action: String,
    },
    /// The stream is up (again).
    Connected,
    /// The stream broke; it is tried again after `retry`.
    Dropped { why: String, retry: Duration },
}

const FIRST_RETRY: Duration = Duration::from_secs(1);
const MAX_RETRY: Duration = Duration::from_secs(60);

/// Follows the event stream of `containers` (container name -> server) until the receiver is
/// dropped. Never returns an error: every failure is a `Dropped` notice and a retry.
pub(crate) async fn follow(containers: BTreeMap<String, String>, tx: mpsc::Sender<Notice>) {
    let mut retry = FIRST_RETRY;
    loop {
        let why = match Docker::connect_with_defaults() {
            Err(e) => format!("cannot use the container engine: {e}"),
            Ok(docker) => match stream(&docker, &containers, &tx, &mut retry).await {
                Ok(()) => return,
                Err(why) => why,
            },
        };
        if tx.send(Notice::Dropped { why, retry }).await.is_err() {
            return;
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(MAX_RETRY);
    }
}

/// One connection's events. `Ok` only when the watch has gone (the receiver dropped).
async fn stream(
    docker: &Docker,
    containers: &BTreeMap<String, String>,
    tx: &mpsc::Sender<Notice>,
    retry: &mut Duration,
) -> Result<(), String> {
    let names: Vec<String> = containers.keys().cloned().collect();
    let filters = HashMap::from([
        ("type".to_owned(), vec!["container".to_owned()]),
        ("container".to_owned(), names),
    ]);
    let opts = EventsOptionsBuilder::default().filters(&filters).build();
    // The engine answers the request only with the first event; reaching it is checked apart.
    docker
        .ping()
        .await
        .map_err(|e| format!("the container engine does not answer: {e}"))?;
    let mut events = docker.events(Some(opts));
    if tx.send(Notice::Connected).await.is_err() {
        return Ok(());
    }
    *retry = FIRST_RETRY;
    while let Some(event) = events.next().await {
        let event = event.map_err(|e| format!("the event stream broke: {e}"))?;
        let action = event.action.unwrap_or_default();
        let attributes = event.actor.and_then(|a| a.attributes).unwrap_or_default();
        if !wanted(&action, &attributes) {
            continue;
        }
        let Some(name) = attributes.get("name") else {
            continue;
        };
        let Some(server) = containers.get(name) else {
            continue;
        };
        let notice = Notice::Container {
            server: server.clone(),
            container: name.clone(),
            action,
        };
        if tx.send(notice).await.is_err() {
            return Ok(());
        }
    }
    Err("the container engine ended the event stream".into())
}

/// die, oom, kill, stop, and a health check turning unhealthy (Docker says
/// `health_status: unhealthy`, Podman `health_status` with the state in an attribute).
fn wanted(action: &str, attributes: &HashMap<String, String>) -> bool {
    match action.split(':').next().unwrap_or_default().trim() {
        "die" | "died" | "oom" | "kill" | "stop" => true,
        "health_status" => {
            action.contains("unhealthy")
                || attributes
                    .get("health_status")
                    .is_some_and(|s| s == "unhealthy")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deaths_and_unhealthy_checks_count_and_the_rest_do_not() {
        let none = HashMap::new();
        for a in ["die", "oom", "kill", "stop", "health_status: unhealthy"] {
            assert!(wanted(a, &none), "{a}");
        }
        for a in [
            "start",
            "create",
            "health_status: healthy",
            "exec_start: sh",
            "attach",
        ] {
            assert!(!wanted(a, &none), "{a}");
        }
        let podman = HashMap::from([("health_status".to_owned(), "unhealthy".to_owned())]);
        assert!(wanted("health_status", &podman));
    }
}
