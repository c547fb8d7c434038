//! The stdio transport: newline-delimited JSON-RPC on the child's stdin/stdout, logs on stderr.

use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, ChildStdin};
use tokio::sync::mpsc;
use tokio_util::codec::{AnyDelimiterCodec, FramedRead};

use super::jsonrpc::{self, Incoming};
use super::process::{GroupGuard, describe, shutdown};
use super::{CallError, Failure, FailureKind, Limits, Probe, Session, Target, Transport};
use crate::redact::Redactor;

/// Longest stdout line read as a message; tools/list of a big server is well below this.
const MAX_LINE: usize = 16 * 1024 * 1024;
/// Past this much non-JSON stdout the server is flooding, not logging by mistake.
const MAX_STRAY_BYTES: u64 = 1024 * 1024;
const MAX_STRAY_LINES: u64 = 1000;
const STDERR_TAIL_LINES: usize = 20;
const STDERR_LINE_CHARS: usize = 400;

enum Event {
    Message(Value),
    Flood { lines: u64, bytes: u64 },
    TooLong,
    Eof,
}

struct StdioSession {
    child: Child,
    stdin: Option<ChildStdin>,
    events: mpsc::Receiver<Event>,
    stray: Arc<std::sync::atomic::AtomicU64>,
    next_id: u64,
    launcher: bool,
    saw_message: bool,
    ended: Option<Failure>,
}

pub(super) async fn probe(
    target: &Target,
    limits: Limits,
    wants: &super::Wants,
    redactor: &Redactor,
) -> Probe {
    let mut probe = Probe {
        transport: Some(Transport::Stdio),
        ..Probe::default()
    };
    let (mut session, guard, mut readers) = match spawn(target) {
        Ok(parts) => parts,
        Err(f) => {
            probe.failure = Some(redact_failure(f, redactor));
            return probe;
        }
    };
    let result = super::handshake(&mut session, limits, wants, &mut probe).await;
    session.stdin = None;
    let status = shutdown(&mut session.child, guard, result.is_ok(), limits.grace).await;
    // The group is gone, so both pipes are at EOF or about to be: let the readers take in what
    // a server that died at once still wrote, before anything is read from them.
    session.events.close();
    readers.drain().await;
    probe.stray_stdout_lines = session.stray.load(std::sync::atomic::Ordering::Relaxed);
    probe.exit_status = status.map(describe);
    // Redacted whole, then cut: a cut first could leave most of a secret behind.
    probe.stderr_tail = snapshot(&readers.tail)
        .iter()
        .map(|l| redactor.redact_cut(l, STDERR_LINE_CHARS))
        .collect();
    if let Err(mut failure) = result {
        if failure.kind == FailureKind::Exited {
            let how = probe.exit_status.clone().unwrap_or_else(|| "exited".into());
            failure.message = format!("the server {how} before answering");
            failure.hint = Some(match telling_line(&probe.stderr_tail) {
                None => "run the command by hand to see why it stops".into(),
                Some(line) => format!("the server {how}: {line}"),
            });
        }
        if failure.step.is_none() {
            failure.step = Some(if failure.kind == FailureKind::LauncherTimeout {
                super::Step::Launcher
            } else {
                super::Step::Handshake
            });
        }
        probe.failure = Some(redact_failure(failure, redactor));
    }
    probe
}

