//! One streaming pass over a log: normalise each line, let a `RegexSet` say which patterns could
//! match, then confirm with each pattern's own regex and its before/after windows. Memory is a
//! ring of recent lines plus the matches found, however long the log.
//!
//! Ranking (the root cause first): a match in the failing step (the step of the first failure
//! marker) beats one elsewhere; then errors beat warnings; then causes beat symptoms (a "tests
//! failed" summary, "BUILD FAILURE"); then the earliest line wins; priority breaks ties.
//! When the log shows a failure and nothing explains it, one `unknown` issue points at the most
//! likely cause line (see [`fallback`]).

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::{LazyLock, OnceLock};

use regex::bytes::Regex;
use serde::{Deserialize, Serialize};

use super::line_regex::{Found, LineRegex};
use super::normalize;
use super::patterns::{MAX_WINDOW, Pattern, Role};
use super::prefilter::{Line, LineFilter};
use super::set::PatternSet;

/// Longest line kept; the rest of a longer one is read and dropped.
const MAX_LINE: usize = 64 * 1024;
/// Bytes read and normalised at a time, so the line filter runs over many lines at once.
const CHUNK: usize = 256 * 1024;
/// Log read before the line filter is built. Building it costs about what the set costs on
/// 3 MB of log, and most job logs are shorter than that.
const FILTER_AFTER: u64 = 4 << 20;
const CONTEXT: usize = 3;
const MAX_ISSUES: usize = 20;
const MAX_PENDING: usize = 256;
/// Longest key the fallback takes from a cause line.
const MAX_FALLBACK_KEY: usize = 100;

/// The most lines of a step's echoed script that are skipped.
const MAX_HEADER: u32 = 200;

/// The id the fallback's issue carries instead of a pattern's.
pub(crate) const FALLBACK_ID: &str = "fallback-unknown";

/// The runner's wrapper line: says a step failed, never why. Patterns see it only when they
/// ask to (`wrapper: true`).
static NOISE: LazyLock<Regex> = LazyLock::new(|| {
    super::patterns::build(r"^(?:##\[error\]|Error: )?Process completed with exit code \d+\.?$")
        .expect("valid")
});

/// What build tools print when the command failed, after the cause.
macro_rules! tool_failed {
    () => {
        concat!(
    r#"|(?:g?make(?:\[\d+\])?: )?\*\*\* \[[^\]]*\] Error [1-9]"#,
    r#"|npm (?:ERR!|error) (?:code ELIFECYCLE$|Exit status [1-9]|Lifecycle script `[^`]+` failed|command failed$)"#,
    r#"|error Command failed with exit code [1-9]|Error: Command failed with exit code [1-9]"#,
    r#"|(?:\[ERROR\] )?BUILD FAILURE$|BUILD FAILED(?: in .*)?$|FAILURE: Build failed with an exception\.$"#,
    r#"|\*\* (?:BUILD|TEST|ARCHIVE) FAILED \*\*$|Build FAILED\.$|ERROR: InvocationError for command"#,
    r#"|error: Recipe `[^`]+` failed|(?:ELIFECYCLE )?Command failed with exit code [1-9]"#,
        )
    };
}

/// What other CI systems print when a job's command failed: Travis, CircleCI, Jenkins,
/// Buildkite.
macro_rules! other_ci_failed {
    () => {
        concat!(
            r#"|The command ".*" exited with [1-9]\d*\.$|Exited with code (?:exit status )?[1-9]"#,
            r#"|ERROR: script returned exit code [1-9]|Build step '[^']+' marked build as failure"#,
            r#"|(?:\W+ )?Error: The command exited with status [1-9]"#,
        )
    };
}

/// Lines that mark a failed step: the runner's own; the job-failed lines of other CI systems
/// whose logs people paste (GitLab, Travis, Vercel); and the lines build tools print only when
/// the command failed (make, npm, yarn, Maven, Gradle, xcodebuild, MSBuild, tox).
static FAILURE_MARK: LazyLock<Regex> = LazyLock::new(|| {
    super::patterns::build(concat!(
        r#"^(?:##\[error\]|(?:##\[error\]|Error: )?Process completed with exit code [1-9]\d*\.?$"#,
        r#"|Error: The process '[^']+' failed with exit code [1-9]|ERROR: Job failed: "#,
        r#"|The command ".*" failed and exited with [1-9]\d* during|Error: Command ".*" exited with [1-9]"#,
        other_ci_failed!(),
        tool_failed!(),
        ")",
    ))
    .expect("valid")
});

/// Failure lines that only wrap another (the runner's, an action's, a build tool's): never
/// the cause line.
static WRAPPER: LazyLock<Regex> = LazyLock::new(|| {
    super::patterns::build(concat!(
        r#"^(?:(?:##\[error\]|Error: )?(?:Process completed with exit code \d+\.?$|The process '[^']+' failed with exit code \d+"#,
        r#"|(?:Node|Docker) run failed with exit code \d+|ERROR: Job failed: |The command ".*" failed and exited with"#,
        r#"|Command ".*" exited with \d+|Error: Command ".*" exited with \d+)"#,
        other_ci_failed!(),
        tool_failed!(),
        ")",
    ))
    .expect("valid")
});

/// A line that may say why a step failed, for the fallback.
static CAUSE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    super::patterns::build(r"(?:\b(?:error|Error|ERROR|fatal):|\bFAILED\b|\b[Ff]ailed: )")
        .expect("valid")
});

/// Cheap test before the three above: a line without any of these is none of them.
const INTERESTING_SOURCE: &str = r"##\[|rror|ERROR|FAIL|ailed: |fatal:|Process completed|exited with|Exited with|Job failed|\*\*\*|ELIFECYCLE|Exit status|exit code|command failed|marked build as failure";
static INTERESTING: LazyLock<Regex> =
    LazyLock::new(|| super::patterns::build(INTERESTING_SOURCE).expect("valid"));

/// The lines besides `INTERESTING` ones that [`Steps::see`] acts on (it compares them as
/// bytes): the line filter must pick them too.
const STEP_SOURCES: [&str; 3] = [
    r"^##\[group\]Run ",
    r"^Post job cleanup\.$",
    r"^Cleaning up orphan processes$",
];

/// The colour the runner echoes a step's script in, found without building a finder per line.
static ECHO_COLOUR: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"\x1b[36;1m"));

