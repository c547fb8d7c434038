//! `mcpctl fix`: apply the recipe gh-watch matched, in a git checkout, behind guards. Dry-run
//! unless `--apply`; verified before it is committed; rolled back when anything fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::Ctx;
use super::emit::{self, View};
use crate::cli::FixArgs;
use crate::config::{FixMode, FixSettings, Settings};
use crate::error::{Error, Result};
use crate::exit::{Code, Status};
use crate::fix::git::{Git, Snapshot};
use crate::fix::github::Writer;
use crate::fix::inflight;
use crate::fix::ledger::{self, Attempts, Record};
use crate::fix::recipes::{self, Action, NotPlanned};
use crate::output::{self, Envelope};
use crate::redact::Redactor;

/// The fields of a stored gh-watch report that `fix` reads; the rest is ignored.
#[derive(Debug, Deserialize)]
struct Input {
    #[serde(default)]
    runs: Vec<InputRun>,
}

#[derive(Debug, Deserialize)]
struct InputRun {
    repo: Option<String>,
    run_id: Option<u64>,
    workflow: Option<String>,
    branch: Option<String>,
    sha: Option<String>,
    url: Option<String>,
    #[serde(default)]
    jobs: Vec<InputJob>,
    #[serde(default)]
    issues: Vec<InputIssue>,
}

#[derive(Debug, Deserialize)]
struct InputJob {
    name: String,
}

