
use builtin;
use str;

set edit:completion:arg-completer[mcpctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'mcpctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'mcpctl'= {
            cand -c 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --config 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --state-dir 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]'
            cand --report 'Write the JSON report here instead of the state directory'
            cand --format 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]'
            cand --wait-lock 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)'
            cand --json 'Print the JSON report on stdout (same as --format json)'
            cand -q 'Print nothing when all is ok'
            cand --quiet 'Print nothing when all is ok'
            cand -v 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand --verbose 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand health-check 'Probe every configured and discovered MCP server with a real handshake'
            cand backup 'Make age-encrypted, verified backups of configs and credentials'
            cand restore 'Restore a backup target from the newest valid copy'
            cand recover 'Run the guarded recovery ladder for failed servers'
            cand emergency 'Switch the pipeline to fallback mode while critical servers stay down'
            cand gh-watch 'Find failed GitHub Actions runs and classify why they failed'
            cand fix 'Apply the matched fix recipe in a git checkout (dry-run by default)'
            cand report 'Reliability figures from the stored reports'
            cand mcp-server 'Serve mcpctl''s checks, and the actions the config allows, to MCP clients (stdio or HTTP)'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page, or write every page into a directory'
            cand schema 'Print the JSON Schema of health-check''s report, or write every report''s into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mcpctl;health-check'= {
            cand --from 'Import servers from this MCP client config file (any supported client format); repeatable'
            cand -s 'Probe only these servers; repeatable'
            cand --server 'Probe only these servers; repeatable'
            cand --deadline 'Deadline for the whole run (e.g. 90s) [default: from config, else 2m]'
            cand --accept-drift 'Probe these servers now and take their tools as the new baseline (the old one is kept in the baseline file''s history)'
            cand --doctor 'Probe one server step by step (resolve, connect, TLS, HTTP, version, auth; for stdio the PATH, exec, launcher, handshake) and print each step with its time, failing or not'
            cand --watch 'Keep watching: a pass every INTERVAL (e.g. 30s), and at once when a configured container dies, is killed or stopped, runs out of memory or turns unhealthy; until SIGINT or SIGTERM (exit 130) or the end of --while-pid''s process'
            cand --while-pid 'With --watch: end when this process exits, and exit by the worst state seen (0, 1 or 2)'
            cand -c 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --config 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --state-dir 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]'
            cand --report 'Write the JSON report here instead of the state directory'
            cand --format 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]'
            cand --wait-lock 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)'
            cand --list 'Only list the resolved servers (name, transport, sources); probe nothing'
            cand --discover 'Also probe servers found in MCP client configs (the default when no config file exists)'
            cand --no-discover 'Do not read MCP client configs'
            cand --check-modern 'Also ask each stdio server, in a separate spawn, whether it speaks the 2026-07-28 era'
            cand --recover 'Run the recovery ladder for failed servers, re-probe, and exit by the final state'
            cand --json 'Print the JSON report on stdout (same as --format json)'
            cand -q 'Print nothing when all is ok'
            cand --quiet 'Print nothing when all is ok'
            cand -v 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand --verbose 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpctl;backup'= {
            cand -c 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --config 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --state-dir 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]'
            cand --report 'Write the JSON report here instead of the state directory'
            cand --format 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]'
            cand --wait-lock 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)'
            cand --check 'Verify every stored backup at every location (sidecar, decryption, manifest hashes)'
            cand --force 'Back up even when nothing changed since the newest backup'
            cand --allow-invalid 'Back up files that fail their format validation (normally refused: that is the corruption backups guard against)'
            cand --allow-unsigned 'With --check: accept copies made before backups were signed (with a warning)'
            cand --json 'Print the JSON report on stdout (same as --format json)'
            cand -q 'Print nothing when all is ok'
            cand --quiet 'Print nothing when all is ok'
            cand -v 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand --verbose 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpctl;restore'= {
            cand --at 'Restore this backup (its id, or the newest one at or before a time like 2026-11-24T08:00:00Z)'
            cand --to 'Restore into this directory instead of the original paths'
            cand -c 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --config 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --state-dir 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]'
            cand --report 'Write the JSON report here instead of the state directory'
            cand --format 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]'
            cand --wait-lock 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)'
            cand --list 'List the candidate backups with their verification state; restore nothing'
            cand --dry-run 'Show which files would change, with a diff of changed keys (values redacted)'
            cand --if-invalid 'Restore only if the current files fail validation (for cron and recover)'
            cand --allow-unsigned 'Accept copies made before backups were signed (with a warning); for migration only'
            cand --json 'Print the JSON report on stdout (same as --format json)'
            cand -q 'Print nothing when all is ok'
            cand --quiet 'Print nothing when all is ok'
            cand -v 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand --verbose 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpctl;recover'= {
            cand --for 'How long --pause lasts (e.g. 2h)'
            cand --deadline 'Deadline for the first probe of all servers (e.g. 90s) [default: from config, else 2m]'
            cand -c 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --config 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --state-dir 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]'
            cand --report 'Write the JSON report here instead of the state directory'
            cand --format 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]'
            cand --wait-lock 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)'
            cand --all-failed 'Every configured server that is failing'
            cand --dry-run 'Print the plan and touch nothing'
            cand --reset 'Close the circuit breaker of the named servers and forget their attempts'
            cand --pause 'Pause recovery of the named servers for maintenance (with --for)'
            cand --resume 'End a pause early'
            cand --json 'Print the JSON report on stdout (same as --format json)'
            cand -q 'Print nothing when all is ok'
            cand --quiet 'Print nothing when all is ok'
            cand -v 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand --verbose 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpctl;emergency'= {
            cand --deadline 'Deadline for probing the critical servers (e.g. 90s) [default: from config, else 2m]'
            cand -c 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --config 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --state-dir 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]'
            cand --report 'Write the JSON report here instead of the state directory'
            cand --format 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]'
            cand --wait-lock 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)'
            cand --status 'Show the current mode from the last run; probe nothing'
            cand --clear 'Return to normal mode now (every server back to `mcp`)'
            cand --json 'Print the JSON report on stdout (same as --format json)'
            cand -q 'Print nothing when all is ok'
            cand --quiet 'Print nothing when all is ok'
            cand -v 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand --verbose 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpctl;gh-watch'= {
            cand --log 'Classify this log offline, with no network (`-` reads stdin, e.g. from `gh run view --log-failed`)'
            cand --patterns-dir 'Another directory of pattern files (repeatable); its ids replace shipped ones'
            cand --repo 'The repository the log belongs to, for fingerprints (owner/name)'
            cand --workflow 'The workflow the log belongs to, for fingerprints'
            cand --job 'The job the log belongs to, for fingerprints'
            cand --watch 'Run again every INTERVAL (e.g. 10m) in the foreground, with a report each time, until SIGINT or SIGTERM'
            cand -c 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --config 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --state-dir 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]'
            cand --report 'Write the JSON report here instead of the state directory'
            cand --format 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]'
            cand --wait-lock 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)'
            cand --check-patterns 'Lint every pattern file and run its fixtures'
            cand --explain 'With --log: show, for each issue, the pattern and its file, the regex, the line and the captures, and the matches that ranked lower and why'
            cand --failed 'With --log: the job is known to have failed (the log came from a failed run), so a failure the log does not mark still gets its cause'
            cand --all 'Classify runs seen before too (normally each run is classified once)'
            cand --json 'Print the JSON report on stdout (same as --format json)'
            cand -q 'Print nothing when all is ok'
            cand --quiet 'Print nothing when all is ok'
            cand -v 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand --verbose 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpctl;fix'= {
            cand --from 'Read the issues from this gh-watch report [default: the newest stored one]'
            cand --fingerprint 'Only the issue with this fingerprint (or its first 6+ characters)'
            cand -c 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --config 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --state-dir 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]'
            cand --report 'Write the JSON report here instead of the state directory'
            cand --format 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]'
            cand --wait-lock 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)'
            cand --apply 'Act: branch, apply, verify, commit, then open a pull request, push or re-run, as [fix] mode says [default: a dry run that prints the plan and the diff]'
            cand --history 'Show every fix attempted so far (with --json as JSON); change nothing'
            cand --propose 'For failures no recipe covers: ask [fix.proposer] for a patch. Alone, shows the prompt that would be sent; with --call also calls and shows the validated diff; with --apply applies, verifies and opens a pull request'
            cand --call 'With --propose: call the proposer and show its validated diff, applying nothing (the call counts toward max_calls_per_day)'
            cand --json 'Print the JSON report on stdout (same as --format json)'
            cand -q 'Print nothing when all is ok'
            cand --quiet 'Print nothing when all is ok'
            cand -v 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand --verbose 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpctl;report'= {
            cand --since 'The window: this long before --to or now (e.g. 24h, 7d, 30d) [default: 7d]'
            cand --from 'Start of the window (RFC 3339 like 2026-11-01T00:00:00Z, or a date like 2026-11-01)'
            cand --to 'End of the window [default: now]'
            cand -s 'Only these servers; repeatable'
            cand --server 'Only these servers; repeatable'
            cand --prune 'Delete stored reports older than this (e.g. 90d), keeping those the figures still need'
            cand --refresh 'With --format html: the page reloads itself every SECONDS, so a browser tab on the stored page stays live while a watch runs'
            cand -c 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --config 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --state-dir 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]'
            cand --report 'Write the JSON report here instead of the state directory'
            cand --format 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]'
            cand --wait-lock 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)'
            cand --notify 'Post the summary through the [notify] channels (Slack always, whatever the status)'
            cand --json 'Print the JSON report on stdout (same as --format json)'
            cand -q 'Print nothing when all is ok'
            cand --quiet 'Print nothing when all is ok'
            cand -v 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand --verbose 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpctl;mcp-server'= {
            cand --http 'Serve Streamable HTTP on this address (e.g. 127.0.0.1:8765; port 0 picks one) instead of stdio; needs [mcp_server] token'
            cand -c 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --config 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --state-dir 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]'
            cand --report 'Write the JSON report here instead of the state directory'
            cand --format 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]'
            cand --wait-lock 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)'
            cand --allow-remote 'Allow --http on an address that is not loopback'
            cand --json 'Print the JSON report on stdout (same as --format json)'
            cand -q 'Print nothing when all is ok'
            cand --quiet 'Print nothing when all is ok'
            cand -v 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand --verbose 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpctl;completions'= {
            cand -c 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --config 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --state-dir 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]'
            cand --report 'Write the JSON report here instead of the state directory'
            cand --format 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]'
            cand --wait-lock 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)'
            cand --json 'Print the JSON report on stdout (same as --format json)'
            cand -q 'Print nothing when all is ok'
            cand --quiet 'Print nothing when all is ok'
            cand -v 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand --verbose 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpctl;man'= {
            cand --out-dir 'Write mcpctl.1 and one page per subcommand into this directory'
            cand -c 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --config 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --state-dir 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]'
            cand --report 'Write the JSON report here instead of the state directory'
            cand --format 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]'
            cand --wait-lock 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)'
            cand --json 'Print the JSON report on stdout (same as --format json)'
            cand -q 'Print nothing when all is ok'
            cand --quiet 'Print nothing when all is ok'
            cand -v 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand --verbose 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpctl;schema'= {
            cand --out-dir 'Write `<command>.json` for every report into DIR'
            cand -c 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --config 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]'
            cand --state-dir 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]'
            cand --report 'Write the JSON report here instead of the state directory'
            cand --format 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]'
            cand --wait-lock 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)'
            cand --json 'Print the JSON report on stdout (same as --format json)'
            cand -q 'Print nothing when all is ok'
            cand --quiet 'Print nothing when all is ok'
            cand -v 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand --verbose 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpctl;help'= {
            cand health-check 'Probe every configured and discovered MCP server with a real handshake'
            cand backup 'Make age-encrypted, verified backups of configs and credentials'
            cand restore 'Restore a backup target from the newest valid copy'
            cand recover 'Run the guarded recovery ladder for failed servers'
            cand emergency 'Switch the pipeline to fallback mode while critical servers stay down'
            cand gh-watch 'Find failed GitHub Actions runs and classify why they failed'
            cand fix 'Apply the matched fix recipe in a git checkout (dry-run by default)'
            cand report 'Reliability figures from the stored reports'
            cand mcp-server 'Serve mcpctl''s checks, and the actions the config allows, to MCP clients (stdio or HTTP)'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page, or write every page into a directory'
            cand schema 'Print the JSON Schema of health-check''s report, or write every report''s into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mcpctl;help;health-check'= {
        }
        &'mcpctl;help;backup'= {
        }
        &'mcpctl;help;restore'= {
        }
        &'mcpctl;help;recover'= {
        }
        &'mcpctl;help;emergency'= {
        }
        &'mcpctl;help;gh-watch'= {
        }
        &'mcpctl;help;fix'= {
        }
        &'mcpctl;help;report'= {
        }
        &'mcpctl;help;mcp-server'= {
        }
        &'mcpctl;help;completions'= {
        }
        &'mcpctl;help;man'= {
        }
        &'mcpctl;help;schema'= {
        }
        &'mcpctl;help;help'= {
        }
    ]
    $completions[$command]
}