/// Runner checkout paths, so the same file groups together on every runner.
static RUNNER_PATH: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        concat!(
            r"^(?:/home/runner/work/[^/]+/[^/]+/|/github/workspace/|/__w/[^/]+/[^/]+/|[A-Za-z]:\\a\\[^\\]+\\[^\\]+\\",
            r"|/home/travis/build/[^/]+/[^/]+/|/builds/[^/]+/[^/]+/|/home/circleci/project/",
            // Jenkins, Buildkite and Azure Pipelines agents.
            r"|/var/jenkins_home/workspace/[^/]+/|/home/jenkins/agent/workspace/[^/]+/",
            r"|/var/lib/buildkite-agent/builds/[^/]+/[^/]+/[^/]+/|/home/vsts/work/\d+/s/|[A-Za-z]:\\a\\\d+\\s\\)",
        ),
    )
    .expect("valid")
});

/// `%40scope%2Fname` as printed in registry URLs.
static PERCENT: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"%[0-9A-Fa-f]{2}").expect("valid"));

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct FixPlan {
    pub recipe: String,
    #[serde(default)]
    pub args: Vec<String>,
}

/// Also what `fix` reads back from a stored report: a field added since has a default, so an
/// older report still loads; `category` and `fingerprint` were always there.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Issue {
    pub category: String,
    /// The normalised token: package, module, test id, file, action@ref; null when none.
    pub key: Option<String>,
    #[serde(default)]
    pub captures: BTreeMap<String, String>,
    #[serde(default)]
    pub line_number: u64,
    #[serde(default)]
    pub line: String,
    /// Up to three lines before and after.
    #[serde(default)]
    pub context: Vec<String>,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub pattern_id: String,
    #[serde(default)]
    pub confidence: f64,
    #[serde(default)]
    pub auto_fixable: bool,
    pub fix: Option<FixPlan>,
    #[serde(default)]
    pub description: String,
    pub hint: Option<String>,
    /// How many times this pattern and key matched.
    #[serde(default)]
    pub occurrences: u64,
    /// Set by the caller: category + key + repo + workflow + job.
    pub fingerprint: String,
    /// The job the log came from, when known: part of the fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// Set by the caller from the fingerprint's history; `other` when read from a report older
    /// than recurrence.
    #[serde(default = "super::history::Recurrence::unclassified")]
    pub recurrence: super::history::Recurrence,
    #[serde(skip)]
    pub priority: i32,
    #[serde(skip)]
    pub rank: Rank,
    /// The regex that matched and where the pattern is defined, for `--explain`.
    #[serde(skip)]
    pub regex: String,
    #[serde(skip)]
    pub source: String,
    /// The step the line is in: one more at each `##[group]Run`, and at the post steps.
    #[serde(skip)]
    pub step: u32,
    /// Reported only beside a failure (the pattern's `needs_failure`).
    #[serde(skip)]
    pub needs_failure: bool,
}

/// What an issue is ranked by, best first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Rank {
    /// In the step of the first failure marker (or no marker at all).
    pub in_failing_step: bool,
    /// 0 error, 1 warning, 2 info.
    pub severity: u8,
    pub role: Role,
    pub line: u64,
    pub priority: i32,
}

impl Rank {
    fn cmp_best_first(&self, other: &Self) -> Ordering {
        other
            .in_failing_step
            .cmp(&self.in_failing_step)
            .then(self.severity.cmp(&other.severity))
            .then(self.role.cmp(&other.role))
            .then(self.line.cmp(&other.line))
            .then(other.priority.cmp(&self.priority))
    }

    /// Why `self` ranks below `better`, in words.
    pub(crate) fn below(&self, better: &Self) -> String {
        if self.in_failing_step != better.in_failing_step {
            "outside the failing step".into()
        } else if self.severity != better.severity {
            "a warning, not an error".into()
        } else if self.role != better.role {
            "a symptom: it follows from an earlier error".into()
        } else if self.line != better.line {
            format!("a later line ({} after {})", self.line, better.line)
        } else if self.priority != better.priority {
            format!(
                "a lower priority on the same line ({} below {})",
                self.priority, better.priority
            )
        } else {
            "the same rank, found after it".into()
        }
    }
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    }
}

/// What the caller knows besides the log.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Options {
    /// The API says the job failed, whatever the log shows.
    pub job_failed: bool,
}

pub(crate) struct Classifier {
    patterns: Vec<Pattern>,
    set: PatternSet,
    /// Set index → (pattern, regex).
    owners: Vec<(usize, usize)>,
    /// Some pattern reads the runner's wrapper lines.
    any_wrapper: bool,
    /// Built on the first log longer than `FILTER_AFTER`: the fixtures `--check-patterns` runs
    /// through hundreds of one-pattern classifiers never need it. `None` inside when the
    /// filter cannot be built; then every line is looked at.
    filter: OnceLock<Option<LineFilter>>,
}

/// Whether a pass skips the lines the line filter rules out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filtering {
    /// Past the first `FILTER_AFTER` bytes of the log.
    Auto,
    Always,
    #[cfg(test)]
    Never,
}

pub(crate) struct Classified {
    pub issues: Vec<Issue>,
    pub lines: u64,
    /// Matches not reported because a better-ranked issue has the same category and key.
    pub dropped: Vec<Issue>,
}

struct Pending {
    pattern: usize,
    regex: usize,
    step: u32,
    line_number: u64,
    line: String,
    caps: BTreeMap<String, String>,
    context: Vec<String>,
    after_seen: usize,
    /// Lines left in which the after-window may still match; `None` once resolved.
    after_left: Option<usize>,
    /// The lines a joining after-window passed over, trimmed.
    joined: Vec<String>,
}

/// What a pass has found so far.
#[derive(Default)]
struct State {
    pending: Vec<Pending>,
    found: Vec<Issue>,
    steps: Steps,
}

/// A line the fallback may point at, with its context.
#[derive(Debug, Clone)]
struct CauseLine {
    line_number: u64,
    line: String,
    context: Vec<String>,
    after_seen: usize,
}

impl CauseLine {
    fn new(n: u64, line: &[u8], ring: &Recent<'_>) -> Self {
        Self {
            line_number: n,
            line: String::from_utf8_lossy(line).into_owned(),
            context: ring
                .last(CONTEXT)
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect(),
            after_seen: 0,
        }
    }

    fn feed(&mut self, line: &[u8]) {
        if self.after_seen < CONTEXT {
            self.context
                .push(String::from_utf8_lossy(line).into_owned());
            self.after_seen += 1;
        }
    }
}

