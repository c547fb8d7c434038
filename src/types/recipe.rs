//! The recipe names config may refer to, and a user recipe as config holds it; `fix::recipes`
//! implements them.

use std::collections::BTreeMap;

use super::grammar::Grammar;

pub(crate) const BUILT_IN: &[&str] = &[
    "npm-install",
    "npm-add-dev",
    "npm-legacy-peer-deps",
    "pip-add",
    "format",
    "bump-action",
    "set-node-version",
    "add-permissions",
    "raise-timeout",
    "rerun",
];

/// A user recipe from `[fix.recipes.NAME]`.
#[derive(Debug, Clone)]
pub(crate) struct UserRecipe {
    pub argv: Vec<String>,
    pub placeholders: BTreeMap<String, Grammar>,
}
