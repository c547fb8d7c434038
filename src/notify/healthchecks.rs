//! healthchecks.io's ping API: `<url>/start` when a run begins and `<url>/<exit code>` when it
//! ends, paired by `rid`, with the summary line as the body.

use crate::config::NotifySettings;

pub(super) async fn ping(
    settings: &NotifySettings,
    url: &str,
    what: &str,
    rid: &str,
    body: &str,
) -> Result<(), String> {
    let base = super::expand(url, "healthchecks_url")?;
    let url = format!("{}/{what}?rid={rid}", base.trim_end_matches('/'));
    let response = super::client(settings)?
        .post(&url)
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                format!(
                    "healthchecks ping /{what} got no answer within {}",
                    humantime::format_duration(settings.timeout)
                )
            } else {
                format!("healthchecks ping /{what} failed: cannot connect")
            }
        })?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!(
            "healthchecks ping /{what} answered HTTP {}",
            response.status().as_u16()
        ))
    }
}
