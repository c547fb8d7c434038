//! The fleet side, end to end. Real mcpctl runs write textfiles for six hosts: a healthy one, a
//! critical server down (and another degraded), a failure healed by the same run's recovery, an
//! open breaker with emergency mode on, a stale backup with a failed check, and a persistent CI
//! failure with a fix. Then:
//! - `promtool check metrics` passes on each textfile, and together they hold every series
//!   `src/notify/metrics.rs` defines;
//! - `promtool check rules` passes on scripts/prometheus/mcpctl.rules.yml;
//! - `promtool test rules` passes on scripts/prometheus/mcpctl.rules.test.yml, whose input
//!   series are made from these textfiles (the test regenerates them and compares; with
//!   `MCPCTL_BLESS=1` it rewrites them);
//! - scripts/grafana/mcpctl.json names only series mcpctl writes, each filtered by `$host`, and
//!   its expressions pass `promtool check rules` too.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use mcpctl::notify::metrics;
use serde_json::Value;

use crate::{Run, Test};

const NOTIFY: &str = "[notify]\nprometheus_textfile = \"{dir}/textfile/mcpctl.prom\"\n";

/// What the tests' temp dirs become in the committed rule tests.
const HOME: &str = "/srv/mcpctl";

/// The labels a scrape of node_exporter adds to every series of the textfile.
const SCRAPE: &str = "instance=\"web1:9100\",job=\"node\"";

const FAST: &str = "max_attempts = 2\nwindow = \"1h\"\nsettle = \"1s\"\nbackoff = { initial = \"100ms\", max = \"400ms\" }\n";

const SECRET: &str = "canary-fallback-4c1d";

fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// promtool from Debian's `prometheus`, which scripts/install-test-deps.sh installs: missing
/// means the suite was not set up, which fails rather than skips.
fn promtool(args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (Debian: prometheus) is installed by scripts/install-test-deps.sh");
    let mut input = child.stdin.take().unwrap();
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The textfile a test's runs wrote, with its temp dir written as `HOME`.
fn textfile(t: &Test) -> String {
    let text = std::fs::read_to_string(t.path().join("textfile/mcpctl.prom")).expect("textfile");
    text.replace(&t.path().display().to_string(), HOME)
}

/// `t.again(args)` under libfaketime, `offset` away from now.
fn faked(t: &Test, offset: &str, args: &[&str]) -> Run {
    let real = t.command();
    let mut cmd = Command::new("faketime");
    cmd.arg("-f")
        .arg(offset)
        .arg(real.get_program())
        .args(real.get_args())
        .arg("--state-dir")
        .arg(t.path().join("state"))
        .args(args.iter().map(|a| t.expand(a)))
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .stdin(Stdio::null());
    if let Some(dir) = real.get_current_dir() {
        cmd.current_dir(dir);
    }
    for (k, v) in real.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let out = cmd
        .output()
        .expect("faketime is installed by scripts/install-test-deps.sh");
    Run::from_output(&out, t.path())
}

/// Two servers, the critical `jira` as `jira` says and the plain `notes`.
fn servers(jira: &str, notes: &str) -> String {
    format!(
        "[servers.jira]\ncritical = true\n{jira}\n[servers.notes]\ncommand = \"python3\"\nargs = [\"{{servers}}/{notes}\"]\n"
    )
}

const MINIMAL: &str = "command = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n";

/// Everything fine: probes, a backup written to both locations and checked, a flaky CI failure
/// (a first network error: re-run it), normal mode.
fn healthy() -> String {
    let jira = format!("{MINIMAL}[servers.jira.recover]\nsteps = [\"wait\"]\n{FAST}");
    let (t, _) = crate::backup::setup(&format!("{}{NOTIFY}", servers(&jira, "minimal.py")));
    t.again(&["health-check", "--recover"]).code(0);
    t.again(&["backup"]).code(0);
    t.again(&["backup", "--check"]).code(0);
    let log = repo_path("tests/fixtures/ci-logs/062_network.log");
    let log = log.display().to_string();
    let r = t.again(&[
        "gh-watch",
        "--log",
        &log,
        "--repo",
        "acme/app",
        "--workflow",
        "ci",
        "--job",
        "build",
        "--json",
    ]);
    r.code(1);
    assert_eq!(
        r.json()["runs"][0]["issues"][0]["recurrence"],
        "rerun_candidate"
    );
    t.again(&["emergency"]).code(0);
    textfile(&t)
}

/// The critical server is down, another one is degraded (stray stdout) and `wiki`, which is
/// not critical, is down too.
fn down() -> String {
    let jira = "command = \"python3\"\nargs = [\"{servers}/exit_now.py\"]\n";
    let wiki = "[servers.wiki]\ncommand = \"python3\"\nargs = [\"{servers}/exit_now.py\"]\n";
    let t = Test::new().config(&format!("{}{wiki}{NOTIFY}", servers(jira, "noisy_ok.py")));
    t.again(&["health-check"])
        .code(2)
        .stderr_contains("mcpctl health-check: CRITICAL: 3 servers");
    textfile(&t)
}

/// The critical server failed and the same run's recovery brought it back.
fn healed() -> String {
    let jira = format!(
        "command = \"python3\"\nargs = [\"{{servers}}/flaky.py\"]\nenv = {{ FLAKY_UP_FILE = \"{{dir}}/up\" }}\n\
         [servers.jira.recover]\nsteps = [\"command\"]\ncommand = [\"touch\", \"{{dir}}/up\"]\n{FAST}"
    );
    let t = Test::new().config(&format!("{}{NOTIFY}", servers(&jira, "minimal.py")));
    let r = t.again(&["health-check", "--recover", "--json"]);
    r.code(0);
    assert_eq!(r.json()["recovery"][0]["recovered"], true);
    textfile(&t)
}

/// The critical server never heals: two recover runs spend the budget and open the breaker, and
/// emergency mode sends the pipeline to the service's API (a loopback stand-in answering 200).
fn breaker() -> String {
    let dir = tempfile::tempdir().unwrap();
    let api = crate::stub::Stub::start(dir.path(), "api", 200, false);
    let jira = format!(
        "command = \"python3\"\nargs = [\"{{servers}}/exit_now.py\"]\n\
         [servers.jira.recover]\nsteps = [\"command\"]\ncommand = [\"true\"]\n{FAST}\
         [servers.jira.fallback]\ncheck_url = \"{}/rest/api/2/myself\"\nheaders = {{ Authorization = \"Bearer ${{JIRA_TOKEN}}\" }}\n",
        api.url
    );
    let t = Test::new()
        .config(&format!("{}{NOTIFY}", servers(&jira, "minimal.py")))
        .env("JIRA_TOKEN", SECRET);
    t.again(&["health-check"])
        .code(2)
        .stderr_contains("mcpctl health-check: CRITICAL: 2 servers");
    t.again(&["recover", "jira"])
        .code(2)
        .stderr_contains("mcpctl recover: CRITICAL: 1 server");
    let r = t.again(&["recover", "jira", "--json"]);
    r.code(2);
    assert_eq!(Run::server(&r.json(), "jira")["breaker_open"], true);
    t.again(&["emergency"])
        .code(1)
        .stderr_contains("mcpctl emergency: WARNING: emergency mode since");
    textfile(&t)
}

/// Three days ago both locations got a copy. Since then the second location is gone (a file
/// where its directory was), so the new content reached only the first; and an old copy there
/// is damaged, which `backup --check` finds.
fn backups() -> String {
    let (t, _) = crate::backup::setup(NOTIFY);
    faked(&t, "-3d", &["backup"]).code(0);
    std::fs::rename(t.path().join("loc2"), t.path().join("loc2.gone")).unwrap();
    std::fs::write(t.path().join("loc2"), "not a directory any more").unwrap();
    std::fs::write(t.path().join("cfg/mcp.json"), crate::backup::NEW).unwrap();
    t.again(&["backup"])
        .code(1)
        .stderr_contains("is not a directory; fix [backup] locations");
    let old = &crate::backup::copies(&t.path().join("loc1"), "cursor")[0];
    let mut bytes = std::fs::read(old).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(old, bytes).unwrap();
    let r = t.again(&["backup", "--check", "--json"]);
    r.code(1);
    let report = r.json();
    let bad = report["copies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .count();
    assert_eq!(bad, 1, "{report:#}");
    textfile(&t)
}

/// gh-watch against a GitHub stand-in: the same failure on two commits (persistent), a network
/// failure and a new one; then `fix`'s dry run.
fn ci() -> String {
    let (t, _gh) = crate::gh_watch_api::setup_with(
        &crate::gh_watch_api::history_routes(),
        &format!(
            "[fix]\nallowed_repos = [\"acme/app\"]\nallowed_recipes = [\"npm-install\", \"rerun\"]\ncheckout = \"{{dir}}/checkout\"\nverify = [\"true\"]\n{NOTIFY}"
        ),
    );
    crate::fix::repo(&t, &[("package.json", "{\"name\": \"app\"}\n")]);
    let r = t.again(&["gh-watch", "--json"]);
    r.code(1);
    let r = t.again(&["fix", "--json"]);
    assert!(
        !r.json()["fixes"].as_array().unwrap().is_empty(),
        "{}",
        r.stdout
    );
    textfile(&t)
}

/// A host's name and the runs that make its textfile.
type Scenario = (&'static str, fn() -> String);

/// Every scenario's textfile, written once for all the tests here (in parallel).
fn textfiles() -> &'static BTreeMap<&'static str, String> {
    static FILES: OnceLock<BTreeMap<&'static str, String>> = OnceLock::new();
    FILES.get_or_init(|| {
        let scenarios: [Scenario; 6] = [
            ("healthy", healthy),
            ("down", down),
            ("healed", healed),
            ("breaker", breaker),
            ("backups", backups),
            ("ci", ci),
        ];
        std::thread::scope(|s| {
            let handles: Vec<_> = scenarios
                .iter()
                .map(|(name, f)| (*name, s.spawn(f)))
                .collect();
            handles
                .into_iter()
                .map(|(name, h)| (name, h.join().expect("scenario")))
                .collect()
        })
    })
}

/// `name{labels}` → value, for the samples of a textfile.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').expect("name value");
            (series.to_owned(), value.parse().expect("a number"))
        })
        .collect()
}

