//! `report` over a stored history written into a temp state dir in the shapes the real commands
//! write (plus older, truncated, newer and foreign files), run through the real binary.

use serde_json::{Value, json};

use crate::stub::Stub;
use crate::{Run, Test};

const DAY: &str = "2026-11-01";
const WINDOW: [&str; 4] = [
    "--from",
    "2026-11-01T00:00:00Z",
    "--to",
    "2026-11-02T00:00:00Z",
];

fn name(time: &str) -> String {
    let t = chrono::DateTime::parse_from_rfc3339(time).expect("test time");
    format!("{}.json", t.format("%Y%m%dT%H%M%S%.3fZ"))
}

/// The envelope every command writes, with `body` flattened in.
fn envelope(command: &str, time: &str, body: &Value) -> Value {
    let mut v = json!({
        "schema_version": 1, "command": command, "mcpctl_version": "0.1.0", "host": "test",
        "started_at": time, "finished_at": time, "duration_ms": 1200, "status": "ok",
        "exit_code": 0, "summary": "",
    });
    v.as_object_mut()
        .unwrap()
        .extend(body.as_object().unwrap().clone());
    v
}

fn server(name: &str, status: &str, kind: Option<&str>, initialize: Option<f64>) -> Value {
    let mut latency = json!({"total": initialize.unwrap_or(40.0) + 3.0});
    if let Some(ms) = initialize {
        latency["initialize"] = json!(ms);
        latency["tools_list"] = json!(1.5);
    }
    json!({
        "name": name, "status": status, "critical": false, "transport": "stdio",
        "sources": [{"client": "mcpctl", "path": "/etc/mcpctl.toml", "name": name}],
        "protocol_version": "2025-11-25", "era": "handshake", "server_info": null, "tools": 3,
        "latency_ms": latency, "stray_stdout_lines": 0, "warnings": [],
        "error": kind.map(|k| json!({"kind": k, "message": format!("{k} failure"), "hint": "look"})),
    })
}

fn health(time: &str, servers: &[Value]) -> (String, String) {
    let body = json!({"config": null, "client_capabilities": {}, "deadline_ms": 120_000,
        "servers": servers, "discovery_problems": []});
    (
        format!("state/reports/health-check/{}", name(time)),
        envelope("health-check", time, &body).to_string(),
    )
}

fn stored(t: Test, files: Vec<(String, String)>) -> Test {
    files
        .into_iter()
        .fold(t, |t, (path, text)| t.file(&path, &text))
}

/// 24 hourly health-checks of jira and time on 2026-11-01, with two jira incidents (auth from
/// 06:00 to 09:00, a timeout at 15:00), no probes from 19:00 to 21:00, a report in the older
/// schema at 02:00, and one named 14:30 that says 13:30 (written out of order).
fn day_of_probes() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for h in 0..24 {
        if (19..=21).contains(&h) {
            continue;
        }
        let time = format!("{DAY}T{h:02}:00:00Z");
        let jira = match h {
            6..=8 => server("jira", "unhealthy", Some("auth"), None),
            15 => server("jira", "unhealthy", Some("timeout"), None),
            _ => server("jira", "healthy", None, Some(50.0)),
        };
        let time_server = server("time", "healthy", None, Some(10.0 + f64::from(h)));
        if h == 2 {
            // schema 0: no critical flag, no latencies.
            let old = json!({"schema_version": 0, "command": "health-check", "started_at": time,
                "status": "ok", "servers": [{"name": "jira", "status": "healthy"},
                {"name": "time", "status": "healthy"}]});
            files.push((
                format!("state/reports/health-check/{}", name(&time)),
                old.to_string(),
            ));
        } else {
            files.push(health(&time, &[jira, time_server]));
        }
    }
    let (_, late) = health(
        &format!("{DAY}T13:30:00Z"),
        &[server("time", "healthy", None, Some(100.0))],
    );
    files.push((
        "state/reports/health-check/20261101T143000.000Z.json".into(),
        late,
    ));
    // Before the window: sets the state at midnight, not counted.
    files.push(health(
        "2026-10-31T23:00:00Z",
        &[server("jira", "healthy", None, Some(50.0))],
    ));
    let dir = "state/reports/health-check";
    let (_, newer) = health(&format!("{DAY}T04:30:00Z"), &[]);
    files.push((
        format!("{dir}/20261101T043000.000Z.json"),
        newer.replace("\"schema_version\":1", "\"schema_version\":99"),
    ));
    let (_, whole) = health(
        &format!("{DAY}T05:30:00Z"),
        &[server("time", "unhealthy", Some("exited"), None)],
    );
    files.push((
        format!("{dir}/20261101T053000.000Z.json"),
        whole[..whole.len() / 2].to_owned(),
    ));
    files.push((
        format!("{dir}/20261101T054500.000Z.json"),
        r#"{"hello": "world"}"#.into(),
    ));
    files.push((format!("{dir}/notes.txt"), "not a report".into()));
    files.push((format!("{dir}/latest.json"), "{}".into()));
    files
}

