//! One JSON Schema per report a subcommand writes, from the same types the subcommand
//! serializes: `docs/schema/<command>.json` (and `<command>-<mode>.json` where a mode writes a
//! body of its own).

use schemars::JsonSchema;
use schemars::generate::{Contract, SchemaSettings};

use crate::output::Envelope;
use crate::reports;

/// What mcpctl writes: the serialize side, whatever defaults a reader of older reports fills in.
fn schema<T: JsonSchema>() -> String {
    let settings = SchemaSettings::default().with(|s| s.contract = Contract::Serialize);
    let json = serde_json::to_string_pretty(&settings.into_generator().into_root_schema_for::<T>())
        .expect("schemas serialize");
    format!("{json}\n")
}

fn of<T: JsonSchema + crate::output::Body>() -> (&'static str, String) {
    (T::SCHEMA, schema::<Envelope<T>>())
}

/// Every report's schema, by file stem.
pub(crate) fn all() -> Vec<(&'static str, String)> {
    vec![
        of::<reports::health_check::Body>(),
        (
            "health-check-list",
            schema::<reports::health_check::List<'static>>(),
        ),
        of::<reports::backup::Body>(),
        of::<crate::backup::check::CheckBody>(),
        of::<crate::backup::restore::Body>(),
        of::<reports::recover::Body>(),
        of::<reports::recover::GuardBody>(),
        of::<reports::emergency::Body>(),
        of::<reports::gh_watch::Body>(),
        of::<reports::gh_watch::CheckBody>(),
        of::<reports::fix::Body>(),
        of::<crate::report::Figures>(),
        of::<reports::report::PruneBody>(),
        of::<reports::Failed>(),
    ]
}
