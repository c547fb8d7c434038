//! `backup`'s report body.

use serde::Serialize;

use crate::backup::run::TargetReport;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Body {
    pub targets: Vec<TargetReport>,
}

impl crate::output::Body for Body {
    const SCHEMA: &'static str = "backup";
}