fn audit() -> (String, String) {
    let line = |time: &str, step: Option<&str>, event: Option<&str>, outcome: &str| {
        let mut v = json!({"time": format!("{DAY}T{time}Z"), "server": "jira", "step": step,
            "outcome": outcome, "detail": "", "duration_ms": 10});
        if let Some(e) = event {
            v["event"] = json!(e);
        }
        v.to_string()
    };
    let lines = [
        line("06:30:00", Some("restart-container"), None, "tried"),
        line("07:00:00", Some("restart-container"), None, "tried"),
        line("07:30:00", None, Some("breaker_open"), "skipped"),
        line("08:30:00", Some("command"), None, "succeeded"),
        line("15:30:00", Some("command"), None, "succeeded"),
        line("16:10:00", Some("wait"), None, "skipped"),
        json!({"time": "2026-10-20T00:00:00Z", "server": "jira", "step": "command",
            "outcome": "failed", "detail": "", "duration_ms": 1})
        .to_string(),
        r#"{"time": "2026-11-01T17:"#.to_owned(),
    ];
    ("state/recover/audit.jsonl".into(), lines.join("\n") + "\n")
}

fn backups(dir: &str) -> Vec<(String, String)> {
    let jira = "mcpctl-jira_env-20261025T030000Z-test-0001.tar.age";
    let target = |name: &str, result: &str, backup: Option<&str>, locs: &[(&str, bool)]| {
        json!({"name": name, "result": result, "backup": backup, "files": 1, "bytes": 10,
            "error": null, "locations": locs.iter().map(|(p, ok)| json!({"path": format!("{dir}/{p}"),
            "ok": ok, "error": null, "pruned": []})).collect::<Vec<_>>()})
    };
    let at = |t: &str, body: Value| {
        (
            format!("state/reports/backup/{}", name(t)),
            envelope("backup", t, &body).to_string(),
        )
    };
    vec![
        at(
            "2026-10-25T03:00:00Z",
            json!({"targets": [target("jira_env", "written", Some(jira), &[("a", true), ("b", true)])]}),
        ),
        at(
            "2026-10-31T03:00:00Z",
            json!({"targets": [target("github_env", "written", Some("mcpctl-github_env-20261031T030000Z-test-0002.tar.age"), &[("a", true)])]}),
        ),
        at(
            "2026-11-01T03:00:00Z",
            json!({"targets": [target("jira_env", "unchanged", Some(jira), &[]), target("github_env", "failed", None, &[("a", false)])]}),
        ),
        at(
            "2026-11-01T04:00:00Z",
            json!({"copies": [
            {"target": "jira_env", "file": format!("{dir}/a/{jira}"), "ok": true, "error": null},
            {"target": "jira_env", "file": format!("{dir}/b/{jira}"), "ok": false, "error": "the sidecar's hash does not match"}],
            "unprotected": []}),
        ),
    ]
}

fn ci() -> Vec<(String, String)> {
    let issue = |category: &str, fp: &str, key: Option<&str>, recurrence: Option<&str>| {
        let mut v = json!({"category": category, "key": key, "captures": {}, "line_number": 3,
            "line": "x", "context": [], "severity": "error", "pattern_id": "p", "confidence": 0.9,
            "auto_fixable": false, "fix": null, "description": "d", "hint": null,
            "occurrences": 1, "fingerprint": fp, "priority": 1});
        if let Some(r) = recurrence {
            v["recurrence"] = json!(r);
        }
        v
    };
    let run = |repo: &str, id: u64, issues: Vec<Value>| {
        json!({"repo": repo, "run_id": id, "workflow": "ci", "branch": "main", "sha": "abc",
            "conclusion": "failure", "url": null, "source": "api", "lines": 100, "jobs": [],
            "errors": [], "issues": issues})
    };
    let watch = |t: &str, runs: Vec<Value>| {
        (
            format!("state/reports/gh-watch/{}", name(t)),
            envelope("gh-watch", t, &json!({"runs": runs, "patterns": 40})).to_string(),
        )
    };
    let fix = |outcome: Option<&str>, passed: Option<bool>| {
        let mut v = json!({"fingerprint": "fp1", "repo": "acme/api", "category": "dependency",
            "recipe": "pin-dependency", "verify_passed": passed, "reason": null, "pr_url": null});
        if let Some(o) = outcome {
            v["outcome"] = json!(o);
        }
        v
    };
    let t = format!("{DAY}T12:00:00Z");
    vec![
        watch(
            &format!("{DAY}T10:00:00Z"),
            vec![
                run(
                    "acme/api",
                    1,
                    vec![
                        issue("dependency", "fp1", Some("left-pad"), Some("persistent")),
                        issue("test_failure", "fp2", None, Some("rerun_candidate")),
                    ],
                ),
                run("acme/web", 2, vec![issue("dependency", "fp3", None, None)]),
            ],
        ),
        // `--all` lists run 1 again.
        watch(
            &format!("{DAY}T11:00:00Z"),
            vec![
                run(
                    "acme/api",
                    1,
                    vec![issue(
                        "dependency",
                        "fp1",
                        Some("left-pad"),
                        Some("persistent"),
                    )],
                ),
                run(
                    "acme/api",
                    3,
                    vec![issue(
                        "dependency",
                        "fp1",
                        Some("left-pad"),
                        Some("persistent"),
                    )],
                ),
            ],
        ),
        (
            format!("state/reports/fix/{}", name(&t)),
            envelope(
                "fix",
                &t,
                &json!({"fixes": [
            fix(Some("applied"), Some(true)), fix(Some("applied"), Some(false)),
            fix(Some("rolled_back"), Some(false)), fix(Some("refused"), None),
            fix(Some("planned"), None), json!({})]}),
            )
            .to_string(),
        ),
    ]
}