fn family(series: &str) -> &str {
    series.split('{').next().unwrap_or(series)
}

#[test]
fn promtool_check_metrics_passes_on_textfiles_real_runs_wrote() {
    let files = textfiles();
    let mut seen = BTreeSet::new();
    for (name, text) in files {
        std::fs::create_dir_all("/tmp/wt20-textfiles").unwrap();
        let (ok, out) = promtool(&["check", "metrics"], Some(text));
        assert!(ok && out.trim().is_empty(), "{name}: {out}\n{text}");
        assert!(
            !text.contains(SECRET) && !text.contains("canary-ghp"),
            "{name}: {text}"
        );
        for series in samples(text).keys() {
            let f = family(series);
            assert!(
                metrics::find(f).is_some(),
                "{name}: {f} is not in metrics.rs"
            );
            assert!(
                text.contains(&format!("# HELP {f} ")) && text.contains(&format!("# TYPE {f} "))
            );
            seen.insert(f.to_owned());
        }
    }
    let missing: Vec<&str> = metrics::ALL
        .iter()
        .map(|m| m.name)
        .filter(|n| !seen.contains(*n))
        .collect();
    assert!(missing.is_empty(), "no real run wrote {missing:?}");
}

#[test]
fn each_textfile_says_what_its_host_went_through() {
    let files = textfiles();
    let at = |scenario: &str, series: &str| samples(&files[scenario]).get(series).copied();
    let jira = "server=\"jira\",transport=\"stdio\"";
    assert_eq!(
        at(
            "down",
            &format!("mcpctl_server_up{{{jira},critical=\"true\"}}")
        ),
        Some(0.0)
    );
    assert_eq!(
        at(
            "down",
            "mcpctl_server_status{server=\"notes\",transport=\"stdio\",status=\"degraded\"}"
        ),
        Some(1.0)
    );
    assert_eq!(
        at("down", "mcpctl_last_exit_code{command=\"health-check\"}"),
        Some(2.0)
    );
    assert_eq!(
        at(
            "healed",
            &format!("mcpctl_server_up{{{jira},critical=\"true\"}}")
        ),
        Some(1.0)
    );
    assert_eq!(
        at(
            "healed",
            "mcpctl_recoveries_total{server=\"jira\",step=\"command\",outcome=\"succeeded\"}"
        ),
        Some(1.0)
    );
    assert_eq!(
        at("breaker", "mcpctl_breaker_open{server=\"jira\"}"),
        Some(1.0)
    );
    assert_eq!(at("breaker", "mcpctl_emergency_active"), Some(1.0));
    assert_eq!(at("healthy", "mcpctl_emergency_active"), Some(0.0));
    let stale = at(
        "backups",
        &format!(
            "mcpctl_backup_verified_timestamp_seconds{{target=\"cursor\",location=\"{HOME}/loc2\"}}"
        ),
    )
    .unwrap();
    let fresh = at(
        "backups",
        &format!(
            "mcpctl_backup_verified_timestamp_seconds{{target=\"cursor\",location=\"{HOME}/loc1\"}}"
        ),
    )
    .unwrap();
    assert!(
        (fresh - stale - 3.0 * 86_400.0).abs() < 120.0,
        "{fresh} {stale}"
    );
    assert_eq!(
        at(
            "backups",
            &format!(
                "mcpctl_backup_check_bad_copies{{target=\"cursor\",location=\"{HOME}/loc1\"}}"
            )
        ),
        Some(1.0)
    );
    let persistent: Vec<(String, f64)> = samples(&files["ci"])
        .into_iter()
        .filter(|(k, _)| {
            k.starts_with("mcpctl_ci_failures_total{repo=\"acme/app\"")
                && k.contains("recurrence=\"persistent\"")
        })
        .collect();
    let seen: Vec<f64> = persistent.iter().map(|(_, v)| *v).collect();
    assert_eq!(seen, [0.0, 1.0], "{persistent:?}");
}

