//! Business hours: `Mon-Fri 09:00-18:00` in a time zone. Fixes outside the window wait for a
//! person to be around to review them.

use chrono::{DateTime, Datelike, NaiveTime, TimeZone, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Window {
    days: [bool; 7],
    start: NaiveTime,
    end: NaiveTime,
    text: String,
}

/// A `window` that cannot be read, with the text as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("window `{text}`: {problem} (write e.g. \"Mon-Fri 09:00-18:00\")")]
pub(crate) struct WindowError {
    text: String,
    problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum Problem {
    #[error("needs days and times")]
    NoTimes,
    #[error("`{0}` is not a day")]
    Day(String),
    #[error("times need a start and an end")]
    NoEnd,
    #[error("`{0}` is not HH:MM")]
    Time(String),
    #[error("the window is empty")]
    Empty,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Window {
    /// `DAYS TIMES`: days as `Mon-Fri`, `Sat,Sun` or `Mon-Wed,Fri`; times as `09:00-18:00` (an end
    /// before the start spans midnight).
    pub(crate) fn parse(text: &str) -> Result<Self, WindowError> {
        let bad = |problem: Problem| WindowError {
            text: text.to_owned(),
            problem,
        };
        let (days_text, times) = text
            .trim()
            .split_once(char::is_whitespace)
            .ok_or_else(|| bad(Problem::NoTimes))?;
        let mut days = [false; 7];
        for part in days_text.split(',') {
            let day = |d: &str| {
                DAYS.iter()
                    .position(|x| x.eq_ignore_ascii_case(d.trim()))
                    .ok_or_else(|| bad(Problem::Day(d.to_owned())))
            };
            match part.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (day(a)?, day(b)?);
                    let mut i = a;
                    loop {
                        days[i] = true;
                        if i == b {
                            break;
                        }
                        i = (i + 1) % 7;
                    }
                }
                None => days[day(part)?] = true,
            }
        }
        let (s, e) = times
            .trim()
            .split_once('-')
            .ok_or_else(|| bad(Problem::NoEnd))?;
        let time = |t: &str| {
            if t.trim() == "24:00" {
                return Ok(NaiveTime::from_hms_opt(23, 59, 59).expect("valid"));
            }
            NaiveTime::parse_from_str(t.trim(), "%H:%M")
                .map_err(|_| bad(Problem::Time(t.to_owned())))
        };
        let (start, end) = (time(s)?, time(e)?);
        if start == end {
            return Err(bad(Problem::Empty));
        }
        Ok(Self {
            days,
            start,
            end,
            text: text.trim().to_owned(),
        })
    }

    pub(crate) fn contains<Tz: TimeZone>(&self, now: DateTime<Utc>, tz: &Tz) -> bool {
        let local = now.with_timezone(tz);
        let t = local.time();
        let day = local.weekday().num_days_from_monday() as usize;
        if self.start < self.end {
            self.days[day] && t >= self.start && t < self.end
        } else if t >= self.start {
            self.days[day]
        } else {
            // After midnight: the window belongs to the day it opened.
            let yesterday = (day + 6) % 7;
            t < self.end && self.days[yesterday]
        }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn office_hours() {
        let w = Window::parse("Mon-Fri 09:00-18:00").unwrap();
        assert!(w.contains(at("2026-11-25T10:00:00Z"), &Utc));
        assert!(!w.contains(at("2026-11-25T18:00:00Z"), &Utc));
        assert!(!w.contains(at("2026-11-28T10:00:00Z"), &Utc));
        let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        assert!(!w.contains(at("2026-11-25T08:30:00Z"), &Utc));
        assert!(w.contains(at("2026-11-25T08:30:00Z"), &berlin));
    }

    #[test]
    fn overnight_and_errors() {
        let w = Window::parse("Fri-Mon 22:00-06:00").unwrap();
        assert!(w.contains(at("2026-11-28T03:00:00Z"), &Utc));
        assert!(!w.contains(at("2026-11-26T03:00:00Z"), &Utc));
        for bad in [
            "Mon-Fri",
            "Mon-Fry 09:00-10:00",
            "Mon 9-10",
            "Mon 10:00-10:00",
        ] {
            assert!(Window::parse(bad).is_err(), "{bad}");
        }
    }
}
