//! gh-watch against a loopback stand-in for GitHub's REST API: failed runs, jobs with steps, the
//! 302 to a signed log URL, dedup across runs, and a rate limit that stops with a partial report.

use serde_json::{Value, json};

use crate::Test;
use crate::stub::Stub;

/// The stand-in serves `routes`: path → status, JSON or text, headers, or a redirect.
fn github(t: &Test, routes: &Value) -> Stub {
    let routes_path = t.path().join("routes.json");
    std::fs::write(&routes_path, routes.to_string()).unwrap();
    let log = t.path().join("github.requests.jsonl");
    Stub::spawn(
        "github_stub.py",
        &[routes_path.display().to_string(), log.display().to_string()],
        log,
    )
}

const TOKEN: &str = "canary-ghp-7d1e0c";

fn routes() -> Value {
    let log = "2026-11-24T05:26:52.1234567Z ##[group]Run npm ci\n\
               2026-11-24T05:26:53.1234567Z npm error 404 Not Found - GET https://registry.npmjs.org/left-padd - Not found\n\
               2026-11-24T05:26:53.2234567Z ##[error]Process completed with exit code 1.\n";
    json!({
        "/repos/acme/app/actions/runs": {"json": {"total_count": 2, "workflow_runs": [
            {"id": 11, "name": "ci", "head_branch": "main", "head_sha": "abc123", "status": "completed",
             "conclusion": "failure", "html_url": "https://github.com/acme/app/actions/runs/11"},
            {"id": 12, "name": "ci", "head_branch": "main", "head_sha": "def456", "status": "completed",
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
    let t = Test::new();
    let gh = github(&t, routes);
    let t = t
        .config(&format!(
            "[github]\ntoken = \"${{GH_TEST_TOKEN}}\"\napi_url = \"{}\"\nrepos = [\"acme/app\"]\nlookback = \"48h\"\n",
            gh.url
        ))
        .env("GH_TEST_TOKEN", TOKEN);
    (t, gh)
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
    assert_eq!(runs[0]["jobs"][0]["failing_step"], "npm ci");
    let issue = &runs[0]["issues"][0];
    assert_eq!(issue["category"], "npm_missing_package");
    assert_eq!(issue["key"], "left-padd");
    assert_eq!(issue["fingerprint"].as_str().unwrap().len(), 16);

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
    assert!(!r.stdout.contains(TOKEN) && !r.stderr.contains(TOKEN));

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
    assert!(r.stderr.contains("GH_MISSING_TOKEN"), "{}", r.stderr);
    let t = Test::new().config("[github]\nrepos = []\n");
    let r = t.again(&["gh-watch"]);
    r.code(3);
    assert!(r.stderr.contains("add [github] repos"), "{}", r.stderr);
}
