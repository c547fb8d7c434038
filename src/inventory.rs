//! The set of servers a run works on: the config file's, plus those found in MCP client configs
//! or imported with `--from`. A server found in several places is one entry with every source.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::config::{BackupTarget, Defaults, Endpoint, FileFormat, Origin, ServerConfig, Settings};
use crate::discovery::{
    self, ClientFile, DiscoveredServer, FileProblem, Locations, Syntax, TransportHint,
};
use crate::error::{Error, Result};
use crate::types::Transport;

#[derive(Debug, Default)]
pub(crate) struct Inventory {
    pub(crate) servers: Vec<ServerConfig>,
    pub(crate) problems: Vec<FileProblem>,
}

/// Whether client configs are read when nothing else says: `[health_check] discover`, else only
/// when there is no config file.
pub(crate) fn discovers(settings: &Settings) -> bool {
    settings
        .health_check
        .discover
        .unwrap_or(settings.file.is_none())
}

pub(crate) fn build(settings: &Settings, discover: bool, imports: &[PathBuf]) -> Result<Inventory> {
    let mut inv = Inventory {
        servers: settings.servers.clone(),
        problems: Vec::new(),
    };
    let cwd =
        std::env::current_dir().map_err(|e| Error::io("cannot read the current directory", e))?;
    let locations = Locations::from_env(cwd);
    if discover || !imports.is_empty() {
        let Some(loc) = locations.as_ref() else {
            return Err(Error::Usage(
                "HOME is not set, so MCP client configs cannot be found; set HOME or use --config"
                    .into(),
            ));
        };
        let mut found = Vec::new();
        if discover {
            let d = discovery::discover(loc);
            found.extend(d.servers);
            inv.problems.extend(d.problems);
        }
        for path in imports {
            match discovery::import_file(path, loc) {
                Ok(d) => {
                    found.extend(d.servers);
                    inv.problems.extend(d.problems);
                }
                Err(problem) => {
                    return Err(Error::Usage(format!(
                        "--from {}: {}",
                        problem.path.display(),
                        problem.message
                    )));
                }
            }
        }
        let mut merger = Merger::new(std::mem::take(&mut inv.servers));
        for d in found {
            merger.add(from_discovered(d, &settings.defaults));
        }
        inv.servers = merger.servers;
    }
    Ok(inv)
}

/// Adds servers in one pass: a server is known by its endpoint and environment, a name by a
/// set, so thousands of discovered servers cost what they read.
struct Merger {
    servers: Vec<ServerConfig>,
    by_identity: HashMap<String, usize>,
    names: HashSet<String>,
}

impl Merger {
    fn new(servers: Vec<ServerConfig>) -> Self {
        let mut m = Self {
            servers: Vec::with_capacity(servers.len()),
            by_identity: HashMap::new(),
            names: HashSet::new(),
        };
        for s in servers {
            m.names.insert(s.name.clone());
            m.by_identity.insert(identity(&s), m.servers.len());
            m.servers.push(s);
        }
        m
    }

    /// Same endpoint and environment: the same server, listed once with every source. A name
    /// that is empty or only control characters is replaced by one taken from the endpoint.
    fn add(&mut self, mut new: ServerConfig) {
        if let Some(&i) = self.by_identity.get(&identity(&new)) {
            let existing = &mut self.servers[i];
            // Probed when any client that defines it would run it.
            existing.disabled &= new.disabled;
            for origin in new.origins {
                if !existing.origins.contains(&origin) {
                    existing.origins.push(origin);
                }
            }
            return;
        }
        if !has_real_name(&new.name) {
            new.name = name_from_endpoint(&new.endpoint);
        }
        if self.names.contains(&new.name) {
            let client = new
                .origins
                .first()
                .map_or("client", |o| o.client.as_str())
                .to_owned();
            let base = format!("{}@{client}", new.name);
            let mut name = base.clone();
            let mut i = 1;
            while self.names.contains(&name) {
                i += 1;
                name = format!("{base}-{i}");
            }
            new.name = name;
        }
        self.names.insert(new.name.clone());
        self.by_identity.insert(identity(&new), self.servers.len());
        self.servers.push(new);
    }
}

/// What makes two definitions the same server.
fn identity(s: &ServerConfig) -> String {
    format!("{:?}", (&s.endpoint, &s.env, &s.headers, &s.env_file))
}

fn has_real_name(name: &str) -> bool {
    name.chars().any(|c| !c.is_control() && !c.is_whitespace())
}