fn emergency(active_now: bool) -> Vec<(String, String)> {
    let at = |t: &str, active: bool, since: Option<&str>, mode: &str| {
        let body = json!({"action": "check", "env_file": "/x/emergency.env", "active": active,
            "since": since, "servers": [{"name": "jira", "mode": mode, "reason": null}]});
        (
            format!("state/reports/emergency/{}", name(t)),
            envelope("emergency", t, &body).to_string(),
        )
    };
    let since = format!("{DAY}T06:30:00Z");
    let mut files = vec![
        at(&since, true, Some(&since), "direct-api"),
        at(&format!("{DAY}T07:30:00Z"), true, Some(&since), "down"),
    ];
    if active_now {
        files.push((
            "state/emergency.json".into(),
            json!({"active": true, "since": since,
            "updated": format!("{DAY}T07:30:00Z"), "modes": {"jira": "down"}})
            .to_string(),
        ));
    } else {
        files.push(at(&format!("{DAY}T09:05:00Z"), false, None, "mcp"));
        files.push((
            "state/emergency.json".into(),
            json!({"active": false, "since": null,
            "updated": format!("{DAY}T09:05:00Z"), "modes": {"jira": "mcp"}})
            .to_string(),
        ));
    }
    files
}

const CONFIG: &str = "[servers.jira]\ncommand = \"true\"\nenv = { JIRA_API_TOKEN = \"${JIRA_API_TOKEN}\" }\n\
    [servers.time]\ncommand = \"true\"\n\
    [backup]\nrecipients = [\"age1rdwdcnkztqmxf643wkz8uy4a4cefg57wfx3pl5fwh3qy5v0nua5q6rqtep\"]\n\
    locations = [\"{dir}/a\", \"{dir}/b\"]\n\
    [backup.targets.jira_env]\npaths = [\"{dir}/jira.env\"]\n\
    [backup.targets.github_env]\npaths = [\"{dir}/github.env\"]\n\
    [report]\nbackup_max_age = \"1d\"\n";

fn full_history(args: &[&str]) -> Run {
    let mut files = day_of_probes();
    files.push(audit());
    files.extend(ci());
    files.extend(emergency(false));
    let t = stored(Test::new().config(CONFIG), files);
    let dir = t.path().display().to_string();
    let t = stored(t, backups(&dir));
    t.args(&["--state-dir", "{dir}/state", "report"])
        .args(&WINDOW)
        .args(args)
        .run()
}

fn find<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|v| v[key] == value)
        .unwrap_or_else(|| panic!("no {key}={value} in {list:#}"))
}

#[test]
fn figures_from_a_day_of_history() {
    let run = full_history(&["--json"]);
    run.code(1);
    let report = run.json();
    assert_eq!(report["command"], "report");
    assert_eq!(report["status"], "warning");
    assert_eq!(report["window"]["max_gap_s"], 7200);

    check_jira(&report);
    check_time(&report);
    check_sources(&report);
    check_backups(&report, &run.dir.display().to_string());
    check_ci(&report);
    check_emergency(&report);
    check_recommendations(&report, &run.dir.display().to_string());
    // The report is stored like every other.
    assert!(run.dir.join("state/reports/report/latest.json").exists());
}

