//! One issue through the guards, the plan and — with `--apply` — the branch, the recipe, the
//! verify step, the commit and the shipping, or the rollback.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Utc;

use super::error::FixError;
use super::git::{Git, Snapshot};
use super::inflight;
use super::ledger::{self, Attempts};
use super::outcome::{FixReport, Outcome};
use super::recipes::{self, Action, NotPlanned};
use crate::ci::github::{self, Pull};
use crate::ci::{FixPlan, Issue};
use crate::config::{FixMode, FixSettings, Settings};
use crate::redact::Redactor;
use crate::reports::gh_watch::RunReport;

/// `mcpctl/fix/<category>-<first 8 of the fingerprint>`: one branch per fingerprint.
pub(crate) fn fix_branch(issue: &Issue) -> String {
    let short = &issue.fingerprint[..issue.fingerprint.len().min(8)];
    format!("mcpctl/fix/{}-{short}", issue.category.replace('_', "-"))
}

pub(crate) struct Fixer<'a> {
    settings: &'a Settings,
    fix: &'a FixSettings,
    state_dir: &'a Path,
    actions: BTreeMap<String, String>,
    apply: bool,
    /// Fixes acted on in this run, for max_fixes_per_run.
    acted: u32,
    writer: Option<github::Client>,
    redactor: Redactor,
    /// The token's variables: recipes and verify run without them.
    hidden: Vec<String>,
}

/// Where tokens usually live, besides the variables `[github] token` names.
const TOKEN_VARS: &[&str] = &[
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GITHUB_PAT",
    "GH_ENTERPRISE_TOKEN",
];

impl<'a> Fixer<'a> {
    pub(crate) fn new(
        settings: &'a Settings,
        fix: &'a FixSettings,
        state_dir: &'a Path,
        actions: BTreeMap<String, String>,
        apply: bool,
    ) -> Self {
        let configured = settings.github.token.as_deref().unwrap_or("");
        let mut hidden: Vec<String> = TOKEN_VARS.iter().map(|v| (*v).to_owned()).collect();
        hidden.extend(
            configured
                .split("${")
                .skip(1)
                .filter_map(|r| r.split_once('}'))
                .map(|(name, _)| name.split(':').next().unwrap_or(name).to_owned()),
        );
        // Redacted from every output whether or not a GitHub call is made.
        let mut redactor = Redactor::default();
        for var in &hidden {
            if let Ok(value) = std::env::var(var) {
                redactor.add(&value);
            }
        }
        Self {
            settings,
            fix,
            state_dir,
            actions,
            apply,
            acted: 0,
            writer: None,
            redactor,
            hidden,
        }
    }
}

