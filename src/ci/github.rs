//! The GitHub Actions REST calls gh-watch needs, through octocrab: failed runs, their jobs and
//! failing steps, and a job's plain-text log. Retries are off: a rate limit stops the run with a
//! partial report instead of spinning, and nothing here writes to GitHub.

use std::time::Duration;

use chrono::{DateTime, Utc};
use octocrab::Octocrab;
use serde::{Deserialize, Serialize};

/// Run conclusions worth classifying.
const FAILED: &[&str] = &["failure", "cancelled", "timed_out", "startup_failure"];
const PAGES: u32 = 10;

pub struct Client {
    octo: Octocrab,
    base: String,
    http: reqwest::Client,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Run {
    pub id: u64,
    pub name: Option<String>,
    pub head_branch: Option<String>,
    pub head_sha: String,
    pub conclusion: Option<String>,
    pub html_url: String,
}

#[derive(Debug, Deserialize)]
struct RunsPage {
    workflow_runs: Vec<Run>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawJob {
    id: u64,
    name: String,
    conclusion: Option<String>,
    #[serde(default)]
    steps: Vec<RawStep>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawStep {
    name: String,
    number: u64,
    conclusion: Option<String>,
}

#[derive(Debug, Deserialize)]
struct JobsPage {
    jobs: Vec<RawJob>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Job {
    pub id: u64,
    pub name: String,
    pub conclusion: Option<String>,
    pub failing_step: Option<String>,
    pub failing_step_number: Option<u64>,
}

impl Client {
    pub fn new(api_url: &str, token: &str, timeout: Duration) -> Result<Self, String> {
        let octo = Octocrab::builder()
            .base_uri(api_url)
            .map_err(|e| format!("[github] api_url `{api_url}` is not a URL: {e}"))?
            .personal_token(token.to_owned())
            .add_retry_config(octocrab::service::middleware::retry::RetryConfig::None)
            .set_connect_timeout(Some(timeout))
            .set_read_timeout(Some(timeout))
            .build()
            .map_err(|e| format!("cannot set up the GitHub client: {e}"))?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        Ok(Self {
            octo,
            base: api_url.trim_end_matches('/').to_owned(),
            http,
        })
    }

    /// Completed runs since `since` that did not succeed, newest first.
    pub async fn failed_runs(
        &self,
        repo: &str,
        since: DateTime<Utc>,
        branches: &[String],
    ) -> Result<Vec<Run>, String> {
        let created = format!(">={}", since.format("%Y-%m-%dT%H:%M:%SZ"));
        let mut out = Vec::new();
        for page in 1..=PAGES {
            let params = [
                ("status", "completed".to_owned()),
                ("created", created.clone()),
                ("per_page", "100".to_owned()),
                ("page", page.to_string()),
            ];
            let runs: RunsPage = self
                .octo
                .get(format!("/repos/{repo}/actions/runs"), Some(&params))
                .await
                .map_err(|e| describe(&e, repo))?;
            let n = runs.workflow_runs.len();
            out.extend(runs.workflow_runs.into_iter().filter(|r| {
                r.conclusion.as_deref().is_some_and(|c| FAILED.contains(&c))
                    && (branches.is_empty()
                        || r.head_branch.as_ref().is_some_and(|b| branches.contains(b)))
            }));
            if n < 100 {
                break;
            }
        }
        Ok(out)
    }

    /// The run's jobs that did not succeed, each with its first failing step.
    pub async fn failed_jobs(&self, repo: &str, run: u64) -> Result<Vec<Job>, String> {
        let params = [("filter", "latest"), ("per_page", "100")];
        let page: JobsPage = self
            .octo
            .get(
                format!("/repos/{repo}/actions/runs/{run}/jobs"),
                Some(&params),
            )
            .await
            .map_err(|e| describe(&e, repo))?;
        Ok(page
            .jobs
            .into_iter()
            .filter(|j| j.conclusion.as_deref().is_some_and(|c| FAILED.contains(&c)))
            .map(|j| {
                let step = j
                    .steps
                    .iter()
                    .find(|s| s.conclusion.as_deref() == Some("failure"));
                Job {
                    id: j.id,
                    failing_step: step.map(|s| s.name.clone()),
                    failing_step_number: step.map(|s| s.number),
                    name: j.name,
                    conclusion: j.conclusion,
                }
            })
            .collect())
    }

    /// The job's log: GitHub answers with a redirect to a short-lived signed URL, fetched
    /// without our token. A job that has not finished has no log yet (404).
    pub async fn job_log(&self, repo: &str, job: u64) -> Result<Vec<u8>, String> {
        let url = format!("{}/repos/{repo}/actions/jobs/{job}/logs", self.base);
        let response = self
            .octo
            ._get(url.as_str())
            .await
            .map_err(|e| describe(&e, repo))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .ok_or("the log redirect has no Location")?
                .to_owned();
            let body = self
                .http
                .get(&location)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .map_err(|e| format!("cannot download the log of job {job}: {e}"))?;
            return body
                .bytes()
                .await
                .map(|b| b.to_vec())
                .map_err(|e| format!("cannot download the log of job {job}: {e}"));
        }
        if status.as_u16() == 404 {
            return Err(format!("job {job} has no log yet (404)"));
        }
        if !status.is_success() {
            return Err(format!(
                "GitHub answered HTTP {} for the log of job {job}",
                status.as_u16()
            ));
        }
        self.octo
            .body_to_string(response)
            .await
            .map(String::into_bytes)
            .map_err(|e| format!("cannot read the log of job {job}: {e}"))
    }
}

/// octocrab's own Display says only "GitHub": name the status, the message and, for a rate
/// limit, when it resets.
fn describe(e: &octocrab::Error, repo: &str) -> String {
    match e {
        octocrab::Error::GitHub { source, .. } => {
            let reset = source
                .rate_limit_reset
                .map(|r| format!("; the limit resets at {r}"))
                .unwrap_or_default();
            format!(
                "{repo}: GitHub answered HTTP {}: {}{reset}",
                source.status_code.as_u16(),
                source.message
            )
        }
        other => format!("{repo}: cannot reach GitHub: {other}"),
    }
}
