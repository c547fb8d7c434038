//! MCP client configs: where each client keeps its servers, how each file is shaped, the rules
//! each client loads them by, and the merge of a server that several clients share. Reports what
//! the client itself would load; what it would reject is a problem, never fatal for the rest.
//! Knows nothing of mcpctl's own config, and never runs anything a file names.

mod clients;
mod detect;
mod entry;
mod error;
mod formats;
mod rules;
mod vars;
mod yaml;

use std::collections::BTreeMap;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

pub(crate) use clients::{Client, Locations};
pub(crate) use rules::Syntax;

use clients::{Place, Scope, Shape};
use entry::{Ctx, Entry};
use error::FileError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TransportHint {
    Stdio,
    Http,
    Sse,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Source {
    pub client: Client,
    pub path: PathBuf,
    /// The name the server has in that file.
    pub name: String,
}

/// A server as one client file describes it, with variables rewritten into mcpctl's `${VAR}`.
/// The same server in several files is merged later, together with mcpctl's own config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DiscoveredServer {
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
    /// What only the client can fill in (a VS Code input, a file it reads, a command it runs),
    /// each said as "the VS Code input `id`, which only VS Code can prompt for".
    pub unresolved_inputs: Vec<String>,
    /// Marked off in its file (`disabled: true`, `enabled: false`, Gemini's `mcp.excluded`):
    /// listed, never probed.
    pub disabled: bool,
    /// Where its file ranks among the client's files; a higher one wins a name.
    rank: u32,
    pub source: Source,
}

/// Whether a problem counts against the run's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ProblemKind {
    /// The client rejects the file or an entry: what it names is not loaded.
    Invalid,
    /// mcpctl does not read it (a `crushrc` script, a Continue Hub block); the client may well
    /// load it. Listed, never counted against the status.
    NotRead,
}

/// A client file, or an entry of one, that could not be used; never fatal for the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub(crate) struct FileProblem {
    pub client: Client,
    pub path: PathBuf,
    pub message: String,
    pub kind: ProblemKind,
}

impl FileProblem {
    /// How the table and stderr say it.
    pub(crate) fn line(&self) -> String {
        let what = match self.kind {
            ProblemKind::Invalid => "unreadable",
            ProblemKind::NotRead => "not read:",
        };
        format!(
            "{what} {} config {}: {}",
            self.client.label(),
            self.path.display(),
            self.message
        )
    }
}

#[derive(Debug, Default)]
pub(crate) struct Discovery {
    pub servers: Vec<DiscoveredServer>,
    pub problems: Vec<FileProblem>,
}

/// A client file that exists, with the syntax its client reads it by (for backups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientFile {
    pub client: Client,
    pub path: PathBuf,
    pub syntax: Syntax,
}

/// Reads every known client file that exists.
pub(crate) fn discover(loc: &Locations) -> Discovery {
    let mut out = Discovery::default();
    let mut seen = HashSet::new();
    let mut crush_broken: Option<PathBuf> = None;
    for (rank, place) in loc.places().into_iter().enumerate() {
        // The project may be $HOME itself; each client reads each file once.
        if !seen.insert((place.client, place.path.clone())) || !place.path.is_file() {
            continue;
        }
        let rank = u32::try_from(rank).unwrap_or(u32::MAX - 1);
        let broken = read_into(&mut out, &place, loc, rank, false);
        if broken && place.client == Client::Crush && crush_broken.is_none() {
            crush_broken = Some(place.path.clone());
        }
    }
    if let Some(bad) = crush_broken {
        crush_loads_nothing(&mut out, &bad);
    }
    shadow(&mut out.servers);
    out
}

/// Crush merges all its files and stops at the first one that is invalid: none is loaded.
fn crush_loads_nothing(out: &mut Discovery, bad: &Path) {
    let mut dropped: Vec<PathBuf> = Vec::new();
    out.servers.retain(|s| {
        let crush = s.source.client == Client::Crush;
        if crush && !dropped.contains(&s.source.path) {
            dropped.push(s.source.path.clone());
        }
        !crush
    });
    for path in dropped {
        out.problems.push(FileProblem {
            client: Client::Crush,
            path,
            message: format!(
                "not loaded: Crush loads none of its config while {} is invalid",
                bad.display()
            ),
            kind: ProblemKind::Invalid,
        });
    }
}

/// A server a more specific file of the same client redefines is not loaded from the other.
fn shadow(servers: &mut Vec<DiscoveredServer>) {
    let mut best: HashMap<(Client, String), u32> = HashMap::new();
    for s in servers.iter().filter(|s| rules::shadows(s.source.client)) {
        let rank = best
            .entry((s.source.client, s.source.name.clone()))
            .or_insert(0);
        *rank = (*rank).max(s.rank);
    }
    servers.retain(|s| {
        !rules::shadows(s.source.client)
            || best.get(&(s.source.client, s.source.name.clone())) == Some(&s.rank)
    });
}

