//! Tool baselines and drift, against a real Python `mcp` SDK server whose tools change with
//! `SDK_TOOLS` (tests/servers/sdk_tools.py), and server-everything from npm.

use crate::harness::prerequisite;
use crate::{Run, Test};

fn python() -> String {
    prerequisite("MCPCTL_TEST_PYTHON")
}

fn sdk_config(extra: &str) -> String {
    format!(
        "[servers.sdk]\ncommand = \"{}\"\nargs = [\"{{servers}}/sdk_tools.py\"]\n{extra}\n",
        python()
    )
}

/// Runs `health-check --json` (plus `args`) in the test's state with `SDK_TOOLS=variant`.
fn run(t: &Test, variant: &str, args: &[&str]) -> Run {
    let mut cmd = t.command();
    cmd.arg("--state-dir")
        .arg(t.path().join("state"))
        .args(["health-check", "--json"])
        .args(args)
        .env("SDK_TOOLS", variant);
    Run::from_output(&cmd.output().expect("run mcpctl"), t.path())
}

fn report(t: &Test, args: &[&str]) -> Run {
    let mut cmd = t.command();
    cmd.arg("--state-dir")
        .arg(t.path().join("state"))
        .arg("report")
        .args(args);
    Run::from_output(&cmd.output().expect("run mcpctl"), t.path())
}

#[test]
fn drift_baseline_schema_change_accept_and_rename() {
    let t = Test::new().config(&sdk_config(""));
    // The first run takes the baseline.
    let first = run(&t, "base", &[]);
    first.code(0);
    let r = first.json();
    let s = Run::server(&r, "sdk");
    assert_eq!(s["status"], "healthy", "{s:#}");
    assert_eq!(s["baseline"]["state"], "created");
    assert!(s.get("drift").is_none());
    assert!(t.path().join("state/drift/sdk.json").is_file());
    // The same tools again: nothing drifts.
    let same = run(&t, "base", &[]);
    same.code(0);
    assert_eq!(
        Run::server(&same.json(), "sdk")["baseline"]["state"],
        "same"
    );

    // A changed schema: degraded (warning), with a compact diff, and it stays until accepted.
    let changed = run(&t, "schema", &[]);
    changed.code(1);
    let r = changed.json();
    let s = Run::server(&r, "sdk");
    assert_eq!(s["status"], "degraded", "{s:#}");
    assert_eq!(s["baseline"]["state"], "drifted");
    let d = &s["drift"];
    assert_eq!(d["severity"], "warn");
    assert_eq!(d["added"], serde_json::json!([]));
    assert_eq!(d["changed"][0]["tool"], "get_time");
    assert_eq!(d["changed"][0]["what"], "schema");
    assert_eq!(
        d["changed"][0]["diff"],
        "inputSchema/properties/timezone/type: \"string\" → \"integer\""
    );
    assert!(
        s["warnings"][0]
            .as_str()
            .unwrap()
            .contains("--accept-drift sdk"),
        "{s:#}"
    );
    run(&t, "schema", &[]).code(1);

    // Accepting it probes now and makes that the baseline; the old one is kept in history.
    let accepted = run(&t, "schema", &["--accept-drift", "sdk"]);
    accepted.code(0);
    let r = accepted.json();
    let s = Run::server(&r, "sdk");
    assert_eq!(s["status"], "healthy", "{s:#}");
    assert_eq!(s["baseline"]["state"], "accepted");
    assert_eq!(s["drift"]["changed"][0]["tool"], "get_time");
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.path().join("state/drift/sdk.json")).unwrap())
            .unwrap();
    assert_eq!(stored["history"].as_array().unwrap().len(), 1);
    run(&t, "schema", &[]).code(0);

    // A renamed function with the same arguments is a rename, not a removal and an addition
    // (the SDK's derived schema title changes with it, and does not count).
    run(&t, "base", &["--accept-drift", "sdk"]).code(0);
    let renamed = run(&t, "renamed", &[]);
    renamed.code(1);
    let r = renamed.json();
    let d = &Run::server(&r, "sdk")["drift"];
    assert_eq!(
        d["renamed"],
        serde_json::json!([{"from": "get_time", "to": "current_time"}]),
        "{d:#}"
    );
    assert_eq!(d["added"], serde_json::json!([]));
    assert_eq!(d["removed"], serde_json::json!([]));

    report_lists_the_drift_events(&t);
}

/// `report` lists the drift events of the run above, in every format.
fn report_lists_the_drift_events(t: &Test) {
    let r = report(t, &["--json"]).json();
    let events = r["drift_events"].as_array().expect("drift_events");
    let kinds: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["server"].as_str().unwrap(), e["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("sdk", "drifted"),
            ("sdk", "accepted"),
            ("sdk", "accepted"),
            ("sdk", "drifted")
        ],
        "{r:#}"
    );
    assert_eq!(events[0]["runs"], 2, "the same drift twice is one event");
    assert_eq!(events[3]["line"], "renamed get_time → current_time");
    let table = report(t, &["--format", "table"]);
    assert!(
        table
            .stdout
            .contains("drift sdk: renamed get_time → current_time"),
        "{}",
        table.stdout
    );
    for (format, want) in [
        ("markdown", "### Tool drift"),
        ("html", "<h2>Tool drift</h2>"),
    ] {
        let doc = report(t, &["--format", format]);
        assert!(doc.stdout.contains(want), "{}", doc.stdout);
        assert!(
            doc.stdout.contains("renamed get_time → current_time"),
            "{}",
            doc.stdout
        );
    }
}

