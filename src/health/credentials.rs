//! Config-file and credential checks that need no connection: files exist and parse, secrets
//! are not world-readable, and tokens are not expired or about to be.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};

use crate::config::BackupTarget;
use crate::probe::{Failure, FailureKind};

/// A token this close to expiry is a warning, so someone rotates it before the morning run.
pub(crate) const EXPIRY_WARNING_DAYS: i64 = 7;

pub(crate) enum Finding {
    Warning(String),
    Failure(Failure),
}

/// Every file the server depends on must exist and parse. An env file must not be readable by
/// others; a config file only when it holds a secret itself (not only `${VAR}` references).
pub(crate) fn check_files(
    config_files: &[std::path::PathBuf],
    env_file: Option<&Path>,
    backups: &[BackupTarget],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for path in config_files {
        if path.is_dir() {
            out.push(Finding::Failure(
                Failure::new(
                    FailureKind::Config,
                    format!("config file {} is a directory, not a file", path.display()),
                )
                .hint("list the file itself in config_files"),
            ));
            continue;
        }
        match std::fs::read(path) {
            Err(e) => out.push(Finding::Failure(
                Failure::new(
                    FailureKind::Config,
                    format!("config file {} cannot be read: {e}", path.display()),
                )
                .hint(format!(
                    "{}, or fix the path in config_files ({})",
                    restore_advice(path, backups),
                    path.display()
                )),
            )),
            Ok(bytes) => {
                if let Err(problem) =
                    crate::validate::check(crate::config::FileFormat::Auto, path, &bytes)
                {
                    out.push(Finding::Failure(
                        Failure::new(
                            FailureKind::Config,
                            format!("config file {} does not parse: {problem}", path.display()),
                        )
                        .hint(format!(
                            "the file is corrupted or half-written; {}",
                            restore_advice(path, backups)
                        )),
                    ));
                }
                if super::secrets::holds_secret(path, &bytes) {
                    out.extend(permission_warning(path, 0o004));
                }
            }
        }
    }
    if let Some(path) = env_file {
        out.extend(permission_warning(path, 0o044));
    }
    out
}

/// How to bring `path` back: the restore command of the backup target that covers it, or how to
/// make one.
pub(crate) fn restore_advice(path: &Path, backups: &[BackupTarget]) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match backups
        .iter()
        .find(|t| crate::backup::covers(t, &absolute.to_string_lossy()))
    {
        Some(t) => format!(
            "`mcpctl restore {}` brings back the last good copy",
            t.name
        ),
        None => "no backup target covers it: add it to a [[backup.targets]] entry so the next one can be restored".to_owned(),
    }
}

fn permission_warning(path: &Path, mask: u32) -> Option<Finding> {
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & mask != 0).then(|| {
        Finding::Warning(format!(
            "{} holds credentials and is readable by {} (mode {:o}); run: chmod 600 {}",
            path.display(),
            if mode & 0o004 != 0 {
                "everyone"
            } else {
                "its group"
            },
            mode & 0o777,
            path.display()
        ))
    })
}

/// Checks every JWT-shaped value's `exp`, and the configured `token_expires` date.
pub(crate) fn check_tokens(
    secrets: &[(String, String)],
    token_expires: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, value) in secrets {
        if let Some(exp) = jwt_expiry(value) {
            out.extend(expiry_finding(&format!("the JWT in {name}"), exp, now));
        }
    }
    if let Some(date) = token_expires {
        let exp = date
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc();
        out.extend(expiry_finding("the token (token_expires)", exp, now));
    }
    out
}

fn expiry_finding(what: &str, exp: DateTime<Utc>, now: DateTime<Utc>) -> Option<Finding> {
    let day = exp.format("%Y-%m-%d %H:%M UTC");
    if exp <= now {
        Some(Finding::Failure(
            Failure::new(FailureKind::Credentials, format!("{what} expired on {day}"))
                .hint("issue a new token and update the variable that holds it"),
        ))
    } else if exp - now <= chrono::Duration::days(EXPIRY_WARNING_DAYS) {
        let hours = (exp - now).num_hours();
        let within = match hours / 24 {
            0 => crate::output::plural(usize::try_from(hours.max(1)).unwrap_or(1), "hour", "hours"),
            days => {
                crate::output::plural(usize::try_from(days).unwrap_or(usize::MAX), "day", "days")
            }
        };
        Some(Finding::Warning(format!(
            "{what} expires on {day} (in {within}); rotate it soon"
        )))
    } else {
        None
    }
}

/// The `exp` claim of a value shaped like a JWT (optionally after "Bearer "); `None` otherwise.
pub(crate) fn jwt_expiry(value: &str) -> Option<DateTime<Utc>> {
    let token = value.rsplit(' ').next()?;
    let mut parts = token.split('.');
    let (header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header: serde_json::Value =
        serde_json::from_slice(&engine.decode(header.trim_end_matches('=')).ok()?).ok()?;
    header.get("alg")?;
    let payload: serde_json::Value =
        serde_json::from_slice(&engine.decode(payload.trim_end_matches('=')).ok()?).ok()?;
    let exp = payload.get("exp")?.as_f64()?;
    #[allow(clippy::cast_possible_truncation)]
    DateTime::from_timestamp(exp as i64, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(exp: i64) -> String {
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            e.encode(r#"{"alg":"HS256"}"#),
            e.encode(format!(r#"{{"exp":{exp}}}"#))
        )
    }

    #[test]
    fn reads_jwt_expiry_and_ignores_opaque_tokens() {
        assert_eq!(
            jwt_expiry(&format!("Bearer {}", jwt(1_800_000_000))).map(|d| d.timestamp()),
            Some(1_800_000_000)
        );
        assert!(jwt_expiry("ghp_abcdef.ghi.jkl").is_none());
        assert!(jwt_expiry("plain-token").is_none());
    }

    #[test]
    fn expired_fails_and_near_expiry_warns() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let secrets = vec![
            ("A".into(), jwt(1_700_000_000)),
            ("B".into(), jwt(1_800_000_000 + 3 * 86_400)),
        ];
        let found = check_tokens(&secrets, None, now);
        assert!(
            matches!(&found[0], Finding::Failure(f) if f.message.contains("the JWT in A expired"))
        );
        assert!(matches!(&found[1], Finding::Warning(w) if w.contains("in 3 days")));
    }
}
