//! Edits of GitHub workflow files that touch only the value being changed. Every other byte —
//! comments, ordering, quoting, blank lines — stays as it was; a serde round-trip would lose
//! them. Each edit works line by line on the text and the result must still parse as YAML.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

/// `.github/workflows/*.yml` and `*.yaml` in the checkout, sorted.
pub(crate) fn files(checkout: &Path) -> Vec<PathBuf> {
    let dir = checkout.join(".github/workflows");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    out.sort();
    out
}

/// The workflow file whose top-level `name:` is `workflow`, else the only one there is.
pub(crate) fn find_by_name(checkout: &Path, workflow: Option<&str>) -> Option<PathBuf> {
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^name:\s*['"]?(.*?)['"]?\s*(?:#.*)?$"#).expect("regex"));
    let all = files(checkout);
    if let Some(wanted) = workflow {
        let hit = all.iter().find(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| {
                t.lines()
                    .filter_map(|l| NAME.captures(l))
                    .any(|c| c[1] == *wanted)
            })
        });
        if hit.is_some() {
            return hit.cloned();
        }
        let by_file = all
            .iter()
            .find(|p| p.file_stem().is_some_and(|s| s.to_string_lossy() == wanted));
        if by_file.is_some() {
            return by_file.cloned();
        }
    }
    (all.len() == 1).then(|| all[0].clone())
}

/// Splits into lines that keep their terminators, so joining them gives the text back exactly.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// A line's body and its terminator (`\n`, `\r\n` or nothing).
fn split_eol(line: &str) -> (&str, &str) {
    if let Some(body) = line.strip_suffix("\r\n") {
        (body, "\r\n")
    } else if let Some(body) = line.strip_suffix('\n') {
        (body, "\n")
    } else {
        (line, "")
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// Why a workflow edit was not made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum EditError {
    /// Boxed: the parser's error is large.
    #[error("the edit would leave invalid YAML ({0}); nothing written")]
    BreaksYaml(#[source] Box<serde_saphyr::Error>),
    #[error("target ref {0:?} is not like v4")]
    Target(String),
    #[error(
        "`permissions: {value}` is written inline; change it by hand to grant {scope}: {level}"
    )]
    InlinePermissions {
        value: String,
        scope: String,
        level: String,
    },
    #[error("the workflow has no top-level `jobs:`")]
    NoJobs,
    #[error(
        "timeout-minutes is {current}, already at the cap of {cap} ([fix] max_timeout_minutes)"
    )]
    AtCap { current: u32, cap: u32 },
    #[error(
        "the job ran into GitHub's default of {0} minutes; there is no timeout-minutes to raise"
    )]
    DefaultTimeout(u32),
}

/// The edited text must still be YAML; an edit that breaks it is a bug, never shipped.
fn still_yaml(text: String) -> Result<String, EditError> {
    serde_saphyr::from_str::<serde::de::IgnoredAny>(&text)
        .map(|_| text)
        .map_err(|e| EditError::BreaksYaml(Box::new(e)))
}

fn major(r: &str) -> Option<u64> {
    let digits: String = r
        .strip_prefix('v')?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Raises every `uses: ACTION@vN` with N below `target`'s major to `target`. SHA pins and refs
/// that are not `vN…` are left alone: someone chose them on purpose.
pub(crate) fn bump_action(
    text: &str,
    action: &str,
    target: &str,
) -> Result<Option<String>, EditError> {
    static USES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r##"^(\s*(?:-\s+)?uses:\s*['"]?)([^@\s'"]+)@([^\s'"#]+)(.*)$"##).expect("regex")
    });
    let want = major(target).ok_or_else(|| EditError::Target(target.to_owned()))?;
    let mut changed = false;
    let mut out = String::with_capacity(text.len() + 16);
    for line in lines(text) {
        let (body, eol) = split_eol(line);
        if let Some(c) = USES.captures(body)
            && c[2].eq_ignore_ascii_case(action)
            && major(&c[3]).is_some_and(|m| m < want)
        {
            out.push_str(&c[1]);
            out.push_str(&c[2]);
            out.push('@');
            out.push_str(target);
            out.push_str(&c[4]);
            out.push_str(eol);
            changed = true;
        } else {
            out.push_str(line);
        }
    }
    if changed {
        still_yaml(out).map(Some)
    } else {
        Ok(None)
    }
}

