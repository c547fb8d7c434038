//! `mcpctl restore TARGET`: the flags become one mode, the keys are loaded (and refused) once,
//! then one domain call, the envelope and the view.

use chrono::Utc;

use super::Ctx;
use super::emit::{self, View};
use crate::backup::keys;
use crate::backup::restore::{self, Body, Keys, Mode, Options};
use crate::backup::sign::{Verifier, VerifySource};
use crate::cli::RestoreArgs;
use crate::error::{Error, Result};
use crate::exit::Code;
use crate::output::{self, Envelope};
use crate::state;

pub(crate) async fn run(args: RestoreArgs, ctx: &Ctx) -> Result<Code> {
    let started = Utc::now();
    let (settings, state_dir) = super::load_and_begin(ctx).await?;
    let cfg = settings.backup.ok_or_else(|| {
        Error::Usage("no [backup] section in the config; see the README's backup example".into())
    })?;
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
    let opts = Options {
        mode: match (args.list, args.dry_run) {
            (true, _) => Mode::List,
            (false, true) => Mode::DryRun,
            (false, false) => Mode::Write,
        },
        at: args.at.clone(),
        if_invalid: args.if_invalid,
        to: args.to.clone(),
        allow_unsigned: args.allow_unsigned,
    };
    // Read-only answers take no lock.
    let _lock = match opts.mode {
        Mode::Write => Some(
            state::acquire(
                &state_dir,
                state::Resource::Target(&target.name),
                ctx.global.wait_lock,
            )
            .await?,
        ),
        Mode::List | Mode::DryRun => None,
    };
    let identities =
        keys::identities(cfg.identity.as_deref()).map_err(|e| Error::Key(e.to_string()))?;
    let verifier = Verifier::new(&VerifySource {
        verify_keys: &cfg.verify_keys,
        signing_key: &cfg.signing_key,
    })
    .map_err(|e| Error::Key(e.to_string()))?;
    let keys = Keys {
        identities: &identities,
        verifier: &verifier,
    };
    let (status, summary, body) =
        restore::restore(&cfg, &target, &opts, &keys, &state_dir).map_err(|e| Error::Usage(e.0))?;
    if crate::signal::requested() {
        return Err(Error::Interrupted);
    }
    if args.allow_unsigned {
        tracing::warn!(
            "--allow-unsigned: copies without a signature are accepted; anyone who could write to a backup location could have made them"
        );
    }
    let env = Envelope::new("restore", started, status, summary, body);
    emit::finish(&env, started, &state_dir, ctx, || view(&env.body)).await
}

fn view(body: &Body) -> View {
    if !body.candidates.is_empty() {
        return list_view(body);
    }
    let mut table = output::table::new(&["FILE", "ACTION", "KEYS"]);
    for f in &body.files {
        table.add_row(vec![
            f.path.display().to_string(),
            f.action.label().to_owned(),
            f.changed_keys.join(" "),
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

/// `--list`: one row per copy, newest first.
fn list_view(body: &Body) -> View {
    let mut table = output::table::new(&["ID", "TIME", "LOCATION", "STATE"]);
    for c in &body.candidates {
        let state = if c.state.usable() {
            "valid".to_owned()
        } else {
            format!(
                "{}: {}",
                crate::backup::verify::CopyState::word(c.state),
                c.reason
            )
        };
        table.add_row(vec![
            c.backup.trim_end_matches(".tar.age").to_owned(),
            c.time
                .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_default(),
            c.location.display().to_string(),
            state,
        ]);
    }
    View {
        table: Some(table),
        problems: body
            .candidates
            .iter()
            .filter(|c| !c.state.usable())
            .map(|c| {
                format!(
                    "{} is {}: {}",
                    c.location.join(&c.backup).display(),
                    crate::backup::verify::CopyState::word(c.state),
                    c.reason
                )
            })
            .collect(),
        ..View::default()
    }
}
