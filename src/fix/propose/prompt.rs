//! The prompt `fix --propose` sends: the issue, the failing step's command, the log context, and
//! bounded excerpts of the tracked files the log names, every part redacted, with a strict
//! instruction to answer with one unified diff.

use std::fmt::Write as _;
use std::sync::LazyLock;

use regex::Regex;

use super::paths;
use crate::ci::Issue;
use crate::fix::error::FixError;
use crate::fix::git::Git;
use crate::redact::Redactor;
use crate::reports::gh_watch::RunReport;

/// Lines of a file quoted around the line the log names.
const WINDOW_LINES: usize = 400;
/// All the quoted files together.
const MAX_FILE_BYTES: usize = 64 * 1024;
/// Files quoted at most, in the order the log names them.
const MAX_FILES: usize = 8;
/// A tracked file larger than this is not read at all.
const MAX_READ: u64 = 8 * 1024 * 1024;
/// Directories dropped from the front of a path the log names, looking for a tracked one
/// (`/home/runner/work/app/app/src/x.py` is `src/x.py`).
const MAX_DEPTH: usize = 12;

/// What the log says, e.g. `src/calc.py:12`, `File "tests/t.py", line 3`, `src/a.ts(4,2)`.
static NAMED_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"File "(?P<q>[^"]+)", line (?P<ql>\d+)|(?P<p>[A-Za-z0-9_@+./-]*[A-Za-z0-9_-]\.[A-Za-z0-9]{1,10})(?:[:(](?P<pl>\d+))?"#,
    )
    .expect("the path rule compiles")
});

/// The instruction the prompt ends with; the validator holds the answer to it.
const INSTRUCTION: &str = "Answer with exactly one unified diff, as `git diff` prints it (paths prefixed a/ and b/, @@ hunk headers, enough context lines to apply), and nothing else: no prose, no explanation. Change only what the failure needs. Edit only tracked files or add new files beside them; never touch workflow files, lockfiles, env files, keys or credentials. Lines shown as *** were redacted: leave them alone.";

/// One quoted file.
#[derive(Debug, Clone)]
pub(super) struct Quoted {
    pub(super) path: String,
    pub(super) first: usize,
    pub(super) last: usize,
    pub(super) total: usize,
}

pub(super) struct Prompt {
    pub(super) text: String,
    pub(super) files: Vec<Quoted>,
}

impl Prompt {
    /// For the pull request: what was asked, without the file contents.
    pub(super) fn summary(&self) -> String {
        let mut s = format!(
            "The prompt ({} bytes) held the issue, the failing step and its log context",
            self.text.len()
        );
        if self.files.is_empty() {
            s.push_str(", and no file (the log names none that is tracked).");
        } else {
            s.push_str(", and these files:\n");
            for f in &self.files {
                let _ = writeln!(
                    s,
                    "- `{}`, lines {}-{} of {}",
                    f.path, f.first, f.last, f.total
                );
            }
        }
        s
    }
}

/// Builds the prompt from the checkout as it is now.
pub(super) async fn build(
    run: &RunReport,
    issue: &Issue,
    git: &Git,
    redactor: &Redactor,
) -> Result<Prompt, FixError> {
    let clean = |s: &str| redactor.redact_shapes(s);
    let mut text = String::from(
        "A CI job failed. Propose the smallest code change that fixes the failure.\n\n## The failure\n",
    );
    let _ = writeln!(
        text,
        "repository: {}",
        clean(run.repo.as_deref().unwrap_or("-"))
    );
    let _ = writeln!(text, "category: {}", issue.category);
    let _ = writeln!(text, "key: {}", clean(issue.key.as_deref().unwrap_or("-")));
    let _ = writeln!(text, "description: {}", clean(&issue.description));
    let job = issue
        .job
        .as_deref()
        .and_then(|name| run.jobs.iter().find(|j| j.name == name))
        .or_else(|| run.jobs.first());
    if let Some(w) = &run.workflow {
        let _ = writeln!(text, "workflow: {}", clean(w));
    }
    if let Some(j) = job {
        let _ = writeln!(text, "job: {}", clean(&j.name));
        if let Some(step) = &j.failing_step {
            let _ = writeln!(text, "failing step: {}", clean(step));
        }
    }
    let _ = writeln!(text, "matched log line: {}", clean(issue.line.trim_end()));
    text.push_str("\n## Log context\n```\n");
    for line in &issue.context {
        text.push_str(&clean(line.trim_end()));
        text.push('\n');
    }
    text.push_str("```\n");
    let files = quote_files(issue, git, redactor, &mut text).await?;
    text.push_str("\n## What to answer\n");
    text.push_str(INSTRUCTION);
    text.push('\n');
    Ok(Prompt { text, files })
}

