//! Notifiers on loopback receivers: Slack's webhook with state-based dedup, healthchecks pings
//! paired by rid, the Prometheus textfile, and a hanging receiver cut by its timeout.

use crate::Test;
use crate::stub::Stub;

fn setup(slack: &Stub, hc: &Stub) -> Test {
    Test::new()
        .config(&format!(
            "[servers.jira]\ncommand = \"python3\"\nargs = [\"{{servers}}/flaky.py\"]\ncritical = true\n\
             env = {{ FLAKY_UP_FILE = \"{{dir}}/up\" }}\n\
             [notify]\nslack_webhook = \"${{SLACK_URL}}\"\nhealthchecks_url = \"{}/ping/abc\"\n\
             prometheus_textfile = \"{{dir}}/textfile/mcpctl.prom\"\ntimeout = \"1s\"\n",
            hc.url
        ))
        .env("SLACK_URL", &format!("{}/services/T0/B0/canary-slack-5e8f", slack.url))
}

#[test]
fn slack_is_told_once_per_problem_and_once_when_it_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let slack = Stub::start(dir.path(), "slack", 200, false);
    let hc = Stub::start(dir.path(), "hc", 200, false);
    let t = setup(&slack, &hc);

    for _ in 0..2 {
        t.again(&["health-check"])
            .code(2)
            .stderr_contains("mcpctl health-check: CRITICAL: 1 server: 0 healthy, 1 unhealthy");
    }
    let said = slack.requests();
    assert_eq!(said.len(), 1, "{said:#?}");
    let text: serde_json::Value = serde_json::from_str(said[0]["body"].as_str().unwrap()).unwrap();
    let text = text["text"].as_str().unwrap();
    assert!(text.contains("CRITICAL") && text.contains("jira"), "{text}");

    std::fs::write(t.path().join("up"), "").unwrap();
    let r = t.again(&["health-check"]);
    r.code(0);
    let said = slack.requests();
    assert_eq!(said.len(), 2);
    assert!(said[1]["body"].as_str().unwrap().contains("recovered"));
    t.again(&["health-check"]).code(0);
    assert_eq!(slack.requests().len(), 2);

    // healthchecks: a start and an end per run, paired by rid, the end carrying the exit code.
    let pings: Vec<String> = hc
        .requests()
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(pings.len(), 8, "{pings:?}");
    let (start, end) = (&pings[0], &pings[1]);
    assert!(start.starts_with("/ping/abc/start?rid="), "{start}");
    assert!(end.starts_with("/ping/abc/2?rid="), "{end}");
    assert_eq!(start.split("rid=").nth(1), end.split("rid=").nth(1));
    assert!(pings[5].starts_with("/ping/abc/0?rid="), "{pings:?}");
    assert!(hc.requests()[1]["body"].as_str().unwrap().contains("jira"));

    let prom = std::fs::read_to_string(t.path().join("textfile/mcpctl.prom")).unwrap();
    assert!(
        prom.contains(
            "mcpctl_server_up{server=\"jira\",transport=\"stdio\",critical=\"true\"} 1\n"
        ),
        "{prom}"
    );
    assert!(
        prom.contains("mcpctl_last_exit_code{command=\"health-check\"} 0\n"),
        "{prom}"
    );
    assert!(
        prom.contains("# TYPE mcpctl_probe_duration_seconds gauge"),
        "{prom}"
    );

    for f in r.state_files() {
        assert!(
            !std::fs::read_to_string(&f)
                .unwrap_or_default()
                .contains("canary-slack")
        );
    }
}

#[test]
fn a_hanging_notifier_is_cut_and_never_changes_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let slack = Stub::start(dir.path(), "slack", 200, true);
    let hc = Stub::start(dir.path(), "hc", 500, false);
    let t = setup(&slack, &hc);
    let started = std::time::Instant::now();
    let r = t.again(&["health-check", "--json"]);
    r.code(2);
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    let report = r.json();
    let notes = report["notifications"].as_array().unwrap();
    let notes: Vec<&str> = notes.iter().map(|n| n.as_str().unwrap()).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("Slack got no answer within 1s")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.contains("HTTP 500")), "{notes:?}");
    assert!(!r.stdout.contains("canary-slack") && !r.peek_stderr().contains("canary-slack"));
}