#[derive(Debug, Clone, Deserialize)]
struct InputIssue {
    category: String,
    key: Option<String>,
    #[serde(default)]
    captures: BTreeMap<String, String>,
    #[serde(default)]
    line: String,
    #[serde(default)]
    context: Vec<String>,
    #[serde(default)]
    pattern_id: String,
    #[serde(default)]
    auto_fixable: bool,
    fix: Option<InputFix>,
    #[serde(default)]
    description: String,
    fingerprint: String,
    /// From gh-watch's history: new, rerun_candidate or persistent.
    recurrence: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct InputFix {
    recipe: String,
    #[serde(default)]
    args: Vec<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Body {
    /// False for a dry run (the default): nothing was changed.
    applied: bool,
    mode: String,
    /// The gh-watch report the issues came from.
    source: String,
    fixes: Vec<FixReport>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    /// Dry run: what --apply would do.
    Planned,
    /// Verified, committed and shipped (pull request, push or re-run).
    Applied,
    /// Something failed; the checkout was put back as it was.
    RolledBack,
    /// A captured value failed its grammar, or the checkout was not fit to work in.
    Refused,
    /// A guard or the pattern said no.
    Skipped,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
struct FixReport {
    fingerprint: String,
    repo: Option<String>,
    run_id: Option<u64>,
    category: String,
    key: Option<String>,
    recipe: Option<String>,
    args: Vec<String>,
    outcome: Outcome,
    reason: Option<String>,
    /// The commands the recipe runs (argv), or `rerun`.
    commands: Vec<Vec<String>>,
    /// The unified diff of the edits mcpctl makes itself (dry run), or `git diff --stat` (applied).
    diff: Option<String>,
    branch: Option<String>,
    commit: Option<String>,
    verify_passed: Option<bool>,
    verify_tail: Vec<String>,
    pr_url: Option<String>,
    attempts: u32,
}

pub(crate) async fn run(args: FixArgs, ctx: &Ctx) -> Result<Code> {
    let started = Utc::now();
    let (settings, state_dir) = super::settings(ctx).await?;
    if args.history {
        return history(&state_dir, ctx);
    }
    let fix = settings.fix.clone().ok_or_else(|| {
        Error::Usage(
            "fix needs a [fix] table in the config (mode, allowed_repos, allowed_recipes, checkout, verify); see the README".into(),
        )
    })?;
    let source = args
        .from
        .clone()
        .unwrap_or_else(|| crate::state::reports_dir(&state_dir, "gh-watch").join("latest.json"));
    let input = read_input(&source)?;
    let mut issues = select(&input, args.fingerprint.as_deref());
    if let Some(fp) = &args.fingerprint
        && issues.is_empty()
    {
        return Err(Error::Usage(format!(
            "no issue with fingerprint {fp} in {}",
            source.display()
        )));
    }
    let _lock = if args.apply {
        Some(crate::state::acquire(&state_dir, ctx.global.wait_lock).await?)
    } else {
        None
    };
    let mut undone = None;
    if args.apply {
        undone = inflight::undo(&state_dir, fix.git_timeout).await?;
    }
    let dirs = settings.github.patterns_dirs.clone();
    let actions = crate::fix::actions::load(&dirs).map_err(Error::Usage)?;
    let mut attempts = ledger::load_attempts(&state_dir);
    let mut fixer = Fixer {
        settings: &settings,
        fix: &fix,
        state_dir: &state_dir,
        actions,
        apply: args.apply,
        acted: 0,
        writer: None,
        redactor: Redactor::default(),
    };
    let mut reports = Vec::new();
    for (run, issue) in issues.drain(..) {
        let report = fixer.one(run, &issue, &mut attempts).await;
        if args.apply && !matches!(report.outcome, Outcome::Planned) {
            let record = Record {
                time: Utc::now(),
                fingerprint: report.fingerprint.clone(),
                repo: report.repo.clone(),
                category: report.category.clone(),
                recipe: report.recipe.clone(),
                outcome: serde_json::to_value(&report.outcome)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                reason: report.reason.clone(),
                verify_passed: report.verify_passed,
                pr_url: report.pr_url.clone(),
                commit: report.commit.clone(),
            };
            if let Err(e) = ledger::append(&state_dir, &record) {
                tracing::warn!("cannot append to the fix history: {e}");
            }
        }
        reports.push(report);
    }
    if args.apply {
        ledger::save_attempts(&state_dir, &attempts)?;
    }
    let (status, mut summary) = judge(&reports, args.apply);
    if let Some(note) = undone {
        summary = format!("{note}; {summary}");
    }
    let env = Envelope::new(
        "fix",
        started,
        status,
        summary,
        Body {
            applied: args.apply,
            mode: mode_name(fix.mode).into(),
            source: source.display().to_string(),
            fixes: reports,
        },
    );
    emit::finish(&env, started, &state_dir, ctx, || view(&env.body)).await
}

/// `mcpctl/fix/<category>-<first 8 of the fingerprint>`: one branch per fingerprint.
fn fix_branch(issue: &InputIssue) -> String {
    let short = &issue.fingerprint[..issue.fingerprint.len().min(8)];
    format!("mcpctl/fix/{}-{short}", issue.category.replace('_', "-"))
}

fn mode_name(mode: FixMode) -> &'static str {
    match mode {
        FixMode::PullRequest => "pull-request",
        FixMode::Push => "push",
        FixMode::RerunOnly => "rerun-only",
    }
}

fn read_input(path: &Path) -> Result<Input> {
    let bytes = std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Usage(format!(
                "no gh-watch report at {}; run `mcpctl gh-watch` first, or pass --from REPORT",
                path.display()
            ))
        } else {
            Error::io(format!("cannot read {}", path.display()), e)
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::Usage(format!(
            "{}:{}:{}: not a gh-watch report: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

/// Each fingerprint once, from the newest run that has it (gh-watch lists runs newest first).
fn select<'a>(input: &'a Input, fingerprint: Option<&str>) -> Vec<(&'a InputRun, InputIssue)> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for run in &input.runs {
        for issue in &run.issues {
            let wanted =
                fingerprint.is_none_or(|fp| fp.len() >= 6 && issue.fingerprint.starts_with(fp));
            if wanted && seen.insert(issue.fingerprint.clone()) {
                out.push((run, issue.clone()));
            }
        }
    }
    out
}

struct Fixer<'a> {
    settings: &'a Settings,
    fix: &'a FixSettings,
    state_dir: &'a Path,
    actions: BTreeMap<String, String>,
    apply: bool,
    /// Fixes acted on in this run, for max_fixes_per_run.
    acted: u32,
    writer: Option<Writer>,
    redactor: Redactor,
}

impl Fixer<'_> {
    async fn one(
        &mut self,
        run: &InputRun,
        issue: &InputIssue,
        attempts: &mut BTreeMap<String, Attempts>,
    ) -> FixReport {
        let mut report = FixReport {
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
        };
        if let Err((outcome, reason)) = self.guard(run, issue, attempts).await {
            report.outcome = outcome;
            report.reason = Some(reason);
            return report;
        }
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
                report.reason = Some(e);
            }
        }
        report
    }

    fn checkout(&self, repo: &str) -> Option<PathBuf> {
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
        run: &InputRun,
        issue: &InputIssue,
        attempts: &BTreeMap<String, Attempts>,
    ) -> std::result::Result<(), (Outcome, String)> {
        let skip = |why: String| Err((Outcome::Skipped, why));
        // Both end up in a branch name; the report file is input like any other.
        let hex = issue.fingerprint.len() >= 8
            && issue.fingerprint.chars().all(|c| c.is_ascii_hexdigit());
        let word = !issue.category.is_empty()
            && issue
                .category
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_');
        if !hex || !word {
            return Err((
                Outcome::Refused,
                format!(
                    "refused: the issue's fingerprint {:?} or category {:?} is malformed",
                    issue.fingerprint, issue.category
                ),
            ));
        }
        let Some(fix) = issue.fix.as_ref().filter(|_| issue.auto_fixable) else {
            return skip(format!(
                "pattern {} is not auto-fixable: {}",
                issue.pattern_id, issue.description
            ));
        };
        let Some(repo) = run.repo.as_deref() else {
            return skip("the issue names no repository (a --log run without --repo)".into());
        };
        if !self
            .fix
            .allowed_repos
            .iter()
            .any(|r| r.eq_ignore_ascii_case(repo))
        {
            return skip(format!("{repo} is not in [fix] allowed_repos"));
        }
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
        if fix.recipe == "rerun" && issue.recurrence.as_deref() == Some("persistent") {
            return skip("the failure is persistent: it came back on other commits, so a re-run will not help".into());
        }
        if let Some(window) = &self.fix.window {
            let now = Utc::now();
            let inside = match &self.fix.timezone {
                Some(tz) => window.contains(now, tz),
                None => window.contains(now, &chrono::Local),
            };
            if !inside {
                return skip(format!(
                    "outside the [fix] window {} ({}); nothing done",
                    window.text(),
                    self.fix
                        .timezone
                        .map_or("local time".into(), |t| t.name().to_owned())
                ));
            }
        }
        let tried = attempts.get(&issue.fingerprint);
        let count = tried.map_or(0, |a| a.count);
        if count >= self.fix.max_attempts_per_fingerprint {
            return skip(format!(
                "attempt budget exhausted: {count} of {} attempts used (max_attempts_per_fingerprint); fix it by hand",
                self.fix.max_attempts_per_fingerprint
            ));
        }
        if self.acted >= self.fix.max_fixes_per_run {
            return skip(format!(
                "max_fixes_per_run ({}) reached; the next run continues",
                self.fix.max_fixes_per_run
            ));
        }
        // The branch name follows from the fingerprint, so GitHub is asked even when the state
        // that remembers the pull request was lost.
        let remembered = tried.is_some_and(|a| a.pr_branch.is_some());
        let opens_pulls = self.apply && self.fix.mode == FixMode::PullRequest;
        if fix.recipe != "rerun" && (remembered || opens_pulls) {
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

    fn writer(&mut self) -> std::result::Result<&Writer, String> {
        if self.writer.is_none() {
            let token = super::gh_watch_api::token(self.settings.github.token.as_deref())
                .map_err(|e| e.to_string())?;
            self.redactor.add(&token);
            self.writer = Some(Writer::new(
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
    ) -> std::result::Result<Option<String>, String> {
        let writer = self.writer()?;
        Ok(writer.open_pull(repo, branch).await?.map(|p| p.html_url))
    }

    async fn rerun(&mut self, run: &InputRun) -> std::result::Result<(), String> {
        let repo = run.repo.as_deref().unwrap_or_default();
        let id = run.run_id.unwrap_or_default();
        self.writer()?.rerun_failed_jobs(repo, id).await
    }

    fn plan(
        &self,
        run: &InputRun,
        issue: &InputIssue,
        fix: &InputFix,
        dir: &Path,
    ) -> std::result::Result<Action, NotPlanned> {
        let job = run.jobs.first().map(|j| j.name.as_str());
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
        };
        recipes::plan(&req, &cx)
    }

    async fn apply_code(
        &mut self,
        run: &InputRun,
        issue: &InputIssue,
        fix: &InputFix,
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
        let verify = self.verify(&repo);
        if verify.is_empty() {
            report.outcome = Outcome::Refused;
            report.reason = Some(
                "no verify command: set [fix] verify (an argv) so a fix is tested before it ships"
                    .into(),
            );
            return report;
        }
        let git = Git::new(dir, self.fix.git_timeout);
        let snap = match git.snapshot().await {
            Ok(s) => s,
            Err(e) => {
                report.outcome = Outcome::Refused;
                report.reason = Some(e);
                return report;
            }
        };
        // Grammar and plan checks happen before anything is touched or counted.
        if let Err(e) = self.plan(run, issue, fix, dir) {
            not_planned(e, &mut report);
            return report;
        }
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
            return report;
        }
        let shipped = self
            .attempt(run, issue, fix, &git, &base, &branch, &verify, &mut report)
            .await;
        match shipped {
            Ok(()) => {
                report.outcome = Outcome::Applied;
                if self.fix.mode == FixMode::PullRequest {
                    let a = attempts.entry(issue.fingerprint.clone()).or_default();
                    a.pr_url.clone_from(&report.pr_url);
                    a.pr_branch = Some(branch.clone());
                }
                // The checkout goes back to where the person left it.
                if let Err(e) = git.restore(&snap, &branch).await {
                    report.reason = Some(format!(
                        "shipped, but the checkout was not returned to its branch: {e}"
                    ));
                }
            }
            Err(why) => {
                report.outcome = Outcome::RolledBack;
                let restored = git.restore(&snap, &branch).await;
                report.reason = Some(match restored {
                    Ok(()) => format!("{why}; the checkout is back at {}", describe_snap(&snap)),
                    Err(e) => format!(
                        "{why}; ROLLBACK FAILED, look at {} by hand: {e}",
                        dir.display()
                    ),
                });
            }
        }
        report
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &mut self,
        run: &InputRun,
        issue: &InputIssue,
        fix: &InputFix,
        git: &Git,
        base: &str,
        branch: &str,
        verify: &[String],
        report: &mut FixReport,
    ) -> std::result::Result<(), String> {
        git.run(&["fetch", "--quiet", "origin"]).await?;
        let start = format!("origin/{base}");
        git.run(&["checkout", "--quiet", "--no-track", "-B", branch, &start])
            .await?;
        // Planned again on the fetched branch head: that is the tree the fix applies to.
        let action = self.plan(run, issue, fix, &git.dir).map_err(|e| match e {
            NotPlanned::Refused(r) | NotPlanned::Cannot(r) => r,
        })?;
        describe_action(&action, &git.dir, report);
        match &action {
            Action::Edit(edits) => {
                for e in edits {
                    crate::state::write_atomic(&e.path, e.after.as_bytes(), mode_of(&e.path))
                        .map_err(|e| e.to_string())?;
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
            return Err(format!("{} changed nothing", fix.recipe));
        }
        let spec = crate::argv::Spec {
            argv: verify,
            cwd: Some(&git.dir),
            env: &[],
            timeout: self.fix.verify_timeout,
            tail: 20,
        };
        let done = crate::argv::run(&spec).await?;
        report.verify_passed = Some(done.success());
        report.verify_tail = done.tail.iter().map(|l| self.redactor.redact(l)).collect();
        if !done.success() {
            return Err(format!(
                "verify `{}` {}",
                verify.join(" "),
                done.describe(self.fix.verify_timeout)
            ));
        }
        git.run(&["add", "--all"]).await?;
        report.diff = Some(git.run(&["diff", "--cached", "--stat"]).await?.join("\n"));
        let message = commit_message(run, issue, fix);
        let mut commit: Vec<&str> = Vec::new();
        if !git.has_identity().await {
            commit.extend([
                "-c",
                "user.name=mcpctl",
                "-c",
                "user.email=mcpctl@localhost",
            ]);
        }
        commit.extend(["commit", "--quiet", "--no-verify", "-m", &message]);
        git.run(&commit).await?;
        report.commit = Some(git.one(&["rev-parse", "HEAD"]).await?);
        let repo = run.repo.as_deref().unwrap_or_default();
        match self.fix.mode {
            FixMode::Push => {
                let dest = format!("HEAD:refs/heads/{base}");
                git.run(&["push", "--quiet", "origin", &dest]).await?;
            }
            FixMode::PullRequest => {
                let dest = format!("+{branch}:refs/heads/{branch}");
                git.run(&["push", "--quiet", "origin", &dest]).await?;
                let title = format!("ci: {} ({})", issue.description, fix.recipe);
                let body = pr_body(run, issue, fix, report);
                let opened = match self.writer() {
                    Ok(w) => w.create_pull(repo, branch, base, &title, &body).await,
                    Err(e) => Err(e),
                };
                match opened {
                    Ok(pull) => report.pr_url = Some(pull.html_url),
                    Err(e) => {
                        // The branch was ours and only for this pull request.
                        let _ = git
                            .run(&["push", "--quiet", "origin", "--delete", branch])
                            .await;
                        return Err(e);
                    }
                }
            }
            FixMode::RerunOnly => unreachable!("the guard keeps code recipes out of rerun-only"),
        }
        Ok(())
    }

    async fn run_in(&self, dir: &Path, argv: &[String]) -> std::result::Result<(), String> {
        let spec = crate::argv::Spec {
            argv,
            cwd: Some(dir),
            env: &[],
            timeout: self.fix.verify_timeout,
            tail: 10,
        };
        let done = crate::argv::run(&spec).await?;
        if done.success() {
            Ok(())
        } else {
            let tail: Vec<String> = done.tail.iter().map(|l| self.redactor.redact(l)).collect();
            Err(format!(
                "`{}` {}: {}",
                argv.join(" "),
                done.describe(self.fix.verify_timeout),
                tail.join(" | ")
            ))
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

fn commit_message(run: &InputRun, issue: &InputIssue, fix: &InputFix) -> String {
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

fn pr_body(run: &InputRun, issue: &InputIssue, fix: &InputFix, report: &FixReport) -> String {
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

fn judge(reports: &[FixReport], applied: bool) -> (Status, String) {
    let count = |f: fn(&Outcome) -> bool| reports.iter().filter(|r| f(&r.outcome)).count();
    let planned = count(|o| matches!(o, Outcome::Planned));
    let done = count(|o| matches!(o, Outcome::Applied));
    let rolled = count(|o| matches!(o, Outcome::RolledBack));
    let refused = count(|o| matches!(o, Outcome::Refused));
    let skipped = count(|o| matches!(o, Outcome::Skipped));
    let budget = reports.iter().any(|r| {
        r.reason
            .as_deref()
            .is_some_and(|w| w.starts_with("attempt budget exhausted"))
    });
    let status = if rolled > 0 {
        Status::Critical
    } else if refused > 0 || budget {
        Status::Warning
    } else {
        Status::Ok
    };
    let summary = if reports.is_empty() {
        "no issues in the gh-watch report".to_owned()
    } else if applied {
        format!("{done} applied, {rolled} rolled back, {refused} refused, {skipped} skipped")
    } else {
        format!("dry run: {planned} planned, {refused} refused, {skipped} skipped; --apply acts")
    };
    (status, summary)
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
        let outcome = serde_json::to_value(&f.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        table.add_row(vec![
            f.fingerprint.chars().take(12).collect(),
            f.repo.clone().unwrap_or_default(),
            f.category.clone(),
            f.recipe.clone().unwrap_or_default(),
            outcome.clone(),
            f.reason
                .clone()
                .or_else(|| f.pr_url.clone())
                .unwrap_or_default(),
        ]);
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
            if let Some(diff) = &f.diff {
                footnotes.extend(diff.lines().map(str::to_owned));
            }
        }
    }
    View {
        table: Some(table),
        problems,
        footnotes,
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
    emit::print(&format!("{table}\n{} fixes recorded\n", records.len()))?;
    Ok(Code::Ok)
}
