//! Tool baselines and drift: each healthy probe's structural snapshot is compared with the
//! server's baseline, the first snapshot taken (trust on first use), kept in
//! `<state>/drift/<server>.json`. `--accept-drift` makes the current snapshot the baseline and
//! keeps the old one in the file's history. No CLI here.

mod snapshot;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{DriftPolicy, OnDrift};
pub(crate) use snapshot::Snapshot;

/// How a server's tools differ from its baseline.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Drift {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// A removed tool and an added one with the same schemas.
    pub renamed: Vec<Renamed>,
    pub changed: Vec<Changed>,
    #[serde(default, skip_serializing_if = "ListDrift::is_empty")]
    pub prompts: ListDrift,
    #[serde(default, skip_serializing_if = "ListDrift::is_empty")]
    pub resources: ListDrift,
    /// What it did to the server: warn (degraded) or critical (unhealthy, the run critical).
    pub severity: Severity,
    /// Digest of the snapshot that differs: the same drift seen again has the same digest.
    pub digest: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Renamed {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Changed {
    pub tool: String,
    pub what: What,
    /// Compact: `path: old → new`, `+path: new`, `-path`, joined by `; `. For a description,
    /// the two hashes (the text itself is never stored).
    pub diff: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum What {
    Schema,
    Description,
    Annotations,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct ListDrift {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl ListDrift {
    pub(crate) fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    Warn,
    Critical,
}

/// The baseline this probe was compared with.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Baseline {
    pub state: BaselineState,
    /// When the baseline was taken.
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum BaselineState {
    /// This probe's snapshot became the first baseline.
    Created,
    /// Nothing compared differs.
    Same,
    /// Something differs: see `drift`.
    Drifted,
    /// `--accept-drift`: this snapshot replaced the baseline (the `drift` shown was accepted).
    Accepted,
    /// Unrecognised (a newer mcpctl).
    #[serde(other)]
    Other,
}

/// What the comparison found for one server.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub baseline: Option<Baseline>,
    pub drift: Option<Drift>,
    /// The baseline file could not be read or written: a warning, with what to do.
    pub problem: Option<String>,
}

/// Older baselines kept after an accept, newest last.
const HISTORY: usize = 20;

#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    version: u32,
    since: DateTime<Utc>,
    baseline: Snapshot,
    /// The newest snapshot when it differs from the baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    current: Option<Snapshot>,
    #[serde(default)]
    history: Vec<Old>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Old {
    since: DateTime<Utc>,
    replaced_at: DateTime<Utc>,
    snapshot: Snapshot,
}

/// `<state>/drift/<name>.json`; names that are not plain file names get a digest instead.
pub(crate) fn baseline_path(state_dir: &Path, server: &str) -> PathBuf {
    let plain = !server.is_empty()
        && !server.starts_with('.')
        && server
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    let file = if plain {
        format!("{server}.json")
    } else {
        format!(
            "_{}.json",
            &crate::hash::sha256_hex(server.as_bytes())[..16]
        )
    };
    state_dir.join("drift").join(file)
}

/// Compares `inventory` with the server's baseline (creating it on first use, replacing it
/// when `accept`), and says what the policy makes of a difference. Without `write` nothing is
/// stored: no baseline is created, and none is accepted.
pub(crate) fn check(
    state_dir: &Path,
    server: &str,
    policy: &DriftPolicy,
    inventory: &crate::probe::Inventory,
    (accept, write): (bool, bool),
    now: DateTime<Utc>,
) -> Outcome {
    let accept = accept && write;
    let path = baseline_path(state_dir, server);
    let snapshot = Snapshot::of(inventory);
    let mut outcome = Outcome::default();
    let stored = match load(&path, server) {
        Ok(stored) => stored,
        // Accepting replaces a baseline that cannot be read.
        Err(_) if accept => None,
        Err(problem) => {
            outcome.problem = Some(problem.to_string());
            return outcome;
        }
    };
    let Some(mut stored) = stored else {
        if !write {
            return outcome;
        }
        let fresh = Stored {
            version: 1,
            since: now,
            baseline: snapshot,
            current: None,
            history: Vec::new(),
        };
        outcome.problem = save(&path, &fresh);
        outcome.baseline = Some(Baseline {
            state: if accept {
                BaselineState::Accepted
            } else {
                BaselineState::Created
            },
            since: now,
        });
        return outcome;
    };
    let diff = snapshot::compare(
        &stored.baseline,
        &snapshot,
        &snapshot::Ignore::new(&policy.ignore),
    );
    if diff.is_empty() {
        outcome.baseline = Some(Baseline {
            state: BaselineState::Same,
            since: stored.since,
        });
        if write && stored.current.is_some() {
            stored.current = None;
            outcome.problem = save(&path, &stored);
        }
        return outcome;
    }
    let critical = policy.on_drift == OnDrift::Critical
        || (policy.pin_tools && diff.changed.iter().any(|c| c.what == What::Description));
    let drift = Drift {
        digest: snapshot.digest(),
        added: diff.added,
        removed: diff.removed,
        renamed: diff.renamed,
        changed: diff.changed,
        prompts: diff.prompts,
        resources: diff.resources,
        severity: if critical {
            Severity::Critical
        } else {
            Severity::Warn
        },
    };
    if accept {
        let old = std::mem::replace(&mut stored.baseline, snapshot);
        stored.history.push(Old {
            since: stored.since,
            replaced_at: now,
            snapshot: old,
        });
        let excess = stored.history.len().saturating_sub(HISTORY);
        stored.history.drain(..excess);
        stored.since = now;
        stored.current = None;
        outcome.problem = save(&path, &stored);
        outcome.baseline = Some(Baseline {
            state: BaselineState::Accepted,
            since: now,
        });
    } else {
        if write && stored.current.as_ref() != Some(&snapshot) {
            stored.current = Some(snapshot);
            outcome.problem = save(&path, &stored);
        }
        outcome.baseline = Some(Baseline {
            state: BaselineState::Drifted,
            since: stored.since,
        });
    }
    outcome.drift = Some(drift);
    outcome
}

/// A stored baseline that cannot be used. The text is the server's `drift` problem in the
/// report, so it says what to do.
#[derive(Debug, thiserror::Error)]
enum LoadError {
    #[error(
        "the tool baseline {} is not readable ({source}); run `mcpctl health-check --accept-drift {server}` to take a new one",
        path.display()
    )]
    Parse {
        path: PathBuf,
        server: String,
        source: serde_json::Error,
    },
    #[error(
        "cannot read the tool baseline {}: {source}; check the state directory's permissions",
        path.display()
    )]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The stored baseline, `None` before the first.
