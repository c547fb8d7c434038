# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mcpctl_global_optspecs
    string join \n c/config= state-dir= report= json format= q/quiet v/verbose wait-lock= h/help V/version
end

function __fish_mcpctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mcpctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mcpctl_using_subcommand
    set -l cmd (__fish_mcpctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mcpctl -n "__fish_mcpctl_needs_command" -s c -l config -d 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]' -r -F
complete -c mcpctl -n "__fish_mcpctl_needs_command" -l state-dir -d 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]' -r -F
complete -c mcpctl -n "__fish_mcpctl_needs_command" -l report -d 'Write the JSON report here instead of the state directory' -r -F
complete -c mcpctl -n "__fish_mcpctl_needs_command" -l format -d 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]' -r -f -a "table\t''
json\t''
nagios\t''
markdown\t'`report` only: a markdown summary for Slack or a pull request'
html\t'`report` only: one self-contained HTML page with charts'"
complete -c mcpctl -n "__fish_mcpctl_needs_command" -l wait-lock -d 'Wait this long for another run\'s lock instead of exiting 75 (e.g. 30s, 5m)' -r
complete -c mcpctl -n "__fish_mcpctl_needs_command" -l json -d 'Print the JSON report on stdout (same as --format json)'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -s q -l quiet -d 'Print nothing when all is ok'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -s V -l version -d 'Print version'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -f -a "health-check" -d 'Probe every configured and discovered MCP server with a real handshake'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -f -a "backup" -d 'Make age-encrypted, verified backups of configs and credentials'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -f -a "restore" -d 'Restore a backup target from the newest valid copy'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -f -a "recover" -d 'Run the guarded recovery ladder for failed servers'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -f -a "emergency" -d 'Switch the pipeline to fallback mode while critical servers stay down'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -f -a "gh-watch" -d 'Find failed GitHub Actions runs and classify why they failed'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -f -a "fix" -d 'Apply the matched fix recipe in a git checkout (dry-run by default)'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -f -a "report" -d 'Reliability figures from the stored reports'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -f -a "mcp-server" -d 'Serve mcpctl\'s checks, and the actions the config allows, to MCP clients (stdio or HTTP)'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -f -a "man" -d 'Print the man page, or write every page into a directory'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -f -a "schema" -d 'Print the JSON Schema of health-check\'s report, or write every report\'s into a directory'
complete -c mcpctl -n "__fish_mcpctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l from -d 'Import servers from this MCP client config file (any supported client format); repeatable' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -s s -l server -d 'Probe only these servers; repeatable' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l deadline -d 'Deadline for the whole run (e.g. 90s) [default: from config, else 2m]' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l accept-drift -d 'Probe these servers now and take their tools as the new baseline (the old one is kept in the baseline file\'s history)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l doctor -d 'Probe one server step by step (resolve, connect, TLS, HTTP, version, auth; for stdio the PATH, exec, launcher, handshake) and print each step with its time, failing or not' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l watch -d 'Keep watching: a pass every INTERVAL (e.g. 30s), and at once when a configured container dies, is killed or stopped, runs out of memory or turns unhealthy; until SIGINT or SIGTERM (exit 130) or the end of --while-pid\'s process' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l while-pid -d 'With --watch: end when this process exits, and exit by the worst state seen (0, 1 or 2)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -s c -l config -d 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l state-dir -d 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l report -d 'Write the JSON report here instead of the state directory' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l format -d 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]' -r -f -a "table\t''
json\t''
nagios\t''
markdown\t'`report` only: a markdown summary for Slack or a pull request'
html\t'`report` only: one self-contained HTML page with charts'"
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l wait-lock -d 'Wait this long for another run\'s lock instead of exiting 75 (e.g. 30s, 5m)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l list -d 'Only list the resolved servers (name, transport, sources); probe nothing'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l discover -d 'Also probe servers found in MCP client configs (the default when no config file exists)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l no-discover -d 'Do not read MCP client configs'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l check-modern -d 'Also ask each stdio server, in a separate spawn, whether it speaks the 2026-07-28 era'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l recover -d 'Run the recovery ladder for failed servers, re-probe, and exit by the final state'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -l json -d 'Print the JSON report on stdout (same as --format json)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -s q -l quiet -d 'Print nothing when all is ok'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand health-check" -s V -l version -d 'Print version'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand backup" -s c -l config -d 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand backup" -l state-dir -d 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand backup" -l report -d 'Write the JSON report here instead of the state directory' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand backup" -l format -d 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]' -r -f -a "table\t''
json\t''
nagios\t''
markdown\t'`report` only: a markdown summary for Slack or a pull request'
html\t'`report` only: one self-contained HTML page with charts'"
complete -c mcpctl -n "__fish_mcpctl_using_subcommand backup" -l wait-lock -d 'Wait this long for another run\'s lock instead of exiting 75 (e.g. 30s, 5m)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand backup" -l check -d 'Verify every stored backup at every location (sidecar, decryption, manifest hashes)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand backup" -l force -d 'Back up even when nothing changed since the newest backup'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand backup" -l allow-invalid -d 'Back up files that fail their format validation (normally refused: that is the corruption backups guard against)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand backup" -l allow-unsigned -d 'With --check: accept copies made before backups were signed (with a warning)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand backup" -l json -d 'Print the JSON report on stdout (same as --format json)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand backup" -s q -l quiet -d 'Print nothing when all is ok'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand backup" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand backup" -s V -l version -d 'Print version'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -l at -d 'Restore this backup (its id, or the newest one at or before a time like 2026-11-24T08:00:00Z)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -l to -d 'Restore into this directory instead of the original paths' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -s c -l config -d 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -l state-dir -d 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -l report -d 'Write the JSON report here instead of the state directory' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -l format -d 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]' -r -f -a "table\t''
json\t''
nagios\t''
markdown\t'`report` only: a markdown summary for Slack or a pull request'
html\t'`report` only: one self-contained HTML page with charts'"
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -l wait-lock -d 'Wait this long for another run\'s lock instead of exiting 75 (e.g. 30s, 5m)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -l list -d 'List the candidate backups with their verification state; restore nothing'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -l dry-run -d 'Show which files would change, with a diff of changed keys (values redacted)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -l if-invalid -d 'Restore only if the current files fail validation (for cron and recover)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -l allow-unsigned -d 'Accept copies made before backups were signed (with a warning); for migration only'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -l json -d 'Print the JSON report on stdout (same as --format json)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -s q -l quiet -d 'Print nothing when all is ok'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand restore" -s V -l version -d 'Print version'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -l for -d 'How long --pause lasts (e.g. 2h)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -l deadline -d 'Deadline for the first probe of all servers (e.g. 90s) [default: from config, else 2m]' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -s c -l config -d 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -l state-dir -d 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -l report -d 'Write the JSON report here instead of the state directory' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -l format -d 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]' -r -f -a "table\t''
json\t''
nagios\t''
markdown\t'`report` only: a markdown summary for Slack or a pull request'
html\t'`report` only: one self-contained HTML page with charts'"
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -l wait-lock -d 'Wait this long for another run\'s lock instead of exiting 75 (e.g. 30s, 5m)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -l all-failed -d 'Every configured server that is failing'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -l dry-run -d 'Print the plan and touch nothing'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -l reset -d 'Close the circuit breaker of the named servers and forget their attempts'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -l pause -d 'Pause recovery of the named servers for maintenance (with --for)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -l resume -d 'End a pause early'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -l json -d 'Print the JSON report on stdout (same as --format json)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -s q -l quiet -d 'Print nothing when all is ok'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand recover" -s V -l version -d 'Print version'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand emergency" -l deadline -d 'Deadline for probing the critical servers (e.g. 90s) [default: from config, else 2m]' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand emergency" -s c -l config -d 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand emergency" -l state-dir -d 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand emergency" -l report -d 'Write the JSON report here instead of the state directory' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand emergency" -l format -d 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]' -r -f -a "table\t''
json\t''
nagios\t''
markdown\t'`report` only: a markdown summary for Slack or a pull request'
html\t'`report` only: one self-contained HTML page with charts'"
complete -c mcpctl -n "__fish_mcpctl_using_subcommand emergency" -l wait-lock -d 'Wait this long for another run\'s lock instead of exiting 75 (e.g. 30s, 5m)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand emergency" -l status -d 'Show the current mode from the last run; probe nothing'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand emergency" -l clear -d 'Return to normal mode now (every server back to `mcp`)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand emergency" -l json -d 'Print the JSON report on stdout (same as --format json)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand emergency" -s q -l quiet -d 'Print nothing when all is ok'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand emergency" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand emergency" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand emergency" -s V -l version -d 'Print version'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l log -d 'Classify this log offline, with no network (`-` reads stdin, e.g. from `gh run view --log-failed`)' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l patterns-dir -d 'Another directory of pattern files (repeatable); its ids replace shipped ones' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l repo -d 'The repository the log belongs to, for fingerprints (owner/name)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l workflow -d 'The workflow the log belongs to, for fingerprints' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l job -d 'The job the log belongs to, for fingerprints' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l watch -d 'Run again every INTERVAL (e.g. 10m) in the foreground, with a report each time, until SIGINT or SIGTERM' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -s c -l config -d 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l state-dir -d 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l report -d 'Write the JSON report here instead of the state directory' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l format -d 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]' -r -f -a "table\t''
json\t''
nagios\t''
markdown\t'`report` only: a markdown summary for Slack or a pull request'
html\t'`report` only: one self-contained HTML page with charts'"
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l wait-lock -d 'Wait this long for another run\'s lock instead of exiting 75 (e.g. 30s, 5m)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l check-patterns -d 'Lint every pattern file and run its fixtures'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l explain -d 'With --log: show, for each issue, the pattern and its file, the regex, the line and the captures, and the matches that ranked lower and why'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l failed -d 'With --log: the job is known to have failed (the log came from a failed run), so a failure the log does not mark still gets its cause'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l all -d 'Classify runs seen before too (normally each run is classified once)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -l json -d 'Print the JSON report on stdout (same as --format json)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -s q -l quiet -d 'Print nothing when all is ok'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand gh-watch" -s V -l version -d 'Print version'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -l from -d 'Read the issues from this gh-watch report [default: the newest stored one]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -l fingerprint -d 'Only the issue with this fingerprint (or its first 6+ characters)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -s c -l config -d 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -l state-dir -d 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -l report -d 'Write the JSON report here instead of the state directory' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -l format -d 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]' -r -f -a "table\t''
json\t''
nagios\t''
markdown\t'`report` only: a markdown summary for Slack or a pull request'
html\t'`report` only: one self-contained HTML page with charts'"
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -l wait-lock -d 'Wait this long for another run\'s lock instead of exiting 75 (e.g. 30s, 5m)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -l apply -d 'Act: branch, apply, verify, commit, then open a pull request, push or re-run, as [fix] mode says [default: a dry run that prints the plan and the diff]'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -l history -d 'Show every fix attempted so far (with --json as JSON); change nothing'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -l propose -d 'For failures no recipe covers: ask [fix.proposer] for a patch. Alone, shows the prompt that would be sent; with --call also calls and shows the validated diff; with --apply applies, verifies and opens a pull request'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -l call -d 'With --propose: call the proposer and show its validated diff, applying nothing (the call counts toward max_calls_per_day)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -l json -d 'Print the JSON report on stdout (same as --format json)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -s q -l quiet -d 'Print nothing when all is ok'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand fix" -s V -l version -d 'Print version'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -l since -d 'The window: this long before --to or now (e.g. 24h, 7d, 30d) [default: 7d]' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -l from -d 'Start of the window (RFC 3339 like 2026-11-01T00:00:00Z, or a date like 2026-11-01)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -l to -d 'End of the window [default: now]' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -s s -l server -d 'Only these servers; repeatable' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -l prune -d 'Delete stored reports older than this (e.g. 90d), keeping those the figures still need' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -l refresh -d 'With --format html: the page reloads itself every SECONDS, so a browser tab on the stored page stays live while a watch runs' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -s c -l config -d 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -l state-dir -d 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -l report -d 'Write the JSON report here instead of the state directory' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -l format -d 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]' -r -f -a "table\t''
json\t''
nagios\t''
markdown\t'`report` only: a markdown summary for Slack or a pull request'
html\t'`report` only: one self-contained HTML page with charts'"
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -l wait-lock -d 'Wait this long for another run\'s lock instead of exiting 75 (e.g. 30s, 5m)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -l notify -d 'Post the summary through the [notify] channels (Slack always, whatever the status)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -l json -d 'Print the JSON report on stdout (same as --format json)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -s q -l quiet -d 'Print nothing when all is ok'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand report" -s V -l version -d 'Print version'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand mcp-server" -l http -d 'Serve Streamable HTTP on this address (e.g. 127.0.0.1:8765; port 0 picks one) instead of stdio; needs [mcp_server] token' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand mcp-server" -s c -l config -d 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand mcp-server" -l state-dir -d 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand mcp-server" -l report -d 'Write the JSON report here instead of the state directory' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand mcp-server" -l format -d 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]' -r -f -a "table\t''
json\t''
nagios\t''
markdown\t'`report` only: a markdown summary for Slack or a pull request'
html\t'`report` only: one self-contained HTML page with charts'"
complete -c mcpctl -n "__fish_mcpctl_using_subcommand mcp-server" -l wait-lock -d 'Wait this long for another run\'s lock instead of exiting 75 (e.g. 30s, 5m)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand mcp-server" -l allow-remote -d 'Allow --http on an address that is not loopback'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand mcp-server" -l json -d 'Print the JSON report on stdout (same as --format json)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand mcp-server" -s q -l quiet -d 'Print nothing when all is ok'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand mcp-server" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand mcp-server" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand mcp-server" -s V -l version -d 'Print version'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand completions" -s c -l config -d 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand completions" -l state-dir -d 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand completions" -l report -d 'Write the JSON report here instead of the state directory' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand completions" -l format -d 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]' -r -f -a "table\t''
json\t''
nagios\t''
markdown\t'`report` only: a markdown summary for Slack or a pull request'
html\t'`report` only: one self-contained HTML page with charts'"
complete -c mcpctl -n "__fish_mcpctl_using_subcommand completions" -l wait-lock -d 'Wait this long for another run\'s lock instead of exiting 75 (e.g. 30s, 5m)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand completions" -l json -d 'Print the JSON report on stdout (same as --format json)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand completions" -s q -l quiet -d 'Print nothing when all is ok'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand completions" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand man" -l out-dir -d 'Write mcpctl.1 and one page per subcommand into this directory' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand man" -s c -l config -d 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand man" -l state-dir -d 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand man" -l report -d 'Write the JSON report here instead of the state directory' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand man" -l format -d 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]' -r -f -a "table\t''
json\t''
nagios\t''
markdown\t'`report` only: a markdown summary for Slack or a pull request'
html\t'`report` only: one self-contained HTML page with charts'"
complete -c mcpctl -n "__fish_mcpctl_using_subcommand man" -l wait-lock -d 'Wait this long for another run\'s lock instead of exiting 75 (e.g. 30s, 5m)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand man" -l json -d 'Print the JSON report on stdout (same as --format json)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand man" -s q -l quiet -d 'Print nothing when all is ok'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand man" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand man" -s V -l version -d 'Print version'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand schema" -l out-dir -d 'Write `<command>.json` for every report into DIR' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand schema" -s c -l config -d 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand schema" -l state-dir -d 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand schema" -l report -d 'Write the JSON report here instead of the state directory' -r -F
complete -c mcpctl -n "__fish_mcpctl_using_subcommand schema" -l format -d 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]' -r -f -a "table\t''
json\t''
nagios\t''
markdown\t'`report` only: a markdown summary for Slack or a pull request'
html\t'`report` only: one self-contained HTML page with charts'"
complete -c mcpctl -n "__fish_mcpctl_using_subcommand schema" -l wait-lock -d 'Wait this long for another run\'s lock instead of exiting 75 (e.g. 30s, 5m)' -r
complete -c mcpctl -n "__fish_mcpctl_using_subcommand schema" -l json -d 'Print the JSON report on stdout (same as --format json)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand schema" -s q -l quiet -d 'Print nothing when all is ok'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand schema" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand schema" -s V -l version -d 'Print version'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand help; and not __fish_seen_subcommand_from health-check backup restore recover emergency gh-watch fix report mcp-server completions man schema help" -f -a "health-check" -d 'Probe every configured and discovered MCP server with a real handshake'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand help; and not __fish_seen_subcommand_from health-check backup restore recover emergency gh-watch fix report mcp-server completions man schema help" -f -a "backup" -d 'Make age-encrypted, verified backups of configs and credentials'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand help; and not __fish_seen_subcommand_from health-check backup restore recover emergency gh-watch fix report mcp-server completions man schema help" -f -a "restore" -d 'Restore a backup target from the newest valid copy'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand help; and not __fish_seen_subcommand_from health-check backup restore recover emergency gh-watch fix report mcp-server completions man schema help" -f -a "recover" -d 'Run the guarded recovery ladder for failed servers'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand help; and not __fish_seen_subcommand_from health-check backup restore recover emergency gh-watch fix report mcp-server completions man schema help" -f -a "emergency" -d 'Switch the pipeline to fallback mode while critical servers stay down'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand help; and not __fish_seen_subcommand_from health-check backup restore recover emergency gh-watch fix report mcp-server completions man schema help" -f -a "gh-watch" -d 'Find failed GitHub Actions runs and classify why they failed'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand help; and not __fish_seen_subcommand_from health-check backup restore recover emergency gh-watch fix report mcp-server completions man schema help" -f -a "fix" -d 'Apply the matched fix recipe in a git checkout (dry-run by default)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand help; and not __fish_seen_subcommand_from health-check backup restore recover emergency gh-watch fix report mcp-server completions man schema help" -f -a "report" -d 'Reliability figures from the stored reports'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand help; and not __fish_seen_subcommand_from health-check backup restore recover emergency gh-watch fix report mcp-server completions man schema help" -f -a "mcp-server" -d 'Serve mcpctl\'s checks, and the actions the config allows, to MCP clients (stdio or HTTP)'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand help; and not __fish_seen_subcommand_from health-check backup restore recover emergency gh-watch fix report mcp-server completions man schema help" -f -a "completions" -d 'Print a shell completion script'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand help; and not __fish_seen_subcommand_from health-check backup restore recover emergency gh-watch fix report mcp-server completions man schema help" -f -a "man" -d 'Print the man page, or write every page into a directory'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand help; and not __fish_seen_subcommand_from health-check backup restore recover emergency gh-watch fix report mcp-server completions man schema help" -f -a "schema" -d 'Print the JSON Schema of health-check\'s report, or write every report\'s into a directory'
complete -c mcpctl -n "__fish_mcpctl_using_subcommand help; and not __fish_seen_subcommand_from health-check backup restore recover emergency gh-watch fix report mcp-server completions man schema help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
