//! The macOS schedule: the LaunchAgents in scripts/launchd/ read with Python's plistlib, and
//! scripts/install.sh's steps on each system (`MCPCTL_INSTALL_OS` stands for `uname -s`), with
//! stub `launchctl` and `plutil` where a real install is run.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a Python script with plistlib; its stdout is JSON.
fn python(script: &str, args: &[&Path]) -> serde_json::Value {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const LOAD: &str = r#"
import json, plistlib, sys
out = {}
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        out[path.rsplit("/", 1)[1]] = plistlib.load(f)
print(json.dumps(out))
"#;

fn uid() -> String {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn plists(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "plist"))
        .collect();
    v.sort();
    v
}

/// The systemd unit's `ExecStart=` words after the binary.
fn exec_start(unit: &str) -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("scripts/systemd").join(unit)).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .unwrap();
    line.split_whitespace().skip(1).map(str::to_owned).collect()
}

#[test]
fn launch_agents_parse_with_plistlib_and_say_what_they_must() {
    let files = plists(&repo().join("scripts/launchd"));
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let all = python(LOAD, &refs);
    let names: Vec<&String> = all.as_object().unwrap().keys().collect();
    assert_eq!(
        names,
        [
            "mcpctl.backup-check.plist",
            "mcpctl.health-check.plist",
            "mcpctl.pre-analysis.plist"
        ]
    );
    for (name, p) in all.as_object().unwrap() {
        assert_eq!(p["Label"], name.trim_end_matches(".plist"), "{name}");
        assert_eq!(p["ProcessType"], "Background", "{name}");
        assert_eq!(p["RunAtLoad"], false, "{name}");
        for key in ["StandardOutPath", "StandardErrorPath"] {
            let log = p[key].as_str().unwrap();
            assert!(
                log.starts_with("@LOGS@/")
                    && Path::new(log).extension().is_some_and(|e| e == "log"),
                "{name}: {log}"
            );
        }
        let when = p["StartCalendarInterval"].as_object().unwrap();
        for (k, v) in when {
            assert!(
                ["Minute", "Hour", "Day", "Weekday", "Month"].contains(&k.as_str()),
                "{name}: {k}"
            );
            assert!(v.is_u64(), "{name}: {k}");
        }
        assert!(p["EnvironmentVariables"]["PATH"] == "@PATH@", "{name}");
    }
    // Hourly, daily, weekly: the systemd timers' schedule, the same commands as their units.
    let health = &all["mcpctl.health-check.plist"];
    assert_eq!(
        health["StartCalendarInterval"],
        serde_json::json!({"Minute": 5})
    );
    let args: Vec<&str> = health["ProgramArguments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args[0], "@BIN@");
    assert_eq!(args[1..], exec_start("mcpctl-health.service"));
    let check = &all["mcpctl.backup-check.plist"];
    assert_eq!(
        check["StartCalendarInterval"],
        serde_json::json!({"Weekday": 0, "Hour": 3, "Minute": 30})
    );
    let args: Vec<&str> = check["ProgramArguments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args[1..], exec_start("mcpctl-backup-check.service"));
    assert_eq!(check["Nice"], 19);
    assert_eq!(check["LowPriorityIO"], true);
    let hook = &all["mcpctl.pre-analysis.plist"];
    assert_eq!(
        hook["ProgramArguments"],
        serde_json::json!(["/bin/bash", "@HOOK@"])
    );
    assert_eq!(hook["EnvironmentVariables"]["MCPCTL"], "@BIN@");
    let when = hook["StartCalendarInterval"].as_object().unwrap();
    assert!(when.contains_key("Hour") && !when.contains_key("Weekday"));
}

/// install.sh with `MCPCTL_INSTALL_OS`, a stub binary, and `extra_path` first on PATH.
fn install(os: &str, home: &Path, extra_path: Option<&Path>, args: &[&str]) -> Output {
    let tmp = home.parent().unwrap();
    let bin = tmp.join("stub-mcpctl");
    std::fs::write(&bin, "#!/bin/sh\necho stub\n").unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = std::env::var("PATH").unwrap_or_default();
    let path = match extra_path {
        Some(p) => format!("{}:{path}", p.display()),
        None => path,
    };
    Command::new("bash")
        .arg(repo().join("scripts/install.sh"))
        .args(args)
        .env("MCPCTL_INSTALL_OS", os)
        .env("HOME", home)
        .env("MCPCTL_BIN", &bin)
        .env("PATH", path)
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .unwrap()
}

#[test]
fn install_sh_dry_run_prints_each_systems_steps() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let uid = uid();

    let out = install("Darwin", &home, None, &["--dry-run", "--schedule"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let h = home.display();
    for label in ["health-check", "pre-analysis", "backup-check"] {
        let plist = format!("{h}/Library/LaunchAgents/mcpctl.{label}.plist");
        for step in [
            format!("> {plist}"),
            format!("plutil -lint {plist}"),
            format!("launchctl bootout gui/{uid}/mcpctl.{label} || true"),
            format!("launchctl bootstrap gui/{uid} {plist}"),
        ] {
            assert!(text.contains(&step), "{step} missing from:\n{text}");
        }
    }
    for step in [
        format!(
            "install -m 0755 {}/stub-mcpctl {h}/.local/bin/mcpctl",
            tmp.path().display()
        ),
        format!("{h}/.local/libexec/mcpctl/peds-pre-analysis.sh"),
        format!("mkdir -p {h}/Library/Logs/mcpctl"),
    ] {
        assert!(text.contains(&step), "{step} missing from:\n{text}");
    }
    assert!(!text.contains("systemctl"), "{text}");
    assert!(!home.exists(), "a dry run writes nothing");

    let out = install("Linux", &home, None, &["--dry-run", "--schedule"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for step in [
        format!("{h}/.config/systemd/user/mcpctl-health.timer"),
        format!("{h}/.config/systemd/user/mcpctl-backup-check.service"),
        "systemctl --user enable --now mcpctl-health.timer".to_owned(),
    ] {
        assert!(text.contains(&step), "{step} missing from:\n{text}");
    }
    assert!(
        !text.contains("launchctl") && !text.contains("LaunchAgents"),
        "{text}"
    );
    assert!(!home.exists(), "a dry run writes nothing");

    // Each system's own flag.
    let out = install("Darwin", &home, None, &["--dry-run", "--systemd"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--schedule installs LaunchAgents"));
    let out = install("Linux", &home, None, &["--dry-run", "--systemd"]);
    assert!(out.status.success());
}

#[test]
fn install_sh_on_macos_writes_agents_launchd_can_load() {
    let tmp = tempfile::tempdir().unwrap();
    // launchd takes no ~ or $HOME: the paths are written in, XML-escaped.
    let home = tmp.path().join("Jo & <Co> home");
    let stubs = tmp.path().join("stubs");
    std::fs::create_dir_all(&stubs).unwrap();
    let calls = tmp.path().join("calls");
    for tool in ["launchctl", "plutil"] {
        let stub = stubs.join(tool);
        std::fs::write(
            &stub,
            format!("#!/bin/sh\necho \"{tool} $*\" >> '{}'\n", calls.display()),
        )
        .unwrap();
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = install("Darwin", &home, Some(&stubs), &["--schedule"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let agents = home.join("Library/LaunchAgents");
    let files = plists(&agents);
    assert_eq!(files.len(), 3);
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let all = python(LOAD, &refs);
    let h = home.display().to_string();
    let bin = format!("{h}/.local/bin/mcpctl");
    let logs = format!("{h}/Library/Logs/mcpctl");
    for (name, p) in all.as_object().unwrap() {
        let text = p.to_string();
        assert!(!text.contains('@'), "{name}: a placeholder is left: {text}");
        assert!(
            p["StandardOutPath"].as_str().unwrap().starts_with(&logs),
            "{name}"
        );
        assert!(
            p["EnvironmentVariables"]["PATH"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{h}/.local/bin:")),
            "{name}"
        );
        assert_eq!(
            std::fs::metadata(agents.join(name))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o644
        );
    }
    assert_eq!(
        all["mcpctl.health-check.plist"]["ProgramArguments"][0],
        bin.as_str()
    );
    let hook = format!("{h}/.local/libexec/mcpctl/peds-pre-analysis.sh");
    assert_eq!(
        all["mcpctl.pre-analysis.plist"]["ProgramArguments"][1],
        hook.as_str()
    );
    assert_eq!(
        all["mcpctl.pre-analysis.plist"]["EnvironmentVariables"]["MCPCTL"],
        bin.as_str()
    );
    assert!(std::fs::metadata(&hook).unwrap().permissions().mode() & 0o111 != 0);
    assert!(home.join("Library/Logs/mcpctl").is_dir());

    let uid = uid();
    let calls = std::fs::read_to_string(&calls).unwrap();
    for label in ["health-check", "pre-analysis", "backup-check"] {
        let plist = agents.join(format!("mcpctl.{label}.plist"));
        for call in [
            format!("plutil -lint {}", plist.display()),
            format!("launchctl bootout gui/{uid}/mcpctl.{label}"),
            format!("launchctl bootstrap gui/{uid} {}", plist.display()),
        ] {
            assert!(calls.contains(&call), "{call} missing from:\n{calls}");
        }
    }
}
