//! The GitHub writes a fix makes, through octocrab: open a pull request, label it, look for one
//! still open, re-run a run's failed jobs. A POST is sent once; a failure is reported, never retried.

use std::time::Duration;

use octocrab::Octocrab;
use serde::Deserialize;
use serde_json::json;

pub struct Writer {
    octo: Octocrab,
    base: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Pull {
    pub number: u64,
    pub html_url: String,
}

fn describe(e: &octocrab::Error, what: &str) -> String {
    match e {
        octocrab::Error::GitHub { source, .. } => format!(
            "{what}: GitHub answered HTTP {}: {}",
            source.status_code.as_u16(),
            source.message
        ),
        other => format!("{what}: cannot reach GitHub: {other}"),
    }
}

impl Writer {
    pub fn new(api_url: &str, token: &str, timeout: Duration) -> Result<Self, String> {
        Ok(Self {
            octo: crate::ci::github::octocrab(api_url, token, timeout)?,
            base: api_url.trim_end_matches('/').to_owned(),
        })
    }

    /// The open pull request from `branch`, if there is one.
    pub async fn open_pull(&self, repo: &str, branch: &str) -> Result<Option<Pull>, String> {
        let owner = repo.split('/').next().unwrap_or(repo);
        let params = [
            ("state", "open".to_owned()),
            ("head", format!("{owner}:{branch}")),
        ];
        let pulls: Vec<Pull> = self
            .octo
            .get(format!("/repos/{repo}/pulls"), Some(&params))
            .await
            .map_err(|e| describe(&e, &format!("listing pull requests of {repo}")))?;
        Ok(pulls.into_iter().next())
    }

    pub async fn create_pull(
        &self,
        repo: &str,
        head: &str,
        base: &str,
        title: &str,
        body: &str,
    ) -> Result<Pull, String> {
        let payload = json!({ "title": title, "head": head, "base": base, "body": body });
        self.octo
            .post(format!("/repos/{repo}/pulls"), Some(&payload))
            .await
            .map_err(|e| describe(&e, &format!("opening a pull request on {repo}")))
    }

    /// Adds `labels` to a pull request (GitHub labels pull requests through their issue).
    pub async fn add_labels(&self, repo: &str, number: u64, labels: &[&str]) -> Result<(), String> {
        let payload = json!({ "labels": labels });
        let _: serde_json::Value = self
            .octo
            .post(
                format!("/repos/{repo}/issues/{number}/labels"),
                Some(&payload),
            )
            .await
            .map_err(|e| describe(&e, &format!("labelling pull request #{number} of {repo}")))?;
        Ok(())
    }

    pub async fn rerun_failed_jobs(&self, repo: &str, run_id: u64) -> Result<(), String> {
        let url = format!(
            "{}/repos/{repo}/actions/runs/{run_id}/rerun-failed-jobs",
            self.base
        );
        let what = format!("re-running the failed jobs of run {run_id}");
        let response = self
            .octo
            ._post(url, None::<&()>)
            .await
            .map_err(|e| describe(&e, &what))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("{what}: GitHub answered HTTP {}", status.as_u16()))
        }
    }
}