fn check_jira(report: &Value) {
    let jira = Run::server(report, "jira");
    assert_eq!(jira["probes"], 21);
    assert_eq!(jira["failures"], 4);
    assert_eq!(jira["incidents"], 2);
    assert_eq!(jira["recovered"], 2);
    assert_eq!(jira["mttr_s"], 7200.0, "(3 h + 1 h) / 2");
    assert_eq!(jira["up_s"], 18.0 * 3600.0);
    assert_eq!(jira["down_s"], 4.0 * 3600.0);
    assert_eq!(
        jira["unknown_s"],
        2.0 * 3600.0,
        "19:00-21:00 had no probe: 20:00-22:00 unknown"
    );
    assert_eq!(jira["uptime_pct"], 81.82);
    assert_eq!(jira["unknown_pct"], 8.33);
    assert_eq!(jira["down_since"], Value::Null);
    assert_eq!(
        jira["error_kinds"],
        json!([{"kind": "auth", "count": 3}, {"kind": "timeout", "count": 1}])
    );
    assert_eq!(
        jira["latency_ms"],
        json!({"p50": 50.0, "p95": 50.0, "samples": 16})
    );
    assert_eq!(
        jira["recoveries"],
        json!([{"step": "command", "tried": 2, "succeeded": 2},
               {"step": "restart-container", "tried": 2, "succeeded": 0}])
    );
    assert_eq!(jira["breaker_openings"], 1);
    let timeline = format!(
        "{}{}{}{}{}{}{}",
        "U".repeat(24),
        "D".repeat(12),
        "U".repeat(24),
        "D".repeat(4),
        "U".repeat(16),
        ".".repeat(8),
        "U".repeat(8)
    );
    assert_eq!(jira["timeline"], timeline);
}

fn check_time(report: &Value) {
    let time = Run::server(report, "time");
    assert_eq!(
        time["probes"], 22,
        "the older-schema and the out-of-order report count"
    );
    assert_eq!(time["uptime_pct"], 100.0);
    assert_eq!(time["unknown_s"], 7200.0);
    assert_eq!(
        time["latency_ms"],
        json!({"p50": 21.0, "p95": 33.0, "samples": 21})
    );
    assert_eq!(time["mttr_s"], Value::Null);
    let bins = time["latency_bins_ms"].as_array().unwrap();
    assert_eq!(bins.len(), 96);
    assert_eq!(bins[0], 10.0);
    assert_eq!(bins[1], Value::Null);
}

fn check_sources(report: &Value) {
    let s = &report["sources"];
    // 21 hourly health-checks + the late one, 4 backup, 2 gh-watch, 1 fix, 3 emergency.
    assert_eq!(s["read"], 22 + 4 + 2 + 1 + 3, "{s:#}");
    assert_eq!(s["older_schema"], 1);
    assert_eq!(
        s["skipped"],
        json!({"truncated": 1, "invalid": 1, "foreign": 1, "newer_schema": 1, "unreadable": 0})
    );
    assert_eq!(s["clock_jumps"], 0);
    assert_eq!(s["audit_lines"], 7);
    assert_eq!(s["audit_skipped"], 1);
}

fn check_backups(report: &Value, dir: &str) {
    let b = &report["backups"];
    let jira_a = find(&b["locations"], "target", "jira_env");
    assert_eq!(jira_a["location"], format!("{dir}/a"));
    assert_eq!(jira_a["verified_at"], "2026-11-01T04:00:00Z");
    assert_eq!(jira_a["age_s"], 20 * 3600);
    assert_eq!(jira_a["stale"], false);
    assert_eq!(
        b["locations"].as_array().unwrap().len(),
        2,
        "jira_env at b failed its check: {b:#}"
    );
    let github = find(&b["locations"], "target", "github_env");
    assert_eq!(github["age_s"], 45 * 3600);
    assert_eq!(github["stale"], true);
    assert_eq!(b["unprotected"], json!([]));
    assert_eq!(b["runs"], 1);
    assert_eq!(b["failed_targets"], 1);
    assert_eq!(
        b["check_failures"][0]["file"],
        format!("{dir}/b/mcpctl-jira_env-20261025T030000Z-test-0001.tar.age")
    );
}

fn check_ci(report: &Value) {
    let c = &report["ci"];
    assert_eq!(c["runs"], 3);
    assert_eq!(c["issues"], 4, "run 1 listed twice counts once");
    assert_eq!(
        c["by_category"],
        json!([{"category": "dependency", "repo": "acme/api", "count": 2},
               {"category": "dependency", "repo": "acme/web", "count": 1},
               {"category": "test_failure", "repo": "acme/api", "count": 1}])
    );
    assert_eq!(c["top_fingerprints"][0]["fingerprint"], "fp1");
    assert_eq!(c["top_fingerprints"][0]["count"], 2);
    assert_eq!(c["top_fingerprints"][0]["recurrence"], "persistent");
    assert_eq!(
        [&c["persistent"], &c["flaky"], &c["new"], &c["unclassified"]],
        [2, 1, 0, 1]
    );
    let f = &c["fixes"];
    assert_eq!(
        [
            &f["applied"],
            &f["rolled_back"],
            &f["refused"],
            &f["planned"],
            &f["skipped"]
        ],
        [2, 1, 1, 1, 1]
    );
    assert_eq!([&f["verified"], &f["verify_passed"]], [3, 1]);
    assert_eq!(f["verify_success_pct"], 33.3);
}