impl Fixer<'_> {
    pub(crate) async fn one(
        &mut self,
        run: &RunReport,
        issue: &Issue,
        attempts: &mut BTreeMap<String, Attempts>,
    ) -> FixReport {
        let mut report = new_report(run, issue, attempts);
        let mut would = Vec::new();
        if let Err((outcome, reason)) = self.guard(run, issue, attempts, &mut would).await {
            report.outcome = outcome;
            report.reason = Some(reason);
            return report;
        }
        let mut report = self.plan_or_apply(run, issue, attempts, report).await;
        self.planned(&mut report, would);
        report
    }

    /// A dry run's plan is counted like --apply would count it, so the per-run cap shows in the
    /// plan too, and it lists the guards --apply would stop at.
    pub(crate) fn planned(&mut self, report: &mut FixReport, would: Vec<String>) {
        if !self.apply && matches!(report.outcome, Outcome::Planned) {
            self.acted += 1;
            report.would_refuse.extend(would);
        }
    }

    /// Secrets and the variables holding them: redacted from output, unset for child commands.
    pub(crate) fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    pub(crate) fn hidden(&self) -> &[String] {
        &self.hidden
    }

    /// One more variable no child may read (the proposer's API key), its value redacted.
    pub(crate) fn hide(&mut self, var: &str) {
        if let Ok(value) = std::env::var(var) {
            self.redactor.add(&value);
        }
        self.hidden.push(var.to_owned());
    }

    async fn plan_or_apply(
        &mut self,
        run: &RunReport,
        issue: &Issue,
        attempts: &mut BTreeMap<String, Attempts>,
        mut report: FixReport,
    ) -> FixReport {
        let fix = issue.fix.as_ref().expect("guard checked the recipe");
        let repo = run.repo.as_deref().expect("guard checked the repo");
        let checkout = self.checkout(repo);
        if fix.recipe != "rerun" {
            let Some(dir) = checkout.as_deref().filter(|d| d.join(".git").exists()) else {
                report.outcome = Outcome::Refused;
                report.reason = Some(format!(
                    "no git checkout of {repo}: set [fix] checkout or [fix.repos.\"{repo}\"] checkout"
                ));
                return report;
            };
            if self.apply {
                return self
                    .apply_code(run, issue, fix, dir, attempts, report)
                    .await;
            }
            match self.plan(run, issue, fix, dir) {
                Ok(action) => {
                    describe_action(&action, dir, &mut report);
                    report.outcome = Outcome::Planned;
                    // --apply refuses a checkout with work in progress; the plan says so.
                    if let Err(why) = Git::new(dir, self.fix.git_timeout).snapshot().await {
                        report.would_refuse.push(why.to_string());
                    }
                }
                Err(e) => not_planned(e, &mut report),
            }
            return report;
        }
        report.commands = vec![vec!["rerun".into()]];
        if !self.apply {
            report.outcome = Outcome::Planned;
            return report;
        }
        self.acted += 1;
        self.count_attempt(attempts, &issue.fingerprint);
        report.attempts += 1;
        match self.rerun(run).await {
            Ok(()) => report.outcome = Outcome::Applied,
            Err(e) => {
                report.outcome = Outcome::RolledBack;
                report.reason = Some(e.to_string());
            }
        }
        report
    }

    pub(crate) fn checkout(&self, repo: &str) -> Option<PathBuf> {
        self.fix
            .repos
            .get(repo)
            .and_then(|r| r.checkout.clone())
            .or_else(|| self.fix.checkout.clone())
    }

    fn verify(&self, repo: &str) -> Vec<String> {
        self.fix
            .repos
            .get(repo)
            .and_then(|r| r.verify.clone())
            .unwrap_or_else(|| self.fix.verify.clone())
    }

    /// Every guard, cheapest first. Err carries the outcome and the reason.
    async fn guard(
        &mut self,
        run: &RunReport,
        issue: &Issue,
        attempts: &BTreeMap<String, Attempts>,
        would: &mut Vec<String>,
    ) -> std::result::Result<(), (Outcome, String)> {
        let skip = |why: String| Err((Outcome::Skipped, why));
        if let Some(why) = malformed(issue) {
            return Err((Outcome::Refused, why));
        }
        // `unknown` is gh-watch's fallback: a failure no pattern recognised. Nothing about it is
        // known well enough to act on, even when a hand-edited report claims a recipe.
        if issue.category == "unknown" {
            return skip(format!(
                "the failure was not recognised (category unknown, pattern {}); fix acts only on recognised failures",
                issue.pattern_id
            ));
        }
        let Some(fix) = issue.fix.as_ref().filter(|_| issue.auto_fixable) else {
            return skip(format!(
                "pattern {} is not auto-fixable: {}",
                issue.pattern_id, issue.description
            ));
        };
        let repo = self.repo_guard(run)?;
        if !self.fix.allowed_recipes.contains(&fix.recipe) {
            return skip(format!(
                "recipe {} is not in [fix] allowed_recipes",
                fix.recipe
            ));
        }
        if self.fix.mode == FixMode::RerunOnly && fix.recipe != "rerun" {
            return skip(format!(
                "[fix] mode is rerun-only, and {} changes code",
                fix.recipe
            ));
        }
        if fix.recipe == "rerun" && run.run_id.is_none() {
            return skip("no run id to re-run".into());
        }
        if fix.recipe == "rerun" && issue.recurrence == crate::ci::history::Recurrence::Persistent {
            return skip("the failure is persistent: it came back on other commits, so a re-run will not help".into());
        }
        let code = fix.recipe != "rerun";
        let ships_pull = self.apply && self.fix.mode == FixMode::PullRequest;
        self.budget_guard(&repo, issue, attempts, would, code, ships_pull)
            .await
    }

    /// The repository the run names, if fix may work on it: named, not a fork's commit, and in
    /// allowed_repos.
    pub(crate) fn repo_guard(
        &self,
        run: &RunReport,
    ) -> std::result::Result<String, (Outcome, String)> {
        let skip = |why: String| Err((Outcome::Skipped, why));
        let Some(repo) = run.repo.as_deref() else {
            return skip("the issue names no repository (a --log run without --repo)".into());
        };
        if let Some(head) = run.head_repo.as_deref()
            && !head.eq_ignore_ascii_case(repo)
        {
            return skip(format!(
                "the failing commit comes from {head}, not {repo} (a fork's pull request); fix works only on the watched repository's own branches"
            ));
        }
        if !self
            .fix
            .allowed_repos
            .iter()
            .any(|r| r.eq_ignore_ascii_case(repo))
        {
            return skip(format!("{repo} is not in [fix] allowed_repos"));
        }
        Ok(repo.to_owned())
    }

    /// The guards of the moment, shared by recipes and proposals: the window, the attempt
    /// budget, the per-run cap, and (for a change to code) an earlier pull request still open.
    /// They stop --apply; a dry run plans anyway and lists them in `would`.
    pub(crate) async fn budget_guard(
        &mut self,
        repo: &str,
        issue: &Issue,
        attempts: &BTreeMap<String, Attempts>,
        would: &mut Vec<String>,
        code: bool,
        ships_pull: bool,
    ) -> std::result::Result<(), (Outcome, String)> {
        let skip = |why: String| Err((Outcome::Skipped, why));
        let apply = self.apply;
        let mut hold = |why: String| {
            if apply {
                Err((Outcome::Skipped, why))
            } else {
                would.push(why);
                Ok(())
            }
        };
        if let Some(why) = self.outside_window() {
            hold(why)?;
        }
        let tried = attempts.get(&issue.fingerprint);
        let count = tried.map_or(0, |a| a.count);
        if count >= self.fix.max_attempts_per_fingerprint {
            hold(format!(
                "attempt budget exhausted: {count} of {} attempts used (max_attempts_per_fingerprint); fix it by hand",
                self.fix.max_attempts_per_fingerprint
            ))?;
        }
        if self.acted >= self.fix.max_fixes_per_run {
            hold(format!(
                "max_fixes_per_run ({}) reached; the next run continues",
                self.fix.max_fixes_per_run
            ))?;
        }
        // The branch name follows from the fingerprint, so GitHub is asked even when the state
        // that remembers the pull request was lost.
        let remembered = tried.is_some_and(|a| a.pr_branch.is_some());
        if code && (remembered || ships_pull) {
            match self.open_pull(repo, &fix_branch(issue)).await {
                Ok(Some(url)) => {
                    return skip(format!("the earlier fix {url} is still open"));
                }
                Ok(None) => {}
                Err(e) => {
                    return skip(format!(
                        "cannot tell whether the earlier fix is still open: {e}"
                    ));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn writer(&mut self) -> std::result::Result<&github::Client, FixError> {
        if self.writer.is_none() {
            let token = crate::ci::token::github(self.settings.github.token.as_deref())
                .map_err(FixError::Token)?;
            self.redactor.add(&token);
            self.writer = Some(github::Client::new(
                &self.settings.github.api_url,
                &token,
                self.settings.defaults.timeout,
            )?);
        }
        Ok(self.writer.as_ref().expect("set above"))
    }

    async fn open_pull(
        &mut self,
        repo: &str,
        branch: &str,
    ) -> std::result::Result<Option<String>, FixError> {
        let writer = self.writer()?;
        let open = writer.open_pull(repo, branch).await?;
        Ok(open.map(|p| p.html_url))
    }

    async fn rerun(&mut self, run: &RunReport) -> std::result::Result<(), FixError> {
        let repo = run.repo.as_deref().unwrap_or_default();
        let id = run.run_id.unwrap_or_default();
        let writer = self.writer()?;
        Ok(writer.rerun_failed_jobs(repo, id).await?)
    }

    fn plan(
        &self,
        run: &RunReport,
        issue: &Issue,
        fix: &FixPlan,
        dir: &Path,
    ) -> std::result::Result<Action, NotPlanned> {
        let job = issue
            .job
            .as_deref()
            .or_else(|| run.jobs.first().map(|j| j.name.as_str()));
        let cx = recipes::Context {
            checkout: dir,
            workflow: run.workflow.as_deref(),
            job,
            pattern_id: &issue.pattern_id,
            actions: &self.actions,
            max_timeout_minutes: self.fix.max_timeout_minutes,
            user: &self.fix.recipes,
        };
        let req = recipes::Request {
            recipe: &fix.recipe,
            args: &fix.args,
            key: issue.key.as_deref(),
            captures: &issue.captures,
            context: &issue.context,
        };
        recipes::plan(&req, &cx)
    }

    async fn apply_code(
        &mut self,
        run: &RunReport,
        issue: &Issue,
        fix: &FixPlan,
        dir: &Path,
        attempts: &mut BTreeMap<String, Attempts>,
        mut report: FixReport,
    ) -> FixReport {
        let repo = run.repo.clone().unwrap_or_default();
        let Some(base) = run.branch.clone() else {
            report.outcome = Outcome::Skipped;
            report.reason = Some("the run names no branch to fix".into());
            return report;
        };
        let Some((git, snap, verify)) = self.begin(&repo, dir, &mut report).await else {
            return report;
        };
        // Grammar and plan checks happen before anything is touched or counted.
        if let Err(e) = self.plan(run, issue, fix, dir) {
            not_planned(e, &mut report);
            return report;
        }
        let Some(branch) = self.start(issue, &snap, dir, attempts, &mut report) else {
            return report;
        };
        let shipped = self
            .attempt(run, issue, fix, &git, &base, &branch, &verify, &mut report)
            .await;
        let pull = self.fix.mode == FixMode::PullRequest;
        self.end(&git, &snap, issue, attempts, shipped, pull, report)
            .await
    }

    /// The verify argv and the checkout's state before anything is touched, or None with the
    /// report refused: no verify command, or work in progress.
    pub(crate) async fn begin(
        &self,
        repo: &str,
        dir: &Path,
        report: &mut FixReport,
    ) -> Option<(Git, Snapshot, Vec<String>)> {
        let verify = self.verify(repo);
        if verify.is_empty() {
            report.outcome = Outcome::Refused;
            report.reason = Some(
                "no verify command: set [fix] verify (an argv) so a fix is tested before it ships"
                    .into(),
            );
            return None;
        }
        let git = Git::new(dir, self.fix.git_timeout);
        match git.snapshot().await {
            Ok(snap) => Some((git, snap, verify)),
            Err(e) => {
                report.outcome = Outcome::Refused;
                report.reason = Some(e.to_string());
                None
            }
        }
    }

    /// Counts the attempt and leaves the in-flight marker; returns the fix branch, or None
    /// with the report refused.
    pub(crate) fn start(
        &mut self,
        issue: &Issue,
        snap: &Snapshot,
        dir: &Path,
        attempts: &mut BTreeMap<String, Attempts>,
        report: &mut FixReport,
    ) -> Option<String> {
        self.acted += 1;
        self.count_attempt(attempts, &issue.fingerprint);
        report.attempts += 1;
        let branch = fix_branch(issue);
        report.branch = Some(branch.clone());
        let marker = inflight::Inflight {
            checkout: dir.to_path_buf(),
            branch: snap.branch.clone(),
            head: snap.head.clone(),
            fix_branch: branch.clone(),
        };
        if let Err(e) = inflight::save(self.state_dir, &marker) {
            report.outcome = Outcome::Refused;
            report.reason = Some(format!("cannot record the fix in progress: {e}"));
            return None;
        }
        Some(branch)
    }

    /// The outcome of an attempt, and the checkout back where the person left it either way;
    /// a failure says what failed and where the checkout is now.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn end(
        &self,
        git: &Git,
        snap: &Snapshot,
        issue: &Issue,
        attempts: &mut BTreeMap<String, Attempts>,
        shipped: std::result::Result<(), impl std::fmt::Display>,
        pull: bool,
        mut report: FixReport,
    ) -> FixReport {
        let branch = fix_branch(issue);
        match shipped {
            Ok(()) => {
                report.outcome = Outcome::Applied;
                if pull {
                    let a = attempts.entry(issue.fingerprint.clone()).or_default();
                    a.pr_url.clone_from(&report.pr_url);
                    a.pr_branch = Some(branch.clone());
                }
                match git.restore(snap, &branch).await {
                    Ok(()) => inflight::clear(self.state_dir),
                    Err(e) => {
                        report.reason = Some(format!(
                            "shipped, but the checkout was not returned to its branch: {e}"
                        ));
                    }
                }
            }
            Err(why) => {
                report.outcome = Outcome::RolledBack;
                let restored = git.restore(snap, &branch).await;
                report.reason = Some(match restored {
                    Ok(()) => {
                        inflight::clear(self.state_dir);
                        format!("{why}; the checkout is back at {}", describe_snap(snap))
                    }
                    Err(e) => format!(
                        "{why}; ROLLBACK FAILED, look at {} by hand: {e}",
                        git.dir.display()
                    ),
                });
            }
        }
        report
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &mut self,
        run: &RunReport,
        issue: &Issue,
        fix: &FixPlan,
        git: &Git,
        base: &str,
        branch: &str,
        verify: &[String],
        report: &mut FixReport,
    ) -> std::result::Result<(), FixError> {
        branch_off(git, base, branch).await?;
        // Planned again on the fetched branch head: that is the tree the fix applies to.
        let action = self.plan(run, issue, fix, &git.dir)?;
        describe_action(&action, &git.dir, report);
        match &action {
            Action::Edit(edits) => {
                for e in edits {
                    crate::state::write_atomic(&e.path, e.after.as_bytes(), mode_of(&e.path))
                        .map_err(FixError::Write)?;
                }
            }
            Action::Run(cmds) => {
                for argv in cmds {
                    self.run_in(&git.dir, argv).await?;
                }
            }
            Action::Rerun => unreachable!("rerun has no code step"),
        }
        let changed = git
            .run(&["status", "--porcelain=v1", "--untracked-files=all"])
            .await?;
        if changed.is_empty() {
            return Err(FixError::Unchanged {
                recipe: fix.recipe.clone(),
            });
        }
        self.verify_and_commit(git, verify, &commit_message(run, issue, fix), report)
            .await?;
        let repo = run.repo.as_deref().unwrap_or_default();
        match self.fix.mode {
            FixMode::Push => {
                let dest = format!("HEAD:refs/heads/{base}");
                git.run(&["push", "--quiet", "origin", &dest]).await?;
            }
            FixMode::PullRequest => {
                let title = format!("ci: {} ({})", issue.description, fix.recipe);
                let body = pr_body(run, issue, fix, report);
                let pull = self
                    .push_and_open_pull(git, repo, base, branch, &title, &body)
                    .await?;
                report.pr_url = Some(pull.html_url);
            }
            FixMode::RerunOnly => unreachable!("the guard keeps code recipes out of rerun-only"),
        }
        Ok(())
    }

    /// Runs verify in the checkout without the token's variables; on success stages
    /// everything and commits it with `message`.
    pub(crate) async fn verify_and_commit(
        &self,
        git: &Git,
        verify: &[String],
        message: &str,
        report: &mut FixReport,
    ) -> std::result::Result<(), FixError> {
        let spec = crate::argv::Spec {
            argv: verify,
            cwd: Some(&git.dir),
            env: &[],
            unset: &self.hidden,
            timeout: self.fix.verify_timeout,
            tail: 20,
        };
        let done = crate::argv::run(&spec).await?;
        report.verify_passed = Some(done.success());
        report.verify_tail = done.tail.iter().map(|l| self.redactor.redact(l)).collect();
        if !done.success() {
            return Err(FixError::Verify {
                argv: verify.to_vec(),
                ended: done.describe(self.fix.verify_timeout),
            });
        }
        git.run(&["add", "--all"]).await?;
        report.diff = Some(git.run(&["diff", "--cached", "--stat"]).await?.join("\n"));
        git.commit(message).await?;
        report.commit = Some(git.one(&["rev-parse", "HEAD"]).await?);
        Ok(())
    }

    /// Pushes the fix branch and opens its pull request; a branch GitHub then refused to open
    /// a pull request for is deleted again, since it was ours and only for that.
    pub(crate) async fn push_and_open_pull(
        &mut self,
        git: &Git,
        repo: &str,
        base: &str,
        branch: &str,
        title: &str,
        body: &str,
    ) -> std::result::Result<Pull, FixError> {
        let dest = format!("+{branch}:refs/heads/{branch}");
        git.run(&["push", "--quiet", "origin", &dest]).await?;
        let opened = match self.writer() {
            Ok(w) => w
                .create_pull(repo, branch, base, title, body)
                .await
                .map_err(FixError::from),
            Err(e) => Err(e),
        };
        if opened.is_err() {
            let _ = git
                .run(&["push", "--quiet", "origin", "--delete", branch])
                .await;
        }
        opened
    }

    async fn run_in(&self, dir: &Path, argv: &[String]) -> std::result::Result<(), FixError> {
        let spec = crate::argv::Spec {
            argv,
            cwd: Some(dir),
            env: &[],
            unset: &self.hidden,
            timeout: self.fix.verify_timeout,
            tail: 10,
        };
        let done = crate::argv::run(&spec).await?;
        if done.success() {
            Ok(())
        } else {
            Err(FixError::Command {
                argv: argv.to_vec(),
                ended: done.describe(self.fix.verify_timeout),
                tail: done.tail.iter().map(|l| self.redactor.redact(l)).collect(),
            })
        }
    }
}

impl Fixer<'_> {
    /// Counted and saved before acting, so a crash or a kill mid-fix still uses up an attempt.
    fn count_attempt(&self, attempts: &mut BTreeMap<String, Attempts>, fingerprint: &str) {
        let a = attempts.entry(fingerprint.to_owned()).or_default();
        a.count += 1;
        a.last = Some(Utc::now());
        if let Err(e) = ledger::save_attempts(self.state_dir, attempts) {
            tracing::warn!("cannot save the fix attempts: {e}");
        }
    }
}

/// A report for `issue` that no step has touched yet.
pub(crate) fn new_report(
    run: &RunReport,
    issue: &Issue,
    attempts: &BTreeMap<String, Attempts>,
) -> FixReport {
    FixReport {
        fingerprint: issue.fingerprint.clone(),
        repo: run.repo.clone(),
        run_id: run.run_id,
        category: issue.category.clone(),
        key: issue.key.clone(),
        recipe: issue.fix.as_ref().map(|f| f.recipe.clone()),
        args: issue
            .fix
            .as_ref()
            .map(|f| f.args.clone())
            .unwrap_or_default(),
        outcome: Outcome::Skipped,
        reason: None,
        commands: Vec::new(),
        diff: None,
        branch: None,
        commit: None,
        verify_passed: None,
        verify_tail: Vec::new(),
        pr_url: None,
        attempts: attempts.get(&issue.fingerprint).map_or(0, |a| a.count),
        would_refuse: Vec::new(),
        prompt: None,
        proposal: None,
        proposer: None,
    }
}

/// Both end up in a branch name; the report file is input like any other.
pub(crate) fn malformed(issue: &Issue) -> Option<String> {
    let hex =
        issue.fingerprint.len() >= 8 && issue.fingerprint.chars().all(|c| c.is_ascii_hexdigit());
    let word = !issue.category.is_empty()
        && issue
            .category
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_');
    (!hex || !word).then(|| {
        format!(
            "refused: the issue's fingerprint {:?} or category {:?} is malformed",
            issue.fingerprint, issue.category
        )
    })
}

impl Fixer<'_> {
    fn outside_window(&self) -> Option<String> {
        let window = self.fix.window.as_ref()?;
        let now = Utc::now();
        let inside = match &self.fix.timezone {
            Some(tz) => window.contains(now, tz),
            None => window.contains(now, &chrono::Local),
        };
        (!inside).then(|| {
            format!(
                "outside the [fix] window {} ({}); nothing done",
                window.text(),
                self.fix
                    .timezone
                    .map_or("local time".into(), |t| t.name().to_owned())
            )
        })
    }
}

