//! One server's way back: guards first, then each configured step, re-probing after each until
//! the server answers or the step's settle time runs out.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Serialize;

use super::actions::{self, Done};
use super::audit::{self, Event, Outcome, Record};
use super::guard::{self, Guard};
pub(crate) use super::held::Held;
use crate::config::{RecoverPolicy, RecoverStep, ServerConfig};
use crate::health::{self, ServerReport, ServerStatus};
use crate::probe::FailureKind;
use crate::redact::Redactor;

/// Restores a backup target: `(target, only_if_invalid)` → `Ok(Some(detail))` when files were
/// written, `Ok(None)` when nothing needed restoring.
pub(crate) type RestoreFn<'a> =
    &'a (dyn Fn(&str, bool) -> Result<Option<String>, super::RestoreError> + Sync);

/// What recovery did for one server, for the report.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct Recovery {
    pub name: String,
    pub critical: bool,
    /// The state that started the ladder.
    pub initial: ServerStatus,
    pub initial_error: Option<String>,
    /// The state after the last step.
    #[serde(rename = "final")]
    pub final_status: ServerStatus,
    pub final_error: Option<String>,
    /// It was failing and is healthy now.
    pub recovered: bool,
    pub time_to_recover_ms: Option<u64>,
    /// Why no step ran (or why the ladder stopped early).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<Held>,
    /// With --dry-run: the steps that would run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<String>,
    pub actions: Vec<Record>,
    /// Actions left in the current window.
    pub budget_left: Option<u32>,
    pub breaker_open: bool,
    /// The last probe, which the health-check report shows as the server's final state.
    #[serde(skip)]
    pub report: ServerReport,
}

fn failing(r: &ServerReport) -> bool {
    matches!(r.status, ServerStatus::Unhealthy | ServerStatus::Unknown)
}

fn error_text(r: &ServerReport) -> Option<String> {
    r.error
        .as_ref()
        .map(|e| format!("{}: {}", e.kind.as_str(), e.message))
}

/// What every ladder of a run shares.
pub(crate) struct Context<'a> {
    pub opts: &'a health::Options,
    pub state_dir: &'a Path,
    pub restore: RestoreFn<'a>,
    pub dry_run: bool,
    /// The run's deadline bounds the whole ladder: steps, settling and re-probes.
    pub deadline: tokio::time::Instant,
}

struct Ladder<'a> {
    server: &'a ServerConfig,
    policy: &'a RecoverPolicy,
    ctx: &'a Context<'a>,
    out: Recovery,
}

/// Runs the ladder for `server`, whose probe just gave `first`.
pub(crate) async fn recover(
    server: &ServerConfig,
    first: ServerReport,
    ctx: &Context<'_>,
) -> Recovery {
    let state_dir = ctx.state_dir;
    let dry_run = ctx.dry_run;
    let mut out = Recovery {
        name: server.name.clone(),
        critical: server.critical,
        initial: first.status,
        initial_error: error_text(&first),
        final_status: first.status,
        final_error: error_text(&first),
        recovered: false,
        time_to_recover_ms: None,
        held: None,
        plan: Vec::new(),
        actions: Vec::new(),
        budget_left: None,
        breaker_open: false,
        report: first,
    };
    let Some(policy) = server.recover.as_ref() else {
        out.held = Some(if failing(&out.report) {
            Held::NoPolicy
        } else {
            Held::NotFailing
        });
        return out;
    };
    let now = Utc::now();
    let mut run = Ladder {
        server,
        policy,
        ctx,
        out,
    };
    let mut g = match guard::load(state_dir, &server.name) {
        Ok(g) => g,
        Err(e) => {
            run.out.held = Some(Held::GuardUnreadable);
            run.event(Event::GuardUnreadable, &e.to_string());
            return run.out;
        }
    };
    let before = g.clone();
    g.refresh(now, policy);
    if failing(&run.out.report) {
        g.seen_failing();
        if let Some(blocked) = g.blocked() {
            run.out.held = Some(blocked.held());
            run.event(blocked.event(), &blocked.explain(&server.name));
        } else if dry_run {
            run.out.held = Some(Held::DryRun);
            run.out.plan = plan(policy, &g);
        } else {
            run.climb(&mut g).await;
        }
    } else {
        run.out.held = Some(Held::NotFailing);
        if policy.steps.contains(&RecoverStep::RollbackImage)
            && let Some(name) = &server.container
            && let Some(image) = super::rollback::current_image(name, server.timeout).await
        {
            g.seen_good_image(&image);
        }
        if g.seen_healthy(now, policy.close_after) {
            run.event(
                Event::BreakerClosed,
                "healthy for the configured close_after period",
            );
        }
    }
    if !dry_run
        && g != before
        && let Err(e) = guard::save(state_dir, &server.name, &g)
    {
        run.out.held = Some(Held::GuardUnreadable);
        run.event(Event::GuardUnreadable, &e.to_string());
    }
    run.out.budget_left = Some(g.budget_left(policy));
    run.out.breaker_open = g.breaker_opened.is_some();
    run.out
}