#[test]
fn promtool_check_rules_passes_on_the_alert_rules() {
    let rules = repo_path("scripts/prometheus/mcpctl.rules.yml");
    let (ok, out) = promtool(&["check", "rules", rules.to_str().unwrap()], None);
    assert!(ok, "{out}");
    assert!(out.contains("SUCCESS: 8 rules found"), "{out}");
    let text = std::fs::read_to_string(&rules).unwrap();
    let doc: Value = serde_saphyr::from_str(&text).unwrap();
    let mut names = Vec::new();
    for rule in doc["groups"][0]["rules"].as_array().unwrap() {
        let name = rule["alert"].as_str().unwrap();
        names.push(name);
        let severity = rule["labels"]["severity"].as_str().unwrap_or_default();
        assert!(["critical", "warning"].contains(&severity), "{name}");
        let runbook = rule["annotations"]["runbook"].as_str().unwrap_or_default();
        assert!(runbook.contains("mcpctl "), "{name}: {runbook}");
        names_only_written_series(name, rule["expr"].as_str().unwrap());
    }
    assert_eq!(
        names,
        [
            "MCPServerDown",
            "MCPServerDegraded",
            "BreakerOpen",
            "EmergencyModeOn",
            "BackupStale",
            "BackupCheckFailed",
            "MCPCTLNotRunning",
            "PersistentCIFailure"
        ]
    );
    let down = doc["groups"][0]["rules"][0]["for"].as_str().unwrap();
    assert!(["5m", "10m"].contains(&down), "MCPServerDown for: {down}");
}

/// Every `mcpctl_*` name in `expr` is a series mcpctl writes, every label a selector or a
/// `by`/`on` names is one of theirs (or the scrape's), and the expression names at least one.
fn names_only_written_series(what: &str, expr: &str) {
    let name = regex::Regex::new(r"\bmcpctl_[a-z0-9_]+").unwrap();
    let selector = regex::Regex::new(r"\b(mcpctl_[a-z0-9_]+)\{([^}]*)\}").unwrap();
    let grouping = regex::Regex::new(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)").unwrap();
    let used: Vec<&'static metrics::Metric> = name
        .find_iter(expr)
        .map(|m| {
            metrics::find(m.as_str())
                .unwrap_or_else(|| panic!("{what}: {} is not a series mcpctl writes", m.as_str()))
        })
        .collect();
    assert!(!used.is_empty(), "{what}: names no mcpctl series: {expr}");
    let scrape = ["instance", "job"];
    for c in selector.captures_iter(expr) {
        let metric = metrics::find(&c[1]).unwrap();
        for matcher in c[2].split(',').filter(|m| !m.trim().is_empty()) {
            let label = matcher.split(['=', '!']).next().unwrap().trim();
            assert!(
                metric.labels.contains(&label) || scrape.contains(&label),
                "{what}: {} has no label {label}",
                metric.name
            );
        }
    }
    for c in grouping.captures_iter(expr) {
        for label in c[1].split(',').map(str::trim).filter(|l| !l.is_empty()) {
            assert!(
                scrape.contains(&label) || used.iter().any(|m| m.labels.contains(&label)),
                "{what}: no series here has the label {label}: {expr}"
            );
        }
    }
}

// ---- The rules' unit tests, from the textfiles ----

/// A textfile's samples as a scrape sees them, and when its newest run finished.
struct Scraped {
    samples: BTreeMap<String, f64>,
    now: f64,
}

