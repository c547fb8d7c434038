//! `fix --propose`: for a failure no recipe covers, ask a model (a command or a chat-completions
//! endpoint) for a patch, validate it before the checkout is touched, and with `--apply` apply
//! it on the fix branch, verify, commit and open a pull request, or roll back. Every guard of
//! `fix` applies, plus `max_calls_per_day`.

mod budget;
mod call;
mod diff;
mod error;
mod index;
mod paths;
mod prompt;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::Utc;

use error::ProposeError;

use super::error::FixError;
use super::fixer::{self, Fixer};
use super::git::Git;
use super::ledger::{self, Attempts, Record};
use super::outcome::{FixReport, Outcome};
use super::run::Pass;
use crate::ci::Issue;
use crate::config::{FixMode, FixSettings, ProposerKind, ProposerSettings, Settings};
use crate::error::{Error, Result};
use crate::reports::gh_watch::RunReport;

/// How far a `fix --propose` run goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Build and show the prompt; call nothing.
    Prompt,
    /// Also call the proposer and show its validated diff; the checkout is not touched.
    Call,
    /// Apply on the fix branch, verify, commit and open a pull request.
    Apply,
}

/// The label every proposed pull request carries.
pub(crate) const LABEL: &str = "mcpctl-proposed";

pub(crate) struct Options<'a> {
    pub fix: &'a FixSettings,
    pub proposer: &'a ProposerSettings,
    /// A gh-watch report.
    pub source: &'a Path,
    /// Only the issue with this fingerprint (or its first 6+ characters).
    pub fingerprint: Option<&'a str>,
    pub mode: Mode,
}

/// Why a proposal went no further.
#[derive(Debug, thiserror::Error)]
enum Stop {
    /// The answer failed validation: outcome `refused`.
    #[error("the proposal was refused: {0}")]
    Refused(ProposeError),
    /// A step failed (the prompt, the call, git, verify, GitHub): outcome `rolled_back` once
    /// applying began.
    #[error(transparent)]
    Failed(ProposeError),
}

/// `?` on a step: a failure, unless said to be a refusal.
impl From<ProposeError> for Stop {
    fn from(why: ProposeError) -> Self {
        Stop::Failed(why)
    }
}

impl From<FixError> for Stop {
    fn from(why: FixError) -> Self {
        Stop::Failed(why.into())
    }
}

impl Stop {
    fn refused(&self) -> bool {
        matches!(self, Stop::Refused(_))
    }
}

/// What was sent and what came back, for the history.
#[derive(Default)]
struct Exchange {
    prompt: Option<String>,
    answer: Option<String>,
}

/// The issues of `opts.source` that no recipe covers, through the guards and the proposer. The
/// caller holds the run lock unless the mode is `Prompt`.
pub(crate) async fn run(settings: &Settings, state_dir: &Path, opts: &Options<'_>) -> Result<Pass> {
    let input = super::input::read(opts.source)?;
    let issues = super::input::select(&input, opts.fingerprint);
    if let Some(fp) = opts.fingerprint
        && issues.is_empty()
    {
        return Err(Error::Usage(format!(
            "no issue with fingerprint {fp} in {}",
            opts.source.display()
        )));
    }
    let apply = opts.mode == Mode::Apply;
    let undone = if apply {
        super::inflight::undo(state_dir, opts.fix.git_timeout).await?
    } else {
        None
    };
    let mut fixer = Fixer::new(settings, opts.fix, state_dir, BTreeMap::new(), apply);
    if let ProposerKind::Http {
        api_key: Some(key), ..
    } = &opts.proposer.kind
    {
        // Neither the proposer's key nor its variable reaches verify or the output.
        for var in key
            .split("${")
            .skip(1)
            .filter_map(|r| r.split_once('}'))
            .map(|(name, _)| name.split(':').next().unwrap_or(name))
        {
            fixer.hide(var);
        }
    }
    let mut attempts = ledger::load_attempts(state_dir);
    let mut proposer = Proposer {
        fixer,
        opts,
        state_dir,
    };
    let mut reports = Vec::new();
    for (run, issue) in &issues {
        let mut exchange = Exchange::default();
        let report = proposer.one(run, issue, &mut attempts, &mut exchange).await;
        if exchange.answer.is_some() || apply && !matches!(report.outcome, Outcome::Planned) {
            record(state_dir, &report, exchange, proposer.fixer.redactor());
        }
        reports.push(report);
    }
    if apply {
        ledger::save_attempts(state_dir, &attempts)?;
    }
    let (status, mut summary) = super::run::judge(&reports, apply);
    if let Some(note) = undone {
        summary = format!("{note}; {summary}");
    }
    Ok(Pass {
        reports,
        status,
        summary,
    })
}

