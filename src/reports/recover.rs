//! `recover`'s report body.

use serde::Serialize;

use crate::heal::Recovery;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Body {
    pub dry_run: bool,
    pub servers: Vec<Recovery>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct GuardBody {
    /// reset | paused | resumed
    pub action: String,
    pub servers: Vec<String>,
}
