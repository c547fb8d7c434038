//! One JSON Schema per report a subcommand writes, from the same types the subcommand
//! serializes: `docs/schema/<command>.json` (and `<command>-<mode>.json` where a mode writes a
//! body of its own).

use schemars::{JsonSchema, schema_for};

use crate::output::Envelope;
use crate::reports;

fn of<T: JsonSchema>() -> String {
    let json = serde_json::to_string_pretty(&schema_for!(Envelope<T>)).expect("schemas serialize");
    format!("{json}\n")
}

/// Every report's schema, by file stem.
pub(crate) fn all() -> Vec<(&'static str, String)> {
    vec![
        ("health-check", of::<reports::health_check::Body>()),
        ("health-check-list", {
            let json =
                serde_json::to_string_pretty(&schema_for!(reports::health_check::List<'static>))
                    .expect("schemas serialize");
            format!("{json}\n")
        }),
        ("backup", of::<reports::backup::Body>()),
        ("backup-check", of::<crate::backup::check::CheckBody>()),
        ("restore", of::<crate::backup::restore::Body>()),
        ("recover", of::<reports::recover::Body>()),
        ("recover-guard", of::<reports::recover::GuardBody>()),
        ("emergency", of::<reports::emergency::Body>()),
        ("gh-watch", of::<reports::gh_watch::Body>()),
        (
            "gh-watch-check-patterns",
            of::<reports::gh_watch::CheckBody>(),
        ),
        ("fix", of::<reports::fix::Body>()),
        ("report", of::<crate::report::Figures>()),
        ("report-prune", of::<reports::report::PruneBody>()),
    ]
}