fn record(
    state_dir: &Path,
    report: &FixReport,
    exchange: Exchange,
    redactor: &crate::redact::Redactor,
) {
    let record = Record {
        time: Utc::now(),
        fingerprint: report.fingerprint.clone(),
        repo: report.repo.clone(),
        category: report.category.clone(),
        recipe: Some("propose".into()),
        outcome: report.outcome.as_str().to_owned(),
        reason: report.reason.clone(),
        verify_passed: report.verify_passed,
        pr_url: report.pr_url.clone(),
        commit: report.commit.clone(),
        prompt: exchange.prompt,
        answer: exchange.answer.map(|a| redactor.redact_shapes(&a)),
    };
    if let Err(e) = ledger::append(state_dir, &record) {
        tracing::warn!("cannot append to the fix history: {e}");
    }
}

struct Proposer<'a> {
    fixer: Fixer<'a>,
    opts: &'a Options<'a>,
    state_dir: &'a Path,
}

impl Proposer<'_> {
    async fn one(
        &mut self,
        run: &RunReport,
        issue: &Issue,
        attempts: &mut BTreeMap<String, Attempts>,
        exchange: &mut Exchange,
    ) -> FixReport {
        let mut report = fixer::new_report(run, issue, attempts);
        report.recipe = Some("propose".into());
        report.proposer = Some(call::name(self.opts.proposer));
        let mut would = Vec::new();
        let repo = match self.guard(run, issue, attempts, &mut would).await {
            Ok(repo) => repo,
            Err((outcome, reason)) => {
                report.outcome = outcome;
                report.reason = Some(reason);
                return report;
            }
        };
        let Some(dir) = self
            .fixer
            .checkout(&repo)
            .filter(|d| d.join(".git").exists())
        else {
            report.outcome = Outcome::Refused;
            report.reason = Some(format!(
                "no git checkout of {repo}: set [fix] checkout or [fix.repos.\"{repo}\"] checkout"
            ));
            return report;
        };
        let git = Git::new(&dir, self.opts.fix.git_timeout);
        let report = match self.opts.mode {
            Mode::Apply => {
                return self
                    .apply(run, issue, &repo, &dir, attempts, report, exchange)
                    .await;
            }
            Mode::Prompt => self.dry(run, issue, &git, false, report, exchange).await,
            Mode::Call => self.dry(run, issue, &git, true, report, exchange).await,
        };
        let mut report = report;
        if matches!(report.outcome, Outcome::Planned)
            && let Err(why) = git.snapshot().await
        {
            // --apply refuses a checkout with work in progress; the plan says so.
            would.push(why.to_string());
        }
        self.fixer.planned(&mut report, would);
        report
    }

    /// The guards of `fix`, then the proposer's own. Ok is the repository.
    async fn guard(
        &mut self,
        run: &RunReport,
        issue: &Issue,
        attempts: &BTreeMap<String, Attempts>,
        would: &mut Vec<String>,
    ) -> std::result::Result<String, (Outcome, String)> {
        let skip = |why: String| Err((Outcome::Skipped, why));
        if let Some(why) = fixer::malformed(issue) {
            return Err((Outcome::Refused, why));
        }
        if let Some(fix) = issue.fix.as_ref().filter(|_| issue.auto_fixable)
            && self.opts.fix.allowed_recipes.contains(&fix.recipe)
        {
            return skip(format!(
                "the recipe {} covers it: `mcpctl fix` applies it, --propose is for failures no recipe covers",
                fix.recipe
            ));
        }
        if !self.opts.proposer.categories.contains(&issue.category) {
            return skip(format!(
                "category {} is not in [fix.proposer] categories ({})",
                issue.category,
                self.opts.proposer.categories.join(", ")
            ));
        }
        let repo = self.fixer.repo_guard(run)?;
        if self.opts.fix.mode == FixMode::RerunOnly {
            return skip("[fix] mode is rerun-only, and a proposal changes code".into());
        }
        let ships_pull = self.opts.mode == Mode::Apply;
        self.fixer
            .budget_guard(&repo, issue, attempts, would, true, ships_pull)
            .await?;
        let max = self.opts.proposer.max_calls_per_day;
        if budget::used(self.state_dir) >= max {
            let why = format!(
                "max_calls_per_day ({max}) reached: {} proposer calls today (UTC); the next day continues",
                budget::used(self.state_dir)
            );
            if self.opts.mode == Mode::Prompt {
                would.push(why);
            } else {
                return skip(why);
            }
        }
        Ok(repo)
    }

    /// The prompt, and with `call` the proposer's validated diff; the checkout is not touched.
    async fn dry(
        &mut self,
        run: &RunReport,
        issue: &Issue,
        git: &Git,
        call: bool,
        mut report: FixReport,
        exchange: &mut Exchange,
    ) -> FixReport {
        match self
            .propose(run, issue, git, call, &mut report, exchange)
            .await
        {
            Ok(_) => report.outcome = Outcome::Planned,
            // Nothing was touched, so a failed call and a refused answer both end here.
            Err(stop) => {
                report.outcome = Outcome::Refused;
                report.reason = Some(stop.to_string());
            }
        }
        report
    }

    /// Builds the prompt into the report; with `call` asks the proposer and validates its
    /// answer against `git`'s work tree (`git apply --check`, nothing applied).
    async fn propose(
        &mut self,
        run: &RunReport,
        issue: &Issue,
        git: &Git,
        call: bool,
        report: &mut FixReport,
        exchange: &mut Exchange,
    ) -> std::result::Result<(prompt::Prompt, Option<diff::Proposal>), Stop> {
        let prompt = prompt::build(run, issue, git, self.fixer.redactor()).await?;
        report.prompt = Some(prompt.text.clone());
        exchange.prompt = Some(prompt.text.clone());
        if !call {
            return Ok((prompt, None));
        }
        budget::take(self.state_dir, self.opts.proposer.max_calls_per_day)?;
        tracing::debug!(
            "calling the proposer with a {}-byte prompt",
            prompt.text.len()
        );
        let answer = call::ask(&call::Call {
            settings: self.opts.proposer,
            prompt: &prompt.text,
            unset: self.fixer.hidden(),
            redactor: self.fixer.redactor(),
        })
        .await?;
        exchange.answer = Some(answer.clone());
        let proposal = diff::check(&answer, git, self.opts.proposer)
            .await
            .map_err(Stop::Refused)?;
        diff::apply(git, &proposal, false)
            .await
            .map_err(Stop::Refused)?;
        report.proposal = Some(self.fixer.redactor().redact(&proposal.diff));
        Ok((prompt, Some(proposal)))
    }

    /// Snapshot, fix branch, prompt, call, validation, `git apply`, verify, commit, pull
    /// request; on any failure the checkout goes back to the snapshot.
    #[allow(clippy::too_many_arguments)]
    async fn apply(
        &mut self,
        run: &RunReport,
        issue: &Issue,
        repo: &str,
        dir: &Path,
        attempts: &mut BTreeMap<String, Attempts>,
        mut report: FixReport,
        exchange: &mut Exchange,
    ) -> FixReport {
        let Some(base) = run.branch.clone() else {
            report.outcome = Outcome::Skipped;
            report.reason = Some("the run names no branch to fix".into());
            return report;
        };
        let Some((git, snap, verify)) = self.fixer.begin(repo, dir, &mut report).await else {
            return report;
        };
        let Some(branch) = self.fixer.start(issue, &snap, dir, attempts, &mut report) else {
            return report;
        };
        let shipped = self
            .attempt(
                run,
                issue,
                repo,
                &git,
                &base,
                &branch,
                &verify,
                &mut report,
                exchange,
            )
            .await;
        let refused = shipped.as_ref().is_err_and(Stop::refused);
        let mut report = self
            .fixer
            .end(&git, &snap, issue, attempts, shipped, true, report)
            .await;
        if refused && matches!(report.outcome, Outcome::RolledBack) {
            report.outcome = Outcome::Refused;
        }
        report
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &mut self,
        run: &RunReport,
        issue: &Issue,
        repo: &str,
        git: &Git,
        base: &str,
        branch: &str,
        verify: &[String],
        report: &mut FixReport,
        exchange: &mut Exchange,
    ) -> std::result::Result<(), Stop> {
        fixer::branch_off(git, base, branch).await?;
        let (prompt, proposal) = self
            .propose(run, issue, git, true, report, exchange)
            .await?;
        let proposal = proposal.expect("called, so validated");
        // The proposer ran outside the checkout; anything changed in it since is not ours.
        let status = git
            .run(&["status", "--porcelain=v1", "--untracked-files=all"])
            .await?;
        if !status.is_empty() {
            return Err(Stop::Failed(ProposeError::Changed {
                first: status[0].trim().to_owned(),
            }));
        }
        diff::apply(git, &proposal, true).await?;
        let name = call::name(self.opts.proposer);
        let message = commit_message(run, issue, &name, &proposal);
        self.fixer
            .verify_and_commit(git, verify, &message, report)
            .await?;
        let title = format!("fix: {} (proposed by {name})", issue.description);
        let body = pr_body(run, issue, &name, &prompt, report);
        let pull = self
            .fixer
            .push_and_open_pull(git, repo, base, branch, &title, &body)
            .await?;
        report.pr_url = Some(pull.html_url.clone());
        let labelled = match self.fixer.writer() {
            Ok(w) => w
                .add_labels(repo, pull.number, &[LABEL])
                .await
                .map_err(FixError::from),
            Err(e) => Err(e),
        };
        if let Err(e) = labelled {
            // The pull request is open and reviewable; a missing label is not worth undoing it.
            report.reason = Some(format!("opened, but without the {LABEL} label: {e}"));
        }
        Ok(())
    }
}

