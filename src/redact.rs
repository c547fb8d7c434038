//! Secrets never reach output: every env value, header value, env-file value and interpolated
//! variable of a server is registered here, and every string that leaves a probe goes through
//! `redact` before anything cuts it. Matching is one Aho-Corasick pass, so an env file of
//! 80,000 lines costs what it reads, not its square.

use std::collections::HashSet;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// Values shorter than this are too common to scrub without mangling ordinary text
/// ("1", "true", a port number); they are not secrets worth the name.
const MIN_SECRET_LEN: usize = 4;
const MASK: &str = "***";

#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: HashSet<String>,
    /// Built on first use after the last `add`.
    matcher: OnceLock<Option<AhoCorasick>>,
}

impl Redactor {
    pub fn add(&mut self, value: &str) {
        let value = value.trim();
        if value.len() >= MIN_SECRET_LEN && self.secrets.insert(value.to_owned()) {
            self.matcher = OnceLock::new();
        }
        // "Bearer abc…" is a header value; the bare token is what leaks into server logs.
        if let Some((_, token)) = value.split_once(' ')
            && token.len() >= MIN_SECRET_LEN
            && token != value
        {
            self.add(token);
        }
    }

    fn matcher(&self) -> Option<&AhoCorasick> {
        self.matcher
            .get_or_init(|| {
                if self.secrets.is_empty() {
                    return None;
                }
                // Leftmost-longest: a secret that contains another is masked whole.
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&self.secrets)
                    .ok()
            })
            .as_ref()
    }

    /// Every secret `other` knows, added to this one's.
    pub fn extend(&mut self, other: &Redactor) {
        for secret in &other.secrets {
            self.add(secret);
        }
    }

    pub fn redact(&self, text: &str) -> String {
        match self.matcher() {
            Some(m) => m.replace_all(text, &vec![MASK; self.secrets.len()]),
            None => text.to_owned(),
        }
    }

    /// Redacts, then cuts to `max` characters: a cut made first could leave all but the last
    /// character of a secret that straddled it.
    pub fn redact_cut(&self, text: &str, max: usize) -> String {
        cut(&self.redact(text), max)
    }
}

/// At most `max` characters, with `…` when something was cut.
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A URL fit to show: the password, the user name and every query value masked.
pub fn url(text: &str) -> String {
    let Ok(mut url) = reqwest::Url::parse(text) else {
        return text.to_owned();
    };
    if !url.username().is_empty() {
        let _ = url.set_username(MASK);
    }
    if url.password().is_some() {
        let _ = url.set_password(Some(MASK));
    }
    if url.query().is_some() {
        let keys: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        let mut pairs = url.query_pairs_mut();
        pairs.clear();
        for k in keys {
            pairs.append_pair(&k, MASK);
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_values_and_bearer_tokens() {
        let mut r = Redactor::default();
        r.add("Bearer canary-123456");
        r.add("1");
        assert_eq!(r.redact("got canary-123456 on port 1"), "got *** on port 1");
        assert_eq!(
            r.redact("Authorization: Bearer canary-123456"),
            "Authorization: ***"
        );
    }

    #[test]
    fn a_canary_is_masked_wherever_the_cut_falls() {
        let mut r = Redactor::default();
        let canary = "canary-7f3a9c2e11d04b6a";
        r.add(canary);
        for pad in 0..80 {
            let text = format!("{}{canary} and more", "x".repeat(pad));
            for max in 1..text.len() + 2 {
                let out = r.redact_cut(&text, max);
                assert!(!out.contains(&canary[..canary.len() - 1]), "{out}");
                assert!(!out.contains("7f3a9c2e"), "{out}");
            }
        }
    }

    #[test]
    fn many_secrets_cost_a_linear_setup() {
        let mut r = Redactor::default();
        for i in 0..80_000 {
            r.add(&format!("secret-value-{i:06}"));
        }
        assert_eq!(r.redact("x secret-value-079999 y"), "x *** y");
    }

    #[test]
    fn urls_lose_their_credentials_and_query_values() {
        assert_eq!(
            url("https://u:p@example.com/mcp?api_key=s3cret&x=1"),
            "https://***:***@example.com/mcp?api_key=***&x=***"
        );
        assert_eq!(url("not a url"), "not a url");
    }
}
