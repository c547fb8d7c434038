//! `report --prune`: deletes stored reports older than a cut-off, keeping what the figures still
//! need: the newest report of every command (the state at the start of any later window) and the
//! backup reports that hold each target's newest verified copy. The recovery audit is an
//! append-only log and is left alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{lean, scan};

#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub(crate) struct Pruned {
    pub before: DateTime<Utc>,
    /// Reports deleted, by command.
    pub deleted: BTreeMap<String, u64>,
    pub bytes: u64,
    /// Older than the cut-off, kept because the figures need them.
    pub kept: u64,
    /// Could not be deleted, with why.
    pub errors: Vec<String>,
}

pub(crate) fn prune(state_dir: &Path, before: DateTime<Utc>) -> Pruned {
    let mut out = Pruned {
        before,
        ..Pruned::default()
    };
    let Ok(dirs) = std::fs::read_dir(state_dir.join("reports")) else {
        return out;
    };
    let mut commands: Vec<String> = dirs
        .flatten()
        // Not `path().is_dir()`: that follows a symlinked directory out of the state dir.
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect();
    commands.sort();
    for command in commands {
        let mut sources = scan::Sources::default();
        let listed = scan::list(state_dir, &command, &mut sources);
        let old = listed.partition_point(|l| l.time < before);
        // The newest report before the cut-off is the state at the start of every later window.
        let mut keep: BTreeSet<usize> = old.checked_sub(1).into_iter().collect();
        if command == "backup" {
            keep.extend(backup_keepers(&listed));
        }
        for (i, l) in listed.iter().enumerate().take(old) {
            if keep.contains(&i) {
                out.kept += 1;
                continue;
            }
            let size = std::fs::metadata(&l.path).map_or(0, |m| m.len());
            match std::fs::remove_file(&l.path) {
                Ok(()) => {
                    *out.deleted.entry(command.clone()).or_default() += 1;
                    out.bytes += size;
                }
                Err(e) => out.errors.push(format!("{}: {e}", l.path.display())),
            }
        }
    }
    out
}

/// Per target and location, the newest report that wrote or checked a good copy there, and the
/// newest check of any outcome (a later failed check withdraws the good copy); per target, the
/// newest that found it unchanged.
fn backup_keepers(listed: &[scan::Listed]) -> BTreeSet<usize> {
    let mut newest: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut checked: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut sources = scan::Sources::default();
    scan::read_all(listed, "backup", &mut sources, |i, r: lean::Backup| {
        for t in r.targets {
            if t.result == crate::backup::run::Outcome::Unchanged {
                newest.insert((t.name.clone(), String::new()), i);
            }
            for loc in t.locations.into_iter().filter(|l| l.ok) {
                newest.insert((t.name.clone(), loc.path.display().to_string()), i);
            }
        }
        for c in r.copies {
            let location = c
                .file
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let key = (c.target, location);
            checked.insert(key.clone(), i);
            if c.ok {
                newest.insert(key, i);
            }
        }
    });
    newest.into_values().chain(checked.into_values()).collect()
}
