//! The node_exporter textfile: one file for every subcommand, so each run updates its own
//! series in a small state file and rewrites the whole `.prom` atomically.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Outcome;

/// metric → rendered labels → value.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Series(BTreeMap<String, BTreeMap<String, f64>>);

const HELP: &[(&str, &str, &str)] = &[
    (
        "mcpctl_backup_last_success_timestamp_seconds",
        "gauge",
        "When each backup target was last backed up or found unchanged.",
    ),
    (
        "mcpctl_emergency_active",
        "gauge",
        "1 while the pipeline runs in emergency (fallback) mode.",
    ),
    (
        "mcpctl_last_exit_code",
        "gauge",
        "Exit code of the last run of each subcommand.",
    ),
    (
        "mcpctl_last_run_timestamp_seconds",
        "gauge",
        "When each subcommand last ran.",
    ),
    (
        "mcpctl_last_success_timestamp_seconds",
        "gauge",
        "When each subcommand last completed with exit code 0 or 1.",
    ),
    (
        "mcpctl_probe_duration_seconds",
        "gauge",
        "Duration of the last MCP probe of each server.",
    ),
    (
        "mcpctl_recoveries_total",
        "counter",
        "Recovery actions per server and result.",
    ),
    (
        "mcpctl_server_up",
        "gauge",
        "1 when the server's last probe was healthy or degraded.",
    ),
];

pub(super) fn update(path: &Path, state_dir: &Path, outcome: &Outcome<'_>) -> Result<(), String> {
    let store = state_dir.join("notify").join("metrics.json");
    let mut series: Series = crate::state::read_state(&store)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    #[allow(clippy::cast_precision_loss)]
    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    let mut set = |metric: &str, labels: &[(&str, &str)], value: f64| {
        series
            .0
            .entry(metric.to_owned())
            .or_default()
            .insert(render_labels(labels), value);
    };
    let command = [("command", outcome.command)];
    set("mcpctl_last_run_timestamp_seconds", &command, now);
    set(
        "mcpctl_last_exit_code",
        &command,
        f64::from(outcome.exit_code),
    );
    if outcome.exit_code <= 1 {
        set("mcpctl_last_success_timestamp_seconds", &command, now);
    }
    let report = outcome.report;
    for s in report["servers"].as_array().into_iter().flatten() {
        let (Some(name), Some(status)) = (
            s["name"].as_str(),
            s["status"].as_str().or(s["final"].as_str()),
        ) else {
            continue;
        };
        let up = matches!(status, "healthy" | "degraded");
        set(
            "mcpctl_server_up",
            &[("server", name)],
            f64::from(u8::from(up)),
        );
        if let Some(ms) = s["latency_ms"]["total"].as_f64() {
            set(
                "mcpctl_probe_duration_seconds",
                &[("server", name)],
                ms / 1000.0,
            );
        }
    }
    for t in report["targets"].as_array().into_iter().flatten() {
        if let (Some(name), Some("written" | "unchanged")) =
            (t["name"].as_str(), t["result"].as_str())
        {
            set(
                "mcpctl_backup_last_success_timestamp_seconds",
                &[("target", name)],
                now,
            );
        }
    }
    if outcome.command == "emergency"
        && let Some(active) = report["active"].as_bool()
    {
        set("mcpctl_emergency_active", &[], f64::from(u8::from(active)));
    }
    let recoveries = report["servers"]
        .as_array()
        .into_iter()
        .chain(report["recovery"].as_array())
        .flatten()
        .flat_map(|s| s["actions"].as_array().into_iter().flatten());
    for action in recoveries {
        if let (Some(server), Some(_), Some(result)) = (
            action["server"].as_str(),
            action["step"].as_str(),
            action["outcome"].as_str(),
        ) {
            let labels = render_labels(&[("server", server), ("result", result)]);
            *series
                .0
                .entry("mcpctl_recoveries_total".to_owned())
                .or_default()
                .entry(labels)
                .or_default() += 1.0;
        }
    }
    crate::state::ensure_dir(&state_dir.join("notify")).map_err(|e| e.to_string())?;
    let json = serde_json::to_vec(&series).expect("serializes");
    crate::state::write_atomic(&store, &json, 0o600).map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    crate::state::write_atomic(path, render(&series).as_bytes(), 0o644).map_err(|e| e.to_string())
}

fn render_labels(labels: &[(&str, &str)]) -> String {
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            let v = v
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{k}=\"{v}\"")
        })
        .collect();
    if inner.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", inner.join(","))
    }
}

fn render(series: &Series) -> String {
    let mut out = String::new();
    for (metric, kind, help) in HELP {
        let Some(values) = series.0.get(*metric) else {
            continue;
        };
        out.push_str(&format!("# HELP {metric} {help}\n# TYPE {metric} {kind}\n"));
        for (labels, value) in values {
            out.push_str(&format!("{metric}{labels} {value}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(
            render_labels(&[("server", "a\"b\\c\nd")]),
            "{server=\"a\\\"b\\\\c\\nd\"}"
        );
    }

    #[test]
    fn counters_and_gauges_render_with_help_and_type() {
        let mut s = Series::default();
        s.0.entry("mcpctl_server_up".into())
            .or_default()
            .insert("{server=\"x\"}".into(), 1.0);
        let text = render(&s);
        assert!(text.contains("# TYPE mcpctl_server_up gauge\nmcpctl_server_up{server=\"x\"} 1\n"));
    }
}
