//! The actions. Each is off unless `[mcp_server] allow` names it, and takes two calls: the first
//! computes the plan exactly as the subcommand's dry run does and returns it with a token bound
//! to the action, the target and the plan's digest; the second, under the run lock, computes the
//! plan again, redeems the token against it, asks the person through elicitation when the
//! client can, writes the audit, and only then acts through the same domain call.

use chrono::Utc;
use rmcp::RoleServer;
use rmcp::service::{ElicitationError, RequestContext};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::audit::{self, Client, Entry};
use super::confirm::{self, ttl};
use super::read::{self, emergency_summary};
use super::tools::{
    ActionOut, ConfirmArgs, EmergencyOut, FingerprintActionArgs, FixOut, RecoverArgs, RestoreArgs,
    Stage,
};
use super::{Answer, Refusal, Shared, answer};
use crate::backup::restore::{self as restoring, Body as RestoreBody, Change};
use crate::exit::Status;
use crate::heal::{self, Held, Recovery};
use crate::health::ServerStatus;
use crate::state::{Records, Resource};

/// A plan, ready to be offered or checked against a token.
struct Planned<T> {
    target: String,
    status: Status,
    summary: String,
    digest: String,
    /// Nothing would be done: no token is issued.
    nothing: bool,
    details: T,
}

fn allowed(s: &Shared, action: &str) -> Result<(), Refusal> {
    if s.settings.mcp_server.allow.iter().any(|a| a == action) {
        return Ok(());
    }
    let file = s
        .settings
        .file
        .as_ref()
        .map_or_else(|| "the config file".to_owned(), |p| p.display().to_string());
    Err(Refusal(format!(
        "`{action}` is not allowed: to let clients take it, add \"{action}\" to the config key `mcp_server.allow` ([mcp_server] allow = [\"{action}\"] in {file}) and restart `mcpctl mcp-server`"
    )))
}

fn client(ctx: &RequestContext<RoleServer>) -> Client {
    let info = ctx.client_info();
    Client {
        name: info
            .as_ref()
            .map_or_else(|| "unknown".to_owned(), |i| i.name.clone()),
        version: info.map_or_else(|| "unknown".to_owned(), |i| i.version),
    }
}

/// One audit line for a step of `tool` on `target`.
struct Step<'a> {
    client: &'a Client,
    tool: &'a str,
    target: &'a str,
    digest: &'a str,
}

impl Step<'_> {
    fn record(&self, s: &Shared, stage: &str, outcome: &str, summary: &str) -> std::io::Result<()> {
        audit::append(
            &s.state_dir,
            &Entry {
                time: Utc::now(),
                client: self.client,
                tool: self.tool,
                target: self.target,
                stage,
                plan_digest: Some(self.digest),
                outcome,
                summary: s.redactor.redact(summary),
            },
        )
    }

    /// For steps whose audit line must not stop the answer: a failure is logged.
    fn note(&self, s: &Shared, stage: &str, outcome: &str, summary: &str) {
        if let Err(e) = self.record(s, stage, outcome, summary) {
            tracing::warn!("cannot append to the mcp-server audit: {e}");
        }
    }
}

/// The first call's answer: the plan, and a token unless there is nothing to do.
fn offer<T: Serialize>(
    s: &Shared,
    ctx: &RequestContext<RoleServer>,
    action: &str,
    planned: Planned<T>,
) -> Answer {
    let token = if planned.nothing {
        None
    } else {
        Some(
            s.tokens
                .mint(action, &planned.target, &planned.digest)
                .map_err(|e| Refusal(e.to_string()))?,
        )
    };
    let outcome = if token.is_some() {
        "offered"
    } else {
        "nothing_to_do"
    };
    let who = client(ctx);
    let step = Step {
        client: &who,
        tool: action,
        target: &planned.target,
        digest: &planned.digest,
    };
    step.note(s, "planned", outcome, &planned.summary);
    let text = if token.is_some() {
        format!(
            "PLAN, nothing done yet: {}. To act, show this plan to the person, then call {action} again with the same arguments and confirmation_token (single-use, valid {} s).",
            planned.summary,
            ttl().as_secs()
        )
    } else {
        format!("nothing to do: {}", planned.summary)
    };
    let out = ActionOut {
        action: action.to_owned(),
        target: planned.target,
        stage: Stage::Plan,
        status: planned.status,
        summary: planned.summary,
        plan_digest: planned.digest,
        expires_in_s: token.as_ref().map(|_| ttl().as_secs()),
        confirmation_token: token,
        details: planned.details,
    };
    Ok(answer(text, &out))
}

