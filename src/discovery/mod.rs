//! TEMPORARY STUB until the discovery module lands.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Client {
    ClaudeDesktop,
}
impl Client {
    pub fn label(self) -> &'static str {
        "claude-desktop"
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum TransportHint {
    Stdio,
    Http,
    Sse,
}
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    pub client: Client,
    pub path: PathBuf,
    pub name: String,
}
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
    pub startup_timeout: Option<std::time::Duration>,
    pub unresolved_inputs: Vec<String>,
    pub sources: Vec<Source>,
}
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
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
pub struct Locations {
    pub home: PathBuf,
}
impl Locations {
    pub fn from_env(_cwd: PathBuf) -> Option<Self> {
        None
    }
}
pub fn discover(_loc: &Locations) -> Discovery {
    Discovery::default()
}
pub fn import_file(path: &Path, _loc: &Locations) -> Result<Discovery, FileProblem> {
    Err(FileProblem {
        client: Client::ClaudeDesktop,
        path: path.into(),
        message: "stub".into(),
    })
}
