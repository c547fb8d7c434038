//! The node_exporter textfile: one file for every subcommand. Each run updates its own series in
//! a small state file (`$STATE/notify/metrics.json`) and rewrites the whole `.prom` atomically,
//! every family with its `# HELP` and `# TYPE` from [`super::metrics`]. The circuit breakers and
//! emergency mode are read from their own state files at every run, so a `recover --reset`, a
//! `close_after` or a health-check that ends emergency mode shows at once.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Outcome;
use super::metrics::{self as m, Metric};
use crate::report::Verified;

/// Bumped when the state's meaning changes; an older state is dropped (counters start again,
/// which Prometheus reads as a counter reset).
const STATE_VERSION: u32 = 2;

/// gh-watch runs remembered as counted, so that `--all` never counts a run twice.
const MAX_CI_COUNTED: usize = 10_000;

const SERVER_STATES: [&str; 4] = ["healthy", "degraded", "unhealthy", "unknown"];
const RECOVERY_OUTCOMES: [&str; 4] = ["tried", "skipped", "succeeded", "failed"];
const RECURRENCES: [&str; 3] = ["new", "persistent", "rerun_candidate"];
const FIX_OUTCOMES: [&str; 5] = ["planned", "applied", "rolled_back", "refused", "skipped"];

/// What the state file holds between runs.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    version: u32,
    /// metric → [(label values in the metric's order, value)]
    series: BTreeMap<String, Vec<(Vec<String>, f64)>>,
    /// The newest good copy per target and location, as `report` computes it.
    #[serde(default)]
    backups: Vec<Verified>,
    /// `repo#run_id#attempt` of the gh-watch runs already counted, oldest first.
    #[serde(default)]
    ci_counted: VecDeque<String>,
}

/// The series of every family, by label values in the metric's order.
#[derive(Debug, Default)]
struct Book {
    series: BTreeMap<&'static str, BTreeMap<Vec<String>, f64>>,
    backups: Vec<Verified>,
    ci_counted: VecDeque<String>,
}

impl Book {
    fn load(bytes: Option<&[u8]>) -> Book {
        let Some(stored) = bytes
            .and_then(|b| serde_json::from_slice::<Stored>(b).ok())
            .filter(|s| s.version == STATE_VERSION)
        else {
            return Book::default();
        };
        let mut book = Book {
            backups: stored.backups,
            ci_counted: stored.ci_counted,
            ..Book::default()
        };
        for (name, samples) in stored.series {
            // A family this version no longer writes, or whose labels changed, is dropped.
            let Some(metric) = m::find(&name) else {
                continue;
            };
            let family = book.series.entry(metric.name).or_default();
            for (labels, value) in samples {
                if labels.len() == metric.labels.len() && value.is_finite() {
                    family.insert(labels, value);
                }
            }
        }
        book
    }

    fn store(&self) -> Stored {
        Stored {
            version: STATE_VERSION,
            series: self
                .series
                .iter()
                .map(|(name, family)| {
                    let samples = family.iter().map(|(l, v)| (l.clone(), *v)).collect();
                    ((*name).to_owned(), samples)
                })
                .collect(),
            backups: self.backups.clone(),
            ci_counted: self.ci_counted.clone(),
        }
    }

    fn family(&mut self, metric: &'static Metric) -> &mut BTreeMap<Vec<String>, f64> {
        self.series.entry(metric.name).or_default()
    }

    fn set(&mut self, metric: &'static Metric, labels: &[&str], value: f64) {
        assert_eq!(labels.len(), metric.labels.len(), "{}", metric.name);
        if value.is_finite() {
            let key = labels.iter().map(|l| (*l).to_owned()).collect();
            self.family(metric).insert(key, value);
        }
    }

    fn add(&mut self, metric: &'static Metric, labels: &[&str], by: f64) {
        assert_eq!(labels.len(), metric.labels.len(), "{}", metric.name);
        let key = labels.iter().map(|l| (*l).to_owned()).collect();
        *self.family(metric).entry(key).or_default() += by;
    }

