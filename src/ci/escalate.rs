//! `open_issue_after = N`: one GitHub issue per persistent fingerprint, opened once the
//! fingerprint has been seen N times within the history window, and a comment on it at each
//! later sighting. The issue's number is kept in the history; a marker in its body lets a run
//! find it when the history is lost, so it is never opened twice.

use serde::{Deserialize, Serialize};

use super::Issue;
use super::github::{Client, Failure, Run};
use super::history::{History, WINDOW};
use crate::redact::Redactor;

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Escalation {
    pub repo: String,
    pub fingerprint: String,
    pub action: Action,
    pub issue: Option<u64>,
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What was done on GitHub for a persistent fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Action {
    Opened,
    Commented,
    /// With `error`; the next sighting tries again.
    Failed,
    /// A word from a newer mcpctl, in a stored report.
    #[serde(other)]
    Other,
}

/// What the issue text is about.
pub(crate) struct Sighted<'a> {
    pub repo: &'a str,
    pub run: &'a Run,
    pub job: &'a str,
    pub issue: &'a Issue,
}

pub(crate) fn marker(fingerprint: &str) -> String {
    format!("<!-- mcpctl-fingerprint: {fingerprint} -->")
}

/// Opens or comments. A spent core rate limit is returned so the run stops; any other failure
/// (the search's own small limit included) is reported in the escalation and left for the next
/// sighting.
pub(crate) async fn escalate(
    client: &Client,
    history: &mut History,
    seen: &Sighted<'_>,
    redactor: &Redactor,
) -> Result<Escalation, Failure> {
    let fp = seen.issue.fingerprint.as_str();
    let mut out = Escalation {
        repo: seen.repo.to_owned(),
        fingerprint: fp.to_owned(),
        action: Action::Failed,
        issue: None,
        url: None,
        error: None,
    };
    let known = history.fingerprints.get(fp).and_then(|e| e.issue);
    let found = match known {
        Some(n) => Ok(Some(n)),
        None => client.find_marked_issue(seen.repo, &marker(fp)).await,
    };
    let posted = match found {
        Ok(Some(number)) => {
            out.issue = Some(number);
            remember(history, fp, number);
            client
                .comment(seen.repo, number, &redactor.redact(&comment(seen)))
                .await
                .map(|p| (Action::Commented, p))
        }
        Ok(None) => {
            let count = history.count(fp);
            client
                .open_issue(
                    seen.repo,
                    &redactor.redact(&title(seen)),
                    &redactor.redact(&body(seen, count)),
                )
                .await
                .map(|p| (Action::Opened, p))
        }
        Err(e) => Err(e),
    };
    match posted {
        Ok((action, p)) => {
            if let Some(n) = p.number {
                remember(history, fp, n);
                out.issue = Some(n);
            }
            out.action = action;
            out.url = Some(p.url);
        }
        Err(Failure::RateLimited(l)) if l.resource == super::github::CORE => {
            return Err(Failure::RateLimited(l));
        }
        Err(e) => out.error = Some(e.to_string()),
    }
    Ok(out)
}

fn remember(history: &mut History, fp: &str, number: u64) {
    if let Some(e) = history.fingerprints.get_mut(fp) {
        e.issue = Some(number);
    }
}

fn title(s: &Sighted<'_>) -> String {
    let i = s.issue;
    format!(
        "CI keeps failing: {}{} in {} / {}",
        i.category,
        i.key
            .as_deref()
            .map(|k| format!(" ({k})"))
            .unwrap_or_default(),
        s.run.name.as_deref().unwrap_or("workflow"),
        s.job
    )
}

fn body(s: &Sighted<'_>, count: usize) -> String {
    let i = s.issue;
    let days = WINDOW.num_days();
    let mut text = format!(
        "mcpctl gh-watch has seen this failure {count} times, on more than one commit, within {days} days.\n\n\
         - category: `{}`, key: `{}`, pattern: `{}`\n\
         - workflow `{}`, job `{}`\n\
         - latest: {} (commit {})\n\
         - {}\n",
        i.category,
        i.key.as_deref().unwrap_or("-"),
        i.pattern_id,
        s.run.name.as_deref().unwrap_or("-"),
        s.job,
        s.run.html_url,
        s.run.head_sha,
        i.description,
    );
    if let Some(h) = &i.hint {
        text.push_str(&format!("- next: {h}\n"));
    }
    text.push_str(&format!(
        "\nLine {}:\n\n```\n{}\n```\n\n{}\n",
        i.line_number,
        fenced(&i.context.join("\n")),
        marker(&i.fingerprint)
    ));
    text
}

fn comment(s: &Sighted<'_>) -> String {
    format!(
        "Seen again in {} (commit {}), line {}:\n\n```\n{}\n```\n",
        s.run.html_url,
        s.run.head_sha,
        s.issue.line_number,
        fenced(&s.issue.line)
    )
}

/// Log text cannot close the code fence it is quoted in.
fn fenced(text: &str) -> String {
    text.replace("```", "'''")
}
