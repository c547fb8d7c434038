//! Which MCP clients mcpctl knows, and where each keeps its files: the Linux (XDG) and the macOS
//! (`~/Library/Application Support`) places both, whatever the OS, since only files that exist
//! are read; each client's own variables; and the per-project files, from the current directory.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::env_vars;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Client {
    ClaudeDesktop,
    ClaudeCode,
    Cursor,
    VsCode,
    VsCodeInsiders,
    #[serde(rename = "vscodium")]
    VsCodium,
    VisualStudio,
    Windsurf,
    Codex,
    Gemini,
    Zed,
    Cline,
    RooCode,
    Continue,
    Goose,
    Opencode,
    Kiro,
    CopilotCli,
    LmStudio,
    AmazonQ,
    Junie,
    Amp,
    Crush,
}

impl Client {
    #[cfg(test)]
    pub(crate) const ALL: [Client; 23] = [
        Client::ClaudeDesktop,
        Client::ClaudeCode,
        Client::Cursor,
        Client::VsCode,
        Client::VsCodeInsiders,
        Client::VsCodium,
        Client::VisualStudio,
        Client::Windsurf,
        Client::Codex,
        Client::Gemini,
        Client::Zed,
        Client::Cline,
        Client::RooCode,
        Client::Continue,
        Client::Goose,
        Client::Opencode,
        Client::Kiro,
        Client::CopilotCli,
        Client::LmStudio,
        Client::AmazonQ,
        Client::Junie,
        Client::Amp,
        Client::Crush,
    ];

    /// The name in reports and `--list` (`sources[].client`), the same as the JSON one.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Client::ClaudeDesktop => "claude-desktop",
            Client::ClaudeCode => "claude-code",
            Client::Cursor => "cursor",
            Client::VsCode => "vs-code",
            Client::VsCodeInsiders => "vs-code-insiders",
            Client::VsCodium => "vscodium",
            Client::VisualStudio => "visual-studio",
            Client::Windsurf => "windsurf",
            Client::Codex => "codex",
            Client::Gemini => "gemini",
            Client::Zed => "zed",
            Client::Cline => "cline",
            Client::RooCode => "roo-code",
            Client::Continue => "continue",
            Client::Goose => "goose",
            Client::Opencode => "opencode",
            Client::Kiro => "kiro",
            Client::CopilotCli => "copilot-cli",
            Client::LmStudio => "lm-studio",
            Client::AmazonQ => "amazon-q",
            Client::Junie => "junie",
            Client::Amp => "amp",
            Client::Crush => "crush",
        }
    }

    /// The product's own name, for messages.
    pub(crate) fn title(self) -> &'static str {
        match self {
            Client::ClaudeDesktop => "Claude Desktop",
            Client::ClaudeCode => "Claude Code",
            Client::Cursor => "Cursor",
            Client::VsCode => "VS Code",
            Client::VsCodeInsiders => "VS Code Insiders",
            Client::VsCodium => "VSCodium",
            Client::VisualStudio => "Visual Studio",
            Client::Windsurf => "Windsurf",
            Client::Codex => "Codex",
            Client::Gemini => "Gemini CLI",
            Client::Zed => "Zed",
            Client::Cline => "Cline",
            Client::RooCode => "Roo Code",
            Client::Continue => "Continue",
            Client::Goose => "Goose",
            Client::Opencode => "opencode",
            Client::Kiro => "Kiro",
            Client::CopilotCli => "Copilot CLI",
            Client::LmStudio => "LM Studio",
            Client::AmazonQ => "Amazon Q",
            Client::Junie => "Junie",
            Client::Amp => "Amp",
            Client::Crush => "Crush",
        }
    }
}

