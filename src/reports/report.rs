//! `report --prune`'s body; the report itself is `report::Report`.

use serde::Serialize;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct PruneBody {
    pub prune: crate::report::Pruned,
}

impl crate::output::Body for PruneBody {
    const SCHEMA: &'static str = "report-prune";
}
