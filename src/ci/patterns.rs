//! Failure patterns from YAML: the shipped set (embedded in the binary) and users' directories,
//! which add patterns or replace shipped ones by id. Every problem names file, line and id.

mod error;

use std::collections::BTreeMap;
use std::path::PathBuf;

use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::line_regex::LineRegex;

pub(crate) use crate::types::category::CATEGORIES;
pub(crate) use error::{PatternError, Problem};

/// Infrastructure trouble: a first sighting is worth a re-run rather than a fix.
pub(crate) const INFRA: &[&str] = &["network", "rate_limited", "cache_restore", "timeout"];

const SHIPPED: &[(&str, &str)] = &[
    ("patterns/ci.yaml", include_str!("../../patterns/ci.yaml")),
    (
        "patterns/runner.yaml",
        include_str!("../../patterns/runner.yaml"),
    ),
    (
        "patterns/infra.yaml",
        include_str!("../../patterns/infra.yaml"),
    ),
    (
        "patterns/node.yaml",
        include_str!("../../patterns/node.yaml"),
    ),
    (
        "patterns/python.yaml",
        include_str!("../../patterns/python.yaml"),
    ),
    ("patterns/go.yaml", include_str!("../../patterns/go.yaml")),
    (
        "patterns/rust.yaml",
        include_str!("../../patterns/rust.yaml"),
    ),
    ("patterns/jvm.yaml", include_str!("../../patterns/jvm.yaml")),
    (
        "patterns/dotnet.yaml",
        include_str!("../../patterns/dotnet.yaml"),
    ),
    (
        "patterns/ruby.yaml",
        include_str!("../../patterns/ruby.yaml"),
    ),
    ("patterns/php.yaml", include_str!("../../patterns/php.yaml")),
    (
        "patterns/apple.yaml",
        include_str!("../../patterns/apple.yaml"),
    ),
    (
        "patterns/native.yaml",
        include_str!("../../patterns/native.yaml"),
    ),
    (
        "patterns/docker.yaml",
        include_str!("../../patterns/docker.yaml"),
    ),
    (
        "patterns/terraform.yaml",
        include_str!("../../patterns/terraform.yaml"),
    ),
    ("patterns/k8s.yaml", include_str!("../../patterns/k8s.yaml")),
    (
        "patterns/lint.yaml",
        include_str!("../../patterns/lint.yaml"),
    ),
    (
        "patterns/dart.yaml",
        include_str!("../../patterns/dart.yaml"),
    ),
    (
        "patterns/solidity.yaml",
        include_str!("../../patterns/solidity.yaml"),
    ),
    (
        "patterns/beam.yaml",
        include_str!("../../patterns/beam.yaml"),
    ),
    (
        "patterns/haskell.yaml",
        include_str!("../../patterns/haskell.yaml"),
    ),
    (
        "patterns/system.yaml",
        include_str!("../../patterns/system.yaml"),
    ),
    (
        "patterns/generic.yaml",
        include_str!("../../patterns/generic.yaml"),
    ),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    patterns: Vec<Spanned<RawPattern>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPattern {
    id: String,
    category: String,
    #[serde(default = "default_severity")]
    severity: String,
    #[serde(default)]
    priority: i32,
    #[serde(default = "default_confidence")]
    confidence: f64,
    #[serde(default)]
    role: Role,
    /// Also read the runner's wrapper line (`Process completed with exit code N`), which other
    /// patterns never see.
    #[serde(default)]
    wrapper: bool,
    /// Report it only when the log also shows a failure (a failure marker, or another error
    /// that needs nothing): a retry warning, say, that may have been followed by success.
    #[serde(default)]
    needs_failure: bool,
    regex: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    before: Option<RawWindow>,
    after: Option<RawWindow>,
    default_key: Option<String>,
    #[serde(default)]
    auto_fixable: bool,
    fix: Option<RawFix>,
    description: String,
    hint: Option<String>,
    #[serde(default)]
    fixtures: RawFixtures,
}

fn default_severity() -> String {
    "error".into()
}

fn default_confidence() -> f64 {
    0.8
}

/// How an issue ranks against others of the same step and severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Role {
    /// A cause: what went wrong first. Among causes the earliest line wins.
    #[default]
    Cause,
    /// A consequence of another error that is usually printed before it ("3 tests failed",
    /// "BUILD FAILURE", "could not compile"): it wins only when no cause matched.
    Symptom,
}

/// Another line, within `within` lines before or after the match, that must also match; its
/// named captures join the match's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    regex: Spanned<String>,
    within: usize,
    #[serde(default = "yes")]
    required: bool,
    join: Option<Spanned<String>>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFix {
    recipe: String,
    #[serde(default)]
    args: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFixtures {
    #[serde(default, rename = "match")]
    matches: Vec<RawFixture>,
    #[serde(default)]
    no_match: Vec<String>,
}

/// A log excerpt (one or more lines) that must produce this pattern's issue with this key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFixture {
    log: String,
    key: Option<String>,
}