/// The second call's gate: the token against the plan computed now, the person (when the client
/// can ask), and the audit entry written before anything is done.
async fn confirm<T>(
    s: &Shared,
    ctx: &RequestContext<RoleServer>,
    action: &str,
    planned: &Planned<T>,
    token: &str,
) -> Result<(), Refusal> {
    let who = client(ctx);
    let step = Step {
        client: &who,
        tool: action,
        target: &planned.target,
        digest: &planned.digest,
    };
    let refuse = |outcome: &str, why: String| {
        step.note(s, "refused", outcome, &why);
        Refusal(why)
    };
    if let Err(r) = s
        .tokens
        .redeem(token, action, &planned.target, &planned.digest)
    {
        return Err(refuse(r.word(), r.explain().to_owned()));
    }
    if planned.nothing {
        return Err(refuse(
            "nothing_to_do",
            format!("nothing to do now: {}; nothing was done", planned.summary),
        ));
    }
    if let Err(why) = elicit(ctx, action, &planned.target, &planned.summary).await {
        return Err(refuse("declined", why.to_string()));
    }
    step.record(s, "confirmed", "acting", &planned.summary)
        .map_err(|e| {
            Refusal(format!(
                "cannot write the audit ({e}); an action that cannot be audited is not taken"
            ))
        })
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Confirmation {
    /// Let mcpctl act now.
    confirm: bool,
}
rmcp::elicit_safe!(Confirmation);

/// The person was asked and did not say yes.
#[derive(Debug, thiserror::Error)]
enum Unconfirmed {
    #[error("the person did not confirm when asked (elicitation); nothing was done")]
    Declined,
    #[error("asking the person to confirm failed ({0}); nothing was done")]
    Failed(#[source] ElicitationError),
}

/// Asks the person through the client, where the client can elicit. A client that cannot (or a
/// 2026-07-28 session, which has no server-to-client requests) still had the two steps.
async fn elicit(
    ctx: &RequestContext<RoleServer>,
    action: &str,
    target: &str,
    summary: &str,
) -> Result<(), Unconfirmed> {
    if ctx.protocol_version().is_some_and(|v| !v.has_initialize()) {
        return Ok(());
    }
    let message = format!("mcpctl {action} {target}: {summary}. Let mcpctl do this now?");
    match ctx
        .peer
        .elicit_with_timeout::<Confirmation>(message, Some(confirm::TTL))
        .await
    {
        Ok(Some(c)) if c.confirm => Ok(()),
        Err(ElicitationError::CapabilityNotSupported) => Ok(()),
        Ok(_) | Err(ElicitationError::UserDeclined | ElicitationError::UserCancelled) => {
            Err(Unconfirmed::Declined)
        }
        Err(e) => Err(Unconfirmed::Failed(e)),
    }
}

/// What an action did, for its answer and the audit.
struct Done<T> {
    digest: String,
    target: String,
    status: Status,
    summary: String,
    details: T,
}

fn finish<T: Serialize>(
    s: &Shared,
    ctx: &RequestContext<RoleServer>,
    action: &str,
    done: Done<T>,
) -> rmcp::model::CallToolResult {
    let who = client(ctx);
    Step {
        client: &who,
        tool: action,
        target: &done.target,
        digest: &done.digest,
    }
    .note(s, "done", done.status.label(), &done.summary);
    let text = format!("DONE: {}: {}", done.status.label(), done.summary);
    let out = ActionOut {
        action: action.to_owned(),
        target: done.target,
        stage: Stage::Done,
        status: done.status,
        summary: done.summary,
        plan_digest: done.digest,
        confirmation_token: None,
        expires_in_s: None,
        details: done.details,
    };
    answer(text, &out)
}

/// The confirmed (second) call holds the run lock from the plan it checks to the end of the
/// action; the first call only plans and waits for no other run.
async fn lock_if_confirmed(
    s: &Shared,
    confirmed: bool,
    resources: Vec<crate::state::Resource<'_>>,
) -> Result<Option<Vec<crate::state::RunLock>>, Refusal> {
    if !confirmed {
        return Ok(None);
    }
    Ok(Some(
        crate::state::acquire_all(&s.state_dir, resources, s.wait_lock).await?,
    ))
}

// ---- recover ----

fn failing(status: ServerStatus) -> bool {
    matches!(status, ServerStatus::Unhealthy | ServerStatus::Unknown)
}

pub(super) async fn recover(
    s: &Shared,
    ctx: &RequestContext<RoleServer>,
    args: RecoverArgs,
) -> Answer {
    const ACTION: &str = "recover";
    allowed(s, ACTION)?;
    let Some(server) = s.settings.servers.iter().find(|c| c.name == args.server) else {
        let known: Vec<&str> = s.settings.servers.iter().map(|c| c.name.as_str()).collect();
        return Err(Refusal(format!(
            "no configured server named `{}`; recovery acts only on [servers.NAME] of the config; known: {}",
            args.server,
            known.join(", ")
        )));
    };
    let _lock = lock_if_confirmed(
        s,
        args.confirmation_token.is_some(),
        vec![Resource::Server(&server.name)],
    )
    .await?;
    let (opts, budget) = read::probe_plan(s, false);
    let deadline = tokio::time::Instant::now() + budget;
    let first = crate::health::check_all(std::slice::from_ref(server), &opts, deadline)
        .await
        .pop()
        .expect("one report per server");
    let restore = heal::restorer(s.settings.backup.as_ref(), &s.state_dir);
    let mut hctx = heal::Context {
        opts: &opts,
        state_dir: &s.state_dir,
        restore: &restore,
        dry_run: true,
        deadline,
    };
    let plan = heal::recover(server, first.clone(), &hctx).await;
    let nothing = plan.held != Some(Held::DryRun);
    let digest = confirm::digest(&json!({
        "action": ACTION,
        "server": server.name,
        "initial": plan.initial,
        "held": plan.held,
        "plan": plan.plan,
        "budget_left": plan.budget_left,
        "breaker_open": plan.breaker_open,
    }));
    let summary = if nothing {
        format!(
            "{} is {}: {}",
            server.name,
            format!("{:?}", plan.initial).to_lowercase(),
            plan.held.map_or("no step would run", Held::label)
        )
    } else {
        format!(
            "{} is {} ({}); would run: {}",
            server.name,
            format!("{:?}", plan.initial).to_lowercase(),
            plan.initial_error.as_deref().unwrap_or("failing"),
            plan.plan.join("; ")
        )
    };
    let planned = Planned {
        target: server.name.clone(),
        status: if failing(plan.initial) && server.critical {
            Status::Critical
        } else if failing(plan.initial) {
            Status::Warning
        } else {
            Status::Ok
        },
        summary,
        digest,
        nothing,
        details: plan,
    };
    let Some(token) = args.confirmation_token.as_deref() else {
        return offer(s, ctx, ACTION, planned);
    };
    confirm(s, ctx, ACTION, &planned, token).await?;
    hctx.dry_run = false;
    let done = heal::recover(server, first, &hctx).await;
    let (status, summary) = recover_verdict(&done);
    Ok(finish(
        s,
        ctx,
        ACTION,
        Done {
            digest: planned.digest,
            target: planned.target,
            status,
            summary,
            details: done,
        },
    ))
}

fn recover_verdict(r: &Recovery) -> (Status, String) {
    let steps: Vec<String> = r
        .actions
        .iter()
        .map(|a| {
            let what = a
                .step
                .map(|s| format!("{s:?}"))
                .or_else(|| a.event.map(|e| e.as_str().to_owned()))
                .unwrap_or_default();
            format!("{what}: {:?}", a.outcome).to_lowercase()
        })
        .collect();
    let status = if r.held == Some(Held::GuardUnreadable) || (failing(r.final_status) && r.critical)
    {
        Status::Critical
    } else if failing(r.final_status) || r.final_status == ServerStatus::Degraded {
        Status::Warning
    } else {
        Status::Ok
    };
    let state = if r.recovered {
        "recovered".to_owned()
    } else {
        format!(
            "still {}{}",
            format!("{:?}", r.final_status).to_lowercase(),
            r.final_error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        )
    };
    (
        status,
        format!(
            "{}: {state}; actions: {}",
            r.name,
            if steps.is_empty() {
                "none".to_owned()
            } else {
                steps.join(", ")
            }
        ),
    )
}

// ---- restore ----

pub(super) async fn restore(
    s: &Shared,
    ctx: &RequestContext<RoleServer>,
    args: RestoreArgs,
) -> Answer {
    const ACTION: &str = "restore";
    allowed(s, ACTION)?;
    let cfg = s.settings.backup.clone().ok_or_else(|| {
        Refusal("no [backup] section in the config; see the README's backup example".into())
    })?;
    let target = crate::backup::select(&cfg, std::slice::from_ref(&args.target))
        .map_err(|e| Refusal(e.to_string()))?
        .remove(0);
    let _lock = lock_if_confirmed(
        s,
        args.confirmation_token.is_some(),
        vec![Resource::Target(&target.name)],
    )
    .await?;
    let run = |mode: restoring::Mode, at: Option<String>| {
        let (cfg, target, state_dir) = (cfg.clone(), target.clone(), s.state_dir.clone());
        async move {
            tokio::task::spawn_blocking(move || restore_now(&cfg, &target, mode, at, &state_dir))
                .await
                .map_err(|e| Refusal(format!("the restore stopped: {e}")))?
        }
    };
    let (status, summary, body) = run(restoring::Mode::DryRun, args.at.clone()).await?;
    let nothing = body.used.is_none()
        || body
            .files
            .iter()
            .all(|f| matches!(f.action, Change::Unchanged));
    let digest = confirm::digest(&json!({
        "action": ACTION,
        "target": target.name,
        "backup": body.used.as_ref().map(|u| &u.backup),
        "location": body.used.as_ref().map(|u| &u.location),
        "files": body.files.iter().map(|f| json!([f.path, f.action, f.changed_keys])).collect::<Vec<_>>(),
    }));
    let chosen = body
        .used
        .as_ref()
        .map(|u| u.backup.trim_end_matches(".tar.age").to_owned());
    let planned = Planned {
        target: target.name.clone(),
        status,
        summary,
        digest,
        nothing,
        details: body,
    };
    let Some(token) = args.confirmation_token.as_deref() else {
        return offer(s, ctx, ACTION, planned);
    };
    confirm(s, ctx, ACTION, &planned, token).await?;
    // The very copy the plan named, not whatever is newest by now.
    let (status, summary, body) = run(restoring::Mode::Write, chosen).await?;
    Ok(finish(
        s,
        ctx,
        ACTION,
        Done {
            digest: planned.digest,
            target: planned.target,
            status,
            summary,
            details: body,
        },
    ))
}

fn restore_now(
    cfg: &crate::config::BackupSettings,
    target: &crate::config::BackupTarget,
    mode: restoring::Mode,
    at: Option<String>,
    state_dir: &std::path::Path,
) -> Result<(Status, String, RestoreBody), Refusal> {
    let identities = crate::backup::keys::identities(cfg.identity.as_deref())
        .map_err(|e| Refusal(e.to_string()))?;
    let verifier = crate::backup::sign::Verifier::new(&crate::backup::sign::VerifySource {
        verify_keys: &cfg.verify_keys,
        signing_key: &cfg.signing_key,
    })
    .map_err(|e| Refusal(e.to_string()))?;
    let keys = restoring::Keys {
        identities: &identities,
        verifier: &verifier,
    };
    let opts = restoring::Options {
        mode,
        at,
        if_invalid: false,
        to: None,
        allow_unsigned: false,
    };
    restoring::restore(cfg, target, &opts, &keys, state_dir).map_err(|e| Refusal(e.0))
}

// ---- emergency ----

const CRITICAL_SERVERS: &str = "critical-servers";

pub(super) async fn emergency_on(
    s: &Shared,
    ctx: &RequestContext<RoleServer>,
    args: ConfirmArgs,
) -> Answer {
    const ACTION: &str = "emergency_on";
    allowed(s, ACTION)?;
    let critical = crate::emergency::critical_servers(&s.settings);
    if critical.is_empty() {
        return Err(Refusal(
            "no server is marked `critical = true`; emergency mode is only for those".into(),
        ));
    }
    let _lock = lock_if_confirmed(
        s,
        args.confirmation_token.is_some(),
        vec![Resource::Records(Records::Emergency)],
    )
    .await?;
    let (opts, budget) = read::probe_plan(s, false);
    let reports =
        crate::health::check_all(&critical, &opts, tokio::time::Instant::now() + budget).await;
    let modes = crate::emergency::modes(&critical, &reports, &s.settings.defaults).await;
    let previous = crate::emergency::load(&s.state_dir);
    let next = crate::emergency::next_state(&previous, &modes, Utc::now());
    let nothing = next.active == previous.active && next.modes == previous.modes;
    let digest = confirm::digest(&json!({
        "action": ACTION,
        "modes": next.modes,
    }));
    let details = EmergencyOut {
        active: next.active,
        since: next.since,
        updated: next.updated,
        env_file: crate::emergency::env_file(&s.settings, &s.state_dir),
        servers: modes,
    };
    let status = if details
        .servers
        .iter()
        .any(|m| m.mode == crate::emergency::Mode::Down)
    {
        Status::Critical
    } else if next.active {
        Status::Warning
    } else {
        Status::Ok
    };
    let summary = if nothing {
        format!(
            "the env file already says this: {}",
            emergency_summary(&details)
        )
    } else {
        format!("would write: {}", emergency_summary(&details))
    };
    let planned = Planned {
        target: CRITICAL_SERVERS.to_owned(),
        status,
        summary,
        digest,
        nothing,
        details,
    };
    let Some(token) = args.confirmation_token.as_deref() else {
        return offer(s, ctx, ACTION, planned);
    };
    confirm(s, ctx, ACTION, &planned, token).await?;
    crate::emergency::save(&s.state_dir, &planned.details.env_file, &next)?;
    let summary = emergency_summary(&planned.details);
    Ok(finish(
        s,
        ctx,
        ACTION,
        Done {
            digest: planned.digest,
            target: planned.target,
            status: planned.status,
            summary,
            details: planned.details,
        },
    ))
}

pub(super) async fn emergency_off(
    s: &Shared,
    ctx: &RequestContext<RoleServer>,
    args: ConfirmArgs,
) -> Answer {
    const ACTION: &str = "emergency_off";
    allowed(s, ACTION)?;
    let _lock = lock_if_confirmed(
        s,
        args.confirmation_token.is_some(),
        vec![Resource::Records(Records::Emergency)],
    )
    .await?;
    let mut state = crate::emergency::load(&s.state_dir);
    let nothing = !state.active
        && state
            .modes
            .values()
            .all(|m| *m == crate::emergency::Mode::Mcp);
    let digest = confirm::digest(&json!({
        "action": ACTION,
        "active": state.active,
        "modes": state.modes,
    }));
    let current = read::emergency_view(s, &state);
    let summary = if nothing {
        "normal mode already: every server uses MCP".to_owned()
    } else {
        format!(
            "would end it ({}); every server back to mcp",
            emergency_summary(&current)
        )
    };
    let planned = Planned {
        target: CRITICAL_SERVERS.to_owned(),
        status: Status::Ok,
        summary,
        digest,
        nothing,
        details: current,
    };
    let Some(token) = args.confirmation_token.as_deref() else {
        return offer(s, ctx, ACTION, planned);
    };
    confirm(s, ctx, ACTION, &planned, token).await?;
    // Asked for through the MCP server: by hand, as `emergency --clear` is.
    crate::emergency::clear(&mut state, crate::emergency::ClearedBy::Hand);
    let env_file = crate::emergency::env_file(&s.settings, &s.state_dir);
    crate::emergency::save(&s.state_dir, &env_file, &state)?;
    let details = read::emergency_view(s, &state);
    Ok(finish(
        s,
        ctx,
        ACTION,
        Done {
            digest: planned.digest,
            target: planned.target,
            status: Status::Ok,
            summary: emergency_summary(&details),
            details,
        },
    ))
}

// ---- rerun and fix_apply ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FixKind {
    Rerun,
    Apply,
}

pub(super) async fn fix(
    s: &Shared,
    ctx: &RequestContext<RoleServer>,
    kind: FixKind,
    args: FingerprintActionArgs,
) -> Answer {
    let action = match kind {
        FixKind::Rerun => "rerun",
        FixKind::Apply => "fix_apply",
    };
    allowed(s, action)?;
    let fix = read::fix_settings(s)?;
    let source = crate::state::reports_dir(&s.state_dir, "gh-watch").join("latest.json");
    let _lock =
        lock_if_confirmed(s, args.confirmation_token.is_some(), crate::fix::locks(fix)).await?;
    let pass = |apply: bool| crate::fix::run::Options {
        fix,
        source: &source,
        fingerprint: Some(&args.fingerprint),
        apply,
    };
    let plan = crate::fix::run::run(&s.settings, &s.state_dir, &pass(false)).await?;
    let [report] = plan.reports.as_slice() else {
        return Err(Refusal(format!(
            "the fingerprint `{}` matches {} issues; give more of its characters",
            args.fingerprint,
            plan.reports.len()
        )));
    };
    check_recipe(kind, report)?;
    let nothing = !matches!(report.outcome, crate::fix::outcome::Outcome::Planned);
    let digest = confirm::digest(&json!({
        "action": action,
        "fingerprint": report.fingerprint,
        "repo": report.repo,
        "run_id": report.run_id,
        "recipe": report.recipe,
        "args": report.args,
        "commands": report.commands,
        "diff": report.diff,
    }));
    let summary = fix_summary(report, nothing);
    let target = report.fingerprint.clone();
    let planned = Planned {
        target,
        status: plan.status,
        summary,
        digest,
        nothing,
        details: FixOut {
            mode: crate::fix::run::mode_name(fix.mode).into(),
            source: source.display().to_string(),
            fixes: plan.reports,
        },
    };
    let Some(token) = args.confirmation_token.as_deref() else {
        return offer(s, ctx, action, planned);
    };
    confirm(s, ctx, action, &planned, token).await?;
    let done = crate::fix::run::run(&s.settings, &s.state_dir, &pass(true)).await?;
    let details = FixOut {
        fixes: done.reports,
        ..planned.details
    };
    Ok(finish(
        s,
        ctx,
        action,
        Done {
            digest: planned.digest,
            target: planned.target,
            status: done.status,
            summary: done.summary,
            details,
        },
    ))
}

/// `rerun` is for the `rerun` recipe only, `fix_apply` for every other one.
fn check_recipe(kind: FixKind, report: &crate::fix::outcome::FixReport) -> Result<(), Refusal> {
    let is_rerun = report.recipe.as_deref() == Some("rerun");
    match (kind, is_rerun) {
        (FixKind::Rerun, false) => Err(Refusal(format!(
            "issue {}'s recipe is {}, not rerun: use fix_plan and fix_apply",
            report.fingerprint,
            report.recipe.as_deref().unwrap_or("none")
        ))),
        (FixKind::Apply, true) => Err(Refusal(format!(
            "issue {}'s recipe is rerun: use the rerun tool",
            report.fingerprint
        ))),
        _ => Ok(()),
    }
}

fn fix_summary(report: &crate::fix::outcome::FixReport, nothing: bool) -> String {
    if nothing {
        return format!(
            "{} ({}): {}: {}",
            report.fingerprint,
            report.category,
            report.outcome.as_str(),
            report.reason.as_deref().unwrap_or("")
        );
    }
    format!(
        "{} ({}) in {}: would run {}{}",
        report.fingerprint,
        report.category,
        report.repo.as_deref().unwrap_or("?"),
        report
            .commands
            .iter()
            .map(|c| c.join(" "))
            .collect::<Vec<_>>()
            .join("; "),
        if report.diff.is_some() {
            " (diff in details)"
        } else {
            ""
        }
    )
}
