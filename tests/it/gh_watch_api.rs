//! gh-watch against a loopback stand-in for GitHub's REST API: failed runs, jobs with steps, the
//! 302 to a signed log URL, dedup across runs, ETags and 304, rate limits (403 and 429) that stop
//! with a partial report, logs not there yet, the run-logs zip, the failing step's section,
//! recurrence, escalation to GitHub issues, and `--watch`.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Test;
use crate::stub::Stub;

/// The stand-in serves `routes`: path → status, JSON or text, headers, or a redirect.
fn github(t: &Test, routes: &Value) -> Stub {
    let routes_path = t.path().join("routes.json");
    set_routes(t, routes);
    let log = t.path().join("github.requests.jsonl");
    Stub::spawn(
        "github_stub.py",
        &[routes_path.display().to_string(), log.display().to_string()],
        log,
    )
}

/// The stand-in reads its routes on every request: what GitHub serves next.
fn set_routes(t: &Test, routes: &Value) {
    std::fs::write(t.path().join("routes.json"), routes.to_string()).unwrap();
}

const TOKEN: &str = "canary-ghp-7d1e0c";

fn routes() -> Value {
    let log = "2026-11-24T05:26:52.1234567Z ##[group]Run npm ci\n\
               2026-11-24T05:26:53.1234567Z npm error 404 Not Found - GET https://registry.npmjs.org/left-padd - Not found\n\
               2026-11-24T05:26:53.2234567Z ##[error]Process completed with exit code 1.\n";
    json!({
        "/repos/acme/app/actions/runs": {"json": {"total_count": 2, "workflow_runs": [
            {"id": 11, "run_attempt": 1, "name": "ci", "event": "push", "head_branch": "main", "head_sha": "abc123", "status": "completed",
             "conclusion": "failure", "html_url": "https://github.com/acme/app/actions/runs/11"},
            {"id": 12, "run_attempt": 1, "name": "ci", "event": "push", "head_branch": "main", "head_sha": "def456", "status": "completed",
             "conclusion": "success", "html_url": "https://github.com/acme/app/actions/runs/12"}
        ]}},
        "/repos/acme/app/actions/runs/11/jobs": {"json": {"total_count": 1, "jobs": [
            {"id": 101, "name": "build", "status": "completed", "conclusion": "failure", "steps": [
                {"name": "Set up job", "number": 1, "status": "completed", "conclusion": "success"},
                {"name": "npm ci", "number": 2, "status": "completed", "conclusion": "failure"}
            ]}
        ]}},
        "/repos/acme/app/actions/jobs/101/logs": {"status": 302, "location": "/signed/101.txt"},
        "/signed/101.txt": {"text": log}
    })
}

fn setup(routes: &Value) -> (Test, Stub) {
    setup_with(routes, "")
}

pub(crate) fn setup_with(routes: &Value, extra: &str) -> (Test, Stub) {
    let t = Test::new();
    let gh = github(&t, routes);
    let t = t
        .config(&format!(
            "[github]\ntoken = \"${{GH_TEST_TOKEN}}\"\napi_url = \"{}\"\nrepos = [\"acme/app\"]\nlookback = \"48h\"\n{extra}",
            gh.url
        ))
        .env("GH_TEST_TOKEN", TOKEN);
    (t, gh)
}

fn count(gh: &Stub, method: &str, path: &str) -> usize {
    gh.requests()
        .iter()
        .filter(|r| r["method"] == method && r["path"] == path)
        .count()
}