fn scraped(text: &str) -> Scraped {
    let mut out = BTreeMap::new();
    let mut now = f64::MIN;
    for (series, value) in samples(text) {
        if family(&series) == "mcpctl_last_run_timestamp_seconds" {
            now = now.max(value);
        }
        let labelled = match series.strip_suffix('}') {
            Some(s) => format!("{s},{SCRAPE}}}"),
            None => format!("{series}{{{SCRAPE}}}"),
        };
        out.insert(labelled, value);
    }
    Scraped { samples: out, now }
}

/// promtool's clock starts at 0: a timestamp becomes "this many minutes before its file was
/// written", added to the minute the timeline writes the file.
fn rebased(series: &str, value: f64, file: &Scraped, minute: u32) -> f64 {
    if family(series).ends_with("_timestamp_seconds") {
        f64::from(minute) * 60.0 + ((value - file.now) / 60.0).round() * 60.0
    } else {
        value
    }
}

/// `healthy@0m down@30m healthy@35m for 90m`: which textfile is in place from which minute.
fn timeline(spec: &str) -> (Vec<(String, u32)>, u32) {
    let minutes = |s: &str| -> u32 {
        s.strip_suffix('m')
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("`{s}` is not NNm"))
    };
    let (runs, length) = spec.rsplit_once(" for ").expect("`… for NNm`");
    let runs = runs
        .split_whitespace()
        .map(|r| {
            let (name, at) = r.split_once('@').expect("name@NNm");
            (name.to_owned(), minutes(at))
        })
        .collect();
    (runs, minutes(length.trim()))
}

fn compress(tokens: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let mut j = i;
        while j + 1 < tokens.len() && tokens[j + 1] == tokens[i] {
            j += 1;
        }
        let (t, n) = (&tokens[i], j - i);
        out.push(match (t.as_str(), n) {
            (_, 0) => t.clone(),
            ("stale", _) => vec!["stale"; n + 1].join(" "),
            ("_", _) => format!("_x{n}"),
            _ => format!("{t}+0x{n}"),
        });
        i = j + 1;
    }
    out.join(" ")
}

/// The `input_series:` block for a timeline, at `indent`.
fn input_series(spec: &str, indent: &str) -> String {
    let (runs, length) = timeline(spec);
    let files = textfiles();
    let parsed: Vec<(u32, Scraped)> = runs
        .iter()
        .map(|(name, at)| {
            let text = files
                .get(name.as_str())
                .unwrap_or_else(|| panic!("no scenario {name}"));
            (*at, scraped(text))
        })
        .collect();
    let all: BTreeSet<&String> = parsed.iter().flat_map(|(_, f)| f.samples.keys()).collect();
    let mut out = format!("{indent}input_series:\n");
    for series in all {
        let mut tokens = Vec::new();
        let mut present = false;
        for minute in 0..=length {
            let current = parsed.iter().rev().find(|(at, _)| *at <= minute);
            let value = current
                .and_then(|(at, f)| f.samples.get(series).map(|v| rebased(series, *v, f, *at)));
            tokens.push(match value {
                Some(v) => format!("{v}"),
                // A scrape that no longer has the series marks it stale, as Prometheus does.
                None if present => "stale".to_owned(),
                None => "_".to_owned(),
            });
            present = value.is_some();
        }
        out.push_str(&format!(
            "{indent}  - series: '{}'\n{indent}    values: '{}'\n",
            series.replace('\'', "''"),
            compress(&tokens)
        ));
    }
    out
}