/// Where the stream is: which step, whether and where a failure was marked, and the fallback's
/// candidates.
#[derive(Default)]
struct Steps {
    step: u32,
    /// Between `##[group]Run …` and `##[endgroup]`: the step's script and inputs, as the runner
    /// echoes them before running it. Never a cause. Lines left before an excerpt cut without
    /// its `##[endgroup]` is taken as output again.
    in_header: bool,
    header_left: u32,
    /// Past "Post job cleanup.": the post steps.
    in_post: bool,
    /// The runner's last words ("Cleaning up orphan processes"): the log is the whole job, so a
    /// failure would have left a marker.
    complete: bool,
    failed: bool,
    failing_step: Option<u32>,
    /// The first `##[error]` line other than a wrapper.
    annotation: Option<CauseLine>,
    /// The last `error:`/`Error:`/`FAILED`/`fatal:` line of the current step.
    last_word: Option<CauseLine>,
    /// `last_word` when the first failure marker closed the failing step.
    frozen: Option<CauseLine>,
    /// The last such line of the main steps, for a failure only the API knows of.
    last_main: Option<CauseLine>,
    /// The first failure marker: the one line left when no line says why (a pasted excerpt
    /// that ends `The command "bundle exec rake" exited with 1.`).
    marker: Option<CauseLine>,
}

impl Steps {
    /// Whether the next line changes anything here whatever it says: a header goes on, or a
    /// cause line still takes context.
    fn watching(&self) -> bool {
        self.in_header
            || [
                &self.annotation,
                &self.last_word,
                &self.frozen,
                &self.last_main,
                &self.marker,
            ]
            .into_iter()
            .flatten()
            .any(|c| c.after_seen < CONTEXT)
    }

    /// Notes what `line` says about steps and failures; called before the line joins the ring.
    fn see(&mut self, n: u64, line: &[u8], header_like: bool, ring: &Recent<'_>) {
        for c in [
            &mut self.annotation,
            &mut self.last_word,
            &mut self.frozen,
            &mut self.last_main,
            &mut self.marker,
        ]
        .into_iter()
        .flatten()
        {
            c.feed(line);
        }
        if line.starts_with(b"##[group]Run ") {
            self.step += 1;
            self.last_word = None;
            self.in_header = true;
            self.header_left = MAX_HEADER;
            return;
        }
        if self.in_header {
            self.header_left -= 1;
            self.in_header = header_like && self.header_left > 0;
            if line == b"##[endgroup]" || self.in_header {
                return;
            }
        }
        if line == b"Cleaning up orphan processes" {
            self.complete = true;
            return;
        }
        if line == b"Post job cleanup." && !self.in_post {
            self.in_post = true;
            self.step += 1;
            self.last_main = self.last_word.take();
            return;
        }
        if !INTERESTING.is_match(line) {
            return;
        }
        let wrapper = WRAPPER.is_match(line);
        if line.starts_with(b"##[error]") && !wrapper && self.annotation.is_none() {
            self.annotation = Some(CauseLine::new(n, line, ring));
        } else if !wrapper && !line.starts_with(b"##[warning]") && CAUSE_WORD.is_match(line) {
            self.last_word = Some(CauseLine::new(n, line, ring));
        }
        if FAILURE_MARK.is_match(line) {
            self.failed = true;
            if self.failing_step.is_none() {
                self.failing_step = Some(self.step);
                self.frozen.clone_from(&self.last_word);
                self.marker = Some(CauseLine::new(n, line, ring));
            }
        }
    }

    /// The fallback's line: the first `##[error]` other than a wrapper, else the last error
    /// line before the failing step ended, else the failure marker itself.
    fn cause(&mut self) -> Option<CauseLine> {
        if !self.in_post {
            self.last_main = self.last_word.take();
        }
        self.annotation
            .take()
            .or_else(|| self.frozen.take())
            .or_else(|| self.last_main.take())
            .or_else(|| self.marker.take())
    }
}

impl Classifier {
    pub(crate) fn new(patterns: Vec<Pattern>) -> Result<Self, super::patterns::PatternError> {
        let mut sources = Vec::new();
        let mut owners = Vec::new();
        for (p, pattern) in patterns.iter().enumerate() {
            for (r, regex) in pattern.regexes.iter().enumerate() {
                sources.push(regex.as_str().to_owned());
                owners.push((p, r));
            }
        }
        let set = PatternSet::new(sources).map_err(super::patterns::PatternError::Set)?;
        let any_wrapper = patterns.iter().any(|p| p.wrapper);
        Ok(Self {
            patterns,
            set,
            owners,
            any_wrapper,
            filter: OnceLock::new(),
        })
    }

    pub(crate) fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    pub(crate) fn classify(&self, reader: impl BufRead) -> std::io::Result<Classified> {
        self.classify_with(reader, Options::default())
    }

    /// [`Self::classify`] for one of many short logs through this classifier (the patterns'
    /// fixtures): the line filter is built once for all of them, and then each line meets only
    /// the regexes that may match it, not the whole set's lazy DFA, which rebuilds its states
    /// for every new text.
    pub(crate) fn classify_one_of_many(&self, log: &[u8]) -> std::io::Result<Classified> {
        self.classify_filtered(log, Options::default(), Filtering::Always)
    }

    pub(crate) fn classify_with(
        &self,
        reader: impl BufRead,
        options: Options,
    ) -> std::io::Result<Classified> {
        self.classify_filtered(reader, options, Filtering::Auto)
    }