/// How a file holds its servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `{"mcpServers": {name: {…}}}`, the shape most clients share.
    McpServers,
    /// `~/.claude.json`: `mcpServers` (user scope) and `projects.<this dir>.mcpServers` (local).
    ClaudeJson,
    /// A project's `.mcp.json`: Claude Code and the Copilot CLI read its `mcpServers`, Visual
    /// Studio its `servers`. Which it is, the content says.
    SharedMcpJson,
    /// `{"servers": {…}, "inputs": […]}`: VS Code's `mcp.json`, Visual Studio's.
    Servers,
    /// VS Code's user `settings.json`, whose `mcp` key holds `servers` (the older place).
    VsCodeSettings,
    /// Zed's `settings.json`: top-level `context_servers`.
    Zed,
    /// Codex's `config.toml`: `[mcp_servers.NAME]`.
    Codex,
    /// `opencode.json`: `mcp` with `type: local|remote` and a command array.
    Opencode,
    /// Amp's `settings.json`: the flat key `"amp.mcpServers"`.
    Amp,
    /// `crush.json`: `mcp`.
    Crush,
    /// `crushrc`: a shell script. Never run, so never read.
    CrushScript,
    /// Continue's `config.yaml` or a block in `mcpServers/`: a YAML list `mcpServers:`.
    ContinueYaml,
    /// A JSON file in Continue's `mcpServers/`: Claude's shapes, or one bare server.
    ContinueJson,
    /// Goose's `config.yaml`: the `extensions:` map.
    Goose,
    /// Amazon Q's `mcp.json`: `mcpServers`, which must be there.
    AmazonQ,
    /// An Amazon Q agent (`cli-agents/*.json`), with its own `mcpServers`.
    AmazonQAgent,
    /// The Copilot CLI's files: `mcpServers`, or the servers with no wrapper.
    Copilot,
}

/// User-level or per-project: some clients judge them differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    User,
    Project,
}

/// One file a client may read.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    pub(crate) client: Client,
    pub(crate) shape: Shape,
    pub(crate) scope: Scope,
    pub(crate) path: PathBuf,
}

/// Each client's own variables, read once.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClientVars {
    pub codex_home: Option<PathBuf>,
    pub claude_config_dir: Option<PathBuf>,
    pub gemini_cli_home: Option<PathBuf>,
    pub gemini_system_settings: Option<PathBuf>,
    pub copilot_home: Option<PathBuf>,
    pub cline_mcp_settings_path: Option<PathBuf>,
    pub cline_data_dir: Option<PathBuf>,
    pub cline_dir: Option<PathBuf>,
    pub continue_global_dir: Option<PathBuf>,
    pub opencode_config: Option<PathBuf>,
    pub opencode_config_dir: Option<PathBuf>,
    pub crush_global_config: Option<PathBuf>,
    pub crush_global_data: Option<PathBuf>,
}

/// Where to look: the user's home and config dirs, the project (the current directory), and
/// the clients' own variables.
#[derive(Debug, Clone)]
pub(crate) struct Locations {
    pub home: PathBuf,
    pub xdg_config_home: PathBuf,
    pub xdg_data_home: PathBuf,
    pub project_dir: PathBuf,
    pub vars: ClientVars,
}

