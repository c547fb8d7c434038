//! The table `bump-action` raises refs to: shipped `patterns/actions.yaml`, then an
//! `actions.yaml` in each of `[github] patterns_dirs`, later entries winning.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::types::grammar::{Grammar, GrammarError};

const SHIPPED: &str = include_str!("../../patterns/actions.yaml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    actions: BTreeMap<String, String>,
}

/// An `actions.yaml` that cannot be used, named by its path.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ActionsError {
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Boxed: the parser's error is large.
    #[error("{name}: {source}")]
    Yaml {
        name: String,
        source: Box<serde_saphyr::Error>,
    },
    #[error("{name}: {source}")]
    Action { name: String, source: GrammarError },
    #[error("{name}: {action}: `{target}` is not a major ref like v4")]
    Target {
        name: String,
        action: String,
        target: String,
    },
}

pub(crate) fn load(dirs: &[PathBuf]) -> Result<BTreeMap<String, String>, ActionsError> {
    let mut table = parse("patterns/actions.yaml", SHIPPED)?;
    for dir in dirs {
        let path = dir.join("actions.yaml");
        match std::fs::read_to_string(&path) {
            Ok(text) => table.extend(parse(&path.display().to_string(), &text)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(ActionsError::Read { path, source }),
        }
    }
    Ok(table)
}

fn parse(name: &str, text: &str) -> Result<BTreeMap<String, String>, ActionsError> {
    let file: File = serde_saphyr::from_str(text).map_err(|source| ActionsError::Yaml {
        name: name.to_owned(),
        source: Box::new(source),
    })?;
    let mut out = BTreeMap::new();
    for (action, target) in file.actions {
        Grammar::Action
            .check(&action)
            .map_err(|source| ActionsError::Action {
                name: name.to_owned(),
                source,
            })?;
        if !target.starts_with('v') || !target[1..].chars().all(|c| c.is_ascii_digit()) {
            return Err(ActionsError::Target {
                name: name.to_owned(),
                action,
                target,
            });
        }
        out.insert(action.to_ascii_lowercase(), target);
    }
    Ok(out)
}