/// The longest window a pattern may look before or after its line.
pub(crate) const MAX_WINDOW: usize = 50;

#[derive(Debug, Clone)]
pub(crate) struct Window {
    pub regex: LineRegex,
    pub within: usize,
    pub required: bool,
    /// After windows only: the lines before the window's match must all match this, and the
    /// key is the main line's `head`, those lines and the window's `key`, joined by spaces (a
    /// test's title that the runner prints over several lines). Any other line ends the wait.
    pub join: Option<LineRegex>,
}

#[derive(Debug, Clone)]
pub(crate) struct Fix {
    pub recipe: String,
    pub args: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Fixture {
    pub log: String,
    pub key: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    pub id: String,
    pub category: String,
    pub severity: String,
    pub priority: i32,
    pub confidence: f64,
    pub role: Role,
    pub wrapper: bool,
    pub needs_failure: bool,
    pub regexes: Vec<LineRegex>,
    pub ignore: Vec<LineRegex>,
    pub before: Option<Window>,
    pub after: Option<Window>,
    pub default_key: Option<String>,
    pub auto_fixable: bool,
    pub fix: Option<Fix>,
    pub description: String,
    pub hint: Option<String>,
    pub fixtures: Vec<Fixture>,
    pub negatives: Vec<String>,
    /// `file:line` of its definition, for messages.
    pub source: String,
}

/// Loads the shipped patterns, then each directory's `*.yaml` in name order; a later pattern
/// with the same id replaces an earlier one.
/// `[github] patterns_dirs` then `extra` (`--patterns-dir`); with neither,
/// `$XDG_CONFIG_HOME/mcpctl/patterns` when it exists.
pub(crate) fn dirs(configured: &[PathBuf], extra: &[PathBuf]) -> Vec<PathBuf> {
    if !extra.is_empty() || !configured.is_empty() {
        return configured.iter().chain(extra).cloned().collect();
    }
    crate::config::config_home()
        .map(|h| h.join("mcpctl").join("patterns"))
        .filter(|d| d.is_dir())
        .into_iter()
        .collect()
}

pub(crate) fn load(dirs: &[PathBuf]) -> Result<Vec<Pattern>, PatternError> {
    let mut by_id: BTreeMap<String, Pattern> = BTreeMap::new();
    let mut order = Vec::new();
    let mut add = |p: Pattern| {
        if !by_id.contains_key(&p.id) {
            order.push(p.id.clone());
        }
        by_id.insert(p.id.clone(), p);
    };
    for (name, text) in SHIPPED {
        for p in parse(name, text)? {
            add(p);
        }
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            // The bump-action table lives beside the patterns; `fix` reads it.
            .filter(|p| p.file_name().is_none_or(|n| n != "actions.yaml"))
            .collect();
        files.sort();
        for file in files {
            let text = match std::fs::read_to_string(&file) {
                Ok(text) => text,
                Err(source) => return Err(PatternError::Read { file, source }),
            };
            for p in parse(&file.display().to_string(), &text)? {
                add(p);
            }
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|id| by_id.remove(&id))
        .collect())
}

/// Parses and compiles one file; the first problem is reported as `file:line: pattern ID: …`.
pub(crate) fn parse(name: &str, text: &str) -> Result<Vec<Pattern>, PatternError> {
    let raw: RawFile = serde_saphyr::from_str(text).map_err(|source| PatternError::Yaml {
        name: name.to_owned(),
        source: Box::new(source),
    })?;
    let mut out = Vec::new();
    for spanned in raw.patterns {
        out.push(compile_pattern(
            name,
            spanned.referenced.line(),
            spanned.value,
        )?);
    }
    Ok(out)
}

/// What must hold before any regex is compiled.
fn shape(p: &RawPattern) -> Result<(), Problem> {
    if !CATEGORIES.contains(&p.category.as_str()) {
        return Err(Problem::Category(p.category.clone()));
    }
    if !(0.0..=1.0).contains(&p.confidence) {
        return Err(Problem::Confidence);
    }
    if !["error", "warning", "info"].contains(&p.severity.as_str()) {
        return Err(Problem::Severity(p.severity.clone()));
    }
    if p.regex.is_empty() {
        return Err(Problem::NoRegex);
    }
    if p.fixtures.matches.is_empty() {
        return Err(Problem::NoFixtures);
    }
    Ok(())
}

fn compile_pattern(name: &str, line: u64, p: RawPattern) -> Result<Pattern, PatternError> {
    let at = |line: u64, problem: Problem| PatternError::Pattern {
        name: name.to_owned(),
        line,
        id: p.id.clone(),
        problem,
    };
    shape(&p).map_err(|m| at(line, m))?;
    let compile = |r: &Spanned<String>, anchored: bool| -> Result<LineRegex, PatternError> {
        if anchored && !r.value.starts_with('^') {
            return Err(at(
                r.referenced.line(),
                Problem::Unanchored(r.value.clone()),
            ));
        }
        LineRegex::new(&r.value).map_err(|e| at(r.referenced.line(), Problem::Regex(e)))
    };
    let regexes = p
        .regex
        .iter()
        .map(|r| compile(r, true))
        .collect::<Result<Vec<_>, _>>()?;
    let window = |w: &RawWindow| -> Result<Window, PatternError> {
        if w.within == 0 || w.within > MAX_WINDOW {
            return Err(at(w.regex.referenced.line(), Problem::Within));
        }
        Ok(Window {
            regex: compile(&w.regex, true)?,
            within: w.within,
            required: w.required,
            join: w.join.as_ref().map(|j| compile(j, true)).transpose()?,
        })
    };
    if let Some(j) = p.before.as_ref().and_then(|w| w.join.as_ref()) {
        return Err(at(j.referenced.line(), Problem::JoinBefore));
    }
    let before = p.before.as_ref().map(window).transpose()?;
    let after = p.after.as_ref().map(window).transpose()?;
    let has_key = regexes
        .iter()
        .chain(before.iter().map(|w| &w.regex))
        .chain(after.iter().map(|w| &w.regex))
        .any(|r| r.capture_names().flatten().any(|n| n == "key"));
    if !has_key && p.default_key.is_none() {
        return Err(at(line, Problem::NoKey));
    }
    let pattern = Pattern {
        before,
        after,
        ignore: p
            .ignore
            .iter()
            .map(|r| compile(r, false))
            .collect::<Result<Vec<_>, _>>()?,
        regexes,
        id: p.id.clone(),
        category: p.category,
        severity: p.severity,
        priority: p.priority,
        confidence: p.confidence,
        role: p.role,
        wrapper: p.wrapper,
        needs_failure: p.needs_failure,
        default_key: p.default_key,
        auto_fixable: p.auto_fixable,
        fix: p.fix.map(|f| Fix {
            recipe: f.recipe,
            args: f.args,
        }),
        description: p.description,
        hint: p.hint,
        fixtures: p
            .fixtures
            .matches
            .into_iter()
            .map(|f| Fixture {
                log: f.log,
                key: f.key,
            })
            .collect(),
        negatives: p.fixtures.no_match,
        source: format!("{name}:{line}"),
    };
    if pattern.fixtures.is_empty() {
        return Err(at(line, Problem::NoFixtures));
    }
    Ok(pattern)
}

/// The classifier's own fixed regexes (failure markers, wrapper lines), in the patterns' syntax:
/// ASCII classes (`\w`, `\d`), as log tokens are ASCII and Unicode classes multiply the DFA
/// states that every line of a gigabyte log walks through.
pub(crate) fn build(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .dfa_size_limit(1 << 20)
        .build()
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::category::MEANINGS;

    /// The README's table of ids is this one: every id, in order, with its meaning.
    #[test]
    fn the_readme_lists_every_category_with_its_meaning() {
        let readme = include_str!("../../README.md");
        let ids: Vec<&str> = MEANINGS.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, CATEGORIES);
        let rows: Vec<String> = MEANINGS
            .iter()
            .map(|(id, meaning)| format!("| `{id}` | {meaning} |"))
            .collect();
        let at: Vec<usize> = rows
            .iter()
            .map(|r| {
                readme
                    .find(r.as_str())
                    .unwrap_or_else(|| panic!("README lacks {r}"))
            })
            .collect();
        assert!(at.is_sorted(), "the README's rows are out of order");
    }

    /// A pattern file left out of the binary is dead: it only works with --patterns-dir.
    #[test]
    fn a_join_in_a_before_window_is_refused_where_it_is_written() {
        let yaml = "patterns:\n  - id: x\n    category: test_failure\n    regex: ['^a (?P<head>.*)$']\n    before: {regex: '^(?P<key>b):$', within: 3,\n      join: '^c'}\n    description: d\n    fixtures:\n      match: [{log: \"b:\\na x\"}]\n";
        let err = parse("x.yaml", yaml).unwrap_err().to_string();
        assert!(
            err.contains("x.yaml:6") && err.contains("belongs in `after`"),
            "{err}"
        );
    }

    #[test]
    fn every_pattern_file_is_shipped() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/patterns");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.extension().is_some_and(|e| e == "yaml") && name != "actions.yaml" {
                let shipped = format!("patterns/{name}");
                assert!(
                    SHIPPED.iter().any(|(n, _)| *n == shipped),
                    "{shipped} is not in SHIPPED"
                );
            }
        }
    }
}