fn load(path: &Path, server: &str) -> Result<Option<Stored>, LoadError> {
    match crate::state::read_state(path) {
        Ok(bytes) => serde_json::from_slice::<Stored>(&bytes)
            .map(Some)
            .map_err(|source| LoadError::Parse {
                path: path.to_path_buf(),
                server: server.to_owned(),
                source,
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(LoadError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn save(path: &Path, stored: &Stored) -> Option<String> {
    let bytes = serde_json::to_vec_pretty(stored).expect("a baseline serializes");
    let dir = path.parent().unwrap_or(path);
    let result = crate::state::ensure_dir(dir)
        .and_then(|()| crate::state::write_atomic(path, &bytes, 0o600));
    result.err().map(|e| {
        format!("cannot save the tool baseline: {e}; check the state directory's permissions")
    })
}

impl Drift {
    /// One line: `2 added (a, b), 1 renamed (x → y), schema of t changed`.
    pub(crate) fn line(&self) -> String {
        let list = |names: &[String]| names.join(", ");
        let mut parts = Vec::new();
        if !self.added.is_empty() {
            parts.push(format!("added {}", list(&self.added)));
        }
        if !self.removed.is_empty() {
            parts.push(format!("removed {}", list(&self.removed)));
        }
        for r in &self.renamed {
            parts.push(format!("renamed {} → {}", r.from, r.to));
        }
        for c in &self.changed {
            let what = match c.what {
                What::Schema => "schema",
                What::Description => "description",
                What::Annotations => "annotations",
            };
            parts.push(format!("{what} of {} changed", c.tool));
        }
        for (label, l) in [("prompts", &self.prompts), ("resources", &self.resources)] {
            if !l.is_empty() {
                parts.push(format!("{label} +{} -{}", l.added.len(), l.removed.len()));
            }
        }
        parts.join(", ")
    }
}
