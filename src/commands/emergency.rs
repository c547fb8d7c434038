//! `mcpctl emergency`: for critical servers that are down, check their direct-API fallback and
//! write the env file the pipeline sources. `--status` shows the mode, `--clear` ends it.

use chrono::Utc;

use super::Ctx;
use super::emit::{self, View};
use crate::cli::EmergencyArgs;
use crate::emergency::{self, ClearedBy, Mode, ServerMode, State};
use crate::error::{Error, Result};
use crate::exit::{Code, Status};
use crate::health;
use crate::output::{self, Envelope};
use crate::reports::emergency::{Action, Body};
use crate::state;

pub(crate) async fn run(args: EmergencyArgs, ctx: &Ctx) -> Result<Code> {
    let started = Utc::now();
    let (settings, state_dir) = super::load_and_begin(ctx).await?;
    let env_file = emergency::env_file(&settings, &state_dir);
    if args.status {
        let current = emergency::load(&state_dir);
        let servers = current
            .modes
            .iter()
            .map(|(name, mode)| ServerMode {
                name: name.clone(),
                mode: *mode,
                reason: None,
            })
            .collect();
        return finish(
            Action::Status,
            &current,
            servers,
            env_file,
            started,
            &state_dir,
            ctx,
        )
        .await;
    }
    let _lock = state::acquire(
        &state_dir,
        state::Resource::Records(state::Records::Emergency),
        ctx.global.wait_lock,
    )
    .await?;
    if args.clear {
        let mut current = emergency::load(&state_dir);
        let servers = emergency::clear(&mut current, ClearedBy::Hand);
        emergency::save(&state_dir, &env_file, &current)?;
        return finish(
            Action::Clear,
            &current,
            servers,
            env_file,
            started,
            &state_dir,
            ctx,
        )
        .await;
    }
    let critical = emergency::critical_servers(&settings);
    if critical.is_empty() {
        return Err(Error::Usage(
            "no server is marked `critical = true`; emergency mode is only for those".into(),
        ));
    }
    let (opts, deadline) = super::probe_plan(&settings, args.deadline, false);
    let reports = health::check_all(&critical, &opts, tokio::time::Instant::now() + deadline).await;
    let servers = emergency::modes(&critical, &reports, &settings.defaults).await;
    let previous = emergency::load(&state_dir);
    let next = emergency::next_state(&previous, &servers, Utc::now());
    emergency::save(&state_dir, &env_file, &next)?;
    let action = if previous.active && !next.active {
        Action::Cleared
    } else {
        Action::Check
    };
    finish(action, &next, servers, env_file, started, &state_dir, ctx).await
}

async fn finish(
    action: Action,
    current: &State,
    servers: Vec<ServerMode>,
    env_file: std::path::PathBuf,
    started: chrono::DateTime<Utc>,
    state_dir: &std::path::Path,
    ctx: &Ctx,
) -> Result<Code> {
    let down: Vec<&str> = servers
        .iter()
        .filter(|s| s.mode == Mode::Down)
        .map(|s| s.name.as_str())
        .collect();
    let direct: Vec<&str> = servers
        .iter()
        .filter(|s| s.mode == Mode::DirectApi)
        .map(|s| s.name.as_str())
        .collect();
    let status = if !down.is_empty() {
        Status::Critical
    } else if !direct.is_empty() {
        Status::Warning
    } else {
        Status::Ok
    };
    let mut summary = match (action, current.active) {
        (Action::Clear, _) => {
            "normal mode: every server set back to MCP by hand; whether they answer is unknown until the next health-check".to_owned()
        }
        (Action::Cleared, _) => "normal mode: every server uses MCP".to_owned(),
        (Action::Status, false) => emergency::normal_status(current),
        (_, false) => "normal mode: every critical server answers over MCP".to_owned(),
        (_, true) => format!(
            "emergency mode since {}",
            current
                .since
                .map_or_else(|| "?".into(), crate::output::when)
        ),
    };
    if !direct.is_empty() {
        summary.push_str(&format!("; direct API: {}", direct.join(", ")));
    }
    if !down.is_empty() {
        summary.push_str(&format!("; down with no fallback: {}", down.join(", ")));
    }
    if action == Action::Cleared {
        summary.push_str(" (emergency mode cleared)");
    }
    let body = Body {
        action,
        env_file,
        active: current.active,
        since: current.since,
        cleared_at: current.cleared_at,
        cleared_by: current.cleared_by,
        servers,
    };
    let env = Envelope::new("emergency", started, status, summary, body);
    emit::finish(&env, started, state_dir, ctx, || view(&env.body)).await
}

fn view(body: &Body) -> View {
    let mut table = output::table::new(&["SERVER", "MODE", "REASON"]);
    for s in &body.servers {
        table.add_row(vec![
            s.name.clone(),
            s.mode.as_str().to_owned(),
            s.reason.clone().unwrap_or_default(),
        ]);
    }
    View {
        table_has_problems: true,
        answer: body.action == Action::Status,
        table: Some(table),
        problems: body
            .servers
            .iter()
            .filter(|s| s.mode != Mode::Mcp)
            .map(|s| match &s.reason {
                Some(why) => format!("{}: {} ({why})", s.name, s.mode.as_str()),
                None => format!("{}: {}", s.name, s.mode.as_str()),
            })
            .collect(),
        footnotes: vec![format!("env file: {}", body.env_file.display())],
        perfdata: Vec::new(),
    }
}
