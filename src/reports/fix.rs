//! `fix`'s report body.

use serde::Serialize;

use crate::fix::outcome::FixReport;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Body {
    /// False for a dry run (the default): nothing was changed.
    pub applied: bool,
    /// `[fix] mode`, or `propose` for `fix --propose`.
    pub mode: String,
    /// The gh-watch report the issues came from.
    pub source: String,
    pub fixes: Vec<FixReport>,
}

impl crate::output::Body for Body {
    const SCHEMA: &'static str = "fix";
}
