//! `mcpctl fix --propose` against real git (a checkout whose `origin` is a bare repository), a
//! real failing pytest, stand-ins for the model (a command in tests/servers/proposer.py and a
//! loopback chat-completions server, chat_stub.py) and the loopback GitHub stand-in.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::fix::{repo, state};
use crate::harness::{Run, Test, prerequisite};
use crate::stub::Stub;

const CALC: &str = "def add(a, b):\n    return a + b - 1\n";
const TEST_CALC: &str = "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n";
const WORKFLOW: &str = "name: CI\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n";
const FIX: &str = "diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a + b - 1\n+    return a + b\n";
/// The PR must not carry the token the GitHub stand-in sees, nor the proposer's key.
const TOKEN: &str = "ghp_canaryTOKEN0123456789";

fn files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("calc.py", CALC),
        ("tests/test_calc.py", TEST_CALC),
        (
            "tests/conftest.py",
            "import sys, os\nsys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))\n",
        ),
        (".gitignore", "__pycache__/\n.pytest_cache/\n"),
        (".github/workflows/ci.yml", WORKFLOW),
    ]
}

/// A pytest failure as gh-watch reports it: no recipe, category test_failure.
fn report(t: Test, context: &[&str]) -> Test {
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
            "url": "https://github.com/acme/app/actions/runs/30433642",
            "jobs": [{ "id": 1, "name": "test", "conclusion": "failure",
                       "failing_step": "Run pytest", "failing_step_number": 3 }],
            "issues": [{
                "category": "test_failure",
                "key": "tests/test_calc.py::test_add",
                "captures": {},
                "line_number": 40,
                "line": "FAILED tests/test_calc.py::test_add - assert 2 == 3",
                "context": context,
                "severity": "error",
                "pattern_id": "pytest-failed",
                "confidence": 0.9,
                "auto_fixable": false,
                "fix": null,
                "description": "pytest: tests/test_calc.py::test_add failed",
                "occurrences": 1,
                "fingerprint": "5eed5eed12345678",
                "job": "test"
            }]
        }]
    });
    t.file("report.json", &serde_json::to_string_pretty(&body).unwrap())
}

const CONTEXT: &[&str] = &[
    "    def test_add():",
    ">       assert add(1, 2) == 3",
    "E       assert 2 == 3",
    "/home/runner/work/app/app/calc.py:2: AssertionError",
    "FAILED tests/test_calc.py::test_add - assert 2 == 3",
];

/// A checkout, a report, and a config whose proposer is `proposer` (TOML lines).
fn case(github: &str, proposer: &str, context: &[&str]) -> (Test, PathBuf) {
    let pytest = prerequisite("MCPCTL_TEST_PYTEST");
    let t = report(Test::new(), context)
        .config(&format!(
            "[github]\ntoken = \"${{GITHUB_TOKEN}}\"\napi_url = \"{github}\"\n\n[fix]\nallowed_repos = [\"acme/app\"]\ncheckout = \"{{dir}}/checkout\"\nverify = [\"{pytest}\", \"-q\", \"-p\", \"no:cacheprovider\"]\nmax_attempts_per_fingerprint = 50\n\n[fix.proposer]\n{proposer}\n"
        ))
        .env("GITHUB_TOKEN", TOKEN)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let checkout = repo(&t, &files());
    (t, checkout)
}

/// A command proposer answering with `{dir}/answer.txt`, recording into `{dir}/calls.jsonl`.
fn command_proposer(extra: &str) -> String {
    format!(
        "argv = [\"python3\", \"{{servers}}/proposer.py\", \"{{dir}}/calls.jsonl\", \"{{dir}}/answer.txt\"]\ntimeout = \"20s\"\n{extra}"
    )
}

fn answer(t: &Test, text: &str) {
    std::fs::write(t.path().join("answer.txt"), text).unwrap();
}