/// Paths the log names, with the line it names in each, first mention first.
fn named(issue: &Issue) -> Vec<(String, Option<usize>)> {
    let mut out: Vec<(String, Option<usize>)> = Vec::new();
    for line in std::iter::once(&issue.line).chain(&issue.context) {
        for c in NAMED_PATH.captures_iter(line) {
            let (path, at) = match (c.name("q"), c.name("p")) {
                (Some(q), _) => (q.as_str(), c.name("ql")),
                (None, Some(p)) => (p.as_str(), c.name("pl")),
                (None, None) => continue,
            };
            let path = path.trim_start_matches("./").trim_start_matches('/');
            if !path.is_empty() && !out.iter().any(|(p, _)| p == path) {
                out.push((path.to_owned(), at.and_then(|m| m.as_str().parse().ok())));
            }
        }
    }
    out
}

/// Appends the tracked files the log names, each a window around its line, all within
/// `MAX_FILE_BYTES`, redacted. Returns what was quoted.
async fn quote_files(
    issue: &Issue,
    git: &Git,
    redactor: &Redactor,
    text: &mut String,
) -> Result<Vec<Quoted>, FixError> {
    let named = named(issue);
    // Every suffix of every named path, asked of git at once: the cost follows the log, not the
    // size of the checkout.
    let mut suffixes: Vec<String> = Vec::new();
    for (path, _) in &named {
        let parts: Vec<&str> = path.split('/').collect();
        for skip in 0..parts.len().min(MAX_DEPTH) {
            let s = parts[skip..].join("/");
            if paths::unsafe_path(&s).is_none() && !suffixes.contains(&s) {
                suffixes.push(s);
            }
        }
    }
    let tracked = super::index::tracked(git, &suffixes).await?;
    let mut quoted = Vec::new();
    let mut budget = MAX_FILE_BYTES;
    for (path, at) in named {
        if quoted.len() >= MAX_FILES || budget == 0 {
            break;
        }
        let parts: Vec<&str> = path.split('/').collect();
        let Some(rel) = (0..parts.len().min(MAX_DEPTH))
            .map(|skip| parts[skip..].join("/"))
            .find(|s| tracked.get(s).is_some_and(|m| !m.is_symlink()))
        else {
            continue;
        };
        if quoted.iter().any(|q: &Quoted| q.path == rel) || paths::forbidden(&rel, true).is_some() {
            continue;
        }
        let Ok(bytes) = crate::state::read_regular(&git.dir.join(&rel), MAX_READ) else {
            continue;
        };
        let Ok(content) = String::from_utf8(bytes) else {
            continue;
        };
        let lines: Vec<&str> = content.lines().collect();
        let total = lines.len();
        let centre = at.unwrap_or(1).clamp(1, total.max(1));
        let first = centre.saturating_sub(WINDOW_LINES / 2).max(1);
        let last = (first + WINDOW_LINES - 1).min(total);
        let mut body = String::new();
        let mut shown = first.saturating_sub(1);
        for line in lines.iter().take(last).skip(first.saturating_sub(1)) {
            let clean = redactor.redact_shapes(line);
            if body.len() + clean.len() + 1 > budget {
                break;
            }
            body.push_str(&clean);
            body.push('\n');
            shown += 1;
        }
        if shown < first {
            break;
        }
        budget -= body.len();
        let _ = write!(
            text,
            "\n## {rel} (lines {first}-{shown} of {total})\n```\n{body}```\n"
        );
        quoted.push(Quoted {
            path: rel,
            first,
            last: shown,
            total,
        });
    }
    Ok(quoted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(line: &str, context: &[&str]) -> Issue {
        serde_json::from_value(serde_json::json!({
            "category": "test_failure",
            "key": "k",
            "line": line,
            "context": context,
            "fingerprint": "0123456789abcdef",
        }))
        .expect("an issue")
    }

    #[test]
    fn finds_the_paths_and_lines_a_log_names() {
        let i = issue(
            "FAILED tests/test_calc.py::test_add - assert 2 == 3",
            &[
                "  File \"/home/runner/work/app/app/calc.py\", line 2, in add",
                "src/main.ts(14,3): error TS2322",
                "calc.py:2: AssertionError",
            ],
        );
        assert_eq!(
            named(&i),
            vec![
                ("tests/test_calc.py".to_owned(), None),
                ("home/runner/work/app/app/calc.py".to_owned(), Some(2)),
                ("src/main.ts".to_owned(), Some(14)),
                ("calc.py".to_owned(), Some(2)),
            ]
        );
    }
}
