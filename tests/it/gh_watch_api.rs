//! gh-watch against a loopback stand-in for GitHub's REST API: failed runs, jobs with steps, the
//! 302 to a signed log URL, dedup across runs, and a rate limit that stops with a partial report.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::{Run, Test};

struct Github {
    child: Child,
    url: String,
    log: std::path::PathBuf,
}

impl Github {
    fn start(t: &Test, routes: &Value) -> Github {
        let routes_path = t.path().join("routes.json");
        std::fs::write(&routes_path, routes.to_string()).unwrap();
        let log = t.path().join("github.requests.jsonl");
        let mut child = Command::new("python3")
            .arg(crate::harness::servers_dir().join("github_stub.py"))
            .arg(&routes_path)
            .arg(&log)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Github {
            child,
            url: format!("http://127.0.0.1:{}", line.trim()),
            log,
        }
    }

    fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for Github {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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

fn setup(routes: &Value) -> (Test, Github) {
    let t = Test::new();
    let gh = Github::start(&t, routes);
    let t = t
        .config(&format!(
            "[github]\ntoken = \"${{GH_TEST_TOKEN}}\"\napi_url = \"{}\"\nrepos = [\"acme/app\"]\nlookback = \"48h\"\n",
            gh.url
        ))
        .env("GH_TEST_TOKEN", TOKEN);
    (t, gh)
}

fn run(t: &Test, args: &[&str]) -> Run {
    let mut cmd = t.command();
    cmd.arg("--state-dir")
        .arg(t.path().join("state"))
        .args(args);
    Run::from_output(&cmd.output().unwrap(), t.path())
}

#[test]
fn failed_runs_are_classified_once_each() {
    let (t, gh) = setup(&routes());
    let r = run(&t, &["gh-watch", "--json"]);
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
    let r = run(&t, &["gh-watch", "--json"]);
    r.code(0);
    assert_eq!(r.json()["runs"].as_array().unwrap().len(), 0);
    let r = run(&t, &["gh-watch", "--json", "--all"]);
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
    let r = run(&t, &["gh-watch", "--json"]);
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
    let r = run(&t, &["gh-watch"]);
    r.code(3);
    assert!(r.stderr.contains("GH_MISSING_TOKEN"), "{}", r.stderr);
    let t = Test::new().config("[github]\nrepos = []\n");
    let r = run(&t, &["gh-watch"]);
    r.code(3);
    assert!(r.stderr.contains("add [github] repos"), "{}", r.stderr);
}
