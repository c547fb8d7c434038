//! Restoring a target: choose the newest copy that passes every check (`verify`), map its
//! manifest onto the target's configured paths, keep the current files in the state dir, and
//! write the new ones atomically and privately. Nothing is written through a symlink.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{ApplyError, NothingStored, RecoveryError};
use super::verify::{self, CopyState, Trust, Trusted};
use super::{sign::Verifier, store};
use crate::config::{BackupSettings, BackupTarget, FileFormat};
use crate::exit::Status;

/// How many earlier versions of a target's files the state dir keeps.
const KEEP_PREVIOUS: usize = 10;
/// A current file larger than this is not read for the diff (and not kept aside).
const MAX_CURRENT: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Every candidate and its state; nothing written.
    List,
    /// What would change; nothing written.
    DryRun,
    Write,
}

#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub mode: Mode,
    /// A backup id, a unique prefix of one, or a time (the newest at or before it).
    pub at: Option<String>,
    /// Only when the current files fail validation.
    pub if_invalid: bool,
    /// Into this directory instead of the original paths.
    pub to: Option<PathBuf>,
    pub allow_unsigned: bool,
}

/// The keys a restore checks copies with.
pub(crate) struct Keys<'a> {
    pub identities: &'a super::keys::Identities,
    pub verifier: &'a Verifier,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Body {
    pub target: String,
    pub dry_run: bool,
    /// The backup that was (or would be) restored.
    pub used: Option<Used>,
    /// Newer copies that were passed over, and why.
    pub skipped: Vec<Candidate>,
    pub files: Vec<FileAction>,
    /// With --list: every candidate and whether it verifies.
    pub candidates: Vec<Candidate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Used {
    pub backup: String,
    pub location: PathBuf,
    pub created: DateTime<Utc>,
    pub host: String,
    /// `valid_unsigned` when it was taken with --allow-unsigned.
    pub state: CopyState,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Candidate {
    pub backup: String,
    pub location: PathBuf,
    /// The time in its name.
    #[serde(default)]
    pub time: Option<DateTime<Utc>>,
    pub state: CopyState,
    /// "valid", or why it was refused.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) enum Change {
    #[serde(rename = "created")]
    Created,
    #[serde(rename = "replaced")]
    Replaced,
    #[serde(rename = "unchanged")]
    Unchanged,
    #[serde(rename = "would be created")]
    WouldBeCreated,
    #[serde(rename = "would be replaced")]
    WouldBeReplaced,
    #[serde(other)]
    Other,
}

impl Change {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Replaced => "replaced",
            Change::Unchanged => "unchanged",
            Change::WouldBeCreated => "would be created",
            Change::WouldBeReplaced => "would be replaced",
            Change::Other => "?",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct FileAction {
    pub path: PathBuf,
    pub action: Change,
    /// Where the replaced file was kept (in the state dir).
    pub previous: Option<PathBuf>,
    /// Keys added, removed or changed (json, toml, dotenv); never their values.
    pub changed_keys: Vec<String>,
}

pub(crate) use super::error::UsageError;

/// Runs a restore (or a list, or a dry run) and says how it went.
pub(crate) fn restore(
    cfg: &BackupSettings,
    target: &BackupTarget,
    opts: &Options,
    keys: &Keys<'_>,
    state_dir: &Path,
) -> Result<(Status, String, Body), UsageError> {
    let mut body = Body {
        target: target.name.clone(),
        dry_run: opts.mode == Mode::DryRun,
        used: None,
        skipped: Vec::new(),
        files: Vec::new(),
        candidates: Vec::new(),
    };
    let groups = match candidates(cfg, &target.name, opts.at.as_deref())? {
        Ok(c) => c,
        Err(e) => return Ok((Status::Critical, e.to_string(), body)),
    };
    let host = crate::output::hostname();
    let last = super::run::last_backup(state_dir, &target.name);
    let trust = Trust {
        verifier: keys.verifier,
        allow_unsigned: opts.allow_unsigned,
        host: &host,
        newest_written: last.as_ref().map(|l| l.name.as_str()),
        now: Utc::now(),
    };
    if opts.mode == Mode::List {
        let (status, summary) = list(&groups, target, &trust, keys, &mut body);
        return Ok((status, summary, body));
    }
    if opts.if_invalid && opts.to.is_none() && current_is_valid(target) {
        let summary = format!(
            "{}: the current files are valid; nothing restored",
            target.name
        );
        return Ok((Status::Ok, summary, body));
    }
    let mut chosen = None;
    'search: for group in &groups {
        for copy in group {
            match open_for(copy, target, &trust, keys, true) {
                Ok(trusted) => {
                    chosen = Some((copy.clone(), trusted));
                    break 'search;
                }
                Err(refused) => body
                    .skipped
                    .push(candidate(copy, refused.state, refused.reason)),
            }
        }
    }
    let Some((copy, trusted)) = chosen else {
        let summary = format!(
            "no valid backup of {} ({} copies tried: {}); nothing written",
            target.name,
            body.skipped.len(),
            tally(&body.skipped)
        );
        return Ok((Status::Critical, summary, body));
    };
    body.used = Some(Used {
        backup: copy.name.clone(),
        location: copy.location.clone(),
        created: trusted.opened.manifest.created,
        host: trusted.opened.manifest.host.clone(),
        state: trusted.state,
    });
    let result = apply(&trusted, target, opts, state_dir, &mut body.files);
    let (status, summary) = match result {
        Ok(changed) => {
            let verb = if opts.mode == Mode::DryRun {
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
                summary.push_str(&format!(
                    " ({} newer copies skipped: {})",
                    body.skipped.len(),
                    tally(&body.skipped)
                ));
            }
            if trusted.state == CopyState::ValidUnsigned {
                summary.push_str("; the copy is unsigned (accepted with --allow-unsigned)");
            }
            let clean = body.skipped.is_empty() && trusted.state == CopyState::Valid;
            (if clean { Status::Ok } else { Status::Warning }, summary)
        }
        Err(e) => (
            Status::Critical,
            format!("{}: restore failed: {e}", target.name),
        ),
    };
    Ok((status, summary, body))
}

/// `recover`'s restore-config step: `Ok(None)` when nothing needed writing.
pub(crate) fn for_recovery(
    cfg: Option<&BackupSettings>,
    target: &str,
    only_if_invalid: bool,
    state_dir: &Path,
) -> Result<Option<String>, RecoveryError> {
    let cfg = cfg.ok_or(RecoveryError::NoBackup)?;
    let target = cfg
        .targets
        .iter()
        .find(|t| t.name == target)
        .ok_or_else(|| RecoveryError::NoTarget(target.to_owned()))?;
    let identities = super::keys::identities(cfg.identity.as_deref())?;
    let verifier = Verifier::new(&super::sign::VerifySource {
        verify_keys: &cfg.verify_keys,
        signing_key: &cfg.signing_key,
    })?;
    let opts = Options {
        mode: Mode::Write,
        at: None,
        if_invalid: only_if_invalid,
        to: None,
        allow_unsigned: false,
    };
    let keys = Keys {
        identities: &identities,
        verifier: &verifier,
    };
    let (status, summary, body) = restore(cfg, target, &opts, &keys, state_dir)?;
    if status == Status::Critical {
        return Err(RecoveryError::Failed(summary));
    }
    Ok(body
        .files
        .iter()
        .any(|f| f.action != Change::Unchanged)
        .then_some(summary))
}

/// "2 forged, 1 unsigned".
fn tally(skipped: &[Candidate]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in skipped {
        let word = match s.state {
            CopyState::Unsigned => "unsigned",
            CopyState::Forged => "forged",
            _ => "damaged",
        };
        *counts.entry(word).or_default() += 1;
    }
    counts
        .iter()
        .map(|(w, n)| format!("{n} {w}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn candidate(copy: &store::Copy, state: CopyState, reason: String) -> Candidate {
    Candidate {
        backup: copy.name.clone(),
        location: copy.location.clone(),
        time: Some(copy.time),
        state,
        reason,
    }
}

/// `verify::open` plus what only a restore can check: the target, its paths and formats.
fn open_for(
    copy: &store::Copy,
    target: &BackupTarget,
    trust: &Trust<'_>,
    keys: &Keys<'_>,
    keep: bool,
) -> Result<Trusted, verify::Refused> {
    let trusted = verify::open(copy, trust, keys.identities, keep)?;
    let bad = |reason: String| verify::Refused {
        state: CopyState::Damaged,
        reason,
    };
    let manifest = &trusted.opened.manifest;
    if manifest.target != target.name {
        return Err(verify::Refused {
            state: CopyState::Forged,
            reason: format!("the manifest says target {}", manifest.target),
        });
    }
    if let Some(entry) = manifest
        .files
        .iter()
        .find(|e| !super::covers(target, &e.path))
    {
        return Err(verify::Refused {
            state: CopyState::Forged,
            reason: format!("{} is not one of the target's paths", entry.path),
        });
    }
    // Without `keep` only the hashes were checked: the content is not at hand.
    for (entry, content) in manifest.files.iter().zip(&trusted.opened.files) {
        crate::validate::check(target.format, Path::new(&entry.path), content).map_err(|e| {
            bad(format!(
                "{} is not valid {}: {e}",
                entry.path,
                target.format.label()
            ))
        })?;
    }
    Ok(trusted)
}

/// `--list`: every copy and whether it verifies.
fn list(
    groups: &[Vec<store::Copy>],
    target: &BackupTarget,
    trust: &Trust<'_>,
    keys: &Keys<'_>,
    body: &mut Body,
) -> (Status, String) {
    for copy in groups.iter().flatten() {
        let c = match open_for(copy, target, trust, keys, false) {
            Ok(t) => candidate(copy, t.state, "valid".into()),
            Err(r) => candidate(copy, r.state, r.reason),
        };
        body.candidates.push(c);
    }
    let valid = body.candidates.iter().filter(|c| c.state.usable()).count();
    let bad = body.candidates.len() - valid;
    let status = if valid == 0 {
        Status::Critical
    } else if bad > 0 {
        Status::Warning
    } else {
        Status::Ok
    };
    let mut summary = format!(
        "{} of {}, {valid} valid",
        crate::output::plural(body.candidates.len(), "copy", "copies"),
        target.name
    );
    if bad > 0 {
        let refused: Vec<Candidate> = body
            .candidates
            .iter()
            .filter(|c| !c.state.usable())
            .cloned()
            .collect();
        summary.push_str(&format!(" ({})", tally(&refused)));
    }
    (status, summary)
}

/// Every copy of every backup, newest backup first, a backup's copies in location order; or
/// only the one `--at` names. The outer error is a usage error (an ambiguous `--at`), the inner
/// one a run that finds nothing.
fn candidates(
    cfg: &BackupSettings,
    target: &str,
    at: Option<&str>,
) -> Result<Result<Vec<Vec<store::Copy>>, NothingStored>, UsageError> {
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
    let all: Vec<Group> = by_id.into_iter().rev().collect();
    let chosen: Vec<Vec<store::Copy>> = match at {
        None => all.into_iter().map(|(_, c)| c).collect(),
        Some(a) => select_at(all, target, a)?,
    };
    if chosen.is_empty() {
        return Ok(Err(NothingStored {
            target: target.to_owned(),
            at: at.map(str::to_owned),
        }));
    }
    Ok(Ok(chosen))
}

type Group = ((DateTime<Utc>, String), Vec<store::Copy>);

/// `--at`: an exact id, a unique prefix of one (with or without `mcpctl-<target>-`), or a time.
fn select_at(all: Vec<Group>, target: &str, at: &str) -> Result<Vec<Vec<store::Copy>>, UsageError> {
    if let Some(time) = parse_time(at) {
        return Ok(all
            .into_iter()
            .filter(|((t, _), _)| *t <= time)
            .map(|(_, c)| c)
            .collect());
    }
    let at = at.trim_end_matches(".tar.age");
    let short = format!("mcpctl-{target}-");
    let matches = |id: &str, exact: bool| {
        let bare = id.strip_prefix(&short).unwrap_or(id);
        if exact {
            id == at || bare == at
        } else {
            id.starts_with(at) || bare.starts_with(at)
        }
    };
    if let Some(pos) = all.iter().position(|((_, id), _)| matches(id, true)) {
        return Ok(vec![all.into_iter().nth(pos).expect("found").1]);
    }
    let found: Vec<Group> = all
        .into_iter()
        .filter(|((_, id), _)| matches(id, false))
        .collect();
    if found.len() > 1 {
        let ids: Vec<&str> = found.iter().map(|((_, id), _)| id.as_str()).collect();
        return Err(UsageError(format!(
            "--at {at} matches {} backups of {target}: {}; give more of the id",
            found.len(),
            ids.join(", ")
        )));
    }
    Ok(found.into_iter().map(|(_, c)| c).collect())
}

/// RFC 3339, or the shorter forms a person types: `2026-11-24T08:00`, `2026-11-24 08:00:00`
/// (UTC), `2026-11-24`.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let s = s.trim_end_matches('Z');
    for f in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map(|t| t.and_utc())
}

/// Files that cannot be read count as invalid: restoring is what `--if-invalid` asks for then.
fn current_is_valid(target: &BackupTarget) -> bool {
    super::collect(target, true).is_ok_and(|files| files.iter().all(|f| f.invalid.is_none()))
}

/// One file to write.
struct Write<'a> {
    dest: PathBuf,
    content: &'a [u8],
    mode: u32,
}

fn apply(
    trusted: &Trusted,
    target: &BackupTarget,
    opts: &Options,
    state_dir: &Path,
    files: &mut Vec<FileAction>,
) -> Result<usize, ApplyError> {
    let opened = &trusted.opened;
    let dry_run = opts.mode == Mode::DryRun;
    let batch = previous_dir(state_dir, &target.name);
    let mut previous: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut writes: Vec<Write<'_>> = Vec::new();
    for (entry, content) in opened.manifest.files.iter().zip(&opened.files) {
        let (base, dest) = match &opts.to {
            Some(dir) => (dir.clone(), dir.join(entry.path.trim_start_matches('/'))),
            None => (
                super::base_of(target, &entry.path),
                PathBuf::from(&entry.path),
            ),
        };
        refuse_symlinks(&base, &dest)?;
        let current = read_current(&dest)?;
        let format = crate::validate::effective(target.format, Path::new(&entry.path));
        let unchanged = current.as_deref() == Some(content.as_slice());
        let action = match (&current, unchanged, dry_run) {
            (_, true, _) => Change::Unchanged,
            (Some(_), false, false) => Change::Replaced,
            (Some(_), false, true) => Change::WouldBeReplaced,
            (None, _, false) => Change::Created,
            (None, _, true) => Change::WouldBeCreated,
        };
        let changed_keys = current
            .as_deref()
            .map(|c| changed_keys(format, c, content))
            .unwrap_or_default();
        let mut kept = None;
        if !unchanged {
            if let Some(old) = current {
                let aside = batch.join(dest.strip_prefix("/").unwrap_or(&dest));
                kept = Some(aside.clone());
                previous.push((aside, old));
            }
            writes.push(Write {
                dest: dest.clone(),
                content: content.as_slice(),
                mode: file_mode(target, format, entry.mode),
            });
        }
        files.push(FileAction {
            path: dest,
            action,
            previous: kept.filter(|_| !dry_run),
            changed_keys,
        });
    }
    if dry_run || writes.is_empty() {
        return Ok(writes.len());
    }
    if crate::signal::requested() {
        return Err(ApplyError::InterruptedBeforeAny);
    }
    // Previous versions first, in their own batch and outside the target: a crash between the
    // batches leaves the originals in place and their copies in the state dir.
    keep_previous(&previous, state_dir, &target.name)?;
    let dir_mode = if target.keep_mode { 0o755 } else { 0o700 };
    for w in &writes {
        if let Some(parent) = w.dest.parent() {
            create_dirs(parent, dir_mode)?;
            super::clean_temps_in(parent);
        }
    }
    if crate::signal::requested() {
        return Err(ApplyError::InterruptedBeforeNew);
    }
    let new: Vec<(&Path, &[u8], u32)> = writes
        .iter()
        .map(|w| (w.dest.as_path(), w.content, w.mode))
        .collect();
    crate::state::write_atomic_many(&new).map_err(|e| ApplyError::Write(Box::new(e)))?;
    Ok(writes.len())
}

/// Restored files are private unless the target asks for the recorded mode; credential files
/// are private whatever was recorded.
fn file_mode(target: &BackupTarget, format: FileFormat, recorded: u32) -> u32 {
    if target.keep_mode && format != FileFormat::Dotenv {
        recorded & 0o777
    } else {
        0o600
    }
}

/// The current content, `None` when there is no file. A symlink or special file is refused:
/// restore would replace the link, and reading a FIFO would hang.
fn read_current(dest: &Path) -> Result<Option<Vec<u8>>, ApplyError> {
    match crate::state::read_regular(dest, MAX_CURRENT) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ApplyError::Current {
            path: dest.to_path_buf(),
            source,
        }),
    }
}

