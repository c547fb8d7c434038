//! One pass against GitHub: for each configured repository, the failed runs of the lookback
//! window that were not classified before, their failing jobs' logs cut to the failing step
//! (or the run's log archive when the job log is gone), and the issues in them, each judged
//! against the fingerprint history and escalated to a GitHub issue when it keeps failing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Serialize, de::DeserializeOwned};

use super::escalate::{self, Action, Escalation, Sighted};
use super::github::{self, Failure, LogSource, RunsCache};
use super::history::{History, Recurrence, Sighting};
use super::seen::{self, Attempt, Seen};
use super::{Classifier, Issue, runzip, steps};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::exit::Status;
use crate::output;
use crate::redact::Redactor;
use crate::reports::gh_watch::{Body, RunReport};
use crate::state;

/// How a pass is run.
pub(crate) struct Options {
    /// Classify every failed run of the window again, not only the ones not seen before.
    pub all: bool,
    /// How long to wait for the state lock.
    pub wait_lock: Option<std::time::Duration>,
}

/// A pass's verdict, its one-line summary and its report body.
pub(crate) struct Outcome {
    pub status: Status,
    pub summary: String,
    pub body: Body,
}

/// One pass over the configured repositories, under the state lock; the seen runs, ETags and
/// history are written once at the end, atomically.
pub(crate) async fn pass(
    settings: &Settings,
    engine: &Classifier,
    state_dir: &Path,
    opts: &Options,
) -> Result<Outcome> {
    let gh = &settings.github;
    if gh.repos.is_empty() {
        return Err(Error::Usage(
            "no repositories to watch: add [github] repos = [\"owner/name\"] to the config, or classify a log with --log FILE".into(),
        ));
    }
    if let Some(bad) = gh.repos.iter().find(|r| !valid_repo(r)) {
        return Err(Error::Usage(format!(
            "[github] repos: `{bad}` is not owner/name"
        )));
    }
    let token = super::token::github(gh.token.as_deref())?;
    let client = github::Client::new(&gh.api_url, &token, settings.defaults.timeout)
        .map_err(|e| Error::Usage(e.to_string()))?;
    let mut redactor = Redactor::default();
    redactor.add(&token);
    let _lock = state::acquire(
        state_dir,
        state::Resource::Records(state::Records::GhWatch),
        opts.wait_lock,
    )
    .await?;
    let files = Files::new(state_dir);
    state::ensure_dir(&files.dir)?;
    let mut seen: Seen = load(&files.seen);
    let mut etags: BTreeMap<String, RunsCache> = load(&files.etags);
    let mut w = Watcher {
        client: &client,
        engine,
        history: load(&files.history),
        history_file: &files.history,
        open_issue_after: gh.open_issue_after.map(|n| n.max(1) as usize),
        redactor,
        escalations: Vec::new(),
    };
    let since = chrono::TimeDelta::from_std(gh.lookback)
        .ok()
        .and_then(|d| Utc::now().checked_sub_signed(d))
        .ok_or_else(|| {
            Error::Usage(format!(
                "[github] lookback = \"{}\" reaches back before any date mcpctl can count: use days or weeks",
                humantime::format_duration(gh.lookback)
            ))
        })?;
    let pass = w.repos(opts.all, gh, since, &mut seen, &mut etags).await;
    w.history.prune(Utc::now());
    state::write_atomic_many(&[
        (&files.seen, &to_json(&seen), 0o600),
        (&files.etags, &to_json(&etags), 0o600),
        (&files.history, &to_json(&w.history), 0o600),
    ])?;
    let summary = summary(gh.repos.len(), &pass, &w.escalations);
    let status = if pass.problems.is_empty() && pass.runs.is_empty() {
        Status::Ok
    } else {
        Status::Warning
    };
    let body = Body {
        runs: pass.runs,
        patterns: engine.patterns().len(),
        unchanged: pass.unchanged,
        escalations: w.escalations,
    };
    Ok(Outcome {
        status,
        summary,
        body,
    })
}

/// What one pass over the repositories found.
#[derive(Default)]
struct Pass {
    runs: Vec<RunReport>,
    problems: Vec<String>,
    /// Repositories whose run list GitHub answered with 304.
    unchanged: Vec<String>,
    /// Runs with a job whose log is not there yet.
    waiting: usize,
    /// Runs with a job whose log failed to download.
    failed: usize,
}

