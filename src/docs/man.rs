//! The man pages: clap_mangen's parts, a synopsis that is the real command line, and the
//! sections a man page owes its reader (EXIT STATUS from `exit::Code`, FILES, ENVIRONMENT,
//! EXAMPLES, SEE ALSO).

use crate::exit::Code;

/// clap_mangen's title, name, description and options (the globals under their own heading),
/// with a synopsis that is the real command line and the sections a man page owes its reader.
pub(crate) fn man_page(cmd: &clap::Command, page: Option<&str>) -> std::io::Result<String> {
    let mut man =
        clap_mangen::Man::new(cmd.clone()).source(format!("mcpctl {}", env!("CARGO_PKG_VERSION")));
    if let Some(page) = page {
        man = man.title(page);
    }
    let mut out = String::new();
    let mut part = |f: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| -> std::io::Result<()> {
        let mut buf = Vec::new();
        f(&mut buf)?;
        let text = String::from_utf8_lossy(&buf).into_owned();
        // Every piece starts with roff's apostrophe preamble; the page needs it once.
        out.push_str(if out.is_empty() {
            &text
        } else {
            text.strip_prefix(PREAMBLE).unwrap_or(&text)
        });
        Ok(())
    };
    part(&|w| man.render_title(w))?;
    part(&|w| man.render_name_section(w))?;
    part(&|w| synopsis(cmd, w))?;
    part(&|w| man.render_description_section(w))?;
    part(&|w| man.render_options_section(w))?;
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        part(&|w| man.render_subcommands_section(w))?;
    }
    let sub = page.map(|_| cmd.get_name());
    part(&|w| sections(sub, w))?;
    part(&|w| man.render_version_section(w))?;
    Ok(out)
}

const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";

/// `mcpctl [GLOBAL OPTIONS] restore [--at ID|TIME] [--list] … TARGET`.
fn synopsis(cmd: &clap::Command, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap_mangen::roff::{Roff, bold, italic, roman};
    let mut line = vec![
        bold("mcpctl"),
        roman(" ["),
        italic("GLOBAL OPTIONS"),
        roman("]"),
    ];
    if cmd.get_name() == "mcpctl" {
        line.extend([
            roman(" "),
            italic("COMMAND"),
            roman(" ["),
            italic("ARGS"),
            roman("]"),
        ]);
    } else {
        line.extend([roman(" "), bold(cmd.get_name())]);
        for arg in cmd
            .get_arguments()
            .filter(|a| !a.is_global_set() && !a.is_hide_set())
        {
            let Some(long) = arg.get_long() else {
                continue;
            };
            if long == "help" || long == "version" {
                continue;
            }
            line.extend([roman(" ["), bold(format!("--{long}"))]);
            if let Some(values) = arg
                .get_value_names()
                .filter(|_| arg.get_action().takes_values())
            {
                line.extend([roman(" "), italic(values.join(" "))]);
            }
            line.push(roman("]"));
        }
        for arg in cmd.get_positionals().filter(|a| !a.is_hide_set()) {
            let name = arg
                .get_value_names()
                .map_or_else(|| arg.get_id().to_string(), |v| v.join(" "));
            let many = matches!(arg.get_action(), clap::ArgAction::Append);
            line.push(roman(" "));
            if arg.is_required_set() {
                line.push(italic(name));
            } else {
                line.extend([roman("["), italic(name), roman("]")]);
            }
            if many {
                line.push(roman("..."));
            }
        }
    }
    let mut roff = Roff::default();
    roff.control("SH", ["SYNOPSIS"]);
    roff.text(line);
    roff.to_writer(w)
}

