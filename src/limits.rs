//! File descriptors: the soft limit is raised to the hard one at start, and probes run at most as
//! many at once as the limit leaves room for, so 600 servers under `ulimit -n 1024` wait their
//! turn instead of failing with "Too many open files".

use std::sync::atomic::{AtomicUsize, Ordering};

/// What a probe holds open at once: three pipes (or a socket), a pidfd, and some slack.
const FDS_PER_PROBE: u64 = 6;
/// Kept back for the runtime, reports, logs and the lock.
const RESERVED_FDS: u64 = 64;

static SOFT_LIMIT: AtomicUsize = AtomicUsize::new(1024);

/// Raises the soft limit of open files to the hard limit and remembers the result.
pub(crate) fn raise_fd_limit() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let mut soft = limit.current.unwrap_or(u64::MAX);
    if limit.current != limit.maximum {
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        if setrlimit(Resource::Nofile, raised).is_ok() {
            soft = limit.maximum.unwrap_or(u64::MAX);
        }
    }
    SOFT_LIMIT.store(
        usize::try_from(soft).unwrap_or(usize::MAX),
        Ordering::Relaxed,
    );
}

/// How many probes may run at once.
pub(crate) fn probe_concurrency() -> usize {
    let soft = SOFT_LIMIT.load(Ordering::Relaxed) as u64;
    let room = soft.saturating_sub(RESERVED_FDS) / FDS_PER_PROBE;
    usize::try_from(room.clamp(1, 4096)).unwrap_or(4096)
}

/// Sightings kept per fingerprint: also the most `open_issue_after` can wait for.
pub(crate) const MAX_SIGHTINGS: usize = 50;
