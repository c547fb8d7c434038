//! The end of every run: store the report, then show it the way the caller asked.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Ctx;
use crate::error::{Error, Result};
use crate::exit::Code;
use crate::output::{self, Envelope, Mode};
use crate::state;

/// What a command shows besides the JSON report.
#[derive(Default)]
pub(crate) struct View {
    pub(crate) table: Option<comfy_table::Table>,
    /// One line per thing that is wrong; cron mails these.
    pub(crate) problems: Vec<String>,
    /// Shown in every human view, under the table or the problems.
    pub(crate) footnotes: Vec<String>,
    pub(crate) perfdata: Vec<(String, f64, &'static str)>,
}

/// Notifies, saves the report (atomically, into the history or `--report`) and prints it.
pub(crate) async fn finish<T: Serialize>(
    env: &Envelope<T>,
    started: DateTime<Utc>,
    state_dir: &Path,
    ctx: &Ctx,
    view: impl FnOnce() -> View,
) -> Result<Code> {
    let view = view();
    let mut value = serde_json::to_value(env).expect("reports serialize");
    let notify = ctx.notify.lock().ok().and_then(|mut n| {
        n.as_mut().map(|n| {
            n.finished = true;
            (
                n.settings.clone(),
                n.rid.clone(),
                std::mem::take(&mut n.warnings),
            )
        })
    });
    if let Some((settings, rid, mut warnings)) = notify {
        let outcome = crate::notify::Outcome {
            command: &env.command,
            job: ctx.job,
            status: env.status,
            exit_code: env.exit_code,
            summary: &env.summary,
            problems: &view.problems,
            report: &value,
        };
        warnings.extend(crate::notify::finish(&settings, state_dir, &rid, &outcome).await);
        if !warnings.is_empty() {
            value["notifications"] = serde_json::json!(warnings);
        }
    }
    let json = serde_json::to_vec_pretty(&value).expect("reports serialize");
    let path = state::reports::save(
        state_dir,
        ctx.global.report.as_deref(),
        &env.command,
        started,
        &json,
    )?;
    tracing::info!("report written to {}", path.display());
    let out = ctx.output;
    if out.mode == Mode::Json {
        print(&format!("{}\n", String::from_utf8_lossy(&json)))?;
        return Ok(env.status.code());
    }
    if out.silent(env.status) {
        return Ok(env.status.code());
    }
    let notes = |text: &mut String, lines: &[String]| {
        for line in lines {
            text.push_str(&format!("  {line}\n"));
        }
    };
    match out.mode {
        Mode::Nagios => print(&output::nagios_line(
            env.status,
            &env.summary,
            &view.perfdata,
        ))?,
        Mode::Table => {
            let mut text = view.table.map(|t| format!("{t}\n")).unwrap_or_default();
            text.push_str(&format!("{}: {}\n", env.status.label(), env.summary));
            notes(&mut text, &view.footnotes);
            print(&output::printable_lines(&text))?;
        }
        Mode::Auto | Mode::Json => {
            let mut text = format!(
                "mcpctl {}: {}: {}\n",
                env.command,
                env.status.label(),
                env.summary
            );
            notes(&mut text, &view.problems);
            notes(&mut text, &view.footnotes);
            text.push_str(&format!("  report: {}\n", path.display()));
            eprint!("{}", output::printable_lines(&text));
        }
    }
    Ok(env.status.code())
}

pub(crate) fn print(text: &str) -> Result<()> {
    output::print_stdout(text).map_err(|e| Error::io("cannot write to stdout", e))
}
