//! Guardian mode, `health-check --watch`: a pass every interval and on every container event,
//! each stored as a report (passes with no change are thinned on disk), changes told once to
//! the notifiers and on stderr, a live view on a terminal. It ends with `--while-pid`'s process
//! (exit by the worst state seen) or on SIGINT or SIGTERM after the pass in flight (exit 130).

pub(crate) mod events;
mod flap;
pub(crate) mod pass;
pub(crate) mod pid;
pub(crate) mod tracker;
mod view;

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};
use crate::exit::Status;
use crate::notify::run::Run;
use crate::output::Envelope;

fn plural(n: u64, one: &str, many: &str) -> String {
    crate::output::plural(usize::try_from(n).unwrap_or(usize::MAX), one, many)
}
pub(crate) use pass::{Pass, Plan};
use tracker::{Change, Tracker};

/// Passes with no change are stored at most this often; every change is stored.
pub(crate) const THIN: Duration = Duration::from_secs(300);
/// How often the live view's 24-hour uptime is read again from the stored reports.
const UPTIME_EVERY: Duration = Duration::from_secs(300);

pub(crate) struct Options {
    pub every: Duration,
    pub while_pid: Option<u32>,
    /// Redraw one screen on stderr (a terminal); else one line per change.
    pub live: bool,
    /// `-q`: no lines on stderr.
    pub quiet: bool,
    pub job: crate::notify::Job,
}

/// How a watch ended.
#[derive(Debug)]
pub(crate) enum End {
    /// `--while-pid`'s process ended; the worst status seen (Ok, Warning or Critical).
    Exited(Status),
    Interrupted,
}

/// What a watch carries from pass to pass.
struct Watch<'a> {
    plan: &'a Plan,
    opts: &'a Options,
    tracker: Tracker,
    /// The run whose start ping the command sent; the first change (or the end) closes it.
    first: Option<Run>,
    last_kept: Option<std::time::Instant>,
    uptime: HashMap<String, f64>,
    uptime_read: Option<std::time::Instant>,
    stream: Option<String>,
    fallback: Option<String>,
    /// Since when fallback mode has been on, and how long it was on before.
    fallback_since: Option<std::time::Instant>,
    in_fallback: Duration,
}

/// The servers with a container, by container name.
fn containers(plan: &Plan) -> std::collections::BTreeMap<String, String> {
    plan.servers
        .iter()
        .filter_map(|s| Some((s.container.clone()?, s.name.clone())))
        .collect()
}

/// Refuses what cannot be watched, before anything starts.
pub(crate) fn check(opts: &Options) -> Result<()> {
    if opts.every < Duration::from_secs(1) {
        return Err(Error::Usage(
            "--watch needs an interval of 1s or more".into(),
        ));
    }
    if let Some(pid) = opts.while_pid.filter(|p| !pid::alive(*p)) {
        return Err(Error::Usage(format!(
            "--while-pid {pid}: no such process; start the watch after the process it guards"
        )));
    }
    Ok(())
}