fn calls(t: &Test) -> Vec<Value> {
    std::fs::read_to_string(t.path().join("calls.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn propose(t: &Test, extra: &[&str]) -> Run {
    let mut args = vec!["fix", "--propose", "--from", "{dir}/report.json", "--json"];
    args.extend(extra);
    t.again(&args)
}

fn fix(run: &Run) -> Value {
    run.json()["fixes"][0].clone()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn github() -> (tempfile::TempDir, Stub) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gh.jsonl");
    let gh = Stub::spawn("github_pulls_stub.py", &[log.display().to_string()], log);
    (dir, gh)
}

fn posts(gh: &Stub) -> Vec<Value> {
    gh.requests()
        .into_iter()
        .filter(|r| r["method"] == "POST")
        .collect()
}

/// One pull request from `branch`, with the prompt's summary, the diff, the verify tail and the
/// trailers in its body, and the `mcpctl-proposed` label.
fn pull_request_is_labelled_and_explains_itself(gh: &Stub, branch: &str) {
    let posted = posts(gh);
    assert_eq!(posted.len(), 2, "one pull request, one label: {posted:#?}");
    let pr: Value = serde_json::from_str(posted[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(pr["head"], branch);
    assert_eq!(pr["base"], "main");
    let body = pr["body"].as_str().unwrap();
    for part in [
        "written by a model (python3)",
        "- `calc.py`, lines 1-2 of 2",
        "```diff\ndiff --git a/calc.py b/calc.py",
        "+    return a + b\n",
        "1 passed",
        "Fixes-Fingerprint: 5eed5eed12345678",
        "Proposed-By: python3",
    ] {
        assert!(
            body.contains(part),
            "{part:?} missing from the PR body:\n{body}"
        );
    }
    assert_eq!(posted[1]["path"], "/repos/acme/app/issues/1/labels");
    let labels: Value = serde_json::from_str(posted[1]["body"].as_str().unwrap()).unwrap();
    assert_eq!(labels["labels"], json!(["mcpctl-proposed"]));
}

#[test]
fn a_correct_proposal_is_shown_then_called_then_shipped_as_a_labelled_pull_request() {
    let (_g, gh) = github();
    let (t, checkout) = case(&gh.url, &command_proposer(""), CONTEXT);
    answer(
        &t,
        &format!("Here is the fix:\n\n```diff\n{FIX}```\n\nIt removes the stray `- 1`.\n"),
    );
    let before = state(&checkout);

    // Dry run: the prompt, and no call.
    let dry = propose(&t, &[]);
    dry.code(0);
    let f = fix(&dry);
    assert_eq!(f["outcome"], "planned", "{f:#}");
    assert_eq!(f["recipe"], "propose");
    let prompt = f["prompt"].as_str().unwrap();
    for part in [
        "category: test_failure",
        "failing step: Run pytest",
        "E       assert 2 == 3",
        "## calc.py (lines 1-2 of 2)",
        "    return a + b - 1",
        "## tests/test_calc.py (lines 1-5 of 5)",
        "exactly one unified diff",
    ] {
        assert!(prompt.contains(part), "{part:?} missing from\n{prompt}");
    }
    assert!(calls(&t).is_empty(), "a dry run calls nothing");
    let table = t.again(&["fix", "--propose", "--from", "{dir}/report.json"]);
    assert!(
        table.stdout.contains("return a + b - 1"),
        "the prompt is shown: {}",
        table.stdout
    );

    // --call: the validated diff, the checkout untouched.
    let called = propose(&t, &["--call"]);
    called.code(0);
    let f = fix(&called);
    assert_eq!(f["outcome"], "planned", "{f:#}");
    assert_eq!(f["proposal"], FIX);
    assert_eq!(state(&checkout), before, "--call applies nothing");
    assert_eq!(calls(&t).len(), 1);

    // --apply: verified, committed with the trailers, a pull request with the label.
    let run = propose(&t, &["--apply"]);
    run.code(0);
    let f = fix(&run);
    assert_eq!(f["outcome"], "applied", "{f:#}");
    assert_eq!(f["verify_passed"], true);
    assert_eq!(f["pr_url"], "https://github.com/acme/app/pull/1");
    let branch = f["branch"].as_str().unwrap();
    let origin = t.path().join("origin.git");
    assert_eq!(
        git(&origin, &["show", &format!("{branch}:calc.py")]),
        "def add(a, b):\n    return a + b\n"
    );
    assert_eq!(
        git(&origin, &["show", "main:calc.py"]),
        CALC,
        "main is untouched"
    );
    let message = git(&origin, &["log", "-1", "--format=%B", branch]);
    assert!(
        message.contains("Fixes-Fingerprint: 5eed5eed12345678\n"),
        "{message}"
    );
    assert!(message.contains("Proposed-By: python3\n"), "{message}");
    pull_request_is_labelled_and_explains_itself(&gh, branch);
    // Back where the person left it.
    assert_eq!(state(&checkout), before);
    // The proposer ran without the token, outside the checkout.
    for c in calls(&t) {
        assert_eq!(c["token_vars"], json!([]), "{c:#}");
        assert!(!Path::new(c["cwd"].as_str().unwrap()).starts_with(&checkout));
    }
    // The history keeps the prompt and the answer.
    let history = t.again(&["fix", "--history", "--json"]);
    let records: Value = serde_json::from_str(&history.stdout).unwrap();
    let last = records.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["outcome"], "applied");
    assert!(last["prompt"].as_str().unwrap().contains("## calc.py"));
    assert!(
        last["answer"]
            .as_str()
            .unwrap()
            .contains("It removes the stray")
    );
    for out in [run.stdout.as_str(), run.peek_stderr()] {
        assert!(!out.contains("canaryTOKEN"), "{out}");
    }
}

#[test]
fn an_http_proposer_gets_the_prompt_and_only_it_gets_the_key() {
    let (_g, gh) = github();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("chat.jsonl");
    let answer_file = dir.path().join("answer.txt");
    std::fs::write(&answer_file, format!("```diff\n{FIX}```\n")).unwrap();
    let chat = Stub::spawn(
        "chat_stub.py",
        &[log.display().to_string(), answer_file.display().to_string()],
        log,
    );
    let key = "sk-canaryKEY0123456789abcdef";
    let (t, checkout) = case(
        &gh.url,
        &format!(
            "url = \"{}/v1/chat/completions\"\nmodel = \"stub-coder\"\napi_key = \"${{PROPOSER_KEY}}\"\ntimeout = \"20s\"",
            chat.url
        ),
        CONTEXT,
    );
    let t = t.env("PROPOSER_KEY", key);
    let before = state(&checkout);
    let run = propose(&t, &["--apply"]);
    run.code(0);
    let f = fix(&run);
    assert_eq!(f["outcome"], "applied", "{f:#}");
    assert_eq!(f["proposer"], "stub-coder");
    let asked = chat.requests();
    assert_eq!(asked.len(), 1);
    let auth = asked[0]["headers"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.clone());
    assert_eq!(auth, Some(json!(format!("Bearer {key}"))));
    let sent: Value = serde_json::from_str(asked[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(sent["model"], "stub-coder");
    assert!(
        sent["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("## calc.py")
    );
    // GitHub, the output and the state never see the key.
    for r in gh.requests() {
        assert!(!r.to_string().contains("canaryKEY"), "{r}");
    }
    for out in [run.stdout.as_str(), run.peek_stderr()] {
        assert!(!out.contains("canaryKEY"), "{out}");
    }
    for file in run.state_files() {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(!text.contains("canaryKEY"), "{}", file.display());
    }
    let message = git(
        &t.path().join("origin.git"),
        &["log", "-1", "--format=%B", f["branch"].as_str().unwrap()],
    );
    assert!(message.contains("Proposed-By: stub-coder\n"), "{message}");
    assert_eq!(state(&checkout), before);
}

#[test]
fn every_kind_of_bad_proposal_is_refused_and_the_checkout_stays_as_it_was() {
    let (_g, gh) = github();
    let (t, checkout) = case(&gh.url, &command_proposer(""), CONTEXT);
    // A tracked symlink: patching it would write wherever it points.
    std::os::unix::fs::symlink("calc.py", checkout.join("alias.py")).unwrap();
    git(&checkout, &["add", "alias.py"]);
    git(
        &checkout,
        &[
            "-c",
            "user.name=Dev",
            "-c",
            "user.email=dev@example.com",
            "commit",
            "--quiet",
            "-m",
            "alias",
        ],
    );
    git(&checkout, &["push", "--quiet", "origin", "main"]);
    let before = state(&checkout);
    let big = (0..5000).fold(String::new(), |mut s, i| {
        s.push_str(&format!("+x{i} = {i}\n"));
        s
    });
    let cases = [
        (
            "diff --git a/../outside b/../outside\n--- a/../outside\n+++ b/../outside\n@@ -1 +1 @@\n-a\n+b\n".to_owned(),
            "leaves the checkout",
        ),
        (
            "--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-root\n+toor\n".to_owned(),
            "/etc/passwd is an absolute path",
        ),
        (
            "--- a/.github/workflows/ci.yml\n+++ b/.github/workflows/ci.yml\n@@ -1,2 +1,2 @@\n name: CI\n-on: push\n+on: [push, pull_request]\n".to_owned(),
            ".github/workflows/ci.yml is a workflow file",
        ),
        (
            "diff --git a/.env b/.env\nnew file mode 100644\n--- /dev/null\n+++ b/.env\n@@ -0,0 +1 @@\n+DEBUG=1\n".to_owned(),
            ".env is an env file",
        ),
        (
            "diff --git a/link b/link\nnew file mode 120000\n--- /dev/null\n+++ b/link\n@@ -0,0 +1 @@\n+../outside\n\\ No newline at end of file\n".to_owned(),
            "makes link a symlink",
        ),
        (
            "--- a/alias.py\n+++ b/alias.py\n@@ -1 +1 @@\n-calc.py\n+../outside\n".to_owned(),
            "alias.py is a symlink",
        ),
        (
            format!("--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,5002 @@\n def add(a, b):\n     return a + b - 1\n{big}"),
            "changes 5000 lines, more than max_changed_lines (200)",
        ),
        (
            "The bug is in add(): it subtracts one. Remove the `- 1` and the test passes.".to_owned(),
            "holds no unified diff",
        ),
        (
            "--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(x, y):\n-    return x + y - 1\n+    return x + y\n".to_owned(),
            "does not apply",
        ),
    ];
    for (text, why) in cases {
        answer(&t, &text);
        let run = propose(&t, &["--apply"]);
        run.code(1);
        let f = fix(&run);
        assert_eq!(f["outcome"], "refused", "{why}: {f:#}");
        let reason = f["reason"].as_str().unwrap();
        assert!(reason.contains("the proposal was refused"), "{reason}");
        assert!(reason.contains(why), "{why:?} not in {reason:?}");
        assert_eq!(state(&checkout), before, "{why}: the checkout is as it was");
    }
    assert!(posts(&gh).is_empty(), "no pull request");
    assert!(!t.path().join("outside").exists());
    let branches = git(
        &t.path().join("origin.git"),
        &["branch", "--list", "--format=%(refname:short)"],
    );
    assert_eq!(branches.trim(), "main", "nothing was pushed");
}

#[test]
fn a_hanging_proposer_is_killed_at_the_timeout_with_its_child_and_the_run_rolled_back() {
    let (_g, gh) = github();
    let proposer = "argv = [\"python3\", \"{servers}/proposer.py\", \"{dir}/calls.jsonl\", \"{dir}/answer.txt\", \"hang\"]\ntimeout = \"1s\"";
    let (t, checkout) = case(&gh.url, proposer, CONTEXT);
    answer(&t, FIX);
    let before = state(&checkout);
    let started = Instant::now();
    let run = propose(&t, &["--apply"]);
    run.code(2);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    let f = fix(&run);
    assert_eq!(f["outcome"], "rolled_back", "{f:#}");
    let reason = f["reason"].as_str().unwrap();
    assert!(
        reason.contains("did not answer within 1s and was killed"),
        "{reason}"
    );
    assert!(reason.contains("the checkout is back at main"), "{reason}");
    assert_eq!(state(&checkout), before);
    let pids = std::fs::read_to_string(t.path().join("calls.jsonl.pids")).unwrap();
    for pid in pids.split_whitespace() {
        let alive = || {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
                !s.rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z')
            })
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(!alive(), "process {pid} outlived the run");
    }
    assert!(posts(&gh).is_empty());
}

#[test]
fn a_proposal_that_applies_but_fails_verify_is_rolled_back() {
    let (_g, gh) = github();
    let (t, checkout) = case(&gh.url, &command_proposer(""), CONTEXT);
    answer(
        &t,
        &FIX.replace("+    return a + b\n", "+    return a + b + 1\n"),
    );
    let before = state(&checkout);
    let run = propose(&t, &["--apply"]);
    run.code(2);
    let f = fix(&run);
    assert_eq!(f["outcome"], "rolled_back", "{f:#}");
    assert_eq!(f["verify_passed"], false);
    assert!(f["reason"].as_str().unwrap().contains("verify"), "{f:#}");
    assert!(f["verify_tail"].to_string().contains("1 failed"), "{f:#}");
    assert_eq!(state(&checkout), before);
    assert!(posts(&gh).is_empty());
    let branches = git(
        &t.path().join("origin.git"),
        &["branch", "--list", "--format=%(refname:short)"],
    );
    assert_eq!(branches.trim(), "main");
}

#[test]
fn canaries_in_the_log_and_in_a_named_file_never_reach_the_proposer() {
    let pushing = format!("  pushing with {TOKEN}");
    let context = [
        "Run pytest",
        "  env: API_TOKEN=canaryLOGtoken123",
        "  Authorization: Bearer canaryBEARER98765",
        pushing.as_str(),
        "  aws AKIACANARY0123456789 ok",
        "/home/runner/work/app/app/settings.py:3: in <module>",
        "FAILED tests/test_calc.py::test_add - assert 2 == 3",
    ];
    let (t, checkout) = case("http://127.0.0.1:9", &command_proposer(""), &context);
    std::fs::write(
        checkout.join("settings.py"),
        "DEBUG = True\nDB_PASSWORD = \"canaryFILEpass42\"\nslack = \"xoxb-canary-0123456789\"\nNAME = \"app\"\n",
    )
    .unwrap();
    git(&checkout, &["add", "settings.py"]);
    git(
        &checkout,
        &[
            "-c",
            "user.name=Dev",
            "-c",
            "user.email=dev@example.com",
            "commit",
            "--quiet",
            "-m",
            "settings",
        ],
    );
    answer(&t, "no diff today");
    let run = propose(&t, &["--call"]);
    run.code(1);
    let sent = calls(&t);
    assert_eq!(sent.len(), 1);
    let prompt = sent[0]["prompt"].as_str().unwrap();
    assert!(
        prompt.contains("## settings.py (lines 1-4 of 4)"),
        "{prompt}"
    );
    assert!(prompt.contains("NAME = \"app\""), "{prompt}");
    assert!(prompt.contains("API_TOKEN=***"), "{prompt}");
    assert!(prompt.contains("DB_PASSWORD = \"***\""), "{prompt}");
    for canary in [
        "canaryLOG",
        "canaryBEARER",
        "canaryTOKEN",
        "AKIACANARY",
        "canaryFILE",
        "xoxb-canary",
    ] {
        assert!(
            !prompt.contains(canary),
            "{canary} reached the proposer:\n{prompt}"
        );
        for file in run.state_files() {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            assert!(!text.contains(canary), "{canary} in {}", file.display());
        }
    }
}

#[test]
fn max_calls_per_day_holds_across_runs() {
    let (t, checkout) = case(
        "http://127.0.0.1:9",
        &command_proposer("max_calls_per_day = 2"),
        CONTEXT,
    );
    answer(&t, FIX);
    let before = state(&checkout);
    for _ in 0..2 {
        let run = propose(&t, &["--call"]);
        run.code(0);
        assert_eq!(fix(&run)["outcome"], "planned");
    }
    let third = propose(&t, &["--call"]);
    third.code(1);
    let f = fix(&third);
    assert_eq!(f["outcome"], "skipped", "{f:#}");
    assert!(
        f["reason"]
            .as_str()
            .unwrap()
            .starts_with("max_calls_per_day (2) reached: 2 proposer calls today"),
        "{f:#}"
    );
    assert_eq!(calls(&t).len(), 2, "the third call was never made");
    // The prompt can still be looked at; it says what --call would hit.
    let dry = propose(&t, &[]);
    dry.code(1);
    let f = fix(&dry);
    assert_eq!(f["outcome"], "planned");
    assert!(
        f["would_refuse"].to_string().contains("max_calls_per_day"),
        "{f:#}"
    );
    assert_eq!(state(&checkout), before);
}

#[test]
fn a_proposer_needs_exactly_one_of_argv_and_url() {
    for (proposer, want) in [
        (
            "argv = [\"x\"]\nurl = \"http://127.0.0.1:1/v1/chat/completions\"",
            "has both argv and url",
        ),
        ("timeout = \"1s\"", "needs argv"),
        (
            "url = \"http://127.0.0.1:1/v1/chat/completions\"",
            "url needs model",
        ),
        ("argv = [\"x\"]\nshell = \"sh\"", "unknown field `shell`"),
        (
            "argv = [\"x\"]\ncategories = [\"flaky\"]",
            "`flaky` is not a category id",
        ),
    ] {
        let t = Test::new().config(&format!(
            "[fix]\nallowed_repos = [\"acme/app\"]\n\n[fix.proposer]\n{proposer}\n"
        ));
        let run = t.again(&["fix", "--propose"]);
        run.code(3);
        assert!(
            run.stderr().contains(want),
            "{want:?} not in {}",
            run.stderr()
        );
        assert!(run.stderr().contains("mcpctl.toml:"), "{}", run.stderr());
    }
}