/// `server-memory` for `npx -y @modelcontextprotocol/server-memory@1.2`, `srv` for
/// `/opt/bin/srv`, the host for a URL.
fn name_from_endpoint(endpoint: &Endpoint) -> String {
    let name = match endpoint {
        Endpoint::Stdio { command, args, .. } => {
            let program = std::path::Path::new(command)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let package = crate::config::is_launcher(&program)
                .then(|| args.iter().find(|a| !a.starts_with('-')))
                .flatten()
                .map(|p| {
                    let p = p.rsplit('/').next().unwrap_or(p);
                    p.split('@').find(|s| !s.is_empty()).unwrap_or(p).to_owned()
                });
            package.unwrap_or(program)
        }
        Endpoint::Url { url, .. } => reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default(),
    };
    let clean: String = name.chars().filter(|c| !c.is_control()).collect();
    if clean.is_empty() {
        "server".to_owned()
    } else {
        clean
    }
}

fn from_discovered(d: DiscoveredServer, defaults: &Defaults) -> ServerConfig {
    let endpoint = match (d.command, d.url) {
        (Some(command), _) => Endpoint::Stdio {
            command,
            args: d.args,
            cwd: d.cwd.map(PathBuf::from),
        },
        (None, url) => Endpoint::Url {
            url: url.unwrap_or_default(),
            transport: d.transport.map(|t| match t {
                TransportHint::Stdio => Transport::Stdio,
                TransportHint::Http => Transport::Http,
                TransportHint::Sse => Transport::Sse,
            }),
        },
    };
    ServerConfig {
        name: d.name,
        endpoint,
        env: d.env,
        headers: d.headers,
        env_file: d.env_file.map(PathBuf::from),
        critical: false,
        timeout: defaults.timeout,
        startup_timeout: d.startup_timeout,
        prefer_offline: defaults.prefer_offline,
        container: None,
        expect_tools: Vec::new(),
        required_env: Vec::new(),
        config_files: vec![d.source.path.clone()],
        token_expires: None,
        drift: crate::config::DriftPolicy::from_defaults(defaults),
        probe_call: None,
        tls_warn_days: defaults.tls_warn_days,
        unresolved_inputs: d.unresolved_inputs,
        disabled: d.disabled,
        recover: None,
        fallback: None,
        origins: vec![Origin {
            client: d.source.client.label().to_owned(),
            path: d.source.path,
            name: d.source.name,
            disabled: d.disabled,
        }],
    }
}

/// `server_configs = true`: a backup target per MCP client file that exists, checked on backup
/// and restore by the syntax its client reads (strict JSON for Claude's apps, Cline or Crush;
/// JSONC for the editors; TOML; YAML). A file a target already holds is not added twice.
pub(crate) fn add_client_targets(targets: &mut Vec<BackupTarget>) {
    let Some(loc) = std::env::current_dir().ok().and_then(Locations::from_env) else {
        return;
    };
    for file in discovery::client_files(&loc) {
        let shown = file.path.display().to_string();
        // A target's paths may be globs: a `[` in a directory name is meant literally here.
        let path = if shown.contains(['*', '?', '[']) {
            glob::Pattern::escape(&shown)
        } else {
            shown
        };
        if targets.iter().any(|t| t.paths.contains(&path)) {
            continue;
        }
        let base = client_target_name(&file, &loc.home);
        let mut name = base.clone();
        let mut i = 1;
        while targets.iter().any(|t| t.name == name) {
            i += 1;
            name = format!("{base}-{i}");
        }
        targets.push(BackupTarget {
            name,
            paths: vec![path],
            format: match file.syntax {
                Syntax::Strict => FileFormat::StrictJson,
                Syntax::Comments | Syntax::Jsonc => FileFormat::Json,
                Syntax::Toml => FileFormat::Toml,
                Syntax::Yaml => FileFormat::Yaml,
                Syntax::Script => FileFormat::Raw,
            },
            keep_mode: false,
        });
    }
}

/// `client-cursor-cursor-mcp.json` for `~/.cursor/mcp.json`: the client and the path from
/// $HOME, so the name stays the same from one run to the next.
fn client_target_name(file: &ClientFile, home: &std::path::Path) -> String {
    let rel = file.path.strip_prefix(home).unwrap_or(&file.path);
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            _ => None,
        })
        .map(|p| {
            p.trim_start_matches('.')
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        })
        .collect();
    format!("client-{}-{}", file.client.label(), parts.join("-"))
}
