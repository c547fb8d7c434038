//! Which lines of a chunk of normalised lines may matter, found for the whole chunk at once.
//!
//! The classifier's `RegexSet` walks a lazy DFA over every line; with hundreds of anchored
//! patterns most of them stay alive for the first bytes of any line, the DFA keeps building
//! states, and ordinary runner output costs as much as a failure. Most regexes require some
//! literal, though: a line without any of those literals cannot match them. So one
//! Aho-Corasick search over the chunk finds the few lines that contain one, and the rare regex
//! no literal stands for is searched for in the chunk as a multi-line regex. Every other line
//! is skipped. The filter only ever says "maybe": the lines it picks still go through the set
//! and each pattern's own regex, so the results are the same as without it.

use aho_corasick::AhoCorasick;
use regex::bytes::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{
    self, Class, ClassBytes, ClassBytesRange, ClassUnicode, Hir, HirKind, Look,
};

/// A literal shorter than this is in most lines of most logs: not worth trying.
const MIN_LITERAL: usize = 3;

/// Bounds how many literals stand for one regex: past it a regex is searched for as a regex.
const MAX_LITERALS: usize = 64;

/// The lazy DFA of the regexes without a literal.
const REST_DFA_SIZE: usize = 4 << 20;

pub(super) struct LineFilter {
    literals: Option<AhoCorasick>,
    /// Literal → the regexes (by index in the sources) it stands for.
    owners: Vec<Vec<usize>>,
    /// The regexes no literal stands for, as one regex over the chunk: `^` and `$` at every
    /// line, and nothing that crosses a line end.
    rest: Option<Regex>,
    /// Their indexes.
    rest_ids: Vec<usize>,
}

impl LineFilter {
    /// The filter for these regexes (the set's, and any others the caller must see lines
    /// for); `None` when one of them does not parse here, and then every line is a candidate.
    /// `sample` (normalised lines, as [`Self::candidates`] takes them) decides which of a
    /// regex's literals stand for it: the one seen least there.
    pub(super) fn new<'a>(
        sources: impl IntoIterator<Item = &'a str>,
        sample: &[u8],
    ) -> Option<Self> {
        let mut choices: Vec<(usize, Vec<Vec<Vec<u8>>>)> = Vec::new();
        let mut rest: Vec<Hir> = Vec::new();
        let mut rest_ids = Vec::new();
        for (id, source) in sources.into_iter().enumerate() {
            // The syntax `patterns::build` compiles them with.
            let hir = regex_syntax::ParserBuilder::new()
                .unicode(false)
                .utf8(false)
                .build()
                .parse(source)
                .ok()?;
            let sets = literal_sets(&hir);
            if sets.is_empty() {
                rest.push(per_line(&hir));
                rest_ids.push(id);
            } else {
                choices.push((id, sets));
            }
        }
        let counts = occurrences(choices.iter().flat_map(|(_, sets)| sets), sample)?;
        let mut chosen: std::collections::BTreeMap<Vec<u8>, Vec<usize>> =
            std::collections::BTreeMap::new();
        for (id, sets) in choices {
            let cost = |set: &Vec<Vec<u8>>| {
                let seen: usize = set
                    .iter()
                    .map(|l| counts.get(l).copied().unwrap_or(0))
                    .sum();
                let shortest = set.iter().map(Vec::len).min().unwrap_or(usize::MAX);
                (seen, std::cmp::Reverse(shortest), set.len())
            };
            if let Some(best) = sets.into_iter().min_by_key(cost) {
                for literal in best {
                    chosen.entry(literal).or_default().push(id);
                }
            }
        }
        let (literals, owners): (Vec<Vec<u8>>, Vec<Vec<usize>>) = chosen.into_iter().unzip();
        let literals = if literals.is_empty() {
            None
        } else {
            Some(AhoCorasick::new(&literals).ok()?)
        };
        let rest = if rest.is_empty() {
            None
        } else {
            // Printed and parsed again: the printer spells out every byte class and ASCII
            // boundary, so the default (Unicode) syntax reads back the same regex.
            let text = Hir::alternation(rest).to_string();
            Some(
                regex::bytes::RegexBuilder::new(&text)
                    .dfa_size_limit(REST_DFA_SIZE)
                    .build()
                    .ok()?,
            )
        };
        Some(Self {
            literals,
            owners,
            rest,
            rest_ids,
        })
    }

    /// Sets `out` to the regexes (by index in the sources, in order) that may match the line
    /// `text[line.start..line.end]`: a superset of those that do.
    pub(super) fn regexes(&self, text: &[u8], line: Line, out: &mut Vec<usize>) {
        out.clear();
        out.extend_from_slice(&self.rest_ids);
        if let Some(ac) = &self.literals {
            // With the `\n` before the line, for the anchored literals.
            let span = &text[line.start.saturating_sub(1)..line.end];
            for m in ac.find_overlapping_iter(span) {
                out.extend_from_slice(&self.owners[m.pattern().as_usize()]);
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Sets `out` to the index of every line in `lines[first..]` that may match, in order.
    /// Each line is `text[start..end]`, with a `\n` before and after it.
    pub(super) fn candidates(
        &self,
        text: &[u8],
        lines: &[Line],
        first: usize,
        out: &mut Vec<usize>,
    ) {
        out.clear();
        if let Some(ac) = &self.literals {
            // From the `\n` before the line, which the anchored literals start with; the
            // literal's last byte is in the line.
            scan(lines, first, out, |at| {
                ac.find(aho_corasick::Input::new(text).span(at.saturating_sub(1)..text.len()))
                    .map(|m| m.end() - 1)
            });
        }
        let found = out.len();
        if let Some(re) = &self.rest {
            // `shortest_match_at` sees the whole text, so `^` knows what precedes `at`.
            scan(lines, first, out, |at| re.shortest_match_at(text, at));
            if found > 0 && out.len() > found {
                out.sort_unstable();
                out.dedup();
            }
        }
    }
}

/// A normalised line in the chunk's text, and where it came from.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line {
    pub n: u64,
    pub start: usize,
    pub end: usize,
    /// The line as read (`raw_start == raw_end` for lines kept from an earlier chunk).
    pub raw_start: usize,
    pub raw_end: usize,
}

/// Finds with `next(at)` an offset inside the next line that holds a match, from line `first`
/// on, one line at a time: no match crosses a line end, so the offset names its line.
fn scan(
    lines: &[Line],
    first: usize,
    out: &mut Vec<usize>,
    mut next: impl FnMut(usize) -> Option<usize>,
) {
    let mut i = first;
    while let Some(line) = lines.get(i) {
        let Some(hit) = next(line.start) else { return };
        // The first line that ends at or after the hit; past the last one, no line's.
        i += lines[i..].partition_point(|l| l.end < hit);
        if i == lines.len() {
            return;
        }
        out.push(i);
        i += 1;
    }
}

/// Sets of literals, each such that every match of `h` contains one of its literals: what
/// each part of `h` onwards starts with. A line never contains `\n`, but the text has one
/// before every line, so what `^` starts with is searched for with the `\n` before it.
fn literal_sets(h: &Hir) -> Vec<Vec<Vec<u8>>> {
    let mut parts = Vec::new();
    flatten(h, &mut parts);
    let mut sets = Vec::new();
    for i in 0..parts.len() {
        let anchored = i == 1 && matches!(parts[0].kind(), HirKind::Look(Look::Start));
        let tail = Hir::concat(parts[i..].iter().map(|&p| p.clone()).collect());
        let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&tail);
        let Some(found) = seq.literals() else {
            continue;
        };
        let set: Vec<Vec<u8>> = found
            .iter()
            .map(regex_syntax::hir::literal::Literal::as_bytes)
            // A literal with a line end never occurs in a line: another must.
            .filter(|l| !l.contains(&b'\n'))
            .map(|l| {
                if anchored {
                    [b"\n", l].concat()
                } else {
                    l.to_vec()
                }
            })
            .collect();
        let shortest = set.iter().map(Vec::len).min().unwrap_or(usize::MAX);
        if shortest >= MIN_LITERAL && set.len() <= MAX_LITERALS {
            sets.push(set);
        }
    }
    sets
}