    /// The pass: chunks of whole lines are read and normalised into one text, the line filter
    /// picks the lines that may matter, and only those (and the lines a pending match, a step
    /// header or a cause line's context takes) are looked at one by one. Any other line would
    /// change nothing but the ring of recent lines, which is a window onto the text here.
    fn classify_filtered(
        &self,
        mut reader: impl BufRead,
        options: Options,
        filtering: Filtering,
    ) -> std::io::Result<Classified> {
        let mut input = Input::default();
        let mut chunk = Chunk::default();
        let mut state = State::default();
        let mut n = 0u64;
        let mut read = 0u64;
        while input.fill(&mut reader)? {
            let whole = input.whole_lines();
            chunk.load(&input.buf[..whole], &mut n);
            let wanted = match filtering {
                Filtering::Auto => read >= FILTER_AFTER,
                Filtering::Always => true,
                #[cfg(test)]
                Filtering::Never => false,
            };
            read += whole as u64;
            let filter = if wanted {
                self.line_filter(&chunk.text)
            } else {
                None
            };
            self.look_at(&mut chunk, &input.buf, filter, &mut state);
            chunk.keep_recent();
            input.consumed(whole);
        }
        let State {
            mut pending,
            mut found,
            mut steps,
        } = state;
        for p in pending.drain(..) {
            if p.after_left.is_none()
                || !self.patterns[p.pattern]
                    .after
                    .as_ref()
                    .is_some_and(|w| w.required)
            {
                self.finish(p, &mut found);
            }
        }
        let mut failed = steps.failed || options.job_failed;
        // A whole job's log with no failure marker passed: error lines in it were tolerated
        // (`mvn --fail-never`, `continue-on-error`, a retried command), so none is the failure.
        if steps.complete && !failed {
            found.retain(|i| i.severity != "error");
        }
        if !failed {
            failed = found
                .iter()
                .any(|i| i.severity == "error" && !i.needs_failure);
        }
        // A retry that may have succeeded is no failure by itself.
        found.retain(|i| failed || !i.needs_failure);
        for issue in &mut found {
            issue.rank.in_failing_step = steps.failing_step.is_none_or(|s| issue.step == s);
        }
        // Any match in the failing step explains it, a warning too: the fallback is for a
        // failure no pattern recognises at all.
        let explained_here = found.iter().any(|i| i.rank.in_failing_step);
        if failed
            && !explained_here
            && let Some(cause) = steps.cause()
        {
            found.push(fallback(cause));
        }
        found.sort_by(|a, b| a.rank.cmp_best_first(&b.rank));
        // One issue per category and key, and per category and line: a catch-all that matched
        // the line a specific pattern explained says nothing more (best ranked first wins).
        let mut seen = std::collections::HashSet::new();
        let mut lines = std::collections::HashSet::new();
        let (mut issues, mut dropped): (Vec<Issue>, Vec<Issue>) =
            found.into_iter().partition(|i| {
                let new_key = seen.insert((i.category.clone(), i.key.clone()));
                let new_line = lines.insert((i.category.clone(), i.line_number));
                new_key && new_line
            });
        if issues.len() > MAX_ISSUES {
            dropped.extend(issues.split_off(MAX_ISSUES));
        }
        Ok(Classified {
            issues,
            lines: n,
            dropped,
        })
    }

    /// The line filter, built on first use with `sample` as the text it learns from.
    fn line_filter(&self, sample: &[u8]) -> Option<&LineFilter> {
        self.filter
            .get_or_init(|| {
                LineFilter::new(
                    self.set
                        .sources()
                        .iter()
                        .map(String::as_str)
                        .chain([INTERESTING_SOURCE])
                        .chain(STEP_SOURCES),
                    sample,
                )
            })
            .as_ref()
    }

    /// Looks at the chunk's new lines that may matter (all of them without a filter): each
    /// feeds the pending matches, the steps, and may start matches.
    fn look_at(
        &self,
        chunk: &mut Chunk,
        raw: &[u8],
        filter: Option<&LineFilter>,
        state: &mut State,
    ) {
        let from = chunk.kept;
        if let Some(f) = filter {
            f.candidates(&chunk.text, &chunk.lines, from, &mut chunk.picked);
        } else {
            chunk.picked.clear();
            chunk.picked.extend(from..chunk.lines.len());
        }
        let mut picked = chunk.picked.iter().copied().peekable();
        for i in from..chunk.lines.len() {
            let is_picked = picked.next_if_eq(&i).is_some();
            if !is_picked && state.pending.is_empty() && !state.steps.watching() {
                continue;
            }
            let at = chunk.lines[i];
            let line = &chunk.text[at.start..at.end];
            let ring = Recent {
                text: &chunk.text,
                lines: &chunk.lines[i.saturating_sub(MAX_WINDOW)..i],
            };
            self.advance(&mut state.pending, line, &mut state.found);
            let header_like = header_like(&raw[at.raw_start..at.raw_end], line);
            state.steps.see(at.n, line, header_like, &ring);
            // The step's echoed script is no output: quoted error text there is no failure.
            if !state.steps.in_header {
                let only = match filter {
                    Some(f) if is_picked => {
                        f.regexes(&chunk.text, at, &mut chunk.regexes);
                        Some(&chunk.regexes[..])
                    }
                    // The filter saw nothing any regex needs in this line.
                    Some(_) => Some(&[][..]),
                    None => None,
                };
                let step = state.steps.step;
                self.starts(line, step, at.n, &ring, &mut state.pending, only);
            }
        }
    }

    /// Starts the matches `line` begins. A problem matcher's annotation (`##[error]`) is no
    /// part of the tool's message: patterns see the line without it, then as printed. Each
    /// pattern starts at most once per line, with the first of its regexes that matches.
    /// `only`, from the line filter, holds every set regex that may match the line; the set
    /// decides when there is none, and for an annotated line (the filter saw it as printed).
    fn starts(
        &self,
        line: &[u8],
        step: u32,
        n: u64,
        ring: &Recent<'_>,
        pending: &mut Vec<Pending>,
        only: Option<&[usize]>,
    ) {
        let bare = strip_annotation(line);
        let only = only.filter(|_| bare.len() == line.len());
        let mut started: Vec<usize> = Vec::new();
        let mut matched: Vec<usize> = Vec::new();
        for text in [bare, line] {
            matched.clear();
            match only {
                // Each regex alone: the set's lazy DFA over hundreds of regexes builds states
                // for every new line it sees, and these lines are all new. The same matches,
                // in the same order.
                Some(only) => matched.extend(only.iter().copied().filter(|&i| {
                    i < self.owners.len() && {
                        let (p, r) = self.owners[i];
                        self.patterns[p].regexes[r].is_match(text)
                    }
                })),
                // The set first: almost no line matches it, and then the wrapper check is
                // skipped.
                None => self.set.matches(text, &mut matched),
            }
            if matched.is_empty() {
                if text.len() == line.len() {
                    break;
                }
                continue;
            }
            let wrapper = NOISE.is_match(line);
            // What the runner or the tool calls a warning is no error's cause.
            let warning = is_warning(line);
            for &i in &matched {
                let (p, r) = self.owners[i];
                let pattern = &self.patterns[p];
                if started.contains(&p)
                    || (wrapper && !(self.any_wrapper && pattern.wrapper))
                    || (warning && pattern.severity == "error")
                {
                    continue;
                }
                if pending.len() < MAX_PENDING
                    && let Some(m) = self.start(p, r, step, n, text, ring)
                {
                    started.push(p);
                    pending.push(m);
                }
            }
            if text.len() == line.len() {
                break;
            }
        }
    }