impl Pass {
    /// A run is seen once every job's log was read; one whose logs are not there yet is looked
    /// at again, and one whose downloads keep failing only a few times.
    fn note(&mut self, seen: &mut Seen, repo: &str, attempt: Attempt, report: &mut RunReport) {
        let has = |log: LogSource| report.jobs.iter().any(|j| j.log == Some(log));
        if has(LogSource::DownloadFailed) {
            self.failed += 1;
            let passes = seen.failed(repo, attempt);
            if passes >= seen::GIVE_UP_AFTER {
                seen.mark(repo, attempt);
                report.errors.push(format!(
                    "the logs failed to download in {passes} runs: not looked at again"
                ));
            }
        } else if has(LogSource::NotYetAvailable) {
            self.waiting += 1;
        } else {
            seen.mark(repo, attempt);
        }
    }
}

fn summary(repos: usize, pass: &Pass, escalations: &[Escalation]) -> String {
    let Pass {
        runs,
        problems,
        unchanged,
        waiting,
        failed,
    } = pass;
    let issues: Vec<&Issue> = runs.iter().flat_map(|r| &r.issues).collect();
    let count = |r: Recurrence| issues.iter().filter(|i| i.recurrence == r).count();
    let mut s = format!(
        "{}: {}, {} ({} persistent, {}, {} new)",
        output::plural(repos, "repo", "repos"),
        output::plural(runs.len(), "new failed run", "new failed runs"),
        output::plural(issues.len(), "issue", "issues"),
        count(Recurrence::Persistent),
        output::plural(
            count(Recurrence::RerunCandidate),
            "rerun candidate",
            "rerun candidates"
        ),
        count(Recurrence::New),
    );
    if !unchanged.is_empty() {
        s.push_str(&format!(
            "; {} unchanged since the last run",
            unchanged.len()
        ));
    }
    if *waiting > 0 {
        s.push_str(&format!(
            "; {} with logs not yet available, looked at again next time",
            output::plural(*waiting, "run", "runs")
        ));
    }
    if *failed > 0 {
        s.push_str(&format!(
            "; {} whose log downloads failed, looked at again up to {} times",
            output::plural(*failed, "run", "runs"),
            seen::GIVE_UP_AFTER
        ));
    }
    let done = |a: Action| escalations.iter().filter(|e| e.action == a).count();
    if !escalations.is_empty() {
        s.push_str(&format!(
            "; GitHub issues: {} opened, {} commented, {} failed",
            done(Action::Opened),
            done(Action::Commented),
            done(Action::Failed)
        ));
    }
    if !problems.is_empty() {
        s.push_str(&format!("; partial: {}", problems.join("; ")));
    }
    s
}

/// What one pass over the repositories works with and builds up.
struct Watcher<'a> {
    client: &'a github::Client,
    engine: &'a Classifier,
    history: History,
    history_file: &'a Path,
    open_issue_after: Option<usize>,
    redactor: Redactor,
    escalations: Vec<Escalation>,
}

