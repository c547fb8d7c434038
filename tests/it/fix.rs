//! `mcpctl fix` against real git: a work checkout whose `origin` is a bare repository in the
//! same temp dir, a gh-watch report as input, and a loopback stand-in for GitHub's pull-request
//! and re-run endpoints.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::harness::Test;
use crate::stub::Stub;

const WORKFLOW: &str = "# CI for the app; keep the comments\nname: CI\non:\n  push:\n    branches: [main]   # only main\n\njobs:\n  build:\n    runs-on: ubuntu-latest\n    timeout-minutes: 10\n    steps:\n      # the checkout comes first\n      - uses: actions/checkout@v2   # pinned long ago\n      - uses: actions/setup-node@v4\n        with:\n          node-version: '20'\n      - run: npm test\n";

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.com")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.com")
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `{dir}/origin.git` (bare) and `{dir}/checkout` with `files` committed on main and pushed.
pub(crate) fn repo(t: &Test, files: &[(&str, &str)]) -> PathBuf {
    let origin = t.path().join("origin.git");
    let checkout = t.path().join("checkout");
    git(
        t.path(),
        &[
            "init",
            "--quiet",
            "--bare",
            "--initial-branch=main",
            "origin.git",
        ],
    );
    git(
        t.path(),
        &["init", "--quiet", "--initial-branch=main", "checkout"],
    );
    for (rel, text) in files {
        let p = checkout.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    git(&checkout, &["add", "--all"]);
    git(&checkout, &["commit", "--quiet", "-m", "initial"]);
    git(
        &checkout,
        &["remote", "add", "origin", origin.to_str().unwrap()],
    );
    git(&checkout, &["push", "--quiet", "origin", "main"]);
    checkout
}

/// Where the checkout stands: HEAD, branches, status. A rollback must leave all three as found.
pub(crate) fn state(checkout: &Path) -> (String, String, String) {
    (
        git(checkout, &["rev-parse", "HEAD"]),
        git(checkout, &["branch", "--list", "--format=%(refname:short)"]),
        git(
            checkout,
            &["status", "--porcelain", "--untracked-files=all"],
        ),
    )
}

fn origin_file(t: &Test, branch: &str, rel: &str) -> String {
    git(
        &t.path().join("origin.git"),
        &["show", &format!("{branch}:{rel}")],
    )
}

pub(crate) fn issue(
    category: &str,
    recipe: &str,
    args: &[&str],
    key: &str,
    fingerprint: &str,
) -> Value {
    json!({
        "category": category,
        "key": key,
        "captures": { "key": key },
        "line_number": 42,
        "line": format!("the log line that names {key}"),
        "context": ["before", format!("the log line that names {key}"), "after"],
        "severity": "error",
        "pattern_id": format!("{category}-pattern"),
        "confidence": 0.9,
        "auto_fixable": true,
        "fix": { "recipe": recipe, "args": args },
        "description": format!("{category}: {key}"),
        "hint": null,
        "occurrences": 1,
        "fingerprint": fingerprint
    })
}

/// A stored-report-shaped gh-watch result with one failed run of acme/app on main.
pub(crate) fn report(t: Test, issues: &[Value]) -> Test {
    let body = json!({
        "schema_version": 1,
        "command": "gh-watch",
        "status": "warning",
        "runs": [{
            "repo": "acme/app",
            "run_id": 30_433_642,
            "workflow": "CI",
            "branch": "main",
            "sha": "0123456789abcdef0123456789abcdef01234567",
            "conclusion": "failure",
            "url": "https://github.com/acme/app/actions/runs/30433642",
            "lines": 100,
            "jobs": [{ "id": 1, "name": "build", "conclusion": "failure",
                       "failing_step": "Run npm test", "failing_step_number": 4 }],
            "issues": issues
        }],
        "patterns": 5
    });
    t.file("report.json", &serde_json::to_string_pretty(&body).unwrap())
}

pub(crate) fn config(t: Test, extra: &str, github: &str) -> Test {
    t.config(&format!(
        "[github]\ntoken = \"${{GITHUB_TOKEN}}\"\napi_url = \"{github}\"\n\n[fix]\nallowed_repos = [\"acme/app\"]\nallowed_recipes = [\"npm-install\", \"pip-add\", \"format\", \"bump-action\", \"rerun\", \"raise-timeout\", \"set-node-version\", \"add-permissions\", \"npm-legacy-peer-deps\"]\ncheckout = \"{{dir}}/checkout\"\n{extra}\n"
    ))
    .env("GITHUB_TOKEN", "ghp_canaryTOKEN0123456789")
}

/// A test with one deprecated-action issue in its report and a checkout whose workflow has it.
fn bump_case(fingerprint: &str, extra: &str, github: &str) -> (Test, PathBuf) {
    let bump = issue(
        "deprecated_action",
        "bump-action",
        &["actions/checkout@v2"],
        "actions/checkout@v2",
        fingerprint,
    );
    let t = config(report(Test::new(), &[bump]), extra, github);
    let checkout = repo(&t, &[(".github/workflows/ci.yml", WORKFLOW)]);
    (t, checkout)
}

/// Where no GitHub answers: tests that must not reach it point here.
const NO_GITHUB: &str = "http://127.0.0.1:9";

fn apply(t: &Test) -> crate::harness::Run {
    t.again(&["fix", "--from", "{dir}/report.json", "--apply", "--json"])
}

fn fixes(run: &crate::harness::Run) -> Vec<Value> {
    run.json()["fixes"].as_array().expect("fixes").clone()
}

#[test]
fn bump_action_dry_run_shows_the_diff_then_push_changes_only_the_ref() {
    let (t, checkout) = bump_case(
        "aaaa1111bbbb2222",
        "mode = \"push\"\nverify = [\"true\"]",
        NO_GITHUB,
    );
    let before = state(&checkout);

    // Without --from, fix reads the newest report gh-watch stored.
    let stored = t.path().join("state/reports/gh-watch");
    std::fs::create_dir_all(&stored).unwrap();
    std::fs::copy(t.path().join("report.json"), stored.join("latest.json")).unwrap();
    let dry = t.again(&["fix", "--json"]);
    dry.code(0);
    assert!(
        dry.json()["source"]
            .as_str()
            .unwrap()
            .ends_with("gh-watch/latest.json")
    );
    let f = &fixes(&dry)[0];
    assert_eq!(f["outcome"], "planned", "{f:#}");
    let diff = f["diff"].as_str().unwrap();
    assert!(
        diff.contains("-      - uses: actions/checkout@v2   # pinned long ago"),
        "{diff}"
    );
    assert!(
        diff.contains("+      - uses: actions/checkout@v5   # pinned long ago"),
        "{diff}"
    );
    assert_eq!(state(&checkout), before, "a dry run touches nothing");

    let run = apply(&t);
    run.code(0);
    let f = &fixes(&run)[0];
    assert_eq!(f["outcome"], "applied", "{f:#}");
    assert_eq!(f["verify_passed"], true);
    let shipped = origin_file(&t, "main", ".github/workflows/ci.yml");
    assert_eq!(
        shipped,
        WORKFLOW.replace("actions/checkout@v2", "actions/checkout@v5"),
        "every byte outside the ref is as it was"
    );
    let message = git(
        &t.path().join("origin.git"),
        &["log", "-1", "--format=%B", "main"],
    );
    assert!(
        message.contains("Fixes-Fingerprint: aaaa1111bbbb2222"),
        "{message}"
    );
    assert!(
        message.contains("the log line that names actions/checkout@v2"),
        "{message}"
    );
    // The person's checkout is back on main, clean, with no fix branch left behind.
    let (_, branches, status) = state(&checkout);
    assert_eq!(branches.trim(), "main");
    assert_eq!(status, "");

    let history = t.again(&["fix", "--history", "--json"]);
    history.code(0);
    let records: Value = serde_json::from_str(&history.stdout).unwrap();
    assert_eq!(records[0]["outcome"], "applied");
    assert_eq!(records[0]["fingerprint"], "aaaa1111bbbb2222");
    // The next run finds no fix in flight and leaves the person's new work alone.
    std::fs::write(checkout.join("wip.txt"), "mine").unwrap();
    let later = apply(&t);
    assert!(
        !later.json()["summary"]
            .as_str()
            .unwrap()
            .contains("interrupted")
    );
    assert_eq!(
        std::fs::read_to_string(checkout.join("wip.txt")).unwrap(),
        "mine"
    );
    let table = t.again(&["fix", "--history", "--format", "table"]);
    assert!(table.stdout.contains("aaaa1111bbbb"), "{}", table.stdout);
}

#[test]
fn pull_request_mode_opens_one_pr_and_never_a_second_while_it_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let gh = Stub::spawn(
        "github_pulls_stub.py",
        &[dir.path().join("gh.jsonl").display().to_string()],
        dir.path().join("gh.jsonl"),
    );
    let (t, checkout) = bump_case("cccc3333dddd4444", "verify = [\"true\"]", &gh.url);

    let run = apply(&t);
    run.code(0);
    let f = &fixes(&run)[0];
    assert_eq!(f["outcome"], "applied", "{f:#}");
    assert_eq!(f["pr_url"], "https://github.com/acme/app/pull/1");
    let branch = f["branch"].as_str().unwrap();
    assert_eq!(branch, "mcpctl/fix/deprecated-action-cccc3333");
    assert!(origin_file(&t, branch, ".github/workflows/ci.yml").contains("actions/checkout@v5"));
    assert!(
        !origin_file(&t, "main", ".github/workflows/ci.yml").contains("@v5"),
        "main is untouched"
    );
    let posted: Vec<Value> = gh
        .requests()
        .into_iter()
        .filter(|r| r["method"] == "POST")
        .collect();
    assert_eq!(posted.len(), 1);
    let pr: Value = serde_json::from_str(posted[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(pr["head"], branch);
    assert_eq!(pr["base"], "main");
    let body = pr["body"].as_str().unwrap();
    assert!(
        body.contains("Fixes-Fingerprint: cccc3333dddd4444") && body.contains("Verify output"),
        "{body}"
    );
    let headers = posted[0]["headers"].as_object().unwrap();
    let auth = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"));
    assert_eq!(auth.unwrap().1, "Bearer ghp_canaryTOKEN0123456789");
    assert_eq!(git(&checkout, &["status", "--porcelain"]), "");

    let again = apply(&t);
    again.code(0);
    let f = &fixes(&again)[0];
    assert_eq!(f["outcome"], "skipped");
    assert!(
        f["reason"]
            .as_str()
            .unwrap()
            .contains("pull/1 is still open"),
        "{f:#}"
    );
    let posts = gh
        .requests()
        .iter()
        .filter(|r| r["method"] == "POST")
        .count();
    assert_eq!(posts, 1, "no second pull request");
    for out in [
        run.stdout.as_str(),
        run.peek_stderr(),
        again.stdout.as_str(),
        again.peek_stderr(),
    ] {
        assert!(!out.contains("canaryTOKEN"), "the token leaked: {out}");
    }
    for file in again.state_files() {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            !text.contains("canaryTOKEN"),
            "the token leaked into {}",
            file.display()
        );
    }
}

#[test]
fn a_rejected_pull_request_rolls_back_and_deletes_the_pushed_branch() {
    let dir = tempfile::tempdir().unwrap();
    let gh = Stub::spawn(
        "github_pulls_stub.py",
        &[
            dir.path().join("gh.jsonl").display().to_string(),
            "reject-pulls".into(),
        ],
        dir.path().join("gh.jsonl"),
    );
    let (t, checkout) = bump_case("eeee5555ffff6666", "verify = [\"true\"]", &gh.url);
    let before = state(&checkout);
    let run = apply(&t);
    run.code(2);
    let f = &fixes(&run)[0];
    assert_eq!(f["outcome"], "rolled_back");
    assert!(f["reason"].as_str().unwrap().contains("HTTP 422"), "{f:#}");
    assert_eq!(state(&checkout), before);
    let remote = git(
        &t.path().join("origin.git"),
        &["branch", "--list", "--format=%(refname:short)"],
    );
    assert_eq!(remote.trim(), "main", "the pushed fix branch is gone again");
}

#[test]
fn a_missing_npm_package_is_installed_with_npm_and_verified() {
    let t = report(
        Test::new(),
        &[issue(
            "npm_missing_package",
            "npm-install",
            &["is-number"],
            "is-number",
            "1212abab3434cdcd",
        )],
    );
    let t = config(
        t,
        "mode = \"push\"\nverify = [\"node\", \"-e\", \"require('is-number')\"]\nverify_timeout = \"3m\"",
        NO_GITHUB,
    );
    let checkout = repo(
        &t,
        &[
            (
                "package.json",
                "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"private\": true\n}\n",
            ),
            (".gitignore", "node_modules/\n"),
        ],
    );
    let run = apply(&t);
    run.code(0);
    let f = &fixes(&run)[0];
    assert_eq!(f["outcome"], "applied", "{f:#}");
    assert_eq!(
        f["commands"][0],
        json!([
            "npm",
            "install",
            "--save",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "is-number"
        ])
    );
    let package: Value = serde_json::from_str(&origin_file(&t, "main", "package.json")).unwrap();
    assert!(
        package["dependencies"]["is-number"].is_string(),
        "{package:#}"
    );
    assert!(origin_file(&t, "main", "package-lock.json").contains("is-number"));
    assert_eq!(git(&checkout, &["status", "--porcelain"]), "");
}

#[test]
fn the_repos_formatter_runs_and_its_check_verifies() {
    let home = std::env::var("HOME").unwrap();
    let rustup = std::env::var("RUSTUP_HOME").unwrap_or(format!("{home}/.rustup"));
    let cargo = std::env::var("CARGO_HOME").unwrap_or(format!("{home}/.cargo"));
    let mut i = issue(
        "lint_format",
        "format",
        &[],
        "src/lib.rs",
        "5656efef7878abab",
    );
    i["pattern_id"] = json!("rustfmt-diff");
    let t = report(Test::new(), &[i])
        .env("RUSTUP_HOME", &rustup)
        .env("CARGO_HOME", &cargo);
    let t = config(
        t,
        "mode = \"push\"\nverify = [\"cargo\", \"fmt\", \"--check\"]",
        NO_GITHUB,
    );
    repo(
        &t,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            ("src/lib.rs", "pub fn add(a:i32,b:i32)->i32{a+b}\n"),
        ],
    );
    let run = apply(&t);
    run.code(0);
    let f = &fixes(&run)[0];
    assert_eq!(f["outcome"], "applied", "{f:#}");
    assert_eq!(f["commands"][0], json!(["cargo", "fmt", "--all"]));
    assert_eq!(
        origin_file(&t, "main", "src/lib.rs"),
        "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n"
    );
}