    /// A counter's siblings start at 0: a series first seen at 1 is invisible to `increase()`,
    /// so every outcome of a label set exists from the first time any of them happens.
    fn add_among(
        &mut self,
        metric: &'static Metric,
        prefix: &[&str],
        choices: &[&str],
        chosen: &str,
    ) {
        for choice in choices {
            let mut labels = prefix.to_vec();
            labels.push(choice);
            self.add(metric, &labels, 0.0);
        }
        let mut labels = prefix.to_vec();
        labels.push(chosen);
        self.add(metric, &labels, 1.0);
    }

    /// Keeps only the samples whose `label` satisfies `keep`.
    fn retain(&mut self, metric: &'static Metric, label: &str, keep: impl Fn(&str) -> bool) {
        let i = metric.label_index(label).expect("a label of the metric");
        self.family(metric).retain(|labels, _| keep(&labels[i]));
    }

    /// The value of `label` in the first sample whose `by` label is `value`.
    fn label_of(&self, metric: &Metric, by: &str, value: &str, label: &str) -> Option<String> {
        let (b, l) = (metric.label_index(by)?, metric.label_index(label)?);
        self.series
            .get(metric.name)?
            .keys()
            .find(|labels| labels[b] == value)
            .map(|labels| labels[l].clone())
    }

    fn labels_of(&self, metric: &Metric, label: &str) -> BTreeSet<String> {
        let Some(i) = metric.label_index(label) else {
            return BTreeSet::new();
        };
        self.series
            .get(metric.name)
            .into_iter()
            .flat_map(|f| f.keys().map(|labels| labels[i].clone()))
            .collect()
    }
}

/// Milliseconds as seconds, to the microsecond: `0.5279`, never `0.5278999999999999`.
fn seconds(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1_000_000.0
}

fn unix(t: chrono::DateTime<chrono::Utc>) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let ms = t.timestamp_millis() as f64;
    ms / 1000.0
}

pub(super) fn update(
    path: &Path,
    state_dir: &Path,
    outcome: &Outcome<'_>,
) -> Result<(), super::NotifyError> {
    let store = state_dir.join("notify").join("metrics.json");
    let bytes = crate::state::read_state(&store).ok();
    let mut book = Book::load(bytes.as_deref());
    apply(&mut book, outcome, state_dir, chrono::Utc::now());
    crate::state::ensure_dir(&state_dir.join("notify"))?;
    let json = serde_json::to_vec(&book.store()).expect("serializes");
    crate::state::write_atomic(&store, &json, 0o600)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    Ok(crate::state::write_atomic(
        path,
        render(&book).as_bytes(),
        0o644,
    )?)
}

/// One finished run on top of what the earlier runs left.
fn apply(
    book: &mut Book,
    outcome: &Outcome<'_>,
    state_dir: &Path,
    now: chrono::DateTime<chrono::Utc>,
) {
    let report = outcome.report;
    let job = outcome.job;
    let now = unix(now);
    book.family(&m::BUILD_INFO).clear();
    book.set(&m::BUILD_INFO, &[env!("CARGO_PKG_VERSION")], 1.0);
    let command = [job.name];
    book.set(&m::LAST_RUN, &command, now);
    book.set(&m::LAST_EXIT_CODE, &command, f64::from(outcome.exit_code));
    if outcome.exit_code <= 1 {
        book.set(&m::LAST_SUCCESS, &command, now);
    }
    if let Some(ms) = report["duration_ms"].as_f64() {
        book.set(&m::LAST_DURATION, &command, seconds(ms));
    }
    match job.name {
        "health-check" | "recover" => {
            servers(book, report, job.name == "health-check" && job.complete);
            recoveries(book, report);
        }
        "backup" => backups(book, report, job.complete, now),
        "backup --check" => checks(book, report, job.complete),
        "gh-watch" => ci(book, report, now),
        "fix" => fixes(book, report),
        _ => {}
    }
    breakers(book, state_dir);
    let emergency = crate::emergency::load(state_dir);
    book.set(
        &m::EMERGENCY_ACTIVE,
        &[],
        f64::from(u8::from(emergency.active)),
    );
}