    fn start(
        &self,
        p: usize,
        r: usize,
        step: u32,
        n: u64,
        line: &[u8],
        ring: &Recent<'_>,
    ) -> Option<Pending> {
        let pattern = &self.patterns[p];
        if pattern.ignore.iter().any(|i| i.is_match(line)) {
            return None;
        }
        let caps = pattern.regexes[r].captures(line)?;
        let mut map = BTreeMap::new();
        merge(&pattern.regexes[r], &caps, &mut map);
        if let Some(w) = &pattern.before {
            let hit = ring
                .newest_first()
                .take(w.within)
                .find_map(|l| w.regex.captures(l));
            match hit {
                Some(c) => merge(&w.regex, &c, &mut map),
                None if w.required => return None,
                None => {}
            }
        }
        let context = ring
            .last(CONTEXT)
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect();
        Some(Pending {
            pattern: p,
            regex: r,
            step,
            line_number: n,
            line: String::from_utf8_lossy(line).into_owned(),
            caps: map,
            context,
            after_seen: 0,
            after_left: pattern.after.as_ref().map(|w| w.within),
            joined: Vec::new(),
        })
    }

    /// Feeds one more line to every waiting match; those complete are turned into issues.
    fn advance(&self, pending: &mut Vec<Pending>, line: &[u8], found: &mut Vec<Issue>) {
        let mut i = 0;
        while i < pending.len() {
            let p = &mut pending[i];
            if p.after_seen < CONTEXT {
                p.context.push(String::from_utf8_lossy(line).into_owned());
            }
            p.after_seen += 1;
            let mut drop_it = false;
            if let Some(left) = p.after_left {
                let w = self.patterns[p.pattern]
                    .after
                    .as_ref()
                    .expect("after_left implies a window");
                if let Some(c) = w.regex.captures(line) {
                    let mut extra = BTreeMap::new();
                    merge(&w.regex, &c, &mut extra);
                    if w.join.is_some() && !p.caps.contains_key("key") {
                        let parts = p.caps.get("head").into_iter().chain(&p.joined);
                        let joined = parts
                            .chain(extra.get("key"))
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .join(" ");
                        p.caps.insert("key".into(), joined);
                    }
                    for (k, v) in extra {
                        p.caps.entry(k).or_insert(v);
                    }
                    p.after_left = None;
                } else if let Some(j) = &w.join
                    && !j.is_match(line)
                {
                    p.after_left = None;
                    drop_it = w.required;
                } else if left <= 1 {
                    p.after_left = None;
                    drop_it = w.required;
                } else {
                    if w.join.is_some() {
                        p.joined.push(String::from_utf8_lossy(line).into_owned());
                    }
                    p.after_left = Some(left - 1);
                }
            }
            if drop_it {
                pending.swap_remove(i);
                continue;
            }
            if p.after_left.is_none() && p.after_seen >= CONTEXT {
                let done = pending.swap_remove(i);
                self.finish(done, found);
                continue;
            }
            i += 1;
        }
    }

    fn finish(&self, p: Pending, found: &mut Vec<Issue>) {
        let pattern = &self.patterns[p.pattern];
        let mut caps = p.caps;
        let key = caps
            .remove("key")
            .filter(|k| !k.is_empty())
            .or_else(|| {
                pattern
                    .default_key
                    .as_deref()
                    .and_then(|t| filled(t, &caps))
            })
            .map(|k| normalize_key(&k));
        if let Some(existing) = found
            .iter_mut()
            .find(|i| i.pattern_id == pattern.id && i.key == key)
        {
            existing.occurrences += 1;
            return;
        }
        if found.iter().filter(|i| i.pattern_id == pattern.id).count() >= MAX_ISSUES {
            return;
        }
        let fill = |t: &str| template(t, key.as_deref(), &caps);
        found.push(Issue {
            category: pattern.category.clone(),
            description: fill(&pattern.description),
            hint: pattern.hint.as_deref().map(fill),
            fix: pattern.fix.as_ref().map(|f| FixPlan {
                recipe: f.recipe.clone(),
                args: f.args.iter().map(|a| fill(a)).collect(),
            }),
            key,
            captures: caps,
            line_number: p.line_number,
            line: p.line,
            context: p.context,
            severity: pattern.severity.clone(),
            pattern_id: pattern.id.clone(),
            confidence: pattern.confidence,
            auto_fixable: pattern.auto_fixable,
            occurrences: 1,
            fingerprint: String::new(),
            job: None,
            recurrence: super::history::Recurrence::New,
            priority: pattern.priority,
            rank: Rank {
                in_failing_step: true,
                severity: severity_rank(&pattern.severity),
                role: pattern.role,
                line: p.line_number,
                priority: pattern.priority,
            },
            regex: pattern.regexes[p.regex].as_str().to_owned(),
            source: pattern.source.clone(),
            step: p.step,
            needs_failure: pattern.needs_failure,
        });
    }
}

/// One match as `--explain` shows it: which pattern, where it is defined, the regex, the line
/// and the captures, and why it ranks where it does.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct Explained {
    /// Its place among the issues (1 is the top one); null for a match not reported.
    pub rank: Option<usize>,
    pub category: String,
    pub key: Option<String>,
    pub pattern_id: String,
    /// `file:line` of the pattern's definition.
    pub pattern_source: String,
    /// The regex that matched the line (empty for the fallback).
    pub regex: String,
    pub line_number: u64,
    pub line: String,
    pub captures: BTreeMap<String, String>,
    pub severity: String,
    /// `cause` or `symptom`.
    pub role: String,
    pub priority: i32,
    pub in_failing_step: bool,
    /// Why it ranks below the issue before it, or why it is not reported.
    pub lost: Option<String>,
}

