//! The patterns' own regexes, each matched against one line at a time, with their search caches
//! kept under one byte budget.
//!
//! A `regex::Regex` keeps its caches for as long as it lives, and they grow with every new kind
//! of line it meets: over a long and varied log the hundreds of pattern regexes held tens of
//! megabytes that way, and the peak RSS grew with the log. Here the caches live apart from the
//! regexes, in one table per thread that is emptied whenever it passes [`CACHE_BUDGET`]: memory
//! stays flat however long the log, for the price of rebuilding a few caches now and then.
//! The one-pass DFA is left out too: built eagerly for most anchored regexes, it was half of
//! what the compiled patterns held, and it only speeds up captures, which run on matched lines.

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::atomic::{AtomicU64, Ordering};

use regex_automata::meta::{self, Cache, Regex};
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;
use regex_automata::{Input, PatternID};

/// What the caches of every line regex may hold together before they are all dropped.
const CACHE_BUDGET: usize = 8 << 20;
/// The lazy DFA's cache of one regex; one that needs more runs without it.
const DFA_CACHE: usize = 256 << 10;
/// The compiled program's limit, as `regex::Regex`'s default.
const NFA_LIMIT: usize = 10 << 20;

/// Identifies a regex and its clones (which share the compiled program) in the cache table.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static CACHES: RefCell<Caches> = RefCell::new(Caches::default());
}

#[derive(Debug, Clone)]
pub(crate) struct LineRegex {
    regex: Regex,
    source: String,
    id: u64,
}

/// A match's capture groups, on the line it was found in.
pub(crate) struct Found<'h> {
    line: &'h [u8],
    caps: Captures,
}

#[derive(Default)]
struct Caches {
    by_regex: HashMap<u64, Cache>,
    bytes: usize,
}

impl LineRegex {
    /// Compiled as bytes with ASCII classes (`\w`, `\d`): log tokens are ASCII, and Unicode
    /// classes multiply the states a lazy DFA builds. The error is the parser's message.
    pub(crate) fn new(source: &str) -> Result<Self, String> {
        let regex = Regex::builder()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .configure(
                meta::Config::new()
                    .utf8_empty(false)
                    .onepass(false)
                    .nfa_size_limit(Some(NFA_LIMIT))
                    .hybrid_cache_capacity(DFA_CACHE),
            )
            .build(source)
            .map_err(|e| match e.syntax_error() {
                Some(syntax) => syntax.to_string(),
                None => e.to_string(),
            })?;
        Ok(Self {
            regex,
            source: source.to_owned(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }

    pub(crate) fn is_match(&self, line: &[u8]) -> bool {
        self.with_cache(|regex, cache| {
            regex
                .search_half_with(cache, &Input::new(line).earliest(true))
                .is_some()
        })
    }

    pub(crate) fn captures<'h>(&self, line: &'h [u8]) -> Option<Found<'h>> {
        let mut caps = self.regex.create_captures();
        self.with_cache(|regex, cache| {
            regex.search_captures_with(cache, &Input::new(line), &mut caps);
        });
        caps.is_match().then_some(Found { line, caps })
    }

    /// The names of the capture groups (`None` for unnamed ones), in order.
    pub(crate) fn capture_names(&self) -> impl Iterator<Item = Option<&str>> {
        self.regex.group_info().pattern_names(PatternID::ZERO)
    }

    fn with_cache<T>(&self, search: impl FnOnce(&Regex, &mut Cache) -> T) -> T {
        CACHES.with_borrow_mut(|caches| {
            if caches.bytes > CACHE_BUDGET {
                caches.by_regex.clear();
                caches.bytes = 0;
            }
            let (cache, before) = match caches.by_regex.entry(self.id) {
                Entry::Occupied(e) => {
                    let cache = e.into_mut();
                    let before = cache.memory_usage();
                    (cache, before)
                }
                Entry::Vacant(e) => (e.insert(self.regex.create_cache()), 0),
            };
            let out = search(&self.regex, cache);
            caches.bytes = caches.bytes.saturating_sub(before) + cache.memory_usage();
            out
        })
    }
}

impl<'h> Found<'h> {
    pub(crate) fn name(&self, name: &str) -> Option<&'h [u8]> {
        let line = self.line;
        self.caps
            .get_group_by_name(name)
            .map(|span| &line[span.range()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_stay_under_the_budget_however_many_regexes_run() {
        let regexes: Vec<LineRegex> = (0..400)
            .map(|i| LineRegex::new(&format!(r"^(?:\w+ ){{1,8}}error {i}: (?P<key>\S+)")).unwrap())
            .collect();
        let line = b"some words here error 7: the-key";
        for _ in 0..3 {
            for r in &regexes {
                r.is_match(line);
                r.captures(line);
            }
        }
        let held =
            CACHES.with_borrow(|c| c.by_regex.values().map(Cache::memory_usage).sum::<usize>());
        assert!(held <= CACHE_BUDGET + (2 << 20), "caches hold {held} bytes");
        let found = regexes[7].captures(line).unwrap();
        assert_eq!(found.name("key"), Some(&b"the-key"[..]));
        assert!(regexes[8].captures(line).is_none());
    }

    #[test]
    fn classes_are_ascii_and_bytes_need_not_be_utf8() {
        let r = LineRegex::new(r"^error (?P<key>\w+)").unwrap();
        assert!(r.is_match(b"error abc"));
        assert!(!r.is_match("error é".as_bytes()));
        assert!(r.is_match(b"error x\xff"));
        assert!(LineRegex::new("(").unwrap_err().contains("unclosed group"));
    }
}
