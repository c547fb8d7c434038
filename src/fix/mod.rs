//! Fix recipes for classified CI failures: grammars for captured values, byte-preserving
//! workflow edits, the git steps with their rollback, business hours, and what is remembered
//! across runs, and model-written patches for what no recipe covers (`propose`). No CLI here;
//! `commands::fix` drives it.

pub(crate) mod actions;
pub(crate) mod error;
pub(crate) mod fixer;
pub(crate) mod git;
pub(crate) mod inflight;
pub(crate) mod input;
pub(crate) mod ledger;
pub(crate) mod outcome;
pub(crate) mod propose;
pub(crate) mod recipes;
pub(crate) mod run;
pub(crate) mod workflow;

/// What a fix that writes holds: its own records, and every checkout it may change (which one an
/// issue needs is known only once the issues are read).
pub(crate) fn locks(fix: &crate::config::FixSettings) -> Vec<crate::state::Resource<'_>> {
    let mut checkouts: Vec<&std::path::Path> = fix
        .checkout
        .iter()
        .chain(fix.repos.values().filter_map(|r| r.checkout.as_ref()))
        .map(std::path::PathBuf::as_path)
        .collect();
    checkouts.sort_unstable();
    checkouts.dedup();
    std::iter::once(crate::state::Resource::Records(crate::state::Records::Fix))
        .chain(checkouts.into_iter().map(crate::state::Resource::Checkout))
        .collect()
}
