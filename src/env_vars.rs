//! Every environment variable mcpctl reads, in one place, so clap, the code and the docs agree.

pub const MCPCTL_CONFIG: &str = "MCPCTL_CONFIG";
pub const MCPCTL_STATE_DIR: &str = "MCPCTL_STATE_DIR";
pub const MCPCTL_LOG: &str = "MCPCTL_LOG";
pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";
pub const XDG_STATE_HOME: &str = "XDG_STATE_HOME";
pub const HOME: &str = "HOME";
pub const DOCKER_HOST: &str = "DOCKER_HOST";
/// How long an MCP action's confirmation token lasts, shorter than the 2 minutes only (tests).
pub const MCPCTL_CONFIRM_TTL: &str = "MCPCTL_CONFIRM_TTL";
/// Set for launcher children when `prefer_offline = true`: npx then uses its cache instead of
/// waiting on the registry (measured: 141 s hang against 0.85 s).
pub const NPM_PREFER_OFFLINE: &str = "npm_config_prefer_offline";
pub const UV_OFFLINE: &str = "UV_OFFLINE";
/// Any non-empty value turns colour off even on a terminal (no-color.org).
pub const NO_COLOR: &str = "NO_COLOR";

/// Where data files live (`~/.local/share` when unset); Crush keeps a config there.
pub const XDG_DATA_HOME: &str = "XDG_DATA_HOME";

// The MCP clients' own variables, which move their config files. Discovery honours each.
/// Codex CLI: the directory of `config.toml` (default `~/.codex`).
pub const CODEX_HOME: &str = "CODEX_HOME";
/// Claude Code: the directory that holds its `.claude.json`.
pub const CLAUDE_CONFIG_DIR: &str = "CLAUDE_CONFIG_DIR";
/// Gemini CLI: the directory that holds `.gemini/` (default `$HOME`).
pub const GEMINI_CLI_HOME: &str = "GEMINI_CLI_HOME";
/// Gemini CLI: the system settings file.
pub const GEMINI_CLI_SYSTEM_SETTINGS_PATH: &str = "GEMINI_CLI_SYSTEM_SETTINGS_PATH";
/// GitHub Copilot CLI: the directory of `mcp-config.json` (default `~/.copilot`).
pub const COPILOT_HOME: &str = "COPILOT_HOME";
/// Cline: the settings file itself, then its data directory, then its home directory.
pub const CLINE_MCP_SETTINGS_PATH: &str = "CLINE_MCP_SETTINGS_PATH";
pub const CLINE_DATA_DIR: &str = "CLINE_DATA_DIR";
pub const CLINE_DIR: &str = "CLINE_DIR";
/// Continue: its global directory (default `~/.continue`).
pub const CONTINUE_GLOBAL_DIR: &str = "CONTINUE_GLOBAL_DIR";
/// opencode: one more config file, and one more config directory.
pub const OPENCODE_CONFIG: &str = "OPENCODE_CONFIG";
pub const OPENCODE_CONFIG_DIR: &str = "OPENCODE_CONFIG_DIR";
/// Crush: its global config directory and its data directory.
pub const CRUSH_GLOBAL_CONFIG: &str = "CRUSH_GLOBAL_CONFIG";
pub const CRUSH_GLOBAL_DATA: &str = "CRUSH_GLOBAL_DATA";

/// Every client variable discovery reads, for the harness and the docs.
pub const CLIENT_VARS: &[&str] = &[
    CODEX_HOME,
    CLAUDE_CONFIG_DIR,
    GEMINI_CLI_HOME,
    GEMINI_CLI_SYSTEM_SETTINGS_PATH,
    COPILOT_HOME,
    CLINE_MCP_SETTINGS_PATH,
    CLINE_DATA_DIR,
    CLINE_DIR,
    CONTINUE_GLOBAL_DIR,
    OPENCODE_CONFIG,
    OPENCODE_CONFIG_DIR,
    CRUSH_GLOBAL_CONFIG,
    CRUSH_GLOBAL_DATA,
];