/// Every issue in rank order, then the matches not reported.
pub(crate) fn explain(c: &Classified) -> Vec<Explained> {
    let one = |i: &Issue, rank: Option<usize>, lost: Option<String>| Explained {
        rank,
        category: i.category.clone(),
        key: i.key.clone(),
        pattern_id: i.pattern_id.clone(),
        pattern_source: i.source.clone(),
        regex: i.regex.clone(),
        line_number: i.line_number,
        line: i.line.clone(),
        captures: i.captures.clone(),
        severity: i.severity.clone(),
        role: match i.rank.role {
            Role::Cause => "cause".into(),
            Role::Symptom => "symptom".into(),
        },
        priority: i.priority,
        in_failing_step: i.rank.in_failing_step,
        lost,
    };
    let mut out: Vec<Explained> = c
        .issues
        .iter()
        .enumerate()
        .map(|(k, i)| {
            let lost = (k > 0)
                .then(|| format!("ranks below #{k}: {}", i.rank.below(&c.issues[k - 1].rank)));
            one(i, Some(k + 1), lost)
        })
        .collect();
    for d in &c.dropped {
        let winner = c
            .issues
            .iter()
            .position(|i| i.category == d.category && i.key == d.key);
        let lost = match winner {
            Some(w) => format!(
                "not reported: issue #{} has the same category and key and ranks higher ({})",
                w + 1,
                d.rank.below(&c.issues[w].rank)
            ),
            None => "not reported: beyond the most issues a log reports".into(),
        };
        out.push(one(d, None, Some(lost)));
    }
    out
}

/// What the runner echoes of a step before running it: the script in cyan (`ESC[36;1m`), the
/// `shell:`, `env:` and `with:` lines and their indented entries. Output ends the echo, also in
/// an excerpt cut without its `##[endgroup]`.
fn header_like(raw: &[u8], line: &[u8]) -> bool {
    if line.starts_with(b"##[") {
        return false;
    }
    if ECHO_COLOUR.find(raw).is_some()
        || line.starts_with(b"shell: ")
        || line == b"env:"
        || line == b"with:"
    {
        return true;
    }
    // The entries under env:/with: are indented after the timestamp.
    let at = memchr::memmem::find(&raw[..raw.len().min(40)], b"Z ").map_or(0, |i| i + 2);
    raw[at..].starts_with(b"  ") && line.contains(&b':')
}

/// `line` without a leading `##[error]`, `##[warning]` or `##[notice]`.
fn strip_annotation(line: &[u8]) -> &[u8] {
    for prefix in [&b"##[error]"[..], b"##[warning]", b"##[notice]"] {
        if let Some(rest) = line.strip_prefix(prefix) {
            // `##[error]  1) [chromium] › …`: the tool's own indent goes too, as on other lines.
            return rest.trim_ascii_start();
        }
    }
    line
}

/// A runner warning or notice annotation, also as the web view shows it when pasted.
fn is_warning(line: &[u8]) -> bool {
    line.starts_with(b"##[warning]")
        || line.starts_with(b"##[notice]")
        || line.starts_with(b"[warning]")
        || line.starts_with(b"Warning: ")
}

/// The one issue a failure nothing explains gets: the cause line, its context, and a key taken
/// from the line.
fn fallback(cause: CauseLine) -> Issue {
    let key = fallback_key(&cause.line);
    Issue {
        category: "unknown".into(),
        description: format!(
            "the step failed and no pattern says why; the most likely cause is line {}: {}",
            cause.line_number, cause.line
        ),
        hint: Some(
            "read the lines around it; if this failure comes back, add a pattern for it (see the README)"
                .into(),
        ),
        fix: None,
        captures: BTreeMap::from([("cause".to_owned(), cause.line.clone())]),
        line_number: cause.line_number,
        line: cause.line,
        context: cause.context,
        severity: "error".into(),
        pattern_id: FALLBACK_ID.into(),
        confidence: 0.3,
        auto_fixable: false,
        occurrences: 1,
        fingerprint: String::new(),
        job: None,
        recurrence: super::history::Recurrence::New,
        priority: 0,
        rank: Rank {
            in_failing_step: true,
            severity: 0,
            role: Role::Cause,
            line: cause.line_number,
            priority: 0,
        },
        regex: String::new(),
        source: "(fallback)".into(),
        step: 0,
        needs_failure: false,
        key: Some(key),
    }
}

/// A token worth searching for in the cause line: an error code (`ERR_PNPM_X`, `NU1101`,
/// `E0432`), an exception name, else the message without its `error:` prefixes.
fn fallback_key(line: &str) -> String {
    static PREFIX: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"^(?:##\[error\]\s*)?[\s❌✗✖×]*(?:(?:[\w.-]+: )?(?:error|Error|ERROR|fatal|FAILED)(?:\[\w+\])?:?\s+)*",
        )
        .expect("valid")
    });
    static CODE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"\b(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+){1,}|[A-Z]{1,6}\d{3,5}|[A-Z][A-Za-z]+(?:Exception|Error))\b",
        )
        .expect("valid")
    });
    // A failure marker names the command that failed, when it names one.
    static COMMAND: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"(?:[Cc]ommand|process) (?:"([^"]+)"|'([^']+)') (?:failed|exited)"#)
            .expect("valid")
    });
    // `Coverage failure: total of 61 is less than 76`: a short name of what failed.
    static HEAD: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"^([A-Za-z][A-Za-z-]*(?: [A-Za-z-]+){0,3} (?:failure|failed|error)):\s")
            .expect("valid")
    });
    // `Job 0acf… failed: Worker restarted`: what failed has no name worth keeping; why does.
    static REASON: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"^[^:]{1,80}? failed: (.+)$").expect("valid"));
    if WRAPPER.is_match(line.as_bytes())
        && let Some(c) = COMMAND.captures(line)
        && let Some(command) = c.get(1).or_else(|| c.get(2))
    {
        return command.as_str().to_owned();
    }
    let message = PREFIX.replace(line, "");
    let mut message = message.trim();
    if let Some(code) = CODE.find(message) {
        return code.as_str().to_owned();
    }
    if let Some(head) = HEAD.captures(message) {
        return head[1].to_owned();
    }
    if let Some(reason) = REASON.captures(message).and_then(|c| c.get(1)) {
        message = reason.as_str();
    }
    let mut end = message.len().min(MAX_FALLBACK_KEY);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    message[..end].trim_end_matches(['.', ':', ' ']).to_owned()
}

/// The log as read: whole lines first, then the start of the next one.
#[derive(Default)]
struct Input {
    buf: Vec<u8>,
    eof: bool,
    /// Dropping the rest of a line longer than `MAX_LINE`, up to its `\n`.
    skipping: bool,
}

