//! The writes a fix makes: look for its pull request still open, open one, label it, re-run a
//! run's failed jobs. Through the same client as the reads, so they share its rate-limit
//! accounting and failures; each POST is sent once, never retried.

use serde::Deserialize;
use serde_json::json;

use super::{Client, Failure, Method, failure, json};

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Pull {
    pub number: u64,
    pub html_url: String,
}

impl Client {
    /// The open pull request from `branch`, if there is one.
    pub(crate) async fn open_pull(
        &self,
        repo: &str,
        branch: &str,
    ) -> Result<Option<Pull>, Failure> {
        let owner = repo.split('/').next().unwrap_or(repo);
        let head = format!("{owner}:{branch}");
        let url = reqwest::Url::parse_with_params(
            &format!("{}/repos/{repo}/pulls", self.base),
            [("state", "open"), ("head", head.as_str())],
        )
        .map_err(|e| Failure::Other(format!("{repo}: bad URL: {e}")))?;
        let answer = self
            .send(
                url.as_str(),
                Method::Get(reqwest::header::HeaderMap::new()),
                repo,
            )
            .await?;
        let pulls: Vec<Pull> = json(&answer, repo, "the open pull requests")?;
        Ok(pulls.into_iter().next())
    }

    pub(crate) async fn create_pull(
        &self,
        repo: &str,
        head: &str,
        base: &str,
        title: &str,
        body: &str,
    ) -> Result<Pull, Failure> {
        let url = format!("{}/repos/{repo}/pulls", self.base);
        let payload = json!({ "title": title, "head": head, "base": base, "body": body });
        let answer = self.send(&url, Method::Post(&payload), repo).await?;
        json(&answer, repo, "a new pull request")
    }

    /// Adds `labels` to a pull request (GitHub labels pull requests through their issue).
    pub(crate) async fn add_labels(
        &self,
        repo: &str,
        number: u64,
        labels: &[&str],
    ) -> Result<(), Failure> {
        let url = format!("{}/repos/{repo}/issues/{number}/labels", self.base);
        let payload = json!({ "labels": labels });
        let answer = self.send(&url, Method::Post(&payload), repo).await?;
        let _: serde_json::Value = json(&answer, repo, &format!("labels on #{number}"))?;
        Ok(())
    }

    pub(crate) async fn rerun_failed_jobs(&self, repo: &str, run_id: u64) -> Result<(), Failure> {
        let url = format!(
            "{}/repos/{repo}/actions/runs/{run_id}/rerun-failed-jobs",
            self.base
        );
        let answer = self.send(&url, Method::Post(&json!({})), repo).await?;
        if answer.status.is_success() {
            Ok(())
        } else {
            Err(failure(
                &answer,
                repo,
                &format!("re-running the failed jobs of run {run_id}"),
            ))
        }
    }
}
