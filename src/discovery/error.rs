//! Why a client's file, or one server entry in it, cannot be read. Both become a
//! `FileProblem` (the file) or an invalid entry (the server); their text is what the table
//! and the report show, so it names keys and positions, never values that may be secrets.

use super::Client;

/// The file as a whole: the client loads nothing from it.
#[derive(Debug, thiserror::Error)]
pub(super) enum FileError {
    #[error("cannot read: {0}")]
    Read(#[source] std::io::Error),
    #[error("larger than {mib} MiB, which no client config is")]
    TooLarge { mib: u64 },
    #[error("not UTF-8 at byte {0}")]
    NotUtf8(usize),
    #[error("a shell script")]
    Script,
    #[error("the file is empty")]
    Empty,
    #[error("{0}")]
    Json(#[source] jsonc_parser::errors::ParseError),
    /// JSON a lenient reader would have taken, but this client does not.
    #[error("{source} ({} reads JSON without {what})", client.title())]
    StrictJson {
        source: jsonc_parser::errors::ParseError,
        client: Client,
        what: &'static str,
    },
    #[error("the top level is not a JSON object")]
    NotJsonObject,
    #[error("there is no `mcpServers`, which Amazon Q requires")]
    AmazonQWithoutServers,
    #[error("it doesn't match a supported MCP JSON configuration format")]
    Unsupported,
    #[error("`{0}` is not an object")]
    TableNotObject(&'static str),
    #[error("line {line} column {col}: {message}")]
    TomlAt {
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{0}")]
    Toml(String),
    #[error("`mcp_servers` is not a table")]
    ServersNotTable,
    /// A TOML value JSON cannot hold, met while converting Codex's servers.
    #[error("{0}")]
    Convert(#[source] serde_json::Error),
    /// The parser's first line; the rest quotes the file.
    #[error("{}", .0.to_string().lines().next().unwrap_or(""))]
    Yaml(#[source] serde_saphyr::Error),
    #[error("the top level is not a mapping")]
    NotMapping,
    #[error(
        "a Continue block needs `name`, `version` and `schema`; this one lacks {}",
        missing.join(", ")
    )]
    ContinueBlock { missing: Vec<&'static str> },
    #[error("`{0}` is not a list")]
    NotList(&'static str),
    #[error("`{0}` is not a mapping")]
    KeyNotMapping(&'static str),
}

/// One server entry, which the client refuses.
#[derive(Debug, thiserror::Error)]
pub(super) enum EntryError {
    #[error("not an object")]
    NotObject,
    #[error("not a mapping")]
    NotMapping,
    #[error("`{0}` is not a string")]
    NotString(String),
    #[error("`{0}` holds a non-string item")]
    NonStringItem(String),
    #[error("`{0}` is not an array")]
    NotArray(String),
    #[error("`{0}` is not an object")]
    NotStringMap(String),
    #[error("`{key}.{name}` is not a string")]
    MapValue { key: String, name: String },
    #[error("unknown type `{value}`; {} takes {}", client.title(), known.join(", "))]
    UnknownType {
        value: String,
        client: Client,
        known: Vec<&'static str>,
    },
    #[error("`type` is not a string")]
    TypeNotString,
    #[error("neither `command` nor a URL")]
    NoEndpoint,
    #[error("both `command` and `url`: Roo Code takes one or the other")]
    RooCodeBoth,
    #[error("`type` is stdio but there is no `command`")]
    StdioWithoutCommand,
    #[error("`type` names a remote transport but there is no URL")]
    RemoteWithoutUrl,
    #[error("a URL without `type`, which {} refuses", .0.title())]
    BareUrl(Client),
    #[error("`url` is not a valid URL")]
    BadUrl,
    #[error("unknown type `{0}`; opencode takes local, remote")]
    OpencodeType(String),
    #[error("no `type` (local or remote), which opencode requires")]
    OpencodeWithoutType,
    #[error("unknown key `{0}`, which opencode refuses")]
    OpencodeKey(String),
    #[error("`enabled` is not a boolean")]
    EnabledNotBool,
    #[error("`command` is not an array of strings")]
    CommandNotArray,
    #[error("`command` is empty")]
    EmptyCommand,
    #[error("no `command`, which a local server needs")]
    LocalWithoutCommand,
    #[error("no `url`, which a remote server needs")]
    RemoteWithoutUrlKey,
    #[error("no `cmd`, which a stdio extension needs")]
    StdioWithoutCmd,
    #[error("no `uri`, which a {0} extension needs")]
    WithoutUri(String),
    #[error("unknown type `{0}`")]
    GooseType(String),
    #[error("no `type`, which Goose requires")]
    GooseWithoutType,
}
