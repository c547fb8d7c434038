//! `recover`'s report body.

use serde::Serialize;

use crate::heal::Recovery;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Body {
    pub dry_run: bool,
    pub servers: Vec<Recovery>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct GuardBody {
    pub action: GuardAction,
    pub servers: Vec<String>,
}

/// What `--reset`, `--pause` or `--resume` did to the guards; also the audit line's `event`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum GuardAction {
    Reset,
    Paused,
    Resumed,
}

impl GuardAction {
    pub(crate) fn event(self) -> crate::heal::audit::Event {
        match self {
            GuardAction::Reset => crate::heal::audit::Event::Reset,
            GuardAction::Paused => crate::heal::audit::Event::Paused,
            GuardAction::Resumed => crate::heal::audit::Event::Resumed,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            GuardAction::Reset => "reset",
            GuardAction::Paused => "paused",
            GuardAction::Resumed => "resumed",
        }
    }
}

impl crate::output::Body for Body {
    const SCHEMA: &'static str = "recover";
}

impl crate::output::Body for GuardBody {
    const SCHEMA: &'static str = "recover-guard";
}
