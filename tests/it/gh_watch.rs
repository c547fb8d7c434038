//! gh-watch's offline classifier: the real labelled excerpts, the shipped patterns' own
//! fixtures, user pattern files that are broken, and logs that must give nothing.

use std::io::Write;
use std::process::Stdio;

use crate::{Run, Test};

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ci-logs")
}

fn classify(t: &Test, log: &std::path::Path, failed: bool) -> serde_json::Value {
    let mut cmd = t.command();
    cmd.args(["gh-watch", "--json", "--log"]).arg(log);
    if failed {
        cmd.arg("--failed");
    }
    let run = Run::from_output(&cmd.output().unwrap(), t.path());
    run.json()
}

#[test]
fn every_labelled_excerpt_gets_its_category_and_key() {
    let t = Test::new();
    let index = std::fs::read_to_string(fixtures().join("INDEX.tsv")).unwrap();
    let mut wrong = Vec::new();
    for row in index.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (file, category, key) = (cols[0], cols[1], cols[2]);
        // Each comes from a failed job's log, except the passing ones.
        let report = classify(&t, &fixtures().join(file), category != "none");
        let issues = report["runs"][0]["issues"].as_array().unwrap();
        let got = issues.first().map(|i| {
            (
                i["category"].as_str().unwrap().to_owned(),
                i["key"].as_str().map(str::to_owned),
            )
        });
        let ok = match (category, &got) {
            ("none", None) => true,
            (c, Some((gc, gk))) => c == gc && (key == "-" || gk.as_deref() == Some(key)),
            _ => false,
        };
        if !ok {
            wrong.push(format!("{file}: want {category}/{key}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// A log cut from a failed job often lacks the runner's failure line: `--failed` says so, and
/// the cause is still found.
#[test]
fn failed_says_what_the_log_does_not_show() {
    let t = Test::new();
    let log = t.path().join("cut.log");
    std::fs::write(
        &log,
        "Run ./deploy.sh\nError: the frobnicator refused the widget\n",
    )
    .unwrap();
    let plain = classify(&t, &log, false);
    assert_eq!(plain["runs"][0]["issues"].as_array().unwrap().len(), 0);
    let failed = classify(&t, &log, true);
    let issues = failed["runs"][0]["issues"].as_array().unwrap();
    assert_eq!(issues[0]["category"], "unknown", "{issues:?}");
}

#[test]
fn an_issue_carries_line_context_fix_and_fingerprint() {
    let t = Test::new();
    let mut cmd = t.command();
    cmd.args([
        "gh-watch",
        "--json",
        "--repo",
        "acme/app",
        "--workflow",
        "ci",
        "--job",
        "build",
        "--log",
    ])
    .arg(fixtures().join("009_python_missing_module.log"));
    let run = Run::from_output(&cmd.output().unwrap(), t.path());
    run.code(1);
    let report = run.json();
    let i = &report["runs"][0]["issues"][0];
    assert_eq!(i["line_number"], 18, "{i:#}");
    assert!(
        i["line"]
            .as_str()
            .unwrap()
            .starts_with("E   ModuleNotFoundError")
    );
    assert_eq!(i["context"].as_array().unwrap().len(), 6);
    assert_eq!(i["fix"]["recipe"], "pip-add");
    assert_eq!(i["fix"]["args"][0], "train_network");
    assert_eq!(i["auto_fixable"], true);
    assert_eq!(i["fingerprint"].as_str().unwrap().len(), 16);
    assert_eq!(i["job"], "build");

    // The same failure in another job is another fingerprint; in the same job, the same one.
    let again = classify(&t, &fixtures().join("009_python_missing_module.log"), false);
    assert_eq!(again["runs"][0]["issues"][0].get("job"), None);
    assert_ne!(
        again["runs"][0]["issues"][0]["fingerprint"],
        i["fingerprint"]
    );
}

#[test]
fn stdin_timestamps_and_the_wrapper_line() {
    let t = Test::new();
    let log = "\u{feff}2026-11-24T05:26:52.1234567Z ##[group]Run npm ci\n\
               2026-11-24T05:26:53.1234567Z \x1b[31mnpm error\x1b[0m 404 Not Found - GET https://registry.npmjs.org/left-padd - Not found\n\
               2026-11-24T05:26:53.2234567Z ##[error]Process completed with exit code 1.\r\n";
    let mut child = t
        .command()
        .args(["gh-watch", "--json", "--log", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(log.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let run = Run::from_output(&out, t.path());
    run.code(1);
    let report = run.json();
    let issues = report["runs"][0]["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(issues[0]["key"], "left-padd");

    // Nothing but the runner's wrapper lines: the job failed and nothing says why, so the
    // first of them is the line to read, as an unknown failure.
    let t = t.file("wrapper.log", "##[error]Process completed with exit code 1.\nError: Process completed with exit code 2.\n");
    let report = classify(&t, &t.path().join("wrapper.log"), false);
    let issues = report["runs"][0]["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(issues[0]["category"], "unknown");
    assert_eq!(issues[0]["line_number"], 1);
    assert_eq!(issues[0]["auto_fixable"], false);
    assert_eq!(report["status"], "warning");
}

#[test]
fn shipped_patterns_pass_their_fixtures() {
    let run = Test::new()
        .args(&["gh-watch", "--check-patterns", "--json"])
        .run();
    run.code(0);
    let report = run.json();
    assert!(report["patterns"].as_u64().unwrap() >= 30);
    assert_eq!(report["problems"].as_array().unwrap().len(), 0);
}

#[test]
fn broken_user_patterns_name_file_line_and_id() {
    let bad_regex = "patterns:\n  - id: my-pattern\n    category: network\n    description: x\n    regex:\n      - '^broken (unclosed'\n    fixtures:\n      match:\n        - log: 'broken'\n";
    let t = Test::new().file("pats/mine.yaml", bad_regex);
    let run = t
        .args(&[
            "gh-watch",
            "--check-patterns",
            "--patterns-dir",
            "{dir}/pats",
        ])
        .run();
    run.code(3);
    assert!(
        run.stderr().contains("mine.yaml:6: pattern my-pattern:"),
        "{}",
        run.stderr()
    );

    let unknown = "patterns:\n  - id: p2\n    category: flaky\n    description: x\n    regex: ['^x (?P<key>y)']\n    fixtures: { match: [ { log: 'x y' } ] }\n";
    let t = Test::new().file("pats/a.yaml", unknown);
    let run = t
        .args(&[
            "gh-watch",
            "--check-patterns",
            "--patterns-dir",
            "{dir}/pats",
        ])
        .run();
    run.code(3);
    assert!(
        run.stderr()
            .contains("a.yaml:2: pattern p2: unknown category `flaky`"),
        "{}",
        run.stderr()
    );

    let yaml = "patterns:\n  - id: [unclosed\n";
    let t = Test::new().file("pats/b.yaml", yaml);
    let run = t
        .args(&[
            "gh-watch",
            "--check-patterns",
            "--patterns-dir",
            "{dir}/pats",
        ])
        .run();
    run.code(3);
    assert!(run.stderr().contains("b.yaml"), "{}", run.stderr());

    // A fixture that its own pattern does not match is a problem --check-patterns reports.
    let failing = "patterns:\n  - id: mine\n    category: network\n    description: x\n    regex: ['^my host (?P<key>\\S+) is down$']\n    fixtures:\n      match: [ { log: 'my host a.example is up', key: a.example } ]\n";
    let t = Test::new().file("pats/c.yaml", failing);
    let run = t
        .args(&[
            "gh-watch",
            "--check-patterns",
            "--patterns-dir",
            "{dir}/pats",
            "--json",
        ])
        .run();
    run.code(2);
    assert!(
        run.stdout
            .contains("c.yaml:2: pattern mine: fixture does not match"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_user_pattern_replaces_a_shipped_one_by_id() {
    let mine = "patterns:\n  - id: no-space-left\n    category: disk_full\n    description: 'disk full: {key}'\n    regex: ['^(?P<key>DISK FULL)$']\n    fixtures: { match: [ { log: 'DISK FULL', key: 'DISK FULL' } ] }\n";
    let t = Test::new()
        .file("pats/disk.yaml", mine)
        .file("a.log", "No space left on device\nDISK FULL\n");
    let mut cmd = t.command();
    cmd.args(["gh-watch", "--json", "--patterns-dir"])
        .arg(t.path().join("pats"))
        .arg("--log")
        .arg(t.path().join("a.log"));
    let run = Run::from_output(&cmd.output().unwrap(), t.path());
    let report = run.json();
    let issues = report["runs"][0]["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(issues[0]["key"], "DISK FULL");
}

#[test]
fn captures_with_shell_metacharacters_are_only_data() {
    let t = Test::new().file(
        "evil.log",
        "ModuleNotFoundError: No module named 'x$(touch pwned)'\nnpm ERR! 404  '`touch pwned2`@1.0.0' is not in the npm registry.\n",
    );
    let report = classify(&t, &t.path().join("evil.log"), false);
    assert!(!t.path().join("project/pwned").exists() && !t.path().join("project/pwned2").exists());
    // The grammar of a module name stops at `$`: the capture is what is safe to hand on.
    let issues = report["runs"][0]["issues"].as_array().unwrap();
    assert!(
        issues
            .iter()
            .all(|i| !i["key"].as_str().unwrap_or("").contains('$')),
        "{issues:#?}"
    );
}

/// The table on a terminal also says what each issue is and what to do next, as cron mail does.
#[test]
fn a_terminal_gets_each_issue_description_and_hint() {
    let t = Test::new().file(
        "job.log",
        "Run npm test\nError: Cannot find module 'left-pad'\nRequire stack:\n- /app/index.js\n",
    );
    let run = t
        .args(&["gh-watch", "--log", "{dir}/job.log", "--format", "table"])
        .run();
    run.code(1);
    let json = Test::new()
        .file(
            "job.log",
            "Run npm test\nError: Cannot find module 'left-pad'\nRequire stack:\n- /app/index.js\n",
        )
        .args(&["gh-watch", "--log", "{dir}/job.log", "--json"])
        .run()
        .json();
    let issue = &json["runs"][0]["issues"][0];
    let description = issue["description"].as_str().unwrap();
    let hint = issue["hint"].as_str().unwrap();
    assert!(run.stdout.contains(description), "{}", run.stdout);
    assert!(run.stdout.contains(hint), "{}", run.stdout);
}

/// A log that never arrives (a FIFO with no writer, a pipe left open) blocks only the reader:
/// SIGTERM still ends the run with 130, as everywhere else.
#[test]
fn sigterm_ends_a_log_that_never_arrives() {
    use crate::lock_signal::{Reap, nix_kill};
    let t = Test::new();
    let fifo = t.path().join("job.fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let from_fifo = t
        .command()
        .args(["gh-watch", "--log"])
        .arg(&fifo)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let from_stdin = t
        .command()
        .args(["gh-watch", "--log", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for child in [from_fifo, from_stdin] {
        let mut child = Reap(child);
        let pid = child.0.id();
        // The reader's own thread exists once the runtime runs, with the handlers in place.
        let started = std::time::Instant::now();
        while std::fs::read_dir(format!("/proc/{pid}/task")).map_or(0, Iterator::count) < 2 {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "{pid} never started reading"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        nix_kill(pid, "TERM");
        let status = child.0.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.0.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(130), "{stderr}");
        assert_eq!(stderr, "mcpctl: interrupted\n");
    }
}

/// A directory given as the log is named in the error, with exit 3.
#[test]
fn a_directory_as_the_log_is_named() {
    let t = Test::new().file("logs/a.log", "x\n");
    let run = t.args(&["gh-watch", "--log", "{dir}/logs"]).run();
    run.code(3).stderr_contains("logs: Is a directory");
    let dir = run.stderr();
    assert!(dir.contains("cannot read the log /"), "{dir}");
}