#[test]
fn failed_runs_are_classified_once_each() {
    let (t, gh) = setup(&routes());
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let report = r.json();
    let runs = report["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{report:#}");
    assert_eq!(runs[0]["run_id"], 11);
    assert_eq!(runs[0]["sha"], "abc123");
    assert_eq!(runs[0]["event"], "push");
    assert_eq!(runs[0]["run_attempt"], 1);
    assert_eq!(runs[0]["jobs"][0]["failing_step"], "npm ci");
    let issue = &runs[0]["issues"][0];
    assert_eq!(issue["category"], "npm_missing_package");
    assert_eq!(issue["key"], "left-padd");
    assert_eq!(issue["fingerprint"].as_str().unwrap().len(), 16);
    assert_eq!(issue["job"], "build");

    let seen = gh.requests();
    let list = seen
        .iter()
        .find(|r| r["path"] == "/repos/acme/app/actions/runs")
        .unwrap();
    let query = list["query"].as_str().unwrap();
    assert!(
        query.contains("status=completed") && query.contains("created=%3E%3D"),
        "{query}"
    );
    assert!(list["authorization"].as_str().unwrap().contains(TOKEN));
    // The signed URL is fetched without the token.
    let signed = seen
        .iter()
        .find(|r| r["path"] == "/signed/101.txt")
        .unwrap();
    assert!(signed["authorization"].is_null(), "{signed}");
    assert!(!r.stdout.contains(TOKEN) && !r.peek_stderr().contains(TOKEN));

    // The next cron run has nothing new; --all looks again.
    let r = t.again(&["gh-watch", "--json"]);
    r.code(0);
    assert_eq!(r.json()["runs"].as_array().unwrap().len(), 0);
    let r = t.again(&["gh-watch", "--json", "--all"]);
    r.code(1);
    assert_eq!(r.json()["runs"].as_array().unwrap().len(), 1);
    for f in r.state_files() {
        assert!(
            !std::fs::read_to_string(&f)
                .unwrap_or_default()
                .contains(TOKEN)
        );
    }
}

