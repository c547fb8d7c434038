//! Fallback mode for the pipeline: when critical servers stay down, say per server whether the
//! pipeline should use MCP, go to the service's API directly, or do without. The pipeline sources
//! one env file; the state beside it remembers since when the mode has been on. No CLI here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{Defaults, Fallback, ServerConfig, Settings};
use crate::health::{self, ServerStatus};
use crate::redact::Redactor;

mod error;
pub(crate) use error::FallbackError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Mode {
    /// The MCP server works.
    Mcp,
    /// The MCP server is down but the service's own API answers.
    DirectApi,
    /// Neither works. Also what a mode word from a newer mcpctl reads as: not MCP, so a stored
    /// report or state never claims a server works that this version cannot tell.
    #[serde(other)]
    Down,
}

impl Mode {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Mode::Mcp => "mcp",
            Mode::DirectApi => "direct-api",
            Mode::Down => "down",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct State {
    pub active: bool,
    pub since: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub modes: BTreeMap<String, Mode>,
    /// When the latest period in fallback mode ended, and what ended it. Kept while a newer
    /// period runs: `report` takes the end of the earlier one from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleared_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleared_by: Option<ClearedBy>,
}

/// What ended a period in fallback mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ClearedBy {
    /// `mcpctl emergency --clear`: nobody probed the servers.
    Hand,
    /// A health-check found every server of the period answering again.
    HealthCheck,
    /// An `emergency` run found every critical server answering again.
    Emergency,
    /// Written by a newer mcpctl.
    #[serde(other)]
    Other,
}

/// One server's mode in an emergency report; also what `report` reads back.
#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct ServerMode {
    pub name: String,
    pub mode: Mode,
    /// Why the MCP server is not used, and what the fallback said.
    #[serde(default)]
    pub reason: Option<String>,
}

/// The servers emergency mode is for: those marked `critical = true`.
pub(crate) fn critical_servers(settings: &Settings) -> Vec<ServerConfig> {
    settings
        .servers
        .iter()
        .filter(|s| s.critical)
        .cloned()
        .collect()
}

/// The state to write after a check: active while any server is off MCP, keeping the time the
/// mode started.
pub(crate) fn next_state(previous: &State, servers: &[ServerMode], now: DateTime<Utc>) -> State {
    let active = servers.iter().any(|s| s.mode != Mode::Mcp);
    let ended = previous.active && !active;
    State {
        active,
        since: if active {
            previous.since.filter(|_| previous.active).or(Some(now))
        } else {
            None
        },
        updated: Some(now),
        modes: servers.iter().map(|s| (s.name.clone(), s.mode)).collect(),
        cleared_at: if ended {
            Some(now)
        } else {
            previous.cleared_at
        },
        cleared_by: if ended {
            Some(ClearedBy::Emergency)
        } else {
            previous.cleared_by
        },
    }
}

/// MCP when the server answers; else the direct API when its fallback answers; else down.
pub(crate) async fn modes(
    critical: &[ServerConfig],
    reports: &[health::ServerReport],
    defaults: &Defaults,
) -> Vec<ServerMode> {
    let mut servers = Vec::new();
    for (server, report) in critical.iter().zip(reports) {
        if matches!(
            report.status,
            ServerStatus::Healthy | ServerStatus::Degraded
        ) {
            servers.push(ServerMode {
                name: server.name.clone(),
                mode: Mode::Mcp,
                reason: None,
            });
            continue;
        }
        let why = report
            .error
            .as_ref()
            .map_or_else(|| "down".to_owned(), |e| e.message.clone());
        let mut redactor = health::redactor_for(server, defaults);
        let (mode, reason) = match &server.fallback {
            None => (
                Mode::Down,
                format!("{why}; no [servers.{}.fallback] configured", server.name),
            ),
            Some(f) => match check_fallback(f, &mut redactor).await {
                Ok(code) => (
                    Mode::DirectApi,
                    format!("{why}; the direct API answered HTTP {code}"),
                ),
                Err(e) => (Mode::Down, format!("{why}; the direct API failed too: {e}")),
            },
        };
        servers.push(ServerMode {
            name: server.name.clone(),
            mode,
            reason: Some(redactor.redact(&reason)),
        });
    }
    servers
}

/// The env file the pipeline sources: `[emergency] env_file`, else `$STATE/emergency.env`.
pub(crate) fn env_file(settings: &Settings, state_dir: &Path) -> PathBuf {
    settings
        .emergency_env_file
        .clone()
        .unwrap_or_else(|| default_env_file(state_dir))
}

