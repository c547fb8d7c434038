//! Finding stored reports by the time in their names, and reading them in parallel, chunk by
//! chunk, handed over in name order. Only a chunk of parsed (lean) reports is held at a time.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::output::SCHEMA_VERSION;

/// How `state::reports::save` names a report.
const NAME_FORMAT: &str = "%Y%m%dT%H%M%S%.3fZ";
/// Reports parsed per round; bounds memory whatever the window.
const CHUNK: usize = 512;

/// A stored report, known by its name only until it is read.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    pub(crate) time: DateTime<Utc>,
    pub(crate) path: PathBuf,
    /// Written by a watch (`<time>.watch.json`): not one of the cron runs.
    pub(crate) watch: bool,
}

/// What was read, and what was not and why. Nothing unreadable stops a report.
#[derive(Debug, Default, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct Sources {
    /// Stored reports read.
    pub read: u64,
    /// Of those, written by an older mcpctl (a lower `schema_version`).
    pub older_schema: u64,
    pub skipped: Skipped,
    /// Reports whose time is earlier than one read after it by more than the reorder window
    /// (the clock was set back); counted in the totals, left out of the timeline.
    pub clock_jumps: u64,
    /// Lines of the recovery audit read, and lines skipped (truncated or foreign).
    pub audit_lines: u64,
    pub audit_skipped: u64,
}

#[derive(Debug, Default, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct Skipped {
    /// Cut short (a crash mid-write, a full disk).
    pub truncated: u64,
    /// Not JSON at all, or a file whose name is not a report time.
    pub invalid: u64,
    /// JSON, but not an mcpctl report of this command.
    pub foreign: u64,
    /// Written by a newer mcpctl whose schema this one does not know.
    pub newer_schema: u64,
    /// Could not be opened or read.
    pub unreadable: u64,
}

#[derive(Debug, Clone, Copy)]
enum Skip {
    Truncated,
    Invalid,
    Foreign,
    Newer,
    Unreadable,
}

impl Sources {
    fn skip(&mut self, why: Skip) {
        let s = &mut self.skipped;
        match why {
            Skip::Truncated => s.truncated += 1,
            Skip::Invalid => s.invalid += 1,
            Skip::Foreign => s.foreign += 1,
            Skip::Newer => s.newer_schema += 1,
            Skip::Unreadable => s.unreadable += 1,
        }
    }
}

/// The envelope fields every lean report struct carries.
pub(crate) trait Header {
    fn schema_version(&self) -> Option<u32>;
    fn command(&self) -> Option<&str>;
    fn started_at(&self) -> Option<DateTime<Utc>>;
}

/// Every report of `command`, oldest first by name. `latest.json` is a copy and is left out;
/// other names that are not a report time are counted as invalid.
pub(crate) fn list(state_dir: &Path, command: &str, sources: &mut Sources) -> Vec<Listed> {
    let dir = crate::state::reports_dir(state_dir, command);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            sources.skip(Skip::Invalid);
            continue;
        };
        if name == "latest.json" || name.starts_with('.') {
            continue;
        }
        // The entry's own type: a symlink or special file is not a report.
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            sources.skip(Skip::Unreadable);
            continue;
        }
        let stem = name.strip_suffix(".json");
        let (stem, watch) = match stem.and_then(|s| s.strip_suffix(".watch")) {
            Some(s) => (Some(s), true),
            None => (stem, false),
        };
        match stem.and_then(|stem| NaiveDateTime::parse_from_str(stem, NAME_FORMAT).ok()) {
            Some(t) => out.push(Listed {
                time: t.and_utc(),
                path: entry.path(),
                watch,
            }),
            None => sources.skip(Skip::Invalid),
        }
    }
    out.sort_unstable_by(|a, b| a.time.cmp(&b.time).then_with(|| a.path.cmp(&b.path)));
    out
}

/// The reports named inside `[from, to]`, and the newest one before `from`, which tells the
/// state at the start of the window.
pub(crate) fn window(
    all: &[Listed],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> (Option<&Listed>, &[Listed]) {
    let start = all.partition_point(|l| l.time < from);
    let end = all.partition_point(|l| l.time <= to);
    let before = start.checked_sub(1).map(|i| &all[i]);
    (before, &all[start..end.max(start)])
}

/// Reads `files` in parallel and hands each report that is one of `command`'s to `sink`, with
/// its index in `files`, in that order.
pub(crate) fn read_all<T>(
    files: &[Listed],
    command: &str,
    sources: &mut Sources,
    mut sink: impl FnMut(usize, T),
) where
    T: DeserializeOwned + Header + Send,
{
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    for (n, chunk) in files.chunks(CHUNK).enumerate() {
        let per = chunk.len().div_ceil(threads).max(1);
        let parts: Vec<Vec<Result<(T, bool), Skip>>> = std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .chunks(per)
                .map(|part| {
                    s.spawn(move || {
                        let mut buf = Vec::new();
                        part.iter()
                            .map(|f| read_one::<T>(&f.path, command, &mut buf))
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a report reader panicked"))
                .collect()
        });
        for (i, result) in parts.into_iter().flatten().enumerate() {
            match result {
                Ok((report, older)) => {
                    sources.read += 1;
                    sources.older_schema += u64::from(older);
                    sink(n * CHUNK + i, report);
                }
                Err(why) => sources.skip(why),
            }
        }
    }
}

/// One report, or why it was skipped; the bool says it came from an older schema.
fn read_one<T: DeserializeOwned + Header>(
    path: &Path,
    command: &str,
    buf: &mut Vec<u8>,
) -> Result<(T, bool), Skip> {
    // A FIFO or a symlink to /dev/zero in the reports dir is skipped, never waited on or read.
    crate::state::read_regular_into(path, crate::state::MAX_STATE_FILE, buf)
        .map_err(|_| Skip::Unreadable)?;
    let report: T = serde_json::from_slice(buf).map_err(|e| {
        if e.is_eof() {
            Skip::Truncated
        } else if e.is_syntax() {
            Skip::Invalid
        } else {
            Skip::Foreign
        }
    })?;
    if report.command() != Some(command) || report.started_at().is_none() {
        return Err(Skip::Foreign);
    }
    match report.schema_version() {
        None => Err(Skip::Foreign),
        Some(v) if v > SCHEMA_VERSION => Err(Skip::Newer),
        Some(v) => Ok((report, v < SCHEMA_VERSION)),
    }
}
