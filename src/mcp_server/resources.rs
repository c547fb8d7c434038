//! The resources: the newest stored report of each subcommand as JSON, and the reliability page
//! of the last 7 days as HTML, both as `mcpctl report` and the subcommands wrote or would write
//! them (reports are redacted when stored).

use rmcp::ErrorData as McpError;
use rmcp::model::Resource;

use super::Shared;

/// Every subcommand that stores a report.
const COMMANDS: &[&str] = &[
    "health-check",
    "backup",
    "restore",
    "recover",
    "emergency",
    "gh-watch",
    "fix",
    "report",
];
const HTML: &str = "mcpctl://reports/reliability.html";
/// A stored report larger than this is not served.
const MAX_REPORT: u64 = 64 * 1024 * 1024;

pub(super) struct Contents {
    pub(super) text: String,
    pub(super) mime_type: &'static str,
}

fn latest(s: &Shared, command: &str) -> std::path::PathBuf {
    crate::state::reports_dir(&s.state_dir, command).join("latest.json")
}

pub(super) fn list(s: &Shared) -> Vec<Resource> {
    let mut out: Vec<Resource> = COMMANDS
        .iter()
        .filter(|c| latest(s, c).is_file())
        .map(|c| {
            Resource::new(
                format!("mcpctl://reports/{c}/latest"),
                format!("{c} report"),
            )
            .with_title(format!("Newest {c} report"))
            .with_description(format!(
                "The newest report `mcpctl {c}` stored, as JSON (the envelope and its fields)"
            ))
            .with_mime_type("application/json")
        })
        .collect();
    out.push(
        Resource::new(HTML, "reliability page")
            .with_title("Reliability report (7 days)")
            .with_description(
                "`mcpctl report --since 7d --format html`: uptime timelines, latency, backups, CI, fallback periods",
            )
            .with_mime_type("text/html"),
    );
    out
}

pub(super) fn read(s: &Shared, uri: &str) -> Result<Contents, McpError> {
    if uri == HTML {
        return Ok(Contents {
            text: html(s),
            mime_type: "text/html",
        });
    }
    let command = uri
        .strip_prefix("mcpctl://reports/")
        .and_then(|rest| rest.strip_suffix("/latest"))
        .filter(|c| COMMANDS.contains(c))
        .ok_or_else(|| {
            McpError::resource_not_found(
                format!(
                    "no resource {uri}; there are mcpctl://reports/<command>/latest for {} and {HTML}",
                    COMMANDS.join(", ")
                ),
                None,
            )
        })?;
    let path = latest(s, command);
    let bytes = crate::state::read_regular(&path, MAX_REPORT).map_err(|e| {
        McpError::resource_not_found(
            format!("no stored {command} report ({e}); run `mcpctl {command}` first"),
            None,
        )
    })?;
    Ok(Contents {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        mime_type: "application/json",
    })
}

fn html(s: &Shared) -> String {
    let to = chrono::Utc::now();
    let from = to - chrono::Duration::days(7);
    let opts = crate::report::Options {
        from,
        to,
        servers: Vec::new(),
        configured_servers: s.settings.servers.iter().map(|c| c.name.clone()).collect(),
        current_servers: crate::report::current_servers(&s.settings, &[]),
        configured_targets: s
            .settings
            .backup
            .as_ref()
            .map(|b| b.targets.iter().map(|t| t.name.clone()).collect())
            .unwrap_or_default(),
        settings: s.settings.report,
    };
    let figures = crate::report::compute(&s.state_dir, &opts, &|_| Vec::new());
    let (status, _) = crate::report::verdict(&figures, s.settings.report.min_uptime);
    let summary = crate::report::summary(&figures, status);
    let title = format!(
        "mcpctl report for {} on {}",
        crate::report::label(from, to),
        crate::output::hostname()
    );
    crate::report::html::render(&figures, &title, &summary, None)
}