impl Watcher<'_> {
    /// Every repository's failed runs not classified before (all of them with `--all`); stops
    /// at a spent rate limit or an outage.
    async fn repos(
        &mut self,
        all: bool,
        gh: &crate::config::GithubSettings,
        since: chrono::DateTime<Utc>,
        seen: &mut Seen,
        etags: &mut BTreeMap<String, RunsCache>,
    ) -> Pass {
        let mut pass = Pass::default();
        'repos: for repo in &gh.repos {
            let listing = match self
                .client
                .failed_runs(repo, since, &gh.branches, etags.get(repo))
                .await
            {
                Ok(l) => l,
                Err(e) => {
                    pass.problems.push(e.to_string());
                    if matches!(e, Failure::RateLimited(_)) {
                        break;
                    }
                    continue;
                }
            };
            if listing.unchanged {
                pass.unchanged.push(repo.clone());
            }
            match listing.cache {
                Some(cache) => {
                    etags.insert(repo.clone(), cache);
                }
                // An answer without an ETag: the old one no longer describes the list.
                None if !listing.unchanged => {
                    etags.remove(repo);
                }
                None => {}
            }
            for run in listing.runs {
                let attempt = Attempt {
                    id: run.id,
                    attempt: run.run_attempt.unwrap_or(1),
                };
                let known = seen.contains(repo, attempt);
                if !all && known {
                    continue;
                }
                match self.run(repo, &run).await {
                    Ok(mut report) => {
                        if !known {
                            pass.note(seen, repo, attempt, &mut report);
                        }
                        pass.runs.push(report);
                    }
                    // A deleted run: the others are still worth a look.
                    Err(e @ Failure::NotFound(_)) => pass.problems.push(e.to_string()),
                    // A rate limit or an outage: stop here, report what was done.
                    Err(e) => {
                        pass.problems.push(e.to_string());
                        break 'repos;
                    }
                }
            }
        }
        pass
    }

    async fn run(
        &mut self,
        repo: &str,
        run: &github::Run,
    ) -> std::result::Result<RunReport, Failure> {
        let mut jobs = self.client.failed_jobs(repo, run.id).await?;
        let mut archive = Archive::NotFetched;
        let mut issues = Vec::new();
        let mut errors = Vec::new();
        let mut lines = 0;
        for job in &mut jobs {
            if job.steps.is_empty() {
                // Never started (a startup failure): there is no log to wait for.
                continue;
            }
            let (log, step_only) = match self
                .log(repo, run.id, job, &mut archive, &mut errors)
                .await?
            {
                Got::Log(log, step_only) => (log, step_only),
                Got::NotYet => {
                    job.log = Some(LogSource::NotYetAvailable);
                    continue;
                }
                Got::Failed => {
                    job.log = Some(LogSource::DownloadFailed);
                    continue;
                }
            };
            let (classified, section) = classify(
                self.engine,
                &log,
                &job.steps,
                step_only,
                job.conclusion.as_deref(),
            )
            .map_err(|e| Failure::Other(format!("cannot read the log of job {}: {e}", job.id)))?;
            job.step_lines = section;
            lines += classified.lines;
            for mut issue in classified.issues {
                let workflow = run.name.as_deref().unwrap_or("");
                issue.fingerprint = super::fingerprint(
                    &issue.category,
                    issue.key.as_deref(),
                    repo,
                    workflow,
                    &job.name,
                );
                issue.job = Some(job.name.clone());
                self.judge(repo, run, &job.name, &mut issue).await?;
                issues.push(issue);
            }
        }
        issues.sort_by_key(|i| std::cmp::Reverse(i.priority));
        Ok(RunReport {
            repo: Some(repo.to_owned()),
            run_id: Some(run.id),
            run_attempt: run.run_attempt,
            event: Some(run.event.clone()),
            head_repo: run.head_repository.as_ref().map(|h| h.full_name.clone()),
            workflow: run.name.clone(),
            branch: run.head_branch.clone(),
            sha: Some(run.head_sha.clone()),
            conclusion: run.conclusion.clone(),
            url: Some(run.html_url.clone()),
            source: None,
            lines,
            jobs,
            errors,
            issues,
            explain: None,
        })
    }

    /// The job's own log, else its file in the run's log archive (fetched once per run).
    /// Only GitHub's 404 means "not there yet"; other failures go to `errors`.
    async fn log(
        &self,
        repo: &str,
        run: u64,
        job: &mut github::Job,
        archive: &mut Archive,
        errors: &mut Vec<String>,
    ) -> std::result::Result<Got, Failure> {
        let mut failed = false;
        match self.client.job_log(repo, job.id).await {
            Ok(log) => {
                job.log = Some(LogSource::JobLog);
                return Ok(Got::Log(log, false));
            }
            Err(e @ Failure::RateLimited(_)) => return Err(e),
            Err(Failure::NotFound(_)) => {}
            Err(e) => {
                errors.push(e.to_string());
                failed = true;
            }
        }
        if matches!(archive, Archive::NotFetched) {
            *archive = match self.client.run_logs_zip(repo, run).await {
                Ok(file) => match zip::ZipArchive::new(file) {
                    Ok(z) => Archive::Here(z),
                    Err(e) => {
                        errors.push(format!("the log archive of run {run} is not a zip: {e}"));
                        Archive::Failed
                    }
                },
                Err(e @ Failure::RateLimited(_)) => return Err(e),
                Err(Failure::NotFound(_)) => Archive::Missing,
                Err(e) => {
                    errors.push(e.to_string());
                    Archive::Failed
                }
            };
        }
        let picked = match archive {
            Archive::Here(z) => runzip::pick(z, &job.name, job.failing_step_number),
            Archive::Failed => {
                failed = true;
                None
            }
            Archive::NotFetched | Archive::Missing => None,
        };
        Ok(match picked {
            Some(p) => {
                job.log = Some(if p.step_only {
                    LogSource::RunLogsZipStep
                } else {
                    LogSource::RunLogsZip
                });
                Got::Log(p.log, p.step_only)
            }
            None if failed => Got::Failed,
            None => Got::NotYet,
        })
    }

    /// Sets the issue's recurrence from the history, records this sighting, and escalates a
    /// persistent fingerprint seen often enough — once per run, however often it is looked at.
    async fn judge(
        &mut self,
        repo: &str,
        run: &github::Run,
        job: &str,
        issue: &mut Issue,
    ) -> std::result::Result<(), Failure> {
        let fp = issue.fingerprint.clone();
        let sighting = Sighting {
            sha: run.head_sha.clone(),
            run_id: run.id,
            at: run.created_at.unwrap_or_else(Utc::now),
        };
        let (recurrence, due) = sight(
            &mut self.history,
            &fp,
            &issue.category,
            sighting,
            self.open_issue_after,
        );
        issue.recurrence = recurrence;
        if due {
            let seen = Sighted {
                repo,
                run,
                job,
                issue,
            };
            let e =
                escalate::escalate(self.client, &mut self.history, &seen, &self.redactor).await?;
            // GitHub acted: an interrupted pass must not forget the issue's number.
            let acted = e.error.is_none();
            self.escalations.push(e);
            if acted {
                state::write_atomic(self.history_file, &to_json(&self.history), 0o600)
                    .map_err(|e| Failure::Other(format!("cannot save the history: {e}")))?;
            }
        }
        Ok(())
    }
}

