//! Every subcommand's report body, defined once: the commands write these, and `report`, `fix`
//! and the MCP server read the same types (as nextest-metadata does for nextest).

pub mod backup;
pub mod emergency;
pub mod fix;
pub mod gh_watch;
pub mod health_check;
pub mod recover;
pub mod report;
