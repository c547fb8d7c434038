//! Fix recipes for classified CI failures: grammars for captured values, byte-preserving
//! workflow edits, the git steps with their rollback, business hours, and what is remembered
//! across runs, and model-written patches for what no recipe covers (`propose`). No CLI here;
//! `commands::fix` drives it.

pub mod actions;
pub mod error;
pub mod fixer;
pub mod git;
pub mod inflight;
pub mod input;
pub mod ledger;
pub mod outcome;
pub mod propose;
pub mod recipes;
pub mod run;
pub mod workflow;