#[test]
fn a_failing_verify_leaves_the_checkout_exactly_as_it_was() {
    let (t, checkout) = bump_case(
        "9090a1a1b2b2c3c3",
        "mode = \"push\"\nverify = [\"sh\", \"-c\", \"echo 2 tests failed; exit 1\"]",
        NO_GITHUB,
    );
    // The person works on a feature branch; the fix must return there.
    git(&checkout, &["checkout", "--quiet", "-b", "feature"]);
    let before = state(&checkout);
    let origin_before = git(&t.path().join("origin.git"), &["rev-parse", "main"]);
    let run = apply(&t);
    run.code(2);
    let f = &fixes(&run)[0];
    assert_eq!(f["outcome"], "rolled_back", "{f:#}");
    assert_eq!(f["verify_passed"], false);
    assert_eq!(f["verify_tail"], json!(["2 tests failed"]));
    assert!(
        f["reason"].as_str().unwrap().contains("back at feature"),
        "{f:#}"
    );
    assert_eq!(
        state(&checkout),
        before,
        "HEAD, branches and status as before"
    );
    assert_eq!(
        git(&checkout, &["symbolic-ref", "--short", "HEAD"]).trim(),
        "feature"
    );
    assert_eq!(
        git(&t.path().join("origin.git"), &["rev-parse", "main"]),
        origin_before
    );
    assert!(run.stderr().contains("rolled_back") || run.stdout.contains("rolled_back"));
}

