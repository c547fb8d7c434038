//! The CI failure categories: the ids gh-watch reports, patterns name, fix recipes and the
//! proposer take, and what each means (the README's table is held to this list by a test).

/// The category ids reports, fixtures and recipes share.
pub(crate) const CATEGORIES: &[&str] = &[
    "npm_missing_package",
    "npm_peer_conflict",
    "python_missing_module",
    "pip_resolution",
    "test_failure",
    "lint_format",
    "type_check",
    "compile_error",
    "docker_build",
    "oom_killed",
    "disk_full",
    "timeout",
    "permission_denied",
    "rate_limited",
    "network",
    "deprecated_action",
    "workflow_syntax",
    "cache_restore",
    "checkout_failure",
    "node_version",
    "secret_missing",
    "dependency_missing",
    "dependency_conflict",
    "runner_lost",
    "artifact_failed",
    "unknown",
];

/// Every category id with what it means, in the order of [`CATEGORIES`]; the README lists the
/// same table.
#[cfg(test)]
pub(crate) const MEANINGS: &[(&str, &str)] = &[
    (
        "npm_missing_package",
        "npm/yarn/pnpm/node cannot find a package",
    ),
    (
        "npm_peer_conflict",
        "npm ERESOLVE, yarn/pnpm peer dependency conflicts",
    ),
    ("python_missing_module", "Python cannot import a module"),
    (
        "pip_resolution",
        "pip/poetry/uv/conda cannot find or resolve a version",
    ),
    ("test_failure", "a test or spec failed"),
    ("lint_format", "a linter or formatter failed"),
    ("type_check", "a type checker failed"),
    (
        "compile_error",
        "a compiler, CMake configure or the linker failed",
    ),
    (
        "docker_build",
        "an image build failed for a Docker-level reason",
    ),
    ("oom_killed", "out of memory"),
    ("disk_full", "the disk is full"),
    ("timeout", "a job, step or test took too long"),
    (
        "permission_denied",
        "a token or credential lacks a permission",
    ),
    ("rate_limited", "an API or registry rate limit"),
    ("network", "DNS, TLS or a connection to a host failed"),
    (
        "deprecated_action",
        "an action or ref GitHub no longer runs or cannot resolve",
    ),
    (
        "workflow_syntax",
        "an invalid workflow file or action input",
    ),
    (
        "cache_restore",
        "the Actions cache or a setup-* cache failed",
    ),
    (
        "checkout_failure",
        "git fetch, clone, submodule or LFS failed",
    ),
    ("node_version", "a runtime, SDK or engine version mismatch"),
    ("secret_missing", "an unset or wrong secret or token"),
    (
        "dependency_missing",
        "a package its registry does not have (other ecosystems)",
    ),
    (
        "dependency_conflict",
        "version resolution failed (other ecosystems)",
    ),
    ("runner_lost", "the runner went away"),
    (
        "artifact_failed",
        "uploading or downloading an artifact failed",
    ),
    ("unknown", "the step failed, and no category applies"),
];
