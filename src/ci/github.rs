//! The GitHub Actions REST calls gh-watch needs, through octocrab: failed runs (asked
//! conditionally, with the ETag of the last answer), their jobs and failing steps, a job's
//! plain-text log and the run's log archive. Retries are off: a spent rate limit stops every
//! further request of its resource (`core`, or `search` for the issue search), so a run ends
//! with a partial report instead of spinning.

mod issues;
mod pulls;

pub(crate) use pulls::Pull;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::StreamExt;
use octocrab::Octocrab;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

use super::steps::Step;

/// Run conclusions worth classifying.
const FAILED: &[&str] = &["failure", "cancelled", "timed_out", "startup_failure"];
const PAGES: u32 = 10;
/// Requests left for other tools (and `fix`) when GitHub says the limit is nearly spent.
const RESERVE: u64 = 10;
/// A signed-URL download is a whole log, and reqwest's timeout covers the whole body: the
/// probe timeout would cut large logs short.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(120);
/// A job log is held in memory: a larger one is refused (the run's archive may still have it).
const MAX_JOB_LOG: u64 = 256 << 20;
/// A run's log archive goes to a temporary file: bounded all the same.
const MAX_RUN_ZIP: u64 = 2 << 30;
/// A `retry-after` beyond this is not believed.
const MAX_RETRY_AFTER: i64 = 24 * 3600;
/// The rate limit most requests count against; an answer without `x-ratelimit-resource` is
/// taken to be about it.
pub(crate) const CORE: &str = "core";

pub(crate) struct Client {
    octo: Octocrab,
    base: String,
    /// Where the token may go: a next-page link elsewhere is not followed.
    origin: reqwest::Url,
    http: reqwest::Client,
    download_timeout: Duration,
    /// Per resource, set once its rate limit is spent: every later request against it fails
    /// with it, unsent.
    limited: Mutex<BTreeMap<String, Limited>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Limited {
    /// `core`, `search`, …: what GitHub's `x-ratelimit-resource` named.
    pub resource: String,
    pub message: String,
    pub reset: Option<DateTime<Utc>>,
}

/// Why a request gave nothing usable.
#[derive(Debug, Clone)]
pub(crate) enum Failure {
    /// The rate limit is spent: stop, and say when it resets.
    RateLimited(Limited),
    /// Not there, or not yet: a job's log 404s until the job has finished.
    NotFound(String),
    Other(String),
}

impl std::error::Error for Failure {}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::RateLimited(l) => {
                write!(f, "{}", l.message)?;
                match l.reset {
                    Some(at) => write!(
                        f,
                        "; the limit resets at {} (in {})",
                        at.format("%Y-%m-%d %H:%M:%S UTC"),
                        humantime::format_duration(Duration::from_secs(
                            u64::try_from((at - Utc::now()).num_seconds().max(0)).unwrap_or(0)
                        ))
                    ),
                    None => write!(f, "; GitHub did not say when the limit resets"),
                }
            }
            Failure::NotFound(m) | Failure::Other(m) => write!(f, "{m}"),
        }
    }
}

/// Also what `etags.json` keeps: a cache written before a field was required here fails to
/// load and is fetched afresh.
// The field names are GitHub's.
#[allow(clippy::struct_field_names)]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Run {
    pub id: u64,
    /// 1, then one more at each re-run: GitHub keeps the run's id.
    #[serde(default)]
    pub run_attempt: Option<u32>,
    pub name: Option<String>,
    /// What started it: `push`, `pull_request`, `schedule`, …
    pub event: String,
    pub head_branch: Option<String>,
    pub head_sha: String,
    /// Where the commit lives: a fork's pull request runs another repository's code.
    #[serde(default)]
    pub head_repository: Option<HeadRepository>,
    pub conclusion: Option<String>,
    pub html_url: String,
    pub created_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct HeadRepository {
    pub full_name: String,
}

/// The failed runs of a repository's last full answer, kept with its ETag so an unchanged list
/// costs a 304 and no rate limit.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct RunsCache {
    pub etag: String,
    pub runs: Vec<Run>,
}

