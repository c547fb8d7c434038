//! `mcpctl backup [TARGET…]` and `mcpctl backup --check`.

use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::Ctx;
use super::emit::{self, View};
use crate::backup::{self, archive, keys, retention, store};
use crate::cli::BackupArgs;
use crate::config::{BackupSettings, BackupTarget, Location, Retention};
use crate::error::{Error, Result};
use crate::exit::{Code, Status};
use crate::output::{self, Envelope};
use crate::state;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Body {
    targets: Vec<TargetReport>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
struct TargetReport {
    name: String,
    /// written | unchanged | failed
    result: String,
    backup: Option<String>,
    files: usize,
    bytes: u64,
    locations: Vec<LocationReport>,
    error: Option<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
struct LocationReport {
    path: PathBuf,
    ok: bool,
    error: Option<String>,
    pruned: Vec<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct CheckBody {
    copies: Vec<CheckedCopy>,
    /// Targets with no copy that verifies, anywhere.
    unprotected: Vec<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
struct CheckedCopy {
    target: String,
    file: PathBuf,
    ok: bool,
    error: Option<String>,
}

/// What the last successful backup of a target contained, kept in the state dir so an hourly
/// cron run can skip unchanged targets without the identity (and without a plaintext hint of the
/// content beside the backups).
#[derive(Debug, Serialize, Deserialize)]
struct LastBackup {
    fingerprint: String,
    name: String,
}

pub(crate) async fn run(args: BackupArgs, ctx: &Ctx) -> Result<Code> {
    let started = Utc::now();
    let (settings, state_dir) = super::settings(ctx).await?;
    let cfg = settings.backup.ok_or_else(|| {
        Error::Usage("no [backup] section in the config; see the README's backup example".into())
    })?;
    let targets = select(&cfg, &args.targets)?;
    let _lock = state::acquire(&state_dir, ctx.global.wait_lock).await?;
    if args.check {
        return check(&cfg, &targets, started, &state_dir, ctx).await;
    }
    let recipients = keys::recipients(&cfg.recipients).map_err(Error::Usage)?;
    let mut reports = Vec::new();
    let bar = ctx.output.progress(targets.len(), "backup");
    for target in &targets {
        bar.set_message(target.name.clone());
        reports.push(back_up(&cfg, target, &recipients, &state_dir, &args));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let failed = reports.iter().filter(|r| r.result == "failed").count();
    let partial = reports
        .iter()
        .filter(|r| r.locations.iter().any(|l| !l.ok))
        .count();
    let status = if failed > 0 {
        Status::Critical
    } else if partial > 0 {
        Status::Warning
    } else {
        Status::Ok
    };
    let written = reports.iter().filter(|r| r.result == "written").count();
    let mut summary = format!(
        "{} targets: {written} written, {} unchanged, {failed} failed",
        reports.len(),
        reports.len() - written - failed
    );
    if partial > 0 {
        summary.push_str(&format!("; {partial} with a location that failed"));
    }
    let body = Body { targets: reports };
    let env = Envelope::new("backup", started, status, summary, body);
    emit::finish(&env, started, &state_dir, ctx, || backup_view(&env.body)).await
}

fn select(cfg: &BackupSettings, names: &[String]) -> Result<Vec<BackupTarget>> {
    if cfg.targets.is_empty() {
        return Err(Error::Usage(
            "[backup] has no targets; add [backup.targets.NAME] with paths".into(),
        ));
    }
    for n in names {
        if !cfg.targets.iter().any(|t| &t.name == n) {
            let known: Vec<&str> = cfg.targets.iter().map(|t| t.name.as_str()).collect();
            return Err(Error::Usage(format!(
                "no backup target named `{n}`; known: {}",
                known.join(", ")
            )));
        }
    }
    Ok(cfg
        .targets
        .iter()
        .filter(|t| names.is_empty() || names.contains(&t.name))
        .cloned()
        .collect())
}

fn back_up(
    cfg: &BackupSettings,
    target: &BackupTarget,
    recipients: &[Box<dyn age::Recipient + Send>],
    state_dir: &Path,
    args: &BackupArgs,
) -> TargetReport {
    let mut report = TargetReport {
        name: target.name.clone(),
        result: "failed".into(),
        backup: None,
        files: 0,
        bytes: 0,
        locations: Vec::new(),
        error: None,
    };
    let files = match backup::collect(target) {
        Ok(f) => f,
        Err(e) => {
            report.error = Some(e);
            return report;
        }
    };
    report.files = files.len();
    report.bytes = files.iter().map(|f| f.entry.size).sum();
    if !args.allow_invalid {
        for f in &files {
            if let Err(e) =
                crate::validate::check(target.format, Path::new(&f.entry.path), &f.bytes)
            {
                report.error = Some(format!(
                    "refusing to back up {}: it is not valid {:?} ({e}); fix or restore it, or pass --allow-invalid",
                    f.entry.path, target.format
                ));
                return report;
            }
        }
    }
    let fingerprint = backup::fingerprint(&files);
    let last_path = state_dir
        .join("backup")
        .join(format!("{}.json", target.name));
    let last: Option<LastBackup> = std::fs::read(&last_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    if let Some(last) = last.filter(|l| l.fingerprint == fingerprint && !args.force)
        && cfg
            .locations
            .iter()
            .any(|loc| loc.path.join(&last.name).is_file())
    {
        report.result = "unchanged".into();
        report.backup = Some(last.name);
        return report;
    }

    let now = Utc::now();
    let host = output::hostname();
    // Two backups in one second may draw the same nonce; under the run lock, a name no location
    // holds yet stays free.
    let name =
        std::iter::repeat_with(|| store::file_name(&target.name, now, &host, fastrand::u16(..)))
            .find(|n| !cfg.locations.iter().any(|loc| loc.path.join(n).exists()))
            .expect("an endless iterator finds a free name");
    let manifest = archive::Manifest {
        version: archive::MANIFEST_VERSION,
        id: name.trim_end_matches(".tar.age").to_owned(),
        created: now,
        host,
        mcpctl_version: env!("CARGO_PKG_VERSION").to_owned(),
        target: target.name.clone(),
        format: target.format,
        files: files.iter().map(|f| f.entry.clone()).collect(),
    };
    let seal = |out: &mut dyn std::io::Write| archive::seal(&manifest, &files, recipients, out);
    report.locations = write_everywhere(cfg, &target.name, &name, &seal, &manifest.host);
    if report.locations.iter().any(|l| l.ok) {
        report.result = "written".into();
        report.backup = Some(name.clone());
        let last = LastBackup { fingerprint, name };
        let saved = state::ensure_dir(&state_dir.join("backup")).and_then(|()| {
            state::write_atomic(
                &last_path,
                &serde_json::to_vec(&last).expect("serializes"),
                0o600,
            )
        });
        if let Err(e) = saved {
            tracing::warn!("cannot remember the backup of {}: {e}", target.name);
        }
    } else {
        report.error = Some("no location could be written".into());
    }
    report
}

/// Seals once into the first location that takes it and copies that file to the others;
/// prunes only where the write succeeded, so a failing location keeps everything it has.
fn write_everywhere(
    cfg: &BackupSettings,
    target: &str,
    name: &str,
    seal: &dyn Fn(&mut dyn std::io::Write) -> Result<(), String>,
    host: &str,
) -> Vec<LocationReport> {
    let mut out = Vec::new();
    let mut first: Option<store::Written> = None;
    for location in &cfg.locations {
        let written = state::ensure_dir(&location.path)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                store::clean_temps(&location.path, host);
                match &first {
                    Some(from) => store::duplicate(from, &location.path, name, host),
                    None => store::create(&location.path, name, host, seal),
                }
            });
        out.push(LocationReport {
            path: location.path.clone(),
            ok: written.is_ok(),
            error: written.as_ref().err().cloned(),
            pruned: Vec::new(),
        });
        if let Ok(written) = written {
            first.get_or_insert(written);
        }
    }
    // Only after every copy exists (the first is the others' source), and only where this run
    // wrote: a failing location keeps everything it has.
    for (location, report) in cfg.locations.iter().zip(&mut out) {
        if report.ok {
            match prune(&location.path, target, name, &location.retention) {
                Ok(pruned) => report.pruned = pruned,
                Err(e) => report.error = Some(format!("pruning failed: {e}")),
            }
        }
    }
    out
}

/// Applies retention to the copies whose sidecar verifies; others are left for a person to see.
/// The copy just written counts as the newest, which retention always keeps, whatever a
/// same-second tie or a clock step did to the order of names.
fn prune(
    location: &Path,
    target: &str,
    written: &str,
    policy: &Retention,
) -> std::io::Result<Vec<String>> {
    let mut copies: Vec<store::Copy> = store::list(location, target)?
        .into_iter()
        .filter(store::looks_complete)
        .collect();
    copies.sort_by_key(|c| c.name != written);
    let times: Vec<_> = copies.iter().map(|c| c.time).collect();
    let keep = retention::keep(&times, policy);
    let mut pruned = Vec::new();
    for (copy, keep) in copies.iter().zip(keep) {
        if !keep {
            store::remove(copy)?;
            pruned.push(copy.name.clone());
        }
    }
    Ok(pruned)
}

async fn check(
    cfg: &BackupSettings,
    targets: &[BackupTarget],
    started: chrono::DateTime<Utc>,
    state_dir: &Path,
    ctx: &Ctx,
) -> Result<Code> {
    let identities = keys::identities(cfg.identity.as_deref());
    let mut copies = Vec::new();
    let mut unprotected = Vec::new();
    let bar = ctx.output.progress(targets.len(), "check");
    for target in targets {
        bar.set_message(target.name.clone());
        let mut valid = 0;
        for Location { path: location, .. } in &cfg.locations {
            let listed = match store::list(location, &target.name) {
                Ok(l) => l,
                Err(e) => {
                    copies.push(CheckedCopy {
                        target: target.name.clone(),
                        file: location.clone(),
                        ok: false,
                        error: Some(format!("cannot list: {e}")),
                    });
                    continue;
                }
            };
            for copy in listed {
                let verdict = store::read_and(&copy, |bytes| match &identities {
                    Ok(ids) => archive::open(bytes, ids, false).map(drop),
                    Err(e) => Err(e.clone()),
                });
                valid += usize::from(verdict.is_ok());
                copies.push(CheckedCopy {
                    target: target.name.clone(),
                    file: copy.path(),
                    ok: verdict.is_ok(),
                    error: verdict.err(),
                });
            }
        }
        if valid == 0 {
            unprotected.push(target.name.clone());
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let bad = copies.iter().filter(|c| !c.ok).count();
    let status = if !unprotected.is_empty() {
        Status::Critical
    } else if bad > 0 {
        Status::Warning
    } else {
        Status::Ok
    };
    let mut summary = format!("{} copies checked, {bad} bad", copies.len());
    if !unprotected.is_empty() {
        summary.push_str(&format!("; no valid backup of {}", unprotected.join(", ")));
    }
    let env = Envelope::new(
        "backup",
        started,
        status,
        summary,
        CheckBody {
            copies,
            unprotected,
        },
    );
    emit::finish(&env, started, state_dir, ctx, || View {
        problems: env
            .body
            .copies
            .iter()
            .filter(|c| !c.ok)
            .map(|c| format!("{}: {}", c.file.display(), c.error.as_deref().unwrap_or("")))
            .collect(),
        ..View::default()
    })
    .await
}

fn backup_view(body: &Body) -> View {
    let mut table =
        output::table::new(&["TARGET", "RESULT", "FILES", "BYTES", "BACKUP", "LOCATIONS"]);
    for t in &body.targets {
        let locs: Vec<String> = t
            .locations
            .iter()
            .map(|l| {
                format!(
                    "{} {}",
                    if l.ok { "ok" } else { "FAILED" },
                    l.path.display()
                )
            })
            .collect();
        table.add_row(vec![
            t.name.clone(),
            t.result.clone(),
            t.files.to_string(),
            t.bytes.to_string(),
            t.backup.clone().unwrap_or_default(),
            locs.join("\n"),
        ]);
    }
    let mut problems = Vec::new();
    for t in &body.targets {
        if let Some(e) = &t.error {
            problems.push(format!("{}: {e}", t.name));
        }
        for l in t.locations.iter().filter(|l| l.error.is_some()) {
            problems.push(format!(
                "{} at {}: {}",
                t.name,
                l.path.display(),
                l.error.as_deref().unwrap_or("")
            ));
        }
    }
    View {
        table: Some(table),
        problems,
        ..View::default()
    }
}