/// health-check's `servers[]` (`status`) and recover's (`final`). A complete health-check also
/// drops the servers it no longer has.
fn servers(book: &mut Book, report: &Value, complete: bool) {
    let mut seen = BTreeSet::new();
    for s in report["servers"].as_array().into_iter().flatten() {
        let (Some(name), Some(status)) = (
            s["name"].as_str(),
            s["status"].as_str().or(s["final"].as_str()),
        ) else {
            continue;
        };
        if !SERVER_STATES.contains(&status) {
            continue;
        }
        seen.insert(name.to_owned());
        // recover's report names no transport: keep the one the last health-check saw.
        let transport = s["transport"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| book.label_of(&m::SERVER_UP, "server", name, "transport"))
            .unwrap_or_default();
        let critical = if s["critical"].as_bool().unwrap_or(false) {
            "true"
        } else {
            "false"
        };
        for metric in [&m::SERVER_UP, &m::SERVER_STATUS] {
            book.retain(metric, "server", |s| s != name);
        }
        let up = matches!(status, "healthy" | "degraded");
        book.set(
            &m::SERVER_UP,
            &[name, &transport, critical],
            f64::from(u8::from(up)),
        );
        for state in SERVER_STATES {
            book.set(
                &m::SERVER_STATUS,
                &[name, &transport, state],
                f64::from(u8::from(state == status)),
            );
        }
        if let Some(ms) = s["latency_ms"]["total"].as_f64() {
            book.retain(&m::PROBE_DURATION, "server", |s| s != name);
            book.set(&m::PROBE_DURATION, &[name, &transport], seconds(ms));
        }
    }
    if complete {
        for metric in [&m::SERVER_UP, &m::SERVER_STATUS, &m::PROBE_DURATION] {
            book.retain(metric, "server", |s| seen.contains(s));
        }
    }
}

fn recoveries(book: &mut Book, report: &Value) {
    let actions = report["servers"]
        .as_array()
        .into_iter()
        .chain(report["recovery"].as_array())
        .flatten()
        .flat_map(|s| s["actions"].as_array().into_iter().flatten());
    for action in actions {
        // Guard events (breaker, reset, pause) have no step: they are not actions.
        if let (Some(server), Some(step), Some(outcome)) = (
            action["server"].as_str(),
            action["step"].as_str(),
            action["outcome"].as_str(),
        ) {
            book.add_among(&m::RECOVERIES, &[server, step], &RECOVERY_OUTCOMES, outcome);
        }
    }
}

/// A complete run (no target named) knows every configured target: the others are gone.
fn forget_targets(book: &mut Book, targets: &BTreeSet<String>) {
    for metric in [
        &m::BACKUP_LAST_SUCCESS,
        &m::BACKUP_VERIFIED,
        &m::BACKUP_CHECK_BAD,
    ] {
        book.retain(metric, "target", |t| targets.contains(t));
    }
    book.backups.retain(|v| targets.contains(&v.target));
}

fn backups(book: &mut Book, report: &Value, complete: bool, now: f64) {
    let mut targets = BTreeSet::new();
    for t in report["targets"].as_array().into_iter().flatten() {
        let Some(name) = t["name"].as_str() else {
            continue;
        };
        targets.insert(name.to_owned());
        if matches!(t["result"].as_str(), Some("written" | "unchanged")) {
            book.set(&m::BACKUP_LAST_SUCCESS, &[name], now);
        }
    }
    verified(book, report);
    if complete {
        forget_targets(book, &targets);
    }
}

