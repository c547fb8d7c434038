//! One streaming pass over a log: normalise each line, let a `RegexSet` say which patterns could
//! match, then confirm with each pattern's own regex and its before/after windows. Memory is a
//! ring of recent lines plus the matches found, however long the log.

use std::collections::{BTreeMap, VecDeque};
use std::io::BufRead;
use std::sync::LazyLock;

use regex::bytes::{Captures, Regex, RegexSet, RegexSetBuilder};
use serde::Serialize;

use super::normalize;
use super::patterns::{MAX_WINDOW, Pattern};

/// Longest line kept; the rest of a longer one is read and dropped.
const MAX_LINE: usize = 64 * 1024;
const CONTEXT: usize = 3;
const MAX_ISSUES: usize = 20;
const MAX_PENDING: usize = 256;

/// Wrapper lines that report a failure without saying why: never a cause.
static NOISE: LazyLock<Regex> = LazyLock::new(|| {
    super::patterns::build(r"^(?:##\[error\]|Error: )?Process completed with exit code \d+\.?$")
        .expect("valid")
});

/// Runner checkout paths, so the same file groups together on every runner.
static RUNNER_PATH: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"^(?:/home/runner/work/[^/]+/[^/]+/|/github/workspace/|/__w/[^/]+/[^/]+/|[A-Za-z]:\\a\\[^\\]+\\[^\\]+\\)",
    )
    .expect("valid")
});

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FixPlan {
    pub recipe: String,
    pub args: Vec<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Issue {
    pub category: String,
    /// The normalised token: package, module, test id, file, action@ref; null when none.
    pub key: Option<String>,
    pub captures: BTreeMap<String, String>,
    pub line_number: u64,
    pub line: String,
    /// Up to three lines before and after.
    pub context: Vec<String>,
    pub severity: String,
    pub pattern_id: String,
    pub confidence: f64,
    pub auto_fixable: bool,
    pub fix: Option<FixPlan>,
    pub description: String,
    pub hint: Option<String>,
    /// How many times this pattern and key matched.
    pub occurrences: u64,
    /// Set by the caller: category + key + repo + workflow + job.
    pub fingerprint: String,
    /// The job the log came from, when known: part of the fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// Set by the caller from the fingerprint's history.
    pub recurrence: super::history::Recurrence,
    #[serde(skip)]
    pub priority: i32,
}

pub struct Classifier {
    patterns: Vec<Pattern>,
    set: RegexSet,
    /// Set index → (pattern, regex).
    owners: Vec<(usize, usize)>,
}

pub struct Classified {
    pub issues: Vec<Issue>,
    pub lines: u64,
}

struct Pending {
    pattern: usize,
    line_number: u64,
    line: String,
    caps: BTreeMap<String, String>,
    context: Vec<String>,
    after_seen: usize,
    /// Lines left in which the after-window may still match; `None` once resolved.
    after_left: Option<usize>,
}

impl Classifier {
    pub fn new(patterns: Vec<Pattern>) -> Result<Self, String> {
        let mut sources = Vec::new();
        let mut owners = Vec::new();
        for (p, pattern) in patterns.iter().enumerate() {
            for (r, regex) in pattern.regexes.iter().enumerate() {
                sources.push(regex.as_str().to_owned());
                owners.push((p, r));
            }
        }
        let set = RegexSetBuilder::new(&sources)
            .unicode(false)
            .dfa_size_limit(64 << 20)
            .build()
            .map_err(|e| format!("the pattern set does not compile: {e}"))?;
        Ok(Self {
            patterns,
            set,
            owners,
        })
    }

    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    pub fn classify(&self, mut reader: impl BufRead) -> std::io::Result<Classified> {
        let mut raw = Vec::with_capacity(4096);
        let mut line = Vec::with_capacity(4096);
        let mut ring: VecDeque<(u64, Vec<u8>)> = VecDeque::with_capacity(MAX_WINDOW + 1);
        let mut pending: Vec<Pending> = Vec::new();
        let mut found: Vec<Issue> = Vec::new();
        let mut n = 0u64;
        loop {
            raw.clear();
            if read_line(&mut reader, &mut raw)? == 0 {
                break;
            }
            n += 1;
            normalize::line(&raw, &mut line);
            if line.is_empty() || normalize::is_debris(&line) {
                continue;
            }
            self.advance(&mut pending, &line, &mut found);
            // The set first: almost no line matches it, and then the wrapper check is skipped.
            if self.set.is_match(&line) && !NOISE.is_match(&line) {
                for i in &self.set.matches(&line) {
                    let (p, r) = self.owners[i];
                    if pending.len() < MAX_PENDING
                        && let Some(m) = self.start(p, r, n, &line, &ring)
                    {
                        pending.push(m);
                    }
                }
            }
            if ring.len() == MAX_WINDOW {
                if let Some((_, mut old)) = ring.pop_front() {
                    old.clear();
                    old.extend_from_slice(&line);
                    ring.push_back((n, old));
                }
            } else {
                ring.push_back((n, line.clone()));
            }
        }
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
        found.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then(a.line_number.cmp(&b.line_number))
        });
        let mut seen = std::collections::HashSet::new();
        found.retain(|i| seen.insert((i.category.clone(), i.key.clone())));
        found.truncate(MAX_ISSUES);
        Ok(Classified {
            issues: found,
            lines: n,
        })
    }

    fn start(
        &self,
        p: usize,
        r: usize,
        n: u64,
        line: &[u8],
        ring: &VecDeque<(u64, Vec<u8>)>,
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
                .iter()
                .rev()
                .take(w.within)
                .find_map(|(_, l)| w.regex.captures(l).map(|c| (c, l)));
            match hit {
                Some((c, _)) => merge(&w.regex, &c, &mut map),
                None if w.required => return None,
                None => {}
            }
        }
        let context = ring
            .iter()
            .rev()
            .take(CONTEXT)
            .rev()
            .map(|(_, l)| String::from_utf8_lossy(l).into_owned())
            .collect();
        Some(Pending {
            pattern: p,
            line_number: n,
            line: String::from_utf8_lossy(line).into_owned(),
            caps: map,
            context,
            after_seen: 0,
            after_left: pattern.after.as_ref().map(|w| w.within),
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
                    for (k, v) in extra {
                        p.caps.entry(k).or_insert(v);
                    }
                    p.after_left = None;
                } else if left <= 1 {
                    p.after_left = None;
                    drop_it = w.required;
                } else {
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
            .or_else(|| pattern.default_key.clone())
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
        });
    }
}

/// Reads one line, keeping at most `MAX_LINE` bytes of it.
fn read_line(reader: &mut impl BufRead, out: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(total);
        }
        let (chunk, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let room = MAX_LINE.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len();
        reader.consume(used);
        total += used;
        if done {
            return Ok(total);
        }
    }
}

fn merge(regex: &Regex, caps: &Captures<'_>, out: &mut BTreeMap<String, String>) {
    for name in regex.capture_names().flatten() {
        if let Some(m) = caps.name(name) {
            out.entry(name.to_owned())
                .or_insert_with(|| String::from_utf8_lossy(m.as_bytes()).trim().to_owned());
        }
    }
}

fn normalize_key(key: &str) -> String {
    let key = key.trim().trim_matches(|c| matches!(c, '\'' | '"' | '`'));
    let key = key.trim_end_matches(['.', ',', ':', ';']);
    RUNNER_PATH.replace(key, "").into_owned()
}

/// `{key}` and `{capture}` placeholders; unknown ones stay as written.
fn template(t: &str, key: Option<&str>, caps: &BTreeMap<String, String>) -> String {
    let mut out = t.replace("{key}", key.unwrap_or("?"));
    for (k, v) in caps {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}
