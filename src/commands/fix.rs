//! `mcpctl fix`: apply the recipe gh-watch matched, in a git checkout, behind guards; with
//! `--propose`, a model's patch for what no recipe covers. Dry-run unless `--apply`; verified
//! before it is committed; rolled back when anything fails.

use std::path::Path;

use chrono::Utc;

use super::Ctx;
use super::emit::{self, View};
use crate::cli::FixArgs;
use crate::error::{Error, Result};
use crate::exit::Code;
use crate::fix::ledger;
use crate::fix::outcome::Outcome;
use crate::fix::{propose, run};
use crate::output::{self, Envelope};
use crate::reports::fix::Body;

/// What one invocation does, read from the flags once (clap keeps the history apart from the
/// rest, and --call with --propose only).
enum Mode {
    History,
    Act(Action),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Recipe { apply: bool },
    Propose(propose::Mode),
}

impl Mode {
    fn of(args: &FixArgs) -> Self {
        Self::Act(match (args.history, args.propose, args.call, args.apply) {
            (true, ..) => return Self::History,
            (false, false, _, apply) => Action::Recipe { apply },
            (false, true, _, true) => Action::Propose(propose::Mode::Apply),
            (false, true, true, false) => Action::Propose(propose::Mode::Call),
            (false, true, false, false) => Action::Propose(propose::Mode::Prompt),
        })
    }
}

impl Action {
    /// Changes a checkout, or the day's count of calls: queues behind other runs.
    fn writes(self) -> bool {
        matches!(
            self,
            Self::Recipe { apply: true }
                | Self::Propose(propose::Mode::Apply | propose::Mode::Call)
        )
    }

    fn applies(self) -> bool {
        matches!(
            self,
            Self::Recipe { apply: true } | Self::Propose(propose::Mode::Apply)
        )
    }
}

pub(crate) async fn run(args: FixArgs, ctx: &Ctx) -> Result<Code> {
    let started = Utc::now();
    let mode = Mode::of(&args);
    let (settings, state_dir) = super::load_and_begin(ctx).await?;
    let action = match mode {
        Mode::History => return history(&state_dir, ctx),
        Mode::Act(action) => action,
    };
    let fix = settings.fix.clone().ok_or_else(|| {
        Error::Usage(
            "fix needs a [fix] table in the config (mode, allowed_repos, allowed_recipes, checkout, verify); see the README".into(),
        )
    })?;
    let source = args
        .from
        .clone()
        .unwrap_or_else(|| crate::state::reports_dir(&state_dir, "gh-watch").join("latest.json"));
    let _lock = if action.writes() {
        Some(
            crate::state::acquire_all(&state_dir, crate::fix::locks(&fix), ctx.global.wait_lock)
                .await?,
        )
    } else {
        None
    };
    let pass = match action {
        Action::Propose(propose_mode) => {
            let proposer = fix.proposer.as_ref().ok_or_else(|| {
                Error::Usage(
                    "fix --propose needs a [fix.proposer] table (argv, or url and model); see the README".into(),
                )
            })?;
            let opts = propose::Options {
                fix: &fix,
                proposer,
                source: &source,
                fingerprint: args.fingerprint.as_deref(),
                mode: propose_mode,
            };
            propose::run(&settings, &state_dir, &opts).await?
        }
        Action::Recipe { apply } => {
            let opts = run::Options {
                fix: &fix,
                source: &source,
                fingerprint: args.fingerprint.as_deref(),
                apply,
            };
            run::run(&settings, &state_dir, &opts).await?
        }
    };
    let (status, summary, reports) = (pass.status, pass.summary, pass.reports);
    let env = Envelope::new(
        "fix",
        started,
        status,
        summary,
        Body {
            applied: action.applies(),
            mode: if matches!(action, Action::Propose(_)) {
                "propose".into()
            } else {
                run::mode_name(fix.mode).into()
            },
            source: source.display().to_string(),
            fixes: reports,
        },
    );
    emit::finish(&env, started, &state_dir, ctx, || view(&env.body)).await
}

fn view(body: &Body) -> View {
    let mut table = output::table::new(&[
        "FINGERPRINT",
        "REPO",
        "CATEGORY",
        "RECIPE",
        "OUTCOME",
        "REASON",
    ]);
    let mut problems = Vec::new();
    let mut footnotes = Vec::new();
    for f in &body.fixes {
        let outcome = f.outcome.as_str().to_owned();
        table.add_row(vec![
            f.fingerprint.chars().take(12).collect(),
            f.repo.clone().unwrap_or_default(),
            f.category.clone(),
            f.recipe.clone().unwrap_or_default(),
            outcome.clone(),
            if f.would_refuse.is_empty() {
                f.reason
                    .clone()
                    .or_else(|| f.pr_url.clone())
                    .unwrap_or_default()
            } else {
                format!("would refuse: {}", f.would_refuse.join("; "))
            },
        ]);
        for why in &f.would_refuse {
            footnotes.push(format!("{}: would refuse: {why}", f.fingerprint));
        }
        if matches!(f.outcome, Outcome::RolledBack | Outcome::Refused) {
            problems.push(format!(
                "{} {} ({}): {outcome}: {}",
                f.repo.as_deref().unwrap_or("-"),
                f.category,
                f.fingerprint,
                f.reason.as_deref().unwrap_or("")
            ));
        }
        if matches!(f.outcome, Outcome::Planned) {
            for argv in &f.commands {
                footnotes.push(format!("{}: would run: {}", f.fingerprint, argv.join(" ")));
            }
            // A proposal shows its validated diff; without a call, the prompt that would go.
            let shown = f
                .proposal
                .as_ref()
                .or(f.prompt.as_ref())
                .or(f.diff.as_ref());
            if let Some(text) = shown {
                footnotes.extend(text.lines().map(str::to_owned));
            }
        }
    }
    View {
        table: Some(table),
        problems,
        footnotes,
        // The plan and the diff are what a dry run is for.
        answer: !body.applied,
        ..View::default()
    }
}

fn history(state_dir: &Path, ctx: &Ctx) -> Result<Code> {
    let records = ledger::history(state_dir);
    if ctx.output.mode == crate::output::Mode::Json {
        let json = serde_json::to_string_pretty(&records).expect("records serialize");
        emit::print(&format!("{json}\n"))?;
        return Ok(Code::Ok);
    }
    if records.is_empty() {
        emit::print("no fix has been attempted yet: `mcpctl fix --apply` records each one\n")?;
        return Ok(Code::Ok);
    }
    let mut table =
        output::table::new(&["TIME", "FINGERPRINT", "REPO", "RECIPE", "OUTCOME", "DETAIL"]);
    for r in &records {
        table.add_row(vec![
            r.time.format("%Y-%m-%d %H:%M").to_string(),
            r.fingerprint.chars().take(12).collect(),
            r.repo.clone().unwrap_or_default(),
            r.recipe.clone().unwrap_or_default(),
            r.outcome.clone(),
            r.pr_url
                .clone()
                .or_else(|| r.reason.clone())
                .unwrap_or_default(),
        ]);
    }
    emit::print(&format!(
        "{table}\n{} recorded\n",
        output::plural(records.len(), "fix", "fixes")
    ))?;
    Ok(Code::Ok)
}
