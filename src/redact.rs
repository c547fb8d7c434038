//! Secrets never reach output: every env value, header value, env-file value and interpolated
//! variable of a server is registered here, and every string that leaves a probe goes through
//! `redact` before anything cuts it. Matching is one Aho-Corasick pass, so an env file of
//! 80,000 lines costs what it reads, not its square.
//!
//! Text bound for someone else (a model's prompt) also goes through `redact_shapes`, which masks
//! what looks secret without being registered: by its name or by its shape.

use std::collections::HashSet;
use std::sync::{LazyLock, OnceLock};

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

/// Values shorter than this are too common to scrub without mangling ordinary text
/// ("1", "true", a port number); they are not secrets worth the name.
const MIN_SECRET_LEN: usize = 4;
const MASK: &str = "***";

#[derive(Debug, Clone, Default)]
pub(crate) struct Redactor {
    secrets: HashSet<String>,
    /// Built on first use after the last `add`.
    matcher: OnceLock<Option<AhoCorasick>>,
}

impl Redactor {
    pub(crate) fn add(&mut self, value: &str) {
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
    pub(crate) fn extend(&mut self, other: &Redactor) {
        for secret in &other.secrets {
            self.add(secret);
        }
    }

    pub(crate) fn redact(&self, text: &str) -> String {
        match self.matcher() {
            Some(m) => m.replace_all(text, &vec![MASK; self.secrets.len()]),
            None => text.to_owned(),
        }
    }

    /// Redacts, then cuts to `max` characters: a cut made first could leave all but the last
    /// character of a secret that straddled it.
    pub(crate) fn redact_cut(&self, text: &str, max: usize) -> String {
        cut(&self.redact(text), max)
    }

    /// The registered secrets, then everything that looks secret by name or shape.
    pub(crate) fn redact_shapes(&self, text: &str) -> String {
        shapes(&self.redact(text))
    }
}

/// Well-known token shapes: bearer tokens, GitHub's `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` and
/// `github_pat_`, OpenAI-style `sk-`, Slack's `xox?-`, AWS access key ids.
static TOKEN_SHAPES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i:\bbearer\s+[A-Za-z0-9._~+/=-]{8,})|\bgh[opusr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}|\bsk-[A-Za-z0-9_-]{16,}|\bxox[abposr]-[A-Za-z0-9-]{10,}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
    )
    .expect("the token shapes compile")
});

/// `NAME=value`, `NAME: value`, `"NAME": "value"` where NAME says token, key, secret, password
/// or auth: the value is masked, the name kept so the reader still sees what was there.
static NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)([A-Za-z0-9_.-]*(?:token|key|secret|passw(?:or)?d|auth)[A-Za-z0-9_.-]*["']?\s*[:=]\s*["']?)([^\s"',;}\]]{4,})"#,
    )
    .expect("the named-secret rule compiles")
});

/// Masks values that look secret whoever registered them (see `Redactor::redact_shapes`).
pub(crate) fn shapes(text: &str) -> String {
    let text = TOKEN_SHAPES.replace_all(text, MASK);
    NAMED
        .replace_all(&text, |c: &regex::Captures<'_>| {
            if &c[2] == MASK {
                c[0].to_owned()
            } else {
                format!("{}{MASK}", &c[1])
            }
        })
        .into_owned()
}

/// At most `max` characters, with `…` when something was cut.
pub(crate) fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A URL fit to show: the password, the user name and every query value masked.
pub(crate) fn url(text: &str) -> String {
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
    fn shapes_mask_what_looks_secret_and_leave_code_alone() {
        let cases = [
            ("export API_KEY=abc123def", "export API_KEY=***"),
            ("password: hunter22", "password: ***"),
            (
                r#"{"auth_token": "s3cr3tvalue"}"#,
                r#"{"auth_token": "***"}"#,
            ),
            ("Authorization: Bearer abcdefgh12345", "Authorization: ***"),
            ("push with ghp_abcdefghijklmnopqrstuvwxyz", "push with ***"),
            ("github_pat_11ABCDEFG0123456789_abcdef", "***"),
            ("OPENAI sk-proj-abcdefghij0123456789", "OPENAI ***"),
            ("slack xoxb-1234567890-abcdef", "slack ***"),
            ("aws AKIAIOSFODNN7EXAMPLE done", "aws *** done"),
            ("def add(a, b):", "def add(a, b):"),
            ("assert add(1, 2) == 3", "assert add(1, 2) == 3"),
        ];
        for (input, want) in cases {
            assert_eq!(shapes(input), want, "{input}");
        }
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
