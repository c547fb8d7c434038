//! The one integration-test binary: every test runs the real `mcpctl` binary.

mod backup;
mod ci_corpus;
mod cli;
mod config_errors;
mod container;
mod discovery;
mod emergency;
mod fix;
mod generated;
mod gh_watch;
mod gh_watch_api;
mod harness;
mod health_checks;
mod health_hostile;
mod health_real;
mod lock_signal;
mod notify;
mod recover;
mod report;
mod stub;

pub use harness::{Run, Test};