fn check_emergency(report: &Value) {
    let e = &report["emergency"];
    assert_eq!(e["active"], false);
    assert_eq!(
        e["periods"],
        json!([{"start": "2026-11-01T06:30:00Z", "end": "2026-11-01T09:05:00Z", "servers": ["jira"]}])
    );
    assert_eq!(e["seconds"], 9300);
}

fn check_recommendations(report: &Value, dir: &str) {
    let recs: Vec<&str> = report["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let expected = [
        "jira failed 4 probes in the last 24h, mostly auth errors (3 of 4): rotate JIRA_API_TOKEN",
        "jira's circuit breaker opened 1 time: its recovery ladder does not fix the cause",
        &format!(
            "no verified backup of github_env at {dir}/a for 45 h: run `mcpctl backup --check`, or see why backups fail"
        ),
        "restart-container never brought jira back (2 tries): fix or drop that step",
        "dependency in acme/api failed 2 times (left-pad): fix it once rather than rerun",
        "only 33.3% of applied fixes passed verification: review the recipes",
        "fallback mode was on 1 time in the last 24h (2 h 35 min in all)",
        "1 CI failure looked flaky (rerun candidates): quarantine or stabilise those tests",
    ];
    for want in expected {
        assert!(recs.contains(&want), "missing {want:?} in {recs:#?}");
    }
    assert_eq!(recs[0], expected[0]);
    assert!(
        report["summary"]
            .as_str()
            .unwrap()
            .starts_with("the last 24h: 2 servers, lowest uptime 81.82% (jira), 2 incidents"),
        "{}",
        report["summary"]
    );
}

#[test]
fn one_server_and_markdown() {
    let run = full_history(&["--server", "time", "--format", "markdown"]);
    run.code(1);
    let md = &run.stdout;
    assert!(
        md.starts_with("## mcpctl report for the last 24h on "),
        "{md}"
    );
    assert!(
        md.contains("### Recommendations\n\n- no verified backup of github_env"),
        "{md}"
    );
    assert!(md.contains("| Server | Uptime | Unknown |"), "{md}");
    assert!(
        md.contains("\n| time | 100% | 8.33% | 0 | 0 | – | – | 0 | – | 21 ms | 33 ms |\n"),
        "{md}"
    );
    assert!(!md.contains("\n| jira |"), "{md}");
    assert!(
        md.contains("### Backups") && md.contains("| github_env |"),
        "{md}"
    );
    assert!(md.contains("| dependency | acme/api | 2 |"), "{md}");
    assert!(md.contains("### Fallback mode\n\n| Start | End | Servers |\n|---|---|---|\n| 2026-11-01 06:30 | 2026-11-01 09:05 | jira |"), "{md}");
    // The warning's line goes to stderr, the document alone to stdout.
    assert!(
        run.stderr().contains("mcpctl report: WARNING"),
        "{}",
        run.stderr()
    );
}

#[test]
fn exit_codes_follow_the_figures() {
    let empty = Test::new()
        .args(&["--state-dir", "{dir}/state", "report", "--json"])
        .run();
    empty.code(3);
    assert!(
        empty.json()["summary"]
            .as_str()
            .unwrap()
            .starts_with("no stored reports in the last 7d")
    );

    let mut files = vec![
        health(
            &format!("{DAY}T00:00:00Z"),
            &[server("time", "healthy", None, Some(5.0))],
        ),
        health(
            &format!("{DAY}T12:00:00Z"),
            &[server("time", "healthy", None, Some(5.0))],
        ),
    ];
    let ok = stored(Test::new(), files.clone())
        .args(&["--state-dir", "{dir}/state", "report", "--json"])
        .args(&WINDOW)
        .run();
    ok.code(0);
    assert_eq!(ok.json()["recommendations"], json!([]));

    files.extend(emergency(true));
    let critical = stored(Test::new(), files)
        .args(&["--state-dir", "{dir}/state", "report", "--json"])
        .args(&WINDOW)
        .run();
    critical.code(2);
    let r = critical.json();
    assert_eq!(r["emergency"]["active"], true);
    assert_eq!(r["emergency"]["periods"][0]["end"], Value::Null);
    assert_eq!(r["emergency"]["seconds"], 63_000);
    assert_eq!(
        r["recommendations"][0],
        "fallback mode is still on: bring the critical servers back"
    );

    let unprotected = Test::new()
        .config(CONFIG)
        .file(
            &health(&format!("{DAY}T00:00:00Z"), &[]).0,
            &health(&format!("{DAY}T00:00:00Z"), &[]).1,
        )
        .args(&["--state-dir", "{dir}/state", "report", "--json"])
        .args(&WINDOW)
        .run();
    unprotected.code(2);
    assert_eq!(
        unprotected.json()["backups"]["unprotected"],
        json!(["github_env", "jira_env"])
    );
}