/// Sets every scalar `node-version:` (the input of actions/setup-node) to `version`. Matrix
/// lists are left alone: which entry to change is a decision for a person.
pub(crate) fn set_node_version(text: &str, version: &str) -> Result<Option<String>, EditError> {
    static NODE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^(\s*(?:-\s+)?node-version:\s*)(['"]?)([^'"\s#\[\]{}]+)(['"]?)(.*)$"#)
            .expect("regex")
    });
    let mut changed = false;
    let mut out = String::with_capacity(text.len() + 8);
    for line in lines(text) {
        let (body, eol) = split_eol(line);
        match NODE.captures(body) {
            Some(c) if &c[3] != version && !c[3].contains("${{") => {
                out.push_str(&c[1]);
                out.push_str(&c[2]);
                out.push_str(version);
                out.push_str(&c[4]);
                out.push_str(&c[5]);
                out.push_str(eol);
                changed = true;
            }
            _ => out.push_str(line),
        }
    }
    if changed {
        still_yaml(out).map(Some)
    } else {
        Ok(None)
    }
}

/// Grants `scope: level` in every `permissions:` block of the file (top level and jobs), or adds
/// a top-level block before `jobs:` when there is none. An existing `write` is never lowered.
pub(crate) fn add_permission(
    text: &str,
    scope: &str,
    level: &str,
) -> Result<Option<String>, EditError> {
    static BLOCK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(\s*)permissions:\s*(.*?)\s*$").expect("regex"));
    let all = lines(text);
    let mut out: Vec<String> = Vec::with_capacity(all.len() + 2);
    let mut changed = false;
    let mut blocks = 0;
    let mut i = 0;
    while i < all.len() {
        let (body, eol) = split_eol(all[i]);
        let Some(c) = BLOCK.captures(body) else {
            out.push(all[i].to_owned());
            i += 1;
            continue;
        };
        let value = c[2].split('#').next().unwrap_or("").trim();
        if !value.is_empty() {
            return Err(EditError::InlinePermissions {
                value: value.to_owned(),
                scope: scope.to_owned(),
                level: level.to_owned(),
            });
        }
        blocks += 1;
        let base = indent(body);
        out.push(all[i].to_owned());
        i += 1;
        let mut child_indent = None;
        let mut found = false;
        let mut last_entry = out.len();
        while i < all.len() {
            let (b, e) = split_eol(all[i]);
            if !is_blank_or_comment(b) && indent(b) <= base {
                break;
            }
            if is_blank_or_comment(b) {
                out.push(all[i].to_owned());
            } else {
                child_indent.get_or_insert(indent(b));
                let key = b.trim_start().split(':').next().unwrap_or("");
                let current = b.split_once(':').map_or("", |(_, v)| v.trim());
                if key != scope || current.starts_with(level) || current.starts_with("write") {
                    out.push(all[i].to_owned());
                } else {
                    out.push(format!("{}{scope}: {level}{e}", " ".repeat(indent(b))));
                    changed = true;
                }
                found |= key == scope;
                last_entry = out.len();
            }
            i += 1;
        }
        if !found {
            let pad = " ".repeat(child_indent.unwrap_or(base + 2));
            let line_eol = if eol.is_empty() { "\n" } else { eol };
            if let Some(prev) = out.get_mut(last_entry - 1)
                && !prev.ends_with('\n')
            {
                prev.push_str(line_eol);
            }
            out.insert(last_entry, format!("{pad}{scope}: {level}{line_eol}"));
            changed = true;
        }
    }
    if blocks == 0 {
        let Some(at) = all.iter().position(|l| split_eol(l).0.starts_with("jobs:")) else {
            return Err(EditError::NoJobs);
        };
        let eol = split_eol(all[at]).1;
        let eol = if eol.is_empty() { "\n" } else { eol };
        let mut block = format!("permissions:{eol}");
        if scope != "contents" {
            // A new block drops every unlisted scope to none; checkout still needs contents.
            block.push_str(&format!("  contents: read{eol}"));
        }
        block.push_str(&format!("  {scope}: {level}{eol}{eol}"));
        out.insert(at, block);
        changed = true;
    }
    if changed {
        still_yaml(out.concat()).map(Some)
    } else {
        Ok(None)
    }
}

/// Raises each `timeout-minutes: CURRENT` (inside `job`'s block when it can be found) to twice
/// its value, at most `cap`.
pub(crate) fn raise_timeout(
    text: &str,
    job: Option<&str>,
    current: u32,
    cap: u32,
) -> Result<Option<String>, EditError> {
    static TIMEOUT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(\s*(?:-\s+)?timeout-minutes:\s*)([0-9]+)(.*)$").expect("regex")
    });
    let new = current.saturating_mul(2).min(cap);
    if new <= current {
        return Err(EditError::AtCap { current, cap });
    }
    let all = lines(text);
    let range = job.and_then(|j| job_block(&all, j)).unwrap_or(0..all.len());
    let mut changed = false;
    let mut out = String::with_capacity(text.len() + 4);
    for (n, line) in all.iter().enumerate() {
        let (body, eol) = split_eol(line);
        match TIMEOUT.captures(body) {
            Some(c) if range.contains(&n) && c[2].parse::<u32>() == Ok(current) => {
                out.push_str(&c[1]);
                out.push_str(&new.to_string());
                out.push_str(&c[3]);
                out.push_str(eol);
                changed = true;
            }
            _ => out.push_str(line),
        }
    }
    if changed {
        return still_yaml(out).map(Some);
    }
    if current >= 360 {
        return Err(EditError::DefaultTimeout(current));
    }
    Ok(None)
}