/// EXIT STATUS, FILES, ENVIRONMENT and EXAMPLES, for the main page (`None`) or a subcommand.
fn sections(sub: Option<&str>, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap_mangen::roff::{Roff, bold, roman};
    let mut roff = Roff::default();
    roff.control("SH", ["EXIT STATUS"]);
    roff.text([roman(
        "The same codes for every subcommand; scripts and monitoring may rely on them.",
    )]);
    for code in Code::ALL {
        roff.control("TP", []);
        roff.text([bold(code.as_u8().to_string())]);
        roff.text([roman(code.meaning())]);
    }
    roff.control("PP", []);
    roff.text([roman(
        "Under --format nagios every early stop (bad config, usage, the lock) exits 3.",
    )]);
    if let Some(note) = sub.and_then(exit_note) {
        roff.control("PP", []);
        roff.text([roman(note)]);
    }
    roff.control("SH", ["FILES"]);
    for (path, what) in FILES.iter().chain(sub.map_or(&[][..], files_of)) {
        roff.control("TP", []);
        roff.text([bold(*path)]);
        roff.text([roman(*what)]);
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for (var, what) in ENVIRONMENT {
        roff.control("TP", []);
        roff.text([bold(*var)]);
        roff.text([roman(*what)]);
    }
    roff.control("SH", ["EXAMPLES"]);
    for (example, what) in examples(sub) {
        roff.control("TP", []);
        roff.text([bold(*example)]);
        roff.text([roman(*what)]);
    }
    roff.control("SH", ["SEE ALSO"]);
    let see: Vec<String> = match sub {
        None => SUBCOMMANDS
            .iter()
            .map(|s| format!("mcpctl-{s}(1)"))
            .collect(),
        Some(_) => vec!["mcpctl(1)".into()],
    };
    roff.text([roman(see.join(", "))]);
    roff.to_writer(w)
}

const SUBCOMMANDS: &[&str] = &[
    "health-check",
    "backup",
    "restore",
    "recover",
    "emergency",
    "gh-watch",
    "fix",
    "report",
    "mcp-server",
];

fn exit_note(sub: &str) -> Option<&'static str> {
    Some(match sub {
        "health-check" => "A critical server down is 2, any other server not healthy is 1.",
        "backup" => {
            "0 when every location was written, 1 when some failed, 2 when none could be; with --check, 1 when some copies are bad and 2 when a target has no good copy left."
        }
        "restore" => "1 when newer copies had to be skipped, 2 when no copy could be restored.",
        "recover" => {
            "By the final state, as health-check: 2 while a critical server is still down."
        }
        "emergency" => {
            "0 in normal mode, 1 with a fallback in use, 2 when a critical server is down with no working fallback."
        }
        "gh-watch" => {
            "1 when failures were recognised or the run was partial (a spent rate limit)."
        }
        "fix" => {
            "1 when something was (or, in a dry run, would be) refused or a budget is spent, 2 when a fix was rolled back."
        }
        "mcp-server" => {
            "0 when the client ends the session; 3 for a config it cannot serve (--http without [mcp_server] token)."
        }
        "report" => {
            "2 while a critical server is down at the end of the window, fallback mode is on or a target has no verified copy; 1 for low uptime, stale backups, bad copies or fallback periods; 3 with no history at all."
        }
        _ => return None,
    })
}

const FILES: &[(&str, &str)] = &[
    (
        "$XDG_CONFIG_HOME/mcpctl/mcpctl.toml, /etc/mcpctl/mcpctl.toml",
        "The config, when --config and MCPCTL_CONFIG name none.",
    ),
    (
        "$XDG_STATE_HOME/mcpctl/",
        "The state directory (--state-dir, MCPCTL_STATE_DIR, or state_dir in the config).",
    ),
    (
        "$STATE/reports/COMMAND/TIME.json, latest.json",
        "Every run's JSON report; the history mcpctl report reads.",
    ),
    (
        "$STATE/locks/",
        "One lock (flock) per server, backup target, fix checkout and shared record, each naming the run that holds it.",
    ),
];

fn files_of(sub: &str) -> &'static [(&'static str, &'static str)] {
    match sub {
        "health-check" | "recover" => &[
            (
                "$STATE/recover/NAME.json",
                "A server's recovery guard: attempts, breaker, pause.",
            ),
            (
                "$STATE/recover/audit.jsonl",
                "Every recovery action, appended.",
            ),
        ],
        "emergency" => &[
            (
                "$STATE/emergency.env",
                "The file the pipeline sources (or [emergency] env_file).",
            ),
            (
                "$STATE/emergency.json",
                "The mode, since when, and how the last period ended.",
            ),
        ],
        "gh-watch" => &[
            (
                "$STATE/gh-watch/seen.json",
                "Run attempts classified already.",
            ),
            (
                "$STATE/gh-watch/history.json",
                "Fingerprints seen, for recurrence and escalation.",
            ),
            (
                "~/.config/mcpctl/patterns/*.yaml",
                "Patterns that add to or replace the shipped ones.",
            ),
        ],
        "mcp-server" => &[(
            "$STATE/mcp-server/audit.jsonl",
            "Every action a client asked for and confirmed.",
        )],
        "fix" => &[
            (
                "$STATE/fix/attempts.json",
                "Attempts per fingerprint, counted before acting.",
            ),
            ("$STATE/fix/history.jsonl", "Every outcome of fix --apply."),
        ],
        "backup" | "restore" => &[(
            "BACKUP_LOCATION/mcpctl-TARGET-TIME-HOST-NONCE.tar.age",
            "One encrypted copy, with its .sha256 sidecar.",
        )],
        _ => &[],
    }
}

