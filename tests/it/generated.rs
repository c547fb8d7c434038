//! Completions, man pages and the report schema are committed; these tests fail when they are
//! stale. Regenerate with `MCPCTL_BLESS=1 cargo test --test it generated`.

use std::path::Path;
use std::process::Command;

fn generate(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mcpctl"))
        .args(args)
        .output()
        .expect("run mcpctl");
    assert!(
        out.status.success(),
        "mcpctl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn check(rel: &str, fresh: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    if std::env::var_os("MCPCTL_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{rel} is stale: run `MCPCTL_BLESS=1 cargo test --test it generated` and commit"
    );
}

#[test]
fn completions_are_fresh() {
    for (shell, file) in [
        ("bash", "completions/mcpctl.bash"),
        ("zsh", "completions/_mcpctl"),
        ("fish", "completions/mcpctl.fish"),
        ("elvish", "completions/mcpctl.elv"),
        ("powershell", "completions/_mcpctl.ps1"),
    ] {
        check(file, &generate(&["completions", shell]));
    }
}

#[test]
fn man_pages_are_fresh() {
    let dir = tempfile::tempdir().unwrap();
    generate(&["man", "--out-dir", dir.path().to_str().unwrap()]);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(
        names.contains(&"mcpctl.1".to_owned())
            && names.contains(&"mcpctl-health-check.1".to_owned()),
        "{names:?}"
    );
    for name in &names {
        check(
            &format!("man/{name}"),
            &std::fs::read_to_string(dir.path().join(name)).unwrap(),
        );
    }
    assert_eq!(
        generate(&["man"]),
        std::fs::read_to_string(dir.path().join("mcpctl.1")).unwrap()
    );
}

/// Every report's schema, one file per command (and per mode with a body of its own).
#[test]
fn report_schemas_are_fresh() {
    let dir = tempfile::tempdir().unwrap();
    generate(&["schema", "--out-dir", dir.path().to_str().unwrap()]);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for command in [
        "health-check",
        "backup",
        "restore",
        "recover",
        "emergency",
        "gh-watch",
        "fix",
        "report",
    ] {
        assert!(names.contains(&format!("{command}.json")), "{names:?}");
    }
    for name in &names {
        check(
            &format!("docs/schema/{name}"),
            &std::fs::read_to_string(dir.path().join(name)).unwrap(),
        );
    }
    let committed = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema"))
        .unwrap()
        .count();
    assert_eq!(
        committed,
        names.len(),
        "docs/schema holds a schema no report has"
    );
    assert_eq!(
        generate(&["schema"]),
        std::fs::read_to_string(dir.path().join("health-check.json")).unwrap()
    );
}

/// Each page is a real man page: its synopsis is the command line a person types, with option
/// arguments and the global options, and it has the sections man readers look for.
#[test]
fn man_pages_have_a_real_synopsis_and_the_usual_sections() {
    let dir = tempfile::tempdir().unwrap();
    generate(&["man", "--out-dir", dir.path().to_str().unwrap()]);
    let page = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    for sub in [
        "health-check",
        "backup",
        "restore",
        "recover",
        "emergency",
        "gh-watch",
        "fix",
        "report",
        "mcp-server",
    ] {
        let text = page(&format!("mcpctl-{sub}.1"));
        let synopsis = text
            .split(".SH SYNOPSIS\n")
            .nth(1)
            .and_then(|s| s.lines().next())
            .unwrap_or_default();
        assert!(
            synopsis.starts_with("\\fBmcpctl\\fR [\\fIGLOBAL OPTIONS\\fR] \\fB")
                && synopsis.contains(&sub.replace('-', "\\-")),
            "{sub}: {synopsis}"
        );
        for section in [
            ".SH \"GLOBAL OPTIONS\"",
            ".SH \"EXIT STATUS\"",
            ".SH FILES",
            ".SH ENVIRONMENT",
            ".SH EXAMPLES",
        ] {
            assert!(text.contains(section), "{sub} lacks {section}");
        }
        assert_eq!(text.matches(".ie \\n(.g").count(), 1, "{sub}: one preamble");
    }
    let restore = page("mcpctl-restore.1");
    assert!(
        restore.contains("[\\fB\\-\\-at\\fR \\fIID|TIME\\fR]"),
        "{restore}"
    );
    let main = page("mcpctl.1");
    assert!(!main.contains("mcpctl\\-help"), "{main}");
    assert!(main.contains("mcpctl\\-report(1)"), "{main}");
}

/// The README's table of textfile series is `src/notify/metrics.rs`'s.
#[test]
fn readme_metrics_are_fresh() {
    const BEGIN: &str = "<!-- BEGIN metrics: generated from src/notify/metrics.rs by `MCPCTL_BLESS=1 cargo test --test it generated` -->\n";
    const END: &str = "<!-- END metrics -->";
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let (head, rest) = readme
        .split_once(BEGIN)
        .expect("README.md has the BEGIN metrics marker");
    let (_, tail) = rest
        .split_once(END)
        .expect("README.md has the END metrics marker");
    let table = mcpctl::notify::metrics::markdown();
    check("README.md", &format!("{head}{BEGIN}{table}{END}{tail}"));
}

#[test]
fn the_readme_exit_code_table_is_the_one_in_the_code() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    for code in mcpctl::exit::Code::ALL {
        let row = format!("| {} | {} |", code.as_u8(), code.meaning());
        assert!(readme.contains(&row), "README.md lacks the row {row}");
    }
}

/// A report names its schema, and that schema is committed: a normal run's and a run that could
/// not start.
#[test]
fn reports_name_a_committed_schema() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ok = crate::Test::new()
        .config("[servers.a]\ncommand = \"true\"\n")
        .args(&["emergency", "--status", "--json"])
        .run();
    let failed = crate::Test::new()
        .args(&["--config", "/nonexistent/mcpctl.toml", "backup", "--json"])
        .run();
    failed.stderr_contains("mcpctl: cannot read config /nonexistent/mcpctl.toml");
    for (run, name) in [(&ok, "emergency"), (&failed, "error")] {
        let schema = run.json()["schema"].as_str().unwrap().to_owned();
        assert_eq!(schema, format!("docs/schema/{name}.json"));
        assert!(repo.join(&schema).is_file(), "{schema} is not committed");
    }
}
