//! Lines as tools printed them, without what the runner, the log viewer or a person pasting it
//! added: BOM, CR, ANSI colours, timestamps, BuildKit step prefixes, `gh run view --log`'s
//! job/step columns, quote markers and indentation.

use std::sync::LazyLock;

use regex::bytes::Regex;

/// Leading decorations, removed in this order, each at most once, each tried only when the
/// line starts with one of its first bytes: this runs on every line of a gigabyte log.
static PREFIXES: LazyLock<[(&[u8], Regex); 8]> = LazyLock::new(|| {
    let re = |p: &str| {
        regex::bytes::RegexBuilder::new(p)
            .unicode(false)
            .build()
            .expect("valid")
    };
    [
        // Google Cloud Build: `Step #2 - "tf plan": `.
        (b"S", re(r#"^Step #\d+(?: - "[^"]*")?:\s"#)),
        // GitHub's "2026-11-24T05:26:52.1234567Z ", Buildkite's "| [2019-05-14T14:31:11Z] ",
        // Go's log "2024/02/28 05:28:21 ", and times of day: Vercel's "[23:12:56.382] ",
        // Netlify's "1:13:02 PM: ", fastlane's "[18:11:20]: ", the Open Build Service's "[  24s] ".
        (
            b"0123456789|[",
            re(
                r"^(?:(?:\|\s*)?\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]?(?:\s|$)|\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)?|\[?\d{1,2}:\d\d:\d\d(?:\.\d+)?(?: [AP]M)?\]?:?(?:\s|$)|\[\s*\d+(?:\.\d+)?s\]\s)\s?",
            ),
        ),
        // BuildKit: "#18 0.512 " or "#18 ".
        (b"#", re(r"^#\d+ (?:\d+\.\d+ )?")),
        // Quotes from issue threads and make's echo: "> ".
        (b">", re(r"^>\s?")),
        // Viewer debris: "| " table cells.
        (b"|", re(r"^\|\s")),
        // Terraform's diagnostic box: "│ Error: …".
        (
            b"\xE2",
            re(r"^(?:\xE2\x94\x82|\xE2\x95\xB7|\xE2\x95\xB5)(?:\s|$)"),
        ),
        // A runner annotation keeps its marker, not the indentation after it.
        (b"#", re(r"^##\[(?:error|warning|notice)\]")),
        // The BOM again, when a column or a prefix came before it.
        (b"\xEF", re(r"^\xEF\xBB\xBF")),
    ]
});

// Finders built once: building one per line costs more than the search.
static CARET_CSI: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"^[["));
static VIEWER_LINK: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"](http"));

/// Normalises `raw` into `out` (reused, so a long log allocates nothing per line).
pub(crate) fn line(raw: &[u8], out: &mut Vec<u8>) {
    out.clear();
    append(raw, out, &mut Vec::new());
}

/// Normalises `raw` onto the end of `out`. Only a line with colour codes or links is
/// rewritten (in `scratch`); any other is trimmed in place and copied once.
pub(crate) fn append(raw: &[u8], out: &mut Vec<u8>, scratch: &mut Vec<u8>) {
    let mut s = raw;
    s = s.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(s);
    while let Some(rest) = s.strip_suffix(b"\n").or_else(|| s.strip_suffix(b"\r")) {
        s = rest;
    }
    let ansi = memchr::memchr(0x1b, s).is_some() || CARET_CSI.find(s).is_some();
    let text = if ansi || VIEWER_LINK.find(s).is_some() {
        scratch.clear();
        if ansi {
            strip_ansi(s, scratch);
        } else {
            scratch.extend_from_slice(s);
        }
        // Stripping the colours may be what makes a link.
        if VIEWER_LINK.find(scratch).is_some() {
            unlink(scratch);
        }
        &scratch[..]
    } else {
        s
    };
    trim(text, out);
}

/// Appends `text` without its leading decorations and surrounding blanks.
fn trim(text: &[u8], out: &mut Vec<u8>) {
    let skip_ws = |from: usize| {
        text[from..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map_or(text.len(), |p| from + p)
    };
    let mut start = skip_ws(0);
    // `gh run view --log`: "job<TAB>step<TAB>" before the timestamp. Only before one: a
    // tool's own tabs (testify's `\tError Trace:\t…`) are text.
    if let Some(first) = memchr::memchr(b'\t', &text[start..]).filter(|&i| i > 0 && i < 200)
        && let Some(second) =
            memchr::memchr(b'\t', &text[start + first + 1..]).filter(|&i| i > 0 && i < 200)
    {
        let mut at = skip_ws(start + first + second + 2);
        if text[at..].starts_with(b"\xEF\xBB\xBF") {
            at = skip_ws(at + 3);
        }
        if github_time(&text[at..]).is_some() {
            start = at;
        }
    }
    // The blanks dropped after a kept annotation marker: `text[keep..rest]`.
    let mut gap = None;
    for (i, (first, re)) in PREFIXES.iter().enumerate() {
        if !text.get(start).is_some_and(|b| first.contains(b)) {
            continue;
        }
        let at = &text[start..];
        let end = if i == TIMESTAMP {
            github_time(at).or_else(|| re.find(at).map(|m| m.end()))
        } else {
            re.find(at).map(|m| m.end())
        };
        if let Some(end) = end {
            if i == ANNOTATION {
                // Keep `##[error]`, drop the blanks after it.
                let keep = start + end;
                gap = Some((keep, skip_ws(keep)));
            } else {
                start = skip_ws(start + end);
            }
        }
    }
    // The gap is blanks only, so the last other byte is the same with or without it.
    let end = text
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |p| p + 1)
        .max(start);
    let base = out.len();
    match gap {
        Some((keep, rest)) if end > keep => {
            out.extend_from_slice(&text[start..keep]);
            out.extend_from_slice(&text[rest..end]);
        }
        _ => out.extend_from_slice(&text[start..end]),
    }
    unbold(out, base);
}