/// The stderr line that says most about why a server stopped: the first that reads like an
/// error (`Error: Cannot find module …`, `fatal: …`, a Python exception), else the last line that
/// is not noise. Runtimes end with lines such as `Node.js v20.20.2` or a stack frame.
pub(crate) fn telling_line(tail: &[String]) -> Option<&str> {
    let best = tail.iter().map(|l| telling(l)).max()?;
    if best == Telling::Noise {
        return tail.last().map(String::as_str);
    }
    if best == Telling::Plain {
        return tail
            .iter()
            .rev()
            .find(|l| telling(l) == Telling::Plain)
            .map(String::as_str);
    }
    tail.iter().find(|l| telling(l) == best).map(String::as_str)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Telling {
    /// Stack frames, carets, version banners, "Traceback (most recent call last):".
    Noise,
    Plain,
    /// Mentions an error somewhere in the line.
    Mentions,
    /// Starts like an error message.
    Error,
}

fn telling(line: &str) -> Telling {
    let t = line.trim();
    let lower = t.to_ascii_lowercase();
    let starts = |p: &str| lower.starts_with(p);
    if t.len() <= 1
        || t == "^"
        || starts("at ")
        || starts("file \"")
        || starts("node.js v")
        || starts("traceback (most recent call last)")
        || starts("note: run with `rust_backtrace")
    {
        Telling::Noise
    } else if starts("error") || starts("fatal") || starts("panic:") || starts("critical") {
        Telling::Error
    } else if [
        "error:",
        "error]",
        "error ",
        "exception:",
        "fatal:",
        "cannot ",
        "can't ",
        "not found",
        "no such file",
        "permission denied",
        "refused",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        Telling::Mentions
    } else {
        Telling::Plain
    }
}

pub(super) async fn supports_modern(
    target: &Target,
    limits: Limits,
    _redactor: &Redactor,
) -> Option<bool> {
    let (mut session, guard, _readers) = spawn(target).ok()?;
    let answer = super::discover(&mut session, limits.startup.unwrap_or(limits.timeout)).await;
    session.stdin = None;
    shutdown(&mut session.child, guard, answer.is_some(), limits.grace).await;
    answer
}

type Tail = Arc<Mutex<VecDeque<String>>>;

/// The tasks reading the child's stdout and stderr, and the stderr lines they keep.
struct Readers {
    tail: Tail,
    stdout: tokio::task::JoinHandle<()>,
    stderr: tokio::task::JoinHandle<()>,
}

/// How long the readers get after the group is killed. A grandchild that left the group may
/// keep a pipe open; the probe must not wait for it.
const READER_DRAIN: Duration = Duration::from_millis(500);

impl Readers {
    async fn drain(&mut self) {
        let both = async {
            let _ = (&mut self.stdout).await;
            let _ = (&mut self.stderr).await;
        };
        let _ = tokio::time::timeout(READER_DRAIN, both).await;
    }
}

fn spawn(target: &Target) -> Result<(StdioSession, GroupGuard, Readers), Failure> {
    let Target::Stdio {
        program,
        args,
        cwd,
        env,
        launcher,
    } = target
    else {
        unreachable!("stdio::spawn is only called for stdio targets")
    };
    // Resolved here, with the child's PATH, so "not found" is reported as before, not as a
    // wrapper that could not exec.
    let path_var = env
        .get("PATH")
        .map(std::ffi::OsString::from)
        .or_else(|| std::env::var_os("PATH"));
    let resolved = crate::children::resolve(program, path_var.as_deref(), cwd.as_deref())
        .map_err(|e| {
            let f = spawn_failure(program, cwd.as_deref(), &e);
            match super::doctor::find_outside(program, path_var.as_deref()) {
                Some(found) if e.kind() == std::io::ErrorKind::NotFound => f.hint(format!(
                    "`{program}` is {}, outside the PATH the server gets (cron's is short): set command = \"{}\", or add {} to the server's env PATH",
                    found.display(),
                    found.display(),
                    found.parent().map_or_else(String::new, |d| d.display().to_string()),
                )),
                _ => f,
            }
        })?;
    let mut cmd = crate::children::command(&resolved);
    cmd.args(args)
        .envs(env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    }
    let mut child = cmd.spawn().map_err(|e| {
        // The file is there and executable, yet exec says "not found": its interpreter is not.
        match super::doctor::missing_interpreter(&resolved) {
            Some(interpreter) if e.kind() == std::io::ErrorKind::NotFound => Failure::new(
                FailureKind::SpawnFailed,
                format!("`{program}` names the interpreter {interpreter}, which does not exist"),
            )
            .step(super::Step::Exec)
            .hint(format!(
                "install {interpreter}, or fix the #! line of {}",
                resolved.display()
            )),
            _ => spawn_failure(program, cwd.as_deref(), &e),
        }
    })?;
    let guard = GroupGuard::new(&child);
    let stdin = child.stdin.take();
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let stray = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (tx, events) = mpsc::channel(64);
    let stdout = tokio::spawn(read_stdout(stdout, tx, Arc::clone(&stray)));
    let tail: Tail = Arc::default();
    let stderr = tokio::spawn(read_stderr(stderr, Arc::clone(&tail)));
    let session = StdioSession {
        child,
        stdin,
        events,
        stray,
        next_id: 1,
        launcher: *launcher,
        saw_message: false,
        ended: None,
    };
    Ok((
        session,
        guard,
        Readers {
            tail,
            stdout,
            stderr,
        },
    ))
}

fn spawn_failure(program: &str, cwd: Option<&std::path::Path>, e: &std::io::Error) -> Failure {
    match e.kind() {
        std::io::ErrorKind::NotFound if cwd.is_some_and(|c| !c.is_dir()) => Failure::new(
            FailureKind::SpawnFailed,
            format!(
                "working directory {} does not exist",
                cwd.unwrap_or_else(|| std::path::Path::new("")).display()
            ),
        )
        .hint("fix `cwd` in the server's config"),
        std::io::ErrorKind::NotFound => Failure::new(
            FailureKind::SpawnFailed,
            format!("command `{program}` not found"),
        )
        .hint(format!(
            "install `{program}` or give its absolute path; cron runs with a short PATH"
        ))
        .step(super::Step::Path),
        std::io::ErrorKind::PermissionDenied => Failure::new(
            FailureKind::SpawnFailed,
            format!("command `{program}` is not executable"),
        )
        .hint(format!("chmod +x {program}"))
        .step(super::Step::Exec),
        _ => Failure::new(
            FailureKind::SpawnFailed,
            format!("cannot start `{program}`: {e}"),
        ),
    }
}

async fn read_stdout(
    stdout: tokio::process::ChildStdout,
    tx: mpsc::Sender<Event>,
    stray: Arc<std::sync::atomic::AtomicU64>,
) {
    let codec = AnyDelimiterCodec::new_with_max_length(b"\n".to_vec(), Vec::new(), MAX_LINE);
    let mut frames = FramedRead::new(stdout, codec);
    let mut stray_bytes = 0u64;
    while let Some(frame) = frames.next().await {
        let event = match frame {
            Ok(line) => {
                let line = line.strip_suffix(b"\r").unwrap_or(&line);
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                if let Ok(v) = serde_json::from_slice::<Value>(line) {
                    Event::Message(v)
                } else {
                    let lines = stray.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    stray_bytes += line.len() as u64;
                    if lines <= MAX_STRAY_LINES && stray_bytes <= MAX_STRAY_BYTES {
                        continue;
                    }
                    Event::Flood {
                        lines,
                        bytes: stray_bytes,
                    }
                }
            }
            Err(tokio_util::codec::AnyDelimiterCodecError::MaxChunkLengthExceeded) => {
                Event::TooLong
            }
            Err(tokio_util::codec::AnyDelimiterCodecError::Io(_)) => Event::Eof,
        };
        let stop = !matches!(event, Event::Message(_));
        if tx.send(event).await.is_err() || stop {
            return;
        }
    }
    let _ = tx.send(Event::Eof).await;
}

async fn read_stderr(stderr: tokio::process::ChildStderr, tail: Tail) {
    let codec = AnyDelimiterCodec::new_with_max_length(b"\n".to_vec(), Vec::new(), 64 * 1024);
    let mut frames = FramedRead::new(stderr, codec);
    while let Some(frame) = frames.next().await {
        let Ok(line) = frame else { continue };
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end();
        if text.is_empty() {
            continue;
        }
        let mut t = tail.lock().expect("stderr tail lock");
        if t.len() == STDERR_TAIL_LINES {
            t.pop_front();
        }
        t.push_back(text.to_owned());
    }
}

fn snapshot(tail: &Tail) -> Vec<String> {
    tail.lock()
        .expect("stderr tail lock")
        .iter()
        .cloned()
        .collect()
}

fn redact_failure(mut f: Failure, r: &Redactor) -> Failure {
    f.message = r.redact_cut(&f.message, STDERR_LINE_CHARS * 2);
    f.hint = f.hint.map(|h| r.redact_cut(&h, STDERR_LINE_CHARS * 2));
    f
}

impl StdioSession {
    /// Writes one message; a server that stops reading its stdin fills the pipe, so the write
    /// has the same deadline as the answer it is for.
    async fn send(&mut self, msg: &Value, deadline: tokio::time::Instant) -> Result<(), Failure> {
        let mut line = serde_json::to_vec(msg).expect("JSON values serialize");
        line.push(b'\n');
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(Failure::new(FailureKind::Exited, "stdin is closed"));
        };
        let write = async {
            stdin.write_all(&line).await?;
            stdin.flush().await
        };
        match tokio::time::timeout_at(deadline, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Failure::new(
                FailureKind::Exited,
                "the server closed its stdin",
            )),
            Err(_) => Err(Failure::new(
                FailureKind::Timeout,
                "the server stopped reading its stdin",
            )
            .hint("the server is hung; run it by hand, or raise `timeout`")),
        }
    }

    fn timeout_failure(&self, method: &str, timeout: Duration) -> Failure {
        let after = humantime::format_duration(timeout);
        let stray = self.stray.load(std::sync::atomic::Ordering::Relaxed);
        if !self.saw_message && stray > 0 {
            Failure::new(
                FailureKind::Garbage,
                format!(
                    "the server printed {} on stdout and no JSON-RPC answer within {after}",
                    crate::output::plural(
                        usize::try_from(stray).unwrap_or(usize::MAX),
                        "non-JSON line",
                        "non-JSON lines"
                    )
                ),
            )
            .hint("stdout must carry only JSON-RPC; make the server log to stderr")
        } else if !self.saw_message && self.launcher && method == "initialize" {
            Failure::new(
                FailureKind::LauncherTimeout,
                format!("the launcher had not started the server after {after}; it is probably still fetching the package"),
            )
            .hint("set prefer_offline = true to use the launcher's cache, or raise startup_timeout")
        } else {
            Failure::new(
                FailureKind::Timeout,
                format!("no answer to {method} within {after}"),
            )
            .hint("the server is hung or overloaded; run it by hand, or raise `timeout`")
        }
    }
}

