//! The writes escalation needs: find the issue that carries a fingerprint's marker, open one,
//! comment on one. Each POST is sent once: GitHub may have acted on a request whose answer was
//! lost, so a failure is reported and the next run looks for the marker before writing again.

use serde::Deserialize;
use serde_json::json;

use super::{Client, Failure, Method, json};

/// What GitHub made of a POST.
#[derive(Debug, Clone)]
pub(crate) struct Posted {
    pub number: Option<u64>,
    pub url: String,
}

#[derive(Deserialize)]
struct Found {
    items: Vec<FoundIssue>,
}

#[derive(Deserialize)]
struct FoundIssue {
    number: u64,
    body: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    number: Option<u64>,
    html_url: String,
}

impl Client {
    /// An open issue of `repo` whose body holds `marker`. Search is fuzzy, so the body is
    /// checked too.
    pub(crate) async fn find_marked_issue(
        &self,
        repo: &str,
        marker: &str,
    ) -> Result<Option<u64>, Failure> {
        let q = format!("\"{marker}\" repo:{repo} is:issue is:open in:body");
        let url = reqwest::Url::parse_with_params(
            &format!("{}/search/issues", self.base),
            [("q", q.as_str()), ("per_page", "20")],
        )
        .map_err(|e| Failure::Other(format!("{repo}: bad URL: {e}")))?;
        let answer = self
            .send(
                url.as_str(),
                Method::Get(reqwest::header::HeaderMap::new()),
                repo,
            )
            .await?;
        let found: Found = json(&answer, repo, "the issue search")?;
        Ok(found
            .items
            .into_iter()
            .find(|i| i.body.as_deref().is_some_and(|b| b.contains(marker)))
            .map(|i| i.number))
    }

    pub(crate) async fn open_issue(
        &self,
        repo: &str,
        title: &str,
        body: &str,
    ) -> Result<Posted, Failure> {
        let url = format!("{}/repos/{repo}/issues", self.base);
        let payload = json!({"title": title, "body": body});
        self.post(&url, &payload, repo, "a new issue").await
    }

    pub(crate) async fn comment(
        &self,
        repo: &str,
        issue: u64,
        body: &str,
    ) -> Result<Posted, Failure> {
        let url = format!("{}/repos/{repo}/issues/{issue}/comments", self.base);
        let payload = json!({"body": body});
        self.post(
            &url,
            &payload,
            repo,
            &format!("a comment on issue #{issue}"),
        )
        .await
    }

    async fn post(
        &self,
        url: &str,
        payload: &serde_json::Value,
        repo: &str,
        what: &str,
    ) -> Result<Posted, Failure> {
        let answer = self.send(url, Method::Post(payload), repo).await?;
        let created: Created = json(&answer, repo, what)?;
        Ok(Posted {
            number: created.number,
            url: created.html_url,
        })
    }
}