pub(crate) struct Listing {
    pub runs: Vec<Run>,
    /// GitHub answered 304: nothing new since the cached answer.
    pub unchanged: bool,
    /// What to keep for the next conditional request.
    pub cache: Option<RunsCache>,
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
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
struct JobsPage {
    jobs: Vec<RawJob>,
}

/// Where a job's classified log came from, or why there was none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum LogSource {
    /// The job's own log.
    JobLog,
    /// The run's log archive, when the job's own log was not available: the whole job's file.
    RunLogsZip,
    /// The run's log archive: the failing step's file alone.
    RunLogsZipStep,
    /// GitHub answered 404: the run is looked at again on the next run.
    NotYetAvailable,
    /// The run's `errors` say why; the run is looked at again, up to three times.
    DownloadFailed,
    /// A word from a newer mcpctl, in a stored report.
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Job {
    #[serde(default)]
    pub id: u64,
    pub name: String,
    pub conclusion: Option<String>,
    pub failing_step: Option<String>,
    pub failing_step_number: Option<u64>,
    /// Where the classified log came from; null for a job that never started.
    pub log: Option<LogSource>,
    /// The failing step's first and last line in the job log, when the issues came from that
    /// step alone; null when the whole log was classified.
    pub step_lines: Option<[u64; 2]>,
    #[serde(skip)]
    pub steps: Vec<Step>,
}

/// Why there is no client: a bad `[github] api_url`, or a TLS setup that failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SetupError {
    /// Octocrab and reqwest each parse the URL, with their own error types.
    #[error("[github] api_url `{url}` is not a URL: {source}")]
    ApiUrl {
        url: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("cannot set up the GitHub client: {0}")]
    Octocrab(#[source] octocrab::Error),
    #[error("cannot build an HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

/// The one way mcpctl talks to GitHub's API: the configured base URL, the token, timeouts on
/// every call, and octocrab's retries off (a rate limit stops a run; a POST is never resent).
fn octocrab(api_url: &str, token: &str, timeout: Duration) -> Result<Octocrab, SetupError> {
    Octocrab::builder()
        .base_uri(api_url)
        .map_err(|e| SetupError::ApiUrl {
            url: api_url.to_owned(),
            source: Box::new(e),
        })?
        .personal_token(token.to_owned())
        .add_retry_config(octocrab::service::middleware::retry::RetryConfig::None)
        .set_connect_timeout(Some(timeout))
        .set_read_timeout(Some(timeout))
        .build()
        .map_err(SetupError::Octocrab)
}

impl Client {
    /// `api_url` empty: github.com's API.
    pub(crate) fn new(api_url: &str, token: &str, timeout: Duration) -> Result<Self, SetupError> {
        let api_url = if api_url.is_empty() {
            "https://api.github.com"
        } else {
            api_url
        };
        let octo = octocrab(api_url, token, timeout)?;
        let origin = reqwest::Url::parse(api_url).map_err(|e| SetupError::ApiUrl {
            url: api_url.to_owned(),
            source: Box::new(e),
        })?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(SetupError::Http)?;
        Ok(Self {
            octo,
            base: api_url.trim_end_matches('/').to_owned(),
            origin,
            http,
            download_timeout: timeout.max(DOWNLOAD_TIMEOUT),
            limited: Mutex::new(BTreeMap::new()),
        })
    }

    /// Completed runs since `since` that did not succeed, newest first. With `cache`, asks
    /// with its ETag; a 304 answers from the cache.
    pub(crate) async fn failed_runs(
        &self,
        repo: &str,
        since: DateTime<Utc>,
        branches: &[String],
        cache: Option<&RunsCache>,
    ) -> Result<Listing, Failure> {
        let keep = |r: &Run| {
            (branches.is_empty() || r.head_branch.as_ref().is_some_and(|b| branches.contains(b)))
                && r.created_at.is_none_or(|c| c >= since)
        };
        let created = format!(">={}", since.format("%Y-%m-%dT%H:%M:%SZ"));
        let mut url = reqwest::Url::parse_with_params(
            &format!("{}/repos/{repo}/actions/runs", self.base),
            [
                ("status", "completed"),
                ("created", created.as_str()),
                ("per_page", "100"),
            ],
        )
        .map_err(|e| Failure::Other(format!("{repo}: bad URL: {e}")))?
        .to_string();
        let mut all = Vec::new();
        let mut etag = None;
        for page in 1..=PAGES {
            let mut headers = HeaderMap::new();
            if page == 1
                && let Some(c) = cache
                && let Ok(v) = HeaderValue::from_str(&c.etag)
            {
                headers.insert(reqwest::header::IF_NONE_MATCH, v);
            }
            let answer = self.send(&url, Method::Get(headers), repo).await?;
            if answer.status == reqwest::StatusCode::NOT_MODIFIED
                && let Some(c) = cache
            {
                return Ok(Listing {
                    runs: c.runs.iter().filter(|r| keep(r)).cloned().collect(),
                    unchanged: true,
                    cache: None,
                });
            }
            // Never send the token anywhere but the configured API.
            let next = next_link(&answer.headers).filter(|n| same_origin(n, &self.origin));
            if page == 1 {
                etag = header(&answer.headers, "etag");
            }
            let runs: RunsPage = json(&answer, repo, "the list of runs")?;
            all.extend(
                runs.workflow_runs
                    .into_iter()
                    .filter(|r| r.conclusion.as_deref().is_some_and(|c| FAILED.contains(&c))),
            );
            match next {
                Some(n) => url = n,
                None => break,
            }
        }
        Ok(Listing {
            runs: all.iter().filter(|r| keep(r)).cloned().collect(),
            unchanged: false,
            cache: etag.map(|etag| RunsCache { etag, runs: all }),
        })
    }

    /// The run's jobs that did not succeed, each with its first failing step.
    pub(crate) async fn failed_jobs(&self, repo: &str, run: u64) -> Result<Vec<Job>, Failure> {
        let url = format!(
            "{}/repos/{repo}/actions/runs/{run}/jobs?filter=latest&per_page=100",
            self.base
        );
        let answer = self.send(&url, Method::Get(HeaderMap::new()), repo).await?;
        let page: JobsPage = json(&answer, repo, &format!("the jobs of run {run}"))?;
        Ok(page
            .jobs
            .into_iter()
            .filter(|j| j.conclusion.as_deref().is_some_and(|c| FAILED.contains(&c)))
            .map(|j| {
                let step = super::steps::failing(&j.steps);
                Job {
                    id: j.id,
                    failing_step: step.map(|s| s.name.clone()),
                    failing_step_number: step.map(|s| s.number),
                    name: j.name,
                    conclusion: j.conclusion,
                    log: None,
                    step_lines: None,
                    steps: j.steps,
                }
            })
            .collect())
    }

    /// The job's log: GitHub answers with a redirect to a short-lived signed URL, fetched
    /// without our token. A job that has not finished has no log yet (404).
    pub(crate) async fn job_log(&self, repo: &str, job: u64) -> Result<Vec<u8>, Failure> {
        let url = format!("{}/repos/{repo}/actions/jobs/{job}/logs", self.base);
        let what = format!("the log of job {job}");
        let answer = self.send(&url, Method::Get(HeaderMap::new()), repo).await?;
        match signed(answer, repo, &what)? {
            Signed::Redirect(location) => {
                let mut log = Vec::new();
                self.download(&location, &what, MAX_JOB_LOG, &mut log)
                    .await?;
                Ok(log)
            }
            Signed::Here(body) => Ok(body.into_bytes()),
        }
    }

    /// The run's log archive (one file per job, folders of per-step files), written to an
    /// anonymous temporary file: it can be large, and the zip reader needs to seek.
    pub(crate) async fn run_logs_zip(
        &self,
        repo: &str,
        run: u64,
    ) -> Result<std::fs::File, Failure> {
        let url = format!("{}/repos/{repo}/actions/runs/{run}/logs", self.base);
        let what = format!("the log archive of run {run}");
        let answer = self.send(&url, Method::Get(HeaderMap::new()), repo).await?;
        let Signed::Redirect(location) = signed(answer, repo, &what)? else {
            return Err(Failure::Other(format!(
                "{repo}: GitHub sent {what} without the usual redirect"
            )));
        };
        let mut file =
            tempfile::tempfile().map_err(|e| Failure::Other(format!("cannot save {what}: {e}")))?;
        self.download(&location, &what, MAX_RUN_ZIP, &mut file)
            .await?;
        Ok(file)
    }

    /// A signed URL: no token, a timeout long enough for a whole log, at most `max` bytes. The
    /// URL is a credential for a while, so errors never show it. Only a 404 says "not yet".
    async fn download(
        &self,
        location: &str,
        what: &str,
        max: u64,
        out: &mut impl Write,
    ) -> Result<(), Failure> {
        let failed = |e: reqwest::Error| {
            Failure::Other(format!("cannot download {what}: {}", e.without_url()))
        };
        let too_large = || {
            Failure::Other(format!(
                "{what} is larger than {} MiB: not downloaded",
                max >> 20
            ))
        };
        let response = self
            .http
            .get(location)
            .timeout(self.download_timeout)
            .send()
            .await
            .map_err(failed)?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Err(Failure::NotFound(format!(
                "{what} is not there yet (HTTP 404)"
            )));
        }
        if !status.is_success() {
            return Err(Failure::Other(format!(
                "cannot download {what}: HTTP {}",
                status.as_u16()
            )));
        }
        if response.content_length().is_some_and(|n| n > max) {
            return Err(too_large());
        }
        let mut stream = response.bytes_stream();
        let mut total = 0;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(failed)?;
            total += chunk.len() as u64;
            if total > max {
                return Err(too_large());
            }
            out.write_all(&chunk)
                .map_err(|e| Failure::Other(format!("cannot save {what}: {e}")))?;
        }
        Ok(())
    }

