//! Self-healing that never makes things worse: a per-server ladder of recovery steps, each
//! followed by re-probes with capped exponential backoff, inside persisted guards (attempt
//! budget, circuit breaker, pause) and with an append-only audit. No CLI here.

mod actions;
pub mod audit;
pub mod guard;
mod ladder;
mod rollback;

pub use ladder::{Recovery, RestoreFn, recover};