pub(crate) async fn watch(plan: &Plan, opts: &Options, first: Option<Run>) -> Result<End> {
    let stop = CancellationToken::new();
    let signals = tokio::spawn(on_signal(stop.clone()));
    let (tx, mut rx) = mpsc::channel(64);
    let names = containers(plan);
    let follower = (!names.is_empty()).then(|| tokio::spawn(events::follow(names, tx)));
    let mut w = Watch {
        plan,
        opts,
        tracker: Tracker::default(),
        first,
        last_kept: None,
        uptime: HashMap::new(),
        uptime_read: None,
        stream: None,
        fallback: None,
        fallback_since: None,
        in_fallback: Duration::ZERO,
    };
    let pid_gone = async {
        match opts.while_pid {
            Some(pid) => pid::gone(pid).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(pid_gone);
    let end = loop {
        let pass = w.pass(&stop).await?;
        if stop.is_cancelled() {
            break End::Interrupted;
        }
        let next = tokio::time::Instant::now() + opts.every;
        // Until the next pass is due: container events, the stream's news, the end.
        let again = loop {
            tokio::select! {
                () = tokio::time::sleep_until(next) => break true,
                () = stop.cancelled() => break false,
                () = &mut pid_gone => break false,
                Some(notice) = rx.recv() => {
                    if w.notice(notice) {
                        break true;
                    }
                }
            }
        };
        if !again {
            break if stop.is_cancelled() {
                End::Interrupted
            } else {
                w.close(&pass).await;
                End::Exited(w.tracker.worst.unwrap_or(Status::Ok))
            };
        }
    };
    signals.abort();
    if let Some(f) = follower {
        f.abort();
    }
    if opts.live {
        eprintln!();
    }
    if !opts.quiet {
        eprintln!("{}", w.summary());
    }
    Ok(end)
}

/// SIGINT or SIGTERM: the pass in flight ends its probes (their children killed) and is stored.
async fn on_signal(stop: CancellationToken) {
    crate::signal::interrupted().await;
    stop.cancel();
}

impl Watch<'_> {
    /// One pass, stored, told and drawn. Returns its report's status and summary.
    async fn pass(&mut self, stop: &CancellationToken) -> Result<(Status, String)> {
        let started = Utc::now();
        let pass = pass::run(self.plan, stop).await;
        let Pass {
            body,
            status,
            summary,
        } = match pass {
            Ok(p) => p,
            // Every server is held by another run: nothing to say this time.
            Err(e) if pass::is_locked(&e) => {
                tracing::info!("{e}");
                return Ok((Status::Ok, String::new()));
            }
            Err(e) => return Err(e),
        };
        let changes = if body.interrupted {
            Vec::new()
        } else {
            self.tracker
                .observe(status, &body.servers, &body.recovery, Utc::now())
        };
        let fallback = crate::emergency::load(&self.plan.state_dir)
            .active
            .then(|| "fallback mode on (see mcpctl emergency --status)".to_owned());
        let mode_changed = fallback.is_some() != self.fallback.is_some();
        match (&fallback, self.fallback_since) {
            (Some(_), None) => self.fallback_since = Some(std::time::Instant::now()),
            (None, Some(since)) => {
                self.in_fallback += since.elapsed();
                self.fallback_since = None;
            }
            _ => {}
        }
        self.fallback = fallback;
        let env = Envelope::new("health-check", started, status, summary.clone(), body);
        let mut value = serde_json::to_value(&env).expect("reports serialize");
        if changes.iter().any(Change::told) {
            self.notify(&env, &mut value, &changes).await;
        }
        let keep = !changes.is_empty()
            || env.body.interrupted
            || self.last_kept.is_none_or(|t| t.elapsed() >= THIN);
        let json = serde_json::to_vec_pretty(&value).expect("reports serialize");
        crate::state::reports::save_pass(
            &self.plan.state_dir,
            "health-check",
            started,
            &json,
            keep,
        )?;
        if keep {
            self.last_kept = Some(std::time::Instant::now());
        }
        self.show(&changes);
        if mode_changed {
            let text = if self.fallback.is_some() {
                "fallback mode on: the pipeline's env file says which servers to go around"
            } else {
                "fallback mode off: every critical server answers over MCP again"
            };
            self.line(text);
            self.redraw();
        }
        Ok((status, summary))
    }

    /// The watch in one line, for the hook that ran it.
    fn summary(&self) -> String {
        let fallback =
            self.in_fallback + self.fallback_since.map_or(Duration::ZERO, |s| s.elapsed());
        let t = &self.tracker;
        format!(
            "mcpctl health-check --watch ended: {}, {}, {}, {} in fallback mode",
            plural(t.passes, "pass", "passes"),
            plural(t.incidents, "incident", "incidents"),
            plural(t.recoveries, "recovery", "recoveries"),
            humantime::format_duration(Duration::from_secs(fallback.as_secs()))
        )
    }

    async fn notify(
        &mut self,
        env: &Envelope<crate::reports::health_check::Body>,
        value: &mut serde_json::Value,
        changes: &[Change],
    ) {
        let run = match self.first.take() {
            Some(run) => run,
            None => {
                Run::begin(
                    &self.plan.settings.notify,
                    self.opts.job,
                    &self.plan.state_dir,
                    true,
                )
                .await
            }
        };
        let lines: Vec<String> = changes
            .iter()
            .filter(|c| c.told())
            .map(Change::line)
            .collect();
        let summary = format!("{}; {}", lines.join("; "), env.summary);
        let outcome = crate::notify::Outcome {
            command: &env.command,
            job: self.opts.job,
            status: env.status,
            exit_code: env.exit_code,
            summary: &summary,
            problems: &lines,
            report: value,
        };
        let (texts, untold) = run.finish(&outcome).await;
        if !texts.is_empty() {
            value["notifications"] = serde_json::json!(texts);
        }
        crate::notify::tell(Some(&self.plan.state_dir), &untold);
    }

    /// A watch that saw no change closes the start ping with its last pass.
    async fn close(&mut self, last: &(Status, String)) {
        let Some(run) = self.first.take() else {
            return;
        };
        let value = serde_json::json!({});
        let outcome = crate::notify::Outcome {
            command: "health-check",
            job: self.opts.job,
            status: last.0,
            exit_code: last.0.code().as_u8(),
            summary: &last.1,
            problems: &[],
            report: &value,
        };
        let (_, untold) = run.finish(&outcome).await;
        crate::notify::tell(Some(&self.plan.state_dir), &untold);
    }

    /// A container event triggers a pass now (`true`); the stream's own news is only told.
    fn notice(&mut self, notice: events::Notice) -> bool {
        let now = Utc::now();
        match notice {
            events::Notice::Container {
                server,
                container,
                action,
            } => {
                self.tracker
                    .event(now, format!("{server}: container {container}: {action}"));
                true
            }
            events::Notice::Connected => {
                if self.stream.take().is_some() {
                    self.line("container events: the stream is back");
                }
                false
            }
            events::Notice::Dropped { why, retry } => {
                let text = format!(
                    "container events: {why}; trying again in {}, passes go on every {}",
                    humantime::format_duration(retry),
                    humantime::format_duration(self.opts.every)
                );
                if self.stream.is_none() {
                    self.line(&text);
                }
                self.stream = Some(text);
                self.redraw();
                false
            }
        }
    }

    fn show(&mut self, changes: &[Change]) {
        if self.opts.live {
            self.redraw();
            return;
        }
        for c in changes {
            self.line(&c.line());
        }
    }

    fn line(&mut self, text: &str) {
        self.tracker.event(Utc::now(), text.to_owned());
        if self.opts.quiet || self.opts.live {
            return;
        }
        eprintln!(
            "{} mcpctl health-check --watch: {}",
            Utc::now().format("%Y-%m-%dT%H:%M:%SZ"),
            crate::output::printable(text)
        );
    }

    fn redraw(&mut self) {
        if !self.opts.live {
            return;
        }
        if self.uptime_read.is_none_or(|t| t.elapsed() >= UPTIME_EVERY) {
            self.uptime = uptime(self.plan);
            self.uptime_read = Some(std::time::Instant::now());
        }
        let extra = view::Extra {
            every: self.opts.every,
            uptime: &self.uptime,
            fallback: self.fallback.as_deref(),
            stream: self.stream.as_deref(),
        };
        let screen = view::screen(&self.tracker, &extra, Utc::now());
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(screen.as_bytes());
        let _ = err.flush();
    }
}

/// Each server's uptime over the last 24 hours, from the stored reports.
fn uptime(plan: &Plan) -> HashMap<String, f64> {
    let to = Utc::now();
    let opts = crate::report::Options {
        from: to - chrono::Duration::hours(24),
        to,
        servers: Vec::new(),
        configured_servers: plan.servers.iter().map(|s| s.name.clone()).collect(),
        current_servers: None,
        configured_targets: Vec::new(),
        settings: plan.settings.report,
    };
    crate::report::compute(&plan.state_dir, &opts, &|_| Vec::new())
        .servers
        .into_iter()
        .filter_map(|s| Some((s.name, s.uptime_pct?)))
        .collect()
}
