//! `backup`'s report body.

use serde::Serialize;

use crate::backup::run::TargetReport;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Body {
    pub targets: Vec<TargetReport>,
}
