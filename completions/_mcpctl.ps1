
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'mcpctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'mcpctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'mcpctl' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the JSON report here instead of the state directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]')
            [CompletionResult]::new('--wait-lock', '--wait-lock', [CompletionResultType]::ParameterName, 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the JSON report on stdout (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('health-check', 'health-check', [CompletionResultType]::ParameterValue, 'Probe every configured and discovered MCP server with a real handshake')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Make age-encrypted, verified backups of configs and credentials')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Restore a backup target from the newest valid copy')
            [CompletionResult]::new('recover', 'recover', [CompletionResultType]::ParameterValue, 'Run the guarded recovery ladder for failed servers')
            [CompletionResult]::new('emergency', 'emergency', [CompletionResultType]::ParameterValue, 'Switch the pipeline to fallback mode while critical servers stay down')
            [CompletionResult]::new('gh-watch', 'gh-watch', [CompletionResultType]::ParameterValue, 'Find failed GitHub Actions runs and classify why they failed')
            [CompletionResult]::new('fix', 'fix', [CompletionResultType]::ParameterValue, 'Apply the matched fix recipe in a git checkout (dry-run by default)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Reliability figures from the stored reports')
            [CompletionResult]::new('mcp-server', 'mcp-server', [CompletionResultType]::ParameterValue, 'Serve mcpctl''s checks, and the actions the config allows, to MCP clients (stdio or HTTP)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page, or write every page into a directory')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of health-check''s report, or write every report''s into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mcpctl;health-check' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Import servers from this MCP client config file (any supported client format); repeatable')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Probe only these servers; repeatable')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Probe only these servers; repeatable')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Deadline for the whole run (e.g. 90s) [default: from config, else 2m]')
            [CompletionResult]::new('--accept-drift', '--accept-drift', [CompletionResultType]::ParameterName, 'Probe these servers now and take their tools as the new baseline (the old one is kept in the baseline file''s history)')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'Probe one server step by step (resolve, connect, TLS, HTTP, version, auth; for stdio the PATH, exec, launcher, handshake) and print each step with its time, failing or not')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Keep watching: a pass every INTERVAL (e.g. 30s), and at once when a configured container dies, is killed or stopped, runs out of memory or turns unhealthy; until SIGINT or SIGTERM (exit 130) or the end of --while-pid''s process')
            [CompletionResult]::new('--while-pid', '--while-pid', [CompletionResultType]::ParameterName, 'With --watch: end when this process exits, and exit by the worst state seen (0, 1 or 2)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the JSON report here instead of the state directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]')
            [CompletionResult]::new('--wait-lock', '--wait-lock', [CompletionResultType]::ParameterName, 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'Only list the resolved servers (name, transport, sources); probe nothing')
            [CompletionResult]::new('--discover', '--discover', [CompletionResultType]::ParameterName, 'Also probe servers found in MCP client configs (the default when no config file exists)')
            [CompletionResult]::new('--no-discover', '--no-discover', [CompletionResultType]::ParameterName, 'Do not read MCP client configs')
            [CompletionResult]::new('--check-modern', '--check-modern', [CompletionResultType]::ParameterName, 'Also ask each stdio server, in a separate spawn, whether it speaks the 2026-07-28 era')
            [CompletionResult]::new('--recover', '--recover', [CompletionResultType]::ParameterName, 'Run the recovery ladder for failed servers, re-probe, and exit by the final state')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the JSON report on stdout (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpctl;backup' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the JSON report here instead of the state directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]')
            [CompletionResult]::new('--wait-lock', '--wait-lock', [CompletionResultType]::ParameterName, 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Verify every stored backup at every location (sidecar, decryption, manifest hashes)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Back up even when nothing changed since the newest backup')
            [CompletionResult]::new('--allow-invalid', '--allow-invalid', [CompletionResultType]::ParameterName, 'Back up files that fail their format validation (normally refused: that is the corruption backups guard against)')
            [CompletionResult]::new('--allow-unsigned', '--allow-unsigned', [CompletionResultType]::ParameterName, 'With --check: accept copies made before backups were signed (with a warning)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the JSON report on stdout (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpctl;restore' {
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'Restore this backup (its id, or the newest one at or before a time like 2026-11-24T08:00:00Z)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Restore into this directory instead of the original paths')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the JSON report here instead of the state directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]')
            [CompletionResult]::new('--wait-lock', '--wait-lock', [CompletionResultType]::ParameterName, 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the candidate backups with their verification state; restore nothing')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show which files would change, with a diff of changed keys (values redacted)')
            [CompletionResult]::new('--if-invalid', '--if-invalid', [CompletionResultType]::ParameterName, 'Restore only if the current files fail validation (for cron and recover)')
            [CompletionResult]::new('--allow-unsigned', '--allow-unsigned', [CompletionResultType]::ParameterName, 'Accept copies made before backups were signed (with a warning); for migration only')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the JSON report on stdout (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpctl;recover' {
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'How long --pause lasts (e.g. 2h)')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Deadline for the first probe of all servers (e.g. 90s) [default: from config, else 2m]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the JSON report here instead of the state directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]')
            [CompletionResult]::new('--wait-lock', '--wait-lock', [CompletionResultType]::ParameterName, 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)')
            [CompletionResult]::new('--all-failed', '--all-failed', [CompletionResultType]::ParameterName, 'Every configured server that is failing')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and touch nothing')
            [CompletionResult]::new('--reset', '--reset', [CompletionResultType]::ParameterName, 'Close the circuit breaker of the named servers and forget their attempts')
            [CompletionResult]::new('--pause', '--pause', [CompletionResultType]::ParameterName, 'Pause recovery of the named servers for maintenance (with --for)')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'End a pause early')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the JSON report on stdout (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpctl;emergency' {
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Deadline for probing the critical servers (e.g. 90s) [default: from config, else 2m]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the JSON report here instead of the state directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]')
            [CompletionResult]::new('--wait-lock', '--wait-lock', [CompletionResultType]::ParameterName, 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Show the current mode from the last run; probe nothing')
            [CompletionResult]::new('--clear', '--clear', [CompletionResultType]::ParameterName, 'Return to normal mode now (every server back to `mcp`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the JSON report on stdout (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpctl;gh-watch' {
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Classify this log offline, with no network (`-` reads stdin, e.g. from `gh run view --log-failed`)')
            [CompletionResult]::new('--patterns-dir', '--patterns-dir', [CompletionResultType]::ParameterName, 'Another directory of pattern files (repeatable); its ids replace shipped ones')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The repository the log belongs to, for fingerprints (owner/name)')
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'The workflow the log belongs to, for fingerprints')
            [CompletionResult]::new('--job', '--job', [CompletionResultType]::ParameterName, 'The job the log belongs to, for fingerprints')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Run again every INTERVAL (e.g. 10m) in the foreground, with a report each time, until SIGINT or SIGTERM')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the JSON report here instead of the state directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]')
            [CompletionResult]::new('--wait-lock', '--wait-lock', [CompletionResultType]::ParameterName, 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)')
            [CompletionResult]::new('--check-patterns', '--check-patterns', [CompletionResultType]::ParameterName, 'Lint every pattern file and run its fixtures')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'With --log: show, for each issue, the pattern and its file, the regex, the line and the captures, and the matches that ranked lower and why')
            [CompletionResult]::new('--failed', '--failed', [CompletionResultType]::ParameterName, 'With --log: the job is known to have failed (the log came from a failed run), so a failure the log does not mark still gets its cause')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Classify runs seen before too (normally each run is classified once)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the JSON report on stdout (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpctl;fix' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Read the issues from this gh-watch report [default: the newest stored one]')
            [CompletionResult]::new('--fingerprint', '--fingerprint', [CompletionResultType]::ParameterName, 'Only the issue with this fingerprint (or its first 6+ characters)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the JSON report here instead of the state directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]')
            [CompletionResult]::new('--wait-lock', '--wait-lock', [CompletionResultType]::ParameterName, 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)')
            [CompletionResult]::new('--apply', '--apply', [CompletionResultType]::ParameterName, 'Act: branch, apply, verify, commit, then open a pull request, push or re-run, as [fix] mode says [default: a dry run that prints the plan and the diff]')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'Show every fix attempted so far (with --json as JSON); change nothing')
            [CompletionResult]::new('--propose', '--propose', [CompletionResultType]::ParameterName, 'For failures no recipe covers: ask [fix.proposer] for a patch. Alone, shows the prompt that would be sent; with --call also calls and shows the validated diff; with --apply applies, verifies and opens a pull request')
            [CompletionResult]::new('--call', '--call', [CompletionResultType]::ParameterName, 'With --propose: call the proposer and show its validated diff, applying nothing (the call counts toward max_calls_per_day)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the JSON report on stdout (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpctl;report' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'The window: this long before --to or now (e.g. 24h, 7d, 30d) [default: 7d]')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Start of the window (RFC 3339 like 2026-11-01T00:00:00Z, or a date like 2026-11-01)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'End of the window [default: now]')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Only these servers; repeatable')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Only these servers; repeatable')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Delete stored reports older than this (e.g. 90d), keeping those the figures still need')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'With --format html: the page reloads itself every SECONDS, so a browser tab on the stored page stays live while a watch runs')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the JSON report here instead of the state directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]')
            [CompletionResult]::new('--wait-lock', '--wait-lock', [CompletionResultType]::ParameterName, 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)')
            [CompletionResult]::new('--notify', '--notify', [CompletionResultType]::ParameterName, 'Post the summary through the [notify] channels (Slack always, whatever the status)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the JSON report on stdout (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpctl;mcp-server' {
            [CompletionResult]::new('--http', '--http', [CompletionResultType]::ParameterName, 'Serve Streamable HTTP on this address (e.g. 127.0.0.1:8765; port 0 picks one) instead of stdio; needs [mcp_server] token')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the JSON report here instead of the state directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]')
            [CompletionResult]::new('--wait-lock', '--wait-lock', [CompletionResultType]::ParameterName, 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)')
            [CompletionResult]::new('--allow-remote', '--allow-remote', [CompletionResultType]::ParameterName, 'Allow --http on an address that is not loopback')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the JSON report on stdout (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpctl;completions' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the JSON report here instead of the state directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]')
            [CompletionResult]::new('--wait-lock', '--wait-lock', [CompletionResultType]::ParameterName, 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the JSON report on stdout (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpctl;man' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write mcpctl.1 and one page per subcommand into this directory')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the JSON report here instead of the state directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]')
            [CompletionResult]::new('--wait-lock', '--wait-lock', [CompletionResultType]::ParameterName, 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the JSON report on stdout (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpctl;schema' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write `<command>.json` for every report into DIR')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: $XDG_CONFIG_HOME/mcpctl/mcpctl.toml, then /etc/mcpctl/mcpctl.toml]')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'State directory for reports, locks and history [default: $XDG_STATE_HOME/mcpctl]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the JSON report here instead of the state directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, otherwise quiet unless something is wrong]')
            [CompletionResult]::new('--wait-lock', '--wait-lock', [CompletionResultType]::ParameterName, 'Wait this long for another run''s lock instead of exiting 75 (e.g. 30s, 5m)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the JSON report on stdout (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing when all is ok')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v info, -vv debug, -vvv trace); MCPCTL_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpctl;help' {
            [CompletionResult]::new('health-check', 'health-check', [CompletionResultType]::ParameterValue, 'Probe every configured and discovered MCP server with a real handshake')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Make age-encrypted, verified backups of configs and credentials')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Restore a backup target from the newest valid copy')
            [CompletionResult]::new('recover', 'recover', [CompletionResultType]::ParameterValue, 'Run the guarded recovery ladder for failed servers')
            [CompletionResult]::new('emergency', 'emergency', [CompletionResultType]::ParameterValue, 'Switch the pipeline to fallback mode while critical servers stay down')
            [CompletionResult]::new('gh-watch', 'gh-watch', [CompletionResultType]::ParameterValue, 'Find failed GitHub Actions runs and classify why they failed')
            [CompletionResult]::new('fix', 'fix', [CompletionResultType]::ParameterValue, 'Apply the matched fix recipe in a git checkout (dry-run by default)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Reliability figures from the stored reports')
            [CompletionResult]::new('mcp-server', 'mcp-server', [CompletionResultType]::ParameterValue, 'Serve mcpctl''s checks, and the actions the config allows, to MCP clients (stdio or HTTP)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page, or write every page into a directory')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of health-check''s report, or write every report''s into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mcpctl;help;health-check' {
            break
        }
        'mcpctl;help;backup' {
            break
        }
        'mcpctl;help;restore' {
            break
        }
        'mcpctl;help;recover' {
            break
        }
        'mcpctl;help;emergency' {
            break
        }
        'mcpctl;help;gh-watch' {
            break
        }
        'mcpctl;help;fix' {
            break
        }
        'mcpctl;help;report' {
            break
        }
        'mcpctl;help;mcp-server' {
            break
        }
        'mcpctl;help;completions' {
            break
        }
        'mcpctl;help;man' {
            break
        }
        'mcpctl;help;schema' {
            break
        }
        'mcpctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
