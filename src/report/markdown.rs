//! The figures as markdown, for Slack, a pull request or a wiki page.

use super::{Figures, age};

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn opt(v: Option<f64>, unit: &str) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v}{unit}"))
}

pub(crate) fn duration(seconds: Option<f64>) -> String {
    #[allow(clippy::cast_possible_truncation)]
    seconds.map_or_else(|| "–".into(), |s| age(s.round() as i64))
}

pub(crate) fn render(f: &Figures, title: &str, summary: &str) -> String {
    let mut md = format!("## {title}\n\n{summary}\n\n");
    if !f.recommendations.is_empty() {
        md.push_str("### Recommendations\n\n");
        for r in &f.recommendations {
            md.push_str(&format!("- {}\n", cell(r)));
        }
        md.push('\n');
    }
    servers(f, &mut md);
    backups(f, &mut md);
    ci(f, &mut md);
    emergency(f, &mut md);
    drift(f, &mut md);
    let s = &f.sources;
    let skipped = s.skipped.truncated
        + s.skipped.invalid
        + s.skipped.foreign
        + s.skipped.newer_schema
        + s.skipped.unreadable;
    md.push_str(&format!(
        "_From {} stored reports ({} skipped) and {} audit records, {} to {}._\n",
        s.read,
        skipped,
        s.audit_lines,
        f.window.from.format("%Y-%m-%d %H:%M UTC"),
        f.window.to.format("%Y-%m-%d %H:%M UTC")
    ));
    md
}

fn servers(f: &Figures, md: &mut String) {
    if !f.servers.is_empty() {
        md.push_str("### Servers\n\n| Server | Uptime | Unknown | Failures | Incidents | MTTR | Recoveries | Breaker | Top error | p50 | p95 |\n|---|---:|---:|---:|---:|---:|---|---:|---|---:|---:|\n");
        for s in &f.servers {
            let recoveries = s.recoveries_text(", ");
            md.push_str(&format!(
                "| {} | {} | {}% | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                if s.removed {
                    format!("{} (removed)", cell(&s.name))
                } else {
                    cell(&s.name)
                },
                opt(s.uptime_pct, "%"),
                s.unknown_pct,
                s.failures,
                s.incidents,
                duration(s.mttr_s),
                if recoveries.is_empty() {
                    "–".into()
                } else {
                    recoveries
                },
                s.breaker_openings,
                s.error_kinds
                    .first()
                    .map_or_else(|| "–".into(), |k| format!("{} ×{}", k.kind, k.count)),
                opt(s.latency_ms.p50, " ms"),
                opt(s.latency_ms.p95, " ms"),
            ));
        }
        md.push('\n');
    }
}

fn backups(f: &Figures, md: &mut String) {
    let b = &f.backups;
    if !b.locations.is_empty() || !b.unprotected.is_empty() {
        md.push_str("### Backups\n\n| Target | Location | Newest verified | Age | |\n|---|---|---|---:|---|\n");
        for l in &b.locations {
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                cell(&l.target),
                cell(&l.location),
                cell(l.backup.as_deref().unwrap_or("–")),
                age(l.age_s),
                if l.stale { "⚠ stale" } else { "ok" }
            ));
        }
        for t in &b.unprotected {
            md.push_str(&format!("| {} | – | none | – | ⚠ unprotected |\n", cell(t)));
        }
        if !b.check_failures.is_empty() {
            md.push_str(&format!(
                "\n{} failed `backup --check`.\n",
                crate::output::plural(b.check_failures.len(), "copy", "copies")
            ));
        }
        md.push('\n');
    }
}

fn ci(f: &Figures, md: &mut String) {
    let ci = &f.ci;
    if ci.issues > 0 || ci.fixes.applied + ci.fixes.planned + ci.fixes.refused > 0 {
        md.push_str(&format!(
            "### CI\n\n{}, {}: {} persistent, {} flaky, {} new. Fixes: {} applied, {} rolled back, verify success {}.\n\n",
            count(ci.runs, "failed run", "failed runs"),
            count(ci.issues, "issue", "issues"),
            ci.persistent,
            ci.flaky,
            ci.new,
            ci.fixes.applied,
            ci.fixes.rolled_back,
            opt(ci.fixes.verify_success_pct, "%")
        ));
        if !ci.by_category.is_empty() {
            md.push_str("| Category | Repo | Failures |\n|---|---|---:|\n");
            for c in &ci.by_category {
                md.push_str(&format!(
                    "| {} | {} | {} |\n",
                    cell(&c.category),
                    cell(&c.repo),
                    c.count
                ));
            }
            md.push('\n');
        }
    }
}

fn emergency(f: &Figures, md: &mut String) {
    if !f.emergency.periods.is_empty() {
        md.push_str("### Fallback mode\n\n| Start | End | Servers |\n|---|---|---|\n");
        for p in &f.emergency.periods {
            md.push_str(&format!(
                "| {} | {} | {} |\n",
                p.start.format("%Y-%m-%d %H:%M"),
                p.end.map_or_else(
                    || "ongoing".into(),
                    |e| e.format("%Y-%m-%d %H:%M").to_string()
                ),
                cell(&p.servers.join(", "))
            ));
        }
        md.push('\n');
    }
}

fn drift(f: &Figures, md: &mut String) {
    if !f.drift_events.is_empty() {
        md.push_str(
            "### Tool drift\n\n| Server | When | Drift | What changed |\n|---|---|---|---|\n",
        );
        for e in &f.drift_events {
            md.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                cell(&e.server),
                e.when(),
                e.how(),
                cell(&e.line)
            ));
        }
        md.push('\n');
    }
}

/// `1 failed run`, `2 failed runs`.
pub(crate) fn count(n: u64, one: &str, many: &str) -> String {
    crate::output::plural(usize::try_from(n).unwrap_or(usize::MAX), one, many)
}