fn checks(book: &mut Book, report: &Value, complete: bool) {
    let mut bad: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut targets: BTreeSet<String> = report["unprotected"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect();
    for c in report["copies"].as_array().into_iter().flatten() {
        let (Some(target), Some(file)) = (c["target"].as_str(), c["file"].as_str()) else {
            continue;
        };
        let location = Path::new(file)
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        targets.insert(target.to_owned());
        let n = bad.entry((target.to_owned(), location)).or_default();
        *n += u32::from(!c["ok"].as_bool().unwrap_or(false));
    }
    book.retain(&m::BACKUP_CHECK_BAD, "target", |t| {
        !complete && !targets.contains(t)
    });
    for ((target, location), n) in &bad {
        book.set(&m::BACKUP_CHECK_BAD, &[target, location], f64::from(*n));
    }
    verified(book, report);
    if complete {
        forget_targets(book, &targets);
    }
}

/// The newest good copy per target and location, by `report`'s own rules.
fn verified(book: &mut Book, report: &Value) {
    book.backups = crate::report::carry(std::mem::take(&mut book.backups), report);
    book.family(&m::BACKUP_VERIFIED).clear();
    for v in book.backups.clone() {
        book.set(
            &m::BACKUP_VERIFIED,
            &[&v.target, &v.location],
            unix(v.verified_at),
        );
    }
}

fn ci(book: &mut Book, report: &Value, now: f64) {
    for run in report["runs"].as_array().into_iter().flatten() {
        let repo = run["repo"].as_str().unwrap_or_default();
        if let Some(id) = run["run_id"].as_u64() {
            let key = format!("{repo}#{id}#{}", run["run_attempt"].as_u64().unwrap_or(1));
            if book.ci_counted.contains(&key) {
                continue;
            }
            book.ci_counted.push_back(key);
            while book.ci_counted.len() > MAX_CI_COUNTED {
                book.ci_counted.pop_front();
            }
        }
        for issue in run["issues"].as_array().into_iter().flatten() {
            let Some(category) = issue["category"].as_str() else {
                continue;
            };
            let recurrence = issue["recurrence"].as_str().unwrap_or("new");
            book.add_among(&m::CI_FAILURES, &[repo, category], &RECURRENCES, recurrence);
            book.set(&m::CI_LAST_FAILURE, &[repo, category, recurrence], now);
        }
    }
}

fn fixes(book: &mut Book, report: &Value) {
    for f in report["fixes"].as_array().into_iter().flatten() {
        let (Some(category), Some(outcome)) = (f["category"].as_str(), f["outcome"].as_str())
        else {
            continue;
        };
        let repo = f["repo"].as_str().unwrap_or_default();
        book.add_among(&m::FIXES, &[repo, category], &FIX_OUTCOMES, outcome);
    }
}

/// From the guard files themselves, for the servers the textfile knows: an unreadable guard
/// blocks recovery as an open breaker does.
fn breakers(book: &mut Book, state_dir: &Path) {
    let known = book.labels_of(&m::SERVER_UP, "server");
    let mut open = Vec::new();
    for server in &known {
        let path = crate::heal::guard::path(state_dir, server);
        if std::fs::symlink_metadata(&path).is_err() {
            continue;
        }
        let blocked = crate::heal::guard::load(state_dir, server)
            .map_or(true, |g| g.breaker_opened.is_some());
        open.push((server.clone(), blocked));
    }
    book.family(&m::BREAKER_OPEN).clear();
    for (server, blocked) in open {
        book.set(&m::BREAKER_OPEN, &[&server], f64::from(u8::from(blocked)));
    }
}

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn render_labels(metric: &Metric, values: &[String]) -> String {
    if metric.labels.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = metric
        .labels
        .iter()
        .zip(values)
        .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

fn render(book: &Book) -> String {
    let mut out = String::new();
    for metric in m::ALL {
        let Some(samples) = book.series.get(metric.name).filter(|s| !s.is_empty()) else {
            continue;
        };
        let help = metric.help.replace('\\', "\\\\").replace('\n', "\\n");
        out.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} {kind}\n",
            name = metric.name,
            kind = metric.kind.as_str()
        ));
        for (labels, value) in samples {
            out.push_str(&format!(
                "{}{} {value}\n",
                metric.name,
                render_labels(metric, labels)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Status;
    use crate::notify::Job;
    use serde_json::json;

    fn run(book: &mut Book, job: Job, exit_code: u8, report: &Value) {
        let dir = tempfile::tempdir().unwrap();
        let outcome = Outcome {
            command: job.name,
            job,
            status: Status::Ok,
            exit_code,
            summary: "",
            problems: &[],
            report,
        };
        apply(book, &outcome, dir.path(), chrono::Utc::now());
    }

    fn value(book: &Book, metric: &Metric, labels: &[&str]) -> Option<f64> {
        let key: Vec<String> = labels.iter().map(|l| (*l).to_owned()).collect();
        book.series.get(metric.name)?.get(&key).copied()
    }

    const HEALTH: Job = Job {
        name: "health-check",
        complete: true,
    };

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(
            render_labels(&m::BREAKER_OPEN, &["a\"b\\c\nd".to_owned()]),
            "{server=\"a\\\"b\\\\c\\nd\"}"
        );
    }

    #[test]
    fn families_render_with_help_and_type() {
        let mut book = Book::default();
        book.set(&m::SERVER_UP, &["x", "stdio", "true"], 1.0);
        let text = render(&book);
        assert!(text.contains(
            "# TYPE mcpctl_server_up gauge\nmcpctl_server_up{server=\"x\",transport=\"stdio\",critical=\"true\"} 1\n"
        ), "{text}");
    }

    #[test]
    fn a_complete_health_check_drops_servers_it_no_longer_has_and_recover_keeps_the_transport() {
        let mut book = Book::default();
        let both = json!({"servers": [
            {"name": "a", "status": "healthy", "critical": true, "transport": "http", "latency_ms": {"total": 12.0}},
            {"name": "b", "status": "unhealthy", "critical": false, "transport": "stdio"}
        ]});
        run(&mut book, HEALTH, 1, &both);
        assert_eq!(
            value(&book, &m::SERVER_UP, &["b", "stdio", "false"]),
            Some(0.0)
        );
        assert_eq!(
            value(&book, &m::PROBE_DURATION, &["a", "http"]),
            Some(0.012)
        );
        let recover = Job {
            name: "recover",
            complete: false,
        };
        run(
            &mut book,
            recover,
            2,
            &json!({"servers": [{"name": "a", "final": "unhealthy", "critical": true}]}),
        );
        assert_eq!(
            value(&book, &m::SERVER_UP, &["a", "http", "true"]),
            Some(0.0)
        );
        assert_eq!(
            value(&book, &m::SERVER_STATUS, &["a", "http", "unhealthy"]),
            Some(1.0)
        );
        assert_eq!(
            value(&book, &m::SERVER_STATUS, &["a", "http", "healthy"]),
            Some(0.0)
        );
        let only_a = json!({"servers": [{"name": "a", "status": "healthy", "critical": true, "transport": "sse"}]});
        run(&mut book, HEALTH, 0, &only_a);
        assert_eq!(book.labels_of(&m::SERVER_UP, "server").len(), 1);
        assert_eq!(
            value(&book, &m::SERVER_UP, &["a", "sse", "true"]),
            Some(1.0)
        );
        assert_eq!(value(&book, &m::SERVER_UP, &["a", "http", "true"]), None);
    }

    #[test]
    fn counters_start_their_siblings_at_zero_and_gh_watch_counts_a_run_once() {
        let mut book = Book::default();
        let gh = Job {
            name: "gh-watch",
            complete: true,
        };
        let report = json!({"runs": [{"repo": "o/r", "run_id": 7, "run_attempt": 1, "issues": [
            {"category": "network", "recurrence": "rerun_candidate"}
        ]}]});
        run(&mut book, gh, 1, &report);
        run(&mut book, gh, 1, &report);
        assert_eq!(
            value(
                &book,
                &m::CI_FAILURES,
                &["o/r", "network", "rerun_candidate"]
            ),
            Some(1.0)
        );
        assert_eq!(
            value(&book, &m::CI_FAILURES, &["o/r", "network", "persistent"]),
            Some(0.0)
        );
        assert!(
            value(
                &book,
                &m::CI_LAST_FAILURE,
                &["o/r", "network", "rerun_candidate"]
            )
            .is_some()
        );
    }

    #[test]
    fn an_older_state_is_dropped_and_a_state_round_trips() {
        let old = br#"{"mcpctl_server_up":{"{server=\"x\"}":1.0}}"#;
        assert!(Book::load(Some(old)).series.is_empty());
        let mut book = Book::default();
        book.add(&m::RECOVERIES, &["x", "wait", "succeeded"], 2.0);
        let json = serde_json::to_vec(&book.store()).unwrap();
        let again = Book::load(Some(&json));
        assert_eq!(
            value(&again, &m::RECOVERIES, &["x", "wait", "succeeded"]),
            Some(2.0)
        );
    }
}