/// Normal mode: every server back to `mcp`, and when an active period ends, when and by what.
/// Returns the servers and their new mode.
pub(crate) fn clear(current: &mut State, by: ClearedBy) -> Vec<ServerMode> {
    let now = Utc::now();
    if current.active {
        current.cleared_at = Some(now);
        current.cleared_by = Some(by);
    }
    current.active = false;
    current.since = None;
    current.updated = Some(now);
    for mode in current.modes.values_mut() {
        *mode = Mode::Mcp;
    }
    current
        .modes
        .keys()
        .map(|name| ServerMode {
            name: name.clone(),
            mode: Mode::Mcp,
            reason: None,
        })
        .collect()
}

/// A watch's pass: a critical server still failing after its ladder puts fallback mode on now,
/// as `emergency` would. Returns what it did when the mode changed, for the pass's summary.
pub(crate) async fn enter_if_down(
    settings: &Settings,
    state_dir: &Path,
    reports: &[health::ServerReport],
) -> Option<String> {
    let (critical, probed): (Vec<ServerConfig>, Vec<health::ServerReport>) =
        critical_servers(settings)
            .into_iter()
            .filter_map(|s| {
                let r = reports.iter().find(|r| r.name == s.name)?;
                // Held by another run: that run has the newer word on it.
                let locked = r
                    .error
                    .as_ref()
                    .is_some_and(|e| e.kind == crate::probe::FailureKind::Locked);
                (!locked).then(|| (s, r.clone()))
            })
            .unzip();
    let down = probed
        .iter()
        .any(|r| matches!(r.status, ServerStatus::Unhealthy | ServerStatus::Unknown));
    if !down {
        return None;
    }
    let servers = modes(&critical, &probed, &settings.defaults).await;
    let _lock = crate::state::try_acquire(
        state_dir,
        crate::state::Resource::Records(crate::state::Records::Emergency),
    )
    .ok()?;
    let previous = load(state_dir);
    let mut next = next_state(&previous, &servers, Utc::now());
    // Servers this pass did not see keep the mode they had.
    for (name, mode) in &previous.modes {
        next.modes.entry(name.clone()).or_insert(*mode);
    }
    if next.active == previous.active && next.modes == previous.modes {
        return None;
    }
    if let Err(e) = save(state_dir, &env_file(settings, state_dir), &next) {
        tracing::warn!("cannot put fallback mode on: {e}");
        return None;
    }
    let off: Vec<String> = servers
        .iter()
        .filter(|s| s.mode != Mode::Mcp)
        .map(|s| format!("{} {}", s.name, s.mode.as_str()))
        .collect();
    Some(format!("fallback mode on: {}", off.join(", ")))
}

/// A later health-check that finds every server of an active emergency healthy ends it.
/// Returns what it did, for that run's summary.
pub(crate) fn clear_if_recovered(
    settings: &Settings,
    state_dir: &Path,
    reports: &[health::ServerReport],
) -> Option<String> {
    if !load(state_dir).active {
        return None;
    }
    // An emergency run writing the mode now has the newer word; this run leaves it be.
    let _lock = crate::state::try_acquire(
        state_dir,
        crate::state::Resource::Records(crate::state::Records::Emergency),
    )
    .ok()?;
    let mut current = load(state_dir);
    if !current.active {
        return None;
    }
    let all_back = current.modes.iter().all(|(name, mode)| {
        *mode == Mode::Mcp
            || reports.iter().any(|r| {
                &r.name == name
                    && matches!(r.status, ServerStatus::Healthy | ServerStatus::Degraded)
            })
    });
    if !all_back {
        return None;
    }
    clear(&mut current, ClearedBy::HealthCheck);
    match save(state_dir, &env_file(settings, state_dir), &current) {
        Ok(()) => Some("emergency mode cleared: every critical server answers again".into()),
        Err(e) => {
            tracing::warn!("cannot clear emergency mode: {e}");
            None
        }
    }
}

pub(crate) fn state_path(state_dir: &Path) -> PathBuf {
    state_dir.join("emergency.json")
}

pub(crate) fn default_env_file(state_dir: &Path) -> PathBuf {
    state_dir.join("emergency.env")
}

pub(crate) fn load(state_dir: &Path) -> State {
    crate::state::read_state(&state_path(state_dir))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// The env file first, then the state: the pipeline reads the file, and a crash between the two
/// only makes the next run redo the state.
pub(crate) fn save(state_dir: &Path, env_file: &Path, state: &State) -> crate::error::Result<()> {
    if let Some(dir) = env_file.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::state::ensure_dir(dir)?;
    }
    crate::state::write_atomic(env_file, render(state).as_bytes(), 0o644)?;
    crate::state::ensure_dir(state_dir)?;
    let json = serde_json::to_vec_pretty(state).expect("states serialize");
    crate::state::write_atomic(&state_path(state_dir), &json, 0o600)
}