const ENVIRONMENT: &[(&str, &str)] = &[
    ("MCPCTL_CONFIG", "The config file, as --config."),
    ("MCPCTL_STATE_DIR", "The state directory, as --state-dir."),
    (
        "MCPCTL_LOG",
        "The log filter on stderr, e.g. debug (as -vv).",
    ),
    (
        "XDG_CONFIG_HOME, XDG_STATE_HOME, HOME",
        "Where the config and the state are by default.",
    ),
    (
        "DOCKER_HOST",
        "The container engine socket, Docker or Podman.",
    ),
    (
        "NO_COLOR",
        "No colour in logs even on a terminal (there is none off a terminal).",
    ),
];

/// Per page (`""` is mcpctl(1)): a command line and what it does.
const EXAMPLES: &[(&str, &[(&str, &str)])] = &[
    (
        "",
        &[
            (
                "mcpctl health-check",
                "Probe every server; quiet under cron when all is well.",
            ),
            (
                "mcpctl --format nagios health-check",
                "One Monitoring Plugins line and its exit code.",
            ),
            (
                "mcpctl report --since 24h",
                "Uptime, MTTR, backups and CI for the last day.",
            ),
        ],
    ),
    (
        "health-check",
        &[
            (
                "mcpctl health-check --format table",
                "A table of every server, on a pipe too.",
            ),
            (
                "mcpctl health-check --recover",
                "Probe, climb the recovery ladders, exit by the final state.",
            ),
            (
                "mcpctl health-check --list",
                "The servers and where each was found, probing none.",
            ),
        ],
    ),
    (
        "backup",
        &[
            ("mcpctl backup", "Back up every target whose files changed."),
            (
                "mcpctl backup --check",
                "Read back and verify every stored copy.",
            ),
        ],
    ),
    (
        "restore",
        &[
            (
                "mcpctl restore cursor_mcp --dry-run",
                "Which files and keys would change.",
            ),
            (
                "mcpctl restore cursor_mcp --list",
                "The candidate copies and their state.",
            ),
        ],
    ),
    (
        "recover",
        &[
            (
                "mcpctl recover --all-failed --dry-run",
                "The plan for every failing server; nothing is done.",
            ),
            (
                "mcpctl recover jira",
                "Climb jira's ladder within its guards.",
            ),
            (
                "mcpctl recover --pause jira --for 2h",
                "Maintenance: no recovery of jira for two hours.",
            ),
        ],
    ),
    (
        "emergency",
        &[
            (
                "mcpctl emergency",
                "Probe the critical servers and write the env file.",
            ),
            (
                "mcpctl emergency --status",
                "The mode as last recorded; probes nothing.",
            ),
        ],
    ),
    (
        "gh-watch",
        &[
            (
                "mcpctl gh-watch",
                "Classify the new failed runs of every configured repository.",
            ),
            (
                "gh run view 123 --log-failed | mcpctl gh-watch --log -",
                "Classify one log offline.",
            ),
        ],
    ),
    (
        "fix",
        &[
            (
                "mcpctl fix",
                "Dry run: the plan, the diff, and what --apply would refuse.",
            ),
            (
                "mcpctl fix --apply --fingerprint 3f2a9c01",
                "Act on one issue.",
            ),
        ],
    ),
    (
        "report",
        &[
            (
                "mcpctl report --since 30d --format markdown",
                "A summary for Slack or a pull request.",
            ),
            (
                "mcpctl report --prune 90d",
                "Delete stored reports the figures no longer need.",
            ),
        ],
    ),
    (
        "mcp-server",
        &[
            (
                "mcpctl mcp-server",
                "Serve the checks over stdio, for a client that starts mcpctl.",
            ),
            (
                "mcpctl mcp-server --http 127.0.0.1:8765",
                "Serve Streamable HTTP; clients need the [mcp_server] token.",
            ),
        ],
    ),
];

fn examples(sub: Option<&str>) -> &'static [(&'static str, &'static str)] {
    let key = sub.unwrap_or("");
    EXAMPLES
        .iter()
        .find(|(page, _)| *page == key)
        .map_or(&[], |(_, list)| list)
}
