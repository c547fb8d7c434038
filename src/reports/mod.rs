//! Every subcommand's report body, defined once: the commands write these, and `report`, `fix`
//! and the MCP server read the same types (as nextest-metadata does for nextest).

pub mod gh_watch;
