//! One JSON Schema per report a subcommand writes, from the same types the subcommand
//! serializes: `docs/schema/<command>.json` (and `<command>-<mode>.json` where a mode writes a
//! body of its own).

use schemars::{JsonSchema, schema_for};

use crate::output::Envelope;
use crate::reports;

fn of<T: JsonSchema + crate::output::Body>() -> (&'static str, String) {
    let json = serde_json::to_string_pretty(&schema_for!(Envelope<T>)).expect("schemas serialize");
    (T::SCHEMA, format!("{json}\n"))
}

/// Every report's schema, by file stem.
pub(crate) fn all() -> Vec<(&'static str, String)> {
    vec![
        of::<reports::health_check::Body>(),
        ("health-check-list", {
            let json =
                serde_json::to_string_pretty(&schema_for!(reports::health_check::List<'static>))
                    .expect("schemas serialize");
            format!("{json}\n")
        }),
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