/// The committed test file with every `# BEGIN input: …` block made again from the textfiles.
fn regenerate(committed: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in committed.lines() {
        let trimmed = line.trim_start();
        if skipping {
            if trimmed.starts_with("# END input") {
                skipping = false;
                out.push_str(line);
                out.push('\n');
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if let Some(spec) = trimmed.strip_prefix("# BEGIN input: ") {
            let indent = &line[..line.len() - trimmed.len()];
            out.push_str(&input_series(spec, indent));
            skipping = true;
        }
    }
    assert!(!skipping, "a `# BEGIN input` without its `# END input`");
    out
}

/// Durations differ from run to run: compared, they are masked.
fn masked(text: &str) -> String {
    let mut out = String::new();
    let mut duration = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(series) = trimmed.strip_prefix("- series: '") {
            duration = family(series).ends_with("_duration_seconds");
            out.push_str(line);
        } else if duration && trimmed.starts_with("values: ") {
            out.push_str("values: (a duration)");
            duration = false;
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[test]
fn promtool_test_rules_passes_on_input_from_real_textfiles() {
    let committed_path = repo_path("scripts/prometheus/mcpctl.rules.test.yml");
    let committed = std::fs::read_to_string(&committed_path).unwrap();
    let fresh = regenerate(&committed);
    // Beside a copy of the rules, since `rule_files` is relative to the test file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo_path("scripts/prometheus/mcpctl.rules.yml"),
        dir.path().join("mcpctl.rules.yml"),
    )
    .unwrap();
    let fresh_path = dir.path().join("mcpctl.rules.test.yml");
    std::fs::write(&fresh_path, &fresh).unwrap();
    let (ok, out) = promtool(&["test", "rules", fresh_path.to_str().unwrap()], None);
    assert!(ok, "on this run's textfiles:\n{out}");

    if std::env::var_os("MCPCTL_BLESS").is_some() {
        std::fs::write(&committed_path, &fresh).unwrap();
    } else {
        assert!(
            masked(&committed) == masked(&fresh),
            "scripts/prometheus/mcpctl.rules.test.yml's input is not what mcpctl writes: run `MCPCTL_BLESS=1 cargo test --test it prometheus` and commit"
        );
    }
    let (ok, out) = promtool(&["test", "rules", committed_path.to_str().unwrap()], None);
    assert!(ok, "on the committed input:\n{out}");
    for name in [
        "MCPServerDown",
        "MCPServerDegraded",
        "BreakerOpen",
        "EmergencyModeOn",
        "BackupStale",
        "BackupCheckFailed",
        "MCPCTLNotRunning",
        "PersistentCIFailure",
    ] {
        assert!(
            committed.contains(&format!("alertname: {name}\n")),
            "no unit test of {name}"
        );
    }
}

// ---- The dashboard ----

fn exprs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("expr", Value::String(s)) => out.push(s.clone()),
                    ("query", Value::String(s)) if s.contains("mcpctl_") => out.push(s.clone()),
                    _ => exprs(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| exprs(v, out)),
        _ => {}
    }
}

#[test]
fn the_dashboard_names_only_series_mcpctl_writes() {
    let text = std::fs::read_to_string(repo_path("scripts/grafana/mcpctl.json")).unwrap();
    let dashboard: Value = serde_json::from_str(&text).unwrap();
    let vars = dashboard["templating"]["list"].as_array().unwrap();
    let host = vars
        .iter()
        .find(|v| v["name"] == "host")
        .expect("a host variable");
    assert_eq!(host["type"], "query");
    let panels = dashboard["panels"].as_array().unwrap();
    let titles: Vec<&str> = panels.iter().filter_map(|p| p["title"].as_str()).collect();
    for wanted in [
        "Status",
        "latency",
        "Recoveries",
        "Backup age",
        "CI failures",
    ] {
        assert!(
            titles.iter().any(|t| t.contains(wanted)),
            "no panel for {wanted}: {titles:?}"
        );
    }
    let mut rules = String::from("groups:\n  - name: dashboard\n    rules:\n");
    let mut n = 0;
    for panel in panels.iter().filter(|p| p["type"] != "row") {
        let title = panel["title"].as_str().unwrap_or("?");
        let mut found = Vec::new();
        exprs(&panel["targets"], &mut found);
        assert!(!found.is_empty(), "panel {title} has no query");
        for expr in found {
            names_only_written_series(title, &expr);
            assert!(
                expr.contains("instance=~\"$host\""),
                "{title}: not filtered by $host: {expr}"
            );
            let concrete = expr
                .replace("$host", ".*")
                .replace("$__rate_interval", "5m")
                .replace("$__range", "7d")
                .replace("$__interval", "1m");
            n += 1;
            rules.push_str(&format!(
                "      - record: dashboard:expr_{n}\n        expr: '{}'\n",
                concrete.replace('\n', " ").replace('\'', "''")
            ));
        }
    }
    let mut queries = Vec::new();
    exprs(&dashboard["templating"], &mut queries);
    for q in &queries {
        names_only_written_series("the host variable", q);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dashboard.rules.yml");
    std::fs::write(&path, &rules).unwrap();
    let (ok, out) = promtool(&["check", "rules", path.to_str().unwrap()], None);
    assert!(ok, "the dashboard's PromQL:\n{out}\n{rules}");
}