/// Fetches, then checks out the fix branch fresh from the failing branch's remote head: the
/// tree a fix applies to.
pub(crate) async fn branch_off(
    git: &Git,
    base: &str,
    branch: &str,
) -> std::result::Result<(), FixError> {
    git.run(&["fetch", "--quiet", "origin"]).await?;
    let start = format!("origin/{base}");
    git.run(&["checkout", "--quiet", "--no-track", "-B", branch, &start])
        .await?;
    Ok(())
}

fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777)
}

fn describe_snap(snap: &Snapshot) -> String {
    let short = &snap.head[..snap.head.len().min(12)];
    match &snap.branch {
        Some(b) => format!("{b} ({short})"),
        None => format!("detached {short}"),
    }
}

fn not_planned(e: NotPlanned, report: &mut FixReport) {
    let (outcome, reason) = match e {
        NotPlanned::Refused(r) => (Outcome::Refused, r),
        NotPlanned::Cannot(r) => (Outcome::Skipped, r),
    };
    report.outcome = outcome;
    report.reason = Some(reason);
}

fn describe_action(action: &Action, dir: &Path, report: &mut FixReport) {
    match action {
        Action::Edit(edits) => report.diff = Some(recipes::diff(dir, edits)),
        Action::Run(cmds) => report.commands.clone_from(cmds),
        Action::Rerun => report.commands = vec![vec!["rerun".into()]],
    }
}

