//! MCP client configs: where each client keeps its servers, how each file is shaped, and the
//! merge of a server that several clients share. Knows nothing of mcpctl's own config.

mod formats;
mod vars;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Client {
    ClaudeDesktop,
    Cursor,
    VsCode,
    ClaudeCode,
    Windsurf,
    Codex,
    Gemini,
    Zed,
}

impl Client {
    pub fn label(self) -> &'static str {
        match self {
            Client::ClaudeDesktop => "claude-desktop",
            Client::Cursor => "cursor",
            Client::VsCode => "vs-code",
            Client::ClaudeCode => "claude-code",
            Client::Windsurf => "windsurf",
            Client::Codex => "codex",
            Client::Gemini => "gemini",
            Client::Zed => "zed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportHint {
    Stdio,
    Http,
    Sse,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub client: Client,
    pub path: PathBuf,
    /// The name the server has in that file.
    pub name: String,
}

/// A server as one client file describes it, with variables rewritten into mcpctl's `${VAR}`.
/// The same server in several files is merged later, together with mcpctl's own config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredServer {
    pub name: String,
    pub command: Option<String>,
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub cwd: Option<String>,
    pub url: Option<String>,
    pub headers: BTreeMap<String, String>,
    pub transport: Option<TransportHint>,
    pub env_file: Option<String>,
    pub startup_timeout: Option<Duration>,
    /// VS Code `${input:id}` prompts, which a non-interactive run cannot answer.
    pub unresolved_inputs: Vec<String>,
    pub source: Source,
}

/// A client file that could not be used; never fatal for the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FileProblem {
    pub client: Client,
    pub path: PathBuf,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub servers: Vec<DiscoveredServer>,
    pub problems: Vec<FileProblem>,
    pub files_read: Vec<PathBuf>,
}

/// Where to look: the user's home and config dirs, and the project (the current directory).
#[derive(Debug, Clone)]
pub struct Locations {
    pub home: PathBuf,
    pub xdg_config_home: PathBuf,
    pub project_dir: PathBuf,
    pub codex_home: Option<PathBuf>,
}

impl Locations {
    pub fn from_env(cwd: PathBuf) -> Option<Self> {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let home = var("HOME")?;
        Some(Self {
            xdg_config_home: var("XDG_CONFIG_HOME").unwrap_or_else(|| home.join(".config")),
            codex_home: var("CODEX_HOME"),
            home,
            project_dir: cwd,
        })
    }

    /// Every client file mcpctl knows, in a stable order.
    fn files(&self) -> Vec<(Client, PathBuf)> {
        let (home, xdg, project) = (&self.home, &self.xdg_config_home, &self.project_dir);
        let codex = self
            .codex_home
            .clone()
            .unwrap_or_else(|| home.join(".codex"));
        vec![
            (
                Client::ClaudeDesktop,
                xdg.join("Claude/claude_desktop_config.json"),
            ),
            (Client::Cursor, home.join(".cursor/mcp.json")),
            (Client::Cursor, project.join(".cursor/mcp.json")),
            (Client::VsCode, xdg.join("Code/User/mcp.json")),
            (Client::VsCode, project.join(".vscode/mcp.json")),
            (Client::ClaudeCode, home.join(".claude.json")),
            (Client::ClaudeCode, project.join(".mcp.json")),
            (
                Client::Windsurf,
                home.join(".codeium/windsurf/mcp_config.json"),
            ),
            (Client::Codex, codex.join("config.toml")),
            (Client::Gemini, home.join(".gemini/settings.json")),
            (Client::Gemini, project.join(".gemini/settings.json")),
            (Client::Zed, xdg.join("zed/settings.json")),
        ]
    }
}

/// Reads every known client file that exists.
pub fn discover(loc: &Locations) -> Discovery {
    let mut out = Discovery::default();
    let mut seen = Vec::new();
    for (client, path) in loc.files() {
        // The project may be $HOME itself; read each file once.
        if seen.contains(&path) || !path.is_file() {
            continue;
        }
        seen.push(path.clone());
        read_into(&mut out, client, &path, loc);
    }
    out
}

/// `--from PATH`: one file of any supported format, recognised by its name and content.
pub fn import_file(path: &Path, loc: &Locations) -> Result<Discovery, FileProblem> {
    let text = std::fs::read_to_string(path).map_err(|e| FileProblem {
        client: Client::ClaudeDesktop,
        path: path.to_path_buf(),
        message: format!("cannot read: {e}"),
    })?;
    let client = formats::detect(path, &text);
    let mut out = Discovery::default();
    read_into(&mut out, client, path, loc);
    if out.servers.is_empty()
        && let Some(p) = out.problems.pop()
    {
        return Err(p);
    }
    Ok(out)
}

fn read_into(out: &mut Discovery, client: Client, path: &Path, loc: &Locations) {
    out.files_read.push(path.to_path_buf());
    let problem = |message: String| FileProblem {
        client,
        path: path.to_path_buf(),
        message,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return out.problems.push(problem(format!("cannot read: {e}"))),
    };
    let parsed = match formats::parse(client, path, &text, loc) {
        Ok(p) => p,
        Err(message) => return out.problems.push(problem(message)),
    };
    for entry in parsed {
        match entry {
            Ok(server) => out.servers.push(server),
            Err(message) => out.problems.push(problem(message)),
        }
    }
}
