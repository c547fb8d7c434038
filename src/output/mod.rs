//! How a finished run reaches people and scripts: a table on a terminal, JSON, a Nagios line, or
//! nothing at all when cron runs it and everything is fine.

mod envelope;
pub(crate) mod explain;
pub(crate) mod health;
pub(crate) mod recovery;
pub(crate) mod table;

use std::io::{IsTerminal, Write};

pub(crate) use envelope::{Body, Envelope, SCHEMA_VERSION, hostname};

use crate::exit::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Table,
    Json,
    Nagios,
    /// Not a terminal and no format asked for: silent when ok, a short summary on stderr if not.
    Auto,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    pub mode: Mode,
    pub quiet: bool,
}

impl Output {
    /// `asked` is the format the user asked for; without one, a terminal gets a table.
    pub(crate) fn new(asked: Option<Mode>, quiet: bool) -> Self {
        let mode = asked.unwrap_or_else(|| {
            if std::io::stdout().is_terminal() {
                Mode::Table
            } else {
                Mode::Auto
            }
        });
        Self { mode, quiet }
    }

    /// A bar on stderr for a person at a terminal; hidden under cron, `-q` or a pipe.
    pub(crate) fn progress(self, len: usize, what: &str) -> indicatif::ProgressBar {
        if self.quiet || !std::io::stderr().is_terminal() {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new(len as u64).with_prefix(what.to_owned());
        bar.set_style(
            indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}")
                .expect("the template is valid")
                .progress_chars("=> "),
        );
        bar
    }

    /// Whether anything should be printed for a run that ended with `status`.
    pub(crate) fn silent(self, status: Status) -> bool {
        status == Status::Ok && (self.quiet || self.mode == Mode::Auto)
    }
}

/// "1 copy", "3 copies".
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A time for people: RFC 3339 in UTC, to the second (`2026-11-24T08:00:00Z`).
pub(crate) fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Writes to stdout; a closed pipe (`mcpctl … | head`) is not an error.
pub(crate) fn print_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Without control characters: names come from client files and servers, and a newline or an
/// escape sequence in one must not break a line or drive a terminal.
pub(crate) fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// As `printable`, keeping the newlines a table or a list of lines is made of.
pub(crate) fn printable_lines(text: &str) -> String {
    text.chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}

/// A Nagios plugin line: `MCPCTL OK - summary | 'label'=value[UOM];;;min …`.
pub(crate) fn nagios_line(
    status: Status,
    summary: &str,
    perfdata: &[(String, f64, &str)],
) -> String {
    let mut line = format!(
        "MCPCTL {} - {}",
        status.label(),
        printable(summary).replace('|', "/")
    );
    if !perfdata.is_empty() {
        line.push_str(" |");
        for (label, value, uom) in perfdata {
            let label = printable(label).replace(['\'', '='], "_");
            line.push_str(&format!(" '{label}'={value}{uom};;;0"));
        }
    }
    line.push('\n');
    line
}
