//! Secrets never reach output: every env value, header value and env-file value of a server is
//! registered here, and every string that leaves a probe goes through `redact`.

/// Values shorter than this are too common to scrub without mangling ordinary text
/// ("1", "true", a port number); they are not secrets worth the name.
const MIN_SECRET_LEN: usize = 4;
const MASK: &str = "***";

#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    pub fn add(&mut self, value: &str) {
        let value = value.trim();
        if value.len() >= MIN_SECRET_LEN && !self.secrets.iter().any(|s| s == value) {
            self.secrets.push(value.to_owned());
            // Longest first, so a secret that contains another is masked whole.
            self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
        // "Bearer abc…" is a header value; the bare token is what leaks into server logs.
        if let Some((_, token)) = value.split_once(' ')
            && token.len() >= MIN_SECRET_LEN
            && token != value
        {
            self.add(token);
        }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Redactor;

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
}
