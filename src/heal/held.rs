//! Why a ladder took no step, or stopped early: a state word of the recover report.

use serde::Serialize;

/// Why no step ran.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Held {
    NotFailing,
    /// The server has no `[servers.NAME.recover]` ladder.
    NoPolicy,
    Paused,
    BreakerOpen,
    DryRun,
    /// The guard file cannot be read or saved: recovery fails closed.
    GuardUnreadable,
    /// The run's deadline came before the next step.
    Deadline,
    #[serde(other)]
    Other,
}

impl Held {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Held::NotFailing => "not failing",
            Held::NoPolicy => "no [servers.NAME.recover] ladder",
            Held::Paused => "paused",
            Held::BreakerOpen => "breaker open",
            Held::DryRun => "dry run",
            Held::GuardUnreadable => "guard file unreadable",
            Held::Deadline => "deadline reached",
            Held::Other => "held",
        }
    }
}