#[test]
fn outside_the_window_nothing_is_done_and_the_reason_is_given() {
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%a")
        .to_string();
    let (t, checkout) = bump_case(
        "7777aaaa8888bbbb",
        &format!(
            "mode = \"push\"\nverify = [\"true\"]\nwindow = \"{tomorrow} 00:00-24:00\"\ntimezone = \"UTC\""
        ),
        NO_GITHUB,
    );
    let before = state(&checkout);
    let run = apply(&t);
    run.code(0);
    let f = &fixes(&run)[0];
    assert_eq!(f["outcome"], "skipped");
    let reason = f["reason"].as_str().unwrap();
    assert!(
        reason.contains("outside the [fix] window") && reason.contains("UTC"),
        "{reason}"
    );
    assert_eq!(state(&checkout), before);
    assert_eq!(f["attempts"], 0, "a skipped fix costs no attempt");
}

#[test]
fn the_attempt_budget_stops_a_fix_that_keeps_failing() {
    let (t, _) = bump_case(
        "4545cdcd6767efef",
        "mode = \"push\"\nverify = [\"false\"]\nmax_attempts_per_fingerprint = 2",
        NO_GITHUB,
    );
    for attempt in 1..=2 {
        let run = apply(&t);
        run.code(2);
        assert_eq!(fixes(&run)[0]["attempts"], attempt);
    }
    let run = apply(&t);
    run.code(1);
    let f = &fixes(&run)[0];
    assert_eq!(f["outcome"], "skipped");
    assert!(
        f["reason"]
            .as_str()
            .unwrap()
            .starts_with("attempt budget exhausted: 2 of 2"),
        "{f:#}"
    );
}

