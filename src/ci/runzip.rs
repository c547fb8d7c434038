//! A run's log archive, the fallback when a job's own log is not available: `<n>_<job>.txt`
//! per job at the top, and `<job>/<number>_<step>.txt` per step. GitHub swaps characters a
//! file name cannot hold, so names compare by their letters and digits only; the per-step
//! files are sometimes missing, and then the job's file is used.

use std::io::{Read, Seek};

/// Larger entries are cut here: the end of a log this long is still the end of its step.
const MAX_ENTRY: u64 = 256 << 20;

pub(crate) struct Picked {
    pub log: Vec<u8>,
    /// The failing step's own file rather than the whole job's.
    pub step_only: bool,
}

pub(crate) fn pick<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    job: &str,
    step_number: Option<u64>,
) -> Option<Picked> {
    let job = loose(job);
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(std::borrow::Cow::into_owned))
        .collect();
    let step_file = step_number.and_then(|n| {
        let prefix = format!("{n}_");
        names.iter().find(|name| {
            name.split_once('/').is_some_and(|(dir, file)| {
                loose(dir) == job && file.starts_with(&prefix) && is_txt(file)
            })
        })
    });
    let job_file = || {
        names.iter().find(|name| {
            !name.contains('/')
                && name.strip_suffix(".txt").is_some_and(|stem| {
                    let unnumbered = stem
                        .split_once('_')
                        .filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                        .map_or(stem, |(_, rest)| rest);
                    loose(unnumbered) == job
                })
        })
    };
    let (name, step_only) = match step_file {
        Some(n) => (n, true),
        None => (job_file()?, false),
    };
    let mut log = Vec::new();
    archive
        .by_name(name)
        .ok()?
        .take(MAX_ENTRY)
        .read_to_end(&mut log)
        .ok()?;
    Some(Picked { log, step_only })
}

fn is_txt(name: &str) -> bool {
    std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
}

fn loose(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}
