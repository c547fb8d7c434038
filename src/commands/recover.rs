//! `mcpctl recover`: probe the named (or all failing) servers, climb each failing one's ladder
//! inside its guards, and exit by the final state. Also `--reset`, `--pause`, `--resume`.

use chrono::Utc;

use super::Ctx;
use super::emit::{self, View};
use crate::cli::RecoverArgs;
use crate::config::{ServerConfig, Settings};
use crate::error::{Error, Result};
use crate::exit::{Code, Status};
use crate::heal::audit::{self, Outcome, Record};
use crate::heal::{self, guard};
use crate::health::{self, ServerStatus};
use crate::output::{self, Envelope};
use crate::reports::recover::{Body, GuardAction, GuardBody};
use crate::state;

pub(crate) async fn run(args: RecoverArgs, ctx: &Ctx) -> Result<Code> {
    let started = Utc::now();
    let (settings, state_dir) = super::load_and_begin(ctx).await?;
    let servers = select(&settings, &args)?;
    // A dry run reads the guards and changes nothing: it waits for no other run.
    let _lock = if args.dry_run {
        None
    } else {
        Some(
            state::acquire_all(
                &state_dir,
                servers.iter().map(|s| state::Resource::Server(&s.name)),
                ctx.global.wait_lock,
            )
            .await?,
        )
    };
    if let Some(action) = guard_action(&args) {
        return change_guards(action, &args, &servers, started, &state_dir, ctx).await;
    }
    let (opts, deadline) = super::probe_plan(&settings, args.deadline, false);
    let deadline = tokio::time::Instant::now() + deadline;
    let first = health::check_all(&servers, &opts, deadline).await;
    let restore = heal::restorer(settings.backup.as_ref(), &state_dir);
    let hctx = heal::Context {
        opts: &opts,
        state_dir: &state_dir,
        restore: &restore,
        dry_run: args.dry_run,
        deadline,
    };
    let recoveries = heal::recover_all(&servers, first, &hctx).await;
    let (status, summary) = heal::verdict::verdict(&recoveries);
    let body = Body {
        dry_run: args.dry_run,
        servers: recoveries,
    };
    let env = Envelope::new("recover", started, status, summary, body);
    emit::finish(&env, started, &state_dir, ctx, || view(&env.body)).await
}

fn select(settings: &Settings, args: &RecoverArgs) -> Result<Vec<ServerConfig>> {
    if args.servers.is_empty() && !args.all_failed {
        let what = if args.reset {
            "reset"
        } else if args.pause {
            "pause"
        } else if args.resume {
            "resume"
        } else {
            "recover"
        };
        let all = if args.reset || args.pause || args.resume {
            String::new()
        } else {
            format!(
                ", or pass --all-failed for every failing one (`mcpctl recover --all-failed{}`)",
                if args.dry_run { " --dry-run" } else { "" }
            )
        };
        let known: Vec<&str> = settings.servers.iter().map(|s| s.name.as_str()).collect();
        return Err(Error::Usage(format!(
            "name the servers to {what} (known: {}){all}",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        )));
    }
    for name in &args.servers {
        if !settings.servers.iter().any(|s| &s.name == name) {
            let known: Vec<&str> = settings.servers.iter().map(|s| s.name.as_str()).collect();
            return Err(Error::Usage(format!(
                "no configured server named `{name}`; known: {}",
                known.join(", ")
            )));
        }
    }
    if settings.servers.is_empty() {
        return Err(Error::Usage(
            "no servers in the config; recovery acts only on [servers.NAME] with a [servers.NAME.recover] ladder".into(),
        ));
    }
    Ok(settings
        .servers
        .iter()
        .filter(|s| args.all_failed || args.servers.contains(&s.name))
        .cloned()
        .collect())
}

/// `--reset`, `--pause` and `--resume` exclude each other (clap says so): one mode, or none
/// for climbing the ladder.
fn guard_action(args: &RecoverArgs) -> Option<GuardAction> {
    if args.reset {
        Some(GuardAction::Reset)
    } else if args.pause {
        Some(GuardAction::Paused)
    } else if args.resume {
        Some(GuardAction::Resumed)
    } else {
        None
    }
}