/// `MCPCTL_MODE_<NAME>`: upper case, anything but letters and digits becomes `_`.
pub(crate) fn env_key(server: &str) -> String {
    let name: String = server
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("MCPCTL_MODE_{name}")
}

/// Values are fixed words, so the file is safe to `source` from any shell.
pub(crate) fn render(state: &State) -> String {
    let mut out = format!(
        "# Written by mcpctl emergency at {}. Source it before the analysis.\nMCPCTL_EMERGENCY={}\n",
        crate::output::when(state.updated.unwrap_or_else(Utc::now)),
        u8::from(state.active)
    );
    if let Some(since) = state.since.filter(|_| state.active) {
        out.push_str(&format!(
            "MCPCTL_EMERGENCY_SINCE={}\n",
            crate::output::when(since)
        ));
    }
    for (server, mode) in &state.modes {
        out.push_str(&format!("{}={}\n", env_key(server), mode.as_str()));
    }
    out
}

/// Asks the service's own API, e.g. Jira's `/rest/api/2/myself`: any 2xx means the pipeline
/// can go direct. Header values are expanded from the environment and never shown.
pub(crate) async fn check_fallback(
    fallback: &Fallback,
    redactor: &mut Redactor,
) -> Result<u16, FallbackError> {
    let lookup = |name: &str| std::env::var(name).ok();
    let mut headers = reqwest::header::HeaderMap::new();
    for (k, v) in &fallback.headers {
        let (value, missing) = crate::config::expand(v, &lookup);
        if let Some(var) = missing.first() {
            return Err(FallbackError::HeaderUnset {
                header: k.clone(),
                var: var.clone(),
            });
        }
        redactor.add(&value);
        let name = reqwest::header::HeaderName::from_bytes(k.as_bytes()).map_err(|source| {
            FallbackError::HeaderName {
                header: k.clone(),
                source,
            }
        })?;
        let mut value = reqwest::header::HeaderValue::from_str(&value).map_err(|source| {
            FallbackError::HeaderValue {
                header: k.clone(),
                source,
            }
        })?;
        value.set_sensitive(true);
        headers.insert(name, value);
    }
    let (url, missing) = crate::config::expand(&fallback.check_url, &lookup);
    if let Some(var) = missing.first() {
        return Err(FallbackError::UrlUnset(var.clone()));
    }
    let client = reqwest::Client::builder()
        .timeout(fallback.timeout)
        .connect_timeout(fallback.timeout)
        .redirect(crate::net::same_origin_redirects())
        .build()
        .map_err(FallbackError::Client)?;
    let response = client
        .get(&url)
        .headers(headers)
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                FallbackError::Timeout(fallback.timeout)
            } else {
                FallbackError::Unreachable(redactor.redact(&crate::net::error_chain(&e)))
            }
        })?;
    let status = response.status();
    if status.is_success() {
        Ok(status.as_u16())
    } else {
        Err(FallbackError::Status(status.as_u16()))
    }
}

