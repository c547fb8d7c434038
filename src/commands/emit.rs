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
    /// One line per thing that is wrong; cron mails these, and a terminal gets them under the
    /// table unless the table already says it all (`table_has_problems`).
    pub(crate) problems: Vec<String>,
    pub(crate) table_has_problems: bool,
    /// A read-only answer someone asked for (a plan, a status): its table goes to stdout even
    /// when that is a pipe. Only the runs cron makes stay quiet.
    pub(crate) answer: bool,
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
    let mut view = view();
    let mut value = serde_json::to_value(env).expect("reports serialize");
    let untold = notify(env, &mut value, &view.problems, ctx).await;
    // A lock whose holder died without letting go is taken over; the report says so.
    let stale = state::taken_over();
    if !stale.is_empty() {
        value["stale_locks"] = serde_json::json!(stale);
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
    let mut out = ctx.output;
    if view.answer && out.mode == Mode::Auto {
        out.mode = Mode::Table;
    }
    if out.mode == Mode::Json {
        print(&format!("{}\n", String::from_utf8_lossy(&json)))?;
        return Ok(env.status.code());
    }
    // A failing notifier rides along with a run that prints anyway; a quiet healthy run (or a
    // one-line Nagios answer) says it on stderr, once a day per destination under cron.
    if out.silent(env.status) || out.mode == Mode::Nagios {
        crate::notify::tell(Some(state_dir), &untold);
    } else {
        view.footnotes
            .extend(untold.iter().map(ToString::to_string));
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
            // An empty table says nothing: the summary line below is the sentence.
            let mut text = view
                .table
                .filter(|t| t.row_count() > 0)
                .map(|t| format!("{t}\n"))
                .unwrap_or_default();
            text.push_str(&format!("{}: {}\n", env.status.label(), env.summary));
            // A person at a terminal gets at least what cron mails.
            if !view.table_has_problems {
                notes(&mut text, &view.problems);
            }
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

/// Every configured notifier for the finished run; their warnings go into the report's
/// `notifications`. Returns the warnings not told on stderr yet.
async fn notify<T: Serialize>(
    env: &Envelope<T>,
    value: &mut serde_json::Value,
    problems: &[String],
    ctx: &Ctx,
) -> Vec<crate::notify::Warning> {
    let Some(run) = ctx.notify.lock().ok().and_then(|mut n| n.take()) else {
        return Vec::new();
    };
    let outcome = crate::notify::Outcome {
        command: &env.command,
        job: ctx.job,
        status: env.status,
        exit_code: env.exit_code,
        summary: &env.summary,
        problems,
        report: value,
    };
    let (texts, untold) = run.finish(&outcome).await;
    if !texts.is_empty() {
        value["notifications"] = serde_json::json!(texts);
    }

    untold
}

pub(crate) fn print(text: &str) -> Result<()> {
    output::print_stdout(text).map_err(|e| Error::io("cannot write to stdout", e))
}