#[test]
fn a_run_stopped_by_the_lock_still_closes_its_ping() {
    let dir = tempfile::tempdir().unwrap();
    let slack = Stub::start(dir.path(), "slack", 200, false);
    let hc = Stub::start(dir.path(), "hc", 200, false);
    let t = setup(&slack, &hc);
    std::fs::create_dir_all(t.path().join("state/locks")).unwrap();
    let lock = std::fs::File::create(t.path().join("state/locks/server.jira.lock")).unwrap();
    lock.lock().unwrap();
    t.again(&["health-check"])
        .code(75)
        .stderr_contains("mcpctl: another mcpctl run holds the lock");
    let pings: Vec<String> = hc
        .requests()
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(pings.len(), 2, "{pings:?}");
    assert!(pings[1].starts_with("/ping/abc/75?rid="), "{pings:?}");
}

/// A healthy hourly run whose notifier is down says so in one plain line, once a day per
/// destination; the report has every failure.
#[test]
fn a_failing_notifier_on_healthy_runs_is_told_once_a_day() {
    let dir = tempfile::tempdir().unwrap();
    let hc = Stub::start(dir.path(), "hc", 500, false);
    let t = Test::new().config(&format!(
        "[servers.ok]\ncommand = \"python3\"\nargs = [\"{{servers}}/minimal.py\"]\n\
         [notify]\nhealthchecks_url = \"{}/ping/abc\"\nprometheus_textfile = \"{{dir}}/home\"\ntimeout = \"1s\"\n",
        hc.url
    ));
    let first = t.again(&["health-check"]);
    first.code(0);
    let lines: Vec<&str> = first.stderr().lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "one line per destination:\n{}",
        first.stderr()
    );
    assert!(
        lines.contains(&"mcpctl: notification failed: healthchecks ping /start answered HTTP 500"),
        "{}",
        first.stderr()
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("mcpctl: notification failed: prometheus textfile")),
        "{}",
        first.stderr()
    );
    let second = t.again(&["health-check"]);
    second.code(0);
    assert_eq!(second.stderr(), "", "told already today");
    let report = t.again(&["health-check", "--json"]).json();
    assert_eq!(
        report["notifications"].as_array().unwrap().len(),
        3,
        "{:#}",
        report["notifications"]
    );
}

/// An unset webhook variable is a config warning when the run starts, healthy or not.
#[test]
fn an_unset_webhook_variable_is_said_at_the_start() {
    let run = Test::new()
        .config(
            "[servers.ok]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n\
             [notify]\nslack_webhook = \"${MCPCTL_TEST_UNSET_WEBHOOK}\"\n",
        )
        .args(&["health-check"])
        .run();
    run.code(0);
    assert_eq!(
        run.stderr(),
        "mcpctl: config warning: [notify] slack_webhook needs ${MCPCTL_TEST_UNSET_WEBHOOK}, which is not set in this run's environment\n"
    );
}

#[test]
fn healthchecks_gets_one_check_per_host_and_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let hc = Stub::start(dir.path(), "hc", 200, false);
    let t = Test::new().config(&format!(
        "[servers.a]\ncommand = \"python3\"\nargs = [\"{{servers}}/minimal.py\"]\n\
         [notify]\nhealthchecks_url = \"{}/ping/KEY/{{host}}-{{command}}?create=1\"\ntimeout = \"5s\"\n",
        hc.url
    ));
    t.again(&["health-check"]).code(0);
    let pings: Vec<String> = hc
        .requests()
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(pings.len(), 2, "{pings:?}");
    assert!(pings[0].starts_with("/ping/KEY/"), "{pings:?}");
    assert!(
        pings[0].contains("-health-check/start?create=1&rid="),
        "{pings:?}"
    );
    assert!(
        pings[1].contains("-health-check/0?create=1&rid="),
        "{pings:?}"
    );
    assert!(!pings[0].contains('{'), "{pings:?}");
}
