//! The set of servers a run works on: the config file's, plus those found in MCP client configs
//! or imported with `--from`. A server found in several places is one entry with every source.

use std::path::PathBuf;

use crate::config::{Defaults, Endpoint, Origin, ServerConfig, Settings, Transport};
use crate::discovery::{self, DiscoveredServer, FileProblem, Locations, TransportHint};
use crate::error::{Error, Result};

#[derive(Debug, Default)]
pub(crate) struct Inventory {
    pub(crate) servers: Vec<ServerConfig>,
    pub(crate) problems: Vec<FileProblem>,
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
        for d in found {
            add(&mut inv.servers, from_discovered(d, &settings.defaults));
        }
    }
    Ok(inv)
}

/// Same endpoint and environment: the same server, listed once with both sources.
fn add(servers: &mut Vec<ServerConfig>, new: ServerConfig) {
    if let Some(existing) = servers.iter_mut().find(|s| same_server(s, &new)) {
        for origin in new.origins {
            if !existing.origins.contains(&origin) {
                existing.origins.push(origin);
            }
        }
        return;
    }
    let mut new = new;
    if servers.iter().any(|s| s.name == new.name) {
        let client = new
            .origins
            .first()
            .map_or("client", |o| o.client.as_str())
            .to_owned();
        let base = format!("{}@{client}", new.name);
        let mut name = base.clone();
        let mut i = 1;
        while servers.iter().any(|s| s.name == name) {
            i += 1;
            name = format!("{base}-{i}");
        }
        new.name = name;
    }
    servers.push(new);
}

fn same_server(a: &ServerConfig, b: &ServerConfig) -> bool {
    a.endpoint == b.endpoint && a.env == b.env && a.headers == b.headers && a.env_file == b.env_file
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
        unresolved_inputs: d.unresolved_inputs,
        recover: None,
        fallback: None,
        origins: vec![Origin {
            client: d.source.client.label().to_owned(),
            path: d.source.path,
            name: d.source.name,
        }],
    }
}
