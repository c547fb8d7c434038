//! The reliability report as a terminal table: one row per server.

use super::Figures;

/// Uptime, unknown time, failures, incidents, MTTR, recoveries, the breaker, the top error and
/// latency, per server.
pub(crate) fn servers(f: &Figures) -> comfy_table::Table {
    let mut t = crate::output::table::new(&[
        "SERVER",
        "UPTIME",
        "UNKNOWN",
        "FAILURES",
        "INCIDENTS",
        "MTTR",
        "RECOVERIES",
        "BREAKER",
        "TOP ERROR",
        "P50",
        "P95",
    ]);
    let opt = |v: Option<f64>, unit: &str| v.map_or_else(|| "-".into(), |v| format!("{v}{unit}"));
    for s in &f.servers {
        let recoveries = s.recoveries_text("\n");
        t.add_row(vec![
            if s.removed {
                format!("{} (removed)", s.name)
            } else {
                s.name.clone()
            },
            opt(s.uptime_pct, "%"),
            format!("{}%", s.unknown_pct),
            s.failures.to_string(),
            s.incidents.to_string(),
            super::markdown::duration(s.mttr_s),
            recoveries,
            s.breaker_openings.to_string(),
            s.error_kinds
                .first()
                .map_or_else(|| "-".into(), |k| format!("{} x{}", k.kind, k.count)),
            opt(s.latency_ms.p50, " ms"),
            opt(s.latency_ms.p95, " ms"),
        ]);
    }
    t
}