/// Refuses a destination with a symlinked directory between the target's base and the file:
/// writing there would land wherever the link points.
fn refuse_symlinks(base: &Path, dest: &Path) -> Result<(), ApplyError> {
    let Ok(rel) = dest.strip_prefix(base) else {
        return Ok(());
    };
    let mut at = base.to_path_buf();
    let parts: Vec<_> = rel.components().collect();
    for part in parts.iter().take(parts.len().saturating_sub(1)) {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return Err(ApplyError::Symlink(at)),
            Ok(m) if !m.is_dir() => return Err(ApplyError::NotDir(at)),
            // Missing from here on: created as real directories.
            Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
    Ok(())
}

fn create_dirs(dir: &Path, mode: u32) -> Result<(), ApplyError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(mode)
        .create(dir)
        .map_err(|source| ApplyError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })
}

/// `<state>/restore/<target>/<UTC time>-<nonce>/`: one directory per restore that replaced files.
fn previous_dir(state_dir: &Path, target: &str) -> PathBuf {
    state_dir.join("restore").join(target).join(format!(
        "{}-{:04x}",
        Utc::now().format("%Y%m%dT%H%M%SZ"),
        fastrand::u16(..)
    ))
}

/// Writes the replaced files aside (0600, 0700 directories), then drops the oldest batches past
/// `KEEP_PREVIOUS`.
fn keep_previous(
    previous: &[(PathBuf, Vec<u8>)],
    state_dir: &Path,
    target: &str,
) -> Result<(), ApplyError> {
    if previous.is_empty() {
        return Ok(());
    }
    for (path, _) in previous {
        if let Some(parent) = path.parent() {
            create_dirs(parent, 0o700)?;
        }
    }
    let batch: Vec<(&Path, &[u8], u32)> = previous
        .iter()
        .map(|(p, b)| (p.as_path(), b.as_slice(), 0o600))
        .collect();
    crate::state::write_atomic_many(&batch).map_err(|e| ApplyError::KeepAside(Box::new(e)))?;
    let root = state_dir.join("restore").join(target);
    if let Ok(entries) = std::fs::read_dir(&root) {
        let mut batches: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect();
        batches.sort();
        let excess = batches.len().saturating_sub(KEEP_PREVIOUS);
        for old in &batches[..excess] {
            if let Err(e) = std::fs::remove_dir_all(old) {
                tracing::warn!("cannot remove the old versions in {}: {e}", old.display());
            }
        }
    }
    Ok(())
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
        FileFormat::Json | FileFormat::StrictJson => jsonc_parser::parse_to_serde_value::<
            Option<serde_json::Value>,
        >(
            text, &jsonc_parser::ParseOptions::default()
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

impl crate::output::Body for Body {
    const SCHEMA: &'static str = "restore";
}

#[cfg(test)]
mod candidate_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: &str) -> Group {
        let time = store::time_in_name("t", &format!("{id}.tar.age")).unwrap();
        (
            (time, id.to_owned()),
            vec![store::Copy {
                location: PathBuf::from("/l"),
                name: format!("{id}.tar.age"),
                time,
            }],
        )
    }

    #[test]
    fn at_takes_an_id_a_unique_prefix_or_a_time() {
        let all = || {
            vec![
                group("mcpctl-t-20261124T090000Z-h-0002"),
                group("mcpctl-t-20261124T080000Z-h-0001"),
            ]
        };
        let pick = |at: &str| {
            select_at(all(), "t", at)
                .map(|g| g.iter().map(|c| c[0].id().to_owned()).collect::<Vec<_>>())
        };
        assert_eq!(
            pick("mcpctl-t-20261124T080000Z-h-0001").unwrap(),
            ["mcpctl-t-20261124T080000Z-h-0001"]
        );
        assert_eq!(
            pick("20261124T09").unwrap(),
            ["mcpctl-t-20261124T090000Z-h-0002"]
        );
        assert!(pick("20261124T0").is_err(), "ambiguous");
        assert_eq!(
            pick("2026-11-24T08:30").unwrap(),
            ["mcpctl-t-20261124T080000Z-h-0001"]
        );
    }

    #[test]
    fn a_symlinked_directory_inside_the_target_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        std::os::unix::fs::symlink("/etc", dir.path().join("real/sub")).unwrap();
        let err = refuse_symlinks(dir.path(), &dir.path().join("real/sub/passwd"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("symlink"), "{err}");
        assert!(refuse_symlinks(dir.path(), &dir.path().join("real/new/file")).is_ok());
    }
}
