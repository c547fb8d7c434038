//! The one integration-test binary: every test runs the real `mcpctl` binary.

mod backup;
mod backup_forged;
mod ci_corpus;
mod cli;
mod clients;
mod config_errors;
mod container;
mod discovery;
mod emergency;
mod fix;
mod fix_propose;
mod generated;
mod gh_watch;
mod gh_watch_api;
mod guardian;
mod hardening;
mod harness;
mod health_auth;
mod health_checks;
mod health_doctor;
mod health_drift;
mod health_hostile;
mod health_real;
mod health_tls;
mod launchd;
mod lock_signal;
mod mcp_server;
mod notify;
mod prometheus;
mod quickstart;
mod recover;
mod report;
mod stub;

pub use harness::{Run, Test};