fn plan(policy: &RecoverPolicy, g: &Guard) -> Vec<String> {
    let mut left = g.budget_left(policy);
    policy
        .steps
        .iter()
        .map(|step| {
            let name = step.as_str();
            if left == 0 {
                format!("{name}: not run, the attempt budget is spent (the breaker would open)")
            } else {
                left -= 1;
                match step {
                    RecoverStep::RestoreConfig => format!(
                        "{name}: restore {} if its files fail validation or the probe blames the config",
                        policy.restore_target.as_deref().unwrap_or("?")
                    ),
                    RecoverStep::Command => format!("{name}: run {:?}", policy.command),
                    _ => name.to_owned(),
                }
            }
        })
        .collect()
}

impl Ladder<'_> {
    async fn climb(&mut self, g: &mut Guard) {
        let started = Instant::now();
        for &step in &self.policy.steps {
            if g.budget_left(self.policy) == 0 {
                break;
            }
            if tokio::time::Instant::now() >= self.ctx.deadline {
                self.out.held = Some(Held::Deadline);
                self.event(
                    Event::Deadline,
                    "the run's deadline came before the next step; raise --deadline to climb further",
                );
                return;
            }
            let t0 = Instant::now();
            // Counted and saved before acting: a run killed mid-action still spent it. A guard
            // that cannot be saved stops the ladder: the budget would not hold across runs.
            g.attempts.push(Utc::now());
            if let Err(e) = guard::save(self.ctx.state_dir, &self.server.name, g) {
                g.attempts.pop();
                self.out.held = Some(Held::GuardUnreadable);
                self.event(Event::GuardUnreadable, &e.to_string());
                return;
            }
            let inflight = audit::InFlight::start(self.ctx.state_dir, &self.server.name, step);
            let done = match tokio::time::timeout_at(self.ctx.deadline, self.act(step, g)).await {
                Ok(done) => done,
                Err(_) => Done::Failed("the run's deadline ended the step".into()),
            };
            let (outcome, detail) = match done {
                Done::Skipped(why) => {
                    // Nothing was done: the attempt is given back.
                    g.attempts.pop();
                    (Outcome::Skipped, why)
                }
                Done::Failed(why) => (Outcome::Failed, why),
                Done::Acted(what) => {
                    if self.settle().await {
                        (Outcome::Succeeded, what)
                    } else {
                        (Outcome::Tried, what)
                    }
                }
            };
            inflight.finish();
            self.record(Some(step), None, outcome, &detail, t0.elapsed());
            if outcome == Outcome::Succeeded {
                self.out.recovered = true;
                self.out.time_to_recover_ms =
                    Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
                return;
            }
        }
        if g.budget_left(self.policy) == 0 {
            g.open(
                Utc::now(),
                format!(
                    "{} actions within {} did not bring it back",
                    self.policy.max_attempts,
                    humantime::format_duration(self.policy.window)
                ),
            );
            let why = g
                .blocked()
                .map(|b| b.explain(&self.server.name))
                .unwrap_or_default();
            self.event(Event::BreakerOpen, &why);
        }
    }

    async fn act(&self, step: RecoverStep, g: &Guard) -> Done {
        match step {
            RecoverStep::RestoreConfig => self.restore_config(),
            RecoverStep::RestartContainer => match &self.server.container {
                Some(name) => {
                    actions::restart_container(name, self.policy.stop_timeout, self.server.timeout)
                        .await
                }
                None => Done::Skipped("the server has no container".into()),
            },
            RecoverStep::Command => {
                actions::run_command(
                    &self.policy.command,
                    self.policy.command_timeout,
                    &self.redactor(),
                )
                .await
            }
            RecoverStep::Wait => Done::Acted("waited for it to come back by itself".into()),
            RecoverStep::RollbackImage => self.rollback_image(g).await,
        }
    }

    /// The configured image, else the newest one it was healthy on that it does not run now.
    async fn rollback_image(&self, g: &Guard) -> Done {
        let Some(name) = &self.server.container else {
            return Done::Skipped("the server has no container".into());
        };
        let current = super::rollback::current_image(name, self.server.timeout).await;
        let previous = self.policy.rollback_image.clone().or_else(|| {
            g.good_images
                .iter()
                .rev()
                .find(|i| Some(*i) != current.as_ref())
                .cloned()
        });
        let Some(previous) = previous else {
            return Done::Skipped(format!(
                "no previous image known for {name}: set `rollback_image`, or let health-check --recover see it healthy first"
            ));
        };
        super::rollback::rollback(
            name,
            &previous,
            self.policy.stop_timeout,
            self.server.timeout,
        )
        .await
    }

    /// Only when the files are broken, or the probe's error points at the config: restoring a
    /// good config over a server that crashed for another reason would lose recent edits.
    fn restore_config(&self) -> Done {
        let Some(target) = self.policy.restore_target.as_deref() else {
            return Done::Skipped("no restore_target".into());
        };
        let blames_config = self
            .out
            .report
            .error
            .as_ref()
            .is_some_and(|e| matches!(e.kind, FailureKind::Config | FailureKind::Credentials));
        match (self.ctx.restore)(target, !blames_config) {
            Ok(Some(detail)) => Done::Acted(detail),
            Ok(None) => Done::Skipped(format!(
                "the files of {target} are valid and the probe does not blame them"
            )),
            Err(e) => Done::Failed(format!("restoring {target} failed: {e}")),
        }
    }

    fn redactor(&self) -> Redactor {
        health::redactor_for(self.server, &self.ctx.opts.defaults)
    }

    /// Re-probes with capped exponential backoff and jitter until healthy, `settle` is spent or
    /// the run's deadline comes.
    async fn settle(&mut self) -> bool {
        let start = Instant::now();
        let deadline = self.ctx.deadline;
        let mut delay = self.policy.backoff_initial;
        loop {
            let jittered = delay.mul_f64(0.5 + fastrand::f64() * 0.5);
            if tokio::time::Instant::now() + jittered >= deadline {
                return false;
            }
            tokio::time::sleep(jittered).await;
            let Ok(report) =
                tokio::time::timeout_at(deadline, health::check(self.server, self.ctx.opts)).await
            else {
                return false;
            };
            self.out.final_status = report.status;
            self.out.final_error = error_text(&report);
            self.out.report = report;
            if !failing(&self.out.report) {
                return true;
            }
            if start.elapsed() + delay >= self.policy.settle {
                return false;
            }
            delay = (delay * 2).min(self.policy.backoff_max);
        }
    }

    fn event(&mut self, event: Event, detail: &str) {
        self.record(None, Some(event), Outcome::Skipped, detail, Duration::ZERO);
    }

    fn record(
        &mut self,
        step: Option<RecoverStep>,
        event: Option<Event>,
        outcome: Outcome,
        detail: &str,
        took: Duration,
    ) {
        let record = Record {
            time: Utc::now(),
            server: self.server.name.clone(),
            step,
            event,
            outcome,
            detail: self.redactor().redact(detail),
            duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        };
        // A dry run touches nothing, the audit included.
        if !self.ctx.dry_run
            && let Err(e) = audit::append(self.ctx.state_dir, &record)
        {
            tracing::warn!("cannot append to the recovery audit: {e}");
        }
        self.out.actions.push(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server whose only step is a command that leaves a mark and fails: a failed step is
    /// not settled (no re-probe), so the ladder runs without a server to talk to.
    struct Fixture {
        dir: tempfile::TempDir,
        server: ServerConfig,
        opts: health::Options,
    }

    impl Fixture {
        fn new(max_attempts: u32) -> Self {
            let dir = tempfile::tempdir().unwrap();
            let marks = dir.path().join("marks");
            let config = dir.path().join("mcpctl.toml");
            std::fs::write(
                &config,
                format!(
                    "[servers.dead]\ncommand = \"python3\"\nargs = [\"-c\", \"pass\"]\n\
                     [servers.dead.recover]\nsteps = [\"command\", \"command\"]\n\
                     command = [\"sh\", \"-c\", \"echo x >> {}; exit 1\"]\n\
                     max_attempts = {max_attempts}\nwindow = \"1h\"\nclose_after = \"10m\"\n",
                    marks.display()
                ),
            )
            .unwrap();
            let settings = crate::config::load(&config).unwrap();
            let server = settings.servers[0].clone();
            let opts = health::Options::new(&settings, false);
            Self { dir, server, opts }
        }

        fn state(&self) -> &Path {
            self.dir.path()
        }

        /// How many times the command ran.
        fn actions(&self) -> usize {
            std::fs::read_to_string(self.dir.path().join("marks")).map_or(0, |s| s.lines().count())
        }

        fn report(&self, status: ServerStatus) -> ServerReport {
            let mut r = health::disabled_report(&self.server);
            r.status = status;
            r
        }

        async fn recover(&self, status: ServerStatus, dry_run: bool) -> Recovery {
            let restore = |_: &str, _: bool| Ok(None);
            let ctx = Context {
                opts: &self.opts,
                state_dir: self.state(),
                restore: &restore,
                dry_run,
                deadline: tokio::time::Instant::now() + Duration::from_secs(30),
            };
            recover(&self.server, self.report(status), &ctx).await
        }

        fn guard(&self) -> Guard {
            guard::load(self.state(), "dead").unwrap()
        }

        fn save(&self, g: &Guard) {
            guard::save(self.state(), "dead", g).unwrap();
        }
    }

    fn events(r: &Recovery) -> Vec<&str> {
        r.actions
            .iter()
            .filter_map(|a| a.event.map(Event::as_str))
            .collect()
    }

    #[tokio::test]
    async fn a_spent_budget_opens_the_breaker_and_the_next_run_acts_on_nothing() {
        let f = Fixture::new(1);
        let r = f.recover(ServerStatus::Unhealthy, false).await;
        // One attempt allowed: the second step is never tried.
        assert_eq!(f.actions(), 1);
        assert_eq!(r.actions[0].outcome, Outcome::Failed);
        assert_eq!(events(&r), ["breaker_open"]);
        assert!(r.breaker_open);
        assert_eq!(r.budget_left, Some(0));
        assert!(f.guard().breaker_opened.is_some());

        let r = f.recover(ServerStatus::Unhealthy, false).await;
        assert_eq!(f.actions(), 1);
        assert_eq!(r.held, Some(Held::BreakerOpen));
        assert_eq!(events(&r), ["breaker_open"]);
    }

    #[tokio::test]
    async fn budget_left_keeps_the_breaker_closed() {
        let f = Fixture::new(5);
        let r = f.recover(ServerStatus::Unhealthy, false).await;
        assert_eq!(f.actions(), 2);
        assert!(!r.breaker_open);
        assert_eq!(r.budget_left, Some(3));
        assert_eq!(f.guard().attempts.len(), 2);
    }

    #[tokio::test]
    async fn a_pause_blocks_every_step() {
        let f = Fixture::new(5);
        f.save(&Guard {
            paused_until: Some(Utc::now() + chrono::Duration::hours(1)),
            ..Guard::default()
        });
        let r = f.recover(ServerStatus::Unhealthy, false).await;
        assert_eq!(f.actions(), 0);
        assert_eq!(r.held, Some(Held::Paused));
        assert_eq!(events(&r), ["paused"]);
    }

    #[tokio::test]
    async fn an_expired_pause_lets_the_ladder_climb() {
        let f = Fixture::new(5);
        f.save(&Guard {
            paused_until: Some(Utc::now() - chrono::Duration::seconds(1)),
            ..Guard::default()
        });
        let r = f.recover(ServerStatus::Unhealthy, false).await;
        assert_eq!(f.actions(), 2);
        assert_eq!(r.held, None);
        assert_eq!(f.guard().paused_until, None);
    }

    #[tokio::test]
    async fn an_unreadable_guard_fails_closed() {
        let f = Fixture::new(5);
        std::fs::create_dir_all(f.state().join("recover")).unwrap();
        std::fs::write(guard::path(f.state(), "dead"), b"{not json").unwrap();
        let r = f.recover(ServerStatus::Unhealthy, false).await;
        assert_eq!(f.actions(), 0);
        assert_eq!(r.held, Some(Held::GuardUnreadable));
        assert_eq!(events(&r), ["guard_unreadable"]);
        // Left for a person: not rewritten as a fresh guard.
        assert_eq!(
            std::fs::read(guard::path(f.state(), "dead")).unwrap(),
            b"{not json"
        );
        let (status, _) = super::super::verdict::verdict(&[r]);
        assert_eq!(status, crate::exit::Status::Critical);
    }

    #[tokio::test]
    async fn a_healthy_server_closes_its_breaker_after_close_after() {
        let f = Fixture::new(1);
        let opened = Utc::now() - chrono::Duration::hours(1);
        f.save(&Guard {
            breaker_opened: Some(opened),
            breaker_reason: Some("spent".into()),
            ..Guard::default()
        });
        // The first healthy sighting starts the clock; the breaker stays open.
        let r = f.recover(ServerStatus::Healthy, false).await;
        assert_eq!(r.held, Some(Held::NotFailing));
        assert!(r.breaker_open);
        assert!(f.guard().healthy_since.is_some());
        assert!(events(&r).is_empty());

        // Healthy for longer than close_after: closed, and said so.
        let mut g = f.guard();
        g.healthy_since = Some(Utc::now() - chrono::Duration::minutes(11));
        f.save(&g);
        let r = f.recover(ServerStatus::Healthy, false).await;
        assert!(!r.breaker_open);
        assert_eq!(events(&r), ["breaker_closed"]);
        assert_eq!(f.guard().breaker_opened, None);
        assert_eq!(f.actions(), 0);
    }

    #[tokio::test]
    async fn a_failing_probe_restarts_the_close_after_clock() {
        let f = Fixture::new(1);
        f.save(&Guard {
            breaker_opened: Some(Utc::now()),
            healthy_since: Some(Utc::now() - chrono::Duration::minutes(9)),
            ..Guard::default()
        });
        let r = f.recover(ServerStatus::Unhealthy, false).await;
        assert_eq!(r.held, Some(Held::BreakerOpen));
        assert_eq!(f.guard().healthy_since, None);
    }

    #[tokio::test]
    async fn a_dry_run_plans_within_the_budget_and_touches_nothing() {
        let f = Fixture::new(1);
        let r = f.recover(ServerStatus::Unhealthy, true).await;
        assert_eq!(r.held, Some(Held::DryRun));
        assert_eq!(r.plan.len(), 2);
        assert!(r.plan[0].starts_with("command: run"), "{:?}", r.plan);
        assert!(r.plan[1].contains("budget is spent"), "{:?}", r.plan);
        assert_eq!(f.actions(), 0);
        assert!(!f.state().join("recover").exists());
    }

    #[tokio::test]
    async fn without_a_ladder_a_failing_server_is_held_for_no_policy() {
        let mut f = Fixture::new(1);
        f.server.recover = None;
        let r = f.recover(ServerStatus::Unknown, false).await;
        assert_eq!(r.held, Some(Held::NoPolicy));
        let r = f.recover(ServerStatus::Healthy, false).await;
        assert_eq!(r.held, Some(Held::NotFailing));
        assert_eq!(f.actions(), 0);
    }
}