/// The history's half of judging a sighting: its recurrence against what was seen before, the
/// sighting recorded, and whether it is due for escalation now: persistent, seen
/// `open_issue_after` times with this one, and in a run not sighted before (a run looked at
/// again, with `--all` or for a job whose log came late, escalates once).
fn sight(
    history: &mut History,
    fp: &str,
    category: &str,
    sighting: Sighting,
    open_issue_after: Option<usize>,
) -> (Recurrence, bool) {
    let recurrence = history.recurrence(fp, category, &sighting.sha, sighting.run_id);
    let new_sighting = !history
        .fingerprints
        .get(fp)
        .is_some_and(|e| e.sightings.iter().any(|s| s.run_id == sighting.run_id));
    history.record(fp, category, sighting);
    let due = open_issue_after.is_some_and(|n| history.count(fp) >= n);
    (
        recurrence,
        new_sighting && due && recurrence == Recurrence::Persistent,
    )
}

/// A run's log archive, fetched at most once per run and only when a job's log is missing.
enum Archive {
    NotFetched,
    /// GitHub answered 404.
    Missing,
    Failed,
    Here(zip::ZipArchive<std::fs::File>),
}

/// A job's log (and whether it is the failing step's alone), or why there is none.
enum Got {
    Log(Vec<u8>, bool),
    NotYet,
    Failed,
}

/// The failing step's lines when they can be found and show the failure, else the whole log.
/// Line numbers stay those of the whole log. The API said the job failed, so a failure no
/// pattern explains gets the fallback's `unknown` issue; a pattern match in the whole log is
/// preferred to the step's fallback.
fn classify(
    engine: &Classifier,
    log: &[u8],
    steps: &[steps::Step],
    step_only: bool,
    conclusion: Option<&str>,
) -> std::io::Result<(super::Classified, Option<[u64; 2]>)> {
    let options = super::Options {
        job_failed: matches!(conclusion, Some("failure" | "timed_out")),
    };
    let explained =
        |c: &super::Classified| c.issues.iter().any(|i| i.pattern_id != super::FALLBACK_ID);
    let mut fallback = None;
    if !step_only && let Some(section) = steps::failing_section(log, steps) {
        let mut classified = engine.classify_with(&log[section.bytes.clone()], options)?;
        if !classified.issues.is_empty() {
            for issue in &mut classified.issues {
                issue.line_number += section.first_line - 1;
            }
            let span = Some([section.first_line, section.last_line]);
            if explained(&classified) {
                return Ok((classified, span));
            }
            fallback = Some((classified, span));
        }
    }
    let whole = engine.classify_with(log, options)?;
    match fallback {
        Some(step) if !explained(&whole) => Ok(step),
        _ => Ok((whole, None)),
    }
}

struct Files {
    dir: PathBuf,
    seen: PathBuf,
    etags: PathBuf,
    history: PathBuf,
}

impl Files {
    fn new(state_dir: &Path) -> Self {
        let dir = state_dir.join("gh-watch");
        Self {
            seen: dir.join("seen.json"),
            etags: dir.join("etags.json"),
            history: dir.join("history.json"),
            dir,
        }
    }
}