    /// One request through octocrab, unless the rate limit is already spent. Notes what GitHub
    /// says about the limit; a spent limit (403 with `x-ratelimit-remaining: 0`, or 429) fails
    /// here and stops every later request.
    async fn send(&self, url: &str, method: Method<'_>, repo: &str) -> Result<Answer, Failure> {
        let search = url
            .strip_prefix(&self.base)
            .is_some_and(|p| p.starts_with("/search/"));
        self.check_limit(if search { "search" } else { CORE })?;
        let response = match method {
            Method::Get(headers) => self.octo._get_with_headers(url, Some(headers)).await,
            Method::Post(body) => self.octo._post(url, Some(body)).await,
        }
        .map_err(|e| Failure::Other(format!("{repo}: cannot reach GitHub: {e}")))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = self
            .octo
            .body_to_string(response)
            .await
            .map_err(|e| Failure::Other(format!("{repo}: cannot read GitHub's answer: {e}")))?;
        let answer = Answer {
            status,
            headers,
            body,
        };
        self.note_limit(&answer, repo)?;
        Ok(answer)
    }

    fn check_limit(&self, resource: &str) -> Result<(), Failure> {
        match self
            .limited
            .lock()
            .ok()
            .and_then(|l| l.get(resource).cloned())
        {
            Some(l) => Err(Failure::RateLimited(l)),
            None => Ok(()),
        }
    }

