//! `$STATE/gh-watch/seen.json`: per repository, the run attempts classified, and the attempts
//! whose logs failed to download with the passes that failed. A re-run keeps its run id and
//! gets the next attempt, so it is looked at again.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

/// Attempts remembered per repository: enough for weeks of hourly cron.
const REMEMBER: usize = 2000;
/// Passes whose log downloads failed before a run is marked seen anyway, with an error.
pub(crate) const GIVE_UP_AFTER: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Attempt {
    pub id: u64,
    pub attempt: u32,
}

#[derive(Debug, Default, Serialize)]
#[serde(transparent)]
pub(crate) struct Seen(BTreeMap<String, Repo>);

#[derive(Debug, Default, Serialize, Deserialize)]
struct Repo {
    done: Vec<Attempt>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    failing: Vec<Failing>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Failing {
    #[serde(flatten)]
    run: Attempt,
    passes: u32,
}

/// Also reads the first format, bare run ids per repository: those were (nearly always) first
/// attempts.
impl<'de> Deserialize<'de> for Seen {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Attempts(BTreeMap<String, Repo>),
            Ids(BTreeMap<String, Vec<u64>>),
        }
        Ok(Self(match Stored::deserialize(d)? {
            Stored::Attempts(repos) => repos,
            Stored::Ids(ids) => ids
                .into_iter()
                .map(|(repo, ids)| {
                    let done = ids.into_iter().map(|id| Attempt { id, attempt: 1 });
                    (
                        repo,
                        Repo {
                            done: done.collect(),
                            failing: Vec::new(),
                        },
                    )
                })
                .collect(),
        }))
    }
}

impl Seen {
    pub(crate) fn contains(&self, repo: &str, run: Attempt) -> bool {
        self.0.get(repo).is_some_and(|r| r.done.contains(&run))
    }

    pub(crate) fn mark(&mut self, repo: &str, run: Attempt) {
        let r = self.0.entry(repo.to_owned()).or_default();
        r.failing.retain(|f| f.run != run);
        if !r.done.contains(&run) {
            r.done.push(run);
        }
        let excess = r.done.len().saturating_sub(REMEMBER);
        r.done.drain(..excess);
    }

    /// Counts one more pass whose downloads failed; returns the passes so far.
    pub(crate) fn failed(&mut self, repo: &str, run: Attempt) -> u32 {
        let r = self.0.entry(repo.to_owned()).or_default();
        let passes = if let Some(f) = r.failing.iter_mut().find(|f| f.run == run) {
            f.passes += 1;
            f.passes
        } else {
            r.failing.push(Failing { run, passes: 1 });
            1
        };
        let excess = r.failing.len().saturating_sub(REMEMBER);
        r.failing.drain(..excess);
        passes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn at(id: u64, attempt: u32) -> Attempt {
        Attempt { id, attempt }
    }

    #[test]
    fn reads_the_old_format_as_first_attempts() {
        let seen: Seen = serde_json::from_str(r#"{"acme/app": [11, 12], "acme/lib": []}"#).unwrap();
        assert!(seen.contains("acme/app", at(12, 1)));
        assert!(!seen.contains("acme/app", at(12, 2)));
        assert!(!seen.contains("acme/lib", at(11, 1)));
    }

    #[test]
    fn a_rerun_is_another_attempt_and_failures_are_counted_until_marked() {
        let mut seen = Seen::default();
        seen.mark("acme/app", at(11, 1));
        assert_eq!(seen.failed("acme/app", at(11, 2)), 1);
        assert_eq!(seen.failed("acme/app", at(11, 2)), 2);
        let back: Seen = serde_json::from_slice(&serde_json::to_vec(&seen).unwrap()).unwrap();
        seen = back;
        assert!(seen.contains("acme/app", at(11, 1)));
        assert!(!seen.contains("acme/app", at(11, 2)));
        assert_eq!(seen.failed("acme/app", at(11, 2)), 3);
        seen.mark("acme/app", at(11, 2));
        assert!(seen.contains("acme/app", at(11, 2)));
        assert_eq!(seen.failed("acme/app", at(11, 3)), 1);
    }
}