/// `--status` in normal mode says only what the last writer of the state knew: it probes nothing.
pub(crate) fn normal_status(current: &State) -> String {
    let Some(updated) = current.updated else {
        return "normal mode: no emergency run is recorded here".to_owned();
    };
    let at = crate::output::when(updated);
    let by_the_clear = current.cleared_at == Some(updated);
    match current.cleared_by {
        Some(ClearedBy::Hand) if by_the_clear => format!(
            "normal mode since {at}: cleared by hand; whether the critical servers answer is unknown until the next health-check"
        ),
        Some(ClearedBy::HealthCheck) if by_the_clear => format!(
            "normal mode since {at}: a health-check found every server of the emergency answering again"
        ),
        _ => format!(
            "normal mode: every critical server answered over MCP at the last emergency check ({at})"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_env_file_is_plain_words() {
        let state = State {
            active: true,
            since: None,
            updated: None,
            modes: [
                ("jira-cloud".to_owned(), Mode::DirectApi),
                ("memory".to_owned(), Mode::Mcp),
            ]
            .into(),
            ..State::default()
        };
        let text = render(&state);
        assert!(text.contains("MCPCTL_EMERGENCY=1\n"));
        assert!(text.contains("MCPCTL_MODE_JIRA_CLOUD=direct-api\n"));
        assert!(text.contains("MCPCTL_MODE_MEMORY=mcp\n"));
    }

    fn mode(name: &str, mode: Mode) -> ServerMode {
        ServerMode {
            name: name.to_owned(),
            mode,
            reason: None,
        }
    }

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap() + chrono::TimeDelta::minutes(minutes)
    }

    #[test]
    fn next_state_turns_on_keeps_its_start_and_records_who_ended_it() {
        let quiet = State::default();
        let all_mcp = [mode("a", Mode::Mcp), mode("b", Mode::Mcp)];
        let s = next_state(&quiet, &all_mcp, at(0));
        assert!(!s.active);
        assert_eq!((s.since, s.cleared_at, s.cleared_by), (None, None, None));

        let one_down = [mode("a", Mode::DirectApi), mode("b", Mode::Mcp)];
        let on = next_state(&quiet, &one_down, at(1));
        assert!(on.active);
        assert_eq!(on.since, Some(at(1)));
        assert_eq!(on.modes["a"], Mode::DirectApi);

        // Still on: the period started when it first went on.
        let still = next_state(&on, &[mode("a", Mode::Down), mode("b", Mode::Mcp)], at(5));
        assert_eq!(still.since, Some(at(1)));
        assert_eq!(still.updated, Some(at(5)));
        assert_eq!(still.modes["a"], Mode::Down);

        let off = next_state(&still, &all_mcp, at(9));
        assert!(!off.active);
        assert_eq!(off.since, None);
        assert_eq!(off.cleared_at, Some(at(9)));
        assert_eq!(off.cleared_by, Some(ClearedBy::Emergency));

        // A new period starts afresh but keeps when the earlier one ended, for `report`.
        let again = next_state(&off, &one_down, at(20));
        assert_eq!(again.since, Some(at(20)));
        assert_eq!(again.cleared_at, Some(at(9)));
        // An inactive state's stale `since` is not carried into a new period.
        let stale = State {
            since: Some(at(-60)),
            ..State::default()
        };
        assert_eq!(next_state(&stale, &one_down, at(30)).since, Some(at(30)));
    }

    #[test]
    fn clear_ends_only_an_active_period() {
        let mut s = State {
            active: true,
            since: Some(at(0)),
            modes: [("a".to_owned(), Mode::Down)].into(),
            ..State::default()
        };
        let servers = clear(&mut s, ClearedBy::Hand);
        assert_eq!(servers.len(), 1);
        assert_eq!(servers[0].mode, Mode::Mcp);
        assert!(!s.active && s.since.is_none());
        assert_eq!(s.cleared_by, Some(ClearedBy::Hand));
        let ended = s.cleared_at;
        clear(&mut s, ClearedBy::HealthCheck);
        assert_eq!(s.cleared_at, ended);
        assert_eq!(s.cleared_by, Some(ClearedBy::Hand));
    }

    fn active(dir: &Path) {
        let state = State {
            active: true,
            since: Some(at(0)),
            updated: Some(at(0)),
            modes: [
                ("a".to_owned(), Mode::Down),
                ("b".to_owned(), Mode::DirectApi),
                ("c".to_owned(), Mode::Mcp),
            ]
            .into(),
            ..State::default()
        };
        save(dir, &default_env_file(dir), &state).unwrap();
    }

    #[test]
    fn a_health_check_clears_the_mode_only_when_every_server_off_mcp_answers() {
        use crate::health::test_report;
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::default();
        assert_eq!(
            clear_if_recovered(&settings, dir.path(), &[]),
            None,
            "not active"
        );

        active(dir.path());
        let healthy = |n: &str| test_report(n, ServerStatus::Healthy);
        // b not probed: it may still be down.
        let partial = [healthy("a"), test_report("c", ServerStatus::Unhealthy)];
        assert_eq!(clear_if_recovered(&settings, dir.path(), &partial), None);
        let b_down = [healthy("a"), test_report("b", ServerStatus::Unknown)];
        assert_eq!(clear_if_recovered(&settings, dir.path(), &b_down), None);
        assert!(load(dir.path()).active);

        // c was on MCP all along: its state does not matter. Degraded answers.
        let back = [healthy("a"), test_report("b", ServerStatus::Degraded)];
        let said = clear_if_recovered(&settings, dir.path(), &back).unwrap();
        assert!(said.contains("cleared"), "{said}");
        let s = load(dir.path());
        assert!(!s.active);
        assert_eq!(s.cleared_by, Some(ClearedBy::HealthCheck));
        assert!(s.modes.values().all(|m| *m == Mode::Mcp));
        let env = std::fs::read_to_string(default_env_file(dir.path())).unwrap();
        assert!(env.contains("MCPCTL_EMERGENCY=0\n"), "{env}");
    }
}
