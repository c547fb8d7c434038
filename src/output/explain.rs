//! `gh-watch --explain`: why a pattern won, candidate by candidate.

/// `--explain` in words, a few lines per match. One candidate: its rank, pattern, line and captures, and why it lost.
pub(crate) fn lines(e: &crate::ci::classify::Explained) -> Vec<String> {
    let head = match e.rank {
        Some(r) => format!("#{r}"),
        None => "lost".into(),
    };
    let mut lines = vec![format!(
        "{head} {} ({}): pattern {} ({}), line {}, {} {}, priority {}{}",
        e.category,
        e.key.as_deref().unwrap_or("-"),
        e.pattern_id,
        e.pattern_source,
        e.line_number,
        e.severity,
        e.role,
        e.priority,
        if e.in_failing_step {
            ""
        } else {
            ", outside the failing step"
        }
    )];
    if !e.regex.is_empty() {
        lines.push(format!("   regex:    {}", e.regex));
    }
    lines.push(format!("   line:     {}", e.line));
    if !e.captures.is_empty() {
        let caps: Vec<String> = e.captures.iter().map(|(k, v)| format!("{k}={v}")).collect();
        lines.push(format!("   captures: {}", caps.join(", ")));
    }
    if let Some(lost) = &e.lost {
        lines.push(format!("   {lost}"));
    }
    lines
}
