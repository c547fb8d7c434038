//! Asking the proposer: a command fed the prompt on stdin (its own process group, no GitHub
//! token variables, in an empty directory, stdout capped, the group ended at the timeout), or an
//! OpenAI-compatible chat-completions endpoint through the process's one HTTP client, the API
//! key sent to that URL only.

use std::process::Stdio;
use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::error::ProposeError;
use crate::config::{ProposerKind, ProposerSettings};
use crate::probe::process::{GroupGuard, shutdown};
use crate::redact::Redactor;

const GRACE: Duration = Duration::from_secs(2);
/// The stderr a failing proposer leaves in the reason.
const STDERR_KEEP: usize = 2048;

/// What to call it with.
pub(super) struct Call<'a> {
    pub(super) settings: &'a ProposerSettings,
    pub(super) prompt: &'a str,
    /// Variables the command must not inherit.
    pub(super) unset: &'a [String],
    pub(super) redactor: &'a Redactor,
}

/// The proposer's whole answer, or why there is none.
pub(super) async fn ask(call: &Call<'_>) -> Result<String, ProposeError> {
    match &call.settings.kind {
        ProposerKind::Command(argv) => command(call, argv).await,
        ProposerKind::Http {
            url,
            model,
            api_key,
        } => http(call, url, model, api_key.as_deref()).await,
    }
}

/// Who wrote a proposal, for the commit trailer and the report.
pub(super) fn name(settings: &ProposerSettings) -> String {
    match &settings.kind {
        ProposerKind::Command(argv) => argv[0].clone(),
        ProposerKind::Http { model, .. } => model.clone(),
    }
}

async fn command(call: &Call<'_>, argv: &[String]) -> Result<String, ProposeError> {
    let s = call.settings;
    let program = &argv[0];
    let cannot_run = |source| ProposeError::Spawn {
        program: program.clone(),
        source,
    };
    let path = std::env::var_os("PATH");
    let resolved = crate::children::resolve(program, path.as_deref(), None).map_err(cannot_run)?;
    // An empty directory: a command that is an agent must not edit the checkout behind the
    // validator's back.
    let scratch = tempfile::tempdir().map_err(ProposeError::Scratch)?;
    let mut cmd = crate::children::command(&resolved);
    cmd.args(&argv[1..])
        .current_dir(scratch.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    for var in call.unset {
        cmd.env_remove(var);
    }
    let mut child = cmd.spawn().map_err(cannot_run)?;
    let guard = GroupGuard::new(&child);
    let mut stdin = child.stdin.take();
    let prompt = call.prompt.as_bytes().to_vec();
    // Written beside the reads: a prompt larger than the pipe would otherwise deadlock a
    // proposer that answers while it reads.
    let writer = tokio::spawn(async move {
        if let Some(w) = stdin.as_mut() {
            let _ = w.write_all(&prompt).await;
            let _ = w.shutdown().await;
        }
    });
    let cap = s.max_output_bytes;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let reading = async {
        let mut out = Vec::new();
        if let Some(o) = stdout.as_mut() {
            o.take(cap as u64 + 1).read_to_end(&mut out).await.ok();
        }
        out
    };
    let errors = async {
        let mut err = Vec::new();
        if let Some(e) = stderr.as_mut() {
            e.take(64 * 1024).read_to_end(&mut err).await.ok();
        }
        err
    };
    let outcome = tokio::time::timeout(s.timeout, async { tokio::join!(reading, errors) }).await;
    writer.abort();
    let Ok((out, err)) = outcome else {
        shutdown(&mut child, guard, false, GRACE).await;
        return Err(ProposeError::Timeout {
            program: program.clone(),
            timeout: s.timeout,
        });
    };
    if out.len() > cap {
        shutdown(&mut child, guard, false, GRACE).await;
        return Err(ProposeError::CommandTooLong {
            program: program.clone(),
            cap,
        });
    }
    let Ok(Ok(status)) = tokio::time::timeout(GRACE, child.wait()).await else {
        shutdown(&mut child, guard, false, GRACE).await;
        return Err(ProposeError::NoExit {
            program: program.clone(),
        });
    };
    // Its group too: a grandchild it left behind must not outlive the call.
    drop(guard);
    if !status.success() {
        let tail = String::from_utf8_lossy(&err);
        let tail = tail.trim();
        let start = tail.len().saturating_sub(STDERR_KEEP);
        let start = (start..tail.len())
            .find(|i| tail.is_char_boundary(*i))
            .unwrap_or(0);
        return Err(ProposeError::Failed {
            program: program.clone(),
            status,
            stderr: call.redactor.redact_shapes(&tail[start..]),
        });
    }
    String::from_utf8(out).map_err(|_| ProposeError::NotUtf8 {
        program: program.clone(),
    })
}

async fn http(
    call: &Call<'_>,
    url: &str,
    model: &str,
    api_key: Option<&str>,
) -> Result<String, ProposeError> {
    let s = call.settings;
    let client = crate::net::client()?;
    let (url, missing) = crate::config::expand(url, &|n| std::env::var(n).ok());
    if let Some(var) = missing.first() {
        return Err(ProposeError::UrlVariable(var.clone()));
    }
    let host = reqwest::Url::parse(&url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "the proposer".into());
    let body = json!({
        "model": model,
        "temperature": 0,
        "stream": false,
        "messages": [
            { "role": "system", "content": "You fix failing CI jobs. You answer with one unified diff and nothing else." },
            { "role": "user", "content": call.prompt },
        ],
    });
    let mut request = client.post(&url).timeout(s.timeout).json(&body);
    if let Some(written) = api_key {
        let (key, missing) = crate::config::expand(written, &|n| std::env::var(n).ok());
        if let Some(var) = missing.first() {
            return Err(ProposeError::KeyVariable(var.clone()));
        }
        let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {key}"))
            .map_err(|_| ProposeError::KeyHeader)?;
        value.set_sensitive(true);
        request = request.header(reqwest::header::AUTHORIZATION, value);
    }
    let response = request.send().await.map_err(|e| ProposeError::Ask {
        host: host.clone(),
        error: call.redactor.redact(&crate::net::error_chain(&e)),
    })?;
    let status = response.status();
    let cap = s.max_output_bytes;
    let mut bytes = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ProposeError::Read {
            host: host.clone(),
            error: crate::net::error_chain(&e),
        })?;
        bytes.extend_from_slice(&chunk);
        if bytes.len() > cap {
            return Err(ProposeError::HttpTooLong { host, cap });
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    if !status.is_success() {
        let shown = crate::redact::cut(&call.redactor.redact_shapes(text.trim()), 300);
        return Err(ProposeError::Status {
            host,
            status: status.as_u16(),
            body: shown,
        });
    }
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|source| ProposeError::NotJson {
            host: host.clone(),
            source,
        })?;
    value["choices"][0]["message"]["content"]
        .as_str()
        .map(str::to_owned)
        .ok_or(ProposeError::NoContent { host })
}
