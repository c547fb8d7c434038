//! Nagios performance data for a health-check.

use super::{ServerReport, ServerStatus};

/// The Nagios performance data of a run: counts, and each probed server's latency.
pub(crate) fn perfdata(servers: &[ServerReport]) -> Vec<(String, f64, &'static str)> {
    let count = |st: ServerStatus| servers.iter().filter(|r| r.status == st).count();
    let disabled = count(ServerStatus::Disabled);
    #[allow(clippy::cast_precision_loss)]
    let mut data = vec![
        (
            "healthy".to_owned(),
            count(ServerStatus::Healthy) as f64,
            "",
        ),
        ("servers".to_owned(), (servers.len() - disabled) as f64, ""),
    ];
    if disabled > 0 {
        #[allow(clippy::cast_precision_loss)]
        data.push(("disabled".to_owned(), disabled as f64, ""));
    }
    data.extend(
        servers
            .iter()
            .filter(|r| r.latency_ms.initialize.is_some())
            .map(|r| (format!("{}_latency", r.name), r.latency_ms.total, "ms")),
    );
    data
}
