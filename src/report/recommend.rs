//! Short advice derived from the figures, the most pressing first.

use super::Figures;
use super::servers::ServerFigures;
use crate::probe::FailureKind;

/// What to do about a server that keeps failing the same way. `secrets` are the variables its
/// config takes credentials from, for "rotate JIRA_API_TOKEN".
fn advice(kind: FailureKind, secrets: &[String], hint: Option<&str>) -> String {
    let vars = secrets.join(", ");
    match kind {
        FailureKind::Auth | FailureKind::Credentials if !secrets.is_empty() => {
            format!("rotate {vars}")
        }
        FailureKind::Auth | FailureKind::Credentials => "rotate its token or credentials".into(),
        FailureKind::Timeout | FailureKind::LauncherTimeout | FailureKind::Deadline => {
            "raise its timeout, or find out why it is slow to start".into()
        }
        FailureKind::SpawnFailed => "check that its command is installed and on PATH".into(),
        FailureKind::Connect => "check that it is running and reachable".into(),
        FailureKind::Container => "look at its container (docker logs, restarts)".into(),
        _ => hint.map_or_else(
            || "read the newest health-check report for the details".into(),
            |h| format!("next: {h}"),
        ),
    }
}

/// "1 probe", "2 probes", and the two nouns here whose plural is not an added s.
fn plural(n: u64, one: &str) -> String {
    match (n, one) {
        (1, _) => format!("1 {one}"),
        (_, "try") => format!("{n} tries"),
        (_, "stored copy") => format!("{n} stored copies"),
        _ => format!("{n} {one}s"),
    }
}

pub(crate) fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    let (h, m) = (s / 3600, s % 3600 / 60);
    if s >= 2 * 86_400 {
        crate::output::plural(
            usize::try_from(s / 86_400).unwrap_or(usize::MAX),
            "day",
            "days",
        )
    } else if h > 0 && m > 0 {
        format!("{h} h {m} min")
    } else if h > 0 {
        format!("{h} h")
    } else if m > 0 {
        format!("{m} min")
    } else {
        format!("{s} s")
    }
}

fn server(s: &ServerFigures, label: &str, secrets: &[String], out: &mut Vec<(u8, u64, String)>) {
    if s.failures > 0
        && let Some(top) = s.error_kinds.first()
    {
        let share = if top.count == s.failures {
            format!("all {} errors", top.kind)
        } else {
            format!(
                "mostly {} errors ({} of {})",
                top.kind, top.count, s.failures
            )
        };
        let urgency = u8::from(s.down_since.is_none());
        out.push((
            urgency,
            s.failures,
            format!(
                "{} failed {} in {label}, {share}: {}",
                s.name,
                plural(s.failures, "probe"),
                advice(top.kind, secrets, s.hint.as_deref())
            ),
        ));
    }
    if s.breaker_openings > 0 {
        out.push((
            1,
            0,
            format!(
                "{}'s circuit breaker opened {}: its recovery ladder does not fix the cause",
                s.name,
                plural(s.breaker_openings, "time")
            ),
        ));
    }
    for step in s
        .recoveries
        .iter()
        .filter(|r| r.tried >= 2 && r.succeeded == 0)
    {
        out.push((
            2,
            0,
            format!(
                "{} never brought {} back ({}): fix or drop that step",
                step.step.as_str(),
                s.name,
                plural(step.tried, "try")
            ),
        ));
    }
}

pub(crate) fn derive(
    f: &Figures,
    label: &str,
    secrets: &dyn Fn(&str) -> Vec<String>,
) -> Vec<String> {
    let mut out: Vec<(u8, u64, String)> = Vec::new();
    for s in f.servers.iter().filter(|s| !s.removed) {
        server(s, label, &secrets(&s.name), &mut out);
    }
    for t in &f.backups.unprotected {
        out.push((
            0,
            0,
            format!("no verified backup of {t} at all: run `mcpctl backup {t}`"),
        ));
    }
    for l in f.backups.locations.iter().filter(|l| l.stale) {
        out.push((
            1,
            0,
            format!(
                "no verified backup of {} at {} for {}: run `mcpctl backup --check`, or see why backups fail",
                l.target,
                l.location,
                age(l.age_s)
            ),
        ));
    }
    if let Some(c) = f.backups.check_failures.first() {
        out.push((
            1,
            0,
            format!(
                "{} failed `backup --check` in {label} (first: {}): run `mcpctl backup --force` for a fresh good copy everywhere",
                plural(f.backups.check_failures.len() as u64, "stored copy"),
                c.file
            ),
        ));
    }
    if let Some(p) = f.ci.top_fingerprints.iter().find(|p| {
        p.count > 1 && p.recurrence != Some(crate::ci::history::Recurrence::RerunCandidate)
    }) {
        out.push((
            2,
            0,
            format!(
                "{} in {} failed {} ({}): fix it once rather than rerun",
                p.category,
                p.repo,
                plural(p.count, "time"),
                p.key.as_deref().unwrap_or(&p.fingerprint)
            ),
        ));
    }
    if f.ci.flaky > 0 {
        out.push((
            3,
            0,
            format!(
                "{} looked flaky (rerun candidates): quarantine or stabilise those tests",
                plural(f.ci.flaky, "CI failure")
            ),
        ));
    }
    let fixes = &f.ci.fixes;
    if fixes.verified >= 2 && fixes.verify_success_pct.is_some_and(|p| p < 50.0) {
        out.push((
            2,
            0,
            format!(
                "only {}% of applied fixes passed verification: review the recipes",
                fixes.verify_success_pct.unwrap_or_default()
            ),
        ));
    }
    if f.emergency.active {
        out.push((
            0,
            0,
            "fallback mode is still on: bring the critical servers back".into(),
        ));
    } else if !f.emergency.periods.is_empty() {
        out.push((
            2,
            0,
            format!(
                "fallback mode was on {} in {label} ({} in all)",
                plural(f.emergency.periods.len() as u64, "time"),
                age(f.emergency.seconds)
            ),
        ));
    }
    // The most urgent first, then the most frequent.
    out.sort_by_key(|(urgency, weight, _)| (*urgency, std::cmp::Reverse(*weight)));
    out.into_iter().map(|(_, _, text)| text).take(10).collect()
}
