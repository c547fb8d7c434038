//! `mcpctl restore TARGET`: the newest copy that fully verifies, written back atomically.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Ctx;
use super::emit::{self, View};
use crate::backup::{self, archive, keys, store};
use crate::cli::RestoreArgs;
use crate::config::{BackupSettings, BackupTarget, FileFormat};
use crate::error::{Error, Result};
use crate::exit::{Code, Status};
use crate::output::{self, Envelope};
use crate::state;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Body {
    target: String,
    dry_run: bool,
    /// The backup that was (or would be) restored.
    used: Option<Used>,
    /// Newer copies that were passed over, and why.
    skipped: Vec<Skipped>,
    files: Vec<FileAction>,
    /// With --list: every candidate and whether it verifies.
    candidates: Vec<Skipped>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
struct Used {
    backup: String,
    location: PathBuf,
    created: DateTime<Utc>,
    host: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
struct Skipped {
    backup: String,
    location: PathBuf,
    reason: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
struct FileAction {
    path: PathBuf,
    /// created | replaced | unchanged (prefixed "would " on a dry run)
    action: String,
    /// Where the replaced file was kept.
    previous: Option<PathBuf>,
    /// Keys added, removed or changed (json, toml, dotenv); never their values.
    changed_keys: Vec<String>,
}

struct Candidate {
    copies: Vec<store::Copy>,
}

pub(crate) async fn run(args: RestoreArgs, ctx: &Ctx) -> Result<Code> {
    let started = Utc::now();
    let (settings, state_dir) = super::settings(ctx).await?;
    let cfg = settings
        .backup
        .ok_or_else(|| Error::Usage("no [backup] section in the config".into()))?;
    let target = cfg
        .targets
        .iter()
        .find(|t| t.name == args.target)
        .cloned()
        .ok_or_else(|| {
            let known: Vec<&str> = cfg.targets.iter().map(|t| t.name.as_str()).collect();
            Error::Usage(format!(
                "no backup target named `{}`; known: {}",
                args.target,
                known.join(", ")
            ))
        })?;
    let _lock = state::acquire(&state_dir, ctx.global.wait_lock).await?;
    let mut body = Body {
        target: target.name.clone(),
        dry_run: args.dry_run,
        used: None,
        skipped: Vec::new(),
        files: Vec::new(),
        candidates: Vec::new(),
    };
    let (status, summary) = restore(&cfg, &target, &args, &mut body);
    let env = Envelope::new("restore", started, status, summary, body);
    emit::finish(&env, started, &state_dir, ctx, || view(&env.body)).await
}

/// `recover`'s restore-config step: `Ok(None)` when nothing needed writing.
pub(crate) fn for_recovery(
    cfg: Option<&BackupSettings>,
    target: &str,
    only_if_invalid: bool,
) -> std::result::Result<Option<String>, String> {
    let cfg = cfg.ok_or("the config has no [backup] section")?;
    let target = cfg
        .targets
        .iter()
        .find(|t| t.name == target)
        .ok_or_else(|| format!("no backup target named `{target}`"))?;
    let args = RestoreArgs {
        target: target.name.clone(),
        at: None,
        list: false,
        dry_run: false,
        if_invalid: only_if_invalid,
        to: None,
    };
    let mut body = Body {
        target: target.name.clone(),
        dry_run: false,
        used: None,
        skipped: Vec::new(),
        files: Vec::new(),
        candidates: Vec::new(),
    };
    let (status, summary) = restore(cfg, target, &args, &mut body);
    if status == Status::Critical {
        return Err(summary);
    }
    Ok(body
        .files
        .iter()
        .any(|f| f.action != "unchanged")
        .then_some(summary))
}

fn restore(
    cfg: &BackupSettings,
    target: &BackupTarget,
    args: &RestoreArgs,
    body: &mut Body,
) -> (Status, String) {
    let identities = match keys::identities(cfg.identity.as_deref()) {
        Ok(ids) => ids,
        Err(e) => return (Status::Critical, format!("nothing restored: {e}")),
    };
    let candidates = match candidates(cfg, &target.name, args.at.as_deref()) {
        Ok(c) => c,
        Err(e) => return (Status::Critical, e),
    };
    if args.list {
        return list(&candidates, target, &identities, body);
    }
    if args.if_invalid
        && args.to.is_none()
        && let Ok(()) = current_is_valid(target)
    {
        return (
            Status::Ok,
            format!(
                "{}: the current files are valid; nothing restored",
                target.name
            ),
        );
    }
    let mut chosen = None;
    'search: for candidate in &candidates {
        for copy in &candidate.copies {
            match verify(copy, target, &identities) {
                Ok(opened) => {
                    chosen = Some((copy.clone(), opened));
                    break 'search;
                }
                Err(reason) => body.skipped.push(Skipped {
                    backup: copy.name.clone(),
                    location: copy.location.clone(),
                    reason,
                }),
            }
        }
    }
    let Some((copy, opened)) = chosen else {
        return (
            Status::Critical,
            format!(
                "no valid backup of {} ({} copies tried); nothing written",
                target.name,
                body.skipped.len()
            ),
        );
    };
    body.used = Some(Used {
        backup: copy.name.clone(),
        location: copy.location.clone(),
        created: opened.manifest.created,
        host: opened.manifest.host.clone(),
    });
    match apply(&opened, target, args, &mut body.files) {
        Ok(changed) => {
            let verb = if args.dry_run {
                "would restore"
            } else {
                "restored"
            };
            let mut summary = format!(
                "{}: {verb} {changed} of {} files from {}",
                target.name,
                body.files.len(),
                copy.name
            );
            if !body.skipped.is_empty() {
                summary.push_str(&format!(" ({} newer copies skipped)", body.skipped.len()));
            }
            let status = if body.skipped.is_empty() {
                Status::Ok
            } else {
                Status::Warning
            };
            (status, summary)
        }
        Err(e) => (
            Status::Critical,
            format!("{}: restore failed: {e}", target.name),
        ),
    }
}

/// `--list`: every copy and whether it verifies.
fn list(
    candidates: &[Candidate],
    target: &BackupTarget,
    ids: &[Box<dyn age::Identity>],
    body: &mut Body,
) -> (Status, String) {
    for copy in candidates.iter().flat_map(|c| &c.copies) {
        let verdict = verify(copy, target, ids)
            .err()
            .unwrap_or_else(|| "valid".into());
        body.candidates.push(Skipped {
            backup: copy.name.clone(),
            location: copy.location.clone(),
            reason: verdict,
        });
    }
    let valid = body
        .candidates
        .iter()
        .filter(|c| c.reason == "valid")
        .count();
    let status = if valid > 0 {
        Status::Ok
    } else {
        Status::Critical
    };
    (
        status,
        format!(
            "{} copies of {}, {valid} valid",
            body.candidates.len(),
            target.name
        ),
    )
}

/// Every copy of every backup, newest backup first; a backup's copies in location order.
fn candidates(
    cfg: &BackupSettings,
    target: &str,
    at: Option<&str>,
) -> Result<Vec<Candidate>, String> {
    let mut by_id: BTreeMap<(DateTime<Utc>, String), Vec<store::Copy>> = BTreeMap::new();
    for location in &cfg.locations {
        let Ok(copies) = store::list(&location.path, target) else {
            continue;
        };
        for copy in copies {
            by_id
                .entry((copy.time, copy.id().to_owned()))
                .or_default()
                .push(copy);
        }
    }
    let at_time = at
        .and_then(|a| DateTime::parse_from_rfc3339(a).ok())
        .map(|t| t.with_timezone(&Utc));
    let list: Vec<Candidate> = by_id
        .into_iter()
        .rev()
        .filter(|((time, id), _)| match (at, at_time) {
            (None, _) => true,
            (Some(_), Some(t)) => *time <= t,
            (Some(a), None) => {
                id == a || id.trim_start_matches("mcpctl-") == a || format!("{id}.tar.age") == a
            }
        })
        .map(|(_, copies)| Candidate { copies })
        .collect();
    if list.is_empty() {
        let which = at.map_or_else(String::new, |a| format!(" matching --at {a}"));
        return Err(format!(
            "no backup of {target}{which} in any location; nothing written"
        ));
    }
    Ok(list)
}

/// Sidecar, full decryption, every hash, the target's own paths, the format: all before any
/// byte is written.
fn verify(
    copy: &store::Copy,
    target: &BackupTarget,
    ids: &[Box<dyn age::Identity>],
) -> Result<archive::Opened, String> {
    let opened = store::read_and(copy, |bytes| archive::open(bytes, ids, true))?;
    if opened.manifest.target != target.name {
        return Err(format!(
            "the manifest says target {}",
            opened.manifest.target
        ));
    }
    for (entry, content) in opened.manifest.files.iter().zip(&opened.files) {
        if !backup::covers(target, &entry.path) {
            return Err(format!("{} is not one of the target's paths", entry.path));
        }
        crate::validate::check(target.format, Path::new(&entry.path), content)
            .map_err(|e| format!("{} is not valid {:?}: {e}", entry.path, target.format))?;
    }
    Ok(opened)
}

fn current_is_valid(target: &BackupTarget) -> Result<(), String> {
    for f in backup::collect(target)? {
        crate::validate::check(target.format, Path::new(&f.entry.path), &f.bytes)?;
    }
    Ok(())
}

fn apply(
    opened: &archive::Opened,
    target: &BackupTarget,
    args: &RestoreArgs,
    files: &mut Vec<FileAction>,
) -> Result<usize, String> {
    // Previous versions first, in their own batch: a crash between the batches leaves the
    // originals in place and their copies beside them.
    let mut prev_writes: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut writes: Vec<(PathBuf, &[u8], u32)> = Vec::new();
    for (entry, content) in opened.manifest.files.iter().zip(&opened.files) {
        let dest = match &args.to {
            Some(dir) => dir.join(entry.path.trim_start_matches('/')),
            None => PathBuf::from(&entry.path),
        };
        let current = std::fs::read(&dest).ok();
        let format = crate::validate::effective(target.format, Path::new(&entry.path));
        let action = match &current {
            Some(c) if c == content => "unchanged",
            Some(_) => "replaced",
            None => "created",
        };
        let changed_keys = current
            .as_deref()
            .map(|c| changed_keys(format, c, content))
            .unwrap_or_default();
        let mut previous = None;
        if action != "unchanged" {
            if let Some(old) = current {
                let prev = sibling(&dest, ".mcpctl-prev");
                previous = Some(prev.clone());
                prev_writes.push((prev, old));
            }
            // Credential files come back private whatever their recorded mode.
            let mode = if format == FileFormat::Dotenv {
                0o600
            } else {
                entry.mode & 0o777
            };
            writes.push((dest.clone(), content.as_slice(), mode));
        }
        let action = if args.dry_run && action != "unchanged" {
            format!("would be {action}")
        } else {
            action.to_owned()
        };
        files.push(FileAction {
            path: dest,
            action,
            previous: previous.filter(|_| !args.dry_run),
            changed_keys,
        });
    }
    if !args.dry_run {
        for (dest, _, _) in &writes {
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
        }
        let prev: Vec<(&Path, &[u8], u32)> = prev_writes
            .iter()
            .map(|(p, b)| (p.as_path(), b.as_slice(), 0o600))
            .collect();
        state::write_atomic_many(&prev).map_err(|e| e.to_string())?;
        let new: Vec<(&Path, &[u8], u32)> = writes
            .iter()
            .map(|(p, b, m)| (p.as_path(), *b, *m))
            .collect();
        state::write_atomic_many(&new).map_err(|e| e.to_string())?;
    }
    Ok(writes.len())
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Which keys differ, for the dry-run diff. Values never appear: they are secrets.
fn changed_keys(format: FileFormat, old: &[u8], new: &[u8]) -> Vec<String> {
    let (Some(old), Some(new)) = (flatten(format, old), flatten(format, new)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in &new {
        match old.get(k) {
            None => out.push(format!("+{k}")),
            Some(o) if o != v => out.push(format!("~{k}")),
            Some(_) => {}
        }
    }
    out.extend(
        old.keys()
            .filter(|k| !new.contains_key(*k))
            .map(|k| format!("-{k}")),
    );
    out
}

fn flatten(format: FileFormat, bytes: &[u8]) -> Option<BTreeMap<String, String>> {
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    walk(
                        &if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        },
                        v,
                        out,
                    );
                }
            }
            other => {
                out.insert(prefix.to_owned(), other.to_string());
            }
        }
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let value: serde_json::Value = match format {
        FileFormat::Json => jsonc_parser::parse_to_serde_value::<Option<serde_json::Value>>(
            text,
            &jsonc_parser::ParseOptions::default(),
        )
        .ok()??,
        FileFormat::Toml => serde_json::to_value(toml::from_str::<toml::Table>(text).ok()?).ok()?,
        FileFormat::Dotenv => {
            return dotenvy::from_read_iter(bytes)
                .collect::<Result<BTreeMap<String, String>, _>>()
                .ok();
        }
        FileFormat::Yaml | FileFormat::Raw | FileFormat::Auto => return None,
    };
    let mut out = BTreeMap::new();
    walk("", &value, &mut out);
    Some(out)
}

fn view(body: &Body) -> View {
    let mut table = output::table::new(&["FILE", "ACTION", "KEYS"]);
    for f in &body.files {
        table.add_row(vec![
            f.path.display().to_string(),
            f.action.clone(),
            f.changed_keys.join(" "),
        ]);
    }
    for c in &body.candidates {
        table.add_row(vec![
            c.location.join(&c.backup).display().to_string(),
            c.reason.clone(),
            String::new(),
        ]);
    }
    View {
        table: Some(table),
        problems: body
            .skipped
            .iter()
            .map(|s| {
                format!(
                    "skipped {}: {}",
                    s.location.join(&s.backup).display(),
                    s.reason
                )
            })
            .collect(),
        footnotes: body
            .used
            .iter()
            .map(|u| {
                format!(
                    "from {} (made {} on {})",
                    u.location.join(&u.backup).display(),
                    u.created.format("%Y-%m-%d %H:%M UTC"),
                    u.host
                )
            })
            .collect(),
        ..View::default()
    }
}
