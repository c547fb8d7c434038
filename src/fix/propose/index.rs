//! What git's index says about the few paths a prompt or a proposal names, asked in one
//! `git ls-files` call so the cost follows those paths, never the size of the checkout.

use std::collections::BTreeMap;

use crate::fix::error::FixError;
use crate::fix::git::Git;

/// A path's index entry, as far as a proposal cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    File,
    Symlink,
    /// A submodule.
    Gitlink,
}

impl Mode {
    /// Neither a symlink nor a submodule can be read or patched as a file.
    pub(super) fn is_symlink(self) -> bool {
        !matches!(self, Mode::File)
    }
}

/// The tracked paths among `paths`, with their mode. Pathspecs are literal: a path named in a
/// log or a diff is never a glob or git's `:(magic)`.
pub(super) async fn tracked(
    git: &Git,
    paths: &[String],
) -> Result<BTreeMap<String, Mode>, FixError> {
    if paths.is_empty() {
        return Ok(BTreeMap::new());
    }
    // git's own argv (`git -c KEY=VALUE`, a config setting), never a shell: paths show as
    // they are, not C-quoted.
    let mut args = vec![
        "--literal-pathspecs",
        "-c",
        "core.quotePath=false",
        "ls-files",
        "--stage",
        "--",
    ];
    args.extend(paths.iter().map(String::as_str));
    let lines = git.run(&args).await?;
    // `100644 <sha> 0\tpath`
    Ok(lines
        .iter()
        .filter_map(|l| {
            let (meta, path) = l.split_once('\t')?;
            let mode = match meta.split(' ').next()? {
                "120000" => Mode::Symlink,
                "160000" => Mode::Gitlink,
                _ => Mode::File,
            };
            Some((path.to_owned(), mode))
        })
        .collect())
}

/// Whether `dir` is a directory of the checkout's HEAD: where a proposal may add a file.
pub(super) async fn tracked_dir(git: &Git, dir: &str) -> Result<bool, FixError> {
    if dir.is_empty() {
        return Ok(true);
    }
    let out = git
        .run(&["--literal-pathspecs", "ls-tree", "-d", "HEAD", "--", dir])
        .await?;
    Ok(out.iter().any(|l| l.ends_with(&format!("\t{dir}"))))
}