    /// A spent limit fails this answer; a nearly spent one lets it through and stops the next
    /// request against the same resource, leaving a few for other tools.
    fn note_limit(&self, a: &Answer, repo: &str) -> Result<(), Failure> {
        let remaining = header(&a.headers, "x-ratelimit-remaining").and_then(|v| v.parse().ok());
        let reset = header(&a.headers, "x-ratelimit-reset")
            .and_then(|v| v.parse::<i64>().ok())
            .and_then(|s| DateTime::from_timestamp(s, 0));
        let retry_after = header(&a.headers, "retry-after").and_then(|v| retry_at(&v, Utc::now()));
        let code = a.status.as_u16();
        let spent = code == 429 || (code == 403 && (remaining == Some(0) || retry_after.is_some()));
        let low = remaining.is_some_and(|r: u64| r < RESERVE);
        if !spent && !low {
            return Ok(());
        }
        let message = if spent {
            format!(
                "{repo}: GitHub's rate limit is spent (HTTP {code}: {})",
                message(&a.body)
            )
        } else {
            format!(
                "{repo}: GitHub's rate limit is nearly spent ({} requests left); stopped to leave some for other tools",
                remaining.unwrap_or(0)
            )
        };
        let limited = Limited {
            resource: header(&a.headers, "x-ratelimit-resource").unwrap_or_else(|| CORE.into()),
            message,
            reset: retry_after.or(reset),
        };
        if let Ok(mut l) = self.limited.lock() {
            l.insert(limited.resource.clone(), limited.clone());
        }
        if spent {
            Err(Failure::RateLimited(limited))
        } else {
            Ok(())
        }
    }
}

