//! The proposer's answer, checked before the checkout is touched: the first fenced diff (or the
//! whole answer) must parse as a unified diff (diffy's parsers, git's extended form included),
//! touch only plain paths inside the checkout that are tracked files or new files in tracked
//! directories, none of them a symlink, a workflow, a lockfile, an env file, a key or a
//! credential, stay within the size limits, and pass `git apply --check`.

use diffy::patch_set::{FileMode, FileOperation, FilePatch, ParseOptions, PatchKind, PatchSet};

use super::error::ProposeError;
use super::index::{self, Mode};
use super::paths::{self, PathRefusal};
use crate::config::ProposerSettings;
use crate::fix::git::Git;

/// A diff that passed every check.
#[derive(Debug, Clone)]
pub(super) struct Proposal {
    /// The diff as it will be applied, ending with a newline.
    pub(super) diff: String,
    pub(super) files: Vec<String>,
    pub(super) added: usize,
    pub(super) removed: usize,
    /// `-p` for `git apply`: 1 when every path carries git's `a/` and `b/`.
    pub(super) strip: usize,
}

/// The first fenced block of the answer, or the whole answer when it has none.
pub(super) fn extract(answer: &str) -> &str {
    let mut start = None;
    let mut offset = 0;
    for line in answer.split_inclusive('\n') {
        let fence = line.trim_start().starts_with("```");
        match start {
            None if fence => start = Some(offset + line.len()),
            Some(s) if fence => return &answer[s..offset],
            _ => {}
        }
        offset += line.len();
    }
    match start {
        Some(s) => &answer[s..],
        None => answer,
    }
}

/// One file's change, with the path the checks use.
struct Change {
    path: String,
    create: bool,
}

/// Every check but `git apply --check`, which `apply` runs.
pub(super) async fn check(
    answer: &str,
    git: &Git,
    limits: &ProposerSettings,
) -> Result<Proposal, ProposeError> {
    let mut diff = extract(answer).trim_matches('\n').to_owned();
    diff.push('\n');
    let patches = parse(&diff)?;
    if patches.len() > limits.max_files {
        return Err(ProposeError::Files {
            count: patches.len(),
            max: limits.max_files,
        });
    }
    // `a/x b/x` as git writes them, else the paths as written.
    let prefixed = patches.iter().all(|p| {
        names(p.operation())
            .iter()
            .all(|(n, side)| n.starts_with(if *side { "b/" } else { "a/" }))
    });
    let strip = usize::from(prefixed);
    let (mut added, mut removed) = (0, 0);
    let mut changes = Vec::new();
    for p in &patches {
        let (change, plus, minus) = one_file(p, prefixed, limits)?;
        added += plus;
        removed += minus;
        changes.push(change);
    }
    if added + removed > limits.max_changed_lines {
        return Err(ProposeError::Lines {
            count: added + removed,
            max: limits.max_changed_lines,
        });
    }
    against_the_index(git, &changes).await?;
    Ok(Proposal {
        diff,
        files: changes.into_iter().map(|c| c.path).collect(),
        added,
        removed,
        strip,
    })
}

fn parse(diff: &str) -> Result<Vec<FilePatch<'_, str>>, ProposeError> {
    let looks_like_diff = diff
        .lines()
        .any(|l| l.starts_with("--- ") || l.starts_with("diff --git ") || l.starts_with("@@ "));
    if !looks_like_diff {
        return Err(ProposeError::NoDiff);
    }
    // git's extended headers (modes, renames) when the diff has them, else plain unified diff.
    let format = if diff.lines().any(|l| l.starts_with("diff --git ")) {
        ParseOptions::gitdiff()
    } else {
        ParseOptions::unidiff()
    };
    let mut patches = Vec::new();
    for parsed in PatchSet::parse(diff, format) {
        patches.push(parsed.map_err(ProposeError::NotDiff)?);
    }
    if patches.is_empty() {
        return Err(ProposeError::NoHeader);
    }
    Ok(patches)
}

