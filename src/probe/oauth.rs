//! OAuth-protected servers: a 401 or 403 with `WWW-Authenticate: Bearer resource_metadata=…`
//! leads to the protected resource metadata (RFC 9728), which names the authorization server,
//! whose metadata (RFC 8414, else OIDC discovery) gives the issuer. Only metadata documents are
//! fetched, never with the server's headers, never an authorization URL.

use std::time::Duration;

use serde_json::Value;

use super::AuthRequired;

/// The auth-params of the `Bearer` challenge in a `WWW-Authenticate` value, if it has one.
pub(crate) fn bearer_params(header: &str) -> Option<Vec<(String, String)>> {
    let lower = header.to_ascii_lowercase();
    let at = lower.find("bearer")?;
    let rest = &header[at + "bearer".len()..];
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        let key: String = chars
            .by_ref()
            .take_while(|c| *c != '=')
            .collect::<String>()
            .trim()
            .to_ascii_lowercase();
        if key.is_empty() || key.contains(' ') {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    _ => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.peek() {
                if *c == ',' || c.is_whitespace() {
                    break;
                }
                value.push(*c);
                chars.next();
            }
        }
        params.push((key, value));
    }
    Some(params)
}

/// Follows a Bearer challenge to the authorization server's metadata. `None` when the server
/// names no OAuth metadata (a plain 401: a wrong or missing token).
pub(crate) async fn discover(
    client: &reqwest::Client,
    server: &reqwest::Url,
    challenge: &str,
    timeout: Duration,
) -> Option<AuthRequired> {
    let params = bearer_params(challenge)?;
    let param = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let candidates: Vec<reqwest::Url> = if let Some(u) = param("resource_metadata") {
        vec![server.join(&u).ok()?]
    } else {
        let path = server.path().trim_end_matches('/');
        let mut c = Vec::new();
        if !path.is_empty() {
            c.extend(
                server
                    .join(&format!("/.well-known/oauth-protected-resource{path}"))
                    .ok(),
            );
        }
        c.extend(server.join("/.well-known/oauth-protected-resource").ok());
        c
    };
    let mut found = None;
    for url in candidates {
        if let Some(doc) = fetch(client, server, &url, timeout).await {
            found = Some((url, doc));
            break;
        }
    }
    let (prm_url, prm) = found?;
    let scopes = param("scope").map_or_else(
        || strings(prm.get("scopes_supported")),
        |s| s.split_whitespace().map(str::to_owned).collect(),
    );
    let named = prm
        .get("authorization_servers")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str)
        .map(str::to_owned);
    let issuer = match &named {
        Some(i) => Some(
            issuer(client, server, i, timeout)
                .await
                .unwrap_or_else(|| i.clone()),
        ),
        None => None,
    };
    Some(AuthRequired {
        issuer,
        scopes,
        resource_metadata: Some(crate::redact::url(prm_url.as_str())),
        clients: Vec::new(),
    })
}

/// The issuer as the authorization server's own metadata states it.
async fn issuer(
    client: &reqwest::Client,
    server: &reqwest::Url,
    named: &str,
    timeout: Duration,
) -> Option<String> {
    let base = reqwest::Url::parse(named).ok()?;
    let path = base.path().trim_end_matches('/').to_owned();
    let candidates = [
        base.join(&format!("/.well-known/oauth-authorization-server{path}"))
            .ok(),
        base.join(&format!("{path}/.well-known/openid-configuration"))
            .ok(),
    ];
    for url in candidates.into_iter().flatten() {
        if let Some(doc) = fetch(client, server, &url, timeout).await
            && let Some(issuer) = doc.get("issuer").and_then(Value::as_str)
        {
            return Some(issuer.to_owned());
        }
    }
    None
}

/// A metadata document: https, or the server's own origin; without the server's headers; the
/// body capped; within `timeout`.
async fn fetch(
    client: &reqwest::Client,
    server: &reqwest::Url,
    url: &reqwest::Url,
    timeout: Duration,
) -> Option<Value> {
    if url.scheme() != "https" && url.origin() != server.origin() {
        return None;
    }
    let send = client
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .send();
    let resp = tokio::time::timeout(timeout, send).await.ok()?.ok()?;
    if !resp.status().is_success() {
        return None;
    }
    let body = tokio::time::timeout(timeout, super::web::read_capped(resp))
        .await
        .ok()?
        .ok()?;
    serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(Value::is_object)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_bearer_challenge_params() {
        let p = super::bearer_params(
            r#"Bearer resource_metadata="https://x/.well-known/oauth-protected-resource", scope="files:read files:write", error=invalid_token"#,
        )
        .unwrap();
        assert_eq!(
            p,
            [
                (
                    "resource_metadata".to_owned(),
                    "https://x/.well-known/oauth-protected-resource".to_owned()
                ),
                ("scope".to_owned(), "files:read files:write".to_owned()),
                ("error".to_owned(), "invalid_token".to_owned()),
            ]
        );
        assert!(super::bearer_params("Basic realm=\"x\"").is_none());
    }
}