fn commit_message(run: &RunReport, issue: &Issue, fix: &FixPlan) -> String {
    let mut m = format!(
        "ci: {} ({})\n\nmcpctl fix applied the `{}` recipe for a {} failure",
        issue.description, fix.recipe, fix.recipe, issue.category
    );
    if let Some(w) = &run.workflow {
        m.push_str(&format!(" in {w}"));
    }
    m.push_str(".\n\nMatched log line:\n    ");
    m.push_str(issue.line.trim());
    m.push('\n');
    if let Some(url) = &run.url {
        m.push_str(&format!("\nFailed run: {url}\n"));
    }
    if let Some(sha) = &run.sha {
        m.push_str(&format!("Failing commit: {sha}\n"));
    }
    m.push_str(&format!("\nFixes-Fingerprint: {}\n", issue.fingerprint));
    m
}

fn pr_body(run: &RunReport, issue: &Issue, fix: &FixPlan, report: &FixReport) -> String {
    let fence = |lines: &[String]| format!("```\n{}\n```\n", lines.join("\n"));
    let mut b = format!(
        "**{}** (`{}`, key `{}`) — {}\n\n",
        issue.category,
        issue.pattern_id,
        issue.key.as_deref().unwrap_or("-"),
        issue.description
    );
    if let Some(url) = &run.url {
        b.push_str(&format!("Failed run: {url}\n\n"));
    }
    b.push_str("Log context:\n");
    b.push_str(&fence(&issue.context));
    b.push_str(&format!("\nRecipe `{}`; diff summary:\n", fix.recipe));
    b.push_str(&fence(&[report.diff.clone().unwrap_or_default()]));
    b.push_str("\nVerify output (tail):\n");
    b.push_str(&fence(&report.verify_tail));
    b.push_str(&format!("\nFixes-Fingerprint: {}\n", issue.fingerprint));
    b
}