#[test]
fn hostile_captures_are_refused_and_nothing_runs() {
    let t = Test::new();
    let marker = t.path().join("pwned");
    let hostile = [
        "left-pad; rm -rf ~".to_owned(),
        format!("$(touch {})", marker.display()),
        format!("`touch {}`", marker.display()),
        "left-pad\nrm -rf /".to_owned(),
        "--registry=http://evil".to_owned(),
        "-D".to_owned(),
    ];
    let mut issues: Vec<Value> = hostile
        .iter()
        .enumerate()
        .map(|(n, h)| {
            issue(
                "npm_missing_package",
                "npm-install",
                &[h],
                h,
                &format!("{n:02}00000000000000"),
            )
        })
        .collect();
    issues.push(issue(
        "python_missing_module",
        "pip-add",
        &[&format!("yaml; touch {}", marker.display())],
        &format!("yaml; touch {}", marker.display()),
        "6600000000000000",
    ));
    issues.push(issue(
        "deprecated_action",
        "bump-action",
        &["actions/checkout@v2 && id"],
        "actions/checkout@v2 && id",
        "7700000000000000",
    ));
    let t = report(t, &issues);
    let t = config(
        t,
        "mode = \"push\"\nverify = [\"true\"]\nmax_fixes_per_run = 20",
        NO_GITHUB,
    );
    let checkout = repo(
        &t,
        &[
            (
                "package.json",
                "{\"name\": \"app\", \"version\": \"1.0.0\"}\n",
            ),
            ("requirements.txt", "requests\n"),
            (".github/workflows/ci.yml", WORKFLOW),
        ],
    );
    // An `npm` first on PATH that records its argv: it must never be called.
    let bin = t.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let argv_log = t.path().join("npm-argv.log");
    std::fs::write(
        bin.join("npm"),
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{}'\n",
            argv_log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        bin.join("npm"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let before = state(&checkout);
    let t = t.env("PATH", &path);
    for mode in [&["--json"][..], &["--apply", "--json"][..]] {
        let mut args = vec!["fix", "--from", "{dir}/report.json"];
        args.extend_from_slice(mode);
        let run = t.again(&args);
        run.code(1);
        let all = fixes(&run);
        assert_eq!(all.len(), 8);
        for f in &all {
            assert_eq!(f["outcome"], "refused", "{f:#}");
            assert!(
                f["reason"].as_str().unwrap().starts_with("refused: "),
                "{f:#}"
            );
            assert_eq!(f["commands"], json!([]), "no argv was built: {f:#}");
            assert_eq!(f["attempts"], 0);
        }
        assert!(
            all[3]["reason"].as_str().unwrap().contains("\\n"),
            "the newline is shown escaped"
        );
    }
    assert!(!marker.exists(), "a capture ran as a command");
    assert!(!argv_log.exists(), "npm was called");
    assert_eq!(state(&checkout), before);
}

#[test]
fn a_dirty_checkout_is_refused() {
    let (t, checkout) = bump_case(
        "abcdabcdabcdabcd",
        "mode = \"push\"\nverify = [\"true\"]",
        NO_GITHUB,
    );
    std::fs::write(checkout.join("notes.txt"), "work in progress").unwrap();
    let run = apply(&t);
    run.code(1);
    let f = &fixes(&run)[0];
    assert_eq!(f["outcome"], "refused");
    assert!(
        f["reason"]
            .as_str()
            .unwrap()
            .contains("uncommitted changes"),
        "{f:#}"
    );
    assert_eq!(
        std::fs::read_to_string(checkout.join("notes.txt")).unwrap(),
        "work in progress"
    );
}

#[test]
fn rerun_reruns_the_failed_jobs_and_touches_no_code() {
    let dir = tempfile::tempdir().unwrap();
    let gh = Stub::spawn(
        "github_pulls_stub.py",
        &[dir.path().join("gh.jsonl").display().to_string()],
        dir.path().join("gh.jsonl"),
    );
    let t = report(
        Test::new(),
        &[issue(
            "network",
            "rerun",
            &[],
            "ECONNRESET",
            "1357135713571357",
        )],
    );
    let t = config(t, "mode = \"rerun-only\"", &gh.url);
    let run = apply(&t);
    run.code(0);
    assert_eq!(fixes(&run)[0]["outcome"], "applied");
    let posted: Vec<Value> = gh
        .requests()
        .into_iter()
        .filter(|r| r["method"] == "POST")
        .collect();
    assert_eq!(posted.len(), 1);
    assert_eq!(
        posted[0]["path"],
        "/repos/acme/app/actions/runs/30433642/rerun-failed-jobs"
    );
}

#[test]
fn an_unknown_failure_is_never_acted_on() {
    // Even a report that claims a recipe for it: `unknown` is the fallback's guess.
    let mut unknown = issue("unknown", "rerun", &[], "ERR_X", "2468246824682468");
    unknown["pattern_id"] = json!("fallback-unknown");
    let t = config(
        report(Test::new(), &[unknown]),
        "mode = \"rerun-only\"",
        NO_GITHUB,
    );
    let run = apply(&t);
    run.code(0);
    let fix = &fixes(&run)[0];
    assert_eq!(fix["outcome"], "skipped", "{fix:#}");
    assert!(
        fix["reason"]
            .as_str()
            .unwrap_or("")
            .contains("not recognised"),
        "{fix:#}"
    );
}

#[test]
fn a_bad_fix_table_names_the_line() {
    let t = Test::new()
        .config("[fix]\nwindow = \"Mon-Fry 09:00-18:00\"\n")
        .args(&["fix"]);
    let run = t.run();
    run.code(3);
    assert!(
        run.stderr().contains("mcpctl.toml:1:1") && run.stderr().contains("Fry"),
        "{}",
        run.stderr()
    );
}

#[test]
fn the_edit_recipes_plan_minimal_diffs() {
    let mut timeout = issue(
        "timeout",
        "raise-timeout",
        &["10"],
        "10",
        "2200000000000000",
    );
    timeout["captures"] = json!({ "key": "10" });
    let issues = [
        issue(
            "python_missing_module",
            "pip-add",
            &["yaml"],
            "yaml",
            "1100000000000000",
        ),
        timeout,
        issue(
            "node_version",
            "set-node-version",
            &[">=22.0.0"],
            "vite@7.0.0",
            "3300000000000000",
        ),
        issue(
            "permission_denied",
            "add-permissions",
            &["contents: write"],
            "403",
            "4400000000000000",
        ),
        issue(
            "npm_peer_conflict",
            "npm-legacy-peer-deps",
            &["react"],
            "react",
            "5500000000000000",
        ),
    ];
    let t = report(Test::new(), &issues);
    let t = config(
        t,
        "verify = [\"true\"]\nmax_timeout_minutes = 45",
        NO_GITHUB,
    );
    repo(
        &t,
        &[
            ("requirements.txt", "requests==2.32.0\n"),
            (".npmrc", "fund=false\n"),
            (
                "package.json",
                "{\n  \"name\": \"app\",\n  \"engines\": { \"node\": \">=18\" }\n}\n",
            ),
            (".github/workflows/ci.yml", WORKFLOW),
        ],
    );
    let run = t.again(&["fix", "--from", "{dir}/report.json", "--json"]);
    run.code(0);
    let all = fixes(&run);
    let diff = |n: usize| {
        all[n]["diff"]
            .as_str()
            .unwrap_or_else(|| panic!("{:#}", all[n]))
            .to_owned()
    };
    assert!(diff(0).contains("+PyYAML\n"), "{}", diff(0));
    assert!(
        diff(1).contains("-    timeout-minutes: 10\n+    timeout-minutes: 20\n"),
        "{}",
        diff(1)
    );
    assert!(
        diff(2).contains("+          node-version: '22'\n"),
        "{}",
        diff(2)
    );
    assert!(
        diff(2).contains("+  \"engines\": { \"node\": \">=22\" }\n"),
        "{}",
        diff(2)
    );
    assert!(
        diff(3).contains("+permissions:\n+  contents: write\n"),
        "{}",
        diff(3)
    );
    assert!(diff(4).contains("+legacy-peer-deps=true\n"), "{}", diff(4));
    for f in &all {
        assert_eq!(f["outcome"], "planned", "{f:#}");
    }
}

#[test]
fn a_fix_killed_half_way_is_undone_by_the_next_run() {
    let (t, checkout) = bump_case(
        "dead0000beef1111",
        "mode = \"push\"\nverify = [\"sleep\", \"30\"]\nmax_attempts_per_fingerprint = 1",
        NO_GITHUB,
    );
    let before = state(&checkout);
    let mut cmd = t.command();
    cmd.arg("--state-dir").arg(t.path().join("state"));
    cmd.args(["fix", "--from", &t.expand("{dir}/report.json"), "--apply"]);
    let mut child = cmd.spawn().unwrap();
    let marker = t.path().join("state/fix/inflight.json");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !(marker.exists() && git(&checkout, &["status", "--porcelain"]).contains("ci.yml")) {
        assert!(
            std::time::Instant::now() < deadline,
            "the fix never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_ne!(state(&checkout), before, "killed in the middle of the fix");

    let run = apply(&t);
    // The killed run's locks are taken over, and that is all that is said.
    run.code(1)
        .stderr_lines(|l| l.contains(" WARN took over the lock "))
        .stderr_contains("records.fix.lock of fix");
    let report = run.json();
    assert!(
        report["summary"]
            .as_str()
            .unwrap()
            .starts_with("an interrupted fix was undone"),
        "{report:#}"
    );
    assert!(
        report["fixes"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("attempt budget exhausted"),
        "the killed attempt counted"
    );
    assert_eq!(state(&checkout), before);
    assert!(!marker.exists());
}

#[test]
fn a_user_recipe_fills_its_placeholders_only_through_their_grammars() {
    let issues = [
        issue(
            "npm_missing_package",
            "touch-marker",
            &[],
            "ok-name",
            "aaaa0000aaaa0000",
        ),
        issue(
            "npm_missing_package",
            "touch-marker",
            &[],
            "../escape",
            "bbbb0000bbbb0000",
        ),
    ];
    let t = report(Test::new(), &issues);
    let t = config(
        t,
        "mode = \"push\"\nverify = [\"true\"]\n\n[fix.recipes.touch-marker]\nargv = [\"touch\", \"added-{key}.txt\"]\nplaceholders = { key = \"word\" }",
        NO_GITHUB,
    );
    let text = std::fs::read_to_string(t.path().join("mcpctl.toml")).unwrap();
    let t = t.file(
        "mcpctl.toml",
        &text.replace(
            "\"npm-legacy-peer-deps\"]",
            "\"npm-legacy-peer-deps\", \"touch-marker\"]",
        ),
    );
    let checkout = repo(&t, &[("README", "app\n")]);
    let run = apply(&t);
    run.code(1);
    let all = fixes(&run);
    assert_eq!(all[0]["outcome"], "applied", "{:#}", all[0]);
    assert_eq!(all[0]["commands"][0], json!(["touch", "added-ok-name.txt"]));
    assert_eq!(origin_file(&t, "main", "added-ok-name.txt"), "");
    assert_eq!(all[1]["outcome"], "refused", "{:#}", all[1]);
    assert!(!checkout.join("added-../escape.txt").exists());
}

#[test]
fn a_denied_api_call_names_the_permission_it_needed() {
    let mut denied = issue(
        "permission_denied",
        "add-permissions",
        &[],
        "Resource not accessible by integration",
        "6600000000000000",
    );
    denied["context"] = json!([
        "RequestError [HttpError]: Resource not accessible by integration",
        "    at /home/runner/work/_actions/actions/github-script/v7/dist/index.js:9537:21",
        "  status: 403,",
        "    url: 'https://api.github.com/repos/acme/app/issues/12/comments',"
    ]);
    let t = report(Test::new(), &[denied]);
    let t = config(t, "verify = [\"true\"]", NO_GITHUB);
    repo(&t, &[(".github/workflows/ci.yml", WORKFLOW)]);
    let run = t.again(&["fix", "--from", "{dir}/report.json", "--json"]);
    run.code(0);
    let f = &fixes(&run)[0];
    assert_eq!(f["outcome"], "planned", "{f:#}");
    let diff = f["diff"].as_str().unwrap();
    assert!(
        diff.contains("+permissions:\n+  contents: read\n+  issues: write\n"),
        "{diff}"
    );
}

#[test]
fn a_forks_run_is_not_fixed_and_recipes_do_not_see_the_token() {
    let t = Test::new();
    let mut forked = issue(
        "deprecated_action",
        "bump-action",
        &["actions/checkout@v2"],
        "actions/checkout@v2",
        "f0f0f0f0f0f0f0f0",
    );
    forked["job"] = json!("build");
    let t = report(t, &[forked]);
    let text = std::fs::read_to_string(t.path().join("report.json")).unwrap();
    let mut body: Value = serde_json::from_str(&text).unwrap();
    body["runs"][0]["head_repo"] = json!("mallory/app");
    let t = t.file("report.json", &body.to_string());
    let t = config(t, "mode = \"push\"\nverify = [\"true\"]", NO_GITHUB);
    repo(&t, &[(".github/workflows/ci.yml", WORKFLOW)]);
    let run = apply(&t);
    run.code(0);
    let f = &fixes(&run)[0];
    assert_eq!(f["outcome"], "skipped");
    assert!(
        f["reason"].as_str().unwrap().contains("mallory/app"),
        "{f:#}"
    );

    let (t, _) = bump_case(
        "0e0e0e0e0e0e0e0e",
        "mode = \"push\"\nverify = [\"sh\", \"-c\", \"echo token=$GITHUB_TOKEN; exit 1\"]",
        NO_GITHUB,
    );
    let run = apply(&t);
    run.code(2);
    let f = &fixes(&run)[0];
    assert_eq!(f["verify_tail"], json!(["token="]), "{f:#}");
    assert!(!run.stdout.contains("canaryTOKEN"));
}

#[test]
fn a_symlinked_file_is_never_edited() {
    let t = report(
        Test::new(),
        &[issue(
            "npm_peer_conflict",
            "npm-legacy-peer-deps",
            &["react"],
            "react",
            "5151515151515151",
        )],
    )
    .file(
        "home/.npmrc",
        "//registry.npmjs.org/:_authToken=npm_secret\n",
    );
    let t = config(t, "mode = \"push\"\nverify = [\"true\"]", NO_GITHUB);
    let checkout = repo(&t, &[("package.json", "{}\n")]);
    std::os::unix::fs::symlink(t.path().join("home/.npmrc"), checkout.join(".npmrc")).unwrap();
    git(&checkout, &["add", ".npmrc"]);
    git(&checkout, &["commit", "--quiet", "-m", "link"]);
    git(&checkout, &["push", "--quiet", "origin", "main"]);
    let run = apply(&t);
    run.code(1);
    let f = &fixes(&run)[0];
    assert_eq!(f["outcome"], "refused", "{f:#}");
    assert!(f["reason"].as_str().unwrap().contains("symlink"), "{f:#}");
    let home = std::fs::read_to_string(t.path().join("home/.npmrc")).unwrap();
    assert_eq!(home, "//registry.npmjs.org/:_authToken=npm_secret\n");
}

/// octokit prints the response headers after the error, where GitHub says which permissions
/// it accepts; the log names no API path here, so only that header can tell.
#[test]
fn add_permissions_reads_the_accepted_permissions_header() {
    let log = "RequestError [HttpError]: Resource not accessible by integration\n\
        \x20   at /home/runner/work/_actions/actions/github-script/v7/dist/index.js:9537:21\n\
        \x20   at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n\
        \x20   at async main (/home/runner/work/_actions/actions/github-script/v7/dist/index.js:35522:20) {\n\
        \x20 status: 403,\n\
        \x20 response: {\n\
        \x20   status: 403,\n\
        \x20   headers: {\n\
        \x20     'access-control-allow-origin': '*',\n\
        \x20     'content-type': 'application/json; charset=utf-8',\n\
        \x20     'x-accepted-github-permissions': 'issues=write; pull_requests=write',\n\
        \x20     'x-github-api-version-selected': '2022-11-28',\n\
        \x20   },\n\
        \x20 }\n\
        }\n";
    let t = config(
        Test::new().file("job.log", log),
        "verify = [\"true\"]",
        NO_GITHUB,
    );
    repo(&t, &[(".github/workflows/ci.yml", WORKFLOW)]);
    t.again(&[
        "gh-watch",
        "--log",
        "{dir}/job.log",
        "--repo",
        "acme/app",
        "--workflow",
        "CI",
        "--job",
        "build",
    ])
    .code(1)
    .stderr_contains("mcpctl gh-watch: WARNING: 15 lines: permission_denied");
    let run = t.again(&["fix", "--json"]);
    run.code(0);
    let f = &fixes(&run)[0];
    assert_eq!(f["outcome"], "planned", "{f:#}");
    let diff = f["diff"].as_str().unwrap();
    assert!(diff.contains("+  issues: write\n"), "{diff}");
}

/// The dry run plans even when --apply would stop, and says at which guard: work in progress
/// in the checkout, the window. Its table reaches a pipe: the plan is what it is for.
#[test]
fn a_dry_run_names_the_guards_apply_would_stop_at() {
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%a")
        .to_string();
    let (t, checkout) = bump_case(
        "9191aaaa9191bbbb",
        &format!(
            "mode = \"push\"\nverify = [\"true\"]\nwindow = \"{tomorrow} 00:00-24:00\"\ntimezone = \"UTC\""
        ),
        NO_GITHUB,
    );
    std::fs::write(checkout.join("notes.txt"), "work in progress").unwrap();
    let run = t.again(&["fix", "--from", "{dir}/report.json", "--json"]);
    run.code(1);
    let f = &fixes(&run)[0];
    assert_eq!(f["outcome"], "planned", "{f:#}");
    let would: Vec<&str> = f["would_refuse"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(would.len(), 2, "{would:?}");
    assert!(would[0].contains("has uncommitted changes"), "{would:?}");
    assert!(
        would[1].starts_with("outside the [fix] window"),
        "{would:?}"
    );
    assert!(
        f["diff"].as_str().unwrap().contains("actions/checkout@v"),
        "{f:#}"
    );

    let run = t.again(&["fix", "--from", "{dir}/report.json"]);
    run.code(1);
    assert!(
        run.stdout.contains("would refuse: the checkout")
            && run.stdout.contains("uses: actions/checkout@v"),
        "the plan and the diff on a pipe:\n{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("would refuse: outside the [fix] window"),
        "{}",
        run.stdout
    );
}
