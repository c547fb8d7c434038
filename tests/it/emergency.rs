//! emergency end to end: a dead critical server, a direct-API fallback on loopback, the env file
//! the pipeline sources, and the way back to normal mode.

use crate::Test;
use crate::stub::Stub;

fn setup(api: &Stub) -> Test {
    Test::new()
        .config(&format!(
            "[servers.jira]\ncommand = \"python3\"\nargs = [\"{{servers}}/flaky.py\"]\ncritical = true\n\
             env = {{ FLAKY_UP_FILE = \"{{dir}}/up\" }}\n\
             [servers.jira.fallback]\ncheck_url = \"{}/rest/api/2/myself\"\nheaders = {{ Authorization = \"Bearer ${{JIRA_API_TOKEN}}\" }}\ntimeout = \"2s\"\n\
             [servers.memory]\ncommand = \"python3\"\nargs = [\"{{servers}}/minimal.py\"]\ncritical = true\n\
             [emergency]\nenv_file = \"{{dir}}/emergency.env\"\n",
            api.url
        ))
        .env("JIRA_API_TOKEN", "canary-jira-4c1d9e")
}

#[test]
fn a_dead_server_with_a_working_api_goes_direct_and_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let api = Stub::start(dir.path(), "jira", 200, false);
    let t = setup(&api);
    let r = t.again(&["emergency", "--json"]);
    r.code(1);
    let env = std::fs::read_to_string(t.path().join("emergency.env")).unwrap();
    assert!(env.contains("MCPCTL_EMERGENCY=1\n"), "{env}");
    assert!(env.contains("MCPCTL_MODE_JIRA=direct-api\n"), "{env}");
    assert!(env.contains("MCPCTL_MODE_MEMORY=mcp\n"), "{env}");
    let seen = api.requests();
    assert_eq!(seen[0]["path"], "/rest/api/2/myself");
    assert_eq!(
        seen[0]["headers"]["authorization"],
        "Bearer canary-jira-4c1d9e"
    );
    assert!(!r.stdout.contains("canary-jira"));

    let r = t.again(&["emergency", "--status", "--json"]);
    r.code(1);
    assert_eq!(r.json()["active"], true);

    // The server comes back: the next health-check ends emergency mode and says so.
    std::fs::write(t.path().join("up"), "").unwrap();
    let r = t.again(&["health-check", "--json"]);
    r.code(0);
    assert!(
        r.json()["summary"]
            .as_str()
            .unwrap()
            .contains("emergency mode cleared"),
        "{}",
        r.stdout
    );
    let env = std::fs::read_to_string(t.path().join("emergency.env")).unwrap();
    assert!(
        env.contains("MCPCTL_EMERGENCY=0\n") && env.contains("MCPCTL_MODE_JIRA=mcp\n"),
        "{env}"
    );
    for f in r.state_files() {
        assert!(
            !std::fs::read_to_string(&f)
                .unwrap_or_default()
                .contains("canary-jira")
        );
    }
}

#[test]
fn a_dead_server_whose_api_fails_too_is_down_and_clear_resets() {
    let dir = tempfile::tempdir().unwrap();
    let api = Stub::start(dir.path(), "jira", 401, false);
    let t = setup(&api);
    let r = t.again(&["emergency", "--json"]);
    r.code(2);
    let report = r.json();
    let jira = report["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "jira")
        .unwrap()
        .clone();
    assert_eq!(jira["mode"], "down");
    assert!(
        jira["reason"].as_str().unwrap().contains("HTTP 401"),
        "{jira:#}"
    );
    let env = std::fs::read_to_string(t.path().join("emergency.env")).unwrap();
    assert!(env.contains("MCPCTL_MODE_JIRA=down\n"), "{env}");

    t.again(&["emergency", "--clear"]).code(0);
    let env = std::fs::read_to_string(t.path().join("emergency.env")).unwrap();
    assert!(
        env.contains("MCPCTL_EMERGENCY=0\n") && env.contains("MCPCTL_MODE_JIRA=mcp\n"),
        "{env}"
    );
}

#[test]
fn a_hanging_api_is_cut_by_its_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let api = Stub::start(dir.path(), "jira", 200, true);
    let t = setup(&api);
    let started = std::time::Instant::now();
    let r = t.again(&["emergency", "--json"]);
    r.code(2);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let report = r.json();
    assert!(
        report["summary"]
            .as_str()
            .unwrap()
            .contains("down with no fallback: jira")
    );
}

/// `--status` probes nothing: after `--clear` it says who cleared it and what is not known.
#[test]
fn status_after_clear_says_what_is_known() {
    let dir = tempfile::tempdir().unwrap();
    let api = Stub::start(dir.path(), "jira", 401, false);
    let t = setup(&api);
    t.again(&["emergency"])
        .code(2)
        .stderr_contains("mcpctl emergency: CRITICAL: emergency mode since");
    t.again(&["emergency", "--clear"]).code(0);
    let r = t.again(&["emergency", "--status", "--json"]);
    r.code(0);
    let report = r.json();
    let summary = report["summary"].as_str().unwrap();
    assert!(
        summary.contains("cleared by hand")
            && summary.contains("unknown until the next health-check"),
        "{summary}"
    );
    assert!(!summary.contains("answers over MCP"), "{summary}");
    assert_eq!(report["cleared_by"], "hand");
    // People read times to the second.
    assert!(
        regex_like_seconds(summary),
        "a time to the second in {summary}"
    );
}

fn regex_like_seconds(text: &str) -> bool {
    text.split_whitespace().any(|w| {
        let w = w.trim_end_matches([':', ';', ')', ',']);
        w.len() == 20 && w.ends_with('Z') && w.as_bytes()[10] == b'T'
    })
}

/// A period cleared by a health-check ends then, not when the next emergency report is written.
#[test]
fn report_ends_a_period_at_the_run_that_cleared_it() {
    let dir = tempfile::tempdir().unwrap();
    let api = Stub::start(dir.path(), "jira", 200, false);
    let t = setup(&api);
    t.again(&["emergency"])
        .code(1)
        .stderr_contains("mcpctl emergency: WARNING: emergency mode since");
    std::fs::write(t.path().join("up"), "").unwrap();
    let cleared = t.again(&["health-check", "--json"]);
    cleared.code(0);
    let cleared_by = cleared.json()["finished_at"].as_str().unwrap().to_owned();
    std::thread::sleep(std::time::Duration::from_secs(3));
    t.again(&["emergency", "--status"]).code(0);
    let r = t.again(&["report", "--json"]);
    let report = r.json();
    let period = &report["emergency"]["periods"][0];
    let end: chrono::DateTime<chrono::Utc> = period["end"].as_str().unwrap().parse().unwrap();
    let cleared_by: chrono::DateTime<chrono::Utc> = cleared_by.parse().unwrap();
    assert!(end <= cleared_by, "{period:#} ends after {cleared_by}");
    assert!(
        report["emergency"]["seconds"].as_i64().unwrap() < 3,
        "{:#}",
        report["emergency"]
    );
}