/// The end of `PREFIXES[TIMESTAMP]`'s match in the runner's own form,
/// `2026-11-24T05:26:52.1234567Z ` (nearly every line of a GitHub log): the same offset the
/// regex finds, without running it. `None` for any other form; the regex decides those.
fn github_time(t: &[u8]) -> Option<usize> {
    let digits = |r: std::ops::Range<usize>| t[r].iter().all(u8::is_ascii_digit);
    // "2026-11-24T05:26:52.1Z " is the shortest.
    let shape = t.len() >= 23
        && digits(0..4)
        && t[4] == b'-'
        && digits(5..7)
        && t[7] == b'-'
        && digits(8..10)
        && t[10] == b'T'
        && digits(11..13)
        && t[13] == b':'
        && digits(14..16)
        && t[16] == b':'
        && digits(17..19)
        && t[19] == b'.';
    if !shape {
        return None;
    }
    let fraction = t[20..].iter().take_while(|b| b.is_ascii_digit()).count();
    let z = 20 + fraction;
    if fraction == 0 || t.get(z) != Some(&b'Z') || t.get(z + 1) != Some(&b' ') {
        return None;
    }
    // The regex's closing `\s?`: its `\s` is ASCII space, vertical tab included.
    let end = z + 2;
    Some(end + usize::from(t.get(end).is_some_and(|b| b" \t\n\x0B\x0C\r".contains(b))))
}

/// GitHub's web view links line numbers (`[12](https://github.com/…#step:8:12)`), also inside
/// the text it renders, and so do Gitea's and Forgejo's (`[3](https://host/…/runs/6#jobstep-2-3)`);
/// copied from there, a link's text is what the log said, and a number linked at the start is
/// the viewer's gutter. Other links are the log's own.
fn unlink(out: &mut Vec<u8>) {
    static LINK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\[([^\]\[]{0,40})\]\((?:https://github\.com/[^)\s]*|https?://[^)\s#]*#(?:step:|jobstep-)[^)\s]*)\)",
        )
        .expect("valid")
    });
    let text = LINK
        .replace_all(out, |c: &regex::bytes::Captures<'_>| {
            let text = &c[1];
            let gutter = c.get(0).is_some_and(|m| m.start() == 0) && is_debris(text);
            if gutter { Vec::new() } else { text.to_vec() }
        })
        .into_owned();
    *out = text;
}

/// Markdown bold a person put around a line when pasting it (`**npm ERR! 404 …**`); make's
/// `*** [x] Error 1` is not that. The line is `out[base..]`.
fn unbold(out: &mut Vec<u8>, base: usize) {
    let line = &out[base..];
    if line.len() > 4
        && line.starts_with(b"**")
        && !line.starts_with(b"***")
        && line.ends_with(b"**")
    {
        out.truncate(out.len() - 2);
        out.drain(base..base + 2);
    }
}

/// The index in [`PREFIXES`] of the runner annotation, which is kept.
const ANNOTATION: usize = 6;

/// The index in [`PREFIXES`] of the timestamps.
const TIMESTAMP: usize = 1;

