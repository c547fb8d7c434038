//! `mcpctl health-check`: probe every server, fold the results into one status, store the report.

use chrono::Utc;

use super::Ctx;
use super::emit::{self, View, print};
use crate::cli::HealthCheckArgs;
use crate::config;
use crate::discovery::FileProblem;
use crate::error::{Error, Result};
use crate::exit::{Code, Status};
use crate::health::{self, ServerReport, ServerStatus};
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
    let health::locks::Taken {
        free: servers,
        busy,
        held: _locks,
    } = health::locks::take(&state_dir, servers, ctx.global.wait_lock).await?;

    let (mut opts, budget) = super::probe_plan(
        &settings,
        args.deadline,
        args.check_modern || settings.health_check.check_modern,
    );
    opts.state_dir = Some(state_dir.clone());
    opts.accept_drift = args.accept_drift;
    opts.doctor = args.doctor.is_some();
    // One deadline for the whole run, recovery included.
    let deadline = tokio::time::Instant::now() + budget;
    let (mut reports, interrupted) = probe_or_stop(&servers, &opts, deadline, ctx).await;
    if interrupted {
        return partial(
            reports, problems, &settings, budget, started, &state_dir, ctx,
        )
        .await;
    }
    let mut recovery = Vec::new();
    if args.recover {
        let restore = crate::heal::restorer(settings.backup.as_ref(), &state_dir);
        let hctx = crate::heal::Context {
            opts: &opts,
            state_dir: &state_dir,
            restore: &restore,
            dry_run: false,
            deadline,
        };
        let done = crate::heal::recover_all(&servers, reports, &hctx).await;
        reports = done.iter().map(|r| r.report.clone()).collect();
        recovery = done
            .into_iter()
            .filter(|r| r.held != Some(crate::heal::Held::NotFailing))
            .collect();
    }
    reports.extend(busy);
    reports.extend(disabled.iter().map(health::disabled_report));

    let (mut status, mut summary) = health::verdict(&reports, &problems);
    if recovery
        .iter()
        .any(|r| r.held == Some(crate::heal::Held::GuardUnreadable))
    {
        status = Status::Critical;
        summary.push_str("; a recovery guard cannot be read or saved (see the report)");
    }
    if let Some(cleared) = crate::emergency::clear_if_recovered(&settings, &state_dir, &reports) {
        summary.push_str(&format!("; {cleared}"));
    }
    let body = Body {
        config: settings.file.clone(),
        client_capabilities: crate::probe::jsonrpc::client_capabilities(),
        deadline_ms: u64::try_from(budget.as_millis()).unwrap_or(u64::MAX),
        servers: reports,
        recovery,
        discovery_problems: problems,
        interrupted: false,
    };
    let envelope = Envelope::new("health-check", started, status, summary, body);
    emit::finish(&envelope, started, &state_dir, ctx, || view(&envelope.body)).await
}

/// Probes every server. On SIGINT or SIGTERM the probes still running are ended (their
/// children killed), and the others' results are kept: `true` says it was interrupted.
async fn probe_or_stop(
    servers: &[config::ServerConfig],
    opts: &health::Options,
    deadline: tokio::time::Instant,
    ctx: &Ctx,
) -> (Vec<ServerReport>, bool) {
    let stop = tokio_util::sync::CancellationToken::new();
    ctx.keeps_partial(true);
    let all = health::check_all_until(servers, opts, deadline, &stop);
    tokio::pin!(all);
    let reports = tokio::select! {
        reports = &mut all => reports,
        () = super::interrupted() => {
            stop.cancel();
            all.await
        }
    };
    let interrupted = stop.is_cancelled();
    // Past the probes (recovery, the report), an interruption drops the run as before.
    ctx.keeps_partial(interrupted);
    (reports, interrupted)
}