/// Every known client file that exists, once each; a file several clients read is judged by
/// the most forgiving of them.
pub(crate) fn client_files(loc: &Locations) -> Vec<ClientFile> {
    let mut out: Vec<ClientFile> = Vec::new();
    for place in loc.places() {
        let syntax = rules::rules(place.client, place.shape, place.scope).syntax;
        if let Some(known) = out.iter_mut().find(|f| f.path == place.path) {
            if leniency(syntax) > leniency(known.syntax) {
                known.syntax = syntax;
            }
            continue;
        }
        if place.path.is_file() {
            out.push(ClientFile {
                client: place.client,
                path: place.path,
                syntax,
            });
        }
    }
    out
}

fn leniency(s: Syntax) -> u8 {
    match s {
        Syntax::Strict => 0,
        Syntax::Comments => 1,
        _ => 2,
    }
}

/// `--from PATH`: one file of any supported format, recognised by its name and content.
pub(crate) fn import_file(path: &Path, loc: &Locations) -> Result<Discovery, FileProblem> {
    let text = std::fs::read_to_string(path).map_err(|e| FileProblem {
        client: Client::ClaudeDesktop,
        path: path.to_path_buf(),
        message: format!("cannot read: {e}"),
        kind: ProblemKind::Invalid,
    })?;
    let (client, shape) = detect::detect(path, &text);
    let roo_project = path
        .ancestors()
        .any(|a| a.file_name().is_some_and(|n| n == ".roo"));
    let place = Place {
        client,
        shape,
        scope: if roo_project {
            Scope::Project
        } else {
            Scope::User
        },
        path: path.to_path_buf(),
    };
    let mut out = Discovery::default();
    read_into(&mut out, &place, loc, 0, true);
    if out.servers.is_empty()
        && let Some(p) = out.problems.pop()
    {
        return Err(p);
    }
    Ok(out)
}

/// At most this much of a client file is read. Most are a few kilobytes; Claude Code's
/// `~/.claude.json` keeps history and can reach megabytes.
const MAX_FILE: u64 = 64 << 20;

/// Reads one file by its client's rules. `true` when the client would load nothing from it.
/// `direct`: the file was named with `--from`, so it speaks for itself.
fn read_into(out: &mut Discovery, place: &Place, loc: &Locations, rank: u32, direct: bool) -> bool {
    let (client, path) = (place.client, place.path.as_path());
    let problem = |message: String, kind: ProblemKind| FileProblem {
        client,
        path: path.to_path_buf(),
        message,
        kind,
    };
    if place.shape == Shape::CrushScript {
        out.problems.push(problem(
            "a shell script, which mcpctl never runs, so the servers it adds are not known; \
             put them in crush.json or mcpctl.toml to have them checked"
                .into(),
            ProblemKind::NotRead,
        ));
        return false;
    }
    // The project's .mcp.json is read for three clients; Claude Code speaks for a file that
    // does not parse.
    let quiet = !direct && place.shape == Shape::SharedMcpJson && client != Client::ClaudeCode;
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) => {
            if !quiet {
                out.problems
                    .push(problem(e.to_string(), ProblemKind::Invalid));
            }
            return true;
        }
    };
    let ctx = Ctx {
        client,
        shape: place.shape,
        path,
        loc,
        rules: rules::rules(client, place.shape, place.scope),
        rank,
    };
    let entries = match formats::parse(&ctx, &text) {
        Ok(e) => e,
        Err(e) => {
            if !quiet {
                out.problems
                    .push(problem(e.to_string(), ProblemKind::Invalid));
            }
            return true;
        }
    };
    let bad: Vec<&String> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Bad(m) => Some(m),
            _ => None,
        })
        .collect();
    if ctx.rules.whole_file && !bad.is_empty() {
        let mut message = bad
            .iter()
            .take(3)
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        if bad.len() > 3 {
            message.push_str(&format!(" (and {} more)", bad.len() - 3));
        }
        message.push_str(&format!(
            "; {} loads no server from this file while one is invalid",
            client.title()
        ));
        out.problems.push(problem(message, ProblemKind::Invalid));
        return true;
    }
    for entry in entries {
        match entry {
            Entry::Server(server) => out.servers.push(*server),
            Entry::Bad(message) => out.problems.push(problem(message, ProblemKind::Invalid)),
            Entry::Unread(message) => out.problems.push(problem(message, ProblemKind::NotRead)),
        }
    }
    false
}

fn read_text(path: &Path) -> Result<String, FileError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(FileError::Read)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(FileError::Read)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(FileError::TooLarge {
            mib: MAX_FILE >> 20,
        });
    }
    String::from_utf8(bytes).map_err(|e| FileError::NotUtf8(e.utf8_error().valid_up_to()))
}