enum Method<'a> {
    Get(HeaderMap),
    Post(&'a serde_json::Value),
}

/// A whole answer: GitHub's JSON and error bodies are small, and logs come from signed URLs.
struct Answer {
    status: reqwest::StatusCode,
    headers: HeaderMap,
    body: String,
}

enum Signed {
    Redirect(String),
    Here(String),
}

fn signed(a: Answer, repo: &str, what: &str) -> Result<Signed, Failure> {
    if a.status.is_redirection() {
        return header(&a.headers, "location")
            .map(Signed::Redirect)
            .ok_or_else(|| {
                Failure::Other(format!("{repo}: the redirect to {what} has no Location"))
            });
    }
    if a.status.is_success() {
        return Ok(Signed::Here(a.body));
    }
    Err(failure(&a, repo, what))
}

/// The JSON of a successful answer, or why there is none.
fn json<T: serde::de::DeserializeOwned>(a: &Answer, repo: &str, what: &str) -> Result<T, Failure> {
    if !a.status.is_success() {
        return Err(failure(a, repo, what));
    }
    serde_json::from_str(&a.body).map_err(|e| {
        Failure::Other(format!(
            "{repo}: GitHub's answer for {what} is not what its docs show: {e}"
        ))
    })
}

/// octocrab's own Display says only "GitHub": name the status and GitHub's message.
fn failure(a: &Answer, repo: &str, what: &str) -> Failure {
    let text = format!(
        "{repo}: GitHub answered HTTP {} for {what}: {}",
        a.status.as_u16(),
        message(&a.body)
    );
    if a.status == reqwest::StatusCode::NOT_FOUND {
        Failure::NotFound(text)
    } else {
        Failure::Other(text)
    }
}

fn message(body: &str) -> String {
    #[derive(Deserialize)]
    struct Error {
        message: String,
    }
    serde_json::from_str::<Error>(body).map_or_else(
        |_| body.chars().take(200).collect::<String>().trim().to_owned(),
        |e| e.message,
    )
}

/// Compared as parsed URLs: `https://api.github.com.evil.tld/` starts with the API's text.
fn same_origin(url: &str, api: &reqwest::Url) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| {
        u.scheme() == api.scheme()
            && u.host() == api.host()
            && u.port_or_known_default() == api.port_or_known_default()
    })
}

/// `retry-after` in seconds (GitHub never sends its date form), clamped: a huge value must
/// neither overflow the clock nor stop mcpctl for years.
fn retry_at(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds = value
        .parse::<i64>()
        .unwrap_or(i64::MAX)
        .clamp(0, MAX_RETRY_AFTER);
    TimeDelta::try_seconds(seconds).and_then(|d| now.checked_add_signed(d))
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// RFC 8288 `Link: <url>; rel="next", …`, which GitHub sends on every paginated list.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = header(headers, "link")?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_stay_on_the_api() {
        let api = reqwest::Url::parse("https://api.github.com").unwrap();
        let on = |u: &str| same_origin(u, &api);
        assert!(on(
            "https://api.github.com/repositories/1/actions/runs?page=2"
        ));
        assert!(on("https://api.github.com:443/x"));
        assert!(!on("https://api.github.com.evil.tld/x"));
        assert!(!on("https://api.github.com@evil.tld/x"));
        assert!(!on("http://api.github.com/x"));
        assert!(!on("https://api.github.com:8443/x"));
        assert!(!on("not a url"));
    }

    #[test]
    fn retry_after_is_clamped_not_overflowed() {
        let now = Utc::now();
        assert_eq!(retry_at("120", now), Some(now + TimeDelta::seconds(120)));
        let day = Some(now + TimeDelta::seconds(MAX_RETRY_AFTER));
        assert_eq!(retry_at("9000000000000", now), day);
        assert_eq!(retry_at("99999999999999999999999", now), day);
        assert_eq!(retry_at("Wed, 21 Oct 2026 07:28:00 GMT", now), None);
        assert_eq!(retry_at("-5", now), None);
    }
}