impl Input {
    /// Reads until a chunk is in (or the log ends) and there is a whole line; false once all
    /// is done.
    fn fill(&mut self, reader: &mut impl BufRead) -> std::io::Result<bool> {
        loop {
            while !self.eof && self.buf.len() < CHUNK {
                let avail = reader.fill_buf()?;
                if avail.is_empty() {
                    self.eof = true;
                    break;
                }
                if self.skipping {
                    // The `\n` stays: it ends the line kept.
                    let (used, found) =
                        memchr::memchr(b'\n', avail).map_or((avail.len(), false), |i| (i, true));
                    reader.consume(used);
                    self.skipping = !found;
                    continue;
                }
                let used = avail.len().min(CHUNK - self.buf.len());
                self.buf.extend_from_slice(&avail[..used]);
                reader.consume(used);
            }
            if self.eof || memchr::memrchr(b'\n', &self.buf).is_some() {
                return Ok(!self.buf.is_empty());
            }
            // A chunk without a line end: a line longer than any kept.
            self.buf.truncate(MAX_LINE);
            self.skipping = true;
        }
    }

    /// How much of `buf` is whole lines (all of it at the end of the log).
    fn whole_lines(&self) -> usize {
        if self.eof {
            self.buf.len()
        } else {
            memchr::memrchr(b'\n', &self.buf).map_or(0, |i| i + 1)
        }
    }

    fn consumed(&mut self, used: usize) {
        self.buf.drain(..used);
    }
}

/// Normalised lines, each after a `\n` and followed by one: the last `MAX_WINDOW` of the
/// chunks before (the ring a new line sees), then this chunk's. Empty lines and viewer debris
/// are not in it.
struct Chunk {
    text: Vec<u8>,
    lines: Vec<Line>,
    /// How many lines at the start are from earlier chunks.
    kept: usize,
    /// The lines the filter picked.
    picked: Vec<usize>,
    /// The regexes that may match the current line.
    regexes: Vec<usize>,
    scratch: Vec<u8>,
}

impl Default for Chunk {
    fn default() -> Self {
        Self {
            text: vec![b'\n'],
            lines: Vec::new(),
            kept: 0,
            picked: Vec::new(),
            regexes: Vec::new(),
            scratch: Vec::new(),
        }
    }
}

impl Chunk {
    /// Normalises the whole lines `raw`, counting them in `n`. A line keeps at most `MAX_LINE`
    /// bytes of what was read.
    fn load(&mut self, raw: &[u8], n: &mut u64) {
        let mut at = 0;
        while at < raw.len() {
            let next = memchr::memchr(b'\n', &raw[at..]).map_or(raw.len(), |i| at + i + 1);
            let end = next.min(at + MAX_LINE);
            *n += 1;
            let start = self.text.len();
            normalize::append(&raw[at..end], &mut self.text, &mut self.scratch);
            let line = &self.text[start..];
            if line.is_empty() || normalize::is_debris(line) {
                self.text.truncate(start);
            } else {
                self.lines.push(Line {
                    n: *n,
                    start,
                    end: self.text.len(),
                    raw_start: at,
                    raw_end: end,
                });
                self.text.push(b'\n');
            }
            at = next;
        }
    }

    /// Drops all but the last `MAX_WINDOW` lines, which the next chunk's lines see as the
    /// ring. Their raw bytes are gone by then; only the current line's are read.
    fn keep_recent(&mut self) {
        let drop = self.lines.len().saturating_sub(MAX_WINDOW);
        // From the `\n` before the first line kept.
        let base = self.lines.get(drop).map_or(self.text.len(), |l| l.start) - 1;
        self.text.drain(..base);
        self.lines.drain(..drop);
        for l in &mut self.lines {
            l.start -= base;
            l.end -= base;
            l.raw_start = 0;
            l.raw_end = 0;
        }
        self.kept = self.lines.len();
    }
}

/// The (at most `MAX_WINDOW`) non-empty lines before the current one, oldest first.
struct Recent<'a> {
    text: &'a [u8],
    lines: &'a [Line],
}

impl<'a> Recent<'a> {
    fn newest_first(&self) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        let text = self.text;
        self.lines.iter().rev().map(move |l| &text[l.start..l.end])
    }

    /// The last `k`, oldest first.
    fn last(&self, k: usize) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        let text = self.text;
        self.lines[self.lines.len().saturating_sub(k)..]
            .iter()
            .map(move |l| &text[l.start..l.end])
    }
}

fn merge(regex: &LineRegex, caps: &Found<'_>, out: &mut BTreeMap<String, String>) {
    for name in regex.capture_names().flatten() {
        if let Some(m) = caps.name(name) {
            out.entry(name.to_owned())
                .or_insert_with(|| String::from_utf8_lossy(m).trim().to_owned());
        }
    }
}

fn normalize_key(key: &str) -> String {
    // A sentence's full stop may follow the closing quote, or stand inside it.
    let stop = ['.', ',', ':', ';'];
    let key = unquote(key.trim().trim_end_matches(stop)).trim_end_matches(stop);
    let key = RUNNER_PATH.replace(key, "");
    let key = if key.contains('%') {
        percent_decode(&key)
    } else {
        key.into_owned()
    };
    // A key is searched for: a command wrapped over lines (`RUN apt-get update && \`) keeps one
    // space where the log had a line break and indentation.
    if key.contains("  ") || key.contains(['\t', '\n']) {
        key.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        key
    }
}

/// Drops the quotes around a key, and a stray one at either end; a quote the key's own text
/// pairs (`could not read Username for 'https://github.com'`) stays.
fn unquote(mut key: &str) -> &str {
    const QUOTES: [char; 3] = ['\'', '"', '`'];
    while let Some(q) = key.chars().next().filter(|c| QUOTES.contains(c))
        && key.len() > 1
        && key.ends_with(q)
    {
        key = &key[1..key.len() - 1];
    }
    for q in QUOTES {
        if key.matches(q).count() % 2 == 1 {
            if key.starts_with(q) {
                key = &key[1..];
            } else if key.ends_with(q) {
                key = &key[..key.len() - 1];
            }
        }
    }
    key
}

/// `%40types%2Fnode` → `@types/node`; an escape that is not UTF-8 stays as printed.
fn percent_decode(s: &str) -> String {
    let decoded = PERCENT.replace_all(s, |c: &regex::Captures<'_>| {
        let hex = &c[0][1..];
        u8::from_str_radix(hex, 16)
            .ok()
            .filter(u8::is_ascii)
            .map_or_else(|| c[0].to_owned(), |b| char::from(b).to_string())
    });
    decoded.into_owned()
}

/// `default_key` with its `{capture}` placeholders filled; `None` when one is missing.
fn filled(t: &str, caps: &BTreeMap<String, String>) -> Option<String> {
    let out = template(t, None, caps);
    (!(out.contains('{') && out.contains('}'))).then_some(out)
}

