//! The GitHub token gh-watch and fix use. It is a secret: callers register it with their
//! redactor and never print it.

use crate::error::{Error, Result};

/// `[github] token` (with `${VAR}`), else `gh auth token` when gh is installed.
pub(crate) fn github(configured: Option<&str>) -> Result<String> {
    if let Some(t) = configured {
        let (value, missing) = crate::config::expand(t, &|n| std::env::var(n).ok());
        if let Some(var) = missing.first() {
            return Err(Error::Usage(format!(
                "[github] token needs ${var}, which is not set"
            )));
        }
        if !value.trim().is_empty() {
            return Ok(value.trim().to_owned());
        }
    }
    let out = std::process::Command::new("gh")
        .args(["auth", "token"])
        .stdin(std::process::Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() && !o.stdout.trim_ascii().is_empty() => {
            Ok(String::from_utf8_lossy(o.stdout.trim_ascii()).into_owned())
        }
        _ => Err(Error::Usage(
            "no GitHub token: set [github] token = \"${GITHUB_TOKEN}\", or log in with `gh auth login`".into(),
        )),
    }
}
