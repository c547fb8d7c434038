//! A pattern file that cannot be used, as `file:line: pattern ID: what is wrong` (or `file: …`
//! when the file itself is unreadable or not YAML): a config error at that location.

use std::path::PathBuf;

use super::{CATEGORIES, MAX_WINDOW, one_line};

#[derive(Debug, thiserror::Error)]
pub(crate) enum PatternError {
    #[error("{}: cannot read: {source}", file.display())]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    /// Boxed: the parser's error is large, and this one travels inside `crate::Error`.
    #[error("{name}: {}", one_line(&source.to_string()))]
    Yaml {
        name: String,
        source: Box<serde_saphyr::Error>,
    },
    #[error("{name}:{line}: pattern {id}: {problem}")]
    Pattern {
        name: String,
        line: u64,
        id: String,
        problem: Problem,
    },
    /// Each regex compiles alone, but not all of them together (the set's size limit).
    #[error("the pattern set does not compile: {0}")]
    Set(#[source] regex::Error),
}

/// What is wrong with one pattern.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Problem {
    #[error("unknown category `{}`; use one of: {}", .0, CATEGORIES.join(", "))]
    Category(String),
    #[error("confidence must be between 0 and 1")]
    Confidence,
    #[error("severity `{0}` is not one of error, warning, info")]
    Severity(String),
    #[error("needs at least one regex")]
    NoRegex,
    #[error("has no fixtures: add at least one `match` log")]
    NoFixtures,
    #[error("regex `{0}` must be anchored with ^")]
    Unanchored(String),
    #[error("{}", one_line(.0))]
    Regex(String),
    #[error("within must be 1..={}", MAX_WINDOW)]
    Within,
    #[error("`join` gathers the lines after a match: it belongs in `after`, not `before`")]
    JoinBefore,
    #[error("no regex has a `key` capture and there is no default_key")]
    NoKey,
}
