//! Cutting a job log to its failing step. The API lists the job's steps (number, name,
//! conclusion); the log marks each step that runs a command or an action with
//! `##[group]Run …`, before anything else of that step. "Set up job" comes before the first
//! marker, and the post steps after the failing one start with "Post job cleanup.".

use std::ops::Range;

use serde::Deserialize;

use super::normalize;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Step {
    pub name: String,
    pub number: u64,
    pub conclusion: Option<String>,
}

/// A slice of the log, and the number of its first line in the whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section {
    pub bytes: Range<usize>,
    pub first_line: u64,
    pub last_line: u64,
}

const SET_UP: &str = "Set up job";
const COMPLETE: &str = "Complete job";
const HEADER: &[u8] = b"##[group]Run ";
/// Lines that open what follows the main steps: post steps, then the job's own cleanup.
const AFTER_MAIN: &[&[u8]] = &[b"Post job cleanup.", b"Cleaning up orphan processes"];

/// The step that failed: the first with conclusion failure, else the first cancelled one
/// (a timeout cancels the step that was running).
pub(crate) fn failing(steps: &[Step]) -> Option<&Step> {
    let first = |c: &str| steps.iter().find(|s| s.conclusion.as_deref() == Some(c));
    first("failure").or_else(|| first("cancelled"))
}

/// The failing step's lines in `log`, or `None` when they cannot be told apart with
/// confidence (then the whole log is classified).
pub(crate) fn failing_section(log: &[u8], steps: &[Step]) -> Option<Section> {
    let failed = failing(steps)?;
    let marks = Marks::scan(log);
    let lines = |from: (u64, usize), to: (u64, usize)| {
        (to.1 > from.1).then(|| Section {
            bytes: from.1..to.1,
            first_line: from.0,
            last_line: to.0 - 1,
        })
    };
    let end_of_main = marks.after_main.unwrap_or(marks.end);
    if failed.name == SET_UP {
        return lines(
            (1, 0),
            marks.headers.first().copied().unwrap_or(end_of_main),
        );
    }
    if failed.name.starts_with("Post ") {
        return marks.after_main.and_then(|from| lines(from, marks.end));
    }
    if failed.name == COMPLETE {
        return None;
    }
    // The steps that printed a marker, in order: every main step that ran.
    let ran: Vec<&Step> = steps
        .iter()
        .filter(|s| {
            s.name != SET_UP
                && s.name != COMPLETE
                && !s.name.starts_with("Post ")
                && s.conclusion.as_deref().is_some_and(|c| c != "skipped")
        })
        .collect();
    let k = ran.iter().position(|s| s.number == failed.number)?;
    let h = &marks.headers;
    if k + 1 == ran.len() {
        // The last step that ran: from the last marker. A composite action prints a marker per
        // inner step and stops at the failing one, so this is its failing inner step.
        return lines(*h.last()?, end_of_main);
    }
    if h.len() == ran.len() {
        return lines(h[k], h[k + 1]);
    }
    None
}

/// Where markers are: (line number, byte offset) of each `##[group]Run`, of the first line
/// after the main steps, and of the end.
struct Marks {
    headers: Vec<(u64, usize)>,
    after_main: Option<(u64, usize)>,
    end: (u64, usize),
}

impl Marks {
    fn scan(log: &[u8]) -> Self {
        let mut headers = Vec::new();
        let mut after_main = None;
        let mut buf = Vec::new();
        let mut at = 0;
        let mut n = 1u64;
        while at < log.len() {
            let end = memchr::memchr(b'\n', &log[at..]).map_or(log.len(), |i| at + i + 1);
            let raw = &log[at..end];
            // Normalising only lines that may be markers keeps this cheap on long logs.
            let maybe_header = memchr::memmem::find(raw, HEADER).is_some();
            let maybe_after = AFTER_MAIN
                .iter()
                .any(|m| memchr::memmem::find(raw, m).is_some());
            if after_main.is_none() && (maybe_header || maybe_after) {
                normalize::line(raw, &mut buf);
                if buf.starts_with(HEADER) {
                    headers.push((n, at));
                } else if !headers.is_empty() && AFTER_MAIN.contains(&buf.as_slice()) {
                    after_main = Some((n, at));
                }
            }
            at = end;
            n += 1;
        }
        Self {
            headers,
            after_main,
            end: (n, log.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(number: u64, name: &str, conclusion: &str) -> Step {
        Step {
            name: name.into(),
            number,
            conclusion: Some(conclusion.into()),
        }
    }

    const LOG: &str = "\u{feff}2026-11-24T05:26:50.0000000Z Current runner version: '2.330.0'\n\
        2026-11-24T05:26:51.0000000Z ##[group]Run actions/checkout@v4\n\
        2026-11-24T05:26:51.1000000Z Syncing repository: acme/app\n\
        2026-11-24T05:26:52.0000000Z ##[group]Run npm ci\n\
        2026-11-24T05:26:52.1000000Z npm ci\n\
        2026-11-24T05:26:52.2000000Z ##[endgroup]\n\
        2026-11-24T05:26:53.0000000Z npm error 404 Not Found\n\
        2026-11-24T05:26:53.1000000Z ##[error]Process completed with exit code 1.\n\
        2026-11-24T05:26:54.0000000Z Post job cleanup.\n\
        2026-11-24T05:26:55.0000000Z Cleaning up orphan processes\n";

    fn text(s: &Section) -> &str {
        &LOG[s.bytes.clone()]
    }

    #[test]
    fn the_failing_step_and_nothing_else() {
        let steps = [
            step(1, "Set up job", "success"),
            step(2, "Run actions/checkout@v4", "success"),
            step(3, "Install", "failure"),
            step(4, "Test", "skipped"),
            step(5, "Post Run actions/checkout@v4", "success"),
            step(6, "Complete job", "success"),
        ];
        let s = failing_section(LOG.as_bytes(), &steps).unwrap();
        assert_eq!((s.first_line, s.last_line), (4, 8));
        assert!(text(&s).starts_with("2026-11-24T05:26:52.0000000Z ##[group]Run npm ci"));
        assert!(text(&s).ends_with("exit code 1.\n"));
    }

    #[test]
    fn a_middle_step_needs_one_marker_per_step() {
        let mut steps = vec![
            step(1, "Set up job", "success"),
            step(2, "Checkout", "failure"),
            step(3, "Install", "success"),
        ];
        let s = failing_section(LOG.as_bytes(), &steps).unwrap();
        assert_eq!((s.first_line, s.last_line), (2, 3));
        // One more step that ran than there are markers: no guessing.
        steps.push(step(4, "Extra", "success"));
        assert_eq!(failing_section(LOG.as_bytes(), &steps), None);
    }

    #[test]
    fn set_up_and_post_steps() {
        let steps = [step(1, "Set up job", "failure")];
        let s = failing_section(LOG.as_bytes(), &steps).unwrap();
        assert_eq!((s.first_line, s.last_line), (1, 1));
        let steps = [
            step(2, "Install", "success"),
            step(3, "Post Run actions/checkout@v4", "failure"),
        ];
        let s = failing_section(LOG.as_bytes(), &steps).unwrap();
        assert_eq!((s.first_line, s.last_line), (9, 10));
        assert_eq!(failing_section(b"no markers at all\n", &steps), None);
    }
}
