//! What is generated from the binary's own definitions and committed: man pages (from clap)
//! and report schemas (from the report types). Tests fail when a committed copy is stale.

pub(crate) mod man;
pub(crate) mod schema;