/// A missing or unreadable file starts afresh: it is a cache and a history, not a config.
fn load<T: DeserializeOwned + Default>(path: &Path) -> T {
    crate::state::read_state(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn to_json(value: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(value).expect("serializes")
}

fn valid_repo(r: &str) -> bool {
    let mut parts = r.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(sha: &str, run_id: u64) -> Sighting {
        Sighting {
            sha: sha.into(),
            run_id,
            at: Utc::now() - chrono::TimeDelta::minutes(i64::try_from(100 - run_id).unwrap()),
        }
    }

    #[test]
    fn a_first_sighting_is_new_or_a_rerun_candidate_and_never_escalates() {
        let mut h = History::default();
        assert_eq!(
            sight(&mut h, "t", "test_failure", at("s1", 1), Some(1)),
            (Recurrence::New, false)
        );
        assert_eq!(
            sight(&mut h, "n", "network", at("s1", 1), Some(1)),
            (Recurrence::RerunCandidate, false)
        );
        // The same commit failing again is not persistent: it may be that commit's bug.
        assert_eq!(
            sight(&mut h, "t", "test_failure", at("s1", 2), Some(1)),
            (Recurrence::New, false)
        );
        assert_eq!(h.count("t"), 2);
    }

    #[test]
    fn a_persistent_failure_escalates_once_it_reaches_the_threshold() {
        let mut h = History::default();
        let mut judge =
            |sha: &str, run: u64| sight(&mut h, "fp", "test_failure", at(sha, run), Some(3));
        assert_eq!(judge("s1", 1), (Recurrence::New, false));
        // Persistent at the second commit, but seen twice of three.
        assert_eq!(judge("s2", 2), (Recurrence::Persistent, false));
        assert_eq!(judge("s3", 3), (Recurrence::Persistent, true));
        // Every later sighting is due too: it comments on the issue.
        assert_eq!(judge("s3", 4), (Recurrence::Persistent, true));
    }

    #[test]
    fn a_run_looked_at_again_does_not_escalate_twice() {
        let mut h = History::default();
        sight(&mut h, "fp", "test_failure", at("s1", 1), Some(2));
        assert_eq!(
            sight(&mut h, "fp", "test_failure", at("s2", 2), Some(2)),
            (Recurrence::Persistent, true)
        );
        assert_eq!(
            sight(&mut h, "fp", "test_failure", at("s2", 2), Some(2)),
            (Recurrence::Persistent, false)
        );
        assert_eq!(h.count("fp"), 2);
    }

    #[test]
    fn without_open_issue_after_nothing_escalates() {
        let mut h = History::default();
        for (run, sha) in [(1, "a"), (2, "b"), (3, "c")] {
            let (recurrence, due) = sight(&mut h, "fp", "test_failure", at(sha, run), None);
            assert!(!due);
            assert_eq!(recurrence == Recurrence::Persistent, run > 1);
        }
    }

    fn report(logs: &[LogSource]) -> RunReport {
        RunReport {
            repo: Some("o/r".into()),
            run_id: Some(1),
            run_attempt: Some(1),
            event: None,
            head_repo: None,
            workflow: None,
            branch: None,
            sha: None,
            conclusion: None,
            url: None,
            source: None,
            lines: 0,
            jobs: logs
                .iter()
                .enumerate()
                .map(|(i, log)| github::Job {
                    id: i as u64,
                    name: format!("job{i}"),
                    conclusion: Some("failure".into()),
                    failing_step: None,
                    failing_step_number: None,
                    log: Some(*log),
                    step_lines: None,
                    steps: Vec::new(),
                })
                .collect(),
            errors: Vec::new(),
            issues: Vec::new(),
            explain: None,
        }
    }

    #[test]
    fn a_run_is_seen_once_every_log_was_read_and_failing_downloads_give_up() {
        let run = Attempt { id: 7, attempt: 1 };
        let mut seen = Seen::default();
        let mut pass = Pass::default();
        pass.note(
            &mut seen,
            "o/r",
            run,
            &mut report(&[LogSource::JobLog, LogSource::NotYetAvailable]),
        );
        assert_eq!(pass.waiting, 1);
        assert!(!seen.contains("o/r", run), "looked at again next time");

        for i in 1..seen::GIVE_UP_AFTER {
            let mut r = report(&[LogSource::DownloadFailed, LogSource::NotYetAvailable]);
            pass.note(&mut seen, "o/r", run, &mut r);
            assert!(!seen.contains("o/r", run), "pass {i}");
            assert!(r.errors.is_empty());
        }
        let mut r = report(&[LogSource::DownloadFailed]);
        pass.note(&mut seen, "o/r", run, &mut r);
        assert!(seen.contains("o/r", run));
        assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
        assert_eq!(u32::try_from(pass.failed).unwrap(), seen::GIVE_UP_AFTER);

        let other = Attempt { id: 7, attempt: 2 };
        pass.note(
            &mut seen,
            "o/r",
            other,
            &mut report(&[LogSource::RunLogsZipStep]),
        );
        assert!(seen.contains("o/r", other));
    }
}
