//! CI failure classification: normalised log lines, YAML patterns with fixtures, and a streaming
//! classifier. No CLI here, and no network: `gh-watch` feeds it logs from the API or a file.

pub(crate) mod classify;
pub(crate) mod escalate;
pub(crate) mod github;
pub(crate) mod history;
mod line_regex;
pub(crate) mod normalize;
pub(crate) mod patterns;
mod prefilter;
pub(crate) mod runzip;
pub(crate) mod seen;
mod set;
pub(crate) mod steps;
pub(crate) mod token;
pub(crate) mod watch;

pub(crate) use classify::{Classified, Classifier, FALLBACK_ID, FixPlan, Issue, Options};
pub(crate) use patterns::Pattern;

/// Stable across runs and commits: the same failure of the same job groups together.
pub(crate) fn fingerprint(
    category: &str,
    key: Option<&str>,
    repo: &str,
    workflow: &str,
    job: &str,
) -> String {
    let text = format!(
        "{category}\0{}\0{repo}\0{workflow}\0{job}",
        key.unwrap_or("")
    );
    crate::hash::sha256_hex(text.as_bytes())[..16].to_owned()
}

/// Where a log given by hand comes from, for its fingerprints.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LogOrigin<'a> {
    pub repo: Option<&'a str>,
    pub workflow: Option<&'a str>,
    pub job: Option<&'a str>,
    /// The job is known to have failed (`--failed`), as the API would say: a failure the log
    /// does not mark still gets its cause, and patterns that need a failure count.
    pub failed: bool,
}

/// Classifies one log offline, with no network and no history: fingerprints from `origin`, and
/// only what a first sighting says about recurrence.
pub(crate) fn classify_log(
    engine: &Classifier,
    reader: impl std::io::BufRead,
    origin: &LogOrigin<'_>,
) -> std::io::Result<Classified> {
    let mut classified = engine.classify_with(
        reader,
        classify::Options {
            job_failed: origin.failed,
        },
    )?;
    for issue in &mut classified.issues {
        issue.fingerprint = fingerprint(
            &issue.category,
            issue.key.as_deref(),
            origin.repo.unwrap_or(""),
            origin.workflow.unwrap_or(""),
            origin.job.unwrap_or(""),
        );
        issue.job = origin.job.map(str::to_owned);
        issue.recurrence =
            history::History::default().recurrence(&issue.fingerprint, &issue.category, "", 0);
    }
    Ok(classified)
}

/// Classifies the log at `path` (`-` for stdin) off the runtime's thread: opening a FIFO that has
/// no writer, or reading a pipe that never ends, blocks, and SIGINT or SIGTERM must still end
/// the run (the blocking thread is left behind when the runtime shuts down).
pub(crate) async fn classify_log_path(
    engine: Classifier,
    path: &std::path::Path,
    origin: &LogOrigin<'_>,
) -> crate::error::Result<Classified> {
    let path = path.to_owned();
    let owned = (
        origin.repo.map(str::to_owned),
        origin.workflow.map(str::to_owned),
        origin.job.map(str::to_owned),
        origin.failed,
    );
    let read = tokio::task::spawn_blocking(move || {
        let (repo, workflow, job, failed) = &owned;
        let origin = LogOrigin {
            repo: repo.as_deref(),
            workflow: workflow.as_deref(),
            job: job.as_deref(),
            failed: *failed,
        };
        let name = || {
            if path.as_os_str() == "-" {
                "the log on stdin".to_owned()
            } else {
                format!("the log {}", path.display())
            }
        };
        let classified = if path.as_os_str() == "-" {
            classify_log(&engine, std::io::stdin().lock(), &origin)
        } else {
            let file = std::fs::File::open(&path)
                .map_err(|e| crate::error::Error::io(format!("cannot open {}", name()), e))?;
            classify_log(
                &engine,
                std::io::BufReader::with_capacity(1 << 20, file),
                &origin,
            )
        };
        classified.map_err(|e| crate::error::Error::io(format!("cannot read {}", name()), e))
    });
    read.await
        .map_err(|e| crate::error::Error::io("the log reader stopped", std::io::Error::other(e)))?
}

/// `120 lines: dependency (left-pad), and 2 more`, or that no failure was recognised.
pub(crate) fn log_summary(lines: u64, issues: &[Issue]) -> String {
    match issues.first() {
        None => format!("{lines} lines: no failure recognised"),
        Some(top) => format!(
            "{lines} lines: {} ({}){}",
            top.category,
            top.key.as_deref().unwrap_or("-"),
            if issues.len() > 1 {
                format!(", and {} more", issues.len() - 1)
            } else {
                String::new()
            }
        ),
    }
}

/// Runs every pattern's fixtures: each `match` log must come out of the whole set with this
/// pattern's category (and key) on top, and no `no_match` line may fire the pattern.
pub(crate) fn check_fixtures(patterns: &[Pattern]) -> Vec<String> {
    let mut problems = Vec::new();
    let all = match Classifier::new(patterns.to_vec()) {
        Ok(c) => c,
        Err(e) => return vec![e.to_string()],
    };
    for p in patterns {
        for f in &p.fixtures {
            let top = all
                .classify_one_of_many(f.log.as_bytes())
                .ok()
                .and_then(|c| c.issues.into_iter().next());
            match top {
                None => problems.push(format!(
                    "{}: pattern {}: fixture does not match: {:?}",
                    p.source, p.id, f.log
                )),
                Some(i) if i.category != p.category => problems.push(format!(
                    "{}: pattern {}: fixture is classified {} by pattern {} instead: {:?}",
                    p.source, p.id, i.category, i.pattern_id, f.log
                )),
                Some(i) if f.key.is_some() && i.key != f.key => problems.push(format!(
                    "{}: pattern {}: fixture key is {:?}, expected {:?}",
                    p.source, p.id, i.key, f.key
                )),
                Some(_) => {}
            }
        }
        let alone = match Classifier::new(vec![p.clone()]) {
            Ok(c) => c,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        for line in &p.negatives {
            // The fallback may speak for a line that looks like a failure; the pattern may not.
            if alone
                .classify(line.as_bytes())
                .is_ok_and(|c| c.issues.iter().any(|i| i.pattern_id == p.id))
            {
                problems.push(format!(
                    "{}: pattern {}: fires on a no_match line: {line:?}",
                    p.source, p.id
                ));
            }
        }
    }
    problems
}
