//! Which paths a proposal may touch, and which files a prompt may quote: inside the checkout,
//! never a workflow (unless allowed), a lockfile, an env file, a key or a credential.

use std::path::Path;

/// Lockfiles are written by package managers, never by hand: a model editing one is guessing.
const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "bun.lock",
    "Cargo.lock",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "pdm.lock",
    "composer.lock",
    "Gemfile.lock",
    "go.sum",
    "flake.lock",
    "mix.lock",
    "pubspec.lock",
    "Podfile.lock",
    "packages.lock.json",
];

/// Files that hold credentials by name.
const CREDENTIALS: &[&str] = &[
    ".netrc",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    ".dockercfg",
    "credentials",
    "credentials.json",
    "secrets.json",
    "secrets.yaml",
    "secrets.yml",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "authorized_keys",
    "known_hosts",
];

/// Extensions of keys and keystores.
const KEY_EXTENSIONS: &[&str] = &[
    "pem", "key", "p12", "pfx", "jks", "keystore", "gpg", "asc", "ppk", "kdbx",
];

/// Why a path is not the proposer's to touch or to read; each names the path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum PathRefusal {
    #[error("{0} is a workflow file (set [fix.proposer] allow_workflows = true to allow it)")]
    Workflow(String),
    #[error("{0} is a lockfile, which only its package manager writes")]
    Lockfile(String),
    #[error("{0} is an env file, which may hold secrets")]
    EnvFile(String),
    #[error("{0} is a key or credential file")]
    Credential(String),
    #[error("an empty path")]
    Empty,
    #[error("{0} is an absolute path")]
    Absolute(String),
    #[error("{} holds control characters or backslashes", .0.escape_debug())]
    Control(String),
    #[error("{0} leaves the checkout (`..`)")]
    Leaves(String),
    #[error("{0} is not a normal relative path")]
    NotNormal(String),
    #[error("{0} is inside git's own directory")]
    GitDir(String),
    #[error("{0} is a symlink")]
    Symlink(String),
}

/// Why `rel` (a path relative to the checkout, `/`-separated) is not the proposer's to touch
/// or to read, or None when it may.
pub(super) fn forbidden(rel: &str, allow_workflows: bool) -> Option<PathRefusal> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    if !allow_workflows && rel.starts_with(".github/workflows/") {
        return Some(PathRefusal::Workflow(rel.to_owned()));
    }
    if LOCKFILES.contains(&name) {
        return Some(PathRefusal::Lockfile(rel.to_owned()));
    }
    let ext = Path::new(&lower).extension().and_then(|e| e.to_str());
    if lower.starts_with(".env") || ext == Some("env") {
        return Some(PathRefusal::EnvFile(rel.to_owned()));
    }
    let keyish = CREDENTIALS.contains(&lower.as_str())
        || lower.starts_with("id_rsa")
        || lower.starts_with("id_ed25519")
        || lower.starts_with("id_ecdsa")
        || ext.is_some_and(|e| KEY_EXTENSIONS.contains(&e));
    if keyish {
        return Some(PathRefusal::Credential(rel.to_owned()));
    }
    None
}

/// Why a path written in a diff is not a plain relative path inside the checkout: absolute,
/// `..` or `.` components, `.git`, backslashes or control characters.
pub(super) fn unsafe_path(rel: &str) -> Option<PathRefusal> {
    if rel.is_empty() {
        return Some(PathRefusal::Empty);
    }
    if rel.starts_with('/') || rel.starts_with('~') {
        return Some(PathRefusal::Absolute(rel.to_owned()));
    }
    if rel.chars().any(|c| c.is_control() || c == '\\') {
        return Some(PathRefusal::Control(rel.to_owned()));
    }
    for part in rel.split('/') {
        match part {
            ".." => return Some(PathRefusal::Leaves(rel.to_owned())),
            "" | "." => return Some(PathRefusal::NotNormal(rel.to_owned())),
            p if p.eq_ignore_ascii_case(".git") => {
                return Some(PathRefusal::GitDir(rel.to_owned()));
            }
            _ => {}
        }
    }
    None
}

/// The first component of `rel` below `checkout` that is a symlink, if any: writing through
/// one would land outside the paths that were checked.
pub(super) fn symlink_on_the_way(checkout: &Path, rel: &str) -> Option<PathRefusal> {
    let mut at = checkout.to_path_buf();
    for part in rel.split('/') {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let shown = at
                    .strip_prefix(checkout)
                    .unwrap_or(&at)
                    .display()
                    .to_string();
                return Some(PathRefusal::Symlink(shown));
            }
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_the_models_to_touch() {
        for rel in [
            ".github/workflows/ci.yml",
            "package-lock.json",
            "web/yarn.lock",
            ".env",
            "config/.env.production",
            "deploy/server.pem",
            "home/.ssh/id_ed25519",
            ".npmrc",
        ] {
            assert!(forbidden(rel, false).is_some(), "{rel}");
        }
        for rel in [
            "src/calc.py",
            "tests/test_calc.py",
            "README.md",
            "environment.py",
        ] {
            assert_eq!(forbidden(rel, false), None, "{rel}");
        }
        assert_eq!(forbidden(".github/workflows/ci.yml", true), None);
    }

    #[test]
    fn only_plain_relative_paths_are_safe() {
        for rel in [
            "../outside",
            "a/../../b",
            "/etc/passwd",
            ".git/config",
            "a//b",
            "./a",
            "a\\b",
        ] {
            assert!(unsafe_path(rel).is_some(), "{rel}");
        }
        assert_eq!(unsafe_path("src/calc.py"), None);
    }
}