/// `{key}` and `{capture}` placeholders; unknown ones stay as written.
fn template(t: &str, key: Option<&str>, caps: &BTreeMap<String, String>) -> String {
    let mut out = t.replace("{key}", key.unwrap_or("?"));
    for (k, v) in caps {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logs(dir: &std::path::Path, out: &mut Vec<Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                logs(&path, out);
            } else if path.extension().is_some_and(|e| e == "log") {
                out.push(std::fs::read(&path).unwrap());
            }
        }
    }

    fn outcome(c: &Classifier, log: &[u8], filtering: Filtering) -> String {
        let c = c
            .classify_filtered(log, Options::default(), filtering)
            .unwrap();
        format!("{} {:?} {:?}", c.lines, c.issues, c.dropped)
    }

    /// The filter only skips lines that change nothing: every log of the fixtures, and all of
    /// them in one long log between ordinary output (chunks, their edges, an over-long line,
    /// CRLF), come out the same with and without it.
    #[test]
    fn the_line_filter_changes_no_result() {
        let c = Classifier::new(super::super::patterns::load(&[]).unwrap()).unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut all = Vec::new();
        logs(&root.join("ci-logs"), &mut all);
        logs(&root.join("ci-corpus/logs"), &mut all);
        assert!(all.len() > 100);
        let mut long = Vec::new();
        for (k, log) in all.iter().enumerate() {
            assert_eq!(
                outcome(&c, log, Filtering::Always),
                outcome(&c, log, Filtering::Never)
            );
            for i in 0..30 {
                long.extend_from_slice(
                    format!(
                        "2026-11-24T05:26:{:02}.{i:07}Z   Compiling crate-{i} v0.1.{k}\r\n",
                        i % 60
                    )
                    .as_bytes(),
                );
            }
            if k == 7 {
                long.extend(std::iter::repeat_n(b'x', 3 * MAX_LINE));
                long.extend_from_slice(b" error: after the cut\n");
            }
            long.extend_from_slice(log);
            long.push(b'\n');
        }
        assert!(long.len() > 4 * CHUNK);
        assert_eq!(
            outcome(&c, &long, Filtering::Always),
            outcome(&c, &long, Filtering::Never)
        );
    }

    #[test]
    fn keys_lose_their_quotes_but_not_the_ones_they_pair() {
        assert_eq!(normalize_key("'left-pad'"), "left-pad");
        assert_eq!(normalize_key("`tree-sitter`."), "tree-sitter");
        assert_eq!(normalize_key("numpy'"), "numpy");
        assert_eq!(
            normalize_key("apt-get update &&     apt-get install -y curl"),
            "apt-get update && apt-get install -y curl"
        );
        assert_eq!(
            normalize_key("could not read Username for 'https://github.com/'"),
            "could not read Username for 'https://github.com/'"
        );
    }

    #[test]
    fn fallback_keys_are_codes_or_messages() {
        assert_eq!(
            fallback_key("pytest: error: unrecognized arguments: --timeout=8"),
            "unrecognized arguments: --timeout=8"
        );
        assert_eq!(
            fallback_key(" ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with \"frozen-lockfile\""),
            "ERR_PNPM_OUTDATED_LOCKFILE"
        );
        assert_eq!(
            fallback_key(
                "##[error]Error: ConditionalCheckFailedException: The conditional request failed"
            ),
            "ConditionalCheckFailedException"
        );
        assert_eq!(fallback_key("fatal: something broke."), "something broke");
        assert_eq!(
            fallback_key("ERROR: Coverage failure: total of 61.22 is less than fail-under=76.00"),
            "Coverage failure"
        );
        assert_eq!(
            fallback_key(
                "❌ Job 0acf873f-06d7 failed: Worker restarted while the job was running."
            ),
            "Worker restarted while the job was running"
        );
        // Only the failure marker was left: the command it names.
        assert_eq!(
            fallback_key("The command \"bundle exec rake\" exited with 1."),
            "bundle exec rake"
        );
        assert_eq!(
            fallback_key("##[error]The process '/usr/bin/git' failed with exit code 128"),
            "/usr/bin/git"
        );
    }

    /// A log that says only that it failed still gives a person its failing line to read.
    #[test]
    fn a_failure_marker_alone_is_the_fallback_line() {
        let c = Classifier::new(super::super::patterns::load(&[]).unwrap()).unwrap();
        let log = "889 examples, 0 failures, 8 pending\n\nThe command \"bundle exec rake\" exited with 1.\n";
        let issues = c.classify(log.as_bytes()).unwrap().issues;
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].category, "unknown");
        assert_eq!(issues[0].line_number, 3);
        assert_eq!(issues[0].key.as_deref(), Some("bundle exec rake"));
        let passing = "889 examples, 0 failures, 8 pending\nThe command \"bundle exec rake\" exited with 0.\n";
        assert!(c.classify(passing.as_bytes()).unwrap().issues.is_empty());
    }

    #[test]
    fn a_whole_job_without_a_failure_marker_passed() {
        let c = Classifier::new(super::super::patterns::load(&[]).unwrap()).unwrap();
        let job = "##[group]Run mvn -B test --fail-never\nmvn -B test --fail-never\n##[endgroup]\n\
                   [ERROR] COMPILATION ERROR : \n[ERROR] /src/A.java:[25,31] cannot find symbol\n\
                   [INFO] BUILD SUCCESS\n";
        let cut = c.classify(job.as_bytes()).unwrap().issues;
        assert_eq!(cut[0].category, "compile_error", "{cut:?}");
        let whole = format!("{job}Post job cleanup.\nCleaning up orphan processes\n");
        assert!(c.classify(whole.as_bytes()).unwrap().issues.is_empty());
        let failed = format!(
            "{job}##[error]Process completed with exit code 1.\nCleaning up orphan processes\n"
        );
        assert_eq!(
            c.classify(failed.as_bytes()).unwrap().issues[0].category,
            "compile_error"
        );
    }

    #[test]
    fn keys_are_percent_decoded_and_runner_paths_dropped() {
        assert_eq!(normalize_key("@types%2fnode"), "@types/node");
        assert_eq!(normalize_key("%40scope%2Fname"), "@scope/name");
        assert_eq!(
            normalize_key("/home/runner/work/app/app/src/main.rs"),
            "src/main.rs"
        );
        assert_eq!(normalize_key("100%"), "100%");
    }
}
