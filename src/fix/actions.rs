//! The table `bump-action` raises refs to: shipped `patterns/actions.yaml`, then an
//! `actions.yaml` in each of `[github] patterns_dirs`, later entries winning.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

const SHIPPED: &str = include_str!("../../patterns/actions.yaml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    actions: BTreeMap<String, String>,
}

pub fn load(dirs: &[PathBuf]) -> Result<BTreeMap<String, String>, String> {
    let mut table = parse("patterns/actions.yaml", SHIPPED)?;
    for dir in dirs {
        let path = dir.join("actions.yaml");
        match std::fs::read_to_string(&path) {
            Ok(text) => table.extend(parse(&path.display().to_string(), &text)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{}: cannot read: {e}", path.display())),
        }
    }
    Ok(table)
}

fn parse(name: &str, text: &str) -> Result<BTreeMap<String, String>, String> {
    let file: File = serde_saphyr::from_str(text).map_err(|e| format!("{name}: {e}"))?;
    let mut out = BTreeMap::new();
    for (action, target) in file.actions {
        crate::types::grammar::Grammar::Action
            .check(&action)
            .map_err(|e| format!("{name}: {e}"))?;
        if !target.starts_with('v') || !target[1..].chars().all(|c| c.is_ascii_digit()) {
            return Err(format!(
                "{name}: {action}: `{target}` is not a major ref like v4"
            ));
        }
        out.insert(action.to_ascii_lowercase(), target);
    }
    Ok(out)
}
