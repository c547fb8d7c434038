//! The health-check's tables: the servers, the doctor's steps, and `--list`.

use crate::config::ServerConfig;
use crate::health::{ServerReport, ServerStatus};

/// `--doctor`'s steps, each with its time.
pub(crate) fn doctor_table(steps: &[crate::probe::doctor::StepReport]) -> comfy_table::Table {
    let mut t = super::table::new(&["STEP", "RESULT", "TIME", "DETAIL"]);
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

/// What is wrong with a server, and what to do next, in one line.
pub(crate) fn detail(r: &ServerReport) -> String {
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

/// One row per server: the health-check table.
pub(crate) fn table(servers: &[ServerReport]) -> comfy_table::Table {
    let mut t = super::table::new(&[
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

/// `health-check --list`: the resolved servers and where each came from.
pub(crate) fn list_table(servers: &[ServerConfig]) -> comfy_table::Table {
    let mut t = super::table::new(&["SERVER", "TRANSPORT", "CRITICAL", "DISABLED", "SOURCES"]);
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
    t
}
