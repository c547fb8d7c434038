//! `${VAR}` and `${VAR:-default}` in config values; `$${` is a literal `${` (discovery writes it
//! for the clients that pass `${…}` as written). Bare `$VAR` is deliberately *not* expanded:
//! tokens and passwords often contain `$`, and silently rewriting them would break auth.

/// Expands `${…}` references through `lookup`; returns the text and the names that were unset.
pub(crate) fn expand(
    input: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> (String, Vec<String>) {
    let mut out = String::with_capacity(input.len());
    let mut missing = Vec::new();
    let mut rest = input;
    while let Some(start) = rest.find("${") {
        let escaped = rest[..start].ends_with('$');
        out.push_str(&rest[..start - usize::from(escaped)]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return (out, missing);
        };
        if escaped {
            out.push_str(&rest[start..start + 3 + end]);
            rest = &after[end + 1..];
            continue;
        }
        let inner = &after[..end];
        let (name, default) = match inner.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        if super::valid_env_name(name) {
            match (lookup(name), default) {
                (Some(v), _) if !v.is_empty() || default.is_none() => out.push_str(&v),
                (_, Some(d)) => out.push_str(d),
                (None, None) => missing.push(name.to_owned()),
                (Some(_), None) => unreachable!("covered by the first arm"),
            }
        } else {
            out.push_str(&rest[start..start + 3 + end]);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    (out, missing)
}

#[cfg(test)]
mod tests {
    use super::expand;

    fn lookup(name: &str) -> Option<String> {
        match name {
            "TOKEN" => Some("s3cr$t".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn expands_known_defaults_and_reports_missing() {
        assert_eq!(
            expand("Bearer ${TOKEN}", &lookup),
            ("Bearer s3cr$t".into(), vec![])
        );
        assert_eq!(expand("${NOPE:-x}", &lookup), ("x".into(), vec![]));
        assert_eq!(expand("${EMPTY:-d}", &lookup), ("d".into(), vec![]));
        assert_eq!(
            expand("a${NOPE}b", &lookup),
            ("ab".into(), vec!["NOPE".into()])
        );
    }

    #[test]
    fn leaves_other_dollars_alone() {
        assert_eq!(expand("pa$$word $TOKEN", &lookup).0, "pa$$word $TOKEN");
        assert_eq!(expand("${input:jira}", &lookup).0, "${input:jira}");
        assert_eq!(expand("tail ${", &lookup).0, "tail ${");
    }

    #[test]
    fn a_doubled_dollar_is_a_literal_reference() {
        assert_eq!(expand("$${TOKEN}", &lookup), ("${TOKEN}".into(), vec![]));
        assert_eq!(expand("a$${NOPE}b", &lookup), ("a${NOPE}b".into(), vec![]));
        assert_eq!(expand("$$${TOKEN}", &lookup).0, "$${TOKEN}");
        assert_eq!(expand("$${TOKEN} ${TOKEN}", &lookup).0, "${TOKEN} s3cr$t");
    }
}
