//! Each client's loading rules, as its own code or docs state them: how strict its JSON is,
//! which `type` values it takes, what a URL without a type is, and whether one bad entry makes
//! it load nothing from the file. CLIENTS in the README lists the sources.

use super::TransportHint;
use super::clients::{Client, Scope, Shape};

/// How much a client's JSON parser forgives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// `JSON.parse`, `json.Valid`, serde_json: no comments, no trailing commas.
    Strict,
    /// Comments stripped, then strict (Gemini's `strip-json-comments`).
    Comments,
    /// Comments and trailing commas (VS Code's, Zed's, opencode's).
    Jsonc,
    Toml,
    Yaml,
    /// A shell script (Crush's `crushrc`): never run, so never read.
    Script,
}

/// What an entry with a `url` and no `type` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BareUrl {
    /// Streamable HTTP, then legacy SSE: mcpctl tries both.
    Auto,
    Sse,
    /// The client refuses the entry.
    Refused,
}

pub(super) struct Rules {
    pub(super) syntax: Syntax,
    /// One bad entry, and the client loads no server from the file.
    pub(super) whole_file: bool,
    /// The `type` values the client accepts; `None`: every spelling mcpctl knows.
    pub(super) types: Option<&'static [(&'static str, TransportHint)]>,
    pub(super) bare_url: BareUrl,
    /// The keys that hold a URL, first match wins.
    pub(super) url_keys: &'static [&'static str],
}

use TransportHint::{Http, Sse, Stdio};

const STANDARD: &[(&str, TransportHint)] = &[("stdio", Stdio), ("http", Http), ("sse", Sse)];
/// Every spelling seen in clients' files.
pub(super) const ANY: &[(&str, TransportHint)] = &[
    ("stdio", Stdio),
    ("local", Stdio),
    ("http", Http),
    ("streamable-http", Http),
    ("streamableHttp", Http),
    ("streamable_http", Http),
    ("sse", Sse),
];

pub(super) fn rules(client: Client, shape: Shape, scope: Scope) -> Rules {
    let mut r = Rules {
        syntax: Syntax::Jsonc,
        whole_file: false,
        types: None,
        bare_url: BareUrl::Auto,
        url_keys: &["url"],
    };
    match client {
        // Anthropic's apps read strict JSON (not confirmed from source: the apps are closed).
        Client::ClaudeDesktop => r.syntax = Syntax::Strict,
        Client::ClaudeCode => {
            r.syntax = Syntax::Strict;
            r.types = Some(STANDARD);
        }
        Client::VsCode | Client::VsCodeInsiders | Client::VsCodium | Client::VisualStudio => {
            r.types = Some(STANDARD);
        }
        Client::Windsurf => r.url_keys = &["serverUrl", "url"],
        // A typed serde config: one bad entry and Codex reads none of the file.
        Client::Codex => {
            r.syntax = Syntax::Toml;
            r.whole_file = true;
        }
        Client::Gemini => {
            r.syntax = Syntax::Comments;
            r.types = Some(STANDARD);
            r.url_keys = &["httpUrl", "url"];
        }
        // McpHub.ts: "MCP settings schema error — no servers were loaded".
        Client::Cline => {
            r.syntax = Syntax::Strict;
            r.whole_file = true;
            r.types = Some(&[("stdio", Stdio), ("sse", Sse), ("streamableHttp", Http)]);
            r.bare_url = BareUrl::Sse;
        }
        // The project file is rejected whole; the global one is still loaded "raw".
        Client::RooCode => {
            r.syntax = Syntax::Strict;
            r.whole_file = scope == Scope::Project;
            r.types = Some(&[("stdio", Stdio), ("sse", Sse), ("streamable-http", Http)]);
            r.bare_url = BareUrl::Refused;
        }
        Client::Continue => {
            if shape == Shape::ContinueYaml {
                r.syntax = Syntax::Yaml;
                r.types = Some(&[("stdio", Stdio), ("sse", Sse), ("streamable-http", Http)]);
            } else {
                // comment-json, and a zod record: one bad entry skips the file.
                r.whole_file = true;
                r.types = Some(STANDARD);
            }
        }
        Client::Goose => r.syntax = Syntax::Yaml,
        // A zod schema with additionalProperties: false over the whole config.
        Client::Opencode => r.whole_file = true,
        Client::CopilotCli => {
            r.types = Some(&[
                ("local", Stdio),
                ("stdio", Stdio),
                ("http", Http),
                ("sse", Sse),
            ]);
        }
        // serde_json into a map of typed entries: `sse` or any bad entry fails the file.
        Client::AmazonQ => {
            r.syntax = Syntax::Strict;
            r.whole_file = true;
            r.types = Some(&[("stdio", Stdio), ("http", Http)]);
        }
        // json.Valid, then a typed unmarshal of the whole config.
        Client::Crush => {
            r.syntax = Syntax::Strict;
            r.whole_file = true;
            r.types = Some(STANDARD);
        }
        Client::Cursor
        | Client::Zed
        | Client::Kiro
        | Client::LmStudio
        | Client::Junie
        | Client::Amp => {}
    }
    if shape == Shape::CrushScript {
        r.syntax = Syntax::Script;
    }
    r
}

/// Clients that merge their files by server name, the more specific file winning (project over
/// user; for Claude Code local over project over user): a server a later file redefines is not
/// loaded from the earlier one.
pub(super) fn shadows(client: Client) -> bool {
    matches!(
        client,
        Client::Cursor
            | Client::RooCode
            | Client::Kiro
            | Client::AmazonQ
            | Client::Gemini
            | Client::Codex
            | Client::ClaudeCode
            | Client::Opencode
            | Client::Crush
            | Client::Amp
    )
}
