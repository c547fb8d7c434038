//! `mcpctl health-check`: one pass (probe, recover, fold into one status, store the report), or
//! with `--watch` the guardian's passes until the guarded process ends.

use chrono::Utc;

use super::Ctx;
use super::emit::{self, View, print};
use crate::cli::HealthCheckArgs;
use crate::config;
use crate::discovery::FileProblem;
use crate::error::{Error, Result};
use crate::exit::Code;
use crate::guardian;
use crate::health::{self, ServerStatus};
use crate::inventory::{self, Inventory};
use crate::output::{self, Envelope, Mode};
use crate::reports::health_check::{Body, List};

pub(crate) async fn run(args: HealthCheckArgs, ctx: &Ctx) -> Result<Code> {
    let started = Utc::now();
    let (settings, state_dir) = super::load_and_begin(ctx).await?;
    let discover = !args.no_discover && (args.discover || inventory::discovers(&settings));
    let Inventory {
        mut servers,
        problems,
    } = inventory::build(&settings, discover, &args.from)?;
    let wanted: Vec<String> = args
        .server
        .iter()
        .chain(&args.accept_drift)
        .chain(&args.doctor)
        .cloned()
        .collect();
    if !wanted.is_empty() {
        if let Some(unknown) = wanted
            .iter()
            .find(|n| !servers.iter().any(|s| &s.name == *n))
        {
            let known: Vec<&str> = servers.iter().map(|s| s.name.as_str()).collect();
            return Err(Error::Usage(format!(
                "no server named `{unknown}`; known: {}",
                known.join(", ")
            )));
        }
        servers.retain(|s| wanted.contains(&s.name));
    }
    if args.list {
        return list(&servers, &problems, ctx);
    }

    // Disabled servers are listed, never probed nor recovered.
    let (disabled, servers): (Vec<_>, Vec<_>) = servers.into_iter().partition(|s| s.disabled);
    let (mut opts, budget) = super::probe_plan(
        &settings,
        args.deadline,
        args.check_modern || settings.health_check.check_modern,
    );
    opts.state_dir = Some(state_dir.clone());
    opts.accept_drift = args.accept_drift;
    opts.doctor = args.doctor.is_some();
    let plan = guardian::Plan {
        settings,
        state_dir,
        servers,
        disabled,
        problems,
        opts,
        budget,
        recover: args.recover,
        wait_lock: ctx.global.wait_lock,
        fallback: args.watch.is_some() && args.recover,
        cadence: args.watch.map(|every| every.max(guardian::THIN)),
    };
    if let Some(every) = args.watch {
        return watch(&plan, every, args.while_pid, ctx).await;
    }
    ctx.keeps_partial(true);
    let pass = guardian::pass::run_or_stop(&plan).await?;
    let interrupted = pass.body.interrupted;
    // Past the probes (the report), an interruption drops the run as before.
    ctx.keeps_partial(interrupted);
    let mut envelope = Envelope::new(
        "health-check",
        started,
        pass.status,
        pass.summary,
        pass.body,
    );
    if interrupted {
        envelope.exit_code = Code::Interrupted.as_u8();
    }
    let code = emit::finish(&envelope, started, &plan.state_dir, ctx, || {
        view(&envelope.body)
    })
    .await?;
    if !interrupted {
        return Ok(code);
    }
    // Nagios plugins exit 0 to 3; everyone else gets the documented 130.
    Ok(if ctx.output.mode == Mode::Nagios {
        Code::Unknown
    } else {
        Code::Interrupted
    })
}

/// `--watch`: passes until the watched process ends (exit by the worst state seen) or SIGINT or
/// SIGTERM (130).
async fn watch(
    plan: &guardian::Plan,
    every: std::time::Duration,
    while_pid: Option<u32>,
    ctx: &Ctx,
) -> Result<Code> {
    let opts = guardian::Options {
        every,
        while_pid,
        live: !ctx.global.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        quiet: ctx.global.quiet,
        job: ctx.job,
    };
    guardian::check(&opts)?;
    // The watch stores each pass itself; SIGINT or SIGTERM lets the pass in flight finish.
    ctx.keeps_partial(true);
    let first = ctx.notify.lock().ok().and_then(|mut n| n.take());
    match guardian::watch(plan, &opts, first).await? {
        guardian::End::Exited(worst) => Ok(worst.code()),
        guardian::End::Interrupted => Ok(Code::Interrupted),
    }
}

fn view(body: &Body) -> View {
    let doctor = body.servers.iter().find_map(|s| s.doctor.as_ref());
    View {
        table_has_problems: true,
        // The doctor's steps are the answer asked for, fine or not.
        answer: doctor.is_some(),
        table: Some(doctor.map_or_else(
            || output::health::table(&body.servers),
            |steps| output::health::doctor_table(steps),
        )),
        problems: body
            .servers
            .iter()
            .filter(|r| !matches!(r.status, ServerStatus::Healthy | ServerStatus::Disabled))
            .map(|r| format!("{}: {}", r.name, output::health::detail(r)))
            .collect(),
        // What --recover did, step by step, for a person and for cron alike.
        footnotes: body
            .recovery
            .iter()
            .flat_map(output::recovery::lines)
            .chain(body.discovery_problems.iter().map(FileProblem::line))
            .collect(),
        perfdata: health::perfdata::perfdata(&body.servers),
    }
}

fn list(servers: &[config::ServerConfig], problems: &[FileProblem], ctx: &Ctx) -> Result<Code> {
    if ctx.output.mode == Mode::Json {
        let json = serde_json::to_string_pretty(&List::new(servers, problems)).expect("serializes");
        return print(&format!("{json}\n")).map(|()| Code::Ok);
    }
    let t = output::health::list_table(servers);
    let mut text = if servers.is_empty() {
        "no MCP servers configured or discovered; write ~/.config/mcpctl/mcpctl.toml or pass --from FILE\n".to_owned()
    } else {
        format!("{t}\n")
    };
    for p in problems {
        text.push_str(&p.line());
        text.push('\n');
    }
    print(&text)?;
    Ok(Code::Ok)
}
