//! The git steps of a fix, each an argv with a timeout. Prompts are off: a git that wants a
//! password fails at once instead of hanging a cron run.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::FixError;
use crate::argv::{self, Spec};

/// Where the checkout stood before a fix touched it; `restore` returns it there.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    /// The branch that was checked out, or None on a detached HEAD.
    pub branch: Option<String>,
    pub head: String,
}

pub(crate) struct Git {
    pub dir: PathBuf,
    pub timeout: Duration,
}

const ENV: &[(&str, &str)] = &[
    ("GIT_TERMINAL_PROMPT", "0"),
    ("GIT_ASKPASS", "/bin/false"),
    ("SSH_ASKPASS", "/bin/false"),
    ("GIT_SSH_COMMAND", "ssh -o BatchMode=yes"),
    ("LC_ALL", "C"),
];

impl Git {
    pub(crate) fn new(dir: &Path, timeout: Duration) -> Self {
        Self {
            dir: dir.to_path_buf(),
            timeout,
        }
    }

    /// Runs `git ARGS` and returns its output lines, or the error with git's last words.
    pub(crate) async fn run(&self, args: &[&str]) -> Result<Vec<String>, FixError> {
        self.run_with(args, &[]).await
    }

    async fn run_with(
        &self,
        args: &[&str],
        extra: &[(&str, &str)],
    ) -> Result<Vec<String>, FixError> {
        let mut command = vec!["git".to_owned()];
        command.extend(args.iter().map(|a| (*a).to_owned()));
        let env: Vec<(&str, &str)> = ENV.iter().chain(extra).copied().collect();
        let spec = Spec {
            argv: &command,
            cwd: Some(&self.dir),
            env: &env,
            unset: &[],
            timeout: self.timeout,
            tail: 200,
        };
        let done = argv::run(&spec).await?;
        if done.success() {
            Ok(done.tail)
        } else {
            let last = done
                .tail
                .iter()
                .rev()
                .take(3)
                .rev()
                .cloned()
                .collect::<Vec<_>>();
            Err(FixError::Git {
                command: args.first().copied().unwrap_or("").to_owned(),
                ended: done.describe(self.timeout),
                last,
            })
        }
    }

    /// Refuses a checkout with changes or untracked files: a fix must never mix with someone's
    /// work in progress, and the rollback must be able to return to exactly this state.
    pub(crate) async fn snapshot(&self) -> Result<Snapshot, FixError> {
        let status = self
            .run(&["status", "--porcelain=v1", "--untracked-files=all"])
            .await?;
        if !status.is_empty() {
            return Err(FixError::Dirty {
                dir: self.dir.clone(),
                count: status.len(),
                first: status[0].trim().to_owned(),
            });
        }
        let head = self.one(&["rev-parse", "--verify", "HEAD"]).await?;
        let branch = self
            .run(&["symbolic-ref", "--quiet", "--short", "HEAD"])
            .await
            .ok()
            .and_then(|l| l.into_iter().next());
        Ok(Snapshot { branch, head })
    }

    pub(crate) async fn one(&self, args: &[&str]) -> Result<String, FixError> {
        self.run(args)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| FixError::Silent {
                args: args.iter().map(|a| (*a).to_owned()).collect(),
            })
    }

    pub(crate) async fn branches(&self) -> Result<Vec<String>, FixError> {
        self.run(&["for-each-ref", "--format=%(refname:short)", "refs/heads/"])
            .await
    }

    /// Back to the snapshot: the original branch at its HEAD, tracked files as committed,
    /// untracked files the fix created removed (ignored ones, such as node_modules, are left),
    /// and the fix branch deleted.
    pub(crate) async fn restore(&self, snap: &Snapshot, fix_branch: &str) -> Result<(), FixError> {
        match &snap.branch {
            Some(b) => self.run(&["checkout", "--force", "--quiet", b]).await?,
            None => {
                self.run(&["checkout", "--force", "--quiet", "--detach", &snap.head])
                    .await?
            }
        };
        self.run(&["reset", "--hard", "--quiet", &snap.head])
            .await?;
        self.run(&["clean", "-d", "--force", "--quiet"]).await?;
        let exists = self.branches().await?.iter().any(|b| b == fix_branch);
        if exists {
            self.run(&["branch", "-D", "--quiet", fix_branch]).await?;
        }
        Ok(())
    }

    /// Commits what is staged. Without a configured identity mcpctl signs as itself.
    pub(crate) async fn commit(&self, message: &str) -> Result<(), FixError> {
        let args = ["commit", "--quiet", "--no-verify", "-m", message];
        if self.one(&["config", "user.email"]).await.is_ok() {
            self.run(&args).await?;
        } else {
            let me = [
                ("GIT_AUTHOR_NAME", "mcpctl"),
                ("GIT_AUTHOR_EMAIL", "mcpctl@localhost"),
                ("GIT_COMMITTER_NAME", "mcpctl"),
                ("GIT_COMMITTER_EMAIL", "mcpctl@localhost"),
            ];
            self.run_with(&args, &me).await?;
        }
        Ok(())
    }
}