/// The lines of the job whose key or `name:` is `job` (a matrix suffix like ` (ubuntu, 18)` is
/// ignored).
fn job_block(all: &[&str], job: &str) -> Option<std::ops::Range<usize>> {
    let job = job.split(" (").next().unwrap_or(job).trim();
    let jobs_at = all
        .iter()
        .position(|l| split_eol(l).0.starts_with("jobs:"))?;
    let mut key_indent = None;
    let mut start = None;
    for (n, line) in all.iter().enumerate().skip(jobs_at + 1) {
        let body = split_eol(line).0;
        if is_blank_or_comment(body) {
            continue;
        }
        let ind = indent(body);
        if ind == 0 {
            return start.map(|s| s..n);
        }
        let ki = *key_indent.get_or_insert(ind);
        if ind == ki {
            if let Some(s) = start {
                return Some(s..n);
            }
            let key = body.trim().trim_end_matches(':').trim_matches(['"', '\'']);
            if key == job || job_named(all, n, ki, job) {
                start = Some(n);
            }
        }
    }
    start.map(|s| s..all.len())
}

fn job_named(all: &[&str], at: usize, key_indent: usize, job: &str) -> bool {
    for line in &all[at + 1..] {
        let body = split_eol(line).0;
        if is_blank_or_comment(body) {
            continue;
        }
        if indent(body) <= key_indent {
            return false;
        }
        if let Some(name) = body.trim().strip_prefix("name:")
            && name.trim().trim_matches(['"', '\'']) == job
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const WF: &str = "# CI for the app\nname: CI\non: [push]\n\njobs:\n  build:\n    name: Build\n    runs-on: ubuntu-latest # pinned by ops\n    timeout-minutes: 10\n    steps:\n      - uses: actions/checkout@v2   # keep\n      - uses: actions/setup-node@v3\n        with:\n          node-version: '16'\n      - run: npm test\n  lint:\n    runs-on: ubuntu-latest\n    timeout-minutes: 10\n    steps:\n      - uses: \"actions/checkout@v2\"\n";

    fn only_changed(before: &str, after: &str) -> Vec<(String, String)> {
        let a: Vec<_> = before.lines().collect();
        let b: Vec<_> = after.lines().collect();
        a.iter()
            .zip(&b)
            .filter(|(x, y)| x != y)
            .map(|(x, y)| ((*x).to_owned(), (*y).to_owned()))
            .collect()
    }

    #[test]
    fn bump_changes_only_the_refs() {
        let out = bump_action(WF, "actions/checkout", "v4").unwrap().unwrap();
        assert_eq!(out.len(), WF.len());
        assert_eq!(
            only_changed(WF, &out),
            [
                (
                    "      - uses: actions/checkout@v2   # keep".into(),
                    "      - uses: actions/checkout@v4   # keep".into()
                ),
                (
                    "      - uses: \"actions/checkout@v2\"".into(),
                    "      - uses: \"actions/checkout@v4\"".into()
                )
            ]
        );
        assert_eq!(bump_action(&out, "actions/checkout", "v4").unwrap(), None);
    }

    #[test]
    fn node_version_keeps_quotes() {
        let out = set_node_version(WF, "20").unwrap().unwrap();
        assert_eq!(
            only_changed(WF, &out),
            [(
                "          node-version: '16'".into(),
                "          node-version: '20'".into()
            )]
        );
    }

    #[test]
    fn permission_block_added_before_jobs() {
        let out = add_permission(WF, "contents", "write").unwrap().unwrap();
        assert!(out.contains("on: [push]\n\npermissions:\n  contents: write\n\njobs:\n"));
        let again = add_permission(&out, "contents", "write").unwrap();
        assert_eq!(again, None);
        let more = add_permission(&out, "pull-requests", "write")
            .unwrap()
            .unwrap();
        assert!(more.contains("permissions:\n  contents: write\n  pull-requests: write\n\njobs:"));
    }

    #[test]
    fn timeout_raised_in_the_named_job_only() {
        let out = raise_timeout(WF, Some("Build"), 10, 45).unwrap().unwrap();
        assert_eq!(
            only_changed(WF, &out),
            [(
                "    timeout-minutes: 10".into(),
                "    timeout-minutes: 20".into()
            )]
        );
        assert!(raise_timeout(WF, Some("lint"), 10, 10).is_err());
    }
}