/// The report of an interrupted run: what was probed, status unknown, exit 130.
async fn partial(
    reports: Vec<ServerReport>,
    problems: Vec<FileProblem>,
    settings: &config::Settings,
    budget: std::time::Duration,
    started: chrono::DateTime<Utc>,
    state_dir: &std::path::Path,
    ctx: &Ctx,
) -> Result<Code> {
    let done: Vec<&ServerReport> = reports
        .iter()
        .filter(|r| {
            r.error
                .as_ref()
                .is_none_or(|e| e.kind != crate::probe::FailureKind::Interrupted)
        })
        .collect();
    let healthy = done
        .iter()
        .filter(|r| r.status == ServerStatus::Healthy)
        .count();
    let summary = format!(
        "interrupted: {} of {} probed before SIGINT or SIGTERM ({healthy} healthy); the others are unknown",
        done.len(),
        output::plural(reports.len(), "server", "servers"),
    );
    let body = Body {
        config: settings.file.clone(),
        client_capabilities: crate::probe::jsonrpc::client_capabilities(),
        deadline_ms: u64::try_from(budget.as_millis()).unwrap_or(u64::MAX),
        servers: reports,
        recovery: Vec::new(),
        discovery_problems: problems,
        interrupted: true,
    };
    let mut envelope = Envelope::new("health-check", started, Status::Unknown, summary, body);
    envelope.exit_code = Code::Interrupted.as_u8();
    emit::finish(&envelope, started, state_dir, ctx, || view(&envelope.body)).await?;
    // Nagios plugins exit 0 to 3; everyone else gets the documented 130.
    Ok(if ctx.output.mode == Mode::Nagios {
        Code::Unknown
    } else {
        Code::Interrupted
    })
}

fn view(body: &Body) -> View {
    let doctor = body.servers.iter().find_map(|s| s.doctor.as_ref());
    View {
        table_has_problems: true,
        // The doctor's steps are the answer asked for, fine or not.
        answer: doctor.is_some(),
        table: Some(doctor.map_or_else(|| table(&body.servers), |steps| doctor_table(steps))),
        problems: body
            .servers
            .iter()
            .filter(|r| !matches!(r.status, ServerStatus::Healthy | ServerStatus::Disabled))
            .map(|r| format!("{}: {}", r.name, detail(r)))
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

fn doctor_table(steps: &[crate::probe::doctor::StepReport]) -> comfy_table::Table {
    let mut t = output::table::new(&["STEP", "RESULT", "TIME", "DETAIL"]);
    for s in steps {
        t.add_row(vec![
            s.step.as_str().to_owned(),
            if s.ok { "ok" } else { "FAILED" }.to_owned(),
            format!("{:.1} ms", s.ms),
            s.detail.clone(),
        ]);
    }
    t
}

fn detail(r: &ServerReport) -> String {
    if r.status == ServerStatus::Disabled {
        let places: Vec<String> = r
            .sources
            .iter()
            .filter(|o| o.disabled)
            .map(|o| format!("{} {}", o.client, o.path.display()))
            .collect();
        return format!("disabled in {}; not probed", places.join(", "));
    }
    match &r.error {
        Some(e) => match &e.hint {
            Some(h) => format!("{} (next: {h})", e.message),
            None => e.message.clone(),
        },
        None => r.warnings.join("; "),
    }
}

fn table(servers: &[ServerReport]) -> comfy_table::Table {
    let mut t = output::table::new(&[
        "SERVER",
        "STATUS",
        "TRANSPORT",
        "PROTOCOL",
        "TOOLS",
        "LATENCY",
        "DETAIL",
    ]);
    for r in servers {
        let name = if r.critical {
            format!("{} *", r.name)
        } else {
            r.name.clone()
        };
        let latency = r
            .latency_ms
            .initialize
            .map_or_else(|| "-".into(), |_| format!("{:.0} ms", r.latency_ms.total));
        t.add_row(vec![
            name,
            format!("{:?}", r.status).to_lowercase(),
            r.transport.clone(),
            r.protocol_version.clone().unwrap_or_else(|| "-".into()),
            r.tools.map_or_else(|| "-".into(), |n| n.to_string()),
            latency,
            detail(r),
        ]);
    }
    t
}

fn list(servers: &[config::ServerConfig], problems: &[FileProblem], ctx: &Ctx) -> Result<Code> {
    if ctx.output.mode == Mode::Json {
        let json = serde_json::to_string_pretty(&List::new(servers, problems)).expect("serializes");
        return print(&format!("{json}\n")).map(|()| Code::Ok);
    }
    let mut t = output::table::new(&["SERVER", "TRANSPORT", "CRITICAL", "DISABLED", "SOURCES"]);
    for s in servers {
        let sources: Vec<String> = s
            .origins
            .iter()
            .map(|o| {
                let off = if o.disabled { " (disabled)" } else { "" };
                format!("{} {}{off}", o.client, o.path.display())
            })
            .collect();
        t.add_row(vec![
            s.name.clone(),
            s.transport_label().to_owned(),
            if s.critical { "yes" } else { "" }.to_owned(),
            if s.disabled { "yes" } else { "" }.to_owned(),
            sources.join("\n"),
        ]);
    }
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
