//! Strict grammars for values captured from CI logs. A capture is data from an untrusted log: it
//! reaches an argv or a file only after it matches one of these in full.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;

/// A value that does not match its grammar (quoted with escapes, so a newline or a control
/// character is visible and inert), or a grammar name that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum GrammarError {
    #[error("{value:?} is not a valid {grammar}")]
    Invalid { value: String, grammar: Grammar },
    #[error("unknown grammar `{name}` (one of: {})", Grammar::names())]
    Unknown { name: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grammar {
    /// An npm package name, scoped or not (the registry's own rules).
    NpmPackage,
    /// A PyPI distribution or import name (PEP 508 names), with an optional dotted module path.
    Pypi,
    /// `owner/repo[/path]@ref` as written after `uses:`.
    ActionRef,
    /// `owner/repo[/path]` without a ref.
    Action,
    /// A Node.js version or range whose major can be read: 20, 20.x, >=18, ^18.17.0.
    NodeVersion,
    /// A workflow permission, `scope: level`.
    Permission,
    /// A whole number of minutes.
    Minutes,
    /// A plain word: letters, digits, `.`, `_`, `-`, not starting with `-`.
    Word,
}

impl Grammar {
    pub(crate) const ALL: &[Grammar] = &[
        Grammar::NpmPackage,
        Grammar::Pypi,
        Grammar::ActionRef,
        Grammar::Action,
        Grammar::NodeVersion,
        Grammar::Permission,
        Grammar::Minutes,
        Grammar::Word,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Grammar::NpmPackage => "npm-package",
            Grammar::Pypi => "pypi",
            Grammar::ActionRef => "action-ref",
            Grammar::Action => "action",
            Grammar::NodeVersion => "node-version",
            Grammar::Permission => "permission",
            Grammar::Minutes => "minutes",
            Grammar::Word => "word",
        }
    }

    fn names() -> String {
        let names: Vec<_> = Grammar::ALL.iter().map(|g| g.name()).collect();
        names.join(", ")
    }

    fn regex(self) -> &'static Regex {
        static RES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
            [
                r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$",
                r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$",
                r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_./-]+)?@[A-Za-z0-9][A-Za-z0-9_.-]*$",
                r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_./-]+)?$",
                r"^(?:>=|\^|~|=)?\s*v?[0-9]{1,3}(?:\.(?:[0-9]{1,4}|x)){0,2}$",
                r"^(?:actions|attestations|checks|contents|deployments|discussions|id-token|issues|models|packages|pages|pull-requests|repository-projects|security-events|statuses): (?:read|write)$",
                r"^[0-9]{1,5}$",
                r"^[A-Za-z0-9_.][A-Za-z0-9_.-]*$",
            ]
            .iter()
            .map(|r| Regex::new(r).expect("grammar regexes compile"))
            .collect()
        });
        let i = Grammar::ALL
            .iter()
            .position(|g| *g == self)
            .expect("every grammar is listed");
        &RES[i]
    }

    /// The value itself when it matches in full, else why not (the value is quoted with
    /// escapes, so a newline or a control character is visible and inert).
    pub(crate) fn check(self, value: &str) -> Result<&str, GrammarError> {
        let invalid = || GrammarError::Invalid {
            value: value.to_owned(),
            grammar: self,
        };
        let too_long = value.len() > 214;
        if too_long || !self.regex().is_match(value) {
            return Err(invalid());
        }
        if (self == Grammar::ActionRef || self == Grammar::Action)
            && value
                .split(['/', '@'])
                .any(|part| part == ".." || part == ".")
        {
            return Err(invalid());
        }
        Ok(value)
    }
}

impl FromStr for Grammar {
    type Err = GrammarError;

    fn from_str(s: &str) -> Result<Self, GrammarError> {
        Grammar::ALL
            .iter()
            .copied()
            .find(|g| g.name() == s)
            .ok_or_else(|| GrammarError::Unknown { name: s.to_owned() })
    }
}

impl fmt::Display for Grammar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Grammar;

    #[test]
    fn hostile_values_fail_every_grammar() {
        let hostile = [
            "left-pad; rm -rf ~",
            "$(touch /tmp/pwned)",
            "`id`",
            "left-pad\nrm",
            "--registry=http://evil",
            "-rf",
            "a b",
            "",
            "../../etc/passwd@v1",
        ];
        for g in Grammar::ALL {
            for h in hostile {
                assert!(g.check(h).is_err(), "{g} accepted {h:?}");
            }
        }
    }

    #[test]
    fn ordinary_values_pass() {
        let ok = [
            (Grammar::NpmPackage, "left-pad"),
            (Grammar::NpmPackage, "@types/node"),
            (Grammar::Pypi, "PyYAML"),
            (Grammar::Pypi, "opencv-python"),
            (Grammar::ActionRef, "actions/checkout@v2"),
            (Grammar::ActionRef, "github/codeql-action/init@v2"),
            (Grammar::NodeVersion, ">=18.17.0"),
            (Grammar::NodeVersion, "20.x"),
            (Grammar::Permission, "contents: write"),
            (Grammar::Minutes, "360"),
        ];
        for (g, v) in ok {
            assert_eq!(g.check(v), Ok(v), "{g} refused {v:?}");
        }
        assert!(Grammar::NpmPackage.check("LeftPad").is_err());
    }
}
