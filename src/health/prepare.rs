//! Turns a `ServerConfig` into a probe `Target`: loads the env file, expands `${VAR}`, checks the
//! required variables, and registers every secret with the redactor before anything runs.

use std::collections::BTreeMap;

use crate::config::{self, Endpoint, ServerConfig};
use crate::env_vars;
use crate::probe::{Failure, FailureKind, Limits, Target};
use crate::redact::Redactor;

pub(crate) struct Prepared {
    pub(crate) target: Target,
    pub(crate) limits: Limits,
    /// Expanded env and header values, for the token-expiry checks.
    pub(crate) secrets: Vec<(String, String)>,
}

/// Registers the server's secrets and builds its target. On `Err` the server cannot be probed
/// as configured; the failure says which variable or file to fix.
pub(crate) fn prepare(
    server: &ServerConfig,
    defaults: &config::Defaults,
    backups: &[config::BackupTarget],
    redactor: &mut Redactor,
) -> Result<Prepared, Failure> {
    let file_env = match &server.env_file {
        Some(path) => load_env_file(path, backups, redactor)?,
        None => BTreeMap::new(),
    };
    let lookup = |name: &str| {
        std::env::var(name)
            .ok()
            .or_else(|| file_env.get(name).cloned())
    };
    // Every value interpolated into env, headers or the URL is a secret of its own, wherever it
    // came from: a server may echo it without the text around it.
    let interpolated = std::cell::RefCell::new(Vec::new());
    let recording = |name: &str| {
        let value = lookup(name);
        if let Some(v) = &value {
            interpolated.borrow_mut().push(v.clone());
        }
        value
    };
    let mut missing = Vec::new();
    let mut expand_as = |s: &str, secret: bool| {
        let (out, unset) = if secret {
            config::expand(s, &recording)
        } else {
            config::expand(s, &lookup)
        };
        missing.extend(unset);
        out
    };

    let mut env = file_env.clone();
    let mut secrets = Vec::new();
    for (k, v) in &server.env {
        let value = expand_as(v, true);
        redactor.add(&value);
        secrets.push((k.clone(), value.clone()));
        env.insert(k.clone(), value);
    }
    let mut headers = BTreeMap::new();
    for (k, v) in &server.headers {
        let value = expand_as(v, true);
        redactor.add(&value);
        secrets.push((k.clone(), value.clone()));
        headers.insert(k.clone(), value);
    }
    let (target, launcher) = match &server.endpoint {
        Endpoint::Stdio { command, args, cwd } => {
            let program = expand_as(command, false);
            let args: Vec<String> = args.iter().map(|a| expand_as(a, false)).collect();
            let launcher = config::is_launcher(&program);
            if launcher && server.prefer_offline {
                env.insert(env_vars::NPM_PREFER_OFFLINE.into(), "true".into());
                env.insert(env_vars::UV_OFFLINE.into(), "1".into());
            }
            let target = Target::Stdio {
                program,
                args,
                cwd: cwd.clone(),
                env: env.clone(),
                launcher,
            };
            (target, launcher)
        }
        Endpoint::Url { url, transport } => {
            let target = Target::Url {
                url: expand_as(url, true),
                headers,
                transport: *transport,
            };
            (target, false)
        }
    };

    for value in interpolated.take() {
        redactor.add(&value);
    }
    if let Some(failure) = unset_failure(server, missing, &env) {
        return Err(failure);
    }
    let startup = server
        .startup_timeout
        .or_else(|| launcher.then_some(defaults.startup_timeout));
    let limits = Limits {
        timeout: server.timeout,
        startup,
        grace: defaults.grace,
    };
    Ok(Prepared {
        target,
        limits,
        secrets,
    })
}

/// Unset `${VAR}` references, unset `required_env`, and what only an MCP client can fill in.
fn unset_failure(
    server: &ServerConfig,
    mut missing: Vec<String>,
    env: &BTreeMap<String, String>,
) -> Option<Failure> {
    let unset_required = server.required_env.iter().filter(|name| {
        !env.contains_key(*name) && std::env::var_os(name).is_none_or(|v| v.is_empty())
    });
    missing.extend(unset_required.cloned());
    // A variable referenced twice, or referenced and required, is still one unset variable.
    missing.sort();
    missing.dedup();
    if let Some(name) = missing.first() {
        let place = server.env_file.as_ref().map_or_else(
            || "the environment of the cron job or unit".to_owned(),
            |f| f.display().to_string(),
        );
        return Some(
            Failure::new(FailureKind::Config, unset_message(&missing))
                .hint(format!("export {name} or add it to {place}")),
        );
    }
    server.unresolved_inputs.first().map(|what| {
        Failure::new(FailureKind::Config, format!("the server needs {what}"))
            .hint("copy the server into mcpctl.toml with the value in an env var")
    })
}

/// `A is not set`, `A and B are not set`, `A, B and C are not set`.
fn unset_message(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("{one} is not set"),
        [rest @ .., last] => format!("{} and {last} are not set", rest.join(", ")),
    }
}

fn load_env_file(
    path: &std::path::Path,
    backups: &[config::BackupTarget],
    redactor: &mut Redactor,
) -> Result<BTreeMap<String, String>, Failure> {
    if path.is_dir() {
        return Err(Failure::new(
            FailureKind::Config,
            format!("env_file {} is a directory, not a file", path.display()),
        )
        .hint("point `env_file` at the .env file itself"));
    }
    let iter = dotenvy::from_path_iter(path).map_err(|e| {
        Failure::new(
            FailureKind::Config,
            format!("cannot read env_file {}: {}", path.display(), short_io(&e)),
        )
        .hint("create the file or fix `env_file` in the server's config")
    })?;
    let mut vars = BTreeMap::new();
    for item in iter {
        let (k, v) = item.map_err(|e| {
            Failure::new(
                FailureKind::Config,
                format!(
                    "env_file {} does not parse: {}",
                    path.display(),
                    parse_error(&e)
                ),
            )
            .hint(format!(
                "each line must be KEY=value; {}",
                super::credentials::restore_advice(path, backups)
            ))
        })?;
        redactor.add(&v);
        vars.insert(k, v);
    }
    Ok(vars)
}

fn short_io(e: &dotenvy::Error) -> String {
    match e {
        dotenvy::Error::Io(io) => io.to_string(),
        other => parse_error(other),
    }
}

/// dotenvy's messages quote the offending line, which may hold a secret: keep only the position.
fn parse_error(e: &dotenvy::Error) -> String {
    match e {
        dotenvy::Error::LineParse(_, index) => format!("syntax error at character {index}"),
        dotenvy::Error::Io(io) => io.to_string(),
        _ => "invalid content".to_owned(),
    }
}