/// The parts of a concatenation, through its groups.
fn flatten<'h>(h: &'h Hir, out: &mut Vec<&'h Hir>) {
    match h.kind() {
        HirKind::Concat(subs) => subs.iter().for_each(|s| flatten(s, out)),
        HirKind::Capture(c) => flatten(&c.sub, out),
        _ => out.push(h),
    }
}

/// How often each literal of `sets` occurs in `sample`.
fn occurrences<'s>(
    sets: impl Iterator<Item = &'s Vec<Vec<u8>>>,
    sample: &[u8],
) -> Option<std::collections::HashMap<Vec<u8>, usize>> {
    let mut all: Vec<&Vec<u8>> = sets.flatten().collect();
    all.sort();
    all.dedup();
    let mut counts = std::collections::HashMap::new();
    if all.is_empty() {
        return Some(counts);
    }
    let ac = AhoCorasick::new(&all).ok()?;
    for m in ac.find_overlapping_iter(sample) {
        *counts
            .entry(all[m.pattern().as_usize()].clone())
            .or_insert(0) += 1;
    }
    Some(counts)
}

/// `h` for a haystack of lines joined by `\n`: what it matches inside one line, and nothing
/// across a line end. Captures go (only where it matches counts).
fn per_line(h: &Hir) -> Hir {
    match h.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(l) if l.0.contains(&b'\n') => Hir::fail(),
        HirKind::Literal(l) => Hir::literal(l.0.clone()),
        HirKind::Class(Class::Bytes(c)) => {
            let mut c = c.clone();
            c.difference(&ClassBytes::new([ClassBytesRange::new(b'\n', b'\n')]));
            Hir::class(Class::Bytes(c))
        }
        HirKind::Class(Class::Unicode(c)) => {
            let mut c = c.clone();
            c.difference(&ClassUnicode::new([hir::ClassUnicodeRange::new(
                '\n', '\n',
            )]));
            Hir::class(Class::Unicode(c))
        }
        HirKind::Look(look) => Hir::look(match look {
            Look::Start => Look::StartLF,
            Look::End => Look::EndLF,
            other => *other,
        }),
        HirKind::Repetition(r) => Hir::repetition(hir::Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(per_line(&r.sub)),
        }),
        HirKind::Capture(c) => per_line(&c.sub),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(per_line).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(per_line).collect()),
    }
}
