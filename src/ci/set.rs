//! Every pattern regex as one prefilter: which of them match a line, in one pass per shard.
//!
//! One `RegexSet` over all of them cost about 24 MB at its peak while it compiled (it keeps
//! under 4 MB), most of the classifier's peak RSS. The compiler's transient memory grows faster
//! than the number of regexes, so the set is built in shards of [`SHARD`] regexes, one after
//! another: the same matches, in the same order, for about a third of that peak.

use regex::bytes::{RegexSet, RegexSetBuilder};

/// Regexes per shard.
const SHARD: usize = 64;
/// The cap on each shard's lazy DFA cache. Its states are large (dozens of regexes each), and a
/// long varied log fills any cap; the set reads every line only until the line filter is built.
const SHARD_DFA_CACHE: usize = 256 << 10;

pub(super) struct PatternSet {
    shards: Vec<RegexSet>,
    sources: Vec<String>,
}

impl PatternSet {
    pub(super) fn new(sources: Vec<String>) -> Result<Self, regex::Error> {
        let shards = sources
            .chunks(SHARD)
            .map(|chunk| {
                RegexSetBuilder::new(chunk)
                    .unicode(false)
                    .dfa_size_limit(SHARD_DFA_CACHE)
                    .build()
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { shards, sources })
    }

    /// The regexes, by index.
    pub(super) fn sources(&self) -> &[String] {
        &self.sources
    }

    /// Appends to `out` the index of every regex that matches `text`, in order.
    pub(super) fn matches(&self, text: &[u8], out: &mut Vec<usize>) {
        for (n, shard) in self.shards.iter().enumerate() {
            if shard.is_match(text) {
                out.extend(shard.matches(text).iter().map(|i| n * SHARD + i));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_run_across_shards_in_order() {
        let sources: Vec<String> = (0..200).map(|i| format!("^x{i}$|^all$")).collect();
        let set = PatternSet::new(sources).unwrap();
        let mut out = Vec::new();
        set.matches(b"x150", &mut out);
        assert_eq!(out, [150]);
        out.clear();
        set.matches(b"all", &mut out);
        assert_eq!(out, (0..200).collect::<Vec<_>>());
    }
}