fn commit_message(run: &RunReport, issue: &Issue, name: &str, p: &diff::Proposal) -> String {
    let mut m = format!(
        "fix: {} (proposed)\n\nmcpctl fix --propose asked {name} for a patch for a {} failure",
        issue.description, issue.category
    );
    if let Some(w) = &run.workflow {
        m.push_str(&format!(" in {w}"));
    }
    m.push_str(&format!(
        "; it changes {} ({} added, {} removed lines) and passed verify.\n\nMatched log line:\n    ",
        p.files.join(", "),
        p.added,
        p.removed
    ));
    m.push_str(issue.line.trim());
    m.push('\n');
    if let Some(url) = &run.url {
        m.push_str(&format!("\nFailed run: {url}\n"));
    }
    if let Some(sha) = &run.sha {
        m.push_str(&format!("Failing commit: {sha}\n"));
    }
    m.push_str(&format!(
        "\nFixes-Fingerprint: {}\nProposed-By: {name}\n",
        issue.fingerprint
    ));
    m
}

fn pr_body(
    run: &RunReport,
    issue: &Issue,
    name: &str,
    prompt: &prompt::Prompt,
    report: &FixReport,
) -> String {
    let fence = |lang: &str, text: &str| format!("```{lang}\n{}\n```\n", text.trim_end());
    let mut b = format!(
        "**{}** (key `{}`) — {}\n\nThis patch was written by a model ({name}) through `mcpctl fix --propose`: review it as you would an outside contribution.\n\n",
        issue.category,
        issue.key.as_deref().unwrap_or("-"),
        issue.description
    );
    if let Some(url) = &run.url {
        b.push_str(&format!("Failed run: {url}\n\n"));
    }
    b.push_str(&prompt.summary());
    b.push_str("\nThe model's diff:\n");
    b.push_str(&fence(
        "diff",
        report.proposal.as_deref().unwrap_or_default(),
    ));
    b.push_str("\nVerify output (tail):\n");
    b.push_str(&fence("", &report.verify_tail.join("\n")));
    b.push_str(&format!(
        "\nFixes-Fingerprint: {}\nProposed-By: {name}\n",
        issue.fingerprint
    ));
    b
}