#[test]
fn a_rate_limit_stops_with_a_partial_report() {
    let mut routes = routes();
    routes["/repos/acme/app/actions/runs/11/jobs"] = json!({
        "status": 403,
        "headers": {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1764000000"},
        "json": {"message": "API rate limit exceeded for user ID 1.", "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}
    });
    let (t, gh) = setup(&routes);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let report = r.json();
    let summary = report["summary"].as_str().unwrap();
    assert!(
        summary.contains("partial") && summary.contains("HTTP 403"),
        "{summary}"
    );
    // Never spun on retries: one request for the jobs.
    let jobs = gh
        .requests()
        .iter()
        .filter(|r| r["path"] == "/repos/acme/app/actions/runs/11/jobs")
        .count();
    assert_eq!(jobs, 1);
}

#[test]
fn no_token_and_no_repos_say_what_to_do() {
    let t =
        Test::new().config("[github]\nrepos = [\"acme/app\"]\ntoken = \"${GH_MISSING_TOKEN}\"\n");
    let r = t.again(&["gh-watch"]);
    r.code(3);
    assert!(r.stderr().contains("GH_MISSING_TOKEN"), "{}", r.stderr());
    let t = Test::new().config("[github]\nrepos = []\n");
    let r = t.again(&["gh-watch"]);
    r.code(3);
    assert!(r.stderr().contains("add [github] repos"), "{}", r.stderr());
}

#[test]
fn settings_that_can_never_work_are_usage_errors() {
    let t = Test::new().config("[github]\nrepos = [\"acme/app\"]\nopen_issue_after = 51\n");
    let r = t.again(&["gh-watch"]);
    r.code(3);
    assert!(
        r.stderr()
            .contains("mcpctl.toml:3:20: github.open_issue_after is at most 50"),
        "{}",
        r.stderr()
    );
    let t = Test::new()
        .config("[github]\nrepos = [\"acme/app\"]\ntoken = \"${GH_TEST_TOKEN}\"\nlookback = \"300000y\"\n")
        .env("GH_TEST_TOKEN", TOKEN);
    let r = t.again(&["gh-watch"]);
    r.code(3);
    assert!(r.stderr().contains("lookback"), "{}", r.stderr());
}

const NPM_LOG: &str = "2026-11-24T05:26:52.1234567Z ##[group]Run npm ci\n\
    2026-11-24T05:26:53.1234567Z npm error 404 Not Found - GET https://registry.npmjs.org/left-padd - Not found\n\
    2026-11-24T05:26:53.2234567Z ##[error]Process completed with exit code 1.\n";

fn run(id: u64, sha: &str) -> Value {
    json!({"id": id, "run_attempt": 1, "name": "ci", "event": "push", "head_branch": "main", "head_sha": sha,
           "head_repository": {"full_name": "acme/app"}, "status": "completed",
           "conclusion": "failure", "html_url": format!("https://github.com/acme/app/actions/runs/{id}")})
}

/// Run `id` has one failed job `id * 10` whose second step failed, with `log` behind the
/// signed-URL redirect.
fn failed_run(routes: &mut Value, id: u64, log: &str) {
    let job = id * 10;
    routes[format!("/repos/acme/app/actions/runs/{id}/jobs")] = json!({"json": {"total_count": 1, "jobs": [
        {"id": job, "name": "build", "status": "completed", "conclusion": "failure", "steps": [
            {"name": "Set up job", "number": 1, "status": "completed", "conclusion": "success"},
            {"name": "npm ci", "number": 2, "status": "completed", "conclusion": "failure"},
            {"name": "Complete job", "number": 3, "status": "completed", "conclusion": "success"}
        ]}
    ]}});
    routes[format!("/repos/acme/app/actions/jobs/{job}/logs")] =
        json!({"status": 302, "location": format!("/signed/{job}.txt")});
    routes[format!("/signed/{job}.txt")] = json!({"text": log});
}

fn runs_list(runs: &[Value]) -> Value {
    json!({"json": {"total_count": runs.len(), "workflow_runs": runs}})
}

#[test]
fn an_unchanged_list_costs_a_304_and_a_log_not_there_yet_is_looked_at_again() {
    let mut routes = routes();
    routes["/repos/acme/app/actions/runs"]["etag"] = json!("W/\"runs-1\"");
    // The job has finished but its log is not there yet: 404, and no run archive either.
    routes["/repos/acme/app/actions/jobs/101/logs"] =
        json!({"status": 404, "json": {"message": "Not Found"}});
    let (t, gh) = setup(&routes);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let report = r.json();
    let run = &report["runs"][0];
    assert_eq!(run["jobs"][0]["log"], "not_yet_available", "{report:#}");
    assert_eq!(run["issues"].as_array().unwrap().len(), 0);
    assert!(
        report["summary"]
            .as_str()
            .unwrap()
            .contains("logs not yet available"),
        "{}",
        report["summary"]
    );
    assert_eq!(count(&gh, "GET", "/repos/acme/app/actions/runs/11/logs"), 1);

    // Nothing new on GitHub (304, no rate limit spent), but run 11 was not classified yet.
    routes["/repos/acme/app/actions/jobs/101/logs"] =
        json!({"status": 302, "location": "/signed/101.txt"});
    set_routes(&t, &routes);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let report = r.json();
    assert_eq!(report["unchanged"], json!(["acme/app"]), "{report:#}");
    assert_eq!(report["runs"][0]["jobs"][0]["log"], "job_log");
    assert_eq!(report["runs"][0]["issues"][0]["key"], "left-padd");
    let lists: Vec<Value> = gh
        .requests()
        .into_iter()
        .filter(|r| r["path"] == "/repos/acme/app/actions/runs")
        .collect();
    assert_eq!(lists[0]["if_none_match"], Value::Null);
    assert_eq!(lists[1]["if_none_match"], "W/\"runs-1\"");

    // Now it is seen: a third run asks, gets 304, and has nothing to do.
    let r = t.again(&["gh-watch", "--json"]);
    r.code(0);
    let report = r.json();
    assert_eq!(report["runs"].as_array().unwrap().len(), 0);
    assert!(report["summary"].as_str().unwrap().contains("1 unchanged"));
    assert_eq!(count(&gh, "GET", "/repos/acme/app/actions/runs/11/jobs"), 2);
}

#[test]
fn a_failed_download_is_an_error_and_is_given_up_after_three_passes() {
    let mut routes = routes();
    // A signed URL that does not answer: the error must not show it.
    routes["/repos/acme/app/actions/jobs/101/logs"] = json!({"status": 302,
        "location": "http://127.0.0.1:1/signed/101.txt?sig=secret-signature"});
    let (t, gh) = setup(&routes);
    for pass in 1..=3 {
        let r = t.again(&["gh-watch", "--json"]);
        r.code(1);
        let report = r.json();
        let run = &report["runs"][0];
        assert_eq!(run["jobs"][0]["log"], "download_failed", "{report:#}");
        let errors = run["errors"].to_string();
        assert!(
            errors.contains("cannot download the log of job 101"),
            "{errors}"
        );
        assert!(!r.stdout.contains("secret-signature"), "{}", r.stdout);
        assert!(
            !r.peek_stderr().contains("secret-signature"),
            "{}",
            r.stderr()
        );
        assert!(
            report["summary"]
                .as_str()
                .unwrap()
                .contains("1 run whose log downloads failed"),
            "{}",
            report["summary"]
        );
        assert_eq!(
            errors.contains("not looked at again"),
            pass == 3,
            "{errors}"
        );
    }
    // The run's archive was tried each time, and 404s: not a reason to wait.
    assert_eq!(count(&gh, "GET", "/repos/acme/app/actions/runs/11/logs"), 3);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(0);
    assert_eq!(r.json()["runs"].as_array().unwrap().len(), 0);
}

#[test]
fn a_signed_url_404_is_not_there_yet_and_a_huge_log_is_refused() {
    let mut routes = routes();
    routes["/signed/101.txt"] = json!({"status": 404, "text": "not yet"});
    let (t, _gh) = setup(&routes);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let report = r.json();
    assert_eq!(
        report["runs"][0]["jobs"][0]["log"], "not_yet_available",
        "{report:#}"
    );
    assert_eq!(report["runs"][0]["errors"], Value::Null);

    routes["/signed/101.txt"] = json!({"big": (256u64 << 20) + 1});
    set_routes(&t, &routes);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let report = r.json();
    let run = &report["runs"][0];
    assert_eq!(run["jobs"][0]["log"], "download_failed", "{report:#}");
    assert!(
        run["errors"][0]
            .as_str()
            .unwrap()
            .contains("the log of job 101 is larger than 256 MiB"),
        "{report:#}"
    );
}

#[test]
fn a_rerun_that_fails_again_is_classified_again() {
    let (t, _gh) = setup(&routes());
    // Written by an older mcpctl: bare run ids, first attempts.
    std::fs::create_dir_all(t.path().join("state/gh-watch")).unwrap();
    std::fs::write(
        t.path().join("state/gh-watch/seen.json"),
        r#"{"acme/app": [11]}"#,
    )
    .unwrap();
    let r = t.again(&["gh-watch", "--json"]);
    r.code(0);
    assert_eq!(r.json()["runs"].as_array().unwrap().len(), 0);

    let mut routes = routes();
    routes["/repos/acme/app/actions/runs"]["json"]["workflow_runs"][0]["run_attempt"] = json!(2);
    set_routes(&t, &routes);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let report = r.json();
    assert_eq!(
        (
            &report["runs"][0]["run_id"],
            &report["runs"][0]["run_attempt"]
        ),
        (&json!(11), &json!(2)),
        "{report:#}"
    );
    assert_eq!(report["runs"][0]["issues"][0]["key"], "left-padd");
    let r = t.again(&["gh-watch", "--json"]);
    r.code(0);
}

#[test]
fn a_429_stops_at_once_and_says_when_the_limit_resets() {
    let mut routes = routes();
    routes["/repos/acme/app/actions/runs"] = runs_list(&[run(11, "abc123"), run(13, "abc124")]);
    failed_run(&mut routes, 13, NPM_LOG);
    let good = routes.clone();
    routes["/repos/acme/app/actions/runs/11/jobs"] = json!({
        "status": 429,
        "headers": {"retry-after": "120"},
        "json": {"message": "You have exceeded a secondary rate limit."}
    });
    let (t, gh) = setup(&routes);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let summary = r.json()["summary"].as_str().unwrap().to_owned();
    assert!(
        summary.contains("partial")
            && summary.contains("rate limit is spent (HTTP 429")
            && summary.contains("resets at")
            && summary.contains("(in "),
        "{summary}"
    );
    // No retry, and nothing more once the limit is spent.
    assert_eq!(count(&gh, "GET", "/repos/acme/app/actions/runs/11/jobs"), 1);
    assert_eq!(count(&gh, "GET", "/repos/acme/app/actions/runs/13/jobs"), 0);

    // Neither run was marked seen: the next run classifies both.
    set_routes(&t, &good);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    assert_eq!(r.json()["runs"].as_array().unwrap().len(), 2);
}

#[test]
fn absurd_rate_limit_headers_do_not_crash() {
    let mut routes = routes();
    routes["/repos/acme/app/actions/runs/11/jobs"] = json!({
        "status": 429,
        "headers": {"retry-after": "9000000000000", "x-ratelimit-reset": "99999999999999999"},
        "json": {"message": "You have exceeded a secondary rate limit."}
    });
    let (t, _gh) = setup(&routes);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let summary = r.json()["summary"].as_str().unwrap().to_owned();
    assert!(
        summary.contains("rate limit is spent (HTTP 429") && summary.contains("resets at"),
        "{summary}"
    );
}

#[test]
fn the_search_limit_stops_only_the_search() {
    // Nearly spent: the issue is still opened (a core request), and run 23 still looked at.
    let mut routes = history_routes();
    routes["/search/issues"]["headers"] =
        json!({"x-ratelimit-resource": "search", "x-ratelimit-remaining": "2"});
    let (t, gh) = setup_with(&routes, "open_issue_after = 2\n");
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let report = r.json();
    assert_eq!(report["escalations"][0]["action"], "opened", "{report:#}");
    assert_eq!(report["runs"].as_array().unwrap().len(), 3);
    assert!(!report["summary"].as_str().unwrap().contains("partial"));
    assert_eq!(count(&gh, "POST", "/repos/acme/app/issues"), 1);

    // Spent: that escalation fails (and is tried at the next sighting); the rest goes on.
    routes["/search/issues"] = json!({"status": 403,
        "headers": {"x-ratelimit-resource": "search", "x-ratelimit-remaining": "0"},
        "json": {"message": "API rate limit exceeded"}});
    let (t, gh) = setup_with(&routes, "open_issue_after = 2\n");
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let report = r.json();
    let e = &report["escalations"][0];
    assert_eq!(e["action"], "failed", "{report:#}");
    assert!(
        e["error"].as_str().unwrap().contains("rate limit is spent"),
        "{e:#}"
    );
    assert_eq!(report["runs"].as_array().unwrap().len(), 3);
    assert!(!report["summary"].as_str().unwrap().contains("partial"));
    assert_eq!(count(&gh, "POST", "/repos/acme/app/issues"), 0);
    assert_eq!(count(&gh, "GET", "/repos/acme/app/actions/runs/23/jobs"), 1);
}

#[test]
fn the_run_logs_zip_stands_in_for_a_missing_job_log() {
    let mut routes = routes();
    routes["/repos/acme/app/actions/jobs/101/logs"] =
        json!({"status": 404, "json": {"message": "Not Found"}});
    routes["/repos/acme/app/actions/runs/11/logs"] =
        json!({"status": 302, "location": "/signed/run-11.zip"});
    routes["/signed/run-11.zip"] = json!({"zip": {
        "0_build.txt": format!("2026-11-24T05:26:50.0Z ##[group]Run actions/checkout@v4\n{NPM_LOG}"),
        "build/1_Set up job.txt": "2026-11-24T05:26:50.0Z Current runner version: '2.330.0'\n",
        "build/2_npm ci.txt": NPM_LOG
    }});
    let (t, gh) = setup(&routes);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let report = r.json();
    let run = &report["runs"][0];
    assert_eq!(run["jobs"][0]["log"], "run_logs_zip_step", "{report:#}");
    assert_eq!(run["issues"][0]["key"], "left-padd");
    assert_eq!(run["issues"][0]["line_number"], 2);
    let signed = gh
        .requests()
        .into_iter()
        .find(|r| r["path"] == "/signed/run-11.zip")
        .unwrap();
    assert!(signed["authorization"].is_null());

    // Without per-step files, the job's file is cut to its failing step.
    routes["/signed/run-11.zip"] = json!({"zip": {
        "0_build.txt": format!("2026-11-24T05:26:50.0Z ##[group]Run actions/checkout@v4\n{NPM_LOG}")
    }});
    set_routes(&t, &routes);
    let r = t.again(&["gh-watch", "--json", "--all"]);
    r.code(1);
    let report = r.json();
    let run = &report["runs"][0];
    assert_eq!(run["jobs"][0]["log"], "run_logs_zip", "{report:#}");
    assert_eq!(run["issues"][0]["key"], "left-padd");
    assert_eq!(run["issues"][0]["line_number"], 3);
}

#[test]
fn issues_come_from_the_failing_step_with_whole_log_line_numbers() {
    let log = "2026-11-24T05:26:50.0Z Current runner version: '2.330.0'\n\
        2026-11-24T05:26:51.0Z ##[group]Run pytest\n\
        2026-11-24T05:26:51.1Z pytest\n\
        2026-11-24T05:26:51.2Z ##[endgroup]\n\
        2026-11-24T05:26:51.3Z ModuleNotFoundError: No module named 'foo'\n\
        2026-11-24T05:26:52.0Z ##[group]Run npm ci\n\
        2026-11-24T05:26:52.1Z npm ci\n\
        2026-11-24T05:26:52.2Z ##[endgroup]\n\
        2026-11-24T05:26:53.0Z npm error 404 Not Found - GET https://registry.npmjs.org/left-padd - Not found\n\
        2026-11-24T05:26:53.1Z ##[error]Process completed with exit code 1.\n\
        2026-11-24T05:26:54.0Z Post job cleanup.\n\
        2026-11-24T05:26:55.0Z Cleaning up orphan processes\n";
    let mut routes = routes();
    routes["/signed/101.txt"] = json!({"text": log});
    routes["/repos/acme/app/actions/runs/11/jobs"]["json"]["jobs"][0]["steps"] = json!([
        {"name": "Set up job", "number": 1, "status": "completed", "conclusion": "success"},
        {"name": "Tests", "number": 2, "status": "completed", "conclusion": "success"},
        {"name": "Install", "number": 3, "status": "completed", "conclusion": "failure"},
        {"name": "Lint", "number": 4, "status": "completed", "conclusion": "skipped"},
        {"name": "Complete job", "number": 5, "status": "completed", "conclusion": "success"}
    ]);
    let (t, _gh) = setup(&routes);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let report = r.json();
    let run = &report["runs"][0];
    assert_eq!(run["jobs"][0]["failing_step"], "Install");
    assert_eq!(run["jobs"][0]["step_lines"], json!([6, 10]), "{report:#}");
    let issues = run["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(issues[0]["category"], "npm_missing_package");
    assert_eq!(issues[0]["line_number"], 9);

    // Steps the log cannot be matched to: the whole log, both failures.
    let mut routes = routes.clone();
    routes["/repos/acme/app/actions/runs/11/jobs"]["json"]["jobs"][0]["steps"][1]["name"] =
        json!("Tests");
    routes["/repos/acme/app/actions/runs/11/jobs"]["json"]["jobs"][0]["steps"][3]["conclusion"] =
        json!("success");
    routes["/repos/acme/app/actions/runs/11/jobs"]["json"]["jobs"][0]["steps"][4]["name"] =
        json!("Lint again");
    set_routes(&t, &routes);
    let r = t.again(&["gh-watch", "--json", "--all"]);
    let report = r.json();
    let run = &report["runs"][0];
    assert_eq!(run["jobs"][0]["step_lines"], Value::Null, "{report:#}");
    assert_eq!(run["issues"].as_array().unwrap().len(), 2);
}

const NETWORK_LOG: &str = "2026-11-24T05:26:52.1Z ##[group]Run npm ci\n\
    2026-11-24T05:26:53.1Z curl: (6) Could not resolve host: pypi.org\n\
    2026-11-24T05:26:53.2Z ##[error]Process completed with exit code 6.\n";

/// Runs 21 (newest) and 22 fail the same way on two commits; 23 is a network failure.
pub(crate) fn history_routes() -> Value {
    let mut routes = json!({
        "/repos/acme/app/actions/runs": runs_list(&[run(21, "sha-2"), run(22, "sha-1"), run(23, "sha-1")]),
        "/search/issues": {"json": {"total_count": 0, "items": []}},
        "POST /repos/acme/app/issues": {"status": 201, "json": {"number": 7, "html_url": "https://github.com/acme/app/issues/7"}},
        "POST /repos/acme/app/issues/7/comments": {"status": 201, "json": {"id": 70, "html_url": "https://github.com/acme/app/issues/7#issuecomment-70"}}
    });
    failed_run(&mut routes, 21, NPM_LOG);
    failed_run(&mut routes, 22, NPM_LOG);
    failed_run(&mut routes, 23, NETWORK_LOG);
    routes
}

fn recurrences(report: &Value) -> Vec<(u64, String)> {
    report["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["issues"].as_array().unwrap().iter().map(|i| {
                (
                    r["run_id"].as_u64().unwrap(),
                    i["recurrence"].as_str().unwrap().to_owned(),
                )
            })
        })
        .collect()
}

