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
static GITHUB_LINK: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"](https://github.com/"));

/// Normalises `raw` into `out` (reused, so a long log allocates nothing per line).
pub(crate) fn line(raw: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut s = raw;
    s = s.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(s);
    while let Some(rest) = s.strip_suffix(b"\n").or_else(|| s.strip_suffix(b"\r")) {
        s = rest;
    }
    if s.contains(&0x1b) || CARET_CSI.find(s).is_some() {
        strip_ansi(s, out);
    } else {
        out.extend_from_slice(s);
    }
    if GITHUB_LINK.find(out).is_some() {
        unlink(out);
    }
    let skip_ws = |out: &[u8], from: usize| {
        out[from..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map_or(out.len(), |p| from + p)
    };
    let mut start = skip_ws(out, 0);
    // `gh run view --log`: "job<TAB>step<TAB>" before the timestamp.
    if let Some(first) = memchr::memchr(b'\t', &out[start..]).filter(|&i| i > 0 && i < 200)
        && let Some(second) =
            memchr::memchr(b'\t', &out[start + first + 1..]).filter(|&i| i > 0 && i < 200)
    {
        start = skip_ws(out, start + first + second + 2);
        if out[start..].starts_with(b"\xEF\xBB\xBF") {
            start = skip_ws(out, start + 3);
        }
    }
    for (i, (first, re)) in PREFIXES.iter().enumerate() {
        if out.get(start).is_some_and(|b| first.contains(b))
            && let Some(m) = re.find(&out[start..])
        {
            if i == ANNOTATION {
                // Keep `##[error]`, drop the blanks after it.
                let keep = start + m.end();
                let rest = skip_ws(out, keep);
                out.drain(keep..rest);
            } else {
                start = skip_ws(out, start + m.end());
            }
        }
    }
    let end = out
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |p| p + 1)
        .max(start);
    out.truncate(end);
    out.drain(..start);
    unbold(out);
}

/// GitHub's web view links line numbers (`[12](https://github.com/…#step:8:12)`), also inside
/// the text it renders; copied from there, a link's text is what the log said, and a number
/// linked at the start is the viewer's gutter.
fn unlink(out: &mut Vec<u8>) {
    static LINK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\[([^\]\[]{0,40})\]\(https://github\.com/[^)\s]*\)").expect("valid")
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
/// `*** [x] Error 1` is not that.
fn unbold(out: &mut Vec<u8>) {
    if out.len() > 4 && out.starts_with(b"**") && !out.starts_with(b"***") && out.ends_with(b"**") {
        out.truncate(out.len() - 2);
        out.drain(..2);
    }
}

/// The index in [`PREFIXES`] of the runner annotation, which is kept.
const ANNOTATION: usize = 6;

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
        assert!(is_debris(b"65"));
        assert!(!is_debris(b"65 tests"));
    }
}
