//! `mcpctl backup [TARGET…]` and `mcpctl backup --check`: keys loaded and refused up front, then
//! one domain call, the envelope and the view.

use chrono::Utc;

use super::Ctx;
use super::emit::{self, View};
use crate::backup::check::{self, CheckBody};
use crate::backup::keys;
use crate::backup::run::{self, Outcome};
use crate::backup::sign::{Signer, Verifier, VerifySource};
use crate::cli::BackupArgs;
use crate::config::{BackupSettings, BackupTarget};
use crate::error::{Error, Result};
use crate::exit::{Code, Status};
use crate::output::{self, Envelope, plural};
use crate::reports::backup::Body;
use crate::state;

pub(crate) async fn run(args: BackupArgs, ctx: &Ctx) -> Result<Code> {
    let started = Utc::now();
    let (settings, state_dir) = super::load_and_begin(ctx).await?;
    let cfg = settings.backup.ok_or_else(|| {
        Error::Usage("no [backup] section in the config; see the README's backup example".into())
    })?;
    let targets = crate::backup::select(&cfg, &args.targets)?;
    if args.check {
        return check(&cfg, &targets, &args, started, &state_dir, ctx).await;
    }
    let _locks = state::acquire_all(
        &state_dir,
        targets.iter().map(|t| state::Resource::Target(&t.name)),
        ctx.global.wait_lock,
    )
    .await?;
    let recipients = keys::recipients(&cfg.recipients).map_err(|e| Error::Usage(e.to_string()))?;
    // Refused before anything is written: a key others can read signs nothing.
    let signer = Signer::load_or_create(&cfg.signing_key).map_err(|e| Error::Key(e.to_string()))?;
    let sealing = run::Sealing {
        recipients: &recipients,
        signer: &signer,
    };
    let opts = run::Options {
        force: args.force,
        allow_invalid: args.allow_invalid,
    };
    let mut reports = Vec::new();
    let bar = ctx.output.progress(targets.len(), "backup");
    for target in &targets {
        if crate::signal::requested() {
            return Err(Error::Interrupted);
        }
        bar.set_message(target.name.clone());
        reports.push(run::back_up(&cfg, target, &sealing, &state_dir, opts));
        bar.inc(1);
    }
    bar.finish_and_clear();
    if crate::signal::requested() {
        return Err(Error::Interrupted);
    }
    let failed = reports
        .iter()
        .filter(|r| r.result == Outcome::Failed)
        .count();
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
    let written = reports
        .iter()
        .filter(|r| r.result == Outcome::Written)
        .count();
    let mut summary = format!(
        "{}: {written} written, {} unchanged, {failed} failed",
        plural(reports.len(), "target", "targets"),
        reports.len() - written - failed
    );
    if partial > 0 {
        summary.push_str(&format!("; {partial} with a location that failed"));
    }
    let body = Body { targets: reports };
    let env = Envelope::new("backup", started, status, summary, body);
    emit::finish(&env, started, &state_dir, ctx, || backup_view(&env.body)).await
}

/// Read-only: no lock. The identity and the verify keys are refused once, before any copy is
/// looked at, so a key problem never shows up as every copy being bad.
async fn check(
    cfg: &BackupSettings,
    targets: &[BackupTarget],
    args: &BackupArgs,
    started: chrono::DateTime<Utc>,
    state_dir: &std::path::Path,
    ctx: &Ctx,
) -> Result<Code> {
    let identities =
        keys::identities(cfg.identity.as_deref()).map_err(|e| Error::Key(e.to_string()))?;
    let verifier = Verifier::new(&VerifySource {
        verify_keys: &cfg.verify_keys,
        signing_key: &cfg.signing_key,
    })
    .map_err(|e| Error::Key(e.to_string()))?;
    let keys = check::Keys {
        identities: &identities,
        verifier: &verifier,
        allow_unsigned: args.allow_unsigned,
    };
    let bar = ctx.output.progress(targets.len(), "check");
    let body = check::check(cfg, targets, &keys, state_dir, |name| {
        bar.set_message(name.to_owned());
        bar.inc(1);
    });
    bar.finish_and_clear();
    let bad = body.copies.iter().filter(|c| !c.ok).count();
    let status = if !body.unprotected.is_empty() {
        Status::Critical
    } else if bad > 0 || !body.unreadable_locations.is_empty() {
        Status::Warning
    } else {
        Status::Ok
    };
    let mut summary = format!(
        "{} checked, {bad} bad",
        plural(body.copies.len(), "copy", "copies")
    );
    if !body.unreadable_locations.is_empty() {
        summary.push_str(&format!(
            "; {} unreadable",
            plural(body.unreadable_locations.len(), "location", "locations")
        ));
    }
    if !body.unprotected.is_empty() {
        summary.push_str(&format!(
            "; no valid backup of {}",
            body.unprotected.join(", ")
        ));
    }
    let env = Envelope::new("backup", started, status, summary, body);
    emit::finish(&env, started, state_dir, ctx, || check_view(&env.body)).await
}

fn check_view(body: &CheckBody) -> View {
    let mut problems: Vec<String> = body
        .copies
        .iter()
        .filter(|c| !c.ok)
        .map(|c| format!("{}: {}", c.file.display(), c.error.as_deref().unwrap_or("")))
        .collect();
    problems.extend(
        body.unreadable_locations
            .iter()
            .map(|l| format!("location {}: {}", l.path.display(), l.error)),
    );
    View {
        problems,
        ..View::default()
    }
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
        let result = match t.result {
            Outcome::Written => "written",
            Outcome::Unchanged => "unchanged",
            Outcome::Failed => "failed",
            Outcome::Other => "?",
        };
        table.add_row(vec![
            t.name.clone(),
            result.to_owned(),
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
