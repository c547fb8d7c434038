//! healthchecks.io's ping API: `<url>/start` when a run begins and `<url>/<exit code>` when it
//! ends, paired by `rid`, with the summary line as the body. `{host}` and `{command}` in the URL
//! make one check per host and subcommand out of one config line (healthchecks' slug URLs).

use super::{Job, NotifyError};
use crate::config::NotifySettings;

pub(super) async fn ping(
    settings: &NotifySettings,
    url: &str,
    job: Job,
    what: &str,
    rid: &str,
    body: &str,
) -> Result<(), NotifyError> {
    let base = super::expand(url, "healthchecks_url")?;
    let url = ping_url(&base, &crate::output::hostname(), job, what, rid);
    let response = super::client(settings)?
        .post(&url)
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                NotifyError::PingTimeout {
                    what: what.to_owned(),
                    timeout: settings.timeout,
                }
            } else {
                NotifyError::PingConnect {
                    what: what.to_owned(),
                }
            }
        })?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(NotifyError::PingStatus {
            what: what.to_owned(),
            status: response.status().as_u16(),
        })
    }
}

/// `base` with its placeholders filled, `/<what>` appended to the path and `rid` to the query
/// (`?create=1` auto-provisions a slug check).
fn ping_url(base: &str, host: &str, job: Job, what: &str, rid: &str) -> String {
    let host: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let filled = base
        .replace("{host}", &host)
        .replace("{command}", &job.slug());
    let (path, query) = match filled.split_once('?') {
        Some((path, query)) => (path, format!("{query}&")),
        None => (filled.as_str(), String::new()),
    };
    format!("{}/{what}?{query}rid={rid}", path.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_a_query_make_a_slug_url() {
        let job = Job {
            name: "backup --check",
            complete: true,
        };
        assert_eq!(
            ping_url(
                "https://hc/KEY/{host}-{command}?create=1",
                "Web 1.local",
                job,
                "start",
                "r"
            ),
            "https://hc/KEY/web-1-local-backup-check/start?create=1&rid=r"
        );
        assert_eq!(
            ping_url("https://hc/uuid/", "h", job, "0", "r"),
            "https://hc/uuid/0?rid=r"
        );
    }
}