impl Session for StdioSession {
    async fn request(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, CallError> {
        if let Some(f) = &self.ended {
            return Err(f.clone().into());
        }
        let id = self.next_id;
        self.next_id += 1;
        let deadline = tokio::time::Instant::now() + timeout;
        self.send(&jsonrpc::request(id, method, &params), deadline)
            .await?;
        loop {
            let event = match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Err(_) => return Err(self.timeout_failure(method, timeout).into()),
                Ok(None | Some(Event::Eof)) => Event::Eof,
                Ok(Some(e)) => e,
            };
            let failure = match event {
                Event::Message(msg) => {
                    self.saw_message = true;
                    match jsonrpc::classify(msg) {
                        Incoming::Response { id: got, result } if got == id => {
                            return result.map_err(CallError::Rpc);
                        }
                        Incoming::Request { id } => {
                            self.send(&jsonrpc::method_not_found(&id), deadline).await?;
                            continue;
                        }
                        Incoming::Response { .. } | Incoming::Notification | Incoming::Invalid => {
                            continue;
                        }
                    }
                }
                Event::Eof => Failure::new(FailureKind::Exited, "the server exited"),
                Event::TooLong => Failure::new(
                    FailureKind::Garbage,
                    format!(
                        "the server wrote a stdout line longer than {} MiB",
                        MAX_LINE >> 20
                    ),
                )
                .hint("stdout must carry only JSON-RPC; make the server log to stderr"),
                Event::Flood { lines, bytes } => Failure::new(
                    FailureKind::Garbage,
                    format!(
                        "the server flooded stdout with {lines} non-JSON lines ({bytes} bytes)"
                    ),
                )
                .hint("stdout must carry only JSON-RPC; make the server log to stderr"),
            };
            self.ended = Some(failure.clone());
            return Err(failure.into());
        }
    }

    async fn notify(&mut self, method: &str, timeout: Duration) -> Result<(), Failure> {
        let deadline = tokio::time::Instant::now() + timeout;
        self.send(&jsonrpc::notification(method), deadline).await
    }
}
