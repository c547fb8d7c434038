//! What is wrong with a server, a recipe or a recipients file, before `resolve` gives it the
//! line and column of its table (`ConfigError::At`).

use std::path::PathBuf;

use crate::types::grammar::GrammarError;

#[derive(Debug, thiserror::Error)]
pub(super) enum Invalid {
    #[error(
        "servers.{server}.recover.steps is empty; list steps like [\"restart-container\", \"command\"]"
    )]
    NoSteps { server: String },
    #[error("servers.{server}.recover: {step} needs `container = \"NAME\"` on servers.{server}")]
    NeedsContainer { server: String, step: &'static str },
    #[error(
        "servers.{server}.recover: the command step needs `command = [\"program\", \"arg\"]` (an argv, never a shell string)"
    )]
    NoCommandStep { server: String },
    #[error("servers.{server}.recover.max_attempts must be at least 1")]
    NoAttempts { server: String },
    #[error("servers.{server}.recover.backoff: `initial` must be above zero and at most `max`")]
    Backoff { server: String },

    #[error("servers.{server}: set either `command` (stdio) or `url` (http/sse), not both")]
    BothEndpoints { server: String },
    #[error("servers.{server}: missing `command` (stdio) or `url` (http/sse)")]
    NoEndpoint { server: String },
    #[error("servers.{server}: transport = \"{transport}\" needs `url`, not `command`")]
    RemoteCommand {
        server: String,
        transport: &'static str,
    },
    #[error("servers.{server}: transport = \"stdio\" needs `command`, not `url`")]
    StdioUrl { server: String },
    #[error("servers.{server}.command is empty")]
    EmptyCommand { server: String },
    #[error("servers.{server}.args only applies to stdio servers")]
    RemoteArgs { server: String },

    #[error(
        "servers.{server}.drift_ignore: `{entry}` is not a tool name or glob, `TOOL#description`, `TOOL#schema`, `TOOL#annotations`, `@prompts` or `@resources`"
    )]
    DriftIgnore { server: String, entry: String },
    #[error("servers.{server}.probe_call.tool is empty")]
    NoProbeTool { server: String },
    #[error("servers.{server}.probe_call.arguments: {source}")]
    ProbeArguments {
        server: String,
        source: serde_json::Error,
    },

    #[error("backup.recipients_file {}: {source}", file.display())]
    RecipientsRead {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("backup.recipients_file {}: `{line}` is not a public key", file.display())]
    NotRecipient { file: PathBuf, line: String },

    #[error("timezone `{0}` is not an IANA name like Europe/Berlin")]
    Timezone(String),
    #[error("recipes.{recipe}: the name is taken by a built-in recipe")]
    RecipeTaken { recipe: String },
    #[error("recipes.{recipe}: argv is empty")]
    RecipeArgv { recipe: String },
    #[error("recipes.{recipe}.placeholders.{hole}: {source}")]
    RecipeGrammar {
        recipe: String,
        hole: String,
        source: GrammarError,
    },
    #[error("recipes.{recipe}: placeholder `{{{hole}}}` needs a grammar in placeholders")]
    RecipeHole { recipe: String, hole: String },
}