fn var(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

impl Locations {
    pub(crate) fn from_env(cwd: PathBuf) -> Option<Self> {
        let home = var(env_vars::HOME)?;
        // A relative directory is taken from the current one, as the clients do.
        let dir = |name: &str| var(name).map(|p| cwd.join(p));
        let vars = ClientVars {
            codex_home: dir(env_vars::CODEX_HOME),
            claude_config_dir: dir(env_vars::CLAUDE_CONFIG_DIR),
            gemini_cli_home: dir(env_vars::GEMINI_CLI_HOME),
            gemini_system_settings: dir(env_vars::GEMINI_CLI_SYSTEM_SETTINGS_PATH),
            copilot_home: dir(env_vars::COPILOT_HOME),
            cline_mcp_settings_path: dir(env_vars::CLINE_MCP_SETTINGS_PATH),
            cline_data_dir: dir(env_vars::CLINE_DATA_DIR),
            cline_dir: dir(env_vars::CLINE_DIR),
            continue_global_dir: dir(env_vars::CONTINUE_GLOBAL_DIR),
            opencode_config: dir(env_vars::OPENCODE_CONFIG),
            opencode_config_dir: dir(env_vars::OPENCODE_CONFIG_DIR),
            crush_global_config: dir(env_vars::CRUSH_GLOBAL_CONFIG),
            crush_global_data: dir(env_vars::CRUSH_GLOBAL_DATA),
        };
        Some(Self {
            xdg_config_home: var(env_vars::XDG_CONFIG_HOME).unwrap_or_else(|| home.join(".config")),
            xdg_data_home: var(env_vars::XDG_DATA_HOME)
                .unwrap_or_else(|| home.join(".local/share")),
            home,
            project_dir: cwd,
            vars,
        })
    }

    /// `~/Library/Application Support`, where macOS apps keep their settings.
    fn mac(&self) -> PathBuf {
        self.home.join("Library/Application Support")
    }

    /// The project directory and, up to the repository's root, its parents: opencode, Amp and
    /// Crush look upward. Outside a repository, only the directory itself.
    fn project_roots(&self) -> Vec<PathBuf> {
        let start = self.project_dir.as_path();
        let mut roots = Vec::new();
        for dir in start.ancestors().take(64) {
            roots.push(dir.to_path_buf());
            if dir.join(".git").exists() {
                return roots;
            }
        }
        vec![start.to_path_buf()]
    }

    /// Every client file mcpctl knows, lowest precedence first within each client. Directories
    /// of files (Continue's `mcpServers/`, Amazon Q's agents) are listed when they exist.
    pub(crate) fn places(&self) -> Vec<Place> {
        let mut p = Places::default();
        self.editors(&mut p);
        self.clis(&mut p);
        self.cline(&mut p);
        self.extensions(&mut p);
        self.walking_up(&mut p);
        p.0
    }

    /// XDG first, then macOS.
    fn config_dirs(&self) -> [PathBuf; 2] {
        [self.xdg_config_home.clone(), self.mac()]
    }

    /// XDG, and `~/.config` for the clients that use it whatever XDG_CONFIG_HOME says.
    fn unix_dirs(&self) -> [PathBuf; 2] {
        [self.xdg_config_home.clone(), self.home.join(".config")]
    }

    /// The desktop apps and editors.
    fn editors(&self, p: &mut Places) {
        use Client as C;
        use Shape as S;
        let (home, project) = (&self.home, &self.project_dir);
        for base in &self.config_dirs() {
            let file = base.join("Claude/claude_desktop_config.json");
            p.user(C::ClaudeDesktop, S::McpServers, file);
        }
        p.user(C::Cursor, S::McpServers, home.join(".cursor/mcp.json"));
        p.project(C::Cursor, S::McpServers, project.join(".cursor/mcp.json"));
        for (client, app) in [
            (C::VsCode, "Code"),
            (C::VsCodeInsiders, "Code - Insiders"),
            (C::VsCodium, "VSCodium"),
        ] {
            for base in &self.config_dirs() {
                let user = base.join(app).join("User");
                p.user(client, S::Servers, user.join("mcp.json"));
                p.user(client, S::VsCodeSettings, user.join("settings.json"));
            }
        }
        p.project(C::VsCode, S::Servers, project.join(".vscode/mcp.json"));
        p.project(C::VisualStudio, S::SharedMcpJson, project.join(".mcp.json"));
        p.project(C::VisualStudio, S::Servers, project.join(".vs/mcp.json"));
        let windsurf = home.join(".codeium/windsurf/mcp_config.json");
        p.user(C::Windsurf, S::McpServers, windsurf);
        // The Windsurf plugin for JetBrains IDEs.
        p.user(
            C::Windsurf,
            S::McpServers,
            home.join(".codeium/mcp_config.json"),
        );
        for base in &self.unix_dirs() {
            p.user(C::Zed, S::Zed, base.join("zed/settings.json"));
        }
        p.project(C::Zed, S::Zed, project.join(".zed/settings.json"));
        p.user(C::LmStudio, S::McpServers, home.join(".lmstudio/mcp.json"));
        p.user(
            C::LmStudio,
            S::McpServers,
            home.join(".cache/lm-studio/mcp.json"),
        );
        p.user(C::Junie, S::McpServers, home.join(".junie/mcp/mcp.json"));
        p.project(C::Junie, S::McpServers, project.join(".junie/mcp/mcp.json"));
        p.user(C::Kiro, S::McpServers, home.join(".kiro/settings/mcp.json"));
        p.project(
            C::Kiro,
            S::McpServers,
            project.join(".kiro/settings/mcp.json"),
        );
    }

    /// The command-line agents.
    fn clis(&self, p: &mut Places) {
        use Client as C;
        use Shape as S;
        let (home, project, v) = (&self.home, &self.project_dir, &self.vars);
        if let Some(dir) = &v.claude_config_dir {
            p.user(C::ClaudeCode, S::ClaudeJson, dir.join(".claude.json"));
        }
        p.user(C::ClaudeCode, S::ClaudeJson, home.join(".claude.json"));
        p.project(C::ClaudeCode, S::SharedMcpJson, project.join(".mcp.json"));

        let codex = v.codex_home.clone().unwrap_or_else(|| home.join(".codex"));
        p.user(C::Codex, S::Codex, codex.join("config.toml"));
        p.project(C::Codex, S::Codex, project.join(".codex/config.toml"));

        let gemini = v.gemini_cli_home.as_ref().unwrap_or(home);
        p.user(
            C::Gemini,
            S::McpServers,
            gemini.join(".gemini/settings.json"),
        );
        p.project(
            C::Gemini,
            S::McpServers,
            project.join(".gemini/settings.json"),
        );
        // System settings override the user's and the project's.
        if let Some(file) = &v.gemini_system_settings {
            p.user(C::Gemini, S::McpServers, file.clone());
        }

        let copilot = v
            .copilot_home
            .clone()
            .unwrap_or_else(|| home.join(".copilot"));
        p.user(C::CopilotCli, S::Copilot, copilot.join("mcp-config.json"));
        p.project(C::CopilotCli, S::SharedMcpJson, project.join(".mcp.json"));
        p.project(C::CopilotCli, S::Copilot, project.join(".github/mcp.json"));

        let amazonq = home.join(".aws/amazonq");
        let agents = project.join(".amazonq/cli-agents");
        p.user(C::AmazonQ, S::AmazonQ, amazonq.join("mcp.json"));
        p.dir(
            C::AmazonQ,
            S::AmazonQAgent,
            Scope::User,
            &amazonq.join("cli-agents"),
        );
        p.project(C::AmazonQ, S::AmazonQ, project.join(".amazonq/mcp.json"));
        p.dir(C::AmazonQ, S::AmazonQAgent, Scope::Project, &agents);

        for base in &self.unix_dirs() {
            p.user(C::Goose, S::Goose, base.join("goose/config.yaml"));
        }
    }

    /// Roo Code in the storage of every VS Code build it installs into, and Continue.
    fn extensions(&self, p: &mut Places) {
        let roo = "rooveterinaryinc.roo-cline/settings/mcp_settings.json";
        for storage in self.storages() {
            p.user(Client::RooCode, Shape::McpServers, storage.join(roo));
        }
        let project = &self.project_dir;
        p.project(
            Client::RooCode,
            Shape::McpServers,
            project.join(".roo/mcp.json"),
        );
        let cont =
            (self.vars.continue_global_dir.clone()).unwrap_or_else(|| self.home.join(".continue"));
        p.user(
            Client::Continue,
            Shape::ContinueYaml,
            cont.join("config.yaml"),
        );
        p.continue_dir(&cont.join("mcpServers"), Scope::User, false);
        p.continue_dir(&project.join(".continue/mcpServers"), Scope::Project, true);
    }

    /// `User/globalStorage` of every VS Code build, on both systems.
    fn storages(&self) -> Vec<PathBuf> {
        let apps = ["Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf"];
        self.config_dirs()
            .iter()
            .flat_map(|base| apps.map(|app| base.join(app).join("User/globalStorage")))
            .collect()
    }

    /// opencode, Amp and Crush: their user files, then the project's from the repository root
    /// down to the current directory, the nearest last so it wins.
    fn walking_up(&self, p: &mut Places) {
        use Client as C;
        use Shape as S;
        let v = &self.vars;
        let roots = self.project_roots();
        for base in &self.unix_dirs() {
            for name in ["opencode/opencode.json", "opencode/opencode.jsonc"] {
                p.user(C::Opencode, S::Opencode, base.join(name));
            }
        }
        if let Some(file) = &v.opencode_config {
            p.user(C::Opencode, S::Opencode, file.clone());
        }
        if let Some(dir) = &v.opencode_config_dir {
            p.user(C::Opencode, S::Opencode, dir.join("opencode.json"));
            p.user(C::Opencode, S::Opencode, dir.join("opencode.jsonc"));
        }
        for root in roots.iter().rev() {
            for name in [
                "opencode.json",
                "opencode.jsonc",
                ".opencode/opencode.json",
                ".opencode/opencode.jsonc",
            ] {
                p.project(C::Opencode, S::Opencode, root.join(name));
            }
        }
        for base in &self.unix_dirs() {
            p.user(C::Amp, S::Amp, base.join("amp/settings.json"));
            p.user(C::Amp, S::Amp, base.join("amp/settings.jsonc"));
        }
        for root in roots.iter().rev() {
            p.project(C::Amp, S::Amp, root.join(".amp/settings.json"));
            p.project(C::Amp, S::Amp, root.join(".amp/settings.jsonc"));
        }
        let crush =
            (v.crush_global_config.clone()).unwrap_or_else(|| self.xdg_config_home.join("crush"));
        p.user(C::Crush, S::Crush, crush.join("crush.json"));
        p.user(C::Crush, S::CrushScript, crush.join("crushrc"));
        let data =
            (v.crush_global_data.clone()).unwrap_or_else(|| self.xdg_data_home.join("crush"));
        p.user(C::Crush, S::Crush, data.join("crush.json"));
        for root in roots.iter().rev() {
            p.project(C::Crush, S::Crush, root.join("crush.json"));
            p.project(C::Crush, S::Crush, root.join(".crush.json"));
            p.project(C::Crush, S::CrushScript, root.join("crushrc"));
            p.project(C::Crush, S::CrushScript, root.join(".crushrc"));
        }
    }

    /// Cline's shared file, by its variables; the older files in the VS Code builds' storage
    /// and `~/Documents` only while the shared one is missing, since Cline moves them into it
    /// once.
    fn cline(&self, p: &mut Places) {
        let v = &self.vars;
        let settings = "cline_mcp_settings.json";
        let current = v.cline_mcp_settings_path.clone().unwrap_or_else(|| {
            v.cline_data_dir.as_ref().map_or_else(
                || {
                    v.cline_dir
                        .clone()
                        .unwrap_or_else(|| self.home.join(".cline"))
                        .join("data/settings")
                        .join(settings)
                },
                |d| d.join("settings").join(settings),
            )
        });
        let exists = current.is_file();
        p.user(Client::Cline, Shape::McpServers, current);
        if exists {
            return;
        }
        for storage in self.storages() {
            let legacy = storage
                .join("saoudrizwan.claude-dev/settings")
                .join(settings);
            p.user(Client::Cline, Shape::McpServers, legacy);
        }
        p.user(
            Client::Cline,
            Shape::McpServers,
            self.home.join("Documents/Cline/MCP").join(settings),
        );
    }
}

#[derive(Default)]
struct Places(Vec<Place>);

impl Places {
    fn add(&mut self, client: Client, shape: Shape, scope: Scope, path: PathBuf) {
        self.0.push(Place {
            client,
            shape,
            scope,
            path,
        });
    }

    fn user(&mut self, client: Client, shape: Shape, path: PathBuf) {
        self.add(client, shape, Scope::User, path);
    }

    fn project(&mut self, client: Client, shape: Shape, path: PathBuf) {
        self.add(client, shape, Scope::Project, path);
    }

    /// Every `*.json` file of `dir`, sorted, when the directory exists.
    fn dir(&mut self, client: Client, shape: Shape, scope: Scope, dir: &Path) {
        for path in list(dir, false) {
            if path.extension().is_some_and(|e| e == "json") {
                self.add(client, shape, scope, path);
            }
        }
    }

    /// Continue's `mcpServers/`: YAML blocks and JSON files (the project's, recursively).
    fn continue_dir(&mut self, dir: &Path, scope: Scope, recursive: bool) {
        for path in list(dir, recursive) {
            let shape = match path.extension().and_then(|e| e.to_str()) {
                Some("yaml" | "yml") => Shape::ContinueYaml,
                Some("json") => Shape::ContinueJson,
                _ => continue,
            };
            self.add(Client::Continue, shape, scope, path);
        }
    }
}

/// The files of a directory, sorted; nothing when it does not exist. Symlinked directories are
/// not followed, so a loop cannot hold discovery up.
fn list(dir: &Path, recursive: bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![(dir.to_path_buf(), 0)];
    while let Some((d, depth)) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                if recursive && depth < 8 {
                    dirs.push((path, depth + 1));
                }
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::Client;

    #[test]
    fn labels_are_the_json_names() {
        for c in Client::ALL {
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::Value::String(c.label().to_owned())
            );
        }
    }
}