#[test]
fn document_formats_are_only_for_report() {
    let run = Test::new()
        .args(&["--format", "html", "health-check"])
        .run();
    run.code(3);
    assert!(
        run.stderr()
            .contains("--format markdown and --format html are for `mcpctl report`"),
        "{}",
        run.stderr()
    );
}

#[test]
fn report_config_is_checked() {
    let run = Test::new()
        .config("[report]\nmin_uptime = 120.0\n")
        .args(&["report"])
        .run();
    run.code(3);
    assert!(
        run.stderr()
            .contains("mcpctl.toml:2:14: report.min_uptime is a percentage between 0 and 100"),
        "{}",
        run.stderr()
    );
    let run = Test::new()
        .config("[report]\nuptime = 99\n")
        .args(&["report"])
        .run();
    run.code(3);
    assert!(
        run.stderr().contains("unknown field `uptime`"),
        "{}",
        run.stderr()
    );
}

#[test]
fn html_page_draws_its_charts_in_chromium() {
    let run = full_history(&["--format", "html"]);
    run.code(1).stderr_contains("mcpctl report: WARNING");
    let html = &run.stdout;
    assert!(html.starts_with("<!DOCTYPE html>"));
    for remote in ["http://", "https://", "src=", "href="] {
        let outside_svg_ns = html.replace("http://www.w3.org/2000/svg", "");
        assert!(
            !outside_svg_ns.contains(remote),
            "the page must not fetch anything: {remote}"
        );
    }
    let page = run.dir.join("report.html");
    std::fs::write(&page, html).unwrap();
    let chromium = which_chromium();
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
        ])
        .arg(format!(
            "--user-data-dir={}",
            run.dir.join("chromium").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Drawn by the page's script: 96 bars per server, and a sparkline per server with latencies.
    assert_eq!(dom.matches("<rect class=\"bin\"").count(), 2 * 96, "{dom}");
    assert_eq!(dom.matches("<polyline class=\"spark\"").count(), 2, "{dom}");
    assert!(dom.contains("data-charts=\"4\""), "{dom}");
    assert!(
        dom.contains("fill=\"#d64040\""),
        "jira's outage is drawn red"
    );
    assert!(dom.contains("<td>github_env</td>"), "the tables are there");
}

/// Installed by scripts/install-test-deps.sh; missing means that was not run.
fn which_chromium() -> String {
    for candidate in ["chromium", "chromium-browser"] {
        if std::process::Command::new(candidate)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return candidate.to_owned();
        }
    }
    panic!(
        "chromium is not installed: run scripts/install-test-deps.sh (Debian package `chromium`)"
    );
}