/// Drops CSI sequences (`ESC [ … final`), the colour codes CI tools print, also as `cat -v`
/// and some log viewers show them (`^[[31m`).
fn strip_ansi(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < s.len() {
        let csi = if s[i] == 0x1b && s.get(i + 1) == Some(&b'[') {
            2
        } else if s[i..].starts_with(b"^[[") {
            3
        } else {
            0
        };
        if csi > 0 {
            i += csi;
            while i < s.len() && !(0x40..=0x7e).contains(&s[i]) {
                i += 1;
            }
            i += 1;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
}

/// A line that is only a number: the line numbers a log viewer adds when copied.
pub(crate) fn is_debris(line: &[u8]) -> bool {
    !line.is_empty() && line.len() <= 6 && line.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        let mut out = Vec::new();
        line(s.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn runner_and_viewer_decorations_go() {
        assert_eq!(
            n("\u{feff}2026-11-24T05:26:52.1234567Z ##[error]boom\r\n"),
            "##[error]boom"
        );
        assert_eq!(n("\x1b[31merror\x1b[0m: x"), "error: x");
        assert_eq!(n("#0 142.4 error: test failed"), "error: test failed");
        assert_eq!(
            n("build\tRun tests\t2026-11-24T05:26:52.1Z FAIL: TestX"),
            "FAIL: TestX"
        );
        assert_eq!(
            n("  | [2019-05-14T14:31:11Z]     --- FAIL: TestA"),
            "--- FAIL: TestA"
        );
        assert_eq!(n("> mypy shiny"), "mypy shiny");
        assert_eq!(n("^[[31m✖^[[39m 2 problems"), "✖ 2 problems");
        assert_eq!(
            n("[23:12:56.383] npm error code ERESOLVE"),
            "npm error code ERESOLVE"
        );
        assert_eq!(n("1:13:02 PM: FATAL ERROR: x"), "FATAL ERROR: x");
        assert_eq!(
            n("[18:11:20]: ▸ xcodebuild: error: x"),
            "▸ xcodebuild: error: x"
        );
        assert_eq!(
            n("  2024/02/28 05:28:21 The go.mod file"),
            "The go.mod file"
        );
        assert_eq!(
            n("Step #2 - \"tf plan\": \u{2502} Error: Unsupported argument"),
            "Error: Unsupported argument"
        );
        assert_eq!(n("  \u{2502} Error: x"), "Error: x");
        assert_eq!(n("\u{2577}"), "");
        assert_eq!(
            n("##[error]   --> src/main.rs:1:2"),
            "##[error]--> src/main.rs:1:2"
        );
        assert_eq!(
            n("job\tstep\t\u{feff}2026-08-13T02:27:53.8321660Z ##[group]Run x"),
            "##[group]Run x"
        );
        assert_eq!(
            n("2023-02-28T15:52:55.3177843Z         \tError Trace:\t/w/a_test.go:59"),
            "Error Trace:\t/w/a_test.go:59"
        );
        assert_eq!(n("22:10 $ go test"), "22:10 $ go test");
        assert_eq!(n("2024-05-01 12:00:00.123 error: x"), "error: x");
        assert_eq!(
            n("[   24s] go: errors parsing go.mod:"),
            "go: errors parsing go.mod:"
        );
        assert_eq!(n("[2024-05-01T12:00:00+02:00] FAIL x"), "FAIL x");
        assert_eq!(
            n("**npm ERR! 404 Not Found: har-validator@5.1.2**"),
            "npm ERR! 404 Not Found: har-validator@5.1.2"
        );
        assert_eq!(n("make: *** [all] Error 2"), "make: *** [all] Error 2");
        assert_eq!(
            n(
                "[12](https://github.com/o/r/actions/runs/1/job/2#step:8:12)npm error engine @x/y@1.[6](https://github.com/o/r/actions/runs/1/job/2#step:8:7).1"
            ),
            "npm error engine @x/y@1.6.1"
        );
        assert_eq!(
            n(
                "::error::The version '[3](https://git.example.org:50443/o/r/actions/runs/6#jobstep-2-3).12.0' was not found"
            ),
            "::error::The version '3.12.0' was not found"
        );
        assert_eq!(
            n("see [the docs](https://example.org/ci#setup)"),
            "see [the docs](https://example.org/ci#setup)"
        );
        assert!(is_debris(b"65"));
    }

    /// The shortcut ends where the regex does, and leaves every other form to it.
    #[test]
    fn the_runner_timestamp_shortcut_agrees_with_the_regex() {
        let re = &PREFIXES[TIMESTAMP].1;
        for t in [
            "2026-11-24T05:26:52.1234567Z x",
            "2026-11-24T05:26:52.1Z  x",
            "2026-11-24T05:26:52.1Z \x0b x",
            "2026-11-24T05:26:52.1Z \tx",
            "2026-11-24T05:26:52.1Z ",
            "2026-11-24T05:26:52.1Z \n",
            "2026-11-24T05:26:52.Z x",
            "2026-11-24T05:26:52Z x",
            "2026-11-24T05:26:52.12Zx",
            "2026-11-24T05:26:52.12Z]",
            "2026-11-24 05:26:52.12Z x",
            "2026-11-24T05:26:52,12Z x",
            "2026-11-24T05:26:52.12+02:00 x",
            "2026-11-24T05:26:5x.12Z x",
            "2026/11/24 05:26:52 x",
            "12:00:00 x",
        ] {
            let expected = re.find(t.as_bytes()).map(|m| m.end());
            if let Some(end) = github_time(t.as_bytes()) {
                assert_eq!(Some(end), expected, "{t:?}");
            }
        }
        assert_eq!(github_time(b"2026-11-24T05:26:52.1234567Z x"), Some(29));
        assert_eq!(github_time(b"2026-11-24T05:26:52.1Z \x0b x"), Some(24));
        assert!(!is_debris(b"65 tests"));
    }
}