#[test]
fn a_changed_description_of_a_pinned_server_is_critical_even_when_not_marked_critical() {
    let t = Test::new().config(&sdk_config("pin_tools = true"));
    run(&t, "base", &[]).code(0);
    let rug = run(&t, "description", &[]);
    rug.code(2);
    let r = rug.json();
    assert_eq!(r["status"], "critical");
    let s = Run::server(&r, "sdk");
    assert_eq!(s["critical"], false);
    assert_eq!(s["status"], "unhealthy");
    assert_eq!(s["error"]["kind"], "drift");
    assert!(
        s["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("--accept-drift sdk")
    );
    assert_eq!(s["drift"]["severity"], "critical");
    assert_eq!(s["drift"]["changed"][0]["what"], "description");
    // The new description is never stored or shown, only its hash.
    for f in rug.state_files() {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        assert!(!text.contains("id_rsa"), "{}", f.display());
    }
    assert!(!rug.stdout.contains("id_rsa"));
    // Without pin_tools a description change is a warning; under on_drift = critical any
    // drift is critical; on_drift = ignore compares nothing.
    let t = Test::new().config(&sdk_config(""));
    run(&t, "base", &[]).code(0);
    run(&t, "description", &[]).code(1);
    let t = Test::new().config(&sdk_config("on_drift = \"critical\""));
    run(&t, "base", &[]).code(0);
    run(&t, "extra", &[]).code(2);
    let t = Test::new().config(&format!(
        "[defaults]\non_drift = \"ignore\"\n{}",
        sdk_config("")
    ));
    run(&t, "base", &[]).code(0);
    let ignored = run(&t, "schema", &[]);
    ignored.code(0);
    let report = ignored.json();
    assert!(Run::server(&report, "sdk").get("baseline").is_none());
}

#[test]
fn drift_ignore_leaves_out_tools_and_prompts() {
    let t = Test::new().config(&sdk_config("drift_ignore = [\"echo\", \"@prompts\"]"));
    run(&t, "base", &[]).code(0);
    let mut cmd = t.command();
    cmd.arg("--state-dir")
        .arg(t.path().join("state"))
        .args(["health-check", "--json"])
        .env("SDK_TOOLS", "extra")
        .env("SDK_TOOLS_PROMPT", "welcome");
    let r = Run::from_output(&cmd.output().unwrap(), t.path());
    r.code(0);
    let report = r.json();
    assert_eq!(Run::server(&report, "sdk")["baseline"]["state"], "same");
    // Without the ignore, the prompt's new name is drift.
    let t = Test::new().config(&sdk_config(""));
    run(&t, "base", &[]).code(0);
    let mut cmd = t.command();
    cmd.arg("--state-dir")
        .arg(t.path().join("state"))
        .args(["health-check", "--json"])
        .env("SDK_TOOLS_PROMPT", "welcome");
    let r = Run::from_output(&cmd.output().unwrap(), t.path());
    r.code(1);
    let report = r.json();
    let d = &Run::server(&report, "sdk")["drift"];
    assert_eq!(
        d["prompts"],
        serde_json::json!({"added": ["welcome"], "removed": ["greet"]})
    );
}

#[test]
fn drift_ignore_config_entries_are_checked() {
    let run = Test::new()
        .config(&sdk_config("drift_ignore = [\"t#colour\"]"))
        .args(&["health-check"])
        .run();
    run.code(3);
    assert!(run.stderr().contains("mcpctl.toml:1:"), "{}", run.stderr());
    assert!(run.stderr().contains("drift_ignore"), "{}", run.stderr());
}

#[test]
fn server_everything_stays_healthy_across_runs() {
    let config = format!(
        "[servers.everything]\ncommand = \"{}\"\nargs = [\"{}\", \"stdio\"]\n\
         # server-everything's resources change by design; its tools do not\n\
         drift_ignore = [\"@resources\"]\n",
        prerequisite("MCPCTL_TEST_NODE"),
        prerequisite("MCPCTL_TEST_EVERYTHING_JS"),
    );
    let t = Test::new().config(&config);
    for state in ["created", "same", "same"] {
        let r = t.again(&["health-check", "--json"]);
        r.code(0);
        let report = r.json();
        let s = Run::server(&report, "everything");
        assert_eq!(s["status"], "healthy", "{s:#}");
        assert_eq!(s["baseline"]["state"], state, "{s:#}");
    }
}
