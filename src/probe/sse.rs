//! Legacy HTTP+SSE (2024-11-05): GET opens an event stream whose `endpoint` event names the URL
//! to POST to; answers come back as `message` events on the stream.

use std::time::Duration;

use futures::StreamExt;
use reqwest::header::ACCEPT;
use serde_json::Value;
use tokio::sync::mpsc;

use super::jsonrpc::{self, Incoming};
use super::web::{capped_stream, send_failure, status_failure};
use super::{CallError, Failure, FailureKind, Limits, Probe, Session};

enum Event {
    Endpoint(String),
    Message(Value),
    Broken(Failure),
}

struct SseSession {
    client: reqwest::Client,
    headers: reqwest::header::HeaderMap,
    post_url: reqwest::Url,
    events: mpsc::Receiver<Event>,
    next_id: u64,
}

pub(super) async fn handshake(
    client: &reqwest::Client,
    headers: &reqwest::header::HeaderMap,
    url: reqwest::Url,
    limits: Limits,
    wants: &super::Wants,
    probe: &mut Probe,
) -> Result<(), Failure> {
    let connect = client
        .get(url.clone())
        .headers(headers.clone())
        .header(ACCEPT, "text/event-stream")
        .send();
    let resp = tokio::time::timeout(limits.timeout, connect)
        .await
        .map_err(|_| Failure::new(FailureKind::Timeout, "no answer to the SSE GET"))?
        .map_err(|e| send_failure(&url, &e))?;
    probe.http_status = Some(resp.status().as_u16());
    probe.tls_not_after = super::web::not_after(&resp);
    if !resp.status().is_success() {
        return Err(status_failure(resp.status(), resp.headers(), "GET (SSE)"));
    }
    let (tx, mut events) = mpsc::channel(64);
    let reader = tokio::spawn(read_events(resp, tx));
    let first = tokio::time::timeout(limits.timeout, events.recv()).await;
    let result = match first {
        Ok(Some(Event::Endpoint(path))) => match url.join(&path) {
            Ok(post_url) if post_url.origin() == url.origin() => {
                let mut session = SseSession {
                    client: client.clone(),
                    headers: headers.clone(),
                    post_url,
                    events,
                    next_id: 1,
                };
                super::handshake(&mut session, limits, wants, probe).await
            }
            _ => Err(Failure::new(
                FailureKind::Protocol,
                "the SSE endpoint event names another origin or a bad URL",
            )),
        },
        Ok(Some(Event::Broken(f))) => Err(f),
        Ok(Some(Event::Message(_)) | None) => Err(Failure::new(
            FailureKind::Protocol,
            "the SSE stream did not start with an endpoint event",
        )),
        Err(_) => Err(Failure::new(
            FailureKind::Timeout,
            "no endpoint event on the SSE stream",
        )),
    };
    reader.abort();
    result
}

async fn read_events(resp: reqwest::Response, tx: mpsc::Sender<Event>) {
    use eventsource_stream::Eventsource;
    let mut stream = std::pin::pin!(capped_stream(resp).eventsource());
    while let Some(item) = stream.next().await {
        let event = match item {
            Ok(e) if e.event == "endpoint" => Event::Endpoint(e.data.trim().to_owned()),
            Ok(e) if e.data.trim().is_empty() => continue,
            Ok(e) => match serde_json::from_str(&e.data) {
                Ok(v) => Event::Message(v),
                Err(_) => Event::Broken(Failure::new(
                    FailureKind::Garbage,
                    "an SSE message event is not JSON",
                )),
            },
            Err(eventsource_stream::EventStreamError::Transport(f)) => Event::Broken(f),
            Err(e) => Event::Broken(Failure::new(
                FailureKind::Garbage,
                format!("bad SSE stream: {e}"),
            )),
        };
        if tx.send(event).await.is_err() {
            return;
        }
    }
    let _ = tx
        .send(Event::Broken(Failure::new(
            FailureKind::Exited,
            "the SSE stream closed",
        )))
        .await;
}

impl SseSession {
    async fn post(&self, body: &Value) -> Result<(), Failure> {
        let resp = self
            .client
            .post(self.post_url.clone())
            .headers(self.headers.clone())
            .json(body)
            .send()
            .await
            .map_err(|e| send_failure(&self.post_url, &e))?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(status_failure(resp.status(), resp.headers(), "POST (SSE)"))
        }
    }
}

impl Session for SseSession {
    async fn request(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, CallError> {
        let id = self.next_id;
        self.next_id += 1;
        let deadline = tokio::time::Instant::now() + timeout;
        let timed_out = || {
            Failure::new(
                FailureKind::Timeout,
                format!(
                    "no answer to {method} within {}",
                    humantime::format_duration(timeout)
                ),
            )
        };
        tokio::time::timeout_at(deadline, self.post(&jsonrpc::request(id, method, &params)))
            .await
            .map_err(|_| timed_out())??;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Err(_) => return Err(timed_out().into()),
                Ok(None) => {
                    return Err(Failure::new(FailureKind::Exited, "the SSE stream closed").into());
                }
                Ok(Some(Event::Broken(f))) => return Err(f.into()),
                Ok(Some(Event::Endpoint(_))) => {}
                Ok(Some(Event::Message(msg))) => {
                    if let Incoming::Response { id: got, result } = jsonrpc::classify(msg)
                        && got == id
                    {
                        return result.map_err(CallError::Rpc);
                    }
                }
            }
        }
    }

    async fn notify(&mut self, method: &str, timeout: Duration) -> Result<(), Failure> {
        tokio::time::timeout(timeout, self.post(&jsonrpc::notification(method)))
            .await
            .map_err(|_| {
                Failure::new(
                    FailureKind::Timeout,
                    format!("no answer to the {method} POST"),
                )
            })?
    }
}
