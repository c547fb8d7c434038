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