/// One file's patch: its paths, its operation (an edit or a new file), its modes, its kind and
/// its name; with the lines it adds and removes.
fn one_file(
    p: &FilePatch<'_, str>,
    prefixed: bool,
    limits: &ProposerSettings,
) -> Result<(Change, usize, usize), ProposeError> {
    for (raw, new_side) in names(p.operation()) {
        if raw.starts_with('/') {
            return Err(PathRefusal::Absolute(raw.to_owned()).into());
        }
        let prefix = if new_side { "b/" } else { "a/" };
        let rel = raw.strip_prefix(prefix).filter(|_| prefixed).unwrap_or(raw);
        if let Some(why) = paths::unsafe_path(rel) {
            return Err(why.into());
        }
    }
    let op = p.operation().strip_prefix(usize::from(prefixed));
    let change = match &op {
        FileOperation::Modify { original, modified } if original == modified => Change {
            path: original.to_string(),
            create: false,
        },
        FileOperation::Create(path) => Change {
            path: path.to_string(),
            create: true,
        },
        FileOperation::Delete(path) => {
            return Err(ProposeError::Deletes(path.to_string()));
        }
        FileOperation::Modify { original, modified }
        | FileOperation::Rename {
            from: original,
            to: modified,
        }
        | FileOperation::Copy {
            from: original,
            to: modified,
        } => {
            return Err(ProposeError::Moves {
                from: original.to_string(),
                to: modified.to_string(),
            });
        }
    };
    if [p.old_mode(), p.new_mode()]
        .into_iter()
        .flatten()
        .any(|m| matches!(m, FileMode::Symlink | FileMode::Gitlink))
    {
        return Err(ProposeError::MakesLink(change.path));
    }
    if p.old_mode().is_some() && p.new_mode().is_some() && p.old_mode() != p.new_mode() {
        return Err(ProposeError::Mode(change.path));
    }
    let PatchKind::Text(patch) = p.patch() else {
        return Err(ProposeError::Binary(change.path));
    };
    if let Some(why) = paths::forbidden(&change.path, limits.allow_workflows) {
        return Err(why.into());
    }
    let (mut added, mut removed) = (0, 0);
    for line in patch.hunks().iter().flat_map(diffy::Hunk::lines) {
        match line {
            diffy::Line::Insert(_) => added += 1,
            diffy::Line::Delete(_) => removed += 1,
            diffy::Line::Context(_) => {}
        }
    }
    Ok((change, added, removed))
}

/// An edit names a tracked regular file; a new file is untracked, absent, and goes into a
/// directory HEAD has; no path runs through a symlink.
async fn against_the_index(git: &Git, changes: &[Change]) -> Result<(), ProposeError> {
    let asked: Vec<String> = changes.iter().map(|c| c.path.clone()).collect();
    let tracked = index::tracked(git, &asked).await?;
    for c in changes {
        if let Some(why) = paths::symlink_on_the_way(&git.dir, &c.path) {
            return Err(why.into());
        }
        let entry = tracked.get(&c.path);
        if c.create {
            if entry.is_some() || git.dir.join(&c.path).symlink_metadata().is_ok() {
                return Err(ProposeError::Exists(c.path.clone()));
            }
            let dir = c.path.rsplit_once('/').map_or("", |(d, _)| d);
            if !index::tracked_dir(git, dir).await? {
                return Err(ProposeError::UntrackedDir {
                    path: c.path.clone(),
                    dir: dir.to_owned(),
                });
            }
        } else {
            match entry {
                Some(Mode::File) => {}
                Some(_) => return Err(ProposeError::Link(c.path.clone())),
                None => return Err(ProposeError::NotTracked(c.path.clone())),
            }
        }
    }
    Ok(())
}

/// The paths a file operation names, each with whether it is the new side; `/dev/null` is not a
/// path.
fn names<'a>(op: &'a FileOperation<'a, str>) -> Vec<(&'a str, bool)> {
    match op {
        FileOperation::Create(p) => vec![(p.as_ref(), true)],
        FileOperation::Delete(p) => vec![(p.as_ref(), false)],
        FileOperation::Modify { original, modified }
        | FileOperation::Rename {
            from: original,
            to: modified,
        }
        | FileOperation::Copy {
            from: original,
            to: modified,
        } => {
            vec![(original.as_ref(), false), (modified.as_ref(), true)]
        }
    }
}

/// `git apply --check` against the work tree as it is, from a file outside the checkout; with
/// `apply` it then applies for real.
pub(super) async fn apply(
    git: &Git,
    proposal: &Proposal,
    for_real: bool,
) -> Result<(), ProposeError> {
    let mut file = tempfile::NamedTempFile::new().map_err(ProposeError::TempFile)?;
    std::io::Write::write_all(&mut file, proposal.diff.as_bytes())
        .map_err(ProposeError::TempFile)?;
    let strip = format!("-p{}", proposal.strip);
    let path = file.path().to_string_lossy().into_owned();
    let mut args = vec!["apply", "--whitespace=nowarn", strip.as_str()];
    if !for_real {
        args.push("--check");
    }
    args.push(&path);
    git.run(&args).await.map_err(|e| {
        if for_real {
            ProposeError::DidNotApply(e)
        } else {
            ProposeError::DoesNotApply(e)
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_first_fenced_block_or_everything() {
        assert_eq!(
            extract("Here:\n```diff\n--- a/x\n+++ b/x\n```\nthanks"),
            "--- a/x\n+++ b/x\n"
        );
        assert_eq!(extract("--- a/x\n+++ b/x\n"), "--- a/x\n+++ b/x\n");
        assert_eq!(extract("```\nopen"), "open");
    }
}