async fn change_guards(
    action: GuardAction,
    args: &RecoverArgs,
    servers: &[ServerConfig],
    started: chrono::DateTime<Utc>,
    state_dir: &std::path::Path,
    ctx: &Ctx,
) -> Result<Code> {
    let now = Utc::now();
    let until = now
        + chrono::Duration::from_std(args.pause_for.unwrap_or_default())
            .unwrap_or(chrono::Duration::zero());
    let detail = match action {
        GuardAction::Reset => "breaker closed and attempts forgotten by hand".to_owned(),
        GuardAction::Paused => format!("paused until {}", crate::output::when(until)),
        GuardAction::Resumed => "pause ended by hand".to_owned(),
    };
    for server in servers {
        // --reset is how a person mends an unreadable guard: it starts from a fresh one.
        let loaded = guard::load(state_dir, &server.name);
        let mut g = match (action, loaded) {
            (_, Ok(g)) => g,
            (GuardAction::Reset, Err(_)) => guard::Guard::default(),
            (_, Err(e)) => return Err(Error::Failed(e.to_string())),
        };
        match action {
            GuardAction::Reset => g.reset(),
            GuardAction::Paused => g.paused_until = Some(until),
            GuardAction::Resumed => g.paused_until = None,
        }
        guard::save(state_dir, &server.name, &g).map_err(|e| Error::Failed(e.to_string()))?;
        let record = Record {
            time: now,
            server: server.name.clone(),
            step: None,
            event: Some(action.event()),
            outcome: Outcome::Succeeded,
            detail: detail.clone(),
            duration_ms: 0,
        };
        audit::append(state_dir, &record)
            .map_err(|e| Error::io("cannot append to the recovery audit", e))?;
    }
    let names: Vec<String> = servers.iter().map(|s| s.name.clone()).collect();
    let summary = format!("{}: {} ({detail})", names.join(", "), action.as_str());
    let body = GuardBody {
        action,
        servers: names,
    };
    let env = Envelope::new("recover", started, Status::Ok, summary, body);
    emit::finish(&env, started, state_dir, ctx, View::default).await
}

fn view(body: &Body) -> View {
    let mut table = output::table::new(&["SERVER", "FIRST", "FINAL", "ACTIONS", "NOTE"]);
    for r in &body.servers {
        let actions: Vec<String> = r
            .actions
            .iter()
            .map(output::recovery::action_label)
            .chain(r.plan.iter().map(|p| format!("would {p}")))
            .collect();
        let note = match (&r.held, r.breaker_open) {
            (_, true) => "breaker open".to_owned(),
            (Some(h), false) => output::recovery::held_label(*h, &r.name),
            (None, false) => r
                .time_to_recover_ms
                .map(|ms| {
                    format!(
                        "back in {}",
                        humantime::format_duration(std::time::Duration::from_millis(ms))
                    )
                })
                .unwrap_or_default(),
        };
        table.add_row(vec![
            r.name.clone(),
            format!("{:?}", r.initial).to_lowercase(),
            format!("{:?}", r.final_status).to_lowercase(),
            actions.join("\n"),
            note,
        ]);
    }
    View {
        table_has_problems: false,
        answer: body.dry_run,
        table: Some(table),
        problems: body
            .servers
            .iter()
            .filter(|r| {
                matches!(
                    r.final_status,
                    ServerStatus::Unhealthy | ServerStatus::Unknown
                )
            })
            .map(|r| {
                let last = r
                    .actions
                    .last()
                    .map(|a| format!("; last action: {}", a.detail))
                    .unwrap_or_default();
                format!(
                    "{}: {}{last}",
                    r.name,
                    r.final_error.as_deref().unwrap_or("down")
                )
            })
            .collect(),
        footnotes: Vec::new(),
        perfdata: Vec::new(),
    }
}
