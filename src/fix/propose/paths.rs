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

/// Why `rel` (a path relative to the checkout, `/`-separated) is not the proposer's to touch
/// or to read, or None when it may.
pub(super) fn forbidden(rel: &str, allow_workflows: bool) -> Option<String> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    if !allow_workflows && rel.starts_with(".github/workflows/") {
        return Some(format!(
            "{rel} is a workflow file (set [fix.proposer] allow_workflows = true to allow it)"
        ));
    }
    if LOCKFILES.contains(&name) {
        return Some(format!(
            "{rel} is a lockfile, which only its package manager writes"
        ));
    }
    let ext = Path::new(&lower).extension().and_then(|e| e.to_str());
    if lower.starts_with(".env") || ext == Some("env") {
        return Some(format!("{rel} is an env file, which may hold secrets"));
    }
    let keyish = CREDENTIALS.contains(&lower.as_str())
        || lower.starts_with("id_rsa")
        || lower.starts_with("id_ed25519")
        || lower.starts_with("id_ecdsa")
        || ext.is_some_and(|e| KEY_EXTENSIONS.contains(&e));
    if keyish {
        return Some(format!("{rel} is a key or credential file"));
    }
    None
}

/// Why a path written in a diff is not a plain relative path inside the checkout: absolute,
/// `..` or `.` components, `.git`, backslashes or control characters.
pub(super) fn unsafe_path(rel: &str) -> Option<String> {
    if rel.is_empty() {
        return Some("an empty path".into());
    }
    if rel.starts_with('/') || rel.starts_with('~') {
        return Some(format!("{rel} is an absolute path"));
    }
    if rel.chars().any(|c| c.is_control() || c == '\\') {
        return Some(format!(
            "{} holds control characters or backslashes",
            rel.escape_debug()
        ));
    }
    for part in rel.split('/') {
        match part {
            ".." => return Some(format!("{rel} leaves the checkout (`..`)")),
            "" | "." => return Some(format!("{rel} is not a normal relative path")),
            p if p.eq_ignore_ascii_case(".git") => {
                return Some(format!("{rel} is inside git's own directory"));
            }
            _ => {}
        }
    }
    None
}

/// The first component of `rel` below `checkout` that is a symlink, if any: writing through
/// one would land outside the paths that were checked.
pub(super) fn symlink_on_the_way(checkout: &Path, rel: &str) -> Option<String> {
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
                return Some(format!("{shown} is a symlink"));
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