#[test]
fn prune_keeps_what_the_figures_need() {
    let t = Test::new();
    let dir = t.path().display().to_string();
    let old = |d: i64| {
        (chrono::Utc::now() - chrono::Duration::days(d))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    let mut files = vec![
        health(&old(100), &[server("time", "healthy", None, Some(5.0))]),
        health(&old(90), &[server("time", "healthy", None, Some(5.0))]),
        health(&old(1), &[server("time", "healthy", None, Some(5.0))]),
        // Only this emergency report, however old: the newest of its command.
        (
            format!("state/reports/emergency/{}", name(&old(200))),
            envelope("emergency", &old(200), &json!({"active": false})).to_string(),
        ),
    ];
    let jira = "mcpctl-jira_env-20260101T030000Z-test-0001.tar.age";
    let backup = |t: &str, body: Value| {
        (
            format!("state/reports/backup/{}", name(t)),
            envelope("backup", t, &body).to_string(),
        )
    };
    // The written record of jira_env is the only one for location a: kept, though old.
    files.push(backup(
        &old(120),
        json!({"targets": [{"name": "jira_env", "result": "written", "backup": jira,
        "locations": [{"path": format!("{dir}/a"), "ok": true}]}]}),
    ));
    files.push(backup(&old(110), json!({"targets": [{"name": "jira_env", "result": "failed", "backup": null, "locations": []}]})));
    files.push(backup(&old(2), json!({"targets": [{"name": "jira_env", "result": "failed", "backup": null, "locations": []}]})));
    let t = stored(t, files);
    let run = t.again(&["report", "--prune", "30d", "--json"]);
    run.code(0);
    let r = run.json();
    // Of each command, the newest report before the cut-off stays: it is the state at the start
    // of any window that begins there.
    assert_eq!(r["prune"]["deleted"], json!({"health-check": 1}), "{r:#}");
    assert_eq!(r["prune"]["kept"], 4);
    let left = |cmd: &str| {
        std::fs::read_dir(t.path().join("state/reports").join(cmd))
            .unwrap()
            .count()
    };
    assert_eq!(
        (left("health-check"), left("backup"), left("emergency")),
        (2, 3, 1)
    );

    // The figures are the same as before: the backup still verified at a.
    let after = t.again(&["report", "--json", "--since", "200d"]);
    let l = &after.json()["backups"]["locations"][0];
    assert_eq!(l["backup"], jira);
}

#[test]
fn notify_posts_the_summary_even_when_all_is_well() {
    let tmp = tempfile::tempdir().unwrap();
    let slack = Stub::start(tmp.path(), "slack", 200, false);
    let hc = Stub::start(tmp.path(), "hc", 200, false);
    let config = format!(
        "[notify]\nslack_webhook = \"{}/services/T0/B0/x\"\nhealthchecks_url = \"{}/ping/abc\"\ntimeout = \"2s\"\n",
        slack.url, hc.url
    );
    let files = vec![
        health(
            &format!("{DAY}T00:00:00Z"),
            &[server("time", "healthy", None, Some(5.0))],
        ),
        health(
            &format!("{DAY}T12:00:00Z"),
            &[server("time", "healthy", None, Some(5.0))],
        ),
    ];
    let t = stored(Test::new().config(&config), files);
    t.again(&["report", "--from", "2026-11-01", "--to", "2026-11-02"])
        .code(0);
    assert_eq!(
        slack.requests().len(),
        0,
        "without --notify a report is only a query"
    );
    assert_eq!(hc.requests().len(), 0);

    t.again(&[
        "report",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-02",
        "--notify",
    ])
    .code(0);
    let said = slack.requests();
    assert_eq!(said.len(), 1, "{said:#?}");
    let body: Value = serde_json::from_str(said[0]["body"].as_str().unwrap()).unwrap();
    let text = body["text"].as_str().unwrap();
    assert!(
        text.starts_with("*mcpctl report for the last 24h on "),
        "{text}"
    );
    assert!(
        text.contains("1 server, lowest uptime 100% (time), 0 incidents"),
        "{text}"
    );
    let pings: Vec<String> = hc
        .requests()
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(pings.len(), 2, "{pings:?}");
    assert!(pings[1].starts_with("/ping/abc/0?rid="), "{pings:?}");
}

#[test]
fn a_report_far_out_of_order_is_a_clock_jump() {
    let start = chrono::DateTime::parse_from_rfc3339("2026-10-01T00:00:00Z").unwrap();
    let mut files: Vec<(String, String)> = (0..300)
        .map(|h| {
            let t = (start + chrono::Duration::hours(h)).to_rfc3339();
            health(&t, &[server("time", "healthy", None, Some(5.0))])
        })
        .collect();
    // Written after all the others with the clock set back by eleven days.
    let (_, back) = health(
        "2026-10-02T00:30:00Z",
        &[server("time", "unhealthy", Some("timeout"), None)],
    );
    files.push((
        "state/reports/health-check/20261013T120000.000Z.json".into(),
        back,
    ));
    let run = stored(Test::new(), files)
        .args(&["--state-dir", "{dir}/state", "report", "--json"])
        .args(&["--from", "2026-10-01", "--to", "2026-10-13T12:00:00Z"])
        .run();
    run.code(0);
    let report = run.json();
    assert_eq!(report["sources"]["clock_jumps"], 1);
    let time = Run::server(&report, "time");
    assert_eq!(time["probes"], 301);
    assert_eq!(time["failures"], 1, "counted in the totals");
    assert_eq!(time["incidents"], 0, "but not in the timeline");
    assert_eq!(time["uptime_pct"], 100.0);
    assert!(!time["timeline"].as_str().unwrap().contains('D'));
}

#[test]
fn special_files_in_the_reports_dir_are_skipped_never_read() {
    let t = stored(Test::new(), day_of_probes());
    let dir = t.path().join("state/reports/health-check");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(dir.join("20261101T103000.000Z.json"))
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("/dev/zero", dir.join("20261101T113000.000Z.json")).unwrap();
    let run = t
        .args(&["--state-dir", "{dir}/state", "report", "--json"])
        .args(&WINDOW)
        .run();
    // The day's own figures (jira's incidents) make it a warning; what matters is that it ends.
    run.code(1);
    let report = run.json();
    assert_eq!(
        report["sources"]["skipped"]["unreadable"], 2,
        "{:#}",
        report["sources"]
    );
}

#[test]
fn a_copy_checked_bad_every_hour_counts_once_and_not_at_all_once_good() {
    let dir = "/srv/backups";
    let jira = "mcpctl-jira_env-20261025T030000Z-test-0001.tar.age";
    let check = |t: &str, ok: bool| {
        let body = json!({"copies": [
            {"target": "jira_env", "file": format!("{dir}/a/{jira}"), "ok": ok,
             "error": if ok { Value::Null } else { json!("identity refused") }}],
            "unprotected": []});
        (
            format!("state/reports/backup/{}", name(t)),
            envelope("backup", t, &body).to_string(),
        )
    };
    let bad: Vec<_> = (1..=3)
        .map(|h| check(&format!("{DAY}T0{h}:00:00Z"), false))
        .collect();
    let run = stored(Test::new().config(CONFIG), bad.clone())
        .args(&["--state-dir", "{dir}/state", "report", "--json"])
        .args(&WINDOW)
        .run();
    let report = run.json();
    assert_eq!(
        report["backups"]["check_failures"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "{:#}",
        report["backups"]
    );
    let mut mended = bad;
    mended.push(check(&format!("{DAY}T05:00:00Z"), true));
    let run = stored(Test::new().config(CONFIG), mended)
        .args(&["--state-dir", "{dir}/state", "report", "--json"])
        .args(&WINDOW)
        .run();
    let report = run.json();
    assert_eq!(report["backups"]["check_failures"], json!([]));
}

/// A critical server of a one-off config stays in the history, but the report speaks for the
/// current config: it is listed as removed and never makes the report critical.
#[test]
fn servers_no_longer_configured_are_listed_as_removed() {
    let keep = "[servers.keep]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n";
    let t = Test::new().config(&format!(
        "{keep}[servers.oneoff]\ncommand = \"python3\"\nargs = [\"{{servers}}/exit_now.py\"]\ncritical = true\n"
    ));
    t.again(&["health-check"])
        .code(2)
        .stderr_contains("CRITICAL");
    let r = t.again(&["report", "--json"]);
    r.code(2);
    std::fs::write(t.path().join("mcpctl.toml"), t.expand(keep)).unwrap();
    t.again(&["health-check"]).code(0);
    let r = t.again(&["report", "--json"]);
    r.code(0);
    let report = r.json();
    let oneoff = Run::server(&report, "oneoff");
    assert_eq!(oneoff["removed"], true, "{oneoff:#}");
    assert_eq!(Run::server(&report, "keep")["removed"], false);
    let summary = report["summary"].as_str().unwrap();
    assert!(
        summary.contains("1 server,") && summary.contains("1 removed server not counted"),
        "{summary}"
    );
    assert!(
        !report["recommendations"].to_string().contains("oneoff"),
        "{:#}",
        report["recommendations"]
    );
    let table = t.again(&["report", "--format", "table"]);
    assert!(
        table.stdout.contains("oneoff (removed)"),
        "{}",
        table.stdout
    );
}

/// Hourly cron runs all day, and from 08:00 to 12:00 a watch's passes every 30 s (cadence 300 s,
/// in `.watch.json` files): the hourly periods stay known, and a watch's outage of 2 minutes is
/// counted at the watch's resolution.
#[test]
fn mixed_cadences_keep_the_hourly_periods_known() {
    let mut files = Vec::new();
    for h in 0..24 {
        files.push(health(
            &format!("{DAY}T{h:02}:05:00Z"),
            &[server("jira", "healthy", None, Some(40.0))],
        ));
    }
    for i in 0..(4 * 120) {
        let (m, s) = (i / 2, (i % 2) * 30);
        let time = format!("{DAY}T{:02}:{:02}:{s:02}Z", 8 + m / 60, m % 60);
        // 10:00:00 to 10:02:00 down.
        let down = (240..244).contains(&i);
        let status = if down { "unhealthy" } else { "healthy" };
        let kind = down.then_some("exited");
        let (path, text) = health(&time, &[server("jira", status, kind, Some(40.0))]);
        let mut v: Value = serde_json::from_str(&text).unwrap();
        v["cadence_s"] = json!(300);
        files.push((path.replace(".json", ".watch.json"), v.to_string()));
    }
    let run = stored(Test::new(), files)
        .args(&["--state-dir", "{dir}/state", "report", "--json"])
        .args(&WINDOW)
        .run();
    let report = run.json();
    let jira = find(&report["servers"], "name", "jira");
    assert!(
        jira["unknown_pct"].as_f64().unwrap() < 1.0,
        "hourly periods turned unknown: {jira:#}"
    );
    assert_eq!(jira["incidents"], 1, "{jira:#}");
    let mttr = jira["mttr_s"].as_f64().unwrap();
    assert!((mttr - 120.0).abs() < 1.0, "{jira:#}");
    assert_eq!(
        report["window"]["max_gap_s"], 7200,
        "{:#}",
        report["window"]
    );
}