#[test]
fn recurrence_tells_persistent_from_flaky_and_escalates_once() {
    let (t, gh) = setup_with(&history_routes(), "open_issue_after = 2\n");
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let report = r.json();
    assert_eq!(
        recurrences(&report),
        [
            (21, "new".into()),
            (22, "persistent".into()),
            (23, "rerun_candidate".into())
        ],
        "{report:#}"
    );
    let summary = report["summary"].as_str().unwrap();
    assert!(
        summary.contains("3 issues (1 persistent, 1 rerun candidate, 1 new)")
            && summary.contains("GitHub issues: 1 opened, 0 commented, 0 failed"),
        "{summary}"
    );
    let e = &report["escalations"][0];
    assert_eq!(
        (e["action"].as_str(), e["issue"].as_u64()),
        (Some("opened"), Some(7))
    );
    let fp = report["runs"][1]["issues"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(e["fingerprint"], fp.as_str());
    let posts: Vec<Value> = gh
        .requests()
        .into_iter()
        .filter(|r| r["method"] == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    let body = posts[0]["body"]["body"].as_str().unwrap();
    assert!(
        body.contains(&format!("<!-- mcpctl-fingerprint: {fp} -->")),
        "{body}"
    );
    assert!(
        body.contains("left-padd") && !body.contains(TOKEN),
        "{body}"
    );
    let search = gh
        .requests()
        .into_iter()
        .find(|r| r["path"] == "/search/issues")
        .unwrap();
    assert!(search["query"].as_str().unwrap().contains(&fp));

    // Looking at the same runs again opens nothing and comments nothing.
    let r = t.again(&["gh-watch", "--json", "--all"]);
    r.code(1);
    assert_eq!(recurrences(&r.json())[0], (21, "persistent".into()));
    assert_eq!(r.json()["escalations"], Value::Null);

    // A third commit fails the same way: a comment on issue 7, found in the state.
    let mut routes = history_routes();
    routes["/repos/acme/app/actions/runs"] = runs_list(&[run(24, "sha-3")]);
    failed_run(&mut routes, 24, NPM_LOG);
    set_routes(&t, &routes);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let e = &r.json()["escalations"][0];
    assert_eq!(
        (e["action"].as_str(), e["issue"].as_u64()),
        (Some("commented"), Some(7))
    );
    assert_eq!(count(&gh, "POST", "/repos/acme/app/issues"), 1);
    assert_eq!(count(&gh, "POST", "/repos/acme/app/issues/7/comments"), 1);
    assert_eq!(count(&gh, "GET", "/search/issues"), 1);
}

#[test]
fn an_opened_issue_is_remembered_even_when_the_pass_is_interrupted() {
    // Run 23 comes after the escalation in run 22, and hangs: the pass is cut there.
    let mut routes = history_routes();
    routes["/repos/acme/app/actions/runs/23/jobs"]["delay"] = json!(60);
    let (t, gh) = setup_with(&routes, "open_issue_after = 2\n");
    let mut child = t
        .command()
        .arg("--state-dir")
        .arg(t.path().join("state"))
        .args(["gh-watch", "--json"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while count(&gh, "GET", "/repos/acme/app/actions/runs/23/jobs") == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never got to run 23"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert_eq!(count(&gh, "POST", "/repos/acme/app/issues"), 1);

    // A third commit fails the same way: the issue is known, so no search and no twin.
    let mut routes = history_routes();
    routes["/repos/acme/app/actions/runs"] = runs_list(&[run(24, "sha-3")]);
    failed_run(&mut routes, 24, NPM_LOG);
    set_routes(&t, &routes);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let e = &r.json()["escalations"][0];
    assert_eq!(
        (e["action"].as_str(), e["issue"].as_u64()),
        (Some("commented"), Some(7)),
        "{e:#}"
    );
    assert_eq!(count(&gh, "POST", "/repos/acme/app/issues"), 1);
    assert_eq!(count(&gh, "GET", "/search/issues"), 1);
}

#[test]
fn an_issue_already_open_for_the_fingerprint_gets_a_comment_not_a_twin() {
    // The fingerprint, offline: the same repo, workflow and job give the same one.
    let t0 = Test::new().file("npm.log", NPM_LOG);
    let offline = t0
        .args(&[
            "gh-watch",
            "--json",
            "--log",
            "{dir}/npm.log",
            "--repo",
            "acme/app",
            "--workflow",
            "ci",
            "--job",
            "build",
        ])
        .run();
    let fp = offline.json()["runs"][0]["issues"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut routes = history_routes();
    routes["/search/issues"] = json!({"json": {"total_count": 1, "items": [
        {"number": 3, "body": "Older text\n<!-- mcpctl-fingerprint: 0000000000000000 -->"},
        {"number": 5, "body": format!("Opened by hand\n<!-- mcpctl-fingerprint: {fp} -->")}
    ]}});
    routes["POST /repos/acme/app/issues/5/comments"] = json!({"status": 201, "json": {"id": 50, "html_url": "https://github.com/acme/app/issues/5#issuecomment-50"}});
    // Opening would fail loudly: it must not be tried.
    routes["POST /repos/acme/app/issues"] =
        json!({"status": 500, "json": {"message": "must not be called"}});
    let (t, gh) = setup_with(&routes, "open_issue_after = 2\n");
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let e = &r.json()["escalations"][0];
    assert_eq!(
        (e["action"].as_str(), e["issue"].as_u64()),
        (Some("commented"), Some(5)),
        "{e:#}"
    );
    assert_eq!(count(&gh, "POST", "/repos/acme/app/issues"), 0);
    assert_eq!(count(&gh, "POST", "/repos/acme/app/issues/5/comments"), 1);
}

#[test]
fn a_failed_post_is_reported_not_retried() {
    let mut routes = history_routes();
    routes["POST /repos/acme/app/issues"] =
        json!({"status": 502, "json": {"message": "Server Error"}});
    let (t, gh) = setup_with(&routes, "open_issue_after = 2\n");
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let report = r.json();
    let e = &report["escalations"][0];
    assert_eq!(e["action"], "failed");
    assert!(e["error"].as_str().unwrap().contains("HTTP 502"), "{e:#}");
    assert_eq!(count(&gh, "POST", "/repos/acme/app/issues"), 1);
}

#[test]
fn paginated_runs_follow_the_link_header() {
    let mut routes = routes();
    routes["/repos/acme/app/actions/runs"]["headers"] = json!({
        "Link": "<{base}/repos/acme/app/actions/runs?page=2&per_page=100>; rel=\"next\", <{base}/repos/acme/app/actions/runs?page=2&per_page=100>; rel=\"last\""
    });
    routes["/repos/acme/app/actions/runs?page=2"] = runs_list(&[run(14, "abc000")]);
    failed_run(&mut routes, 14, NPM_LOG);
    let (t, _gh) = setup(&routes);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let ids: Vec<u64> = r.json()["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [11, 14]);
}

#[test]
fn a_next_page_elsewhere_never_gets_the_token() {
    let t = Test::new();
    let evil_routes = t.path().join("evil-routes.json");
    std::fs::write(&evil_routes, runs_list(&[run(14, "abc000")]).to_string()).unwrap();
    let evil_log = t.path().join("evil.requests.jsonl");
    let evil = Stub::spawn(
        "github_stub.py",
        &[
            evil_routes.display().to_string(),
            evil_log.display().to_string(),
        ],
        evil_log,
    );
    let gh = github(&t, &routes());
    // Starts with the API's URL, yet names another server (user info before the `@`).
    let sly = format!(
        "{}@{}/repos/acme/app/actions/runs?page=2",
        gh.url,
        evil.url.trim_start_matches("http://")
    );
    let mut routes = routes();
    routes["/repos/acme/app/actions/runs"]["headers"] =
        json!({"Link": format!("<{sly}>; rel=\"next\"")});
    set_routes(&t, &routes);
    let t = t
        .config(&format!(
            "[github]\ntoken = \"${{GH_TEST_TOKEN}}\"\napi_url = \"{}\"\nrepos = [\"acme/app\"]\n",
            gh.url
        ))
        .env("GH_TEST_TOKEN", TOKEN);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    assert_eq!(r.json()["runs"].as_array().unwrap().len(), 1);
    assert_eq!(evil.requests().len(), 0);
}

#[test]
fn a_fork_pull_request_names_the_repository_its_code_comes_from() {
    let mut routes = routes();
    let mut fork = run(15, "f0f0f0");
    fork["event"] = json!("pull_request");
    fork["head_branch"] = json!("patch-1");
    fork["head_repository"] = json!({"full_name": "mallory/app"});
    routes["/repos/acme/app/actions/runs"] = runs_list(&[fork, run(16, "abc001")]);
    failed_run(&mut routes, 15, NPM_LOG);
    failed_run(&mut routes, 16, NPM_LOG);
    let (t, _gh) = setup(&routes);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let report = r.json();
    let runs = report["runs"].as_array().unwrap();
    assert_eq!(
        (&runs[0]["event"], &runs[0]["head_repo"]),
        (&json!("pull_request"), &json!("mallory/app")),
        "{report:#}"
    );
    assert_eq!(
        (&runs[1]["event"], &runs[1]["head_repo"]),
        (&json!("push"), &json!("acme/app"))
    );
}

#[test]
fn watch_runs_again_until_sigterm() {
    let (t, _gh) = setup(&routes());
    let reports = t.path().join("state/reports/gh-watch");
    let mut child = t
        .command()
        .arg("--state-dir")
        .arg(t.path().join("state"))
        .args(["gh-watch", "--watch", "1s"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let stored = || {
        std::fs::read_dir(&reports).map_or(0, |d| {
            d.flatten()
                .filter(|e| e.file_name() != "latest.json")
                .count()
        })
    };
    while stored() < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no second pass"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(130));
    // The lock is free between passes: another run gets it.
    t.again(&["gh-watch", "--json"]).code(0);
}
